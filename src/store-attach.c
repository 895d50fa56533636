/*
 * store-attach: the lock that makes a master safe to share over NFS.
 *
 * Only one process at a time works in a master: it holds an exclusive
 * fcntl lock on DIR/lock for one unit of work. fcntl locks go with the
 * process (and with the NFS lease), so a laptop that dies mid-sync frees
 * the master, and the next attacher's recovery rolls back its half-done
 * transaction.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "store.h"
#include "xmalloc.h"

/*
 * fcntl locks belong to the process, and closing any descriptor of the
 * file drops them all: so the lock this process holds is remembered, and
 * asking who holds it never opens the file again.
 */
static char	*store_lock_path;
static int	 store_lock_fd = -1;
static int	 store_lock_clean;

static int
store_lock_try(int fd)
{
	struct flock	fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_SETLK, &fl);
}

/* The holder's line from the lock file, or a plain description. */
static char *
store_lock_read(int fd)
{
	char	buf[512];
	ssize_t	n;

	n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return xstrdup("another crm process");
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}

char *
store_lock_holder(const char *dir)
{
	struct flock	 fl;
	char		*path, *who = NULL;
	int		 fd;

	xasprintf(&path, "%s/lock", dir);
	if (store_lock_path != NULL && strcmp(path, store_lock_path) == 0) {
		free(path);
		return store_lock_read(store_lock_fd);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd == -1)
		return NULL;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		who = store_lock_read(fd);
	close(fd);
	return who;
}

/*
 * Write the holder's line, which also tells the next holder to recover
 * if this one dies holding the lock. It goes over whatever the file held
 * before it is cut to its length: truncated first, a line that did not
 * fit on a full disk left the file empty, which says "let go cleanly",
 * and the next attach skipped the recovery the master needed. Returns
 * -1 with errno set when the line could not be written.
 */
static int
store_lock_record(int fd)
{
	char		 host[256], when[32], *line;
	struct passwd	*pw;
	const char	*user;
	size_t		 len;

	if (gethostname(host, sizeof host) != 0)
		strcpy(host, "unknown host");
	host[sizeof host - 1] = '\0';
	pw = getpwuid(getuid());
	user = pw != NULL ? pw->pw_name : "unknown user";
	clock_format(clock_stamp_from_ms(clock_now_ms()), when, sizeof when);
	xasprintf(&line, "%s on %s (pid %ld) since %s\n", user, host,
	    (long)getpid(), when);
	len = strlen(line);
	errno = 0;		/* a short write sets none */
	if (store_io_full() || pwrite(fd, line, len, 0) != (ssize_t)len ||
	    ftruncate(fd, (off_t)len) != 0) {
		if (errno == 0)
			errno = ENOSPC;
		free(line);
		return -1;
	}
	free(line);
	return 0;
}

int
store_lock(const char *dir, int wait_seconds)
{
	char		*path, *who = NULL;
	int		 fd, told = 0;
	struct timespec	 nap = { 0, 100 * 1000 * 1000 }, now;
	double		 deadline;

	xasprintf(&path, "%s/lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		error_set("cannot open the master's lock %s: %s; check that "
		    "the master is mounted and writable", path,
		    strerror(errno));
		free(path);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec + now.tv_nsec / 1e9 + wait_seconds;
	while (store_lock_try(fd) == -1) {
		if (errno != EACCES && errno != EAGAIN) {
			error_set("cannot lock the master's lock %s: %s", path,
			    strerror(errno));
			goto fail;
		}
		free(who);
		who = store_lock_read(fd);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec + now.tv_nsec / 1e9 >= deadline) {
			error_set("the master %s is in use by %s; waited %d "
			    "seconds: try again later, or wait longer with "
			    "master.wait_seconds", dir, who, wait_seconds);
			goto fail;
		}
		/*
		 * A moment's wait is said to nobody: the screens hold a
		 * master through a burst of keys, and let go soon after.
		 */
		if (!told && now.tv_sec + now.tv_nsec / 1e9 >= deadline -
		    wait_seconds + 1) {
			fprintf(stderr, "crm: the master %s is in use by %s; "
			    "waiting up to %d seconds...\n", dir, who,
			    wait_seconds);
			told = 1;
		}
		nanosleep(&nap, NULL);
	}
	/*
	 * An empty lock file means the last holder let go cleanly, after a
	 * checkpoint: the master needs no recovery. A holder line left
	 * behind means it died holding the lock.
	 */
	{
		struct stat	sb;

		store_lock_clean = fstat(fd, &sb) == 0 && sb.st_size == 0;
	}
	if (store_lock_record(fd) != 0) {
		if (errno == ENOSPC || errno == EDQUOT)
			error_set("the disk holding %s is full (writing its "
			    "lock %s): free some space and try again; nothing "
			    "was changed", dir, path);
		else
			error_set("cannot write the master's lock %s: %s; "
			    "check that the master is mounted and writable",
			    path, strerror(errno));
		goto fail;
	}
	free(who);
	free(store_lock_path);
	store_lock_path = path;
	store_lock_fd = fd;
	return fd;

fail:
	free(who);
	free(path);
	close(fd);
	return -1;
}

int
store_lock_was_clean(void)
{
	return store_lock_clean;
}

void
store_unlock(int fd)
{
	store_unlock_dirty(fd, 0);
}

void
store_unlock_dirty(int fd, int dirty)
{
	if (fd == -1)
		return;
	/* Left as it is, the holder line tells the next one to recover. */
	if (!dirty && ftruncate(fd, 0) != 0)
		errno = 0;
	if (fd == store_lock_fd) {
		free(store_lock_path);
		store_lock_path = NULL;
		store_lock_fd = -1;
	}
	close(fd);
}
