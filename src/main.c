/* main: crm's entry point. */
#include "config.h"

#include <sys/stat.h>

#include <locale.h>

#include "cli.h"

int
main(int argc, char **argv)
{
	/* A CRM holds personal data: nothing crm creates is for others. */
	umask(077);
	setlocale(LC_ALL, "");
	return cli_main(argc, argv);
}
