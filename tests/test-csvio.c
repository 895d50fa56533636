/* test-csvio: reading and writing CSV. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "error.h"
#include "unit.h"
#include "xmalloc.h"

/* Write bytes (NULs and all) to a scratch file; returns its path. */
static const char *
write_bytes(const char *name, const char *data, size_t len)
{
	const char	*path;
	FILE		*f;

	path = unit_path(name);
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	fwrite(data, 1, len, f);
	fclose(f);
	return path;
}

/*
 * Read a whole file into one string, a row a line: "3:<a><b>\n" for a row
 * of fields a and b starting on line 3, then "E:<message>" (with the path
 * written FILE) if reading stops on an error. The caller frees it.
 */
static char *
dump_reader(struct csvio_reader *r, const char *path)
{
	char			**fields, *out, *tmp;
	const char		*msg;
	size_t			 n, i, plen;
	int			 rc;

	out = xstrdup("");
	while ((rc = csvio_next(r, &fields, &n)) == 0) {
		CU_ASSERT_PTR_NULL(fields[n]);
		xasprintf(&tmp, "%s%lu:", out, csvio_line(r));
		free(out);
		out = tmp;
		for (i = 0; i < n; i++) {
			xasprintf(&tmp, "%s<%s>", out, fields[i]);
			free(out);
			out = tmp;
		}
		xasprintf(&tmp, "%s\n", out);
		free(out);
		out = tmp;
	}
	if (rc == -1) {
		msg = error_get();
		plen = strlen(path);
		if (strncmp(msg, path, plen) == 0)
			xasprintf(&tmp, "%sE:FILE%s", out, msg + plen);
		else
			xasprintf(&tmp, "%sE:%s", out, msg);
		free(out);
		out = tmp;
		/* An error is final. */
		CU_ASSERT_EQUAL(csvio_next(r, &fields, &n), -1);
	} else
		CU_ASSERT_EQUAL(csvio_next(r, &fields, &n), 1);
	csvio_close(r);
	return out;
}

/* dump_reader of a file opened as UTF-8 with commas (csvio_open). */
static char *
dump(const char *path)
{
	struct csvio_reader	*r;

	if ((r = csvio_open(path)) == NULL)
		return xstrdup("open failed");
	return dump_reader(r, path);
}

/*
 * dump_reader of bytes opened with csvio_open_with, after a line
 * "ENCODING SEP:" saying what the reader took them for (SEP "tab" for a
 * tab); an error at the opening is "E:message".
 */
static char *
dump_with(const char *data, size_t len, const char *encoding, int sep)
{
	struct csvio_reader	*r;
	const char		*path = write_bytes("with.csv", data, len);
	char			*head, *rows, *out, s[8];

	if ((r = csvio_open_with(path, encoding, sep)) == NULL) {
		xasprintf(&out, "E:%s", error_get());
		return out;
	}
	if (csvio_separator(r) == '\t')
		snprintf(s, sizeof s, "tab");
	else
		snprintf(s, sizeof s, "%c", csvio_separator(r));
	xasprintf(&head, "%s %s:", csvio_encoding(r), s);
	rows = dump_reader(r, path);
	xasprintf(&out, "%s\n%s", head, rows);
	free(head);
	free(rows);
	return out;
}

/* Check what bytes read as with csvio_open_with. */
static void
check_with(const char *data, size_t len, const char *encoding, int sep,
    const char *expected)
{
	char	*got = dump_with(data, len, encoding, sep);

	CU_ASSERT_STRING_EQUAL(got, expected);
	if (strcmp(got, expected) != 0)
		fprintf(stderr, "\n--- expected\n%s\n--- got\n%s\n", expected,
		    got);
	free(got);
}
#define CHECK_WITH(data, enc, sep, expected) \
	check_with(data, sizeof data - 1, enc, sep, expected)

/* Check that a file's contents read as expected. */
static void
check(const char *text, const char *expected)
{
	char	*got;

	got = dump(write_bytes("in.csv", text, strlen(text)));
	CU_ASSERT_STRING_EQUAL(got, expected);
	if (strcmp(got, expected) != 0)
		fprintf(stderr, "\n--- expected\n%s\n--- got\n%s\n", expected,
		    got);
	free(got);
}

static void
test_simple(void)
{
	check("name,phone,city\nAcme,555-0100,Lyon\nBeta,,\n",
	    "1:<name><phone><city>\n"
	    "2:<Acme><555-0100><Lyon>\n"
	    "3:<Beta><><>\n");
	/* No newline at the end. */
	check("a,b\nc,d", "1:<a><b>\n2:<c><d>\n");
	/* One field. */
	check("x\n", "1:<x>\n");
}

static void
test_empty(void)
{
	check("", "");
	check("\n\n", "");
	check("\r\n  \r\n", "");
}

static void
test_quoted(void)
{
	check("\"Acme, Inc.\",\"say \"\"hi\"\"\",plain\n",
	    "1:<Acme, Inc.><say \"hi\"><plain>\n");
	check("\"\",\"\"\"\",\",\"\n", "1:<><\"><,>\n");
	/* Embedded LF and CRLF. */
	check("\"one\ntwo\",x\n\"three\r\nfour\",y\r\n",
	    "1:<one\ntwo><x>\n3:<three\r\nfour><y>\n");
	/* A quoted field at the end with no newline. */
	check("a,\"b\"", "1:<a><b>\n");
}

static void
test_multiline_lines(void)
{
	check("name,note\n"
	    "Acme,\"first\nsecond\n\nfourth\"\n"
	    "Beta,short\n"
	    "\"x\ny\",\"z\r\nw\"\r\n"
	    "Gamma,last\n",
	    "1:<name><note>\n"
	    "2:<Acme><first\nsecond\n\nfourth>\n"
	    "6:<Beta><short>\n"
	    "7:<x\ny><z\r\nw>\n"
	    "10:<Gamma><last>\n");
	/* A row whose second field starts on a later line. */
	check("\"a\nb\",\"c\nd\"\ne,f\n", "1:<a\nb><c\nd>\n4:<e><f>\n");
}

static void
test_blank_lines(void)
{
	check("\na,b\n\n\nc,d\n   \n\te,f\n\n\n",
	    "2:<a><b>\n5:<c><d>\n7:<e><f>\n");
	check("a\r\n\r\nb\r\n\r\n\r\n", "1:<a>\n3:<b>\n");
}

static void
test_crlf(void)
{
	check("name,phone\r\nAcme,1\r\n,\r\nBeta,2",
	    "1:<name><phone>\n2:<Acme><1>\n3:<><>\n4:<Beta><2>\n");
	/* A lone CR ends a line too. */
	check("a\rb\r\rc", "1:<a>\n2:<b>\n4:<c>\n");
}

static void
test_spaces(void)
{
	/* As libcsv does: spaces around unquoted fields and quotes go. */
	check("  a  ,\" b \" , c\td\t\n", "1:<a>< b ><c\td>\n");
}

static void
test_bom(void)
{
	check("\xef\xbb\xbfname,city\r\nZo\xc3\xab,Lyon\r\n",
	    "1:<name><city>\n2:<Zo\xc3\xab><Lyon>\n");
	check("\xef\xbb\xbf", "");
	/* Only at the start. */
	check("a\n\xef\xbb\xbf" "b\n", "1:<a>\n2:<\xef\xbb\xbf" "b>\n");
}

static void
test_utf8_names(void)
{
	check("first,last,city\n"
	    "Zo\xc3\xab,\xc3\x85ngstr\xc3\xb6m,\xc5\x81\xc3\xb3" "d\xc5\xba\n"
	    "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd,\"\xd0\x9f\xd0\xb5\xd1\x82"
	    "\xd1\x80\xd0\xbe\xd0\xb2, \xd0\xbc\xd0\xbb.\","
	    "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0\n"
	    "\xe5\xb1\xb1\xe7\x94\xb0,\xf0\x9f\x98\x80,\xe6\x9d\xb1\xe4\xba\xac\n",
	    "1:<first><last><city>\n"
	    "2:<Zo\xc3\xab><\xc3\x85ngstr\xc3\xb6m><\xc5\x81\xc3\xb3"
	    "d\xc5\xba>\n"
	    "3:<\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd><\xd0\x9f\xd0\xb5\xd1\x82"
	    "\xd1\x80\xd0\xbe\xd0\xb2, \xd0\xbc\xd0\xbb.>"
	    "<\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0>\n"
	    "4:<\xe5\xb1\xb1\xe7\x94\xb0><\xf0\x9f\x98\x80>"
	    "<\xe6\x9d\xb1\xe4\xba\xac>\n");
}

static void
test_unterminated(void)
{
	check("a,b\n1,2\n\"open,3\n4,5\n",
	    "1:<a><b>\n2:<1><2>\nE:FILE line 3: unterminated quoted field");
	check("a,b\n1,\"x", "1:<a><b>\nE:FILE line 2: unterminated quoted field");
}

static void
test_unterminated_line(void)
{
	struct csvio_reader	*r;
	char			**fields;
	size_t			 n;
	const char		*path;

	path = unit_write("in.csv", "h\r\nx\r\n\"y\r\n");
	r = csvio_open(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(csvio_line(r), 0);
	CU_ASSERT_EQUAL(csvio_next(r, &fields, &n), 0);
	CU_ASSERT_EQUAL(csvio_line(r), 1);
	CU_ASSERT_EQUAL(csvio_next(r, &fields, &n), 0);
	CU_ASSERT_EQUAL(csvio_line(r), 2);
	CU_ASSERT_EQUAL(csvio_next(r, &fields, &n), -1);
	CU_ASSERT_EQUAL(csvio_line(r), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(error_get(),
	    "in.csv line 3: unterminated quoted field"));
	csvio_close(r);
}

/* What a file read as UTF-8 says when it is not: how to read it. */
#define NOT_UTF8	"not UTF-8 text (give the file's encoding with " \
			"--encoding, e.g. windows-1252)"

static void
test_bad_utf8(void)
{
	static const char	 nul[] = "a,b\nx,y\nc,d\0e\n";
	char			*got;

	check("name,city\nok,Lyon\n\xff\xfe,Paris\nnext,Nice\n",
	    "1:<name><city>\n2:<ok><Lyon>\nE:FILE line 3: " NOT_UTF8);
	/* Latin-1, a truncated sequence, an overlong encoding. */
	check("Zo\xeb\n", "E:FILE line 1: " NOT_UTF8);
	check("a\nb,\"x\ny\xc3\"\n", "1:<a>\nE:FILE line 2: " NOT_UTF8);
	check("\xc0\xaf\n", "E:FILE line 1: " NOT_UTF8);
	/* In the last field of a file with no newline at the end. */
	check("a\nb,\xe2\x82", "1:<a>\nE:FILE line 2: " NOT_UTF8);
	/*
	 * A NUL byte is no text either, in any encoding: another encoding
	 * would not help, so none is proposed.
	 */
	got = dump(write_bytes("nul.csv", nul, sizeof nul - 1));
	CU_ASSERT_STRING_EQUAL(got, "1:<a><b>\n2:<x><y>\nE:FILE line 3: "
	    "a NUL character, which text does not hold");
	free(got);
}

static void
test_missing(void)
{
	const char	*path;
	char		*want;

	path = unit_path("contacts.csv");
	CU_ASSERT_PTR_NULL(csvio_open(path));
	xasprintf(&want, "cannot open %s: No such file or directory", path);
	CU_ASSERT_STRING_EQUAL(error_get(), want);
	free(want);
}

static void
test_stray_quote(void)
{
	check("a,b\nab\"c,1\n",
	    "1:<a><b>\nE:FILE line 2: a quote inside an unquoted field "
	    "(quote the whole field and double the quote)");
	check("a,b\nx,y\n\"q\"r,1\n",
	    "1:<a><b>\n2:<x><y>\nE:FILE line 3: text after a closing quote "
	    "(a quote inside a quoted field must be doubled)");
	check("a,b\nx,\"he said \"hi\" there\"\n",
	    "1:<a><b>\nE:FILE line 2: text after a closing quote "
	    "(a quote inside a quoted field must be doubled)");
	/* The line of the quote, and where its row starts. */
	check("a,b\nx,\"one\ntwo \"three\" four\"\n",
	    "1:<a><b>\nE:FILE line 3: text after a closing quote "
	    "(a quote inside a quoted field must be doubled; the row starts "
	    "on line 2)");
}

static void
test_row_too_long(void)
{
	const char	*path;
	FILE		*f;
	char		*got;
	int		 i;

	/* A quote left open swallows the file: stop at CSVIO_ROW_MAX. */
	path = unit_path("open.csv");
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs("name,note\nAcme,\"never closed\n", f);
	for (i = 0; i < 100000; i++)
		fprintf(f, "Company %d,some note about it\n", i);
	fclose(f);
	got = dump(path);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "E:FILE line 2: a row longer than"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "is a closing quote missing?"));
	free(got);
}

/* Write rows, read them back: they come back equal. */
static void
test_round_trip(void)
{
	static const char *const rows[][4] = {
		{ "plain", "with, comma", "say \"hi\"", "" },
		{ " lead", "trail ", "\ttab", "tab\t" },
		{ "multi\nline", "cr\r\nlf", "lone\rcr", "\"" },
		{ "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m", "\xc5\x81\xc3\xb3" "d\xc5\xba",
		  "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0", "," },
		{ "\"\"", "a\"\"b", "   ", "end\n" },
		{ "", "", "", "" },
	};
	static const char *const one[] = { "" };
	static const char *const with_null[] = { "a", NULL, "c" };
	struct csvio_reader	*r;
	const char		*path;
	char			**fields;
	size_t			 n, i, j, nrows = sizeof rows / sizeof rows[0];
	FILE			*f;

	path = unit_path("out.csv");
	f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (i = 0; i < nrows; i++)
		CU_ASSERT_EQUAL(csvio_write_row(f, rows[i], 4), 0);
	CU_ASSERT_EQUAL(csvio_write_row(f, one, 1), 0);
	CU_ASSERT_EQUAL(csvio_write_row(f, with_null, 3), 0);
	CU_ASSERT_EQUAL(fclose(f), 0);

	r = csvio_open(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	for (i = 0; i < nrows; i++) {
		CU_ASSERT_EQUAL_FATAL(csvio_next(r, &fields, &n), 0);
		CU_ASSERT_EQUAL_FATAL(n, 4);
		for (j = 0; j < 4; j++)
			CU_ASSERT_STRING_EQUAL(fields[j], rows[i][j]);
	}
	CU_ASSERT_EQUAL_FATAL(csvio_next(r, &fields, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_STRING_EQUAL(fields[0], "");
	CU_ASSERT_EQUAL_FATAL(csvio_next(r, &fields, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_STRING_EQUAL(fields[0], "a");
	CU_ASSERT_STRING_EQUAL(fields[1], "");
	CU_ASSERT_STRING_EQUAL(fields[2], "c");
	CU_ASSERT_EQUAL(csvio_next(r, &fields, &n), 1);
	csvio_close(r);
}

/* The exact bytes written. */
static void
test_write_format(void)
{
	static const char *const row[] = {
		"a", "b,c", "d\"e", " f", "", "g\nh", "Zo\xc3\xab"
	};
	char	buf[256];
	FILE	*f;
	size_t	 len;

	f = fopen(unit_path("w.csv"), "w+b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(csvio_write_row(f, row, 7), 0);
	CU_ASSERT_EQUAL(csvio_write_row(f, row, 0), 0);
	rewind(f);
	len = fread(buf, 1, sizeof buf - 1, f);
	buf[len] = '\0';
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf,
	    "a,\"b,c\",\"d\"\"e\",\" f\",,\"g\nh\",Zo\xc3\xab\r\n\r\n");
}

static void
test_write_error(void)
{
	static const char *const row[] = { "a", "b" };
	FILE	*f;

	/* /dev/full fails every write; unbuffered, it fails at once. */
	if ((f = fopen("/dev/full", "w")) == NULL)
		return;
	setvbuf(f, NULL, _IONBF, 0);
	error_clear();
	CU_ASSERT_EQUAL(csvio_write_row(f, row, 2), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(error_get(), "cannot write"));
	fclose(f);
}

/*
 * Lines that end just before, on and after the 64 KiB boundary where the
 * reader reads its next block: a CRLF or a quoted newline split in two.
 */
static void
test_block_boundary(void)
{
	const char	*path;
	char		**fields;
	struct csvio_reader *r;
	size_t		 n, pad;
	FILE		*f;

	for (pad = 65530; pad < 65540; pad++) {
		path = unit_path("edge.csv");
		if ((f = fopen(path, "wb")) == NULL)
			abort();
		fputs("\xef\xbb\xbfh\r\n", f);	/* 6 bytes */
		while (ftell(f) < (long)pad)
			fputc('x', f);
		fputs(",\"q\r\nr\"\r\nlast,\"Zo\xc3\xab\"\r\n", f);
		fclose(f);

		r = csvio_open(path);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(csvio_next(r, &fields, &n), 0);
		CU_ASSERT_STRING_EQUAL(fields[0], "h");
		CU_ASSERT_EQUAL(csvio_next(r, &fields, &n), 0);
		CU_ASSERT_EQUAL(n, 2);
		CU_ASSERT_EQUAL(strlen(fields[0]), pad - 6);
		CU_ASSERT_STRING_EQUAL(fields[1], "q\r\nr");
		CU_ASSERT_EQUAL(csvio_line(r), 2);
		CU_ASSERT_EQUAL(csvio_next(r, &fields, &n), 0);
		CU_ASSERT_EQUAL(n, 2);
		CU_ASSERT_STRING_EQUAL(fields[0], "last");
		CU_ASSERT_STRING_EQUAL(fields[1], "Zo\xc3\xab");
		CU_ASSERT_EQUAL(csvio_line(r), 4);
		CU_ASSERT_EQUAL(csvio_next(r, &fields, &n), 1);
		csvio_close(r);
	}
}

/* 200,000 rows, read one at a time, with the right lines. */
static void
test_large(void)
{
	struct csvio_reader	*r;
	const char		*path;
	char			**fields, want[64];
	size_t			 n, count, i;
	unsigned long		 line;
	FILE			*f;
	int			 rc, ok;

	path = unit_path("large.csv");
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	fputs("name,phone,note\r\n", f);
	for (i = 0; i < 200000; i++) {
		if (i % 1000 == 0)
			fprintf(f, "\"Company %zu, Ltd\",+33 1 %06zu,"
			    "\"two\nlines\"\r\n", i, i);
		else
			fprintf(f, "Company %zu,+33 1 %06zu,Zo\xc3\xab\r\n",
			    i, i);
	}
	fclose(f);

	r = csvio_open(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(csvio_next(r, &fields, &n), 0);
	count = 0;
	line = 2;
	ok = 1;
	while ((rc = csvio_next(r, &fields, &n)) == 0) {
		if (count % 1000 == 0)
			snprintf(want, sizeof want, "Company %zu, Ltd", count);
		else
			snprintf(want, sizeof want, "Company %zu", count);
		if (n != 3 || strcmp(fields[0], want) != 0 ||
		    csvio_line(r) != line) {
			ok = 0;
			break;
		}
		line += count % 1000 == 0 ? 2 : 1;
		count++;
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_EQUAL(count, 200000);
	CU_ASSERT_EQUAL(line, 200000 + 200 + 2);
	csvio_close(r);
}

/*
 * The encoding found: UTF-8 (with or without a byte order mark) when the
 * whole file is, UTF-16 by its byte order mark, else Windows-1252, as
 * Outlook, Excel and LibreOffice write on Western European systems.
 */
static void
test_detect_encoding(void)
{
	static const char	 utf16[] = "\xff\xfe" "n\0a\0,\0b\0\n\0"
				    "Z\0o\0\xeb\0,\0\xac\x20\n\0";
	struct csvio_reader	*r;
	const char		*path;
	char			**fields;
	size_t			 n;
	FILE			*f;
	int			 i, at;

	CHECK_WITH("name\nZo\xc3\xab\n", NULL, 0,
	    "UTF-8 ,:\n1:<name>\n2:<Zo\xc3\xab>\n");
	CHECK_WITH("\xef\xbb\xbfname\nZo\xc3\xab\n", NULL, 0,
	    "UTF-8 ,:\n1:<name>\n2:<Zo\xc3\xab>\n");
	/* Outlook's: ü, and the euro sign where ISO-8859-1 has none. */
	CHECK_WITH("First Name,Notes\r\nJ\xfcrgen,\x80 5\r\n", NULL, 0,
	    "WINDOWS-1252 ,:\n1:<First Name><Notes>\n"
	    "2:<J\xc3\xbcrgen><\xe2\x82\xac 5>\n");
	check_with(utf16, sizeof utf16 - 1, NULL, 0,
	    "UTF-16 ,:\n1:<na><b>\n2:<Zo\xc3\xab><\xe2\x82\xac>\n");

	/*
	 * The whole file counts, past the first block: a character cut by
	 * a block's end is UTF-8 all the same, a byte that is not UTF-8 on
	 * the last line makes it Windows-1252.
	 */
	path = unit_path("far.csv");
	for (at = 0; at < 4; at++) {
		if ((f = fopen(path, "wb")) == NULL)
			abort();
		fputs("name\n", f);
		for (i = 0; i < 20000; i++)
			fputs("Anna\n", f);
		if (at < 3) {
			while (ftell(f) < 65536 - 1 - at)
				fputc('x', f);
			fputs("\xe2\x82\xac\n", f);
		} else
			fputs("Zo\xeb\n", f);
		fclose(f);
		r = csvio_open_with(path, NULL, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_STRING_EQUAL(csvio_encoding(r), at < 3 ? "UTF-8" :
		    "WINDOWS-1252");
		CU_ASSERT_EQUAL(csvio_next(r, &fields, &n), 0);
		CU_ASSERT_STRING_EQUAL(fields[0], "name");
		csvio_close(r);
	}
}

/* An encoding given, and what is said when the file is not in it. */
static void
test_given_encoding(void)
{
	CHECK_WITH("name\nZo\xeb\n", "ISO-8859-1", ',',
	    "ISO-8859-1 ,:\n1:<name>\n2:<Zo\xc3\xab>\n");
	CHECK_WITH("name\nZo\xeb\n", "utf-8", ',',
	    "utf-8 ,:\n1:<name>\nE:FILE line 2: " NOT_UTF8);
	CHECK_WITH("name\n", "klingon", 0, "E:\"klingon\" is not an encoding "
	    "this system knows: try utf-8, windows-1252, iso-8859-1 or "
	    "utf-16 (iconv -l lists them all)");
	/* 0x81 is no character of Windows-1252: the line of the byte. */
	CHECK_WITH("name\nok\nbad \x81\n", "WINDOWS-1252", ',',
	    "WINDOWS-1252 ,:\nE:FILE line 3: a byte that is not WINDOWS-1252 "
	    "text (0x81): give the file's encoding with --encoding");
	/* The same, met as the first row is read for its separator. */
	CHECK_WITH("\x81name\n", "WINDOWS-1252", 0,
	    "WINDOWS-1252 ,:\nE:FILE line 1: a byte that is not WINDOWS-1252 "
	    "text (0x81): give the file's encoding with --encoding");
	CHECK_WITH("a\nb\0c\n", "WINDOWS-1252", ',', "WINDOWS-1252 ,:\n"
	    "1:<a>\nE:FILE line 2: a NUL character, which text does not hold");
}

/* The separator the first row has most of outside quotes, or the one given. */
static void
test_separator(void)
{
	/* Excel in German or French. */
	CHECK_WITH("Vorname;Nachname;Firma\nJ\xc3\xb6rg;\"M\xc3\xbcller; "
	    "Sohn\";A, B\n", NULL, 0, "UTF-8 ;:\n1:<Vorname><Nachname><Firma>\n"
	    "2:<J\xc3\xb6rg><M\xc3\xbcller; Sohn><A, B>\n");
	CHECK_WITH("a\tb\tc\n1\t2,5\t3\n", NULL, 0,
	    "UTF-8 tab:\n1:<a><b><c>\n2:<1><2,5><3>\n");
	/* What is quoted does not count; a tie is a comma. */
	CHECK_WITH("\"Name; Title; Dept\",Phone\nx,y\n", NULL, 0,
	    "UTF-8 ,:\n1:<Name; Title; Dept><Phone>\n2:<x><y>\n");
	CHECK_WITH("a;b,c\n", NULL, 0, "UTF-8 ,:\n1:<a;b><c>\n");
	/* Given, it is taken whatever the first row has. */
	CHECK_WITH("a,b;c\n", NULL, ';', "UTF-8 ;:\n1:<a,b><c>\n");
	/* Read after the byte order mark. */
	CHECK_WITH("\xef\xbb\xbf" "a;b\n", NULL, 0, "UTF-8 ;:\n1:<a><b>\n");
}

/*
 * Spreadsheet-safe values: a quote before what LibreOffice or Excel
 * would run or turn into a number, taken away again on import, so that
 * any value reads back as it was.
 */
static void
test_safe(void)
{
	static const char *const cases[][2] = {
		{ "=1+1", "'=1+1" },
		{ "=HYPERLINK(\"http://x.example\",\"x\")",
		  "'=HYPERLINK(\"http://x.example\",\"x\")" },
		{ "+33 6 12 34 56 78", "'+33 6 12 34 56 78" },
		{ "-5", "'-5" },
		{ "@SUM(A1)", "'@SUM(A1)" },
		{ "\tx", "'\tx" },
		{ "\rx", "'\rx" },
		{ "0123", "'0123" },
		{ "1234567890123456", "'1234567890123456" },
		{ "123456789012345", NULL },
		{ "12345", NULL },
		{ "0 40 123", NULL },
		{ "Anna", NULL },
		{ "a=b", NULL },
		{ "", NULL },
		{ "'", NULL },
		{ "'Anna", NULL },
		/* A quote already there gets one more, however many. */
		{ "'0123", "''0123" },
		{ "'=x", "''=x" },
		{ "''=x", "'''=x" },
		{ "'''0", "''''0" },
	};
	char	*safe, *back;
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		safe = csvio_safe(cases[i][0]);
		if (cases[i][1] == NULL) {
			CU_ASSERT_PTR_NULL(safe);
		} else {
			CU_ASSERT_PTR_NOT_NULL(safe);
			if (safe != NULL)
				CU_ASSERT_STRING_EQUAL(safe, cases[i][1]);
		}
		back = safe != NULL ? safe : xstrdup(cases[i][0]);
		csvio_unsafe(back);
		CU_ASSERT_STRING_EQUAL(back, cases[i][0]);
		if (strcmp(back, cases[i][0]) != 0)
			fprintf(stderr, "\n\"%s\" read back as \"%s\"\n",
			    cases[i][0], back);
		free(back);
	}
	/* What a person typed in a spreadsheet to keep a 0: the 0 stays. */
	back = xstrdup("'0301234");
	csvio_unsafe(back);
	CU_ASSERT_STRING_EQUAL(back, "0301234");
	free(back);
}

static const struct unit_test tests[] = {
	{ "simple rows", test_simple },
	{ "empty files", test_empty },
	{ "quoted fields", test_quoted },
	{ "lines after multi-line fields", test_multiline_lines },
	{ "blank lines", test_blank_lines },
	{ "CRLF and CR", test_crlf },
	{ "spaces", test_spaces },
	{ "byte order mark", test_bom },
	{ "UTF-8 names", test_utf8_names },
	{ "unterminated quote", test_unterminated },
	{ "unterminated quote: csvio_line", test_unterminated_line },
	{ "not UTF-8", test_bad_utf8 },
	{ "missing file", test_missing },
	{ "stray quote", test_stray_quote },
	{ "row too long", test_row_too_long },
	{ "round trip", test_round_trip },
	{ "write format", test_write_format },
	{ "write error", test_write_error },
	{ "block boundary", test_block_boundary },
	{ "200k rows", test_large },
	{ "encoding found", test_detect_encoding },
	{ "encoding given", test_given_encoding },
	{ "separator", test_separator },
	{ "spreadsheet-safe values", test_safe },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("csvio", tests);
}
