/* test-ical: events and tasks written as iCalendar, read back by libical. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "error.h"
#include "ical.h"
#include "unit.h"
#include "utf8.h"
#include "xmalloc.h"

/* 2026-11-25T14:03:07Z */
#define STAMP_MS	1795615387000ULL

/* Write items as a calendar; returns the text (free it). */
static char *
write_items(const struct ical_item *items, size_t n, int *ret)
{
	struct ical_writer	*w;
	char			*buf = NULL;
	size_t			 len = 0, i;
	FILE			*f;

	*ret = 0;
	if ((f = open_memstream(&buf, &len)) == NULL)
		abort();
	w = ical_open(f, "test.ics");
	for (i = 0; i < n && *ret == 0; i++)
		*ret = ical_put(w, &items[i]);
	if (ical_close(w) != 0)
		*ret = -1;
	fclose(f);
	return buf;
}

/* The first component of a kind inside a parsed calendar. */
static icalcomponent *
first(icalcomponent *cal, icalcomponent_kind kind)
{
	return icalcomponent_get_first_component(cal, kind);
}

static void
test_mappings(void)
{
	CU_ASSERT_STRING_EQUAL(ical_status("open"), "NEEDS-ACTION");
	CU_ASSERT_STRING_EQUAL(ical_status("waiting"), "NEEDS-ACTION");
	CU_ASSERT_STRING_EQUAL(ical_status("in-progress"), "IN-PROCESS");
	CU_ASSERT_STRING_EQUAL(ical_status("done"), "COMPLETED");
	CU_ASSERT_STRING_EQUAL(ical_status("cancelled"), "CANCELLED");
	CU_ASSERT_EQUAL(ical_priority("urgent"), 1);
	CU_ASSERT_EQUAL(ical_priority("high"), 3);
	CU_ASSERT_EQUAL(ical_priority("normal"), 5);
	CU_ASSERT_EQUAL(ical_priority("low"), 9);
	CU_ASSERT_EQUAL(ical_priority(""), 0);
}

/* An event and a task survive the trip through libical's parser. */
static void
test_round_trip(void)
{
	struct ical_item	 it[2];
	icalcomponent		*cal, *ev, *todo;
	struct icaltimetype	 t;
	char			*text;
	int			 ret;

	memset(it, 0, sizeof it);
	it[0].uid = "01m89h8szb1vrmdr36d2dxr5qg";
	it[0].created_ms = STAMP_MS - 3600000;
	it[0].modified_ms = STAMP_MS;
	it[0].start = "2026-12-01T10:00";
	it[0].end = "2026-12-01T11:30";
	it[0].summary = "Meet, talk; decide";
	it[0].location = "Z\xc3\xbcrich, Raum 1";
	it[0].description = "bring\nslides \\ notes";
	it[1].is_task = 1;
	it[1].uid = "01m89h8t0k3dpy6tby6ww5ned8";
	it[1].modified_ms = STAMP_MS;
	it[1].due = "2026-12-02";
	it[1].summary = "Call back";
	it[1].status = "done";
	it[1].priority = "urgent";
	it[1].location = "not for a task";
	text = write_items(it, 2, &ret);
	CU_ASSERT_EQUAL(ret, 0);
	CU_ASSERT_EQUAL(strncmp(text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n",
	    30), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "END:VCALENDAR\r\n"));
	/* Escaped as RFC 5545 says. */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "SUMMARY:Meet\\, talk\\; decide"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DESCRIPTION:bring\\nslides "
	    "\\\\ notes"));
	/* In UTC: 10:00 in Berlin (TZ) is 09:00Z in December. */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DTSTART:20261201T090000Z\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DTEND:20261201T103000Z\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DUE;VALUE=DATE:20261202\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DTSTAMP:20261125T140307Z\r\n"));

	cal = icalparser_parse_string(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cal);
	ev = first(cal, ICAL_VEVENT_COMPONENT);
	todo = first(cal, ICAL_VTODO_COMPONENT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_PTR_NOT_NULL_FATAL(todo);
	CU_ASSERT_STRING_EQUAL(icalcomponent_get_uid(ev), it[0].uid);
	CU_ASSERT_STRING_EQUAL(icalcomponent_get_summary(ev), it[0].summary);
	CU_ASSERT_STRING_EQUAL(icalcomponent_get_location(ev), it[0].location);
	CU_ASSERT_STRING_EQUAL(icalcomponent_get_description(ev),
	    it[0].description);
	t = icalcomponent_get_dtstart(ev);
	CU_ASSERT_EQUAL(t.year, 2026);
	CU_ASSERT_EQUAL(t.month, 12);
	CU_ASSERT_EQUAL(t.hour, 9);
	CU_ASSERT(!t.is_date);
	/* A moment every calendar places alike, whatever its zone. */
	CU_ASSERT(icaltime_is_utc(t));
	t = icalcomponent_get_dtend(ev);
	CU_ASSERT_EQUAL(t.hour, 10);
	CU_ASSERT_EQUAL(t.minute, 30);
	CU_ASSERT(icaltime_is_utc(t));
	t = icalcomponent_get_dtstamp(ev);
	CU_ASSERT_EQUAL(t.hour, 14);
	CU_ASSERT_EQUAL(t.second, 7);

	CU_ASSERT_STRING_EQUAL(icalcomponent_get_uid(todo), it[1].uid);
	CU_ASSERT_EQUAL(icalcomponent_get_status(todo),
	    ICAL_STATUS_COMPLETED);
	CU_ASSERT_EQUAL(icalproperty_get_priority(icalcomponent_get_first_property(
	    todo, ICAL_PRIORITY_PROPERTY)), 1);
	t = icalcomponent_get_due(todo);
	CU_ASSERT(t.is_date);
	CU_ASSERT_EQUAL(t.day, 2);
	CU_ASSERT_PTR_NULL(icalcomponent_get_first_property(todo,
	    ICAL_LOCATION_PROPERTY));
	icalcomponent_free(cal);
	free(text);
}

/*
 * Times go out in UTC by the rules of TZ (summer time included), or as
 * floating wall-clock times when asked; days stay DATE values.
 */
static void
test_utc_floating(void)
{
	struct ical_item	 it[2];
	icalcomponent		*cal, *ev;
	struct icaltimetype	 t;
	char			*text;
	int			 ret;

	memset(it, 0, sizeof it);
	it[0].uid = "summer";
	it[0].modified_ms = STAMP_MS;
	it[0].start = "2026-07-01T10:00";
	it[0].end = "2026-07-02";	/* a day's end: midnight after it */
	it[0].summary = "Summer";
	it[1].is_task = 1;
	it[1].uid = "due";
	it[1].modified_ms = STAMP_MS;
	it[1].due = "2026-12-02T17:00";
	it[1].summary = "Due at five";
	text = write_items(it, 2, &ret);
	CU_ASSERT_EQUAL(ret, 0);
	/* Berlin is UTC+2 in July, UTC+1 in December. */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DTSTART:20260701T080000Z\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DTEND:20260702T220000Z\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DUE:20261202T160000Z\r\n"));
	free(text);

	it[0].floating = it[1].floating = 1;
	text = write_items(it, 2, &ret);
	CU_ASSERT_EQUAL(ret, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DTSTART:20260701T100000\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DTEND:20260703T000000\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DUE:20261202T170000\r\n"));
	CU_ASSERT_PTR_NULL(strstr(text, "00Z\r\n"));
	cal = icalparser_parse_string(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cal);
	ev = first(cal, ICAL_VEVENT_COMPONENT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	t = icalcomponent_get_dtstart(ev);
	CU_ASSERT_EQUAL(t.hour, 10);
	/* Floating: a wall-clock time, no zone. */
	CU_ASSERT(icaltime_is_utc(t) == 0);
	icalcomponent_free(cal);
	free(text);
}

/* A whole-day event: DTEND is the day after its last day. */
static void
test_all_day(void)
{
	struct ical_item	 it;
	char			*text;
	int			 ret;

	memset(&it, 0, sizeof it);
	it.uid = "a";
	it.modified_ms = STAMP_MS;
	it.start = "2026-12-24";
	it.end = "2026-12-26";
	it.summary = "Holidays";
	text = write_items(&it, 1, &ret);
	CU_ASSERT_EQUAL(ret, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DTSTART;VALUE=DATE:20261224\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DTEND;VALUE=DATE:20261227\r\n"));
	free(text);
	/* One day, across a month's end, with no end given: no DTEND. */
	it.start = "2026-12-31";
	it.end = "2026-12-31";
	text = write_items(&it, 1, &ret);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "DTEND;VALUE=DATE:20270101\r\n"));
	free(text);
	it.end = NULL;
	text = write_items(&it, 1, &ret);
	CU_ASSERT_PTR_NULL(strstr(text, "DTEND"));
	free(text);
}

/* A long UTF-8 description: 75 octets a line, whole characters, CRLF. */
static void
test_fold_utf8(void)
{
	struct ical_item	 it;
	icalcomponent		*cal, *ev;
	char			*text, *desc, *p, *end, *tmp;
	int			 ret, i, folded = 0;

	desc = xstrdup("");
	for (i = 0; i < 50; i++) {
		xasprintf(&tmp, "%s%s", desc, i % 2 ? "\xc3\xa4\xe2\x82\xac" :
		    "\xf0\x9f\x98\x80x");
		free(desc);
		desc = tmp;
	}
	memset(&it, 0, sizeof it);
	it.uid = "u";
	it.modified_ms = STAMP_MS;
	it.start = "2026-12-01";
	it.description = desc;
	text = write_items(&it, 1, &ret);
	CU_ASSERT_EQUAL(ret, 0);
	for (p = text; *p != '\0'; p = end + 2) {
		end = strstr(p, "\r\n");
		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		CU_ASSERT((size_t)(end - p) <= 75);
		CU_ASSERT(utf8_valid(p, (size_t)(end - p)));
		if (*p == ' ')
			folded++;
	}
	CU_ASSERT(folded >= 3);
	cal = icalparser_parse_string(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cal);
	ev = first(cal, ICAL_VEVENT_COMPONENT);
	CU_ASSERT_STRING_EQUAL(icalcomponent_get_description(ev), desc);
	icalcomponent_free(cal);
	free(text);
	free(desc);
}

static void
test_bad_date(void)
{
	struct ical_item	 it;
	char			*text;
	int			 ret;

	memset(&it, 0, sizeof it);
	it.uid = "01m89h8szb1vrmdr36d2dxr5qg";
	it.modified_ms = STAMP_MS;
	it.start = "next tuesday";
	text = write_items(&it, 1, &ret);
	CU_ASSERT_EQUAL(ret, -1);
	CU_ASSERT(unit_error_has("01m89h8szb1vrmdr36d2dxr5qg"));
	CU_ASSERT(unit_error_has("\"next tuesday\" is not a date"));
	/* Nothing of the bad event was written. */
	CU_ASSERT_PTR_NULL(strstr(text, "BEGIN:VEVENT"));
	free(text);
	it.start = "2026-13-01";
	text = write_items(&it, 1, &ret);
	CU_ASSERT_EQUAL(ret, -1);
	free(text);
}

static const struct unit_test tests[] = {
	{ "mappings", test_mappings },
	{ "round_trip", test_round_trip },
	{ "utc_floating", test_utc_floating },
	{ "all_day", test_all_day },
	{ "fold_utf8", test_fold_utf8 },
	{ "bad_date", test_bad_date },
	{ NULL, NULL }
};

int
main(void)
{
	/* crm's times are wall-clock times of TZ: one with summer time. */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	return unit_run("ical", tests);
}
