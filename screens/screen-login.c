/*
 * screen-login: choose a database, then log in.
 *
 * The databases are those of the user's configuration (dblist), with the
 * default one first; -d skips the choice, -u and $CRM_PASSWORD (or
 * --password-file) skip what they answer. An encrypted local whose key
 * its user unlocked in this login session (crm unlock, a command or
 * screen that asked the password; vault.h) opens with no password asked,
 * as commands do; a password given on purpose is checked all the same. On a fresh account with no
 * database at all, the embedded default database is created here with
 * its administrator, so a new user is working within a minute.
 */
#include "config.h"

#include <sys/stat.h>

#include <curses.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "dblist.h"
#include "edit.h"
#include "error.h"
#include "fieldset.h"
#include "file.h"
#include "prompt.h"
#include "listbox.h"
#include "screens.h"
#include "session.h"
#include "tui.h"
#include "undo.h"
#include "user.h"
#include "xmalloc.h"

/* The login's own actions and keymaps (tui.h: A_SCREEN, KM_SCREEN). */
#define A_ADD_DB	(A_SCREEN + 0)	/* a database to the list */
#define A_REMOVE_DB	(A_SCREEN + 1)
#define KM_LOGIN	KM_SCREEN	/* the list of databases */
#define KM_FIELDS	(KM_SCREEN << 1) /* typing the login or password */

static const struct binding login_bindings[] = {
	KEYS_SHARED(KEYS_TOP),
	/* The fields are the login's own: F1 and ^L work as in a form. */
	{ A_HELP, "help", KM_FIELDS, { KEY_F(1) }, "F1",
	  "show the keys of this screen", 1 },
	{ A_NEXT_FIELD, "next", KM_FIELDS, { '\t', KEY_DOWN, '\r',
	  KEY_ENTER }, "Tab ↓ Enter", "next field; Enter on the last one goes "
	  "on", 1 },
	{ A_PREV_FIELD, "previous", KM_FIELDS, { KEY_BTAB, KEY_UP }, "S-Tab ↑",
	  "previous field", 0 },
	{ A_BACK, "back", KM_FIELDS, { 27 }, "Esc",
	  "back to the list of databases, or quit", 1 },
	{ A_OPEN, "select", KM_LOGIN, { '\r', '\n', KEY_ENTER },
	  "Enter", "open the selected database", 1 },
	KEYS_SHARED(KEYS_MOVE),
	{ A_ADD_DB, "add-database", KM_LOGIN, { 'a' }, "a",
	  "add a database to the list", 1 },
	{ A_REMOVE_DB, "remove-database", KM_LOGIN, { 'r' }, "r",
	  "remove a database from the list (its files stay)", 1 },
	{ A_QUIT, "quit", KM_LOGIN, { 'q' }, "q", "quit", 1 },
	/* One binding in both modes: the help says it once. */
	KEYS_REDRAW(KM_LOGIN | KM_FIELDS),
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

enum login_mode {
	LOGIN_LIST,		/* choose a database */
	LOGIN_ADD,		/* add one to the list */
	LOGIN_CREDENTIALS,	/* login and password */
	LOGIN_FIRST		/* create the default database */
};

#define LOGIN_MAXF	4

struct login_data {
	enum login_mode	 mode;
	struct dblist	 dl;
	/* The rows of the list: the default database, then dl's. */
	char		*names[64];
	char		*dirs[64];
	struct listbox	 lb;		/* lb.n rows */
	int		 from_list;	/* Esc in the login goes back to it */
	/* The fields of the mode shown. */
	const char	*labels[LOGIN_MAXF];
	struct edit	 f[LOGIN_MAXF];
	int		 secret[LOGIN_MAXF];
	size_t		 nf;
	size_t		 cur;
	const char	*intro;
	/* The screen that takes this one's place once logged in. */
	const struct screen_ops *home;
};

static void
login_fields(struct login_data *d, enum login_mode mode)
{
	size_t	i;

	for (i = 0; i < d->nf; i++)
		edit_free(&d->f[i]);
	memset(d->secret, 0, sizeof d->secret);
	d->mode = mode;
	d->nf = 0;
	d->cur = 0;
	app.msg[0] = '\0';
	tui_redraw(REDRAW_BODY | REDRAW_STATUS);
}

static void
login_field(struct login_data *d, const char *label, const char *value,
    int secret)
{
	d->labels[d->nf] = label;
	edit_init(&d->f[d->nf], value);
	d->secret[d->nf] = secret;
	d->nf++;
}

static char *
login_text(struct login_data *d, size_t i)
{
	return edit_text(&d->f[i]);
}

/* The login to offer: -u, a local's own user, or the Unix login. */
static const char *
login_guess(void)
{
	const char	*v;
	struct passwd	*pw;

	if (app.opt.login != NULL)
		return app.opt.login;
	if (app.open && app.s.role == STORE_LOCAL &&
	    *(v = cfg_string("db.user")) != '\0')
		return v;
	if ((v = getenv("USER")) != NULL && *v != '\0')
		return v;
	if ((pw = getpwuid(getuid())) != NULL)
		return pw->pw_name;
	return "";
}

/* A password given without asking: --password-file or $CRM_PASSWORD. */
static char *
login_given_password(void)
{
	return session_password_given(app.opt.password_file);
}

static void
login_credentials(struct login_data *d)
{
	login_fields(d, LOGIN_CREDENTIALS);
	login_field(d, "Login", login_guess(), 0);
	login_field(d, "Password", "", 1);
	d->cur = *login_guess() != '\0' ? 1 : 0;
}

/*
 * Log in; on success the home screen takes this one's place. With no
 * password, from the session keyring: nothing is said if the key is not
 * kept there, and the password is asked as ever.
 */
static int
login_try(struct login_data *d, const char *login, const char *password)
{
	int	ret;

	/* One attach for the login and the first screen (tui.c lets go). */
	session_hold(&app.s);
	if (password == NULL) {
		if ((ret = session_login_kept(&app.s, login)) == 1)
			return -1;
	} else
		ret = session_login(&app.s, login, password);
	if (ret == SESSION_BUSY) {
		tui_unit(ret);
		return -1;
	}
	if (ret != 0) {
		tui_error();
		if (d->mode == LOGIN_CREDENTIALS && d->nf == 2) {
			edit_set(&d->f[1], "");
			d->cur = 1;
		}
		tui_redraw(REDRAW_BODY);
		return -1;
	}
	app.msg[0] = '\0';
	tui_replace(d->home, NULL);
	app.offer_drafts = 1;
	return 0;
}

/* What opening the database found and did (session_notice), shown. */
static void
login_notice(const char *notice)
{
	if (notice != NULL)
		tui_message(0, "%s", notice);
}

/* Open a database and go on to the login (or log in straight away). */
static int
login_open(struct login_data *d, const char *dir)
{
	const char	*notice;
	char		*pw;
	int		 ret = 0;

	if (app.open) {
		session_close(&app.s);
		undo_clear();
		app.open = 0;
	}
	if (session_open(&app.s, dir) != 0) {
		tui_error();
		return -1;
	}
	notice = session_notice();
	app.open = 1;
	login_credentials(d);
	if ((pw = login_given_password()) == NULL) {
		error_clear();
		/* Unlocked in this login session: no password is asked. */
		if (*login_guess() != '\0' &&
		    login_try(d, login_guess(), NULL) == 0)
			ret = 1;
		login_notice(notice);
		return ret;
	}
	if (*login_guess() != '\0' && login_try(d, login_guess(), pw) == 0)
		ret = 1;
	explicit_bzero(pw, strlen(pw));
	free(pw);
	login_notice(notice);
	return ret;
}

struct login_password {
	void	(*then)(void *);
	void	*arg;
};

static void
login_password_given(void *arg, const char *text)
{
	struct login_password	*lp = arg;

	if (text == NULL)
		tui_message(1, "nothing was done: the master wants your "
		    "password");
	else if (session_set_password(&app.s, text) != 0)
		tui_error();
	else
		lp->then(lp->arg);
	free(lp);
}

void
screen_login_password(const char *why, void (*then)(void *), void *arg)
{
	struct login_password	*lp;
	char			 title[256];

	if (app.s.password != NULL) {
		then(arg);
		return;
	}
	lp = xcalloc(1, sizeof *lp);
	lp->then = then;
	lp->arg = arg;
	snprintf(title, sizeof title, "%s: the master checks your password",
	    why);
	screen_prompt_secret(title, "Password", login_password_given, lp);
}

static int
login_exists(const char *dir)
{
	struct stat	sb;

	return stat(dir, &sb) == 0;
}

static void
login_list_free(struct login_data *d)
{
	size_t	i;

	for (i = 0; i < d->lb.n; i++) {
		free(d->names[i]);
		free(d->dirs[i]);
	}
	d->lb.n = 0;
	dblist_free(&d->dl);
}

/* The rows: the default database if it exists, then the user's list. */
static int
login_list_load(struct login_data *d)
{
	const char	*def = session_default_dir();
	size_t		 i;

	login_list_free(d);
	if (dblist_load(&d->dl) != 0)
		return -1;
	if (login_exists(def)) {
		d->names[d->lb.n] = xstrdup("Default database");
		d->dirs[d->lb.n++] = xstrdup(def);
	}
	for (i = 0; i < d->dl.n && d->lb.n < 64; i++) {
		if (d->lb.n == 1 && strcmp(d->dirs[0], d->dl.v[i].dir) == 0)
			continue;
		d->names[d->lb.n] = xstrdup(d->dl.v[i].name);
		d->dirs[d->lb.n++] = xstrdup(d->dl.v[i].dir);
	}
	listbox_set_rows(&d->lb, d->lb.n);
	return 0;
}

static void
login_first(struct login_data *d)
{
	const char	*login = login_guess();
	char		 uid[RECORD_UID_SIZE + 1];
	size_t		 i, k = 0;

	/* A user ID from the login: its letters and digits, upper case. */
	for (i = 0; login[i] != '\0' && k < 4; i++) {
		if ((login[i] >= 'a' && login[i] <= 'z') ||
		    (login[i] >= 'A' && login[i] <= 'Z') ||
		    (login[i] >= '0' && login[i] <= '9'))
			uid[k++] = (char)(login[i] >= 'a' && login[i] <= 'z' ?
			    login[i] - 'a' + 'A' : login[i]);
	}
	while (k < RECORD_UID_SIZE)
		uid[k++] = '1';
	uid[k] = '\0';
	login_fields(d, LOGIN_FIRST);
	login_field(d, "Your login", login, 0);
	login_field(d, "Your user ID", uid, 0);
	login_field(d, "Password", "", 1);
	login_field(d, "Password again", "", 1);
	d->cur = 2;
}

/* A database of the list: its name and its directory. */
static void
login_row(void *arg, size_t i, int y, int x, int w, int selected)
{
	struct login_data	*d = arg;
	char			 buf[1024];

	snprintf(buf, sizeof buf, " %-24s %s", d->names[i], d->dirs[i]);
	tui_put(y, x, w, buf, tui_attr(selected ? C_SELECTED : C_NORMAL));
}

void
screen_login_open(const struct screen_ops *home)
{
	struct login_data	*d = xcalloc(1, sizeof *d);

	d->home = home;
	listbox_init(&d->lb, 0, login_row, NULL, d);
	tui_push(&screen_login, d);
}

static int
login_enter(struct screen *sc)
{
	struct login_data	*d = sc->data;
	const char		*def;
	int			 ret;

	if (app.opt.dir != NULL) {
		if ((ret = login_open(d, app.opt.dir)) == -1) {
			snprintf(app.exit_message, sizeof app.exit_message,
			    "%s", error_get());
			return -1;
		}
		return 0;
	}
	if (login_list_load(d) != 0) {
		snprintf(app.exit_message, sizeof app.exit_message, "%s",
		    error_get());
		return -1;
	}
	def = session_default_dir();
	if (d->lb.n == 0 && !login_exists(def)) {
		login_first(d);
		return 0;
	}
	/* Esc from the login shows the list, where others can be added. */
	d->from_list = 1;
	if (d->dl.n == 0 && login_exists(def)) {
		if (login_open(d, def) != -1)
			return 0;
		login_fields(d, LOGIN_LIST);
		tui_error();
		return 0;
	}
	login_fields(d, LOGIN_LIST);
	return 0;
}

static void
login_leave(struct screen *sc)
{
	struct login_data	*d = sc->data;

	login_fields(d, LOGIN_LIST);
	login_list_free(d);
	free(d);
}

static int
login_typing(struct screen *sc)
{
	struct login_data	*d = sc->data;

	return d->mode != LOGIN_LIST;
}

/* Make the directories above the default database ($XDG_DATA_HOME/crm). */
static int
login_parents(const char *dir)
{
	char	*parent;
	int	 ret;

	parent = xstrndup(dir, (size_t)(strrchr(dir, '/') - dir));
	ret = *parent == '\0' ? 0 : file_mkdirs(parent, dir);
	free(parent);
	return ret;
}

static void
login_submit(struct login_data *d)
{
	char	*a, *b, *c, *e;

	switch (d->mode) {
	case LOGIN_CREDENTIALS:
		a = login_text(d, 0);
		b = login_text(d, 1);
		login_try(d, a, b);
		explicit_bzero(b, strlen(b));
		free(a);
		free(b);
		return;
	case LOGIN_ADD:
		a = login_text(d, 0);
		b = login_text(d, 1);
		if (*b == '\0')
			tui_message(1, "give the database's directory");
		else if (dblist_add(&d->dl, *a != '\0' ? a : NULL, b) != 0) {
			tui_error();
			d->cur = 1;
		} else {
			login_list_load(d);
			listbox_move(&d->lb, LISTBOX_LAST);
			login_fields(d, LOGIN_LIST);
			tui_message(0, "added %s", b);
		}
		free(a);
		free(b);
		return;
	case LOGIN_FIRST:
		a = login_text(d, 0);
		b = login_text(d, 1);
		c = login_text(d, 2);
		e = login_text(d, 3);
		if (*a == '\0')
			tui_message(1, "give a login");
		else if (!user_uid_valid(b))
			tui_message(1, "a user ID is exactly 5 letters or "
			    "digits, as ANNA1");
		else if (strlen(c) < 4) {
			tui_message(1, "choose a password of at least 4 "
			    "characters");
			edit_set(&d->f[2], "");
			edit_set(&d->f[3], "");
			d->cur = 2;
		} else if (strcmp(c, e) != 0) {
			tui_message(1, "the two passwords differ: type them "
			    "again");
			edit_set(&d->f[2], "");
			edit_set(&d->f[3], "");
			d->cur = 2;
		} else if (login_parents(session_default_dir()) != 0 ||
		    session_create_master(session_default_dir(),
		    "Default database", a, b, a, c, NULL) != 0)
			tui_error();
		else if (session_open(&app.s, session_default_dir()) != 0)
			tui_error();
		else {
			app.open = 1;
			d->mode = LOGIN_CREDENTIALS;
			login_try(d, a, c);
		}
		explicit_bzero(c, strlen(c));
		explicit_bzero(e, strlen(e));
		free(a);
		free(b);
		free(c);
		free(e);
		return;
	case LOGIN_LIST:
		break;
	}
}

static void
login_key_fields(struct login_data *d, enum action a, int iskey, wint_t ch)
{
	/* Nothing can be typed in while the master is held elsewhere. */
	if (app.busy && !iskey && (ch == 'q' || ch == 'Q')) {
		app.quit = 1;
		return;
	}
	switch (a) {
	case A_BACK:
		if (d->mode == LOGIN_FIRST || !d->from_list) {
			app.quit = 1;
			return;
		}
		if (app.open) {
			session_close(&app.s);
			undo_clear();
			app.open = 0;
		}
		login_list_load(d);
		login_fields(d, LOGIN_LIST);
		return;
	case A_NEXT_FIELD:
		if (!iskey && (ch == '\r' || ch == '\n') && d->cur + 1 == d->nf) {
			login_submit(d);
			return;
		}
		d->cur = (d->cur + 1) % d->nf;
		break;
	case A_PREV_FIELD:
		d->cur = (d->cur + d->nf - 1) % d->nf;
		break;
	case A_SAVE:
		login_submit(d);
		return;
	default:
		if (edit_key(&d->f[d->cur], iskey, ch) == EDIT_UNHANDLED)
			return;
		break;
	}
	tui_redraw(REDRAW_BODY);
}

/* The master was busy: try again, logging in if the password is given. */
static void
login_retry(struct login_data *d)
{
	struct store_txn	*t;
	char			*pw;
	int			 ret;

	if (!app.open)
		return;
	if (d->mode == LOGIN_CREDENTIALS && *login_guess() != '\0' &&
	    (pw = login_given_password()) != NULL) {
		login_try(d, login_guess(), pw);
		explicit_bzero(pw, strlen(pw));
		free(pw);
		return;
	}
	error_clear();
	if ((ret = session_begin(&app.s, 0, &t)) == 0)
		session_end(&app.s, t, 0);
	tui_unit(ret);
}

static void
login_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct login_data	*d = sc->data;

	if (a == A_RETRY) {
		login_retry(d);
		return;
	}
	if (d->mode != LOGIN_LIST) {
		login_key_fields(d, a, iskey, ch);
		return;
	}
	switch ((int)a) {
	case A_QUIT:
	case A_BACK:
		app.quit = 1;
		return;
	case A_OPEN:
		if (d->lb.n > 0)
			login_open(d, d->dirs[d->lb.sel]);
		return;
	case A_ADD_DB:
		login_fields(d, LOGIN_ADD);
		login_field(d, "Name (optional)", "", 0);
		login_field(d, "Directory", "", 0);
		d->cur = 1;
		return;
	case A_REMOVE_DB:
		if (d->lb.n == 0)
			return;
		if (strcmp(d->dirs[d->lb.sel], session_default_dir()) == 0 &&
		    d->lb.sel == 0 && login_exists(session_default_dir())) {
			tui_message(1, "the default database is always listed; "
			    "its files stay in %s", d->dirs[d->lb.sel]);
			return;
		}
		{
			size_t	i;

			for (i = 0; i < d->dl.n; i++) {
				if (strcmp(d->dl.v[i].dir,
				    d->dirs[d->lb.sel]) == 0)
					break;
			}
			if (i == d->dl.n || !tui_confirm("Remove \"%s\" from "
			    "the list? Its files stay in %s",
			    d->names[d->lb.sel], d->dirs[d->lb.sel]))
				return;
			if (dblist_remove(&d->dl, i) != 0)
				tui_error();
			else
				tui_message(0, "removed %s from the list",
				    d->dirs[d->lb.sel]);
			login_list_load(d);
		}
		break;
	default:
		if (!listbox_key(&d->lb, a))
			return;
		break;
	}
	tui_redraw(REDRAW_BODY);
}

static void
login_draw_fields(struct login_data *d, int y, int cols)
{
	wchar_t	 view[512];
	size_t	 i;
	int	 lw = 18, w, col;

	for (i = 0; i < d->nf; i++, y += 2) {
		tui_put(y, 2, lw, d->labels[i], tui_attr(C_LABEL));
		w = cols - lw - 4;
		if (w > 40)
			w = 40;
		if (w < 4)
			continue;
		if (d->secret[i])
			col = fieldset_put_secret(y, 2 + lw, w, &d->f[i],
			    tui_attr(i == d->cur ? C_FIELD_ON : C_FIELD));
		else {
			tui_put(y, 2 + lw, w, "", tui_attr(i == d->cur ?
			    C_FIELD_ON : C_FIELD));
			col = edit_view(&d->f[i], w, view, 512);
			attrset(tui_attr(i == d->cur ? C_FIELD_ON : C_FIELD));
			mvaddwstr(y, 2 + lw, view);
			attrset(A_NORMAL);
		}
		if (i == d->cur) {
			app.cursor_y = y;
			app.cursor_x = 2 + lw + col;
		}
	}
}

static void
login_draw(struct screen *sc, int rows, int cols)
{
	struct login_data	*d = sc->data;
	char			 buf[1024];

	tui_put(0, 0, cols, " crm: log in", tui_attr(C_TAB_ON));
	switch (d->mode) {
	case LOGIN_LIST:
		tui_put(2, 2, cols - 4, "Choose a database (Enter), add one "
		    "(a) or remove one from the list (r):", tui_attr(C_TITLE));
		listbox_draw(&d->lb, 4, 2, rows - 4, cols - 4);
		if (d->lb.n == 0)
			tui_put(4, 2, cols - 4, "No databases yet: a adds one.",
			    tui_attr(C_NORMAL));
		break;
	case LOGIN_ADD:
		tui_put(2, 2, cols - 4, "Add a database to the list: its "
		    "directory must hold a crm database.", tui_attr(C_TITLE));
		login_draw_fields(d, 4, cols);
		tui_put(9, 2, cols - 4, "Enter on the last field adds it; Esc "
		    "goes back.", tui_attr(C_NORMAL));
		break;
	case LOGIN_CREDENTIALS:
		snprintf(buf, sizeof buf, "Database: %s (%s, %s)", app.s.name,
		    app.s.dir, app.s.role == STORE_MASTER ? "MASTER" : "LOCAL");
		tui_put(2, 2, cols - 4, buf, tui_attr(C_TITLE));
		login_draw_fields(d, 4, cols);
		tui_put(9, 2, cols - 4, d->from_list ? "Enter logs in; Esc "
		    "goes back to the list of databases." : "Enter logs in; "
		    "Esc quits.", tui_attr(C_NORMAL));
		/* Nobody can open it without the password: say what then. */
		if (session_encrypted(&app.s)) {
			tui_put(11, 2, cols - 4, "This local is encrypted with "
			    "your password, which nobody can recover.",
			    tui_attr(C_NORMAL));
			tui_put(12, 2, cols - 4, "Forgotten it? Make a new "
			    "local (crm init --local, then sync): the",
			    tui_attr(C_NORMAL));
			tui_put(13, 2, cols - 4, "master holds everything "
			    "synchronized.", tui_attr(C_NORMAL));
		}
		break;
	case LOGIN_FIRST:
		tui_put(2, 2, cols - 4, "Welcome to crm. A new database will "
		    "be made for you in", tui_attr(C_TITLE));
		tui_put(3, 4, cols - 6, session_default_dir(),
		    tui_attr(C_NORMAL));
		tui_put(4, 2, cols - 4, "with you as its administrator. "
		    "Choose your password:", tui_attr(C_TITLE));
		login_draw_fields(d, 6, cols);
		tui_put(14, 2, cols - 4, "Enter on the last field creates it; "
		    "Esc quits.", tui_attr(C_NORMAL));
		break;
	}
}

const struct screen_ops screen_login = {
	.name = "login",
	.keymaps = KM_MOVE | KM_LOGIN,
	.bindings = login_bindings,
	.enter = login_enter,
	.draw = login_draw,
	.key = login_key,
	.leave = login_leave,
	.typing = login_typing,
	.typing_keymaps = KM_FIELDS,
	.typing_help = "While typing the login or password",
	.help = "Logging in: choose a database, then give login and password",
};
