/*
 * screens: the full-screen application put together. The framework
 * (tui.c) runs whatever screens it is given; this is where crm says which:
 * the login first, the main screen once logged in, and the keys that work
 * over every screen (help, undo).
 */
#include "config.h"

#include "tui.h"

/* The first screen: the login, then the main screen in its place. */
static void
screens_start(void)
{
	screen_login_open(&screen_main);
}

int
screens_main(const struct tui_options *opt)
{
	int	ret;

	tui_global(A_HELP, screen_help_key);
	tui_global(A_UNDO, undo_key);
	ret = tui_main(opt, screens_start);
	undo_clear();
	return ret;
}
