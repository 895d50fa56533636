/* screen-help: the keys of the screen below, from the bindings table. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"
#include "xmalloc.h"

struct help_data {
	const char	*title;
	unsigned	 keymaps;
	const struct binding *rows[64];
	size_t		 n;
	size_t		 top;
};

void
screen_help_open(const struct screen *under)
{
	struct help_data	*d = xcalloc(1, sizeof *d);
	const struct binding	*b;
	size_t			 i;

	d->title = under->ops->help;
	d->keymaps = under->ops->keymaps;
	if (under->ops->typing != NULL)
		d->keymaps |= under->ops->typing_keymaps != 0 ?
		    under->ops->typing_keymaps : KM_FORM;
	for (b = bindings; b->name != NULL && d->n < 64; b++) {
		if ((b->keymaps & d->keymaps) == 0)
			continue;
		/* One line per action: the first binding that applies. */
		for (i = 0; i < d->n && d->rows[i]->action != b->action; i++)
			/* nothing */;
		if (i == d->n)
			d->rows[d->n++] = b;
	}
	tui_push(&screen_help, d);
}

static void
help_draw(struct screen *sc, int rows, int cols)
{
	struct help_data	*d = sc->data;
	const char		*why;
	char			 buf[256];
	size_t			 i;
	int			 y;

	snprintf(buf, sizeof buf, " Keys: %s", d->title);
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	for (i = d->top, y = 2; i < d->n && y < rows; i++, y++) {
		tui_put(y, 2, 14, d->rows[i]->keytext, tui_attr(C_KEY));
		/* Sync and conflicts screens (issue 5): shown disabled. */
		if ((why = screen_sync_unavailable(d->rows[i]->action)) !=
		    NULL) {
			snprintf(buf, sizeof buf, "%s: %s",
			    d->rows[i]->label, why);
			tui_put(y, 17, cols - 18, buf, A_DIM);
			continue;
		}
		tui_put(y, 17, cols - 18, d->rows[i]->label,
		    tui_attr(C_NORMAL));
	}
}

static void
help_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct help_data	*d = sc->data;
	size_t			 page = LINES > 6 ? (size_t)LINES - 6 : 1;

	(void)iskey;
	(void)ch;
	switch (a) {
	case A_BACK:
	case A_QUIT:
	case A_HELP:
		tui_pop();
		return;
	case A_DOWN:
	case A_PGDN:
		if (d->top + page < d->n)
			d->top += a == A_DOWN ? 1 : page;
		break;
	case A_UP:
		if (d->top > 0)
			d->top--;
		break;
	case A_PGUP:
	case A_HOME:
		d->top = 0;
		break;
	default:
		return;
	}
	tui_redraw(REDRAW_BODY);
}

static void
help_leave(struct screen *sc)
{
	free(sc->data);
}

const struct screen_ops screen_help = {
	.name = "help",
	.keymaps = KM_HELP,
	.draw = help_draw,
	.key = help_key,
	.leave = help_leave,
	.help = "Help",
};
