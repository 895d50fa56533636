/*
 * store-load: loading a local in bulk, and crm encrypt's copy of one.
 *
 * A first sync fills an empty local the way db_load does: no log, no
 * locks, no transactions (store_load_begin, below), its index entries
 * gathered and sorted (store-defer.c), into a fresh database in DIR/load/
 * that store-switch.c puts in the local's place once it is marked
 * complete. crm encrypt copies a plain local into an encrypted one in
 * DIR/encrypt/ the same way (include/store.h). Both open and close a
 * store of their own: this file is above store.c.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "store.h"
#include "store-int.h"
#include "xmalloc.h"

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
