/*
 * test-seal: documents and templates sealed at rest. The format gives
 * back what was sealed, whatever its length against the piece size; a
 * file cut short anywhere, a piece changed, swapped or dropped, bytes
 * added, a file sealed under another key or for another record or kind
 * are all refused; a database without a key keeps plain files; the
 * document functions seal what they store, name a damaged file, open a
 * document only into a private temporary file and seal an old plain
 * file in place.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "document.h"
#include "error.h"
#include "file.h"
#include "model.h"
#include "record.h"
#include "seal.h"
#include "store.h"
#include "unit.h"
#include "xmalloc.h"

/* A data key as Berkeley DB's password (vault_key_text). */
#define KEY_A	"00112233445566778899aabbccddeeff" \
		"00112233445566778899aabbccddeeff"
#define KEY_B	"ffeeddccbbaa99887766554433221100" \
		"ffeeddccbbaa99887766554433221100"

/* Plaintext that says where it is: a piece swapped shows. */
static uint8_t *
plaintext(size_t len)
{
	uint8_t	*p = xmalloc(len + 1);
	size_t	 i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)("Zanzibarquill"[i % 13] + (i / SEAL_CHUNK));
	return p;
}

static void
seal_for_make(struct seal_for *sf, const char *dir, uint8_t kind,
    uint8_t idbyte)
{
	store_set_key(dir, KEY_A);
	CU_ASSERT_FATAL(seal_key_of(dir, sf->key) == 1);
	sf->kind = kind;
	memset(sf->id, idbyte, sizeof sf->id);
}

/* Seal len bytes into path; the file's size. */
static off_t
seal_file(const char *path, const struct seal_for *sf, const uint8_t *p,
    size_t len)
{
	struct seal_out	*so;
	struct stat	 sb;
	size_t		 i, n;
	int		 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd != -1);
	so = seal_out_new(fd, path, sf);
	CU_ASSERT_FATAL(so != NULL);
	/* In uneven writes, as a sync's frames come. */
	for (i = 0; i < len; i += n) {
		n = len - i < 7000 ? len - i : 7000;
		CU_ASSERT_FATAL(seal_out_write(so, p + i, n) == 0);
	}
	CU_ASSERT_FATAL(seal_out_end(so) == 0);
	seal_out_free(so);
	CU_ASSERT_FATAL(fstat(fd, &sb) == 0);
	close(fd);
	return sb.st_size;
}

/*
 * Unseal path: what seal_in_read ended with (0, -1, SEAL_DAMAGED), the
 * plaintext in *out (free it) and its length in *len.
 */
static ssize_t
unseal_file(const char *path, const struct seal_for *sf, uint8_t **out,
    size_t *len)
{
	struct seal_in	*si;
	uint8_t		*buf = NULL;
	size_t		 cap = 0, got = 0;
	ssize_t		 n;
	int		 fd;

	fd = open(path, O_RDONLY);
	CU_ASSERT_FATAL(fd != -1);
	si = seal_in_new(fd, path, sf);
	CU_ASSERT_FATAL(si != NULL);
	for (;;) {
		if (cap - got < 5000) {
			cap = cap * 2 + 5000;
			buf = xreallocarray(buf, cap, 1);
		}
		if ((n = seal_in_read(si, buf + got, 5000)) <= 0)
			break;
		got += (size_t)n;
	}
	seal_in_free(si);
	close(fd);
	*out = buf;
	*len = got;
	return n;
}

static int
file_holds(const char *path, const char *needle)
{
	char	*text;
	size_t	 len, n = strlen(needle);
	FILE	*f;
	int	 found = 0;

	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	text = xmalloc(len + 1);
	len = fread(text, 1, len, f);
	fclose(f);
	if (len >= n) {
		size_t	i;

		for (i = 0; i + n <= len && !found; i++)
			found = memcmp(text + i, needle, n) == 0;
	}
	free(text);
	return found;
}

static void
test_seal_round_trip(void)
{
	static const size_t lens[] = {
		0, 1, 100, SEAL_CHUNK - 1, SEAL_CHUNK, SEAL_CHUNK + 1,
		3 * SEAL_CHUNK + 5, 4 * SEAL_CHUNK
	};
	struct seal_for	 sf;
	const char	*dir = unit_dir();
	uint8_t		*p, *back;
	size_t		 i, len, pieces;
	off_t		 size;
	char		 path[4096];

	seal_for_make(&sf, dir, SEAL_DOCUMENT, 7);
	snprintf(path, sizeof path, "%s/f", dir);
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		p = plaintext(lens[i]);
		size = seal_file(path, &sf, p, lens[i]);
		/* Full pieces, the last one final (empty for no bytes). */
		pieces = lens[i] == 0 ? 1 : (lens[i] + SEAL_CHUNK - 1) /
		    SEAL_CHUNK;
		CU_ASSERT_EQUAL(size, (off_t)(SEAL_HEADER + lens[i] +
		    pieces * SEAL_ABYTES));
		if (lens[i] >= 13)
			CU_ASSERT(!file_holds(path, "Zanzibarquill"));
		CU_ASSERT_EQUAL(unseal_file(path, &sf, &back, &len), 0);
		CU_ASSERT_EQUAL(len, lens[i]);
		CU_ASSERT(memcmp(back, p, lens[i]) == 0);
		free(back);
		free(p);
	}
	store_set_key(dir, NULL);
}

/* Cut the sealed file at len bytes: refused, whatever len. */
static void
test_seal_truncated(void)
{
	struct seal_for	 sf;
	const char	*dir = unit_dir();
	uint8_t		*p, *back;
	size_t		 len, i, whole = 2 * SEAL_CHUNK + 10;
	off_t		 size, cuts[10];
	char		 path[4096];

	seal_for_make(&sf, dir, SEAL_DOCUMENT, 7);
	snprintf(path, sizeof path, "%s/f", dir);
	p = plaintext(whole);
	size = seal_file(path, &sf, p, whole);
	cuts[0] = 3;				/* inside the magic */
	cuts[1] = SEAL_PREFIX;			/* the stream header gone */
	cuts[2] = SEAL_HEADER - 1;
	cuts[3] = SEAL_HEADER;			/* no piece at all */
	cuts[4] = SEAL_HEADER + 10;
	cuts[5] = SEAL_HEADER + SEAL_CHUNK + SEAL_ABYTES;  /* one piece */
	cuts[6] = SEAL_HEADER + 2 * (SEAL_CHUNK + SEAL_ABYTES); /* two */
	cuts[7] = size - 1;			/* the tag's last byte */
	cuts[8] = size - SEAL_ABYTES;
	cuts[9] = SEAL_HEADER + SEAL_CHUNK;	/* inside the first piece */
	for (i = 0; i < 10; i++) {
		seal_file(path, &sf, p, whole);
		CU_ASSERT_FATAL(truncate(path, cuts[i]) == 0);
		error_clear();
		CU_ASSERT_EQUAL(unseal_file(path, &sf, &back, &len),
		    SEAL_DAMAGED);
		CU_ASSERT(unit_error_has("is damaged"));
		CU_ASSERT(unit_error_has("cut short"));
		free(back);
	}
	free(p);
	store_set_key(dir, NULL);
}

/* Write n bytes at off of path. */
static void
poke(const char *path, off_t off, const void *b, size_t n)
{
	int	fd = open(path, O_WRONLY);

	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_FATAL(pwrite(fd, b, n, off) == (ssize_t)n);
	close(fd);
}

static void
test_seal_tampered(void)
{
	struct seal_for	 sf, other;
	const char	*dir = unit_dir();
	uint8_t		*p, *back, *a, *b, x;
	size_t		 len, whole = 3 * SEAL_CHUNK + 10;
	size_t		 piece = SEAL_CHUNK + SEAL_ABYTES;
	char		 path[4096];
	int		 fd;

	seal_for_make(&sf, dir, SEAL_DOCUMENT, 7);
	snprintf(path, sizeof path, "%s/f", dir);
	p = plaintext(whole);

	/* A byte of the second piece changed: the first came, then no more. */
	seal_file(path, &sf, p, whole);
	fd = open(path, O_RDONLY);
	CU_ASSERT_FATAL(pread(fd, &x, 1, SEAL_HEADER + piece + 100) == 1);
	close(fd);
	x ^= 0x01;
	poke(path, SEAL_HEADER + piece + 100, &x, 1);
	CU_ASSERT_EQUAL(unseal_file(path, &sf, &back, &len), SEAL_DAMAGED);
	CU_ASSERT_EQUAL(len, SEAL_CHUNK);
	CU_ASSERT(unit_error_has("it was changed"));
	free(back);

	/* The first two pieces swapped. */
	seal_file(path, &sf, p, whole);
	a = xmalloc(piece);
	b = xmalloc(piece);
	fd = open(path, O_RDWR);
	CU_ASSERT_FATAL(pread(fd, a, piece, SEAL_HEADER) == (ssize_t)piece);
	CU_ASSERT_FATAL(pread(fd, b, piece, SEAL_HEADER + piece) ==
	    (ssize_t)piece);
	CU_ASSERT_FATAL(pwrite(fd, b, piece, SEAL_HEADER) == (ssize_t)piece);
	CU_ASSERT_FATAL(pwrite(fd, a, piece, SEAL_HEADER + piece) ==
	    (ssize_t)piece);
	close(fd);
	CU_ASSERT_EQUAL(unseal_file(path, &sf, &back, &len), SEAL_DAMAGED);
	CU_ASSERT_EQUAL(len, 0);
	free(back);

	/* A piece dropped from the middle (the file stays well formed). */
	seal_file(path, &sf, p, whole);
	fd = open(path, O_RDWR);
	{
		off_t	 size = lseek(fd, 0, SEEK_END);
		size_t	 rest = (size_t)size - SEAL_HEADER - 2 * piece;
		uint8_t	*tail = xmalloc(rest);

		CU_ASSERT_FATAL(pread(fd, tail, rest, SEAL_HEADER + 2 *
		    piece) == (ssize_t)rest);
		CU_ASSERT_FATAL(pwrite(fd, tail, rest, SEAL_HEADER + piece) ==
		    (ssize_t)rest);
		CU_ASSERT_FATAL(ftruncate(fd, size - (off_t)piece) == 0);
		free(tail);
	}
	close(fd);
	CU_ASSERT_EQUAL(unseal_file(path, &sf, &back, &len), SEAL_DAMAGED);
	free(back);

	/* Bytes added after the final piece. */
	seal_file(path, &sf, p, whole);
	fd = open(path, O_WRONLY | O_APPEND);
	CU_ASSERT_FATAL(write(fd, "more", 4) == 4);
	close(fd);
	CU_ASSERT_EQUAL(unseal_file(path, &sf, &back, &len), SEAL_DAMAGED);
	CU_ASSERT(unit_error_has("is damaged"));
	free(back);

	/* The header's kind changed: said before anything is decrypted. */
	seal_file(path, &sf, p, whole);
	x = SEAL_TEMPLATE;
	poke(path, 8, &x, 1);
	CU_ASSERT_EQUAL(unseal_file(path, &sf, &back, &len), SEAL_DAMAGED);
	CU_ASSERT_EQUAL(len, 0);
	free(back);

	/* Sealed for another record, as another kind, under another key. */
	seal_file(path, &sf, p, whole);
	other = sf;
	other.id[0] ^= 1;
	CU_ASSERT_EQUAL(unseal_file(path, &other, &back, &len), SEAL_DAMAGED);
	CU_ASSERT(unit_error_has("not this record's file"));
	free(back);
	other = sf;
	other.kind = SEAL_TEMPLATE;
	CU_ASSERT_EQUAL(unseal_file(path, &other, &back, &len), SEAL_DAMAGED);
	free(back);
	store_set_key(dir, KEY_B);
	CU_ASSERT_FATAL(seal_key_of(dir, other.key) == 1);
	other.kind = sf.kind;
	memcpy(other.id, sf.id, sizeof other.id);
	CU_ASSERT(memcmp(other.key, sf.key, sizeof sf.key) != 0);
	CU_ASSERT_EQUAL(unseal_file(path, &other, &back, &len), SEAL_DAMAGED);
	CU_ASSERT_EQUAL(len, 0);
	free(back);
	/* A newer format is said as such, not as damage. */
	seal_file(path, &sf, p, whole);
	x = 9;
	poke(path, 7, &x, 1);
	CU_ASSERT_EQUAL(unseal_file(path, &sf, &back, &len), -1);
	CU_ASSERT(unit_error_has("newer crm"));
	free(back);

	free(a);
	free(b);
	free(p);
	store_set_key(dir, NULL);
}

/* No key: plain files; a key: an old plain file is still read. */
static void
test_seal_plain(void)
{
	struct seal_for	 sf;
	const char	*dir = unit_dir();
	uint8_t		 key[SEAL_KEY_SIZE], *back;
	size_t		 len;
	char		 path[4096];

	store_set_key(dir, NULL);
	CU_ASSERT_EQUAL(seal_key_of(dir, key), 0);
	snprintf(path, sizeof path, "%s/f", dir);
	CU_ASSERT_EQUAL(seal_file(path, NULL, (const uint8_t *)"plain text",
	    10), 10);
	CU_ASSERT(file_holds(path, "plain text"));
	CU_ASSERT_EQUAL(unseal_file(path, NULL, &back, &len), 0);
	CU_ASSERT(len == 10 && memcmp(back, "plain text", 10) == 0);
	free(back);
	/* Read with a key: as it is (its record's hash guards it). */
	seal_for_make(&sf, dir, SEAL_DOCUMENT, 1);
	CU_ASSERT_EQUAL(unseal_file(path, &sf, &back, &len), 0);
	CU_ASSERT(len == 10 && memcmp(back, "plain text", 10) == 0);
	free(back);
	/* A directory with a key file but no key given: nothing is done. */
	store_set_key(dir, NULL);
	unit_write("crm.key", "crm-key 1\n");
	CU_ASSERT_EQUAL(seal_key_of(dir, key), -1);
	CU_ASSERT(unit_error_has("its key is not open"));
}

/* A record for a file of dir's documents/ or templates/. */
static struct record *
doc_record(const char *filename)
{
	struct record	*r = record_new();

	record_id_new(&r->id, 1764000000000ULL);
	record_set(r, "filename", filename, 1);
	return r;
}

static int
collect(void *arg, const void *p, size_t len)
{
	struct { char buf[256]; size_t len; } *c = arg;

	if (c->len + len >= sizeof c->buf) {
		error_set("too long");
		return -1;
	}
	memcpy(c->buf + c->len, p, len);
	c->len += len;
	return 0;
}

static void
test_seal_documents(void)
{
	struct { char buf[256]; size_t len; } c;
	struct record	*r, *r2;
	struct stat	 sb;
	const char	*text = "Confidential Quillmoor terms\n";
	char		 dir[4096], hex[FILE_HASH_TEXT + 1], *path, *path2;
	char		*tmp, *slash, *run, *docs;
	DIR		*d;
	int		 fd;

	snprintf(dir, sizeof dir, "%s", unit_dir());
	xasprintf(&run, "%s/run", dir);
	CU_ASSERT_FATAL(mkdir(run, 0700) == 0);
	xasprintf(&docs, "%s/documents", dir);
	CU_ASSERT_FATAL(mkdir(docs, 0700) == 0);
	free(docs);
	store_set_key(dir, KEY_A);

	/* Stored sealed, read back, checked against the plaintext's hash. */
	r = doc_record("terms.txt");
	CU_ASSERT_FATAL(document_put(dir, MODEL_DOCUMENT, &r->id, text,
	    strlen(text), hex) == 0);
	record_set(r, "hash", hex, 1);
	path = document_path(dir, MODEL_DOCUMENT, &r->id);
	CU_ASSERT(!file_holds(path, "Quillmoor"));
	CU_ASSERT(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	memset(&c, 0, sizeof c);
	CU_ASSERT_EQUAL(document_read(dir, MODEL_DOCUMENT, r, collect, &c),
	    DOCUMENT_OK);
	CU_ASSERT(c.len == strlen(text) && memcmp(c.buf, text, c.len) == 0);
	CU_ASSERT_EQUAL(document_check(dir, MODEL_DOCUMENT, r), DOCUMENT_OK);

	/* Opened only into a private directory, removed after. */
	setenv("XDG_RUNTIME_DIR", run, 1);
	/* What a killed crm left there goes on the way. */
	xasprintf(&docs, "%s/crm-open-2147483646-abcdef", run);
	CU_ASSERT_FATAL(mkdir(docs, 0700) == 0);
	free(docs);
	xasprintf(&docs, "%s/crm-open-2147483646-abcdef/left.txt", run);
	unit_put(docs, "left behind");
	free(docs);
	CU_ASSERT_EQUAL(document_temp(dir, MODEL_DOCUMENT, r, &tmp),
	    DOCUMENT_OK);
	CU_ASSERT_FATAL(tmp != NULL);
	CU_ASSERT(strncmp(tmp, run, strlen(run)) == 0);
	CU_ASSERT(strcmp(strrchr(tmp, '/'), "/terms.txt") == 0);
	CU_ASSERT(stat(tmp, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CU_ASSERT(file_holds(tmp, "Quillmoor"));
	slash = xstrdup(tmp);
	*strrchr(slash, '/') = '\0';
	CU_ASSERT(stat(slash, &sb) == 0 && (sb.st_mode & 0777) == 0700);
	document_temp_remove(tmp);
	CU_ASSERT(access(slash, F_OK) != 0);
	free(slash);
	d = opendir(run);
	CU_ASSERT_FATAL(d != NULL);
	{
		struct dirent	*e;
		int		 n = 0;

		while ((e = readdir(d)) != NULL)
			n += e->d_name[0] != '.';
		CU_ASSERT_EQUAL(n, 0);
	}
	closedir(d);

	/* Another document's file put in its place: refused, named. */
	r2 = doc_record("other.txt");
	CU_ASSERT_FATAL(document_put(dir, MODEL_DOCUMENT, &r2->id, text,
	    strlen(text), hex) == 0);
	record_set(r2, "hash", hex, 1);
	path2 = document_path(dir, MODEL_DOCUMENT, &r2->id);
	CU_ASSERT_FATAL(rename(path2, path) == 0);
	CU_ASSERT_EQUAL(document_check(dir, MODEL_DOCUMENT, r),
	    DOCUMENT_DAMAGED);
	CU_ASSERT(unit_error_has("the file of \"terms.txt\""));
	CU_ASSERT(unit_error_has("is damaged"));
	CU_ASSERT(unit_error_has("restore it from a backup"));
	/* Nothing is left in the private directory by a refusal. */
	CU_ASSERT_EQUAL(document_temp(dir, MODEL_DOCUMENT, r, &tmp),
	    DOCUMENT_DAMAGED);
	CU_ASSERT(tmp == NULL);
	CU_ASSERT(rmdir(run) == 0);
	CU_ASSERT_FATAL(mkdir(run, 0700) == 0);

	/* Cut short: named and refused. */
	CU_ASSERT_FATAL(document_put(dir, MODEL_DOCUMENT, &r->id, text,
	    strlen(text), hex) == 0);
	CU_ASSERT_FATAL(truncate(path, SEAL_HEADER + 5) == 0);
	CU_ASSERT_EQUAL(document_check(dir, MODEL_DOCUMENT, r),
	    DOCUMENT_DAMAGED);
	CU_ASSERT(unit_error_has("cut short"));
	unlink(path);
	CU_ASSERT_EQUAL(document_check(dir, MODEL_DOCUMENT, r),
	    DOCUMENT_MISSING);

	/* An old plain file is read, then sealed in place. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	CU_ASSERT_EQUAL(document_check(dir, MODEL_DOCUMENT, r), DOCUMENT_OK);
	CU_ASSERT(file_holds(path, "Quillmoor"));
	CU_ASSERT_EQUAL(document_seal(dir, MODEL_DOCUMENT, r), DOCUMENT_OK);
	CU_ASSERT(!file_holds(path, "Quillmoor"));
	CU_ASSERT_EQUAL(document_check(dir, MODEL_DOCUMENT, r), DOCUMENT_OK);
	/* Again: sealed already, nothing changes. */
	CU_ASSERT_EQUAL(document_seal(dir, MODEL_DOCUMENT, r), DOCUMENT_OK);
	CU_ASSERT_EQUAL(document_check(dir, MODEL_DOCUMENT, r), DOCUMENT_OK);
	/* No temporary file was left beside it. */
	CU_ASSERT_EQUAL(file_sweep(dir, 1), 0);

	/* A database without a key: plain files, as a master keeps them. */
	store_set_key(dir, NULL);
	CU_ASSERT_FATAL(document_put(dir, MODEL_DOCUMENT, &r->id, text,
	    strlen(text), hex) == 0);
	CU_ASSERT(file_holds(path, "Quillmoor"));
	CU_ASSERT_EQUAL(document_check(dir, MODEL_DOCUMENT, r), DOCUMENT_OK);
	CU_ASSERT_EQUAL(document_seal(dir, MODEL_DOCUMENT, r), -1);
	CU_ASSERT(unit_error_has("has no key"));

	unsetenv("XDG_RUNTIME_DIR");
	free(run);
	free(path);
	free(path2);
	record_free(r);
	record_free(r2);
}

int
main(void)
{
	static const struct unit_test tests[] = {
		{ "seal_round_trip", test_seal_round_trip },
		{ "seal_truncated", test_seal_truncated },
		{ "seal_tampered", test_seal_tampered },
		{ "seal_plain", test_seal_plain },
		{ "seal_documents", test_seal_documents },
		{ NULL, NULL }
	};

	return unit_run("seal", tests);
}
