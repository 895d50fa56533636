/*
 * sync-job: one whole sync, from the local's configuration to the end of
 * the conversation, for `crm sync` and the sync screen alike; and the two
 * short conversations that only log in (crm init --local, the check of a
 * new master location). include/sync.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "error.h"
#include "model.h"
#include "store.h"
#include "sync.h"
#include "user.h"
#include "xmalloc.h"

int
sync_job_open(struct sync_job *j)
{
	j->master_dir = xstrdup(cfg_string("db.master"));
	if (*j->master_dir == '\0') {
		error_set("%s has no master (db.master is empty): set it with "
		    "crm config set db.master LOCATION", j->dir);
		return -1;
	}
	if (sync_where_parse(j->master_dir, &j->where) != 0)
		return -1;
	if (j->where.dir != NULL && sync_master_reach(j->where.dir) != 0)
		return SYNC_JOB_UNREACHABLE;
	return 0;
}

static void
sync_job_busy(void *arg, const char *holder)
{
	struct sync_job	*j = arg;

	free(j->holder);
	j->holder = xstrdup(holder);
	if (j->busy != NULL && j->wait_seconds > 0)
		j->busy(j->arg, holder);
}

static int
sync_job_gate(void *arg)
{
	struct sync_job	*j = arg;

	return j->gate(j->arg);
}

static void
sync_job_progress(void *arg, const struct sync_progress *p)
{
	struct sync_job	*j = arg;

	if (j->progress != NULL)
		j->progress(j->arg, p);
}

static void
sync_job_report(void *arg, int type, const struct record_id *id,
    const char *what)
{
	struct sync_job	*j = arg;

	if (j->report != NULL)
		j->report(j->arg, type, id, what);
}

int
sync_job_run(struct sync_job *j)
{
	struct sync_local_conf	 conf;
	struct sync_local	*sl;
	char			*saved;
	int			 ret, code = 0;

	memset(&conf, 0, sizeof conf);
	conf.local = j->local;
	conf.dir = j->dir;
	conf.login = j->login;
	conf.password = j->password;
	conf.mode = j->verify ? SYNC_MODE_VERIFY : j->dry_run ?
	    SYNC_MODE_DRY : SYNC_MODE_SYNC;
	conf.wait_seconds = j->wait_seconds;
	conf.progress = j->progress != NULL ? sync_job_progress : NULL;
	conf.report = sync_job_report;
	conf.busy = sync_job_busy;
	conf.gate = j->gate != NULL ? sync_job_gate : NULL;
	conf.arg = j;
	sl = sync_local_new(&conf);
	ret = sync_link_run(&j->where, sl, &j->stats, &code);
	/* The report, whatever happened; the error stays what it was. */
	saved = xstrdup(error_get());
	sync_local_result(sl, &j->rep, NULL);
	error_set("%s", saved);
	free(saved);
	j->diffs = sync_local_diffs(sl);
	if (sync_local_loaded(sl)) {
		/* The load replaces the local's files once it is closed. */
		j->loaded = 1;
		store_close(j->local);
		j->local = NULL;
	}
	if (ret != 0) {
		saved = xstrdup(error_get());
		sync_local_free(sl);
		error_set("%s", saved);
		free(saved);
		if (code == SYNC_E_BUSY)
			return SYNC_JOB_BUSY;
		if (code == SYNC_E_UNREACHABLE)
			return SYNC_JOB_UNREACHABLE;
		return -1;
	}
	sync_local_free(sl);
	if (j->loaded && store_load_switch(j->dir, j->wait_seconds) != 0)
		return -1;
	return 0;
}

void
sync_job_close(struct sync_job *j)
{
	free(j->master_dir);
	j->master_dir = NULL;
	free(j->holder);
	j->holder = NULL;
	sync_where_free(&j->where);
}

/* A conversation that only logs in: INIT or CHECK. */
static int
sync_login_only(struct store *local, const char *where, const char *login,
    const char *password, int wait, enum sync_mode mode,
    struct sync_hello *h)
{
	struct sync_local_conf	 conf;
	struct sync_local	*sl;
	struct sync_where	 w;
	struct sync_stats	 st;
	int			 ret, code;

	if (sync_where_parse(where, &w) != 0)
		return -1;
	if (w.dir != NULL && sync_master_reach(w.dir) != 0) {
		sync_where_free(&w);
		return -1;
	}
	memset(&conf, 0, sizeof conf);
	conf.local = local;
	conf.login = login;
	conf.password = password;
	conf.mode = mode;
	conf.wait_seconds = wait;
	sl = sync_local_new(&conf);
	ret = sync_link_run(&w, sl, &st, &code);
	if (ret == 0 && h != NULL) {
		memset(h, 0, sizeof *h);
		h->master_id = xstrdup(sync_local_master_id(sl));
		h->master_name = xstrdup(sync_local_master_name(sl));
		h->user = record_dup(sync_local_user(sl));
	}
	sync_local_free(sl);
	sync_where_free(&w);
	return ret;
}

int
sync_hello(const char *where, const char *login, const char *password,
    int wait, struct sync_hello *h)
{
	return sync_login_only(NULL, where, login, password, wait,
	    SYNC_MODE_INIT, h);
}

void
sync_hello_free(struct sync_hello *h)
{
	free(h->master_id);
	free(h->master_name);
	record_free(h->user);
	memset(h, 0, sizeof *h);
}

int
sync_check(struct store *local, const char *where, const char *login,
    const char *password, int wait)
{
	return sync_login_only(local, where, login, password, wait,
	    SYNC_MODE_CHECK, NULL);
}
