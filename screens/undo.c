/*
 * undo: u takes back the last changes made in the screens, newest first:
 * an edit (its fields as they were), a record made (deleted again) or
 * deleted (brought back, model_undelete). Each undo is itself a change
 * made now, through the model, so rights apply and sync carries it; a
 * field someone changed since (a sync) keeps their value.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"
#include "record.h"
#include "session.h"
#include "tui.h"
#include "undo.h"
#include "xmalloc.h"

#define UNDO_MAX	32	/* changes remembered */

enum undo_kind {
	UNDO_EDIT,
	UNDO_CREATE,
	UNDO_DELETE
};

struct undo_entry {
	enum undo_kind	 kind;
	int		 type;
	struct record_id id;
	struct record	*before;	/* UNDO_EDIT */
	struct record	*after;
	char		*what;		/* "company \"Acme\"" */
};

static struct undo_entry	undo_stack[UNDO_MAX];
static size_t			undo_n;

static void
undo_entry_free(struct undo_entry *e)
{
	record_free(e->before);
	record_free(e->after);
	free(e->what);
	memset(e, 0, sizeof *e);
}

static struct undo_entry *
undo_push(enum undo_kind kind, int type, const struct record_id *id,
    const struct record *named)
{
	struct undo_entry	*e;
	char			*name;

	if (undo_n == UNDO_MAX) {
		undo_entry_free(&undo_stack[0]);
		memmove(undo_stack, undo_stack + 1,
		    (UNDO_MAX - 1) * sizeof *undo_stack);
		memset(&undo_stack[UNDO_MAX - 1], 0, sizeof *undo_stack);
		undo_n--;
	}
	e = &undo_stack[undo_n++];
	e->kind = kind;
	e->type = type;
	e->id = *id;
	name = named != NULL ? model_record_name(type, named, 0) : xstrdup("");
	xasprintf(&e->what, "%s \"%s\"", model_type(type)->name, name);
	free(name);
	return e;
}

void
undo_created(int type, const struct record *r)
{
	undo_push(UNDO_CREATE, type, &r->id, r);
}

void
undo_deleted(int type, const struct record *r)
{
	undo_push(UNDO_DELETE, type, &r->id, r);
}

int
undo_update(struct store_txn *t, int type, const struct record_id *id,
    const struct model_change *ch, size_t n)
{
	struct undo_entry	*e;
	struct record		*before, *after;

	if (model_get(t, type, id, &before) != 0)
		return -1;
	if (model_update(t, &app.s.user, type, id, ch, n) != 0) {
		record_free(before);
		return -1;
	}
	if (model_get(t, type, id, &after) != 0) {
		record_free(before);
		return -1;
	}
	e = undo_push(UNDO_EDIT, type, id, after);
	e->before = before;
	e->after = after;
	return 0;
}

void
undo_clear(void)
{
	while (undo_n > 0)
		undo_entry_free(&undo_stack[--undo_n]);
}

/* The fields an edit changed, back as they were where nobody changed them since. */
static int
undo_edit(struct store_txn *t, struct undo_entry *e, size_t *kept)
{
	const struct model_type	*mt = model_type(e->type);
	struct model_change	*ch;
	struct record		*now;
	const char		*name, *was, *set;
	size_t			 i, n = 0;
	int			 ret;

	*kept = 0;
	if (model_get(t, e->type, &e->id, &now) != 0)
		return -1;
	ch = xcalloc(mt->nfields + 1, sizeof *ch);
	for (i = 0; i < mt->nfields; i++) {
		name = mt->fields[i].name;
		was = record_value(e->before, name);
		set = record_value(e->after, name);
		if (strcmp(was, set) == 0)
			continue;
		if (strcmp(record_value(now, name), set) != 0) {
			(*kept)++;
			continue;
		}
		ch[n].name = name;
		ch[n++].value = was;
	}
	ret = n == 0 ? 0 : model_update(t, &app.s.user, e->type, &e->id, ch,
	    n);
	free(ch);
	record_free(now);
	if (ret == 0 && n == 0) {
		error_set("the %s was changed since by someone else: nothing to "
		    "undo", e->what);
		return -1;
	}
	return ret;
}

int
undo_last(void)
{
	struct undo_entry	*e;
	struct store_txn	*t;
	size_t			 kept = 0;
	int			 ret;

	if (undo_n == 0) {
		tui_message(1, "nothing to undo: u takes back the changes made "
		    "here since crm started");
		return -1;
	}
	e = &undo_stack[undo_n - 1];
	if ((ret = session_begin(&app.s, 0, &t)) != 0)
		return tui_unit(ret);
	switch (e->kind) {
	case UNDO_EDIT:
		ret = undo_edit(t, e, &kept);
		break;
	case UNDO_CREATE:
		ret = model_delete(t, &app.s.user, e->type, &e->id);
		break;
	case UNDO_DELETE:
	default:
		ret = model_undelete(t, &app.s.user, e->type, &e->id);
		break;
	}
	if (ret != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		/* What cannot be undone now will not be later either. */
		undo_entry_free(&undo_stack[--undo_n]);
		return -1;
	}
	if (session_end(&app.s, t, 1) != 0) {
		tui_error();
		return -1;
	}
	tui_unit(0);
	tui_message(0, "undone: %s %s%s", e->kind == UNDO_EDIT ?
	    "the change to" : e->kind == UNDO_CREATE ? "the new" :
	    "the deletion of", e->what, kept > 0 ? " (fields changed since "
	    "by others were kept)" : "");
	undo_entry_free(&undo_stack[--undo_n]);
	tui_status_reload();
	return 0;
}

void
undo_key(struct screen *sc)
{
	/* Whatever the screen, what it shows changed: read it again. */
	if (app.open && app.s.role == STORE_MASTER)
		session_hold(&app.s);
	if (undo_last() == 0 && sc->ops->reload != NULL)
		sc->ops->reload(sc);
}
