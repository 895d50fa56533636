/*
 * wire: the frames the two halves of a sync speak (RULES.md T8), over a
 * pipe to `crm serve` or handed from one half to the other in one
 * process. The conversation itself (which frame when) is the halves'
 * business, in src/sync.c and src/sync-master.c; here are only its
 * words: how a frame is laid out, built, read and checked.
 *
 * Each side first writes one greeting line,
 *
 *	crm-sync LOW HIGH crm VERSION\n
 *
 * naming the range of protocol versions it speaks, then frames: a type
 * byte, the payload's length as four big-endian bytes, the payload.
 * Numbers in a payload are unsigned LEB128 varints, strings and byte
 * strings a varint length and their bytes, IDs their 16 bytes, records
 * their store encoding (record_encode) as a byte string.
 *
 * Every reader is bounded: a frame longer than WIRE_FRAME_MAX, a type
 * neither side sends, a payload that ends early or holds more than its
 * fields is an error naming the frame, never a crash or a guess.
 */
#ifndef CRM_WIRE_H
#define CRM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define WIRE_VERSION		1		/* the protocol spoken here */
#define WIRE_FRAME_MAX		(4u << 20)	/* largest payload read */
#define WIRE_CHUNK		(64u << 10)	/* file data per frame */
#define WIRE_GREETING_MAX	200		/* bytes of a greeting line */
#define WIRE_MAGIC		"crm-sync"

/*
 * Frame types. L_ frames go from the local's half to the master's, M_
 * frames back; DATA frames carry a file's content either way.
 */
enum wire_type {
	WIRE_L_HELLO = 1,	/* who, what for, and where the local stands */
	WIRE_L_UP,		/* a record of the local's outbox */
	WIRE_L_END,		/* the end of one file's records */
	WIRE_L_ROUND,		/* decide what was sent, then say READY */
	WIRE_L_COMMIT,		/* the local has saved its part: commit */
	WIRE_L_NEED,		/* a file the local wants from the master */
	WIRE_L_FILE,		/* a file the master asked for follows */
	WIRE_DATA,		/* a piece of a file's content */
	WIRE_DATA_END,		/* the end of a file's content */
	WIRE_M_HELLO = 32,	/* logged in: the policy and the user */
	WIRE_M_BUSY,		/* the master is held by another; waiting */
	WIRE_M_ERROR,		/* the conversation ends: a code and why */
	WIRE_M_VERDICT,		/* what became of one record sent up */
	WIRE_M_CONFLICT,	/* an entry for the local's conflict log */
	WIRE_M_FEED,		/* a master record for the local */
	WIRE_M_LEFT,		/* a record that left the user's scope */
	WIRE_M_RANGE,		/* a load's first and last IDs of a file */
	WIRE_M_DIGEST,		/* verify: a record's ID and digest */
	WIRE_M_END,		/* the end of a file, with its counts */
	WIRE_M_NEED,		/* a file the master wants from the local */
	WIRE_M_READY,		/* the round is decided, not committed */
	WIRE_M_FILE,		/* a file the local asked for follows */
	WIRE_M_COMMITTED	/* the round is committed on the master */
};

/* A frame: its type and payload. */
struct wire_frame {
	int		 type;
	uint8_t		*data;
	size_t		 len;
};

/* The name of a frame type, for messages ("UP", "VERDICT"...). */
const char	*wire_type_name(int type);
/* Whether a frame of this type may come from the local (or the master). */
int		 wire_from_local(int type);
int		 wire_from_master(int type);
void		 wire_frame_free(struct wire_frame *);

/* A payload being built. Cannot fail. */
struct wire_out {
	uint8_t	*p;
	size_t	 len, cap;
};

void	 wire_u8(struct wire_out *, unsigned int);
void	 wire_uint(struct wire_out *, uint64_t);
void	 wire_bytes(struct wire_out *, const void *, size_t);
void	 wire_str(struct wire_out *, const char *);
void	 wire_id(struct wire_out *, const struct record_id *);
void	 wire_record(struct wire_out *, const struct record *);
/* The payload becomes f's (of type), and out is empty again. */
void	 wire_frame_take(struct wire_frame *f, int type, struct wire_out *);

/*
 * A payload being read. Each getter returns 0, or -1 with the error set
 * naming the frame when the payload ends early or a value is out of
 * bounds; after one failure every later call fails too.
 */
struct wire_in {
	const struct wire_frame *f;
	size_t			 off;
	int			 bad;
};

void	 wire_in_init(struct wire_in *, const struct wire_frame *);
int	 wire_get_u8(struct wire_in *, unsigned int *);
int	 wire_get_uint(struct wire_in *, uint64_t *);
/* A varint that must be at most max. */
int	 wire_get_max(struct wire_in *, uint64_t max, uint64_t *);
/* A byte string, pointing into the frame (not copied). */
int	 wire_get_bytes(struct wire_in *, const uint8_t **, size_t *);
/* A string: valid as C text (no NUL inside), copied (free it). */
int	 wire_get_str(struct wire_in *, char **);
int	 wire_get_id(struct wire_in *, struct record_id *);
/* A record in the store's encoding (record_decode's checks). */
int	 wire_get_record(struct wire_in *, struct record **);
/* -1 (error set) unless the whole payload was read. */
int	 wire_in_end(struct wire_in *);

/* The greeting line this side writes, with its newline. Static. */
const char	*wire_greeting(void);
/*
 * Check the other side's greeting line (without its newline): 0 with
 * *version the highest version both speak, or -1 with the error set to
 * what is wrong (not a crm, or no version in common), naming peer.
 */
int		 wire_greeting_check(const char *line, const char *peer,
		    int *version);

/*
 * Framing on a byte stream. wire_frame_put appends a frame's header and
 * payload to a buffer. A wire_reader takes bytes as they come and gives
 * back whole frames: wire_reader_next returns 1 and a frame (free it), 0
 * when more bytes are needed, -1 (error set) for a frame too long or of
 * no known type. The greeting line comes first (wire_reader_line).
 */
void	 wire_frame_put(struct wire_out *, const struct wire_frame *);

struct wire_reader {
	uint8_t		*buf;
	size_t		 len, cap, off;
	uint64_t	 total;		/* bytes taken in all */
};

void	 wire_reader_feed(struct wire_reader *, const void *, size_t);
/*
 * The greeting line: 1 with *line (free it), 0 when the line has not all
 * come, -1 (error set) when WIRE_GREETING_MAX bytes came with no newline;
 * *line is then what came, for a message.
 */
int	 wire_reader_line(struct wire_reader *, char **line);
int	 wire_reader_next(struct wire_reader *, struct wire_frame *);
void	 wire_reader_free(struct wire_reader *);

/*
 * Blocking frame I/O on file descriptors, for `crm serve`: read one
 * frame (1, 0 at a clean end of input between frames, -1 error set) and
 * write what was buffered.
 */
int	 wire_read_frame(int fd, struct wire_reader *, struct wire_frame *);
int	 wire_read_line(int fd, struct wire_reader *, char **line);
int	 wire_write_all(int fd, const void *, size_t);

#endif
