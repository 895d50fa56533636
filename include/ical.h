/*
 * ical: events and tasks as iCalendar (RFC 5545) for other calendars.
 *
 * libical (Debian's libical-dev, the library of Evolution and many
 * others) builds each VEVENT or VTODO and writes it with its escaping
 * and folding (75 octets, on UTF-8 boundaries, CRLF). The calendar
 * wrapper is written here one component at a time, so an export of any
 * size holds one record in memory, never the whole calendar.
 *
 * crm's dates are a person's wall-clock times ("2026-11-25T14:00"), so
 * they go out as floating times, which every calendar shows as written;
 * a day alone ("2026-11-25") is a DATE value, and an all-day event's
 * DTEND is the day after its last day, as RFC 5545 counts it. DTSTAMP
 * and LAST-MODIFIED are the record's last change (the calendar has no
 * METHOD, so DTSTAMP means just that), CREATED its creation.
 */
#ifndef CRM_ICAL_H
#define CRM_ICAL_H

#include <stdint.h>
#include <stdio.h>

struct ical_item {
	int		 todo;		/* a VTODO; else a VEVENT */
	const char	*uid;		/* the crm ID */
	uint64_t	 created_ms;	/* Unix milliseconds, UTC */
	uint64_t	 modified_ms;
	const char	*start;		/* event: crm dates, "" or NULL: none */
	const char	*end;
	const char	*due;		/* task */
	const char	*summary;
	const char	*location;	/* event */
	const char	*description;
	const char	*status;	/* task: crm's status */
	const char	*priority;	/* task: crm's priority */
};

struct ical_writer;

/* Start a calendar on a stream the caller owns (name: for messages). */
struct ical_writer *ical_open(FILE *, const char *name);
/*
 * Write one event or task. -1 (error set) if a date is not a crm date or
 * the stream has an error.
 */
int		 ical_put(struct ical_writer *, const struct ical_item *);
/* End the calendar and free the writer; -1 (error set) on a write error. */
int		 ical_close(struct ical_writer *);

/* STATUS of a VTODO for crm's task status ("NEEDS-ACTION"...). */
const char	*ical_status(const char *crm_status);
/* PRIORITY (1 highest .. 9 lowest, 0 none) for crm's priority. */
int		 ical_priority(const char *crm_priority);

#endif
