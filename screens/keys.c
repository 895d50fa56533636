/*
 * keys: what each key does, as one table. The help screen and the key
 * line are drawn from it, so they cannot disagree with what the keys do.
 */
#include "config.h"

#include <curses.h>
#include <stddef.h>

#include "tui.h"

#define CTRL(c)		((c) & 0x1f)
#define ESC		27

/* Where moving around a list with letters works (no text being typed). */
#define KM_NAV		(KM_LIST | KM_MAIN | KM_RECORD | KM_LOGIN | KM_HELP | \
			    KM_READER | KM_DELETED)
/* Everywhere but where letters are typed into a field. */
#define KM_LETTERS	(KM_NAV)
#define KM_TYPING	(KM_FORM | KM_PICK | KM_SEARCH | KM_FIELDS)
#define KM_ALL		(KM_NAV | KM_TYPING)

const struct binding bindings[] = {
	{ A_HELP, "help", KM_LETTERS, { '?', KEY_F(1) }, "? F1",
	  "show the keys of this screen", 1 },
	{ A_HELP, "help", KM_TYPING, { KEY_F(1) }, "F1",
	  "show the keys of this screen", 1 },
	{ A_OPEN, "keep", KM_SEARCH, { '\r', '\n', KEY_ENTER }, "Enter",
	  "keep the search and go back to the list's keys", 1 },
	{ A_BACK, "clear", KM_SEARCH, { 27 }, "Esc", "clear the search", 1 },
	{ A_DOWN, "down", KM_SEARCH, { KEY_DOWN, KEY_NPAGE }, "↓ PgDn",
	  "keep the search and move in the list", 0 },
	{ A_UP, "up", KM_SEARCH, { KEY_UP, KEY_PPAGE }, "↑ PgUp",
	  "keep the search and move in the list; on an empty search, ↑ "
	  "brings back the last one", 0 },
	{ A_NEXT_FIELD, "next", KM_FIELDS, { '\t', KEY_DOWN, '\r',
	  KEY_ENTER }, "Tab ↓ Enter", "next field; Enter on the last one goes "
	  "on", 1 },
	{ A_PREV_FIELD, "previous", KM_FIELDS, { KEY_BTAB, KEY_UP }, "S-Tab ↑",
	  "previous field", 0 },
	{ A_BACK, "back", KM_FIELDS, { 27 }, "Esc",
	  "back to the list of databases, or quit", 1 },
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
	{ A_OPEN, "open", KM_LIST | KM_MAIN | KM_RECORD,
	  { '\r', '\n', KEY_ENTER }, "Enter", "open the record", 1 },
	{ A_OPEN, "select", KM_LOGIN, { '\r', '\n', KEY_ENTER },
	  "Enter", "open the selected database", 1 },
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
	{ A_NEW, "new", KM_MAIN | KM_RECORD, { 'n' }, "n", "new record", 1 },
	{ A_EDIT, "edit", KM_MAIN | KM_RECORD, { 'e' }, "e", "edit", 1 },
	{ A_DELETE, "delete", KM_MAIN | KM_RECORD, { 'd', KEY_DC }, "d",
	  "delete (asks first)", 1 },
	{ A_MINE, "mine", KM_MAIN, { 'm' }, "m",
	  "only mine (account manager or assignee is me), or all", 1 },
	{ A_SORT, "sort", KM_MAIN, { 's' }, "s",
	  "sort: name A-Z, Z-A, newest, oldest", 1 },
	{ A_NEXT_PANE, "panes", KM_RECORD, { '\t', KEY_RIGHT, 'l' },
	  "Tab", "next pane of linked records (and back to the fields)", 1 },
	{ A_PREV_PANE, "previous-pane", KM_RECORD, { KEY_BTAB, KEY_LEFT, 'h' },
	  "S-Tab", "previous pane", 0 },
	{ A_UP, "up", KM_NAV, { KEY_UP, 'k', CTRL('p') }, "↑ k", "up", 0 },
	{ A_DOWN, "down", KM_NAV, { KEY_DOWN, 'j', CTRL('n') }, "↓ j",
	  "down", 0 },
	{ A_OPEN, "choose", KM_PICK, { '\r', '\n', KEY_ENTER }, "Enter",
	  "choose the selected record", 1 },
	{ A_UP, "up", KM_PICK, { KEY_UP, CTRL('p') }, "↑", "up", 0 },
	{ A_DOWN, "down", KM_PICK, { KEY_DOWN, CTRL('n') }, "↓", "down", 0 },
	{ A_PGUP, "page-up", KM_NAV | KM_PICK, { KEY_PPAGE, CTRL('b') },
	  "PgUp", "page up", 0 },
	{ A_PGDN, "page-down", KM_NAV | KM_PICK, { KEY_NPAGE, CTRL('f'), ' ' },
	  "PgDn Space", "page down", 0 },
	{ A_HOME, "first", KM_NAV, { KEY_HOME, 'g' }, "Home g", "first", 0 },
	{ A_END, "last", KM_NAV, { KEY_END, 'G' }, "End G", "last", 0 },
	{ A_NEXT_FIELD, "next-field", KM_FORM,
	  { '\t', KEY_DOWN, '\r', KEY_ENTER }, "Tab ↓ Enter", "next field", 0 },
	{ A_PREV_FIELD, "previous-field", KM_FORM, { KEY_BTAB, KEY_UP },
	  "S-Tab ↑", "previous field", 0 },
	{ A_SAVE, "save", KM_FORM, { KEY_F(2), CTRL('s') }, "F2",
	  "save", 1 },
	{ A_SAVE_NEW, "save-and-new", KM_FORM, { KEY_F(3) }, "F3",
	  "save and start a new one", 1 },
	{ A_PICK, "choose", KM_FORM, { KEY_F(4) }, "F4",
	  "choose a company, contact, user or value from a list", 1 },
	{ A_EXTERNAL, "editor", KM_FORM, { KEY_F(5), CTRL('x') }, "F5 ^X",
	  "edit the field in $EDITOR (long text, or to paste much)", 0 },
	/* The line editor's own keys (screens/edit.c), for the help. */
	{ A_DOC, "enter", KM_FORM, { 0 }, "Enter ^J",
	  "in a long text (a note's text): a new line; elsewhere the next "
	  "field", 0 },
	{ A_DOC, "move", KM_FORM, { 0 }, "← → ^A ^E",
	  "move; ^A and ^E (Home, End) to the start and the end", 0 },
	{ A_DOC, "words", KM_FORM, { 0 }, "^← ^→",
	  "a word to the left, to the right", 0 },
	{ A_DOC, "delete", KM_FORM, { 0 }, "⌫ ^H Del ^D",
	  "delete the character before, under the cursor", 0 },
	{ A_DOC, "delete-word", KM_FORM, { 0 }, "^W",
	  "delete the word before the cursor", 0 },
	{ A_DOC, "delete-line", KM_FORM, { 0 }, "^U ^K",
	  "delete to the start, to the end of the text", 0 },
	{ A_ADD_DB, "add-database", KM_LOGIN, { 'a' }, "a",
	  "add a database to the list", 1 },
	{ A_REMOVE_DB, "remove-database", KM_LOGIN, { 'r' }, "r",
	  "remove a database from the list (its files stay)", 1 },
	{ A_BACK, "back", KM_RECORD | KM_HELP | KM_READER, { 'q', ESC },
	  "q Esc", "back", 1 },
	{ A_UNDO, "undo", KM_MAIN | KM_RECORD | KM_PIPELINE | KM_AGENDA,
	  { 'u' }, "u", "undo the last change or deletion made here (again: "
	  "the one before)", 0 },
	{ A_UNDELETE, "deleted", KM_MAIN, { 'D' }, "D",
	  "deleted records: bring one back", 0 },
	{ A_RESTORE, "bring-back", KM_DELETED, { '\r', '\n', KEY_ENTER, 'r' },
	  "Enter r", "bring the record back as it was", 1 },
	{ A_BACK, "back", KM_DELETED, { 'q', ESC }, "q Esc", "back", 1 },
	{ A_READ, "read", KM_RECORD, { 'r' }, "r",
	  "read the long text (a note's text, a description) in full", 0 },
	{ A_VIEW_FILE, "pager", KM_READER, { 'o', '|' }, "o",
	  "the text in $PAGER", 1 },
	{ A_BACK, "cancel", KM_FORM | KM_PICK, { ESC }, "Esc",
	  "cancel (asks before losing changes)", 1 },
	/* tui.c: Ctrl-C ends crm; a form's changes are asked about first. */
	{ A_DOC, "interrupt", KM_FORM, { 0 }, "^C",
	  "quit crm (asks first when the form has changes not saved)", 0 },
	{ A_QUIT, "quit", KM_MAIN | KM_LOGIN, { 'q' }, "q", "quit", 1 },
	{ A_REDRAW, "redraw", KM_ALL, { CTRL('l') }, "^L",
	  "redraw the screen", 0 },
	{ A_SUSPEND, "suspend", KM_ALL | KM_SETTINGS | KM_USERS | KM_CAMPAIGN |
	  KM_CAMP_PICK | KM_PROMPT | KM_TEMPLATES | KM_AGENDA | KM_PIPELINE |
	  KM_SYNC | KM_CONFLICTS | KM_IO_PROMPT | KM_IO_VIEW | KM_IO_IMPORT,
	  { CTRL('z') }, "^Z", "suspend crm: back to the shell, fg returns",
	  0 },
	/* Settings and users screens. */
	{ A_SETTINGS, "settings", KM_MAIN, { 'O' }, "O",
	  "settings of this database (and its users)", 0 },
	{ A_USERS, "users", KM_MAIN, { 'U' }, "U",
	  "the users of this database (administrators)", 0 },
	{ A_HELP, "help", KM_SETTINGS, { '?', KEY_F(1) }, "? F1",
	  "show the keys of this screen", 1 },
	{ A_EDIT, "edit", KM_SETTINGS, { 'e', '\r', '\n', KEY_ENTER },
	  "e Enter", "change the settings (F2 saves, Esc cancels)", 1 },
	{ A_USERS, "users", KM_SETTINGS, { 'u', 'U' }, "u",
	  "manage the users (administrators, on the master)", 1 },
	{ A_NEW, "new", KM_USERS, { 'n' }, "n", "add a user", 1 },
	{ A_EDIT, "edit", KM_USERS, { 'e' }, "e",
	  "change the user's name, type and rights", 1 },
	{ A_PASSWORD, "password", KM_USERS, { 'p' }, "p",
	  "set the user's password", 1 },
	{ A_BACK, "back", KM_SETTINGS | KM_USERS, { 'q', ESC }, "q Esc",
	  "back", 1 },
	{ A_REDRAW, "redraw", KM_SETTINGS, { CTRL('l') }, "^L",
	  "redraw the screen", 0 },
	/* Campaign screen. */
	{ A_CAMP_ADD_COMPANY, "add-company", KM_CAMPAIGN, { 'a' }, "a",
	  "add companies as targets: search them by name", 1 },
	{ A_CAMP_ADD_CONTACT, "add-contact", KM_CAMPAIGN, { 'A' }, "A",
	  "add contacts as targets: search them by name or company", 1 },
	{ A_CAMP_RESPONDED, "responded", KM_CAMPAIGN, { 'r' }, "r",
	  "mark the target responded today, or not responded (asks)", 1 },
	{ A_CAMP_FILTER, "filter", KM_CAMPAIGN, { 'f' }, "f",
	  "show all targets, the respondents, those not yet responded", 1 },
	{ A_EDIT, "edit", KM_CAMPAIGN, { 'e' }, "e", "edit the campaign", 1 },
	{ A_DELETE, "remove", KM_CAMPAIGN, { 'd', KEY_DC }, "d",
	  "remove the target from the campaign (asks first)", 1 },
	{ A_CAMP_INFO, "info", KM_CAMPAIGN, { 'i' }, "i",
	  "the campaign's record: who made and changed it", 0 },
	{ A_BACK, "back", KM_CAMPAIGN, { 'q', ESC }, "q Esc", "back", 1 },
	{ A_CAMP_KIND, "companies-or-contacts", KM_CAMP_PICK,
	  { '\t', KEY_BTAB }, "Tab", "search companies or contacts", 1 },
	{ A_CAMP_OPEN, "campaign", KM_RECORD, { 'c' }, "c",
	  "open the campaign of this target, or of the target selected", 0 },
	/* Documents and letters. */
	{ A_ATTACH, "attach", KM_RECORD, { 'a' }, "a",
	  "attach a file to this record (Tab completes the path)", 1 },
	{ A_VIEW_FILE, "open-file", KM_RECORD | KM_TEMPLATES, { 'o' }, "o",
	  "open the document: text in $PAGER, other kinds with run-mailcap",
	  0 },
	{ A_SAVE_COPY, "save-copy", KM_RECORD | KM_TEMPLATES, { 'w' }, "w",
	  "save a copy of the document (or template) elsewhere", 0 },
	{ A_LETTER, "letter", KM_RECORD, { 'L' }, "L",
	  "write a letter to this contact from a template", 1 },
	{ A_TEMPLATES, "templates", KM_MAIN, { 'T' }, "T",
	  "letter templates", 0 },
	{ A_NEW, "new", KM_TEMPLATES, { 'n' }, "n",
	  "new template from a text file", 1 },
	{ A_EDIT, "edit", KM_TEMPLATES, { 'e' }, "e",
	  "edit the template's name and description", 1 },
	{ A_EDIT_TEXT, "edit-text", KM_TEMPLATES, { 'E' }, "E",
	  "edit the template's text in $EDITOR", 1 },
	{ A_DELETE, "delete", KM_TEMPLATES, { 'd', KEY_DC }, "d",
	  "delete (asks first)", 1 },
	{ A_BACK, "back", KM_TEMPLATES, { 'q', ESC }, "q Esc", "back", 1 },
	{ A_COMPLETE, "complete", KM_PROMPT_PATH, { '\t' }, "Tab",
	  "complete the file name (lists what fits when several do)", 1 },
	{ A_OPEN, "accept", KM_PROMPT, { '\r', '\n', KEY_ENTER }, "Enter",
	  "accept", 1 },
	{ A_BACK, "cancel", KM_PROMPT, { ESC }, "Esc", "cancel", 1 },
	{ A_HELP, "help", KM_PROMPT, { KEY_F(1) }, "F1",
	  "show the keys of this screen", 0 },
	{ A_REDRAW, "redraw", KM_PROMPT | KM_TEMPLATES, { CTRL('l') }, "^L",
	  "redraw the screen", 0 },
	/* Calendar agenda, tasks and pipeline. */
	{ A_VIEW, "agenda-pipeline", KM_MAIN, { 'v' }, "v",
	  "Calendar tab: day and week agenda; Opportunities tab: pipeline", 0 },
	{ A_DONE, "done", KM_MAIN | KM_RECORD, { 'x' }, "x",
	  "a task done, or open again if it was done", 0 },
	{ A_WEEK, "week", KM_AGENDA, { 'w' }, "w", "day or week", 1 },
	{ A_DAY_PREV, "previous", KM_AGENDA, { '[', KEY_LEFT }, "[ ←",
	  "the day before (the week before in the week)", 0 },
	{ A_DAY_NEXT, "next", KM_AGENDA, { ']', KEY_RIGHT }, "] →",
	  "the day after (the week after in the week)", 0 },
	/* No key of its own: the key line's short form of the two above. */
	{ A_DAY_NEXT, "day", KM_AGENDA, { 0 }, "[ ]",
	  "day before, after", 1 },
	{ A_DAY_NEXT, "week", KM_AGENDA, { 0 }, "[ ]",
	  "week before, after", 1 },
	{ A_TODAY, "today", KM_AGENDA, { 't' }, "t", "today", 1 },
	{ A_NEW, "new", KM_AGENDA, { 'n' }, "n",
	  "new event at the cursor's time, an hour long", 1 },
	{ A_EDIT, "edit", KM_AGENDA, { 'e' }, "e", "edit the event", 0 },
	{ A_DELETE, "delete", KM_AGENDA, { 'd', KEY_DC }, "d",
	  "delete the event (asks first)", 0 },
	{ A_PREV_PANE, "show-stage-before", KM_PIPELINE,
	  { KEY_LEFT, 'h', KEY_BTAB }, "← h S-Tab",
	  "show the stage before", 0 },
	{ A_NEXT_PANE, "show-stage-after", KM_PIPELINE,
	  { KEY_RIGHT, 'l', '\t' }, "→ l Tab", "show the stage after", 0 },
	/* No key of its own: the key line's short form of the two above. */
	{ A_NEXT_PANE, "stages", KM_PIPELINE, { 0 }, "← →",
	  "show another stage", 1 },
	{ A_STAGE_NEXT, "next-stage", KM_PIPELINE, { '>' }, ">",
	  "move the opportunity to the next stage", 1 },
	{ A_STAGE_PREV, "previous-stage", KM_PIPELINE, { '<' }, "<",
	  "move the opportunity to the stage before", 1 },
	{ A_MINE, "mine", KM_AGENDA | KM_PIPELINE, { 'm' }, "m",
	  "only mine, or everyone's", 1 },
	{ A_BACK, "back", KM_AGENDA | KM_PIPELINE, { 'q', ESC }, "q Esc",
	  "back", 1 },
	/* Sync and conflicts screens. */
	{ A_SYNC, "sync", KM_MAIN, { 'S' }, "S",
	  "synchronize with the master", 0 },
	{ A_CONFLICTS, "conflicts", KM_MAIN, { 'C' }, "C",
	  "the conflict log: values a sync or a save overwrote, to restore", 0 },
	{ A_SYNC_GO, "sync", KM_SYNC, { '\r', '\n', KEY_ENTER, 'y' },
	  "Enter y", "synchronize now", 1 },
	{ A_SYNC_PREVIEW, "preview", KM_SYNC, { 'p' }, "p",
	  "preview what a sync would do, changing nothing", 1 },
	{ A_SYNC_AGAIN, "retry", KM_SYNC, { 'r' }, "r",
	  "try to reach the master again", 1 },
	{ A_CONFLICTS, "conflicts", KM_SYNC, { 'c' }, "c",
	  "the conflict log", 1 },
	{ A_OPEN, "show", KM_CONFLICTS, { '\r', '\n', KEY_ENTER }, "Enter",
	  "show the entry in full", 1 },
	{ A_RESTORE, "restore", KM_CONFLICTS, { 'r' }, "r",
	  "put the lost value back into its record", 1 },
	{ A_UP, "up", KM_CONFLICTS, { KEY_UP, 'k', CTRL('p') }, "↑ k", "up",
	  0 },
	{ A_DOWN, "down", KM_CONFLICTS, { KEY_DOWN, 'j', CTRL('n') }, "↓ j",
	  "down", 0 },
	{ A_PGUP, "page-up", KM_CONFLICTS, { KEY_PPAGE, CTRL('b') }, "PgUp",
	  "page up", 0 },
	{ A_PGDN, "page-down", KM_CONFLICTS, { KEY_NPAGE, CTRL('f'), ' ' },
	  "PgDn Space", "page down", 0 },
	{ A_HOME, "first", KM_CONFLICTS, { KEY_HOME, 'g' }, "Home g",
	  "newest", 0 },
	{ A_END, "last", KM_CONFLICTS, { KEY_END, 'G' }, "End G", "oldest",
	  0 },
	{ A_BACK, "back", KM_SYNC | KM_CONFLICTS, { 'q', ESC }, "q Esc",
	  "back", 1 },
	{ A_HELP, "help", KM_SYNC | KM_CONFLICTS, { '?', KEY_F(1) }, "? F1",
	  "show the keys of this screen", 1 },
	{ A_REDRAW, "redraw", KM_SYNC | KM_CONFLICTS, { CTRL('l') }, "^L",
	  "redraw the screen", 0 },
	/* Import and export. */
	{ A_EXPORT, "export", KM_MAIN, { 'E' }, "E",
	  "export this list as shown to a file (CSV, vCard, iCalendar)", 0 },
	{ A_IMPORT, "import", KM_MAIN, { 'I' }, "I",
	  "import into this tab from CSV, vCard or iCalendar", 0 },
	{ A_IO_GO, "write", KM_IO_PROMPT, { '\r', '\n', KEY_ENTER }, "Enter",
	  "write the export", 1 },
	{ A_IO_GO, "preview", KM_IO_IMPORT, { '\r', '\n', KEY_ENTER }, "Enter",
	  "read the file and show what each row will do", 1 },
	{ A_IO_FORMAT, "format", KM_IO_PROMPT, { '\t' }, "Tab",
	  "next format (CSV; vCard for contacts; iCalendar for events and "
	  "tasks)", 1 },
	{ A_IO_PREV_FORMAT, "previous-format", KM_IO_PROMPT, { KEY_BTAB },
	  "S-Tab", "previous format", 0 },
	{ A_BACK, "cancel", KM_IO_PROMPT | KM_IO_IMPORT, { ESC }, "Esc",
	  "cancel", 1 },
	{ A_HELP, "help", KM_IO_PROMPT | KM_IO_IMPORT, { KEY_F(1) }, "F1",
	  "show the keys of this screen", 1 },
	{ A_HELP, "help", KM_IO_VIEW, { '?', KEY_F(1) }, "? F1",
	  "show the keys of this screen", 1 },
	{ A_IO_GO, "import", KM_IO_VIEW, { '\r', '\n', KEY_ENTER }, "Enter",
	  "import the rows to add and update (in the preview)", 1 },
	{ A_BACK, "back", KM_IO_VIEW, { 'q', ESC }, "q Esc",
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
	  { CTRL('l') }, "^L",
	  "redraw the screen", 0 },
	/*
	 * A form's picker: after the campaign's, whose picker (KM_PICK too)
	 * has Tab for companies or contacts.
	 */
	{ A_NEXT_FIELD, "choose-next", KM_PICK, { '\t' }, "Tab",
	  "choose it and go on to the next field", 0 },
	{ A_SAVE, "choose-save", KM_PICK, { KEY_F(2) }, "F2",
	  "choose it and save the form", 0 },
	{ A_SAVE_NEW, "choose-save-new", KM_PICK, { KEY_F(3) }, "F3",
	  "choose it, save and start the next one", 0 },
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

enum action
keys_action(unsigned keymaps, int iskey, wint_t ch)
{
	const struct binding	*b;
	size_t			 i;
	int			 k;

	for (b = bindings; b->name != NULL; b++) {
		if ((b->keymaps & keymaps) == 0)
			continue;
		for (i = 0; i < 4 && (k = b->keys[i]) != 0; i++) {
			/* Function keys and characters are told apart. */
			if ((k >= KEY_MIN) != (iskey != 0))
				continue;
			if ((wint_t)k == ch)
				return b->action;
		}
	}
	return A_NONE;
}

const char *
keys_name(enum action a)
{
	const struct binding	*b;

	for (b = bindings; b->name != NULL; b++) {
		if (b->action == a)
			return b->name;
	}
	return a == A_RETRY ? "retry" : "none";
}
