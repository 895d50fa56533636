/*
 * screen-campaign: one marketing campaign, its fields and its targets.
 *
 * The top shows the campaign (name, dates, status, description) and how
 * many targets it has and how many responded; below is the list of its
 * targets, paged through the targets' link index like a record's pane,
 * filtered to the respondents or to those not yet responded on demand.
 * Targets are added from a search of companies or contacts that stays
 * open for the next one; r records a response with today's date.
 *
 * A restricted user sees only the targets they manage (RULES.md S15),
 * as rights_may_see says, and the counts say they count only those.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "browse.h"
#include "clock.h"
#include "edit.h"
#include "error.h"
#include "list.h"
#include "model.h"
#include "record.h"
#include "rights.h"
#include "screens.h"
#include "session.h"
#include "tui.h"
#include "xmalloc.h"

/*
 * The campaign's own actions and keymaps (tui.h: A_SCREEN, KM_SCREEN),
 * its picker's too.
 */
/* Targets from a search of companies, of contacts. */
#define A_CAMP_ADD_COMPANY (A_SCREEN + 0)
#define A_CAMP_ADD_CONTACT (A_SCREEN + 1)
#define A_CAMP_RESPONDED (A_SCREEN + 2)	/* responded today, or not (asks) */
#define A_CAMP_FILTER	(A_SCREEN + 3)	/* all, respondents, the others */
#define A_CAMP_INFO	(A_SCREEN + 4)	/* its record: who made it (S4) */
#define A_CAMP_KIND	(A_SCREEN + 5)	/* the picker: companies or contacts */
#define KM_CAMPAIGN	KM_SCREEN	/* a campaign and its targets */
#define KM_CAMP_PICK	(KM_SCREEN << 1) /* adding targets: typing a name */

/* The campaign's keys, and its picker's (before the form picker's Tab). */
static const struct binding campaign_bindings[] = {
	KEYS_SHARED(KEYS_END),
	{ A_CAMP_ADD_COMPANY, "add-company", KM_CAMPAIGN, { 'a' }, "a",
	  "add companies as targets: search them by name", 1 },
	{ A_CAMP_ADD_CONTACT, "add-contact", KM_CAMPAIGN, { 'A' }, "A",
	  "add contacts as targets: search them by name or company", 1 },
	{ A_CAMP_RESPONDED, "responded", KM_CAMPAIGN, { 'r' }, "r",
	  "mark the target responded today, or not responded (asks)", 1 },
	{ A_CAMP_FILTER, "filter", KM_CAMPAIGN, { 'f' }, "f",
	  "show all targets, the respondents, those not yet responded", 1 },
	{ A_EDIT, "edit", KM_CAMPAIGN, { 'e' }, "e", "edit the campaign", 1 },
	{ A_DELETE, "remove", KM_CAMPAIGN, { 'd', KEY_DC }, "d",
	  "remove the target from the campaign (asks first)", 1 },
	{ A_CAMP_INFO, "info", KM_CAMPAIGN, { 'i' }, "i",
	  "the campaign's record: who made and changed it", 0 },
	KEYS_BACK(KM_CAMPAIGN),
	{ A_CAMP_KIND, "companies-or-contacts", KM_CAMP_PICK,
	  { '\t', KEY_BTAB }, "Tab", "search companies or contacts", 1 },
	{ A_NONE, NULL, 0, { 0 }, NULL, NULL, 0 }
};

#define CAMP_COLUMNS	"company,contact,account_manager,responded,response_date"
/* Rows above the list: title, dates, description, counts. */
#define CAMP_TOP	4

enum camp_show {
	CAMP_ALL,
	CAMP_RESPONDED,
	CAMP_WAITING,
	CAMP_NSHOW
};

struct camp_data {
	struct record_id id;
	struct record	*rec;		/* the campaign */
	struct list	 l;		/* its targets */
	enum camp_show	 show;
	size_t		 targets;	/* counted as the user may see them */
	size_t		 responded;
};

/* Today's date where the user is, as a response date. */
static void
camp_today(char *buf, size_t len)
{
	time_t		now = (time_t)(clock_now_ms() / 1000);
	struct tm	tm;

	localtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

/* The filter of the list: what the user may see, and what is shown. */
static int
camp_filter(void *arg, struct store_txn *t, const struct record *r)
{
	struct camp_data	*d = arg;
	int			 yes, ret;

	yes = strcmp(record_value(r, "responded"), "yes") == 0;
	if ((d->show == CAMP_RESPONDED && !yes) ||
	    (d->show == CAMP_WAITING && yes))
		return 0;
	if ((ret = rights_may_see(t, &app.s.user, MODEL_TARGET, r)) == 0)
		error_clear();
	return ret;
}

/* Read the campaign and its counts in one unit of work. */
static int
camp_load(struct camp_data *d)
{
	struct store_txn	*t;
	struct record		*r;
	int			 ret;

	if ((ret = session_begin(&app.s, 0, &t)) != 0)
		return tui_unit(ret);
	if (model_get(t, MODEL_CAMPAIGN, &d->id, &r) != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		return -1;
	}
	record_free(d->rec);
	d->rec = r;
	ret = model_campaign_count(t, &app.s.user, &d->id, &d->targets,
	    &d->responded);
	session_end(&app.s, t, 0);
	if (ret != 0) {
		tui_error();
		return -1;
	}
	tui_unit(0);
	tui_redraw(REDRAW_BODY);
	return 0;
}

static void
camp_load_list(struct camp_data *d)
{
	int	h = LINES - 2 - CAMP_TOP - 1;

	d->l.lb.height = h > 1 ? h : 1;
	list_load(&d->l);
}

void
screen_campaign_show(int type, const struct record_id *id)
{
	struct camp_data	*d = xcalloc(1, sizeof *d);

	(void)type;
	d->id = *id;
	list_init(&d->l, MODEL_TARGET, CAMP_COLUMNS);
	d->l.b.order = BROWSE_OLDEST;
	browse_set_ref(&d->l.b, id);
	browse_set_filter(&d->l.b, camp_filter, d);
	tui_push(&screen_campaign, d);
}

static int
camp_enter(struct screen *sc)
{
	struct camp_data	*d = sc->data;

	if (camp_load(d) != 0)
		return -1;
	camp_load_list(d);
	return 0;
}

static void
camp_reload(struct screen *sc)
{
	struct camp_data	*d = sc->data;

	if (camp_load(d) != 0) {
		/* Deleted meanwhile: nothing left to show. */
		if (!app.busy)
			tui_pop();
		return;
	}
	camp_load_list(d);
	tui_status_reload();
}

static void
camp_leave(struct screen *sc)
{
	struct camp_data	*d = sc->data;

	list_free(&d->l);
	record_free(d->rec);
	free(d);
}

/* "Label value" pairs along one row, as far as they fit. */
static int
camp_pair(int y, int x, int cols, const char *label, const char *value)
{
	int	lw = tui_width(label), vw = tui_width(value);

	if (x + lw + 1 >= cols)
		return cols;
	tui_put(y, x, lw, label, tui_attr(C_LABEL));
	x += lw + 1;
	if (vw > cols - x)
		vw = cols - x;
	tui_put(y, x, vw, value, tui_attr(C_NORMAL));
	return x + vw + 3;
}

static void
camp_draw(struct screen *sc, int rows, int cols)
{
	static const char *const shows[CAMP_NSHOW] = {
		"showing all", "showing the respondents",
		"showing those not yet responded"
	};
	struct camp_data	*d = sc->data;
	const char		*v;
	char			 buf[512], *desc;
	const char		*nl;
	int			 x;

	if (d->rec == NULL)
		return;
	snprintf(buf, sizeof buf, " Campaign: %s",
	    record_value(d->rec, "name"));
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	x = 1;
	v = record_value(d->rec, "start");
	x = camp_pair(1, x, cols, "Start", *v != '\0' ? v : "-");
	v = record_value(d->rec, "end");
	x = camp_pair(1, x, cols, "End", *v != '\0' ? v : "-");
	camp_pair(1, x, cols, "Status", record_value(d->rec, "status"));
	/* The description's first line; the form shows it all. */
	v = record_value(d->rec, "description");
	if ((nl = strchr(v, '\n')) != NULL)
		xasprintf(&desc, "%.*s%s", (int)(nl - v), v,
		    nl[1] != '\0' ? " …" : "");
	else
		desc = xstrdup(v);
	camp_pair(2, 1, cols, "Description", *desc != '\0' ? desc : "-");
	free(desc);

	if (d->targets == 0)
		snprintf(buf, sizeof buf, " No targets%s yet",
		    rights_limited(&app.s.user) ? " of yours" : "");
	else
		snprintf(buf, sizeof buf, " %zu target%s, %zu responded "
		    "(%zu%%)%s", d->targets, d->targets == 1 ? "" : "s",
		    d->responded, (d->responded * 200 + d->targets) /
		    (2 * d->targets), rights_limited(&app.s.user) ?
		    ", your targets only" : "");
	snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " │ %s",
	    shows[d->show]);
	tui_put(3, 0, cols, buf, tui_attr(C_TITLE));

	list_draw(&d->l, CAMP_TOP, 0, rows - CAMP_TOP, cols, 1);
	if (d->l.lb.n == 0 && !d->l.failed && rows - CAMP_TOP >= 2) {
		if (d->show == CAMP_RESPONDED)
			v = "  No target has responded yet: f shows the others.";
		else if (d->show == CAMP_WAITING)
			v = "  Every target has responded: f shows them all.";
		else
			v = "  No targets yet: a adds companies, A adds "
			    "contacts.";
		tui_put(CAMP_TOP + 1, 0, cols, v, tui_attr(C_NORMAL));
	}
}

/* r: responded today, or back to not responded after asking. */
static void
camp_respond(struct camp_data *d, const struct record *r)
{
	struct model_change	 ch[2];
	struct store_txn	*t;
	char			 today[16], *name;
	int			 yes, ret;

	yes = strcmp(record_value(r, "responded"), "yes") == 0;
	name = screen_target_name(r);
	if (yes && !tui_confirm("Mark %s as not responded%s%s?", name,
	    *record_value(r, "response_date") != '\0' ?
	    ", clearing the response date " : "",
	    record_value(r, "response_date"))) {
		tui_message(0, "nothing was changed");
		free(name);
		return;
	}
	camp_today(today, sizeof today);
	ch[0].name = "responded";
	ch[0].value = yes ? "no" : "yes";
	ch[1].name = "response_date";
	ch[1].value = yes ? "" : today;
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		free(name);
		return;
	}
	if (model_update(t, &app.s.user, MODEL_TARGET, &r->id, ch, 2) != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		free(name);
		return;
	}
	if (session_end(&app.s, t, 1) != 0) {
		tui_error();
		free(name);
		return;
	}
	if (yes)
		tui_message(0, "%s: not responded", name);
	else
		tui_message(0, "%s responded on %s", name, today);
	free(name);
	if (camp_load(d) == 0)
		list_load(&d->l);
	tui_status_reload();
}

static void screen_campaign_pick_open(struct camp_data *, int kind);

static void
camp_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct camp_data	*d = sc->data;
	const struct record	*r = list_selected(&d->l);

	switch ((int)a) {
	case A_BACK:
		tui_pop();
		return;
	case A_RETRY:
		camp_reload(sc);
		return;
	case A_OPEN:
		if (r != NULL)
			screen_record_open(MODEL_TARGET, &r->id);
		return;
	case A_EDIT:
		screen_form_open(MODEL_CAMPAIGN, &d->id, NULL);
		return;
	case A_CAMP_INFO:
		screen_record_show(MODEL_CAMPAIGN, &d->id);
		return;
	case A_DELETE:
		if (r == NULL) {
			tui_message(1, "no target to remove");
			return;
		}
		if (screen_delete(MODEL_TARGET, r) == 0 && camp_load(d) == 0)
			list_load(&d->l);
		return;
	case A_CAMP_RESPONDED:
		if (r == NULL) {
			tui_message(1, "no target selected: add one with a "
			    "or A");
			return;
		}
		camp_respond(d, r);
		return;
	case A_CAMP_FILTER:
		d->show = (d->show + 1) % CAMP_NSHOW;
		browse_home(&d->l.b);
		d->l.lb.sel = 0;
		list_load(&d->l);
		return;
	case A_CAMP_ADD_COMPANY:
		screen_campaign_pick_open(d, MODEL_COMPANY);
		return;
	case A_CAMP_ADD_CONTACT:
		screen_campaign_pick_open(d, MODEL_CONTACT);
		return;
	default:
		list_key(&d->l, a, iskey, ch);
		return;
	}
}

const struct screen_ops screen_campaign = {
	.name = "campaign",
	.keymaps = KM_MOVE | KM_LIST | KM_CAMPAIGN,
	.bindings = campaign_bindings,
	.enter = camp_enter,
	.draw = camp_draw,
	.key = camp_key,
	.reload = camp_reload,
	.leave = camp_leave,
	.help = "A campaign and its targets",
};

/*
 * Adding targets: companies or contacts searched by name as it is typed;
 * Enter adds the one selected and stays, ready for the next.
 */
struct camp_pick {
	struct record_id campaign;
	char		*name;		/* the campaign's, for the title */
	int		 kind;		/* MODEL_COMPANY or MODEL_CONTACT */
	struct list	 l;
	int		 added;
};

/* A restricted user may add only whom they may see (S15). */
static int
camp_pick_filter(void *arg, struct store_txn *t, const struct record *r)
{
	struct camp_pick	*p = arg;
	int			 ret;

	if ((ret = rights_may_see(t, &app.s.user, p->kind, r)) == 0)
		error_clear();
	return ret;
}

static void
camp_pick_list(struct camp_pick *p, const char *text)
{
	list_init(&p->l, p->kind, p->kind == MODEL_CONTACT ?
	    "last_name,first_name,company,email,account_manager" :
	    "name,city,country,account_manager");
	browse_set_filter(&p->l.b, camp_pick_filter, p);
	p->l.searching = 1;
	edit_set(&p->l.search, text);
	browse_set_search(&p->l.b, text);
	p->l.lb.height = LINES - 2 - 3 > 1 ? LINES - 2 - 3 : 1;
}

static void
screen_campaign_pick_open(struct camp_data *d, int kind)
{
	struct camp_pick	*p = xcalloc(1, sizeof *p);

	p->campaign = d->id;
	p->name = xstrdup(record_value(d->rec, "name"));
	p->kind = kind;
	camp_pick_list(p, "");
	tui_push(&screen_campaign_pick, p);
}

static int
camp_pick_enter(struct screen *sc)
{
	struct camp_pick	*p = sc->data;

	list_load(&p->l);
	return 0;
}

static void
camp_pick_reload(struct screen *sc)
{
	struct camp_pick	*p = sc->data;

	p->l.lb.height = LINES - 2 - 3 > 1 ? LINES - 2 - 3 : 1;
	list_load(&p->l);
}

static void
camp_pick_leave(struct screen *sc)
{
	struct camp_pick	*p = sc->data;

	list_free(&p->l);
	free(p->name);
	free(p);
}

static int
camp_pick_typing(struct screen *sc)
{
	(void)sc;
	return 1;
}

static void
camp_pick_draw(struct screen *sc, int rows, int cols)
{
	struct camp_pick	*p = sc->data;
	char			 buf[512];

	snprintf(buf, sizeof buf, " Add %s to \"%s\": Enter adds, Tab "
	    "searches %s, Esc ends", model_type(p->kind)->plural, p->name,
	    p->kind == MODEL_COMPANY ? "contacts" : "companies");
	tui_put(0, 0, cols, buf, tui_attr(C_TAB_ON));
	p->l.searching = 1;
	list_draw_search(&p->l, 1, 0, cols, p->kind == MODEL_COMPANY ?
	    " Company name: " : " Contact's name: ");
	list_draw(&p->l, 2, 0, rows - 2, cols, 1);
}

/* Enter: the selected company or contact becomes a target. */
static void
camp_pick_add(struct camp_pick *p)
{
	const struct record	*r = list_selected(&p->l);
	struct model_change	 ch[2];
	struct store_txn	*t;
	struct record_id	 id;
	char			 cid[RECORD_ID_TEXT + 1];
	char			 rid[RECORD_ID_TEXT + 1], *name;
	int			 ret;

	if (r == NULL) {
		tui_message(1, "nothing to add: change the name, or Esc");
		return;
	}
	record_id_format(&p->campaign, cid);
	record_id_format(&r->id, rid);
	ch[0].name = "campaign";
	ch[0].value = cid;
	ch[1].name = p->kind == MODEL_CONTACT ? "contact" : "company";
	ch[1].value = rid;
	if ((ret = session_begin(&app.s, 0, &t)) != 0) {
		tui_unit(ret);
		return;
	}
	if (model_add(t, &app.s.user, MODEL_TARGET, ch, 2, &id) != 0) {
		session_end(&app.s, t, 0);
		tui_error();
		return;
	}
	if (session_end(&app.s, t, 1) != 0) {
		tui_error();
		return;
	}
	p->added++;
	name = model_record_name(p->kind, r, MODEL_NAME_SCREEN);
	tui_message(0, "added %s \"%s\" to \"%s\" (%d added here)",
	    model_type(p->kind)->name, name, p->name, p->added);
	free(name);
	/* On to the next one, for several in a row. */
	listbox_move(&p->l.lb, 1);
	tui_status_reload();
	tui_redraw(REDRAW_BODY);
}

static void
camp_pick_key(struct screen *sc, enum action a, int iskey, wint_t ch)
{
	struct camp_pick	*p = sc->data;
	char			*text;

	/* Space pages down in lists, but here it is part of a name. */
	if (!iskey && ch == ' ')
		a = A_NONE;
	switch ((int)a) {
	case A_BACK:
		tui_pop();
		return;
	case A_RETRY:
		list_load(&p->l);
		return;
	case A_OPEN:
		camp_pick_add(p);
		return;
	case A_CAMP_KIND:
		/* The same name, searched among the other kind. */
		text = edit_text(&p->l.search);
		list_free(&p->l);
		p->kind = p->kind == MODEL_COMPANY ? MODEL_CONTACT :
		    MODEL_COMPANY;
		camp_pick_list(p, text);
		free(text);
		list_load(&p->l);
		return;
	case A_UP:
	case A_DOWN:
	case A_PGUP:
	case A_PGDN:
		p->l.searching = 0;
		list_key(&p->l, a, iskey, ch);
		p->l.searching = 1;
		return;
	default:
		list_key(&p->l, A_NONE, iskey, ch);
		return;
	}
}

const struct screen_ops screen_campaign_pick = {
	.name = "campaign-pick",
	.keymaps = KM_PICK | KM_CAMP_PICK,
	.bindings = campaign_bindings,
	.enter = camp_pick_enter,
	.draw = camp_pick_draw,
	.key = camp_pick_key,
	.reload = camp_pick_reload,
	.leave = camp_pick_leave,
	.typing = camp_pick_typing,
	.typing_keymaps = KM_PICK | KM_CAMP_PICK,
	.help = "Adding targets to a campaign",
};
