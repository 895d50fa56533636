/*
 * seal: the files of an encrypted database (its attached documents and
 * letter templates) sealed at rest with libsodium's secretstream
 * (XChaCha20-Poly1305), as a stream, so that no plaintext of theirs is
 * ever written to the disk, not even under a temporary name.
 *
 * A sealed file is:
 *
 *	offset	size	what
 *	0	7	magic "crmseal"
 *	7	1	version, 1
 *	8	1	kind: SEAL_DOCUMENT or SEAL_TEMPLATE
 *	9	3	zero
 *	12	4	the plaintext bytes of a piece, big-endian (SEAL_CHUNK)
 *	16	24	secretstream's header
 *	40	...	the pieces: SEAL_CHUNK bytes of plaintext each, sealed
 *			(SEAL_CHUNK + 17 bytes), the last one of 1 to
 *			SEAL_CHUNK bytes (none for an empty file) and tagged
 *			final
 *
 * Each piece's additional data is the first 16 bytes above followed by
 * the record ID the file belongs to. So a file cut short (no final
 * piece), pieces swapped, dropped or repeated (secretstream numbers
 * them), bytes after the final piece, a changed header, a file sealed by
 * another database (another key) and a file of another record put in
 * this one's place are all refused, each with a message that names the
 * file and says what was found.
 *
 * The key is not the database's data key itself but a subkey derived
 * from it (crypto_kdf, context "crmfiles"): the data key is already
 * Berkeley DB's AES password, and a key is best used by one cipher for
 * one purpose. Whatever directory has a data key (store_set_key) has its
 * files sealed: a local today, an encrypted master the same way.
 *
 * Where a database has no key, the same streams pass the bytes through
 * as they are (plain files, as a master keeps them). A file of an
 * encrypted database that does not start with the magic is a plain one
 * from before its files were sealed: it is read as it is (its record's
 * SHA-256 still guards its content) until it is sealed (document_seal).
 *
 * Writes go through file_write_all: all or ENOSPC, a test build's full
 * disk included. Functions return 0 on success and -1 with the error set
 * unless they say otherwise.
 */
#ifndef CRM_SEAL_H
#define CRM_SEAL_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define SEAL_KEY_SIZE	32
#define SEAL_ID_SIZE	16		/* a record ID, bound to the file */
#define SEAL_CHUNK	65536		/* plaintext bytes of a piece */
#define SEAL_PREFIX	16		/* magic, version, kind, piece size */
#define SEAL_HEADER	(SEAL_PREFIX + 24)	/* and secretstream's header */
#define SEAL_ABYTES	17		/* what sealing adds to a piece */

#define SEAL_DOCUMENT	1
#define SEAL_TEMPLATE	2

/* seal_in_read: the file is damaged (not an error of reading it). */
#define SEAL_DAMAGED	(-2)

/* What a file is sealed for: the key, its kind and its record. */
struct seal_for {
	uint8_t	key[SEAL_KEY_SIZE];
	uint8_t	kind;
	uint8_t	id[SEAL_ID_SIZE];
};

/*
 * The file key of dir: 1 and key when dir has a data key (the
 * text store_set_key gave it), 0 when it has none (its files are plain).
 * A directory with a key file whose key was not given is an error
 * (nothing of it may be written in the clear, nor read): -1.
 */
int		 seal_key_of(const char *dir, uint8_t key[SEAL_KEY_SIZE]);
/* The file key derived from a data key (vault.h). Cannot fail. */
void		 seal_key_derive(const uint8_t *data_key, size_t len,
		    uint8_t key[SEAL_KEY_SIZE]);

/*
 * A file being written: sealed for sf, or plain if sf is NULL. fd is
 * open for writing and stays the caller's (closed, synced and renamed
 * by it); path names it in messages. seal_out_new writes the header;
 * seal_out_end the last piece, after which only seal_out_free is left.
 * On error errno says why (ENOSPC for a full disk) and the message names
 * path.
 */
struct seal_out	*seal_out_new(int fd, const char *path,
		    const struct seal_for *sf);
int		 seal_out_write(struct seal_out *, const void *, size_t);
int		 seal_out_end(struct seal_out *);
void		 seal_out_free(struct seal_out *);

/*
 * A file being read, sealed for sf (a plain one, from before, is read
 * as it is), or plain if sf is NULL. fd stays the caller's; seal_in_new
 * fails only if libsodium cannot start, and the header is checked by the
 * first seal_in_read. seal_in_read
 * gives up to len bytes of plaintext: their count, 0 at the end (once
 * the final piece was checked), -1 (error set) if the file cannot be
 * read, or SEAL_DAMAGED (error set: what is wrong with it) if it is not
 * whole: cut short, changed, or sealed for another database or record.
 * Plaintext given before the damage was found must then be thrown away.
 */
struct seal_in	*seal_in_new(int fd, const char *path,
		    const struct seal_for *sf);
ssize_t		 seal_in_read(struct seal_in *, void *, size_t);
/* After SEAL_DAMAGED: what is wrong, in words ("it was cut short"). */
const char	*seal_in_why(const struct seal_in *);
/* Whether the file read is sealed (known after the first read). */
int		 seal_in_sealed(const struct seal_in *);
void		 seal_in_free(struct seal_in *);

/* Whether the first bytes of a file (at least SEAL_PREFIX) are a seal's. */
int		 seal_is_sealed(const void *, size_t);

#endif
