/* file: copying attached files whole and safely, with their SHA-256. */
#include "config.h"

#include <sys/stat.h>
#include <ctype.h>
#include <dirent.h>

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "file.h"
#include "store.h"
#include "xmalloc.h"

void
file_digest_hex(const uint8_t *digest, char *hex)
{
	int	i;

	for (i = 0; i < FILE_HASH_TEXT / 2; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
}

static void
file_hex(struct sha256_ctx *sha, char *hex)
{
	uint8_t	digest[SHA256_DIGEST_SIZE];

	sha256_digest(sha, SHA256_DIGEST_SIZE, digest);
	file_digest_hex(digest, hex);
}

int
file_write_all(int fd, const void *p, size_t len)
{
	const char	*buf = p;
	size_t		 done = 0;
	ssize_t		 n;

	while (done < len) {
		if (store_io_full())
			return -1;
		n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Read src (and write it to out when out != -1), hashing it. */
static int
file_pump(const char *src, int in, int out, const char *dst, char *hex,
    off_t *size)
{
	struct sha256_ctx	 sha;
	char			 buf[65536];
	ssize_t			 n;
	off_t			 total = 0;

	sha256_init(&sha);
	while ((n = read(in, buf, sizeof buf)) > 0) {
		sha256_update(&sha, (size_t)n, (const uint8_t *)buf);
		if (out != -1 && file_write_all(out, buf, (size_t)n) != 0) {
			error_set("cannot write %s: %s", dst, errno == ENOSPC ?
			    "the disk is full; free some space and try again" :
			    strerror(errno));
			return -1;
		}
		total += n;
	}
	if (n < 0) {
		error_set("cannot read %s: %s", src, strerror(errno));
		return -1;
	}
	file_hex(&sha, hex);
	if (size != NULL)
		*size = total;
	return 0;
}

int
file_hash(const char *path, char *hex, off_t *size)
{
	int	in, ret;

	if ((in = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		error_set("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	ret = file_pump(path, in, -1, NULL, hex, size);
	close(in);
	return ret;
}

int
file_hash_fd(int fd, const char *path, char *hex, off_t *size)
{
	return file_pump(path, fd, -1, NULL, hex, size);
}

int
file_copy(const char *src, const char *dst, char *hex, off_t *size)
{
	int	in, out;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) == -1) {
		error_set("cannot read %s: %s", src, strerror(errno));
		return -1;
	}
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		error_set("cannot create %s: %s", dst, strerror(errno));
		close(in);
		return -1;
	}
	if (file_pump(src, in, out, dst, hex, size) != 0)
		goto fail;
	if (fsync(out) != 0) {
		error_set("cannot write %s: %s", dst, strerror(errno));
		goto fail;
	}
	close(in);
	if (close(out) != 0) {
		error_set("cannot write %s: %s", dst, strerror(errno));
		unlink(dst);
		return -1;
	}
	return 0;

fail:
	close(in);
	close(out);
	unlink(dst);
	return -1;
}

int
file_install(const char *src, const char *dst, char *hex)
{
	struct stat	 sb;
	char		*tmp, *dir, *slash;
	int		 ret;

	/* Said of dst, not of the temporary file beside it. */
	dir = xstrdup(dst);
	if ((slash = strrchr(dir, '/')) != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	if (slash != NULL && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
		error_set("cannot write %s: %s is not a directory", dst, dir);
		free(dir);
		return -1;
	}
	free(dir);
	xasprintf(&tmp, "%s.tmp-%ld", dst, (long)getpid());
	unlink(tmp);
	if ((ret = file_copy(src, tmp, hex, NULL)) == 0 &&
	    rename(tmp, dst) != 0) {
		error_set("cannot rename %s to %s: %s", tmp, dst,
		    strerror(errno));
		unlink(tmp);
		ret = -1;
	}
	free(tmp);
	return ret;
}

int
file_mkdirs(const char *dir, const char *path)
{
	struct stat	 sb;
	char		*copy, *p, c;
	int		 retval = -1;

	copy = xstrdup(dir);
	for (p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (stat(copy, &sb) == 0) {
			if (!S_ISDIR(sb.st_mode)) {
				error_set("%s is not a directory, so %s cannot "
				    "be written; move it away", copy, path);
				goto out;
			}
		} else if (errno != ENOENT ||
		    (mkdir(copy, 0700) != 0 && errno != EEXIST)) {
			error_set("cannot make %s: %s; %s was not written",
			    copy, strerror(errno), path);
			goto out;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	retval = 0;
out:
	free(copy);
	return retval;
}

int
file_write(const char *path, const char *data, size_t len)
{
	char	*tmp;
	int	 fd;

	xasprintf(&tmp, "%s.tmp-%ld", path, (long)getpid());
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		error_set("cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (file_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		error_set("cannot write %s: %s", path, errno == ENOSPC ?
		    "the disk is full; free some space and try again" :
		    strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd) != 0) {
		error_set("cannot write %s: %s", path, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		error_set("cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		goto fail;
	}
	free(tmp);
	return 0;

fail:
	unlink(tmp);
	free(tmp);
	return -1;
}

/*
 * The process that named a temporary file NAME.tmp-PID (file_install,
 * file_write, a sync's download) or .attach-PID (document.c), or 0 if
 * name is not one.
 */
static pid_t
file_tmp_pid(const char *name)
{
	const char	*p;
	long		 pid;
	char		*end;

	if (strncmp(name, ".attach-", 8) == 0)
		p = name + 8;
	else if ((p = strstr(name, ".tmp-")) != NULL)
		p += 5;
	else
		return 0;
	if (!isdigit((unsigned char)*p))
		return 0;
	errno = 0;
	pid = strtol(p, &end, 10);
	if (*end != '\0' || errno != 0 || pid <= 0 || (pid_t)pid != pid)
		return 0;
	return (pid_t)pid;
}

int
file_sweep(const char *dir, int all)
{
	static const char *const subs[] = { "documents", "templates" };
	DIR		*d;
	struct dirent	*e;
	char		*sub, *path;
	pid_t		 pid;
	size_t		 i;
	int		 n = 0;

	for (i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		xasprintf(&sub, "%s/%s", dir, subs[i]);
		if ((d = opendir(sub)) == NULL) {
			free(sub);
			continue;
		}
		while ((e = readdir(d)) != NULL) {
			if ((pid = file_tmp_pid(e->d_name)) == 0)
				continue;
			/*
			 * A live process's copy is under way: a PID that
			 * was reused keeps its file until the next time.
			 */
			if (!all && (pid == getpid() || kill(pid, 0) == 0 ||
			    errno != ESRCH))
				continue;
			xasprintf(&path, "%s/%s", sub, e->d_name);
			if (unlink(path) == 0)
				n++;
			free(path);
		}
		closedir(d);
		free(sub);
	}
	return n;
}
