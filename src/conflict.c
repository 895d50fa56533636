/* conflict: the conflict log (RULES.md B3). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conflict.h"
#include "error.h"
#include "model.h"
#include "store.h"
#include "user.h"
#include "xmalloc.h"

int
conflict_log(struct store_txn *t, int type, const struct record *about,
    const char *field, const char *kept, const char *lost,
    const char *lost_by, uint64_t lost_stamp, const char *why)
{
	struct store_cursor	*cur;
	struct record		*c;
	char			 id[RECORD_ID_TEXT + 1], when[32];
	uint64_t		 stamp;
	int			 ret, same = 0;

	record_id_format(&about->id, id);
	clock_format(lost_stamp, when, sizeof when);
	/*
	 * A sync cut off and run again meets the same conflicts: each is
	 * logged once (same record, field, lost value and time).
	 */
	if (store_cursor_open(t, STORE_CONFLICTS, STORE_BY_REF, 0, &cur) != 0)
		return -1;
	store_cursor_seek(cur, about->id.b, RECORD_ID_SIZE, 1);
	while (!same && (ret = store_cursor_next(cur, &c)) == 0) {
		same = strcmp(record_value(c, "field"), field) == 0 &&
		    strcmp(record_value(c, "lost"), lost != NULL ? lost : "")
		    == 0 && strcmp(record_value(c, "changed_at"), when) == 0 &&
		    strcmp(record_value(c, "who"), lost_by) == 0;
		record_free(c);
	}
	store_cursor_close(cur);
	if (same)
		return 0;
	if (ret == -1)
		return -1;

	c = record_new();
	record_id_new(&c->id, clock_now_ms());
	stamp = store_stamp(t);
	c->created = c->modified = stamp;
	snprintf(c->created_by, sizeof c->created_by, "%s", lost_by);
	snprintf(c->modified_by, sizeof c->modified_by, "%s", lost_by);
	record_set(c, "type", model_type(type)->name, stamp);
	record_set(c, "record", id, stamp);
	record_set(c, "field", field, stamp);
	record_set(c, "kept", kept != NULL ? kept : "", stamp);
	record_set(c, "lost", lost != NULL ? lost : "", stamp);
	record_set(c, "who", lost_by, stamp);
	record_set(c, "changed_at", when, stamp);
	record_set(c, "why", why, stamp);
	record_set(c, "restored", "no", stamp);
	ret = store_put(t, STORE_CONFLICTS, c, STORE_PUT_SYNCED);
	record_free(c);
	return ret;
}

/* Append text to a growing buffer, "\\" and "\n" escaped when esc. */
static void
conflict_put(char **buf, size_t *len, size_t *cap, const char *text,
    int esc)
{
	const char	*p;

	for (p = text; *p != '\0'; p++) {
		if (*len + 3 > *cap) {
			*cap = *cap ? *cap * 2 : 256;
			*buf = xreallocarray(*buf, *cap, 1);
		}
		if (esc && (*p == '\\' || *p == '\n')) {
			(*buf)[(*len)++] = '\\';
			(*buf)[(*len)++] = *p == '\n' ? 'n' : '\\';
		} else
			(*buf)[(*len)++] = *p;
	}
	(*buf)[*len] = '\0';
}

char *
conflict_record_text(int type, const struct record *r)
{
	char	*text = NULL;
	size_t	 i, len = 0, cap = 0;

	if (type == MODEL_USER || type == MODEL_DOCUMENT ||
	    type == MODEL_TEMPLATE || (r->flags & RECORD_DELETED))
		return NULL;
	for (i = 0; i < r->nfields; i++) {
		if (*r->fields[i].value == '\0' ||
		    !model_is_field(type, r->fields[i].name))
			continue;
		if (len > 0)
			conflict_put(&text, &len, &cap, "\n", 0);
		conflict_put(&text, &len, &cap, r->fields[i].name, 0);
		conflict_put(&text, &len, &cap, "=", 0);
		conflict_put(&text, &len, &cap, r->fields[i].value, 1);
	}
	return text;
}

int
conflict_log_record(struct store_txn *t, int type, const struct record *r,
    const char *why)
{
	char	*text;
	int	 ret;

	if ((text = conflict_record_text(type, r)) == NULL)
		return 0;
	ret = conflict_log(t, type, r, "*", "deleted", text, r->modified_by,
	    r->modified, why);
	free(text);
	return ret;
}

/*
 * Make a record again from a whole-record entry's text, as a new record
 * of actor's: references to records no longer there are left out.
 */
static int
conflict_make_again(struct store_txn *t, const struct user *actor, int type,
    const char *text, struct record_id *made)
{
	const struct model_field *mf;
	struct model_change	*ch = NULL;
	struct record_id	 ref;
	struct record		*target;
	char			*copy, *line, *next, *eq, *r, *w;
	size_t			 n = 0, cap = 0;
	int			 ret;

	copy = xstrdup(text);
	for (line = copy; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		for (r = w = eq + 1; *r != '\0'; r++) {
			if (*r == '\\' && r[1] != '\0') {
				r++;
				*w++ = *r == 'n' ? '\n' : *r;
			} else
				*w++ = *r;
		}
		*w = '\0';
		if ((mf = model_field_find(type, line)) == NULL ||
		    (mf->flags & MODEL_SYSTEM))
			continue;
		if (mf->kind == MODEL_REF) {
			if (record_id_parse(eq + 1, &ref) != 0)
				continue;
			target = NULL;
			ret = -1;
			if (mf->ref_type != MODEL_ANY &&
			    (ret = model_get(t, mf->ref_type, &ref,
			    &target)) == -1) {
				free(ch);
				free(copy);
				return -1;
			}
			record_free(target);
			if (ret != 0)
				continue;	/* gone since, or of any type */
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			ch = xreallocarray(ch, cap, sizeof *ch);
		}
		ch[n].name = line;
		ch[n].value = eq + 1;
		n++;
	}
	error_clear();
	ret = model_add(t, actor, type, ch, n, made);
	if (ret != 0)
		error_prefix("cannot make the %s again: ",
		    model_type(type)->name);
	free(ch);
	free(copy);
	return ret;
}

int
conflict_restore(struct store_txn *t, const struct user *actor,
    const struct record_id *entry, struct record_id *made)
{
	struct record		*c, *live = NULL;
	struct record_id	 id;
	struct model_change	 ch;
	const char		*name;
	int			 type, ret, done;

	if ((ret = store_get(t, STORE_CONFLICTS, entry, &c)) != 0) {
		if (ret == STORE_NOTFOUND)
			error_set("no conflict has that ID (see crm conflicts)");
		return -1;
	}
	if ((type = model_type_find(record_value(c, "type"))) == -1 ||
	    record_id_parse(record_value(c, "record"), &id) != 0) {
		record_free(c);
		error_set("the conflict log holds a damaged entry");
		return -1;
	}
	name = model_type(type)->name;
	if (strcmp(record_value(c, "field"), "*") == 0 &&
	    strcmp(record_value(c, "kept"), "deleted") == 0) {
		/* A whole record lost to a deletion: made again. */
		if (conflict_make_again(t, actor, type,
		    record_value(c, "lost"), made) != 0)
			goto fail;
		done = CONFLICT_MADE_AGAIN;
	} else if ((ret = model_get(t, type, &id, &live)) == -1) {
		goto fail;
	} else if (ret != 0) {
		error_set("the %s is no longer in this database (deleted, or "
		    "out of your scope): %s", name, strcmp(record_value(c,
		    "field"), "*") == 0 ? "ask whoever now manages it" :
		    "where the log also has an entry for the whole record, "
		    "restoring that one makes it again");
		goto fail;
	} else if (strcmp(record_value(c, "field"), "*") == 0) {
		/* A deletion that was refused or lost: done again. */
		record_free(live);
		if (strcmp(record_value(c, "lost"), "deleted") != 0) {
			error_set("the conflict log holds a damaged entry");
			goto fail;
		}
		if (model_delete(t, actor, type, &id) != 0) {
			error_prefix("cannot delete the %s again: ", name);
			goto fail;
		}
		done = CONFLICT_DELETED;
	} else {
		record_free(live);
		ch.name = record_value(c, "field");
		ch.value = record_value(c, "lost");
		if (model_update(t, actor, type, &id, &ch, 1) != 0) {
			error_prefix("cannot restore: ");
			goto fail;
		}
		done = CONFLICT_PUT_BACK;
	}
	record_set(c, "restored", "yes", store_stamp(t));
	ret = store_put(t, STORE_CONFLICTS, c, STORE_PUT_SYNCED);
	record_free(c);
	return ret == 0 ? done : -1;
fail:
	record_free(c);
	return -1;
}
