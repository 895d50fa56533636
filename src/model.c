/*
 * model: the checks and operations on the CRM's records (validation,
 * add, update, delete, look up), with the rights. The types and their
 * fields are model-type.c's.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "error.h"
#include "model.h"
#include "path.h"
#include "rights.h"
#include "store.h"
#include "user.h"
#include "utf8.h"
#include "xmalloc.h"

#define MODEL_TEXT_MAX		1000		/* bytes of a one-line field */
#define MODEL_LONGTEXT_MAX	(1024 * 1024)	/* bytes of a long text */

struct store *
model_open(const char *dir, enum store_role role, int flags, int wait)
{
	return store_open(dir, role, model_schema, MODEL_NTYPES, flags, wait);
}

int
model_create(const char *dir, enum store_role role)
{
	return store_create(dir, role, model_schema, MODEL_NTYPES);
}

char *
model_value(const struct record *r, const char *name)
{
	char	buf[64];

	if (strcmp(name, "id") == 0) {
		record_id_format(&r->id, buf);
		return xstrdup(buf);
	}
	if (strcmp(name, "created_at") == 0) {
		clock_format(r->created, buf, sizeof buf);
		return xstrdup(buf);
	}
	if (strcmp(name, "modified_at") == 0) {
		clock_format(r->modified, buf, sizeof buf);
		return xstrdup(buf);
	}
	if (strcmp(name, "created_by") == 0)
		return xstrdup(r->created_by);
	if (strcmp(name, "modified_by") == 0)
		return xstrdup(r->modified_by);
	return xstrdup(record_value(r, name));
}

static int
model_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM, a real day and time. */
static int
model_date_valid(const char *s)
{
	static const int	mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };
	int			y, m, d, hh, mm, i, len;

	len = (int)strlen(s);
	if (len != 10 && len != 16)
		return 0;
	for (i = 0; i < len; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return 0;
		} else if (i == 10) {
			if (s[i] != 'T')
				return 0;
		} else if (i == 13) {
			if (s[i] != ':')
				return 0;
		} else if (!isdigit((unsigned char)s[i]))
			return 0;
	}
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return 0;
	if (d > mdays[m - 1] + (m == 2 && model_leap(y)))
		return 0;
	if (len == 16) {
		hh = atoi(s + 11);
		mm = atoi(s + 14);
		if (hh > 23 || mm > 59)
			return 0;
	}
	return 1;
}

/* --MM-DD: a day of any year (29 February included). */
static int
model_day_valid(const char *s)
{
	char	buf[16];

	if (strlen(s) != 7 || s[0] != '-' || s[1] != '-')
		return 0;
	snprintf(buf, sizeof buf, "2000%s", s + 1);
	return model_date_valid(buf);
}

static int
model_number_valid(const char *s, int integer)
{
	int	digits = 0;

	if (*s == '-' && !integer)
		s++;
	while (isdigit((unsigned char)*s)) {
		s++;
		digits++;
	}
	if (digits == 0 || digits > 15)
		return 0;
	if (*s == '.' && !integer) {
		s++;
		digits = 0;
		while (isdigit((unsigned char)*s)) {
			s++;
			digits++;
		}
		if (digits == 0 || digits > 6)
			return 0;
	}
	return *s == '\0';
}

static int
model_email_valid(const char *s)
{
	const char	*at;

	if (strpbrk(s, " \t\r\n,;<>") != NULL)
		return 0;
	if ((at = strchr(s, '@')) == NULL || at == s || strchr(at + 1, '@'))
		return 0;
	return strchr(at + 1, '.') != NULL && at[strlen(at) - 1] != '.';
}

/* The canonical spelling of a yes/no value, or NULL. */
static const char *
model_bool_canon(const char *s)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0 ||
	    strcmp(s, "1") == 0 || strcasecmp(s, "y") == 0)
		return "yes";
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0 ||
	    strcmp(s, "0") == 0 || strcasecmp(s, "n") == 0 || *s == '\0')
		return "no";
	return NULL;
}

/*
 * The record read last by model_lend and the user found last by
 * model_user_exists, while store_memo_stamp says they are as they were:
 * a row of an import checks the same company and account manager a few
 * times, and most rows of a file name the same few.
 */
static struct {
	uint64_t	 stamp;
	int		 type;
	struct record	*r;
} model_memo;
static struct {
	uint64_t	 stamp;
	char		 uid[RECORD_UID_SIZE + 1];
} model_memo_user;

/* store_get, but the record is lent (until the next call): 0, or as it. */
static int
model_lend(struct store_txn *t, int type, const struct record_id *id,
    const struct record **out)
{
	struct record	*r;
	uint64_t	 stamp = store_memo_stamp(t, (size_t)type);
	int		 ret;

	if (stamp != 0 && model_memo.r != NULL && model_memo.stamp == stamp &&
	    model_memo.type == type && record_id_cmp(&model_memo.r->id,
	    id) == 0) {
		*out = model_memo.r;
		return 0;
	}
	if ((ret = store_get(t, (size_t)type, id, &r)) != 0)
		return ret;
	record_free(model_memo.r);
	model_memo.r = r;
	model_memo.type = type;
	model_memo.stamp = stamp;
	*out = r;
	return 0;
}

/* Is there a live user with this ID? 1, 0 or -1. */
static int
model_user_exists(struct store_txn *t, const char *uid)
{
	struct user	u;
	uint64_t	stamp = store_memo_stamp(t, MODEL_USER);
	int		ret;

	if (stamp != 0 && model_memo_user.stamp == stamp &&
	    strcmp(model_memo_user.uid, uid) == 0)
		return 1;
	if ((ret = user_find_uid(t, uid, &u)) == -1)
		return -1;
	if (ret != 0)
		return 0;
	user_clear(&u);
	if (strlen(uid) < sizeof model_memo_user.uid) {
		strcpy(model_memo_user.uid, uid);
		model_memo_user.stamp = stamp;
	}
	return 1;
}


/* Does a live record of this type (any type for MODEL_ANY) have this ID? */
static int
model_ref_exists(struct store_txn *t, int type, const struct record_id *id,
    int *found_type)
{
	const struct record	*r;
	int			 i, ret;

	for (i = 0; i < MODEL_NTYPES; i++) {
		if (type != MODEL_ANY && i != type)
			continue;
		ret = model_lend(t, i, id, &r);
		if (ret == -1)
			return -1;
		if (ret == 0) {
			ret = (r->flags & RECORD_DELETED) == 0;
			if (ret) {
				if (found_type != NULL)
					*found_type = i;
				return 1;
			}
		}
	}
	return 0;
}

/* Now, local, as a date field holds it: "YYYY-MM-DDTHH:MM". */
void
model_now_text(char *buf, size_t len)
{
	struct tm	tm;
	time_t		now = (time_t)(clock_now_ms() / 1000);

	localtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M", &tm);
}

/* The field the last failed validation was about, for forms. */
static const char	*model_bad;

const char *
model_error_field(void)
{
	return model_bad;
}

static int
model_field_check(struct store_txn *t, int type,
    const struct model_field *mf, const char *v)
{
	const char		*tn = model_type(type)->name;
	struct record_id	 id;
	size_t			 len, i;
	int			 ret;

	len = strlen(v);
	if (!utf8_valid(v, len)) {
		error_set("%s %s: the value is not UTF-8 text", tn, mf->name);
		return -1;
	}
	if (*v == '\0') {
		if (mf->flags & MODEL_REQUIRED) {
			error_set("%s %s is required: give %s=VALUE", tn,
			    mf->name, mf->name);
			return -1;
		}
		return 0;
	}
	if (mf->kind != MODEL_LONGTEXT && (strchr(v, '\n') != NULL ||
	    strchr(v, '\r') != NULL)) {
		error_set("%s %s holds one line: remove the line break", tn,
		    mf->name);
		return -1;
	}
	if (len > (mf->kind == MODEL_LONGTEXT ? MODEL_LONGTEXT_MAX :
	    MODEL_TEXT_MAX)) {
		error_set("%s %s is too long (%zu bytes; at most %d)", tn,
		    mf->name, len, mf->kind == MODEL_LONGTEXT ?
		    MODEL_LONGTEXT_MAX : MODEL_TEXT_MAX);
		return -1;
	}
	switch (mf->kind) {
	case MODEL_TEXT:
	case MODEL_LONGTEXT:
		break;
	case MODEL_DATE:
		if (!model_date_valid(v)) {
			error_set("%s %s \"%s\" is not a date: write YYYY-MM-DD "
			    "or YYYY-MM-DDTHH:MM", tn, mf->name, v);
			return -1;
		}
		break;
	case MODEL_BIRTHDAY:
		/* vCard's --MM-DD: a birthday whose year nobody gave. */
		if (!(strlen(v) == 10 && model_date_valid(v)) &&
		    !model_day_valid(v)) {
			error_set("%s %s \"%s\" is not a day: write YYYY-MM-DD, "
			    "or --MM-DD when the year is not known", tn,
			    mf->name, v);
			return -1;
		}
		break;
	case MODEL_NUMBER:
	case MODEL_INTEGER:
		if (!model_number_valid(v, mf->kind == MODEL_INTEGER)) {
			error_set("%s %s \"%s\" is not %s", tn, mf->name, v,
			    mf->kind == MODEL_INTEGER ? "a whole number" :
			    "a number (like 1250 or 1250.50)");
			return -1;
		}
		break;
	case MODEL_EMAIL:
		if (!model_email_valid(v)) {
			error_set("%s %s \"%s\" is not an email address", tn,
			    mf->name, v);
			return -1;
		}
		break;
	case MODEL_REF:
		if (record_id_parse(v, &id) != 0) {
			error_set("%s %s \"%s\" is not a record ID", tn,
			    mf->name, v);
			return -1;
		}
		if ((ret = model_ref_exists(t, mf->ref_type, &id, NULL)) == -1)
			return -1;
		if (ret == 0) {
			error_set("%s %s %s: no such %s", tn, mf->name, v,
			    mf->ref_type == MODEL_ANY ? "record" :
			    model_type(mf->ref_type)->name);
			return -1;
		}
		break;
	case MODEL_USERID:
		if ((ret = model_user_exists(t, v)) == -1)
			return -1;
		if (ret == 0) {
			error_set("%s %s \"%s\": no user has that ID (see crm "
			    "user list)", tn, mf->name, v);
			return -1;
		}
		break;
	case MODEL_CHOICE:
		for (i = 0; mf->choices[i] != NULL; i++) {
			if (strcmp(mf->choices[i], v) == 0)
				break;
		}
		if (mf->choices[i] == NULL) {
			char	*all = xstrdup(""), *tmp;

			for (i = 0; mf->choices[i] != NULL; i++) {
				xasprintf(&tmp, "%s%s%s", all, i ? ", " : "",
				    mf->choices[i]);
				free(all);
				all = tmp;
			}
			error_set("%s %s \"%s\" is not one of: %s", tn,
			    mf->name, v, all);
			free(all);
			return -1;
		}
		break;
	case MODEL_BOOL:
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0) {
			error_set("%s %s \"%s\": write yes or no", tn,
			    mf->name, v);
			return -1;
		}
		break;
	}
	return 0;
}

int
model_validate(struct store_txn *t, int type, const struct record *r)
{
	const struct model_type	*mt = model_type(type);
	size_t			 i;
	const char		*a, *b;

	model_bad = NULL;
	for (i = 0; i < mt->nfields; i++) {
		if (model_field_check(t, type, &mt->fields[i],
		    record_value(r, mt->fields[i].name)) != 0) {
			model_bad = mt->fields[i].name;
			return -1;
		}
	}
	switch (type) {
	case MODEL_CONTACT:
		if (*record_value(r, "first_name") == '\0' &&
		    *record_value(r, "last_name") == '\0') {
			error_set("a contact needs a name: give first_name= or "
			    "last_name=");
			model_bad = "last_name";
			return -1;
		}
		break;
	case MODEL_EVENT:
	case MODEL_CAMPAIGN:
		a = record_value(r, "start");
		b = record_value(r, "end");
		if (*a != '\0' && *b != '\0' && strcmp(b, a) < 0) {
			error_set("%s end %s is before its start %s",
			    mt->name, b, a);
			model_bad = "end";
			return -1;
		}
		break;
	case MODEL_DOCUMENT:
	case MODEL_TEMPLATE:
		/* T7: a file's name is a plain name, never a path. */
		a = record_value(r, "filename");
		if (*a != '\0') {
			char	*safe = path_base_safe(a);
			int	 same = strcmp(safe, a) == 0;

			free(safe);
			if (!same) {
				error_set("%s filename \"%s\" is not a plain file "
				    "name: no directories, control characters "
				    "or leading dots", mt->name, a);
				model_bad = "filename";
				return -1;
			}
		}
		break;
	case MODEL_TARGET:
		if (*record_value(r, "company") == '\0' &&
		    *record_value(r, "contact") == '\0') {
			error_set("a target is a company or a contact: give "
			    "company= or contact=");
			model_bad = "company";
			return -1;
		}
		break;
	case MODEL_OPPORTUNITY:
		a = record_value(r, "probability");
		if (*a != '\0' && atoi(a) > 100) {
			error_set("opportunity probability %s is more than 100",
			    a);
			model_bad = "probability";
			return -1;
		}
		break;
	}
	return 0;
}

/* The account manager of a referenced record, or "" (a new string). */
static char *
model_ref_manager(struct store_txn *t, int type, const char *ref)
{
	struct record_id	 id;
	const struct record	*r;

	if (*ref == '\0' || record_id_parse(ref, &id) != 0)
		return xstrdup("");
	if (model_lend(t, type, &id, &r) != 0)
		return xstrdup("");
	return xstrdup(record_value(r, "account_manager"));
}

char *
model_default_manager(struct store_txn *t, const struct user *actor, int type,
    const struct record *r)
{
	char	*m = xstrdup("");

	/* A contact takes its company's account manager. */
	if (type != MODEL_COMPANY) {
		free(m);
		m = model_ref_manager(t, MODEL_CONTACT,
		    record_value(r, "contact"));
		if (*m == '\0') {
			free(m);
			m = model_ref_manager(t, MODEL_COMPANY,
			    record_value(r, "company"));
		}
	}
	if (*m == '\0') {
		free(m);
		m = xstrdup(actor->uid);
	}
	return m;
}

/* The company of a referenced contact, or "" (a new string). */
static char *
model_ref_company(struct store_txn *t, const char *ref)
{
	struct record_id	 id;
	struct record		*r;
	char			*m;

	if (*ref == '\0' || record_id_parse(ref, &id) != 0)
		return xstrdup("");
	if (store_get(t, MODEL_CONTACT, &id, &r) != 0) {
		error_clear();
		return xstrdup("");
	}
	m = xstrdup((r->flags & RECORD_DELETED) ? "" :
	    record_value(r, "company"));
	record_free(r);
	return m;
}

/* Apply changes, checking names and normalising values. */
static int
model_apply(int type, struct record *r, const struct model_change *ch,
    size_t n, uint64_t stamp)
{
	const struct model_field	*mf;
	const char			*v;
	size_t				 i;

	for (i = 0; i < n; i++) {
		if (model_is_meta(ch[i].name)) {
			error_set("%s is set by crm and cannot be changed",
			    ch[i].name);
			return -1;
		}
		mf = model_field_find(type, ch[i].name);
		if (mf == NULL || (mf->flags & MODEL_SYSTEM)) {
			char	*all = model_field_list(type);

			error_set("%s has no field \"%s\": its fields are %s",
			    model_type(type)->name, ch[i].name, all);
			free(all);
			return -1;
		}
		v = ch[i].value;
		if (mf->kind == MODEL_BOOL && model_bool_canon(v) != NULL)
			v = model_bool_canon(v);
		if (mf->kind == MODEL_REF && *v != '\0') {
			char		lower[RECORD_ID_TEXT + 1];
			struct record_id id;

			/* IDs are stored in their one canonical spelling. */
			if (record_id_parse(v, &id) == 0) {
				record_id_format(&id, lower);
				record_set(r, ch[i].name, lower, stamp);
				continue;
			}
		}
		record_set(r, ch[i].name, v, stamp);
	}
	return 0;
}

/* A company's or a contact's name as a person reads it (a new string). */
static char *
model_ref_name(struct store_txn *t, int type, const char *ref)
{
	struct record_id	 id;
	struct record		*r;
	char			*s;

	if (record_id_parse(ref, &id) != 0 ||
	    store_get(t, (size_t)type, &id, &r) != 0) {
		error_clear();
		return xstrdup(ref);
	}
	s = model_record_name(type, r, 0);
	record_free(r);
	return s;
}

static int
model_same_ref(const char *a, const char *b)
{
	struct record_id	ia, ib;

	if (*a == '\0' || *b == '\0')
		return *a == *b;
	if (record_id_parse(a, &ia) != 0 || record_id_parse(b, &ib) != 0)
		return strcmp(a, b) == 0;
	return record_id_cmp(&ia, &ib) == 0;
}

/*
 * Refuse a second target for the same contact, or for the same company
 * without a contact, in one campaign. The ref index of the contact (or
 * company) holds its targets, so this costs what that one record has,
 * not what the campaign has.
 */
int
model_target_unique(struct store_txn *t, const struct record *r)
{
	struct store_cursor	*c;
	struct record		*o;
	struct record_id	 id;
	const char		*campaign, *company, *contact, *key;
	char			*who, *what;
	int			 ret, dup = 0, kind;

	campaign = record_value(r, "campaign");
	company = record_value(r, "company");
	contact = record_value(r, "contact");
	key = *contact != '\0' ? contact : company;
	kind = *contact != '\0' ? MODEL_CONTACT : MODEL_COMPANY;
	if (*key == '\0' || record_id_parse(key, &id) != 0)
		return 0;
	if (store_cursor_open(t, MODEL_TARGET, STORE_BY_REF, 0, &c) != 0)
		return -1;
	store_cursor_seek(c, id.b, RECORD_ID_SIZE, 1);
	while (!dup && (ret = store_cursor_next(c, &o)) == 0) {
		dup = record_id_cmp(&o->id, &r->id) != 0 &&
		    model_same_ref(record_value(o, "campaign"), campaign) &&
		    model_same_ref(record_value(o, "contact"), contact) &&
		    (*contact != '\0' ||
		    model_same_ref(record_value(o, "company"), company));
		record_free(o);
	}
	store_cursor_close(c);
	if (!dup)
		return ret == -1 ? -1 : 0;
	who = model_ref_name(t, kind, key);
	what = model_ref_name(t, MODEL_CAMPAIGN, campaign);
	error_set("%s \"%s\" is already a target of the campaign \"%s\"",
	    model_type(kind)->name, who, what);
	free(who);
	free(what);
	model_bad = kind == MODEL_CONTACT ? "contact" : "company";
	return -1;
}

/*
 * A record's company and contact agree: the contact works for that
 * company. A contact named alone brings its company along (so that a
 * note about a contact shows among its company's notes too).
 */
static int
model_links(struct store_txn *t, int type, struct record *r, uint64_t stamp)
{
	const char	*company, *contact;
	char		*of, *who, *was, *is;

	if (type == MODEL_COMPANY || type == MODEL_CONTACT ||
	    model_field_find(type, "contact") == NULL ||
	    model_field_find(type, "company") == NULL)
		return 0;
	contact = record_value(r, "contact");
	if (*contact == '\0')
		return 0;
	of = model_ref_company(t, contact);
	company = record_value(r, "company");
	if (*company == '\0') {
		if (*of != '\0')
			record_set(r, "company", of, stamp);
		free(of);
		return 0;
	}
	if (*of == '\0' || model_same_ref(of, company)) {
		free(of);
		return 0;
	}
	who = model_ref_name(t, MODEL_CONTACT, contact);
	was = model_ref_name(t, MODEL_COMPANY, of);
	is = model_ref_name(t, MODEL_COMPANY, company);
	error_set("%s contact \"%s\" works for \"%s\", not \"%s\": choose "
	    "a contact of %s, or change the company", model_type(type)->name,
	    who, was, is, is);
	free(who);
	free(was);
	free(is);
	free(of);
	model_bad = "contact";
	return -1;
}

static int
model_has_owner(int type)
{
	return type == MODEL_COMPANY || type == MODEL_CONTACT ||
	    type == MODEL_OPPORTUNITY || type == MODEL_TARGET;
}

static int
model_has_assignee(int type)
{
	return type == MODEL_TASK || type == MODEL_ISSUE || type == MODEL_EVENT;
}

int
model_add(struct store_txn *t, const struct user *actor, int type,
    const struct model_change *ch, size_t n, struct record_id *out)
{
	return model_add_id(t, actor, type, ch, n, NULL, out);
}

int
model_add_id(struct store_txn *t, const struct user *actor, int type,
    const struct model_change *ch, size_t n, const struct record_id *want,
    struct record_id *out)
{
	const struct model_type	*mt = model_type(type);
	struct record		*r;
	uint64_t		 stamp;
	size_t			 i;
	char			*m;
	const char		*given;
	int			 ret = -1;

	if (type == MODEL_USER) {
		error_set("users are added with crm user add");
		return -1;
	}
	r = record_new();
	if (want != NULL)
		r->id = *want;
	else
		record_id_new(&r->id, clock_now_ms());
	stamp = store_stamp(t);
	r->created = r->modified = stamp;
	snprintf(r->created_by, sizeof r->created_by, "%s", actor->uid);
	snprintf(r->modified_by, sizeof r->modified_by, "%s", actor->uid);
	for (i = 0; i < mt->nfields; i++) {
		if (mt->fields[i].def != NULL)
			record_set(r, mt->fields[i].name, mt->fields[i].def,
			    stamp);
	}
	if (model_apply(type, r, ch, n, stamp) != 0)
		goto out;
	if (model_links(t, type, r, stamp) != 0)
		goto out;
	/*
	 * A new note is dated the day it is written, unless told otherwise
	 * (created_at has the moment).
	 */
	if (type == MODEL_NOTE && *record_value(r, "date") == '\0') {
		char	now[32];

		model_now_text(now, sizeof now);
		now[10] = '\0';
		record_set(r, "date", now, stamp);
	}
	/* A contact's target names its company too, for lists by company. */
	if (type == MODEL_TARGET && *record_value(r, "company") == '\0' &&
	    *record_value(r, "contact") != '\0') {
		m = model_ref_company(t, record_value(r, "contact"));
		if (*m != '\0')
			record_set(r, "company", m, stamp);
		free(m);
	}

	if (model_has_owner(type)) {
		given = record_value(r, "account_manager");
		if (*given != '\0') {
			if (strcmp(given, actor->uid) != 0 &&
			    !rights_may_change_manager(actor))
				goto out;
		} else {
			m = model_default_manager(t, actor, type, r);
			record_set(r, "account_manager", m, stamp);
			free(m);
		}
	}
	if (model_has_assignee(type)) {
		given = record_value(r, "assigned_to");
		if (*given == '\0')
			record_set(r, "assigned_to", actor->uid, stamp);
		else if (!rights_may_assign(actor, given))
			goto out;
	}
	if (model_validate(t, type, r) != 0)
		goto out;
	if (type == MODEL_TARGET && model_target_unique(t, r) != 0)
		goto out;
	if (store_put(t, (size_t)type, r, 0) != 0)
		goto out;
	*out = r->id;
	ret = 0;
out:
	record_free(r);
	return ret;
}

int
model_get(struct store_txn *t, int type, const struct record_id *id,
    struct record **out)
{
	char	buf[RECORD_ID_TEXT + 1];
	int	ret;

	if ((ret = store_get(t, (size_t)type, id, out)) == -1)
		return -1;
	if (ret == 0 && ((*out)->flags & RECORD_DELETED)) {
		record_free(*out);
		*out = NULL;
		ret = STORE_NOTFOUND;
	}
	if (ret == STORE_NOTFOUND) {
		record_id_format(id, buf);
		error_set("no %s has the ID %s", model_type(type)->name, buf);
	}
	return ret;
}

int
model_update(struct store_txn *t, const struct user *actor, int type,
    const struct record_id *id, const struct model_change *ch, size_t n)
{
	struct record	*r, *old;
	uint64_t	 stamp;
	const char	*v;
	int		 ret = -1;

	if (type == MODEL_USER) {
		error_set("users are changed by an administrator on the "
		    "master with crm user commands");
		return -1;
	}
	if (model_get(t, type, id, &old) != 0)
		return -1;
	r = record_dup(old);
	stamp = store_stamp(t);
	if (model_apply(type, r, ch, n, stamp) != 0)
		goto out;
	/* Only a change of company or contact is checked (old data stays). */
	if ((strcmp(record_value(r, "contact"), record_value(old,
	    "contact")) != 0 || strcmp(record_value(r, "company"),
	    record_value(old, "company")) != 0) &&
	    model_links(t, type, r, stamp) != 0)
		goto out;
	v = record_value(r, "account_manager");
	if (strcmp(v, record_value(old, "account_manager")) != 0 &&
	    !rights_may_change_manager(actor))
		goto out;
	v = record_value(r, "assigned_to");
	if (strcmp(v, record_value(old, "assigned_to")) != 0 &&
	    !rights_may_assign(actor, v))
		goto out;
	if (model_validate(t, type, r) != 0)
		goto out;
	if (type == MODEL_TARGET && model_target_unique(t, r) != 0)
		goto out;
	r->modified = stamp;
	snprintf(r->modified_by, sizeof r->modified_by, "%s", actor->uid);
	ret = store_put(t, (size_t)type, r, 0);
out:
	record_free(old);
	record_free(r);
	return ret;
}

/* The number of live records of any type that refer to id. */
static int
model_dependants(struct store_txn *t, const struct record_id *id,
    int *type, unsigned long *count)
{
	struct store_cursor	*c;
	struct record		*r;
	int			 i, ret;

	*count = 0;
	for (i = 0; i < MODEL_NTYPES; i++) {
		if (store_cursor_open(t, (size_t)i, STORE_BY_REF, 0, &c) != 0)
			return -1;
		store_cursor_seek(c, id->b, RECORD_ID_SIZE, 1);
		while ((ret = store_cursor_next(c, &r)) == 0) {
			(*count)++;
			record_free(r);
		}
		store_cursor_close(c);
		if (ret == -1)
			return -1;
		if (*count > 0) {
			*type = i;
			return 0;
		}
	}
	return 0;
}

static int	model_keep_deleted(struct store_txn *, int,
		    const struct record *, uint64_t);

/* A record as a person names it ("Acme GmbH", "Anna Berg", a subject). */
char *
model_record_name(int type, const struct record *r, int flags)
{
	const char	*a, *b;
	char		*s;

	switch (type) {
	case MODEL_CONTACT:
		a = record_value(r, "first_name");
		b = record_value(r, "last_name");
		xasprintf(&s, "%s%s%s", a, *a != '\0' && *b != '\0' ? " " : "",
		    b);
		return s;
	case MODEL_NOTE:
	case MODEL_EVENT:
	case MODEL_TASK:
	case MODEL_ISSUE:
		return xstrdup(record_value(r, "subject"));
	case MODEL_DOCUMENT:
		return xstrdup(record_value(r, "filename"));
	case MODEL_USER:
		a = record_value(r, "name");
		if ((flags & MODEL_NAME_SCREEN) && *a != '\0')
			return xstrdup(a);
		return xstrdup(record_value(r, "login"));
	case MODEL_TARGET:
		if (flags & MODEL_NAME_SCREEN)
			return xstrdup("target");
		return xstrdup(record_value(r, "name"));
	default:
		return xstrdup(record_value(r, "name"));
	}
}

int
model_delete_check(struct store_txn *t, const struct user *actor, int type,
    const struct record *r)
{
	unsigned long	 count;
	int		 dtype = 0;
	char		*name;

	if (type == MODEL_USER) {
		error_set("users are not deleted: an administrator can "
		    "restrict them instead");
		return -1;
	}
	if (!rights_may_delete(actor, type, r))
		return -1;
	if (model_dependants(t, &r->id, &dtype, &count) != 0)
		return -1;
	if (count > 0) {
		name = model_record_name(type, r, 0);
		error_set("%s \"%s\" still has %lu %s: delete or move %s first",
		    model_type(type)->name, name, count, count == 1 ?
		    model_type(dtype)->name : model_type(dtype)->plural,
		    count == 1 ? "it" : "them");
		free(name);
		return -1;
	}
	return 0;
}

int
model_delete(struct store_txn *t, const struct user *actor, int type,
    const struct record_id *id)
{
	const struct store_schema	*sc = &model_schema[type];
	struct record			*r;
	const char			*keep[10];
	uint64_t			 stamp;
	int				 i, n = 0, ret;

	if (type == MODEL_USER)
		return model_delete_check(t, actor, type, NULL);
	if (model_get(t, type, id, &r) != 0)
		return -1;
	if (model_delete_check(t, actor, type, r) != 0) {
		record_free(r);
		return -1;
	}
	stamp = store_stamp(t);
	/* What it was, for undo and undelete (model_undelete). */
	if (model_keep_deleted(t, type, r, stamp) != 0) {
		record_free(r);
		return -1;
	}
	/*
	 * The tombstone keeps only what sync needs to route it: references
	 * and owners decide whose locals must hear of the deletion.
	 */
	for (i = 0; i < 5 && sc->ref_fields[i] != NULL; i++)
		keep[n++] = sc->ref_fields[i];
	for (i = 0; i < 3 && sc->owner_fields[i] != NULL; i++)
		keep[n++] = sc->owner_fields[i];
	keep[n] = NULL;
	record_strip(r, keep);
	r->flags |= RECORD_DELETED;
	r->modified = stamp;
	snprintf(r->modified_by, sizeof r->modified_by, "%s", actor->uid);
	ret = store_put(t, (size_t)type, r, 0);
	record_free(r);
	return ret;
}

/*
 * Deleted records are kept whole in meta.db, which sync never carries,
 * under "deleted/STAMP/TYPE/ID": a tombstone keeps only what sync needs
 * to route it, and this is what undelete brings back. Newest first is
 * the order of the keys (the stamp in 16 hex digits).
 */
#define MODEL_DELETED	"deleted/"

static int
model_keep_deleted(struct store_txn *t, int type, const struct record *r,
    uint64_t stamp)
{
	char	 key[128], idtext[RECORD_ID_TEXT + 1];
	uint8_t	*buf;
	size_t	 len;
	int	 ret;

	record_id_format(&r->id, idtext);
	snprintf(key, sizeof key, MODEL_DELETED "%016llx/%s/%s",
	    (unsigned long long)stamp, model_type(type)->name, idtext);
	record_encode(r, &buf, &len);
	ret = store_meta_put(t, key, buf, len);
	free(buf);
	return ret;
}

struct model_deleted_walk {
	struct store_txn	*t;
	const struct user	*viewer;
	int			 type;		/* one record looked for... */
	struct record_id	 id;		/* ...or MODEL_ANY: all */
	int			(*each)(void *, const struct model_deleted *);
	void			*arg;
	struct model_deleted	 found;		/* the one looked for */
	char			*key;
	int			 have;
};

/* One kept record: still a tombstone, and one the viewer may restore? */
static int
model_deleted_one(void *arg, const char *key, const void *value, size_t len)
{
	struct model_deleted_walk	*w = arg;
	struct model_deleted		 d;
	struct record			*now = NULL;
	const char			*p, *q;
	char				 tname[32];
	int				 ret;

	memset(&d, 0, sizeof d);
	p = key + strlen(MODEL_DELETED);
	d.when = strtoull(p, NULL, 16);
	if ((p = strchr(p, '/')) == NULL || (q = strchr(p + 1, '/')) == NULL ||
	    (size_t)(q - p - 1) >= sizeof tname)
		return 0;
	memcpy(tname, p + 1, (size_t)(q - p - 1));
	tname[q - p - 1] = '\0';
	if ((d.type = model_type_find(tname)) == -1 ||
	    record_id_parse(q + 1, &d.id) != 0) {
		error_clear();
		return 0;
	}
	if (w->type != MODEL_ANY && (d.type != w->type ||
	    record_id_cmp(&d.id, &w->id) != 0))
		return 0;
	/* Only while its tombstone lives: not made again, not purged. */
	if ((ret = store_get(w->t, (size_t)d.type, &d.id, &now)) == -1)
		return -1;
	if (ret != 0 || (now->flags & RECORD_DELETED) == 0) {
		record_free(now);
		return 0;
	}
	snprintf(d.by, sizeof d.by, "%s", now->modified_by);
	record_free(now);
	if ((d.rec = record_decode(value, len)) == NULL) {
		error_clear();
		return 0;
	}
	/* Within the rights of deleting it (RULES.md S12, S15). */
	if (w->viewer != NULL && (!rights_may_delete(w->viewer, d.type,
	    d.rec) || rights_may_see(w->t, w->viewer, d.type, d.rec) != 1)) {
		error_clear();
		record_free(d.rec);
		return 0;
	}
	if (w->type != MODEL_ANY) {
		w->found = d;
		w->key = xstrdup(key);
		w->have = 1;
		return 1;
	}
	ret = w->each(w->arg, &d);
	record_free(d.rec);
	return ret;
}

int
model_deleted_list(struct store_txn *t, const struct user *viewer,
    int (*each)(void *, const struct model_deleted *), void *arg)
{
	struct model_deleted_walk	w;

	memset(&w, 0, sizeof w);
	w.t = t;
	w.viewer = viewer;
	w.type = MODEL_ANY;
	w.each = each;
	w.arg = arg;
	return store_meta_list(t, MODEL_DELETED, 1, model_deleted_one, &w);
}

int
model_undelete(struct store_txn *t, const struct user *actor, int type,
    const struct record_id *id)
{
	struct model_deleted_walk	 w;
	struct record			*r;
	uint64_t			 stamp;
	size_t				 i;
	char				*name, idtext[RECORD_ID_TEXT + 1];
	int				 ret;

	memset(&w, 0, sizeof w);
	w.t = t;
	w.viewer = actor;
	w.type = type;
	w.id = *id;
	if (store_meta_list(t, MODEL_DELETED, 1, model_deleted_one, &w) != 0)
		return -1;
	if (!w.have) {
		record_id_format(id, idtext);
		error_set("%s %s is not a deleted record you may bring back "
		    "(see crm undelete)", model_type(type)->name, idtext);
		return -1;
	}
	r = w.found.rec;
	/* A change after the deletion: every field is new again (B1). */
	stamp = store_stamp(t);
	r->flags &= ~(unsigned int)RECORD_DELETED;
	r->modified = stamp;
	snprintf(r->modified_by, sizeof r->modified_by, "%s", actor->uid);
	for (i = 0; i < r->nfields; i++)
		r->fields[i].stamp = stamp;
	if (model_validate(t, type, r) != 0) {
		if (model_bad != NULL && model_field_find(type,
		    model_bad)->kind == MODEL_REF) {
			char	*why = xstrdup(error_get());

			name = model_record_name(type, r, 0);
			error_set("%s \"%s\" cannot come back: %s (deleted "
			    "too?): bring that back first", model_type(type)->name,
			    name, why);
			free(name);
			free(why);
		}
		ret = -1;
	} else if ((ret = store_put(t, (size_t)type, r, 0)) == 0)
		ret = store_meta_del(t, w.key) == -1 ? -1 : 0;
	record_free(r);
	free(w.key);
	return ret;
}

int
model_lookup(struct store_txn *t, int type, const char *text,
    struct record_id *id)
{
	int	ret;

	if (*text == '\0') {
		error_set("an empty %s ID: give the ID or its first characters",
		    model_type(type)->name);
		return -1;
	}
	ret = store_find_prefix(t, (size_t)type, text, id);
	if (ret == STORE_NOTFOUND)
		error_set("no %s has an ID starting with \"%s\" (see crm list "
		    "%s)", model_type(type)->name, text,
		    model_type(type)->name);
	else if (ret == STORE_AMBIGUOUS)
		error_set("\"%s\" is the start of several %s IDs: give more "
		    "of the ID", text, model_type(type)->name);
	return ret == 0 ? 0 : -1;
}

/* Is a target one viewer may see (S15)? Unrestricted viewers see all. */
static int
model_target_seen(struct store_txn *t, const struct user *viewer,
    const struct record *r)
{
	int	ret;

	if (viewer == NULL)
		return 1;
	ret = rights_may_see(t, viewer, MODEL_TARGET, r);
	if (ret == 0)
		error_clear();
	return ret;
}

int
model_campaign_count(struct store_txn *t, const struct user *viewer,
    const struct record_id *campaign, size_t *targets, size_t *responded)
{
	struct store_cursor	*c;
	struct record		*r;
	struct record_id	 id;
	int			 ret, seen;

	*targets = *responded = 0;
	if (store_cursor_open(t, MODEL_TARGET, STORE_BY_REF, 0, &c) != 0)
		return -1;
	store_cursor_seek(c, campaign->b, RECORD_ID_SIZE, 1);
	while ((ret = store_cursor_next(c, &r)) == 0) {
		/* Only a target naming the campaign, whatever the index. */
		if (record_id_parse(record_value(r, "campaign"), &id) != 0 ||
		    record_id_cmp(&id, campaign) != 0) {
			record_free(r);
			continue;
		}
		if ((seen = model_target_seen(t, viewer, r)) == -1) {
			record_free(r);
			ret = -1;
			break;
		}
		if (seen) {
			(*targets)++;
			if (strcmp(record_value(r, "responded"), "yes") == 0)
				(*responded)++;
		}
		record_free(r);
	}
	store_cursor_close(c);
	return ret == -1 ? -1 : 0;
}
