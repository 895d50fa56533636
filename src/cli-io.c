/* cli-io: CSV import and export, and attaching files. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "csvio.h"
#include "document.h"
#include "error.h"
#include "file.h"
#include "model.h"
#include "store.h"
#include "xmalloc.h"

/* Metadata columns of an export (id, created_at...) are skipped on import. */
int
cli_import(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("import");
	struct csvio_reader	*rd;
	struct store_txn	*t = NULL;
	struct model_change	*ch = NULL;
	struct record_id	 id;
	char			**row, **header = NULL;
	size_t			 n, ncols = 0, i, k;
	unsigned long		 count = 0;
	int			 type, ret;

	if (argc != 3)
		return cli_usage(cmd, "give TYPE and FILE");
	if ((type = model_type_find(argv[1])) == -1)
		return cli_usage(cmd, "%s", error_get());
	if (type == MODEL_USER) {
		error_set("users are added with crm user add, not imported");
		return cli_fail();
	}
	if ((rd = csvio_open(argv[2])) == NULL)
		return cli_fail();
	if ((ret = csvio_next(rd, &row, &n)) != 0) {
		if (ret == 1)
			error_set("%s is empty: its first row must name the "
			    "fields", argv[2]);
		goto fail;
	}
	header = xcalloc(n, sizeof *header);
	ncols = n;
	for (i = 0; i < n; i++) {
		header[i] = xstrdup(row[i]);
		if (!model_is_meta(row[i]) && !model_is_field(type, row[i])) {
			char	*all = model_field_list(type);

			error_set("%s line 1: %s has no field \"%s\"; its "
			    "fields are %s", argv[2], model_type(type)->name,
			    row[i], all);
			free(all);
			goto fail;
		}
	}
	if (cli_open(cli) != 0 || store_begin(cli->st, &t) != 0)
		goto fail;
	ch = xcalloc(ncols, sizeof *ch);
	/* One transaction: every row is imported, or none. */
	while ((ret = csvio_next(rd, &row, &n)) == 0) {
		if (n != ncols) {
			error_set("%s line %lu: %zu fields where the header "
			    "has %zu", argv[2], csvio_line(rd), n, ncols);
			goto fail;
		}
		for (i = k = 0; i < n; i++) {
			if (model_is_meta(header[i]))
				continue;
			ch[k].name = header[i];
			ch[k++].value = row[i];
		}
		if (model_add(t, &cli->user, type, ch, k, &id) != 0) {
			error_prefix("%s line %lu: ", argv[2], csvio_line(rd));
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
	    model_type(type)->name : model_type(type)->plural, argv[2]);
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
	return ret;
}

int
cli_export(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd		*cmd = cli_find("export");
	const struct model_type		*mt;
	struct store_txn		*t = NULL;
	struct store_cursor		*c = NULL;
	struct record			*r;
	const char			**names = NULL;
	char				**vals = NULL, *tmp = NULL;
	FILE				*f = stdout;
	size_t				 n = 0, i;
	int				 type, ret, fd;

	if (argc != 2 && argc != 3)
		return cli_usage(cmd, "give TYPE and perhaps FILE");
	if ((type = model_type_find(argv[1])) == -1)
		return cli_usage(cmd, "%s", error_get());
	mt = model_type(type);
	names = xcalloc(mt->nfields + 6, sizeof *names);
	for (i = 0; model_meta_fields[i] != NULL; i++)
		names[n++] = model_meta_fields[i];
	for (i = 0; i < mt->nfields; i++) {
		if ((mt->fields[i].flags & MODEL_SECRET) == 0)
			names[n++] = mt->fields[i].name;
	}
	vals = xcalloc(n, sizeof *vals);

	if (cli_open(cli) != 0 || store_begin(cli->st, &t) != 0 ||
	    store_cursor_open(t, (size_t)type, model_schema[type].name_fields[0]
	    != NULL ? STORE_BY_NAME : STORE_BY_ID, 0, &c) != 0)
		goto fail;
	if (argc == 3) {
		/* Written whole under a temporary name, then renamed. */
		xasprintf(&tmp, "%s.tmp", argv[2]);
		unlink(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
			error_set("cannot create %s: %s", tmp,
			    strerror(errno));
			if (fd != -1)
				close(fd);
			free(tmp);
			tmp = NULL;
			f = stdout;
			goto fail;
		}
	}
	if (csvio_write_row(f, names, n) != 0)
		goto fail;
	while ((ret = store_cursor_next(c, &r)) == 0) {
		for (i = 0; i < n; i++)
			vals[i] = model_value(r, names[i]);
		ret = csvio_write_row(f, (const char *const *)vals, n);
		for (i = 0; i < n; i++)
			free(vals[i]);
		record_free(r);
		if (ret != 0)
			goto fail;
	}
	if (ret == -1)
		goto fail;
	if (fflush(f) != 0 || (f != stdout && fsync(fileno(f)) != 0)) {
		error_set("cannot write %s: %s", argc == 3 ? argv[2] :
		    "the export", strerror(errno));
		goto fail;
	}
	if (f != stdout) {
		if (fclose(f) != 0) {
			f = stdout;
			error_set("cannot write %s: %s", argv[2],
			    strerror(errno));
			goto fail;
		}
		f = stdout;
		if (rename(tmp, argv[2]) != 0) {
			error_set("cannot rename %s to %s: %s", tmp, argv[2],
			    strerror(errno));
			goto fail;
		}
	}
	ret = CLI_OK;
	goto out;

fail:
	ret = cli_fail();
	if (f != stdout)
		fclose(f);
	if (tmp != NULL)
		unlink(tmp);
out:
	store_cursor_close(c);
	store_abort(t);
	free(tmp);
	free(names);
	free(vals);
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
