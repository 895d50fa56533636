/*
 * screen-conflicts: the conflict log (RULES.md B3), newest first. Each
 * entry says which record and field, the value kept and the value lost,
 * who made the lost change and when, why it lost, and whether it was
 * restored; Enter shows one in full, r puts the lost value back. The
 * log can be long: it is read a page at a time through a cursor.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "browse.h"
#include "conflict.h"
#include "error.h"
#include "list.h"
#include "model.h"
#include "record.h"
#include "screens.h"
#include "session.h"
#include "store.h"
#include "tui.h"
#include "utf8.h"
#include "xmalloc.h"

/* The conflict log's own action and keymap (tui.h: A_SCREEN, KM_SCREEN). */
#define A_RESTORE	(A_SCREEN + 0)	/* put the lost value back */
#define KM_CONFLICTS	KM_SCREEN

/* Its own moving keys: Home and End are the newest and the oldest. */
static const struct binding conflicts_bindings[] = {
	KEYS_SHARED(KEYS_END),
	{ A_OPEN, "show", KM_CONFLICTS, { '\r', '\n', KEY_ENTER }, "Enter",
	  "show the entry in full", 1 },
	{ A_RESTORE, "restore", KM_CONFLICTS, { 'r' }, "r",
	  "put the lost value back into its record", 1 },
	{ A_UP, "up", KM_CONFLICTS, { KEY_UP, 'k', CTRL('p') }, "↑ k", "up",
	  0 },
	{ A_DOWN, "down", KM_CONFLICTS, { KEY_DOWN, 'j', CTRL('n') }, "↓ j",
	  "down", 0 },
	{ A_PGUP, "page-up", KM_CONFLICTS, { KEY_PPAGE, CTRL('b') }, "PgUp",
	  "page up", 0 },
	{ A_PGDN, "page-down", KM_CONFLICTS, { KEY_NPAGE, CTRL('f'), ' ' },
	  "PgDn Space", "page down", 0 },
	{ A_HOME, "first", KM_CONFLICTS, { KEY_HOME, 'g' }, "Home g",
	  "newest", 0 },
	{ A_END, "last", KM_CONFLICTS, { KEY_END, 'G' }, "End G", "oldest",
	  0 },
	KEYS_BACK(KM_CONFLICTS),
	KEYS_HELP(KM_CONFLICTS),
	KEYS_REDRAW(KM_CONFLICTS),
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

#define CONFLICTS_DETAIL	5	/* rows under the list for the entry */
/*
 * Blank columns between two columns, never written by a cell: a cut
 * name ends in its ellipsis and the next column stays apart from it.
 */
#define CONFLICTS_GAP		2

struct conflicts_data {
	struct browse		 b;
	struct browse_row	*rows;
	char			**names;	/* "Company Acme GmbH" per row */
	size_t			 cap;
	struct listbox		 lb;		/* the page read, a window */
	int			 width[7];	/* the last draw's columns */
	int			 failed;

	int			 full;		/* the selected entry in full */
	struct listbox		 text;		/* its lines, scrolled */
	char			**lines;	/* its text, wrapped */
	size_t			 nlines;
};

static void	conflicts_row(void *, size_t, int, int, int, int);
static void	conflicts_line(void *, size_t, int, int, int, int);
static void	conflicts_edge(struct listbox *, long, void *);

void
screen_conflicts_open(void)
{
	struct conflicts_data	*d = xcalloc(1, sizeof *d);

	browse_init(&d->b, STORE_CONFLICTS, BROWSE_NEWEST);
	listbox_init(&d->lb, 0, conflicts_row, conflicts_edge, d);
	listbox_init(&d->text, 1, conflicts_line, NULL, d);
	tui_push(&screen_conflicts, d);
}

static int
conflicts_height(void)
{
	int	h = LINES - 2 - 2 - CONFLICTS_DETAIL;

	return h > 1 ? h : 1;
}

static void
conflicts_rows_free(struct conflicts_data *d)
{
	size_t	i;

	for (i = 0; i < d->lb.n; i++)
		free(d->names[i]);
	browse_rows_free(d->rows, d->lb.n);
	d->lb.n = 0;
}

/* What an entry is about, as a person reads it: "Company Acme GmbH". */
static char *
conflicts_name(struct store_txn *t, const struct record *c)
{
	struct record_id	 id;
	struct record		*r;
	char			*name, *s;
	int			 type;

	type = model_type_find(record_value(c, "type"));
	error_clear();
	if (type < 0 || record_id_parse(record_value(c, "record"), &id) != 0) {
		xasprintf(&s, "%s %.8s", record_value(c, "type"),
		    record_value(c, "record"));
		return s;
	}
	if (store_get(t, (size_t)type, &id, &r) != 0) {
		error_clear();
		/* Removed here (left the user's scope, or deleted for good). */
		xasprintf(&s, "%s %.8s (not here)", model_type(type)->label,
		    record_value(c, "record"));
		return s;
	}
	name = model_record_name(type, r, MODEL_NAME_SCREEN);
	xasprintf(&s, "%s %s%s", model_type(type)->label, name,
	    (r->flags & RECORD_DELETED) ? " (deleted)" : "");
	free(name);
	record_free(r);
	return s;
}

/* Read the page from the browse's first row, in one unit of work. */
static int
conflicts_load(struct conflicts_data *d)
{
	struct store_txn	*t;
	size_t			 i, n, got;
	int			 ret;

	d->lb.height = (size_t)conflicts_height();
	n = d->lb.height;
	if (n > d->cap) {
		d->rows = xreallocarray(d->rows, n, sizeof *d->rows);
		d->names = xreallocarray(d->names, n, sizeof *d->names);
		d->cap = n;
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		d->failed = 1;
		return tui_unit(ret);
	}
	conflicts_rows_free(d);
	ret = browse_page(&d->b, t, d->rows, n, &got);
	if (ret == 0) {
		d->lb.n = got;
		for (i = 0; i < got; i++)
			d->names[i] = conflicts_name(t, d->rows[i].rec);
	}
	session_end(&app.s, t, 0);
	tui_unit(0);
	tui_redraw(REDRAW_BODY);
	if (ret != 0) {
		d->failed = 1;
		tui_error();
		return -1;
	}
	d->failed = 0;
	listbox_set_rows(&d->lb, d->lb.n);
	return 0;
}

static int
conflicts_load_arg(void *arg)
{
	return conflicts_load(arg);
}

static void
conflicts_edge(struct listbox *lb, long delta, void *arg)
{
	list_window_edge(lb, &((struct conflicts_data *)arg)->b, delta,
	    conflicts_load_arg, arg);
}

static const struct record *
conflicts_selected(const struct conflicts_data *d)
{
	return d->lb.sel < d->lb.n ? d->rows[d->lb.sel].rec : NULL;
}

/* An ISO time of the log ("2026-11-25T14:03:07Z") in local time. */
static char *
conflicts_time(const char *iso)
{
	struct tm	tm;
	char		*end;

	memset(&tm, 0, sizeof tm);
	end = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL)
		return xstrdup(iso);
	return tui_local_time((uint64_t)timegm(&tm) * 1000);
}

static void
conflicts_lines_free(struct conflicts_data *d)
{
	size_t	i;

	for (i = 0; i < d->nlines; i++)
		free(d->lines[i]);
	free(d->lines);
	d->lines = NULL;
	d->nlines = 0;
}

static void
conflicts_add_line(struct conflicts_data *d, const char *s, size_t len)
{
	d->lines = xreallocarray(d->lines, d->nlines + 1, sizeof *d->lines);
	d->lines[d->nlines++] = xstrndup(s, len);
}

/*
 * Wrap text into lines of at most width columns after a label, breaking
 * at spaces where there is one and at newlines always; each line after
 * the first is indented as far as the label.
 */
static void
conflicts_wrap(struct conflicts_data *d, const char *label, const char *text,
    int width)
{
	char		*line;
	const char	*s = text, *start, *space;
	size_t		 len, k, indent = strlen(label);
	uint32_t	 c;
	int		 w, cw, valid, avail = width - (int)indent;

	if (avail < 10)
		avail = 10;
	if (*s == '\0') {
		conflicts_add_line(d, label, indent);
		return;
	}
	while (*s != '\0') {
		start = s;
		space = NULL;
		w = 0;
		len = strlen(s);
		while (len > 0 && *s != '\n') {
			k = utf8_next(s, len, &c, &valid);
			cw = wcwidth((wchar_t)c);
			if (cw < 0)
				cw = 1;
			if (w + cw > avail)
				break;
			if (*s == ' ')
				space = s;
			w += cw;
			s += k;
			len -= k;
		}
		if (len > 0 && *s != '\n' && space != NULL && space > start)
			s = space + 1;
		xasprintf(&line, "%-*s%.*s", (int)indent, start == text ? label :
		    "", (int)(s - start - (s > start && s[-1] == ' ' &&
		    *s != '\0' ? 1 : 0)), start);
		conflicts_add_line(d, line, strlen(line));
		free(line);
		if (*s == '\n')
			s++;
	}
}

/* What r did to an entry, or will do. */
static const char *
conflicts_restored_text(const struct record *r)
{
	int	done = strcmp(record_value(r, "restored"), "yes") == 0;

	if (strcmp(record_value(r, "field"), "*") != 0)
		return done ? "yes: the lost value was put back" :
		    "no: r puts the lost value back";
	if (strcmp(record_value(r, "kept"), "deleted") == 0)
		return done ? "yes: the record was made again, as a new one" :
		    "no: r makes the record again, as a new one";
	return done ? "yes: it was deleted again" :
	    "no: r deletes it again, if you may";
}

/* The selected entry, in full, wrapped to the width of the screen. */
static void
conflicts_fill(struct conflicts_data *d, int cols)
{
	const struct record	*r = conflicts_selected(d);
	char			*when, *logged, *iso, buf[128];

	conflicts_lines_free(d);
	if (r == NULL)
		return;
	when = conflicts_time(record_value(r, "changed_at"));
	iso = model_value(r, "created_at");
	logged = conflicts_time(iso);
	free(iso);
	conflicts_wrap(d, " Record:    ", d->names[d->lb.sel], cols);
	conflicts_wrap(d, " ID:        ", record_value(r, "record"), cols);
	conflicts_wrap(d, " Field:     ", strcmp(record_value(r, "field"),
	    "*") == 0 ? "the whole record" : record_value(r, "field"), cols);
	conflicts_add_line(d, "", 0);
	conflicts_wrap(d, " Kept:      ", record_value(r, "kept"), cols);
	conflicts_add_line(d, "", 0);
	conflicts_wrap(d, " Lost:      ", record_value(r, "lost"), cols);
	conflicts_add_line(d, "", 0);
	snprintf(buf, sizeof buf, "%s, at %s", record_value(r, "who"), when);
	conflicts_wrap(d, " Lost by:   ", buf, cols);
	conflicts_wrap(d, " Why:       ", record_value(r, "why"), cols);
	conflicts_wrap(d, " Logged:    ", logged, cols);
	conflicts_wrap(d, " Restored:  ", conflicts_restored_text(r), cols);
	free(when);
	free(logged);
}

static int
conflicts_enter(struct screen *sc)
{
	struct conflicts_data	*d = sc->data;

	conflicts_load(d);
	return 0;
}

static void
conflicts_reload(struct screen *sc)
{
	struct conflicts_data	*d = sc->data;

	conflicts_load(d);
	if (d->full)
		conflicts_fill(d, COLS);
}

static void
conflicts_leave(struct screen *sc)
{
	struct conflicts_data	*d = sc->data;

	conflicts_rows_free(d);
	conflicts_lines_free(d);
	free(d->rows);
	free(d->names);
	browse_clear(&d->b);
	free(d);
}

static void
conflicts_line(void *arg, size_t i, int y, int x, int w, int selected)
{
	struct conflicts_data	*d = arg;

	(void)selected;
	tui_put(y, x, w, d->lines[i], tui_attr(C_NORMAL));
}

static void
conflicts_draw_full(struct conflicts_data *d, int rows, int cols)
{
	tui_put(0, 0, cols, " Conflict log: one entry", tui_attr(C_TAB_ON));
	listbox_set_rows(&d->text, d->nlines);
	listbox_draw(&d->text, 2, 0, rows - 2, cols);
}

/* A row of the log, in the columns the last draw laid out. */
static void
conflicts_row(void *arg, size_t row, int y, int x, int w, int selected)
{
	struct conflicts_data	*d = arg;
	const struct record	*r = d->rows[row].rec;
	char			*cells[7];
	int			 i, attr;

	(void)w;
	attr = selected ? tui_attr(C_SELECTED) : tui_attr(C_NORMAL);
	cells[0] = conflicts_time(record_value(r, "changed_at"));
	cells[1] = xstrdup(d->names[row]);
	cells[2] = xstrdup(strcmp(record_value(r, "field"), "*") == 0 ?
	    "whole record" : record_value(r, "field"));
	cells[3] = xstrdup(record_value(r, "kept"));
	cells[4] = xstrdup(record_value(r, "lost"));
	cells[5] = xstrdup(record_value(r, "who"));
	cells[6] = xstrdup(strcmp(record_value(r, "restored"), "yes") == 0 ?
	    "restored" : "");
	for (i = 0; i < 7; i++) {
		tui_put(y, x, d->width[i], cells[i], attr);
		/* The gap in the row's colour: the bar is unbroken. */
		if (i < 6)
			tui_put(y, x + d->width[i], CONFLICTS_GAP, "", attr);
		x += d->width[i] + CONFLICTS_GAP;
		free(cells[i]);
	}
}

static void
conflicts_draw(struct screen *sc, int rows, int cols)
{
	static const char *const heads[] = { "When", "Record", "Field",
	    "Kept", "Lost", "Who", "Restored" };
	struct conflicts_data	*d = sc->data;
	const struct record	*r;
	char			*when, buf[512];
	int			*width = d->width, avail, i, x, y;

	if (d->full) {
		conflicts_draw_full(d, rows, cols);
		return;
	}
	tui_put(0, 0, cols, " Conflict log: values a sync or a save "
	    "overwrote, newest first", tui_attr(C_TAB_ON));
	width[0] = 16;
	width[5] = 5;
	width[6] = 8;
	avail = cols - width[0] - width[5] - width[6] - 6 * CONFLICTS_GAP;
	if (avail < 20)
		avail = 20;
	width[1] = avail * 3 / 10;
	width[2] = avail * 2 / 10;
	width[3] = (avail - width[1] - width[2]) / 2;
	width[4] = avail - width[1] - width[2] - width[3];
	for (i = 0, x = 0; i < 7; i++) {
		tui_put(1, x, width[i] + (i < 6 ? CONFLICTS_GAP : 0), heads[i],
		    tui_attr(C_HEADER));
		x += width[i] + CONFLICTS_GAP;
	}
	if (d->lb.n == 0) {
		tui_put(2, 0, cols, d->failed ? "  (could not be read: see "
		    "the message below)" : "  No conflicts: no sync has "
		    "overwritten or refused a value here.", tui_attr(C_NORMAL));
		return;
	}
	listbox_draw(&d->lb, 2, 0, rows - 2, cols);
	/* Under the list: the selected entry, its values uncut if they fit. */
	if ((r = conflicts_selected(d)) == NULL || rows - CONFLICTS_DETAIL < 3)
		return;
	y = rows - CONFLICTS_DETAIL;
	when = conflicts_time(record_value(r, "changed_at"));
	snprintf(buf, sizeof buf, " %s, %s: %s", d->names[d->lb.sel],
	    strcmp(record_value(r, "field"), "*") == 0 ? "the whole record" :
	    record_value(r, "field"), record_value(r, "why"));
	tui_put(y++, 0, cols, buf, tui_attr(C_LABEL));
	snprintf(buf, sizeof buf, " Kept: %s", record_value(r, "kept"));
	tui_put(y++, 0, cols, buf, tui_attr(C_NORMAL));
	snprintf(buf, sizeof buf, " Lost: %s", record_value(r, "lost"));
	tui_put(y++, 0, cols, buf, tui_attr(C_NORMAL));
	snprintf(buf, sizeof buf, " Lost change by %s at %s; %s",
	    record_value(r, "who"), when, strcmp(record_value(r, "restored"),
	    "yes") == 0 ? "restored since." : "not restored: r puts it back, "
	    "Enter shows it all.");
	tui_put(y++, 0, cols, buf, tui_attr(C_NORMAL));
	free(when);
}

/* r: the lost value back into its record, as an ordinary change. */
static void
conflicts_restore(struct conflicts_data *d)
{
	const struct record	*r = conflicts_selected(d);
	struct store_txn	*t;
	struct record_id	 made;
	char			*name, *field, *lost;
	char			 idtext[RECORD_ID_TEXT + 1];
	int			 ret, done;

	if (r == NULL) {
		tui_message(1, "No entry is selected: the log is empty.");
		return;
	}
	name = xstrdup(d->names[d->lb.sel]);
	field = xstrdup(record_value(r, "field"));
	lost = xstrdup(record_value(r, "lost"));
	if (strcmp(record_value(r, "restored"), "yes") == 0) {
		tui_message(0, "Already restored: %s of %s was put back to "
		    "\"%s\".", field, name, lost);
		goto out;
	}
	if ((ret = session_begin(&app.s, app.s.wait_seconds, &t)) != 0) {
		tui_unit(ret);
		goto out;
	}
	if ((done = conflict_restore(t, &app.s.user, &r->id, &made)) == -1) {
		session_end(&app.s, t, 0);
		tui_error();
		goto out;
	}
	if (session_end(&app.s, t, 1) != 0) {
		tui_error();
		goto out;
	}
	tui_unit(0);
	conflicts_load(d);
	if (d->full)
		conflicts_fill(d, COLS);
	tui_status_reload();
	if (done == CONFLICT_MADE_AGAIN) {
		record_id_format(&made, idtext);
		tui_message(0, "Made %s again as a new record (%.8s…)%s.",
		    name, idtext, app.s.role == STORE_LOCAL ?
		    ": the next sync carries it" : "");
	} else if (done == CONFLICT_DELETED)
		tui_message(0, "Deleted %s again%s.", name,
		    app.s.role == STORE_LOCAL ? ": the next sync carries it" :
		    "");
	else
		tui_message(0, "Restored %s of %s to \"%s\"%s.", field, name,
		    lost, app.s.role == STORE_LOCAL ?
		    ": the next sync carries it" : "");
out:
	free(name);
	free(field);
	free(lost);
}

static void
conflicts_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct conflicts_data	*d = sc->data;

	(void)iskey;
	(void)ch;
	if (a == A_RESTORE) {
		conflicts_restore(d);
		return;
	}
	if (a == A_RETRY) {
		conflicts_load(d);
		return;
	}
	if (d->full) {
		switch (a) {
		case A_BACK:
			d->full = 0;
			conflicts_lines_free(d);
			break;
		default:
			if (!listbox_key(&d->text, a))
				return;
			break;
		}
		tui_redraw(REDRAW_BODY);
		return;
	}
	switch (a) {
	case A_BACK:
		tui_pop();
		return;
	case A_OPEN:
		if (conflicts_selected(d) == NULL)
			return;
		d->full = 1;
		conflicts_fill(d, COLS);
		d->text.top = 0;
		listbox_set_rows(&d->text, d->nlines);
		break;
	default:
		if (!listbox_key(&d->lb, a))
			return;
		break;
	}
	tui_redraw(REDRAW_BODY);
}

const struct screen_ops screen_conflicts = {
	.name = "conflicts",
	.keymaps = KM_CONFLICTS,
	.bindings = conflicts_bindings,
	.enter = conflicts_enter,
	.draw = conflicts_draw,
	.key = conflicts_key,
	.reload = conflicts_reload,
	.leave = conflicts_leave,
	.help = "The conflict log: values a sync overwrote or refused",
};
