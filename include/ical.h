/*
 * ical: events and tasks as iCalendar (RFC 5545) for other calendars.
 *
 * libical (Debian's libical-dev, the library of Evolution and many
 * others) builds each event or task component (RFC 5545 names them
 * VEVENT and VTODO) and writes it with its escaping
 * and folding (75 octets, on UTF-8 boundaries, CRLF). The calendar
 * wrapper is written here one component at a time, so an export of any
 * size holds one record in memory, never the whole calendar.
 *
 * crm's dates are a person's wall-clock times ("2026-11-25T14:00") in the
 * time zone of the machine (TZ): they go out in UTC, which every
 * calendar places at the same moment whatever its zone, or as floating
 * times (shown as written) when asked; a day alone ("2026-11-25") is a
 * DATE value, and an all-day event's DTEND is the day after its last
 * day, as RFC 5545 counts it. DTSTAMP and LAST-MODIFIED are the record's
 * last change (the calendar has no METHOD, so DTSTAMP means just that),
 * CREATED its creation.
 *
 * Reading: the file is read component by component (each event, task
 * and time zone is handed to libical's parser alone), so a calendar of
 * any size holds one item in memory. Times with a TZID (of a VTIMEZONE
 * in the file, or an Olson name libical knows) and UTC times become the
 * local wall-clock time; floating times and dates stay as written.
 */
#ifndef CRM_ICAL_H
#define CRM_ICAL_H

#include <stdint.h>
#include <stdio.h>

struct ical_item {
	int		 is_task;	/* a task; else an event */
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
	int		 floating;	/* times as written, without a zone */
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

/* One event or task read from a file, in crm's terms. */
struct ical_in {
	int		 is_task;	/* a task; else an event */
	unsigned long	 line;		/* its BEGIN line */
	char		*uid;		/* NULL when it has none */
	char		*summary;
	char		*location;
	char		*description;
	char		*start;		/* crm dates: local wall-clock time */
	char		*end;		/* the last day of an all-day event */
	char		*due;
	char		*status;	/* crm's task status */
	char		*priority;	/* crm's priority */
	char		*problem;	/* why it cannot be imported, or NULL */
	char		*remark;	/* what crm could not keep, or NULL */
};

struct ical_reader;

/* Open a calendar; NULL (error set, naming the file) on failure. */
struct ical_reader *ical_reader_open(const char *path);
/*
 * The next event or task: 0 and *out (free it), 1 at the end, -1
 * (error set: "FILE line N: reason") when the file is not a calendar or
 * is broken. An error is final.
 */
int		 ical_next(struct ical_reader *, struct ical_in **out);
void		 ical_in_free(struct ical_in *);
/* NULL is allowed. */
void		 ical_reader_close(struct ical_reader *);

/* A task component's STATUS for crm's task status ("NEEDS-ACTION"...). */
const char	*ical_status(const char *crm_status);
/* PRIORITY (1 highest .. 9 lowest, 0 none) for crm's priority. */
int		 ical_priority(const char *crm_priority);

#endif
