/*
 * exchange-read: the rows of a CSV, vCard or iCalendar file, as fields of
 * crm's records. What a row means for the database (add, update, refuse)
 * is exchange-import.c's business.
 *
 * Phones, emails and addresses come in many places (vCard TEL, Outlook's
 * twenty phone columns, Google's numbered ones with labels) and crm has
 * a few: phone, phone2, mobile, email, email2 and one address. They are
 * gathered in slots first, then given out in order of preference (work,
 * other, home; a mobile to mobile), and what is left is said in the
 * row's remark, never dropped in silence.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "csvio.h"
#include "error.h"
#include "exchange.h"
#include "ical.h"
#include "model.h"
#include "utf8.h"
#include "vcard.h"
#include "xmalloc.h"

struct exchange_reader {
	enum exchange_format	 fmt;
	int			 type;
	char			*path;
	char			*about;
	struct csvio_reader	*csv;
	struct exchange_map	 map;
	struct vcard_reader	*vc;
	struct ical_reader	*ical;
	unsigned long		 number;
	unsigned long		 skipped;	/* items of the other type */
	char			*note;
};

const char *
exchange_row_word(enum exchange_format fmt)
{
	return fmt == EXCHANGE_VCARD ? "card" : fmt == EXCHANGE_ICAL ?
	    "item" : "row";
}

/* Rows. */

void
exchange_row_free(struct exchange_row *row)
{
	size_t	i;

	if (row == NULL)
		return;
	for (i = 0; i < row->nch; i++) {
		free((char *)row->ch[i].name);
		free((char *)row->ch[i].value);
	}
	free(row->ch);
	free(row->key);
	free(row->problem);
	free(row->remark);
	free(row);
}

static struct model_change *
exchange_row_find(struct exchange_row *row, const char *name)
{
	size_t	i;

	for (i = 0; i < row->nch; i++) {
		if (strcmp(row->ch[i].name, name) == 0)
			return &row->ch[i];
	}
	return NULL;
}

/* Set a field of a row (the last value given wins); value is taken. */
static void
exchange_row_set(struct exchange_row *row, const char *name, char *value)
{
	struct model_change	*c = exchange_row_find(row, name);

	if (c != NULL) {
		free((char *)c->value);
		c->value = value;
		return;
	}
	/* Room for 8, then doubled: nch is never made smaller. */
	if (row->nch == 0 || (row->nch >= 8 &&
	    (row->nch & (row->nch - 1)) == 0))
		row->ch = xreallocarray(row->ch, row->nch == 0 ? 8 :
		    row->nch * 2, sizeof *row->ch);
	row->ch[row->nch].name = xstrdup(name);
	row->ch[row->nch++].value = value;
}

/* Add to a field: after what it holds, with sep between. */
static void
exchange_row_join(struct exchange_row *row, const char *name,
    const char *value, const char *sep)
{
	struct model_change	*c = exchange_row_find(row, name);
	char			*s;

	if (*value == '\0' && c != NULL)
		return;
	if (c == NULL || *c->value == '\0' || sep == NULL) {
		exchange_row_set(row, name, xstrdup(value));
		return;
	}
	xasprintf(&s, "%s%s%s", c->value, sep, value);
	exchange_row_set(row, name, s);
}

const char *
exchange_row_value(const struct exchange_row *row, const char *field)
{
	size_t	i;

	for (i = 0; i < row->nch; i++) {
		if (strcmp(row->ch[i].name, field) == 0)
			return row->ch[i].value;
	}
	return "";
}

char *
exchange_row_name(const struct exchange_row *row)
{
	const char	*a, *b;
	char		*s;

	if (row->type == MODEL_CONTACT) {
		a = exchange_row_value(row, "first_name");
		b = exchange_row_value(row, "last_name");
		xasprintf(&s, "%s%s%s", a, *a != '\0' && *b != '\0' ? " " :
		    "", b);
		return s;
	}
	a = exchange_row_value(row, "name");
	if (*a == '\0')
		a = exchange_row_value(row, "subject");
	if (*a == '\0')
		a = exchange_row_value(row, "login");
	return xstrdup(a);
}

static void
exchange_remark(struct exchange_row *row, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
exchange_remark(struct exchange_row *row, const char *fmt, ...)
{
	va_list	 ap;
	char	*s, *tmp;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	if (row->remark == NULL)
		row->remark = s;
	else {
		xasprintf(&tmp, "%s; %s", row->remark, s);
		free(row->remark);
		free(s);
		row->remark = tmp;
	}
}

/* s without blanks at either end, in place. */
static char *
exchange_trim(char *s)
{
	size_t	n;

	while (isspace((unsigned char)*s))
		memmove(s, s + 1, strlen(s));
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/*
 * A birthday as vendors write it, as crm's YYYY-MM-DD or --MM-DD: ISO
 * (1985-04-15, 19850415), vCard's --0415 and --04-15, Outlook's 4/15/1985
 * (Outlook writes the month first) and 0/0/00 for none, and 15.04.1985.
 * NULL when it is none of those: the value then goes on as it is, for
 * the model to refuse with its message.
 */
static char *
exchange_birthday(const char *in)
{
	int	 y = 0, m = 0, d = 0, n = 0;
	char	*s;

	if (*in == '\0' || strcmp(in, "0/0/00") == 0)
		return xstrdup("");
	if (sscanf(in, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 &&
	    (in[n] == '\0' || in[n] == 'T'))
		;
	else if (strlen(in) >= 8 && sscanf(in, "%4d%2d%2d%n", &y, &m, &d,
	    &n) == 3 && n == 8 && (in[8] == '\0' || in[8] == 'T'))
		;
	else if ((sscanf(in, "--%2d-%2d%n", &m, &d, &n) == 2 ||
	    sscanf(in, "--%2d%2d%n", &m, &d, &n) == 2) && in[n] == '\0')
		y = 0;
	else if (sscanf(in, "%d/%d/%d%n", &m, &d, &y, &n) == 3 &&
	    in[n] == '\0' && y >= 1000)
		;
	else if (sscanf(in, "%d.%d.%d%n", &d, &m, &y, &n) == 3 &&
	    in[n] == '\0' && y >= 1000)
		;
	else
		return NULL;
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return NULL;
	if (y == 0)
		xasprintf(&s, "--%02d-%02d", m, d);
	else
		xasprintf(&s, "%04d-%02d-%02d", y, m, d);
	return s;
}

/* Slots: phones, emails and addresses, before crm's fields get them. */

#define EXCHANGE_SLOTS	32
#define EXCHANGE_ADDRS	8

struct exchange_addr {
	int	 where;
	int	 group;
	char	*part[5];	/* address, postcode, city, region, country */
};

static const char *const exchange_addr_parts[5] = {
	"address", "postcode", "city", "region", "country"
};

struct exchange_slots {
	int			 phone_where[EXCHANGE_SLOTS];
	char			*phone[EXCHANGE_SLOTS];
	size_t			 nphones;
	int			 email_where[EXCHANGE_SLOTS];
	char			*email[EXCHANGE_SLOTS];
	size_t			 nemails;
	struct exchange_addr	 addr[EXCHANGE_ADDRS];
	size_t			 naddrs;
	size_t			 lost;		/* past EXCHANGE_SLOTS */
};

static void
exchange_slots_free(struct exchange_slots *s)
{
	size_t	i, j;

	for (i = 0; i < s->nphones; i++)
		free(s->phone[i]);
	for (i = 0; i < s->nemails; i++)
		free(s->email[i]);
	for (i = 0; i < s->naddrs; i++) {
		for (j = 0; j < 5; j++)
			free(s->addr[i].part[j]);
	}
	memset(s, 0, sizeof *s);
}

/* Where a label says a value is: "Mobile", "* Work", "Home Fax"... */
static int
exchange_where_of(const char *label)
{
	char	*l = utf8_fold(label);
	int	 w = EXCHANGE_OTHER;

	if (strstr(l, "fax") != NULL)
		w = EXCHANGE_FAX;
	else if (strstr(l, "mobile") != NULL || strstr(l, "cell") != NULL)
		w = EXCHANGE_MOBILE;
	else if (strstr(l, "work") != NULL || strstr(l, "business") != NULL)
		w = EXCHANGE_WORK;
	else if (strstr(l, "home") != NULL)
		w = EXCHANGE_HOME;
	free(l);
	return w;
}

/* Add a value, or several: Google puts them in one cell, " ::: " apart. */
static void
exchange_slot_add(struct exchange_slots *s, int phone, int where,
    const char *value)
{
	const char	*p = value, *sep;
	char		*v;

	while (*p != '\0') {
		sep = strstr(p, " ::: ");
		v = exchange_trim(sep != NULL ? xstrndup(p, (size_t)(sep - p)) :
		    xstrdup(p));
		p = sep != NULL ? sep + 5 : p + strlen(p);
		if (*v == '\0') {
			free(v);
			continue;
		}
		if ((phone ? s->nphones : s->nemails) == EXCHANGE_SLOTS) {
			s->lost++;
			free(v);
			continue;
		}
		if (phone) {
			s->phone_where[s->nphones] = where;
			s->phone[s->nphones++] = v;
		} else {
			s->email_where[s->nemails] = where;
			s->email[s->nemails++] = v;
		}
	}
}

static struct exchange_addr *
exchange_slot_addr(struct exchange_slots *s, int where, int group)
{
	size_t	i;

	for (i = 0; i < s->naddrs; i++) {
		if (s->addr[i].where == where && s->addr[i].group == group)
			return &s->addr[i];
	}
	if (s->naddrs == EXCHANGE_ADDRS)
		return NULL;
	s->addr[s->naddrs].where = where;
	s->addr[s->naddrs].group = group;
	return &s->addr[s->naddrs++];
}

static void
exchange_addr_set(struct exchange_addr *a, const char *part,
    const char *value, const char *join)
{
	char	*v = exchange_trim(xstrdup(value)), *s;
	int	 i;

	for (i = 0; i < 5; i++) {
		if (strcmp(exchange_addr_parts[i], part) == 0)
			break;
	}
	if (i == 5 || *v == '\0') {
		free(v);
		return;
	}
	if (a->part[i] != NULL && *a->part[i] != '\0' && join != NULL) {
		xasprintf(&s, "%s%s%s", a->part[i], join, v);
		free(v);
		v = s;
	}
	free(a->part[i]);
	a->part[i] = v;
}

/* The rank of a place: work first, then other, then home. */
static int
exchange_rank(int where)
{
	return where == EXCHANGE_WORK ? 0 : where == EXCHANGE_OTHER ? 1 :
	    where == EXCHANGE_HOME ? 2 : 3;
}

/* The next unused value of the best rank (mobile: only mobiles). */
static char *
exchange_slot_take(char **v, int *where, size_t n, int mobile)
{
	size_t	i, best = n;
	char	*s;

	for (i = 0; i < n; i++) {
		if (v[i] == NULL || where[i] == EXCHANGE_FAX ||
		    (mobile && where[i] != EXCHANGE_MOBILE) ||
		    (!mobile && where[i] == EXCHANGE_MOBILE))
			continue;
		if (best == n || exchange_rank(where[i]) <
		    exchange_rank(where[best]))
			best = i;
	}
	if (best == n)
		return NULL;
	s = v[best];
	v[best] = NULL;
	return s;
}

/* Give a slot's value to a field the row does not set already. */
static void
exchange_slot_give(struct exchange_row *row, const char *field, char *v)
{
	struct model_change	*c = exchange_row_find(row, field);

	if (v == NULL)
		return;
	if (c != NULL && *c->value != '\0') {
		free(v);
		return;
	}
	exchange_row_set(row, field, v);
}

static size_t
exchange_slot_left(char **v, int *where, size_t n, int fax)
{
	size_t	i, k = 0;

	for (i = 0; i < n; i++) {
		if (v[i] != NULL && (where[i] == EXCHANGE_FAX) == fax)
			k++;
	}
	return k;
}

static void
exchange_slots_apply(struct exchange_slots *s, struct exchange_row *row)
{
	struct exchange_addr	*best = NULL;
	size_t			 i, left, fax, more = 0;
	char			*v;
	int			 j, any;

	exchange_slot_give(row, "mobile", exchange_slot_take(s->phone,
	    s->phone_where, s->nphones, 1));
	exchange_slot_give(row, "phone", exchange_slot_take(s->phone,
	    s->phone_where, s->nphones, 0));
	v = exchange_slot_take(s->phone, s->phone_where, s->nphones, 0);
	if (v == NULL)		/* a second mobile before none at all */
		v = exchange_slot_take(s->phone, s->phone_where, s->nphones, 1);
	exchange_slot_give(row, "phone2", v);
	left = exchange_slot_left(s->phone, s->phone_where, s->nphones, 0) +
	    s->lost;
	fax = exchange_slot_left(s->phone, s->phone_where, s->nphones, 1);
	if (left > 0)
		exchange_remark(row, "%zu more phone number%s not kept", left,
		    left == 1 ? "" : "s");
	if (fax > 0)
		exchange_remark(row, "%zu fax number%s not kept", fax,
		    fax == 1 ? "" : "s");
	exchange_slot_give(row, "email", exchange_slot_take(s->email,
	    s->email_where, s->nemails, 0));
	exchange_slot_give(row, "email2", exchange_slot_take(s->email,
	    s->email_where, s->nemails, 0));
	left = exchange_slot_left(s->email, s->email_where, s->nemails, 0);
	if (left > 0)
		exchange_remark(row, "%zu more email address%s not kept",
		    left, left == 1 ? "" : "es");
	for (i = 0; i < s->naddrs; i++) {
		for (j = 0, any = 0; j < 5; j++)
			any |= s->addr[i].part[j] != NULL;
		if (!any)
			continue;
		if (best == NULL || exchange_rank(s->addr[i].where) <
		    exchange_rank(best->where))
			best = &s->addr[i];
	}
	for (i = 0; i < s->naddrs; i++) {
		for (j = 0, any = 0; j < 5; j++)
			any |= s->addr[i].part[j] != NULL;
		more += any && &s->addr[i] != best;
	}
	if (best != NULL) {
		for (j = 0; j < 5; j++) {
			exchange_slot_give(row, exchange_addr_parts[j],
			    best->part[j] != NULL ? best->part[j] : xstrdup(""));
			best->part[j] = NULL;
		}
	}
	if (more > 0)
		exchange_remark(row, "%zu more address%s not kept", more,
		    more == 1 ? "" : "es");
	exchange_slots_free(s);
}

/* CSV. */

static int
exchange_open_csv(struct exchange_reader *rd, const struct exchange_options *o)
{
	char	**row, sep[8];
	size_t	  n;
	int	  ret;

	if ((rd->csv = csvio_open_with(rd->path, o != NULL ? o->encoding :
	    NULL, o != NULL ? o->separator : 0)) == NULL)
		return -1;
	if ((ret = csvio_next(rd->csv, &row, &n)) != 0) {
		if (ret == 1)
			error_set("%s is empty: its first row must name the "
			    "fields", rd->path);
		return -1;
	}
	if (exchange_map_build(&rd->map, rd->type, row, n, o != NULL ? o->map :
	    NULL, o != NULL && o->ignore_unknown, rd->path) != 0)
		return -1;
	rd->note = rd->map.note != NULL ? xstrdup(rd->map.note) : NULL;
	if (csvio_separator(rd->csv) == '\t')
		snprintf(sep, sizeof sep, "tabs");
	else
		snprintf(sep, sizeof sep, "'%c'", csvio_separator(rd->csv));
	xasprintf(&rd->about, "CSV, %s columns, %s, separated by %s",
	    rd->map.vendor, csvio_encoding(rd->csv), sep);
	return 0;
}

/* "Anna Maria Berg": all but the last word, and the last. */
static void
exchange_split_name(struct exchange_row *row, const char *full)
{
	char	*s = exchange_trim(xstrdup(full)), *sp;

	if ((sp = strrchr(s, ' ')) != NULL) {
		exchange_row_set(row, "last_name", xstrdup(sp + 1));
		*sp = '\0';
		exchange_row_set(row, "first_name", s);
	} else
		exchange_row_set(row, "last_name", s);
}

static int
exchange_next_csv(struct exchange_reader *rd, struct exchange_row *row)
{
	const struct exchange_map	*m = &rd->map;
	const struct exchange_col	*c;
	struct exchange_slots		 slots;
	struct exchange_addr		*a;
	char				**fields, *v, *b, *full = NULL;
	char				*dropped = NULL, *tmp;
	size_t				 n, i;
	int				 ret, where;

	if ((ret = csvio_next(rd->csv, &fields, &n)) != 0)
		return ret;
	row->line = csvio_line(rd->csv);
	row->sparse = m->sparse;
	if (n != m->n) {
		xasprintf(&row->problem, "%zu fields where the header has %zu",
		    n, m->n);
		n = n < m->n ? n : m->n;
	}
	memset(&slots, 0, sizeof slots);
	for (i = 0; i < n; i++) {
		c = &m->cols[i];
		v = fields[i];
		/* A spreadsheet-safe export's quote, and a vendor's blanks. */
		csvio_unsafe(v);
		if (m->sparse)
			exchange_trim(v);
		switch (c->kind) {
		case EXCHANGE_COL_FIELD:
			exchange_row_join(row, c->field, v, c->join);
			break;
		case EXCHANGE_COL_BIRTHDAY:
			b = exchange_birthday(v);
			exchange_row_set(row, c->field, b != NULL ? b :
			    xstrdup(v));
			break;
		case EXCHANGE_COL_ID:
			free(row->key);
			row->key = xstrdup(v);
			break;
		case EXCHANGE_COL_DROP:
			if (*v == '\0' || strcmp(v, "0/0/00") == 0)
				break;
			xasprintf(&tmp, "%s%s%s", dropped != NULL ? dropped :
			    "", dropped != NULL ? ", " : "", c->field);
			free(dropped);
			dropped = tmp;
			break;
		case EXCHANGE_COL_FULLNAME:
			full = v;
			break;
		case EXCHANGE_COL_PHONE:
		case EXCHANGE_COL_EMAIL:
			where = c->where;
			if (where == EXCHANGE_LABELLED)
				where = c->label >= 0 && (size_t)c->label < n ?
				    exchange_where_of(fields[c->label]) :
				    EXCHANGE_OTHER;
			exchange_slot_add(&slots, c->kind ==
			    EXCHANGE_COL_PHONE, where, v);
			break;
		case EXCHANGE_COL_ADDR:
			where = c->where;
			if (where == EXCHANGE_LABELLED)
				where = c->label >= 0 && (size_t)c->label < n ?
				    exchange_where_of(fields[c->label]) :
				    EXCHANGE_OTHER;
			if ((a = exchange_slot_addr(&slots, where, c->group)) !=
			    NULL)
				exchange_addr_set(a, c->field, v, c->join);
			break;
		default:
			break;
		}
	}
	if (full != NULL && *exchange_row_value(row, "first_name") == '\0' &&
	    *exchange_row_value(row, "last_name") == '\0' && *full != '\0')
		exchange_split_name(row, full);
	exchange_slots_apply(&slots, row);
	if (dropped != NULL) {
		exchange_remark(row, "%s not kept", dropped);
		free(dropped);
	}
	return 0;
}

/* vCard. */

/* A vCard 4.0 tel: URI as a number: "tel:+1-418;ext=102", "+1-418 ext. 102". */
static char *
exchange_tel(const char *value)
{
	char	*v = exchange_trim(vcard_text(value)), *p, *ext, *s;

	if (strncasecmp(v, "tel:", 4) != 0)
		return v;
	memmove(v, v + 4, strlen(v + 4) + 1);
	ext = NULL;
	if ((p = strchr(v, ';')) != NULL) {
		*p++ = '\0';
		for (s = strtok(p, ";"); s != NULL; s = strtok(NULL, ";")) {
			if (strncasecmp(s, "ext=", 4) == 0)
				ext = s + 4;
		}
	}
	if (ext != NULL && *ext != '\0') {
		xasprintf(&s, "%s ext. %s", v, ext);
		free(v);
		return s;
	}
	return v;
}

static int
exchange_vcard_where(const struct vcard_prop *p)
{
	if (vcard_has_type(p, "fax"))
		return EXCHANGE_FAX;
	if (vcard_has_type(p, "cell") || vcard_has_type(p, "mobile") ||
	    vcard_has_type(p, "iphone"))
		return EXCHANGE_MOBILE;
	if (vcard_has_type(p, "work"))
		return EXCHANGE_WORK;
	if (vcard_has_type(p, "home"))
		return EXCHANGE_HOME;
	return EXCHANGE_OTHER;
}

/* The first property's text, trimmed; NULL if the card has none. */
static char *
exchange_vcard_first(const struct vcard *c, const char *name, int *count)
{
	const struct vcard_prop	*p, *first = NULL;
	size_t			 from = 0;

	*count = 0;
	while ((p = vcard_find(c, name, &from)) != NULL) {
		if (first == NULL)
			first = p;
		(*count)++;
	}
	return first != NULL ? exchange_trim(vcard_text(first->value)) : NULL;
}

/*
 * An organisation's own card: vCard 4.0 KIND:org, Apple's
 * X-ABShowAs:COMPANY, or a card with an ORG and no person's name (Google
 * and Outlook write an empty N, and FN the same as ORG).
 */
static int
exchange_vcard_is_org(const struct vcard *c, const char *org)
{
	const struct vcard_prop	*p;
	char			**parts, *fn;
	size_t			 from = 0, n, i;
	int			 empty = 1, same;

	if ((p = vcard_find(c, "KIND", &from)) != NULL)
		return strncasecmp(p->value, "org", 3) == 0;
	from = 0;
	if ((p = vcard_find(c, "X-ABSHOWAS", &from)) != NULL &&
	    strcasecmp(p->value, "COMPANY") == 0)
		return 1;
	if (org == NULL || *org == '\0')
		return 0;
	from = 0;
	if ((p = vcard_find(c, "N", &from)) != NULL) {
		parts = vcard_split(p->value, &n);
		for (i = 0; i < n; i++)
			empty &= *exchange_trim(parts[i]) == '\0';
		vcard_strings_free(parts);
	}
	if (!empty)
		return 0;
	from = 0;
	if ((p = vcard_find(c, "FN", &from)) == NULL)
		return 1;
	fn = exchange_trim(vcard_text(p->value));
	same = *fn == '\0' || strcmp(fn, org) == 0;
	free(fn);
	return same;
}

static void
exchange_vcard_common(struct exchange_row *row, const struct vcard *c,
    struct exchange_slots *slots)
{
	const struct vcard_prop	*p;
	struct exchange_addr	*a;
	char			**parts, *v;
	const char		*street[3];
	size_t			 from, n, i;
	int			 count, group = 0;

	from = 0;
	while ((p = vcard_find(c, "TEL", &from)) != NULL) {
		v = exchange_tel(p->value);
		exchange_slot_add(slots, 1, exchange_vcard_where(p), v);
		free(v);
	}
	from = 0;
	while ((p = vcard_find(c, "EMAIL", &from)) != NULL) {
		v = exchange_trim(vcard_text(p->value));
		exchange_slot_add(slots, 0, exchange_vcard_where(p), v);
		free(v);
	}
	from = 0;
	while ((p = vcard_find(c, "ADR", &from)) != NULL) {
		if ((a = exchange_slot_addr(slots, exchange_vcard_where(p),
		    group++)) == NULL)
			continue;
		/* pobox;extended;street;locality;region;postcode;country */
		parts = vcard_split(p->value, &n);
		for (i = 0; i < n; i++)
			exchange_trim(parts[i]);
		street[0] = n > 2 ? parts[2] : "";
		street[1] = n > 1 ? parts[1] : "";
		street[2] = parts[0];
		for (i = 0; i < 3; i++)
			exchange_addr_set(a, "address", street[i], ", ");
		exchange_addr_set(a, "city", n > 3 ? parts[3] : "", NULL);
		exchange_addr_set(a, "region", n > 4 ? parts[4] : "", NULL);
		exchange_addr_set(a, "postcode", n > 5 ? parts[5] : "", NULL);
		exchange_addr_set(a, "country", n > 6 ? parts[6] : "", NULL);
		vcard_strings_free(parts);
	}
	if ((v = exchange_vcard_first(c, "NOTE", &count)) != NULL) {
		exchange_row_set(row, "description", v);
		if (count > 1)
			exchange_remark(row, "%d more notes not kept",
			    count - 1);
	}
	from = 0;
	if ((p = vcard_find(c, "UID", &from)) != NULL) {
		free(row->key);
		row->key = exchange_trim(vcard_text(p->value));
		/* RFC 6350's urn:uuid: is the same UID as the bare one. */
		if (strncasecmp(row->key, "urn:uuid:", 9) == 0)
			memmove(row->key, row->key + 9, strlen(row->key + 9) +
			    1);
		/* Kept, so that crm writes it back and finds it again. */
		exchange_row_set(row, "uid", xstrdup(row->key));
	}
}

static int
exchange_next_vcard(struct exchange_reader *rd, struct exchange_row *row)
{
	const struct vcard_prop	*p;
	struct exchange_slots	 slots;
	struct vcard		*c;
	char			**parts, *s, *org = NULL, *b;
	size_t			 n, from;
	int			 ret, count;

	if ((ret = vcard_next(rd->vc, &c)) != 0)
		return ret;
	row->line = c->line;
	row->sparse = 1;
	memset(&slots, 0, sizeof slots);
	from = 0;
	if ((p = vcard_find(c, "ORG", &from)) != NULL) {
		parts = vcard_split(p->value, &n);
		org = xstrdup(exchange_trim(parts[0]));
		vcard_strings_free(parts);
	}
	if (exchange_vcard_is_org(c, org)) {
		row->type = MODEL_COMPANY;
		if (org == NULL || *org == '\0') {
			free(org);
			org = exchange_vcard_first(c, "FN", &count);
		}
		exchange_row_set(row, "name", org != NULL ? org : xstrdup(""));
		org = NULL;
		if ((s = exchange_vcard_first(c, "URL", &count)) != NULL)
			exchange_row_set(row, "website", s);
	} else {
		row->type = MODEL_CONTACT;
		from = 0;
		if ((p = vcard_find(c, "N", &from)) != NULL) {
			/* family;given;additional;prefixes;suffixes */
			parts = vcard_split(p->value, &n);
			for (from = 0; from < n; from++)
				exchange_trim(parts[from]);
			exchange_row_set(row, "last_name", xstrdup(parts[0]));
			exchange_row_set(row, "first_name", xstrdup(n > 1 ?
			    parts[1] : ""));
			exchange_row_join(row, "first_name", n > 2 ? parts[2] :
			    "", " ");
			if (n > 3 && *parts[3] != '\0')
				exchange_row_set(row, "title",
				    xstrdup(parts[3]));
			if (n > 4 && *parts[4] != '\0')
				exchange_row_join(row, "last_name", parts[4],
				    ", ");
			vcard_strings_free(parts);
		}
		if (*exchange_row_value(row, "first_name") == '\0' &&
		    *exchange_row_value(row, "last_name") == '\0' &&
		    (s = exchange_vcard_first(c, "FN", &count)) != NULL) {
			/* No N: the last word of FN is the last name. */
			exchange_split_name(row, s);
			free(s);
		}
		if (org != NULL)
			exchange_row_set(row, "company", org);
		org = NULL;
		if ((s = exchange_vcard_first(c, "TITLE", &count)) != NULL)
			exchange_row_set(row, "job_title", s);
		if ((s = exchange_vcard_first(c, "BDAY", &count)) != NULL) {
			if ((b = exchange_birthday(s)) != NULL)
				exchange_row_set(row, "birthday", b);
			else
				exchange_remark(row, "birthday \"%s\" not "
				    "kept: crm keeps a day", s);
			free(s);
		}
		if ((s = exchange_vcard_first(c, "URL", &count)) != NULL) {
			exchange_remark(row, "website not kept");
			free(s);
		}
	}
	free(org);
	if (rd->type == MODEL_COMPANY && row->type == MODEL_CONTACT &&
	    row->problem == NULL)
		row->problem = xstrdup("a person's card: import it with crm "
		    "import contact");
	exchange_vcard_common(row, c, &slots);
	exchange_slots_apply(&slots, row);
	for (n = 0; n < c->nprops && row->problem == NULL; n++) {
		if (c->props[n].bad_utf8)
			xasprintf(&row->problem, "line %lu: %s is not UTF-8 "
			    "text and names no CHARSET", c->props[n].line,
			    c->props[n].name);
	}
	vcard_free(c);
	return 0;
}

/* iCalendar: the events or the tasks of a calendar. */

static int
exchange_next_ical(struct exchange_reader *rd, struct exchange_row *row)
{
	struct ical_in	*it;
	int		 ret, want = rd->type == MODEL_TASK;

	for (;;) {
		if ((ret = ical_next(rd->ical, &it)) != 0)
			return ret;
		if (it->is_task == want)
			break;
		rd->skipped++;
		ical_in_free(it);
	}
	row->line = it->line;
	row->type = rd->type;
	row->sparse = 1;
	free(row->key);
	row->key = xstrdup(it->uid != NULL ? it->uid : "");
	if (*row->key != '\0')
		exchange_row_set(row, "uid", xstrdup(row->key));
	if (it->summary != NULL)
		exchange_row_set(row, "subject", xstrdup(it->summary));
	if (it->description != NULL)
		exchange_row_set(row, "description", xstrdup(it->description));
	if (!it->is_task) {
		exchange_row_set(row, "start", xstrdup(it->start != NULL ?
		    it->start : ""));
		exchange_row_set(row, "end", xstrdup(it->end != NULL ?
		    it->end : ""));
		if (it->location != NULL)
			exchange_row_set(row, "location",
			    xstrdup(it->location));
	} else {
		exchange_row_set(row, "due", xstrdup(it->due != NULL ?
		    it->due : ""));
		if (it->status != NULL)
			exchange_row_set(row, "status", xstrdup(it->status));
		if (it->priority != NULL)
			exchange_row_set(row, "priority",
			    xstrdup(it->priority));
	}
	if (it->problem != NULL)
		row->problem = xstrdup(it->problem);
	if (it->remark != NULL)
		exchange_remark(row, "%s", it->remark);
	ical_in_free(it);
	return 0;
}

/* The reader. */

struct exchange_reader *
exchange_reader_open(const char *path, int type, int format,
    const struct exchange_options *o)
{
	struct exchange_reader	*rd;

	if (access(path, R_OK) != 0) {
		error_set("cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	if (format == -1)
		format = (int)exchange_format_sniff(path);
	if (!exchange_format_readable(type, (enum exchange_format)format))
		return NULL;
	rd = xcalloc(1, sizeof *rd);
	rd->path = xstrdup(path);
	rd->type = type;
	rd->fmt = (enum exchange_format)format;
	switch (rd->fmt) {
	case EXCHANGE_VCARD:
		rd->about = xstrdup("vCard");
		if ((rd->vc = vcard_open(path)) == NULL)
			goto fail;
		break;
	case EXCHANGE_ICAL:
		rd->about = xstrdup("iCalendar");
		if ((rd->ical = ical_reader_open(path)) == NULL)
			goto fail;
		break;
	default:
		if (exchange_open_csv(rd, o) != 0)
			goto fail;
		break;
	}
	return rd;
fail:
	exchange_reader_close(rd);
	return NULL;
}

enum exchange_format
exchange_reader_format(const struct exchange_reader *rd)
{
	return rd->fmt;
}

const char *
exchange_reader_about(const struct exchange_reader *rd)
{
	return rd->about;
}

const char *
exchange_reader_note(const struct exchange_reader *rd)
{
	const char	*what = rd->type == MODEL_TASK ? "event" : "task";

	/* Said once the whole calendar is read. */
	if (rd->fmt == EXCHANGE_ICAL && rd->skipped > 0 && rd->note == NULL)
		xasprintf(&((struct exchange_reader *)rd)->note, "%lu %s%s "
		    "left out: import %s with crm import %s %s",
		    rd->skipped, what, rd->skipped == 1 ? " was" : "s were",
		    rd->skipped == 1 ? "it" : "them", what, rd->path);
	return rd->note;
}

void
exchange_reader_close(struct exchange_reader *rd)
{
	if (rd == NULL)
		return;
	csvio_close(rd->csv);
	exchange_map_clear(&rd->map);
	vcard_close(rd->vc);
	ical_reader_close(rd->ical);
	free(rd->about);
	free(rd->note);
	free(rd->path);
	free(rd);
}

int
exchange_next(struct exchange_reader *rd, struct exchange_row **out)
{
	struct exchange_row	*row;
	int			 ret;

	row = xcalloc(1, sizeof *row);
	row->key = xstrdup("");
	row->type = rd->type;
	if (rd->fmt == EXCHANGE_VCARD)
		ret = exchange_next_vcard(rd, row);
	else if (rd->fmt == EXCHANGE_ICAL)
		ret = exchange_next_ical(rd, row);
	else
		ret = exchange_next_csv(rd, row);
	if (ret != 0) {
		exchange_row_free(row);
		*out = NULL;
		return ret;
	}
	row->number = ++rd->number;
	*out = row;
	return 0;
}
