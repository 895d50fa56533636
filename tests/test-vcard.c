/* test-vcard: reading and writing vCard (4.0 written; 4.0, 3.0, 2.1 read). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "unit.h"
#include "utf8.h"
#include "vcard.h"
#include "xmalloc.h"

/* All the cards of a text, read from a scratch file. */
static int
read_all(const char *text, struct vcard **cards, size_t max, size_t *n)
{
	struct vcard_reader	*rd;
	const char		*path = unit_write("in.vcf", text);
	int			 ret;

	*n = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd = vcard_open(path));
	while (*n < max && (ret = vcard_next(rd, &cards[*n])) == 0)
		(*n)++;
	vcard_close(rd);
	return *n == max ? 0 : ret;
}

static void
free_all(struct vcard **cards, size_t n)
{
	while (n > 0)
		vcard_free(cards[--n]);
}

/* The unescaped text of a card's first property called name, or NULL. */
static char *
text_of(const struct vcard *c, const char *name)
{
	const struct vcard_prop	*p;
	size_t			 from = 0;

	if ((p = vcard_find(c, name, &from)) == NULL)
		return NULL;
	return vcard_text(p->value);
}

#define CHECK_TEXT(c, name, want) do {					\
	char	*_v = text_of((c), (name));				\
	CU_ASSERT_PTR_NOT_NULL(_v);					\
	if (_v != NULL) {						\
		CU_ASSERT_STRING_EQUAL(_v, (want));			\
		free(_v);						\
	}								\
} while (0)

static void
test_escape(void)
{
	char	*s, **parts;
	size_t	 n;

	s = vcard_escape("a\\b;c,d\ne\r\nf\rg");
	CU_ASSERT_STRING_EQUAL(s, "a\\\\b\\;c\\,d\\ne\\nf\\ng");
	free(s);
	s = vcard_text("a\\\\b\\;c\\,d\\ne\\Nf\\:g\\x");
	CU_ASSERT_STRING_EQUAL(s, "a\\b;c,d\ne\nf:g\\x");
	free(s);
	/* A structured value splits on unescaped semicolons only. */
	parts = vcard_split("Berg\\; jr.;Anna;;Dr.;", &n);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_STRING_EQUAL(parts[0], "Berg; jr.");
	CU_ASSERT_STRING_EQUAL(parts[1], "Anna");
	CU_ASSERT_STRING_EQUAL(parts[2], "");
	CU_ASSERT_STRING_EQUAL(parts[3], "Dr.");
	CU_ASSERT_STRING_EQUAL(parts[4], "");
	CU_ASSERT_PTR_NULL(parts[5]);
	vcard_strings_free(parts);
	parts = vcard_split("", &n);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(parts[0], "");
	vcard_strings_free(parts);
}

/* Folding a long UTF-8 line: 75 octets at most, never inside a character. */
static void
test_fold_utf8(void)
{
	char	*buf = NULL, *line, *p, *end, *joined;
	size_t	 len = 0, i;
	FILE	*f;
	int	 lines = 0;

	/* "NOTE:" and 90 two-byte and three-byte characters, mixed. */
	line = xstrdup("NOTE:");
	for (i = 0; i < 90; i++) {
		xasprintf(&p, "%s%s", line, i % 3 == 0 ? "\xe2\x82\xac" :
		    "\xc3\xa4");
		free(line);
		line = p;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = open_memstream(&buf, &len));
	CU_ASSERT_EQUAL(vcard_put_line(f, line), 0);
	fclose(f);
	free(line);
	joined = xstrdup("");
	for (p = buf; *p != '\0'; p = end + 2) {
		end = strstr(p, "\r\n");
		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		/* Every physical line: at most 75 octets, whole characters. */
		CU_ASSERT((size_t)(end - p) <= 75);
		/* Cut no earlier than a character boundary requires. */
		if (end[2] != '\0')
			CU_ASSERT((size_t)(end - p) >= 73);
		CU_ASSERT(utf8_valid(p, (size_t)(end - p)));
		if (lines > 0)
			CU_ASSERT_EQUAL(*p, ' ');
		xasprintf(&line, "%s%.*s", joined, (int)(end - p -
		    (lines > 0)), p + (lines > 0));
		free(joined);
		joined = line;
		lines++;
		if (end[2] == '\0')
			break;
	}
	CU_ASSERT(lines >= 3);
	/* No lone LF: every line ends CRLF. */
	for (p = buf; *p != '\0'; p++) {
		if (*p == '\n')
			CU_ASSERT(p > buf && p[-1] == '\r');
	}
	/* Unfolded, it is the line again. */
	CU_ASSERT_EQUAL(strncmp(joined, "NOTE:", 5), 0);
	CU_ASSERT_EQUAL(strlen(joined), 5 + 30 * 3 + 60 * 2);
	free(joined);
	/* A short line is not folded. */
	free(buf);
	buf = NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = open_memstream(&buf, &len));
	vcard_put_line(f, "FN:Anna Berg");
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf, "FN:Anna Berg\r\n");
	free(buf);
}

/* What crm writes, it reads back: every value, escaped and folded. */
static void
test_round_trip(void)
{
	static const char *const n[5] = { "\xc3\x85ngstr\xc3\xb6m", "Zo\xc3\xab",
	    "", "", "" };
	static const char *const adr[7] = { "", "", "Storgatan 1; 3 tr",
	    "Stockholm", "", "", "Sweden" };
	const char	*note = "line one\nline two, with a comma; a semicolon "
	    "and a \\ backslash, and text long enough to be folded: \xc3\x84"
	    "\xc3\x96\xc3\x9c \xe2\x82\xac\xe2\x82\xac \xf0\x9f\x98\x80 end";
	struct vcard	*cards[4];
	const struct vcard_prop *p;
	char		*buf = NULL, **parts;
	size_t		 len = 0, k, from;
	FILE		*f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f = open_memstream(&buf, &len));
	vcard_put_line(f, "BEGIN:VCARD");
	vcard_put_line(f, "VERSION:4.0");
	vcard_put_text(f, "FN", "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m");
	vcard_put_struct(f, "N", n, 5);
	vcard_put_text(f, "ORG", "Acme, Inc.");
	vcard_put_text(f, "TEL;TYPE=work,voice", "+46 8 123");
	vcard_put_text(f, "TEL;TYPE=cell", "+46 70 456");
	vcard_put_text(f, "TITLE", "");		/* empty: not written */
	vcard_put_struct(f, "ADR;TYPE=work", adr, 7);
	vcard_put_text(f, "NOTE", note);
	vcard_put_line(f, "END:VCARD");
	vcard_put_line(f, "BEGIN:VCARD");
	vcard_put_line(f, "VERSION:4.0");
	vcard_put_text(f, "FN", "Second");
	vcard_put_line(f, "END:VCARD");
	fclose(f);
	CU_ASSERT_PTR_NULL(strstr(buf, "TITLE"));

	CU_ASSERT_EQUAL(read_all(buf, cards, 4, &k), 1);
	CU_ASSERT_EQUAL_FATAL(k, 2);
	CU_ASSERT_EQUAL(cards[0]->version, 40);
	CU_ASSERT_EQUAL(cards[0]->line, 1);
	CHECK_TEXT(cards[0], "FN", "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m");
	CHECK_TEXT(cards[0], "ORG", "Acme, Inc.");
	CHECK_TEXT(cards[0], "NOTE", note);
	from = 0;
	p = vcard_find(cards[0], "N", &from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	parts = vcard_split(p->value, &k);
	CU_ASSERT_EQUAL(k, 5);
	CU_ASSERT_STRING_EQUAL(parts[0], n[0]);
	CU_ASSERT_STRING_EQUAL(parts[1], n[1]);
	vcard_strings_free(parts);
	from = 0;
	p = vcard_find(cards[0], "ADR", &from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(vcard_has_type(p, "work"));
	parts = vcard_split(p->value, &k);
	CU_ASSERT_EQUAL(k, 7);
	CU_ASSERT_STRING_EQUAL(parts[2], "Storgatan 1; 3 tr");
	CU_ASSERT_STRING_EQUAL(parts[3], "Stockholm");
	CU_ASSERT_STRING_EQUAL(parts[6], "Sweden");
	vcard_strings_free(parts);
	from = 0;
	p = vcard_find(cards[0], "TEL", &from);
	CU_ASSERT(vcard_has_type(p, "work"));
	CU_ASSERT(vcard_has_type(p, "voice"));
	CU_ASSERT(!vcard_has_type(p, "cell"));
	p = vcard_find(cards[0], "TEL", &from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(vcard_has_type(p, "CELL"));
	CU_ASSERT_STRING_EQUAL(p->value, "+46 70 456");
	CU_ASSERT_PTR_NULL(vcard_find(cards[0], "TEL", &from));
	CHECK_TEXT(cards[1], "FN", "Second");
	free_all(cards, 2);
	free(buf);
}

/* 2.1 as phones send it: bare types, quoted-printable, charsets. */
static void
test_v21(void)
{
	struct vcard		*cards[4];
	const struct vcard_prop	*p;
	size_t			 n, from;

	CU_ASSERT_EQUAL(read_all(
	    "BEGIN:VCARD\r\n"
	    "VERSION:2.1\r\n"
	    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\r\n"
	    "TEL;CELL;VOICE:+49 170 1\r\n"
	    "TEL;WORK:+49 30 2\r\n"
	    "EMAIL;PREF;INTERNET:j@example.de\r\n"
	    "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:first line=0D=0A=\r\n"
	    "second line with =C3=A4 and =3D sign=\r\n"
	    " and more\r\n"
	    "ADR;HOME;QUOTED-PRINTABLE:;;Hauptstra=C3=9Fe 1;Berlin;;;\r\n"
	    "END:VCARD\r\n"
	    "BEGIN:VCARD\r\n"
	    "VERSION:2.1\r\n"
	    "N;CHARSET=ISO-8859-1:Stra\xdf" "e;Anna\r\n"
	    "FN:Ren\xe9 Z\xfcrich\r\n"
	    "END:VCARD\r\n", cards, 4, &n), 1);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(cards[0]->version, 21);
	CHECK_TEXT(cards[0], "N", "M\xc3\xbcller;J\xc3\xbcrgen");
	from = 0;
	p = vcard_find(cards[0], "TEL", &from);
	CU_ASSERT(vcard_has_type(p, "cell"));
	CU_ASSERT(vcard_has_type(p, "voice"));
	p = vcard_find(cards[0], "TEL", &from);
	CU_ASSERT(vcard_has_type(p, "work"));
	CU_ASSERT(!vcard_has_type(p, "cell"));
	from = 0;
	p = vcard_find(cards[0], "EMAIL", &from);
	CU_ASSERT(vcard_has_type(p, "pref"));
	CU_ASSERT(vcard_has_type(p, "internet"));
	/* Soft line breaks join; =0D=0A is a newline; 2.1 keeps the space. */
	CHECK_TEXT(cards[0], "NOTE", "first line\nsecond line with \xc3\xa4 "
	    "and = sign and more");
	from = 0;
	p = vcard_find(cards[0], "ADR", &from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->value, ";;Hauptstra\xc3\x9f" "e 1;Berlin;;;");
	CU_ASSERT_STRING_EQUAL(vcard_param(p, "ENCODING"), "QUOTED-PRINTABLE");
	/* Latin-1, named or not, becomes UTF-8. */
	CHECK_TEXT(cards[1], "N", "Stra\xc3\x9f" "e;Anna");
	CHECK_TEXT(cards[1], "FN", "Ren\xc3\xa9 Z\xc3\xbcrich");
	CU_ASSERT(!cards[1]->props[1].bad_utf8);
	free_all(cards, n);
}

/* 3.0: folding with a tab, groups, repeated and quoted parameters. */
static void
test_v30(void)
{
	struct vcard		*cards[4];
	const struct vcard_prop	*p;
	size_t			 n, from;

	CU_ASSERT_EQUAL(read_all(
	    "\xef\xbb\xbf" "begin:vcard\n"
	    "version:3.0\n"
	    "fn:Anna\n"
	    "  Berg\n"
	    "item1.EMAIL;type=INTERNET;type=WORK:anna@\n"
	    "\texample.com\n"
	    "X-NOTE;LABEL=\"a: b; c\";X-RFC6868=\"^'x^' ^^\":v\n"
	    "NOTE:non-UTF-8 \xff here\n"
	    "end:vcard\n"
	    "\n"
	    "BEGIN:VCARD\n"
	    "FN:No version\n"
	    "END:VCARD\n", cards, 4, &n), 1);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(cards[0]->version, 30);
	CHECK_TEXT(cards[0], "FN", "Anna Berg");
	from = 0;
	p = vcard_find(cards[0], "EMAIL", &from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->value, "anna@example.com");
	CU_ASSERT_EQUAL(p->line, 5);
	CU_ASSERT(vcard_has_type(p, "work"));
	CU_ASSERT(vcard_has_type(p, "internet"));
	from = 0;
	p = vcard_find(cards[0], "X-NOTE", &from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(vcard_param(p, "LABEL"), "a: b; c");
	CU_ASSERT_STRING_EQUAL(vcard_param(p, "x-rfc6868"), "\"x\" ^");
	CU_ASSERT_STRING_EQUAL(p->value, "v");
	from = 0;
	p = vcard_find(cards[0], "NOTE", &from);
	CU_ASSERT(p->bad_utf8);
	/* A card without VERSION is read as 3.0. */
	CU_ASSERT_EQUAL(cards[1]->version, 30);
	CHECK_TEXT(cards[1], "FN", "No version");
	free_all(cards, n);
}

/* One clear message, naming the file and the line. */
static void
bad(const char *text, const char *want, size_t good)
{
	struct vcard	*cards[4];
	size_t		 n;

	CU_ASSERT_EQUAL(read_all(text, cards, 4, &n), -1);
	CU_ASSERT_EQUAL(n, good);
	if (!unit_error_has(want))
		fprintf(stderr, "\nwanted \"%s\" in \"%s\"\n", want,
		    error_get());
	CU_ASSERT(unit_error_has(want));
	CU_ASSERT(unit_error_has("in.vcf"));
	free_all(cards, n);
}

static void
test_malformed(void)
{
	bad("name,email\nAnna,a@b.c\n", "in.vcf line 1: this is not a vCard "
	    "file", 0);
	bad("BEGIN:VCARD\nFN:A\nEND:VCARD\nBEGIN:VCARD\nFN:B\n",
	    "line 5: the card begun on line 4 has no END:VCARD", 1);
	bad("BEGIN:VCARD\nFN:A\nBEGIN:VCARD\nFN:B\nEND:VCARD\n",
	    "line 3: BEGIN:VCARD inside the card begun on line 1", 0);
	bad("BEGIN:VCARD\nVERSION:3.0\nFN Anna\nEND:VCARD\n",
	    "line 3: \"FN Anna\" has no ':'", 0);
	bad("BEGIN:VCARD\nVERSION:5.0\nEND:VCARD\n",
	    "line 2: vCard version \"5.0\"", 0);
	bad("BEGIN:VCARD\nEND:VCARD\nFN:stray\n",
	    "line 3: \"FN:stray\" outside a card", 1);
	bad("BEGIN:VCARD\nNOTE;X=\"open:x\nEND:VCARD\n",
	    "line 2: no ':' after the parameters", 0);
	bad("BEGIN:VCARD\n;X=1:v\nEND:VCARD\n", "line 2: a line with no "
	    "property name", 0);
	{
		/* A NUL byte: not text. */
		const char	*path;
		FILE		*f;
		struct vcard_reader *rd;
		struct vcard	*c;

		path = unit_path("nul.vcf");
		f = fopen(path, "wb");
		fwrite("BEGIN:VCARD\nFN:a\0b\nEND:VCARD\n", 1, 29, f);
		fclose(f);
		rd = vcard_open(path);
		CU_ASSERT_EQUAL(vcard_next(rd, &c), -1);
		CU_ASSERT(unit_error_has("nul.vcf line 2: a NUL byte"));
		/* An error is final. */
		CU_ASSERT_EQUAL(vcard_next(rd, &c), -1);
		vcard_close(rd);
	}
	CU_ASSERT_PTR_NULL(vcard_open(unit_path("missing.vcf")));
	CU_ASSERT(unit_error_has("missing.vcf"));
}

static const struct unit_test tests[] = {
	{ "escape", test_escape },
	{ "fold_utf8", test_fold_utf8 },
	{ "round_trip", test_round_trip },
	{ "v21_quoted_printable", test_v21 },
	{ "v30", test_v30 },
	{ "malformed", test_malformed },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("vcard", tests);
}
