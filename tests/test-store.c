/* test-store: the Berkeley DB store, its indexes, locking and durability. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <db.h>
#include <dirent.h>
#include <errno.h>
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


static uint64_t	t_ms_step;

static struct store *
t_open(enum store_role role)
{
	struct store	*st;

	st = store_open(t_dir(), role, t_schema, T_NSCHEMA, 0, 0);
	if (st == NULL)
		fprintf(stderr, "store_open: %s\n", error_get());
	return st;
}

/* Create and open a database of the given role. */
static struct store *
t_new(enum store_role role)
{
	if (store_create(t_dir(), role, t_schema, T_NSCHEMA) != 0) {
		fprintf(stderr, "store_create: %s\n", error_get());
		return NULL;
	}
	return t_open(role);
}

/* A person with a fresh ID; the clock moves on a little for each. */
static struct record *
t_person(const char *last, const char *first)
{
	struct record	*r;

	unit_now_ms += ++t_ms_step % 3;
	r = record_new();
	record_id_new(&r->id, clock_now_ms());
	r->created = r->modified = clock_stamp_from_ms(clock_now_ms());
	strcpy(r->created_by, "ab12c");
	strcpy(r->modified_by, "ab12c");
	if (last != NULL)
		record_set(r, "last", last, r->modified);
	if (first != NULL)
		record_set(r, "first", first, r->modified);
	return r;
}

/* Put one record in its own transaction. */
static int
t_put(struct store *st, size_t file, struct record *r, int flags)
{
	struct store_txn	*t;

	if (store_begin(st, &t) != 0)
		return -1;
	r->modified = store_stamp(t);
	if (store_put(t, file, r, flags) != 0) {
		fprintf(stderr, "store_put: %s\n", error_get());
		store_abort(t);
		return -1;
	}
	return store_commit(t);
}

/*
 * Walk an index from key (NULL: the start), returning the values of one
 * field of each record joined by commas, e.g. "a,b,c"; a tombstone shows
 * as "(deleted)". Free it.
 */
static char *
t_walk(struct store *st, size_t file, enum store_index idx, int flags,
    const void *key, size_t len, int exact, const char *field)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	char			*out, *tmp;
	int			 ret, n = 0;

	out = xstrdup("");
	if (store_begin(st, &t) != 0)
		return out;
	if (store_cursor_open(t, file, idx, flags, &c) != 0) {
		store_abort(t);
		return out;
	}
	if (key != NULL)
		store_cursor_seek(c, key, len, exact);
	while ((ret = store_cursor_next(c, &r)) == 0) {
		xasprintf(&tmp, "%s%s%s", out, n++ > 0 ? "," : "",
		    (r->flags & RECORD_DELETED) ? "(deleted)" :
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

/* A walk of a whole index, compared with what is expected. */
static int
t_walk_is(struct store *st, size_t file, enum store_index idx, int flags,
    const char *expect)
{
	char	*got;
	int	 ok;

	got = t_walk(st, file, idx, flags, NULL, 0, 0, "last");
	ok = strcmp(got, expect) == 0;
	if (!ok)
		fprintf(stderr, "index %d: got \"%s\", expected \"%s\"\n",
		    (int)idx, got, expect);
	free(got);
	return ok;
}

/* The same, from a key, exact or not. */
static int
t_seek_is(struct store *st, size_t file, enum store_index idx,
    const void *key, size_t len, int exact, const char *expect)
{
	char	*got;
	int	 ok;

	got = t_walk(st, file, idx, 0, key, len, exact, "last");
	ok = strcmp(got, expect) == 0;
	if (!ok)
		fprintf(stderr, "seek index %d: got \"%s\", expected \"%s\"\n",
		    (int)idx, got, expect);
	free(got);
	return ok;
}

static void
t_be64(uint8_t *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* Files in the database directory whose names start with prefix. */
static int
t_count_files(const char *prefix)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	if ((d = opendir(t_dir())) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* A tombstone of r: metadata and ID kept, fields gone. */
static void
t_tombstone(struct record *r)
{
	record_strip(r, NULL);
	r->flags |= RECORD_DELETED;
}

/* ------------------------------------------------------------ creation */

static int
t_mode(const char *path)
{
	struct stat	sb;

	if (stat(path, &sb) != 0)
		return -1;
	return (int)(sb.st_mode & 07777);
}

static void
test_store_create_modes(void)
{
	enum store_role	 roles[] = { STORE_LOCAL, STORE_MASTER };
	char		*path;
	mode_t		 old;
	struct store	*st;
	int		 i;

	/* Even a careless umask gives private files. */
	old = umask(0);
	for (i = 0; i < 2; i++) {
		xasprintf(&path, "%s/db%d", unit_dir(), i);
		CU_ASSERT(store_create(path, roles[i], t_schema,
		    T_NSCHEMA) == 0);
		CU_ASSERT(t_mode(path) == 0700);
		free(path);
		xasprintf(&path, "%s/db%d/documents", unit_dir(), i);
		CU_ASSERT(t_mode(path) == 0700);
		free(path);
		xasprintf(&path, "%s/db%d/templates", unit_dir(), i);
		CU_ASSERT(t_mode(path) == 0700);
		free(path);
		xasprintf(&path, "%s/db%d/people.db", unit_dir(), i);
		CU_ASSERT(t_mode(path) == 0600);
		free(path);
		xasprintf(&path, "%s/db%d/meta.db", unit_dir(), i);
		CU_ASSERT(t_mode(path) == 0600);
		free(path);
		xasprintf(&path, "%s/db%d", unit_dir(), i);
		CU_ASSERT(t_private(path));

		/* Opening and writing makes no public file either. */
		st = store_open(path, roles[i], t_schema, T_NSCHEMA, 0, 0);
		CU_ASSERT_FATAL(st != NULL);
		CU_ASSERT(store_role(st) == roles[i]);
		CU_ASSERT_STRING_EQUAL(store_dir(st), path);
		{
			char	*p = store_path(st, "documents"), *want;

			xasprintf(&want, "%s/documents", path);
			CU_ASSERT_STRING_EQUAL(p, want);
			free(want);
			free(p);
		}
		{
			struct record	*r = t_person("Berg", "Anna");

			CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
			record_free(r);
		}
		CU_ASSERT(t_private(path));
		CU_ASSERT(store_close(st) == 0);
		CU_ASSERT(t_private(path));
		free(path);
	}

	/* An existing, public directory is made private. */
	xasprintf(&path, "%s/open", unit_dir());
	CU_ASSERT(mkdir(path, 0755) == 0);
	CU_ASSERT(store_create(path, STORE_LOCAL, t_schema, T_NSCHEMA) == 0);
	CU_ASSERT(t_mode(path) == 0700);
	free(path);
	umask(old);
}

static void
test_store_create_refuses_existing(void)
{
	CU_ASSERT(store_create(t_dir(), STORE_LOCAL, t_schema,
	    T_NSCHEMA) == 0);
	error_clear();
	CU_ASSERT(store_create(t_dir(), STORE_LOCAL, t_schema,
	    T_NSCHEMA) == -1);
	CU_ASSERT(strstr(error_get(), t_dir()) != NULL);
	CU_ASSERT(strstr(error_get(), "already") != NULL);
	CU_ASSERT(store_create(t_dir(), STORE_MASTER, t_schema,
	    T_NSCHEMA) == -1);
	/* The database is untouched: still a local. */
	store_close(t_open(STORE_LOCAL));
	CU_ASSERT(store_open(t_dir(), STORE_MASTER, t_schema, T_NSCHEMA, 0,
	    0) == NULL);
}

static void
test_store_open_errors(void)
{
	struct store	*st;
	char		*path;

	/* A missing directory. */
	xasprintf(&path, "%s/nothere", unit_dir());
	error_clear();
	st = store_open(path, STORE_LOCAL, t_schema, T_NSCHEMA, 0, 0);
	CU_ASSERT(st == NULL);
	CU_ASSERT(strstr(error_get(), path) != NULL);
	st = store_open(path, STORE_MASTER, t_schema, T_NSCHEMA, 0, 0);
	CU_ASSERT(st == NULL);
	CU_ASSERT(strstr(error_get(), path) != NULL);
	/* Nothing was made there. */
	CU_ASSERT(access(path, F_OK) == -1);
	free(path);

	/* A file, not a directory. */
	path = xstrdup(unit_write("plain", "not a database\n"));
	st = store_open(path, STORE_LOCAL, t_schema, T_NSCHEMA, 0, 0);
	CU_ASSERT(st == NULL);
	CU_ASSERT(strstr(error_get(), path) != NULL);
	free(path);

	/* A directory that holds no database. */
	xasprintf(&path, "%s/empty", unit_dir());
	CU_ASSERT(mkdir(path, 0700) == 0);
	error_clear();
	st = store_open(path, STORE_LOCAL, t_schema, T_NSCHEMA, 0, 0);
	CU_ASSERT(st == NULL);
	CU_ASSERT(strstr(error_get(), path) != NULL);
	CU_ASSERT(strstr(error_get(), "not a crm database") != NULL);
	st = store_open(path, STORE_MASTER, t_schema, T_NSCHEMA, 0, 0);
	CU_ASSERT(st == NULL);
	CU_ASSERT(strstr(error_get(), "not a crm database") != NULL);
	free(path);
}

static void
test_store_open_role_mismatch(void)
{
	struct store	*st;
	char		*path;

	CU_ASSERT(store_create(t_dir(), STORE_LOCAL, t_schema,
	    T_NSCHEMA) == 0);
	error_clear();
	st = store_open(t_dir(), STORE_MASTER, t_schema, T_NSCHEMA, 0, 0);
	CU_ASSERT(st == NULL);
	CU_ASSERT(strstr(error_get(), t_dir()) != NULL);
	CU_ASSERT(strstr(error_get(), "local") != NULL);
	CU_ASSERT(strstr(error_get(), "master") != NULL);
	store_close(st);
	/* It still opens as what it is. */
	st = t_open(STORE_LOCAL);
	CU_ASSERT(st != NULL);
	store_close(st);

	xasprintf(&path, "%s/master", unit_dir());
	CU_ASSERT(store_create(path, STORE_MASTER, t_schema, T_NSCHEMA) == 0);
	error_clear();
	st = store_open(path, STORE_LOCAL, t_schema, T_NSCHEMA, 0, 0);
	CU_ASSERT(st == NULL);
	CU_ASSERT(strstr(error_get(), path) != NULL);
	CU_ASSERT(strstr(error_get(), "master") != NULL);
	store_close(st);
	st = store_open(path, STORE_MASTER, t_schema, T_NSCHEMA, 0, 0);
	CU_ASSERT(st != NULL);
	store_close(st);
	free(path);
}

/* --------------------------------------------------------- put and get */

static void
test_store_put_get(void)
{
	enum store_role		 roles[] = { STORE_LOCAL, STORE_MASTER };
	struct store		*st;
	struct record		*r, *back;
	struct record_id	 missing;
	char			*path;
	int			 i;

	for (i = 0; i < 2; i++) {
		xasprintf(&path, "%s/db%d", unit_dir(), i);
		CU_ASSERT_FATAL(store_create(path, roles[i], t_schema,
		    T_NSCHEMA) == 0);
		st = store_open(path, roles[i], t_schema, T_NSCHEMA, 0, 0);
		CU_ASSERT_FATAL(st != NULL);
		r = t_person("Łukasiewicz", "Jan");
		record_set(r, "note", "", 5);
		record_set(r, "x-unknown", "kept", 6);
		CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
		CU_ASSERT(t_get(st, T_PEOPLE, &r->id, &back) == 0);
		CU_ASSERT_FATAL(back != NULL);
		CU_ASSERT(record_id_cmp(&back->id, &r->id) == 0);
		CU_ASSERT_STRING_EQUAL(record_value(back, "last"),
		    "Łukasiewicz");
		CU_ASSERT(record_get(back, "note") != NULL);
		CU_ASSERT_STRING_EQUAL(record_value(back, "x-unknown"),
		    "kept");
		CU_ASSERT(back->modified == r->modified);
		CU_ASSERT_STRING_EQUAL(back->created_by, "ab12c");
		if (roles[i] == STORE_MASTER) {
			CU_ASSERT(back->seq == 1 &&
			    (back->flags & RECORD_DIRTY) == 0);
		} else {
			CU_ASSERT(back->seq == 0 &&
			    (back->flags & RECORD_DIRTY) != 0);
		}
		record_free(back);

		/* Another file does not see it. */
		CU_ASSERT(t_get(st, T_ORGS, &r->id, &back) == STORE_NOTFOUND);
		record_id_new(&missing, clock_now_ms());
		CU_ASSERT(t_get(st, T_PEOPLE, &missing, &back) ==
		    STORE_NOTFOUND);
		CU_ASSERT(back == NULL);

		/* It survives a close. */
		CU_ASSERT(store_close(st) == 0);
		st = store_open(path, roles[i], t_schema, T_NSCHEMA, 0, 0);
		CU_ASSERT_FATAL(st != NULL);
		CU_ASSERT(t_get(st, T_PEOPLE, &r->id, &back) == 0);
		CU_ASSERT(back != NULL &&
		    strcmp(record_value(back, "first"), "Jan") == 0);
		record_free(back);
		record_free(r);
		store_close(st);
		free(path);
	}
}

static void
test_store_tombstones(void)
{
	struct store	*st;
	struct record	*a, *b, *back;
	uint64_t	 n;
	struct store_txn *t;

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	a = t_person("Alive", NULL);
	b = t_person("Buried", NULL);
	CU_ASSERT(t_put(st, T_PEOPLE, a, 0) == 0);
	CU_ASSERT(t_put(st, T_PEOPLE, b, 0) == 0);
	t_tombstone(b);
	CU_ASSERT(t_put(st, T_PEOPLE, b, 0) == 0);

	/* store_get returns the tombstone. */
	CU_ASSERT(t_get(st, T_PEOPLE, &b->id, &back) == 0);
	CU_ASSERT_FATAL(back != NULL);
	CU_ASSERT(back->flags & RECORD_DELETED);
	CU_ASSERT(back->nfields == 0);
	record_free(back);

	/* A cursor by ID shows it only when asked. */
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_ID, 0, "Alive"));
	{
		char	*got;
		int	 ndel = 0;
		struct store_cursor *c;
		struct record *r;

		CU_ASSERT_FATAL(store_begin(st, &t) == 0);
		CU_ASSERT_FATAL(store_cursor_open(t, T_PEOPLE, STORE_BY_ID,
		    STORE_CURSOR_DELETED, &c) == 0);
		while (store_cursor_next(c, &r) == 0) {
			if (r->flags & RECORD_DELETED) {
				ndel++;
				CU_ASSERT(record_id_cmp(&r->id, &b->id) == 0);
			}
			record_free(r);
		}
		store_cursor_close(c);
		CU_ASSERT(ndel == 1);
		/* Tombstones do not count as records. */
		CU_ASSERT(store_count(t, T_PEOPLE, &n) == 0);
		CU_ASSERT(n == 1);
		store_abort(t);
		got = t_walk(st, T_PEOPLE, STORE_BY_ID, STORE_CURSOR_DELETED,
		    NULL, 0, 0, "last");
		CU_ASSERT_STRING_EQUAL(got, "Alive,(deleted)");
		free(got);
	}
	record_free(a);
	record_free(b);
	store_close(st);
}

static void
test_store_remove(void)
{
	struct store		*st;
	struct record		*r, *back;
	struct store_txn	*t;
	uint8_t			 key[8];

	CU_ASSERT_FATAL((st = t_new(STORE_MASTER)) != NULL);
	r = t_person("Gone", "Forever");
	record_set(r, "owner", "ab12c", 1);
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT(store_remove(t, T_PEOPLE, &r->id) == 0);
	CU_ASSERT(store_remove(t, T_PEOPLE, &r->id) == STORE_NOTFOUND);
	CU_ASSERT(store_commit(t) == 0);
	CU_ASSERT(t_get(st, T_PEOPLE, &r->id, &back) == STORE_NOTFOUND);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_NAME, 0, ""));
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_OWNER, 0, ""));
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_SEQ, 0, ""));
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_ID, STORE_CURSOR_DELETED,
	    ""));
	t_be64(key, 1);
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_SEQ, key, 8, 1, ""));
	record_free(r);
	store_close(st);
}

/* ------------------------------------------------------------- indexes */

static void
test_store_index_name_order(void)
{
	struct store		*st;
	struct record		*r;
	struct store_txn	*t;
	struct store_cursor	*c;
	const void		*key;
	size_t			 len;
	char			*k;
	static const char *const names[][2] = {
		{ "ÅSTRÖM", "Åke" }, { "zeta", "Zoë" }, { "Berg", "Anna" },
		{ "anders", "Bo" }, { "BERG", "anna" }, { "Østby", "Per" },
		{ "Ärlig", "Eva" }, { NULL, NULL }
	};
	int			 i;

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	for (i = 0; names[i][0] != NULL; i++) {
		r = t_person(names[i][0], names[i][1]);
		CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
		record_free(r);
	}
	/*
	 * Case and accents are folded (Ärlig is "arlig", Østby "ostby"),
	 * then keys compare as bytes (Berkeley DB's default): each name
	 * sorts with its letter, as a person looks for it. The two "berg
	 * anna" records keep the order of their IDs.
	 */
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_NAME, 0,
	    "anders,Ärlig,ÅSTRÖM,Berg,BERG,Østby,zeta"));

	/* The key is the folded "last first". */
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT_FATAL(store_cursor_open(t, T_PEOPLE, STORE_BY_NAME, 0,
	    &c) == 0);
	for (i = 0; i < 3; i++) {
		CU_ASSERT(store_cursor_next(c, &r) == 0);
		record_free(r);
	}
	CU_ASSERT(store_cursor_next(c, &r) == 0);
	store_cursor_key(c, &key, &len);
	CU_ASSERT(len == strlen("berg anna") &&
	    memcmp(key, "berg anna", len) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(r, "last"), "Berg");
	record_free(r);
	store_cursor_close(c);
	store_abort(t);

	k = store_name_key("ÅSTRÖM Åke");
	CU_ASSERT_STRING_EQUAL(k, "astrom ake");
	free(k);

	/* A range seek: the first name >= "b". */
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_NAME, "b", 1, 0,
	    "Berg,BERG,Østby,zeta"));
	/* An exact seek: only that key's records. */
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_NAME, "berg anna", 9, 1,
	    "Berg,BERG"));
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_NAME, "berg", 4, 1, ""));
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_NAME, "zeta zoe",
	    strlen("zeta zoe"), 1, "zeta"));
	/* Past the end. */
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_NAME, "\xff", 1, 0, ""));
	store_close(st);
}

static void
test_store_index_name_key_forms(void)
{
	struct store	*st;
	struct record	*r;
	char		*k, *longname;
	size_t		 i;

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	/* Long names are cut at 120 bytes, never inside a character. */
	longname = xmalloc(400);
	for (i = 0; i < 199; i++)
		memcpy(longname + i * 2, "ж", 2);	/* 2 bytes each */
	longname[398] = '\0';
	k = store_name_key(longname);
	CU_ASSERT(strlen(k) == 120);
	free(k);
	memmove(longname + 1, longname, 398);
	longname[0] = 'x';			/* now odd: 'x' + ж... */
	longname[399] = '\0';
	k = store_name_key(longname);
	CU_ASSERT(strlen(k) == 119);
	free(k);
	r = t_person(longname, "first");
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	record_free(r);
	k = store_name_key(longname);
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_NAME, k, strlen(k), 1,
	    longname));
	free(k);
	free(longname);
	store_close(st);
}

/*
 * Empty parts of a name are left out of its key: a contact with only a
 * first name is found by it, and a record with no name at all is not in
 * the name index.
 */
static void
test_store_index_name_empty_parts(void)
{
	struct store	*st;
	struct record	*r;

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	r = t_person(NULL, NULL);
	record_set(r, "phone", "123", 1);
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	record_free(r);
	r = t_person("", "Solo");
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	record_free(r);
	r = t_person("aaron", "");
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	record_free(r);
	r = t_person("zed", "Zoe");
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	record_free(r);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_ID, 0, ",,aaron,zed"));
	/*
	 * Empty name fields are skipped when the name is joined: a nameless
	 * record is not indexed, "Solo" with no first name is "solo" (not
	 * " solo", first in every list and missed by a prefix search), and
	 * "aaron" has no trailing space.
	 */
	{
		char	*got;

		got = t_walk(st, T_PEOPLE, STORE_BY_NAME, 0, "solo", 4, 1,
		    "first");
		CU_ASSERT_STRING_EQUAL(got, "Solo");
		free(got);
		CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_NAME, "aaron", 5,
		    1, "aaron"));
		got = t_walk(st, T_PEOPLE, STORE_BY_NAME, 0, " ", 1, 1,
		    "phone");
		CU_ASSERT_STRING_EQUAL(got, "");
		free(got);
		/* In order: aaron, Solo (by first name), zed; no nameless. */
		got = t_walk(st, T_PEOPLE, STORE_BY_NAME, 0, NULL, 0, 0,
		    "first");
		if (strcmp(got, ",Solo,Zoe") != 0)
			fprintf(stderr, "name index by first: %s\n", got);
		CU_ASSERT_STRING_EQUAL(got, ",Solo,Zoe");
		free(got);
	}
	store_close(st);
}

static void
test_store_index_name_update(void)
{
	struct store	*st;
	struct record	*r, *other;

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	other = t_person("Middle", "M");
	CU_ASSERT(t_put(st, T_PEOPLE, other, 0) == 0);
	r = t_person("Adams", "Amy");
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_NAME, 0, "Adams,Middle"));

	/* Renamed: the record moves to its new key, the old key is gone. */
	record_set(r, "last", "Young", 100);
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_NAME, 0, "Middle,Young"));
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_NAME, "adams amy", 9, 1,
	    ""));
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_NAME, "young amy", 9, 1,
	    "Young"));
	/* A change of case only changes nothing in the index. */
	record_set(r, "last", "YOUNG", 101);
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_NAME, 0, "Middle,YOUNG"));
	/* A change of another field keeps it where it is. */
	record_set(r, "phone", "123", 102);
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_NAME, 0, "Middle,YOUNG"));
	/* (An emptied name: see test_store_index_name_empty_parts.) */
	/* Deleted: gone from the index, the other record stays. */
	record_set(r, "last", "Back", 104);
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_NAME, 0, "Back,Middle"));
	t_tombstone(r);
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_NAME, 0, "Middle"));
	/* A tombstone that still has its fields is left out too. */
	record_set(other, "phone", "x", 105);
	other->flags |= RECORD_DELETED;
	CU_ASSERT(t_put(st, T_PEOPLE, other, 0) == 0);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_NAME, 0, ""));
	record_free(r);
	record_free(other);
	store_close(st);
}

/*
 * The words index follows the model: a database indexed by a model that
 * found fewer fields (before a second email was searched) has every
 * record indexed again when a model that finds more opens it, once.
 */
static void
test_store_index_words_fields(void)
{
	struct store_schema	 more[T_NSCHEMA];
	struct store		*st;
	struct store_txn	*t;
	struct record		*r;
	struct record_id	*ids = NULL;
	size_t			 n = 0;

	CU_ASSERT_FATAL((st = t_new(STORE_MASTER)) != NULL);
	r = t_person("Berg", "Anna");
	record_set(r, "mail2", "anna@elsewhere.example", 100);
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT(store_index_ids(t, T_PEOPLE, STORE_BY_WORDS, "elsewhere", 9,
	    100, &ids, &n) == 0);
	CU_ASSERT_EQUAL(n, 0);
	free(ids);
	store_abort(t);
	store_close(st);

	memcpy(more, t_schema, sizeof more);
	more[T_PEOPLE].word_fields[4] = "mail2";
	st = store_open(t_dir(), STORE_MASTER, more, T_NSCHEMA, 0, 0);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	ids = NULL;
	CU_ASSERT(store_index_ids(t, T_PEOPLE, STORE_BY_WORDS, "elsewhere", 9,
	    100, &ids, &n) == 0);
	CU_ASSERT_EQUAL(n, 1);
	if (n == 1)
		CU_ASSERT(record_id_cmp(&ids[0], &r->id) == 0);
	free(ids);
	/* The name index was made again too, and still finds her. */
	store_abort(t);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_NAME, 0, "Berg"));
	store_close(st);
	record_free(r);
}

/*
 * A scratch table beside a bulk transaction (an import's contacts seen):
 * what is put is got back, what is not is not there, and the records
 * the transaction writes meanwhile are kept by its commit. A master's
 * bulk transaction takes no locks; a local's, shared, does.
 */
static void
t_scratch(enum store_role role)
{
	struct store		*st;
	struct store_txn	*t;
	struct store_scratch	*sc;
	struct record		*r, *got;
	uint8_t			 key[8], val[16], want[16];
	uint64_t		 i;

	CU_ASSERT_FATAL((st = t_new(role)) != NULL);
	CU_ASSERT_FATAL(store_begin_bulk(st, &t) == 0);
	CU_ASSERT_FATAL(store_scratch_open(t, &sc) == 0);
	r = t_person("Berg", "Anna");
	r->modified = store_stamp(t);
	CU_ASSERT(store_put(t, T_PEOPLE, r, 0) == 0);
	for (i = 0; i < 5000; i++) {
		store_be64(key, i * 7919);
		memset(val, (int)(i & 0xff), sizeof val);
		CU_ASSERT(store_scratch_put(sc, key, sizeof key, val,
		    sizeof val) == 0);
	}
	for (i = 0; i < 5000; i++) {
		store_be64(key, i * 7919);
		memset(want, (int)(i & 0xff), sizeof want);
		CU_ASSERT(store_scratch_get(sc, key, sizeof key, val,
		    sizeof val) == 0);
		CU_ASSERT(memcmp(val, want, sizeof val) == 0);
	}
	store_be64(key, 1);
	CU_ASSERT(store_scratch_get(sc, key, sizeof key, val, sizeof val) ==
	    STORE_NOTFOUND);
	/* A key put again holds the new value. */
	store_be64(key, 0);
	memset(want, 0xee, sizeof want);
	CU_ASSERT(store_scratch_put(sc, key, sizeof key, want,
	    sizeof want) == 0);
	CU_ASSERT(store_scratch_get(sc, key, sizeof key, val, sizeof val) ==
	    0);
	CU_ASSERT(memcmp(val, want, sizeof val) == 0);
	store_scratch_close(sc);
	CU_ASSERT(store_commit(t) == 0);
	/* Another transaction after it, with locks as ever. */
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT(store_get(t, T_PEOPLE, &r->id, &got) == 0);
	if (got != NULL)
		CU_ASSERT_STRING_EQUAL(record_value(got, "last"), "Berg");
	record_free(got);
	store_abort(t);
	store_close(st);
	record_free(r);
}

static void
test_store_scratch_master(void)
{
	t_scratch(STORE_MASTER);
}

static void
test_store_scratch_local(void)
{
	t_scratch(STORE_LOCAL);
}

static void
test_store_index_ref_fields(void)
{
	struct store		*st;
	struct record		*org1, *org2, *a, *b, *c;
	char			 t1[RECORD_ID_TEXT + 1], t2[RECORD_ID_TEXT + 1];

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	org1 = t_person(NULL, NULL);
	record_set(org1, "name", "Org one", 1);
	org2 = t_person(NULL, NULL);
	record_set(org2, "name", "Org two", 1);
	CU_ASSERT(t_put(st, T_ORGS, org1, 0) == 0);
	CU_ASSERT(t_put(st, T_ORGS, org2, 0) == 0);
	record_id_format(&org1->id, t1);
	record_id_format(&org2->id, t2);

	a = t_person("A", NULL);
	record_set(a, "org", t1, 1);
	b = t_person("B", NULL);
	record_set(b, "org", t1, 1);
	record_set(b, "manager", t2, 1);	/* two ref fields */
	c = t_person("C", NULL);
	record_set(c, "org", t2, 1);
	record_set(c, "manager", t2, 1);	/* the same ID twice: once */
	CU_ASSERT(t_put(st, T_PEOPLE, a, 0) == 0);
	CU_ASSERT(t_put(st, T_PEOPLE, b, 0) == 0);
	CU_ASSERT(t_put(st, T_PEOPLE, c, 0) == 0);

	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_REF, org1->id.b,
	    RECORD_ID_SIZE, 1, "A,B"));
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_REF, org2->id.b,
	    RECORD_ID_SIZE, 1, "B,C"));
	/* The whole index: org1's two, then org2's two (B and C once each). */
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_REF, 0, "A,B,B,C"));
	/* A reference in any case or Crockford reading is the same ID. */
	{
		char	upper[RECORD_ID_TEXT + 1];
		size_t	i;

		for (i = 0; i <= RECORD_ID_TEXT; i++)
			upper[i] = (char)(t1[i] >= 'a' && t1[i] <= 'z' ?
			    t1[i] - 32 : t1[i]);
		record_set(c, "manager", upper, 2);
		CU_ASSERT(t_put(st, T_PEOPLE, c, 0) == 0);
		CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_REF, org1->id.b,
		    RECORD_ID_SIZE, 1, "A,B,C"));
	}
	/* Changing a reference moves the entry. */
	record_set(a, "org", t2, 2);
	CU_ASSERT(t_put(st, T_PEOPLE, a, 0) == 0);
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_REF, org1->id.b,
	    RECORD_ID_SIZE, 1, "B,C"));
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_REF, org2->id.b,
	    RECORD_ID_SIZE, 1, "A,B,C"));
	/* Something that is not an ID is not indexed. */
	record_set(a, "org", "not an id", 3);
	CU_ASSERT(t_put(st, T_PEOPLE, a, 0) == 0);
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_REF, org2->id.b,
	    RECORD_ID_SIZE, 1, "B,C"));
	/* A tombstone leaves the ref index. */
	t_tombstone(b);
	CU_ASSERT(t_put(st, T_PEOPLE, b, 0) == 0);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_REF, 0, "C,C"));
	/* An unreferenced ID has nothing. */
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_REF, a->id.b,
	    RECORD_ID_SIZE, 1, ""));
	/* orgs.db has no ref fields: its index stays empty. */
	CU_ASSERT(t_walk_is(st, T_ORGS, STORE_BY_REF, 0, ""));
	CU_ASSERT(t_walk_is(st, T_ORGS, STORE_BY_OWNER, 0, ""));
	{
		char	*got = t_walk(st, T_ORGS, STORE_BY_NAME, 0, NULL, 0,
		    0, "name");

		CU_ASSERT_STRING_EQUAL(got, "Org one,Org two");
		free(got);
	}
	record_free(org1);
	record_free(org2);
	record_free(a);
	record_free(b);
	record_free(c);
	store_close(st);
}

static void
test_store_index_owner_fields(void)
{
	struct store	*st;
	struct record	*a, *b, *c;

	CU_ASSERT_FATAL((st = t_new(STORE_MASTER)) != NULL);
	a = t_person("A", NULL);
	record_set(a, "owner", "u0001", 1);
	b = t_person("B", NULL);
	record_set(b, "owner", "u0002", 1);
	record_set(b, "assistant", "u0001", 1);
	c = t_person("C", NULL);
	record_set(c, "owner", "u0002", 1);
	record_set(c, "assistant", "u0002", 1);
	CU_ASSERT(t_put(st, T_PEOPLE, a, 0) == 0);
	CU_ASSERT(t_put(st, T_PEOPLE, b, 0) == 0);
	CU_ASSERT(t_put(st, T_PEOPLE, c, 0) == 0);
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_OWNER, "u0001", 5, 1,
	    "A,B"));
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_OWNER, "u0002", 5, 1,
	    "B,C"));
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_OWNER, "u000", 4, 1, ""));
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_OWNER, "u000", 4, 0,
	    "A,B,B,C"));
	/* Reassigned. */
	record_set(a, "owner", "u0003", 2);
	CU_ASSERT(t_put(st, T_PEOPLE, a, 0) == 0);
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_OWNER, "u0001", 5, 1,
	    "B"));
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_OWNER, "u0003", 5, 1,
	    "A"));
	/* Owner emptied. */
	record_set(a, "owner", "", 3);
	CU_ASSERT(t_put(st, T_PEOPLE, a, 0) == 0);
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_OWNER, "u0003", 5, 1, ""));
	/* Deleted: out of the owner index, still in the seq index. */
	t_tombstone(c);
	CU_ASSERT(t_put(st, T_PEOPLE, c, 0) == 0);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_OWNER, 0, "B,B"));
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_SEQ, 0, "B,A,(deleted)"));
	record_free(a);
	record_free(b);
	record_free(c);
	store_close(st);
}

static void
test_store_cursor_paging(void)
{
	struct store		*st;
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	char			 name[8];
	int			 i;

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "n%d", (i * 7) % 10);
		r = t_person(name, NULL);
		CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
		record_free(r);
	}
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT_FATAL(store_cursor_open(t, T_PEOPLE, STORE_BY_NAME, 0,
	    &c) == 0);
	/* Forward n0..n4, back to n3, n2, forward again n3. */
	for (i = 0; i < 5; i++) {
		CU_ASSERT_FATAL(store_cursor_next(c, &r) == 0);
		snprintf(name, sizeof name, "n%d", i);
		CU_ASSERT_STRING_EQUAL(record_value(r, "last"), name);
		record_free(r);
	}
	CU_ASSERT(store_cursor_prev(c, &r) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(r, "last"), "n3");
	record_free(r);
	CU_ASSERT(store_cursor_prev(c, &r) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(r, "last"), "n2");
	record_free(r);
	CU_ASSERT(store_cursor_next(c, &r) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(r, "last"), "n3");
	record_free(r);
	/* Back past the start. */
	for (i = 2; i >= 0; i--) {
		CU_ASSERT(store_cursor_prev(c, &r) == 0);
		record_free(r);
	}
	CU_ASSERT(store_cursor_prev(c, &r) == STORE_NOTFOUND);

	/* Without a seek, prev starts at the end. */
	store_cursor_seek(c, NULL, 0, 0);
	CU_ASSERT(store_cursor_prev(c, &r) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(r, "last"), "n9");
	record_free(r);
	CU_ASSERT(store_cursor_prev(c, &r) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(r, "last"), "n8");
	record_free(r);
	/* Seek again into the middle and page on. */
	store_cursor_seek(c, "n5", 2, 0);
	CU_ASSERT(store_cursor_next(c, &r) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(r, "last"), "n5");
	record_free(r);
	CU_ASSERT(store_cursor_next(c, &r) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(r, "last"), "n6");
	record_free(r);
	CU_ASSERT(store_cursor_prev(c, &r) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(r, "last"), "n5");
	record_free(r);
	CU_ASSERT(store_cursor_prev(c, &r) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(r, "last"), "n4");
	record_free(r);
	/* Forward to the end. */
	for (i = 5; i <= 9; i++) {
		CU_ASSERT(store_cursor_next(c, &r) == 0);
		record_free(r);
	}
	CU_ASSERT(store_cursor_next(c, &r) == STORE_NOTFOUND);
	store_cursor_close(c);
	store_cursor_close(NULL);
	store_abort(t);
	store_close(st);
}

static void
test_store_cursor_key_by_id(void)
{
	struct store		*st;
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*a, *b, *r;
	const void		*key;
	size_t			 len;

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	a = t_person("a", NULL);
	b = t_person("b", NULL);
	CU_ASSERT(t_put(st, T_PEOPLE, b, 0) == 0);
	CU_ASSERT(t_put(st, T_PEOPLE, a, 0) == 0);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT_FATAL(store_cursor_open(t, T_PEOPLE, STORE_BY_ID, 0,
	    &c) == 0);
	/* IDs are time-ordered: a was made first. */
	CU_ASSERT(store_cursor_next(c, &r) == 0);
	store_cursor_key(c, &key, &len);
	CU_ASSERT(len == RECORD_ID_SIZE && memcmp(key, a->id.b, len) == 0);
	CU_ASSERT(record_id_cmp(&r->id, &a->id) == 0);
	record_free(r);
	/* Exact seek by ID gives that record only. */
	store_cursor_seek(c, b->id.b, RECORD_ID_SIZE, 1);
	CU_ASSERT(store_cursor_next(c, &r) == 0);
	CU_ASSERT(r != NULL && record_id_cmp(&r->id, &b->id) == 0);
	record_free(r);
	CU_ASSERT(store_cursor_next(c, &r) == STORE_NOTFOUND);
	store_cursor_close(c);
	store_abort(t);
	record_free(a);
	record_free(b);
	store_close(st);
}

/* ------------------------------------------------ master change sequence */

/* The seq of a record as stored. */
static uint64_t
t_seq_of(struct store *st, const struct record_id *id)
{
	struct record	*r;
	uint64_t	 seq = 0;

	if (t_get(st, T_PEOPLE, id, &r) == 0)
		seq = r->seq;
	record_free(r);
	return seq;
}

static void
test_store_index_seq_master(void)
{
	struct store		*st;
	struct store_txn	*t;
	struct record		*r[6];
	uint64_t		 prev = 0, s;
	uint8_t			 key[8];
	char			 name[8];
	int			 i;

	CU_ASSERT_FATAL((st = t_new(STORE_MASTER)) != NULL);
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof name, "r%d", i);
		r[i] = t_person(name, NULL);
	}
	/* One per transaction. */
	for (i = 0; i < 3; i++) {
		CU_ASSERT(t_put(st, T_PEOPLE, r[i], 0) == 0);
		s = t_seq_of(st, &r[i]->id);
		CU_ASSERT(s == r[i]->seq);
		CU_ASSERT(s > prev);
		prev = s;
	}
	/* Several in one transaction, across files. */
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT(store_put(t, T_PEOPLE, r[3], 0) == 0);
	CU_ASSERT(store_put(t, T_ORGS, r[5], 0) == 0);
	CU_ASSERT(store_put(t, T_PEOPLE, r[4], 0) == 0);
	CU_ASSERT(store_commit(t) == 0);
	CU_ASSERT(r[3]->seq > prev);
	CU_ASSERT(r[5]->seq > r[3]->seq);
	CU_ASSERT(r[4]->seq > r[5]->seq);
	prev = r[4]->seq;
	CU_ASSERT(t_seq_of(st, &r[4]->id) == prev);

	/* Across close and reopen. */
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT_FATAL((st = t_open(STORE_MASTER)) != NULL);
	record_set(r[0], "first", "changed", 50);
	CU_ASSERT(t_put(st, T_PEOPLE, r[0], 0) == 0);
	CU_ASSERT(r[0]->seq > prev);
	CU_ASSERT(t_seq_of(st, &r[0]->id) == r[0]->seq);
	prev = r[0]->seq;

	/* The seq index: each record once, at its latest seq. */
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_SEQ, 0, "r1,r2,r3,r4,r0"));
	/* "Changed since r2's seq" is a range scan. */
	t_be64(key, r[2]->seq + 1);
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_SEQ, key, 8, 0,
	    "r3,r4,r0"));
	t_be64(key, r[4]->seq + 1);
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_SEQ, key, 8, 0, "r0"));
	t_be64(key, r[0]->seq + 1);
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_SEQ, key, 8, 0, ""));
	/* A deletion is a change too. */
	t_tombstone(r[1]);
	CU_ASSERT(t_put(st, T_PEOPLE, r[1], 0) == 0);
	CU_ASSERT(t_seek_is(st, T_PEOPLE, STORE_BY_SEQ, key, 8, 0,
	    "(deleted)"));
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_SEQ, 0,
	    "r2,r3,r4,r0,(deleted)"));
	/* A master keeps no outbox. */
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_OUTBOX, 0, ""));
	for (i = 0; i < 6; i++)
		record_free(r[i]);
	store_close(st);
}

static void
test_store_index_seq_keepseq(void)
{
	struct store		*st;
	struct store_txn	*t;
	struct record		*a, *b;
	uint64_t		 s;

	CU_ASSERT_FATAL((st = t_new(STORE_MASTER)) != NULL);
	a = t_person("a", NULL);
	b = t_person("b", NULL);
	CU_ASSERT(t_put(st, T_PEOPLE, a, 0) == 0);
	s = a->seq;
	/* A rewrite that keeps its sequence (e.g. a repair). */
	record_set(a, "first", "x", 10);
	CU_ASSERT(t_put(st, T_PEOPLE, a, STORE_PUT_KEEPSEQ) == 0);
	CU_ASSERT(a->seq == s);
	CU_ASSERT(t_seq_of(st, &a->id) == s);
	/* The counter did not move: the next put takes s + 1. */
	CU_ASSERT(t_put(st, T_PEOPLE, b, 0) == 0);
	CU_ASSERT(b->seq == s + 1);
	/* KEEPSEQ with seq 0 leaves the record out of the seq index. */
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	a->seq = 0;
	CU_ASSERT(store_put(t, T_PEOPLE, a, STORE_PUT_KEEPSEQ) == 0);
	CU_ASSERT(store_commit(t) == 0);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_SEQ, 0, "b"));
	record_free(a);
	record_free(b);
	store_close(st);
}

/* -------------------------------------------------------- local outbox */

static void
test_store_index_outbox_local(void)
{
	struct store		*st;
	struct store_txn	*t;
	struct record		*a, *b, *c, *back;

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	a = t_person("a", NULL);
	b = t_person("b", NULL);
	c = t_person("c", NULL);
	CU_ASSERT(t_put(st, T_PEOPLE, a, 0) == 0);
	CU_ASSERT(t_put(st, T_PEOPLE, b, STORE_PUT_SYNCED) == 0);
	CU_ASSERT(t_put(st, T_PEOPLE, c, 0) == 0);
	/* In the outbox, in order of modification. */
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_OUTBOX, 0, "a,c"));
	CU_ASSERT(t_get(st, T_PEOPLE, &b->id, &back) == 0);
	CU_ASSERT(back != NULL && (back->flags & RECORD_DIRTY) == 0);
	record_free(back);
	/* A local has no change sequence. */
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_SEQ, 0, ""));

	/* A later change moves a to the end. */
	record_set(a, "first", "again", 1);
	CU_ASSERT(t_put(st, T_PEOPLE, a, 0) == 0);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_OUTBOX, 0, "c,a"));

	/* Cleared after a sync; clearing twice is harmless. */
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT(store_outbox_clear(t, T_PEOPLE, &c->id) == 0);
	CU_ASSERT(store_outbox_clear(t, T_PEOPLE, &c->id) == 0);
	CU_ASSERT(store_outbox_clear(t, T_PEOPLE, &b->id) == 0);
	{
		struct record_id	missing;

		record_id_new(&missing, clock_now_ms());
		CU_ASSERT(store_outbox_clear(t, T_PEOPLE, &missing) ==
		    STORE_NOTFOUND);
	}
	CU_ASSERT(store_commit(t) == 0);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_OUTBOX, 0, "a"));
	CU_ASSERT(t_get(st, T_PEOPLE, &c->id, &back) == 0);
	CU_ASSERT(back != NULL && (back->flags & RECORD_DIRTY) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(back, "last"), "c");
	record_free(back);
	/* The record itself is unchanged and still listed. */
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_NAME, 0, "a,b,c"));

	/* A deletion goes to the outbox (it must travel). */
	t_tombstone(c);
	CU_ASSERT(t_put(st, T_PEOPLE, c, 0) == 0);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_OUTBOX, 0, "a,(deleted)"));
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_NAME, 0, "a,b"));
	/* Survives a reopen. */
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT_FATAL((st = t_open(STORE_LOCAL)) != NULL);
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_OUTBOX, 0, "a,(deleted)"));
	record_free(a);
	record_free(b);
	record_free(c);
	store_close(st);
}

/*
 * A record sync writes to a local is "not for the outbox" even when the
 * record it writes carries RECORD_DIRTY (e.g. it was read from a local's
 * outbox and went through the master, or was fetched and re-put).
 */
static void
test_store_index_outbox_synced(void)
{
	struct store	*st;
	struct record	*a, *back;

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	a = t_person("a", NULL);
	CU_ASSERT(t_put(st, T_PEOPLE, a, 0) == 0);
	CU_ASSERT(a->flags & RECORD_DIRTY);
	/* Sync brings a newer version from the master, dirty flag and all. */
	record_set(a, "first", "from master", 10);
	CU_ASSERT(t_put(st, T_PEOPLE, a, STORE_PUT_SYNCED) == 0);
	/*
	 * A write by sync (STORE_PUT_SYNCED) takes the record out of the
	 * outbox even when it arrives carrying RECORD_DIRTY.
	 */
	CU_ASSERT(t_walk_is(st, T_PEOPLE, STORE_BY_OUTBOX, 0, ""));
	CU_ASSERT(t_get(st, T_PEOPLE, &a->id, &back) == 0);
	CU_ASSERT(back != NULL && (back->flags & RECORD_DIRTY) == 0);
	record_free(back);
	record_free(a);
	store_close(st);
}

/* ---------------------------------------------------------------- abort */

/* meta.db's raw value of key, as "len:hex", or "none". */
static void
t_meta_text(struct store *st, const char *key, char *out, size_t outlen)
{
	struct store_txn	*t;
	uint8_t			 buf[64];
	size_t			 len = sizeof buf, i, o;
	int			 ret;

	snprintf(out, outlen, "error");
	if (store_begin(st, &t) != 0)
		return;
	ret = store_meta_get(t, key, buf, &len);
	store_abort(t);
	if (ret == STORE_NOTFOUND) {
		snprintf(out, outlen, "none");
		return;
	}
	if (ret != 0)
		return;
	o = (size_t)snprintf(out, outlen, "%zu:", len);
	for (i = 0; i < len && o + 3 < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%02x", buf[i]);
}

static void
test_store_abort(void)
{
	enum store_role		 roles[] = { STORE_LOCAL, STORE_MASTER };
	struct store		*st;
	struct store_txn	*t;
	struct record		*keep, *r, *back;
	char			 clock0[64], seq0[64], clock1[64], seq1[64];
	char			*path, *got;
	int			 i, idx;

	for (i = 0; i < 2; i++) {
		xasprintf(&path, "%s/db%d", unit_dir(), i);
		CU_ASSERT_FATAL(store_create(path, roles[i], t_schema,
		    T_NSCHEMA) == 0);
		st = store_open(path, roles[i], t_schema, T_NSCHEMA, 0, 0);
		CU_ASSERT_FATAL(st != NULL);
		keep = t_person("Keep", NULL);
		record_set(keep, "owner", "u0001", 1);
		CU_ASSERT(t_put(st, T_PEOPLE, keep, 0) == 0);
		t_meta_text(st, "clock", clock0, sizeof clock0);
		t_meta_text(st, "seq", seq0, sizeof seq0);
		CU_ASSERT(strcmp(clock0, "none") != 0);

		CU_ASSERT_FATAL(store_begin(st, &t) == 0);
		r = t_person("Ghost", "G");
		record_set(r, "owner", "u0001", 1);
		record_set(r, "org", "00000000000000000000000001", 1);
		unit_now_ms += 100000;
		r->modified = store_stamp(t);
		CU_ASSERT(store_put(t, T_PEOPLE, r, 0) == 0);
		/* An update and a deletion in the same transaction. */
		record_set(keep, "last", "Changed", 2);
		CU_ASSERT(store_put(t, T_PEOPLE, keep, 0) == 0);
		CU_ASSERT(store_meta_put(t, "x", "y", 1) == 0);
		/* Visible inside the transaction. */
		CU_ASSERT(store_get(t, T_PEOPLE, &r->id, &back) == 0);
		record_free(back);
		store_abort(t);

		CU_ASSERT(t_get(st, T_PEOPLE, &r->id, &back) ==
		    STORE_NOTFOUND);
		CU_ASSERT(t_get(st, T_PEOPLE, &keep->id, &back) == 0);
		CU_ASSERT(back != NULL &&
		    strcmp(record_value(back, "last"), "Keep") == 0);
		record_free(back);
		for (idx = STORE_BY_ID; idx <= STORE_BY_OUTBOX; idx++) {
			got = t_walk(st, T_PEOPLE, (enum store_index)idx,
			    STORE_CURSOR_DELETED, NULL, 0, 0, "last");
			if (idx == STORE_BY_REF ||
			    (idx == STORE_BY_SEQ && roles[i] == STORE_LOCAL) ||
			    (idx == STORE_BY_OUTBOX &&
			    roles[i] == STORE_MASTER)) {
				CU_ASSERT_STRING_EQUAL(got, "");
			} else {
				CU_ASSERT_STRING_EQUAL(got, "Keep");
			}
			free(got);
		}
		t_meta_text(st, "clock", clock1, sizeof clock1);
		t_meta_text(st, "seq", seq1, sizeof seq1);
		CU_ASSERT_STRING_EQUAL(clock0, clock1);
		CU_ASSERT_STRING_EQUAL(seq0, seq1);
		t_meta_text(st, "x", clock1, sizeof clock1);
		CU_ASSERT_STRING_EQUAL(clock1, "none");

		/* The next put on a master takes the seq after keep's. */
		if (roles[i] == STORE_MASTER) {
			uint64_t	kseq = t_seq_of(st, &keep->id);

			CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
			CU_ASSERT(r->seq == kseq + 1);
		}
		record_free(r);
		record_free(keep);
		CU_ASSERT(store_close(st) == 0);
		free(path);
	}
}

/* --------------------------------------------------------- find_prefix */

static void
test_store_find_prefix(void)
{
	struct store		*st;
	struct store_txn	*t;
	struct record		*a, *b, *c;
	struct record_id	 got;
	char			 ta[RECORD_ID_TEXT + 1], tb[RECORD_ID_TEXT + 1];
	char			 tc[RECORD_ID_TEXT + 1], pre[RECORD_ID_TEXT + 1];
	size_t			 common, i;

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	/* Two IDs made by hand that differ only in their last byte. */
	a = t_person("a", NULL);
	b = t_person("b", NULL);
	memset(a->id.b, 0, RECORD_ID_SIZE);
	a->id.b[0] = 0x01;
	a->id.b[7] = 0x42;
	b->id = a->id;
	b->id.b[15] = 0x1f;			/* last character differs */
	c = t_person("c", NULL);		/* a real, different ID */
	record_id_format(&a->id, ta);
	record_id_format(&b->id, tb);
	record_id_format(&c->id, tc);
	for (common = 0; ta[common] == tb[common]; common++)
		;
	CU_ASSERT(common == RECORD_ID_TEXT - 1);
	CU_ASSERT(t_put(st, T_PEOPLE, a, 0) == 0);
	CU_ASSERT(t_put(st, T_PEOPLE, b, 0) == 0);
	CU_ASSERT(t_put(st, T_PEOPLE, c, 0) == 0);

	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	/* Full IDs are unique. */
	CU_ASSERT(store_find_prefix(t, T_PEOPLE, ta, &got) == 0);
	CU_ASSERT(record_id_cmp(&got, &a->id) == 0);
	CU_ASSERT(store_find_prefix(t, T_PEOPLE, tb, &got) == 0);
	CU_ASSERT(record_id_cmp(&got, &b->id) == 0);
	/* Any shared prefix is ambiguous. */
	for (i = 1; i < common; i += 5) {
		memcpy(pre, ta, i);
		pre[i] = '\0';
		CU_ASSERT(store_find_prefix(t, T_PEOPLE, pre, &got) ==
		    STORE_AMBIGUOUS);
	}
	/* c's prefix is unique as soon as it leaves a and b behind. */
	memcpy(pre, tc, 12);
	pre[12] = '\0';
	CU_ASSERT(store_find_prefix(t, T_PEOPLE, pre, &got) == 0);
	CU_ASSERT(record_id_cmp(&got, &c->id) == 0);
	/* Upper case works. */
	for (i = 0; i < 12; i++)
		pre[i] = (char)(pre[i] >= 'a' ? pre[i] - 32 : pre[i]);
	CU_ASSERT(store_find_prefix(t, T_PEOPLE, pre, &got) == 0);
	CU_ASSERT(record_id_cmp(&got, &c->id) == 0);
	/* Not found: a prefix no ID has, before, between and after. */
	CU_ASSERT(store_find_prefix(t, T_PEOPLE, "7zzz", &got) ==
	    STORE_NOTFOUND);
	CU_ASSERT(store_find_prefix(t, T_PEOPLE, "0000000000000", &got) ==
	    STORE_NOTFOUND);
	memcpy(pre, ta, common);
	pre[common] = 'm';	/* between a's '0' and b's 'z' */
	pre[common + 1] = '\0';
	CU_ASSERT(store_find_prefix(t, T_PEOPLE, pre, &got) ==
	    STORE_NOTFOUND);
	/* Bad characters and too long. */
	error_clear();
	CU_ASSERT(store_find_prefix(t, T_PEOPLE, "01u", &got) == -1);
	CU_ASSERT(strstr(error_get(), "01u") != NULL);
	CU_ASSERT(store_find_prefix(t, T_PEOPLE, "ab!", &got) == -1);
	CU_ASSERT(store_find_prefix(t, T_PEOPLE,
	    "000000000000000000000000000", &got) == -1);
	/* Another file has none of them. */
	CU_ASSERT(store_find_prefix(t, T_ORGS, ta, &got) == STORE_NOTFOUND);
	store_abort(t);

	/* Deleting b makes a's short prefix unique. */
	t_tombstone(b);
	CU_ASSERT(t_put(st, T_PEOPLE, b, 0) == 0);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	memcpy(pre, ta, 6);
	pre[6] = '\0';
	CU_ASSERT(store_find_prefix(t, T_PEOPLE, pre, &got) == 0);
	CU_ASSERT(record_id_cmp(&got, &a->id) == 0);
	CU_ASSERT(store_find_prefix(t, T_PEOPLE, tb, &got) == STORE_NOTFOUND);
	store_abort(t);
	record_free(a);
	record_free(b);
	record_free(c);
	store_close(st);
}

/* ----------------------------------------------------------------- meta */

static void
test_store_meta(void)
{
	struct store		*st;
	struct store_txn	*t;
	char			 buf[64];
	size_t			 len;
	static const uint8_t	 bin[] = { 0, 1, 2, 0, 255 };

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	/* store_create wrote the role. */
	len = sizeof buf;
	CU_ASSERT(store_meta_get(t, "role", buf, &len) == 0);
	CU_ASSERT(len == 5 && memcmp(buf, "local", 5) == 0);
	len = sizeof buf;
	CU_ASSERT(store_meta_get(t, "master_id", buf, &len) ==
	    STORE_NOTFOUND);
	CU_ASSERT(store_meta_put(t, "master_id", "m-123", 5) == 0);
	CU_ASSERT(store_meta_put(t, "bin", bin, sizeof bin) == 0);
	CU_ASSERT(store_meta_put(t, "empty", "", 0) == 0);
	len = sizeof buf;
	CU_ASSERT(store_meta_get(t, "master_id", buf, &len) == 0);
	CU_ASSERT(len == 5 && memcmp(buf, "m-123", 5) == 0);
	CU_ASSERT(store_commit(t) == 0);

	/* After a reopen; overwriting; a buffer too small. */
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT_FATAL((st = t_open(STORE_LOCAL)) != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	len = sizeof buf;
	CU_ASSERT(store_meta_get(t, "bin", buf, &len) == 0);
	CU_ASSERT(len == sizeof bin && memcmp(buf, bin, len) == 0);
	len = sizeof buf;
	CU_ASSERT(store_meta_get(t, "empty", buf, &len) == 0);
	CU_ASSERT(len == 0);
	CU_ASSERT(store_meta_put(t, "master_id", "m-4567", 6) == 0);
	len = sizeof buf;
	CU_ASSERT(store_meta_get(t, "master_id", buf, &len) == 0);
	CU_ASSERT(len == 6 && memcmp(buf, "m-4567", 6) == 0);
	len = 3;
	error_clear();
	CU_ASSERT(store_meta_get(t, "master_id", buf, &len) == -1);
	CU_ASSERT(strstr(error_get(), "master_id") != NULL);
	CU_ASSERT(store_commit(t) == 0);
	store_close(st);
}

/* ------------------------------------------------------------------ HLC */

static void
test_store_hlc_persists(void)
{
	enum store_role		 roles[] = { STORE_LOCAL, STORE_MASTER };
	struct store		*st;
	struct store_txn	*t;
	uint64_t		 prev = 0, s, far;
	char			*path;
	int			 i, round, n;

	for (i = 0; i < 2; i++) {
		unit_now_ms = 1795000000000ULL;
		prev = 0;
		xasprintf(&path, "%s/db%d", unit_dir(), i);
		CU_ASSERT_FATAL(store_create(path, roles[i], t_schema,
		    T_NSCHEMA) == 0);
		for (round = 0; round < 4; round++) {
			st = store_open(path, roles[i], t_schema, T_NSCHEMA,
			    0, 0);
			CU_ASSERT_FATAL(st != NULL);
			for (n = 0; n < 3; n++) {
				CU_ASSERT_FATAL(store_begin(st, &t) == 0);
				s = store_stamp(t);
				CU_ASSERT(s > prev);
				prev = s;
				s = store_stamp(t);
				CU_ASSERT(s > prev);
				prev = s;
				CU_ASSERT(store_commit(t) == 0);
			}
			CU_ASSERT(store_close(st) == 0);
			/* The wall clock goes back a day. */
			unit_now_ms -= 86400000ULL;
		}
		/* A stamp observed from elsewhere is remembered too. */
		st = store_open(path, roles[i], t_schema, T_NSCHEMA, 0, 0);
		CU_ASSERT_FATAL(st != NULL);
		CU_ASSERT_FATAL(store_begin(st, &t) == 0);
		far = clock_stamp_from_ms(unit_now_ms + 365 * 86400000ULL);
		store_observe(t, far);
		CU_ASSERT(store_commit(t) == 0);
		CU_ASSERT(store_close(st) == 0);
		st = store_open(path, roles[i], t_schema, T_NSCHEMA, 0, 0);
		CU_ASSERT_FATAL(st != NULL);
		CU_ASSERT_FATAL(store_begin(st, &t) == 0);
		CU_ASSERT(store_stamp(t) > far);
		/* An aborted transaction's stamps are not remembered... */
		store_abort(t);
		CU_ASSERT_FATAL(store_begin(st, &t) == 0);
		/* ...but the next is still after everything committed. */
		CU_ASSERT(store_stamp(t) > far);
		CU_ASSERT(store_commit(t) == 0);
		store_close(st);
		free(path);
	}
}

/* --------------------------------------------------------- master lock */

/* Run fn in a child; its exit status, and what it wrote into out. */
static int
t_child(int (*fn)(int), char *out, size_t outlen, double *secs)
{
	int		 p[2], status;
	pid_t		 pid;
	ssize_t		 n;
	size_t		 got = 0;
	struct timespec	 t0, t1;

	out[0] = '\0';
	if (pipe(p) != 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		close(p[0]);
		_exit(fn(p[1]));
	}
	close(p[1]);
	while (got + 1 < outlen &&
	    (n = read(p[0], out + got, outlen - got - 1)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (secs != NULL)
		*secs = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
t_write_all(int fd, const char *s)
{
	size_t	len = strlen(s);
	ssize_t	n;

	while (len > 0 && (n = write(fd, s, len)) > 0) {
		s += n;
		len -= (size_t)n;
	}
}

/* Child: try to lock for one second; write the error and the holder. */
static int
t_child_lock(int out)
{
	char	*who;
	int	 fd;

	fd = store_lock(t_dir(), 1);
	if (fd != -1) {
		t_write_all(out, "locked\n");
		store_unlock(fd);
		return 0;
	}
	t_write_all(out, error_get());
	t_write_all(out, "\n");
	who = store_lock_holder(t_dir());
	t_write_all(out, who != NULL ? who : "(nobody)");
	free(who);
	return 1;
}

/*
 * Child: the first line of DIR/lock. Read in a child because opening and
 * closing the file in the holding process would drop its fcntl lock.
 */
static int
t_child_read_lock(int out)
{
	char	*path, line[512];
	FILE	*f;

	xasprintf(&path, "%s/lock", t_dir());
	f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return 2;
	if (fgets(line, sizeof line, f) != NULL)
		t_write_all(out, line);
	fclose(f);
	return 0;
}

/* Child: just who holds the lock. */
static int
t_child_holder(int out)
{
	char	*who;

	who = store_lock_holder(t_dir());
	t_write_all(out, who != NULL ? who : "(nobody)");
	free(who);
	return who != NULL ? 1 : 0;
}

/* Sleep until the wall clock is 0.7 to 0.8 s into a second. */
static void
t_late_in_second(void)
{
	struct timespec	now, nap;

	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_nsec < 700000000L)
		nap.tv_nsec = 700000000L - now.tv_nsec;
	else
		nap.tv_nsec = 1700000000L - now.tv_nsec;
	nap.tv_sec = nap.tv_nsec / 1000000000L;
	nap.tv_nsec %= 1000000000L;
	nanosleep(&nap, NULL);
}

static void
test_store_master_lock(void)
{
	struct store	*st;
	char		 out[2048], pidtext[64];
	double		 secs;
	int		 ret;

	CU_ASSERT_FATAL((st = t_new(STORE_MASTER)) != NULL);
	snprintf(pidtext, sizeof pidtext, "(pid %ld)", (long)getpid());

	/* DIR/lock records the holder while held. */
	CU_ASSERT(t_child(t_child_read_lock, out, sizeof out, NULL) == 0);
	CU_ASSERT(strstr(out, pidtext) != NULL);
	CU_ASSERT(strstr(out, " since 2026-") != NULL);

	/*
	 * Another process waits about a second, then fails naming us. Start
	 * it late in a wall-clock second, so that a wait counted in whole
	 * seconds of time() shows.
	 */
	t_late_in_second();
	ret = t_child(t_child_lock, out, sizeof out, &secs);
	CU_ASSERT(ret == 1);
	/*
	 * "Wait 1 second" waits a whole second, wherever in the current
	 * second it starts (a deadline in whole seconds once gave up after
	 * 0.3 s).
	 */
	if (secs < 0.9)
		fprintf(stderr, "store_lock(dir, 1) gave up after %.2f s\n",
		    secs);
	CU_ASSERT(secs >= 0.9 && secs < 5);
	CU_ASSERT(strstr(out, t_dir()) != NULL);
	CU_ASSERT(strstr(out, pidtext) != NULL);
	CU_ASSERT(strstr(out, "in use") != NULL);
	/* The second line: store_lock_holder names us as well. */
	CU_ASSERT(strchr(out, '\n') != NULL &&
	    strstr(strchr(out, '\n'), pidtext) != NULL);

	/* store_lock_holder, asked from another process. */
	ret = t_child(t_child_holder, out, sizeof out, NULL);
	CU_ASSERT(ret == 1);
	CU_ASSERT(strstr(out, pidtext) != NULL);

	/* Closed: the lock is free, and nobody holds it. */
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT(store_lock_holder(t_dir()) == NULL);
	ret = t_child(t_child_lock, out, sizeof out, &secs);
	CU_ASSERT(ret == 0);
	CU_ASSERT_STRING_EQUAL(out, "locked\n");
	CU_ASSERT(secs < 0.9);
	ret = t_child(t_child_holder, out, sizeof out, NULL);
	CU_ASSERT(ret == 0);
	/* Unlocked, the file no longer names a holder. */
	CU_ASSERT(t_child(t_child_read_lock, out, sizeof out, NULL) == 0);
	CU_ASSERT_STRING_EQUAL(out, "");
}

/*
 * Asking who holds the lock, from the process that holds it, must not
 * let go of it.
 */
static void
test_store_master_lock_holder_self(void)
{
	struct store	*st;
	char		 out[2048], *who;
	int		 ret;

	CU_ASSERT_FATAL((st = t_new(STORE_MASTER)) != NULL);
	who = store_lock_holder(t_dir());
	free(who);
	/*
	 * Asking who holds the lock, in the holding process, must not drop
	 * it: fcntl locks are per process and closing any descriptor of the
	 * file drops them all, so another process must still be kept out.
	 */
	ret = t_child(t_child_lock, out, sizeof out, NULL);
	CU_ASSERT(ret == 1);
	store_close(st);
}

/* ---------------------------------------------------- checkpoint on close */

static void
test_store_checkpoint_on_close(void)
{
	struct store		*st;
	struct store_txn	*t;
	struct record		*r;
	char			 pad[400];
	int			 i, j, logs_open;
	uint64_t		 n;

	CU_ASSERT_FATAL((st = t_new(STORE_MASTER)) != NULL);
	memset(pad, 'p', sizeof pad - 1);
	pad[sizeof pad - 1] = '\0';
	for (i = 0; i < 50; i++) {
		CU_ASSERT_FATAL(store_begin(st, &t) == 0);
		for (j = 0; j < 100; j++) {
			r = t_person("Bulk", NULL);
			record_set(r, "notes", pad, 1);
			record_set(r, "owner", "u0001", 1);
			r->modified = store_stamp(t);
			CU_ASSERT(store_put(t, T_PEOPLE, r, 0) == 0);
			record_free(r);
		}
		CU_ASSERT_FATAL(store_commit(t) == 0);
	}
	logs_open = t_count_files("log.");
	CU_ASSERT(store_close(st) == 0);
	/* The test wrote enough to need more than two log files. */
	CU_ASSERT(logs_open > 2);
	CU_ASSERT(t_count_files("log.") >= 1);
	CU_ASSERT(t_count_files("log.") <= 2);

	/* Reopening (recovery from the checkpoint) finds everything. */
	CU_ASSERT_FATAL((st = t_open(STORE_MASTER)) != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT(store_count(t, T_PEOPLE, &n) == 0);
	CU_ASSERT(n == 5000);
	store_abort(t);
	/* A close that wrote nothing leaves the logs as they are. */
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT(t_count_files("log.") <= 2);
}

/* ------------------------------------------------------------ cache size */

/*
 * The cache db5.3_stat -m finds in a local's environment while it is
 * open, in bytes ("20MB 8KB 448B\tTotal cache size"); 0 if unread.
 */
static unsigned long long
t_cache_bytes(const char *dir)
{
	FILE			*p;
	char			*cmd, line[256], *w, *end;
	unsigned long long	 total = 0, n;

	xasprintf(&cmd, "db5.3_stat -m -h '%s' 2>/dev/null", dir);
	p = popen(cmd, "r");
	free(cmd);
	if (p == NULL)
		return 0;
	while (fgets(line, sizeof line, p) != NULL) {
		if (strstr(line, "Total cache size") == NULL)
			continue;
		for (w = line; *w >= '0' && *w <= '9'; w = end + 1) {
			n = strtoull(w, &end, 10);
			if (strncmp(end, "GB", 2) == 0)
				total += n << 30, end++;
			else if (strncmp(end, "MB", 2) == 0)
				total += n << 20, end++;
			else if (strncmp(end, "KB", 2) == 0)
				total += n << 10, end++;
			else if (*end == 'B')
				total += n;
			else
				break;
			while (end[1] == ' ')
				end++;
		}
		break;
	}
	pclose(p);
	return total;
}

/*
 * store.cache_mb sizes the cache of the environments made after it is
 * set (Berkeley DB adds a quarter to a cache under 500 MB): 16 MB by
 * default, 24 MB when set so.
 */
static void
test_store_cache_size(void)
{
	struct store		*st;
	char			*dir;
	unsigned long long	 bytes;

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	bytes = t_cache_bytes(t_dir());
	CU_ASSERT(store_close(st) == 0);
	if (bytes == 0) {
		fprintf(stderr, "db5.3_stat (db5.3-util) is missing: the "
		    "cache size is not checked\n");
		return;
	}
	CU_ASSERT(bytes >= 16ULL << 20 && bytes < 24ULL << 20);

	/* Set before its making: the environment is made then. */
	dir = xstrdup(unit_path("db24"));
	store_set_cache_mb(24);
	if (store_create(dir, STORE_LOCAL, t_schema, T_NSCHEMA) == 0)
		st = store_open(dir, STORE_LOCAL, t_schema, T_NSCHEMA, 0, 0);
	else
		st = NULL;
	store_set_cache_mb(16);
	CU_ASSERT_FATAL(st != NULL);
	bytes = t_cache_bytes(dir);
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT(bytes >= 24ULL << 20 && bytes < 32ULL << 20);
	free(dir);
}

/* ------------------------------------------------------ damaged record */

static void
test_store_damaged_record(void)
{
	struct store		*st;
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r, *back;
	DB_ENV			*env;
	DB			*db;
	DBT			 key, data;
	static char		 garbage[] = "\x01\x05garbage that is no record";

	CU_ASSERT_FATAL((st = t_new(STORE_LOCAL)) != NULL);
	r = t_person("Damaged", NULL);
	CU_ASSERT(t_put(st, T_PEOPLE, r, 0) == 0);
	CU_ASSERT(store_close(st) == 0);

	/*
	 * Overwrite the record's bytes straight through Berkeley DB, in the
	 * local's environment and logged (a write without the environment
	 * would be undone by the recovery at the next open), without the
	 * store's index callbacks.
	 */
	CU_ASSERT_FATAL(db_env_create(&env, 0) == 0);
	CU_ASSERT_FATAL(env->open(env, t_dir(), DB_CREATE | DB_INIT_LOCK |
	    DB_INIT_LOG | DB_INIT_MPOOL | DB_INIT_TXN | DB_RECOVER |
	    DB_REGISTER, 0600) == 0);
	CU_ASSERT_FATAL(db_create(&db, env, 0) == 0);
	CU_ASSERT_FATAL(db->open(db, NULL, "people.db", "records", DB_BTREE,
	    DB_AUTO_COMMIT, 0) == 0);
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = r->id.b;
	key.size = RECORD_ID_SIZE;
	data.data = garbage;
	data.size = sizeof garbage - 1;
	CU_ASSERT(db->put(db, NULL, &key, &data, DB_AUTO_COMMIT) == 0);
	CU_ASSERT(db->close(db, 0) == 0);
	CU_ASSERT(env->txn_checkpoint(env, 0, 0, DB_FORCE) == 0);
	CU_ASSERT(env->close(env, 0) == 0);

	CU_ASSERT_FATAL((st = t_open(STORE_LOCAL)) != NULL);
	error_clear();
	back = NULL;
	CU_ASSERT(t_get(st, T_PEOPLE, &r->id, &back) == -1);
	if (back != NULL)
		fprintf(stderr, "damaged: got last=%s nfields=%zu\n",
		    record_value(back, "last"), back->nfields);
	CU_ASSERT(back == NULL);
	CU_ASSERT(strstr(error_get(), "people.db") != NULL);
	CU_ASSERT(strstr(error_get(), t_dir()) != NULL);
	CU_ASSERT(strstr(error_get(), "damaged") != NULL);
	/* A cursor meeting it fails the same way. */
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT_FATAL(store_cursor_open(t, T_PEOPLE, STORE_BY_ID, 0,
	    &c) == 0);
	error_clear();
	CU_ASSERT(store_cursor_next(c, &back) == -1);
	CU_ASSERT(strstr(error_get(), "people.db") != NULL);
	store_cursor_close(c);
	store_abort(t);
	/* The other files are fine. */
	CU_ASSERT(t_walk_is(st, T_ORGS, STORE_BY_ID, 0, ""));
	record_free(r);
	store_close(st);
}

static const struct unit_test tests[] = {
	{ "create: modes 0600/0700", test_store_create_modes },
	{ "create: refuses an existing database",
	    test_store_create_refuses_existing },
	{ "open: missing and non-database directories",
	    test_store_open_errors },
	{ "open: role mismatch", test_store_open_role_mismatch },
	{ "put and get", test_store_put_get },
	{ "tombstones", test_store_tombstones },
	{ "remove", test_store_remove },
	{ "index name: order and seek", test_store_index_name_order },
	{ "index name: key forms", test_store_index_name_key_forms },
	{ "index name: empty name parts", test_store_index_name_empty_parts },
	{ "index name: update and delete", test_store_index_name_update },
	{ "index words: fields added", test_store_index_words_fields },
	{ "index ref", test_store_index_ref_fields },
	{ "index owner", test_store_index_owner_fields },
	{ "cursor: paging", test_store_cursor_paging },
	{ "cursor: key and exact by ID", test_store_cursor_key_by_id },
	{ "index seq: master sequence", test_store_index_seq_master },
	{ "index seq: KEEPSEQ", test_store_index_seq_keepseq },
	{ "index outbox: local", test_store_index_outbox_local },
	{ "index outbox: SYNCED clears dirty",
	    test_store_index_outbox_synced },
	{ "abort leaves nothing", test_store_abort },
	{ "find_prefix", test_store_find_prefix },
	{ "meta", test_store_meta },
	{ "HLC persists across reopen", test_store_hlc_persists },
	{ "master lock", test_store_master_lock },
	{ "master lock: holder asked by holder",
	    test_store_master_lock_holder_self },
	{ "checkpoint on close", test_store_checkpoint_on_close },
	{ "damaged record", test_store_damaged_record },
	{ "cache size: store.cache_mb", test_store_cache_size },
	{ "scratch table beside a bulk transaction: master",
	    test_store_scratch_master },
	{ "scratch table beside a bulk transaction: local",
	    test_store_scratch_local },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("store", tests);
}
