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

int
conflict_restore(struct store_txn *t, const struct user *actor,
    const struct record_id *entry)
{
	struct record		*c;
	struct record_id	 id;
	struct model_change	 ch;
	int			 type, ret;

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
	if (strcmp(record_value(c, "field"), "*") == 0) {
		error_set("this entry is about the whole %s, which is no longer "
		    "in this database: ask whoever now manages it",
		    model_type(type)->name);
		record_free(c);
		return -1;
	}
	ch.name = record_value(c, "field");
	ch.value = record_value(c, "lost");
	if (model_update(t, actor, type, &id, &ch, 1) != 0) {
		error_prefix("cannot restore: ");
		record_free(c);
		return -1;
	}
	record_set(c, "restored", "yes", store_stamp(t));
	ret = store_put(t, STORE_CONFLICTS, c, STORE_PUT_SYNCED);
	record_free(c);
	return ret;
}
