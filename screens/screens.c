/*
 * screens: the full-screen application put together. The framework
 * (tui.c) runs whatever screens it is given; this is where crm says which:
 * the login first, the main screen once logged in, the screens that show
 * a record and its form, and the keys that work over every screen (help,
 * undo).
 */
#include "config.h"

#include "actions.h"
#include "model.h"
#include "screens.h"
#include "tui.h"
#include "undo.h"

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

	screen_record_register(-1, screen_record_show);
	screen_record_register(MODEL_CAMPAIGN, screen_campaign_show);
	screen_form_register(screen_form_show);
	tui_global(A_HELP, screen_help_key);
	tui_global(A_UNDO, undo_key);
	ret = tui_main(opt, screens_start);
	undo_clear();
	return ret;
}
