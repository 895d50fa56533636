/* test-record: record IDs, fields, the encoding, the clock and UTF-8. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "record.h"
#include "unit.h"
#include "utf8.h"
#include "xmalloc.h"

#define T_MS	1795000000000ULL	/* 2026-11-18T11:06:40Z */

/* A small deterministic generator, so garbage tests repeat exactly. */
static uint64_t	t_rng_state;

static void
t_srand(uint64_t seed)
{
	t_rng_state = seed;
}

static uint32_t
t_rand(void)
{
	t_rng_state ^= t_rng_state << 13;
	t_rng_state ^= t_rng_state >> 7;
	t_rng_state ^= t_rng_state << 17;
	return (uint32_t)(t_rng_state >> 11);
}

/* Two records hold the same things, field order and ext included. */
static int
t_record_equal(const struct record *a, const struct record *b)
{
	size_t	i;

	if (record_id_cmp(&a->id, &b->id) != 0 || a->created != b->created ||
	    strcmp(a->created_by, b->created_by) != 0 ||
	    a->modified != b->modified ||
	    strcmp(a->modified_by, b->modified_by) != 0 || a->seq != b->seq ||
	    a->flags != b->flags || a->nfields != b->nfields ||
	    a->extlen != b->extlen)
		return 0;
	if (a->extlen > 0 && memcmp(a->ext, b->ext, a->extlen) != 0)
		return 0;
	for (i = 0; i < a->nfields; i++) {
		if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
		    strcmp(a->fields[i].value, b->fields[i].value) != 0 ||
		    a->fields[i].stamp != b->fields[i].stamp)
			return 0;
	}
	return 1;
}

/* A record with metadata and a few fields, UTF-8 and empty ones included. */
static struct record *
t_sample(void)
{
	struct record	*r;

	r = record_new();
	record_id_new(&r->id, T_MS);
	r->created = clock_stamp_from_ms(T_MS) + 3;
	strcpy(r->created_by, "ab12c");
	r->modified = clock_stamp_from_ms(T_MS + 5000) + 1;
	strcpy(r->modified_by, "zz9zz");
	r->seq = 123456789012ULL;
	r->flags = RECORD_DIRTY;
	record_set(r, "name", "Åström & Söner AB", 11);
	record_set(r, "city", "Łódź", 12);
	record_set(r, "note", "", 13);
	record_set(r, "phone", "+46 8 123 45 67", UINT64_MAX);
	record_set(r, "multi", "line one\nline two\ttab", 1);
	return r;
}

static int
t_cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, RECORD_ID_SIZE);
}

/* ---------------------------------------------------------------- IDs */

static void
test_record_id_time_order(void)
{
	struct record_id	 prev, cur;
	char			 ptext[RECORD_ID_TEXT + 1], ctext[RECORD_ID_TEXT + 1];
	uint64_t		 ms;
	int			 i;

	record_id_new(&prev, 1);
	record_id_format(&prev, ptext);
	for (i = 0; i < 2000; i++) {
		/* Steps of 1 ms up to years, so every byte of the time moves. */
		ms = 2 + (uint64_t)i * (uint64_t)i * 1234567ULL + (uint64_t)i;
		record_id_new(&cur, ms);
		record_id_format(&cur, ctext);
		CU_ASSERT(memcmp(prev.b, cur.b, RECORD_ID_SIZE) < 0);
		CU_ASSERT(record_id_cmp(&prev, &cur) < 0);
		CU_ASSERT(strcmp(ptext, ctext) < 0);
		prev = cur;
		memcpy(ptext, ctext, sizeof ptext);
	}
	/* Neighbouring milliseconds still order; the top 48 bits are the time. */
	ms = 5000000000000ULL;		/* after every ms used above */
	record_id_new(&prev, ms);
	record_id_new(&cur, ms + 1);
	CU_ASSERT(record_id_cmp(&prev, &cur) < 0);
	record_id_format(&prev, ptext);
	record_id_format(&cur, ctext);
	CU_ASSERT(strcmp(ptext, ctext) < 0);
	CU_ASSERT(cur.b[0] == (uint8_t)((ms + 1) >> 40));
	CU_ASSERT(cur.b[5] == (uint8_t)(ms + 1));

	/*
	 * Within one millisecond, or when the clock steps back, one process's
	 * IDs still increase (record.c: the last ID plus a random step).
	 */
	for (i = 0; i < 1000; i++) {
		prev = cur;
		record_id_new(&cur, i % 2 ? ms + 1 : T_MS);
		CU_ASSERT(record_id_cmp(&prev, &cur) < 0);
		CU_ASSERT(memcmp(prev.b, cur.b, 6) == 0);
	}
}

static void
test_record_id_text_round_trip(void)
{
	struct record_id	 id, back;
	char			 text[RECORD_ID_TEXT + 2];
	const char		*p;
	int			 i;

	for (i = 0; i < 1000; i++) {
		record_id_new(&id, T_MS + (uint64_t)i * 7919);
		memset(text, 'x', sizeof text);
		record_id_format(&id, text);
		CU_ASSERT(strlen(text) == RECORD_ID_TEXT);
		CU_ASSERT(text[0] >= '0' && text[0] <= '7');
		for (p = text; *p != '\0'; p++)
			CU_ASSERT(strchr("0123456789abcdefghjkmnpqrstvwxyz",
			    *p) != NULL);
		memset(&back, 0xaa, sizeof back);
		CU_ASSERT(record_id_parse(text, &back) == 0);
		CU_ASSERT(record_id_cmp(&id, &back) == 0);
	}
	/* All zero and all one bits. */
	memset(&id, 0, sizeof id);
	record_id_format(&id, text);
	CU_ASSERT_STRING_EQUAL(text, "00000000000000000000000000");
	CU_ASSERT(record_id_is_zero(&id));
	memset(&id, 0xff, sizeof id);
	record_id_format(&id, text);
	CU_ASSERT_STRING_EQUAL(text, "7zzzzzzzzzzzzzzzzzzzzzzzzz");
	CU_ASSERT(!record_id_is_zero(&id));
	CU_ASSERT(record_id_parse(text, &back) == 0);
	CU_ASSERT(record_id_cmp(&id, &back) == 0);
}

static void
test_record_id_parse_refuses(void)
{
	struct record_id	 id, back;
	char			 text[RECORD_ID_TEXT + 1], bad[64];
	const char		*badchars = "u!-_ .#\xc3";
	size_t			 i;

	record_id_new(&id, T_MS);
	record_id_format(&id, text);

	error_clear();
	CU_ASSERT(record_id_parse("", &back) == -1);
	CU_ASSERT(strstr(error_get(), "26") != NULL);
	memcpy(bad, text, RECORD_ID_TEXT - 1);
	bad[RECORD_ID_TEXT - 1] = '\0';
	CU_ASSERT(record_id_parse(bad, &back) == -1);
	CU_ASSERT(strstr(error_get(), bad) != NULL);
	snprintf(bad, sizeof bad, "%s0", text);
	CU_ASSERT(record_id_parse(bad, &back) == -1);

	for (i = 0; badchars[i] != '\0'; i++) {
		memcpy(bad, text, sizeof text);
		bad[10] = badchars[i];
		error_clear();
		CU_ASSERT(record_id_parse(bad, &back) == -1);
		CU_ASSERT(strstr(error_get(), "not an ID") != NULL);
	}
	/* A first character above 7 would need more than 128 bits. */
	memcpy(bad, text, sizeof text);
	bad[0] = '8';
	CU_ASSERT(record_id_parse(bad, &back) == -1);

	/* Crockford's readings: upper case, o for 0, i and l for 1. */
	memset(&id, 0, sizeof id);
	id.b[15] = 1;
	CU_ASSERT(record_id_parse("0000000000000000000000000l", &back) == 0);
	CU_ASSERT(record_id_cmp(&id, &back) == 0);
	CU_ASSERT(record_id_parse("OOOOOOOOOOOOOOOOOOOOOOOOOI", &back) == 0);
	CU_ASSERT(record_id_cmp(&id, &back) == 0);
}

static void
test_record_id_prefix(void)
{
	struct record_id	 id, low, other;
	char			 text[RECORD_ID_TEXT + 1], pre[RECORD_ID_TEXT + 2];
	char			 lowtext[RECORD_ID_TEXT + 1];
	size_t			 n;

	record_id_new(&id, T_MS);
	record_id_format(&id, text);
	for (n = 0; n <= RECORD_ID_TEXT; n++) {
		memcpy(pre, text, n);
		pre[n] = '\0';
		CU_ASSERT(record_id_has_prefix(&id, pre));
		CU_ASSERT(record_id_prefix_low(pre, &low) == 0);
		/* The low ID has the prefix, then only zeros, and is <= id. */
		CU_ASSERT(record_id_has_prefix(&low, pre));
		CU_ASSERT(record_id_cmp(&low, &id) <= 0);
		record_id_format(&low, lowtext);
		CU_ASSERT(strspn(lowtext + n, "0") == RECORD_ID_TEXT - n);
	}
	CU_ASSERT(record_id_cmp(&low, &id) == 0);

	/* Upper case prefixes match too. */
	pre[0] = text[0];
	pre[1] = (char)(text[1] >= 'a' ? text[1] - 'a' + 'A' : text[1]);
	pre[2] = '\0';
	CU_ASSERT(record_id_has_prefix(&id, pre));

	/* Not a prefix: change its last character. */
	memcpy(pre, text, 12);
	pre[11] = text[11] == '0' ? '1' : '0';
	pre[12] = '\0';
	CU_ASSERT(!record_id_has_prefix(&id, pre));
	/* Longer than an ID. */
	snprintf(pre, sizeof pre, "%s0", text);
	CU_ASSERT(!record_id_has_prefix(&id, pre));
	error_clear();
	CU_ASSERT(record_id_prefix_low(pre, &low) == -1);
	CU_ASSERT(strstr(error_get(), "longer") != NULL);
	/* Characters no ID has. */
	CU_ASSERT(record_id_prefix_low("01u", &low) == -1);
	CU_ASSERT(record_id_prefix_low("9", &low) == -1);
	CU_ASSERT(record_id_prefix_low("0-", &low) == -1);

	/* An ID of another day does not share a 10-character prefix. */
	other = id;
	other.b[2] ^= 0x10;
	memcpy(pre, text, 10);
	pre[10] = '\0';
	CU_ASSERT(!record_id_has_prefix(&other, pre));
}

static void
test_record_id_unique(void)
{
	struct record_id	*ids;
	size_t			 i, n = 100000, dups = 0;

	ids = xcalloc(n, sizeof *ids);
	for (i = 0; i < n; i++)
		record_id_new(&ids[i], T_MS);
	/* Made by one process, they come out in order. */
	for (i = 1; i < n; i++) {
		if (record_id_cmp(&ids[i - 1], &ids[i]) >= 0)
			dups++;
	}
	CU_ASSERT(dups == 0);
	qsort(ids, n, sizeof *ids, t_cmp_id);
	for (i = 1; i < n; i++) {
		if (record_id_cmp(&ids[i - 1], &ids[i]) == 0)
			dups++;
	}
	CU_ASSERT(dups == 0);
	/* They all carry the same time. */
	CU_ASSERT(memcmp(ids[0].b, ids[n - 1].b, 6) == 0);
	free(ids);
}

/* ------------------------------------------------------------- fields */

static void
test_record_set_get(void)
{
	struct record	*r;
	struct field	*f;

	r = record_new();
	CU_ASSERT(record_get(r, "name") == NULL);
	CU_ASSERT_STRING_EQUAL(record_value(r, "name"), "");
	CU_ASSERT(record_field(r, "name") == NULL);

	CU_ASSERT(record_set(r, "name", "Acme", 10) == 1);
	CU_ASSERT_STRING_EQUAL(record_get(r, "name"), "Acme");
	CU_ASSERT_STRING_EQUAL(record_value(r, "name"), "Acme");
	f = record_field(r, "name");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT(f->stamp == 10);

	/* The same value again: unchanged, stamp left alone. */
	CU_ASSERT(record_set(r, "name", "Acme", 20) == 0);
	CU_ASSERT(record_field(r, "name")->stamp == 10);
	/* A new value takes the new stamp. */
	CU_ASSERT(record_set(r, "name", "Acme Ltd", 30) == 1);
	CU_ASSERT(record_field(r, "name")->stamp == 30);
	CU_ASSERT_STRING_EQUAL(record_get(r, "name"), "Acme Ltd");
	CU_ASSERT(r->nfields == 1);

	/* An empty field exists and differs from a missing one. */
	CU_ASSERT(record_set(r, "fax", "", 40) == 1);
	CU_ASSERT(record_get(r, "fax") != NULL);
	CU_ASSERT_STRING_EQUAL(record_get(r, "fax"), "");
	CU_ASSERT(record_set(r, "fax", "", 50) == 0);
	CU_ASSERT(record_field(r, "fax")->stamp == 40);
	CU_ASSERT(r->nfields == 2);

	/* Many fields: the array grows, every one stays reachable. */
	{
		char	name[32], value[32];
		int	i;

		for (i = 0; i < 100; i++) {
			snprintf(name, sizeof name, "f%d", i);
			snprintf(value, sizeof value, "v%d", i);
			CU_ASSERT(record_set(r, name, value, (uint64_t)i) == 1);
		}
		for (i = 0; i < 100; i++) {
			snprintf(name, sizeof name, "f%d", i);
			snprintf(value, sizeof value, "v%d", i);
			CU_ASSERT_STRING_EQUAL(record_value(r, name), value);
		}
		CU_ASSERT(r->nfields == 102);
	}
	record_free(r);
	record_free(NULL);
}

static void
test_record_strip(void)
{
	static const char *const keep[] = { "b", "d", "nothere", NULL };
	struct record	*r;

	r = record_new();
	record_set(r, "a", "1", 1);
	record_set(r, "b", "2", 2);
	record_set(r, "c", "3", 3);
	record_set(r, "d", "4", 4);
	record_strip(r, keep);
	CU_ASSERT(r->nfields == 2);
	CU_ASSERT(record_get(r, "a") == NULL);
	CU_ASSERT(record_get(r, "c") == NULL);
	CU_ASSERT_STRING_EQUAL(record_value(r, "b"), "2");
	CU_ASSERT_STRING_EQUAL(record_value(r, "d"), "4");
	CU_ASSERT(record_field(r, "d")->stamp == 4);
	/* Fields can be added again after a strip. */
	CU_ASSERT(record_set(r, "a", "again", 5) == 1);
	CU_ASSERT_STRING_EQUAL(record_value(r, "a"), "again");
	/* NULL keeps nothing. */
	record_strip(r, NULL);
	CU_ASSERT(r->nfields == 0);
	CU_ASSERT(record_get(r, "b") == NULL);
	record_free(r);
}

static void
test_record_dup(void)
{
	struct record	*r, *d;
	static const uint8_t ext[] = { 1, 2, 3, 0, 255 };

	r = t_sample();
	r->ext = xmalloc(sizeof ext);
	memcpy(r->ext, ext, sizeof ext);
	r->extlen = sizeof ext;
	d = record_dup(r);
	CU_ASSERT(t_record_equal(r, d));
	CU_ASSERT(d->fields != r->fields);
	CU_ASSERT(d->ext != r->ext);

	/* Changing the copy leaves the original alone, and back. */
	record_set(d, "name", "Other", 99);
	record_set(d, "extra", "x", 99);
	d->ext[0] = 9;
	strcpy(d->modified_by, "qqqqq");
	CU_ASSERT_STRING_EQUAL(record_value(r, "name"), "Åström & Söner AB");
	CU_ASSERT(record_get(r, "extra") == NULL);
	CU_ASSERT(r->ext[0] == 1);
	CU_ASSERT_STRING_EQUAL(r->modified_by, "zz9zz");
	record_set(r, "city", "Gdańsk", 100);
	CU_ASSERT_STRING_EQUAL(record_value(d, "city"), "Łódź");
	CU_ASSERT(record_field(d, "city")->stamp == 12);
	record_free(r);
	/* The copy outlives its original. */
	CU_ASSERT_STRING_EQUAL(record_value(d, "phone"), "+46 8 123 45 67");
	record_free(d);
}

/* ----------------------------------------------------------- encoding */

static void
test_record_encode_round_trip(void)
{
	struct record	*r, *back;
	uint8_t		*buf, *buf2;
	size_t		 len, len2;

	r = t_sample();
	record_encode(r, &buf, &len);
	CU_ASSERT(len > 0 && buf[0] == RECORD_VERSION);
	back = record_decode(buf, len);
	CU_ASSERT_FATAL(back != NULL);
	CU_ASSERT(t_record_equal(r, back));
	CU_ASSERT(record_field(back, "phone")->stamp == UINT64_MAX);
	/* Encoding is deterministic. */
	record_encode(back, &buf2, &len2);
	CU_ASSERT(len == len2 && memcmp(buf, buf2, len) == 0);
	free(buf);
	free(buf2);
	record_free(back);

	/* Extremes of metadata: zero, all ones, tombstone flags. */
	r->created = 0;
	r->modified = UINT64_MAX;
	r->seq = UINT64_MAX;
	r->flags = RECORD_DELETED | RECORD_DIRTY | 0x8000;
	r->created_by[0] = '\0';
	record_encode(r, &buf, &len);
	back = record_decode(buf, len);
	CU_ASSERT_FATAL(back != NULL);
	CU_ASSERT(t_record_equal(r, back));
	free(buf);
	record_free(back);
	record_free(r);

	/* An empty record. */
	r = record_new();
	record_encode(r, &buf, &len);
	back = record_decode(buf, len);
	CU_ASSERT_FATAL(back != NULL);
	CU_ASSERT(t_record_equal(r, back));
	CU_ASSERT(back->nfields == 0 && back->ext == NULL);
	free(buf);
	record_free(back);
	record_free(r);
}

static void
test_record_encode_many_fields(void)
{
	struct record	*r, *back;
	uint8_t		*buf;
	size_t		 len, i;
	char		 name[32], *value;

	r = t_sample();
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "field_%zu", i);
		/* Values of growing length, some past a varint byte. */
		value = xmalloc(i * 3 + 1);
		memset(value, 'a' + (int)(i % 26), i * 3);
		value[i * 3] = '\0';
		record_set(r, name, value, i * 1000003ULL);
		free(value);
	}
	record_encode(r, &buf, &len);
	back = record_decode(buf, len);
	CU_ASSERT_FATAL(back != NULL);
	CU_ASSERT(back->nfields == 205);
	CU_ASSERT(t_record_equal(r, back));
	CU_ASSERT(strlen(record_value(back, "field_199")) == 597);
	free(buf);
	record_free(back);
	record_free(r);
}

static void
test_record_encode_unknown_fields(void)
{
	struct record	*r, *back, *again;
	uint8_t		*buf;
	size_t		 len;

	/* A newer program wrote fields this one does not know. */
	r = t_sample();
	record_set(r, "x-future-score", "97", 777);
	record_set(r, "zz_unknown/with.odd:chars", "ƒ(x) = ∞", 778);
	record_encode(r, &buf, &len);
	back = record_decode(buf, len);
	free(buf);
	CU_ASSERT_FATAL(back != NULL);
	/* This program edits a field it knows and writes it back. */
	record_set(back, "city", "Kraków", 900);
	record_encode(back, &buf, &len);
	again = record_decode(buf, len);
	free(buf);
	CU_ASSERT_FATAL(again != NULL);
	CU_ASSERT_STRING_EQUAL(record_value(again, "x-future-score"), "97");
	CU_ASSERT(record_field(again, "x-future-score")->stamp == 777);
	CU_ASSERT_STRING_EQUAL(record_value(again,
	    "zz_unknown/with.odd:chars"), "ƒ(x) = ∞");
	CU_ASSERT_STRING_EQUAL(record_value(again, "city"), "Kraków");
	CU_ASSERT(t_record_equal(back, again));
	record_free(r);
	record_free(back);
	record_free(again);
}

static void
test_record_encode_ext(void)
{
	struct record	*r, *back, *again;
	uint8_t		*buf;
	size_t		 len, i;

	r = t_sample();
	r->extlen = 300;		/* a two-byte varint length */
	r->ext = xmalloc(r->extlen);
	for (i = 0; i < r->extlen; i++)
		r->ext[i] = (uint8_t)(i * 7);
	record_encode(r, &buf, &len);
	back = record_decode(buf, len);
	free(buf);
	CU_ASSERT_FATAL(back != NULL);
	CU_ASSERT(back->extlen == 300);
	CU_ASSERT(t_record_equal(r, back));
	/* Written back by a program that does not understand them. */
	record_set(back, "name", "changed", 1000);
	record_encode(back, &buf, &len);
	again = record_decode(buf, len);
	free(buf);
	CU_ASSERT_FATAL(again != NULL);
	CU_ASSERT(again->extlen == 300 &&
	    memcmp(again->ext, r->ext, 300) == 0);
	record_free(r);
	record_free(back);
	record_free(again);
}

static void
test_record_decode_newer_version(void)
{
	struct record	*r;
	uint8_t		*buf;
	size_t		 len;

	r = t_sample();
	record_encode(r, &buf, &len);
	record_free(r);

	buf[0] = RECORD_VERSION + 1;
	error_clear();
	CU_ASSERT(record_decode(buf, len) == NULL);
	CU_ASSERT(strstr(error_get(), "version") != NULL);
	CU_ASSERT(strstr(error_get(), "upgrade") != NULL);
	buf[0] = 0xff;
	CU_ASSERT(record_decode(buf, len) == NULL);
	buf[0] = 0;
	CU_ASSERT(record_decode(buf, len) == NULL);
	free(buf);

	error_clear();
	CU_ASSERT(record_decode("", 0) == NULL);
	CU_ASSERT(strcmp(error_get(), "unknown error") != 0);
}

static void
test_record_decode_truncated(void)
{
	struct record	*r;
	uint8_t		*buf, *copy;
	size_t		 len, n;
	int		 refused = 0;

	r = t_sample();
	r->extlen = 3;
	r->ext = xmalloc(3);
	memcpy(r->ext, "abc", 3);
	record_encode(r, &buf, &len);
	record_free(r);
	for (n = 0; n < len; n++) {
		/* An exact-size copy, so valgrind sees any read past the end. */
		copy = xmalloc(n > 0 ? n : 1);
		memcpy(copy, buf, n);
		error_clear();
		r = record_decode(copy, n);
		if (r == NULL && strcmp(error_get(), "unknown error") != 0)
			refused++;
		record_free(r);
		free(copy);
	}
	CU_ASSERT(refused == (int)len);
	/* One byte too many is refused as well. */
	copy = xmalloc(len + 1);
	memcpy(copy, buf, len);
	copy[len] = 0;
	CU_ASSERT(record_decode(copy, len + 1) == NULL);
	free(copy);
	free(buf);
}

/*
 * What a decoded record must satisfy, whatever the input: names non-empty
 * and unique, short user IDs, and an encoding that decodes to the same.
 */
static int
t_record_sane(const struct record *r)
{
	struct record	*again;
	uint8_t		*buf;
	size_t		 len, i, j;
	int		 ok;

	if (strlen(r->created_by) > RECORD_UID_SIZE ||
	    strlen(r->modified_by) > RECORD_UID_SIZE)
		return 0;
	for (i = 0; i < r->nfields; i++) {
		if (r->fields[i].name[0] == '\0' || r->fields[i].value == NULL)
			return 0;
		for (j = 0; j < i; j++) {
			if (strcmp(r->fields[i].name, r->fields[j].name) == 0)
				return 0;
		}
	}
	record_encode(r, &buf, &len);
	again = record_decode(buf, len);
	ok = again != NULL && t_record_equal(r, again);
	record_free(again);
	free(buf);
	return ok;
}

static void
test_record_decode_garbage(void)
{
	struct record	*r, *sample;
	uint8_t		*buf, *valid;
	size_t		 len, vlen, i, j;
	int		 decoded = 0, insane = 0, mutated_ok = 0;

	t_srand(0x5eed1234abcdULL);
	for (i = 0; i < 10000; i++) {
		len = t_rand() % 200;
		buf = xmalloc(len > 0 ? len : 1);
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)t_rand();
		/* Half start like a record, to get past the version byte. */
		if (len > 0 && (i & 1))
			buf[0] = RECORD_VERSION;
		if (len > 1 && (i & 2))
			buf[1] = 0;
		r = record_decode(buf, len);
		if (r != NULL) {
			decoded++;
			if (!t_record_sane(r))
				insane++;
		}
		record_free(r);
		free(buf);
	}
	CU_ASSERT(insane == 0);

	/* Mutations of a valid record reach deeper into the decoder. */
	sample = t_sample();
	record_encode(sample, &valid, &vlen);
	record_free(sample);
	for (i = 0; i < 10000; i++) {
		buf = xmalloc(vlen);
		memcpy(buf, valid, vlen);
		for (j = 0; j < 1 + t_rand() % 4; j++)
			buf[1 + t_rand() % (vlen - 1)] = (uint8_t)t_rand();
		r = record_decode(buf, vlen);
		if (r != NULL) {
			mutated_ok++;
			if (!t_record_sane(r))
				insane++;
		}
		record_free(r);
		free(buf);
	}
	free(valid);
	CU_ASSERT(insane == 0);
	/* Some mutations land in values or stamps and still decode. */
	CU_ASSERT(mutated_ok > 0);
	(void)decoded;
}

static void
test_record_decode_huge_length(void)
{
	/* Varint lengths near 2^63 and 2^32, and just over the 64 MiB cap. */
	static const uint8_t huge_ext[] = {
		RECORD_VERSION, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x7f, 'x'
	};
	static const uint8_t big_ext[] = {
		RECORD_VERSION, 0xff, 0xff, 0xff, 0xff, 0x0f, 'x'
	};
	static const uint8_t cap_ext[] = {
		RECORD_VERSION, 0x81, 0x80, 0x80, 0x20, 'x'
	};
	/* Under the cap but longer than the buffer: must not allocate it. */
	static const uint8_t long_ext[] = {
		RECORD_VERSION, 0x80, 0x80, 0x80, 0x1f, 'x'
	};
	/* A varint that never ends. */
	static const uint8_t endless[] = {
		RECORD_VERSION, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01
	};
	struct record	*r;
	uint8_t		*buf, *p;
	size_t		 len, off;

	error_clear();
	CU_ASSERT(record_decode(huge_ext, sizeof huge_ext) == NULL);
	CU_ASSERT(strstr(error_get(), "damaged") != NULL);
	CU_ASSERT(record_decode(big_ext, sizeof big_ext) == NULL);
	CU_ASSERT(record_decode(cap_ext, sizeof cap_ext) == NULL);
	CU_ASSERT(record_decode(long_ext, sizeof long_ext) == NULL);
	CU_ASSERT(record_decode(endless, sizeof endless) == NULL);

	/*
	 * A huge value length and a huge field count inside an otherwise
	 * good record: encode a record with one field "a" = "", then patch
	 * the value length (the last-but-one byte before the stamp).
	 */
	r = record_new();
	record_set(r, "a", "", 0);
	record_encode(r, &buf, &len);
	record_free(r);
	/* ... field count 1, name len 1, 'a', value len 0, stamp 0 */
	CU_ASSERT_FATAL(len > 5 && buf[len - 2] == 0 && buf[len - 3] == 'a');
	off = len - 2;
	p = xmalloc(len + 8);
	memcpy(p, buf, off);
	memcpy(p + off, "\xff\xff\xff\xff\x0f", 5);	/* 4 GiB value */
	p[off + 5] = 0;
	CU_ASSERT(record_decode(p, off + 6) == NULL);
	/* The field count is the byte before the name length. */
	memcpy(p, buf, len);
	p[len - 5] = 0x7f;	/* 127 fields announced, one present */
	CU_ASSERT(record_decode(p, len) == NULL);
	memcpy(p, buf, len - 5);
	memcpy(p + len - 5, "\xff\xff\xff\xff\x0f", 5);	/* 4 G fields */
	memcpy(p + len, buf + len - 4, 4);
	CU_ASSERT(record_decode(p, len + 4) == NULL);
	free(p);
	free(buf);
}

static void
test_record_decode_refuses_bad_fields(void)
{
	struct record	*r;
	uint8_t		*buf;
	size_t		 len;

	/* Two fields named alike cannot come from the encoder. */
	r = record_new();
	record_set(r, "ab", "1", 0);
	record_set(r, "ac", "2", 0);
	record_encode(r, &buf, &len);
	record_free(r);
	/* The second name is the last 6 bytes: 2 'a' 'c' 1 '2' 0. */
	CU_ASSERT_FATAL(buf[len - 5] == 'a' && buf[len - 4] == 'c');
	buf[len - 4] = 'b';
	CU_ASSERT(record_decode(buf, len) == NULL);
	/* A NUL inside a value. */
	buf[len - 4] = 'c';
	buf[len - 2] = '\0';
	CU_ASSERT(record_decode(buf, len) == NULL);
	buf[len - 2] = '2';
	r = record_decode(buf, len);
	CU_ASSERT(r != NULL);
	record_free(r);
	free(buf);

	/* An empty field name. */
	r = record_new();
	record_set(r, "x", "1", 0);
	record_encode(r, &buf, &len);
	record_free(r);
	/* ... 1 'x' 1 '1' 0: make the name empty and drop its byte. */
	CU_ASSERT_FATAL(buf[len - 5] == 1 && buf[len - 4] == 'x');
	buf[len - 5] = 0;
	memmove(buf + len - 4, buf + len - 3, 3);
	CU_ASSERT(record_decode(buf, len - 1) == NULL);
	free(buf);

	/* A user ID longer than 5 characters. */
	r = record_new();
	strcpy(r->created_by, "abcde");
	r->modified = 'f';	/* the byte after the user ID */
	record_encode(r, &buf, &len);
	record_free(r);
	/* version, ext len 0, 16 ID bytes, created 0, then "abcde". */
	CU_ASSERT_FATAL(buf[19] == 5 && buf[20] == 'a');
	CU_ASSERT_FATAL(buf[25] == 'f');
	r = record_decode(buf, len);
	CU_ASSERT(r != NULL);
	record_free(r);
	buf[19] = 6;	/* reads "abcdef" */
	CU_ASSERT(record_decode(buf, len) == NULL);
	free(buf);
}

/* -------------------------------------------------------------- clock */

static void
test_clock_tick(void)
{
	uint64_t	last = 0, s, prev;
	int		i;

	unit_now_ms = T_MS;
	prev = clock_tick(&last);
	CU_ASSERT(prev == clock_stamp_from_ms(T_MS));
	CU_ASSERT(last == prev);
	CU_ASSERT(clock_stamp_ms(prev) == T_MS);

	/* The clock stands still: the counter moves. */
	for (i = 0; i < 1000; i++) {
		s = clock_tick(&last);
		CU_ASSERT(s > prev);
		CU_ASSERT(clock_stamp_ms(s) == T_MS);
		prev = s;
	}
	/* The clock goes back an hour: still forward. */
	unit_now_ms = T_MS - 3600 * 1000;
	for (i = 0; i < 100; i++) {
		s = clock_tick(&last);
		CU_ASSERT(s > prev);
		prev = s;
	}
	CU_ASSERT(clock_stamp_ms(prev) == T_MS);
	/* The clock runs ahead again: the stamp follows it. */
	unit_now_ms = T_MS + 10;
	s = clock_tick(&last);
	CU_ASSERT(s > prev);
	CU_ASSERT(s == clock_stamp_from_ms(T_MS + 10));
	prev = s;
	/* Wobbling back and forth. */
	for (i = 0; i < 1000; i++) {
		unit_now_ms = T_MS + (uint64_t)(i % 7) * 3;
		s = clock_tick(&last);
		CU_ASSERT(s > prev);
		prev = s;
	}
}

static void
test_clock_observe(void)
{
	uint64_t	last, remote, s;

	unit_now_ms = T_MS;
	last = clock_stamp_from_ms(T_MS);
	/* A remote stamp from the future: the next stamp is after it. */
	remote = clock_stamp_from_ms(T_MS + 60000) + 5;
	clock_observe(&last, remote);
	CU_ASSERT(last == remote);
	s = clock_tick(&last);
	CU_ASSERT(s == remote + 1);
	/* An older remote stamp changes nothing. */
	clock_observe(&last, clock_stamp_from_ms(T_MS - 1));
	CU_ASSERT(last == s);
	clock_observe(&last, s);
	CU_ASSERT(last == s);
}

static void
test_clock_format(void)
{
	char	buf[32];

	clock_format(clock_stamp_from_ms(T_MS) + 77, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "2026-11-18T11:06:40Z");
	clock_format(clock_stamp_from_ms(1767225599999ULL), buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "2025-12-31T23:59:59Z");
	clock_format(clock_stamp_from_ms(1767225600000ULL), buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "2026-01-01T00:00:00Z");
	CU_ASSERT(strlen(buf) == 20);
	/* Not the local time zone. */
	setenv("TZ", "Asia/Tokyo", 1);
	clock_format(clock_stamp_from_ms(T_MS), buf, sizeof buf);
	unsetenv("TZ");
	CU_ASSERT_STRING_EQUAL(buf, "2026-11-18T11:06:40Z");
	/* The injected clock is what clock_now_ms reads. */
	unit_now_ms = 1234;
	CU_ASSERT(clock_now_ms() == 1234);
}

/* --------------------------------------------------------------- UTF-8 */

static void
test_utf8_valid(void)
{
	static const char *const good[] = {
		"", "plain ascii", "Åström", "Łódź", "Москва", "Αθήνα",
		"日本語", "emoji \xf0\x9f\x98\x80", "\xef\xbf\xbf",
		"\xf4\x8f\xbf\xbf",			/* U+10FFFF */
		"\xed\x9f\xbf", "\xee\x80\x80",		/* around surrogates */
		NULL
	};
	static const char *const bad[] = {
		"\x80", "abc\xbf", "\xc3", "\xc3(", "\xe2\x82", "\xf0\x9f\x98",
		"\xc0\x80", "\xc1\xbf",			/* overlong 2 bytes */
		"\xe0\x80\xaf", "\xe0\x9f\xbf",		/* overlong 3 bytes */
		"\xf0\x80\x80\xaf", "\xf0\x8f\xbf\xbf",	/* overlong 4 bytes */
		"\xed\xa0\x80", "\xed\xbf\xbf",		/* surrogates */
		"\xed\xa0\xbd\xed\xb8\x80",		/* CESU-8 pair */
		"\xf4\x90\x80\x80", "\xf7\xbf\xbf\xbf",	/* past U+10FFFF */
		"\xf8\x88\x80\x80\x80", "\xfe", "\xff",
		"ok then \xc3\xa5\xe5 no",
		NULL
	};
	size_t	i;

	for (i = 0; good[i] != NULL; i++)
		CU_ASSERT(utf8_valid(good[i], strlen(good[i])));
	for (i = 0; bad[i] != NULL; i++) {
		if (utf8_valid(bad[i], strlen(bad[i])))
			fprintf(stderr, "utf8_valid accepted bad[%zu]\n", i);
		CU_ASSERT(!utf8_valid(bad[i], strlen(bad[i])));
	}
	/* The length is what counts: a cut character is invalid. */
	CU_ASSERT(!utf8_valid("Å", 1));
	CU_ASSERT(utf8_valid("Å", 2));
	CU_ASSERT(utf8_valid("a\0b", 3));
}

static void
test_utf8_fold(void)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		/* Case and accents go; Ł and Ø, with none to take, too. */
		{ "ÅNGSTRÖM Zoë ŁÓDŹ МОСКВА", "angstrom zoe lodz москва" },
		{ "ABC xyz 123 !?", "abc xyz 123 !?" },
		{ "ÀÉÎÕÜÝÞ ß Østergaard Ærø", "aeiouyth ss ostergaard aero" },
		{ "ĀĒĪŌŪ ČŠŽ ŒŸ", "aeiou csz oey" },
		{ "ΑΘΉΝΑ ΣΟΦΊΑ", "αθηνα σοφια" },
		{ "ЁЖИК ЇЖАК", "ежик іжак" },
		{ "", "" },
		{ "already lower", "already lower" },
		/* Invalid bytes are U+FFFD. */
		{ "A\xff" "B\xc3", "a\xef\xbf\xbd" "b\xef\xbf\xbd" },
		{ NULL, NULL }
	};
	char	*s;
	size_t	 i;

	for (i = 0; cases[i].in != NULL; i++) {
		s = utf8_fold(cases[i].in);
		if (strcmp(s, cases[i].out) != 0)
			fprintf(stderr, "utf8_fold(\"%s\") = \"%s\"\n",
			    cases[i].in, s);
		CU_ASSERT_STRING_EQUAL(s, cases[i].out);
		free(s);
	}
}

/*
 * utf8_fold folds ASCII and the Latin-1 and Latin Extended-A letters
 * itself: as ICU does, letter by letter and in any string of them, so
 * that keys made either way are the same.
 */
static void
test_utf8_fold_latin(void)
{
	static const char	 ascii[] = "abcxyzABCXYZ0129 .,-'@_&/()+";
	char			 in[64], *fast, *icu;
	uint32_t		 cp, seed = 12345;
	size_t			 n, k, len;
	int			 i, bad = 0;

	for (cp = 0x80; cp < 0x180; cp++) {
		in[utf8_put(cp, in)] = '\0';
		fast = utf8_fold(in);
		icu = utf8_fold_icu(in);
		if (strcmp(fast, icu) != 0 && bad++ < 5)
			fprintf(stderr, "U+%04X: \"%s\", ICU \"%s\"\n",
			    (unsigned)cp, fast, icu);
		free(fast);
		free(icu);
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* Strings of them and of ASCII: a letter's folding is its own. */
	for (i = 0; i < 5000; i++) {
		seed = seed * 1103515245 + 12345;
		len = 1 + (seed >> 16) % 12;
		for (n = k = 0; k < len; k++) {
			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 2)
				n += utf8_put(0xc0 + (seed >> 17) % 0xc0,
				    in + n);
			else
				in[n++] = ascii[(seed >> 17) %
				    (sizeof ascii - 1)];
		}
		in[n] = '\0';
		fast = utf8_fold(in);
		icu = utf8_fold_icu(in);
		if (strcmp(fast, icu) != 0 && bad++ < 5)
			fprintf(stderr, "\"%s\": \"%s\", ICU \"%s\"\n", in,
			    fast, icu);
		free(fast);
		free(icu);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static const struct unit_test tests[] = {
	{ "id: time order", test_record_id_time_order },
	{ "id: text round trip", test_record_id_text_round_trip },
	{ "id: parse refuses", test_record_id_parse_refuses },
	{ "id: prefix_low and has_prefix", test_record_id_prefix },
	{ "id: 100k unique at one ms", test_record_id_unique },
	{ "fields: set and get", test_record_set_get },
	{ "fields: strip", test_record_strip },
	{ "fields: dup", test_record_dup },
	{ "encode: round trip", test_record_encode_round_trip },
	{ "encode: 200 fields", test_record_encode_many_fields },
	{ "encode: unknown fields survive", test_record_encode_unknown_fields },
	{ "encode: ext bytes survive", test_record_encode_ext },
	{ "decode: newer version refused", test_record_decode_newer_version },
	{ "decode: every truncation refused", test_record_decode_truncated },
	{ "decode: random garbage", test_record_decode_garbage },
	{ "decode: huge lengths", test_record_decode_huge_length },
	{ "decode: bad fields refused", test_record_decode_refuses_bad_fields },
	{ "clock: tick", test_clock_tick },
	{ "clock: observe", test_clock_observe },
	{ "clock: format", test_clock_format },
	{ "utf8: valid", test_utf8_valid },
	{ "utf8: fold", test_utf8_fold },
	{ "utf8: fold of Latin letters as ICU's", test_utf8_fold_latin },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("record", tests);
}
