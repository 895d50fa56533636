/* cli-user: add and list users. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"
#include "model.h"
#include "rights.h"
#include "store.h"
#include "user.h"
#include "xmalloc.h"

static int
cli_user_add(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "name", required_argument, NULL, 'n' },
		{ "type", required_argument, NULL, 't' },
		{ "restricted", no_argument, NULL, 'r' },
		{ "may-change-manager", no_argument, NULL, 'm' },
		{ "password-file", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd		*cmd = cli_find("user");
	struct user			 u;
	struct store_txn		*t;
	const char			*pwfile = NULL, *env;
	char				*pw = NULL;
	int				 ch, type;

	memset(&u, 0, sizeof u);
	u.type = USER_USER;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			snprintf(u.uid, sizeof u.uid, "%s", optarg);
			if (strlen(optarg) != RECORD_UID_SIZE)
				return cli_usage(cmd, "a user ID is exactly 5 "
				    "letters or digits, not \"%s\"", optarg);
			break;
		case 'n': u.name = optarg; break;
		case 't':
			if ((type = user_type_parse(optarg)) == -1)
				return cli_usage(cmd, "%s", error_get());
			u.type = (enum user_type)type;
			break;
		case 'r': u.restricted = 1; break;
		case 'm': u.may_change_manager = 1; break;
		case 'p': pwfile = optarg; break;
		default:
			return cli_usage(cmd, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cmd, "give one LOGIN");
	u.login = argv[optind];
	if (*u.uid == '\0')
		return cli_usage(cmd, "give the user's ID with --id UID");
	if (u.restricted && u.type != USER_REMOTE)
		return cli_usage(cmd, "--restricted is for remote users: add "
		    "--type remote");

	if (cli_open(cli) != 0)
		return cli_fail();
	if (!rights_may_administer(&cli->user))
		return cli_fail();
	if (pwfile != NULL)
		pw = cli_read_password_file(pwfile);
	else if ((env = getenv("CRM_NEW_PASSWORD")) != NULL)
		pw = xstrdup(env);
	else if ((pw = cli_ask("Password for the new user: ", 1)) == NULL)
		error_set("no password for %s: give --password-file FILE after "
		    "\"add\", set CRM_NEW_PASSWORD, or run on a terminal to be "
		    "asked", u.login);
	if (pw == NULL)
		return cli_fail();
	if (store_begin(cli->st, &t) != 0 ||
	    user_add(t, &cli->user, &u, pw, NULL) != 0) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
		store_abort(t);
		return cli_fail();
	}
	explicit_bzero(pw, strlen(pw));
	free(pw);
	if (store_commit(t) != 0)
		return cli_fail();
	return CLI_OK;
}

static int
cli_user_list(struct cli *cli, int argc, char **argv)
{
	struct store_txn	*t;
	struct store_cursor	*c;
	struct record		*r;
	struct user		 u;
	int			 ret;

	(void)argv;
	if (argc != 1)
		return cli_usage(cli_find("user"), "user list takes no "
		    "arguments");
	if (cli_open(cli) != 0 || store_begin(cli->st, &t) != 0)
		return cli_fail();
	if (store_cursor_open(t, MODEL_USER, STORE_BY_NAME, 0, &c) != 0) {
		store_abort(t);
		return cli_fail();
	}
	printf("login\tuid\tname\ttype\trestricted\tmay_change_manager\n");
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (user_from_record(r, &u) == 0) {
			cli_put_escaped(stdout, u.login);
			printf("\t%s\t", u.uid);
			cli_put_escaped(stdout, u.name);
			printf("\t%s\t%s\t%s\n", user_type_name(u.type),
			    u.restricted ? "yes" : "no",
			    u.may_change_manager ? "yes" : "no");
			user_clear(&u);
		}
		record_free(r);
	}
	store_cursor_close(c);
	store_abort(t);
	return ret == -1 ? cli_fail() : CLI_OK;
}

int
cli_user(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("user");

	if (argc < 2)
		return cli_usage(cmd, "give add or list");
	if (strcmp(argv[1], "add") == 0)
		return cli_user_add(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cli_user_list(cli, argc - 1, argv + 1);
	return cli_usage(cmd, "unknown subcommand \"%s\"", argv[1]);
}
