/*
 * store-defer: the index entries of a load (or of a bulk write, or crm
 * encrypt's copy), gathered instead of put as each record is written,
 * then sorted and put into their trees in order (store_defer_flush).
 * store_write and store_close (store.c) call here, so this file is below
 * store.c, beside the index callbacks it calls (store-index.c).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <db.h>

#include "store.h"
#include "store-int.h"
#include "xmalloc.h"

/*
 * The indexes a load fills sorted: their keys come in no order. A load
 * writes in key order, which is nearly seq order, and has no outbox: those
 * two Berkeley DB keeps as it goes. A bulk load of a new database (crm
 * demo) sorts the words alone: it adds its users through the name index,
 * and the words index is its largest and slowest (a record's words go
 * into a dozen places of the tree).
 */
int
store_sub_deferred(const struct store *st, int sub)
{
	if (st->flags & (STORE_LOADING | STORE_COPYING))
		return sub == STORE_SUB_NAME || sub == STORE_SUB_REF ||
		    sub == STORE_SUB_OWNER || sub == STORE_SUB_WORDS;
	if (st->flags & STORE_BULK)
		return sub == STORE_SUB_WORDS;
	return 0;
}

/* Whether a write gathers index entries (store_defer_record). */
int
store_defers(const struct store *st)
{
	return (st->flags & (STORE_LOADING | STORE_BULK)) != 0;
}

/* qsort has no argument for the buffer the entries are in. */
static const uint8_t	*store_defer_sorting;
static int
store_defer_cmp(const void *a, const void *b)
{
	const struct store_defer_sort	*sa = a, *sb = b;
	const uint8_t			*x, *y;
	size_t				 xl, yl;
	int				 c;

	if (sa->prefix != sb->prefix)
		return sa->prefix < sb->prefix ? -1 : 1;
	/* The key and then the primary key as Berkeley DB orders them:
	 * bytes, then length. */
	x = store_defer_sorting + sa->off;
	y = store_defer_sorting + sb->off;
	xl = (size_t)x[3] << 8 | x[4];
	yl = (size_t)y[3] << 8 | y[4];
	if ((c = memcmp(x + 5, y + 5, xl < yl ? xl : yl)) != 0)
		return c;
	if (xl != yl)
		return xl < yl ? -1 : 1;
	return memcmp(x + 5 + xl, y + 5 + yl, RECORD_ID_SIZE);
}

/* Put the gathered index entries of a load into their trees, sorted. */
int
store_defer_flush(struct store *st)
{
	struct store_defer	*d = &st->defer;
	struct store_file	*f;
	const uint8_t		*e;
	DBT			 key, data;
	size_t			 i, j, klen;
	int			 ret = 0;

	if (d->n == 0)
		return 0;
	store_defer_sorting = d->buf;
	qsort(d->sort, d->n, sizeof *d->sort, store_defer_cmp);
	store_defer_sorting = NULL;
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	for (i = 0; i < d->n && ret == 0; i++) {
		e = d->buf + d->sort[i].off;
		j = (size_t)e[0] << 8 | e[1];
		f = j == st->nfiles ? &st->conflicts : &st->files[j];
		klen = (size_t)e[3] << 8 | e[4];
		key.data = (void *)(e + 5);
		key.size = (u_int32_t)klen;
		data.data = (void *)(e + 5 + klen);
		data.size = RECORD_ID_SIZE;
		ret = f->sub[e[2]]->put(f->sub[e[2]], NULL, &key, &data, 0);
		if (ret != 0)
			store_dberr(st, f->schema->file, ret);
	}
	d->len = 0;
	d->n = 0;
	return ret == 0 ? 0 : -1;
}

static void
store_defer_add(struct store *st, struct store_file *f, int sub,
    const DBT *k, const uint8_t *pkey)
{
	struct store_defer	*d = &st->defer;
	uint8_t			*e;
	uint64_t		 p;
	size_t			 i, need = 5 + k->size + RECORD_ID_SIZE;

	if (d->len + need > d->cap) {
		/*
		 * Room for a full batch and the entry that ends it. A batch
		 * ends only after a whole record's entries, so it may run
		 * past the mark by several: the buffer must never shrink.
		 */
		d->cap = STORE_LOAD_DEFER_MB * 1024 * 1024 + need;
		if (d->cap < d->len + need)
			d->cap = d->len + need;
		d->buf = xreallocarray(d->buf, d->cap, 1);
	}
	if (d->n == d->nsort) {
		d->nsort = d->nsort == 0 ? 4096 : d->nsort * 2;
		d->sort = xreallocarray(d->sort, d->nsort, sizeof *d->sort);
	}
	e = d->buf + d->len;
	e[0] = (uint8_t)(f->index >> 8);
	e[1] = (uint8_t)f->index;
	e[2] = (uint8_t)sub;
	e[3] = (uint8_t)(k->size >> 8);
	e[4] = (uint8_t)k->size;
	memcpy(e + 5, k->data, k->size);
	memcpy(e + 5 + k->size, pkey, RECORD_ID_SIZE);
	p = (uint64_t)e[1] << 56 | (uint64_t)e[2] << 48;
	for (i = 0; i < 6 && i < k->size; i++)
		p |= (uint64_t)e[5 + i] << (40 - 8 * i);
	d->sort[d->n].prefix = p;
	d->sort[d->n].off = (uint32_t)d->len;
	d->n++;
	d->len += need;
}

/*
 * A load's record was written to its primary alone: gather its index
 * entries, through the same functions Berkeley DB would call. A load
 * writes each record once, so there are no old entries to take out.
 */
int
store_defer_record(struct store *st, struct store_file *f, const DBT *key,
    const DBT *data)
{
	DBT	 result, *keys, pkey;
	u_int32_t n, j;
	int	 i, ret, err = 0;

	st->vocab_stale = 1;
	for (i = 0; i < STORE_NSUB; i++) {
		if (!store_sub_deferred(st, i))
			continue;
		memset(&result, 0, sizeof result);
		ret = store_sub_callbacks[i](f->sub[i], key, data, &result);
		if (ret == DB_DONOTINDEX)
			continue;
		if (ret != 0)
			return store_dberr(st, f->schema->file, ret);
		if (result.flags & DB_DBT_MULTIPLE) {
			keys = result.data;
			n = result.size;
		} else {
			keys = &result;
			n = 1;
		}
		for (j = 0; j < n; j++) {
			/*
			 * An entry holds its key's length in two bytes: a
			 * longer key (an owner can be any text) goes into its
			 * index at once.
			 */
			if (keys[j].size <= 0xffff)
				store_defer_add(st, f, i, &keys[j], key->data);
			else if (err == 0) {
				pkey = *key;
				err = f->sub[i]->put(f->sub[i], NULL, &keys[j],
				    &pkey, 0);
				if (err != 0)
					store_dberr(st, f->schema->file, err);
			}
			if (keys[j].flags & DB_DBT_APPMALLOC)
				free(keys[j].data);
		}
		if (keys != &result && (result.flags & DB_DBT_APPMALLOC))
			free(keys);
		if (err != 0)
			return -1;
	}
	if (st->defer.len >= STORE_LOAD_DEFER_MB * 1024 * 1024)
		return store_defer_flush(st);
	return 0;
}
