/*
 * store-switch: a local's own lock, and the switch of its files to those
 * a first sync's load or crm encrypt's copy made (store-load.c makes
 * them).
 *
 * Such writes cannot be recovered, so they never touch the local's own
 * files: they go into a fresh database in DIR/load/ (or DIR/encrypt/),
 * which is written out, synced and marked complete (DIR/load/complete)
 * before its files replace the local's, one rename each. A load cut off
 * before the mark is thrown away and made again by the next sync; a
 * switch cut off half-way is finished by the next process that opens
 * the local, before it opens anything else. The local's environment
 * (regions and log) described the files replaced, so it goes as well:
 * the new files were never logged, and the next open starts a fresh
 * environment on them.
 *
 * Every process with a local open holds a shared flock on DIR/open.lock;
 * a load and a switch hold it exclusively, so no one has the local's
 * files open while they are replaced. flock rather than fcntl: a local is
 * on the laptop's own disk, and flock locks belong to the open file, so
 * one process may open a local twice and close each on its own.
 *
 * crm encrypt's switch also brings the key file, documents/ and
 * templates/, and takes the old environment's logs and regions, which
 * hold the plain text, away.
 *
 * Opening a local takes its lock here (store_local_lock), so this file
 * is below store.c: it works on directories and files by name, never on
 * an open database.
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
int
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
int
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
