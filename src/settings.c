/* settings: changing a database's own settings, for the CLI and screens. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "error.h"
#include "rights.h"
#include "settings.h"
#include "store.h"
#include "sync.h"
#include "user.h"
#include "xmalloc.h"

char *
settings_path(const char *text)
{
	const char	*home;
	char		*path, *abs, cwd[PATH_MAX];

	if (strncmp(text, "~/", 2) == 0 && (home = getenv("HOME")) != NULL &&
	    *home != '\0')
		xasprintf(&path, "%s/%s", home, text + 2);
	else if (*text != '/' && getcwd(cwd, sizeof cwd) != NULL)
		xasprintf(&path, "%s/%s", cwd, text);
	else
		path = xstrdup(text);
	if ((abs = realpath(path, NULL)) == NULL)
		return path;
	free(path);
	return abs;
}

/*
 * Check that the local's new master location is its master: a short
 * conversation that logs in there as the actor (RULES.md S2, T1).
 */
static int
settings_check_master(struct store *st, const char *where,
    const struct user *actor, const char *password, int wait)
{
	if (*where == '\0') {
		error_set("give the master's location: its directory as it is "
		    "mounted here, or HOST:/PATH for the sync service; "
		    "db.master was not changed");
		return -1;
	}
	return sync_check(st, where, actor->login, password, wait);
}

int
settings_set(const char *dir, struct store *st, enum store_role role,
    const struct user *actor, const char *password, const char *key,
    const char *value, int wait)
{
	char	*path;
	int	 ret;

	if (cfg_find(key) == NULL) {
		error_set("\"%s\" is not a setting; see crm.conf(5)", key);
		return -1;
	}
	if (!rights_may_configure(actor, role))
		return -1;
	if (strcmp(key, "db.master") == 0) {
		if (role != STORE_LOCAL) {
			error_set("%s is a master: db.master is a local's "
			    "setting, the place of its master", dir);
			return -1;
		}
		/* A directory is kept absolute; HOST:/PATH as it is written. */
		path = sync_where_remote(value) || *value == '\0' ?
		    xstrdup(value) : settings_path(value);
		ret = settings_check_master(st, path, actor, password, wait);
		if (ret == 0)
			ret = cfg_set(dir, key, path);
		free(path);
		return ret;
	}
	if (strncmp(key, "db.", 3) == 0) {
		error_set("%s describes the database itself and is set by crm "
		    "init", key);
		return -1;
	}
	if (role == STORE_LOCAL && strncmp(key, "sync.", 5) == 0 &&
	    (cfg_find(key)->where & CFG_REACH) == 0) {
		error_set("%s is the master's to set: a local syncs by its "
		    "master's settings; change it on the master", key);
		return -1;
	}
	return cfg_set(dir, key, value);
}
