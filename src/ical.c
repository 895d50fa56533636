/* ical: events and tasks written as iCalendar through libical. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* A crm date ("YYYY-MM-DD" or "YYYY-MM-DDTHH:MM") as a floating time. */
static int
ical_date(const char *what, const char *s, struct icaltimetype *t)
{
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

	c = it->todo ? icalcomponent_new_vtodo() : icalcomponent_new_vevent();
	icalcomponent_add_property(c, icalproperty_new_uid(it->uid));
	icalcomponent_add_property(c,
	    icalproperty_new_dtstamp(ical_utc(it->modified_ms)));
	if (it->created_ms != 0)
		icalcomponent_add_property(c,
		    icalproperty_new_created(ical_utc(it->created_ms)));
	icalcomponent_add_property(c,
	    icalproperty_new_lastmodified(ical_utc(it->modified_ms)));
	if (!it->todo && it->start != NULL && *it->start != '\0') {
		if (ical_date("the start", it->start, &start) != 0)
			goto fail;
		icalcomponent_add_property(c, icalproperty_new_dtstart(start));
		if (it->end != NULL && *it->end != '\0') {
			if (ical_date("the end", it->end, &end) != 0)
				goto fail;
			/*
			 * DTSTART and DTEND must be of one value type; a
			 * DATE's DTEND is the day after the last day.
			 */
			if (start.is_date || end.is_date) {
				end.is_date = start.is_date;
				end.hour = end.minute = 0;
				icaltime_adjust(&end, 1, 0, 0, 0);
			}
			if (icaltime_compare(end, start) > 0)
				icalcomponent_add_property(c,
				    icalproperty_new_dtend(end));
		}
	}
	if (it->todo && it->due != NULL && *it->due != '\0') {
		if (ical_date("the due date", it->due, &end) != 0)
			goto fail;
		icalcomponent_add_property(c, icalproperty_new_due(end));
	}
	ical_text(c, icalproperty_new_summary, it->summary);
	if (!it->todo)
		ical_text(c, icalproperty_new_location, it->location);
	ical_text(c, icalproperty_new_description, it->description);
	if (it->todo) {
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
