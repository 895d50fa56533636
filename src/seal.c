/* seal: documents and templates sealed at rest (include/seal.h). */
#include "config.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "file.h"
#include "seal.h"
#include "store.h"
#include "vault.h"
#include "xmalloc.h"

#define SEAL_MAGIC	"crmseal"
#define SEAL_VERSION	1
#define SEAL_PIECE	(SEAL_CHUNK + SEAL_ABYTES)
#define SEAL_AD		(SEAL_PREFIX + SEAL_ID_SIZE)
/* crypto_kdf's context: 8 bytes, this use of the data key alone. */
#define SEAL_KDF_CONTEXT "crmfiles"
#define SEAL_KDF_ID	1

#if SEAL_ABYTES != crypto_secretstream_xchacha20poly1305_ABYTES || \
    SEAL_HEADER - SEAL_PREFIX != crypto_secretstream_xchacha20poly1305_HEADERBYTES
#error "seal.h's sizes are not libsodium's"
#endif

struct seal_out {
	int		 fd;
	char		*path;
	int		 sealed;
	crypto_secretstream_xchacha20poly1305_state st;
	uint8_t		 ad[SEAL_AD];
	uint8_t		*plain;		/* a piece being filled */
	size_t		 nplain;
	uint8_t		*piece;		/* a piece sealed */
	int		 ended;
};

struct seal_in {
	int		 fd;
	char		*path;
	int		 sealed;
	crypto_secretstream_xchacha20poly1305_state st;
	uint8_t		 ad[SEAL_AD];
	uint8_t		*plain;		/* a piece opened, given from pos */
	size_t		 nplain, pos;
	uint8_t		*piece;
	struct seal_for	*sf;		/* kept out of swap: sodium_malloc */
	int		 started;	/* the header was read */
	int		 opened;	/* a piece was opened */
	int		 final;		/* the final piece was opened */
	int		 failed;
	const char	*why;		/* what is wrong, once damaged */
};

void
seal_key_derive(const uint8_t *data_key, size_t len,
    uint8_t key[SEAL_KEY_SIZE])
{
	uint8_t	master[crypto_kdf_KEYBYTES];
	int	started;

	/* Started already, or starts here; derivation needs no randomness. */
	started = sodium_init();
	(void)started;
	/* crypto_kdf takes a key of its own size: a longer one is hashed. */
	if (len == sizeof master)
		memcpy(master, data_key, sizeof master);
	else
		crypto_generichash(master, sizeof master, data_key, len,
		    NULL, 0);
	crypto_kdf_derive_from_key(key, SEAL_KEY_SIZE, SEAL_KDF_ID,
	    SEAL_KDF_CONTEXT, master);
	sodium_memzero(master, sizeof master);
}

int
seal_key_of(const char *dir, uint8_t key[SEAL_KEY_SIZE])
{
	const char	*text = store_key_of(dir);
	uint8_t		 data[VAULT_KEY_SIZE];
	size_t		 len;

	if (text == NULL) {
		if (vault_encrypted(dir)) {
			error_set("%s is encrypted and its key is not open "
			    "here: its attached files can be neither read nor "
			    "written; log in to it first", dir);
			return -1;
		}
		return 0;
	}
	if (sodium_init() < 0) {
		error_set("libsodium could not start (no source of random "
		    "numbers?): the files of %s were not touched", dir);
		return -1;
	}
	if (sodium_hex2bin(data, sizeof data, text, strlen(text), NULL, &len,
	    NULL) != 0 || len != sizeof data) {
		/* A key in another form: the file key is made from it all. */
		seal_key_derive((const uint8_t *)text, strlen(text), key);
		return 1;
	}
	seal_key_derive(data, sizeof data, key);
	sodium_memzero(data, sizeof data);
	return 1;
}

int
seal_is_sealed(const void *p, size_t len)
{
	const uint8_t	*b = p;

	return len >= SEAL_PREFIX && memcmp(b, SEAL_MAGIC,
	    sizeof SEAL_MAGIC - 1) == 0;
}

/* The first 16 bytes of a file sealed for sf. */
static void
seal_prefix(uint8_t *b, const struct seal_for *sf)
{
	memset(b, 0, SEAL_PREFIX);
	memcpy(b, SEAL_MAGIC, sizeof SEAL_MAGIC - 1);
	b[7] = SEAL_VERSION;
	b[8] = sf->kind;
	b[12] = (SEAL_CHUNK >> 24) & 0xff;
	b[13] = (SEAL_CHUNK >> 16) & 0xff;
	b[14] = (SEAL_CHUNK >> 8) & 0xff;
	b[15] = SEAL_CHUNK & 0xff;
}

static void
seal_write_error(const char *path)
{
	error_set("cannot write %s: %s", path, errno == ENOSPC ?
	    "the disk is full; free some space and try again" :
	    strerror(errno));
}

struct seal_out *
seal_out_new(int fd, const char *path, const struct seal_for *sf)
{
	struct seal_out	*so;
	uint8_t		 head[SEAL_HEADER];

	so = xcalloc(1, sizeof *so);
	so->fd = fd;
	so->path = xstrdup(path);
	if (sf == NULL)
		return so;
	if (sodium_init() < 0) {
		error_set("libsodium could not start (no source of random "
		    "numbers?): %s was not written", path);
		seal_out_free(so);
		return NULL;
	}
	so->sealed = 1;
	seal_prefix(head, sf);
	memcpy(so->ad, head, SEAL_PREFIX);
	memcpy(so->ad + SEAL_PREFIX, sf->id, SEAL_ID_SIZE);
	crypto_secretstream_xchacha20poly1305_init_push(&so->st,
	    head + SEAL_PREFIX, sf->key);
	so->plain = sodium_malloc(SEAL_CHUNK);
	so->piece = xmalloc(SEAL_PIECE);
	if (so->plain == NULL) {
		error_set("out of memory for the key of %s", path);
		seal_out_free(so);
		return NULL;
	}
	if (file_write_all(fd, head, sizeof head) != 0) {
		seal_write_error(path);
		seal_out_free(so);
		return NULL;
	}
	return so;
}

/* Seal the piece filled so far and write it. */
static int
seal_out_push(struct seal_out *so, uint8_t tag)
{
	unsigned long long	clen;

	crypto_secretstream_xchacha20poly1305_push(&so->st, so->piece, &clen,
	    so->plain, so->nplain, so->ad, sizeof so->ad, tag);
	sodium_memzero(so->plain, so->nplain);
	so->nplain = 0;
	if (file_write_all(so->fd, so->piece, (size_t)clen) != 0) {
		seal_write_error(so->path);
		return -1;
	}
	return 0;
}

int
seal_out_write(struct seal_out *so, const void *p, size_t len)
{
	const uint8_t	*b = p;
	size_t		 n;

	if (so->ended)
		fatal("seal_out_write after seal_out_end");
	if (!so->sealed) {
		if (file_write_all(so->fd, p, len) != 0) {
			seal_write_error(so->path);
			return -1;
		}
		return 0;
	}
	while (len > 0) {
		/* A full piece goes only once more comes: the last is final. */
		if (so->nplain == SEAL_CHUNK &&
		    seal_out_push(so, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) != 0)
			return -1;
		n = SEAL_CHUNK - so->nplain;
		if (n > len)
			n = len;
		memcpy(so->plain + so->nplain, b, n);
		so->nplain += n;
		b += n;
		len -= n;
	}
	return 0;
}

int
seal_out_end(struct seal_out *so)
{
	if (so->ended)
		return 0;
	so->ended = 1;
	if (!so->sealed)
		return 0;
	return seal_out_push(so, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
}

void
seal_out_free(struct seal_out *so)
{
	if (so == NULL)
		return;
	if (so->plain != NULL)
		sodium_free(so->plain);
	free(so->piece);
	sodium_memzero(&so->st, sizeof so->st);
	free(so->path);
	free(so);
}

/* Read up to len bytes, as many as there are: their count, or -1. */
static ssize_t
seal_read_full(int fd, uint8_t *b, size_t len)
{
	size_t	done = 0;
	ssize_t	n;

	while (done < len) {
		n = read(fd, b + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static ssize_t
seal_damaged(struct seal_in *si, const char *why)
{
	error_set("%s is damaged: %s", si->path, why);
	si->why = why;
	si->failed = SEAL_DAMAGED;
	return SEAL_DAMAGED;
}

static ssize_t
seal_read_error(struct seal_in *si)
{
	error_set("cannot read %s: %s", si->path, strerror(errno));
	si->failed = -1;
	return -1;
}

struct seal_in *
seal_in_new(int fd, const char *path, const struct seal_for *sf)
{
	struct seal_in	*si;

	si = xcalloc(1, sizeof *si);
	si->fd = fd;
	si->path = xstrdup(path);
	if (sf == NULL) {
		si->started = 1;
		return si;
	}
	if (sodium_init() < 0) {
		error_set("libsodium could not start (no source of random "
		    "numbers?): %s was not read", path);
		seal_in_free(si);
		return NULL;
	}
	si->plain = sodium_malloc(SEAL_CHUNK);
	si->piece = xmalloc(SEAL_PIECE);
	si->sf = sodium_malloc(sizeof *si->sf);
	if (si->plain == NULL || si->sf == NULL) {
		error_set("out of memory for the key of %s", path);
		seal_in_free(si);
		return NULL;
	}
	memcpy(si->sf, sf, sizeof *si->sf);
	return si;
}

/*
 * Read the header, on the first read: a sealed file's is checked, a
 * plain file's first bytes are kept to be given first.
 */
static ssize_t
seal_in_start(struct seal_in *si)
{
	const struct seal_for	*sf = si->sf;
	uint8_t			 head[SEAL_HEADER], want[SEAL_PREFIX];
	size_t			 magic = sizeof SEAL_MAGIC - 1;
	ssize_t			 n;

	si->started = 1;
	if ((n = seal_read_full(si->fd, head, sizeof head)) < 0)
		return seal_read_error(si);
	if (!seal_is_sealed(head, (size_t)n)) {
		/* A magic cut short is a sealed file cut short. */
		if (n > 0 && (size_t)n < SEAL_PREFIX && memcmp(head,
		    SEAL_MAGIC, (size_t)n < magic ? (size_t)n : magic) == 0)
			return seal_damaged(si, "it was cut short");
		/* A plain file from before: what was read is its start. */
		memcpy(si->plain, head, (size_t)n);
		si->nplain = (size_t)n;
		si->final = 1;
		return 0;
	}
	si->sealed = 1;
	if (head[7] != SEAL_VERSION) {
		error_set("cannot read %s: it was sealed by a newer crm "
		    "(format version %u); open it with that version",
		    si->path, head[7]);
		si->failed = -1;
		return -1;
	}
	seal_prefix(want, sf);
	if (memcmp(head, want, SEAL_PREFIX) != 0)
		return seal_damaged(si, head[8] != sf->kind ? "it is not "
		    "sealed as a file of its kind (a document's for a "
		    "template, or the other way)" : "its header was changed");
	if (n < (ssize_t)sizeof head)
		return seal_damaged(si, "it was cut short");
	memcpy(si->ad, head, SEAL_PREFIX);
	memcpy(si->ad + SEAL_PREFIX, sf->id, SEAL_ID_SIZE);
	if (crypto_secretstream_xchacha20poly1305_init_pull(&si->st,
	    head + SEAL_PREFIX, sf->key) != 0)
		return seal_damaged(si, "its header was changed");
	return 0;
}

/* Open the next piece. 0, or what seal_in_read returns on error. */
static ssize_t
seal_in_next(struct seal_in *si)
{
	unsigned long long	mlen;
	uint8_t			tag, extra;
	ssize_t			n;

	if ((n = seal_read_full(si->fd, si->piece, SEAL_PIECE)) < 0)
		return seal_read_error(si);
	if (n == 0)
		return seal_damaged(si, "it was cut short (its last piece "
		    "is missing)");
	if (n < SEAL_ABYTES)
		return seal_damaged(si, "it was cut short");
	if (crypto_secretstream_xchacha20poly1305_pull(&si->st, si->plain,
	    &mlen, &tag, si->piece, (unsigned long long)n, si->ad,
	    sizeof si->ad) != 0)
		return seal_damaged(si, !si->opened ? (n < SEAL_PIECE ?
		    "it was cut short or changed, or it is not this record's "
		    "file of this database (sealed under another key, or for "
		    "another record)" : "it was changed, or it is not this "
		    "record's file of this database (sealed under another key, "
		    "or for another record)") : n < SEAL_PIECE ? "it was cut "
		    "short, added to or changed" : "it was changed (a piece "
		    "of it was altered, moved or dropped)");
	si->opened = 1;
	si->nplain = (size_t)mlen;
	si->pos = 0;
	if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
		si->final = 1;
		if ((n = seal_read_full(si->fd, &extra, 1)) < 0)
			return seal_read_error(si);
		if (n != 0)
			return seal_damaged(si, "bytes were added after its "
			    "end");
		return 0;
	}
	/* Every piece but the last is whole (seal_out_write). */
	if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE ||
	    mlen != SEAL_CHUNK)
		return seal_damaged(si, "it was cut short or changed");
	return 0;
}

ssize_t
seal_in_read(struct seal_in *si, void *p, size_t len)
{
	ssize_t	n, ret;

	if (si->failed != 0)
		return si->failed;
	if (!si->started && (ret = seal_in_start(si)) != 0)
		return ret;
	if (!si->sealed && si->pos == si->nplain) {
		/* Plain: its first bytes were given, the rest as it is. */
		do
			n = read(si->fd, p, len);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return seal_read_error(si);
		return n;
	}
	while (si->pos == si->nplain) {
		if (si->final)
			return 0;
		if ((ret = seal_in_next(si)) != 0)
			return ret;
	}
	n = (ssize_t)(si->nplain - si->pos);
	if ((size_t)n > len)
		n = (ssize_t)len;
	memcpy(p, si->plain + si->pos, (size_t)n);
	si->pos += (size_t)n;
	return n;
}

const char *
seal_in_why(const struct seal_in *si)
{
	return si->why != NULL ? si->why : "";
}

int
seal_in_sealed(const struct seal_in *si)
{
	return si->sealed;
}

void
seal_in_free(struct seal_in *si)
{
	if (si == NULL)
		return;
	if (si->plain != NULL)
		sodium_free(si->plain);
	if (si->sf != NULL)
		sodium_free(si->sf);
	free(si->piece);
	sodium_memzero(&si->st, sizeof si->st);
	free(si->path);
	free(si);
}
