/*
 * test-user: changing users after they are made (user_update,
 * user_set_password) and the rules shared by every face that adds or
 * changes one (user_rights_valid, user_password_valid).
 *
 * Each test makes a master with an administrator root (ROOT1), a user
 * anna (ANNA1) and a restricted remote user ben (BEN01).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"
#include "record.h"
#include "store.h"
#include "unit.h"
#include "user.h"

static struct store	*st;
static struct store_txn	*t;
static struct user	 root, anna, ben;

static void
open_master(void)
{
	CU_ASSERT_FATAL(model_create(unit_path("m"), STORE_MASTER) == 0);
	st = model_open(unit_path("m"), STORE_MASTER, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	unit_user(&root, "root", "ROOT1", "Root Admin", USER_ADMIN, 0, 0);
	unit_user(&anna, "anna", "ANNA1", "Anna Berg", USER_USER, 0, 0);
	unit_user(&ben, "ben", "BEN01", "Ben Field", USER_REMOTE, 1, 0);
	CU_ASSERT_FATAL(user_add(t, NULL, &root, "password", NULL) == 0);
	CU_ASSERT_FATAL(user_add(t, &root, &anna, "password", NULL) == 0);
	CU_ASSERT_FATAL(user_add(t, &root, &ben, "password", NULL) == 0);
}

static void
close_master(void)
{
	CU_ASSERT(store_commit(t) == 0);
	CU_ASSERT(store_close(st) == 0);
	user_clear(&root);
	user_clear(&anna);
	user_clear(&ben);
}

/* The user login as users.db has it now. */
static struct user
found(const char *login)
{
	struct user	u;

	memset(&u, 0, sizeof u);
	CU_ASSERT_FATAL(user_find_login(t, login, &u) == 0);
	return u;
}

static void
test_user_rights_valid(void)
{
	struct user	u;

	unit_user(&u, "eve", "EVE01", "Eve", USER_USER, 1, 0);
	CU_ASSERT(user_rights_valid(&u) == -1);
	CU_ASSERT(unit_error_has("only a remote user can be restricted"));
	u.type = USER_ADMIN;
	CU_ASSERT(user_rights_valid(&u) == -1);
	u.type = USER_REMOTE;
	CU_ASSERT(user_rights_valid(&u) == 0);
	u.restricted = 0;
	u.type = USER_USER;
	CU_ASSERT(user_rights_valid(&u) == 0);
	user_clear(&u);
}

static void
test_user_password_valid(void)
{
	CU_ASSERT(user_password_valid("eve", "abc") == -1);
	CU_ASSERT(unit_error_has("the password for eve is too short"));
	CU_ASSERT(user_password_valid("eve", "") == -1);
	CU_ASSERT(user_password_valid("eve", "abcd") == 0);
}

static void
test_user_add_refuses_restricted_non_remote(void)
{
	struct user	u;

	open_master();
	unit_user(&u, "eve", "EVE01", "Eve", USER_USER, 1, 0);
	CU_ASSERT(user_add(t, &root, &u, "password", NULL) == -1);
	CU_ASSERT(unit_error_has("remote"));
	user_clear(&u);
	CU_ASSERT(user_find_login(t, "eve", &u) == STORE_NOTFOUND);
	close_master();
}

static void
test_user_update_changes_name_type_rights(void)
{
	struct user	u, v;

	open_master();
	u = found("anna");
	free(u.name);
	u.name = strdup("Anna Lindqvist");
	u.type = USER_REMOTE;
	u.restricted = 1;
	u.may_change_manager = 1;
	CU_ASSERT(user_update(t, &root, &u) == 0);
	v = found("anna");
	CU_ASSERT_STRING_EQUAL(v.name, "Anna Lindqvist");
	CU_ASSERT_EQUAL(v.type, USER_REMOTE);
	CU_ASSERT_EQUAL(v.restricted, 1);
	CU_ASSERT_EQUAL(v.may_change_manager, 1);
	/* The password is the same. */
	CU_ASSERT(user_verify(&v, "password"));
	user_clear(&u);
	user_clear(&v);
	close_master();
}

static void
test_user_update_stamps_modifier(void)
{
	struct record	*r;
	struct user	 u;
	uint64_t	 before;

	open_master();
	u = found("anna");
	CU_ASSERT_FATAL(store_get(t, MODEL_USER, &u.id, &r) == 0);
	before = r->modified;
	record_free(r);
	u.type = USER_ADMIN;
	CU_ASSERT(user_update(t, &root, &u) == 0);
	CU_ASSERT_FATAL(store_get(t, MODEL_USER, &u.id, &r) == 0);
	CU_ASSERT(r->modified > before);
	CU_ASSERT_STRING_EQUAL(r->modified_by, "ROOT1");
	CU_ASSERT_STRING_EQUAL(record_value(r, "type"), "admin");
	record_free(r);
	user_clear(&u);
	close_master();
}

static void
test_user_update_refusals(void)
{
	struct user	u, v;

	open_master();
	/* Not an administrator. */
	u = found("ben");
	u.restricted = 0;
	CU_ASSERT(user_update(t, &anna, &u) == -1);
	CU_ASSERT(unit_error_has("only an administrator"));
	/* Restricted but not remote. */
	u.type = USER_USER;
	u.restricted = 1;
	CU_ASSERT(user_update(t, &root, &u) == -1);
	CU_ASSERT(unit_error_has("only a remote user can be restricted"));
	v = found("ben");
	CU_ASSERT_EQUAL(v.type, USER_REMOTE);
	user_clear(&v);
	user_clear(&u);
	/* No such user. */
	unit_user(&u, "nobody", "NOBO1", "", USER_USER, 0, 0);
	CU_ASSERT(user_update(t, &root, &u) == -1);
	CU_ASSERT(unit_error_has("there is no user nobody"));
	user_clear(&u);
	close_master();
}

static void
test_user_update_keeps_last_admin(void)
{
	struct user	u;

	open_master();
	u = found("root");
	u.type = USER_USER;
	CU_ASSERT(user_update(t, &root, &u) == -1);
	CU_ASSERT(unit_error_has("root is the only administrator"));
	user_clear(&u);
	u = found("root");
	CU_ASSERT_EQUAL(u.type, USER_ADMIN);
	user_clear(&u);
	/* With a second administrator, the first may step down. */
	u = found("anna");
	u.type = USER_ADMIN;
	CU_ASSERT(user_update(t, &root, &u) == 0);
	user_clear(&u);
	u = found("root");
	u.type = USER_USER;
	CU_ASSERT(user_update(t, &root, &u) == 0);
	user_clear(&u);
	u = found("root");
	CU_ASSERT_EQUAL(u.type, USER_USER);
	user_clear(&u);
	close_master();
}

static void
test_user_set_password(void)
{
	struct user	u;

	open_master();
	CU_ASSERT(user_set_password(t, &root, "anna", "new-secret") == 0);
	u = found("anna");
	CU_ASSERT(!user_verify(&u, "password"));
	CU_ASSERT(user_verify(&u, "new-secret"));
	CU_ASSERT(strncmp(u.hash, "$y$", 3) == 0);
	user_clear(&u);
	/* Everyone may set their own. */
	CU_ASSERT(user_set_password(t, &anna, "anna", "own-secret") == 0);
	u = found("anna");
	CU_ASSERT(user_verify(&u, "own-secret"));
	user_clear(&u);
	close_master();
}

static void
test_user_set_password_refusals(void)
{
	struct user	u;

	open_master();
	CU_ASSERT(user_set_password(t, &anna, "ben", "new-secret") == -1);
	CU_ASSERT(unit_error_has("only an administrator"));
	CU_ASSERT(user_set_password(t, &root, "ben", "abc") == -1);
	CU_ASSERT(unit_error_has("too short"));
	CU_ASSERT(user_set_password(t, &root, "nobody", "new-secret") == -1);
	CU_ASSERT(unit_error_has("there is no user nobody"));
	u = found("ben");
	CU_ASSERT(user_verify(&u, "password"));
	user_clear(&u);
	close_master();
}

static const struct unit_test tests[] = {
	{ "restricted goes with remote", test_user_rights_valid },
	{ "passwords of at least 4 characters", test_user_password_valid },
	{ "user_add refuses a restricted non-remote user",
	    test_user_add_refuses_restricted_non_remote },
	{ "user_update changes name, type and rights",
	    test_user_update_changes_name_type_rights },
	{ "user_update stamps the change and its modifier",
	    test_user_update_stamps_modifier },
	{ "user_update refusals", test_user_update_refusals },
	{ "the last administrator stays one",
	    test_user_update_keeps_last_admin },
	{ "user_set_password", test_user_set_password },
	{ "user_set_password refusals", test_user_set_password_refusals },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("user", tests);
}
