/*
 * tui: the full-screen application.
 *
 * The framework: screens are a stack of const ops structs over shared
 * widgets (list.h, fieldset.h, prompt.h). A key goes through the screen's
 * own bindings, then the framework's, to an action; a screen handles only
 * its own. The framework knows no screen by name: the application
 * (screens.h, screens_main) says which screen comes first and which keys
 * work over all of them. Screens set
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

/*
 * What a key does, whatever key it is. These are the framework's actions,
 * shared by every screen (screens/keys.c binds most of them). A screen's
 * own actions (a campaign's "responded", the agenda's "week") are its
 * own: it numbers them from A_SCREEN up in its own file, and binds them
 * in its own table (screen_ops.bindings). Two screens never see each
 * other's table, so their numbers may be the same. They are not in this
 * enum: a key function with cases of its own switches on (int)a.
 */
enum action {
	A_NONE,
	/* Over every screen. */
	A_QUIT,
	A_BACK,
	A_HELP,
	A_REDRAW,
	A_SUSPEND,		/* Ctrl-Z: back to the shell, fg returns */
	A_UNDO,			/* undo the last change or deletion */
	/* Moving in a list (tui_move). */
	A_UP,
	A_DOWN,
	A_PGUP,
	A_PGDN,
	A_HOME,
	A_END,
	/* What is done to the record selected, on any screen of records. */
	A_OPEN,
	A_NEW,
	A_EDIT,
	A_DELETE,
	/* The search of a list (list.c). */
	A_SEARCH,
	/* The form and the picker (fieldset.c, screen-form.c). */
	A_NEXT_FIELD,
	A_PREV_FIELD,
	A_SAVE,
	A_SAVE_NEW,
	A_PICK,
	A_EXTERNAL,		/* edit the field in $EDITOR */
	/* The prompt (prompt.c): Tab completes a path. */
	A_COMPLETE,
	A_DOC,			/* no key: a line of the help alone */
	A_SHARED,		/* no key: KEYS_SHARED in a screen's table */
	A_RETRY,		/* not a key: the loop's timer while busy */
	/* A screen's own actions from here. */
	A_SCREEN = 64
};

/*
 * Which bindings apply: a screen's keymaps are a mask of these. The
 * framework's come first; a screen's own modes (the campaign's picker, the
 * import's preview) are its own bits from KM_SCREEN up, used in its own
 * table only.
 */
#define KM_MOVE		0x01	/* moving in a list with arrows, letters; ? */
#define KM_LIST		0x02	/* a list of records: Enter opens one */
#define KM_HELP		0x04	/* the help screen */
#define KM_FORM		0x08	/* editing fields */
#define KM_PICK		0x10	/* choosing a record for a field */
#define KM_SEARCH	0x20	/* typing a search into a list */
#define KM_PROMPT	0x40	/* a one-line prompt (a path, a description) */
#define KM_PROMPT_PATH	0x80	/* a prompt for a path: Tab completes */
#define KM_ANY		(~0u)	/* everywhere (^Z) */
#define KM_SCREEN	0x10000	/* a screen's own keymaps from here */

struct binding {
	enum action	 action;	/* a screen's own: A_SCREEN and up */
	const char	*name;		/* "search": for the key log */
	unsigned	 keymaps;	/* KM_* where it applies */
	int		 keys[4];	/* ncurses codes or characters; 0 ends */
	const char	*keytext;	/* "/": as the help shows the keys */
	const char	*label;		/* "search by name" */
	int		 keyline;	/* shown on the key line */
};

/*
 * The shared bindings come in parts, in the order the help lists them. A
 * screen's own table says where they go among its own lines: at
 * KEYS_SHARED(part), the parts up to that one not shown yet (the part
 * rides in keymaps). The parts it does not place follow its own lines.
 * A key is looked for in the screen's own table first all the same.
 */
enum keys_part {
	KEYS_TOP,		/* help; the search's keys */
	KEYS_OPEN,		/* Enter opens the record */
	KEYS_MOVE,		/* moving; the picker's and the form's keys */
	KEYS_END,		/* cancel a form; redraw, suspend */
	KEYS_LAST,		/* the prompt's keys; the picker's last */
	KEYS_PARTS
};
#define KEYS_SHARED(part)	{ A_SHARED, "", (part), { 0 }, "", "", 0 }
/* The usual bindings of shared actions, for a screen's own table. */
#define KEYS_BACK(km)	{ A_BACK, "back", (km), { 'q', 27 }, "q Esc", \
			    "back", 1 }
#define KEYS_HELP(km)	{ A_HELP, "help", (km), { '?', KEY_F(1) }, "? F1", \
			    "show the keys of this screen", 1 }
#define KEYS_REDRAW(km)	{ A_REDRAW, "redraw", (km), { CTRL('l') }, "^L", \
			    "redraw the screen", 0 }
#define KEYS_UNDO(km)	{ A_UNDO, "undo", (km), { 'u' }, "u", \
			    "undo the last change or deletion made here " \
			    "(again: the one before)", 0 }
/* A control key among a binding's keys: CTRL('l'). */
#ifndef CTRL
#define CTRL(c)		((c) & 0x1f)
#endif

/* The framework's bindings (keys.c), each part ending with name NULL. */
extern const struct binding *const keys_parts[KEYS_PARTS];

struct screen;
struct screen_ops;

/* The keymaps in force for a screen now (typing or not). */
unsigned	 tui_keymaps(struct screen *);
/*
 * The binding of a key in a screen's keymaps, or NULL: the screen's own
 * table first, then the shared one.
 */
const struct binding *keys_find(const struct screen_ops *, unsigned keymaps,
		    int iskey, wint_t ch);
/*
 * The bindings of a screen in the order the help and the key line show
 * them: its own, with the shared parts where it placed them. Start with
 * a zeroed walk; NULL at the end.
 */
struct keys_walk {
	const struct binding	*own;		/* next of the screen's own */
	const struct binding	*shared;	/* next of a shared part */
	int			 next;		/* the next part to walk */
	int			 upto;		/* walk the parts up to it */
	int			 started;
};
const struct binding *keys_next(const struct screen_ops *,
		    struct keys_walk *);

struct screen_ops {
	const char	*name;		/* for the help title and the key log */
	unsigned	 keymaps;	/* KM_* bits whose bindings apply */
	/*
	 * Its own bindings, ending with name NULL (NULL: none), looked at
	 * before the shared ones; KEYS_SHARED places a shared part in the
	 * help.
	 */
	const struct binding *bindings;
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
	/* The help's heading over the typing keys (NULL: by the keymaps). */
	const char	*typing_help;
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
