/*
 * screen-letter: L on a contact's screen writes a letter: a template is
 * chosen, its fields filled in from the contact (letter_make), the text
 * edited in $EDITOR, and the letter recorded as a note on the contact
 * with the file attached.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "document.h"
#include "error.h"
#include "letter.h"
#include "model.h"
#include "record.h"
#include "run.h"
#include "screens.h"
#include "session.h"
#include "store.h"
#include "tui.h"
#include "xmalloc.h"

/* The template chosen for the contact arg: the letter made and recorded. */
static void
letter_picked(void *arg, const struct record *picked)
{
	const struct record_id	*to = arg;
	struct store_txn	*t;
	struct record		*tmpl, *contact = NULL;
	struct record_id	 note, doc;
	struct stat		 sb;
	const char		*ext;
	char			*text = NULL, *path, *name;
	size_t			 len;
	uint64_t		 now = clock_now_ms();
	int			 ret;

	if (picked == NULL)
		return;
	tmpl = record_dup(picked);
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		goto out;
	}
	ret = model_get(t, MODEL_CONTACT, to, &contact);
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

void
screen_letter_write(const struct record *contact)
{
	struct record_id	*to;
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
	/* The picker holds the contact's id until it goes. */
	to = xmalloc(sizeof *to);
	*to = contact->id;
	screen_pick_chain(MODEL_TEMPLATE, "", letter_picked, to, free);
}
