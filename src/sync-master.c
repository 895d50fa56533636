/*
 * sync-master: the master's half of a sync (include/sync.h).
 *
 * Everything the local says is a claim: who it is (checked against the
 * master's users, T1), what it sends (users never taken, T2; authorship
 * set here, T3; scope judged on the master's version and on the one sent,
 * T4; validated as a local write is, T5; refusals logged with the local's
 * own values, T6; files checked against their hash, T7). What it says of
 * its own last sync only decides between the user's own changes and the
 * master's, which the user could overwrite anyway.
 *
 * Each file goes in two phases, as RULES.md's pass does: the records the
 * local sent (its outbox) are decided one by one against the master's
 * copy, then the master's changes since the last sync go down, skipping
 * what was just decided. Both are index range scans (B4).
 *
 * Here too whether a master's directory is there at all
 * (sync_master_reach): this half asks before it attaches, and a whole
 * sync (sync-job.c) before it starts.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "clock.h"
#include "conflict.h"
#include "document.h"
#include "error.h"
#include "file.h"
#include "model.h"
#include "path.h"
#include "rights.h"
#include "store.h"
#include "sync.h"
#include "user.h"
#include "wire.h"
#include "xmalloc.h"

#define SM_TOLERANCE_MS	(5 * 60 * 1000)	/* B2: how far ahead a stamp may be */

enum sm_state {
	SM_HELLO,	/* waiting for HELLO */
	SM_UP,		/* taking the records of file cur */
	SM_CONTENT,	/* taking the content of the record just sent */
	SM_FEED,	/* giving the changes of file cur */
	SM_WALK,	/* load or verify: giving every record of file cur */
	SM_READY,	/* a round decided: waiting for COMMIT */
	SM_SEND,	/* giving the files the local asked for */
	SM_DONE
};

/* A file the local asked for, or one staged for the commit. */
struct sm_file {
	int			 type;
	struct record_id	 id;
	char			*tmp;		/* staged: its temporary name */
};

struct sync_master {
	char			*dir;
	char			*only_login;
	int			 service;

	enum sm_state		 state;
	enum sync_mode		 mode;
	struct store		*st;
	struct store_txn	*t;		/* the round's transaction */
	struct user		 user;
	int			 have_user;
	char			*login;

	/* The master's settings and time. */
	int			 window_days;	/* S11 */
	int			 record_level;	/* B1 off */
	int			 stale;
	uint64_t		 master_ms;
	uint64_t		 upto;		/* the master's seq at HELLO */
	uint64_t		 journal_from;

	/* What the local says of itself. */
	uint64_t		 last_seq, last_stamp, last_time;
	uint64_t		 local_model;	/* its MODEL_FIELDS_VERSION */
	int			 progress;

	int			 cur;		/* the file under way */
	int			 final;		/* this round is the last */
	unsigned long		 round_ups;
	struct record_id	*done;		/* cur's records sent up */
	size_t			 ndone, capdone;
	int			 sorted;
	struct sync_counts	 counts[MODEL_NTYPES];

	/* Frames waiting to go to the local. */
	struct wire_frame	*q;
	size_t			 qhead, qn, qcap;

	/* A walk through a file: the feed, a load or a verify. */
	struct store_cursor	*c;
	int			 walk;		/* the feed's part: 0 seq, 1 journal */

	/* The record just sent up, while its content comes. */
	struct record		*pend;
	int			 pend_type;
	struct document_out	*pend_out;	/* its content coming */
	char			*pend_tmp;
	char			 pend_hex[FILE_HASH_TEXT + 1];
	uint64_t		 pend_size;
	int			 pend_bad;

	/* Files staged for this round's commit; files the local wants. */
	struct sm_file		*stage;
	size_t			 nstage;
	struct sm_file		*need;
	size_t			 nneed, ineed;
	struct document_in	*send_in;	/* the file being sent, or NULL */
	struct wire_out		 committed;	/* the last word, kept */
};

static int	sm_fail(struct sync_master *, int code);

/* ---------------------------------------------------------------------
 * Frames to the local.
 */

static void
sm_push(struct sync_master *sm, int type, struct wire_out *o)
{
	if (sm->qhead > 0 && sm->qhead == sm->qn)
		sm->qhead = sm->qn = 0;
	if (sm->qn == sm->qcap) {
		sm->qcap = sm->qcap == 0 ? 64 : sm->qcap * 2;
		sm->q = xreallocarray(sm->q, sm->qcap, sizeof *sm->q);
	}
	wire_frame_take(&sm->q[sm->qn++], type, o);
}

/* Drop the frames queued since mark (a decision taken back). */
static void
sm_unpush(struct sync_master *sm, size_t mark)
{
	while (sm->qn > mark)
		wire_frame_free(&sm->q[--sm->qn]);
}

static void
sm_conflict(struct sync_master *sm, int type, const struct record_id *id,
    const char *field, const char *kept, const char *lost, const char *who,
    uint64_t stamp, const char *why)
{
	struct wire_out	o = { 0 };

	wire_uint(&o, (uint64_t)type);
	wire_id(&o, id);
	wire_str(&o, field);
	wire_str(&o, kept != NULL ? kept : "");
	wire_str(&o, lost != NULL ? lost : "");
	wire_str(&o, who);
	wire_uint(&o, stamp);
	wire_str(&o, why);
	sm_push(sm, WIRE_M_CONFLICT, &o);
}

static void
sm_verdict(struct sync_master *sm, int type, const struct record_id *id,
    enum sync_verdict v, const struct record *r, const char *note)
{
	struct wire_out	o = { 0 };

	wire_uint(&o, (uint64_t)type);
	wire_id(&o, id);
	wire_uint(&o, (uint64_t)v);
	wire_uint(&o, r != NULL);
	if (r != NULL)
		wire_record(&o, r);
	wire_str(&o, note != NULL ? note : "");
	sm_push(sm, WIRE_M_VERDICT, &o);
}

static void
sm_id_frame(struct sync_master *sm, int ftype, int type,
    const struct record_id *id)
{
	struct wire_out	o = { 0 };

	wire_uint(&o, (uint64_t)type);
	wire_id(&o, id);
	sm_push(sm, ftype, &o);
}

static void
sm_feed(struct sync_master *sm, int type, const struct record *r)
{
	struct wire_out	o = { 0 };

	wire_uint(&o, (uint64_t)type);
	wire_record(&o, r);
	sm_push(sm, WIRE_M_FEED, &o);
}

static void
sm_error(struct sync_master *sm, int code, const char *msg)
{
	struct wire_out	o = { 0 };

	wire_uint(&o, (uint64_t)code);
	wire_str(&o, msg);
	sm_push(sm, WIRE_M_ERROR, &o);
}

/* ---------------------------------------------------------------------
 * Files.
 */

static const char *
sm_subdir(int type)
{
	return type == MODEL_DOCUMENT ? "documents" : "templates";
}

static int
sm_has_file(int type)
{
	return type == MODEL_DOCUMENT || type == MODEL_TEMPLATE;
}

static char *
sm_file_path(struct sync_master *sm, int type, const struct record_id *id)
{
	char	text[RECORD_ID_TEXT + 1], *path;

	record_id_format(id, text);
	xasprintf(&path, "%s/%s/%s", sm->dir, sm_subdir(type), text);
	return path;
}

/*
 * Whether the master's file for r holds the content r's hash names, of
 * the size a document's record says. The file is read without following
 * a link (T7).
 */
static int
sm_file_ok(struct sync_master *sm, int type, const struct record *r)
{
	char		 hex[FILE_HASH_TEXT + 1], size[32];
	const char	*want = record_value(r, "hash");
	off_t		 len;
	int		 ok;

	/* The plaintext's hash and size, whatever the file is sealed with. */
	ok = document_hash(sm->dir, type, &r->id, NULL, hex, &len) == 0 &&
	    (*want == '\0' || strcmp(hex, want) == 0);
	if (ok && type == MODEL_DOCUMENT && *record_value(r, "size") != '\0') {
		snprintf(size, sizeof size, "%lld", (long long)len);
		ok = strcmp(record_value(r, "size"), size) == 0;
	}
	error_clear();
	return ok;
}

/*
 * A killed sync left its staged files, a killed attach or copy its
 * temporary ones: the master is ours alone now.
 */
static void
sm_sweep(struct sync_master *sm)
{
	DIR		*d;
	struct dirent	*e;
	char		*sub, *path;
	int		 i;

	for (i = 0; i < 2; i++) {
		xasprintf(&sub, "%s/%s", sm->dir, i == 0 ? "documents" :
		    "templates");
		if ((d = opendir(sub)) != NULL) {
			while ((e = readdir(d)) != NULL) {
				if (strstr(e->d_name, ".up-") == NULL)
					continue;
				xasprintf(&path, "%s/%s", sub, e->d_name);
				unlink(path);
				free(path);
			}
			closedir(d);
		}
		free(sub);
	}
	file_sweep(sm->dir, 1);
}

/* The content staged for the record just sent is not wanted after all. */
static void
sm_pend_clear_file(struct sync_master *sm)
{
	if (sm->pend_tmp != NULL)
		unlink(sm->pend_tmp);
	free(sm->pend_tmp);
	sm->pend_tmp = NULL;
}

static void
sm_pend_clear(struct sync_master *sm)
{
	document_out_abort(sm->pend_out);
	sm->pend_out = NULL;
	if (sm->pend_tmp != NULL)
		unlink(sm->pend_tmp);
	free(sm->pend_tmp);
	sm->pend_tmp = NULL;
	record_free(sm->pend);
	sm->pend = NULL;
	sm->pend_bad = 0;
}

static void
sm_unstage(struct sync_master *sm)
{
	size_t	i;

	for (i = 0; i < sm->nstage; i++) {
		if (sm->stage[i].tmp != NULL)
			unlink(sm->stage[i].tmp);
		free(sm->stage[i].tmp);
	}
	sm->nstage = 0;
}

/* Put the round's staged files in place, once its records are committed. */
static int
sm_install(struct sync_master *sm)
{
	char	*dst;
	size_t	 i;
	int	 ret = 0;

	for (i = 0; i < sm->nstage; i++) {
		dst = sm_file_path(sm, sm->stage[i].type, &sm->stage[i].id);
		if (ret == 0 && rename(sm->stage[i].tmp, dst) != 0) {
			error_set("cannot put %s in place: %s", dst,
			    strerror(errno));
			ret = -1;
		}
		free(dst);
	}
	sm_unstage(sm);
	return ret;
}

/* ---------------------------------------------------------------------
 * Deciding a record sent up.
 */

static int
sm_untrusted(const struct sync_master *sm, uint64_t stamp)
{
	return clock_stamp_ms(stamp) > sm->master_ms + SM_TOLERANCE_MS;
}

/* Bring stamps too far ahead back to the master's time of this sync (B2). */
static void
sm_clamp(struct sync_master *sm, int type, struct record *r)
{
	uint64_t	now = clock_stamp_from_ms(sm->master_ms);
	size_t		i;
	int		clamped = 0;

	if (sm_untrusted(sm, r->modified)) {
		r->modified = now;
		clamped = 1;
	}
	if (sm_untrusted(sm, r->created))
		r->created = now;
	for (i = 0; i < r->nfields; i++) {
		if (sm_untrusted(sm, r->fields[i].stamp)) {
			r->fields[i].stamp = now;
			clamped = 1;
		}
	}
	if (clamped)
		sm->counts[type].clamped++;
}

/* What the local may hold of a master record (no one else's hash). */
static struct record *
sm_for_local(const struct sync_master *sm, int type, const struct record *m)
{
	static const char *const keep[] = { "login", "uid", "name", "type",
		"restricted", "may_change_manager", NULL };
	struct record	*d = record_dup(m);

	d->flags &= RECORD_DELETED;
	if (type == MODEL_USER &&
	    strcmp(record_value(m, "uid"), sm->user.uid) != 0)
		record_strip(d, keep);
	return d;
}

/*
 * Log every field of a record sent up that changed since the last sync.
 * m is the master's version when the user may see it, to say what was
 * kept; NULL never says (T6).
 */
static void
sm_log_local(struct sync_master *sm, int type, const struct record *l,
    const struct record *m, const char *why)
{
	const char	*kept;
	size_t		 i;
	int		 logged = 0;

	for (i = 0; i < l->nfields; i++) {
		if (l->fields[i].stamp <= sm->last_stamp)
			continue;
		kept = m != NULL ? record_get(m, l->fields[i].name) : NULL;
		if (kept != NULL && strcmp(kept, l->fields[i].value) == 0)
			continue;
		sm_conflict(sm, type, &l->id, l->fields[i].name, kept,
		    l->fields[i].value, sm->user.uid, l->fields[i].stamp, why);
		logged++;
	}
	if (logged == 0 && (l->flags & RECORD_DELETED))
		sm_conflict(sm, type, &l->id, "*", "", "deleted", sm->user.uid,
		    l->modified, why);
}

/* Log a record sent up whole, so that restoring it makes it again. */
static void
sm_log_whole(struct sync_master *sm, int type, const struct record *l,
    const char *why)
{
	char	*text;

	if ((text = conflict_record_text(type, l)) == NULL)
		return;
	sm_conflict(sm, type, &l->id, "*", "deleted", text, sm->user.uid,
	    l->modified, why);
	free(text);
}

/*
 * Merge a record both sides changed (S7, S11, B1): the result, the
 * losing values logged.
 */
static struct record *
sm_merge(struct sync_master *sm, int type, const struct record *l,
    const struct record *m)
{
	struct sync_counts	*n = &sm->counts[type];
	struct record		*r;
	struct field		*lf, *mf;
	size_t			 i;
	int			 lchg, mchg, local_wins, conflicts = 0;
	const char		*lostwhy = sm->stale ? "update window passed: "
				    "the master won" : "the newer change on "
				    "the master won";

	if (sm->record_level) {
		/* The source system's rule: the newer record wins whole. */
		local_wins = !sm->stale && !sm_untrusted(sm, l->modified) &&
		    l->modified > m->modified;
		if (local_wins) {
			n->won++;
			r = record_dup(l);
			for (i = 0; i < m->nfields; i++) {
				lf = record_field(l, m->fields[i].name);
				if (m->fields[i].stamp > sm->last_stamp &&
				    (lf == NULL || strcmp(lf->value,
				    m->fields[i].value) != 0))
					sm_conflict(sm, type, &m->id,
					    m->fields[i].name, lf ? lf->value :
					    "", m->fields[i].value,
					    m->modified_by, m->fields[i].stamp,
					    "the newer change in this database "
					    "won");
			}
			r->created = m->created;
			memcpy(r->created_by, m->created_by,
			    sizeof r->created_by);
			snprintf(r->modified_by, sizeof r->modified_by, "%s",
			    sm->user.uid);
		} else {
			n->lost++;
			sm_log_local(sm, type, l, m, lostwhy);
			r = record_dup(m);
		}
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
		lchg = lf->stamp > sm->last_stamp;
		mchg = mf->stamp > sm->last_stamp;
		if (lchg && !mchg) {
			record_set(r, lf->name, lf->value, lf->stamp);
			continue;
		}
		if (!lchg)
			continue;	/* only the master changed it */
		conflicts++;
		local_wins = !sm->stale && !sm_untrusted(sm, lf->stamp) &&
		    lf->stamp > mf->stamp;
		if (local_wins) {
			n->won++;
			sm_conflict(sm, type, &m->id, lf->name, lf->value,
			    mf->value, m->modified_by, mf->stamp, "the newer "
			    "change in this database won");
			record_set(r, lf->name, lf->value, lf->stamp);
		} else {
			n->lost++;
			sm_conflict(sm, type, &l->id, lf->name, mf->value,
			    lf->value, sm->user.uid, lf->stamp, lostwhy);
		}
	}
	if (conflicts == 0)
		n->merged++;
	if (l->modified > r->modified) {
		r->modified = l->modified;
		snprintf(r->modified_by, sizeof r->modified_by, "%s",
		    sm->user.uid);
	}
	return r;
}

/*
 * May this change go up (S15)? Setting an account manager needs that
 * right, as a local write does (model_add, model_update): for a new
 * record, any but the one it would take anyway (its contact's or
 * company's, else the user's own); for one the master has, any change.
 * A restricted user may assign work only to themselves, and not take
 * it from themselves either (an empty assignee is a change too). -1 on
 * error.
 */
static int
sm_change_allowed(struct sync_master *sm, int type, const struct record *up,
    const struct record *m)
{
	const struct user	*u = &sm->user;
	const char		*lv;
	char			*def;
	int			 same;

	lv = record_value(up, "account_manager");
	if (m != NULL) {
		if (strcmp(lv, record_value(m, "account_manager")) != 0 &&
		    !rights_may_change_manager(u))
			return 0;
	} else if (*lv != '\0' && strcmp(lv, u->uid) != 0) {
		def = model_default_manager(sm->t, u, type, up);
		same = strcmp(def, lv) == 0;
		free(def);
		if (!same && !rights_may_change_manager(u))
			return 0;
	}
	lv = record_value(up, "assigned_to");
	if ((m != NULL ? strcmp(lv, record_value(m, "assigned_to")) != 0 :
	    *lv != '\0') && !rights_may_assign(u, lv))
		return 0;
	return 1;
}

/*
 * Check what would be written (T4, T5), m being the master's version (or
 * NULL): 1 if it may be, 0 with *scope set to whether scope refused it
 * and the error set to why, -1.
 */
static int
sm_check(struct sync_master *sm, int type, const struct record *l,
    const struct record *m, struct record *up, int *scope)
{
	const char	*mv;
	size_t		 i;
	int		 ret;
	char		*safe;

	*scope = 0;
	/*
	 * T5: a field this master does not know comes only from a newer crm;
	 * an older one may carry it as the master has it (a newer local
	 * sent it), never set it.
	 */
	if (sm->local_model <= MODEL_FIELDS_VERSION) {
		for (i = 0; i < l->nfields; i++) {
			if (model_field_find(type, l->fields[i].name) != NULL)
				continue;
			mv = m != NULL ? record_get(m, l->fields[i].name) :
			    NULL;
			if (mv == NULL || strcmp(mv, l->fields[i].value) != 0) {
				error_set("%s is not a field of a %s: the "
				    "master refused the record",
				    l->fields[i].name, model_type(type)->name);
				return 0;
			}
		}
		/* So do the header bytes of a newer encoding. */
		if (l->extlen > 0 && (m == NULL || m->extlen != l->extlen ||
		    memcmp(m->ext, l->ext, l->extlen) != 0)) {
			error_set("it carries %zu bytes of a newer record "
			    "encoding than this master's: the master refused "
			    "the record", l->extlen);
			return 0;
		}
	}
	if (up->flags & RECORD_DELETED)
		return 1;
	/* T7: a file's name is a plain name, wherever it came from. */
	if (sm_has_file(type) && *record_value(up, "filename") != '\0') {
		safe = path_base_safe(record_value(up, "filename"));
		record_set(up, "filename", safe,
		    record_field(up, "filename")->stamp);
		free(safe);
	}
	/*
	 * Refused as a local write would be. (A store error reads as a
	 * refusal too: the local's values are logged, and it goes up again.)
	 */
	if (model_validate(sm->t, type, up) != 0) {
		error_prefix("the master refused it: ");
		return 0;
	}
	if ((ret = rights_may_write(sm->t, &sm->user, type, up)) != 1) {
		*scope = 1;
		return ret;
	}
	/*
	 * After the scope: its message names the contact and the campaign.
	 * A second target names the field it is about; a store error none.
	 */
	if (type == MODEL_TARGET && model_target_unique(sm->t, up) != 0) {
		if (model_error_field() == NULL)
			return -1;
		error_prefix("the master refused it: ");
		return 0;
	}
	return 1;
}

/* A refusal said in the sync's report: the record, then why. */
static char *
sm_note(int type, const struct record *l, const char *why)
{
	char	 id[RECORD_ID_TEXT + 1], *note;

	record_id_format(&l->id, id);
	xasprintf(&note, "%s %s: %s", model_type(type)->name, id, why);
	return note;
}

/*
 * Refuse a record sent up: its changed values to the local's conflict log,
 * and back to the local the master's version, or its removal. What the
 * log says was kept is only what the local may hold of m (T6): m when the
 * user may see it, and never another user's password hash.
 */
static void
sm_refuse(struct sync_master *sm, int type, const struct record *l,
    const struct record *m, int in, const char *why)
{
	struct record	*d = NULL;
	char		*note;

	note = sm_note(type, l, why);
	if (m != NULL && in)
		d = sm_for_local(sm, type, m);
	sm_log_local(sm, type, l, d, why);
	if (d != NULL)
		sm_verdict(sm, type, &l->id, SYNC_V_BACK, d, note);
	else {
		/*
		 * A new record refused goes from the local: whole in the
		 * log, so that it can be made again once put right.
		 */
		if (m == NULL)
			sm_log_whole(sm, type, l, why);
		sm_verdict(sm, type, &l->id, SYNC_V_GONE, NULL, note);
	}
	record_free(d);
	free(note);
}

/*
 * A change that reaches the master late (B1, B3). Whether a field changed
 * on the master since a local's last sync is judged by its stamp against
 * the master's clock at that sync; but a stamp is the time of the edit,
 * and an edit made before another local's sync may arrive after it. That
 * local would take the field as unchanged and overwrite it unlogged. So
 * each field this upload changes on the master, stamped no later than the
 * master's clock when this round began (every sync stamp handed out so
 * far), is stamped just after it: later than every sync that missed it,
 * and otherwise as old as it can be, so that an edit made after those
 * syncs still wins (S7). -1 on error.
 */
static int
sm_arrive(struct sync_master *sm, struct record *up, const struct record *m)
{
	struct field	*f;
	const char	*mv;
	uint64_t	 clock;
	size_t		 i;

	/* The clock as committed: takes in this round have not moved it. */
	if (store_meta_get_u64(sm->t, "clock", &clock) != 0)
		return -1;
	for (i = 0; i < up->nfields; i++) {
		f = &up->fields[i];
		mv = record_get(m, f->name);
		if (f->stamp > clock ||
		    (mv != NULL && strcmp(mv, f->value) == 0))
			continue;
		f->stamp = clock + 1;
		if (up->modified < f->stamp)
			up->modified = f->stamp;
	}
	return 0;
}

/*
 * The number of live records of any type that refer to id and changed on
 * the master since the local's last sync, and the type of the first ones.
 */
static int
sm_linked_since(struct sync_master *sm, const struct record_id *id,
    int *type, unsigned long *count)
{
	struct store_cursor	*c;
	struct record		*r;
	int			 i, ret;

	*count = 0;
	for (i = 0; i < MODEL_NTYPES; i++) {
		if (store_cursor_open(sm->t, (size_t)i, STORE_BY_REF, 0,
		    &c) != 0)
			return -1;
		store_cursor_seek(c, id->b, RECORD_ID_SIZE, 1);
		while ((ret = store_cursor_next(c, &r)) == 0) {
			if (r->seq > sm->last_seq)
				(*count)++;
			record_free(r);
		}
		store_cursor_close(c);
		if (ret == -1)
			return -1;
		if (*count > 0) {
			*type = i;
			return 0;
		}
	}
	return 0;
}

/* Write a decided record and tell the local it is taken. */
static int
sm_take(struct sync_master *sm, int type, struct record *up)
{
	struct record	*d;

	store_observe(sm->t, up->modified);
	sync_fault_tick();
	if (store_put(sm->t, (size_t)type, up, 0) != 0)
		return -1;
	d = sm_for_local(sm, type, up);
	sm_verdict(sm, type, &up->id, SYNC_V_SENT, d, NULL);
	record_free(d);
	return 0;
}

/* The new version of a record the local sent: its authorship the master's (T3). */
static struct record *
sm_authored(struct sync_master *sm, const struct record *l,
    const struct record *m)
{
	struct record	*up = record_dup(l);

	up->flags &= RECORD_DELETED;
	up->seq = 0;
	if (m != NULL) {
		up->created = m->created;
		memcpy(up->created_by, m->created_by, sizeof up->created_by);
	} else
		snprintf(up->created_by, sizeof up->created_by, "%s",
		    sm->user.uid);
	snprintf(up->modified_by, sizeof up->modified_by, "%s", sm->user.uid);
	return up;
}

/* A tombstone of m for a deletion the local made (T3: from the master's). */
static struct record *
sm_tombstone(struct sync_master *sm, int type, const struct record *m,
    const struct record *l)
{
	const struct store_schema	*sc = &model_schema[type];
	const char			*keep[10];
	struct record			*r = record_dup(m);
	int				 i, n = 0;

	for (i = 0; i < 5 && sc->ref_fields[i] != NULL; i++)
		keep[n++] = sc->ref_fields[i];
	for (i = 0; i < 3 && sc->owner_fields[i] != NULL; i++)
		keep[n++] = sc->owner_fields[i];
	keep[n] = NULL;
	record_strip(r, keep);
	r->flags = RECORD_DELETED;
	r->seq = 0;
	r->modified = l->modified > m->modified ? l->modified : m->modified;
	snprintf(r->modified_by, sizeof r->modified_by, "%s", sm->user.uid);
	return r;
}

/*
 * Whether the file of an accepted document or template is in hand: the
 * content the local sent with l (checked against l's hash, T7), or the
 * master's own (m is the master's record, NULL for a new one) when up
 * names it (the master's won a merge) or nothing was sent. 1 yes, 0
 * refused (error set), -1.
 */
static int
sm_content(struct sync_master *sm, int type, const struct record *l,
    const struct record *m, struct record *up)
{
	const char	*hex = sm->pend_hex;
	const char	*claim = record_value(l, "hash");
	const char	*want = record_value(up, "hash");
	char		 size[32];

	if (!sm_has_file(type) || (up->flags & RECORD_DELETED))
		return 1;
	if (sm->pend_tmp == NULL) {
		/*
		 * Not sent: the master's own must be the file the record
		 * names. A record that names another file (a new hash or
		 * size) without its content would say what the master does
		 * not have (T7): refused. One that names none (a template
		 * without text yet), or the master's file as it was, keeps
		 * what the master has, even missing (then counted).
		 */
		if (sm_file_ok(sm, type, up))
			return 1;
		if (*want == '\0' || (m != NULL &&
		    strcmp(record_value(m, "hash"), want) == 0 &&
		    strcmp(record_value(m, "size"),
		    record_value(up, "size")) == 0)) {
			sm->counts[type].files_missing++;
			return 1;
		}
		error_set("its file did not come with it (the record says "
		    "SHA-256 %s): the master refused it", *want != '\0' ?
		    want : "none");
		return 0;
	}
	snprintf(size, sizeof size, "%llu", (unsigned long long)sm->pend_size);
	if (*claim != '\0' && strcmp(hex, claim) != 0) {
		error_set("its file does not match its SHA-256 (%s, the "
		    "record says %s): the master refused it", hex, claim);
		return 0;
	}
	if (*claim != '\0' && type == MODEL_DOCUMENT &&
	    strcmp(record_value(l, "size"), size) != 0) {
		error_set("its file has %s bytes, the record says %s: the "
		    "master refused it", size, record_value(l, "size"));
		return 0;
	}
	/* A record with no hash yet: the master says what it is. */
	if (*want == '\0') {
		record_set(up, "hash", hex, up->modified);
		if (type == MODEL_DOCUMENT)
			record_set(up, "size", size, up->modified);
		want = record_value(up, "hash");
	}
	if (strcmp(want, hex) == 0)
		return 1;
	/* The master's version won: its own file stays. */
	sm_pend_clear_file(sm);
	if (!sm_file_ok(sm, type, up))
		sm->counts[type].files_missing++;
	return 1;
}

/* Stage the content just checked, to be put in place at the commit. */
static void
sm_stage(struct sync_master *sm, int type, const struct record_id *id)
{
	if (sm->pend_tmp == NULL)
		return;
	sm->stage = xreallocarray(sm->stage, sm->nstage + 1,
	    sizeof *sm->stage);
	sm->stage[sm->nstage].type = type;
	sm->stage[sm->nstage].id = *id;
	sm->stage[sm->nstage].tmp = sm->pend_tmp;
	sm->nstage++;
	sm->pend_tmp = NULL;
	sm->counts[type].files++;
}

/* Whether any file of the master holds a record (or tombstone) with id. */
static int
sm_id_taken(struct sync_master *sm, const struct record_id *id)
{
	struct record	*r;
	int		 i, ret;

	for (i = 0; i < MODEL_NTYPES; i++) {
		if ((ret = store_get(sm->t, (size_t)i, id, &r)) == -1)
			return -1;
		if (ret == 0) {
			record_free(r);
			return 1;
		}
	}
	return 0;
}

/*
 * Decide one record the local sent (its outbox): write the master, tell
 * the local what to hold, log what is lost. 0, or -1 for a store error.
 */
static int
sm_decide(struct sync_master *sm, int type, struct record *l)
{
	struct sync_counts	*n = &sm->counts[type];
	const struct user	*u = &sm->user;
	struct record		*m = NULL, *up = NULL, *d;
	struct sync_counts	 before = *n;
	size_t			 mark = sm->qn;
	int			 ret, in, scope, any, dtype = 0;
	unsigned long		 count;
	char			*why = NULL, *note;

	l->flags &= RECORD_DELETED;
	l->seq = 0;
	if (type == MODEL_USER) {
		/* T2: users are the master's alone. */
		if ((ret = store_get(sm->t, MODEL_USER, &l->id, &m)) == -1)
			return -1;
		n->refused_invalid++;
		sm_refuse(sm, type, l, m, m != NULL, "users are managed on "
		    "the master: an administrator changes them there");
		record_free(m);
		return 0;
	}
	if ((ret = store_get(sm->t, (size_t)type, &l->id, &m)) == -1)
		return -1;

	if (m == NULL) {
		if (l->flags & RECORD_DELETED) {
			/* Made and deleted here: nothing to say. */
			sm_verdict(sm, type, &l->id, SYNC_V_NONE, NULL, NULL);
			return 0;
		}
		/* An ID is one record's, whatever its type. */
		if ((ret = sm_id_taken(sm, &l->id)) != 0) {
			if (ret == -1)
				return -1;
			n->refused_invalid++;
			sm_refuse(sm, type, l, NULL, 0, "its ID is another "
			    "record's on the master: the master refused it");
			return 0;
		}
		up = sm_authored(sm, l, NULL);
		sm_clamp(sm, type, up);
		if (!sm_change_allowed(sm, type, up, NULL)) {
			n->refused_scope++;
			why = xstrdup(error_get());
			sm_refuse(sm, type, l, NULL, 0, why);
			goto out;
		}
		if ((ret = sm_check(sm, type, l, NULL, up, &scope)) == -1)
			goto fail;
		if (ret == 0) {
			if (scope)
				n->refused_scope++;
			else
				n->refused_invalid++;
			why = xstrdup(error_get());
			sm_refuse(sm, type, l, NULL, 0, why);
			goto out;
		}
		if ((ret = sm_content(sm, type, l, NULL, up)) != 1) {
			if (ret == -1)
				goto fail;
			n->refused_invalid++;
			why = xstrdup(error_get());
			sm_refuse(sm, type, l, NULL, 0, why);
			goto out;
		}
		if (sm_take(sm, type, up) != 0)
			goto fail;
		sm_stage(sm, type, &up->id);
		n->uploaded++;
		goto out;
	}

	if ((in = rights_in_scope(sm->t, u, type, m)) == -1)
		goto fail;
	if (!in) {
		/* S15, S16: someone else's now, or never the user's (T6). */
		n->refused_scope++;
		sm_refuse(sm, type, l, m, 0, "left your scope: its account "
		    "manager changed");
		goto out;
	}
	if (m->flags & RECORD_DELETED) {
		/* Deletions made on the master always propagate. */
		if ((l->flags & RECORD_DELETED) == 0) {
			sm_log_local(sm, type, l, NULL, "deleted on the master");
			/* Edited since: the whole record, to make it again. */
			if (l->modified > sm->last_stamp)
				sm_log_whole(sm, type, l, "deleted on the master");
		}
		d = sm_for_local(sm, type, m);
		sm_verdict(sm, type, &l->id, SYNC_V_BACK, d, NULL);
		record_free(d);
		n->deleted++;
		goto out;
	}
	if (l->flags & RECORD_DELETED) {
		if (!rights_may_delete(u, type, m)) {
			/* S12: the record comes back, and the report says so. */
			n->refused_delete++;
			why = xstrdup(error_get());
			note = sm_note(type, l, why);
			sm_conflict(sm, type, &l->id, "*", "kept", "deleted",
			    u->uid, l->modified, why);
			d = sm_for_local(sm, type, m);
			sm_verdict(sm, type, &l->id, SYNC_V_BACK, d, note);
			record_free(d);
			free(note);
			goto out;
		}
		if (m->seq > sm->last_seq && (sm->stale ||
		    sm_untrusted(sm, l->modified) ||
		    m->modified > l->modified)) {
			/* A newer edit on the master beats the deletion. */
			n->lost++;
			sm_conflict(sm, type, &l->id, "*", "kept", "deleted",
			    u->uid, l->modified, sm->stale ? "update window "
			    "passed: the master won" : "the record was changed "
			    "on the master after you deleted it");
			d = sm_for_local(sm, type, m);
			sm_verdict(sm, type, &l->id, SYNC_V_BACK, d, NULL);
			record_free(d);
			goto out;
		}
		/*
		 * Something was linked to it since the local's last sync (a
		 * document attached in another local): as a local refuses to
		 * delete a record that still has dependants, so does the
		 * master, rather than leave them hanging from a deleted
		 * record. It comes back. Those the local knew of, it deleted
		 * too: their deletions follow in this sync.
		 */
		if (sm_linked_since(sm, &m->id, &dtype, &count) != 0)
			goto fail;
		if (count > 0) {
			n->refused_delete++;
			xasprintf(&why, "it has %lu %s on the master, linked to "
			    "it since your last sync: delete or move %s first", count,
			    count == 1 ? model_type(dtype)->name :
			    model_type(dtype)->plural, count == 1 ? "it" :
			    "them");
			note = sm_note(type, l, why);
			sm_conflict(sm, type, &l->id, "*", "kept", "deleted",
			    u->uid, l->modified, why);
			d = sm_for_local(sm, type, m);
			sm_verdict(sm, type, &l->id, SYNC_V_BACK, d, note);
			record_free(d);
			free(note);
			goto out;
		}
		up = sm_tombstone(sm, type, m, l);
		sm_clamp(sm, type, up);
		if (sm_take(sm, type, up) != 0)
			goto fail;
		n->deleted++;
		goto out;
	}
	if (m->seq <= sm->last_seq) {
		/* S6: only the local changed it. */
		up = sm_authored(sm, l, m);
		any = 0;
	} else {
		/* S7: both changed it. */
		up = sm_merge(sm, type, l, m);
		any = 1;
	}
	sm_clamp(sm, type, up);
	/* What the upload changes, not what the local's copy says (B1). */
	scope = 1;
	if ((ret = sm_change_allowed(sm, type, up, m)) == 1 &&
	    (ret = sm_check(sm, type, l, m, up, &scope)) == 1)
		ret = sm_content(sm, type, l, m, up);
	if (ret == -1)
		goto fail;
	if (ret == 0) {
		/* The merge's entries and counts are taken back with it. */
		sm_unpush(sm, mark);
		*n = before;
		if (scope)
			n->refused_scope++;
		else
			n->refused_invalid++;
		why = xstrdup(error_get());
		sm_refuse(sm, type, l, m, 1, why);
		goto out;
	}
	if (sm_arrive(sm, up, m) != 0 || sm_take(sm, type, up) != 0)
		goto fail;
	sm_stage(sm, type, &up->id);
	if (!any)
		n->uploaded++;
out:
	free(why);
	record_free(m);
	record_free(up);
	return 0;
fail:
	free(why);
	record_free(m);
	record_free(up);
	return -1;
}

/* ---------------------------------------------------------------------
 * The feed: what changed on the master since the last sync.
 */

static int
sm_id_cmp(const void *a, const void *b)
{
	return record_id_cmp(a, b);
}

static int
sm_done(struct sync_master *sm, const struct record_id *id)
{
	if (!sm->sorted) {
		if (sm->ndone > 0)
			qsort(sm->done, sm->ndone, sizeof *sm->done, sm_id_cmp);
		sm->sorted = 1;
	}
	return sm->ndone > 0 && bsearch(id, sm->done, sm->ndone,
	    sizeof *id, sm_id_cmp) != NULL;
}

/* Send down the in-scope records hanging from one that came into scope. */
static int
sm_pull_tree(struct sync_master *sm, const struct record *r, int depth)
{
	struct store_cursor	*c;
	struct record		*m, *d;
	int			 i, ret, in;

	for (i = 0; i < MODEL_NTYPES && depth < 4; i++) {
		if (store_cursor_open(sm->t, (size_t)i, STORE_BY_REF, 0,
		    &c) != 0)
			return -1;
		store_cursor_seek(c, r->id.b, RECORD_ID_SIZE, 1);
		while ((ret = store_cursor_next(c, &m)) == 0) {
			in = m->seq <= sm->upto ? rights_in_scope(sm->t,
			    &sm->user, i, m) : 0;
			if (in == 1) {
				d = sm_for_local(sm, i, m);
				sm_feed(sm, i, d);
				record_free(d);
				in = sm_pull_tree(sm, m, depth + 1) == 0 ? 0 : -1;
			}
			record_free(m);
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

/* The counts of a file, and the file is done. */
static void
sm_end_file(struct sync_master *sm)
{
	struct wire_out	o = { 0 };
	int		i;

	wire_uint(&o, (uint64_t)sm->cur);
	wire_uint(&o, SYNC_NCOUNTS);
	for (i = 0; i < SYNC_NCOUNTS; i++)
		wire_uint(&o, *sync_count_at(&sm->counts[sm->cur], i));
	sm_push(sm, WIRE_M_END, &o);
	store_cursor_close(sm->c);
	sm->c = NULL;
	sm->walk = 0;
	sm->ndone = 0;
	sm->sorted = 0;
	sm->cur++;
}

/*
 * One step of the feed of file cur: a change of the master's sequence
 * from the last sync (in scope: down it goes; out of it: nothing, unless
 * the journal says the user held it), then the journal's routes. Queues
 * what it finds; 1 while there is more, 0 at the end, -1.
 */
static int
sm_feed_step(struct sync_master *sm)
{
	const struct user	*u = &sm->user;
	struct record		*m, *cur, *d;
	uint8_t			 from[8];
	uint64_t		 start;
	int			 ret, was, now;

	if (sm->walk == 0) {
		if (sm->c == NULL) {
			if (store_cursor_open(sm->t, (size_t)sm->cur,
			    STORE_BY_SEQ, 0, &sm->c) != 0)
				return -1;
			store_be64(from, sm->last_seq + 1);
			store_cursor_seek(sm->c, from, 8, 0);
		}
		if ((ret = store_cursor_next(sm->c, &m)) == -1)
			return -1;
		if (ret == 0 && m->seq <= sm->upto) {
			if (!sm_done(sm, &m->id)) {
				if ((now = rights_in_scope(sm->t, u, sm->cur,
				    m)) == -1) {
					record_free(m);
					return -1;
				}
				if (now) {
					d = sm_for_local(sm, sm->cur, m);
					sm_feed(sm, sm->cur, d);
					record_free(d);
				} else if (sm->last_seq < sm->journal_from)
					/* Before the journal: it may be theirs. */
					sm_id_frame(sm, WIRE_M_LEFT, sm->cur,
					    &m->id);
			}
			record_free(m);
			return 1;
		}
		if (ret == 0)
			record_free(m);
		store_cursor_close(sm->c);
		sm->c = NULL;
		sm->walk = 1;
		/* Everyone else sees everything; a first sync gets it all. */
		if (!rights_limited(u) || sm->last_seq == 0)
			return 0;
	}
	if (sm->c == NULL) {
		if (store_cursor_open(sm->t, (size_t)sm->cur, STORE_BY_JOURNAL,
		    0, &sm->c) != 0)
			return -1;
		start = sm->last_seq > sm->journal_from ? sm->last_seq :
		    sm->journal_from;
		store_be64(from, start + 1);
		store_cursor_seek(sm->c, from, 8, 0);
	}
	if ((ret = store_cursor_next(sm->c, &m)) == -1)
		return -1;
	if (ret != 0 || m->seq > sm->upto) {
		if (ret == 0)
			record_free(m);
		return 0;
	}
	/* m holds the route a write replaced: was the user's, is not? */
	if ((ret = store_get(sm->t, (size_t)sm->cur, &m->id, &cur)) == -1 ||
	    (was = rights_in_scope(sm->t, u, sm->cur, m)) == -1) {
		record_free(m);
		return -1;
	}
	now = ret == 0 ? rights_in_scope(sm->t, u, sm->cur, cur) : 0;
	if (now == -1)
		ret = -1;
	else if (was && !now)
		sm_id_frame(sm, WIRE_M_LEFT, sm->cur, &m->id);
	else if (!was && now && (cur->flags & RECORD_DELETED) == 0 &&
	    (sm->cur == MODEL_COMPANY || sm->cur == MODEL_CONTACT))
		ret = sm_pull_tree(sm, cur, 0);
	else
		ret = 0;
	if (cur != NULL && ret != STORE_NOTFOUND)
		record_free(cur);
	record_free(m);
	return ret == -1 ? -1 : 1;
}

/* A file's first and last IDs, for a load's progress. */
static int
sm_range(struct sync_master *sm)
{
	struct store_cursor	*c;
	struct record		*r;
	struct record_id	 ends[2];
	struct wire_out		 o = { 0 };
	int			 i, ret;

	memset(ends, 0, sizeof ends);
	for (i = 0; i < 2; i++) {
		if (store_cursor_open(sm->t, (size_t)sm->cur, STORE_BY_ID,
		    STORE_CURSOR_DELETED, &c) != 0)
			return -1;
		ret = i == 0 ? store_cursor_next(c, &r) :
		    store_cursor_prev(c, &r);
		store_cursor_close(c);
		if (ret == -1)
			return -1;
		if (ret == 0) {
			ends[i] = r->id;
			record_free(r);
		}
	}
	wire_uint(&o, (uint64_t)sm->cur);
	wire_id(&o, &ends[0]);
	wire_id(&o, &ends[1]);
	sm_push(sm, WIRE_M_RANGE, &o);
	return 0;
}

/* One step of a load or a verify: the next in-scope record of file cur. */
static int
sm_walk_step(struct sync_master *sm)
{
	struct record	*m, *d;
	struct wire_out	 o = { 0 };
	uint8_t		 digest[SYNC_DIGEST];
	int		 ret, in;

	if (sm->c == NULL) {
		if (sm->mode == SYNC_MODE_LOAD && sm_range(sm) != 0)
			return -1;
		/* A load hears of deletions too: the local may hold them. */
		if (store_cursor_open(sm->t, (size_t)sm->cur, STORE_BY_ID,
		    sm->mode == SYNC_MODE_LOAD ? STORE_CURSOR_DELETED : 0,
		    &sm->c) != 0)
			return -1;
	}
	if ((ret = store_cursor_next(sm->c, &m)) != 0)
		return ret == STORE_NOTFOUND ? 0 : -1;
	in = m->seq > sm->upto ? 0 : rights_in_scope(sm->t, &sm->user,
	    sm->cur, m);
	if (in == 1) {
		d = sm_for_local(sm, sm->cur, m);
		if (sm->mode == SYNC_MODE_LOAD)
			sm_feed(sm, sm->cur, d);
		else {
			sync_digest(d, digest);
			wire_uint(&o, (uint64_t)sm->cur);
			wire_id(&o, &d->id);
			wire_bytes(&o, digest, sizeof digest);
			sm_push(sm, WIRE_M_DIGEST, &o);
		}
		record_free(d);
	}
	record_free(m);
	return in == -1 ? -1 : 1;
}

/* ---------------------------------------------------------------------
 * HELLO: attach, check, log in.
 */

static uint64_t	(*sm_clock)(void);

void
sync_master_clock(uint64_t (*now)(void))
{
	sm_clock = now;
}

/*
 * The master's time of this sync. Under crm serve, its host's clock.
 * Attached over the network, the laptop's clock may be wrong, but the
 * master's lock file was just written on the master's own disk: its
 * modification time is the server's.
 */
static uint64_t
sm_master_ms(struct sync_master *sm)
{
	struct stat	 sb;
	char		*path;
	uint64_t	 ms;

	if (sm_clock != NULL)
		return sm_clock();
	if (sm->service)
		return clock_now_ms();
	path = store_path(sm->st, "lock");
	if (stat(path, &sb) == 0)
		ms = (uint64_t)sb.st_mtim.tv_sec * 1000 +
		    (uint64_t)sb.st_mtim.tv_nsec / 1000000;
	else
		ms = clock_now_ms();
	free(path);
	return ms;
}

/* A setting of the master's own crm.conf, as an integer or text. */
static int
sm_setting(struct sync_master *sm, const char *key, char **value)
{
	if (cfg_peek(sm->dir, key, value) == -1) {
		error_prefix("the master's settings: ");
		return -1;
	}
	return 0;
}

int
sync_master_reach(const char *mdir)
{
	DIR		*d;
	struct dirent	*e;
	int		 empty = 1;

	if (access(mdir, F_OK) != 0) {
		error_set("cannot reach the master %s: check that it is mounted "
		    "(or that you are on the office network) and that the path "
		    "is right; nothing was changed", mdir);
		return -1;
	}
	/* A share that is not mounted leaves its mount point, empty. */
	if ((d = opendir(mdir)) == NULL)
		return 0;	/* what is wrong is said when it is opened */
	while (empty && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	}
	closedir(d);
	if (empty) {
		error_set("cannot reach the master %s: the directory is empty, "
		    "so not a master database: if it is a share, mount it (or "
		    "connect to the office network) and try again; nothing "
		    "was changed", mdir);
		return -1;
	}
	return 0;
}

/* Attach the master, saying so while another holds it. */
static int
sm_attach(struct sync_master *sm, int wait)
{
	struct wire_out	 o = { 0 };
	char		*holder, *role;
	int		 ret;

	if (sync_master_reach(sm->dir) != 0)
		return sm_fail(sm, SYNC_E_UNREACHABLE);
	if ((ret = cfg_peek(sm->dir, "db.role", &role)) == -1) {
		error_prefix("the master's settings: ");
		return sm_fail(sm, SYNC_E_FAIL);
	}
	if (ret == 0 || strcmp(role, "master") != 0) {
		error_set("%s is not a master database (%s): give the "
		    "directory of the master; nothing was changed", sm->dir,
		    ret == 0 ? "it has no crm.conf" : role);
		free(role);
		return sm_fail(sm, SYNC_E_UNREACHABLE);
	}
	free(role);
	if ((sm->st = model_open(sm->dir, STORE_MASTER, 0, 0)) != NULL)
		return 0;
	if ((holder = store_lock_holder(sm->dir)) == NULL)
		return sm_fail(sm, SYNC_E_FAIL);
	/* Who holds it, said first: the local waits, or says so and retries. */
	wire_str(&o, holder);
	sm_push(sm, WIRE_M_BUSY, &o);
	if (wait > 0)
		sm->st = model_open(sm->dir, STORE_MASTER, 0, wait);
	if (sm->st == NULL) {
		error_set("the master %s is in use by %s: try again when it "
		    "is done (nothing was changed)", sm->dir, holder);
		free(holder);
		return sm_fail(sm, SYNC_E_BUSY);
	}
	free(holder);
	return 0;
}

/*
 * Count each file's changes for the local's progress bars (B4): for a
 * restricted user, only those in their scope, since a count of the rest
 * would tell them how much of everyone else's there is (S15, T6).
 */
static void
sm_totals(struct sync_master *sm, struct wire_out *o)
{
	struct store_cursor	*c;
	struct record		*r;
	uint8_t			 from[8];
	uint64_t		 n;
	int			 type, ret, in;

	wire_uint(o, sm->progress ? MODEL_NTYPES : 0);
	for (type = 0; sm->progress && type < MODEL_NTYPES; type++) {
		n = 0;
		if (store_cursor_open(sm->t, (size_t)type, STORE_BY_SEQ, 0,
		    &c) == 0) {
			store_be64(from, sm->last_seq + 1);
			store_cursor_seek(c, from, 8, 0);
			while ((ret = store_cursor_next(c, &r)) == 0) {
				if (r->seq > sm->upto) {
					record_free(r);
					break;
				}
				in = !rights_limited(&sm->user) ||
				    rights_in_scope(sm->t, &sm->user, type,
				    r) == 1;
				record_free(r);
				if (in)
					n++;
			}
			error_clear();
			store_cursor_close(c);
		}
		wire_uint(o, n);
	}
}

static int
sm_hello(struct sync_master *sm, const struct wire_frame *f)
{
	struct wire_in	 in;
	struct wire_out	 o = { 0 };
	struct store_txn *t;
	struct record	*own = NULL, *d;
	uint64_t	 mode, wait, flags, lclock;
	char		*password = NULL, *claim = NULL, *program = NULL;
	char		*v, id[64];
	struct record_id idparsed;
	size_t		 len = sizeof id - 1;
	int		 ret, idret, ok;

	wire_in_init(&in, f);
	if (wire_get_max(&in, SYNC_MODE_CHECK, &mode) != 0 ||
	    wire_get_str(&in, &sm->login) != 0 ||
	    wire_get_str(&in, &password) != 0 ||
	    wire_get_str(&in, &claim) != 0 ||
	    wire_get_uint(&in, &sm->last_seq) != 0 ||
	    wire_get_uint(&in, &sm->last_stamp) != 0 ||
	    wire_get_uint(&in, &sm->last_time) != 0 ||
	    wire_get_uint(&in, &lclock) != 0 ||
	    wire_get_max(&in, 86400, &wait) != 0 ||
	    wire_get_uint(&in, &flags) != 0 ||
	    wire_get_uint(&in, &sm->local_model) != 0 ||
	    wire_get_str(&in, &program) != 0 || wire_in_end(&in) != 0)
		goto fail;
	sm->mode = (enum sync_mode)mode;
	sm->progress = (flags & 1) != 0;

	/* crm serve --user: the key this came through is one login's. */
	if (sm->only_login != NULL && strcmp(sm->login,
	    sm->only_login) != 0) {
		error_set("this key may sync only as %s, not as %s: use the "
		    "local made for %s, or ask the administrator for a key "
		    "of your own", sm->only_login, sm->login, sm->only_login);
		goto fail;
	}
	if (sm_attach(sm, (int)wait) != 0) {
		ret = -1;
		goto out;
	}
	sm_sweep(sm);
	if (store_begin_read(sm->st, &t) != 0)
		goto fail;
	ret = idret = store_meta_get(t, "id", id, &len);
	if (ret == 0)
		ret = store_meta_get_u64(t, "seq", &sm->upto);
	if (ret == 0)
		ret = store_meta_get_u64(t, "journal_from", &sm->journal_from);
	if (ret == 0 && (ret = user_find_login(t, sm->login,
	    &sm->user)) == 0) {
		sm->have_user = 1;
		ret = store_get(t, MODEL_USER, &sm->user.id, &own);
	}
	store_abort(t);
	if (ret == -1)
		goto fail;
	id[idret == 0 ? len : 0] = '\0';
	/*
	 * A master's ID is a record ID's text: anything else is damage to
	 * its meta.db, not another master.
	 */
	if (idret != 0 || record_id_parse(id, &idparsed) != 0) {
		error_set("%s/meta.db is damaged: the master's ID cannot be "
		    "read from it, so no local can tell it is its master; "
		    "nothing was changed: restore the master from a backup",
		    sm->dir);
		goto fail;
	}
	/* S2: which master this is says nothing of anyone: it comes first. */
	if (mode != SYNC_MODE_INIT && strcmp(claim, id) != 0) {
		error_set("%s is not the master this local was made from "
		    "(it is %s, the local's is %s): nothing was changed; "
		    "check the master's location (db.master)", sm->dir, id,
		    *claim != '\0' ? claim : "none");
		goto fail;
	}
	/* T1: the master's users, the same answer for a login it lacks. */
	ok = sm->have_user && ret == 0 && user_verify(&sm->user, password);
	if (!ok) {
		error_set("login refused for %s by the master: wrong login or "
		    "password", sm->login);
		goto fail;
	}
	if (!sm->service && rights_limited(&sm->user)) {
		if (sm_setting(sm, "sync.restricted_attach", &v) != 0)
			goto fail;
		ret = strcmp(v, "true") == 0;
		free(v);
		if (!ret) {
			error_set("%s is a restricted user: restricted users "
			    "sync through the sync service (db.master as "
			    "HOST:%s), never by opening the master's files; "
			    "nothing was changed", sm->login, sm->dir);
			goto fail;
		}
	}
	if (sm_setting(sm, "sync.update_window_days", &v) != 0)
		goto fail;
	sm->window_days = atoi(v);
	free(v);
	if (sm_setting(sm, "sync.granularity", &v) != 0)
		goto fail;
	sm->record_level = strcmp(v, "record") == 0;
	free(v);
	sm->master_ms = sm_master_ms(sm);
	/* What the local says of itself, within what the master knows. */
	if (sm->last_seq > sm->upto)
		sm->last_seq = sm->upto;
	if (sm->mode == SYNC_MODE_LOAD)
		sm->last_seq = 0;
	sm->stale = sm->window_days > 0 && sm->last_time != 0 &&
	    sm->master_ms > sm->last_time && sm->master_ms - sm->last_time >
	    (uint64_t)sm->window_days * 86400000;
	(void)lclock;

	if (store_begin_read(sm->st, &sm->t) != 0)
		goto fail;
	wire_str(&o, id);
	if (sm_setting(sm, "db.name", &v) != 0)
		goto fail;
	wire_str(&o, v);
	free(v);
	d = sm_for_local(sm, MODEL_USER, own);
	wire_record(&o, d);
	record_free(d);
	wire_uint(&o, (uint64_t)sm->window_days);
	wire_uint(&o, (uint64_t)sm->record_level);
	wire_uint(&o, (uint64_t)sm->stale);
	wire_uint(&o, sm->upto);
	wire_uint(&o, sm->master_ms);
	sm_totals(sm, &o);
	sm_push(sm, WIRE_M_HELLO, &o);

	switch (sm->mode) {
	case SYNC_MODE_INIT:
	case SYNC_MODE_CHECK:
		store_abort(sm->t);
		sm->t = NULL;
		sm->state = SM_DONE;
		break;
	case SYNC_MODE_LOAD:
	case SYNC_MODE_VERIFY:
		sm->state = SM_WALK;
		break;
	default:
		sm->state = SM_UP;
		break;
	}
	ret = 0;
out:
	record_free(own);
	if (password != NULL)
		explicit_bzero(password, strlen(password));
	free(password);
	free(claim);
	free(program);
	return ret;
fail:
	record_free(own);
	if (password != NULL)
		explicit_bzero(password, strlen(password));
	free(password);
	free(claim);
	free(program);
	return sm_fail(sm, SYNC_E_FAIL);
}

/* ---------------------------------------------------------------------
 * Rounds.
 */

static int
sm_ready(struct sync_master *sm)
{
	struct wire_out	o = { 0 };

	wire_uint(&o, (uint64_t)sm->final);
	sm_push(sm, WIRE_M_READY, &o);
	sm->state = SM_READY;
	return 0;
}

static int
sm_commit(struct sync_master *sm, const struct wire_frame *f)
{
	struct wire_in	 in;
	struct wire_out	 o = { 0 };
	uint64_t	 lclock, reset = 0, mclock, end_seq;
	int		 dry = sm->mode == SYNC_MODE_DRY ||
			    sm->mode == SYNC_MODE_VERIFY;

	wire_in_init(&in, f);
	if (wire_get_uint(&in, &lclock) != 0 || wire_in_end(&in) != 0)
		return sm_fail(sm, SYNC_E_FAIL);
	if (sm->final) {
		/* B2: both observe each other, a clock far ahead set back. */
		if (sm_untrusted(sm, lclock)) {
			lclock = clock_stamp_from_ms(sm->master_ms);
			reset = lclock;
		}
		store_observe(sm->t, lclock);
	}
	mclock = store_stamp(sm->t);
	end_seq = store_seq(sm->t);
	if (dry) {
		/* A dry run keeps one transaction, so later rounds see it. */
		if (sm->final) {
			store_abort(sm->t);
			sm->t = NULL;
		}
		sm_unstage(sm);
	} else {
		sync_fault_tick();
		if (store_commit(sm->t) != 0) {
			sm->t = NULL;
			return sm_fail(sm, SYNC_E_FAIL);
		}
		sm->t = NULL;
		if (sm_install(sm) != 0)
			return sm_fail(sm, SYNC_E_FAIL);
		/* A long sync up keeps the master's log small (a full disk). */
		if (!sm->final && store_checkpoint(sm->st) != 0)
			return sm_fail(sm, SYNC_E_FAIL);
		if (!sm->final && store_begin_read(sm->st, &sm->t) != 0)
			return sm_fail(sm, SYNC_E_FAIL);
	}
	wire_uint(&o, end_seq);
	wire_uint(&o, mclock);
	wire_uint(&o, reset);
	if (!sm->final) {
		sm_push(sm, WIRE_M_COMMITTED, &o);
		sm->round_ups = 0;
		sm->state = SM_UP;
		return 0;
	}
	/* The files the local asked for go before the last word. */
	if (sm->t == NULL && store_begin_read(sm->st, &sm->t) != 0)
		return sm_fail(sm, SYNC_E_FAIL);
	sm->committed = o;
	sm->state = SM_SEND;
	sm->ineed = 0;
	return 0;
}

/* ---------------------------------------------------------------------
 * Records sent up, and their content.
 */

static int
sm_up(struct sync_master *sm, const struct wire_frame *f)
{
	struct wire_in	 in;
	struct record	*l = NULL;
	char		 id[RECORD_ID_TEXT + 1];
	uint64_t	 type, content;
	int		 ret;

	wire_in_init(&in, f);
	if (wire_get_max(&in, MODEL_NTYPES - 1, &type) != 0 ||
	    wire_get_record(&in, &l) != 0 ||
	    wire_get_max(&in, 1, &content) != 0 || wire_in_end(&in) != 0) {
		record_free(l);
		return sm_fail(sm, SYNC_E_FAIL);
	}
	if ((int)type != sm->cur || record_id_is_zero(&l->id)) {
		error_set("the local sent a %s record out of order (the master "
		    "takes the %s now): the sync stopped, nothing of this "
		    "round was committed", model_type((int)type)->name,
		    sm->cur < MODEL_NTYPES ? model_type(sm->cur)->plural :
		    "end of the round");
		record_free(l);
		return sm_fail(sm, SYNC_E_FAIL);
	}
	if (++sm->round_ups > SYNC_ROUND) {
		error_set("the local sent more than %d records in one round: "
		    "the sync stopped, nothing of this round was committed",
		    SYNC_ROUND);
		record_free(l);
		return sm_fail(sm, SYNC_E_FAIL);
	}
	if (sm->ndone == sm->capdone) {
		sm->capdone = sm->capdone == 0 ? 64 : sm->capdone * 2;
		sm->done = xreallocarray(sm->done, sm->capdone,
		    sizeof *sm->done);
	}
	sm->done[sm->ndone++] = l->id;
	sm->sorted = 0;
	if (content) {
		if (!sm_has_file((int)type)) {
			error_set("the local sent a file with a %s: the sync "
			    "stopped", model_type((int)type)->name);
			record_free(l);
			return sm_fail(sm, SYNC_E_FAIL);
		}
		record_id_format(&l->id, id);
		xasprintf(&sm->pend_tmp, "%s/%s/%s.up-%ld", sm->dir,
		    sm_subdir((int)type), id, (long)getpid());
		unlink(sm->pend_tmp);
		/* Sealed as it comes if the master has a key (seal.h). */
		sm->pend_out = document_out_new(sm->dir, (int)type, &l->id,
		    sm->pend_tmp);
		if (sm->pend_out == NULL) {
			free(sm->pend_tmp);
			sm->pend_tmp = NULL;
			record_free(l);
			return sm_fail(sm, SYNC_E_FAIL);
		}
		sm->pend_size = 0;
		sm->pend = l;
		sm->pend_type = (int)type;
		sm->state = SM_CONTENT;
		return 0;
	}
	ret = sm_decide(sm, (int)type, l);
	record_free(l);
	return ret == 0 ? 0 : sm_fail(sm, SYNC_E_FAIL);
}

static int
sm_data(struct sync_master *sm, const struct wire_frame *f)
{
	if (document_out_write(sm->pend_out, f->data, f->len) != 0) {
		if (errno == ENOSPC)
			error_set("cannot write %s: the master's disk is full; "
			    "free some space there and sync again",
			    sm->pend_tmp);
		return sm_fail(sm, SYNC_E_FAIL);
	}
	return 0;
}

static int
sm_data_end(struct sync_master *sm)
{
	struct document_out	*out = sm->pend_out;
	off_t			 size;
	int			 ret;

	sm->pend_out = NULL;
	if (document_out_finish(out, sm->pend_hex, &size) != 0)
		return sm_fail(sm, SYNC_E_FAIL);
	sm->pend_size = (uint64_t)size;
	ret = sm_decide(sm, sm->pend_type, sm->pend);
	/* Refused, or a deletion after all: the content goes. */
	sm_pend_clear(sm);
	sm->state = SM_UP;
	return ret == 0 ? 0 : sm_fail(sm, SYNC_E_FAIL);
}

static int
sm_need(struct sync_master *sm, const struct wire_frame *f)
{
	struct wire_in	in;
	uint64_t	type;
	struct sm_file	*n;

	sm->need = xreallocarray(sm->need, sm->nneed + 1, sizeof *sm->need);
	n = &sm->need[sm->nneed];
	memset(n, 0, sizeof *n);
	wire_in_init(&in, f);
	if (wire_get_max(&in, MODEL_NTYPES - 1, &type) != 0 ||
	    wire_get_id(&in, &n->id) != 0 || wire_in_end(&in) != 0)
		return sm_fail(sm, SYNC_E_FAIL);
	n->type = (int)type;
	sm->nneed++;
	return 0;
}

/*
 * One step of sending the files the local asked for: a FILE frame, a
 * piece of content, or its end. Only the file of a live record in the
 * user's scope goes (T7: an ID is not a key). 1 while there is more.
 */
static int
sm_send_step(struct sync_master *sm)
{
	struct wire_out	 o = { 0 };
	struct sm_file	*n;
	struct record	*r = NULL;
	uint8_t		 buf[WIRE_CHUNK];
	ssize_t		 got;
	int		 ret, ok = 0;

	if (sm->send_in != NULL) {
		/*
		 * A file that cannot be read (or is damaged) ends here: the
		 * local finds it does not match its hash and keeps nothing.
		 */
		got = document_in_read(sm->send_in, buf, sizeof buf);
		if (got > 0) {
			/* DATA is the content itself, no field around it. */
			o.p = xmalloc((size_t)got);
			memcpy(o.p, buf, (size_t)got);
			o.len = o.cap = (size_t)got;
			sm_push(sm, WIRE_DATA, &o);
			return 1;
		}
		error_clear();
		document_in_close(sm->send_in);
		sm->send_in = NULL;
		sm_push(sm, WIRE_DATA_END, &o);
		sm->ineed++;
		return 1;
	}
	if (sm->ineed == sm->nneed)
		return 0;
	n = &sm->need[sm->ineed];
	if (sm_has_file(n->type) && (ret = store_get(sm->t, (size_t)n->type,
	    &n->id, &r)) == 0) {
		ok = (r->flags & RECORD_DELETED) == 0 &&
		    rights_in_scope(sm->t, &sm->user, n->type, r) == 1;
		record_free(r);
	}
	error_clear();
	/* Never through a link (T7); unsealed if the master is sealed. */
	if (ok && document_in_open(sm->dir, n->type, &n->id, NULL,
	    &sm->send_in) != 0)
		sm->send_in = NULL;
	error_clear();
	wire_uint(&o, (uint64_t)n->type);
	wire_id(&o, &n->id);
	wire_uint(&o, sm->send_in != NULL);
	sm_push(sm, WIRE_M_FILE, &o);
	if (sm->send_in == NULL)
		sm->ineed++;
	return 1;
}

/* ---------------------------------------------------------------------
 * The half itself.
 */

static int
sm_fail(struct sync_master *sm, int code)
{
	char	*msg = xstrdup(error_get());

	sm_error(sm, code, msg);
	store_cursor_close(sm->c);
	sm->c = NULL;
	store_abort(sm->t);
	sm->t = NULL;
	sm_pend_clear(sm);
	sm_unstage(sm);
	document_in_close(sm->send_in);
	sm->send_in = NULL;
	sm->state = SM_DONE;
	error_set("%s", msg);
	free(msg);
	return -1;
}

struct sync_master *
sync_master_new(const char *dir, const char *only_login, int service)
{
	struct sync_master	*sm;

	sm = xcalloc(1, sizeof *sm);
	sm->dir = xstrdup(dir);
	sm->only_login = only_login != NULL ? xstrdup(only_login) : NULL;
	sm->service = service;
	sm->state = SM_HELLO;
	sm->pend_out = NULL;
	sm->send_in = NULL;
	return sm;
}

static int
sm_unexpected(struct sync_master *sm, const struct wire_frame *f,
    const char *want)
{
	error_set("the local sent a %s frame where the master expected %s: "
	    "the sync stopped, nothing of this round was committed",
	    wire_type_name(f->type), want);
	return sm_fail(sm, SYNC_E_FAIL);
}

int
sync_master_put(struct sync_master *sm, const struct wire_frame *f)
{
	struct wire_in	in;
	uint64_t	v;

	if (sm->state == SM_DONE) {
		error_set("the sync is over: %s came after its end",
		    wire_type_name(f->type));
		return -1;
	}
	if (!wire_from_local(f->type))
		return sm_unexpected(sm, f, "a frame of the local's");
	switch (sm->state) {
	case SM_HELLO:
		if (f->type != WIRE_L_HELLO)
			return sm_unexpected(sm, f, "HELLO");
		return sm_hello(sm, f);
	case SM_UP:
		switch (f->type) {
		case WIRE_L_UP:
			return sm_up(sm, f);
		case WIRE_L_END:
			wire_in_init(&in, f);
			if (wire_get_max(&in, MODEL_NTYPES - 1, &v) != 0 ||
			    wire_in_end(&in) != 0)
				return sm_fail(sm, SYNC_E_FAIL);
			if ((int)v != sm->cur)
				return sm_unexpected(sm, f, "the end of the "
				    "file under way");
			sm->state = SM_FEED;
			return 0;
		case WIRE_L_ROUND:
			wire_in_init(&in, f);
			if (wire_get_max(&in, 1, &v) != 0 ||
			    wire_in_end(&in) != 0)
				return sm_fail(sm, SYNC_E_FAIL);
			if (v && sm->cur != MODEL_NTYPES)
				return sm_unexpected(sm, f, "the end of every "
				    "file before the last round");
			sm->final = (int)v;
			return sm_ready(sm);
		default:
			return sm_unexpected(sm, f, "UP, END or ROUND");
		}
	case SM_CONTENT:
		if (f->type == WIRE_DATA)
			return sm_data(sm, f);
		if (f->type == WIRE_DATA_END)
			return sm_data_end(sm);
		return sm_unexpected(sm, f, "the content of a file");
	case SM_READY:
		if (f->type == WIRE_L_NEED && sm->final)
			return sm_need(sm, f);
		if (f->type == WIRE_L_COMMIT)
			return sm_commit(sm, f);
		return sm_unexpected(sm, f, "COMMIT");
	default:
		return sm_unexpected(sm, f, "nothing (the master was talking)");
	}
}

int
sync_master_next(struct sync_master *sm, struct wire_frame *f)
{
	int	ret;

	for (;;) {
		if (sm->qhead < sm->qn) {
			*f = sm->q[sm->qhead];
			memset(&sm->q[sm->qhead++], 0, sizeof *f);
			return 1;
		}
		switch (sm->state) {
		case SM_FEED:
			if ((ret = sm_feed_step(sm)) == -1)
				sm_fail(sm, SYNC_E_FAIL);
			else if (ret == 0) {
				sm_end_file(sm);
				sm->state = SM_UP;
			}
			break;
		case SM_WALK:
			if ((ret = sm_walk_step(sm)) == -1)
				sm_fail(sm, SYNC_E_FAIL);
			else if (ret == 0) {
				sm_end_file(sm);
				if (sm->cur == MODEL_NTYPES) {
					sm->final = 1;
					sm_ready(sm);
				}
			}
			break;
		case SM_SEND:
			if (sm_send_step(sm) == 0) {
				sm_push(sm, WIRE_M_COMMITTED, &sm->committed);
				sm->state = SM_DONE;
			}
			break;
		case SM_DONE:
			return SYNC_END;
		default:
			return 0;
		}
	}
}

const char *
sync_master_login(const struct sync_master *sm)
{
	return sm->login != NULL ? sm->login : "";
}

void
sync_master_free(struct sync_master *sm)
{
	size_t	i;

	if (sm == NULL)
		return;
	store_cursor_close(sm->c);
	store_abort(sm->t);
	sm_pend_clear(sm);
	sm_unstage(sm);
	document_in_close(sm->send_in);
	if (sm->st != NULL) {
		/*
		 * A close that fails (a checkpoint on a full disk) leaves
		 * what was committed safe in the log, for the next attach to
		 * recover: the error said is the one before it, if any.
		 */
		char	*saved = xstrdup(error_get());

		if (store_close(sm->st) != 0)
			error_set("%s", saved);
		free(saved);
	}
	for (i = sm->qhead; i < sm->qn; i++)
		wire_frame_free(&sm->q[i]);
	free(sm->q);
	free(sm->stage);
	free(sm->need);
	free(sm->done);
	free(sm->committed.p);
	if (sm->have_user)
		user_clear(&sm->user);
	free(sm->login);
	free(sm->only_login);
	free(sm->dir);
	free(sm);
}
