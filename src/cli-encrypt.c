/* cli-encrypt: crm encrypt, a plain local made encrypted at rest. */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "cli.h"
#include "encrypt.h"
#include "error.h"
#include "session.h"
#include "store.h"
#include "vault.h"

/* Records done of the total, on one line of the terminal. */
static void
cli_encrypt_progress(void *arg, uint64_t done, uint64_t total)
{
	int	*shown = arg;

	fprintf(stderr, "\rcrm encrypt: %llu / %llu records",
	    (unsigned long long)done, (unsigned long long)total);
	fflush(stderr);
	*shown = 1;
}

#ifdef CRM_FAULT_INJECTION
/*
 * A test build is stopped dead (SIGKILL: nothing of it runs after) at
 * the Nth step of the conversion and its switch, CRM_FAULT_ENCRYPT_STEP=N.
 */
static unsigned long	cli_encrypt_fault_at, cli_encrypt_steps;

static void
cli_encrypt_tick(void)
{
	if (++cli_encrypt_steps == cli_encrypt_fault_at)
		kill(getpid(), SIGKILL);
}

static void
cli_encrypt_faults(void)
{
	const char	*env;

	if ((env = getenv("CRM_FAULT_ENCRYPT_STEP")) == NULL)
		return;
	cli_encrypt_fault_at = strtoul(env, NULL, 10);
	encrypt_fault(cli_encrypt_tick);
	store_load_fault(cli_encrypt_tick);
}
#else
static void
cli_encrypt_faults(void)
{
}
#endif

int
cli_encrypt(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("encrypt");
	enum store_role		 role;
	const char		*owner;
	uint8_t			 key[VAULT_KEY_SIZE];
	int			 shown = 0, ret;

	if (argc != 1)
		return cli_usage(cmd, "unexpected argument \"%s\"", argv[1]);
	if (session_role(cli->dir, &role) != 0)
		return cli_fail();
	cli_notice();
	if (role == STORE_MASTER) {
		error_set("crm encrypt converts a local; %s is a master, which "
		    "stays as it is: keep a master on a server's encrypted "
		    "disk", cli->dir);
		return cli_fail();
	}
	if (vault_encrypted(cli->dir)) {
		error_set("%s is encrypted already: there is nothing to "
		    "convert", cli->dir);
		return cli_fail();
	}
	/* The key is sealed under the password of the local's own user. */
	owner = cfg_string("db.user");
	if (cli->login != NULL && *owner != '\0' &&
	    strcmp(owner, cli->login) != 0) {
		error_set("crm encrypt seals %s under the password of its own "
		    "user, %s: run it as %s (nothing was changed)", cli->dir,
		    owner, owner);
		return cli_fail();
	}
	/* Its own user (cli_open's default): the password is checked. */
	if (cli_open(cli) != 0)
		return cli_fail();
	cli_encrypt_faults();
	ret = encrypt_local(cli->s.st, cli->s.password, isatty(STDERR_FILENO) ?
	    cli_encrypt_progress : NULL, &shown, key);
	cli->s.st = NULL;
	if (shown)
		fputc('\n', stderr);
	if (ret == STORE_BUSY || ret != 0)
		return cli_fail();
	/* The password was typed: later commands need not ask again. */
	vault_keyring_keep(cli->dir, key,
	    (unsigned)cfg_int("security.unlock_minutes"));
	explicit_bzero(key, sizeof key);
	printf("%s is encrypted: it opens with %s's password from now on. A "
	    "forgotten password cannot be recovered: then make a new local "
	    "(crm init --local, then crm sync), since the master holds "
	    "everything synchronized\n", cli->dir, cli->login);
	return CLI_OK;
}
