/*
 * list: the widget under every list of records. It holds one page of a
 * browse in a listbox, which moves the selection through it; at the
 * page's edges the listbox asks list_window_edge to page the browse's
 * cursor. The list adds the columns and the incremental search; a screen
 * only draws it where it wants and hands it the keys it does not use.
 */
#include "config.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "browse.h"
#include "clock.h"
#include "document.h"
#include "edit.h"
#include "error.h"
#include "list.h"
#include "listbox.h"
#include "model.h"
#include "record.h"
#include "session.h"
#include "store.h"
#include "tui.h"
#include "user.h"
#include "xmalloc.h"

/* The type of the record an ID refers to, trying each when any will do. */
static int
tui_ref_type(struct store_txn *t, int want, const struct record_id *id,
    struct record **out)
{
	int	type;

	for (type = 0; type < MODEL_NTYPES; type++) {
		if (want != MODEL_ANY && type != want)
			continue;
		if (store_get(t, (size_t)type, id, out) == 0) {
			if (((*out)->flags & RECORD_DELETED) == 0)
				return type;
			record_free(*out);
		}
	}
	error_clear();
	return -1;
}

char *
tui_field_text(struct store_txn *t, int type, const struct record *r,
    const char *field)
{
	const struct model_field	*mf;
	struct record			*ref;
	struct record_id		 id;
	const char			*v;
	char				*s;
	int				 rt;

	if (strcmp(field, "@name") == 0)
		return model_record_name(type, r, MODEL_NAME_SCREEN);
	if (model_is_meta(field))
		return model_value(r, field);
	v = record_value(r, field);
	if ((mf = model_field_find(type, field)) == NULL || *v == '\0')
		return xstrdup(v);
	/* Documents and letters: a size as a person reads it. */
	if (type == MODEL_DOCUMENT && strcmp(field, "size") == 0)
		return document_size_text(v);
	if (mf->kind == MODEL_REF && t != NULL && record_id_parse(v, &id) == 0) {
		if ((rt = tui_ref_type(t, mf->ref_type, &id, &ref)) >= 0) {
			s = model_record_name(rt, ref, MODEL_NAME_SCREEN);
			record_free(ref);
			return s;
		}
		error_clear();
		return xstrdup("(deleted)");
	}
	if (mf->kind == MODEL_DATE) {
		char	buf[64];

		/* In the user's order (ui.date_order), the time after a space. */
		agenda_date_show(v, buf, sizeof buf);
		return xstrdup(buf);
	}
	return xstrdup(v);
}

static void	list_row(void *, size_t, int, int, int, int);
static void	list_edge(struct listbox *, long, void *);

void
list_init(struct list *l, int type, const char *columns)
{
	char	*copy, *p, *f;

	memset(l, 0, sizeof *l);
	l->type = type;
	listbox_init(&l->lb, 0, list_row, list_edge, l);
	browse_init(&l->b, (size_t)type, BROWSE_NAME);
	edit_init(&l->search, "");
	copy = xstrdup(columns);
	for (p = copy; (f = strsep(&p, ",")) != NULL && l->nfields < 8;) {
		if (*f != '\0')
			l->fields[l->nfields++] = f == copy ? xstrdup(f) :
			    xstrdup(f);
	}
	free(copy);
}

static void
list_rows_free(struct list *l)
{
	size_t	i, j;

	for (i = 0; i < l->lb.n; i++) {
		for (j = 0; j < l->nfields; j++)
			free(l->cells[i][j]);
		free(l->cells[i]);
	}
	browse_rows_free(l->rows, l->lb.n);
	l->lb.n = 0;
}

void
list_free(struct list *l)
{
	size_t	i;

	list_rows_free(l);
	free(l->rows);
	free(l->cells);
	for (i = 0; i < l->nfields; i++)
		free((char *)l->fields[i]);
	browse_clear(&l->b);
	edit_free(&l->search);
	free(l->last);
	memset(l, 0, sizeof *l);
}

/* Read the page from the browse's first row, in one unit of work. */
int
list_load(struct list *l)
{
	struct store_txn	*t;
	size_t			 i, j, n, got;
	int			 ret;

	n = l->lb.height > 0 ? l->lb.height : 1;
	if (n > l->cap) {
		l->rows = xreallocarray(l->rows, n, sizeof *l->rows);
		l->cells = xreallocarray(l->cells, n, sizeof *l->cells);
		l->cap = n;
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		l->failed = 1;
		return tui_unit(ret);
	}
	list_rows_free(l);
	ret = browse_page(&l->b, t, l->rows, n, &got);
	if (ret == 0) {
		l->lb.n = got;
		for (i = 0; i < got; i++) {
			l->cells[i] = xcalloc(l->nfields, sizeof **l->cells);
			for (j = 0; j < l->nfields; j++)
				l->cells[i][j] = tui_field_text(t, l->type,
				    l->rows[i].rec, l->fields[j]);
		}
	}
	session_end(&app.s, t, 0);
	tui_unit(0);
	if (ret != 0) {
		l->failed = 1;
		tui_error();
		return -1;
	}
	l->failed = 0;
	l->loaded = 1;
	listbox_set_rows(&l->lb, l->lb.n);
	tui_redraw(REDRAW_BODY);
	return 0;
}

void
list_window_edge(struct listbox *lb, struct browse *b, long delta,
    int (*load)(void *), void *arg)
{
	struct store_txn	*t;
	size_t			 h = lb->height > 0 ? lb->height : 1;
	long			 moved = 0, to;
	int			 ret;

	if (delta == LISTBOX_FIRST) {
		browse_home(b);
		lb->sel = lb->top = 0;
		load(arg);
		return;
	}
	/* A page that is not full is the last: nothing below to read. */
	if (delta > 0 && delta != LISTBOX_LAST && lb->n < h) {
		listbox_move(lb, delta);
		return;
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		return;
	}
	if (delta == LISTBOX_LAST)
		ret = browse_end(b, t, h);
	else
		ret = browse_move(b, t, delta, h, &moved);
	session_end(&app.s, t, 0);
	if (ret != 0) {
		tui_error();
		return;
	}
	load(arg);
	lb->top = 0;
	if (delta == LISTBOX_LAST) {
		lb->sel = lb->n > 0 ? lb->n - 1 : 0;
		return;
	}
	/*
	 * The same record under the selection after a move of a line, as
	 * the window scrolled; the rest of a page the browse could not go
	 * is the selection's to go, up to the first or last row.
	 */
	to = (long)lb->sel + delta - moved;
	lb->sel = to < 0 ? 0 : (size_t)to;
	listbox_set_rows(lb, lb->n);
}

static int
list_load_arg(void *arg)
{
	return list_load(arg);
}

static void
list_edge(struct listbox *lb, long delta, void *arg)
{
	struct list	*l = arg;

	list_window_edge(lb, &l->b, delta, list_load_arg, l);
}

const struct record *
list_selected(const struct list *l)
{
	if (l->lb.n == 0 || l->lb.sel >= l->lb.n)
		return NULL;
	return l->rows[l->lb.sel].rec;
}

void
list_describe(const struct list *l, char *buf, size_t len)
{
	static const char *const orders[] = { "by name A-Z", "by name Z-A",
	    "newest first", "oldest first" };
	/* Tasks and events: their name index begins with the date. */
	static const char *const by_due[] = { "by due date", "latest due "
	    "first", "newest first", "oldest first" };
	static const char *const by_start[] = { "by start", "latest start "
	    "first", "newest first", "oldest first" };
	const char *const *o = l->type == MODEL_TASK ? by_due :
	    l->type == MODEL_EVENT ? by_start : orders;
	char	*q;

	q = edit_text(&l->search);
	snprintf(buf, len, "%s%s%s%s%s", l->b.mine[0] != '\0' ? "mine, " : "",
	    l->b.has_ref ? (l->b.order == BROWSE_OLDEST ||
	    l->b.order == BROWSE_NAME ? "oldest first" : "newest first") :
	    o[l->b.order], *q != '\0' ? ", matching \"" : "", q,
	    *q != '\0' ? "\"" : "");
	free(q);
}

int
list_searched(const struct list *l)
{
	return l->b.search != NULL;
}

/* Search for the text of the prompt, from the first row. */
static void
list_search_apply(struct list *l)
{
	char	*q = edit_text(&l->search);

	if (l->b.order != BROWSE_NAME && l->b.order != BROWSE_NAME_DESC &&
	    !l->b.has_ref)
		l->b.order = BROWSE_NAME;
	browse_set_search(&l->b, q);
	free(q);
	l->lb.sel = l->lb.top = 0;
	list_load(l);
}

/* The search prompt has the keys: each one narrows the list at once. */
static int
list_search_key(struct list *l, int iskey, wint_t ch)
{
	int	 r;

	if (!iskey && (ch == '\r' || ch == '\n')) {
		l->searching = 0;
		if (!list_searched(l))
			edit_set(&l->search, "");
		tui_redraw(REDRAW_BODY);
		return 1;
	}
	if (!iskey && ch == 27) {
		l->searching = 0;
		edit_set(&l->search, "");
		list_search_apply(l);
		return 1;
	}
	/* Up on an empty prompt: the search before, a key away. */
	if (((iskey && ch == KEY_UP) || (!iskey && ch == 0x10)) &&
	    l->search.len == 0 && l->last != NULL) {
		edit_set(&l->search, l->last);
		list_search_apply(l);
		return 1;
	}
	if (iskey && (ch == KEY_UP || ch == KEY_DOWN || ch == KEY_NPAGE ||
	    ch == KEY_PPAGE)) {
		l->searching = 0;
		return 0;
	}
	r = edit_key(&l->search, iskey, ch);
	if (r == EDIT_CHANGED)
		list_search_apply(l);
	else
		tui_redraw(REDRAW_BODY);
	return 1;
}

/* A fresh search: the one before is kept for Up. */
static void
list_search_start(struct list *l)
{
	char	*q = edit_text(&l->search);

	if (*q != '\0') {
		free(l->last);
		l->last = q;
	} else
		free(q);
	l->searching = 1;
	if (l->search.len > 0) {
		edit_set(&l->search, "");
		list_search_apply(l);
	}
}

void
list_next_match(struct list *l, int dir)
{
	const struct record	*r;
	struct record_id	 was;
	int			 had;

	if (!list_searched(l))
		return;
	if ((had = (r = list_selected(l)) != NULL))
		was = r->id;
	list_key(l, dir > 0 ? A_DOWN : A_UP, 1, dir > 0 ? KEY_DOWN : KEY_UP);
	if ((r = list_selected(l)) != NULL && (!had ||
	    record_id_cmp(&r->id, &was) != 0))
		return;
	/* At either end: round to the other, as mutt and less do. */
	list_key(l, dir > 0 ? A_HOME : A_END, 1, dir > 0 ? KEY_HOME : KEY_END);
	tui_message(0, "search wrapped to the %s", dir > 0 ? "first match" :
	    "last match");
}

int
list_key(struct list *l, enum action a, int iskey, wint_t ch)
{
	if (l->searching && list_search_key(l, iskey, ch))
		return 1;
	if (listbox_key(&l->lb, a)) {
		tui_redraw(REDRAW_BODY);
		return 1;
	}
	switch (a) {
	case A_RETRY:
		list_load(l);
		return 1;
	case A_SEARCH:
		if (l->b.has_ref)
			return 0;
		list_search_start(l);
		break;
	default:
		return 0;
	}
	tui_redraw(REDRAW_BODY);
	return 1;
}

/*
 * Names (a record's, its company's, an email) are never cut below this
 * many columns: at 80 columns a column that would not fit so is left
 * out instead (the Contacts tab leaves out the account manager).
 */
#define LIST_NAME_MIN	16

/* Columns: how wide each kind of field is shown. */
static void
list_widths(const struct list *l, int w, int *width, int *shown)
{
	const struct model_field	*mf;
	int				 pref[8], min[8], used, i, n, extra, want;

	for (i = 0; i < (int)l->nfields; i++) {
		mf = model_field_find(l->type, l->fields[i]);
		pref[i] = i == 0 ? 32 : 16;
		min[i] = 10;
		if (mf != NULL) {
			switch (mf->kind) {
			case MODEL_DATE:
				pref[i] = min[i] = strcmp(mf->name, "start") == 0 ?
				    16 : 10;
				break;
			case MODEL_USERID:
				pref[i] = min[i] = 8;
				break;
			case MODEL_CHOICE:
				pref[i] = min[i] = 11;
				break;
			case MODEL_BOOL:
				pref[i] = min[i] = 9;
				break;
			case MODEL_NUMBER:
			case MODEL_INTEGER:
				pref[i] = min[i] = 11;
				break;
			case MODEL_EMAIL:
				pref[i] = 26;
				min[i] = LIST_NAME_MIN;
				break;
			case MODEL_REF:
				/* A company's or contact's name, to choose by. */
				pref[i] = 22;
				min[i] = LIST_NAME_MIN;
				break;
			default:
				break;
			}
			if (strcmp(mf->name, "phone") == 0)
				pref[i] = min[i] = 15;
			/* A login is short; the user's name takes the room. */
			if (strcmp(mf->name, "login") == 0)
				pref[i] = min[i] = 12;
			if (strcmp(mf->name, "uid") == 0)
				pref[i] = min[i] = 8;
			if (strcmp(mf->name, "country") == 0 ||
			    strcmp(mf->name, "city") == 0)
				pref[i] = 13;
		}
		/* The first column names the record: never cut below this. */
		if (i == 0 && min[i] < LIST_NAME_MIN && (mf == NULL ||
		    (mf->kind == MODEL_TEXT && strcmp(mf->name, "login") != 0)))
			min[i] = LIST_NAME_MIN;
	}
	/* As many columns as fit at their minimum, left to right. */
	used = 0;
	for (n = 0; n < (int)l->nfields; n++) {
		if (used + min[n] + (n > 0) > w)
			break;
		used += min[n] + (n > 0);
		width[n] = min[n];
	}
	if (n == 0) {
		n = 1;
		width[0] = w;
		used = w;
	}
	/*
	 * The rest is shared by what each column would like more, in
	 * proportion; what is left after every wish goes to the first.
	 */
	extra = w - used;
	want = 0;
	for (i = 0; i < n; i++)
		want += pref[i] > width[i] ? pref[i] - width[i] : 0;
	for (i = 0; i < n && want > 0; i++) {
		int	give = pref[i] > width[i] ? pref[i] - width[i] : 0;

		if (extra < want)
			give = give * extra / want;
		width[i] += give;
		used += give;
	}
	/* What is left goes to the first column holding free text. */
	for (i = 0; i < n; i++) {
		mf = model_field_find(l->type, l->fields[i]);
		if (mf == NULL || ((mf->kind == MODEL_TEXT ||
		    mf->kind == MODEL_LONGTEXT || mf->kind == MODEL_REF) &&
		    strcmp(mf->name, "login") != 0 &&
		    strcmp(mf->name, "uid") != 0))
			break;
	}
	/*
	 * Documents and letters: a description is the longest
	 * text of a row (a document's, a template's): it takes the rest.
	 */
	for (extra = 0; extra < n; extra++) {
		if (strcmp(l->fields[extra], "description") == 0)
			i = extra;
	}
	width[i < n ? i : 0] += w - used;
	*shown = n;
}

/* A column's header: the field's label, shortened for narrow ones. */
static const char *
list_label(const char *field, const struct model_field *mf)
{
	static const char *const shorter[][2] = {
		{ "account_manager", "Manager" },
		{ "assigned_to", "Assigned" },
		{ "close_date", "Closing" },
		{ "probability", "Prob. %" },
		{ "@name", "Name" },
		/* Settings and users screens. */
		{ "restricted", "Restrict." },
		{ "may_change_manager", "Sets mgr" },
		{ "response_date", "Resp. date" },	/* campaigns */
	};
	size_t	i;

	for (i = 0; i < sizeof shorter / sizeof shorter[0]; i++) {
		if (strcmp(field, shorter[i][0]) == 0)
			return shorter[i][1];
	}
	return mf != NULL ? mf->label : field;
}

/* A row of the list, its columns as the last list_draw laid them out. */
static void
list_row(void *arg, size_t row, int y, int x, int w, int selected)
{
	struct list	*l = arg;
	int		 i, cx, attr, overdue;
	char		 buf[256];

	(void)w;
	selected = selected && l->focus;
	attr = selected ? tui_attr(C_SELECTED) : tui_attr(C_NORMAL);
	/* Overdue tasks: "!" before the subject, and bold or red. */
	overdue = l->type == MODEL_TASK &&
	    agenda_task_overdue(l->rows[row].rec, agenda_today(NULL));
	if (overdue && !selected)
		attr = tui_attr(C_ERROR);
	for (i = 0, cx = x; i < l->shown; i++) {
		if (overdue && strcmp(l->fields[i], "subject") == 0) {
			snprintf(buf, sizeof buf, "! %s", l->cells[row][i]);
			tui_put(y, cx, l->width[i], buf, attr);
		} else
			tui_put(y, cx, l->width[i], l->cells[row][i], attr);
		if (i + 1 < l->shown)
			tui_put(y, cx + l->width[i], 1, "", attr);
		cx += l->width[i] + 1;
	}
}

void
list_draw(struct list *l, int y, int x, int h, int w, int focus)
{
	const struct model_field	*mf;
	int				 i, cx;
	char				*q, buf[256];

	if (h < 2 || w < 4)
		return;
	list_widths(l, w, l->width, &l->shown);
	l->focus = focus;
	/* The header: labels of the columns. */
	for (i = 0, cx = x; i < l->shown; i++) {
		mf = model_field_find(l->type, l->fields[i]);
		tui_put(y, cx, l->width[i], list_label(l->fields[i], mf),
		    tui_attr(C_HEADER));
		if (i + 1 < l->shown)
			tui_put(y, cx + l->width[i], 1, "", tui_attr(C_HEADER));
		cx += l->width[i] + 1;
	}
	if (l->lb.n > 0) {
		listbox_draw(&l->lb, y + 1, x, h - 1, w);
		return;
	}
	q = edit_text(&l->search);
	if (l->failed)
		snprintf(buf, sizeof buf, "  (could not be read: see the "
		    "message below)");
	else if (*q != '\0')
		snprintf(buf, sizeof buf, "  Nothing matches \"%s\".", q);
	else if (l->b.mine[0] != '\0')
		snprintf(buf, sizeof buf, "  Nothing of yours here: m shows "
		    "all.");
	else
		snprintf(buf, sizeof buf, "  Nothing here yet%s.",
		    l->b.has_ref ? "" : ": n makes a new one");
	free(q);
	tui_put(y + 1, x, w, buf, tui_attr(C_NORMAL));
}

void
list_draw_search(struct list *l, int y, int x, int w, const char *label)
{
	wchar_t	view[256];
	int	col, lw;

	lw = tui_width(label);
	tui_put(y, x, w, label, tui_attr(C_KEY));
	if (w - lw - 1 < 2)
		return;
	col = edit_view(&l->search, w - lw - 1, view, 256);
	attrset(A_NORMAL);
	mvaddwstr(y, x + lw, view);
	app.cursor_y = y;
	app.cursor_x = x + lw + col;
}

struct list_screen *
list_screen_new(int type, const char *columns, int chrome)
{
	struct list_screen	*d = xcalloc(1, sizeof *d);

	list_init(&d->l, type, columns);
	d->chrome = chrome;
	return d;
}

/* The list takes the rows above the status lines but the screen's own. */
static void
list_screen_size(struct list_screen *d)
{
	int	h = LINES - 2 - d->chrome;

	d->l.lb.height = h > 1 ? h : 1;
}

int
list_screen_enter(struct screen *sc)
{
	struct list_screen	*d = sc->data;

	list_screen_size(d);
	list_load(&d->l);
	return 0;
}

void
list_screen_reload(struct screen *sc)
{
	struct list_screen	*d = sc->data;

	list_screen_size(d);
	list_load(&d->l);
}

void
list_screen_leave(struct screen *sc)
{
	struct list_screen	*d = sc->data;

	list_free(&d->l);
	free(d);
}
