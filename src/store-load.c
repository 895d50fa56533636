/*
 * store-load: the local's own lock, and switching a local over to a
 * database loaded in bulk.
 *
 * A first sync fills an empty local the way db_load does: no log, no
 * locks, no transactions (store_load_begin in store.c). Such writes cannot
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
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "store.h"
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

/* fsync a directory, so that the renames and removals in it last. */
static int
store_sync_dir(const char *dir)
{
	int	fd, ret;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
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
	if (ret == 0 && (d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, "__db.", 5) != 0 &&
			    strncmp(de->d_name, "log.", 4) != 0)
				continue;
			xasprintf(&from, "%s/%s", dir, de->d_name);
			if (unlink(from) != 0 && errno != ENOENT) {
				error_set("cannot remove %s: %s", from,
				    strerror(errno));
				ret = -1;
			}
			free(from);
		}
		closedir(d);
	}
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
	int		 fd, told = 0, pending;

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
		pending = store_load_pending(dir);
		if (flock(fd, (pending || exclusive ? LOCK_EX : LOCK_SH) |
		    LOCK_NB) == 0) {
			/*
			 * A loader may have marked its load complete and let
			 * go between the look and the lock: look again, now
			 * that no load can start or end.
			 */
			if (!pending && !store_load_pending(dir))
				return fd;
			if (!pending)
				continue;	/* and take it exclusively */
			if (store_load_finish(dir) != 0)
				break;
			continue;	/* and take the lock asked for */
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			error_set("cannot lock %s/open.lock: %s", dir,
			    strerror(errno));
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec + now.tv_nsec / 1e9 >= deadline) {
			error_set("%s is busy: its first sync is loading it, "
			    "or another crm is waiting for that sync; try again "
			    "when it has finished", dir);
			break;
		}
		if (!told) {
			fprintf(stderr, "crm: %s is busy with its first sync; "
			    "waiting up to %d seconds...\n", dir, wait_seconds);
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
store_load_switch(const char *dir, int wait_seconds)
{
	int	fd;

	/* Taking the lock finishes the switch, if no one else did. */
	if ((fd = store_local_take(dir, 1, wait_seconds)) == -1)
		return -1;
	close(fd);
	return 0;
}
