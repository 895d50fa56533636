/*
 * listbox: where a list of rows is, and its moves. It knows nothing of
 * curses nor of the rows: a screen draws each row through the callback,
 * so the same rules move the help, a browse of records and the import's
 * rows, and the widget is tested without a terminal (tests/test-listbox).
 */
#include "config.h"

#include <stddef.h>

#include "listbox.h"

void
listbox_init(struct listbox *lb, int text,
    void (*row)(void *, size_t, int, int, int, int),
    void (*edge)(struct listbox *, long, void *), void *arg)
{
	lb->n = lb->sel = lb->top = 0;
	lb->height = 0;
	lb->text = text;
	lb->row = row;
	lb->edge = edge;
	lb->arg = arg;
}

static size_t
listbox_height(const struct listbox *lb)
{
	return lb->height > 0 ? lb->height : 1;
}

/* The selection inside the rows, shown; a text never past its last page. */
static void
listbox_show(struct listbox *lb)
{
	size_t	h = listbox_height(lb);

	if (lb->n == 0) {
		lb->sel = lb->top = 0;
		return;
	}
	if (lb->text) {
		lb->sel = 0;
		if (lb->top + h > lb->n)
			lb->top = lb->n > h ? lb->n - h : 0;
		return;
	}
	if (lb->sel >= lb->n)
		lb->sel = lb->n - 1;
	/* Fewer rows, or more room: no blank rows under the last. */
	if (lb->top + h > lb->n)
		lb->top = lb->n > h ? lb->n - h : 0;
	if (lb->sel < lb->top)
		lb->top = lb->sel;
	if (lb->sel >= lb->top + h)
		lb->top = lb->sel - h + 1;
}

void
listbox_set_rows(struct listbox *lb, size_t n)
{
	lb->n = n;
	listbox_show(lb);
}

/* pos moved by delta, inside 0 to last. */
static size_t
listbox_step(size_t pos, long delta, size_t last)
{
	if (delta < 0)
		return (size_t)-delta > pos ? 0 : pos - (size_t)-delta;
	if (pos >= last || (size_t)delta >= last - pos)
		return last;
	return pos + (size_t)delta;
}

void
listbox_move(struct listbox *lb, long delta)
{
	size_t	last;

	if (lb->text) {
		last = lb->n > listbox_height(lb) ? lb->n - listbox_height(lb) :
		    0;
		lb->top = delta == LISTBOX_FIRST ? 0 : delta == LISTBOX_LAST ?
		    last : listbox_step(lb->top, delta, last);
	} else if (lb->n > 0) {
		last = lb->n - 1;
		lb->sel = delta == LISTBOX_FIRST ? 0 : delta == LISTBOX_LAST ?
		    last : listbox_step(lb->sel, delta, last);
	}
	listbox_show(lb);
}

int
listbox_key(struct listbox *lb, enum action a)
{
	long	page = (long)listbox_height(lb), delta, to;

	switch (a) {
	case A_UP:
		delta = -1;
		break;
	case A_DOWN:
		delta = 1;
		break;
	case A_PGUP:
		delta = -page;
		break;
	case A_PGDN:
		delta = page;
		break;
	case A_HOME:
		delta = LISTBOX_FIRST;
		break;
	case A_END:
		delta = LISTBOX_LAST;
		break;
	default:
		return 0;
	}
	if (lb->edge != NULL && !lb->text) {
		/*
		 * Home, End, or past the rows held: another window. (Home
		 * and End are the ends of a long, so no sum with them.)
		 */
		if (delta == LISTBOX_FIRST || delta == LISTBOX_LAST ||
		    (to = (long)lb->sel + delta) < 0 || to >= (long)lb->n) {
			lb->edge(lb, delta, lb->arg);
			listbox_show(lb);
			return 1;
		}
	}
	listbox_move(lb, delta);
	return 1;
}

void
listbox_draw(struct listbox *lb, int y, int x, int h, int w)
{
	size_t	i;

	if (h < 1)
		return;
	if (lb->edge == NULL)
		lb->height = (size_t)h;
	listbox_show(lb);
	for (i = lb->top; i < lb->n && i < lb->top + (size_t)h; i++)
		lb->row(lb->arg, i, y + (int)(i - lb->top), x, w,
		    !lb->text && i == lb->sel);
}

size_t
listbox_end(const struct listbox *lb)
{
	size_t	end = lb->top + listbox_height(lb);

	return end < lb->n ? end : lb->n;
}
