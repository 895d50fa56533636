/* letter: templates with {{fields}}, rendered for a contact. */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "document.h"
#include "error.h"
#include "letter.h"
#include "model.h"
#include "user.h"
#include "xmalloc.h"

/* A template bigger than this is not a letter (and is refused). */
#define LETTER_MAX	(4 * 1024 * 1024)

void
letter_vars_set(struct letter_vars *v, const char *name, const char *value)
{
	size_t	i;

	for (i = 0; i < v->n; i++) {
		if (strcmp(v->names[i], name) == 0) {
			free(v->values[i]);
			v->values[i] = xstrdup(value);
			return;
		}
	}
	v->names = xreallocarray(v->names, v->n + 1, sizeof *v->names);
	v->values = xreallocarray(v->values, v->n + 1, sizeof *v->values);
	v->names[v->n] = xstrdup(name);
	v->values[v->n++] = xstrdup(value);
}

const char *
letter_vars_get(const struct letter_vars *v, const char *name)
{
	size_t	i;

	for (i = 0; i < v->n; i++) {
		if (strcmp(v->names[i], name) == 0)
			return v->values[i];
	}
	return NULL;
}

void
letter_vars_free(struct letter_vars *v)
{
	size_t	i;

	for (i = 0; i < v->n; i++) {
		free(v->names[i]);
		free(v->values[i]);
	}
	free(v->names);
	free(v->values);
	memset(v, 0, sizeof *v);
}

void
letter_vars_record(struct letter_vars *v, const char *prefix, int type,
    const struct record *r)
{
	const struct model_type	*mt = model_type(type);
	char			*name;
	size_t			 i;

	for (i = 0; i < mt->nfields; i++) {
		if (mt->fields[i].flags & MODEL_SECRET)
			continue;
		xasprintf(&name, "%s.%s", prefix, mt->fields[i].name);
		letter_vars_set(v, name, r != NULL ?
		    record_value(r, mt->fields[i].name) : "");
		free(name);
	}
}

void
letter_vars_date(struct letter_vars *v, uint64_t ms)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);
	char		buf[64];

	localtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
	letter_vars_set(v, "date", buf);
	/* The day without a leading zero, as a letter writes it. */
	snprintf(buf, sizeof buf, "%d ", tm.tm_mday);
	strftime(buf + strlen(buf), sizeof buf - strlen(buf), "%B %Y", &tm);
	letter_vars_set(v, "date.long", buf);
}

int
letter_vars_load(struct letter_vars *v, struct store_txn *t,
    const struct user *u, const struct record *contact, uint64_t now_ms)
{
	struct record		*company = NULL;
	struct record_id	 id;
	const char		*ref;
	char			*name;
	int			 ret;

	letter_vars_record(v, "contact", MODEL_CONTACT, contact);
	name = model_record_name(MODEL_CONTACT, contact, 0);
	letter_vars_set(v, "contact.name", name);
	free(name);
	ref = record_value(contact, "company");
	if (*ref != '\0' && record_id_parse(ref, &id) == 0) {
		ret = store_get(t, MODEL_COMPANY, &id, &company);
		if (ret == -1)
			return -1;
		if (ret != 0 || (company->flags & RECORD_DELETED)) {
			/* A deleted company: its fields are empty. */
			record_free(ret == 0 ? company : NULL);
			company = NULL;
		}
	}
	letter_vars_record(v, "company", MODEL_COMPANY, company);
	if (company != NULL)
		letter_vars_set(v, "contact.company", record_value(company,
		    "name"));
	record_free(company);
	letter_vars_set(v, "user.name", u->name != NULL && *u->name != '\0' ?
	    u->name : u->login);
	letter_vars_set(v, "user.login", u->login);
	letter_vars_set(v, "user.id", u->uid);
	letter_vars_date(v, now_ms);
	return 0;
}

/* Append len bytes to a growing buffer. */
static void
letter_put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		while (*len + n + 1 > *cap)
			*cap = *cap == 0 ? 256 : *cap * 2;
		*buf = xreallocarray(*buf, *cap, 1);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static int
letter_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

int
letter_render(const char *tname, const char *text, size_t len,
    const struct letter_vars *v, char **out, size_t *outlen)
{
	const char	*p = text, *end = text + len, *open, *q, *value;
	char		*buf = NULL, *problems = NULL, *tmp, *field;
	size_t		 blen = 0, cap = 0, nproblems = 0, fl;
	unsigned long	 line = 1;

	*out = NULL;
	letter_put(&buf, &blen, &cap, "", 0);
	while (p < end) {
		open = NULL;
		for (q = p; q + 1 < end; q++) {
			if (q[0] == '{' && q[1] == '{') {
				open = q;
				break;
			}
		}
		if (open == NULL) {
			letter_put(&buf, &blen, &cap, p, (size_t)(end - p));
			break;
		}
		letter_put(&buf, &blen, &cap, p, (size_t)(open - p));
		for (q = p; q < open; q++)
			line += *q == '\n';
		/* A field ends on its own line: {{ name }}. */
		q = open + 2;
		while (q < end && *q == ' ')
			q++;
		field = NULL;
		fl = 0;
		while (q + fl < end && letter_name_char(q[fl]))
			fl++;
		if (fl > 0)
			field = xstrndup(q, fl);
		q += fl;
		while (q < end && *q == ' ')
			q++;
		if (field == NULL || q + 1 >= end || q[0] != '}' ||
		    q[1] != '}') {
			xasprintf(&tmp, "%s%s\"{{\" with no field name and "
			    "\"}}\" after it on line %lu", problems != NULL ?
			    problems : "", problems != NULL ? "; " : "", line);
			free(problems);
			problems = tmp;
			nproblems++;
			free(field);
			/* Go on after the braces, to report every problem. */
			p = open + 2;
			continue;
		}
		if ((value = letter_vars_get(v, field)) == NULL) {
			xasprintf(&tmp, "%s%sunknown field {{%s}} on line %lu",
			    problems != NULL ? problems : "", problems != NULL ?
			    "; " : "", field, line);
			free(problems);
			problems = tmp;
			nproblems++;
		} else
			letter_put(&buf, &blen, &cap, value, strlen(value));
		free(field);
		p = q + 2;
	}
	if (nproblems > 0) {
		error_set("template \"%s\": %s (fields are contact.FIELD such "
		    "as contact.first_name, company.FIELD, user.name, "
		    "user.login, user.id, date and date.long)", tname, problems);
		free(problems);
		free(buf);
		return -1;
	}
	*out = buf;
	if (outlen != NULL)
		*outlen = blen;
	return 0;
}

int
letter_template_find(struct store_txn *t, const char *text,
    struct record **out)
{
	struct store_cursor	*c;
	struct record		*r, *exact = NULL, *folded = NULL;
	struct record_id	 id;
	int			 ret, nfolded = 0;

	*out = NULL;
	/* Templates are few: a walk of their file finds a name. */
	if (store_cursor_open(t, MODEL_TEMPLATE, STORE_BY_ID, 0, &c) != 0)
		return -1;
	while ((ret = store_cursor_next(c, &r)) == 0) {
		if (exact == NULL && strcmp(record_value(r, "name"),
		    text) == 0) {
			exact = r;
			continue;
		}
		if (strcasecmp(record_value(r, "name"), text) == 0) {
			nfolded++;
			if (folded == NULL) {
				folded = r;
				continue;
			}
		}
		record_free(r);
	}
	store_cursor_close(c);
	if (ret == -1) {
		record_free(exact);
		record_free(folded);
		return -1;
	}
	if (exact != NULL || nfolded == 1) {
		*out = exact != NULL ? exact : folded;
		if (exact != NULL)
			record_free(folded);
		return 0;
	}
	record_free(folded);
	if (nfolded > 1) {
		error_set("%d templates are named \"%s\" (in other cases): "
		    "give its exact name or its ID", nfolded, text);
		return -1;
	}
	error_clear();
	if (model_lookup(t, MODEL_TEMPLATE, text, &id) != 0) {
		error_set("no template is named \"%s\" or has an ID starting "
		    "so: crm list template shows them", text);
		return -1;
	}
	return model_get(t, MODEL_TEMPLATE, &id, out);
}

/* A template's text read into memory, at most LETTER_MAX bytes. */
struct letter_buf {
	const char	*name;
	char		*p;
	size_t		 len, cap;
};

static int
letter_take(void *arg, const void *data, size_t len)
{
	struct letter_buf	*b = arg;

	if (b->len + len > LETTER_MAX) {
		error_set("template \"%s\" is more than %d bytes: a template "
		    "is a text of at most 4 MiB", b->name, LETTER_MAX);
		return -1;
	}
	if (b->len + len + 1 > b->cap) {
		b->cap = (b->len + len + 1) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

int
letter_template_read(const char *dir, const struct record *tmpl, char **text,
    size_t *len)
{
	struct letter_buf	 b;
	const char		*name = record_value(tmpl, "name");
	int			 ret;

	*text = NULL;
	if (*record_value(tmpl, "hash") == '\0') {
		error_set("template \"%s\" has no text yet: add it with E in "
		    "the templates list (T) or crm template add", name);
		return -1;
	}
	memset(&b, 0, sizeof b);
	b.name = name;
	b.p = xmalloc(1);
	b.cap = 1;
	/* Its file, whatever it is sealed with, checked against its hash. */
	if ((ret = document_read(dir, MODEL_TEMPLATE, tmpl, letter_take,
	    &b)) != DOCUMENT_OK) {
		if (ret != -1)
			error_prefix("template \"%s\": ", name);
		goto fail;
	}
	if (memchr(b.p, '\0', b.len) != NULL) {
		error_set("template \"%s\" is not plain text: write letters "
		    "as text files with {{fields}}", name);
		goto fail;
	}
	b.p[b.len] = '\0';
	*text = b.p;
	*len = b.len;
	return 0;

fail:
	explicit_bzero(b.p, b.cap);
	free(b.p);
	return -1;
}

int
letter_make(struct store_txn *t, const char *dir, const struct user *u,
    const struct record *tmpl, const struct record *contact, uint64_t now_ms,
    char **out, size_t *outlen)
{
	struct letter_vars	 v;
	char			*text;
	size_t			 len;
	int			 ret;

	*out = NULL;
	if (letter_template_read(dir, tmpl, &text, &len) != 0)
		return -1;
	memset(&v, 0, sizeof v);
	if ((ret = letter_vars_load(&v, t, u, contact, now_ms)) == 0)
		ret = letter_render(record_value(tmpl, "name"), text, len, &v,
		    out, outlen);
	letter_vars_free(&v);
	free(text);
	return ret;
}

/* A file name from free text: no slashes, no control characters. */
static void
letter_clean(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '/' || (unsigned char)*s < 0x20)
			*s = '-';
	}
}

/* letter_record's work, the letter in the file at path or in text. */
static int
letter_record_from(struct store_txn *t, const char *dir, const struct user *u,
    const struct record *tmpl, const struct record *contact, const char *path,
    const char *text, size_t len, uint64_t now_ms, struct record_id *note,
    struct record_id *doc)
{
	struct model_change	 ch[5];
	struct letter_vars	 v;
	const char		*tname = record_value(tmpl, "name");
	const char		*ext, *who;
	char			 ctext[RECORD_ID_TEXT + 1];
	char			 ntext[RECORD_ID_TEXT + 1];
	char			*subject, *desc, *filename;
	int			 ret = -1;

	memset(&v, 0, sizeof v);
	letter_vars_date(&v, now_ms);
	letter_vars_record(&v, "contact", MODEL_CONTACT, contact);
	who = record_value(contact, "last_name");
	if (*who == '\0')
		who = record_value(contact, "first_name");
	record_id_format(&contact->id, ctext);
	xasprintf(&subject, "Letter: %s", tname);
	ch[0].name = "subject";
	ch[0].value = subject;
	ch[1].name = "contact";
	ch[1].value = ctext;
	ch[2].name = "date";
	ch[2].value = letter_vars_get(&v, "date");
	ch[3].name = "company";
	ch[3].value = record_value(contact, "company");
	if (model_add(t, u, MODEL_NOTE, ch, *ch[3].value != '\0' ? 4 : 3,
	    note) != 0)
		goto out;
	/* The letter keeps its template's kind of file (.txt, .md...). */
	ext = strrchr(record_value(tmpl, "filename"), '.');
	if (ext == NULL || strchr(ext, '/') != NULL)
		ext = ".txt";
	xasprintf(&filename, "%s %s %s%s", tname, who,
	    letter_vars_get(&v, "date"), ext);
	letter_clean(filename);
	xasprintf(&desc, "%s to %s %s", subject,
	    record_value(contact, "first_name"), record_value(contact,
	    "last_name"));
	record_id_format(note, ntext);
	ch[0].name = "parent";
	ch[0].value = ntext;
	ch[1].name = "description";
	ch[1].value = desc;
	ch[2].name = "filename";
	ch[2].value = filename;
	if (path != NULL)
		ret = document_store(t, dir, u, MODEL_DOCUMENT, path, ch, 3,
		    doc);
	else
		ret = document_store_text(t, dir, u, MODEL_DOCUMENT, text, len,
		    ch, 3, doc);
	free(filename);
	free(desc);
out:
	free(subject);
	letter_vars_free(&v);
	return ret;
}

int
letter_record(struct store_txn *t, const char *dir, const struct user *u,
    const struct record *tmpl, const struct record *contact, const char *path,
    uint64_t now_ms, struct record_id *note, struct record_id *doc)
{
	return letter_record_from(t, dir, u, tmpl, contact, path, NULL, 0,
	    now_ms, note, doc);
}

int
letter_record_text(struct store_txn *t, const char *dir, const struct user *u,
    const struct record *tmpl, const struct record *contact, const char *text,
    size_t len, uint64_t now_ms, struct record_id *note, struct record_id *doc)
{
	return letter_record_from(t, dir, u, tmpl, contact, NULL, text, len,
	    now_ms, note, doc);
}
