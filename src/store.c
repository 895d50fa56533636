/*
 * store: records in Berkeley DB B-tree files, with their indexes.
 *
 * Each record type's file holds sub-databases: "records" (the primary) and
 * the secondaries "name", "ref", "owner", "seq" and "outbox", which Berkeley
 * DB keeps in step with the primary through DB->associate, inside the same
 * transaction as every write.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <db.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "record.h"
#include "store.h"
#include "vault.h"
#include "utf8.h"
#include "xmalloc.h"

#define STORE_SCHEMA_VERSION	2	/* 2: the words index */
#define STORE_NAME_KEY_MAX	120	/* bytes of a name key kept */
#define STORE_WORD_MAX		24	/* bytes of a word key kept */
#define STORE_WORDS_MAX		64	/* words of a record indexed */
#define STORE_DIGITS_MIN	4	/* fewest digits of a phone's key */
#define STORE_WORDS_BULK	(256 * 1024)	/* bytes read at a time */
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
static volatile sig_atomic_t	store_signal;

void
store_interrupt(int sig)
{
	/*
	 * The first signal says why: Ctrl-C also stops the reader of crm's
	 * pipe, and the SIGPIPE that follows is its consequence.
	 */
	if (store_signal == 0)
		store_signal = sig;
}

int
store_interrupted(void)
{
	return store_signal;
}

/* -1 with the reason set when the command was told to stop, else 0. */
static int
store_stopped(void)
{
	switch (store_signal) {
	case 0:
		return 0;
	case SIGPIPE:
		error_set("its output was closed: stopped, and nothing it was "
		    "writing was saved");
		break;
	case SIGINT:
		error_set("interrupted (Ctrl-C): stopped, and nothing it was "
		    "writing was saved");
		break;
	case SIGTERM:
		error_set("told to stop (SIGTERM): stopped, and nothing it "
		    "was writing was saved");
		break;
	case SIGHUP:
		error_set("its terminal or connection went away (SIGHUP): "
		    "stopped, and nothing it was writing was saved");
		break;
	default:
		error_set("told to stop (signal %d): stopped, and nothing it "
		    "was writing was saved", (int)store_signal);
		break;
	}
	return -1;
}

static const char *const store_sub_names[STORE_NSUB] = {
	"name", "ref", "owner", "seq", "outbox", "words"
};

/* The conflict log: records whose "record" field names what they are about. */
static const struct store_schema store_conflict_schema = {
	"conflicts.db", { NULL }, { "record" }, { "who" }, { NULL }, { NULL }
};

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
};

static int	store_defer_flush(struct store *);
static int	store_defer_record(struct store *, struct store_file *,
		    const DBT *, const DBT *);

/* What this process read, for CRM_STATS (store_stats). */
static uint64_t	store_n_opened, store_n_read;
static int	store_fold_check(struct store *);
static char	*store_fold_mark(const struct store *);
static int	 store_log_damaged(struct store *);
static struct store_file *store_file(struct store_txn *, size_t);

/*
 * Whether a write of this process failed for lack of space. Berkeley DB
 * passes ENOSPC on from some writes only: a page it could not write out
 * of its cache, or a failed write during recovery, comes back as
 * DB_RUNRECOVERY or EIO, which store_dberr then says is a full disk.
 */
static int		 store_io_nospace;

/* One message for a Berkeley DB error, naming the thing and what to do. */
/* Berkeley DB's last word of a page failing its checksum (store_errcall). */
static char	store_checksum_msg[256];

/* Has a master's directory gone away under us (a lost network mount)? */
static int
store_unreachable(const struct store *st)
{
	struct stat	 sb;
	char		*path;
	int		 gone;

	xasprintf(&path, "%s/meta.db", st->dir);
	gone = stat(st->dir, &sb) != 0 || stat(path, &sb) != 0;
	free(path);
	return gone;
}

static int
store_dberr(const struct store *st, const char *what, int ret)
{
	const char	*dir = st != NULL ? st->dir : "the database", *page;

	/*
	 * Whatever Berkeley DB makes of it (an I/O error, a page not found,
	 * a need for recovery), a master whose directory has gone out of
	 * reach lost its connection; it is not damaged.
	 */
	if (st != NULL && st->role == STORE_MASTER && ret != ENOSPC &&
	    ret != DB_LOCK_DEADLOCK && ret != DB_LOCK_NOTGRANTED &&
	    store_unreachable(st)) {
		((struct store *)st)->broken = 1;
		error_set("%s could not be read or written (%s): the "
		    "connection to it was lost; check the connection and run "
		    "the command again, what was saved is safe", dir, what);
		return -1;
	}
	/* What Berkeley DB made of a write that found the disk full. */
	if (store_io_nospace && ret != DB_LOCK_DEADLOCK &&
	    ret != DB_LOCK_NOTGRANTED && ret != ENOMEM)
		ret = ENOSPC;
	switch (ret) {
	case ENOSPC:
		/*
		 * Berkeley DB may have written part of what it was writing:
		 * no checkpoint over it, and the master's next attach
		 * recovers from the log.
		 */
		if (st != NULL)
			((struct store *)st)->broken = 1;
		error_set("the disk holding %s is full (%s): free some space "
		    "and try again; nothing was changed", dir, what);
		break;
	case DB_LOCK_DEADLOCK:
	case DB_LOCK_NOTGRANTED:
		error_set("%s is busy with another crm (%s): try again", dir,
		    what);
		break;
	case DB_RUNRECOVERY:
		if (st != NULL)
			((struct store *)st)->broken = 1;
		if (store_checksum_msg[0] != '\0' &&
		    (page = strstr(store_checksum_msg, "page ")) != NULL) {
			error_set("%s has a damaged file (%s: %.*s fails its "
			    "checksum): %s", dir, what,
			    (int)strcspn(page, ":"), page,
			    st != NULL && st->role == STORE_MASTER ?
			    "restore the master from a backup" : "make the "
			    "local again from its master (crm init --local in "
			    "a new directory, then crm sync there)");
			break;
		}
		if (st != NULL && st->role == STORE_MASTER)
			error_set("%s needs recovery (%s): run the command "
			    "again; attaching the master recovers it", dir,
			    what);
		else
			error_set("%s needs recovery (%s): close every crm using "
			    "it and start crm again, which recovers it", dir,
			    what);
		break;
	case EIO:
	case EREMOTEIO:
	case EBADF:
	case ESTALE:
	case ENOTCONN:
		if (st != NULL)
			((struct store *)st)->broken = 1;
		error_set("%s could not be read or written (%s: %s): the "
		    "network or the disk failed; check the connection and run "
		    "the command again, what was saved is safe", dir, what,
		    db_strerror(ret));
		break;
	case ENOMEM:
		/* Not an environment that cannot be opened: a damaged one. */
		if (st == NULL || st->env == NULL) {
			error_set("%s: %s: %s", dir, what, db_strerror(ret));
			break;
		}
		error_set("%s cannot hold so much in one transaction (%s: "
		    "Berkeley DB ran out of locks or cache): nothing was "
		    "changed; do it in smaller parts (an import: the file in "
		    "pieces)", dir, what);
		break;
	case EACCES:
	case EPERM:
		error_set("%s: permission denied (%s): check the owner and "
		    "mode of the directory and its files", dir, what);
		break;
	default:
		error_set("%s: %s: %s", dir, what, db_strerror(ret));
		break;
	}
	return -1;
}

char *
store_name_key(const char *text)
{
	char	*key;
	size_t	 len;

	key = utf8_fold(text);
	len = strlen(key);
	if (len > STORE_NAME_KEY_MAX) {
		len = STORE_NAME_KEY_MAX;
		while (len > 0 && ((unsigned char)key[len] & 0xc0) == 0x80)
			len--;		/* never cut a character in two */
		key[len] = '\0';
	}
	return key;
}

/* The decoded record of an index callback, cached across the five calls. */
static struct record *
store_file_decode(struct store_file *f, const DBT *data)
{
	if (f->put_rec != NULL && f->put_len == data->size &&
	    memcmp(f->put_bytes, data->data, data->size) == 0)
		return f->put_rec;
	if (f->cache_rec != NULL && f->cache_len == data->size &&
	    memcmp(f->cache_bytes, data->data, data->size) == 0)
		return f->cache_rec;
	record_free(f->cache_rec);
	free(f->cache_bytes);
	f->cache_rec = NULL;
	f->cache_bytes = NULL;
	if ((f->cache_rec = record_decode(data->data, data->size)) == NULL)
		return NULL;
	f->cache_bytes = xmalloc(data->size);
	memcpy(f->cache_bytes, data->data, data->size);
	f->cache_len = data->size;
	return f->cache_rec;
}

static void
store_dbt_set(DBT *dbt, void *p, size_t len)
{
	memset(dbt, 0, sizeof *dbt);
	dbt->data = p;
	dbt->size = (u_int32_t)len;
	dbt->flags = DB_DBT_APPMALLOC;
}

/* The name index key of a record, or NULL when its name fields are empty. */
static char *
store_record_name(const struct store_schema *sc, const struct record *r)
{
	char		*joined = NULL, *tmp, *key;
	const char	*v;
	int		 i;

	for (i = 0; i < 3 && sc->name_fields[i] != NULL; i++) {
		v = record_value(r, sc->name_fields[i]);
		if (*v == '\0')
			continue;	/* "Solo" with no first name is "solo" */
		if (joined == NULL)
			joined = xstrdup(v);
		else {
			xasprintf(&tmp, "%s %s", joined, v);
			free(joined);
			joined = tmp;
		}
	}
	if (joined == NULL || *joined == '\0') {
		free(joined);
		return NULL;
	}
	key = store_name_key(joined);
	free(joined);
	return key;
}

char *
store_name_of(struct store_txn *t, size_t file, const struct record *r)
{
	char	*key = store_record_name(store_file(t, file)->schema, r);

	return key != NULL ? key : xstrdup("");
}

static int
store_index_name(DB *sec, const DBT *pkey, const DBT *data, DBT *result)
{
	struct store_file	*f = sec->app_private;
	struct record		*r;
	char			*key;

	(void)pkey;
	if ((r = store_file_decode(f, data)) == NULL)
		return EINVAL;
	if (r->flags & RECORD_DELETED)
		return DB_DONOTINDEX;
	if ((key = store_record_name(f->schema, r)) == NULL)
		return DB_DONOTINDEX;
	store_dbt_set(result, key, strlen(key));
	return 0;
}

/* Several keys for one record: references or owners. */
static int
store_index_multi(struct store_file *f, const DBT *data, DBT *result,
    const char *const *fields, int n, int refs)
{
	struct record		*r;
	DBT			*keys;
	const char		*v;
	struct record_id	 id;
	int			 i, j, nkeys = 0, dup;
	size_t			 size;
	uint8_t			*k;

	if ((r = store_file_decode(f, data)) == NULL)
		return EINVAL;
	if (r->flags & RECORD_DELETED)
		return DB_DONOTINDEX;
	keys = xcalloc((size_t)n, sizeof *keys);
	for (i = 0; i < n && fields[i] != NULL; i++) {
		v = record_value(r, fields[i]);
		if (*v == '\0')
			continue;
		if (refs) {
			if (record_id_parse(v, &id) != 0)
				continue;
			size = RECORD_ID_SIZE;
			k = xmalloc(size);
			memcpy(k, id.b, size);
		} else {
			size = strlen(v);
			k = (uint8_t *)xstrdup(v);
		}
		dup = 0;
		for (j = 0; j < nkeys; j++) {
			if (keys[j].size == size &&
			    memcmp(keys[j].data, k, size) == 0)
				dup = 1;
		}
		if (dup) {
			free(k);
			continue;
		}
		keys[nkeys].data = k;
		keys[nkeys].size = (u_int32_t)size;
		keys[nkeys].flags = DB_DBT_APPMALLOC;
		nkeys++;
	}
	if (nkeys == 0) {
		free(keys);
		return DB_DONOTINDEX;
	}
	memset(result, 0, sizeof *result);
	result->data = keys;
	result->size = (u_int32_t)nkeys;
	result->flags = DB_DBT_MULTIPLE | DB_DBT_APPMALLOC;
	return 0;
}

static int
store_index_ref(DB *sec, const DBT *pkey, const DBT *data, DBT *result)
{
	struct store_file	*f = sec->app_private;

	(void)pkey;
	return store_index_multi(f, data, result, f->schema->ref_fields, 5, 1);
}

static int
store_index_owner(DB *sec, const DBT *pkey, const DBT *data, DBT *result)
{
	struct store_file	*f = sec->app_private;

	(void)pkey;
	return store_index_multi(f, data, result, f->schema->owner_fields, 3,
	    0);
}

/* Add one word key to a list of keys, once. */
static void
store_word_add(DBT *keys, int *n, const char *w, size_t len)
{
	int	j;

	if (len > STORE_WORD_MAX) {
		len = STORE_WORD_MAX;
		while (len > 0 && ((unsigned char)w[len] & 0xc0) == 0x80)
			len--;		/* never cut a character in two */
	}
	if (len == 0 || *n >= STORE_WORDS_MAX)
		return;
	for (j = 0; j < *n; j++) {
		if (keys[j].size == len && memcmp(keys[j].data, w, len) == 0)
			return;
	}
	keys[*n].data = xmalloc(len);
	memcpy(keys[*n].data, w, len);
	keys[*n].size = (u_int32_t)len;
	keys[*n].flags = DB_DBT_APPMALLOC;
	(*n)++;
}

/*
 * The words index: every word of the word fields, folded, and for a
 * phone number its digits from each group on (STORE_DIGITS_MIN or
 * longer), so that the digits a person types, however the number was
 * written, are the start of a key.
 */
static int
store_index_words(DB *sec, const DBT *pkey, const DBT *data, DBT *result)
{
	struct store_file	*f = sec->app_private;
	const struct store_schema *sc = f->schema;
	struct record		*r;
	DBT			*keys;
	size_t			 start[STORE_WORDS_MAX], len[STORE_WORDS_MAX];
	size_t			 nw, k, dl;
	char			*folded, *digits;
	const char		*v;
	int			 i, n = 0;

	(void)pkey;
	if (sc->word_fields[0] == NULL)
		return DB_DONOTINDEX;
	if ((r = store_file_decode(f, data)) == NULL)
		return EINVAL;
	if (r->flags & RECORD_DELETED)
		return DB_DONOTINDEX;
	keys = xcalloc(STORE_WORDS_MAX, sizeof *keys);
	for (i = 0; i < 8 && sc->word_fields[i] != NULL; i++) {
		v = record_value(r, sc->word_fields[i]);
		if (*v == '\0')
			continue;
		folded = utf8_fold(v);
		nw = utf8_words(folded, start, len, STORE_WORDS_MAX);
		/*
		 * An email's last word, its top-level domain (com, de), is in
		 * nearly every record: nobody finds anyone by it, and its
		 * entries would be a tenth of the index.
		 */
		nw = utf8_words_but_tld(folded, start, nw);
		for (k = 0; k < nw; k++)
			store_word_add(keys, &n, folded + start[k], len[k]);
		free(folded);
	}
	for (i = 0; i < 3 && sc->digit_fields[i] != NULL; i++) {
		/*
		 * A phone's digits from the start of each group on ("+49 30
		 * 1234567": 49301234567, 301234567, 1234567), so that it is
		 * found however the number is typed, with or without its
		 * country code. Not from every digit: each such key is one
		 * record's alone, and they were most of the index (measured:
		 * 45 bytes each, seven a number).
		 */
		v = record_value(r, sc->digit_fields[i]);
		digits = utf8_digits(v);
		dl = strlen(digits);
		for (k = 0; *v != '\0'; v++) {
			if (*v < '0' || *v > '9')
				continue;
			if ((k == 0 || v[-1] < '0' || v[-1] > '9') &&
			    dl - k >= STORE_DIGITS_MIN)
				store_word_add(keys, &n, digits + k, dl - k);
			k++;
		}
		free(digits);
	}
	if (n == 0) {
		free(keys);
		return DB_DONOTINDEX;
	}
	memset(result, 0, sizeof *result);
	result->data = keys;
	result->size = (u_int32_t)n;
	result->flags = DB_DBT_MULTIPLE | DB_DBT_APPMALLOC;
	return 0;
}

void
store_be64(uint8_t *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

uint64_t
store_get_be64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static int
store_index_seq(DB *sec, const DBT *pkey, const DBT *data, DBT *result)
{
	struct store_file	*f = sec->app_private;
	struct record		*r;
	uint8_t			*k;

	(void)pkey;
	if ((r = store_file_decode(f, data)) == NULL)
		return EINVAL;
	if (r->seq == 0)
		return DB_DONOTINDEX;
	k = xmalloc(8);
	store_be64(k, r->seq);
	store_dbt_set(result, k, 8);
	return 0;
}

static int
store_index_outbox(DB *sec, const DBT *pkey, const DBT *data, DBT *result)
{
	struct store_file	*f = sec->app_private;
	struct record		*r;
	uint8_t			*k;

	(void)pkey;
	if ((r = store_file_decode(f, data)) == NULL)
		return EINVAL;
	if ((r->flags & RECORD_DIRTY) == 0)
		return DB_DONOTINDEX;
	k = xmalloc(8);
	store_be64(k, r->modified);
	store_dbt_set(result, k, 8);
	return 0;
}

static int (*const store_sub_callbacks[STORE_NSUB])(DB *, const DBT *,
    const DBT *, DBT *) = {
	store_index_name, store_index_ref, store_index_owner, store_index_seq,
	store_index_outbox, store_index_words
};

/*
 * The indexes a load fills sorted: their keys come in no order. A load
 * writes in key order, which is nearly seq order, and has no outbox: those
 * two Berkeley DB keeps as it goes. A bulk load of a new database (crm
 * demo) sorts the words alone: it adds its users through the name index,
 * and the words index is its largest and slowest (a record's words go
 * into a dozen places of the tree).
 */
static int
store_sub_deferred(const struct store *st, int sub)
{
	if (st->flags & (STORE_LOADING | STORE_COPYING))
		return sub == STORE_SUB_NAME || sub == STORE_SUB_REF ||
		    sub == STORE_SUB_OWNER || sub == STORE_SUB_WORDS;
	if (st->flags & STORE_BULK)
		return sub == STORE_SUB_WORDS;
	return 0;
}

/* Whether a write gathers index entries (store_defer_record). */
static int
store_defers(const struct store *st)
{
	return (st->flags & (STORE_LOADING | STORE_BULK)) != 0;
}

/* What kind of damage a Berkeley DB error met opening a file says. */
static const char *
store_damage(int ret, const char *sub)
{
	switch (ret) {
	case DB_VERIFY_BAD:
		return sub != NULL ? "the list of the B-trees it holds is "
		    "damaged" : "its pages are damaged";
	case DB_PAGE_NOTFOUND:
		return "a page it points to is not in it";
	case DB_SECONDARY_BAD:
		return "an index does not match its records";
	case DB_OLD_VERSION:
		return "it was written by another version of Berkeley DB";
	default:
		return "its header is not a Berkeley DB B-tree's";
	}
}

static int
store_open_db(struct store *st, DB_TXN *txn, DB **dbp, const char *file,
    const char *sub, int dups)
{
	DB	*db;
	int	 ret;
	u_int32_t flags;

	if ((ret = db_create(&db, st->env, 0)) != 0)
		return store_dberr(st, file, ret);
	/* 8 KB pages: measured smaller and faster than 4 KB for CRM records. */
	if ((st->flags & STORE_CREATE) && (ret = db->set_pagesize(db,
	    8192)) != 0) {
		db->close(db, 0);
		return store_dberr(st, file, ret);
	}
	if (dups && (ret = db->set_flags(db, DB_DUPSORT)) != 0) {
		db->close(db, 0);
		return store_dberr(st, file, ret);
	}
	if (st->key != NULL && (ret = db->set_flags(db, DB_ENCRYPT)) != 0) {
		db->close(db, 0);
		return store_dberr(st, file, ret);
	}
	/* A master's private environment is single-threaded, as is a load. */
	flags = st->role == STORE_LOCAL && (st->flags & STORE_BULK) == 0 ?
	    DB_THREAD : 0;
	/*
	 * An index newer than the file is made in it (dups 2): a database
	 * of schema 1 has no words index, and gets one (store_reindex).
	 */
	if ((st->flags & STORE_CREATE) || dups == 2)
		flags |= DB_CREATE;
	/* A handle opened later, between transactions, in one of its own. */
	if (txn == NULL && (st->flags & STORE_BULK) == 0)
		flags |= DB_AUTO_COMMIT;
	if ((ret = db->open(db, txn, file, sub, DB_BTREE, flags, 0600)) != 0) {
		db->close(db, 0);
		/*
		 * A B-tree of a file that is there yet cannot be found in it:
		 * the file's list of its B-trees is damaged, the file is not
		 * missing.
		 */
		if (ret == ENOENT && sub != NULL) {
			char		*path = store_path(st, file);
			struct stat	 sb;

			if (stat(path, &sb) == 0 && sb.st_size > 0)
				ret = DB_VERIFY_BAD;
			free(path);
		}
		if (ret == EINVAL || ret == DB_VERIFY_BAD ||
		    ret == DB_PAGE_NOTFOUND || ret == DB_SECONDARY_BAD ||
		    ret == DB_OLD_VERSION) {
			char		*path = store_path(st, file);
			struct stat	 sb;
			int		 gone;

			/* A master whose mount went away is not damaged. */
			gone = st->role == STORE_MASTER &&
			    (stat(path, &sb) != 0 || stat(st->dir, &sb) != 0);
			free(path);
			if (gone) {
				st->broken = 1;
				error_set("%s could not be read (%s): the "
				    "network or the disk failed; check the "
				    "connection and run the command again, what "
				    "was saved is safe", st->dir, file);
			} else if (store_log_damaged(st))
				;	/* recovery read a damaged log into it */
			else if (st->role == STORE_MASTER)
				error_set("%s/%s is damaged (%s) or could not "
				    "be read: if the master is on the network, "
				    "check the connection and try again; if "
				    "this persists, restore the master from a "
				    "backup", st->dir, file,
				    store_damage(ret, sub));
			else
				error_set("%s/%s is damaged (%s): make the "
				    "local again from its master (crm init "
				    "--local in a new directory, then crm sync "
				    "there), or restore the file from a backup",
				    st->dir, file, store_damage(ret, sub));
			return -1;
		}
		if (ret == ENOENT) {
			error_set("%s/%s is missing: the database is "
			    "incomplete; restore it from a backup or make it "
			    "again with crm init", st->dir, file);
			return -1;
		}
		return store_dberr(st, file, ret);
	}
	*dbp = db;
	return 0;
}

static int	store_open_journal(struct store *, DB_TXN *, struct store_file *,
		    int);

static int
store_open_file(struct store *st, DB_TXN *txn, struct store_file *f)
{
	int	i, ret;

	if (store_open_db(st, txn, &f->primary, f->schema->file, "records",
	    0) != 0)
		return -1;
	for (i = 0; i < STORE_NSUB; i++) {
		if (store_open_db(st, txn, &f->sub[i], f->schema->file,
		    store_sub_names[i], i == STORE_SUB_WORDS ? 2 : 1) != 0)
			return -1;
		f->sub[i]->app_private = f;
		/* A load fills these indexes itself (store_defer_flush). */
		if (store_sub_deferred(st, i))
			continue;
		ret = f->primary->associate(f->primary, txn, f->sub[i],
		    store_sub_callbacks[i], 0);
		if (ret != 0)
			return store_dberr(st, f->schema->file, ret);
	}
	if (st->role == STORE_MASTER && f != &st->conflicts &&
	    (st->flags & (STORE_BULK | STORE_LOADING)) == 0)
		return store_open_journal(st, txn, f,
		    (st->flags & STORE_CREATE) != 0);
	return 0;
}

/*
 * A master's journal (include/store.h). A master made before it has
 * none: *missing is set, and store_open adds it once it has checked
 * that the database is a master indeed.
 */
static int
store_open_journal(struct store *st, DB_TXN *txn, struct store_file *f,
    int create)
{
	DB	*db;
	int	 ret;

	if ((ret = db_create(&db, st->env, 0)) != 0)
		return store_dberr(st, f->schema->file, ret);
	ret = db->open(db, txn, f->schema->file, "journal", DB_BTREE,
	    create ? DB_CREATE : 0, 0600);
	if (ret == 0) {
		f->journal = db;
		return 0;
	}
	db->close(db, 0);
	if (ret == ENOENT && !create) {
		st->journal_missing = 1;
		return 0;
	}
	return store_dberr(st, f->schema->file, ret);
}

static void
store_close_file(struct store_file *f)
{
	int	i;

	/* store_close wrote everything out before, once for all handles. */
	for (i = 0; i < STORE_NSUB; i++) {
		if (f->raw[i] != NULL)
			f->raw[i]->close(f->raw[i], DB_NOSYNC);
	}
	for (i = 0; i < STORE_NSUB; i++) {
		if (f->sub[i] != NULL)
			f->sub[i]->close(f->sub[i], DB_NOSYNC);
	}
	if (f->journal != NULL)
		f->journal->close(f->journal, DB_NOSYNC);
	if (f->primary != NULL)
		f->primary->close(f->primary, DB_NOSYNC);
	record_free(f->cache_rec);
	free(f->cache_bytes);
}

static void
store_errcall(const DB_ENV *env, const char *prefix, const char *msg)
{
	(void)env;
	(void)prefix;
	/*
	 * A page that fails its checksum (or, encrypted, its MAC) is
	 * reported as a need for recovery; the message says it is damage.
	 */
	if (strstr(msg, "checksum error") != NULL)
		snprintf(store_checksum_msg, sizeof store_checksum_msg, "%s",
		    msg);
}

/*
 * Berkeley DB retries a read, write or fsync that fails with EIO up to a
 * hundred times. On a master whose network mount has gone, every retry
 * is another failed round trip (sshfs starts ssh again for each, a soft
 * NFS mount waits its timeout): a sync cut off took 45 s to stop. An EIO
 * on a file of the attached master is passed on as EREMOTEIO, which is
 * not retried; on the laptop's own disk, EIO keeps Berkeley DB's retries.
 */
/* The attached master (see store_lost_watch below). */
static char		 store_lost_dir[4096];
static char		 store_lost_msg[4096 + 256];
static size_t		 store_lost_len;
static dev_t		 store_lost_dev;
static int		 store_lost_has_dev;

static int
store_io_failed(int fd)
{
	struct stat	sb;
	int		saved = errno;

	if (saved == ENOSPC || saved == EDQUOT)
		store_io_nospace = 1;

	if (saved == EIO && store_lost_dir[0] != '\0' &&
	    (fstat(fd, &sb) != 0 || (store_lost_has_dev &&
	    sb.st_dev == store_lost_dev)))
		saved = EREMOTEIO;
	errno = saved;
	return -1;
}

static ssize_t
store_io_pread(int fd, void *buf, size_t len, off_t off)
{
	ssize_t	n = pread(fd, buf, len, off);

	return n < 0 ? store_io_failed(fd) : n;
}

#ifdef CRM_FAULT_INJECTION
/*
 * A test build's full disk: CRM_FAULT_ENOSPC=N makes the Nth write of
 * the process (Berkeley DB's, and crm's own files: store_io_full) and
 * every one after it fail with ENOSPC, as a disk that filled up stays
 * full until the command ends. CRM_FAULT_ENOSPC_MARK=FILE: FILE is made
 * when the Nth write is reached, so that a test knows when N has gone
 * past the last write.
 */
static unsigned long	store_full_at, store_full_writes;
static int		store_full_read;

int
store_io_full(void)
{
	const char	*env;

	if (!store_full_read) {
		if ((env = getenv("CRM_FAULT_ENOSPC")) != NULL)
			store_full_at = strtoul(env, NULL, 10);
		store_full_read = 1;
	}
	if (store_full_at == 0 || ++store_full_writes < store_full_at)
		return 0;
	/* A test learns that the write was reached: the command may pass. */
	if (store_full_writes == store_full_at &&
	    (env = getenv("CRM_FAULT_ENOSPC_MARK")) != NULL) {
		int	fd = open(env, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

		if (fd != -1)
			close(fd);
	}
	errno = ENOSPC;
	return 1;
}
#else
int
store_io_full(void)
{
	return 0;
}
#endif

int
store_io_was_full(void)
{
	return store_io_nospace;
}

/*
 * Berkeley DB takes a replaced write that returns less than it was asked
 * for as failed and reads errno for the reason, so a write cut short by
 * a full disk (which returns what fitted, not ENOSPC) was reported with
 * whatever errno held before: "No such file or directory" or "File
 * exists" for a disk that was full. All of it is written, at off (or at
 * the file's offset when off is -1), or the reason is in errno.
 */
static ssize_t
store_io_all(int fd, const void *buf, size_t len, off_t off)
{
	const char	*p = buf;
	size_t		 done = 0;
	ssize_t		 n;

	while (done < len) {
		if (off == -1)
			n = write(fd, p + done, len - done);
		else
			n = pwrite(fd, p + done, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return store_io_failed(fd);
		if (n == 0) {
			errno = ENOSPC;
			return store_io_failed(fd);
		}
		done += (size_t)n;
	}
	return (ssize_t)len;
}

static ssize_t
store_io_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (store_io_full())
		return store_io_failed(fd);
	return store_io_all(fd, buf, len, off);
}

/*
 * Berkeley DB grows a file by writing its last bytes past the end
 * (__db_file_extend): the file's region files, mapped into memory, are
 * made and grown so. On a full disk that write fits while the blocks
 * before it do not exist, and the first touch of such a page in the
 * mapping is a bus error (SIGBUS), not an error Berkeley DB could
 * return. So the blocks before a write past the end are allocated first
 * (posix_fallocate): a disk too full for them fails here, with ENOSPC.
 */
static int
store_io_fill(int fd, size_t len)
{
	struct stat	sb;
	off_t		off;
	int		err;

	if ((off = lseek(fd, 0, SEEK_CUR)) == -1 || fstat(fd, &sb) != 0 ||
	    !S_ISREG(sb.st_mode) || off <= sb.st_size)
		return 0;
	err = posix_fallocate(fd, sb.st_size, off + (off_t)len - sb.st_size);
	if (err == 0 || err == EOPNOTSUPP || err == EINVAL)
		return 0;
	errno = err;
	return -1;		/* said by store_io_failed */
}

static ssize_t
store_io_write(int fd, const void *buf, size_t len)
{
	if (store_io_full() || store_io_fill(fd, len) != 0)
		return store_io_failed(fd);
	return store_io_all(fd, buf, len, -1);
}

static int
store_io_fsync(int fd)
{
	return fdatasync(fd) != 0 ? store_io_failed(fd) : 0;
}

/*
 * The calls Berkeley DB makes by path (stat, unlink, rename) and fstat
 * retry EIO a hundred times too; on a master that has gone, each retry
 * is another round trip to a server that is no longer there (sshfs with
 * "reconnect" starts ssh again for each: a sync cut while it closed the
 * master took over a minute to stop). Replaced, they try again on
 * EINTR, EAGAIN and EBUSY as Berkeley DB does, and on EIO only on the
 * laptop's own disk. Each returns 0 or an error number, as Berkeley DB
 * expects of them.
 */
#define STORE_IO_RETRIES	100	/* Berkeley DB's DB_RETRY */

/* Is path a file of the attached master? */
static int
store_io_remote_path(const char *path)
{
	size_t	n = strlen(store_lost_dir);

	return n != 0 && strncmp(path, store_lost_dir, n) == 0 &&
	    (path[n] == '/' || path[n] == '\0');
}

/* The error number for err, and whether to try again (*again). */
static int
store_io_error(int err, int remote, int *tries, int *again)
{
	*again = 0;
	if (err == EIO && remote)
		return EREMOTEIO;
	if ((err == EINTR || err == EAGAIN || err == EBUSY || err == EIO) &&
	    ++*tries < STORE_IO_RETRIES)
		*again = 1;
	return err;
}

static int
store_io_exists(const char *path, int *isdirp)
{
	struct stat	sb;
	int		tries = 0, again, err;

	while (stat(path, &sb) != 0) {
		err = store_io_error(errno, store_io_remote_path(path),
		    &tries, &again);
		if (!again)
			return err;
	}
	if (isdirp != NULL)
		*isdirp = S_ISDIR(sb.st_mode);
	return 0;
}

static int
store_io_ioinfo(const char *path, int fd, u_int32_t *mbytesp,
    u_int32_t *bytesp, u_int32_t *iosizep)
{
	struct stat	sb;
	int		tries = 0, again, err;

	while (fstat(fd, &sb) != 0) {
		err = store_io_error(errno, store_io_remote_path(path),
		    &tries, &again);
		if (!again)
			return err;
	}
	if (mbytesp != NULL)
		*mbytesp = (u_int32_t)(sb.st_size / (1024 * 1024));
	if (bytesp != NULL)
		*bytesp = (u_int32_t)(sb.st_size % (1024 * 1024));
	if (iosizep != NULL)
		*iosizep = sb.st_blksize > 0 ? (u_int32_t)sb.st_blksize : 8192;
	return 0;
}

static int
store_io_unlink(const char *path)
{
	int	tries = 0, again, err;

	while (unlink(path) != 0) {
		err = store_io_error(errno, store_io_remote_path(path),
		    &tries, &again);
		if (!again)
			return err;
	}
	return 0;
}

static int
store_io_rename(const char *from, const char *to)
{
	int	tries = 0, again, err;

	while (rename(from, to) != 0) {
		err = store_io_error(errno, store_io_remote_path(from),
		    &tries, &again);
		if (!again)
			return err;
	}
	return 0;
}

/*
 * Berkeley DB reads a master's log (an abort, a recovery) and each file's
 * first page (opening it) with read, retrying EIO a hundred times, and a
 * read cannot be handed to it as the calls above are. So crm has a read
 * of its own, which every library in the program calls in place of the C
 * library's: the same system call, with an EIO under the attached master
 * turned into EREMOTEIO as above. The C library's own reads (stdio) do
 * not come here.
 */
ssize_t
read(int fd, void *buf, size_t len)
{
	ssize_t	n = syscall(SYS_read, fd, buf, len);

	if (n < 0 && errno == EIO)
		return store_io_failed(fd);
	return n;
}

static void
store_io_init(void)
{
	static int	done;

	/*
	 * Not read: a replaced read must return all it was asked for, and
	 * Berkeley DB reads short at the end of a file. read is crm's own
	 * instead (below).
	 */
	if (done)
		return;
	db_env_set_func_pread(store_io_pread);
	db_env_set_func_pwrite(store_io_pwrite);
	db_env_set_func_write(store_io_write);
	db_env_set_func_fsync(store_io_fsync);
	db_env_set_func_exists(store_io_exists);
	db_env_set_func_ioinfo(store_io_ioinfo);
	db_env_set_func_unlink(store_io_unlink);
	db_env_set_func_rename(store_io_rename);
	done = 1;
}

/*
 * Encryption at rest (include/store.h, store_set_key). The
 * keys given, by directory: a process has a local open, perhaps its
 * load, and a master (whose key store_key_take reads from its key file).
 */
#define STORE_NKEYS	8
static struct {
	char	*dir;
	char	*key;
} store_keys[STORE_NKEYS];
static size_t	store_keys_next;

/* The cache of ordinary work (store.cache_mb), in megabytes. */
static int	store_cache_mb = STORE_CACHE_MB;

void
store_set_cache_mb(int mb)
{
	store_cache_mb = mb > 0 ? mb : STORE_CACHE_MB;
}

void
store_set_key(const char *dir, const char *key)
{
	size_t	i, free_slot = STORE_NKEYS;

	for (i = 0; i < STORE_NKEYS; i++) {
		if (store_keys[i].dir == NULL) {
			if (free_slot == STORE_NKEYS)
				free_slot = i;
			continue;
		}
		if (strcmp(store_keys[i].dir, dir) != 0)
			continue;
		explicit_bzero(store_keys[i].key, strlen(store_keys[i].key));
		free(store_keys[i].key);
		free(store_keys[i].dir);
		store_keys[i].dir = store_keys[i].key = NULL;
		if (free_slot == STORE_NKEYS)
			free_slot = i;
	}
	if (key == NULL)
		return;
	/*
	 * Full (the screens opened many databases in turn): the oldest
	 * goes. A store keeps its own copy, so only a later open of that
	 * database misses it, and then says how it opens.
	 */
	if (free_slot == STORE_NKEYS) {
		free_slot = store_keys_next++ % STORE_NKEYS;
		explicit_bzero(store_keys[free_slot].key,
		    strlen(store_keys[free_slot].key));
		free(store_keys[free_slot].key);
		free(store_keys[free_slot].dir);
	}
	store_keys[free_slot].dir = xstrdup(dir);
	store_keys[free_slot].key = xstrdup(key);
}

const char *
store_key_of(const char *dir)
{
	size_t	i;

	for (i = 0; i < STORE_NKEYS; i++) {
		if (store_keys[i].dir != NULL &&
		    strcmp(store_keys[i].dir, dir) == 0)
			return store_keys[i].key;
	}
	return NULL;
}

/*
 * The key of the database being opened, if it was given. A local with a
 * key file opened without its key is refused here, in words, rather
 * than by Berkeley DB's "no encryption key" on its first file.
 */
static int
store_key_take(struct store *st)
{
	uint8_t	 key[VAULT_KEY_SIZE];
	char	*path, text[VAULT_KEY_TEXT];
	size_t	 i;
	int	 locked, ret;

	for (i = 0; i < STORE_NKEYS; i++) {
		if (store_keys[i].dir != NULL &&
		    strcmp(store_keys[i].dir, st->dir) == 0) {
			st->key = xstrdup(store_keys[i].key);
			return 0;
		}
	}
	/*
	 * An encrypted master opens with its key file, without a password
	 * (vault.h); the key is then known as a local's is (store_key_of).
	 */
	if (st->role == STORE_MASTER) {
		if ((ret = vault_master_key(st->dir, key)) == -1)
			return -1;
		if (ret == 0) {
			vault_key_text(key, text);
			store_set_key(st->dir, text);
			st->key = xstrdup(text);
			explicit_bzero(key, sizeof key);
			explicit_bzero(text, sizeof text);
		}
		return 0;
	}
	path = store_path(st, VAULT_KEY_FILE);
	locked = access(path, F_OK) == 0;
	free(path);
	if (locked) {
		error_set("%s is encrypted: it opens with its user's password "
		    "(crm -u LOGIN, with the password asked for or given)",
		    st->dir);
		return -1;
	}
	return 0;
}

/*
 * Berkeley DB's AES on every file and log record (DB_ENCRYPT is set on
 * each file in store_open_db). Its cache holds pages decrypted, and a
 * shared environment's cache is normally a file beside the data
 * (__db.003, a memory map the kernel writes back): on a lost laptop it
 * would give away what the files hide. Berkeley DB 5.3 cannot put its
 * region files elsewhere (set_region_dir came in 6.x), so an encrypted
 * local's regions live in System V shared memory (DB_SYSTEM_MEM), which
 * never reaches the disk but through swap; __db.001 then only names the
 * segments (24 bytes). DB_PRIVATE would keep them in the process, but a
 * local is shared by the screens and a sync. Each local takes its own
 * segment keys, from its directory's device and inode; the segments
 * are removed when the last process lets the local go
 * (store_crypt_release), so no decrypted page outlives the work.
 */
static long
store_shm_key(const struct store *st)
{
	struct stat	sb;
	uint64_t	h = 1469598103934665603ULL;

	if (stat(st->dir, &sb) == 0) {
		h = (h ^ (uint64_t)sb.st_dev) * 1099511628211ULL;
		h = (h ^ (uint64_t)sb.st_ino) * 1099511628211ULL;
		h ^= h >> 29;
	}
	/* Room for 256 segments after it; a positive 32-bit key_t. */
	return (long)(((h & 0x7fffffULL) | 0x10000ULL) << 8);
}

static int
store_crypt_env(const struct store *st, DB_ENV *env)
{
	int	ret;

	if ((ret = env->set_encrypt(env, st->key, DB_ENCRYPT_AES)) != 0)
		return ret;
	if (st->role == STORE_LOCAL && (st->flags & STORE_BULK) == 0)
		ret = env->set_shm_key(env, store_shm_key(st));
	return ret;
}

/*
 * The last process to let an encrypted local go removes its shared
 * memory segments: an exclusive try on its lock (store_local_lock) says
 * nobody else has it open. A process that dies leaves them to the next
 * open's recovery, which makes the environment again.
 */
static void
store_crypt_release(struct store *st)
{
	DB_ENV	*env;

	if (st->key == NULL || st->role != STORE_LOCAL || st->openfd == -1 ||
	    (st->flags & STORE_BULK) || st->env == NULL)
		return;
	if (flock(st->openfd, LOCK_EX | LOCK_NB) != 0)
		return;
	if (db_env_create(&env, 0) == 0) {
		env->set_errcall(env, store_errcall);
		env->set_encrypt(env, st->key, DB_ENCRYPT_AES);
		env->set_shm_key(env, store_shm_key(st));
		/* remove frees the handle, whatever it answers. */
		if (env->remove(env, st->dir, 0) != 0)
			error_clear();
	}
	flock(st->openfd, LOCK_SH);
}

/* Make an environment handle with crm's settings. */
static int
store_env_make(const struct store *st, int cache_mb, DB_ENV **envp)
{
	DB_ENV	*env;
	int	 ret;

	store_io_init();
	if ((ret = db_env_create(envp, 0)) != 0)
		return ret;
	env = *envp;
	/* Berkeley DB's own diagnostics are turned into one message here. */
	env->set_errcall(env, store_errcall);
	env->set_cachesize(env, (u_int32_t)(cache_mb / 1024),
	    (u_int32_t)(cache_mb % 1024) * 1024 * 1024, 1);
	env->set_lk_detect(env, DB_LOCK_DEFAULT);
	/*
	 * An import or a sync batch locks every page it touches in one
	 * transaction: 50,000 locks ran out at about 207,000 imported
	 * vCards. Most units of work lock a few dozen, and a region laid
	 * out for the maximum would cost milliseconds and megabytes at
	 * every attach: the region starts small (set_memory_init) and
	 * Berkeley DB grows it as far as the maximum, which costs nothing
	 * until used (measured: the same region files, 0.6 M more
	 * instructions for a whole crm list).
	 */
	env->set_lk_max_locks(env, 1000000);
	env->set_lk_max_objects(env, 1000000);
	env->set_memory_init(env, DB_MEM_LOCK, 2000);
	env->set_memory_init(env, DB_MEM_LOCKOBJECT, 2000);
	env->set_lk_tablesize(env, 4096);
	env->set_lg_bsize(env, 1024 * 1024);
	/* Small log files: a checkpoint then frees all but the newest. */
	env->set_lg_max(env, 2 * 1024 * 1024);
	env->log_set_config(env, DB_LOG_AUTO_REMOVE, 1);
	if (st->key != NULL && (ret = store_crypt_env(st, env)) != 0) {
		env->close(env, 0);
		*envp = NULL;
		return ret;
	}
	if (st->role == STORE_MASTER) {
		/*
		 * A master may be on a network mount that goes away: read it,
		 * never map it, or a lost link is a bus error.
		 */
		env->set_flags(env, DB_NOMMAP, 1);
		env->set_mp_mmapsize(env, 0);
	}
	return 0;
}

/*
 * A lost network mount under a master. Berkeley DB 5.3 may close a file
 * handle twice when reading a file fails while it opens it (seen in
 * __fop_file_setup, in recovery and in DB->open alike) and then crash.
 * While a master is attached, a crash signal met when its directory can
 * no longer be reached is that: crm says so and stops, as it would for
 * the error itself. Nothing is lost by stopping there: the master keeps
 * its holder line and is recovered by the next attach, and the local
 * rolls back what was under way (DB_REGISTER). Any other crash is left
 * to the default action, a core dump.
 */

static void
store_lost_signal(int sig)
{
	struct stat	sb;

	if (store_lost_dir[0] != '\0' && stat(store_lost_dir, &sb) != 0) {
		if (write(STDERR_FILENO, store_lost_msg, store_lost_len) < 0)
			_exit(1);
		_exit(1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
store_lost_watch(const char *dir)
{
	static int		 installed;
	struct sigaction	 sa;
	int			 n;

	if (strlen(dir) >= sizeof store_lost_dir)
		return;
	n = snprintf(store_lost_msg, sizeof store_lost_msg, "crm: the "
	    "connection to the master %s was lost while it was being read: "
	    "check the connection and run the command again; what was saved "
	    "is safe\n", dir);
	store_lost_len = n > 0 ? (size_t)n : 0;
	strcpy(store_lost_dir, dir);
	{
		struct stat	sb;

		store_lost_has_dev = stat(dir, &sb) == 0;
		if (store_lost_has_dev)
			store_lost_dev = sb.st_dev;
	}
	if (installed)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = store_lost_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	installed = 1;
}

static void
store_lost_unwatch(void)
{
	store_lost_dir[0] = '\0';
}

/*
 * Recover a master in a process of its own. When the network mount under
 * a master fails in the middle of recovery, Berkeley DB 5.3 may close one
 * file handle twice and crash (seen in __fop_file_setup): in a child, that
 * is a failed recovery reported by the parent, which holds the master's
 * lock throughout, so the next attach recovers again. Recovery ends with a
 * checkpoint, so the parent then opens the environment without it.
 */
static int
store_recover_apart(struct store *st, int cache_mb, u_int32_t flags)
{
	DB_ENV	*env;
	pid_t	 pid;
	int	 p[2], status, ret = 0;
	ssize_t	 n;

	if (pipe(p) != 0) {
		error_set("cannot recover %s: %s", st->dir, strerror(errno));
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		error_set("cannot recover %s: %s", st->dir, strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		/* Here a crash is the parent's to report. */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		close(p[0]);
		if ((ret = store_env_make(st, cache_mb, &env)) == 0) {
			ret = env->open(env, st->dir, flags, 0600);
			if (env->close(env, 0) != 0 && ret == 0)
				ret = EIO;
		}
		/*
		 * A recovery that could not write for lack of space comes
		 * back as DB_RUNRECOVERY: said as the full disk it is. (A
		 * master on a 20 MB disk holding 16 MB of its own log said
		 * "needs recovery" at every attach; with space, the same
		 * recovery brings it back.)
		 */
		if (ret != 0 && store_io_nospace)
			ret = ENOSPC;
		n = write(p[1], &ret, sizeof ret);
		_exit(n == (ssize_t)sizeof ret ? 0 : 1);
	}
	close(p[1]);
	n = read(p[0], &ret, sizeof ret);
	close(p[0]);
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			status = 0;
			break;
		}
	}
	if (WIFSIGNALED(status) || n != (ssize_t)sizeof ret) {
		st->broken = 1;
		error_set("%s could not be recovered (Berkeley DB stopped%s%s): "
		    "if it is on the network, check the connection and run "
		    "the command again; what was saved is safe", st->dir,
		    WIFSIGNALED(status) ? " on signal " : "",
		    WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "");
		return -1;
	}
	if (ret != 0) {
		store_dberr(st, "recovering it", ret);
		if (ret != ENOSPC)
			store_log_damaged(st);
		return -1;
	}
	return 0;
}

/*
 * Recovery, or opening, failed: if the log is damaged, say so, naming
 * its file, and what to do. Returns 1 if it did.
 */
static int
store_log_damaged(struct store *st)
{
	char	*saved = xstrdup(error_get());
	int	 ret;

	/*
	 * A master's log that cannot be read at all, none of its records,
	 * is as likely a network filesystem gone as damage: the message
	 * already given stands, and restoring a backup is not advised.
	 */
	if ((ret = store_log_check(st->dir)) == 0 ||
	    (ret == -1 && st->role == STORE_MASTER)) {
		error_set("%s", saved);
		free(saved);
		return 0;
	}
	free(saved);
	st->broken = 1;
	saved = xstrdup(error_get());
	if (st->role == STORE_MASTER)
		error_set("%s cannot be recovered: %s; restore the master "
		    "from a backup", st->dir, saved);
	else
		error_set("%s cannot be recovered: %s; make the local again "
		    "from its master (crm init --local in a new directory, "
		    "then crm sync there)", st->dir, saved);
	free(saved);
	return 1;
}

/*
 * A local's region files (__db.*) hold nothing durable: the cache, the
 * locks, the transactions under way, all of which recovery makes again
 * from the database's files and its log. When they are damaged (written
 * over, cut short), Berkeley DB cannot open the environment and says
 * anything from "Invalid argument" to "Cannot allocate memory". If no
 * other crm has the local open, they are removed, and the caller opens
 * it again, recovering. Returns 1 if they were.
 */
static int
store_regions_remove(struct store *st)
{
	DIR		*d;
	struct dirent	*e;
	char		*path;
	int		 alone;

	if (st->role != STORE_LOCAL || st->openfd == -1)
		return 0;
	/* Another crm's shared lock on open.lock means it is in use. */
	alone = flock(st->openfd, LOCK_EX | LOCK_NB) == 0;
	if (!alone) {
		/* The conversion let go of ours: take it again. */
		while (flock(st->openfd, LOCK_SH) != 0 && errno == EINTR)
			;
		return 0;
	}
	if ((d = opendir(st->dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strncmp(e->d_name, "__db.", 5) != 0)
				continue;
			xasprintf(&path, "%s/%s", st->dir, e->d_name);
			unlink(path);
			free(path);
		}
		closedir(d);
	}
	flock(st->openfd, LOCK_SH);
	return 1;
}

static int
store_open_env(struct store *st, int cache_mb)
{
	u_int32_t	flags;
	int		ret;

	flags = DB_CREATE | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL |
	    DB_INIT_TXN | DB_RECOVER;
	/* A master recovers only when the last holder did not let go cleanly. */
	if (st->role == STORE_MASTER && store_lock_was_clean() &&
	    (st->flags & STORE_CREATE) == 0)
		flags &= ~(u_int32_t)DB_RECOVER;
	/*
	 * A bulk load into a new database runs as db_load does: a private
	 * cache and nothing else, no locks, no log, no transactions. If it is
	 * cut off, the database is made again; closing writes it all out.
	 */
	if (st->flags & STORE_BULK)
		flags = DB_CREATE | DB_INIT_MPOOL | DB_PRIVATE;
	else if (st->role == STORE_MASTER)
		flags |= DB_PRIVATE;
	else
		flags |= DB_REGISTER | DB_THREAD;
	/* An encrypted local's cache is never a file (store_crypt_env). */
	if (st->key != NULL && (flags & DB_PRIVATE) == 0)
		flags |= DB_SYSTEM_MEM;
	if (st->role == STORE_MASTER && (flags & DB_RECOVER) &&
	    (st->flags & STORE_CREATE) == 0) {
		if (store_recover_apart(st, cache_mb, flags) != 0)
			return -1;
		flags &= ~(u_int32_t)DB_RECOVER;
	}
	if ((ret = store_env_make(st, cache_mb, &st->env)) != 0) {
		st->env = NULL;
		return store_dberr(st, "creating its environment", ret);
	}
	if ((ret = st->env->open(st->env, st->dir, flags, 0600)) != 0) {
		st->env->close(st->env, 0);
		st->env = NULL;
		if (ret != ENOSPC && ret != EACCES && ret != EPERM &&
		    ret != EIO && ret != ENOENT && (flags & DB_RECOVER) &&
		    store_regions_remove(st)) {
			if ((ret = store_env_make(st, cache_mb,
			    &st->env)) != 0) {
				st->env = NULL;
				return store_dberr(st, "creating its "
				    "environment", ret);
			}
			ret = st->env->open(st->env, st->dir, flags, 0600);
			if (ret == 0)
				return 0;
			st->env->close(st->env, 0);
			st->env = NULL;
		}
		store_dberr(st, "opening its environment", ret);
		if (ret != ENOSPC)
			store_log_damaged(st);
		return -1;
	}
	return 0;
}

/*
 * Where a master's journal starts: 0 for a master made with it, else the
 * sequence of the attach that added it (include/store.h).
 */
static int
store_journal_start(struct store *st, DB_TXN *txn)
{
	DBT		 key, data;
	uint8_t		 buf[8];
	int		 ret;

	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = (void *)"journal_from";
	key.size = (u_int32_t)strlen("journal_from");
	data.data = buf;
	data.ulen = sizeof buf;
	data.flags = DB_DBT_USERMEM;
	ret = st->meta->get(st->meta, txn, &key, &data, 0);
	if (ret == 0)
		return 0;
	if (ret != DB_NOTFOUND)
		return store_dberr(st, "meta.db", ret);
	store_be64(buf, 0);
	if ((st->flags & STORE_CREATE) == 0) {
		DBT	skey, sdata;
		uint8_t	seq[8];

		memset(&skey, 0, sizeof skey);
		memset(&sdata, 0, sizeof sdata);
		skey.data = (void *)"seq";
		skey.size = 3;
		sdata.data = seq;
		sdata.ulen = sizeof seq;
		sdata.flags = DB_DBT_USERMEM;
		ret = st->meta->get(st->meta, txn, &skey, &sdata, 0);
		if (ret == 0 && sdata.size == 8)
			memcpy(buf, seq, 8);
		else if (ret != 0 && ret != DB_NOTFOUND)
			return store_dberr(st, "meta.db", ret);
	}
	data.size = 8;
	data.flags = 0;
	if ((ret = st->meta->put(st->meta, txn, &key, &data, 0)) != 0)
		return store_dberr(st, "meta.db", ret);
	st->wrote = 1;
	return 0;
}

static int
store_journal_add(struct store *st)
{
	DB_TXN	*txn;
	size_t	 i;
	int	 ret;

	if ((ret = st->env->txn_begin(st->env, NULL, &txn, 0)) != 0)
		return store_dberr(st, "adding its journal", ret);
	for (i = 0; i < st->nfiles; i++) {
		if (st->files[i].journal == NULL && store_open_journal(st, txn,
		    &st->files[i], 1) != 0) {
			txn->abort(txn);
			return -1;
		}
	}
	if (store_journal_start(st, txn) != 0) {
		txn->abort(txn);
		return -1;
	}
	if ((ret = txn->commit(txn, 0)) != 0)
		return store_dberr(st, "adding its journal", ret);
	st->journal_missing = 0;
	return 0;
}

struct store *
store_open(const char *dir, enum store_role role,
    const struct store_schema *schema, size_t nschema, int flags,
    int wait_seconds)
{
	struct store	*st;
	struct stat	 sb;
	DB_TXN		*txn = NULL;
	char		*path, role_text[16];
	size_t		 i, len;
	int		 ret, cache_mb;

	st = xcalloc(1, sizeof *st);
	st->dir = xstrdup(dir);
	st->role = role;
	st->flags = flags;
	st->lockfd = -1;
	st->openfd = -1;
	if (store_key_take(st) != 0)
		goto fail;

	if (stat(dir, &sb) != 0 && errno != ENOENT && errno != ENOTDIR) {
		error_set("cannot read %s: %s: if it is on the network, check "
		    "the connection and try again", dir, strerror(errno));
		goto fail;
	}
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		error_set("%s is not a directory: give the database directory "
		    "with -d, or create one with crm init", dir);
		goto fail;
	}
	path = store_path(st, "meta.db");
	ret = access(path, F_OK);
	free(path);
	if (ret != 0 && (flags & STORE_CREATE) == 0) {
		error_set("%s is not a crm database (it has no meta.db): "
		    "create one with crm init, or check the path", dir);
		goto fail;
	}
	if ((flags & (STORE_CREATE | STORE_BULK)) == 0) {
		path = store_path(st, STORE_UNFINISHED);
		ret = access(path, F_OK);
		free(path);
		if (ret == 0) {
			error_set("%s is unfinished: the crm demo making it was "
			    "stopped before the end; run crm demo %s again, "
			    "which makes it anew", dir, dir);
			goto fail;
		}
	}
	if (role == STORE_MASTER &&
	    (st->lockfd = store_lock(dir, wait_seconds)) == -1)
		goto fail;
	if (role == STORE_MASTER)
		store_lost_watch(dir);
	if (role == STORE_LOCAL && (flags & STORE_LOADING) == 0 &&
	    (st->openfd = store_local_lock(dir, wait_seconds)) == -1)
		goto fail;
	/*
	 * Taking the lock may have finished a crm encrypt that was stopped
	 * (store-load.c): a local opened as plain may be encrypted now.
	 */
	if (st->key == NULL && store_key_take(st) != 0)
		goto fail;

	/*
	 * A load shares the memory budget with the attached master (64 MiB
	 * in all), and it writes in key order or sorted: a small cache is
	 * enough. Measured on a million records: 8 MB as fast as 16 MB.
	 */
	if (flags & (STORE_LOADING | STORE_COPYING))
		cache_mb = STORE_LOAD_CACHE_MB;
	else
		cache_mb = (flags & STORE_BULK) ? 256 : store_cache_mb;
	if (store_open_env(st, cache_mb) != 0)
		goto fail;
	if ((flags & STORE_BULK) == 0 &&
	    (ret = st->env->txn_begin(st->env, NULL, &txn, 0)) != 0) {
		store_dberr(st, "starting to open its files", ret);
		goto fail;
	}
	if (store_open_db(st, txn, &st->meta, "meta.db", NULL, 0) != 0)
		goto fail;
	st->conflicts.st = st;
	st->conflicts.schema = &store_conflict_schema;
	/*
	 * One past the record files, not 0 (files[0]): a load's deferred
	 * index entries name their file by this number.
	 */
	st->conflicts.index = nschema;
	if (store_open_file(st, txn, &st->conflicts) != 0)
		goto fail;
	st->nfiles = nschema;
	st->files = xcalloc(nschema, sizeof *st->files);
	for (i = 0; i < nschema; i++) {
		st->files[i].st = st;
		st->files[i].schema = &schema[i];
		st->files[i].index = i;
		if (store_open_file(st, txn, &st->files[i]) != 0)
			goto fail;
	}
	if (role == STORE_MASTER && (flags & STORE_CREATE) && txn != NULL &&
	    store_journal_start(st, txn) != 0)
		goto fail;
	if (txn != NULL && (ret = txn->commit(txn, 0)) != 0) {
		txn = NULL;
		store_dberr(st, "opening its files", ret);
		goto fail;
	}
	txn = NULL;
	if ((flags & STORE_CREATE) == 0) {
		struct store_txn	*t;

		if (store_begin(st, &t) != 0)
			goto fail;
		len = sizeof role_text - 1;
		ret = store_meta_get(t, "role", role_text, &len);
		store_abort(t);
		if (ret != 0) {
			if (ret == STORE_NOTFOUND)
				error_set("%s is damaged: meta.db does not say "
				    "whether it is a master or a local", dir);
			goto fail;
		}
		role_text[len] = '\0';
		if (strcmp(role_text, role == STORE_MASTER ? "master" :
		    "local") != 0) {
			error_set("%s is a %s database, but its crm.conf says "
			    "%s: fix db.role in %s/crm.conf", dir, role_text,
			    role == STORE_MASTER ? "master" : "local", dir);
			goto fail;
		}
		if ((flags & STORE_BULK) == 0 && store_fold_check(st) != 0)
			goto fail;
	}
	/* A master made before the journal gains it now, from here on. */
	if (st->journal_missing && store_journal_add(st) != 0)
		goto fail;
	store_n_opened++;
	return st;

fail:
	if (txn != NULL)
		txn->abort(txn);
	{
		char	*saved = xstrdup(error_get());

		store_close(st);
		error_set("%s", saved);
		free(saved);
	}
	return NULL;
}

int
store_dir_fresh(const char *dir)
{
	char	*path;
	int	 ret;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		error_set("cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	xasprintf(&path, "%s/meta.db", dir);
	ret = access(path, F_OK);
	free(path);
	if (ret == 0) {
		error_set("%s already holds a crm database: choose another "
		    "directory, or remove this one first", dir);
		return -1;
	}
	return 0;
}

int
store_create(const char *dir, enum store_role role,
    const struct store_schema *schema, size_t nschema)
{
	struct store		*st;
	struct store_txn	*t;
	char			*path, *mark;
	const char		*role_text;
	uint8_t			 version = STORE_SCHEMA_VERSION;
	int			 ret;

	if (store_dir_fresh(dir) != 0)
		return -1;
	if (chmod(dir, 0700) != 0) {
		error_set("cannot make %s private: %s", dir, strerror(errno));
		return -1;
	}
	xasprintf(&path, "%s/documents", dir);
	ret = mkdir(path, 0700);
	free(path);
	if (ret != 0 && errno != EEXIST) {
		error_set("cannot create %s/documents: %s", dir,
		    strerror(errno));
		return -1;
	}
	xasprintf(&path, "%s/templates", dir);
	ret = mkdir(path, 0700);
	free(path);
	if (ret != 0 && errno != EEXIST) {
		error_set("cannot create %s/templates: %s", dir,
		    strerror(errno));
		return -1;
	}

	st = store_open(dir, role, schema, nschema, STORE_CREATE, 0);
	if (st == NULL)
		return -1;
	if (store_begin(st, &t) != 0)
		goto fail;
	role_text = role == STORE_MASTER ? "master" : "local";
	mark = store_fold_mark(st);
	if (store_meta_put(t, "role", role_text, strlen(role_text)) != 0 ||
	    store_meta_put(t, "schema", &version, 1) != 0 ||
	    store_meta_put(t, "fold", mark, strlen(mark)) != 0) {
		free(mark);
		store_abort(t);
		goto fail;
	}
	free(mark);
	store_stamp(t);
	if (store_commit(t) != 0)
		goto fail;
	return store_close(st);

fail:
	store_close(st);
	return -1;
}

/*
 * Bytes of log written since the last checkpoint. Berkeley DB's own
 * count starts again at each open of a private environment, so it is
 * measured from the log sequence numbers; another log file counts as a
 * lot.
 */
static uint64_t
store_log_since_checkpoint(struct store *st)
{
	DB_TXN_STAT	*ts = NULL;
	DB_LOG_STAT	*ls = NULL;
	uint64_t	 n = 0;

	if (st->env->txn_stat(st->env, &ts, 0) != 0 ||
	    st->env->log_stat(st->env, &ls, 0) != 0)
		goto out;
	if (ls->st_cur_file != ts->st_last_ckp.file)
		n = UINT64_MAX;
	else if (ls->st_cur_offset > ts->st_last_ckp.offset)
		n = ls->st_cur_offset - ts->st_last_ckp.offset;
out:
	free(ts);
	free(ls);
	return n;
}

/*
 * Fill every page of a bulk-loaded database and give the pages emptied
 * back to the file system. Index entries that go in out of key order
 * (those Berkeley DB puts in as each record is written, or sorted
 * batches spread over the whole tree) leave the pages they split half
 * full: on a demo of 200,000 records whose words were put in as each
 * record was written, the leaf pages of the words index were 63% full.
 * Two passes, because a file's trees share its pages: the first fills
 * each tree's pages and frees those emptied, scattered among the others'
 * pages; the second moves the pages at the end of the file into them,
 * and the file is cut. Measured on that demo: 148.1 MB on disk before,
 * 130.0 MB after. It is not free: 2.9 of the 26.2 billion instructions
 * of the demo (callgrind), half of them the words index's, while the
 * demo's wall-clock time stayed where it was (its words now go in
 * sorted). Returns 0, or -1 with the error set; the database is whole
 * either way.
 */
static int
store_compact(struct store *st)
{
	struct store_file	*f;
	DB_COMPACT		 c;
	DB			*db;
	size_t			 i;
	int			 pass, j, ret;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i <= st->nfiles; i++) {
			f = i < st->nfiles ? &st->files[i] : &st->conflicts;
			for (j = -1; j <= STORE_NSUB; j++) {
				db = j == -1 ? f->primary : j == STORE_NSUB ?
				    f->journal : f->sub[j];
				if (db == NULL)
					continue;
				memset(&c, 0, sizeof c);
				ret = db->compact(db, NULL, NULL, NULL, &c,
				    DB_FREE_SPACE, NULL);
				if (ret != 0)
					return store_dberr(st, f->schema->file,
					    ret);
			}
		}
	}
	return 0;
}

int
store_close(struct store *st)
{
	size_t	i;
	int	ret, rv = 0;

	if (st == NULL)
		return 0;
	/*
	 * Written out before the handles close, and then closed without
	 * syncing: closing a handle syncs its file, and a file has six
	 * handles (its B-trees). Measured on an incremental sync: 120
	 * fdatasyncs, 70 of them at close, for a dozen files written.
	 */
	if (st->env != NULL) {
		/*
		 * A checkpoint makes the next attach cheap: recovery starts
		 * from here instead of replaying the whole log.
		 */
		if (st->flags & STORE_BULK) {
			/*
			 * A new database's bulk load ends with its gathered
			 * words and full pages. A first sync's load put its
			 * entries in already (store_load_end); it is not
			 * compacted, as what that would add to a first
			 * sync's time is not measured.
			 */
			if ((st->flags & STORE_LOADING) == 0 &&
			    (store_defer_flush(st) != 0 ||
			    store_compact(st) != 0))
				rv = -1;
			if ((ret = st->env->memp_sync(st->env, NULL)) != 0)
				rv = store_dberr(st, "writing it out", ret);
		} else if (st->broken) {
			/* The next attach recovers from the log instead. */
		} else if (st->wrote || (st->flags & STORE_CREATE)) {
			ret = st->env->txn_checkpoint(st->env, 0, 0, DB_FORCE);
			if (ret == 0)
				ret = st->env->txn_checkpoint(st->env, 0, 0,
				    DB_FORCE);
			if (ret != 0) {
				rv = store_dberr(st, "checkpoint", ret);
				/* Committed, only not yet in its files. */
				if (ret == ENOSPC || store_io_nospace)
					error_set("the disk holding %s is "
					    "full: what was saved is safe in "
					    "its log, and goes into its files "
					    "with the next command once some "
					    "space is free", st->dir);
			} else
				st->env->log_archive(st->env, NULL,
				    DB_ARCH_REMOVE);
		} else if (st->role == STORE_MASTER) {
			/*
			 * A unit that only read still logged the opening of
			 * each file, and every attach scans the log back to
			 * the last checkpoint: the screens, attaching once a
			 * key, slowed from 10 to 28 ms a page in a thousand
			 * keys (measured). Checkpoint once 64 KB have piled up.
			 */
			if (store_log_since_checkpoint(st) > 64 * 1024 &&
			    st->env->txn_checkpoint(st->env, 0, 0,
			    DB_FORCE) == 0)
				st->env->log_archive(st->env, NULL,
				    DB_ARCH_REMOVE);
		}
	}
	for (i = 0; i < st->nfiles; i++)
		store_close_file(&st->files[i]);
	if (st->meta != NULL)
		st->meta->close(st->meta, DB_NOSYNC);
	store_close_file(&st->conflicts);
	if (st->env != NULL)
		st->env->close(st->env, 0);
	store_crypt_release(st);
	store_unlock_dirty(st->lockfd, st->broken || rv != 0);
	if (st->role == STORE_MASTER)
		store_lost_unwatch();
	if (st->openfd != -1)
		close(st->openfd);
	free(st->defer.buf);
	free(st->defer.sort);
	free(st->files);
	free(st->dir);
	if (st->key != NULL) {
		explicit_bzero(st->key, strlen(st->key));
		free(st->key);
	}
	free(st);
	return rv;
}

int
store_checkpoint(struct store *st)
{
	int	ret;

	if (st->flags & STORE_BULK)
		return 0;
	/*
	 * Only once enough log has been written to be worth it: 2 MB, one
	 * log file. It was 16 MB: a sync of 6,000 companies wrote that much
	 * log before its first checkpoint, on the master and on the local
	 * alike, and filled a 20 MB disk with it.
	 */
	if ((ret = st->env->txn_checkpoint(st->env, 2 * 1024, 0, 0)) != 0)
		return store_dberr(st, "checkpoint", ret);
	st->env->log_archive(st->env, NULL, DB_ARCH_REMOVE);
	return 0;
}

int
store_alone(struct store *local)
{
	if (local->role != STORE_LOCAL || local->openfd == -1)
		fatal("store: only an open local is had alone");
	if (flock(local->openfd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK) {
		error_set("cannot lock %s/open.lock: %s", local->dir,
		    strerror(errno));
		return -1;
	}
	/* Converting may have let go of the shared lock: take it back. */
	if (flock(local->openfd, LOCK_SH) != 0) {
		error_set("cannot lock %s/open.lock: %s", local->dir,
		    strerror(errno));
		return -1;
	}
	return STORE_BUSY;
}

int
store_load_begin(struct store *local, struct store **loadp)
{
	struct store	*load = NULL;
	DBC		*c = NULL;
	DBT		 key, data;
	char		*path;
	int		 ret;

	*loadp = NULL;
	if (local->role != STORE_LOCAL || local->openfd == -1)
		fatal("store: a load is only for an open local");
	/* Nobody else may have the local open while it is replaced. */
	if ((ret = store_alone(local)) != 0)
		return ret;
	/* What an earlier load left, cut off or never switched, goes. */
	if (store_load_clear(local->dir) != 0)
		goto fail;
	path = store_path(local, "load");
	ret = mkdir(path, 0700);
	if (ret != 0) {
		error_set("cannot create %s: %s", path, strerror(errno));
		free(path);
		goto fail;
	}
	/* An encrypted local's load is encrypted with its key. */
	store_set_key(path, local->key);
	load = store_open(path, STORE_LOCAL, local->files[0].schema,
	    local->nfiles, STORE_CREATE | STORE_BULK | STORE_LOADING, 0);
	free(path);
	if (load == NULL)
		goto fail;

	/* The local's own values (its master, its clock) come along. */
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.flags = data.flags = DB_DBT_REALLOC;
	if ((ret = local->meta->cursor(local->meta, NULL, &c, 0)) != 0) {
		store_dberr(local, "meta.db", ret);
		goto fail;
	}
	while ((ret = c->get(c, &key, &data, DB_NEXT)) == 0 &&
	    (ret = load->meta->put(load->meta, NULL, &key, &data, 0)) == 0)
		;
	c->close(c);
	free(key.data);
	free(data.data);
	if (ret != DB_NOTFOUND) {
		store_dberr(load, "copying meta.db", ret);
		goto fail;
	}
	*loadp = load;
	return 0;

fail:
	store_close(load);
	/* The lock goes back to what an open local holds. */
	flock(local->openfd, LOCK_SH);
	return -1;
}

/* fsync a file or directory by name. */
static int
store_fsync_path(const char *path, int flags)
{
	int	fd, ret;

	if ((fd = open(path, flags | O_CLOEXEC)) == -1)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

/*
 * A load that failed (a full disk) is thrown away at once, giving its
 * space back; its message stays what it was.
 */
static void
store_load_drop(const char *loaddir)
{
	char	*local, *slash, *saved;

	local = xstrdup(loaddir);
	if ((slash = strrchr(local, '/')) != NULL && slash != local) {
		*slash = '\0';
		saved = xstrdup(error_get());
		store_load_clear(local);
		error_set("%s", saved);
		free(saved);
	}
	free(local);
}

int
store_load_end(struct store *load)
{
	DIR		*d;
	struct dirent	*de;
	char		*dir, *path;
	int		 fd, ret = 0;

	if ((load->flags & STORE_LOADING) == 0)
		fatal("store: not a load");
	dir = xstrdup(load->dir);
	if (store_defer_flush(load) != 0) {
		store_close(load);
		store_load_drop(dir);
		free(dir);
		return -1;
	}
	if (store_close(load) != 0) {
		store_load_drop(dir);
		free(dir);
		return -1;
	}
	/* Every file on disk before the mark that lets it replace the local. */
	if ((d = opendir(dir)) == NULL)
		ret = -1;
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		ret = store_fsync_path(path, O_RDONLY);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	xasprintf(&path, "%s/complete", dir);
	if (ret == 0 && (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600)) != -1) {
		ret = fsync(fd);
		close(fd);
	} else
		ret = -1;
	if (ret == 0)
		ret = store_fsync_path(dir, O_RDONLY | O_DIRECTORY);
	if (ret != 0 && (errno == ENOSPC || errno == EDQUOT))
		error_set("the disk holding %s is full (writing out a first "
		    "sync): free some space and sync again; nothing was "
		    "changed", dir);
	else if (ret != 0)
		error_set("cannot write out %s: %s: free some space and sync "
		    "again", dir, strerror(errno));
	free(path);
	if (ret != 0)
		store_load_drop(dir);
	free(dir);
	return ret;
}

/* The records of a B-tree, for a copy's progress. */
static int
store_copy_count(struct store *st, DB *db, const char *file, uint64_t *n)
{
	DB_BTREE_STAT	*sp;
	int		 ret;

	if ((ret = db->stat(db, NULL, &sp, 0)) != 0)
		return store_dberr(st, file, ret);
	*n += sp->bt_ndata;
	free(sp);
	return 0;
}

struct store_copy_progress {
	void		(*tell)(void *, uint64_t, uint64_t);
	void		*arg;
	uint64_t	 done, total;
};

/*
 * Copy one B-tree's values byte for byte (a record file's primary, whose
 * indexes follow it, or meta.db when f is NULL).
 */
static int
store_copy_db(struct store *from, DB *src, struct store *to,
    struct store_file *f, const char *file, struct store_copy_progress *p)
{
	DB	*dst = f != NULL ? f->primary : to->meta;
	DBC	*c;
	DBT	 key, data;
	int	 ret, err = 0;

	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.flags = data.flags = DB_DBT_REALLOC;
	if ((ret = src->cursor(src, NULL, &c, 0)) != 0)
		return store_dberr(from, file, ret);
	while ((ret = c->get(c, &key, &data, DB_NEXT)) == 0) {
		if (store_stopped() != 0) {
			err = -1;
			break;
		}
		if ((ret = dst->put(dst, NULL, &key, &data, 0)) != 0) {
			err = store_dberr(to, file, ret);
			break;
		}
		if (f == NULL)
			continue;
		if (store_defer_record(to, f, &key, &data) != 0) {
			err = -1;
			break;
		}
		if (++p->done % 1000 == 0 && p->tell != NULL)
			p->tell(p->arg, p->done, p->total);
	}
	c->close(c);
	free(key.data);
	free(data.data);
	if (err == 0 && ret != DB_NOTFOUND)
		err = store_dberr(from, file, ret);
	return err;
}

int
store_encrypt_copy(struct store *local, const char *to,
    void (*progress)(void *, uint64_t, uint64_t), void *arg)
{
	struct store_copy_progress	 p;
	struct store			*copy;
	DIR				*d;
	struct dirent			*de;
	char				*path;
	size_t				 i;
	int				 ret = 0;

	if (local->role != STORE_LOCAL || local->key != NULL)
		fatal("store: only a plain local is encrypted");
	memset(&p, 0, sizeof p);
	p.tell = progress;
	p.arg = arg;
	if (store_copy_count(local, local->conflicts.primary,
	    local->conflicts.schema->file, &p.total) != 0)
		return -1;
	for (i = 0; i < local->nfiles; i++) {
		if (store_copy_count(local, local->files[i].primary,
		    local->files[i].schema->file, &p.total) != 0)
			return -1;
	}
	if (progress != NULL)
		progress(arg, 0, p.total);
	copy = store_open(to, STORE_LOCAL, local->files[0].schema,
	    local->nfiles, STORE_CREATE | STORE_BULK | STORE_COPYING, 0);
	if (copy == NULL)
		return -1;
	if (copy->key == NULL)
		fatal("store: a copy to encrypt has no key");
	if (store_copy_db(local, local->meta, copy, NULL, "meta.db",
	    &p) != 0 ||
	    store_copy_db(local, local->conflicts.primary, copy,
	    &copy->conflicts, local->conflicts.schema->file, &p) != 0)
		ret = -1;
	for (i = 0; ret == 0 && i < local->nfiles; i++) {
		if (store_copy_db(local, local->files[i].primary, copy,
		    &copy->files[i], local->files[i].schema->file, &p) != 0)
			ret = -1;
	}
	/* The indexes gathered, full pages, and all of it written out. */
	if (ret == 0 && store_defer_flush(copy) != 0)
		ret = -1;
	if (store_close(copy) != 0)
		ret = -1;
	if (ret != 0)
		return -1;
	if (progress != NULL)
		progress(arg, p.done, p.total);
	if ((d = opendir(to)) == NULL) {
		error_set("cannot read %s: %s", to, strerror(errno));
		return -1;
	}
	while (ret == 0 && (de = readdir(d)) != NULL) {
		size_t	len = strlen(de->d_name);

		if (len < 4 || strcmp(de->d_name + len - 3, ".db") != 0)
			continue;
		xasprintf(&path, "%s/%s", to, de->d_name);
		if (store_fsync_path(path, O_RDONLY) != 0) {
			error_set("cannot write out %s: %s", path,
			    strerror(errno));
			ret = -1;
		}
		free(path);
	}
	closedir(d);
	return ret;
}

enum store_role
store_role(const struct store *st)
{
	return st->role;
}

const char *
store_dir(const struct store *st)
{
	return st->dir;
}

char *
store_path(const struct store *st, const char *name)
{
	char	*path;

	xasprintf(&path, "%s/%s", st->dir, name);
	return path;
}

int
store_meta_get_u64(struct store_txn *t, const char *key, uint64_t *v)
{
	uint8_t	buf[8];
	size_t	len = sizeof buf;
	int	ret;

	*v = 0;
	if ((ret = store_meta_get(t, key, buf, &len)) != 0)
		return ret == STORE_NOTFOUND ? 0 : -1;
	if (len != 8) {
		error_set("%s is damaged: meta.db's %s is not a number",
		    t->st->dir, key);
		return -1;
	}
	*v = store_get_be64(buf);
	return 0;
}

/*
 * Counts transactions begun and writes made, for store_memo_stamp: a
 * stamp is the count when its transaction began, or when it last wrote
 * the file itself, so no two transactions ever share one.
 */
static uint64_t	store_memo_clock;

uint64_t
store_memo_stamp(struct store_txn *t, size_t file)
{
	struct store_file	*f = store_file(t, file);

	if (t->begun == 0)
		return 0;
	if (f->written < t->begun)
		return t->begun;
	/* Written since it began: by itself, or by another it may not see. */
	return f->writer == t->begun ? f->written : 0;
}

/*
 * May this process's transactions go without locks? Only when its
 * environment is its own: private, and not opened for threads.
 */
static int
store_nolock_ok(const struct store *st)
{
	u_int32_t	flags;

	if (st->env->get_open_flags(st->env, &flags) != 0)
		return 0;
	return (flags & DB_PRIVATE) && (flags & DB_THREAD) == 0 &&
	    (flags & DB_INIT_LOCK);
}

static void
store_nolock_end(struct store_txn *t)
{
	if (t->nolock) {
		t->st->env->set_flags(t->st->env, DB_NOLOCKING, 0);
		t->nolock = 0;
	}
}

static int
store_begin_flags(struct store *st, u_int32_t flags, struct store_txn **tp)
{
	struct store_txn	*t;
	int			 ret;

	t = xcalloc(1, sizeof *t);
	t->st = st;
	/* A read-committed transaction may see what it read change. */
	if ((flags & DB_READ_COMMITTED) == 0)
		t->begun = ++store_memo_clock;
	/*
	 * A transaction holds a lock on every page it writes until it ends,
	 * in a lock region that grows with them: an import's peak memory
	 * grew with its file (4 MB of locks at 100,000 vCards, measured with
	 * and without them). A master's environment is this process's
	 * alone (DB_PRIVATE, one thread, the master's lock file held), so
	 * nothing can wait for those locks: a bulk transaction there takes
	 * none, and its memory no longer grows with its size. Logging, and
	 * so all or nothing, is unchanged. Set before the transaction
	 * begins and cleared after it ends, so that no lock is taken with
	 * locking on and released with it off.
	 */
	if ((flags & DB_TXN_BULK) && st->role == STORE_MASTER &&
	    (st->flags & STORE_BULK) == 0 && store_nolock_ok(st) &&
	    st->env->set_flags(st->env, DB_NOLOCKING, 1) == 0)
		t->nolock = 1;
	if ((st->flags & STORE_BULK) == 0 &&
	    (ret = st->env->txn_begin(st->env, NULL, &t->txn, flags)) != 0) {
		store_nolock_end(t);
		free(t);
		return store_dberr(st, "starting a transaction", ret);
	}
	if (store_meta_get_u64(t, "clock", &t->clock) != 0 ||
	    (st->role == STORE_MASTER && store_meta_get_u64(t, "seq",
	    &t->seq) != 0)) {
		store_abort(t);
		return -1;
	}
	t->clock0 = t->clock;
	t->seq0 = t->seq;
	*tp = t;
	return 0;
}

int
store_begin(struct store *st, struct store_txn **tp)
{
	return store_begin_flags(st, 0, tp);
}

int
store_begin_bulk(struct store *st, struct store_txn **tp)
{
	return store_begin_flags(st, DB_TXN_BULK, tp);
}

int
store_begin_read(struct store *st, struct store_txn **tp)
{
	return store_begin_flags(st, DB_READ_COMMITTED, tp);
}

int
store_commit(struct store_txn *t)
{
	struct store	*st = t->st;
	uint8_t		 buf[8];
	int		 ret;

	if (store_stopped() != 0)
		goto fail;
	if (t->clock != t->clock0) {
		store_be64(buf, t->clock);
		if (store_meta_put(t, "clock", buf, 8) != 0)
			goto fail;
	}
	if (t->seq != t->seq0) {
		store_be64(buf, t->seq);
		if (store_meta_put(t, "seq", buf, 8) != 0)
			goto fail;
	}
	ret = t->txn != NULL ? t->txn->commit(t->txn, 0) : 0;
	t->txn = NULL;
	store_nolock_end(t);
	if (ret != 0) {
		store_abort(t);		/* closes what was opened in it */
		return store_dberr(st, "saving", ret);
	}
	if (t->wrote)
		st->wrote = 1;
	free(t);
	return 0;

fail:
	store_abort(t);
	return -1;
}

void
store_abort(struct store_txn *t)
{
	size_t	i;

	if (t == NULL)
		return;
	if (t->txn != NULL)
		t->txn->abort(t->txn);
	store_nolock_end(t);
	/* A handle opened in an aborted transaction must be closed. */
	for (i = 0; i < t->nraw; i++) {
		(*t->raw[i])->close(*t->raw[i], DB_NOSYNC);
		*t->raw[i] = NULL;
	}
	free(t);
}

uint64_t
store_stamp(struct store_txn *t)
{
	return clock_tick(&t->clock);
}

void
store_clock_reset(struct store_txn *t, uint64_t stamp)
{
	t->clock = stamp;
	t->clock0 = stamp + 1;	/* differs: written at commit */
}

void
store_observe(struct store_txn *t, uint64_t stamp)
{
	clock_observe(&t->clock, stamp);
}

uint64_t
store_seq(struct store_txn *t)
{
	return t->seq;
}

static struct store_file *
store_file(struct store_txn *t, size_t file)
{
	if (file == STORE_CONFLICTS)
		return &t->st->conflicts;
	if (file >= t->st->nfiles)
		fatal("store: no file %zu", file);
	return &t->st->files[file];
}

void
store_stats(uint64_t *opened, uint64_t *read)
{
	*opened = store_n_opened;
	*read = store_n_read;
}

static int
store_decode_at(struct store *st, struct store_file *f, const DBT *data,
    struct record **out)
{
	store_n_read++;
	if ((*out = record_decode(data->data, data->size)) == NULL) {
		error_prefix("%s/%s: ", st->dir, f->schema->file);
		return -1;
	}
	return 0;
}

int
store_get(struct store_txn *t, size_t file, const struct record_id *id,
    struct record **out)
{
	struct store_file	*f = store_file(t, file);
	DBT			 key, data;
	int			 ret;

	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = (void *)id->b;
	key.size = RECORD_ID_SIZE;
	data.flags = DB_DBT_MALLOC;
	ret = f->primary->get(f->primary, t->txn, &key, &data, 0);
	if (ret == DB_NOTFOUND)
		return STORE_NOTFOUND;
	if (ret != 0)
		return store_dberr(t->st, f->schema->file, ret);
	ret = store_decode_at(t->st, f, &data, out);
	free(data.data);
	return ret;
}

static int
store_id_cmp(const void *a, const void *b)
{
	return record_id_cmp(a, b);
}

/* qsort has no argument for the buffer the entries are in. */
static const uint8_t	*store_defer_sorting;

static int
store_defer_cmp(const void *a, const void *b)
{
	const struct store_defer_sort	*sa = a, *sb = b;
	const uint8_t			*x, *y;
	size_t				 xl, yl;
	int				 c;

	if (sa->prefix != sb->prefix)
		return sa->prefix < sb->prefix ? -1 : 1;
	/* The key and then the primary key as Berkeley DB orders them:
	 * bytes, then length. */
	x = store_defer_sorting + sa->off;
	y = store_defer_sorting + sb->off;
	xl = (size_t)x[3] << 8 | x[4];
	yl = (size_t)y[3] << 8 | y[4];
	if ((c = memcmp(x + 5, y + 5, xl < yl ? xl : yl)) != 0)
		return c;
	if (xl != yl)
		return xl < yl ? -1 : 1;
	return memcmp(x + 5 + xl, y + 5 + yl, RECORD_ID_SIZE);
}

/* Put the gathered index entries of a load into their trees, sorted. */
static int
store_defer_flush(struct store *st)
{
	struct store_defer	*d = &st->defer;
	struct store_file	*f;
	const uint8_t		*e;
	DBT			 key, data;
	size_t			 i, j, klen;
	int			 ret = 0;

	if (d->n == 0)
		return 0;
	store_defer_sorting = d->buf;
	qsort(d->sort, d->n, sizeof *d->sort, store_defer_cmp);
	store_defer_sorting = NULL;
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	for (i = 0; i < d->n && ret == 0; i++) {
		e = d->buf + d->sort[i].off;
		j = (size_t)e[0] << 8 | e[1];
		f = j == st->nfiles ? &st->conflicts : &st->files[j];
		klen = (size_t)e[3] << 8 | e[4];
		key.data = (void *)(e + 5);
		key.size = (u_int32_t)klen;
		data.data = (void *)(e + 5 + klen);
		data.size = RECORD_ID_SIZE;
		ret = f->sub[e[2]]->put(f->sub[e[2]], NULL, &key, &data, 0);
		if (ret != 0)
			store_dberr(st, f->schema->file, ret);
	}
	d->len = 0;
	d->n = 0;
	return ret == 0 ? 0 : -1;
}

static void
store_defer_add(struct store *st, struct store_file *f, int sub,
    const DBT *k, const uint8_t *pkey)
{
	struct store_defer	*d = &st->defer;
	uint8_t			*e;
	uint64_t		 p;
	size_t			 i, need = 5 + k->size + RECORD_ID_SIZE;

	if (d->len + need > d->cap) {
		/*
		 * Room for a full batch and the entry that ends it. A batch
		 * ends only after a whole record's entries, so it may run
		 * past the mark by several: the buffer must never shrink.
		 */
		d->cap = STORE_LOAD_DEFER_MB * 1024 * 1024 + need;
		if (d->cap < d->len + need)
			d->cap = d->len + need;
		d->buf = xreallocarray(d->buf, d->cap, 1);
	}
	if (d->n == d->nsort) {
		d->nsort = d->nsort == 0 ? 4096 : d->nsort * 2;
		d->sort = xreallocarray(d->sort, d->nsort, sizeof *d->sort);
	}
	e = d->buf + d->len;
	e[0] = (uint8_t)(f->index >> 8);
	e[1] = (uint8_t)f->index;
	e[2] = (uint8_t)sub;
	e[3] = (uint8_t)(k->size >> 8);
	e[4] = (uint8_t)k->size;
	memcpy(e + 5, k->data, k->size);
	memcpy(e + 5 + k->size, pkey, RECORD_ID_SIZE);
	p = (uint64_t)e[1] << 56 | (uint64_t)e[2] << 48;
	for (i = 0; i < 6 && i < k->size; i++)
		p |= (uint64_t)e[5 + i] << (40 - 8 * i);
	d->sort[d->n].prefix = p;
	d->sort[d->n].off = (uint32_t)d->len;
	d->n++;
	d->len += need;
}

/*
 * A load's record was written to its primary alone: gather its index
 * entries, through the same functions Berkeley DB would call. A load
 * writes each record once, so there are no old entries to take out.
 */
static int
store_defer_record(struct store *st, struct store_file *f, const DBT *key,
    const DBT *data)
{
	DBT	 result, *keys, pkey;
	u_int32_t n, j;
	int	 i, ret, err = 0;

	for (i = 0; i < STORE_NSUB; i++) {
		if (!store_sub_deferred(st, i))
			continue;
		memset(&result, 0, sizeof result);
		ret = store_sub_callbacks[i](f->sub[i], key, data, &result);
		if (ret == DB_DONOTINDEX)
			continue;
		if (ret != 0)
			return store_dberr(st, f->schema->file, ret);
		if (result.flags & DB_DBT_MULTIPLE) {
			keys = result.data;
			n = result.size;
		} else {
			keys = &result;
			n = 1;
		}
		for (j = 0; j < n; j++) {
			/*
			 * An entry holds its key's length in two bytes: a
			 * longer key (an owner can be any text) goes into its
			 * index at once.
			 */
			if (keys[j].size <= 0xffff)
				store_defer_add(st, f, i, &keys[j], key->data);
			else if (err == 0) {
				pkey = *key;
				err = f->sub[i]->put(f->sub[i], NULL, &keys[j],
				    &pkey, 0);
				if (err != 0)
					store_dberr(st, f->schema->file, err);
			}
			if (keys[j].flags & DB_DBT_APPMALLOC)
				free(keys[j].data);
		}
		if (keys != &result && (result.flags & DB_DBT_APPMALLOC))
			free(keys);
		if (err != 0)
			return -1;
	}
	if (st->defer.len >= STORE_LOAD_DEFER_MB * 1024 * 1024)
		return store_defer_flush(st);
	return 0;
}

static int
store_write(struct store_txn *t, struct store_file *f, struct record *r)
{
	DBT	 key, data;
	uint8_t	*buf;
	size_t	 len;
	int	 ret, deferred = 0;

	record_encode(r, &buf, &len);
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = r->id.b;
	key.size = RECORD_ID_SIZE;
	data.data = buf;
	data.size = (u_int32_t)len;
	f->put_rec = r;
	f->put_bytes = buf;
	f->put_len = len;
	f->written = ++store_memo_clock;
	f->writer = t->begun;
	ret = f->primary->put(f->primary, t->txn, &key, &data, 0);
	if (ret == 0 && store_defers(t->st))
		deferred = store_defer_record(t->st, f, &key, &data);
	f->put_rec = NULL;
	f->put_bytes = NULL;
	free(buf);
	if (ret != 0)
		return store_dberr(t->st, f->schema->file, ret);
	t->wrote = 1;
	return deferred;
}

/* The values of a record's route: its owner and reference fields. */
static int
store_route_same(const struct store_schema *sc, const struct record *a,
    const struct record *b)
{
	int	i;

	for (i = 0; i < 5 && sc->ref_fields[i] != NULL; i++) {
		if (strcmp(record_value(a, sc->ref_fields[i]),
		    record_value(b, sc->ref_fields[i])) != 0)
			return 0;
	}
	for (i = 0; i < 3 && sc->owner_fields[i] != NULL; i++) {
		if (strcmp(record_value(a, sc->owner_fields[i]),
		    record_value(b, sc->owner_fields[i])) != 0)
			return 0;
	}
	return 1;
}

/*
 * Before r replaces a live record of a master whose route it changes,
 * keep the old route in the journal under r's sequence number.
 */
static int
store_journal(struct store_txn *t, struct store_file *f,
    const struct record *r)
{
	const struct store_schema	*sc = f->schema;
	struct record			*old, *e;
	DBT				 key, data;
	uint8_t				 k[8], *buf;
	size_t				 len;
	int				 i, ret;

	if ((ret = store_get(t, f->index, &r->id, &old)) == STORE_NOTFOUND)
		return 0;
	if (ret != 0)
		return -1;
	if ((old->flags & RECORD_DELETED) || store_route_same(sc, old, r)) {
		record_free(old);
		return 0;
	}
	e = record_new();
	e->id = r->id;
	e->seq = r->seq;
	e->created = old->created;
	memcpy(e->created_by, old->created_by, sizeof e->created_by);
	for (i = 0; i < 5 && sc->ref_fields[i] != NULL; i++)
		record_set(e, sc->ref_fields[i],
		    record_value(old, sc->ref_fields[i]), 0);
	for (i = 0; i < 3 && sc->owner_fields[i] != NULL; i++)
		record_set(e, sc->owner_fields[i],
		    record_value(old, sc->owner_fields[i]), 0);
	record_free(old);
	record_encode(e, &buf, &len);
	record_free(e);
	store_be64(k, r->seq);
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = k;
	key.size = 8;
	data.data = buf;
	data.size = (u_int32_t)len;
	ret = f->journal->put(f->journal, t->txn, &key, &data, 0);
	free(buf);
	if (ret != 0)
		return store_dberr(t->st, f->schema->file, ret);
	return 0;
}

int
store_put(struct store_txn *t, size_t file, struct record *r, int flags)
{
	struct store_file	*f = store_file(t, file);

	if (store_stopped() != 0)
		return -1;
	if (t->st->role == STORE_MASTER && (flags & STORE_PUT_KEEPSEQ) == 0) {
		r->seq = ++t->seq;
		if (f->journal != NULL && store_journal(t, f, r) != 0)
			return -1;
	}
	/* Only a local's own changes wait in its outbox. */
	if (t->st->role == STORE_LOCAL && (flags & STORE_PUT_SYNCED) == 0)
		r->flags |= RECORD_DIRTY;
	else
		r->flags &= ~RECORD_DIRTY;
	return store_write(t, f, r);
}

int
store_remove(struct store_txn *t, size_t file, const struct record_id *id)
{
	struct store_file	*f = store_file(t, file);
	DBT			 key;
	int			 ret;

	memset(&key, 0, sizeof key);
	key.data = (void *)id->b;
	key.size = RECORD_ID_SIZE;
	f->written = ++store_memo_clock;
	f->writer = t->begun;
	ret = f->primary->del(f->primary, t->txn, &key, 0);
	if (ret == DB_NOTFOUND)
		return STORE_NOTFOUND;
	if (ret != 0)
		return store_dberr(t->st, f->schema->file, ret);
	t->wrote = 1;
	return 0;
}

int
store_outbox_clear(struct store_txn *t, size_t file,
    const struct record_id *id)
{
	struct record	*r;
	int		 ret;

	if ((ret = store_get(t, file, id, &r)) != 0)
		return ret;
	if (r->flags & RECORD_DIRTY) {
		r->flags &= ~RECORD_DIRTY;
		ret = store_write(t, store_file(t, file), r);
	}
	record_free(r);
	return ret;
}

int
store_find_prefix(struct store_txn *t, size_t file, const char *prefix,
    struct record_id *out)
{
	struct store_cursor	*c;
	struct record		*r;
	struct record_id	 low;
	int			 ret, found = 0;

	if (record_id_prefix_low(prefix, &low) != 0)
		return -1;
	if (store_cursor_open(t, file, STORE_BY_ID, 0, &c) != 0)
		return -1;
	store_cursor_seek(c, low.b, RECORD_ID_SIZE, 0);
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (!record_id_has_prefix(&r->id, prefix)) {
			record_free(r);
			break;
		}
		if (found++ == 0)
			*out = r->id;
		record_free(r);
		if (found > 1)
			break;
	}
	store_cursor_close(c);
	if (ret == -1)
		return -1;
	if (found == 0)
		return STORE_NOTFOUND;
	return found == 1 ? 0 : STORE_AMBIGUOUS;
}

int
store_count(struct store_txn *t, size_t file, uint64_t *n)
{
	struct store_cursor	*c;
	struct record		*r;
	int			 ret;

	*n = 0;
	if (store_cursor_open(t, file, STORE_BY_ID, 0, &c) != 0)
		return -1;
	while ((ret = store_cursor_next(c, &r)) == 0) {
		(*n)++;
		record_free(r);
	}
	store_cursor_close(c);
	return ret == -1 ? -1 : 0;
}

int
store_meta_get(struct store_txn *t, const char *k, void *buf, size_t *len)
{
	DBT	key, data;
	int	ret;

	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = (void *)k;
	key.size = (u_int32_t)strlen(k);
	data.data = buf;
	data.ulen = (u_int32_t)*len;
	data.flags = DB_DBT_USERMEM;
	ret = t->st->meta->get(t->st->meta, t->txn, &key, &data,
	    t->txn != NULL ? DB_READ_COMMITTED : 0);
	if (ret == DB_NOTFOUND)
		return STORE_NOTFOUND;
	if (ret == DB_BUFFER_SMALL) {
		error_set("%s is damaged: meta.db's %s is too long",
		    t->st->dir, k);
		return -1;
	}
	if (ret != 0)
		return store_dberr(t->st, "meta.db", ret);
	*len = data.size;
	return 0;
}

int
store_meta_put(struct store_txn *t, const char *k, const void *buf,
    size_t len)
{
	DBT	key, data;
	int	ret;

	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = (void *)k;
	key.size = (u_int32_t)strlen(k);
	data.data = (void *)buf;
	data.size = (u_int32_t)len;
	if ((ret = t->st->meta->put(t->st->meta, t->txn, &key, &data, 0)) != 0)
		return store_dberr(t->st, "meta.db", ret);
	t->wrote = 1;
	return 0;
}

int
store_meta_put_u64(struct store_txn *t, const char *key, uint64_t v)
{
	uint8_t	buf[8];

	store_be64(buf, v);
	return store_meta_put(t, key, buf, 8);
}

int
store_meta_del(struct store_txn *t, const char *k)
{
	DBT	key;
	int	ret;

	memset(&key, 0, sizeof key);
	key.data = (void *)k;
	key.size = (u_int32_t)strlen(k);
	ret = t->st->meta->del(t->st->meta, t->txn, &key, 0);
	if (ret == DB_NOTFOUND)
		return STORE_NOTFOUND;
	if (ret != 0)
		return store_dberr(t->st, "meta.db", ret);
	t->wrote = 1;
	return 0;
}

int
store_meta_list(struct store_txn *t, const char *prefix, int newest,
    int (*each)(void *, const char *, const void *, size_t), void *arg)
{
	DBC	*c;
	DBT	 key, data;
	char	*k;
	size_t	 plen = strlen(prefix);
	int	 ret, stop = 0;
	u_int32_t op;

	if ((ret = t->st->meta->cursor(t->st->meta, t->txn, &c, 0)) != 0)
		return store_dberr(t->st, "meta.db", ret);
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.flags = data.flags = DB_DBT_REALLOC;
	/* Newest first: from just past the prefix's keys, backwards. */
	key.data = xmalloc(plen + 1);
	memcpy(key.data, prefix, plen);
	((char *)key.data)[plen] = newest ? (char)0xff : 0;
	key.size = (u_int32_t)plen + (newest ? 1 : 0);
	ret = c->get(c, &key, &data, DB_SET_RANGE);
	if (newest)
		ret = c->get(c, &key, &data, ret == 0 ? DB_PREV : DB_LAST);
	op = newest ? DB_PREV : DB_NEXT;
	while (ret == 0 && !stop) {
		if (key.size < plen || memcmp(key.data, prefix, plen) != 0)
			break;
		k = xstrndup(key.data, key.size);
		stop = each(arg, k, data.data, data.size);
		free(k);
		if (stop == -1)
			break;
		ret = c->get(c, &key, &data, op);
	}
	c->close(c);
	free(key.data);
	free(data.data);
	if (stop == -1)
		return -1;
	if (ret != 0 && ret != DB_NOTFOUND)
		return store_dberr(t->st, "meta.db", ret);
	return 0;
}

int
store_cursor_open(struct store_txn *t, size_t file, enum store_index idx,
    int flags, struct store_cursor **cp)
{
	struct store_file	*f = store_file(t, file);
	struct store_cursor	*c;
	DB			*db;
	int			 ret;

	if (idx == STORE_BY_JOURNAL && f->journal == NULL)
		fatal("store: %s has no journal", f->schema->file);
	db = idx == STORE_BY_ID ? f->primary : idx == STORE_BY_JOURNAL ?
	    f->journal : f->sub[idx - 1];
	c = xcalloc(1, sizeof *c);
	c->t = t;
	c->f = f;
	c->idx = idx;
	c->flags = flags;
	if ((ret = db->cursor(db, t->txn, &c->c, 0)) != 0) {
		free(c);
		return store_dberr(t->st, f->schema->file, ret);
	}
	c->key.flags = c->pkey.flags = c->data.flags = DB_DBT_REALLOC;
	*cp = c;
	return 0;
}

void
store_cursor_seek(struct store_cursor *c, const void *key, size_t len,
    int exact)
{
	free(c->seek);
	c->seek = NULL;
	c->seeklen = 0;
	c->have_seek = key != NULL;
	if (key != NULL) {
		c->seek = xmalloc(len + 1);
		memcpy(c->seek, key, len);
		c->seeklen = len;
	}
	c->exact = exact;
	c->have_seek_id = 0;
	c->started = 0;
}

void
store_cursor_seek_at(struct store_cursor *c, const void *key, size_t len,
    const struct record_id *id)
{
	store_cursor_seek(c, key, len, 0);
	if (c->idx != STORE_BY_ID) {
		c->have_seek_id = 1;
		c->seek_id = *id;
	}
}

/*
 * The first step after store_cursor_seek_at: the entry (key, id) of a
 * secondary index, or the one after it. Berkeley DB finds the ID among
 * the key's sorted duplicates; when every duplicate is smaller, the next
 * key is the one just above key, that is key followed by a zero byte.
 */
static int
store_cursor_first_at(struct store_cursor *c)
{
	int	ret;

	c->key.data = xreallocarray(c->key.data, c->seeklen + 1, 1);
	memcpy(c->key.data, c->seek, c->seeklen);
	c->key.size = (u_int32_t)c->seeklen;
	c->pkey.data = xreallocarray(c->pkey.data, RECORD_ID_SIZE, 1);
	memcpy(c->pkey.data, c->seek_id.b, RECORD_ID_SIZE);
	c->pkey.size = RECORD_ID_SIZE;
	ret = c->only != NULL ? c->c->get(c->c, &c->key, &c->pkey,
	    DB_GET_BOTH_RANGE) : c->c->pget(c->c, &c->key, &c->pkey, &c->data,
	    DB_GET_BOTH_RANGE);
	if (ret != DB_NOTFOUND)
		return ret;
	memcpy(c->key.data, c->seek, c->seeklen);
	((uint8_t *)c->key.data)[c->seeklen] = 0;
	c->key.size = (u_int32_t)c->seeklen + 1;
	if (c->only != NULL)
		return c->c->get(c->c, &c->key, &c->pkey, DB_SET_RANGE);
	return c->c->pget(c->c, &c->key, &c->pkey, &c->data, DB_SET_RANGE);
}

/* One step of the Berkeley DB cursor in the direction asked. */
static int
store_cursor_step(struct store_cursor *c, int forward)
{
	u_int32_t	op;
	int		ret;

	if (!c->started && c->have_seek_id) {
		c->started = 1;
		return store_cursor_first_at(c);
	}
	if (!c->started && c->have_seek) {
		op = c->exact ? DB_SET : DB_SET_RANGE;
		c->key.data = xreallocarray(c->key.data, c->seeklen + 1, 1);
		memcpy(c->key.data, c->seek, c->seeklen);
		c->key.size = (u_int32_t)c->seeklen;
	} else if (!c->started)
		op = forward ? DB_FIRST : DB_LAST;
	else if (c->exact)
		op = forward ? DB_NEXT_DUP : DB_PREV_DUP;
	else
		op = forward ? DB_NEXT : DB_PREV;
	c->started = 1;
	if (c->idx == STORE_BY_ID || c->idx == STORE_BY_JOURNAL)
		ret = c->c->get(c->c, &c->key, &c->data, op);
	else if (c->only != NULL)
		ret = c->c->get(c->c, &c->key, &c->pkey, op);
	else
		ret = c->c->pget(c->c, &c->key, &c->pkey, &c->data, op);
	return ret;
}

static int
store_cursor_move(struct store_cursor *c, int forward, struct record **out)
{
	struct record	*r;
	int		 ret, tomb_ok;

	if (store_stopped() != 0)
		return -1;

	tomb_ok = (c->flags & STORE_CURSOR_DELETED) ||
	    c->idx == STORE_BY_SEQ || c->idx == STORE_BY_OUTBOX ||
	    c->idx == STORE_BY_JOURNAL;
	for (;;) {
		ret = store_cursor_step(c, forward);
		if (ret == DB_NOTFOUND || ret == DB_KEYEMPTY)
			return STORE_NOTFOUND;
		if (ret != 0)
			return store_dberr(c->t->st, c->f->schema->file, ret);
		if (c->only != NULL) {
			/* Only the records asked for are read at all. */
			if (c->pkey.size != RECORD_ID_SIZE ||
			    bsearch(c->pkey.data, c->only, c->nonly,
			    sizeof *c->only, store_id_cmp) == NULL)
				continue;
			ret = c->f->primary->get(c->f->primary, c->t->txn,
			    &c->pkey, &c->data, 0);
			if (ret == DB_NOTFOUND)
				continue;
			if (ret != 0)
				return store_dberr(c->t->st,
				    c->f->schema->file, ret);
		}
		if (store_decode_at(c->t->st, c->f, &c->data, &r) != 0)
			return -1;
		if ((r->flags & RECORD_DELETED) && !tomb_ok) {
			record_free(r);
			continue;
		}
		*out = r;
		return 0;
	}
}

int
store_cursor_next(struct store_cursor *c, struct record **out)
{
	return store_cursor_move(c, 1, out);
}

int
store_cursor_prev(struct store_cursor *c, struct record **out)
{
	return store_cursor_move(c, 0, out);
}

void
store_cursor_key(struct store_cursor *c, const void **key, size_t *len)
{
	*key = c->key.data;
	*len = c->key.size;
}

void
store_cursor_close(struct store_cursor *c)
{
	if (c == NULL)
		return;
	c->c->close(c->c);
	free(c->key.data);
	free(c->pkey.data);
	free(c->data.data);
	free(c->seek);
	free(c);
}

/*
 * The index entries Berkeley DB would make for a record (result of a
 * callback): one key or several. store_keys_free frees them.
 */
static void
store_keys_of(DBT *result, DBT **keys, u_int32_t *n)
{
	if (result->flags & DB_DBT_MULTIPLE) {
		*keys = result->data;
		*n = result->size;
	} else {
		*keys = result;
		*n = 1;
	}
}

static void
store_keys_free(DBT *result)
{
	DBT		*keys;
	u_int32_t	 n, j;

	store_keys_of(result, &keys, &n);
	for (j = 0; j < n; j++) {
		if (keys[j].flags & DB_DBT_APPMALLOC)
			free(keys[j].data);
	}
	if (keys != result && (result->flags & DB_DBT_APPMALLOC))
		free(keys);
}

#define STORE_REINDEX_BATCH	2000	/* records a transaction */

/*
 * Make one index of a file again from its records: emptied, associated
 * again, and filled by batches of records, each in a transaction of its
 * own, so that a file of a million records never needs more locks than
 * one batch takes.
 */
static int
store_reindex_sub(struct store *st, struct store_file *f, int sub)
{
	DB		*raw = NULL;
	DB_TXN		*txn = NULL;
	DBC		*c = NULL;
	DBT		 key, data, result, *keys, pkey;
	u_int32_t	 count, nk, j;
	uint8_t		 last[RECORD_ID_SIZE];
	int		 ret, have_last = 0, n, done = 0;

	f->sub[sub]->close(f->sub[sub], 0);
	f->sub[sub] = NULL;
	if ((ret = st->env->txn_begin(st->env, NULL, &txn, 0)) != 0)
		return store_dberr(st, f->schema->file, ret);
	if (store_open_db(st, txn, &f->sub[sub], f->schema->file,
	    store_sub_names[sub], 2) != 0)
		goto fail;
	f->sub[sub]->app_private = f;
	if ((ret = f->sub[sub]->truncate(f->sub[sub], txn, &count, 0)) != 0 ||
	    (ret = f->primary->associate(f->primary, txn, f->sub[sub],
	    store_sub_callbacks[sub], 0)) != 0) {
		store_dberr(st, f->schema->file, ret);
		goto fail;
	}
	ret = txn->commit(txn, 0);
	txn = NULL;
	if (ret != 0 || store_open_db(st, NULL, &raw, f->schema->file,
	    store_sub_names[sub], 1) != 0) {
		if (ret != 0)
			store_dberr(st, f->schema->file, ret);
		goto fail;
	}
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.flags = data.flags = DB_DBT_REALLOC;
	while (!done) {
		if ((ret = st->env->txn_begin(st->env, NULL, &txn, 0)) != 0 ||
		    (ret = f->primary->cursor(f->primary, txn, &c, 0)) != 0)
			break;
		if (have_last) {
			key.data = xreallocarray(key.data, RECORD_ID_SIZE, 1);
			memcpy(key.data, last, RECORD_ID_SIZE);
			key.size = RECORD_ID_SIZE;
			ret = c->get(c, &key, &data, DB_SET_RANGE);
			if (ret == 0 && key.size == RECORD_ID_SIZE &&
			    memcmp(key.data, last, RECORD_ID_SIZE) == 0)
				ret = c->get(c, &key, &data, DB_NEXT);
		} else
			ret = c->get(c, &key, &data, DB_FIRST);
		for (n = 0; ret == 0 && n < STORE_REINDEX_BATCH; n++) {
			memset(&result, 0, sizeof result);
			ret = store_sub_callbacks[sub](f->sub[sub], &key, &data,
			    &result);
			if (ret == DB_DONOTINDEX)
				ret = 0;
			else if (ret == 0) {
				store_keys_of(&result, &keys, &nk);
				for (j = 0; j < nk && ret == 0; j++) {
					pkey = key;
					pkey.flags = 0;
					ret = raw->put(raw, txn, &keys[j], &pkey,
					    DB_NODUPDATA);
					if (ret == DB_KEYEXIST)
						ret = 0;
				}
				store_keys_free(&result);
			}
			if (ret == 0 && key.size == RECORD_ID_SIZE) {
				memcpy(last, key.data, RECORD_ID_SIZE);
				have_last = 1;
			}
			if (ret == 0)
				ret = c->get(c, &key, &data, DB_NEXT);
		}
		if (ret == DB_NOTFOUND) {
			done = 1;
			ret = 0;
		}
		c->close(c);
		c = NULL;
		if (ret != 0)
			break;
		ret = txn->commit(txn, 0);
		txn = NULL;
		if (ret != 0)
			break;
	}
	free(key.data);
	free(data.data);
	if (ret != 0) {
		store_dberr(st, f->schema->file, ret);
		goto fail;
	}
	raw->close(raw, 0);
	return 0;

fail:
	if (c != NULL)
		c->close(c);
	if (txn != NULL)
		txn->abort(txn);
	if (raw != NULL)
		raw->close(raw, 0);
	return -1;
}

/*
 * What made the name and words indexes: the folding (ICU's version) and,
 * after it, a digest of the fields the words index holds (FNV-1a of their
 * names), so that a model that indexes more fields indexes every record
 * again. Cannot fail; free the result.
 */
static char *
store_fold_mark(const struct store *st)
{
	const struct store_schema *sc;
	uint64_t	 h = 14695981039346656037ULL;
	const char	*p;
	char		*mark;
	size_t		 i, j;

	for (i = 0; i < st->nfiles; i++) {
		sc = st->files[i].schema;
		for (j = 0; j < 8 + 3; j++) {
			p = j < 8 ? sc->word_fields[j] : sc->digit_fields[j - 8];
			for (; p != NULL && *p != '\0'; p++)
				h = (h ^ (unsigned char)*p) * 1099511628211ULL;
			h = (h ^ (j < 8 ? ',' : '#')) * 1099511628211ULL;
		}
	}
	xasprintf(&mark, "%s %016llx", utf8_fold_version(),
	    (unsigned long long)h);
	return mark;
}

/*
 * Index keys are folded text (utf8_fold) of the word fields: a database
 * whose keys another folding made (another ICU, or a database of schema
 * 1, which had no words index and folded case alone) or other fields
 * (store_fold_mark) has its name and words indexes made again, once,
 * before anything reads them.
 */
static int
store_fold_check(struct store *st)
{
	struct store_txn	*t;
	char			*want = store_fold_mark(st);
	char			 have[64];
	size_t			 len = sizeof have - 1, i;
	uint8_t			 version = STORE_SCHEMA_VERSION;
	int			 ret;

	if (store_begin(st, &t) != 0) {
		free(want);
		return -1;
	}
	ret = store_meta_get(t, "fold", have, &len);
	store_abort(t);
	if (ret == -1 || (ret == 0 && len == strlen(want) &&
	    memcmp(have, want, len) == 0)) {
		free(want);
		return ret == -1 ? -1 : 0;
	}
	for (i = 0; i <= st->nfiles; i++) {
		struct store_file *f = i < st->nfiles ? &st->files[i] :
			    &st->conflicts;

		if (store_reindex_sub(st, f, STORE_SUB_NAME) != 0 ||
		    store_reindex_sub(st, f, STORE_SUB_WORDS) != 0) {
			free(want);
			return -1;
		}
	}
	if (store_begin(st, &t) != 0) {
		free(want);
		return -1;
	}
	if (store_meta_put(t, "fold", want, strlen(want)) != 0 ||
	    store_meta_put(t, "schema", &version, 1) != 0) {
		store_abort(t);
		free(want);
		return -1;
	}
	free(want);
	return store_commit(t);
}

/*
 * The index sub of f once more, not associated (f->raw). Opened in a
 * transaction of its own, and kept: unless the caller's has written,
 * when that would wait on its pages; then in the caller's, and an abort
 * takes it away again (store_abort).
 */
static int
store_raw(struct store_txn *t, struct store_file *f, int sub)
{
	DB_TXN	*in = t->wrote && t->nraw < STORE_TXN_RAW ? t->txn : NULL;

	if (f->raw[sub] != NULL)
		return 0;
	if (store_open_db(t->st, in, &f->raw[sub], f->schema->file,
	    store_sub_names[sub], 1) != 0)
		return -1;
	if (in != NULL)
		t->raw[t->nraw++] = &f->raw[sub];
	return 0;
}

int
store_cursor_only(struct store_cursor *c, const struct record_id *ids,
    size_t n)
{
	DBC	*rc;
	int	 sub = (int)c->idx - 1, ret;

	if (c->idx == STORE_BY_ID || c->idx == STORE_BY_JOURNAL || c->started)
		fatal("store: store_cursor_only wants a fresh index cursor");
	if (store_raw(c->t, c->f, sub) != 0)
		return -1;
	if ((ret = c->f->raw[sub]->cursor(c->f->raw[sub], c->t->txn, &rc,
	    0)) != 0)
		return store_dberr(c->t->st, c->f->schema->file, ret);
	c->c->close(c->c);
	c->c = rc;
	c->only = ids;
	c->nonly = n;
	return 0;
}

struct store_scratch {
	struct store	*st;
	DB		*db;
};

int
store_scratch_open(struct store_txn *t, struct store_scratch **out)
{
	struct store_scratch	*sc;
	int			 ret;

	*out = NULL;
	sc = xcalloc(1, sizeof *sc);
	sc->st = t->st;
	if ((ret = db_create(&sc->db, t->st->env, 0)) != 0) {
		free(sc);
		return store_dberr(t->st, "a scratch table", ret);
	}
	/* Its pages may reach a temporary file: encrypted as the rest. */
	if (t->st->key != NULL &&
	    (ret = sc->db->set_flags(sc->db, DB_ENCRYPT)) != 0)
		goto fail;
	/* No file, no name: temporary, this handle's alone, no transaction. */
	if ((ret = sc->db->open(sc->db, NULL, NULL, NULL, DB_BTREE,
	    DB_CREATE, 0600)) != 0)
		goto fail;
	*out = sc;
	return 0;
fail:
	sc->db->close(sc->db, DB_NOSYNC);
	free(sc);
	return store_dberr(t->st, "a scratch table", ret);
}

int
store_scratch_put(struct store_scratch *sc, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	DBT	k, d;
	int	ret;

	memset(&k, 0, sizeof k);
	memset(&d, 0, sizeof d);
	k.data = (void *)key;
	k.size = (u_int32_t)klen;
	d.data = (void *)val;
	d.size = (u_int32_t)vlen;
	if ((ret = sc->db->put(sc->db, NULL, &k, &d, 0)) != 0)
		return store_dberr(sc->st, "a scratch table", ret);
	return 0;
}

int
store_scratch_get(struct store_scratch *sc, const void *key, size_t klen,
    void *val, size_t vlen)
{
	DBT	k, d;
	int	ret;

	memset(&k, 0, sizeof k);
	memset(&d, 0, sizeof d);
	k.data = (void *)key;
	k.size = (u_int32_t)klen;
	d.data = val;
	d.ulen = (u_int32_t)vlen;
	d.flags = DB_DBT_USERMEM;
	ret = sc->db->get(sc->db, NULL, &k, &d, 0);
	if (ret == DB_NOTFOUND)
		return STORE_NOTFOUND;
	if (ret != 0)
		return store_dberr(sc->st, "a scratch table", ret);
	if (d.size != vlen) {
		error_set("a scratch table holds a value of %u bytes, not %zu",
		    d.size, vlen);
		return -1;
	}
	return 0;
}

void
store_scratch_close(struct store_scratch *sc)
{
	if (sc == NULL)
		return;
	sc->db->close(sc->db, DB_NOSYNC);
	free(sc);
}

int
store_index_ids(struct store_txn *t, size_t file, enum store_index idx,
    const void *prefix, size_t plen, size_t max, struct record_id **ids,
    size_t *n)
{
	struct store_file	*f = store_file(t, file);
	DBC			*c = NULL;
	DBT			 key, data, k, d;
	void			*p;
	size_t			 cap = 0, i, j;
	uint8_t			*buf;
	int			 ret, op, more = 1, sub = (int)idx - 1;

	*ids = NULL;
	*n = 0;
	if (idx == STORE_BY_ID || sub >= STORE_NSUB)
		fatal("store: store_index_ids wants a secondary index");
	if (idx == STORE_BY_WORDS && plen > STORE_WORD_MAX) {
		plen = STORE_WORD_MAX;
		while (plen > 0 &&
		    (((const unsigned char *)prefix)[plen] & 0xc0) == 0x80)
			plen--;
	}
	if (store_raw(t, f, sub) != 0)
		return -1;
	if ((ret = f->raw[sub]->cursor(f->raw[sub], t->txn, &c, 0)) != 0)
		return store_dberr(t->st, f->schema->file, ret);
	/* Entries come many to a call: pages of them at once. */
	buf = xmalloc(STORE_WORDS_BULK);
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = xmalloc(plen + 1);
	memcpy(key.data, prefix, plen);
	key.size = (u_int32_t)plen;
	key.flags = DB_DBT_REALLOC;
	data.data = buf;
	data.ulen = STORE_WORDS_BULK;
	data.flags = DB_DBT_USERMEM;
	op = DB_SET_RANGE;
	ret = 0;
	while (more) {
		ret = c->get(c, &key, &data, op | DB_MULTIPLE_KEY);
		op = DB_NEXT;
		if (ret != 0)
			break;
		DB_MULTIPLE_INIT(p, &data);
		for (;;) {
			DB_MULTIPLE_KEY_NEXT(p, &data, k.data, k.size, d.data,
			    d.size);
			if (p == NULL)
				break;
			if (k.size < plen || memcmp(k.data, prefix, plen) != 0) {
				more = 0;
				break;
			}
			if (d.size != RECORD_ID_SIZE)
				continue;
			if (*n == max) {
				ret = STORE_TOO_MANY;
				more = 0;
				break;
			}
			if (*n == cap) {
				cap = cap ? cap * 2 : 256;
				*ids = xreallocarray(*ids, cap, sizeof **ids);
			}
			memcpy((*ids)[(*n)++].b, d.data, RECORD_ID_SIZE);
		}
	}
	c->close(c);
	free(key.data);
	free(buf);
	if (ret == DB_NOTFOUND)
		ret = 0;
	if (ret != 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		if (ret == STORE_TOO_MANY)
			return STORE_TOO_MANY;
		return store_dberr(t->st, f->schema->file, ret);
	}
	/* One record may hold several words with the prefix: once each. */
	if (*n > 1)
		qsort(*ids, *n, sizeof **ids, store_id_cmp);
	for (i = j = 0; i < *n; i++) {
		if (j == 0 || record_id_cmp(&(*ids)[i], &(*ids)[j - 1]) != 0)
			(*ids)[j++] = (*ids)[i];
	}
	*n = j;
	return 0;
}
