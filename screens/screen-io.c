/*
 * screen-io: export the main screen's list as shown (E), and import into
 * the tab's type (I) from CSV, vCard (contacts, companies) or iCalendar
 * (events, tasks) through a preview and a report.
 *
 * The preview runs the import in a transaction and aborts it, so what it
 * shows (rows to add, to update and what changes, unchanged, refused and
 * why, companies to be made) is what the import will do; nothing is
 * written until Enter there, which imports every row but those refused.
 */
#include "config.h"

#include <sys/stat.h>

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "browse.h"
#include "edit.h"
#include "error.h"
#include "exchange.h"
#include "list.h"
#include "listbox.h"
#include "model.h"
#include "path.h"
#include "record.h"
#include "screens.h"
#include "session.h"
#include "tui.h"
#include "xmalloc.h"

/*
 * The export's and the import's own actions and keymaps (tui.h: A_SCREEN,
 * KM_SCREEN).
 */
#define A_IO_GO		(A_SCREEN + 0)	/* write, read, import */
#define A_IO_FORMAT	(A_SCREEN + 1)	/* the next format */
#define A_IO_PREV_FORMAT (A_SCREEN + 2)
#define KM_IO_PROMPT	KM_SCREEN	/* typing a file name to export to */
#define KM_IO_VIEW	(KM_SCREEN << 1) /* the import's preview and report */
#define KM_IO_IMPORT	(KM_SCREEN << 2) /* typing a file name to import */

/* The export's keys and the import's: each screen has its own keymaps. */
static const struct binding io_bindings[] = {
	KEYS_SHARED(KEYS_LAST),
	{ A_IO_GO, "write", KM_IO_PROMPT, { '\r', '\n', KEY_ENTER }, "Enter",
	  "write the export", 1 },
	{ A_IO_GO, "preview", KM_IO_IMPORT, { '\r', '\n', KEY_ENTER }, "Enter",
	  "read the file and show what each row will do", 1 },
	{ A_IO_FORMAT, "format", KM_IO_PROMPT, { '\t' }, "Tab",
	  "next format (CSV; vCard for contacts; iCalendar for events and "
	  "tasks)", 1 },
	{ A_IO_PREV_FORMAT, "previous-format", KM_IO_PROMPT, { KEY_BTAB },
	  "S-Tab", "previous format", 0 },
	{ A_BACK, "cancel", KM_IO_PROMPT | KM_IO_IMPORT, { 27 }, "Esc",
	  "cancel", 1 },
	{ A_HELP, "help", KM_IO_PROMPT | KM_IO_IMPORT, { KEY_F(1) }, "F1",
	  "show the keys of this screen", 1 },
	KEYS_HELP(KM_IO_VIEW),
	{ A_IO_GO, "import", KM_IO_VIEW, { '\r', '\n', KEY_ENTER }, "Enter",
	  "import the rows to add and update (in the preview)", 1 },
	{ A_BACK, "back", KM_IO_VIEW, { 'q', 27 }, "q Esc",
	  "back; in the preview, cancel: nothing is written", 1 },
	{ A_UP, "up", KM_IO_VIEW, { KEY_UP, 'k', CTRL('p') }, "↑ k", "up", 0 },
	{ A_DOWN, "down", KM_IO_VIEW, { KEY_DOWN, 'j', CTRL('n') }, "↓ j",
	  "down", 0 },
	{ A_PGUP, "page-up", KM_IO_VIEW, { KEY_PPAGE, CTRL('b') }, "PgUp",
	  "page up", 0 },
	{ A_PGDN, "page-down", KM_IO_VIEW, { KEY_NPAGE, CTRL('f'), ' ' },
	  "PgDn Space", "page down", 0 },
	{ A_HOME, "first", KM_IO_VIEW, { KEY_HOME, 'g' }, "Home g", "first",
	  0 },
	{ A_END, "last", KM_IO_VIEW, { KEY_END, 'G' }, "End G", "last", 0 },
	{ A_REDRAW, "redraw", KM_IO_PROMPT | KM_IO_IMPORT | KM_IO_VIEW,
	  { CTRL('l') }, "^L", "redraw the screen", 0 },
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

/* "~/x" as a path. Returns a new string. */
static char *
io_expand(const char *path)
{
	const char	*home = getenv("HOME");
	char		*s;

	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') &&
	    home != NULL && *home != '\0') {
		xasprintf(&s, "%s%s", home, path + 1);
		return s;
	}
	return xstrdup(path);
}

/* The one-line prompt both screens start with: a path and perhaps a format. */
struct io_prompt {
	struct edit		 path;
	enum exchange_format	 formats[3];
	size_t			 nformats;
	size_t			 format;	/* index into formats */
};

#define io_format_label exchange_format_label

/* Draw "Label: [path]" at y and put the cursor in it. */
static void
io_draw_path(struct io_prompt *p, int y, int cols, const char *label)
{
	wchar_t	view[512];
	int	col, lw = 12, w = cols - lw - 3;

	tui_put(y, 2, lw - 2, label, tui_attr(C_LABEL));
	if (w < 4)
		return;
	col = edit_view(&p->path, w, view, 512);
	tui_put(y, lw, w, "", tui_attr(C_FIELD_ON));
	attrset(tui_attr(C_FIELD_ON));
	mvaddwstr(y, lw, view);
	attrset(A_NORMAL);
	app.cursor_y = y;
	app.cursor_x = lw + col;
}

/* The master was busy: see whether it is free now (Enter tries again). */
static void
io_retry(void)
{
	struct store_txn	*t;
	int			 ret;

	if ((ret = session_begin(&app.s, 0, &t)) == 0)
		session_end(&app.s, t, 0);
	if (tui_unit(ret) == 0)
		tui_message(0, "the database is free again: Enter tries again");
}

/* Export. */

struct export_data {
	struct io_prompt	 p;
	int			 type;
	struct browse		 b;		/* a copy of the list's filters */
	char			 desc[256];	/* what the list shows */
};

void
screen_export_open(const struct list *l, const char *tab)
{
	struct export_data	*d = xcalloc(1, sizeof *d);
	const struct model_type	*mt = model_type(l->type);
	char			 desc[200], *path;

	d->type = l->type;
	browse_init(&d->b, l->b.file, l->b.order);
	if (l->b.prefix != NULL)
		d->b.prefix = xstrdup(l->b.prefix);
	if (l->b.search != NULL)
		browse_set_search(&d->b, search_text(l->b.search));
	if (l->b.has_ref)
		browse_set_ref(&d->b, &l->b.ref);
	browse_set_mine(&d->b, l->b.mine, l->b.owners);
	list_describe(l, desc, sizeof desc);
	snprintf(d->desc, sizeof d->desc, "%s, %s", tab, desc);
	d->p.formats[d->p.nformats++] = EXCHANGE_CSV;
	if (l->type == MODEL_CONTACT || l->type == MODEL_COMPANY)
		d->p.formats[d->p.nformats++] = EXCHANGE_VCARD;
	if (l->type == MODEL_EVENT || l->type == MODEL_TASK)
		d->p.formats[d->p.nformats++] = EXCHANGE_ICAL;
	xasprintf(&path, "~/crm-%s.csv", mt->plural);
	edit_init(&d->p.path, path);
	free(path);
	tui_push(&screen_export, d);
}

static void
export_draw(struct screen *sc, int rows, int cols)
{
	struct export_data	*d = sc->data;
	char			 buf[300];
	size_t			 i;
	int			 x;

	(void)rows;
	snprintf(buf, sizeof buf, " Export %s",
	    model_type(d->type)->plural);
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	snprintf(buf, sizeof buf, "The list as shown: %s", d->desc);
	tui_put(2, 2, cols - 4, buf, tui_attr(C_NORMAL));
	tui_put(5, 2, 10, "Format", tui_attr(C_LABEL));
	for (i = 0, x = 12; i < d->p.nformats; i++) {
		snprintf(buf, sizeof buf, "%s %s", i == d->p.format ? "(*)" :
		    "( )", io_format_label(d->p.formats[i]));
		if (x + tui_width(buf) + 2 > cols)
			break;
		tui_put(5, x, tui_width(buf), buf, tui_attr(i == d->p.format ?
		    C_FIELD_ON : C_NORMAL));
		x += tui_width(buf) + 3;
	}
	tui_put(7, 2, cols - 4, d->p.nformats > 1 ? "Tab changes the "
	    "format. Enter writes the file; Esc goes back." : "Enter writes "
	    "the file; Esc goes back.", tui_attr(C_NORMAL));
	/* Last: the path puts the cursor where typing goes. */
	io_draw_path(&d->p, 4, cols, "File");
}

/* The file name follows the format when it still has the old ending. */
static void
export_format(struct export_data *d, size_t to)
{
	const char	*old = exchange_format_ext(d->p.formats[d->p.format]);
	const char	*new = exchange_format_ext(d->p.formats[to]);
	char		*path = edit_text(&d->p.path), *np;
	size_t		 n = strlen(path), k = strlen(old);

	d->p.format = to;
	if (n >= k && strcmp(path + n - k, old) == 0) {
		path[n - k] = '\0';
		xasprintf(&np, "%s%s", path, new);
		edit_set(&d->p.path, np);
		free(np);
	}
	free(path);
}

/* Write the whole list, page by page, in one unit of work. */
static int
export_write(struct export_data *d, const char *path, unsigned long *count)
{
	struct exchange_file	 xf;
	struct exchange_writer	*w = NULL;
	struct store_txn	*t;
	struct browse		 b;
	struct browse_row	 rows[256];
	size_t			 got, i, first = 0;
	int			 ret;

	*count = 0;
	if (exchange_file_open(&xf, path) != 0)
		return -1;
	if ((ret = session_begin(&app.s, app.s.wait_seconds, &t)) != 0) {
		exchange_file_close(&xf, 0);
		tui_unit(ret);
		return -2;
	}
	/* The list's filters and order, from its first row. */
	browse_init(&b, d->b.file, d->b.order);
	if (d->b.prefix != NULL)
		b.prefix = xstrdup(d->b.prefix);
	if (d->b.has_ref)
		browse_set_ref(&b, &d->b.ref);
	browse_set_mine(&b, d->b.mine, d->b.owners);
	if (d->b.search != NULL)
		browse_set_search(&b, search_text(d->b.search));
	/* Made for a spreadsheet: safe there (crm reads it back the same). */
	if ((w = exchange_writer_open(xf.f, path, d->type,
	    d->p.formats[d->p.format], 0)) == NULL)
		goto fail;
	for (;;) {
		/* A long export says how far it is, and Esc stops it. */
		if (tui_progress("exporting %s: %lu written so far; Esc "
		    "cancels", model_type(d->type)->plural, *count)) {
			error_set("export cancelled: nothing was written, %s is "
			    "as it was", path);
			goto fail;
		}
		if (browse_page(&b, t, rows, 256, &got) != 0)
			goto fail;
		for (i = first; i < got; i++) {
			if (exchange_put(w, t, rows[i].rec) != 0) {
				browse_rows_free(rows, got);
				goto fail;
			}
			(*count)++;
		}
		/* The last row starts the next page: it is not written twice. */
		if (got > 0)
			browse_set_top(&b, &rows[got - 1]);
		browse_rows_free(rows, got);
		if (got < 256)
			break;
		first = 1;
	}
	ret = exchange_writer_close(w);
	w = NULL;
	if (ret != 0)
		goto fail;
	session_end(&app.s, t, 0);
	tui_unit(0);
	browse_clear(&b);
	return exchange_file_close(&xf, 1);

fail:
	exchange_writer_close(w);
	session_end(&app.s, t, 0);
	tui_unit(0);
	browse_clear(&b);
	{
		char	*msg = xstrdup(error_get());

		exchange_file_close(&xf, 0);
		error_set("%s", msg);
		free(msg);
	}
	return -1;
}

static void
export_go(struct export_data *d)
{
	struct stat	 sb;
	unsigned long	 count;
	char		*text = edit_text(&d->p.path), *path;
	int		 ret;

	if (*text == '\0') {
		free(text);
		tui_message(1, "give a file name to write");
		return;
	}
	path = io_expand(text);
	free(text);
	if (stat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode)) {
			tui_message(1, "%s is a directory: give a file name "
			    "in it", path);
			free(path);
			return;
		}
		if (!tui_confirm("%s exists. Replace it?", path)) {
			tui_message(0, "nothing written: %s is as it was",
			    path);
			free(path);
			return;
		}
	}
	ret = export_write(d, path, &count);
	if (ret == -2) {
		free(path);
		return;		/* busy: tui_unit said so */
	}
	if (ret != 0) {
		tui_message(1, "%s", error_get());
		free(path);
		tui_redraw(REDRAW_BODY);
		return;
	}
	tui_message(0, "wrote %lu %s to %s (%s)", count, count == 1 ?
	    model_type(d->type)->name : model_type(d->type)->plural, path,
	    io_format_label(d->p.formats[d->p.format]));
	free(path);
	tui_pop();
}

static void
export_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct export_data	*d = sc->data;

	switch ((int)a) {
	case A_RETRY:
		io_retry();
		return;
	case A_BACK:
		tui_pop();
		return;
	case A_IO_FORMAT:
		export_format(d, (d->p.format + 1) % d->p.nformats);
		break;
	case A_IO_PREV_FORMAT:
		export_format(d, (d->p.format + d->p.nformats - 1) %
		    d->p.nformats);
		break;
	case A_IO_GO:
		export_go(d);
		return;
	default:
		if (edit_key(&d->p.path, iskey, ch) == EDIT_UNHANDLED)
			return;
		break;
	}
	tui_redraw(REDRAW_BODY);
}

static void
export_leave(struct screen *sc)
{
	struct export_data	*d = sc->data;

	edit_free(&d->p.path);
	browse_clear(&d->b);
	free(d);
}

static int
io_typing(struct screen *sc)
{
	(void)sc;
	return 1;
}

const struct screen_ops screen_export = {
	.name = "export",
	.keymaps = KM_IO_PROMPT,
	.bindings = io_bindings,
	.draw = export_draw,
	.key = export_key,
	.leave = export_leave,
	.typing = io_typing,
	.typing_keymaps = KM_IO_PROMPT,
	.help = "Export the list as shown to a file",
};

/* Import: the path, then the preview, then the report. */

struct import_item {
	struct exchange_row	*row;
	struct exchange_result	 res;
};

struct import_data {
	int			 stage;		/* IMPORT_* */
	int			 type;
	struct io_prompt	 p;
	char			*path;
	char			*about;		/* how the file was read */
	char			*note;
	enum exchange_format	 format;
	struct import_item	*items;
	size_t			 count[4];	/* by enum exchange_action */
	size_t			 ncompanies;
	struct listbox		 lb;		/* lb.n items */
	int			 w[4];		/* the last draw's columns */
};
static void	import_row(void *, size_t, int, int, int, int);

#define IMPORT_PATH	0
#define IMPORT_PREVIEW	1
#define IMPORT_REPORT	2

static void
import_items_clear(struct import_data *d)
{
	size_t	i;

	for (i = 0; i < d->lb.n; i++) {
		exchange_row_free(d->items[i].row);
		exchange_result_clear(&d->items[i].res);
	}
	free(d->items);
	d->items = NULL;
	d->lb.n = d->ncompanies = 0;
	memset(d->count, 0, sizeof d->count);
	d->lb.sel = d->lb.top = 0;
}

void
screen_import_open(int type)
{
	struct import_data	*d;

	if (type == MODEL_USER || type == MODEL_DOCUMENT) {
		tui_message(1, "%s are not imported: %s",
		    model_type(type)->plural, type == MODEL_USER ? "U adds "
		    "users" : "a on a record's screen attaches a file");
		return;
	}
	d = xcalloc(1, sizeof *d);
	d->type = type;
	listbox_init(&d->lb, 0, import_row, NULL, d);
	edit_init(&d->p.path, "~/");
	tui_push(&screen_import, d);
}

/* Something to write: a row to add or to update. */
static size_t
import_writes(const struct import_data *d)
{
	return d->count[EXCHANGE_ADD] + d->count[EXCHANGE_UPDATE];
}

/*
 * Run every row of the file through the import in one transaction:
 * committed (commit 1) or thrown away for the preview. 0, -1 (error set,
 * the file or the database), or -2 (busy, said).
 */
static int
import_run(struct import_data *d, int commit)
{
	struct exchange_reader	*rd;
	struct exchange_import	*imp;
	struct exchange_row	*row;
	struct store_txn	*t;
	struct import_item	*it;
	size_t			 cap = 0, i;
	int			 ret;

	if ((rd = exchange_reader_open(d->path, d->type, commit ?
	    (int)d->format : -1, NULL)) == NULL)
		return -1;
	d->format = exchange_reader_format(rd);
	if ((ret = session_begin(&app.s, app.s.wait_seconds, &t)) != 0) {
		exchange_reader_close(rd);
		tui_unit(ret);
		return -2;
	}
	import_items_clear(d);
	imp = exchange_import_begin(t, &app.s.user);
	while ((ret = exchange_next(rd, &row)) == 0) {
		if (d->lb.n == cap) {
			cap = cap ? cap * 2 : 64;
			d->items = xreallocarray(d->items, cap,
			    sizeof *d->items);
		}
		it = &d->items[d->lb.n++];
		it->row = row;
		if (exchange_import_row(imp, row, &it->res) != 0) {
			error_prefix("%s line %lu: ", d->path, row->line);
			ret = -1;
			break;
		}
		d->count[it->res.action]++;
		d->ncompanies += it->res.company_created ||
		    (row->type == MODEL_COMPANY && d->type != MODEL_COMPANY &&
		    it->res.action == EXCHANGE_ADD);
	}
	exchange_import_end(imp);
	free(d->about);
	d->about = xstrdup(exchange_reader_about(rd));
	free(d->note);
	d->note = exchange_reader_note(rd) != NULL ?
	    xstrdup(exchange_reader_note(rd)) : NULL;
	exchange_reader_close(rd);
	if (ret == -1) {
		session_end(&app.s, t, 0);
		tui_unit(0);
		return -1;
	}
	if (!commit || import_writes(d) == 0) {
		session_end(&app.s, t, 0);
		tui_unit(0);
		return 0;
	}
	ret = session_end(&app.s, t, 1);
	tui_unit(0);
	if (ret != 0) {
		/* Nothing was written: the report must not say otherwise. */
		for (i = 0; i < d->lb.n; i++)
			d->items[i].res.action = EXCHANGE_REFUSED;
		return -1;
	}
	tui_status_reload();
	return 0;
}

static void
import_preview(struct import_data *d)
{
	char	*text = edit_text(&d->p.path);
	int	 ret;

	free(d->path);
	d->path = io_expand(text);
	free(text);
	if ((ret = import_run(d, 0)) != 0) {
		if (ret == -1)
			tui_message(1, "%s", error_get());
		import_items_clear(d);
		return;
	}
	if (d->lb.n == 0) {
		tui_message(1, "%s holds no %ss: nothing to import", d->path,
		    exchange_row_word(d->format));
		return;
	}
	d->stage = IMPORT_PREVIEW;
	if (d->note != NULL)
		tui_message(0, "%s", d->note);
}

static void
import_do(struct import_data *d)
{
	int	ret;

	if (import_writes(d) == 0) {
		tui_message(1, "nothing to add or update: every %s is %s",
		    exchange_row_word(d->format), d->count[EXCHANGE_REFUSED] ==
		    d->lb.n ? "refused" : "unchanged or refused");
		return;
	}
	if ((ret = import_run(d, 1)) != 0) {
		if (ret == -1) {
			tui_message(1, "nothing was imported: %s",
			    error_get());
			import_items_clear(d);
			d->stage = IMPORT_PATH;
		}
		return;
	}
	d->stage = IMPORT_REPORT;
	d->lb.sel = d->lb.top = 0;
	tui_message(0, "imported %s: %zu added, %zu updated%s", d->path,
	    d->count[EXCHANGE_ADD], d->count[EXCHANGE_UPDATE],
	    d->count[EXCHANGE_REFUSED] > 0 ? "; the refused rows are marked" :
	    "");
}

/* What became of an item, as its last column says. */
static void
import_outcome(struct import_data *d, struct import_item *it, char *buf,
    size_t len)
{
	const struct exchange_result	*r = &it->res;
	char				 id[RECORD_ID_TEXT + 1];
	const char			*what = "";

	if (r->action == EXCHANGE_REFUSED) {
		snprintf(buf, len, "REFUSED: %s", r->reason);
		return;
	}
	if (it->row->type != d->type)
		what = it->row->type == MODEL_COMPANY ? " company" : "";
	record_id_format(&r->id, id);
	if (d->stage == IMPORT_REPORT)
		snprintf(buf, len, "%s%s %s%s%s", r->action == EXCHANGE_ADD ?
		    "added" : r->action == EXCHANGE_UPDATE ? "updated" :
		    "unchanged", what, id, r->changed != NULL &&
		    r->action == EXCHANGE_UPDATE ? ": " : "",
		    r->action == EXCHANGE_UPDATE && r->changed != NULL ?
		    r->changed : "");
	else
		snprintf(buf, len, "%s%s%s%s", exchange_action_name(r->action),
		    what, r->action == EXCHANGE_UPDATE && r->changed != NULL ?
		    ": " : "", r->action == EXCHANGE_UPDATE &&
		    r->changed != NULL ? r->changed : "");
	if (r->company_created)
		strncat(buf, ", new company", len - strlen(buf) - 1);
	else if (r->company_matched && d->stage == IMPORT_PREVIEW)
		strncat(buf, ", company found", len - strlen(buf) - 1);
	if (it->row->remark != NULL) {
		strncat(buf, "; ", len - strlen(buf) - 1);
		strncat(buf, it->row->remark, len - strlen(buf) - 1);
	}
}

/* A cell of w columns and the space after it. */
static void
io_cell(int y, int *x, int w, const char *text, int attr)
{
	tui_put(y, *x, w, text, attr);
	tui_put(y, *x + w, 1, "", attr);
	*x += w + 1;
}

/* The second column: what tells the rows of a type apart. */
static const char *
import_second(int type)
{
	switch (type) {
	case MODEL_CONTACT:
	case MODEL_NOTE:
	case MODEL_OPPORTUNITY:
	case MODEL_ISSUE:
		return "company";
	case MODEL_COMPANY:
		return "city";
	case MODEL_EVENT:
		return "start";
	case MODEL_TASK:
		return "due";
	case MODEL_CAMPAIGN:
		return "status";
	case MODEL_TARGET:
		return "campaign";
	default:
		return "description";
	}
}

static void
import_draw_rows(struct import_data *d, int rows, int cols)
{
	const struct model_field *mf;
	const char		*second = import_second(d->type);
	char			 buf[600];
	int			 y, wn, wname, wco, wmail, x;

	/* #, name, second, email, outcome: the outcome gets what is left. */
	wn = 5;
	wname = cols >= 100 ? 22 : 18;
	wco = cols >= 100 ? 18 : 14;
	wmail = cols >= 100 && d->type == MODEL_CONTACT ? 22 : 0;
	y = 3;
	x = 0;
	snprintf(buf, sizeof buf, " %s", d->format == EXCHANGE_VCARD ? "Card" :
	    d->format == EXCHANGE_ICAL ? "Item" : "Row");
	tui_put(y, x, wn, buf, tui_attr(C_HEADER));
	x += wn + 1;
	tui_put(y, x, wname, d->type == MODEL_CONTACT || d->type ==
	    MODEL_COMPANY ? "Name" : "Subject", tui_attr(C_HEADER));
	x += wname + 1;
	mf = model_field_find(d->type, second);
	tui_put(y, x, wco, mf != NULL ? mf->label : "", tui_attr(C_HEADER));
	x += wco + 1;
	if (wmail > 0) {
		tui_put(y, x, wmail, "Email", tui_attr(C_HEADER));
		x += wmail + 1;
	}
	tui_put(y, x, cols - x, d->stage == IMPORT_REPORT ? "Result" :
	    "Will be", tui_attr(C_HEADER));
	d->w[0] = wn;
	d->w[1] = wname;
	d->w[2] = wco;
	d->w[3] = wmail;
	listbox_draw(&d->lb, 4, 0, rows - 4, cols);
}

/* An item: its number, name, second field, email, and what it will be. */
static void
import_row(void *arg, size_t i, int y, int x, int cols, int selected)
{
	struct import_data	*d = arg;
	struct import_item	*it = &d->items[i];
	const char		*second = import_second(d->type);
	char			 buf[600], *name;
	int			 attr;

	attr = selected ? tui_attr(C_SELECTED) :
	    it->res.action == EXCHANGE_REFUSED ? tui_attr(C_ERROR) :
	    tui_attr(C_NORMAL);
	snprintf(buf, sizeof buf, "%*lu", d->w[0] - 1, it->row->number);
	io_cell(y, &x, d->w[0], buf, attr);
	name = exchange_row_name(it->row);
	io_cell(y, &x, d->w[1], name, attr);
	free(name);
	io_cell(y, &x, d->w[2], exchange_row_value(it->row, second), attr);
	if (d->w[3] > 0)
		io_cell(y, &x, d->w[3], exchange_row_value(it->row, "email"),
		    attr);
	import_outcome(d, it, buf, sizeof buf);
	tui_put(y, x, cols - x, buf, attr);
}

/* Bytes of s that fit in w columns, whole characters only. */
static size_t
io_fit(const char *s, int w)
{
	char	tmp[800];
	size_t	n = 0, k;

	while (s[n] != '\0') {
		for (k = 1; (s[n + k] & 0xc0) == 0x80; k++)
			/* nothing */;
		snprintf(tmp, sizeof tmp, "%.*s", (int)(n + k), s);
		if (tui_width(tmp) > w)
			break;
		n += k;
	}
	return n;
}

/* The selected row's whole outcome, on the last two rows, wrapped. */
static void
import_draw_detail(struct import_data *d, int rows, int cols)
{
	struct import_item	*it;
	char			 buf[800], out[600], line[800];
	const char		*p;
	size_t			 n;
	int			 y, w = cols - 2;

	if (d->lb.n == 0 || rows < 8 || w < 10)
		return;
	it = &d->items[d->lb.sel];
	import_outcome(d, it, out, sizeof out);
	snprintf(buf, sizeof buf, "%s %lu, line %lu: %s",
	    d->format == EXCHANGE_VCARD ? "Card" : d->format ==
	    EXCHANGE_ICAL ? "Item" : "Row", it->row->number, it->row->line,
	    out);
	for (p = buf, y = rows - 2; y < rows && *p != '\0'; y++) {
		if ((n = io_fit(p, w)) == 0)
			break;
		snprintf(line, sizeof line, "%.*s", (int)n, p);
		tui_put(y, 1, w, line, tui_attr(it->res.action ==
		    EXCHANGE_REFUSED ? C_ERROR : C_NORMAL));
		p += n;
	}
}

/*
 * "2 to add (1 new company), 1 refused, of 3.": the rows' fates that
 * some row has, so that the line fits 80 columns.
 */
static void
import_counts(const struct import_data *d, char *buf, size_t len)
{
	static const char *const preview[] = { "to add", "to update",
					       "unchanged", "refused" };
	static const char *const report[] = { "added", "updated",
					      "unchanged", "refused" };
	size_t	 a, used = 0;
	int	 said = 0;

	buf[0] = '\0';
	for (a = 0; a < 4; a++) {
		if (d->count[a] == 0)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s %zu %s",
		    used == 0 ? "" : ",", d->count[a], d->stage ==
		    IMPORT_PREVIEW ? preview[a] : report[a]);
		/* Made for the rows added, or (none added) updated. */
		if (used < len && d->ncompanies > 0 && !said &&
		    (a == EXCHANGE_ADD || a == EXCHANGE_UPDATE)) {
			used += (size_t)snprintf(buf + used, len - used,
			    " (%zu new %s)", d->ncompanies, d->ncompanies ==
			    1 ? "company" : "companies");
			said = 1;
		}
		if (used >= len)
			return;
	}
	snprintf(buf + used, len - used, ", of %zu.", d->lb.n);
}

static void
import_draw(struct screen *sc, int rows, int cols)
{
	struct import_data	*d = sc->data;
	const char		*plural = model_type(d->type)->plural;
	const char		*hint;
	char			 buf[600];

	if (d->stage == IMPORT_PATH) {
		snprintf(buf, sizeof buf, " Import %s", plural);
		tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
		snprintf(buf, sizeof buf, "%s%s%s", d->type == MODEL_CONTACT ||
		    d->type == MODEL_COMPANY ? "A vCard file, or a" :
		    d->type == MODEL_EVENT || d->type == MODEL_TASK ?
		    "An iCalendar file, or a" : "A", " CSV file (crm's, ",
		    d->type == MODEL_CONTACT ? "Google's, Outlook's;" :
		    "a spreadsheet's;");
		tui_put(2, 2, cols - 4, buf, tui_attr(C_NORMAL));
		tui_put(3, 2, cols - 4, "UTF-8 or Windows-1252, , ; or tab). "
		    "A row with a known ID updates.", tui_attr(C_NORMAL));
		tui_put(7, 2, cols - 4, "Enter shows what would be imported; "
		    "nothing is written yet. Esc goes back.",
		    tui_attr(C_NORMAL));
		io_draw_path(&d->p, 5, cols, "File");
		return;
	}
	snprintf(buf, sizeof buf, " %s %s from %s",
	    d->stage == IMPORT_REPORT ? "Imported" : "Import", plural,
	    d->path);
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	import_counts(d, buf, sizeof buf);
	/* The keys are on the last row too: the hint goes if it does not fit. */
	hint = d->stage == IMPORT_PREVIEW ? " Enter imports; Esc cancels." :
	    " q goes back.";
	if (strlen(buf) + strlen(hint) <= (size_t)cols)
		strncat(buf, hint, sizeof buf - strlen(buf) - 1);
	tui_put(1, 0, cols, buf, tui_attr(C_TITLE));
	snprintf(buf, sizeof buf, " Read as %s.", d->about != NULL ? d->about :
	    exchange_format_label(d->format));
	tui_put(2, 0, cols, buf, tui_attr(C_NORMAL));
	import_draw_rows(d, rows - 3, cols);
	import_draw_detail(d, rows, cols);
}

/* Tab: the file name completed as far as it goes, as in attach. */
static void
import_complete(struct import_data *d)
{
	struct path_completion	 pc;
	char			*text = edit_text(&d->p.path);
	size_t			 i, len = 0;
	char			 names[256];

	path_complete(text, &pc);
	if (pc.n == 0)
		tui_message(1, "no file or directory starts with \"%s\"", text);
	else if (pc.n > 1) {
		names[0] = '\0';
		for (i = 0; i < pc.n && len < sizeof names; i++)
			len += (size_t)snprintf(names + len, sizeof names - len,
			    "%s%s", i ? "  " : "", pc.names[i]);
		tui_message(0, "%zu fit: %s", pc.n, names);
	}
	edit_set(&d->p.path, pc.text);
	path_completion_free(&pc);
	free(text);
}

static void
import_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct import_data	*d = sc->data;

	if (a == A_RETRY) {
		io_retry();
		return;
	}
	if (d->stage == IMPORT_PATH) {
		switch ((int)a) {
		case A_BACK:
			tui_pop();
			return;
		case A_IO_GO:
			import_preview(d);
			break;
		case A_COMPLETE:
			import_complete(d);
			break;
		default:
			if (edit_key(&d->p.path, iskey, ch) == EDIT_UNHANDLED)
				return;
			break;
		}
		tui_redraw(REDRAW_BODY);
		return;
	}
	switch ((int)a) {
	case A_BACK:
	case A_QUIT:
		if (d->stage == IMPORT_PREVIEW)
			tui_message(0, "nothing was imported from %s",
			    d->path);
		tui_pop();
		return;
	case A_IO_GO:
		if (d->stage == IMPORT_PREVIEW)
			import_do(d);
		else
			tui_pop();
		break;
	default:
		if (!listbox_key(&d->lb, a))
			return;
		break;
	}
	tui_redraw(REDRAW_BODY);
}

static int
import_typing(struct screen *sc)
{
	struct import_data	*d = sc->data;

	return d->stage == IMPORT_PATH;
}

static void
import_leave(struct screen *sc)
{
	struct import_data	*d = sc->data;

	import_items_clear(d);
	edit_free(&d->p.path);
	free(d->path);
	free(d->about);
	free(d->note);
	free(d);
}

const struct screen_ops screen_import = {
	.name = "import",
	.keymaps = KM_IO_VIEW,
	.bindings = io_bindings,
	.draw = import_draw,
	.key = import_key,
	.leave = import_leave,
	.typing = import_typing,
	.typing_keymaps = KM_IO_IMPORT | KM_PROMPT_PATH,
	.help = "Import from a CSV, vCard or iCalendar file",
};
