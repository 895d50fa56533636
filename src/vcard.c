/* vcard: reading and writing vCard files (RFC 6350; 3.0 and 2.1 read). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "utf8.h"
#include "vcard.h"
#include "xmalloc.h"

#define VCARD_FOLD	75	/* octets of a line, CRLF not counted */

struct vcard_reader {
	FILE		*f;
	int		 own;		/* f is ours to close */
	char		*name;		/* for messages */
	char		*pending;	/* the next physical line, read ahead */
	unsigned long	 pending_line;
	unsigned long	 line;		/* physical lines read */
	int		 eof;
	int		 failed;
	char		*error;
	int		 version;	/* of the card being read */
};

/* A growing byte string. */
struct vcard_buf {
	char	*s;
	size_t	 len, cap;
};

static void
vcard_buf_add(struct vcard_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static struct vcard_reader *
vcard_reader_new(FILE *f, const char *name, int own)
{
	struct vcard_reader	*rd = xcalloc(1, sizeof *rd);

	rd->f = f;
	rd->own = own;
	rd->name = xstrdup(name);
	rd->version = 30;
	return rd;
}

struct vcard_reader *
vcard_open(const char *path)
{
	FILE	*f;

	if ((f = fopen(path, "rb")) == NULL) {
		error_set("cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	return vcard_reader_new(f, path, 1);
}

struct vcard_reader *
vcard_open_stream(FILE *f, const char *name)
{
	return vcard_reader_new(f, name, 0);
}

void
vcard_close(struct vcard_reader *rd)
{
	if (rd == NULL)
		return;
	if (rd->own)
		fclose(rd->f);
	free(rd->name);
	free(rd->pending);
	free(rd->error);
	free(rd);
}

void
vcard_free(struct vcard *c)
{
	size_t	i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nprops; i++) {
		for (j = 0; j < c->props[i].nparams; j++) {
			free(c->props[i].params[j].name);
			free(c->props[i].params[j].value);
		}
		free(c->props[i].params);
		free(c->props[i].name);
		free(c->props[i].value);
	}
	free(c->props);
	free(c);
}

/* Fail for good, with the file and line in the message. */
static int
vcard_fail(struct vcard_reader *rd, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
vcard_fail(struct vcard_reader *rd, unsigned long line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	free(rd->error);
	if (line != 0)
		xasprintf(&rd->error, "%s line %lu: %s", rd->name, line, msg);
	else
		xasprintf(&rd->error, "%s: %s", rd->name, msg);
	free(msg);
	rd->failed = 1;
	error_set("%s", rd->error);
	return -1;
}

/* One physical line without its line end; NULL at the end of the file. */
static char *
vcard_physical(struct vcard_reader *rd, int *err)
{
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;

	*err = 0;
	if (rd->eof)
		return NULL;
	errno = 0;
	if ((n = getline(&line, &cap, rd->f)) < 0) {
		free(line);
		rd->eof = 1;
		if (ferror(rd->f)) {
			*err = 1;
			vcard_fail(rd, 0, "cannot read: %s", strerror(errno));
		}
		return NULL;
	}
	rd->line++;
	if ((size_t)n != strlen(line)) {
		free(line);
		*err = 1;
		vcard_fail(rd, rd->line, "a NUL byte: this is not a text file");
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	/* A UTF-8 byte order mark before the first line is not text. */
	if (rd->line == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
		memmove(line, line + 3, (size_t)n - 2);
	return line;
}

/* Whether the parameters of a logical line say quoted-printable. */
static int
vcard_is_qp(const char *line)
{
	const char	*colon = strchr(line, ':');
	size_t		 n = colon != NULL ? (size_t)(colon - line) :
			    strlen(line);
	const char	*p;

	for (p = line; p + 16 <= line + n; p++) {
		if (strncasecmp(p, "QUOTED-PRINTABLE", 16) == 0)
			return 1;
	}
	return 0;
}

/*
 * The next logical line: physical lines joined where a line starts with
 * white space (folding) or a quoted-printable value ends in '=' (a soft
 * line break). 1 at the end of the file, -1 on error.
 */
static int
vcard_logical(struct vcard_reader *rd, char **out, unsigned long *start)
{
	struct vcard_buf	 b = { NULL, 0, 0 };
	char			*next;
	int			 err, qp;

	while (rd->pending == NULL || *rd->pending == '\0') {
		free(rd->pending);
		if ((rd->pending = vcard_physical(rd, &err)) == NULL)
			return err ? -1 : 1;
		rd->pending_line = rd->line;
	}
	*start = rd->pending_line;
	vcard_buf_add(&b, rd->pending, strlen(rd->pending));
	free(rd->pending);
	rd->pending = NULL;
	qp = vcard_is_qp(b.s);
	for (;;) {
		if ((next = vcard_physical(rd, &err)) == NULL) {
			if (err) {
				free(b.s);
				return -1;
			}
			break;
		}
		if (qp && b.len > 0 && b.s[b.len - 1] == '=') {
			b.s[--b.len] = '\0';
			vcard_buf_add(&b, next, strlen(next));
		} else if (next[0] == ' ' || next[0] == '\t') {
			/*
			 * 3.0 and 4.0 drop the one white space character that
			 * marks a folded line; 2.1 folds before white space
			 * that belongs to the value.
			 */
			if (rd->version == 21)
				vcard_buf_add(&b, next, strlen(next));
			else
				vcard_buf_add(&b, next + 1, strlen(next + 1));
		} else {
			rd->pending = next;
			rd->pending_line = rd->line;
			break;
		}
		free(next);
		if (b.len > VCARD_LINE_MAX) {
			free(b.s);
			return vcard_fail(rd, *start, "a line longer than %d "
			    "bytes: this is not a vCard file, or it is "
			    "damaged", VCARD_LINE_MAX);
		}
	}
	*out = b.s;
	return 0;
}

static int
vcard_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode quoted-printable in place; a stray '=' stays as it is. */
static void
vcard_qp_decode(char *s)
{
	char	*in = s, *out = s;
	int	 hi, lo;

	while (*in != '\0') {
		if (in[0] == '=' && (hi = vcard_hex(in[1])) != -1 &&
		    (lo = vcard_hex(in[2])) != -1) {
			*out++ = (char)(hi * 16 + lo);
			in += 3;
		} else if (in[0] == '=' && in[1] == '\0')
			in++;		/* a soft break left at the end */
		else
			*out++ = *in++;
	}
	*out = '\0';
}

/* Convert s from charset to UTF-8; NULL if iconv cannot. */
static char *
vcard_iconv(const char *s, const char *charset)
{
	iconv_t	 cd;
	char	*in = (char *)s, *out, *o;
	size_t	 inleft = strlen(s), outleft, cap;

	if ((cd = iconv_open("UTF-8", charset)) == (iconv_t)-1)
		return NULL;
	cap = inleft * 4 + 1;
	out = o = xmalloc(cap);
	outleft = cap - 1;
	if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
		iconv_close(cd);
		free(out);
		return NULL;
	}
	iconv_close(cd);
	*o = '\0';
	return out;
}

/* RFC 6868: ^n, ^^ and ^' in parameter values. */
static void
vcard_caret_decode(char *s)
{
	char	*in = s, *out = s;

	while (*in != '\0') {
		if (in[0] == '^' && in[1] == 'n') {
			*out++ = '\n';
			in += 2;
		} else if (in[0] == '^' && in[1] == '^') {
			*out++ = '^';
			in += 2;
		} else if (in[0] == '^' && in[1] == '\'') {
			*out++ = '"';
			in += 2;
		} else
			*out++ = *in++;
	}
	*out = '\0';
}

static void
vcard_upper(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)toupper((unsigned char)*s);
}

/* Split a logical line into a property; -1 (reader failed) if malformed. */
static int
vcard_parse_line(struct vcard_reader *rd, char *line, unsigned long lineno,
    struct vcard_prop *p)
{
	struct vcard_param	*pa;
	char			*s = line, *name, *dot, *pname, *eq;
	const char		*enc, *cs;
	char			*conv;
	int			 quoted;

	memset(p, 0, sizeof *p);
	p->line = lineno;
	name = s;
	s += strcspn(s, ";:");
	if (*s == '\0')
		return vcard_fail(rd, lineno, "\"%.40s\" has no ':': each "
		    "line of a vCard is NAME:VALUE", line);
	if (s == name)
		return vcard_fail(rd, lineno, "a line with no property name "
		    "before its '%c'", *s);
	p->name = xstrndup(name, (size_t)(s - name));
	if ((dot = strrchr(p->name, '.')) != NULL)
		memmove(p->name, dot + 1, strlen(dot + 1) + 1);
	vcard_upper(p->name);
	while (*s == ';') {
		s++;
		pname = s;
		quoted = 0;
		while (*s != '\0' && (quoted || (*s != ';' && *s != ':'))) {
			if (*s == '"')
				quoted = !quoted;
			s++;
		}
		if (*s == '\0') {
			free(p->name);
			while (p->nparams > 0) {
				p->nparams--;
				free(p->params[p->nparams].name);
				free(p->params[p->nparams].value);
			}
			free(p->params);
			p->params = NULL;
			p->name = NULL;
			return vcard_fail(rd, lineno, "no ':' after the "
			    "parameters: a quote may be left open");
		}
		p->params = xreallocarray(p->params, p->nparams + 1,
		    sizeof *p->params);
		pa = &p->params[p->nparams++];
		if ((eq = memchr(pname, '=', (size_t)(s - pname))) == NULL) {
			/* 2.1: "TEL;CELL;VOICE:" and "NOTE;QUOTED-PRINTABLE:" */
			pa->value = xstrndup(pname, (size_t)(s - pname));
			if (strcasecmp(pa->value, "QUOTED-PRINTABLE") == 0 ||
			    strcasecmp(pa->value, "BASE64") == 0)
				pa->name = xstrdup("ENCODING");
			else
				pa->name = xstrdup("TYPE");
		} else {
			pa->name = xstrndup(pname, (size_t)(eq - pname));
			eq++;
			if (*eq == '"' && s - eq >= 2 && s[-1] == '"')
				pa->value = xstrndup(eq + 1,
				    (size_t)(s - eq - 2));
			else
				pa->value = xstrndup(eq, (size_t)(s - eq));
			vcard_caret_decode(pa->value);
		}
		vcard_upper(pa->name);
	}
	p->value = xstrdup(s + 1);

	enc = vcard_param(p, "ENCODING");
	if (enc != NULL && strcasecmp(enc, "QUOTED-PRINTABLE") == 0)
		vcard_qp_decode(p->value);
	cs = vcard_param(p, "CHARSET");
	if (cs != NULL && strcasecmp(cs, "UTF-8") != 0 &&
	    strcasecmp(cs, "UTF8") != 0) {
		if ((conv = vcard_iconv(p->value, cs)) != NULL) {
			free(p->value);
			p->value = conv;
		}
	} else if (cs == NULL && rd->version == 21 &&
	    !utf8_valid(p->value, strlen(p->value))) {
		/* 2.1 without a charset: what Windows address books mean. */
		if ((conv = vcard_iconv(p->value, "WINDOWS-1252")) != NULL) {
			free(p->value);
			p->value = conv;
		}
	}
	p->bad_utf8 = !utf8_valid(p->value, strlen(p->value));
	return 0;
}

static void
vcard_prop_clear(struct vcard_prop *p)
{
	size_t	j;

	for (j = 0; j < p->nparams; j++) {
		free(p->params[j].name);
		free(p->params[j].value);
	}
	free(p->params);
	free(p->name);
	free(p->value);
}

/* Whether a logical line is BEGIN:VCARD or END:VCARD (what, any case). */
static int
vcard_is(const char *line, const char *what)
{
	size_t	n = strlen(what);

	return strncasecmp(line, what, n) == 0 &&
	    strcasecmp(line + n, "VCARD") == 0;
}

int
vcard_next(struct vcard_reader *rd, struct vcard **out)
{
	struct vcard		*c;
	struct vcard_prop	 p;
	char			*line, *v;
	unsigned long		 lineno;
	int			 ret;

	*out = NULL;
	if (rd->failed) {
		error_set("%s", rd->error);
		return -1;
	}
	if ((ret = vcard_logical(rd, &line, &lineno)) != 0)
		return ret;
	if (!vcard_is(line, "BEGIN:")) {
		if (lineno == 1 || rd->line <= 1)
			ret = vcard_fail(rd, lineno, "this is not a vCard "
			    "file: it must start with BEGIN:VCARD");
		else
			ret = vcard_fail(rd, lineno, "\"%.40s\" outside a "
			    "card: cards start with BEGIN:VCARD", line);
		free(line);
		return ret;
	}
	free(line);
	c = xcalloc(1, sizeof *c);
	c->line = lineno;
	c->version = 0;
	rd->version = 30;
	for (;;) {
		if ((ret = vcard_logical(rd, &line, &lineno)) != 0) {
			lineno = c->line;
			vcard_free(c);
			if (ret == 1)
				return vcard_fail(rd, rd->line, "the card "
				    "begun on line %lu has no END:VCARD: the "
				    "file is cut short", lineno);
			return -1;
		}
		if (vcard_is(line, "END:")) {
			free(line);
			break;
		}
		if (vcard_is(line, "BEGIN:")) {
			ret = vcard_fail(rd, lineno, "BEGIN:VCARD inside the "
			    "card begun on line %lu, which has no END:VCARD",
			    c->line);
			free(line);
			vcard_free(c);
			return ret;
		}
		if (vcard_parse_line(rd, line, lineno, &p) != 0) {
			free(line);
			vcard_free(c);
			return -1;
		}
		free(line);
		if (strcmp(p.name, "VERSION") == 0) {
			v = p.value;
			if (strcmp(v, "2.1") == 0)
				c->version = 21;
			else if (strcmp(v, "3.0") == 0)
				c->version = 30;
			else if (strcmp(v, "4.0") == 0)
				c->version = 40;
			else {
				ret = vcard_fail(rd, lineno, "vCard version "
				    "\"%.20s\": crm reads 2.1, 3.0 and 4.0",
				    v);
				vcard_prop_clear(&p);
				vcard_free(c);
				return ret;
			}
			rd->version = c->version;
			vcard_prop_clear(&p);
			continue;
		}
		/* Room for 8, then doubled. */
		if (c->nprops == 0 || (c->nprops >= 8 &&
		    (c->nprops & (c->nprops - 1)) == 0))
			c->props = xreallocarray(c->props, c->nprops == 0 ?
			    8 : c->nprops * 2, sizeof *c->props);
		c->props[c->nprops++] = p;
	}
	/* VERSION is required, but a card without one is still a card. */
	if (c->version == 0)
		c->version = 30;
	*out = c;
	return 0;
}

const struct vcard_prop *
vcard_find(const struct vcard *c, const char *name, size_t *from)
{
	size_t	i;

	for (i = *from; i < c->nprops; i++) {
		if (strcasecmp(c->props[i].name, name) == 0) {
			*from = i + 1;
			return &c->props[i];
		}
	}
	*from = c->nprops;
	return NULL;
}

const char *
vcard_param(const struct vcard_prop *p, const char *name)
{
	size_t	i;

	for (i = 0; i < p->nparams; i++) {
		if (strcasecmp(p->params[i].name, name) == 0)
			return p->params[i].value;
	}
	return NULL;
}

int
vcard_has_type(const struct vcard_prop *p, const char *type)
{
	size_t		 i, n = strlen(type);
	const char	*v;

	for (i = 0; i < p->nparams; i++) {
		if (strcmp(p->params[i].name, "TYPE") != 0)
			continue;
		/* "work,voice", and 3.0's TYPE=work;TYPE=voice */
		for (v = p->params[i].value; *v != '\0';) {
			if (strncasecmp(v, type, n) == 0 &&
			    (v[n] == '\0' || v[n] == ','))
				return 1;
			v += strcspn(v, ",");
			if (*v == ',')
				v++;
		}
	}
	return 0;
}

/* Unescape s[0..len) onto b. */
static void
vcard_unescape(struct vcard_buf *b, const char *s, size_t len)
{
	size_t	i;
	char	c, *o;

	/* Unescaped, a value is never longer: room is made once. */
	if (b->len + len + 1 > b->cap) {
		b->cap = b->len + len + 1;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	o = b->s + b->len;
	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			c = s[++i];
			if (c == 'n' || c == 'N')
				*o++ = '\n';
			else if (c == '\\' || c == ',' || c == ';' || c == ':')
				*o++ = c;
			else {
				/* Not an escape: keep both characters. */
				*o++ = s[i - 1];
				*o++ = c;
			}
		} else
			*o++ = s[i];
	}
	*o = '\0';
	b->len = (size_t)(o - b->s);
}

/* Line ends in a value (2.1 quoted-printable "=0D=0A") become newlines. */
static void
vcard_newlines(char *s)
{
	char	*in = s, *out = s;

	while (*in != '\0') {
		if (*in == '\r') {
			*out++ = '\n';
			in += in[1] == '\n' ? 2 : 1;
		} else
			*out++ = *in++;
	}
	*out = '\0';
}

char *
vcard_text(const char *value)
{
	struct vcard_buf	b = { NULL, 0, 0 };

	vcard_unescape(&b, value, strlen(value));
	vcard_newlines(b.s);
	return b.s;
}

char **
vcard_split(const char *value, size_t *n)
{
	struct vcard_buf	  b;
	const char		 *s = value, *start = value;
	char			**parts = NULL;

	*n = 0;
	for (;; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			continue;
		}
		if (*s != ';' && *s != '\0')
			continue;
		memset(&b, 0, sizeof b);
		vcard_unescape(&b, start, (size_t)(s - start));
		vcard_newlines(b.s);
		parts = xreallocarray(parts, *n + 2, sizeof *parts);
		parts[(*n)++] = b.s;
		parts[*n] = NULL;
		if (*s == '\0')
			break;
		start = s + 1;
	}
	return parts;
}

void
vcard_strings_free(char **v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/*
 * Escape text into dst, which has room for twice its length and a NUL;
 * returns the end (the NUL).
 */
static char *
vcard_escape_to(char *dst, const char *text)
{
	const char	*s;

	for (s = text; *s != '\0'; s++) {
		switch (*s) {
		case '\\':
			*dst++ = '\\';
			*dst++ = '\\';
			break;
		case ';':
			*dst++ = '\\';
			*dst++ = ';';
			break;
		case ',':
			*dst++ = '\\';
			*dst++ = ',';
			break;
		case '\r':
			if (s[1] == '\n')
				s++;
			/* FALLTHROUGH */
		case '\n':
			*dst++ = '\\';
			*dst++ = 'n';
			break;
		default:
			*dst++ = *s;
			break;
		}
	}
	*dst = '\0';
	return dst;
}

char *
vcard_escape(const char *text)
{
	char	*esc = xmalloc(2 * strlen(text) + 1);

	vcard_escape_to(esc, text);
	return esc;
}

int
vcard_put_line(FILE *f, const char *line)
{
	size_t	len = strlen(line), room = VCARD_FOLD, n;
	int	first = 1;

	do {
		n = len < room ? len : room;
		/* Back up to the start of a character: never split one. */
		while (n < len && n > 0 && ((unsigned char)line[n] & 0xc0) ==
		    0x80)
			n--;
		if (!first)
			fputc(' ', f);
		fwrite(line, 1, n, f);
		fputs("\r\n", f);
		line += n;
		len -= n;
		first = 0;
		room = VCARD_FOLD - 1;
	} while (len > 0);
	if (ferror(f)) {
		error_set("cannot write the vCard file: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
vcard_put_text(FILE *f, const char *name, const char *text)
{
	char	*line;
	size_t	 n;
	int	 ret;

	if (text == NULL || *text == '\0')
		return 0;
	n = strlen(name);
	line = xmalloc(n + 1 + 2 * strlen(text) + 1);
	memcpy(line, name, n);
	line[n] = ':';
	vcard_escape_to(line + n + 1, text);
	ret = vcard_put_line(f, line);
	free(line);
	return ret;
}

int
vcard_put_struct(FILE *f, const char *name, const char *const *parts,
    size_t n)
{
	char	*line, *p;
	size_t	 i, len;
	int	 any = 0, ret;

	len = strlen(name) + 1 + n + 1;
	for (i = 0; i < n; i++) {
		if (parts[i] != NULL && *parts[i] != '\0') {
			any = 1;
			len += 2 * strlen(parts[i]);
		}
	}
	if (!any)
		return 0;
	line = xmalloc(len);
	p = stpcpy(line, name);
	*p++ = ':';
	*p = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0) {
			*p++ = ';';
			*p = '\0';
		}
		if (parts[i] != NULL)
			p = vcard_escape_to(p, parts[i]);
	}
	ret = vcard_put_line(f, line);
	free(line);
	return ret;
}
