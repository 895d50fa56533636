/* duplicate: companies and contacts entered twice (duplicate.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflict.h"
#include "duplicate.h"
#include "error.h"
#include "model.h"
#include "record.h"
#include "rights.h"
#include "store.h"
#include "utf8.h"
#include "xmalloc.h"

/* The field that tells two records of the same name apart. */
static const char *
duplicate_field(int type)
{
	return type == MODEL_COMPANY ? "city" : "email";
}

int
duplicate_type(int type)
{
	return type == MODEL_COMPANY || type == MODEL_CONTACT;
}

/* Does nothing tell a and b apart? (Their names are the same already.) */
static int
duplicate_alike(int type, const struct record *a, const struct record *b)
{
	const char	*f = duplicate_field(type);
	char		*x, *y;
	int		 same;

	if (*record_value(a, f) == '\0' || *record_value(b, f) == '\0')
		return 1;
	x = utf8_fold(record_value(a, f));
	y = utf8_fold(record_value(b, f));
	same = strcmp(x, y) == 0;
	free(x);
	free(y);
	return same;
}

int
duplicate_find(struct store_txn *t, int type, const struct record *r,
    struct record_id *ids, size_t max, size_t *n)
{
	struct store_cursor	*c;
	struct record		*o;
	char			*key;
	int			 ret;

	*n = 0;
	if (!duplicate_type(type))
		return 0;
	key = store_name_of(t, (size_t)type, r);
	if (*key == '\0') {
		free(key);
		return 0;
	}
	if (store_cursor_open(t, (size_t)type, STORE_BY_NAME, 0, &c) != 0) {
		free(key);
		return -1;
	}
	store_cursor_seek(c, key, strlen(key), 1);
	while (*n < max && (ret = store_cursor_next(c, &o)) == 0) {
		if (record_id_cmp(&o->id, &r->id) != 0 &&
		    duplicate_alike(type, r, o))
			ids[(*n)++] = o->id;
		record_free(o);
	}
	store_cursor_close(c);
	free(key);
	return ret == -1 ? -1 : 0;
}

/* Those of a group of one name that look like another of it. */
static int
duplicate_group(int type, struct record **g, size_t n,
    int (*each)(void *, struct record **, size_t), void *arg)
{
	struct record	**alike;
	size_t		  i, j, k = 0;
	int		  ret = 0;

	if (n < 2)
		return 0;
	alike = xcalloc(n, sizeof *alike);
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			if (i != j && duplicate_alike(type, g[i], g[j])) {
				alike[k++] = g[i];
				break;
			}
		}
	}
	if (k >= 2)
		ret = each(arg, alike, k);
	free(alike);
	return ret;
}

int
duplicate_list(struct store_txn *t, int type,
    int (*each)(void *, struct record **, size_t), void *arg)
{
	struct store_cursor	*c;
	struct record		*r, **g = NULL;
	const void		*key;
	char			*last = NULL;
	size_t			 len, n = 0, i;
	int			 ret, stop = 0;

	if (store_cursor_open(t, (size_t)type, STORE_BY_NAME, 0, &c) != 0)
		return -1;
	while (!stop && (ret = store_cursor_next(c, &r)) == 0) {
		store_cursor_key(c, &key, &len);
		if (last == NULL || strlen(last) != len ||
		    memcmp(last, key, len) != 0) {
			stop = duplicate_group(type, g, n, each, arg);
			for (i = 0; i < n; i++)
				record_free(g[i]);
			n = 0;
			free(last);
			last = xstrndup(key, len);
		}
		g = xreallocarray(g, n + 1, sizeof *g);
		g[n++] = r;
	}
	if (!stop && ret != -1)
		stop = duplicate_group(type, g, n, each, arg);
	for (i = 0; i < n; i++)
		record_free(g[i]);
	free(g);
	free(last);
	store_cursor_close(c);
	return ret == -1 || stop == -1 ? -1 : 0;
}

/* Give lose's values to the fields keep has empty. */
static int
duplicate_fill(struct store_txn *t, const struct user *actor, int type,
    const struct record *keep, const struct record *lose)
{
	const struct model_type	*mt = model_type(type);
	struct model_change	*ch;
	const char		*v;
	size_t			 i, n = 0;
	int			 ret = 0;

	ch = xcalloc(mt->nfields + 1, sizeof *ch);
	for (i = 0; i < mt->nfields; i++) {
		if (mt->fields[i].flags & (MODEL_SECRET | MODEL_SYSTEM))
			continue;
		v = record_value(lose, mt->fields[i].name);
		if (*v == '\0' || *record_value(keep, mt->fields[i].name) != '\0')
			continue;
		ch[n].name = mt->fields[i].name;
		ch[n++].value = v;
	}
	if (n > 0)
		ret = model_update(t, actor, type, &keep->id, ch, n);
	free(ch);
	return ret;
}

/*
 * A target of lose in a campaign where keep is a target already: the
 * campaign keeps one target for the one record (model.h); this one goes,
 * whole into the conflict log.
 */
static int
duplicate_target_twice(struct store_txn *t, const struct user *actor,
    const struct record *target, const char *field, const char *keeptext)
{
	struct record_id	*ids;
	struct record		*o;
	struct record_id	 kid;
	size_t			 n, i;
	int			 ret, twice = 0;

	if (record_id_parse(keeptext, &kid) != 0)
		return 0;
	ret = store_index_ids(t, MODEL_TARGET, STORE_BY_REF, kid.b,
	    RECORD_ID_SIZE, (size_t)-1, &ids, &n);
	if (ret != 0)
		return -1;
	for (i = 0; i < n && !twice; i++) {
		if (store_get(t, MODEL_TARGET, &ids[i], &o) != 0)
			continue;
		twice = (o->flags & RECORD_DELETED) == 0 &&
		    strcmp(record_value(o, "campaign"),
		    record_value(target, "campaign")) == 0 &&
		    strcmp(record_value(o, field), keeptext) == 0;
		record_free(o);
	}
	free(ids);
	error_clear();
	if (!twice)
		return 0;
	if (conflict_log_record(t, MODEL_TARGET, target, "a target of the "
	    "same campaign after a merge") != 0 ||
	    model_delete(t, actor, MODEL_TARGET, &target->id) != 0)
		return -1;
	return 1;
}

/* Every live record linked to lose is linked to keep instead. */
static int
duplicate_move(struct store_txn *t, const struct user *actor,
    const struct record_id *keep, const struct record_id *lose,
    size_t *moved)
{
	const struct store_schema	*sc;
	struct model_change		 ch[5];
	struct record_id		*ids;
	struct record			*r;
	char				 ktext[RECORD_ID_TEXT + 1];
	size_t				 n, i, k;
	int				 type, j, ret;

	record_id_format(keep, ktext);
	/* In model order: a contact moves before the notes that name it. */
	for (type = 0; type < MODEL_NTYPES; type++) {
		sc = &model_schema[type];
		if (sc->ref_fields[0] == NULL)
			continue;
		if (store_index_ids(t, (size_t)type, STORE_BY_REF, lose->b,
		    RECORD_ID_SIZE, (size_t)-1, &ids, &n) != 0)
			return -1;
		for (i = 0; i < n; i++) {
			if ((ret = store_get(t, (size_t)type, &ids[i], &r)) != 0) {
				if (ret == -1)
					goto fail;
				continue;
			}
			k = 0;
			for (j = 0; j < 5 && sc->ref_fields[j] != NULL; j++) {
				struct record_id	 v;

				if (record_id_parse(record_value(r,
				    sc->ref_fields[j]), &v) == 0 &&
				    record_id_cmp(&v, lose) == 0) {
					ch[k].name = sc->ref_fields[j];
					ch[k++].value = ktext;
				}
			}
			error_clear();
			ret = 0;
			if (type == MODEL_TARGET && k > 0)
				ret = duplicate_target_twice(t, actor, r,
				    ch[0].name, ktext);
			if (ret == 0 && k > 0)
				ret = model_update(t, actor, type, &r->id, ch,
				    k);
			record_free(r);
			if (ret == -1)
				goto fail;
			(*moved)++;
		}
		free(ids);
	}
	return 0;

fail:
	free(ids);
	return -1;
}

int
duplicate_merge(struct store_txn *t, const struct user *actor, int type,
    const struct record_id *keep, const struct record_id *lose,
    size_t *moved)
{
	struct record	*k = NULL, *l = NULL;
	char		*kname, why[512], ktext[RECORD_ID_TEXT + 1];
	int		 ret = -1;

	*moved = 0;
	if (record_id_cmp(keep, lose) == 0) {
		error_set("a record cannot be merged into itself: give two "
		    "different IDs");
		return -1;
	}
	if (model_get(t, type, keep, &k) != 0 ||
	    model_get(t, type, lose, &l) != 0)
		goto out;
	/* The right to delete the one that goes, asked before any change. */
	if (!rights_may_delete(actor, type, l))
		goto out;
	if (duplicate_fill(t, actor, type, k, l) != 0 ||
	    duplicate_move(t, actor, keep, lose, moved) != 0)
		goto out;
	kname = model_record_name(type, k, 0);
	record_id_format(keep, ktext);
	snprintf(why, sizeof why, "merged into %s \"%s\" (%s)",
	    model_type(type)->name, kname, ktext);
	free(kname);
	if (conflict_log_record(t, type, l, why) != 0 ||
	    model_delete(t, actor, type, lose) != 0)
		goto out;
	ret = 0;
out:
	record_free(k);
	record_free(l);
	return ret;
}
