/*
 * screen-read: long text read in full (a note's text, a description),
 * wrapped to the screen and scrolled, or handed to $PAGER (o).
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "screens.h"
#include "tui.h"
#include "xmalloc.h"

/* Its own keymap (tui.h); o is the document keys' A_VIEW_FILE (screens.h). */
#define KM_READER	KM_SCREEN

static const struct binding read_bindings[] = {
	KEYS_SHARED(KEYS_MOVE),
	KEYS_BACK(KM_READER),
	{ A_VIEW_FILE, "pager", KM_READER, { 'o', '|' }, "o",
	  "the text in $PAGER", 1 },
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

struct read_data {
	char		*title;
	char		*text;
	char		**lines;
	size_t		 nlines;
	int		 cols;		/* the width lines were wrapped for */
	size_t		 top;
};

void
screen_read_open(const char *title, const char *text)
{
	struct read_data	*d = xcalloc(1, sizeof *d);

	d->title = xstrdup(title);
	d->text = xstrdup(text);
	tui_push(&screen_read, d);
}

static void
read_wrap(struct read_data *d, int cols)
{
	if (d->lines != NULL && d->cols == cols)
		return;
	tui_wrap_free(d->lines, d->nlines);
	d->nlines = tui_wrap(d->text, cols - 2, &d->lines);
	d->cols = cols;
}

static void
read_leave(struct screen *sc)
{
	struct read_data	*d = sc->data;

	tui_wrap_free(d->lines, d->nlines);
	free(d->title);
	free(d->text);
	free(d);
}

static void
read_draw(struct screen *sc, int rows, int cols)
{
	struct read_data	*d = sc->data;
	char			 buf[512];
	size_t			 i;
	int			 y;

	read_wrap(d, cols);
	if (d->top + 1 > d->nlines)
		d->top = d->nlines > 0 ? d->nlines - 1 : 0;
	snprintf(buf, sizeof buf, " %s", d->title);
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	for (i = d->top, y = 1; i < d->nlines && y < rows; i++, y++)
		tui_put(y, 1, cols - 2, d->lines[i], tui_attr(C_NORMAL));
	/* Where in the text: the lines shown of how many. */
	if (d->nlines > (size_t)(rows - 1) && cols > 30) {
		snprintf(buf, sizeof buf, " lines %zu-%zu of %zu ", d->top + 1,
		    i, d->nlines);
		tui_put(0, cols - tui_width(buf), tui_width(buf), buf,
		    tui_attr(C_TAB_ON));
	}
}

/* o: the text in $PAGER, from a private temporary file. */
static void
read_pager(struct read_data *d)
{
	const char	*pager = run_env("PAGER", "less");
	char		*path;
	int		 status;

	if ((path = run_temp(d->text, strlen(d->text), ".txt")) == NULL)
		return;
	status = run_program(pager, path);
	if (status == RUN_NOT_FOUND)
		tui_message(1, "cannot run the pager \"%s\": it was not found; "
		    "set PAGER to one you have", pager);
	else if (status > 0)
		tui_message(1, "%s ended with status %d", pager, status);
	unlink(path);
	free(path);
}

static void
read_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct read_data	*d = sc->data;
	size_t			 page = LINES > 4 ? (size_t)(LINES - 4) : 1;
	size_t			 last;

	(void)iskey;
	(void)ch;
	read_wrap(d, COLS);
	last = d->nlines > page ? d->nlines - page : 0;
	switch ((int)a) {
	case A_BACK:
		tui_pop();
		return;
	case A_VIEW_FILE:
		read_pager(d);
		return;
	default:
		/* The first line shown moves, up to a last page. */
		tui_move(a, &d->top, last + 1, page);
		return;
	}
}

const struct screen_ops screen_read = {
	.name = "read",
	.keymaps = KM_MOVE | KM_READER,
	.bindings = read_bindings,
	.draw = read_draw,
	.key = read_key,
	.leave = read_leave,
	.help = "Reading a long text",
};
