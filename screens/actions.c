/*
 * actions: what several screens do to a record, in one place. Opening a
 * record's screen or its form goes through the screens the application
 * registered (screens_main): the record, form, campaign and agenda screens
 * open one another both ways, and meet here rather than in one another's
 * objects. Deleting is asked and said the same way from every list.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "actions.h"
#include "error.h"
#include "list.h"
#include "model.h"
#include "record.h"
#include "session.h"
#include "tui.h"
#include "undo.h"
#include "xmalloc.h"

/* The screen that shows each type (NULL: the one for every type). */
static void	(*actions_show[MODEL_NTYPES])(int, const struct record_id *);
static void	(*actions_show_any)(int, const struct record_id *);
static void	(*actions_form)(int, const struct record_id *,
		    const struct record *);

void
screen_record_register(int type, void (*show)(int, const struct record_id *))
{
	if (type == -1)
		actions_show_any = show;
	else
		actions_show[type] = show;
}

void
screen_form_register(void (*show)(int, const struct record_id *,
    const struct record *))
{
	actions_form = show;
}

void
screen_record_open(int type, const struct record_id *id)
{
	if (actions_show[type] != NULL)
		actions_show[type](type, id);
	else
		actions_show_any(type, id);
}

void
screen_form_open(int type, const struct record_id *id,
    const struct record *defaults)
{
	actions_form(type, id, defaults);
}

static char *
actions_target_text(struct store_txn *t, const struct record *r)
{
	char	*company, *contact, *s;

	company = tui_field_text(t, MODEL_TARGET, r, "company");
	contact = tui_field_text(t, MODEL_TARGET, r, "contact");
	if (*contact != '\0' && *company != '\0')
		xasprintf(&s, "%s (%s)", contact, company);
	else
		s = xstrdup(*contact != '\0' ? contact : company);
	free(company);
	free(contact);
	return s;
}

char *
screen_target_name(const struct record *r)
{
	struct store_txn	*t;
	char			*s;

	if (session_begin(&app.s, 0, &t) != 0) {
		error_clear();
		return xstrdup("target");
	}
	s = actions_target_text(t, r);
	session_end(&app.s, t, 0);
	if (*s == '\0') {
		free(s);
		s = xstrdup("target");
	}
	return s;
}

int
screen_delete(int type, const struct record *r)
{
	struct store_txn	*t;
	char			*name;
	int			 ret;

	/*
	 * Refused before anything is asked, with the reason: no right, or
	 * records still linked to it, named.
	 */
	if ((ret = session_begin(&app.s, 0, &t)) != 0)
		return tui_unit(ret);
	ret = model_delete_check(t, &app.s.user, type, r);
	session_end(&app.s, t, 0);
	if (ret != 0) {
		tui_error();
		return -1;
	}
	name = type == MODEL_TARGET ? screen_target_name(r) :
	    model_record_name(type, r, MODEL_NAME_SCREEN);
	ret = tui_confirm("Delete %s \"%s\"?", model_type(type)->name, name);
	if (!ret) {
		free(name);
		tui_message(0, "nothing was deleted");
		return -1;
	}
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		free(name);
		return tui_unit(ret);
	}
	if (model_delete(t, &app.s.user, type, &r->id) != 0) {
		session_end(&app.s, t, 0);
		free(name);
		tui_error();
		return -1;
	}
	if (session_end(&app.s, t, 1) != 0) {
		free(name);
		tui_error();
		return -1;
	}
	undo_deleted(type, r);
	tui_message(0, "deleted %s \"%s\" (u brings it back)",
	    model_type(type)->name, name);
	free(name);
	tui_status_reload();
	return 0;
}
