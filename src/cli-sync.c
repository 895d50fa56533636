/* cli-sync: crm sync and crm conflicts. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "cli.h"
#include "conflict.h"
#include "error.h"
#include "model.h"
#include "store.h"
#include "sync.h"
#include "user.h"
#include "xmalloc.h"

static void
cli_sync_row(const char *name, const struct sync_counts *c)
{
	printf("%-14s %8lu %8lu %7lu %5lu %5lu %8lu %8lu %8lu %8lu %6lu\n",
	    name, c->uploaded, c->downloaded, c->merged, c->won, c->lost,
	    c->deleted, c->refused_delete, c->refused_scope, c->removed,
	    c->files);
}

static void
cli_sync_table(const struct sync_report *rep, int dry)
{
	int	f;

	printf("%-14s %8s %8s %7s %5s %5s %8s %8s %8s %8s %6s\n", "file",
	    "uploaded", "download", "merged", "won", "lost", "deleted",
	    "ref.del", "ref.scop", "removed", "files");
	for (f = 0; f < MODEL_NTYPES; f++)
		cli_sync_row(model_type(f)->plural, &rep->file[f]);
	cli_sync_row("total", &rep->total);
	if (rep->stale)
		printf("The update window had passed: the master won every "
		    "conflict.\n");
	if (rep->total.lost + rep->total.won + rep->total.refused_delete +
	    rep->total.refused_scope > 0)
		printf("Overwritten and refused values are in the conflict "
		    "log: crm conflicts.\n");
	if (rep->total.refused_delete > 0)
		printf("%lu deletion(s) were refused (RULES S12): the records "
		    "are back.\n", rep->total.refused_delete);
	if (rep->total.clamped > 0)
		printf("%lu record(s) carried times too far ahead of the "
		    "master's clock: check this computer's clock.\n",
		    rep->total.clamped);
	if (rep->total.files_missing > 0)
		printf("%lu attached file(s) were missing and not copied.\n",
		    rep->total.files_missing);
	if (dry)
		printf("Dry run: nothing was changed.\n");
}

static void
cli_sync_verify_report(void *arg, int type, const struct record_id *id,
    const char *what)
{
	char	buf[RECORD_ID_TEXT + 1];

	(void)arg;
	record_id_format(id, buf);
	printf("%s %s: %s\n", model_type(type)->name, buf, what);
}

int
cli_sync(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verify", no_argument, NULL, 'v' },
		{ "wait", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd		*cmd = cli_find("sync");
	struct sync_policy		 pol;
	struct sync_report		 rep;
	struct store			*master = NULL;
	struct store_txn		*t;
	struct user			 mu;
	char				*mdir = NULL, *end;
	const char			*env;
	long				 wait = -1, diffs;
	int				 ch, dry = 0, verify = 0, ret;
	int				 loaded = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': dry = 1; break;
		case 'v': verify = 1; break;
		case 'w':
			wait = strtol(optarg, &end, 10);
			if (*end != '\0' || wait < 0)
				return cli_usage(cmd, "--wait wants seconds, "
				    "not \"%s\"", optarg);
			break;
		default:
			return cli_usage(cmd, "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage(cmd, "unexpected argument \"%s\"",
		    argv[optind]);
	if (cli_open(cli) != 0)
		return cli_fail();
	if (cli->role != STORE_LOCAL) {
		error_set("%s is a master: sync runs on a local, against its "
		    "master (RULES S1)", cli->dir);
		return cli_fail();
	}
	mdir = xstrdup(cfg_string("db.master"));
	if (wait < 0)
		wait = cfg_int("master.wait_seconds");
	/* The master's own settings decide the policy. */
	if (access(mdir, F_OK) != 0) {
		error_set("cannot reach the master %s: check that it is mounted "
		    "(or that you are on the office network); nothing was "
		    "changed", mdir);
		goto fail;
	}
	if (cfg_load(mdir) != 0) {
		error_prefix("the master's settings: ");
		goto fail;
	}
	if (strcmp(cfg_string("db.role"), "master") != 0) {
		error_set("%s is not a master database: nothing was changed",
		    mdir);
		goto fail;
	}
	if ((master = model_open(mdir, STORE_MASTER, 0, (int)wait)) == NULL)
		goto fail;
	if (sync_check_master(cli->st, master) != 0)
		goto fail;
	/* Rights and scope come from the master's record of the user. */
	if (store_begin(master, &t) != 0)
		goto fail;
	ret = user_find_login(t, cli->user.login, &mu);
	store_abort(t);
	if (ret != 0) {
		if (ret == STORE_NOTFOUND)
			error_set("the master has no user %s any more: ask an "
			    "administrator", cli->user.login);
		goto fail;
	}
	memset(&pol, 0, sizeof pol);
	pol.user = &mu;
	pol.window_days = (int)cfg_int("sync.update_window_days");
	pol.record_level = strcmp(cfg_string("sync.granularity"),
	    "record") == 0;
	pol.tolerance_ms = 5 * 60 * 1000;
	pol.dry_run = dry;
#ifdef CRM_FAULT_INJECTION
	if ((env = getenv("CRM_SYNC_FAULT")) != NULL)
		sync_fault_set(strtoul(env, NULL, 10));
#else
	(void)env;
#endif
	if (verify) {
		if (sync_check_master(cli->st, master) != 0) {
			user_clear(&mu);
			goto fail;
		}
		diffs = sync_verify(cli->st, master, &pol,
		    cli_sync_verify_report, NULL);
		user_clear(&mu);
		if (diffs < 0)
			goto fail;
		printf("%ld difference(s) between %s and %s\n", diffs,
		    cli->dir, mdir);
		store_close(master);
		free(mdir);
		return diffs == 0 ? CLI_OK : CLI_FAIL;
	}
	/* A first sync loads in bulk; any other runs the comparison pass. */
	if ((ret = sync_load(cli->st, master, &pol, &rep)) == SYNC_ORDINARY)
		ret = sync_run(cli->st, master, &pol, &rep);
	else if (ret == 0) {
		/* The load replaces the local's files once it is closed. */
		store_close(cli->st);
		cli->st = NULL;
		loaded = 1;
	}
	user_clear(&mu);
	if (ret != 0)
		goto fail;
	if (store_close(master) != 0) {
		master = NULL;
		goto fail;
	}
	master = NULL;
	if (loaded && sync_load_switch(cli->dir, (int)wait) != 0)
		goto fail;
	cli_sync_table(&rep, dry);
	free(mdir);
	return CLI_OK;

fail:
	{
		char	*saved = xstrdup(error_get());

		store_close(master);
		error_set("sync: %s", saved);
		free(saved);
	}
	free(mdir);
	return cli_fail();
}

int
cli_conflicts(struct cli *cli, int argc, char **argv)
{
	static const char *const fields[] = { "id", "created_at", "type",
		"record", "field", "kept", "lost", "who", "changed_at", "why",
		"restored", NULL };
	const struct cli_cmd	*cmd = cli_find("conflicts");
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	struct record_id	 id;
	char			*v;
	int			 i, ret;

	if (argc > 3 || (argc >= 2 && strcmp(argv[1], "show") != 0 &&
	    strcmp(argv[1], "restore") != 0))
		return cli_usage(cmd, "give nothing, show ID or restore ID");
	if (argc == 2)
		return cli_usage(cmd, "%s needs an ID", argv[1]);
	if (cli_open(cli) != 0 || store_begin(cli->st, &t) != 0)
		return cli_fail();
	if (argc == 1) {
		if (store_cursor_open(t, STORE_CONFLICTS, STORE_BY_ID, 0,
		    &c) != 0) {
			store_abort(t);
			return cli_fail();
		}
		for (i = 0; fields[i] != NULL; i++)
			printf("%s%s", i ? "\t" : "", fields[i]);
		putchar('\n');
		while ((ret = store_cursor_next(c, &r)) == 0) {
			cli_put_row(stdout, r, fields, (size_t)i);
			record_free(r);
		}
		store_cursor_close(c);
		store_abort(t);
		return ret == -1 ? cli_fail() : CLI_OK;
	}
	ret = store_find_prefix(t, STORE_CONFLICTS, argv[2], &id);
	if (ret != 0) {
		if (ret == STORE_NOTFOUND)
			error_set("no conflict has an ID starting with \"%s\" "
			    "(see crm conflicts)", argv[2]);
		else if (ret == STORE_AMBIGUOUS)
			error_set("\"%s\" is the start of several conflict "
			    "IDs: give more of the ID", argv[2]);
		store_abort(t);
		return cli_fail();
	}
	if (strcmp(argv[1], "show") == 0) {
		if (store_get(t, STORE_CONFLICTS, &id, &r) != 0) {
			store_abort(t);
			return cli_fail();
		}
		store_abort(t);
		for (i = 0; fields[i] != NULL; i++) {
			v = model_value(r, fields[i]);
			printf("%s=", fields[i]);
			cli_put_escaped(stdout, v);
			putchar('\n');
			free(v);
		}
		record_free(r);
		return CLI_OK;
	}
	if (conflict_restore(t, &cli->user, &id) != 0) {
		store_abort(t);
		return cli_fail();
	}
	if (store_commit(t) != 0)
		return cli_fail();
	return CLI_OK;
}
