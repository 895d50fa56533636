/*
 * screen-docs: documents in the screens. From a record's screen: a
 * attaches a file (a path prompt with Tab completion, then a
 * description), o opens a document (text in $PAGER, other kinds through
 * Debian's run-mailcap), w saves a copy elsewhere, e edits a document's
 * description, L writes a letter to a contact (screen-letter.c). The
 * letter templates (screen-templates.c) open and copy theirs the same
 * way.
 *
 * A chain of prompts carries its own job (struct docs_job) from one
 * prompt to the next, freed where the chain ends. The programs that show
 * and edit files run through screens/run.c.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs.h"
#include "document.h"
#include "error.h"
#include "model.h"
#include "path.h"
#include "prompt.h"
#include "record.h"
#include "run.h"
#include "screens.h"
#include "session.h"
#include "tui.h"
#include "xmalloc.h"

struct docs_job *
docs_job_new(int type, const struct record *r)
{
	struct docs_job	*j = xcalloc(1, sizeof *j);

	j->type = type;
	if (r == NULL)
		return j;
	j->id = r->id;
	j->name = model_record_name(type, r, MODEL_NAME_SCREEN);
	/* A name from a record (a sync brought it): a plain name, no path. */
	j->filename = path_base_safe(record_value(r, "filename"));
	return j;
}

void
docs_job_free(void *arg)
{
	struct docs_job	*j = arg;

	if (j == NULL)
		return;
	free(j->name);
	free(j->filename);
	free(j->path);
	free(j->text);
	free(j);
}

void
docs_ask(struct docs_job *j, const char *title, const char *label,
    const char *initial, int paths, void (*done)(void *, const char *))
{
	screen_prompt_chain(title, label, initial, paths, done, j,
	    docs_job_free);
}

void
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

void
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
docs_attach_ask(struct docs_job *j, const char *initial)
{
	char	title[256];

	snprintf(title, sizeof title, "Attach a file to %s: Tab completes, "
	    "Enter goes on, Esc cancels", j->name);
	docs_ask(j, title, "File", initial, 1, docs_attach_path);
}

static void
docs_attach_desc(void *arg, const char *text)
{
	struct docs_job		*j = arg;
	struct store_txn	*t;
	struct record_id	 id;
	struct stat		 sb;
	char			*size, sizetext[32];
	int			 ret;

	if (text == NULL) {
		tui_message(0, "nothing was attached");
		goto out;
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		goto out;
	}
	if (document_attach(t, app.s.dir, &app.s.user, &j->id, j->path, text,
	    &id) != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		goto out;
	}
	if (session_end(&app.s, t, 1) != 0) {
		document_discard(app.s.dir, MODEL_DOCUMENT, &id);
		tui_error();
		goto out;
	}
	snprintf(sizetext, sizeof sizetext, "%lld", stat(j->path, &sb) == 0 ?
	    (long long)sb.st_size : 0LL);
	size = document_size_text(sizetext);
	tui_message(0, "attached %s (%s) to %s", j->path, size, j->name);
	free(size);
	docs_reload();
out:
	docs_job_free(j);
}

static void
docs_attach_path(void *arg, const char *text)
{
	struct docs_job	*j = arg;
	struct stat	 sb;
	char		*path, title[256];

	if (text == NULL) {
		tui_message(0, "nothing was attached");
		docs_job_free(j);
		return;
	}
	if (*text == '\0') {
		tui_message(1, "type the path of the file to attach (Tab "
		    "completes it), or Esc");
		docs_attach_ask(j, "");
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
		docs_attach_ask(j, text);
		free(path);
		return;
	}
	free(j->path);
	j->path = path;
	snprintf(title, sizeof title, "Describe %s (may be empty): Enter "
	    "attaches, Esc cancels", path);
	docs_ask(j, title, "Description", "", 0, docs_attach_desc);
}

/* Saving a copy: where to, then the copy (0600, temporary name + rename). */
static void
docs_save_done(void *arg, const char *text)
{
	struct docs_job		*j = arg;
	struct store_txn	*t;
	struct record		*r = NULL;
	struct stat		 sb;
	char			*path, *dst;
	int			 ret, usable;

	if (text == NULL || *text == '\0') {
		tui_message(0, "no copy was saved");
		docs_job_free(j);
		return;
	}
	path = path_expand(text);
	/* Into a directory: under the document's own name. */
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		xasprintf(&dst, "%s%s%s", path, path[strlen(path) - 1] ==
		    '/' ? "" : "/", j->filename);
	else
		dst = xstrdup(path);
	free(path);
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		goto out;
	}
	ret = model_get(t, j->type, &j->id, &r);
	session_end(&app.s, t, 0);
	if (ret != 0) {
		tui_error();
		goto out;
	}
	usable = docs_usable(j->type, r, "copy");
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
	ret = document_export(app.s.dir, j->type, r, dst, 1);
	if (ret != DOCUMENT_OK && ret != DOCUMENT_CHANGED)
		tui_error();
	else
		tui_message(0, "saved a copy of %s as %s", j->filename, dst);
out:
	record_free(r);
	free(dst);
	docs_job_free(j);
}

void
docs_save(int type, const struct record *r)
{
	struct docs_job	*j = docs_job_new(type, r);
	char		 title[256];

	snprintf(title, sizeof title, "Save a copy of %s as: Tab completes, "
	    "Enter saves, Esc cancels", j->filename);
	docs_ask(j, title, "Save as", j->filename, 1, docs_save_done);
}

int
docs_update(const struct docs_job *j, const struct model_change *ch,
    size_t n)
{
	struct store_txn	*t;
	int			 ret;

	if ((ret = session_begin(&app.s, 0, &t)) != 0)
		return tui_unit(ret);
	if (model_update(t, &app.s.user, j->type, &j->id, ch, n) != 0) {
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
	struct docs_job		*j = arg;
	struct model_change	 ch = { "description", text };

	if (text == NULL)
		tui_message(0, "the description is as it was");
	else if (docs_update(j, &ch, 1) == 0)
		tui_message(0, "description of %s saved", j->name);
	docs_job_free(j);
}

static void
docs_describe(int type, const struct record *r)
{
	struct docs_job	*j = docs_job_new(type, r);
	char		 title[256];

	snprintf(title, sizeof title, "Describe %s: Enter saves, Esc cancels",
	    j->name);
	docs_ask(j, title, "Description", record_value(r, "description"), 0,
	    docs_describe_done);
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
	switch ((int)a) {
	case A_NEW:
		if (pane_type != MODEL_DOCUMENT)
			return 0;
		/* FALLTHROUGH */
	case A_ATTACH:
		docs_attach_ask(docs_job_new(type, r), "");
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
		screen_letter_write(r);
		return 1;
	default:
		return 0;
	}
}
