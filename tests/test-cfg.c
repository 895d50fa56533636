/* test-cfg: the three configuration levels, their errors and cfg_set. */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "cfg.h"
#include "error.h"
#include "unit.h"
#include "xmalloc.h"

/* Where the three files of a test live, inside its scratch directory. */
static char	*t_sys, *t_xdg, *t_user, *t_db, *t_conf, *t_tmp;

static void
t_path(char **path, const char *fmt, const char *arg)
{
	free(*path);
	xasprintf(path, fmt, arg);
}

/*
 * Point every level at the scratch directory so the real system and the
 * real home are never read; each file starts missing.
 */
static void
t_setup(void)
{
	char	*path = NULL;

	t_path(&t_sys, "%s", unit_path("sys.conf"));
	t_path(&t_xdg, "%s", unit_path("xdg"));
	t_path(&t_user, "%s/crm/crm.conf", t_xdg);
	t_path(&t_db, "%s", unit_path("db"));
	t_path(&t_conf, "%s/crm.conf", t_db);
	t_path(&t_tmp, "%s/crm.conf.tmp", t_db);
	setenv("CRM_SYSCONF", t_sys, 1);
	setenv("XDG_CONFIG_HOME", t_xdg, 1);
	setenv("HOME", unit_path("home"), 1);
	mkdir(t_xdg, 0700);
	t_path(&path, "%s/crm", t_xdg);
	mkdir(path, 0700);
	free(path);
	mkdir(t_db, 0700);
	cfg_free();
	error_clear();
}

/* Whether the error contains "PATH:LINE:" and the text. */
static int
t_error_has(const char *path, int line, const char *text)
{
	char	where[4200];

	snprintf(where, sizeof where, "%s:%d: ", path, line);
	if (strstr(error_get(), where) == NULL)
		return 0;
	return text == NULL || strstr(error_get(), text) != NULL;
}

/* The file in the source tree: conf/crm.conf or doc/crm.conf.5. */
static const char *
t_source(const char *name)
{
	static char	 path[4096];
	const char	*dir;

	if ((dir = getenv("TESTS_SRCDIR")) == NULL)
		dir = "tests";
	snprintf(path, sizeof path, "%s/../%s", dir, name);
	return path;
}

static void
test_defaults(void)
{
	const struct cfg_def	*def;
	char			*text;

	t_setup();
	CU_ASSERT_EQUAL(cfg_load(t_db), 0);
	CU_ASSERT_STRING_EQUAL(cfg_string("db.role"), "");
	CU_ASSERT_STRING_EQUAL(cfg_string("sync.granularity"), "field");
	CU_ASSERT_EQUAL(cfg_int("sync.update_window_days"), 0);
	CU_ASSERT_EQUAL(cfg_int("master.wait_seconds"), 30);
	CU_ASSERT_EQUAL(cfg_int("store.cache_mb"), 16);
	CU_ASSERT_STRING_EQUAL(cfg_string("general.default_database"), "");
	CU_ASSERT_TRUE(cfg_bool("ui.color"));
	for (def = cfg_table; def->key != NULL; def++) {
		text = cfg_text(def->key);
		CU_ASSERT_STRING_EQUAL(text, def->def);
		free(text);
		CU_ASSERT_PTR_EQUAL(cfg_find(def->key), def);
		CU_ASSERT_PTR_NOT_NULL(def->help);
	}
	CU_ASSERT_PTR_NULL(cfg_find("sync.foo"));
	CU_ASSERT_PTR_NULL(cfg_find("sync"));
	CU_ASSERT_PTR_NULL(cfg_find(""));

	/* Without any load at all, the defaults too. */
	cfg_free();
	CU_ASSERT_EQUAL(cfg_int("store.cache_mb"), 16);
}

static void
test_paths(void)
{
	char	*path;

	t_setup();
	CU_ASSERT_STRING_EQUAL(cfg_system_path(), t_sys);
	path = cfg_user_path();
	CU_ASSERT_STRING_EQUAL(path, t_user);
	free(path);

	/* No XDG_CONFIG_HOME, or a relative one: ~/.config. */
	unsetenv("XDG_CONFIG_HOME");
	path = cfg_user_path();
	CU_ASSERT_STRING_EQUAL(path, unit_path("home/.config/crm/crm.conf"));
	free(path);
	setenv("XDG_CONFIG_HOME", "relative", 1);
	path = cfg_user_path();
	CU_ASSERT_STRING_EQUAL(path, unit_path("home/.config/crm/crm.conf"));
	free(path);

	unsetenv("CRM_SYSCONF");
	CU_ASSERT_STRING_EQUAL(cfg_system_path() +
	    strlen(cfg_system_path()) - strlen("/crm.conf"), "/crm.conf");
	CU_ASSERT_NOT_EQUAL(strcmp(cfg_system_path(), t_sys), 0);
}

static void
test_levels(void)
{
	t_setup();
	unit_put(t_sys,
	    "master = { wait_seconds = 5; };\n"
	    "store = { cache_mb = 8; };\n"
	    "ui = { color = false; };\n"
	    "general = { default_database = \"/srv/sys\"; };\n");
	CU_ASSERT_EQUAL_FATAL(cfg_load(NULL), 0);
	CU_ASSERT_EQUAL(cfg_int("master.wait_seconds"), 5);
	CU_ASSERT_EQUAL(cfg_int("store.cache_mb"), 8);
	CU_ASSERT_FALSE(cfg_bool("ui.color"));
	CU_ASSERT_STRING_EQUAL(cfg_string("general.default_database"),
	    "/srv/sys");

	/* The user's file overrides the system's, key by key. */
	unit_put(t_user,
	    "master = { wait_seconds = 10; };\n"
	    "ui = { color = true; };\n");
	CU_ASSERT_EQUAL_FATAL(cfg_load(NULL), 0);
	CU_ASSERT_EQUAL(cfg_int("master.wait_seconds"), 10);
	CU_ASSERT_EQUAL(cfg_int("store.cache_mb"), 8);
	CU_ASSERT_TRUE(cfg_bool("ui.color"));
	CU_ASSERT_STRING_EQUAL(cfg_string("general.default_database"),
	    "/srv/sys");

	/* The database's file overrides both, but only with a dbdir. */
	unit_put(t_conf,
	    "db = { role = \"master\"; name = \"Office\"; };\n"
	    "master = { wait_seconds = 20; };\n"
	    "sync = { update_window_days = 14; granularity = \"record\"; };\n");
	CU_ASSERT_EQUAL_FATAL(cfg_load(t_db), 0);
	CU_ASSERT_EQUAL(cfg_int("master.wait_seconds"), 20);
	CU_ASSERT_EQUAL(cfg_int("store.cache_mb"), 8);
	CU_ASSERT_STRING_EQUAL(cfg_string("db.role"), "master");
	CU_ASSERT_STRING_EQUAL(cfg_string("db.name"), "Office");
	CU_ASSERT_EQUAL(cfg_int("sync.update_window_days"), 14);
	CU_ASSERT_STRING_EQUAL(cfg_string("sync.granularity"), "record");

	/* Loading again without the database forgets its values. */
	CU_ASSERT_EQUAL_FATAL(cfg_load(NULL), 0);
	CU_ASSERT_EQUAL(cfg_int("master.wait_seconds"), 10);
	CU_ASSERT_STRING_EQUAL(cfg_string("db.role"), "");
	CU_ASSERT_STRING_EQUAL(cfg_string("sync.granularity"), "field");
}

static void
test_home_fallback(void)
{
	char	path[4096];

	t_setup();
	unsetenv("XDG_CONFIG_HOME");
	mkdir(unit_path("home"), 0700);
	mkdir(unit_path("home/.config"), 0700);
	mkdir(unit_path("home/.config/crm"), 0700);
	snprintf(path, sizeof path, "%s",
	    unit_path("home/.config/crm/crm.conf"));
	unit_put(path, "store = { cache_mb = 64; };\n");
	CU_ASSERT_EQUAL_FATAL(cfg_load(NULL), 0);
	CU_ASSERT_EQUAL(cfg_int("store.cache_mb"), 64);
}

static void
test_malformed(void)
{
	t_setup();
	unit_put(t_conf,
	    "# a comment\n"
	    "sync = {\n"
	    "  granularity \"record\";\n"
	    "};\n");
	CU_ASSERT_EQUAL(cfg_load(t_db), -1);
	CU_ASSERT_TRUE(t_error_has(t_conf, 3, "syntax error"));

	/* A missing value, further down a system file. */
	t_setup();
	unit_put(t_sys,
	    "ui = { color = true; };\n"
	    "\n"
	    "\n"
	    "\n"
	    "general = { default_database = ; };\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), -1);
	CU_ASSERT_TRUE(t_error_has(t_sys, 5, NULL));
}

static void
test_failed_load_keeps_values(void)
{
	t_setup();
	unit_put(t_user, "store = { cache_mb = 32; };\n");
	CU_ASSERT_EQUAL_FATAL(cfg_load(NULL), 0);
	CU_ASSERT_EQUAL(cfg_int("store.cache_mb"), 32);
	unit_put(t_user, "store = { cache_mb = 64; };\nbogus = 1;\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), -1);
	CU_ASSERT_EQUAL(cfg_int("store.cache_mb"), 32);
}

static void
test_unknown_key(void)
{
	t_setup();
	unit_put(t_conf,
	    "db = { role = \"local\"; };\n"
	    "sync = {\n"
	    "  granularity = \"field\";\n"
	    "  foo = 1;\n"
	    "};\n"
	    "colour = true;\n");
	CU_ASSERT_EQUAL(cfg_load(t_db), -1);
	CU_ASSERT_TRUE(t_error_has(t_conf, 4, "unknown setting sync.foo"));
	CU_ASSERT_TRUE(t_error_has(t_conf, 6, "unknown setting colour"));
	CU_ASSERT_PTR_NOT_NULL(strchr(error_get(), '\n'));

	/* A known group given as a value. */
	t_setup();
	unit_put(t_user, "\nui = true;\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), -1);
	CU_ASSERT_TRUE(t_error_has(t_user, 2, "ui must be a group"));
}

static void
test_wrong_type(void)
{
	t_setup();
	unit_put(t_conf,
	    "sync = {\n"
	    "  update_window_days = \"7\";\n"
	    "};\n");
	CU_ASSERT_EQUAL(cfg_load(t_db), -1);
	CU_ASSERT_TRUE(t_error_has(t_conf, 2,
	    "sync.update_window_days must be a whole number"));
	CU_ASSERT_PTR_NOT_NULL(strstr(error_get(), "not a string"));

	t_setup();
	unit_put(t_user, "ui = { color = 1; };\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), -1);
	CU_ASSERT_TRUE(t_error_has(t_user, 1,
	    "ui.color must be true or false"));

	t_setup();
	unit_put(t_user, "store = { cache_mb = 1.5; };\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), -1);
	CU_ASSERT_TRUE(t_error_has(t_user, 1, "store.cache_mb"));

	t_setup();
	unit_put(t_user, "general = { default_database = [\"a\", \"b\"]; };\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), -1);
	CU_ASSERT_TRUE(t_error_has(t_user, 1, "general.default_database"));
}

static void
test_out_of_range(void)
{
	t_setup();
	unit_put(t_conf,
	    "sync = {\n"
	    "  update_window_days = -1;\n"
	    "  granularity = \"sometimes\";\n"
	    "};\n"
	    "store = { cache_mb = 0; };\n"
	    "master = { wait_seconds = 5000000000L; };\n"
	    "db = { role = \"slave\"; };\n");
	CU_ASSERT_EQUAL(cfg_load(t_db), -1);
	CU_ASSERT_TRUE(t_error_has(t_conf, 2,
	    "sync.update_window_days must be a whole number of 0 or more, "
	    "not \"-1\""));
	CU_ASSERT_TRUE(t_error_has(t_conf, 3,
	    "sync.granularity must be \"field\" or \"record\", "
	    "not \"sometimes\""));
	CU_ASSERT_TRUE(t_error_has(t_conf, 5, "from 1 to 4096"));
	CU_ASSERT_TRUE(t_error_has(t_conf, 6, "master.wait_seconds"));
	CU_ASSERT_TRUE(t_error_has(t_conf, 7, "db.role"));

	t_setup();
	unit_put(t_user, "store = { cache_mb = 4096; };\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), 0);
	CU_ASSERT_EQUAL(cfg_int("store.cache_mb"), 4096);
	unit_put(t_user, "store = { cache_mb = 4097; };\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), -1);
}

static void
test_wrong_level(void)
{
	/* A user setting in a database's file. */
	t_setup();
	unit_put(t_conf, "ui = { color = false; };\n");
	CU_ASSERT_EQUAL(cfg_load(t_db), -1);
	CU_ASSERT_TRUE(t_error_has(t_conf, 1, "ui.color"));

	/* A database setting in the user's file. */
	t_setup();
	unit_put(t_user, "sync = { granularity = \"record\"; };\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), -1);
	CU_ASSERT_TRUE(t_error_has(t_user, 1,
	    "sync.granularity is a database setting"));

	/* Settings of both levels are fine in either. */
	t_setup();
	unit_put(t_user, "master = { wait_seconds = 1; };\n");
	unit_put(t_conf, "master = { wait_seconds = 2; };\n");
	CU_ASSERT_EQUAL(cfg_load(t_db), 0);
	CU_ASSERT_EQUAL(cfg_int("master.wait_seconds"), 2);
}

static void
test_all_errors_together(void)
{
	t_setup();
	unit_put(t_sys, "bogus = 1;\n");
	unit_put(t_user, "\n\nstore = { cache_mb = \"big\"; };\n");
	unit_put(t_conf, "sync = {\n");
	CU_ASSERT_EQUAL(cfg_load(t_db), -1);
	CU_ASSERT_TRUE(t_error_has(t_sys, 1, "unknown setting bogus"));
	CU_ASSERT_TRUE(t_error_has(t_user, 3, "store.cache_mb"));
	CU_ASSERT_PTR_NOT_NULL(strstr(error_get(), t_conf));
}

static void
test_include(void)
{
	char	*extra = NULL;

	/* @include is relative to the including file; errors name it. */
	t_setup();
	t_path(&extra, "%s/crm/extra.conf", t_xdg);
	unit_put(extra, "store = { cache_mb = 48; };\n");
	unit_put(t_user, "# mine\n@include \"extra.conf\"\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), 0);
	CU_ASSERT_EQUAL(cfg_int("store.cache_mb"), 48);

	unit_put(extra, "store = { cache_mb = 48; };\nui = { colour = 1; };\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), -1);
	CU_ASSERT_TRUE(t_error_has(extra, 2, "unknown setting ui.colour"));
	free(extra);
}

static void
test_unreadable(void)
{
	/* A directory where the file should be is reported, not skipped. */
	t_setup();
	mkdir(t_conf, 0700);
	CU_ASSERT_EQUAL(cfg_load(t_db), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(error_get(), t_conf));
}

static void
test_shipped_conf(void)
{
	const struct cfg_def	*def;
	char			*text, *key, *dot;

	/* conf/crm.conf parses, knows only known keys and holds defaults. */
	t_setup();
	setenv("CRM_SYSCONF", t_source("conf/crm.conf"), 1);
	CU_ASSERT_EQUAL_FATAL(cfg_load(NULL), 0);
	for (def = cfg_table; def->key != NULL; def++) {
		text = cfg_text(def->key);
		CU_ASSERT_STRING_EQUAL(text, def->def);
		free(text);
	}

	/* It names every user setting; crm.conf(5) names every setting. */
	text = unit_slurp(t_source("conf/crm.conf"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (def = cfg_table; def->key != NULL; def++) {
		if (~def->where & CFG_USER)
			continue;
		key = strdup(def->key);
		dot = strchr(key, '.');
		CU_ASSERT_PTR_NOT_NULL(strstr(text, dot + 1));
		*dot = '\0';
		CU_ASSERT_PTR_NOT_NULL(strstr(text, key));
		free(key);
	}
	free(text);
	text = unit_slurp(t_source("doc/crm.conf.5"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (def = cfg_table; def->key != NULL; def++) {
		if (strstr(text, def->key) == NULL)
			fprintf(stderr, "crm.conf.5 lacks %s\n", def->key);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, def->key));
	}
	free(text);
}

static void
test_set_new_file(void)
{
	struct stat	 sb;
	config_t	 cf;
	config_setting_t *s;
	mode_t		 old;
	int		 n;

	/* Even a umask that would widen it gives 0600. */
	t_setup();
	old = umask(0);
	CU_ASSERT_EQUAL(cfg_set(t_db, "sync.update_window_days", "7"), 0);
	umask(old);
	CU_ASSERT_EQUAL(cfg_set(t_db, "sync.granularity", "record"), 0);
	CU_ASSERT_EQUAL(stat(t_conf, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0600);
	CU_ASSERT_NOT_EQUAL(access(t_tmp, F_OK), 0);

	/* In memory at once, and from the file after a load. */
	CU_ASSERT_EQUAL(cfg_int("sync.update_window_days"), 7);
	CU_ASSERT_STRING_EQUAL(cfg_string("sync.granularity"), "record");
	cfg_free();
	CU_ASSERT_EQUAL(cfg_int("sync.update_window_days"), 0);
	CU_ASSERT_EQUAL_FATAL(cfg_load(t_db), 0);
	CU_ASSERT_EQUAL(cfg_int("sync.update_window_days"), 7);
	CU_ASSERT_STRING_EQUAL(cfg_string("sync.granularity"), "record");

	/* Written with libconfig's own types, in groups. */
	config_init(&cf);
	CU_ASSERT_EQUAL_FATAL(config_read_file(&cf, t_conf), CONFIG_TRUE);
	s = config_lookup(&cf, "sync.update_window_days");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(config_setting_type(s), CONFIG_TYPE_INT);
	CU_ASSERT_EQUAL(config_lookup_int(&cf, "sync.update_window_days", &n),
	    CONFIG_TRUE);
	CU_ASSERT_EQUAL(n, 7);
	s = config_lookup(&cf, "sync");
	CU_ASSERT_TRUE(s != NULL && config_setting_is_group(s));
	config_destroy(&cf);
}

/* Quotes and UTF-8 survive libconfig's escaping. */
#define T_NAME "Alice's \"laptop\" \xc3\xa0 Paris"

static void
test_set_preserves(void)
{
	struct stat	 sb;
	char		*text;

	t_setup();
	unit_put(t_conf,
	    "db = {\n"
	    "  role = \"local\";\n"
	    "  name = \"Laptop\";\n"
	    "  master = \"/mnt/office/crm\";\n"
	    "  user = \"alice\";\n"
	    "};\n"
	    "sync = { update_window_days = 3; };\n"
	    "store = { cache_mb = 100; };\n");
	chmod(t_conf, 0644);
	unit_put(t_tmp, "stale leftovers of a crash");
	CU_ASSERT_EQUAL_FATAL(cfg_set(t_db, "sync.update_window_days", "30"),
	    0);
	CU_ASSERT_EQUAL_FATAL(cfg_set(t_db, "master.wait_seconds", "0"), 0);
	CU_ASSERT_EQUAL_FATAL(cfg_set(t_db, "db.name", T_NAME), 0);
	CU_ASSERT_NOT_EQUAL(access(t_tmp, F_OK), 0);
	CU_ASSERT_EQUAL(stat(t_conf, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0600);

	cfg_free();
	CU_ASSERT_EQUAL_FATAL(cfg_load(t_db), 0);
	CU_ASSERT_STRING_EQUAL(cfg_string("db.role"), "local");
	CU_ASSERT_STRING_EQUAL(cfg_string("db.name"), T_NAME);
	CU_ASSERT_STRING_EQUAL(cfg_string("db.master"), "/mnt/office/crm");
	CU_ASSERT_STRING_EQUAL(cfg_string("db.user"), "alice");
	CU_ASSERT_EQUAL(cfg_int("sync.update_window_days"), 30);
	CU_ASSERT_EQUAL(cfg_int("master.wait_seconds"), 0);
	CU_ASSERT_EQUAL(cfg_int("store.cache_mb"), 100);
	text = cfg_text("sync.update_window_days");
	CU_ASSERT_STRING_EQUAL(text, "30");
	free(text);
}

static void
test_set_replaces_wrong_type(void)
{
	/* A value of the wrong type in the file is replaced, not kept. */
	t_setup();
	unit_put(t_conf, "sync = { update_window_days = \"x\"; };\n");
	CU_ASSERT_EQUAL(cfg_load(t_db), -1);
	CU_ASSERT_EQUAL_FATAL(cfg_set(t_db, "sync.update_window_days", "2"), 0);
	CU_ASSERT_EQUAL_FATAL(cfg_load(t_db), 0);
	CU_ASSERT_EQUAL(cfg_int("sync.update_window_days"), 2);
}

static void
test_set_refuses_keys(void)
{
	char	*before, *after;

	t_setup();
	unit_put(t_conf, "sync = { granularity = \"record\"; };\n");
	before = unit_slurp(t_conf);

	CU_ASSERT_EQUAL(cfg_set(t_db, "sync.foo", "1"), -1);
	CU_ASSERT_STRING_EQUAL(error_get(),
	    "sync.foo is not a database setting; see crm.conf(5)");
	CU_ASSERT_EQUAL(cfg_set(t_db, "ui.color", "false"), -1);
	CU_ASSERT_STRING_EQUAL(error_get(),
	    "ui.color is not a database setting; see crm.conf(5)");
	CU_ASSERT_EQUAL(cfg_set(t_db, "sync", "1"), -1);
	CU_ASSERT_EQUAL(cfg_set(t_db, "", "1"), -1);

	after = unit_slurp(t_conf);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
	CU_ASSERT_NOT_EQUAL(access(t_tmp, F_OK), 0);
}

static void
test_set_refuses_values(void)
{
	static const struct {
		const char	*key;
		const char	*value;
		const char	*allowed;
	} bad[] = {
		{ "sync.granularity", "sometimes", "\"field\" or \"record\"" },
		{ "sync.granularity", "Field", "\"field\" or \"record\"" },
		{ "sync.update_window_days", "-1", "0 or more" },
		{ "sync.update_window_days", "abc", "0 or more" },
		{ "sync.update_window_days", "", "0 or more" },
		{ "sync.update_window_days", "7d", "0 or more" },
		{ "sync.update_window_days", " 7", "0 or more" },
		{ "sync.update_window_days", "99999999999999999999",
		  "0 or more" },
		{ "store.cache_mb", "0", "from 1 to 4096" },
		{ "store.cache_mb", "4097", "from 1 to 4096" },
		{ "master.wait_seconds", "1.5", "0 or more" },
		{ "db.role", "slave", "\"master\" or \"local\"" },
		{ NULL, NULL, NULL }
	};
	char	*before, *after, want[256];
	size_t	 i;

	t_setup();
	unit_put(t_conf,
	    "sync = { granularity = \"record\"; update_window_days = 5; };\n");
	before = unit_slurp(t_conf);
	CU_ASSERT_EQUAL_FATAL(cfg_load(t_db), 0);

	for (i = 0; bad[i].key != NULL; i++) {
		CU_ASSERT_EQUAL(cfg_set(t_db, bad[i].key, bad[i].value), -1);
		/* The message names the key, the value and what is allowed. */
		snprintf(want, sizeof want, "%s must be ", bad[i].key);
		CU_ASSERT_PTR_NOT_NULL(strstr(error_get(), want));
		snprintf(want, sizeof want, "\"%s\"", bad[i].value);
		CU_ASSERT_PTR_NOT_NULL(strstr(error_get(), want));
		CU_ASSERT_PTR_NOT_NULL(strstr(error_get(), bad[i].allowed));
	}
	after = unit_slurp(t_conf);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
	CU_ASSERT_NOT_EQUAL(access(t_tmp, F_OK), 0);
	CU_ASSERT_EQUAL(cfg_int("sync.update_window_days"), 5);
	CU_ASSERT_STRING_EQUAL(cfg_string("sync.granularity"), "record");

	/* The edges of the ranges are accepted. */
	CU_ASSERT_EQUAL(cfg_set(t_db, "store.cache_mb", "1"), 0);
	CU_ASSERT_EQUAL(cfg_set(t_db, "store.cache_mb", "4096"), 0);
	CU_ASSERT_EQUAL(cfg_set(t_db, "sync.update_window_days", "0"), 0);
	CU_ASSERT_EQUAL(cfg_set(t_db, "sync.granularity", "field"), 0);
	CU_ASSERT_EQUAL(cfg_set(t_db, "db.role", "master"), 0);
}

static void
test_set_malformed(void)
{
	char	*before, *after;

	t_setup();
	unit_put(t_conf,
	    "db = { role = \"master\"; };\n"
	    "\n"
	    "sync = { granularity = = \"record\"; };\n"
	    "store = { cache_mb = 20; };\n");
	before = unit_slurp(t_conf);
	CU_ASSERT_EQUAL(cfg_set(t_db, "sync.update_window_days", "4"), -1);
	CU_ASSERT_TRUE(t_error_has(t_conf, 3, NULL));
	after = unit_slurp(t_conf);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
	CU_ASSERT_NOT_EQUAL(access(t_tmp, F_OK), 0);
	CU_ASSERT_EQUAL(cfg_int("sync.update_window_days"), 0);

	/* A group the key needs that is a value in the file. */
	t_setup();
	unit_put(t_conf, "db = { role = \"master\"; };\nsync = 1;\n");
	before = unit_slurp(t_conf);
	CU_ASSERT_EQUAL(cfg_set(t_db, "sync.granularity", "record"), -1);
	CU_ASSERT_TRUE(t_error_has(t_conf, 2, "sync must be a group"));
	after = unit_slurp(t_conf);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(before);
	free(after);
}

static void
test_set_write_fails(void)
{
	struct rlimit	 old, small;
	char		*before, *after;

	/* A file size limit fails the write as a full disk would. */
	t_setup();
	unit_put(t_conf,
	    "db = { role = \"master\"; name = \"A name long enough\"; };\n");
	before = unit_slurp(t_conf);
	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 16;
	signal(SIGXFSZ, SIG_IGN);
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &small), 0);
	CU_ASSERT_EQUAL(cfg_set(t_db, "sync.granularity", "record"), -1);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	CU_ASSERT_PTR_NOT_NULL(strstr(error_get(), t_tmp));
	CU_ASSERT_PTR_NOT_NULL(strstr(error_get(), strerror(EFBIG)));
	after = unit_slurp(t_conf);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(after);
	CU_ASSERT_NOT_EQUAL(access(t_tmp, F_OK), 0);
	CU_ASSERT_STRING_EQUAL(cfg_string("sync.granularity"), "field");

	/* A temporary file that cannot be replaced. */
	mkdir(t_tmp, 0700);
	unit_put(unit_path("db/crm.conf.tmp/x"), "x");
	CU_ASSERT_EQUAL(cfg_set(t_db, "sync.granularity", "record"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(error_get(), t_tmp));
	after = unit_slurp(t_conf);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(after);
	free(before);

	/* No such database directory. */
	CU_ASSERT_EQUAL(cfg_set(unit_path("nowhere"), "sync.granularity",
	    "record"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(error_get(), "nowhere/crm.conf"));
}

static const struct unit_test tests[] = {
	{ "defaults", test_defaults },
	{ "paths", test_paths },
	{ "levels override in order", test_levels },
	{ "user file under HOME", test_home_fallback },
	{ "malformed file: path and line", test_malformed },
	{ "failed load keeps values", test_failed_load_keeps_values },
	{ "unknown key: path and line", test_unknown_key },
	{ "wrong type: path and line", test_wrong_type },
	{ "out of range and choices", test_out_of_range },
	{ "setting at the wrong level", test_wrong_level },
	{ "all errors reported together", test_all_errors_together },
	{ "@include", test_include },
	{ "unreadable file", test_unreadable },
	{ "shipped crm.conf and crm.conf.5", test_shipped_conf },
	{ "set: new file, 0600, read back", test_set_new_file },
	{ "set: keeps other settings", test_set_preserves },
	{ "set: replaces a wrong type", test_set_replaces_wrong_type },
	{ "set: refuses unknown keys", test_set_refuses_keys },
	{ "set: refuses bad values", test_set_refuses_values },
	{ "set: malformed file untouched", test_set_malformed },
	{ "set: failed write leaves file", test_set_write_fails },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("cfg", tests);
}
