/* file: copying attached files whole and safely, with their SHA-256. */
#ifndef CRM_FILE_H
#define CRM_FILE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define FILE_HASH_TEXT	64	/* hex characters of a SHA-256 */

/*
 * Copy src to dst, which must not exist (0600), hashing on the way; the
 * copy is synced to disk before this returns. On failure (error set) no
 * dst is left behind. hex gets FILE_HASH_TEXT + 1 bytes; size may be NULL.
 */
int	file_copy(const char *src, const char *dst, char *hex, off_t *size);
/*
 * Copy src to dst under a temporary name, then rename: dst appears only
 * complete (S13). Replaces an existing dst.
 */
int	file_install(const char *src, const char *dst, char *hex);
/*
 * Write all of len bytes to fd, or fail (-1, no message) with the reason
 * in errno: a write cut short by a full disk, which returns what fitted
 * and sets no errno, is ENOSPC, and so is a test build's full disk
 * (store_io_full).
 */
int	file_write_all(int fd, const void *, size_t len);
/* The SHA-256 of a file; -1 (error set) if it cannot be read. */
int	file_hash(const char *path, char *hex, off_t *size);
/* A SHA-256 (32 bytes) as its hex text (FILE_HASH_TEXT + 1 bytes). */
void	file_digest_hex(const uint8_t *digest, char *hex);
/* The same of an open file, read from where it is; path for messages. */
int	file_hash_fd(int fd, const char *path, char *hex, off_t *size);

/*
 * Make dir and any missing directory above it, 0700 (as the XDG spec
 * asks of $XDG_CONFIG_HOME and $XDG_DATA_HOME); directories already there
 * are left as they are. path, what they are made for, is named in the
 * messages.
 */
int	file_mkdirs(const char *dir, const char *path);
/*
 * Write len bytes to path (0600) under a temporary name, then rename:
 * path appears only complete and replaces what was there.
 */
int	file_write(const char *path, const char *data, size_t len);
/*
 * Remove the temporary files (NAME.tmp-PID, .attach-PID) that copies cut
 * off by a kill left in dir's documents/ and templates/: those of
 * processes that are gone, or every one if all (the caller has the
 * directory to itself, a master it holds). Returns how many went.
 */
int	file_sweep(const char *dir, int all);

#endif
