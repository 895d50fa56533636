/*
 * spill: entries set aside in an unnamed, encrypted temporary file, by
 * bucket (include/spill.h).
 *
 * Each bucket gathers its entries in a buffer of a chunk's bytes; a
 * full buffer is encrypted in place and written at the end of the file,
 * at an offset that is a whole number of AES blocks, and the bucket
 * keeps where. The counter of a chunk's first block is its offset in
 * blocks, and every block of the file is written once, so no counter
 * is used twice under the key. Reading a bucket back reads its chunks
 * into one allocation, decrypts them there, and adds what its buffer
 * still holds.
 */
#define _GNU_SOURCE

#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/aes.h>
#include <nettle/ctr.h>

#include "error.h"
#include "spill.h"
#include "store.h"
#include "xmalloc.h"

#define SPILL_HEAD	8		/* an entry's tag and length */
#define SPILL_ROUND(n)	(((n) + AES_BLOCK_SIZE - 1) & \
			    ~(size_t)(AES_BLOCK_SIZE - 1))

struct spill_chunk {
	off_t	 off;		/* in the file, a multiple of 16 */
	size_t	 len;		/* bytes of entries, before the padding */
};

struct spill_bucket {
	char			*buf;
	size_t			 len, cap;	/* cap: a multiple of 16 */
	struct spill_chunk	*chunks;
	size_t			 nchunks, capchunks;
	size_t			 written;	/* bytes of its chunks */
};

struct spill {
	int			 fd;
	char			 dir[512];
	off_t			 end;
	size_t			 chunk;
	struct aes128_ctx	 aes;
	struct spill_bucket	*buckets;
	size_t			 nbuckets;
};

static uint64_t	spill_bytes, spill_files;

/* The directory temporary files go in: $TMPDIR, else /tmp. */
static const char *
spill_dir(void)
{
	const char	*dir = getenv("TMPDIR");

	return dir != NULL && *dir != '\0' ? dir : "/tmp";
}

/* An unnamed file in DIR: O_TMPFILE, else one removed once made. */
static int
spill_open(const char *dir)
{
	char	path[600];
	int	fd, n;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd != -1 || (errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL))
		return fd;
	n = snprintf(path, sizeof path, "%s/crm-spill.XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -1;
	unlink(path);
	return fd;
}

struct spill *
spill_new(size_t nbuckets, size_t chunk)
{
	struct spill	*sp;
	uint8_t		 key[AES128_KEY_SIZE];
	ssize_t		 got;
	int		 fd;

	if ((fd = spill_open(spill_dir())) == -1) {
		error_set("cannot make a temporary file in %s (%s): set "
		    "TMPDIR to a directory with room", spill_dir(),
		    strerror(errno));
		return NULL;
	}
	do
		got = getrandom(key, sizeof key, 0);
	while (got == -1 && errno == EINTR);
	if (got != (ssize_t)sizeof key)
		fatal("spill: the kernel gave no random key");
	sp = xcalloc(1, sizeof *sp);
	sp->fd = fd;
	sp->chunk = chunk > 0 ? chunk : 1;
	snprintf(sp->dir, sizeof sp->dir, "%s", spill_dir());
	aes128_set_encrypt_key(&sp->aes, key);
	explicit_bzero(key, sizeof key);
	sp->buckets = xcalloc(nbuckets, sizeof *sp->buckets);
	sp->nbuckets = nbuckets;
	spill_files++;
	return sp;
}

/* A chunk's counter: its first block's number in the file. */
static void
spill_crypt(struct spill *sp, off_t off, char *buf, size_t len)
{
	uint8_t		ctr[AES_BLOCK_SIZE];
	uint64_t	block = (uint64_t)off / AES_BLOCK_SIZE;
	int		i;

	memset(ctr, 0, sizeof ctr);
	for (i = 0; i < 8; i++)
		ctr[AES_BLOCK_SIZE - 1 - i] = (uint8_t)(block >> (8 * i));
	ctr_crypt(&sp->aes, (nettle_cipher_func *)aes128_encrypt,
	    AES_BLOCK_SIZE, ctr, len, (uint8_t *)buf, (const uint8_t *)buf);
}

/* Write the bucket's buffer at the end of the file, encrypted. */
static int
spill_flush(struct spill *sp, struct spill_bucket *b)
{
	struct spill_chunk	*c;
	size_t			 padded = SPILL_ROUND(b->len), done = 0;
	ssize_t			 n;

	if (b->len == 0)
		return 0;
	memset(b->buf + b->len, 0, padded - b->len);
	spill_crypt(sp, sp->end, b->buf, padded);
	while (done < padded) {
		if (store_io_full())
			n = -1;
		else
			n = pwrite(sp->fd, b->buf + done, padded - done,
			    sp->end + (off_t)done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			error_set("cannot write a temporary file in %s (%s): "
			    "set TMPDIR to a directory with room", sp->dir,
			    strerror(errno));
			return -1;
		}
		done += (size_t)n;
	}
	if (b->nchunks == b->capchunks) {
		b->capchunks = b->capchunks ? 2 * b->capchunks : 16;
		b->chunks = xreallocarray(b->chunks, b->capchunks,
		    sizeof *b->chunks);
	}
	c = &b->chunks[b->nchunks++];
	c->off = sp->end;
	c->len = b->len;
	sp->end += (off_t)padded;
	b->written += b->len;
	spill_bytes += b->len;
	b->len = 0;
	return 0;
}

int
spill_put(struct spill *sp, size_t bucket, uint32_t tag, const void *data,
    uint32_t len)
{
	struct spill_bucket	*b = &sp->buckets[bucket];
	size_t			 need = SPILL_HEAD + (size_t)len;

	if (b->len + need > b->cap) {
		if (spill_flush(sp, b) != 0)
			return -1;
		if (need > b->cap) {
			b->cap = SPILL_ROUND(need > sp->chunk ? need :
			    sp->chunk);
			free(b->buf);
			b->buf = xmalloc(b->cap);
		}
	}
	memcpy(b->buf + b->len, &tag, sizeof tag);
	memcpy(b->buf + b->len + sizeof tag, &len, sizeof len);
	if (len > 0)
		memcpy(b->buf + b->len + SPILL_HEAD, data, len);
	b->len += need;
	return 0;
}

int
spill_read(struct spill *sp, size_t bucket, char **bufp, size_t *sizep)
{
	struct spill_bucket	*b = &sp->buckets[bucket];
	size_t			 i, at = 0, padded, done;
	char			*out;
	ssize_t			 n;

	/* Room for the last chunk's padding, overwritten after it. */
	out = xmalloc(b->written + b->len + AES_BLOCK_SIZE);
	for (i = 0; i < b->nchunks; i++) {
		padded = SPILL_ROUND(b->chunks[i].len);
		for (done = 0; done < padded; done += (size_t)n) {
			n = pread(sp->fd, out + at + done, padded - done,
			    b->chunks[i].off + (off_t)done);
			if (n == -1 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n <= 0) {
				error_set("cannot read back a temporary file "
				    "in %s (%s): run the command again",
				    sp->dir, n == 0 ? "it was cut short" :
				    strerror(errno));
				free(out);
				return -1;
			}
		}
		spill_crypt(sp, b->chunks[i].off, out + at, padded);
		at += b->chunks[i].len;
	}
	/* An empty bucket, or one read already, has no buffer. */
	if (b->len > 0)
		memcpy(out + at, b->buf, b->len);
	at += b->len;
	/* A bucket is read once: what it held goes. */
	free(b->buf);
	free(b->chunks);
	memset(b, 0, sizeof *b);
	*bufp = out;
	*sizep = at;
	return 0;
}

int
spill_next(const char *buf, size_t size, size_t *at, uint32_t *tag,
    const char **data, uint32_t *len)
{
	if (*at == size)
		return 0;
	if (size - *at < SPILL_HEAD)
		goto bad;
	memcpy(tag, buf + *at, sizeof *tag);
	memcpy(len, buf + *at + sizeof *tag, sizeof *len);
	if (size - *at - SPILL_HEAD < *len)
		goto bad;
	*data = buf + *at + SPILL_HEAD;
	*at += SPILL_HEAD + *len;
	return 1;

bad:
	/* Not what was written: the file was changed under the command. */
	error_set("a temporary file of this command was changed while it "
	    "ran: run the command again");
	return -1;
}

void
spill_free(struct spill *sp)
{
	size_t	i;

	if (sp == NULL)
		return;
	close(sp->fd);
	for (i = 0; i < sp->nbuckets; i++) {
		free(sp->buckets[i].buf);
		free(sp->buckets[i].chunks);
	}
	free(sp->buckets);
	explicit_bzero(&sp->aes, sizeof sp->aes);
	free(sp);
}

int
spill_fd(const struct spill *sp)
{
	return sp->fd;
}

void
spill_stats(uint64_t *bytes, uint64_t *files)
{
	*bytes = spill_bytes;
	*files = spill_files;
}
