/*
 * spill: what a command has no memory for, set aside in a temporary file
 * by bucket, and read back a bucket at a time.
 *
 * The file has no name (O_TMPFILE, else removed as soon as it is made)
 * in $TMPDIR or /tmp, so nothing is left of it once the process ends,
 * however it ends; and what is written into it is encrypted (AES-128 in
 * CTR mode, nettle) under a random key that lives only in this process,
 * so the rows of an encrypted database never reach a disk in the clear.
 *
 * A list of every contact uses it (cli_list_window): its rows are made
 * in the records' order, which reads each page of the file once, and
 * written out in the index's order, a bucket of rows at a time.
 */
#ifndef CRM_SPILL_H
#define CRM_SPILL_H

#include <stddef.h>
#include <stdint.h>

struct spill;

/*
 * A temporary file for NBUCKETS buckets, each gathering CHUNK bytes in
 * memory before they are written; NULL (error_set) when none can be made
 * (no temporary directory, no room).
 */
struct spill	*spill_new(size_t nbuckets, size_t chunk);
/*
 * Add an entry to BUCKET: a TAG (a row's place, say) and LEN bytes.
 * Entries are buffered and written a chunk at a time. -1 (error_set)
 * when the file cannot be written (a full disk); the spill is then of no
 * more use.
 */
int		 spill_put(struct spill *, size_t bucket, uint32_t tag,
		    const void *data, uint32_t len);
/*
 * BUCKET's entries, in the order they were put, decrypted into one
 * allocation (*buf, *size; the caller frees *buf): each a 32-bit tag and
 * a 32-bit length in this machine's order, then the bytes. -1
 * (error_set) when the file cannot be read back.
 */
int		 spill_read(struct spill *, size_t bucket, char **buf,
		    size_t *size);
/*
 * The next entry of a bucket read back: 1 with one, 0 at the end, -1
 * (error_set) when what was read back is not what was written.
 */
int		 spill_next(const char *buf, size_t size, size_t *at,
		    uint32_t *tag, const char **data, uint32_t *len);
/* Close the file (which goes with it) and forget the key. */
void		 spill_free(struct spill *);
/* The file's descriptor, for a test to look at what is on disk. */
int		 spill_fd(const struct spill *);
/* For CRM_STATS: bytes this process set aside, and in how many files. */
void		 spill_stats(uint64_t *bytes, uint64_t *files);

#endif
