/*
 * fieldset (screens/fieldset.c): the rows of a small form that is not a
 * record's, such as the settings and a user's account: text, passwords
 * (shown as a fixed row of stars), choices, and facts shown read-only.
 */
#ifndef CRM_FIELDSET_H
#define CRM_FIELDSET_H

#include <stddef.h>
#include <wchar.h>

#include "edit.h"
#include "tui.h"

enum fieldset_kind {
	FS_TEXT,
	FS_SECRET,
	FS_CHOICE,
	FS_INFO
};

struct fieldset_row {
	const char	*label;
	enum fieldset_kind kind;
	struct edit	 e;		/* FS_TEXT, FS_SECRET */
	const char *const *choices;	/* FS_CHOICE, NULL-terminated */
	char		*value;		/* FS_CHOICE, FS_INFO */
	char		*orig;		/* the value it started with */
	char		*note;		/* shown after it: a unit, a reason */
};

#define FIELDSET_MAX	16

struct fieldset {
	struct fieldset_row rows[FIELDSET_MAX];
	size_t		 n;
	size_t		 cur;		/* the row with the cursor */
	int		 editing;	/* the cursor shows; keys edit */
};

void	 fieldset_clear(struct fieldset *);
/* Add a row (value NULL: empty); returns its index. */
size_t	 fieldset_add(struct fieldset *, const char *label,
	    enum fieldset_kind, const char *value, const char *note);
/* The text of row i; free it (a secret: bzero it first). */
char	*fieldset_text(const struct fieldset *, size_t i);
/* Set row i's text (a secret: "" empties it). */
void	 fieldset_set(struct fieldset *, size_t i, const char *);
/* Has any row changed since it was added? */
int	 fieldset_changed(const struct fieldset *);
/* Put the cursor on the first row that can be edited. */
void	 fieldset_first(struct fieldset *);
/* A key while editing; 1 if it was the fieldset's. */
int	 fieldset_key(struct fieldset *, enum action, int iskey, wint_t ch);
/*
 * Draw from row y, labels lw wide, each note on the line under its row;
 * returns the row after the last.
 */
int	 fieldset_draw(struct fieldset *, int y, int x, int lw, int rows,
	    int cols);
/* A password field: a fixed row of stars, never its length. */
int	 fieldset_put_secret(int y, int x, int w, const struct edit *,
	    int attr);

/*
 * Turn a choice (NULL-terminated choices) with Space, arrows or its first
 * letter, as a form's choice fields turn; Backspace empties it. 1 if the
 * key was the choice's.
 */
int	 form_choice_turn(const char *const *choices, char **value,
	    int iskey, wint_t ch);

#endif
