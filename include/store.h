/*
 * store: records in Berkeley DB B-tree files, with their indexes.
 *
 * A database is a directory (DESIGN.md, "A database on disk"). Each record
 * type has one file holding several B-trees: "records" (the primary, keyed
 * by the 16-byte ID) and its secondary indexes, kept by Berkeley DB itself
 * in the same transactions as the primary:
 *
 *   name    case-folded name, for ordered lists and prefix search
 *   ref     every referenced record ID (company, contact, campaign, parent)
 *   owner   every user ID in an owner field (account manager, assignee)
 *   seq     on a master, the change sequence: "changed since N" is a range
 *   outbox  on a local, the records changed since the last sync
 *   words   every word of the word fields, folded (utf8_fold, utf8_words),
 *           but an email's top-level domain, and for the digit fields (a
 *           phone) its digits from the start of each group of digits on,
 *           4 or more: the records a search finds, by the start of a word
 *           (store_index_ids). Added in
 *           schema 2; a database without it, or whose keys another
 *           folding made, has it (and the name index) made again by the
 *           first store_open, once.
 *
 * A file with word fields also holds "vocab", not an index Berkeley DB
 * keeps but one store_write keeps in the same transaction: the words of
 * the words index each once (those without a digit), sorted, in entries
 * of up to 1.5 KB keyed by their first word, so that a search finds the
 * words a text is inside of by reading it whole (store_vocab_find). It
 * only grows; it is made again from the words index after a load or a
 * bulk write, with the words index, and once in a database made before
 * it (meta.db's "vocab").
 *
 * A master's file also keeps a journal of routes: whenever a write changes
 * the owners or references of a live record (the schema's owner_fields
 * and ref_fields, which decide whose locals hold it), the values it
 * replaced are kept under the write's sequence number. A sync reads it
 * from the last sync on (STORE_BY_JOURNAL, keyed by sequence) to tell a
 * restricted user's local which of its records left it (RULES.md S16) or
 * which came into its scope with what hangs from them, without naming to
 * anyone a record that was never theirs. Each entry is a record holding
 * the record's ID, created_by and the old values, with seq the write's.
 * The journal only grows, by a few dozen bytes per such change; meta
 * "journal_from" is the sequence it starts after (a master made before
 * it existed has none for older changes).
 *
 * Tombstones stay in the primary, the seq index and the outbox, and are left
 * out of name, ref and owner.
 *
 * A LOCAL opens a shared transactional environment (registration and
 * recovery), which the screens and a sync on the same laptop share; each
 * holds a shared lock on DIR/open.lock meanwhile. A MASTER
 * is attached: an exclusive fcntl lock on DIR/lock, a private environment
 * with recovery, one unit of work, a checkpoint, close, unlock. Berkeley DB
 * regions can never be shared across hosts, and this is how a master on NFS
 * stays safe.
 *
 * The store knows nothing of companies: the model describes each file with
 * a struct store_schema.
 *
 * Functions return 0 on success and -1 with the error set unless they say
 * otherwise; STORE_NOTFOUND (1) means the thing looked for is not there.
 */
#ifndef CRM_STORE_H
#define CRM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define STORE_NOTFOUND	1
#define STORE_AMBIGUOUS	2
#define STORE_BUSY	3
#define STORE_TOO_MANY	4

enum store_role {
	STORE_LOCAL,
	STORE_MASTER
};

/* One record type's file, as the model describes it. */
struct store_schema {
	const char	*file;			/* "companies.db" */
	const char	*name_fields[3];	/* joined by spaces, folded */
	const char	*ref_fields[5];		/* fields holding record IDs */
	const char	*owner_fields[3];	/* fields holding user IDs */
	const char	*word_fields[8];	/* words a search finds */
	const char	*digit_fields[3];	/* phone numbers: their digits */
};

enum store_index {
	STORE_BY_ID,
	STORE_BY_NAME,
	STORE_BY_REF,
	STORE_BY_OWNER,
	STORE_BY_SEQ,
	STORE_BY_OUTBOX,
	/* The secondaries above are f->sub[index - 1]: new ones go here. */
	STORE_BY_WORDS,
	STORE_BY_JOURNAL
};

/*
 * The conflict log (conflicts.db) is one more file, with the same
 * functions: pass STORE_CONFLICTS where a file number goes.
 */
#define STORE_CONFLICTS	((size_t)-1)

/* Flags for store_open. */
#define STORE_BULK	0x1	/* no log records: a fresh database's bulk load */

/*
 * A database whose making was cut off (crm demo stopped half-way) has
 * this file beside meta.db: it is opened by nothing but the maker, which
 * removes the file when the database is whole.
 */
#define STORE_UNFINISHED "demo.unfinished"

/* Flags for store_put. */
#define STORE_PUT_SYNCED 0x1	/* a local write by sync: not for the outbox */
#define STORE_PUT_KEEPSEQ 0x2	/* keep rec->seq: do not take a new one */

struct store;
struct store_txn;
struct store_cursor;

/*
 * Make dir (0700) if it is missing, and refuse it if it holds a crm
 * database already: 0, or -1 with the error set.
 */
int		 store_dir_fresh(const char *dir);
/*
 * Create an empty database in dir (made 0700 if missing; it must not hold
 * one already): every file of the schema, meta.db, conflicts.db,
 * documents/ and templates/, all 0600/0700, meta "role" set.
 */
int		 store_create(const char *dir, enum store_role,
		    const struct store_schema *, size_t nschema);
/*
 * The Berkeley DB cache, in megabytes, of the environments store_open
 * makes from now on (store.cache_mb; 16 until set; a bulk load and a
 * first sync's load keep their own). A local's environment shared with
 * another process keeps the size it was made with. Cannot fail.
 */
void		 store_set_cache_mb(int mb);
/*
 * Open a database. A master is attached: this waits up to wait_seconds for
 * its lock, telling the user on stderr who holds it, then fails naming the
 * holder. Returns NULL with the error set.
 */
struct store	*store_open(const char *dir, enum store_role,
		    const struct store_schema *, size_t nschema,
		    int flags, int wait_seconds);
/*
 * Close: if anything was written, checkpoint and remove the logs recovery
 * no longer needs; a master is then unlocked. Returns -1 if the checkpoint
 * failed (the data is still committed). A bulk load (STORE_BULK) has its
 * words index filled, sorted, and every file compacted here instead, and
 * returns -1 if that failed. st may be NULL.
 */
int		 store_close(struct store *);
/*
 * Read dir's log from end to end: 0 if every record reads back; 1 if a
 * record is damaged, with the error naming the log file and where; -1 if
 * the log could not be read at all (the error says why: damage, or a
 * network filesystem gone).
 */
int		 store_log_check(const char *dir);
/*
 * crm verify: with the database to itself (a master's lock, a local no
 * other crm has open), read its log from end to end and check every
 * file with Berkeley DB's DB->verify, telling report of each damaged
 * one. Returns how many were, or -1 with the error set.
 */
int		 store_verify(const char *dir, enum store_role, int wait_seconds,
		    void (*report)(const char *, void *), void *);
/*
 * Checkpoint now and remove the logs recovery no longer needs: long
 * writers (a first sync) call it now and then so logs do not pile up.
 */
int		 store_checkpoint(struct store *);
/*
 * Loading a local afresh, in bulk (a first sync; src/store-load.c, its
 * switch into place and the local's lock src/store-switch.c).
 *
 * store_load_begin takes the open local for itself (its lock, exclusive)
 * and makes DIR/load/, an empty database of the same files holding the
 * local's meta.db values, open without log, locks or transactions: *load.
 * Returns 0, STORE_BUSY when another process has the local open (nothing
 * is done; the local is as it was), or -1.
 *
 * store_load_end writes the load out, syncs it and marks it complete;
 * load is closed whatever happens. From then on the load replaces the
 * local's files (and its environment) as soon as nobody has the local
 * open: close the local and call store_load_switch, or let the next
 * store_open of the local do it. A load never marked complete is thrown
 * away by the next store_load_begin.
 */
int		 store_load_begin(struct store *local, struct store **load);
int		 store_load_end(struct store *load);
/*
 * Switch a completed load into place, waiting up to wait_seconds for
 * processes that have the local open. Done already is success.
 */
int		 store_load_switch(const char *dir, int wait_seconds);
/* Whether DIR holds a completed load not yet switched into place. */
int		 store_load_pending(const char *dir);
/* Remove DIR/load/, whatever it holds. The local's lock must be held. */
int		 store_load_clear(const char *dir);
/*
 * The local's lock: shared, waiting up to wait_seconds for a load to end
 * and finishing a pending switch first. Returns the descriptor (close it
 * to let go) or -1.
 */
int		 store_local_lock(const char *dir, int wait_seconds);
/* For tests of crash safety: tick is called before every step of a switch. */
void		 store_load_fault(void (*tick)(void));
/*
 * Encrypting a plain local (crm encrypt, src/encrypt.c; the copy
 * src/store-load.c, the lock and the switch src/store-switch.c).
 *
 * store_alone takes the open local's lock for this process alone
 * (exclusive, as a load does): 0, STORE_BUSY when another process has
 * it open (nothing is done, and the lock stays shared), or -1. It stays
 * exclusive until the local is closed.
 *
 * store_encrypt_copy writes a copy of the local, which this process has
 * alone, into the empty directory to, encrypted under the key
 * store_set_key gave to: meta.db and the conflict log and every record
 * file, each value byte for byte as the local holds it, their indexes
 * made again from them; then every file of it is written out (fsync).
 * progress (may be NULL) is told the records copied and the total, now
 * and then and at the end. On error what is in to is half made: the
 * caller removes it. The local is only read.
 */
int		 store_alone(struct store *local);
int		 store_encrypt_copy(struct store *local, const char *to,
		    void (*progress)(void *, uint64_t done, uint64_t total),
		    void *arg);
/*
 * The copy of a local being encrypted is made in DIR/encrypt/ (with
 * its key file, documents/ and templates/), and marked complete
 * (DIR/encrypt/complete) once all of it is on disk. From the mark on,
 * the copy replaces the local as the first process to take the local's
 * lock finds it (store_local_lock; store_encrypt_switch does it now):
 * the key file first, so that the local is called encrypted from then
 * on, then the old environment (its regions and logs, which hold the
 * plain text) goes, the copy's files replace the local's, its
 * documents/ and templates/ the local's, and DIR/encrypt/ with the old
 * ones goes last, the mark first. Every step can be done again, so a
 * switch cut off anywhere is finished by the next process. A copy never
 * marked leaves the local plain as it was, and is removed
 * (store_encrypt_settle, or the next crm encrypt).
 */
#define STORE_ENCRYPT_DIR	"encrypt"
/* Whether DIR holds a complete copy not yet switched into place. */
int		 store_encrypt_pending(const char *dir);
/*
 * Mark the copy in DIR/encrypt complete: every file in it and under it
 * is written out, then the mark, and the directories. The local's lock
 * must be held exclusively.
 */
int		 store_encrypt_mark(const char *dir);
/* Switch a marked copy into place, waiting up to wait_seconds. */
int		 store_encrypt_switch(const char *dir, int wait_seconds);
/* Remove DIR/encrypt, whatever it holds. The local's lock must be held. */
int		 store_encrypt_clear(const char *dir);
/*
 * What a crm encrypt that was stopped left in DIR, dealt with before
 * the local is opened: a marked copy is switched into place
 * (STORE_SETTLED_SWITCHED), a copy never marked, or the rest of one
 * switched already, is removed (STORE_SETTLED_REMOVED) once nobody has
 * the local open; 0 when there was nothing, -1 (error set) when it
 * could not be done.
 */
#define STORE_SETTLED_SWITCHED	1
#define STORE_SETTLED_REMOVED	2
int		 store_encrypt_settle(const char *dir, int wait_seconds);

/*
 * Encryption at rest: the database in dir, and its load, are opened with
 * key, a NUL-terminated text (vault_key_text) that Berkeley DB takes as
 * its AES password: every file and log record is encrypted, and a local's
 * shared regions are kept in shared memory, never in files (a master's
 * environment is private: its regions are the attaching process's own
 * memory, gone with it). Call before store_create or store_open of dir;
 * NULL forgets it. A local with a key file (vault.h) opened without its
 * key is refused, saying how it opens. An encrypted master needs no call:
 * store_open reads its key file (vault_master_key), or fails with that
 * file's error, and gives the key to store_set_key itself. Cannot fail.
 */
void		 store_set_key(const char *dir, const char *key);
/*
 * Which AES does the blocks of encrypted files: nettle's (crm exports
 * Berkeley DB's block functions, store-cipher.c) once checked against
 * Berkeley DB's own, or Berkeley DB's own; as a phrase for a person.
 * The first call checks; store_set_key makes it. Cannot fail.
 */
const char	*store_cipher_check(void);
/*
 * For CRM_STATS: the AES blocks Berkeley DB had crm do in this thread
 * (none when crm does not answer for its block functions) and which AES
 * did them, or NULL when no key was given. Cannot fail.
 */
const char	*store_cipher_stats(uint64_t *blocks);
/*
 * Which SHA-1 does the blocks of Berkeley DB's page MAC: the processor's
 * SHA instructions (crm exports its __db_SHA1Transform, store-mac.c) once
 * checked against Berkeley DB's own, or Berkeley DB's own; as a phrase
 * for a person. The first call checks; store_set_key makes it. Cannot
 * fail.
 */
const char	*store_mac_check(void);
/*
 * For CRM_STATS: the 64-byte blocks of page MACs done with the SHA
 * instructions in this thread, those of them that took one of Berkeley
 * DB's rare rounds (store-mac.c), and which SHA-1 does them, or NULL when
 * no key was given. Cannot fail.
 */
const char	*store_mac_stats(uint64_t *blocks, uint64_t *rare);
/*
 * store_set_key with a data key of VAULT_KEY_SIZE bytes (vault.h), given
 * as its text (vault_key_text), which is wiped once given. The caller
 * wipes key. Cannot fail.
 */
void		 store_set_key_bytes(const char *dir, const uint8_t *key);
/*
 * The key store_set_key gave dir, or NULL: for what reads the files
 * without a store (store-verify.c), or seals what the database keeps
 * beside them with its key. For a master, known once store_open opened
 * it, under the dir it was given. Cannot fail.
 */
const char	*store_key_of(const char *dir);
/*
 * Whether the write about to be made is to fail as on a full disk (errno
 * set to ENOSPC): in a test build, CRM_FAULT_ENOSPC=N fails the Nth write
 * of the process and every one after it. Always 0 in other builds. crm's
 * own files (attached files, exports) ask it before each write, as
 * Berkeley DB's writes do.
 */
int		 store_io_full(void);
/*
 * Whether a write of this process met a full disk (ENOSPC, EDQUOT),
 * whatever Berkeley DB made of it. Cannot fail.
 */
int		 store_io_was_full(void);
enum store_role	 store_role(const struct store *);
const char	*store_dir(const struct store *);
/* A path inside the database directory; free it. Cannot fail. */
char		*store_path(const struct store *, const char *name);

/* Transactions: every write happens inside one. */
int		 store_begin(struct store *, struct store_txn **);
/*
 * A transaction that adds many records (an import): what it writes on
 * pages the files did not have before it is not logged; those pages are
 * written out before it commits instead. As safe as store_begin.
 */
int		 store_begin_bulk(struct store *, struct store_txn **);
/*
 * A transaction that reads only committed data: its cursors let go of
 * each page as they leave it, so a walk of a whole file holds few locks.
 * It may write too, and then holds only the locks of what it wrote: a
 * master's sync round reads much and writes a bounded batch.
 */
int		 store_begin_read(struct store *, struct store_txn **);
int		 store_commit(struct store_txn *);
/*
 * A number that stays the same while what this transaction read of file
 * stays as it was: until the transaction ends or writes the file. A
 * caller may keep what it read under it and ask again before using it.
 * No other transaction is given the same number. 0 when nothing may be
 * kept: store_begin_read's transactions let go of what they read, and
 * another transaction of this process has written the file since this
 * one began. Cannot fail.
 */
uint64_t	 store_memo_stamp(struct store_txn *, size_t file);
void		 store_abort(struct store_txn *);

/* A new HLC stamp for a change made in this transaction. Cannot fail. */
uint64_t	 store_stamp(struct store_txn *);
/*
 * Set the clock back to stamp: only for sync, when this database's clock
 * ran too far ahead of its master's (RULES.md B2). Cannot fail.
 */
void		 store_clock_reset(struct store_txn *, uint64_t stamp);
/* Observe a stamp from elsewhere (sync). Cannot fail. */
void		 store_observe(struct store_txn *, uint64_t stamp);
/*
 * A master's change sequence as this transaction leaves it (what meta
 * "seq" will say once it commits). Cannot fail.
 */
uint64_t	 store_seq(struct store_txn *);

/*
 * Fetch a record by ID, tombstones included. Returns 0 and *out (free it),
 * STORE_NOTFOUND, or -1. A record that does not decode is an error naming
 * the file: the database is damaged.
 */
int		 store_get(struct store_txn *, size_t file,
		    const struct record_id *, struct record **out);
/*
 * Write a record. On a master it takes the next change sequence (unless
 * STORE_PUT_KEEPSEQ); on a local it goes to the outbox (unless
 * STORE_PUT_SYNCED). The indexes follow.
 */
int		 store_put(struct store_txn *, size_t file, struct record *,
		    int flags);
/* Remove a record and its index entries for good (no tombstone). */
int		 store_remove(struct store_txn *, size_t file,
		    const struct record_id *);
/* Take a record out of the outbox after a sync. */
int		 store_outbox_clear(struct store_txn *, size_t file,
		    const struct record_id *);
/*
 * Find the one record whose ID starts with prefix (tombstones left out).
 * Returns 0, STORE_NOTFOUND, STORE_AMBIGUOUS or -1.
 */
int		 store_find_prefix(struct store_txn *, size_t file,
		    const char *prefix, struct record_id *);
/*
 * The live records of a file whose key in a secondary index starts with
 * prefix (plen bytes), from the index alone: no record is read. For
 * STORE_BY_WORDS, the records having a word that starts with a folded
 * prefix (utf8_fold, utf8_words); for STORE_BY_REF with a whole ID, the
 * records that refer to it. *ids (free it) holds their IDs sorted, each
 * once. Returns 0, STORE_TOO_MANY when the index has more than max
 * entries for the prefix (nothing is returned: a search does better
 * another way), or -1.
 */
int		 store_index_ids(struct store_txn *, size_t file,
		    enum store_index, const void *prefix, size_t plen,
		    size_t max, struct record_id **ids, size_t *n);
/*
 * The words of a file's vocabulary (each word of its words index once,
 * those holding a digit left out: store_vocab_word) in which the folded
 * text sub appears, sorted. Returns 0 with *words (free each and it),
 * STORE_TOO_MANY when more than max hold it (nothing is returned), or
 * -1. A word may be there that no record holds any longer.
 */
int		 store_vocab_find(struct store_txn *, size_t file,
		    const char *sub, size_t max, char ***words, size_t *n);
/* Does a folded word (len bytes) go into the vocabulary? */
int		 store_vocab_word(const char *w, size_t len);
/* A record's name index key (its folded name fields; "" if none). Free it. */
char		*store_name_of(struct store_txn *, size_t file,
		    const struct record *);
/* Number of live records in a file (a full count: for reports, not lists). */
int		 store_count(struct store_txn *, size_t file, uint64_t *);

/*
 * A scratch B-tree beside a transaction's work: a temporary database in
 * the environment's cache, written out to a temporary file when it
 * outgrows its share, gone when closed. It is in no transaction and is
 * never recovered: what a long piece of work (an import) must remember
 * of its rows without its memory growing with them. Keys and values up
 * to 64 bytes. Open and put return 0 or -1 (error set); get returns 0
 * (val filled, vlen bytes), STORE_NOTFOUND or -1.
 */
struct store_scratch;
int		 store_scratch_open(struct store_txn *, struct store_scratch **);
int		 store_scratch_put(struct store_scratch *, const void *key,
		    size_t klen, const void *val, size_t vlen);
int		 store_scratch_get(struct store_scratch *, const void *key,
		    size_t klen, void *val, size_t vlen);
/* NULL is allowed. */
void		 store_scratch_close(struct store_scratch *);

/* Small named values in meta.db: sync state, schema version, clock. */
int		 store_meta_get(struct store_txn *, const char *key,
		    void *buf, size_t *len);
int		 store_meta_put(struct store_txn *, const char *key,
		    const void *buf, size_t len);
/*
 * A number in meta.db (8 bytes, big-endian): 0 when there is none; -1
 * (error set, naming the database as damaged) when the value is not one.
 */
int		 store_meta_get_u64(struct store_txn *, const char *key,
		    uint64_t *);
int		 store_meta_put_u64(struct store_txn *, const char *key, uint64_t);
/* Remove a named value: 0, STORE_NOTFOUND or -1. */
int		 store_meta_del(struct store_txn *, const char *key);
/*
 * Call each for every named value whose key starts with prefix, in key
 * order (newest set: backwards), until it returns nonzero (-1: an error,
 * set, returned). The deleted records model_delete keeps are listed so.
 */
int		 store_meta_list(struct store_txn *, const char *prefix,
		    int newest, int (*each)(void *arg, const char *key,
		    const void *value, size_t len), void *arg);

/*
 * Cursors walk one index in key order, returning records (tombstones are
 * skipped except on STORE_BY_ID with STORE_CURSOR_DELETED, STORE_BY_SEQ
 * and STORE_BY_OUTBOX). A cursor lives inside its transaction.
 * STORE_BY_JOURNAL (a master's only) returns the journal's entries.
 */
#define STORE_CURSOR_DELETED	0x1	/* return tombstones too */
int		 store_cursor_open(struct store_txn *, size_t file,
		    enum store_index, int flags, struct store_cursor **);
/*
 * Position the cursor: the next call to store_cursor_next returns the
 * first record whose key is >= key (or == key when exact is set, and then
 * only records with that key). key NULL starts at the beginning.
 */
void		 store_cursor_seek(struct store_cursor *, const void *key,
		    size_t len, int exact);
/*
 * Position the cursor of a secondary index at one entry: the next step
 * returns the record with this key and ID, or the first entry after it.
 * This is how a list finds its place again among equal names.
 */
void		 store_cursor_seek_at(struct store_cursor *, const void *key,
		    size_t len, const struct record_id *);
/* The next record: 0 and *out (free it), STORE_NOTFOUND at the end, -1. */
int		 store_cursor_next(struct store_cursor *, struct record **out);
/* The previous record, for paging backwards. */
int		 store_cursor_prev(struct store_cursor *, struct record **out);
/*
 * Make a fresh cursor of a secondary index return only the records whose
 * IDs are in ids (n of them, sorted; kept by the caller while the cursor
 * lives), in the index's order: the index is walked by its keys alone
 * and only those records are read. A search with many matches walks the
 * name index so (browse.c). Returns 0 or -1.
 */
int		 store_cursor_only(struct store_cursor *,
		    const struct record_id *ids, size_t n);
/*
 * Make a fresh cursor of a secondary index return IDs alone, in the
 * index's order, by store_cursor_next_id (not store_cursor_next): the
 * index is walked by its keys and no record is read. A long list reads
 * its records so, a window at a time in ID order (cli_list): in the
 * index's order they lie on pages at random, and a file larger than the
 * cache would have each page read (and, encrypted, decrypted) again and
 * again. Returns 0 or -1.
 */
int		 store_cursor_keys(struct store_cursor *);
/* The next ID: 0 and *id, STORE_NOTFOUND at the end, or -1. */
int		 store_cursor_next_id(struct store_cursor *,
		    struct record_id *);
/* The index key of the record last returned. */
void		 store_cursor_key(struct store_cursor *, const void **key,
		    size_t *len);
void		 store_cursor_close(struct store_cursor *);

/*
 * How many databases this process opened (a master: attached) and how
 * many records it read, for CRM_STATS=1 and the screens' key log: what
 * a command or a key costs, counted rather than timed. Cannot fail.
 */
void		 store_stats(uint64_t *opened, uint64_t *read);
/*
 * A command told to stop (SIGINT, SIGTERM, SIGHUP, or SIGPIPE when its
 * output went away): store_interrupt, safe in a signal handler, makes
 * every later cursor step, write and commit fail with a message, so that
 * the command aborts its transaction and lets the database go cleanly
 * rather than dying while it holds it. store_interrupted says which
 * signal (0: none).
 */
void		 store_interrupt(int sig);
int		 store_interrupted(void);
/*
 * -1 with the reason set ("told to stop (SIGTERM): stopped, and nothing
 * it was writing was saved") when the command was told to stop, else 0.
 */
int		 store_stopped(void);

/* Big-endian 64-bit numbers: seq keys and meta values. Cannot fail. */
void		 store_be64(uint8_t *, uint64_t);
uint64_t	 store_get_be64(const uint8_t *);

/* The name index key of a text: folded to lower case. Free it. */
char		*store_name_key(const char *text);

/*
 * The attach lock of a master (src/store-attach.c). store_lock takes an
 * exclusive fcntl lock on DIR/lock, waiting up to wait_seconds and telling
 * the user on stderr who holds it; it then records this process (host,
 * pid, user, time) in the file. Returns the descriptor, or -1 with the
 * error naming the holder. store_unlock cannot fail.
 */
int		 store_lock(const char *dir, int wait_seconds);
void		 store_unlock(int fd);
/*
 * Unlock after a unit of work that could not end cleanly (no checkpoint):
 * the holder line stays in DIR/lock so the next attacher runs recovery.
 */
void		 store_unlock_dirty(int fd, int dirty);
/* Whether the last holder of the lock just taken let go cleanly. */
int		 store_lock_was_clean(void);
/* Who holds DIR/lock, as one line, or NULL if nobody does. Free it. */
char		*store_lock_holder(const char *dir);

#endif
