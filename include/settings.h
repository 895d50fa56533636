/*
 * settings: changing a database's own settings (DIR/crm.conf) for `crm
 * config set` and the settings screen alike: who may change what (asked
 * of rights), which keys a person may set at all, and a local's master
 * location checked against the master before it is written. cfg_set
 * does the writing (a temporary file, fsync, rename, mode 0600).
 */
#ifndef CRM_SETTINGS_H
#define CRM_SETTINGS_H

#include "store.h"

struct user;

/*
 * Set key to value in the database in dir as actor. db.master (a local
 * only) must name the master the local was made from, checked by logging
 * in there as actor with password: st is the local, open, and wait the
 * seconds to wait for the master's attach lock; a directory is stored as
 * an absolute path, HOST:/PATH as written. The rest of db.* is crm
 * init's, and a local follows its master's sync.* settings but those
 * that say how it reaches the master. Returns 0, or -1 with a message
 * and crm.conf untouched.
 */
int	 settings_set(const char *dir, struct store *st, enum store_role,
	    const struct user *actor, const char *password, const char *key,
	    const char *value, int wait);

/*
 * A path as a person types it, made absolute: "~/x" under $HOME, a
 * relative one under the current directory, and symbolic links resolved
 * when it exists. Free it.
 */
char	*settings_path(const char *);

#endif
