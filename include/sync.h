/*
 * sync: the record comparison pass between a local and its master
 * (RULES.md S1-S16, B1-B6).
 *
 * A pure engine: it takes an open local, an attached master, a policy and
 * a progress callback, and knows nothing of the command line or screens.
 * It runs file by file in the model's order (users, companies, contacts,
 * their dependants, campaigns and targets, documents, templates), and finds
 * what changed through indexes only: the master's change sequence and the
 * local's outbox (B4).
 *
 * Crash safety (B5): for each batch the local is written first (merged
 * records stay in its outbox, conflicts are logged), then the master, then
 * the local's outbox is cleared. A sync cut off anywhere leaves both sides
 * consistent, and the next one reaches the same result: a merge of a
 * record with itself changes nothing.
 */
#ifndef CRM_SYNC_H
#define CRM_SYNC_H

#include <stdint.h>

#include "model.h"
#include "store.h"

struct user;
struct sync_report;

/*
 * How far a sync is, for a progress bar. In an ordinary sync the unit is
 * a changed record to look at: a file's total is its outbox here plus the
 * master's changes since the last sync, counted through those two indexes
 * before the file starts (B4). A first sync's load walks a whole master
 * file, which is not counted first: there done and total are thousandths
 * of the file's ID range (IDs are time-ordered), and records says how many
 * were read.
 */
struct sync_progress {
	int			 type;		/* the file under way */
	int			 files_done;	/* of MODEL_NTYPES */
	unsigned long		 done;		/* of this file */
	unsigned long		 total;		/* 0: nothing to do in it */
	unsigned long		 all_done;	/* over every file; */
	unsigned long		 all_total;	/* 0 when not counted (a load) */
	unsigned long		 records;	/* looked at in this file */
	const struct sync_report *rep;		/* the figures so far */
};

struct sync_policy {
	const struct user *user;	/* the local's user: rights and scope */
	int		 window_days;	/* S11: 0 for no update window */
	int		 record_level;	/* B1 off: sync.granularity "record" */
	uint64_t	 tolerance_ms;	/* B2: how far ahead a stamp may be */
	int		 dry_run;	/* B6: decide and count, change nothing */
	/*
	 * Told how far the sync is, often (every record): it should
	 * look at a clock before it paints. May be NULL, and then nothing
	 * is counted beforehand.
	 */
	void		(*progress)(void *, const struct sync_progress *);
	void		*arg;
};

/* What a sync did to one file: the columns of `crm sync`'s table. */
struct sync_counts {
	unsigned long	 uploaded;	/* S5, S6 */
	unsigned long	 downloaded;	/* S8, S9 */
	unsigned long	 merged;	/* B1: both changed, fields combined */
	unsigned long	 won;		/* S7: fields where the local won */
	unsigned long	 lost;		/* S7, S11: fields where it lost */
	unsigned long	 deleted;	/* deletions propagated either way */
	unsigned long	 refused_delete; /* S12 */
	unsigned long	 refused_scope;	/* S15 */
	unsigned long	 removed;	/* S16: left the user's scope */
	unsigned long	 files;		/* S13, S14: files copied */
	unsigned long	 files_missing;	/* files reported missing */
	unsigned long	 clamped;	/* B2: stamps too far ahead */
};

struct sync_report {
	struct sync_counts	 file[MODEL_NTYPES];
	struct sync_counts	 total;
	int			 stale;	/* S11: the update window applied */
	int			 clock_reset; /* B2: the local's clock was ahead */
};

/*
 * Synchronize local with master. Both must be open (the master attached);
 * neither is closed. Returns 0 with the report filled, or -1 with the
 * error set; what was committed before an error is consistent (B5).
 */
int	 sync_run(struct store *local, struct store *master,
	    const struct sync_policy *, struct sync_report *);

/*
 * The first sync of a local that holds nothing of its own (never synced,
 * nothing in its outbox or conflict log): every in-scope master record is
 * loaded in bulk, in key order, into a fresh database beside the local
 * (store_load_begin), which then replaces the local's files. No log
 * (3-4 times the data written) and no locks, and as safe (B5): a load
 * cut off is thrown away and made again by the next sync. The report
 * counts what changes on the local, as the comparison pass (and so a
 * dry run, B6) counts it: what the local already holds as the master
 * does, such as its user's own record, is not downloaded.
 *
 * Returns 0 with the report filled: close local and call
 * sync_load_switch. Returns SYNC_ORDINARY, having changed nothing, when
 * this is not such a first sync, for a dry run, or when another process
 * has the local open: run sync_run instead. -1 with the error set.
 */
#define SYNC_ORDINARY	1
int	 sync_load(struct store *local, struct store *master,
	    const struct sync_policy *, struct sync_report *);
/* Put the load in place once local is closed (store_load_switch). */
int	 sync_load_switch(const char *dir, int wait_seconds);

/*
 * Check that local belongs to master (S2): same master ID. -1 with a
 * message naming both otherwise.
 */
int	 sync_check_master(struct store *local, struct store *master);

/*
 * Attach the master at mdir for local (S2): it must be reachable, a
 * master by its crm.conf, and the one local was made from. Returns it
 * attached (store_close lets it go), or NULL with a message naming mdir
 * and what to do. wait: seconds to wait for another holder.
 */
struct store *sync_master_open(struct store *local, const char *mdir,
	    int wait);

/*
 * Compare every in-scope record of local and master (crm sync --verify).
 * Returns the number of differences (each printed through report), or -1.
 */
long	 sync_verify(struct store *local, struct store *master,
	    const struct sync_policy *,
	    void (*report)(void *, int type, const struct record_id *,
	    const char *what), void *arg);

/*
 * A whole sync as `crm sync` and the sync screen run it
 * (src/sync-job.c): reach the master named in the local's configuration,
 * load its settings, attach it, check that it is this local's (S2),
 * fetch the user's rights and scope from it, then load in bulk (a first
 * sync) or run the comparison pass, and let the master go.
 *
 * Fill the first part, then sync_job_open, sync_job_run (or, with
 * job->master attached, sync_verify) and always sync_job_close.
 */
struct sync_job {
	/* Given. */
	const char	*dir;		/* the local's directory */
	struct store	*local;		/* open; NULL after a load (closed) */
	const char	*login;		/* whose local */
	int		 wait_seconds;	/* for the master's lock */
	int		 dry_run;
	void		(*progress)(void *, const struct sync_progress *);
	void		*arg;

	/* Filled. */
	char		*master_dir;	/* db.master: for messages */
	char		*holder;	/* SYNC_JOB_BUSY: who has the master */
	struct store	*master;	/* attached by sync_job_open */
	struct sync_policy pol;
	struct sync_report rep;
	int		 loaded;	/* a load replaced the local's files */
};

/* sync_job_open's failures a screen treats apart (error set too). */
#define SYNC_JOB_UNREACHABLE	2	/* the master's directory is not there */

/*
 * 0 if the master's directory is there to be opened; -1 (error set) if it
 * is missing or empty, as the mount point of a share that is not mounted.
 */
int	 sync_master_reach(const char *mdir);
#define SYNC_JOB_BUSY		3	/* another process holds the master */

/*
 * Reach and attach the master, waiting up to wait_seconds for its lock.
 * Returns 0, SYNC_JOB_UNREACHABLE, SYNC_JOB_BUSY or -1, with the error
 * set. The master's settings are loaded meanwhile: sync_job_close loads
 * the local's again.
 */
int	 sync_job_open(struct sync_job *);
/*
 * Run the sync; the report is job->rep. After a first sync's load the
 * local was closed and its new files are in place: job->local is NULL
 * and job->loaded set, whatever the result, and the caller opens it
 * again. Returns 0 or -1 with the error set.
 */
int	 sync_job_run(struct sync_job *);
/* Let the master go (if still attached), free what the job holds. */
void	 sync_job_close(struct sync_job *);

/* For tests of crash safety: stop (exit 99) at the Nth write, if set. */
void	 sync_fault_set(unsigned long n);

#endif
