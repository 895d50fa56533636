/*
 * test-wire: the frames of the sync protocol (include/wire.h): what is
 * built reads back the same, and every malformed input (a short payload,
 * a number over 64 bits, a string longer than its frame, a NUL in a
 * string, bytes left over, a frame of no known type or over the limit, a
 * greeting that is not crm's) is an error naming the frame, never a
 * crash, a read past the end or a guess. Inputs given in pieces (a pipe
 * gives what it has) read the same as whole ones.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "record.h"
#include "unit.h"
#include "wire.h"

/* A frame of type holding the bytes given. */
static struct wire_frame
frame_of(int type, const void *p, size_t n)
{
	struct wire_frame	f;

	f.type = type;
	f.len = n;
	f.data = malloc(n > 0 ? n : 1);
	if (f.data == NULL)
		abort();
	memcpy(f.data, p, n);
	return f;
}

static void
test_wire_numbers(void)
{
	static const uint64_t	 v[] = { 0, 1, 127, 128, 16383, 16384,
		UINT32_MAX, (uint64_t)1 << 62, UINT64_MAX };
	struct wire_out		 o = { 0 };
	struct wire_frame	 f;
	struct wire_in		 in;
	uint64_t		 got;
	size_t			 i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		wire_uint(&o, v[i]);
	wire_frame_take(&f, WIRE_L_END, &o);
	wire_in_init(&in, &f);
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		CU_ASSERT(wire_get_uint(&in, &got) == 0);
		CU_ASSERT(got == v[i]);
	}
	CU_ASSERT(wire_in_end(&in) == 0);
	/* One more is past the end. */
	CU_ASSERT(wire_get_uint(&in, &got) == -1);
	CU_ASSERT(unit_error_has("END frame"));
	wire_frame_free(&f);

	/* Eleven bytes of continuation: over 64 bits. */
	f = frame_of(WIRE_L_END, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f"
	    "\x01", 11);
	wire_in_init(&in, &f);
	CU_ASSERT(wire_get_uint(&in, &got) == -1);
	CU_ASSERT(unit_error_has("over 64 bits"));
	wire_frame_free(&f);
	/* Ten bytes whose last carries more than the 64th bit. */
	f = frame_of(WIRE_L_END, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02",
	    10);
	wire_in_init(&in, &f);
	CU_ASSERT(wire_get_uint(&in, &got) == -1);
	wire_frame_free(&f);
	/* A number cut off in its middle. */
	f = frame_of(WIRE_L_END, "\x80\x80", 2);
	wire_in_init(&in, &f);
	CU_ASSERT(wire_get_uint(&in, &got) == -1);
	CU_ASSERT(unit_error_has("ends inside a number"));
	/* Once failed, always failed: no later read goes on from there. */
	CU_ASSERT(wire_get_uint(&in, &got) == -1);
	wire_frame_free(&f);
	/* A bound. */
	f = frame_of(WIRE_L_END, "\x0c", 1);
	wire_in_init(&in, &f);
	CU_ASSERT(wire_get_max(&in, 11, &got) == -1);
	CU_ASSERT(unit_error_has("out of bounds"));
	wire_frame_free(&f);
}

static void
test_wire_strings(void)
{
	struct wire_out		 o = { 0 };
	struct wire_frame	 f;
	struct wire_in		 in;
	const uint8_t		*p;
	size_t			 n;
	char			*s;

	wire_str(&o, "Łódź Handel");
	wire_str(&o, "");
	wire_bytes(&o, "\0\1\2", 3);
	wire_frame_take(&f, WIRE_M_CONFLICT, &o);
	wire_in_init(&in, &f);
	CU_ASSERT(wire_get_str(&in, &s) == 0);
	CU_ASSERT_STRING_EQUAL(s, "Łódź Handel");
	free(s);
	CU_ASSERT(wire_get_str(&in, &s) == 0);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
	/* Bytes may hold a NUL; a string may not. */
	CU_ASSERT(wire_get_bytes(&in, &p, &n) == 0);
	CU_ASSERT(n == 3 && memcmp(p, "\0\1\2", 3) == 0);
	CU_ASSERT(wire_in_end(&in) == 0);
	wire_frame_free(&f);
	f = frame_of(WIRE_M_CONFLICT, "\x03" "a\0b", 4);
	wire_in_init(&in, &f);
	CU_ASSERT(wire_get_str(&in, &s) == -1);
	CU_ASSERT(unit_error_has("NUL inside a string"));
	wire_frame_free(&f);
	/* A length past the end of the frame. */
	f = frame_of(WIRE_M_CONFLICT, "\x7f" "abc", 4);
	wire_in_init(&in, &f);
	CU_ASSERT(wire_get_bytes(&in, &p, &n) == -1);
	CU_ASSERT(unit_error_has("longer than the frame"));
	wire_frame_free(&f);
	/* A length that wraps around: 2^64 - 1. */
	f = frame_of(WIRE_M_CONFLICT, "\xff\xff\xff\xff\xff\xff\xff\xff\xff"
	    "\x01" "abc", 13);
	wire_in_init(&in, &f);
	CU_ASSERT(wire_get_bytes(&in, &p, &n) == -1);
	wire_frame_free(&f);
	/* Bytes left over after the fields. */
	f = frame_of(WIRE_M_CONFLICT, "\x01" "ax", 3);
	wire_in_init(&in, &f);
	CU_ASSERT(wire_get_str(&in, &s) == 0);
	free(s);
	CU_ASSERT(wire_in_end(&in) == -1);
	CU_ASSERT(unit_error_has("left over"));
	wire_frame_free(&f);
}

static void
test_wire_records(void)
{
	struct wire_out		 o = { 0 };
	struct wire_frame	 f;
	struct wire_in		 in;
	struct record		*r, *got;
	struct record_id	 id;

	r = record_new();
	record_id_new(&r->id, 1795000000000ULL);
	r->modified = 42;
	record_set(r, "name", "Acme", 7);
	record_set(r, "text", "two\nlines", 8);
	wire_id(&o, &r->id);
	wire_record(&o, r);
	wire_frame_take(&f, WIRE_M_FEED, &o);
	wire_in_init(&in, &f);
	CU_ASSERT(wire_get_id(&in, &id) == 0);
	CU_ASSERT(record_id_cmp(&id, &r->id) == 0);
	CU_ASSERT(wire_get_record(&in, &got) == 0);
	CU_ASSERT(wire_in_end(&in) == 0);
	CU_ASSERT(record_id_cmp(&got->id, &r->id) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(got, "text"), "two\nlines");
	CU_ASSERT(record_field(got, "name")->stamp == 7);
	record_free(got);
	wire_frame_free(&f);
	/* A record that does not decode: the frame is named. */
	f = frame_of(WIRE_M_FEED, "\x03" "\x01\x00\x05", 4);
	wire_in_init(&in, &f);
	CU_ASSERT(wire_get_record(&in, &got) == -1);
	CU_ASSERT(unit_error_has("FEED frame"));
	CU_ASSERT(unit_error_has("its record"));
	wire_frame_free(&f);
	/* An ID cut short. */
	f = frame_of(WIRE_M_LEFT, "0123456789", 10);
	wire_in_init(&in, &f);
	CU_ASSERT(wire_get_id(&in, &id) == -1);
	CU_ASSERT(unit_error_has("inside an ID"));
	wire_frame_free(&f);
	record_free(r);
}

/* The frames of a stream, fed step bytes at a time. */
static void
test_wire_reader(void)
{
	struct wire_out		 o = { 0 }, p = { 0 };
	struct wire_frame	 f, a, b;
	struct wire_reader	 rd = { 0 };
	char			*line;
	size_t			 step, off, n;
	int			 got, ret;

	wire_str(&p, "hello");
	wire_frame_take(&a, WIRE_L_HELLO, &p);
	b.type = WIRE_L_COMMIT;
	b.data = NULL;
	b.len = 0;
	memcpy(o.p = malloc(64), "crm-sync 1 1 crm test\n", 22);
	o.len = 22;
	o.cap = 64;
	wire_frame_put(&o, &a);
	wire_frame_put(&o, &b);
	for (step = 1; step <= o.len; step++) {
		memset(&rd, 0, sizeof rd);
		got = 0;
		line = NULL;
		for (off = 0; off < o.len; off += n) {
			n = o.len - off < step ? o.len - off : step;
			wire_reader_feed(&rd, o.p + off, n);
			if (line == NULL) {
				ret = wire_reader_line(&rd, &line);
				CU_ASSERT(ret != -1);
				if (ret == 0)
					continue;
				CU_ASSERT_STRING_EQUAL(line,
				    "crm-sync 1 1 crm test");
			}
			while ((ret = wire_reader_next(&rd, &f)) == 1) {
				if (got == 0) {
					CU_ASSERT(f.type == WIRE_L_HELLO);
					CU_ASSERT(f.len == a.len &&
					    memcmp(f.data, a.data, a.len) == 0);
				} else
					CU_ASSERT(f.type == WIRE_L_COMMIT &&
					    f.len == 0);
				got++;
				wire_frame_free(&f);
			}
			CU_ASSERT(ret == 0);
		}
		CU_ASSERT(got == 2);
		free(line);
		wire_reader_free(&rd);
	}
	free(o.p);
	wire_frame_free(&a);

	/* A type neither side sends. */
	memset(&rd, 0, sizeof rd);
	wire_reader_feed(&rd, "\x63\0\0\0\0", 5);
	CU_ASSERT(wire_reader_next(&rd, &f) == -1);
	CU_ASSERT(unit_error_has("unknown type 99"));
	wire_reader_free(&rd);
	/* A length over the limit is refused before anything is read. */
	memset(&rd, 0, sizeof rd);
	wire_reader_feed(&rd, "\x02\x7f\xff\xff\xff", 5);
	CU_ASSERT(wire_reader_next(&rd, &f) == -1);
	CU_ASSERT(unit_error_has("over the limit"));
	wire_reader_free(&rd);
	/* A greeting line that never ends. */
	memset(&rd, 0, sizeof rd);
	for (n = 0; n < WIRE_GREETING_MAX; n++)
		wire_reader_feed(&rd, "x", 1);
	CU_ASSERT(wire_reader_line(&rd, &line) == -1);
	free(line);
	wire_reader_free(&rd);
}

static void
test_wire_greeting(void)
{
	int	v;

	/* Our own. */
	CU_ASSERT(strncmp(wire_greeting(), "crm-sync ", 9) == 0);
	CU_ASSERT(wire_greeting()[strlen(wire_greeting()) - 1] == '\n');
	CU_ASSERT(wire_greeting_check("crm-sync 1 1 crm 0.1.0", "host",
	    &v) == 0 && v == 1);
	/* A newer crm that still speaks ours. */
	CU_ASSERT(wire_greeting_check("crm-sync 1 3 crm 2.0", "host",
	    &v) == 0 && v == WIRE_VERSION);
	/* None in common: both ranges said, and what to do. */
	CU_ASSERT(wire_greeting_check("crm-sync 2 3 crm 2.0", "office",
	    &v) == -1);
	CU_ASSERT(unit_error_has("office speaks the sync protocol 2 to 3"));
	CU_ASSERT(unit_error_has("install the same version"));
	/* A banner, a shell's message, garbage: quoted, shown safely. */
	CU_ASSERT(wire_greeting_check("Welcome to Ubuntu", "office",
	    &v) == -1);
	CU_ASSERT(unit_error_has("office did not answer as crm does"));
	CU_ASSERT(unit_error_has("\"Welcome to Ubuntu\""));
	CU_ASSERT(wire_greeting_check("crm-sync x y", "h", &v) == -1);
	CU_ASSERT(wire_greeting_check("crm-sync 3 1 crm", "h", &v) == -1);
	CU_ASSERT(wire_greeting_check("\x1b[31mred\x07", "h", &v) == -1);
	CU_ASSERT(unit_error_has("\"?[31mred?\""));
}

static const struct unit_test tests[] = {
	{ "numbers", test_wire_numbers },
	{ "strings and bytes", test_wire_strings },
	{ "records and IDs", test_wire_records },
	{ "frames from a stream, in pieces", test_wire_reader },
	{ "greetings", test_wire_greeting },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("wire", tests);
}
