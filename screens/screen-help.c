/* screen-help: the keys of the screen below, its own and the shared ones. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listbox.h"
#include "screens.h"
#include "tui.h"
#include "xmalloc.h"

#define HELP_ROWS	128

/*
 * A screen that is typed into (a search, a field) has other keys then:
 * Enter keeps a search rather than opening the record. They come after
 * the screen's own keys, under a heading of their own (the screen's
 * typing_help, else one of these), so that neither set hides the other.
 */
static const struct {
	unsigned	 keymaps;
	const char	*heading;
} help_typing[] = {
	{ KM_SEARCH, "While searching (after /)" },
	{ KM_FORM, "While editing" },
};

/* A binding, or a heading if b is NULL (a blank line if that is too). */
struct help_row {
	const struct binding	*b;
	const char		*heading;
	const char		*why;	/* it cannot run there now: why */
};

struct help_data {
	const char	*title;
	struct help_row	 rows[HELP_ROWS];
	size_t		 n;
	struct listbox	 lb;		/* the rows, scrolled as a text */
};

static int
help_listed(struct help_data *d, const struct binding *b, size_t from)
{
	size_t	i;

	for (i = 0; i < d->n; i++) {
		if (d->rows[i].b == NULL)
			continue;
		/* A key that works in both modes is said once. */
		if (d->rows[i].b == b)
			return 1;
		/*
		 * One line per action in a section: the first that applies.
		 * Lines of the help alone (A_DOC) each say something else.
		 */
		if (i >= from && d->rows[i].b->action == b->action &&
		    b->action != A_DOC)
			return 1;
	}
	return 0;
}

static void
help_add(struct help_data *d, const struct screen *under, unsigned keymaps)
{
	const struct screen_ops	*ops = under->ops;
	const struct binding	*b;
	struct keys_walk	 walk = { 0 };
	size_t			 from = d->n;

	while (d->n < HELP_ROWS && (b = keys_next(ops, &walk)) != NULL) {
		if ((b->keymaps & keymaps) == 0 || help_listed(d, b, from))
			continue;
		if (ops->offers != NULL && !ops->offers(under, b))
			continue;
		if (ops->unavailable != NULL)
			d->rows[d->n].why = ops->unavailable(under, b);
		d->rows[d->n++].b = b;
	}
}

/* A key and what it does, or a heading. */
static void
help_draw_row(void *arg, size_t i, int y, int x, int w, int selected)
{
	struct help_data	*d = arg;
	const struct binding	*b;
	const char		*why;
	char			 buf[256];

	(void)x;
	(void)selected;
	if ((b = d->rows[i].b) == NULL) {
		if (d->rows[i].heading != NULL)
			tui_put(y, 1, w - 2, d->rows[i].heading,
			    tui_attr(C_TITLE));
		return;
	}
	tui_put(y, 2, 14, b->keytext, tui_attr(C_KEY));
	/* Offered but not here now (sync on a master): dimmed. */
	if ((why = d->rows[i].why) != NULL) {
		snprintf(buf, sizeof buf, "%s: %s", b->label, why);
		tui_put(y, 17, w - 18, buf, A_DIM);
		return;
	}
	tui_put(y, 17, w - 18, b->label, tui_attr(C_NORMAL));
}

void
screen_help_key(struct screen *sc)
{
	if (sc->ops == &screen_help)
		tui_pop();
	else
		screen_help_open(sc);
}

void
screen_help_open(const struct screen *under)
{
	struct help_data	*d = xcalloc(1, sizeof *d);
	const char		*heading = "While typing";
	unsigned		 typing;
	size_t			 i, n;

	d->title = under->ops->help;
	help_add(d, under, under->ops->keymaps);
	if (under->ops->typing == NULL)
		goto out;
	typing = under->ops->typing_keymaps != 0 ?
	    under->ops->typing_keymaps : KM_FORM;
	if ((typing & ~under->ops->keymaps) == 0)
		goto out;
	if (under->ops->typing_help != NULL)
		heading = under->ops->typing_help;
	for (i = 0; under->ops->typing_help == NULL &&
	    i < sizeof help_typing / sizeof help_typing[0]; i++) {
		if (typing & help_typing[i].keymaps) {
			heading = help_typing[i].heading;
			break;
		}
	}
	/* A blank line, the heading; neither if no key would follow. */
	if (d->n + 2 >= HELP_ROWS)
		goto out;
	n = d->n;
	d->n += 2;
	d->rows[n + 1].heading = heading;
	help_add(d, under, typing);
	if (d->n == n + 2)
		d->n = n;
out:
	listbox_init(&d->lb, 1, help_draw_row, NULL, d);
	listbox_set_rows(&d->lb, d->n);
	tui_push(&screen_help, d);
}

static void
help_draw(struct screen *sc, int rows, int cols)
{
	struct help_data	*d = sc->data;
	char			 buf[256];

	snprintf(buf, sizeof buf, " Keys: %s", d->title);
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	listbox_draw(&d->lb, 2, 0, rows - 2, cols);
}

static void
help_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct help_data	*d = sc->data;

	(void)iskey;
	(void)ch;
	switch (a) {
	case A_BACK:
	case A_QUIT:
	case A_HELP:
		tui_pop();
		return;
	default:
		/* End: the last page full, its last key on the last row. */
		if (!listbox_key(&d->lb, a))
			return;
		break;
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
	.keymaps = KM_MOVE | KM_HELP,
	.draw = help_draw,
	.key = help_key,
	.leave = help_leave,
	.help = "Help",
};
