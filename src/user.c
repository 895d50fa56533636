/*
 * user: the people who use a database, kept as records in users.db:
 * adding and changing them, their passwords and logging in. Reading a
 * user's record is user-record.c's.
 */
#include "config.h"

#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "error.h"
#include "model.h"
#include "rights.h"
#include "store.h"
#include "user.h"
#include "xmalloc.h"

static int
user_login_valid(const char *s)
{
	size_t	i, len = strlen(s);

	if (len == 0 || len > 64)
		return 0;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) && strchr("._-@", s[i]) == NULL)
			return 0;
	}
	return 1;
}

/*
 * A user ID differing only in case from one taken is taken too: people
 * say and type them either way (zoe01, ZOE01), and an account manager
 * field must never be ambiguous. Users are few: they are all read.
 */
static int
user_uid_taken(struct store_txn *t, const char *uid)
{
	struct store_cursor	*c;
	struct record		*r;
	int			 ret, taken = 0;

	if (store_cursor_open(t, MODEL_USER, STORE_BY_ID, 0, &c) != 0)
		return -1;
	while (!taken && (ret = store_cursor_next(c, &r)) == 0) {
		if (strcasecmp(record_value(r, "uid"), uid) == 0) {
			error_set("the user ID %s is taken by %s as %s: user "
			    "IDs differ by more than case", uid,
			    record_value(r, "login"), record_value(r, "uid"));
			taken = 1;
		}
		record_free(r);
	}
	store_cursor_close(c);
	if (ret == -1)
		return -1;
	return taken ? -1 : 0;
}

char *
user_hash(const char *password)
{
	struct crypt_data	*cd;
	char			*salt, *hash = NULL;

	/*
	 * yescrypt at libcrypt's default cost (about 70 ms here), with fresh
	 * random salt. A test build (--enable-fault-injection, never
	 * installed) hashes at the lowest cost (about 5 ms): its suites log
	 * in some thousands of times, and check the same code either way.
	 */
#ifdef CRM_FAULT_INJECTION
	salt = crypt_gensalt_ra("$y$", 1, NULL, 0);
#else
	salt = crypt_gensalt_ra("$y$", 0, NULL, 0);
#endif
	if (salt == NULL) {
		error_set("cannot make a password salt: %s", strerror(errno));
		return NULL;
	}
	cd = xcalloc(1, sizeof *cd);
	if (crypt_r(password, salt, cd) == NULL || cd->output[0] == '*')
		error_set("cannot hash the password: %s", strerror(errno));
	else
		hash = xstrdup(cd->output);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	free(salt);
	return hash;
}

int
user_verify(const struct user *u, const char *password)
{
	struct crypt_data	*cd;
	int			 ok;

	if (u->hash == NULL || u->hash[0] != '$')
		return 0;
	cd = xcalloc(1, sizeof *cd);
	ok = crypt_r(password, u->hash, cd) != NULL && cd->output[0] != '*' &&
	    strcmp(cd->output, u->hash) == 0;
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return ok;
}

/*
 * A login whose password check runs beside other work. yescrypt spends
 * about 25 ms of one core on purpose; a sync spends as long attaching its
 * master, on the other core meanwhile.
 */
struct user_check {
	pthread_t	 thread;
	int		 threaded;
	struct user	 u;
	int		 found;
	char		*login;
	char		*password;
	enum store_role	 role;
	int		 ok;
};

static void *
user_check_run(void *arg)
{
	struct user_check	*c = arg;

	c->ok = c->found && user_verify(&c->u, c->password);
	return NULL;
}

struct user_check *
user_login_start(struct store_txn *t, const char *login, const char *password,
    enum store_role role)
{
	struct user_check	*c;
	int			 ret;

	if (login == NULL || *login == '\0') {
		error_set("give a login");
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	if ((ret = user_find_login(t, login, &c->u)) == -1) {
		free(c);
		return NULL;
	}
	c->found = ret == 0;
	c->login = xstrdup(login);
	c->password = xstrdup(password);
	c->role = role;
	/* Without a thread, the check is made here and now. */
	if (pthread_create(&c->thread, NULL, user_check_run, c) == 0)
		c->threaded = 1;
	else
		user_check_run(c);
	return c;
}

int
user_login_finish(struct user_check *c, struct user *out)
{
	int	ok;

	memset(out, 0, sizeof *out);
	if (c->threaded)
		pthread_join(c->thread, NULL);
	ok = c->ok;
	/* The same answer for an unknown login and a wrong password. */
	if (!ok)
		error_set("login refused for %s: wrong login or password",
		    c->login);
	else if (!rights_may_login(&c->u, c->role))
		ok = 0;
	if (ok)
		*out = c->u;
	else
		user_clear(&c->u);
	explicit_bzero(c->password, strlen(c->password));
	free(c->password);
	free(c->login);
	free(c);
	return ok ? 0 : -1;
}

int
user_login(struct store_txn *t, const char *login, const char *password,
    enum store_role role, struct user *out)
{
	struct user_check	*c;

	memset(out, 0, sizeof *out);
	if ((c = user_login_start(t, login, password, role)) == NULL)
		return -1;
	return user_login_finish(c, out);
}

int
user_rights_valid(const struct user *u)
{
	if (u->restricted && u->type != USER_REMOTE) {
		error_set("only a remote user can be restricted: make %s's "
		    "type remote, or leave restricted off", u->login);
		return -1;
	}
	return 0;
}

int
user_password_valid(const char *login, const char *password)
{
	if (strlen(password) < 4) {
		error_set("the password for %s is too short: use at least 4 "
		    "characters", login);
		return -1;
	}
	return 0;
}

int
user_add(struct store_txn *t, const struct user *actor, const struct user *u,
    const char *password, struct record_id *out)
{
	struct user	 other;
	struct record	*r;
	uint64_t	 stamp;
	char		*hash;
	int		 ret;

	if (actor != NULL && !rights_may_administer(actor))
		return -1;
	if (!user_login_valid(u->login)) {
		error_set("\"%s\" is not a login: use up to 64 letters, digits "
		    "and . _ - @", u->login);
		return -1;
	}
	if (!user_uid_valid(u->uid)) {
		error_set("\"%s\" is not a user ID: a user ID is exactly 5 "
		    "letters or digits", u->uid);
		return -1;
	}
	if (user_rights_valid(u) != 0 ||
	    user_password_valid(u->login, password) != 0)
		return -1;
	if ((ret = user_find_login(t, u->login, &other)) != STORE_NOTFOUND) {
		if (ret == 0) {
			error_set("the login %s is taken (user ID %s)",
			    u->login, other.uid);
			user_clear(&other);
		}
		return -1;
	}
	if ((ret = user_find_uid(t, u->uid, &other)) != STORE_NOTFOUND) {
		if (ret == 0) {
			error_set("the user ID %s is taken by %s", u->uid,
			    other.login);
			user_clear(&other);
		}
		return -1;
	}
	if (user_uid_taken(t, u->uid) != 0)
		return -1;
	if ((hash = user_hash(password)) == NULL)
		return -1;

	r = record_new();
	record_id_new(&r->id, clock_now_ms());
	stamp = store_stamp(t);
	r->created = r->modified = stamp;
	snprintf(r->created_by, sizeof r->created_by, "%s",
	    actor != NULL ? actor->uid : u->uid);
	snprintf(r->modified_by, sizeof r->modified_by, "%s",
	    actor != NULL ? actor->uid : u->uid);
	record_set(r, "login", u->login, stamp);
	record_set(r, "uid", u->uid, stamp);
	record_set(r, "name", u->name != NULL ? u->name : "", stamp);
	record_set(r, "type", user_type_name(u->type), stamp);
	record_set(r, "restricted", u->restricted ? "yes" : "no", stamp);
	record_set(r, "may_change_manager", u->may_change_manager ? "yes" :
	    "no", stamp);
	record_set(r, "password_hash", hash, stamp);
	explicit_bzero(hash, strlen(hash));
	free(hash);
	if ((ret = model_validate(t, MODEL_USER, r)) == 0)
		ret = store_put(t, MODEL_USER, r, 0);
	if (ret == 0 && out != NULL)
		*out = r->id;
	record_free(r);
	return ret;
}

/* How many live administrators users.db holds, up to 2. */
static int
user_count_admins(struct store_txn *t, int *n)
{
	struct store_cursor	*c;
	struct record		*r;
	int			 ret;

	*n = 0;
	if (store_cursor_open(t, MODEL_USER, STORE_BY_ID, 0, &c) != 0)
		return -1;
	while (*n < 2 && (ret = store_cursor_next(c, &r)) == 0) {
		if ((r->flags & RECORD_DELETED) == 0 &&
		    strcmp(record_value(r, "type"), "admin") == 0)
			(*n)++;
		record_free(r);
	}
	store_cursor_close(c);
	return ret == -1 ? -1 : 0;
}

/*
 * Write the changed record of a user as actor: a new stamp on the fields
 * that changed, the modifier, validation. Takes r.
 */
static int
user_put(struct store_txn *t, const struct user *actor, struct record *r)
{
	int	ret;

	r->modified = store_stamp(t);
	snprintf(r->modified_by, sizeof r->modified_by, "%s", actor->uid);
	if ((ret = model_validate(t, MODEL_USER, r)) == 0)
		ret = store_put(t, MODEL_USER, r, 0);
	record_free(r);
	return ret;
}

int
user_update(struct store_txn *t, const struct user *actor,
    const struct user *u)
{
	struct user	 old;
	struct record	*r;
	uint64_t	 stamp;
	int		 ret, admins, changed;

	if (!rights_may_administer(actor))
		return -1;
	if ((ret = user_find_login(t, u->login, &old)) != 0) {
		if (ret == STORE_NOTFOUND)
			error_set("there is no user %s: see the list of users",
			    u->login);
		return -1;
	}
	if (user_rights_valid(u) != 0)
		goto fail;
	/* The last administrator stays one, or no one could manage users. */
	if (old.type == USER_ADMIN && u->type != USER_ADMIN) {
		if (user_count_admins(t, &admins) != 0)
			goto fail;
		if (admins < 2) {
			error_set("%s is the only administrator: make another "
			    "user an administrator first", u->login);
			goto fail;
		}
	}
	if ((ret = store_get(t, MODEL_USER, &old.id, &r)) != 0) {
		if (ret == STORE_NOTFOUND)
			error_set("the user %s was removed meanwhile", u->login);
		goto fail;
	}
	stamp = store_stamp(t);
	changed = record_set(r, "name", u->name != NULL ? u->name : "", stamp);
	changed += record_set(r, "type", user_type_name(u->type), stamp);
	changed += record_set(r, "restricted", u->restricted ? "yes" : "no",
	    stamp);
	changed += record_set(r, "may_change_manager", u->may_change_manager ?
	    "yes" : "no", stamp);
	user_clear(&old);
	/* Nothing changed: nothing to sync either. */
	if (changed == 0) {
		record_free(r);
		return 0;
	}
	return user_put(t, actor, r);

fail:
	user_clear(&old);
	return -1;
}

int
user_set_password(struct store_txn *t, const struct user *actor,
    const char *login, const char *password)
{
	struct user	 u;
	struct record	*r;
	char		*hash;
	int		 ret;

	if (!rights_may_set_password(actor, login))
		return -1;
	if (user_password_valid(login, password) != 0)
		return -1;
	if ((ret = user_find_login(t, login, &u)) != 0) {
		if (ret == STORE_NOTFOUND)
			error_set("there is no user %s: see the list of users",
			    login);
		return -1;
	}
	ret = store_get(t, MODEL_USER, &u.id, &r);
	user_clear(&u);
	if (ret != 0) {
		if (ret == STORE_NOTFOUND)
			error_set("the user %s was removed meanwhile", login);
		return -1;
	}
	if ((hash = user_hash(password)) == NULL) {
		record_free(r);
		return -1;
	}
	record_set(r, "password_hash", hash, store_stamp(t));
	explicit_bzero(hash, strlen(hash));
	free(hash);
	return user_put(t, actor, r);
}
