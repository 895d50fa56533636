/* exchange: CSV, vCard and iCalendar files in and out of crm. */
#include "config.h"

#include <sys/stat.h>

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
#include "store.h"
#include "strmap.h"
#include "user.h"
#include "utf8.h"
#include "vcard.h"
#include "xmalloc.h"

static const char *const exchange_names[] = { "csv", "vcard", "ical" };
static const char *const exchange_labels[] = { "CSV", "vCard", "iCalendar" };

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
exchange_format_label(enum exchange_format fmt)
{
	return exchange_labels[fmt];
}

int
exchange_format_of_name(const char *path)
{
	const char	*dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return -1;
	if (strcasecmp(dot, ".vcf") == 0 || strcasecmp(dot, ".vcard") == 0)
		return EXCHANGE_VCARD;
	if (strcasecmp(dot, ".ics") == 0 || strcasecmp(dot, ".ical") == 0 ||
	    strcasecmp(dot, ".ifb") == 0)
		return EXCHANGE_ICAL;
	if (strcasecmp(dot, ".csv") == 0)
		return EXCHANGE_CSV;
	return -1;
}

enum exchange_format
exchange_format_sniff(const char *path)
{
	FILE			*f;
	char			 buf[256], *p;
	enum exchange_format	 fmt = EXCHANGE_CSV;

	if ((f = fopen(path, "rb")) == NULL)
		return EXCHANGE_CSV;
	while (fgets(buf, sizeof buf, f) != NULL) {
		p = buf;
		if (strncmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3;
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			continue;
		if (strncasecmp(p, "BEGIN:VCARD", 11) == 0)
			fmt = EXCHANGE_VCARD;
		else if (strncasecmp(p, "BEGIN:VCALENDAR", 15) == 0)
			fmt = EXCHANGE_ICAL;
		break;
	}
	fclose(f);
	return fmt;
}

/* Whether a format holds a type; error set with verb ("read from"...). */
static int
exchange_format_fits(int type, enum exchange_format fmt, const char *verb)
{
	const char	*name = model_type(type)->plural;

	if (fmt == EXCHANGE_CSV ||
	    (fmt == EXCHANGE_VCARD && (type == MODEL_CONTACT ||
	    type == MODEL_COMPANY)) ||
	    (fmt == EXCHANGE_ICAL && (type == MODEL_EVENT ||
	    type == MODEL_TASK)))
		return 1;
	if (type == MODEL_CONTACT || type == MODEL_COMPANY)
		error_set("%s are %s csv or vcard, not %s", name, verb,
		    exchange_names[fmt]);
	else if (type == MODEL_EVENT || type == MODEL_TASK)
		error_set("%s are %s csv or ical, not %s", name, verb,
		    exchange_names[fmt]);
	else
		error_set("%s are %s csv only (vcard is for contacts and "
		    "companies, ical for events and tasks)", name, verb);
	return 0;
}

int
exchange_format_readable(int type, enum exchange_format fmt)
{
	if (type == MODEL_USER) {
		error_set("users are added with crm user add, not imported");
		return 0;
	}
	return exchange_format_fits(type, fmt, "read from");
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
	return exchange_format_fits(type, fmt, "written as");
}

int
exchange_file_open(struct exchange_file *xf, const char *path)
{
	struct stat	sb;
	int		fd;

	memset(xf, 0, sizeof *xf);
	/*
	 * A pipe, a terminal or /dev/stdout is written as it is: a file
	 * made beside it and renamed would put a plain file in its place.
	 */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) &&
	    !S_ISDIR(sb.st_mode)) {
		if ((xf->f = fopen(path, "we")) == NULL) {
			error_set("cannot write %s: %s", path,
			    strerror(errno));
			return -1;
		}
		xf->path = xstrdup(path);
		return 0;
	}
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

static void
exchange_file_failed(struct exchange_file *xf)
{
	if (errno == ENOSPC || errno == EDQUOT)
		error_set("cannot write %s: the disk is full; free some space "
		    "and try again (nothing was written)", xf->path);
	else
		error_set("cannot write %s: %s", xf->path, strerror(errno));
}

int
exchange_file_close(struct exchange_file *xf, int ok)
{
	int	ret = 0;

	if (xf->f == NULL)
		return -1;
	/* A write that failed earlier is remembered by the stream alone. */
	if (ok && (ferror(xf->f) || store_io_full() || fflush(xf->f) != 0 ||
	    (xf->tmp != NULL && fsync(fileno(xf->f)) != 0))) {
		exchange_file_failed(xf);
		ok = 0;
	}
	if (fclose(xf->f) != 0 && ok) {
		exchange_file_failed(xf);
		ok = 0;
	}
	xf->f = NULL;
	if (xf->tmp == NULL) {
		/* Written in place (a pipe, a device). */
		free(xf->path);
		xf->path = NULL;
		return ok ? 0 : -1;
	}
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

/* The names of the records an export refers to: a few MB at most. */
#define EXCHANGE_NAMES_MAX	50000

struct exchange_writer {
	FILE			*f;
	char			*name;
	int			 type;
	enum exchange_format	 fmt;
	int			 flags;
	const char		**cols;		/* CSV columns */
	const struct model_field **fields;	/* each column's, or NULL */
	size_t			 ncols;
	struct ical_writer	*ical;
	struct strmap		*names;		/* "type:ID" -> what to write */
};

struct exchange_writer *
exchange_writer_open(FILE *f, const char *name, int type,
    enum exchange_format fmt, int flags)
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
	w->flags = flags;
	w->names = strmap_new(EXCHANGE_NAMES_MAX);
	if (fmt == EXCHANGE_CSV) {
		w->cols = xcalloc(mt->nfields + 6, sizeof *w->cols);
		for (i = 0; model_meta_fields[i] != NULL; i++)
			w->cols[w->ncols++] = model_meta_fields[i];
		for (i = 0; i < mt->nfields; i++) {
			if ((mt->fields[i].flags & MODEL_SECRET) == 0)
				w->cols[w->ncols++] = mt->fields[i].name;
		}
		w->fields = xcalloc(w->ncols, sizeof *w->fields);
		for (i = 0; i < w->ncols; i++)
			w->fields[i] = model_field_find(type, w->cols[i]);
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
	free(w->fields);
	strmap_free(w->names);
	free(w->name);
	free(w);
	return ret;
}

/*
 * What a reference is written as: the record's name when that name finds
 * it again (in this database, the import's way), else its ID; a user's
 * login for a user ID. A reference to nothing is written as it is.
 */
static const char *
exchange_ref(struct exchange_writer *w, struct store_txn *t,
    const struct model_field *mf, const char *v)
{
	struct record_id	 id, back;
	struct record		*r;
	struct user		 u;
	char			*key, *name = NULL;
	const char		*got;
	int			 ret, rtype = mf->ref_type;

	if (*v == '\0' || (w->flags & EXCHANGE_IDS) ||
	    (mf->kind == MODEL_REF && rtype != MODEL_COMPANY &&
	    rtype != MODEL_CONTACT && rtype != MODEL_CAMPAIGN))
		return v;
	if (mf->kind == MODEL_USERID)
		rtype = MODEL_USER;
	xasprintf(&key, "%d:%s", rtype, v);
	if ((got = strmap_get(w->names, key)) != NULL) {
		free(key);
		return *got != '\0' ? got : v;
	}
	if (rtype == MODEL_USER) {
		if (user_find_uid(t, v, &u) == 0) {
			name = xstrdup(u.login);
			user_clear(&u);
		}
	} else if (record_id_parse(v, &id) == 0 &&
	    store_get(t, (size_t)rtype, &id, &r) == 0) {
		if ((r->flags & RECORD_DELETED) == 0) {
			if (rtype == MODEL_CONTACT) {
				name = model_record_name(rtype, r, 0);
				ret = exchange_contact_find(t, name, NULL,
				    &back);
			} else {
				name = xstrdup(record_value(r, "name"));
				ret = rtype == MODEL_COMPANY ?
				    exchange_company_find(t, name, &back) :
				    exchange_named_find(t, rtype, name, &back);
			}
			/* A name two records share would find the wrong one. */
			if (ret != 0 || record_id_cmp(&back, &id) != 0 ||
			    *name == '\0' || record_id_parse(name, &back) == 0) {
				free(name);
				name = NULL;
			}
		}
		record_free(r);
	}
	error_clear();
	strmap_put(w->names, key, name != NULL ? name : "");
	free(name);
	got = strmap_get(w->names, key);
	free(key);
	return got != NULL && *got != '\0' ? got : v;
}

/* A company's name for a contact's ORG ("" if none). */
static const char *
exchange_company_name(struct exchange_writer *w, struct store_txn *t,
    const struct record *r)
{
	struct record_id	 id;
	struct record		*c;
	char			*key;
	const char		*got;

	if (record_id_parse(record_value(r, "company"), &id) != 0)
		return "";
	xasprintf(&key, "org:%s", record_value(r, "company"));
	if ((got = strmap_get(w->names, key)) == NULL) {
		if (store_get(t, MODEL_COMPANY, &id, &c) == 0) {
			strmap_put(w->names, key, (c->flags & RECORD_DELETED) ?
			    "" : record_value(c, "name"));
			record_free(c);
		} else
			strmap_put(w->names, key, "");
		error_clear();
		got = strmap_get(w->names, key);
	}
	free(key);
	return got != NULL ? got : "";
}

/* A phone with an extension ("+1 418 ext. 102") as a 4.0 tel: URI. */
static int
exchange_put_tel(FILE *f, const char *types, const char *phone)
{
	const char	*ext = strstr(phone, " ext. ");
	char		*line, *num, *p;
	int		 ret;

	if (*phone == '\0')
		return 0;
	if (ext == NULL || strspn(ext + 6, "0123456789") != strlen(ext + 6) ||
	    ext[6] == '\0') {
		xasprintf(&line, "TEL;TYPE=%s", types);
		ret = vcard_put_text(f, line, phone);
		free(line);
		return ret;
	}
	num = xstrndup(phone, (size_t)(ext - phone));
	for (p = num; *p != '\0'; p++) {
		if (*p == ' ')
			*p = '-';
	}
	xasprintf(&line, "TEL;VALUE=uri;TYPE=%s:tel:%s;ext=%s", types, num,
	    ext + 6);
	ret = vcard_put_line(f, line);
	free(line);
	free(num);
	return ret;
}

/* What contacts and companies share: phones, emails, address, note, UID. */
static void
exchange_put_vcard_common(struct exchange_writer *w, const struct record *r)
{
	FILE		*f = w->f;
	const char	*adr[7];
	char		 id[RECORD_ID_TEXT + 1], rev[32], b[32], *line, *o;
	const char	*p;

	exchange_put_tel(f, "work,voice", record_value(r, "phone"));
	exchange_put_tel(f, "voice", record_value(r, "phone2"));
	exchange_put_tel(f, "cell", record_value(r, "mobile"));
	vcard_put_text(f, "EMAIL;TYPE=work", record_value(r, "email"));
	vcard_put_text(f, "EMAIL", record_value(r, "email2"));
	adr[0] = adr[1] = "";
	adr[2] = record_value(r, "address");
	adr[3] = record_value(r, "city");
	adr[4] = record_value(r, "region");
	adr[5] = record_value(r, "postcode");
	adr[6] = record_value(r, "country");
	vcard_put_struct(f, "ADR;TYPE=work", adr, 7);
	vcard_put_text(f, "NOTE", record_value(r, "description"));
	/*
	 * The UID of the card it came from, so that the other program
	 * knows it again; else the crm ID (RFC 6350 lets UID be text).
	 */
	record_id_format(&r->id, id);
	if (*record_value(r, "uid") != '\0')
		vcard_put_text(f, "UID", record_value(r, "uid"));
	else {
		xasprintf(&line, "UID;VALUE=text:%s", id);
		vcard_put_line(f, line);
		free(line);
	}
	/* REV is a timestamp: 2026-11-25T14:03:07Z -> 20261125T140307Z */
	clock_format(r->modified, rev, sizeof rev);
	for (p = rev, o = b; *p != '\0' && o < b + sizeof b - 1; p++) {
		if (*p != '-' && *p != ':')
			*o++ = *p;
	}
	*o = '\0';
	xasprintf(&line, "REV:%s", b);
	vcard_put_line(f, line);
	free(line);
}

static int
exchange_put_vcard(struct exchange_writer *w, struct store_txn *t,
    const struct record *r)
{
	FILE		*f = w->f;
	const char	*n[5], *bday;
	char		*fn, *line, *p;

	vcard_put_line(f, "BEGIN:VCARD");
	vcard_put_line(f, "VERSION:4.0");
	if (w->type == MODEL_COMPANY) {
		/* 4.0 says KIND; Apple's Contacts its own X-ABShowAs. */
		vcard_put_line(f, "KIND:org");
		fn = xstrdup(record_value(r, "name"));
		vcard_put_text(f, "FN", fn);
		vcard_put_text(f, "ORG", fn);
		vcard_put_line(f, "X-ABShowAs:COMPANY");
		vcard_put_text(f, "URL", record_value(r, "website"));
		free(fn);
	} else {
		fn = model_record_name(MODEL_CONTACT, r, 0);
		/* FN is required even when empty. */
		if (*fn == '\0')
			vcard_put_line(f, "FN:");
		else
			vcard_put_text(f, "FN", fn);
		free(fn);
		n[0] = record_value(r, "last_name");
		n[1] = record_value(r, "first_name");
		n[2] = "";
		n[3] = record_value(r, "title");
		n[4] = "";
		vcard_put_struct(f, "N", n, 5);
		vcard_put_text(f, "ORG", exchange_company_name(w, t, r));
		vcard_put_text(f, "TITLE", record_value(r, "job_title"));
		bday = record_value(r, "birthday");
		if (*bday != '\0') {
			/* 1985-04-15 -> 19850415; --04-15 -> --0415 */
			line = xstrdup(bday);
			for (p = line + (bday[0] == '-' ? 2 : 0); *p != '\0';
			    p++) {
				if (*p == '-')
					memmove(p, p + 1, strlen(p));
			}
			vcard_put_text(f, "BDAY", line);
			free(line);
		}
	}
	exchange_put_vcard_common(w, r);
	return vcard_put_line(f, "END:VCARD");
}

static int
exchange_put_csv(struct exchange_writer *w, struct store_txn *t,
    const struct record *r)
{
	const struct model_field	*mf;
	char				**vals, *safe;
	size_t				 i;
	int				 ret;

	vals = xcalloc(w->ncols, sizeof *vals);
	for (i = 0; i < w->ncols; i++) {
		mf = w->fields[i];
		if (mf != NULL && (mf->kind == MODEL_REF ||
		    mf->kind == MODEL_USERID))
			vals[i] = xstrdup(exchange_ref(w, t, mf,
			    record_value(r, w->cols[i])));
		else
			vals[i] = model_value(r, w->cols[i]);
		if ((w->flags & EXCHANGE_PLAIN) == 0 &&
		    (safe = csvio_safe(vals[i])) != NULL) {
			free(vals[i]);
			vals[i] = safe;
		}
	}
	ret = csvio_write_row(w->f, (const char *const *)vals, w->ncols);
	for (i = 0; i < w->ncols; i++)
		free(vals[i]);
	free(vals);
	return ret;
}

int
exchange_put(struct exchange_writer *w, struct store_txn *t,
    const struct record *r)
{
	struct ical_item	 it;
	char			 id[RECORD_ID_TEXT + 1];

	switch (w->fmt) {
	case EXCHANGE_CSV:
		return exchange_put_csv(w, t, r);
	case EXCHANGE_VCARD:
		return exchange_put_vcard(w, t, r);
	case EXCHANGE_ICAL:
		memset(&it, 0, sizeof it);
		record_id_format(&r->id, id);
		it.is_task = w->type == MODEL_TASK;
		it.uid = *record_value(r, "uid") != '\0' ?
		    record_value(r, "uid") : id;
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
		it.floating = (w->flags & EXCHANGE_FLOATING) != 0;
		return ical_put(w->ical, &it);
	}
	return -1;
}
