/* tui: the screen stack, the loop, the status and key lines. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "cfg.h"
#include "clock.h"
#include "edit.h"
#include "error.h"
#include "model.h"
#include "session.h"
#include "sync.h"
#include "tui.h"
#include "utf8.h"
#include "xmalloc.h"

struct app	 app;

/*
 * A master is held through a burst of keys, and let go when no key came
 * for TUI_HOLD_IDLE_MS, or once it has been held TUI_HOLD_MAX_MS: another
 * crm that wants it (a sync, a command) waits that long at most.
 */
#define TUI_HOLD_IDLE_MS	400
#define TUI_HOLD_MAX_MS		2000

static volatile sig_atomic_t	 tui_signal;
static int	tui_width_n(const char *, size_t);
/* CRM_KEYLOG: each key's handling time, for bench/screens. */
static FILE			*tui_keylog;

/* The actions handled whatever the screen (tui_global). */
#define TUI_GLOBALS	8
static struct {
	enum action	  action;
	void		(*fn)(struct screen *);
} tui_globals[TUI_GLOBALS];
static size_t			 tui_nglobals;
static struct timespec		 tui_t0;
/* The binding the last key matched, as the key log names it. */
static const char		*last_name = "none";

static double
tui_ms_since(const struct timespec *t0)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1e3 +
	    (now.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
tui_on_signal(int sig)
{
	tui_signal = sig;
}

static void
tui_end(void)
{
	if (!isendwin())
		endwin();
}

/* Colour pairs by use: foreground, background (-1: the terminal's). */
static const short tui_pairs[C_NCOLORS][2] = {
	[C_NORMAL] = { -1, -1 },
	[C_TITLE] = { COLOR_CYAN, -1 },
	[C_SELECTED] = { COLOR_BLACK, COLOR_CYAN },
	[C_STATUS] = { COLOR_WHITE, COLOR_BLUE },
	[C_KEY] = { COLOR_CYAN, -1 },
	[C_ERROR] = { COLOR_RED, -1 },
	[C_LABEL] = { COLOR_YELLOW, -1 },
	[C_HEADER] = { COLOR_YELLOW, -1 },
	[C_TAB] = { -1, -1 },
	[C_TAB_ON] = { COLOR_BLACK, COLOR_CYAN },
	[C_FIELD] = { -1, -1 },
	[C_FIELD_ON] = { COLOR_BLACK, COLOR_WHITE },
};

/* Without colour: attributes alone tell the same things apart. */
static const int tui_plain[C_NCOLORS] = {
	[C_NORMAL] = A_NORMAL,
	[C_TITLE] = A_BOLD,
	[C_SELECTED] = A_REVERSE,
	[C_STATUS] = A_REVERSE,
	[C_KEY] = A_BOLD,
	[C_ERROR] = A_BOLD,
	[C_LABEL] = A_NORMAL,
	[C_HEADER] = A_BOLD | A_UNDERLINE,
	[C_TAB] = A_NORMAL,
	[C_TAB_ON] = A_REVERSE,
	[C_FIELD] = A_UNDERLINE,
	[C_FIELD_ON] = A_REVERSE,
};

static void
tui_colors(void)
{
	const char	*nc = getenv("NO_COLOR");
	int		 i;

	app.color = has_colors() && (nc == NULL || *nc == '\0') &&
	    cfg_bool("ui.color");
	if (!app.color)
		return;
	start_color();
	use_default_colors();
	for (i = 1; i < C_NCOLORS; i++)
		init_pair((short)i, tui_pairs[i][0], tui_pairs[i][1]);
}

int
tui_attr(enum tui_color c)
{
	int	extra;

	if (!app.color || c == C_NORMAL)
		return tui_plain[c];
	extra = 0;
	if (c == C_TITLE || c == C_ERROR || c == C_HEADER || c == C_KEY)
		extra = A_BOLD;
	if (c == C_FIELD)
		extra = A_UNDERLINE;
	return (int)COLOR_PAIR(c) | extra;
}

/* UTF-8 to wide characters, invalid bytes as U+FFFD. Free it. */
static wchar_t *
tui_wide(const char *s, size_t *n)
{
	wchar_t		*w, wc;
	uint32_t	 c;
	size_t		 len = strlen(s), k;
	int		 valid;

	w = xcalloc(len + 1, sizeof *w);
	*n = 0;
	while (len > 0) {
		k = utf8_next(s, len, &c, &valid);
		wc = (wchar_t)c;
		if (wc == L'\n' || wc == L'\t' || wc == L'\r')
			wc = L' ';
		else if (wc < 0x20 || wc == 0x7f)
			wc = UTF8_BAD;
		w[(*n)++] = wc;
		s += k;
		len -= k;
	}
	w[*n] = 0;
	return w;
}

/* Display columns of the first len bytes of s. */
static int
tui_width_n(const char *s, size_t len)
{
	char	*copy = xstrndup(s, len);
	int	 w = tui_width(copy);

	free(copy);
	return w;
}

int
tui_width(const char *s)
{
	wchar_t	*w;
	size_t	 n, i;
	int	 cols = 0, cw;

	w = tui_wide(s, &n);
	for (i = 0; i < n; i++) {
		if ((cw = wcwidth(w[i])) > 0)
			cols += cw;
	}
	free(w);
	return cols;
}

void
tui_put(int y, int x, int width, const char *s, int attr)
{
	wchar_t	*w, *out;
	size_t	 n, i, o = 0;
	int	 cols = 0, cw, total;

	if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + width > COLS)
		width = COLS - x;
	w = tui_wide(s != NULL ? s : "", &n);
	out = xcalloc(n + (size_t)width + 2, sizeof *out);
	total = 0;
	for (i = 0; i < n; i++)
		total += (cw = wcwidth(w[i])) > 0 ? cw : 0;
	for (i = 0; i < n; i++) {
		cw = wcwidth(w[i]);
		if (cw < 0)
			cw = 1;
		/* Keep a column for the ellipsis when the text is cut. */
		if (cols + cw > width - (total > width ? 1 : 0))
			break;
		out[o++] = w[i];
		cols += cw;
	}
	if (i < n && cols < width) {
		out[o++] = L'…';
		cols++;
	}
	while (cols < width) {
		out[o++] = L' ';
		cols++;
	}
	out[o] = 0;
	attrset(attr);
	mvaddnwstr(y, x, out, (int)o);
	attrset(A_NORMAL);
	free(out);
	free(w);
}

/* Bytes of s that fit in width columns (at least one character). */
static size_t
tui_fit(const char *s, size_t len, int width)
{
	size_t		i = 0, k;
	uint32_t	c;
	int		w = 0, cw, valid;

	while (i < len) {
		k = utf8_next(s + i, len - i, &c, &valid);
		cw = wcwidth((wchar_t)c);
		if (cw < 0)
			cw = 1;
		if (w + cw > width && i > 0)
			break;
		w += cw;
		i += k;
	}
	return i;
}

size_t
tui_wrap(const char *text, int width, char ***out)
{
	const char	*line, *end, *p;
	size_t		 n = 0, len, fit, cut;
	char		**lines = NULL;

	if (width < 1)
		width = 1;
	for (line = text; ; line = end + 1) {
		end = strchr(line, '\n');
		len = end != NULL ? (size_t)(end - line) : strlen(line);
		do {
			fit = tui_width_n(line, len) <= width ? len :
			    tui_fit(line, len, width);
			cut = fit;
			/* Break at the last space that fits, if there is one. */
			if (fit < len) {
				for (p = line + fit; p > line && *p != ' '; p--)
					/* nothing */;
				if (p > line)
					cut = (size_t)(p - line);
			}
			lines = xreallocarray(lines, n + 1, sizeof *lines);
			lines[n++] = xstrndup(line, cut);
			while (cut < len && line[cut] == ' ')
				cut++;
			line += cut;
			len -= cut;
		} while (len > 0);
		if (end == NULL)
			break;
	}
	*out = lines;
	return n;
}

void
tui_wrap_free(char **lines, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

int
tui_put_wrapped(int y, int x, int rows, int width, const char *text,
    int attr)
{
	char	**lines;
	size_t	  n, i;

	n = tui_wrap(text, width, &lines);
	for (i = 0; i < n && y < rows; i++)
		tui_put(y++, x, width + 1, lines[i], attr);
	tui_wrap_free(lines, n);
	return y;
}

char *
tui_local_time(uint64_t ms)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);
	char		buf[64];

	localtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
	return xstrdup(buf);
}

struct screen *
tui_top(void)
{
	return app.depth > 0 ? &app.stack[app.depth - 1] : NULL;
}

void
tui_redraw(int flags)
{
	app.redraw |= flags;
}

void
tui_push(const struct screen_ops *ops, void *data)
{
	struct screen	*sc;

	if (app.depth == TUI_DEPTH) {
		tui_message(1, "too many screens open: go back with q first");
		if (ops->leave != NULL) {
			struct screen	tmp = { ops, data };

			ops->leave(&tmp);
		}
		return;
	}
	sc = &app.stack[app.depth++];
	sc->ops = ops;
	sc->data = data;
	tui_redraw(REDRAW_BODY | REDRAW_STATUS);
	if (ops->enter != NULL && ops->enter(sc) != 0)
		tui_pop();
}

void
tui_pop(void)
{
	struct screen	*sc;

	if (app.depth == 0)
		return;
	sc = &app.stack[--app.depth];
	if (sc->ops->leave != NULL)
		sc->ops->leave(sc);
	sc->ops = NULL;
	sc->data = NULL;
	if (app.depth == 0)
		app.quit = 1;
	else if ((sc = tui_top())->ops->reload != NULL)
		sc->ops->reload(sc);
	tui_redraw(REDRAW_BODY | REDRAW_STATUS);
}

void
tui_replace(const struct screen_ops *ops, void *data)
{
	struct screen	*sc;

	if (app.depth > 0) {
		sc = &app.stack[--app.depth];
		if (sc->ops->leave != NULL)
			sc->ops->leave(sc);
	}
	tui_push(ops, data);
}

void
tui_message(int error, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(app.msg, sizeof app.msg, fmt, ap);
	va_end(ap);
	app.msg_error = error;
	tui_redraw(REDRAW_STATUS);
}

void
tui_error(void)
{
	tui_message(1, "%s", error_get());
}

int
tui_unit(int ret)
{
	if (ret == 0) {
		if (app.busy) {
			app.busy = 0;
			app.msg[0] = '\0';
			tui_redraw(REDRAW_STATUS);
		}
		return 0;
	}
	if (ret == SESSION_BUSY) {
		app.busy = 1;
		tui_message(1, "%s; retrying (%s quits)", error_get(),
		    tui_top() != NULL && tui_top()->ops->typing != NULL &&
		    tui_top()->ops->typing(tui_top()) ? "Esc" : "q");
	} else
		tui_error();
	return -1;
}

void
tui_status_reload(void)
{
	struct store_txn	*t;

	if (!app.open || !app.s.logged_in)
		return;
	if (session_begin(&app.s, 0, &t) != 0) {
		error_clear();
		return;
	}
	if (session_pending(&app.s, t, 1000, &app.pending,
	    &app.last_sync) != 0)
		error_clear();
	session_end(&app.s, t, 0);
	tui_redraw(REDRAW_STATUS);
}

/*
 * The status line, in words, or shorter for a narrow screen: compact 1
 * says it in fewer words, 2 gives the last sync's time alone if it was
 * today, else its day alone.
 */
static void
tui_status_text(char *buf, size_t size, int compact)
{
	char	*when, *now, shown[32];
	size_t	 len;

	len = (size_t)snprintf(buf, size, " %s │ %s", app.s.name,
	    app.s.role == STORE_MASTER ? "MASTER" : "LOCAL");
	if (app.s.logged_in)
		len += (size_t)snprintf(buf + len, size - len,
		    " │ %s (%s)", app.s.user.login, app.s.user.uid);
	if (!app.s.logged_in || app.s.role != STORE_LOCAL)
		return;
	if (app.pending >= 1000)
		len += (size_t)snprintf(buf + len, size - len, " │ 1000+ %s",
		    compact ? "to sync" : "changes to sync");
	else
		len += (size_t)snprintf(buf + len, size - len, " │ %llu %s%s",
		    (unsigned long long)app.pending, compact ? "to sync" :
		    "change", compact ? "" : app.pending == 1 ? " to sync" :
		    "s to sync");
	if (app.last_sync == 0) {
		snprintf(buf + len, size - len, " │ never synced");
		return;
	}
	when = tui_local_time(app.last_sync);
	now = tui_local_time((uint64_t)time(NULL) * 1000);
	/* Shortest: the time alone if it was today, else the day alone. */
	if (compact > 1)
		snprintf(shown, sizeof shown, "%s", strncmp(when, now, 10) ==
		    0 ? when + 11 : when);
	else
		snprintf(shown, sizeof shown, "%s", when);
	if (compact > 1 && strncmp(when, now, 10) != 0)
		shown[10] = '\0';
	snprintf(buf + len, size - len, " │ %s %s", compact ? "synced" :
	    "last sync", shown);
	free(when);
	free(now);
}

static void
tui_draw_status(void)
{
	char	buf[512];

	if (!app.open) {
		snprintf(buf, sizeof buf, " crm %s", PACKAGE_VERSION);
		tui_put(LINES - 2, 0, COLS, buf, tui_attr(C_STATUS));
		return;
	}
	tui_status_text(buf, sizeof buf, 0);
	if (tui_width(buf) > COLS)
		tui_status_text(buf, sizeof buf, 1);
	if (tui_width(buf) > COLS)
		tui_status_text(buf, sizeof buf, 2);
	tui_put(LINES - 2, 0, COLS, buf, tui_attr(C_STATUS));
}

/* How many bytes of s fit in cols columns, ending at a space if one is near. */
static size_t
tui_cut(const char *s, int cols)
{
	size_t		i, k, len = strlen(s), space = 0;
	uint32_t	c;
	int		w = 0, cw, valid;

	for (i = 0; i < len; i += k) {
		k = utf8_next(s + i, len - i, &c, &valid);
		cw = wcwidth((wchar_t)c) > 0 ? wcwidth((wchar_t)c) : 0;
		if (w + cw > cols)
			break;
		w += cw;
		if (s[i] == ' ')
			space = i;
	}
	return space > i / 2 ? space : i;
}

/* The last line: the message, or the keys of the top screen. */
static void
tui_draw_keyline(void)
{
	const struct binding	*b;
	struct keys_walk	 walk = { 0 };
	struct screen		*sc = tui_top();
	char			 buf[1024];
	size_t			 len = 0;
	enum action		 seen[64];
	size_t			 nseen = 0, i, cut;
	char			*split;
	int			 attr;

	if (app.msg[0] != '\0') {
		attr = app.msg_error ? tui_attr(C_ERROR) : tui_attr(C_NORMAL);
		if (tui_width(app.msg) <= COLS || LINES < 4) {
			tui_put(LINES - 1, 0, COLS, app.msg, attr);
			return;
		}
		/* A long message takes the status line too, cut at a space. */
		cut = tui_cut(app.msg, COLS);
		split = xstrndup(app.msg, cut);
		tui_put(LINES - 2, 0, COLS, split, attr);
		free(split);
		tui_put(LINES - 1, 0, COLS, app.msg + cut +
		    (app.msg[cut] == ' '), attr);
		return;
	}
	buf[0] = '\0';
	while (sc != NULL && (b = keys_next(sc->ops, &walk)) != NULL) {
		if (!b->keyline || (b->keymaps & tui_keymaps(sc)) == 0 ||
		    (sc->ops->offers != NULL && !sc->ops->offers(sc, b)))
			continue;
		for (i = 0; i < nseen && seen[i] != b->action; i++)
			/* nothing */;
		if (i < nseen || nseen == 64)
			continue;
		seen[nseen++] = b->action;
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s %s",
		    len ? "  " : " ", b->keytext, b->name);
		if (len >= sizeof buf)
			break;
	}
	tui_put(LINES - 1, 0, COLS, buf, tui_attr(C_KEY));
}

/* Paint what is flagged, then send it to the terminal once. */
static void
tui_paint(void)
{
	struct screen	*sc = tui_top();
	int		 y, rows = LINES - 2;

	if (app.redraw & REDRAW_ALL) {
		clearok(curscr, TRUE);
		app.redraw |= REDRAW_BODY | REDRAW_STATUS;
	}
	curs_set(0);
	if ((app.redraw & REDRAW_BODY) && sc != NULL) {
		for (y = 0; y < rows; y++) {
			move(y, 0);
			clrtoeol();
		}
		app.cursor_y = -1;
		sc->ops->draw(sc, rows, COLS);
	}
	if (app.redraw & (REDRAW_STATUS | REDRAW_BODY)) {
		tui_draw_status();
		tui_draw_keyline();
	}
	app.redraw = 0;
	if (app.cursor_y >= 0) {
		move(app.cursor_y, app.cursor_x);
		curs_set(1);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

int
tui_progress(const char *fmt, ...)
{
	static struct timespec	 last;
	struct timespec		 now;
	va_list			 ap;
	wint_t			 ch, kept[16];
	int			 r, stop = 0, nkept = 0, iskey[16];

	/* Keys typed meanwhile: Esc stops, the rest wait their turn. */
	timeout(0);
	while ((r = get_wch(&ch)) != ERR) {
		if (r == OK && (ch == 27 || ch == 'q' || ch == 3))
			stop = 1;
		else if (nkept < 16) {
			iskey[nkept] = r == KEY_CODE_YES;
			kept[nkept++] = ch;
		}
	}
	while (nkept > 0) {
		nkept--;
		if (iskey[nkept])
			ungetch((int)kept[nkept]);
		else
			unget_wch(kept[nkept]);
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (stop || tui_ms_since(&last) < 100)
		return stop;
	last = now;
	va_start(ap, fmt);
	vsnprintf(app.msg, sizeof app.msg, fmt, ap);
	va_end(ap);
	app.msg_error = 0;
	tui_redraw(REDRAW_STATUS);
	tui_paint();
	return 0;
}

int
tui_confirm(const char *fmt, ...)
{
	char	q[400];
	va_list	ap;
	wint_t	ch;
	int	r, answer = -1;

	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	/* Never keep a master while a person thinks. */
	if (app.open && app.s.role == STORE_MASTER) {
		session_release(&app.s);
		session_hold(&app.s);
	}
	while (answer == -1) {
		snprintf(app.msg, sizeof app.msg, "%s (y/n) ", q);
		app.msg_error = 0;
		tui_redraw(REDRAW_STATUS);
		tui_paint();
		r = get_wch(&ch);
		if (r == ERR) {
			if (tui_signal)
				answer = 0;
			continue;
		}
		if (r == KEY_CODE_YES) {
			if (ch == KEY_RESIZE)
				tui_redraw(REDRAW_ALL);
			continue;
		}
		if (ch == 'y' || ch == 'Y')
			answer = 1;
		else if (ch == 'n' || ch == 'N' || ch == 27 || ch == 'q' ||
		    ch == 3)
			answer = 0;
	}
	app.msg[0] = '\0';
	tui_redraw(REDRAW_STATUS);
	return answer;
}

int
tui_dialog(const char *title, const char *const *lines, size_t n,
    const char *keys, const char *keyline)
{
	char	buf[512];
	wint_t	ch;
	size_t	i;
	int	r, w, x, y, top, answer = -1, frame = tui_attr(C_NORMAL);

	if (app.open && app.s.role == STORE_MASTER) {
		session_release(&app.s);
		session_hold(&app.s);
	}
	while (answer == -1) {
		tui_paint();
		/* A box over the screen, so what is asked about stays seen. */
		w = COLS - 4 > 76 ? 76 : COLS - 4;
		if (w < 20)
			w = COLS;
		x = (COLS - w) / 2;
		top = (LINES - 2 - (int)n - 4) / 2;
		if (top < 0)
			top = 0;
		y = top;
		snprintf(buf, sizeof buf, "┌ %s", title);
		tui_put(y, x, w, buf, tui_attr(C_TITLE));
		for (i = (size_t)tui_width(buf); i + 1 < (size_t)w; i++)
			tui_put(y, x + (int)i, 1, "─", frame);
		tui_put(y, x + w - 1, 1, "┐", frame);
		for (i = 0; i < n && y + 1 < LINES - 2; i++) {
			y++;
			tui_put(y, x, w, "│", frame);
			tui_put(y, x + 2, w - 3, lines[i], frame);
			tui_put(y, x + w - 1, 1, "│", frame);
		}
		if (y + 1 < LINES - 2) {
			y++;
			tui_put(y, x, w, "│", frame);
			tui_put(y, x + w - 1, 1, "│", frame);
		}
		if (y + 1 < LINES - 1) {
			y++;
			tui_put(y, x, w, "│", frame);
			tui_put(y, x + 2, w - 3, keyline, tui_attr(C_KEY));
			tui_put(y, x + w - 1, 1, "│", frame);
		}
		if (y + 1 < LINES - 1) {
			y++;
			tui_put(y, x, w, "└", frame);
			for (i = 1; i + 1 < (size_t)w; i++)
				tui_put(y, x + (int)i, 1, "─", frame);
			tui_put(y, x + w - 1, 1, "┘", frame);
		}
		curs_set(0);
		wnoutrefresh(stdscr);
		doupdate();
		/* A signal is seen within a second, whatever waited before. */
		timeout(1000);
		r = get_wch(&ch);
		if (r == ERR) {
			if (tui_signal)
				answer = 0;
			continue;
		}
		if (r == KEY_CODE_YES) {
			if (ch == KEY_RESIZE)
				tui_redraw(REDRAW_ALL);
			continue;
		}
		if (ch == 27 || ch == 3)
			answer = 0;
		else if (ch < 128 && ch > ' ' && strchr(keys, (int)ch) != NULL)
			answer = (int)ch;
		else if (ch < 128 && ch >= 'A' && ch <= 'Z' &&
		    strchr(keys, (int)ch - 'A' + 'a') != NULL)
			answer = (int)ch - 'A' + 'a';
	}
	/* What was under the box is painted again. */
	tui_redraw(REDRAW_BODY | REDRAW_STATUS);
	return answer;
}

int
tui_signalled(void)
{
	return tui_signal;
}

/*
 * Is a screen holding changes not saved (a form)? Ctrl-C asks before
 * they are lost, and a signal that ends crm keeps them (keep).
 */
static int
tui_unsaved(void)
{
	int	i;

	for (i = app.depth - 1; i >= 0; i--) {
		if (app.stack[i].ops->unsaved != NULL &&
		    app.stack[i].ops->unsaved(&app.stack[i]))
			return 1;
	}
	return 0;
}

/* Each screen's stop: keep what it holds (a signal), or let it go. */
static void
tui_stop(int keep)
{
	int	i;

	for (i = app.depth - 1; i >= 0; i--) {
		if (app.stack[i].ops->stop != NULL)
			app.stack[i].ops->stop(&app.stack[i], keep);
	}
}

unsigned
tui_keymaps(struct screen *sc)
{
	if (sc->ops->typing != NULL && sc->ops->typing(sc))
		return sc->ops->typing_keymaps != 0 ? sc->ops->typing_keymaps :
		    KM_FORM;
	return sc->ops->keymaps;
}

/*
 * Ctrl-Z, as in any terminal program: the shell comes back, and fg
 * brings crm back where it was. raw() turned off the terminal's own
 * Ctrl-Z, so crm stops itself; nothing is held while it is stopped.
 */
static void
tui_suspend(void)
{
	if (app.open && app.s.role == STORE_MASTER)
		session_release(&app.s);
	def_prog_mode();
	endwin();
	fflush(stdout);
	kill(getpid(), SIGTSTP);
	/* Here again after fg. */
	reset_prog_mode();
	tui_redraw(REDRAW_ALL);
	if (app.open)
		tui_status_reload();
}

/*
 * The rest of an escape sequence curses did not know (a terminal's End
 * as ESC [ 4 ~ where its terminfo says another): read whole, so that
 * its letters never reach a field. A few such keys are known here;
 * any other is swallowed. Returns the key (iskey set), or ESC alone
 * when nothing followed.
 */
static int
tui_escape(wint_t *ch)
{
	char	seq[32];
	size_t	n = 0;
	wint_t	c;
	int	r, i;
	static const struct {
		const char	*seq;
		int		 key;
	} known[] = {
		{ "[1~", KEY_HOME }, { "[7~", KEY_HOME }, { "[H", KEY_HOME },
		{ "OH", KEY_HOME }, { "[4~", KEY_END }, { "[8~", KEY_END },
		{ "[F", KEY_END }, { "OF", KEY_END }, { "[3~", KEY_DC },
		{ "[2~", KEY_IC }, { "[5~", KEY_PPAGE }, { "[6~", KEY_NPAGE },
		{ "[A", KEY_UP }, { "[B", KEY_DOWN }, { "[C", KEY_RIGHT },
		{ "[D", KEY_LEFT }, { "OA", KEY_UP }, { "OB", KEY_DOWN },
		{ "OC", KEY_RIGHT }, { "OD", KEY_LEFT }, { "[Z", KEY_BTAB },
		{ "OP", KEY_F(1) }, { "OQ", KEY_F(2) }, { "OR", KEY_F(3) },
		{ "OS", KEY_F(4) }, { "[11~", KEY_F(1) }, { "[12~", KEY_F(2) },
		{ "[13~", KEY_F(3) }, { "[14~", KEY_F(4) },
	};

	/* What a terminal sends of one key comes at once. */
	timeout(10);
	r = get_wch(&c);
	if (r == ERR || (r == OK && c != '[' && c != 'O')) {
		if (r != ERR)
			unget_wch(c);
		*ch = 27;
		return 0;
	}
	if (r == KEY_CODE_YES) {
		/* A key curses knew, after a lone Esc: the Esc is its own. */
		ungetch((int)c);
		*ch = 27;
		return 0;
	}
	seq[n++] = (char)c;
	for (;;) {
		if ((r = get_wch(&c)) != OK)
			break;
		if (n < sizeof seq - 1)
			seq[n++] = (char)c;
		/* SS3 is one letter; CSI ends at a byte 0x40-0x7e. */
		if (seq[0] == 'O' || (n > 1 && c >= 0x40 && c <= 0x7e))
			break;
	}
	seq[n] = '\0';
	for (i = 0; i < (int)(sizeof known / sizeof known[0]); i++) {
		if (strcmp(seq, known[i].seq) == 0) {
			*ch = (wint_t)known[i].key;
			return 1;
		}
	}
	*ch = 0;
	return -1;
}

/* One key through the top screen, the master held while it is handled. */
static void
tui_dispatch(int iskey, wint_t ch)
{
	struct screen		*sc = tui_top();
	const struct binding	*b;
	enum action		 a;
	size_t			 i;
	int			 held = 0;

	if (sc == NULL)
		return;
	if (iskey && ch == KEY_RESIZE) {
		/* The layout follows LINES and COLS: read the pages again. */
		if (sc->ops->reload != NULL)
			sc->ops->reload(sc);
		tui_redraw(REDRAW_ALL);
		return;
	}
	if (iskey == -1) {
		a = A_RETRY;
		last_name = "retry";
	} else if ((b = keys_find(sc->ops, tui_keymaps(sc), iskey,
	    ch)) != NULL) {
		a = b->action;
		last_name = b->name;
	} else {
		a = A_NONE;
		last_name = "none";
	}
	if (!iskey && ch == 3) {
		/*
		 * Ctrl-C ends crm, as in any terminal program; a form's
		 * changes not saved are asked about first.
		 */
		if (tui_unsaved()) {
			if (!tui_confirm("Your changes in the form are not "
			    "saved: discard them and quit crm?"))
				return;
			tui_stop(0);
		}
		app.quit = 1;
		return;
	}
	if (a == A_SUSPEND) {
		tui_suspend();
		return;
	}
	if (a == A_REDRAW) {
		/* Read again too: a sync may have run beside the screens. */
		if (sc->ops->reload != NULL)
			sc->ops->reload(sc);
		tui_status_reload();
		tui_redraw(REDRAW_ALL);
		return;
	}
	if (app.busy && a == A_QUIT) {
		app.quit = 1;
		return;
	}
	if (app.msg[0] != '\0' && iskey != -1) {
		app.msg[0] = '\0';
		tui_redraw(REDRAW_STATUS);
	}
	for (i = 0; i < tui_nglobals; i++) {
		if (tui_globals[i].action == a) {
			tui_globals[i].fn(sc);
			return;
		}
	}
	if (app.open && app.s.role == STORE_MASTER) {
		session_hold(&app.s);
		held = 1;
	}
	sc->ops->key(sc, a, iskey == 1, ch);
	if (held && session_held_ms(&app.s) > TUI_HOLD_MAX_MS)
		session_release(&app.s);
}

/* Is a master held, to be let go when the screen falls idle? */
static int
tui_holding(void)
{
	return app.open && app.s.role == STORE_MASTER && app.s.st != NULL;
}

/*
 * A line of the key log: what, the screen, the key, milliseconds, and
 * since the line before how many times a database was opened (a master
 * attached) and how many records were read.
 */
static void
tui_log_key(const char *what, int iskey, wint_t ch, const struct timespec *t0)
{
	static uint64_t	opened0, read0;
	uint64_t	opened, read;

	if (tui_keylog == NULL)
		return;
	store_stats(&opened, &read);
	fprintf(tui_keylog, "%s\t%s\t%d\t%.3f\t%llu\t%llu\n", what,
	    tui_top() != NULL ? tui_top()->ops->name : "-", iskey ?
	    -(int)ch : (int)ch, tui_ms_since(t0),
	    (unsigned long long)(opened - opened0),
	    (unsigned long long)(read - read0));
	opened0 = opened;
	read0 = read;
	fflush(tui_keylog);
}

static void
tui_loop(void)
{
	struct screen	*sc;
	struct timespec	t0;
	wint_t		ch;
	int		r, logged = 1;

	tui_paint();
	tui_log_key("first-screen", 0, 0, &tui_t0);
	while (!app.quit && app.depth > 0) {
		sc = tui_top();
		if (sc->ops->ready != NULL && sc->ops->ready(sc)) {
			tui_paint();
			if (tui_signal)
				break;
		}
		timeout(tui_holding() ? TUI_HOLD_IDLE_MS : app.busy ? 1000 :
		    5000);
		r = get_wch(&ch);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (tui_signal)
			break;
		if (r == OK && ch == 27) {
			switch (tui_escape(&ch)) {
			case 1:
				r = KEY_CODE_YES;
				break;
			case -1:
				continue;	/* unknown: swallowed whole */
			}
		}
		if (r == ERR && tui_holding()) {
			/* Idle: the master goes back for others to use. */
			session_release(&app.s);
			continue;
		}
		if (r == ERR) {
			if (app.busy)
				tui_dispatch(-1, 0);
			else if (app.open && app.s.role == STORE_LOCAL)
				/* A sync beside the screens changes these. */
				tui_status_reload();
			logged = 1;
		} else {
			tui_dispatch(r == KEY_CODE_YES, ch);
			logged = 0;
		}
		/* A key's time runs until what it changed is on the screen. */
		if (!app.quit && app.depth > 0)
			tui_paint();
		if (!logged)
			tui_log_key(last_name, r == KEY_CODE_YES,
			    ch, &t0);
	}
}

void
tui_global(enum action a, void (*fn)(struct screen *))
{
	if (tui_nglobals == TUI_GLOBALS)
		fatal("tui_global: more than %d global actions", TUI_GLOBALS);
	tui_globals[tui_nglobals].action = a;
	tui_globals[tui_nglobals].fn = fn;
	tui_nglobals++;
}

int
tui_main(const struct tui_options *opt, void (*start)(void))
{
	struct sigaction	 sa;
	const char		*log;
	int			 ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &tui_t0);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "crm: the full-screen application needs a "
		    "terminal: run crm in one, or give a command (crm "
		    "--help)\n");
		return 2;
	}
	memset(&app, 0, sizeof app);
	app.opt = *opt;
	app.cursor_y = -1;
	if ((log = getenv("CRM_KEYLOG")) != NULL && *log != '\0' &&
	    (tui_keylog = fopen(log, "a")) == NULL) {
		fprintf(stderr, "crm: cannot write the key log %s: %s\n", log,
		    strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (newterm(NULL, stdout, stdin) == NULL) {
		fprintf(stderr, "crm: cannot start the screens: the terminal "
		    "type \"%s\" is unknown; set TERM, or use crm's commands "
		    "(crm --help)\n", getenv("TERM") != NULL ? getenv("TERM") :
		    "");
		return 1;
	}
	fatal_cleanup = tui_end;
	/* ssh may not ask for a passphrase on the terminal the screens hold. */
	sync_set_batch(1);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	tui_colors();
	edit_word_keys(key_defined("kLFT5"), key_defined("kRIT5"));
	start();
	tui_loop();
	/* Stopped by a signal (a dropped connection): forms kept as drafts. */
	if (tui_signal && app.open && app.s.logged_in)
		tui_stop(1);
	while (app.depth > 0)
		tui_pop();
	tui_end();
	fatal_cleanup = NULL;
	if (tui_signal)
		ret = 1;
	if (app.open)
		session_close(&app.s);
	if (tui_keylog != NULL)
		fclose(tui_keylog);
	/* Whatever went wrong last is said after the screen is gone. */
	if (app.exit_message[0] != '\0') {
		fprintf(stderr, "crm: %s\n", app.exit_message);
		ret = 1;
	}
	return ret;
}
