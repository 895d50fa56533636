/*
 * layers: the core linked alone and whole (Makefile.am), with nothing of
 * the screens nor of curses. Linking it is the test: a call from any core
 * object into the screens is an undefined symbol here.
 */
#include "config.h"

int
main(void)
{
	return 0;
}
