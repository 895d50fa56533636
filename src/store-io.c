/*
 * store-io: I/O and failure handling for the store (src/store-int.h).
 *
 * Berkeley DB calls the system through functions a program may replace;
 * crm replaces those whose failures it must tell apart: a full disk (a
 * write cut short, a region file grown over blocks that do not exist), a
 * master whose network mount went away (an EIO retried a hundred times),
 * and a command told to stop. Here too: one message for each Berkeley
 * DB error, naming the thing and what to do. It calls nothing else of
 * the store: every other part of it stands on this one.
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
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "record.h"
#include "store.h"
#include "store-int.h"
#include "xmalloc.h"

/* The signal that told this command to stop (store_interrupt), or 0. */
static volatile sig_atomic_t	store_signal;

/*
 * Whether a write of this process failed for lack of space. Berkeley DB
 * passes ENOSPC on from some writes only: a page it could not write out
 * of its cache, or a failed write during recovery, comes back as
 * DB_RUNRECOVERY or EIO, which store_dberr then says is a full disk.
 */
static int		 store_io_nospace;

/*
 * Whether a read or write of the attached master's files failed with
 * EIO (passed on as EREMOTEIO): what Berkeley DB then makes of it (a
 * need for recovery, a page not found) is the connection's failure.
 */
static int		 store_io_remote_failed;

/* Berkeley DB's last word of a page failing its checksum (store_errcall). */
static char	store_checksum_msg[256];

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
int
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

int
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
	/*
	 * What Berkeley DB made of a read or write of the master that
	 * failed (a need for recovery, a page not found): that failure.
	 */
	if (st != NULL && st->role == STORE_MASTER && store_io_remote_failed &&
	    ret != ENOSPC && ret != DB_LOCK_DEADLOCK &&
	    ret != DB_LOCK_NOTGRANTED)
		ret = EREMOTEIO;
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

/* What kind of damage a Berkeley DB error met opening a file says. */
const char *
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

void
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
	    sb.st_dev == store_lost_dev))) {
		saved = EREMOTEIO;
		store_io_remote_failed = 1;
	}
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
 * not come here: so crm reads its configuration files with read
 * (cfg_read), not through stdio.
 */
#ifdef CRM_FAULT_INJECTION
/*
 * A test build's network mount whose server went away:
 * CRM_FAULT_EIO_READ=N makes the Nth read of a file of the attached
 * master, and every one after it, fail with EIO; each such failure adds
 * a line to the file CRM_FAULT_EIO_LOG names, so that a test counts how
 * often Berkeley DB tried. CRM_FAULT_EIO_KEEP=1 returns EIO as it is, as
 * the C library's read would: what crm would meet without its own read
 * (tests/cli-lost-read.sh).
 */
static int
store_io_read_fault(int fd)
{
	static unsigned long	 at, reads;
	static int		 env_read;
	static char		 master[PATH_MAX];
	const char		*env;
	char			 link[64], path[PATH_MAX];
	ssize_t			 n;
	size_t			 len;
	int			 lfd;

	if (!env_read) {
		if ((env = getenv("CRM_FAULT_EIO_READ")) != NULL)
			at = strtoul(env, NULL, 10);
		env_read = 1;
	}
	if (at == 0 || store_lost_dir[0] == '\0')
		return 0;
	if (master[0] == '\0' && realpath(store_lost_dir, master) == NULL)
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof path - 1)) <= 0)
		return 0;
	path[n] = '\0';
	len = strlen(master);
	if (strncmp(path, master, len) != 0 || path[len] != '/')
		return 0;
	/* Berkeley DB's files: its settings have CRM_FAULT_EIO_CONF. */
	if (strcmp(path + len, "/crm.conf") == 0)
		return 0;
	if (++reads < at)
		return 0;
	if ((env = getenv("CRM_FAULT_EIO_LOG")) != NULL &&
	    (lfd = open(env, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) != -1) {
		n = write(lfd, "EIO\n", 4);
		(void)n;
		close(lfd);
	}
	errno = EIO;
	return 1;
}

/*
 * CRM_FAULT_EIO_CONF=DIR: every read of DIR/crm.conf fails with EIO, as
 * a master's does when the connection to its share is cut while crm
 * reads its settings (tests/cli-lost-read.sh).
 */
static int
store_io_conf_fault(int fd)
{
	static char	 conf[PATH_MAX];
	char		 link[64], path[PATH_MAX];
	const char	*dir;
	ssize_t		 n;

	if ((dir = getenv("CRM_FAULT_EIO_CONF")) == NULL)
		return 0;
	if (conf[0] == '\0') {
		if (realpath(dir, path) == NULL ||
		    strlen(path) + sizeof "/crm.conf" > sizeof conf)
			return 0;
		strcpy(conf, path);
		strcat(conf, "/crm.conf");
	}
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof path - 1)) <= 0)
		return 0;
	path[n] = '\0';
	if (strcmp(path, conf) != 0)
		return 0;
	errno = EIO;
	return 1;
}
#endif

ssize_t
read(int fd, void *buf, size_t len)
{
	ssize_t	n;

#ifdef CRM_FAULT_INJECTION
	if (store_io_read_fault(fd))
		return getenv("CRM_FAULT_EIO_KEEP") != NULL ? -1 :
		    store_io_failed(fd);
	if (store_io_conf_fault(fd))
		return -1;
#endif
	n = syscall(SYS_read, fd, buf, len);
	if (n < 0 && errno == EIO)
		return store_io_failed(fd);
	return n;
}

void
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

void
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

void
store_lost_unwatch(void)
{
	store_lost_dir[0] = '\0';
}

