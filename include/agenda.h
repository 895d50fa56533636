/*
 * agenda: days and the calendar events of a day or a week, and when a
 * task is overdue.
 *
 * A day is a number of days since 1970-01-01 in the proleptic Gregorian
 * calendar, so moving a day or a week is arithmetic. Events and tasks keep
 * local wall-clock times as typed ("2026-11-25T10:00"), so "today" is the
 * local date of the injected clock (clock_now_ms), which is what faketime
 * and the unit tests control.
 *
 * Events are read through the events' name index, whose key is the start
 * followed by the subject, case-folded: the events of a range of days are
 * one range of that index, so a day costs what its events cost, whatever
 * the size of the file.
 *
 * Knows nothing of curses: the agenda screen draws what it returns.
 */
#ifndef CRM_AGENDA_H
#define CRM_AGENDA_H

#include <stddef.h>

#include "record.h"
#include "store.h"

/*
 * How far back an event may have started and still be shown on a later
 * day (a trade fair over several days): the read starts this many days
 * before the range, and that is its extra cost.
 */
#define AGENDA_LOOKBACK	7
/* At most this many events are read for one view (then truncated). */
#define AGENDA_MAX	5000

/* "YYYY-MM-DD..." to a day; -1 if it does not start with a real date. */
long	 agenda_day_parse(const char *);
/* A day as "YYYY-MM-DD" into buf (at least 11 bytes). Cannot fail. */
void	 agenda_day_format(long day, char *buf, size_t len);
/* The day of a civil date. Cannot fail for real dates. */
long	 agenda_day(int year, int month, int mday);
/* The civil date of a day. */
void	 agenda_civil(long day, int *year, int *month, int *mday);
/* 0 Monday .. 6 Sunday. */
int	 agenda_weekday(long day);
/* The Monday of the day's week. */
long	 agenda_week_start(long day);
/* The ISO 8601 week number of the day (1..53). */
int	 agenda_iso_week(long day);
const char *agenda_weekday_name(int weekday);
const char *agenda_month_name(int month);
/* "Wednesday 25 November 2026" into buf. */
void	 agenda_day_title(long day, char *buf, size_t len);
/* "HH:MM" of a time of day in minutes into buf (at least 6 bytes). */
void	 agenda_minute_format(int minute, char *buf, size_t len);
/* The minute of the day of "YYYY-MM-DDTHH:MM", or -1 with no time. */
int	 agenda_minute_parse(const char *);

/* Today and the minute of the day now, by the local clock (clock_now_ms). */
long	 agenda_today(int *minute);

/* One event of a view, with the days and minutes it covers. */
struct agenda_event {
	struct record	*rec;
	long		 day0;		/* the day it starts */
	long		 day1;		/* the last day it covers */
	int		 min0;		/* start on day0; -1: all day */
	int		 min1;		/* end on day1; -1: no end time */
};

struct agenda {
	struct agenda_event *ev;	/* in start order */
	size_t		 n;
	int		 truncated;	/* more than AGENDA_MAX */
};

/*
 * The events that touch the ndays days from day on: those starting in
 * that range and those that started up to AGENDA_LOOKBACK days earlier
 * and end in it or later. With mine set (a user ID, "" for everyone),
 * only events assigned to that user. Returns 0 or -1 (error set).
 */
int	 agenda_read(struct store_txn *, long day, int ndays, const char *mine,
	    struct agenda *);
void	 agenda_free(struct agenda *);
/* Does the event cover this day? */
int	 agenda_event_on(const struct agenda_event *, long day);

/*
 * Is the task overdue: due before today, and neither done nor cancelled?
 */
int	 agenda_task_overdue(const struct record *, long today);
/* The status x gives a task: done, or open again when it was done. */
const char *agenda_task_toggled(const struct record *);

/*
 * Dates as people write them. The order dates are shown in is the
 * user's (ui.date_order: "iso", "dmy", "mdy"); they are always stored in
 * ISO. agenda_date_parse reads: ISO (2026-12-24), D.M.Y (24.12.2026,
 * 24.12.26, 24.12.), D/M/Y or M/D/Y by that order, today, tomorrow,
 * yesterday, now (the time too), +3 and -1 (days), +2w, -1m, +1y
 * (weeks, months, years), a weekday (friday, fri: the next one, today
 * included); any of them followed by a time (14:30, T14:30). today is
 * agenda_today's day, minute_now the minute of now. Returns 0 with the
 * ISO form in out (YYYY-MM-DD or YYYY-MM-DDTHH:MM), or -1.
 */
enum agenda_order {
	AGENDA_ISO,
	AGENDA_DMY,
	AGENDA_MDY
};
void	 agenda_set_order(const char *order);
int	 agenda_date_parse(const char *text, long today, int minute_now,
	    char *out, size_t len);
/* An ISO date (and time) as the user's order writes it. */
void	 agenda_date_show(const char *iso, char *buf, size_t len);

#endif
