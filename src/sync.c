/*
 * sync: the record comparison pass between a local and its master.
 *
 * Each file is synchronized in two phases. Phase A walks the local's
 * outbox (what changed here since the last sync) and decides each record
 * against the master's copy: upload, merge, refuse. Phase B walks the
 * master's change sequence from the last sync (what changed there) and
 * brings down what the user may see, skipping what phase A settled. Both
 * walks are index range scans, so a sync costs what changed (B4).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "clock.h"
#include "conflict.h"
#include "error.h"
#include "file.h"
#include "model.h"
#include "rights.h"
#include "store.h"
#include "sync.h"
#include "user.h"
#include "xmalloc.h"

#define SYNC_BATCH	500	/* records per pair of transactions */

struct sync {
	struct store		*local;
	struct store		*master;
	const struct sync_policy *pol;
	struct sync_report	*rep;
	uint64_t		 last_seq;	/* master sequence seen last time */
	uint64_t		 last_stamp;	/* stamp both sides saw last time */
	uint64_t		 master_ms;	/* the master's time of this sync */
	int			 stale;		/* S11 */

	/*
	 * A dry run works in one transaction per side, aborted at the end,
	 * so later files see what earlier ones would have done (B6).
	 */
	struct store_txn	*dry_lt;
	struct store_txn	*dry_mt;

	struct record_id	*done;		/* phase A's records, sorted */
	size_t			 ndone;

	/* For pol->progress: each file's changes, counted first. */
	unsigned long		 totals[MODEL_NTYPES];
	struct sync_progress	 prog;
};

static unsigned long	sync_fault_at;
static unsigned long	sync_writes;

/* Every write of a sync passes here, so a test can cut it off anywhere. */
static void
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

static int
sync_meta_u64(struct store_txn *t, const char *key, uint64_t *v)
{
	uint8_t	buf[8];
	size_t	len = sizeof buf;
	int	ret;

	*v = 0;
	if ((ret = store_meta_get(t, key, buf, &len)) == STORE_NOTFOUND)
		return 0;
	if (ret != 0)
		return -1;
	if (len == 8)
		*v = store_get_be64(buf);
	return 0;
}

static int
sync_meta_put_u64(struct store_txn *t, const char *key, uint64_t v)
{
	uint8_t	buf[8];

	store_be64(buf, v);
	return store_meta_put(t, key, buf, 8);
}

int
sync_check_master(struct store *local, struct store *master)
{
	struct store_txn	*t;
	char			 a[64], b[64];
	size_t			 alen = sizeof a - 1, blen = sizeof b - 1;
	int			 ra, rb;

	if (store_role(local) != STORE_LOCAL) {
		error_set("%s is a master: sync runs from a local, against its "
		    "master", store_dir(local));
		return -1;
	}
	if (store_role(master) != STORE_MASTER) {
		error_set("%s is not a master", store_dir(master));
		return -1;
	}
	if (store_begin(local, &t) != 0)
		return -1;
	ra = store_meta_get(t, "master_id", a, &alen);
	store_abort(t);
	if (store_begin(master, &t) != 0)
		return -1;
	rb = store_meta_get(t, "id", b, &blen);
	store_abort(t);
	if (ra == -1 || rb == -1)
		return -1;
	if (ra != 0 || rb != 0 || alen != blen || memcmp(a, b, alen) != 0) {
		error_set("%s is not the master %s was made from: nothing was "
		    "changed; check the master path (db.master in %s/crm.conf)",
		    store_dir(master), store_dir(local), store_dir(local));
		return -1;
	}
	return 0;
}

/* Settings and users screens (issue 5): a local's master, checked. */
struct store *
sync_master_open(struct store *local, const char *mdir, int wait)
{
	struct store	*master;
	char		*role;
	int		 ret;

	if (sync_master_reach(mdir) != 0)
		return NULL;
	/* Its own crm.conf alone, leaving the loaded settings as they are. */
	if ((ret = cfg_peek(mdir, "db.role", &role)) == -1) {
		error_prefix("the master's settings: ");
		return NULL;
	}
	if (ret == 0 || strcmp(role, "master") != 0) {
		error_set("%s is not a master database (%s): give the directory "
		    "of the master %s was made from; nothing was changed", mdir,
		    ret == 0 ? "it has no crm.conf" : role, store_dir(local));
		free(role);
		return NULL;
	}
	free(role);
	if ((master = model_open(mdir, STORE_MASTER, 0, wait)) == NULL)
		return NULL;
	if (sync_check_master(local, master) != 0) {
		store_close(master);
		return NULL;
	}
	return master;
}

static int
sync_id_cmp(const void *a, const void *b)
{
	return record_id_cmp(a, b);
}

static int
sync_done(const struct sync *s, const struct record_id *id)
{
	return s->ndone > 0 && bsearch(id, s->done, s->ndone, sizeof *id,
	    sync_id_cmp) != NULL;
}

static int
sync_begin(struct sync *s, struct store *st, struct store_txn **t)
{
	struct store_txn	**dry;

	if (!s->pol->dry_run)
		return store_begin(st, t);
	dry = st == s->local ? &s->dry_lt : &s->dry_mt;
	if (*dry == NULL && store_begin(st, dry) != 0)
		return -1;
	*t = *dry;
	return 0;
}

static int
sync_commit(const struct sync *s, struct store_txn *t)
{
	if (s->pol->dry_run)
		return 0;
	return store_commit(t);
}

static void
sync_abort(const struct sync *s, struct store_txn *t)
{
	if (!s->pol->dry_run)
		store_abort(t);
}

static int
sync_put(struct store_txn *t, int type, struct record *r, int flags)
{
	sync_fault_tick();
	return store_put(t, (size_t)type, r, flags);
}

/* Tell pol->progress how far the sync is (done: of the file under way). */
static void
sync_tell(struct sync *s, int type, unsigned long done)
{
	struct sync_progress	*p = &s->prog;

	if (s->pol->progress == NULL)
		return;
	if (type != p->type) {
		p->type = type;
		p->records = 0;
		p->total = s->totals[type];
	}
	p->done = done;
	p->records = done;
	p->rep = s->rep;
	s->pol->progress(s->pol->arg, p);
}

/* A file finished: the overall bar moves on by its total. */
static void
sync_tell_file(struct sync *s, int type)
{
	struct sync_progress	*p = &s->prog;

	if (s->pol->progress == NULL)
		return;
	p->files_done = type + 1;
	p->all_done += s->totals[type];
	sync_tell(s, type, s->totals[type]);
}

/*
 * Count each file's changes for the progress bars: its outbox here and
 * the master's sequence from the last sync to upto. Index range scans
 * of what changed, like the sync itself (B4); only when someone watches.
 */
static int
sync_count(struct sync *s, uint64_t upto)
{
	struct store_txn	*lt = NULL, *mt = NULL;
	struct store_cursor	*c;
	struct record		*r;
	uint8_t			 from[8];
	int			 type, ret = 0;

	if (sync_begin(s, s->local, &lt) != 0 ||
	    sync_begin(s, s->master, &mt) != 0)
		goto fail;
	for (type = 0; type < MODEL_NTYPES; type++) {
		s->totals[type] = 0;
		if (store_cursor_open(lt, (size_t)type, STORE_BY_OUTBOX, 0,
		    &c) != 0)
			goto fail;
		while ((ret = store_cursor_next(c, &r)) == 0) {
			s->totals[type]++;
			record_free(r);
		}
		store_cursor_close(c);
		if (ret == -1 || store_cursor_open(mt, (size_t)type,
		    STORE_BY_SEQ, 0, &c) != 0)
			goto fail;
		store_be64(from, s->last_seq + 1);
		store_cursor_seek(c, from, 8, 0);
		while ((ret = store_cursor_next(c, &r)) == 0) {
			if (r->seq > upto) {
				record_free(r);
				break;
			}
			s->totals[type]++;
			record_free(r);
		}
		store_cursor_close(c);
		if (ret == -1)
			goto fail;
		s->prog.all_total += s->totals[type];
	}
	sync_abort(s, lt);
	sync_abort(s, mt);
	s->prog.type = -1;
	return 0;

fail:
	if (lt != NULL)
		sync_abort(s, lt);
	if (mt != NULL)
		sync_abort(s, mt);
	return -1;
}

/* A stamp from a clock too far ahead of the master's (B2). */
static int
sync_untrusted(const struct sync *s, uint64_t stamp)
{
	return clock_stamp_ms(stamp) > s->master_ms + s->pol->tolerance_ms;
}

/* Bring stamps too far ahead back to the master's time of this sync. */
static void
sync_clamp(struct sync *s, int type, struct record *r)
{
	uint64_t	now = clock_stamp_from_ms(s->master_ms);
	size_t		i;
	int		clamped = 0;

	if (sync_untrusted(s, r->modified)) {
		r->modified = now;
		clamped = 1;
	}
	if (sync_untrusted(s, r->created))
		r->created = now;
	for (i = 0; i < r->nfields; i++) {
		if (sync_untrusted(s, r->fields[i].stamp)) {
			r->fields[i].stamp = now;
			clamped = 1;
		}
	}
	if (clamped)
		s->rep->file[type].clamped++;
}

/* Where an attached file of this record lives in a database. */
static char *
sync_file_path(struct store *st, int type, const struct record *r)
{
	char	id[RECORD_ID_TEXT + 1], *path;

	record_id_format(&r->id, id);
	xasprintf(&path, "%s/%s/%s", store_dir(st),
	    type == MODEL_DOCUMENT ? "documents" : "templates", id);
	return path;
}

/* Make sure the file of a document or template travelled with it (S13). */
static void
sync_file(struct sync *s, int type, const struct record *r,
    struct store *from, struct store *to)
{
	char		*src, *dst, hex[FILE_HASH_TEXT + 1];
	const char	*want;
	struct stat	 sb;

	if ((type != MODEL_DOCUMENT && type != MODEL_TEMPLATE) ||
	    (r->flags & RECORD_DELETED))
		return;
	src = sync_file_path(from, type, r);
	dst = sync_file_path(to, type, r);
	want = record_value(r, "hash");
	if (stat(dst, &sb) == 0 && (*want == '\0' ||
	    (file_hash(dst, hex, NULL) == 0 && strcmp(hex, want) == 0)))
		goto out;	/* already there, same content */
	if (stat(src, &sb) != 0) {
		s->rep->file[type].files_missing++;
		goto out;
	}
	if (s->pol->dry_run)
		s->rep->file[type].files++;	/* it would be copied */
	else if (file_install(src, dst, hex) == 0)
		s->rep->file[type].files++;
	else
		s->rep->file[type].files_missing++;
out:
	free(src);
	free(dst);
}

/* Remove a record from the local, with its file. */
static int
sync_remove_local(struct sync *s, struct store_txn *lt, int type,
    const struct record *r)
{
	char	*path;
	int	 ret;

	sync_fault_tick();
	ret = store_remove(lt, (size_t)type, &r->id);
	if (ret == -1)
		return -1;
	if (!s->pol->dry_run && (type == MODEL_DOCUMENT ||
	    type == MODEL_TEMPLATE)) {
		path = sync_file_path(s->local, type, r);
		unlink(path);
		free(path);
	}
	return 0;
}

/* Log every field of a local record that changed since the last sync. */
static int
sync_log_local(struct sync *s, struct store_txn *lt, int type,
    const struct record *l, const struct record *m, const char *why)
{
	size_t		 i;
	const char	*kept;
	int		 logged = 0;

	for (i = 0; i < l->nfields; i++) {
		if (l->fields[i].stamp <= s->last_stamp)
			continue;
		kept = m != NULL ? record_get(m, l->fields[i].name) : NULL;
		if (kept != NULL && strcmp(kept, l->fields[i].value) == 0)
			continue;
		if (conflict_log(lt, type, l, l->fields[i].name, kept,
		    l->fields[i].value, l->modified_by, l->fields[i].stamp,
		    why) != 0)
			return -1;
		logged++;
	}
	if (logged == 0 && (l->flags & RECORD_DELETED))
		return conflict_log(lt, type, l, "*", "", "deleted",
		    l->modified_by, l->modified, why);
	return 0;
}

/*
 * Remove a record that left the user's scope from the local, and the
 * records hanging from it that are out of scope too (S16).
 */
static int
sync_remove_tree(struct sync *s, struct store_txn *lt, struct store_txn *mt,
    int type, const struct record *r, int depth)
{
	struct store_cursor	*c;
	struct record		*d, *m;
	int			 i, ret, in;

	if (sync_remove_local(s, lt, type, r) != 0)
		return -1;
	s->rep->file[type].removed++;
	if (depth > 4)
		return 0;
	for (i = 0; i < MODEL_NTYPES; i++) {
		if (store_cursor_open(lt, (size_t)i, STORE_BY_REF, 0, &c) != 0)
			return -1;
		store_cursor_seek(c, r->id.b, RECORD_ID_SIZE, 1);
		while ((ret = store_cursor_next(c, &d)) == 0) {
			in = 0;
			if (store_get(mt, (size_t)i, &d->id, &m) == 0) {
				in = rights_in_scope(mt, s->pol->user, i, m);
				record_free(m);
			}
			if (in == 0) {
				if ((d->flags & RECORD_DIRTY) &&
				    sync_log_local(s, lt, i, d, NULL, "left your "
				    "scope: its account manager changed") != 0)
					in = -1;
				else if (sync_remove_tree(s, lt, mt, i, d,
				    depth + 1) != 0)
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

/* What the local may hold of a master record (no one else's hash). */
static struct record *
sync_for_local(const struct user *own, int type, const struct record *m)
{
	struct record	*d = record_dup(m);
	static const char *const keep[] = { "login", "uid", "name", "type",
		"restricted", "may_change_manager", NULL };

	if (type == MODEL_USER &&
	    strcmp(record_value(m, "uid"), own->uid) != 0)
		record_strip(d, keep);
	return d;
}

/*
 * Merge a record both sides changed (S7, S11, B1). Returns the result;
 * losers go to the conflict log.
 */
static struct record *
sync_merge(struct sync *s, struct store_txn *lt, int type,
    const struct record *l, const struct record *m)
{
	struct sync_counts	*n = &s->rep->file[type];
	struct record		*r;
	struct field		*lf, *mf;
	const struct record	*win;
	size_t			 i;
	int			 lchg, mchg, local_wins, conflicts = 0;

	if (s->pol->record_level) {
		/* The source system's rule: the newer record wins whole. */
		local_wins = !s->stale && !sync_untrusted(s, l->modified) &&
		    l->modified > m->modified;
		win = local_wins ? l : m;
		r = record_dup(win);
		if (local_wins) {
			n->won++;
			for (i = 0; i < m->nfields; i++) {
				lf = record_field(l, m->fields[i].name);
				if (m->fields[i].stamp > s->last_stamp &&
				    (lf == NULL || strcmp(lf->value,
				    m->fields[i].value) != 0) &&
				    conflict_log(lt, type, m,
				    m->fields[i].name, lf ? lf->value : "",
				    m->fields[i].value, m->modified_by,
				    m->fields[i].stamp, "the newer change in "
				    "this database won") != 0) {
					record_free(r);
					return NULL;
				}
			}
		} else {
			n->lost++;
			if (sync_log_local(s, lt, type, l, m, s->stale ?
			    "update window passed: the master won" :
			    "the newer change on the master won") != 0) {
				record_free(r);
				return NULL;
			}
		}
		r->seq = m->seq;
		return r;
	}

	r = record_dup(m);
	for (i = 0; i < l->nfields; i++) {
		lf = &l->fields[i];
		mf = record_field(r, lf->name);
		if (mf == NULL) {
			record_set(r, lf->name, lf->value, lf->stamp);
			continue;
		}
		if (strcmp(lf->value, mf->value) == 0) {
			if (lf->stamp > mf->stamp)
				mf->stamp = lf->stamp;
			continue;
		}
		lchg = lf->stamp > s->last_stamp;
		mchg = mf->stamp > s->last_stamp;
		if (lchg && !mchg) {
			record_set(r, lf->name, lf->value, lf->stamp);
			continue;
		}
		if (!lchg)
			continue;	/* only the master changed it */
		conflicts++;
		local_wins = !s->stale && !sync_untrusted(s, lf->stamp) &&
		    lf->stamp > mf->stamp;
		if (local_wins) {
			n->won++;
			if (conflict_log(lt, type, m, lf->name, lf->value,
			    mf->value, m->modified_by, mf->stamp, "the newer "
			    "change in this database won") != 0) {
				record_free(r);
				return NULL;
			}
			record_set(r, lf->name, lf->value, lf->stamp);
		} else {
			n->lost++;
			if (conflict_log(lt, type, l, lf->name, mf->value,
			    lf->value, l->modified_by, lf->stamp, s->stale ?
			    "update window passed: the master won" :
			    "the newer change on the master won") != 0) {
				record_free(r);
				return NULL;
			}
		}
	}
	if (conflicts == 0)
		n->merged++;
	if (l->modified > r->modified) {
		r->modified = l->modified;
		memcpy(r->modified_by, l->modified_by, sizeof r->modified_by);
	}
	return r;
}

/*
 * May this change go up (S15)? A change of account manager needs that
 * right, and a restricted user may assign work only to themselves. The
 * screens and the CLI refuse such changes up front; this is the master's
 * own check, for a local that did not.
 */
static int
sync_upload_allowed(const struct user *u, const struct record *l,
    const struct record *m)
{
	const char	*lv;

	lv = record_value(l, "account_manager");
	if (strcmp(lv, record_value(m, "account_manager")) != 0 &&
	    !rights_may_change_manager(u))
		return 0;
	lv = record_value(l, "assigned_to");
	if (*lv != '\0' && strcmp(lv, record_value(m, "assigned_to")) != 0 &&
	    !rights_may_assign(u, lv))
		return 0;
	return 1;
}

/* Decide one record of the local's outbox. */
static int
sync_local_change(struct sync *s, struct store_txn *lt, struct store_txn *mt,
    int type, struct record *l, struct record **up, struct record **down,
    int *remove)
{
	struct sync_counts	*n = &s->rep->file[type];
	const struct user	*u = s->pol->user;
	struct record		*m = NULL;
	int			 ret, in;

	*up = *down = NULL;
	*remove = 0;
	if ((ret = store_get(mt, (size_t)type, &l->id, &m)) == -1)
		return -1;

	if (m == NULL) {
		if (l->flags & RECORD_DELETED)
			return 0;	/* made and deleted here: nothing to say */
		if ((in = rights_in_scope(mt, u, type, l)) == -1)
			return -1;
		if (in && *record_value(l, "assigned_to") != '\0' &&
		    !rights_may_assign(u, record_value(l, "assigned_to")))
			in = 0;
		if (!in) {
			n->refused_scope++;
			*remove = 1;
			return sync_log_local(s, lt, type, l, NULL,
			    "outside your scope: the master refused it");
		}
		*up = record_dup(l);
		sync_clamp(s, type, *up);
		n->uploaded++;
		return 0;
	}

	ret = 0;
	if ((in = rights_in_scope(mt, u, type, m)) == -1)
		goto out_err;
	if (!in) {
		/* S15/S16: it is someone else's now. */
		n->refused_scope++;
		*remove = 1;
		ret = sync_log_local(s, lt, type, l, m, "left your scope: "
		    "its account manager changed");
		goto out;
	}
	if (m->flags & RECORD_DELETED) {
		/* Deletions made on the master always propagate. */
		if ((l->flags & RECORD_DELETED) == 0) {
			ret = sync_log_local(s, lt, type, l, NULL,
			    "deleted on the master");
			/*
			 * Edited here since the last sync: the whole record
			 * as it was here, so that restoring makes it again.
			 */
			if (ret == 0 && l->modified > s->last_stamp)
				ret = conflict_log_record(lt, type, l,
				    "deleted on the master");
		}
		*down = m;
		m = NULL;
		n->deleted++;
		goto out;
	}
	if (l->flags & RECORD_DELETED) {
		if (!rights_may_delete(u, type, m)) {
			/* S12: the record comes back, and the report says so. */
			n->refused_delete++;
			ret = conflict_log(lt, type, l, "*", "kept", "deleted",
			    l->modified_by, l->modified, error_get());
			*down = sync_for_local(s->pol->user, type, m);
			goto out;
		}
		if (m->seq > s->last_seq && (s->stale ||
		    sync_untrusted(s, l->modified) ||
		    m->modified > l->modified)) {
			/* A newer edit on the master beats the deletion. */
			n->lost++;
			ret = conflict_log(lt, type, l, "*", "kept", "deleted",
			    l->modified_by, l->modified, s->stale ?
			    "update window passed: the master won" :
			    "the record was changed on the master after you "
			    "deleted it");
			*down = sync_for_local(s->pol->user, type, m);
			goto out;
		}
		*up = record_dup(l);
		sync_clamp(s, type, *up);
		n->deleted++;
		goto out;
	}
	if (!sync_upload_allowed(u, l, m)) {
		/* Refused: the master's version comes back, the change is logged. */
		n->refused_scope++;
		ret = sync_log_local(s, lt, type, l, m, error_get());
		*down = sync_for_local(s->pol->user, type, m);
		goto out;
	}
	if (m->seq <= s->last_seq) {
		/* S6: only the local changed it. */
		*up = record_dup(l);
		sync_clamp(s, type, *up);
		n->uploaded++;
		goto out;
	}
	/* S7: both changed it. */
	if ((*up = sync_merge(s, lt, type, l, m)) == NULL)
		goto out_err;
	sync_clamp(s, type, *up);
	*down = record_dup(*up);
out:
	record_free(m);
	return ret;
out_err:
	record_free(m);
	return -1;
}

/* The IDs in a file's outbox, sorted. */
static int
sync_outbox(struct sync *s, int type, struct record_id **ids, size_t *n)
{
	struct store_txn	*lt;
	struct store_cursor	*c;
	struct record		*r;
	size_t			 cap = 0;
	int			 ret;

	*ids = NULL;
	*n = 0;
	if (sync_begin(s, s->local, &lt) != 0)
		return -1;
	if (store_cursor_open(lt, (size_t)type, STORE_BY_OUTBOX, 0, &c) != 0) {
		sync_abort(s, lt);
		return -1;
	}
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			*ids = xreallocarray(*ids, cap, sizeof **ids);
		}
		(*ids)[(*n)++] = r->id;
		record_free(r);
	}
	store_cursor_close(c);
	sync_abort(s, lt);
	if (ret == -1) {
		free(*ids);
		*ids = NULL;
		return -1;
	}
	qsort(*ids, *n, sizeof **ids, sync_id_cmp);
	return 0;
}

/* Phase A: the local's changes, a batch at a time. */
static int
sync_phase_local(struct sync *s, int type)
{
	struct store_txn	*lt = NULL, *mt = NULL;
	struct record		*l, *up, *down;
	struct record		**ups = NULL;
	uint64_t		*seen = NULL;	/* local modified, per upload */
	size_t			 i, j, k, nups;
	int			 ret, remove;

	if (sync_outbox(s, type, &s->done, &s->ndone) != 0)
		return -1;
	ups = xcalloc(SYNC_BATCH, sizeof *ups);
	seen = xcalloc(SYNC_BATCH, sizeof *seen);
	for (i = 0; i < s->ndone; i += SYNC_BATCH) {
		if (sync_begin(s, s->local, &lt) != 0 ||
		    sync_begin(s, s->master, &mt) != 0)
			goto fail;
		nups = 0;
		for (j = i; j < s->ndone && j < i + SYNC_BATCH; j++) {
			sync_tell(s, type, j);
			ret = store_get(lt, (size_t)type, &s->done[j], &l);
			if (ret == STORE_NOTFOUND)
				continue;
			if (ret != 0)
				goto fail;
			if (sync_local_change(s, lt, mt, type, l, &up, &down,
			    &remove) != 0) {
				record_free(l);
				goto fail;
			}
			ret = 0;
			if (remove)
				ret = sync_remove_tree(s, lt, mt, type, l, 0);
			else if (down != NULL)
				ret = sync_put(lt, type, down, up != NULL ? 0 :
				    STORE_PUT_SYNCED);
			else if (up == NULL && !remove) {
				/* Nothing to send: leave the outbox. */
				l->flags &= ~RECORD_DIRTY;
				ret = sync_put(lt, type, l, STORE_PUT_SYNCED);
			}
			if (down != NULL && up == NULL)
				sync_file(s, type, down, s->master, s->local);
			if (ret != 0) {
				record_free(down);
				record_free(l);
				record_free(up);
				goto fail;
			}
			if (up != NULL) {
				/* What the local now holds: the merge, if any. */
				seen[nups] = down != NULL ? down->modified :
				    l->modified;
				ups[nups++] = up;
			}
			record_free(down);
			record_free(l);
		}
		/* The local first: merged records stay in its outbox. */
		if (sync_commit(s, lt) != 0) {
			lt = NULL;
			goto fail;
		}
		lt = NULL;
		for (k = 0; k < nups; k++) {
			store_observe(mt, ups[k]->modified);
			if (sync_put(mt, type, ups[k], 0) != 0)
				goto fail;
			/* A merge may have taken either side's file. */
			sync_file(s, type, ups[k], s->local, s->master);
			sync_file(s, type, ups[k], s->master, s->local);
		}
		if (sync_commit(s, mt) != 0) {
			mt = NULL;
			goto fail;
		}
		mt = NULL;
		/* Then the outbox is emptied of what the master now has. */
		if (nups > 0 && !s->pol->dry_run) {
			if (store_begin(s->local, &lt) != 0)
				goto fail;
			for (k = 0; k < nups; k++) {
				sync_fault_tick();
				ret = store_get(lt, (size_t)type, &ups[k]->id,
				    &l);
				if (ret == 0) {
					/*
					 * Changed again here while the master
					 * was written: it stays in the outbox.
					 */
					if (l->modified <= seen[k])
						ret = store_put(lt, (size_t)type,
						    ups[k], STORE_PUT_SYNCED);
					record_free(l);
				} else if (ret == STORE_NOTFOUND)
					ret = 0;
				if (ret != 0)
					goto fail;
			}
			if (store_commit(lt) != 0) {
				lt = NULL;
				goto fail;
			}
			lt = NULL;
		}
		for (k = 0; k < nups; k++) {
			record_free(ups[k]);
			ups[k] = NULL;
		}
		sync_tell(s, type, j);
	}
	free(ups);
	free(seen);
	return 0;

fail:
	sync_abort(s, lt);
	sync_abort(s, mt);
	for (k = 0; k < SYNC_BATCH; k++)
		record_free(ups[k]);
	free(ups);
	free(seen);
	return -1;
}

/* Download the in-scope records hanging from one that just came in. */
static int
sync_pull_tree(struct sync *s, struct store_txn *lt, struct store_txn *mt,
    const struct record *r, int depth)
{
	struct store_cursor	*c;
	struct record		*m, *l, *d;
	int			 i, ret, in;

	for (i = 0; i < MODEL_NTYPES && depth < 4; i++) {
		if (store_cursor_open(mt, (size_t)i, STORE_BY_REF, 0, &c) != 0)
			return -1;
		store_cursor_seek(c, r->id.b, RECORD_ID_SIZE, 1);
		while ((ret = store_cursor_next(c, &m)) == 0) {
			in = rights_in_scope(mt, s->pol->user, i, m);
			l = NULL;
			if (in == 1 && (ret = store_get(lt, (size_t)i, &m->id,
			    &l)) == -1)
				in = -1;
			else if (in == 1 && ret == STORE_NOTFOUND) {
				d = sync_for_local(s->pol->user, i, m);
				in = sync_put(lt, i, d, STORE_PUT_SYNCED);
				if (in == 0) {
					s->rep->file[i].downloaded++;
					sync_file(s, i, d, s->master, s->local);
					in = sync_pull_tree(s, lt, mt, d,
					    depth + 1);
				}
				record_free(d);
			} else
				record_free(l);
			record_free(m);
			if (in == -1) {
				store_cursor_close(c);
				return -1;
			}
			ret = 0;
		}
		store_cursor_close(c);
		if (ret == -1)
			return -1;
	}
	return 0;
}

/* Phase B: the master's changes since the last sync. */
static int
sync_phase_master(struct sync *s, int type, uint64_t upto)
{
	struct sync_counts	*n = &s->rep->file[type];
	struct store_txn	*lt = NULL, *mt = NULL;
	struct store_cursor	*c = NULL;
	struct record		*m, *l, *d;
	uint8_t			 from[8];
	unsigned long		 inbatch = 0, seen = 0;
	int			 ret, in, fresh;

	if (sync_begin(s, s->master, &mt) != 0 ||
	    sync_begin(s, s->local, &lt) != 0 ||
	    store_cursor_open(mt, (size_t)type, STORE_BY_SEQ, 0, &c) != 0)
		goto fail;
	store_be64(from, s->last_seq + 1);
	store_cursor_seek(c, from, 8, 0);
	while ((ret = store_cursor_next(c, &m)) == 0) {
		if (m->seq > upto) {
			record_free(m);
			break;
		}
		seen++;
		sync_tell(s, type, s->ndone + seen);
		if (sync_done(s, &m->id)) {
			record_free(m);
			continue;
		}
		l = NULL;
		if ((ret = store_get(lt, (size_t)type, &m->id, &l)) == -1 ||
		    (in = rights_in_scope(mt, s->pol->user, type, m)) == -1) {
			record_free(m);
			goto fail;
		}
		ret = 0;
		if (!in) {
			if (l != NULL)
				ret = sync_remove_tree(s, lt, mt, type, l, 0);
		} else if (l != NULL && l->modified == m->modified &&
		    (l->flags & RECORD_DELETED) == (m->flags & RECORD_DELETED)) {
			/* Already here, as it is there. */
		} else if (m->flags & RECORD_DELETED) {
			if (l != NULL) {
				ret = sync_put(lt, type, m, STORE_PUT_SYNCED);
				n->deleted++;
				if (type == MODEL_DOCUMENT ||
				    type == MODEL_TEMPLATE) {
					char *p = sync_file_path(s->local,
					    type, m);

					if (!s->pol->dry_run)
						unlink(p);
					free(p);
				}
			}
		} else {
			fresh = l == NULL;
			d = sync_for_local(s->pol->user, type, m);
			ret = sync_put(lt, type, d, STORE_PUT_SYNCED);
			if (ret == 0) {
				n->downloaded++;
				sync_file(s, type, d, s->master, s->local);
				/*
				 * Newly in scope: bring what hangs from it.
				 * Not for a record made since the last sync:
				 * the master's clock had seen every record
				 * it held then (B2), so this one reached it
				 * later, and whatever refers to it later
				 * still; that comes down with its own file.
				 */
				if (fresh && s->last_seq != 0 &&
				    m->created <= s->last_stamp &&
				    (type == MODEL_COMPANY ||
				    type == MODEL_CONTACT))
					ret = sync_pull_tree(s, lt, mt, d, 0);
			}
			record_free(d);
		}
		record_free(l);
		record_free(m);
		if (ret != 0)
			goto fail;
		if (++inbatch == SYNC_BATCH * 4) {
			if (sync_commit(s, lt) != 0) {
				lt = NULL;
				goto fail;
			}
			lt = NULL;
			inbatch = 0;
			/* A first sync writes much: keep the log small. */
			if (!s->pol->dry_run && store_checkpoint(s->local) != 0)
				goto fail;
			if (sync_begin(s, s->local, &lt) != 0)
				goto fail;
		}
	}
	if (ret == -1)
		goto fail;
	store_cursor_close(c);
	c = NULL;
	if (sync_commit(s, lt) != 0) {
		lt = NULL;
		goto fail;
	}
	sync_abort(s, mt);
	return 0;

fail:
	store_cursor_close(c);
	sync_abort(s, lt);
	sync_abort(s, mt);
	return -1;
}

/* The master's time: its lock file was just written on its own disk. */
static uint64_t
sync_master_ms(struct store *master)
{
	struct stat	 sb;
	char		*path;
	uint64_t	 ms;

	path = store_path(master, "lock");
	if (stat(path, &sb) == 0)
		ms = (uint64_t)sb.st_mtim.tv_sec * 1000 +
		    (uint64_t)sb.st_mtim.tv_nsec / 1000000;
	else
		ms = clock_now_ms();
	free(path);
	return ms;
}

/*
 * Both sides observe each other's clock (B2), and the local (or the load
 * that becomes it) records the sync state, the master's commit first.
 */
static int
sync_end(struct sync *s, struct store *local)
{
	struct store_txn	*lt, *mt;
	uint64_t		 lclock, mclock, end_seq;

	if (sync_begin(s, s->master, &mt) != 0)
		return -1;
	if (sync_begin(s, local, &lt) != 0) {
		sync_abort(s, mt);
		return -1;
	}
	lclock = store_stamp(lt);
	mclock = store_stamp(mt);
	if (sync_untrusted(s, lclock)) {
		/* A clock far ahead must not stamp every later edit (B2). */
		lclock = clock_stamp_from_ms(s->master_ms);
		store_clock_reset(lt, lclock);
		s->rep->clock_reset = 1;
	}
	store_observe(lt, mclock);
	store_observe(mt, lclock);
	if (sync_meta_u64(mt, "seq", &end_seq) != 0 ||
	    sync_meta_put_u64(lt, "sync_seq", end_seq) != 0 ||
	    sync_meta_put_u64(lt, "sync_stamp", mclock > lclock ? mclock :
	    lclock) != 0 ||
	    sync_meta_put_u64(lt, "sync_time", s->master_ms) != 0) {
		sync_abort(s, lt);
		sync_abort(s, mt);
		return -1;
	}
	sync_fault_tick();
	if (sync_commit(s, mt) != 0) {
		sync_abort(s, lt);
		return -1;
	}
	return sync_commit(s, lt);
}

static void
sync_totals(struct sync_report *rep)
{
	int	f;

	for (f = 0; f < MODEL_NTYPES; f++) {
		struct sync_counts	*a = &rep->file[f], *t = &rep->total;

		t->uploaded += a->uploaded;
		t->downloaded += a->downloaded;
		t->merged += a->merged;
		t->won += a->won;
		t->lost += a->lost;
		t->deleted += a->deleted;
		t->refused_delete += a->refused_delete;
		t->refused_scope += a->refused_scope;
		t->removed += a->removed;
		t->files += a->files;
		t->files_missing += a->files_missing;
		t->clamped += a->clamped;
	}
}

int
sync_run(struct store *local, struct store *master,
    const struct sync_policy *pol, struct sync_report *rep)
{
	struct sync		 s;
	struct store_txn	*lt, *mt;
	uint64_t		 last_time, upto;
	int			 type;

	memset(rep, 0, sizeof *rep);
	memset(&s, 0, sizeof s);
	s.local = local;
	s.master = master;
	s.pol = pol;
	s.rep = rep;
	if (sync_check_master(local, master) != 0)
		return -1;
	s.master_ms = sync_master_ms(master);

	if (store_begin(local, &lt) != 0)
		return -1;
	if (sync_meta_u64(lt, "sync_seq", &s.last_seq) != 0 ||
	    sync_meta_u64(lt, "sync_stamp", &s.last_stamp) != 0 ||
	    sync_meta_u64(lt, "sync_time", &last_time) != 0) {
		store_abort(lt);
		return -1;
	}
	store_abort(lt);
	if (store_begin(master, &mt) != 0)
		return -1;
	if (sync_meta_u64(mt, "seq", &upto) != 0) {
		store_abort(mt);
		return -1;
	}
	store_abort(mt);

	/* S11: a local that stayed away too long loses its conflicts. */
	s.stale = pol->window_days > 0 && last_time != 0 &&
	    s.master_ms > last_time &&
	    s.master_ms - last_time > (uint64_t)pol->window_days * 86400000;
	rep->stale = s.stale;
	if (pol->progress != NULL && sync_count(&s, upto) != 0)
		goto out_fail;

	for (type = 0; type < MODEL_NTYPES; type++) {
		if (sync_phase_local(&s, type) != 0 ||
		    sync_phase_master(&s, type, upto) != 0) {
			free(s.done);
			goto out_fail;
		}
		free(s.done);
		s.done = NULL;
		s.ndone = 0;
		sync_tell_file(&s, type);
	}

	if (sync_end(&s, local) != 0)
		goto out_fail;
	/* A dry run ends here, changing nothing. */
	store_abort(s.dry_lt);
	store_abort(s.dry_mt);
	sync_totals(rep);
	return 0;

out_fail:
	store_abort(s.dry_lt);
	store_abort(s.dry_mt);
	return -1;
}

/*
 * Whether a local may be loaded afresh: never synced, and nothing of its
 * own waiting in an outbox or in the conflict log. 1 yes, 0 no, -1.
 */
static int
sync_load_empty(struct store *local)
{
	struct store_txn	*lt;
	struct store_cursor	*c;
	struct record		*r;
	uint64_t		 seq;
	size_t			 file;
	int			 type, ret;

	if (store_begin(local, &lt) != 0)
		return -1;
	if (sync_meta_u64(lt, "sync_seq", &seq) != 0) {
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

/*
 * Where an ID lies between a file's first and last IDs, in thousandths:
 * eight bytes from the first one where those two differ, so that IDs
 * made in the same millisecond (an import, the demo) still spread out.
 */
static unsigned long
sync_id_place(const struct record_id *id, const struct record_id *lo,
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

/* A file's first and last IDs: two cursor steps. */
static int
sync_id_range(struct store_txn *t, int type, struct record_id *lo,
    struct record_id *hi)
{
	struct store_cursor	*c;
	struct record		*r;
	int			 i, ret;

	memset(lo, 0, sizeof *lo);
	memset(hi, 0, sizeof *hi);
	for (i = 0; i < 2; i++) {
		if (store_cursor_open(t, (size_t)type, STORE_BY_ID,
		    STORE_CURSOR_DELETED, &c) != 0)
			return -1;
		ret = i == 0 ? store_cursor_next(c, &r) : store_cursor_prev(c, &r);
		store_cursor_close(c);
		if (ret == -1)
			return -1;
		if (ret == 0) {
			*(i == 0 ? lo : hi) = r->id;
			record_free(r);
		}
	}
	return 0;
}

/* A load's progress: how far into the file's ID range the walk is. */
static void
sync_tell_load(struct sync *s, int type, const struct record_id *lo,
    const struct record_id *hi, const struct record *m, unsigned long seen)
{
	struct sync_progress	*p = &s->prog;

	p->type = type;
	p->total = 1000;
	p->done = m == NULL ? 1000 : sync_id_place(&m->id, lo, hi);
	p->records = seen;
	p->all_done = p->all_total = 0;
	p->rep = s->rep;
	s->pol->progress(s->pol->arg, p);
}

/*
 * What the local already holds of a file, counted as the comparison pass
 * counts it, since a dry run of a first sync is that pass (B6). A local
 * is loaded only when nothing of its own waits (sync_load_empty), but it
 * is not always bare: crm init --local wrote its user's own record, and
 * a first sync cut off before its end left what it had brought. A record
 * here as it is on the master is no change: its ID goes to s->done, for
 * the load to write it again without counting it. One the master has
 * deleted counts as deleted, one out of scope as removed; the load
 * leaves both out. Any other comes down, and the load counts it.
 */
static int
sync_load_here(struct sync *s, struct store_txn *mt, int type, uint64_t upto)
{
	struct sync_counts	*n = &s->rep->file[type];
	struct store_txn	*ot;
	struct store_cursor	*c;
	struct record		*l, *m;
	size_t			 cap = 0;
	int			 ret, in;

	free(s->done);
	s->done = NULL;
	s->ndone = 0;
	if (store_begin_read(s->local, &ot) != 0)
		return -1;
	if (store_cursor_open(ot, (size_t)type, STORE_BY_ID,
	    STORE_CURSOR_DELETED, &c) != 0) {
		store_abort(ot);
		return -1;
	}
	while ((ret = store_cursor_next(c, &l)) == 0) {
		m = NULL;
		in = 0;
		if ((ret = store_get(mt, (size_t)type, &l->id, &m)) == -1)
			in = -1;
		else if (ret == 0 && m->seq <= upto &&
		    (in = rights_in_scope(mt, s->pol->user, type, m)) == 0)
			n->removed++;
		else if (in == 1 && l->modified == m->modified &&
		    (l->flags & RECORD_DELETED) == (m->flags & RECORD_DELETED)) {
			if (s->ndone == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				s->done = xreallocarray(s->done, cap,
				    sizeof *s->done);
			}
			s->done[s->ndone++] = l->id;
		} else if (in == 1 && (m->flags & RECORD_DELETED))
			n->deleted++;
		record_free(m);
		record_free(l);
		if (in == -1) {
			store_cursor_close(c);
			store_abort(ot);
			return -1;
		}
	}
	store_cursor_close(c);
	store_abort(ot);
	if (ret == -1)
		return -1;
	qsort(s->done, s->ndone, sizeof *s->done, sync_id_cmp);
	return 0;
}

/* One file of a load: every live in-scope master record, in key order. */
static int
sync_load_file(struct sync *s, struct store *load, int type, uint64_t upto)
{
	struct sync_counts	*n = &s->rep->file[type];
	struct store_txn	*lt = NULL, *mt = NULL;
	struct store_cursor	*c = NULL;
	struct record		*m, *d;
	unsigned long		 seen = 0;
	struct record_id	 lo, hi;
	int			 ret, in;

	/*
	 * Read committed: the walk of a big file keeps no read locks behind
	 * it, and the master is attached, so nothing changes under it.
	 */
	if (store_begin_read(s->master, &mt) != 0 ||
	    store_begin(load, &lt) != 0 ||
	    sync_load_here(s, mt, type, upto) != 0 ||
	    sync_id_range(mt, type, &lo, &hi) != 0 ||
	    store_cursor_open(mt, (size_t)type, STORE_BY_ID, 0, &c) != 0)
		goto fail;
	s->prog.records = 0;
	while ((ret = store_cursor_next(c, &m)) == 0) {
		in = m->seq > upto ? 0 : rights_in_scope(mt, s->pol->user,
		    type, m);
		if (in == 1) {
			/* Only users lose fields on the way: no copy otherwise. */
			d = type == MODEL_USER ? sync_for_local(s->pol->user,
			    type, m) : m;
			ret = sync_put(lt, type, d, STORE_PUT_SYNCED);
			/* Here already, file and all: the pass leaves it. */
			if (ret == 0 && !sync_done(s, &m->id)) {
				n->downloaded++;
				sync_file(s, type, d, s->master, s->local);
			}
			if (d != m)
				record_free(d);
		}
		if (s->pol->progress != NULL && in != -1 && ret == 0)
			sync_tell_load(s, type, &lo, &hi, m, ++seen);
		record_free(m);
		if (in == -1 || ret != 0)
			goto fail;
	}
	if (ret == -1)
		goto fail;
	store_cursor_close(c);
	store_abort(mt);
	s->ndone = 0;
	return store_commit(lt);

fail:
	store_cursor_close(c);
	store_abort(lt);
	store_abort(mt);
	s->ndone = 0;
	return -1;
}

int
sync_load(struct store *local, struct store *master,
    const struct sync_policy *pol, struct sync_report *rep)
{
	struct sync		 s;
	struct store		*load;
	struct store_txn	*mt;
	uint64_t		 upto;
	int			 type, ret;

	memset(rep, 0, sizeof *rep);
	if (pol->dry_run)
		return SYNC_ORDINARY;
	memset(&s, 0, sizeof s);
	s.local = local;
	s.master = master;
	s.pol = pol;
	s.rep = rep;
	if (sync_check_master(local, master) != 0)
		return -1;
	if ((ret = sync_load_empty(local)) != 1)
		return ret == 0 ? SYNC_ORDINARY : -1;
	if (store_begin(master, &mt) != 0)
		return -1;
	ret = sync_meta_u64(mt, "seq", &upto);
	store_abort(mt);
	if (ret != 0)
		return -1;
	s.master_ms = sync_master_ms(master);

	/* Someone else has the local open: the ordinary sync works beside them. */
	if ((ret = store_load_begin(local, &load)) != 0)
		return ret == STORE_BUSY ? SYNC_ORDINARY : -1;
	for (type = 0; type < MODEL_NTYPES; type++) {
		if (sync_load_file(&s, load, type, upto) != 0)
			goto fail;
		if (pol->progress != NULL) {
			s.prog.files_done = type + 1;
			sync_tell_load(&s, type, NULL, NULL, NULL,
			    s.prog.records);
		}
	}
	free(s.done);
	s.done = NULL;
	if (sync_end(&s, load) != 0)
		goto fail;
	sync_totals(rep);
	return store_load_end(load);

fail:
	/* What was loaded stays unfinished: the next sync starts again. */
	free(s.done);
	store_close(load);
	return -1;
}

int
sync_load_switch(const char *dir, int wait_seconds)
{
	return store_load_switch(dir, wait_seconds);
}

long
sync_verify(struct store *local, struct store *master,
    const struct sync_policy *pol,
    void (*report)(void *, int, const struct record_id *, const char *),
    void *arg)
{
	struct store_txn	*lt, *mt;
	struct store_cursor	*c;
	struct record		*m, *l, *d;
	uint8_t			*a, *b;
	size_t			 alen, blen;
	long			 diffs = 0;
	int			 type, ret, in;

	if (store_begin(local, &lt) != 0)
		return -1;
	if (store_begin(master, &mt) != 0) {
		store_abort(lt);
		return -1;
	}
	for (type = 0; type < MODEL_NTYPES; type++) {
		/* Every in-scope master record must be here, the same. */
		if (store_cursor_open(mt, (size_t)type, STORE_BY_ID,
		    STORE_CURSOR_DELETED, &c) != 0)
			goto fail;
		while ((ret = store_cursor_next(c, &m)) == 0) {
			in = rights_in_scope(mt, pol->user, type, m);
			ret = store_get(lt, (size_t)type, &m->id, &l);
			if (in == 1 && (m->flags & RECORD_DELETED) == 0) {
				if (ret == STORE_NOTFOUND) {
					report(arg, type, &m->id, "missing "
					    "here");
					diffs++;
				} else if (ret == 0) {
					int	dirty = l->flags & RECORD_DIRTY;

					d = sync_for_local(pol->user, type, m);
					d->seq = l->seq = 0;
					d->flags &= ~RECORD_DIRTY;
					l->flags &= ~RECORD_DIRTY;
					record_encode(d, &a, &alen);
					record_encode(l, &b, &blen);
					if (alen != blen ||
					    memcmp(a, b, alen) != 0) {
						report(arg, type, &m->id,
						    dirty ? "changed here "
						    "since the last sync" :
						    "differs");
						diffs++;
					}
					free(a);
					free(b);
					record_free(d);
				}
			} else if (in == 0 && ret == 0 &&
			    (l->flags & RECORD_DELETED) == 0) {
				report(arg, type, &m->id, "outside the "
				    "user's scope, but here");
				diffs++;
			}
			if (ret == 0)
				record_free(l);
			record_free(m);
		}
		store_cursor_close(c);
		if (ret == -1)
			goto fail;
	}
	store_abort(lt);
	store_abort(mt);
	return diffs;
fail:
	store_abort(lt);
	store_abort(mt);
	return -1;
}
