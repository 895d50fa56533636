/*
 * exchange-import: what one row of a file does to the database (add,
 * update, leave alone, refuse), with the model's rules and rights.
 *
 * Finding the record a row is about costs the same for every row, however
 * large the database or the file:
 *  - an id, or a card's UID that is a crm ID: one look-up by ID;
 *  - a UID from another program (Google, Apple, a calendar), or an id
 *    from another database: the record made from it took an ID derived
 *    from it (exchange_key_id), so this is one look-up by ID too;
 *  - neither: the name index, and what makes two rows the same (a
 *    contact's email, or company). The contacts of each name are read
 *    once per import and kept in a bounded map with the import's own
 *    writes, so a file of a thousand Anna Müllers does not read the
 *    others a thousand times. The map is a scratch B-tree in the
 *    database's cache (store_scratch), of digests and IDs: however
 *    large the file, its memory stays that of the cache, and it forgets
 *    nothing. A map in memory that emptied itself when full was read
 *    again name by name, each time, once a file's names had more
 *    contacts than it held (some 200,000): every row then read all the
 *    contacts of its name. What the map says is checked against the
 *    record, as a digest may be another's.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nettle/sha2.h>

#include "error.h"
#include "exchange.h"
#include "model.h"
#include "rights.h"
#include "store.h"
#include "strmap.h"
#include "user.h"
#include "utf8.h"
#include "xmalloc.h"

/* Company names the companies map holds before it starts again. */
#define EXCHANGE_COMPANIES_MAX	50000

struct exchange_import {
	struct store_txn	*t;
	const struct user	*actor;
	struct store_scratch	*seen;		/* contacts by name and email */
	struct strmap		*companies;	/* company name: ID, "" or "?" */
	struct strmap		*users;		/* user ID or login: ID or "" */
	/* The last name folded (exchange_person_key): a row's, once. */
	char			*pk_first, *pk_last, *pk;
	/* The map says pk's contacts were read: not asked again. */
	int			 pk_known;
};

static const char *const exchange_actions[] = {
	"add", "update", "unchanged", "refused"
};

const char *
exchange_action_name(enum exchange_action a)
{
	return exchange_actions[a];
}

void
exchange_key_id(int type, const char *key, struct record_id *id)
{
	struct sha256_ctx	ctx;
	uint8_t			digest[SHA256_DIGEST_SIZE];
	const char		*name = model_type(type)->name;

	sha256_init(&ctx);
	sha256_update(&ctx, strlen(name) + 1, (const uint8_t *)name);
	sha256_update(&ctx, strlen(key), (const uint8_t *)key);
	sha256_digest(&ctx, sizeof digest, digest);
	memcpy(id->b, digest, RECORD_ID_SIZE);
}

struct exchange_import *
exchange_import_begin(struct store_txn *t, const struct user *actor)
{
	struct exchange_import	*imp = xcalloc(1, sizeof *imp);

	imp->t = t;
	imp->actor = actor;
	imp->companies = strmap_new(EXCHANGE_COMPANIES_MAX);
	imp->users = strmap_new(1024);
	return imp;
}

void
exchange_import_end(struct exchange_import *imp)
{
	if (imp == NULL)
		return;
	store_scratch_close(imp->seen);
	strmap_free(imp->companies);
	strmap_free(imp->users);
	free(imp->pk_first);
	free(imp->pk_last);
	free(imp->pk);
	free(imp);
}

void
exchange_result_clear(struct exchange_result *res)
{
	free(res->changed);
	free(res->reason);
	memset(res, 0, sizeof *res);
}

static int
exchange_refuse(struct exchange_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
exchange_refuse(struct exchange_result *res, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	free(res->reason);
	xvasprintf(&res->reason, fmt, ap);
	va_end(ap);
	res->action = EXCHANGE_REFUSED;
	return 0;
}

/*
 * record_id_parse, but a value that cannot be an ID (a name, a UID: most
 * rows') is not given the message that says why, which cost as much as
 * the rest of the look-up (callgrind).
 */
static int
exchange_id_parse(const char *v, struct record_id *id)
{
	if (strlen(v) != RECORD_ID_TEXT)
		return -1;
	return record_id_parse(v, id);
}

/*
 * Companies: exchange_company_find (exchange-name.c), remembered for the
 * rest of the import.
 */
static int
exchange_company_lookup(struct exchange_import *imp, const char *name,
    struct record_id *id)
{
	const char	*v = strmap_get(imp->companies, name);
	char		 text[RECORD_ID_TEXT + 1];
	int		 ret;

	if (v != NULL) {
		if (*v == '\0')
			return STORE_NOTFOUND;
		if (*v != '?' && record_id_parse(v, id) == 0)
			return 0;
		return exchange_company_find(imp->t, name, id);
	}
	ret = exchange_company_find(imp->t, name, id);
	if (ret == 0) {
		record_id_format(id, text);
		strmap_put(imp->companies, name, text);
	} else if (ret == STORE_NOTFOUND)
		strmap_put(imp->companies, name, "");
	else if (ret == STORE_AMBIGUOUS)
		strmap_put(imp->companies, name, "?");
	return ret;
}

/* Is there a live record of type with this ID? 1, 0 or -1. */
static int
exchange_live(struct store_txn *t, int type, const struct record_id *id,
    struct record **out)
{
	struct record	*r;
	int		 ret;

	if ((ret = store_get(t, (size_t)type, id, &r)) == -1)
		return -1;
	if (ret != 0)
		return 0;
	if (r->flags & RECORD_DELETED) {
		record_free(r);
		return 0;
	}
	if (out != NULL)
		*out = r;
	else
		record_free(r);
	return 1;
}

/* Contacts by name and email. */

/*
 * "berg anna": the whole folded name, as the name index would have it.
 * Folding is most of a row's cost: the last name folded is kept, for the
 * same row's look-up, its record added and the records of its name.
 */
static const char *
exchange_person_key(struct exchange_import *imp, const char *first,
    const char *last)
{
	char	*joined;

	if (imp->pk != NULL && strcmp(imp->pk_first, first) == 0 &&
	    strcmp(imp->pk_last, last) == 0)
		return imp->pk;
	free(imp->pk_first);
	free(imp->pk_last);
	free(imp->pk);
	imp->pk_known = 0;
	imp->pk_first = xstrdup(first);
	imp->pk_last = xstrdup(last);
	xasprintf(&joined, "%s%s%s", last, *last != '\0' && *first != '\0' ?
	    " " : "", first);
	imp->pk = utf8_fold(joined);
	free(joined);
	return imp->pk;
}

/* The digest of kind ('n' a name, 'm' an email, 'c' a company) and text. */
static uint64_t
exchange_seen_hash(int kind, const char *name, const char *v)
{
	uint64_t		 h = 14695981039346656037ULL;
	const unsigned char	*p;

	h = (h ^ (unsigned char)kind) * 1099511628211ULL;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ 0x1f) * 1099511628211ULL;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	/* FNV-1a mixes its last bytes little: finish as splitmix64 does. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h != 0 ? h : 1;
}

/* The contact (or zeros) kept under digest h: 0, 1 none, -1. */
static int
exchange_seen_get(struct exchange_import *imp, uint64_t h,
    struct record_id *id)
{
	uint8_t	key[8];
	int	ret;

	if (imp->seen == NULL)
		return 1;	/* nothing was put yet */
	store_be64(key, h);
	ret = store_scratch_get(imp->seen, key, sizeof key, id->b,
	    RECORD_ID_SIZE);
	return ret == STORE_NOTFOUND ? 1 : ret;
}

static int
exchange_seen_put(struct exchange_import *imp, uint64_t h,
    const struct record_id *id)
{
	uint8_t	key[8];

	if (imp->seen == NULL && store_scratch_open(imp->t, &imp->seen) != 0)
		return -1;
	store_be64(key, h);
	return store_scratch_put(imp->seen, key, sizeof key, id->b,
	    RECORD_ID_SIZE);
}

/*
 * Remember a contact under each thing that makes another row the same,
 * if its name was looked up (if not, the index will find it): 0 or -1.
 */
static int
exchange_seen_add(struct exchange_import *imp, const struct record *r)
{
	struct record_id	 id;
	char			*name, *m;
	const char		*mails[2] = { "email", "email2" };
	int			 i, ret, any = 0;

	name = xstrdup(exchange_person_key(imp, record_value(r, "first_name"),
	    record_value(r, "last_name")));
	if (!imp->pk_known) {
		if ((ret = exchange_seen_get(imp, exchange_seen_hash('n', name,
		    ""), &id)) != 0) {
			free(name);
			return ret == 1 ? 0 : -1;
		}
		imp->pk_known = 1;	/* name is imp->pk */
	}
	ret = 0;
	for (i = 0; i < 2 && ret == 0; i++) {
		if (*record_value(r, mails[i]) == '\0')
			continue;
		any = 1;
		m = utf8_fold(record_value(r, mails[i]));
		ret = exchange_seen_put(imp, exchange_seen_hash('m', name, m),
		    &r->id);
		free(m);
	}
	if (ret == 0 && !any)
		ret = exchange_seen_put(imp, exchange_seen_hash('c', name,
		    record_value(r, "company")), &r->id);
	free(name);
	return ret;
}

/*
 * Does contact r make a row the same: its name, and one of the row's
 * emails (m, folded; NULL for none) or, with no email on either, the
 * same company?
 */
static int
exchange_same_as(const struct record *r, const char *first, const char *last,
    char *const m[2], const char *company)
{
	const char	*mails[2] = { "email", "email2" };
	char		*f;
	int		 i, same = 0, any = 0;

	if (strcmp(record_value(r, "first_name"), first) != 0 ||
	    strcmp(record_value(r, "last_name"), last) != 0)
		return 0;
	for (i = 0; i < 2 && !same; i++) {
		if (*record_value(r, mails[i]) == '\0')
			continue;
		any = 1;
		if (m[0] == NULL && m[1] == NULL)
			break;
		f = utf8_fold(record_value(r, mails[i]));
		same = (m[0] != NULL && strcmp(f, m[0]) == 0) ||
		    (m[1] != NULL && strcmp(f, m[1]) == 0);
		free(f);
	}
	if (m[0] == NULL && m[1] == NULL && !any)
		same = strcmp(record_value(r, "company"), company) == 0;
	return same;
}

/*
 * Read the contacts of one name into the map, and return the first that
 * makes the row the same (exchange_same_as) in *out: 1, 0 none, -1.
 */
static int
exchange_seen_load(struct exchange_import *imp, const char *first,
    const char *last, const char *name, char *const m[2],
    const char *company, struct record **out)
{
	struct store_cursor	*c;
	struct record		*r;
	struct record_id	 none;
	char			*joined, *key;
	int			 ret, found = 0;

	memset(&none, 0, sizeof none);
	if (exchange_seen_put(imp, exchange_seen_hash('n', name, ""),
	    &none) != 0)
		return -1;
	if (imp->pk != NULL && strcmp(imp->pk, name) == 0)
		imp->pk_known = 1;
	xasprintf(&joined, "%s%s%s", last, *last != '\0' && *first != '\0' ?
	    " " : "", first);
	key = store_name_key(joined);
	free(joined);
	if (store_cursor_open(imp->t, MODEL_CONTACT, STORE_BY_NAME, 0,
	    &c) != 0) {
		free(key);
		return -1;
	}
	store_cursor_seek(c, key, strlen(key), 1);
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (exchange_seen_add(imp, r) != 0) {
			record_free(r);
			ret = -1;
			break;
		}
		if (!found && exchange_same_as(r, first, last, m, company)) {
			*out = r;
			found = 1;
		} else
			record_free(r);
	}
	store_cursor_close(c);
	free(key);
	if (ret == -1) {
		if (found)
			record_free(*out);
		return -1;
	}
	return found;
}

/*
 * A live contact with the row's name and one of its emails (or, with no
 * email on either, the same company): importing a file twice must not
 * make everyone twice. 0 none, 1 (*out) one, -1.
 */
static int
exchange_same_contact(struct exchange_import *imp, const char *first,
    const char *last, const char *mail, const char *mail2,
    const char *company, struct record **out)
{
	struct record_id	 id, none;
	struct record		*r;
	char			*name, *m[2] = { NULL, NULL };
	uint64_t		 h;
	int			 i, ret = 0;

	if (*first == '\0' && *last == '\0')
		return 0;
	name = xstrdup(exchange_person_key(imp, first, last));
	if (*mail != '\0')
		m[0] = utf8_fold(mail);
	if (*mail2 != '\0')
		m[1] = utf8_fold(mail2);
	if (imp->pk_known)
		ret = 0;
	else if ((ret = exchange_seen_get(imp, exchange_seen_hash('n', name,
	    ""), &id)) == -1)
		goto out;
	else if (ret == 0)
		imp->pk_known = 1;	/* name is imp->pk */
	if (ret == 1) {
		/* Reading the name's contacts finds the row's on the way. */
		ret = exchange_seen_load(imp, first, last, name, m, company,
		    out);
		goto out;
	}
	for (i = 0; i < 3 && ret == 0; i++) {
		if (i < 2 && m[i] == NULL)
			continue;
		if (i == 2 && (m[0] != NULL || m[1] != NULL))
			break;
		h = i < 2 ? exchange_seen_hash('m', name, m[i]) :
		    exchange_seen_hash('c', name, company);
		memset(&none, 0, sizeof none);
		if ((ret = exchange_seen_get(imp, h, &id)) == -1)
			break;
		/* Zeros: none had it when the name was last read. */
		if (ret == 1 || record_id_cmp(&id, &none) == 0) {
			ret = 0;
			continue;
		}
		r = NULL;
		if (exchange_live(imp->t, MODEL_CONTACT, &id, &r) == -1) {
			ret = -1;
			break;
		}
		/* What the map says is checked: it may be old, or another's. */
		if (r != NULL && exchange_same_as(r, first, last, m, company)) {
			*out = r;
			ret = 1;
		} else {
			record_free(r);
			/* The index is the truth: read the name again. */
			if (exchange_seen_put(imp, h, &none) != 0) {
				ret = -1;
				break;
			}
			ret = exchange_seen_load(imp, first, last, name, m,
			    company, out);
			break;
		}
	}
out:
	free(m[0]);
	free(m[1]);
	free(name);
	return ret;
}

/* Events and tasks: the same start (or due date) and subject. */
static int
exchange_same_item(struct store_txn *t, int type, const char *when,
    const char *subject, struct record **out)
{
	struct store_cursor	*c;
	struct record		*r;
	const char		*wf = type == MODEL_EVENT ? "start" : "due";
	char			*joined, *key;
	int			 ret, found = 0;

	if (*subject == '\0')
		return 0;
	xasprintf(&joined, "%s%s%s", when, *when != '\0' ? " " : "", subject);
	key = store_name_key(joined);
	free(joined);
	if (store_cursor_open(t, (size_t)type, STORE_BY_NAME, 0, &c) != 0) {
		free(key);
		return -1;
	}
	store_cursor_seek(c, key, strlen(key), 1);
	while (!found && (ret = store_cursor_next(c, &r)) == 0) {
		if (strcmp(record_value(r, wf), when) == 0 &&
		    strcmp(record_value(r, "subject"), subject) == 0) {
			*out = r;
			found = 1;
		} else
			record_free(r);
	}
	store_cursor_close(c);
	free(key);
	if (!found && ret == -1)
		return -1;
	return found;
}

/* References given by name (exchange-name.c finds them). */

/*
 * A user ID or login as a user ID: 0 with *out (a new string, or NULL
 * when v is a user ID), 1 refused (res), -1. An import writes no users,
 * so each value is looked up once.
 */
static int
exchange_resolve_user(struct exchange_import *imp,
    const struct model_field *mf, const char *v, char **out,
    struct exchange_result *res)
{
	struct user	 u;
	const char	*known;
	int		 ret;

	if ((known = strmap_get(imp->users, v)) == NULL) {
		if ((ret = user_find_uid(imp->t, v, &u)) == -1)
			return -1;
		if (ret == 0)
			strmap_put(imp->users, v, v);
		else if ((ret = user_find_login(imp->t, v, &u)) == -1)
			return -1;
		else if (ret == 0)
			strmap_put(imp->users, v, u.uid);
		else
			strmap_put(imp->users, v, "");
		if (ret == 0)
			user_clear(&u);
		known = strmap_get(imp->users, v);
	}
	if (*known == '\0') {
		exchange_refuse(res, "%s \"%s\": no user has that ID or "
		    "login (see crm user list)", mf->name, v);
		return 1;
	}
	if (strcmp(known, v) != 0)
		*out = xstrdup(known);
	return 0;
}

/*
 * A reference as a record ID (or a user ID), whatever the row gave: an
 * ID, a name, a login. 0 with *out (new string), 1 refused (res), 2 a
 * company to be made (contacts only), -1 a database error.
 */
static int
exchange_resolve(struct exchange_import *imp, int type,
    const struct model_field *mf, const char *v, const char *company,
    char **out, struct exchange_result *res)
{
	struct record_id	 id;
	char			 text[RECORD_ID_TEXT + 1];
	int			 ret;

	*out = NULL;
	if (*v == '\0' || (mf->kind != MODEL_REF && mf->kind != MODEL_USERID))
		return 0;
	if (mf->kind == MODEL_USERID)
		return exchange_resolve_user(imp, mf, v, out, res);
	if (exchange_id_parse(v, &id) == 0)
		return 0;	/* an ID: validation says if it is one here */
	switch (mf->ref_type) {
	case MODEL_COMPANY:
		ret = exchange_company_lookup(imp, v, &id);
		break;
	case MODEL_CONTACT:
		ret = exchange_contact_find(imp->t, v, company, &id);
		break;
	case MODEL_CAMPAIGN:
		ret = exchange_named_find(imp->t, MODEL_CAMPAIGN, v, &id);
		break;
	default:
		exchange_refuse(res, "%s \"%s\" is not a record ID", mf->name,
		    v);
		return 1;
	}
	if (ret == -1)
		return -1;
	if (ret == STORE_NOTFOUND && mf->ref_type == MODEL_COMPANY &&
	    type == MODEL_CONTACT)
		return 2;
	if (ret == STORE_NOTFOUND) {
		exchange_refuse(res, "no %s is named \"%s\": add it first, or "
		    "give its ID", model_type(mf->ref_type)->name, v);
		return 1;
	}
	if (ret != 0) {
		exchange_refuse(res, "%s", error_get());
		return 1;
	}
	record_id_format(&id, text);
	*out = xstrdup(text);
	return 0;
}

/* The row's changes, references resolved; a vendor's empty cells left out. */
struct exchange_changes {
	struct model_change	*ch;
	char			**owned;
	size_t			 n;
	char			*new_company;	/* to be made, or NULL */
};

static void
exchange_changes_free(struct exchange_changes *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		free(c->owned[i]);
	free(c->owned);
	free(c->ch);
	free(c->new_company);
	memset(c, 0, sizeof *c);
}

static int
exchange_changes(struct exchange_import *imp, const struct exchange_row *row,
    struct exchange_changes *c, struct exchange_result *res)
{
	const struct model_field	*mf;
	const char			*company = NULL;
	char				*v, ctext[RECORD_ID_TEXT + 1];
	struct record_id		 cid;
	size_t				 i;
	int				 ret, pass;

	memset(c, 0, sizeof *c);
	c->ch = xcalloc(row->nch + 1, sizeof *c->ch);
	c->owned = xcalloc(row->nch + 1, sizeof *c->owned);
	/* The company first: a contact reference is looked for in it. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < row->nch; i++) {
			if ((strcmp(row->ch[i].name, "company") == 0) !=
			    (pass == 0))
				continue;
			if (row->sparse && *row->ch[i].value == '\0')
				continue;
			mf = model_field_find(row->type, row->ch[i].name);
			if (mf == NULL || (mf->flags & (MODEL_SYSTEM |
			    MODEL_SECRET))) {
				exchange_refuse(res, "%s has no field \"%s\"",
				    model_type(row->type)->name,
				    row->ch[i].name);
				return 1;
			}
			ret = exchange_resolve(imp, row->type, mf,
			    row->ch[i].value, company, &v, res);
			if (ret == -1 || ret == 1)
				return ret;
			if (ret == 2) {
				c->new_company = xstrdup(row->ch[i].value);
				continue;
			}
			c->ch[c->n].name = row->ch[i].name;
			c->ch[c->n].value = v != NULL ? v : row->ch[i].value;
			c->owned[c->n++] = v;
			if (pass == 0 && record_id_parse(c->ch[c->n - 1].value,
			    &cid) == 0) {
				record_id_format(&cid, ctext);
				company = ctext;
			}
		}
	}
	return 0;
}

/*
 * Check what model_add or model_update will check, before anything is
 * written: a refused row must leave no company behind it.
 */
static int
exchange_check(struct exchange_import *imp, int type, const struct record *old,
    const struct exchange_changes *c, struct exchange_result *res)
{
	struct record	*r;
	const char	*m, *was;
	size_t		 i;
	int		 ret = 1;

	r = old != NULL ? record_dup(old) : record_new();
	for (i = 0; i < c->n; i++)
		record_set(r, c->ch[i].name, c->ch[i].value, 0);
	if (c->new_company != NULL)
		record_set(r, "company", "", 0);
	m = record_value(r, "account_manager");
	was = old != NULL ? record_value(old, "account_manager") : "";
	if (*m != '\0' && strcmp(m, was) != 0 && (old != NULL ||
	    strcmp(m, imp->actor->uid) != 0) &&
	    !rights_may_change_manager(imp->actor))
		goto refused;
	m = record_value(r, "assigned_to");
	was = old != NULL ? record_value(old, "assigned_to") : "";
	if (*m != '\0' && strcmp(m, was) != 0 &&
	    !rights_may_assign(imp->actor, m))
		goto refused;
	if (model_validate(imp->t, type, r) != 0)
		goto refused;
	if (c->new_company != NULL) {
		record_free(r);
		r = record_new();
		record_set(r, "name", c->new_company, 0);
		if (model_validate(imp->t, MODEL_COMPANY, r) != 0) {
			error_prefix("the new company: ");
			goto refused;
		}
	}
	ret = 0;
	goto out;
refused:
	exchange_refuse(res, "%s", error_get());
out:
	record_free(r);
	return ret;
}

/* Make the company a contact row names, as a vCard's ORG asks. */
static int
exchange_make_company(struct exchange_import *imp,
    struct exchange_changes *c, struct exchange_result *res, char *buf)
{
	struct model_change	cch;

	cch.name = "name";
	cch.value = c->new_company;
	if (model_add(imp->t, imp->actor, MODEL_COMPANY, &cch, 1,
	    &res->company) != 0)
		return -1;
	/* Names of the map may now have a company in another case. */
	strmap_clear(imp->companies);
	res->company_created = 1;
	record_id_format(&res->company, buf);
	c->ch[c->n].name = "company";
	c->ch[c->n].value = buf;
	c->owned[c->n++] = NULL;
	return 0;
}

/*
 * The record a row is about: by its key, then by what makes it the same.
 * 1 and *out, 0 none (*want: the ID a new one takes, if any), -1.
 */
static int
exchange_find(struct exchange_import *imp, const struct exchange_row *row,
    const struct exchange_changes *c, struct record **out,
    struct record_id *want, int *have_want)
{
	struct record_id	 id;
	const char		*company = "";
	size_t			 i;
	int			 ret;

	*out = NULL;
	*have_want = 0;
	if (*row->key != '\0') {
		if (exchange_id_parse(row->key, &id) == 0 &&
		    (ret = exchange_live(imp->t, row->type, &id, out)) != 0)
			return ret;
		exchange_key_id(row->type, row->key, &id);
		if ((ret = store_get(imp->t, (size_t)row->type, &id, out)) ==
		    -1)
			return -1;
		if (ret == 0 && ((*out)->flags & RECORD_DELETED) == 0)
			return 1;
		if (ret == 0) {
			/* Deleted here: made again, as a new record. */
			record_free(*out);
			*out = NULL;
		} else {
			*want = id;
			*have_want = 1;
		}
	}
	error_clear();
	switch (row->type) {
	case MODEL_CONTACT:
		for (i = 0; i < c->n; i++) {
			if (strcmp(c->ch[i].name, "company") == 0)
				company = c->ch[i].value;
		}
		if (c->new_company != NULL)
			return 0;	/* a new company has no contacts */
		return exchange_same_contact(imp,
		    exchange_row_value(row, "first_name"),
		    exchange_row_value(row, "last_name"),
		    exchange_row_value(row, "email"),
		    exchange_row_value(row, "email2"), company, out);
	case MODEL_COMPANY:
		if (*exchange_row_value(row, "name") == '\0')
			return 0;
		ret = exchange_company_lookup(imp, exchange_row_value(row,
		    "name"), &id);
		if (ret == -1)
			return -1;
		if (ret != 0)
			return 0;
		return exchange_live(imp->t, MODEL_COMPANY, &id, out);
	case MODEL_EVENT:
		return exchange_same_item(imp->t, MODEL_EVENT,
		    exchange_row_value(row, "start"),
		    exchange_row_value(row, "subject"), out);
	case MODEL_TASK:
		return exchange_same_item(imp->t, MODEL_TASK,
		    exchange_row_value(row, "due"),
		    exchange_row_value(row, "subject"), out);
	}
	return 0;
}

/* The fields an update changes, "phone, email"; the changes kept in c. */
static char *
exchange_changed(const struct record *old, struct exchange_changes *c)
{
	struct record_id id;
	char		*list = NULL, *tmp;
	const char	*v;
	size_t		 i, k;

	for (i = k = 0; i < c->n; i++) {
		v = c->ch[i].value;
		/* A card crm wrote: its UID is the record's own ID. */
		if (strcmp(c->ch[i].name, "uid") == 0 &&
		    record_id_parse(v, &id) == 0 &&
		    record_id_cmp(&id, &old->id) == 0 &&
		    *record_value(old, "uid") == '\0') {
			free(c->owned[i]);
			continue;
		}
		if (strcmp(record_value(old, c->ch[i].name), v) == 0) {
			free(c->owned[i]);
			continue;
		}
		c->ch[k] = c->ch[i];
		c->owned[k++] = c->owned[i];
		xasprintf(&tmp, "%s%s%s", list != NULL ? list : "",
		    list != NULL ? ", " : "", c->ch[i].name);
		free(list);
		list = tmp;
	}
	c->n = k;
	return list;
}

int
exchange_import_row(struct exchange_import *imp,
    const struct exchange_row *row, struct exchange_result *res)
{
	struct exchange_changes	 c;
	struct record		*old = NULL, *r;
	struct record_id	 want;
	char			 cbuf[RECORD_ID_TEXT + 1];
	size_t			 i;
	int			 ret, have_want;

	memset(res, 0, sizeof *res);
	res->type = row->type;
	if (row->problem != NULL)
		return exchange_refuse(res, "%s", row->problem);
	if ((ret = exchange_changes(imp, row, &c, res)) != 0) {
		exchange_changes_free(&c);
		return ret == 1 ? 0 : -1;
	}
	if (c.new_company == NULL) {
		for (i = 0; i < c.n; i++) {
			if (strcmp(c.ch[i].name, "company") == 0 &&
			    *c.ch[i].value != '\0' && row->type ==
			    MODEL_CONTACT) {
				res->company_matched = 1;
				record_id_parse(c.ch[i].value, &res->company);
			}
		}
	}
	if ((ret = exchange_find(imp, row, &c, &old, &want, &have_want)) ==
	    -1) {
		exchange_changes_free(&c);
		return -1;
	}
	if (old != NULL) {
		res->id = old->id;
		res->changed = exchange_changed(old, &c);
		if (c.n == 0 && c.new_company == NULL) {
			res->action = EXCHANGE_SAME;
			goto done;
		}
	}
	if (exchange_check(imp, row->type, old, &c, res) != 0)
		goto done;
	if (c.new_company != NULL && exchange_make_company(imp, &c, res,
	    cbuf) != 0)
		goto fail;
	if (old != NULL) {
		if (c.new_company != NULL && res->changed == NULL)
			res->changed = xstrdup("company");
		else if (c.new_company != NULL) {
			char	*tmp;

			xasprintf(&tmp, "%s, company", res->changed);
			free(res->changed);
			res->changed = tmp;
		}
		if (model_update(imp->t, imp->actor, row->type, &old->id,
		    c.ch, c.n) != 0)
			goto fail;
		res->action = EXCHANGE_UPDATE;
	} else {
		if (model_add_id(imp->t, imp->actor, row->type, c.ch, c.n,
		    have_want ? &want : NULL, &res->id) != 0)
			goto fail;
		res->action = EXCHANGE_ADD;
	}
	/* A company the map said was not there may be now. */
	if (row->type == MODEL_COMPANY)
		strmap_clear(imp->companies);
	if (row->type == MODEL_CONTACT && res->action == EXCHANGE_ADD) {
		/* The contact added holds what the row said: no need to read it. */
		r = record_new();
		r->id = res->id;
		for (i = 0; i < c.n; i++)
			record_set(r, c.ch[i].name, c.ch[i].value, 0);
		ret = exchange_seen_add(imp, r);
		record_free(r);
		if (ret != 0)
			goto fail;
	} else if (row->type == MODEL_CONTACT) {
		if ((ret = store_get(imp->t, MODEL_CONTACT, &res->id, &r)) ==
		    -1)
			goto fail;
		if (ret == 0) {
			ret = exchange_seen_add(imp, r);
			record_free(r);
			if (ret != 0)
				goto fail;
		}
		error_clear();
	}
done:
	record_free(old);
	exchange_changes_free(&c);
	return 0;
fail:
	/* Checked above: only the database can be in the way now. */
	record_free(old);
	exchange_changes_free(&c);
	return -1;
}
