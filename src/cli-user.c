/* cli-user: add and list users. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cli.h"
#include "error.h"
#include "model.h"
#include "rights.h"
#include "session.h"
#include "store.h"
#include "user.h"
#include "vault.h"
#include "xmalloc.h"

/*
 * The password to give login: --password-file FILE after the subcommand,
 * else $CRM_NEW_PASSWORD, else asked twice on the terminal. NULL (error
 * set) if there is none.
 */
static char *
cli_user_password(const char *pwfile, const char *sub, const char *login)
{
	const char	*env;
	char		*pw, *prompt;

	if (pwfile != NULL)
		return session_password_file(pwfile);
	if ((env = getenv("CRM_NEW_PASSWORD")) != NULL)
		return xstrdup(env);
	xasprintf(&prompt, "New password for %s: ", login);
	pw = cli_ask(prompt, 1);
	free(prompt);
	if (pw == NULL)
		error_set("no password for %s: give --password-file FILE after "
		    "\"%s\", set CRM_NEW_PASSWORD, or run on a terminal to be "
		    "asked", login, sub);
	return pw;
}

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
	const char			*pwfile = NULL;
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
	if (user_rights_valid(&u) != 0)
		return cli_usage(cmd, "%s", error_get());

	if (cli_open(cli) != 0)
		return cli_fail();
	if (!rights_may_manage_users(&cli->s.user, cli->s.role))
		return cli_fail();
	if ((pw = cli_user_password(pwfile, "add", u.login)) == NULL)
		return cli_fail();
	if (store_begin(cli->s.st, &t) != 0 ||
	    user_add(t, &cli->s.user, &u, pw, NULL) != 0) {
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
	if (cli_open(cli) != 0 || store_begin(cli->s.st, &t) != 0)
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

/* Change a user's name, type and rights; what is not given stays. */
static int
cli_user_set(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "type", required_argument, NULL, 't' },
		{ "restricted", no_argument, NULL, 'r' },
		{ "unrestricted", no_argument, NULL, 'R' },
		{ "may-change-manager", no_argument, NULL, 'm' },
		{ "may-not-change-manager", no_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd		*cmd = cli_find("user");
	struct store_txn		*t;
	struct user			 u;
	const char			*name = NULL;
	int				 ch, type = -1, restricted = -1;
	int				 manager = -1, ret;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': name = optarg; break;
		case 't':
			if ((type = user_type_parse(optarg)) == -1)
				return cli_usage(cmd, "%s", error_get());
			break;
		case 'r': restricted = 1; break;
		case 'R': restricted = 0; break;
		case 'm': manager = 1; break;
		case 'M': manager = 0; break;
		default:
			return cli_usage(cmd, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cmd, "give one LOGIN");
	if (cli_open(cli) != 0)
		return cli_fail();
	if (!rights_may_manage_users(&cli->s.user, cli->s.role) ||
	    store_begin(cli->s.st, &t) != 0)
		return cli_fail();
	if ((ret = user_find_login(t, argv[optind], &u)) != 0) {
		if (ret == STORE_NOTFOUND)
			error_set("there is no user %s: see crm user list",
			    argv[optind]);
		store_abort(t);
		return cli_fail();
	}
	if (name != NULL) {
		free(u.name);
		u.name = xstrdup(name);
	}
	if (type != -1)
		u.type = (enum user_type)type;
	if (restricted != -1)
		u.restricted = restricted;
	if (manager != -1)
		u.may_change_manager = manager;
	ret = user_update(t, &cli->s.user, &u);
	user_clear(&u);
	if (ret != 0) {
		store_abort(t);
		return cli_fail();
	}
	return store_commit(t) != 0 ? cli_fail() : CLI_OK;
}

/*
 * The password that opens one's own encrypted local: its key is sealed
 * again under the new one, in a moment; nothing else changes, here or
 * on the master.
 */
static int
cli_user_rewrap(struct cli *cli, const char *pwfile)
{
	char	*old, *pw;
	int	 ret;

	/* Opened from the keyring: the current password is asked for. */
	if (cli->s.password != NULL)
		old = xstrdup(cli->s.password);
	else if ((old = cli_password(cli, "Current password: ", 0)) == NULL)
		return cli_fail();
	if ((pw = cli_user_password(pwfile, "passwd", cli->login)) == NULL) {
		explicit_bzero(old, strlen(old));
		free(old);
		return cli_fail();
	}
	ret = user_password_valid(cli->login, pw);
	if (ret == 0)
		ret = vault_key_rewrap(cli->dir, cli->login, old, pw);
	explicit_bzero(old, strlen(old));
	explicit_bzero(pw, strlen(pw));
	free(old);
	free(pw);
	if (ret != 0)
		return cli_fail();
	printf("%s now opens with the new password; the master's is "
	    "changed there (crm user passwd on the master)\n", cli->dir);
	return CLI_OK;
}

int
cli_unlock(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("unlock");
	enum store_role		 role;
	const char		*login;
	uint8_t			 key[VAULT_KEY_SIZE];
	char			 text[VAULT_KEY_TEXT], *pw;
	int			 print = 0, ret;

	if (argc == 2 && strcmp(argv[1], "--print-key") == 0)
		print = 1;
	else if (argc != 1)
		return cli_usage(cmd, "unlock takes only --print-key");
	if (session_role(cli->dir, &role) != 0)
		return cli_fail();
	cli_notice();
	if (role != STORE_LOCAL || !vault_encrypted(cli->dir)) {
		error_set("%s is not an encrypted local: there is nothing to "
		    "unlock", cli->dir);
		return cli_fail();
	}
	login = cli->login != NULL ? cli->login : cfg_string("db.user");
	/* The password always: this is where it is typed once. */
	if ((pw = cli_password(cli, "Password: ", 0)) == NULL)
		return cli_fail();
	ret = vault_key_unlock(cli->dir, login, pw, key);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	if (ret != 0)
		return cli_fail();
	vault_keyring_keep(cli->dir, key,
	    (unsigned)cfg_int("security.unlock_minutes"));
	if (print) {
		vault_key_text(key, text);
		printf("%s\n", text);
		explicit_bzero(text, sizeof text);
	} else if (cfg_int("security.unlock_minutes") > 0)
		printf("%s is unlocked for %ld minute(s) in this session (crm "
		    "lock ends it)\n", cli->dir,
		    (long)cfg_int("security.unlock_minutes"));
	else
		printf("the password is right; security.unlock_minutes is 0, "
		    "so every command asks for it\n");
	explicit_bzero(key, sizeof key);
	return CLI_OK;
}

int
cli_lock(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("lock");
	enum store_role		 role;

	(void)argv;
	if (argc != 1)
		return cli_usage(cmd, "lock takes no arguments");
	if (session_role(cli->dir, &role) != 0)
		return cli_fail();
	cli_notice();
	if (role != STORE_LOCAL || !vault_encrypted(cli->dir)) {
		error_set("%s is not an encrypted local: there is nothing to "
		    "lock", cli->dir);
		return cli_fail();
	}
	if (vault_keyring_forget(cli->dir) == 0)
		printf("%s is locked: the next command asks for the "
		    "password\n", cli->dir);
	else
		printf("%s was not unlocked in this session\n", cli->dir);
	return CLI_OK;
}

/* A new password for a user (an administrator's, or one's own). */
static int
cli_user_passwd(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "password-file", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd		*cmd = cli_find("user");
	struct store_txn		*t;
	const char			*pwfile = NULL;
	char				*pw;
	int				 ch, ret;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'p')
			return cli_usage(cmd, "unknown option");
		pwfile = optarg;
	}
	if (optind + 1 != argc)
		return cli_usage(cmd, "give one LOGIN");
	if (cli_open(cli) != 0)
		return cli_fail();
	if (cli->s.role == STORE_LOCAL && vault_encrypted(cli->dir) &&
	    strcmp(argv[optind], cli->login) == 0)
		return cli_user_rewrap(cli, pwfile);
	/* A local's passwords come from the master, like its users. */
	if (cli->s.role == STORE_LOCAL &&
	    !rights_may_manage_users(&cli->s.user, cli->s.role))
		return cli_fail();
	if (!rights_may_set_password(&cli->s.user, argv[optind]))
		return cli_fail();
	if ((pw = cli_user_password(pwfile, "passwd", argv[optind])) == NULL)
		return cli_fail();
	if (store_begin(cli->s.st, &t) != 0) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
		return cli_fail();
	}
	ret = user_set_password(t, &cli->s.user, argv[optind], pw);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	if (ret != 0) {
		store_abort(t);
		return cli_fail();
	}
	return store_commit(t) != 0 ? cli_fail() : CLI_OK;
}

int
cli_user(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("user");

	if (argc < 2)
		return cli_usage(cmd, "give add, set, passwd or list");
	if (strcmp(argv[1], "add") == 0)
		return cli_user_add(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cli_user_list(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "set") == 0)
		return cli_user_set(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "passwd") == 0)
		return cli_user_passwd(cli, argc - 1, argv + 1);
	return cli_usage(cmd, "unknown subcommand \"%s\"", argv[1]);
}
