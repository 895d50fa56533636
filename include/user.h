/*
 * user: the people who use a database, kept as records in users.db.
 *
 * Passwords are hashed with yescrypt through libcrypt; a hash never leaves
 * this module except into its record.
 */
#ifndef CRM_USER_H
#define CRM_USER_H

#include "record.h"
#include "store.h"

enum user_type {
	USER_ADMIN,
	USER_USER,
	USER_REMOTE
};

struct user {
	struct record_id id;
	char		*login;
	char		 uid[RECORD_UID_SIZE + 1];
	char		*name;
	enum user_type	 type;
	int		 restricted;
	int		 may_change_manager;
	char		*hash;
};

/*
 * A user's record read (src/user-record.c): below the rights and the
 * model's checks, which use it.
 */

/* Fill u from a users.db record; -1 (error set) if it is not a valid user. */
int		 user_from_record(const struct record *, struct user *);
void		 user_clear(struct user *);

/* Find a live user: 0, STORE_NOTFOUND or -1. */
int		 user_find_login(struct store_txn *, const char *login,
		    struct user *);
int		 user_find_uid(struct store_txn *, const char *uid,
		    struct user *);

const char	*user_type_name(enum user_type);
/* -1 (error set) for an unknown type name. */
int		 user_type_parse(const char *);
/* 1 if s is a well-formed 5-character user ID (letters and digits). */
int		 user_uid_valid(const char *);

/* Passwords, logging in, adding and changing users (src/user.c). */

/* A yescrypt hash of password in a new string; NULL (error set) on failure. */
char		*user_hash(const char *password);
/* 1 if password matches the user's hash, 0 if not. */
int		 user_verify(const struct user *, const char *password);

/*
 * Log in: find login, check password and the right to work in a database
 * of this role. An unknown login and a wrong password get the same
 * message. 0 and *out filled, or -1 (error set).
 */
int		 user_login(struct store_txn *, const char *login,
		    const char *password, enum store_role, struct user *out);
/*
 * The same in two halves, so that other work can go on while the password
 * is checked: user_login_start finds the login and starts the check on a
 * thread of its own (NULL, error set, if the login could not be looked
 * up); user_login_finish waits for it and answers as user_login does,
 * freeing the check. Nothing the caller does in between may depend on
 * who is logged in, and every started check must be finished.
 */
struct user_check;
struct user_check *user_login_start(struct store_txn *, const char *login,
		    const char *password, enum store_role);
int		 user_login_finish(struct user_check *, struct user *out);
/*
 * Add a user as actor (NULL only when creating a database's first
 * administrator). Checks the login and ID are well-formed and unused.
 */
int		 user_add(struct store_txn *, const struct user *actor,
		    const struct user *u, const char *password,
		    struct record_id *out);

/*
 * Change a user's name, type and rights (found by u->login) as actor, an
 * administrator. The last administrator cannot stop being one.
 */
int		 user_update(struct store_txn *, const struct user *actor,
		    const struct user *u);
/* Give login a new password (rights_may_set_password says who may). */
int		 user_set_password(struct store_txn *, const struct user *actor,
		    const char *login, const char *password);
/* -1 (error set) if the rights do not go together (restricted: remote). */
int		 user_rights_valid(const struct user *);
/* -1 (error set) if password is too weak a password for login. */
int		 user_password_valid(const char *login, const char *password);

#endif
