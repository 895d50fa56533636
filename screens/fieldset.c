/*
 * fieldset: the rows of a small form that is not a record's (the
 * settings, a user's account). Text rows use the line editor, choices
 * turn as a record form's do (form_choice_turn), passwords show a fixed
 * row of stars, and facts are shown beside them, read-only.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "fieldset.h"
#include "tui.h"
#include "xmalloc.h"

static int
fieldset_editable(const struct fieldset_row *r)
{
	return r->kind != FS_INFO;
}

/* Forget a password's characters before the memory goes back. */
static void
fieldset_wipe(struct fieldset_row *r)
{
	if (r->kind == FS_SECRET && r->e.buf != NULL)
		explicit_bzero(r->e.buf, r->e.cap * sizeof *r->e.buf);
}

void
fieldset_clear(struct fieldset *fs)
{
	size_t	i;

	for (i = 0; i < fs->n; i++) {
		fieldset_wipe(&fs->rows[i]);
		edit_free(&fs->rows[i].e);
		free(fs->rows[i].value);
		free(fs->rows[i].orig);
		free(fs->rows[i].note);
	}
	memset(fs, 0, sizeof *fs);
}

size_t
fieldset_add(struct fieldset *fs, const char *label, enum fieldset_kind kind,
    const char *value, const char *note)
{
	struct fieldset_row	*r;

	if (fs->n == FIELDSET_MAX)
		fatal("too many rows in a fieldset");
	r = &fs->rows[fs->n];
	memset(r, 0, sizeof *r);
	r->label = label;
	r->kind = kind;
	if (value == NULL)
		value = "";
	if (kind == FS_TEXT || kind == FS_SECRET)
		edit_init(&r->e, value);
	else
		r->value = xstrdup(value);
	r->orig = xstrdup(kind == FS_SECRET ? "" : value);
	r->note = note != NULL ? xstrdup(note) : NULL;
	return fs->n++;
}

char *
fieldset_text(const struct fieldset *fs, size_t i)
{
	const struct fieldset_row	*r = &fs->rows[i];

	if (r->kind == FS_TEXT || r->kind == FS_SECRET)
		return edit_text(&r->e);
	return xstrdup(r->value);
}

void
fieldset_set(struct fieldset *fs, size_t i, const char *text)
{
	struct fieldset_row	*r = &fs->rows[i];

	if (r->kind == FS_TEXT || r->kind == FS_SECRET) {
		fieldset_wipe(r);
		edit_set(&r->e, text);
		return;
	}
	free(r->value);
	r->value = xstrdup(text);
}

int
fieldset_changed(const struct fieldset *fs)
{
	char	*v;
	size_t	 i;
	int	 changed = 0;

	for (i = 0; i < fs->n && !changed; i++) {
		v = fieldset_text(fs, i);
		changed = strcmp(v, fs->rows[i].orig) != 0;
		explicit_bzero(v, strlen(v));
		free(v);
	}
	return changed;
}

void
fieldset_first(struct fieldset *fs)
{
	for (fs->cur = 0; fs->cur < fs->n; fs->cur++) {
		if (fieldset_editable(&fs->rows[fs->cur]))
			return;
	}
	fs->cur = 0;
}

/* Move to the next (dir 1) or previous (-1) editable row, if any. */
static void
fieldset_move(struct fieldset *fs, int dir)
{
	size_t	i = fs->cur;

	for (;;) {
		if ((dir < 0 && i == 0) || (dir > 0 && i + 1 >= fs->n))
			return;
		i = dir > 0 ? i + 1 : i - 1;
		if (fieldset_editable(&fs->rows[i])) {
			fs->cur = i;
			return;
		}
	}
}

int
fieldset_key(struct fieldset *fs, enum action a, int iskey, wint_t ch)
{
	struct fieldset_row	*r;

	if (fs->n == 0)
		return 0;
	r = &fs->rows[fs->cur];
	switch (a) {
	case A_NEXT_FIELD:
		fieldset_move(fs, 1);
		break;
	case A_PREV_FIELD:
		fieldset_move(fs, -1);
		break;
	case A_PICK:
		/* F4 on a choice shows the next one, as Space does. */
		if (r->kind != FS_CHOICE)
			return 0;
		form_choice_turn(r->choices, &r->value, 0, ' ');
		break;
	default:
		if (r->kind == FS_CHOICE) {
			/* A choice here always holds one of its values. */
			if ((!iskey && (ch == 127 || ch == 8)) ||
			    (iskey && (ch == KEY_BACKSPACE || ch == KEY_DC)))
				return 1;
			if (!form_choice_turn(r->choices, &r->value, iskey, ch))
				return 0;
			break;
		}
		if (r->kind == FS_INFO ||
		    edit_key(&r->e, iskey, ch) == EDIT_UNHANDLED)
			return 0;
		break;
	}
	tui_redraw(REDRAW_BODY);
	return 1;
}

int
fieldset_put_secret(int y, int x, int w, const struct edit *e, int attr)
{
	/* Never the password, not even its length. */
	tui_put(y, x, w, e->len > 0 ? "********" : "", attr);
	return e->len > 0 ? 8 : 0;
}

int
fieldset_draw(struct fieldset *fs, int y, int x, int lw, int rows, int cols)
{
	struct fieldset_row	*r;
	wchar_t			 view[512];
	char			 buf[512];
	size_t			 i;
	int			 w, col, attr, on, fx = x + lw + 1;

	w = cols - fx - 1;
	if (w > 40)
		w = 40;
	for (i = 0; i < fs->n && y < rows; i++, y++) {
		r = &fs->rows[i];
		on = fs->editing && i == fs->cur;
		tui_put(y, x, lw, r->label, tui_attr(C_LABEL));
		if (w < 4)
			continue;
		col = 0;
		if (!fs->editing || r->kind == FS_INFO) {
			/* Shown, not edited: as plain text, as long as it is. */
			if (r->kind == FS_SECRET)
				fieldset_put_secret(y, fx, w, &r->e,
				    tui_attr(C_NORMAL));
			else {
				char	*v = fieldset_text(fs, i);

				tui_put(y, fx, cols - fx - 1, v,
				    tui_attr(C_NORMAL));
				free(v);
			}
		} else {
			attr = tui_attr(on ? C_FIELD_ON : C_FIELD);
			if (r->kind == FS_SECRET)
				col = fieldset_put_secret(y, fx, w, &r->e, attr);
			else if (r->kind == FS_CHOICE) {
				snprintf(buf, sizeof buf, "‹ %s ›", r->value);
				tui_put(y, fx, w, buf, attr);
			} else {
				tui_put(y, fx, w, "", attr);
				col = edit_view(&r->e, w, view, 512);
				attrset(attr);
				mvaddwstr(y, fx, view);
				attrset(A_NORMAL);
			}
		}
		if (on) {
			app.cursor_y = y;
			app.cursor_x = fx + col;
		}
		/* What the row means goes under it, where it has room. */
		if (r->note != NULL && y + 1 < rows)
			y = tui_put_wrapped(y + 1, fx, rows, cols - fx - 2,
			    r->note, tui_attr(C_NORMAL)) - 1;
	}
	return y;
}

int
form_choice_turn(const char *const *c, char **value, int iskey, wint_t ch)
{
	size_t	n, i, at = 0;

	for (n = 0; c[n] != NULL; n++) {
		if (*value != NULL && strcmp(c[n], *value) == 0)
			at = n;
	}
	if (n == 0)
		return 0;
	if ((!iskey && ch == ' ') || (iskey && ch == KEY_RIGHT))
		at = (at + 1) % n;
	else if (iskey && ch == KEY_LEFT)
		at = (at + n - 1) % n;
	else if (!iskey && ch < 128 && ch > ' ') {
		for (i = 1; i <= n; i++) {
			if (c[(at + i) % n][0] == (char)ch)
				break;
		}
		if (i > n)
			return 1;
		at = (at + i) % n;
	} else if ((!iskey && (ch == 127 || ch == 8)) ||
	    (iskey && (ch == KEY_BACKSPACE || ch == KEY_DC))) {
		free(*value);
		*value = xstrdup("");
		return 1;
	} else
		return 0;
	free(*value);
	*value = xstrdup(c[at]);
	return 1;
}
