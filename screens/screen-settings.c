/*
 * screen-settings: what this database is and the settings a person may
 * change here (main screen O).
 *
 * A MASTER shows its update window and sync granularity (RULES.md S11,
 * B1), which only an administrator may change; others see them with the
 * reason. A LOCAL shows where its master is, which its user may change:
 * the new place is checked to be this local's master before it is
 * written. Both show the facts a person asks about: the directory, who
 * is logged in, and on a local the changes waiting and the last sync.
 * Settings are written by settings_set, as `crm config set` writes them.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "error.h"
#include "fieldset.h"
#include "rights.h"
#include "screens.h"
#include "session.h"
#include "settings.h"
#include "sync.h"
#include "tui.h"
#include "user.h"
#include "xmalloc.h"

/* The settings' own action and keymap (tui.h: A_SCREEN, KM_SCREEN). */
#define A_USERS		(A_SCREEN + 0)	/* the users screen */
#define KM_SETTINGS	KM_SCREEN	/* the settings shown, not edited */

static const struct binding settings_bindings[] = {
	KEYS_SHARED(KEYS_END),
	KEYS_HELP(KM_SETTINGS),
	{ A_EDIT, "edit", KM_SETTINGS, { 'e', '\r', '\n', KEY_ENTER },
	  "e Enter", "change the settings (F2 saves, Esc cancels)", 1 },
	{ A_USERS, "users", KM_SETTINGS, { 'u', 'U' }, "u",
	  "manage the users (administrators, on the master)", 1 },
	KEYS_BACK(KM_SETTINGS),
	KEYS_REDRAW(KM_SETTINGS),
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

static const char *const settings_granularities[] = { "field", "record",
	NULL };

struct settings_data {
	struct fieldset	 fs;
	int		 may;		/* may change them */
	char		*why;		/* else the reason */
	size_t		 window;	/* rows of the fieldset (master) */
	size_t		 granularity;
	size_t		 master;	/* the master's place (local) */
};

/* A database setting as DIR/crm.conf has it (the default if unset). */
static char *
settings_value(const char *dir, const char *key)
{
	char	*v;

	if (cfg_peek(dir, key, &v) == -1) {
		error_clear();
		return xstrdup("");
	}
	return v;
}

/* The rows, read afresh: after entering, a save, or a return. */
static void
settings_load(struct settings_data *d)
{
	struct fieldset	*fs = &d->fs;
	char		*v, *m, *g, buf[512], *when;
	int		 ok;

	fieldset_clear(fs);
	free(d->why);
	d->why = NULL;
	d->may = rights_may_configure(&app.s.user, app.s.role);
	if (!d->may) {
		d->why = xstrdup(error_get());
		error_clear();
	}
	fieldset_add(fs, "Name", FS_INFO, app.s.name, NULL);
	fieldset_add(fs, "Directory", FS_INFO, app.s.dir, NULL);
	snprintf(buf, sizeof buf, "%s (%s), %s", app.s.user.login,
	    app.s.user.uid, app.s.user.type == USER_ADMIN ? "administrator" :
	    app.s.user.type == USER_REMOTE ? "remote user" : "user");
	fieldset_add(fs, "You", FS_INFO, buf, NULL);
	if (app.s.role == STORE_MASTER) {
		v = settings_value(app.s.dir, "sync.update_window_days");
		d->window = fieldset_add(fs, "Update window", FS_TEXT, v,
		    "days: a local not synced for longer loses to the "
		    "master where both changed (0: no limit)");
		free(v);
		v = settings_value(app.s.dir, "sync.granularity");
		d->granularity = fieldset_add(fs, "Sync granularity",
		    FS_CHOICE, v, "field: both sides' changes to different fields "
		    "are kept; record: the newer record wins whole");
		fs->rows[d->granularity].choices = settings_granularities;
		free(v);
		fieldset_first(fs);
		fs->cur = d->window;
		return;
	}
	m = settings_value(app.s.dir, "db.master");
	d->master = fieldset_add(fs, "Master", FS_TEXT, m,
	    "HOST:/PATH for the sync service, or the master's directory as "
	    "it is mounted here");
	tui_status_reload();
	if (app.pending >= 1000)
		snprintf(buf, sizeof buf, "1000 or more");
	else
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)app.pending);
	fieldset_add(fs, "Changes waiting", FS_INFO, buf, "to go up at the "
	    "next sync");
	when = app.last_sync != 0 ? tui_local_time(app.last_sync) :
	    xstrdup("never");
	fieldset_add(fs, "Last sync", FS_INFO, when, NULL);
	free(when);
	/* The master's own settings decide a sync: show them if it is there. */
	ok = *m != '\0' && !sync_where_remote(m) &&
	    cfg_peek(m, "sync.update_window_days", &v) == 1;
	if (ok && cfg_peek(m, "sync.granularity", &g) == 1) {
		snprintf(buf, sizeof buf, "%s day%s%s, granularity %s "
		    "(the master's settings)", v, strcmp(v, "1") == 0 ? "" :
		    "s", strcmp(v, "0") == 0 ? " (no limit)" : "", g);
		free(g);
	} else if (sync_where_remote(m))
		snprintf(buf, sizeof buf, "the master's own, which it applies "
		    "when this local syncs through the service");
	else
		snprintf(buf, sizeof buf, "not known: the master cannot be "
		    "read now");
	if (ok)
		free(v);
	error_clear();
	fieldset_add(fs, "Update window", FS_INFO, buf, NULL);
	free(m);
	fs->cur = d->master;
}

void
screen_settings_open(void)
{
	tui_push(&screen_settings, xcalloc(1, sizeof (struct settings_data)));
}

static int
settings_enter(struct screen *sc)
{
	settings_load(sc->data);
	return 0;
}

static void
settings_reload(struct screen *sc)
{
	struct settings_data	*d = sc->data;

	/* A resize while editing keeps what is being typed. */
	if (!d->fs.editing)
		settings_load(d);
}

static void
settings_leave(struct screen *sc)
{
	struct settings_data	*d = sc->data;

	fieldset_clear(&d->fs);
	free(d->why);
	free(d);
}

static int
settings_typing(struct screen *sc)
{
	struct settings_data	*d = sc->data;

	return d->fs.editing;
}

/* Set one row's setting if it changed; -1 with the message shown. */
static int
settings_put(struct settings_data *d, size_t row, const char *key,
    int *saved)
{
	char	*v;
	int	 ret = 0;

	v = fieldset_text(&d->fs, row);
	if (strcmp(v, d->fs.rows[row].orig) != 0) {
		ret = settings_set(app.s.dir, app.s.st, app.s.role,
		    &app.s.user, app.s.password, key, v, 0);
		if (ret != 0) {
			tui_error();
			d->fs.cur = row;
		} else
			(*saved)++;
	}
	free(v);
	return ret;
}

static void	settings_save(struct settings_data *);

static void
settings_asked(void *arg)
{
	settings_save(arg);
}

static void
settings_save(struct settings_data *d)
{
	char	*w, *g, *v;
	int	 saved = 0, changed;

	if (app.s.role == STORE_MASTER) {
		if (settings_put(d, d->window, "sync.update_window_days",
		    &saved) != 0 || settings_put(d, d->granularity,
		    "sync.granularity", &saved) != 0) {
			if (saved > 0)
				settings_load(d);
			d->fs.editing = 1;
			tui_redraw(REDRAW_BODY);
			return;
		}
		w = fieldset_text(&d->fs, d->window);
		g = fieldset_text(&d->fs, d->granularity);
		tui_message(0, saved == 0 ? "nothing changed: update window %s "
		    "days, granularity %s" : "saved: update window %s days, "
		    "granularity %s", w, g);
		free(w);
		free(g);
	} else {
		/* The new master checks the password (settings_set). */
		v = fieldset_text(&d->fs, d->master);
		changed = strcmp(v, d->fs.rows[d->master].orig) != 0;
		free(v);
		if (changed && app.s.password == NULL) {
			screen_login_password("Change the master",
			    settings_asked, d);
			return;
		}
		if (settings_put(d, d->master, "db.master", &saved) != 0) {
			tui_redraw(REDRAW_BODY);
			return;
		}
		if (saved > 0) {
			w = settings_value(app.s.dir, "db.master");
			tui_message(0, "saved: the master is %s", w);
			free(w);
		} else
			tui_message(0, "nothing changed");
	}
	settings_load(d);
	tui_redraw(REDRAW_BODY);
}

static void
settings_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct settings_data	*d = sc->data;

	if (d->fs.editing) {
		switch (a) {
		case A_BACK:
			if (fieldset_changed(&d->fs) &&
			    !tui_confirm("Discard your changes to the "
			    "settings?"))
				return;
			settings_load(d);
			break;
		case A_SAVE:
		case A_SAVE_NEW:
			settings_save(d);
			return;
		default:
			fieldset_key(&d->fs, a, iskey, ch);
			return;
		}
		tui_redraw(REDRAW_BODY);
		return;
	}
	switch (a) {
	case A_BACK:
		tui_pop();
		return;
	case A_EDIT:
		if (!d->may) {
			tui_message(1, "%s", d->why);
			return;
		}
		d->fs.editing = 1;
		tui_redraw(REDRAW_BODY);
		return;
	case A_USERS:
		screen_users_open();
		return;
	default:
		return;
	}
}

static void
settings_draw(struct screen *sc, int rows, int cols)
{
	struct settings_data	*d = sc->data;
	const char		*hint;
	int			 y;

	tui_put(0, 0, cols, d->fs.editing ? " Settings: editing" :
	    " Settings", tui_attr(C_TAB_ON));
	tui_put(2, 2, cols - 4, app.s.role == STORE_MASTER ?
	    "This is a MASTER database" : "This is a LOCAL database",
	    tui_attr(C_TITLE));
	y = fieldset_draw(&d->fs, 4, 2, 18, rows, cols);
	y++;
	if (!d->may && y < rows)
		tui_put(y++, 2, cols - 4, d->why, tui_attr(C_ERROR));
	if (app.s.role == STORE_LOCAL && y < rows)
		tui_put(y++, 2, cols - 4, "Users are managed on the master; "
		    "the next sync brings their changes here.",
		    tui_attr(C_NORMAL));
	if (d->fs.editing)
		hint = "F2 saves, Esc cancels; Tab moves, Space or ←/→ turns "
		    "a choice.";
	else if (app.s.role == STORE_LOCAL)
		hint = "e changes the master's location, q goes back.";
	else if (d->may)
		hint = "e changes the settings, u manages the users, q goes "
		    "back.";
	else
		hint = "u shows the users (administrators), q goes back.";
	if (y < rows)
		tui_put(y, 2, cols - 4, hint, tui_attr(C_NORMAL));
}

/* F3 saves here, as F2 does: there is no next one to start. */
static int
settings_offers(const struct screen *sc, const struct binding *b)
{
	(void)sc;
	return b->action != A_SAVE_NEW;
}

/* Ctrl-C asks before the changes typed are lost (tui.c). */
static int
settings_unsaved(struct screen *sc)
{
	struct settings_data	*d = sc->data;

	return d->fs.editing && fieldset_changed(&d->fs);
}

const struct screen_ops screen_settings = {
	.name = "settings",
	.keymaps = KM_SETTINGS,
	.bindings = settings_bindings,
	.enter = settings_enter,
	.draw = settings_draw,
	.key = settings_key,
	.reload = settings_reload,
	.leave = settings_leave,
	.typing = settings_typing,
	.typing_keymaps = KM_FORM,
	.help = "Settings of this database",
	.offers = settings_offers,
	.unsaved = settings_unsaved,
};
