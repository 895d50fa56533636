/*
 * cli-list: a list in the order of an index (names, most often), read in
 * the records' order.
 *
 * In the index's order the records lie on the file's pages at random:
 * once the file outgrew the cache, each page was read again for nearly
 * every record on it (list contact of the demo's million records: 240,000
 * pages read for 11,561 pages of contacts; encrypted, each decrypted
 * again, 4.2 times the plain time). So the IDs are walked by the index's
 * keys alone, the records read in ID order, which reads each page once,
 * each written as its row, and the rows written out in the index's
 * order.
 *
 * The first CLI_LIST_FIRST rows are done so in memory, for a first
 * screenful (list | head). Then up to CLI_LIST_BATCH IDs are walked at a
 * time. If their rows fit in CLI_LIST_WINDOW bytes of memory, they are
 * done the same way. If not, every record of the batch is still read in
 * one pass in ID order, and each row is set aside by its place in the
 * index's order in a bucket of a temporary file (spill.h: unnamed, and
 * encrypted under a key of this process alone); each bucket, of about
 * CLI_LIST_WINDOW bytes, is then read back and written out in order. One
 * pass reads each page once where a window at a time read it once a
 * window (list contact of the demo: about 14,000 pages read instead of
 * 37,000). If no temporary file can be made or written (a full disk), or
 * the rows came out so much longer than those before that a bucket holds
 * more than four windows' worth (too much to read back whole), what is
 * left of the batch goes a window at a time in memory, as it would
 * without one: slower, the same rows.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "model.h"
#include "spill.h"
#include "store.h"
#include "xmalloc.h"

#define CLI_LIST_FIRST	1024
#define CLI_LIST_WINDOW	(16 * 1024 * 1024)
#define CLI_LIST_BATCH	(512 * 1024)	/* IDs of a pass: 10 MB of them */

struct cli_list_entry {
	struct record_id	id;
	uint32_t		pos;	/* in the index's order */
};

/* What a list writes, and how it reads. */
struct cli_list {
	struct store_txn	*t;
	int			 type;
	struct cli_filter	*fl;
	const char *const	*fields;
	size_t			 nfields;
	FILE			*mem;	/* rows made in memory */
	char			*buf;
	size_t			 size;
	size_t			 row_bytes;	/* a row, as seen so far */
	uint32_t		*off, *len;	/* by place, in memory */
	size_t			 cap;
};

static int
cli_list_by_id(const void *a, const void *b)
{
	const struct cli_list_entry	*x = a, *y = b;

	return memcmp(x->id.b, y->id.b, RECORD_ID_SIZE);
}

static int
cli_list_by_pos(const void *a, const void *b)
{
	const struct cli_list_entry	*x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * The bytes of rows a window holds: CLI_LIST_WINDOW, or in a test build
 * CRM_FAULT_LIST_WINDOW, so that a test's few thousand rows take the
 * ways a million take.
 */
static size_t
cli_list_window_bytes(void)
{
#ifdef CRM_FAULT_INJECTION
	const char	*env = getenv("CRM_FAULT_LIST_WINDOW");

	if (env != NULL && strtoul(env, NULL, 10) > 0)
		return strtoul(env, NULL, 10);
#endif
	return CLI_LIST_WINDOW;
}

/* Rows of about the size seen so far that a window holds. */
static size_t
cli_list_window_rows(const struct cli_list *l)
{
	size_t	rows, least;

	rows = cli_list_window_bytes() / (l->row_bytes +
	    sizeof (struct cli_list_entry) + 2 * sizeof (uint32_t) + 1);
	least = cli_list_window_bytes() == CLI_LIST_WINDOW ? CLI_LIST_FIRST :
	    1;
	return rows < least ? least : rows;
}

/*
 * Record E's row into L's memory (from its start); 0 with none (gone,
 * deleted, or not matching), 1 with one, -1 (error set) when the store
 * failed.
 */
static int
cli_list_row(struct cli_list *l, const struct cli_list_entry *e)
{
	struct record	*r;
	int		 ret, made = 0;

	/* Not there (a damaged index): skipped, as before. */
	if ((ret = store_get(l->t, (size_t)l->type, &e->id, &r)) ==
	    STORE_NOTFOUND)
		return 0;
	if (ret != 0)
		return -1;
	if (!(r->flags & RECORD_DELETED) && cli_filter_match(l->fl, r)) {
		cli_put_row(l->mem, r, l->fields, l->nfields);
		made = 1;
	}
	record_free(r);
	return made;
}

/*
 * The N entries at E, whose places are BASE on, in memory: their records
 * in ID order, their rows in the order of their places.
 */
static int
cli_list_memory(struct cli_list *l, struct cli_list_entry *e, size_t n,
    uint32_t base)
{
	size_t	i, k;
	off_t	at;
	int	made;

	if (n > l->cap) {
		l->cap = n;
		l->off = xreallocarray(l->off, n, sizeof *l->off);
		l->len = xreallocarray(l->len, n, sizeof *l->len);
	}
	qsort(e, n, sizeof *e, cli_list_by_id);
	if (fseeko(l->mem, 0, SEEK_SET) != 0)
		fatal("cli: cannot rewind a list's rows in memory");
	for (i = 0; i < n; i++) {
		k = e[i].pos - base;
		l->len[k] = 0;
		at = ftello(l->mem);
		if ((made = cli_list_row(l, &e[i])) == -1)
			return -1;
		if (made) {
			l->off[k] = (uint32_t)at;
			l->len[k] = (uint32_t)(ftello(l->mem) - at);
		}
	}
	at = ftello(l->mem);
	if (fflush(l->mem) != 0)
		fatal("cli: cannot write a list's rows into memory");
	for (k = 0; k < n; k++) {
		if (l->len[k] != 0)
			fwrite(l->buf + l->off[k], 1, l->len[k], stdout);
	}
	if (n > 0)
		l->row_bytes = (size_t)at / n;
	return 0;
}

/*
 * The N entries at E in one pass, through a temporary file of NB buckets
 * (above). 0 when every row is written; -1 (error set) when the store
 * failed; -2 when the temporary file failed, with *DONE the places whose
 * rows are written (a bucket's at a time), the entries left in ID order.
 */
static int
cli_list_spilled(struct cli_list *l, struct cli_list_entry *e, size_t n,
    size_t nb, size_t *done)
{
	struct spill	*sp;
	size_t		 per = (n + nb - 1) / nb, i, k, count, at, size, chunk;
	uint32_t	*where = NULL, tag, len;
	uint64_t	 bytes = 0;
	size_t		*fill;
	const char	*data;
	char		*buf;
	int		 made, ret = 0;

	*done = 0;
	/* A bucket's buffer: a sixteenth of a window, at most 64 KB. */
	chunk = cli_list_window_bytes() / 16;
	if ((sp = spill_new(nb, chunk < 65536 ? chunk : 65536)) == NULL)
		return -2;
	qsort(e, n, sizeof *e, cli_list_by_id);
	fill = xcalloc(nb, sizeof *fill);
	for (i = 0; i < n && ret == 0; i++) {
		if (fseeko(l->mem, 0, SEEK_SET) != 0)
			fatal("cli: cannot rewind a list's rows in memory");
		if ((made = cli_list_row(l, &e[i])) == -1)
			ret = -1;
		else if (made) {
			if (fflush(l->mem) != 0)
				fatal("cli: cannot write a list's row into "
				    "memory");
			len = (uint32_t)ftello(l->mem);
			bytes += len;
			fill[e[i].pos / per] += len;
			if (spill_put(sp, e[i].pos / per, e[i].pos, l->buf,
			    len) != 0)
				ret = -2;
		}
	}
	if (n > 0)
		l->row_bytes = (size_t)(bytes / n);
	/*
	 * The buckets were cut by the size of the rows seen before; rows
	 * much longer than those would make a bucket too big to read back
	 * whole: then the batch goes a window at a time, by the size seen
	 * now.
	 */
	for (k = 0; k < nb && ret == 0; k++) {
		if (fill[k] > 4 * cli_list_window_bytes())
			ret = -2;
	}
	where = xreallocarray(NULL, per, sizeof *where);
	for (k = 0; k < nb && ret == 0; k++) {
		if (spill_read(sp, k, &buf, &size) != 0) {
			ret = -2;
			break;
		}
		/* The places of bucket k: per of them, the last fewer. */
		count = k * per >= n ? 0 : n - k * per < per ? n - k * per :
		    per;
		memset(where, 0, count * sizeof *where);
		for (at = 0;;) {
			i = at;
			if ((made = spill_next(buf, size, &at, &tag, &data,
			    &len)) != 1)
				break;
			if (tag < k * per || tag - k * per >= count) {
				made = -1;
				break;
			}
			where[tag - k * per] = (uint32_t)i + 1;
		}
		if (made == -1) {
			free(buf);
			ret = -2;
			break;
		}
		for (i = 0; i < count; i++) {
			if (where[i] == 0)
				continue;
			at = where[i] - 1;
			spill_next(buf, size, &at, &tag, &data, &len);
			fwrite(data, 1, len, stdout);
		}
		free(buf);
		*done = (k + 1) * per;
	}
	free(where);
	free(fill);
	spill_free(sp);
	return ret;
}

/*
 * List the records of cursor C (an index's, walked by its keys alone),
 * those matching FL, as rows of FIELDS, in the index's order.
 */
int
cli_list_window(struct store_txn *t, int type, struct store_cursor *c,
    struct cli_filter *fl, char **fields, size_t nfields)
{
	struct cli_list		 l;
	struct cli_list_entry	*e = NULL;
	size_t			 cap = 0, n, want = CLI_LIST_FIRST, nb, done;
	size_t			 rows, k, m;
	int			 ret = 0, end = 0;

	if (store_cursor_keys(c) != 0)
		return -1;
	memset(&l, 0, sizeof l);
	l.t = t;
	l.type = type;
	l.fl = fl;
	l.fields = (const char *const *)fields;
	l.nfields = nfields;
	/*
	 * One buffer for every window, written again from its start: a
	 * buffer freed and made again for each would leave the heap
	 * holding both at once (measured: 66 MB at the peak, against 50).
	 */
	if ((l.mem = open_memstream(&l.buf, &l.size)) == NULL)
		fatal("cli: open_memstream failed");
	while (!end && ret == 0) {
		for (n = 0; n < want; n++) {
			if (n == cap) {
				cap = cap ? cap * 2 : want;
				e = xreallocarray(e, cap, sizeof *e);
			}
			if ((ret = store_cursor_next_id(c, &e[n].id)) != 0)
				break;
			e[n].pos = (uint32_t)n;
		}
		if (ret == STORE_NOTFOUND) {
			end = 1;
			ret = 0;
		}
		if (ret != 0 || n == 0)
			break;
		rows = cli_list_window_rows(&l);
		if (want == CLI_LIST_FIRST || n <= rows) {
			ret = cli_list_memory(&l, e, n, 0);
			want = CLI_LIST_BATCH;
			continue;
		}
		nb = (n + rows - 1) / rows;
		if ((ret = cli_list_spilled(&l, e, n, nb, &done)) != -2)
			continue;
		/*
		 * No temporary file, or rows too long for its buckets: the
		 * rest a window at a time, each by the size of the last.
		 */
		error_clear();
		ret = 0;
		qsort(e, n, sizeof *e, cli_list_by_pos);
		for (k = done; k < n && ret == 0; k += m) {
			rows = cli_list_window_rows(&l);
			m = n - k < rows ? n - k : rows;
			ret = cli_list_memory(&l, e + k, m, (uint32_t)k);
		}
	}
	fclose(l.mem);
	free(l.buf);
	free(l.off);
	free(l.len);
	free(e);
	return ret;
}
