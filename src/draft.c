/*
 * draft: a form kept when crm was stopped (draft.h).
 *
 * One meta.db value per draft, a record encoded as records are: its ID
 * is the record edited (zero for a new one), created_by the user and
 * created the time it was kept; fields "type" and "new", "b.NAME" the
 * base's values and "m.NAME" the values typed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "draft.h"
#include "error.h"
#include "model.h"
#include "store.h"
#include "xmalloc.h"

#define DRAFT_PREFIX	"draft/"

int
draft_save(struct store_txn *t, const char *uid, struct draft *d)
{
	struct record	*r = record_new();
	struct record_id id;
	uint8_t		*buf;
	size_t		 len, i;
	char		 name[256], idtext[RECORD_ID_TEXT + 1];
	int		 ret;

	if (!d->is_new)
		r->id = d->id;
	d->when = clock_now_ms();
	r->created = r->modified = d->when;
	snprintf(r->created_by, sizeof r->created_by, "%s", uid);
	snprintf(r->modified_by, sizeof r->modified_by, "%s", uid);
	record_set(r, "type", model_type(d->type)->name, 0);
	record_set(r, "new", d->is_new ? "yes" : "no", 0);
	for (i = 0; d->base != NULL && i < d->base->nfields; i++) {
		snprintf(name, sizeof name, "b.%s", d->base->fields[i].name);
		record_set(r, name, d->base->fields[i].value, 0);
	}
	for (i = 0; i < d->mine->nfields; i++) {
		snprintf(name, sizeof name, "m.%s", d->mine->fields[i].name);
		record_set(r, name, d->mine->fields[i].value, 0);
	}
	/*
	 * Newest first by the time in the key; an ID after it (the record's,
	 * or a new one's) keeps two drafts of one millisecond apart.
	 */
	if (d->key == NULL) {
		if (d->is_new)
			record_id_new(&id, d->when);
		else
			id = d->id;
		record_id_format(&id, idtext);
		xasprintf(&d->key, DRAFT_PREFIX "%s/%016llx/%s", uid,
		    (unsigned long long)d->when, idtext);
	}
	record_encode(r, &buf, &len);
	record_free(r);
	ret = store_meta_put(t, d->key, buf, len);
	free(buf);
	return ret;
}

struct draft_walk {
	struct draft	*d;
	size_t		 count;
};

static int
draft_one(void *arg, const char *key, const void *value, size_t len)
{
	struct draft_walk	*w = arg;
	struct draft		*d = w->d;
	struct record		*r;
	const char		*name;
	size_t			 i;
	int			 type;

	if ((r = record_decode(value, len)) == NULL ||
	    (type = model_type_find(record_value(r, "type"))) == -1) {
		/* Not one this program can read: left for a newer one. */
		record_free(r);
		error_clear();
		return 0;
	}
	if (w->count++ > 0) {
		record_free(r);
		return 0;
	}
	d->type = type;
	d->is_new = strcmp(record_value(r, "new"), "yes") == 0;
	d->id = r->id;
	d->when = r->created;
	d->base = d->is_new ? NULL : record_new();
	d->mine = record_new();
	for (i = 0; i < r->nfields; i++) {
		name = r->fields[i].name;
		if (strncmp(name, "b.", 2) == 0 && d->base != NULL)
			record_set(d->base, name + 2, r->fields[i].value, 0);
		else if (strncmp(name, "m.", 2) == 0)
			record_set(d->mine, name + 2, r->fields[i].value, 0);
	}
	if (d->base != NULL)
		d->base->id = r->id;
	d->key = xstrdup(key);
	record_free(r);
	return 0;
}

int
draft_load(struct store_txn *t, const char *uid, struct draft *d,
    size_t *count)
{
	struct draft_walk	 w;
	char			*prefix;
	int			 ret;

	memset(d, 0, sizeof *d);
	w.d = d;
	w.count = 0;
	/* The user's own drafts only: another login never sees them. */
	xasprintf(&prefix, DRAFT_PREFIX "%s/", uid);
	ret = store_meta_list(t, prefix, 1, draft_one, &w);
	free(prefix);
	if (ret != 0) {
		draft_free(d);
		return -1;
	}
	if (count != NULL)
		*count = w.count;
	return w.count > 0 ? 0 : STORE_NOTFOUND;
}

int
draft_drop(struct store_txn *t, const char *key)
{
	int	ret;

	if ((ret = store_meta_del(t, key)) == STORE_NOTFOUND)
		return 0;
	return ret;
}

void
draft_free(struct draft *d)
{
	record_free(d->base);
	record_free(d->mine);
	free(d->key);
	memset(d, 0, sizeof *d);
}
