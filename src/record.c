/* record: one CRM record, its identity and its encoding on disk. */
#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "record.h"
#include "xmalloc.h"

/* Crockford's base32: no I, L, O or U, so IDs read aloud unambiguously. */
static const char record_b32[] = "0123456789abcdefghjkmnpqrstvwxyz";

/* Largest sizes a record may have: a damaged length must not allocate gigabytes. */
#define RECORD_MAX_FIELDS	4096
#define RECORD_MAX_STRING	(64u * 1024 * 1024)

/*
 * Random bytes come from the kernel in blocks: one getrandom() per ID
 * would cost more than the rest of making a record.
 */
static void
record_random(uint8_t *out, size_t len)
{
	static uint8_t	pool[4096];
	static size_t	left;
	ssize_t		n;

	if (left < len) {
		n = getrandom(pool, sizeof pool, 0);
		if (n != (ssize_t)sizeof pool)
			fatal("no random bytes for a record ID: %s",
			    strerror(errno));
		left = sizeof pool;
	}
	memcpy(out, pool + sizeof pool - left, len);
	explicit_bzero(pool + sizeof pool - left, len);
	left -= len;
}

/*
 * IDs made by one process only increase: within a millisecond (or when
 * the clock steps back) the next ID is the last one plus a small random
 * step. New records then go to the end of their B-tree, which keeps its
 * pages full, and IDs still cannot be guessed from each other.
 */
void
record_id_new(struct record_id *id, uint64_t ms)
{
	static struct record_id	last;
	static uint64_t		last_ms;
	static pid_t		last_pid;
	uint8_t			step;
	int			i, carry;

	/*
	 * A forked process starts afresh: stepping on from its parent's last
	 * ID, both could make the same one in the same millisecond.
	 */
	if (ms > last_ms || record_id_is_zero(&last) || getpid() != last_pid) {
		last_pid = getpid();
		for (i = 0; i < 6; i++)
			id->b[i] = (uint8_t)(ms >> (8 * (5 - i)));
		record_random(id->b + 6, RECORD_ID_SIZE - 6);
		/* Leave room for steps: the top random bit starts clear. */
		id->b[6] &= 0x7f;
		last_ms = ms;
	} else {
		*id = last;
		record_random(&step, 1);
		carry = step | 1;
		for (i = RECORD_ID_SIZE - 1; i >= 0 && carry != 0; i--) {
			carry += id->b[i];
			id->b[i] = (uint8_t)carry;
			carry >>= 8;
		}
	}
	last = *id;
}

/*
 * The text form reads the 128 bits as a 130-bit number whose top two bits
 * are zero, five bits a character, most significant first.
 */
void
record_id_format(const struct record_id *id, char *buf)
{
	uint64_t	hi = 0, lo = 0;
	int		i;

	for (i = 0; i < 8; i++) {
		hi = (hi << 8) | id->b[i];
		lo = (lo << 8) | id->b[i + 8];
	}
	for (i = RECORD_ID_TEXT - 1; i >= 0; i--) {
		buf[i] = record_b32[lo & 31];
		lo = (lo >> 5) | (hi << 59);
		hi >>= 5;
	}
	buf[RECORD_ID_TEXT] = '\0';
}

static int
record_b32_value(char c)
{
	/* a to z in record_b32; o is read as 0, i and l as 1, u is none. */
	static const signed char	letters[26] = {
		10, 11, 12, 13, 14, 15, 16, 17, 1, 18, 19, 1, 20,
		21, 0, 22, 23, 24, 25, 26, -1, 27, 28, 29, 30, 31
	};

	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		c = (char)(c - 'A' + 'a');
	if (c < 'a' || c > 'z')
		return -1;
	return letters[c - 'a'];
}

int
record_id_prefix_low(const char *prefix, struct record_id *id)
{
	size_t		i, len;
	int		v, j;
	uint64_t	hi = 0, lo = 0;

	memset(id, 0, sizeof *id);
	len = strlen(prefix);
	if (len > RECORD_ID_TEXT) {
		error_set("\"%s\" is longer than an ID (%d characters)", prefix,
		    RECORD_ID_TEXT);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((v = record_b32_value(prefix[i])) == -1 ||
		    (i == 0 && v > 7)) {
			error_set("\"%s\" is not an ID: IDs are made of the "
			    "characters %s", prefix, record_b32);
			return -1;
		}
		hi = (hi << 5) | (lo >> 59);
		lo = (lo << 5) | (uint64_t)v;
	}
	/* Shift the prefix up to its place among the 26 characters. */
	for (; i < RECORD_ID_TEXT; i++) {
		hi = (hi << 5) | (lo >> 59);
		lo <<= 5;
	}
	for (j = 7; j >= 0; j--) {
		id->b[j] = (uint8_t)hi;
		id->b[j + 8] = (uint8_t)lo;
		hi >>= 8;
		lo >>= 8;
	}
	return 0;
}

int
record_id_parse(const char *text, struct record_id *id)
{
	if (strlen(text) != RECORD_ID_TEXT) {
		error_set("\"%s\" is not an ID: an ID has %d characters", text,
		    RECORD_ID_TEXT);
		return -1;
	}
	return record_id_prefix_low(text, id);
}

int
record_id_has_prefix(const struct record_id *id, const char *prefix)
{
	char	buf[RECORD_ID_TEXT + 1];
	size_t	i;

	record_id_format(id, buf);
	for (i = 0; prefix[i] != '\0'; i++) {
		if (i >= RECORD_ID_TEXT ||
		    record_b32_value(prefix[i]) != record_b32_value(buf[i]))
			return 0;
	}
	return 1;
}

int
record_id_cmp(const struct record_id *a, const struct record_id *b)
{
	return memcmp(a->b, b->b, RECORD_ID_SIZE);
}

int
record_id_is_zero(const struct record_id *id)
{
	static const struct record_id	zero;

	return record_id_cmp(id, &zero) == 0;
}

struct record *
record_new(void)
{
	return xcalloc(1, sizeof(struct record));
}

void
record_free(struct record *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nfields; i++) {
		free(r->fields[i].name);
		free(r->fields[i].value);
	}
	free(r->fields);
	free(r->ext);
	free(r);
}

struct record *
record_dup(const struct record *r)
{
	struct record	*n;
	size_t		 i;

	n = record_new();
	*n = *r;
	n->fields = NULL;
	n->nfields = n->cap = 0;
	n->ext = NULL;
	if (r->extlen > 0) {
		n->ext = xmalloc(r->extlen);
		memcpy(n->ext, r->ext, r->extlen);
	}
	for (i = 0; i < r->nfields; i++) {
		record_set(n, r->fields[i].name, r->fields[i].value,
		    r->fields[i].stamp);
		n->fields[n->nfields - 1].stamp = r->fields[i].stamp;
	}
	return n;
}

struct field *
record_field(const struct record *r, const char *name)
{
	size_t	i;

	/*
	 * The first byte first: most names differ there, and this look-up
	 * is a tenth of an import's and an export's instructions (callgrind).
	 */
	for (i = 0; i < r->nfields; i++) {
		if (r->fields[i].name[0] == name[0] &&
		    strcmp(r->fields[i].name, name) == 0)
			return &r->fields[i];
	}
	return NULL;
}

const char *
record_get(const struct record *r, const char *name)
{
	struct field	*f;

	if ((f = record_field(r, name)) == NULL)
		return NULL;
	return f->value;
}

const char *
record_value(const struct record *r, const char *name)
{
	const char	*v;

	return (v = record_get(r, name)) != NULL ? v : "";
}

/* A new field named name, which it takes. */
static struct field *
record_add_named(struct record *r, char *name)
{
	struct field	*f;

	if (r->nfields == r->cap) {
		r->cap = r->cap == 0 ? 8 : r->cap * 2;
		r->fields = xreallocarray(r->fields, r->cap, sizeof *r->fields);
	}
	f = &r->fields[r->nfields++];
	f->name = name;
	f->value = NULL;
	f->stamp = 0;
	return f;
}

static struct field *
record_add_field(struct record *r, const char *name)
{
	return record_add_named(r, xstrdup(name));
}

int
record_set(struct record *r, const char *name, const char *value,
    uint64_t stamp)
{
	struct field	*f;

	if ((f = record_field(r, name)) == NULL)
		f = record_add_field(r, name);
	else if (strcmp(f->value, value) == 0)
		return 0;
	free(f->value);
	f->value = xstrdup(value);
	f->stamp = stamp;
	return 1;
}

void
record_strip(struct record *r, const char *const *keep)
{
	size_t	i, j, o = 0;
	int	kept;

	for (i = 0; i < r->nfields; i++) {
		kept = 0;
		for (j = 0; keep != NULL && keep[j] != NULL; j++) {
			if (strcmp(r->fields[i].name, keep[j]) == 0)
				kept = 1;
		}
		if (kept)
			r->fields[o++] = r->fields[i];
		else {
			free(r->fields[i].name);
			free(r->fields[i].value);
		}
	}
	r->nfields = o;
}

/* A growing output buffer for the encoder. */
struct record_buf {
	uint8_t	*p;
	size_t	 len;
	size_t	 cap;
};

static void
record_put(struct record_buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		while (b->len + len > b->cap)
			b->cap = b->cap == 0 ? 256 : b->cap * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void
record_put_varint(struct record_buf *b, uint64_t v)
{
	uint8_t	byte;

	do {
		byte = v & 0x7f;
		v >>= 7;
		if (v != 0)
			byte |= 0x80;
		record_put(b, &byte, 1);
	} while (v != 0);
}

static void
record_put_string(struct record_buf *b, const char *s, size_t len)
{
	record_put_varint(b, len);
	record_put(b, s, len);
}

void
record_encode(const struct record *r, uint8_t **buf, size_t *len)
{
	struct record_buf	b = { NULL, 0, 0 };
	uint8_t			version = RECORD_VERSION;
	size_t			i;

	record_put(&b, &version, 1);
	record_put_varint(&b, r->extlen);
	if (r->extlen > 0)
		record_put(&b, r->ext, r->extlen);
	record_put(&b, r->id.b, RECORD_ID_SIZE);
	record_put_varint(&b, r->created);
	record_put_string(&b, r->created_by, strlen(r->created_by));
	record_put_varint(&b, r->modified);
	record_put_string(&b, r->modified_by, strlen(r->modified_by));
	record_put_varint(&b, r->seq);
	record_put_varint(&b, r->flags);
	record_put_varint(&b, r->nfields);
	for (i = 0; i < r->nfields; i++) {
		record_put_string(&b, r->fields[i].name,
		    strlen(r->fields[i].name));
		record_put_string(&b, r->fields[i].value,
		    strlen(r->fields[i].value));
		record_put_varint(&b, r->fields[i].stamp);
	}
	*buf = b.p;
	*len = b.len;
}

/* A reader over encoded bytes; every get checks what is left. */
struct record_in {
	const uint8_t	*p;
	size_t		 left;
};

static int
record_get_varint(struct record_in *in, uint64_t *v)
{
	int	shift = 0;
	uint8_t	byte;

	*v = 0;
	do {
		if (in->left == 0 || shift > 63)
			return -1;
		byte = *in->p++;
		in->left--;
		*v |= (uint64_t)(byte & 0x7f) << shift;
		shift += 7;
	} while (byte & 0x80);
	return 0;
}

static int
record_get_bytes(struct record_in *in, const uint8_t **p, size_t len)
{
	if (len > in->left)
		return -1;
	*p = in->p;
	in->p += len;
	in->left -= len;
	return 0;
}

/* A string: no NUL inside (values are text), at most max bytes. */
static int
record_get_string(struct record_in *in, char **out, size_t max)
{
	uint64_t	 len;
	const uint8_t	*p;

	if (record_get_varint(in, &len) != 0 || len > max ||
	    record_get_bytes(in, &p, len) != 0 ||
	    memchr(p, '\0', len) != NULL)
		return -1;
	*out = xstrndup((const char *)p, len);
	return 0;
}

static int
record_get_uid(struct record_in *in, char *uid)
{
	char	*s;

	if (record_get_string(in, &s, RECORD_UID_SIZE) != 0)
		return -1;
	strcpy(uid, s);
	free(s);
	return 0;
}

struct record *
record_decode(const void *buf, size_t len)
{
	struct record_in	 in = { buf, len };
	struct record		*r;
	const uint8_t		*p;
	uint64_t		 v, n, i;
	char			*name, *value;

	if (len < 1) {
		error_set("empty record");
		return NULL;
	}
	if (in.p[0] == 0 || in.p[0] > RECORD_VERSION) {
		error_set("record encoding version %u is not one this crm "
		    "reads (it reads 1 to %d): upgrade crm", in.p[0],
		    RECORD_VERSION);
		return NULL;
	}
	in.p++;
	in.left--;

	r = record_new();
	if (record_get_varint(&in, &v) != 0 || v > RECORD_MAX_STRING ||
	    record_get_bytes(&in, &p, v) != 0)
		goto bad;
	if (v > 0) {
		r->ext = xmalloc(v);
		memcpy(r->ext, p, v);
		r->extlen = v;
	}
	if (record_get_bytes(&in, &p, RECORD_ID_SIZE) != 0)
		goto bad;
	memcpy(r->id.b, p, RECORD_ID_SIZE);
	if (record_get_varint(&in, &r->created) != 0 ||
	    record_get_uid(&in, r->created_by) != 0 ||
	    record_get_varint(&in, &r->modified) != 0 ||
	    record_get_uid(&in, r->modified_by) != 0 ||
	    record_get_varint(&in, &r->seq) != 0 ||
	    record_get_varint(&in, &v) != 0 || v > 0xffff ||
	    record_get_varint(&in, &n) != 0 || n > RECORD_MAX_FIELDS)
		goto bad;
	r->flags = (unsigned int)v;
	for (i = 0; i < n; i++) {
		if (record_get_string(&in, &name, 256) != 0)
			goto bad;
		if (*name == '\0' || record_field(r, name) != NULL ||
		    record_get_string(&in, &value, RECORD_MAX_STRING) != 0) {
			free(name);
			goto bad;
		}
		if (record_get_varint(&in, &v) != 0) {
			free(name);
			free(value);
			goto bad;
		}
		/* The name decoded is the field's: not copied again. */
		record_add_named(r, name);
		r->fields[r->nfields - 1].value = value;
		r->fields[r->nfields - 1].stamp = v;
	}
	if (in.left != 0)
		goto bad;
	return r;

bad:
	record_free(r);
	error_set("a record is damaged (%zu bytes that do not decode)", len);
	return NULL;
}
