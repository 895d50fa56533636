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
#include "browse.h"
#include "model.h"
#include "store.h"
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
	if (cli_open(cli) != 0 || store_begin_bulk(cli->s.st, &t) != 0)
		goto fail;
	imp = exchange_import_begin(t, &cli->s.user);
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

/*
 * Write the records of TYPE that FL keeps to PATH (NULL: standard
 * output) in FORMAT, read in T: the types of an "export all" come from
 * one snapshot.
 */
static int
cli_export_type(struct store_txn *t, int type, struct cli_filter *fl,
    const char *path, enum exchange_format format, int flags)
{
	struct exchange_file	 xf;
	struct exchange_writer	*w = NULL;
	struct store_cursor	*c = NULL;
	struct record		*r;
	FILE			*f = stdout;
	char			*why;
	int			 ret;

	memset(&xf, 0, sizeof xf);
	if (cli_filter_open(fl, t, type, &c) != 0)
		return -1;
	if (path != NULL) {
		if (exchange_file_open(&xf, path) != 0)
			goto fail;
		f = xf.f;
	}
	if ((w = exchange_writer_open(f, path != NULL ? path : "the export",
	    type, format, flags)) == NULL)
		goto fail;
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (cli_filter_match(fl, r))
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
	store_cursor_close(c);
	return 0;

fail:
	/* What went wrong first is what the user is told. */
	why = xstrdup(error_get());
	exchange_writer_close(w);
	if (f != stdout)
		exchange_file_close(&xf, 0);
	store_cursor_close(c);
	error_set("%s", why);
	free(why);
	return -1;
}

/*
 * crm export all DIR: every type the user may read, each to DIR/TYPE.csv
 * (as export TYPE FILE writes it), all read from one snapshot, so that
 * the files agree with each other as the database did: a whole database
 * taken out in a form any program reads, or two compared.
 */
static int
cli_export_all(struct store_txn *t, const char *dir, int flags)
{
	struct cli_filter	 fl = { NULL, 0, 0 };
	struct stat		 sb;
	char			*path;
	int			 type, ret;

	if (mkdir(dir, 0700) != 0 &&
	    (errno != EEXIST || stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
		error_set("cannot make the directory %s: %s", dir,
		    strerror(errno == EEXIST ? ENOTDIR : errno));
		return -1;
	}
	for (type = 0; type < MODEL_NTYPES; type++) {
		xasprintf(&path, "%s/%s.csv", dir, model_type(type)->name);
		ret = cli_export_type(t, type, &fl, path, EXCHANGE_CSV, flags);
		free(path);
		if (ret != 0)
			return -1;
	}
	return 0;
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
	struct cli_filter		 fl = { NULL, 0, 0 };
	struct store_txn		*t = NULL;
	int				 type, ret, opt, format = -1;
	int				 flags = 0, all;

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
	if ((all = strcmp(argv[1], "all") == 0)) {
		ret = 0;
		if (argc != 3)
			ret = cli_usage(cmd, "export all writes a file for each "
			    "type: give the directory to put them in");
		else if (fl.n != 0)
			ret = cli_usage(cmd, "--where picks records of one "
			    "type: export them with export TYPE");
		else if (format != -1 && format != EXCHANGE_CSV)
			ret = cli_usage(cmd, "export all writes CSV: export "
			    "contacts or events alone as vcard or ical");
		if (ret != 0) {
			cli_filter_free(&fl);
			return ret;
		}
		if (cli_open(cli) != 0 ||
		    store_begin_read(cli->s.st, &t) != 0 ||
		    cli_export_all(t, argv[2], flags) != 0)
			goto fail;
		ret = CLI_OK;
		goto out;
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

	if (cli_open(cli) != 0 || store_begin_read(cli->s.st, &t) != 0 ||
	    cli_export_type(t, type, &fl, argc == 3 ? argv[2] : NULL,
	    (enum exchange_format)format, flags) != 0)
		goto fail;
	ret = CLI_OK;
	goto out;

fail:
	ret = cli_fail();
out:
	store_abort(t);
	cli_filter_free(&fl);
	return ret;
}

/*
 * crm query: contacts for mutt's query_command, found as the screens'
 * search finds them (search.h): through the words index, in name order,
 * printed as they come, so its time and memory follow what it finds.
 */

/* Only contacts with an email are of use to a mail program. */
static int
cli_query_has_email(void *arg, struct store_txn *t, const struct record *r)
{
	(void)arg;
	(void)t;
	return *record_value(r, "email") != '\0' ||
	    *record_value(r, "email2") != '\0';
}

/* A field of a query line: a tab or newline would break the line. */
static void
cli_query_field(const char *s, int last)
{
	for (; *s != '\0'; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
	putchar(last ? '\n' : '\t');
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

#define CLI_QUERY_PAGE	256

int
cli_query(struct cli *cli, int argc, char **argv)
{
	static const char *const mails[] = { "email", "email2" };
	struct store_txn	*t = NULL;
	struct browse		 b;
	struct browse_row	 rows[CLI_QUERY_PAGE];
	struct record_id	 cid, last;
	struct record		*co;
	char			*name, *cname = NULL;
	const char		*mail;
	size_t			 got, i, k, shown = 0;
	long			 moved;
	int			 have_last = 0, fd;

	if (argc != 2)
		return cli_query_fail(CLI_USAGE, "crm query: give one STRING to "
		    "look for");
	if (*argv[1] == '\0')
		return cli_query_fail(CLI_USAGE, "crm query: STRING is empty: "
		    "give part of a name, email address or company");
	/*
	 * mutt runs the query on its own terminal, reading its stdout: a
	 * password prompt or a line on stderr (a busy master's "waiting")
	 * would be written over its screen. So when stdout is not the
	 * terminal stderr is, nothing goes to stderr (a file or a pipe,
	 * as a script gives, still gets it), and without a password crm
	 * fails at once.
	 */
	if (!isatty(STDOUT_FILENO) && isatty(STDERR_FILENO) &&
	    (fd = open("/dev/null", O_WRONLY)) != -1) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	if (cli->password_file == NULL && getenv("CRM_PASSWORD") == NULL &&
	    !isatty(STDOUT_FILENO))
		return cli_query_fail(CLI_FAIL, "crm: no password for crm "
		    "query: set CRM_PASSWORD or give --password-file FILE in "
		    "mutt's query_command");
	browse_init(&b, MODEL_CONTACT, BROWSE_NAME);
	browse_set_search(&b, argv[1]);
	browse_set_filter(&b, cli_query_has_email, NULL);
	if (cli_open(cli) != 0 || store_begin_read(cli->s.st, &t) != 0)
		goto fail;
	memset(&last, 0, sizeof last);
	for (;;) {
		if (b.search == NULL) {
			got = 0;
			break;
		}
		if (browse_page(&b, t, rows, CLI_QUERY_PAGE, &got) != 0)
			goto fail;
		/* mutt shows the first line and reads the rest. */
		if (shown == 0 && got > 0 && b.hits_walk)
			printf("crm: contacts matching \"%s\"\n", argv[1]);
		else if (shown == 0 && got > 0)
			printf("crm: %zu %s for \"%s\"\n", b.nhits,
			    b.nhits == 1 ? "match" : "matches", argv[1]);
		for (i = 0; i < got; i++) {
			if (record_id_parse(record_value(rows[i].rec,
			    "company"), &cid) == 0 && (!have_last ||
			    record_id_cmp(&cid, &last) != 0)) {
				free(cname);
				cname = NULL;
				if (store_get(t, MODEL_COMPANY, &cid, &co) == 0) {
					if ((co->flags & RECORD_DELETED) == 0)
						cname = xstrdup(record_value(co,
						    "name"));
					record_free(co);
				}
				error_clear();
				last = cid;
				have_last = 1;
			} else if (*record_value(rows[i].rec, "company") ==
			    '\0') {
				free(cname);
				cname = NULL;
				have_last = 0;
			}
			name = model_record_name(MODEL_CONTACT, rows[i].rec,
			    0);
			/* One line an address: mutt offers each. */
			for (k = 0; k < 2; k++) {
				mail = record_value(rows[i].rec, mails[k]);
				if (*mail == '\0')
					continue;
				cli_query_field(mail, 0);
				cli_query_field(name, 0);
				cli_query_field(cname != NULL ? cname : "", 1);
			}
			free(name);
			shown++;
		}
		if (got > 0)
			browse_set_top(&b, &rows[got - 1]);
		browse_rows_free(rows, got);
		if (got < CLI_QUERY_PAGE)
			break;
		/* The last row read is the top now: the next page after it. */
		if (browse_move(&b, t, 1, 1, &moved) != 0)
			goto fail;
		if (moved == 0)
			break;
	}
	store_abort(t);
	browse_clear(&b);
	free(cname);
	if (shown == 0)
		printf("crm: no contact matches \"%s\"\n", argv[1]);
	if (fflush(stdout) != 0)
		return CLI_FAIL;
	return shown == 0 ? CLI_FAIL : CLI_OK;

fail:
	store_abort(t);
	browse_clear(&b);
	free(cname);
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
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0)
		return cli_fail();
	if (model_lookup(t, type, argv[2], &parent) != 0 ||
	    document_attach(t, store_dir(cli->s.st), &cli->s.user, &parent,
	    argv[3], desc, &docid) != 0) {
		store_abort(t);
		return cli_fail();
	}
	if (store_commit(t) != 0) {
		document_discard(store_dir(cli->s.st), MODEL_DOCUMENT, &docid);
		return cli_fail();
	}
	record_id_format(&docid, dtext);
	printf("%s\n", dtext);
	return CLI_OK;
}
