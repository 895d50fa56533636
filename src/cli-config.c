/* cli-config: read and change database settings. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cli.h"
#include "error.h"
#include "settings.h"
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
	/* The settings screen sets them the same way, through settings_set. */
	if (cli_open(cli) != 0)
		return cli_fail();
	if (settings_set(cli->dir, cli->s.st, cli->s.role, &cli->s.user,
	    cli->s.password, argv[2], argv[3],
	    (int)cfg_int("master.wait_seconds")) != 0)
		return cli_fail();
	cli_close(cli);
	return CLI_OK;
}
