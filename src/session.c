/* session: one person working in one database, for both faces. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agenda.h"
#include "cfg.h"
#include "clock.h"
#include "error.h"
#include "model.h"
#include "rights.h"
#include "session.h"
#include "store.h"
#include "user.h"
#include "vault.h"
#include "xmalloc.h"

/* What the last session_role found and did, for session_notice. */
static char	session_notice_text[1024];

const char *
session_notice(void)
{
	static char	told[sizeof session_notice_text];

	if (session_notice_text[0] == '\0')
		return NULL;
	memcpy(told, session_notice_text, sizeof told);
	session_notice_text[0] = '\0';
	return told;
}

/*
 * A crm encrypt that was stopped is finished, or its copy removed, before
 * anything opens the local (include/store.h), and the user is told.
 */
static int
session_settle(const char *dir)
{
	const char	*owner = cfg_string("db.user");
	int		 ret;

	ret = store_encrypt_settle(dir, (int)cfg_int("master.wait_seconds"));
	if (*owner == '\0')
		owner = "its user";
	switch (ret) {
	case STORE_SETTLED_SWITCHED:
		snprintf(session_notice_text, sizeof session_notice_text,
		    "%s: the crm encrypt that was stopped there had made its "
		    "encrypted copy, which replaces the plain files now: %s is "
		    "encrypted, and opens with %s's password", dir, dir,
		    owner);
		break;
	case STORE_SETTLED_REMOVED:
		if (vault_encrypted(dir))
			snprintf(session_notice_text,
			    sizeof session_notice_text, "%s: removed what "
			    "was left of its conversion (%s/%s); %s is "
			    "encrypted", dir, dir, STORE_ENCRYPT_DIR, dir);
		else
			snprintf(session_notice_text,
			    sizeof session_notice_text, "%s: a crm encrypt "
			    "was stopped there before its copy was complete: "
			    "the copy (%s/%s) is removed, and %s is as it was, "
			    "not encrypted; run crm encrypt again", dir, dir,
			    STORE_ENCRYPT_DIR, dir);
		break;
	case -1:
		return -1;
	}
	return 0;
}

int
session_role(const char *dir, enum store_role *role)
{
	const char	*r;
	struct stat	 sb;
	char		*path;
	int		 unfinished;

	if (stat(dir, &sb) != 0) {
		error_set("there is no database at %s: create one with crm "
		    "init or crm demo, or give another with -d DIR", dir);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		error_set("%s is not a directory: a crm database is a "
		    "directory", dir);
		return -1;
	}
	/* Before its crm.conf, which a stopped crm demo may not have made. */
	xasprintf(&path, "%s/%s", dir, STORE_UNFINISHED);
	unfinished = access(path, F_OK) == 0;
	free(path);
	if (unfinished) {
		error_set("%s is unfinished: the crm demo making it was stopped "
		    "before the end; run crm demo %s again, which makes it "
		    "anew", dir, dir);
		return -1;
	}
	if (cfg_load(dir) != 0)
		return -1;
	/* Both faces come through here: dates as this person writes them. */
	agenda_set_order(cfg_string("ui.date_order"));
	store_set_cache_mb((int)cfg_int("store.cache_mb"));
	r = cfg_string("db.role");
	if (strcmp(r, "master") == 0)
		*role = STORE_MASTER;
	else if (strcmp(r, "local") == 0) {
		*role = STORE_LOCAL;
		if (session_settle(dir) != 0)
			return -1;
	} else {
		error_set("%s is not a crm database: its crm.conf does not set "
		    "db.role to master or local", dir);
		return -1;
	}
	return 0;
}

char *
session_password_file(const char *path)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0;

	if ((f = fopen(path, "r")) == NULL) {
		error_set("cannot read the password file %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (getline(&line, &cap, f) < 0) {
		fclose(f);
		free(line);
		error_set("the password file %s is empty: put the password "
		    "on its first line", path);
		return NULL;
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

char *
session_password_given(const char *password_file)
{
	const char	*env;

	if (password_file != NULL)
		return session_password_file(password_file);
	if ((env = getenv("CRM_PASSWORD")) != NULL)
		return xstrdup(env);
	return NULL;
}

int
session_open(struct session *s, const char *dir)
{
	const char	*name, *slash;

	memset(s, 0, sizeof *s);
	if (session_role(dir, &s->role) != 0)
		return -1;
	s->dir = xstrdup(dir);
	name = cfg_string("db.name");
	if (*name == '\0') {
		slash = strrchr(dir, '/');
		name = slash != NULL && slash[1] != '\0' ? slash + 1 : dir;
	}
	s->name = xstrdup(name);
	s->wait_seconds = (int)cfg_int("master.wait_seconds");
	/* An encrypted local opens at the login, with its key. */
	if (s->role == STORE_LOCAL && !vault_encrypted(dir) &&
	    (s->st = model_open(dir, STORE_LOCAL, 0, 0)) == NULL) {
		session_close(s);
		return -1;
	}
	return 0;
}

void
session_close(struct session *s)
{
	if (s->st != NULL && store_close(s->st) != 0)
		fprintf(stderr, "crm: %s\n", error_get());
	s->st = NULL;
	user_clear(&s->user);
	session_forget(s);
	free(s->dir);
	free(s->name);
	memset(s, 0, sizeof *s);
}

static double
session_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double
session_held_ms(const struct session *s)
{
	if (s->role != STORE_MASTER || s->st == NULL)
		return 0;
	return session_now_ms() - s->attached_at;
}

/* Attach a master (or count one more unit on it). */
static int
session_attach(struct session *s, int wait)
{
	char	*holder;

	if (s->role == STORE_LOCAL)
		return 0;
	if (s->st != NULL) {
		s->attached++;
		return 0;
	}
	s->st = model_open(s->dir, STORE_MASTER, 0, wait);
	if (s->st != NULL) {
		s->attached++;
		s->attached_at = session_now_ms();
		return 0;
	}
	if ((holder = store_lock_holder(s->dir)) != NULL) {
		error_set("the master is in use by %s", holder);
		free(holder);
		return SESSION_BUSY;
	}
	return -1;
}

/* One unit less; the master goes when none is left and none is held. */
static int
session_detach(struct session *s)
{
	int	ret;

	if (s->role == STORE_LOCAL || s->st == NULL)
		return 0;
	if (s->attached > 0)
		s->attached--;
	if (s->attached > 0 || s->holding)
		return 0;
	ret = store_close(s->st);
	s->st = NULL;
	return ret;
}

void
session_hold(struct session *s)
{
	s->holding = 1;
}

void
session_release(struct session *s)
{
	s->holding = 0;
	if (s->role == STORE_MASTER && s->st != NULL && s->attached == 0) {
		if (store_close(s->st) != 0)
			error_clear();
		s->st = NULL;
	}
}

int
session_begin(struct session *s, int wait, struct store_txn **t)
{
	int	ret;

	if ((ret = session_attach(s, wait)) != 0)
		return ret;
	if (s->st == NULL) {
		error_set("%s is encrypted: log in to open it", s->dir);
		return -1;
	}
	if (store_begin(s->st, t) != 0) {
		session_detach(s);
		return -1;
	}
	return 0;
}

int
session_end(struct session *s, struct store_txn *t, int commit)
{
	int	ret = 0;

	if (commit)
		ret = store_commit(t);
	else
		store_abort(t);
	if (session_detach(s) != 0 && ret == 0)
		ret = -1;
	return ret;
}

void
session_forget(struct session *s)
{
	if (s->password != NULL) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
		s->password = NULL;
	}
}

int
session_encrypted(const struct session *s)
{
	return s->role == STORE_LOCAL && vault_encrypted(s->dir);
}

int
session_owner(const struct session *s, const char *login)
{
	const char	*owner = cfg_string("db.user");

	if (*owner != '\0' && strcmp(owner, login) != 0) {
		error_set("login refused for %s: %s is %s's local, encrypted "
		    "with %s's password: only %s can open it", login, s->dir,
		    owner, owner, owner);
		return -1;
	}
	return 0;
}

/* Open an encrypted local with its key, logging login in. */
static int
session_open_key(struct session *s, const char *login,
    uint8_t key[VAULT_KEY_SIZE], struct user *u)
{

	store_set_key_bytes(s->dir, key);
	explicit_bzero(key, VAULT_KEY_SIZE);
	if ((s->st = model_open(s->dir, STORE_LOCAL, 0, 0)) == NULL)
		return -1;
	return session_login_unlocked(s, login, u);
}

int
session_login_unlocked(struct session *s, const char *login, struct user *u)
{
	struct store_txn	*t;
	int			 ret;

	if (store_begin(s->st, &t) != 0)
		return -1;
	ret = user_find_login(t, login, u);
	store_abort(t);
	if (ret == STORE_NOTFOUND)
		error_set("login refused for %s: wrong login or password",
		    login);
	if (ret != 0)
		return -1;
	if (!rights_may_login(u, s->role)) {
		user_clear(u);
		return -1;
	}
	return 0;
}

/*
 * Log in to an encrypted local: the password opens its key (a wrong one
 * is refused by the key's seal, before anything is decrypted), and the
 * local is opened with it; the seal was the password's check.
 */
static int
session_unlock(struct session *s, const char *login, const char *password,
    struct user *u)
{
	uint8_t		key[VAULT_KEY_SIZE];

	memset(u, 0, sizeof *u);
	if (session_key(s, login, password, key) != 0)
		return -1;
	return session_open_key(s, login, key, u);
}

int
session_key(struct session *s, const char *login, const char *password,
    uint8_t key[VAULT_KEY_SIZE])
{
	char	*saved;

	if (session_owner(s, login) != 0)
		return -1;
	if (password == NULL)
		return vault_keyring_find(s->dir, key) != 0 ? 1 : 0;
	if (vault_key_unlock(s->dir, login, password, key) != 0) {
		/* Nobody can open it without the password: say what then. */
		saved = xstrdup(error_get());
		error_set("%s; a forgotten password cannot be recovered: make "
		    "a new local (the master holds everything synchronized)",
		    saved);
		free(saved);
		return -1;
	}
	/* Commands of the same login session then need no password. */
	vault_keyring_keep(s->dir, key,
	    (unsigned)cfg_int("security.unlock_minutes"));
	return 0;
}

int
session_login_kept(struct session *s, const char *login)
{
	struct user	u;
	uint8_t		key[VAULT_KEY_SIZE];
	int		ret;

	if (s->st != NULL || !session_encrypted(s))
		return 1;
	if ((ret = session_key(s, login, NULL, key)) != 0)
		return ret;
	memset(&u, 0, sizeof u);
	if (session_open_key(s, login, key, &u) != 0) {
		if (s->st != NULL) {
			store_close(s->st);
			s->st = NULL;
		}
		return -1;
	}
	user_clear(&s->user);
	s->user = u;
	s->logged_in = 1;
	session_forget(s);
	return 0;
}

int
session_set_password(struct session *s, const char *password)
{
	uint8_t	key[VAULT_KEY_SIZE];

	if (!s->logged_in)
		fatal("session: a password before the login");
	/* The local's own check, so that a typing error is said at once. */
	if (session_encrypted(s)) {
		if (vault_key_unlock(s->dir, s->user.login, password,
		    key) != 0)
			return -1;
		explicit_bzero(key, sizeof key);
	}
	session_forget(s);
	s->password = xstrdup(password);
	return 0;
}

int
session_login(struct session *s, const char *login, const char *password)
{
	struct store_txn	*t;
	struct user		 u;
	int			 ret;

	if (s->role == STORE_LOCAL && s->st == NULL) {
		if (session_unlock(s, login, password, &u) != 0)
			return -1;
		goto in;
	}
	if ((ret = session_begin(s, 0, &t)) != 0)
		return ret;
	ret = user_login(t, login, password, s->role, &u);
	session_end(s, t, 0);
	if (ret != 0)
		return -1;
in:
	user_clear(&s->user);
	s->user = u;
	s->logged_in = 1;
	session_forget(s);
	s->password = xstrdup(password);
	return 0;
}

int
session_pending(struct session *s, struct store_txn *t, uint64_t limit,
    uint64_t *count, uint64_t *last_sync_ms)
{
	struct store_cursor	*c;
	struct record		*r;
	uint8_t			 buf[8];
	size_t			 len = sizeof buf, file;
	int			 ret;

	*count = 0;
	*last_sync_ms = 0;
	ret = 0;
	if (s->role != STORE_LOCAL)
		return 0;
	for (file = 0; file < MODEL_NTYPES && *count < limit; file++) {
		if (store_cursor_open(t, file, STORE_BY_OUTBOX, 0, &c) != 0)
			return -1;
		while (*count < limit && (ret = store_cursor_next(c, &r)) == 0) {
			record_free(r);
			(*count)++;
		}
		store_cursor_close(c);
		if (ret == -1)
			return -1;
	}
	ret = store_meta_get(t, "sync_time", buf, &len);
	if (ret == -1)
		return -1;
	if (ret == 0 && len == 8)
		*last_sync_ms = store_get_be64(buf);
	return 0;
}

int
session_master_key(const char *dir, const char *key_file,
    const char *master_id)
{
	uint8_t	 key[VAULT_KEY_SIZE];

	if (store_dir_fresh(dir) != 0)
		return -1;
	if (vault_master_create(dir, key_file, master_id, key) != 0)
		return -1;
	store_set_key_bytes(dir, key);
	explicit_bzero(key, sizeof key);
	return 0;
}

int
session_create_master(const char *dir, const char *name, const char *admin,
    const char *uid, const char *fullname, const char *password,
    const char *key_file)
{
	struct store		*st;
	struct store_txn	*t;
	struct user		 u;
	struct record_id	 mid;
	char			 idtext[RECORD_ID_TEXT + 1];

	record_id_new(&mid, clock_now_ms());
	record_id_format(&mid, idtext);
	if (key_file != NULL && session_master_key(dir, key_file, idtext) != 0)
		return -1;
	if (model_create(dir, STORE_MASTER) != 0)
		return -1;
	if (cfg_set(dir, "db.role", "master") != 0 ||
	    cfg_set(dir, "db.name", name) != 0 ||
	    cfg_set(dir, "db.id", idtext) != 0 ||
	    (key_file != NULL && cfg_set(dir, "db.key_file", key_file) != 0) ||
	    (st = model_open(dir, STORE_MASTER, 0, 30)) == NULL)
		goto fail;
	memset(&u, 0, sizeof u);
	u.login = (char *)admin;
	snprintf(u.uid, sizeof u.uid, "%s", uid);
	u.name = (char *)(fullname != NULL && *fullname != '\0' ? fullname :
	    admin);
	u.type = USER_ADMIN;
	u.may_change_manager = 1;
	if (store_begin(st, &t) != 0) {
		store_close(st);
		goto fail;
	}
	if (store_meta_put(t, "id", idtext, strlen(idtext)) != 0 ||
	    user_add(t, NULL, &u, password, NULL) != 0) {
		store_abort(t);
		store_close(st);
		goto fail;
	}
	if (store_commit(t) != 0) {
		store_close(st);
		goto fail;
	}
	return store_close(st);

fail:
	error_prefix("%s was created but its administrator was not: remove "
	    "it and try again: ", dir);
	return -1;
}

const char *
session_default_dir(void)
{
	static char	*dir;
	const char	*v, *home;

	if (dir != NULL)
		return dir;
	v = cfg_string("general.default_database");
	if (*v != '\0')
		dir = xstrdup(v);
	else if ((v = getenv("XDG_DATA_HOME")) != NULL && *v != '\0')
		xasprintf(&dir, "%s/crm/default", v);
	else {
		home = getenv("HOME");
		xasprintf(&dir, "%s/.local/share/crm/default",
		    home != NULL ? home : ".");
	}
	return dir;
}
