/*
 * test-spill: entries set aside in a temporary file come back by bucket,
 * in the order they were put, whatever their size against a chunk; the
 * file has no name and holds none of them in the clear; a directory that
 * cannot have one is named in the message.
 */
#define _GNU_SOURCE

#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "spill.h"
#include "unit.h"

#define BUCKETS	5
#define ENTRIES	4000

static unsigned	seed = 20261207;

/* Entry I's bytes: a marker a reader would look for, then filler. */
static size_t
entry(unsigned i, char *buf, size_t room)
{
	size_t	len, k;
	int	n;

	/* Mostly rows; one in 97 longer than a chunk. */
	len = i % 97 == 0 ? 300 + (size_t)rand_r(&seed) % 700 :
	    (size_t)rand_r(&seed) % 90;
	if (len >= room)
		len = room - 1;
	n = snprintf(buf, room, "Quillfeather %u:", i);
	for (k = (size_t)n; k < len; k++)
		buf[k] = (char)('a' + (i + k) % 26);
	return len > (size_t)n ? len : (size_t)n;
}

/* Names in DIR other than . and .. */
static int
names_in(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	int		 n = 0;

	CU_ASSERT_FATAL(d != NULL);
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void
test_spill_round_trip(void)
{
	struct spill	*sp;
	char		 want[1200], *buf, *all;
	const char	*data;
	size_t		 size, at, wlen, filesize;
	unsigned	 i, next[BUCKETS] = { 0 };
	uint32_t	 tag, len;
	uint64_t	 bytes0, files0, bytes1, files1;
	int		 b;

	setenv("TMPDIR", unit_dir(), 1);
	spill_stats(&bytes0, &files0);
	/* A chunk of 100 bytes: a few rows to one, and some over it. */
	sp = spill_new(BUCKETS, 100);
	CU_ASSERT_FATAL(sp != NULL);
	for (i = 0; i < ENTRIES; i++) {
		wlen = entry(i, want, sizeof want);
		CU_ASSERT_FATAL(spill_put(sp, i % BUCKETS, i, want,
		    (uint32_t)wlen) == 0);
	}

	/* On disk: all there, none of it in the clear. */
	filesize = (size_t)lseek(spill_fd(sp), 0, SEEK_END);
	CU_ASSERT(filesize > ENTRIES * 40 / 2);
	all = malloc(filesize + 1);
	CU_ASSERT_FATAL(all != NULL);
	CU_ASSERT(pread(spill_fd(sp), all, filesize, 0) ==
	    (ssize_t)filesize);
	all[filesize] = '\0';
	CU_ASSERT(memmem(all, filesize, "Quillfeather", 12) == NULL);
	CU_ASSERT(memmem(all, filesize, "abcdefgh", 8) == NULL);
	free(all);
	/* No name in the directory it was made in. */
	CU_ASSERT_EQUAL(names_in(unit_dir()), 0);

	/* Back by bucket, in the order put; the last bucket first. */
	for (b = BUCKETS - 1; b >= 0; b--) {
		CU_ASSERT_FATAL(spill_read(sp, (size_t)b, &buf, &size) == 0);
		at = 0;
		next[b] = (unsigned)b;
		while (spill_next(buf, size, &at, &tag, &data, &len) == 1) {
			CU_ASSERT_EQUAL(tag, next[b]);
			next[b] += BUCKETS;
		}
		CU_ASSERT_EQUAL(at, size);
		free(buf);
	}
	for (b = 0; b < BUCKETS; b++)
		CU_ASSERT(next[b] >= ENTRIES && next[b] < ENTRIES + BUCKETS);
	spill_free(sp);
	spill_stats(&bytes1, &files1);
	CU_ASSERT_EQUAL(files1, files0 + 1);
	CU_ASSERT(bytes1 > bytes0);
}

/* Each entry's bytes, compared: the same seed makes the same entries. */
static void
test_spill_contents(void)
{
	struct spill	*sp;
	char		 want[1200], *buf;
	const char	*data;
	size_t		 size, at, wlen;
	unsigned	 i, save;
	uint32_t	 tag, len;
	int		 bad = 0;

	setenv("TMPDIR", unit_dir(), 1);
	sp = spill_new(2, 64);
	CU_ASSERT_FATAL(sp != NULL);
	save = seed;
	for (i = 0; i < 1000; i++) {
		wlen = entry(i, want, sizeof want);
		CU_ASSERT_FATAL(spill_put(sp, i < 500 ? 1 : 0, i, want,
		    (uint32_t)wlen) == 0);
	}
	/* An empty entry, and an empty bucket read. */
	CU_ASSERT(spill_put(sp, 0, 7777, "", 0) == 0);
	seed = save;
	for (int b = 1; b >= 0; b--) {
		CU_ASSERT_FATAL(spill_read(sp, (size_t)b, &buf, &size) == 0);
		at = 0;
		while (spill_next(buf, size, &at, &tag, &data, &len) == 1) {
			if (tag == 7777) {
				CU_ASSERT_EQUAL(len, 0);
				continue;
			}
			wlen = entry(tag, want, sizeof want);
			bad += len != wlen || memcmp(data, want, len) != 0;
		}
		free(buf);
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* Read once: the bucket is empty after. */
	CU_ASSERT_FATAL(spill_read(sp, 0, &buf, &size) == 0);
	CU_ASSERT_EQUAL(size, 0);
	free(buf);
	spill_free(sp);
}

/*
 * What is read back is not what was written (another process wrote on
 * the file): an error, not an entry running past its bucket.
 */
static void
test_spill_changed(void)
{
	struct spill	*sp;
	unsigned char	 head[16];
	char		 want[1200], *buf;
	const char	*data;
	size_t		 size, at = 0, wlen, i;
	uint32_t	 tag, len;
	int		 ret;

	setenv("TMPDIR", unit_dir(), 1);
	sp = spill_new(1, 64);
	CU_ASSERT_FATAL(sp != NULL);
	for (i = 0; i < 100; i++) {
		wlen = entry((unsigned)i, want, sizeof want);
		CU_ASSERT_FATAL(spill_put(sp, 0, (uint32_t)i, want,
		    (uint32_t)wlen) == 0);
	}
	/* The first entry's tag and length, each bit turned over. */
	CU_ASSERT_FATAL(pread(spill_fd(sp), head, sizeof head, 0) == 16);
	for (i = 0; i < sizeof head; i++)
		head[i] = (unsigned char)~head[i];
	CU_ASSERT_FATAL(pwrite(spill_fd(sp), head, sizeof head, 0) == 16);
	CU_ASSERT_FATAL(spill_read(sp, 0, &buf, &size) == 0);
	error_clear();
	while ((ret = spill_next(buf, size, &at, &tag, &data, &len)) == 1)
		;
	CU_ASSERT_EQUAL(ret, -1);
	CU_ASSERT(unit_error_has("was changed while it ran"));
	free(buf);
	spill_free(sp);
}

static void
test_spill_no_directory(void)
{
	setenv("TMPDIR", unit_path("none"), 1);
	error_clear();
	CU_ASSERT_PTR_NULL(spill_new(3, 4096));
	CU_ASSERT(unit_error_has("cannot make a temporary file in"));
	CU_ASSERT(unit_error_has(unit_path("none")));
	CU_ASSERT(unit_error_has("set TMPDIR to a directory with room"));
}

int
main(void)
{
	static const struct unit_test tests[] = {
		{ "spill_round_trip", test_spill_round_trip },
		{ "spill_contents", test_spill_contents },
		{ "spill_changed", test_spill_changed },
		{ "spill_no_directory", test_spill_no_directory },
		{ NULL, NULL }
	};

	return unit_run("spill", tests);
}
