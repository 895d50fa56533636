/*
 * store: records in Berkeley DB B-tree files.
 *
 * A database is a directory: meta.db, a file per record type and the
 * conflict log, in one Berkeley DB environment (transactions, a log and
 * the cache). Here: opening, making and closing one, its environment
 * (recovered, when it must be, in a process apart), records, the
 * master's journal and cursors. The parts with a concern of their own
 * are beside it, sharing src/store-int.h, and all below it but the load:
 * transactions and meta.db (store-txn.c), the indexes (store-index.c)
 * and a load's entries for them (store-defer.c), I/O and failure
 * handling (store-io.c), the keys of encrypted databases (store-key.c),
 * a local's lock and the switch of its files (store-switch.c). A first
 * sync's load and crm encrypt's copy (store-load.c) open a store of
 * their own, so they are above it.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/wait.h>
#include <sys/stat.h>

#include <db.h>
#include <dirent.h>
#include <errno.h>
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
#include "store-int.h"
#include "vault.h"
#include "xmalloc.h"

/* The conflict log: records whose "record" field names what they are about. */
static const struct store_schema store_conflict_schema = {
	"conflicts.db", { NULL }, { "record" }, { "who" }, { NULL }, { NULL }
};

/* What this process read, for CRM_STATS (store_stats). */
uint64_t	store_n_opened, store_n_read;

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
	if (f->schema->word_fields[0] != NULL &&
	    store_open_db(st, txn, &f->vocab, f->schema->file, "vocab",
	    3) != 0)
		return -1;
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
	if (f->vocab != NULL)
		f->vocab->close(f->vocab, DB_NOSYNC);
	if (f->journal != NULL)
		f->journal->close(f->journal, DB_NOSYNC);
	if (f->primary != NULL)
		f->primary->close(f->primary, DB_NOSYNC);
	record_free(f->cache_rec);
	free(f->cache_bytes);
}

/* The cache of ordinary work (store.cache_mb), in megabytes. */
static int	store_cache_mb = STORE_CACHE_MB;

void
store_set_cache_mb(int mb)
{
	store_cache_mb = mb > 0 ? mb : STORE_CACHE_MB;
}

/*
 * The key of the database being opened, if it was given. A local with a
 * key file opened without its key is refused here, in words, rather
 * than by Berkeley DB's "no encryption key" on its first file.
 */
static int
store_key_take(struct store *st)
{
	uint8_t		 key[VAULT_KEY_SIZE];
	const char	*given;
	char		*path;
	int		 locked, ret;

	if ((given = store_key_of(st->dir)) != NULL) {
		st->key = xstrdup(given);
		return 0;
	}
	/*
	 * An encrypted master opens with its key file, without a password
	 * (vault.h); the key is then known as a local's is (store_key_of).
	 */
	if (st->role == STORE_MASTER) {
		if ((ret = vault_master_key(st->dir, key)) == -1)
			return -1;
		if (ret == 0) {
			store_set_key_bytes(st->dir, key);
			st->key = xstrdup(store_key_of(st->dir));
			explicit_bzero(key, sizeof key);
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
int
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
		if (ret != 0 && store_io_was_full())
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
		if ((flags & STORE_BULK) == 0 && (store_fold_check(st) != 0 ||
		    store_vocab_check(st) != 0))
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
	    store_meta_put(t, "fold", mark, strlen(mark)) != 0 ||
	    store_meta_put(t, "vocab", STORE_VOCAB_MARK,
	    strlen(STORE_VOCAB_MARK)) != 0) {
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
 * sorted). Both passes are made over one file before the next: the
 * second then finds the file's pages still in the cache. A demo of a
 * million records has about 650 MB of files for a cache of 256 MB;
 * each pass over every file in turn read every page back in for the
 * second pass and wrote it out again (memp_stat: 167,658 pages read and
 * 160,000 written by the compaction, for files of about 85,000 pages),
 * and encrypted, each of those is a decryption or an encryption.
 * Returns 0, or -1 with the error set; the database is whole either way.
 */
static int
store_compact(struct store *st)
{
	struct store_file	*f;
	DB_COMPACT		 c;
	DB			*db;
	size_t			 i;
	int			 pass, j, ret;

	for (i = 0; i <= st->nfiles; i++) {
		f = i < st->nfiles ? &st->files[i] : &st->conflicts;
		for (pass = 0; pass < 2; pass++) {
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
			    store_defer_flush(st) != 0)
				rv = -1;
			/* Its vocabulary, from the words index it has now. */
			if (rv == 0 && st->vocab_stale &&
			    store_vocab_build_all(st) != 0)
				rv = -1;
			if (rv == 0 && (st->flags & STORE_LOADING) == 0 &&
			    store_compact(st) != 0)
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
				if (ret == ENOSPC || store_io_was_full())
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
	else if (ret == 0 && f->vocab != NULL)
		deferred = store_vocab_record(t, f, &key, &data);
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
	ret = c->keys ? c->c->get(c->c, &c->key, &c->pkey,
	    DB_GET_BOTH_RANGE) : c->c->pget(c->c, &c->key, &c->pkey, &c->data,
	    DB_GET_BOTH_RANGE);
	if (ret != DB_NOTFOUND)
		return ret;
	memcpy(c->key.data, c->seek, c->seeklen);
	((uint8_t *)c->key.data)[c->seeklen] = 0;
	c->key.size = (u_int32_t)c->seeklen + 1;
	if (c->keys)
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
	else if (c->keys)
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
	if (c->keys && c->only == NULL)
		fatal("store: a cursor of IDs alone returns no records");

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

int
store_cursor_next_id(struct store_cursor *c, struct record_id *id)
{
	int	ret;

	if (!c->keys || c->only != NULL)
		fatal("store: store_cursor_next_id wants store_cursor_keys");
	if (store_stopped() != 0)
		return -1;
	for (;;) {
		ret = store_cursor_step(c, 1);
		if (ret == DB_NOTFOUND || ret == DB_KEYEMPTY)
			return STORE_NOTFOUND;
		if (ret != 0)
			return store_dberr(c->t->st, c->f->schema->file, ret);
		if (c->pkey.size != RECORD_ID_SIZE)
			continue;
		memcpy(id->b, c->pkey.data, RECORD_ID_SIZE);
		return 0;
	}
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
