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

/* The paths of the system and user files (for messages and tests). */
const char	*cfg_system_path(void);
char		*cfg_user_path(void);

#endif
