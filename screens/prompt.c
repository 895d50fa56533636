/*
 * prompt: one line of text asked for under the screen it is about (a
 * file to attach, a description, where to save a copy). For file names
 * Tab completes as a shell does and lists the candidates when several
 * fit; "~" is expanded. A secret (a password) is shown as stars and
 * wiped once given.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "fieldset.h"
#include "path.h"
#include "prompt.h"
#include "tui.h"
#include "xmalloc.h"

struct prompt_data {
	char		*title;
	char		*label;
	struct edit	 e;
	int		 paths;
	int		 secret;
	struct path_completion pc;	/* the candidates shown, if any */
	void		(*done)(void *, const char *);
	void		*arg;
	void		(*release)(void *);	/* arg, if left unanswered */
};

void
screen_prompt_secret(const char *title, const char *label,
    void (*done)(void *, const char *), void *arg)
{
	struct prompt_data	*d = xcalloc(1, sizeof *d);

	d->title = xstrdup(title);
	d->label = xstrdup(label);
	edit_init(&d->e, "");
	d->secret = 1;
	d->done = done;
	d->arg = arg;
	tui_push(&screen_prompt, d);
}

void
screen_prompt_open(const char *title, const char *label, const char *initial,
    int paths, void (*done)(void *, const char *), void *arg)
{
	screen_prompt_chain(title, label, initial, paths, done, arg, NULL);
}

void
screen_prompt_chain(const char *title, const char *label, const char *initial,
    int paths, void (*done)(void *, const char *), void *arg,
    void (*release)(void *))
{
	struct prompt_data	*d = xcalloc(1, sizeof *d);

	d->title = xstrdup(title);
	d->label = xstrdup(label);
	edit_init(&d->e, initial);
	d->paths = paths;
	d->done = done;
	d->arg = arg;
	d->release = release;
	tui_push(paths ? &screen_prompt_path : &screen_prompt, d);
}

static void
prompt_leave(struct screen *sc)
{
	struct prompt_data	*d = sc->data;

	free(d->title);
	free(d->label);
	if (d->secret && d->e.buf != NULL)
		explicit_bzero(d->e.buf, d->e.cap * sizeof *d->e.buf);
	edit_free(&d->e);
	path_completion_free(&d->pc);
	if (d->release != NULL)
		d->release(d->arg);
	free(d);
}

static int
prompt_typing(struct screen *sc)
{
	(void)sc;
	return 1;
}

/* The candidates in columns, bottom-up from row last; rows used. */
static int
prompt_draw_names(struct prompt_data *d, int last, int cols)
{
	size_t	i, percol, ncols, shown;
	int	w = 1, cw, rows, r, c;
	char	buf[64];

	for (i = 0; i < d->pc.n; i++) {
		if ((cw = tui_width(d->pc.names[i])) + 2 > w)
			w = cw + 2;
	}
	if (w > cols - 1)
		w = cols - 1;
	ncols = (size_t)((cols - 1) / w);
	if (ncols == 0)
		ncols = 1;
	/* At most half of the screen; the rest is said as a count. */
	rows = (int)((d->pc.n + ncols - 1) / ncols);
	if (rows > (last + 1) / 2)
		rows = (last + 1) / 2;
	if (rows < 1)
		return 0;
	shown = (size_t)rows * ncols;
	if (shown > d->pc.n)
		shown = d->pc.n;
	else if (shown < d->pc.n)
		shown--;
	percol = (shown + ncols - 1) / ncols;
	for (r = 0; r < rows; r++) {
		tui_put(last - rows + 1 + r, 0, cols, "", tui_attr(C_NORMAL));
		for (c = 0; c < (int)ncols; c++) {
			i = (size_t)c * percol + (size_t)r;
			if (i >= shown || (size_t)r >= percol)
				continue;
			tui_put(last - rows + 1 + r, 1 + c * w, w,
			    d->pc.names[i], tui_attr(C_NORMAL));
		}
	}
	if (shown < d->pc.n) {
		snprintf(buf, sizeof buf, "… and %zu more: type more of the "
		    "name", d->pc.n - shown);
		tui_put(last, 1 + (int)(ncols - 1) * w, cols - 1 -
		    (int)(ncols - 1) * w, buf, tui_attr(C_KEY));
	}
	return rows;
}

static void
prompt_draw(struct screen *sc, int rows, int cols)
{
	struct prompt_data	*d = sc->data;
	struct screen		*below;
	wchar_t			 out[1024];
	char			 buf[512];
	int			 lw, col, used = 0;

	/* What the prompt is about stays in view above it. */
	if (app.depth >= 2) {
		below = &app.stack[app.depth - 2];
		below->ops->draw(below, rows, cols);
	}
	if (d->pc.n > 1 && rows > 4)
		used = prompt_draw_names(d, rows - 3, cols);
	if (used > 0)
		tui_put(rows - 3 - used, 0, cols, "", tui_attr(C_HEADER));
	snprintf(buf, sizeof buf, " %s", d->title);
	tui_put(rows - 2, 0, cols, buf, tui_attr(C_TAB_ON));
	snprintf(buf, sizeof buf, " %s: ", d->label);
	lw = tui_width(buf);
	if (lw > cols / 2)
		lw = cols / 2;
	tui_put(rows - 1, 0, lw, buf, tui_attr(C_LABEL));
	if (d->secret) {
		move(rows - 1, lw);
		clrtoeol();
		col = fieldset_put_secret(rows - 1, lw, cols - lw - 1, &d->e,
		    tui_attr(C_FIELD_ON));
	} else {
		col = edit_view(&d->e, cols - lw - 1, out,
		    sizeof out / sizeof out[0]);
		move(rows - 1, lw);
		clrtoeol();
		attrset(tui_attr(C_FIELD_ON));
		addnwstr(out, -1);
		attrset(A_NORMAL);
	}
	app.cursor_y = rows - 1;
	app.cursor_x = lw + col;
}

static void
prompt_complete(struct prompt_data *d)
{
	char	*text = edit_text(&d->e);

	path_completion_free(&d->pc);
	path_complete(text, &d->pc);
	if (d->pc.n == 0)
		tui_message(1, "no file or directory starts with \"%s\"", text);
	edit_set(&d->e, d->pc.text);
	free(text);
	if (d->pc.n <= 1)
		path_completion_free(&d->pc);
}

static void
prompt_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct prompt_data	*d = sc->data;
	void			(*done)(void *, const char *) = d->done;
	void			*arg = d->arg;
	char			*text;

	switch (a) {
	case A_OPEN:
		/* Answered: done has arg now. */
		d->release = NULL;
		text = edit_text(&d->e);
		tui_pop();
		done(arg, text);
		explicit_bzero(text, strlen(text));
		free(text);
		return;
	case A_BACK:
		d->release = NULL;
		tui_pop();
		done(arg, NULL);
		return;
	case A_COMPLETE:
		if (d->paths)
			prompt_complete(d);
		tui_redraw(REDRAW_BODY);
		return;
	default:
		break;
	}
	if (edit_key(&d->e, iskey, ch) == EDIT_CHANGED)
		path_completion_free(&d->pc);
	tui_redraw(REDRAW_BODY);
}

static void
prompt_reload(struct screen *sc)
{
	/* The screen below is drawn from its own data: let it read again. */
	if (app.depth >= 2 && app.stack[app.depth - 2].ops->reload != NULL &&
	    &app.stack[app.depth - 1] == sc)
		app.stack[app.depth - 2].ops->reload(&app.stack[app.depth - 2]);
}

const struct screen_ops screen_prompt = {
	.name = "prompt",
	.keymaps = KM_PROMPT,
	.enter = NULL,
	.draw = prompt_draw,
	.key = prompt_key,
	.reload = prompt_reload,
	.leave = prompt_leave,
	.typing = prompt_typing,
	.typing_keymaps = KM_PROMPT,
	.help = "Typing a line of text",
};

/* The same, for a file name: Tab completes it. */
const struct screen_ops screen_prompt_path = {
	.name = "prompt-path",
	.keymaps = KM_PROMPT | KM_PROMPT_PATH,
	.enter = NULL,
	.draw = prompt_draw,
	.key = prompt_key,
	.reload = prompt_reload,
	.leave = prompt_leave,
	.typing = prompt_typing,
	.typing_keymaps = KM_PROMPT | KM_PROMPT_PATH,
	.help = "Typing a file name",
};
