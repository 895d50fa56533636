/*
 * tui: the full-screen application.
 *
 * The framework: screens are a stack of const ops structs over shared
 * widgets (list.h, fieldset.h, prompt.h). Keys go through one bindings
 * table to actions; a screen handles only its own. The framework knows
 * no screen by name: the application (screens.h, screens_main) says
 * which screen comes first and which keys work over all of them. Screens set
 * redraw flags and the loop paints once, then calls doupdate() once, so a
 * keystroke over a slow link sends only the cells that changed.
 *
 * Layout: the top screen owns rows 0..LINES-3; the status line (database,
 * role, user, changes waiting, last sync) is LINES-2; the last line shows
 * a message or the keys of the current screen.
 */
#ifndef CRM_TUI_H
#define CRM_TUI_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "session.h"

/* What a key does, whatever key it is (screens/keys.c). */
enum action {
	A_NONE,
	A_QUIT,
	A_BACK,
	A_HELP,
	A_REDRAW,
	A_UP,
	A_DOWN,
	A_PGUP,
	A_PGDN,
	A_HOME,
	A_END,
	A_OPEN,
	A_NEW,
	A_EDIT,
	A_DELETE,
	A_SEARCH,
	A_MINE,
	A_SORT,
	A_NEXT_TAB,
	A_PREV_TAB,
	A_TAB1, A_TAB2, A_TAB3, A_TAB4, A_TAB5, A_TAB6, A_TAB7, A_TAB8,
	A_NEXT_PANE,
	A_PREV_PANE,
	A_NEXT_FIELD,
	A_PREV_FIELD,
	A_SAVE,
	A_SAVE_NEW,
	A_PICK,
	A_CLEAR,
	A_ADD_DB,
	A_REMOVE_DB,
	/* Settings and users screens. */
	A_SETTINGS,
	A_USERS,
	A_PASSWORD,
	/* Campaign screen. */
	A_CAMP_ADD_COMPANY,	/* targets from a search of companies */
	A_CAMP_ADD_CONTACT,	/* ... of contacts */
	A_CAMP_RESPONDED,	/* responded today, or not (asks) */
	A_CAMP_FILTER,		/* all, respondents, not yet responded */
	A_CAMP_KIND,		/* the picker: companies or contacts */
	A_CAMP_OPEN,		/* a record screen: the target's campaign */
	A_CAMP_INFO,		/* the campaign's record: who made it (S4) */
	/* Documents and letters. */
	A_ATTACH,
	A_VIEW_FILE,
	A_SAVE_COPY,
	A_LETTER,
	A_TEMPLATES,
	A_EDIT_TEXT,
	A_COMPLETE,
	/* Calendar agenda, tasks and pipeline. */
	A_VIEW,			/* the Calendar's agenda, the pipeline */
	A_DONE,			/* a task done, or open again */
	A_WEEK,			/* the agenda: a day or a week */
	A_DAY_NEXT,		/* the next day (week) */
	A_DAY_PREV,
	A_TODAY,
	A_STAGE_NEXT,		/* an opportunity to the next stage */
	A_STAGE_PREV,
	/* Sync and conflicts screens. */
	A_SYNC,			/* main: the sync screen */
	A_CONFLICTS,		/* main, sync: the conflict log */
	A_SYNC_GO,		/* sync: synchronize now */
	A_SYNC_PREVIEW,		/* sync: a dry run first */
	A_SYNC_AGAIN,		/* sync: try to reach the master again */
	A_RESTORE,		/* conflicts: put the lost value back */
	/* Import and export. */
	A_EXPORT,
	A_IMPORT,
	A_IO_GO,
	A_IO_FORMAT,
	A_IO_PREV_FORMAT,
	/* A day at the keyboard. */
	A_SEARCH_NEXT,		/* the next match of a search kept */
	A_SEARCH_PREV,
	A_UNDO,			/* undo the last change or deletion */
	A_UNDELETE,		/* the deleted records, to bring back */
	A_READ,			/* a long field in full, or in $PAGER */
	A_EXTERNAL,		/* edit the field in $EDITOR */
	A_SUSPEND,		/* Ctrl-Z: back to the shell, fg returns */
	A_DOC,			/* no key: a line of the help alone */
	A_RETRY			/* not a key: the loop's timer while busy */
};

/* Which bindings apply: a screen's keymap is a mask of these. */
#define KM_GLOBAL	0x01
#define KM_LIST		0x02	/* a list of records */
#define KM_MAIN		0x04	/* the main screen's tabs */
#define KM_RECORD	0x08	/* one record and its linked records */
#define KM_FORM		0x10	/* editing fields */
#define KM_PICK		0x20	/* choosing a record for a field */
#define KM_LOGIN	0x40	/* the database list of the login screen */
#define KM_HELP		0x80
#define KM_SEARCH	0x100	/* typing a search into a list */
#define KM_FIELDS	0x200	/* typing into the login's fields */
/* Settings and users screens. */
#define KM_SETTINGS	0x1000	/* the settings screen, not editing */
#define KM_USERS	0x2000	/* the list of users */
/* Campaign screen. */
#define KM_CAMPAIGN	0x40000	/* a campaign and its targets */
#define KM_CAMP_PICK	0x80000	/* adding targets: typing a name */
/* Documents and letters. */
#define KM_PROMPT	0x4000	/* a one-line prompt (a path, a description) */
#define KM_TEMPLATES	0x8000	/* the list of letter templates */
/* Calendar agenda, tasks and pipeline. */
#define KM_AGENDA	0x10000	/* the day and week agenda */
#define KM_PIPELINE	0x20000	/* opportunities by stage */
/* Sync and conflicts screens. */
#define KM_SYNC		0x400	/* the sync screen */
#define KM_CONFLICTS	0x800	/* the conflict log */
/* Import and export. */
#define KM_IO_PROMPT	0x100000	/* typing a file name to export or import */
#define KM_IO_VIEW	0x200000	/* the import's preview and report */
#define KM_PROMPT_PATH	0x400000	/* a prompt for a path: Tab completes */
#define KM_IO_IMPORT	0x800000	/* typing the name of a file to import */
/* A day at the keyboard. */
#define KM_READER	0x1000000	/* a long text read in full */
#define KM_DELETED	0x2000000	/* deleted records, to bring back */

struct binding {
	enum action	 action;
	const char	*name;		/* "search": for the key log */
	unsigned	 keymaps;	/* KM_* where it applies */
	int		 keys[4];	/* ncurses codes or characters; 0 ends */
	const char	*keytext;	/* "/": as the help shows the keys */
	const char	*label;		/* "search by name" */
	int		 keyline;	/* shown on the key line */
};

extern const struct binding bindings[];

struct screen;

/* The keymaps in force for a screen now (typing or not). */
unsigned	 tui_keymaps(struct screen *);
/* The action of a key in a screen's keymaps, or A_NONE. */
enum action	 keys_action(unsigned keymaps, int iskey, wint_t ch);
const char	*keys_name(enum action);

struct screen_ops {
	const char	*name;		/* for the help title and the key log */
	unsigned	 keymaps;	/* KM_* bits whose bindings apply */
	/* Pushed: read what it shows. -1 pops it again (message set). */
	int		(*enter)(struct screen *);
	/* Paint rows 0..rows-1 of stdscr. */
	void		(*draw)(struct screen *, int rows, int cols);
	/* A key: its action (A_NONE if unbound) and the key itself. */
	void		(*key)(struct screen *, enum action, int iskey,
			    wint_t ch);
	/* Uncovered again, or data changed: read again. May be NULL. */
	void		(*reload)(struct screen *);
	/* Popped: free data. May be NULL. */
	void		(*leave)(struct screen *);
	/*
	 * Is text being typed (a field, a search)? Then letters are text
	 * and only the form's keys (function keys, Tab, Esc) are actions.
	 * May be NULL.
	 */
	int		(*typing)(struct screen *);
	/* The keymaps while typing (0: KM_FORM). */
	unsigned	 typing_keymaps;
	/* The title of the help screen for this screen. */
	const char	*help;
	/*
	 * Does this binding apply here now (L only on a contact, the week's
	 * keys only in the week)? The key line and the help ask. NULL: all.
	 */
	int		(*offers)(const struct screen *, const struct binding *);
	/* Does it hold changes not saved (Ctrl-C asks first)? May be NULL. */
	int		(*unsaved)(struct screen *);
	/*
	 * crm is ending with the screen still open: keep (1: a signal
	 * stopped it) what it holds not saved, as a draft offered at the
	 * next start, or let it go (0: the person chose to discard it).
	 * May be NULL.
	 */
	void		(*stop)(struct screen *, int keep);
	/*
	 * On top, before the loop waits for the next key: the moment to ask
	 * something of its own (the main screen offers a form kept from the
	 * last time). 1 if it showed something, so the screen is painted
	 * again. May be NULL.
	 */
	int		(*ready)(struct screen *);
	/*
	 * Why a binding it offers cannot run here now (sync on a master),
	 * which the help shows beside the key; NULL when it can. May be
	 * NULL.
	 */
	const char	*(*unavailable)(const struct screen *,
			    const struct binding *);
};

struct screen {
	const struct screen_ops	*ops;
	void			*data;
};

#define REDRAW_BODY	0x1
#define REDRAW_STATUS	0x2
#define REDRAW_ALL	0x4	/* clear and paint every cell (Ctrl-L) */

/* The options crm was started with. */
struct tui_options {
	const char	*dir;		/* -d, or NULL */
	const char	*login;		/* -u or $CRM_USER, or NULL */
	const char	*password_file;	/* --password-file, or NULL */
};

#define TUI_DEPTH	16

struct app {
	struct session	 s;
	int		 open;		/* s is open */
	struct screen	 stack[TUI_DEPTH];
	int		 depth;
	int		 redraw;
	int		 quit;
	int		 color;
	int		 busy;		/* a master is held elsewhere: retry */
	char		 msg[512];
	int		 msg_error;
	int		 cursor_y;	/* where the text cursor shows; -1 */
	int		 cursor_x;
	/* Said on stderr after the screen is gone (a fatal problem). */
	char		 exit_message[512];
	/* The status line's figures, read after each write. */
	uint64_t	 pending;
	uint64_t	 last_sync;
	struct tui_options opt;
	int		 offer_drafts;	/* logged in: offer a kept form */
};

extern struct app app;

/*
 * Run the application; returns crm's exit status. start pushes the first
 * screen once the terminal is ready: the framework knows no screen of its
 * own, the application says which (screens_main).
 */
int	 tui_main(const struct tui_options *, void (*start)(void));
/*
 * An action the application handles whatever the screen on top (help,
 * undo): fn gets the key instead of the screen. Set before tui_main.
 */
void	 tui_global(enum action, void (*fn)(struct screen *));

void	 tui_push(const struct screen_ops *, void *data);
void	 tui_pop(void);
/* Replace the top screen. */
void	 tui_replace(const struct screen_ops *, void *data);
struct screen *tui_top(void);
void	 tui_redraw(int flags);
/* The message line: an error or a note, until the next key. */
void	 tui_message(int error, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The error set by the lower layers, as a message. */
void	 tui_error(void);
/*
 * Say how far a long job is on the message line, at most ten times a
 * second; returns 1 if Esc (q, Ctrl-C) was pressed meanwhile: stop.
 */
int	 tui_progress(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* Ask a yes/no question on the message line: 1 yes, 0 no. */
int	 tui_confirm(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/*
 * A question about more than a line holds (a conflict, a draft): title
 * and lines in a box over the screen, keyline (the answers) at its foot.
 * Returns the key pressed among keys (lower case), or 0 for Esc, Ctrl-C
 * or a signal that stops crm.
 */
int	 tui_dialog(const char *title, const char *const *lines, size_t n,
	    const char *keys, const char *keyline);
/* Has a signal (SIGHUP, SIGTERM, SIGINT) told crm to stop? */
int	 tui_signalled(void);
/* Read the status line's figures again (after a write). */
void	 tui_status_reload(void);
/* Handle the result of session_begin: 0 go on; else a message is set. */
int	 tui_unit(int ret);

/* Colours, by use; each falls back to an attribute without colour. */
enum tui_color {
	C_NORMAL,
	C_TITLE,
	C_SELECTED,
	C_STATUS,
	C_KEY,
	C_ERROR,
	C_LABEL,
	C_HEADER,
	C_TAB,
	C_TAB_ON,
	C_FIELD,
	C_FIELD_ON,
	C_NCOLORS
};
int	 tui_attr(enum tui_color);

/*
 * Draw UTF-8 text at (y, x) in exactly width columns: cut at a
 * character boundary (with "…" when cut) or padded with spaces.
 */
void	 tui_put(int y, int x, int width, const char *utf8, int attr);
/*
 * Text from (y, x) over as many lines as it needs (up to row rows - 1),
 * each at most width columns, cut at spaces. Returns the next free row.
 */
int	 tui_put_wrapped(int y, int x, int rows, int width, const char *text,
	    int attr);
/*
 * Text cut into lines of at most width columns: at its newlines, and at
 * the last space that fits (a word longer than a line is cut). *lines
 * (free with tui_wrap_free) gets them; returns how many (at least 1).
 */
size_t	 tui_wrap(const char *text, int width, char ***lines);
void	 tui_wrap_free(char **lines, size_t n);
/* Display columns of UTF-8 text. */
int	 tui_width(const char *utf8);
/* An ISO time (UTC) as local "YYYY-MM-DD HH:MM". Free it. */
char	*tui_local_time(uint64_t ms);

#endif
