/* cli-demo: create a master filled with sample data. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "demo.h"
#include "error.h"

static void
cli_demo_progress(unsigned long done, unsigned long total)
{
	fprintf(stderr, "\rcrm demo: %lu of %lu records (%lu%%)", done, total,
	    total ? done * 100 / total : 100);
	if (done == total)
		fputc('\n', stderr);
}

int
cli_demo(struct cli *cli, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "records", required_argument, NULL, 'r' },
		{ "encrypt", no_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli_cmd		*cmd = cli_find("demo");
	unsigned long			 n = 2000;
	char				*end;
	int				 ch, encrypt = 0;

	(void)cli;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			n = strtoul(optarg, &end, 10);
			if (*optarg == '-' || *end != '\0' || n < 100 ||
			    n > 100000000)
				return cli_usage(cmd, "--records wants a "
				    "number from 100 to 100000000, not \"%s\"",
				    optarg);
			break;
		case 'e':
			encrypt = 1;
			break;
		default:
			return cli_usage(cmd, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cmd, "give one DIR");
	if (demo_create(argv[optind], n, encrypt, isatty(STDERR_FILENO) ?
	    cli_demo_progress : NULL) != 0)
		return cli_fail();
	printf("created the demo master %s with %lu records: log in as demo, "
	    "password demo\n", argv[optind], n);
	return CLI_OK;
}
