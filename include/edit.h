/*
 * edit: the line editor under every text field and prompt. It knows keys
 * and display columns but not curses: the screens draw what edit_view lays
 * out. The text is kept as wide characters; a character with the
 * zero-width (combining) ones after it is one unit for the cursor, for
 * deletion and for display, as curses puts it in one cell.
 */
#ifndef CRM_EDIT_H
#define CRM_EDIT_H

#include <stddef.h>
#include <wchar.h>

/* edit: the text of one field being edited, as wide characters. */
struct edit {
	wchar_t	*buf;		/* the text, not NUL-terminated */
	size_t	 len, cap;
	size_t	 cur;		/* cursor: index into buf, 0..len */
	size_t	 scroll;	/* first character shown (edit_view keeps it) */
	size_t	 max;		/* at most this many characters; 0: no limit */
	int	 multiline;	/* newlines may be typed or pasted */
	int	 changed;	/* set on any change of the text */
};

#define EDIT_UNHANDLED	0	/* not an editing key: the caller's */
#define EDIT_MOVED	1	/* only the cursor moved */
#define EDIT_CHANGED	2	/* the text changed */

/*
 * Start editing utf8 (NULL: empty), cursor at the end, no limit, single
 * line, changed clear. Invalid UTF-8 becomes U+FFFD, one for each maximal
 * invalid sequence. Text longer than max is kept: max only refuses typing.
 */
void	 edit_init(struct edit *, const char *utf8);
/* Replace the text, cursor at the end; sets changed if the text differs. */
void	 edit_set(struct edit *, const char *utf8);
void	 edit_free(struct edit *);
/* The text as a new UTF-8 string; cannot fail. */
char	*edit_text(const struct edit *);

/*
 * One key as wget_wch gives it: iskey says ch is a KEY_* code. Returns
 * EDIT_CHANGED, EDIT_MOVED (also for an editing key that did nothing, such
 * as Backspace at the start or a character refused by max: the key is
 * still used up) or EDIT_UNHANDLED. Keys: printable characters; Left,
 * Right; Home, ^A; End, ^E; Backspace, DEL, ^H; Delete, ^D; ^W (the word
 * before the cursor); ^U, ^K (to the start, to the end of the whole text);
 * ^J inserts a newline in multiline mode. Enter must therefore arrive as
 * \r (nonl()) to stay the caller's: a form makes it a newline in a
 * multiline field itself. Ctrl-Left/Right after edit_word_keys.
 */
int	 edit_key(struct edit *, int iskey, wint_t ch);
/*
 * Paste utf8 at the cursor: \r, \n and \r\n become one newline in
 * multiline mode and a space otherwise, a tab a space, other control
 * characters are dropped. Past max, stops before the first whole character
 * that does not fit. EDIT_CHANGED, or EDIT_UNHANDLED if nothing went in.
 */
int	 edit_insert(struct edit *, const char *utf8);
/*
 * The extended key codes of Ctrl-Left and Ctrl-Right (word moves), which
 * only curses can find, after initscr: key_defined("kLFT5") and
 * key_defined("kRIT5"). Zero or less: none. They are the same for every
 * field, so they are kept once for all.
 */
void	 edit_word_keys(int left, int right);

/*
 * Lay the text out in width columns: adjusts scroll so the cursor is visible,
 * writes into out (NUL-terminated wide string of at most width columns, newlines and
 * control characters shown as a visible substitute such as U+21B5 / U+FFFD) and
 * returns the cursor's column.
 * A double-width character never straddles either edge: the line ends
 * short instead (the caller clears the rest). A lone combining character
 * is shown on U+25CC. No blank columns are left at the right while text is
 * hidden at the left. outlen counts wide characters with the NUL; a
 * character that does not fit in it is left out with the rest of the line.
 */
int	 edit_view(struct edit *, int width, wchar_t *out, size_t outlen);
/*
 * Multiline text in rows of width columns, for a field several rows
 * high: a row ends at a newline or where the next character would not
 * fit. starts[] gets the index into buf of each row (up to max rows);
 * returns how many; *cur_row and *cur_col are where the cursor is.
 */
#define EDIT_ROWS_MAX	4096
size_t	 edit_rows(struct edit *, int width, size_t *starts, size_t max,
	    size_t *cur_row, int *cur_col);
/*
 * Up (dir -1) or down (1) a row, to the same column or the end of a
 * shorter row: 1, or 0 at the first (last) row, the cursor unmoved.
 */
int	 edit_row_move(struct edit *, int width, int dir);
/*
 * The characters of buf[from, to) up to a newline, for drawing a row of
 * edit_rows (control characters shown by a substitute). Returns how
 * many wide characters went into out (NUL-terminated).
 */
size_t	 edit_row_view(struct edit *, size_t from, size_t to, wchar_t *out,
	    size_t outlen);
/* Display columns of the whole text, as edit_view counts them. */
int	 edit_width(const struct edit *);

#endif
