/* cli-io: import and export (CSV, vCard, iCalendar), query, attaching files. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "csvio.h"
#include "document.h"
#include "exchange.h"
#include "error.h"
#include "file.h"
#include "model.h"
#include "store.h"
#include "tui.h"
#include "utf8.h"
#include "xmalloc.h"

/* What an import did, counted for its last line. */
struct cli_import_counts {
	unsigned long	 n[MODEL_NTYPES][4];	/* by type and action */
	unsigned long	 companies;		/* made for contacts */
	unsigned long	 rows;
};

/* "line 3: add contact Anna Berg (new company "Acme")": a row's fate. */
static void
cli_import_line(FILE *out, const char *path, const struct exchange_row *row,
    const struct exchange_result *res, int dry)
{
	char		*name = exchange_row_name(row);
	char		 id[RECORD_ID_TEXT + 1];
	const char	*co = exchange_row_value(row, "company");

	fprintf(out, "%s line %lu: %s %s", path, row->line,
	    exchange_action_name(res->action), model_type(row->type)->name);
	if (res->action == EXCHANGE_UPDATE || res->action == EXCHANGE_SAME ||
	    (res->action == EXCHANGE_ADD && !dry)) {
		record_id_format(&res->id, id);
		fprintf(out, " %s", id);
	}
	if (*name != '\0')
		fprintf(out, " %s", name);
	free(name);
	if (res->action == EXCHANGE_REFUSED)
		fprintf(out, ": %s", res->reason);
	else {
		if (res->action == EXCHANGE_UPDATE && res->changed != NULL)
			fprintf(out, ": %s", res->changed);
		if (res->company_created)
			fprintf(out, " (new company \"%s\")", co);
		if (row->remark != NULL)
			fprintf(out, " (%s)", row->remark);
	}
	fputc('\n', out);
}

static void
cli_import_summary(FILE *out, const char *path, int type,
    const struct cli_import_counts *c, int dry)
{
	const unsigned long	*k = c->n[type];
	const struct model_type	*mt = model_type(type);
	unsigned long		 done = k[EXCHANGE_ADD] + k[EXCHANGE_UPDATE];
	unsigned long		 co = c->companies + (type == MODEL_CONTACT ?
				    c->n[MODEL_COMPANY][EXCHANGE_ADD] : 0);
	unsigned long		 cu = c->n[MODEL_COMPANY][EXCHANGE_UPDATE];

	fprintf(out, "%s %lu %s from %s (%lu added, %lu updated, %lu "
	    "unchanged", dry ? "would import" : "imported", done, done == 1 ?
	    mt->name : mt->plural, path, k[EXCHANGE_ADD], k[EXCHANGE_UPDATE],
	    k[EXCHANGE_SAME]);
	if (k[EXCHANGE_REFUSED] > 0)
		fprintf(out, ", %lu refused", k[EXCHANGE_REFUSED]);
	fputc(')', out);
	if (co > 0)
		fprintf(out, ", with %lu new %s", co, co == 1 ? "company" :
		    "companies");
	if (type == MODEL_CONTACT && cu > 0)
		fprintf(out, "; %lu %s updated", cu, cu == 1 ? "company" :
		    "companies");
	if (dry)
		fputs("; nothing was written (--dry-run)", out);
	fputc('\n', out);
}

int
cli_import(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "skip-refused", no_argument, NULL, 's' },
		{ "map", required_argument, NULL, 'm' },
		{ "ignore-unknown", no_argument, NULL, 'i' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "separator", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd	*cmd = cli_find("import");
	struct exchange_options	 o;
	struct exchange_reader	*rd = NULL;
	struct exchange_import	*imp = NULL;
	struct exchange_row	*row;
	struct exchange_result	 res;
	struct cli_import_counts c;
	struct store_txn	*t = NULL;
	char			*report = NULL, *refused = NULL;
	size_t			 reportlen = 0, refusedlen = 0;
	FILE			*out = NULL, *ref = NULL;
	const char		*path, *note;
	unsigned long		 nref = 0;
	int			 type, opt, format = -1, dry = 0, skip = 0;
	int			 ret, i;

	memset(&o, 0, sizeof o);
	memset(&c, 0, sizeof c);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'F':
			if ((format = exchange_format_find(optarg)) == -1)
				return cli_usage(cmd, "%s", error_get());
			break;
		case 'n':
			dry = 1;
			break;
		case 's':
			skip = 1;
			break;
		case 'm':
			o.map = optarg;
			break;
		case 'i':
			o.ignore_unknown = 1;
			break;
		case 'e':
			o.encoding = optarg;
			break;
		case 'S':
			if (strcmp(optarg, ",") == 0 || strcmp(optarg, ";") ==
			    0)
				o.separator = *optarg;
			else if (strcmp(optarg, "tab") == 0 ||
			    strcmp(optarg, "\t") == 0)
				o.separator = '\t';
			else
				return cli_usage(cmd, "--separator is , ; or "
				    "tab, not \"%s\"", optarg);
			break;
		default:
			return cli_usage(cmd, "unknown option");
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 3)
		return cli_usage(cmd, "give TYPE and FILE");
	if ((type = model_type_find(argv[1])) == -1)
		return cli_usage(cmd, "%s", error_get());
	path = argv[2];
	if (type == MODEL_USER) {
		error_set("users are added with crm user add, not imported");
		return cli_fail();
	}
	if (format != -1 && !exchange_format_readable(type,
	    (enum exchange_format)format))
		return cli_usage(cmd, "--format %s: %s",
		    exchange_format_name((enum exchange_format)format),
		    error_get());
	/* The file's own faults are said before a password is asked for. */
	if ((rd = exchange_reader_open(path, type, format, &o)) == NULL)
		return cli_fail();
	if ((out = open_memstream(&report, &reportlen)) == NULL ||
	    (ref = open_memstream(&refused, &refusedlen)) == NULL)
		fatal("open_memstream: %s", strerror(errno));
	if (cli_open(cli) != 0 || store_begin(cli->st, &t) != 0)
		goto fail;
	imp = exchange_import_begin(t, &cli->user);
	/* One transaction: every row is imported, or none. */
	while ((ret = exchange_next(rd, &row)) == 0) {
		if (exchange_import_row(imp, row, &res) != 0) {
			error_prefix("%s line %lu: ", path, row->line);
			exchange_row_free(row);
			goto fail;
		}
		c.rows++;
		c.n[row->type][res.action]++;
		c.companies += res.company_created;
		if (res.action == EXCHANGE_REFUSED)
			cli_import_line(ref, path, row, &res, dry);
		else if (dry || row->remark != NULL || res.company_created)
			cli_import_line(out, path, row, &res, dry);
		exchange_result_clear(&res);
		exchange_row_free(row);
	}
	if (ret == -1)
		goto fail;
	exchange_import_end(imp);
	imp = NULL;
	fclose(out);
	fclose(ref);
	out = ref = NULL;
	note = exchange_reader_note(rd);
	for (i = 0; i < MODEL_NTYPES; i++)
		nref += c.n[i][EXCHANGE_REFUSED];
	if (dry) {
		store_abort(t);
		if (note != NULL)
			printf("%s: %s\n", path, note);
		fputs(report, stdout);
		fputs(refused, stdout);
		cli_import_summary(stdout, path, type, &c, 1);
		ret = nref > 0 && !skip ? CLI_FAIL : CLI_OK;
		goto out;
	}
	if (nref > 0 && !skip) {
		store_abort(t);
		if (nref == 1) {
			/* One message, as every failure has. */
			refused[strcspn(refused, "\n")] = '\0';
			fprintf(stderr, "crm: nothing was imported: %s; correct "
			    "it, or give --skip-refused to import the other "
			    "%ss\n", refused, exchange_row_word(
			    exchange_reader_format(rd)));
			ret = CLI_FAIL;
			goto out;
		}
		fputs(refused, stderr);
		fprintf(stderr, "crm: nothing was imported: %lu of the %lu %ss "
		    "of %s %s refused (see above); correct %s, or give "
		    "--skip-refused to import the others\n", nref, c.rows,
		    exchange_row_word(exchange_reader_format(rd)), path,
		    nref == 1 ? "was" : "were", nref == 1 ? "it" : "them");
		ret = CLI_FAIL;
		goto out;
	}
	if (store_commit(t) != 0)
		goto fail_committed;
	if (note != NULL)
		fprintf(stderr, "crm: %s: %s\n", path, note);
	fputs(report, stderr);
	fputs(refused, stderr);
	cli_import_summary(stdout, path, type, &c, 0);
	ret = nref > 0 ? CLI_FAIL : CLI_OK;
	goto out;

fail:
	store_abort(t);
fail_committed:
	error_prefix("nothing was imported: ");
	ret = cli_fail();
out:
	exchange_import_end(imp);
	if (out != NULL)
		fclose(out);
	if (ref != NULL)
		fclose(ref);
	free(report);
	free(refused);
	exchange_reader_close(rd);
	return ret;
}

int
cli_export(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "where", required_argument, NULL, 'w' },
		{ "ids", no_argument, NULL, 'I' },
		{ "plain", no_argument, NULL, 'P' },
		{ "floating", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd		*cmd = cli_find("export");
	struct cli_filter		 fl = { NULL, 0 };
	struct exchange_file		 xf;
	struct exchange_writer		*w = NULL;
	struct store_txn		*t = NULL;
	struct store_cursor		*c = NULL;
	struct record			*r;
	FILE				*f = stdout;
	int				 type, ret, opt, format = -1;
	int				 flags = 0;

	memset(&xf, 0, sizeof xf);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'F':
			if ((format = exchange_format_find(optarg)) == -1) {
				cli_filter_free(&fl);
				return cli_usage(cmd, "%s", error_get());
			}
			break;
		case 'I':
			flags |= EXCHANGE_IDS;
			break;
		case 'P':
			flags |= EXCHANGE_PLAIN;
			break;
		case 'T':
			flags |= EXCHANGE_FLOATING;
			break;
		case 'w':
			if (cli_filter_arg(&fl, optarg) != 0) {
				cli_filter_free(&fl);
				return cli_usage(cmd, "%s", error_get());
			}
			break;
		default:
			cli_filter_free(&fl);
			return cli_usage(cmd, "unknown option");
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 2 && argc != 3) {
		cli_filter_free(&fl);
		return cli_usage(cmd, "give TYPE and perhaps FILE");
	}
	if ((type = model_type_find(argv[1])) == -1 ||
	    cli_filter_check(&fl, type) != 0) {
		cli_filter_free(&fl);
		return cli_usage(cmd, "%s", error_get());
	}
	if (format == -1 && argc == 3)
		format = exchange_format_of_name(argv[2]);
	if (format == -1)
		format = EXCHANGE_CSV;
	if (!exchange_format_allowed(type, (enum exchange_format)format)) {
		cli_filter_free(&fl);
		return cli_usage(cmd, "%s", error_get());
	}

	if (cli_open(cli) != 0 || store_begin_read(cli->st, &t) != 0 ||
	    cli_filter_open(&fl, t, type, &c) != 0)
		goto fail;
	if (argc == 3) {
		if (exchange_file_open(&xf, argv[2]) != 0)
			goto fail;
		f = xf.f;
	}
	if ((w = exchange_writer_open(f, argc == 3 ? argv[2] : "the export",
	    type, (enum exchange_format)format, flags)) == NULL)
		goto fail;
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (cli_filter_match(&fl, r))
			ret = exchange_put(w, t, r);
		record_free(r);
		if (ret != 0)
			goto fail;
	}
	if (ret == -1)
		goto fail;
	ret = exchange_writer_close(w);
	w = NULL;
	if (ret != 0)
		goto fail;
	if (f == stdout && fflush(stdout) != 0) {
		error_set("cannot write the export: %s", strerror(errno));
		goto fail;
	}
	if (f != stdout && exchange_file_close(&xf, 1) != 0)
		goto fail;
	ret = CLI_OK;
	goto out;

fail:
	ret = cli_fail();
	exchange_writer_close(w);
	if (f != stdout)
		exchange_file_close(&xf, 0);
out:
	store_cursor_close(c);
	store_abort(t);
	cli_filter_free(&fl);
	return ret;
}

/* crm query: contacts for mutt's query_command. */

/* Companies whose folded name holds the query: a sorted set of IDs. */
struct cli_query_set {
	struct record_id	*ids;
	size_t			 n, cap;
};

static int
cli_query_idcmp(const void *a, const void *b)
{
	return record_id_cmp(a, b);
}

static int
cli_query_companies(struct store_txn *t, const char *q,
    struct cli_query_set *set)
{
	struct store_cursor	*c;
	struct record		*r;
	char			*name;
	int			 ret;

	if (store_cursor_open(t, MODEL_COMPANY, STORE_BY_ID, 0, &c) != 0)
		return -1;
	while ((ret = store_cursor_next(c, &r)) == 0) {
		name = utf8_fold(record_value(r, "name"));
		if (strstr(name, q) != NULL) {
			if (set->n == set->cap) {
				set->cap = set->cap ? set->cap * 2 : 64;
				set->ids = xreallocarray(set->ids, set->cap,
				    sizeof *set->ids);
			}
			set->ids[set->n++] = r->id;
		}
		free(name);
		record_free(r);
	}
	store_cursor_close(c);
	/* Walked by ID, so already in order; sort anyway for bsearch. */
	qsort(set->ids, set->n, sizeof *set->ids, cli_query_idcmp);
	return ret == -1 ? -1 : 0;
}

/* A field of a query line: a tab or newline would break the line. */
static char *
cli_query_field(const char *s)
{
	char	*d = xstrdup(s), *p;

	for (p = d; *p != '\0'; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
	}
	return d;
}

/*
 * A failed query says why on stdout's first line, which mutt shows on its
 * status line (and exit status 1 makes it an error there); stderr would
 * be written over mutt's screen.
 */
static int
cli_query_fail(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
cli_query_fail(int status, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return status;
}

int
cli_query(struct cli *cli, int argc, char **argv)
{
	struct cli_query_set	 set = { NULL, 0, 0 };
	struct store_txn	*t = NULL;
	struct store_cursor	*c = NULL;
	struct record		*r, *co;
	struct record_id	 cid, last;
	char			*q, *name, *folded, *mail, **lines = NULL;
	char			*line, *cname = NULL, *f[3];
	size_t			 nlines = 0, cap = 0, i, k;
	const char		*v;
	int			 ret, match, in_set, have_last = 0, fd;

	if (argc != 2)
		return cli_query_fail(CLI_USAGE, "crm query: give one STRING to "
		    "look for");
	if (*argv[1] == '\0')
		return cli_query_fail(CLI_USAGE, "crm query: STRING is empty: "
		    "give part of a name, email address or company");
	/*
	 * mutt runs the query on its own terminal, reading its stdout: a
	 * password prompt or a line on stderr (a busy master's "waiting")
	 * would be written over its screen. So without a terminal to answer
	 * on, nothing goes to stderr, and without a password crm fails at
	 * once.
	 */
	if (!isatty(STDOUT_FILENO) && (fd = open("/dev/null", O_WRONLY)) !=
	    -1) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	if (cli->password_file == NULL && getenv("CRM_PASSWORD") == NULL &&
	    !isatty(STDOUT_FILENO))
		return cli_query_fail(CLI_FAIL, "crm: no password for crm "
		    "query: set CRM_PASSWORD or give --password-file FILE in "
		    "mutt's query_command");
	q = utf8_fold(argv[1]);
	if (cli_open(cli) != 0 || store_begin_read(cli->st, &t) != 0)
		goto fail;
	if (cli_query_companies(t, q, &set) != 0 ||
	    store_cursor_open(t, MODEL_CONTACT, STORE_BY_ID, 0, &c) != 0)
		goto fail;
	memset(&last, 0, sizeof last);
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (*record_value(r, "email") == '\0' &&
		    *record_value(r, "email2") == '\0') {
			record_free(r);
			continue;
		}
		name = tui_record_name(MODEL_CONTACT, r);
		folded = utf8_fold(name);
		xasprintf(&line, "%s %s", record_value(r, "email"),
		    record_value(r, "email2"));
		mail = utf8_fold(line);
		free(line);
		match = strstr(folded, q) != NULL || strstr(mail, q) != NULL;
		in_set = record_id_parse(record_value(r, "company"), &cid) ==
		    0;
		if (!match && in_set && set.n > 0)
			match = bsearch(&cid, set.ids, set.n, sizeof cid,
			    cli_query_idcmp) != NULL;
		if (match) {
			if (in_set && (!have_last ||
			    record_id_cmp(&cid, &last) != 0)) {
				free(cname);
				cname = NULL;
				if (store_get(t, MODEL_COMPANY, &cid, &co) ==
				    0) {
					cname = xstrdup(record_value(co,
					    "name"));
					record_free(co);
				}
				error_clear();
				last = cid;
				have_last = 1;
			}
			/* One line an address: mutt offers each. */
			f[1] = cli_query_field(name);
			f[2] = cli_query_field(in_set && cname != NULL ?
			    cname : "");
			for (k = 0; k < 2; k++) {
				v = record_value(r, k == 0 ? "email" :
				    "email2");
				if (*v == '\0')
					continue;
				if (nlines == cap) {
					cap = cap ? cap * 2 : 64;
					lines = xreallocarray(lines, cap,
					    sizeof *lines);
				}
				f[0] = cli_query_field(v);
				xasprintf(&line, "%s\t%s\t%s", f[0], f[1],
				    f[2]);
				free(f[0]);
				lines[nlines++] = line;
			}
			free(f[1]);
			free(f[2]);
		}
		free(mail);
		free(folded);
		free(name);
		record_free(r);
	}
	if (ret == -1)
		goto fail;
	store_cursor_close(c);
	store_abort(t);
	c = NULL;
	t = NULL;
	/* mutt shows the first line and reads the rest. */
	if (nlines == 0)
		printf("crm: no contact matches \"%s\"\n", argv[1]);
	else
		printf("crm: %zu %s for \"%s\"\n", nlines, nlines == 1 ?
		    "match" : "matches", argv[1]);
	for (i = 0; i < nlines; i++) {
		printf("%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	free(set.ids);
	free(cname);
	free(q);
	if (fflush(stdout) != 0)
		return CLI_FAIL;
	return nlines == 0 ? CLI_FAIL : CLI_OK;

fail:
	store_cursor_close(c);
	store_abort(t);
	for (i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	free(set.ids);
	free(cname);
	free(q);
	return cli_query_fail(CLI_FAIL, "crm: %s", error_get());
}


int
cli_attach(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "description", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd		*cmd = cli_find("attach");
	struct store_txn		*t = NULL;
	struct record_id		 parent, docid;
	const char			*desc = NULL;
	char				 dtext[RECORD_ID_TEXT + 1];
	int				 type, opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'd')
			return cli_usage(cmd, "unknown option");
		desc = optarg;
	}
	argc -= optind - 1;
	argv += optind - 1;
	/* Options may also follow the arguments. */
	if (argc == 6 && strcmp(argv[4], "--description") == 0) {
		desc = argv[5];
		argc = 4;
	}
	if (argc != 4)
		return cli_usage(cmd, "give TYPE, ID and FILE");
	if (desc == NULL)
		return cli_usage(cmd, "give --description TEXT");
	if ((type = model_type_find(argv[1])) == -1)
		return cli_usage(cmd, "%s", error_get());
	/* A missing file is said before a password is asked for. */
	if (access(argv[3], R_OK) != 0) {
		error_set("cannot attach %s: %s", argv[3], errno == ENOENT ?
		    "there is no such file; check the path" : strerror(errno));
		return cli_fail();
	}
	if (cli_open(cli) != 0 || store_begin(cli->st, &t) != 0)
		return cli_fail();
	if (model_lookup(t, type, argv[2], &parent) != 0 ||
	    document_attach(t, store_dir(cli->st), &cli->user, &parent,
	    argv[3], desc, &docid) != 0) {
		store_abort(t);
		return cli_fail();
	}
	if (store_commit(t) != 0) {
		document_discard(store_dir(cli->st), MODEL_DOCUMENT, &docid);
		return cli_fail();
	}
	record_id_format(&docid, dtext);
	printf("%s\n", dtext);
	return CLI_OK;
}
