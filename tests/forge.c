/*
 * forge: the forged local of tests/sync-attack.sh (RULES.md T1-T8).
 *
 * A laptop's user owns the local's files and can run any program on
 * them, a build of crm of their own included. This tool is such a
 * program: it writes into a local whatever a hostile user would, through
 * the store and record interfaces, with none of the model's checks and
 * none of the rights, so that the tests can show that the master takes
 * none of it on trust. It never opens a master.
 *
 *	forge DIR put TYPE ID|new [FIELD=VALUE | FIELD=@FILE]... [options]
 *		Write a record and print its ID. A new one for "new" (or an
 *		ID no record has); an existing one keeps what is not said.
 *		It goes to the outbox (dirty), as an edit does, unless
 *		--clean. Options, anywhere among the fields:
 *		--by UID		modified_by
 *		--created-by UID	created_by
 *		--created STAMP		creation stamp
 *		--modified STAMP	modification stamp (default: now)
 *		--stamp STAMP		the stamp of the fields set (now)
 *		--seq N			the master sequence it claims
 *		--deleted		a tombstone
 *		--clean			not in the outbox (as a sync leaves it)
 *		--drop FIELD		remove a field
 *		--ext HEX		header extension bytes
 *		--fresh			start empty even if the record exists
 *	forge DIR get TYPE ID
 *		Print the record: its metadata (id, created, created_by,
 *		modified, modified_by, seq, flags), then FIELD=VALUE lines.
 *	forge DIR all TYPE
 *		Print every field of every record of TYPE, tombstones too,
 *		as FIELD=VALUE lines: what an encrypted local holds.
 *	forge DIR dump
 *		Print all the local holds: every meta.db value, then every
 *		record of every file and of the conflict log, tombstones
 *		too, as the file's name, the ID and the record encoded, in
 *		hexadecimal: two dumps are equal when the locals hold the
 *		same.
 *	forge DIR find TYPE FIELD=VALUE
 *		Print the ID of each record (tombstones too) with that value.
 *	forge DIR meta KEY [VALUE]
 *		Print or set a meta.db value: a number for sync_seq,
 *		sync_stamp, sync_time, clock, seq and journal_from, text for
 *		the rest (master_id...).
 *	forge DIR stamp [MS]
 *		Print a stamp of the local's clock moved by MS milliseconds
 *		(signed), for --stamp and --modified.
 *	forge DIR file documents|templates NAME --text TEXT | --from PATH |
 *	    --symlink TARGET
 *		Write (or link) a file of the local's documents/ or
 *		templates/, replacing what is there.
 *
 * TYPE is a record type as crm names it (company, user...), ID a full ID
 * or a unique prefix, a STAMP a number as get prints it, or "now". Exit
 * status 0; 1 on an error, said on one line of stderr; 2 for a usage
 * error.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "file.h"
#include "model.h"
#include "record.h"
#include "store.h"
#include "vault.h"
#include "xmalloc.h"

#define FORGE_MAXDROP	32

static const char *const forge_numeric[] = {
	"sync_seq", "sync_stamp", "sync_time", "clock", "seq", "journal_from",
	NULL
};

static void
forge_usage(const char *why)
{
	fprintf(stderr, "forge: %s\n"
	    "usage: forge DIR put TYPE ID|new [FIELD=VALUE|FIELD=@FILE]... "
	    "[--by UID] [--created-by UID]\n"
	    "           [--created STAMP] [--modified STAMP] [--stamp STAMP] "
	    "[--seq N] [--deleted]\n"
	    "           [--clean] [--drop FIELD] [--ext HEX] [--fresh]\n"
	    "       forge DIR get TYPE ID\n"
	    "       forge DIR dump\n"
	    "       forge DIR find TYPE FIELD=VALUE\n"
	    "       forge DIR meta KEY [VALUE]\n"
	    "       forge DIR stamp [MS]\n"
	    "       forge DIR file documents|templates NAME --text TEXT | "
	    "--from PATH | --symlink TARGET\n", why);
	exit(2);
}

static void
forge_fail(void)
{
	fprintf(stderr, "forge: %s\n", error_get());
	exit(1);
}

static int
forge_type(const char *name)
{
	int	type;

	if ((type = model_type_find(name)) == -1)
		forge_fail();
	return type;
}

static uint64_t
forge_number(const char *text)
{
	char			*end;
	unsigned long long	 v;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (*text == '\0' || *end != '\0' || errno == ERANGE)
		forge_usage("a number is wanted");
	return (uint64_t)v;
}

/* A stamp: a number, or "now" on the local's clock. */
static uint64_t
forge_stamp(struct store_txn *t, const char *text)
{
	if (strcmp(text, "now") == 0)
		return store_stamp(t);
	return forge_number(text);
}

/* An ID in full (a record or not), or a unique prefix of a record's. */
static void
forge_id(struct store_txn *t, int type, const char *text,
    struct record_id *id)
{
	int	ret;

	if (strlen(text) == RECORD_ID_TEXT) {
		if (record_id_parse(text, id) != 0)
			forge_fail();
		return;
	}
	if ((ret = store_find_prefix(t, (size_t)type, text, id)) == -1)
		forge_fail();
	if (ret != 0) {
		error_set("no single %s has an ID starting %s",
		    model_type(type)->name, text);
		forge_fail();
	}
}

/* The whole of a file, for FIELD=@FILE: a value of any size. */
static char *
forge_slurp(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;

	if ((f = fopen(path, "r")) == NULL) {
		error_set("cannot read %s: %s", path, strerror(errno));
		forge_fail();
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap == 0 ? 65536 : cap * 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

static void
forge_hex(const char *hex, uint8_t **out, size_t *len)
{
	size_t		n = strlen(hex), i;
	unsigned int	b;

	if (n % 2 != 0 || strspn(hex, "0123456789abcdefABCDEF") != n)
		forge_usage("--ext wants hex digits, two a byte");
	*len = n / 2;
	*out = xmalloc(*len > 0 ? *len : 1);
	for (i = 0; i < *len; i++) {
		sscanf(hex + 2 * i, "%2x", &b);
		(*out)[i] = (uint8_t)b;
	}
}

static struct store *
forge_open(const char *dir, struct store_txn **t)
{
	struct store	*st;
	uint8_t		 key[VAULT_KEY_SIZE];
	const char	*pw = getenv("CRM_PASSWORD");

	/* An encrypted local opens with its user's password, as in crm. */
	if (vault_encrypted(dir)) {
		if (vault_key_unlock(dir, "the forger", pw != NULL ? pw : "",
		    key) != 0)
			forge_fail();
		store_set_key_bytes(dir, key);
		explicit_bzero(key, sizeof key);
	}
	if ((st = model_open(dir, STORE_LOCAL, 0, 5)) == NULL)
		forge_fail();
	if (store_role(st) != STORE_LOCAL) {
		error_set("%s is not a local", dir);
		forge_fail();
	}
	if (store_begin(st, t) != 0)
		forge_fail();
	return st;
}

static void
forge_close(struct store *st, struct store_txn *t, int commit)
{
	if (commit) {
		if (store_commit(t) != 0)
			forge_fail();
	} else
		store_abort(t);
	if (store_close(st) != 0)
		forge_fail();
}

/* An option of put that takes a value: its value, or a usage error. */
static const char *
forge_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		forge_usage("an option wants a value");
	return argv[++*i];
}

static int
forge_put(const char *dir, int argc, char **argv)
{
	const char		*by = NULL, *cby = NULL, *created = NULL;
	const char		*modified = NULL, *stamp = NULL, *seq = NULL;
	const char		*ext = NULL, *drop[FORGE_MAXDROP + 1];
	const char		*type_name = NULL, *id_text = NULL;
	char			**sets, *eq, *value;
	struct store		*st;
	struct store_txn	*t;
	struct record		*r = NULL;
	struct record_id	 id;
	char			 text[RECORD_ID_TEXT + 1];
	uint64_t		 fstamp;
	size_t			 nsets = 0, i;
	int			 a, type, ret, deleted = 0, clean = 0;
	int			 fresh = 0, ndrop = 0;

	sets = xcalloc((size_t)argc + 1, sizeof *sets);
	for (a = 0; a < argc; a++) {
		if (strcmp(argv[a], "--by") == 0)
			by = forge_arg(argc, argv, &a);
		else if (strcmp(argv[a], "--created-by") == 0)
			cby = forge_arg(argc, argv, &a);
		else if (strcmp(argv[a], "--created") == 0)
			created = forge_arg(argc, argv, &a);
		else if (strcmp(argv[a], "--modified") == 0)
			modified = forge_arg(argc, argv, &a);
		else if (strcmp(argv[a], "--stamp") == 0)
			stamp = forge_arg(argc, argv, &a);
		else if (strcmp(argv[a], "--seq") == 0)
			seq = forge_arg(argc, argv, &a);
		else if (strcmp(argv[a], "--ext") == 0)
			ext = forge_arg(argc, argv, &a);
		else if (strcmp(argv[a], "--drop") == 0) {
			if (ndrop == FORGE_MAXDROP)
				forge_usage("too many --drop");
			drop[ndrop++] = forge_arg(argc, argv, &a);
		} else if (strcmp(argv[a], "--deleted") == 0)
			deleted = 1;
		else if (strcmp(argv[a], "--clean") == 0)
			clean = 1;
		else if (strcmp(argv[a], "--fresh") == 0)
			fresh = 1;
		else if (strncmp(argv[a], "--", 2) == 0)
			forge_usage("unknown option of put");
		else if (type_name == NULL)
			type_name = argv[a];
		else if (id_text == NULL)
			id_text = argv[a];
		else if (strchr(argv[a], '=') == NULL || argv[a][0] == '=')
			forge_usage("a field is written FIELD=VALUE");
		else
			sets[nsets++] = argv[a];
	}
	if (id_text == NULL)
		forge_usage("put wants a type and an ID (or new)");
	type = forge_type(type_name);

	st = forge_open(dir, &t);
	if (strcmp(id_text, "new") == 0)
		record_id_new(&id, clock_now_ms());
	else
		forge_id(t, type, id_text, &id);
	if (!fresh && (ret = store_get(t, (size_t)type, &id, &r)) == -1)
		forge_fail();
	if (r == NULL) {
		r = record_new();
		r->id = id;
		r->created = store_stamp(t);
	}
	fstamp = stamp != NULL ? forge_stamp(t, stamp) : store_stamp(t);
	r->modified = modified != NULL ? forge_stamp(t, modified) : fstamp;
	if (created != NULL)
		r->created = forge_stamp(t, created);
	if (by != NULL)
		snprintf(r->modified_by, sizeof r->modified_by, "%s", by);
	if (cby != NULL)
		snprintf(r->created_by, sizeof r->created_by, "%s", cby);
	if (seq != NULL)
		r->seq = forge_number(seq);
	if (deleted)
		r->flags |= RECORD_DELETED;
	if (ext != NULL) {
		free(r->ext);
		forge_hex(ext, &r->ext, &r->extlen);
	}
	if (ndrop > 0) {
		/* record_strip keeps what it is told: all but the dropped. */
		const char	**keep;
		size_t		  n = 0;
		int		  d;

		keep = xcalloc(r->nfields + 1, sizeof *keep);
		for (i = 0; i < r->nfields; i++) {
			for (d = 0; d < ndrop; d++) {
				if (strcmp(r->fields[i].name, drop[d]) == 0)
					break;
			}
			if (d == ndrop)
				keep[n++] = r->fields[i].name;
		}
		keep[n] = NULL;
		record_strip(r, keep);
		free(keep);
	}
	for (i = 0; i < nsets; i++) {
		eq = strchr(sets[i], '=');
		*eq = '\0';
		value = eq[1] == '@' ? forge_slurp(eq + 2, NULL) : xstrdup(eq + 1);
		/* record_set leaves an unchanged value's stamp: this is forced. */
		record_set(r, sets[i], value, fstamp);
		record_field(r, sets[i])->stamp = fstamp;
		free(value);
	}
	if (store_put(t, (size_t)type, r, clean ? STORE_PUT_SYNCED : 0) != 0)
		forge_fail();
	forge_close(st, t, 1);
	record_id_format(&r->id, text);
	printf("%s\n", text);
	record_free(r);
	free(sets);
	return 0;
}

static int
forge_get(const char *dir, int argc, char **argv)
{
	struct store		*st;
	struct store_txn	*t;
	struct record		*r;
	struct record_id	 id;
	char			 text[RECORD_ID_TEXT + 1];
	size_t			 i;
	int			 type, ret;

	if (argc != 2)
		forge_usage("get wants a type and an ID");
	type = forge_type(argv[0]);
	st = forge_open(dir, &t);
	forge_id(t, type, argv[1], &id);
	if ((ret = store_get(t, (size_t)type, &id, &r)) == -1)
		forge_fail();
	if (ret != 0) {
		error_set("no %s %s here", argv[0], argv[1]);
		forge_fail();
	}
	record_id_format(&r->id, text);
	printf("id=%s\ncreated=%llu\ncreated_by=%s\nmodified=%llu\n"
	    "modified_by=%s\nseq=%llu\nflags=%s%s\n", text,
	    (unsigned long long)r->created, r->created_by,
	    (unsigned long long)r->modified, r->modified_by,
	    (unsigned long long)r->seq,
	    (r->flags & RECORD_DIRTY) ? "dirty " : "",
	    (r->flags & RECORD_DELETED) ? "deleted" : "");
	for (i = 0; i < r->nfields; i++)
		printf("%s=%s\n", r->fields[i].name, r->fields[i].value);
	record_free(r);
	forge_close(st, t, 0);
	return 0;
}

/* Every field of every record of a type, tombstones too: what it holds. */
static int
forge_all(const char *dir, int argc, char **argv)
{
	struct store		*st;
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	size_t			 i;
	int			 type, ret;

	if (argc != 1)
		forge_usage("all wants a type");
	type = forge_type(argv[0]);
	st = forge_open(dir, &t);
	if (store_cursor_open(t, (size_t)type, STORE_BY_ID,
	    STORE_CURSOR_DELETED, &c) != 0)
		forge_fail();
	while ((ret = store_cursor_next(c, &r)) == 0) {
		for (i = 0; i < r->nfields; i++)
			printf("%s=%s\n", r->fields[i].name,
			    r->fields[i].value);
		record_free(r);
	}
	store_cursor_close(c);
	if (ret == -1)
		forge_fail();
	forge_close(st, t, 0);
	return 0;
}

static void
forge_put_hex(const uint8_t *p, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
}

static int
forge_dump_meta(void *arg, const char *key, const void *value, size_t len)
{
	(void)arg;
	printf("meta %s ", key);
	forge_put_hex(value, len);
	printf("\n");
	return 0;
}

/* All a local holds, to compare (forge DIR dump). */
static int
forge_dump(const char *dir, int argc, char **argv)
{
	struct store		*st;
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	char			 text[RECORD_ID_TEXT + 1];
	uint8_t			*buf;
	size_t			 len, file;
	int			 ret;

	(void)argv;
	if (argc != 0)
		forge_usage("dump takes nothing more");
	st = forge_open(dir, &t);
	if (store_meta_list(t, "", 0, forge_dump_meta, NULL) != 0)
		forge_fail();
	for (file = 0; file <= MODEL_NTYPES; file++) {
		if (store_cursor_open(t, file == MODEL_NTYPES ?
		    STORE_CONFLICTS : file, STORE_BY_ID, STORE_CURSOR_DELETED,
		    &c) != 0)
			forge_fail();
		while ((ret = store_cursor_next(c, &r)) == 0) {
			record_id_format(&r->id, text);
			record_encode(r, &buf, &len);
			printf("%s %s ", file == MODEL_NTYPES ? "conflicts" :
			    model_type((int)file)->name, text);
			forge_put_hex(buf, len);
			printf("\n");
			free(buf);
			record_free(r);
		}
		store_cursor_close(c);
		if (ret == -1)
			forge_fail();
	}
	forge_close(st, t, 0);
	return 0;
}

static int
forge_find(const char *dir, int argc, char **argv)
{
	struct store		*st;
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	char			 text[RECORD_ID_TEXT + 1], *eq;
	int			 type, ret;

	if (argc != 2 || (eq = strchr(argv[1], '=')) == NULL)
		forge_usage("find wants a type and FIELD=VALUE");
	*eq = '\0';
	type = forge_type(argv[0]);
	st = forge_open(dir, &t);
	if (store_cursor_open(t, (size_t)type, STORE_BY_ID,
	    STORE_CURSOR_DELETED, &c) != 0)
		forge_fail();
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (strcmp(record_value(r, argv[1]), eq + 1) == 0) {
			record_id_format(&r->id, text);
			printf("%s\n", text);
		}
		record_free(r);
	}
	store_cursor_close(c);
	if (ret == -1)
		forge_fail();
	forge_close(st, t, 0);
	return 0;
}

static int
forge_meta(const char *dir, int argc, char **argv)
{
	struct store		*st;
	struct store_txn	*t;
	uint8_t			 buf[4096];
	size_t			 len = sizeof buf - 1;
	int			 i, numeric = 0, ret;

	if (argc != 1 && argc != 2)
		forge_usage("meta wants a key, and a value to set it");
	for (i = 0; forge_numeric[i] != NULL; i++) {
		if (strcmp(argv[0], forge_numeric[i]) == 0)
			numeric = 1;
	}
	st = forge_open(dir, &t);
	if (argc == 2) {
		if (numeric) {
			store_be64(buf, forge_number(argv[1]));
			ret = store_meta_put(t, argv[0], buf, 8);
		} else
			ret = store_meta_put(t, argv[0], argv[1],
			    strlen(argv[1]));
		if (ret != 0)
			forge_fail();
		forge_close(st, t, 1);
		return 0;
	}
	if ((ret = store_meta_get(t, argv[0], buf, &len)) == -1)
		forge_fail();
	if (ret != 0)
		printf("\n");
	else if (numeric && len == 8)
		printf("%llu\n", (unsigned long long)store_get_be64(buf));
	else {
		buf[len] = '\0';
		printf("%s\n", (char *)buf);
	}
	forge_close(st, t, 0);
	return 0;
}

static int
forge_clock(const char *dir, int argc, char **argv)
{
	struct store		*st;
	struct store_txn	*t;
	uint64_t		 s;
	long long		 ms = 0;
	char			*end;

	if (argc > 1)
		forge_usage("stamp wants at most a number of milliseconds");
	if (argc == 1) {
		ms = strtoll(argv[0], &end, 10);
		if (*argv[0] == '\0' || *end != '\0')
			forge_usage("stamp wants milliseconds, like -86400000");
	}
	st = forge_open(dir, &t);
	s = store_stamp(t);
	/* Move the wall-clock part; the counter starts again at 0. */
	s = clock_stamp_from_ms((uint64_t)((long long)clock_stamp_ms(s) + ms));
	printf("%llu\n", (unsigned long long)s);
	forge_close(st, t, 0);
	return 0;
}

static int
forge_file(const char *dir, int argc, char **argv)
{
	char	*path, *data;
	size_t	 len;
	int	 ret;

	if (argc != 4 || (strcmp(argv[0], "documents") != 0 &&
	    strcmp(argv[0], "templates") != 0))
		forge_usage("file wants documents or templates, a name and "
		    "what to put there");
	xasprintf(&path, "%s/%s/%s", dir, argv[0], argv[1]);
	if (unlink(path) != 0 && errno != ENOENT) {
		error_set("cannot remove %s: %s", path, strerror(errno));
		forge_fail();
	}
	if (strcmp(argv[2], "--symlink") == 0) {
		if (symlink(argv[3], path) != 0) {
			error_set("cannot link %s: %s", path, strerror(errno));
			forge_fail();
		}
		ret = 0;
	} else if (strcmp(argv[2], "--text") == 0)
		ret = file_write(path, argv[3], strlen(argv[3]));
	else if (strcmp(argv[2], "--from") == 0) {
		data = forge_slurp(argv[3], &len);
		ret = file_write(path, data, len);
		free(data);
	} else
		forge_usage("file wants --text, --from or --symlink");
	if (ret != 0)
		forge_fail();
	free(path);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*fn)(const char *, int, char **);
	} cmds[] = {
		{ "put", forge_put },
		{ "get", forge_get },
		{ "find", forge_find },
		{ "all", forge_all },
		{ "dump", forge_dump },
		{ "meta", forge_meta },
		{ "stamp", forge_clock },
		{ "file", forge_file },
	};
	size_t	i;

	umask(077);
	if (argc < 3)
		forge_usage("give a local's directory and a command");
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (strcmp(argv[2], cmds[i].name) == 0)
			return cmds[i].fn(argv[1], argc - 3, argv + 3);
	}
	forge_usage("unknown command");
	return 2;
}
