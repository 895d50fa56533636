/*
 * store-verify: reading a database's log and files for damage (crm
 * verify), and naming a damaged log when recovery fails (store.c).
 */
#include "config.h"

#include <sys/file.h>

#include <db.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "record.h"
#include "store.h"
#include "xmalloc.h"

/* The B-trees of a record file but its words index (store.c's names). */
static const char *const store_verify_trees_names[] = {
	"records", "name", "ref", "owner", "seq", "outbox"
};

/* Berkeley DB's first diagnostic since it was cleared: what went wrong. */
static char	store_verify_msg[512];

static void
store_verify_errcall(const DB_ENV *env, const char *prefix, const char *msg)
{
	(void)env;
	(void)prefix;
	if (store_verify_msg[0] == '\0')
		snprintf(store_verify_msg, sizeof store_verify_msg, "%s", msg);
}

int
store_log_check(const char *dir)
{
	DB_ENV		*env;
	DB_LOGC		*logc = NULL;
	DB_LSN		 lsn, last;
	DBT		 data;
	unsigned int	 file, offset;
	const char	*p, *key;
	int		 ret;

	if ((ret = db_env_create(&env, 0)) != 0) {
		error_set("cannot read the log of %s: %s", dir,
		    db_strerror(ret));
		return -1;
	}
	env->set_errcall(env, store_verify_errcall);
	/* An encrypted local's log reads with its key only. */
	if ((key = store_key_of(dir)) != NULL &&
	    (ret = env->set_encrypt(env, key, DB_ENCRYPT_AES)) != 0) {
		env->close(env, 0);
		error_set("cannot read the log of %s: %s", dir,
		    db_strerror(ret));
		return -1;
	}
	store_verify_msg[0] = '\0';
	memset(&last, 0, sizeof last);
	/* Its own private environment: it reads the log, and writes nothing. */
	ret = env->open(env, dir, DB_CREATE | DB_INIT_LOG | DB_INIT_MPOOL |
	    DB_PRIVATE, 0600);
	if (ret == 0)
		ret = env->log_cursor(env, &logc, 0);
	memset(&data, 0, sizeof data);
	while (ret == 0 && (ret = logc->get(logc, &lsn, &data, DB_NEXT)) == 0)
		last = lsn;
	if (logc != NULL)
		logc->close(logc, 0);
	env->close(env, 0);
	if (ret == DB_NOTFOUND)
		return 0;
	/* "log record LSN 3/995067: checksum mismatch", or the record after. */
	if ((p = strstr(store_verify_msg, "LSN ")) != NULL &&
	    sscanf(p, "LSN %u/%u", &file, &offset) == 2) {
		error_set("%s/log.%010u is damaged (its record at byte %u %s)",
		    dir, file, offset, strstr(p, "checksum") != NULL ?
		    "does not match its checksum" : "cannot be read");
		return 1;
	}
	if (last.file != 0) {
		error_set("%s/log.%010u is damaged (after its record at byte "
		    "%u: %s)", dir, last.file, last.offset, db_strerror(ret));
		return 1;
	}
	error_set("the log of %s is damaged (%s)", dir, db_strerror(ret));
	return -1;
}

/*
 * Whether a record file holds the B-trees crm opens in it: a well-formed
 * file whose list of them was written over passes DB->verify. The words
 * index is left out: a file made before it gains it when next opened.
 */
static int
store_verify_trees(const char *path, const char *key)
{
	DB	*db;
	size_t	 i;
	int	 ret;

	for (i = 0; i < sizeof store_verify_trees_names /
	    sizeof store_verify_trees_names[0]; i++) {
		if ((ret = db_create(&db, NULL, 0)) != 0)
			return ret;
		db->set_errcall(db, store_verify_errcall);
		if (key != NULL &&
		    (ret = db->set_encrypt(db, key, DB_ENCRYPT_AES)) != 0) {
			db->close(db, 0);
			return ret;
		}
		ret = db->open(db, NULL, path, store_verify_trees_names[i],
		    DB_BTREE, DB_RDONLY, 0);
		db->close(db, 0);
		if (ret == ENOENT)
			return DB_VERIFY_BAD;
		if (ret != 0)
			return ret;
	}
	return 0;
}

static int
store_verify_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
store_verify(const char *dir, enum store_role role, int wait_seconds,
    void (*report)(const char *, void *), void *arg)
{
	DIR		*d;
	struct dirent	*e;
	DB		*db;
	char		*path, **names = NULL;
	const char	*key = store_key_of(dir);
	size_t		 n = 0, i, len;
	int		 fd, ret, damaged = 0;

	/* No crm writes while the files are read. */
	if (role == STORE_MASTER) {
		if ((fd = store_lock(dir, wait_seconds)) == -1)
			return -1;
	} else {
		xasprintf(&path, "%s/open.lock", dir);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		free(path);
		if (fd == -1 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
			error_set("%s is open in another crm: close it and run "
			    "crm verify again", dir);
			if (fd != -1)
				close(fd);
			return -1;
		}
	}
	if (store_log_check(dir) != 0) {
		report(error_get(), arg);
		damaged++;
	}
	if ((d = opendir(dir)) == NULL) {
		error_set("cannot read %s: %s", dir, strerror(errno));
		damaged = -1;
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 3, ".db") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, store_verify_cmp);
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", dir, names[i]);
		store_verify_msg[0] = '\0';
		if ((ret = db_create(&db, NULL, 0)) == 0) {
			db->set_errcall(db, store_verify_errcall);
			if (key != NULL)
				ret = db->set_encrypt(db, key, DB_ENCRYPT_AES);
			/* DB->verify closes the handle, whatever it finds. */
			if (ret == 0)
				ret = db->verify(db, path, NULL, NULL, 0);
			else
				db->close(db, 0);
		}
		if (ret != 0) {
			error_set("%s is damaged (%s)", path,
			    store_verify_msg[0] != '\0' ? store_verify_msg :
			    db_strerror(ret));
			report(error_get(), arg);
			damaged++;
		} else if (strcmp(names[i], "meta.db") != 0 &&
		    (ret = store_verify_trees(path, key)) != 0) {
			error_set("%s is damaged (%s)", path,
			    ret == DB_VERIFY_BAD ? "the list of the B-trees "
			    "it holds is damaged" : db_strerror(ret));
			report(error_get(), arg);
			damaged++;
		}
		free(path);
		free(names[i]);
	}
	free(names);
out:
	if (role == STORE_MASTER)
		store_unlock(fd);
	else
		close(fd);
	return damaged;
}
