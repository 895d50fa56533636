/*
 * test-settings: changing a database's settings as `crm config set` and
 * the settings screen do (settings_set), and finding a local's master
 * (sync_master_open, RULES.md S2): who may, which keys, and a wrong
 * master location refused with crm.conf left as it was.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "error.h"
#include "model.h"
#include "session.h"
#include "settings.h"
#include "store.h"
#include "sync.h"
#include "unit.h"
#include "user.h"
#include "xmalloc.h"

static struct user	 root, anna;

static void
users(void)
{
	unit_user(&root, "root", "ROOT1", "Root", USER_ADMIN, 0, 0);
	unit_user(&anna, "anna", "ANNA1", "Anna", USER_USER, 0, 0);
}

static void
users_clear(void)
{
	user_clear(&root);
	user_clear(&anna);
}

/* A master in the scratch directory; its path (free it). */
static char *
master(const char *name)
{
	char	*dir = xstrdup(unit_path(name));

	CU_ASSERT_FATAL(session_create_master(dir, name, "root", "ROOT1",
	    "Root", "password", NULL) == 0);
	return dir;
}

/* A local bound to the master m, opened. */
static struct store *
local(const char *name, const char *m)
{
	struct store_txn	*t;
	struct store		*st;
	char			*dir = xstrdup(unit_path(name)), *id;

	CU_ASSERT_FATAL(model_create(dir, STORE_LOCAL) == 0);
	CU_ASSERT_FATAL(cfg_set(dir, "db.role", "local") == 0);
	CU_ASSERT_FATAL(cfg_set(dir, "db.master", m) == 0);
	CU_ASSERT_FATAL(cfg_peek(m, "db.id", &id) == 1);
	st = model_open(dir, STORE_LOCAL, 0, 0);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT_FATAL(store_meta_put(t, "master_id", id, strlen(id)) == 0);
	CU_ASSERT_FATAL(store_commit(t) == 0);
	free(id);
	free(dir);
	return st;
}

/* DIR/crm.conf's value of key; free it. */
static char *
value(const char *dir, const char *key)
{
	char	*v;

	CU_ASSERT_FATAL(cfg_peek(dir, key, &v) != -1);
	return v;
}

static void
test_settings_master_by_admin(void)
{
	char		*m, *v;
	struct stat	 sb;
	char		 path[4096];

	users();
	m = master("m");
	CU_ASSERT(settings_set(m, NULL, STORE_MASTER, &root, NULL,
	    "sync.update_window_days", "30", 0) == 0);
	CU_ASSERT(settings_set(m, NULL, STORE_MASTER, &root, NULL,
	    "sync.granularity", "record", 0) == 0);
	v = value(m, "sync.update_window_days");
	CU_ASSERT_STRING_EQUAL(v, "30");
	free(v);
	v = value(m, "sync.granularity");
	CU_ASSERT_STRING_EQUAL(v, "record");
	free(v);
	/* What init wrote is kept, and the file is the owner's alone. */
	v = value(m, "db.role");
	CU_ASSERT_STRING_EQUAL(v, "master");
	free(v);
	snprintf(path, sizeof path, "%s/crm.conf", m);
	CU_ASSERT(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	free(m);
	users_clear();
}

static void
test_settings_master_refusals(void)
{
	char	*m, *before, *after, path[4096];

	users();
	m = master("m");
	snprintf(path, sizeof path, "%s/crm.conf", m);
	before = unit_slurp(path);
	CU_ASSERT(settings_set(m, NULL, STORE_MASTER, &anna, NULL,
	    "sync.update_window_days", "5", 0) == -1);
	CU_ASSERT(unit_error_has("only an administrator may change the "
	    "master's settings; anna is a user"));
	CU_ASSERT(settings_set(m, NULL, STORE_MASTER, &root, NULL,
	    "sync.update_window_days", "-1", 0) == -1);
	CU_ASSERT(unit_error_has("sync.update_window_days must be"));
	CU_ASSERT(settings_set(m, NULL, STORE_MASTER, &root, NULL,
	    "sync.granularity", "bytes", 0) == -1);
	CU_ASSERT(settings_set(m, NULL, STORE_MASTER, &root, NULL, "db.role",
	    "local", 0) == -1);
	CU_ASSERT(unit_error_has("set by crm init"));
	CU_ASSERT(settings_set(m, NULL, STORE_MASTER, &root, NULL, "db.master",
	    m, 0) == -1);
	CU_ASSERT(unit_error_has("is a master"));
	CU_ASSERT(settings_set(m, NULL, STORE_MASTER, &root, NULL, "no.such",
	    "1", 0) == -1);
	CU_ASSERT(unit_error_has("is not a setting"));
	after = unit_slurp(path);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
	free(m);
	users_clear();
}

static void
test_settings_S2_master_open(void)
{
	struct store	*l;
	char		*m, *o;

	m = master("m");
	o = master("o");
	l = local("l", m);
	CU_ASSERT(sync_check(l, m, "root", "password", 0) == 0);
	/* The master checks the password (RULES.md T1). */
	CU_ASSERT(sync_check(l, m, "root", "wrong", 0) == -1);
	CU_ASSERT(unit_error_has("wrong login or password"));
	CU_ASSERT(sync_check(l, m, "nobody", "password", 0) == -1);
	CU_ASSERT(unit_error_has("wrong login or password"));
	CU_ASSERT(sync_check(l, unit_path("nowhere"), "root", "password",
	    0) == -1);
	CU_ASSERT(unit_error_has("cannot reach the master"));
	/* An empty directory: a share's mount point, nothing mounted. */
	CU_ASSERT(mkdir(unit_path("empty"), 0700) == 0);
	CU_ASSERT(sync_check(l, unit_path("empty"), "root", "password",
	    0) == -1);
	CU_ASSERT(unit_error_has("cannot reach the master"));
	CU_ASSERT(unit_error_has("the directory is empty"));
	unit_put(unit_path("empty/notes.txt"), "not a database\n");
	CU_ASSERT(sync_check(l, unit_path("empty"), "root", "password",
	    0) == -1);
	CU_ASSERT(unit_error_has("is not a master database (it has no "
	    "crm.conf)"));
	CU_ASSERT(sync_check(l, unit_path("l"), "root", "password", 0) == -1);
	CU_ASSERT(unit_error_has("is not a master database (local)"));
	CU_ASSERT(sync_check(l, o, "root", "password", 0) == -1);
	CU_ASSERT(unit_error_has("is not the master"));
	CU_ASSERT(store_close(l) == 0);
	free(m);
	free(o);
}

static void
test_settings_local_master(void)
{
	struct store	*l;
	char		*m, *o, *v, *ldir, *link, *before, *after, path[4096];

	users();
	m = master("m");
	o = master("o");
	l = local("l", m);
	ldir = xstrdup(unit_path("l"));
	snprintf(path, sizeof path, "%s/crm.conf", ldir);
	before = unit_slurp(path);
	/* Wrong places: refused, crm.conf as it was. */
	CU_ASSERT(settings_set(ldir, l, STORE_LOCAL, &root, "password",
	    "db.master", o, 0) == -1);
	CU_ASSERT(unit_error_has(o));
	CU_ASSERT(settings_set(ldir, l, STORE_LOCAL, &root, "password",
	    "db.master", unit_path("nowhere"), 0) == -1);
	CU_ASSERT(unit_error_has("nowhere"));
	CU_ASSERT(settings_set(ldir, l, STORE_LOCAL, &root, "password",
	    "db.master", "", 0) == -1);
	CU_ASSERT(unit_error_has("give the master's location"));
	/* The right master, but a wrong password: the master says no. */
	CU_ASSERT(settings_set(ldir, l, STORE_LOCAL, &root, "wrong",
	    "db.master", m, 0) == -1);
	CU_ASSERT(unit_error_has("wrong login or password"));
	/* A local follows its master's sync settings... */
	CU_ASSERT(settings_set(ldir, l, STORE_LOCAL, &anna, "password",
	    "sync.granularity", "record", 0) == -1);
	CU_ASSERT(unit_error_has("change it on the master"));
	after = unit_slurp(path);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(after);
	/* ...but how it reaches the master is its own. */
	CU_ASSERT(settings_set(ldir, l, STORE_LOCAL, &anna, "password",
	    "sync.ssh_command", "ssh -C", 0) == 0);
	v = value(ldir, "sync.ssh_command");
	CU_ASSERT_STRING_EQUAL(v, "ssh -C");
	free(v);
	/* The same master by another path: stored resolved. */
	link = xstrdup(unit_path("link"));
	CU_ASSERT_FATAL(symlink(m, link) == 0);
	CU_ASSERT(settings_set(ldir, l, STORE_LOCAL, &root, "password",
	    "db.master", link, 0) == 0);
	v = value(ldir, "db.master");
	CU_ASSERT_STRING_EQUAL(v, m);
	free(v);
	CU_ASSERT(store_close(l) == 0);
	free(before);
	free(link);
	free(ldir);
	free(m);
	free(o);
	users_clear();
}

static void
test_settings_path(void)
{
	char	*p, *home = getenv("HOME") != NULL ? strdup(getenv("HOME")) :
		    NULL;

	CU_ASSERT(mkdir(unit_path("h"), 0700) == 0);
	setenv("HOME", unit_path("h"), 1);
	p = settings_path("~/x");
	CU_ASSERT(strcmp(p + strlen(p) - 4, "/h/x") == 0);
	CU_ASSERT(*p == '/');
	free(p);
	p = settings_path("rel/dir");
	CU_ASSERT(*p == '/');
	CU_ASSERT(strcmp(p + strlen(p) - 8, "/rel/dir") == 0);
	free(p);
	p = settings_path("/a/b");
	CU_ASSERT_STRING_EQUAL(p, "/a/b");
	free(p);
	if (home != NULL)
		setenv("HOME", home, 1);
	else
		unsetenv("HOME");
	free(home);
}

static const struct unit_test tests[] = {
	{ "a master's settings, by its administrator",
	    test_settings_master_by_admin },
	{ "a master's settings: refusals leave crm.conf",
	    test_settings_master_refusals },
	{ "S2 the master a local is bound to", test_settings_S2_master_open },
	{ "a local's master location, checked",
	    test_settings_local_master },
	{ "paths as typed", test_settings_path },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("settings", tests);
}
