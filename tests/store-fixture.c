/* store-fixture: see store-fixture.h. */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-fixture.h"
#include "unit.h"
#include "xmalloc.h"

const struct store_schema t_schema[T_NSCHEMA] = {
	{ "people.db", { "last", "first", NULL },
	    { "org", "manager", NULL }, { "owner", "assistant", NULL },
	    { "first", "last", "mail", "phone" }, { "phone" } },
	{ "orgs.db", { "name", NULL }, { NULL }, { NULL }, { "name" },
	    { NULL } },
};

const char *
t_dir(void)
{
	static char	dir[4096];

	snprintf(dir, sizeof dir, "%s/db", unit_dir());
	return dir;
}

int
t_get(struct store *st, size_t file, const struct record_id *id,
    struct record **out)
{
	struct store_txn	*t;
	int			 ret;

	*out = NULL;
	if (store_begin(st, &t) != 0)
		return -1;
	ret = store_get(t, file, id, out);
	store_abort(t);
	return ret;
}

int
t_private(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	char		*path;
	mode_t		 want;
	int		 ok = 1;

	if ((d = opendir(dir)) == NULL || stat(dir, &sb) != 0)
		return 0;
	if ((sb.st_mode & 07777) != 0700) {
		fprintf(stderr, "\n  %s: mode %o\n", dir,
		    (unsigned)(sb.st_mode & 07777));
		ok = 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "__db.register") == 0)
			continue;
		xasprintf(&path, "%s/%s", dir, de->d_name);
		if (lstat(path, &sb) != 0)
			ok = 0;
		else {
			want = S_ISDIR(sb.st_mode) ? 0700 : 0600;
			if ((sb.st_mode & 07777) != want) {
				fprintf(stderr, "\n  %s: mode %o\n", path,
				    (unsigned)(sb.st_mode & 07777));
				ok = 0;
			}
		}
		free(path);
	}
	closedir(d);
	return ok;
}
