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

#include "clock.h"
#include "error.h"
#include "model.h"
#include "rights.h"
#include "session.h"
#include "tui.h"
#include "user.h"
#include "xmalloc.h"

/* The kinds of linked records shown, in this order, when they link. */
static const struct record_pane_def {
	int		 type;
	const char	*columns;
} record_pane_defs[] = {
	{ MODEL_CONTACT, "@name,job_title,phone,email" },
	{ MODEL_NOTE, "date,subject" },
	{ MODEL_EVENT, "start,subject,location" },
	{ MODEL_TASK, "due,subject,status,assigned_to" },
	{ MODEL_OPPORTUNITY, "name,stage,amount,close_date" },
	{ MODEL_ISSUE, "subject,status,priority,assigned_to" },
	{ MODEL_TARGET, "campaign,company,contact,responded" },
	{ MODEL_DOCUMENT, "filename,description,size" },
};
#define RECORD_NPANES (sizeof record_pane_defs / sizeof record_pane_defs[0])

struct record_data {
	int		 type;
	struct record_id id;
	struct record	*rec;
	/* "Label", "value" lines of the fields, then the metadata. */
	char		**labels;
	char		**values;
	size_t		 nlines;
	size_t		 ftop;		/* first field line shown */
	struct list	 panes[RECORD_NPANES];
	size_t		 counts[RECORD_NPANES];
	int		 pane_type[RECORD_NPANES];
	size_t		 npanes;
	size_t		 focus;		/* 0: the fields; i: pane i - 1 */
	size_t		 shown;		/* the pane shown while focus is 0 */
	int		 gone;		/* deleted meanwhile */
};

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
record_layout(const struct record_data *d, int rows, int *fh, int *ph)
{
	int	avail = rows - 1;

	if (d->npanes == 0) {
		*fh = avail;
		*ph = 0;
		return;
	}
	*fh = (int)d->nlines < avail / 2 ? (int)d->nlines : avail / 2;
	if (*fh < 3)
		*fh = 3;
	*ph = avail - *fh - 1;
	if (*ph < 2)
		*ph = 2;
}

static void
record_lines_free(struct record_data *d)
{
	size_t	i;

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
		d->panes[i].height = ph - 1 > 1 ? ph - 1 : 1;
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
screen_record_open(int type, const struct record_id *id)
{
	/* A campaign opens with its targets (issue 5). */
	if (type == MODEL_CAMPAIGN)
		screen_campaign_open(id);
	else
		screen_record_open_fields(type, id);
}

void
screen_record_open_fields(int type, const struct record_id *id)
{
	struct record_data	*d = xcalloc(1, sizeof *d);
	size_t			 i;

	d->type = type;
	d->id = *id;
	for (i = 0; i < RECORD_NPANES; i++) {
		if (!record_links(record_pane_defs[i].type, type))
			continue;
		list_init(&d->panes[d->npanes], record_pane_defs[i].type,
		    record_pane_defs[i].columns);
		d->panes[d->npanes].b.order = BROWSE_NEWEST;
		browse_set_ref(&d->panes[d->npanes].b, id);
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

static void
record_draw(struct screen *sc, int rows, int cols)
{
	struct record_data	*d = sc->data;
	const struct model_type	*mt = model_type(d->type);
	char			 buf[512], num[32], *name;
	size_t			 i;
	int			 fh, ph, y, x, w, lw = 18, share, namew;

	name = tui_record_name(d->type, d->rec);
	snprintf(buf, sizeof buf, " %s: %s", mt->label, name);
	free(name);
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	record_layout(d, rows, &fh, &ph);
	for (i = d->ftop, y = 1; i < d->nlines && y < 1 + fh; i++, y++) {
		tui_put(y, 1, lw, d->labels[i], tui_attr(C_LABEL));
		tui_put(y, 1 + lw, cols - lw - 2, d->values[i],
		    tui_attr(C_NORMAL));
	}
	/* Fields above or below the ones shown: said, with the key. */
	if (d->ftop > 0 && cols > 30)
		tui_put(1, cols - 12, 11, "   ↑ more k", tui_attr(C_KEY));
	if (d->ftop + (size_t)fh < d->nlines && cols > 30) {
		snprintf(buf, sizeof buf, "   ↓ %zu more j",
		    d->nlines - d->ftop - (size_t)fh);
		w = tui_width(buf);
		tui_put(fh, cols - w - 1, w, buf, tui_attr(C_KEY));
	}
	if (d->npanes == 0)
		return;
	/*
	 * The pane bar: every kind of linked record with its count; when
	 * the names do not all fit, each is cut to its share of the width,
	 * never its count.
	 */
	y = 1 + fh;
	for (i = 0, w = 0; i < d->npanes; i++)
		w += (int)strlen(model_type(d->pane_type[i])->plural) + 4 +
		    (d->counts[i] >= 10) + (d->counts[i] >= 100) +
		    (d->counts[i] >= 1000);
	share = w > cols ? cols / (int)d->npanes : 0;
	for (i = 0, x = 0; i < d->npanes && x < cols; i++) {
		snprintf(num, sizeof num, "%zu%s", d->counts[i],
		    d->counts[i] >= 1000 ? "+" : "");
		namew = share > 0 ? share - 3 - (int)strlen(num) : 64;
		if (namew < 1)
			namew = 1;
		snprintf(buf, sizeof buf, " %.*s %s ", namew,
		    model_type(d->pane_type[i])->plural, num);
		buf[1] = (char)(buf[1] - 'a' + 'A');
		w = tui_width(buf);
		tui_put(y, x, w, buf, tui_attr(d->focus == i + 1 ? C_TAB_ON :
		    d->focus == 0 && d->shown == i ? C_HEADER : C_TAB));
		x += w;
	}
	list_draw(&d->panes[d->shown], y + 1, 0, ph, cols, d->focus > 0);
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
	int			 fh, ph;

	/* Documents and letters (issue 5). */
	if (screen_docs_record_key(d->type, d->rec, l != NULL ? l->type : -1,
	    l != NULL ? list_selected(l) : NULL, a))
		return;
	switch (a) {
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
		screen_campaign_of(d->type, d->rec, l != NULL ? l->type : -1,
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
	case A_DONE:
		/* Calendar agenda, tasks and pipeline (issue 5). */
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
	record_layout(d, LINES - 2, &fh, &ph);
	switch (a) {
	case A_UP:
		if (d->ftop > 0)
			d->ftop--;
		break;
	case A_DOWN:
		if (d->ftop + (size_t)fh < d->nlines)
			d->ftop++;
		break;
	case A_HOME:
		d->ftop = 0;
		break;
	case A_PGDN:
	case A_END:
		d->ftop = d->nlines > (size_t)fh ? d->nlines - (size_t)fh : 0;
		break;
	case A_PGUP:
		d->ftop = 0;
		break;
	default:
		return;
	}
	tui_redraw(REDRAW_BODY);
}

int
screen_delete(int type, const struct record *r)
{
	struct store_txn	*t;
	char			*name;
	int			 ret;

	/* Refused before anything happens, with the reason. */
	if (!rights_may_delete(&app.s.user, type, r)) {
		tui_error();
		return -1;
	}
	name = type == MODEL_TARGET ? screen_campaign_target_name(r) :
	    tui_record_name(type, r);
	ret = tui_confirm("Delete %s \"%s\"?", model_type(type)->name, name);
	if (!ret) {
		free(name);
		tui_message(0, "nothing was deleted");
		return -1;
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		free(name);
		return tui_unit(ret);
	}
	if (model_delete(t, &app.s.user, type, &r->id) != 0) {
		session_end(&app.s, t, 0);
		free(name);
		tui_error();
		return -1;
	}
	if (session_end(&app.s, t, 1) != 0) {
		free(name);
		tui_error();
		return -1;
	}
	tui_message(0, "deleted %s \"%s\"", model_type(type)->name, name);
	free(name);
	tui_status_reload();
	return 0;
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
	.keymaps = KM_RECORD | KM_LIST,
	.enter = record_enter,
	.draw = record_draw,
	.key = record_key,
	.reload = record_reload,
	.leave = record_leave,
	.help = "A record and the records linked to it",
	.offers = record_offers,
};
