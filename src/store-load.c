/*
 * store-load: loading a local in bulk, and the local's own lock.
 *
 * A first sync fills an empty local the way db_load does: no log, no
 * locks, no transactions (store_load_begin, below), its index entries
 * gathered and sorted (store_defer_record). Such writes cannot
 * be recovered, so they never touch the local's own files: they go into a
 * fresh database in DIR/load/, which is written out, synced and marked
 * complete (DIR/load/complete) before its files replace the local's, one
 * rename each. A load cut off before the mark is thrown away and made
 * again by the next sync; a switch cut off half-way is finished by the
 * next process that opens the local, before it opens anything else. The
 * local's environment (regions and log) described the files replaced, so
 * it goes as well: the new files were never logged, and the next open
 * starts a fresh environment on them.
 *
 * Every process with a local open holds a shared flock on DIR/open.lock;
 * a load and a switch hold it exclusively, so no one has the local's
 * files open while they are replaced. flock rather than fcntl: a local is
 * on the laptop's own disk, and flock locks belong to the open file, so
 * one process may open a local twice and close each on its own.
 *
 * crm encrypt replaces a plain local's files the same way, with an
 * encrypted copy made in DIR/encrypt/ (include/store.h): its switch
 * also brings the key file, documents/ and templates/, and takes the old
 * environment's logs and regions, which hold the plain text, away.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "store.h"
#include "store-int.h"
#include "vault.h"
#include "xmalloc.h"

static void	(*store_load_tick)(void);

void
store_load_fault(void (*tick)(void))
{
	store_load_tick = tick;
}

/* Every step of a switch passes here, so a test can cut it off anywhere. */
static void
store_load_step(void)
{
	if (store_load_tick != NULL)
		store_load_tick();
}

/*
 * Remove an environment's region files and logs from dir: they describe
 * files that a switch replaced (or, encrypted, hold their plain text),
 * and neither may meet the new ones. A directory that cannot be read has
 * none to remove.
 */
static int
store_env_remove(const char *dir)
{
	struct dirent	*de;
	DIR		*d;
	char		*path;
	int		 ret = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "__db.", 5) != 0 &&
		    strncmp(de->d_name, "log.", 4) != 0)
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		if (unlink(path) != 0 && errno != ENOENT) {
			error_set("cannot remove %s: %s", path,
			    strerror(errno));
			ret = -1;
		}
		free(path);
	}
	closedir(d);
	return ret;
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

/* fsync a directory, so that the renames and removals in it last. */
static int
store_sync_dir(const char *dir)
{
	return store_fsync_path(dir, O_RDONLY | O_DIRECTORY);
}

int
store_load_pending(const char *dir)
{
	struct stat	 sb;
	char		*path;
	int		 ret;

	xasprintf(&path, "%s/load/complete", dir);
	ret = stat(path, &sb) == 0;
	free(path);
	return ret;
}

int
store_load_clear(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		*path, *file;
	int		 ret = 0;

	xasprintf(&path, "%s/load", dir);
	if ((d = opendir(path)) == NULL) {
		free(path);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		xasprintf(&file, "%s/%s", path, de->d_name);
		if (unlink(file) != 0 && errno != ENOENT)
			ret = -1;
		free(file);
	}
	closedir(d);
	if (ret == 0 && rmdir(path) != 0 && errno != ENOENT)
		ret = -1;
	if (ret != 0)
		error_set("cannot remove %s, left by a first sync that was cut "
		    "off: %s; remove it by hand and sync again", path,
		    strerror(errno));
	free(path);
	return ret;
}

/*
 * Move a completed load into place: its files over the local's, then the
 * local's old environment away. Every step can be done again, so a switch
 * cut off anywhere is finished by doing it again. The caller holds the
 * local's lock exclusively.
 */
static int
store_load_finish(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		*load, *from, *to;
	size_t		 len;
	int		 ret = 0;

	if (!store_load_pending(dir))
		return 0;
	xasprintf(&load, "%s/load", dir);
	if ((d = opendir(load)) == NULL) {
		error_set("cannot read %s: %s", load, strerror(errno));
		free(load);
		return -1;
	}
	while (ret == 0 && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 3, ".db") != 0)
			continue;
		store_load_step();
		xasprintf(&from, "%s/%s", load, de->d_name);
		xasprintf(&to, "%s/%s", dir, de->d_name);
		if (rename(from, to) != 0) {
			error_set("cannot move %s to %s: %s; run the command "
			    "again", from, to, strerror(errno));
			ret = -1;
		}
		free(from);
		free(to);
	}
	closedir(d);
	if (ret == 0)
		store_load_step();
	/*
	 * The old environment's regions may cache pages of the files just
	 * replaced, and its log describes them: neither may meet the new
	 * files.
	 */
	if (ret == 0)
		ret = store_env_remove(dir);
	if (ret == 0 && store_sync_dir(dir) != 0) {
		error_set("cannot write out %s: %s", dir, strerror(errno));
		ret = -1;
	}
	if (ret == 0) {
		store_load_step();
		ret = store_load_clear(dir);
	}
	free(load);
	return ret;
}

/* Whether path is there, whatever it is. */
static int
store_exists(const char *path)
{
	struct stat	sb;

	return lstat(path, &sb) == 0;
}

/* Whether DIR/encrypt, followed by sub, is there. */
static int
store_encrypt_has(const char *dir, const char *sub)
{
	char	*path;
	int	 ret;

	xasprintf(&path, "%s/%s%s", dir, STORE_ENCRYPT_DIR, sub);
	ret = store_exists(path);
	free(path);
	return ret;
}

/* Whether DIR/encrypt is there: a crm encrypt at work, or its remains. */
static int
store_encrypting(const char *dir)
{
	return store_encrypt_has(dir, "");
}

int
store_encrypt_pending(const char *dir)
{
	return store_encrypt_has(dir, "/complete");
}

/*
 * Remove path and all under it; a symbolic link is removed, never
 * followed. 0, or -1 with errno set.
 */
static int
store_remove_tree(const char *path)
{
	struct stat	 sb;
	DIR		*d;
	struct dirent	*de;
	char		*sub;
	int		 ret = 0, saved = 0;

	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(sb.st_mode))
		return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		xasprintf(&sub, "%s/%s", path, de->d_name);
		if (store_remove_tree(sub) != 0 && ret == 0) {
			saved = errno;
			ret = -1;
		}
		free(sub);
	}
	closedir(d);
	if (ret == 0 && rmdir(path) != 0 && errno != ENOENT)
		return -1;
	errno = saved;
	return ret;
}

int
store_encrypt_clear(const char *dir)
{
	char	*path;
	int	 ret = 0;

	xasprintf(&path, "%s/%s", dir, STORE_ENCRYPT_DIR);
	if (store_remove_tree(path) != 0) {
		error_set("cannot remove %s, left by a crm encrypt: %s; "
		    "remove it by hand", path, strerror(errno));
		ret = -1;
	}
	free(path);
	if (ret == 0 && store_sync_dir(dir) != 0) {
		error_set("cannot write out %s: %s", dir, strerror(errno));
		ret = -1;
	}
	return ret;
}

/* fsync every file and directory under path, path last. */
static int
store_sync_tree(const char *path)
{
	struct stat	 sb;
	DIR		*d;
	struct dirent	*de;
	char		*sub;
	int		 fd, ret = 0;

	if (lstat(path, &sb) != 0)
		return -1;
	if (S_ISLNK(sb.st_mode))
		return 0;
	if (S_ISDIR(sb.st_mode)) {
		if ((d = opendir(path)) == NULL)
			return -1;
		while (ret == 0 && (de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			xasprintf(&sub, "%s/%s", path, de->d_name);
			ret = store_sync_tree(sub);
			free(sub);
		}
		closedir(d);
		if (ret != 0)
			return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

/*
 * Mark work complete: everything in it on disk (store_sync_tree), then
 * work/complete, which lets it replace what it was made for, on disk
 * too. 0, or -1 with errno set.
 */
static int
store_mark_complete(const char *work)
{
	char	*path;
	int	 fd, ret;

	if (store_sync_tree(work) != 0)
		return -1;
	xasprintf(&path, "%s/complete", work);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	free(path);
	if (fd == -1)
		return -1;
	ret = fsync(fd);
	close(fd);
	if (ret == 0)
		ret = store_sync_dir(work);
	return ret;
}

int
store_encrypt_mark(const char *dir)
{
	char	*work;
	int	 ret;

	xasprintf(&work, "%s/%s", dir, STORE_ENCRYPT_DIR);
	ret = store_io_full() ? -1 : store_mark_complete(work);
	if (ret == 0)
		ret = store_sync_dir(dir);
	if (ret != 0 && (errno == ENOSPC || errno == EDQUOT))
		error_set("the disk holding %s is full: free some space and "
		    "run crm encrypt again; %s is as it was", dir, dir);
	else if (ret != 0)
		error_set("cannot write out %s: %s; %s is as it was", work,
		    strerror(errno), dir);
	free(work);
	return ret;
}

/* Move from to to, done already being success. */
static int
store_move(const char *from, const char *to)
{
	if (rename(from, to) == 0 || (errno == ENOENT && !store_exists(from) &&
	    store_exists(to)))
		return 0;
	error_set("cannot move %s to %s: %s; run the command again", from, to,
	    strerror(errno));
	return -1;
}

/*
 * documents/ or templates/ of the copy in place of the local's: the old
 * one into the copy's directory (removed with it), the new one out.
 */
static int
store_encrypt_swap(const char *dir, const char *work, const char *name)
{
	char	*cur, *new, *old;
	int	 ret = 0;

	xasprintf(&cur, "%s/%s", dir, name);
	xasprintf(&new, "%s/%s", work, name);
	xasprintf(&old, "%s/%s.old", work, name);
	if (store_exists(new)) {
		if (store_exists(cur)) {
			/* A swap cut off before the new one moved: again. */
			if (store_remove_tree(old) != 0) {
				error_set("cannot remove %s: %s", old,
				    strerror(errno));
				ret = -1;
			} else
				ret = store_move(cur, old);
		}
		if (ret == 0)
			ret = store_move(new, cur);
	}
	free(cur);
	free(new);
	free(old);
	return ret;
}

/*
 * Put a marked copy in place of a plain local (include/store.h). Every
 * step can be done again. The caller holds the local's lock exclusively.
 */
static int
store_encrypt_finish(const char *dir)
{
	static const char *const	 trees[] = { "documents", "templates" };
	DIR				*d;
	struct dirent			*de;
	char				*work, *from, *to;
	size_t				 i, len;
	int				 ret = 0;

	if (!store_encrypt_pending(dir))
		return 0;
	xasprintf(&work, "%s/%s", dir, STORE_ENCRYPT_DIR);
	/* The key first: from here on the local opens with it. */
	store_load_step();
	xasprintf(&from, "%s/%s", work, VAULT_KEY_FILE);
	xasprintf(&to, "%s/%s", dir, VAULT_KEY_FILE);
	ret = store_move(from, to);
	free(from);
	free(to);
	if (ret == 0 && store_sync_dir(dir) != 0) {
		error_set("cannot write out %s: %s", dir, strerror(errno));
		ret = -1;
	}
	/* The plain environment: its regions cache pages, its logs hold them. */
	if (ret == 0) {
		store_load_step();
		ret = store_env_remove(dir);
	}
	d = NULL;
	if (ret == 0 && (d = opendir(work)) == NULL) {
		error_set("cannot read %s: %s", work, strerror(errno));
		ret = -1;
	}
	while (ret == 0 && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 3, ".db") != 0)
			continue;
		store_load_step();
		xasprintf(&from, "%s/%s", work, de->d_name);
		xasprintf(&to, "%s/%s", dir, de->d_name);
		ret = store_move(from, to);
		free(from);
		free(to);
	}
	if (d != NULL)
		closedir(d);
	for (i = 0; ret == 0 && i < sizeof trees / sizeof trees[0]; i++) {
		store_load_step();
		ret = store_encrypt_swap(dir, work, trees[i]);
	}
	if (ret == 0 && store_sync_dir(dir) != 0) {
		error_set("cannot write out %s: %s", dir, strerror(errno));
		ret = -1;
	}
	/* The mark goes first: what is left is only to be removed. */
	if (ret == 0) {
		store_load_step();
		xasprintf(&from, "%s/complete", work);
		if (unlink(from) != 0 && errno != ENOENT) {
			error_set("cannot remove %s: %s", from,
			    strerror(errno));
			ret = -1;
		} else if (store_sync_dir(work) != 0) {
			error_set("cannot write out %s: %s", work,
			    strerror(errno));
			ret = -1;
		}
		free(from);
	}
	if (ret == 0) {
		store_load_step();
		ret = store_encrypt_clear(dir);
	}
	free(work);
	return ret;
}

/*
 * Take the local's lock, shared or exclusive, waiting up to wait_seconds
 * for a load or a switch to end. A pending switch is finished first.
 */
static int
store_local_take(const char *dir, int exclusive, int wait_seconds)
{
	struct timespec	 nap = { 0, 100 * 1000 * 1000 }, now;
	double		 deadline;
	char		*path;
	int		 fd, told = 0, pending, encrypting;

	xasprintf(&path, "%s/open.lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		error_set("cannot open %s: %s; check the owner and mode of "
		    "%s", path, strerror(errno), dir);
		free(path);
		return -1;
	}
	free(path);
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec + now.tv_nsec / 1e9 + wait_seconds;
	for (;;) {
		pending = store_load_pending(dir) ||
		    store_encrypt_pending(dir);
		if (flock(fd, (pending || exclusive ? LOCK_EX : LOCK_SH) |
		    LOCK_NB) == 0) {
			/*
			 * A loader may have marked its load complete and let
			 * go between the look and the lock: look again, now
			 * that no load can start or end.
			 */
			if (!pending && !store_load_pending(dir) &&
			    !store_encrypt_pending(dir))
				return fd;
			if (!pending)
				continue;	/* and take it exclusively */
			if (store_load_finish(dir) != 0 ||
			    store_encrypt_finish(dir) != 0)
				break;
			continue;	/* and take the lock asked for */
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			error_set("cannot lock %s/open.lock: %s", dir,
			    strerror(errno));
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		encrypting = store_encrypting(dir);
		if (now.tv_sec + now.tv_nsec / 1e9 >= deadline) {
			if (encrypting)
				error_set("%s is busy: crm encrypt is "
				    "encrypting it; try again when it has "
				    "finished", dir);
			else
				error_set("%s is busy: its first sync is "
				    "loading it, or another crm is waiting for "
				    "that sync; try again when it has finished",
				    dir);
			break;
		}
		if (!told && wait_seconds > 0) {
			fprintf(stderr, "crm: %s is busy with %s; waiting up "
			    "to %d seconds...\n", dir, encrypting ? "crm "
			    "encrypt" : "its first sync", wait_seconds);
			told = 1;
		}
		nanosleep(&nap, NULL);
	}
	close(fd);
	return -1;
}

int
store_local_lock(const char *dir, int wait_seconds)
{
	return store_local_take(dir, 0, wait_seconds);
}

int
store_encrypt_switch(const char *dir, int wait_seconds)
{
	/* Taking the lock finishes the switch, as for a load. */
	return store_load_switch(dir, wait_seconds);
}

int
store_encrypt_settle(const char *dir, int wait_seconds)
{
	char	*path;
	int	 fd, ret;

	if (!store_encrypting(dir))
		return 0;
	if (store_encrypt_pending(dir)) {
		if (store_load_switch(dir, wait_seconds) != 0)
			return -1;
		return STORE_SETTLED_SWITCHED;
	}
	/*
	 * A copy never marked: removed only with the local to ourselves,
	 * when no crm encrypt is making it (it holds the lock meanwhile).
	 */
	xasprintf(&path, "%s/open.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(path);
	if (fd == -1 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (fd != -1)
			close(fd);
		return 0;
	}
	if (store_encrypt_pending(dir))
		ret = store_encrypt_finish(dir) == 0 ? STORE_SETTLED_SWITCHED :
		    -1;
	else if (store_encrypting(dir))
		ret = store_encrypt_clear(dir) == 0 ? STORE_SETTLED_REMOVED :
		    -1;
	else
		ret = 0;
	close(fd);
	return ret;
}

int
store_load_switch(const char *dir, int wait_seconds)
{
	int	fd;

	/* Taking the lock finishes the switch, if no one else did. */
	if ((fd = store_local_take(dir, 1, wait_seconds)) == -1)
		return -1;
	close(fd);
	return 0;
}

/*
 * The indexes a load fills sorted: their keys come in no order. A load
 * writes in key order, which is nearly seq order, and has no outbox: those
 * two Berkeley DB keeps as it goes. A bulk load of a new database (crm
 * demo) sorts the words alone: it adds its users through the name index,
 * and the words index is its largest and slowest (a record's words go
 * into a dozen places of the tree).
 */
int
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
int
store_defers(const struct store *st)
{
	return (st->flags & (STORE_LOADING | STORE_BULK)) != 0;
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
	char	*dir;
	int	 ret;

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
	ret = store_mark_complete(dir);
	if (ret != 0 && (errno == ENOSPC || errno == EDQUOT))
		error_set("the disk holding %s is full (writing out a first "
		    "sync): free some space and sync again; nothing was "
		    "changed", dir);
	else if (ret != 0)
		error_set("cannot write out %s: %s: free some space and sync "
		    "again", dir, strerror(errno));
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
int
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
int
store_defer_record(struct store *st, struct store_file *f, const DBT *key,
    const DBT *data)
{
	DBT	 result, *keys, pkey;
	u_int32_t n, j;
	int	 i, ret, err = 0;

	st->vocab_stale = 1;
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
