/*
 * exchange-map: the header row of a CSV file, column by column, as crm's
 * fields. Three sources, tried in this order for each column:
 *
 *  1. a map file given with --map ("Column name = field");
 *  2. crm's own field names, in any case, with spaces or hyphens for
 *     underscores ("First Name" is first_name), and its metadata;
 *  3. for contacts, the columns Google Contacts (both of its layouts)
 *     and Outlook (Outlook.com and the desktop program) write.
 *
 * Vendors write every column whether or not it holds anything, so a
 * file with their columns is "sparse": an empty cell there leaves a
 * field alone when a record is updated, where in crm's own file it
 * empties it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "exchange.h"
#include "model.h"
#include "xmalloc.h"

struct exchange_map_vendor {
	const char	*name;		/* normalised: lower case, one space */
	int		 kind;		/* EXCHANGE_COL_* */
	const char	*field;
	const char	*join;
	int		 where;
	int		 vendor;	/* 'g' Google, 'o' Outlook, 0 both */
};

#define V(n, k, f, j, w, v)	{ n, EXCHANGE_COL_##k, f, j, EXCHANGE_##w, v }

/*
 * Columns whose header is the same in every file of that vendor. Those
 * Outlook fills with a default whatever the contact ("Gender" is
 * "Unspecified", "Priority" "Normal") are skipped in silence; any other
 * column crm has no field for is dropped, and a value in it is named in
 * the row's report.
 */
static const struct exchange_map_vendor exchange_map_vendors[] = {
	V("middle name", FIELD, "first_name", " ", WORK, 0),
	V("additional name", FIELD, "first_name", " ", WORK, 'g'),
	V("given name", FIELD, "first_name", NULL, WORK, 'g'),
	V("family name", FIELD, "last_name", NULL, WORK, 'g'),
	V("name prefix", FIELD, "title", NULL, WORK, 'g'),
	V("name suffix", FIELD, "last_name", ", ", WORK, 'g'),
	V("suffix", FIELD, "last_name", ", ", WORK, 'o'),
	V("name", FULLNAME, NULL, NULL, WORK, 'g'),
	V("organization name", FIELD, "company", NULL, WORK, 'g'),
	V("organization title", FIELD, "job_title", NULL, WORK, 'g'),
	V("organization department", DROP, "department", NULL, WORK, 'g'),
	V("notes", FIELD, "description", "\n", WORK, 0),
	V("e-mail address", EMAIL, NULL, NULL, WORK, 'o'),
	V("e-mail 2 address", EMAIL, NULL, NULL, OTHER, 'o'),
	V("e-mail 3 address", EMAIL, NULL, NULL, OTHER, 'o'),
	V("business phone", PHONE, NULL, NULL, WORK, 'o'),
	V("business phone 2", PHONE, NULL, NULL, WORK, 'o'),
	V("company main phone", PHONE, NULL, NULL, WORK, 'o'),
	V("primary phone", PHONE, NULL, NULL, OTHER, 'o'),
	V("other phone", PHONE, NULL, NULL, OTHER, 'o'),
	V("home phone", PHONE, NULL, NULL, HOME, 'o'),
	V("home phone 2", PHONE, NULL, NULL, HOME, 'o'),
	V("mobile phone", PHONE, NULL, NULL, MOBILE, 'o'),
	V("car phone", PHONE, NULL, NULL, OTHER, 'o'),
	V("callback", PHONE, NULL, NULL, OTHER, 'o'),
	V("radio phone", PHONE, NULL, NULL, OTHER, 'o'),
	V("isdn", PHONE, NULL, NULL, OTHER, 'o'),
	V("pager", PHONE, NULL, NULL, OTHER, 'o'),
	V("telex", PHONE, NULL, NULL, OTHER, 'o'),
	V("tty/tdd phone", PHONE, NULL, NULL, OTHER, 'o'),
	V("assistant's phone", PHONE, NULL, NULL, OTHER, 'o'),
	V("business fax", PHONE, NULL, NULL, FAX, 'o'),
	V("home fax", PHONE, NULL, NULL, FAX, 'o'),
	V("other fax", PHONE, NULL, NULL, FAX, 'o'),
	V("business street", ADDR, "address", NULL, WORK, 'o'),
	V("business street 2", ADDR, "address", ", ", WORK, 'o'),
	V("business street 3", ADDR, "address", ", ", WORK, 'o'),
	V("business address po box", ADDR, "address", ", ", WORK, 'o'),
	V("business city", ADDR, "city", NULL, WORK, 'o'),
	V("business state", ADDR, "region", NULL, WORK, 'o'),
	V("business postal code", ADDR, "postcode", NULL, WORK, 'o'),
	V("business country/region", ADDR, "country", NULL, WORK, 'o'),
	V("home street", ADDR, "address", NULL, HOME, 'o'),
	V("home street 2", ADDR, "address", ", ", HOME, 'o'),
	V("home street 3", ADDR, "address", ", ", HOME, 'o'),
	V("home address po box", ADDR, "address", ", ", HOME, 'o'),
	V("home city", ADDR, "city", NULL, HOME, 'o'),
	V("home state", ADDR, "region", NULL, HOME, 'o'),
	V("home postal code", ADDR, "postcode", NULL, HOME, 'o'),
	V("home country/region", ADDR, "country", NULL, HOME, 'o'),
	V("other street", ADDR, "address", NULL, OTHER, 'o'),
	V("other street 2", ADDR, "address", ", ", OTHER, 'o'),
	V("other street 3", ADDR, "address", ", ", OTHER, 'o'),
	V("other address po box", ADDR, "address", ", ", OTHER, 'o'),
	V("other city", ADDR, "city", NULL, OTHER, 'o'),
	V("other state", ADDR, "region", NULL, OTHER, 'o'),
	V("other postal code", ADDR, "postcode", NULL, OTHER, 'o'),
	V("other country/region", ADDR, "country", NULL, OTHER, 'o'),
	V("web page", DROP, "web page", NULL, WORK, 'o'),
	V("personal web page", DROP, "web page", NULL, WORK, 'o'),
	V("department", DROP, "department", NULL, WORK, 'o'),
	V("office location", DROP, "office location", NULL, WORK, 'o'),
	V("anniversary", DROP, "anniversary", NULL, WORK, 'o'),
	V("categories", DROP, "categories", NULL, WORK, 'o'),
	V("spouse", DROP, "spouse", NULL, WORK, 'o'),
	V("children", DROP, "children", NULL, WORK, 'o'),
	V("manager's name", DROP, "manager's name", NULL, WORK, 'o'),
	V("assistant's name", DROP, "assistant's name", NULL, WORK, 'o'),
	V("nickname", DROP, "nickname", NULL, WORK, 0),
	V("im address", DROP, "IM address", NULL, WORK, 'o'),
	V("imaddress", DROP, "IM address", NULL, WORK, 'o'),
	V("hobby", DROP, "hobby", NULL, WORK, 0),
	V("schools", DROP, "schools", NULL, WORK, 'o'),
	V("profession", DROP, "profession", NULL, WORK, 'o'),
	V("referred by", DROP, "referred by", NULL, WORK, 'o'),
	V("account", DROP, "account", NULL, WORK, 'o'),
	V("billing information", DROP, "billing information", NULL, WORK, 0),
	V("mileage", DROP, "mileage", NULL, WORK, 0),
	V("keywords", DROP, "keywords", NULL, WORK, 'o'),
	V("government id number", DROP, "government ID", NULL, WORK, 'o'),
	V("organizational id number", DROP, "organizational ID", NULL,
	    WORK, 'o'),
	V("user 1", DROP, "user 1", NULL, WORK, 'o'),
	V("user 2", DROP, "user 2", NULL, WORK, 'o'),
	V("user 3", DROP, "user 3", NULL, WORK, 'o'),
	V("user 4", DROP, "user 4", NULL, WORK, 'o'),
	V("gender", SKIP, NULL, NULL, WORK, 0),
	V("priority", SKIP, NULL, NULL, WORK, 0),
	V("sensitivity", SKIP, NULL, NULL, WORK, 0),
	V("private", SKIP, NULL, NULL, WORK, 'o'),
	V("initials", SKIP, NULL, NULL, WORK, 0),
	V("language", SKIP, NULL, NULL, WORK, 0),
	V("location", SKIP, NULL, NULL, WORK, 0),
	V("directory server", SKIP, NULL, NULL, WORK, 0),
	V("internet free busy", SKIP, NULL, NULL, WORK, 'o'),
	V("e-mail type", SKIP, NULL, NULL, WORK, 'o'),
	V("e-mail display name", SKIP, NULL, NULL, WORK, 'o'),
	V("e-mail 2 type", SKIP, NULL, NULL, WORK, 'o'),
	V("e-mail 2 display name", SKIP, NULL, NULL, WORK, 'o'),
	V("e-mail 3 type", SKIP, NULL, NULL, WORK, 'o'),
	V("e-mail 3 display name", SKIP, NULL, NULL, WORK, 'o'),
	V("given yomi", SKIP, NULL, NULL, WORK, 'o'),
	V("surname yomi", SKIP, NULL, NULL, WORK, 'o'),
	V("company yomi", SKIP, NULL, NULL, WORK, 'o'),
	V("file as", SKIP, NULL, NULL, WORK, 'g'),
	V("yomi name", SKIP, NULL, NULL, WORK, 'g'),
	V("given name yomi", SKIP, NULL, NULL, WORK, 'g'),
	V("additional name yomi", SKIP, NULL, NULL, WORK, 'g'),
	V("family name yomi", SKIP, NULL, NULL, WORK, 'g'),
	V("phonetic first name", SKIP, NULL, NULL, WORK, 'g'),
	V("phonetic middle name", SKIP, NULL, NULL, WORK, 'g'),
	V("phonetic last name", SKIP, NULL, NULL, WORK, 'g'),
	V("short name", SKIP, NULL, NULL, WORK, 'g'),
	V("maiden name", DROP, "maiden name", NULL, WORK, 'g'),
	V("occupation", DROP, "occupation", NULL, WORK, 'g'),
	V("subject", SKIP, NULL, NULL, WORK, 'g'),
	V("photo", SKIP, NULL, NULL, WORK, 'g'),
	V("labels", SKIP, NULL, NULL, WORK, 'g'),
	V("group membership", SKIP, NULL, NULL, WORK, 'g'),
};

/* Lower case, blanks trimmed and each run of them one space. New string. */
static char *
exchange_map_norm(const char *s)
{
	char	*d = xmalloc(strlen(s) + 1), *o = d;
	int	 space = 0;

	while (isspace((unsigned char)*s))
		s++;
	for (; *s != '\0'; s++) {
		if (isspace((unsigned char)*s)) {
			space = 1;
			continue;
		}
		if (space && o != d)
			*o++ = ' ';
		space = 0;
		*o++ = (char)tolower((unsigned char)*s);
	}
	*o = '\0';
	return d;
}

/* crm's name for a header: "First Name" and "first-name" are first_name. */
static char *
exchange_map_crm_name(const char *norm)
{
	char	*d = xstrdup(norm), *p;

	for (p = d; *p != '\0'; p++) {
		if (*p == ' ' || *p == '-')
			*p = '_';
	}
	return d;
}

/* A field a file may set: not secret, not set by crm alone. */
static const struct model_field *
exchange_map_field(int type, const char *name)
{
	const struct model_field	*mf = model_field_find(type, name);

	if (mf == NULL || (mf->flags & (MODEL_SECRET | MODEL_SYSTEM)))
		return NULL;
	return mf;
}

static void
exchange_map_set_field(struct exchange_col *c, int type, const char *field)
{
	const struct model_field	*mf = model_field_find(type, field);

	c->kind = mf != NULL && mf->kind == MODEL_BIRTHDAY ?
	    EXCHANGE_COL_BIRTHDAY : EXCHANGE_COL_FIELD;
	c->field = mf != NULL ? mf->name : field;
}

/*
 * Google's numbered columns: "E-mail 1 - Value", "Phone 2 - Type",
 * "Address 1 - Postal Code", "Organization 1 - Title". The base and the
 * part are returned normalised; 0 if the header is not one.
 */
static int
exchange_map_numbered(const char *norm, char *base, size_t blen, int *num,
    const char **part)
{
	const char	*dash = strstr(norm, " - "), *p;
	size_t		 n;

	if (dash == NULL)
		return 0;
	for (p = dash; p > norm && isdigit((unsigned char)p[-1]); p--)
		/* nothing */;
	if (p == dash || p == norm || p[-1] != ' ')
		return 0;
	n = (size_t)(p - 1 - norm);
	if (n == 0 || n >= blen)
		return 0;
	memcpy(base, norm, n);
	base[n] = '\0';
	*num = atoi(p);
	*part = dash + 3;
	return 1;
}

static int
exchange_map_google(struct exchange_col *c, int type, const char *norm)
{
	char		 base[64];
	const char	*part;
	int		 num;

	if (type != MODEL_CONTACT ||
	    !exchange_map_numbered(norm, base, sizeof base, &num, &part))
		return 0;
	c->group = num;
	if (strcmp(base, "e-mail") == 0 || strcmp(base, "phone") == 0) {
		if (strcmp(part, "value") == 0) {
			c->kind = *base == 'e' ? EXCHANGE_COL_EMAIL :
			    EXCHANGE_COL_PHONE;
			c->where = EXCHANGE_LABELLED;
		} else if (strcmp(part, "type") == 0 ||
		    strcmp(part, "label") == 0)
			c->kind = EXCHANGE_COL_LABEL;
		else
			return 0;
		c->field = *base == 'e' ? "e-mail" : "phone";
		return 1;
	}
	if (strcmp(base, "address") == 0) {
		c->kind = EXCHANGE_COL_ADDR;
		c->where = EXCHANGE_LABELLED;
		c->field = "address";
		if (strcmp(part, "street") == 0)
			c->field = "address";
		else if (strcmp(part, "extended address") == 0 ||
		    strcmp(part, "po box") == 0)
			c->join = ", ";
		else if (strcmp(part, "city") == 0)
			c->field = "city";
		else if (strcmp(part, "region") == 0)
			c->field = "region";
		else if (strcmp(part, "postal code") == 0)
			c->field = "postcode";
		else if (strcmp(part, "country") == 0)
			c->field = "country";
		else if (strcmp(part, "type") == 0 ||
		    strcmp(part, "label") == 0) {
			c->kind = EXCHANGE_COL_LABEL;
			c->field = "address";
		} else if (strcmp(part, "formatted") == 0)
			c->kind = EXCHANGE_COL_SKIP;	/* the parts say it */
		else
			return 0;
		return 1;
	}
	if (strcmp(base, "organization") == 0) {
		if (strcmp(part, "name") == 0)
			exchange_map_set_field(c, type, "company");
		else if (strcmp(part, "title") == 0)
			exchange_map_set_field(c, type, "job_title");
		else if (strcmp(part, "department") == 0) {
			c->kind = EXCHANGE_COL_DROP;
			c->field = "department";
		} else
			c->kind = EXCHANGE_COL_SKIP;
		return 1;
	}
	/* Websites, relations, events, custom fields, IM...: no place. */
	if (strcmp(part, "value") == 0) {
		c->kind = EXCHANGE_COL_DROP;
		c->field = xstrdup(base);
		c->owned = 1;
	} else
		c->kind = EXCHANGE_COL_SKIP;
	return 1;
}

/* Read a map file: "Column = field" lines, # comments, "-" skips. */
static int
exchange_map_file(const char *path, int type, char ***cols, char ***fields,
    size_t *n)
{
	FILE		*f;
	char		*line = NULL, *eq, *a, *b, *all;
	size_t		 cap = 0;
	unsigned long	 lineno = 0;
	ssize_t		 len;

	*cols = *fields = NULL;
	*n = 0;
	if ((f = fopen(path, "r")) == NULL) {
		error_set("cannot read the map %s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		a = line + strspn(line, " \t");
		if (*a == '\0' || *a == '#')
			continue;
		if ((eq = strrchr(a, '=')) == NULL) {
			error_set("%s line %lu: \"%s\" has no '=': write "
			    "\"Column name = field\"", path, lineno, a);
			goto fail;
		}
		*eq = '\0';
		b = exchange_map_norm(eq + 1);
		if (*b != '\0' && strcmp(b, "-") != 0 && strcmp(b, "id") != 0 &&
		    exchange_map_field(type, b) == NULL) {
			all = model_field_list(type);
			error_set("%s line %lu: %s has no field \"%s\"; its fields "
			    "are %s (or - to leave the column out)", path,
			    lineno, model_type(type)->name, b, all);
			free(all);
			free(b);
			goto fail;
		}
		*cols = xreallocarray(*cols, *n + 1, sizeof **cols);
		*fields = xreallocarray(*fields, *n + 1, sizeof **fields);
		(*cols)[*n] = exchange_map_norm(a);
		(*fields)[(*n)++] = b;
	}
	free(line);
	fclose(f);
	return 0;
fail:
	free(line);
	fclose(f);
	while (*n > 0) {
		(*n)--;
		free((*cols)[*n]);
		free((*fields)[*n]);
	}
	free(*cols);
	free(*fields);
	*cols = *fields = NULL;
	return -1;
}

void
exchange_map_clear(struct exchange_map *m)
{
	size_t	i;

	for (i = 0; i < m->n; i++) {
		free(m->cols[i].name);
		if (m->cols[i].owned)
			free((char *)m->cols[i].field);
	}
	free(m->cols);
	free(m->note);
	memset(m, 0, sizeof *m);
}

int
exchange_map_build(struct exchange_map *m, int type, char *const *header,
    size_t n, const char *mapfile, int ignore_unknown, const char *path)
{
	const struct exchange_map_vendor *v;
	struct exchange_col		*c;
	char				**mcols = NULL, **mfields = NULL;
	char				*norm, *crm, *unknown = NULL, *meta = NULL;
	char				*tmp;
	size_t				 nm = 0, i, j, nunknown = 0;
	int				 google = 0, outlook = 0, ret = -1;

	memset(m, 0, sizeof *m);
	if (mapfile != NULL && exchange_map_file(mapfile, type, &mcols,
	    &mfields, &nm) != 0)
		return -1;
	m->cols = xcalloc(n, sizeof *m->cols);
	m->n = n;
	for (i = 0; i < n; i++) {
		c = &m->cols[i];
		c->name = xstrdup(header[i]);
		c->label = -1;
		c->kind = EXCHANGE_COL_UNKNOWN;
		norm = exchange_map_norm(header[i]);
		for (j = 0; j < nm; j++) {
			if (strcmp(mcols[j], norm) != 0)
				continue;
			if (*mfields[j] == '\0' || strcmp(mfields[j], "-") == 0)
				c->kind = EXCHANGE_COL_SKIP;
			else if (strcmp(mfields[j], "id") == 0)
				c->kind = EXCHANGE_COL_ID;
			else
				exchange_map_set_field(c, type,
				    exchange_map_field(type, mfields[j])->name);
			break;
		}
		crm = exchange_map_crm_name(norm);
		if (c->kind != EXCHANGE_COL_UNKNOWN)
			/* the map said */;
		else if (strcmp(crm, "id") == 0)
			c->kind = EXCHANGE_COL_ID;
		else if (model_is_meta(crm)) {
			c->kind = EXCHANGE_COL_META;
			xasprintf(&tmp, "%s%s%s", meta != NULL ? meta : "",
			    meta != NULL ? ", " : "", crm);
			free(meta);
			meta = tmp;
		} else if (exchange_map_field(type, crm) != NULL)
			exchange_map_set_field(c, type, crm);
		else if (type == MODEL_CONTACT &&
		    exchange_map_google(c, type, norm))
			google = 1;
		else if (type == MODEL_CONTACT) {
			for (v = exchange_map_vendors; v < exchange_map_vendors +
			    sizeof exchange_map_vendors /
			    sizeof exchange_map_vendors[0]; v++) {
				if (strcmp(v->name, norm) != 0)
					continue;
				c->kind = v->kind;
				c->field = v->field;
				c->join = v->join;
				c->where = v->where;
				if (v->kind == EXCHANGE_COL_FIELD)
					exchange_map_set_field(c, type,
					    v->field);
				google |= v->vendor == 'g';
				outlook |= v->vendor == 'o';
				break;
			}
		}
		if (c->kind == EXCHANGE_COL_UNKNOWN) {
			nunknown++;
			xasprintf(&tmp, "%s%s\"%s\"", unknown != NULL ? unknown :
			    "", unknown != NULL ? ", " : "", header[i]);
			free(unknown);
			unknown = tmp;
			if (ignore_unknown)
				c->kind = EXCHANGE_COL_SKIP;
		}
		free(crm);
		free(norm);
	}
	/* Each Google value its label column ("Phone 1 - Label"). */
	for (i = 0; i < n; i++) {
		c = &m->cols[i];
		if (c->kind != EXCHANGE_COL_LABEL)
			continue;
		for (j = 0; j < n; j++) {
			if (m->cols[j].group == c->group && m->cols[j].field !=
			    NULL && strcmp(m->cols[j].field, c->field) == 0 &&
			    m->cols[j].where == EXCHANGE_LABELLED)
				m->cols[j].label = (int)i;
			else if (c->field[0] == 'a' && m->cols[j].group ==
			    c->group && m->cols[j].kind == EXCHANGE_COL_ADDR &&
			    m->cols[j].where == EXCHANGE_LABELLED)
				m->cols[j].label = (int)i;
		}
	}
	if (nunknown > 0 && !ignore_unknown) {
		char	*all = model_field_list(type);

		error_set("%s line 1: %s has no field for the column%s %s; its "
		    "fields are %s. Give --map FILE to say where %s, or "
		    "--ignore-unknown to leave %s out", path,
		    model_type(type)->name, nunknown > 1 ? "s" : "", unknown,
		    all, nunknown > 1 ? "they go" : "it goes", nunknown > 1 ?
		    "them" : "it");
		free(all);
		goto out;
	}
	m->vendor = outlook ? "Outlook" : google ? "Google Contacts" :
	    mapfile != NULL ? "the map's" : "crm's";
	m->sparse = outlook || google;
	if (meta != NULL || (nunknown > 0 && ignore_unknown)) {
		xasprintf(&m->note, "%s%s%s%s%s%s", meta != NULL ?
		    "the columns " : "", meta != NULL ? meta : "", meta !=
		    NULL ? " are set by crm and were left out" : "",
		    meta != NULL && nunknown > 0 ? "; " : "",
		    nunknown > 0 ? "left out as --ignore-unknown asks: " : "",
		    nunknown > 0 ? unknown : "");
	}
	ret = 0;
out:
	if (ret != 0)
		exchange_map_clear(m);
	for (i = 0; i < nm; i++) {
		free(mcols[i]);
		free(mfields[i]);
	}
	free(mcols);
	free(mfields);
	free(unknown);
	free(meta);
	return ret;
}
