/* path: "~" expansion and Tab completion of file names at a prompt. */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"
#include "xmalloc.h"

char *
path_expand(const char *typed)
{
	struct passwd	*pw;
	const char	*home, *rest;
	char		*user, *s;

	if (typed[0] != '~')
		return xstrdup(typed);
	rest = strchr(typed, '/');
	if (rest == NULL)
		rest = typed + strlen(typed);
	if (rest == typed + 1) {
		if ((home = getenv("HOME")) == NULL || *home == '\0') {
			pw = getpwuid(getuid());
			home = pw != NULL ? pw->pw_dir : NULL;
		}
	} else {
		user = xstrndup(typed + 1, (size_t)(rest - typed - 1));
		pw = getpwnam(user);
		free(user);
		home = pw != NULL ? pw->pw_dir : NULL;
	}
	if (home == NULL)
		return xstrdup(typed);
	/* "/" as a home and "/x" after it must not make "//x". */
	if (strcmp(home, "/") == 0 && *rest == '/')
		home = "";
	xasprintf(&s, "%s%s", home, rest);
	return s;
}

static int
path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
path_complete(const char *typed, struct path_completion *pc)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*dp;
	char		*full, *slash, *dir, *base, *entry, *common = NULL;
	size_t		 blen, clen = 0, cap = 0, i;

	memset(pc, 0, sizeof *pc);
	full = path_expand(typed);
	if ((slash = strrchr(full, '/')) == NULL) {
		dir = xstrdup(".");
		base = full;
	} else {
		dir = slash == full ? xstrdup("/") :
		    xstrndup(full, (size_t)(slash - full));
		base = slash + 1;
	}
	blen = strlen(base);
	if ((dp = opendir(dir)) != NULL) {
		while ((de = readdir(dp)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if (strncmp(de->d_name, base, blen) != 0)
				continue;
			if (de->d_name[0] == '.' && base[0] != '.')
				continue;
			xasprintf(&entry, "%s/%s", dir, de->d_name);
			if (pc->n == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				pc->names = xreallocarray(pc->names, cap,
				    sizeof *pc->names);
			}
			/* stat, not lstat: a link to a directory is one. */
			if (stat(entry, &sb) == 0 && S_ISDIR(sb.st_mode))
				xasprintf(&pc->names[pc->n++], "%s/",
				    de->d_name);
			else
				pc->names[pc->n++] = xstrdup(de->d_name);
			free(entry);
		}
		closedir(dp);
	}
	if (pc->n > 0)
		qsort(pc->names, pc->n, sizeof *pc->names, path_cmp);
	/* The longest prefix every candidate shares. */
	for (i = 0; i < pc->n; i++) {
		if (common == NULL) {
			common = pc->names[i];
			clen = strlen(common);
			continue;
		}
		while (clen > 0 && strncmp(common, pc->names[i], clen) != 0)
			clen--;
	}
	if (pc->n == 0 || clen <= blen)
		pc->text = xstrdup(typed);
	else {
		/* The expanded form: what is shown is what will be opened. */
		*base = '\0';
		xasprintf(&pc->text, "%s%.*s", full, (int)clen, common);
	}
	free(dir);
	free(full);
}

void
path_completion_free(struct path_completion *pc)
{
	size_t	i;

	for (i = 0; i < pc->n; i++)
		free(pc->names[i]);
	free(pc->names);
	free(pc->text);
	memset(pc, 0, sizeof *pc);
}

char *
path_base_safe(const char *name)
{
	const char	*p, *slash;
	char		*out, *o;

	if ((slash = strrchr(name, '/')) != NULL)
		name = slash + 1;
	/* "..", ".profile": a hidden or parent name is never made. */
	while (*name == '.')
		name++;
	out = o = xmalloc(strlen(name) + 5);
	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 32 || *p == 127 || *p == '\\')
			continue;
		*o++ = *p;
	}
	*o = '\0';
	if (*out == '\0')
		strcpy(out, "file");
	return out;
}
