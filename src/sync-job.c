/*
 * sync-job: one whole sync, from the local's configuration to the master
 * let go, for `crm sync` and the sync screen alike (include/sync.h).
 */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "error.h"
#include "model.h"
#include "store.h"
#include "sync.h"
#include "user.h"
#include "xmalloc.h"

int
sync_master_reach(const char *mdir)
{
	DIR		*d;
	struct dirent	*e;
	int		 empty = 1;

	if (access(mdir, F_OK) != 0) {
		error_set("cannot reach the master %s: check that it is mounted "
		    "(or that you are on the office network) and that the path "
		    "is right; nothing was changed", mdir);
		return -1;
	}
	/* A share that is not mounted leaves its mount point, empty. */
	if ((d = opendir(mdir)) == NULL)
		return 0;	/* what is wrong is said when it is opened */
	while (empty && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	}
	closedir(d);
	if (empty) {
		error_set("cannot reach the master %s: the directory is empty, "
		    "as a share that is not mounted is; mount it (or connect "
		    "to the office network) and try again; nothing was "
		    "changed", mdir);
		return -1;
	}
	return 0;
}

int
sync_job_open(struct sync_job *j)
{
	struct store_txn	*t;
	struct user		*mu;
	int			 ret;

	j->master_dir = xstrdup(cfg_string("db.master"));
	/* The master's own settings decide the policy. */
	if (sync_master_reach(j->master_dir) != 0)
		return SYNC_JOB_UNREACHABLE;
	if (cfg_load(j->master_dir) != 0) {
		error_prefix("the master's settings: ");
		return -1;
	}
	if (strcmp(cfg_string("db.role"), "master") != 0) {
		error_set("%s is not a master database: nothing was changed",
		    j->master_dir);
		return -1;
	}
	j->master = model_open(j->master_dir, STORE_MASTER, 0,
	    j->wait_seconds);
	if (j->master == NULL) {
		if ((j->holder = store_lock_holder(j->master_dir)) != NULL)
			return SYNC_JOB_BUSY;
		return -1;
	}
	if (sync_check_master(j->local, j->master) != 0)
		return -1;
	/* Rights and scope come from the master's record of the user. */
	if (store_begin(j->master, &t) != 0)
		return -1;
	mu = xcalloc(1, sizeof *mu);
	ret = user_find_login(t, j->login, mu);
	store_abort(t);
	if (ret != 0) {
		free(mu);
		if (ret == STORE_NOTFOUND)
			error_set("the master has no user %s any more: ask an "
			    "administrator", j->login);
		return -1;
	}
	memset(&j->pol, 0, sizeof j->pol);
	j->pol.user = mu;
	j->pol.window_days = (int)cfg_int("sync.update_window_days");
	j->pol.record_level = strcmp(cfg_string("sync.granularity"),
	    "record") == 0;
	j->pol.tolerance_ms = 5 * 60 * 1000;
	j->pol.dry_run = j->dry_run;
	j->pol.progress = j->progress;
	j->pol.arg = j->arg;
	return 0;
}

int
sync_job_run(struct sync_job *j)
{
	int	ret;

	/* A first sync loads in bulk; any other runs the comparison pass. */
	ret = sync_load(j->local, j->master, &j->pol, &j->rep);
	if (ret == SYNC_ORDINARY)
		ret = sync_run(j->local, j->master, &j->pol, &j->rep);
	else if (ret == 0) {
		/* The load replaces the local's files once it is closed. */
		store_close(j->local);
		j->local = NULL;
		j->loaded = 1;
	}
	if (ret != 0)
		return -1;
	ret = store_close(j->master);
	j->master = NULL;
	if (ret != 0)
		return -1;
	if (j->loaded && sync_load_switch(j->dir, j->wait_seconds) != 0)
		return -1;
	return 0;
}

void
sync_job_close(struct sync_job *j)
{
	struct user	*mu = (struct user *)j->pol.user;
	char		*saved;

	/* Whatever went wrong is what the caller says, not what follows. */
	saved = xstrdup(error_get());
	store_close(j->master);
	j->master = NULL;
	if (mu != NULL) {
		user_clear(mu);
		free(mu);
		j->pol.user = NULL;
	}
	/* The master's settings were loaded: the local's come back. */
	cfg_load(j->dir);
	error_set("%s", saved);
	free(saved);
	free(j->master_dir);
	j->master_dir = NULL;
	free(j->holder);
	j->holder = NULL;
}
