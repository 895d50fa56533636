/*
 * screen-form: a new record (n) or an edit (e), one line per field.
 *
 * Text fields use the line editor; a reference (a company, a contact) or
 * a user is chosen from a list that opens as soon as a letter is typed
 * (or F4); choices and yes/no turn with Space. The model validates, and
 * its message is shown beside the field it is about. F2 saves, F3 saves
 * and starts the next record of the same type, Esc asks before losing
 * changes.
 *
 * An edit keeps the record as the form opened it (the base): at the save,
 * a field this person did not touch takes what is stored now, and a
 * field both this person and someone else changed meanwhile is asked
 * about (keep mine, take theirs), the value that loses going to the
 * conflict log, as a sync's would. A record deleted meanwhile can be
 * saved as a new one. A signal that ends crm (a dropped connection)
 * keeps the form as a draft (draft.h), offered at the next start.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions.h"
#include "agenda.h"
#include "browse.h"
#include "clock.h"
#include "conflict.h"
#include "draft.h"
#include "duplicate.h"
#include "edit.h"
#include "error.h"
#include "fieldset.h"
#include "list.h"
#include "model.h"
#include "record.h"
#include "run.h"
#include "screens.h"
#include "session.h"
#include "tui.h"
#include "undo.h"
#include "xmalloc.h"

struct form_field {
	const struct model_field *mf;
	struct edit	 e;		/* text kinds */
	char		*value;		/* references, users, choices */
	char		*shown;		/* a reference's or user's name */
	char		*orig;		/* the value the form started with */
	char		*error;		/* the model's message about it */
	/*
	 * At a save, a field someone else changed too: what is stored now,
	 * and FORM_ASK until the person chose FORM_MINE or FORM_THEIRS.
	 */
	char		*theirs;
	int		 choice;
};

#define FORM_ASK	'?'
#define FORM_MINE	'm'
#define FORM_THEIRS	't'

struct form_data {
	int		 type;
	int		 is_new;
	struct record_id id;
	struct record	*defaults;	/* for F3: the next record's start */
	struct record	*base;		/* an edit: the record as it opened */
	struct draft	*resume;	/* a draft to fill the form from */
	char		*draft_key;	/* the draft it came from (meta.db) */
	struct form_field *f;
	size_t		 n;
	size_t		 cur;
	size_t		 top;		/* first field shown */
	int		 saved;		/* records saved with F3 so far */
};

/* Rows a long text takes in the form; one line for the others. */
#define FORM_TEXT_ROWS	4
#define FORM_LABEL_W	18

static int
form_is_text(const struct model_field *mf)
{
	return mf->kind != MODEL_REF && mf->kind != MODEL_USERID &&
	    mf->kind != MODEL_CHOICE && mf->kind != MODEL_BOOL;
}

static int
form_rows(const struct form_field *ff)
{
	return ff->mf->kind == MODEL_LONGTEXT ? FORM_TEXT_ROWS : 1;
}

/* Columns of a field's text. */
static int
form_width(int cols)
{
	int	w = cols - FORM_LABEL_W - 3;

	return w > 60 ? 60 : w;
}

static char *
form_value(const struct form_field *ff)
{
	if (form_is_text(ff->mf))
		return edit_text(&ff->e);
	return xstrdup(ff->value != NULL ? ff->value : "");
}

static void
form_fields_free(struct form_data *d)
{
	size_t	i;

	for (i = 0; i < d->n; i++) {
		edit_free(&d->f[i].e);
		free(d->f[i].value);
		free(d->f[i].shown);
		free(d->f[i].orig);
		free(d->f[i].error);
		free(d->f[i].theirs);
	}
	free(d->f);
	d->f = NULL;
	d->n = 0;
}

/* The next quarter hour from now, as a date field holds it. */
static void
form_next_quarter(char *buf, size_t len)
{
	char	day[16];
	int	minute;
	long	today = agenda_today(&minute);

	minute = (minute / 15 + 1) * 15;
	if (minute >= 24 * 60) {
		today++;
		minute -= 24 * 60;
	}
	agenda_day_format(today, day, sizeof day);
	snprintf(buf, len, "%sT%02d:%02d", day, minute / 60, minute % 60);
}

/* Fill the fields from a record (an edit, or a new one's defaults). */
static int
form_fill(struct form_data *d, const struct record *r)
{
	const struct model_type	*mt = model_type(d->type);
	const struct model_field *mf;
	struct store_txn	*t;
	struct form_field	*ff;
	const char		*v;
	char			 now[32], shown[64];
	size_t			 i;
	int			 ret;

	form_fields_free(d);
	d->f = xcalloc(mt->nfields, sizeof *d->f);
	if ((ret = session_begin(&app.s, 0, &t)) != 0)
		return tui_unit(ret);
	for (i = 0; i < mt->nfields; i++) {
		mf = &mt->fields[i];
		if (mf->flags & (MODEL_SECRET | MODEL_SYSTEM))
			continue;
		ff = &d->f[d->n++];
		ff->mf = mf;
		v = r != NULL ? record_value(r, mf->name) : "";
		if (*v == '\0' && d->is_new && mf->def != NULL)
			v = mf->def;
		if (*v == '\0' && d->is_new && mf->kind == MODEL_USERID &&
		    strcmp(mf->name, "assigned_to") == 0)
			v = app.s.user.uid;
		/* A new event starts now, at the next quarter hour. */
		if (*v == '\0' && d->is_new && d->type == MODEL_EVENT &&
		    strcmp(mf->name, "start") == 0) {
			form_next_quarter(now, sizeof now);
			v = now;
		}
		if (*v == '\0' && d->is_new && d->type == MODEL_NOTE &&
		    strcmp(mf->name, "date") == 0) {
			model_now_text(now, sizeof now);
			now[10] = '\0';	/* the day: created_at has the time */
			v = now;
		}
		/* A date as this person writes them (ui.date_order). */
		if (mf->kind == MODEL_DATE && *v != '\0') {
			agenda_date_show(v, shown, sizeof shown);
			v = shown;
		}
		/* What the form was opened with, prefilled or not. */
		ff->orig = xstrdup(v);
		edit_init(&ff->e, form_is_text(mf) ? v : "");
		ff->e.multiline = mf->kind == MODEL_LONGTEXT;
		if (!form_is_text(mf)) {
			ff->value = xstrdup(v);
			if (*v != '\0' && (mf->kind == MODEL_REF ||
			    mf->kind == MODEL_USERID)) {
				if (mf->kind == MODEL_REF)
					ff->shown = r != NULL ? tui_field_text(t,
					    d->type, r, mf->name) : NULL;
				else
					ff->shown = xstrdup(v);
			}
		}
	}
	session_end(&app.s, t, 0);
	tui_unit(0);
	d->cur = 0;
	d->top = 0;
	return 0;
}

void
screen_form_show(int type, const struct record_id *id,
    const struct record *defaults)
{
	struct form_data	*d = xcalloc(1, sizeof *d);

	d->type = type;
	d->is_new = id == NULL;
	if (id != NULL)
		d->id = *id;
	d->defaults = defaults != NULL ? record_dup(defaults) : NULL;
	tui_push(&screen_form, d);
}

/*
 * A draft kept when crm was stopped: the form as the record was when it
 * first opened (its base), then the values typed over it, so that the
 * save compares with the base it would have compared with then.
 */
static int
form_fill_draft(struct form_data *d)
{
	struct draft		*dr = d->resume;
	struct form_field	*ff;
	struct store_txn	*t;
	struct record		*one;
	const char		*v;
	size_t			 i;
	int			 ret;

	d->resume = NULL;
	ret = form_fill(d, dr->is_new ? NULL : dr->base);
	if (ret == 0 && (ret = session_begin(&app.s, 0, &t)) != 0)
		ret = tui_unit(ret);
	for (i = 0; ret == 0 && i < d->n; i++) {
		ff = &d->f[i];
		/* A new one: all it holds is what was typed. */
		if (dr->is_new) {
			free(ff->orig);
			ff->orig = xstrdup("");
		}
		if ((v = record_get(dr->mine, ff->mf->name)) == NULL)
			continue;
		if (form_is_text(ff->mf)) {
			edit_set(&ff->e, v);
			continue;
		}
		free(ff->value);
		free(ff->shown);
		ff->value = xstrdup(v);
		ff->shown = NULL;
		if (*v == '\0')
			continue;
		if (ff->mf->kind == MODEL_USERID)
			ff->shown = xstrdup(v);
		else if (ff->mf->kind == MODEL_REF) {
			one = record_new();
			record_set(one, ff->mf->name, v, 0);
			ff->shown = tui_field_text(t, d->type, one,
			    ff->mf->name);
			record_free(one);
		}
	}
	if (ret == 0)
		session_end(&app.s, t, 0);
	d->base = dr->base;
	dr->base = NULL;
	d->draft_key = dr->key;
	dr->key = NULL;
	draft_free(dr);
	free(dr);
	return ret;
}

static int
form_enter(struct screen *sc)
{
	struct form_data	*d = sc->data;
	struct store_txn	*t;
	struct record		*r;
	int			 ret;

	if (d->resume != NULL)
		return form_fill_draft(d);
	if (d->is_new)
		return form_fill(d, d->defaults);
	if ((ret = session_begin(&app.s, 0, &t)) != 0)
		return tui_unit(ret);
	ret = model_get(t, d->type, &d->id, &r);
	session_end(&app.s, t, 0);
	if (ret != 0) {
		tui_error();
		return -1;
	}
	ret = form_fill(d, r);
	d->base = r;
	return ret;
}

static void
form_leave(struct screen *sc)
{
	struct form_data	*d = sc->data;

	form_fields_free(d);
	record_free(d->defaults);
	record_free(d->base);
	if (d->resume != NULL) {
		draft_free(d->resume);
		free(d->resume);
	}
	free(d->draft_key);
	free(d);
}

static int
form_typing(struct screen *sc)
{
	(void)sc;
	return 1;
}

static int
form_changed(const struct form_data *d)
{
	char	*v;
	size_t	 i;
	int	 changed = 0;

	for (i = 0; i < d->n && !changed; i++) {
		v = form_value(&d->f[i]);
		changed = strcmp(v, d->f[i].orig) != 0;
		free(v);
	}
	return changed;
}

/*
 * The model's message, without the hint meant for the command line
 * ("...: give name=VALUE"): here the field is right there.
 */
static char *
form_message(const char *msg)
{
	char	*s = xstrdup(msg), *hint;

	if ((hint = strstr(s, ": give ")) != NULL)
		*hint = '\0';
	return s;
}

/*
 * A company or contact that looks entered already (duplicate.h): asked
 * before it is saved. 0 to save, -1 not (the form stays, message set).
 */
static int
form_duplicate_ok(struct form_data *d, const char *const *vals)
{
	struct record_id	 ids[DUPLICATE_MAX];
	struct store_txn	*t;
	struct record		*probe, *o;
	char			*name, *other = NULL;
	const char		*f;
	size_t			 n = 0, i;
	int			 ret;

	if (!duplicate_type(d->type))
		return 0;
	probe = record_new();
	if (!d->is_new)
		probe->id = d->id;
	for (i = 0; i < d->n; i++)
		record_set(probe, d->f[i].mf->name, vals[i], 0);
	/* An edit that kept the name and what tells it apart: asked before. */
	f = d->type == MODEL_COMPANY ? "city" : "email";
	if (!d->is_new) {
		for (i = 0; i < d->n; i++) {
			if (strcmp(vals[i], d->f[i].orig) != 0 &&
			    (strcmp(d->f[i].mf->name, f) == 0 ||
			    strstr("name first_name last_name",
			    d->f[i].mf->name) != NULL))
				break;
		}
		if (i == d->n) {
			record_free(probe);
			return 0;
		}
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		record_free(probe);
		return tui_unit(ret);
	}
	ret = duplicate_find(t, d->type, probe, ids, DUPLICATE_MAX, &n);
	if (ret == 0 && n > 0 && store_get(t, (size_t)d->type, &ids[0],
	    &o) == 0) {
		other = *record_value(o, f) != '\0' ? xstrdup(record_value(o,
		    f)) : NULL;
		record_free(o);
	}
	session_end(&app.s, t, 0);
	if (ret != 0) {
		record_free(probe);
		tui_error();
		return -1;
	}
	name = model_record_name(d->type, probe, 0);
	record_free(probe);
	ret = 0;
	if (n > 0 && !tui_confirm("%s \"%s\"%s%s%s is here already%s: save "
	    "this one too?", model_type(d->type)->label, name,
	    other != NULL ? " (" : "", other != NULL ? other : "",
	    other != NULL ? ")" : "", n > 1 ? ", more than once" : "")) {
		tui_message(0, "not saved: the %s is here already (crm merge "
		    "makes two one)", model_type(d->type)->name);
		ret = -1;
	}
	free(name);
	free(other);
	return ret;
}

/* The model's message beside the field it is about, or on the last line. */
static void
form_failed(struct form_data *d)
{
	const char	*bad = model_error_field();
	char		*m;
	size_t		 i;

	for (i = 0; bad != NULL && i < d->n; i++) {
		if (strcmp(d->f[i].mf->name, bad) == 0) {
			d->f[i].error = form_message(error_get());
			d->cur = i;
			break;
		}
	}
	if (bad != NULL) {
		m = form_message(error_get());
		tui_message(1, "%s", m);
		free(m);
	} else
		tui_error();
}

/* Saved: the draft the form was resumed from is done with. */
static int
form_draft_done(struct store_txn *t, struct form_data *d)
{
	if (d->draft_key == NULL || draft_drop(t, d->draft_key) != 0)
		return d->draft_key == NULL ? 0 : -1;
	free(d->draft_key);
	d->draft_key = NULL;
	return 0;
}

/* A stored value as the form shows it (a name, a date). Free it. */
static char *
form_shown(struct store_txn *t, struct form_data *d, struct form_field *ff,
    const char *v)
{
	struct record	*one;
	char		 buf[64], *s, *p;

	if (*v == '\0')
		return xstrdup("(empty)");
	if (ff->mf->kind == MODEL_REF && t != NULL) {
		one = record_new();
		record_set(one, ff->mf->name, v, 0);
		s = tui_field_text(t, d->type, one, ff->mf->name);
		record_free(one);
		if (s != NULL)
			return s;
	}
	if (ff->mf->kind == MODEL_DATE) {
		agenda_date_show(v, buf, sizeof buf);
		return xstrdup(buf);
	}
	s = xstrdup(v);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	}
	return s;
}

/*
 * Ask about each field both changed (FORM_ASK): keep mine or take theirs.
 * 0 when all are answered, -1 when the person went back to the form.
 */
static int
form_ask_conflicts(struct form_data *d, const struct record *now,
    char **mine)
{
	struct form_field	*ff;
	struct store_txn	*t = NULL;
	const struct field	*f;
	const char		*lines[7];
	char			 title[160], l0[200], l1[300], l2[300],
				 l3[300], *b, *m, *th, *when;
	size_t			 i, k = 0, n = 0;
	int			 answer;

	for (i = 0; i < d->n; i++)
		n += d->f[i].choice == FORM_ASK;
	for (i = 0; i < d->n; i++) {
		ff = &d->f[i];
		if (ff->choice != FORM_ASK)
			continue;
		k++;
		/* References by name: read, and let go before asking. */
		if (session_begin(&app.s, 0, &t) != 0) {
			error_clear();
			t = NULL;
		}
		f = record_field(now, ff->mf->name);
		when = tui_local_time(clock_stamp_ms(f != NULL ? f->stamp :
		    now->modified));
		b = form_shown(t, d, ff, record_value(d->base, ff->mf->name));
		m = form_shown(t, d, ff, mine[i]);
		th = form_shown(t, d, ff, ff->theirs);
		snprintf(title, sizeof title, "%s: changed by someone else "
		    "too (%zu of %zu) ", ff->mf->label, k, n);
		snprintf(l0, sizeof l0, "%s saved it at %s, while you "
		    "edited it.", now->modified_by, when);
		snprintf(l1, sizeof l1, "When you opened it: %s", b);
		snprintf(l2, sizeof l2, "Yours:              %s", m);
		snprintf(l3, sizeof l3, "Theirs:             %s", th);
		lines[0] = l0;
		lines[1] = "";
		lines[2] = l1;
		lines[3] = l2;
		lines[4] = l3;
		lines[5] = "";
		lines[6] = "The value not kept goes to the conflict log (C).";
		free(b);
		free(m);
		free(th);
		free(when);
		if (t != NULL) {
			session_end(&app.s, t, 0);
			t = NULL;
		}
		answer = tui_dialog(title, lines, 7, "mt", "m keep mine   "
		    "t take theirs   Esc back to the form, not saved");
		if (answer == 0)
			return -1;
		ff->choice = answer;
	}
	return 0;
}

/*
 * The record edited is gone: deleted meanwhile (by whom, if its tombstone
 * says). 's' save it as a new one, 'd' discard the form, 0 back to it.
 */
static int
form_ask_gone(struct form_data *d)
{
	struct store_txn	*t;
	struct record		*r = NULL;
	const char		*lines[3];
	char			 l0[300], title[120], *name;
	int			 answer;

	snprintf(l0, sizeof l0, "Someone deleted it while you edited it.");
	if (session_begin(&app.s, 0, &t) == 0) {
		if (store_get(t, (size_t)d->type, &d->id, &r) == 0 &&
		    (r->flags & RECORD_DELETED))
			snprintf(l0, sizeof l0, "%s deleted it while you edited "
			    "it.", r->modified_by);
		record_free(r);
		session_end(&app.s, t, 0);
	}
	error_clear();
	name = model_record_name(d->type, d->base, 0);
	snprintf(title, sizeof title, "The %s \"%s\" was deleted ",
	    model_type(d->type)->name, name);
	free(name);
	lines[0] = l0;
	lines[1] = "";
	lines[2] = "Your changes can be saved as a new one, or discarded.";
	answer = tui_dialog(title, lines, 3, "sd", "s save as new   "
	    "d discard   Esc back to the form");
	return answer;
}

/*
 * Save an edit against the record as it is stored now (the top of this
 * file says how): 0 saved, -1 not (message set), FORM_GONE_NEW the
 * record is gone and is to be saved as a new one, FORM_GONE_DISCARD
 * gone and the form discarded.
 */
#define FORM_GONE_NEW		2
#define FORM_GONE_DISCARD	3
static int
form_save_edit(struct form_data *d, char **mine, const int *changed)
{
	struct model_change	*ch;
	struct form_field	*ff;
	struct store_txn	*t;
	struct record		*now;
	const struct field	*f;
	const char		*v, *b;
	char			 why[200];
	size_t			 i, n, ask;
	int			 ret;

	for (i = 0; i < d->n; i++)
		d->f[i].choice = 0;
	for (;;) {
		if ((ret = session_begin(&app.s, 0, &t)) != 0) {
			tui_unit(ret);
			return -1;
		}
		if ((ret = model_get(t, d->type, &d->id, &now)) != 0) {
			session_end(&app.s, t, 0);
			if (ret == -1) {
				tui_error();
				return -1;
			}
			error_clear();
			switch (form_ask_gone(d)) {
			case 's':
				return FORM_GONE_NEW;
			case 'd':
				return FORM_GONE_DISCARD;
			}
			tui_message(0, "not saved: F2 asks again");
			return -1;
		}
		/* Fields both changed, and not yet asked about as they are. */
		ask = 0;
		for (i = 0; i < d->n; i++) {
			ff = &d->f[i];
			v = record_value(now, ff->mf->name);
			b = record_value(d->base, ff->mf->name);
			if (!changed[i] || strcmp(v, b) == 0 ||
			    strcmp(v, mine[i]) == 0) {
				ff->choice = 0;
				continue;
			}
			if (ff->choice != 0 && ff->choice != FORM_ASK &&
			    ff->theirs != NULL && strcmp(ff->theirs, v) == 0)
				continue;
			free(ff->theirs);
			ff->theirs = xstrdup(v);
			ff->choice = FORM_ASK;
			ask++;
		}
		if (ask == 0)
			break;
		/* Never keep a master, nor a transaction, while asking. */
		session_end(&app.s, t, 0);
		ret = form_ask_conflicts(d, now, mine);
		record_free(now);
		if (ret != 0) {
			tui_message(0, "not saved: your changes are still here; "
			    "F2 asks again");
			return -1;
		}
	}

	ch = xcalloc(d->n + 1, sizeof *ch);
	n = 0;
	ret = 0;
	for (i = 0; i < d->n && ret == 0; i++) {
		ff = &d->f[i];
		if (!changed[i])
			continue;
		v = record_value(now, ff->mf->name);
		f = record_field(now, ff->mf->name);
		if (ff->choice == FORM_THEIRS) {
			snprintf(why, sizeof why, "edited in two places at "
			    "once: %s took the other value",
			    app.s.user.uid);
			ret = conflict_log(t, d->type, now, ff->mf->name, v,
			    mine[i], app.s.user.uid,
			    clock_stamp_from_ms(clock_now_ms()), why);
			continue;
		}
		if (ff->choice == FORM_MINE) {
			snprintf(why, sizeof why, "edited in two places at "
			    "once: %s kept their own value", app.s.user.uid);
			ret = conflict_log(t, d->type, now, ff->mf->name,
			    mine[i], v, now->modified_by, f != NULL ?
			    f->stamp : now->modified, why);
		}
		if (ret == 0 && strcmp(v, mine[i]) != 0) {
			ch[n].name = ff->mf->name;
			ch[n].value = mine[i];
			n++;
		}
	}
	if (ret == 0 && n > 0)
		ret = undo_update(t, d->type, &d->id, ch, n);
	if (ret == 0)
		ret = form_draft_done(t, d);
	free(ch);
	record_free(now);
	if (ret != 0) {
		session_end(&app.s, t, 0);
		form_failed(d);
		return -1;
	}
	if ((ret = session_end(&app.s, t, 1)) != 0) {
		tui_error();
		return -1;
	}
	return 0;
}

/*
 * Save; 0 and *id on success, -1 with the message beside its field,
 * FORM_GONE_DISCARD when the record was deleted meanwhile and the person
 * chose to let the form go.
 */
static int
form_save(struct form_data *d, struct record_id *id)
{
	struct model_change	*ch;
	struct store_txn	*t;
	char			**vals, **stored, iso[32];
	size_t			 i, n;
	int			 ret, minute, *changed;
	long			 today = agenda_today(&minute);

	ch = xcalloc(d->n + 1, sizeof *ch);
	vals = xcalloc(d->n + 1, sizeof *vals);
	stored = xcalloc(d->n + 1, sizeof *stored);
	changed = xcalloc(d->n + 1, sizeof *changed);
again:
	n = 0;
	for (i = 0; i < d->n; i++) {
		free(d->f[i].error);
		d->f[i].error = NULL;
		free(vals[i]);
		free(stored[i]);
		vals[i] = form_value(&d->f[i]);
		stored[i] = xstrdup(vals[i]);
		changed[i] = d->is_new ? *vals[i] != '\0' :
		    strcmp(vals[i], d->f[i].orig) != 0;
		if (!changed[i])
			continue;
		/* today, +3, fri, 24.12.2026...: stored in ISO (agenda.h). */
		if (d->f[i].mf->kind == MODEL_DATE && *vals[i] != '\0' &&
		    agenda_date_parse(vals[i], today, minute, iso,
		    sizeof iso) == 0) {
			free(stored[i]);
			stored[i] = xstrdup(iso);
		}
		ch[n].name = d->f[i].mf->name;
		ch[n].value = stored[i];
		n++;
	}
	ret = -1;
	if (!d->is_new && n == 0) {
		*id = d->id;
		ret = 0;
		goto out;
	}
	if ((ret = form_duplicate_ok(d, (const char *const *)vals)) != 0) {
		ret = -1;
		goto out;
	}
	if (!d->is_new) {
		ret = form_save_edit(d, stored, changed);
		*id = d->id;
		if (ret == FORM_GONE_NEW) {
			/* Deleted meanwhile: all the form holds, as a new one. */
			d->is_new = 1;
			goto again;
		}
		goto out;
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		ret = tui_unit(ret);
		goto out;
	}
	ret = model_add(t, &app.s.user, d->type, ch, n, id);
	if (ret == 0) {
		struct record	*made;

		/* u takes it back (screens/undo.c). */
		if (model_get(t, d->type, id, &made) == 0) {
			undo_created(d->type, made);
			record_free(made);
		}
		ret = form_draft_done(t, d);
	}
	if (ret != 0) {
		session_end(&app.s, t, 0);
		form_failed(d);
		goto out;
	}
	if ((ret = session_end(&app.s, t, 1)) != 0)
		tui_error();
out:
	for (i = 0; i < d->n; i++) {
		free(vals[i]);
		free(stored[i]);
	}
	free(vals);
	free(stored);
	free(changed);
	free(ch);
	tui_redraw(REDRAW_BODY);
	return ret;
}

/* The form's field called name, or NULL. */
static struct form_field *
form_field(struct form_data *d, const char *name)
{
	size_t	i;

	for (i = 0; i < d->n; i++) {
		if (strcmp(d->f[i].mf->name, name) == 0)
			return &d->f[i];
	}
	return NULL;
}

/* Set the company field to the company of the contact picked. */
static void
form_company_of(struct form_data *d, const struct record *contact)
{
	struct form_field	*co = form_field(d, "company");
	struct store_txn	*t;
	const char		*id = record_value(contact, "company");

	if (co == NULL || *id == '\0' || (co->value != NULL &&
	    strcmp(co->value, id) == 0))
		return;
	free(co->value);
	free(co->shown);
	co->value = xstrdup(id);
	co->shown = NULL;
	if (session_begin(&app.s, 0, &t) == 0) {
		co->shown = tui_field_text(t, MODEL_CONTACT, contact,
		    "company");
		session_end(&app.s, t, 0);
	}
	error_clear();
	free(co->error);
	co->error = NULL;
}

/* A choice from the picker, for the field under the cursor. */
static void
form_picked(void *arg, const struct record *r)
{
	struct form_data	*d = arg;
	struct form_field	*ff = &d->f[d->cur];
	char			 idtext[RECORD_ID_TEXT + 1];

	if (r == NULL)
		return;
	free(ff->value);
	free(ff->shown);
	if (ff->mf->kind == MODEL_USERID) {
		ff->value = xstrdup(record_value(r, "uid"));
		ff->shown = xstrdup(ff->value);
	} else {
		record_id_format(&r->id, idtext);
		ff->value = xstrdup(idtext);
		ff->shown = model_record_name(ff->mf->ref_type, r,
		    MODEL_NAME_SCREEN);
	}
	free(ff->error);
	ff->error = NULL;
	/* A contact brings its company: the two must agree (model.h). */
	if (ff->mf->kind == MODEL_REF && ff->mf->ref_type == MODEL_CONTACT)
		form_company_of(d, r);
	if (d->cur + 1 < d->n)
		d->cur++;
}

static void
form_pick(struct form_data *d, const char *start)
{
	const struct model_field	*mf = d->f[d->cur].mf;
	struct form_field		*co = form_field(d, "company");
	struct record_id		 id;

	if (mf->kind == MODEL_USERID)
		screen_pick_open(MODEL_USER, start, form_picked, d);
	else if (mf->kind == MODEL_REF && mf->ref_type == MODEL_CONTACT &&
	    co != NULL && co->value != NULL &&
	    record_id_parse(co->value, &id) == 0)
		/* The company chosen first: only its contacts. */
		screen_pick_open_in(MODEL_CONTACT, start, &id, co->shown,
		    form_picked, d);
	else if (mf->kind == MODEL_REF && mf->ref_type != MODEL_ANY)
		screen_pick_open(mf->ref_type, start, form_picked, d);
	error_clear();
}

/* Space, arrows and letters on a choice or a yes/no field. */
static int
form_choice_key(struct form_field *ff, int iskey, wint_t ch)
{
	static const char *const yesno[] = { "no", "yes", NULL };

	return form_choice_turn(ff->mf->kind == MODEL_BOOL ? yesno :
	    ff->mf->choices, &ff->value, iskey, ch);
}

/*
 * F3: the next record keeps the company of the one just saved, however
 * the form began (a company's pane, the Contacts tab): a clerk enters a
 * company's people one after the other.
 */
static void
form_keep_company(struct form_data *d)
{
	struct form_field	*co = form_field(d, "company");

	if (co == NULL || co->value == NULL || *co->value == '\0')
		return;
	if (d->defaults == NULL)
		d->defaults = record_new();
	record_set(d->defaults, "company", co->value, 0);
}

/* Typing in a field answers the message about it. */
static void
form_field_changed(struct form_field *ff)
{
	free(ff->error);
	ff->error = NULL;
}

/*
 * F5 (^X): the field in $EDITOR, for text longer than a form shows. A
 * one-line field takes the lines written joined by spaces.
 */
static void
form_external(struct form_data *d, struct form_field *ff)
{
	char	*text, *path, *buf = NULL, *p;
	size_t	 cap = 0, len = 0, n;
	FILE	*f;

	(void)d;
	if (!form_is_text(ff->mf)) {
		tui_message(1, "%s is chosen, not written: F4 chooses it",
		    ff->mf->label);
		return;
	}
	text = edit_text(&ff->e);
	path = run_temp(text, strlen(text), ".txt");
	free(text);
	if (path == NULL)
		return;
	if (run_editor(path) != 0) {
		free(path);
		return;
	}
	if ((f = fopen(path, "r")) == NULL) {
		tui_message(1, "cannot read back %s: %s", path, strerror(errno));
		free(path);
		return;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = (len + 4096 + 1) * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		if ((n = fread(buf + len, 1, 4096, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	unlink(path);
	free(path);
	buf[len] = '\0';
	/* An editor ends the file with a newline: not part of the text. */
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (ff->mf->kind != MODEL_LONGTEXT) {
		for (p = buf; *p != '\0'; p++) {
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		}
	}
	edit_set(&ff->e, buf);
	free(buf);
	form_field_changed(ff);
	tui_message(0, "%s: the text from the editor", ff->mf->label);
}

/* Let the draft the form was resumed from go: the person discarded it. */
static void
form_draft_drop(struct form_data *d)
{
	struct store_txn	*t;

	if (d->draft_key == NULL)
		return;
	if (session_begin(&app.s, app.s.wait_seconds, &t) != 0) {
		tui_error();
		return;
	}
	if (form_draft_done(t, d) != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		return;
	}
	if (session_end(&app.s, t, 1) != 0)
		tui_error();
}

static void
form_back(struct form_data *d)
{
	if (form_changed(d) && !tui_confirm("Discard your changes to this "
	    "%s?", model_type(d->type)->name))
		return;
	form_draft_drop(d);
	tui_pop();
}

static void
form_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct form_data	*d = sc->data;
	struct form_field	*ff;
	struct record_id	 id;
	char			 start[8];
	int			 n;

	if (d->n == 0) {
		if (a == A_BACK)
			tui_pop();
		return;
	}
	ff = &d->f[d->cur];
	/*
	 * In a long text, Enter is a new line and the arrows move between
	 * its lines; past its first or last, to the field before or after.
	 */
	if (ff->mf->kind == MODEL_LONGTEXT && (a == A_NEXT_FIELD ||
	    a == A_PREV_FIELD)) {
		if ((!iskey && ch == '\r') || (iskey && ch == KEY_ENTER)) {
			edit_insert(&ff->e, "\n");
			form_field_changed(ff);
			tui_redraw(REDRAW_BODY);
			return;
		}
		if (iskey && (ch == KEY_UP || ch == KEY_DOWN) &&
		    edit_row_move(&ff->e, form_width(COLS), ch == KEY_UP ? -1 :
		    1)) {
			tui_redraw(REDRAW_BODY);
			return;
		}
	}
	switch (a) {
	case A_BACK:
		form_back(d);
		return;
	case A_NEXT_FIELD:
		if (d->cur + 1 < d->n)
			d->cur++;
		break;
	case A_PREV_FIELD:
		if (d->cur > 0)
			d->cur--;
		break;
	case A_EXTERNAL:
		form_external(d, ff);
		break;
	case A_SAVE:
		if ((n = form_save(d, &id)) == FORM_GONE_DISCARD) {
			int	type = d->type;

			form_draft_drop(d);
			/* The screen under it may say the record is gone. */
			tui_pop();
			tui_message(0, "not saved: the %s was deleted meanwhile, "
			    "and your changes were discarded",
			    model_type(type)->name);
			return;
		}
		if (n != 0)
			return;
		{
			int	type = d->type, was_new = d->is_new;

			tui_message(0, "saved %s", model_type(type)->name);
			tui_pop();
			if (was_new)
				screen_record_open(type, &id);
			tui_status_reload();
		}
		return;
	case A_SAVE_NEW:
		if ((n = form_save(d, &id)) == FORM_GONE_DISCARD) {
			form_draft_drop(d);
			d->is_new = 1;
			record_free(d->base);
			d->base = NULL;
			form_fill(d, d->defaults);
			tui_message(0, "not saved: the %s was deleted meanwhile, "
			    "and your changes were discarded; here is a new one",
			    model_type(d->type)->name);
			break;
		}
		if (n != 0)
			return;
		record_free(d->base);
		d->base = NULL;
		d->saved++;
		d->is_new = 1;
		form_keep_company(d);
		form_fill(d, d->defaults);
		tui_message(0, "saved %s %d; here is the next one",
		    model_type(d->type)->name, d->saved);
		tui_status_reload();
		break;
	case A_PICK:
		form_pick(d, "");
		return;
	default:
		if (ff->mf->kind == MODEL_REF || ff->mf->kind == MODEL_USERID) {
			if ((!iskey && (ch == 127 || ch == 8)) ||
			    (iskey && (ch == KEY_BACKSPACE || ch == KEY_DC))) {
				free(ff->value);
				free(ff->shown);
				ff->value = xstrdup("");
				ff->shown = NULL;
				break;
			}
			if (!iskey && ch >= ' ' && ch != 127) {
				n = (int)wctomb(start, (wchar_t)ch);
				start[n > 0 ? n : 0] = '\0';
				form_pick(d, start);
			}
			return;
		}
		if (!form_is_text(ff->mf)) {
			if (!form_choice_key(ff, iskey, ch))
				return;
			break;
		}
		if (edit_key(&ff->e, iskey, ch) == EDIT_UNHANDLED)
			return;
		form_field_changed(ff);
		break;
	}
	tui_redraw(REDRAW_BODY);
}

/*
 * A long text over FORM_TEXT_ROWS rows, scrolled to keep the cursor in
 * view; returns the last row it took.
 */
static int
form_draw_text(struct form_field *ff, int y, int x, int w, int rows,
    int attr, int current)
{
	size_t	 starts[EDIT_ROWS_MAX], n, row, first, i;
	wchar_t	 view[512];
	int	 col, r;

	n = edit_rows(&ff->e, w, starts, EDIT_ROWS_MAX, &row, &col);
	/* The cursor's row in view, the rows above it as many as fit. */
	first = row >= FORM_TEXT_ROWS ? row - FORM_TEXT_ROWS + 1 : 0;
	for (r = 0; r < FORM_TEXT_ROWS && y + r < rows; r++) {
		tui_put(y + r, x, w, "", attr);
		i = first + (size_t)r;
		if (i >= n)
			continue;
		edit_row_view(&ff->e, starts[i], i + 1 < n ? starts[i + 1] :
		    ff->e.len, view, sizeof view / sizeof view[0]);
		attrset(attr);
		mvaddwstr(y + r, x, view);
		attrset(A_NORMAL);
	}
	if (current) {
		app.cursor_y = y + (int)(row - first);
		app.cursor_x = x + (col < w ? col : w - 1);
	}
	/* More below the rows shown: said after the field. */
	if (first + FORM_TEXT_ROWS < n && y + FORM_TEXT_ROWS - 1 < rows)
		tui_put(y + FORM_TEXT_ROWS - 1, x + w + 1, 1, "↓",
		    tui_attr(C_KEY));
	return y + FORM_TEXT_ROWS - 1;
}

static void
form_draw(struct screen *sc, int rows, int cols)
{
	struct form_data	*d = sc->data;
	struct form_field	*ff;
	wchar_t			 view[512];
	char			 buf[512], *v;
	size_t			 i;
	int			 y, lw = FORM_LABEL_W, w, col, need, attr;

	if (d->saved > 0)
		snprintf(buf, sizeof buf, " New %s (%d saved with F3)",
		    model_type(d->type)->name, d->saved);
	else
		snprintf(buf, sizeof buf, " %s %s", d->is_new ? "New" : "Edit",
		    model_type(d->type)->name);
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	w = form_width(cols);
	/* Keep the field with the cursor in view (errors take a line). */
	if (d->cur < d->top)
		d->top = d->cur;
	for (;;) {
		need = 0;
		for (i = d->top; i <= d->cur; i++)
			need += form_rows(&d->f[i]) + (d->f[i].error != NULL);
		if (need <= rows - 2 || d->top == d->cur)
			break;
		d->top++;
	}
	for (i = d->top, y = 2; i < d->n && y < rows; i++, y++) {
		ff = &d->f[i];
		snprintf(buf, sizeof buf, "%s%s", ff->mf->label,
		    ff->mf->flags & MODEL_REQUIRED ? " *" : "");
		tui_put(y, 1, lw, buf, tui_attr(ff->error != NULL ? C_ERROR :
		    C_LABEL));
		attr = tui_attr(i == d->cur ? C_FIELD_ON : C_FIELD);
		col = 0;
		if (ff->mf->kind == MODEL_LONGTEXT) {
			y = form_draw_text(ff, y, 1 + lw, w, rows, attr,
			    i == d->cur);
		} else if (form_is_text(ff->mf)) {
			tui_put(y, 1 + lw, w, "", attr);
			col = edit_view(&ff->e, w, view, 512);
			attrset(attr);
			mvaddwstr(y, 1 + lw, view);
			attrset(A_NORMAL);
		} else {
			v = ff->shown != NULL ? ff->shown : ff->value;
			if (ff->mf->kind == MODEL_CHOICE ||
			    ff->mf->kind == MODEL_BOOL)
				snprintf(buf, sizeof buf, "‹ %s ›", v);
			else
				snprintf(buf, sizeof buf, "%s", *v != '\0' ? v :
				    i == d->cur ? "(type a name, or F4 to "
				    "choose)" : "");
			tui_put(y, 1 + lw, w, buf, attr);
			col = 0;
		}
		if (i == d->cur && ff->mf->kind != MODEL_LONGTEXT) {
			app.cursor_y = y;
			app.cursor_x = 1 + lw + col;
		}
		if (ff->error != NULL && ++y < rows)
			tui_put(y, 1 + lw, cols - lw - 2, ff->error,
			    tui_attr(C_ERROR));
	}
}

static int
form_unsaved(struct screen *sc)
{
	struct form_data	*d = sc->data;

	return d->n > 0 && form_changed(d);
}

/*
 * crm ends with the form open: a signal (a dropped connection, a
 * shutdown) keeps what it holds as a draft of this user's; a person who
 * chose to discard it (Ctrl-C, y) lets the draft it came from go too.
 */
static void
form_stop(struct screen *sc, int keep)
{
	struct form_data	*d = sc->data;
	struct store_txn	*t;
	struct draft		 dr;
	char			*v;
	size_t			 i;

	if (!keep) {
		form_draft_drop(d);
		return;
	}
	if (!form_unsaved(sc))
		return;
	memset(&dr, 0, sizeof dr);
	dr.type = d->type;
	dr.is_new = d->is_new;
	dr.id = d->id;
	dr.base = d->base;
	dr.mine = record_new();
	dr.key = d->draft_key;
	for (i = 0; i < d->n; i++) {
		v = form_value(&d->f[i]);
		record_set(dr.mine, d->f[i].mf->name, v, 0);
		free(v);
	}
	if (session_begin(&app.s, app.s.wait_seconds, &t) != 0)
		goto fail;
	if (draft_save(t, app.s.user.uid, &dr) != 0) {
		session_end(&app.s, t, 0);
		goto fail;
	}
	if (session_end(&app.s, t, 1) != 0)
		goto fail;
	d->draft_key = dr.key;
	record_free(dr.mine);
	return;
fail:
	/* The terminal may be gone: said on stderr after the screen. */
	snprintf(app.exit_message, sizeof app.exit_message, "the %s being "
	    "edited could not be kept as a draft: %s",
	    model_type(d->type)->name, error_get());
	if (dr.key != d->draft_key)
		free(dr.key);
	record_free(dr.mine);
}

const struct screen_ops screen_form = {
	.name = "form",
	.keymaps = KM_FORM,
	.enter = form_enter,
	.draw = form_draw,
	.key = form_key,
	.leave = form_leave,
	.typing = form_typing,
	.help = "Editing a record",
	.unsaved = form_unsaved,
	.stop = form_stop,
};

void
screen_form_offer_draft(void)
{
	static int		 tries;
	struct store_txn	*t;
	struct form_data	*d;
	struct draft		 dr;
	const char		*lines[4];
	char			 l0[300], l1[200], *name, *when;
	size_t			 count = 0, n = 0;
	int			 ret, answer;

	/*
	 * A master busy (a sync, another crm): asked again after the next
	 * key or idle moment, a few times, then at the next start.
	 */
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		if (ret == SESSION_BUSY && ++tries < 10)
			app.offer_drafts = 1;
		error_clear();
		return;
	}
	ret = draft_load(t, app.s.user.uid, &dr, &count);
	session_end(&app.s, t, 0);
	if (ret != 0) {
		if (ret == -1)
			tui_error();
		return;
	}
	name = model_record_name(dr.type, dr.is_new || dr.base == NULL ?
	    dr.mine : dr.base, 0);
	when = tui_local_time(dr.when);
	snprintf(l0, sizeof l0, "%s %s \"%s\", kept %s.", dr.is_new ?
	    "A new" : "An edit of the", model_type(dr.type)->name, name, when);
	free(name);
	free(when);
	lines[n++] = l0;
	lines[n++] = "";
	lines[n++] = "Resume it to save it (F2), or discard it.";
	if (count > 1) {
		snprintf(l1, sizeof l1, "You have %zu such forms: the others "
		    "are offered next time.", count);
		lines[n++] = l1;
	}
	answer = tui_dialog("A form you were editing when crm was stopped ",
	    lines, n, "rd", "r resume   d discard   Esc later");
	if (answer == 'r') {
		d = xcalloc(1, sizeof *d);
		d->type = dr.type;
		d->is_new = dr.is_new;
		d->id = dr.id;
		d->resume = xmalloc(sizeof *d->resume);
		*d->resume = dr;
		tui_push(&screen_form, d);
		return;
	}
	/* A key typed at once, meant for the main screen, loses nothing. */
	if (answer == 'd' && !tui_confirm("Discard the %s kept when crm was "
	    "stopped, for good?", model_type(dr.type)->name))
		answer = 0;
	if (answer == 'd') {
		if ((ret = session_begin(&app.s, app.s.wait_seconds, &t)) != 0)
			tui_unit(ret);
		else if (draft_drop(t, dr.key) != 0) {
			session_end(&app.s, t, 0);
			tui_error();
		} else if (session_end(&app.s, t, 1) != 0)
			tui_error();
		else
			tui_message(0, "the form kept when crm was stopped is "
			    "discarded");
	} else if (!tui_signalled())
		tui_message(0, "the form kept when crm was stopped is offered "
		    "again next time");
	draft_free(&dr);
}

/* The picker: a list searched as you type, Enter chooses. */
struct pick_data {
	struct list	 l;
	void		(*done)(void *, const struct record *);
	void		*arg;
	void		(*release)(void *);	/* arg, when the pick goes */
	char		*start;
	char		*within;	/* the company it is narrowed to */
};

static void	pick_open(int, const char *, const struct record_id *,
		    const char *, void (*)(void *, const struct record *),
		    void *, void (*)(void *));

void
screen_pick_open(int type, const char *start,
    void (*done)(void *, const struct record *), void *arg)
{
	screen_pick_open_in(type, start, NULL, NULL, done, arg);
}

void
screen_pick_chain(int type, const char *start,
    void (*done)(void *, const struct record *), void *arg,
    void (*release)(void *))
{
	pick_open(type, start, NULL, NULL, done, arg, release);
}

void
screen_pick_open_in(int type, const char *start, const struct record_id *in,
    const char *in_name, void (*done)(void *, const struct record *),
    void *arg)
{
	pick_open(type, start, in, in_name, done, arg, NULL);
}

static void
pick_open(int type, const char *start, const struct record_id *in,
    const char *in_name, void (*done)(void *, const struct record *),
    void *arg, void (*release)(void *))
{
	struct pick_data	*d = xcalloc(1, sizeof *d);

	list_init(&d->l, type, type == MODEL_USER ? "name,login,uid" :
	    type == MODEL_CONTACT ? "last_name,first_name,company,email" :
	    type == MODEL_COMPANY ? "name,city,country" : "@name");
	if (in != NULL) {
		browse_set_ref(&d->l.b, in);
		d->l.b.order = BROWSE_NAME;
		d->within = xstrdup(in_name != NULL ? in_name : "");
	}
	d->done = done;
	d->arg = arg;
	d->release = release;
	d->start = xstrdup(start);
	tui_push(&screen_pick, d);
}

static int
pick_enter(struct screen *sc)
{
	struct pick_data	*d = sc->data;

	d->l.lb.height = LINES - 2 - 3 > 1 ? LINES - 2 - 3 : 1;
	d->l.searching = 1;
	edit_set(&d->l.search, d->start);
	browse_set_search(&d->l.b, d->start);
	list_load(&d->l);
	return 0;
}

static void
pick_reload(struct screen *sc)
{
	struct pick_data	*d = sc->data;

	d->l.lb.height = LINES - 2 - 3 > 1 ? LINES - 2 - 3 : 1;
	list_load(&d->l);
}

static void
pick_leave(struct screen *sc)
{
	struct pick_data	*d = sc->data;

	list_free(&d->l);
	free(d->start);
	free(d->within);
	if (d->release != NULL)
		d->release(d->arg);
	free(d);
}

static int
pick_typing(struct screen *sc)
{
	(void)sc;
	return 1;
}

static void
pick_draw(struct screen *sc, int rows, int cols)
{
	struct pick_data	*d = sc->data;
	char			 buf[256];

	if (d->within != NULL)
		snprintf(buf, sizeof buf, " Choose a contact of %s: type part "
		    "of a name, Enter chooses, Esc cancels", d->within);
	else
		snprintf(buf, sizeof buf, " Choose a %s: type part of its "
		    "name, Enter chooses, Esc cancels",
		    model_type(d->l.type)->name);
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	d->l.searching = 1;
	list_draw_search(&d->l, 1, 0, cols, " Name: ");
	list_draw(&d->l, 2, 0, rows - 2, cols, 1);
}

static void
pick_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct pick_data	*d = sc->data;
	const struct record	*r;

	if (a == A_BACK) {
		tui_pop();
		return;
	}
	/*
	 * Enter and Tab choose (Tab: as in the form, on to the next
	 * field); F2 and F3 choose and save, as they would in the form.
	 */
	if ((!iskey && (ch == '\r' || ch == '\n')) || a == A_NEXT_FIELD ||
	    a == A_SAVE || a == A_SAVE_NEW) {
		if ((r = list_selected(&d->l)) == NULL) {
			tui_message(1, "nothing to choose: change the name, "
			    "or Esc");
			return;
		}
		d->done(d->arg, r);
		tui_pop();
		if ((a == A_SAVE || a == A_SAVE_NEW) && (sc = tui_top()) != NULL &&
		    sc->ops == &screen_form)
			sc->ops->key(sc, a, iskey, ch);
		return;
	}
	if (iskey && (ch == KEY_UP || ch == KEY_DOWN || ch == KEY_NPAGE ||
	    ch == KEY_PPAGE)) {
		a = ch == KEY_UP ? A_UP : ch == KEY_DOWN ? A_DOWN :
		    ch == KEY_NPAGE ? A_PGDN : A_PGUP;
		d->l.searching = 0;
		list_key(&d->l, a, iskey, ch);
		d->l.searching = 1;
		return;
	}
	list_key(&d->l, A_NONE, iskey, ch);
}

const struct screen_ops screen_pick = {
	.name = "pick",
	.keymaps = KM_PICK,
	.enter = pick_enter,
	.draw = pick_draw,
	.key = pick_key,
	.reload = pick_reload,
	.leave = pick_leave,
	.typing = pick_typing,
	.typing_keymaps = KM_PICK,
	.help = "Choosing a record for a field",
};
