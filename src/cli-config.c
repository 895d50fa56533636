/* cli-config: read and change database settings. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cli.h"
#include "error.h"
#include "rights.h"
#include "xmalloc.h"

int
cli_config(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd	*cmd = cli_find("config");
	const struct cfg_def	*def;
	char			*v;

	if (argc < 3)
		return cli_usage(cmd, "give get KEY or set KEY VALUE");
	if ((def = cfg_find(argv[2])) == NULL)
		return cli_usage(cmd, "\"%s\" is not a setting; see "
		    "crm.conf(5)", argv[2]);
	if (strcmp(argv[1], "get") == 0) {
		if (argc != 3)
			return cli_usage(cmd, "config get takes one KEY");
		if (cfg_load(cli->dir) != 0)
			return cli_fail();
		v = cfg_text(argv[2]);
		printf("%s\n", v);
		free(v);
		return CLI_OK;
	}
	if (strcmp(argv[1], "set") != 0)
		return cli_usage(cmd, "unknown subcommand \"%s\"", argv[1]);
	if (argc != 4)
		return cli_usage(cmd, "config set takes KEY and VALUE");
	if (strncmp(argv[2], "db.", 3) == 0) {
		error_set("%s describes the database itself and is set by crm "
		    "init", argv[2]);
		return cli_fail();
	}
	/* Settings of a master are an administrator's; a local is its user's. */
	if (cli_open(cli) != 0)
		return cli_fail();
	if (cli->role == STORE_MASTER && !rights_may_administer(&cli->user))
		return cli_fail();
	cli_close(cli);
	if (cfg_set(cli->dir, argv[2], argv[3]) != 0)
		return cli_fail();
	return CLI_OK;
}
