/*
 * screen-agenda: the calendar as a day of hourly slots (07:00-20:00, and
 * any hour before or after that has an event; all-day events and events
 * running on from earlier days at the top) or as a week, Monday first,
 * each day with its events. Events that overlap are listed together in
 * their slot. The cursor moves over slots and events: Enter opens the
 * event, n makes one at the cursor's time.
 *
 * Only the events of the days shown are read (agenda_read walks one range
 * of the events' start index), again after every change.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "agenda.h"
#include "error.h"
#include "list.h"
#include "listbox.h"
#include "model.h"
#include "record.h"
#include "screens.h"
#include "session.h"
#include "tui.h"
#include "xmalloc.h"

/* The agenda's own actions and keymap (tui.h: A_SCREEN, KM_SCREEN). */
#define A_WEEK		(A_SCREEN + 0)	/* a day or a week */
#define A_DAY_NEXT	(A_SCREEN + 1)	/* the next day (week) */
#define A_DAY_PREV	(A_SCREEN + 2)
#define A_TODAY		(A_SCREEN + 3)
#define A_MINE		(A_SCREEN + 4)	/* only mine, or everyone's */
#define KM_AGENDA	KM_SCREEN

static const struct binding agenda_bindings[] = {
	KEYS_SHARED(KEYS_MOVE),
	KEYS_UNDO(KM_AGENDA),
	KEYS_SHARED(KEYS_END),
	{ A_WEEK, "week", KM_AGENDA, { 'w' }, "w", "day or week", 1 },
	{ A_DAY_PREV, "previous", KM_AGENDA, { '[', KEY_LEFT }, "[ ←",
	  "the day before (the week before in the week)", 0 },
	{ A_DAY_NEXT, "next", KM_AGENDA, { ']', KEY_RIGHT }, "] →",
	  "the day after (the week after in the week)", 0 },
	/* No key of its own: the key line's short form of the two above. */
	{ A_DAY_NEXT, "day", KM_AGENDA, { 0 }, "[ ]",
	  "day before, after", 1 },
	{ A_DAY_NEXT, "week", KM_AGENDA, { 0 }, "[ ]",
	  "week before, after", 1 },
	{ A_TODAY, "today", KM_AGENDA, { 't' }, "t", "today", 1 },
	{ A_NEW, "new", KM_AGENDA, { 'n' }, "n",
	  "new event at the cursor's time, an hour long", 1 },
	{ A_EDIT, "edit", KM_AGENDA, { 'e' }, "e", "edit the event", 0 },
	{ A_DELETE, "delete", KM_AGENDA, { 'd', KEY_DC }, "d",
	  "delete the event (asks first)", 0 },
	{ A_MINE, "mine", KM_AGENDA, { 'm' }, "m",
	  "only mine, or everyone's", 1 },
	KEYS_BACK(KM_AGENDA),
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

#define AGENDA_FIRST_HOUR	7	/* slots shown even when empty */
#define AGENDA_LAST_HOUR	20
#define AGENDA_NEW_HOUR		9	/* n on a day with no time: 09:00 */

enum agenda_kind {
	AL_DAY,			/* the week: a day's heading */
	AL_NONE,		/* the week: "nothing planned" */
	AL_ALLDAY,		/* an all-day event, or one running on */
	AL_SLOT,		/* the day: an hour, and its first event */
	AL_EVENT		/* another event */
};

struct agenda_line {
	enum agenda_kind kind;
	long		 day;
	int		 minute;	/* the time n uses; -1: all day */
	int		 hour;		/* AL_SLOT: the hour at the left */
	long		 ev;		/* the event's index, or -1 */
};

struct agenda_data {
	int		 week;		/* the week, else the day */
	long		 day;		/* the day shown (a day of the week) */
	char		 mine[RECORD_UID_SIZE + 1];
	struct agenda	 a;
	char		**who;		/* per event: company, location */
	struct agenda_line *lines;
	/* lb.n lines; lb.sel == lb.n: none kept (a move to another day). */
	struct listbox	 lb;
	long		 today;
	int		 now;		/* minute of the day now */
	int		 failed;
};

static void
agenda_who_free(struct agenda_data *d)
{
	size_t	i;

	for (i = 0; d->who != NULL && i < d->a.n; i++)
		free(d->who[i]);
	free(d->who);
	d->who = NULL;
}

static void
agenda_add(struct agenda_data *d, enum agenda_kind kind, long day, int minute,
    int hour, long ev)
{
	struct agenda_line	*l;

	d->lines = xreallocarray(d->lines, d->lb.n + 1, sizeof *d->lines);
	l = &d->lines[d->lb.n++];
	l->kind = kind;
	l->day = day;
	l->minute = minute;
	l->hour = hour;
	l->ev = ev;
}

/* Does the event start at a time on this day (not all day, not earlier)? */
static int
agenda_timed_on(const struct agenda_event *e, long day)
{
	return e->day0 == day && e->min0 >= 0;
}

/* The lines of a day: all-day events, then the hours. */
static void
agenda_lines_day(struct agenda_data *d, long day)
{
	const struct agenda_event	*e;
	size_t				 i;
	int				 h, first;

	for (i = 0; i < d->a.n; i++) {
		e = &d->a.ev[i];
		if (agenda_event_on(e, day) && !agenda_timed_on(e, day))
			agenda_add(d, AL_ALLDAY, day, -1, -1, (long)i);
	}
	for (h = 0; h < 24; h++) {
		first = 1;
		for (i = 0; i < d->a.n; i++) {
			e = &d->a.ev[i];
			if (!agenda_timed_on(e, day) || e->min0 / 60 != h)
				continue;
			if (first)
				agenda_add(d, AL_SLOT, day, h * 60, h, (long)i);
			else
				agenda_add(d, AL_EVENT, day, e->min0, -1,
				    (long)i);
			first = 0;
		}
		if (first && h >= AGENDA_FIRST_HOUR && h <= AGENDA_LAST_HOUR)
			agenda_add(d, AL_SLOT, day, h * 60, h, -1);
	}
}

/* The lines of a week: each day's heading, then its events in order. */
static void
agenda_lines_week(struct agenda_data *d)
{
	const struct agenda_event	*e;
	long				 day, start = agenda_week_start(d->day);
	size_t				 i;
	int				 any;

	for (day = start; day < start + 7; day++) {
		agenda_add(d, AL_DAY, day, AGENDA_NEW_HOUR * 60, -1, -1);
		any = 0;
		/* All day and running on first: they begin earliest. */
		for (i = 0; i < d->a.n; i++) {
			e = &d->a.ev[i];
			if (!agenda_event_on(e, day) || agenda_timed_on(e, day))
				continue;
			agenda_add(d, AL_ALLDAY, day, -1, -1, (long)i);
			any = 1;
		}
		for (i = 0; i < d->a.n; i++) {
			e = &d->a.ev[i];
			if (!agenda_timed_on(e, day))
				continue;
			agenda_add(d, AL_EVENT, day, e->min0, -1, (long)i);
			any = 1;
		}
		if (!any)
			agenda_add(d, AL_NONE, day, AGENDA_NEW_HOUR * 60, -1,
			    -1);
	}
}

/* Put the cursor on the line nearest to a day and time, or an event. */
static void
agenda_select(struct agenda_data *d, long day, int minute,
    const struct record_id *id)
{
	const struct agenda_line	*l;
	size_t				 i, best = 0;
	int				 found = 0;

	for (i = 0; id != NULL && i < d->lb.n; i++) {
		l = &d->lines[i];
		if (l->ev >= 0 && l->day == day &&
		    record_id_cmp(&d->a.ev[l->ev].rec->id, id) == 0) {
			d->lb.sel = i;
			return;
		}
	}
	/*
	 * The day's first line (a week's heading, or the all-day events),
	 * or in a day the last hour that starts at or before the time.
	 */
	for (i = 0; i < d->lb.n; i++) {
		l = &d->lines[i];
		if (l->day != day)
			continue;
		if (!found) {
			best = i;
			found = 1;
			if (d->week || minute < 0)
				break;
		}
		if (l->kind == AL_SLOT && l->minute <= minute)
			best = i;
	}
	d->lb.sel = best;
}

/* The text of each event's company and place, read in the unit t. */
static void
agenda_who(struct agenda_data *d, struct store_txn *t)
{
	const struct record	*r;
	const char		*loc, *who;
	char			*company;
	size_t			 i;

	d->who = xcalloc(d->a.n + 1, sizeof *d->who);
	for (i = 0; i < d->a.n; i++) {
		r = d->a.ev[i].rec;
		company = tui_field_text(t, MODEL_EVENT, r, "company");
		loc = record_value(r, "location");
		/* Whose it is, when it is someone else's. */
		who = record_value(r, "assigned_to");
		if (strcmp(who, app.s.user.uid) == 0)
			who = "";
		xasprintf(&d->who[i], "%s%s%s%s%s%s", company,
		    *company != '\0' && *loc != '\0' ? " · " : "", loc,
		    *who != '\0' ? " (" : "", who, *who != '\0' ? ")" : "");
		free(company);
	}
}

/*
 * Read the days shown and rebuild the lines, keeping the cursor on the
 * same event, or else the same day and time.
 */
static int
agenda_load(struct agenda_data *d, long day, int minute)
{
	struct store_txn	*t;
	struct record_id	 id;
	long			 from;
	int			 ret, have_id = 0;

	if (d->lb.sel < d->lb.n && d->lines[d->lb.sel].ev >= 0) {
		id = d->a.ev[d->lines[d->lb.sel].ev].rec->id;
		have_id = 1;
	}
	d->today = agenda_today(&d->now);
	from = d->week ? agenda_week_start(d->day) : d->day;
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		d->failed = 1;
		return tui_unit(ret);
	}
	agenda_who_free(d);
	agenda_free(&d->a);
	ret = agenda_read(t, from, d->week ? 7 : 1, d->mine, &d->a);
	if (ret == 0)
		agenda_who(d, t);
	session_end(&app.s, t, 0);
	tui_unit(0);
	free(d->lines);
	d->lines = NULL;
	d->lb.n = 0;
	d->lb.sel = d->lb.top = 0;
	tui_redraw(REDRAW_BODY);
	if (ret != 0) {
		d->failed = 1;
		tui_error();
		return -1;
	}
	d->failed = 0;
	if (d->week)
		agenda_lines_week(d);
	else
		agenda_lines_day(d, d->day);
	agenda_select(d, day, minute, have_id ? &id : NULL);
	return 0;
}

static void	agenda_row(void *, size_t, int, int, int, int);

void
screen_agenda_open(const char *mine)
{
	struct agenda_data	*d = xcalloc(1, sizeof *d);

	snprintf(d->mine, sizeof d->mine, "%s", mine != NULL ? mine : "");
	listbox_init(&d->lb, 0, agenda_row, NULL, d);
	tui_push(&screen_agenda, d);
}

static int
agenda_enter(struct screen *sc)
{
	struct agenda_data	*d = sc->data;

	d->day = agenda_today(&d->now);
	/* Today opens at the hour it is now (within the usual hours). */
	/* A failed read stays on screen, said, until a key reads again. */
	agenda_load(d, d->day, d->now < AGENDA_FIRST_HOUR * 60 ?
	    AGENDA_FIRST_HOUR * 60 : d->now);
	return 0;
}

static void
agenda_reload(struct screen *sc)
{
	struct agenda_data	*d = sc->data;
	const struct agenda_line *l = d->lb.sel < d->lb.n ? &d->lines[d->lb.sel] :
				    NULL;

	agenda_load(d, l != NULL ? l->day : d->day, l != NULL ? l->minute :
	    -1);
	tui_status_reload();
}

static void
agenda_leave(struct screen *sc)
{
	struct agenda_data	*d = sc->data;

	agenda_who_free(d);
	agenda_free(&d->a);
	free(d->lines);
	free(d);
}

/* "09:00–10:30", "09:00–…" (ends on a later day), "all day", "…–12:00". */
static void
agenda_when(const struct agenda_event *e, long day, char *buf, size_t len)
{
	char	a[8], b[8];

	if (e->day0 == day && e->min0 >= 0) {
		agenda_minute_format(e->min0, a, sizeof a);
		if (e->day1 > day)
			snprintf(buf, len, "%s–…", a);
		else if (e->min1 >= 0 && e->min1 != e->min0) {
			agenda_minute_format(e->min1, b, sizeof b);
			snprintf(buf, len, "%s–%s", a, b);
		} else
			snprintf(buf, len, "%s", a);
		return;
	}
	if (e->day1 == day && e->day0 < day && e->min1 >= 0 &&
	    e->min1 < 24 * 60) {
		agenda_minute_format(e->min1, b, sizeof b);
		snprintf(buf, len, "…–%s", b);
		return;
	}
	snprintf(buf, len, "all day");
}

/* The event's subject, with the days it covers when it is several. */
static void
agenda_subject(const struct agenda_event *e, char *buf, size_t len)
{
	const char	*subject = record_value(e->rec, "subject");
	char		 from[64], to[64];
	int		 y, m, dd;

	if (e->day1 == e->day0) {
		snprintf(buf, len, "%s", subject);
		return;
	}
	agenda_civil(e->day0, &y, &m, &dd);
	snprintf(from, sizeof from, "%.3s %d %.3s", agenda_weekday_name(
	    agenda_weekday(e->day0)), dd, agenda_month_name(m));
	agenda_civil(e->day1, &y, &m, &dd);
	snprintf(to, sizeof to, "%.3s %d %.3s", agenda_weekday_name(
	    agenda_weekday(e->day1)), dd, agenda_month_name(m));
	snprintf(buf, len, "%s (%s – %s)", subject, from, to);
}

/* One event on a line from column x: when, subject, company and place. */
static void
agenda_draw_event(struct agenda_data *d, const struct agenda_line *l, int y,
    int x, int w, int attr)
{
	const struct agenda_event	*e = &d->a.ev[l->ev];
	char				 when[32], subject[512];
	int				 sw;

	agenda_when(e, l->day, when, sizeof when);
	agenda_subject(e, subject, sizeof subject);
	tui_put(y, x, 13, when, attr);
	x += 13;
	w -= 13;
	if (w <= 0)
		return;
	/* The subject takes the line when there is nothing else to say. */
	sw = *d->who[l->ev] != '\0' ? w * 11 / 20 : w;
	if (sw < 12)
		sw = w;
	tui_put(y, x, sw, subject, attr);
	if (w - sw - 1 > 0) {
		tui_put(y, x + sw, 1, "", attr);
		tui_put(y, x + sw + 1, w - sw - 1, d->who[l->ev], attr);
	}
}

/* The hour's label: the slot of now stands out today. */
static void
agenda_draw_hour(struct agenda_data *d, const struct agenda_line *l, int y,
    int attr)
{
	char	buf[16];
	int	now = l->day == d->today && l->hour == d->now / 60;

	snprintf(buf, sizeof buf, "%02d:00", l->hour);
	tui_put(y, 0, 1, now ? ">" : "", now ? tui_attr(C_TITLE) : attr);
	tui_put(y, 1, 5, buf, now ? tui_attr(C_TITLE) : attr);
}

/*
 * Which events begun before a slot's hour still run through it: an empty
 * slot says "busy", one with events of its own "also".
 */
static void
agenda_busy(struct agenda_data *d, const struct agenda_line *l,
    const char *word, char *buf, size_t len)
{
	const struct agenda_event	*e, *first = NULL;
	size_t				 i, n = 0;
	int				 a = l->hour * 60, s, f;

	buf[0] = '\0';
	for (i = 0; i < d->a.n; i++) {
		e = &d->a.ev[i];
		/* All-day events are not a busy hour: no time was given. */
		if (!agenda_event_on(e, l->day) || e->min0 < 0)
			continue;
		s = e->day0 < l->day ? 0 : e->min0;
		f = e->day1 > l->day ? 24 * 60 : e->min1;
		if (s < 0 || f < 0 || s >= a || f <= a)
			continue;	/* not on, or listed in the slot itself */
		if (first == NULL)
			first = e;
		n++;
	}
	if (first == NULL)
		return;
	if (n == 1)
		snprintf(buf, len, "(%s: %s)", word, record_value(first->rec,
		    "subject"));
	else
		snprintf(buf, len, "(%s: %s and %zu more)", word,
		    record_value(first->rec, "subject"), n - 1);
}

/* A line of the day or week, at y, w columns wide from x. */
static void
agenda_row(void *arg, size_t i, int y, int x0, int cols, int sel)
{
	struct agenda_data		*d = arg;
	const struct agenda_line	*l = &d->lines[i];
	char				 buf[512], title[128], busy[512];
	int				 attr, x, bw;

	(void)x0;
	attr = tui_attr(sel ? C_SELECTED : C_NORMAL);
	switch (l->kind) {
	case AL_DAY:
		agenda_day_title(l->day, title, sizeof title);
		snprintf(buf, sizeof buf, "%s%s", title,
		    l->day == d->today ? " (today)" : "");
		tui_put(y, 0, cols, buf, sel ? attr :
		    tui_attr(l->day == d->today ? C_TITLE : C_HEADER));
		break;
	case AL_NONE:
		tui_put(y, 0, cols, "    nothing planned", attr);
		break;
	case AL_ALLDAY:
	case AL_EVENT:
		x = d->week ? 4 : 9;
		tui_put(y, 0, x, d->week ? "" : "       │", attr);
		agenda_draw_event(d, l, y, x, cols - x, attr);
		break;
	case AL_SLOT:
		tui_put(y, 0, cols, "", attr);
		agenda_draw_hour(d, l, y, attr);
		tui_put(y, 6, 3, " │", attr);
		if (l->ev < 0) {
			agenda_busy(d, l, "busy", busy, sizeof busy);
			tui_put(y, 9, cols - 9, busy, sel ? attr :
			    tui_attr(C_LABEL));
			break;
		}
		/* An event begun earlier runs on: said at the right. */
		agenda_busy(d, l, "also", busy, sizeof busy);
		bw = busy[0] != '\0' ? tui_width(busy) + 1 : 0;
		if (bw > (cols - 9) / 2)
			bw = (cols - 9) / 2;
		agenda_draw_event(d, l, y, 9, cols - 9 - bw, attr);
		if (bw > 1)
			tui_put(y, cols - bw + 1, bw - 1, busy, sel ?
			    attr : tui_attr(C_LABEL));
		break;
	}
}

static void
agenda_draw(struct screen *sc, int rows, int cols)
{
	struct agenda_data		*d = sc->data;
	char				 buf[512], title[128];
	const char			*what;
	long				 start;
	int				 h, y0 = 2, y1, m1, d1;

	if (d->week) {
		start = agenda_week_start(d->day);
		agenda_civil(start, &y1, &m1, &d1);
		snprintf(title, sizeof title, "week %d, Monday %d %s", 
		    agenda_iso_week(start), d1, agenda_month_name(m1));
		agenda_civil(start + 6, &y1, &m1, &d1);
		snprintf(buf, sizeof buf, " Calendar: %s – Sunday %d %s %d%s",
		    title, d1, agenda_month_name(m1), y1, d->today >= start &&
		    d->today < start + 7 ? " (this week)" : "");
	} else {
		agenda_day_title(d->day, title, sizeof title);
		snprintf(buf, sizeof buf, " Calendar: %s%s", title,
		    d->day == d->today ? " (today)" : d->day == d->today + 1 ?
		    " (tomorrow)" : d->day == d->today - 1 ? " (yesterday)" :
		    "");
	}
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	what = d->mine[0] != '\0' ? "my events" : "everyone's events";
	if (d->a.n == 0)
		snprintf(buf, sizeof buf, " %s, %s: none", d->week ? "Week" :
		    "Day", what);
	else
		snprintf(buf, sizeof buf, " %s, %s: %s%zu event%s", d->week ?
		    "Week" : "Day", what, d->a.truncated ? "the first " : "",
		    d->a.n, d->a.n == 1 ? "" : "s");
	tui_put(1, 0, cols, buf, tui_attr(C_TITLE));
	if (d->failed) {
		tui_put(y0, 0, cols, "  (could not be read: see the message "
		    "below)", tui_attr(C_NORMAL));
		return;
	}
	h = rows - y0;
	if (h < 1)
		return;
	listbox_draw(&d->lb, y0, 0, h, cols);
}

/* Show another day (or week), keeping the cursor's time or weekday. */
static void
agenda_move(struct agenda_data *d, long day)
{
	const struct agenda_line *l = d->lb.sel < d->lb.n ? &d->lines[d->lb.sel] :
				    NULL;
	int			 minute = l != NULL ? l->minute : -1;

	if (d->week && l != NULL)
		day = day - d->day + l->day;
	d->day = day;
	d->lb.sel = d->lb.n;	/* not the same event on another day */
	agenda_load(d, day, d->week ? -1 : minute);
}

/* n: a new event at the cursor's time, an hour long. */
static void
agenda_new(struct agenda_data *d)
{
	const struct agenda_line *l = d->lb.sel < d->lb.n ? &d->lines[d->lb.sel] :
				    NULL;
	struct record		*defaults;
	char			 date[16], buf[32], t[8];
	long			 day = l != NULL ? l->day : d->day;
	int			 minute = l != NULL ? l->minute : -1, end;

	defaults = record_new();
	agenda_day_format(day, date, sizeof date);
	if (minute < 0)
		record_set(defaults, "start", date, 0);
	else {
		agenda_minute_format(minute, t, sizeof t);
		snprintf(buf, sizeof buf, "%sT%s", date, t);
		record_set(defaults, "start", buf, 0);
		end = minute + 60;
		if (end >= 24 * 60) {
			agenda_day_format(day + 1, date, sizeof date);
			end -= 24 * 60;
		}
		agenda_minute_format(end, t, sizeof t);
		snprintf(buf, sizeof buf, "%sT%s", date, t);
		record_set(defaults, "end", buf, 0);
	}
	if (d->mine[0] != '\0')
		record_set(defaults, "assigned_to", d->mine, 0);
	screen_form_open(MODEL_EVENT, NULL, defaults);
	record_free(defaults);
}

static void
agenda_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct agenda_data		*d = sc->data;
	const struct agenda_line	*l = d->lb.sel < d->lb.n ?
					    &d->lines[d->lb.sel] : NULL;
	const struct record		*r = l != NULL && l->ev >= 0 ?
					    d->a.ev[l->ev].rec : NULL;

	(void)iskey;
	(void)ch;
	switch ((int)a) {
	case A_BACK:
		tui_pop();
		return;
	case A_RETRY:
		agenda_reload(sc);
		return;
	case A_WEEK:
		d->week = !d->week;
		if (l != NULL)
			d->day = l->day;
		agenda_load(d, d->day, d->week || l == NULL ? -1 : l->minute);
		return;
	case A_DAY_NEXT:
	case A_DAY_PREV:
		agenda_move(d, d->day + (a == A_DAY_NEXT ? 1 : -1) *
		    (d->week ? 7 : 1));
		return;
	case A_TODAY:
		d->day = agenda_today(&d->now);
		d->lb.sel = d->lb.n;
		agenda_load(d, d->day, d->week ? -1 : d->now);
		return;
	case A_MINE:
		if (d->mine[0] != '\0')
			d->mine[0] = '\0';
		else
			snprintf(d->mine, sizeof d->mine, "%s", app.s.user.uid);
		agenda_load(d, l != NULL ? l->day : d->day, l != NULL ?
		    l->minute : -1);
		return;
	case A_OPEN:
		if (r != NULL)
			screen_record_open(MODEL_EVENT, &r->id);
		else if (d->week && l != NULL) {
			/* A day of the week: that day's hours. */
			d->week = 0;
			d->day = l->day;
			agenda_load(d, d->day, AGENDA_NEW_HOUR * 60);
		} else
			tui_message(0, "no event at %02d:00: n makes one",
			    l != NULL && l->hour >= 0 ? l->hour : 0);
		return;
	case A_NEW:
		agenda_new(d);
		return;
	case A_EDIT:
		if (r != NULL)
			screen_form_open(MODEL_EVENT, &r->id, NULL);
		else
			tui_message(1, "no event under the cursor to edit");
		return;
	case A_DELETE:
		if (r != NULL && screen_delete(MODEL_EVENT, r) == 0)
			agenda_reload(sc);
		else if (r == NULL)
			tui_message(1, "no event under the cursor to delete");
		return;
	default:
		/* The list keys among the agenda's lines. */
		if (!listbox_key(&d->lb, a))
			return;
		break;
	}
	tui_redraw(REDRAW_BODY);
}

/* The key line's "[ ]" says day or week, as the keys move. */
static int
agenda_offers(const struct screen *sc, const struct binding *b)
{
	const struct agenda_data	*d = sc->data;

	if (b->action != A_DAY_NEXT || b->keys[0] != 0)
		return 1;
	return strcmp(b->name, d->week ? "week" : "day") == 0;
}

const struct screen_ops screen_agenda = {
	.name = "agenda",
	.keymaps = KM_MOVE | KM_LIST | KM_AGENDA,
	.bindings = agenda_bindings,
	.enter = agenda_enter,
	.draw = agenda_draw,
	.key = agenda_key,
	.reload = agenda_reload,
	.leave = agenda_leave,
	.help = "The calendar: a day's hours, or a week",
	.offers = agenda_offers,
};
