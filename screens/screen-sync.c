/*
 * screen-sync: synchronize this local with its master (RULES.md), as
 * `crm sync` does, with a bar for the file under way and one overall,
 * the figures as they grow, and the summary crm sync prints at the end.
 * A preview (a dry run, B6) may come first. A master that cannot be
 * reached or is held by another process gets a screen of its own; a
 * held one is tried again every second, as the other screens do.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "error.h"
#include "model.h"
#include "screens.h"
#include "session.h"
#include "store.h"
#include "sync.h"
#include "tui.h"
#include "xmalloc.h"

/* The sync screen's own actions and keymap (tui.h: A_SCREEN, KM_SCREEN). */
#define A_SYNC_GO	(A_SCREEN + 0)	/* synchronize now */
#define A_SYNC_PREVIEW	(A_SCREEN + 1)	/* a dry run first */
#define A_SYNC_AGAIN	(A_SCREEN + 2)	/* try to reach the master again */
#define A_CONFLICTS	(A_SCREEN + 3)	/* the conflict log */
#define KM_SYNC		KM_SCREEN

static const struct binding sync_bindings[] = {
	KEYS_SHARED(KEYS_END),
	{ A_SYNC_GO, "sync", KM_SYNC, { '\r', '\n', KEY_ENTER, 'y' },
	  "Enter y", "synchronize now", 1 },
	{ A_SYNC_PREVIEW, "preview", KM_SYNC, { 'p' }, "p",
	  "preview what a sync would do, changing nothing", 1 },
	{ A_SYNC_AGAIN, "retry", KM_SYNC, { 'r' }, "r",
	  "try to reach the master again", 1 },
	{ A_CONFLICTS, "conflicts", KM_SYNC, { 'c' }, "c",
	  "the conflict log", 1 },
	KEYS_BACK(KM_SYNC),
	KEYS_HELP(KM_SYNC),
	KEYS_REDRAW(KM_SYNC),
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

/* Paint progress at most this often: a sync over ssh is not slowed. */
#define SYNC_PAINT_MS	100

enum sync_state {
	SYNC_ASK,		/* what will happen; Enter syncs, p previews */
	SYNC_RUNNING,
	SYNC_DONE,		/* the summary (of a preview when dry) */
	SYNC_UNREACHABLE,	/* the master's directory is not there */
	SYNC_BUSY,		/* another process holds the master */
	SYNC_FAILED
};

struct sync_data {
	enum sync_state		 state;
	int			 dry;		/* the run under way or shown */
	char			*master_dir;
	char			*holder;	/* SYNC_BUSY */
	char			 error[512];	/* SYNC_FAILED, UNREACHABLE */
	struct sync_report	 rep;		/* live, then final */
	struct sync_progress	 prog;
	int			 have_prog;
	int			 loaded;	/* a first sync loaded in bulk */
	struct timespec		 started;
	struct timespec		 painted;
	double			 seconds;
	unsigned		 tries;		/* SYNC_BUSY: for the screen */
	int			 asked_dry;	/* the run the password is for */
};


/*
 * The columns of `crm sync`'s table (SYNC_COUNTS in include/sync.h), one
 * a count: long labels, and short ones for 80 columns, where the two
 * kinds of refusal share one column (SYNC_COUNT_JOINED).
 */
#define SYNC_NCOLS	SYNC_NCOUNTS
#define SYNC_NAMEW	14

static unsigned long
sync_cell(const struct sync_counts *c, size_t col, int brief)
{
	unsigned long	v;

	v = sync_count(c, (int)col);
	if (brief && col == SYNC_COUNT_JOINED)
		v += sync_count(c, (int)col + 1);
	return v;
}

/* Its label in this form. */
static const char *
sync_col_label(size_t col, int brief)
{
	return brief ? sync_count_info[col].brief : sync_count_info[col].label;
}

/* Whether column col is drawn in this form (brief or not). */
static int
sync_col_in(size_t col, int brief)
{
	return sync_col_label(col, brief) != NULL;
}

static double
sync_ms_since(const struct timespec *t0)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1e3 +
	    (now.tv_nsec - t0->tv_nsec) / 1e6;
}

const char *
screen_sync_unavailable(void)
{
	if (app.open && app.s.role == STORE_MASTER)
		return "not on a master: a master is synchronized with";
	return NULL;
}

void
screen_sync_open(void)
{
	struct sync_data	*d;

	if (screen_sync_unavailable() != NULL) {
		tui_message(1, "%s is the master: sync runs on a local, against "
		    "its master, never on the master itself", app.s.name);
		return;
	}
	d = xcalloc(1, sizeof *d);
	d->master_dir = xstrdup(cfg_string("db.master"));
	tui_push(&screen_sync, d);
}

static int
sync_enter(struct screen *sc)
{
	(void)sc;
	tui_status_reload();
	return 0;
}

static void
sync_leave(struct screen *sc)
{
	struct sync_data	*d = sc->data;

	/* Nobody waits for the master once this screen is gone. */
	if (d->state == SYNC_BUSY)
		app.busy = 0;
	free(d->master_dir);
	free(d->holder);
	free(d);
}

/* The totals of the files so far (the engine sums them at the end). */
static void
sync_sum(const struct sync_report *rep, struct sync_counts *t)
{
	struct sync_counts	 f;
	size_t			 i;
	int			 c;

	memset(t, 0, sizeof *t);
	for (i = 0; i < MODEL_NTYPES; i++) {
		f = rep->file[i];
		for (c = 0; c < SYNC_NCOUNTS; c++)
			*sync_count_at(t, c) += *sync_count_at(&f, c);
	}
}

/* A bar of width columns, done of total, with the percentage after it. */
static void
sync_bar(int y, int x, int w, unsigned long done, unsigned long total)
{
	char	buf[1024], pct[16];
	int	i, len = 0, full, bw;

	if (done > total)
		done = total;
	bw = w - 6;
	if (bw < 4)
		return;
	if (bw > 200)
		bw = 200;
	full = total > 0 ? (int)((double)done / total * bw) : bw;
	for (i = 0; i < bw; i++)
		len += snprintf(buf + len, sizeof buf - len, "%s",
		    i < full ? "█" : "░");
	tui_put(y, x, bw, buf, tui_attr(C_TITLE));
	snprintf(pct, sizeof pct, " %3d%%", total > 0 ?
	    (int)((double)done * 100 / total) : 100);
	tui_put(y, x + bw, 6, pct, tui_attr(C_NORMAL));
}

/* The figures so far, labelled, over as many lines as the width needs. */
static int
sync_draw_counts(int y, int rows, int cols, const struct sync_counts *t)
{
	char	line[512], item[64];
	size_t	c, len = 0;
	int	w;

	line[0] = '\0';
	for (c = 0; c < SYNC_NCOLS && y < rows; c++) {
		if (sync_count_info[c].name == NULL)
			continue;
		w = snprintf(item, sizeof item, "%s%lu %s", len ? "   " : "  ",
		    sync_cell(t, c, 0), sync_count_info[c].name);
		if ((int)len + w > cols && len > 0) {
			tui_put(y++, 0, cols, line, tui_attr(C_NORMAL));
			len = 0;
			w = snprintf(item, sizeof item, "  %lu %s",
			    sync_cell(t, c, 0), sync_count_info[c].name);
		}
		len += (size_t)snprintf(line + len, sizeof line - len, "%s",
		    item);
	}
	if (len > 0 && y < rows)
		tui_put(y++, 0, cols, line, tui_attr(C_NORMAL));
	return y;
}

static void
sync_draw_running(struct sync_data *d, int rows, int cols)
{
	const struct sync_progress	*p = &d->prog;
	struct sync_counts		 t;
	char				 buf[512];
	unsigned long			 done, total;
	int				 y = 2;

	snprintf(buf, sizeof buf, " Master: %s", d->master_dir);
	tui_put(y, 0, cols, buf, tui_attr(C_NORMAL));
	y += 2;
	if (!d->have_prog) {
		tui_put(y, 0, cols, " Reaching the master and counting what "
		    "changed...", tui_attr(C_NORMAL));
		return;
	}
	if (p->type >= 0 && p->type < MODEL_NTYPES) {
		if (p->all_total > 0 || p->total != 1000)
			snprintf(buf, sizeof buf, " %s (file %d of %d): %lu of "
			    "%lu change%s looked at",
			    model_type(p->type)->label, p->files_done <
			    p->type + 1 ? p->type + 1 : p->files_done,
			    MODEL_NTYPES, p->done > p->total ? p->total :
			    p->done, p->total, p->total == 1 ? "" : "s");
		else
			snprintf(buf, sizeof buf, " %s (file %d of %d): %lu "
			    "record%s loaded", model_type(p->type)->label,
			    p->type + 1, MODEL_NTYPES, p->records,
			    p->records == 1 ? "" : "s");
		tui_put(y++, 0, cols, buf, tui_attr(C_LABEL));
		sync_bar(y++, 1, cols - 2, p->done, p->total);
	}
	y++;
	if (p->all_total > 0) {
		done = p->all_done + (p->files_done < MODEL_NTYPES &&
		    p->type >= p->files_done ? (p->done > p->total ? p->total :
		    p->done) : 0);
		total = p->all_total;
		snprintf(buf, sizeof buf, " Overall: %lu of %lu changes, "
		    "%d of %d files done", done > total ? total : done, total,
		    p->files_done, MODEL_NTYPES);
	} else {
		/* Not counted: files done, and the file under way in part. */
		total = MODEL_NTYPES * 1000UL;
		done = p->files_done * 1000UL + (p->type >= p->files_done &&
		    p->total > 0 ? p->done * 1000 / p->total : 0);
		snprintf(buf, sizeof buf, " Overall: %d of %d files done",
		    p->files_done, MODEL_NTYPES);
	}
	tui_put(y++, 0, cols, buf, tui_attr(C_LABEL));
	sync_bar(y++, 1, cols - 2, done, total);
	y++;
	sync_sum(&d->rep, &t);
	tui_put(y++, 0, cols, " So far:", tui_attr(C_LABEL));
	sync_draw_counts(y, rows, cols, &t);
}

/* The notes crm sync prints under its table, as the screen says them. */
static size_t
sync_notes(const struct sync_data *d, char notes[][256], size_t max)
{
	const struct sync_counts	*t = &d->rep.total;
	size_t				 n = 0;

	unsigned long			 i;

	if (d->rep.stale && n < max)
		snprintf(notes[n++], 256, "The update window had passed: the "
		    "master %s every conflict.", d->dry ? "would win" : "won");
	for (i = 0; i < d->rep.nnotes && i < SYNC_NOTES && n < max; i++)
		snprintf(notes[n++], 256, "Refused: %s", d->rep.notes[i]);
	if (t->lost + t->won + t->refused_delete + t->refused_scope +
	    t->refused_invalid > 0 && n < max)
		snprintf(notes[n++], 256, "Overwritten and refused values are "
		    "in the conflict log: c shows it (or crm conflicts).");
	if (t->refused_delete > 0 && n < max)
		snprintf(notes[n++], 256, "%lu deletion(s) were refused (you "
		    "may not delete them): the records are back.",
		    t->refused_delete);
	if (t->clamped > 0 && n < max)
		snprintf(notes[n++], 256, "%lu record(s) carried times too far "
		    "ahead of the master's clock: check this computer's clock.",
		    t->clamped);
	if (t->files_missing > 0 && n < max)
		snprintf(notes[n++], 256, "%lu attached file(s) were missing "
		    "and not copied.", t->files_missing);
	if (d->loaded && n < max)
		snprintf(notes[n++], 256, "A first sync: the master's records "
		    "were loaded in bulk.");
	if (d->dry && n < max)
		snprintf(notes[n++], 256, "Preview: nothing was changed. Enter "
		    "or y synchronizes now.");
	return n;
}

static int
sync_row_empty(const struct sync_counts *c)
{
	size_t	i;

	for (i = 0; i < SYNC_NCOLS; i++) {
		if (sync_col_in(i, 0) && sync_cell(c, i, 0) != 0)
			return 0;
	}
	return 1;
}

static void
sync_draw_row(int y, int cols, const char *name, const struct sync_counts *c,
    const int *width, int brief, int attr)
{
	char	buf[32];
	size_t	i;
	int	x;

	tui_put(y, 0, SYNC_NAMEW, name, attr);
	for (i = 0, x = SYNC_NAMEW; i < SYNC_NCOLS && x < cols; i++) {
		if (!sync_col_in(i, brief))
			continue;
		snprintf(buf, sizeof buf, "%*lu", width[i],
		    sync_cell(c, i, brief));
		tui_put(y, x, width[i] + 1, buf, attr);
		x += width[i] + 1;
	}
}

static void
sync_draw_done(struct sync_data *d, int rows, int cols)
{
	char		 notes[8][256], buf[512];
	int		 width[SYNC_NCOLS], sum, brief, y, x, f, shown, need;
	size_t		 i, nnotes;
	const char	*label;

	nnotes = sync_notes(d, notes, 8);
	/* Long labels when they fit, else the short ones and a legend. */
	for (brief = 0; brief < 2; brief++) {
		for (i = 0, sum = SYNC_NAMEW; i < SYNC_NCOLS; i++) {
			if (!sync_col_in(i, brief))
				continue;
			label = sync_col_label(i, brief);
			width[i] = (int)strlen(label) > 5 ? (int)strlen(label) :
			    5;
			sum += width[i] + 1;
		}
		if (sum <= cols)
			break;
	}
	if (brief == 2)
		brief = 1;
	/* Short of rows: only the files something happened to. */
	need = 3 + MODEL_NTYPES + 1 + brief + 1 + (int)nnotes;
	shown = need > rows ? -1 : MODEL_NTYPES;
	y = 2;
	snprintf(buf, sizeof buf, " Master: %s   (%.1f s)", d->master_dir,
	    d->seconds);
	tui_put(1, 0, cols, buf, tui_attr(C_NORMAL));
	tui_put(y, 0, SYNC_NAMEW, "File", tui_attr(C_HEADER));
	for (i = 0, x = SYNC_NAMEW; i < SYNC_NCOLS; i++) {
		if (!sync_col_in(i, brief))
			continue;
		label = sync_col_label(i, brief);
		snprintf(buf, sizeof buf, "%*s", width[i], label);
		tui_put(y, x, width[i] + 1, buf, tui_attr(C_HEADER));
		x += width[i] + 1;
	}
	if (x < cols)
		tui_put(y, x, cols - x, "", tui_attr(C_HEADER));
	y++;
	for (f = 0; f < MODEL_NTYPES && y < rows; f++) {
		if (shown == -1 && sync_row_empty(&d->rep.file[f]))
			continue;
		sync_draw_row(y++, cols, model_type(f)->plural,
		    &d->rep.file[f], width, brief, tui_attr(C_NORMAL));
	}
	if (y < rows)
		sync_draw_row(y++, cols, "total", &d->rep.total, width, brief,
		    tui_attr(C_TITLE));
	if (brief && y < rows)
		tui_put(y++, 0, cols, "RefDel: deletions not yours to make, "
		    "undone; Refused: by the master", tui_attr(C_NORMAL));
	y++;
	for (i = 0; i < nnotes && y < rows; i++)
		tui_put(y++, 0, cols, notes[i], tui_attr(C_LABEL));
}

/* Text over as many lines as it needs from y, cut at spaces; the next y. */
static int
sync_put_wrapped(int y, int rows, int cols, const char *text, int attr)
{
	return tui_put_wrapped(y, 1, rows, cols - 2, text, attr);
}

static void
sync_draw_ask(struct sync_data *d, int rows, int cols)
{
	char	buf[512], *when;
	int	y = 2;

	snprintf(buf, sizeof buf, " This local:  %s (%s)", app.s.name,
	    app.s.dir);
	tui_put(y++, 0, cols, buf, tui_attr(C_NORMAL));
	snprintf(buf, sizeof buf, " Its master:  %s", d->master_dir);
	tui_put(y++, 0, cols, buf, tui_attr(C_NORMAL));
	y++;
	if (app.pending >= 1000)
		snprintf(buf, sizeof buf, " 1000+ changes here wait to go "
		    "up.");
	else
		snprintf(buf, sizeof buf, " %llu change%s here wait%s to go "
		    "up.", (unsigned long long)app.pending, app.pending == 1 ?
		    "" : "s", app.pending == 1 ? "s" : "");
	tui_put(y++, 0, cols, buf, tui_attr(C_NORMAL));
	if (app.last_sync == 0)
		snprintf(buf, sizeof buf, " Never synchronized: the first sync "
		    "brings down every record you may see.");
	else {
		when = tui_local_time(app.last_sync);
		snprintf(buf, sizeof buf, " Last synchronized %s.", when);
		free(when);
	}
	tui_put(y++, 0, cols, buf, tui_attr(C_NORMAL));
	y++;
	/* Wrapped: what q does is at the end, and 80 columns cut it. */
	sync_put_wrapped(y, rows, cols, "Synchronize now? Enter or y "
	    "synchronizes; p previews what it would do, changing nothing; "
	    "q goes back.", tui_attr(C_KEY));
}

static void
sync_draw(struct screen *sc, int rows, int cols)
{
	struct sync_data	*d = sc->data;
	const char		*title;
	char			 buf[512];
	int			 y = 2;

	switch (d->state) {
	case SYNC_ASK:
		title = " Synchronize with the master";
		break;
	case SYNC_RUNNING:
		title = d->dry ? " Previewing the sync (nothing is changed)" :
		    " Synchronizing with the master";
		break;
	case SYNC_DONE:
		title = d->dry ? " Preview: what a sync would do" :
		    " Synchronized with the master";
		break;
	case SYNC_UNREACHABLE:
		title = " The master cannot be reached";
		break;
	case SYNC_BUSY:
		title = " The master is in use";
		break;
	default:
		title = " The sync failed";
		break;
	}
	tui_put(0, 0, cols, title, tui_attr(C_TAB_ON));
	switch (d->state) {
	case SYNC_ASK:
		sync_draw_ask(d, rows, cols);
		break;
	case SYNC_RUNNING:
		sync_draw_running(d, rows, cols);
		break;
	case SYNC_DONE:
		sync_draw_done(d, rows, cols);
		break;
	case SYNC_UNREACHABLE:
		snprintf(buf, sizeof buf, " Master: %s", d->master_dir);
		tui_put(y++, 0, cols, buf, tui_attr(C_NORMAL));
		y++;
		y = sync_put_wrapped(y, rows, cols, sync_where_remote(
		    d->master_dir) ? d->error : access(d->master_dir, F_OK) !=
		    0 ? "It is not there: check that it is mounted (or that "
		    "you are on the office network)." : "The directory is "
		    "empty, as a share that is not mounted is: mount it (or "
		    "connect to the office network).", tui_attr(C_ERROR));
		tui_put(y++, 0, cols, " Nothing was changed.",
		    tui_attr(C_NORMAL));
		y++;
		tui_put(y++, 0, cols, " r tries again; q goes back.",
		    tui_attr(C_KEY));
		break;
	case SYNC_BUSY:
		snprintf(buf, sizeof buf, " Master: %s", d->master_dir);
		tui_put(y++, 0, cols, buf, tui_attr(C_NORMAL));
		y++;
		snprintf(buf, sizeof buf, " In use by %s.", d->holder);
		tui_put(y++, 0, cols, buf, tui_attr(C_ERROR));
		snprintf(buf, sizeof buf, "Trying again every second (%u "
		    "tr%s so far); the sync starts as soon as it is free.",
		    d->tries, d->tries == 1 ? "y" : "ies");
		y = sync_put_wrapped(y, rows, cols, buf, tui_attr(C_NORMAL));
		y++;
		tui_put(y++, 0, cols, " r tries now; q goes back (nothing "
		    "was changed).", tui_attr(C_KEY));
		break;
	default:
		tui_put(y++, 0, cols, " Nothing more was changed; what was "
		    "committed before is consistent (RULES B5):",
		    tui_attr(C_NORMAL));
		y++;
		y = sync_put_wrapped(y, rows, cols, d->error,
		    tui_attr(C_ERROR)) + 1;
		tui_put(y++, 0, cols, " r tries again; q goes back.",
		    tui_attr(C_KEY));
		break;
	}
}

/*
 * Paint the screen now, in the middle of the sync: the loop paints only
 * between keys, and a sync is one key.
 */
static void
sync_paint(struct sync_data *d)
{
	struct screen	sc = { &screen_sync, d };
	int		y, rows = LINES - 2;

	curs_set(0);
	for (y = 0; y < rows; y++) {
		move(y, 0);
		clrtoeol();
	}
	sync_draw(&sc, rows, COLS);
	tui_put(LINES - 1, 0, COLS, d->dry ? " Previewing: nothing is "
	    "changed..." : " Synchronizing: please wait...",
	    tui_attr(C_NORMAL));
	wnoutrefresh(stdscr);
	doupdate();
	clock_gettime(CLOCK_MONOTONIC, &d->painted);
}

static void
sync_told(void *arg, const struct sync_progress *p)
{
	struct sync_data	*d = arg;

	d->prog = *p;
	d->have_prog = 1;
	if (sync_ms_since(&d->painted) < SYNC_PAINT_MS)
		return;
	d->rep = *p->rep;
	sync_paint(d);
}

/* Reach the master and run the sync (or its preview). */
static void
sync_run(struct sync_data *d, int dry)
{
	struct sync_job	job;
	int		ret;

	memset(&job, 0, sizeof job);
	job.dir = app.s.dir;
	job.local = app.s.st;
	job.login = app.s.user.login;
	job.password = app.s.password;
	/* Never block the screen: a held master is tried again each second. */
	job.wait_seconds = 0;
	job.dry_run = dry;
	job.progress = sync_told;
	job.arg = d;
	d->dry = dry;
	d->have_prog = 0;
	d->loaded = 0;
	memset(&d->rep, 0, sizeof d->rep);
	clock_gettime(CLOCK_MONOTONIC, &d->started);
	/* Tried again each second while busy: that screen stays meanwhile. */
	if (d->state != SYNC_BUSY) {
		d->state = SYNC_RUNNING;
		sync_paint(d);
	}

	ret = sync_job_open(&job);
	if (ret == 0) {
		d->state = SYNC_RUNNING;
		sync_paint(d);
		ret = sync_job_run(&job);
		app.s.st = job.local;
	}
	d->loaded = job.loaded;
	if (ret == SYNC_JOB_BUSY) {
		free(d->holder);
		d->holder = xstrdup(job.holder != NULL ? job.holder :
		    "another process");
	}
	snprintf(d->error, sizeof d->error, "%s", error_get());
	sync_job_close(&job);
	if (app.s.st == NULL) {
		/* A load put new files in place: the session opens them. */
		app.s.st = model_open(app.s.dir, STORE_LOCAL, 0,
		    app.s.wait_seconds);
		if (app.s.st == NULL) {
			snprintf(app.exit_message, sizeof app.exit_message,
			    "after the first sync, %s cannot be opened again: "
			    "%s; start crm again", app.s.dir, error_get());
			app.quit = 1;
			return;
		}
	}
	d->seconds = sync_ms_since(&d->started) / 1000;
	switch (ret) {
	case 0:
		d->rep = job.rep;
		d->state = SYNC_DONE;
		app.busy = 0;
		tui_message(0, d->dry ? "Preview done: nothing was changed." :
		    "Synchronized in %.1f s.", d->seconds);
		break;
	case SYNC_JOB_BUSY:
		d->state = SYNC_BUSY;
		d->tries++;
		app.busy = 1;
		break;
	case SYNC_JOB_UNREACHABLE:
		d->state = SYNC_UNREACHABLE;
		app.busy = 0;
		break;
	default:
		d->state = SYNC_FAILED;
		app.busy = 0;
		break;
	}
	tui_status_reload();
	tui_redraw(REDRAW_BODY | REDRAW_STATUS);
}

static void
sync_asked(void *arg)
{
	struct sync_data	*d = arg;

	sync_run(d, d->asked_dry);
}

/*
 * The master checks the password: logged in from the keyring, the
 * session has none yet, and it is asked for first.
 */
static void
sync_go(struct sync_data *d, int dry)
{
	d->asked_dry = dry;
	screen_login_password(dry ? "Preview" : "Synchronize", sync_asked, d);
}

static void
sync_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct sync_data	*d = sc->data;

	(void)iskey;
	(void)ch;
	switch ((int)a) {
	case A_BACK:
		tui_pop();
		return;
	case A_SYNC_GO:
		if (d->state == SYNC_ASK || (d->state == SYNC_DONE && d->dry))
			sync_go(d, 0);
		else if (d->state == SYNC_DONE)
			tui_message(0, "Synchronized already: q goes back, or "
			    "r synchronizes again.");
		return;
	case A_SYNC_PREVIEW:
		if (d->state == SYNC_ASK || d->state == SYNC_DONE)
			sync_go(d, 1);
		return;
	case A_SYNC_AGAIN:
		/* A preview's retry previews; anything else syncs again. */
		if (d->state != SYNC_ASK)
			sync_go(d, d->state != SYNC_DONE && d->dry);
		return;
	case A_RETRY:
		if (d->state == SYNC_BUSY)
			sync_go(d, d->dry);
		else
			app.busy = 0;
		return;
	case A_CONFLICTS:
		screen_conflicts_open();
		return;
	default:
		return;
	}
}

static void
sync_reload(struct screen *sc)
{
	(void)sc;
	tui_status_reload();
}

const struct screen_ops screen_sync = {
	.name = "sync",
	.keymaps = KM_SYNC,
	.bindings = sync_bindings,
	.enter = sync_enter,
	.draw = sync_draw,
	.key = sync_key,
	.reload = sync_reload,
	.leave = sync_leave,
	.help = "Synchronizing this local with its master",
};
