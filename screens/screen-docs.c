/*
 * screen-docs: documents and letters in the screens. From a record's
 * screen: a attaches a file (a path prompt with Tab completion, then a
 * description), o opens a document (text in $PAGER, other kinds through
 * Debian's run-mailcap), w saves a copy elsewhere, e edits a document's
 * description, L writes a letter to a contact from a template. T on the
 * main screen lists the letter templates.
 *
 * The programs that show and edit them run through screens/run.c.
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
#include "clock.h"
#include "document.h"
#include "error.h"
#include "file.h"
#include "letter.h"
#include "list.h"
#include "model.h"
#include "path.h"
#include "prompt.h"
#include "record.h"
#include "run.h"
#include "screens.h"
#include "session.h"
#include "tui.h"
#include "xmalloc.h"

/* What a chain of prompts is about; one chain at a time. */
static struct docs_job {
	int		 type;		/* the record's type */
	struct record_id id;
	char		*name;		/* the record's name, for messages */
	char		*filename;	/* a document's or template's */
	char		*path;		/* the file typed at the first prompt */
	char		*text;		/* a template's name from the second */
} job;

/* Forget the last chain's job, freeing what it held. */
static void
docs_job_clear(void)
{
	free(job.name);
	free(job.filename);
	free(job.path);
	free(job.text);
	memset(&job, 0, sizeof job);
}

static void
docs_job_set(int type, const struct record *r)
{
	docs_job_clear();
	job.type = type;
	job.id = r->id;
	job.name = model_record_name(type, r, MODEL_NAME_SCREEN);
	/* A name from a record (a sync brought it): a plain name, no path. */
	job.filename = path_base_safe(record_value(r, "filename"));
}

/* Reload the screen on top (after a write done from a prompt's end). */
static void
docs_reload(void)
{
	struct screen	*sc = tui_top();

	if (sc != NULL && sc->ops->reload != NULL)
		sc->ops->reload(sc);
	tui_status_reload();
	tui_redraw(REDRAW_BODY);
}

/*
 * Is the stored file of r (a document or template) fit to open or copy?
 * A missing one is refused, a changed one asked about. 1 yes.
 */
static int
docs_usable(int type, const struct record *r, const char *doing)
{
	int	ret;

	ret = document_check(app.s.dir, type, r);
	if (ret == DOCUMENT_OK)
		return 1;
	if (ret == DOCUMENT_CHANGED)
		return tui_confirm("%s; %s it anyway?", error_get(), doing);
	tui_error();
	return 0;
}

/*
 * Open a document or template: text in $PAGER, others with run-mailcap.
 * The program is given a private plaintext copy (document_temp: never
 * inside the database, whose file may be sealed), removed when it ends.
 */
static void
docs_open(int type, const struct record *r)
{
	const char	*mime = record_value(r, "mime");
	const char	*pager = run_env("PAGER", "less");
	char		*path, *viewer = NULL, *arg = NULL, *cmd;
	int		 status, ret;

	ret = document_temp(app.s.dir, type, r, &path);
	if (ret == DOCUMENT_CHANGED) {
		if (!tui_confirm("%s; open it anyway?", error_get())) {
			document_temp_remove(path);
			return;
		}
	} else if (ret != DOCUMENT_OK) {
		tui_error();
		return;
	}
	if (type == MODEL_TEMPLATE || *mime == '\0' ||
	    strncmp(mime, "text/", 5) == 0) {
		status = run_program(pager, path);
		if (status == RUN_NOT_FOUND)
			tui_message(1, "cannot run the pager \"%s\": it was "
			    "not found; set PAGER to a program you have",
			    pager);
		else if (status > 0)
			tui_message(1, "%s ended with status %d", pager,
			    status);
		document_temp_remove(path);
		return;
	}
	if ((viewer = run_which("run-mailcap")) == NULL &&
	    (viewer = run_which("see")) == NULL) {
		tui_message(1, "no viewer for %s files: install Debian's "
		    "mailcap package (run-mailcap), or save a copy with w",
		    mime);
		document_temp_remove(path);
		return;
	}
	/* The type is given with the file, whatever its name says. */
	xasprintf(&arg, "%s:%s", mime, path);
	xasprintf(&cmd, "%s%s", viewer, strstr(viewer, "run-mailcap") !=
	    NULL ? " --action=view" : "");
	status = run_program(cmd, arg);
	if (status > 0 || status == RUN_NOT_FOUND)
		tui_message(1, "no viewer could show \"%s\" (%s, status %d): "
		    "save a copy with w and open it elsewhere", record_value(r,
		    "filename"), mime, status > 0 ? status : 127);
	free(cmd);
	free(arg);
	free(viewer);
	document_temp_remove(path);
}

/* Attaching: the path, then the description, then the copy. */
static void	docs_attach_path(void *, const char *);

static void
docs_attach_ask(const char *initial)
{
	char	title[256];

	snprintf(title, sizeof title, "Attach a file to %s: Tab completes, "
	    "Enter goes on, Esc cancels", job.name);
	screen_prompt_open(title, "File", initial, 1, docs_attach_path, NULL);
}

static void
docs_attach_desc(void *arg, const char *text)
{
	struct store_txn	*t;
	struct record_id	 id;
	struct stat		 sb;
	char			*size, sizetext[32];
	int			 ret;

	(void)arg;
	if (text == NULL) {
		tui_message(0, "nothing was attached");
		return;
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		return;
	}
	if (document_attach(t, app.s.dir, &app.s.user, &job.id, job.path,
	    text, &id) != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		return;
	}
	if (session_end(&app.s, t, 1) != 0) {
		document_discard(app.s.dir, MODEL_DOCUMENT, &id);
		tui_error();
		return;
	}
	snprintf(sizetext, sizeof sizetext, "%lld", stat(job.path, &sb) == 0 ?
	    (long long)sb.st_size : 0LL);
	size = document_size_text(sizetext);
	tui_message(0, "attached %s (%s) to %s", job.path, size, job.name);
	free(size);
	docs_reload();
}

static void
docs_attach_path(void *arg, const char *text)
{
	struct stat	 sb;
	char		*path, title[256];

	(void)arg;
	if (text == NULL) {
		tui_message(0, "nothing was attached");
		return;
	}
	if (*text == '\0') {
		tui_message(1, "type the path of the file to attach (Tab "
		    "completes it), or Esc");
		docs_attach_ask("");
		return;
	}
	path = path_expand(text);
	/* Refused here, with the path still there to correct. */
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		tui_message(1, "cannot attach %s: %s", path, stat(path, &sb) !=
		    0 ? (errno == ENOENT ? "there is no such file; check "
		    "the path" : strerror(errno)) : S_ISDIR(sb.st_mode) ?
		    "it is a directory: choose a file in it (Tab)" :
		    "it is not a regular file");
		docs_attach_ask(text);
		free(path);
		return;
	}
	free(job.path);
	job.path = path;
	snprintf(title, sizeof title, "Describe %s (may be empty): Enter "
	    "attaches, Esc cancels", path);
	screen_prompt_open(title, "Description", "", 0, docs_attach_desc, NULL);
}

/* Saving a copy: where to, then the copy (0600, temporary name + rename). */
static void
docs_save_done(void *arg, const char *text)
{
	struct store_txn	*t;
	struct record		*r;
	struct stat		 sb;
	char			*path, *dst;
	int			 ret, usable;

	(void)arg;
	if (text == NULL || *text == '\0') {
		tui_message(0, "no copy was saved");
		return;
	}
	path = path_expand(text);
	/* Into a directory: under the document's own name. */
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		xasprintf(&dst, "%s%s%s", path, path[strlen(path) - 1] ==
		    '/' ? "" : "/", job.filename);
	else
		dst = xstrdup(path);
	free(path);
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		free(dst);
		return;
	}
	ret = model_get(t, job.type, &job.id, &r);
	session_end(&app.s, t, 0);
	if (ret != 0) {
		tui_error();
		free(dst);
		return;
	}
	usable = docs_usable(job.type, r, "copy");
	if (!usable)
		goto out;
	if (lstat(dst, &sb) == 0) {
		if (S_ISDIR(sb.st_mode) || !S_ISREG(sb.st_mode)) {
			tui_message(1, "cannot save over %s: it is not a "
			    "regular file", dst);
			goto out;
		}
		if (!tui_confirm("%s exists: replace it?", dst)) {
			tui_message(0, "no copy was saved; %s is as it was",
			    dst);
			goto out;
		}
	}
	/* Unsealed on its way to dst: a changed file was asked about. */
	ret = document_export(app.s.dir, job.type, r, dst, 1);
	if (ret != DOCUMENT_OK && ret != DOCUMENT_CHANGED)
		tui_error();
	else
		tui_message(0, "saved a copy of %s as %s", job.filename, dst);
out:
	record_free(r);
	free(dst);
}

static void
docs_save(int type, const struct record *r)
{
	char	title[256];

	docs_job_set(type, r);
	snprintf(title, sizeof title, "Save a copy of %s as: Tab completes, "
	    "Enter saves, Esc cancels", job.filename);
	screen_prompt_open(title, "Save as", job.filename, 1, docs_save_done,
	    NULL);
}

/* Change fields of the job's record; 0, or -1 with the message shown. */
static int
docs_update(const struct model_change *ch, size_t n)
{
	struct store_txn	*t;
	int			 ret;

	if ((ret = session_begin(&app.s, 0, &t)) != 0)
		return tui_unit(ret);
	if (model_update(t, &app.s.user, job.type, &job.id, ch, n) != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		return -1;
	}
	if (session_end(&app.s, t, 1) != 0) {
		tui_error();
		return -1;
	}
	docs_reload();
	return 0;
}

static void
docs_describe_done(void *arg, const char *text)
{
	struct model_change	ch = { "description", text };

	(void)arg;
	if (text == NULL) {
		tui_message(0, "the description is as it was");
		return;
	}
	if (docs_update(&ch, 1) == 0)
		tui_message(0, "description of %s saved", job.name);
}

static void
docs_describe(int type, const struct record *r)
{
	char	title[256];

	docs_job_set(type, r);
	snprintf(title, sizeof title, "Describe %s: Enter saves, Esc cancels",
	    job.name);
	screen_prompt_open(title, "Description", record_value(r,
	    "description"), 0, docs_describe_done, NULL);
}

/* The letter: render, edit, record as a note with the file attached. */
static struct record_id	docs_letter_contact;

static void
docs_letter_picked(void *arg, const struct record *picked)
{
	struct store_txn	*t;
	struct record		*tmpl, *contact = NULL;
	struct record_id	 note, doc;
	struct stat		 sb;
	const char		*ext;
	char			*text = NULL, *path, *name;
	size_t			 len;
	uint64_t		 now = clock_now_ms();
	int			 ret;

	(void)arg;
	if (picked == NULL)
		return;
	tmpl = record_dup(picked);
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		goto out;
	}
	ret = model_get(t, MODEL_CONTACT, &docs_letter_contact, &contact);
	if (ret == 0)
		ret = letter_make(t, app.s.dir, &app.s.user, tmpl, contact,
		    now, &text, &len);
	session_end(&app.s, t, 0);
	if (ret != 0) {
		tui_error();
		goto out;
	}
	ext = strrchr(record_value(tmpl, "filename"), '.');
	if ((path = run_temp(text, len, ext != NULL && strlen(ext) < 10 ?
	    ext : ".txt")) == NULL)
		goto out;
	if (run_editor(path) != 0)
		goto kept;
	if (stat(path, &sb) != 0 || sb.st_size == 0) {
		tui_message(1, "the letter is empty: nothing was recorded");
		unlink(path);
		goto kept;
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		goto kept;
	}
	if (letter_record(t, app.s.dir, &app.s.user, tmpl, contact, path, now,
	    &note, &doc) != 0) {
		session_end(&app.s, t, 0);
		error_prefix("the letter was not recorded (it is kept in %s): ",
		    path);
		tui_error();
		goto kept;
	}
	if (session_end(&app.s, t, 1) != 0) {
		document_discard(app.s.dir, MODEL_DOCUMENT, &doc);
		error_prefix("the letter was not recorded (it is kept in %s): ",
		    path);
		tui_error();
		goto kept;
	}
	unlink(path);
	name = model_record_name(MODEL_CONTACT, contact, 0);
	tui_message(0, "letter to %s recorded: note \"Letter: %s\" with the "
	    "letter attached", name, record_value(tmpl, "name"));
	free(name);
	tui_status_reload();
kept:
	free(path);
out:
	free(text);
	record_free(tmpl);
	record_free(contact);
}

static void
docs_letter(const struct record *contact)
{
	struct store_txn	*t;
	uint64_t		 n = 0;
	int			 ret;

	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		return;
	}
	ret = store_count(t, MODEL_TEMPLATE, &n);
	session_end(&app.s, t, 0);
	if (ret != 0) {
		tui_error();
		return;
	}
	if (n == 0) {
		tui_message(1, "there are no letter templates yet: add one "
		    "with T on the main screen, or crm template add NAME FILE");
		return;
	}
	docs_letter_contact = contact->id;
	screen_pick_open(MODEL_TEMPLATE, "", docs_letter_picked, NULL);
}

int
screen_docs_record_key(int type, const struct record *r, int pane_type,
    const struct record *sel, enum action a)
{
	const struct record	*doc = NULL;

	if (r == NULL)
		return 0;
	if (pane_type == MODEL_DOCUMENT)
		doc = sel;
	else if (pane_type == -1 && type == MODEL_DOCUMENT)
		doc = r;
	switch (a) {
	case A_NEW:
		if (pane_type != MODEL_DOCUMENT)
			return 0;
		/* FALLTHROUGH */
	case A_ATTACH:
		docs_job_set(type, r);
		docs_attach_ask("");
		return 1;
	case A_EDIT:
		if (doc == NULL)
			return 0;
		docs_describe(MODEL_DOCUMENT, doc);
		return 1;
	case A_VIEW_FILE:
	case A_SAVE_COPY:
		if (doc == NULL) {
			tui_message(1, "%s works on a document: Tab to the "
			    "Documents pane and choose one", a == A_VIEW_FILE ?
			    "o" : "w");
			return 1;
		}
		if (a == A_VIEW_FILE)
			docs_open(MODEL_DOCUMENT, doc);
		else
			docs_save(MODEL_DOCUMENT, doc);
		return 1;
	case A_LETTER:
		if (type != MODEL_CONTACT) {
			tui_message(1, "letters are written to contacts: open "
			    "a contact and press L");
			return 1;
		}
		docs_letter(r);
		return 1;
	default:
		return 0;
	}
}

/* The templates list. */
struct templates_data {
	struct list	 l;
};

void
screen_templates_open(void)
{
	struct templates_data	*d = xcalloc(1, sizeof *d);

	list_init(&d->l, MODEL_TEMPLATE, "name,description,filename");
	tui_push(&screen_templates, d);
}

/* Rows of the list: the header line may take two rows when narrow. */
static int
templates_height(void)
{
	return LINES - 2 - 4 > 1 ? LINES - 2 - 4 : 1;
}

static int
templates_enter(struct screen *sc)
{
	struct templates_data	*d = sc->data;

	d->l.height = templates_height();
	list_load(&d->l);
	return 0;
}

static void
templates_reload(struct screen *sc)
{
	struct templates_data	*d = sc->data;

	d->l.height = templates_height();
	list_load(&d->l);
}

static void
templates_leave(struct screen *sc)
{
	struct templates_data	*d = sc->data;

	list_free(&d->l);
	free(d);
}

static void
templates_draw(struct screen *sc, int rows, int cols)
{
	struct templates_data	*d = sc->data;
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
templates_new_ask(const char *initial)
{
	screen_prompt_open("New letter template from a text file: Tab "
	    "completes, Enter goes on, Esc cancels", "File", initial, 1,
	    templates_new_path, NULL);
}

static void
templates_new_desc(void *arg, const char *text)
{
	struct model_change	 ch[2];
	struct store_txn	*t;
	struct record		*r;
	struct record_id	 id;
	int			 ret;

	(void)arg;
	if (text == NULL) {
		tui_message(0, "no template was added");
		return;
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		return;
	}
	if (letter_template_find(t, job.text, &r) == 0) {
		ret = strcasecmp(record_value(r, "name"), job.text) == 0;
		record_free(r);
		if (ret) {
			session_end(&app.s, t, 0);
			tui_message(1, "a template named \"%s\" exists "
			    "already: add it under another name, or E edits "
			    "that one's text", job.text);
			return;
		}
	}
	error_clear();
	ch[0].name = "name";
	ch[0].value = job.text;
	ch[1].name = "description";
	ch[1].value = text;
	if (document_store(t, app.s.dir, &app.s.user, MODEL_TEMPLATE,
	    job.path, ch, 2, &id) != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		return;
	}
	if (session_end(&app.s, t, 1) != 0) {
		document_discard(app.s.dir, MODEL_TEMPLATE, &id);
		tui_error();
		return;
	}
	tui_message(0, "template \"%s\" added from %s", job.text, job.path);
	docs_reload();
}

static void
templates_new_name(void *arg, const char *text)
{
	char	title[256];

	(void)arg;
	if (text == NULL) {
		tui_message(0, "no template was added");
		return;
	}
	if (*text == '\0') {
		tui_message(1, "a template needs a name");
		screen_prompt_open("Name the template: Enter goes on, Esc "
		    "cancels", "Name", "", 0, templates_new_name, NULL);
		return;
	}
	free(job.text);
	job.text = xstrdup(text);
	snprintf(title, sizeof title, "Describe template \"%s\" (may be "
	    "empty): Enter adds it, Esc cancels", text);
	screen_prompt_open(title, "Description", "", 0, templates_new_desc,
	    NULL);
}

static void
templates_new_path(void *arg, const char *text)
{
	struct stat	 sb;
	char		*path, *base, *dot;

	(void)arg;
	if (text == NULL) {
		tui_message(0, "no template was added");
		return;
	}
	path = path_expand(text);
	if (*text == '\0' || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		tui_message(1, "cannot use %s: %s", *text == '\0' ?
		    "an empty path" : path, *text == '\0' ? "type the path "
		    "of a text file (Tab completes it)" : stat(path, &sb) !=
		    0 ? (errno == ENOENT ? "there is no such file; check the "
		    "path" : strerror(errno)) : "it is not a file");
		templates_new_ask(text);
		free(path);
		return;
	}
	docs_job_clear();
	job.type = MODEL_TEMPLATE;
	job.path = path;
	/* The file's name without its extension is a fair first name. */
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	base = xstrdup(base);
	if ((dot = strrchr(base, '.')) != NULL && dot != base)
		*dot = '\0';
	screen_prompt_open("Name the template: Enter goes on, Esc cancels",
	    "Name", base, 0, templates_new_name, NULL);
	free(base);
}

/* Editing a template's name and description, one prompt each. */
static void
templates_edit_desc(void *arg, const char *text)
{
	struct model_change	ch[2];

	(void)arg;
	if (text == NULL) {
		tui_message(0, "template \"%s\" is as it was", job.name);
		return;
	}
	ch[0].name = "name";
	ch[0].value = job.text;
	ch[1].name = "description";
	ch[1].value = text;
	if (docs_update(ch, 2) == 0)
		tui_message(0, "template \"%s\" saved", job.text);
}

static void
templates_edit_name(void *arg, const char *text)
{
	char	title[256];

	(void)arg;
	if (text == NULL) {
		tui_message(0, "template \"%s\" is as it was", job.name);
		return;
	}
	if (*text == '\0') {
		tui_message(1, "a template needs a name");
		screen_prompt_open("Rename the template: Enter goes on, Esc "
		    "cancels", "Name", job.name, 0, templates_edit_name, NULL);
		return;
	}
	free(job.text);
	job.text = xstrdup(text);
	snprintf(title, sizeof title, "Describe template \"%s\": Enter saves, "
	    "Esc cancels", text);
	screen_prompt_open(title, "Description", job.filename, 0,
	    templates_edit_desc, NULL);
}

static void
templates_edit(const struct record *r)
{
	docs_job_set(MODEL_TEMPLATE, r);
	/* The second prompt starts from the description, kept here. */
	free(job.filename);
	job.filename = xstrdup(record_value(r, "description"));
	screen_prompt_open("Rename the template: Enter goes on, Esc cancels",
	    "Name", job.name, 0, templates_edit_name, NULL);
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
	struct templates_data	*d = sc->data;
	const struct record	*r = list_selected(&d->l);
	struct record		*copy;

	switch (a) {
	case A_BACK:
		tui_pop();
		return;
	case A_RETRY:
		templates_reload(sc);
		return;
	case A_NEW:
		templates_new_ask("");
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
	switch (a) {
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
		templates_reload(sc);
		break;
	case A_DELETE:
		if (screen_delete(MODEL_TEMPLATE, copy) == 0)
			templates_reload(sc);
		break;
	default:
		list_key(&d->l, a, iskey, ch);
		break;
	}
	record_free(copy);
}

const struct screen_ops screen_templates = {
	.name = "templates",
	.keymaps = KM_TEMPLATES | KM_LIST,
	.enter = templates_enter,
	.draw = templates_draw,
	.key = templates_key,
	.reload = templates_reload,
	.leave = templates_leave,
	.help = "Letter templates",
};
