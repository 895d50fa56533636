/* exchange: CSV, vCard and iCalendar files in and out of crm. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "clock.h"
#include "csvio.h"
#include "error.h"
#include "exchange.h"
#include "ical.h"
#include "model.h"
#include "rights.h"
#include "user.h"
#include "utf8.h"
#include "vcard.h"
#include "xmalloc.h"

static const char *const exchange_names[] = { "csv", "vcard", "ical" };

int
exchange_format_find(const char *name)
{
	if (strcasecmp(name, "csv") == 0)
		return EXCHANGE_CSV;
	if (strcasecmp(name, "vcard") == 0 || strcasecmp(name, "vcf") == 0)
		return EXCHANGE_VCARD;
	if (strcasecmp(name, "ical") == 0 || strcasecmp(name, "ics") == 0 ||
	    strcasecmp(name, "icalendar") == 0)
		return EXCHANGE_ICAL;
	error_set("\"%s\" is not a format: the formats are csv, vcard "
	    "(contacts) and ical (events and tasks)", name);
	return -1;
}

const char *
exchange_format_name(enum exchange_format fmt)
{
	return exchange_names[fmt];
}

const char *
exchange_format_ext(enum exchange_format fmt)
{
	switch (fmt) {
	case EXCHANGE_VCARD:
		return ".vcf";
	case EXCHANGE_ICAL:
		return ".ics";
	default:
		return ".csv";
	}
}

int
exchange_format_allowed(int type, enum exchange_format fmt)
{
	const char	*name = model_type(type)->plural;

	if (fmt == EXCHANGE_CSV ||
	    (fmt == EXCHANGE_VCARD && type == MODEL_CONTACT) ||
	    (fmt == EXCHANGE_ICAL && (type == MODEL_EVENT ||
	    type == MODEL_TASK)))
		return 1;
	if (type == MODEL_CONTACT)
		error_set("%s are written as csv or vcard, not %s", name,
		    exchange_names[fmt]);
	else if (type == MODEL_EVENT || type == MODEL_TASK)
		error_set("%s are written as csv or ical, not %s", name,
		    exchange_names[fmt]);
	else
		error_set("%s are written as csv only (vcard is for contacts, "
		    "ical for events and tasks)", name);
	return 0;
}

int
exchange_file_open(struct exchange_file *xf, const char *path)
{
	int	fd;

	memset(xf, 0, sizeof *xf);
	xasprintf(&xf->tmp, "%s.tmp", path);
	unlink(xf->tmp);
	fd = open(xf->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 || (xf->f = fdopen(fd, "w")) == NULL) {
		/* Said of the file asked for, not of the one beside it. */
		error_set("cannot create %s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		free(xf->tmp);
		xf->tmp = NULL;
		return -1;
	}
	xf->path = xstrdup(path);
	return 0;
}

int
exchange_file_close(struct exchange_file *xf, int ok)
{
	int	ret = 0;

	if (xf->f == NULL)
		return -1;
	if (ok && (fflush(xf->f) != 0 || fsync(fileno(xf->f)) != 0)) {
		error_set("cannot write %s: %s", xf->path, strerror(errno));
		ok = 0;
	}
	if (fclose(xf->f) != 0 && ok) {
		error_set("cannot write %s: %s", xf->path, strerror(errno));
		ok = 0;
	}
	xf->f = NULL;
	if (ok && rename(xf->tmp, xf->path) != 0) {
		error_set("cannot rename %s to %s: %s", xf->tmp, xf->path,
		    strerror(errno));
		ok = 0;
	}
	if (!ok) {
		unlink(xf->tmp);
		ret = -1;
	}
	free(xf->tmp);
	free(xf->path);
	xf->tmp = xf->path = NULL;
	return ret;
}

/* Writing. */

struct exchange_writer {
	FILE			*f;
	char			*name;
	int			 type;
	enum exchange_format	 fmt;
	const char		**cols;		/* CSV columns */
	size_t			 ncols;
	struct ical_writer	*ical;
	/* The last company looked up: contacts come in runs of one. */
	struct record_id	 company_id;
	char			*company_name;
};

struct exchange_writer *
exchange_writer_open(FILE *f, const char *name, int type,
    enum exchange_format fmt)
{
	const struct model_type	*mt = model_type(type);
	struct exchange_writer	*w;
	size_t			 i;

	if (!exchange_format_allowed(type, fmt))
		return NULL;
	w = xcalloc(1, sizeof *w);
	w->f = f;
	w->name = xstrdup(name);
	w->type = type;
	w->fmt = fmt;
	if (fmt == EXCHANGE_CSV) {
		w->cols = xcalloc(mt->nfields + 6, sizeof *w->cols);
		for (i = 0; model_meta_fields[i] != NULL; i++)
			w->cols[w->ncols++] = model_meta_fields[i];
		for (i = 0; i < mt->nfields; i++) {
			if ((mt->fields[i].flags & MODEL_SECRET) == 0)
				w->cols[w->ncols++] = mt->fields[i].name;
		}
		if (csvio_write_row(f, w->cols, w->ncols) != 0) {
			exchange_writer_close(w);
			return NULL;
		}
	} else if (fmt == EXCHANGE_ICAL)
		w->ical = ical_open(f, name);
	return w;
}

int
exchange_writer_close(struct exchange_writer *w)
{
	int	ret = 0;

	if (w == NULL)
		return 0;
	if (w->ical != NULL)
		ret = ical_close(w->ical);
	if (ret == 0 && ferror(w->f)) {
		error_set("cannot write %s: %s", w->name, strerror(errno));
		ret = -1;
	}
	free(w->cols);
	free(w->company_name);
	free(w->name);
	free(w);
	return ret;
}

/* A contact's company name ("" if none). */
static const char *
exchange_company_name(struct exchange_writer *w, struct store_txn *t,
    const struct record *r)
{
	struct record_id	 id;
	struct record		*c;
	const char		*ref = record_value(r, "company");

	if (*ref == '\0' || record_id_parse(ref, &id) != 0)
		return "";
	if (w->company_name != NULL &&
	    record_id_cmp(&id, &w->company_id) == 0)
		return w->company_name;
	free(w->company_name);
	w->company_name = NULL;
	if (store_get(t, MODEL_COMPANY, &id, &c) != 0) {
		error_clear();
		return "";
	}
	w->company_id = id;
	w->company_name = xstrdup((c->flags & RECORD_DELETED) ? "" :
	    record_value(c, "name"));
	record_free(c);
	return w->company_name;
}

static int
exchange_put_vcard(struct exchange_writer *w, struct store_txn *t,
    const struct record *r)
{
	FILE		*f = w->f;
	const char	*first = record_value(r, "first_name");
	const char	*last = record_value(r, "last_name");
	const char	*n[5], *adr[7];
	char		 id[RECORD_ID_TEXT + 1], rev[32], *fn, *line;
	int		 ret = 0;

	record_id_format(&r->id, id);
	vcard_put_line(f, "BEGIN:VCARD");
	vcard_put_line(f, "VERSION:4.0");
	xasprintf(&fn, "%s%s%s", first, *first != '\0' && *last != '\0' ?
	    " " : "", last);
	/* FN is required even when empty. */
	if (*fn == '\0')
		vcard_put_line(f, "FN:");
	else
		vcard_put_text(f, "FN", fn);
	free(fn);
	n[0] = last;
	n[1] = first;
	n[2] = n[3] = n[4] = "";
	vcard_put_struct(f, "N", n, 5);
	vcard_put_text(f, "ORG", exchange_company_name(w, t, r));
	vcard_put_text(f, "TITLE", record_value(r, "job_title"));
	vcard_put_text(f, "TEL;TYPE=work,voice", record_value(r, "phone"));
	vcard_put_text(f, "TEL;TYPE=cell", record_value(r, "mobile"));
	vcard_put_text(f, "EMAIL;TYPE=work", record_value(r, "email"));
	adr[0] = adr[1] = adr[4] = adr[5] = "";
	adr[2] = record_value(r, "address");
	adr[3] = record_value(r, "city");
	adr[6] = record_value(r, "country");
	vcard_put_struct(f, "ADR;TYPE=work", adr, 7);
	vcard_put_text(f, "NOTE", record_value(r, "description"));
	/* The crm ID as text: RFC 6350 lets UID be reset to text. */
	xasprintf(&line, "UID;VALUE=text:%s", id);
	vcard_put_line(f, line);
	free(line);
	clock_format(r->modified, rev, sizeof rev);
	/* REV is a timestamp: 2026-11-25T14:03:07Z -> 20261125T140307Z */
	{
		char	 b[32], *o = b;
		const char *p;

		for (p = rev; *p != '\0'; p++) {
			if (*p != '-' && *p != ':')
				*o++ = *p;
		}
		*o = '\0';
		xasprintf(&line, "REV:%s", b);
	}
	vcard_put_line(f, line);
	free(line);
	if (vcard_put_line(f, "END:VCARD") != 0)
		ret = -1;
	return ret;
}

int
exchange_put(struct exchange_writer *w, struct store_txn *t,
    const struct record *r)
{
	struct ical_item	 it;
	char			**vals, id[RECORD_ID_TEXT + 1];
	size_t			 i;
	int			 ret;

	switch (w->fmt) {
	case EXCHANGE_CSV:
		vals = xcalloc(w->ncols, sizeof *vals);
		for (i = 0; i < w->ncols; i++)
			vals[i] = model_value(r, w->cols[i]);
		ret = csvio_write_row(w->f, (const char *const *)vals,
		    w->ncols);
		for (i = 0; i < w->ncols; i++)
			free(vals[i]);
		free(vals);
		return ret;
	case EXCHANGE_VCARD:
		return exchange_put_vcard(w, t, r);
	case EXCHANGE_ICAL:
		memset(&it, 0, sizeof it);
		record_id_format(&r->id, id);
		it.todo = w->type == MODEL_TASK;
		it.uid = id;
		it.created_ms = clock_stamp_ms(r->created);
		it.modified_ms = clock_stamp_ms(r->modified);
		it.start = record_value(r, "start");
		it.end = record_value(r, "end");
		it.due = record_value(r, "due");
		it.summary = record_value(r, "subject");
		it.location = record_value(r, "location");
		it.description = record_value(r, "description");
		it.status = record_value(r, "status");
		it.priority = record_value(r, "priority");
		return ical_put(w->ical, &it);
	}
	return -1;
}

/* Reading. */

struct exchange_reader {
	enum exchange_format	 fmt;
	char			*path;
	struct csvio_reader	*csv;
	char			**header;
	size_t			 ncols;
	struct vcard_reader	*vc;
	unsigned long		 number;
};

int
exchange_is_vcard(const char *path)
{
	FILE	*f;
	char	 buf[256], *p;
	int	 yes = 0;

	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	while (fgets(buf, sizeof buf, f) != NULL) {
		p = buf;
		if (strncmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3;
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			continue;
		yes = strncasecmp(p, "BEGIN:VCARD", 11) == 0;
		break;
	}
	fclose(f);
	return yes;
}

struct exchange_reader *
exchange_reader_open(const char *path, int format)
{
	struct exchange_reader	*rd;
	char			**row;
	size_t			 n, i;
	int			 ret;

	if (format == EXCHANGE_ICAL) {
		error_set("crm reads contacts from csv or vcard files, not "
		    "ical");
		return NULL;
	}
	if (access(path, R_OK) != 0) {
		error_set("cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	rd = xcalloc(1, sizeof *rd);
	rd->path = xstrdup(path);
	if (format == -1)
		format = exchange_is_vcard(path) ? EXCHANGE_VCARD :
		    EXCHANGE_CSV;
	rd->fmt = (enum exchange_format)format;
	if (rd->fmt == EXCHANGE_VCARD) {
		if ((rd->vc = vcard_open(path)) == NULL)
			goto fail;
		return rd;
	}
	if ((rd->csv = csvio_open(path)) == NULL)
		goto fail;
	if ((ret = csvio_next(rd->csv, &row, &n)) != 0) {
		if (ret == 1)
			error_set("%s is empty: its first row must name the "
			    "fields", path);
		goto fail;
	}
	rd->header = xcalloc(n + 1, sizeof *rd->header);
	for (i = 0; i < n; i++) {
		rd->header[i] = xstrdup(row[i]);
		if (!model_is_field(MODEL_CONTACT, row[i])) {
			char	*all = model_field_list(MODEL_CONTACT);

			error_set("%s line 1: contact has no field \"%s\"; its "
			    "fields are %s", path, row[i], all);
			free(all);
			rd->ncols = i + 1;
			goto fail;
		}
	}
	rd->ncols = n;
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

void
exchange_reader_close(struct exchange_reader *rd)
{
	size_t	i;

	if (rd == NULL)
		return;
	csvio_close(rd->csv);
	vcard_close(rd->vc);
	for (i = 0; i < rd->ncols; i++)
		free(rd->header[i]);
	free(rd->header);
	free(rd->path);
	free(rd);
}

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
	free(row->company);
	free(row->uid);
	free(row->problem);
	free(row->remark);
	free(row);
}

/* Set a field of a row (the last value given wins); value is taken. */
static void
exchange_row_set(struct exchange_row *row, const char *name, char *value)
{
	size_t	i;

	for (i = 0; i < row->nch; i++) {
		if (strcmp(row->ch[i].name, name) == 0) {
			free((char *)row->ch[i].value);
			row->ch[i].value = value;
			return;
		}
	}
	row->ch = xreallocarray(row->ch, row->nch + 1, sizeof *row->ch);
	row->ch[row->nch].name = xstrdup(name);
	row->ch[row->nch++].value = value;
}

const char *
exchange_row_value(const struct exchange_row *row, const char *field)
{
	size_t	i;

	if (strcmp(field, "company") == 0)
		return row->company;
	for (i = 0; i < row->nch; i++) {
		if (strcmp(row->ch[i].name, field) == 0)
			return row->ch[i].value;
	}
	return "";
}

char *
exchange_row_name(const struct exchange_row *row)
{
	const char	*a = exchange_row_value(row, "first_name");
	const char	*b = exchange_row_value(row, "last_name");
	char		*s;

	xasprintf(&s, "%s%s%s", a, *a != '\0' && *b != '\0' ? " " : "", b);
	return s;
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

static int
exchange_next_csv(struct exchange_reader *rd, struct exchange_row *row)
{
	char	**fields;
	size_t	 n, i;
	int	 ret;

	if ((ret = csvio_next(rd->csv, &fields, &n)) != 0)
		return ret;
	row->line = csvio_line(rd->csv);
	if (n != rd->ncols) {
		xasprintf(&row->problem, "%zu fields where the header has %zu",
		    n, rd->ncols);
		n = n < rd->ncols ? n : rd->ncols;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(rd->header[i], "company") == 0) {
			free(row->company);
			row->company = xstrdup(fields[i]);
		} else if (strcmp(rd->header[i], "id") == 0) {
			free(row->uid);
			row->uid = xstrdup(fields[i]);
		} else if (!model_is_meta(rd->header[i]))
			exchange_row_set(row, rd->header[i],
			    xstrdup(fields[i]));
	}
	return 0;
}

/* The text of the first property named name that is preferred, else the
 * first; *count is how many there are. NULL if none. */
static const struct vcard_prop *
exchange_vcard_pick(const struct vcard *c, const char *name,
    const char *want_type, const char *skip_type, int *count)
{
	const struct vcard_prop	*p, *best = NULL;
	size_t			 from = 0;
	const char		*pref;
	int			 best_rank = -1, rank;

	*count = 0;
	while ((p = vcard_find(c, name, &from)) != NULL) {
		if (skip_type != NULL && vcard_has_type(p, skip_type))
			continue;
		if (want_type != NULL && strcmp(want_type, "cell") == 0 &&
		    !vcard_has_type(p, "cell"))
			continue;
		(*count)++;
		rank = 0;
		if (want_type != NULL && vcard_has_type(p, want_type))
			rank += 2;
		pref = vcard_param(p, "PREF");
		if (vcard_has_type(p, "pref") || (pref != NULL &&
		    strcmp(pref, "1") == 0))
			rank += 1;
		if (rank > best_rank) {
			best = p;
			best_rank = rank;
		}
	}
	return best;
}

/* Join the non-empty strings with sep into a new string. */
static char *
exchange_join(const char *const *parts, size_t n, const char *sep)
{
	char	*s = xstrdup(""), *tmp;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (parts[i] == NULL || *parts[i] == '\0')
			continue;
		xasprintf(&tmp, "%s%s%s", s, *s != '\0' ? sep : "", parts[i]);
		free(s);
		s = tmp;
	}
	return s;
}

static void
exchange_vcard_text(struct exchange_row *row, const struct vcard *c,
    const char *prop, const char *field, const char *want,
    const char *skip, const char *one, const char *many)
{
	const struct vcard_prop	*p;
	int			 count;

	if ((p = exchange_vcard_pick(c, prop, want, skip, &count)) == NULL)
		return;
	if (p->bad_utf8 && row->problem == NULL)
		xasprintf(&row->problem, "line %lu: %s is not UTF-8 text and "
		    "names no CHARSET", p->line, p->name);
	exchange_row_set(row, field, vcard_text(p->value));
	if (count > 1)
		exchange_remark(row, "%d more %s not kept", count - 1,
		    count == 2 ? one : many);
}

static int
exchange_next_vcard(struct exchange_reader *rd, struct exchange_row *row)
{
	const struct vcard_prop	*p;
	struct vcard		*c;
	char			**parts, *s;
	const char		*street[3];
	size_t			 n, from;
	int			 ret, count;

	if ((ret = vcard_next(rd->vc, &c)) != 0)
		return ret;
	row->line = c->line;
	from = 0;
	if ((p = vcard_find(c, "N", &from)) != NULL) {
		parts = vcard_split(p->value, &n);
		exchange_row_set(row, "last_name", xstrdup(parts[0]));
		exchange_row_set(row, "first_name", xstrdup(n > 1 ?
		    parts[1] : ""));
		vcard_strings_free(parts);
	}
	from = 0;
	if (*exchange_row_value(row, "first_name") == '\0' &&
	    *exchange_row_value(row, "last_name") == '\0' &&
	    (p = vcard_find(c, "FN", &from)) != NULL) {
		/* No N: the last word of the formatted name is the last name. */
		s = vcard_text(p->value);
		if (strrchr(s, ' ') != NULL) {
			exchange_row_set(row, "last_name",
			    xstrdup(strrchr(s, ' ') + 1));
			*strrchr(s, ' ') = '\0';
			exchange_row_set(row, "first_name", s);
		} else
			exchange_row_set(row, "last_name", s);
	}
	from = 0;
	if ((p = vcard_find(c, "ORG", &from)) != NULL) {
		parts = vcard_split(p->value, &n);
		free(row->company);
		row->company = xstrdup(parts[0]);
		vcard_strings_free(parts);
	}
	exchange_vcard_text(row, c, "TITLE", "job_title", NULL, NULL,
	    "title", "titles");
	exchange_vcard_text(row, c, "TEL", "mobile", "cell", NULL,
	    "mobile number", "mobile numbers");
	exchange_vcard_text(row, c, "TEL", "phone", "work", "cell",
	    "phone number", "phone numbers");
	exchange_vcard_text(row, c, "EMAIL", "email", "work", NULL,
	    "email address", "email addresses");
	exchange_vcard_text(row, c, "NOTE", "description", NULL, NULL,
	    "note", "notes");
	if ((p = exchange_vcard_pick(c, "ADR", "work", NULL, &count)) !=
	    NULL) {
		parts = vcard_split(p->value, &n);
		/* pobox;extended;street;locality;region;postcode;country */
		street[0] = n > 2 ? parts[2] : "";
		street[1] = n > 1 ? parts[1] : "";
		street[2] = parts[0];
		exchange_row_set(row, "address", exchange_join(street, 3,
		    ", "));
		street[0] = n > 5 ? parts[5] : "";
		street[1] = n > 3 ? parts[3] : "";
		s = exchange_join(street, 2, " ");
		street[0] = s;
		street[1] = n > 4 ? parts[4] : "";
		exchange_row_set(row, "city", exchange_join(street, 2, ", "));
		free(s);
		exchange_row_set(row, "country", xstrdup(n > 6 ? parts[6] :
		    ""));
		vcard_strings_free(parts);
		if (count > 1)
			exchange_remark(row, "%d more %s not kept", count - 1,
			    count == 2 ? "address" : "addresses");
	}
	from = 0;
	if ((p = vcard_find(c, "UID", &from)) != NULL) {
		free(row->uid);
		row->uid = vcard_text(p->value);
	}
	for (n = 0; n < c->nprops && row->problem == NULL; n++) {
		if (c->props[n].bad_utf8 && (strcmp(c->props[n].name, "N") ==
		    0 || strcmp(c->props[n].name, "FN") == 0 ||
		    strcmp(c->props[n].name, "ORG") == 0 ||
		    strcmp(c->props[n].name, "ADR") == 0))
			xasprintf(&row->problem, "line %lu: %s is not UTF-8 "
			    "text and names no CHARSET", c->props[n].line,
			    c->props[n].name);
	}
	vcard_free(c);
	return 0;
}

int
exchange_next(struct exchange_reader *rd, struct exchange_row **out)
{
	struct exchange_row	*row;
	int			 ret;

	row = xcalloc(1, sizeof *row);
	row->company = xstrdup("");
	row->uid = xstrdup("");
	if (rd->fmt == EXCHANGE_VCARD)
		ret = exchange_next_vcard(rd, row);
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

/* Importing. */

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

void
exchange_result_clear(struct exchange_result *res)
{
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
	xvasprintf(&res->reason, fmt, ap);
	va_end(ap);
	res->created = 0;
	return 0;
}

/*
 * A live contact with the row's name and email (or, with no email on
 * either, the same company), found through the name index: importing a
 * file twice must not make everyone twice. 0 none, 1 (*id) one, -1.
 */
static int
exchange_duplicate(struct store_txn *t, const struct exchange_row *row,
    const struct record_id *company, struct record_id *id)
{
	struct store_cursor	*c;
	struct record		*r;
	const char		*first = exchange_row_value(row, "first_name");
	const char		*last = exchange_row_value(row, "last_name");
	const char		*mail = exchange_row_value(row, "email");
	char			*joined, *key, ctext[RECORD_ID_TEXT + 1];
	int			 ret, found = 0;

	if (*first == '\0' && *last == '\0')
		return 0;
	ctext[0] = '\0';
	if (company != NULL)
		record_id_format(company, ctext);
	/* The name index joins last and first name (model_schema). */
	xasprintf(&joined, "%s%s%s", last, *last != '\0' && *first != '\0' ?
	    " " : "", first);
	key = store_name_key(joined);
	free(joined);
	if (store_cursor_open(t, MODEL_CONTACT, STORE_BY_NAME, 0, &c) != 0) {
		free(key);
		return -1;
	}
	store_cursor_seek(c, key, strlen(key), 1);
	while (!found && (ret = store_cursor_next(c, &r)) == 0) {
		if (strcmp(record_value(r, "first_name"), first) == 0 &&
		    strcmp(record_value(r, "last_name"), last) == 0) {
			if (*mail != '\0')
				found = strcasecmp(record_value(r, "email"),
				    mail) == 0;
			else
				found = *record_value(r, "email") == '\0' &&
				    strcmp(record_value(r, "company"),
				    ctext) == 0;
			if (found)
				*id = r->id;
		}
		record_free(r);
	}
	store_cursor_close(c);
	free(key);
	if (!found && ret == -1)
		return -1;
	return found;
}

/*
 * Check a contact row as model_add will, before anything is written, so
 * a row refused leaves no company behind it.
 */
static int
exchange_check(struct store_txn *t, const struct user *actor,
    const struct exchange_row *row, int need_company)
{
	const struct model_field	*mf;
	struct record			*r;
	const char			*m;
	size_t				 i;
	int				 ret = -1;

	r = record_new();
	for (i = 0; i < row->nch; i++) {
		mf = model_field_find(MODEL_CONTACT, row->ch[i].name);
		if (mf == NULL || (mf->flags & MODEL_SYSTEM)) {
			error_set("contact has no field \"%s\"",
			    row->ch[i].name);
			goto out;
		}
		record_set(r, row->ch[i].name, row->ch[i].value, 0);
	}
	m = record_value(r, "account_manager");
	if (*m != '\0' && strcmp(m, actor->uid) != 0 &&
	    !rights_may_change_manager(actor))
		goto out;
	if (model_validate(t, MODEL_CONTACT, r) != 0)
		goto out;
	if (need_company) {
		record_free(r);
		r = record_new();
		record_set(r, "name", row->company, 0);
		if (model_validate(t, MODEL_COMPANY, r) != 0) {
			error_prefix("the new company: ");
			goto out;
		}
	}
	ret = 0;
out:
	record_free(r);
	return ret;
}

int
exchange_import(struct store_txn *t, const struct user *actor,
    const struct exchange_row *row, struct exchange_result *res)
{
	struct model_change	*ch, cch;
	struct record_id	 id, cid;
	struct record		*old;
	char			 idtext[RECORD_ID_TEXT + 1];
	int			 ret, need_company = 0, have_company = 0;

	memset(res, 0, sizeof *res);
	if (row->problem != NULL)
		return exchange_refuse(res, "%s", row->problem);
	/* The same card or row imported twice is refused the second time. */
	if (*row->uid != '\0' && record_id_parse(row->uid, &id) == 0) {
		if ((ret = store_get(t, MODEL_CONTACT, &id, &old)) == -1)
			return -1;
		if (ret == 0) {
			ret = (old->flags & RECORD_DELETED) == 0;
			record_free(old);
			if (ret)
				return exchange_refuse(res, "already here: "
				    "contact %s has its ID", row->uid);
		}
	}
	error_clear();
	if (*row->company != '\0') {
		if (record_id_parse(row->company, &cid) == 0 &&
		    (ret = store_get(t, MODEL_COMPANY, &cid, &old)) != 1) {
			if (ret == -1)
				return -1;
			ret = (old->flags & RECORD_DELETED) != 0;
			record_free(old);
			if (ret)
				return exchange_refuse(res, "company %s was "
				    "deleted", row->company);
			have_company = 1;
			res->company_matched = 1;
		} else if ((ret = exchange_company_find(t, row->company,
		    &cid)) == 0) {
			have_company = 1;
			res->company_matched = 1;
		} else if (ret == -1)
			return -1;
		else if (ret == STORE_AMBIGUOUS)
			return exchange_refuse(res, "%s", error_get());
		else
			need_company = 1;
	}
	if (!need_company) {
		ret = exchange_duplicate(t, row, have_company ? &cid : NULL,
		    &id);
		if (ret == -1)
			return -1;
		if (ret == 1) {
			record_id_format(&id, idtext);
			return exchange_refuse(res, "already here: contact %s "
			    "has this name and %s", idtext,
			    *exchange_row_value(row, "email") != '\0' ?
			    "email" : "company");
		}
	}
	if (exchange_check(t, actor, row, need_company) != 0)
		return exchange_refuse(res, "%s", error_get());
	if (need_company) {
		cch.name = "name";
		cch.value = row->company;
		if (model_add(t, actor, MODEL_COMPANY, &cch, 1, &cid) != 0)
			return -1;
		have_company = 1;
		res->company_created = 1;
	}
	ch = xcalloc(row->nch + 1, sizeof *ch);
	memcpy(ch, row->ch, row->nch * sizeof *ch);
	if (have_company) {
		record_id_format(&cid, idtext);
		ch[row->nch].name = "company";
		ch[row->nch].value = idtext;
		res->company = cid;
	}
	ret = model_add(t, actor, MODEL_CONTACT, ch, row->nch + have_company,
	    &res->id);
	free(ch);
	if (ret != 0) {
		/* Checked above: only a company made for it can be in the way. */
		if (need_company)
			return -1;
		return exchange_refuse(res, "%s", error_get());
	}
	res->created = 1;
	return 0;
}
