/*
 * test-rights: who may do what (RULES.md S12 deletions, S15 restricted
 * users), asked of the rights module with users and records built here.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "model.h"
#include "record.h"
#include "rights.h"
#include "store.h"
#include "unit.h"
#include "user.h"

/* A user built in place: no database, no password. */
static struct user
mkuser(const char *login, const char *uid, enum user_type type,
    int restricted, int may_change_manager)
{
	struct user	u;

	memset(&u, 0, sizeof u);
	u.login = (char *)login;
	snprintf(u.uid, sizeof u.uid, "%s", uid);
	u.type = type;
	u.restricted = restricted;
	u.may_change_manager = may_change_manager;
	return u;
}

static struct user
admin(void)
{
	return mkuser("root", "ROOT1", USER_ADMIN, 0, 0);
}

static struct user
anna(void)
{
	return mkuser("anna", "ANNA1", USER_USER, 0, 0);
}

static struct user
ben(void)
{
	return mkuser("ben", "BEN01", USER_REMOTE, 1, 0);
}

/* A record created by creator, with assigned_to set when given. */
static struct record *
mkrecord(const char *creator, const char *assigned_to)
{
	struct record	*r;

	r = record_new();
	record_id_new(&r->id, unit_now_ms);
	r->created = r->modified = 1;
	snprintf(r->created_by, sizeof r->created_by, "%s", creator);
	snprintf(r->modified_by, sizeof r->modified_by, "%s", creator);
	record_set(r, "subject", "Call back", 1);
	if (assigned_to != NULL)
		record_set(r, "assigned_to", assigned_to, 1);
	return r;
}


/* Every type there is, users included. */
static const int all_types[] = {
	MODEL_USER, MODEL_COMPANY, MODEL_CONTACT, MODEL_NOTE, MODEL_EVENT,
	MODEL_TASK, MODEL_OPPORTUNITY, MODEL_ISSUE, MODEL_CAMPAIGN,
	MODEL_TARGET, MODEL_DOCUMENT, MODEL_TEMPLATE
};
#define NTYPES (sizeof all_types / sizeof all_types[0])

/* --- login (S15) --- */

static void
test_rights_S15_restricted_cannot_login_master(void)
{
	struct user	b = ben();

	error_clear();
	CU_ASSERT_EQUAL(rights_may_login(&b, STORE_MASTER), 0);
	CU_ASSERT(unit_error_has("ben"));
	CU_ASSERT(unit_error_has("restricted"));
}

static void
test_rights_S15_restricted_may_login_local(void)
{
	struct user	b = ben();

	CU_ASSERT_EQUAL(rights_may_login(&b, STORE_LOCAL), 1);
}

static void
test_rights_S15_unrestricted_remote_may_login_master(void)
{
	struct user	r = mkuser("rita", "RITA1", USER_REMOTE, 0, 0);

	CU_ASSERT_EQUAL(rights_may_login(&r, STORE_MASTER), 1);
	CU_ASSERT_EQUAL(rights_may_login(&r, STORE_LOCAL), 1);
}

static void
test_rights_normal_users_login_both(void)
{
	struct user	a = anna(), r = admin();

	CU_ASSERT_EQUAL(rights_may_login(&a, STORE_MASTER), 1);
	CU_ASSERT_EQUAL(rights_may_login(&a, STORE_LOCAL), 1);
	CU_ASSERT_EQUAL(rights_may_login(&r, STORE_MASTER), 1);
	CU_ASSERT_EQUAL(rights_may_login(&r, STORE_LOCAL), 1);
}

/* --- administration --- */

static void
test_rights_admin_may_administer(void)
{
	struct user	r = admin();

	CU_ASSERT_EQUAL(rights_may_administer(&r), 1);
}

static void
test_rights_user_and_remote_may_not_administer(void)
{
	struct user	a = anna(), b = ben();
	struct user	c = mkuser("carl", "CARL1", USER_USER, 0, 1);

	error_clear();
	CU_ASSERT_EQUAL(rights_may_administer(&a), 0);
	CU_ASSERT(unit_error_has("anna"));
	CU_ASSERT(unit_error_has("administrator"));
	error_clear();
	CU_ASSERT_EQUAL(rights_may_administer(&b), 0);
	CU_ASSERT(unit_error_has("ben"));
	CU_ASSERT(unit_error_has("remote"));
	/* The right to change managers is no administration right. */
	CU_ASSERT_EQUAL(rights_may_administer(&c), 0);
}

/* --- deletions (S12) --- */

static void
test_rights_S12_admin_deletes_everything(void)
{
	struct user	 r = admin();
	struct record	*rec;
	size_t		 i;

	/* Created by and assigned to someone else, every type. */
	rec = mkrecord("ANNA1", "ANNA1");
	for (i = 0; i < NTYPES; i++)
		CU_ASSERT_EQUAL(rights_may_delete(&r, all_types[i], rec), 1);
	record_free(rec);
}

static void
test_rights_S12_task_assigned_to_self(void)
{
	struct user	 a = anna();
	struct record	*rec;

	/* Created by someone else, assigned to anna: hers to delete. */
	rec = mkrecord("ROOT1", "ANNA1");
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_TASK, rec), 1);
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_ISSUE, rec), 1);
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_EVENT, rec), 1);
	record_free(rec);
}

static void
test_rights_S12_task_assigned_to_other(void)
{
	struct user	 a = anna();
	struct record	*rec;
	const int	 types[] = { MODEL_TASK, MODEL_ISSUE, MODEL_EVENT };
	size_t		 i;

	/* Created by anna but assigned to ben: not hers to delete. */
	rec = mkrecord("ANNA1", "BEN01");
	for (i = 0; i < 3; i++) {
		error_clear();
		CU_ASSERT_EQUAL(rights_may_delete(&a, types[i], rec), 0);
		CU_ASSERT(unit_error_has("BEN01"));
		CU_ASSERT(unit_error_has(model_type(types[i])->name));
	}
	record_free(rec);
}

static void
test_rights_S12_task_unassigned(void)
{
	struct user	 a = anna();
	struct record	*rec;

	rec = mkrecord("ANNA1", NULL);
	error_clear();
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_TASK, rec), 0);
	CU_ASSERT(unit_error_has("assigned"));
	record_free(rec);
}

static void
test_rights_S12_created_by_self(void)
{
	struct user	 a = anna();
	struct record	*rec;
	const int	 types[] = { MODEL_COMPANY, MODEL_CONTACT, MODEL_NOTE,
			    MODEL_OPPORTUNITY };
	size_t		 i;

	/* Assigned elsewhere does not matter for these types. */
	rec = mkrecord("ANNA1", "BEN01");
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(rights_may_delete(&a, types[i], rec), 1);
	record_free(rec);
}

static void
test_rights_S12_created_by_other(void)
{
	struct user	 a = anna();
	struct record	*rec;
	const int	 types[] = { MODEL_COMPANY, MODEL_CONTACT, MODEL_NOTE,
			    MODEL_OPPORTUNITY };
	size_t		 i;

	/* Assigned to anna does not help: only the creator counts. */
	rec = mkrecord("ROOT1", "ANNA1");
	record_set(rec, "account_manager", "ANNA1", 1);
	for (i = 0; i < 4; i++) {
		error_clear();
		CU_ASSERT_EQUAL(rights_may_delete(&a, types[i], rec), 0);
		CU_ASSERT(unit_error_has("ROOT1"));
		CU_ASSERT(unit_error_has(model_type(types[i])->name));
	}
	record_free(rec);
}

static void
test_rights_S12_campaigns_and_targets_always(void)
{
	struct user	 a = anna(), b = ben();
	struct record	*rec;

	rec = mkrecord("ROOT1", "ROOT1");
	record_set(rec, "account_manager", "ROOT1", 1);
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_CAMPAIGN, rec), 1);
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_TARGET, rec), 1);
	CU_ASSERT_EQUAL(rights_may_delete(&b, MODEL_CAMPAIGN, rec), 1);
	CU_ASSERT_EQUAL(rights_may_delete(&b, MODEL_TARGET, rec), 1);
	record_free(rec);
}

static void
test_rights_S12_users_never_for_non_admins(void)
{
	struct user	 a = anna(), b = ben();
	struct user	 c = mkuser("carl", "CARL1", USER_USER, 0, 1);
	struct record	*rec;

	/* Not even the record of the user themselves, nor one they made. */
	rec = mkrecord("ANNA1", "ANNA1");
	record_set(rec, "uid", "ANNA1", 1);
	error_clear();
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_USER, rec), 0);
	CU_ASSERT(unit_error_has("administrator"));
	CU_ASSERT_EQUAL(rights_may_delete(&b, MODEL_USER, rec), 0);
	CU_ASSERT_EQUAL(rights_may_delete(&c, MODEL_USER, rec), 0);
	record_free(rec);
}

static void
test_rights_S12_documents_and_templates_by_creator(void)
{
	struct user	 a = anna();
	struct record	*mine, *theirs;

	/* Beyond S12: attachments and templates go with their creator. */
	mine = mkrecord("ANNA1", NULL);
	theirs = mkrecord("ROOT1", NULL);
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_DOCUMENT, mine), 1);
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_TEMPLATE, mine), 1);
	error_clear();
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_DOCUMENT, theirs), 0);
	CU_ASSERT(unit_error_has("ROOT1"));
	error_clear();
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_TEMPLATE, theirs), 0);
	CU_ASSERT(unit_error_has("ROOT1"));
	record_free(mine);
	record_free(theirs);
}

static void
test_rights_S12_restricted_same_rules(void)
{
	struct user	 b = ben();
	struct record	*mine, *theirs;

	/* A restricted remote user is held to the same rules. */
	mine = mkrecord("BEN01", "BEN01");
	theirs = mkrecord("ANNA1", "ANNA1");
	CU_ASSERT_EQUAL(rights_may_delete(&b, MODEL_TASK, mine), 1);
	CU_ASSERT_EQUAL(rights_may_delete(&b, MODEL_CONTACT, mine), 1);
	CU_ASSERT_EQUAL(rights_may_delete(&b, MODEL_TASK, theirs), 0);
	CU_ASSERT_EQUAL(rights_may_delete(&b, MODEL_CONTACT, theirs), 0);
	record_free(mine);
	record_free(theirs);
}

static void
test_rights_S12_uid_must_match_exactly(void)
{
	struct user	 a = anna();
	struct record	*rec;

	/* User IDs are compared whole: no prefix, no case folding. */
	rec = mkrecord("anna1", "anna1");
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_TASK, rec), 0);
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_COMPANY, rec), 0);
	record_free(rec);
	rec = mkrecord("ANNA", "ANNA");
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_TASK, rec), 0);
	CU_ASSERT_EQUAL(rights_may_delete(&a, MODEL_COMPANY, rec), 0);
	record_free(rec);
}

/* --- account managers (S15) --- */

static void
test_rights_S15_admin_may_change_manager(void)
{
	struct user	r = admin();

	CU_ASSERT_EQUAL(rights_may_change_manager(&r), 1);
}

static void
test_rights_S15_user_with_right_may_change_manager(void)
{
	struct user	c = mkuser("carl", "CARL1", USER_USER, 0, 1);
	struct user	d = mkuser("dora", "DORA1", USER_REMOTE, 1, 1);

	CU_ASSERT_EQUAL(rights_may_change_manager(&c), 1);
	CU_ASSERT_EQUAL(rights_may_change_manager(&d), 1);
}

static void
test_rights_S15_user_without_right_cannot_change_manager(void)
{
	struct user	a = anna(), b = ben();

	error_clear();
	CU_ASSERT_EQUAL(rights_may_change_manager(&a), 0);
	CU_ASSERT(unit_error_has("anna"));
	error_clear();
	CU_ASSERT_EQUAL(rights_may_change_manager(&b), 0);
	CU_ASSERT(unit_error_has("ben"));
}

/* --- assignment (S15) --- */

static void
test_rights_S15_restricted_may_assign_self(void)
{
	struct user	b = ben();

	CU_ASSERT_EQUAL(rights_may_assign(&b, "BEN01"), 1);
}

static void
test_rights_S15_restricted_cannot_assign_others(void)
{
	struct user	b = ben();

	error_clear();
	CU_ASSERT_EQUAL(rights_may_assign(&b, "ANNA1"), 0);
	CU_ASSERT(unit_error_has("ben"));
	CU_ASSERT(unit_error_has("ANNA1"));
	CU_ASSERT_EQUAL(rights_may_assign(&b, "ben01"), 0);
	CU_ASSERT_EQUAL(rights_may_assign(&b, "BEN0"), 0);
}

static void
test_rights_S15_unrestricted_may_assign_others(void)
{
	struct user	a = anna(), r = admin();
	struct user	q = mkuser("quinn", "QUIN1", USER_REMOTE, 0, 0);

	CU_ASSERT_EQUAL(rights_may_assign(&a, "BEN01"), 1);
	CU_ASSERT_EQUAL(rights_may_assign(&a, "ANNA1"), 1);
	CU_ASSERT_EQUAL(rights_may_assign(&r, "ANNA1"), 1);
	CU_ASSERT_EQUAL(rights_may_assign(&q, "ANNA1"), 1);
}

/* --- settings and users --- */

static void
test_rights_configure(void)
{
	struct user	a = admin(), u = anna(), r = ben();

	CU_ASSERT_EQUAL(rights_may_configure(&a, STORE_MASTER), 1);
	CU_ASSERT_EQUAL(rights_may_configure(&u, STORE_MASTER), 0);
	CU_ASSERT(unit_error_has("only an administrator may change the "
	    "master's settings; anna is a user"));
	/* A local is its own user's. */
	CU_ASSERT_EQUAL(rights_may_configure(&u, STORE_LOCAL), 1);
	CU_ASSERT_EQUAL(rights_may_configure(&r, STORE_LOCAL), 1);
}

static void
test_rights_manage_users(void)
{
	struct user	a = admin(), u = anna();

	CU_ASSERT_EQUAL(rights_may_manage_users(&a, STORE_MASTER), 1);
	CU_ASSERT_EQUAL(rights_may_manage_users(&u, STORE_MASTER), 0);
	CU_ASSERT(unit_error_has("only an administrator"));
	/* Users are the master's, even for an administrator. */
	CU_ASSERT_EQUAL(rights_may_manage_users(&a, STORE_LOCAL), 0);
	CU_ASSERT(unit_error_has("users are managed on the master"));
}

static void
test_rights_set_password(void)
{
	struct user	a = admin(), u = anna();

	CU_ASSERT_EQUAL(rights_may_set_password(&a, "anna"), 1);
	CU_ASSERT_EQUAL(rights_may_set_password(&u, "anna"), 1);
	CU_ASSERT_EQUAL(rights_may_set_password(&u, "root"), 0);
	CU_ASSERT(unit_error_has("only an administrator may set another "
	    "user's password"));
}

/* --- what a restricted user sees on a screen (S15) --- */

/* A target of some campaign managed by manager. */
static struct record *
mktarget(const char *manager, const char *responded)
{
	struct record	*r = mkrecord("ROOT1", NULL);

	record_set(r, "account_manager", manager, 1);
	record_set(r, "responded", responded, 1);
	return r;
}

static void
test_rights_S15_restricted_sees_own_targets_only(void)
{
	struct user	 b = ben();
	struct record	*mine = mktarget("BEN01", "no");
	struct record	*other = mktarget("ANNA1", "yes");
	struct record	*none = mktarget("", "no");

	CU_ASSERT_EQUAL(rights_may_see(NULL, &b, MODEL_TARGET, mine), 1);
	error_clear();
	CU_ASSERT_EQUAL(rights_may_see(NULL, &b, MODEL_TARGET, other), 0);
	CU_ASSERT(unit_error_has("ben"));
	CU_ASSERT(unit_error_has("restricted"));
	CU_ASSERT(unit_error_has("targets"));
	CU_ASSERT(unit_error_has("ANNA1"));
	error_clear();
	CU_ASSERT_EQUAL(rights_may_see(NULL, &b, MODEL_TARGET, none), 0);
	CU_ASSERT(unit_error_has("target"));
	/* Companies and contacts alike; campaigns always. */
	CU_ASSERT_EQUAL(rights_may_see(NULL, &b, MODEL_COMPANY, mine), 1);
	CU_ASSERT_EQUAL(rights_may_see(NULL, &b, MODEL_CONTACT, other), 0);
	CU_ASSERT(unit_error_has("contacts"));
	CU_ASSERT_EQUAL(rights_may_see(NULL, &b, MODEL_CAMPAIGN, other), 1);
	record_free(mine);
	record_free(other);
	record_free(none);
}

static void
test_rights_S15_unrestricted_see_all_targets(void)
{
	struct user	 a = anna(), r = admin();
	struct user	 q = mkuser("quinn", "QUIN1", USER_REMOTE, 0, 0);
	/* An administrator flagged restricted is still an administrator. */
	struct user	 ra = mkuser("boss", "BOSS1", USER_ADMIN, 1, 0);
	struct record	*other = mktarget("BEN01", "no");

	CU_ASSERT_EQUAL(rights_may_see(NULL, &a, MODEL_TARGET, other), 1);
	CU_ASSERT_EQUAL(rights_may_see(NULL, &r, MODEL_TARGET, other), 1);
	CU_ASSERT_EQUAL(rights_may_see(NULL, &q, MODEL_TARGET, other), 1);
	CU_ASSERT_EQUAL(rights_may_see(NULL, &ra, MODEL_TARGET, other), 1);
	/* Only the restricted one's counts are cut to their own. */
	CU_ASSERT_EQUAL(rights_limited(&a), 0);
	CU_ASSERT_EQUAL(rights_limited(&r), 0);
	CU_ASSERT_EQUAL(rights_limited(&q), 0);
	CU_ASSERT_EQUAL(rights_limited(&ra), 0);
	{
		struct user	b = ben();

		CU_ASSERT_EQUAL(rights_limited(&b), 1);
	}
	record_free(other);
}

static const struct unit_test tests[] = {
	{ "S15 restricted user cannot log in to a master",
	    test_rights_S15_restricted_cannot_login_master },
	{ "S15 restricted user may log in to a local",
	    test_rights_S15_restricted_may_login_local },
	{ "S15 unrestricted remote user may log in anywhere",
	    test_rights_S15_unrestricted_remote_may_login_master },
	{ "normal users log in to master and local",
	    test_rights_normal_users_login_both },
	{ "admin may administer", test_rights_admin_may_administer },
	{ "user and remote may not administer",
	    test_rights_user_and_remote_may_not_administer },
	{ "S12 admin deletes every type", test_rights_S12_admin_deletes_everything },
	{ "S12 task/issue/event assigned to self",
	    test_rights_S12_task_assigned_to_self },
	{ "S12 task/issue/event assigned to other",
	    test_rights_S12_task_assigned_to_other },
	{ "S12 task assigned to nobody", test_rights_S12_task_unassigned },
	{ "S12 company/contact/note/opportunity created by self",
	    test_rights_S12_created_by_self },
	{ "S12 company/contact/note/opportunity created by other",
	    test_rights_S12_created_by_other },
	{ "S12 campaigns and targets always",
	    test_rights_S12_campaigns_and_targets_always },
	{ "S12 users never for non-admins",
	    test_rights_S12_users_never_for_non_admins },
	{ "S12 documents and templates by creator",
	    test_rights_S12_documents_and_templates_by_creator },
	{ "S12 restricted user, same rules",
	    test_rights_S12_restricted_same_rules },
	{ "S12 user IDs compared exactly",
	    test_rights_S12_uid_must_match_exactly },
	{ "S15 admin may change manager",
	    test_rights_S15_admin_may_change_manager },
	{ "S15 user with the right may change manager",
	    test_rights_S15_user_with_right_may_change_manager },
	{ "S15 user without the right cannot change manager",
	    test_rights_S15_user_without_right_cannot_change_manager },
	{ "S15 restricted user may assign to self",
	    test_rights_S15_restricted_may_assign_self },
	{ "S15 restricted user cannot assign to others",
	    test_rights_S15_restricted_cannot_assign_others },
	{ "S15 unrestricted user may assign to others",
	    test_rights_S15_unrestricted_may_assign_others },
	/* Settings and users. */
	{ "settings: administrators on a master, anyone on a local",
	    test_rights_configure },
	{ "users: administrators, on a master only", test_rights_manage_users },
	{ "passwords: administrators, and one's own",
	    test_rights_set_password },
	{ "S15 restricted user sees only their own targets",
	    test_rights_S15_restricted_sees_own_targets_only },
	{ "S15 unrestricted users see every target",
	    test_rights_S15_unrestricted_see_all_targets },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("rights", tests);
}
