/* csvio: reading CSV with libcsv, one row at a time, and writing it. */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "csvio.h"
#include "error.h"
#include "utf8.h"
#include "xmalloc.h"

#define CSVIO_BLOCK	65536

/* Why a field of the row is not text. */
#define CSVIO_BAD_UTF8	1	/* bytes that are not UTF-8 */
#define CSVIO_BAD_NUL	2	/* a NUL, in whatever encoding */

/*
 * The file is fed to libcsv one physical line at a time (a piece of the
 * block that ends just after a CR or LF, or at the end of the block). A
 * line ends at most one row, so after each piece the reader knows which
 * line it is on, where the row being parsed started, and whether a row is
 * complete; it stops feeding as soon as one is, which keeps one row in
 * memory however long the file.
 */
struct csvio_reader {
	char			*path;
	FILE			*f;
	struct csv_parser	 parser;
	char			*encoding;	/* what the file was read as */
	int			 sep;		/* , ; or tab */
	iconv_t			 cd;		/* to UTF-8, or (iconv_t)-1 */
	char			*raw;		/* bytes read, not yet converted */
	size_t			 rawlen;

	char			*block;
	size_t			 off;		/* next byte of block to feed */
	size_t			 len;		/* bytes in block */
	int			 started;	/* first block read (BOM checked) */
	int			 done;		/* end of file, csv_fini called */
	char			*error;		/* set once an error is met */

	unsigned long		 line;		/* line of block[off] */
	int			 cr;		/* last byte fed was a CR */
	int			 in_row;	/* libcsv is inside a row */
	unsigned long		 row_line;	/* where that row starts */
	unsigned long		 last_line;	/* csvio_line() */
	int			 ready;		/* a complete row is in buf */
	int			 bad;		/* CSVIO_BAD_*: not text */

	/* The row: fields packed one after another in buf, NUL-terminated. */
	char			*buf;
	size_t			 buflen;
	size_t			 bufsize;
	size_t			*offs;
	size_t			 nfields;
	size_t			 offsize;
	char			**fields;
	size_t			 fieldsize;
};

/* libcsv grows its field buffer with this, so it never sees NULL. */
static void *
csvio_realloc(void *p, size_t size)
{
	return xreallocarray(p, 1, size);
}

/* Field callback: check the text and append it to the row. */
static void
csvio_field(void *data, size_t len, void *arg)
{
	struct csvio_reader	*r = arg;
	size_t			 need;

	/* A NUL is no text in any encoding; other bytes are UTF-8's. */
	if (len > 0 && memchr(data, '\0', len) != NULL)
		r->bad = CSVIO_BAD_NUL;
	else if (len > 0 && r->bad == 0 && !utf8_valid(data, len))
		r->bad = CSVIO_BAD_UTF8;

	need = r->buflen + len + 1;
	if (need > r->bufsize) {
		while (r->bufsize < need)
			r->bufsize = r->bufsize == 0 ? 256 : r->bufsize * 2;
		r->buf = xreallocarray(r->buf, 1, r->bufsize);
	}
	if (len > 0)
		memcpy(r->buf + r->buflen, data, len);
	r->buf[r->buflen + len] = '\0';

	if (r->nfields == r->offsize) {
		r->offsize = r->offsize == 0 ? 16 : r->offsize * 2;
		r->offs = xreallocarray(r->offs, r->offsize, sizeof *r->offs);
	}
	r->offs[r->nfields++] = r->buflen;
	r->buflen += len + 1;
}

/* Row callback: the row is complete. */
static void
csvio_row(int c, void *arg)
{
	struct csvio_reader	*r = arg;

	(void)c;
	r->ready = 1;
	r->in_row = 0;
}

/* Make an error final: set it, keep it for later calls. */
static int
csvio_fail(struct csvio_reader *r, unsigned long line, const char *reason)
{
	if (line != 0) {
		r->last_line = line;
		error_set("%s line %lu: %s", r->path, line, reason);
	} else
		error_set("%s: %s", r->path, reason);
	free(r->error);
	r->error = xstrdup(error_get());
	return -1;
}

/* A parse error met at the given line: say which rule was broken. */
static int
csvio_parse_error(struct csvio_reader *r, unsigned long line)
{
	char	*reason;
	int	 rc;

	switch (csv_error(&r->parser)) {
	case CSV_EPARSE:
		if (!r->parser.quoted)
			reason = xstrdup("a quote inside an unquoted field "
			    "(quote the whole field and double the quote)");
		else if (r->row_line != line)
			xasprintf(&reason, "text after a closing quote (a "
			    "quote inside a quoted field must be doubled; "
			    "the row starts on line %lu)", r->row_line);
		else
			reason = xstrdup("text after a closing quote (a quote "
			    "inside a quoted field must be doubled)");
		break;
	case CSV_ENOMEM:
		reason = xstrdup("out of memory");
		break;
	case CSV_ETOOBIG:
		reason = xstrdup("a field too big");
		break;
	default:
		xasprintf(&reason, "cannot parse (%s)",
		    csv_strerror(csv_error(&r->parser)));
		break;
	}
	rc = csvio_fail(r, line, reason);
	free(reason);
	return rc;
}

/* Check the row just fed: its fields are text and it is not too long. */
static int
csvio_check(struct csvio_reader *r)
{
	char	*reason;
	int	 rc;

	if (r->bad == CSVIO_BAD_NUL)
		return csvio_fail(r, r->row_line, "a NUL character, which "
		    "text does not hold");
	if (r->bad == CSVIO_BAD_UTF8)
		return csvio_fail(r, r->row_line, "not UTF-8 text (give the "
		    "file's encoding with --encoding, e.g. windows-1252)");
	if (r->buflen + r->parser.entry_pos > CSVIO_ROW_MAX) {
		xasprintf(&reason, "a row longer than %d bytes (is a closing "
		    "quote missing?)", CSVIO_ROW_MAX);
		rc = csvio_fail(r, r->row_line, reason);
		free(reason);
		return rc;
	}
	return 0;
}

static int	csvio_finish(struct csvio_reader *);

/*
 * The next block of a file in another encoding, converted to UTF-8. A
 * character cut by the end of a block waits for the next; a byte that
 * is no character of the encoding is an error naming its line.
 */
static int
csvio_fill_convert(struct csvio_reader *r)
{
	char	*in, *out;
	size_t	 n, inleft, outleft, k;
	unsigned long line;

	n = fread(r->raw + r->rawlen, 1, CSVIO_BLOCK - r->rawlen, r->f);
	if (n == 0 && ferror(r->f)) {
		error_set("cannot read %s: %s", r->path, strerror(errno));
		free(r->error);
		r->error = xstrdup(error_get());
		return -1;
	}
	r->rawlen += n;
	if (r->rawlen == 0)
		return csvio_finish(r);
	in = r->raw;
	inleft = r->rawlen;
	out = r->block;
	outleft = CSVIO_BLOCK * 4;
	if (iconv(r->cd, &in, &inleft, &out, &outleft) == (size_t)-1 &&
	    (errno != EINVAL || n == 0)) {
		/* The line of the bad byte: what was converted, and on. */
		line = r->line;
		for (k = 0; k < (size_t)(out - r->block); k++)
			line += r->block[k] == '\n';
		xasprintf(&in, "a byte that is not %s text (0x%02x): give "
		    "the file's encoding with --encoding", r->encoding,
		    (unsigned char)*in);
		csvio_fail(r, line, in);
		free(in);
		return -1;
	}
	memmove(r->raw, in, inleft);
	r->rawlen = inleft;
	r->off = 0;
	r->len = (size_t)(out - r->block);
	if (!r->started) {
		r->started = 1;
		if (r->len >= 3 && memcmp(r->block, "\xef\xbb\xbf", 3) == 0)
			r->off = 3;
	}
	return 0;
}

/* The end of the file: finish the last row. */
static int
csvio_finish(struct csvio_reader *r)
{
	r->done = 1;
	if (csv_fini(&r->parser, csvio_field, csvio_row, r) != 0)
		return csvio_fail(r, r->row_line, "unterminated quoted field");
	return csvio_check(r);
}

/* Read the next block; at the end of the file, finish the last row. */
static int
csvio_fill(struct csvio_reader *r)
{
	size_t	n;

	if (r->cd != (iconv_t)-1)
		return csvio_fill_convert(r);
	n = fread(r->block, 1, CSVIO_BLOCK, r->f);
	if (n == 0) {
		if (ferror(r->f)) {
			error_set("cannot read %s: %s", r->path,
			    strerror(errno));
			free(r->error);
			r->error = xstrdup(error_get());
			return -1;
		}
		return csvio_finish(r);
	}
	r->off = 0;
	r->len = n;
	if (!r->started) {
		r->started = 1;
		if (n >= 3 && memcmp(r->block, "\xef\xbb\xbf", 3) == 0)
			r->off = 3;
	}
	return 0;
}

/* Feed the next line (or what of it is in the block) to libcsv. */
static int
csvio_feed(struct csvio_reader *r)
{
	const char	*s = r->block + r->off;
	size_t		 len, i, n;
	unsigned long	 line = r->line;
	int		 blank = 1;

	len = r->len - r->off;
	for (i = 0; i < len; i++) {
		if (s[i] == '\n' || s[i] == '\r') {
			i++;
			break;
		}
		if (s[i] != ' ' && s[i] != '\t')
			blank = 0;
	}
	len = i;

	/* Between rows libcsv skips blanks; anything else starts a row. */
	if (!r->in_row && !blank) {
		r->in_row = 1;
		r->row_line = line;
	}

	n = csv_parse(&r->parser, s, len, csvio_field, csvio_row, r);
	if (n != len || csv_error(&r->parser) != CSV_SUCCESS)
		return csvio_parse_error(r, line);
	r->off += len;

	/* CR, LF and CRLF each end one line. */
	if (s[len - 1] == '\n') {
		if (!(len == 1 && r->cr))
			r->line++;
		r->cr = 0;
	} else if (s[len - 1] == '\r') {
		r->line++;
		r->cr = 1;
	} else
		r->cr = 0;

	return csvio_check(r);
}

/*
 * What a file is written in: a UTF-16 byte order mark says UTF-16; a
 * file that is UTF-8 throughout (the whole file is read: a "ß" on its
 * last line counts) is UTF-8; anything else is taken for Windows-1252,
 * which Excel, Outlook and LibreOffice write on Western European
 * systems and which holds ISO-8859-1's letters at the same bytes.
 */
static const char *
csvio_detect(FILE *f)
{
	char		 buf[CSVIO_BLOCK + 4];
	size_t		 n, carry = 0, used, k;
	uint32_t	 cp;
	int		 valid, first = 1, end;
	const char	*enc = "UTF-8";

	for (;;) {
		n = fread(buf + carry, 1, CSVIO_BLOCK, f);
		end = n == 0 || feof(f);
		n += carry;
		if (n == 0)
			break;
		if (first && n >= 2 && ((buf[0] == '\xff' && buf[1] ==
		    '\xfe') || (buf[0] == '\xfe' && buf[1] == '\xff'))) {
			enc = "UTF-16";
			break;
		}
		first = 0;
		for (used = 0; used < n; used += k) {
			k = 1;
			if ((unsigned char)buf[used] < 0x80)
				continue;
			/* A character cut by the block waits for the next. */
			if (!end && n - used < 4)
				break;
			k = utf8_next(buf + used, n - used, &cp, &valid);
			if (!valid) {
				enc = "WINDOWS-1252";
				goto out;
			}
		}
		carry = n - used;
		memmove(buf, buf + used, carry);
		if (end)
			break;
	}
out:
	rewind(f);
	return enc;
}

/* The separator of the first line: the most of , ; and tab outside quotes. */
static int
csvio_guess_sep(const char *s, size_t len)
{
	size_t	comma = 0, semi = 0, tab = 0, i;
	int	quoted = 0;

	for (i = 0; i < len && (quoted || (s[i] != '\n' && s[i] != '\r'));
	    i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && s[i] == ',')
			comma++;
		else if (!quoted && s[i] == ';')
			semi++;
		else if (!quoted && s[i] == '\t')
			tab++;
	}
	if (semi > comma && semi >= tab)
		return ';';
	if (tab > comma && tab > semi)
		return '\t';
	return ',';
}

struct csvio_reader *
csvio_open(const char *path)
{
	return csvio_open_with(path, "UTF-8", ',');
}

struct csvio_reader *
csvio_open_with(const char *path, const char *encoding, int sep)
{
	struct csvio_reader	*r;
	FILE			*f;
	const char		*enc = encoding;

	if ((f = fopen(path, "rb")) == NULL) {
		error_set("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (enc == NULL)
		enc = csvio_detect(f);
	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	r->f = f;
	r->cd = (iconv_t)-1;
	r->encoding = xstrdup(enc);
	if (strcasecmp(enc, "UTF-8") != 0 && strcasecmp(enc, "UTF8") != 0) {
		if ((r->cd = iconv_open("UTF-8", enc)) == (iconv_t)-1) {
			error_set("\"%s\" is not an encoding this system "
			    "knows: try utf-8, windows-1252, iso-8859-1 or "
			    "utf-16 (iconv -l lists them all)", enc);
			csvio_close(r);
			return NULL;
		}
		r->raw = xmalloc(CSVIO_BLOCK);
	}
	/* Up to 3 bytes of UTF-8 for a byte, 4 for two of UTF-16. */
	r->block = xmalloc(CSVIO_BLOCK * 4);
	r->line = 1;
	if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
		fatal("csv_init failed");
	csv_set_realloc_func(&r->parser, csvio_realloc);
	csv_set_blk_size(&r->parser, 4096);
	r->sep = sep;
	if (sep == 0) {
		/* The header row decides, as read in the file's encoding. */
		if (csvio_fill(r) != 0) {
			r->sep = ',';
			return r;	/* the error is kept for csvio_next */
		}
		r->sep = csvio_guess_sep(r->block + r->off, r->len - r->off);
	}
	csv_set_delim(&r->parser, (unsigned char)r->sep);
	return r;
}

const char *
csvio_encoding(const struct csvio_reader *r)
{
	return r->encoding;
}

int
csvio_separator(const struct csvio_reader *r)
{
	return r->sep;
}

int
csvio_next(struct csvio_reader *r, char ***fields, size_t *n)
{
	size_t	i;

	if (r->error != NULL) {
		error_set("%s", r->error);
		return -1;
	}

	r->ready = 0;
	r->buflen = 0;
	r->nfields = 0;
	while (!r->ready) {
		if (r->done)
			return 1;
		if (r->off == r->len) {
			if (csvio_fill(r) != 0)
				return -1;
			continue;
		}
		if (csvio_feed(r) != 0)
			return -1;
	}

	if (r->fieldsize < r->nfields + 1) {
		r->fieldsize = r->nfields + 1;
		r->fields = xreallocarray(r->fields, r->fieldsize,
		    sizeof *r->fields);
	}
	for (i = 0; i < r->nfields; i++)
		r->fields[i] = r->buf + r->offs[i];
	r->fields[r->nfields] = NULL;
	r->last_line = r->row_line;

	*fields = r->fields;
	*n = r->nfields;
	return 0;
}

unsigned long
csvio_line(const struct csvio_reader *r)
{
	return r->last_line;
}

void
csvio_close(struct csvio_reader *r)
{
	if (r == NULL)
		return;
	fclose(r->f);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free(r->raw);
	free(r->encoding);
	csv_free(&r->parser);
	free(r->block);
	free(r->buf);
	free(r->offs);
	free(r->fields);
	free(r->error);
	free(r->path);
	free(r);
}

/* Does a field need quotes to read back as it is? */
static int
csvio_needs_quotes(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	if (s[0] == ' ' || s[0] == '\t' ||
	    s[len - 1] == ' ' || s[len - 1] == '\t')
		return 1;
	return strpbrk(s, ",\"\r\n") != NULL;
}

int
csvio_write_row(FILE *f, const char *const *fields, size_t n)
{
	const char	*s;
	size_t		 i, len;

	for (i = 0; i < n; i++) {
		s = fields[i] != NULL ? fields[i] : "";
		len = strlen(s);
		if (i > 0)
			fputc(',', f);
		if (csvio_needs_quotes(s, len)) {
			fputc('"', f);
			for (; *s != '\0'; s++) {
				if (*s == '"')
					fputc('"', f);
				fputc(*s, f);
			}
			fputc('"', f);
		} else if (len == 0 && n == 1) {
			/* Alone, an empty field would be a blank line. */
			fputs("\"\"", f);
		} else
			fwrite(s, 1, len, f);
	}
	fputs("\r\n", f);
	if (ferror(f)) {
		error_set("cannot write CSV: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Would a spreadsheet read this as a formula or a number? */
static int
csvio_risky(const char *s)
{
	const char	*p;

	if (*s == '\0')
		return 0;
	if (strchr("=+-@\t\r", *s) != NULL)
		return 1;
	/* Digits alone: "0301234", "01067", or more than a number holds. */
	for (p = s; *p >= '0' && *p <= '9'; p++)
		/* nothing */;
	return *p == '\0' && (s[0] == '0' || p - s > 15);
}

/*
 * A quote a spreadsheet keeps before text it would otherwise take for a
 * formula or a number (before one of = + - @ tab CR, or a digit), or
 * such a quote that csvio_safe doubled: quotes, then one of those.
 */
static int
csvio_marked(const char *s)
{
	if (*s != '\'')
		return 0;
	while (*s == '\'')
		s++;
	return *s != '\0' && (strchr("=+-@\t\r", *s) != NULL ||
	    (*s >= '0' && *s <= '9'));
}

char *
csvio_safe(const char *value)
{
	char	*s;

	if (!csvio_risky(value) && !csvio_marked(value))
		return NULL;
	xasprintf(&s, "'%s", value);
	return s;
}

void
csvio_unsafe(char *value)
{
	if (csvio_marked(value))
		memmove(value, value + 1, strlen(value));
}
