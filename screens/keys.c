/*
 * keys: what each key does. The framework's bindings are here, in parts
 * (tui.h, enum keys_part); each screen's own are in its own table
 * (screen_ops.bindings). The help screen and the key line are drawn from
 * the same tables, so they cannot disagree with what the keys do.
 */
#include "config.h"

#include <curses.h>
#include <stddef.h>

#include "tui.h"

#define ESC		27

/* Where text is typed: the function keys work, letters are text. */
#define KM_TYPING	(KM_FORM | KM_PICK | KM_SEARCH)

/* Help, and the search's keys while one is typed. */
static const struct binding keys_top[] = {
	KEYS_HELP(KM_MOVE),
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
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

static const struct binding keys_open[] = {
	{ A_OPEN, "open", KM_LIST, { '\r', '\n', KEY_ENTER }, "Enter",
	  "open the record", 1 },
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

/* Moving in a list or a picker; the form's keys; back from the help. */
static const struct binding keys_move[] = {
	{ A_UP, "up", KM_MOVE, { KEY_UP, 'k', CTRL('p') }, "↑ k", "up", 0 },
	{ A_DOWN, "down", KM_MOVE, { KEY_DOWN, 'j', CTRL('n') }, "↓ j",
	  "down", 0 },
	{ A_OPEN, "choose", KM_PICK, { '\r', '\n', KEY_ENTER }, "Enter",
	  "choose the selected record", 1 },
	{ A_UP, "up", KM_PICK, { KEY_UP, CTRL('p') }, "↑", "up", 0 },
	{ A_DOWN, "down", KM_PICK, { KEY_DOWN, CTRL('n') }, "↓", "down", 0 },
	{ A_PGUP, "page-up", KM_MOVE | KM_PICK, { KEY_PPAGE, CTRL('b') },
	  "PgUp", "page up", 0 },
	{ A_PGDN, "page-down", KM_MOVE | KM_PICK,
	  { KEY_NPAGE, CTRL('f'), ' ' }, "PgDn Space", "page down", 0 },
	{ A_HOME, "first", KM_MOVE, { KEY_HOME, 'g' }, "Home g", "first", 0 },
	{ A_END, "last", KM_MOVE, { KEY_END, 'G' }, "End G", "last", 0 },
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
	KEYS_BACK(KM_HELP),
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

/* Cancel a form; then what works everywhere. */
static const struct binding keys_end[] = {
	{ A_BACK, "cancel", KM_FORM | KM_PICK, { ESC }, "Esc",
	  "cancel (asks before losing changes)", 1 },
	/* tui.c: Ctrl-C ends crm; a form's changes are asked about first. */
	{ A_DOC, "interrupt", KM_FORM, { 0 }, "^C",
	  "quit crm (asks first when the form has changes not saved)", 0 },
	{ A_REDRAW, "redraw", KM_MOVE | KM_TYPING, { CTRL('l') }, "^L",
	  "redraw the screen", 0 },
	{ A_SUSPEND, "suspend", KM_ANY, { CTRL('z') }, "^Z",
	  "suspend crm: back to the shell, fg returns", 0 },
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

/* The prompt's keys; the picker's that choose and go on. */
static const struct binding keys_last[] = {
	{ A_COMPLETE, "complete", KM_PROMPT_PATH, { '\t' }, "Tab",
	  "complete the file name (lists what fits when several do)", 1 },
	{ A_OPEN, "accept", KM_PROMPT, { '\r', '\n', KEY_ENTER }, "Enter",
	  "accept", 1 },
	{ A_BACK, "cancel", KM_PROMPT, { ESC }, "Esc", "cancel", 1 },
	{ A_HELP, "help", KM_PROMPT, { KEY_F(1) }, "F1",
	  "show the keys of this screen", 0 },
	KEYS_REDRAW(KM_PROMPT),
	/*
	 * After a screen's own: the campaign's picker (KM_PICK too) has Tab
	 * for companies or contacts.
	 */
	{ A_NEXT_FIELD, "choose-next", KM_PICK, { '\t' }, "Tab",
	  "choose it and go on to the next field", 0 },
	{ A_SAVE, "choose-save", KM_PICK, { KEY_F(2) }, "F2",
	  "choose it and save the form", 0 },
	{ A_SAVE_NEW, "choose-save-new", KM_PICK, { KEY_F(3) }, "F3",
	  "choose it, save and start the next one", 0 },
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

const struct binding *const keys_parts[KEYS_PARTS] = {
	keys_top, keys_open, keys_move, keys_end, keys_last
};

/* The binding of the key among bs, in keymaps, or NULL. */
static const struct binding *
keys_match(const struct binding *bs, unsigned keymaps, int iskey, wint_t ch)
{
	const struct binding	*b;
	size_t			 i;
	int			 k;

	for (b = bs; b->name != NULL; b++) {
		if (b->action == A_SHARED || (b->keymaps & keymaps) == 0)
			continue;
		for (i = 0; i < 4 && (k = b->keys[i]) != 0; i++) {
			/* Function keys and characters are told apart. */
			if ((k >= KEY_MIN) != (iskey != 0))
				continue;
			if ((wint_t)k == ch)
				return b;
		}
	}
	return NULL;
}

const struct binding *
keys_find(const struct screen_ops *ops, unsigned keymaps, int iskey,
    wint_t ch)
{
	const struct binding	*b;
	int			 p;

	if (ops->bindings != NULL &&
	    (b = keys_match(ops->bindings, keymaps, iskey, ch)) != NULL)
		return b;
	for (p = 0; p < KEYS_PARTS; p++) {
		if ((b = keys_match(keys_parts[p], keymaps, iskey, ch)) != NULL)
			return b;
	}
	return NULL;
}

const struct binding *
keys_next(const struct screen_ops *ops, struct keys_walk *w)
{
	const struct binding	*b;

	if (!w->started) {
		w->own = ops->bindings;
		w->next = 0;
		w->upto = -1;
		w->started = 1;
	}
	for (;;) {
		if (w->shared != NULL && w->shared->name != NULL)
			return w->shared++;
		w->shared = NULL;
		if (w->next <= w->upto) {
			w->shared = keys_parts[w->next++];
			continue;
		}
		if (w->own != NULL && w->own->name != NULL) {
			b = w->own++;
			if (b->action != A_SHARED)
				return b;
			/* KEYS_SHARED(part): the parts up to it not shown. */
			w->upto = (int)b->keymaps;
			continue;
		}
		if (w->next >= KEYS_PARTS)
			return NULL;
		/* The parts the screen did not place follow its own. */
		w->upto = KEYS_PARTS - 1;
	}
}
