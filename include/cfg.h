/*
 * cfg: configuration through libconfig, at three levels, later ones
 * overriding earlier: SYSCONFDIR/crm.conf, $XDG_CONFIG_HOME/crm/crm.conf
 * (the user's), and DIR/crm.conf (the database's own).
 *
 * Every setting is a row of one table {"section.key", type, default}; a
 * key found in a file but not in the table is reported, as is a value of
 * the wrong type. Errors are collected with file and line and reported
 * together. Sync state never lives here: it belongs in meta.db, in the
 * same transaction as the data.
 */
#ifndef CRM_CFG_H
#define CRM_CFG_H

enum cfg_type {
	CFG_STRING,
	CFG_INT,
	CFG_BOOL
};

/* Where a setting may be written. */
#define CFG_DATABASE	0x1	/* DIR/crm.conf: `crm config set` writes it */
#define CFG_USER	0x2	/* the system or the user's file */
#define CFG_REACH	0x4	/* how a local reaches its master: the local's */

struct cfg_def {
	const char	*key;		/* "sync.update_window_days" */
	enum cfg_type	 type;
	const char	*def;		/* default, as text */
	int		 where;		/* CFG_DATABASE, CFG_USER */
	const char	*help;		/* one line for crm.conf(5) and --help */
};

extern const struct cfg_def cfg_table[];

/*
 * Load the three levels (dbdir may be NULL: then only the first two).
 * Returns -1 with every problem in the error, each "PATH:LINE: reason".
 * A missing file is not an error.
 */
int		 cfg_load(const char *dbdir);
void		 cfg_free(void);

const struct cfg_def *cfg_find(const char *key);
/* Current values (the default when no file sets the key). */
const char	*cfg_string(const char *key);
long		 cfg_int(const char *key);
int		 cfg_bool(const char *key);
/* The value as text, as `crm config get` prints it; free it. */
char		*cfg_text(const char *key);

/*
 * Set a key in DIR/crm.conf after checking its name and type; the file is
 * rewritten whole (a temporary file, fsync, rename) with mode 0600.
 */
int		 cfg_set(const char *dbdir, const char *key, const char *value);

/*
 * One setting as DIR/crm.conf alone sets it, the file checked whole as
 * cfg_load checks it, without changing the loaded values: *value is the
 * value or the default (free it). Returns 1, 0 if there is no such file
 * (*value is then the default), or -1 with every problem in the error.
 */
int		 cfg_peek(const char *dbdir, const char *key, char **value);

/* The paths of the system and user files (for messages and tests). */
const char	*cfg_system_path(void);
char		*cfg_user_path(void);

/*
 * The user's file may also hold, at its top level, the login screen's
 * list of databases: dblist.c reads, checks and writes it, and cfg_load
 * lets it be there. In any other file it is an unknown setting.
 */
#define CFG_DBLIST	"databases"

/*
 * For a module that keeps settings of its own in a crm.conf (dblist.c), so
 * that every file is read, named in messages and rewritten the same way.
 * A struct config_t is libconfig's config_t.
 */
struct config_t;

/* config_init with crm's options; @include relative to path's directory. */
void		 cfg_init(struct config_t *, const char *path);
/* Returns 1 if read, 0 if no such file, -1 with *msg "PATH:LINE: reason". */
int		 cfg_read(struct config_t *, const char *path, char **msg);
/* Add a line to *errs, the problems collected so far (NULL: none). */
void		 cfg_complain(char **errs, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* The file a setting comes from (libconfig's name for it, or path). */
char		*cfg_source(const struct config_t *, const char *file,
		    const char *path);
/*
 * Write the header then the settings to tmp in dir (mode 0600), fsync and
 * rename it over path; -1 with the error, path untouched, if that fails.
 */
int		 cfg_write(struct config_t *, const char *dir,
		    const char *path, const char *tmp, const char *header);

#endif
