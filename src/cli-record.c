/* cli-record: add, set, get, list and delete. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "browse.h"
#include "cli.h"
#include "clock.h"
#include "duplicate.h"
#include "error.h"
#include "model.h"
#include "store.h"
#include "xmalloc.h"

int
cli_changes(int argc, char **argv, struct model_change **out)
{
	struct model_change	*ch;
	char			*eq;
	int			 i;

	ch = xcalloc((size_t)argc + 1, sizeof *ch);
	for (i = 0; i < argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL || eq == argv[i]) {
			error_set("\"%s\" is not FIELD=VALUE", argv[i]);
			free(ch);
			return -1;
		}
		*eq = '\0';
		ch[i].name = argv[i];
		ch[i].value = eq + 1;
	}
	*out = ch;
	return 0;
}

void
cli_put_escaped(FILE *f, const char *s)
{
	size_t	n;

	for (;;) {
		/*
		 * What needs no escape goes out as a whole run: a list of
		 * every contact is mostly such runs, and a character at a
		 * time was a fifth of its time.
		 */
		n = strcspn(s, "\t\n\r\\");
		fwrite(s, 1, n, f);
		s += n;
		switch (*s) {
		case '\0':
			return;
		case '\t':
			fputs("\\t", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			fputs("\\\\", f);
			break;
		}
		s++;
	}
}

void
cli_put_row(FILE *f, const struct record *r, const char *const *fields,
    size_t n)
{
	char	*v;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (i)
			fputc('\t', f);
		v = model_value(r, fields[i]);
		cli_put_escaped(f, v);
		free(v);
	}
	fputc('\n', f);
}

/*
 * Dates written as a person would (today, +3, fri, 24.12.2026: see
 * agenda.h) become ISO before the model sees them. The new values are
 * returned to be freed (NULL-terminated), or NULL when there were none.
 */
static char **
cli_dates(int type, struct model_change *ch, size_t n)
{
	const struct model_field	*mf;
	char				**kept = NULL, iso[32];
	size_t				 i, k = 0;
	int				 minute;
	long				 today = agenda_today(&minute);

	for (i = 0; i < n; i++) {
		mf = model_field_find(type, ch[i].name);
		if (mf == NULL || mf->kind != MODEL_DATE ||
		    *ch[i].value == '\0' || agenda_date_parse(ch[i].value,
		    today, minute, iso, sizeof iso) != 0)
			continue;
		kept = xreallocarray(kept, k + 2, sizeof *kept);
		kept[k] = xstrdup(iso);
		ch[i].value = kept[k++];
		kept[k] = NULL;
	}
	return kept;
}

static void
cli_dates_free(char **kept)
{
	size_t	i;

	for (i = 0; kept != NULL && kept[i] != NULL; i++)
		free(kept[i]);
	free(kept);
}

/*
 * The deleted record whose ID starts with text: the tombstones the ID
 * index holds are looked at too, and only those.
 */
static int
cli_deleted_id(struct store_txn *t, int type, const char *text,
    struct record_id *id)
{
	struct store_cursor	*c;
	struct record		*r;
	struct record_id	 low;
	int			 ret, found = 0;

	if (record_id_prefix_low(text, &low) != 0)
		return -1;
	if (store_cursor_open(t, (size_t)type, STORE_BY_ID,
	    STORE_CURSOR_DELETED, &c) != 0)
		return -1;
	store_cursor_seek(c, low.b, RECORD_ID_SIZE, 0);
	while ((ret = store_cursor_next(c, &r)) == 0 &&
	    record_id_has_prefix(&r->id, text)) {
		if ((r->flags & RECORD_DELETED) && found++ == 0)
			*id = r->id;
		record_free(r);
	}
	if (ret == 0)
		record_free(r);
	store_cursor_close(c);
	if (ret == -1)
		return -1;
	if (found == 1)
		return 0;
	error_set(found == 0 ? "no deleted %s has an ID starting with \"%s\" "
	    "(see crm undelete)" : "\"%s\" is the start of several deleted "
	    "%s IDs: give more of the ID", found == 0 ?
	    model_type(type)->name : text, found == 0 ? text :
	    model_type(type)->name);
	return -1;
}

/* TYPE and, when asked, ID: the first arguments of most commands. */
static int
cli_type_arg(const struct cli_cmd *cmd, int argc, char **argv, int need_id,
    int *type)
{
	if (argc < 2 + need_id) {
		cli_usage(cmd, "missing %s", argc < 2 ? "TYPE" : "ID");
		return -1;
	}
	if ((*type = model_type_find(argv[1])) == -1) {
		cli_usage(cmd, "%s", error_get());
		return -1;
	}
	return 0;
}

int
cli_add(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("add");
	struct model_change	*ch;
	struct store_txn	*t;
	struct record_id	 id;
	char			 buf[RECORD_ID_TEXT + 1], **dates;
	int			 type;

	if (cli_type_arg(cmd, argc, argv, 0, &type) != 0)
		return CLI_USAGE;
	if (cli_changes(argc - 2, argv + 2, &ch) != 0)
		return cli_usage(cmd, "%s", error_get());
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0) {
		free(ch);
		return cli_fail();
	}
	dates = cli_dates(type, ch, (size_t)(argc - 2));
	if (model_add(t, &cli->s.user, type, ch, (size_t)(argc - 2), &id) != 0) {
		store_abort(t);
		free(ch);
		cli_dates_free(dates);
		return cli_fail();
	}
	free(ch);
	cli_dates_free(dates);
	if (store_commit(t) != 0)
		return cli_fail();
	record_id_format(&id, buf);
	printf("%s\n", buf);
	return CLI_OK;
}

int
cli_set(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("set");
	struct model_change	*ch;
	struct store_txn	*t;
	struct record_id	 id;
	char			**dates;
	int			 type;

	if (cli_type_arg(cmd, argc, argv, 1, &type) != 0)
		return CLI_USAGE;
	if (argc < 4)
		return cli_usage(cmd, "nothing to change: give FIELD=VALUE");
	if (cli_changes(argc - 3, argv + 3, &ch) != 0)
		return cli_usage(cmd, "%s", error_get());
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0) {
		free(ch);
		return cli_fail();
	}
	dates = cli_dates(type, ch, (size_t)(argc - 3));
	if (model_lookup(t, type, argv[2], &id) != 0 ||
	    model_update(t, &cli->s.user, type, &id, ch,
	    (size_t)(argc - 3)) != 0) {
		store_abort(t);
		free(ch);
		cli_dates_free(dates);
		return cli_fail();
	}
	free(ch);
	cli_dates_free(dates);
	if (store_commit(t) != 0)
		return cli_fail();
	return CLI_OK;
}

int
cli_get(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd		*cmd = cli_find("get");
	const struct model_type		*mt;
	const struct model_field	*mf;
	struct store_txn		*t;
	struct record_id		 id;
	struct record			*r;
	char				*v;
	size_t				 i;
	int				 type;

	if (cli_type_arg(cmd, argc, argv, 1, &type) != 0)
		return CLI_USAGE;
	if (argc > 3)
		return cli_usage(cmd, "too many arguments");
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0)
		return cli_fail();
	if (model_lookup(t, type, argv[2], &id) != 0 ||
	    model_get(t, type, &id, &r) != 0) {
		store_abort(t);
		return cli_fail();
	}
	store_abort(t);
	mt = model_type(type);
	for (i = 0; model_meta_fields[i] != NULL; i++) {
		v = model_value(r, model_meta_fields[i]);
		printf("%s=%s\n", model_meta_fields[i], v);
		free(v);
	}
	for (i = 0; i < mt->nfields; i++) {
		if (mt->fields[i].flags & MODEL_SECRET)
			continue;
		printf("%s=", mt->fields[i].name);
		cli_put_escaped(stdout, record_value(r, mt->fields[i].name));
		putchar('\n');
	}
	/* Fields a newer crm wrote are kept and shown too. */
	for (i = 0; i < r->nfields; i++) {
		mf = model_field_find(type, r->fields[i].name);
		if (mf != NULL)
			continue;
		printf("%s=", r->fields[i].name);
		cli_put_escaped(stdout, r->fields[i].value);
		putchar('\n');
	}
	record_free(r);
	return CLI_OK;
}

/* Split "a,b,c" into checked field names. */
static char **
cli_fields(int type, const char *spec, size_t *n)
{
	char	**fields = NULL, *copy, *p, *tok;

	*n = 0;
	copy = xstrdup(spec);
	for (p = copy; (tok = strsep(&p, ",")) != NULL;) {
		if (*tok == '\0')
			continue;
		if (!model_is_field(type, tok)) {
			error_set("%s has no field \"%s\"",
			    model_type(type)->name, tok);
			free(copy);
			while (*n > 0)
				free(fields[--*n]);
			free(fields);
			return NULL;
		}
		fields = xreallocarray(fields, *n + 1, sizeof *fields);
		fields[(*n)++] = xstrdup(tok);
	}
	free(copy);
	if (*n == 0) {
		error_set("--fields names no field");
		free(fields);
		return NULL;
	}
	return fields;
}

static int
cli_list_field_in(const char *const *list, int n, const char *name)
{
	int	i;

	for (i = 0; i < n && list[i] != NULL; i++) {
		if (strcmp(list[i], name) == 0)
			return 1;
	}
	return 0;
}

/* --where: conditions on fields, and the index that answers them. */
void
cli_filter_add(struct cli_filter *fl, char *field, char *value)
{
	fl->where = xreallocarray(fl->where, fl->n + 1, sizeof *fl->where);
	fl->where[fl->n].field = field;
	fl->where[fl->n++].value = value;
}

int
cli_filter_arg(struct cli_filter *fl, char *arg)
{
	char	*eq;

	if ((eq = strchr(arg, '=')) == NULL) {
		error_set("--where wants FIELD=VALUE, not \"%s\"", arg);
		return -1;
	}
	*eq = '\0';
	cli_filter_add(fl, arg, eq + 1);
	return 0;
}

int
cli_filter_check(struct cli_filter *fl, int type)
{
	size_t	i;

	for (i = 0; i < fl->n; i++) {
		if (!model_is_field(type, fl->where[i].field)) {
			error_set("%s has no field \"%s\"",
			    model_type(type)->name, fl->where[i].field);
			return -1;
		}
	}
	return 0;
}

int
cli_filter_open(struct cli_filter *fl, struct store_txn *t, int type,
    struct store_cursor **c)
{
	const struct store_schema	*sc = &model_schema[type];
	enum store_index		 idx = STORE_BY_ID;
	struct record_id		 rid;
	const char			*key = NULL;
	size_t				 i;

	/* Use an index when a condition allows: cost follows the answer. */
	if (sc->name_fields[0] != NULL)
		idx = STORE_BY_NAME;
	for (i = 0; i < fl->n; i++) {
		if (cli_list_field_in(sc->ref_fields, 5, fl->where[i].field) &&
		    record_id_parse(fl->where[i].value, &rid) == 0) {
			idx = STORE_BY_REF;
			break;
		}
		if (cli_list_field_in(sc->owner_fields, 3,
		    fl->where[i].field)) {
			idx = STORE_BY_OWNER;
			key = fl->where[i].value;
			break;
		}
	}
	error_clear();
	fl->by_index = idx != STORE_BY_ID;
	if (store_cursor_open(t, (size_t)type, idx, 0, c) != 0)
		return -1;
	if (idx == STORE_BY_REF)
		store_cursor_seek(*c, rid.b, RECORD_ID_SIZE, 1);
	else if (idx == STORE_BY_OWNER)
		store_cursor_seek(*c, key, strlen(key), 1);
	return 0;
}

int
cli_filter_match(const struct cli_filter *fl, const struct record *r)
{
	size_t	 i;
	char	*v;
	int	 ok = 1;

	for (i = 0; ok && i < fl->n; i++) {
		if (strcmp(fl->where[i].field, "id") == 0) {
			ok = record_id_has_prefix(&r->id, fl->where[i].value);
			continue;
		}
		v = model_value(r, fl->where[i].field);
		ok = strcmp(v, fl->where[i].value) == 0;
		free(v);
	}
	return ok;
}

void
cli_filter_free(struct cli_filter *fl)
{
	free(fl->where);
	fl->where = NULL;
	fl->n = 0;
}

/* --where as a browse's filter, for --search. */
static int
cli_list_where(void *arg, struct store_txn *t, const struct record *r)
{
	(void)t;
	return cli_filter_match(arg, r);
}

#define CLI_LIST_PAGE	256

/*
 * list --search: the records the screens' search finds (search.h), in
 * name order, page by page as they are found.
 */
static int
cli_list_search(struct store_txn *t, int type, const char *text,
    struct cli_filter *fl, char **fields, size_t nfields)
{
	struct browse		 b;
	struct browse_row	 rows[CLI_LIST_PAGE];
	size_t			 got, i;
	long			 moved;
	int			 ret = 0;

	browse_init(&b, (size_t)type, BROWSE_NAME);
	browse_set_search(&b, text);
	browse_set_filter(&b, cli_list_where, fl);
	while (ret == 0 && b.search != NULL) {
		if ((ret = browse_page(&b, t, rows, CLI_LIST_PAGE, &got)) != 0)
			break;
		for (i = 0; i < got; i++)
			cli_put_row(stdout, rows[i].rec,
			    (const char *const *)fields, nfields);
		if (got > 0)
			browse_set_top(&b, &rows[got - 1]);
		browse_rows_free(rows, got);
		if (got < CLI_LIST_PAGE)
			break;
		/* The last row read is the top now: on past it. */
		if ((ret = browse_move(&b, t, 1, 1, &moved)) == 0 && moved == 0)
			break;
	}
	browse_clear(&b);
	return ret;
}

int
cli_list(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "where", required_argument, NULL, 'w' },
		{ "fields", required_argument, NULL, 'f' },
		{ "search", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd		*cmd = cli_find("list");
	struct cli_filter		 fl = { NULL, 0, 0 };
	struct store_txn		*t = NULL;
	struct store_cursor		*c = NULL;
	struct record			*r;
	const char			*fields_spec = NULL, *search = NULL;
	char				**fields = NULL;
	size_t				 nfields = 0, i;
	int				 type, ch, ret = CLI_FAIL, rv;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'w':
			if (cli_filter_arg(&fl, optarg) != 0) {
				cli_filter_free(&fl);
				return cli_usage(cmd, "%s", error_get());
			}
			break;
		case 'f':
			fields_spec = optarg;
			break;
		case 's':
			search = optarg;
			break;
		default:
			cli_filter_free(&fl);
			return cli_usage(cmd, "unknown option");
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (cli_type_arg(cmd, argc, argv, 0, &type) != 0) {
		cli_filter_free(&fl);
		return CLI_USAGE;
	}
	if (argc > 2) {
		cli_filter_free(&fl);
		return cli_usage(cmd, "unexpected argument \"%s\"", argv[2]);
	}
	if (cli_filter_check(&fl, type) != 0) {
		cli_filter_free(&fl);
		return cli_usage(cmd, "%s", error_get());
	}
	if (fields_spec == NULL)
		fields_spec = model_type(type)->columns;
	if ((fields = cli_fields(type, fields_spec, &nfields)) == NULL) {
		cli_filter_free(&fl);
		return cli_usage(cmd, "%s", error_get());
	}

	if (search != NULL && *search == '\0') {
		ret = cli_usage(cmd, "--search wants some text to look for");
		goto out;
	}
	if (cli_open(cli) != 0 || store_begin_read(cli->s.st, &t) != 0 ||
	    (search == NULL && cli_filter_open(&fl, t, type, &c) != 0)) {
		ret = cli_fail();
		goto out;
	}
	for (i = 0; i < nfields; i++)
		printf("%s%s", i ? "\t" : "", fields[i]);
	putchar('\n');
	if (search != NULL) {
		rv = cli_list_search(t, type, search, &fl, fields, nfields);
		goto written;
	}
	if (fl.by_index) {
		rv = cli_list_window(t, type, c, &fl, fields, nfields);
		goto written;
	}
	while ((rv = store_cursor_next(c, &r)) == 0) {
		if (cli_filter_match(&fl, r))
			cli_put_row(stdout, r, (const char *const *)fields,
			    nfields);
		record_free(r);
	}
written:
	if (rv == -1) {
		ret = cli_fail();
		goto out;
	}
	if (fflush(stdout) != 0) {
		error_set("cannot write the list: %s", "output error");
		ret = cli_fail();
		goto out;
	}
	ret = CLI_OK;
out:
	store_cursor_close(c);
	store_abort(t);
	for (i = 0; i < nfields; i++)
		free(fields[i]);
	free(fields);
	cli_filter_free(&fl);
	return ret;
}

int
cli_delete(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("delete");
	struct store_txn	*t;
	struct record_id	 id;
	int			 type;

	if (cli_type_arg(cmd, argc, argv, 1, &type) != 0)
		return CLI_USAGE;
	if (argc > 3)
		return cli_usage(cmd, "too many arguments");
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0)
		return cli_fail();
	if (model_lookup(t, type, argv[2], &id) != 0 ||
	    model_delete(t, &cli->s.user, type, &id) != 0) {
		store_abort(t);
		return cli_fail();
	}
	if (store_commit(t) != 0)
		return cli_fail();
	return CLI_OK;
}

/* crm undelete: one line for each record that may come back. */
static int
cli_undelete_line(void *arg, const struct model_deleted *d)
{
	char	 id[RECORD_ID_TEXT + 1], when[32], *name;

	(void)arg;
	record_id_format(&d->id, id);
	clock_format(d->when, when, sizeof when);
	name = model_record_name(d->type, d->rec, 0);
	printf("%s\t%s\t", model_type(d->type)->name, id);
	cli_put_escaped(stdout, name);
	printf("\t%s\t%s\n", when, d->by);
	free(name);
	return 0;
}

int
cli_undelete(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("undelete");
	struct store_txn	*t;
	struct record_id	 id;
	char			*name, idtext[RECORD_ID_TEXT + 1];
	int			 type = MODEL_ANY, ret;

	if (argc != 1 && argc != 3)
		return cli_usage(cmd, "give TYPE and ID, or nothing to list "
		    "what may come back");
	if (argc == 3 && (type = model_type_find(argv[1])) == -1)
		return cli_usage(cmd, "%s", error_get());
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0)
		return cli_fail();
	if (argc == 1) {
		printf("type\tid\tname\tdeleted_at\tdeleted_by\n");
		ret = model_deleted_list(t, &cli->s.user, cli_undelete_line,
		    NULL);
		store_abort(t);
		if (ret != 0)
			return cli_fail();
		return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
	}
	/* A prefix of a deleted record's ID: tombstones count here. */
	if ((ret = cli_deleted_id(t, type, argv[2], &id)) != 0 ||
	    model_undelete(t, &cli->s.user, type, &id) != 0) {
		store_abort(t);
		return cli_fail();
	}
	if (store_commit(t) != 0)
		return cli_fail();
	record_id_format(&id, idtext);
	name = NULL;
	if (store_begin(cli->s.st, &t) == 0) {
		struct record	*r;

		if (model_get(t, type, &id, &r) == 0) {
			name = model_record_name(type, r, 0);
			record_free(r);
		}
		store_abort(t);
	}
	fprintf(stderr, "crm: %s \"%s\" is back (%s)\n",
	    model_type(type)->name, name != NULL ? name : "", idtext);
	free(name);
	return CLI_OK;
}

/* crm duplicates: a group's records, one line each. */
static int
cli_duplicates_group(void *arg, struct record **g, size_t n)
{
	int	*group = arg, type = group[1];
	char	 id[RECORD_ID_TEXT + 1], when[32], *name;
	size_t	 i;

	group[0]++;
	for (i = 0; i < n; i++) {
		record_id_format(&g[i]->id, id);
		clock_format(g[i]->created, when, sizeof when);
		name = model_record_name(type, g[i], 0);
		printf("%d\t%s\t", group[0], id);
		cli_put_escaped(stdout, name);
		putchar('\t');
		cli_put_escaped(stdout, record_value(g[i], type ==
		    MODEL_COMPANY ? "city" : "email"));
		printf("\t%s\n", when);
		free(name);
	}
	return 0;
}

int
cli_duplicates(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("duplicates");
	struct store_txn	*t;
	int			 state[2] = { 0, 0 }, ret;

	if (argc != 2)
		return cli_usage(cmd, "give the type: company or contact");
	if ((state[1] = model_type_find(argv[1])) == -1 ||
	    !duplicate_type(state[1]))
		return cli_usage(cmd, "duplicates are looked for among "
		    "companies and contacts");
	if (cli_open(cli) != 0 || store_begin_read(cli->s.st, &t) != 0)
		return cli_fail();
	printf("group\tid\tname\t%s\tcreated_at\n", state[1] ==
	    MODEL_COMPANY ? "city" : "email");
	ret = duplicate_list(t, state[1], cli_duplicates_group, state);
	store_abort(t);
	if (ret != 0)
		return cli_fail();
	return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

int
cli_merge(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("merge");
	struct store_txn	*t;
	struct record_id	 keep, lose;
	size_t			 moved;
	int			 type;

	if (argc != 4)
		return cli_usage(cmd, "give the type, the ID to keep and the "
		    "ID to merge into it");
	if ((type = model_type_find(argv[1])) == -1 || !duplicate_type(type))
		return cli_usage(cmd, "companies and contacts are merged");
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0)
		return cli_fail();
	if (model_lookup(t, type, argv[2], &keep) != 0 ||
	    model_lookup(t, type, argv[3], &lose) != 0 ||
	    duplicate_merge(t, &cli->s.user, type, &keep, &lose, &moved) != 0) {
		store_abort(t);
		return cli_fail();
	}
	if (store_commit(t) != 0)
		return cli_fail();
	fprintf(stderr, "crm: merged %s %s into %s: %zu linked %s moved; "
	    "the one merged is in the conflict log (crm conflicts)\n",
	    model_type(type)->name, argv[3], argv[2], moved,
	    moved == 1 ? "record" : "records");
	return CLI_OK;
}
