/*
 * dblist: the databases the login screen offers (Select, Add, Remove),
 * kept in the user's crm.conf ($XDG_CONFIG_HOME/crm/crm.conf) as a list:
 *
 *	databases = ( { name = "Office"; dir = "/mnt/crm"; }, ... );
 *
 * cfg_load only lets the key be in that file (CFG_DBLIST); this module
 * reads, checks and writes it. A change rewrites the file whole, as
 * cfg_set does a database's: the other settings are kept, comments are
 * not. Directories are kept as absolute paths, in the order they were
 * added.
 */
#ifndef CRM_DBLIST_H
#define CRM_DBLIST_H

#include <stddef.h>

struct dblist_entry {
	char		*name;		/* as the login screen shows it */
	char		*dir;		/* absolute, resolved when added */
};

struct dblist {
	struct dblist_entry	*v;
	size_t			 n;
};

/*
 * Read the user's list into *dl, which need not be initialised (free an
 * earlier list first). A missing file or key is an empty list. Returns -1
 * with every problem "PATH:LINE: reason" and *dl empty if the file cannot
 * be parsed or the list is malformed: an entry without a name or dir, a
 * relative dir, a name or dir given twice.
 */
int		 dblist_load(struct dblist *dl);
/* Free the entries; *dl is then empty. Cannot fail. */
void		 dblist_free(struct dblist *dl);

/*
 * Add dir (made absolute) to the end of the list, once dblist_check
 * accepts it, and rewrite the user's file with the list; dl must be as
 * dblist_load read it. name NULL or "": DIR/crm.conf's db.name, else the
 * directory's last component. A dir or name already listed is refused.
 * Returns -1 with the error, and dl and the file unchanged, on failure.
 */
int		 dblist_add(struct dblist *dl, const char *name,
		    const char *dir);
/*
 * Remove entry i (i < dl->n, or fatal) and rewrite the user's file; -1
 * with the error, and dl and the file unchanged, on failure.
 */
int		 dblist_remove(struct dblist *dl, size_t i);

/*
 * Is dir a crm database: a directory whose crm.conf is readable, passes
 * cfg_load's checks and sets db.role to "master" or "local"? Returns 1,
 * or 0 with the error saying why.
 */
int		 dblist_check(const char *dir);

#endif
