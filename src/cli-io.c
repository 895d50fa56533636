/* cli-io: import and export (CSV, vCard, iCalendar), query, attaching files. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
#include "tui.h"
#include "utf8.h"
#include "xmalloc.h"

/*
 * A company reference given by name (not an ID): the ID of the company
 * so named, written into buf, or -1 with a message when none or several
 * are.
 */
static int
cli_import_company(struct store_txn *t, int type, struct model_change *ch,
    char *buf)
{
	const struct model_field *mf = model_field_find(type, ch->name);
	struct record_id	  id;
	int			  ret;

	if (mf == NULL || mf->kind != MODEL_REF ||
	    mf->ref_type != MODEL_COMPANY || *ch->value == '\0' ||
	    record_id_parse(ch->value, &id) == 0)
		return 0;
	if ((ret = exchange_company_find(t, ch->value, &id)) == STORE_NOTFOUND)
		error_set("no company is named \"%s\": add it first, or give "
		    "its ID", ch->value);
	if (ret != 0)
		return -1;
	record_id_format(&id, buf);
	ch->value = buf;
	return 0;
}

/* Metadata columns of an export (id, created_at...) are skipped on import. */
static int
cli_import_csv(struct cli *cli, int type, const char *path)
{
	struct csvio_reader	*rd;
	struct store_txn	*t = NULL;
	struct model_change	*ch = NULL;
	struct record_id	 id;
	char			**row, **header = NULL;
	char			(*idtext)[RECORD_ID_TEXT + 1] = NULL;
	size_t			 n, ncols = 0, i, k;
	unsigned long		 count = 0;
	int			 ret;

	if ((rd = csvio_open(path)) == NULL)
		return cli_fail();
	if ((ret = csvio_next(rd, &row, &n)) != 0) {
		if (ret == 1)
			error_set("%s is empty: its first row must name the "
			    "fields", path);
		goto fail;
	}
	header = xcalloc(n, sizeof *header);
	ncols = n;
	for (i = 0; i < n; i++) {
		header[i] = xstrdup(row[i]);
		if (!model_is_meta(row[i]) && !model_is_field(type, row[i])) {
			char	*all = model_field_list(type);

			error_set("%s line 1: %s has no field \"%s\"; its "
			    "fields are %s", path, model_type(type)->name,
			    row[i], all);
			free(all);
			goto fail;
		}
	}
	if (cli_open(cli) != 0 || store_begin(cli->st, &t) != 0)
		goto fail;
	ch = xcalloc(ncols, sizeof *ch);
	idtext = xcalloc(ncols, sizeof *idtext);
	/* One transaction: every row is imported, or none. */
	while ((ret = csvio_next(rd, &row, &n)) == 0) {
		if (n != ncols) {
			error_set("%s line %lu: %zu fields where the header "
			    "has %zu", path, csvio_line(rd), n, ncols);
			goto fail;
		}
		for (i = k = 0; i < n; i++) {
			if (model_is_meta(header[i]))
				continue;
			ch[k].name = header[i];
			ch[k].value = row[i];
			/* A company may be named, as the screens' import allows. */
			if (cli_import_company(t, type, &ch[k], idtext[k]) !=
			    0) {
				error_prefix("%s line %lu: ", path,
				    csvio_line(rd));
				goto fail;
			}
			k++;
		}
		if (model_add(t, &cli->user, type, ch, k, &id) != 0) {
			error_prefix("%s line %lu: ", path, csvio_line(rd));
			goto fail;
		}
		count++;
	}
	if (ret == -1)
		goto fail;
	if (store_commit(t) != 0) {
		t = NULL;
		goto fail;
	}
	printf("imported %lu %s from %s\n", count, count == 1 ?
	    model_type(type)->name : model_type(type)->plural, path);
	ret = CLI_OK;
	goto out;

fail:
	store_abort(t);
	error_prefix("nothing was imported: ");
	ret = cli_fail();
out:
	csvio_close(rd);
	for (i = 0; i < ncols; i++)
		free(header[i]);
	free(header);
	free(ch);
	free(idtext);
	return ret;
}

/*
 * Contacts from vCard, card by card: each is created or refused with its
 * reason on stderr, and a broken file imports nothing.
 */
static int
cli_import_cards(struct cli *cli, const char *path, int format)
{
	struct exchange_reader	*rd;
	struct exchange_row	*row;
	struct exchange_result	 res;
	struct store_txn	*t = NULL;
	unsigned long		 created = 0, refused = 0, companies = 0;
	char			 id[RECORD_ID_TEXT + 1];
	char			 cid[RECORD_ID_TEXT + 1], *name;
	const char		*what;
	char			*report = NULL;
	size_t			 reportlen = 0;
	FILE			*out = NULL;
	int			 ret;

	if ((rd = exchange_reader_open(path, format)) == NULL)
		return cli_fail();
	what = exchange_reader_format(rd) == EXCHANGE_VCARD ? "card" : "row";
	/* The report is said once the import is committed, not before. */
	if ((out = open_memstream(&report, &reportlen)) == NULL)
		fatal("open_memstream: %s", strerror(errno));
	if (cli_open(cli) != 0 || store_begin(cli->st, &t) != 0)
		goto fail;
	while ((ret = exchange_next(rd, &row)) == 0) {
		if (exchange_import(t, &cli->user, row, &res) != 0) {
			error_prefix("%s %s %lu (line %lu): ", path, what,
			    row->number, row->line);
			exchange_row_free(row);
			goto fail;
		}
		name = exchange_row_name(row);
		if (res.created) {
			created++;
			record_id_format(&res.id, id);
			fprintf(out, "%s %lu (line %lu): created contact %s "
			    "%s", what, row->number, row->line, id, name);
			if (res.company_created || res.company_matched) {
				record_id_format(&res.company, cid);
				fprintf(out, ", company \"%s\" %s %s",
				    row->company, res.company_created ?
				    "created as" : "found:", cid);
				companies += res.company_created;
			}
			if (row->remark != NULL)
				fprintf(out, " (%s)", row->remark);
			fputc('\n', out);
		} else {
			refused++;
			fprintf(out, "%s %lu (line %lu): refused%s%s: %s\n",
			    what, row->number, row->line, *name != '\0' ?
			    " " : "", name, res.reason);
		}
		free(name);
		exchange_result_clear(&res);
		exchange_row_free(row);
	}
	if (ret == -1)
		goto fail;
	if (store_commit(t) != 0) {
		t = NULL;
		goto fail;
	}
	exchange_reader_close(rd);
	fclose(out);
	fputs(report, stderr);
	free(report);
	printf("imported %lu %s from %s", created, created == 1 ? "contact" :
	    "contacts", path);
	if (companies > 0)
		printf(", with %lu new %s", companies, companies == 1 ?
		    "company" : "companies");
	if (refused > 0)
		printf("; %lu %s refused", refused, refused == 1 ? what :
		    (*what == 'c' ? "cards" : "rows"));
	printf("\n");
	if (refused > 0) {
		fprintf(stderr, "crm: %lu of %lu %ss of %s were refused: see "
		    "the reasons above\n", refused, created + refused, what,
		    path);
		return CLI_FAIL;
	}
	return CLI_OK;

fail:
	store_abort(t);
	exchange_reader_close(rd);
	if (out != NULL) {
		fclose(out);
		free(report);
	}
	error_prefix("nothing was imported: ");
	return cli_fail();
}

int
cli_import(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd	*cmd = cli_find("import");
	int			 type, opt, format = -1;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'F')
			return cli_usage(cmd, "unknown option");
		if ((format = exchange_format_find(optarg)) == -1)
			return cli_usage(cmd, "%s", error_get());
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc != 3)
		return cli_usage(cmd, "give TYPE and FILE");
	if ((type = model_type_find(argv[1])) == -1)
		return cli_usage(cmd, "%s", error_get());
	if (type == MODEL_USER) {
		error_set("users are added with crm user add, not imported");
		return cli_fail();
	}
	if (format == EXCHANGE_ICAL || (format == EXCHANGE_VCARD &&
	    type != MODEL_CONTACT))
		return cli_usage(cmd, "--format %s: import reads csv (any "
		    "type) and vcard (contacts only)",
		    exchange_format_name((enum exchange_format)format));
	/* Contacts: vCard by --format, or by a file that starts BEGIN:VCARD. */
	if (type == MODEL_CONTACT && (format == EXCHANGE_VCARD ||
	    (format == -1 && exchange_is_vcard(argv[2]))))
		return cli_import_cards(cli, argv[2], EXCHANGE_VCARD);
	return cli_import_csv(cli, type, argv[2]);
}

/* The format a file name's ending suggests, or -1. */
static int
cli_io_format_of(const char *path)
{
	const char	*dot = strrchr(path, '.');

	if (dot == NULL)
		return -1;
	if (strcasecmp(dot, ".vcf") == 0 || strcasecmp(dot, ".vcard") == 0)
		return EXCHANGE_VCARD;
	if (strcasecmp(dot, ".ics") == 0)
		return EXCHANGE_ICAL;
	return -1;
}

int
cli_export(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "where", required_argument, NULL, 'w' },
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
		format = cli_io_format_of(argv[2]);
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
	    type, (enum exchange_format)format)) == NULL)
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
	return *record_value(r, "email") != '\0';
}

/* A field of a query line: a tab or newline would break the line. */
static void
cli_query_field(const char *s, int last)
{
	for (; *s != '\0'; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
	putchar(last ? '\n' : '\t');
}

#define CLI_QUERY_PAGE	256

int
cli_query(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("query");
	struct store_txn	*t = NULL;
	struct browse		 b;
	struct browse_row	 rows[CLI_QUERY_PAGE];
	struct record_id	 cid, last;
	struct record		*co;
	char			*name, *cname = NULL;
	size_t			 got, i, shown = 0;
	long			 moved;
	int			 have_last = 0, ret;

	if (argc != 2)
		return cli_usage(cmd, "give one STRING to look for");
	if (*argv[1] == '\0')
		return cli_usage(cmd, "STRING is empty: give part of a name, "
		    "email address or company");
	browse_init(&b, MODEL_CONTACT, BROWSE_NAME);
	browse_set_search(&b, argv[1]);
	browse_set_filter(&b, cli_query_has_email, NULL);
	if (cli_open(cli) != 0 || store_begin_read(cli->st, &t) != 0)
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
			name = tui_record_name(MODEL_CONTACT, rows[i].rec);
			cli_query_field(record_value(rows[i].rec, "email"), 0);
			cli_query_field(name, 0);
			cli_query_field(cname != NULL ? cname : "", 1);
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
	ret = cli_fail();
	store_abort(t);
	browse_clear(&b);
	free(cname);
	return ret;
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
