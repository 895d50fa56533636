/* edit: the line editor under every text field and prompt. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include <curses.h>	/* only for the KEY_* codes: nothing here draws */

#include "edit.h"
#include "utf8.h"
#include "xmalloc.h"

#define EDIT_CTRL(c)	((c) & 0x1f)
#define EDIT_DEL	0x7f
#define EDIT_NEWLINE	0x21b5	/* ↵: a newline as shown */
#define EDIT_BAD	UTF8_BAD	/* a control character as shown */
#define EDIT_CIRCLE	0x25cc	/* the base a lone combining character is shown on */

/* Set once by the screens from what curses found; 0: no such key. */
static int	edit_word_left;
static int	edit_word_right;

/*
 * Decode a whole string into a new array; *n gets its length. utf8_next
 * reads it without the locale, so reading and writing the text never
 * depend on it.
 */
static wchar_t *
edit_decode_all(const char *utf8, size_t *n)
{
	const char	*s = utf8;
	size_t		 len, used;
	uint32_t	 c;
	int		 valid;
	wchar_t		*w;

	*n = 0;
	len = utf8 == NULL ? 0 : strlen(utf8);
	w = xreallocarray(NULL, len + 1, sizeof *w);
	while (len > 0) {
		used = utf8_next(s, len, &c, &valid);
		w[(*n)++] = (wchar_t)c;
		s += used;
		len -= used;
	}
	return w;
}

/* C0 and C1 controls and DEL: never shown as they are. */
static int
edit_isctrl(wchar_t c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0);
}

static int
edit_iscomb(wchar_t c)
{
	return !edit_isctrl(c) && wcwidth(c) == 0;
}

/*
 * Whether a unit starts at i: anywhere but before a combining character,
 * unless that follows a control character (a newline, say), which nothing
 * combines with.
 */
static int
edit_boundary(const struct edit *e, size_t i)
{
	if (i == 0 || i >= e->len)
		return 1;
	return !edit_iscomb(e->buf[i]) || edit_isctrl(e->buf[i - 1]);
}

static size_t
edit_next(const struct edit *e, size_t i)
{
	if (i >= e->len)
		return e->len;
	i++;
	while (!edit_boundary(e, i))
		i++;
	return i;
}

static size_t
edit_prev(const struct edit *e, size_t i)
{
	if (i == 0)
		return 0;
	i--;
	while (!edit_boundary(e, i))
		i--;
	return i;
}

/* Columns of the unit at i; whatever is shown by a substitute takes one. */
static int
edit_unit_width(const struct edit *e, size_t i)
{
	wchar_t	c = e->buf[i];
	int	w;

	if (edit_isctrl(c) || edit_iscomb(c))
		return 1;
	if ((w = wcwidth(c)) < 0)
		return 1;
	return w;
}

static int
edit_cols(const struct edit *e, size_t from, size_t to)
{
	int	cols = 0;

	while (from < to) {
		cols += edit_unit_width(e, from);
		from = edit_next(e, from);
	}
	return cols;
}

/* Keep the cursor off the inside of a unit an edit has just joined. */
static void
edit_fix_cursor(struct edit *e)
{
	if (e->cur > e->len)
		e->cur = e->len;
	while (!edit_boundary(e, e->cur))
		e->cur++;
}

static void
edit_put(struct edit *e, const wchar_t *w, size_t n)
{
	size_t	cap;

	if (n == 0)
		return;
	if (e->len + n > e->cap) {
		cap = e->cap < 16 ? 16 : e->cap;
		while (cap < e->len + n)
			cap *= 2;
		e->buf = xreallocarray(e->buf, cap, sizeof *e->buf);
		e->cap = cap;
	}
	memmove(e->buf + e->cur + n, e->buf + e->cur,
	    (e->len - e->cur) * sizeof *e->buf);
	memcpy(e->buf + e->cur, w, n * sizeof *e->buf);
	e->len += n;
	e->cur += n;
	e->changed = 1;
	edit_fix_cursor(e);
}

/* Delete [from, to) and put the cursor there. */
static int
edit_delete(struct edit *e, size_t from, size_t to)
{
	if (from >= to) {
		e->cur = from;
		return EDIT_MOVED;
	}
	memmove(e->buf + from, e->buf + to, (e->len - to) * sizeof *e->buf);
	e->len -= to - from;
	e->cur = from;
	e->changed = 1;
	edit_fix_cursor(e);
	return EDIT_CHANGED;
}

static void
edit_replace(struct edit *e, wchar_t *w, size_t n)
{
	free(e->buf);
	e->buf = w;
	e->len = n;
	e->cap = n + 1;
	e->cur = n;
	e->scroll = 0;
}

void
edit_init(struct edit *e, const char *utf8)
{
	wchar_t	*w;
	size_t	 n;

	memset(e, 0, sizeof *e);
	w = edit_decode_all(utf8, &n);
	edit_replace(e, w, n);
}

void
edit_set(struct edit *e, const char *utf8)
{
	wchar_t	*w;
	size_t	 n;

	w = edit_decode_all(utf8, &n);
	if (n != e->len || (n != 0 && wmemcmp(w, e->buf, n) != 0))
		e->changed = 1;
	edit_replace(e, w, n);
}

void
edit_free(struct edit *e)
{
	free(e->buf);
	memset(e, 0, sizeof *e);
}

char *
edit_text(const struct edit *e)
{
	char	*s;
	size_t	 i, o = 0;

	s = xreallocarray(NULL, e->len + 1, 4);
	for (i = 0; i < e->len; i++)
		o += utf8_put((uint32_t)e->buf[i], s + o);
	s[o] = '\0';
	return s;
}

void
edit_word_keys(int left, int right)
{
	edit_word_left = left > 0 ? left : 0;
	edit_word_right = right > 0 ? right : 0;
}

/* Word moves go by letters and digits, as readline's forward-word does. */
static int
edit_isword(const struct edit *e, size_t i)
{
	return iswalnum((wint_t)e->buf[i]);
}

static size_t
edit_word_before(const struct edit *e)
{
	size_t	i = e->cur;

	while (i > 0 && !edit_isword(e, edit_prev(e, i)))
		i = edit_prev(e, i);
	while (i > 0 && edit_isword(e, edit_prev(e, i)))
		i = edit_prev(e, i);
	return i;
}

static size_t
edit_word_after(const struct edit *e)
{
	size_t	i = e->cur;

	while (i < e->len && !edit_isword(e, i))
		i = edit_next(e, i);
	while (i < e->len && edit_isword(e, i))
		i = edit_next(e, i);
	return i;
}

/* ^W goes back over spaces, then over anything else, as a shell does. */
static size_t
edit_rubout_start(const struct edit *e)
{
	size_t	i = e->cur;

	while (i > 0 && iswspace((wint_t)e->buf[edit_prev(e, i)]))
		i = edit_prev(e, i);
	while (i > 0 && !iswspace((wint_t)e->buf[edit_prev(e, i)]))
		i = edit_prev(e, i);
	return i;
}

static int
edit_move(struct edit *e, size_t to)
{
	e->cur = to;
	return EDIT_MOVED;
}

static int
edit_special(struct edit *e, int ch)
{
	switch (ch) {
	case KEY_LEFT:
		return edit_move(e, edit_prev(e, e->cur));
	case KEY_RIGHT:
		return edit_move(e, edit_next(e, e->cur));
	case KEY_HOME:
		return edit_move(e, 0);
	case KEY_END:
		return edit_move(e, e->len);
	case KEY_BACKSPACE:
		return edit_delete(e, edit_prev(e, e->cur), e->cur);
	case KEY_DC:
		return edit_delete(e, e->cur, edit_next(e, e->cur));
	}
	/* Not constants: curses makes them up when it reads terminfo. */
	if (edit_word_left != 0 && ch == edit_word_left)
		return edit_move(e, edit_word_before(e));
	if (edit_word_right != 0 && ch == edit_word_right)
		return edit_move(e, edit_word_after(e));
	return EDIT_UNHANDLED;
}

int
edit_key(struct edit *e, int iskey, wint_t ch)
{
	wchar_t	w = (wchar_t)ch;

	edit_fix_cursor(e);
	if (iskey)
		return edit_special(e, (int)ch);

	switch (ch) {
	case EDIT_CTRL('A'):
		return edit_move(e, 0);
	case EDIT_CTRL('E'):
		return edit_move(e, e->len);
	case EDIT_CTRL('H'):
	case EDIT_DEL:
		return edit_delete(e, edit_prev(e, e->cur), e->cur);
	case EDIT_CTRL('D'):
		return edit_delete(e, e->cur, edit_next(e, e->cur));
	case EDIT_CTRL('W'):
		return edit_delete(e, edit_rubout_start(e), e->cur);
	case EDIT_CTRL('U'):
		return edit_delete(e, 0, e->cur);
	case EDIT_CTRL('K'):
		return edit_delete(e, e->cur, e->len);
	case '\n':
		if (!e->multiline)
			return EDIT_UNHANDLED;
		break;
	default:
		if (edit_isctrl(w) || ch > 0x10ffff ||
		    (ch >= 0xd800 && ch <= 0xdfff))
			return EDIT_UNHANDLED;
		break;
	}
	/* A printable key is used up even when refused, lest it act as a command. */
	if (e->max != 0 && e->len >= e->max)
		return EDIT_MOVED;
	edit_put(e, &w, 1);
	return EDIT_CHANGED;
}

int
edit_insert(struct edit *e, const char *utf8)
{
	wchar_t	*w;
	size_t	 n, i, o = 0, room;

	edit_fix_cursor(e);
	w = edit_decode_all(utf8, &n);
	for (i = 0; i < n; i++) {
		if (w[i] == '\r' || w[i] == '\n') {
			if (w[i] == '\r' && i + 1 < n && w[i + 1] == '\n')
				i++;
			w[o++] = e->multiline ? '\n' : ' ';
		} else if (w[i] == '\t')
			w[o++] = ' ';	/* a cell pasted from a spreadsheet */
		else if (!edit_isctrl(w[i]))
			w[o++] = w[i];
	}
	if (e->max != 0 && e->len + o > e->max) {
		room = e->max > e->len ? e->max - e->len : 0;
		/* Leave out a character whose accent would not fit. */
		while (room > 0 && edit_iscomb(w[room]) &&
		    !edit_isctrl(w[room - 1]))
			room--;
		o = room;
	}
	edit_put(e, w, o);
	free(w);
	return o == 0 ? EDIT_UNHANDLED : EDIT_CHANGED;
}

int
edit_view(struct edit *e, int width, wchar_t *out, size_t outlen)
{
	size_t	i, next, o = 0, need;
	int	col, cw, tail, w;
	wchar_t	c;

	if (outlen > 0)
		out[0] = L'\0';
	edit_fix_cursor(e);
	if (e->scroll > e->cur)
		e->scroll = e->cur;
	while (!edit_boundary(e, e->scroll))
		e->scroll--;
	if (width <= 0)
		return 0;

	/* The cell under the cursor must fit too, all of a wide one. */
	cw = e->cur < e->len ? edit_unit_width(e, e->cur) : 1;
	col = edit_cols(e, e->scroll, e->cur);
	while (e->scroll < e->cur && col + cw > width) {
		col -= edit_unit_width(e, e->scroll);
		e->scroll = edit_next(e, e->scroll);
	}

	/*
	 * After a deletion, bring hidden text back from the left rather than
	 * leave columns blank. The cell after the end always counts, so that
	 * the view does not jump when the cursor leaves the end.
	 */
	tail = edit_cols(e, e->scroll, e->len) + 1;
	while (e->scroll > 0) {
		i = edit_prev(e, e->scroll);
		w = edit_unit_width(e, i);
		if (tail + w > width)
			break;
		tail += w;
		e->scroll = i;
	}

	col = 0;
	for (i = e->scroll; i < e->len; i = next) {
		next = edit_next(e, i);
		w = edit_unit_width(e, i);
		if (col + w > width)
			break;
		c = e->buf[i];
		need = edit_isctrl(c) ? 1 : next - i;
		if (edit_iscomb(c))
			need++;
		if (o + need + 1 > outlen)
			break;
		if (c == '\n')
			out[o++] = EDIT_NEWLINE;
		else if (edit_isctrl(c))
			out[o++] = EDIT_BAD;
		else {
			if (edit_iscomb(c))
				out[o++] = EDIT_CIRCLE;
			else if (wcwidth(c) < 0)
				c = EDIT_BAD;
			out[o++] = c;
			while (++i < next)
				out[o++] = e->buf[i];
		}
		col += w;
	}
	if (outlen > 0)
		out[o] = L'\0';
	return edit_cols(e, e->scroll, e->cur);
}

int
edit_width(const struct edit *e)
{
	return edit_cols(e, 0, e->len);
}

size_t
edit_rows(struct edit *e, int width, size_t *starts, size_t max,
    size_t *cur_row, int *cur_col)
{
	size_t	i, n = 0, row = 0;
	int	col = 0, w;

	edit_fix_cursor(e);
	if (width < 1)
		width = 1;
	*cur_row = 0;
	*cur_col = 0;
	if (max == 0)
		return 0;
	starts[n++] = 0;
	for (i = 0; i <= e->len; i = edit_next(e, i)) {
		if (i == e->cur) {
			*cur_row = row;
			*cur_col = col;
		}
		if (i == e->len)
			break;
		if (e->buf[i] == '\n') {
			if (n == max)
				break;
			starts[n++] = i + 1;
			row++;
			col = 0;
			continue;
		}
		w = edit_unit_width(e, i);
		if (col + w > width) {
			if (n == max)
				break;
			starts[n++] = i;
			row++;
			col = 0;
			if (i == e->cur) {
				*cur_row = row;
				*cur_col = 0;
			}
		}
		col += w;
	}
	return n;
}

int
edit_row_move(struct edit *e, int width, int dir)
{
	size_t	starts[EDIT_ROWS_MAX], n, row, i, end;
	int	col, c;

	n = edit_rows(e, width, starts, EDIT_ROWS_MAX, &row, &col);
	if ((dir < 0 && row == 0) || (dir > 0 && row + 1 >= n))
		return 0;
	row = dir < 0 ? row - 1 : row + 1;
	end = row + 1 < n ? starts[row + 1] : e->len;
	/* The same column, or the end of a shorter row. */
	for (i = starts[row], c = 0; i < end; i = edit_next(e, i)) {
		if (e->buf[i] == '\n' || c + edit_unit_width(e, i) > col)
			break;
		c += edit_unit_width(e, i);
	}
	if (i == end && row + 1 < n && end > starts[row] &&
	    e->buf[end - 1] != '\n')
		i = edit_prev(e, end);	/* a wrapped row: stay on it */
	e->cur = i;
	return 1;
}

size_t
edit_row_view(struct edit *e, size_t from, size_t to, wchar_t *out,
    size_t outlen)
{
	size_t	i, next, o = 0;
	wchar_t	c;

	for (i = from; i < to && i < e->len && e->buf[i] != '\n'; i = next) {
		next = edit_next(e, i);
		if (o + (next - i) + 2 > outlen)
			break;
		c = e->buf[i];
		if (edit_isctrl(c))
			out[o++] = EDIT_BAD;
		else {
			if (edit_iscomb(c))
				out[o++] = EDIT_CIRCLE;
			out[o++] = wcwidth(c) < 0 ? EDIT_BAD : c;
			while (++i < next)
				out[o++] = e->buf[i];
		}
	}
	if (outlen > 0)
		out[o] = L'\0';
	return o;
}
