/*
 * test-sync: the synchronization engine against RULES.md, rule by rule
 * (S1-S16, B1-B6). Every test is named after the rule it checks, so that
 * `grep -r S8 tests/` finds it.
 *
 * Each test copies a ready-made master (root ROOT1, an administrator;
 * anna ANNA1, a user; ben BEN01, a restricted remote user who may not
 * change account managers) made once per run, since yescrypt is slow on
 * purpose; then makes a local for one user as `crm init --local` does,
 * opens both, and drives them through the model as the screens and the
 * command line do.
 *
 * Time: the model's stamps come from the test clock (unit_now_ms), and a
 * sync takes "the master's time" from the mtime of MASTER/lock. sync_now()
 * sets that mtime to unit_now_ms just before each sync, so one clock drives
 * both; a test that wants a wrong laptop clock moves unit_now_ms for the
 * local's edits only.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
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
#include "record.h"
#include "rights.h"
#include "store.h"
#include "sync.h"
#include "unit.h"
#include "user.h"
#include "xmalloc.h"

#define T0		1795000000000ULL	/* unit.c's start of every test */
#define MIN_MS		(60ULL * 1000)
#define HOUR_MS		(60 * MIN_MS)
#define DAY_MS		(24 * HOUR_MS)
#define TOLERANCE_MS	(5 * MIN_MS)		/* as crm sync sets it */
#define MAXCH		16

static struct user	 root, anna, ben;	/* actors, as on the master */
static char		 golden_dir[PATH_MAX];	/* the ready-made master */

static struct store	*M, *L;			/* this test's master, local */
static char		 mdir[PATH_MAX], ldir[PATH_MAX];
static const char	*who;			/* login of the local's user */
static int		 pol_window, pol_record, pol_dry;
static int		 pol_job;		/* sync as sync_job_run does */
static int		 pol_kept;		/* the master's crm.conf as it is */
static int		 transport;		/* 0 attach, 1 service */
static void		(*pol_progress)(void *, const struct sync_progress *);
static struct sync_stats last_stats;		/* of the last sync */
static unsigned long	 left_frames;		/* its LEFT frames */
static int		 loaded;		/* syncs that were loads */
static uint64_t		 master_ms_at;		/* if set, the master's time */
static struct sync_report rep;			/* of the last sync_now() */

/* ---------------------------------------------------------------------
 * Reporting failures at the caller's line.
 */

static void fail_at(int, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail_at(int line, const char *fmt, ...)
{
	char	buf[2048];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(stderr, "test-sync.c:%d: %s\n", line, buf);
	CU_assertImplementation(CU_FALSE, (unsigned int)line, buf, __FILE__,
	    "", CU_FALSE);
}

static const char *
idt(const struct record_id *id)
{
	static char	buf[16][RECORD_ID_TEXT + 1];
	static int	i;

	i = (i + 1) % 16;
	record_id_format(id, buf[i]);
	return buf[i];
}

static const struct {
	const char	*name;
	size_t		 off;
} count_names[] = {
	{ "uploaded", offsetof(struct sync_counts, uploaded) },
	{ "downloaded", offsetof(struct sync_counts, downloaded) },
	{ "merged", offsetof(struct sync_counts, merged) },
	{ "won", offsetof(struct sync_counts, won) },
	{ "lost", offsetof(struct sync_counts, lost) },
	{ "deleted", offsetof(struct sync_counts, deleted) },
	{ "refused_delete", offsetof(struct sync_counts, refused_delete) },
	{ "refused_scope", offsetof(struct sync_counts, refused_scope) },
	{ "removed", offsetof(struct sync_counts, removed) },
	{ "files", offsetof(struct sync_counts, files) },
	{ "files_missing", offsetof(struct sync_counts, files_missing) },
	{ "clamped", offsetof(struct sync_counts, clamped) },
};
#define NCOUNTS (sizeof count_names / sizeof count_names[0])

static unsigned long
count_get(const struct sync_counts *c, size_t i)
{
	unsigned long	v;

	memcpy(&v, (const char *)c + count_names[i].off, sizeof v);
	return v;
}

static void
report_print(const char *title, const struct sync_report *r)
{
	size_t	i;
	int	f;

	fprintf(stderr, "  report %s (stale %d):", title, r->stale);
	for (f = 0; f < MODEL_NTYPES; f++) {
		for (i = 0; i < NCOUNTS; i++) {
			if (count_get(&r->file[f], i) != 0)
				fprintf(stderr, " %s.%s=%lu",
				    model_type(f)->plural, count_names[i].name,
				    count_get(&r->file[f], i));
		}
	}
	fputc('\n', stderr);
}

#define CNT(expr, want) cnt_is(__LINE__, #expr, (unsigned long)(expr), \
	(unsigned long)(want))

static void
cnt_is(int line, const char *what, unsigned long got, unsigned long want)
{
	if (got != want) {
		fail_at(line, "%s is %lu, want %lu", what, got, want);
		report_print("last", &rep);
	}
}

/* Every count of a report is 0 (a sync that moved nothing). */
#define REP_ZERO(r) rep_zero(__LINE__, r)

static void
rep_zero(int line, const struct sync_report *r)
{
	struct sync_report	zero;

	memset(&zero, 0, sizeof zero);
	if (memcmp(r, &zero, sizeof zero) != 0) {
		fail_at(line, "the sync moved something; it should not have");
		report_print("non-zero", r);
	}
}

/* ---------------------------------------------------------------------
 * Files.
 */

static void
put_file(const char *path, const char *text)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(text, f);
	if (fclose(f) != 0)
		abort();
}

/* The whole of a file, or NULL if it cannot be read. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 cap = 0, n = 0, got;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = (n + 65536 + 1) * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		got = fread(buf + n, 1, 65536, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

static void
run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
run(const char *fmt, ...)
{
	char	*cmd;
	va_list	 ap;

	va_start(ap, fmt);
	if (xvasprintf(&cmd, fmt, ap) == -1)
		abort();
	va_end(ap);
	if (system(cmd) != 0)
		fprintf(stderr, "failed: %s\n", cmd);
	free(cmd);
}

static void
copy_dir(const char *from, const char *to)
{
	run("rm -rf '%s' && cp -a '%s' '%s'", to, from, to);
}

/* The attached file of a document or template record. */
static char *
att_path(struct store *st, int type, const struct record_id *id)
{
	char	*p;

	xasprintf(&p, "%s/%s/%s", store_dir(st), type == MODEL_DOCUMENT ?
	    "documents" : "templates", idt(id));
	return p;
}

/* Are the attached files of a record the same on both sides, with text? */
#define SAME_FILE(a, b, type, id, text) \
	same_file(__LINE__, a, b, type, id, text)

static void
same_file(int line, struct store *a, struct store *b, int type,
    const struct record_id *id, const char *text)
{
	char	*pa = att_path(a, type, id), *pb = att_path(b, type, id);
	char	*ca, *cb;
	size_t	 la = 0, lb = 0;

	ca = slurp(pa, &la);
	cb = slurp(pb, &lb);
	if (ca == NULL || cb == NULL)
		fail_at(line, "%s is missing", ca == NULL ? pa : pb);
	else if (la != lb || memcmp(ca, cb, la) != 0)
		fail_at(line, "%s and %s differ", pa, pb);
	else if (text != NULL && strcmp(ca, text) != 0)
		fail_at(line, "%s holds \"%s\", want \"%s\"", pa, ca, text);
	free(ca);
	free(cb);
	free(pa);
	free(pb);
}

/* How many .db files of a directory contain the bytes of needle. */
static int
db_files_with(const char *dir, const char *needle)
{
	DIR		*d;
	struct dirent	*e;
	char		*path, *buf;
	size_t		 len, nl = strlen(needle);
	int		 n = 0;

	if ((d = opendir(dir)) == NULL)
		abort();
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 3, ".db") != 0)
			continue;
		xasprintf(&path, "%s/%s", dir, e->d_name);
		if ((buf = slurp(path, &len)) != NULL) {
			if (memmem(buf, len, needle, nl) != NULL)
				n++;
			free(buf);
		}
		free(path);
	}
	closedir(d);
	return n;
}

/*
 * Every "$y$" in the .db files of dir starts the hash allowed (or none is
 * allowed when it is NULL): how many start something else.
 */
static int
db_foreign_hashes(const char *dir, const char *allowed)
{
	DIR		*d;
	struct dirent	*e;
	char		*path, *buf, *p;
	size_t		 len;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL)
		abort();
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 4 || strcmp(e->d_name + len - 3, ".db") != 0)
			continue;
		xasprintf(&path, "%s/%s", dir, e->d_name);
		if ((buf = slurp(path, &len)) != NULL) {
			p = buf;
			while ((p = memmem(p, len - (size_t)(p - buf), "$y$",
			    3)) != NULL) {
				if (allowed == NULL || (size_t)(buf + len - p) <
				    strlen(allowed) || memcmp(p, allowed,
				    strlen(allowed)) != 0) {
					fprintf(stderr, "  %s: a foreign hash "
					    "at %ld\n", path, (long)(p - buf));
					n++;
				}
				p += 3;
			}
			free(buf);
		}
		free(path);
	}
	closedir(d);
	return n;
}

/* ---------------------------------------------------------------------
 * Databases: the ready-made master, a local, opening and closing.
 */


/* Make the master every test copies, once: three yescrypt hashes. */
static void
golden(void)
{
	struct store		*st;
	struct store_txn	*t;
	struct record_id	 mid;
	char			 idtext[RECORD_ID_TEXT + 1], *slash;

	if (golden_dir[0] != '\0')
		return;
	snprintf(golden_dir, sizeof golden_dir, "%s", unit_dir());
	if ((slash = strrchr(golden_dir, '/')) == NULL)
		abort();
	snprintf(slash, sizeof golden_dir - (size_t)(slash - golden_dir),
	    "/golden");
	CU_ASSERT_FATAL(model_create(golden_dir, STORE_MASTER) == 0);
	st = model_open(golden_dir, STORE_MASTER, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	record_id_new(&mid, clock_now_ms());
	record_id_format(&mid, idtext);
	CU_ASSERT_FATAL(store_meta_put(t, "id", idtext, strlen(idtext)) == 0);
	CU_ASSERT_FATAL(user_add(t, NULL, &root, "ROOTpw", NULL) == 0);
	CU_ASSERT_FATAL(user_add(t, NULL, &anna, "ANNApw", NULL) == 0);
	CU_ASSERT_FATAL(user_add(t, NULL, &ben, "BENpw", NULL) == 0);
	CU_ASSERT_FATAL(store_commit(t) == 0);
	CU_ASSERT_FATAL(store_close(st) == 0);
	/*
	 * A master as crm init makes it. Its restricted user syncs over the
	 * attach too, as an administrator may allow: the rules are the same.
	 */
	CU_ASSERT_FATAL(cfg_set(golden_dir, "db.role", "master") == 0);
	CU_ASSERT_FATAL(cfg_set(golden_dir, "sync.restricted_attach",
	    "true") == 0);
}

/*
 * Make a local for login bound to the open master m, as crm init --local
 * does: the master's ID, and the user's own record copied from it.
 */
static struct store *
make_local(struct store *m, const char *dir, const char *login)
{
	struct store		*st;
	struct store_txn	*t;
	struct user		 u;
	struct record		*rec = NULL;
	char			 idtext[64];
	size_t			 len = sizeof idtext - 1;

	if (store_begin(m, &t) != 0)
		return NULL;
	if (store_meta_get(t, "id", idtext, &len) != 0 ||
	    user_find_login(t, login, &u) != 0) {
		store_abort(t);
		return NULL;
	}
	if (store_get(t, MODEL_USER, &u.id, &rec) != 0)
		rec = NULL;
	user_clear(&u);
	store_abort(t);
	if (rec == NULL || model_create(dir, STORE_LOCAL) != 0 ||
	    (st = model_open(dir, STORE_LOCAL, 0, 0)) == NULL) {
		record_free(rec);
		return NULL;
	}
	if (store_begin(st, &t) != 0)
		goto fail;
	store_observe(t, rec->modified);
	if (store_meta_put(t, "master_id", idtext, len) != 0 ||
	    store_put(t, MODEL_USER, rec, STORE_PUT_SYNCED |
	    STORE_PUT_KEEPSEQ) != 0) {
		store_abort(t);
		goto fail;
	}
	if (store_commit(t) != 0)
		goto fail;
	record_free(rec);
	return st;
fail:
	record_free(rec);
	store_close(st);
	return NULL;
}

static void
finish(void)
{
	if (L != NULL)
		CU_ASSERT(store_close(L) == 0);
	if (M != NULL)
		CU_ASSERT(store_close(M) == 0);
	L = M = NULL;
	pol_window = pol_record = pol_dry = pol_job = pol_kept = 0;
	pol_progress = NULL;
	loaded = 0;
	master_ms_at = 0;
}

/* Open an existing pair of databases as this test's master and local. */
static void
open_pair(const char *m, const char *l, const char *login)
{
	finish();
	snprintf(mdir, sizeof mdir, "%s", m);
	snprintf(ldir, sizeof ldir, "%s", l);
	M = model_open(mdir, STORE_MASTER, 0, 5);
	CU_ASSERT_FATAL(M != NULL);
	L = model_open(ldir, STORE_LOCAL, 0, 0);
	CU_ASSERT_FATAL(L != NULL);
	who = login;
}

/* A fresh master (a copy of the ready-made one) in m and a local in l. */
static void
world_at(const char *m, const char *l, const char *login)
{
	finish();
	golden();
	snprintf(mdir, sizeof mdir, "%s", m);
	snprintf(ldir, sizeof ldir, "%s", l);
	copy_dir(golden_dir, mdir);
	M = model_open(mdir, STORE_MASTER, 0, 5);
	CU_ASSERT_FATAL(M != NULL);
	L = make_local(M, ldir, login);
	if (L == NULL)
		fprintf(stderr, "make_local: %s\n", error_get());
	CU_ASSERT_FATAL(L != NULL);
	who = login;
}

static void
world(const char *login)
{
	char	m[PATH_MAX];

	snprintf(m, sizeof m, "%s", unit_path("m"));
	world_at(m, unit_path("l"), login);
}

/* The password each test user logs in to the master with. */
static const char *
password_of(const char *login)
{
	if (strcmp(login, "root") == 0)
		return "ROOTpw";
	if (strcmp(login, "anna") == 0)
		return "ANNApw";
	if (strcmp(login, "ben") == 0)
		return "BENpw";
	return "no such password";
}

/* The master's time of a sync: the test clock, or master_ms_at if set. */
static uint64_t
master_clock(void)
{
	return master_ms_at != 0 ? master_ms_at : unit_now_ms;
}

/* The master's sync settings, as an administrator sets them. */
static void
master_policy(const char *mpath)
{
	char	buf[32];

	snprintf(buf, sizeof buf, "%d", pol_window);
	if (cfg_set(mpath, "sync.update_window_days", buf) != 0 ||
	    cfg_set(mpath, "sync.granularity", pol_record ? "record" :
	    "field") != 0)
		fprintf(stderr, "master_policy: %s\n", error_get());
}

/*
 * Run one conversation of l's half with the master in mpath, through the
 * transport under test: in this process (the attach) or with the
 * master's half in a child of its own, over a socket (the service, as
 * crm serve runs it). The master must not be open here meanwhile.
 */
static int	server_status;		/* the service's child, last run */

static int
converse(struct sync_local *sl, const char *mpath, struct sync_stats *st)
{
	struct sync_where	 w;
	int			 sv[2], code, ret, status;
	pid_t			 pid;

	server_status = 0;
	if (transport == 0) {
		memset(&w, 0, sizeof w);
		w.dir = (char *)mpath;
		return sync_link_run(&w, sl, st, &code);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	fflush(NULL);
	if ((pid = fork()) == -1)
		abort();
	if (pid == 0) {
		close(sv[0]);
		_exit(sync_serve(sv[1], sv[1], mpath, NULL) == 0 ? 0 : 1);
	}
	close(sv[1]);
	ret = sync_link_fds(sv[0], sv[0], sl, st, &code);
	close(sv[0]);
	while (waitpid(pid, &status, 0) == -1)
		;
	server_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	return ret;
}

/*
 * Synchronize *lp with the master in mpath as login, as crm sync does,
 * with the policy globals; *mp, open here, is let go meanwhile and
 * opened again after. With pol_job, a first sync of L may load in bulk,
 * and the load then replaces *lp.
 */
static int
sync_with(struct store **lp, struct store **mp, const char *mpath,
    const char *lpath, const char *login, struct sync_report *r)
{
	struct sync_local_conf	 conf;
	struct sync_local	*sl;
	struct sync_stats	 st;
	int			 ret;

	if (mp != NULL && *mp != NULL && *mp != *lp) {
		store_close(*mp);
		*mp = NULL;
	}
	if (!pol_kept)
		master_policy(mpath);
	sync_master_clock(master_clock);
	memset(&conf, 0, sizeof conf);
	conf.local = *lp;
	conf.dir = lpath;
	conf.login = login;
	conf.password = password_of(login);
	conf.mode = pol_dry ? SYNC_MODE_DRY : SYNC_MODE_SYNC;
	conf.wait_seconds = 5;
	conf.no_load = !pol_job;
	conf.progress = pol_progress;
	error_clear();
	sl = sync_local_new(&conf);
	ret = converse(sl, mpath, &st);
	sync_local_result(sl, r, NULL);
	last_stats = st;
	left_frames = st.left;
	if (sync_local_loaded(sl)) {
		loaded++;
		if (store_close(*lp) != 0 || store_load_switch(lpath, 5) != 0)
			ret = -1;
		*lp = model_open(lpath, STORE_LOCAL, 0, 0);
		if (*lp == NULL)
			ret = -1;
	}
	if (ret != 0) {
		char	*saved = xstrdup(error_get());

		sync_local_free(sl);
		error_set("%s", saved);
		free(saved);
	} else
		sync_local_free(sl);
	if (mp != NULL && *mp == NULL) {
		char	*saved = xstrdup(error_get());

		*mp = model_open(mpath, STORE_MASTER, 0, 5);
		if (*mp == NULL)
			fprintf(stderr, "cannot open the master again: %s\n",
			    error_get());
		error_set("%s", saved);
		free(saved);
	}
	return ret;
}

static int
sync_now(void)
{
	int	ret;

	if ((ret = sync_with(&L, &M, mdir, ldir, who, &rep)) != 0)
		fprintf(stderr, "sync: %s\n", error_get());
	if (getenv("SYNC_TEST_VERBOSE") != NULL)
		report_print("sync_now", &rep);
	return ret;
}

/*
 * A short conversation that only checks the master at mpath is l's (the
 * settings' check of db.master), as login.
 */
static int
check_with(struct store *l, struct store **mp, const char *mpath,
    const char *login)
{
	struct sync_local_conf	 conf;
	struct sync_local	*sl;
	struct sync_stats	 st;
	char			*saved;
	int			 ret;

	if (mp != NULL && *mp != NULL) {
		store_close(*mp);
		*mp = NULL;
	}
	memset(&conf, 0, sizeof conf);
	conf.local = l;
	conf.login = login;
	conf.password = password_of(login);
	conf.mode = SYNC_MODE_CHECK;
	error_clear();
	sl = sync_local_new(&conf);
	ret = converse(sl, mpath, &st);
	saved = xstrdup(error_get());
	sync_local_free(sl);
	if (mp != NULL)
		*mp = model_open(mpath, STORE_MASTER, 0, 5);
	error_set("%s", saved);
	free(saved);
	return ret;
}

#define SYNC_OK() CU_ASSERT_FATAL(sync_now() == 0)

/* ---------------------------------------------------------------------
 * Records, each change in its own transaction.
 */

static size_t
collect(struct model_change *ch, va_list ap)
{
	const char	*name;
	size_t		 n = 0;

	while ((name = va_arg(ap, const char *)) != NULL) {
		if (n == MAXCH)
			abort();
		ch[n].name = name;
		ch[n].value = va_arg(ap, const char *);
		n++;
	}
	return n;
}

#define add(st, a, type, ...) \
	add_at(__LINE__, st, a, type, __VA_ARGS__, (const char *)NULL)
#define upd(st, a, type, id, ...) \
	upd_at(__LINE__, st, a, type, id, __VA_ARGS__, (const char *)NULL)
#define del(st, a, type, id) del_at(__LINE__, st, a, type, id)

static struct record_id
add_at(int line, struct store *st, const struct user *a, int type, ...)
{
	struct model_change	 ch[MAXCH];
	struct record_id	 id;
	struct store_txn	*t;
	va_list			 ap;
	size_t			 n;

	memset(&id, 0, sizeof id);
	va_start(ap, type);
	n = collect(ch, ap);
	va_end(ap);
	error_clear();
	if (store_begin(st, &t) != 0) {
		fail_at(line, "begin: %s", error_get());
		return id;
	}
	if (model_add(t, a, type, ch, n, &id) != 0) {
		fail_at(line, "add %s: %s", model_type(type)->name,
		    error_get());
		store_abort(t);
		memset(&id, 0, sizeof id);
		return id;
	}
	if (store_commit(t) != 0)
		fail_at(line, "commit: %s", error_get());
	return id;
}

static void
upd_at(int line, struct store *st, const struct user *a, int type,
    const struct record_id *id, ...)
{
	struct model_change	 ch[MAXCH];
	struct store_txn	*t;
	va_list			 ap;
	size_t			 n;

	va_start(ap, id);
	n = collect(ch, ap);
	va_end(ap);
	error_clear();
	if (store_begin(st, &t) != 0) {
		fail_at(line, "begin: %s", error_get());
		return;
	}
	if (model_update(t, a, type, id, ch, n) != 0) {
		fail_at(line, "update %s: %s", model_type(type)->name,
		    error_get());
		store_abort(t);
		return;
	}
	if (store_commit(t) != 0)
		fail_at(line, "commit: %s", error_get());
}

/* model_delete: 0, or -1 with the error set (the transaction undone). */
static int
try_del(struct store *st, const struct user *a, int type,
    const struct record_id *id)
{
	struct store_txn	*t;

	error_clear();
	if (store_begin(st, &t) != 0)
		return -1;
	if (model_delete(t, a, type, id) != 0) {
		store_abort(t);
		return -1;
	}
	return store_commit(t);
}

static void
del_at(int line, struct store *st, const struct user *a, int type,
    const struct record_id *id)
{
	if (try_del(st, a, type, id) != 0)
		fail_at(line, "delete %s: %s", model_type(type)->name,
		    error_get());
}

/* A record as stored, tombstones included; NULL if there is none. */
static struct record *
get(struct store *st, int type, const struct record_id *id)
{
	struct store_txn	*t;
	struct record		*r = NULL;

	if (store_begin(st, &t) != 0)
		return NULL;
	if (store_get(t, (size_t)type, id, &r) != 0)
		r = NULL;
	store_abort(t);
	return r;
}

static int
live(struct store *st, int type, const struct record_id *id)
{
	struct record	*r = get(st, type, id);
	int		 ret = r != NULL && (r->flags & RECORD_DELETED) == 0;

	record_free(r);
	return ret;
}

#define LIVE(st, type, id) live_is(__LINE__, #st, st, type, id, 1)
#define GONE(st, type, id) live_is(__LINE__, #st, st, type, id, 0)

static void
live_is(int line, const char *name, struct store *st, int type,
    const struct record_id *id, int want)
{
	if (live(st, type, id) != want)
		fail_at(line, "%s %s %s is %s, want %s", name,
		    model_type(type)->name, idt(id), want ? "not there" :
		    "there", want ? "there" : "gone");
}

/* The value of a field of a live record (a new string), or NULL. */
static char *
val(struct store *st, int type, const struct record_id *id,
    const char *field)
{
	struct record	*r = get(st, type, id);
	char		*v = NULL;

	if (r != NULL && (r->flags & RECORD_DELETED) == 0)
		v = xstrdup(record_value(r, field));
	record_free(r);
	return v;
}

#define VAL(st, type, id, field, want) \
	val_is(__LINE__, #st, st, type, id, field, want)

static void
val_is(int line, const char *name, struct store *st, int type,
    const struct record_id *id, const char *field, const char *want)
{
	char	*v = val(st, type, id, field);

	if (v == NULL)
		fail_at(line, "%s has no %s %s", name, model_type(type)->name,
		    idt(id));
	else if (strcmp(v, want) != 0)
		fail_at(line, "%s %s %s: %s is \"%s\", want \"%s\"", name,
		    model_type(type)->name, idt(id), field, v, want);
	free(v);
}

/* Is the local's outbox empty (nothing waiting to be uploaded)? */
static unsigned long
outbox_size(struct store *st)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	unsigned long		 n = 0;
	int			 type;

	if (store_begin(st, &t) != 0)
		return 99999;
	for (type = 0; type < MODEL_NTYPES; type++) {
		if (store_cursor_open(t, (size_t)type, STORE_BY_OUTBOX, 0,
		    &c) != 0)
			break;
		while (store_cursor_next(c, &r) == 0) {
			n++;
			record_free(r);
		}
		store_cursor_close(c);
	}
	store_abort(t);
	return n;
}

/* The ID of a user record, by login. */
static struct record_id
user_id(struct store *st, const char *login)
{
	struct store_txn	*t;
	struct user		 u;
	struct record_id	 id;

	memset(&id, 0, sizeof id);
	if (store_begin(st, &t) != 0)
		return id;
	if (user_find_login(t, login, &u) == 0) {
		id = u.id;
		user_clear(&u);
	}
	store_abort(t);
	return id;
}

/* A user's password hash on a database (a new string; "" if none). */
static char *
user_hash_of(struct store *st, const char *login)
{
	struct record_id	 id = user_id(st, login);
	struct record		*r = get(st, MODEL_USER, &id);
	char			*h;

	h = xstrdup(r != NULL ? record_value(r, "password_hash") : "");
	record_free(r);
	return h;
}

/*
 * Write straight to the store, past the model: a change the model would
 * refuse (a tampered or older program), or a user record changed on the
 * master. flags go to store_put.
 */
static void
raw_set(struct store *st, int type, const struct record_id *id,
    const char *uid, const char *field, const char *value, int flags)
{
	struct store_txn	*t;
	struct record		*r;
	uint64_t		 stamp;

	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT_FATAL(store_get(t, (size_t)type, id, &r) == 0);
	stamp = store_stamp(t);
	record_set(r, field, value, stamp);
	r->modified = stamp;
	snprintf(r->modified_by, sizeof r->modified_by, "%s", uid);
	CU_ASSERT(store_put(t, (size_t)type, r, flags) == 0);
	record_free(r);
	CU_ASSERT(store_commit(t) == 0);
}

/* A deletion the model would refuse up front (S12), as a tombstone. */
static void
raw_delete(struct store *st, int type, const struct record_id *id,
    const char *uid)
{
	const struct store_schema	*sc = &model_schema[type];
	struct store_txn		*t;
	struct record			*r;
	const char			*keep[10];
	int				 i, n = 0;

	for (i = 0; i < 5 && sc->ref_fields[i] != NULL; i++)
		keep[n++] = sc->ref_fields[i];
	for (i = 0; i < 3 && sc->owner_fields[i] != NULL; i++)
		keep[n++] = sc->owner_fields[i];
	keep[n] = NULL;
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT_FATAL(store_get(t, (size_t)type, id, &r) == 0);
	record_strip(r, keep);
	r->flags |= RECORD_DELETED;
	r->modified = store_stamp(t);
	snprintf(r->modified_by, sizeof r->modified_by, "%s", uid);
	CU_ASSERT(store_put(t, (size_t)type, r, 0) == 0);
	record_free(r);
	CU_ASSERT(store_commit(t) == 0);
}

/* A new record put straight into the store: field, value pairs, NULL. */
static struct record_id
raw_new(struct store *st, int type, const char *uid, ...)
{
	struct store_txn	*t;
	struct record		*r;
	struct record_id	 id;
	const char		*name, *value;
	uint64_t		 stamp;
	va_list			 ap;

	r = record_new();
	record_id_new(&r->id, clock_now_ms());
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	stamp = store_stamp(t);
	r->created = r->modified = stamp;
	snprintf(r->created_by, sizeof r->created_by, "%s", uid);
	snprintf(r->modified_by, sizeof r->modified_by, "%s", uid);
	va_start(ap, uid);
	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		record_set(r, name, value, stamp);
	}
	va_end(ap);
	CU_ASSERT(store_put(t, (size_t)type, r, 0) == 0);
	CU_ASSERT(store_commit(t) == 0);
	id = r->id;
	record_free(r);
	return id;
}

/* Write content as the attached file of a document or template. */
static void
install_text(struct store *st, int type, const struct record_id *id,
    const char *text)
{
	char	*path = att_path(st, type, id), *tmp;

	xasprintf(&tmp, "%s.new", path);
	put_file(tmp, text);
	if (rename(tmp, path) != 0)
		abort();
	free(tmp);
	free(path);
}

static void
text_hash(const char *text, char *hex, char *size, size_t sizelen)
{
	char	*tmp;
	off_t	 sz;

	xasprintf(&tmp, "%s/hash-me", unit_dir());
	put_file(tmp, text);
	if (file_hash(tmp, hex, &sz) != 0)
		abort();
	unlink(tmp);
	free(tmp);
	snprintf(size, sizelen, "%lld", (long long)sz);
}

/* Attach text to parent as a document, as crm attach does (S13). */
static struct record_id
add_document(struct store *st, const struct user *a,
    const struct record_id *parent, const char *text)
{
	struct record_id	id;
	char			hex[FILE_HASH_TEXT + 1], size[32];

	text_hash(text, hex, size, sizeof size);
	id = add(st, a, MODEL_DOCUMENT, "parent", idt(parent),
	    "description", "a document", "filename", "note.txt", "size", size,
	    "hash", hex, "mime", "text/plain");
	install_text(st, MODEL_DOCUMENT, &id, text);
	return id;
}

/* Change the content of an attached document: the file and its hash. */
static void
change_document(struct store *st, const struct user *a,
    const struct record_id *id, const char *text)
{
	char	hex[FILE_HASH_TEXT + 1], size[32];

	text_hash(text, hex, size, sizeof size);
	install_text(st, MODEL_DOCUMENT, id, text);
	upd(st, a, MODEL_DOCUMENT, id, "hash", hex, "size", size);
}

static struct record_id
add_template(struct store *st, const struct user *a, const char *name,
    const char *text)
{
	struct record_id	id;

	id = add(st, a, MODEL_TEMPLATE, "name", name, "description",
	    "a letter", "filename", "letter.txt");
	install_text(st, MODEL_TEMPLATE, &id, text);
	return id;
}

/* ---------------------------------------------------------------------
 * The conflict log (B3).
 */

/* How many entries match; NULL matches anything, why is a substring. */
static int
conflicts_match(struct store *st, const struct record_id *rec,
    const char *field, const char *kept, const char *lost, const char *whom,
    const char *why, struct record_id *entry)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	int			 n = 0;

	if (store_begin(st, &t) != 0)
		return -1;
	if (store_cursor_open(t, STORE_CONFLICTS, STORE_BY_ID, 0, &c) != 0) {
		store_abort(t);
		return -1;
	}
	while (store_cursor_next(c, &r) == 0) {
		if ((rec == NULL || strcmp(record_value(r, "record"),
		    idt(rec)) == 0) &&
		    (field == NULL || strcmp(record_value(r, "field"),
		    field) == 0) &&
		    (kept == NULL || strcmp(record_value(r, "kept"),
		    kept) == 0) &&
		    (lost == NULL || strcmp(record_value(r, "lost"),
		    lost) == 0) &&
		    (whom == NULL || strcmp(record_value(r, "who"),
		    whom) == 0) &&
		    (why == NULL || strstr(record_value(r, "why"),
		    why) != NULL)) {
			if (n++ == 0 && entry != NULL)
				*entry = r->id;
		}
		record_free(r);
	}
	store_cursor_close(c);
	store_abort(t);
	return n;
}

static int
nconflicts(struct store *st)
{
	return conflicts_match(st, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
}

static void
conflicts_print(struct store *st)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;

	if (store_begin(st, &t) != 0)
		return;
	if (store_cursor_open(t, STORE_CONFLICTS, STORE_BY_ID, 0, &c) == 0) {
		while (store_cursor_next(c, &r) == 0) {
			fprintf(stderr, "  conflict: %s %s field=%s kept=\"%s\" "
			    "lost=\"%s\" who=%s at=%s why=\"%s\"\n",
			    record_value(r, "type"), record_value(r, "record"),
			    record_value(r, "field"), record_value(r, "kept"),
			    record_value(r, "lost"), record_value(r, "who"),
			    record_value(r, "changed_at"),
			    record_value(r, "why"));
			record_free(r);
		}
		store_cursor_close(c);
	}
	store_abort(t);
}

#define CONFLICT(st, rec, field, kept, lost, whom, why) \
	conflict_is(__LINE__, st, rec, field, kept, lost, whom, why)

static void
conflict_is(int line, struct store *st, const struct record_id *rec,
    const char *field, const char *kept, const char *lost, const char *whom,
    const char *why)
{
	if (conflicts_match(st, rec, field, kept, lost, whom, why, NULL) < 1) {
		fail_at(line, "no conflict logged for %s field %s kept \"%s\" "
		    "lost \"%s\" who %s why ~\"%s\"", rec ? idt(rec) : "*",
		    field ? field : "*", kept ? kept : "*", lost ? lost : "*",
		    whom ? whom : "*", why ? why : "*");
		conflicts_print(st);
	}
}

/* ---------------------------------------------------------------------
 * Whole databases as text, to compare them.
 */

#define DUMP_VALUES	0	/* field values, flags and who: no stamps */
#define DUMP_RAW	1	/* every byte of every record, meta, files */

static int
field_cmp(const void *a, const void *b)
{
	const struct field	*const *fa = a, *const *fb = b;

	return strcmp((*fa)->name, (*fb)->name);
}

static void
dump_record(FILE *f, int mode, const char *tname, const struct record *r)
{
	const struct field	**fs;
	uint8_t			 *buf;
	size_t			  len, i;

	if (mode == DUMP_RAW) {
		record_encode(r, &buf, &len);
		fprintf(f, "%s ", tname);
		for (i = 0; i < len; i++)
			fprintf(f, "%02x", buf[i]);
		fputc('\n', f);
		free(buf);
		return;
	}
	fprintf(f, "%s %s%s%s by %s/%s", tname, idt(&r->id),
	    (r->flags & RECORD_DELETED) ? " DELETED" : "",
	    (r->flags & RECORD_DIRTY) ? " DIRTY" : "", r->created_by,
	    r->modified_by);
	fs = xcalloc(r->nfields + 1, sizeof *fs);
	for (i = 0; i < r->nfields; i++)
		fs[i] = &r->fields[i];
	qsort(fs, r->nfields, sizeof *fs, field_cmp);
	for (i = 0; i < r->nfields; i++)
		fprintf(f, " %s=\"%s\"", fs[i]->name, fs[i]->value);
	fputc('\n', f);
	free(fs);
}

static void
dump_files(FILE *f, struct store *st)
{
	static const char *const subs[] = { "documents", "templates" };
	struct dirent	**ents;
	char		 *dir, *path, hex[FILE_HASH_TEXT + 1];
	int		  i, j, n;

	for (i = 0; i < 2; i++) {
		dir = store_path(st, subs[i]);
		if ((n = scandir(dir, &ents, NULL, alphasort)) < 0)
			abort();
		for (j = 0; j < n; j++) {
			if (strcmp(ents[j]->d_name, ".") != 0 &&
			    strcmp(ents[j]->d_name, "..") != 0) {
				xasprintf(&path, "%s/%s", dir,
				    ents[j]->d_name);
				if (file_hash(path, hex, NULL) != 0)
					strcpy(hex, "unreadable");
				fprintf(f, "file %s/%s %s\n", subs[i],
				    ents[j]->d_name, hex);
				free(path);
			}
			free(ents[j]);
		}
		free(ents);
		free(dir);
	}
}

static char *
dump(struct store *st, int mode)
{
	static const char *const keys[] = { "role", "id", "master_id",
		"clock", "seq", "sync_seq", "sync_stamp", "sync_time", NULL };
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	FILE			*f;
	char			*buf = NULL;
	uint8_t			 meta[256];
	size_t			 len = 0, mlen, i;
	int			 type, last;

	if ((f = open_memstream(&buf, &len)) == NULL)
		abort();
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	last = mode == DUMP_RAW ? MODEL_NTYPES : MODEL_NTYPES - 1;
	for (type = 0; type <= last; type++) {
		size_t	file = type == MODEL_NTYPES ? STORE_CONFLICTS :
			    (size_t)type;

		CU_ASSERT_FATAL(store_cursor_open(t, file, STORE_BY_ID,
		    STORE_CURSOR_DELETED, &c) == 0);
		while (store_cursor_next(c, &r) == 0) {
			dump_record(f, mode, type == MODEL_NTYPES ?
			    "conflict" : model_type(type)->name, r);
			record_free(r);
		}
		store_cursor_close(c);
	}
	if (mode == DUMP_RAW) {
		for (i = 0; keys[i] != NULL; i++) {
			mlen = sizeof meta;
			if (store_meta_get(t, keys[i], meta, &mlen) != 0)
				continue;
			fprintf(f, "meta %s ", keys[i]);
			while (mlen > 0)
				fprintf(f, "%02x", meta[--mlen]);
			fputc('\n', f);
		}
	}
	store_abort(t);
	dump_files(f, st);
	fclose(f);
	return buf;
}

/* The conflict log as lines "type|record|field|kept|lost|who|why". */
static char *
conflict_lines(struct store *st)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	FILE			*f;
	char			*buf = NULL;
	size_t			 len = 0;

	if ((f = open_memstream(&buf, &len)) == NULL)
		abort();
	fputc('\n', f);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT_FATAL(store_cursor_open(t, STORE_CONFLICTS, STORE_BY_ID, 0,
	    &c) == 0);
	while (store_cursor_next(c, &r) == 0) {
		fprintf(f, "%s|%s|%s|%s|%s|%s|%s\n", record_value(r, "type"),
		    record_value(r, "record"), record_value(r, "field"),
		    record_value(r, "kept"), record_value(r, "lost"),
		    record_value(r, "who"), record_value(r, "why"));
		record_free(r);
	}
	store_cursor_close(c);
	store_abort(t);
	fclose(f);
	return buf;
}

/* Say where two texts first differ; 1 if they are the same. */
static int
same_text(int line, const char *what, const char *a, const char *b)
{
	size_t	i = 0, start;

	if (strcmp(a, b) == 0)
		return 1;
	while (a[i] != '\0' && a[i] == b[i])
		i++;
	start = i;
	while (start > 0 && a[start - 1] != '\n')
		start--;
	fail_at(line, "%s differ at byte %zu:\n  want: %.300s\n  got:  %.300s",
	    what, i, a + start, b + start);
	return 0;
}

/* Do two databases hold the same values of a record (S3, S4)? */
#define SAME_RECORD(type, id) same_record(__LINE__, type, id)

static void
same_record(int line, int type, const struct record_id *id)
{
	struct record	*a = get(M, type, id), *b = get(L, type, id);
	FILE		*f;
	char		*ta = NULL, *tb = NULL;
	size_t		 la = 0, lb = 0;

	if (a == NULL || b == NULL) {
		fail_at(line, "%s %s is missing on the %s",
		    model_type(type)->name, idt(id), a == NULL ? "master" :
		    "local");
		record_free(a);
		record_free(b);
		return;
	}
	f = open_memstream(&ta, &la);
	dump_record(f, DUMP_VALUES, "", a);
	fprintf(f, "created %llu modified %llu\n",
	    (unsigned long long)a->created, (unsigned long long)a->modified);
	fclose(f);
	f = open_memstream(&tb, &lb);
	dump_record(f, DUMP_VALUES, "", b);
	fprintf(f, "created %llu modified %llu\n",
	    (unsigned long long)b->created, (unsigned long long)b->modified);
	fclose(f);
	same_text(line, "the master's and the local's record", ta, tb);
	free(ta);
	free(tb);
	record_free(a);
	record_free(b);
}

/* ---------------------------------------------------------------------
 * A mixed set of changes on both sides, for B5, B6 and S3: a conflict
 * each way, changes on one side, new records both ways, an allowed and a
 * refused deletion, a master deletion and a document with its file.
 */

static struct record_id	 sc_c1, sc_c2, sc_c3, sc_c4, sc_k1, sc_ta, sc_ca;
static struct record_id	 sc_mn, sc_ln, sc_lnn, sc_doc;

static void
scenario(void)
{
	unit_now_ms = T0;
	sc_c1 = add(M, &root, MODEL_COMPANY, "name", "Alpha");
	sc_c2 = add(M, &root, MODEL_COMPANY, "name", "Beta");
	sc_c3 = add(M, &root, MODEL_COMPANY, "name", "Gamma");
	sc_c4 = add(M, &root, MODEL_COMPANY, "name", "Delta");
	sc_k1 = add(M, &root, MODEL_CONTACT, "company", idt(&sc_c1),
	    "last_name", "Kay");
	sc_ta = add(M, &root, MODEL_TASK, "company", idt(&sc_c1), "subject",
	    "Call Kay", "assigned_to", "ANNA1");
	sc_ca = add(M, &root, MODEL_CAMPAIGN, "name", "Spring");
	unit_now_ms = T0 + MIN_MS;
	SYNC_OK();

	unit_now_ms = T0 + 2 * MIN_MS;
	upd(M, &root, MODEL_COMPANY, &sc_c1, "phone", "M1");
	upd(M, &root, MODEL_COMPANY, &sc_c2, "city", "MasterCity");
	sc_mn = add(M, &root, MODEL_COMPANY, "name", "MasterNew");
	del(M, &root, MODEL_CAMPAIGN, &sc_ca);
	unit_now_ms = T0 + 3 * MIN_MS;
	upd(L, &anna, MODEL_COMPANY, &sc_c3, "phone", "L3");
	unit_now_ms = T0 + 4 * MIN_MS;
	upd(L, &anna, MODEL_COMPANY, &sc_c1, "phone", "L1");
	upd(L, &anna, MODEL_CONTACT, &sc_k1, "email", "kay@example.com");
	sc_ln = add(L, &anna, MODEL_COMPANY, "name", "LocalNew");
	sc_lnn = add(L, &anna, MODEL_NOTE, "company", idt(&sc_ln), "subject",
	    "About LocalNew");
	del(L, &anna, MODEL_TASK, &sc_ta);
	raw_delete(L, MODEL_COMPANY, &sc_c4, "ANNA1");
	sc_doc = add_document(L, &anna, &sc_c2, "B5 document\n");
	unit_now_ms = T0 + 5 * MIN_MS;
	upd(M, &root, MODEL_COMPANY, &sc_c3, "phone", "M3");
	unit_now_ms = T0 + 10 * MIN_MS;
}

/* What the scenario must end as, on both sides. */
static void
scenario_check(void)
{
	struct store	*both[2] = { M, L };
	int		 i;

	for (i = 0; i < 2; i++) {
		VAL(both[i], MODEL_COMPANY, &sc_c1, "phone", "L1");
		VAL(both[i], MODEL_COMPANY, &sc_c2, "city", "MasterCity");
		VAL(both[i], MODEL_COMPANY, &sc_c3, "phone", "M3");
		VAL(both[i], MODEL_COMPANY, &sc_c4, "name", "Delta");
		VAL(both[i], MODEL_CONTACT, &sc_k1, "email",
		    "kay@example.com");
		GONE(both[i], MODEL_TASK, &sc_ta);
		GONE(both[i], MODEL_CAMPAIGN, &sc_ca);
		LIVE(both[i], MODEL_COMPANY, &sc_mn);
		LIVE(both[i], MODEL_COMPANY, &sc_ln);
		LIVE(both[i], MODEL_NOTE, &sc_lnn);
		LIVE(both[i], MODEL_DOCUMENT, &sc_doc);
	}
	SAME_FILE(M, L, MODEL_DOCUMENT, &sc_doc, "B5 document\n");
}

/* =====================================================================
 * S1-S4: roles, attach, set-up, metadata.
 */

static void
test_sync_S1_refused_on_master(void)
{
	struct sync_report	 r;
	char			*before, *after;

	world("anna");
	add(M, &root, MODEL_COMPANY, "name", "Untouched");
	before = dump(M, DUMP_RAW);

	error_clear();
	CU_ASSERT(sync_with(&M, &M, mdir, mdir, "root", &r) == -1);
	CU_ASSERT(strstr(error_get(), "master") != NULL);
	CU_ASSERT(strstr(error_get(), mdir) != NULL);

	after = dump(M, DUMP_RAW);
	same_text(__LINE__, "the master before and after", before, after);
	free(before);
	free(after);
	/* The right way round is accepted. */
	CU_ASSERT(check_with(L, &M, mdir, "anna") == 0);
	finish();
}

static void
test_sync_S2_other_master_refused(void)
{
	struct store		*other, *l2;
	struct store_txn	*t;
	struct sync_report	 r;
	char			 odir[PATH_MAX], l2dir[PATH_MAX];
	char			*lb, *mb, *ob, *la, *ma, *oa;
	struct record_id	 c;
	const char		*oid = "0000000000000000000000abcd";

	world("anna");
	c = add(M, &root, MODEL_COMPANY, "name", "Ours");
	SYNC_OK();
	unit_now_ms += MIN_MS;
	upd(L, &anna, MODEL_COMPANY, &c, "phone", "pending");
	add(L, &anna, MODEL_COMPANY, "name", "Pending new");

	/* Another master: a copy of the same users, with another ID. */
	snprintf(odir, sizeof odir, "%s", unit_path("other"));
	copy_dir(golden_dir, odir);
	other = model_open(odir, STORE_MASTER, 0, 5);
	CU_ASSERT_FATAL(other != NULL);
	CU_ASSERT_FATAL(store_begin(other, &t) == 0);
	CU_ASSERT_FATAL(store_meta_put(t, "id", oid, strlen(oid)) == 0);
	CU_ASSERT_FATAL(store_commit(t) == 0);
	add(other, &root, MODEL_COMPANY, "name", "Theirs");

	lb = dump(L, DUMP_RAW);
	mb = dump(M, DUMP_RAW);
	ob = dump(other, DUMP_RAW);
	error_clear();
	CU_ASSERT(sync_with(&L, &other, odir, ldir, "anna", &r) == -1);
	CU_ASSERT(strstr(error_get(), "not the master") != NULL);
	CU_ASSERT(strstr(error_get(), odir) != NULL);
	CU_ASSERT(strstr(error_get(), "nothing was changed") != NULL);
	error_clear();
	CU_ASSERT(check_with(L, &other, odir, "anna") == -1);

	/* A local where the master should be is not a master either. */
	snprintf(l2dir, sizeof l2dir, "%s", unit_path("l2"));
	l2 = make_local(M, l2dir, "root");
	CU_ASSERT_FATAL(l2 != NULL);
	error_clear();
	CU_ASSERT(check_with(L, NULL, l2dir, "anna") == -1);
	CU_ASSERT(strstr(error_get(), "not a master") != NULL);

	la = dump(L, DUMP_RAW);
	ma = dump(M, DUMP_RAW);
	oa = dump(other, DUMP_RAW);
	same_text(__LINE__, "the local before and after", lb, la);
	same_text(__LINE__, "its master before and after", mb, ma);
	same_text(__LINE__, "the other master before and after", ob, oa);
	CU_ASSERT(outbox_size(L) == 2);
	free(lb);
	free(mb);
	free(ob);
	free(la);
	free(ma);
	free(oa);
	CU_ASSERT(store_close(l2) == 0);
	CU_ASSERT(store_close(other) == 0);
	/* Its own master still takes the pending changes. */
	SYNC_OK();
	CNT(rep.total.uploaded, 2);
	VAL(M, MODEL_COMPANY, &c, "phone", "pending");
	finish();
}

static void
test_sync_S3_first_sync_downloads_scope(void)
{
	struct record_id	 c, k, n, e, tk, o, is, ca, tg, d, tp;
	struct record_id	 rootid, benid, annaid;
	struct record		*r;
	struct store_txn	*t;
	uint8_t			 buf[8];
	size_t			 len = sizeof buf;
	int			 type;

	world("anna");
	c = add(M, &root, MODEL_COMPANY, "name", "Acme", "city", "Oslo");
	k = add(M, &root, MODEL_CONTACT, "company", idt(&c), "first_name",
	    "Ada", "last_name", "Lind");
	n = add(M, &root, MODEL_NOTE, "company", idt(&c), "subject", "Met",
	    "text", "line one\nline two");
	e = add(M, &root, MODEL_EVENT, "company", idt(&c), "contact", idt(&k),
	    "subject", "Lunch", "start", "2026-12-01T12:00");
	tk = add(M, &root, MODEL_TASK, "company", idt(&c), "subject", "Call");
	o = add(M, &root, MODEL_OPPORTUNITY, "company", idt(&c), "name",
	    "Deal", "amount", "1250.50");
	is = add(M, &root, MODEL_ISSUE, "company", idt(&c), "subject",
	    "Broken");
	ca = add(M, &root, MODEL_CAMPAIGN, "name", "Winter");
	tg = add(M, &root, MODEL_TARGET, "campaign", idt(&ca), "company",
	    idt(&c));
	d = add_document(M, &root, &c, "contract text\n");
	tp = add_template(M, &root, "Welcome", "Dear {first_name}\n");
	unit_now_ms += MIN_MS;

	SYNC_OK();
	for (type = MODEL_COMPANY; type < MODEL_NTYPES; type++)
		CNT(rep.file[type].downloaded, 1);
	CNT(rep.file[MODEL_USER].downloaded, 2);	/* root and ben */
	CNT(rep.total.uploaded, 0);
	CNT(rep.total.files, 2);
	SAME_RECORD(MODEL_COMPANY, &c);
	SAME_RECORD(MODEL_CONTACT, &k);
	SAME_RECORD(MODEL_NOTE, &n);
	SAME_RECORD(MODEL_EVENT, &e);
	SAME_RECORD(MODEL_TASK, &tk);
	SAME_RECORD(MODEL_OPPORTUNITY, &o);
	SAME_RECORD(MODEL_ISSUE, &is);
	SAME_RECORD(MODEL_CAMPAIGN, &ca);
	SAME_RECORD(MODEL_TARGET, &tg);
	SAME_RECORD(MODEL_DOCUMENT, &d);
	SAME_RECORD(MODEL_TEMPLATE, &tp);
	SAME_FILE(M, L, MODEL_DOCUMENT, &d, "contract text\n");
	SAME_FILE(M, L, MODEL_TEMPLATE, &tp, "Dear {first_name}\n");
	/* Every user, but only the local's own with a password hash. */
	rootid = user_id(M, "root");
	benid = user_id(M, "ben");
	annaid = user_id(M, "anna");
	VAL(L, MODEL_USER, &rootid, "uid", "ROOT1");
	VAL(L, MODEL_USER, &benid, "uid", "BEN01");
	VAL(L, MODEL_USER, &rootid, "password_hash", "");
	VAL(L, MODEL_USER, &benid, "password_hash", "");
	r = get(L, MODEL_USER, &annaid);
	CU_ASSERT(r != NULL && strncmp(record_value(r, "password_hash"),
	    "$y$", 3) == 0);
	record_free(r);
	CU_ASSERT(outbox_size(L) == 0);

	/* The sync state: the master's sequence, in the local's meta.db. */
	CU_ASSERT_FATAL(store_begin(L, &t) == 0);
	CU_ASSERT(store_meta_get(t, "sync_seq", buf, &len) == 0 && len == 8);
	store_abort(t);

	/* Later syncs move only what changed: here, nothing. */
	SYNC_OK();
	REP_ZERO(&rep);
	finish();
}

static void
test_sync_S3_second_sync_moves_nothing(void)
{
	world("anna");
	scenario();
	SYNC_OK();
	scenario_check();
	/* Merged records leave the outbox (see test_sync_S7). */
	CU_ASSERT(outbox_size(L) == 0);
	unit_now_ms += MIN_MS;
	SYNC_OK();
	REP_ZERO(&rep);
	unit_now_ms += DAY_MS;
	SYNC_OK();
	REP_ZERO(&rep);
	scenario_check();
	finish();
}

/*
 * The progress the sync screen draws: each file's total is its outbox
 * plus the master's changes since the last sync, done never passes it,
 * and the last call has every file done (B4: counted through indexes).
 */
static struct {
	unsigned long	 calls, total[MODEL_NTYPES], over;
	int		 last_type, backwards;
	struct sync_progress last;
} prog;

static void
prog_told(void *arg, const struct sync_progress *p)
{
	(void)arg;
	prog.calls++;
	if (p->type >= 0 && p->type < MODEL_NTYPES)
		prog.total[p->type] = p->total;
	if (p->done > p->total || p->all_done > p->all_total)
		prog.over++;
	if (p->type < prog.last_type)
		prog.backwards++;
	prog.last_type = p->type;
	prog.last = *p;
}

static void
test_sync_B4_progress_counts_changes(void)
{
	world("anna");
	SYNC_OK();
	unit_now_ms += MIN_MS;
	add(L, &anna, MODEL_COMPANY, "name", "Local One", "account_manager",
	    "ANNA1");
	add(L, &anna, MODEL_COMPANY, "name", "Local Two", "account_manager",
	    "ANNA1");
	add(L, &anna, MODEL_COMPANY, "name", "Local Three", "account_manager",
	    "ANNA1");
	add(M, &root, MODEL_COMPANY, "name", "Master One", "account_manager",
	    "ANNA1");
	add(M, &root, MODEL_COMPANY, "name", "Master Two", "account_manager",
	    "ANNA1");

	memset(&prog, 0, sizeof prog);
	pol_progress = prog_told;
	SYNC_OK();
	pol_progress = NULL;

	CU_ASSERT(prog.calls > 0);
	CU_ASSERT(prog.over == 0);
	CU_ASSERT(prog.backwards == 0);
	cnt_is(__LINE__, "companies to look at", prog.total[MODEL_COMPANY], 5);
	cnt_is(__LINE__, "contacts to look at", prog.total[MODEL_CONTACT], 0);
	cnt_is(__LINE__, "files done", (unsigned long)prog.last.files_done,
	    MODEL_NTYPES);
	cnt_is(__LINE__, "all changes", prog.last.all_total, 5);
	cnt_is(__LINE__, "all done", prog.last.all_done, 5);
	cnt_is(__LINE__, "uploaded", rep.total.uploaded, 3);
	cnt_is(__LINE__, "downloaded", rep.total.downloaded, 2);
	finish();
}

static void
test_sync_S4_metadata_travels(void)
{
	struct record_id	 lc, mc;
	struct record		*a, *b;
	uint64_t		 created;
	char			*va, *vb;
	static const char *const meta[] = { "id", "created_at", "created_by",
		"modified_at", "modified_by", NULL };
	int			 i;

	world("anna");
	SYNC_OK();
	unit_now_ms = T0 + MIN_MS;
	lc = add(L, &anna, MODEL_COMPANY, "name", "Made Here");
	unit_now_ms = T0 + 2 * MIN_MS;
	SYNC_OK();
	SAME_RECORD(MODEL_COMPANY, &lc);
	a = get(M, MODEL_COMPANY, &lc);
	CU_ASSERT_FATAL(a != NULL);
	CU_ASSERT_STRING_EQUAL(a->created_by, "ANNA1");
	CU_ASSERT_STRING_EQUAL(a->modified_by, "ANNA1");
	CU_ASSERT(clock_stamp_ms(a->created) == T0 + MIN_MS);
	created = a->created;
	record_free(a);

	unit_now_ms = T0 + 3 * MIN_MS;
	upd(M, &root, MODEL_COMPANY, &lc, "phone", "123");
	mc = add(M, &root, MODEL_COMPANY, "name", "Made There");
	unit_now_ms = T0 + 4 * MIN_MS;
	SYNC_OK();
	SAME_RECORD(MODEL_COMPANY, &lc);
	SAME_RECORD(MODEL_COMPANY, &mc);
	b = get(L, MODEL_COMPANY, &lc);
	CU_ASSERT_FATAL(b != NULL);
	CU_ASSERT_STRING_EQUAL(b->created_by, "ANNA1");
	CU_ASSERT_STRING_EQUAL(b->modified_by, "ROOT1");
	CU_ASSERT(b->created == created);
	CU_ASSERT(clock_stamp_ms(b->modified) == T0 + 3 * MIN_MS);
	/* As the application shows them. */
	a = get(M, MODEL_COMPANY, &lc);
	CU_ASSERT_FATAL(a != NULL);
	for (i = 0; meta[i] != NULL; i++) {
		va = model_value(a, meta[i]);
		vb = model_value(b, meta[i]);
		CU_ASSERT_STRING_EQUAL(va, vb);
		free(va);
		free(vb);
	}
	record_free(a);
	record_free(b);
	b = get(L, MODEL_COMPANY, &mc);
	CU_ASSERT_FATAL(b != NULL);
	CU_ASSERT_STRING_EQUAL(b->created_by, "ROOT1");
	record_free(b);
	finish();
}

/* =====================================================================
 * S5-S10: the comparison pass.
 */

static void
test_sync_S5_local_new_uploaded(void)
{
	struct record_id	c, k, n;

	world("anna");
	SYNC_OK();
	unit_now_ms += MIN_MS;
	c = add(L, &anna, MODEL_COMPANY, "name", "Brand New", "phone", "1");
	k = add(L, &anna, MODEL_CONTACT, "company", idt(&c), "last_name",
	    "Newman");
	n = add(L, &anna, MODEL_NOTE, "contact", idt(&k), "subject", "Hello");
	CU_ASSERT(outbox_size(L) == 3);
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.file[MODEL_COMPANY].uploaded, 1);
	CNT(rep.file[MODEL_CONTACT].uploaded, 1);
	CNT(rep.file[MODEL_NOTE].uploaded, 1);
	CNT(rep.total.uploaded, 3);
	CNT(rep.total.downloaded, 0);
	SAME_RECORD(MODEL_COMPANY, &c);
	SAME_RECORD(MODEL_CONTACT, &k);
	SAME_RECORD(MODEL_NOTE, &n);
	VAL(M, MODEL_CONTACT, &k, "account_manager", "ANNA1");
	CU_ASSERT(outbox_size(L) == 0);
	CU_ASSERT(nconflicts(L) == 0);
	SYNC_OK();
	REP_ZERO(&rep);
	finish();
}

static void
test_sync_S6_local_changed_master_unchanged(void)
{
	struct record_id	c, other;

	world("anna");
	c = add(M, &root, MODEL_COMPANY, "name", "Steady", "phone", "old",
	    "city", "Bergen");
	other = add(M, &root, MODEL_COMPANY, "name", "Other");
	SYNC_OK();
	unit_now_ms += MIN_MS;
	upd(L, &anna, MODEL_COMPANY, &c, "phone", "new", "description",
	    "two\nlines");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.file[MODEL_COMPANY].uploaded, 1);
	CNT(rep.total.uploaded, 1);
	CNT(rep.total.downloaded, 0);
	CNT(rep.total.won + rep.total.lost + rep.total.merged, 0);
	VAL(M, MODEL_COMPANY, &c, "phone", "new");
	VAL(M, MODEL_COMPANY, &c, "description", "two\nlines");
	VAL(M, MODEL_COMPANY, &c, "city", "Bergen");
	VAL(M, MODEL_COMPANY, &other, "name", "Other");
	SAME_RECORD(MODEL_COMPANY, &c);
	CU_ASSERT(nconflicts(L) == 0);
	CU_ASSERT(outbox_size(L) == 0);
	finish();
}

static void
test_sync_S7_both_changed_most_recent_wins(void)
{
	struct record_id	c1, c2;

	world("anna");
	c1 = add(M, &root, MODEL_COMPANY, "name", "Alpha", "phone", "orig");
	c2 = add(M, &root, MODEL_COMPANY, "name", "Beta", "phone", "orig");
	SYNC_OK();
	/* c1: the local's change is the newer; c2: the master's. */
	unit_now_ms = T0 + MIN_MS;
	upd(M, &root, MODEL_COMPANY, &c1, "phone", "master-older");
	upd(L, &anna, MODEL_COMPANY, &c2, "phone", "local-older");
	unit_now_ms = T0 + 2 * MIN_MS;
	upd(L, &anna, MODEL_COMPANY, &c1, "phone", "local-newer");
	upd(M, &root, MODEL_COMPANY, &c2, "phone", "master-newer");
	unit_now_ms = T0 + 3 * MIN_MS;
	SYNC_OK();

	VAL(M, MODEL_COMPANY, &c1, "phone", "local-newer");
	VAL(L, MODEL_COMPANY, &c1, "phone", "local-newer");
	VAL(M, MODEL_COMPANY, &c2, "phone", "master-newer");
	VAL(L, MODEL_COMPANY, &c2, "phone", "master-newer");
	CNT(rep.file[MODEL_COMPANY].won, 1);
	CNT(rep.file[MODEL_COMPANY].lost, 1);
	CONFLICT(L, &c1, "phone", "local-newer", "master-older", "ROOT1",
	    "newer change in this database");
	CONFLICT(L, &c2, "phone", "master-newer", "local-older", "ANNA1",
	    "newer change on the master");
	CU_ASSERT(nconflicts(L) == 2);
	/*
	 * The local was written with the merged record, whose modified is
	 * the newer of both sides: the outbox must still be emptied of it,
	 * or the next sync uploads it again.
	 */
	CU_ASSERT(outbox_size(L) == 0);
	SYNC_OK();
	REP_ZERO(&rep);
	finish();
}

static void
test_sync_S8_master_new_downloaded(void)
{
	struct record_id	c, k;

	world("anna");
	SYNC_OK();
	unit_now_ms += MIN_MS;
	c = add(M, &root, MODEL_COMPANY, "name", "Fresh", "country", "NO");
	k = add(M, &root, MODEL_CONTACT, "company", idt(&c), "last_name",
	    "Fresh");
	GONE(L, MODEL_COMPANY, &c);
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.file[MODEL_COMPANY].downloaded, 1);
	CNT(rep.file[MODEL_CONTACT].downloaded, 1);
	CNT(rep.total.downloaded, 2);
	CNT(rep.total.uploaded, 0);
	SAME_RECORD(MODEL_COMPANY, &c);
	SAME_RECORD(MODEL_CONTACT, &k);
	CU_ASSERT(outbox_size(L) == 0);
	finish();
}

static void
test_sync_S9_master_changed_downloaded(void)
{
	struct record_id	c, other;

	world("anna");
	c = add(M, &root, MODEL_COMPANY, "name", "Mover", "city", "Oslo");
	other = add(M, &root, MODEL_COMPANY, "name", "Still");
	SYNC_OK();
	unit_now_ms += MIN_MS;
	upd(M, &root, MODEL_COMPANY, &c, "city", "Tromsø");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.file[MODEL_COMPANY].downloaded, 1);
	CNT(rep.total.downloaded, 1);
	CNT(rep.total.uploaded, 0);
	VAL(L, MODEL_COMPANY, &c, "city", "Tromsø");
	VAL(L, MODEL_COMPANY, &other, "name", "Still");
	SAME_RECORD(MODEL_COMPANY, &c);
	CU_ASSERT(outbox_size(L) == 0);
	CU_ASSERT(nconflicts(L) == 0);
	finish();
}

static void
test_sync_S10_every_file(void)
{
	/* The field changed in each file, in model order. */
	static const char *const field[MODEL_NTYPES] = {
		"name", "phone", "phone", "text", "location", "description",
		"description", "description", "description", "notes",
		"description", "description"
	};
	struct record_id	 id[MODEL_NTYPES];
	char			 v[MODEL_NTYPES][64];
	int			 type;

	world("anna");
	id[MODEL_USER] = user_id(M, "root");
	id[MODEL_COMPANY] = add(M, &root, MODEL_COMPANY, "name", "Every");
	id[MODEL_CONTACT] = add(M, &root, MODEL_CONTACT, "company",
	    idt(&id[MODEL_COMPANY]), "last_name", "File");
	id[MODEL_NOTE] = add(M, &root, MODEL_NOTE, "company",
	    idt(&id[MODEL_COMPANY]), "subject", "A note");
	id[MODEL_EVENT] = add(M, &root, MODEL_EVENT, "company",
	    idt(&id[MODEL_COMPANY]), "contact", idt(&id[MODEL_CONTACT]),
	    "subject", "Meeting", "start", "2026-12-01T10:00");
	id[MODEL_TASK] = add(M, &root, MODEL_TASK, "company",
	    idt(&id[MODEL_COMPANY]), "subject", "A task");
	id[MODEL_OPPORTUNITY] = add(M, &root, MODEL_OPPORTUNITY, "company",
	    idt(&id[MODEL_COMPANY]), "name", "A deal");
	id[MODEL_ISSUE] = add(M, &root, MODEL_ISSUE, "company",
	    idt(&id[MODEL_COMPANY]), "subject", "An issue");
	id[MODEL_CAMPAIGN] = add(M, &root, MODEL_CAMPAIGN, "name", "Camp");
	id[MODEL_TARGET] = add(M, &root, MODEL_TARGET, "campaign",
	    idt(&id[MODEL_CAMPAIGN]), "contact", idt(&id[MODEL_CONTACT]));
	id[MODEL_DOCUMENT] = add_document(M, &root, &id[MODEL_COMPANY],
	    "every file\n");
	id[MODEL_TEMPLATE] = add_template(M, &root, "Every", "Dear all\n");
	unit_now_ms += MIN_MS;
	SYNC_OK();

	/* A change on the master in each of the 12 files comes down. */
	unit_now_ms += MIN_MS;
	for (type = 0; type < MODEL_NTYPES; type++) {
		snprintf(v[type], sizeof v[type], "master %s",
		    model_type(type)->name);
		if (type == MODEL_USER)	/* users change only on the master */
			raw_set(M, MODEL_USER, &id[type], "ROOT1", "name",
			    v[type], 0);
		else
			upd(M, &root, type, &id[type], field[type], v[type]);
	}
	unit_now_ms += MIN_MS;
	SYNC_OK();
	for (type = 0; type < MODEL_NTYPES; type++) {
		CNT(rep.file[type].downloaded, 1);
		VAL(L, type, &id[type], field[type], v[type]);
	}
	CNT(rep.total.uploaded, 0);
	/* The user came down without its password hash. */
	VAL(L, MODEL_USER, &id[MODEL_USER], "password_hash", "");

	/* A change on the local in each file it may change goes up. */
	unit_now_ms += MIN_MS;
	for (type = MODEL_COMPANY; type < MODEL_NTYPES; type++) {
		snprintf(v[type], sizeof v[type], "local %s",
		    model_type(type)->name);
		upd(L, &anna, type, &id[type], field[type], v[type]);
	}
	unit_now_ms += MIN_MS;
	SYNC_OK();
	for (type = MODEL_COMPANY; type < MODEL_NTYPES; type++) {
		CNT(rep.file[type].uploaded, 1);
		VAL(M, type, &id[type], field[type], v[type]);
		SAME_RECORD(type, &id[type]);
	}
	CNT(rep.total.downloaded, 0);
	CU_ASSERT(nconflicts(L) == 0);

	/* Linked records are separate: a contact and its event both keep. */
	unit_now_ms += MIN_MS;
	upd(L, &anna, MODEL_CONTACT, &id[MODEL_CONTACT], "phone",
	    "contact-local");
	upd(M, &root, MODEL_EVENT, &id[MODEL_EVENT], "location",
	    "event-master");
	unit_now_ms += MIN_MS;
	upd(L, &anna, MODEL_EVENT, &id[MODEL_EVENT], "description",
	    "event-local");
	upd(M, &root, MODEL_CONTACT, &id[MODEL_CONTACT], "mobile",
	    "contact-master");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	VAL(M, MODEL_CONTACT, &id[MODEL_CONTACT], "phone", "contact-local");
	VAL(L, MODEL_CONTACT, &id[MODEL_CONTACT], "phone", "contact-local");
	VAL(M, MODEL_EVENT, &id[MODEL_EVENT], "location", "event-master");
	VAL(L, MODEL_EVENT, &id[MODEL_EVENT], "location", "event-master");
	VAL(M, MODEL_EVENT, &id[MODEL_EVENT], "description", "event-local");
	VAL(L, MODEL_CONTACT, &id[MODEL_CONTACT], "mobile", "contact-master");
	VAL(M, MODEL_CONTACT, &id[MODEL_CONTACT], "mobile", "contact-master");
	CU_ASSERT(nconflicts(L) == 0);
	SYNC_OK();
	REP_ZERO(&rep);
	finish();
}

/* =====================================================================
 * S11: the update window.
 */

static void
test_sync_S11_window_master_wins_when_stale(void)
{
	struct record_id	both, lonly, monly, mnew, lnew;

	world("anna");
	pol_window = 7;
	both = add(M, &root, MODEL_COMPANY, "name", "Both", "phone", "orig");
	lonly = add(M, &root, MODEL_COMPANY, "name", "Local only");
	monly = add(M, &root, MODEL_COMPANY, "name", "Master only");
	SYNC_OK();		/* at T0 */
	CU_ASSERT(rep.stale == 0);

	/* Ten days later; the local's change to "both" is the newer. */
	unit_now_ms = T0 + 10 * DAY_MS - 2 * HOUR_MS;
	upd(M, &root, MODEL_COMPANY, &both, "phone", "master-older");
	upd(M, &root, MODEL_COMPANY, &monly, "phone", "master-only");
	mnew = add(M, &root, MODEL_COMPANY, "name", "Master new");
	unit_now_ms = T0 + 10 * DAY_MS - HOUR_MS;
	upd(L, &anna, MODEL_COMPANY, &both, "phone", "local-newer");
	upd(L, &anna, MODEL_COMPANY, &both, "city", "Local city");
	upd(L, &anna, MODEL_COMPANY, &lonly, "phone", "local-only");
	lnew = add(L, &anna, MODEL_COMPANY, "name", "Local new");
	unit_now_ms = T0 + 10 * DAY_MS;
	SYNC_OK();

	CU_ASSERT(rep.stale == 1);
	/* Both changed the field: the master wins, though older. */
	VAL(M, MODEL_COMPANY, &both, "phone", "master-older");
	VAL(L, MODEL_COMPANY, &both, "phone", "master-older");
	CONFLICT(L, &both, "phone", "master-older", "local-newer", "ANNA1",
	    "update window");
	CNT(rep.file[MODEL_COMPANY].lost, 1);
	CNT(rep.file[MODEL_COMPANY].won, 0);
	/* B1: a field only the local changed still goes up. */
	VAL(M, MODEL_COMPANY, &both, "city", "Local city");
	/* Local-only changes go up, master-only ones come down. */
	VAL(M, MODEL_COMPANY, &lonly, "phone", "local-only");
	VAL(L, MODEL_COMPANY, &monly, "phone", "master-only");
	/* New records go both ways. */
	LIVE(L, MODEL_COMPANY, &mnew);
	LIVE(M, MODEL_COMPANY, &lnew);
	CU_ASSERT(nconflicts(L) == 1);

	/* The sync just made starts a new period: the newer wins again. */
	unit_now_ms += MIN_MS;
	upd(M, &root, MODEL_COMPANY, &both, "phone", "master-again");
	unit_now_ms += MIN_MS;
	upd(L, &anna, MODEL_COMPANY, &both, "phone", "local-again");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CU_ASSERT(rep.stale == 0);
	VAL(M, MODEL_COMPANY, &both, "phone", "local-again");
	finish();
}

/*
 * The master's settings are its crm.conf's, read for the sync alone: the
 * process's, a local's loaded before, say a month and stay so, while the
 * master's week makes ten days stale.
 */
static void
test_sync_S11_window_is_the_masters(void)
{
	struct record_id	c;

	world("anna");
	pol_window = 7;
	master_policy(mdir);
	pol_kept = 1;
	CU_ASSERT_FATAL(cfg_set(ldir, "sync.update_window_days", "30") == 0);
	CU_ASSERT_FATAL(cfg_set(ldir, "db.name", "Anna's laptop") == 0);
	CU_ASSERT_FATAL(cfg_load(ldir) == 0);
	c = add(M, &root, MODEL_COMPANY, "name", "Both", "phone", "orig");
	SYNC_OK();
	unit_now_ms = T0 + 10 * DAY_MS - 2 * HOUR_MS;
	upd(M, &root, MODEL_COMPANY, &c, "phone", "master-older");
	unit_now_ms = T0 + 10 * DAY_MS - HOUR_MS;
	upd(L, &anna, MODEL_COMPANY, &c, "phone", "local-newer");
	unit_now_ms = T0 + 10 * DAY_MS;
	SYNC_OK();
	CU_ASSERT(rep.stale == 1);
	VAL(L, MODEL_COMPANY, &c, "phone", "master-older");
	CU_ASSERT_EQUAL(cfg_int("sync.update_window_days"), 30);
	CU_ASSERT_STRING_EQUAL(cfg_string("db.name"), "Anna's laptop");
	cfg_free();
	finish();
}

static void
test_sync_S11_window_not_passed(void)
{
	struct record_id	c;

	world("anna");
	pol_window = 7;
	c = add(M, &root, MODEL_COMPANY, "name", "Recent", "phone", "orig");
	SYNC_OK();
	unit_now_ms = T0 + 3 * DAY_MS - 2 * HOUR_MS;
	upd(M, &root, MODEL_COMPANY, &c, "phone", "master-older");
	unit_now_ms = T0 + 3 * DAY_MS - HOUR_MS;
	upd(L, &anna, MODEL_COMPANY, &c, "phone", "local-newer");
	unit_now_ms = T0 + 3 * DAY_MS;
	SYNC_OK();
	CU_ASSERT(rep.stale == 0);
	VAL(M, MODEL_COMPANY, &c, "phone", "local-newer");
	VAL(L, MODEL_COMPANY, &c, "phone", "local-newer");
	CNT(rep.file[MODEL_COMPANY].won, 1);

	/* No period set (0): a hundred days away changes nothing. */
	pol_window = 0;
	unit_now_ms = T0 + 103 * DAY_MS - 2 * HOUR_MS;
	upd(M, &root, MODEL_COMPANY, &c, "phone", "master-old-2");
	unit_now_ms = T0 + 103 * DAY_MS - HOUR_MS;
	upd(L, &anna, MODEL_COMPANY, &c, "phone", "local-new-2");
	unit_now_ms = T0 + 103 * DAY_MS;
	SYNC_OK();
	CU_ASSERT(rep.stale == 0);
	VAL(M, MODEL_COMPANY, &c, "phone", "local-new-2");
	finish();
}

/* =====================================================================
 * S12: deletions.
 */

static void
test_sync_S12_refused_deletion_comes_back(void)
{
	struct record_id	c;
	struct record		*r;

	world("anna");
	c = add(M, &root, MODEL_COMPANY, "name", "Root's company", "phone",
	    "555");
	SYNC_OK();
	unit_now_ms += MIN_MS;
	/* The application refuses it up front, and says why. */
	CU_ASSERT(try_del(L, &anna, MODEL_COMPANY, &c) == -1);
	CU_ASSERT(strstr(error_get(), "ROOT1") != NULL);
	LIVE(L, MODEL_COMPANY, &c);
	/* An older program (or a hand) deletes it anyway. */
	raw_delete(L, MODEL_COMPANY, &c, "ANNA1");
	GONE(L, MODEL_COMPANY, &c);
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.file[MODEL_COMPANY].refused_delete, 1);
	CNT(rep.total.refused_delete, 1);
	CNT(rep.total.deleted, 0);
	/* It is back on the local, whole, and still on the master. */
	VAL(L, MODEL_COMPANY, &c, "name", "Root's company");
	VAL(L, MODEL_COMPANY, &c, "phone", "555");
	VAL(M, MODEL_COMPANY, &c, "name", "Root's company");
	SAME_RECORD(MODEL_COMPANY, &c);
	CONFLICT(L, &c, "*", NULL, "deleted", "ANNA1", NULL);
	r = get(L, MODEL_COMPANY, &c);
	CU_ASSERT(r != NULL && (r->flags & RECORD_DIRTY) == 0);
	record_free(r);
	CU_ASSERT(outbox_size(L) == 0);
	SYNC_OK();
	REP_ZERO(&rep);
	finish();
}

static void
test_sync_S12_allowed_deletion_propagates(void)
{
	struct record_id	c, tk, mine, ca, tg;
	struct record		*r;

	world("anna");
	c = add(M, &root, MODEL_COMPANY, "name", "Root's company");
	tk = add(M, &root, MODEL_TASK, "company", idt(&c), "subject",
	    "For anna", "assigned_to", "ANNA1");
	ca = add(M, &root, MODEL_CAMPAIGN, "name", "Root's campaign");
	tg = add(M, &root, MODEL_TARGET, "campaign", idt(&ca), "company",
	    idt(&c));
	SYNC_OK();
	unit_now_ms += MIN_MS;
	mine = add(L, &anna, MODEL_COMPANY, "name", "Anna's company");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	LIVE(M, MODEL_COMPANY, &mine);

	unit_now_ms += MIN_MS;
	del(L, &anna, MODEL_TASK, &tk);		/* assigned to her */
	del(L, &anna, MODEL_COMPANY, &mine);	/* created by her */
	del(L, &anna, MODEL_TARGET, &tg);	/* targets: always */
	del(L, &anna, MODEL_CAMPAIGN, &ca);	/* campaigns: always */
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.total.refused_delete, 0);
	CNT(rep.file[MODEL_TASK].deleted, 1);
	CNT(rep.file[MODEL_COMPANY].deleted, 1);
	CNT(rep.file[MODEL_TARGET].deleted, 1);
	CNT(rep.file[MODEL_CAMPAIGN].deleted, 1);
	GONE(M, MODEL_TASK, &tk);
	GONE(M, MODEL_COMPANY, &mine);
	GONE(M, MODEL_TARGET, &tg);
	GONE(M, MODEL_CAMPAIGN, &ca);
	GONE(L, MODEL_TASK, &tk);
	/* The master keeps a tombstone, so the deletion travels on. */
	r = get(M, MODEL_TASK, &tk);
	CU_ASSERT(r != NULL && (r->flags & RECORD_DELETED) &&
	    strcmp(r->modified_by, "ANNA1") == 0);
	record_free(r);
	LIVE(M, MODEL_COMPANY, &c);
	CU_ASSERT(nconflicts(L) == 0);
	CU_ASSERT(outbox_size(L) == 0);
	SYNC_OK();
	REP_ZERO(&rep);
	finish();
}

static void
test_sync_S12_master_deletion_propagates(void)
{
	struct record_id	c1, c2, k;

	world("anna");
	c1 = add(M, &root, MODEL_COMPANY, "name", "Doomed");
	c2 = add(M, &root, MODEL_COMPANY, "name", "Doomed but edited");
	k = add(M, &root, MODEL_CONTACT, "company", idt(&c1), "last_name",
	    "Gone");
	SYNC_OK();
	unit_now_ms += MIN_MS;
	upd(L, &anna, MODEL_COMPANY, &c2, "phone", "edited here");
	unit_now_ms += MIN_MS;
	del(M, &root, MODEL_CONTACT, &k);
	del(M, &root, MODEL_COMPANY, &c1);
	del(M, &root, MODEL_COMPANY, &c2);	/* newer than anna's edit */
	unit_now_ms += MIN_MS;
	SYNC_OK();
	GONE(L, MODEL_COMPANY, &c1);
	GONE(L, MODEL_CONTACT, &k);
	GONE(L, MODEL_COMPANY, &c2);
	GONE(M, MODEL_COMPANY, &c2);
	CNT(rep.file[MODEL_COMPANY].deleted, 2);
	CNT(rep.file[MODEL_CONTACT].deleted, 1);
	CNT(rep.total.refused_delete, 0);
	/* B3: the edit the deletion overtook is in the log. */
	CONFLICT(L, &c2, "phone", NULL, "edited here", "ANNA1",
	    "deleted on the master");
	CU_ASSERT(outbox_size(L) == 0);
	SYNC_OK();
	REP_ZERO(&rep);
	finish();
}

/* =====================================================================
 * S13, S14: attached files and letter templates.
 */

static void
test_sync_S13_document_file_travels(void)
{
	struct record_id	 c, ld, md;
	char			*p;

	world("anna");
	c = add(M, &root, MODEL_COMPANY, "name", "Papers Ltd");
	SYNC_OK();
	/* Local to master. */
	unit_now_ms += MIN_MS;
	ld = add_document(L, &anna, &c, "signed offer\nline 2\n");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.file[MODEL_DOCUMENT].uploaded, 1);
	CNT(rep.file[MODEL_DOCUMENT].files, 1);
	CNT(rep.total.files_missing, 0);
	SAME_RECORD(MODEL_DOCUMENT, &ld);
	SAME_FILE(M, L, MODEL_DOCUMENT, &ld, "signed offer\nline 2\n");

	/* Master to local. */
	unit_now_ms += MIN_MS;
	md = add_document(M, &root, &c, "from the office\n");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.file[MODEL_DOCUMENT].downloaded, 1);
	CNT(rep.file[MODEL_DOCUMENT].files, 1);
	SAME_FILE(M, L, MODEL_DOCUMENT, &md, "from the office\n");

	/* (beyond) A new content, with its hash, travels too: both ways. */
	unit_now_ms += MIN_MS;
	change_document(L, &anna, &ld, "signed offer, version 2\n");
	change_document(M, &root, &md, "from the office, version 2\n");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	SAME_FILE(M, L, MODEL_DOCUMENT, &ld, "signed offer, version 2\n");
	SAME_FILE(M, L, MODEL_DOCUMENT, &md, "from the office, version 2\n");
	CNT(rep.file[MODEL_DOCUMENT].files, 2);

	/* A deleted document's file goes with it. */
	unit_now_ms += MIN_MS;
	del(M, &root, MODEL_DOCUMENT, &md);
	unit_now_ms += MIN_MS;
	SYNC_OK();
	GONE(L, MODEL_DOCUMENT, &md);
	p = att_path(L, MODEL_DOCUMENT, &md);
	CU_ASSERT(access(p, F_OK) != 0);
	free(p);
	/* Nothing is left half-copied. */
	p = dump(L, DUMP_VALUES);
	CU_ASSERT(strstr(p, ".tmp") == NULL);
	free(p);
	finish();
}

static void
test_sync_S13_file_travels_when_both_changed(void)
{
	struct record_id	c, d;

	world("anna");
	c = add(M, &root, MODEL_COMPANY, "name", "Papers Ltd");
	d = add_document(M, &root, &c, "version 1\n");
	SYNC_OK();
	SAME_FILE(M, L, MODEL_DOCUMENT, &d, "version 1\n");
	/* The master gets a new file; the local edits the description. */
	unit_now_ms += MIN_MS;
	change_document(M, &root, &d, "version 2 from the master\n");
	unit_now_ms += MIN_MS;
	upd(L, &anna, MODEL_DOCUMENT, &d, "description", "described here");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	VAL(M, MODEL_DOCUMENT, &d, "description", "described here");
	SAME_RECORD(MODEL_DOCUMENT, &d);
	/*
	 * Both sides changed the record and the master's file won: the
	 * local must get version 2, not keep version 1 under a record whose
	 * hash says version 2.
	 */
	SAME_FILE(M, L, MODEL_DOCUMENT, &d, "version 2 from the master\n");
	finish();
}

static void
test_sync_S14_template_travels(void)
{
	struct record_id	mt, lt;

	world("anna");
	SYNC_OK();
	unit_now_ms += MIN_MS;
	mt = add_template(M, &root, "Welcome", "Dear {first_name},\n");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.file[MODEL_TEMPLATE].downloaded, 1);
	CNT(rep.file[MODEL_TEMPLATE].files, 1);
	SAME_RECORD(MODEL_TEMPLATE, &mt);
	SAME_FILE(M, L, MODEL_TEMPLATE, &mt, "Dear {first_name},\n");

	unit_now_ms += MIN_MS;
	lt = add_template(L, &anna, "Reminder", "Kind reminder\n");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.file[MODEL_TEMPLATE].uploaded, 1);
	CNT(rep.file[MODEL_TEMPLATE].files, 1);
	SAME_RECORD(MODEL_TEMPLATE, &lt);
	SAME_FILE(M, L, MODEL_TEMPLATE, &lt, "Kind reminder\n");
	finish();
}

static void
test_sync_S14_template_content_change_travels(void)
{
	struct record_id	mt;
	char			hex[FILE_HASH_TEXT + 1], size[32];

	world("anna");
	mt = add_template(M, &root, "Welcome", "Dear {first_name},\n");
	SYNC_OK();
	SAME_FILE(M, L, MODEL_TEMPLATE, &mt, "Dear {first_name},\n");
	/* The office revises the letter, and says so in its record. */
	unit_now_ms += MIN_MS;
	install_text(M, MODEL_TEMPLATE, &mt, "Dear {first_name}, revised\n");
	text_hash("Dear {first_name}, revised\n", hex, size, sizeof size);
	upd(M, &root, MODEL_TEMPLATE, &mt, "hash", hex);
	upd(M, &root, MODEL_TEMPLATE, &mt, "description", "revised letter");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	VAL(L, MODEL_TEMPLATE, &mt, "description", "revised letter");
	/* Templates carry a content hash, so a revised file travels (S14). */
	SAME_FILE(M, L, MODEL_TEMPLATE, &mt, "Dear {first_name}, revised\n");
	finish();
}

/* =====================================================================
 * S15, S16: restricted users.
 */

static void
test_sync_S15_restricted_scope(void)
{
	struct record_id	 bc, bk, bn, be, bt, bo, bi, btg, bd, bfree;
	struct record_id	 ac, ak, an, ae, at, ao, ai, atg, ad, rc, afree;
	struct record_id	 ca, cb, tp, u;
	char			*hroot, *hanna, *hben;
	char			*p;
	static const char *const outside[] = { "q7x-annaco", "q7x-rootco",
		"q7x-kontakt", "q7x-note", "q7x-event", "q7x-task",
		"q7x-deal", "q7x-issue", "q7x-target", "q7x-free",
		"q7x-document", NULL };
	int			 i;

	world("ben");
	bc = add(M, &root, MODEL_COMPANY, "name", "benco-alpha",
	    "account_manager", "BEN01");
	bk = add(M, &root, MODEL_CONTACT, "company", idt(&bc), "last_name",
	    "benson");
	bn = add(M, &root, MODEL_NOTE, "company", idt(&bc), "subject",
	    "ben-note");
	be = add(M, &root, MODEL_EVENT, "contact", idt(&bk), "subject",
	    "ben-event", "start", "2026-12-02");
	bt = add(M, &root, MODEL_TASK, "company", idt(&bc), "subject",
	    "ben-task", "assigned_to", "ANNA1");
	bo = add(M, &root, MODEL_OPPORTUNITY, "company", idt(&bc), "name",
	    "ben-deal");
	bi = add(M, &root, MODEL_ISSUE, "company", idt(&bc), "subject",
	    "ben-issue");
	bfree = add(M, &root, MODEL_TASK, "subject", "ben-free",
	    "assigned_to", "BEN01");
	ac = add(M, &root, MODEL_COMPANY, "name", "q7x-annaco",
	    "account_manager", "ANNA1");
	ak = add(M, &root, MODEL_CONTACT, "company", idt(&ac), "last_name",
	    "q7x-kontakt");
	an = add(M, &root, MODEL_NOTE, "company", idt(&ac), "subject",
	    "q7x-note");
	ae = add(M, &root, MODEL_EVENT, "company", idt(&ac), "subject",
	    "q7x-event", "start", "2026-12-03");
	at = add(M, &root, MODEL_TASK, "contact", idt(&ak), "subject",
	    "q7x-task");
	ao = add(M, &root, MODEL_OPPORTUNITY, "company", idt(&ac), "name",
	    "q7x-deal");
	ai = add(M, &root, MODEL_ISSUE, "company", idt(&ac), "subject",
	    "q7x-issue");
	afree = add(M, &root, MODEL_TASK, "subject", "q7x-free",
	    "assigned_to", "ANNA1");
	rc = add(M, &root, MODEL_COMPANY, "name", "q7x-rootco");
	ca = add(M, &root, MODEL_CAMPAIGN, "name", "campaign-one");
	cb = add(M, &root, MODEL_CAMPAIGN, "name", "campaign-two");
	btg = add(M, &root, MODEL_TARGET, "campaign", idt(&ca), "company",
	    idt(&bc), "notes", "ben-target");
	atg = add(M, &root, MODEL_TARGET, "campaign", idt(&ca), "company",
	    idt(&ac), "notes", "q7x-target");
	bd = add_document(M, &root, &bc, "ben-document\n");
	ad = add_document(M, &root, &ac, "q7x-document\n");
	upd(M, &root, MODEL_DOCUMENT, &ad, "description", "q7x-document");
	tp = add_template(M, &root, "letter-for-all", "Dear all\n");
	unit_now_ms += MIN_MS;
	SYNC_OK();

	/* His: the companies and contacts he manages and what hangs there. */
	LIVE(L, MODEL_COMPANY, &bc);
	LIVE(L, MODEL_CONTACT, &bk);
	LIVE(L, MODEL_NOTE, &bn);
	LIVE(L, MODEL_EVENT, &be);
	LIVE(L, MODEL_TASK, &bt);
	LIVE(L, MODEL_TASK, &bfree);
	LIVE(L, MODEL_OPPORTUNITY, &bo);
	LIVE(L, MODEL_ISSUE, &bi);
	LIVE(L, MODEL_TARGET, &btg);
	LIVE(L, MODEL_DOCUMENT, &bd);
	SAME_FILE(M, L, MODEL_DOCUMENT, &bd, "ben-document\n");
	/* All campaigns, all templates, all users. */
	LIVE(L, MODEL_CAMPAIGN, &ca);
	LIVE(L, MODEL_CAMPAIGN, &cb);
	LIVE(L, MODEL_TEMPLATE, &tp);
	u = user_id(M, "root");
	LIVE(L, MODEL_USER, &u);
	u = user_id(M, "anna");
	LIVE(L, MODEL_USER, &u);
	/* Nothing else. */
	GONE(L, MODEL_COMPANY, &ac);
	GONE(L, MODEL_COMPANY, &rc);
	GONE(L, MODEL_CONTACT, &ak);
	GONE(L, MODEL_NOTE, &an);
	GONE(L, MODEL_EVENT, &ae);
	GONE(L, MODEL_TASK, &at);
	GONE(L, MODEL_TASK, &afree);
	GONE(L, MODEL_OPPORTUNITY, &ao);
	GONE(L, MODEL_ISSUE, &ai);
	GONE(L, MODEL_TARGET, &atg);
	GONE(L, MODEL_DOCUMENT, &ad);
	p = att_path(L, MODEL_DOCUMENT, &ad);
	CU_ASSERT(access(p, F_OK) != 0);
	free(p);
	CU_ASSERT(outbox_size(L) == 0);
	SYNC_OK();
	REP_ZERO(&rep);

	/* Byte by byte, once the local is written out: no trace of others. */
	hroot = user_hash_of(M, "root");
	hanna = user_hash_of(M, "anna");
	hben = user_hash_of(M, "ben");
	CU_ASSERT(strncmp(hroot, "$y$", 3) == 0);
	CU_ASSERT(strncmp(hben, "$y$", 3) == 0);
	CU_ASSERT(store_close(L) == 0);
	L = NULL;
	CU_ASSERT(db_files_with(ldir, "benco-alpha") > 0);
	CU_ASSERT(db_files_with(ldir, "ben-target") > 0);
	CU_ASSERT(db_files_with(ldir, hben) > 0);
	for (i = 0; outside[i] != NULL; i++) {
		if (db_files_with(ldir, outside[i]) != 0)
			fail_at(__LINE__, "\"%s\" is in ben's local",
			    outside[i]);
	}
	CU_ASSERT(db_files_with(ldir, hroot) == 0);
	CU_ASSERT(db_files_with(ldir, hanna) == 0);
	CU_ASSERT(db_foreign_hashes(ldir, hben) == 0);
	free(hroot);
	free(hanna);
	free(hben);
	finish();
}

static void
test_sync_S15_upload_outside_scope_refused(void)
{
	struct record_id	ac, bc, note, mine;

	world("ben");
	ac = add(M, &root, MODEL_COMPANY, "name", "Anna's", "account_manager",
	    "ANNA1");
	bc = add(M, &root, MODEL_COMPANY, "name", "Ben's", "account_manager",
	    "BEN01");
	SYNC_OK();
	GONE(L, MODEL_COMPANY, &ac);
	unit_now_ms += MIN_MS;
	/* The model would not let him: a hand-made note on anna's company. */
	note = raw_new(L, MODEL_NOTE, "BEN01", "company", idt(&ac), "subject",
	    "sneaky note", (const char *)NULL);
	mine = add(L, &ben, MODEL_NOTE, "company", idt(&bc), "subject",
	    "fair note");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.file[MODEL_NOTE].refused_scope, 1);
	CNT(rep.total.refused_scope, 1);
	CNT(rep.file[MODEL_NOTE].uploaded, 1);
	GONE(M, MODEL_NOTE, &note);
	LIVE(M, MODEL_NOTE, &mine);
	CONFLICT(L, &note, "subject", NULL, "sneaky note", "BEN01", "scope");
	/* And it does not come back at the next sync. */
	SYNC_OK();
	REP_ZERO(&rep);
	GONE(M, MODEL_NOTE, &note);
	finish();
}

static void
test_sync_S15_upload_rights_enforced(void)
{
	struct record_id	bc, tk;
	char			*v;

	world("ben");
	bc = add(M, &root, MODEL_COMPANY, "name", "Ben's", "account_manager",
	    "BEN01");
	SYNC_OK();
	unit_now_ms += MIN_MS;
	/* The model refuses both up front... */
	error_clear();
	{
		struct store_txn	*t;
		struct model_change	 ch = { "account_manager", "ANNA1" };

		CU_ASSERT_FATAL(store_begin(L, &t) == 0);
		CU_ASSERT(model_update(t, &ben, MODEL_COMPANY, &bc, &ch,
		    1) == -1);
		store_abort(t);
	}
	/* ...so a tampered local does it behind the model's back. */
	raw_set(L, MODEL_COMPANY, &bc, "BEN01", "account_manager", "ANNA1", 0);
	tk = raw_new(L, MODEL_TASK, "BEN01", "company", idt(&bc), "subject",
	    "for anna", "assigned_to", "ANNA1", "status", "open", "priority",
	    "normal", (const char *)NULL);
	unit_now_ms += MIN_MS;
	SYNC_OK();
	/*
	 * Upload rights are the master's own check too: a restricted user
	 * without the right cannot hand his company to ANNA1 (S15: "a right
	 * on each user says whether they may change the account-manager
	 * field"), nor assign a task to another user. Both are refused and
	 * logged.
	 */
	v = val(M, MODEL_COMPANY, &bc, "account_manager");
	CU_ASSERT(v != NULL && strcmp(v, "BEN01") == 0);
	free(v);
	v = val(M, MODEL_TASK, &tk, "assigned_to");
	CU_ASSERT(v == NULL || strcmp(v, "ANNA1") != 0);
	free(v);
	CU_ASSERT(rep.total.refused_scope >= 2);
	CU_ASSERT(conflicts_match(L, &bc, "account_manager", NULL, "ANNA1",
	    NULL, NULL, NULL) >= 1);
	finish();
}

/*
 * T4, S15: what a local write may do, an upload may do, and no more. Anna
 * may not set account managers; a contact she adds to root's company
 * takes root as its manager (model_add's rule), and the master takes it:
 * it is not anna choosing a manager. A new company she hands to root
 * behind the model's back is refused.
 */
static void
test_sync_T4_new_record_takes_the_default_manager(void)
{
	struct record_id	rc, k, nc;
	char			*v;

	world("anna");
	rc = add(M, &root, MODEL_COMPANY, "name", "Root's", "account_manager",
	    "ROOT1");
	SYNC_OK();
	unit_now_ms += MIN_MS;
	k = add(L, &anna, MODEL_CONTACT, "company", idt(&rc), "last_name",
	    "Inherits");
	VAL(L, MODEL_CONTACT, &k, "account_manager", "ROOT1");
	nc = raw_new(L, MODEL_COMPANY, "ANNA1", "name", "Handed over",
	    "account_manager", "ROOT1", (const char *)NULL);
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.file[MODEL_CONTACT].uploaded, 1);
	CNT(rep.file[MODEL_CONTACT].refused_scope, 0);
	VAL(M, MODEL_CONTACT, &k, "account_manager", "ROOT1");
	CNT(rep.file[MODEL_COMPANY].refused_scope, 1);
	v = val(M, MODEL_COMPANY, &nc, "name");
	CU_ASSERT(v == NULL);
	free(v);
	GONE(L, MODEL_COMPANY, &nc);
	CU_ASSERT(conflicts_match(L, &nc, "name", NULL, "Handed over", NULL,
	    "account manager", NULL) >= 1);
	finish();
}

/* Ben's company, its contact and notes; his edits; then root moves them. */
static struct record_id	s16_bc, s16_bk, s16_bn1, s16_bn2, s16_new, s16_keep;
static struct record_id	s16_bc2, s16_bk2, s16_bn3;

static void
scenario_s16(void)
{
	unit_now_ms = T0;
	s16_bc = add(M, &root, MODEL_COMPANY, "name", "BenCo",
	    "account_manager", "BEN01");
	s16_bk = add(M, &root, MODEL_CONTACT, "company", idt(&s16_bc),
	    "last_name", "Benson");
	s16_bn1 = add(M, &root, MODEL_NOTE, "company", idt(&s16_bc),
	    "subject", "First visit");
	s16_bn2 = add(M, &root, MODEL_NOTE, "company", idt(&s16_bc),
	    "contact", idt(&s16_bk), "subject", "Call Benson");
	s16_keep = add(M, &root, MODEL_COMPANY, "name", "BenKeep",
	    "account_manager", "BEN01");
	/* One ben does not touch: only the master's changes tell. */
	s16_bc2 = add(M, &root, MODEL_COMPANY, "name", "BenQuiet",
	    "account_manager", "BEN01");
	s16_bk2 = add(M, &root, MODEL_CONTACT, "company", idt(&s16_bc2),
	    "last_name", "Quiet");
	s16_bn3 = add(M, &root, MODEL_NOTE, "contact", idt(&s16_bk2),
	    "subject", "Quiet note");
	unit_now_ms = T0 + MIN_MS;
	SYNC_OK();
	LIVE(L, MODEL_NOTE, &s16_bn2);

	unit_now_ms = T0 + 2 * MIN_MS;
	upd(L, &ben, MODEL_NOTE, &s16_bn1, "text", "ben's visit report");
	upd(L, &ben, MODEL_COMPANY, &s16_bc, "phone", "555-BEN");
	s16_new = add(L, &ben, MODEL_NOTE, "company", idt(&s16_bc), "subject",
	    "New from ben");
	upd(L, &ben, MODEL_COMPANY, &s16_keep, "phone", "kept-phone");
	unit_now_ms = T0 + 3 * MIN_MS;
	upd(M, &root, MODEL_COMPANY, &s16_bc, "account_manager", "ANNA1");
	upd(M, &root, MODEL_CONTACT, &s16_bk, "account_manager", "ANNA1");
	upd(M, &root, MODEL_COMPANY, &s16_bc2, "account_manager", "ANNA1");
	upd(M, &root, MODEL_CONTACT, &s16_bk2, "account_manager", "ANNA1");
	unit_now_ms = T0 + 4 * MIN_MS;
}

static void
test_sync_S16_reassignment_removes(void)
{
	world("ben");
	scenario_s16();
	SYNC_OK();
	/* Gone from ben's local: the company and what hangs from it. */
	GONE(L, MODEL_COMPANY, &s16_bc);
	GONE(L, MODEL_CONTACT, &s16_bk);
	GONE(L, MODEL_NOTE, &s16_bn1);
	GONE(L, MODEL_NOTE, &s16_bn2);
	GONE(L, MODEL_NOTE, &s16_new);
	GONE(L, MODEL_COMPANY, &s16_bc2);
	GONE(L, MODEL_CONTACT, &s16_bk2);
	GONE(L, MODEL_NOTE, &s16_bn3);
	CU_ASSERT(rep.total.removed >= 7);
	CNT(rep.file[MODEL_COMPANY].removed, 2);
	CNT(rep.file[MODEL_CONTACT].removed, 2);
	LIVE(M, MODEL_NOTE, &s16_bn3);
	/* His other company stays, with his edit uploaded. */
	VAL(L, MODEL_COMPANY, &s16_keep, "phone", "kept-phone");
	VAL(M, MODEL_COMPANY, &s16_keep, "phone", "kept-phone");
	/* The master has anna's records, without ben's edits. */
	VAL(M, MODEL_COMPANY, &s16_bc, "account_manager", "ANNA1");
	VAL(M, MODEL_COMPANY, &s16_bc, "phone", "");
	VAL(M, MODEL_NOTE, &s16_bn1, "text", "");
	LIVE(M, MODEL_NOTE, &s16_bn2);
	GONE(M, MODEL_NOTE, &s16_new);
	/* His edits are kept in the conflict log, not dropped. */
	CONFLICT(L, &s16_bc, "phone", NULL, "555-BEN", "BEN01", "scope");
	CONFLICT(L, &s16_bn1, "text", NULL, "ben's visit report", "BEN01",
	    "scope");
	CONFLICT(L, &s16_new, "subject", NULL, "New from ben", "BEN01",
	    "scope");
	CU_ASSERT(outbox_size(L) == 0);
	/* They stay away. */
	unit_now_ms += MIN_MS;
	SYNC_OK();
	REP_ZERO(&rep);
	GONE(L, MODEL_COMPANY, &s16_bc);
	finish();
}

/*
 * S16 without telling anyone of what was never theirs: the master names
 * a record that left ben's scope from its journal of routes, and only to
 * ben, whose it was. Anna's companies, changed and reassigned among
 * others, are never named to ben's local, not even by ID (counted through
 * the LEFT frames of the conversation: none but ben's own).
 */
static void
test_sync_S16_journal_names_only_what_was_yours(void)
{
	struct record_id	 a1, a2;
	struct store_txn	*t;
	uint8_t			 seq[8];
	size_t			 len = sizeof seq;
	char			 m2[PATH_MAX];

	world("ben");
	scenario_s16();
	a1 = add(M, &root, MODEL_COMPANY, "name", "AnnaOne", "account_manager",
	    "ANNA1");
	a2 = add(M, &root, MODEL_COMPANY, "name", "AnnaTwo", "account_manager",
	    "ANNA1");
	SYNC_OK();
	GONE(L, MODEL_COMPANY, &s16_bc);
	unit_now_ms += MIN_MS;
	/* Only others' records change: ben's local hears of none. */
	upd(M, &root, MODEL_COMPANY, &a1, "phone", "1");
	upd(M, &root, MODEL_COMPANY, &a2, "account_manager", "ROOT1");
	del(M, &root, MODEL_COMPANY, &a1);
	unit_now_ms += MIN_MS;
	SYNC_OK();
	REP_ZERO(&rep);
	CNT(left_frames, 0);
	finish();

	/*
	 * A master made before the journal (its journal_from is the sequence
	 * of the attach that added it): a local whose last sync is older is
	 * told of every record that changed out of its scope, by ID, as
	 * before, so that a reassignment made then still reaches it.
	 */
	snprintf(m2, sizeof m2, "%s", unit_path("m2"));
	world_at(m2, unit_path("l2"), "ben");
	scenario_s16();
	CU_ASSERT_FATAL(store_begin(M, &t) == 0);
	CU_ASSERT_FATAL(store_meta_get(t, "seq", seq, &len) == 0);
	CU_ASSERT_FATAL(store_meta_put(t, "journal_from", seq, 8) == 0);
	CU_ASSERT_FATAL(store_commit(t) == 0);
	SYNC_OK();
	GONE(L, MODEL_COMPANY, &s16_bc);
	GONE(L, MODEL_CONTACT, &s16_bk);
	GONE(L, MODEL_NOTE, &s16_bn1);
	GONE(L, MODEL_COMPANY, &s16_bc2);
	CNT(rep.file[MODEL_COMPANY].removed, 2);
	CU_ASSERT(left_frames >= 3);	/* BenCo itself went up, and was refused */
	VAL(L, MODEL_COMPANY, &s16_keep, "phone", "kept-phone");
	SYNC_OK();
	REP_ZERO(&rep);
	finish();
}

static void
test_sync_S16_reassignment_to_user_brings_dependants(void)
{
	struct record_id	ac, ak, an, ad;

	world("ben");
	ac = add(M, &root, MODEL_COMPANY, "name", "AnnaCo", "account_manager",
	    "ANNA1");
	ak = add(M, &root, MODEL_CONTACT, "company", idt(&ac), "last_name",
	    "Annason");
	an = add(M, &root, MODEL_NOTE, "company", idt(&ac), "subject",
	    "Old history");
	ad = add_document(M, &root, &ac, "old contract\n");
	SYNC_OK();
	GONE(L, MODEL_COMPANY, &ac);
	GONE(L, MODEL_NOTE, &an);
	unit_now_ms += MIN_MS;
	upd(M, &root, MODEL_COMPANY, &ac, "account_manager", "BEN01");
	upd(M, &root, MODEL_CONTACT, &ak, "account_manager", "BEN01");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	/* The note and document did not change, yet they come with it. */
	SAME_RECORD(MODEL_COMPANY, &ac);
	SAME_RECORD(MODEL_CONTACT, &ak);
	SAME_RECORD(MODEL_NOTE, &an);
	SAME_RECORD(MODEL_DOCUMENT, &ad);
	SAME_FILE(M, L, MODEL_DOCUMENT, &ad, "old contract\n");
	SYNC_OK();
	REP_ZERO(&rep);
	finish();
}

/*
 * A company made for the user since the last sync comes down with what
 * hangs from it, each record with its own file: none of them can have
 * reached the master before the last sync (B4: no walk of references
 * for it).
 */
static void
test_sync_S15_new_company_comes_with_dependants(void)
{
	struct record_id	bc, bk, bn, be, bd, other;

	world("ben");
	other = add(M, &root, MODEL_COMPANY, "name", "AnnaCo",
	    "account_manager", "ANNA1");
	SYNC_OK();
	unit_now_ms += MIN_MS;
	bc = add(M, &root, MODEL_COMPANY, "name", "BenCo", "account_manager",
	    "BEN01");
	bk = add(M, &root, MODEL_CONTACT, "company", idt(&bc), "last_name",
	    "Benson");
	bn = add(M, &root, MODEL_NOTE, "company", idt(&bc), "subject",
	    "First call");
	be = add(M, &root, MODEL_EVENT, "contact", idt(&bk), "subject",
	    "Visit", "start", "2026-12-09");
	bd = add_document(M, &root, &bc, "new contract\n");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	SAME_RECORD(MODEL_COMPANY, &bc);
	SAME_RECORD(MODEL_CONTACT, &bk);
	SAME_RECORD(MODEL_NOTE, &bn);
	SAME_RECORD(MODEL_EVENT, &be);
	SAME_RECORD(MODEL_DOCUMENT, &bd);
	SAME_FILE(M, L, MODEL_DOCUMENT, &bd, "new contract\n");
	GONE(L, MODEL_COMPANY, &other);
	/* Each came down once. */
	CNT(rep.file[MODEL_COMPANY].downloaded, 1);
	CNT(rep.file[MODEL_CONTACT].downloaded, 1);
	CNT(rep.file[MODEL_NOTE].downloaded, 1);
	CNT(rep.file[MODEL_EVENT].downloaded, 1);
	CNT(rep.file[MODEL_DOCUMENT].downloaded, 1);
	SYNC_OK();
	REP_ZERO(&rep);
	finish();
}

/* =====================================================================
 * B1-B6.
 */

static void
test_sync_B1_field_merge(void)
{
	struct record_id	c1, c2;

	world("anna");
	/* The fields exist on both sides before they change. */
	c1 = add(M, &root, MODEL_COMPANY, "name", "Merge One", "phone", "p0",
	    "city", "c0");
	c2 = add(M, &root, MODEL_COMPANY, "name", "Merge Two", "phone", "p0",
	    "city", "c0");
	SYNC_OK();
	unit_now_ms = T0 + MIN_MS;
	upd(L, &anna, MODEL_COMPANY, &c1, "phone", "local-phone");
	upd(M, &root, MODEL_COMPANY, &c2, "city", "master-city");
	unit_now_ms = T0 + 2 * MIN_MS;
	upd(M, &root, MODEL_COMPANY, &c1, "city", "master-city");
	upd(L, &anna, MODEL_COMPANY, &c2, "phone", "local-phone");
	unit_now_ms = T0 + 3 * MIN_MS;
	SYNC_OK();
	VAL(M, MODEL_COMPANY, &c1, "phone", "local-phone");
	VAL(M, MODEL_COMPANY, &c1, "city", "master-city");
	VAL(L, MODEL_COMPANY, &c1, "phone", "local-phone");
	VAL(L, MODEL_COMPANY, &c1, "city", "master-city");
	VAL(M, MODEL_COMPANY, &c2, "phone", "local-phone");
	VAL(M, MODEL_COMPANY, &c2, "city", "master-city");
	VAL(L, MODEL_COMPANY, &c2, "phone", "local-phone");
	VAL(L, MODEL_COMPANY, &c2, "city", "master-city");
	SAME_RECORD(MODEL_COMPANY, &c1);
	SAME_RECORD(MODEL_COMPANY, &c2);
	CNT(rep.file[MODEL_COMPANY].merged, 2);
	CNT(rep.total.won + rep.total.lost, 0);
	CU_ASSERT(nconflicts(L) == 0);
	SYNC_OK();
	REP_ZERO(&rep);
	finish();
}

static void
test_sync_B1_record_granularity(void)
{
	struct record_id	c1, c2;

	world("anna");
	pol_record = 1;
	c1 = add(M, &root, MODEL_COMPANY, "name", "Whole One", "phone", "p0",
	    "city", "c0");
	c2 = add(M, &root, MODEL_COMPANY, "name", "Whole Two", "phone", "p0",
	    "city", "c0");
	SYNC_OK();
	/* c1: the master's record is newer; c2: the local's. */
	unit_now_ms = T0 + MIN_MS;
	upd(L, &anna, MODEL_COMPANY, &c1, "phone", "local-phone");
	upd(M, &root, MODEL_COMPANY, &c2, "city", "master-city");
	unit_now_ms = T0 + 2 * MIN_MS;
	upd(M, &root, MODEL_COMPANY, &c1, "city", "master-city");
	upd(L, &anna, MODEL_COMPANY, &c2, "phone", "local-phone");
	unit_now_ms = T0 + 3 * MIN_MS;
	SYNC_OK();
	VAL(M, MODEL_COMPANY, &c1, "city", "master-city");
	VAL(M, MODEL_COMPANY, &c1, "phone", "p0");
	VAL(L, MODEL_COMPANY, &c1, "phone", "p0");
	VAL(M, MODEL_COMPANY, &c2, "phone", "local-phone");
	VAL(M, MODEL_COMPANY, &c2, "city", "c0");
	VAL(L, MODEL_COMPANY, &c2, "city", "c0");
	SAME_RECORD(MODEL_COMPANY, &c1);
	SAME_RECORD(MODEL_COMPANY, &c2);
	CNT(rep.file[MODEL_COMPANY].won, 1);
	CNT(rep.file[MODEL_COMPANY].lost, 1);
	/* B3: the losing record's changes are in the log. */
	CONFLICT(L, &c1, "phone", NULL, "local-phone", "ANNA1", NULL);
	CONFLICT(L, &c2, "city", NULL, "master-city", "ROOT1", NULL);
	SYNC_OK();
	REP_ZERO(&rep);
	finish();
}

static void
test_sync_B2_clock_week_ahead(void)
{
	struct record_id	 c, solo;
	struct record		*r;
	struct store_txn	*t;
	struct field		*f;
	uint64_t		 stamp;

	world("anna");
	c = add(M, &root, MODEL_COMPANY, "name", "Clocks", "phone", "orig");
	solo = add(M, &root, MODEL_COMPANY, "name", "Solo");
	SYNC_OK();			/* at T0 */
	/* The laptop's clock runs a week ahead when anna edits. */
	unit_now_ms = T0 + 7 * DAY_MS;
	upd(L, &anna, MODEL_COMPANY, &c, "phone", "local-from-the-future");
	upd(L, &anna, MODEL_COMPANY, &solo, "phone", "solo-local");
	/* The office edits later, at the real time. */
	unit_now_ms = T0 + 2 * MIN_MS;
	upd(M, &root, MODEL_COMPANY, &c, "phone", "master-later");
	unit_now_ms = T0 + 3 * MIN_MS;
	SYNC_OK();
	VAL(M, MODEL_COMPANY, &c, "phone", "master-later");
	VAL(L, MODEL_COMPANY, &c, "phone", "master-later");
	CU_ASSERT(rep.total.clamped > 0);
	CONFLICT(L, &c, "phone", "master-later", "local-from-the-future",
	    "ANNA1", NULL);
	/* A change only the local made still goes up, its time clamped. */
	VAL(M, MODEL_COMPANY, &solo, "phone", "solo-local");
	r = get(M, MODEL_COMPANY, &solo);
	CU_ASSERT_FATAL(r != NULL);
	f = record_field(r, "phone");
	CU_ASSERT(f != NULL && clock_stamp_ms(f->stamp) <= unit_now_ms +
	    TOLERANCE_MS);
	CU_ASSERT(clock_stamp_ms(r->modified) <= unit_now_ms + TOLERANCE_MS);
	record_free(r);
	/* The master's clock did not take the laptop's week. */
	CU_ASSERT_FATAL(store_begin(M, &t) == 0);
	stamp = store_stamp(t);
	store_abort(t);
	CU_ASSERT(clock_stamp_ms(stamp) <= unit_now_ms + TOLERANCE_MS);
	/* A later office edit still beats the fast laptop's next one. */
	unit_now_ms = T0 + 7 * DAY_MS + MIN_MS;
	upd(L, &anna, MODEL_COMPANY, &solo, "phone", "solo-future-2");
	unit_now_ms = T0 + 4 * MIN_MS;
	upd(M, &root, MODEL_COMPANY, &solo, "phone", "solo-master");
	unit_now_ms = T0 + 5 * MIN_MS;
	SYNC_OK();
	VAL(M, MODEL_COMPANY, &solo, "phone", "solo-master");
	VAL(L, MODEL_COMPANY, &solo, "phone", "solo-master");
	finish();
}

static void
test_sync_B2_clock_week_behind(void)
{
	struct record_id	 c;
	struct record		*r, *m;
	struct field		*lf;
	struct store_txn	*t;
	uint8_t			 buf[8];
	size_t			 len = sizeof buf, i;
	uint64_t		 sync_stamp = 0;
	const uint64_t		 behind = 7 * DAY_MS;

	world("anna");
	c = add(M, &root, MODEL_COMPANY, "name", "Slow clock", "phone",
	    "orig", "city", "orig");
	unit_now_ms = T0 + MIN_MS;
	SYNC_OK();
	/* The office changes the phone (the office's clock is right)... */
	unit_now_ms = T0 + 2 * MIN_MS;
	upd(M, &root, MODEL_COMPANY, &c, "phone", "master-before-sync");
	/* ...and the laptop, whose clock is a week behind, syncs. */
	unit_now_ms = T0 + 3 * MIN_MS - behind;
	master_ms_at = T0 + 3 * MIN_MS;
	SYNC_OK();
	VAL(L, MODEL_COMPANY, &c, "phone", "master-before-sync");
	m = get(L, MODEL_COMPANY, &c);
	CU_ASSERT_FATAL(m != NULL);
	/* Then anna changes the phone, the clock still a week behind. */
	unit_now_ms = T0 + 4 * MIN_MS - behind;
	upd(L, &anna, MODEL_COMPANY, &c, "phone", "local-after-sync");
	r = get(L, MODEL_COMPANY, &c);
	CU_ASSERT_FATAL(r != NULL);
	/* Her edit is later than everything that sync brought. */
	lf = record_field(r, "phone");
	CU_ASSERT_FATAL(lf != NULL);
	CU_ASSERT(lf->stamp > m->modified);
	for (i = 0; i < m->nfields; i++)
		CU_ASSERT(lf->stamp > m->fields[i].stamp);
	CU_ASSERT_FATAL(store_begin(L, &t) == 0);
	if (store_meta_get(t, "sync_stamp", buf, &len) == 0 && len == 8)
		for (i = 0; i < 8; i++)
			sync_stamp = (sync_stamp << 8) | buf[i];
	store_abort(t);
	CU_ASSERT(sync_stamp != 0 && lf->stamp > sync_stamp);
	record_free(r);
	record_free(m);
	/* The office changes another field: both sides changed the record. */
	unit_now_ms = T0 + 5 * MIN_MS;
	upd(M, &root, MODEL_COMPANY, &c, "city", "master-city");
	unit_now_ms = T0 + 6 * MIN_MS - behind;
	master_ms_at = T0 + 6 * MIN_MS;
	SYNC_OK();
	/* Her phone wins over the value the earlier sync brought. */
	VAL(M, MODEL_COMPANY, &c, "phone", "local-after-sync");
	VAL(L, MODEL_COMPANY, &c, "phone", "local-after-sync");
	VAL(M, MODEL_COMPANY, &c, "city", "master-city");
	VAL(L, MODEL_COMPANY, &c, "city", "master-city");
	SAME_RECORD(MODEL_COMPANY, &c);
	CU_ASSERT(conflicts_match(L, &c, "phone", NULL, NULL, NULL, NULL,
	    NULL) == 0);
	CNT(rep.total.clamped, 0);
	finish();
}

static void
test_sync_B3_nothing_lost(void)
{
	struct record_id	 c1, c2, c3, tk, entry, star, whole, field, made;
	struct store_txn	*t;
	struct record		*e;

	world("anna");
	c1 = add(M, &root, MODEL_COMPANY, "name", "One", "phone", "orig");
	c2 = add(M, &root, MODEL_COMPANY, "name", "Two", "phone", "orig");
	c3 = add(M, &root, MODEL_COMPANY, "name", "Three");
	tk = add(M, &root, MODEL_TASK, "company", idt(&c3), "subject", "Do");
	SYNC_OK();
	unit_now_ms = T0 + MIN_MS;
	upd(M, &root, MODEL_COMPANY, &c1, "phone", "M1");
	upd(L, &anna, MODEL_COMPANY, &c2, "phone", "L2");
	upd(L, &anna, MODEL_TASK, &tk, "description", "my notes on it");
	unit_now_ms = T0 + 2 * MIN_MS;
	upd(L, &anna, MODEL_COMPANY, &c1, "phone", "L1");
	upd(M, &root, MODEL_COMPANY, &c2, "phone", "M2");
	del(M, &root, MODEL_TASK, &tk);
	raw_delete(L, MODEL_COMPANY, &c3, "ANNA1");
	unit_now_ms = T0 + 3 * MIN_MS;
	SYNC_OK();
	/* Every overwritten or refused value: record, field, kept, lost... */
	CONFLICT(L, &c1, "phone", "L1", "M1", "ROOT1", "newer");
	CONFLICT(L, &c2, "phone", "M2", "L2", "ANNA1", "newer");
	CONFLICT(L, &c3, "*", NULL, "deleted", "ANNA1", NULL);
	CONFLICT(L, &tk, "description", NULL, "my notes on it", "ANNA1",
	    "deleted on the master");
	/* The task edited here and deleted there: kept whole, too. */
	CU_ASSERT(conflicts_match(L, &tk, "*", "deleted", NULL, "ANNA1",
	    "deleted on the master", &whole) == 1);
	CU_ASSERT(nconflicts(L) == 5);
	/* ...with when the lost value was made, and a type to restore by. */
	CU_ASSERT_FATAL(conflicts_match(L, &c2, "phone", NULL, "L2", NULL,
	    NULL, &entry) == 1);
	e = get(L, (int)STORE_CONFLICTS, &entry);
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_STRING_EQUAL(record_value(e, "type"), "company");
	CU_ASSERT(*record_value(e, "changed_at") != '\0');
	CU_ASSERT_STRING_EQUAL(record_value(e, "restored"), "no");
	record_free(e);

	/* Restore the lost value: an ordinary change, which the sync takes. */
	unit_now_ms = T0 + 4 * MIN_MS;
	CU_ASSERT_FATAL(store_begin(L, &t) == 0);
	CU_ASSERT(conflict_restore(t, &anna, &entry, &made) ==
	    CONFLICT_PUT_BACK);
	CU_ASSERT_FATAL(store_commit(t) == 0);
	VAL(L, MODEL_COMPANY, &c2, "phone", "L2");
	e = get(L, (int)STORE_CONFLICTS, &entry);
	CU_ASSERT(e != NULL && strcmp(record_value(e, "restored"),
	    "yes") == 0);
	record_free(e);
	/* A whole-record entry cannot be restored field-wise: said so. */
	CU_ASSERT(conflicts_match(L, &c3, "*", NULL, NULL, NULL, NULL,
	    &star) == 1);
	CU_ASSERT_FATAL(store_begin(L, &t) == 0);
	error_clear();
	/* A refused deletion done again is refused again (S12), saying so. */
	CU_ASSERT(conflict_restore(t, &anna, &star, &made) == -1);
	CU_ASSERT(strstr(error_get(), "cannot delete the company again") !=
	    NULL);
	store_abort(t);
	/*
	 * A field of the deleted task cannot be put back into it, and the
	 * message points at the whole-record entry...
	 */
	CU_ASSERT_FATAL(conflicts_match(L, &tk, "description", NULL, NULL,
	    NULL, NULL, &field) == 1);
	CU_ASSERT_FATAL(store_begin(L, &t) == 0);
	error_clear();
	CU_ASSERT(conflict_restore(t, &anna, &field, &made) == -1);
	CU_ASSERT(strstr(error_get(), "entry for the whole record") != NULL);
	store_abort(t);
	/* ...which makes it again, a new task with every field it had. */
	CU_ASSERT_FATAL(store_begin(L, &t) == 0);
	CU_ASSERT(conflict_restore(t, &anna, &whole, &made) ==
	    CONFLICT_MADE_AGAIN);
	CU_ASSERT_FATAL(store_commit(t) == 0);
	CU_ASSERT(memcmp(&made, &tk, sizeof made) != 0);
	VAL(L, MODEL_TASK, &made, "subject", "Do");
	VAL(L, MODEL_TASK, &made, "description", "my notes on it");
	VAL(L, MODEL_TASK, &made, "company", idt(&c3));
	e = get(L, (int)STORE_CONFLICTS, &whole);
	CU_ASSERT(e != NULL && strcmp(record_value(e, "restored"),
	    "yes") == 0);
	record_free(e);

	unit_now_ms = T0 + 5 * MIN_MS;
	SYNC_OK();
	CNT(rep.file[MODEL_COMPANY].uploaded, 1);
	CNT(rep.file[MODEL_TASK].uploaded, 1);
	VAL(M, MODEL_TASK, &made, "description", "my notes on it");
	VAL(M, MODEL_COMPANY, &c2, "phone", "L2");
	VAL(L, MODEL_COMPANY, &c2, "phone", "L2");
	finish();
}

static void
test_sync_B4_incremental_reads_changes_only(void)
{
	enum { NCOMP = 2000 };
	struct record_id	*ids;
	struct store_txn	*t;
	struct model_change	 ch[2];
	char			 name[32];
	int			 i;

	world("anna");
	ids = xcalloc(NCOMP, sizeof *ids);
	CU_ASSERT_FATAL(store_begin(M, &t) == 0);
	for (i = 0; i < NCOMP; i++) {
		snprintf(name, sizeof name, "Company %05d", i);
		ch[0].name = "name";
		ch[0].value = name;
		ch[1].name = "city";
		ch[1].value = "Oslo";
		CU_ASSERT_FATAL(model_add(t, &root, MODEL_COMPANY, ch, 2,
		    &ids[i]) == 0);
	}
	CU_ASSERT_FATAL(store_commit(t) == 0);
	SYNC_OK();
	CNT(rep.file[MODEL_COMPANY].downloaded, NCOMP);

	unit_now_ms += MIN_MS;
	upd(M, &root, MODEL_COMPANY, &ids[10], "phone", "m10");
	upd(M, &root, MODEL_COMPANY, &ids[500], "phone", "m500");
	upd(M, &root, MODEL_COMPANY, &ids[1999], "phone", "m1999");
	upd(L, &anna, MODEL_COMPANY, &ids[20], "phone", "l20");
	upd(L, &anna, MODEL_COMPANY, &ids[1000], "phone", "l1000");
	/*
	 * Two differences no index shows (written as a sync would): a sync
	 * that compared every record would notice them; one that reads
	 * only the changes leaves them alone.
	 */
	raw_set(L, MODEL_COMPANY, &ids[30], "ANNA1", "fax", "unindexed",
	    STORE_PUT_SYNCED);
	raw_set(M, MODEL_COMPANY, &ids[40], "ROOT1", "fax", "unindexed",
	    STORE_PUT_KEEPSEQ);
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.total.uploaded, 2);
	CNT(rep.total.downloaded, 3);
	CNT(rep.total.merged + rep.total.won + rep.total.lost +
	    rep.total.deleted + rep.total.removed, 0);
	VAL(M, MODEL_COMPANY, &ids[20], "phone", "l20");
	VAL(M, MODEL_COMPANY, &ids[1000], "phone", "l1000");
	VAL(L, MODEL_COMPANY, &ids[10], "phone", "m10");
	VAL(L, MODEL_COMPANY, &ids[500], "phone", "m500");
	VAL(L, MODEL_COMPANY, &ids[1999], "phone", "m1999");
	VAL(M, MODEL_COMPANY, &ids[30], "fax", "");
	VAL(L, MODEL_COMPANY, &ids[40], "fax", "");
	SYNC_OK();
	REP_ZERO(&rep);
	free(ids);
	finish();
}

/* n companies changed on both sides, a field each, in two transactions. */
static void
change_both(struct record_id *ids, int n, const char *tag)
{
	struct store_txn	*t;
	struct model_change	 ch;
	char			 v[32];
	int			 i, side;

	for (side = 0; side < 2; side++) {
		CU_ASSERT_FATAL(store_begin(side ? L : M, &t) == 0);
		for (i = side; i < n; i += 2) {
			snprintf(v, sizeof v, "%s-%d", tag, i);
			ch.name = "phone";
			ch.value = v;
			CU_ASSERT_FATAL(model_update(t, side ? &anna : &root,
			    MODEL_COMPANY, &ids[i], &ch, 1) == 0);
		}
		CU_ASSERT_FATAL(store_commit(t) == 0);
	}
}

/*
 * T8, B4: a sync costs a fixed number of round trips, whatever it moves:
 * the local sends everything without waiting for an answer (HELLO, every
 * record, the end of each file), then once more to commit. One change or
 * a thousand, two round trips; an empty sync, the same. Only an outbox
 * over SYNC_ROUND records takes one round trip more per round, to keep
 * the master's transaction bounded.
 */
static void
test_sync_T8_round_trips_do_not_grow(void)
{
	enum { N = 1000, BIG = SYNC_ROUND + 10 };
	struct record_id	*ids;
	struct store_txn	*t;
	struct model_change	 ch;
	char			 name[32];
	unsigned long		 frames_small;
	int			 i;

	world("anna");
	ids = xcalloc(BIG, sizeof *ids);
	CU_ASSERT_FATAL(store_begin(M, &t) == 0);
	for (i = 0; i < BIG; i++) {
		snprintf(name, sizeof name, "Turns %05d", i);
		ch.name = "name";
		ch.value = name;
		CU_ASSERT_FATAL(model_add(t, &root, MODEL_COMPANY, &ch, 1,
		    &ids[i]) == 0);
	}
	CU_ASSERT_FATAL(store_commit(t) == 0);
	SYNC_OK();

	/* Nothing to do. */
	SYNC_OK();
	CNT(last_stats.turns, 2);
	/* One change. */
	unit_now_ms += MIN_MS;
	upd(L, &anna, MODEL_COMPANY, &ids[0], "phone", "one");
	SYNC_OK();
	CNT(rep.total.uploaded, 1);
	CNT(last_stats.turns, 2);
	frames_small = last_stats.frames_up + last_stats.frames_down;
	/* A thousand, half on each side. */
	unit_now_ms += MIN_MS;
	change_both(ids, N, "k");
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.total.uploaded, N / 2);
	CNT(rep.total.downloaded, N / 2);
	CNT(last_stats.turns, 2);
	/* The frames do grow, with what moved. */
	CU_ASSERT(last_stats.frames_up + last_stats.frames_down >
	    frames_small + N);
	/* More than a round's worth sent up: one more round trip. */
	unit_now_ms += MIN_MS;
	CU_ASSERT_FATAL(store_begin(L, &t) == 0);
	for (i = 0; i < BIG; i++) {
		ch.name = "city";
		ch.value = "Round";
		CU_ASSERT_FATAL(model_update(t, &anna, MODEL_COMPANY, &ids[i],
		    &ch, 1) == 0);
	}
	CU_ASSERT_FATAL(store_commit(t) == 0);
	unit_now_ms += MIN_MS;
	SYNC_OK();
	CNT(rep.total.uploaded, BIG);
	CNT(last_stats.turns, 4);
	VAL(M, MODEL_COMPANY, &ids[BIG - 1], "city", "Round");
	SYNC_OK();
	REP_ZERO(&rep);
	free(ids);
	finish();
}

/*
 * Run one sync in a child that stops at its nth write; its exit status,
 * 99 when either half stopped there (over the service, the master's half
 * counts its own writes in a process of its own).
 */
static int
crash_child(const char *m, const char *l, unsigned long n)
{
	struct sync_report	 r;
	struct store		*ls;
	pid_t			 pid;
	int			 status, ret;

	fflush(NULL);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if ((ls = model_open(l, STORE_LOCAL, 0, 0)) == NULL)
			_exit(2);
		sync_fault_set(n);
		ret = sync_with(&ls, NULL, m, l, "anna", &r);
		sync_fault_set(0);
		store_close(ls);
		if (server_status == 99)
			_exit(99);
		_exit(ret == 0 ? 0 : 3);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void
test_sync_B5_crash_then_resume(void)
{
	char		 pm[PATH_MAX], pl[PATH_MAX], rm[PATH_MAX], rl[PATH_MAX];
	char		 xm[PATH_MAX], xl[PATH_MAX];
	char		*ref_m, *ref_l, *ref_c, *got_m, *got_l, *got_c;
	char		*line, *next, *want;
	unsigned long	 n;
	int		 code, crashed = 0, bad = 0;

	snprintf(pm, sizeof pm, "%s", unit_path("prep-m"));
	snprintf(pl, sizeof pl, "%s", unit_path("prep-l"));
	snprintf(rm, sizeof rm, "%s", unit_path("ref-m"));
	snprintf(rl, sizeof rl, "%s", unit_path("ref-l"));
	snprintf(xm, sizeof xm, "%s", unit_path("run-m"));
	snprintf(xl, sizeof xl, "%s", unit_path("run-l"));
	world_at(pm, pl, "anna");
	scenario();
	finish();

	/* The uninterrupted sync. */
	copy_dir(pm, rm);
	copy_dir(pl, rl);
	open_pair(rm, rl, "anna");
	SYNC_OK();
	scenario_check();
	ref_m = dump(M, DUMP_VALUES);
	ref_l = dump(L, DUMP_VALUES);
	ref_c = conflict_lines(L);
	CU_ASSERT(strlen(ref_c) > 1);
	finish();

	/* Cut off at its 1st, 2nd, ... write (or a sample), then run again. */
	for (n = 1; n < 500; n = unit_sample_next(n)) {
		copy_dir(pm, xm);
		copy_dir(pl, xl);
		code = crash_child(xm, xl, n);
		if (code == 0)
			break;		/* it ended before write n */
		if (code != 99) {
			fail_at(__LINE__, "the sync cut at write %lu exited "
			    "%d", n, code);
			break;
		}
		crashed++;
		open_pair(xm, xl, "anna");
		if (getenv("B5_DEBUG")) {
			struct record *a = get(M, MODEL_COMPANY, &sc_c1), *b = get(L, MODEL_COMPANY, &sc_c1);
			fprintf(stderr, "n=%lu srv=%d master phone=%s local phone=%s dirty=%d confl=%s\n", n, code, record_value(a, "phone"), record_value(b, "phone"), (int)(b->flags & RECORD_DIRTY), conflict_lines(L));
			record_free(a); record_free(b);
		}
		if (sync_now() != 0) {
			fail_at(__LINE__, "after a cut at write %lu the next "
			    "sync failed: %s", n, error_get());
			bad++;
		} else {
			got_m = dump(M, DUMP_VALUES);
			got_l = dump(L, DUMP_VALUES);
			got_c = conflict_lines(L);
			if (!same_text(__LINE__, "master vs reference",
			    ref_m, got_m) ||
			    !same_text(__LINE__, "local vs reference",
			    ref_l, got_l)) {
				fprintf(stderr, "  (cut at write %lu)\n", n);
				bad++;
			}
			/* Every conflict of the reference is in the log. */
			for (line = ref_c + 1; *line != '\0'; line = next) {
				next = strchr(line, '\n') + 1;
				xasprintf(&want, "\n%.*s", (int)(next - line),
				    line);
				if (strstr(got_c, want) == NULL) {
					fprintf(stderr, "GOT:%s\n", got_c);
					fail_at(__LINE__, "cut at write %lu: "
					    "conflict %s lost", n, want + 1);
					bad++;
				}
				free(want);
			}
			/* And a sync after that has nothing left to do. */
			if (sync_now() == 0) {
				struct sync_report zero;

				memset(&zero, 0, sizeof zero);
				if (memcmp(&rep, &zero, sizeof zero) != 0) {
					fail_at(__LINE__, "cut at write %lu: "
					    "a third sync moved things", n);
					report_print("third", &rep);
					bad++;
				}
			}
			free(got_m);
			free(got_l);
			free(got_c);
		}
		finish();
		if (bad > 5)
			break;
	}
	if (bad == 0)		/* it really was cut, at many points */
		CU_ASSERT((unsigned long)crashed >= unit_sampled(10));
	if (getenv("SYNC_TEST_VERBOSE") != NULL)
		fprintf(stderr, "B5: cut at %d points\n", crashed);
	free(ref_m);
	free(ref_l);
	free(ref_c);
}

/* Are two reports the same, count by count? */
static void
same_reports(int line, const struct sync_report *want,
    const struct sync_report *got)
{
	size_t	i;
	int	f;

	if (want->stale != got->stale)
		fail_at(line, "stale: dry run %d, real %d", got->stale,
		    want->stale);
	for (f = 0; f < MODEL_NTYPES; f++) {
		for (i = 0; i < NCOUNTS; i++) {
			if (count_get(&want->file[f], i) !=
			    count_get(&got->file[f], i))
				fail_at(line, "%s %s: the dry run said %lu, "
				    "the sync did %lu", model_type(f)->plural,
				    count_names[i].name,
				    count_get(&got->file[f], i),
				    count_get(&want->file[f], i));
		}
	}
}

/* A dry run, then the real sync: real (if not NULL) gets its report. */
static void
dry_then_real(struct sync_report *real)
{
	struct sync_report	 dry;
	char			*mb, *lb, *ma, *la;

	mb = dump(M, DUMP_RAW);
	lb = dump(L, DUMP_RAW);
	pol_dry = 1;
	SYNC_OK();
	pol_dry = 0;
	dry = rep;
	ma = dump(M, DUMP_RAW);
	la = dump(L, DUMP_RAW);
	same_text(__LINE__, "the master before and after a dry run", mb, ma);
	same_text(__LINE__, "the local before and after a dry run", lb, la);
	free(mb);
	free(lb);
	free(ma);
	free(la);
	/* A second dry run says the same: the first left nothing behind. */
	pol_dry = 1;
	SYNC_OK();
	pol_dry = 0;
	same_reports(__LINE__, &dry, &rep);
	/* The real sync does what the dry run said. */
	SYNC_OK();
	same_reports(__LINE__, &rep, &dry);
	if (real != NULL)
		*real = rep;
	/* After a complete sync, the next moves nothing. */
	SYNC_OK();
	REP_ZERO(&rep);
}

static void
test_sync_B6_dry_run_changes_nothing(void)
{
	world("anna");
	scenario();
	dry_then_real(NULL);
	scenario_check();
	finish();
}

static void
test_sync_B6_dry_run_counts_restricted(void)
{
	world("ben");
	scenario_s16();
	/*
	 * A dry run works in one transaction per side, so later files see
	 * what earlier ones would have removed: the preview's counts equal
	 * the real sync's.
	 */
	dry_then_real(NULL);
	GONE(L, MODEL_COMPANY, &s16_bc);
	finish();
}

/*
 * The master a first sync brings down: some of everything, a record in
 * and one out of a restricted user's scope, a master deletion, a document
 * with its file.
 */
static void
first_sync_master(void)
{
	struct record_id	c, b, gone;

	unit_now_ms = T0;
	c = add(M, &root, MODEL_COMPANY, "name", "Acme", "account_manager",
	    "ANNA1");
	b = add(M, &root, MODEL_COMPANY, "name", "BenCo", "account_manager",
	    "BEN01");
	add(M, &root, MODEL_CONTACT, "company", idt(&c), "last_name", "Lind");
	add(M, &root, MODEL_NOTE, "company", idt(&b), "subject", "Met");
	add(M, &root, MODEL_TASK, "company", idt(&b), "subject", "Call",
	    "assigned_to", "BEN01");
	add(M, &root, MODEL_CAMPAIGN, "name", "Winter");
	add_document(M, &root, &b, "contract text\n");
	add_template(M, &root, "Welcome", "Dear {first_name}\n");
	gone = add(M, &root, MODEL_COMPANY, "name", "Gone");
	del(M, &root, MODEL_COMPANY, &gone);
	unit_now_ms = T0 + MIN_MS;
}

/*
 * A first sync's preview is the ordinary pass (sync_load leaves dry runs
 * to it), the real one a load: the two must count the same. The local's
 * own user record, which crm init --local wrote, is already there as the
 * master has it: neither may count it as downloaded.
 */
static void
test_sync_B6_dry_run_first_sync_counts_as_load(void)
{
	static const char *const logins[][3] = {
		{ "anna", "m-anna", "l-anna" }, { "ben", "m-ben", "l-ben" }
	};
	struct sync_report	 real;
	char			 m[PATH_MAX];
	size_t			 i;

	for (i = 0; i < 2; i++) {
		snprintf(m, sizeof m, "%s", unit_path(logins[i][1]));
		world_at(m, unit_path(logins[i][2]), logins[i][0]);
		first_sync_master();
		pol_job = 1;
		dry_then_real(&real);
		cnt_is(__LINE__, "loads", (unsigned long)loaded, 1);
		/* The two other users: the local's own was there already. */
		CNT(real.file[MODEL_USER].downloaded, 2);
		CNT(real.total.files, 2);
		finish();
	}
}

/* Put a master record on the local as the pass brings it down (phase B). */
static void
down_raw(int type, const struct record_id *id)
{
	struct store_txn	*t;
	struct record		*r = get(M, type, id);

	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_FATAL(store_begin(L, &t) == 0);
	CU_ASSERT(store_put(t, (size_t)type, r, STORE_PUT_SYNCED) == 0);
	CU_ASSERT(store_commit(t) == 0);
	record_free(r);
}

/*
 * A first sync cut off leaves what it had brought, and nothing of the
 * local's own: the next is a load again. What the master changed since
 * then counts as the pass counts it (downloaded, deleted, removed from a
 * restricted user's local), what it did not change not at all.
 */
static void
test_sync_B6_dry_run_first_sync_after_a_cut(void)
{
	struct sync_report	 real;
	struct record_id	 same, chg, gone, moved, dep, fresh;

	world("ben");
	unit_now_ms = T0;
	same = add(M, &root, MODEL_COMPANY, "name", "Same", "account_manager",
	    "BEN01");
	chg = add(M, &root, MODEL_COMPANY, "name", "Changed",
	    "account_manager", "BEN01");
	gone = add(M, &root, MODEL_COMPANY, "name", "Deleted",
	    "account_manager", "BEN01");
	moved = add(M, &root, MODEL_COMPANY, "name", "Moved",
	    "account_manager", "BEN01");
	dep = add(M, &root, MODEL_NOTE, "company", idt(&moved), "subject",
	    "Goes with it");
	fresh = add(M, &root, MODEL_COMPANY, "name", "Not yet down",
	    "account_manager", "BEN01");
	/* The cut-off sync had brought these when it stopped. */
	down_raw(MODEL_COMPANY, &same);
	down_raw(MODEL_COMPANY, &chg);
	down_raw(MODEL_COMPANY, &gone);
	down_raw(MODEL_COMPANY, &moved);
	down_raw(MODEL_NOTE, &dep);
	unit_now_ms = T0 + MIN_MS;
	upd(M, &root, MODEL_COMPANY, &chg, "city", "changed-city");
	del(M, &root, MODEL_COMPANY, &gone);
	upd(M, &root, MODEL_COMPANY, &moved, "account_manager", "ANNA1");
	unit_now_ms = T0 + 2 * MIN_MS;

	pol_job = 1;
	dry_then_real(&real);
	cnt_is(__LINE__, "loads", (unsigned long)loaded, 1);
	CNT(real.file[MODEL_COMPANY].downloaded, 2);
	CNT(real.file[MODEL_COMPANY].deleted, 1);
	CNT(real.file[MODEL_COMPANY].removed, 1);
	CNT(real.file[MODEL_NOTE].removed, 1);
	CNT(real.file[MODEL_USER].downloaded, 2);
	SAME_RECORD(MODEL_COMPANY, &same);
	VAL(L, MODEL_COMPANY, &chg, "city", "changed-city");
	LIVE(L, MODEL_COMPANY, &fresh);
	GONE(L, MODEL_COMPANY, &gone);
	GONE(L, MODEL_COMPANY, &moved);
	GONE(L, MODEL_NOTE, &dep);
	finish();
}

/*
 * An incremental sync of a restricted user with some of everything: an
 * upload, downloads, a field-level merge (B1), a conflict beside a merged
 * field, a refused deletion (S12), a refused upload (S15), a master
 * deletion, a file. The preview counts each as the sync then does: a
 * record whose fields merged without a conflict is merged, one with a
 * conflict counts its field as won or lost.
 */
static void
test_sync_B6_dry_run_counts_incremental(void)
{
	struct sync_report	real;
	struct record_id	mg, cf, rd, up, dn, md, ac, nn, dc;

	world("ben");
	unit_now_ms = T0;
	mg = add(M, &root, MODEL_COMPANY, "name", "Merge", "account_manager",
	    "BEN01", "phone", "p0", "city", "c0");
	cf = add(M, &root, MODEL_COMPANY, "name", "Conflict",
	    "account_manager", "BEN01", "phone", "p0", "city", "c0");
	rd = add(M, &root, MODEL_COMPANY, "name", "Root's", "account_manager",
	    "BEN01");
	up = add(M, &root, MODEL_COMPANY, "name", "Upload", "account_manager",
	    "BEN01");
	dn = add(M, &root, MODEL_COMPANY, "name", "Download",
	    "account_manager", "BEN01");
	md = add(M, &root, MODEL_NOTE, "company", idt(&dn), "subject",
	    "Deleted on the master");
	ac = add(M, &root, MODEL_COMPANY, "name", "Anna's", "account_manager",
	    "ANNA1");
	unit_now_ms = T0 + MIN_MS;
	/* As crm sync does it: a load, then the comparison pass. */
	pol_job = 1;
	SYNC_OK();
	cnt_is(__LINE__, "loads", (unsigned long)loaded, 1);

	unit_now_ms = T0 + 2 * MIN_MS;
	upd(L, &ben, MODEL_COMPANY, &mg, "city", "local-city");
	upd(L, &ben, MODEL_COMPANY, &cf, "city", "local-city", "phone",
	    "local-phone");
	upd(L, &ben, MODEL_COMPANY, &up, "phone", "uploaded");
	nn = add(L, &ben, MODEL_NOTE, "company", idt(&up), "subject", "New");
	raw_delete(L, MODEL_COMPANY, &rd, "BEN01");
	raw_new(L, MODEL_NOTE, "BEN01", "company", idt(&ac), "subject",
	    "sneaky note", (const char *)NULL);
	unit_now_ms = T0 + 3 * MIN_MS;
	upd(M, &root, MODEL_COMPANY, &mg, "phone", "master-phone");
	upd(M, &root, MODEL_COMPANY, &cf, "phone", "master-phone");
	upd(M, &root, MODEL_COMPANY, &dn, "city", "downloaded");
	add(M, &root, MODEL_COMPANY, "name", "New", "account_manager",
	    "BEN01");
	dc = add_document(M, &root, &dn, "for ben\n");
	del(M, &root, MODEL_NOTE, &md);
	unit_now_ms = T0 + 4 * MIN_MS;

	dry_then_real(&real);
	CNT(real.file[MODEL_COMPANY].merged, 1);
	CNT(real.file[MODEL_COMPANY].lost, 1);
	CNT(real.file[MODEL_COMPANY].refused_delete, 1);
	CNT(real.file[MODEL_NOTE].refused_scope, 1);
	CNT(real.file[MODEL_NOTE].deleted, 1);
	CNT(real.total.uploaded, 2);
	CNT(real.total.downloaded, 3);
	CNT(real.total.files, 1);
	/* What it did (the first real sync of dry_then_real). */
	VAL(M, MODEL_COMPANY, &mg, "city", "local-city");
	VAL(L, MODEL_COMPANY, &mg, "phone", "master-phone");
	VAL(L, MODEL_COMPANY, &cf, "phone", "master-phone");
	VAL(M, MODEL_COMPANY, &cf, "city", "local-city");
	VAL(M, MODEL_COMPANY, &up, "phone", "uploaded");
	LIVE(M, MODEL_NOTE, &nn);
	LIVE(L, MODEL_COMPANY, &rd);
	LIVE(M, MODEL_COMPANY, &rd);
	VAL(L, MODEL_COMPANY, &dn, "city", "downloaded");
	GONE(L, MODEL_NOTE, &md);
	SAME_FILE(M, L, MODEL_DOCUMENT, &dc, "for ben\n");
	finish();
}

static const struct unit_test tests[] = {
	{ "S1 refused on a master", test_sync_S1_refused_on_master },
	{ "S2 another master is refused", test_sync_S2_other_master_refused },
	{ "S3 first sync downloads the scope",
	    test_sync_S3_first_sync_downloads_scope },
	{ "S3 a second sync moves nothing",
	    test_sync_S3_second_sync_moves_nothing },
	{ "S4 metadata travels", test_sync_S4_metadata_travels },
	{ "S5 local new is uploaded", test_sync_S5_local_new_uploaded },
	{ "S6 local changed, master not",
	    test_sync_S6_local_changed_master_unchanged },
	{ "S7 both changed: most recent wins",
	    test_sync_S7_both_changed_most_recent_wins },
	{ "S8 master new is downloaded", test_sync_S8_master_new_downloaded },
	{ "S9 master changed is downloaded",
	    test_sync_S9_master_changed_downloaded },
	{ "S10 every file", test_sync_S10_every_file },
	{ "S11 stale: the master wins",
	    test_sync_S11_window_master_wins_when_stale },
	{ "S11 window not passed", test_sync_S11_window_not_passed },
	{ "S11 the master's window, the process's settings untouched",
	    test_sync_S11_window_is_the_masters },
	{ "S12 refused deletion comes back",
	    test_sync_S12_refused_deletion_comes_back },
	{ "S12 allowed deletion propagates",
	    test_sync_S12_allowed_deletion_propagates },
	{ "S12 master deletion propagates",
	    test_sync_S12_master_deletion_propagates },
	{ "S13 document file travels", test_sync_S13_document_file_travels },
	{ "S13 file travels when both changed",
	    test_sync_S13_file_travels_when_both_changed },
	{ "S14 template travels", test_sync_S14_template_travels },
	{ "S14 template content change travels",
	    test_sync_S14_template_content_change_travels },
	{ "S15 restricted scope", test_sync_S15_restricted_scope },
	{ "S15 upload outside scope refused",
	    test_sync_S15_upload_outside_scope_refused },
	{ "S15 upload rights enforced", test_sync_S15_upload_rights_enforced },
	{ "T4 a new record takes the default manager",
	    test_sync_T4_new_record_takes_the_default_manager },
	{ "S16 reassignment removes", test_sync_S16_reassignment_removes },
	{ "S16 the journal names only what was yours",
	    test_sync_S16_journal_names_only_what_was_yours },
	{ "S16 reassignment to the user brings dependants",
	    test_sync_S16_reassignment_to_user_brings_dependants },
	{ "S15 a new company comes with its dependants",
	    test_sync_S15_new_company_comes_with_dependants },
	{ "B1 field merge", test_sync_B1_field_merge },
	{ "B1 record granularity", test_sync_B1_record_granularity },
	{ "B2 clock a week ahead", test_sync_B2_clock_week_ahead },
	{ "B2 clock a week behind", test_sync_B2_clock_week_behind },
	{ "B3 nothing lost", test_sync_B3_nothing_lost },
	{ "B4 incremental sync reads changes only",
	    test_sync_B4_incremental_reads_changes_only },
	{ "B5 crash, then resume", test_sync_B5_crash_then_resume },
	{ "T8 round trips do not grow with the changes",
	    test_sync_T8_round_trips_do_not_grow },
	{ "B6 dry run changes nothing", test_sync_B6_dry_run_changes_nothing },
	{ "B4 progress counts the changes",
	    test_sync_B4_progress_counts_changes },
	{ "B6 dry run counts, restricted",
	    test_sync_B6_dry_run_counts_restricted },
	{ "B6 dry run of a first sync counts as its load",
	    test_sync_B6_dry_run_first_sync_counts_as_load },
	{ "B6 dry run of a first sync after a cut",
	    test_sync_B6_dry_run_first_sync_after_a_cut },
	{ "B6 dry run counts an incremental sync",
	    test_sync_B6_dry_run_counts_incremental },
	{ NULL, NULL }
};

int
main(void)
{
	const char	*env;
	int		 ret;

	unit_user(&root, "root", "ROOT1", "Root Admin", USER_ADMIN, 0, 1);
	unit_user(&anna, "anna", "ANNA1", "Anna Berg", USER_USER, 0, 0);
	unit_user(&ben, "ben", "BEN01", "Ben Field", USER_REMOTE, 1, 0);
	/*
	 * Every rule through both transports: SYNC_TEST_TRANSPORT=service
	 * runs the master's half as crm serve does (tests/test-sync-service.sh).
	 */
	env = getenv("SYNC_TEST_TRANSPORT");
	transport = env != NULL && strcmp(env, "service") == 0;
	ret = unit_run(transport ? "sync (service)" : "sync (attach)", tests);
	user_clear(&root);
	user_clear(&anna);
	user_clear(&ben);
	return ret;
}
