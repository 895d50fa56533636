/* dblist: the login screen's list of databases, in the user's crm.conf. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "cfg.h"
#include "dblist.h"
#include "error.h"
#include "file.h"
#include "xmalloc.h"

/* What the list looks like, for messages about a malformed one. */
#define DBLIST_EXAMPLE \
	CFG_DBLIST " = ( { name = \"Office\"; dir = \"/srv/crm\"; } );"

#define DBLIST_HEADER \
	"# crm: your settings and the login screen's list of databases;\n" \
	"# see crm.conf(5). Rewritten by crm when a database is added or\n" \
	"# removed; comments are not kept.\n\n"

void
dblist_free(struct dblist *dl)
{
	size_t	i;

	for (i = 0; i < dl->n; i++) {
		free(dl->v[i].name);
		free(dl->v[i].dir);
	}
	free(dl->v);
	dl->v = NULL;
	dl->n = 0;
}

/* The index of the entry with this name (or dir), or dl->n if none. */
static size_t
dblist_find(const struct dblist *dl, const char *name, const char *dir)
{
	size_t	i;

	for (i = 0; i < dl->n; i++) {
		if (name != NULL && strcmp(dl->v[i].name, name) == 0)
			break;
		if (dir != NULL && strcmp(dl->v[i].dir, dir) == 0)
			break;
	}
	return i;
}

/* A member of an entry that must be a non-empty string; NULL if it is not. */
static const char *
dblist_member(const config_setting_t *entry, const char *member,
    const char *file, char **errs)
{
	config_setting_t	*s;
	const char		*value;

	if ((s = config_setting_get_member(entry, member)) == NULL) {
		cfg_complain(errs, "%s:%u: this entry of %s has no %s; add "
		    "%s = \"...\"; to it", file,
		    config_setting_source_line(entry), CFG_DBLIST, member,
		    member);
		return NULL;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_complain(errs, "%s:%u: %s in %s must be a string in double "
		    "quotes", file, config_setting_source_line(s), member,
		    CFG_DBLIST);
		return NULL;
	}
	value = config_setting_get_string(s);
	if (*value == '\0') {
		cfg_complain(errs, "%s:%u: %s in %s is empty; give one or "
		    "remove the entry", file, config_setting_source_line(s),
		    member, CFG_DBLIST);
		return NULL;
	}
	return value;
}

/* Check one entry of the list and add it to dl; problems go to errs. */
static void
dblist_take(struct dblist *dl, const config_setting_t *entry,
    const char *file, char **errs)
{
	config_setting_t	*s;
	const char		*name, *dir;
	unsigned int		 line = config_setting_source_line(entry);
	int			 i;

	if (!config_setting_is_group(entry)) {
		cfg_complain(errs, "%s:%u: each entry of %s must be a group, "
		    "as in %s", file, line, CFG_DBLIST, DBLIST_EXAMPLE);
		return;
	}
	/* A typo such as "directory" would otherwise look like a lost dir. */
	for (i = 0; i < config_setting_length(entry); i++) {
		s = config_setting_get_elem(entry, i);
		if (strcmp(config_setting_name(s), "name") != 0 &&
		    strcmp(config_setting_name(s), "dir") != 0) {
			cfg_complain(errs, "%s:%u: unknown setting %s in an "
			    "entry of %s; an entry has only name and dir",
			    file, config_setting_source_line(s),
			    config_setting_name(s), CFG_DBLIST);
		}
	}
	name = dblist_member(entry, "name", file, errs);
	dir = dblist_member(entry, "dir", file, errs);
	if (name == NULL || dir == NULL)
		return;
	if (*dir != '/') {
		cfg_complain(errs, "%s:%u: dir in %s must be an absolute path, "
		    "not \"%s\"", file, line, CFG_DBLIST, dir);
		return;
	}
	if (dblist_find(dl, name, NULL) != dl->n) {
		cfg_complain(errs, "%s:%u: the name \"%s\" is in %s twice; "
		    "rename or remove one", file, line, name, CFG_DBLIST);
		return;
	}
	if (dblist_find(dl, NULL, dir) != dl->n) {
		cfg_complain(errs, "%s:%u: %s is in %s twice; remove one", file,
		    line, dir, CFG_DBLIST);
		return;
	}
	dl->v = xreallocarray(dl->v, dl->n + 1, sizeof *dl->v);
	dl->v[dl->n].name = xstrdup(name);
	dl->v[dl->n].dir = xstrdup(dir);
	dl->n++;
}

int
dblist_load(struct dblist *dl)
{
	config_t		 cf;
	config_setting_t	*list;
	char			*path, *file, *msg, *errs = NULL;
	int			 i, n;

	dl->v = NULL;
	dl->n = 0;
	/* No home at all: nowhere to keep a list, so there is none. */
	if ((path = cfg_user_path()) == NULL)
		return 0;

	cfg_init(&cf, path);
	switch (cfg_read(&cf, path, &msg)) {
	case -1:
		cfg_complain(&errs, "%s", msg);
		free(msg);
		break;
	case 1:
		list = config_setting_get_member(config_root_setting(&cf),
		    CFG_DBLIST);
		if (list == NULL)
			break;
		file = cfg_source(&cf, config_setting_source_file(list), path);
		/* "databases = [];" is as empty as "()"; libconfig differs. */
		if (!config_setting_is_list(list) &&
		    !(config_setting_is_array(list) &&
		    config_setting_length(list) == 0)) {
			cfg_complain(&errs, "%s:%u: %s must be a list, as in "
			    "%s", file, config_setting_source_line(list),
			    CFG_DBLIST, DBLIST_EXAMPLE);
		} else {
			n = config_setting_length(list);
			for (i = 0; i < n; i++) {
				dblist_take(dl, config_setting_get_elem(list,
				    i), file, &errs);
			}
		}
		free(file);
		break;
	}
	config_destroy(&cf);
	free(path);

	if (errs != NULL) {
		error_set("%s", errs);
		free(errs);
		dblist_free(dl);
		return -1;
	}
	return 0;
}

/*
 * Whether any setting under s came from an @include: rewriting the file
 * would copy those settings into it and drop the @include line, so that
 * the included file would silently stop counting.
 */
static int
dblist_included(const config_setting_t *s)
{
	int	i;

	if (config_setting_source_file(s) != NULL)
		return 1;
	if (!config_setting_is_aggregate(s))
		return 0;
	for (i = 0; i < config_setting_length(s); i++) {
		if (dblist_included(config_setting_get_elem(s, i)))
			return 1;
	}
	return 0;
}

/* Put dl's entries, but for entry skip (none if skip >= n), into list. */
static void
dblist_fill(config_setting_t *list, const struct dblist *dl, size_t skip)
{
	config_setting_t	*entry, *s;
	size_t			 i;

	for (i = 0; i < dl->n; i++) {
		if (i == skip)
			continue;
		if ((entry = config_setting_add(list, NULL,
		    CONFIG_TYPE_GROUP)) == NULL)
			fatal("cannot add an entry to %s", CFG_DBLIST);
		s = config_setting_add(entry, "name", CONFIG_TYPE_STRING);
		if (s == NULL || !config_setting_set_string(s, dl->v[i].name))
			fatal("cannot set a name in %s", CFG_DBLIST);
		s = config_setting_add(entry, "dir", CONFIG_TYPE_STRING);
		if (s == NULL || !config_setting_set_string(s, dl->v[i].dir))
			fatal("cannot set a dir in %s", CFG_DBLIST);
	}
}

/*
 * Rewrite the user's file with dl, but for entry skip, as its list: read
 * it, replace that one setting, write it back whole. The file's other
 * settings are not checked here: that is cfg_load's job, and a mistake in
 * them must not stop the list from being changed.
 */
static int
dblist_write(const struct dblist *dl, size_t skip)
{
	config_t		 cf;
	config_setting_t	*root, *list;
	char			*path, *dir, *tmp, *msg;
	int			 retval = -1;

	if ((path = cfg_user_path()) == NULL) {
		error_set("cannot find your crm.conf to keep the list of "
		    "databases in: set HOME or XDG_CONFIG_HOME");
		return -1;
	}
	dir = xstrndup(path, strrchr(path, '/') - path);
	xasprintf(&tmp, "%s.tmp", path);
	cfg_init(&cf, path);

	/* A first Add may come before $XDG_CONFIG_HOME/crm exists. */
	if (file_mkdirs(dir, path) != 0)
		goto out;
	if (cfg_read(&cf, path, &msg) == -1) {
		error_set("%s; %s was not changed: mend it first", msg, path);
		free(msg);
		goto out;
	}
	root = config_root_setting(&cf);
	if (dblist_included(root)) {
		error_set("%s uses @include, which crm would lose by rewriting "
		    "it; %s was not changed: edit its %s by hand (see "
		    "crm.conf(5))", path, path, CFG_DBLIST);
		goto out;
	}

	/* Empty a list in place, so that it keeps its place in the file. */
	list = config_setting_get_member(root, CFG_DBLIST);
	if (list != NULL && config_setting_is_list(list)) {
		while (config_setting_length(list) > 0)
			config_setting_remove_elem(list, 0);
	} else {
		if (list != NULL)
			config_setting_remove(root, CFG_DBLIST);
		list = config_setting_add(root, CFG_DBLIST, CONFIG_TYPE_LIST);
		if (list == NULL)
			fatal("cannot add %s", CFG_DBLIST);
	}
	dblist_fill(list, dl, skip);

	if (cfg_write(&cf, dir, path, tmp, DBLIST_HEADER) != 0)
		goto out;
	retval = 0;
out:
	config_destroy(&cf);
	free(tmp);
	free(dir);
	free(path);
	return retval;
}

int
dblist_check(const char *dir)
{
	struct stat	 sb;
	char		*role;
	int		 found;

	if (*dir == '\0') {
		error_set("no directory given: give the directory of a crm "
		    "database");
		return 0;
	}
	if (stat(dir, &sb) != 0) {
		if (errno == ENOENT) {
			error_set("%s: no such directory; give the directory "
			    "of a crm database", dir);
		} else {
			error_set("%s: cannot reach it: %s; check the path "
			    "and its permissions", dir, strerror(errno));
		}
		return 0;
	}
	if (!S_ISDIR(sb.st_mode)) {
		error_set("%s is not a directory; give the directory of a crm "
		    "database", dir);
		return 0;
	}

	/* The whole file, checked as opening the database would check it. */
	if ((found = cfg_peek(dir, "db.role", &role)) == -1) {
		error_prefix("%s is not a usable crm database: ", dir);
		return 0;
	}
	if (found == 0) {
		error_set("%s has no crm.conf, so it is not a crm database; "
		    "choose a directory made by crm init", dir);
		free(role);
		return 0;
	}
	if (*role == '\0') {
		error_set("%s/crm.conf does not set db.role, so %s is not a "
		    "crm database; choose a directory made by crm init", dir,
		    dir);
		free(role);
		return 0;
	}
	free(role);
	return 1;
}

int
dblist_add(struct dblist *dl, const char *name, const char *dir)
{
	struct dblist_entry	*e;
	char			*abs, *def = NULL;
	const char		*last, *p;
	size_t			 i;

	if (!dblist_check(dir))
		return -1;
	if ((abs = realpath(dir, NULL)) == NULL) {
		error_set("%s: cannot resolve it: %s; check the path and its "
		    "permissions", dir, strerror(errno));
		return -1;
	}

	if (name == NULL || *name == '\0') {
		if (cfg_peek(abs, "db.name", &def) == -1) {
			free(abs);
			return -1;
		}
		if (*def != '\0')
			name = def;
		else {
			last = strrchr(abs, '/') + 1;
			name = *last != '\0' ? last : abs;
		}
	}
	/* The login screen draws names on one line of the terminal. */
	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			error_set("the database name for %s holds a control "
			    "character; give another name", abs);
			goto fail;
		}
	}

	if ((i = dblist_find(dl, NULL, abs)) != dl->n) {
		error_set("%s is already in your list of databases, as \"%s\"",
		    abs, dl->v[i].name);
		goto fail;
	}
	if ((i = dblist_find(dl, name, NULL)) != dl->n) {
		error_set("the name \"%s\" is already in your list of "
		    "databases, for %s; give %s another name", name,
		    dl->v[i].dir, abs);
		goto fail;
	}

	/* Append, write, and take it back if the write fails. */
	dl->v = xreallocarray(dl->v, dl->n + 1, sizeof *dl->v);
	e = &dl->v[dl->n];
	e->name = xstrdup(name);
	e->dir = abs;
	dl->n++;
	if (dblist_write(dl, SIZE_MAX) != 0) {
		dl->n--;
		free(e->name);
		free(e->dir);
		free(def);
		return -1;
	}
	free(def);
	return 0;

fail:
	free(def);
	free(abs);
	return -1;
}

int
dblist_remove(struct dblist *dl, size_t i)
{
	if (i >= dl->n)
		fatal("no database %zu in a list of %zu", i, dl->n);
	if (dblist_write(dl, i) != 0)
		return -1;
	free(dl->v[i].name);
	free(dl->v[i].dir);
	memmove(&dl->v[i], &dl->v[i + 1], (dl->n - i - 1) * sizeof *dl->v);
	dl->n--;
	return 0;
}
