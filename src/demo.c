/*
 * demo: a master filled with realistic sample data.
 *
 * Records are made directly (their references are right by construction)
 * and loaded in large transactions with logging off (STORE_BULK): a fresh
 * database that is cut off half-way is simply made again. The checkpoint
 * at close makes the result durable.
 *
 * Until then the directory holds STORE_UNFINISHED (store.h), made before
 * anything else and removed last: a demo killed at any moment is refused
 * by every other command, and the next crm demo removes what it left
 * and starts again.
 */
#include "config.h"


#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "clock.h"
#include "demo.h"
#include "document.h"
#include "file.h"
#include "error.h"
#include "model.h"
#include "record.h"
#include "session.h"
#include "store.h"
#include "user.h"
#include "vault.h"
#include "xmalloc.h"

#define DEMO_BATCH	20000	/* records per transaction */
#define NELEM(a)	(sizeof (a) / sizeof (a)[0])

static const char *const demo_first[] = {
	"Anna", "Ben", "Carla", "David", "Elena", "Felix", "Greta", "Hugo",
	"Ingrid", "Jonas", "Karin", "Lukas", "Marta", "Nils", "Olga", "Paul",
	"Zoë", "Søren", "Łukasz", "José", "Chloé", "Jürgen", "Ana", "Mehmet",
	"Sofia", "Tomás", "Ulla", "Viktor", "Wiebke", "Yusuf", "Agnès", "Björn"
};
static const char *const demo_last[] = {
	"Andersson", "Becker", "Costa", "Dubois", "Eriksen", "Fischer",
	"García", "Hansen", "Ivanova", "Jansen", "Kowalski", "Lindqvist",
	"Müller", "Novak", "Olsen", "Peeters", "Quist", "Rossi", "Schmidt",
	"Tanaka", "Ugarte", "Vogel", "Weber", "Ångström", "Østergaard",
	"Nuñez", "Brennan", "O'Neill", "Keller", "Moreau", "Horvath", "Lund"
};
static const char *const demo_word[] = {
	"Alpine", "Baltic", "Cedar", "Delta", "Evergreen", "Fjord", "Granite",
	"Harbour", "Iron", "Juniper", "Kestrel", "Lumen", "Meridian", "Nordic",
	"Orchard", "Pioneer", "Quarry", "Riverside", "Summit", "Tidewater",
	"Union", "Valley", "Westfield", "Zenith", "Bright", "Copper", "Silver",
	"Oak", "Falcon", "Atlas", "Beacon", "Crown"
};
static const char *const demo_trade[] = {
	"Logistics", "Engineering", "Foods", "Textiles", "Software", "Medical",
	"Timber", "Energy", "Printing", "Packaging", "Consulting", "Tools",
	"Dairy", "Optics", "Plastics", "Furniture"
};
static const char *const demo_suffix[] = {
	"Ltd", "GmbH", "AB", "SA", "BV", "Oy", "S.r.l.", "A/S", "Inc.", "& Co."
};
static const char *const demo_city[] = {
	"Hamburg", "Lyon", "Göteborg", "Kraków", "Porto", "Utrecht", "Aarhus",
	"Bergen", "Graz", "Bologna", "Tampere", "Leeds", "Zürich", "Sevilla",
	"Brno", "Łódź"
};
static const char *const demo_country[] = {
	"Germany", "France", "Sweden", "Poland", "Portugal", "Netherlands",
	"Denmark", "Norway", "Austria", "Italy", "Finland", "United Kingdom",
	"Switzerland", "Spain", "Czechia", "Poland"
};
static const char *const demo_titles[] = {
	"Purchasing Manager", "Managing Director", "Head of IT",
	"Office Manager", "Sales Director", "Plant Manager", "Buyer",
	"Finance Director", "Operations Lead", "Quality Engineer"
};
static const char *const demo_subjects[] = {
	"Call about the spring order", "Quarterly review",
	"Price list for next year", "Complaint about late delivery",
	"Demo of the new range", "Contract renewal", "Visit at the plant",
	"Follow-up on quote", "Training for new staff",
	"Invoice question", "Samples sent", "Trade fair meeting"
};
static const char *const demo_task_status[] = {
	"open", "open", "in-progress", "waiting", "done", "cancelled"
};
static const char *const demo_issue_status[] = {
	"open", "in-progress", "resolved", "closed"
};
static const char *const demo_priority[] = { "low", "normal", "normal", "high",
	"urgent" };
static const char *const demo_stage[] = {
	"prospect", "qualified", "proposal", "negotiation", "won", "lost"
};
static const char *const demo_industry[] = {
	"Manufacturing", "Retail", "Healthcare", "Transport", "Construction",
	"Agriculture", "Public sector", "Hospitality"
};

/* The people of the demo: login, user ID, name, type, restricted. */
static const struct {
	const char	*login;
	const char	*uid;
	const char	*name;
	enum user_type	 type;
	int		 restricted;
} demo_users[] = {
	{ "demo", "DEMO1", "Demo Administrator", USER_ADMIN, 0 },
	{ "anna", "ANNA1", "Anna Lindqvist", USER_USER, 0 },
	{ "ben", "BEN01", "Ben Becker", USER_REMOTE, 1 },
	{ "carla", "CARL1", "Carla Costa", USER_REMOTE, 0 },
};

struct demo {
	struct store		*st;
	struct store_txn	*t;
	uint64_t		 rng;
	uint64_t		 ms;		/* time of the next ID */
	unsigned long		 done, total, inbatch;
	void			(*progress)(unsigned long, unsigned long);
	struct record_id	*companies;
	unsigned long		 ncompanies;
	struct record_id	*contacts;
	unsigned long		*contact_company;
	unsigned long		 ncontacts;
	struct record_id	*campaigns;
	unsigned long		 ncampaigns;
	const char		**company_manager;
};

static uint32_t
demo_rand(struct demo *d)
{
	/* xorshift64*: fast and good enough for sample data. */
	d->rng ^= d->rng >> 12;
	d->rng ^= d->rng << 25;
	d->rng ^= d->rng >> 27;
	return (uint32_t)((d->rng * 2685821657736338717ULL) >> 32);
}

#define PICK(d, a) ((a)[demo_rand(d) % NELEM(a)])

static struct record *
demo_record(struct demo *d)
{
	struct record	*r;
	uint64_t	 stamp;

	r = record_new();
	record_id_new(&r->id, d->ms);
	stamp = store_stamp(d->t);
	r->created = r->modified = stamp;
	strcpy(r->created_by, demo_users[demo_rand(d) % 2].uid);
	strcpy(r->modified_by, r->created_by);
	return r;
}

static void
demo_set(struct record *r, const char *name, const char *value)
{
	record_set(r, name, value, r->created);
}

static void
demo_setf(struct record *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
demo_setf(struct record *r, const char *name, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	demo_set(r, name, buf);
}

static void
demo_date(struct demo *d, char *buf, size_t len, int with_time)
{
	int	m = 1 + (int)(demo_rand(d) % 12), day = 1 + (int)(demo_rand(d) % 28);

	if (with_time)
		snprintf(buf, len, "2026-%02d-%02dT%02d:%s", m, day,
		    8 + (int)(demo_rand(d) % 10), demo_rand(d) % 2 ? "00" : "30");
	else
		snprintf(buf, len, "2026-%02d-%02d", m, day);
}

static void
demo_ref(struct record *r, const char *name, const struct record_id *id)
{
	char	buf[RECORD_ID_TEXT + 1];

	record_id_format(id, buf);
	demo_set(r, name, buf);
}

/* Write a record; every DEMO_BATCH records the transaction is committed. */
static int
demo_put(struct demo *d, int type, struct record *r)
{
	int	ret;

	ret = store_put(d->t, (size_t)type, r, 0);
	record_free(r);
	if (ret != 0)
		return -1;
	d->done++;
	if (++d->inbatch == DEMO_BATCH) {
		if (store_commit(d->t) != 0) {
			d->t = NULL;
			return -1;
		}
		d->inbatch = 0;
		if (store_begin(d->st, &d->t) != 0) {
			d->t = NULL;
			return -1;
		}
		if (d->progress != NULL)
			d->progress(d->done, d->total);
	}
	if (d->done % 16 == 0)
		d->ms++;
	return 0;
}

static int
demo_companies(struct demo *d, unsigned long n)
{
	struct record	*r;
	unsigned long	 i;
	int		 c;

	d->companies = xcalloc(n, sizeof *d->companies);
	d->company_manager = xcalloc(n, sizeof *d->company_manager);
	for (i = 0; i < n; i++) {
		r = demo_record(d);
		c = (int)(demo_rand(d) % NELEM(demo_city));
		demo_setf(r, "name", "%s %s %s", PICK(d, demo_word),
		    PICK(d, demo_trade), PICK(d, demo_suffix));
		demo_setf(r, "phone", "+%u %u %06u", 30 + demo_rand(d) % 20,
		    10 + demo_rand(d) % 90, demo_rand(d) % 1000000);
		demo_setf(r, "email", "info@%s%lu.example.com",
		    PICK(d, demo_word), i);
		demo_setf(r, "website", "https://www.%s%lu.example.com",
		    PICK(d, demo_trade), i);
		demo_setf(r, "address", "%u %s Street", 1 + demo_rand(d) % 200,
		    PICK(d, demo_word));
		demo_set(r, "city", demo_city[c]);
		demo_set(r, "country", demo_country[c]);
		demo_set(r, "industry", PICK(d, demo_industry));
		d->company_manager[i] = demo_users[demo_rand(d) %
		    NELEM(demo_users)].uid;
		demo_set(r, "account_manager", d->company_manager[i]);
		d->companies[i] = r->id;
		if (demo_put(d, MODEL_COMPANY, r) != 0)
			return -1;
	}
	d->ncompanies = n;
	return 0;
}

static int
demo_contacts(struct demo *d, unsigned long n)
{
	struct record	*r;
	unsigned long	 i, co;
	const char	*first, *last;

	d->contacts = xcalloc(n, sizeof *d->contacts);
	d->contact_company = xcalloc(n, sizeof *d->contact_company);
	for (i = 0; i < n; i++) {
		r = demo_record(d);
		co = demo_rand(d) % d->ncompanies;
		first = PICK(d, demo_first);
		last = PICK(d, demo_last);
		demo_ref(r, "company", &d->companies[co]);
		demo_set(r, "first_name", first);
		demo_set(r, "last_name", last);
		demo_set(r, "job_title", PICK(d, demo_titles));
		demo_setf(r, "phone", "+%u %u %06u", 30 + demo_rand(d) % 20,
		    10 + demo_rand(d) % 90, demo_rand(d) % 1000000);
		demo_setf(r, "email", "contact%lu@example.com", i);
		demo_set(r, "account_manager", d->company_manager[co]);
		d->contacts[i] = r->id;
		d->contact_company[i] = co;
		if (demo_put(d, MODEL_CONTACT, r) != 0)
			return -1;
	}
	d->ncontacts = n;
	return 0;
}

/* The greatest common divisor of a and b. */
static unsigned long
demo_gcd(unsigned long a, unsigned long b)
{
	unsigned long	t;

	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Notes, events, tasks, opportunities and issues: about a contact. */
static int
demo_activities(struct demo *d, int type, unsigned long n)
{
	struct record	*r;
	unsigned long	 i, ct, co;
	char		 date[32];
	const char	*owner;

	for (i = 0; i < n; i++) {
		r = demo_record(d);
		ct = demo_rand(d) % d->ncontacts;
		co = d->contact_company[ct];
		owner = d->company_manager[co];
		demo_ref(r, "company", &d->companies[co]);
		demo_ref(r, "contact", &d->contacts[ct]);
		switch (type) {
		case MODEL_NOTE:
			demo_set(r, "subject", PICK(d, demo_subjects));
			demo_date(d, date, sizeof date, 0);
			demo_set(r, "date", date);
			demo_setf(r, "text", "Spoke with the customer about "
			    "%s.\nNext step: send a written offer.",
			    PICK(d, demo_trade));
			break;
		case MODEL_EVENT:
			demo_set(r, "subject", PICK(d, demo_subjects));
			demo_date(d, date, sizeof date, 1);
			demo_set(r, "start", date);
			date[11] = '1';		/* ends in the evening */
			date[12] = '8';
			demo_set(r, "end", date);
			demo_set(r, "location", PICK(d, demo_city));
			demo_set(r, "assigned_to", owner);
			break;
		case MODEL_TASK:
			demo_set(r, "subject", PICK(d, demo_subjects));
			demo_date(d, date, sizeof date, 0);
			demo_set(r, "due", date);
			demo_set(r, "status", PICK(d, demo_task_status));
			demo_set(r, "priority", PICK(d, demo_priority));
			demo_set(r, "assigned_to", owner);
			break;
		case MODEL_OPPORTUNITY:
			demo_setf(r, "name", "%s for %s", PICK(d, demo_trade),
			    PICK(d, demo_city));
			demo_setf(r, "amount", "%u.00",
			    500 + demo_rand(d) % 250000);
			demo_set(r, "stage", PICK(d, demo_stage));
			demo_setf(r, "probability", "%u",
			    (demo_rand(d) % 10) * 10);
			demo_date(d, date, sizeof date, 0);
			demo_set(r, "close_date", date);
			demo_set(r, "account_manager", owner);
			break;
		case MODEL_ISSUE:
			demo_set(r, "subject", PICK(d, demo_subjects));
			demo_set(r, "status", PICK(d, demo_issue_status));
			demo_set(r, "priority", PICK(d, demo_priority));
			demo_set(r, "assigned_to", owner);
			demo_set(r, "description", "Reported by phone.");
			break;
		}
		if (demo_put(d, type, r) != 0)
			return -1;
	}
	return 0;
}

static int
demo_campaigns(struct demo *d, unsigned long ncampaigns, unsigned long n)
{
	static const char *const status[] = { "planned", "active",
		"completed" };
	struct record	*r;
	unsigned long	 i, ct, co, c, k, step;
	char		 date[32];

	d->campaigns = xcalloc(ncampaigns, sizeof *d->campaigns);
	for (i = 0; i < ncampaigns; i++) {
		r = demo_record(d);
		demo_setf(r, "name", "%s %s campaign %lu", PICK(d, demo_word),
		    PICK(d, demo_trade), i + 1);
		snprintf(date, sizeof date, "2026-%02lu-01", 1 + i % 11);
		demo_set(r, "start", date);
		snprintf(date, sizeof date, "2026-%02lu-28", 2 + i % 11);
		demo_set(r, "end", date);
		demo_set(r, "status", PICK(d, status));
		demo_set(r, "description", "Mailing with a follow-up call.");
		d->campaigns[i] = r->id;
		if (demo_put(d, MODEL_CAMPAIGN, r) != 0)
			return -1;
	}
	d->ncampaigns = ncampaigns;
	/*
	 * A contact is a target of a campaign once (as model_add insists):
	 * the k-th target of a campaign is the contact k steps of a stride
	 * prime to the number of contacts from the campaign's own start, so
	 * no two targets of a campaign meet while it has fewer targets than
	 * there are contacts. The rest would repeat one: they are not made.
	 */
	step = d->ncontacts / 2 + 1;
	while (demo_gcd(step, d->ncontacts) != 1)
		step++;
	for (i = 0; i < n; i++) {
		k = i / ncampaigns;
		if (k >= d->ncontacts)
			break;
		c = i % ncampaigns;
		r = demo_record(d);
		ct = (c * 7919 + k * step) % d->ncontacts;
		co = d->contact_company[ct];
		demo_ref(r, "campaign", &d->campaigns[c]);
		demo_ref(r, "company", &d->companies[co]);
		demo_ref(r, "contact", &d->contacts[ct]);
		demo_set(r, "account_manager", d->company_manager[co]);
		if (demo_rand(d) % 4 == 0) {
			/* A response within the campaign's weeks. */
			demo_set(r, "responded", "yes");
			snprintf(date, sizeof date, "2026-%02lu-%02lu",
			    2 + c % 11, 1 + (unsigned long)demo_rand(d) % 28);
			demo_set(r, "response_date", date);
		} else
			demo_set(r, "responded", "no");
		if (demo_put(d, MODEL_TARGET, r) != 0)
			return -1;
	}
	return 0;
}

/* A few real files in documents/ and templates/, with their records. */
static int
demo_files(struct demo *d, unsigned long ndocs)
{
	static const char *const templates[] = {
		"Welcome letter", "Offer", "Reminder"
	};
	static const char *const demo_file_name[] = {
		"welcome-letter", "offer", "reminder"
	};
	struct record	*r;
	unsigned long	 i;
	char		 text[512], hex[FILE_HASH_TEXT + 1];
	int		 type;
	size_t		 len;

	for (i = 0; i < ndocs + NELEM(templates); i++) {
		type = i < ndocs ? MODEL_DOCUMENT : MODEL_TEMPLATE;
		r = demo_record(d);
		if (type == MODEL_DOCUMENT) {
			snprintf(text, sizeof text, "Offer %lu\n\nDear "
			    "customer,\nplease find our offer attached.\n",
			    i + 1);
			demo_ref(r, "parent", &d->companies[i % d->ncompanies]);
			demo_setf(r, "description", "Signed offer %lu", i + 1);
			demo_setf(r, "filename", "offer-%lu.txt", i + 1);
			demo_set(r, "mime", "text/plain");
		} else {
			/* The fields a letter fills in (letter.h). */
			snprintf(text, sizeof text, "{{company.name}}\n"
			    "{{date}}\n\nDear {{contact.first_name}} "
			    "{{contact.last_name}},\n\n%s text.\n\nKind "
			    "regards,\n{{user.name}}\n", templates[i - ndocs]);
			demo_set(r, "name", templates[i - ndocs]);
			demo_setf(r, "description", "Letter: %s",
			    templates[i - ndocs]);
			demo_setf(r, "filename", "%s.txt",
			    demo_file_name[i - ndocs]);
		}
		len = strlen(text);
		/* Sealed if the database has a key, as every stored file. */
		if (document_put(store_dir(d->st), type, &r->id, text, len,
		    hex) != 0) {
			record_free(r);
			return -1;
		}
		demo_set(r, "hash", hex);
		if (type == MODEL_DOCUMENT)
			demo_setf(r, "size", "%zu", len);
		if (demo_put(d, type, r) != 0)
			return -1;
	}
	return 0;
}

static int
demo_users_add(struct demo *d)
{
	struct user	u;
	size_t		i;

	for (i = 0; i < NELEM(demo_users); i++) {
		memset(&u, 0, sizeof u);
		u.login = (char *)demo_users[i].login;
		strcpy(u.uid, demo_users[i].uid);
		u.name = (char *)demo_users[i].name;
		u.type = demo_users[i].type;
		u.restricted = demo_users[i].restricted;
		u.may_change_manager = u.type == USER_ADMIN;
		if (user_add(d->t, NULL, &u, "demo", NULL) != 0)
			return -1;
		d->done++;
	}
	return 0;
}

/*
 * Whether a name in a database's directory is one that crm makes there:
 * only those are removed when a stopped demo is made again, since the
 * directory may have been the user's before.
 */
static int
demo_ours(const char *name)
{
	size_t	len = strlen(name);

	return (len > 3 && strcmp(name + len - 3, ".db") == 0) ||
	    strncmp(name, "log.", 4) == 0 || strncmp(name, "__db.", 5) == 0 ||
	    strncmp(name, "crm.conf", 8) == 0 || strcmp(name, "lock") == 0 ||
	    strcmp(name, "open.lock") == 0 ||
	    strncmp(name, VAULT_MASTER_KEY_FILE,
	    strlen(VAULT_MASTER_KEY_FILE)) == 0;
}

/* A document or template file of the demo: named by its record's ID. */
static int
demo_ours_file(const char *name)
{
	return strlen(name) == RECORD_ID_TEXT || strstr(name, ".tmp-") != NULL;
}

/* Remove what a stopped demo left in dir, but STORE_UNFINISHED. */
static int
demo_undo(const char *dir)
{
	static const char *const subs[] = { "documents", "templates" };
	DIR		*d;
	struct dirent	*e;
	char		*sub, *path;
	size_t		 i;
	int		 ret = 0;

	for (i = 0; i < NELEM(subs) + 1; i++) {
		if (i < NELEM(subs))
			xasprintf(&sub, "%s/%s", dir, subs[i]);
		else
			sub = xstrdup(dir);
		if ((d = opendir(sub)) == NULL) {
			free(sub);
			continue;
		}
		while ((e = readdir(d)) != NULL) {
			if (i < NELEM(subs) ? !demo_ours_file(e->d_name) :
			    !demo_ours(e->d_name))
				continue;
			xasprintf(&path, "%s/%s", sub, e->d_name);
			if (unlink(path) != 0 && errno != ENOENT) {
				error_set("cannot remove %s, left by a crm "
				    "demo that was stopped: %s; remove %s "
				    "and run crm demo again", path,
				    strerror(errno), dir);
				ret = -1;
			}
			free(path);
		}
		closedir(d);
		free(sub);
	}
	return ret;
}

/*
 * Mark dir unfinished, or find it marked by a demo that was stopped and
 * clear what that one left. *redo says which.
 */
static int
demo_begin(const char *dir, int *redo)
{
	char	*path;
	int	 fd;

	*redo = 0;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		error_set("cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	xasprintf(&path, "%s/%s", dir, STORE_UNFINISHED);
	if (access(path, F_OK) == 0) {
		*redo = 1;
		free(path);
		return demo_undo(dir);
	}
	/* A database already there is store_create's to refuse. */
	free(path);
	xasprintf(&path, "%s/meta.db", dir);
	if (access(path, F_OK) == 0) {
		free(path);
		return 0;
	}
	free(path);
	xasprintf(&path, "%s/%s", dir, STORE_UNFINISHED);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1 || fsync(fd) != 0) {
		error_set("cannot create %s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		free(path);
		return -1;
	}
	close(fd);
	free(path);
	return 0;
}

/* The demo is whole: any crm may open it now. */
static int
demo_end(const char *dir)
{
	char	*path;
	int	 ret = 0;

	xasprintf(&path, "%s/%s", dir, STORE_UNFINISHED);
	if (unlink(path) != 0) {
		error_set("cannot remove %s: %s; remove it by hand, the demo "
		    "is complete", path, strerror(errno));
		ret = -1;
	}
	free(path);
	return ret;
}

int
demo_create(const char *dir, unsigned long n, int encrypt,
    void (*progress)(unsigned long, unsigned long))
{
	struct demo	 d;
	struct record_id mid;
	char		 idtext[RECORD_ID_TEXT + 1];
	unsigned long	 ncompanies, ncontacts, ncampaigns, ndocs, left;
	int		 ret = -1, redo;

	memset(&d, 0, sizeof d);
	d.rng = 0x9e3779b97f4a7c15ULL;
	d.total = n;
	d.progress = progress;
	d.ms = clock_now_ms() - 2 * n / 16 - 86400000ULL;

	if (demo_begin(dir, &redo) != 0)
		return -1;
	if (redo)
		fprintf(stderr, "crm demo: %s was left unfinished by a crm demo "
		    "that was stopped: making it anew\n", dir);
	record_id_new(&mid, clock_now_ms());
	record_id_format(&mid, idtext);
	if (encrypt && session_master_key(dir, VAULT_MASTER_KEY_FILE,
	    idtext) != 0)
		return -1;
	if (model_create(dir, STORE_MASTER) != 0)
		return -1;
	if (cfg_set(dir, "db.role", "master") != 0 ||
	    cfg_set(dir, "db.name", "crm demo") != 0 ||
	    cfg_set(dir, "db.id", idtext) != 0 ||
	    (encrypt && cfg_set(dir, "db.key_file",
	    VAULT_MASTER_KEY_FILE) != 0))
		return -1;
	if ((d.st = model_open(dir, STORE_MASTER, STORE_BULK, 0)) == NULL)
		return -1;
	if (store_begin(d.st, &d.t) != 0) {
		d.t = NULL;
		goto out;
	}
	if (store_meta_put(d.t, "id", idtext, strlen(idtext)) != 0 ||
	    demo_users_add(&d) != 0)
		goto out;

	/* A CRM's usual proportions: many contacts and activities per company. */
	n -= NELEM(demo_users);
	ndocs = n < 2000 ? 5 : 20;
	ncampaigns = n / 20000 + 2;
	ncompanies = n / 10;
	ncontacts = n * 3 / 10;
	left = n - ncompanies - ncontacts - ncampaigns - ndocs - 3;
	if (demo_companies(&d, ncompanies) != 0 ||
	    demo_contacts(&d, ncontacts) != 0 ||
	    demo_activities(&d, MODEL_NOTE, left * 5 / 20) != 0 ||
	    demo_activities(&d, MODEL_EVENT, left * 3 / 20) != 0 ||
	    demo_activities(&d, MODEL_TASK, left * 3 / 20) != 0 ||
	    demo_activities(&d, MODEL_OPPORTUNITY, left * 3 / 20) != 0 ||
	    demo_activities(&d, MODEL_ISSUE, left * 3 / 20) != 0 ||
	    demo_campaigns(&d, ncampaigns, left - left * 17 / 20) != 0 ||
	    demo_files(&d, ndocs) != 0)
		goto out;
	if (store_commit(d.t) != 0) {
		d.t = NULL;
		goto out;
	}
	d.t = NULL;
	if (progress != NULL)
		progress(d.total, d.total);
	ret = 0;
out:
	store_abort(d.t);
	if (store_close(d.st) != 0)
		ret = -1;
	if (ret == 0)
		ret = demo_end(dir);
	free(d.companies);
	free(d.company_manager);
	free(d.contacts);
	free(d.contact_company);
	free(d.campaigns);
	return ret;
}
