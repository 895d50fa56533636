/* agenda: days, the events of a day or a week, overdue tasks. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agenda.h"
#include "clock.h"
#include "error.h"
#include "model.h"
#include "store.h"
#include "xmalloc.h"

static const char *const agenda_weekdays[] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday"
};
static const char *const agenda_months[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

/*
 * Days from civil dates and back, by the era arithmetic of the proleptic
 * Gregorian calendar (400-year cycles of 146097 days): no table, no
 * time_t, so dates far from 1970 and any time zone work the same.
 */
long
agenda_day(int y, int m, int d)
{
	long	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
agenda_civil(long z, int *y, int *m, int *d)
{
	long	era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
agenda_digits(const char *s, int n)
{
	int	i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

long
agenda_day_parse(const char *s)
{
	int	y, m, d, ry, rm, rd;
	long	day;

	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if ((y = agenda_digits(s, 4)) < 0 || (m = agenda_digits(s + 5, 2)) < 1 ||
	    (d = agenda_digits(s + 8, 2)) < 1 || m > 12 || d > 31)
		return -1;
	/* 2026-02-30 comes back as another date: not a real one. */
	day = agenda_day(y, m, d);
	agenda_civil(day, &ry, &rm, &rd);
	if (ry != y || rm != m || rd != d)
		return -1;
	return day;
}

int
agenda_minute_parse(const char *s)
{
	int	h, m;

	if (strlen(s) < 16 || s[10] != 'T' || s[13] != ':')
		return -1;
	if ((h = agenda_digits(s + 11, 2)) < 0 || (m = agenda_digits(s + 14,
	    2)) < 0 || h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

void
agenda_day_format(long day, char *buf, size_t len)
{
	int	y, m, d;

	agenda_civil(day, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
}

void
agenda_minute_format(int minute, char *buf, size_t len)
{
	snprintf(buf, len, "%02d:%02d", minute / 60 % 100, minute % 60);
}

int
agenda_weekday(long day)
{
	/* 1970-01-01 was a Thursday. */
	return (int)(((day + 3) % 7 + 7) % 7);
}

long
agenda_week_start(long day)
{
	return day - agenda_weekday(day);
}

int
agenda_iso_week(long day)
{
	long	thursday = agenda_week_start(day) + 3;
	int	y, m, d;

	/* The week belongs to the year of its Thursday. */
	agenda_civil(thursday, &y, &m, &d);
	return (int)((thursday - agenda_day(y, 1, 1)) / 7 + 1);
}

const char *
agenda_weekday_name(int wd)
{
	return agenda_weekdays[((wd % 7) + 7) % 7];
}

const char *
agenda_month_name(int m)
{
	return m >= 1 && m <= 12 ? agenda_months[m - 1] : "?";
}

void
agenda_day_title(long day, char *buf, size_t len)
{
	int	y, m, d;

	agenda_civil(day, &y, &m, &d);
	snprintf(buf, len, "%s %d %s %d", agenda_weekday_name(
	    agenda_weekday(day)), d, agenda_month_name(m), y);
}

long
agenda_today(int *minute)
{
	struct tm	tm;
	time_t		now = (time_t)(clock_now_ms() / 1000);

	localtime_r(&now, &tm);
	if (minute != NULL)
		*minute = tm.tm_hour * 60 + tm.tm_min;
	return agenda_day(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Fill in the days and minutes an event covers; -1 if its start is bad. */
static int
agenda_event_span(struct agenda_event *e)
{
	const char	*start = record_value(e->rec, "start");
	const char	*end = record_value(e->rec, "end");
	long		 d;

	if ((e->day0 = agenda_day_parse(start)) < 0)
		return -1;
	e->min0 = agenda_minute_parse(start);
	e->day1 = e->day0;
	e->min1 = -1;
	if ((d = agenda_day_parse(end)) < e->day0)
		return 0;	/* no end, or a bad one: the start alone */
	e->day1 = d;
	e->min1 = agenda_minute_parse(end);
	/* Ending at midnight is ending the day before. */
	if (e->min1 == 0 && e->day1 > e->day0) {
		e->day1--;
		e->min1 = 24 * 60;
	}
	return 0;
}

int
agenda_event_on(const struct agenda_event *e, long day)
{
	return e->day0 <= day && day <= e->day1;
}

void
agenda_free(struct agenda *a)
{
	size_t	i;

	for (i = 0; i < a->n; i++)
		record_free(a->ev[i].rec);
	free(a->ev);
	memset(a, 0, sizeof *a);
}

int
agenda_read(struct store_txn *t, long day, int ndays, const char *mine,
    struct agenda *a)
{
	struct store_cursor	*c;
	struct record		*r;
	struct agenda_event	 e;
	const void		*key;
	size_t			 len, cap = 0;
	char			 from[16], to[16];
	int			 ret;

	memset(a, 0, sizeof *a);
	agenda_day_format(day - AGENDA_LOOKBACK, from, sizeof from);
	agenda_day_format(day + ndays, to, sizeof to);
	if (store_cursor_open(t, MODEL_EVENT, STORE_BY_NAME, 0, &c) != 0)
		return -1;
	/* The key starts with the start date: digits and dashes, unfolded. */
	store_cursor_seek(c, from, strlen(from), 0);
	while ((ret = store_cursor_next(c, &r)) == 0) {
		store_cursor_key(c, &key, &len);
		if (len < 10 || memcmp(key, to, 10) >= 0) {
			record_free(r);
			break;
		}
		memset(&e, 0, sizeof e);
		e.rec = r;
		if (agenda_event_span(&e) != 0 || e.day1 < day ||
		    e.day0 >= day + ndays || (mine != NULL && *mine != '\0' &&
		    strcmp(record_value(r, "assigned_to"), mine) != 0)) {
			record_free(r);
			continue;
		}
		if (a->n == AGENDA_MAX) {
			record_free(r);
			a->truncated = 1;
			break;
		}
		if (a->n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			a->ev = xreallocarray(a->ev, cap, sizeof *a->ev);
		}
		a->ev[a->n++] = e;
	}
	store_cursor_close(c);
	if (ret == -1) {
		agenda_free(a);
		return -1;
	}
	return 0;
}

int
agenda_task_overdue(const struct record *r, long today)
{
	const char	*status = record_value(r, "status");
	long		 due;

	if (strcmp(status, "done") == 0 || strcmp(status, "cancelled") == 0)
		return 0;
	if ((due = agenda_day_parse(record_value(r, "due"))) < 0)
		return 0;
	return due < today;
}

const char *
agenda_task_toggled(const struct record *r)
{
	return strcmp(record_value(r, "status"), "done") == 0 ? "open" :
	    "done";
}

/* How dates are written for a person: ui.date_order (agenda.h). */
static enum agenda_order	 agenda_order = AGENDA_ISO;

void
agenda_set_order(const char *order)
{
	if (strcmp(order, "dmy") == 0)
		agenda_order = AGENDA_DMY;
	else if (strcmp(order, "mdy") == 0)
		agenda_order = AGENDA_MDY;
	else
		agenda_order = AGENDA_ISO;
}

void
agenda_date_show(const char *iso, char *buf, size_t len)
{
	int	y, m, d;

	if (agenda_day_parse(iso) < 0 || agenda_order == AGENDA_ISO) {
		snprintf(buf, len, "%s", iso);
		if (strlen(buf) > 10 && buf[10] == 'T')
			buf[10] = ' ';
		return;
	}
	y = atoi(iso);
	m = atoi(iso + 5);
	d = atoi(iso + 8);
	if (agenda_order == AGENDA_DMY)
		snprintf(buf, len, "%02d.%02d.%04d%s%s", d, m, y,
		    iso[10] == 'T' ? " " : "", iso[10] == 'T' ? iso + 11 : "");
	else
		snprintf(buf, len, "%02d/%02d/%04d%s%s", m, d, y,
		    iso[10] == 'T' ? " " : "", iso[10] == 'T' ? iso + 11 : "");
}

/* Skip spaces; the rest of s. */
static const char *
agenda_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A number of up to max digits at *s (advanced past it), or -1. */
static int
agenda_number(const char **s, int max)
{
	int	n = 0, k = 0;

	while (k < max && **s >= '0' && **s <= '9') {
		n = n * 10 + (**s - '0');
		(*s)++;
		k++;
	}
	return k == 0 ? -1 : n;
}

/* "HH:MM" (or "H:MM", "HH.MM") at the end of a date: minutes, or -1. */
static int
agenda_time_part(const char *s, int *minute)
{
	int	h, m;

	s = agenda_space(s);
	*minute = -1;
	if (*s == '\0')
		return 0;
	if (*s == 'T' || *s == 't')
		s++;
	if ((h = agenda_number(&s, 2)) < 0 || (*s != ':' && *s != '.'))
		return -1;
	s++;
	if ((m = agenda_number(&s, 2)) < 0 || h > 23 || m > 59 ||
	    *agenda_space(s) != '\0')
		return -1;
	*minute = h * 60 + m;
	return 0;
}

/* A civil date, checked: its day, or -1. */
static long
agenda_civil_day(int y, int m, int d)
{
	long	day;
	int	ry, rm, rd;

	if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	day = agenda_day(y, m, d);
	agenda_civil(day, &ry, &rm, &rd);
	return ry == y && rm == m && rd == d ? day : -1;
}

/* A month (or a year) later or earlier: the same day, or the month's last. */
static long
agenda_add_months(long day, long months)
{
	int	y, m, d;
	long	total, r;

	agenda_civil(day, &y, &m, &d);
	total = (long)y * 12 + (m - 1) + months;
	y = (int)(total / 12);
	m = (int)(total % 12) + 1;
	while ((r = agenda_civil_day(y, m, d)) < 0 && d > 28)
		d--;
	return r;
}

/* The words a date may be written with; the day and the rest (*end). */
static long
agenda_word_day(const char *s, long today, const char **end)
{
	static const char *const words[][2] = {
		{ "today", "0" }, { "tod", "0" }, { "now", "0" },
		{ "tomorrow", "1" }, { "tom", "1" }, { "yesterday", "-1" },
	};
	static const char *const days[] = { "monday", "tuesday", "wednesday",
	    "thursday", "friday", "saturday", "sunday" };
	size_t	i, n;

	for (n = 0; s[n] != '\0' && s[n] != ' ' && (s[n] < '0' || s[n] > '9') &&
	    !((s[n] == 'T' || s[n] == 't') && s[n + 1] >= '0' &&
	    s[n + 1] <= '9'); n++)
		/* nothing */;
	if (n == 0)
		return -1;
	*end = s + n;
	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (strlen(words[i][0]) == n &&
		    strncasecmp(s, words[i][0], n) == 0)
			return today + atoi(words[i][1]);
	}
	/* A weekday, whole or its first three letters: the next one. */
	for (i = 0; i < 7; i++) {
		if (n >= 3 && n <= strlen(days[i]) &&
		    strncasecmp(s, days[i], n) == 0)
			return today + ((long)i - agenda_weekday(today) + 7) % 7;
	}
	return -1;
}

int
agenda_date_parse(const char *text, long today, int minute_now, char *out,
    size_t len)
{
	const char	*s = agenda_space(text), *p;
	long		 day = -1, n;
	int		 a, b, c, minute = -1, sign, year;
	char		 unit;

	if (*s == '+' || *s == '-') {
		/* +3, -1w, +2m, +1y: from today. */
		sign = *s == '-' ? -1 : 1;
		p = s + 1;
		if ((a = agenda_number(&p, 5)) < 0)
			return -1;
		unit = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		if (unit == 'd' || unit == 'w' || unit == 'm' || unit == 'y')
			p++;
		else
			unit = 'd';
		n = sign * (long)a;
		day = unit == 'd' ? today + n : unit == 'w' ? today + 7 * n :
		    agenda_add_months(today, unit == 'm' ? n : 12 * n);
		s = p;
	} else if ((*s < '0' || *s > '9') &&
	    (day = agenda_word_day(s, today, &p)) >= 0) {
		s = p;
		/* "now" is the time too. */
		if (strncasecmp(agenda_space(text), "now", 3) == 0)
			minute = minute_now;
	} else {
		p = s;
		if ((a = agenda_number(&p, 4)) < 0)
			return -1;
		if (*p == '-' && p - s == 4) {
			/* ISO: YYYY-MM-DD. */
			p++;
			if ((b = agenda_number(&p, 2)) < 0 || *p++ != '-' ||
			    (c = agenda_number(&p, 2)) < 0)
				return -1;
			day = agenda_civil_day(a, b, c);
		} else if (*p == '.' || *p == '/') {
			/*
			 * D.M.Y always; with slashes, the order of
			 * ui.date_order (M/D/Y for mdy, else D/M/Y). A year
			 * left out is this year; two digits, this century.
			 */
			char	sep = *p++;

			if ((b = agenda_number(&p, 2)) < 0)
				return -1;
			agenda_civil(today, &year, &c, &c);
			if (*p == sep && p[1] >= '0' && p[1] <= '9') {
				p++;
				if ((c = agenda_number(&p, 4)) < 0)
					return -1;
				year = c < 100 ? 2000 + c : c;
			} else if (*p == sep)
				p++;
			if (sep == '/' && agenda_order == AGENDA_MDY)
				day = agenda_civil_day(year, a, b);
			else
				day = agenda_civil_day(year, b, a);
		} else
			return -1;
		s = p;
	}
	if (day < 0)
		return -1;
	if (agenda_time_part(s, &c) != 0)
		return -1;
	if (c >= 0)
		minute = c;
	agenda_day_format(day, out, len);
	if (minute >= 0 && strlen(out) + 6 < len) {
		snprintf(out + strlen(out), len - strlen(out), "T%02d:%02d",
		    minute / 60, minute % 60);
	}
	return 0;
}
