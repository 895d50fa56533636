/*
 * screen-main: one tab per record type, each a list of its records.
 * Each tab keeps its own place, search and filter while another is shown.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "browse.h"
#include "cfg.h"
#include "edit.h"
#include "list.h"
#include "model.h"
#include "record.h"
#include "screens.h"
#include "tui.h"
#include "xmalloc.h"

/* The main screen's own actions and keymap (tui.h: A_SCREEN, KM_SCREEN). */
#define A_TAB1		(A_SCREEN + 0)	/* a tab by its number */
#define A_TAB2		(A_SCREEN + 1)
#define A_TAB3		(A_SCREEN + 2)
#define A_TAB4		(A_SCREEN + 3)
#define A_TAB5		(A_SCREEN + 4)
#define A_TAB6		(A_SCREEN + 5)
#define A_TAB7		(A_SCREEN + 6)
#define A_TAB8		(A_SCREEN + 7)
#define A_NEXT_TAB	(A_SCREEN + 8)
#define A_PREV_TAB	(A_SCREEN + 9)
#define A_SEARCH_NEXT	(A_SCREEN + 10)	/* the next match of a search kept */
#define A_SEARCH_PREV	(A_SCREEN + 11)
#define A_MINE		(A_SCREEN + 12)	/* only mine, or all */
#define A_SORT		(A_SCREEN + 13)
#define A_UNDELETE	(A_SCREEN + 14)	/* the deleted records, to bring back */
#define A_SETTINGS	(A_SCREEN + 15)	/* the screens the main screen opens */
#define A_USERS		(A_SCREEN + 16)
#define A_TEMPLATES	(A_SCREEN + 17)
#define A_VIEW		(A_SCREEN + 18)	/* the agenda, the pipeline */
#define A_DONE		(A_SCREEN + 19)	/* a task done, or open again */
#define A_SYNC		(A_SCREEN + 20)
#define A_CONFLICTS	(A_SCREEN + 21)
#define A_EXPORT	(A_SCREEN + 22)
#define A_IMPORT	(A_SCREEN + 23)
#define KM_MAIN		KM_SCREEN	/* the tabs, no search being typed */

static const struct binding main_bindings[] = {
	KEYS_SHARED(KEYS_TOP),
	{ A_TAB1, "tab-1", KM_MAIN, { '1' }, "1", "companies", 0 },
	{ A_TAB2, "tab-2", KM_MAIN, { '2' }, "2", "contacts", 0 },
	{ A_TAB3, "tab-3", KM_MAIN, { '3' }, "3", "notes", 0 },
	{ A_TAB4, "tab-4", KM_MAIN, { '4' }, "4", "calendar", 0 },
	{ A_TAB5, "tab-5", KM_MAIN, { '5' }, "5", "tasks", 0 },
	{ A_TAB6, "tab-6", KM_MAIN, { '6' }, "6", "opportunities", 0 },
	{ A_TAB7, "tab-7", KM_MAIN, { '7' }, "7", "campaigns", 0 },
	{ A_TAB8, "tab-8", KM_MAIN, { '8' }, "8", "issues", 0 },
	{ A_NEXT_TAB, "next-tab", KM_MAIN, { '\t', KEY_RIGHT, 'l' },
	  "Tab → l", "next tab", 0 },
	{ A_PREV_TAB, "previous-tab", KM_MAIN, { KEY_BTAB, KEY_LEFT, 'h' },
	  "S-Tab ← h", "previous tab", 0 },
	KEYS_SHARED(KEYS_OPEN),
	{ A_SEARCH, "search", KM_MAIN, { '/' }, "/",
	  "search as you type, inside words too: names, email, phone, "
	  "city, company (Enter keeps it, Esc clears it, ↑ brings back the "
	  "last one)", 1 },
	/* For the help: n and N while a search is kept. */
	{ A_SEARCH_NEXT, "next-match", KM_MAIN, { 0 }, "n N",
	  "next, previous match (while a search is kept; else n is new); "
	  "Esc clears the search", 0 },
	{ A_SEARCH_NEXT, "next", KM_MAIN, { 0 }, "n N", "next, previous "
	  "match", 1 },
	{ A_SEARCH_PREV, "previous-match", KM_MAIN, { 'N' }, "N",
	  "previous match", 0 },
	{ A_NEW, "new", KM_MAIN, { 'n' }, "n", "new record", 1 },
	{ A_EDIT, "edit", KM_MAIN, { 'e' }, "e", "edit", 1 },
	{ A_DELETE, "delete", KM_MAIN, { 'd', KEY_DC }, "d",
	  "delete (asks first)", 1 },
	{ A_MINE, "mine", KM_MAIN, { 'm' }, "m",
	  "only mine (account manager or assignee is me), or all", 1 },
	{ A_SORT, "sort", KM_MAIN, { 's' }, "s",
	  "sort: name A-Z, Z-A, newest, oldest", 1 },
	KEYS_SHARED(KEYS_MOVE),
	KEYS_UNDO(KM_MAIN),
	{ A_UNDELETE, "deleted", KM_MAIN, { 'D' }, "D",
	  "deleted records: bring one back", 0 },
	{ A_QUIT, "quit", KM_MAIN, { 'q' }, "q", "quit", 1 },
	KEYS_SHARED(KEYS_END),
	{ A_SETTINGS, "settings", KM_MAIN, { 'O' }, "O",
	  "settings of this database (and its users)", 0 },
	{ A_USERS, "users", KM_MAIN, { 'U' }, "U",
	  "the users of this database (administrators)", 0 },
	{ A_TEMPLATES, "templates", KM_MAIN, { 'T' }, "T",
	  "letter templates", 0 },
	{ A_VIEW, "agenda-pipeline", KM_MAIN, { 'v' }, "v",
	  "Calendar tab: day and week agenda; Opportunities tab: pipeline", 0 },
	{ A_DONE, "done", KM_MAIN, { 'x' }, "x",
	  "a task done, or open again if it was done", 0 },
	{ A_SYNC, "sync", KM_MAIN, { 'S' }, "S",
	  "synchronize with the master", 0 },
	{ A_CONFLICTS, "conflicts", KM_MAIN, { 'C' }, "C",
	  "the conflict log: values a sync or a save overwrote, to restore",
	  0 },
	{ A_EXPORT, "export", KM_MAIN, { 'E' }, "E",
	  "export this list as shown to a file (CSV, vCard, iCalendar)", 0 },
	{ A_IMPORT, "import", KM_MAIN, { 'I' }, "I",
	  "import into this tab from CSV, vCard or iCalendar", 0 },
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

static const struct main_tab {
	int		 type;
	const char	*label;
	const char	*midlabel;
	const char	*shortlabel;
	const char	*columns;
} main_tabs[] = {
	{ MODEL_COMPANY, "Companies", "Companies", "Comp",
	  "name,city,country,phone,email,account_manager" },
	{ MODEL_CONTACT, "Contacts", "Contacts", "Cont",
	  "last_name,first_name,company,phone,email,account_manager" },
	{ MODEL_NOTE, "Notes", "Notes", "Note", "subject,date,company,contact" },
	{ MODEL_EVENT, "Calendar", "Calendar", "Cal",
	  "start,subject,company,location,assigned_to" },
	{ MODEL_TASK, "Tasks", "Tasks", "Task",
	  "due,subject,status,priority,company,assigned_to" },
	{ MODEL_OPPORTUNITY, "Opportunities", "Opps", "Opp",
	  "name,company,stage,amount,close_date,account_manager" },
	{ MODEL_CAMPAIGN, "Campaigns", "Campaigns", "Camp", "name,start,end,status" },
	{ MODEL_ISSUE, "Issues", "Issues", "Iss",
	  "subject,status,priority,company,assigned_to" },
};
#define MAIN_NTABS (sizeof main_tabs / sizeof main_tabs[0])

struct main_data {
	size_t		 tab;
	struct list	 lists[MAIN_NTABS];
	int		 made[MAIN_NTABS];
};

/* Rows of the list: all but the tabs, the info line and the header. */
static int
main_list_height(void)
{
	int	h = LINES - 2 - 3;

	return h > 1 ? h : 1;
}

static struct list *
main_list(struct main_data *d)
{
	struct list	*l = &d->lists[d->tab];

	if (!d->made[d->tab]) {
		list_init(l, main_tabs[d->tab].type, main_tabs[d->tab].columns);
		d->made[d->tab] = 1;
	}
	return l;
}

static void
main_load(struct main_data *d)
{
	struct list	*l = main_list(d);

	l->lb.height = main_list_height();
	list_load(l);
}

static int
main_enter(struct screen *sc)
{
	struct main_data	*d = xcalloc(1, sizeof *d);

	sc->data = d;
	tui_status_reload();
	main_load(d);
	return 0;
}

static void
main_reload(struct screen *sc)
{
	struct main_data	*d = sc->data;

	/* A search finds again what was added or changed meanwhile. */
	browse_refresh(&main_list(d)->b);
	main_load(sc->data);
	tui_status_reload();
}

static void
main_leave(struct screen *sc)
{
	struct main_data	*d = sc->data;
	size_t			 i;

	for (i = 0; i < MAIN_NTABS; i++) {
		if (d->made[i])
			list_free(&d->lists[i]);
	}
	free(d);
}

static void
main_draw(struct screen *sc, int rows, int cols)
{
	struct main_data	*d = sc->data;
	struct list		*l = main_list(d);
	char			 buf[256], desc[200];
	size_t			 i;
	int			 x, w, full = 0, mid = 0;

	/* Full labels when they fit, shorter ones otherwise. */
	for (i = 0; i < MAIN_NTABS; i++) {
		full += tui_width(main_tabs[i].label) + 3;
		mid += tui_width(main_tabs[i].midlabel) + 2;
	}
	for (i = 0, x = 0; i < MAIN_NTABS; i++) {
		if (full <= cols)
			snprintf(buf, sizeof buf, " %zu %s ", i + 1,
			    main_tabs[i].label);
		else if (mid <= cols)
			snprintf(buf, sizeof buf, "%zu %s ", i + 1,
			    main_tabs[i].midlabel);
		else
			snprintf(buf, sizeof buf, "%zu %s ", i + 1,
			    main_tabs[i].shortlabel);
		w = tui_width(buf);
		tui_put(0, x, w, buf, tui_attr(i == d->tab ? C_TAB_ON : C_TAB));
		x += w;
	}
	if (x < cols)
		tui_put(0, x, cols - x, "", tui_attr(C_TAB));
	if (l->searching)
		list_draw_search(l, 1, 0, cols, l->search.len == 0 &&
		    l->last != NULL ? " Search (↑ the last one): " :
		    " Search: ");
	else {
		list_describe(l, desc, sizeof desc);
		snprintf(buf, sizeof buf, " %s, %s", main_tabs[d->tab].label,
		    desc);
		tui_put(1, 0, cols, buf, tui_attr(C_TITLE));
	}
	list_draw(l, 2, 0, rows - 2, cols, 1);
}

static int
main_typing(struct screen *sc)
{
	struct main_data	*d = sc->data;

	return main_list(d)->searching;
}

static void
main_switch(struct main_data *d, size_t tab)
{
	if (tab >= MAIN_NTABS)
		return;
	d->tab = tab;
	main_load(d);
	tui_redraw(REDRAW_BODY | REDRAW_STATUS);
}

static void
main_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct main_data	*d = sc->data;
	struct list		*l = main_list(d);
	const struct record	*r;
	static const char *const owners[MODEL_NTYPES][2] = {
		[MODEL_COMPANY] = { "account_manager" },
		[MODEL_CONTACT] = { "account_manager" },
		[MODEL_EVENT] = { "assigned_to" },
		[MODEL_TASK] = { "assigned_to" },
		[MODEL_OPPORTUNITY] = { "account_manager" },
		[MODEL_ISSUE] = { "assigned_to" },
		[MODEL_TARGET] = { "account_manager" },
	};

	if (l->searching && list_key(l, a, iskey, ch))
		return;
	r = list_selected(l);
	/* While a search is kept, n goes to the next match (mutt, less). */
	if (a == A_NEW && list_searched(l))
		a = A_SEARCH_NEXT;
	/* Esc clears a search kept, as it clears one being typed. */
	if (!iskey && ch == 27 && list_searched(l)) {
		edit_set(&l->search, "");
		browse_set_search(&l->b, NULL);
		l->lb.sel = 0;
		list_load(l);
		return;
	}
	switch ((int)a) {
	case A_SEARCH_NEXT:
	case A_SEARCH_PREV:
		list_next_match(l, a == A_SEARCH_NEXT ? 1 : -1);
		return;
	case A_QUIT:
		/* q is "back" everywhere else: here it asks (ui.confirm_quit). */
		if (cfg_bool("ui.confirm_quit") && !tui_confirm("Quit crm?"))
			return;
		app.quit = 1;
		return;
	case A_NEXT_TAB:
		main_switch(d, (d->tab + 1) % MAIN_NTABS);
		return;
	case A_PREV_TAB:
		main_switch(d, (d->tab + MAIN_NTABS - 1) % MAIN_NTABS);
		return;
	case A_TAB1: case A_TAB2: case A_TAB3: case A_TAB4:
	case A_TAB5: case A_TAB6: case A_TAB7: case A_TAB8:
		main_switch(d, (size_t)(a - A_TAB1));
		return;
	case A_OPEN:
		if (r != NULL)
			screen_record_open(l->type, &r->id);
		return;
	case A_NEW:
		screen_form_open(l->type, NULL, NULL);
		return;
	case A_EDIT:
		if (r != NULL)
			screen_form_open(l->type, &r->id, NULL);
		return;
	case A_DELETE:
		if (r != NULL && screen_delete(l->type, r) == 0)
			main_reload(sc);
		return;
	case A_MINE:
		browse_set_mine(&l->b, l->b.mine[0] != '\0' ? "" :
		    app.s.user.uid, owners[l->type][0] != NULL ?
		    owners[l->type] : NULL);
		l->lb.sel = 0;
		list_load(l);
		return;
	case A_SORT:
		browse_set_order(&l->b, (l->b.order + 1) % 4);
		l->lb.sel = 0;
		list_load(l);
		return;
	/* Settings and users screens. */
	case A_SETTINGS:
		screen_settings_open();
		return;
	case A_USERS:
		screen_users_open();
		return;
	/* Documents and letters. */
	case A_TEMPLATES:
		screen_templates_open();
		return;
	/* Calendar agenda, tasks and pipeline. */
	case A_VIEW:
		if (l->type == MODEL_EVENT)
			screen_agenda_open(l->b.mine);
		else if (l->type == MODEL_OPPORTUNITY)
			screen_pipeline_open(l->b.mine);
		else
			tui_message(1, "v works on the Calendar tab (agenda) "
			    "and the Opportunities tab (pipeline)");
		return;
	case A_DONE:
		if (l->type != MODEL_TASK)
			tui_message(1, "x marks a task done: it works on the "
			    "Tasks tab (5)");
		else if (r != NULL && tasks_toggle_done(r) == 0)
			list_load(l);
		return;
	case A_UNDELETE:
		screen_deleted_open();
		return;
	/* Sync and conflicts screens. */
	case A_SYNC:
		screen_sync_open();
		return;
	case A_CONFLICTS:
		screen_conflicts_open();
		return;
	/* Import and export. */
	case A_EXPORT:
		screen_export_open(l, main_tabs[d->tab].label);
		return;
	case A_IMPORT:
		screen_import_open(l->type);
		return;
	default:
		list_key(l, a, iskey, ch);
		return;
	}
}

/* n is a new record, or the next match while a search is kept. */
static int
main_offers(const struct screen *sc, const struct binding *b)
{
	struct main_data	*d = sc->data;
	int			 searched = list_searched(&d->lists[d->tab]);

	if (!d->made[d->tab])
		searched = 0;
	if (b->action == A_NEW)
		return !searched;
	if (b->action == A_SEARCH_NEXT && b->keyline)
		return searched;
	return 1;
}

/* Sync is a local's: on a master the help says why not. */
static const char *
main_unavailable(const struct screen *sc, const struct binding *b)
{
	(void)sc;
	return b->action == A_SYNC ? screen_sync_unavailable() : NULL;
}

/*
 * Logged in: a form kept when crm was stopped is offered, here on the
 * main screen only, never over what is typed.
 */
static int
main_ready(struct screen *sc)
{
	(void)sc;
	if (!app.offer_drafts)
		return 0;
	app.offer_drafts = 0;
	screen_form_offer_draft();
	return 1;
}

const struct screen_ops screen_main = {
	.name = "main",
	.keymaps = KM_MOVE | KM_LIST | KM_MAIN,
	.bindings = main_bindings,
	.enter = main_enter,
	.draw = main_draw,
	.key = main_key,
	.reload = main_reload,
	.leave = main_leave,
	.typing = main_typing,
	.typing_keymaps = KM_SEARCH,
	.help = "The main screen: one tab per kind of record",
	.offers = main_offers,
	.ready = main_ready,
	.unavailable = main_unavailable,
};
