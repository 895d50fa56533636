/*
 * rights: the one place that says what a user may do.
 *
 * Every function returns 1 when the user may, and 0 when not, with the
 * error set to a sentence a person can act on. The screens, the command
 * line and sync all ask here.
 */
#ifndef CRM_RIGHTS_H
#define CRM_RIGHTS_H

#include "record.h"
#include "store.h"

struct user;

/* May u work in a database of this role? (Restricted users: no master.) */
int	rights_may_login(const struct user *, enum store_role);
/* Users, database settings and other administration. */
int	rights_may_administer(const struct user *);
/* May u change the settings of a database of this role? */
int	rights_may_configure(const struct user *, enum store_role);
/* May u add and change users here? Administrators, on a master only. */
int	rights_may_manage_users(const struct user *, enum store_role);
/* May u set login's password? Administrators, and everyone their own. */
int	rights_may_set_password(const struct user *, const char *login);
/*
 * May u delete this record (RULES.md S12)? Administrators always; others:
 * tasks, issues and events assigned to them; companies, contacts, notes and
 * opportunities they created; campaigns and targets always.
 */
int	rights_may_delete(const struct user *, int type, const struct record *);
/* May u set an account manager other than the one a record has? */
int	rights_may_change_manager(const struct user *);
/* May u assign a task, issue or event to uid (S15)? */
int	rights_may_assign(const struct user *, const char *uid);

/*
 * Is this record in u's scope (S15), judged from the master's data in t?
 * Unrestricted users see everything. A restricted user sees the companies
 * and contacts they manage, the notes, events, tasks, opportunities and
 * issues of those, all campaigns, their own targets, the documents of what
 * they see, all templates and all users. Returns 1, 0, or -1 on error.
 */
int	rights_in_scope(struct store_txn *t, const struct user *, int type,
	    const struct record *);
/*
 * May u write this version of a record (RULES.md T4)? Judged from the
 * master's data in t: a restricted user's record must stay in their
 * scope, and every record it refers to must be in it too, so that an
 * edit cannot move a note or a contact onto someone else's company.
 * Returns 1; 0 with the error set to the reason; -1 on a store error.
 */
int	rights_may_write(struct store_txn *t, const struct user *, int type,
	    const struct record *);
/*
 * May u see this record on a screen (S15)? What a restricted user's local
 * would hold after a sync: on a master or on another user's local a
 * restricted user's lists are cut to that, so that a campaign shows them
 * only their own targets wherever they work. Returns 1; 0 with the error
 * set to the reason; -1 on a store error.
 */
int	rights_may_see(struct store_txn *t, const struct user *, int type,
	    const struct record *);
/*
 * Is u's view cut to their own accounts (S15), so that a screen's counts
 * must say they count only u's records? Cannot fail.
 */
int	rights_limited(const struct user *);

#endif
