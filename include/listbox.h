/*
 * listbox (screens/listbox.c): the one widget under every list of rows on
 * the screens, whatever the rows are. It owns where the list is (the
 * selected row, the first row shown, how many rows are shown), moves it
 * for the list keys by one set of rules, and draws the rows shown through
 * a callback; the rows themselves stay with the screen.
 *
 * Three kinds, one set of rules:
 *  - a list that selects (the deleted records, the import's rows): the
 *    selection moves, the first row shown follows it;
 *  - a text that only scrolls (the help, the reader): no selection, the
 *    first row shown moves, never past the last page;
 *  - a window of rows read a part at a time (a browse of records, the
 *    pipeline's stages): when a move would leave the rows held, or on
 *    Home and End, edge reads another window and sets n, sel and top.
 *
 * Up and Down move by one, PgUp and PgDn by the rows shown, Home and End
 * to the first and the last; every move stops at the ends.
 */
#ifndef CRM_LISTBOX_H
#define CRM_LISTBOX_H

#include <limits.h>
#include <stddef.h>

#include "tui.h"

/* The delta edge is asked for on Home and End. */
#define LISTBOX_FIRST	LONG_MIN
#define LISTBOX_LAST	LONG_MAX

struct listbox {
	size_t	 n;		/* rows held */
	size_t	 sel;		/* the selected row (not for a text) */
	size_t	 top;		/* the first row shown */
	size_t	 height;	/* rows shown, at least 1 once drawn */
	int	 text;		/* a text: it scrolls, nothing is selected */
	/* Draw row i at y, x, w columns wide; selected: it is the selection. */
	void	(*row)(void *arg, size_t i, int y, int x, int w, int selected);
	/*
	 * A window of rows: move it by delta rows from the row at the
	 * selection (LISTBOX_FIRST, LISTBOX_LAST: to the first or last
	 * window), read it and set n, sel and top. NULL: all rows are held.
	 */
	void	(*edge)(struct listbox *, long delta, void *arg);
	void	*arg;		/* row's and edge's */
};

/* A list that selects (text 0) or a text (1); edge may be NULL. */
void	 listbox_init(struct listbox *, int text,
	    void (*row)(void *, size_t, int, int, int, int),
	    void (*edge)(struct listbox *, long, void *), void *arg);
/* The rows are now n: the selection and the first row shown stay inside. */
void	 listbox_set_rows(struct listbox *, size_t n);
/*
 * Move for a list key: 1 if a was one (Up, Down, PgUp, PgDn, Home, End),
 * whether or not it could move; the caller asks for the redraw.
 */
int	 listbox_key(struct listbox *, enum action a);
/* Move the selection by delta rows, stopping at the ends (no edge). */
void	 listbox_move(struct listbox *, long delta);
/*
 * Draw the rows shown in h rows from y: h becomes the height, but for a
 * window, whose height is what its owner reads (set it before reading).
 */
void	 listbox_draw(struct listbox *, int y, int x, int h, int w);
/* The row after the last shown (top + rows shown, at most n). */
size_t	 listbox_end(const struct listbox *);

#endif
