/* test-agenda: days, the events of a day or week, overdue tasks, pipeline. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agenda.h"
#include "clock.h"
#include "error.h"
#include "model.h"
#include "pipeline.h"
#include "record.h"
#include "store.h"
#include "unit.h"
#include "user.h"
#include "xmalloc.h"

static struct store	*st;
static struct store_txn	*t;
static struct user	 root, anna;

static void
open_master(void)
{
	CU_ASSERT_FATAL(model_create(unit_path("m"), STORE_MASTER) == 0);
	st = model_open(unit_path("m"), STORE_MASTER, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	unit_user(&root, "root", "ROOT1", "Root Admin", USER_ADMIN, 0, 0);
	unit_user(&anna, "anna", "ANNA1", "Anna Berg", USER_USER, 0, 0);
	CU_ASSERT_FATAL(user_add(t, NULL, &root, "password", NULL) == 0);
	CU_ASSERT_FATAL(user_add(t, &root, &anna, "password", NULL) == 0);
}

static void
done(void)
{
	CU_ASSERT(store_commit(t) == 0);
	CU_ASSERT(store_close(st) == 0);
	user_clear(&root);
	user_clear(&anna);
}

static void
event(const struct user *who, const char *subject, const char *start,
    const char *end)
{
	struct model_change	ch[3] = { { "subject", subject },
				    { "start", start }, { "end", end } };
	struct record_id	id;

	CU_ASSERT_FATAL(model_add(t, who, MODEL_EVENT, ch, end != NULL ? 3 : 2,
	    &id) == 0);
}

static void
opportunity(const char *name, const char *amount, const char *stage,
    const char *close, const char *manager)
{
	struct model_change	ch[5] = { { "name", name }, { "amount", amount },
				    { "stage", stage },
				    { "close_date", close },
				    { "account_manager", manager } };
	struct record_id	id;

	CU_ASSERT_FATAL(model_add(t, &root, MODEL_OPPORTUNITY, ch, 5,
	    &id) == 0);
}

/* The subjects of an agenda, joined by commas. */
static char *
subjects(const struct agenda *a)
{
	char	*s = xcalloc(1, 4096);
	size_t	 i, len = 0;

	for (i = 0; i < a->n; i++)
		len += (size_t)snprintf(s + len, 4096 - len, "%s%s", i ? "," :
		    "", record_value(a->ev[i].rec, "subject"));
	return s;
}

#define ASSERT_STR(got, want) do {					\
	char *g_ = (got);						\
	CU_ASSERT_STRING_EQUAL(g_, (want));				\
	if (strcmp(g_, (want)) != 0)					\
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", g_, (want)); \
	free(g_);							\
} while (0)

static void
test_agenda_days_and_weeks(void)
{
	char	buf[64];
	long	d = agenda_day(2026, 11, 25);
	int	y, m, dd;

	CU_ASSERT_EQUAL(agenda_day(1970, 1, 1), 0);
	CU_ASSERT_EQUAL(agenda_day_parse("2026-11-25T10:00"), d);
	CU_ASSERT_EQUAL(agenda_day_parse("2026-02-30"), -1);
	CU_ASSERT_EQUAL(agenda_day_parse("2026-11"), -1);
	CU_ASSERT_EQUAL(agenda_day_parse("tomorrow!!"), -1);
	CU_ASSERT_EQUAL(agenda_day_parse("2024-02-29"), agenda_day(2024, 3, 1) -
	    1);
	agenda_civil(agenda_day(2000, 2, 29), &y, &m, &dd);
	CU_ASSERT(y == 2000 && m == 2 && dd == 29);
	agenda_civil(agenda_day(1969, 12, 31), &y, &m, &dd);
	CU_ASSERT(y == 1969 && m == 12 && dd == 31);
	/* 25 November 2026 is a Wednesday; its week starts on the 23rd. */
	CU_ASSERT_EQUAL(agenda_weekday(d), 2);
	CU_ASSERT_EQUAL(agenda_week_start(d), agenda_day(2026, 11, 23));
	CU_ASSERT_EQUAL(agenda_week_start(agenda_day(2026, 11, 29)),
	    agenda_day(2026, 11, 23));
	CU_ASSERT_EQUAL(agenda_week_start(agenda_day(2026, 11, 30)),
	    agenda_day(2026, 11, 30));
	CU_ASSERT_EQUAL(agenda_iso_week(d), 48);
	/* ISO weeks at the turn of a year. */
	CU_ASSERT_EQUAL(agenda_iso_week(agenda_day(2027, 1, 1)), 53);
	CU_ASSERT_EQUAL(agenda_iso_week(agenda_day(2025, 12, 29)), 1);
	agenda_day_title(d, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "Wednesday 25 November 2026");
	agenda_day_format(d + 7, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "2026-12-02");
	CU_ASSERT_EQUAL(agenda_minute_parse("2026-11-25T09:30"), 570);
	CU_ASSERT_EQUAL(agenda_minute_parse("2026-11-25"), -1);
	agenda_minute_format(570, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "09:30");
}

static uint64_t
fixed_clock(void)
{
	/* 2026-11-25 10:30:00 UTC */
	return 1795602600ULL * 1000;
}

static void
test_agenda_today_follows_the_clock(void)
{
	int	minute;

	setenv("TZ", "UTC", 1);
	tzset();
	clock_set_source(fixed_clock);
	CU_ASSERT_EQUAL(agenda_today(&minute), agenda_day(2026, 11, 25));
	CU_ASSERT_EQUAL(minute, 10 * 60 + 30);
	clock_set_source(NULL);
}

static void
test_agenda_reads_a_day_and_a_week(void)
{
	struct agenda	a;
	long		d = agenda_day(2026, 11, 25);

	open_master();
	event(&root, "Fair", "2026-11-24", "2026-11-26");
	event(&root, "Late call", "2026-11-25T21:30", NULL);
	event(&root, "Review", "2026-11-25T09:00", "2026-11-25T10:00");
	event(&anna, "Demo", "2026-11-25T09:30", "2026-11-25T11:00");
	event(&root, "Holiday", "2026-11-25", NULL);
	event(&root, "Night shift", "2026-11-24T22:00", "2026-11-25T06:00");
	event(&root, "Tomorrow", "2026-11-26T08:00", NULL);
	event(&root, "Last week", "2026-11-17T08:00", "2026-11-17T09:00");
	event(&root, "Next week", "2026-11-30T08:00", NULL);
	event(&root, "Ends at midnight", "2026-11-24T20:00",
	    "2026-11-25T00:00");

	/* The day: in start order, those running on from earlier first. */
	CU_ASSERT_FATAL(agenda_read(t, d, 1, "", &a) == 0);
	ASSERT_STR(subjects(&a), "Fair,Night shift,Holiday,Review,Demo,"
	    "Late call");
	CU_ASSERT(a.ev[0].day0 == d - 1 && a.ev[0].day1 == d + 1 &&
	    a.ev[0].min0 == -1);
	CU_ASSERT(a.ev[1].min1 == 6 * 60 && a.ev[1].day1 == d);
	CU_ASSERT(a.ev[3].min0 == 9 * 60 && a.ev[3].min1 == 10 * 60);
	CU_ASSERT(agenda_event_on(&a.ev[0], d + 1));
	CU_ASSERT(!agenda_event_on(&a.ev[3], d + 1));
	agenda_free(&a);

	/* Only anna's. */
	CU_ASSERT_FATAL(agenda_read(t, d, 1, "ANNA1", &a) == 0);
	ASSERT_STR(subjects(&a), "Demo");
	agenda_free(&a);

	/* The week of Monday 23 November. */
	CU_ASSERT_FATAL(agenda_read(t, agenda_week_start(d), 7, NULL,
	    &a) == 0);
	ASSERT_STR(subjects(&a), "Fair,Ends at midnight,Night shift,Holiday,"
	    "Review,Demo,Late call,Tomorrow");
	agenda_free(&a);

	/* A day with nothing. */
	CU_ASSERT_FATAL(agenda_read(t, agenda_day(2026, 12, 24), 1, "",
	    &a) == 0);
	CU_ASSERT_EQUAL(a.n, 0);
	agenda_free(&a);
	done();
}

static void
test_agenda_overdue_tasks(void)
{
	struct record	*r = record_new();
	long		 today = agenda_day(2026, 11, 25);

	record_set(r, "due", "2026-11-24", 1);
	record_set(r, "status", "open", 1);
	CU_ASSERT(agenda_task_overdue(r, today));
	CU_ASSERT_STRING_EQUAL(agenda_task_toggled(r), "done");
	record_set(r, "status", "waiting", 2);
	CU_ASSERT(agenda_task_overdue(r, today));
	record_set(r, "status", "done", 3);
	CU_ASSERT(!agenda_task_overdue(r, today));
	CU_ASSERT_STRING_EQUAL(agenda_task_toggled(r), "open");
	record_set(r, "status", "cancelled", 4);
	CU_ASSERT(!agenda_task_overdue(r, today));
	record_set(r, "status", "open", 5);
	record_set(r, "due", "2026-11-25T08:00", 6);
	CU_ASSERT(!agenda_task_overdue(r, today));	/* due today */
	record_set(r, "due", "", 7);
	CU_ASSERT(!agenda_task_overdue(r, today));
	record_free(r);
}

static char *
names(const struct pipeline_stage *s)
{
	char	*out = xcalloc(1, 4096);
	size_t	 i, len = 0;

	for (i = 0; i < s->nrows; i++)
		len += (size_t)snprintf(out + len, 4096 - len, "%s%s",
		    i ? "," : "", record_value(s->rows[i].rec, "name"));
	return out;
}

static void
test_pipeline_counts_totals_and_windows(void)
{
	struct pipeline	 p;
	char		 buf[64], name[16];
	int		 i;

	open_master();
	opportunity("Alpha", "1000.50", "prospect", "2026-12-01", "ROOT1");
	opportunity("Beta", "2000", "prospect", "", "ANNA1");
	opportunity("Gamma", "300", "prospect", "2026-11-30", "ROOT1");
	opportunity("Delta", "1234567.25", "won", "2026-10-01", "ROOT1");
	opportunity("Epsilon", "99", "negotiation", "2027-01-01", "ANNA1");
	for (i = 0; i < 7; i++) {
		snprintf(name, sizeof name, "Lost %d", i);
		opportunity(name, "10", "lost", "2026-01-01", "ROOT1");
	}

	pipeline_init(&p, 3);
	CU_ASSERT_FATAL(pipeline_read(t, &p, NULL) == 0);
	CU_ASSERT_EQUAL(p.count, 12);
	CU_ASSERT_EQUAL(p.open_count, 4);
	pipeline_amount_format(p.open_total, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "3,399.50");
	CU_ASSERT_STRING_EQUAL(p.stage[0].name, "prospect");
	CU_ASSERT_EQUAL(p.stage[0].count, 3);
	/* By close date, none last. */
	ASSERT_STR(names(&p.stage[0]), "Gamma,Alpha,Beta");
	CU_ASSERT_EQUAL(p.stage[1].count, 0);
	CU_ASSERT_EQUAL(p.stage[4].count, 1);
	CU_ASSERT(!p.stage[4].open && !p.stage[5].open && p.stage[3].open);
	pipeline_amount_format(p.stage[4].total, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "1,234,567.25");
	/* A window of 3 out of 7, then the next, then back. */
	CU_ASSERT_EQUAL(p.stage[5].count, 7);
	ASSERT_STR(names(&p.stage[5]), "Lost 0,Lost 1,Lost 2");
	CU_ASSERT_EQUAL(p.stage[5].before, 0);
	pipeline_anchor(&p, 5, p.stage[5].rows[2].key, 1);
	CU_ASSERT_FATAL(pipeline_read(t, &p, NULL) == 0);
	ASSERT_STR(names(&p.stage[5]), "Lost 3,Lost 4,Lost 5");
	CU_ASSERT_EQUAL(p.stage[5].before, 3);
	pipeline_anchor(&p, 5, p.stage[5].rows[0].key, -1);
	CU_ASSERT_FATAL(pipeline_read(t, &p, NULL) == 0);
	ASSERT_STR(names(&p.stage[5]), "Lost 0,Lost 1,Lost 2");
	CU_ASSERT_EQUAL(p.stage[5].before, 0);
	pipeline_anchor(&p, 5, "\377", -1);
	CU_ASSERT_FATAL(pipeline_read(t, &p, NULL) == 0);
	ASSERT_STR(names(&p.stage[5]), "Lost 4,Lost 5,Lost 6");
	CU_ASSERT_EQUAL(p.stage[5].before, 4);
	/* Only anna's. */
	CU_ASSERT_FATAL(pipeline_read(t, &p, "ANNA1") == 0);
	CU_ASSERT_EQUAL(p.count, 2);
	ASSERT_STR(names(&p.stage[0]), "Beta");
	/* The next and previous stage. */
	CU_ASSERT_STRING_EQUAL(pipeline_stage_next(p.stage[0].rows[0].rec, 1),
	    "qualified");
	CU_ASSERT_PTR_NULL(pipeline_stage_next(p.stage[0].rows[0].rec, -1));
	/* Won is not followed by lost; a closed deal opens again. */
	CU_ASSERT_FATAL(pipeline_read(t, &p, NULL) == 0);
	CU_ASSERT_FATAL(p.stage[4].nrows > 0 && p.stage[5].nrows > 0);
	for (i = 4; i < PIPELINE_NSTAGES; i++) {
		if (p.stage[i].nrows == 0)
			continue;
		CU_ASSERT(pipeline_stage_closed(i));
		CU_ASSERT_PTR_NULL(pipeline_stage_next(p.stage[i].rows[0].rec,
		    1));
		CU_ASSERT_STRING_EQUAL(pipeline_stage_next(
		    p.stage[i].rows[0].rec, -1), "negotiation");
	}
	CU_ASSERT(!pipeline_stage_closed(3));
	pipeline_free(&p);
	pipeline_amount_format(-1234.5L, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "-1,234.50");
	pipeline_amount_format(12, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "12.00");
	done();
}

/* A move follows in memory as a new pass would have it. */
static void
test_pipeline_move_in_memory(void)
{
	struct pipeline	 p, q;
	struct record	*before, *after;
	struct model_change ch = { "stage", "qualified" };
	char		 name[16];
	int		 i;

	open_master();
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof name, "Deal %d", i);
		opportunity(name, "100", "prospect", i == 4 ? "" :
		    "2026-12-01", "ROOT1");
	}
	opportunity("Other", "50", "qualified", "2026-11-01", "ROOT1");
	pipeline_init(&p, 3);
	CU_ASSERT_FATAL(pipeline_read(t, &p, NULL) == 0);
	ASSERT_STR(names(&p.stage[0]), "Deal 0,Deal 1,Deal 2");
	before = record_dup(p.stage[0].rows[1].rec);
	CU_ASSERT_FATAL(model_update(t, &root, MODEL_OPPORTUNITY, &before->id,
	    &ch, 1) == 0);
	CU_ASSERT_FATAL(model_get(t, MODEL_OPPORTUNITY, &before->id,
	    &after) == 0);
	pipeline_moved(&p, before, after);
	record_free(before);
	record_free(after);
	/* What a pass reads now. */
	pipeline_init(&q, 3);
	CU_ASSERT_FATAL(pipeline_read(t, &q, NULL) == 0);
	for (i = 0; i < PIPELINE_NSTAGES; i++) {
		CU_ASSERT_EQUAL(p.stage[i].count, q.stage[i].count);
		CU_ASSERT(p.stage[i].total == q.stage[i].total);
	}
	CU_ASSERT_EQUAL(p.open_count, q.open_count);
	ASSERT_STR(names(&p.stage[0]), "Deal 0,Deal 2");
	ASSERT_STR(names(&p.stage[1]), "Other,Deal 1");
	ASSERT_STR(names(&q.stage[1]), "Other,Deal 1");
	pipeline_free(&p);
	pipeline_free(&q);
	done();
}

/* Dates as people write them, against a fixed today (no clock needed). */
static void
test_agenda_dates_as_written(void)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "2026-12-24", "2026-12-24" },
		{ "2026-12-24T14:30", "2026-12-24T14:30" },
		{ "2026-12-24 14:30", "2026-12-24T14:30" },
		{ "today", "2026-11-25" }, { "TOMORROW", "2026-11-26" },
		{ "tom", "2026-11-26" }, { "yesterday", "2026-11-24" },
		{ "now", "2026-11-25T10:05" },
		{ "+3", "2026-11-28" }, { "-1", "2026-11-24" },
		{ "+2w", "2026-12-09" }, { "-1w", "2026-11-18" },
		{ "+1m", "2026-12-25" }, { "+3m", "2027-02-25" },
		{ "+1y", "2027-11-25" },
		/* Wednesday: the next Friday, today for Wednesday. */
		{ "fri", "2026-11-27" }, { "friday", "2026-11-27" },
		{ "wed", "2026-11-25" }, { "mon", "2026-11-30" },
		{ "24.12.2026", "2026-12-24" }, { "24.12.26", "2026-12-24" },
		{ "24.12.", "2026-12-24" }, { "1.2.2027 9:05", "2027-02-01T09:05" },
		{ "24/12/2026", "2026-12-24" },
		{ "tom 14:30", "2026-11-26T14:30" },
		{ NULL, NULL }
	};
	static const char *const bad[] = { "", "soon", "2026-02-30",
	    "31.04.2026", "+", "fr", "24.13.2026", "today 25:00", "+3x", NULL };
	char	out[32];
	long	today = agenda_day(2026, 11, 25);
	size_t	i;

	agenda_set_order("iso");
	for (i = 0; cases[i].in != NULL; i++) {
		CU_ASSERT(agenda_date_parse(cases[i].in, today, 10 * 60 + 5,
		    out, sizeof out) == 0);
		if (strcmp(out, cases[i].out) != 0)
			fprintf(stderr, "\n  %s: %s, not %s", cases[i].in, out,
			    cases[i].out);
		CU_ASSERT_STRING_EQUAL(out, cases[i].out);
	}
	for (i = 0; bad[i] != NULL; i++) {
		if (agenda_date_parse(bad[i], today, 0, out, sizeof out) == 0)
			fprintf(stderr, "\n  %s read as %s", bad[i], out);
		CU_ASSERT(agenda_date_parse(bad[i], today, 0, out,
		    sizeof out) == -1);
	}
	/* The user's order: month first with slashes, shown so too. */
	agenda_set_order("mdy");
	CU_ASSERT(agenda_date_parse("12/24/2026", today, 0, out,
	    sizeof out) == 0);
	CU_ASSERT_STRING_EQUAL(out, "2026-12-24");
	agenda_date_show("2026-12-24T09:30", out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "12/24/2026 09:30");
	agenda_set_order("dmy");
	agenda_date_show("2026-12-24", out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "24.12.2026");
	agenda_set_order("iso");
	agenda_date_show("2026-12-24T09:30", out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "2026-12-24 09:30");
}

static const struct unit_test tests[] = {
	{ "days and weeks", test_agenda_days_and_weeks },
	{ "dates as written", test_agenda_dates_as_written },
	{ "pipeline: a move in memory", test_pipeline_move_in_memory },
	{ "today follows the clock", test_agenda_today_follows_the_clock },
	{ "reads a day and a week", test_agenda_reads_a_day_and_a_week },
	{ "overdue tasks", test_agenda_overdue_tasks },
	{ "pipeline counts, totals and windows",
	  test_pipeline_counts_totals_and_windows },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("agenda", tests);
}
