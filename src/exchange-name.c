/*
 * exchange-name: records found by the name a file gives them, for the
 * writer (a name two records share is written as an ID, exchange.c) and
 * for an import's references (exchange-import.c) alike. Each is one range
 * of the name index, checked against the whole name, as the key may be
 * cut short.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "exchange.h"
#include "model.h"
#include "store.h"
#include "utf8.h"
#include "xmalloc.h"

int
exchange_company_find(struct store_txn *t, const char *name,
    struct record_id *id)
{
	struct store_cursor	*c;
	struct record		*r;
	struct record_id	 folded;
	char			*key, *whole, *a;
	int			 exact = 0, other = 0, ret;

	key = store_name_key(name);
	whole = utf8_fold(name);
	if (store_cursor_open(t, MODEL_COMPANY, STORE_BY_NAME, 0, &c) != 0) {
		free(key);
		free(whole);
		return -1;
	}
	store_cursor_seek(c, key, strlen(key), 1);
	memset(&folded, 0, sizeof folded);
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (strcmp(record_value(r, "name"), name) == 0) {
			if (exact++ == 0)
				*id = r->id;
		} else {
			/* The key may be cut short: compare whole names. */
			a = utf8_fold(record_value(r, "name"));
			if (strcmp(a, whole) == 0 && other++ == 0)
				folded = r->id;
			free(a);
		}
		record_free(r);
	}
	store_cursor_close(c);
	free(key);
	free(whole);
	if (ret == -1)
		return -1;
	if (exact == 1)
		return 0;
	if (exact > 1) {
		error_set("%d companies are named \"%s\": give the company's "
		    "ID instead", exact, name);
		return STORE_AMBIGUOUS;
	}
	if (other == 1) {
		*id = folded;
		return 0;
	}
	if (other > 1) {
		error_set("%d companies are named \"%s\" but for case: give the "
		    "company's ID instead", other, name);
		return STORE_AMBIGUOUS;
	}
	return STORE_NOTFOUND;
}

int
exchange_contact_find(struct store_txn *t, const char *name,
    const char *company, struct record_id *id)
{
	struct store_cursor	*c;
	struct record		*r;
	struct record_id	 first_id;
	char			*key, *first, *last, *full;
	const char		*sp;
	int			 ret = 0, n = 0;

	for (sp = name;; sp++) {
		/* Each split of the words: "Anna Maria | Berg"... */
		if (*sp != ' ' && *sp != '\0')
			continue;
		first = *sp == '\0' ? xstrdup("") : xstrndup(name,
		    (size_t)(sp - name));
		last = xstrdup(*sp == '\0' ? name : sp + 1);
		xasprintf(&full, "%s%s%s", last, *first != '\0' ? " " : "",
		    first);
		key = store_name_key(full);
		free(full);
		if (store_cursor_open(t, MODEL_CONTACT, STORE_BY_NAME, 0,
		    &c) != 0) {
			free(key);
			free(first);
			free(last);
			return -1;
		}
		store_cursor_seek(c, key, strlen(key), 1);
		while ((ret = store_cursor_next(c, &r)) == 0) {
			if (strcmp(record_value(r, "first_name"), first) == 0 &&
			    strcmp(record_value(r, "last_name"), last) == 0 &&
			    (company == NULL || strcmp(record_value(r,
			    "company"), company) == 0) && n++ == 0)
				first_id = r->id;
			record_free(r);
		}
		store_cursor_close(c);
		free(key);
		free(first);
		free(last);
		if (ret == -1)
			return -1;
		if (*sp == '\0')
			break;
	}
	if (n == 0)
		return STORE_NOTFOUND;
	if (n > 1) {
		error_set("%d contacts are named \"%s\": give the contact's "
		    "ID instead", n, name);
		return STORE_AMBIGUOUS;
	}
	*id = first_id;
	return 0;
}

int
exchange_named_find(struct store_txn *t, int type, const char *name,
    struct record_id *id)
{
	struct store_cursor	*c;
	struct record		*r;
	char			*key;
	int			 ret, n = 0;

	key = store_name_key(name);
	if (store_cursor_open(t, (size_t)type, STORE_BY_NAME, 0, &c) != 0) {
		free(key);
		return -1;
	}
	store_cursor_seek(c, key, strlen(key), 1);
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (strcasecmp(record_value(r, "name"), name) == 0 &&
		    n++ == 0)
			*id = r->id;
		record_free(r);
	}
	store_cursor_close(c);
	free(key);
	if (ret == -1)
		return -1;
	if (n > 1) {
		error_set("%d %s are named \"%s\": give the ID instead", n,
		    model_type(type)->plural, name);
		return STORE_AMBIGUOUS;
	}
	return n == 1 ? 0 : STORE_NOTFOUND;
}
