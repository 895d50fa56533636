/*
 * cli-letter: documents, letter templates and letters from the command
 * line.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "document.h"
#include "error.h"
#include "file.h"
#include "letter.h"
#include "model.h"
#include "store.h"
#include "xmalloc.h"

/* Is there a template of this name already (any case)? -1 on error. */
static int
cli_template_exists(struct store_txn *t, const char *name)
{
	struct record	*r;
	int		 same;

	if (letter_template_find(t, name, &r) == 0) {
		same = strcasecmp(record_value(r, "name"), name) == 0;
		record_free(r);
		return same;
	}
	error_clear();
	return 0;
}

static int
cli_template_add(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	struct model_change	 ch[2];
	struct store_txn	*t = NULL;
	struct record_id	 id;
	const char		*desc = "", *args[2];
	char			 text[RECORD_ID_TEXT + 1];
	int			 i, nargs = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--description") == 0 && i + 1 < argc)
			desc = argv[++i];
		else if (strncmp(argv[i], "--description=", 14) == 0)
			desc = argv[i] + 14;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage(cmd, "unknown option %s", argv[i]);
		else if (nargs == 2)
			return cli_usage(cmd, "give NAME and FILE only");
		else
			args[nargs++] = argv[i];
	}
	if (nargs != 2)
		return cli_usage(cmd, "give NAME and FILE");
	if (*args[0] == '\0')
		return cli_usage(cmd, "the NAME may not be empty");
	if (access(args[1], R_OK) != 0) {
		error_set("cannot add template \"%s\" from %s: %s", args[0],
		    args[1], errno == ENOENT ? "there is no such file; check "
		    "the path" : strerror(errno));
		return cli_fail();
	}
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0)
		return cli_fail();
	switch (cli_template_exists(t, args[0])) {
	case 0:
		break;
	case 1:
		error_set("a template named \"%s\" exists already: choose "
		    "another name, or give it new text with crm template "
		    "replace", args[0]);
		/* FALLTHROUGH */
	default:
		goto fail;
	}
	ch[0].name = "name";
	ch[0].value = args[0];
	ch[1].name = "description";
	ch[1].value = desc;
	if (document_store(t, store_dir(cli->s.st), &cli->s.user, MODEL_TEMPLATE,
	    args[1], ch, 2, &id) != 0)
		goto fail;
	if (store_commit(t) != 0) {
		document_discard(store_dir(cli->s.st), MODEL_TEMPLATE, &id);
		return cli_fail();
	}
	record_id_format(&id, text);
	printf("%s\n", text);
	return CLI_OK;

fail:
	store_abort(t);
	return cli_fail();
}

static int
cli_template_replace(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	struct store_txn	*t = NULL;
	struct record		*r;

	if (argc != 3)
		return cli_usage(cmd, "give the template's NAME or ID and FILE");
	if (access(argv[2], R_OK) != 0) {
		error_set("cannot read %s: %s", argv[2], strerror(errno));
		return cli_fail();
	}
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0)
		return cli_fail();
	if (letter_template_find(t, argv[1], &r) != 0)
		goto fail;
	if (document_replace(t, store_dir(cli->s.st), &cli->s.user,
	    MODEL_TEMPLATE, &r->id, argv[2]) != 0) {
		record_free(r);
		goto fail;
	}
	record_free(r);
	if (store_commit(t) != 0)
		return cli_fail();
	return CLI_OK;

fail:
	store_abort(t);
	return cli_fail();
}

static int
cli_template_show(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	struct store_txn	*t = NULL;
	struct record		*r = NULL;
	char			*text = NULL;
	size_t			 len;
	int			 ret;

	if (argc != 2)
		return cli_usage(cmd, "give the template's NAME or ID");
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0)
		return cli_fail();
	ret = letter_template_find(t, argv[1], &r) != 0 ||
	    letter_template_read(store_dir(cli->s.st), r, &text, &len) != 0;
	store_abort(t);
	record_free(r);
	if (ret)
		return cli_fail();
	fwrite(text, 1, len, stdout);
	free(text);
	if (fflush(stdout) != 0) {
		error_set("cannot write the template: %s", strerror(errno));
		return cli_fail();
	}
	return CLI_OK;
}

/* A document's content to stdout, piece by piece. */
static int
cli_document_out(void *arg, const void *p, size_t len)
{
	(void)arg;
	if (fwrite(p, 1, len, stdout) != len) {
		error_set("cannot write the document: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int
cli_document_show(struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv)
{
	struct store_txn	*t = NULL;
	struct record		*r = NULL;
	struct record_id	 id;
	const char		*output = NULL, *arg = NULL;
	int			 i, ret;

	for (i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-o") == 0 ||
		    strcmp(argv[i], "--output") == 0) && i + 1 < argc)
			output = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage(cmd, "unknown option %s", argv[i]);
		else if (arg != NULL)
			return cli_usage(cmd, "give one document ID");
		else
			arg = argv[i];
	}
	if (arg == NULL)
		return cli_usage(cmd, "give the document's ID");
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0)
		return cli_fail();
	ret = model_lookup(t, MODEL_DOCUMENT, arg, &id) != 0 ||
	    model_get(t, MODEL_DOCUMENT, &id, &r) != 0;
	store_abort(t);
	if (ret)
		return cli_fail();
	/*
	 * To stdout the content goes as it is read; a damage found late
	 * has then printed some of it, and the status says so.
	 */
	if (output != NULL)
		ret = document_export(store_dir(cli->s.st), MODEL_DOCUMENT, r,
		    output, 0);
	else {
		ret = document_read(store_dir(cli->s.st), MODEL_DOCUMENT, r,
		    cli_document_out, NULL);
		if (ret == DOCUMENT_OK && fflush(stdout) != 0) {
			error_set("cannot write the document: %s",
			    strerror(errno));
			ret = -1;
		}
	}
	record_free(r);
	return ret == DOCUMENT_OK ? CLI_OK : cli_fail();
}

int
cli_document(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("document");

	if (argc < 2)
		return cli_usage(cmd, "give show");
	if (strcmp(argv[1], "show") == 0)
		return cli_document_show(cli, cmd, argc - 1, argv + 1);
	return cli_usage(cmd, "\"%s\" is not a document command: give show",
	    argv[1]);
}

int
cli_template(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("template");

	if (argc < 2)
		return cli_usage(cmd, "give add, replace or show");
	if (strcmp(argv[1], "add") == 0)
		return cli_template_add(cli, cmd, argc - 1, argv + 1);
	if (strcmp(argv[1], "replace") == 0)
		return cli_template_replace(cli, cmd, argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return cli_template_show(cli, cmd, argc - 1, argv + 1);
	return cli_usage(cmd, "\"%s\" is not a template command: give add, "
	    "replace or show", argv[1]);
}

int
cli_letter(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("letter");
	struct store_txn	*t = NULL;
	struct record		*tmpl = NULL, *contact = NULL;
	struct record_id	 cid, note, doc;
	const char		*output = NULL, *args[2];
	char			 ntext[RECORD_ID_TEXT + 1];
	char			 dtext[RECORD_ID_TEXT + 1];
	char			*text = NULL, *dir;
	size_t			 len = 0;
	uint64_t		 now;
	int			 i, nargs = 0, written = 0;

	for (i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-o") == 0 ||
		    strcmp(argv[i], "--output") == 0) && i + 1 < argc)
			output = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage(cmd, "unknown option %s", argv[i]);
		else if (nargs == 2)
			return cli_usage(cmd, "give TEMPLATE and CONTACT only");
		else
			args[nargs++] = argv[i];
	}
	if (nargs != 2)
		return cli_usage(cmd, "give TEMPLATE and CONTACT");
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0)
		return cli_fail();
	dir = xstrdup(store_dir(cli->s.st));
	now = clock_now_ms();
	if (letter_template_find(t, args[0], &tmpl) != 0 ||
	    model_lookup(t, MODEL_CONTACT, args[1], &cid) != 0 ||
	    model_get(t, MODEL_CONTACT, &cid, &contact) != 0 ||
	    letter_make(t, dir, &cli->s.user, tmpl, contact, now, &text,
	    &len) != 0)
		goto fail;
	/* -o FILE is written first: a path that cannot be is said early. */
	if (output != NULL) {
		if (file_write(output, text, len) != 0)
			goto fail;
		written = 1;
	}
	/* From memory: the letter is on disk only as its stored file. */
	if (letter_record_text(t, dir, &cli->s.user, tmpl, contact, text, len,
	    now, &note, &doc) != 0)
		goto fail;
	if (store_commit(t) != 0) {
		t = NULL;
		document_discard(dir, MODEL_DOCUMENT, &doc);
		goto fail;
	}
	t = NULL;
	if (output == NULL) {
		fwrite(text, 1, len, stdout);
		if (fflush(stdout) != 0) {
			error_set("the letter was recorded, but it cannot be "
			    "written to stdout: %s", strerror(errno));
			goto fail;
		}
	}
	record_id_format(&note, ntext);
	record_id_format(&doc, dtext);
	fprintf(stderr, "recorded note %s with the letter as document %s\n",
	    ntext, dtext);
	i = CLI_OK;
	goto out;

fail:
	if (t != NULL)
		store_abort(t);
	if (written)
		error_prefix("the letter is in %s but was not recorded: ",
		    output);
	i = cli_fail();
out:
	if (text != NULL)
		explicit_bzero(text, len);
	free(text);
	free(dir);
	record_free(tmpl);
	record_free(contact);
	return i;
}
