/*
 * screen-deleted: the deleted records this user may bring back (D on the
 * main screen), newest first, as crm undelete lists them; Enter brings
 * the one under the cursor back (model_undelete).
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "listbox.h"
#include "model.h"
#include "screens.h"
#include "session.h"
#include "tui.h"
#include "xmalloc.h"

/* Its own action and keymap (tui.h: A_SCREEN, KM_SCREEN). */
#define A_RESTORE	(A_SCREEN + 0)	/* bring the record back */
#define KM_DELETED	KM_SCREEN

static const struct binding deleted_bindings[] = {
	KEYS_SHARED(KEYS_MOVE),
	{ A_RESTORE, "bring-back", KM_DELETED, { '\r', '\n', KEY_ENTER, 'r' },
	  "Enter r", "bring the record back as it was", 1 },
	KEYS_BACK(KM_DELETED),
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

/* The newest deletions listed; older ones come back with crm undelete. */
#define DELETED_MAX	1000

struct deleted_row {
	int		 type;
	struct record_id id;
	char		*name;
	char		*when;
	char		 by[RECORD_UID_SIZE + 1];
};

struct deleted_data {
	struct deleted_row *rows;
	struct listbox	 lb;		/* lb.n rows */
	int		 nw;		/* the name column's width */
	int		 more;		/* more than DELETED_MAX */
};

static void
deleted_rows_free(struct deleted_data *d)
{
	size_t	i;

	for (i = 0; i < d->lb.n; i++) {
		free(d->rows[i].name);
		free(d->rows[i].when);
	}
	free(d->rows);
	d->rows = NULL;
	d->lb.n = 0;
}

static int
deleted_row(void *arg, const struct model_deleted *m)
{
	struct deleted_data	*d = arg;
	struct deleted_row	*r;

	if (d->lb.n == DELETED_MAX) {
		d->more = 1;
		return 1;
	}
	d->rows = xreallocarray(d->rows, d->lb.n + 1, sizeof *d->rows);
	r = &d->rows[d->lb.n++];
	r->type = m->type;
	r->id = m->id;
	r->name = model_record_name(m->type, m->rec, 0);
	r->when = tui_local_time(clock_stamp_ms(m->when));
	snprintf(r->by, sizeof r->by, "%s", m->by);
	return 0;
}

static int
deleted_load(struct deleted_data *d)
{
	struct store_txn	*t;
	int			 ret;

	deleted_rows_free(d);
	d->more = 0;
	if ((ret = session_begin(&app.s, 0, &t)) != 0)
		return tui_unit(ret);
	ret = model_deleted_list(t, &app.s.user, deleted_row, d);
	session_end(&app.s, t, 0);
	tui_unit(0);
	if (ret != 0) {
		tui_error();
		return -1;
	}
	listbox_set_rows(&d->lb, d->lb.n);
	tui_redraw(REDRAW_BODY);
	return 0;
}

#define DELETED_TW	12	/* columns: type, when deleted, by */
#define DELETED_WW	16
#define DELETED_BW	6

static void
deleted_draw_row(void *arg, size_t i, int y, int x, int cols, int selected)
{
	struct deleted_data	*d = arg;
	struct deleted_row	*r = &d->rows[i];
	int			 tw = DELETED_TW, ww = DELETED_WW;
	int			 nw = d->nw, attr;

	(void)x;
	attr = tui_attr(selected ? C_SELECTED : C_NORMAL);
	tui_put(y, 0, tw + 1, model_type(r->type)->label, attr);
	tui_put(y, tw + 1, nw + 1, r->name, attr);
	tui_put(y, tw + nw + 2, ww + 1, r->when, attr);
	tui_put(y, tw + nw + ww + 3, cols - (tw + nw + ww + 3), r->by, attr);
}

void
screen_deleted_open(void)
{
	struct deleted_data	*d = xcalloc(1, sizeof *d);

	listbox_init(&d->lb, 0, deleted_draw_row, NULL, d);
	tui_push(&screen_deleted, d);
}

static int
deleted_enter(struct screen *sc)
{
	deleted_load(sc->data);
	return 0;
}

static void
deleted_reload(struct screen *sc)
{
	deleted_load(sc->data);
}

static void
deleted_leave(struct screen *sc)
{
	struct deleted_data	*d = sc->data;

	deleted_rows_free(d);
	free(d);
}

static void
deleted_draw(struct screen *sc, int rows, int cols)
{
	struct deleted_data	*d = sc->data;
	char			 buf[512];
	int			 tw = DELETED_TW, ww = DELETED_WW;
	int			 bw = DELETED_BW, nw;

	snprintf(buf, sizeof buf, " Deleted records: Enter brings one back%s",
	    d->more ? " (the newest 1000)" : "");
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	nw = cols - tw - ww - bw - 3;
	if (nw < 16)
		nw = 16;
	d->nw = nw;
	tui_put(1, 0, tw, "Type", tui_attr(C_HEADER));
	tui_put(1, tw + 1, nw, "Name", tui_attr(C_HEADER));
	tui_put(1, tw + nw + 2, ww, "Deleted", tui_attr(C_HEADER));
	tui_put(1, tw + nw + ww + 3, bw, "By", tui_attr(C_HEADER));
	if (d->lb.n == 0) {
		tui_put(2, 0, cols, "  Nothing deleted here that you may bring "
		    "back.", tui_attr(C_NORMAL));
		return;
	}
	listbox_draw(&d->lb, 2, 0, rows - 2, cols);
}

static void
deleted_restore(struct deleted_data *d)
{
	struct deleted_row	*r;
	struct store_txn	*t;
	int			 ret;

	if (d->lb.n == 0)
		return;
	r = &d->rows[d->lb.sel];
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		return;
	}
	if (model_undelete(t, &app.s.user, r->type, &r->id) != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		return;
	}
	if (session_end(&app.s, t, 1) != 0) {
		tui_error();
		return;
	}
	tui_message(0, "%s \"%s\" is back", model_type(r->type)->name,
	    r->name);
	tui_status_reload();
	deleted_load(d);
}

static void
deleted_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct deleted_data	*d = sc->data;

	(void)iskey;
	(void)ch;
	switch (a) {
	case A_BACK:
		tui_pop();
		return;
	case A_RETRY:
		deleted_load(d);
		return;
	case A_OPEN:
	case A_RESTORE:
		deleted_restore(d);
		return;
	default:
		if (listbox_key(&d->lb, a))
			tui_redraw(REDRAW_BODY);
		return;
	}
}

const struct screen_ops screen_deleted = {
	.name = "deleted",
	.keymaps = KM_MOVE | KM_DELETED,
	.bindings = deleted_bindings,
	.enter = deleted_enter,
	.draw = deleted_draw,
	.key = deleted_key,
	.reload = deleted_reload,
	.leave = deleted_leave,
	.help = "Deleted records, to bring back",
};
