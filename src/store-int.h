/*
 * store-int: what the parts of the store share and nobody else sees.
 *
 * include/store.h is the store's interface. Behind it, one database
 * (struct store), its files and their indexes, a transaction and a cursor
 * are defined here, for the files that make the store up, each with its
 * own concern:
 *
 *	store.c		opening, closing, records, the journal and cursors
 *	store-txn.c	a B-tree opened, transactions and meta.db: what
 *			every other part works through
 *	store-io.c	I/O and failure handling: the calls Berkeley DB makes
 *			to the system, stopping at a signal, a master whose
 *			network mount went away, one message for each
 *			Berkeley DB error
 *	store-key.c	the keys of encrypted databases
 *	store-index.c	the secondary indexes: their keys, reindexing, and
 *			reading them raw
 *	store-defer.c	a load's index entries, gathered and sorted
 *	store-switch.c	a local's own lock, and the switch of its files to
 *			those a load or crm encrypt's copy made
 *	store-load.c	a first sync's load and crm encrypt's copy
 *	store-attach.c	a master's attach lock
 *	store-verify.c	reading a database for damage
 *
 * They need each other one way (tests/layers.sh checks it): store-load.c
 * opens stores (store.c), which opens its files and keeps their indexes
 * (store-index.c, store-defer.c) and takes a local's lock
 * (store-switch.c); all of them work through store-txn.c.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <stdint.h>

#include <db.h>

#include "record.h"
#include "store.h"

#define STORE_SCHEMA_VERSION	2	/* 2: the words index */
#define STORE_NAME_KEY_MAX	120	/* bytes of a name key kept */
#define STORE_WORD_MAX		24	/* bytes of a word key kept */
#define STORE_WORDS_MAX		64	/* words of a record indexed */
#define STORE_DIGITS_MIN	4	/* fewest digits of a phone's key */
#define STORE_WORDS_BULK	(256 * 1024)	/* bytes read at a time */
#define STORE_VOCAB_CHUNK	1536	/* bytes of words in a vocabulary entry */
#define STORE_VOCAB_BATCH	256	/* its entries a transaction puts */
#define STORE_VOCAB_MARK	"1"	/* meta.db's "vocab": what made it */
#define STORE_CACHE_MB		16	/* cache until store_set_cache_mb */
#define STORE_LOAD_CACHE_MB	8	/* cache of a first sync's load */
#define STORE_LOAD_DEFER_MB	4	/* its index entries, gathered */
#define STORE_CREATE		0x100	/* private flags of store_open */
#define STORE_LOADING		0x200	/* the database of store_load_begin */
#define STORE_COPYING		0x400	/* the copy of store_encrypt_copy */

enum store_sub {
	STORE_SUB_NAME,
	STORE_SUB_REF,
	STORE_SUB_OWNER,
	STORE_SUB_SEQ,
	STORE_SUB_OUTBOX,
	STORE_SUB_WORDS,
	STORE_NSUB
};

/* The signal that told this command to stop (store_interrupt), or 0. */

struct store_file {
	struct store			*st;
	size_t				 index;		/* in st->files */
	const struct store_schema	*schema;
	DB				*primary;
	DB				*sub[STORE_NSUB];
	DB				*journal;	/* a master's routes */
	/*
	 * Indexes once more, not associated, opened when first asked for:
	 * read through such a handle an entry is its key and a record ID,
	 * so finding which records hold a word or refer to a record costs
	 * no record (store_index_ids).
	 */
	DB				*raw[STORE_NSUB];
	/*
	 * The vocabulary (store_vocab_find): the words of the words index
	 * once each, for a search inside words. NULL in a file without
	 * word fields.
	 */
	DB				*vocab;

	/* The record being written: its index callbacks need not decode it. */
	const uint8_t			*put_bytes;
	size_t				 put_len;
	struct record			*put_rec;

	uint64_t			 written;	/* store_memo_stamp */
	uint64_t			 writer;	/* begun of who wrote */

	/* The record the index callbacks decoded last: one put calls five. */
	uint8_t				*cache_bytes;
	size_t				 cache_len;
	struct record			*cache_rec;
};

/*
 * What a deferred entry is sorted on: its file and index and the first
 * six bytes of its key in one number, compared first and cheaply; equal
 * ones compare the whole entry, found at off in the buffer.
 */
struct store_defer_sort {
	uint64_t		 prefix;
	uint32_t		 off;
};

/*
 * The index entries of a load, gathered to go in sorted. Index keys
 * (names, references, owners) come in no useful order, and Berkeley DB
 * inserting them at random spends most of a load searching its trees.
 * Sorted, a batch goes into each tree from left to right. Measured on a
 * first sync of a million records: 9.2 s with the indexes associated,
 * 8.0 s gathered and sorted in batches of 4 MB (larger batches were no
 * faster), 4.7 s with no name, ref and owner index at all. Each entry is
 * { file index (2 bytes), index (1), key length (2), key, primary key }.
 */
struct store_defer {
	uint8_t			*buf;
	size_t			 len, cap;
	struct store_defer_sort	*sort;		/* one for each entry */
	size_t			 n, nsort;
};

struct store {
	char			*dir;
	enum store_role		 role;
	int			 flags;
	DB_ENV			*env;
	DB			*meta;
	struct store_file	 conflicts;	/* the conflict log (B3) */
	struct store_file	*files;
	size_t			 nfiles;
	int			 lockfd;	/* a master's attach lock */
	int			 openfd;	/* a local's lock (store-load.c) */
	int			 wrote;
	int			 broken;	/* an I/O error: no checkpoint */
	int			 journal_missing; /* a master made before it */
	int			 vocab_stale;	/* a load wrote past the vocabulary */
	struct store_defer	 defer;		/* a load's index entries */
	char			*key;		/* encrypted: store_set_key */
};

#define STORE_TXN_RAW	64	/* raw handles a writing txn opens, at most */

struct store_txn {
	struct store	*st;
	DB_TXN		*txn;
	uint64_t	 clock, clock0;
	uint64_t	 seq, seq0;
	int		 wrote;
	int		 nolock;	/* DB_NOLOCKING set for it */
	uint64_t	 begun;		/* store_memo_stamp */
	DB		**raw[STORE_TXN_RAW];	/* handles opened in it */
	size_t		 nraw;
};

struct store_cursor {
	struct store_txn	*t;
	struct store_file	*f;
	enum store_index	 idx;
	int			 flags;
	DBC			*c;
	int			 started;
	uint8_t			*seek;
	size_t			 seeklen;
	int			 exact;
	int			 have_seek;
	int			 have_seek_id;	/* seek to (key, ID) */
	struct record_id	 seek_id;
	DBT			 key, pkey, data;
	/* store_cursor_only: c walks the raw index; records of these alone. */
	const struct record_id	*only;
	size_t			 nonly;
	/* store_cursor_keys: c walks the raw index (by only or by IDs). */
	int			 keys;
};

/* store.c */
extern uint64_t	 store_n_opened, store_n_read;

/* store-txn.c */
/* Transactions begun and writes made (store_memo_stamp): store.c's too. */
extern uint64_t	 store_memo_clock;
struct store_file *store_file(struct store_txn *, size_t);
int		 store_open_db(struct store *, DB_TXN *, DB **, const char *,
		    const char *, int);
/* Say so (1) if a damaged log made opening or recovery fail; else 0. */
int		 store_log_damaged(struct store *);

/* store-io.c */
void		 store_io_init(void);
int		 store_dberr(const struct store *, const char *, int);
const char	*store_damage(int, const char *);
void		 store_errcall(const DB_ENV *, const char *, const char *);
void		 store_lost_watch(const char *);
void		 store_lost_unwatch(void);

/* store.c */
int		 store_env_make(const struct store *, int, DB_ENV **);

/* store-index.c */
extern const char *const store_sub_names[STORE_NSUB];
extern int	(*const store_sub_callbacks[STORE_NSUB])(DB *, const DBT *,
		    const DBT *, DBT *);
struct record	*store_file_decode(struct store_file *, const DBT *);
int		 store_fold_check(struct store *);
int		 store_vocab_check(struct store *);
int		 store_vocab_build_all(struct store *);
int		 store_vocab_record(struct store_txn *, struct store_file *,
		    const DBT *, const DBT *);
char		*store_fold_mark(const struct store *);
int		 store_raw(struct store_txn *, struct store_file *, int);
int		 store_id_cmp(const void *, const void *);

/* store-switch.c */
int		 store_fsync_path(const char *, int);
int		 store_mark_complete(const char *);

/* store-defer.c */
int		 store_sub_deferred(const struct store *, int);
int		 store_defers(const struct store *);
int		 store_defer_flush(struct store *);
int		 store_defer_record(struct store *, struct store_file *,
		    const DBT *, const DBT *);

#endif /* STORE_INT_H */
