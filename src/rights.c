/*
 * rights: the one place that says what a user may do. The model's checks
 * (model.c) and user.c ask here; the rights read only the types
 * (model-type.c) and a user's record (user-record.c), below them.
 */
#include "config.h"

#include <string.h>

#include "error.h"
#include "model.h"
#include "rights.h"
#include "user.h"

int
rights_may_login(const struct user *u, enum store_role role)
{
	if (role == STORE_MASTER && u->restricted) {
		error_set("%s is a restricted user and cannot work in the "
		    "master directly: work in your local database and sync",
		    u->login);
		return 0;
	}
	return 1;
}

int
rights_may_administer(const struct user *u)
{
	if (u->type != USER_ADMIN) {
		error_set("only an administrator may do this; %s is a %s",
		    u->login, user_type_name(u->type));
		return 0;
	}
	return 1;
}

int
rights_may_configure(const struct user *u, enum store_role role)
{
	/* A local is its own user's; a master's settings bind everyone. */
	if (role == STORE_LOCAL || u->type == USER_ADMIN)
		return 1;
	error_set("only an administrator may change the master's settings; "
	    "%s is a %s", u->login, user_type_name(u->type));
	return 0;
}

int
rights_may_manage_users(const struct user *u, enum store_role role)
{
	if (role == STORE_LOCAL) {
		error_set("users are managed on the master, not in a local: "
		    "an administrator changes them there and the next sync "
		    "brings the change");
		return 0;
	}
	return rights_may_administer(u);
}

int
rights_may_set_password(const struct user *u, const char *login)
{
	if (u->type == USER_ADMIN || strcmp(u->login, login) == 0)
		return 1;
	error_set("only an administrator may set another user's password; "
	    "%s is a %s", u->login, user_type_name(u->type));
	return 0;
}

int
rights_may_delete(const struct user *u, int type, const struct record *r)
{
	const char	*tn = model_type(type)->name;

	if (u->type == USER_ADMIN)
		return 1;
	switch (type) {
	case MODEL_TASK:
	case MODEL_ISSUE:
	case MODEL_EVENT:
		if (strcmp(record_value(r, "assigned_to"), u->uid) == 0)
			return 1;
		error_set("you may delete only the %ss assigned to you; this "
		    "one is assigned to %s", tn, record_value(r, "assigned_to"));
		return 0;
	case MODEL_COMPANY:
	case MODEL_CONTACT:
	case MODEL_NOTE:
	case MODEL_OPPORTUNITY:
		if (strcmp(r->created_by, u->uid) == 0)
			return 1;
		error_set("you may delete only the %s records you created; "
		    "this one was created by %s: ask an administrator", tn,
		    r->created_by);
		return 0;
	case MODEL_CAMPAIGN:
	case MODEL_TARGET:
		return 1;
	case MODEL_DOCUMENT:
	case MODEL_TEMPLATE:
		if (strcmp(r->created_by, u->uid) == 0)
			return 1;
		error_set("you may delete only the %ss you added; this one "
		    "was added by %s", tn, r->created_by);
		return 0;
	default:
		error_set("only an administrator may delete a %s", tn);
		return 0;
	}
}

int
rights_may_change_manager(const struct user *u)
{
	if (u->type == USER_ADMIN || u->may_change_manager)
		return 1;
	error_set("%s may not change account managers: an administrator can "
	    "give that right with crm user add --may-change-manager", u->login);
	return 0;
}

int
rights_may_assign(const struct user *u, const char *uid)
{
	if (strcmp(uid, u->uid) == 0 || !u->restricted ||
	    u->type == USER_ADMIN)
		return 1;
	error_set("%s is a restricted user and may assign work only to "
	    "themselves (%s), not to %s", u->login, u->uid, uid);
	return 0;
}

/* Is the record of this type and ID (text form) in scope? */
static int
rights_ref_in_scope(struct store_txn *t, const struct user *u, int type,
    const char *ref)
{
	struct record_id	 id;
	struct record		*r;
	int			 ret, i;

	if (*ref == '\0' || record_id_parse(ref, &id) != 0)
		return 0;
	for (i = 0; i < MODEL_NTYPES; i++) {
		if (type != MODEL_ANY && i != type)
			continue;
		if ((ret = store_get(t, (size_t)i, &id, &r)) == -1)
			return -1;
		if (ret == 0) {
			ret = rights_in_scope(t, u, i, r);
			record_free(r);
			return ret;
		}
	}
	return 0;
}

int
rights_in_scope(struct store_txn *t, const struct user *u, int type,
    const struct record *r)
{
	const char	*owner;
	int		 ret;

	if (!rights_limited(u))
		return 1;
	switch (type) {
	case MODEL_USER:
	case MODEL_CAMPAIGN:
	case MODEL_TEMPLATE:
		return 1;
	case MODEL_COMPANY:
	case MODEL_CONTACT:
	case MODEL_TARGET:
		return strcmp(record_value(r, "account_manager"), u->uid) == 0;
	case MODEL_DOCUMENT:
		return rights_ref_in_scope(t, u, MODEL_ANY,
		    record_value(r, "parent"));
	default:
		break;
	}
	/* Notes, events, tasks, opportunities, issues: through their links. */
	if (*record_value(r, "company") != '\0' ||
	    *record_value(r, "contact") != '\0') {
		ret = rights_ref_in_scope(t, u, MODEL_COMPANY,
		    record_value(r, "company"));
		if (ret != 0)
			return ret;
		return rights_ref_in_scope(t, u, MODEL_CONTACT,
		    record_value(r, "contact"));
	}
	owner = record_get(r, "assigned_to");
	if (owner == NULL)
		owner = record_value(r, "account_manager");
	return strcmp(owner, u->uid) == 0 || strcmp(r->created_by, u->uid) == 0;
}

int
rights_may_write(struct store_txn *t, const struct user *u, int type,
    const struct record *r)
{
	const struct model_type	*mt = model_type(type);
	const struct model_field *mf;
	const char		*v;
	size_t			 i;
	int			 ret;

	if (!rights_limited(u))
		return 1;
	if ((ret = rights_in_scope(t, u, type, r)) != 1) {
		if (ret == 0)
			error_set("outside your scope: %s is a restricted user "
			    "and this %s would not be one of their accounts'",
			    u->login, mt->name);
		return ret;
	}
	for (i = 0; i < mt->nfields; i++) {
		mf = &mt->fields[i];
		if (mf->kind != MODEL_REF || mf->ref_type == MODEL_CAMPAIGN)
			continue;
		v = record_value(r, mf->name);
		if (*v == '\0')
			continue;
		if ((ret = rights_ref_in_scope(t, u, mf->ref_type, v)) != 1) {
			if (ret == 0)
				error_set("outside your scope: this %s refers "
				    "to a %s that is not one of %s's accounts "
				    "(%s %s)", mt->name, mf->ref_type ==
				    MODEL_ANY ? "record" :
				    model_type(mf->ref_type)->name, u->login,
				    mf->name, v);
			return ret;
		}
	}
	return 1;
}

int
rights_may_see(struct store_txn *t, const struct user *u, int type,
    const struct record *r)
{
	const char	*owner;
	int		 ret;

	if ((ret = rights_in_scope(t, u, type, r)) != 0)
		return ret;
	owner = record_value(r, "account_manager");
	if (*owner != '\0')
		error_set("%s is a restricted user and sees only the %s they "
		    "manage; this one is managed by %s", u->login,
		    model_type(type)->plural, owner);
	else
		error_set("%s is a restricted user and sees only their own "
		    "accounts' records; this %s is outside them", u->login,
		    model_type(type)->name);
	return 0;
}

int
rights_limited(const struct user *u)
{
	return u->restricted && u->type != USER_ADMIN;
}
