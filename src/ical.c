/* ical: events and tasks written as iCalendar through libical. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libical/ical.h>

#include "error.h"
#include "ical.h"
#include "xmalloc.h"

struct ical_writer {
	FILE	*f;
	char	*name;
};

static int
ical_check(struct ical_writer *w)
{
	if (ferror(w->f)) {
		error_set("cannot write %s: %s", w->name, strerror(errno));
		return -1;
	}
	return 0;
}

struct ical_writer *
ical_open(FILE *f, const char *name)
{
	struct ical_writer	*w = xcalloc(1, sizeof *w);

	w->f = f;
	w->name = xstrdup(name);
	fputs("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//crm//crm " PACKAGE_VERSION "//EN\r\n"
	    "CALSCALE:GREGORIAN\r\n", f);
	return w;
}

int
ical_close(struct ical_writer *w)
{
	int	ret;

	fputs("END:VCALENDAR\r\n", w->f);
	ret = ical_check(w);
	free(w->name);
	free(w);
	return ret;
}

const char *
ical_status(const char *s)
{
	if (s == NULL || *s == '\0' || strcmp(s, "open") == 0 ||
	    strcmp(s, "waiting") == 0)
		return "NEEDS-ACTION";
	if (strcmp(s, "in-progress") == 0)
		return "IN-PROCESS";
	if (strcmp(s, "done") == 0)
		return "COMPLETED";
	if (strcmp(s, "cancelled") == 0)
		return "CANCELLED";
	return "NEEDS-ACTION";
}

int
ical_priority(const char *p)
{
	/* RFC 5545 3.8.1.9: 1-4 high, 5 medium, 6-9 low, 0 undefined. */
	if (p == NULL || *p == '\0')
		return 0;
	if (strcmp(p, "urgent") == 0)
		return 1;
	if (strcmp(p, "high") == 0)
		return 3;
	if (strcmp(p, "normal") == 0)
		return 5;
	if (strcmp(p, "low") == 0)
		return 9;
	return 0;
}

/*
 * A crm date ("YYYY-MM-DD" or "YYYY-MM-DDTHH:MM") as a floating time, or
 * with utc set, a time of day as UTC (the wall-clock time of TZ).
 */
static int
ical_date(const char *what, const char *s, struct icaltimetype *t, int utc)
{
	struct tm	tm;
	time_t		tt;

	int	y, mo, d, h = 0, mi = 0, n = 0;

	*t = icaltime_null_time();
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 &&
	    s[n] == '\0')
		t->is_date = 1;
	else if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi,
	    &n) == 5 && s[n] == '\0')
		t->is_date = 0;
	else {
		error_set("%s \"%s\" is not a date: crm writes YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM", what, s);
		return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) {
		error_set("%s \"%s\" is not a date", what, s);
		return -1;
	}
	t->year = y;
	t->month = mo;
	t->day = d;
	t->hour = h;
	t->minute = mi;
	if (utc && !t->is_date) {
		memset(&tm, 0, sizeof tm);
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_isdst = -1;
		tt = mktime(&tm);
		*t = icaltime_from_timet_with_zone(tt, 0,
		    icaltimezone_get_utc_timezone());
	}
	return 0;
}

static struct icaltimetype
ical_utc(uint64_t ms)
{
	return icaltime_from_timet_with_zone((time_t)(ms / 1000), 0,
	    icaltimezone_get_utc_timezone());
}

static void
ical_text(icalcomponent *c, icalproperty *(*make)(const char *),
    const char *v)
{
	if (v != NULL && *v != '\0')
		icalcomponent_add_property(c, make(v));
}

int
ical_put(struct ical_writer *w, const struct ical_item *it)
{
	icalcomponent		*c;
	struct icaltimetype	 start, end;
	char			*text;
	int			 prio;

	c = it->is_task ? icalcomponent_new_vtodo() : icalcomponent_new_vevent();
	icalcomponent_add_property(c, icalproperty_new_uid(it->uid));
	icalcomponent_add_property(c,
	    icalproperty_new_dtstamp(ical_utc(it->modified_ms)));
	if (it->created_ms != 0)
		icalcomponent_add_property(c,
		    icalproperty_new_created(ical_utc(it->created_ms)));
	icalcomponent_add_property(c,
	    icalproperty_new_lastmodified(ical_utc(it->modified_ms)));
	if (!it->is_task && it->start != NULL && *it->start != '\0') {
		if (ical_date("the start", it->start, &start,
		    !it->floating) != 0)
			goto fail;
		icalcomponent_add_property(c, icalproperty_new_dtstart(start));
		if (it->end != NULL && *it->end != '\0') {
			if (ical_date("the end", it->end, &end,
			    !it->floating && !start.is_date) != 0)
				goto fail;
			/*
			 * DTSTART and DTEND must be of one value type; a
			 * DATE's DTEND is the day after the last day.
			 */
			if (start.is_date) {
				end.is_date = 1;
				end.hour = end.minute = 0;
				icaltime_adjust(&end, 1, 0, 0, 0);
			} else if (end.is_date) {
				/* A day's end: midnight after it. */
				ical_date("the end", it->end, &end, 0);
				end.is_date = 0;
				icaltime_adjust(&end, 1, 0, 0, 0);
				if (!it->floating) {
					char	buf[32];

					snprintf(buf, sizeof buf,
					    "%04d-%02d-%02dT00:00", end.year,
					    end.month, end.day);
					ical_date("the end", buf, &end, 1);
				}
			}
			if (icaltime_compare(end, start) > 0)
				icalcomponent_add_property(c,
				    icalproperty_new_dtend(end));
		}
	}
	if (it->is_task && it->due != NULL && *it->due != '\0') {
		if (ical_date("the due date", it->due, &end,
		    !it->floating) != 0)
			goto fail;
		icalcomponent_add_property(c, icalproperty_new_due(end));
	}
	ical_text(c, icalproperty_new_summary, it->summary);
	if (!it->is_task)
		ical_text(c, icalproperty_new_location, it->location);
	ical_text(c, icalproperty_new_description, it->description);
	if (it->is_task) {
		icalcomponent_add_property(c, icalproperty_new_status(
		    icalproperty_string_to_status(ical_status(it->status))));
		if ((prio = ical_priority(it->priority)) != 0)
			icalcomponent_add_property(c,
			    icalproperty_new_priority(prio));
	}
	text = icalcomponent_as_ical_string_r(c);
	icalcomponent_free(c);
	fputs(text, w->f);
	icalmemory_free_buffer(text);
	return ical_check(w);

fail:
	icalcomponent_free(c);
	error_prefix("%s: ", it->uid);
	return -1;
}

/* Reading. */

#define ICAL_LINE_MAX	(1024 * 1024)

struct ical_reader {
	FILE		*f;
	char		*path;
	unsigned long	 line;
	int		 started;	/* BEGIN:VCALENDAR seen */
	char		*error;
	icaltimezone	**zones;	/* the file's VTIMEZONEs */
	size_t		 nzones;
	char		*buf;
	size_t		 cap;
};

struct ical_reader *
ical_reader_open(const char *path)
{
	struct ical_reader	*rd;
	FILE			*f;

	if ((f = fopen(path, "r")) == NULL) {
		error_set("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	rd = xcalloc(1, sizeof *rd);
	rd->f = f;
	rd->path = xstrdup(path);
	return rd;
}

void
ical_reader_close(struct ical_reader *rd)
{
	size_t	i;

	if (rd == NULL)
		return;
	fclose(rd->f);
	for (i = 0; i < rd->nzones; i++)
		icaltimezone_free(rd->zones[i], 1);
	free(rd->zones);
	free(rd->buf);
	free(rd->error);
	free(rd->path);
	free(rd);
}

void
ical_in_free(struct ical_in *it)
{
	if (it == NULL)
		return;
	free(it->uid);
	free(it->summary);
	free(it->location);
	free(it->description);
	free(it->start);
	free(it->end);
	free(it->due);
	free(it->status);
	free(it->priority);
	free(it->problem);
	free(it->remark);
	free(it);
}

static int
ical_fail(struct ical_reader *rd, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
ical_fail(struct ical_reader *rd, unsigned long line, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	error_set("%s line %lu: %s", rd->path, line, s);
	free(s);
	free(rd->error);
	rd->error = xstrdup(error_get());
	return -1;
}

/* A line without its CR LF; NULL at the end of the file. */
static char *
ical_line(struct ical_reader *rd, int *err)
{
	ssize_t	n;

	*err = 0;
	if ((n = getline(&rd->buf, &rd->cap, rd->f)) == -1) {
		if (ferror(rd->f)) {
			error_set("cannot read %s: %s", rd->path,
			    strerror(errno));
			*err = 1;
		}
		return NULL;
	}
	rd->line++;
	if (n > ICAL_LINE_MAX) {
		ical_fail(rd, rd->line, "a line longer than %d bytes",
		    ICAL_LINE_MAX);
		*err = 1;
		return NULL;
	}
	rd->buf[strcspn(rd->buf, "\r\n")] = '\0';
	return rd->buf;
}

static int
ical_is(const char *line, const char *what)
{
	size_t	n = strlen(what);

	return strncasecmp(line, what, n) == 0 &&
	    line[n + strspn(line + n, " \t")] == '\0';
}

static icaltimezone *
ical_zone(struct ical_reader *rd, const char *tzid)
{
	size_t	i;

	for (i = 0; i < rd->nzones; i++) {
		if (strcmp(icaltimezone_get_tzid(rd->zones[i]), tzid) == 0)
			return rd->zones[i];
	}
	/* Olson names, and Evolution's "/freeassociation.sourceforge.net/" */
	if (strchr(tzid, '/') != NULL && tzid[0] == '/')
		return icaltimezone_get_builtin_timezone_from_tzid(tzid);
	return icaltimezone_get_builtin_timezone(tzid);
}

/*
 * A DATE-TIME or DATE property as a crm date: local wall-clock time for
 * UTC and zoned times, as written for floating ones. Returns NULL with
 * *problem set for a time zone nobody defined.
 */
static char *
ical_crm_date(struct ical_reader *rd, icalproperty *p, struct icaltimetype t,
    char **problem)
{
	icalparameter	*tz;
	icaltimezone	*zone = NULL;
	const char	*tzid;
	struct tm	 tm;
	time_t		 tt;
	char		*s;

	if (icaltime_is_null_time(t))
		return xstrdup("");
	if (t.is_date) {
		xasprintf(&s, "%04d-%02d-%02d", t.year, t.month, t.day);
		return s;
	}
	if (icaltime_is_utc(t))
		zone = icaltimezone_get_utc_timezone();
	else if ((tz = icalproperty_get_first_parameter(p,
	    ICAL_TZID_PARAMETER)) != NULL) {
		tzid = icalparameter_get_tzid(tz);
		if ((zone = ical_zone(rd, tzid)) == NULL) {
			xasprintf(problem, "the time zone \"%s\" is not defined "
			    "in the file nor known", tzid);
			return NULL;
		}
	}
	if (zone == NULL) {
		xasprintf(&s, "%04d-%02d-%02dT%02d:%02d", t.year, t.month,
		    t.day, t.hour, t.minute);
		return s;
	}
	t.zone = zone;
	tt = icaltime_as_timet_with_zone(t, zone);
	localtime_r(&tt, &tm);
	xasprintf(&s, "%04d-%02d-%02dT%02d:%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	return s;
}

static char *
ical_one_line(const char *s)
{
	char	*d = xstrdup(s), *p;

	for (p = d; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	}
	return d;
}

static const char *
ical_crm_status(icalproperty_status st)
{
	switch (st) {
	case ICAL_STATUS_INPROCESS:
		return "in-progress";
	case ICAL_STATUS_COMPLETED:
		return "done";
	case ICAL_STATUS_CANCELLED:
		return "cancelled";
	default:
		return "open";
	}
}

static const char *
ical_crm_priority(int p)
{
	if (p == 1)
		return "urgent";
	if (p >= 2 && p <= 4)
		return "high";
	if (p >= 6 && p <= 9)
		return "low";
	return "normal";
}

/* What crm takes from an event or task component. */
static void
ical_take(struct ical_reader *rd, icalcomponent *c, struct ical_in *it)
{
	icalproperty		*p, *pe;
	struct icaltimetype	 start, end;
	struct icaldurationtype	 dur;
	const char		*v;

	if ((p = icalcomponent_get_first_property(c,
	    ICAL_XLICERROR_PROPERTY)) != NULL) {
		xasprintf(&it->problem, "%s", icalproperty_get_xlicerror(p));
		return;
	}
	if ((v = icalcomponent_get_uid(c)) != NULL && *v != '\0')
		it->uid = xstrdup(v);
	if ((v = icalcomponent_get_summary(c)) != NULL && *v != '\0')
		it->summary = ical_one_line(v);
	if ((v = icalcomponent_get_description(c)) != NULL && *v != '\0')
		it->description = xstrdup(v);
	if ((v = icalcomponent_get_location(c)) != NULL && *v != '\0')
		it->location = ical_one_line(v);
	if (icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY) != NULL)
		it->remark = xstrdup("it repeats (RRULE): only its first "
		    "time was kept");
	if (it->summary == NULL) {
		it->problem = xstrdup("it has no SUMMARY, which crm needs as "
		    "the subject");
		return;
	}
	if (it->is_task) {
		if ((p = icalcomponent_get_first_property(c,
		    ICAL_DUE_PROPERTY)) != NULL &&
		    (it->due = ical_crm_date(rd, p, icalproperty_get_due(p),
		    &it->problem)) == NULL)
			return;
		if ((p = icalcomponent_get_first_property(c,
		    ICAL_STATUS_PROPERTY)) != NULL)
			it->status = xstrdup(ical_crm_status(
			    icalproperty_get_status(p)));
		if ((p = icalcomponent_get_first_property(c,
		    ICAL_PRIORITY_PROPERTY)) != NULL)
			it->priority = xstrdup(ical_crm_priority(
			    icalproperty_get_priority(p)));
		return;
	}
	if ((p = icalcomponent_get_first_property(c,
	    ICAL_DTSTART_PROPERTY)) == NULL) {
		it->problem = xstrdup("it has no DTSTART, which crm needs as "
		    "the start");
		return;
	}
	start = icalproperty_get_dtstart(p);
	if ((it->start = ical_crm_date(rd, p, start, &it->problem)) == NULL)
		return;
	if ((pe = icalcomponent_get_first_property(c,
	    ICAL_DTEND_PROPERTY)) != NULL)
		end = icalproperty_get_dtend(pe);
	else if ((pe = icalcomponent_get_first_property(c,
	    ICAL_DURATION_PROPERTY)) != NULL) {
		dur = icalproperty_get_duration(pe);
		end = icaltime_add(start, dur);
		/* The end in the start's zone: the start's TZID says it. */
		pe = p;
	} else
		return;
	/* An all-day event ends the day before its DTEND (RFC 5545). */
	if (end.is_date) {
		icaltime_adjust(&end, -1, 0, 0, 0);
		if (icaltime_compare_date_only(end, start) < 0)
			end = start;
	}
	it->end = ical_crm_date(rd, pe, end, &it->problem);
}

int
ical_next(struct ical_reader *rd, struct ical_in **out)
{
	icalcomponent	*c;
	icaltimezone	*z;
	struct ical_in	*it;
	char		*line, *text = NULL, *tmp, kind[32];
	size_t		 len = 0, cap = 0, n;
	unsigned long	 begun = 0;
	int		 err, depth = 0;

	*out = NULL;
	if (rd->error != NULL) {
		error_set("%s", rd->error);
		return -1;
	}
	kind[0] = '\0';
	while ((line = ical_line(rd, &err)) != NULL) {
		if (!rd->started) {
			if (*line == '\0' || (strncmp(line, "\xef\xbb\xbf",
			    3) == 0 && line[3] == '\0'))
				continue;
			if (strncmp(line, "\xef\xbb\xbf", 3) == 0)
				line += 3;
			if (!ical_is(line, "BEGIN:VCALENDAR"))
				return ical_fail(rd, rd->line, "this is not an "
				    "iCalendar file: it should start with "
				    "BEGIN:VCALENDAR");
			rd->started = 1;
			continue;
		}
		if (depth == 0) {
			if (strncasecmp(line, "BEGIN:", 6) == 0) {
				snprintf(kind, sizeof kind, "%s", line + 6);
				kind[strcspn(kind, " \t")] = '\0';
				depth = 1;
				begun = rd->line;
				len = 0;
			} else
				continue;
		} else if (strncasecmp(line, "BEGIN:", 6) == 0)
			depth++;
		else if (strncasecmp(line, "END:", 4) == 0)
			depth--;
		/* Gather the component's lines, folding and all. */
		n = strlen(line);
		if (len + n + 3 > cap) {
			cap = (len + n + 3) * 2;
			text = xreallocarray(text, cap, 1);
		}
		memcpy(text + len, line, n);
		len += n;
		text[len++] = '\r';
		text[len++] = '\n';
		text[len] = '\0';
		if (depth > 0)
			continue;
		if (strcasecmp(kind, "VEVENT") != 0 &&
		    strcasecmp(kind, "VTODO") != 0 &&
		    strcasecmp(kind, "VTIMEZONE") != 0)
			continue;	/* VJOURNAL, VFREEBUSY...: none of crm's */
		if ((c = icalparser_parse_string(text)) == NULL) {
			free(text);
			return ical_fail(rd, begun, "the %s cannot be read",
			    kind);
		}
		if (strcasecmp(kind, "VTIMEZONE") == 0) {
			z = icaltimezone_new();
			if (icaltimezone_set_component(z, c) == 0) {
				icaltimezone_free(z, 1);
				icalcomponent_free(c);
				continue;
			}
			rd->zones = xreallocarray(rd->zones, rd->nzones + 1,
			    sizeof *rd->zones);
			rd->zones[rd->nzones++] = z;
			continue;
		}
		it = xcalloc(1, sizeof *it);
		it->is_task = strcasecmp(kind, "VTODO") == 0;
		it->line = begun;
		ical_take(rd, c, it);
		icalcomponent_free(c);
		free(text);
		*out = it;
		return 0;
	}
	if (err) {
		free(text);
		if (rd->error == NULL)
			rd->error = xstrdup(error_get());
		return -1;
	}
	if (depth > 0) {
		free(text);
		tmp = xstrdup(kind);
		err = ical_fail(rd, rd->line, "the %s begun on line %lu has no "
		    "END:%s", tmp, begun, tmp);
		free(tmp);
		return err;
	}
	free(text);
	if (!rd->started)
		return ical_fail(rd, rd->line, "this is not an iCalendar file: "
		    "it holds no BEGIN:VCALENDAR");
	return 1;
}
