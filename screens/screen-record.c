/*
 * screen-record: one record, all its fields and who made and changed it
 * (RULES.md S4), and panes of the records linked to it (a company's
 * contacts, notes, events, tasks, opportunities, issues, documents), each
 * a list that opens its records.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "browse.h"
#include "clock.h"
#include "error.h"
#include "list.h"
#include "listbox.h"
#include "model.h"
#include "record.h"
#include "rights.h"
#include "screens.h"
#include "session.h"
#include "tui.h"
#include "user.h"
#include "xmalloc.h"

/*
 * The record screen's own actions and keymap (tui.h; its document keys
 * are screens.h's).
 */
#define A_NEXT_PANE	(A_DOCS_END + 0)	/* the next pane of links */
#define A_PREV_PANE	(A_DOCS_END + 1)
#define A_CAMP_OPEN	(A_DOCS_END + 2)	/* the campaign of a target */
#define A_READ		(A_DOCS_END + 3)	/* a long text in full */
#define A_DONE		(A_DOCS_END + 4)	/* a task done, or open again */
#define KM_RECORD	KM_SCREEN

static const struct binding record_bindings[] = {
	KEYS_SHARED(KEYS_OPEN),
	{ A_NEW, "new", KM_RECORD, { 'n' }, "n", "new record", 1 },
	{ A_EDIT, "edit", KM_RECORD, { 'e' }, "e", "edit", 1 },
	{ A_DELETE, "delete", KM_RECORD, { 'd', KEY_DC }, "d",
	  "delete (asks first)", 1 },
	{ A_NEXT_PANE, "panes", KM_RECORD, { '\t', KEY_RIGHT, 'l' },
	  "Tab", "next pane of linked records (and back to the fields)", 1 },
	{ A_PREV_PANE, "previous-pane", KM_RECORD, { KEY_BTAB, KEY_LEFT, 'h' },
	  "S-Tab", "previous pane", 0 },
	KEYS_SHARED(KEYS_MOVE),
	KEYS_BACK(KM_RECORD),
	KEYS_UNDO(KM_RECORD),
	{ A_READ, "read", KM_RECORD, { 'r' }, "r",
	  "read the long text (a note's text, a description) in full", 0 },
	KEYS_SHARED(KEYS_END),
	{ A_CAMP_OPEN, "campaign", KM_RECORD, { 'c' }, "c",
	  "open the campaign of this target, or of the target selected", 0 },
	{ A_ATTACH, "attach", KM_RECORD, { 'a' }, "a",
	  "attach a file to this record (Tab completes the path)", 1 },
	{ A_VIEW_FILE, "open-file", KM_RECORD, { 'o' }, "o",
	  "open the document: text in $PAGER, other kinds with run-mailcap",
	  0 },
	{ A_SAVE_COPY, "save-copy", KM_RECORD, { 'w' }, "w",
	  "save a copy of the document (or template) elsewhere", 0 },
	{ A_LETTER, "letter", KM_RECORD, { 'L' }, "L",
	  "write a letter to this contact from a template", 1 },
	{ A_DONE, "done", KM_RECORD, { 'x' }, "x",
	  "a task done, or open again if it was done", 0 },
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

/* The kinds of linked records shown, in this order, when they link. */
static const struct record_pane_def {
	int		 type;
	const char	*columns;
	enum browse_order order;
	const char	*date;		/* sorted by this date, or by creation */
} record_pane_defs[] = {
	{ MODEL_CONTACT, "@name,job_title,phone,email", BROWSE_NAME, NULL },
	{ MODEL_NOTE, "date,subject", BROWSE_NEWEST, "date" },
	{ MODEL_EVENT, "start,subject,location", BROWSE_NEWEST, "start" },
	{ MODEL_TASK, "due,subject,status,assigned_to", BROWSE_OLDEST, "due" },
	{ MODEL_OPPORTUNITY, "name,stage,amount,close_date", BROWSE_NEWEST,
	  "close_date" },
	{ MODEL_ISSUE, "subject,status,priority,assigned_to", BROWSE_NEWEST,
	  NULL },
	{ MODEL_TARGET, "campaign,company,contact,responded", BROWSE_NEWEST,
	  NULL },
	{ MODEL_DOCUMENT, "filename,description,size", BROWSE_NEWEST, NULL },
};
#define RECORD_NPANES (sizeof record_pane_defs / sizeof record_pane_defs[0])

#define RECORD_LABEL_W		18	/* columns of the labels */
/* Rows of one long value on the record screen; r shows it whole. */
#define RECORD_TEXT_ROWS	4

struct record_row {
	const char	*label;		/* its field's label on its first row */
	char		*text;
};

struct record_data {
	int		 type;
	struct record_id id;
	struct record	*rec;
	/* "Label", "value" lines of the fields, then the metadata. */
	char		**labels;
	char		**values;
	size_t		 nlines;
	/*
	 * The rows they take on the screen: a value wraps, long text up to
	 * RECORD_TEXT_ROWS rows (r reads it all). Laid out for rows_cols.
	 */
	struct record_row *rows;
	size_t		 nrows;
	int		 rows_cols;
	struct listbox	 fields;	/* the rows, scrolled as a text */
	struct list	 panes[RECORD_NPANES];
	size_t		 counts[RECORD_NPANES];
	int		 pane_type[RECORD_NPANES];
	size_t		 npanes;
	size_t		 focus;		/* 0: the fields; i: pane i - 1 */
	size_t		 shown;		/* the pane shown while focus is 0 */
	int		 gone;		/* deleted meanwhile */
};

static void	record_rows_make(struct record_data *, int);
static void	record_field_row(void *, size_t, int, int, int, int);

/* The names of the panes: whole, shorter, shortest (for 80 columns). */
static const struct {
	int		 type;
	const char	*label[3];
} record_pane_labels[] = {
	{ MODEL_CONTACT, { "Contacts", "Contacts", "Cont" } },
	{ MODEL_NOTE, { "Notes", "Notes", "Notes" } },
	{ MODEL_EVENT, { "Events", "Events", "Evts" } },
	{ MODEL_TASK, { "Tasks", "Tasks", "Tasks" } },
	{ MODEL_OPPORTUNITY, { "Opportunities", "Opps", "Opps" } },
	{ MODEL_ISSUE, { "Issues", "Issues", "Iss" } },
	{ MODEL_TARGET, { "Targets", "Targets", "Targ" } },
	{ MODEL_DOCUMENT, { "Documents", "Docs", "Docs" } },
};

static const char *
record_pane_label(int type, int level)
{
	size_t	i;

	for (i = 0; i < sizeof record_pane_labels /
	    sizeof record_pane_labels[0]; i++) {
		if (record_pane_labels[i].type == type)
			return record_pane_labels[i].label[level];
	}
	return model_type(type)->plural;
}

/* Does a record of type t refer to records of type to? */
static int
record_links(int t, int to)
{
	const struct model_type	*mt = model_type(t);
	size_t			 i;

	for (i = 0; i < mt->nfields; i++) {
		if (mt->fields[i].kind == MODEL_REF &&
		    (mt->fields[i].ref_type == to ||
		    mt->fields[i].ref_type == MODEL_ANY))
			return 1;
	}
	return 0;
}

/* Field area height, pane bar and pane list share what is left. */
static void
record_layout(struct record_data *d, int rows, int *fh, int *ph)
{
	int	avail = rows - 1;

	record_rows_make(d, COLS);
	if (d->npanes == 0) {
		*fh = avail;
		*ph = 0;
		return;
	}
	*fh = (int)d->nrows < avail / 2 ? (int)d->nrows : avail / 2;
	if (*fh < 3)
		*fh = 3;
	*ph = avail - *fh - 1;
	if (*ph < 2)
		*ph = 2;
}

static void
record_rows_free(struct record_data *d)
{
	size_t	i;

	for (i = 0; i < d->nrows; i++)
		free(d->rows[i].text);
	free(d->rows);
	d->rows = NULL;
	d->nrows = 0;
	d->rows_cols = 0;
}

/* Lay the fields out in rows for a screen of cols columns. */
static void
record_rows_make(struct record_data *d, int cols)
{
	char	**lines, *more;
	size_t	  n, i, j, shown;
	int	  w = cols - RECORD_LABEL_W - 2;

	if (d->rows_cols == cols && d->rows != NULL)
		return;
	record_rows_free(d);
	for (i = 0; i < d->nlines; i++) {
		n = tui_wrap(d->values[i], w, &lines);
		shown = n > RECORD_TEXT_ROWS ? RECORD_TEXT_ROWS : n;
		d->rows = xreallocarray(d->rows, d->nrows + shown,
		    sizeof *d->rows);
		for (j = 0; j < shown; j++) {
			d->rows[d->nrows].label = j == 0 ? d->labels[i] : "";
			if (j + 1 == shown && shown < n) {
				/* Cut: said on its last row, with the key. */
				xasprintf(&more, "%s … (%zu more lines: r)",
				    lines[j], n - shown);
				d->rows[d->nrows++].text = more;
			} else
				d->rows[d->nrows++].text = xstrdup(lines[j]);
		}
		tui_wrap_free(lines, n);
	}
	d->rows_cols = cols;
	listbox_set_rows(&d->fields, d->nrows);
}

static void
record_lines_free(struct record_data *d)
{
	size_t	i;

	record_rows_free(d);
	for (i = 0; i < d->nlines; i++) {
		free(d->labels[i]);
		free(d->values[i]);
	}
	free(d->labels);
	free(d->values);
	d->labels = d->values = NULL;
	d->nlines = 0;
}

static void
record_line(struct record_data *d, const char *label, char *value)
{
	d->labels = xreallocarray(d->labels, d->nlines + 1, sizeof *d->labels);
	d->values = xreallocarray(d->values, d->nlines + 1, sizeof *d->values);
	d->labels[d->nlines] = xstrdup(label);
	d->values[d->nlines++] = value;
}

/* "Anna Berg (ANNA1)", or the ID alone for a user not known here. */
static char *
record_user(struct store_txn *t, const char *uid)
{
	struct user	u;
	char		*s;

	if (*uid == '\0')
		return xstrdup("");
	memset(&u, 0, sizeof u);
	if (user_find_uid(t, uid, &u) != 0) {
		error_clear();
		return xstrdup(uid);
	}
	xasprintf(&s, "%s (%s)", u.name != NULL && *u.name != '\0' ? u.name :
	    u.login, uid);
	user_clear(&u);
	return s;
}

static char *
record_when(struct store_txn *t, uint64_t stamp, const char *uid)
{
	char	*when, *who, *s;

	when = tui_local_time(clock_stamp_ms(stamp));
	who = record_user(t, uid);
	xasprintf(&s, "%s by %s", when, who);
	free(when);
	free(who);
	return s;
}

static int
record_load(struct record_data *d)
{
	const struct model_type	*mt = model_type(d->type);
	const struct model_field *mf;
	struct store_txn	*t;
	struct record		*r;
	char			 idtext[RECORD_ID_TEXT + 1];
	size_t			 i;
	int			 ret;

	if ((ret = session_begin(&app.s, 0, &t)) != 0)
		return tui_unit(ret);
	if (model_get(t, d->type, &d->id, &r) != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		d->gone = 1;
		return -1;
	}
	record_free(d->rec);
	d->rec = r;
	record_lines_free(d);
	for (i = 0; i < mt->nfields; i++) {
		mf = &mt->fields[i];
		if (mf->flags & MODEL_SECRET)
			continue;
		/* A second phone nobody gave need not push the rest away. */
		if ((mf->flags & MODEL_SPARE) &&
		    *record_value(r, mf->name) == '\0')
			continue;
		/* A SHA-256 in two halves: whole at 80 columns too. */
		if (strcmp(mf->name, "hash") == 0 &&
		    strlen(record_value(r, "hash")) == 64) {
			record_line(d, mf->label, xstrndup(record_value(r,
			    "hash"), 32));
			record_line(d, "", xstrdup(record_value(r, "hash") + 32));
		} else if (mf->kind == MODEL_USERID)
			record_line(d, mf->label, record_user(t,
			    record_value(r, mf->name)));
		else
			record_line(d, mf->label, tui_field_text(t, d->type, r,
			    mf->name));
	}
	record_line(d, "Created", record_when(t, r->created, r->created_by));
	record_line(d, "Modified", record_when(t, r->modified, r->modified_by));
	record_id_format(&r->id, idtext);
	record_line(d, "ID", xstrdup(idtext));
	for (i = 0; i < d->npanes; i++) {
		/* Records may have come, gone or changed date meanwhile. */
		browse_refresh(&d->panes[i].b);
		if (browse_count(&d->panes[i].b, t, 1000, &d->counts[i]) != 0)
			error_clear();
	}
	session_end(&app.s, t, 0);
	tui_unit(0);
	return 0;
}

static void
record_load_panes(struct record_data *d)
{
	int	fh, ph;
	size_t	i;

	record_layout(d, LINES - 2, &fh, &ph);
	for (i = 0; i < d->npanes; i++)
		d->panes[i].lb.height = ph - 1 > 1 ? ph - 1 : 1;
	/*
	 * Only the pane shown is read; the others when they are shown.
	 * While the fields have the focus, the first pane that has records.
	 */
	if (d->focus > 0)
		d->shown = d->focus - 1;
	else {
		for (d->shown = 0; d->shown < d->npanes &&
		    d->counts[d->shown] == 0; d->shown++)
			/* nothing */;
		if (d->shown == d->npanes)
			d->shown = 0;
	}
	if (d->npanes > 0)
		list_load(&d->panes[d->shown]);
}

void
screen_record_show(int type, const struct record_id *id)
{
	struct record_data	*d = xcalloc(1, sizeof *d);

	listbox_init(&d->fields, 1, record_field_row, NULL, d);
	size_t			 i;

	d->type = type;
	d->id = *id;
	for (i = 0; i < RECORD_NPANES; i++) {
		if (!record_links(record_pane_defs[i].type, type))
			continue;
		list_init(&d->panes[d->npanes], record_pane_defs[i].type,
		    record_pane_defs[i].columns);
		/* Panes by date (the latest first; tasks the soonest due). */
		d->panes[d->npanes].b.order = record_pane_defs[i].order;
		browse_set_ref(&d->panes[d->npanes].b, id);
		browse_set_date(&d->panes[d->npanes].b,
		    record_pane_defs[i].date);
		d->pane_type[d->npanes++] = record_pane_defs[i].type;
	}
	tui_push(&screen_record, d);
}

static int
record_enter(struct screen *sc)
{
	struct record_data	*d = sc->data;

	if (record_load(d) != 0)
		return -1;
	record_load_panes(d);
	return 0;
}

static void
record_reload(struct screen *sc)
{
	struct record_data	*d = sc->data;

	if (record_load(d) != 0) {
		if (d->gone)
			tui_pop();
		return;
	}
	record_load_panes(d);
	tui_status_reload();
}

static void
record_leave(struct screen *sc)
{
	struct record_data	*d = sc->data;
	size_t			 i;

	for (i = 0; i < d->npanes; i++)
		list_free(&d->panes[i]);
	record_lines_free(d);
	record_free(d->rec);
	free(d);
}

/* A row of the fields: its label (on a value's first row), its text. */
static void
record_field_row(void *arg, size_t i, int y, int x, int w, int selected)
{
	struct record_data	*d = arg;
	int			 lw = RECORD_LABEL_W;

	(void)selected;
	tui_put(y, x, lw, d->rows[i].label, tui_attr(C_LABEL));
	tui_put(y, x + lw, w - lw, d->rows[i].text, tui_attr(C_NORMAL));
}

static void
record_draw(struct screen *sc, int rows, int cols)
{
	struct record_data	*d = sc->data;
	const struct model_type	*mt = model_type(d->type);
	char			 buf[512], num[32], *name;
	size_t			 i;
	int			 fh, ph, y, x, w, level;

	name = model_record_name(d->type, d->rec, MODEL_NAME_SCREEN);
	snprintf(buf, sizeof buf, " %s: %s", mt->label, name);
	free(name);
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	record_layout(d, rows, &fh, &ph);
	listbox_draw(&d->fields, 1, 1, fh, cols - 2);
	/* Fields above or below the ones shown: said, with the key. */
	if (d->fields.top > 0 && cols > 30)
		tui_put(1, cols - 12, 11, "   ↑ more k", tui_attr(C_KEY));
	if (listbox_end(&d->fields) < d->nrows && cols > 30) {
		snprintf(buf, sizeof buf, "   ↓ %zu more j",
		    d->nrows - listbox_end(&d->fields));
		w = tui_width(buf);
		tui_put(fh, cols - w - 1, w, buf, tui_attr(C_KEY));
	}
	if (d->npanes == 0)
		return;
	/*
	 * The pane bar: every kind of linked record with its count, by its
	 * whole name when all fit, else by the shorter names of a table.
	 */
	y = 1 + fh;
	for (level = 0; level < 3; level++) {
		for (i = 0, w = 0; i < d->npanes; i++) {
			snprintf(num, sizeof num, "%zu%s", d->counts[i],
			    d->counts[i] >= 1000 ? "+" : "");
			w += tui_width(record_pane_label(d->pane_type[i],
			    level)) + (int)strlen(num) + 3;
		}
		if (w <= cols)
			break;
	}
	if (level == 3)
		level = 2;
	for (i = 0, x = 0; i < d->npanes && x < cols; i++) {
		snprintf(num, sizeof num, "%zu%s", d->counts[i],
		    d->counts[i] >= 1000 ? "+" : "");
		snprintf(buf, sizeof buf, " %s %s ",
		    record_pane_label(d->pane_type[i], level), num);
		w = tui_width(buf);
		tui_put(y, x, w, buf, tui_attr(d->focus == i + 1 ? C_TAB_ON :
		    d->focus == 0 && d->shown == i ? C_HEADER : C_TAB));
		x += w;
	}
	list_draw(&d->panes[d->shown], y + 1, 0, ph, cols, d->focus > 0);
}

/* r: the record's long text in full, each under its label if several. */
static void
record_read(struct record_data *d)
{
	const struct model_type	*mt = model_type(d->type);
	const char		*v, *label = NULL, *first = NULL;
	char			*all = NULL, *tmp, *name, title[512];
	size_t			 i;
	int			 n = 0;

	for (i = 0; i < mt->nfields; i++) {
		if (mt->fields[i].kind != MODEL_LONGTEXT ||
		    *(v = record_value(d->rec, mt->fields[i].name)) == '\0')
			continue;
		label = mt->fields[i].label;
		if (n++ == 0) {
			first = v;
			xasprintf(&all, "%s\n%s", label, v);
			continue;
		}
		xasprintf(&tmp, "%s\n\n%s\n%s", all, label, v);
		free(all);
		all = tmp;
	}
	if (n == 0) {
		tui_message(1, "this %s has no long text to read (r reads a "
		    "note's text, a description)", mt->name);
		return;
	}
	name = model_record_name(d->type, d->rec, MODEL_NAME_SCREEN);
	snprintf(title, sizeof title, "%s: %s%s%s", mt->label, name,
	    n == 1 ? ", " : "", n == 1 ? label : "");
	free(name);
	screen_read_open(title, n == 1 ? first : all);
	free(all);
}

/*
 * c: the campaign of the target selected in a pane (pane NULL: none),
 * else of the record shown if that is a target.
 */
static void
record_campaign_of(int type, const struct record *shown, int pane_type,
    const struct record *pane)
{
	const struct record	*r = NULL;
	struct record_id	 id;

	if (pane != NULL && pane_type == MODEL_TARGET)
		r = pane;
	else if (type == MODEL_TARGET)
		r = shown;
	if (r == NULL) {
		tui_message(1, "c opens a target's campaign: choose a target "
		    "in the Targets pane first");
		return;
	}
	if (record_id_parse(record_value(r, "campaign"), &id) != 0) {
		tui_message(1, "this target names no campaign");
		return;
	}
	screen_record_open(MODEL_CAMPAIGN, &id);
}

static void
record_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct record_data	*d = sc->data;
	struct list		*l = d->focus > 0 ? &d->panes[d->focus - 1] :
				    NULL;
	const struct record	*r;
	struct record		*defaults;
	char			 idtext[RECORD_ID_TEXT + 1];

	/* Documents and letters. */
	if (screen_docs_record_key(d->type, d->rec, l != NULL ? l->type : -1,
	    l != NULL ? list_selected(l) : NULL, a))
		return;
	switch ((int)a) {
	case A_BACK:
		tui_pop();
		return;
	case A_RETRY:
		record_reload(sc);
		return;
	case A_NEXT_PANE:
	case A_PREV_PANE:
		if (d->npanes == 0)
			return;
		d->focus = (d->focus + (a == A_NEXT_PANE ? 1 : d->npanes)) %
		    (d->npanes + 1);
		if (d->focus > 0) {
			d->shown = d->focus - 1;
			list_load(&d->panes[d->shown]);
		}
		tui_redraw(REDRAW_BODY);
		return;
	case A_OPEN:
		if (l != NULL && (r = list_selected(l)) != NULL)
			screen_record_open(l->type, &r->id);
		else if (l == NULL)
			screen_form_open(d->type, &d->id, NULL);
		return;
	case A_EDIT:
		if (l != NULL && (r = list_selected(l)) != NULL)
			screen_form_open(l->type, &r->id, NULL);
		else if (l == NULL)
			screen_form_open(d->type, &d->id, NULL);
		return;
	case A_NEW:
		if (l == NULL) {
			screen_form_open(d->type, NULL, NULL);
			return;
		}
		/* A linked record starts out linked to this one. */
		defaults = record_new();
		record_id_format(&d->id, idtext);
		if (d->type == MODEL_CONTACT) {
			record_set(defaults, "contact", idtext, 0);
			record_set(defaults, "company",
			    record_value(d->rec, "company"), 0);
		} else
			record_set(defaults, model_type(d->type)->name, idtext,
			    0);
		screen_form_open(l->type, NULL, defaults);
		record_free(defaults);
		return;
	case A_CAMP_OPEN:
		record_campaign_of(d->type, d->rec, l != NULL ? l->type : -1,
		    l != NULL ? list_selected(l) : NULL);
		return;
	case A_DELETE:
		if (l != NULL) {
			if ((r = list_selected(l)) != NULL &&
			    screen_delete(l->type, r) == 0)
				record_reload(sc);
		} else if (screen_delete(d->type, d->rec) == 0)
			tui_pop();
		return;
	case A_READ:
		record_read(d);
		return;
	case A_DONE:
		/* Calendar agenda, tasks and pipeline. */
		r = l != NULL ? list_selected(l) : d->rec;
		if ((l != NULL ? l->type : d->type) != MODEL_TASK || r == NULL)
			tui_message(1, "x marks a task done: this is not a task");
		else if (tasks_toggle_done(r) == 0)
			record_reload(sc);
		return;
	default:
		break;
	}
	if (l != NULL) {
		list_key(l, a, iskey, ch);
		return;
	}
	/* The fields scroll when they are more than the rows they have. */
	if (listbox_key(&d->fields, a))
		tui_redraw(REDRAW_BODY);
}

/* Letters are written to contacts: L is offered on a contact only. */
static int
record_offers(const struct screen *sc, const struct binding *b)
{
	const struct record_data	*d = sc->data;

	return b->action != A_LETTER || d->type == MODEL_CONTACT;
}

const struct screen_ops screen_record = {
	.name = "record",
	.keymaps = KM_MOVE | KM_LIST | KM_RECORD,
	.bindings = record_bindings,
	.enter = record_enter,
	.draw = record_draw,
	.key = record_key,
	.reload = record_reload,
	.leave = record_leave,
	.help = "A record and the records linked to it",
	.offers = record_offers,
};
