/*
 * document: the files crm keeps for records. A document is a file
 * attached to any record (DIR/documents/ID); a letter template's text is
 * kept the same way (DIR/templates/ID). Both are copied in whole under a
 * temporary name and take their final name only when complete (RULES.md
 * S13), and their record holds the file's SHA-256, so a damaged or
 * replaced file is noticed. The command line (crm attach, crm template
 * add, crm letter) and the screens all go through these functions.
 */
#ifndef CRM_DOCUMENT_H
#define CRM_DOCUMENT_H

#include <stddef.h>

#include "model.h"
#include "record.h"
#include "store.h"

struct user;

/* A MIME type from a file name's extension; application/octet-stream. */
const char	*document_mime(const char *filename);
/* Where the file of a document or template lives: DIR/documents/ID. */
char		*document_path(const char *dir, int type,
		    const struct record_id *);
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
/* Remove the file of a record whose transaction did not commit. */
void		 document_discard(const char *dir, int type,
		    const struct record_id *);

#define DOCUMENT_OK		0
#define DOCUMENT_MISSING	1	/* the stored file is not there */
#define DOCUMENT_CHANGED	2	/* its SHA-256 is not the recorded one */
/*
 * Is the file of a document or template (record r) there and whole?
 * DOCUMENT_OK, or DOCUMENT_MISSING or DOCUMENT_CHANGED with a message
 * that says so and what to do, or -1 (error set) if it cannot be read.
 */
int		 document_check(const char *dir, int type,
		    const struct record *r);
/*
 * Replace the file of a document or template with the file at path
 * (under a temporary name, then renamed) and record its new hash (and a
 * document's size) in t, as actor. Used after a template's text was
 * edited. A failed commit leaves the new file with the old hash, which
 * document_check then reports.
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
