/* wire: the frames of the sync protocol (include/wire.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "record.h"
#include "wire.h"
#include "xmalloc.h"

static const char *const wire_names_l[] = {
	NULL, "HELLO", "UP", "END", "ROUND", "COMMIT", "NEED", "FILE",
	"DATA", "DATA_END"
};
static const char *const wire_names_m[] = {
	"HELLO", "BUSY", "ERROR", "VERDICT", "CONFLICT", "FEED", "LEFT",
	"RANGE", "DIGEST", "END", "NEED", "READY", "FILE", "COMMITTED"
};
#define WIRE_NL	(sizeof wire_names_l / sizeof wire_names_l[0])
#define WIRE_NM	(sizeof wire_names_m / sizeof wire_names_m[0])

const char *
wire_type_name(int type)
{
	if (type >= 1 && (size_t)type < WIRE_NL)
		return wire_names_l[type];
	if (type >= WIRE_M_HELLO && (size_t)(type - WIRE_M_HELLO) < WIRE_NM)
		return wire_names_m[type - WIRE_M_HELLO];
	return "unknown";
}

int
wire_from_local(int type)
{
	return type >= WIRE_L_HELLO && type <= WIRE_DATA_END;
}

int
wire_from_master(int type)
{
	return type == WIRE_DATA || type == WIRE_DATA_END ||
	    (type >= WIRE_M_HELLO && type <= WIRE_M_COMMITTED);
}

void
wire_frame_free(struct wire_frame *f)
{
	if (f == NULL)
		return;
	free(f->data);
	f->data = NULL;
	f->len = 0;
}

/* ---------------------------------------------------------------------
 * Building payloads.
 */

static void
wire_room(struct wire_out *o, size_t n)
{
	if (o->len + n <= o->cap)
		return;
	while (o->len + n > o->cap)
		o->cap = o->cap == 0 ? 256 : o->cap * 2;
	o->p = xreallocarray(o->p, o->cap, 1);
}

void
wire_u8(struct wire_out *o, unsigned int v)
{
	wire_room(o, 1);
	o->p[o->len++] = (uint8_t)v;
}

void
wire_uint(struct wire_out *o, uint64_t v)
{
	wire_room(o, 10);
	do {
		o->p[o->len] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			o->p[o->len] |= 0x80;
		o->len++;
	} while (v != 0);
}

void
wire_bytes(struct wire_out *o, const void *p, size_t n)
{
	wire_uint(o, n);
	wire_room(o, n);
	if (n > 0)
		memcpy(o->p + o->len, p, n);
	o->len += n;
}

void
wire_str(struct wire_out *o, const char *s)
{
	wire_bytes(o, s, strlen(s));
}

void
wire_id(struct wire_out *o, const struct record_id *id)
{
	wire_room(o, RECORD_ID_SIZE);
	memcpy(o->p + o->len, id->b, RECORD_ID_SIZE);
	o->len += RECORD_ID_SIZE;
}

void
wire_record(struct wire_out *o, const struct record *r)
{
	uint8_t	*buf;
	size_t	 len;

	record_encode(r, &buf, &len);
	wire_bytes(o, buf, len);
	free(buf);
}

void
wire_frame_take(struct wire_frame *f, int type, struct wire_out *o)
{
	f->type = type;
	f->data = o->p;
	f->len = o->len;
	memset(o, 0, sizeof *o);
}

/* ---------------------------------------------------------------------
 * Reading payloads.
 */

void
wire_in_init(struct wire_in *in, const struct wire_frame *f)
{
	in->f = f;
	in->off = 0;
	in->bad = 0;
}

static int
wire_short(struct wire_in *in, const char *what)
{
	if (!in->bad)
		error_set("a malformed %s frame from the other side of the "
		    "sync (%s, at byte %zu of %zu)",
		    wire_type_name(in->f->type), what, in->off, in->f->len);
	in->bad = 1;
	return -1;
}

int
wire_get_u8(struct wire_in *in, unsigned int *v)
{
	if (in->bad || in->off >= in->f->len)
		return wire_short(in, "it ends early");
	*v = in->f->data[in->off++];
	return 0;
}

int
wire_get_uint(struct wire_in *in, uint64_t *v)
{
	uint64_t	r = 0;
	unsigned int	shift = 0;
	uint8_t		b;

	if (in->bad)
		return -1;
	do {
		if (in->off >= in->f->len)
			return wire_short(in, "it ends inside a number");
		b = in->f->data[in->off++];
		if (shift == 63 && (b & 0x7e) != 0)
			return wire_short(in, "a number over 64 bits");
		r |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (shift > 63 && (b & 0x80))
			return wire_short(in, "a number over 64 bits");
	} while (b & 0x80);
	*v = r;
	return 0;
}

int
wire_get_max(struct wire_in *in, uint64_t max, uint64_t *v)
{
	if (wire_get_uint(in, v) != 0)
		return -1;
	if (*v > max)
		return wire_short(in, "a number out of bounds");
	return 0;
}

int
wire_get_bytes(struct wire_in *in, const uint8_t **p, size_t *n)
{
	uint64_t	len;

	if (wire_get_uint(in, &len) != 0)
		return -1;
	if (len > in->f->len - in->off)
		return wire_short(in, "a string longer than the frame");
	*p = in->f->data + in->off;
	*n = (size_t)len;
	in->off += (size_t)len;
	return 0;
}

int
wire_get_str(struct wire_in *in, char **s)
{
	const uint8_t	*p;
	size_t		 n;

	if (wire_get_bytes(in, &p, &n) != 0)
		return -1;
	if (memchr(p, '\0', n) != NULL)
		return wire_short(in, "a NUL inside a string");
	*s = xmalloc(n + 1);
	memcpy(*s, p, n);
	(*s)[n] = '\0';
	return 0;
}

int
wire_get_id(struct wire_in *in, struct record_id *id)
{
	if (in->bad || in->f->len - in->off < RECORD_ID_SIZE)
		return wire_short(in, "it ends inside an ID");
	memcpy(id->b, in->f->data + in->off, RECORD_ID_SIZE);
	in->off += RECORD_ID_SIZE;
	return 0;
}

int
wire_get_record(struct wire_in *in, struct record **r)
{
	const uint8_t	*p;
	size_t		 n;

	if (wire_get_bytes(in, &p, &n) != 0)
		return -1;
	if ((*r = record_decode(p, n)) == NULL) {
		/* error_set formats before it lets the old message go. */
		error_set("a malformed %s frame from the other side of the "
		    "sync (its record: %s)", wire_type_name(in->f->type),
		    error_get());
		in->bad = 1;
		return -1;
	}
	return 0;
}

int
wire_in_end(struct wire_in *in)
{
	if (in->bad)
		return -1;
	if (in->off != in->f->len)
		return wire_short(in, "bytes left over after its fields");
	return 0;
}

/* ---------------------------------------------------------------------
 * The greeting.
 */

const char *
wire_greeting(void)
{
	static char	line[WIRE_GREETING_MAX];

	if (line[0] == '\0')
		snprintf(line, sizeof line, "%s %d %d crm %s\n", WIRE_MAGIC,
		    WIRE_VERSION, WIRE_VERSION, PACKAGE_VERSION);
	return line;
}

/* What came instead of a greeting, quoted short and printable. */
static char *
wire_quote(const char *line)
{
	char	*q;
	size_t	 i, n = 0;

	q = xmalloc(64);
	for (i = 0; line[i] != '\0' && n < 56; i++)
		q[n++] = (unsigned char)line[i] < 32 ||
		    (unsigned char)line[i] == 127 ? '?' : line[i];
	if (line[i] != '\0') {
		q[n++] = '.';
		q[n++] = '.';
		q[n++] = '.';
	}
	q[n] = '\0';
	return q;
}

int
wire_greeting_check(const char *line, const char *peer, int *version)
{
	char	 magic[16], *q;
	int	 lo, hi, n = 0;

	if (sscanf(line, "%15s %d %d %n", magic, &lo, &hi, &n) < 3 ||
	    strcmp(magic, WIRE_MAGIC) != 0 || lo < 1 || hi < lo) {
		q = wire_quote(line);
		error_set("%s did not answer as crm does: it said \"%s\"; if "
		    "that is a message printed at login (a shell's startup "
		    "file writing to the terminal), remove it for commands "
		    "that are not interactive; nothing was changed", peer, q);
		free(q);
		return -1;
	}
	if (hi < WIRE_VERSION || lo > WIRE_VERSION) {
		error_set("%s speaks the sync protocol %d to %d (%s) and this "
		    "crm speaks %d to %d (crm %s): install the same version "
		    "of crm on both sides; nothing was changed", peer, lo, hi,
		    line + n,
		    WIRE_VERSION, WIRE_VERSION, PACKAGE_VERSION);
		return -1;
	}
	*version = hi < WIRE_VERSION ? hi : WIRE_VERSION;
	return 0;
}

/* ---------------------------------------------------------------------
 * Framing on a byte stream.
 */

void
wire_frame_put(struct wire_out *o, const struct wire_frame *f)
{
	wire_room(o, 5 + f->len);
	o->p[o->len++] = (uint8_t)f->type;
	o->p[o->len++] = (uint8_t)(f->len >> 24);
	o->p[o->len++] = (uint8_t)(f->len >> 16);
	o->p[o->len++] = (uint8_t)(f->len >> 8);
	o->p[o->len++] = (uint8_t)f->len;
	if (f->len > 0)
		memcpy(o->p + o->len, f->data, f->len);
	o->len += f->len;
}

void
wire_reader_feed(struct wire_reader *r, const void *p, size_t n)
{
	if (r->off > 0 && r->off == r->len)
		r->off = r->len = 0;
	if (r->off > 65536 && r->off * 2 > r->len) {
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->len -= r->off;
		r->off = 0;
	}
	if (r->len + n > r->cap) {
		while (r->len + n > r->cap)
			r->cap = r->cap == 0 ? 65536 : r->cap * 2;
		r->buf = xreallocarray(r->buf, r->cap, 1);
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
	r->total += n;
}

int
wire_reader_line(struct wire_reader *r, char **line)
{
	uint8_t	*nl;
	size_t	 have = r->len - r->off, n;

	/* Nothing fed yet: buf is NULL, and NULL + 0 is undefined. */
	if (have == 0)
		return 0;
	nl = memchr(r->buf + r->off, '\n', have);
	if (nl == NULL && have < WIRE_GREETING_MAX)
		return 0;
	n = nl != NULL ? (size_t)(nl - (r->buf + r->off)) : have;
	*line = xmalloc(n + 1);
	memcpy(*line, r->buf + r->off, n);
	(*line)[n] = '\0';
	/* A NUL in the line ends it: it is quoted, never run past. */
	if (nl == NULL) {
		error_set("no greeting line in the first %d bytes",
		    WIRE_GREETING_MAX);
		return -1;
	}
	r->off += n + 1;
	if (n > 0 && (*line)[n - 1] == '\r')
		(*line)[n - 1] = '\0';
	return 1;
}

int
wire_reader_next(struct wire_reader *r, struct wire_frame *f)
{
	const uint8_t	*h;
	size_t		 have = r->len - r->off, len;
	int		 type;

	if (have < 5)
		return 0;
	h = r->buf + r->off;
	type = h[0];
	len = (size_t)h[1] << 24 | (size_t)h[2] << 16 | (size_t)h[3] << 8 |
	    (size_t)h[4];
	if (!wire_from_local(type) && !wire_from_master(type)) {
		error_set("the other side of the sync sent a frame of unknown "
		    "type %d: it is not a crm of this version, or the stream "
		    "was damaged", type);
		return -1;
	}
	if (len > WIRE_FRAME_MAX) {
		error_set("the other side of the sync sent a %s frame of %zu "
		    "bytes, over the limit of %u", wire_type_name(type), len,
		    WIRE_FRAME_MAX);
		return -1;
	}
	if (have - 5 < len)
		return 0;
	f->type = type;
	f->len = len;
	f->data = xmalloc(len > 0 ? len : 1);
	memcpy(f->data, h + 5, len);
	r->off += 5 + len;
	return 1;
}

void
wire_reader_free(struct wire_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof *r);
}

/* ---------------------------------------------------------------------
 * Blocking I/O, for crm serve.
 */

static int
wire_fill(int fd, struct wire_reader *r)
{
	uint8_t	buf[65536];
	ssize_t	n;

	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n > 0) {
			wire_reader_feed(r, buf, (size_t)n);
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno != EINTR) {
			error_set("reading from the other side of the sync: %s",
			    strerror(errno));
			return -1;
		}
	}
}

int
wire_read_line(int fd, struct wire_reader *r, char **line)
{
	int	ret;

	for (;;) {
		if ((ret = wire_reader_line(r, line)) != 0)
			return ret;
		if ((ret = wire_fill(fd, r)) <= 0) {
			if (ret == 0)
				error_set("the other side of the sync closed "
				    "the connection before it said who it is");
			return -1;
		}
	}
}

int
wire_read_frame(int fd, struct wire_reader *r, struct wire_frame *f)
{
	int	ret;

	for (;;) {
		if ((ret = wire_reader_next(r, f)) != 0)
			return ret;
		if ((ret = wire_fill(fd, r)) == -1)
			return -1;
		if (ret == 0) {
			if (r->off == r->len)
				return 0;
			error_set("the other side of the sync closed the "
			    "connection in the middle of a frame");
			return -1;
		}
	}
}

int
wire_write_all(int fd, const void *p, size_t n)
{
	const uint8_t	*b = p;
	ssize_t		 w;

	while (n > 0) {
		w = write(fd, b, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			error_set("writing to the other side of the sync: %s",
			    errno == EPIPE ? "the connection was closed" :
			    strerror(errno));
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}
