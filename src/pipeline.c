/* pipeline: opportunities by stage, in one bounded pass. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"
#include "pipeline.h"
#include "store.h"
#include "utf8.h"
#include "xmalloc.h"

/* The model's stages, in their order. */
static const char *const *
pipeline_choices(void)
{
	const struct model_field	*mf;

	mf = model_field_find(MODEL_OPPORTUNITY, "stage");
	if (mf == NULL || mf->choices == NULL)
		fatal("pipeline: opportunities have no stages");
	return mf->choices;
}

void
pipeline_init(struct pipeline *p, size_t window)
{
	const char *const	*c = pipeline_choices();
	int			 i;

	memset(p, 0, sizeof *p);
	p->window = window == 0 || window > PIPELINE_WINDOW ? PIPELINE_WINDOW :
	    window;
	for (i = 0; i < PIPELINE_NSTAGES && c[i] != NULL; i++) {
		p->stage[i].name = c[i];
		p->stage[i].open = strcmp(c[i], "won") != 0 &&
		    strcmp(c[i], "lost") != 0;
	}
	if (i != PIPELINE_NSTAGES || c[i] != NULL)
		fatal("pipeline: the model's stages are not the six it knows");
}

static void
pipeline_rows_free(struct pipeline_row *rows, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		record_free(rows[i].rec);
		free(rows[i].key);
	}
	free(rows);
}

void
pipeline_free(struct pipeline *p)
{
	int	i;

	for (i = 0; i < PIPELINE_NSTAGES; i++) {
		pipeline_rows_free(p->stage[i].rows, p->stage[i].nrows);
		free(p->stage[i].anchor);
		p->stage[i].rows = NULL;
		p->stage[i].nrows = 0;
		p->stage[i].anchor = NULL;
	}
}

void
pipeline_anchor(struct pipeline *p, int stage, const char *key, int dir)
{
	struct pipeline_stage	*s = &p->stage[stage];

	free(s->anchor);
	s->anchor = key != NULL ? xstrdup(key) : NULL;
	s->dir = key != NULL ? dir : 0;
}

int
pipeline_stage_of(const struct record *r)
{
	const char *const	*c = pipeline_choices();
	const char		*v = record_value(r, "stage");
	int			 i;

	if (*v == '\0')
		return 0;	/* the model's default stage */
	for (i = 0; c[i] != NULL; i++) {
		if (strcmp(c[i], v) == 0)
			return i;
	}
	return -1;
}

int
pipeline_stage_closed(int stage)
{
	return stage >= PIPELINE_CLOSED;
}

const char *
pipeline_stage_next(const struct record *r, int delta)
{
	int	i = pipeline_stage_of(r);

	if (i < 0)
		return NULL;
	/*
	 * Won and lost both close a deal: neither is the next step of the
	 * other. A closed deal goes back to the last open stage.
	 */
	if (pipeline_stage_closed(i))
		return delta < 0 ? pipeline_choices()[PIPELINE_CLOSED - 1] :
		    NULL;
	if (i + delta < 0 || i + delta >= PIPELINE_NSTAGES)
		return NULL;
	return pipeline_choices()[i + delta];
}

void
pipeline_amount_format(long double v, char *buf, size_t len)
{
	char	digits[64], *p;
	size_t	n, i, o = 0;
	int	neg = v < 0;

	snprintf(digits, sizeof digits, "%.2Lf", neg ? -v : v);
	p = strchr(digits, '.');
	n = p != NULL ? (size_t)(p - digits) : strlen(digits);
	if (len == 0)
		return;
	if (neg && o + 1 < len)
		buf[o++] = '-';
	for (i = 0; i < n && o + 1 < len; i++) {
		buf[o++] = digits[i];
		if ((n - i - 1) % 3 == 0 && i + 1 < n && o + 1 < len)
			buf[o++] = ',';
	}
	for (i = n; digits[i] != '\0' && o + 1 < len; i++)
		buf[o++] = digits[i];
	buf[o] = '\0';
}

/*
 * The order within a stage: close date (none after every date), the
 * folded name, then the ID, whose text form sorts as the IDs do. Bytes
 * below any in a date or a name keep the parts apart.
 */
static char *
pipeline_key(const struct record *r)
{
	const char	*close = record_value(r, "close_date");
	char		*name, *key, id[RECORD_ID_TEXT + 1];

	name = utf8_fold(record_value(r, "name"));
	record_id_format(&r->id, id);
	xasprintf(&key, "%-16.16s\001%s\001%s", *close != '\0' ? close : "~",
	    name, id);
	free(name);
	return key;
}

/* Is key inside the window the stage asked for? */
static int
pipeline_wanted(const struct pipeline_stage *s, const char *key)
{
	int	c;

	if (s->anchor == NULL)
		return 1;
	c = strcmp(key, s->anchor);
	return s->dir < 0 ? c < 0 : s->dir > 0 ? c > 0 : c >= 0;
}

/*
 * Keep the row if it belongs among the window's rows: the smallest keys
 * going forward, the largest going back. rows stays sorted; the row is
 * taken (and freed when not kept).
 */
static void
pipeline_keep(struct pipeline_stage *s, size_t window, struct record *r,
    char *key)
{
	size_t	lo = 0, hi = s->nrows, mid, at;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (strcmp(s->rows[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	at = lo;
	if (s->nrows == window) {
		if (s->dir >= 0) {
			if (at == window)
				goto drop;
			record_free(s->rows[window - 1].rec);
			free(s->rows[window - 1].key);
			s->nrows--;
		} else {
			if (at == 0)
				goto drop;
			record_free(s->rows[0].rec);
			free(s->rows[0].key);
			memmove(&s->rows[0], &s->rows[1], (window - 1) *
			    sizeof *s->rows);
			s->nrows--;
			at--;
		}
	}
	memmove(&s->rows[at + 1], &s->rows[at], (s->nrows - at) *
	    sizeof *s->rows);
	s->rows[at].rec = r;
	s->rows[at].key = key;
	s->nrows++;
	return;
drop:
	record_free(r);
	free(key);
}

/*
 * Going forward, is r outside the window by its close date alone:
 * before the anchor (then counted before), or after a full window's
 * last row? The date is the first 16 bytes of every key.
 */
static int
pipeline_outside(struct pipeline_stage *s, size_t window,
    const struct record *r)
{
	const char	*close = record_value(r, "close_date");
	char		 pre[17];

	snprintf(pre, sizeof pre, "%-16.16s", *close != '\0' ? close : "~");
	if (s->anchor != NULL && strncmp(pre, s->anchor, 16) < 0) {
		s->before++;
		return 1;
	}
	return s->nrows == window &&
	    strncmp(pre, s->rows[window - 1].key, 16) > 0;
}

int
pipeline_read(struct store_txn *t, struct pipeline *p, const char *mine)
{
	struct pipeline_stage	 st[PIPELINE_NSTAGES], *s;
	struct store_cursor	*c;
	struct record		*r;
	unsigned long		 count = 0, open_count = 0;
	unsigned long		 wanted[PIPELINE_NSTAGES] = { 0 };
	long double		 open_total = 0, amount;
	char			*key;
	int			 i, ret;

	/* Read into a copy, so that a failure leaves what was shown. */
	for (i = 0; i < PIPELINE_NSTAGES; i++) {
		st[i] = p->stage[i];
		st[i].count = 0;
		st[i].total = 0;
		st[i].before = 0;
		st[i].nrows = 0;
		st[i].rows = xcalloc(p->window, sizeof *st[i].rows);
	}
	if (store_cursor_open(t, MODEL_OPPORTUNITY, STORE_BY_ID, 0, &c) != 0)
		goto fail;
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (mine != NULL && *mine != '\0' &&
		    strcmp(record_value(r, "account_manager"), mine) != 0) {
			record_free(r);
			continue;
		}
		if ((i = pipeline_stage_of(r)) < 0) {
			/* A stage this program does not know (a newer one). */
			record_free(r);
			continue;
		}
		s = &st[i];
		amount = strtold(record_value(r, "amount"), NULL);
		count++;
		s->count++;
		s->total += amount;
		if (s->open) {
			open_count++;
			open_total += amount;
		}
		/*
		 * Most rows fall outside the window on their close date
		 * alone: their key (a folded name) is not made.
		 */
		if (s->dir >= 0 && pipeline_outside(s, p->window, r)) {
			record_free(r);
			continue;
		}
		key = pipeline_key(r);
		if (!pipeline_wanted(s, key)) {
			if (s->dir >= 0)
				s->before++;
			record_free(r);
			free(key);
			continue;
		}
		wanted[i]++;
		pipeline_keep(s, p->window, r, key);
	}
	store_cursor_close(c);
	if (ret == -1)
		goto fail;
	for (i = 0; i < PIPELINE_NSTAGES; i++) {
		/* Going back, the rows before are those wanted but not kept. */
		if (st[i].dir < 0 && st[i].anchor != NULL)
			st[i].before = wanted[i] - st[i].nrows;
		pipeline_rows_free(p->stage[i].rows, p->stage[i].nrows);
		p->stage[i] = st[i];
	}
	p->count = count;
	p->open_count = open_count;
	p->open_total = open_total;
	return 0;
fail:
	for (i = 0; i < PIPELINE_NSTAGES; i++)
		pipeline_rows_free(st[i].rows, st[i].nrows);
	return -1;
}

/* Take the row of id out of a stage's window; 1 if it was there. */
static int
pipeline_take(struct pipeline_stage *s, const struct record_id *id)
{
	size_t	k;

	for (k = 0; k < s->nrows; k++) {
		if (record_id_cmp(&s->rows[k].rec->id, id) != 0)
			continue;
		record_free(s->rows[k].rec);
		free(s->rows[k].key);
		memmove(&s->rows[k], &s->rows[k + 1], (s->nrows - k - 1) *
		    sizeof *s->rows);
		s->nrows--;
		return 1;
	}
	return 0;
}

void
pipeline_moved(struct pipeline *p, const struct record *before,
    const struct record *after)
{
	struct pipeline_stage	*s;
	long double		 amount;
	size_t			 after_window;
	char			*key;
	int			 from, to;

	from = pipeline_stage_of(before);
	to = pipeline_stage_of(after);
	if (from >= 0) {
		s = &p->stage[from];
		amount = strtold(record_value(before, "amount"), NULL);
		key = pipeline_key(before);
		if (!pipeline_take(s, &before->id) && s->before > 0 &&
		    s->nrows > 0 && strcmp(key, s->rows[0].key) < 0)
			s->before--;
		free(key);
		s->count--;
		s->total -= amount;
		if (s->open) {
			p->open_count--;
			p->open_total -= amount;
		}
	}
	if (to < 0)
		return;
	s = &p->stage[to];
	amount = strtold(record_value(after, "amount"), NULL);
	after_window = s->count - s->before - s->nrows;
	s->count++;
	s->total += amount;
	if (s->open) {
		p->open_count++;
		p->open_total += amount;
	}
	/*
	 * In the window when its place is inside it (or the window is at
	 * that end of the stage); else among the rows before or after it.
	 */
	key = pipeline_key(after);
	if (s->nrows > 0 && strcmp(key, s->rows[0].key) < 0 &&
	    s->before > 0) {
		s->before++;
		free(key);
		return;
	}
	if (s->nrows > 0 && strcmp(key, s->rows[s->nrows - 1].key) > 0 &&
	    (after_window > 0 || s->nrows == p->window)) {
		free(key);
		return;
	}
	pipeline_keep(s, p->window, record_dup(after), key);
}
