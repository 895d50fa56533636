/* cli-sync: crm sync and crm conflicts. */
#include "config.h"

#include <errno.h>
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
#include "xmalloc.h"

static int	cli_sync_refused;	/* the local's login check said no */

static void
cli_sync_row(const char *name, const struct sync_counts *c)
{
	int	i;

	printf("%-14s", name);
	for (i = 0; i < SYNC_NCOUNTS; i++) {
		if (sync_count_info[i].column != NULL)
			printf(" %*lu", sync_count_info[i].width,
			    sync_count(c, i));
	}
	printf("\n");
}

static void
cli_sync_table(const struct sync_report *rep, int dry)
{
	unsigned long	i;
	int		f, c;

	printf("%-14s", "file");
	for (c = 0; c < SYNC_NCOUNTS; c++) {
		if (sync_count_info[c].column != NULL)
			printf(" %*s", sync_count_info[c].width,
			    sync_count_info[c].column);
	}
	printf("\n");
	for (f = 0; f < MODEL_NTYPES; f++)
		cli_sync_row(model_type(f)->plural, &rep->file[f]);
	cli_sync_row("total", &rep->total);
	if (rep->stale)
		printf("The update window had passed: the master %s every "
		    "conflict.\n", dry ? "would win" : "won");
	for (i = 0; i < rep->nnotes && i < SYNC_NOTES; i++)
		printf("Refused: %s\n", rep->notes[i]);
	if (rep->nnotes > SYNC_NOTES)
		printf("Refused: and %lu more (crm conflicts lists them).\n",
		    rep->nnotes - SYNC_NOTES);
	if (rep->total.lost + rep->total.won + rep->total.refused_delete +
	    rep->total.refused_scope + rep->total.refused_invalid > 0)
		printf("Overwritten and refused values are in the conflict "
		    "log: crm conflicts.\n");
	if (rep->total.refused_delete > 0)
		printf("%lu deletion(s) were refused (you may not delete "
		    "them): the records are back.\n", rep->total.refused_delete);
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

/*
 * Before the sync writes here: the password checked here was right. The
 * local stays open either way: the sync lets go of it first.
 */
static int
cli_sync_gate(void *arg)
{
	struct cli		*cli = arg;
	struct user_check	*c = cli->check;

	if (c == NULL)
		return 0;
	cli->check = NULL;
	if (user_login_finish(c, &cli->s.user) != 0) {
		cli_sync_refused = 1;
		return -1;
	}
	cli->s.logged_in = 1;
	return 0;
}

/* Told while the master is held by another: the sync waits, and says so. */
static void
cli_sync_busy(void *arg, const char *holder)
{
	(void)arg;
	fprintf(stderr, "crm: the master is in use by %s; waiting\n", holder);
}

static void
cli_sync_stats(const struct sync_stats *st)
{
	printf("%lu round trip(s), %lu frame(s) up and %lu down", st->turns,
	    st->frames_up, st->frames_down);
	if (st->bytes_up + st->bytes_down > 0)
		printf(", %llu bytes up and %llu down",
		    (unsigned long long)st->bytes_up,
		    (unsigned long long)st->bytes_down);
	printf(".\n");
}

int
cli_sync(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verify", no_argument, NULL, 'v' },
		{ "wait", required_argument, NULL, 'w' },
		{ "stats", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd		*cmd = cli_find("sync");
	struct sync_job			 job;
	char				*end, *saved, *login;
	const char			*env;
	long				 wait = -1;
	int				 ch, ret, dry = 0, verify = 0, stats = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': dry = 1; break;
		case 'v': verify = 1; break;
		case 's': stats = 1; break;
		case 'w':
			errno = 0;
			wait = strtol(optarg, &end, 10);
			if (*end != '\0' || *optarg == '\0' || wait < 0 ||
			    wait > 86400 || errno == ERANGE)
				return cli_usage(cmd, "--wait wants seconds "
				    "(0 to 86400), not \"%s\"", optarg);
			break;
		default:
			return cli_usage(cmd, "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage(cmd, "unexpected argument \"%s\"",
		    argv[optind]);
	if (dry && verify)
		return cli_usage(cmd, "--dry-run and --verify go alone");
	/*
	 * The password is checked here while ssh reaches the master (both
	 * take tens of milliseconds, on two cores); the sync waits for the
	 * answer before it writes anything here (cli_sync_gate). A refused
	 * login is the answer, whatever the master said meanwhile.
	 */
	if (cli_open_start(cli) != 0)
		return cli_fail();
	if (cli->s.role != STORE_LOCAL) {
		if (cli_open_finish(cli) != 0)
			return cli_fail();
		error_set("%s is a master: sync runs on a local, against its "
		    "master, never on the master itself", cli->dir);
		return cli_fail();
	}
	/* A local syncs as its own user only (RULES.md T1). */
	if (*cfg_string("db.user") != '\0' &&
	    strcmp(cfg_string("db.user"), cli->login) != 0) {
		error_set("%s is %s's local: it syncs as %s only", cli->dir,
		    cfg_string("db.user"), cfg_string("db.user"));
		return cli_fail();
	}
	if (wait < 0)
		wait = cfg_int("master.wait_seconds");
	memset(&job, 0, sizeof job);
	job.dir = cli->dir;
	job.local = cli->s.st;
	login = xstrdup(cli->login);
	job.login = login;
	/* Unlocked from the keyring: the master still wants the password. */
	if (cli->s.password == NULL &&
	    (cli->s.password = cli_password(cli, "Password: ", 0)) == NULL) {
		free(login);
		return cli_fail();
	}
	job.password = cli->s.password;
	job.wait_seconds = (int)wait;
	job.dry_run = dry;
	job.verify = verify;
	job.report = cli_sync_verify_report;
#ifdef CRM_FAULT_INJECTION
	if ((env = getenv("CRM_SYNC_FAULT")) != NULL)
		sync_fault_set(strtoul(env, NULL, 10));
	if ((env = getenv("CRM_SYNC_CUT")) != NULL)
		sync_cut_set(strtoul(env, NULL, 10));
	sync_pause_set(getenv("CRM_SYNC_PAUSE"));
#else
	(void)env;
#endif
	job.busy = cli_sync_busy;
	job.gate = cli_sync_gate;
	job.arg = cli;
	if ((ret = sync_job_open(&job)) == 0)
		ret = sync_job_run(&job);
	cli->s.st = job.local;
	free(login);
	/* Not asked yet (the master never answered): the login comes first. */
	if (cli->check != NULL) {
		saved = xstrdup(error_get());
		if (cli_open_finish(cli) != 0) {
			sync_job_close(&job);
			free(saved);
			return cli_fail();
		}
		error_set("%s", saved);
		free(saved);
	}
	if (ret != 0) {
		sync_job_close(&job);
		if (cli_sync_refused)
			return cli_fail();
		saved = xstrdup(error_get());
		error_set("sync: %s", saved);
		free(saved);
		return cli_fail();
	}
	if (verify) {
		printf("%ld difference(s) between %s and %s\n", job.diffs,
		    cli->dir, job.master_dir);
		if (stats)
			cli_sync_stats(&job.stats);
		sync_job_close(&job);
		return job.diffs == 0 ? CLI_OK : CLI_FAIL;
	}
	cli_sync_table(&job.rep, dry);
	if (stats)
		cli_sync_stats(&job.stats);
	sync_job_close(&job);
	return CLI_OK;
}

int
cli_serve(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd		*cmd = cli_find("serve");
	const char			*only = NULL, *env;
	int				 ch;

	(void)cli;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'u': only = optarg; break;
		default:
			return cli_usage(cmd, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cmd, "give the master's directory");
	if (isatty(STDIN_FILENO) || isatty(STDOUT_FILENO)) {
		error_set("crm serve speaks the sync protocol on its standard "
		    "input and output: it is run by crm sync through ssh, "
		    "not by hand");
		return cli_fail();
	}
#ifdef CRM_FAULT_INJECTION
	if ((env = getenv("CRM_SERVE_FAULT")) != NULL)
		sync_fault_set(strtoul(env, NULL, 10));
#else
	(void)env;
#endif
	/* The master's own settings, as its crm.conf says them. */
	if (cfg_load(argv[optind]) != 0)
		return cli_fail();
	store_set_cache_mb((int)cfg_int("store.cache_mb"));
	if (sync_serve(STDIN_FILENO, STDOUT_FILENO, argv[optind], only) != 0)
		return cli_fail();
	return CLI_OK;
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
	struct record_id	 id, made;
	char			*v, text[RECORD_ID_TEXT + 1];
	int			 i, ret;

	if (argc > 3 || (argc >= 2 && strcmp(argv[1], "show") != 0 &&
	    strcmp(argv[1], "restore") != 0))
		return cli_usage(cmd, "give nothing, show ID or restore ID");
	if (argc == 2)
		return cli_usage(cmd, "%s needs an ID", argv[1]);
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0)
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
	if ((ret = conflict_restore(t, &cli->s.user, &id, &made)) == -1) {
		store_abort(t);
		return cli_fail();
	}
	if (store_commit(t) != 0)
		return cli_fail();
	/* A record made again: its new ID alone, as crm add prints it. */
	if (ret == CONFLICT_MADE_AGAIN) {
		record_id_format(&made, text);
		printf("%s\n", text);
	}
	return CLI_OK;
}
