/* test-dblist: the login screen's list of databases in the user's file. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "dblist.h"
#include "error.h"
#include "unit.h"
#include "xmalloc.h"

/* The user's file and its directory, inside the scratch directory. */
static char	*t_sys, *t_xdg, *t_crmdir, *t_user;

static void
t_path(char **path, const char *fmt, const char *arg)
{
	free(*path);
	xasprintf(path, fmt, arg);
}

/*
 * Point every level at the scratch directory so the real system and the
 * real home are never read. Nothing exists yet, not even
 * $XDG_CONFIG_HOME: dblist makes what it needs.
 */
static void
t_setup(void)
{
	t_path(&t_sys, "%s", unit_path("sys.conf"));
	t_path(&t_xdg, "%s", unit_path("xdg"));
	t_path(&t_crmdir, "%s/crm", t_xdg);
	t_path(&t_user, "%s/crm/crm.conf", t_xdg);
	setenv("CRM_SYSCONF", t_sys, 1);
	setenv("XDG_CONFIG_HOME", t_xdg, 1);
	setenv("HOME", unit_path("home"), 1);
	cfg_free();
	error_clear();
}

/* Write the user's file, making its directory. */
static void
t_user_put(const char *text)
{
	mkdir(t_xdg, 0700);
	mkdir(t_crmdir, 0700);
	unit_put(t_user, text);
}

/*
 * A fake database: the directory name in the scratch directory, with a
 * crm.conf that sets db.role (and db.name unless it is NULL). Returns its
 * absolute path; free it.
 */
static char *
t_db(const char *name, const char *role, const char *dbname)
{
	char	*dir, *conf, *text;

	dir = xstrdup(unit_path(name));
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	xasprintf(&conf, "%s/crm.conf", dir);
	if (dbname != NULL) {
		xasprintf(&text, "db = { role = \"%s\"; name = \"%s\"; };\n",
		    role, dbname);
	} else
		xasprintf(&text, "db = { role = \"%s\"; };\n", role);
	unit_put(conf, text);
	free(text);
	free(conf);
	return dir;
}

/* Whether the error contains "PATH:LINE:" and the text. */
static int
t_error_has(const char *path, int line, const char *text)
{
	char	where[4200];

	snprintf(where, sizeof where, "%s:%d: ", path, line);
	if (strstr(error_get(), where) == NULL) {
		fprintf(stderr, "\n  error \"%s\" lacks \"%s\"\n", error_get(),
		    where);
		return 0;
	}
	return text == NULL || unit_error_has(text);
}

static void
test_empty(void)
{
	struct dblist	dl;

	/* No file, not even a directory for it. */
	t_setup();
	CU_ASSERT_EQUAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL(dl.n, 0);
	CU_ASSERT_PTR_NULL(dl.v);
	dblist_free(&dl);
	CU_ASSERT_NOT_EQUAL(access(t_xdg, F_OK), 0);

	/* A file without the key. */
	t_user_put("ui = { color = false; };\n");
	CU_ASSERT_EQUAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL(dl.n, 0);
	dblist_free(&dl);

	/* An empty list, either way libconfig writes one. */
	t_user_put("databases = ();\n");
	CU_ASSERT_EQUAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL(dl.n, 0);
	dblist_free(&dl);
	t_user_put("databases = [];\n");
	CU_ASSERT_EQUAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL(dl.n, 0);
	dblist_free(&dl);
}

static void
test_add_reload(void)
{
	struct dblist	 dl, again;
	struct stat	 sb;
	char		*office, *laptop, *path;
	mode_t		 old;

	t_setup();
	office = t_db("office", "master", "Office master");
	laptop = t_db("laptop", "local", "Laptop");
	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);

	/* A umask that would widen the file or directories changes nothing. */
	old = umask(0);
	CU_ASSERT_EQUAL_FATAL(dblist_add(&dl, "Office master", office), 0);
	umask(old);
	CU_ASSERT_EQUAL_FATAL(dblist_add(&dl, "My laptop", laptop), 0);
	CU_ASSERT_EQUAL_FATAL(dl.n, 2);
	CU_ASSERT_STRING_EQUAL(dl.v[0].name, "Office master");
	CU_ASSERT_STRING_EQUAL(dl.v[1].name, "My laptop");

	CU_ASSERT_EQUAL(stat(t_user, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0600);
	CU_ASSERT_EQUAL(stat(t_crmdir, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0700);
	CU_ASSERT_EQUAL(stat(t_xdg, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0700);
	xasprintf(&path, "%s.tmp", t_user);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	free(path);

	/* From the file, in the same order. */
	CU_ASSERT_EQUAL_FATAL(dblist_load(&again), 0);
	CU_ASSERT_EQUAL_FATAL(again.n, 2);
	CU_ASSERT_STRING_EQUAL(again.v[0].name, "Office master");
	CU_ASSERT_STRING_EQUAL(again.v[0].dir, office);
	CU_ASSERT_STRING_EQUAL(again.v[1].name, "My laptop");
	CU_ASSERT_STRING_EQUAL(again.v[1].dir, laptop);
	dblist_free(&again);
	CU_ASSERT_EQUAL(again.n, 0);
	CU_ASSERT_PTR_NULL(again.v);

	/* The file is one cfg_load accepts, as the user's file. */
	CU_ASSERT_EQUAL(cfg_load(NULL), 0);

	dblist_free(&dl);
	free(office);
	free(laptop);
}

static void
test_default_name_and_abs_dir(void)
{
	struct dblist	 dl;
	char		*named, *unnamed, *rel, *cwd;

	t_setup();
	named = t_db("named", "master", "Head office");
	unnamed = t_db("branch-7", "local", NULL);
	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);

	/* NULL and "": DIR/crm.conf's db.name, else the last component. */
	CU_ASSERT_EQUAL_FATAL(dblist_add(&dl, NULL, named), 0);
	CU_ASSERT_STRING_EQUAL(dl.v[0].name, "Head office");

	/* A relative path, with "." and "..", is stored resolved. */
	cwd = getcwd(NULL, 0);
	CU_ASSERT_EQUAL_FATAL(chdir(unit_dir()), 0);
	rel = "./named/../branch-7/";
	CU_ASSERT_EQUAL(dblist_add(&dl, "", rel), 0);
	CU_ASSERT_EQUAL_FATAL(chdir(cwd), 0);
	free(cwd);
	CU_ASSERT_EQUAL_FATAL(dl.n, 2);
	CU_ASSERT_STRING_EQUAL(dl.v[1].name, "branch-7");
	CU_ASSERT_STRING_EQUAL(dl.v[1].dir, unnamed);
	CU_ASSERT_EQUAL(dl.v[1].dir[0], '/');
	dblist_free(&dl);

	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL_FATAL(dl.n, 2);
	CU_ASSERT_STRING_EQUAL(dl.v[1].dir, unnamed);
	dblist_free(&dl);
	free(named);
	free(unnamed);
}

static void
test_keeps_other_settings(void)
{
	struct dblist	 dl;
	struct stat	 sb;
	char		*a, *b, *text;

	t_setup();
	a = t_db("a", "master", "A");
	b = t_db("b", "local", "B");
	t_user_put(
	    "# my own settings\n"
	    "ui = { color = false; };\n"
	    "databases = ( { name = \"Old\"; dir = \"/nowhere/old\"; } );\n"
	    "store = { cache_mb = 64; };\n"
	    "general = { default_database = \"/srv/x\"; };\n");
	chmod(t_user, 0644);
	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL_FATAL(dl.n, 1);
	CU_ASSERT_STRING_EQUAL(dl.v[0].dir, "/nowhere/old");

	CU_ASSERT_EQUAL_FATAL(dblist_add(&dl, NULL, a), 0);
	CU_ASSERT_EQUAL_FATAL(dblist_add(&dl, NULL, b), 0);
	CU_ASSERT_EQUAL(stat(t_user, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0600);
	CU_ASSERT_EQUAL_FATAL(cfg_load(NULL), 0);
	CU_ASSERT_FALSE(cfg_bool("ui.color"));
	CU_ASSERT_EQUAL(cfg_int("store.cache_mb"), 64);
	CU_ASSERT_STRING_EQUAL(cfg_string("general.default_database"),
	    "/srv/x");

	/* The list kept its place, between ui and store. */
	text = unit_slurp(t_user);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(text, "\nui ="));
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(text, "\ndatabases ="));
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(text, "\nstore ="));
	CU_ASSERT_TRUE(strstr(text, "\nui =") < strstr(text, "\ndatabases ="));
	CU_ASSERT_TRUE(strstr(text, "\ndatabases =") <
	    strstr(text, "\nstore ="));
	free(text);

	/* A stale entry can be removed; the rest stays. */
	CU_ASSERT_EQUAL_FATAL(dblist_remove(&dl, 0), 0);
	CU_ASSERT_EQUAL_FATAL(dl.n, 2);
	cfg_free();
	CU_ASSERT_EQUAL_FATAL(cfg_load(NULL), 0);
	CU_ASSERT_FALSE(cfg_bool("ui.color"));
	CU_ASSERT_EQUAL(cfg_int("store.cache_mb"), 64);
	CU_ASSERT_STRING_EQUAL(cfg_string("general.default_database"),
	    "/srv/x");
	dblist_free(&dl);

	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL_FATAL(dl.n, 2);
	CU_ASSERT_STRING_EQUAL(dl.v[0].dir, a);
	CU_ASSERT_STRING_EQUAL(dl.v[1].dir, b);
	dblist_free(&dl);
	free(a);
	free(b);
}

static void
test_remove(void)
{
	struct dblist	 dl;
	char		*a, *b, *c;

	t_setup();
	a = t_db("a", "master", "A");
	b = t_db("b", "master", "B");
	c = t_db("c", "local", "C");
	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL_FATAL(dblist_add(&dl, NULL, a), 0);
	CU_ASSERT_EQUAL_FATAL(dblist_add(&dl, NULL, b), 0);
	CU_ASSERT_EQUAL_FATAL(dblist_add(&dl, NULL, c), 0);

	/* From the middle: the others keep their order. */
	CU_ASSERT_EQUAL_FATAL(dblist_remove(&dl, 1), 0);
	CU_ASSERT_EQUAL_FATAL(dl.n, 2);
	CU_ASSERT_STRING_EQUAL(dl.v[0].name, "A");
	CU_ASSERT_STRING_EQUAL(dl.v[1].name, "C");
	dblist_free(&dl);
	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL_FATAL(dl.n, 2);
	CU_ASSERT_STRING_EQUAL(dl.v[0].dir, a);
	CU_ASSERT_STRING_EQUAL(dl.v[1].dir, c);

	/* A removed one may come back; then down to nothing. */
	CU_ASSERT_EQUAL(dblist_add(&dl, NULL, b), 0);
	CU_ASSERT_EQUAL(dblist_remove(&dl, 2), 0);
	CU_ASSERT_EQUAL(dblist_remove(&dl, 1), 0);
	CU_ASSERT_EQUAL(dblist_remove(&dl, 0), 0);
	CU_ASSERT_EQUAL(dl.n, 0);
	dblist_free(&dl);
	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL(dl.n, 0);
	dblist_free(&dl);
	CU_ASSERT_EQUAL(cfg_load(NULL), 0);
	free(a);
	free(b);
	free(c);
}

static void
test_not_a_database(void)
{
	struct dblist	 dl;
	char		*empty, *norole, *bad, *path, *plain;

	t_setup();
	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);

	/* Missing. */
	CU_ASSERT_EQUAL(dblist_check(unit_path("nowhere")), 0);
	CU_ASSERT_TRUE(unit_error_has("nowhere: no such directory"));
	CU_ASSERT_EQUAL(dblist_add(&dl, "X", unit_path("nowhere")), -1);
	CU_ASSERT_TRUE(unit_error_has(unit_path("nowhere")));

	/* A file, not a directory. */
	plain = xstrdup(unit_write("plain", "hello\n"));
	CU_ASSERT_EQUAL(dblist_check(plain), 0);
	CU_ASSERT_TRUE(unit_error_has("plain is not a directory"));
	CU_ASSERT_EQUAL(dblist_add(&dl, "X", plain), -1);
	CU_ASSERT_TRUE(unit_error_has(plain));

	/* A directory without crm.conf. */
	empty = xstrdup(unit_path("empty"));
	CU_ASSERT_EQUAL_FATAL(mkdir(empty, 0700), 0);
	CU_ASSERT_EQUAL(dblist_check(empty), 0);
	CU_ASSERT_TRUE(unit_error_has("empty has no crm.conf"));
	CU_ASSERT_EQUAL(dblist_add(&dl, "X", empty), -1);
	CU_ASSERT_TRUE(unit_error_has(empty));

	/* A crm.conf without db.role. */
	norole = xstrdup(unit_path("norole"));
	CU_ASSERT_EQUAL_FATAL(mkdir(norole, 0700), 0);
	xasprintf(&path, "%s/crm.conf", norole);
	unit_put(path, "sync = { granularity = \"record\"; };\n");
	free(path);
	CU_ASSERT_EQUAL(dblist_check(norole), 0);
	CU_ASSERT_TRUE(unit_error_has("norole/crm.conf does not set db.role"));
	CU_ASSERT_EQUAL(dblist_add(&dl, "X", norole), -1);

	/* A crm.conf that opening the database would refuse. */
	bad = xstrdup(unit_path("bad"));
	CU_ASSERT_EQUAL_FATAL(mkdir(bad, 0700), 0);
	xasprintf(&path, "%s/crm.conf", bad);
	unit_put(path, "db = {\n  role = \"slave\";\n};\n");
	CU_ASSERT_EQUAL(dblist_check(bad), 0);
	CU_ASSERT_TRUE(t_error_has(path, 2, "db.role must be"));
	CU_ASSERT_TRUE(unit_error_has("bad is not a usable crm database"));
	unit_put(path, "db = { role = \"master\" };\n\nui = { color = true; };\n");
	CU_ASSERT_EQUAL(dblist_add(&dl, "X", bad), -1);
	CU_ASSERT_TRUE(t_error_has(path, 3, "ui.color"));
	free(path);

	/* Nothing was listed, nothing was written. */
	CU_ASSERT_EQUAL(dl.n, 0);
	CU_ASSERT_NOT_EQUAL(access(t_user, F_OK), 0);
	dblist_free(&dl);

	/* Both roles are databases. */
	free(empty);
	empty = t_db("m", "master", NULL);
	CU_ASSERT_EQUAL(dblist_check(empty), 1);
	free(empty);
	empty = t_db("l", "local", NULL);
	CU_ASSERT_EQUAL(dblist_check(empty), 1);
	free(empty);
	free(norole);
	free(bad);
	free(plain);
}

static void
test_duplicate(void)
{
	struct dblist	 dl;
	char		*a, *b, *link, *before, *after;

	t_setup();
	a = t_db("a", "master", "Office");
	b = t_db("b", "master", "Office");
	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL_FATAL(dblist_add(&dl, NULL, a), 0);
	before = unit_slurp(t_user);

	/* The same directory, by another path, under another name. */
	link = xstrdup(unit_path("alias"));
	CU_ASSERT_EQUAL_FATAL(symlink(a, link), 0);
	CU_ASSERT_EQUAL(dblist_add(&dl, "Elsewhere", link), -1);
	CU_ASSERT_TRUE(unit_error_has("already in your list of databases"));
	CU_ASSERT_TRUE(unit_error_has(a));
	CU_ASSERT_TRUE(unit_error_has("\"Office\""));

	/* Another directory under a name in use (here its own db.name). */
	CU_ASSERT_EQUAL(dblist_add(&dl, NULL, b), -1);
	CU_ASSERT_TRUE(unit_error_has("the name \"Office\" is already"));
	CU_ASSERT_TRUE(unit_error_has(b));

	CU_ASSERT_EQUAL(dl.n, 1);
	after = unit_slurp(t_user);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(after);

	/* Under a name of its own it is welcome. */
	CU_ASSERT_EQUAL(dblist_add(&dl, "Office (copy)", b), 0);
	CU_ASSERT_EQUAL(dl.n, 2);

	/* A list written twice by hand is reported, with the line. */
	t_user_put(
	    "databases = (\n"
	    "  { name = \"A\"; dir = \"/x\"; },\n"
	    "  { name = \"A\"; dir = \"/y\"; },\n"
	    "  { name = \"B\"; dir = \"/x\"; }\n"
	    ");\n");
	dblist_free(&dl);
	CU_ASSERT_EQUAL(dblist_load(&dl), -1);
	CU_ASSERT_TRUE(t_error_has(t_user, 3, "\"A\" is in databases twice"));
	CU_ASSERT_TRUE(t_error_has(t_user, 4, "/x is in databases twice"));
	dblist_free(&dl);
	free(before);
	free(link);
	free(a);
	free(b);
}

static void
test_bad_name(void)
{
	struct dblist	 dl;
	char		*a;

	t_setup();
	a = t_db("a", "master", NULL);
	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL(dblist_add(&dl, "two\nlines", a), -1);
	CU_ASSERT_TRUE(unit_error_has("control character"));
	CU_ASSERT_TRUE(unit_error_has(a));
	CU_ASSERT_EQUAL(dl.n, 0);

	/* Quotes and UTF-8 survive libconfig's escaping. */
	CU_ASSERT_EQUAL_FATAL(dblist_add(&dl, "Ann's \"big\" \xc3\xa0 Paris",
	    a), 0);
	dblist_free(&dl);
	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL_FATAL(dl.n, 1);
	CU_ASSERT_STRING_EQUAL(dl.v[0].name, "Ann's \"big\" \xc3\xa0 Paris");
	dblist_free(&dl);
	free(a);
}

static void
test_malformed(void)
{
	struct dblist	dl;

	/* Entries without a name or a dir, with the entry's line. */
	t_setup();
	t_user_put(
	    "ui = { color = false; };\n"
	    "databases = (\n"
	    "  { name = \"Office\"; dir = \"/mnt/crm\"; },\n"
	    "  { dir = \"/home/ann/crm\"; },\n"
	    "  { name = \"Laptop\"; }\n"
	    ");\n");
	CU_ASSERT_EQUAL(dblist_load(&dl), -1);
	CU_ASSERT_TRUE(t_error_has(t_user, 4, "has no name"));
	CU_ASSERT_TRUE(t_error_has(t_user, 5, "has no dir"));
	CU_ASSERT_EQUAL(dl.n, 0);
	CU_ASSERT_PTR_NULL(dl.v);

	/* Wrong types, empty and relative values, unknown members. */
	t_user_put(
	    "databases = (\n"
	    "  \"/mnt/crm\",\n"
	    "  { name = 1; dir = \"/a\"; },\n"
	    "  { name = \"\"; dir = \"/b\"; },\n"
	    "  { name = \"C\"; dir = \"crm\"; },\n"
	    "  { name = \"D\"; directory = \"/d\"; }\n"
	    ");\n");
	CU_ASSERT_EQUAL(dblist_load(&dl), -1);
	CU_ASSERT_TRUE(t_error_has(t_user, 2, "must be a group"));
	CU_ASSERT_TRUE(t_error_has(t_user, 3, "name in databases must be a "
	    "string"));
	CU_ASSERT_TRUE(t_error_has(t_user, 4, "name in databases is empty"));
	CU_ASSERT_TRUE(t_error_has(t_user, 5, "must be an absolute path"));
	CU_ASSERT_TRUE(t_error_has(t_user, 6, "unknown setting directory"));
	CU_ASSERT_TRUE(t_error_has(t_user, 6, "has no dir"));

	/* Not a list at all. */
	t_user_put("\n\ndatabases = { name = \"A\"; dir = \"/a\"; };\n");
	CU_ASSERT_EQUAL(dblist_load(&dl), -1);
	CU_ASSERT_TRUE(t_error_has(t_user, 3, "databases must be a list"));

	/* A file libconfig cannot parse. */
	t_user_put("databases = (\n  { name = \"A\"; dir = ; }\n);\n");
	CU_ASSERT_EQUAL(dblist_load(&dl), -1);
	CU_ASSERT_TRUE(t_error_has(t_user, 2, "syntax error"));
	CU_ASSERT_EQUAL(dl.n, 0);
}

static void
test_malformed_not_rewritten(void)
{
	struct dblist	 dl;
	char		*a, *before, *after, *extra = NULL;

	/* A file that cannot be parsed is left for the user to mend. */
	t_setup();
	a = t_db("a", "master", "A");
	t_user_put("ui = { color = ; };\n");
	before = unit_slurp(t_user);
	dl.v = NULL;
	dl.n = 0;
	CU_ASSERT_EQUAL(dblist_add(&dl, NULL, a), -1);
	CU_ASSERT_TRUE(t_error_has(t_user, 1, "was not changed"));
	after = unit_slurp(t_user);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(after);
	free(before);
	CU_ASSERT_EQUAL(dl.n, 0);

	/* An @include would be lost, and the included file forgotten. */
	t_path(&extra, "%s/crm/colours.conf", t_xdg);
	unit_put(extra, "ui = { color = false; };\n");
	t_user_put("@include \"colours.conf\"\ndatabases = ();\n");
	before = unit_slurp(t_user);
	dblist_free(&dl);
	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL(dblist_add(&dl, NULL, a), -1);
	CU_ASSERT_TRUE(unit_error_has("@include"));
	CU_ASSERT_TRUE(unit_error_has(t_user));
	after = unit_slurp(t_user);
	CU_ASSERT_STRING_EQUAL(before, after);
	CU_ASSERT_EQUAL(dl.n, 0);
	dblist_free(&dl);
	free(after);
	free(before);
	free(extra);
	free(a);
}

static void
test_write_fails(void)
{
	struct dblist	 dl;
	char		*a, *b, *tmp, *before, *after;

	/* A temporary file that cannot be replaced fails the write. */
	t_setup();
	a = t_db("a", "master", "A");
	b = t_db("b", "master", "B");
	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL_FATAL(dblist_add(&dl, NULL, a), 0);
	before = unit_slurp(t_user);
	xasprintf(&tmp, "%s.tmp", t_user);
	CU_ASSERT_EQUAL_FATAL(mkdir(tmp, 0700), 0);
	unit_put(unit_path("xdg/crm/crm.conf.tmp/x"), "x");

	CU_ASSERT_EQUAL(dblist_add(&dl, NULL, b), -1);
	CU_ASSERT_TRUE(unit_error_has("crm.conf.tmp"));
	CU_ASSERT_TRUE(unit_error_has("was not changed"));
	CU_ASSERT_EQUAL(dl.n, 1);
	CU_ASSERT_EQUAL(dblist_remove(&dl, 0), -1);
	CU_ASSERT_EQUAL_FATAL(dl.n, 1);
	CU_ASSERT_STRING_EQUAL(dl.v[0].dir, a);
	after = unit_slurp(t_user);
	CU_ASSERT_STRING_EQUAL(before, after);
	free(after);

	/* No place for the user's directory. */
	t_setup();
	setenv("XDG_CONFIG_HOME", unit_path("plain/sub"), 1);
	unit_write("plain", "not a directory\n");
	CU_ASSERT_EQUAL(dblist_add(&dl, NULL, b), -1);
	CU_ASSERT_TRUE(unit_error_has("plain is not a directory"));
	CU_ASSERT_EQUAL(dl.n, 1);

	dblist_free(&dl);
	free(before);
	free(tmp);
	free(a);
	free(b);
}

static void
test_only_in_user_file(void)
{
	struct dblist	 dl;
	char		*conf, *dir;

	/* The user's file may hold it. */
	t_setup();
	t_user_put("databases = ( { name = \"A\"; dir = \"/a\"; } );\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), 0);

	/* A database's file may not. */
	dir = t_db("db", "master", "Db");
	xasprintf(&conf, "%s/crm.conf", dir);
	unit_put(conf, "db = { role = \"master\"; };\n"
	    "databases = ( { name = \"A\"; dir = \"/a\"; } );\n");
	CU_ASSERT_EQUAL(cfg_load(dir), -1);
	CU_ASSERT_TRUE(t_error_has(conf, 2, "unknown setting databases"));
	CU_ASSERT_EQUAL(dblist_check(dir), 0);
	CU_ASSERT_TRUE(t_error_has(conf, 2, "unknown setting databases"));

	/* Nor the system's, nor a group of the user's. */
	unit_put(t_sys, "\ndatabases = ();\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), -1);
	CU_ASSERT_TRUE(t_error_has(t_sys, 2, "unknown setting databases"));
	unlink(t_sys);
	t_user_put("ui = { databases = (); };\n");
	CU_ASSERT_EQUAL(cfg_load(NULL), -1);
	CU_ASSERT_TRUE(t_error_has(t_user, 1,
	    "unknown setting ui.databases"));

	/* dblist reads only the user's file. */
	unit_put(t_sys, "databases = ( { name = \"S\"; dir = \"/s\"; } );\n");
	t_user_put("ui = { color = true; };\n");
	CU_ASSERT_EQUAL_FATAL(dblist_load(&dl), 0);
	CU_ASSERT_EQUAL(dl.n, 0);
	dblist_free(&dl);
	free(conf);
	free(dir);
}

static const struct unit_test tests[] = {
	{ "no file: empty list", test_empty },
	{ "add two, reload, 0600", test_add_reload },
	{ "default name, absolute dir", test_default_name_and_abs_dir },
	{ "other settings kept", test_keeps_other_settings },
	{ "remove", test_remove },
	{ "not a database: refused", test_not_a_database },
	{ "duplicate dir or name refused", test_duplicate },
	{ "names: control characters, escaping", test_bad_name },
	{ "malformed list: path and line", test_malformed },
	{ "malformed file or @include: untouched",
	    test_malformed_not_rewritten },
	{ "failed write leaves list and file", test_write_fails },
	{ "databases only in the user's file", test_only_in_user_file },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("dblist", tests);
}
