/*
 * screen-users: the users of a master, for its administrators (main
 * screen U, or u in the settings): the list, a new user (n), a user's
 * name, type and rights (e, Enter) and a new password (p).
 *
 * Rights are asked of rights.c and every change goes through user.c, as
 * `crm user add`, `crm user set` and `crm user passwd` do, so the same
 * checks hold on both faces. On a local users are refused with the
 * reason: they are managed on the master and come down with a sync.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fieldset.h"
#include "list.h"
#include "model.h"
#include "record.h"
#include "rights.h"
#include "screens.h"
#include "session.h"
#include "tui.h"
#include "user.h"
#include "xmalloc.h"

/* The users' own action and keymap (tui.h: A_SCREEN, KM_SCREEN). */
#define A_PASSWORD	(A_SCREEN + 0)	/* set the user's password */
#define KM_USERS	KM_SCREEN

static const struct binding users_bindings[] = {
	KEYS_SHARED(KEYS_END),
	{ A_NEW, "new", KM_USERS, { 'n' }, "n", "add a user", 1 },
	{ A_EDIT, "edit", KM_USERS, { 'e' }, "e",
	  "change the user's name, type and rights", 1 },
	{ A_PASSWORD, "password", KM_USERS, { 'p' }, "p",
	  "set the user's password", 1 },
	KEYS_BACK(KM_USERS),
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

void
screen_users_open(void)
{
	if (!rights_may_manage_users(&app.s.user, app.s.role)) {
		tui_error();
		return;
	}
	/* Rows not the list's: the title, the line under it, the header. */
	tui_push(&screen_users, list_screen_new(MODEL_USER,
	    "login,uid,name,type,restricted,may_change_manager", 3));
}

enum user_form_mode {
	USER_FORM_NEW,
	USER_FORM_EDIT,
	USER_FORM_PASSWORD
};

struct user_form_data {
	enum user_form_mode mode;
	struct fieldset	 fs;
	char		*login;		/* the user edited */
	int		 saved;		/* users added with F3 so far */
};

static const char *const user_form_types[] = { "admin", "user", "remote",
	NULL };
static const char *const user_form_yesno[] = { "no", "yes", NULL };

/* The rows of each mode, in this order. */
enum {
	UF_LOGIN, UF_UID, UF_NAME, UF_TYPE, UF_RESTRICTED, UF_MANAGER,
	UF_PASSWORD, UF_AGAIN
};
enum {
	UP_LOGIN, UP_NAME, UP_PASSWORD, UP_AGAIN
};

static void
user_form_fill(struct user_form_data *d, const struct user *u)
{
	struct fieldset	*fs = &d->fs;
	size_t		 i;

	fieldset_clear(fs);
	if (d->mode == USER_FORM_PASSWORD) {
		fieldset_add(fs, "Login", FS_INFO, u->login, NULL);
		fieldset_add(fs, "Name", FS_INFO, u->name, NULL);
		fieldset_add(fs, "New password", FS_SECRET, NULL,
		    "at least 4 characters");
		fieldset_add(fs, "Password again", FS_SECRET, NULL, NULL);
	} else {
		fieldset_add(fs, "Login", d->mode == USER_FORM_NEW ? FS_TEXT :
		    FS_INFO, u->login, d->mode == USER_FORM_NEW ? "letters, "
		    "digits and . _ - @" : NULL);
		fieldset_add(fs, "User ID", d->mode == USER_FORM_NEW ?
		    FS_TEXT : FS_INFO, u->uid, d->mode == USER_FORM_NEW ?
		    "exactly 5 letters or digits, as ANNA1" : NULL);
		fieldset_add(fs, "Full name", FS_TEXT, u->name, NULL);
		i = fieldset_add(fs, "Type", FS_CHOICE,
		    user_type_name(u->type), NULL);
		fs->rows[i].choices = user_form_types;
		i = fieldset_add(fs, "Restricted", FS_CHOICE, u->restricted ?
		    "yes" : "no", "remote users only: sees only their own "
		    "accounts");
		fs->rows[i].choices = user_form_yesno;
		i = fieldset_add(fs, "May change manager", FS_CHOICE,
		    u->may_change_manager ? "yes" : "no", "may change the "
		    "account manager of records");
		fs->rows[i].choices = user_form_yesno;
		if (d->mode == USER_FORM_NEW) {
			fieldset_add(fs, "Password", FS_SECRET, NULL,
			    "at least 4 characters");
			fieldset_add(fs, "Password again", FS_SECRET, NULL,
			    NULL);
		}
	}
	fs->editing = 1;
	fieldset_first(fs);
}

/* Open the form for a new user (r NULL) or for the user in r. */
static void
user_form_open(enum user_form_mode mode, const struct record *r)
{
	struct user_form_data	*d;
	struct user		 u;

	memset(&u, 0, sizeof u);
	u.type = USER_USER;
	if (r != NULL && user_from_record(r, &u) != 0) {
		tui_error();
		return;
	}
	d = xcalloc(1, sizeof *d);
	d->mode = mode;
	d->login = r != NULL ? xstrdup(u.login) : NULL;
	user_form_fill(d, &u);
	if (r != NULL)
		user_clear(&u);
	tui_push(&screen_user_form, d);
}

static void
users_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct list_screen	*d = sc->data;
	const struct record	*r = list_selected(&d->l);

	switch (a) {
	case A_BACK:
		tui_pop();
		return;
	case A_NEW:
		user_form_open(USER_FORM_NEW, NULL);
		return;
	case A_OPEN:
	case A_EDIT:
		if (r != NULL)
			user_form_open(USER_FORM_EDIT, r);
		return;
	case A_PASSWORD:
		if (r != NULL)
			user_form_open(USER_FORM_PASSWORD, r);
		return;
	default:
		list_key(&d->l, a, iskey, ch);
		return;
	}
}

static void
users_draw(struct screen *sc, int rows, int cols)
{
	struct list_screen	*d = sc->data;
	char			 buf[512];

	snprintf(buf, sizeof buf, " Users of %s", app.s.name);
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	tui_put(1, 0, cols, " n adds a user, e changes one, p sets a "
	    "password", tui_attr(C_TITLE));
	list_draw(&d->l, 2, 0, rows - 2, cols, 1);
}

const struct screen_ops screen_users = {
	.name = "users",
	.keymaps = KM_MOVE | KM_LIST | KM_USERS,
	.bindings = users_bindings,
	.enter = list_screen_enter,
	.draw = users_draw,
	.key = users_key,
	.reload = list_screen_reload,
	.leave = list_screen_leave,
	.help = "The users of this database",
};

static void
user_form_leave(struct screen *sc)
{
	struct user_form_data	*d = sc->data;

	fieldset_clear(&d->fs);
	free(d->login);
	free(d);
}

static int
user_form_typing(struct screen *sc)
{
	(void)sc;
	return 1;
}

/* Free a row's text, wiping it first (it may be a password). */
static void
user_form_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/*
 * The two password rows agree? Else both are emptied for typing again
 * and the message says so.
 */
static int
user_form_passwords(struct user_form_data *d, size_t first, char **pw)
{
	char	*again;
	int	 same;

	*pw = fieldset_text(&d->fs, first);
	again = fieldset_text(&d->fs, first + 1);
	same = strcmp(*pw, again) == 0;
	user_form_free(again);
	if (same)
		return 0;
	user_form_free(*pw);
	*pw = NULL;
	fieldset_set(&d->fs, first, "");
	fieldset_set(&d->fs, first + 1, "");
	d->fs.cur = first;
	tui_message(1, "the two passwords differ: type them again");
	return -1;
}

/* Save the form in one unit of work; 0, or -1 with the message shown. */
static int
user_form_save(struct user_form_data *d)
{
	struct store_txn	*t;
	struct user		 u;
	char			*pw = NULL, *type, *restricted, *manager;
	int			 ret;

	memset(&u, 0, sizeof u);
	if (d->mode == USER_FORM_PASSWORD) {
		if (user_form_passwords(d, UP_PASSWORD, &pw) != 0)
			return -1;
	} else {
		u.login = d->mode == USER_FORM_NEW ?
		    fieldset_text(&d->fs, UF_LOGIN) : xstrdup(d->login);
		if (d->mode == USER_FORM_NEW) {
			char	*uid = fieldset_text(&d->fs, UF_UID);

			snprintf(u.uid, sizeof u.uid, "%s", uid);
			/* Longer than an ID: user_add must see it is bad. */
			if (strlen(uid) > RECORD_UID_SIZE)
				u.uid[0] = '\0';
			free(uid);
		}
		u.name = fieldset_text(&d->fs, UF_NAME);
		type = fieldset_text(&d->fs, UF_TYPE);
		restricted = fieldset_text(&d->fs, UF_RESTRICTED);
		manager = fieldset_text(&d->fs, UF_MANAGER);
		u.type = (enum user_type)user_type_parse(type);
		u.restricted = strcmp(restricted, "yes") == 0;
		u.may_change_manager = strcmp(manager, "yes") == 0;
		free(type);
		free(restricted);
		free(manager);
		if (d->mode == USER_FORM_NEW &&
		    user_form_passwords(d, UF_PASSWORD, &pw) != 0) {
			user_clear(&u);
			return -1;
		}
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		user_form_free(pw);
		user_clear(&u);
		return tui_unit(ret);
	}
	switch (d->mode) {
	case USER_FORM_NEW:
		ret = user_add(t, &app.s.user, &u, pw, NULL);
		break;
	case USER_FORM_EDIT:
		ret = user_update(t, &app.s.user, &u);
		break;
	case USER_FORM_PASSWORD:
		ret = user_set_password(t, &app.s.user, d->login, pw);
		break;
	}
	user_form_free(pw);
	user_clear(&u);
	if (ret != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		return -1;
	}
	if (session_end(&app.s, t, 1) != 0) {
		tui_error();
		return -1;
	}
	/* Who is logged in may have changed their own name or rights. */
	if (d->mode == USER_FORM_EDIT &&
	    strcmp(d->login, app.s.user.login) == 0 &&
	    session_begin(&app.s, 0, &t) == 0) {
		if (user_find_login(t, d->login, &u) == 0) {
			user_clear(&app.s.user);
			app.s.user = u;
		}
		session_end(&app.s, t, 0);
		error_clear();
	}
	return 0;
}

static void
user_form_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct user_form_data	*d = sc->data;
	struct user		 u;
	char			*login;

	switch (a) {
	case A_RETRY: {
		struct store_txn	*t;
		int			 ret;

		/* The master was busy at a save: see whether it is free. */
		if ((ret = session_begin(&app.s, 0, &t)) == 0)
			session_end(&app.s, t, 0);
		if (tui_unit(ret) == 0)
			tui_message(0, "the master is free again: F2 saves");
		return;
	}
	case A_BACK:
		if (fieldset_changed(&d->fs) && !tui_confirm("Discard what "
		    "you typed?"))
			return;
		tui_pop();
		return;
	case A_SAVE:
	case A_SAVE_NEW:
		login = d->mode == USER_FORM_NEW ?
		    fieldset_text(&d->fs, UF_LOGIN) : xstrdup(d->login);
		if (user_form_save(d) != 0) {
			free(login);
			tui_redraw(REDRAW_BODY);
			return;
		}
		if (a == A_SAVE_NEW && d->mode == USER_FORM_NEW) {
			memset(&u, 0, sizeof u);
			u.type = USER_USER;
			user_form_fill(d, &u);
			d->saved++;
			tui_message(0, "added %s (%d with F3); here is the next "
			    "one", login, d->saved);
			free(login);
			tui_redraw(REDRAW_BODY);
			return;
		}
		tui_message(0, d->mode == USER_FORM_NEW ? "added the user %s" :
		    d->mode == USER_FORM_EDIT ? "saved the user %s" :
		    "set a new password for %s", login);
		free(login);
		tui_pop();
		tui_status_reload();
		return;
	default:
		fieldset_key(&d->fs, a, iskey, ch);
		return;
	}
}

static void
user_form_draw(struct screen *sc, int rows, int cols)
{
	struct user_form_data	*d = sc->data;
	char			 buf[256];
	int			 y;

	if (d->mode == USER_FORM_NEW && d->saved > 0)
		snprintf(buf, sizeof buf, " New user (%d added with F3)",
		    d->saved);
	else
		snprintf(buf, sizeof buf, "%s", d->mode == USER_FORM_NEW ?
		    " New user" : d->mode == USER_FORM_EDIT ? " Edit user" :
		    " New password");
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	y = fieldset_draw(&d->fs, 2, 1, 19, rows, cols);
	if (y + 1 < rows)
		tui_put(y + 1, 1, cols - 2, "F2 saves, Esc cancels; Tab moves, "
		    "Space or ←/→ turns a choice.", tui_attr(C_NORMAL));
}

/*
 * Ctrl-C asks before what was typed is lost (tui.c); never kept as a
 * draft, since it may hold a password.
 */
static int
user_form_unsaved(struct screen *sc)
{
	struct user_form_data	*d = sc->data;

	return fieldset_changed(&d->fs);
}

const struct screen_ops screen_user_form = {
	.name = "user-form",
	.keymaps = KM_FORM,
	.draw = user_form_draw,
	.key = user_form_key,
	.leave = user_form_leave,
	.typing = user_form_typing,
	.help = "A user's account",
	.unsaved = user_form_unsaved,
};
