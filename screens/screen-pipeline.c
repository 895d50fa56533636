/*
 * screen-pipeline: opportunities by stage. A table of the six stages with
 * the count and amount total of each (and of the open ones together),
 * and below it the opportunities of the stage chosen, by expected close
 * date. ← → choose the stage, ↑ ↓ the opportunity; > and < move it to
 * the next or previous stage; Enter opens it.
 *
 * Counts and totals take one pass over the opportunities (there is no
 * index by stage): see include/pipeline.h for its cost. After > or <
 * the pass runs again, so the figures are always the file's.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "error.h"
#include "list.h"
#include "listbox.h"
#include "model.h"
#include "pipeline.h"
#include "record.h"
#include "screens.h"
#include "session.h"
#include "tui.h"
#include "undo.h"
#include "xmalloc.h"

/* The pipeline's own actions and keymap (tui.h: A_SCREEN, KM_SCREEN). */
#define A_NEXT_PANE	(A_SCREEN + 0)	/* show the stage after */
#define A_PREV_PANE	(A_SCREEN + 1)
#define A_STAGE_NEXT	(A_SCREEN + 2)	/* an opportunity to the next stage */
#define A_STAGE_PREV	(A_SCREEN + 3)
#define A_MINE		(A_SCREEN + 4)	/* only mine, or everyone's */
#define KM_PIPELINE	KM_SCREEN

static const struct binding pipeline_bindings[] = {
	KEYS_SHARED(KEYS_MOVE),
	KEYS_UNDO(KM_PIPELINE),
	KEYS_SHARED(KEYS_END),
	{ A_PREV_PANE, "show-stage-before", KM_PIPELINE,
	  { KEY_LEFT, 'h', KEY_BTAB }, "← h S-Tab",
	  "show the stage before", 0 },
	{ A_NEXT_PANE, "show-stage-after", KM_PIPELINE,
	  { KEY_RIGHT, 'l', '\t' }, "→ l Tab", "show the stage after", 0 },
	/* No key of its own: the key line's short form of the two above. */
	{ A_NEXT_PANE, "stages", KM_PIPELINE, { 0 }, "← →",
	  "show another stage", 1 },
	{ A_STAGE_NEXT, "next-stage", KM_PIPELINE, { '>' }, ">",
	  "move the opportunity to the next stage", 1 },
	{ A_STAGE_PREV, "previous-stage", KM_PIPELINE, { '<' }, "<",
	  "move the opportunity to the stage before", 1 },
	{ A_MINE, "mine", KM_PIPELINE, { 'm' }, "m",
	  "only mine, or everyone's", 1 },
	KEYS_BACK(KM_PIPELINE),
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

#define PIPE_TABLE	12	/* rows above the list: titles and the table */

struct pipe_data {
	struct pipeline	 p;
	char		 mine[RECORD_UID_SIZE + 1];
	int		 stage;			/* the stage shown below */
	/* Each stage's window of rows: lb[i].n is stage[i].nrows. */
	struct listbox	 lb[PIPELINE_NSTAGES];
	int		 w[5];		/* the last draw's columns */
	/* Company names of each stage's rows, read with them. */
	char		**company[PIPELINE_NSTAGES];
	size_t		 ncompany[PIPELINE_NSTAGES];
	int		 failed;
};

static void
pipe_names_free(struct pipe_data *d, int i)
{
	size_t	k;

	for (k = 0; k < d->ncompany[i]; k++)
		free(d->company[i][k]);
	free(d->company[i]);
	d->company[i] = NULL;
	d->ncompany[i] = 0;
}

static void
pipe_names(struct pipe_data *d, struct store_txn *t, int i)
{
	struct pipeline_stage	*s = &d->p.stage[i];
	size_t			 k;

	pipe_names_free(d, i);
	d->company[i] = xcalloc(s->nrows + 1, sizeof *d->company[i]);
	for (k = 0; k < s->nrows; k++)
		d->company[i][k] = tui_field_text(t, MODEL_OPPORTUNITY,
		    s->rows[k].rec, "company");
	d->ncompany[i] = s->nrows;
}

/* The row of a stage whose key is key, or the first after it. */
static size_t
pipe_find(const struct pipeline_stage *s, const char *key)
{
	size_t	k;

	for (k = 0; k < s->nrows; k++) {
		if (strcmp(s->rows[k].key, key) >= 0)
			break;
	}
	return k;
}

/* The key of each stage's selected row, to find it again after a change. */
static void
pipe_sel_keep(struct pipe_data *d, char **keep)
{
	struct pipeline_stage	*s;
	int			 i;

	for (i = 0; i < PIPELINE_NSTAGES; i++) {
		s = &d->p.stage[i];
		keep[i] = d->lb[i].sel < s->nrows ?
		    xstrdup(s->rows[d->lb[i].sel].key) : NULL;
	}
}

/* Each stage's cursor on the row it was on, or the one after its place. */
static void
pipe_sel_find(struct pipe_data *d, char **keep)
{
	struct pipeline_stage	*s;
	int			 i;

	for (i = 0; i < PIPELINE_NSTAGES; i++) {
		s = &d->p.stage[i];
		if (keep[i] != NULL)
			d->lb[i].sel = pipe_find(s, keep[i]);
		listbox_set_rows(&d->lb[i], s->nrows);
	}
}

/*
 * The pass: every stage's figures and window. The cursor of each stage
 * stays on the opportunity it was on (by its place in the order).
 */
static int
pipe_load(struct pipe_data *d)
{
	struct store_txn	*t;
	char			*keep[PIPELINE_NSTAGES];
	int			 i, ret;

	pipe_sel_keep(d, keep);
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		ret = tui_unit(ret);
		goto out;
	}
	if ((ret = pipeline_read(t, &d->p, d->mine)) == 0) {
		for (i = 0; i < PIPELINE_NSTAGES; i++)
			pipe_names(d, t, i);
	}
	session_end(&app.s, t, 0);
	tui_unit(0);
	if (ret != 0) {
		d->failed = 1;
		tui_error();
		goto out;
	}
	d->failed = 0;
	pipe_sel_find(d, keep);
out:
	for (i = 0; i < PIPELINE_NSTAGES; i++)
		free(keep[i]);
	tui_redraw(REDRAW_BODY);
	return ret;
}

static void	pipe_row(void *, size_t, int, int, int, int);
static void	pipe_edge(struct listbox *, long, void *);

void
screen_pipeline_open(const char *mine)
{
	struct pipe_data	*d = xcalloc(1, sizeof *d);
	int			 i;

	pipeline_init(&d->p, PIPELINE_WINDOW);
	for (i = 0; i < PIPELINE_NSTAGES; i++)
		listbox_init(&d->lb[i], 0, pipe_row, pipe_edge, d);
	snprintf(d->mine, sizeof d->mine, "%s", mine != NULL ? mine : "");
	tui_push(&screen_pipeline, d);
}

static int
pipe_enter(struct screen *sc)
{
	/* A failed read stays on screen, said, until a key reads again. */
	pipe_load(sc->data);
	return 0;
}

static void
pipe_reload(struct screen *sc)
{
	pipe_load(sc->data);
	tui_status_reload();
}

static void
pipe_leave(struct screen *sc)
{
	struct pipe_data	*d = sc->data;
	int			 i;

	for (i = 0; i < PIPELINE_NSTAGES; i++)
		pipe_names_free(d, i);
	pipeline_free(&d->p);
	free(d);
}

/* "Negotiation" from "negotiation". */
static void
pipe_label(const char *stage, char *buf, size_t len)
{
	snprintf(buf, len, "%s", stage);
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
}

static void
pipe_draw(struct screen *sc, int rows, int cols)
{
	struct pipe_data	*d = sc->data;
	struct pipeline_stage	*s;
	char			 buf[512], amount[64], label[32];
	size_t			 h;
	int			 i, y, nw, cw = 22, aw = 16, dw = 10, mw = 8;

	pipeline_amount_format(d->p.open_total, amount, sizeof amount);
	snprintf(buf, sizeof buf, " Pipeline: %lu opportunit%s, %lu open "
	    "worth %s", d->p.count, d->p.count == 1 ? "y" : "ies",
	    d->p.open_count, amount);
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	snprintf(buf, sizeof buf, " %s, by stage; each stage by expected "
	    "close date", d->mine[0] != '\0' ? "My opportunities" :
	    "Everyone's opportunities");
	tui_put(1, 0, cols, buf, tui_attr(C_TITLE));
	if (d->failed) {
		tui_put(3, 0, cols, "  (could not be read: see the message "
		    "below)", tui_attr(C_NORMAL));
		return;
	}
	tui_put(2, 0, cols, "   Stage              Count             Total",
	    tui_attr(C_HEADER));
	for (i = 0; i < PIPELINE_NSTAGES && 3 + i < rows; i++) {
		s = &d->p.stage[i];
		pipe_label(s->name, label, sizeof label);
		pipeline_amount_format(s->total, amount, sizeof amount);
		snprintf(buf, sizeof buf, " %s %-13s %10lu  %16s%s",
		    i == d->stage ? ">" : " ", label, s->count, amount,
		    s->open ? "" : "  (closed)");
		tui_put(3 + i, 0, cols, buf, tui_attr(i == d->stage ?
		    C_TAB_ON : C_NORMAL));
	}
	pipeline_amount_format(d->p.open_total, amount, sizeof amount);
	snprintf(buf, sizeof buf, "   %-13s %10lu  %16s", "Open stages",
	    d->p.open_count, amount);
	tui_put(3 + PIPELINE_NSTAGES, 0, cols, buf, tui_attr(C_TITLE));

	/* The stage's opportunities: where the cursor is, then the list. */
	s = &d->p.stage[d->stage];
	y = PIPE_TABLE - 1;
	if (y + 1 >= rows)
		return;
	pipe_label(s->name, label, sizeof label);
	if (s->count == 0)
		snprintf(buf, sizeof buf, " %s: none", label);
	else
		snprintf(buf, sizeof buf, " %s: %lu of %lu", label,
		    s->before + (s->nrows > 0 ? d->lb[d->stage].sel + 1 : 0),
		    s->count);
	tui_put(y - 1, 0, cols, buf, tui_attr(C_TITLE));
	if (cols < 90)
		cw = 16, mw = 0;
	nw = cols - cw - aw - dw - mw - (mw > 0 ? 4 : 3);
	if (nw < 10)
		nw = 10;
	tui_put(y, 0, nw, "Name", tui_attr(C_HEADER));
	tui_put(y, nw, 1, "", tui_attr(C_HEADER));
	tui_put(y, nw + 1, cw, "Company", tui_attr(C_HEADER));
	tui_put(y, nw + 1 + cw, 1, "", tui_attr(C_HEADER));
	tui_put(y, nw + 2 + cw, aw, "          Amount", tui_attr(C_HEADER));
	tui_put(y, nw + 2 + cw + aw, 1, "", tui_attr(C_HEADER));
	tui_put(y, nw + 3 + cw + aw, dw, "Closing", tui_attr(C_HEADER));
	if (mw > 0) {
		tui_put(y, nw + 3 + cw + aw + dw, 1, "", tui_attr(C_HEADER));
		tui_put(y, nw + 4 + cw + aw + dw, mw, "Manager",
		    tui_attr(C_HEADER));
	}
	y++;
	h = (size_t)(rows - y);
	if (h < 1)
		return;
	if (s->nrows == 0) {
		tui_put(y, 0, cols, s->count == 0 ? "  No opportunity is at "
		    "this stage." : "  (none here: Home goes to the first)",
		    tui_attr(C_NORMAL));
		return;
	}
	d->w[0] = nw;
	d->w[1] = cw;
	d->w[2] = aw;
	d->w[3] = dw;
	d->w[4] = mw;
	/* A page is the rows shown, of a window that holds more. */
	for (i = 0; i < PIPELINE_NSTAGES; i++)
		d->lb[i].height = h;
	listbox_draw(&d->lb[d->stage], y, 0, (int)h, cols);
}

/* An opportunity of the stage shown: name, company, amount, closing. */
static void
pipe_row(void *arg, size_t k, int y, int x, int cols, int selected)
{
	struct pipe_data	*d = arg;
	const struct record	*r = d->p.stage[d->stage].rows[k].rec;
	char			 amount[64];
	int			 nw = d->w[0], cw = d->w[1], aw = d->w[2];
	int			 dw = d->w[3], mw = d->w[4], attr;

	(void)x;
	attr = tui_attr(selected ? C_SELECTED : C_NORMAL);
	tui_put(y, 0, cols, "", attr);
	tui_put(y, 0, nw, record_value(r, "name"), attr);
	tui_put(y, nw + 1, cw, k < d->ncompany[d->stage] ?
	    d->company[d->stage][k] : "", attr);
	snprintf(amount, sizeof amount, "%16s", "");
	if (*record_value(r, "amount") != '\0') {
		char	num[48];

		pipeline_amount_format(strtold(record_value(r, "amount"),
		    NULL), num, sizeof num);
		snprintf(amount, sizeof amount, "%16s", num);
	}
	tui_put(y, nw + 2 + cw, aw, amount, attr);
	tui_put(y, nw + 3 + cw + aw, dw, record_value(r, "close_date"), attr);
	if (mw > 0)
		tui_put(y, nw + 4 + cw + aw + dw, mw,
		    record_value(r, "account_manager"), attr);
}

/* Read another window of the stage shown, then find key in it. */
static void
pipe_window(struct pipe_data *d, const char *anchor, int dir,
    const char *key, int after)
{
	struct pipeline_stage	*s = &d->p.stage[d->stage];
	char			*k = key != NULL ? xstrdup(key) : NULL;

	pipeline_anchor(&d->p, d->stage, anchor, dir);
	d->lb[d->stage].sel = s->nrows;	/* pipe_load keeps no place */
	if (pipe_load(d) != 0) {
		free(k);
		return;
	}
	s = &d->p.stage[d->stage];
	d->lb[d->stage].top = 0;
	if (k == NULL)
		d->lb[d->stage].sel = dir < 0 && s->nrows > 0 ? s->nrows - 1 : 0;
	else {
		d->lb[d->stage].sel = pipe_find(s, k) + (size_t)after;
		if (d->lb[d->stage].sel >= s->nrows)
			d->lb[d->stage].sel = s->nrows > 0 ? s->nrows - 1 : 0;
	}
	free(k);
}

/*
 * Past the rows held of a stage, Home and End: its window moves, or the
 * selection stops at the stage's first or last opportunity.
 */
static void
pipe_edge(struct listbox *lb, long delta, void *arg)
{
	struct pipe_data	*d = arg;
	struct pipeline_stage	*s = &d->p.stage[d->stage];
	size_t			 n = s->nrows, to;

	if (delta == LISTBOX_FIRST) {
		if (s->before > 0)
			pipe_window(d, NULL, 0, NULL, 0);
		lb->sel = lb->top = 0;
		return;
	}
	if (delta == LISTBOX_LAST) {
		if (s->before + s->nrows < s->count)
			pipe_window(d, "\377", -1, NULL, 0);
		s = &d->p.stage[d->stage];
		lb->sel = s->nrows > 0 ? s->nrows - 1 : 0;
		return;
	}
	if (n == 0)
		return;
	if (delta > 0) {
		if (s->before + n >= s->count) {
			lb->sel = n - 1;	/* the last of the stage */
			return;
		}
		/* The window goes on from the row at the top of the list. */
		to = lb->top < n ? lb->top : lb->sel;
		pipe_window(d, s->rows[to].key, 0, s->rows[lb->sel].key,
		    (int)delta);
		return;
	}
	if (s->before == 0) {
		lb->sel = 0;
		return;
	}
	/* The window before this one ends just above its first row. */
	pipe_window(d, s->rows[0].key, -1, NULL, 0);
}

/* > or <: the opportunity to the next or previous stage. */
static void
pipe_stage(struct pipe_data *d, int delta)
{
	struct pipeline_stage	*s = &d->p.stage[d->stage];
	struct model_change	 ch;
	struct store_txn	*t;
	const struct record	*r;
	struct record		*moved = NULL, *before;
	char			 from[32], to[32], *keep[PIPELINE_NSTAGES];
	int			 ret, i;

	if (s->nrows == 0 || d->lb[d->stage].sel >= s->nrows) {
		tui_message(1, "no opportunity is selected: this stage is "
		    "empty");
		return;
	}
	r = s->rows[d->lb[d->stage].sel].rec;
	if ((ch.value = pipeline_stage_next(r, delta)) == NULL) {
		pipe_label(s->name, from, sizeof from);
		if (delta > 0 && pipeline_stage_closed(pipeline_stage_of(r)))
			tui_message(1, "\"%s\" is closed (%s): < opens it "
			    "again", record_value(r, "name"), from);
		else
			tui_message(1, "\"%s\" is at the %s stage already",
			    record_value(r, "name"), delta > 0 ? "last" :
			    "first");
		return;
	}
	ch.name = "stage";
	pipe_label(s->name, from, sizeof from);
	pipe_label(ch.value, to, sizeof to);
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		return;
	}
	if (undo_update(t, MODEL_OPPORTUNITY, &r->id, &ch, 1) != 0 ||
	    model_get(t, MODEL_OPPORTUNITY, &r->id, &moved) != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		return;
	}
	if (session_end(&app.s, t, 1) != 0) {
		record_free(moved);
		tui_error();
		return;
	}
	tui_unit(0);
	tui_message(0, "\"%s\" moved from %s to %s", record_value(r, "name"),
	    from, to);
	/*
	 * The stages follow in memory, no pass over the file (pipeline.h);
	 * the row leaves this stage and the cursor stays at its place.
	 */
	before = record_dup(r);
	pipe_sel_keep(d, keep);
	pipeline_moved(&d->p, before, moved);
	pipe_sel_find(d, keep);
	for (i = 0; i < PIPELINE_NSTAGES; i++)
		free(keep[i]);
	record_free(before);
	record_free(moved);
	if ((ret = session_begin(&app.s, 0, &t)) == 0) {
		/* The company names of the two stages' windows again. */
		for (i = 0; i < PIPELINE_NSTAGES; i++) {
			if (i == d->stage ||
			    strcmp(d->p.stage[i].name, ch.value) == 0)
				pipe_names(d, t, i);
		}
		session_end(&app.s, t, 0);
	}
	tui_unit(ret);
	tui_redraw(REDRAW_BODY);
	tui_status_reload();
}

static void
pipe_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct pipe_data	*d = sc->data;
	struct pipeline_stage	*s = &d->p.stage[d->stage];
	const struct record	*r = d->lb[d->stage].sel < s->nrows ?
				    s->rows[d->lb[d->stage].sel].rec : NULL;
	int			 i;

	(void)iskey;
	(void)ch;
	switch ((int)a) {
	case A_BACK:
		tui_pop();
		return;
	case A_RETRY:
		pipe_reload(sc);
		return;
	case A_NEXT_PANE:
		d->stage = (d->stage + 1) % PIPELINE_NSTAGES;
		break;
	case A_PREV_PANE:
		d->stage = (d->stage + PIPELINE_NSTAGES - 1) % PIPELINE_NSTAGES;
		break;
	case A_OPEN:
		if (r != NULL)
			screen_record_open(MODEL_OPPORTUNITY, &r->id);
		return;
	case A_STAGE_NEXT:
	case A_STAGE_PREV:
		pipe_stage(d, a == A_STAGE_NEXT ? 1 : -1);
		return;
	case A_MINE:
		if (d->mine[0] != '\0')
			d->mine[0] = '\0';
		else
			snprintf(d->mine, sizeof d->mine, "%s", app.s.user.uid);
		for (i = 0; i < PIPELINE_NSTAGES; i++)
			d->lb[i].sel = d->lb[i].top = 0;
		for (i = 0; i < PIPELINE_NSTAGES; i++)
			pipeline_anchor(&d->p, i, NULL, 0);
		pipe_load(d);
		return;
	default:
		if (!listbox_key(&d->lb[d->stage], a))
			return;
		break;
	}
	tui_redraw(REDRAW_BODY);
}

const struct screen_ops screen_pipeline = {
	.name = "pipeline",
	.keymaps = KM_MOVE | KM_LIST | KM_PIPELINE,
	.bindings = pipeline_bindings,
	.enter = pipe_enter,
	.draw = pipe_draw,
	.key = pipe_key,
	.reload = pipe_reload,
	.leave = pipe_leave,
	.help = "Opportunities by stage: the pipeline",
};
