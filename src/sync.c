/*
 * sync: the local's half of a sync (include/sync.h).
 *
 * It sends its outbox, file by file, without waiting; applies what comes
 * back as it comes, in short transactions of its own so that the screens
 * working beside it are never kept waiting long; keeps its conflict log;
 * and removes what left the user's scope, with what hangs from it (S16).
 * Nothing here decides a rule: the master's half does. What the local
 * decides is only what to do with what it is told, and it never lets a
 * change made here while the sync ran be overwritten.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "conflict.h"
#include "document.h"
#include "error.h"
#include "file.h"
#include "model.h"
#include "rights.h"
#include "store.h"
#include "sync.h"
#include "user.h"
#include "wire.h"
#include "xmalloc.h"

#define SL_BATCH	500	/* local writes per transaction */
#define SL_PROGRAM	"crm " PACKAGE_VERSION

enum sl_state {
	SL_HELLO,	/* HELLO to send */
	SL_SEND,	/* sending the outbox */
	SL_WAIT,	/* waiting for READY */
	SL_COMMIT,	/* READY came: NEEDs and COMMIT to send */
	SL_COMMITTING,	/* waiting for COMMITTED */
	SL_DONE
};

/* A record sent up in this round. */
struct sl_up {
	int			 type;
	struct record_id	 id;
	uint64_t		 modified;	/* as it was when read */
	struct record		*hold;		/* taken: hold this once committed */
};

/* A file wanted from the master. */
struct sl_need {
	int			 type;
	struct record_id	 id;
	char			 hash[FILE_HASH_TEXT + 1];
};

struct sl_known {
	struct record_id	 id;
	uint64_t		 since;
	int			 type;
};

struct sync_local {
	struct sync_local_conf	 conf;
	enum sync_mode		 mode;
	enum sl_state		 state;
	int			 failed;
	int			 code;		/* of an ERROR frame */
	char			*err;

	/* Where the local stands. */
	char			*master_id;
	uint64_t		 last_seq, last_stamp, last_time, lclock;

	/* What the master said in HELLO. */
	int			 hello;
	uint64_t		 master_ms;
	struct user		 user;
	int			 have_user;
	char			*master_name;
	struct record		*user_rec;
	unsigned long		 totals[MODEL_NTYPES];

	/* Sending. */
	int			 file;
	struct record_id	*ids;
	size_t			 nids, iid;
	int			 have_ids;
	unsigned long		 round_sent;
	int			 final;
	struct document_in	*send_in;	/* content going up, or NULL */
	struct wire_frame	*q;
	size_t			 qhead, qn, qcap;

	/* The round's records sent up, in order; verdicts come in order. */
	struct sl_up		*ups;
	size_t			 nups, iverdict;

	/* Writing. */
	struct store		*st;		/* the local, or the load */
	struct store		*load;
	struct store_txn	*lt;
	unsigned long		 inlt;
	int			 loaded;

	/* Files. */
	struct sl_need		*need;
	size_t			 nneed;
	struct document_out	*recv_out;	/* content coming, or NULL */
	char			*recv_tmp;
	struct sl_need		 recv;

	/* A load: what the local held already (seq 1 once it came). */
	struct record		**here;
	int			*here_type;
	size_t			 nhere;
	struct record_id	 range_lo, range_hi;

	/*
	 * A first sync by the pass (never synced, but holding what a cut
	 * one brought): the IDs the feed brought of the file under way; the
	 * rest it held is out of scope or gone.
	 */
	struct record_id	*seen;
	size_t			 nseen;

	/*
	 * The records this sync sent up or wrote, with the stamp each had
	 * then: an edit made here while the sync ran is what came after it
	 * (sl_restamp).
	 */
	struct sl_known		*known;
	size_t			 nknown, knowncap;

	/* Verify. */
	long			 diffs;
	struct store_cursor	*vc;
	struct record		*vnext;
	int			 vfile;

	struct sync_report	 rep;
	struct sync_progress	 prog;
	unsigned long		 done_in_file;
	unsigned long		 turns;		/* waits on the master */
	unsigned long		 left;		/* LEFT frames */
};

/* ---------------------------------------------------------------------
 * Fault injection, counts, reports.
 */

static unsigned long	sync_fault_at;
static const char	*sync_pause_dir;
static unsigned long	sync_writes;

void
sync_fault_tick(void)
{
	if (sync_fault_at != 0 && ++sync_writes == sync_fault_at)
		_exit(99);
}

void
sync_fault_set(unsigned long n)
{
	sync_fault_at = n;
	sync_writes = 0;
	/* The switch to a first sync's load counts too. */
	store_load_fault(n != 0 ? sync_fault_tick : NULL);
}

void
sync_pause_set(const char *dir)
{
	sync_pause_dir = dir;
}

/* Test builds: wait at DIR/paused until DIR/go is there. */
static void
sync_pause(void)
{
	char	*paused, *go;
	int	 fd;

	if (sync_pause_dir == NULL)
		return;
	xasprintf(&paused, "%s/paused", sync_pause_dir);
	xasprintf(&go, "%s/go", sync_pause_dir);
	if ((fd = open(paused, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) != -1) {
		close(fd);
		while (access(go, F_OK) != 0)
			usleep(10000);
	}
	free(go);
	free(paused);
	sync_pause_dir = NULL;
}

const struct sync_count_info sync_count_info[SYNC_NCOUNTS] = {
#define SYNC_COUNT_INFO(f, c, w, l, b, n) { c, w, l, b, n },
	SYNC_COUNTS(SYNC_COUNT_INFO)
#undef SYNC_COUNT_INFO
};

unsigned long *
sync_count_at(struct sync_counts *c, int i)
{
	unsigned long	*all[SYNC_NCOUNTS] = {
#define SYNC_COUNT_ADDRESS(f, cl, w, l, b, n) &c->f,
		SYNC_COUNTS(SYNC_COUNT_ADDRESS)
#undef SYNC_COUNT_ADDRESS
	};

	if (i < 0 || i >= SYNC_NCOUNTS)
		fatal("sync: no count %d", i);
	return all[i];
}

unsigned long
sync_count(const struct sync_counts *c, int i)
{
	switch (i) {
#define SYNC_COUNT_CASE(f, cl, w, l, b, n) case SYNC_COUNT_##f: return c->f;
	SYNC_COUNTS(SYNC_COUNT_CASE)
#undef SYNC_COUNT_CASE
	}
	fatal("sync: no count %d", i);
}

void
sync_report_total(struct sync_report *rep)
{
	int	f, i;

	memset(&rep->total, 0, sizeof rep->total);
	for (f = 0; f < MODEL_NTYPES; f++) {
		for (i = 0; i < SYNC_NCOUNTS; i++)
			*sync_count_at(&rep->total, i) +=
			    *sync_count_at(&rep->file[f], i);
	}
}

static void
sl_note(struct sync_local *sl, const char *note)
{
	if (sl->rep.nnotes < SYNC_NOTES)
		snprintf(sl->rep.notes[sl->rep.nnotes], SYNC_NOTE_MAX, "%s",
		    note);
	sl->rep.nnotes++;
}

/* Stop with the error set; what was applied and not saved is dropped. */
static int
sl_fail(struct sync_local *sl)
{
	if (!sl->failed) {
		sl->failed = 1;
		free(sl->err);
		sl->err = xstrdup(error_get());
	}
	sl->state = SL_DONE;
	return -1;
}

/* ---------------------------------------------------------------------
 * Progress.
 */

static void
sl_tell(struct sync_local *sl, int type)
{
	struct sync_progress	*p = &sl->prog;

	if (sl->conf.progress == NULL || sl->mode == SYNC_MODE_LOAD)
		return;
	if (type != p->type) {
		p->type = type;
		p->total = sl->totals[type];
		sl->done_in_file = 0;
	}
	sl->done_in_file++;
	p->done = sl->done_in_file < p->total ? sl->done_in_file : p->total;
	p->records = sl->done_in_file;
	p->rep = &sl->rep;
	sl->conf.progress(sl->conf.arg, p);
}

/* Count each file's outbox here, for the progress bars (B4). */
static int
sl_count_outbox(struct sync_local *sl)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	int			 type, ret = 0;

	if (store_begin_read(sl->conf.local, &t) != 0)
		return -1;
	for (type = 0; type < MODEL_NTYPES && ret != -1; type++) {
		if (store_cursor_open(t, (size_t)type, STORE_BY_OUTBOX, 0,
		    &c) != 0) {
			ret = -1;
			break;
		}
		while ((ret = store_cursor_next(c, &r)) == 0) {
			sl->totals[type]++;
			record_free(r);
		}
		store_cursor_close(c);
	}
	store_abort(t);
	return ret == -1 ? -1 : 0;
}

/* ---------------------------------------------------------------------
 * Local writes.
 */

/*
 * The transaction the local's half reads and writes in. It reads only
 * committed data, so that it holds the locks of what it wrote and no
 * more while it waits on the network beside the screens.
 */
static int
sl_txn(struct sync_local *sl, struct store_txn **t)
{
	if (sl->lt == NULL && store_begin_read(sl->st, &sl->lt) != 0)
		return -1;
	*t = sl->lt;
	return 0;
}

/* Save what was applied (not in a dry run: that is rolled back whole). */
static int
sl_flush(struct sync_local *sl)
{
	int	ret;

	if (sl->lt == NULL || sl->mode == SYNC_MODE_DRY ||
	    sl->mode == SYNC_MODE_VERIFY)
		return 0;
	sync_fault_tick();
	ret = store_commit(sl->lt);
	sl->lt = NULL;
	sl->inlt = 0;
	return ret;
}

/* One more write: a long run of them is saved now and then. */
static int
sl_wrote(struct sync_local *sl)
{
	if (++sl->inlt < SL_BATCH || sl->mode == SYNC_MODE_DRY)
		return 0;
	if (sl_flush(sl) != 0)
		return -1;
	/* A first sync writes much: keep the log small. */
	if (sl->mode != SYNC_MODE_LOAD && store_checkpoint(sl->st) != 0)
		return -1;
	return 0;
}

/* Remember that this sync knew record id as it was at stamp since. */
static void
sl_known(struct sync_local *sl, int type, const struct record_id *id,
    uint64_t since)
{
	struct sl_known	*k;

	if (sl->nknown == sl->knowncap) {
		sl->knowncap = sl->knowncap == 0 ? 64 : sl->knowncap * 2;
		sl->known = xreallocarray(sl->known, sl->knowncap,
		    sizeof *sl->known);
	}
	k = &sl->known[sl->nknown++];
	k->type = type;
	k->id = *id;
	k->since = since;
}

static int
sl_known_cmp(const void *a, const void *b)
{
	const struct sl_known	*ka = a, *kb = b;
	int			 c;

	if (ka->type != kb->type)
		return ka->type < kb->type ? -1 : 1;
	if ((c = record_id_cmp(&ka->id, &kb->id)) != 0)
		return c;
	if (ka->since != kb->since)
		return ka->since < kb->since ? -1 : 1;
	return 0;
}

/* The first entry of the sorted known records after key. */
static size_t
sl_known_upper(const struct sync_local *sl, const struct sl_known *key)
{
	size_t	lo = 0, hi = sl->nknown, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sl_known_cmp(&sl->known[mid], key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
sl_put(struct sync_local *sl, int type, struct record *r, int flags)
{
	struct store_txn	*t;

	if (sl_txn(sl, &t) != 0)
		return -1;
	sync_fault_tick();
	if (store_put(t, (size_t)type, r, flags) != 0)
		return -1;
	if (flags & STORE_PUT_SYNCED) {
		/*
		 * An edit made here after this write is stamped after every
		 * stamp it wrote, so that sl_restamp can tell the two apart.
		 */
		store_observe(t, r->modified);
		sl_known(sl, type, &r->id, r->modified);
	}
	return sl_wrote(sl);
}

static char *
sl_file_path(struct sync_local *sl, int type, const struct record_id *id)
{
	char	text[RECORD_ID_TEXT + 1], *path;

	record_id_format(id, text);
	xasprintf(&path, "%s/%s/%s", sl->conf.dir, type == MODEL_DOCUMENT ?
	    "documents" : "templates", text);
	return path;
}

static int
sl_has_file(int type)
{
	return type == MODEL_DOCUMENT || type == MODEL_TEMPLATE;
}

/*
 * Make sure the file of a document or template that came down is here
 * with the content its hash names, else ask for it (S13, S14).
 */
static void
sl_want_file(struct sync_local *sl, int type, const struct record *r)
{
	char		 hex[FILE_HASH_TEXT + 1];
	const char	*want = record_value(r, "hash");
	struct sl_need	*n;
	int		 ok;

	if (!sl_has_file(type) || (r->flags & RECORD_DELETED))
		return;
	/* The plaintext's hash: a damaged sealed file is asked for again. */
	ok = document_hash(sl->conf.dir, type, &r->id, NULL, hex, NULL) == 0 &&
	    (*want == '\0' || strcmp(hex, want) == 0);
	error_clear();
	if (ok)
		return;
	if (sl->mode == SYNC_MODE_DRY) {
		sl->rep.file[type].files++;	/* it would be copied */
		return;
	}
	sl->need = xreallocarray(sl->need, sl->nneed + 1, sizeof *sl->need);
	n = &sl->need[sl->nneed++];
	n->type = type;
	n->id = r->id;
	snprintf(n->hash, sizeof n->hash, "%s", want);
}

static void
sl_unlink_file(struct sync_local *sl, int type, const struct record_id *id)
{
	char	*path;

	if (!sl_has_file(type) || sl->mode == SYNC_MODE_DRY)
		return;
	path = sl_file_path(sl, type, id);
	unlink(path);
	free(path);
}

/* Log every field of a local record that changed since the last sync. */
static int
sl_log_local(struct sync_local *sl, struct store_txn *t, int type,
    const struct record *l, const char *why)
{
	size_t	i;
	int	logged = 0;

	for (i = 0; i < l->nfields; i++) {
		if (l->fields[i].stamp <= sl->last_stamp)
			continue;
		if (conflict_log(t, type, l, l->fields[i].name, NULL,
		    l->fields[i].value, l->modified_by, l->fields[i].stamp,
		    why) != 0)
			return -1;
		logged++;
	}
	if (logged == 0 && (l->flags & RECORD_DELETED))
		return conflict_log(t, type, l, "*", "", "deleted",
		    l->modified_by, l->modified, why);
	return 0;
}

/*
 * Remove a record that left the user's scope, and what hangs from it that
 * is out of scope too (S16), judged on what this local holds: once the
 * record is gone, a note of its company stays only if its contact is
 * still here. Edits made here that can no longer go up are logged. The
 * writes are counted but not saved on the way: a cursor is open.
 */
static int
sl_remove_tree(struct sync_local *sl, struct store_txn *t, int type,
    const struct record *r, int depth, const char *why)
{
	struct store_cursor	*c;
	struct record		*d;
	int			 i, ret, in;

	sync_fault_tick();
	if (store_remove(t, (size_t)type, &r->id) == -1)
		return -1;
	sl_unlink_file(sl, type, &r->id);
	sl->rep.file[type].removed++;
	sl->inlt++;
	if (depth > 4)
		return 0;
	for (i = 0; i < MODEL_NTYPES; i++) {
		if (store_cursor_open(t, (size_t)i, STORE_BY_REF, 0, &c) != 0)
			return -1;
		store_cursor_seek(c, r->id.b, RECORD_ID_SIZE, 1);
		while ((ret = store_cursor_next(c, &d)) == 0) {
			in = rights_in_scope(t, &sl->user, i, d);
			if (in == 0) {
				if ((d->flags & RECORD_DIRTY) &&
				    sl_log_local(sl, t, i, d, why) != 0)
					in = -1;
				else if (sl_remove_tree(sl, t, i, d, depth + 1,
				    why) != 0)
					in = -1;
			}
			record_free(d);
			if (in == -1) {
				store_cursor_close(c);
				return -1;
			}
		}
		store_cursor_close(c);
		if (ret == -1)
			return -1;
	}
	return 0;
}

/*
 * A record that left the scope: remove it here, if it is here. log_self:
 * its own edits are logged here (the master did not log them).
 */
static int
sl_remove(struct sync_local *sl, int type, const struct record_id *id,
    const char *why, int log_self)
{
	struct store_txn	*t;
	struct record		*l;
	int			 ret;

	if (sl_txn(sl, &t) != 0)
		return -1;
	if ((ret = store_get(t, (size_t)type, id, &l)) == STORE_NOTFOUND)
		return 0;
	if (ret != 0)
		return -1;
	ret = 0;
	if (log_self && (l->flags & RECORD_DIRTY) && sl_log_local(sl, t,
	    type, l, why) != 0)
		ret = -1;
	if (ret == 0)
		ret = sl_remove_tree(sl, t, type, l, 0, why);
	record_free(l);
	if (ret == 0)
		ret = sl_wrote(sl);
	return ret;
}

/* ---------------------------------------------------------------------
 * Frames to the master.
 */

static void
sl_push(struct sync_local *sl, int type, struct wire_out *o)
{
	if (sl->qhead > 0 && sl->qhead == sl->qn)
		sl->qhead = sl->qn = 0;
	if (sl->qn == sl->qcap) {
		sl->qcap = sl->qcap == 0 ? 16 : sl->qcap * 2;
		sl->q = xreallocarray(sl->q, sl->qcap, sizeof *sl->q);
	}
	wire_frame_take(&sl->q[sl->qn++], type, o);
}

static void
sl_hello(struct sync_local *sl)
{
	struct wire_out	o = { 0 };

	wire_uint(&o, (uint64_t)sl->mode);
	wire_str(&o, sl->conf.login);
	wire_str(&o, sl->conf.password != NULL ? sl->conf.password : "");
	wire_str(&o, sl->master_id != NULL ? sl->master_id : "");
	wire_uint(&o, sl->last_seq);
	wire_uint(&o, sl->last_stamp);
	wire_uint(&o, sl->last_time);
	wire_uint(&o, sl->lclock);
	wire_uint(&o, (uint64_t)(sl->conf.wait_seconds < 0 ? 0 :
	    sl->conf.wait_seconds > 86400 ? 86400 : sl->conf.wait_seconds));
	wire_uint(&o, sl->conf.progress != NULL ? 1 : 0);
	wire_uint(&o, MODEL_FIELDS_VERSION);
	wire_str(&o, SL_PROGRAM);
	sl_push(sl, WIRE_L_HELLO, &o);
}

static int
sl_id_cmp(const void *a, const void *b)
{
	return record_id_cmp(a, b);
}

/* The IDs in a file's outbox, sorted. */
static int
sl_outbox(struct sync_local *sl, int type)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	size_t			 cap = 0;
	int			 ret;

	free(sl->ids);
	sl->ids = NULL;
	sl->nids = sl->iid = 0;
	sl->have_ids = 1;
	/*
	 * Read in the transaction that writes: one thread must never wait
	 * on itself (a dry run reads what it would have changed so far).
	 */
	if (sl_txn(sl, &t) != 0 ||
	    store_cursor_open(t, (size_t)type, STORE_BY_OUTBOX, 0, &c) != 0)
		return -1;
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (sl->nids == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			sl->ids = xreallocarray(sl->ids, cap, sizeof *sl->ids);
		}
		sl->ids[sl->nids++] = r->id;
		record_free(r);
	}
	store_cursor_close(c);
	if (ret == -1)
		return -1;
	if (sl->nids > 0)
		qsort(sl->ids, sl->nids, sizeof *sl->ids, sl_id_cmp);
	return 0;
}

/*
 * Whether the content of a document or template goes up with it: the
 * content changed here since the last sync (its hash did), this local
 * never synced, or the record has no hash to say. Else the master has it
 * from an earlier sync.
 */
static int
sl_content_goes(const struct sync_local *sl, int type,
    const struct record *r)
{
	const struct field	*h;

	if (!sl_has_file(type) || (r->flags & RECORD_DELETED))
		return 0;
	/* No hash yet (an older record): the master hashes what comes. */
	h = record_field(r, "hash");
	return h == NULL || *h->value == '\0' || h->stamp > sl->last_stamp ||
	    sl->last_seq == 0;
}

/* The next record of the outbox, sent up, with its content if it goes. */
static int
sl_send_record(struct sync_local *sl)
{
	struct wire_out	 o = { 0 };
	struct store_txn *t;
	struct record	*r;
	struct sl_up	*u;
	char		 hex[FILE_HASH_TEXT + 1], note[SYNC_NOTE_MAX];
	char		 id[RECORD_ID_TEXT + 1];
	int		 ret, content = 0;

	for (;;) {
		if (sl->iid == sl->nids)
			return 0;
		if (sl_txn(sl, &t) != 0)
			return -1;
		ret = store_get(t, (size_t)sl->file, &sl->ids[sl->iid++], &r);
		if (ret == -1)
			return -1;
		if (ret == 0)
			break;
	}
	if (sl_content_goes(sl, sl->file, r)) {
		/*
		 * Never a link: the content is the local's own file (T7),
		 * unsealed on its way up. It is checked whole first: a
		 * damaged file does not go (the master keeps its own, or
		 * refuses a record that names content it does not have),
		 * and the report names it.
		 */
		ret = document_hash(sl->conf.dir, sl->file, &r->id,
		    record_value(r, "filename"), hex, NULL);
		if (ret == DOCUMENT_DAMAGED) {
			record_id_format(&r->id, id);
			snprintf(note, sizeof note, "%s %s: %s",
			    model_type(sl->file)->name, id, error_get());
			sl_note(sl, note);
		} else if (ret == 0 && document_in_open(sl->conf.dir, sl->file,
		    &r->id, record_value(r, "filename"), &sl->send_in) != 0)
			sl->send_in = NULL;
		error_clear();
		content = sl->send_in != NULL;
	}
	sl->ups = xreallocarray(sl->ups, sl->nups + 1, sizeof *sl->ups);
	u = &sl->ups[sl->nups++];
	u->type = sl->file;
	u->id = r->id;
	u->modified = r->modified;
	u->hold = NULL;
	sl_known(sl, sl->file, &r->id, r->modified);
	wire_uint(&o, (uint64_t)sl->file);
	wire_record(&o, r);
	wire_uint(&o, (uint64_t)content);
	sl_push(sl, WIRE_L_UP, &o);
	record_free(r);
	sl->round_sent++;
	return 1;
}

/* A piece of the content going up, or its end. */
static int
sl_send_content(struct sync_local *sl)
{
	struct wire_out	o = { 0 };
	ssize_t		n;

	o.p = xmalloc(WIRE_CHUNK);
	o.cap = WIRE_CHUNK;
	if ((n = document_in_read(sl->send_in, o.p, WIRE_CHUNK)) < 0) {
		/* Damaged since it was checked: the sync stops, saying so. */
		explicit_bzero(o.p, WIRE_CHUNK);
		free(o.p);
		return -1;
	}
	if (n > 0) {
		o.len = (size_t)n;
		sl_push(sl, WIRE_DATA, &o);
		return 0;
	}
	free(o.p);
	o.p = NULL;
	o.cap = 0;
	document_in_close(sl->send_in);
	sl->send_in = NULL;
	sl_push(sl, WIRE_DATA_END, &o);
	return 0;
}

/* What to send next while the outbox goes up: queued, or 0 to wait. */
static int
sl_send_step(struct sync_local *sl)
{
	struct wire_out	o = { 0 };
	int		ret;

	if (sl->send_in != NULL)
		return sl_send_content(sl) == 0 ? 1 : -1;
	if (sl->file == MODEL_NTYPES)
		return 0;
	if (!sl->have_ids && sl_outbox(sl, sl->file) != 0)
		return -1;
	if (sl->round_sent == SYNC_ROUND && sl->iid < sl->nids) {
		/* A round is full: let it be decided and committed first. */
		wire_uint(&o, 0);
		sl_push(sl, WIRE_L_ROUND, &o);
		sl->final = 0;
		sl->state = SL_WAIT;
		sl->turns++;
		return 1;
	}
	if ((ret = sl_send_record(sl)) != 0)
		return ret;
	wire_uint(&o, (uint64_t)sl->file);
	sl_push(sl, WIRE_L_END, &o);
	sl->have_ids = 0;
	if (++sl->file == MODEL_NTYPES) {
		wire_uint(&o, 1);
		sl_push(sl, WIRE_L_ROUND, &o);
		sl->final = 1;
		sl->state = SL_WAIT;
		sl->turns++;
	}
	return 1;
}

/* READY came: save what must be kept first, then COMMIT (B5). */
static int
sl_commit_step(struct sync_local *sl)
{
	struct store_txn	*t;
	struct wire_out		 o = { 0 };
	size_t			 i;

	if (sl_flush(sl) != 0)
		return -1;
	if (sl->final && sl->mode != SYNC_MODE_DRY &&
	    sl->mode != SYNC_MODE_VERIFY) {
		sync_pause();
		for (i = 0; i < sl->nneed; i++) {
			wire_uint(&o, (uint64_t)sl->need[i].type);
			wire_id(&o, &sl->need[i].id);
			sl_push(sl, WIRE_L_NEED, &o);
		}
	}
	/* The clock the master observes: the local's now. */
	if (sl->mode == SYNC_MODE_DRY || sl->mode == SYNC_MODE_VERIFY)
		wire_uint(&o, sl->lclock);
	else {
		if (store_begin(sl->st, &t) != 0)
			return -1;
		sl->lclock = store_stamp(t);
		store_abort(t);
		wire_uint(&o, sl->lclock);
	}
	sl_push(sl, WIRE_L_COMMIT, &o);
	sl->state = SL_COMMITTING;
	sl->turns++;
	return 1;
}

int
sync_local_next(struct sync_local *sl, struct wire_frame *f)
{
	int	ret;

	for (;;) {
		if (sl->qhead < sl->qn) {
			*f = sl->q[sl->qhead];
			memset(&sl->q[sl->qhead++], 0, sizeof *f);
			return 1;
		}
		switch (sl->state) {
		case SL_HELLO:
			sl_hello(sl);
			if (sl->mode == SYNC_MODE_INIT ||
			    sl->mode == SYNC_MODE_CHECK ||
			    sl->mode == SYNC_MODE_LOAD ||
			    sl->mode == SYNC_MODE_VERIFY) {
				sl->state = SL_WAIT;
				sl->turns++;
			} else
				sl->state = SL_SEND;
			break;
		case SL_SEND:
			if ((ret = sl_send_step(sl)) == -1)
				return sl_fail(sl);
			if (ret == 0)
				return 0;
			break;
		case SL_COMMIT:
			if (sl_commit_step(sl) == -1)
				return sl_fail(sl);
			break;
		case SL_DONE:
			return sl->failed ? -1 : SYNC_END;
		default:
			return 0;
		}
	}
}

/* ---------------------------------------------------------------------
 * Frames from the master.
 */

static int
sl_bad(struct sync_local *sl, const struct wire_frame *f, const char *what)
{
	error_set("the master sent %s frame %s: the sync stopped; what was "
	    "saved is safe, sync again", wire_type_name(f->type), what);
	return sl_fail(sl);
}

static int
sl_put_hello(struct sync_local *sl, const struct wire_frame *f)
{
	struct wire_in	 in;
	uint64_t	 window, level, stale, upto, ms, n, v;
	uint64_t	 i;

	wire_in_init(&in, f);
	free(sl->master_id);
	sl->master_id = NULL;
	if (wire_get_str(&in, &sl->master_id) != 0 ||
	    wire_get_str(&in, &sl->master_name) != 0 ||
	    wire_get_record(&in, &sl->user_rec) != 0 ||
	    wire_get_uint(&in, &window) != 0 ||
	    wire_get_uint(&in, &level) != 0 ||
	    wire_get_max(&in, 1, &stale) != 0 ||
	    wire_get_uint(&in, &upto) != 0 ||
	    wire_get_uint(&in, &ms) != 0 ||
	    wire_get_max(&in, MODEL_NTYPES, &n) != 0)
		return sl_fail(sl);
	for (i = 0; i < n; i++) {
		if (wire_get_uint(&in, &v) != 0)
			return sl_fail(sl);
		sl->totals[i] += (unsigned long)v;
	}
	if (wire_in_end(&in) != 0)
		return sl_fail(sl);
	if (user_from_record(sl->user_rec, &sl->user) != 0)
		return sl_fail(sl);
	sl->have_user = 1;
	sl->hello = 1;
	sl->master_ms = ms;
	sl->rep.stale = (int)stale;
	for (i = 0; i < MODEL_NTYPES; i++)
		sl->prog.all_total += sl->totals[i];
	if (sl->mode == SYNC_MODE_INIT || sl->mode == SYNC_MODE_CHECK)
		sl->state = SL_DONE;
	return 0;
}

/* A first sync by the pass: the master named this record as in scope. */
static void
sl_saw(struct sync_local *sl, const struct record_id *id)
{
	sl->seen = xreallocarray(sl->seen, sl->nseen + 1, sizeof *sl->seen);
	sl->seen[sl->nseen++] = *id;
}

/* Whether the local's record was changed here since it was sent up. */
static int
sl_changed(struct sync_local *sl, const struct sl_up *u, struct record **l)
{
	struct store_txn	*t;
	int			 ret;

	*l = NULL;
	if (sl_txn(sl, &t) != 0)
		return -1;
	if ((ret = store_get(t, (size_t)u->type, &u->id, l)) == -1)
		return -1;
	if (ret == STORE_NOTFOUND)
		return 1;
	return (*l)->modified != u->modified;
}

static int
sl_put_verdict(struct sync_local *sl, const struct wire_frame *f)
{
	struct wire_in	 in;
	struct record_id id;
	struct record	*r = NULL, *l = NULL;
	struct store_txn *t;
	struct sl_up	*u;
	uint64_t	 type, code, has;
	char		*note = NULL;
	int		 ret = 0;

	wire_in_init(&in, f);
	if (wire_get_max(&in, MODEL_NTYPES - 1, &type) != 0 ||
	    wire_get_id(&in, &id) != 0 ||
	    wire_get_max(&in, SYNC_V_GONE, &code) != 0 ||
	    wire_get_max(&in, 1, &has) != 0 ||
	    (has && wire_get_record(&in, &r) != 0) ||
	    wire_get_str(&in, &note) != 0 || wire_in_end(&in) != 0) {
		record_free(r);
		free(note);
		return sl_fail(sl);
	}
	if (sl->iverdict >= sl->nups || sl->ups[sl->iverdict].type !=
	    (int)type || record_id_cmp(&sl->ups[sl->iverdict].id, &id) != 0 ||
	    ((code == SYNC_V_SENT || code == SYNC_V_BACK) != (r != NULL)) ||
	    (r != NULL && record_id_cmp(&r->id, &id) != 0)) {
		record_free(r);
		free(note);
		return sl_bad(sl, f, "for a record it was not sent, or out of "
		    "order");
	}
	u = &sl->ups[sl->iverdict++];
	/* Progress follows what the master answered, in the file's order. */
	sl_tell(sl, u->type);
	if (*note != '\0')
		sl_note(sl, note);
	free(note);
	if (sl->last_seq == 0 && r != NULL)
		sl_saw(sl, &r->id);
	if (code == SYNC_V_SENT) {
		/* Held once the master has committed it. */
		r->flags &= RECORD_DELETED;
		sl_want_file(sl, u->type, r);
		u->hold = r;
		return 0;
	}
	if ((ret = sl_changed(sl, u, &l)) != 0) {
		/* Changed again meanwhile: it goes up at the next sync. */
		record_free(l);
		record_free(r);
		return ret == -1 ? sl_fail(sl) : 0;
	}
	switch (code) {
	case SYNC_V_NONE:
		if (sl_txn(sl, &t) != 0 || store_outbox_clear(t, u->type,
		    &u->id) == -1)
			ret = -1;
		break;
	case SYNC_V_BACK:
		r->flags &= RECORD_DELETED;
		ret = sl_put(sl, u->type, r, STORE_PUT_SYNCED);
		if ((r->flags & RECORD_DELETED) && sl_has_file(u->type))
			sl_unlink_file(sl, u->type, &u->id);
		else
			sl_want_file(sl, u->type, r);
		break;
	case SYNC_V_GONE:
		ret = sl_remove(sl, u->type, &u->id, "outside your scope: the "
		    "master refused it", 0);
		break;
	}
	record_free(l);
	record_free(r);
	return ret == 0 ? 0 : sl_fail(sl);
}

static int
sl_put_conflict(struct sync_local *sl, const struct wire_frame *f)
{
	struct wire_in	 in;
	struct record	 about;
	struct store_txn *t;
	uint64_t	 type, stamp;
	char		*field = NULL, *kept = NULL, *lost = NULL, *who = NULL;
	char		*why = NULL;
	int		 ret = -1;

	memset(&about, 0, sizeof about);
	wire_in_init(&in, f);
	if (wire_get_max(&in, MODEL_NTYPES - 1, &type) == 0 &&
	    wire_get_id(&in, &about.id) == 0 &&
	    wire_get_str(&in, &field) == 0 && wire_get_str(&in, &kept) == 0 &&
	    wire_get_str(&in, &lost) == 0 && wire_get_str(&in, &who) == 0 &&
	    wire_get_uint(&in, &stamp) == 0 && wire_get_str(&in, &why) == 0 &&
	    wire_in_end(&in) == 0 && sl_txn(sl, &t) == 0) {
		/* A user ID is five characters: longer is cut, not trusted. */
		if (strlen(who) > RECORD_UID_SIZE)
			who[RECORD_UID_SIZE] = '\0';
		sync_fault_tick();
		ret = conflict_log(t, (int)type, &about, field, kept, lost, who,
		    stamp, why);
	}
	free(field);
	free(kept);
	free(lost);
	free(who);
	free(why);
	if (ret == 0)
		ret = sl_wrote(sl);
	return ret == 0 ? 0 : sl_fail(sl);
}

/* Whether a record of type will go up, or went up, in this sync. */
static int
sl_going_up(struct sync_local *sl, int type, const struct record_id *id)
{
	size_t	i;

	if (type > sl->file || (type == sl->file && !sl->have_ids))
		return 1;
	if (type == sl->file && bsearch(id, sl->ids, sl->nids, sizeof *id,
	    sl_id_cmp) != NULL)
		return 1;
	for (i = 0; i < sl->nups; i++) {
		if (sl->ups[i].type == type &&
		    record_id_cmp(&sl->ups[i].id, id) == 0)
			return sl->ups[i].hold == NULL;
	}
	return 0;
}

static unsigned long	sl_id_place(const struct record_id *,
			    const struct record_id *, const struct record_id *);

/* A record of a load: everything comes down as it is, into DIR/load/. */
static int
sl_load_record(struct sync_local *sl, int type, struct record *m)
{
	size_t	i;
	int	here = 0;

	for (i = 0; i < sl->nhere; i++) {
		if (record_id_cmp(&sl->here[i]->id, &m->id) == 0) {
			here = sl->here[i]->modified == m->modified &&
			    (sl->here[i]->flags & RECORD_DELETED) ==
			    (m->flags & RECORD_DELETED);
			/* Seen: not counted as removed at the end. */
			sl->here[i]->seq = 1;
			break;
		}
	}
	/* A deletion: gone from the load, counted if it was here. */
	if (m->flags & RECORD_DELETED) {
		if (i < sl->nhere && !here)
			sl->rep.file[type].deleted++;
		return 0;
	}
	if (sl_put(sl, type, m, STORE_PUT_SYNCED) != 0)
		return -1;
	if (!here)
		sl->rep.file[type].downloaded++;
	sl_want_file(sl, type, m);
	sl->prog.records++;
	sl->prog.done = sl_id_place(&m->id, &sl->range_lo, &sl->range_hi);
	return 0;
}

static int
sl_put_feed(struct sync_local *sl, const struct wire_frame *f)
{
	struct wire_in	 in;
	struct store_txn *t;
	struct record	*m = NULL, *l = NULL;
	const char	*lv;
	uint64_t	 type;
	size_t		 i;
	int		 ret;

	wire_in_init(&in, f);
	if (wire_get_max(&in, MODEL_NTYPES - 1, &type) != 0 ||
	    wire_get_record(&in, &m) != 0 || wire_in_end(&in) != 0) {
		record_free(m);
		return sl_fail(sl);
	}
	m->flags &= RECORD_DELETED;
	if (sl->mode == SYNC_MODE_LOAD) {
		ret = sl_load_record(sl, (int)type, m);
		record_free(m);
		if (ret == 0 && sl->conf.progress != NULL) {
			sl->prog.rep = &sl->rep;
			sl->conf.progress(sl->conf.arg, &sl->prog);
		}
		return ret == 0 ? 0 : sl_fail(sl);
	}
	sl_tell(sl, (int)type);
	if (sl->last_seq == 0)
		sl_saw(sl, &m->id);
	if (sl_txn(sl, &t) != 0 ||
	    (ret = store_get(t, (size_t)type, &m->id, &l)) == -1) {
		record_free(m);
		return sl_fail(sl);
	}
	ret = 0;
	if (l != NULL && (l->flags & RECORD_DIRTY)) {
		/*
		 * Changed here: if it goes up in this sync, the master decides
		 * it then. If it was changed while this sync ran, after its
		 * file went up, it goes up at the next and wins there: the
		 * master's values it will overwrite are logged now (B3).
		 */
		if (!sl_going_up(sl, (int)type, &m->id)) {
			for (i = 0; i < m->nfields && ret == 0; i++) {
				lv = record_get(l, m->fields[i].name);
				if (lv != NULL && strcmp(lv,
				    m->fields[i].value) == 0)
					continue;
				ret = conflict_log(t, (int)type, m,
				    m->fields[i].name, lv, m->fields[i].value,
				    m->modified_by, m->fields[i].stamp, "changed "
				    "on the master while you changed it during "
				    "the sync: your change goes up at the next");
			}
		}
	} else if (l != NULL && l->modified == m->modified &&
	    (l->flags & RECORD_DELETED) == (m->flags & RECORD_DELETED)) {
		/* Here already, as it is there; its file too? */
		sl_want_file(sl, (int)type, m);
	} else if (m->flags & RECORD_DELETED) {
		if (l != NULL) {
			ret = sl_put(sl, (int)type, m, STORE_PUT_SYNCED);
			sl_unlink_file(sl, (int)type, &m->id);
			sl->rep.file[type].deleted++;
		}
	} else {
		ret = sl_put(sl, (int)type, m, STORE_PUT_SYNCED);
		sl->rep.file[type].downloaded++;
		sl_want_file(sl, (int)type, m);
	}
	record_free(l);
	record_free(m);
	return ret == 0 ? 0 : sl_fail(sl);
}

static int
sl_put_left(struct sync_local *sl, const struct wire_frame *f)
{
	struct wire_in		in;
	struct record_id	id;
	uint64_t		type;

	wire_in_init(&in, f);
	if (wire_get_max(&in, MODEL_NTYPES - 1, &type) != 0 ||
	    wire_get_id(&in, &id) != 0 || wire_in_end(&in) != 0)
		return sl_fail(sl);
	sl->left++;
	if (sl->mode == SYNC_MODE_LOAD || sl->mode == SYNC_MODE_VERIFY)
		return 0;
	if (sl_remove(sl, (int)type, &id, "left your scope: its account "
	    "manager changed", 1) != 0)
		return sl_fail(sl);
	return 0;
}

/* ---------------------------------------------------------------------
 * Verify: the master's digests against the local's records, in ID order.
 */

void
sync_digest(struct record *r, uint8_t *digest)
{
	struct sha256_ctx	 sha;
	uint8_t			*buf;
	size_t			 len;

	r->seq = 0;
	r->flags &= ~RECORD_DIRTY;
	record_encode(r, &buf, &len);
	sha256_init(&sha);
	sha256_update(&sha, len, buf);
	sha256_digest(&sha, SYNC_DIGEST, digest);
	free(buf);
}

static void
sl_differs(struct sync_local *sl, int type, const struct record_id *id,
    const char *what)
{
	sl->diffs++;
	if (sl->conf.report != NULL)
		sl->conf.report(sl->conf.arg, type, id, what);
}

/* The local's next record of file type, in ID order (NULL at its end). */
static int
sl_verify_next(struct sync_local *sl, int type)
{
	struct store_txn	*t;
	int			 ret;

	record_free(sl->vnext);
	sl->vnext = NULL;
	if (sl->vc == NULL || sl->vfile != type) {
		store_cursor_close(sl->vc);
		sl->vc = NULL;
		if (sl_txn(sl, &t) != 0 || store_cursor_open(t, (size_t)type,
		    STORE_BY_ID, STORE_CURSOR_DELETED, &sl->vc) != 0)
			return -1;
		sl->vfile = type;
	}
	ret = store_cursor_next(sl->vc, &sl->vnext);
	if (ret == STORE_NOTFOUND)
		sl->vnext = NULL;
	return ret == -1 ? -1 : 0;
}

/* A local record the master did not list: in scope, it should have. */
static void
sl_verify_extra(struct sync_local *sl, int type, const struct record *l)
{
	if (l->flags & RECORD_DIRTY)
		return;		/* new here: it goes up at the next sync */
	if (l->flags & RECORD_DELETED)
		return;
	sl_differs(sl, type, &l->id, "here, but not on the master (deleted "
	    "there, or outside the user's scope)");
}

/* Every local record before id (all of them when id is NULL). */
static int
sl_verify_upto(struct sync_local *sl, int type, const struct record_id *id)
{
	for (;;) {
		if (sl->vnext == NULL && (sl->vc == NULL || sl->vfile != type)) {
			if (sl_verify_next(sl, type) != 0)
				return -1;
		}
		if (sl->vnext == NULL)
			return 0;
		if (id != NULL && record_id_cmp(&sl->vnext->id, id) >= 0)
			return 0;
		sl_verify_extra(sl, type, sl->vnext);
		if (sl_verify_next(sl, type) != 0)
			return -1;
		if (sl->vnext == NULL) {
			/* The end of the file: remember it is done. */
			return 0;
		}
	}
}

static int
sl_put_digest(struct sync_local *sl, const struct wire_frame *f)
{
	struct wire_in		 in;
	struct record_id	 id;
	const uint8_t		*want;
	uint8_t			 got[SYNC_DIGEST];
	uint64_t		 type;
	size_t			 n;
	int			 dirty;

	wire_in_init(&in, f);
	if (wire_get_max(&in, MODEL_NTYPES - 1, &type) != 0 ||
	    wire_get_id(&in, &id) != 0 || wire_get_bytes(&in, &want, &n) != 0 ||
	    wire_in_end(&in) != 0)
		return sl_fail(sl);
	if (n != sizeof got)
		return sl_bad(sl, f, "with a digest of the wrong size");
	if (sl_verify_upto(sl, (int)type, &id) != 0)
		return sl_fail(sl);
	if (sl->vnext == NULL || record_id_cmp(&sl->vnext->id, &id) != 0) {
		sl_differs(sl, (int)type, &id, "missing here");
		return 0;
	}
	dirty = (sl->vnext->flags & RECORD_DIRTY) != 0;
	if (sl->vnext->flags & RECORD_DELETED)
		sl_differs(sl, (int)type, &id, dirty ? "deleted here since "
		    "the last sync" : "deleted here, not on the master");
	else {
		sync_digest(sl->vnext, got);
		if (memcmp(got, want, sizeof got) != 0)
			sl_differs(sl, (int)type, &id, dirty ? "changed here "
			    "since the last sync" : "differs");
	}
	return sl_verify_next(sl, (int)type) == 0 ? 0 : sl_fail(sl);
}

/* ---------------------------------------------------------------------
 * The end of a file, of a round, of the sync.
 */

/*
 * The end of a file in a first sync by the pass: what this local held of
 * it (a cut first sync brought it) and the master did not send is outside
 * the user's scope now, or gone: it goes, as a load leaves it out.
 */
static int
sl_unseen(struct sync_local *sl, int type)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	struct record_id	*drop = NULL;
	size_t			 ndrop = 0, i;
	int			 ret;

	if (sl->nseen > 0)
		qsort(sl->seen, sl->nseen, sizeof *sl->seen, sl_id_cmp);
	if (sl_txn(sl, &t) != 0 ||
	    store_cursor_open(t, (size_t)type, STORE_BY_ID, 0, &c) != 0)
		return -1;
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if ((r->flags & RECORD_DIRTY) == 0 && (sl->nseen == 0 ||
		    bsearch(&r->id, sl->seen, sl->nseen, sizeof r->id,
		    sl_id_cmp) == NULL)) {
			drop = xreallocarray(drop, ndrop + 1, sizeof *drop);
			drop[ndrop++] = r->id;
		}
		record_free(r);
	}
	store_cursor_close(c);
	for (i = 0; ret != -1 && i < ndrop; i++)
		ret = sl_remove(sl, type, &drop[i], "left your scope: its "
		    "account manager changed", 1) == 0 ? 0 : -1;
	free(drop);
	sl->nseen = 0;
	return ret == -1 ? -1 : 0;
}

static int
sl_put_end(struct sync_local *sl, const struct wire_frame *f)
{
	struct wire_in	in;
	uint64_t	type, n, v;
	int		i;

	wire_in_init(&in, f);
	if (wire_get_max(&in, MODEL_NTYPES - 1, &type) != 0 ||
	    wire_get_max(&in, 64, &n) != 0)
		return sl_fail(sl);
	for (i = 0; i < (int)n; i++) {
		if (wire_get_uint(&in, &v) != 0)
			return sl_fail(sl);
		if (i < SYNC_NCOUNTS)
			*sync_count_at(&sl->rep.file[type], i) +=
			    (unsigned long)v;
	}
	if (wire_in_end(&in) != 0)
		return sl_fail(sl);
	if (sl->last_seq == 0 && (sl->mode == SYNC_MODE_SYNC ||
	    sl->mode == SYNC_MODE_DRY) && sl_unseen(sl, (int)type) != 0)
		return sl_fail(sl);
	if (sl->mode == SYNC_MODE_VERIFY) {
		if (sl_verify_upto(sl, (int)type, NULL) != 0)
			return sl_fail(sl);
		store_cursor_close(sl->vc);
		sl->vc = NULL;
	}
	if (sl->conf.progress != NULL) {
		sl->prog.files_done = (int)type + 1;
		if (sl->mode == SYNC_MODE_LOAD) {
			sl->prog.done = sl->prog.total = 1000;
		} else {
			sl->prog.all_done += sl->totals[type];
			sl->prog.type = (int)type;
			sl->prog.total = sl->totals[type];
			sl->prog.done = sl->totals[type];
		}
		sl->prog.rep = &sl->rep;
		sl->conf.progress(sl->conf.arg, &sl->prog);
	}
	return 0;
}

/* Where an ID lies between a file's first and last, in thousandths. */
static unsigned long
sl_id_place(const struct record_id *id, const struct record_id *lo,
    const struct record_id *hi)
{
	uint64_t	v = 0, l = 0, h = 0;
	int		k, i;

	if (record_id_cmp(id, lo) <= 0 || record_id_cmp(lo, hi) >= 0)
		return 0;
	if (record_id_cmp(id, hi) >= 0)
		return 1000;
	for (k = 0; k < RECORD_ID_SIZE && lo->b[k] == hi->b[k]; k++)
		/* nothing */;
	for (i = k; i < k + 8; i++) {
		v = v << 8 | (i < RECORD_ID_SIZE ? id->b[i] : 0);
		l = l << 8 | (i < RECORD_ID_SIZE ? lo->b[i] : 0);
		h = h << 8 | (i < RECORD_ID_SIZE ? hi->b[i] : 0);
	}
	return (unsigned long)((long double)(v - l) * 1000 / (h - l));
}

static int
sl_put_range(struct sync_local *sl, const struct wire_frame *f)
{
	struct wire_in	in;
	uint64_t	type;

	wire_in_init(&in, f);
	if (wire_get_max(&in, MODEL_NTYPES - 1, &type) != 0 ||
	    wire_get_id(&in, &sl->range_lo) != 0 ||
	    wire_get_id(&in, &sl->range_hi) != 0 || wire_in_end(&in) != 0)
		return sl_fail(sl);
	sl->prog.type = (int)type;
	sl->prog.total = 1000;
	sl->prog.done = 0;
	sl->prog.records = 0;
	sl->prog.all_done = sl->prog.all_total = 0;
	return 0;
}

static int
sl_put_ready(struct sync_local *sl, const struct wire_frame *f)
{
	struct wire_in	in;
	uint64_t	final;

	wire_in_init(&in, f);
	if (wire_get_max(&in, 1, &final) != 0 || wire_in_end(&in) != 0)
		return sl_fail(sl);
	if (sl->state != SL_WAIT)
		return sl_bad(sl, f, "out of turn");
	if (sl->mode == SYNC_MODE_LOAD || sl->mode == SYNC_MODE_VERIFY)
		sl->final = 1;
	if ((int)final != sl->final)
		return sl_bad(sl, f, "for the wrong round");
	if (sl->iverdict != sl->nups)
		return sl_bad(sl, f, "before a verdict on every record sent");
	if (sl->mode == SYNC_MODE_LOAD) {
		size_t	i;

		/* What was here and did not come is gone from the load. */
		for (i = 0; i < sl->nhere; i++) {
			if (sl->here[i]->seq == 0)
				sl->rep.file[sl->here_type[i]].removed++;
		}
	}
	sl->state = SL_COMMIT;
	return 0;
}

/* A file the master sends: its start, a piece, its end. */
static int
sl_put_file(struct sync_local *sl, const struct wire_frame *f)
{
	struct wire_in	 in;
	uint64_t	 type, present;
	size_t		 i;
	char		*path;

	wire_in_init(&in, f);
	if (wire_get_max(&in, MODEL_NTYPES - 1, &type) != 0 ||
	    wire_get_id(&in, &sl->recv.id) != 0 ||
	    wire_get_max(&in, 1, &present) != 0 || wire_in_end(&in) != 0)
		return sl_fail(sl);
	sl->recv.type = (int)type;
	sl->recv.hash[0] = '\0';
	for (i = 0; i < sl->nneed; i++) {
		if (sl->need[i].type == (int)type &&
		    record_id_cmp(&sl->need[i].id, &sl->recv.id) == 0) {
			memcpy(sl->recv.hash, sl->need[i].hash,
			    sizeof sl->recv.hash);
			break;
		}
	}
	if (i == sl->nneed)
		return sl_bad(sl, f, "for a file that was not asked for");
	if (sl->recv_out != NULL)
		return sl_bad(sl, f, "while another file was under way");
	if (!present) {
		sl->rep.file[type].files_missing++;
		return 0;
	}
	path = sl_file_path(sl, (int)type, &sl->recv.id);
	xasprintf(&sl->recv_tmp, "%s.tmp-%ld", path, (long)getpid());
	free(path);
	unlink(sl->recv_tmp);
	/* Sealed as it comes, if this local has a key: never plain here. */
	sl->recv_out = document_out_new(sl->conf.dir, (int)type, &sl->recv.id,
	    sl->recv_tmp);
	if (sl->recv_out == NULL) {
		free(sl->recv_tmp);
		sl->recv_tmp = NULL;
		return sl_fail(sl);
	}
	return 0;
}

static int
sl_put_data(struct sync_local *sl, const struct wire_frame *f)
{
	if (sl->recv_out == NULL)
		return sl_bad(sl, f, "with no file under way");
	if (document_out_write(sl->recv_out, f->data, f->len) != 0) {
		if (errno == ENOSPC)
			error_set("cannot write %s: the disk is full; free "
			    "some space and sync again", sl->recv_tmp);
		return sl_fail(sl);
	}
	return 0;
}

static int
sl_put_data_end(struct sync_local *sl, const struct wire_frame *f)
{
	struct document_out	*out = sl->recv_out;
	char			 hex[FILE_HASH_TEXT + 1], *path;
	char			 id[RECORD_ID_TEXT + 1], note[SYNC_NOTE_MAX];

	if (out == NULL)
		return sl_bad(sl, f, "with no file under way");
	sl->recv_out = NULL;
	if (document_out_finish(out, hex, NULL) != 0) {
		free(sl->recv_tmp);
		sl->recv_tmp = NULL;
		return sl_fail(sl);
	}
	/* T7: what does not match its record's hash is never installed. */
	if (*sl->recv.hash != '\0' && strcmp(hex, sl->recv.hash) != 0) {
		unlink(sl->recv_tmp);
		sl->rep.file[sl->recv.type].files_missing++;
		record_id_format(&sl->recv.id, id);
		snprintf(note, sizeof note, "%s %s: the master's file does "
		    "not match its SHA-256 and was not installed",
		    model_type(sl->recv.type)->name, id);
		sl_note(sl, note);
	} else {
		path = sl_file_path(sl, sl->recv.type, &sl->recv.id);
		if (rename(sl->recv_tmp, path) != 0) {
			error_set("cannot put %s in place: %s", path,
			    strerror(errno));
			unlink(sl->recv_tmp);
			free(path);
			return sl_fail(sl);
		}
		free(path);
		sl->rep.file[sl->recv.type].files++;
	}
	free(sl->recv_tmp);
	sl->recv_tmp = NULL;
	return 0;
}

/*
 * Edits made here while this sync ran (B3): the records still in the
 * outbox at its end. They go up at the next sync and win there, as they
 * are the newest; but they were stamped by this local's clock before it
 * observed the master's at the end, and the next sync takes a field
 * stamped no later than this one as unchanged, so the master's value
 * would come back over them with nothing logged. Each field changed
 * after this sync last knew the record (when it went up or came down;
 * else since the last sync) is stamped anew, after this sync; what went
 * up before keeps its stamp, so a later change elsewhere still wins
 * over it (S7). In the sync's last transaction, t.
 */
static int
sl_restamp(struct sync_local *sl, struct store_txn *t)
{
	struct store_cursor	*c;
	struct record		**late = NULL, *r;
	struct sl_known		 key, *k;
	uint64_t		 since, now = 0;
	size_t			 i, j, n, cap = 0;
	int			 type, ret = 0, changed;

	if (sl->nknown > 0)
		qsort(sl->known, sl->nknown, sizeof *sl->known, sl_known_cmp);
	for (type = 0; type < MODEL_NTYPES && ret == 0; type++) {
		if (store_cursor_open(t, (size_t)type, STORE_BY_OUTBOX, 0,
		    &c) != 0)
			return -1;
		n = 0;
		while ((ret = store_cursor_next(c, &r)) == 0) {
			if (n == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				late = xreallocarray(late, cap, sizeof *late);
			}
			late[n++] = r;
		}
		store_cursor_close(c);
		ret = ret == -1 ? -1 : 0;
		for (i = 0; i < n; i++) {
			r = late[i];
			if (ret != 0) {
				record_free(r);
				continue;
			}
			since = sl->last_stamp;
			/* The last entry of the record: the latest it knew. */
			key.type = type;
			key.id = r->id;
			key.since = UINT64_MAX;
			k = NULL;
			if (sl->nknown > 0) {
				j = sl_known_upper(sl, &key);
				if (j > 0 && sl->known[j - 1].type == type &&
				    record_id_cmp(&sl->known[j - 1].id,
				    &r->id) == 0)
					k = &sl->known[j - 1];
			}
			if (k != NULL && k->since > since)
				since = k->since;
			if (now == 0)
				now = store_stamp(t);
			changed = 0;
			for (j = 0; j < r->nfields; j++) {
				if (r->fields[j].stamp > since) {
					r->fields[j].stamp = now;
					changed = 1;
				}
			}
			if ((r->flags & RECORD_DELETED) && r->modified > since)
				changed = 1;
			if (changed) {
				r->modified = now;
				sync_fault_tick();
				if (store_put(t, (size_t)type, r, 0) != 0)
					ret = -1;
				sl->inlt++;
			}
			record_free(r);
		}
	}
	free(late);
	return ret;
}

/*
 * The master committed the round: hold what it took (unless changed here
 * meanwhile: that goes up at the next sync). After the last round, the
 * local records where it stands, with both clocks observed (B2).
 */
static int
sl_put_committed(struct sync_local *sl, const struct wire_frame *f)
{
	struct wire_in	 in;
	struct store_txn *t;
	struct record	*l;
	uint64_t	 end_seq, mclock, reset, lclock;
	size_t		 i;
	int		 ret;

	wire_in_init(&in, f);
	if (wire_get_uint(&in, &end_seq) != 0 ||
	    wire_get_uint(&in, &mclock) != 0 ||
	    wire_get_uint(&in, &reset) != 0 || wire_in_end(&in) != 0)
		return sl_fail(sl);
	if (sl->state != SL_COMMITTING)
		return sl_bad(sl, f, "out of turn");
	for (i = 0; i < sl->nups; i++) {
		if (sl->ups[i].hold == NULL)
			continue;
		if ((ret = sl_changed(sl, &sl->ups[i], &l)) == -1)
			return sl_fail(sl);
		record_free(l);
		if (ret == 0 && sl_put(sl, sl->ups[i].type, sl->ups[i].hold,
		    STORE_PUT_SYNCED) != 0)
			return sl_fail(sl);
		record_free(sl->ups[i].hold);
		sl->ups[i].hold = NULL;
	}
	sl->nups = sl->iverdict = 0;
	sl->round_sent = 0;
	if (!sl->final) {
		if (sl_flush(sl) != 0)
			return sl_fail(sl);
		sl->state = SL_SEND;
		return 0;
	}
	if (sl->mode == SYNC_MODE_DRY || sl->mode == SYNC_MODE_VERIFY) {
		store_abort(sl->lt);
		sl->lt = NULL;
		sl->state = SL_DONE;
		return 0;
	}
	if (sl_txn(sl, &t) != 0)
		return sl_fail(sl);
	lclock = sl->lclock;
	if (reset != 0) {
		/* A clock far ahead must not stamp every later edit (B2). */
		store_clock_reset(t, reset);
		lclock = reset;
		sl->rep.clock_reset = 1;
	}
	store_observe(t, mclock);
	if (sl->load == NULL && sl_restamp(sl, t) != 0)
		return sl_fail(sl);
	if (store_meta_put_u64(t, "sync_seq", end_seq) != 0 ||
	    store_meta_put_u64(t, "sync_stamp", mclock > lclock ? mclock :
	    lclock) != 0 ||
	    store_meta_put_u64(t, "sync_time", sl->master_ms) != 0)
		return sl_fail(sl);
	if (sl_flush(sl) != 0)
		return sl_fail(sl);
	if (sl->load != NULL) {
		ret = store_load_end(sl->load);
		sl->load = NULL;
		sl->st = NULL;
		if (ret != 0)
			return sl_fail(sl);
		sl->loaded = 1;
	}
	sl->state = SL_DONE;
	return 0;
}

static int
sl_put_error(struct sync_local *sl, const struct wire_frame *f)
{
	struct wire_in	 in;
	uint64_t	 code;
	char		*msg;

	wire_in_init(&in, f);
	if (wire_get_uint(&in, &code) != 0 || wire_get_str(&in, &msg) != 0)
		return sl_fail(sl);
	sl->code = code >= SYNC_E_FAIL && code <= SYNC_E_BUSY ? (int)code :
	    SYNC_E_FAIL;
	error_set("%s", msg);
	free(msg);
	return sl_fail(sl);
}

int
sync_local_put(struct sync_local *sl, const struct wire_frame *f)
{
	struct wire_in	 in;
	char		*holder;

	if (sl->state == SL_DONE)
		return sl_bad(sl, f, "after the end of the sync");
	/* Nothing is applied here before the caller says it may be. */
	if (sl->conf.gate != NULL) {
		int	(*gate)(void *) = sl->conf.gate;

		sl->conf.gate = NULL;
		if (gate(sl->conf.arg) != 0)
			return sl_fail(sl);
	}
	if (!wire_from_master(f->type))
		return sl_bad(sl, f, "that only a local sends");
	if (f->type == WIRE_M_ERROR)
		return sl_put_error(sl, f);
	if (!sl->hello && f->type != WIRE_M_HELLO && f->type != WIRE_M_BUSY)
		return sl_bad(sl, f, "before it said who it is");
	switch (f->type) {
	case WIRE_M_HELLO:
		if (sl->hello)
			return sl_bad(sl, f, "twice");
		return sl_put_hello(sl, f);
	case WIRE_M_BUSY:
		wire_in_init(&in, f);
		if (wire_get_str(&in, &holder) != 0)
			return sl_fail(sl);
		if (sl->conf.busy != NULL)
			sl->conf.busy(sl->conf.arg, holder);
		free(holder);
		return 0;
	case WIRE_M_VERDICT:
		return sl_put_verdict(sl, f);
	case WIRE_M_CONFLICT:
		return sl_put_conflict(sl, f);
	case WIRE_M_FEED:
		return sl_put_feed(sl, f);
	case WIRE_M_LEFT:
		return sl_put_left(sl, f);
	case WIRE_M_RANGE:
		return sl_put_range(sl, f);
	case WIRE_M_DIGEST:
		if (sl->mode != SYNC_MODE_VERIFY)
			return sl_bad(sl, f, "outside a verify");
		return sl_put_digest(sl, f);
	case WIRE_M_END:
		return sl_put_end(sl, f);
	case WIRE_M_READY:
		return sl_put_ready(sl, f);
	case WIRE_M_FILE:
		return sl_put_file(sl, f);
	case WIRE_DATA:
		return sl_put_data(sl, f);
	case WIRE_DATA_END:
		return sl_put_data_end(sl, f);
	case WIRE_M_COMMITTED:
		return sl_put_committed(sl, f);
	default:
		return sl_bad(sl, f, "that this crm does not know");
	}
}

int
sync_local_idle(struct sync_local *sl)
{
	if (sl->failed || sl->state == SL_DONE)
		return 0;
	if (sl_flush(sl) != 0)
		return sl_fail(sl);
	return 0;
}

/* ---------------------------------------------------------------------
 * The half itself.
 */

/*
 * Whether a local may be loaded afresh: never synced, and nothing of its
 * own waiting in an outbox or in the conflict log. 1 yes, 0 no, -1.
 */
static int
sl_load_empty(struct store *local)
{
	struct store_txn	*lt;
	struct store_cursor	*c;
	struct record		*r;
	uint64_t		 seq;
	size_t			 file;
	int			 type, ret;

	if (store_begin_read(local, &lt) != 0)
		return -1;
	if (store_meta_get_u64(lt, "sync_seq", &seq) != 0) {
		store_abort(lt);
		return -1;
	}
	ret = seq == 0 ? STORE_NOTFOUND : 0;
	for (type = -1; type < MODEL_NTYPES && ret == STORE_NOTFOUND; type++) {
		file = type == -1 ? STORE_CONFLICTS : (size_t)type;
		if (store_cursor_open(lt, file, type == -1 ? STORE_BY_ID :
		    STORE_BY_OUTBOX, STORE_CURSOR_DELETED, &c) != 0) {
			store_abort(lt);
			return -1;
		}
		if ((ret = store_cursor_next(c, &r)) == 0)
			record_free(r);
		store_cursor_close(c);
	}
	store_abort(lt);
	if (ret == -1)
		return -1;
	return ret == STORE_NOTFOUND;
}

/* What a local about to be loaded holds already (its own user, mostly). */
static int
sl_load_here(struct sync_local *sl)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	int			 type, ret = 0;

	if (store_begin_read(sl->conf.local, &t) != 0)
		return -1;
	for (type = 0; type < MODEL_NTYPES && ret != -1; type++) {
		if (store_cursor_open(t, (size_t)type, STORE_BY_ID,
		    STORE_CURSOR_DELETED, &c) != 0) {
			ret = -1;
			break;
		}
		while ((ret = store_cursor_next(c, &r)) == 0) {
			r->seq = 0;
			sl->here = xreallocarray(sl->here, sl->nhere + 1,
			    sizeof *sl->here);
			sl->here_type = xreallocarray(sl->here_type,
			    sl->nhere + 1, sizeof *sl->here_type);
			sl->here_type[sl->nhere] = type;
			sl->here[sl->nhere++] = r;
		}
		store_cursor_close(c);
	}
	store_abort(t);
	return ret == -1 ? -1 : 0;
}

/* Read where the local stands, and choose a load for a first sync. */
static int
sl_start(struct sync_local *sl)
{
	struct store_txn	*t;
	char			 id[64];
	size_t			 len = sizeof id - 1;
	int			 ret;

	if (store_begin(sl->conf.local, &t) != 0)
		return -1;
	ret = store_meta_get(t, "master_id", id, &len);
	if (ret == 0) {
		id[len] = '\0';
		sl->master_id = xstrdup(id);
	}
	if (ret == -1 || store_meta_get_u64(t, "sync_seq", &sl->last_seq) != 0 ||
	    store_meta_get_u64(t, "sync_stamp", &sl->last_stamp) != 0 ||
	    store_meta_get_u64(t, "sync_time", &sl->last_time) != 0) {
		store_abort(t);
		return -1;
	}
	sl->lclock = store_stamp(t);
	store_abort(t);
	if (store_role(sl->conf.local) != STORE_LOCAL) {
		error_set("%s is a master: sync runs from a local, against its "
		    "master", store_dir(sl->conf.local));
		return -1;
	}
	/* What the copies of a sync or an attach that was killed left. */
	if (sl->mode == SYNC_MODE_SYNC)
		file_sweep(store_dir(sl->conf.local), 0);
	if (sl->mode == SYNC_MODE_SYNC && !sl->conf.no_load) {
		if ((ret = sl_load_empty(sl->conf.local)) == -1)
			return -1;
		if (ret == 1 && sl_load_here(sl) != 0)
			return -1;
		/* Someone else has the local open: the ordinary pass, then. */
		if (ret == 1 && (ret = store_load_begin(sl->conf.local,
		    &sl->load)) == 0) {
			sl->mode = SYNC_MODE_LOAD;
			sl->st = sl->load;
		} else if (ret == -1)
			return -1;
	}
	if (sl->conf.progress != NULL && (sl->mode == SYNC_MODE_SYNC ||
	    sl->mode == SYNC_MODE_DRY) && sl_count_outbox(sl) != 0)
		return -1;
	return 0;
}

struct sync_local *
sync_local_new(const struct sync_local_conf *conf)
{
	struct sync_local	*sl;

	sl = xcalloc(1, sizeof *sl);
	sl->conf = *conf;
	sl->mode = conf->mode;
	sl->state = SL_HELLO;
	sl->send_in = NULL;
	sl->recv_out = NULL;
	sl->prog.type = -1;
	sl->st = conf->local;
	if (conf->local != NULL && sl_start(sl) != 0)
		sl_fail(sl);
	return sl;
}

int
sync_local_result(struct sync_local *sl, struct sync_report *rep, int *code)
{
	sync_report_total(&sl->rep);
	if (rep != NULL)
		*rep = sl->rep;
	if (code != NULL)
		*code = sl->code;
	if (sl->failed) {
		error_set("%s", sl->err);
		return -1;
	}
	if (sl->state != SL_DONE) {
		error_set("the master stopped before the end of the sync: what "
		    "was saved is safe; sync again");
		return -1;
	}
	return 0;
}

const char *
sync_local_master_id(const struct sync_local *sl)
{
	return sl->hello ? sl->master_id : NULL;
}

const char *
sync_local_master_name(const struct sync_local *sl)
{
	return sl->hello ? sl->master_name : NULL;
}

const struct record *
sync_local_user(const struct sync_local *sl)
{
	return sl->hello ? sl->user_rec : NULL;
}

unsigned long
sync_local_turns(const struct sync_local *sl)
{
	return sl->turns;
}

unsigned long
sync_local_left(const struct sync_local *sl)
{
	return sl->left;
}

long
sync_local_diffs(const struct sync_local *sl)
{
	return sl->diffs;
}

int
sync_local_loaded(const struct sync_local *sl)
{
	return sl->loaded;
}

void
sync_local_free(struct sync_local *sl)
{
	size_t	i;

	if (sl == NULL)
		return;
	store_cursor_close(sl->vc);
	record_free(sl->vnext);
	store_abort(sl->lt);
	if (sl->load != NULL) {
		/*
		 * Unfinished: thrown away now (the local's lock is still
		 * held exclusively), so that a load cut short by a full disk
		 * gives its space back at once. A load killed is thrown away
		 * by the next one.
		 */
		store_close(sl->load);
		if (sl->conf.local != NULL)
			store_load_clear(store_dir(sl->conf.local));
	}
	document_in_close(sl->send_in);
	document_out_abort(sl->recv_out);
	if (sl->recv_tmp != NULL) {
		unlink(sl->recv_tmp);
		free(sl->recv_tmp);
	}
	for (i = sl->qhead; i < sl->qn; i++)
		wire_frame_free(&sl->q[i]);
	free(sl->q);
	for (i = 0; i < sl->nups; i++)
		record_free(sl->ups[i].hold);
	free(sl->ups);
	for (i = 0; i < sl->nhere; i++)
		record_free(sl->here[i]);
	free(sl->here);
	free(sl->here_type);
	free(sl->need);
	free(sl->seen);
	free(sl->known);
	free(sl->ids);
	if (sl->have_user)
		user_clear(&sl->user);
	record_free(sl->user_rec);
	free(sl->master_id);
	free(sl->master_name);
	free(sl->err);
	free(sl);
}
