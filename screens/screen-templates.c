/*
 * screen-templates: the letter templates (T on the main screen). n adds
 * one from a text file (its path, a name, a description), e renames and
 * describes one, E edits its text in $EDITOR, o shows it, w saves a copy,
 * d deletes it. L on a contact writes a letter from one
 * (screen-letter.c).
 */
#include "config.h"

#include <sys/stat.h>

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "actions.h"
#include "docs.h"
#include "document.h"
#include "error.h"
#include "file.h"
#include "letter.h"
#include "list.h"
#include "model.h"
#include "path.h"
#include "record.h"
#include "run.h"
#include "screens.h"
#include "session.h"
#include "tui.h"
#include "xmalloc.h"

/* Their own action and keymap (tui.h); the document keys: screens.h. */
#define A_EDIT_TEXT	(A_DOCS_END + 0)	/* its text in $EDITOR */
#define KM_TEMPLATES	KM_SCREEN

static const struct binding templates_bindings[] = {
	KEYS_SHARED(KEYS_END),
	{ A_VIEW_FILE, "open-file", KM_TEMPLATES, { 'o' }, "o",
	  "open the document: text in $PAGER, other kinds with run-mailcap",
	  0 },
	{ A_SAVE_COPY, "save-copy", KM_TEMPLATES, { 'w' }, "w",
	  "save a copy of the document (or template) elsewhere", 0 },
	{ A_NEW, "new", KM_TEMPLATES, { 'n' }, "n",
	  "new template from a text file", 1 },
	{ A_EDIT, "edit", KM_TEMPLATES, { 'e' }, "e",
	  "edit the template's name and description", 1 },
	{ A_EDIT_TEXT, "edit-text", KM_TEMPLATES, { 'E' }, "E",
	  "edit the template's text in $EDITOR", 1 },
	{ A_DELETE, "delete", KM_TEMPLATES, { 'd', KEY_DC }, "d",
	  "delete (asks first)", 1 },
	KEYS_BACK(KM_TEMPLATES),
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

void
screen_templates_open(void)
{
	/* Rows not the list's: the header line may take two when narrow. */
	tui_push(&screen_templates, list_screen_new(MODEL_TEMPLATE,
	    "name,description,filename", 4));
}

static void
templates_draw(struct screen *sc, int rows, int cols)
{
	struct list_screen	*d = sc->data;
	int			 y;

	tui_put(0, 0, cols, " Letter templates", tui_attr(C_TAB_ON));
	/* Said whole, on a second line when the screen is narrow. */
	tui_put(1, 0, cols, "", tui_attr(C_TITLE));
	tui_put(2, 0, cols, "", tui_attr(C_TITLE));
	y = tui_put_wrapped(1, 1, 3, cols - 2, "Fields: "
	    "{{contact.first_name}} {{company.name}} {{user.name}} {{date}}; "
	    "L on a contact writes a letter", tui_attr(C_TITLE));
	list_draw(&d->l, y, 0, rows - y, cols, 1);
}

/* A new template: the file, its name, its description. */
static void	templates_new_path(void *, const char *);

static void
templates_new_ask(struct docs_job *j, const char *initial)
{
	docs_ask(j, "New letter template from a text file: Tab completes, "
	    "Enter goes on, Esc cancels", "File", initial, 1,
	    templates_new_path);
}

static void
templates_new_desc(void *arg, const char *text)
{
	struct docs_job		*j = arg;
	struct model_change	 ch[2];
	struct store_txn	*t;
	struct record		*r;
	struct record_id	 id;
	int			 ret;

	if (text == NULL) {
		tui_message(0, "no template was added");
		goto out;
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		goto out;
	}
	if (letter_template_find(t, j->text, &r) == 0) {
		ret = strcasecmp(record_value(r, "name"), j->text) == 0;
		record_free(r);
		if (ret) {
			session_end(&app.s, t, 0);
			tui_message(1, "a template named \"%s\" exists "
			    "already: add it under another name, or E edits "
			    "that one's text", j->text);
			goto out;
		}
	}
	error_clear();
	ch[0].name = "name";
	ch[0].value = j->text;
	ch[1].name = "description";
	ch[1].value = text;
	if (document_store(t, app.s.dir, &app.s.user, MODEL_TEMPLATE,
	    j->path, ch, 2, &id) != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		goto out;
	}
	if (session_end(&app.s, t, 1) != 0) {
		document_discard(app.s.dir, MODEL_TEMPLATE, &id);
		tui_error();
		goto out;
	}
	tui_message(0, "template \"%s\" added from %s", j->text, j->path);
	docs_reload();
out:
	docs_job_free(j);
}

static void
templates_new_name(void *arg, const char *text)
{
	struct docs_job	*j = arg;
	char		 title[256];

	if (text == NULL) {
		tui_message(0, "no template was added");
		docs_job_free(j);
		return;
	}
	if (*text == '\0') {
		tui_message(1, "a template needs a name");
		docs_ask(j, "Name the template: Enter goes on, Esc cancels",
		    "Name", "", 0, templates_new_name);
		return;
	}
	free(j->text);
	j->text = xstrdup(text);
	snprintf(title, sizeof title, "Describe template \"%s\" (may be "
	    "empty): Enter adds it, Esc cancels", text);
	docs_ask(j, title, "Description", "", 0, templates_new_desc);
}

static void
templates_new_path(void *arg, const char *text)
{
	struct docs_job	*j = arg;
	struct stat	 sb;
	char		*path, *base, *dot;

	if (text == NULL) {
		tui_message(0, "no template was added");
		docs_job_free(j);
		return;
	}
	path = path_expand(text);
	if (*text == '\0' || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		tui_message(1, "cannot use %s: %s", *text == '\0' ?
		    "an empty path" : path, *text == '\0' ? "type the path "
		    "of a text file (Tab completes it)" : stat(path, &sb) !=
		    0 ? (errno == ENOENT ? "there is no such file; check the "
		    "path" : strerror(errno)) : "it is not a file");
		templates_new_ask(j, text);
		free(path);
		return;
	}
	free(j->path);
	j->path = path;
	/* The file's name without its extension is a fair first name. */
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	base = xstrdup(base);
	if ((dot = strrchr(base, '.')) != NULL && dot != base)
		*dot = '\0';
	docs_ask(j, "Name the template: Enter goes on, Esc cancels", "Name",
	    base, 0, templates_new_name);
	free(base);
}

/* Editing a template's name and description, one prompt each. */
static void
templates_edit_desc(void *arg, const char *text)
{
	struct docs_job		*j = arg;
	struct model_change	 ch[2];

	if (text == NULL) {
		tui_message(0, "template \"%s\" is as it was", j->name);
		docs_job_free(j);
		return;
	}
	ch[0].name = "name";
	ch[0].value = j->text;
	ch[1].name = "description";
	ch[1].value = text;
	if (docs_update(j, ch, 2) == 0)
		tui_message(0, "template \"%s\" saved", j->text);
	docs_job_free(j);
}

static void
templates_edit_name(void *arg, const char *text)
{
	struct docs_job	*j = arg;
	char		 title[256];

	if (text == NULL) {
		tui_message(0, "template \"%s\" is as it was", j->name);
		docs_job_free(j);
		return;
	}
	if (*text == '\0') {
		tui_message(1, "a template needs a name");
		docs_ask(j, "Rename the template: Enter goes on, Esc cancels",
		    "Name", j->name, 0, templates_edit_name);
		return;
	}
	free(j->text);
	j->text = xstrdup(text);
	snprintf(title, sizeof title, "Describe template \"%s\": Enter saves, "
	    "Esc cancels", text);
	docs_ask(j, title, "Description", j->filename, 0, templates_edit_desc);
}

static void
templates_edit(const struct record *r)
{
	struct docs_job	*j = docs_job_new(MODEL_TEMPLATE, r);

	/* The second prompt starts from the description, kept here. */
	free(j->filename);
	j->filename = xstrdup(record_value(r, "description"));
	docs_ask(j, "Rename the template: Enter goes on, Esc cancels", "Name",
	    j->name, 0, templates_edit_name);
}

/* The text in $EDITOR: a copy is edited, and stored back if it changed. */
static void
templates_edit_text(const struct record *r)
{
	struct store_txn	*t;
	char			*text = NULL, *path, hex[FILE_HASH_TEXT + 1];
	const char		*ext;
	size_t			 len = 0;
	int			 ret;

	if (*record_value(r, "hash") != '\0' &&
	    letter_template_read(app.s.dir, r, &text, &len) != 0) {
		tui_error();
		return;
	}
	ext = strrchr(record_value(r, "filename"), '.');
	path = run_temp(text != NULL ? text : "", len, ext != NULL &&
	    strlen(ext) < 10 ? ext : ".txt");
	free(text);
	if (path == NULL)
		return;
	if (run_editor(path) != 0) {
		free(path);
		return;
	}
	if (file_hash(path, hex, NULL) != 0) {
		tui_error();
		free(path);
		return;
	}
	if (strcmp(hex, record_value(r, "hash")) == 0) {
		tui_message(0, "the text of \"%s\" is unchanged",
		    record_value(r, "name"));
		unlink(path);
		free(path);
		return;
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		free(path);
		return;
	}
	if (document_replace(t, app.s.dir, &app.s.user, MODEL_TEMPLATE, &r->id,
	    path) != 0) {
		session_end(&app.s, t, 0);
		error_prefix("the new text is kept in %s: ", path);
		tui_error();
		free(path);
		return;
	}
	if (session_end(&app.s, t, 1) != 0) {
		error_prefix("the new text is kept in %s: ", path);
		tui_error();
		free(path);
		return;
	}
	unlink(path);
	free(path);
	tui_message(0, "the text of \"%s\" is saved", record_value(r, "name"));
	tui_status_reload();
}

static void
templates_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct list_screen	*d = sc->data;
	const struct record	*r = list_selected(&d->l);
	struct record		*copy;

	switch ((int)a) {
	case A_BACK:
		tui_pop();
		return;
	case A_RETRY:
		list_screen_reload(sc);
		return;
	case A_NEW:
		templates_new_ask(docs_job_new(MODEL_TEMPLATE, NULL), "");
		return;
	default:
		break;
	}
	if (r == NULL) {
		if (a == A_OPEN || a == A_VIEW_FILE || a == A_EDIT ||
		    a == A_EDIT_TEXT || a == A_DELETE || a == A_SAVE_COPY)
			tui_message(1, "there are no templates yet: n adds "
			    "one from a text file");
		else
			list_key(&d->l, a, iskey, ch);
		return;
	}
	/* The list may be read again under what runs: keep a copy. */
	copy = record_dup(r);
	switch ((int)a) {
	case A_OPEN:
	case A_VIEW_FILE:
		if (*record_value(copy, "hash") == '\0')
			tui_message(1, "template \"%s\" has no text yet: E "
			    "writes it", record_value(copy, "name"));
		else
			docs_open(MODEL_TEMPLATE, copy);
		break;
	case A_SAVE_COPY:
		docs_save(MODEL_TEMPLATE, copy);
		break;
	case A_EDIT:
		templates_edit(copy);
		break;
	case A_EDIT_TEXT:
		templates_edit_text(copy);
		list_screen_reload(sc);
		break;
	case A_DELETE:
		if (screen_delete(MODEL_TEMPLATE, copy) == 0)
			list_screen_reload(sc);
		break;
	default:
		list_key(&d->l, a, iskey, ch);
		break;
	}
	record_free(copy);
}

const struct screen_ops screen_templates = {
	.name = "templates",
	.keymaps = KM_MOVE | KM_LIST | KM_TEMPLATES,
	.bindings = templates_bindings,
	.enter = list_screen_enter,
	.draw = templates_draw,
	.key = templates_key,
	.reload = list_screen_reload,
	.leave = list_screen_leave,
	.help = "Letter templates",
};
