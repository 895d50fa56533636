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

#include "listbox.h"
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
	struct listbox	 lb;		/* the lines, scrolled */
};

static void
read_line(void *arg, size_t i, int y, int x, int w, int selected)
{
	struct read_data	*d = arg;

	(void)selected;
	tui_put(y, x, w, d->lines[i], tui_attr(C_NORMAL));
}

void
screen_read_open(const char *title, const char *text)
{
	struct read_data	*d = xcalloc(1, sizeof *d);

	d->title = xstrdup(title);
	d->text = xstrdup(text);
	listbox_init(&d->lb, 1, read_line, NULL, d);
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
	listbox_set_rows(&d->lb, d->nlines);
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

	read_wrap(d, cols);
	snprintf(buf, sizeof buf, " %s", d->title);
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	listbox_draw(&d->lb, 1, 1, rows - 1, cols - 2);
	/* Where in the text: the lines shown of how many. */
	if (d->nlines > (size_t)(rows - 1) && cols > 30) {
		snprintf(buf, sizeof buf, " lines %zu-%zu of %zu ",
		    d->lb.top + 1, listbox_end(&d->lb), d->nlines);
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

	(void)iskey;
	(void)ch;
	read_wrap(d, COLS);
	switch ((int)a) {
	case A_BACK:
		tui_pop();
		return;
	case A_VIEW_FILE:
		read_pager(d);
		return;
	default:
		/* The first line shown moves, up to the last page. */
		if (listbox_key(&d->lb, a))
			tui_redraw(REDRAW_BODY);
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
