/*
 * test-store-load: loading a local in bulk (a first sync) and switching
 * the load into place, cut off anywhere.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "record.h"
#include "store.h"
#include "store-fixture.h"
#include "unit.h"
#include "xmalloc.h"


/* The files a fingerprint covers: the conflict log has indexes too. */
static const size_t t_files[] = { T_PEOPLE, T_ORGS, STORE_CONFLICTS };
#define T_NFILES (sizeof t_files / sizeof t_files[0])

/* ------------------------------------------------------------- helpers */

/* A path inside the database directory; valid until the next call. */
static const char *
t_at(const char *name)
{
	static char	path[4200];

	snprintf(path, sizeof path, "%s/%s", t_dir(), name);
	return path;
}

static int
t_exists(const char *path)
{
	struct stat	sb;

	return lstat(path, &sb) == 0;
}

static struct store *
t_open_at(const char *dir)
{
	struct store	*st;

	st = store_open(dir, STORE_LOCAL, t_schema, T_NSCHEMA, 0, 0);
	if (st == NULL)
		fprintf(stderr, "\n  store_open: %s\n", error_get());
	return st;
}

static struct store *
t_new_at(const char *dir)
{
	if (store_create(dir, STORE_LOCAL, t_schema, T_NSCHEMA) != 0) {
		fprintf(stderr, "\n  store_create: %s\n", error_get());
		return NULL;
	}
	return t_open_at(dir);
}

static struct store *
t_open(void)
{
	return t_open_at(t_dir());
}

static struct store *
t_new(void)
{
	return t_new_at(t_dir());
}

/* rm -rf and cp -a, as unit.c does it; 0 if they worked. */
static int
t_rmrf(const char *path)
{
	char	*cmd;
	int	 ret;

	xasprintf(&cmd, "rm -rf '%s'", path);
	ret = system(cmd);
	free(cmd);
	return ret;
}

static int
t_copy(const char *from, const char *to)
{
	char	*cmd;
	int	 ret;

	xasprintf(&cmd, "cp -a '%s' '%s'", from, to);
	ret = system(cmd);
	free(cmd);
	return ret;
}

/*
 * A record with a fresh ID. The injected clock moves on a millisecond for
 * each, so that IDs (time first) sort in the order records were made.
 */
static struct record *
t_rec(const char *field, const char *value)
{
	struct record	*r;

	unit_now_ms++;
	r = record_new();
	record_id_new(&r->id, clock_now_ms());
	r->created = r->modified = clock_stamp_from_ms(clock_now_ms());
	strcpy(r->created_by, "ab12c");
	strcpy(r->modified_by, "ab12c");
	if (field != NULL)
		record_set(r, field, value, r->modified);
	return r;
}

static struct record *
t_person(const char *last, const char *first)
{
	struct record	*r;

	r = t_rec("last", last);
	if (first != NULL)
		record_set(r, "first", first, r->modified);
	return r;
}

static void
t_ref(struct record *r, const char *field, const struct record *to)
{
	char	text[RECORD_ID_TEXT + 1];

	record_id_format(&to->id, text);
	record_set(r, field, text, r->modified);
}

/* Put records in one transaction, as a sync does (flags for each). */
static int
t_put_all(struct store *st, size_t file, struct record **recs, size_t n,
    int flags)
{
	struct store_txn	*t;
	size_t			 i;

	if (store_begin(st, &t) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (store_put(t, file, recs[i], flags) != 0) {
			fprintf(stderr, "store_put: %s\n", error_get());
			store_abort(t);
			return -1;
		}
	}
	return store_commit(t);
}

static int
t_put(struct store *st, size_t file, struct record *r, int flags)
{
	return t_put_all(st, file, &r, 1, flags);
}

/* Load people named prefix1..prefixN, synced, in one transaction. */
static int
t_load_people(struct store *load, const char *prefix, int n)
{
	struct store_txn	*t;
	struct record		*r;
	char			 name[64];
	int			 i, ret = 0;

	if (store_begin(load, &t) != 0)
		return -1;
	for (i = 1; i <= n && ret == 0; i++) {
		snprintf(name, sizeof name, "%s%d", prefix, i);
		r = t_person(name, "Load");
		ret = store_put(t, T_PEOPLE, r, STORE_PUT_SYNCED);
		record_free(r);
	}
	if (ret != 0) {
		store_abort(t);
		return -1;
	}
	return store_commit(t);
}

static uint64_t
t_count(struct store *st, size_t file)
{
	struct store_txn	*t;
	uint64_t		 n = 0;

	if (store_begin(st, &t) != 0)
		return (uint64_t)-1;
	if (store_count(t, file, &n) != 0)
		n = (uint64_t)-1;
	store_abort(t);
	return n;
}

/*
 * One field of each record an index walk meets, joined by commas, from
 * key (exact or not) or from the start; free it.
 */
static char *
t_walk(struct store *st, size_t file, enum store_index idx, const void *key,
    size_t len, int exact, const char *field)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	char			*out, *tmp;
	int			 ret, n = 0;

	out = xstrdup("");
	if (store_begin(st, &t) != 0)
		return out;
	if (store_cursor_open(t, file, idx, 0, &c) != 0) {
		store_abort(t);
		return out;
	}
	if (key != NULL)
		store_cursor_seek(c, key, len, exact);
	while ((ret = store_cursor_next(c, &r)) == 0) {
		xasprintf(&tmp, "%s%s%s", out, n++ > 0 ? "," : "",
		    record_value(r, field));
		free(out);
		out = tmp;
		record_free(r);
	}
	if (ret == -1) {
		tmp = out;
		xasprintf(&out, "%s,ERROR(%s)", tmp, error_get());
		free(tmp);
	}
	store_cursor_close(c);
	store_abort(t);
	return out;
}

static int
t_names_are(struct store *st, size_t file, const char *field,
    const char *expect)
{
	char	*got;
	int	 ok;

	got = t_walk(st, file, STORE_BY_NAME, NULL, 0, 0, field);
	ok = strcmp(got, expect) == 0;
	if (!ok)
		fprintf(stderr, "\n  names: got \"%s\", expected \"%s\"\n", got,
		    expect);
	free(got);
	return ok;
}

static void
t_meta_set(struct store *st, const char *key, const char *value)
{
	struct store_txn	*t;

	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT(store_meta_put(t, key, value, strlen(value)) == 0);
	CU_ASSERT(store_commit(t) == 0);
}

/* meta.db's value of key as text, "none" or "error"; free it. */
static char *
t_meta(struct store *st, const char *key)
{
	struct store_txn	*t;
	char			 buf[256];
	size_t			 len = sizeof buf - 1;
	int			 ret;

	if (store_begin(st, &t) != 0)
		return xstrdup("error");
	ret = store_meta_get(t, key, buf, &len);
	store_abort(t);
	if (ret == STORE_NOTFOUND)
		return xstrdup("none");
	if (ret != 0)
		return xstrdup("error");
	buf[len] = '\0';
	return xstrdup(buf);
}

/*
 * A fingerprint of a database's contents: every entry of every index of
 * every file, its key and the whole record, hashed (FNV-1a, each piece
 * with its length first so that pieces cannot slide into each other),
 * with the number of entries of each index for a readable difference.
 * Two databases holding the same records indexed the same way have the
 * same fingerprint; the IDs are random, so nothing else does.
 */
struct t_fp {
	uint64_t	hash;
	unsigned long	n[T_NFILES][STORE_BY_OUTBOX + 1];
	int		errors;
};

static void
t_fp_add(struct t_fp *fp, const void *p, size_t len)
{
	const uint8_t	*b = p;
	uint8_t		 l[8];
	size_t		 i;

	store_be64(l, len);
	for (i = 0; i < 8; i++)
		fp->hash = (fp->hash ^ l[i]) * 1099511628211ULL;
	for (i = 0; i < len; i++)
		fp->hash = (fp->hash ^ b[i]) * 1099511628211ULL;
}

/* meta_keys: meta.db values to cover too (NULL-terminated), or NULL. */
static void
t_fingerprint(struct store *st, const char *const *meta_keys,
    struct t_fp *fp)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	const void		*key;
	size_t			 f, len;
	uint8_t			*buf, mark[2];
	int			 idx, ret;
	char			*v;

	memset(fp, 0, sizeof *fp);
	fp->hash = 14695981039346656037ULL;
	for (f = 0; f < T_NFILES; f++) {
		for (idx = STORE_BY_ID; idx <= STORE_BY_OUTBOX; idx++) {
			mark[0] = (uint8_t)f;
			mark[1] = (uint8_t)idx;
			t_fp_add(fp, mark, 2);
			if (store_begin_read(st, &t) != 0) {
				fp->errors++;
				continue;
			}
			if (store_cursor_open(t, t_files[f], idx,
			    idx == STORE_BY_ID ? STORE_CURSOR_DELETED : 0,
			    &c) != 0) {
				store_abort(t);
				fp->errors++;
				continue;
			}
			while ((ret = store_cursor_next(c, &r)) == 0) {
				store_cursor_key(c, &key, &len);
				t_fp_add(fp, key, len);
				record_encode(r, &buf, &len);
				t_fp_add(fp, buf, len);
				free(buf);
				record_free(r);
				fp->n[f][idx]++;
			}
			if (ret != STORE_NOTFOUND) {
				fprintf(stderr, "\n  fingerprint: %s\n",
				    error_get());
				fp->errors++;
			}
			store_cursor_close(c);
			store_abort(t);
		}
	}
	for (; meta_keys != NULL && *meta_keys != NULL; meta_keys++) {
		v = t_meta(st, *meta_keys);
		t_fp_add(fp, *meta_keys, strlen(*meta_keys));
		t_fp_add(fp, v, strlen(v));
		free(v);
	}
}

static int
t_fp_equal(const struct t_fp *a, const struct t_fp *b)
{
	size_t	f;
	int	idx;

	if (a->errors == 0 && b->errors == 0 && a->hash == b->hash)
		return 1;
	fprintf(stderr, "\n  fingerprints differ (errors %d, %d):", a->errors,
	    b->errors);
	for (f = 0; f < T_NFILES; f++) {
		for (idx = 0; idx <= STORE_BY_OUTBOX; idx++) {
			if (a->n[f][idx] != b->n[f][idx])
				fprintf(stderr, " file %zu index %d: %lu/%lu",
				    f, idx, a->n[f][idx], b->n[f][idx]);
		}
	}
	fprintf(stderr, "\n");
	return 0;
}

/*
 * The names in a directory, sorted and joined by commas, leaving out the
 * environment's regions and logs: those belong to whoever opened it last.
 */
static char *
t_listing(const char *dir)
{
	struct dirent	**names;
	char		 *out, *tmp;
	int		  n, i, k = 0;

	if ((n = scandir(dir, &names, NULL, alphasort)) == -1)
		return xstrdup("(none)");
	out = xstrdup("");
	for (i = 0; i < n; i++) {
		const char	*s = names[i]->d_name;

		if (strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
		    strncmp(s, "__db.", 5) != 0 && strncmp(s, "log.", 4) != 0) {
			xasprintf(&tmp, "%s%s%s", out, k++ > 0 ? "," : "", s);
			free(out);
			out = tmp;
		}
		free(names[i]);
	}
	free(names);
	return out;
}

/* Files in DIR/load/ whose names end in ".db". */
static int
t_load_dbs(void)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 len;
	int		 n = 0;

	if ((d = opendir(t_at("load"))) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len > 3 && strcmp(de->d_name + len - 3, ".db") == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Run fn in a child; its exit status, or -1 if it did not exit. */
static int
t_fork(int (*fn)(void))
{
	pid_t	pid;
	int	status;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0)
		_exit(fn());
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Child: the local's lock is held shared by someone, exclusive by no one. */
static int
t_child_lock_shared(void)
{
	int	fd, ret;

	if ((fd = open(t_at("open.lock"), O_RDWR)) == -1)
		return 2;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		ret = 3;	/* nobody holds it at all */
	else if (flock(fd, LOCK_SH | LOCK_NB) != 0)
		ret = 4;	/* someone holds it exclusively */
	else
		ret = 0;
	close(fd);
	return ret;
}

/* Child: the local's lock is held exclusively. */
static int
t_child_lock_exclusive(void)
{
	int	fd, ret;

	if ((fd = open(t_at("open.lock"), O_RDWR)) == -1)
		return 2;
	ret = flock(fd, LOCK_SH | LOCK_NB) == 0 ? 3 : 0;
	close(fd);
	return ret;
}

/*
 * A child that holds the local open (through store_open, or only its
 * lock through store_local_lock) until released: its pid in *pid and
 * the pipe to close in *release. 0 once it holds it.
 */
static int
t_hold(int lock_only, pid_t *pid, int *release)
{
	struct store	*st = NULL;
	int		 ready[2], go[2], fd = -1;
	char		 c;

	if (pipe(ready) != 0 || pipe(go) != 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	if ((*pid = fork()) == -1)
		return -1;
	if (*pid == 0) {
		close(ready[0]);
		close(go[1]);
		if (lock_only)
			fd = store_local_lock(t_dir(), 0);
		else
			st = t_open();
		if ((lock_only ? fd == -1 : st == NULL) ||
		    write(ready[1], "k", 1) != 1)
			_exit(2);
		while (read(go[0], &c, 1) > 0)
			;
		if (lock_only)
			close(fd);
		else if (store_close(st) != 0)
			_exit(3);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	*release = go[1];
	if (read(ready[0], &c, 1) != 1)
		c = 0;
	close(ready[0]);
	return c == 'k' ? 0 : -1;
}

static int
t_release(pid_t pid, int release)
{
	int	status;

	close(release);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static double
t_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --------------------------------------------------- the load itself */

/*
 * Nothing put through the load shows in the local, neither before nor
 * after store_load_end; once switched, the local holds exactly the load
 * (every file, the conflict log too), the local's meta values came along,
 * and DIR/load is gone.
 */
static void
test_load_invisible_until_switched(void)
{
	struct store	*st, *load;
	struct record	*people[3], *org, *conflict, *got;
	char		*v;
	int		 i;

	CU_ASSERT_FATAL((st = t_new()) != NULL);
	t_meta_set(st, "master", "m-0001");
	CU_ASSERT(!t_exists(t_at("load")));
	CU_ASSERT_FATAL(store_load_begin(st, &load) == 0);
	CU_ASSERT_FATAL(load != NULL);
	CU_ASSERT(t_exists(t_at("load")));
	/* The load is a database of its own, beside the local's files. */
	CU_ASSERT(strcmp(store_dir(load), store_dir(st)) != 0);

	org = t_rec("name", "Acme");
	people[0] = t_person("Berg", "Anna");
	people[1] = t_person("Lind", "Olof");
	people[2] = t_person("Ek", "Siv");
	for (i = 0; i < 3; i++)
		t_ref(people[i], "org", org);
	conflict = t_rec("record", "");
	t_ref(conflict, "record", people[0]);
	CU_ASSERT_FATAL(t_put_all(load, T_PEOPLE, people, 3,
	    STORE_PUT_SYNCED) == 0);
	CU_ASSERT_FATAL(t_put(load, T_ORGS, org, STORE_PUT_SYNCED) == 0);
	CU_ASSERT_FATAL(t_put(load, STORE_CONFLICTS, conflict,
	    STORE_PUT_SYNCED) == 0);

	/* The load's handle sees its own writes; the local sees nothing. */
	CU_ASSERT(t_count(load, T_PEOPLE) == 3);
	CU_ASSERT(t_get(load, T_PEOPLE, &people[1]->id, &got) == 0);
	record_free(got);
	CU_ASSERT(t_count(st, T_PEOPLE) == 0);
	CU_ASSERT(t_count(st, T_ORGS) == 0);
	CU_ASSERT(t_get(st, T_PEOPLE, &people[1]->id, &got) ==
	    STORE_NOTFOUND);
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last", ""));
	CU_ASSERT(store_load_pending(t_dir()) == 0);

	CU_ASSERT_FATAL(store_load_end(load) == 0);
	CU_ASSERT(store_load_pending(t_dir()) == 1);
	/* Complete, but not switched while the local is open. */
	CU_ASSERT(t_count(st, T_PEOPLE) == 0);
	CU_ASSERT(t_get(st, T_ORGS, &org->id, &got) == STORE_NOTFOUND);
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT(store_load_pending(t_dir()) == 1);
	CU_ASSERT(t_exists(t_at("load")));

	CU_ASSERT(store_load_switch(t_dir(), 0) == 0);
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	CU_ASSERT(!t_exists(t_at("load")));

	CU_ASSERT_FATAL((st = t_open()) != NULL);
	CU_ASSERT(t_count(st, T_PEOPLE) == 3);
	CU_ASSERT(t_count(st, T_ORGS) == 1);
	CU_ASSERT(t_count(st, STORE_CONFLICTS) == 1);
	for (i = 0; i < 3; i++) {
		CU_ASSERT(t_get(st, T_PEOPLE, &people[i]->id, &got) == 0);
		if (got != NULL) {
			CU_ASSERT_STRING_EQUAL(record_value(got, "last"),
			    record_value(people[i], "last"));
			CU_ASSERT((got->flags & RECORD_DIRTY) == 0);
		}
		record_free(got);
	}
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last", "Berg,Ek,Lind"));
	/* The deferred indexes were filled: every person refers to Acme. */
	{
		char	*refs = t_walk(st, T_PEOPLE, STORE_BY_REF, org->id.b,
		    RECORD_ID_SIZE, 1, "last");

		CU_ASSERT_STRING_EQUAL(refs, "Berg,Lind,Ek");
		free(refs);
	}
	CU_ASSERT_STRING_EQUAL((v = t_meta(st, "master")), "m-0001");
	free(v);
	CU_ASSERT_STRING_EQUAL((v = t_meta(st, "role")), "local");
	free(v);
	CU_ASSERT(store_close(st) == 0);

	for (i = 0; i < 3; i++)
		record_free(people[i]);
	record_free(org);
	record_free(conflict);
}

/*
 * The records a load writes, indexed the load's way (the name, ref and
 * owner entries gathered and put in sorted at the end), make exactly the
 * indexes that ordinary writes of the same records make: duplicate
 * references and owners, missing names, tombstones, names equal once
 * folded or cut at the key's length, dirty records, master sequences,
 * and the conflict log's own indexes, kept apart from the record files'.
 */
static void
test_load_indexes_as_ordinary(void)
{
	struct record	*p[12], *o[3], *cf, *dup;
	struct store	*plain, *loaded, *load;
	struct t_fp	 a, b;
	char		 plain_dir[4200], big[256], *names;
	size_t		 i, n = 0;

	o[0] = t_rec("name", "Acme");
	o[1] = t_rec("name", "acme");
	o[2] = t_rec("name", "Zeta AB");

	/* The same owner twice. */
	p[n] = t_person("Berg", "Anna");
	t_ref(p[n], "org", o[0]);
	record_set(p[n], "owner", "ab12c", 1);
	record_set(p[n], "assistant", "ab12c", 1);
	n++;
	/* The same reference twice. */
	p[n] = t_person("Lind", NULL);
	t_ref(p[n], "org", o[0]);
	t_ref(p[n], "manager", o[0]);
	record_set(p[n], "owner", "zz99z", 1);
	n++;
	/* No name at all. */
	p[n] = t_rec("owner", "ab12c");
	t_ref(p[n], "manager", p[0]);
	n++;
	/* A tombstone, with a master sequence. */
	p[n] = t_person("Gone", "Away");
	t_ref(p[n], "org", o[1]);
	record_set(p[n], "owner", "ab12c", 1);
	record_strip(p[n], NULL);
	p[n]->flags |= RECORD_DELETED;
	p[n]->seq = 41;
	n++;
	/* Two names equal in the 120 bytes a name key keeps. */
	memset(big, 'q', 200);
	big[200] = '\0';
	p[n] = t_person(big, "one");
	n++;
	big[190] = 'r';
	p[n] = t_person(big, "two");
	n++;
	/* The same name again, and a reference that is not an ID. */
	p[n] = t_person("Berg", "Anna");
	record_set(p[n], "org", "not an ID", 1);
	n++;
	/* Folded: "\xc3\x85str\xc3\xb6m" is Åström. */
	p[n] = t_person("\xc3\x85str\xc3\xb6m", "Eva");
	n++;
	p[n] = t_person("BERG", "anna");
	p[n]->seq = 7;
	n++;
	/* A change of the local's own, for the outbox (put without SYNCED). */
	p[n] = t_person("Dirty", "Own");
	n++;
	cf = t_rec("who", "ab12c");
	t_ref(cf, "record", p[1]);

	/* The same records, written the ordinary way, in another local. */
	snprintf(plain_dir, sizeof plain_dir, "%s", unit_path("plain"));
	CU_ASSERT_FATAL((plain = t_new_at(plain_dir)) != NULL);
	for (i = 0; i < n; i++) {
		dup = record_dup(p[i]);
		CU_ASSERT(t_put(plain, T_PEOPLE, dup, i == n - 1 ? 0 :
		    STORE_PUT_SYNCED) == 0);
		record_free(dup);
	}
	CU_ASSERT(t_put_all(plain, T_ORGS, o, 3, STORE_PUT_SYNCED) == 0);
	CU_ASSERT(t_put(plain, STORE_CONFLICTS, cf, STORE_PUT_SYNCED) == 0);
	t_fingerprint(plain, NULL, &a);
	CU_ASSERT(store_close(plain) == 0);

	CU_ASSERT_FATAL((loaded = t_new()) != NULL);
	CU_ASSERT_FATAL(store_load_begin(loaded, &load) == 0);
	/* Backwards: a load need not come in ID order. */
	for (i = n; i-- > 0;) {
		dup = record_dup(p[i]);
		CU_ASSERT(t_put(load, T_PEOPLE, dup, i == n - 1 ? 0 :
		    STORE_PUT_SYNCED) == 0);
		record_free(dup);
	}
	CU_ASSERT(t_put_all(load, T_ORGS, o, 3, STORE_PUT_SYNCED) == 0);
	CU_ASSERT(t_put(load, STORE_CONFLICTS, cf, STORE_PUT_SYNCED) == 0);
	CU_ASSERT_FATAL(store_load_end(load) == 0);
	CU_ASSERT(store_close(loaded) == 0);
	CU_ASSERT_FATAL(store_load_switch(t_dir(), 0) == 0);

	CU_ASSERT_FATAL((loaded = t_open()) != NULL);
	t_fingerprint(loaded, NULL, &b);
	CU_ASSERT(t_fp_equal(&a, &b));
	/* And what the indexes hold is what they should, not only equal. */
	CU_ASSERT(a.n[0][STORE_BY_ID] == n);
	CU_ASSERT(a.n[0][STORE_BY_NAME] == n - 2);	/* no name, tombstone */
	names = t_walk(loaded, T_PEOPLE, STORE_BY_OUTBOX, NULL, 0, 0, "last");
	CU_ASSERT_STRING_EQUAL(names, "Dirty");
	free(names);
	names = t_walk(loaded, T_PEOPLE, STORE_BY_OWNER, "ab12c", 5, 1, "last");
	CU_ASSERT_STRING_EQUAL(names, "Berg,");		/* once each */
	free(names);
	names = t_walk(loaded, T_PEOPLE, STORE_BY_REF, o[0]->id.b,
	    RECORD_ID_SIZE, 1, "last");
	CU_ASSERT_STRING_EQUAL(names, "Berg,Lind");
	free(names);
	CU_ASSERT(t_names_are(loaded, T_ORGS, "name", "Acme,acme,Zeta AB"));
	CU_ASSERT(store_close(loaded) == 0);

	for (i = 0; i < n; i++)
		record_free(p[i]);
	for (i = 0; i < 3; i++)
		record_free(o[i]);
	record_free(cf);
}

/*
 * A load large enough that its gathered index entries go in over several
 * sorted batches, each batch's keys falling among those already in the
 * trees: the indexes still equal those ordinary writes make.
 */
static void
test_load_indexes_in_batches(void)
{
	struct store		*plain, *loaded, *load;
	struct store_txn	*tp, *tl;
	struct record		*orgs[7], *r;
	struct t_fp		 a, b;
	char			 name[160], plain_dir[4200];
	int			 i, n = 24000, ok = 1;

	snprintf(plain_dir, sizeof plain_dir, "%s", unit_path("plain"));
	CU_ASSERT_FATAL((plain = t_new_at(plain_dir)) != NULL);
	CU_ASSERT_FATAL((loaded = t_new()) != NULL);
	CU_ASSERT_FATAL(store_load_begin(loaded, &load) == 0);
	for (i = 0; i < 7; i++) {
		snprintf(name, sizeof name, "Org %d", i);
		orgs[i] = t_rec("name", name);
	}
	CU_ASSERT(t_put_all(plain, T_ORGS, orgs, 7, STORE_PUT_SYNCED) == 0);
	CU_ASSERT(t_put_all(load, T_ORGS, orgs, 7, STORE_PUT_SYNCED) == 0);

	/*
	 * Long names in scrambled order: about 250 bytes of index entries
	 * a person, so 24000 of them fill the 4 MB batch more than once.
	 */
	CU_ASSERT_FATAL(store_begin(load, &tl) == 0);
	CU_ASSERT_FATAL(store_begin(plain, &tp) == 0);
	for (i = 0; i < n && ok; i++) {
		snprintf(name, sizeof name, "%08x %0*d",
		    (unsigned)(i * 2654435761u), 90, i);
		r = t_person(name, i % 5 == 0 ? "Five" : NULL);
		t_ref(r, "org", orgs[i % 7]);
		t_ref(r, "manager", orgs[(i / 7) % 7]);
		record_set(r, "owner", i % 2 ? "ab12c" : "cd34e", 1);
		record_set(r, "assistant", i % 3 ? "ef56g" : "cd34e", 1);
		r->seq = (uint64_t)i + 1;
		ok = store_put(tl, T_PEOPLE, r, STORE_PUT_SYNCED) == 0 &&
		    store_put(tp, T_PEOPLE, r, STORE_PUT_SYNCED) == 0;
		record_free(r);
		/* An ordinary transaction cannot hold too many locks. */
		if (ok && i % 500 == 499) {
			ok = store_commit(tp) == 0 &&
			    store_begin(plain, &tp) == 0;
		}
	}
	CU_ASSERT_FATAL(ok);
	CU_ASSERT(store_commit(tp) == 0);
	CU_ASSERT(store_commit(tl) == 0);
	t_fingerprint(plain, NULL, &a);
	CU_ASSERT(store_close(plain) == 0);
	CU_ASSERT_FATAL(store_load_end(load) == 0);
	CU_ASSERT(store_close(loaded) == 0);
	CU_ASSERT_FATAL(store_load_switch(t_dir(), 0) == 0);

	CU_ASSERT_FATAL((loaded = t_open()) != NULL);
	t_fingerprint(loaded, NULL, &b);
	CU_ASSERT(t_fp_equal(&a, &b));
	CU_ASSERT(b.n[0][STORE_BY_ID] == (unsigned long)n);
	CU_ASSERT(b.n[0][STORE_BY_NAME] == (unsigned long)n);
	CU_ASSERT(b.n[0][STORE_BY_SEQ] == (unsigned long)n);
	CU_ASSERT(b.n[0][STORE_BY_OUTBOX] == 0);
	CU_ASSERT(store_close(loaded) == 0);
	for (i = 0; i < 7; i++)
		record_free(orgs[i]);
}

/*
 * Any text can be an owner (the store knows nothing of user IDs), and an
 * owner key of more than 64 KiB is indexed by a load as by an ordinary
 * write: found by its whole key, pointing at its record.
 */
static void
test_load_long_owner_key(void)
{
	struct store	*plain, *loaded, *load;
	struct record	*p[2];
	struct t_fp	 a, b;
	char		*owner, *names, plain_dir[4200];
	size_t		 len = 70000;

	owner = xmalloc(len + 1);
	memset(owner, 'x', len);
	owner[len] = '\0';
	p[0] = t_person("Long", "Owner");
	record_set(p[0], "owner", owner, 1);
	p[1] = t_person("Short", "Owner");
	record_set(p[1], "owner", "ab12c", 1);

	snprintf(plain_dir, sizeof plain_dir, "%s", unit_path("plain"));
	CU_ASSERT_FATAL((plain = t_new_at(plain_dir)) != NULL);
	CU_ASSERT(t_put_all(plain, T_PEOPLE, p, 2, STORE_PUT_SYNCED) == 0);
	t_fingerprint(plain, NULL, &a);
	names = t_walk(plain, T_PEOPLE, STORE_BY_OWNER, owner, len, 1,
	    "last");
	CU_ASSERT_STRING_EQUAL(names, "Long");
	free(names);
	CU_ASSERT(store_close(plain) == 0);

	CU_ASSERT_FATAL((loaded = t_new()) != NULL);
	CU_ASSERT_FATAL(store_load_begin(loaded, &load) == 0);
	CU_ASSERT(t_put_all(load, T_PEOPLE, p, 2, STORE_PUT_SYNCED) == 0);
	CU_ASSERT_FATAL(store_load_end(load) == 0);
	CU_ASSERT(store_close(loaded) == 0);
	CU_ASSERT_FATAL(store_load_switch(t_dir(), 0) == 0);

	CU_ASSERT_FATAL((loaded = t_open()) != NULL);
	names = t_walk(loaded, T_PEOPLE, STORE_BY_OWNER, owner, len, 1,
	    "last");
	CU_ASSERT_STRING_EQUAL(names, "Long");
	free(names);
	names = t_walk(loaded, T_PEOPLE, STORE_BY_OWNER, NULL, 0, 0, "last");
	CU_ASSERT_STRING_EQUAL(names, "Short,Long");
	free(names);
	t_fingerprint(loaded, NULL, &b);
	CU_ASSERT(t_fp_equal(&a, &b));
	CU_ASSERT(store_close(loaded) == 0);
	record_free(p[0]);
	record_free(p[1]);
	free(owner);
}

/* ------------------------------------------------ loads not completed */

/* A local holding one record of its own, not yet synced: "Own". */
static struct store *
t_new_own(void)
{
	struct store	*st;
	struct record	*r;

	if ((st = t_new()) == NULL)
		return NULL;
	r = t_person("Own", "Record");
	if (t_put(st, T_PEOPLE, r, 0) != 0) {
		record_free(r);
		store_close(st);
		return NULL;
	}
	record_free(r);
	return st;
}

/*
 * A load closed before store_load_end (what a sync that failed does) is
 * never switched in: not by store_load_switch, not by the next open. The
 * local keeps its own record and outbox; store_load_clear removes what
 * the load left, and the next load starts empty.
 */
static void
test_load_unfinished_closed(void)
{
	struct store	*st, *load;
	char		*dirty;

	CU_ASSERT_FATAL((st = t_new_own()) != NULL);
	CU_ASSERT_FATAL(store_load_begin(st, &load) == 0);
	CU_ASSERT_FATAL(t_load_people(load, "Half", 30) == 0);
	CU_ASSERT(store_close(load) == 0);
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	CU_ASSERT(t_exists(t_at("load")));
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last", "Own"));
	CU_ASSERT(store_close(st) == 0);

	/* Nothing to switch: success, and nothing moves. */
	CU_ASSERT(store_load_switch(t_dir(), 0) == 0);
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	CU_ASSERT_FATAL((st = t_open()) != NULL);
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last", "Own"));
	dirty = t_walk(st, T_PEOPLE, STORE_BY_OUTBOX, NULL, 0, 0, "last");
	CU_ASSERT_STRING_EQUAL(dirty, "Own");
	free(dirty);
	CU_ASSERT(t_count(st, T_PEOPLE) == 1);

	/* With the local's lock held (it is open), the leftover goes. */
	CU_ASSERT(store_load_clear(t_dir()) == 0);
	CU_ASSERT(!t_exists(t_at("load")));
	CU_ASSERT(store_load_clear(t_dir()) == 0);	/* nothing: fine */
	CU_ASSERT_FATAL(store_load_begin(st, &load) == 0);
	CU_ASSERT(t_count(load, T_PEOPLE) == 0);
	CU_ASSERT(store_close(load) == 0);
	CU_ASSERT(store_close(st) == 0);
}

/* Child: begin a load, put some of it, and die: no end, no close. */
static int
t_child_load_crash(void)
{
	struct store	*st, *load;

	if ((st = t_open()) == NULL || store_load_begin(st, &load) != 0 ||
	    t_load_people(load, "Crash", 40) != 0)
		return 2;
	_exit(0);
}

/*
 * A begun load starts from nothing: n people named prefix1..prefixN go
 * in, it ends, st closes and the load is switched in; the local then
 * holds just those (names, in order).
 */
static void
t_load_fresh_switched(struct store *st, struct store *load,
    const char *prefix, int n, const char *names)
{
	CU_ASSERT(t_count(load, T_PEOPLE) == 0);
	CU_ASSERT_FATAL(t_load_people(load, prefix, n) == 0);
	CU_ASSERT_FATAL(store_load_end(load) == 0);
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT(store_load_switch(t_dir(), 0) == 0);
	CU_ASSERT_FATAL((st = t_open()) != NULL);
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last", names));
	CU_ASSERT(store_close(st) == 0);
}

/*
 * A load whose process died before store_load_end is thrown away: the
 * next open of the local sees its old contents, and the next begin
 * removes everything the dead load left (a stray file too) and starts
 * from nothing; that load, completed, replaces the local.
 */
static void
test_load_unfinished_crash(void)
{
	struct store	*st, *load;
	struct t_fp	 before, after;

	CU_ASSERT_FATAL((st = t_new_own()) != NULL);
	t_fingerprint(st, NULL, &before);
	CU_ASSERT(store_close(st) == 0);

	CU_ASSERT(t_fork(t_child_load_crash) == 0);
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	CU_ASSERT_FATAL(t_exists(t_at("load")));
	CU_ASSERT(t_exists(t_at("load/people.db")));

	CU_ASSERT_FATAL((st = t_open()) != NULL);
	t_fingerprint(st, NULL, &after);
	CU_ASSERT(t_fp_equal(&before, &after));
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last", "Own"));
	unit_put(t_at("load/stray"), "left behind\n");

	CU_ASSERT_FATAL(store_load_begin(st, &load) == 0);
	CU_ASSERT(!t_exists(t_at("load/stray")));
	t_load_fresh_switched(st, load, "Again", 3, "Again1,Again2,Again3");
}

/*
 * A completed load not yet switched is thrown away by a second begin on
 * the same open local: only the second load is switched in.
 */
static void
test_load_completed_then_begun_again(void)
{
	struct store	*st, *load;

	CU_ASSERT_FATAL((st = t_new_own()) != NULL);
	CU_ASSERT_FATAL(store_load_begin(st, &load) == 0);
	CU_ASSERT_FATAL(t_load_people(load, "First", 2) == 0);
	CU_ASSERT_FATAL(store_load_end(load) == 0);
	CU_ASSERT(store_load_pending(t_dir()) == 1);

	CU_ASSERT_FATAL(store_load_begin(st, &load) == 0);
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	t_load_fresh_switched(st, load, "Second", 2, "Second1,Second2");
}

/*
 * Child: write to the local (logged, never checkpointed), then load,
 * end the load, and die before closing: the local's environment is left
 * needing recovery, its log full of changes to files about to go.
 */
static int
t_child_end_crash(void)
{
	struct store	*st, *load;
	struct record	*r;
	char		 name[32];
	int		 i;

	if ((st = t_open()) == NULL)
		return 2;
	for (i = 1; i <= 20; i++) {
		snprintf(name, sizeof name, "Logged%d", i);
		r = t_person(name, NULL);
		if (t_put(st, T_PEOPLE, r, 0) != 0)
			return 3;
		record_free(r);
	}
	if (store_load_begin(st, &load) != 0 ||
	    t_load_people(load, "New", 3) != 0 || store_load_end(load) != 0)
		return 4;
	_exit(0);
}

/*
 * A loader that dies after store_load_end, its local never closed: the
 * next open switches the load in, and the old environment goes with the
 * old files, its log never replayed onto the new ones. The local is the
 * load's alone, and works and lasts as any other.
 */
static void
test_load_loader_dies_after_end(void)
{
	struct store	*st;
	struct record	*r;
	char		*dirty;

	CU_ASSERT_FATAL((st = t_new_own()) != NULL);
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT(t_fork(t_child_end_crash) == 0);
	CU_ASSERT(store_load_pending(t_dir()) == 1);

	CU_ASSERT_FATAL((st = t_open()) != NULL);
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last", "New1,New2,New3"));
	dirty = t_walk(st, T_PEOPLE, STORE_BY_OUTBOX, NULL, 0, 0, "last");
	CU_ASSERT_STRING_EQUAL(dirty, "");
	free(dirty);
	r = t_person("After", NULL);
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	record_free(r);
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT_FATAL((st = t_open()) != NULL);
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last", "After,New1,New2,New3"));
	CU_ASSERT(t_count(st, T_PEOPLE) == 4);
	CU_ASSERT(store_close(st) == 0);
}

/*
 * store_load_pending looks at the mark alone; store_load_clear removes
 * DIR/load whatever it holds, and is content when there is none.
 */
static void
test_load_pending_and_clear(void)
{
	struct store	*st;

	CU_ASSERT_FATAL((st = t_new()) != NULL);
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	CU_ASSERT(store_load_clear(t_dir()) == 0);
	CU_ASSERT(mkdir(t_at("load"), 0700) == 0);
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	unit_put(t_at("load/people.db"), "not really\n");
	unit_put(t_at("load/junk"), "junk\n");
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	unit_put(t_at("load/complete"), "");
	CU_ASSERT(store_load_pending(t_dir()) == 1);
	CU_ASSERT(store_load_clear(t_dir()) == 0);
	CU_ASSERT(!t_exists(t_at("load")));
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	/* The local's own files were left alone. */
	CU_ASSERT(t_exists(t_at("people.db")));
	CU_ASSERT(t_count(st, T_PEOPLE) == 0);
	CU_ASSERT(store_close(st) == 0);
}

/* ----------------------------------------------- a switch cut anywhere */

/* The tick: count the steps of a switch, and die at step t_cut_at. */
static int	t_cut_at, t_steps;

static void
t_tick(void)
{
	if (++t_steps == t_cut_at)
		_exit(99);
}

/* Children: switch, or open the local, with the tick counting. */
static int
t_child_switch(void)
{
	t_steps = 0;
	store_load_fault(t_tick);
	return store_load_switch(t_dir(), 0) == 0 ? 0 : 2;
}

static int
t_child_open(void)
{
	struct store	*st;

	t_steps = 0;
	store_load_fault(t_tick);
	if ((st = t_open()) == NULL)
		return 2;
	return store_close(st) == 0 ? 0 : 3;
}

static const char *const t_meta_keys[] = {
	"role", "schema", "clock", "master", "sync_seq", NULL
};

/* What a switch is compared with: the uninterrupted result. */
struct t_ref {
	struct t_fp	 fp;
	char		*listing;
	int		 steps;
	char		 template[4200];
};

/* The local from the template again, its load complete and pending. */
static void
t_ref_copy(const struct t_ref *ref)
{
	CU_ASSERT_FATAL(t_rmrf(t_dir()) == 0);
	CU_ASSERT_FATAL(t_copy(ref->template, t_dir()) == 0);
	CU_ASSERT_FATAL(store_load_pending(t_dir()) == 1);
}

/*
 * A local with records of its own and a completed load beside it, kept
 * as a template to copy for each cut; then the template switched without
 * a cut, counting its steps, gives what every cut must end with.
 */
static void
t_ref_make(struct t_ref *ref)
{
	struct store	*st, *load;
	struct record	*org, *cf;
	char		*v;

	memset(ref, 0, sizeof *ref);
	snprintf(ref->template, sizeof ref->template, "%s",
	    unit_path("template"));
	CU_ASSERT_FATAL((st = t_new_own()) != NULL);
	t_meta_set(st, "master", "m-0042");
	CU_ASSERT_FATAL(store_load_begin(st, &load) == 0);
	CU_ASSERT_FATAL(t_load_people(load, "New", 3) == 0);
	org = t_rec("name", "Acme");
	cf = t_rec("who", "ab12c");
	CU_ASSERT(t_put(load, T_ORGS, org, STORE_PUT_SYNCED) == 0);
	CU_ASSERT(t_put(load, STORE_CONFLICTS, cf, STORE_PUT_SYNCED) == 0);
	record_free(org);
	record_free(cf);
	t_meta_set(load, "sync_seq", "17");
	CU_ASSERT_FATAL(store_load_end(load) == 0);
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT_FATAL(t_copy(t_dir(), ref->template) == 0);

	t_cut_at = 0;
	t_steps = 0;
	store_load_fault(t_tick);
	CU_ASSERT_FATAL(store_load_switch(t_dir(), 0) == 0);
	store_load_fault(NULL);
	ref->steps = t_steps;
	/* Every file moved is a step of its own, and there is more. */
	CU_ASSERT(ref->steps > 4);

	CU_ASSERT_FATAL((st = t_open()) != NULL);
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last", "New1,New2,New3"));
	CU_ASSERT(t_names_are(st, T_ORGS, "name", "Acme"));
	CU_ASSERT_STRING_EQUAL((v = t_meta(st, "master")), "m-0042");
	free(v);
	CU_ASSERT_STRING_EQUAL((v = t_meta(st, "sync_seq")), "17");
	free(v);
	t_fingerprint(st, t_meta_keys, &ref->fp);
	CU_ASSERT(store_close(st) == 0);
	ref->listing = t_listing(t_dir());
	CU_ASSERT(strstr(ref->listing, "load") == NULL);

	/* The fault hook, once let go, is never called. */
	t_ref_copy(ref);
	t_steps = 0;
	CU_ASSERT(store_load_switch(t_dir(), 0) == 0);
	CU_ASSERT(t_steps == 0);
}

/*
 * After a cut, the next open of the local finishes the switch, and the
 * local is then what the uninterrupted switch made, to the byte of every
 * record and index entry, its meta values and its files.
 */
static int
t_ref_check(const struct t_ref *ref)
{
	struct store	*st;
	struct t_fp	 fp;
	char		*listing;
	int		 ok = 1;

	/* The mark goes last: while a file waits to move, it is there. */
	if (t_load_dbs() > 0 && !store_load_pending(t_dir())) {
		fprintf(stderr, "\n  files wait in load/ with no mark\n");
		ok = 0;
	}
	if ((st = t_open()) == NULL)
		return 0;
	if (store_load_pending(t_dir()) || t_exists(t_at("load")))
		ok = 0;
	t_fingerprint(st, t_meta_keys, &fp);
	if (!t_fp_equal(&ref->fp, &fp))
		ok = 0;
	if (store_close(st) != 0)
		ok = 0;
	listing = t_listing(t_dir());
	if (strcmp(listing, ref->listing) != 0) {
		fprintf(stderr, "\n  files: \"%s\", expected \"%s\"\n", listing,
		    ref->listing);
		ok = 0;
	}
	free(listing);
	return ok;
}

/* Cut each step of a switch in turn, with child() doing the switch. */
static void
t_cut_each(int (*child)(void), const char *what)
{
	struct t_ref	 ref;
	int		 n, status, want;

	t_ref_make(&ref);
	for (n = 1; n <= ref.steps + 1; n++) {
		t_ref_copy(&ref);
		t_cut_at = n;
		status = t_fork(child);
		/* One past the last step is never reached: it runs through. */
		want = n <= ref.steps ? 99 : 0;
		CU_ASSERT(status == want);
		if (!t_ref_check(&ref) || status != want) {
			fprintf(stderr, "  (%s cut at step %d of %d: exit "
			    "%d)\n", what, n, ref.steps, status);
			CU_FAIL("a cut switch did not end as an uncut one");
		}
	}
	free(ref.listing);
}

/* store_load_switch cut at every step: the next open finishes it. */
static void
test_load_switch_cut_each_step(void)
{
	t_cut_each(t_child_switch, "store_load_switch");
}

/* The switch an open does, cut at every step: the next open finishes it. */
static void
test_load_open_cut_each_step(void)
{
	t_cut_each(t_child_open, "store_open");
}

/*
 * Cut at step n, then the open finishing it cut again at step m: every
 * pair still ends as the uninterrupted switch.
 */
static void
test_load_switch_cut_twice(void)
{
	struct t_ref	 ref;
	int		 n, m, status, second = 0;

	t_ref_make(&ref);
	for (n = 1; n <= ref.steps; n++) {
		for (m = 1; m <= ref.steps; m++) {
			t_ref_copy(&ref);
			t_cut_at = n;
			CU_ASSERT(t_fork(t_child_switch) == 99);
			t_cut_at = m;
			status = t_fork(t_child_open);
			CU_ASSERT(status == 99 || status == 0);
			if (status == 99)
				second++;
			if (!t_ref_check(&ref)) {
				fprintf(stderr, "  (cut at %d, then at %d)\n",
				    n, m);
				CU_FAIL("a switch cut twice did not end as an "
				    "uncut one");
			}
		}
	}
	/* The finishing open has steps of its own to cut. */
	CU_ASSERT(second >= ref.steps);
	free(ref.listing);
}

/* ------------------------------------------------ others have it open */

/* Child: open the local and close it again. */
static int
t_child_open_close(void)
{
	struct store	*st;

	if ((st = t_open()) == NULL)
		return 2;
	return store_close(st) == 0 ? 0 : 3;
}

/*
 * Another holder of the local's lock in this very process (its own
 * descriptor, from store_local_lock: Berkeley DB allows one environment
 * handle per process, so a second store_open here is refused anyway)
 * makes begin refuse with STORE_BUSY: no load, no DIR/load, the local as
 * it was and still working, its lock shared again so others may open it.
 * Once the other lets go, begin takes the lock for itself.
 */
static void
test_load_busy_other_holder(void)
{
	struct store	*st, *load = (struct store *)&load;	/* not NULL */
	struct record	*r, *got;
	struct t_fp	 before, after;
	int		 fd;

	CU_ASSERT_FATAL((st = t_new_own()) != NULL);
	CU_ASSERT_FATAL((fd = store_local_lock(t_dir(), 0)) != -1);
	t_fingerprint(st, t_meta_keys, &before);
	CU_ASSERT(store_load_begin(st, &load) == STORE_BUSY);
	CU_ASSERT(load == NULL);
	CU_ASSERT(!t_exists(t_at("load")));
	t_fingerprint(st, t_meta_keys, &after);
	CU_ASSERT(t_fp_equal(&before, &after));
	CU_ASSERT(t_fork(t_child_lock_shared) == 0);
	CU_ASSERT(t_fork(t_child_open_close) == 0);
	r = t_person("Still", "Here");
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	CU_ASSERT(t_get(st, T_PEOPLE, &r->id, &got) == 0);
	record_free(got);
	record_free(r);
	/* Let go of the other lock: ours alone stays, shared. */
	close(fd);
	CU_ASSERT(t_fork(t_child_lock_shared) == 0);

	CU_ASSERT_FATAL(store_load_begin(st, &load) == 0);
	CU_ASSERT(t_fork(t_child_lock_exclusive) == 0);
	CU_ASSERT_FATAL(t_load_people(load, "Loaded", 2) == 0);
	CU_ASSERT_FATAL(store_load_end(load) == 0);
	CU_ASSERT(t_fork(t_child_lock_exclusive) == 0);
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT(store_load_switch(t_dir(), 0) == 0);
	CU_ASSERT_FATAL((st = t_open()) != NULL);
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last", "Loaded1,Loaded2"));
	CU_ASSERT(store_close(st) == 0);
}

/*
 * Another process with the local open, or holding only its lock (as
 * store_local_lock gives it), makes begin refuse the same way; once it
 * lets go, the load goes through.
 */
static void
test_load_busy_other_process(void)
{
	struct store	*st, *load;
	pid_t		 pid = -1;
	int		 release = -1, lock_only;

	CU_ASSERT_FATAL((st = t_new_own()) != NULL);
	for (lock_only = 0; lock_only < 2; lock_only++) {
		CU_ASSERT_FATAL(t_hold(lock_only, &pid, &release) == 0);
		load = NULL;
		CU_ASSERT(store_load_begin(st, &load) == STORE_BUSY);
		CU_ASSERT(load == NULL);
		CU_ASSERT(!t_exists(t_at("load")));
		/* Our shared lock is back: a second opener still gets in. */
		CU_ASSERT(t_fork(t_child_open_close) == 0);
		CU_ASSERT(t_names_are(st, T_PEOPLE, "last", "Own"));
		CU_ASSERT(t_release(pid, release) == 0);
	}
	CU_ASSERT_FATAL(store_load_begin(st, &load) == 0);
	CU_ASSERT(store_close(load) == 0);
	CU_ASSERT(store_close(st) == 0);
}

/* Send stderr to /dev/null meanwhile: a wait tells the user there. */
static int
t_quiet(void)
{
	int	saved, fd;

	fflush(stderr);
	saved = dup(2);
	if ((fd = open("/dev/null", O_WRONLY)) != -1) {
		dup2(fd, 2);
		close(fd);
	}
	return saved;
}

static void
t_loud(int saved)
{
	fflush(stderr);
	if (saved != -1) {
		dup2(saved, 2);
		close(saved);
	}
}

/* Child: opening the local now fails, saying it is busy and naming it. */
static int
t_child_open_refused(void)
{
	struct store	*st;

	error_clear();
	st = store_open(t_dir(), STORE_LOCAL, t_schema, T_NSCHEMA, 0, 0);
	if (st != NULL)
		return 2;
	if (strstr(error_get(), "busy") == NULL ||
	    strstr(error_get(), t_dir()) == NULL)
		return 3;
	return 0;
}

/*
 * Child: once told to, wait for the local to open, and find the load
 * switched in. It was forked before the local was opened: a descriptor
 * of the parent's lock, inherited, would hold the lock for it.
 */
static int
t_child_open_waiting(int go)
{
	struct store	*st;
	int		 ret = 0;
	char		 c;

	if (read(go, &c, 1) != 1)
		return 6;
	t_quiet();
	st = store_open(t_dir(), STORE_LOCAL, t_schema, T_NSCHEMA, 0, 20);
	if (st == NULL)
		return 2;
	if (store_load_pending(t_dir()) || t_exists(t_at("load")))
		ret = 3;
	else if (t_count(st, T_PEOPLE) != 5)
		ret = 4;
	if (store_close(st) != 0)
		ret = 5;
	return ret;
}

/*
 * While a load runs nobody else opens the local: without waiting they
 * are told it is busy; a process that waits gets in once the loader has
 * let go, having switched the load into place itself.
 */
static void
test_load_openers_wait(void)
{
	struct store	*st, *load;
	struct timespec	 nap = { 0, 300 * 1000 * 1000 };
	pid_t		 pid;
	int		 status, saved, go[2];

	CU_ASSERT_FATAL(pipe(go) == 0);
	fflush(stdout);
	fflush(stderr);
	CU_ASSERT_FATAL((pid = fork()) != -1);
	if (pid == 0) {
		close(go[1]);
		_exit(t_child_open_waiting(go[0]));
	}
	close(go[0]);

	CU_ASSERT_FATAL((st = t_new_own()) != NULL);
	CU_ASSERT_FATAL(store_load_begin(st, &load) == 0);
	CU_ASSERT_FATAL(t_load_people(load, "Bulk", 5) == 0);
	CU_ASSERT(t_fork(t_child_open_refused) == 0);
	/* A second lock in this process is refused as well. */
	saved = t_quiet();
	CU_ASSERT(store_local_lock(t_dir(), 0) == -1);
	t_loud(saved);

	/* The waiter starts waiting while the load runs. */
	CU_ASSERT(write(go[1], "g", 1) == 1);
	close(go[1]);
	nanosleep(&nap, NULL);
	CU_ASSERT_FATAL(store_load_end(load) == 0);
	/* Complete, but ours: still refused until we close. */
	CU_ASSERT(t_fork(t_child_open_refused) == 0);
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT(waitpid(pid, &status, 0) == pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	CU_ASSERT(!t_exists(t_at("load")));
	CU_ASSERT_FATAL((st = t_open()) != NULL);
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last",
	    "Bulk1,Bulk2,Bulk3,Bulk4,Bulk5"));
	CU_ASSERT(store_close(st) == 0);
}

/* Child: load, end, tell the parent, hold the local a while, close. */
static int
t_child_load_hold(int ready)
{
	struct timespec	 nap = { 0, 400 * 1000 * 1000 };
	struct store	*st, *load;

	if ((st = t_open()) == NULL || store_load_begin(st, &load) != 0 ||
	    t_load_people(load, "Held", 3) != 0 || store_load_end(load) != 0)
		return 2;
	if (write(ready, "k", 1) != 1)
		return 3;
	nanosleep(&nap, NULL);
	return store_close(st) == 0 ? 0 : 4;
}

/*
 * store_load_switch waits up to wait_seconds for the loader to close the
 * local: with no wait it fails at once naming the local, the load still
 * pending; with one it switches as soon as the loader lets go.
 */
static void
test_load_switch_waits(void)
{
	struct store	*st;
	double		 t0, took;
	pid_t		 pid;
	int		 p[2], status, saved;
	char		 c;

	CU_ASSERT_FATAL((st = t_new_own()) != NULL);
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT_FATAL(pipe(p) == 0);
	fflush(stdout);
	fflush(stderr);
	CU_ASSERT_FATAL((pid = fork()) != -1);
	if (pid == 0) {
		close(p[0]);
		_exit(t_child_load_hold(p[1]));
	}
	close(p[1]);
	CU_ASSERT_FATAL(read(p[0], &c, 1) == 1);
	close(p[0]);

	error_clear();
	CU_ASSERT(store_load_switch(t_dir(), 0) == -1);
	CU_ASSERT(unit_error_has(t_dir()));
	CU_ASSERT(store_load_pending(t_dir()) == 1);

	t0 = t_now();
	saved = t_quiet();
	CU_ASSERT(store_load_switch(t_dir(), 10) == 0);
	t_loud(saved);
	took = t_now() - t0;
	CU_ASSERT(took > 0.2 && took < 5);
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	CU_ASSERT(waitpid(pid, &status, 0) == pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_FATAL((st = t_open()) != NULL);
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last", "Held1,Held2,Held3"));
	CU_ASSERT(store_close(st) == 0);
}

#ifdef __linux__
static void	(*t_flock_hook)(void);

/*
 * flock, interposed: the test program's own definition is the one
 * store-load.c links to. It runs the hook (once) just before a lock is
 * taken, so that a test can act between the look at DIR/load and the
 * lock: a window of microseconds that no timing reaches reliably.
 */
int
flock(int fd, int op)
{
	void	(*hook)(void) = t_flock_hook;

	t_flock_hook = NULL;
	if (hook != NULL)
		hook();
	return (int)syscall(SYS_flock, fd, op);
}

static struct store	*t_race_local, *t_race_load;
static int		 t_race_ran;

/* The loader ends its load and lets go of the local, at the worst time. */
static void
t_race_end(void)
{
	t_race_ran = store_load_end(t_race_load) == 0 &&
	    store_close(t_race_local) == 0 ? 1 : -1;
}

/* A local with a load begun, set to end at the next lock taken. */
static void
t_race_make(void)
{
	CU_ASSERT_FATAL((t_race_local = t_new_own()) != NULL);
	CU_ASSERT_FATAL(store_load_begin(t_race_local, &t_race_load) == 0);
	CU_ASSERT_FATAL(t_load_people(t_race_load, "Late", 3) == 0);
	t_race_ran = 0;
	t_flock_hook = t_race_end;
}

/*
 * A load marked complete, and its loader gone, after an opener looked
 * for a pending switch but before it took its shared lock: the opener
 * must still finish the switch before it has the local, or it would work
 * on files about to be replaced, and keep the switch out meanwhile.
 */
static void
test_load_race_opener(void)
{
	struct store	*st;
	int		 fd, saved;

	t_race_make();
	saved = t_quiet();
	fd = store_local_lock(t_dir(), 2);
	t_loud(saved);
	CU_ASSERT(t_race_ran == 1);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	CU_ASSERT(t_load_dbs() == 0);
	close(fd);
	CU_ASSERT_FATAL((st = t_open()) != NULL);
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last", "Late1,Late2,Late3"));
	CU_ASSERT(store_close(st) == 0);
}

/* The same window in store_load_switch: it must not say done undone. */
static void
test_load_race_switch(void)
{
	int	saved, ret;

	t_race_make();
	saved = t_quiet();
	ret = store_load_switch(t_dir(), 2);
	t_loud(saved);
	CU_ASSERT(t_race_ran == 1);
	CU_ASSERT(ret == 0);
	CU_ASSERT(store_load_pending(t_dir()) == 0);
	CU_ASSERT(!t_exists(t_at("load")));
}
#endif

/*
 * A begin that fails (here DIR/load cannot be made) returns -1 naming
 * what failed, makes no load, and gives the local's lock back as an open
 * local holds it: shared.
 */
static void
test_load_begin_fails(void)
{
	struct store	*st, *load;

	CU_ASSERT_FATAL((st = t_new_own()) != NULL);
	unit_put(t_at("load"), "a file where the load goes\n");
	error_clear();
	CU_ASSERT(store_load_begin(st, &load) == -1);
	CU_ASSERT(load == NULL);
	CU_ASSERT(unit_error_has(t_at("load")));
	CU_ASSERT(t_fork(t_child_lock_shared) == 0);
	CU_ASSERT(t_fork(t_child_open_close) == 0);
	CU_ASSERT(t_names_are(st, T_PEOPLE, "last", "Own"));
	CU_ASSERT(unlink(t_at("load")) == 0);
	CU_ASSERT_FATAL(store_load_begin(st, &load) == 0);
	CU_ASSERT(store_load_end(load) == 0);
	CU_ASSERT(store_close(st) == 0);
}

/* ---------------------------------------------------------------- modes */

/*
 * A CRM holds personal data: even under umask 0 the load's directory is
 * 0700 and its files (the mark too) 0600, and so is everything in the
 * local after the switch, and after the local is used again.
 */
static void
test_load_modes(void)
{
	struct store	*st, *load;
	struct record	*r;
	mode_t		 old;

	old = umask(0);
	CU_ASSERT_FATAL((st = t_new_own()) != NULL);
	CU_ASSERT_FATAL(store_load_begin(st, &load) == 0);
	CU_ASSERT(t_private(t_at("load")));
	CU_ASSERT_FATAL(t_load_people(load, "Private", 4) == 0);
	CU_ASSERT_FATAL(store_load_end(load) == 0);
	CU_ASSERT(t_exists(t_at("load/complete")));
	CU_ASSERT(t_private(t_at("load")));
	CU_ASSERT(t_private(t_dir()));
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT(store_load_switch(t_dir(), 0) == 0);
	CU_ASSERT(t_private(t_dir()));
	CU_ASSERT_FATAL((st = t_open()) != NULL);
	r = t_person("After", "Switch");
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	record_free(r);
	CU_ASSERT(t_private(t_dir()));
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT(t_private(t_dir()));
	umask(old);
}

/* ---------------------------------------------------------------- clock */

/*
 * The local's clock comes along into the load, and the load's comes back
 * with the switch: with the wall clock standing still and the local's
 * clock an hour ahead of it, every stamp is later than the one before.
 */
static void
test_load_clock_carried(void)
{
	struct store		*st, *load;
	struct store_txn	*t;
	uint64_t		 s_local, s_load = 0, s_after;
	int			 i;

	CU_ASSERT_FATAL((st = t_new()) != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	store_observe(t, clock_stamp_from_ms(unit_now_ms + 3600 * 1000));
	s_local = store_stamp(t);
	CU_ASSERT(store_commit(t) == 0);
	CU_ASSERT(clock_stamp_ms(s_local) > unit_now_ms);

	CU_ASSERT_FATAL(store_load_begin(st, &load) == 0);
	CU_ASSERT_FATAL(store_begin(load, &t) == 0);
	for (i = 0; i < 10; i++)
		s_load = store_stamp(t);
	CU_ASSERT(store_commit(t) == 0);
	CU_ASSERT(s_load > s_local);
	CU_ASSERT_FATAL(store_load_end(load) == 0);
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT(store_load_switch(t_dir(), 0) == 0);

	CU_ASSERT_FATAL((st = t_open()) != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	s_after = store_stamp(t);
	store_abort(t);
	CU_ASSERT(s_after > s_load);
	CU_ASSERT(store_close(st) == 0);
}

static const struct unit_test tests[] = {
	{ "invisible until switched, then all there",
	    test_load_invisible_until_switched },
	{ "indexes as ordinary writes make them",
	    test_load_indexes_as_ordinary },
	{ "indexes over several sorted batches", test_load_indexes_in_batches },
	{ "an owner key over 64 KiB", test_load_long_owner_key },
	{ "closed unfinished: thrown away", test_load_unfinished_closed },
	{ "crashed unfinished: thrown away", test_load_unfinished_crash },
	{ "completed, then begun again", test_load_completed_then_begun_again },
	{ "loader dies after end", test_load_loader_dies_after_end },
	{ "pending and clear", test_load_pending_and_clear },
	{ "switch cut at every step", test_load_switch_cut_each_step },
	{ "open's switch cut at every step", test_load_open_cut_each_step },
	{ "switch cut twice", test_load_switch_cut_twice },
	{ "busy: another lock in this process", test_load_busy_other_holder },
	{ "busy: another process", test_load_busy_other_process },
	{ "openers wait for a load", test_load_openers_wait },
	{ "switch waits for the loader", test_load_switch_waits },
#ifdef __linux__
	{ "race: load completed as an opener locks", test_load_race_opener },
	{ "race: load completed as a switch locks", test_load_race_switch },
#endif
	{ "begin fails: lock given back", test_load_begin_fails },
	{ "modes 0600/0700 under umask 0", test_load_modes },
	{ "the clock comes along", test_load_clock_carried },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("store-load", tests);
}
