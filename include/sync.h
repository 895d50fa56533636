/*
 * sync: the record comparison pass between a local and its master
 * (RULES.md S1-S16, B1-B6, T1-T8).
 *
 * The pass has two halves that speak frames (include/wire.h) to each
 * other:
 *
 *   the local's half (src/sync.c) sends its outbox, applies what comes
 *   back, keeps the local's conflict log and removes what left the
 *   user's scope;
 *
 *   the master's half (src/sync-master.c) attaches the master, logs the
 *   user in against the master's users, decides every rule against the
 *   master's own data, writes the master and sends the change feed in
 *   the user's scope. It trusts nothing the local says about who, what
 *   rights, or whose record (T1-T7).
 *
 * Two transports join them (src/sync-link.c): in one process, by
 * function calls, for a master reached as a directory (the attach, over
 * NFS on the office LAN); or over a pipe to `crm serve` on the master's
 * host, run through ssh (the service, T8). The halves are the same
 * either way, so every rule holds identically in both.
 *
 * The conversation. Each half is a state machine that takes frames
 * (_put) and gives frames (_next: 1 with a frame, 0 when it waits for
 * the other, SYNC_END at its end):
 *
 *   local                                     master
 *   HELLO                           --->      attach, check, log in
 *   per file: UP (DATA...) ... END  --->      <--- HELLO (or ERROR)
 *   ROUND                           --->      <--- per file: VERDICT and
 *                                                  CONFLICT for each UP,
 *                                                  then FEED and LEFT, END
 *                                             <--- READY
 *   NEED ... COMMIT                 --->      commit
 *                                             <--- FILE (DATA...) ...
 *                                             <--- COMMITTED
 *
 * The local sends everything without waiting, so a sync costs two round
 * trips whatever it moves. A round holds at most SYNC_ROUND records sent
 * up: a bigger outbox takes one round trip more per round, so that the
 * master's transaction stays bounded.
 *
 * Crash safety (B5). The master decides a round in one transaction and
 * commits it only when the local says (COMMIT) that it has saved what it
 * must keep first: the conflict log entries and what came down. Records
 * sent up stay in the local's outbox until the master said COMMITTED.
 * Cut anywhere, the next sync converges: the master rolled back or
 * committed whole, and a record sent again merges with itself to itself.
 */
#ifndef CRM_SYNC_H
#define CRM_SYNC_H

#include <stdint.h>

#include "model.h"
#include "record.h"
#include "store.h"
#include "wire.h"

struct user;
struct sync_report;

#define SYNC_END	2	/* _next: the conversation is over */
#define SYNC_ROUND	2000	/* records sent up per round */

/* What a sync is for, said in HELLO. */
enum sync_mode {
	SYNC_MODE_SYNC,		/* the comparison pass */
	SYNC_MODE_DRY,		/* B6: decide and count, change nothing */
	SYNC_MODE_LOAD,		/* a first sync: everything in scope, in bulk */
	SYNC_MODE_VERIFY,	/* compare every record in scope */
	SYNC_MODE_INIT,		/* crm init --local: log in, say who */
	SYNC_MODE_CHECK		/* is this the local's master? (settings) */
};

/* What became of one record sent up (a VERDICT frame). */
enum sync_verdict {
	SYNC_V_NONE,		/* nothing to send after all: leave the outbox */
	SYNC_V_SENT,		/* taken: once committed, hold the record given */
	SYNC_V_BACK,		/* refused or overtaken: hold the record given */
	SYNC_V_GONE		/* refused, out of scope: remove it and its tree */
};

/* The reasons an M_ERROR frame gives, for a caller that acts on them. */
enum sync_error {
	SYNC_E_FAIL = 1,	/* anything else: the message says */
	SYNC_E_UNREACHABLE,	/* no master there */
	SYNC_E_BUSY		/* another process holds the master */
};

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

/*
 * The counts of what a sync did to one file, described once: struct
 * sync_counts, the order the wire sends them in, crm sync's table and
 * the sync screen's table and running figures are all made from this
 * list. X(field, column, width, label, brief, name):
 *   column, width  crm sync's header and its width (NULL: not a column)
 *   label          the sync screen's header (NULL: not a column)
 *   brief          its header at 80 columns (NULL: not there)
 *   name           what the running figures call it (NULL: not there)
 * At 80 columns the two kinds of refusal share one (SYNC_COUNT_JOINED).
 */
#define SYNC_COUNTS(X)							\
	/* S5, S6 */							\
	X(uploaded, "uploaded", 8, "Uploaded", "Up", "uploaded")	\
	/* S8, S9 */							\
	X(downloaded, "download", 8, "Downloaded", "Down", "downloaded") \
	/* B1: both changed, fields combined */				\
	X(merged, "merged", 7, "Merged", "Merged", "merged")		\
	/* S7: fields where the local won */				\
	X(won, "won", 5, "Won", "Won", "won")				\
	/* S7, S11: fields where it lost */				\
	X(lost, "lost", 5, "Lost", "Lost", "lost")			\
	/* deletions propagated either way */				\
	X(deleted, "deleted", 8, "Deleted", "Del", "deleted")		\
	/* S12 */							\
	X(refused_delete, "ref.del", 8, "Ref.del", "RefDel",		\
	    "refused deletions")					\
	/* S15, T4 */							\
	X(refused_scope, "ref.scop", 8, "Ref.scop", "Refused",		\
	    "refused out of scope")					\
	/* T2, T5, T7 */						\
	X(refused_invalid, "ref.inv", 8, "Ref.inv", NULL,		\
	    "refused by the master's checks")				\
	/* S16: left the user's scope */				\
	X(removed, "removed", 8, "Removed", "Removed", "removed")	\
	/* S13, S14: files copied */					\
	X(files, "files", 6, "Files", "Files", "files")			\
	/* files reported missing */					\
	X(files_missing, NULL, 0, NULL, NULL, NULL)			\
	/* B2: stamps too far ahead */					\
	X(clamped, NULL, 0, NULL, NULL, NULL)

struct sync_counts {
#define SYNC_COUNT_FIELD(f, c, w, l, b, n) unsigned long f;
	SYNC_COUNTS(SYNC_COUNT_FIELD)
#undef SYNC_COUNT_FIELD
};

enum sync_count {
#define SYNC_COUNT_ENUM(f, c, w, l, b, n) SYNC_COUNT_##f,
	SYNC_COUNTS(SYNC_COUNT_ENUM)
#undef SYNC_COUNT_ENUM
	SYNC_NCOUNTS
};

/* One count as SYNC_COUNTS describes it. */
struct sync_count_info {
	const char	*column;
	int		 width;
	const char	*label;
	const char	*brief;
	const char	*name;
};
extern const struct sync_count_info sync_count_info[SYNC_NCOUNTS];
/* The count whose column at 80 columns holds the next count too. */
#define SYNC_COUNT_JOINED	SYNC_COUNT_refused_scope

/* A count of sync_counts by its place (the wire sends them in order). */
unsigned long	*sync_count_at(struct sync_counts *, int i);
unsigned long	 sync_count(const struct sync_counts *, int i);

#define SYNC_NOTES	16	/* refusals kept word for word */
#define SYNC_NOTE_MAX	240

struct sync_report {
	struct sync_counts	 file[MODEL_NTYPES];
	struct sync_counts	 total;
	int			 stale;	/* S11: the update window applied */
	int			 clock_reset; /* B2: the local's clock was ahead */
	/* What the master refused and why, a line each (T1-T7). */
	unsigned long		 nnotes;	/* all of them */
	char			 notes[SYNC_NOTES][SYNC_NOTE_MAX];
};

/* Add each file's counts into the total. */
void	 sync_report_total(struct sync_report *);

/*
 * What verify compares a record by: the first SYNC_DIGEST bytes of the
 * SHA-256 of its encoding as a local holds it (no sequence, not dirty;
 * r is changed so). Cannot fail.
 */
#define SYNC_DIGEST	16
void	 sync_digest(struct record *r, uint8_t *digest);

/* The conversation as it went, for --stats and the round-trip tests. */
struct sync_stats {
	unsigned long	 turns;		/* times the local waited on the master */
	unsigned long	 left;		/* records named as gone from its scope */
	unsigned long	 frames_up, frames_down;
	uint64_t	 bytes_up, bytes_down;	/* over the pipe (service) */
};

/* ---------------------------------------------------------------------
 * The local's half (src/sync.c).
 */
struct sync_local_conf {
	struct store	*local;		/* open; a load replaces it (see below) */
	const char	*dir;		/* the local's directory */
	const char	*login;
	const char	*password;
	enum sync_mode	 mode;
	int		 wait_seconds;	/* for the master's lock */
	/* Told how far the sync is, often: look at a clock before painting. */
	void		(*progress)(void *, const struct sync_progress *);
	/* Verify: each difference found. */
	void		(*report)(void *, int type, const struct record_id *,
			    const char *what);
	/* The master is held by another; the sync waits (holder as text). */
	void		(*busy)(void *, const char *holder);
	/* Once, before anything is applied here: -1 (error set) stops. */
	int		(*gate)(void *);
	void		*arg;
	int		 no_load;	/* tests: the pass even for a first sync */
};

struct sync_local;

/*
 * A local's half for one conversation. For SYNC_MODE_SYNC it looks at
 * the local first: a local that holds nothing of its own (never synced,
 * nothing in its outbox or conflict log) and that nobody else has open is
 * loaded afresh, in bulk, as db_load does (SYNC_MODE_LOAD): no log and
 * no locks, into DIR/load/, which replaces the local's files once
 * complete. Cannot fail.
 */
struct sync_local *sync_local_new(const struct sync_local_conf *);
/* The next frame for the master: 1, 0 (it waits) or SYNC_END; -1. */
int	 sync_local_next(struct sync_local *, struct wire_frame *);
/* A frame from the master: 0, or -1 with the error set. */
int	 sync_local_put(struct sync_local *, const struct wire_frame *);
/* About to wait on the master: save what was applied so far. */
int	 sync_local_idle(struct sync_local *);
/*
 * The end: the report (counts, refusals), the error of an M_ERROR frame
 * and its code (0 if none). Returns 0 if the conversation ended well.
 */
int	 sync_local_result(struct sync_local *, struct sync_report *,
	    int *code);
/* The master's ID, name and the user's record, after INIT (NULL else). */
const char	*sync_local_master_id(const struct sync_local *);
const char	*sync_local_master_name(const struct sync_local *);
const struct record *sync_local_user(const struct sync_local *);
/* Verify: the differences found. */
long	 sync_local_diffs(const struct sync_local *);
/* How many times it waited on the master's answer (round trips). */
unsigned long sync_local_turns(const struct sync_local *);
/* How many records the master named as gone from the user's scope. */
unsigned long sync_local_left(const struct sync_local *);
/* Whether a load replaced the local's files: conf.local is closed. */
int	 sync_local_loaded(const struct sync_local *);
/* Let go of everything; what was not saved is rolled back. */
void	 sync_local_free(struct sync_local *);

/* ---------------------------------------------------------------------
 * The master's half (src/sync-master.c).
 */
struct sync_master;

/*
 * The master's half for one conversation, over the master in dir,
 * attached when HELLO comes. only_login (crm serve --user) is the one
 * login this conversation may sync as; service says it runs under crm
 * serve (T8), where restricted users may sync.
 */
struct sync_master *sync_master_new(const char *dir, const char *only_login,
	    int service);
/*
 * A frame from the local: 0, or -1 with the error set, after which
 * _next gives an ERROR frame and SYNC_END.
 */
int	 sync_master_put(struct sync_master *, const struct wire_frame *);
int	 sync_master_next(struct sync_master *, struct wire_frame *);
/*
 * 0 if the master's directory is there to be opened; -1 (error set) if it
 * is missing or empty, as the mount point of a share that is not mounted.
 */
int	 sync_master_reach(const char *mdir);
/*
 * For tests: the master's time of each sync from now (NULL: its lock
 * file's when attached, its host's clock under crm serve).
 */
void	 sync_master_clock(uint64_t (*now)(void));
/* The login that was refused or that synced, for crm serve's log. */
const char *sync_master_login(const struct sync_master *);
/* Let the master go, rolling back what was not committed. */
void	 sync_master_free(struct sync_master *);

/* ---------------------------------------------------------------------
 * The transports (src/sync-link.c).
 */

/* A master location: a directory, HOST:/path or ssh://[USER@]HOST[:PORT]/path. */
struct sync_where {
	char	*dir;		/* a directory: the attach */
	char	*user;		/* the service: ssh's login, or NULL */
	char	*host;
	char	*port;		/* or NULL */
	char	*path;		/* the master's directory there */
};

/*
 * Parse a master location. A text with a colon before any slash, or
 * starting ssh://, is the service; anything else a directory. -1 (error
 * set) for an ssh:// location without a host or a path.
 */
int	 sync_where_parse(const char *, struct sync_where *);
void	 sync_where_free(struct sync_where *);
/*
 * From now on, ssh runs with BatchMode (it asks for nothing): the screens
 * hold the terminal. Cannot fail.
 */
void	 sync_set_batch(int);
/* Whether text names a master reached through the service. */
int	 sync_where_remote(const char *text);

/*
 * Run a conversation between local and the master at where: in this
 * process for a directory, through sync.ssh_command and crm serve for the
 * service. Fills stats. Returns 0, or -1 with the error set (the
 * master's own message when it sent one) and *code a SYNC_E_ reason, or
 * 0 when none was given.
 */
int	 sync_link_run(const struct sync_where *, struct sync_local *,
	    struct sync_stats *, int *code);

/*
 * The service's conversation over two descriptors already joined to a
 * crm serve (sync_serve), for tests that run the master's half in a
 * process of their own. As sync_link_run.
 */
int	 sync_link_fds(int to, int from, struct sync_local *,
	    struct sync_stats *, int *code);

/*
 * crm serve: the master's half over in and out for the master in dir.
 * Returns 0 when the conversation ended well, -1 (error set) else.
 */
int	 sync_serve(int in, int out, const char *dir, const char *only_login);

/* ---------------------------------------------------------------------
 * A whole sync as `crm sync` and the sync screen run it (src/sync-job.c).
 */
struct sync_job {
	/* Given. */
	const char	*dir;		/* the local's directory */
	struct store	*local;		/* open; NULL after a load (closed) */
	const char	*login;		/* whose local */
	const char	*password;	/* checked by the master (T1) */
	int		 wait_seconds;	/* for the master's lock */
	int		 dry_run;
	int		 verify;	/* compare, through report */
	void		(*progress)(void *, const struct sync_progress *);
	void		(*report)(void *, int type, const struct record_id *,
			    const char *what);
	/* The master is held by another process: the sync waits for it. */
	void		(*busy)(void *, const char *holder);
	/*
	 * Called once before the sync writes anything to the local, with
	 * arg: -1 (error set) stops it there. The command line checks the
	 * local's password meanwhile and answers here.
	 */
	int		(*gate)(void *);
	void		*arg;

	/* Filled. */
	char		*master_dir;	/* db.master: for messages */
	char		*holder;	/* SYNC_JOB_BUSY: who has the master */
	struct sync_report rep;
	struct sync_stats stats;
	long		 diffs;		/* verify */
	int		 loaded;	/* a load replaced the local's files */
	struct sync_where where;
};

/* sync_job_open's and _run's failures a screen treats apart (error set). */
#define SYNC_JOB_UNREACHABLE	2	/* the master is not there */
#define SYNC_JOB_BUSY		3	/* another process holds the master */

/*
 * Read where the master is (db.master) and, for a directory, check that
 * it is there. Returns 0, SYNC_JOB_UNREACHABLE or -1, with the error set.
 */
int	 sync_job_open(struct sync_job *);
/*
 * Run the sync (or the verify). After a first sync's load the local was
 * closed and its new files are in place: job->local is NULL and
 * job->loaded set, whatever the result, and the caller opens it again.
 * Returns 0, SYNC_JOB_BUSY, SYNC_JOB_UNREACHABLE or -1, error set.
 */
int	 sync_job_run(struct sync_job *);
/* Free what the job holds. */
void	 sync_job_close(struct sync_job *);

/*
 * Log in to the master at where as login (crm init --local): its ID and
 * name and the user's record as a local holds it. 0, or -1 (error set).
 */
struct sync_hello {
	char		*master_id;
	char		*master_name;
	struct record	*user;
};
int	 sync_hello(const char *where, const char *login, const char *password,
	    int wait_seconds, struct sync_hello *);
void	 sync_hello_free(struct sync_hello *);
/*
 * Check that the master at where is the one local was made from (S2),
 * logging in as login: 0, or -1 with the error set (settings, db.master).
 */
int	 sync_check(struct store *local, const char *where, const char *login,
	    const char *password, int wait_seconds);

/*
 * For tests of crash safety: stop (exit 99) at the Nth write of a sync,
 * of either half in this process, if set.
 */
void	 sync_fault_set(unsigned long n);
/* Count one write (each half calls it before each write). */
void	 sync_fault_tick(void);
/* Test builds: cut the connection after the Nth frame the local reads. */
void	 sync_cut_set(unsigned long n);
/*
 * Test builds: hold a local's sync before it commits its end, with
 * nothing of the local locked, so that a test can edit the local while
 * the sync runs. The sync makes DIR/paused and waits until DIR/go
 * exists. NULL: no pause.
 */
void	 sync_pause_set(const char *dir);

#endif
