/* cfg: configuration through libconfig, at three levels. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libconfig.h>

#include "cfg.h"
#include "error.h"
#include "xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

/*
 * Every setting crm knows. A key in a file that is not here is an error,
 * so a typo is reported rather than silently ignored. crm.conf(5) and
 * conf/crm.conf describe the same rows: keep them in step.
 */
const struct cfg_def cfg_table[] = {
	{ "db.role", CFG_STRING, "", CFG_DATABASE,
	  "\"master\" or \"local\"" },
	{ "db.name", CFG_STRING, "", CFG_DATABASE,
	  "the database's display name" },
	{ "db.id", CFG_STRING, "", CFG_DATABASE,
	  "the master's ID (a local holds its master's)" },
	{ "db.master", CFG_STRING, "", CFG_DATABASE,
	  "for a local: its master, a directory (attached, as over NFS) or "
	  "HOST:/PATH or ssh://[USER@]HOST[:PORT]/PATH (the sync service)" },
	{ "db.user", CFG_STRING, "", CFG_DATABASE,
	  "for a local: the login it was made for" },
	{ "db.key_file", CFG_STRING, "", CFG_DATABASE,
	  "for an encrypted master: its key file, relative to the database "
	  "directory or absolute (crm init --master --encrypt)" },
	{ "sync.update_window_days", CFG_INT, "0", CFG_DATABASE,
	  "days a local may go without sync before the master's version wins "
	  "(0: no limit)" },
	{ "sync.granularity", CFG_STRING, "field", CFG_DATABASE,
	  "compare changes \"field\" by field or whole \"record\"s" },
	{ "sync.restricted_attach", CFG_BOOL, "false", CFG_DATABASE,
	  "a master's: let restricted users sync by opening its files (as "
	  "over NFS), where they could read them all, not only through the "
	  "sync service" },
	{ "sync.ssh_command", CFG_STRING, "ssh", CFG_DATABASE|CFG_USER|CFG_REACH,
	  "how a local reaches its master's host for the sync service: a "
	  "program and its options (words split at spaces, quotes group)" },
	{ "sync.remote_crm", CFG_STRING, "crm", CFG_DATABASE|CFG_USER|CFG_REACH,
	  "the crm the master's host runs for the sync service (crm serve)" },
	{ "master.wait_seconds", CFG_INT, "30", CFG_DATABASE|CFG_USER,
	  "seconds to wait for a master another process holds" },
	{ "security.unlock_minutes", CFG_INT, "30", CFG_DATABASE|CFG_USER,
	  "minutes an encrypted local stays unlocked in the login session "
	  "after its password was typed (0: ask every time; crm lock ends "
	  "it early)" },
	{ "store.cache_mb", CFG_INT, "16", CFG_DATABASE|CFG_USER,
	  "Berkeley DB cache size in megabytes" },
	{ "general.default_database", CFG_STRING, "", CFG_USER,
	  "database directory used when -d is not given" },
	{ "ui.color", CFG_BOOL, "true", CFG_USER,
	  "use colour when the terminal has it (NO_COLOR still wins)" },
	{ "ui.confirm_quit", CFG_BOOL, "true", CFG_USER,
	  "q on the main screen asks before quitting" },
	{ "ui.date_order", CFG_STRING, "iso", CFG_USER,
	  "how dates are shown: \"iso\" 2026-12-24, \"dmy\" 24.12.2026, "
	  "\"mdy\" 12/24/2026" },
	{ NULL, CFG_STRING, NULL, 0, NULL }
};

/* What a value may be, beyond its type. Keys not listed take any value. */
struct cfg_limit {
	const char	*key;
	long		 min;
	long		 max;
	const char	*choices[4];	/* NULL-terminated, or none */
};

static const struct cfg_limit cfg_limits[] = {
	{ "db.role", 0, 0, { "master", "local", NULL } },
	{ "sync.update_window_days", 0, INT_MAX, { NULL } },
	{ "sync.granularity", 0, 0, { "field", "record", NULL } },
	{ "master.wait_seconds", 0, INT_MAX, { NULL } },
	{ "security.unlock_minutes", 0, 10080, { NULL } },
	{ "store.cache_mb", 1, 4096, { NULL } },
	{ "ui.date_order", 0, 0, { "iso", "dmy", "mdy" } },
	{ NULL, 0, 0, { NULL } }
};

/* The current values as text, one per row of cfg_table; NULL: default. */
static char	**cfg_values;

static size_t
cfg_count(void)
{
	size_t	n;

	for (n = 0; cfg_table[n].key != NULL; n++)
		/* nothing */;
	return n;
}

static void
cfg_values_free(char **values)
{
	size_t	i, n;

	if (values == NULL)
		return;
	n = cfg_count();
	for (i = 0; i < n; i++)
		free(values[i]);
	free(values);
}

const struct cfg_def *
cfg_find(const char *key)
{
	const struct cfg_def	*def;

	for (def = cfg_table; def->key != NULL; def++) {
		if (strcmp(def->key, key) == 0)
			return def;
	}
	return NULL;
}

/* A key the code asks for must exist: a miss is a bug, not user error. */
static const struct cfg_def *
cfg_get(const char *key, enum cfg_type type)
{
	const struct cfg_def	*def;

	if ((def = cfg_find(key)) == NULL)
		fatal("unknown configuration key %s", key);
	if (def->type != type)
		fatal("configuration key %s asked for as the wrong type", key);
	return def;
}

static const char *
cfg_current(const struct cfg_def *def)
{
	size_t	i = def - cfg_table;

	if (cfg_values != NULL && cfg_values[i] != NULL)
		return cfg_values[i];
	return def->def;
}

static const struct cfg_limit *
cfg_limit(const struct cfg_def *def)
{
	const struct cfg_limit	*lim;

	for (lim = cfg_limits; lim->key != NULL; lim++) {
		if (strcmp(lim->key, def->key) == 0)
			return lim;
	}
	return NULL;
}

/* Whether key names a group that holds settings ("sync" for "sync.x"). */
static int
cfg_is_group(const char *key)
{
	const struct cfg_def	*def;
	size_t			 len = strlen(key);

	for (def = cfg_table; def->key != NULL; def++) {
		if (strncmp(def->key, key, len) == 0 && def->key[len] == '.')
			return 1;
	}
	return 0;
}

/* What a key accepts, for messages: "a whole number from 1 to 4096". */
static char *
cfg_allowed(const struct cfg_def *def)
{
	const struct cfg_limit	*lim = cfg_limit(def);
	char			*s, *t;
	size_t			 i;

	switch (def->type) {
	case CFG_BOOL:
		return xstrdup("true or false");
	case CFG_INT:
		if (lim == NULL)
			return xstrdup("a whole number");
		if (lim->max == INT_MAX)
			xasprintf(&s, "a whole number of %ld or more",
			    lim->min);
		else {
			xasprintf(&s, "a whole number from %ld to %ld",
			    lim->min, lim->max);
		}
		return s;
	case CFG_STRING:
		if (lim == NULL || lim->choices[0] == NULL)
			return xstrdup("a string");
		xasprintf(&s, "\"%s\"", lim->choices[0]);
		for (i = 1; lim->choices[i] != NULL; i++) {
			xasprintf(&t, "%s%s\"%s\"", s,
			    lim->choices[i + 1] == NULL ? " or " : ", ",
			    lim->choices[i]);
			free(s);
			s = t;
		}
		return s;
	}
	fatal("bad configuration type %d", def->type);
}

/*
 * Check text as a value of def, type, range and choices; returns the value
 * in its canonical form ("yes" becomes "true"), or NULL if it is refused.
 */
static char *
cfg_parse(const struct cfg_def *def, const char *text)
{
	static const char	*yes[] = { "true", "yes", "on", "1", NULL };
	static const char	*no[] = { "false", "no", "off", "0", NULL };
	const struct cfg_limit	*lim = cfg_limit(def);
	char			*end;
	long			 n, min = INT_MIN, max = INT_MAX;
	size_t			 i;

	switch (def->type) {
	case CFG_BOOL:
		for (i = 0; yes[i] != NULL; i++) {
			if (strcasecmp(text, yes[i]) == 0)
				return xstrdup("true");
		}
		for (i = 0; no[i] != NULL; i++) {
			if (strcasecmp(text, no[i]) == 0)
				return xstrdup("false");
		}
		return NULL;
	case CFG_INT:
		if (lim != NULL) {
			min = lim->min;
			max = lim->max;
		}
		/* strtol would skip leading blanks and take "+": do not. */
		if (*text != '-' && (*text < '0' || *text > '9'))
			return NULL;
		errno = 0;
		n = strtol(text, &end, 10);
		if (errno != 0 || end == text || *end != '\0')
			return NULL;
		if (n < min || n > max)
			return NULL;
		xasprintf(&end, "%ld", n);
		return end;
	case CFG_STRING:
		if (lim == NULL || lim->choices[0] == NULL)
			return xstrdup(text);
		for (i = 0; lim->choices[i] != NULL; i++) {
			if (strcmp(text, lim->choices[i]) == 0)
				return xstrdup(text);
		}
		return NULL;
	}
	fatal("bad configuration type %d", def->type);
}

/* "KEY must be ALLOWED, not VALUE", for a value cfg_parse refused. */
static char *
cfg_refusal(const struct cfg_def *def, const char *value)
{
	char	*allowed, *msg;

	allowed = cfg_allowed(def);
	xasprintf(&msg, "%s must be %s, not \"%s\"", def->key, allowed, value);
	free(allowed);
	return msg;
}

/* Add one line to the collected problems. */
void
cfg_complain(char **errs, const char *fmt, ...)
{
	va_list	 ap;
	char	*line, *all;

	va_start(ap, fmt);
	xvasprintf(&line, fmt, ap);
	va_end(ap);
	if (*errs == NULL) {
		*errs = line;
		return;
	}
	xasprintf(&all, "%s\n%s", *errs, line);
	free(*errs);
	free(line);
	*errs = all;
}

static const char *
cfg_type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "a whole number";
	case CONFIG_TYPE_FLOAT:
		return "a decimal number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	}
	return "an unknown type";
}

/* The setting's value as text, if its libconfig type fits def. */
static char *
cfg_setting_text(const struct cfg_def *def, const config_setting_t *s)
{
	char	*text;

	switch (def->type) {
	case CFG_STRING:
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return NULL;
		return xstrdup(config_setting_get_string(s));
	case CFG_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return NULL;
		return xstrdup(config_setting_get_bool(s) ? "true" : "false");
	case CFG_INT:
		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64)
			return NULL;
		xasprintf(&text, "%lld", config_setting_get_int64(s));
		return text;
	}
	fatal("bad configuration type %d", def->type);
}

/* Take one known setting from a file at the given level into values. */
static void
cfg_take(const struct cfg_def *def, const config_setting_t *s,
    const char *file, unsigned int line, int where, char **values,
    char **errs)
{
	char	*text, *value, *allowed, *msg;
	size_t	 i = def - cfg_table;

	if (~def->where & where) {
		if (where == CFG_DATABASE) {
			cfg_complain(errs, "%s:%u: %s cannot be set in a "
			    "database's crm.conf; it belongs in the user's "
			    "crm.conf (see crm.conf(5))", file, line,
			    def->key);
		} else {
			cfg_complain(errs, "%s:%u: %s is a database setting; "
			    "set it with crm config set (see crm.conf(5))",
			    file, line, def->key);
		}
		return;
	}
	if ((text = cfg_setting_text(def, s)) == NULL) {
		allowed = cfg_allowed(def);
		cfg_complain(errs, "%s:%u: %s must be %s, not %s", file, line,
		    def->key, allowed, cfg_type_name(config_setting_type(s)));
		free(allowed);
		return;
	}
	if ((value = cfg_parse(def, text)) == NULL) {
		msg = cfg_refusal(def, text);
		cfg_complain(errs, "%s:%u: %s", file, line, msg);
		free(msg);
		free(text);
		return;
	}
	free(text);
	free(values[i]);
	values[i] = value;
}

/*
 * The file a setting or an error comes from: path itself, or a file it
 * includes, which libconfig names as written in the @include line.
 */
char *
cfg_source(const config_t *cf, const char *file, const char *path)
{
	char	*s;

	if (file == NULL)
		return xstrdup(path);
	if (*file == '/' || config_get_include_dir(cf) == NULL)
		return xstrdup(file);
	xasprintf(&s, "%s/%s", config_get_include_dir(cf), file);
	return s;
}

/*
 * Check every setting of a group against the table, recursively; user is
 * set for the user's file, whose top level may also hold CFG_DBLIST.
 */
static void
cfg_walk(const config_setting_t *group, const char *prefix, const char *path,
    int where, int user, char **values, char **errs)
{
	const struct cfg_def	*def;
	config_setting_t	*s;
	char			*key, *file;
	unsigned int		 line;
	int			 i, n;

	n = config_setting_length(group);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(group, i);
		/* The login screen's list is dblist.c's: it checks it. */
		if (prefix == NULL && user &&
		    strcmp(config_setting_name(s), CFG_DBLIST) == 0)
			continue;
		if (prefix != NULL) {
			xasprintf(&key, "%s.%s", prefix,
			    config_setting_name(s));
		} else
			key = xstrdup(config_setting_name(s));
		file = cfg_source(s->config, config_setting_source_file(s),
		    path);
		line = config_setting_source_line(s);

		if ((def = cfg_find(key)) != NULL)
			cfg_take(def, s, file, line, where, values, errs);
		else if (cfg_is_group(key)) {
			if (config_setting_is_group(s)) {
				cfg_walk(s, key, path, where, 0, values,
				    errs);
			} else {
				cfg_complain(errs, "%s:%u: %s must be a group, "
				    "as in %s = { ... };", file, line, key,
				    key);
			}
		} else
			cfg_complain(errs, "%s:%u: unknown setting %s", file,
			    line, key);
		free(file);
		free(key);
	}
}

/* Settings are written as "group = {" rather than libconfig's "group :". */
void
cfg_init(config_t *cf, const char *path)
{
	char	*dir, *slash;

	config_init(cf);
	config_set_options(cf, CONFIG_OPTION_SEMICOLON_SEPARATORS);
	config_set_tab_width(cf, 2);

	/* @include is relative to the including file, not the cwd. */
	if ((slash = strrchr(path, '/')) == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, slash - path);
	config_set_include_dir(cf, dir);	/* libconfig keeps a copy */
	free(dir);
}

/* A configuration file larger than this is not one. */
#define CFG_MAX_BYTES	(1024 * 1024)

/*
 * The whole of the file open on fd, NUL-terminated, read with crm's own
 * read (store-io.c): a master's crm.conf on a network mount whose
 * connection is cut while it is read fails here with the connection's
 * error. Given to libconfig through stdio, that error ended the process
 * inside its scanner ("input in flex scanner failed", status 2): stdio
 * reads with the C library's internal read, which crm does not see.
 * NULL with errno set, or EFBIG past CFG_MAX_BYTES.
 */
static char *
cfg_slurp(int fd, size_t *len)
{
	char	*buf = NULL;
	size_t	 size = 0, used = 0;
	ssize_t	 n;
	int	 saved;

	for (;;) {
		if (used == size) {
			if (size >= CFG_MAX_BYTES) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			size = size == 0 ? 4096 : size * 2;
			buf = xreallocarray(buf, 1, size + 1);
		}
		n = read(fd, buf + used, size - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			free(buf);
			errno = saved;
			return NULL;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	*len = used;
	return buf;
}

/* Is this error a lost connection or a failing disk, not the file? */
static int
cfg_lost(int err)
{
	return err == EIO || err == ENOTCONN || err == ESTALE ||
	    err == ECONNABORTED || err == EHOSTDOWN || err == EREMOTEIO;
}

/*
 * Read path into cf. Returns 1 if read, 0 if there is no such file, and
 * -1 with the problem in *msg ("PATH:LINE: reason").
 */
int
cfg_read(config_t *cf, const char *path, char **msg)
{
	struct stat	 sb;
	char		*file, *text;
	size_t		 len;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		goto failed;
	}
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		xasprintf(msg, "%s: is a directory, not a file", path);
		close(fd);
		return -1;
	}
	text = cfg_slurp(fd, &len);
	close(fd);
	if (text == NULL)
		goto failed;
	if (strlen(text) != len) {
		xasprintf(msg, "%s: holds a NUL byte: it is not a "
		    "configuration file; fix or remove it", path);
		free(text);
		return -1;
	}
	if (config_read_string(cf, text) != CONFIG_TRUE) {
		file = cfg_source(cf, config_error_file(cf), path);
		xasprintf(msg, "%s:%d: %s", file, config_error_line(cf),
		    config_error_text(cf));
		free(file);
		free(text);
		return -1;
	}
	free(text);
	return 1;

failed:
	if (cfg_lost(errno))
		xasprintf(msg, "%s could not be read (%s): the network or the "
		    "disk failed; check the connection and run the command "
		    "again", path, strerror(errno));
	else if (errno == EFBIG)
		xasprintf(msg, "%s: larger than %d MB: it is not a "
		    "configuration file; fix or remove it", path,
		    CFG_MAX_BYTES / (1024 * 1024));
	else
		xasprintf(msg, "%s: cannot read: %s", path, strerror(errno));
	return -1;
}

/* Returns what cfg_read does; every problem goes to errs. */
static int
cfg_load_file(const char *path, int where, int user, char **values,
    char **errs)
{
	config_t	 cf;
	char		*msg;
	int		 found;

	cfg_init(&cf, path);
	switch (found = cfg_read(&cf, path, &msg)) {
	case -1:
		cfg_complain(errs, "%s", msg);
		free(msg);
		break;
	case 1:
		cfg_walk(config_root_setting(&cf), NULL, path, where, user,
		    values, errs);
		break;
	}
	config_destroy(&cf);
	return found;
}

int
cfg_load(const char *dbdir)
{
	char	**values, *errs = NULL, *path;

	values = xcalloc(cfg_count(), sizeof *values);
	cfg_load_file(cfg_system_path(), CFG_USER, 0, values, &errs);
	if ((path = cfg_user_path()) != NULL) {
		cfg_load_file(path, CFG_USER, 1, values, &errs);
		free(path);
	}
	if (dbdir != NULL) {
		xasprintf(&path, "%s/crm.conf", dbdir);
		cfg_load_file(path, CFG_DATABASE, 0, values, &errs);
		free(path);
	}
	if (errs != NULL) {
		/* Keep what was loaded before: nothing half-read is used. */
		error_set("%s", errs);
		free(errs);
		cfg_values_free(values);
		return -1;
	}
	cfg_values_free(cfg_values);
	cfg_values = values;
	return 0;
}

int
cfg_peek(const char *dbdir, const char *key, char **value)
{
	const struct cfg_def	*def;
	char			**values, *errs = NULL, *path;
	size_t			 i;
	int			 found;

	if ((def = cfg_find(key)) == NULL)
		fatal("unknown configuration key %s", key);
	values = xcalloc(cfg_count(), sizeof *values);
	xasprintf(&path, "%s/crm.conf", dbdir);
	found = cfg_load_file(path, CFG_DATABASE, 0, values, &errs);
	free(path);
	if (errs != NULL) {
		error_set("%s", errs);
		free(errs);
		cfg_values_free(values);
		return -1;
	}
	i = def - cfg_table;
	*value = xstrdup(values[i] != NULL ? values[i] : def->def);
	cfg_values_free(values);
	return found;
}

void
cfg_free(void)
{
	cfg_values_free(cfg_values);
	cfg_values = NULL;
}

const char *
cfg_string(const char *key)
{
	return cfg_current(cfg_get(key, CFG_STRING));
}

long
cfg_int(const char *key)
{
	return strtol(cfg_current(cfg_get(key, CFG_INT)), NULL, 10);
}

int
cfg_bool(const char *key)
{
	return strcmp(cfg_current(cfg_get(key, CFG_BOOL)), "true") == 0;
}

char *
cfg_text(const char *key)
{
	const struct cfg_def	*def;

	if ((def = cfg_find(key)) == NULL)
		fatal("unknown configuration key %s", key);
	return xstrdup(cfg_current(def));
}

/*
 * Put key = text into cf, making the groups on the way and replacing a
 * setting of another type. Returns -1 if a group on the way is a value.
 */
static int
cfg_put(config_t *cf, const char *path, const struct cfg_def *def,
    const char *text)
{
	config_setting_t	*parent, *s;
	char			*copy, *name, *dot;
	int			 type = CONFIG_TYPE_STRING, retval = -1;

	switch (def->type) {
	case CFG_INT:
		type = CONFIG_TYPE_INT;
		break;
	case CFG_BOOL:
		type = CONFIG_TYPE_BOOL;
		break;
	case CFG_STRING:
		type = CONFIG_TYPE_STRING;
		break;
	}

	copy = name = xstrdup(def->key);
	parent = config_root_setting(cf);
	while ((dot = strchr(name, '.')) != NULL) {
		*dot = '\0';
		s = config_setting_get_member(parent, name);
		if (s == NULL)
			s = config_setting_add(parent, name, CONFIG_TYPE_GROUP);
		else if (!config_setting_is_group(s)) {
			error_set("%s:%u: %s must be a group; %s was not "
			    "changed", path, config_setting_source_line(s),
			    name, path);
			goto out;
		}
		if (s == NULL)
			fatal("cannot add group %s", name);
		parent = s;
		name = dot + 1;
	}
	s = config_setting_get_member(parent, name);
	if (s != NULL && config_setting_type(s) != type) {
		config_setting_remove(parent, name);
		s = NULL;
	}
	if (s == NULL && (s = config_setting_add(parent, name, type)) == NULL)
		fatal("cannot add setting %s", def->key);

	switch (def->type) {
	case CFG_INT:
		config_setting_set_int(s, (int)strtol(text, NULL, 10));
		break;
	case CFG_BOOL:
		config_setting_set_bool(s, strcmp(text, "true") == 0);
		break;
	case CFG_STRING:
		config_setting_set_string(s, text);
		break;
	}
	retval = 0;
out:
	free(copy);
	return retval;
}

/* Best effort: make the rename itself durable. */
static void
cfg_sync_dir(const char *dir)
{
	int	fd;

	if ((fd = open(dir, O_RDONLY|O_DIRECTORY)) == -1)
		return;
	fsync(fd);
	close(fd);
}

/*
 * Write cf to path (in dir) through tmp, header first: create tmp afresh
 * (0600), write, flush, fsync, rename over path. On failure tmp is removed
 * and path untouched.
 */
int
cfg_write(config_t *cf, const char *dir, const char *path, const char *tmp,
    const char *header)
{
	FILE	*f = NULL;
	int	 fd, error;

	if (unlink(tmp) != 0 && errno != ENOENT) {
		error_set("cannot remove %s: %s; %s was not changed", tmp,
		    strerror(errno), path);
		return -1;
	}
	if ((fd = open(tmp, O_CREAT|O_EXCL|O_WRONLY, 0600)) == -1) {
		error_set("cannot create %s: %s; %s was not changed", tmp,
		    strerror(errno), path);
		return -1;
	}
	/* The umask must not make it wider or narrower than 0600. */
	if (fchmod(fd, 0600) != 0)
		goto fail;
	if ((f = fdopen(fd, "w")) == NULL)
		goto fail;

	errno = 0;
	fputs(header, f);
	config_write(cf, f);
	if (fflush(f) != 0 || ferror(f))
		goto fail;
	if (fsync(fd) != 0)
		goto fail;
	if (fclose(f) != 0) {
		f = NULL;
		fd = -1;
		goto fail;
	}
	f = NULL;
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	cfg_sync_dir(dir);
	return 0;

fail:
	error = errno != 0 ? errno : EIO;
	if (f != NULL)
		fclose(f);
	else if (fd != -1)
		close(fd);
	unlink(tmp);
	error_set("cannot write %s: %s; %s was not changed", tmp,
	    strerror(error), path);
	return -1;
}

int
cfg_set(const char *dbdir, const char *key, const char *value)
{
	const struct cfg_def	*def;
	config_t		 cf;
	char			*text, *path, *tmp, *msg;
	int			 retval = -1;

	def = cfg_find(key);
	if (def == NULL || (~def->where & CFG_DATABASE)) {
		error_set("%s is not a database setting; see crm.conf(5)", key);
		return -1;
	}
	if ((text = cfg_parse(def, value)) == NULL) {
		msg = cfg_refusal(def, value);
		error_set("%s", msg);
		free(msg);
		return -1;
	}

	xasprintf(&path, "%s/crm.conf", dbdir);
	xasprintf(&tmp, "%s/crm.conf.tmp", dbdir);
	cfg_init(&cf, path);
	if (cfg_read(&cf, path, &msg) == -1) {
		error_set("%s; %s was not changed", msg, path);
		free(msg);
		goto out;
	}
	if (cfg_put(&cf, path, def, text) != 0)
		goto out;
	if (cfg_write(&cf, dbdir, path, tmp,
	    "# crm database settings: see crm.conf(5).\n"
	    "# Rewritten by \"crm config set\"; comments are not kept.\n\n")
	    != 0)
		goto out;

	/* The database's file is the last level: its value is the value. */
	if (cfg_values == NULL)
		cfg_values = xcalloc(cfg_count(), sizeof *cfg_values);
	free(cfg_values[def - cfg_table]);
	cfg_values[def - cfg_table] = text;
	text = NULL;
	retval = 0;
out:
	config_destroy(&cf);
	free(text);
	free(path);
	free(tmp);
	return retval;
}

const char *
cfg_system_path(void)
{
	const char	*path;

	if ((path = getenv("CRM_SYSCONF")) != NULL && *path != '\0')
		return path;
	return SYSCONFDIR "/crm.conf";
}

/* $XDG_CONFIG_HOME/crm/crm.conf, or ~/.config/crm/crm.conf; NULL if no home. */
char *
cfg_user_path(void)
{
	const char	*dir;
	struct passwd	*pw;
	char		*path;

	/* The XDG spec says a relative XDG_CONFIG_HOME is to be ignored. */
	if ((dir = getenv("XDG_CONFIG_HOME")) != NULL && *dir == '/') {
		xasprintf(&path, "%s/crm/crm.conf", dir);
		return path;
	}
	if ((dir = getenv("HOME")) == NULL || *dir == '\0') {
		if ((pw = getpwuid(getuid())) == NULL)
			return NULL;
		dir = pw->pw_dir;
	}
	xasprintf(&path, "%s/.config/crm/crm.conf", dir);
	return path;
}
