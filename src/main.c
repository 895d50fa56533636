/* main: crm's entry point. */
#include "config.h"

#include <sys/stat.h>

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cfg.h"
#include "cli.h"
#include "screens.h"
#include "spill.h"
#include "store.h"

/*
 * The face: a command runs on the command line; without one, the
 * full-screen application starts with the same global options.
 */
static int
main_face(int argc, char **argv)
{
	struct cli		cli;
	struct tui_options	opt;
	int			i, ret;

	if ((i = cli_options(&cli, argc, argv, &ret)) == -1)
		return ret;
	if (i < argc)
		return cli_run(&cli, argc - i, argv + i);
	opt.dir = cli.dir;
	opt.login = cli.login;
	opt.password_file = cli.password_file;
	ret = screens_main(&opt);
	cfg_free();
	return ret;
}

int
main(int argc, char **argv)
{
	const char	*stats = getenv("CRM_STATS");
	const char	*aes, *mac;
	uint64_t	 opened, read, blocks, rare, bytes, files;
	int		 ret;

	/* A CRM holds personal data: nothing crm creates is for others. */
	umask(077);
	setlocale(LC_ALL, "");
	ret = main_face(argc, argv);
	/* What the command cost, counted (tests, bench/run). */
	if (stats != NULL && *stats != '\0') {
		store_stats(&opened, &read);
		fprintf(stderr, "crm: stats: %llu opened, %llu records read\n",
		    (unsigned long long)opened, (unsigned long long)read);
		if ((aes = store_cipher_stats(&blocks)) != NULL)
			fprintf(stderr, "crm: stats: %llu AES blocks by %s\n",
			    (unsigned long long)blocks, aes);
		if ((mac = store_mac_stats(&blocks, &rare)) != NULL)
			fprintf(stderr, "crm: stats: %llu SHA-1 blocks of page "
			    "MACs (%llu with a rare round) by %s\n",
			    (unsigned long long)blocks,
			    (unsigned long long)rare, mac);
		spill_stats(&bytes, &files);
		if (files > 0)
			fprintf(stderr, "crm: stats: %llu bytes set aside in "
			    "temporary files (%llu made)\n",
			    (unsigned long long)bytes,
			    (unsigned long long)files);
	}
	return ret;
}
