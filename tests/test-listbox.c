/* test-listbox: the list widget's moves, edges and drawing, no terminal. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "listbox.h"
#include "unit.h"

/* The rows drawn by the last listbox_draw, as "i@y*" ("*": selected). */
static char	drawn[256];

static void
row(void *arg, size_t i, int y, int x, int w, int selected)
{
	size_t	len = strlen(drawn);

	(void)arg;
	(void)x;
	(void)w;
	snprintf(drawn + len, sizeof drawn - len, "%s%zu@%d%s",
	    len > 0 ? " " : "", i, y, selected ? "*" : "");
}

static const char *
draw(struct listbox *lb, int h)
{
	drawn[0] = '\0';
	listbox_draw(lb, 2, 0, h, 80);
	return drawn;
}

/* 10 rows, 4 shown: one set of rules for every key. */
static void
test_select(void)
{
	struct listbox	lb;

	listbox_init(&lb, 0, row, NULL, NULL);
	listbox_set_rows(&lb, 10);
	CU_ASSERT_STRING_EQUAL(draw(&lb, 4), "0@2* 1@3 2@4 3@5");
	CU_ASSERT_EQUAL(lb.height, 4);
	/* Up at the first row: nothing moves, the key was still the list's. */
	CU_ASSERT(listbox_key(&lb, A_UP));
	CU_ASSERT_EQUAL(lb.sel, 0);
	CU_ASSERT(listbox_key(&lb, A_DOWN));
	CU_ASSERT_EQUAL(lb.sel, 1);
	/* A page is the rows shown; the first row shown follows. */
	CU_ASSERT(listbox_key(&lb, A_PGDN));
	CU_ASSERT_EQUAL(lb.sel, 5);
	CU_ASSERT_EQUAL(lb.top, 2);
	CU_ASSERT_STRING_EQUAL(draw(&lb, 4), "2@2 3@3 4@4 5@5*");
	CU_ASSERT(listbox_key(&lb, A_PGDN));
	CU_ASSERT_EQUAL(lb.sel, 9);
	/* PgDn at the last row stops there. */
	CU_ASSERT(listbox_key(&lb, A_PGDN));
	CU_ASSERT_EQUAL(lb.sel, 9);
	CU_ASSERT_EQUAL(lb.top, 6);
	CU_ASSERT(listbox_key(&lb, A_PGUP));
	CU_ASSERT_EQUAL(lb.sel, 5);
	CU_ASSERT_EQUAL(lb.top, 5);
	CU_ASSERT(listbox_key(&lb, A_HOME));
	CU_ASSERT_EQUAL(lb.sel, 0);
	CU_ASSERT_EQUAL(lb.top, 0);
	CU_ASSERT(listbox_key(&lb, A_END));
	CU_ASSERT_EQUAL(lb.sel, 9);
	CU_ASSERT_STRING_EQUAL(draw(&lb, 4), "6@2 7@3 8@4 9@5*");
	/* Not a list key. */
	CU_ASSERT(!listbox_key(&lb, A_OPEN));
	/* Fewer rows: the selection stays on one, and in sight. */
	listbox_set_rows(&lb, 3);
	CU_ASSERT_EQUAL(lb.sel, 2);
	CU_ASSERT_STRING_EQUAL(draw(&lb, 4), "0@2 1@3 2@4*");
	/* A taller screen shows more, the selection still in it. */
	listbox_set_rows(&lb, 10);
	listbox_move(&lb, LISTBOX_LAST);
	CU_ASSERT_STRING_EQUAL(draw(&lb, 2), "8@2 9@3*");
	CU_ASSERT_EQUAL(lb.top, 8);
	/* No blank rows under the last while rows above are hidden. */
	CU_ASSERT_STRING_EQUAL(draw(&lb, 3), "7@2 8@3 9@4*");
	listbox_move(&lb, -3);
	CU_ASSERT_STRING_EQUAL(draw(&lb, 3), "6@2* 7@3 8@4");
}

static void
test_empty(void)
{
	struct listbox	lb;
	enum action	a[] = { A_UP, A_DOWN, A_PGUP, A_PGDN, A_HOME, A_END };
	size_t		i;
	int		text;

	for (text = 0; text <= 1; text++) {
		listbox_init(&lb, text, row, NULL, NULL);
		CU_ASSERT_STRING_EQUAL(draw(&lb, 5), "");
		for (i = 0; i < sizeof a / sizeof a[0]; i++) {
			CU_ASSERT(listbox_key(&lb, a[i]));
			CU_ASSERT_EQUAL(lb.sel, 0);
			CU_ASSERT_EQUAL(lb.top, 0);
		}
	}
}

/* A text scrolls; nothing is selected; never past its last page. */
static void
test_text(void)
{
	struct listbox	lb;

	listbox_init(&lb, 1, row, NULL, NULL);
	listbox_set_rows(&lb, 10);
	CU_ASSERT_STRING_EQUAL(draw(&lb, 4), "0@2 1@3 2@4 3@5");
	CU_ASSERT(listbox_key(&lb, A_DOWN));
	CU_ASSERT_EQUAL(lb.top, 1);
	CU_ASSERT(listbox_key(&lb, A_PGDN));
	CU_ASSERT_EQUAL(lb.top, 5);
	CU_ASSERT(listbox_key(&lb, A_PGDN));
	CU_ASSERT_EQUAL(lb.top, 6);
	CU_ASSERT_EQUAL(listbox_end(&lb), 10);
	CU_ASSERT(listbox_key(&lb, A_DOWN));
	CU_ASSERT_EQUAL(lb.top, 6);
	CU_ASSERT(listbox_key(&lb, A_PGUP));
	CU_ASSERT_EQUAL(lb.top, 2);
	CU_ASSERT(listbox_key(&lb, A_PGUP));
	CU_ASSERT_EQUAL(lb.top, 0);
	/* End: the last page full, its last row on the last row shown. */
	CU_ASSERT(listbox_key(&lb, A_END));
	CU_ASSERT_STRING_EQUAL(draw(&lb, 4), "6@2 7@3 8@4 9@5");
	CU_ASSERT(listbox_key(&lb, A_HOME));
	CU_ASSERT_EQUAL(lb.top, 0);
	/* Shorter than the rows shown: it does not scroll. */
	listbox_set_rows(&lb, 3);
	CU_ASSERT(listbox_key(&lb, A_END));
	CU_ASSERT_EQUAL(lb.top, 0);
	CU_ASSERT_STRING_EQUAL(draw(&lb, 4), "0@2 1@3 2@4");
}

/*
 * A window of a longer list of 0 to 99, 5 rows held at a time from first:
 * the edge reads another window, as a browse does.
 */
static size_t	first, asked;
static long	last_delta;

static void
edge(struct listbox *lb, long delta, void *arg)
{
	long	to;

	(void)arg;
	asked++;
	last_delta = delta;
	if (delta == LISTBOX_FIRST) {
		first = 0;
		lb->sel = 0;
	} else if (delta == LISTBOX_LAST) {
		first = 95;
		lb->sel = 4;
	} else {
		/* The window starts at the row moved to, or ends at 99. */
		to = (long)first + (long)lb->sel + delta;
		to = to < 0 ? 0 : to > 99 ? 99 : to;
		first = (size_t)to < 95 ? (size_t)to : 95;
		lb->sel = (size_t)to - first;
	}
	lb->top = 0;
	lb->n = 5;
}

static void
test_window(void)
{
	struct listbox	lb;

	listbox_init(&lb, 0, row, edge, NULL);
	lb.height = 5;
	listbox_set_rows(&lb, 5);
	first = asked = 0;
	/* Inside the rows held: no reading. */
	CU_ASSERT(listbox_key(&lb, A_DOWN));
	CU_ASSERT(listbox_key(&lb, A_END) && asked == 1);
	CU_ASSERT_EQUAL(first + lb.sel, 99);
	CU_ASSERT(listbox_key(&lb, A_HOME) && asked == 2);
	CU_ASSERT_EQUAL(first + lb.sel, 0);
	CU_ASSERT(listbox_key(&lb, A_DOWN) && asked == 2);
	CU_ASSERT_EQUAL(lb.sel, 1);
	/* Past the rows held, by a row or a page: the edge, told how far. */
	CU_ASSERT(listbox_key(&lb, A_PGDN) && asked == 3);
	CU_ASSERT_EQUAL(last_delta, 5);
	CU_ASSERT_EQUAL(first + lb.sel, 6);
	CU_ASSERT(listbox_key(&lb, A_UP) && asked == 4);
	CU_ASSERT_EQUAL(last_delta, -1);
	CU_ASSERT_EQUAL(first + lb.sel, 5);
	/* The window's height is its owner's: a draw does not change it. */
	CU_ASSERT_STRING_EQUAL(draw(&lb, 8), "0@2* 1@3 2@4 3@5 4@6");
	CU_ASSERT_EQUAL(lb.height, 5);
}

static const struct unit_test tests[] = {
	{ "a list that selects", test_select },
	{ "an empty list", test_empty },
	{ "a text that scrolls", test_text },
	{ "a window read at its edges", test_window },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("listbox", tests);
}
