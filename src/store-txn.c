/*
 * store-txn: what every part of the store works through: a B-tree of a
 * database opened in its environment (store_open_db), transactions,
 * meta.db, and numbers as the store keeps them (big-endian, so that they
 * sort). Opening a database (store.c), its indexes (store-index.c) and a
 * load's entries (store-defer.c) are all above it; it calls none of
 * them.
 */
#include "config.h"

#include <sys/stat.h>

#include <db.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "record.h"
#include "store.h"
#include "store-int.h"
#include "xmalloc.h"

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

int
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
	if ((dups == 1 || dups == 2) &&
	    (ret = db->set_flags(db, DB_DUPSORT)) != 0) {
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
	 * An index newer than the file is made in it (dups 2, or 3 without
	 * duplicates): a database of schema 1 has no words index, and gets
	 * one (store_reindex); one made before the vocabulary gets that.
	 */
	if ((st->flags & STORE_CREATE) || dups >= 2)
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

/*
 * Recovery, or opening, failed: if the log is damaged, say so, naming
 * its file, and what to do. Returns 1 if it did.
 */
int
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
uint64_t	store_memo_clock;

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

struct store_file *
store_file(struct store_txn *t, size_t file)
{
	if (file == STORE_CONFLICTS)
		return &t->st->conflicts;
	if (file >= t->st->nfiles)
		fatal("store: no file %zu", file);
	return &t->st->files[file];
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
