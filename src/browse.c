/* browse: pages of records in the order of an index. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "browse.h"
#include "error.h"
#include "record.h"
#include "search.h"
#include "store.h"
#include "xmalloc.h"

/*
 * A walk goes through the rows of a browse in the direction a person
 * reads them (forward) or the other way, whatever direction that is in
 * the index underneath.
 */
struct walk {
	struct browse		*b;
	struct store_txn	*t;
	struct store_cursor	*c;
	int			 down;		/* the cursor moves to higher keys */
	int			 first;		/* nothing returned yet */
	int			 from_top;	/* start at the first row shown */
};

static enum store_index
browse_index(const struct browse *b)
{
	if (b->has_ref)
		return STORE_BY_REF;
	if (b->order == BROWSE_NAME || b->order == BROWSE_NAME_DESC)
		return STORE_BY_NAME;
	return STORE_BY_ID;
}

/* Does reading forward walk the index towards higher keys? */
static int
browse_ascending(const struct browse *b)
{
	if (b->has_ref)
		return b->order == BROWSE_OLDEST || b->order == BROWSE_NAME;
	return b->order == BROWSE_NAME || b->order == BROWSE_OLDEST;
}

void
browse_init(struct browse *b, size_t file, enum browse_order order)
{
	memset(b, 0, sizeof *b);
	b->file = file;
	b->order = order;
}

void
browse_home(struct browse *b)
{
	free(b->topkey);
	b->topkey = NULL;
	b->topkeylen = 0;
	b->have_top = 0;
}

static void
browse_hits_free(struct browse *b)
{
	size_t	i;

	for (i = 0; i < b->nhits; i++)
		free(b->hits[i].key);
	free(b->hits);
	b->hits = NULL;
	b->nhits = 0;
	b->hits_made = 0;
	b->hits_walk = 0;
}

void
browse_clear(struct browse *b)
{
	browse_home(b);
	free(b->prefix);
	b->prefix = NULL;
	search_free(b->search);
	b->search = NULL;
	browse_hits_free(b);
}

void
browse_set_search(struct browse *b, const char *text)
{
	search_free(b->search);
	b->search = text != NULL ? search_new((int)b->file, text) : NULL;
	browse_hits_free(b);
	browse_home(b);
}

void
browse_refresh(struct browse *b)
{
	browse_hits_free(b);
}

void
browse_set_prefix(struct browse *b, const char *text)
{
	free(b->prefix);
	b->prefix = NULL;
	if (text != NULL && *text != '\0')
		b->prefix = store_name_key(text);
	browse_home(b);
}

void
browse_set_ref(struct browse *b, const struct record_id *id)
{
	b->has_ref = 1;
	b->ref = *id;
	browse_home(b);
}

void
browse_set_date(struct browse *b, const char *field)
{
	b->date_field = field;
	browse_hits_free(b);
	browse_home(b);
}

void
browse_set_mine(struct browse *b, const char *uid,
    const char *const *owner_fields)
{
	snprintf(b->mine, sizeof b->mine, "%s", uid != NULL ? uid : "");
	b->owners = owner_fields;
	browse_hits_free(b);
	browse_home(b);
}

void
browse_set_order(struct browse *b, enum browse_order order)
{
	b->order = order;
	browse_hits_free(b);
	browse_home(b);
}

void
browse_set_filter(struct browse *b, int (*filter)(void *, struct store_txn *,
    const struct record *), void *arg)
{
	b->filter = filter;
	b->filter_arg = arg;
	browse_hits_free(b);
	browse_home(b);
}

/* Is the key the cursor stands on inside the browse's range? */
static int
walk_in_range(struct walk *w)
{
	const void	*key;
	size_t		 len, plen;

	store_cursor_key(w->c, &key, &len);
	if (w->b->has_ref)
		return len == RECORD_ID_SIZE &&
		    memcmp(key, w->b->ref.b, RECORD_ID_SIZE) == 0;
	if (w->b->prefix != NULL && browse_index(w->b) == STORE_BY_NAME) {
		plen = strlen(w->b->prefix);
		return len >= plen && memcmp(key, w->b->prefix, plen) == 0;
	}
	return 1;
}

/*
 * Does the record pass the "mine" filter, the screen's own and the
 * search? -1: error.
 */
static int
browse_wanted(struct browse *b, struct store_txn *t, const struct record *r)
{
	const char *const	*f;
	int			 ret;

	if (b->mine[0] != '\0') {
		if (b->owners == NULL || b->owners[0] == NULL) {
			if (strcmp(r->created_by, b->mine) != 0)
				return 0;
		} else {
			for (f = b->owners; *f != NULL; f++) {
				if (strcmp(record_value(r, *f), b->mine) == 0)
					break;
			}
			if (*f == NULL)
				return 0;
		}
	}
	if (b->search != NULL &&
	    (ret = search_match(b->search, t, r)) != 1)
		return ret;
	if (b->filter != NULL)
		return b->filter(b->filter_arg, t, r);
	return 1;
}

static int
walk_wanted(const struct walk *w, const struct record *r)
{
	return browse_wanted(w->b, w->t, r);
}

static int
walk_open(struct walk *w, struct browse *b, struct store_txn *t,
    int forward, int from_top)
{
	const struct record_id	*ids;
	size_t			 n;

	memset(w, 0, sizeof *w);
	w->b = b;
	w->t = t;
	w->down = browse_ascending(b) == forward;
	w->first = 1;
	w->from_top = from_top && b->have_top;
	if (store_cursor_open(t, b->file, browse_index(b), 0, &w->c) != 0)
		return -1;
	/*
	 * A search found more than are gathered, but knows which: the
	 * index is walked by its keys and only those records read.
	 */
	if (b->search != NULL && browse_index(b) != STORE_BY_ID &&
	    (ids = search_set(b->search, &n)) != NULL &&
	    store_cursor_only(w->c, ids, n) != 0) {
		store_cursor_close(w->c);
		w->c = NULL;
		return -1;
	}
	return 0;
}

static void
walk_close(struct walk *w)
{
	store_cursor_close(w->c);
	w->c = NULL;
}

static int
walk_step(struct walk *w, int down, struct record **r)
{
	return down ? store_cursor_next(w->c, r) : store_cursor_prev(w->c, r);
}

/* Is the cursor on the first row shown? */
static int
walk_at_top(struct walk *w, const struct record *r)
{
	const void	*key;
	size_t		 len;

	store_cursor_key(w->c, &key, &len);
	return len == w->b->topkeylen &&
	    memcmp(key, w->b->topkey, len) == 0 &&
	    record_id_cmp(&r->id, &w->b->topid) == 0;
}

/*
 * The first record of a walk. Seeking lands on the first key at or after
 * the one asked, so a walk towards lower keys seeks just past its start
 * and steps back once.
 */
static int
walk_start(struct walk *w, struct record **r)
{
	struct browse	*b = w->b;
	uint8_t		*high;
	size_t		 len;
	int		 ret;

	if (w->from_top) {
		store_cursor_seek_at(w->c, b->topkey, b->topkeylen, &b->topid);
		ret = store_cursor_next(w->c, r);
		if (w->down || (ret == 0 && walk_at_top(w, *r)))
			return ret;
		if (ret == 0)
			record_free(*r);
		else if (ret != STORE_NOTFOUND)
			return ret;
		return store_cursor_prev(w->c, r);
	}
	if (w->down) {
		if (b->has_ref)
			store_cursor_seek(w->c, b->ref.b, RECORD_ID_SIZE, 0);
		else if (b->prefix != NULL && browse_index(b) == STORE_BY_NAME)
			store_cursor_seek(w->c, b->prefix, strlen(b->prefix), 0);
		return store_cursor_next(w->c, r);
	}
	/* Just past the range: its key with a byte above any it holds. */
	high = NULL;
	len = 0;
	if (b->has_ref) {
		high = xmalloc(RECORD_ID_SIZE + 1);
		memcpy(high, b->ref.b, RECORD_ID_SIZE);
		high[RECORD_ID_SIZE] = 0;
		len = RECORD_ID_SIZE + 1;
	} else if (b->prefix != NULL && browse_index(b) == STORE_BY_NAME) {
		len = strlen(b->prefix);
		high = xmalloc(len + 1);
		memcpy(high, b->prefix, len);
		high[len++] = 0xff;	/* never in UTF-8 */
	}
	if (high == NULL)
		return store_cursor_prev(w->c, r);
	store_cursor_seek(w->c, high, len, 0);
	free(high);
	ret = store_cursor_next(w->c, r);
	if (ret == 0)
		record_free(*r);
	else if (ret != STORE_NOTFOUND)
		return ret;
	return store_cursor_prev(w->c, r);
}

/*
 * The next row of the walk: 0, STORE_NOTFOUND at the end of the range,
 * or -1.
 */
static int
walk_next(struct walk *w, struct record **r)
{
	int	ret;

	for (;;) {
		if (w->first) {
			w->first = 0;
			ret = walk_start(w, r);
		} else
			ret = walk_step(w, w->down, r);
		if (ret != 0)
			return ret;
		if (!walk_in_range(w)) {
			record_free(*r);
			return STORE_NOTFOUND;
		}
		if ((ret = walk_wanted(w, *r)) != 0) {
			if (ret == 1)
				return 0;
			record_free(*r);
			return -1;
		}
		record_free(*r);
	}
}

/* Fill a row from the walk's current record. */
static void
walk_row(struct walk *w, struct record *r, struct browse_row *row)
{
	const void	*key;
	size_t		 len;

	store_cursor_key(w->c, &key, &len);
	row->rec = r;
	row->key = xmalloc(len + 1);
	memcpy(row->key, key, len);
	row->keylen = len;
}

void
browse_rows_free(struct browse_row *rows, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		record_free(rows[i].rec);
		free(rows[i].key);
		rows[i].rec = NULL;
		rows[i].key = NULL;
	}
}

void
browse_set_top(struct browse *b, const struct browse_row *row)
{
	free(b->topkey);
	b->topkey = xmalloc(row->keylen + 1);
	memcpy(b->topkey, row->key, row->keylen);
	b->topkeylen = row->keylen;
	b->topid = row->rec->id;
	b->have_top = 1;
}

/* Read up to n rows of a walk; -1 on error. */
static int
walk_rows(struct walk *w, struct browse_row *rows, size_t n, size_t *got)
{
	struct record	*r;
	int		 ret = STORE_NOTFOUND;

	*got = 0;
	while (*got < n && (ret = walk_next(w, &r)) == 0)
		walk_row(w, r, &rows[(*got)++]);
	if (ret == -1) {
		browse_rows_free(rows, *got);
		*got = 0;
		return -1;
	}
	return 0;
}

/*
 * A search's hits, gathered and sorted, stand for the index: sorted in
 * the browse's order (name or ID, up or down), positioned by the same
 * key and ID as a walk's first row.
 */
static int
browse_hit_order(const struct browse *b, const char *ka, size_t la,
    const struct record_id *ia, const char *kb, size_t lb,
    const struct record_id *ib)
{
	int	c;

	c = memcmp(ka, kb, la < lb ? la : lb);
	if (c == 0 && la != lb)
		c = la < lb ? -1 : 1;
	if (c == 0)
		c = record_id_cmp(ia, ib);
	return browse_ascending(b) ? c : -c;
}

static const struct browse	*browse_sorting;

static int
browse_hit_cmp(const void *a, const void *b)
{
	const struct browse_hit	*x = a, *y = b;

	return browse_hit_order(browse_sorting, x->key, x->keylen, &x->id,
	    y->key, y->keylen, &y->id);
}

/*
 * Are hits what this browse pages through? A search's are; so are a
 * record's linked records when sorted otherwise than by creation.
 */
static int
browse_hits_wanted(const struct browse *b)
{
	return b->search != NULL || (b->has_ref && (b->date_field != NULL ||
	    b->order == BROWSE_NAME || b->order == BROWSE_NAME_DESC));
}

/* A hit's key: the date field, the name key, or the ID. */
static void
browse_hit_key(struct browse *b, struct store_txn *t, const struct record *r,
    struct browse_hit *h)
{
	if (b->has_ref && b->date_field != NULL)
		h->key = xstrdup(record_value(r, b->date_field));
	else if (b->order == BROWSE_NAME || b->order == BROWSE_NAME_DESC)
		h->key = store_name_of(t, b->file, r);
	else {
		h->key = xmalloc(RECORD_ID_SIZE + 1);
		memcpy(h->key, r->id.b, RECORD_ID_SIZE);
		h->keylen = RECORD_ID_SIZE;
		return;
	}
	h->keylen = strlen(h->key);
}

/* Find the hits, or decide to walk (too many). */
static int
browse_hits_make(struct browse *b, struct store_txn *t)
{
	const struct record_id	*sids = NULL;
	struct record_id	*ids = NULL, *refs = NULL;
	struct browse_hit	*h;
	struct record		*r;
	size_t			 n = 0, nsids = 0, nrefs = 0, i;
	int			 ret = 0;

	if (!browse_hits_wanted(b) || b->hits_made)
		return 0;
	if (b->search != NULL &&
	    (ret = search_candidates(b->search, t, &sids, &nsids)) == -1)
		return -1;
	n = nsids;
	if (b->has_ref && ret != SEARCH_SCAN) {
		ret = store_index_ids(t, b->file, STORE_BY_REF, b->ref.b,
		    RECORD_ID_SIZE, BROWSE_HITS_MAX, &refs, &nrefs);
		if (ret == -1)
			return -1;
		if (ret == STORE_TOO_MANY)
			ret = SEARCH_SCAN;
	}
	b->hits_made = 1;
	if (ret == SEARCH_SCAN || (!b->has_ref && n > BROWSE_HITS_MAX)) {
		free(refs);
		b->hits_walk = 1;
		return 0;
	}
	if (b->has_ref) {
		ids = refs != NULL ? refs : xcalloc(1, sizeof *ids);
		n = nrefs;
		if (b->search != NULL)
			search_ids_and(ids, &n, sids, nsids);
	} else {
		ids = xcalloc(n + 1, sizeof *ids);
		if (n > 0)
			memcpy(ids, sids, n * sizeof *ids);
	}
	b->hits = xcalloc(n + 1, sizeof *b->hits);
	for (i = 0; i < n; i++) {
		if ((ret = store_get(t, b->file, &ids[i], &r)) == -1)
			goto fail;
		if (ret != 0)
			continue;
		if ((ret = browse_wanted(b, t, r)) != 1) {
			record_free(r);
			if (ret == -1)
				goto fail;
			continue;
		}
		h = &b->hits[b->nhits++];
		h->id = r->id;
		browse_hit_key(b, t, r, h);
		record_free(r);
	}
	free(ids);
	browse_sorting = b;
	if (b->nhits > 1)
		qsort(b->hits, b->nhits, sizeof *b->hits, browse_hit_cmp);
	browse_sorting = NULL;
	return 0;

fail:
	free(ids);
	browse_hits_free(b);
	return -1;
}

/* Are the hits what the browse pages through? (Else it walks.) */
static int
browse_hits_on(struct browse *b, struct store_txn *t, int *err)
{
	*err = browse_hits_make(b, t);
	return *err == 0 && browse_hits_wanted(b) && !b->hits_walk;
}

/* The hit the first row shown is, or the one after where it was. */
static size_t
browse_hits_top(const struct browse *b)
{
	size_t	lo = 0, hi = b->nhits, mid;

	if (!b->have_top)
		return 0;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (browse_hit_order(b, b->hits[mid].key, b->hits[mid].keylen,
		    &b->hits[mid].id, b->topkey, b->topkeylen, &b->topid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
browse_hits_set_top(struct browse *b, size_t i)
{
	struct browse_row	row;
	struct record		r;

	if (i >= b->nhits) {
		browse_home(b);
		return;
	}
	memset(&r, 0, sizeof r);
	r.id = b->hits[i].id;
	row.rec = &r;
	row.key = b->hits[i].key;
	row.keylen = b->hits[i].keylen;
	browse_set_top(b, &row);
}

/* Up to n rows of the hits from the first row shown. */
static int
browse_hits_page(struct browse *b, struct store_txn *t,
    struct browse_row *rows, size_t n, size_t *got)
{
	struct record	*r;
	size_t		 i;
	int		 ret;

	*got = 0;
	for (i = browse_hits_top(b); i < b->nhits && *got < n; i++) {
		if ((ret = store_get(t, b->file, &b->hits[i].id, &r)) == -1) {
			browse_rows_free(rows, *got);
			*got = 0;
			return -1;
		}
		/* Deleted since the search: left out. */
		if (ret != 0 || (r->flags & RECORD_DELETED)) {
			if (ret == 0)
				record_free(r);
			continue;
		}
		rows[*got].rec = r;
		rows[*got].key = xmalloc(b->hits[i].keylen + 1);
		memcpy(rows[*got].key, b->hits[i].key, b->hits[i].keylen);
		rows[*got].keylen = b->hits[i].keylen;
		(*got)++;
	}
	return 0;
}

/* browse_move over the hits: the same rules, by arithmetic. */
static void
browse_hits_move(struct browse *b, long delta, size_t n, long *moved)
{
	size_t	top = browse_hits_top(b), avail, to;

	avail = b->nhits - top;
	if (delta > 0)
		to = avail >= (size_t)delta + n ? (size_t)delta :
		    (avail > n ? avail - n : 0);
	else
		to = (size_t)-delta < top ? (size_t)-delta : top;
	if (to == 0)
		return;
	*moved = delta > 0 ? (long)to : -(long)to;
	browse_hits_set_top(b, delta > 0 ? top + to : top - to);
}

int
browse_page(struct browse *b, struct store_txn *t, struct browse_row *rows,
    size_t n, size_t *got)
{
	struct walk	w;
	int		ret;

	*got = 0;
	if (browse_hits_on(b, t, &ret))
		return browse_hits_page(b, t, rows, n, got);
	if (ret != 0)
		return -1;
	if (walk_open(&w, b, t, 1, 1) != 0)
		return -1;
	ret = walk_rows(&w, rows, n, got);
	walk_close(&w);
	return ret;
}

int
browse_move(struct browse *b, struct store_txn *t, long delta, size_t n,
    long *moved)
{
	struct browse_row	*rows;
	struct walk		 w;
	size_t			 want, got, to;
	int			 ret;

	*moved = 0;
	if (delta == 0)
		return 0;
	if (n == 0)
		n = 1;
	if (browse_hits_on(b, t, &ret)) {
		browse_hits_move(b, delta, n, moved);
		return 0;
	}
	if (ret != 0)
		return -1;
	if (delta > 0) {
		/* The top and the delta rows after it, and a page beyond. */
		want = (size_t)delta + n;
		if (walk_open(&w, b, t, 1, 1) != 0)
			return -1;
	} else {
		/* The rows before the top, nearest first. */
		want = (size_t)-delta + 1;
		if (walk_open(&w, b, t, 0, 1) != 0)
			return -1;
	}
	rows = xcalloc(want, sizeof *rows);
	ret = walk_rows(&w, rows, want, &got);
	walk_close(&w);
	if (ret == 0 && got > 1) {
		if (delta > 0)
			to = got >= want ? (size_t)delta :
			    (got > n ? got - n : 0);
		else
			to = got - 1 < (size_t)-delta ? got - 1 :
			    (size_t)-delta;
		if (to > 0) {
			browse_set_top(b, &rows[to]);
			*moved = delta > 0 ? (long)to : -(long)to;
		}
	}
	browse_rows_free(rows, got);
	free(rows);
	return ret;
}

int
browse_end(struct browse *b, struct store_txn *t, size_t n)
{
	struct browse_row	*rows;
	struct walk		 w;
	size_t			 got;
	int			 ret;

	if (n == 0)
		n = 1;
	if (browse_hits_on(b, t, &ret)) {
		browse_hits_set_top(b, b->nhits > n ? b->nhits - n : 0);
		if (b->nhits <= n)
			browse_home(b);
		return 0;
	}
	if (ret != 0)
		return -1;
	if (walk_open(&w, b, t, 0, 0) != 0)
		return -1;
	rows = xcalloc(n, sizeof *rows);
	ret = walk_rows(&w, rows, n, &got);
	walk_close(&w);
	if (ret == 0) {
		if (got > 0)
			browse_set_top(b, &rows[got - 1]);
		else
			browse_home(b);
	}
	browse_rows_free(rows, got);
	free(rows);
	return ret;
}

int
browse_count(struct browse *b, struct store_txn *t, size_t limit,
    size_t *count)
{
	struct record	*r;
	struct walk	 w;
	int		 ret = 0;

	*count = 0;
	if (browse_hits_on(b, t, &ret)) {
		*count = b->nhits < limit ? b->nhits : limit;
		return 0;
	}
	if (ret != 0)
		return -1;
	if (walk_open(&w, b, t, 1, 0) != 0)
		return -1;
	while (*count < limit && (ret = walk_next(&w, &r)) == 0) {
		record_free(r);
		(*count)++;
	}
	walk_close(&w);
	return ret == -1 ? -1 : 0;
}
