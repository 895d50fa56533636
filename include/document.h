/*
 * document: the files crm keeps for records. A document is a file
 * attached to any record (DIR/documents/ID); a letter template's text is
 * kept the same way (DIR/templates/ID). Both are copied in whole under a
 * temporary name and take their final name only when complete (RULES.md
 * S13), and their record holds the file's SHA-256, so a damaged or
 * replaced file is noticed. The command line (crm attach, crm template
 * add, crm letter, crm document show), the screens and the sync all go
 * through these functions: nothing else opens those files.
 *
 * In a database that has a data key (an encrypted local; see vault.h and
 * store_set_key) every such file is sealed (seal.h) as it is written:
 * its plaintext is never on the disk, not even under a temporary name.
 * The record's SHA-256 and size are the plaintext's, so a master's plain
 * file and a local's sealed one compare equal. Readers get the plaintext
 * through document_in_* or document_read; a file sealed wrongly, cut
 * short or changed is DOCUMENT_DAMAGED, said with the document's name.
 * A plain file in an encrypted database (from before its files were
 * sealed) is read as it is, guarded by its hash, until document_seal
 * seals it.
 */
#ifndef CRM_DOCUMENT_H
#define CRM_DOCUMENT_H

#include <sys/types.h>

#include <stddef.h>

#include "model.h"
#include "record.h"
#include "store.h"

struct seal_for;
struct user;

#define DOCUMENT_OK		0
#define DOCUMENT_MISSING	1	/* the stored file is not there */
#define DOCUMENT_CHANGED	2	/* its SHA-256 is not the recorded one */
#define DOCUMENT_DAMAGED	3	/* sealed, and not whole (seal.h) */

/* A MIME type from a file name's extension; application/octet-stream. */
const char	*document_mime(const char *filename);
/* Where the file of a document or template lives: DIR/documents/ID. */
char		*document_path(const char *dir, int type,
		    const struct record_id *);
/*
 * What the file of (type, id) in dir is sealed for: 1 and sf when dir has
 * a data key, 0 when its files are plain, -1 (error set) when dir is
 * encrypted but its key was not given (nothing may be written then).
 */
int		 document_sealing(const char *dir, int type,
		    const struct record_id *, struct seal_for *sf);

/*
 * Writing a stored file: document_out_new creates tmp (0600, which must
 * not exist; the caller renames it to document_path once complete, as
 * S13 wants) for the file of (type, id) in dir, sealed if dir has a key.
 * document_out_write takes plaintext; document_out_finish ends the seal,
 * syncs and closes tmp, gives the plaintext's SHA-256 (FILE_HASH_TEXT + 1
 * bytes) and size (may be NULL) and frees the writer. On any failure,
 * and in document_out_abort, tmp is removed and the writer freed. A full
 * disk is said as such (errno ENOSPC).
 */
struct document_out;
struct document_out *document_out_new(const char *dir, int type,
		    const struct record_id *, const char *tmp);
int		 document_out_write(struct document_out *, const void *,
		    size_t);
int		 document_out_finish(struct document_out *, char *hex,
		    off_t *size);
void		 document_out_abort(struct document_out *);

/*
 * Reading a stored file, whatever it is sealed with: document_in_open
 * opens the file of (type, id) in dir (never through a link, and only a
 * regular file: T7); name (a filename, may be NULL) is what messages call
 * it. 0, DOCUMENT_MISSING (message set) or -1. document_in_read gives
 * plaintext: a count, 0 at the end of a whole file, -1 (error set) if it
 * cannot be read, or -DOCUMENT_DAMAGED (error set: which file, what is
 * wrong and what to do) if it is not whole; what it gave before is then
 * to be thrown away.
 */
struct document_in;
int		 document_in_open(const char *dir, int type,
		    const struct record_id *, const char *name,
		    struct document_in **);
ssize_t		 document_in_read(struct document_in *, void *, size_t);
void		 document_in_close(struct document_in *);
/*
 * The plaintext's SHA-256 and size (may be NULL) of the file of (type,
 * id): 0, DOCUMENT_MISSING, DOCUMENT_DAMAGED (messages set) or -1.
 */
int		 document_hash(const char *dir, int type,
		    const struct record_id *, const char *name, char *hex,
		    off_t *size);
/*
 * Give the plaintext of the file of r (a document or template) to cb, a
 * piece at a time, and check it against r's SHA-256 at the end. cb
 * returns 0, or -1 with the error set to stop. DOCUMENT_OK, or
 * DOCUMENT_MISSING, DOCUMENT_DAMAGED or DOCUMENT_CHANGED with a message
 * naming the document and what to do (what cb was given must then be
 * thrown away, unless a person chooses to see a changed file), or -1.
 * cb may be NULL: the file is only checked.
 */
int		 document_read(const char *dir, int type,
		    const struct record *r,
		    int (*cb)(void *, const void *, size_t), void *arg);
/*
 * The plaintext of r's file in a private temporary file, to be opened by
 * another program: a directory of its own (0700, crm-open-PID-XXXXXX)
 * under $XDG_RUNTIME_DIR, else $TMPDIR, else /tmp (never inside the
 * database), holding the file under r's filename (0600). Those that a
 * killed crm left are removed on the way. *path gets it for DOCUMENT_OK and
 * DOCUMENT_CHANGED (the caller asks before showing a changed file);
 * for anything else nothing is left behind. Remove it with
 * document_temp_remove, whatever happened.
 */
int		 document_temp(const char *dir, int type,
		    const struct record *r, char **path);
/* Remove a file document_temp made, and its directory; frees path. */
void		 document_temp_remove(char *path);
/*
 * A plaintext copy of r's file at dst (0600, under a temporary name,
 * then renamed; an existing dst is replaced): the document_read codes.
 * For DOCUMENT_CHANGED the copy is made only if changed_ok (a person
 * was asked); otherwise, and for any other failure, dst is untouched.
 */
int		 document_export(const char *dir, int type,
		    const struct record *r, const char *dst, int changed_ok);
/*
 * Seal the plain file of r in place, for converting a database that
 * was given a key after its files were written (crm encrypt): its
 * plaintext is read and sealed into a temporary name beside it, synced,
 * and renamed over it, so the file is at every moment either the plain
 * one or the sealed one, whole. The key must have been given for dir
 * (store_set_key); a directory with none is refused. DOCUMENT_OK (also
 * when it was sealed already: the conversion may be run again after a
 * cut), DOCUMENT_MISSING (nothing done), DOCUMENT_CHANGED (its content
 * is not r's hash: it is sealed all the same, as it is), or -1.
 */
int		 document_seal(const char *dir, int type,
		    const struct record *r);

/*
 * Copy the file at path into dir and add a record of type (MODEL_DOCUMENT
 * or MODEL_TEMPLATE) for it in t, as actor, with the changes ch (a
 * document's parent and description, a template's name...) and the
 * fields crm fills itself: filename (path's base name unless ch sets it),
 * hash and, for a document, size and mime. *out gets the new ID.
 * On success the file is in place: if t is then aborted, or its commit
 * fails, call document_discard so that no file is left without its
 * record. On failure (error set, naming path) nothing is left behind.
 */
int		 document_store(struct store_txn *, const char *dir,
		    const struct user *actor, int type, const char *path,
		    const struct model_change *ch, size_t n,
		    struct record_id *out);
/*
 * Attach the file at path to the record parent (of any type) with a
 * description (may be empty): document_store for a document.
 */
int		 document_attach(struct store_txn *, const char *dir,
		    const struct user *actor, const struct record_id *parent,
		    const char *path, const char *description,
		    struct record_id *out);
/*
 * document_store from len bytes at data rather than a file (a letter
 * just rendered): ch must set the filename.
 */
int		 document_store_text(struct store_txn *, const char *dir,
		    const struct user *actor, int type, const char *data,
		    size_t len, const struct model_change *ch, size_t n,
		    struct record_id *out);
/*
 * Write len bytes at data as the file of (type, id) in dir (sealed if
 * dir has a key) under a temporary name, then rename; hex gets the
 * SHA-256. For a record written by other means (crm demo).
 */
int		 document_put(const char *dir, int type,
		    const struct record_id *, const void *data, size_t len,
		    char *hex);
/* Remove the file of a record whose transaction did not commit. */
void		 document_discard(const char *dir, int type,
		    const struct record_id *);

/*
 * Is the file of a document or template (record r) there and whole?
 * document_read with no reader: DOCUMENT_OK, or DOCUMENT_MISSING,
 * DOCUMENT_DAMAGED or DOCUMENT_CHANGED with a message that says so and
 * what to do, or -1 (error set) if it cannot be read.
 */
int		 document_check(const char *dir, int type,
		    const struct record *r);
/*
 * Replace the file of a document or template with the file at path
 * (under a temporary name, then renamed) and record its new hash (and a
 * document's size) in t, as actor. Used after a template's text was
 * edited. A failed commit leaves the new file with the old hash, which
 * document_check then reports. The file is sealed as document_store's.
 */
int		 document_replace(struct store_txn *, const char *dir,
		    const struct user *actor, int type,
		    const struct record_id *, const char *path);
/*
 * A size in bytes (the size field's text) as a person reads it:
 * "512 bytes", "12.3 KiB", "4.0 MiB". Free it; cannot fail.
 */
char		*document_size_text(const char *bytes);

#endif
