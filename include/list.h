/*
 * list (screens/list.c): the list widget, one page of a browse of records
 * of one type, with a search typed into it.
 */
#ifndef CRM_LIST_H
#define CRM_LIST_H

#include <stddef.h>
#include <wchar.h>

#include "browse.h"
#include "edit.h"
#include "listbox.h"
#include "tui.h"

struct list {
	int		 type;
	struct browse	 b;
	const char	*fields[8];	/* columns, by field name */
	size_t		 nfields;
	struct browse_row *rows;
	char		***cells;	/* text of each row's columns */
	size_t		 cap;
	/*
	 * The page read, as a window of the browse: lb.n rows read, lb.sel
	 * the selected one, lb.height how many to read and show (the screen
	 * sets it before list_load).
	 */
	struct listbox	 lb;
	int		 focus;		/* the last draw's: selection shown */
	int		 width[8];	/* and its columns' widths */
	int		 shown;		/* and how many columns fit */
	int		 searching;	/* the search prompt is open */
	struct edit	 search;
	char		*last;		/* the search before, for Up (or NULL) */
	int		 loaded;
	int		 failed;
};

void	 list_init(struct list *, int type, const char *columns);
void	 list_free(struct list *);
/* Read the page again from its first row. */
int	 list_load(struct list *);
/* Handle a key; 1 if it was the list's. */
int	 list_key(struct list *, enum action, int iskey, wint_t ch);
void	 list_draw(struct list *, int y, int x, int h, int w, int focus);
/* The search prompt, after label, on one line. */
void	 list_draw_search(struct list *, int y, int x, int w,
	    const char *label);
/* The selected record, or NULL. */
const struct record *list_selected(const struct list *);
/* Is a search narrowing the list (typed, or kept with Enter)? */
int	 list_searched(const struct list *);
/* The next (dir 1) or previous (-1) match of a search kept: n and N. */
void	 list_next_match(struct list *, int dir);
/* A one-line description of the list's state ("mine, by name"). */
void	 list_describe(const struct list *, char *buf, size_t len);

/*
 * A window of rows read a page at a time from a browse: the list widget
 * is one, and the conflict log, whose rows are not records, another.
 * This is the edge of their listbox: it moves the browse's first row by
 * delta (LISTBOX_FIRST, LISTBOX_LAST: to the first or the last page),
 * then load (arg) reads the page again from it, setting lb->n; the
 * selection goes the rest of a move the browse could not make.
 */
void	 list_window_edge(struct listbox *, struct browse *, long delta,
	    int (*load)(void *), void *arg);

/*
 * A screen that is one list and its title lines (the letter templates, the
 * users): its data is a list_screen, and these are its ops' enter, reload
 * (the list sized to the screen, read again) and leave.
 */
struct list_screen {
	struct list	 l;
	int		 chrome;	/* the screen's rows not the list's */
};
/* The data of such a screen, its list of type with columns (list_init). */
struct list_screen *list_screen_new(int type, const char *columns,
	    int chrome);
int	 list_screen_enter(struct screen *);
void	 list_screen_reload(struct screen *);
void	 list_screen_leave(struct screen *);

/* The text of a field for display: references and users by name. */
char	*tui_field_text(struct store_txn *, int type, const struct record *,
	    const char *field);

#endif
