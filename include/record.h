/*
 * record: one CRM record, its identity and its encoding on disk.
 *
 * A record is a set of named text fields, each with the stamp of its last
 * change (for the field-level merge of RULES.md B1), plus metadata (S4):
 * creation and last modification stamps and the 5-character IDs of who
 * made them. Field names are stored with the values, so fields this
 * program does not know survive a read and a write unchanged.
 */
#ifndef CRM_RECORD_H
#define CRM_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define RECORD_ID_SIZE	16	/* bytes of an ID */
#define RECORD_ID_TEXT	26	/* characters of its text form */
#define RECORD_UID_SIZE	5	/* characters of a user ID */

/* Time-ordered 128-bit ID: 48 bits of milliseconds, 80 random bits. */
struct record_id {
	uint8_t	b[RECORD_ID_SIZE];
};

struct field {
	char		*name;
	char		*value;		/* never NULL; "" is an empty field */
	uint64_t	 stamp;		/* when this field last changed */
};

#define RECORD_DELETED	0x1	/* a tombstone: the record was deleted */
#define RECORD_DIRTY	0x2	/* changed on a local since its last sync */

struct record {
	struct record_id id;
	uint64_t	 created;	/* stamp of creation */
	char		 created_by[RECORD_UID_SIZE + 1];
	uint64_t	 modified;	/* stamp of the last change */
	char		 modified_by[RECORD_UID_SIZE + 1];
	uint64_t	 seq;		/* master change sequence, 0 if none */
	unsigned int	 flags;		/* RECORD_* */

	struct field	*fields;
	size_t		 nfields;
	size_t		 cap;

	/* Header bytes of a newer encoding, kept to be written back. */
	uint8_t		*ext;
	size_t		 extlen;
};

/* A new ID for a record made at the given wall-clock millisecond. */
void		 record_id_new(struct record_id *, uint64_t ms);
/* Text form: 26 characters of Crockford base32, lower case, then NUL. */
void		 record_id_format(const struct record_id *, char *buf);
/* Parse a full 26-character ID; -1 (error set) if it is not one. */
int		 record_id_parse(const char *, struct record_id *);
/*
 * The lowest ID whose text form starts with prefix, for a range scan;
 * -1 (error set) if prefix holds a character no ID can have.
 */
int		 record_id_prefix_low(const char *prefix, struct record_id *);
int		 record_id_has_prefix(const struct record_id *, const char *);
int		 record_id_cmp(const struct record_id *, const struct record_id *);
int		 record_id_is_zero(const struct record_id *);

struct record	*record_new(void);
void		 record_free(struct record *);
struct record	*record_dup(const struct record *);

/* The value of a field, or NULL when the record does not have it. */
const char	*record_get(const struct record *, const char *name);
/* Like record_get, but "" for a field the record does not have. */
const char	*record_value(const struct record *, const char *name);
struct field	*record_field(const struct record *, const char *name);
/*
 * Set a field's value and stamp, adding the field if needed. Returns 1 if
 * the value changed, 0 if it was already that value (the stamp is then left
 * alone). Cannot fail.
 */
int		 record_set(struct record *, const char *name,
		    const char *value, uint64_t stamp);
/* Remove every field but those named in keep (NULL-terminated). */
void		 record_strip(struct record *, const char *const *keep);

/*
 * Encode into a new buffer (*buf, *len). Cannot fail.
 *
 * Layout (version 1): a version byte, a varint length of header extension
 * bytes and those bytes (empty in version 1: room for later versions),
 * the 16-byte ID, created stamp, created_by, modified stamp, modified_by,
 * sequence, flags, field count, then per field: name, value, stamp.
 * Integers are unsigned LEB128 varints; strings are a varint length and
 * their bytes.
 */
void		 record_encode(const struct record *, uint8_t **buf, size_t *len);
/*
 * Decode; returns NULL (error set) for truncated, oversized or garbage
 * input, or an encoding version newer than this program reads.
 */
struct record	*record_decode(const void *buf, size_t len);

#define RECORD_VERSION 1

#endif
