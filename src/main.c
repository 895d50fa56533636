/* main: crm's entry point. */
#include "config.h"

#include <sys/stat.h>

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "store.h"

int
main(int argc, char **argv)
{
	const char	*stats = getenv("CRM_STATS");
	uint64_t	 opened, read;
	int		 ret;

	/* A CRM holds personal data: nothing crm creates is for others. */
	umask(077);
	setlocale(LC_ALL, "");
	ret = cli_main(argc, argv);
	/* What the command cost, counted (tests, bench/run). */
	if (stats != NULL && *stats != '\0') {
		store_stats(&opened, &read);
		fprintf(stderr, "crm: stats: %llu opened, %llu records read\n",
		    (unsigned long long)opened, (unsigned long long)read);
	}
	return ret;
}
