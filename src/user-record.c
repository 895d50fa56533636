/*
 * user-record: a user as crm reads one from users.db: its record as a
 * struct user, found by login or by user ID, and the names of the user
 * types. Below the rights (which name a user's type) and the model's
 * checks (which ask whether a user ID is a live user's); user.c, which
 * adds, changes and logs users in, is above both.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"
#include "store.h"
#include "user.h"
#include "xmalloc.h"

static const char *const user_type_names[] = { "admin", "user", "remote" };

const char *
user_type_name(enum user_type type)
{
	return user_type_names[type];
}

int
user_type_parse(const char *s)
{
	int	i;

	for (i = 0; i < 3; i++) {
		if (strcmp(user_type_names[i], s) == 0)
			return i;
	}
	error_set("\"%s\" is not a user type: use admin, user or remote", s);
	return -1;
}

int
user_uid_valid(const char *s)
{
	int	i;

	for (i = 0; i < RECORD_UID_SIZE; i++) {
		if (!isalnum((unsigned char)s[i]))
			return 0;
	}
	return s[RECORD_UID_SIZE] == '\0';
}

int
user_from_record(const struct record *r, struct user *u)
{
	int	type;

	memset(u, 0, sizeof *u);
	if (!user_uid_valid(record_value(r, "uid")) ||
	    *record_value(r, "login") == '\0' ||
	    (type = user_type_parse(record_value(r, "type"))) == -1) {
		error_set("users.db holds a damaged user record: restore it "
		    "from the master or a backup");
		return -1;
	}
	u->id = r->id;
	u->login = xstrdup(record_value(r, "login"));
	strcpy(u->uid, record_value(r, "uid"));
	u->name = xstrdup(record_value(r, "name"));
	u->type = (enum user_type)type;
	u->restricted = strcmp(record_value(r, "restricted"), "yes") == 0;
	u->may_change_manager =
	    strcmp(record_value(r, "may_change_manager"), "yes") == 0;
	u->hash = xstrdup(record_value(r, "password_hash"));
	return 0;
}

void
user_clear(struct user *u)
{
	free(u->login);
	free(u->name);
	if (u->hash != NULL) {
		explicit_bzero(u->hash, strlen(u->hash));
		free(u->hash);
	}
	memset(u, 0, sizeof *u);
}

/* Look a user up through an index of users.db (name = login, owner = uid). */
static int
user_find(struct store_txn *t, enum store_index idx, const char *key,
    const char *field, const char *value, struct user *u)
{
	struct store_cursor	*c;
	struct record		*r;
	int			 ret;

	if (store_cursor_open(t, MODEL_USER, idx, 0, &c) != 0)
		return -1;
	store_cursor_seek(c, key, strlen(key), 1);
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (strcmp(record_value(r, field), value) == 0)
			break;
		record_free(r);
	}
	store_cursor_close(c);
	if (ret != 0)
		return ret;
	ret = user_from_record(r, u);
	record_free(r);
	return ret;
}

int
user_find_login(struct store_txn *t, const char *login, struct user *u)
{
	char	*key;
	int	 ret;

	key = store_name_key(login);
	ret = user_find(t, STORE_BY_NAME, key, "login", login, u);
	free(key);
	return ret;
}

int
user_find_uid(struct store_txn *t, const char *uid, struct user *u)
{
	return user_find(t, STORE_BY_OWNER, uid, "uid", uid, u);
}
