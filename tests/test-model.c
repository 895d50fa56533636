/*
 * test-model: record types, validation, defaults, metadata, deletion and
 * look-up, through the model functions every face of crm uses; and the
 * user module (logins, user IDs, yescrypt hashes).
 *
 * Each test that needs a database makes a master in its scratch directory
 * with an administrator root (ROOT1), and when asked a user anna (ANNA1)
 * and a restricted remote user ben (BEN01) who may not change account
 * managers. Hashing is slow on purpose, so users are made only when used.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "draft.h"
#include "error.h"
#include "model.h"
#include "record.h"
#include "rights.h"
#include "store.h"
#include "unit.h"
#include "user.h"
#include "xmalloc.h"

static struct store	*st;
static struct store_txn	*t;
static struct user	 root, anna, ben;

#define WITH_ROOT	1	/* root only */
#define WITH_ALL	3	/* root, anna and ben */


/* Make the master, its users, and begin a transaction. */
static void
open_master(int nusers)
{
	st = NULL;
	t = NULL;
	CU_ASSERT_FATAL(model_create(unit_path("m"), STORE_MASTER) == 0);
	st = model_open(unit_path("m"), STORE_MASTER, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);

	unit_user(&root, "root", "ROOT1", "Root Admin", USER_ADMIN, 0, 0);
	unit_user(&anna, "anna", "ANNA1", "Anna Berg", USER_USER, 0, 0);
	unit_user(&ben, "ben", "BEN01", "Ben Field", USER_REMOTE, 1, 0);
	CU_ASSERT_FATAL(user_add(t, NULL, &root, "password", NULL) == 0);
	if (nusers == WITH_ALL) {
		CU_ASSERT_FATAL(user_add(t, &root, &anna, "password",
		    NULL) == 0);
		CU_ASSERT_FATAL(user_add(t, &root, &ben, "password",
		    NULL) == 0);
	}
}

/* Commit and close; reopen with reopen(). */
static void
close_master(void)
{
	if (t != NULL)
		CU_ASSERT(store_commit(t) == 0);
	t = NULL;
	if (st != NULL)
		CU_ASSERT(store_close(st) == 0);
	st = NULL;
	user_clear(&root);
	user_clear(&anna);
	user_clear(&ben);
}

static void
reopen(void)
{
	CU_ASSERT_FATAL(store_commit(t) == 0);
	t = NULL;
	CU_ASSERT_FATAL(store_close(st) == 0);
	st = model_open(unit_path("m"), STORE_MASTER, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
}

#define MAXCH 16

/* Collect NULL-terminated name, value pairs into changes. */
static size_t
changes(struct model_change *ch, va_list ap)
{
	const char	*name;
	size_t		 n = 0;

	while ((name = va_arg(ap, const char *)) != NULL) {
		if (n == MAXCH)
			abort();
		ch[n].name = name;
		ch[n].value = va_arg(ap, const char *);
		n++;
	}
	return n;
}

/* model_add with name, value pairs ending in NULL; out may be NULL. */
static int
add(const struct user *actor, int type, struct record_id *out, ...)
{
	struct model_change	ch[MAXCH];
	struct record_id	dummy;
	va_list			ap;
	size_t			n;

	va_start(ap, out);
	n = changes(ch, ap);
	va_end(ap);
	error_clear();
	return model_add(t, actor, type, ch, n, out != NULL ? out : &dummy);
}

static int
upd(const struct user *actor, int type, const struct record_id *id, ...)
{
	struct model_change	ch[MAXCH];
	va_list			ap;
	size_t			n;

	va_start(ap, id);
	n = changes(ch, ap);
	va_end(ap);
	error_clear();
	return model_update(t, actor, type, id, ch, n);
}

static int
del(const struct user *actor, int type, const struct record_id *id)
{
	error_clear();
	return model_delete(t, actor, type, id);
}

/* The text form of an ID, in one of a few rotating buffers. */
static const char *
idt(const struct record_id *id)
{
	static char	buf[4][RECORD_ID_TEXT + 1];
	static int	i;

	i = (i + 1) % 4;
	record_id_format(id, buf[i]);
	return buf[i];
}

/* model_value of a live record's field, in a buffer valid until next call. */
static const char *
val(int type, const struct record_id *id, const char *name)
{
	static char	*last;
	struct record	*r;

	free(last);
	last = NULL;
	if (model_get(t, type, id, &r) != 0)
		return "(not found)";
	last = model_value(r, name);
	record_free(r);
	return last;
}


/* A company owned by anna, made by root; returns its ID text. */
static const char *
company(struct record_id *id, const char *name)
{
	CU_ASSERT_FATAL(add(&root, MODEL_COMPANY, id, "name", name,
	    "account_manager", "ANNA1", NULL) == 0);
	return idt(id);
}

/* --- types and fields --- */

/* CLI.md's table: every type has at least these fields. */
static const struct {
	const char	*type;
	const char	*fields[8];
} cli_fields[] = {
	{ "company", { "name", "phone", "email", "website", "city", "country",
	    "account_manager" } },
	{ "contact", { "company", "first_name", "last_name", "phone", "email",
	    "account_manager" } },
	{ "note", { "company", "contact", "subject", "text" } },
	{ "event", { "company", "contact", "subject", "start", "end",
	    "assigned_to" } },
	{ "task", { "company", "contact", "subject", "due", "status",
	    "assigned_to" } },
	{ "opportunity", { "company", "contact", "name", "amount", "stage",
	    "account_manager" } },
	{ "campaign", { "name", "start", "end", "status" } },
	{ "target", { "campaign", "company", "contact", "account_manager",
	    "responded" } },
	{ "issue", { "company", "contact", "subject", "status", "priority",
	    "assigned_to" } },
	{ "document", { "parent", "description", "filename", "size",
	    "hash" } },
	{ "template", { "name", "description", "filename" } },
	{ "user", { NULL } },
};

static void
test_model_types_and_fields(void)
{
	size_t	i, j;
	int	type;

	for (i = 0; i < sizeof cli_fields / sizeof cli_fields[0]; i++) {
		type = model_type_find(cli_fields[i].type);
		CU_ASSERT(type >= 0);
		if (type < 0)
			continue;
		CU_ASSERT_STRING_EQUAL(model_type(type)->name,
		    cli_fields[i].type);
		for (j = 0; cli_fields[i].fields[j] != NULL; j++) {
			if (!model_is_field(type, cli_fields[i].fields[j]))
				fprintf(stderr, "\n  %s lacks %s\n",
				    cli_fields[i].type,
				    cli_fields[i].fields[j]);
			CU_ASSERT(model_is_field(type,
			    cli_fields[i].fields[j]));
		}
		for (j = 0; model_meta_fields[j] != NULL; j++)
			CU_ASSERT(model_is_field(type, model_meta_fields[j]));
		CU_ASSERT(!model_is_field(type, "colour"));
	}
	error_clear();
	CU_ASSERT_EQUAL(model_type_find("companies"), -1);
	CU_ASSERT(unit_error_has("companies"));
	CU_ASSERT_EQUAL(model_type_find("Company"), -1);
}

static void
test_model_create_every_type(void)
{
	struct record_id	 co, ct, ca, ta, id;
	struct record		*r;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_COMPANY, &co, "name", "Acme", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_CONTACT, &ct, "company", idt(&co),
	    "last_name", "Smith", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_NOTE, &id, "company", idt(&co),
	    "subject", "Met at fair", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_EVENT, &id, "contact", idt(&ct),
	    "subject", "Visit", "start", "2026-11-25T14:03", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_TASK, &ta, "subject", "Call back",
	    NULL) == 0);
	CU_ASSERT(add(&root, MODEL_OPPORTUNITY, &id, "name", "Big deal",
	    NULL) == 0);
	CU_ASSERT(add(&root, MODEL_CAMPAIGN, &ca, "name", "Winter mailing",
	    NULL) == 0);
	CU_ASSERT(add(&root, MODEL_TARGET, &id, "campaign", idt(&ca),
	    "contact", idt(&ct), NULL) == 0);
	CU_ASSERT(add(&root, MODEL_ISSUE, &id, "subject", "Broken pump",
	    NULL) == 0);
	CU_ASSERT(add(&root, MODEL_DOCUMENT, &id, "parent", idt(&ta),
	    "filename", "offer.pdf", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_TEMPLATE, &id, "name", "Thank you",
	    NULL) == 0);

	/* They survive a close and read back whole. */
	reopen();
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "name"), "Acme");
	CU_ASSERT_STRING_EQUAL(val(MODEL_CONTACT, &ct, "company"), idt(&co));
	CU_ASSERT_STRING_EQUAL(val(MODEL_TEMPLATE, &id, "name"), "Thank you");
	CU_ASSERT(model_get(t, MODEL_COMPANY, &co, &r) == 0);
	CU_ASSERT(record_id_cmp(&r->id, &co) == 0);
	CU_ASSERT_EQUAL(r->flags & RECORD_DELETED, 0);
	record_free(r);
	/* Wrong file: an ID of a company is not a contact. */
	error_clear();
	CU_ASSERT_EQUAL(model_get(t, MODEL_CONTACT, &co, &r), STORE_NOTFOUND);
	CU_ASSERT(unit_error_has("no contact"));
	close_master();
}

static void
test_model_required_missing(void)
{
	struct record_id	ca;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "phone", "123", NULL) == -1);
	CU_ASSERT(unit_error_has("name"));
	CU_ASSERT(unit_error_has("required"));
	CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "name", "", NULL) == -1);
	CU_ASSERT(unit_error_has("name"));
	CU_ASSERT(add(&root, MODEL_EVENT, NULL, "subject", "Visit",
	    NULL) == -1);
	CU_ASSERT(unit_error_has("start"));
	CU_ASSERT(add(&root, MODEL_TASK, NULL, "due", "2026-11-25",
	    NULL) == -1);
	CU_ASSERT(unit_error_has("subject"));
	CU_ASSERT(add(&root, MODEL_DOCUMENT, NULL, "filename", "a.pdf",
	    NULL) == -1);
	CU_ASSERT(unit_error_has("parent"));
	CU_ASSERT(add(&root, MODEL_CAMPAIGN, &ca, "name", "Mailing",
	    NULL) == 0);
	CU_ASSERT(add(&root, MODEL_DOCUMENT, NULL, "parent", idt(&ca),
	    NULL) == -1);
	CU_ASSERT(unit_error_has("filename"));
	CU_ASSERT(add(&root, MODEL_TARGET, NULL, "responded", "no",
	    NULL) == -1);
	CU_ASSERT(unit_error_has("campaign"));
	/* A target names a company or a contact. */
	CU_ASSERT(add(&root, MODEL_TARGET, NULL, "campaign", idt(&ca),
	    NULL) == -1);
	CU_ASSERT(unit_error_has("company"));
	/* A contact needs one of its names. */
	CU_ASSERT(add(&root, MODEL_CONTACT, NULL, "phone", "1", NULL) == -1);
	CU_ASSERT(unit_error_has("last_name"));
	CU_ASSERT(add(&root, MODEL_CONTACT, NULL, "first_name", "Eva",
	    NULL) == 0);
	/* Clearing a required field on update is refused too. */
	CU_ASSERT(upd(&root, MODEL_CAMPAIGN, &ca, "name", "", NULL) == -1);
	CU_ASSERT(unit_error_has("name"));
	CU_ASSERT_STRING_EQUAL(val(MODEL_CAMPAIGN, &ca, "name"), "Mailing");
	close_master();
}

static void
test_model_unknown_field(void)
{
	struct record_id	co;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "name", "Acme", "colour",
	    "red", NULL) == -1);
	CU_ASSERT(unit_error_has("colour"));
	CU_ASSERT(add(&root, MODEL_COMPANY, &co, "name", "Acme", NULL) == 0);
	CU_ASSERT(upd(&root, MODEL_COMPANY, &co, "Name", "Acme2", NULL) == -1);
	CU_ASSERT(unit_error_has("Name"));
	/* A field of another type is not a field of this one. */
	CU_ASSERT(upd(&root, MODEL_COMPANY, &co, "last_name", "X",
	    NULL) == -1);
	CU_ASSERT(unit_error_has("last_name"));
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "name"), "Acme");
	close_master();
}

static void
test_model_metadata_read_only(void)
{
	struct record_id	co;
	size_t			i;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_COMPANY, &co, "name", "Acme", NULL) == 0);
	for (i = 0; model_meta_fields[i] != NULL; i++) {
		CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "name", "B",
		    model_meta_fields[i], "ROOT1", NULL) == -1);
		CU_ASSERT(unit_error_has(model_meta_fields[i]));
		CU_ASSERT(upd(&root, MODEL_COMPANY, &co, model_meta_fields[i],
		    "ROOT1", NULL) == -1);
		CU_ASSERT(unit_error_has(model_meta_fields[i]));
	}
	close_master();
}

static void
test_model_password_hash_not_settable(void)
{
	const struct model_field	*mf;
	struct user			 u;
	struct record_id		 id;

	open_master(WITH_ROOT);
	mf = model_field_find(MODEL_USER, "password_hash");
	CU_ASSERT_FATAL(mf != NULL);
	CU_ASSERT(mf->flags & MODEL_SECRET);
	CU_ASSERT(!model_is_field(MODEL_USER, "password_hash"));
	CU_ASSERT(add(&root, MODEL_USER, NULL, "login", "eve", "uid", "EVE01",
	    "password_hash", "$y$j9T$forged", NULL) == -1);
	CU_ASSERT(user_find_uid(t, "ROOT1", &u) == 0);
	id = u.id;
	user_clear(&u);
	CU_ASSERT(upd(&root, MODEL_USER, &id, "password_hash",
	    "$y$j9T$forged", NULL) == -1);
	CU_ASSERT(user_find_uid(t, "ROOT1", &u) == 0);
	CU_ASSERT(strcmp(u.hash, "$y$j9T$forged") != 0);
	user_clear(&u);
	close_master();
}

static void
test_model_add_user_refused(void)
{
	struct user	u;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_USER, NULL, "login", "eve", "uid", "EVE01",
	    NULL) == -1);
	CU_ASSERT(unit_error_has("user add"));
	CU_ASSERT_EQUAL(user_find_login(t, "eve", &u), STORE_NOTFOUND);
	close_master();
}

/* --- dates, numbers, text --- */

static void
test_model_dates(void)
{
	static const char *const good[] = {
		"2026-11-25", "2026-11-25T14:03", "2024-02-29", "2000-02-29",
		"2026-12-31T23:59", "2026-01-01T00:00", NULL
	};
	static const char *const bad[] = {
		"2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10",
		"2026-11-31", "2026-11-00", "2026-11-25 14:03", "25/11/2026",
		"2026-11-25T24:00", "2026-11-25T12:60", "2026-11-5",
		"2026-11-25T14:03:07", "2026-11-25T14:03Z", "26-11-25",
		"tomorrow", "2026-1a-25", NULL
	};
	size_t	i;

	open_master(WITH_ROOT);
	for (i = 0; good[i] != NULL; i++) {
		if (add(&root, MODEL_TASK, NULL, "subject", "x", "due", good[i],
		    NULL) != 0)
			fprintf(stderr, "\n  refused %s: %s\n", good[i],
			    error_get());
		CU_ASSERT(add(&root, MODEL_TASK, NULL, "subject", "x", "due",
		    good[i], NULL) == 0);
	}
	for (i = 0; bad[i] != NULL; i++) {
		if (add(&root, MODEL_TASK, NULL, "subject", "x", "due", bad[i],
		    NULL) != -1)
			fprintf(stderr, "\n  accepted %s\n", bad[i]);
		CU_ASSERT(add(&root, MODEL_TASK, NULL, "subject", "x", "due",
		    bad[i], NULL) == -1);
		CU_ASSERT(unit_error_has("due"));
		CU_ASSERT(unit_error_has(bad[i]));
	}
	close_master();
}

static void
test_model_event_end_before_start(void)
{
	struct record_id	ev, ca;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_EVENT, NULL, "subject", "Visit", "start",
	    "2026-11-25T14:00", "end", "2026-11-25T13:00", NULL) == -1);
	CU_ASSERT(unit_error_has("end"));
	CU_ASSERT(unit_error_has("start"));
	CU_ASSERT(add(&root, MODEL_EVENT, NULL, "subject", "Visit", "start",
	    "2026-11-25", "end", "2026-11-24", NULL) == -1);
	CU_ASSERT(add(&root, MODEL_EVENT, &ev, "subject", "Visit", "start",
	    "2026-11-25T14:00", "end", "2026-11-25T15:00", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_EVENT, NULL, "subject", "Same", "start",
	    "2026-11-25T14:00", "end", "2026-11-25T14:00", NULL) == 0);
	/* Moving the start after the end on update is refused too. */
	CU_ASSERT(upd(&root, MODEL_EVENT, &ev, "start", "2026-11-26",
	    NULL) == -1);
	CU_ASSERT(unit_error_has("before"));
	CU_ASSERT_STRING_EQUAL(val(MODEL_EVENT, &ev, "start"),
	    "2026-11-25T14:00");
	/* Campaigns too. */
	CU_ASSERT(add(&root, MODEL_CAMPAIGN, NULL, "name", "C", "start",
	    "2026-12-01", "end", "2026-11-01", NULL) == -1);
	CU_ASSERT(add(&root, MODEL_CAMPAIGN, &ca, "name", "C", "start",
	    "2026-11-01", "end", "2026-12-01", NULL) == 0);
	close_master();
}

static void
test_model_numbers(void)
{
	static const char *const good_amount[] = {
		"1250", "1250.50", "-3", "0", "0.5", "-1250.75", NULL
	};
	static const char *const bad_amount[] = {
		"12,50", "abc", "1e5", "", "1250.", ".5", "+3", "1 250",
		"1250.50.1", "--3", "0x10", " 12", NULL
	};
	static const char *const bad_integer[] = {
		"1.5", "-1", "abc", "1e3", "12,0", NULL
	};
	struct record_id	ca;
	size_t			i;

	open_master(WITH_ROOT);
	for (i = 0; good_amount[i] != NULL; i++) {
		if (add(&root, MODEL_OPPORTUNITY, NULL, "name", "Deal",
		    "amount", good_amount[i], NULL) != 0)
			fprintf(stderr, "\n  refused %s: %s\n", good_amount[i],
			    error_get());
		CU_ASSERT(add(&root, MODEL_OPPORTUNITY, NULL, "name", "Deal",
		    "amount", good_amount[i], NULL) == 0);
	}
	for (i = 0; bad_amount[i] != NULL; i++) {
		/* "" is an empty field, which amount may be. */
		if (*bad_amount[i] == '\0')
			continue;
		if (add(&root, MODEL_OPPORTUNITY, NULL, "name", "Deal",
		    "amount", bad_amount[i], NULL) != -1)
			fprintf(stderr, "\n  accepted %s\n", bad_amount[i]);
		CU_ASSERT(add(&root, MODEL_OPPORTUNITY, NULL, "name", "Deal",
		    "amount", bad_amount[i], NULL) == -1);
		CU_ASSERT(unit_error_has("amount"));
	}
	CU_ASSERT(add(&root, MODEL_OPPORTUNITY, NULL, "name", "Deal",
	    "probability", "100", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_OPPORTUNITY, NULL, "name", "Deal",
	    "probability", "0", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_OPPORTUNITY, NULL, "name", "Deal",
	    "probability", "101", NULL) == -1);
	CU_ASSERT(unit_error_has("probability"));
	CU_ASSERT(add(&root, MODEL_OPPORTUNITY, NULL, "name", "Deal",
	    "probability", "50.5", NULL) == -1);
	CU_ASSERT(add(&root, MODEL_CAMPAIGN, &ca, "name", "C", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_DOCUMENT, NULL, "parent", idt(&ca),
	    "filename", "a.pdf", "size", "1048576", NULL) == 0);
	for (i = 0; bad_integer[i] != NULL; i++) {
		CU_ASSERT(add(&root, MODEL_DOCUMENT, NULL, "parent", idt(&ca),
		    "filename", "a.pdf", "size", bad_integer[i], NULL) == -1);
		CU_ASSERT(unit_error_has("size"));
	}
	close_master();
}

static void
test_model_email(void)
{
	static const char *const good[] = {
		"anna@example.com", "a.b+c@mail.example.co.uk", NULL
	};
	static const char *const bad[] = {
		"anna", "anna@example", "@example.com", "anna@@example.com",
		"anna@ex@ample.com", "anna @example.com", "anna@example.",
		"anna@example.com, ben@example.com", "<anna@example.com>", NULL
	};
	size_t	i;

	open_master(WITH_ROOT);
	for (i = 0; good[i] != NULL; i++)
		CU_ASSERT(add(&root, MODEL_CONTACT, NULL, "last_name", "X",
		    "email", good[i], NULL) == 0);
	for (i = 0; bad[i] != NULL; i++) {
		if (add(&root, MODEL_CONTACT, NULL, "last_name", "X", "email",
		    bad[i], NULL) != -1)
			fprintf(stderr, "\n  accepted %s\n", bad[i]);
		CU_ASSERT(add(&root, MODEL_CONTACT, NULL, "last_name", "X",
		    "email", bad[i], NULL) == -1);
		CU_ASSERT(unit_error_has("email"));
	}
	/* Company email too. */
	CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "name", "Acme", "email",
	    "acme", NULL) == -1);
	close_master();
}

static void
test_model_choices(void)
{
	struct record_id	ta, op, is, ca;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_TASK, &ta, "subject", "x", "status", "done",
	    NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_TASK, &ta, "status"), "done");
	CU_ASSERT(add(&root, MODEL_TASK, NULL, "subject", "x", "status",
	    "finished", NULL) == -1);
	CU_ASSERT(unit_error_has("status"));
	CU_ASSERT(unit_error_has("finished"));
	CU_ASSERT(unit_error_has("open, in-progress, waiting, done, cancelled"));
	/* Choices are exact: no case folding. */
	CU_ASSERT(add(&root, MODEL_TASK, NULL, "subject", "x", "status",
	    "Done", NULL) == -1);
	CU_ASSERT(upd(&root, MODEL_TASK, &ta, "priority", "whenever",
	    NULL) == -1);
	CU_ASSERT(unit_error_has("urgent"));
	/* Defaults when not given. */
	CU_ASSERT(add(&root, MODEL_TASK, &ta, "subject", "y", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_TASK, &ta, "status"), "open");
	CU_ASSERT_STRING_EQUAL(val(MODEL_TASK, &ta, "priority"), "normal");
	CU_ASSERT(add(&root, MODEL_OPPORTUNITY, &op, "name", "Deal", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_OPPORTUNITY, &op, "stage"),
	    "prospect");
	CU_ASSERT(add(&root, MODEL_ISSUE, &is, "subject", "Leak", "status",
	    "resolved", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_ISSUE, NULL, "subject", "Leak", "status",
	    "done", NULL) == -1);
	CU_ASSERT(add(&root, MODEL_CAMPAIGN, &ca, "name", "C", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_CAMPAIGN, &ca, "status"), "planned");
	close_master();
}

static void
test_model_bool(void)
{
	struct record_id	ca, co, tg;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_CAMPAIGN, &ca, "name", "C", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_COMPANY, &co, "name", "Acme", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_TARGET, &tg, "campaign", idt(&ca),
	    "company", idt(&co), NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_TARGET, &tg, "responded"), "no");
	CU_ASSERT(upd(&root, MODEL_TARGET, &tg, "responded", "true",
	    NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_TARGET, &tg, "responded"), "yes");
	CU_ASSERT(upd(&root, MODEL_TARGET, &tg, "responded", "FALSE",
	    NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_TARGET, &tg, "responded"), "no");
	CU_ASSERT(upd(&root, MODEL_TARGET, &tg, "responded", "1", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_TARGET, &tg, "responded"), "yes");
	CU_ASSERT(upd(&root, MODEL_TARGET, &tg, "responded", "maybe",
	    NULL) == -1);
	CU_ASSERT(unit_error_has("responded"));
	CU_ASSERT_STRING_EQUAL(val(MODEL_TARGET, &tg, "responded"), "yes");
	/* Another company: the same one twice is refused (one target each). */
	CU_ASSERT(add(&root, MODEL_COMPANY, &co, "name", "Beta", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_TARGET, &tg, "campaign", idt(&ca),
	    "company", idt(&co), "responded", "true", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_TARGET, &tg, "responded"), "yes");
	close_master();
}

static void
test_model_text(void)
{
	char			 big[1002];
	struct record_id	 co;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "name", "Acme\nLtd",
	    NULL) == -1);
	CU_ASSERT(unit_error_has("name"));
	CU_ASSERT(unit_error_has("line"));
	CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "name", "Acme\rLtd",
	    NULL) == -1);
	CU_ASSERT(add(&root, MODEL_COMPANY, &co, "name", "Acme",
	    "description", "line one\nline two\n", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "description"),
	    "line one\nline two\n");
	/* UTF-8 names are fine, broken bytes are not. */
	CU_ASSERT(add(&root, MODEL_COMPANY, &co, "name",
	    "Caf\xc3\xa9 M\xc3\xbcller \xe2\x82\xac", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "name"),
	    "Caf\xc3\xa9 M\xc3\xbcller \xe2\x82\xac");
	CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "name", "Caf\xe9",
	    NULL) == -1);
	CU_ASSERT(unit_error_has("UTF-8"));
	CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "name", "Acme",
	    "description", "bad \xff\xfe bytes", NULL) == -1);
	CU_ASSERT(unit_error_has("description"));
	/* 1000 bytes is the most a one-line field holds. */
	memset(big, 'a', sizeof big - 1);
	big[1000] = '\0';
	CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "name", big, NULL) == 0);
	big[1000] = 'a';
	big[1001] = '\0';
	CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "name", big, NULL) == -1);
	CU_ASSERT(unit_error_has("too long"));
	CU_ASSERT(unit_error_has("1001"));
	/* A long text may be longer. */
	CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "name", "Acme",
	    "description", big, NULL) == 0);
	close_master();
}

/* --- references --- */

static void
test_model_references(void)
{
	struct record_id	 co, gone, ct, ta, ca, doc, fake;
	char			 upper[RECORD_ID_TEXT + 1], *p;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_COMPANY, &co, "name", "Acme", NULL) == 0);

	/* A well-formed ID of nothing. */
	record_id_new(&fake, unit_now_ms);
	CU_ASSERT(add(&root, MODEL_CONTACT, NULL, "last_name", "Smith",
	    "company", idt(&fake), NULL) == -1);
	CU_ASSERT(unit_error_has("company"));
	CU_ASSERT(unit_error_has(idt(&fake)));
	/* Not an ID at all. */
	CU_ASSERT(add(&root, MODEL_CONTACT, NULL, "last_name", "Smith",
	    "company", "acme", NULL) == -1);
	CU_ASSERT(unit_error_has("company"));
	/* A deleted company. */
	CU_ASSERT(add(&root, MODEL_COMPANY, &gone, "name", "Gone", NULL) == 0);
	CU_ASSERT(del(&root, MODEL_COMPANY, &gone) == 0);
	CU_ASSERT(add(&root, MODEL_CONTACT, NULL, "last_name", "Smith",
	    "company", idt(&gone), NULL) == -1);
	CU_ASSERT(unit_error_has("company"));
	/* A record of the wrong type. */
	CU_ASSERT(add(&root, MODEL_CONTACT, &ct, "last_name", "Smith",
	    NULL) == 0);
	CU_ASSERT(add(&root, MODEL_CONTACT, NULL, "last_name", "Jones",
	    "company", idt(&ct), NULL) == -1);
	CU_ASSERT(unit_error_has("company"));

	/* Upper case in, canonical lower case stored. */
	snprintf(upper, sizeof upper, "%s", idt(&co));
	for (p = upper; *p != '\0'; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	}
	CU_ASSERT(strcmp(upper, idt(&co)) != 0);
	CU_ASSERT(add(&root, MODEL_CONTACT, &ct, "last_name", "Smith",
	    "company", upper, NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_CONTACT, &ct, "company"), idt(&co));
	CU_ASSERT(upd(&root, MODEL_CONTACT, &ct, "company", upper, NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_CONTACT, &ct, "company"), idt(&co));

	/* A document may hang on any type. */
	CU_ASSERT(add(&root, MODEL_TASK, &ta, "subject", "x", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_CAMPAIGN, &ca, "name", "C", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_DOCUMENT, &doc, "parent", idt(&co),
	    "filename", "a.pdf", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_DOCUMENT, NULL, "parent", idt(&ct),
	    "filename", "b.pdf", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_DOCUMENT, NULL, "parent", idt(&ta),
	    "filename", "c.pdf", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_DOCUMENT, NULL, "parent", idt(&ca),
	    "filename", "d.pdf", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_DOCUMENT, NULL, "parent", idt(&doc),
	    "filename", "e.pdf", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_DOCUMENT, NULL, "parent", idt(&fake),
	    "filename", "f.pdf", NULL) == -1);
	CU_ASSERT(unit_error_has("parent"));
	CU_ASSERT(add(&root, MODEL_DOCUMENT, NULL, "parent", idt(&gone),
	    "filename", "g.pdf", NULL) == -1);
	close_master();
}

static void
test_model_user_references(void)
{
	struct record_id	co;

	open_master(WITH_ALL);
	CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "name", "Acme",
	    "account_manager", "ZZZZ9", NULL) == -1);
	CU_ASSERT(unit_error_has("account_manager"));
	CU_ASSERT(unit_error_has("ZZZZ9"));
	/* User IDs are exact. */
	CU_ASSERT(add(&root, MODEL_COMPANY, NULL, "name", "Acme",
	    "account_manager", "anna1", NULL) == -1);
	CU_ASSERT(add(&root, MODEL_TASK, NULL, "subject", "x", "assigned_to",
	    "NOONE", NULL) == -1);
	CU_ASSERT(unit_error_has("assigned_to"));
	CU_ASSERT(add(&root, MODEL_COMPANY, &co, "name", "Acme",
	    "account_manager", "ANNA1", NULL) == 0);
	CU_ASSERT(upd(&root, MODEL_COMPANY, &co, "account_manager", "ZZZZ9",
	    NULL) == -1);
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "account_manager"),
	    "ANNA1");
	close_master();
}

/* --- defaults: account managers and assignees --- */

static void
test_model_contact_takes_company_manager(void)
{
	struct record_id	co, ct, id, ca, ct2;

	open_master(WITH_ALL);
	company(&co, "Acme");
	CU_ASSERT(add(&root, MODEL_CONTACT, &ct, "company", idt(&co),
	    "last_name", "Smith", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_CONTACT, &ct, "account_manager"),
	    "ANNA1");
	/* An explicit manager wins. */
	CU_ASSERT(add(&root, MODEL_CONTACT, &ct2, "company", idt(&co),
	    "last_name", "Jones", "account_manager", "BEN01", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_CONTACT, &ct2, "account_manager"),
	    "BEN01");
	/* No company: the actor. */
	CU_ASSERT(add(&root, MODEL_CONTACT, &id, "last_name", "Loner",
	    NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_CONTACT, &id, "account_manager"),
	    "ROOT1");
	/* An opportunity with the company takes its manager too. */
	CU_ASSERT(add(&root, MODEL_OPPORTUNITY, &id, "company", idt(&co),
	    "name", "Deal", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_OPPORTUNITY, &id, "account_manager"),
	    "ANNA1");
	/* A target takes its contact's, before its company's. */
	CU_ASSERT(add(&root, MODEL_CAMPAIGN, &ca, "name", "C", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_TARGET, &id, "campaign", idt(&ca),
	    "contact", idt(&ct2), "company", idt(&co), NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_TARGET, &id, "account_manager"),
	    "BEN01");
	CU_ASSERT(add(&root, MODEL_TARGET, &id, "campaign", idt(&ca),
	    "company", idt(&co), NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_TARGET, &id, "account_manager"),
	    "ANNA1");
	CU_ASSERT(add(&root, MODEL_TARGET, &id, "campaign", idt(&ca),
	    "contact", idt(&ct), NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_TARGET, &id, "account_manager"),
	    "ANNA1");
	close_master();
}

static void
test_model_company_manager_is_creator(void)
{
	struct record_id	co, ta;

	open_master(WITH_ALL);
	CU_ASSERT(add(&anna, MODEL_COMPANY, &co, "name", "Anna's", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "account_manager"),
	    "ANNA1");
	CU_ASSERT(add(&anna, MODEL_TASK, &ta, "subject", "Call", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_TASK, &ta, "assigned_to"), "ANNA1");
	CU_ASSERT(add(&ben, MODEL_ISSUE, &ta, "subject", "Leak", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_ISSUE, &ta, "assigned_to"), "BEN01");
	CU_ASSERT(add(&root, MODEL_EVENT, &ta, "subject", "Visit", "start",
	    "2026-11-25", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_EVENT, &ta, "assigned_to"), "ROOT1");
	close_master();
}

static void
test_model_S15_manager_and_assignee_rights(void)
{
	struct record_id	co, ta;

	open_master(WITH_ALL);
	/* ben may not change managers: not even on a new record. */
	CU_ASSERT(add(&ben, MODEL_COMPANY, NULL, "name", "B",
	    "account_manager", "ANNA1", NULL) == -1);
	CU_ASSERT(unit_error_has("ben"));
	CU_ASSERT(add(&ben, MODEL_COMPANY, &co, "name", "B",
	    "account_manager", "BEN01", NULL) == 0);
	CU_ASSERT(upd(&ben, MODEL_COMPANY, &co, "account_manager", "ANNA1",
	    NULL) == -1);
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "account_manager"),
	    "BEN01");
	/* Nor may anna, an unrestricted user without the right. */
	CU_ASSERT(add(&anna, MODEL_COMPANY, NULL, "name", "A",
	    "account_manager", "BEN01", NULL) == -1);
	CU_ASSERT(unit_error_has("anna"));
	/* Other fields he may change. */
	CU_ASSERT(upd(&ben, MODEL_COMPANY, &co, "phone", "123", NULL) == 0);
	/* root may. */
	CU_ASSERT(upd(&root, MODEL_COMPANY, &co, "account_manager", "ANNA1",
	    NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "account_manager"),
	    "ANNA1");

	/* A restricted user assigns work only to himself. */
	CU_ASSERT(add(&ben, MODEL_TASK, NULL, "subject", "x", "assigned_to",
	    "ANNA1", NULL) == -1);
	CU_ASSERT(unit_error_has("ANNA1"));
	CU_ASSERT(add(&ben, MODEL_TASK, &ta, "subject", "x", "assigned_to",
	    "BEN01", NULL) == 0);
	CU_ASSERT(upd(&ben, MODEL_TASK, &ta, "assigned_to", "ANNA1",
	    NULL) == -1);
	CU_ASSERT_STRING_EQUAL(val(MODEL_TASK, &ta, "assigned_to"), "BEN01");
	CU_ASSERT(add(&ben, MODEL_EVENT, NULL, "subject", "x", "start",
	    "2026-11-25", "assigned_to", "ROOT1", NULL) == -1);
	/* An unrestricted user may assign to others. */
	CU_ASSERT(add(&anna, MODEL_TASK, &ta, "subject", "x", "assigned_to",
	    "BEN01", NULL) == 0);
	CU_ASSERT(upd(&anna, MODEL_TASK, &ta, "assigned_to", "ROOT1",
	    NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_TASK, &ta, "assigned_to"), "ROOT1");
	close_master();
}

/* --- metadata and stamps (S4, B1) --- */

static void
test_model_S4_metadata(void)
{
	struct record_id	 co;
	struct record		*r;
	uint64_t		 created, modified;

	open_master(WITH_ALL);
	CU_ASSERT(add(&anna, MODEL_COMPANY, &co, "name", "Acme", NULL) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "created_by"), "ANNA1");
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "modified_by"),
	    "ANNA1");
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "created_at"),
	    "2026-11-18T11:06:40Z");
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "modified_at"),
	    "2026-11-18T11:06:40Z");
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "id"), idt(&co));
	CU_ASSERT_FATAL(model_get(t, MODEL_COMPANY, &co, &r) == 0);
	created = r->created;
	CU_ASSERT_EQUAL(r->modified, created);
	CU_ASSERT_EQUAL(clock_stamp_ms(created), 1795000000000ULL);
	record_free(r);

	/* 61 seconds later, root changes it. */
	unit_now_ms += 61000;
	CU_ASSERT(upd(&root, MODEL_COMPANY, &co, "phone", "+49 30 123",
	    NULL) == 0);
	reopen();
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "created_by"), "ANNA1");
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "modified_by"),
	    "ROOT1");
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "created_at"),
	    "2026-11-18T11:06:40Z");
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "modified_at"),
	    "2026-11-18T11:07:41Z");
	CU_ASSERT_FATAL(model_get(t, MODEL_COMPANY, &co, &r) == 0);
	CU_ASSERT_EQUAL(r->created, created);
	CU_ASSERT(r->modified > created);
	modified = r->modified;
	record_free(r);

	/* Same clock reading: the stamp still moves forward (B2). */
	CU_ASSERT(upd(&anna, MODEL_COMPANY, &co, "phone", "+49 30 124",
	    NULL) == 0);
	CU_ASSERT_FATAL(model_get(t, MODEL_COMPANY, &co, &r) == 0);
	CU_ASSERT(r->modified > modified);
	CU_ASSERT_STRING_EQUAL(r->modified_by, "ANNA1");
	CU_ASSERT_EQUAL(r->created, created);
	record_free(r);
	close_master();
}

static void
test_model_B1_field_stamps(void)
{
	struct record_id	 co;
	struct record		*r;
	uint64_t		 name0, phone0, city0;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_COMPANY, &co, "name", "Acme", "phone", "1",
	    "city", "Berlin", NULL) == 0);
	CU_ASSERT_FATAL(model_get(t, MODEL_COMPANY, &co, &r) == 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(record_field(r, "name"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(record_field(r, "phone"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(record_field(r, "city"));
	name0 = record_field(r, "name")->stamp;
	phone0 = record_field(r, "phone")->stamp;
	city0 = record_field(r, "city")->stamp;
	CU_ASSERT_EQUAL(name0, r->created);
	CU_ASSERT_EQUAL(phone0, r->created);
	record_free(r);

	unit_now_ms += 5000;
	/* city given again unchanged: its stamp stays. */
	CU_ASSERT(upd(&root, MODEL_COMPANY, &co, "phone", "2", "city",
	    "Berlin", NULL) == 0);
	CU_ASSERT_FATAL(model_get(t, MODEL_COMPANY, &co, &r) == 0);
	CU_ASSERT_EQUAL(record_field(r, "name")->stamp, name0);
	CU_ASSERT_EQUAL(record_field(r, "city")->stamp, city0);
	CU_ASSERT(record_field(r, "phone")->stamp > phone0);
	CU_ASSERT_EQUAL(record_field(r, "phone")->stamp, r->modified);
	CU_ASSERT_EQUAL(clock_stamp_ms(record_field(r, "phone")->stamp),
	    1795000005000ULL);
	phone0 = record_field(r, "phone")->stamp;
	record_free(r);

	unit_now_ms += 5000;
	CU_ASSERT(upd(&root, MODEL_COMPANY, &co, "name", "Acme GmbH",
	    NULL) == 0);
	CU_ASSERT_FATAL(model_get(t, MODEL_COMPANY, &co, &r) == 0);
	CU_ASSERT(record_field(r, "name")->stamp > name0);
	CU_ASSERT_EQUAL(record_field(r, "phone")->stamp, phone0);
	CU_ASSERT_EQUAL(record_field(r, "city")->stamp, city0);
	record_free(r);
	close_master();
}

static void
test_model_failed_update_changes_nothing(void)
{
	struct record_id	 co;
	struct record		*before, *after;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_COMPANY, &co, "name", "Acme", NULL) == 0);
	CU_ASSERT_FATAL(model_get(t, MODEL_COMPANY, &co, &before) == 0);
	unit_now_ms += 1000;
	/* The good change is not kept when another is bad. */
	CU_ASSERT(upd(&root, MODEL_COMPANY, &co, "phone", "9", "email", "x",
	    NULL) == -1);
	CU_ASSERT_FATAL(model_get(t, MODEL_COMPANY, &co, &after) == 0);
	CU_ASSERT_EQUAL(after->modified, before->modified);
	CU_ASSERT_STRING_EQUAL(record_value(after, "phone"), "");
	record_free(before);
	record_free(after);
	close_master();
}

/* --- deletion (S12) and look-up --- */

static void
test_model_delete_tombstone(void)
{
	struct record_id	 co, ct, found;
	struct record		*r;
	size_t			 i;

	open_master(WITH_ALL);
	company(&co, "Acme");
	CU_ASSERT(add(&anna, MODEL_CONTACT, &ct, "company", idt(&co),
	    "first_name", "Eva", "last_name", "Smith", "phone", "123",
	    "email", "eva@example.com", NULL) == 0);
	unit_now_ms += 1000;
	CU_ASSERT(del(&anna, MODEL_CONTACT, &ct) == 0);

	CU_ASSERT_EQUAL_FATAL(store_get(t, MODEL_CONTACT, &ct, &r), 0);
	CU_ASSERT(r->flags & RECORD_DELETED);
	CU_ASSERT_STRING_EQUAL(r->modified_by, "ANNA1");
	CU_ASSERT_STRING_EQUAL(r->created_by, "ANNA1");
	CU_ASSERT_EQUAL(clock_stamp_ms(r->modified), 1795000001000ULL);
	/* Only what routes the deletion is kept. */
	CU_ASSERT_STRING_EQUAL(record_value(r, "company"), idt(&co));
	CU_ASSERT_STRING_EQUAL(record_value(r, "account_manager"), "ANNA1");
	CU_ASSERT_PTR_NULL(record_get(r, "phone"));
	CU_ASSERT_PTR_NULL(record_get(r, "email"));
	CU_ASSERT_PTR_NULL(record_get(r, "last_name"));
	for (i = 0; i < r->nfields; i++)
		CU_ASSERT(strcmp(r->fields[i].name, "company") == 0 ||
		    strcmp(r->fields[i].name, "account_manager") == 0);
	record_free(r);

	error_clear();
	CU_ASSERT_EQUAL(model_get(t, MODEL_CONTACT, &ct, &r), STORE_NOTFOUND);
	CU_ASSERT(unit_error_has("contact"));
	CU_ASSERT(unit_error_has(idt(&ct)));
	/* Gone for update, delete and look-up too. */
	CU_ASSERT(upd(&root, MODEL_CONTACT, &ct, "phone", "1", NULL) == -1);
	CU_ASSERT(del(&root, MODEL_CONTACT, &ct) == -1);
	CU_ASSERT(model_lookup(t, MODEL_CONTACT, idt(&ct), &found) == -1);

	/* The tombstone survives a close. */
	reopen();
	CU_ASSERT_EQUAL_FATAL(store_get(t, MODEL_CONTACT, &ct, &r), 0);
	CU_ASSERT(r->flags & RECORD_DELETED);
	record_free(r);
	close_master();
}

static void
test_model_delete_company_with_contacts(void)
{
	struct record_id	co, c1, c2, n1;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_COMPANY, &co, "name", "Acme", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_CONTACT, &c1, "company", idt(&co),
	    "last_name", "One", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_CONTACT, &c2, "company", idt(&co),
	    "last_name", "Two", NULL) == 0);
	CU_ASSERT(del(&root, MODEL_COMPANY, &co) == -1);
	CU_ASSERT(unit_error_has("2 contacts"));
	/* Named as a person names it, not by its ID. */
	CU_ASSERT(unit_error_has("company \"Acme\" still has"));
	CU_ASSERT(del(&root, MODEL_CONTACT, &c1) == 0);
	CU_ASSERT(del(&root, MODEL_COMPANY, &co) == -1);
	CU_ASSERT(unit_error_has("1 contact"));
	CU_ASSERT(del(&root, MODEL_CONTACT, &c2) == 0);
	/* A note on the company holds it too. */
	CU_ASSERT(add(&root, MODEL_NOTE, &n1, "company", idt(&co), "subject",
	    "Hello", NULL) == 0);
	CU_ASSERT(del(&root, MODEL_COMPANY, &co) == -1);
	CU_ASSERT(unit_error_has("1 note"));
	CU_ASSERT(del(&root, MODEL_NOTE, &n1) == 0);
	/* Tombstones do not hold it. */
	CU_ASSERT(del(&root, MODEL_COMPANY, &co) == 0);
	CU_ASSERT_STRING_EQUAL(val(MODEL_COMPANY, &co, "name"), "(not found)");
	close_master();
}

static void
test_model_S12_delete_rights(void)
{
	struct record_id	co, mine, ta, ca, tg, u;
	struct user		found;

	open_master(WITH_ALL);
	/* root's company, anna's manager: still not anna's to delete. */
	company(&co, "Acme");
	CU_ASSERT(del(&anna, MODEL_COMPANY, &co) == -1);
	CU_ASSERT(unit_error_has("ROOT1"));
	CU_ASSERT(add(&anna, MODEL_COMPANY, &mine, "name", "Mine", NULL) == 0);
	CU_ASSERT(del(&ben, MODEL_COMPANY, &mine) == -1);
	CU_ASSERT(del(&anna, MODEL_COMPANY, &mine) == 0);
	/* A task root made for anna is hers to delete. */
	CU_ASSERT(add(&root, MODEL_TASK, &ta, "subject", "x", "assigned_to",
	    "ANNA1", NULL) == 0);
	CU_ASSERT(del(&ben, MODEL_TASK, &ta) == -1);
	CU_ASSERT(unit_error_has("ANNA1"));
	CU_ASSERT(del(&anna, MODEL_TASK, &ta) == 0);
	/* Campaigns and targets: anyone. */
	CU_ASSERT(add(&root, MODEL_CAMPAIGN, &ca, "name", "C", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_TARGET, &tg, "campaign", idt(&ca),
	    "company", idt(&co), NULL) == 0);
	CU_ASSERT(del(&ben, MODEL_TARGET, &tg) == 0);
	CU_ASSERT(del(&ben, MODEL_CAMPAIGN, &ca) == 0);
	/* The company is still there for its owner-admin. */
	CU_ASSERT(del(&root, MODEL_COMPANY, &co) == 0);
	/* Users are never deleted through the model. */
	CU_ASSERT(user_find_login(t, "ben", &found) == 0);
	u = found.id;
	user_clear(&found);
	CU_ASSERT(del(&root, MODEL_USER, &u) == -1);
	CU_ASSERT(user_find_login(t, "ben", &found) == 0);
	user_clear(&found);
	close_master();
}

static void
test_model_lookup(void)
{
	struct record_id	a, b, c, found;
	char			prefix[RECORD_ID_TEXT + 1], *p;

	open_master(WITH_ROOT);
	CU_ASSERT(add(&root, MODEL_COMPANY, &a, "name", "A", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_COMPANY, &b, "name", "B", NULL) == 0);
	unit_now_ms += 86400000;
	CU_ASSERT(add(&root, MODEL_COMPANY, &c, "name", "C", NULL) == 0);

	/* The whole ID. */
	CU_ASSERT(model_lookup(t, MODEL_COMPANY, idt(&a), &found) == 0);
	CU_ASSERT(record_id_cmp(&found, &a) == 0);
	/* c was made a day later: its first 10 characters are its own. */
	snprintf(prefix, sizeof prefix, "%.10s", idt(&c));
	CU_ASSERT(model_lookup(t, MODEL_COMPANY, prefix, &found) == 0);
	CU_ASSERT(record_id_cmp(&found, &c) == 0);
	/* Upper case too. */
	for (p = prefix; *p != '\0'; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	}
	CU_ASSERT(model_lookup(t, MODEL_COMPANY, prefix, &found) == 0);
	CU_ASSERT(record_id_cmp(&found, &c) == 0);

	/* a and b share their millisecond, hence 10 characters. */
	snprintf(prefix, sizeof prefix, "%.10s", idt(&a));
	error_clear();
	CU_ASSERT(model_lookup(t, MODEL_COMPANY, prefix, &found) == -1);
	CU_ASSERT(unit_error_has("several"));
	CU_ASSERT(unit_error_has(prefix));
	CU_ASSERT(unit_error_has("company"));

	error_clear();
	CU_ASSERT(model_lookup(t, MODEL_COMPANY, "00000", &found) == -1);
	CU_ASSERT(unit_error_has("no company"));
	CU_ASSERT(unit_error_has("00000"));
	/* Right ID, wrong type. */
	CU_ASSERT(model_lookup(t, MODEL_CONTACT, idt(&a), &found) == -1);
	CU_ASSERT(unit_error_has("contact"));
	/* Not an ID. */
	error_clear();
	CU_ASSERT(model_lookup(t, MODEL_COMPANY, "acme!", &found) == -1);
	CU_ASSERT(strcmp(error_get(), "unknown error") != 0);
	CU_ASSERT(model_lookup(t, MODEL_COMPANY, "", &found) == -1);
	CU_ASSERT(unit_error_has("empty"));

	/* A deleted record is not found, which makes b unique. */
	CU_ASSERT(del(&root, MODEL_COMPANY, &a) == 0);
	CU_ASSERT(model_lookup(t, MODEL_COMPANY, prefix, &found) == 0);
	CU_ASSERT(record_id_cmp(&found, &b) == 0);
	close_master();
}

static void
test_model_validate_record(void)
{
	struct record	*r;

	open_master(WITH_ROOT);
	r = record_new();
	record_set(r, "subject", "Visit", 1);
	record_set(r, "start", "2026-11-25T14:00", 1);
	record_set(r, "assigned_to", "ROOT1", 1);
	error_clear();
	CU_ASSERT(model_validate(t, MODEL_EVENT, r) == 0);
	record_set(r, "end", "2026-11-25T13:59", 1);
	CU_ASSERT(model_validate(t, MODEL_EVENT, r) == -1);
	CU_ASSERT(unit_error_has("end"));
	record_set(r, "end", "", 1);
	record_set(r, "start", "2026-02-30", 1);
	CU_ASSERT(model_validate(t, MODEL_EVENT, r) == -1);
	CU_ASSERT(unit_error_has("start"));
	record_set(r, "start", "2026-11-25", 1);
	record_set(r, "assigned_to", "NOBOD", 1);
	CU_ASSERT(model_validate(t, MODEL_EVENT, r) == -1);
	CU_ASSERT(unit_error_has("NOBOD"));
	record_free(r);
	close_master();
}

/* --- the user module --- */

static void
test_user_find(void)
{
	struct user	u;

	open_master(WITH_ALL);
	CU_ASSERT_FATAL(user_find_login(t, "anna", &u) == 0);
	CU_ASSERT_STRING_EQUAL(u.login, "anna");
	CU_ASSERT_STRING_EQUAL(u.uid, "ANNA1");
	CU_ASSERT_STRING_EQUAL(u.name, "Anna Berg");
	CU_ASSERT_EQUAL(u.type, USER_USER);
	CU_ASSERT_EQUAL(u.restricted, 0);
	user_clear(&u);
	CU_ASSERT_FATAL(user_find_uid(t, "BEN01", &u) == 0);
	CU_ASSERT_STRING_EQUAL(u.login, "ben");
	CU_ASSERT_EQUAL(u.type, USER_REMOTE);
	CU_ASSERT_EQUAL(u.restricted, 1);
	CU_ASSERT_EQUAL(u.may_change_manager, 0);
	user_clear(&u);
	CU_ASSERT_FATAL(user_find_uid(t, "ROOT1", &u) == 0);
	CU_ASSERT_EQUAL(u.type, USER_ADMIN);
	user_clear(&u);
	CU_ASSERT_EQUAL(user_find_login(t, "nobody", &u), STORE_NOTFOUND);
	CU_ASSERT_EQUAL(user_find_login(t, "ann", &u), STORE_NOTFOUND);
	CU_ASSERT_EQUAL(user_find_uid(t, "ZZZZ9", &u), STORE_NOTFOUND);
	CU_ASSERT_EQUAL(user_find_uid(t, "ANNA", &u), STORE_NOTFOUND);
	/* Still there after a close. */
	reopen();
	CU_ASSERT_FATAL(user_find_login(t, "ben", &u) == 0);
	CU_ASSERT_STRING_EQUAL(u.uid, "BEN01");
	user_clear(&u);
	close_master();
}

static void
test_user_duplicates(void)
{
	struct user	u;

	open_master(WITH_ALL);
	unit_user(&u, "anna", "NEWU1", "", USER_USER, 0, 0);
	error_clear();
	CU_ASSERT(user_add(t, &root, &u, "password", NULL) == -1);
	CU_ASSERT(unit_error_has("anna"));
	CU_ASSERT(unit_error_has("taken"));
	user_clear(&u);
	unit_user(&u, "anna2", "ANNA1", "", USER_USER, 0, 0);
	error_clear();
	CU_ASSERT(user_add(t, &root, &u, "password", NULL) == -1);
	CU_ASSERT(unit_error_has("ANNA1"));
	CU_ASSERT(unit_error_has("taken"));
	user_clear(&u);
	CU_ASSERT_EQUAL(user_find_login(t, "anna2", &u), STORE_NOTFOUND);
	CU_ASSERT_FATAL(user_find_uid(t, "ANNA1", &u) == 0);
	CU_ASSERT_STRING_EQUAL(u.login, "anna");
	user_clear(&u);
	close_master();
}

static void
test_user_bad_uid_login_password(void)
{
	static const char *const bad_uids[] = {
		"ABC", "AB CD1", "", "AB-D1", "AB\xc3\xa9" "D", NULL
	};
	static const char *const bad_logins[] = {
		"", "has space", "a/b", "tab\there", "caf\xc3\xa9", NULL
	};
	char		long_login[66];
	struct user	u;
	size_t		i;

	open_master(WITH_ROOT);
	for (i = 0; bad_uids[i] != NULL; i++) {
		CU_ASSERT(!user_uid_valid(bad_uids[i]));
		unit_user(&u, "newbie", bad_uids[i], "", USER_USER, 0, 0);
		error_clear();
		CU_ASSERT(user_add(t, &root, &u, "password", NULL) == -1);
		CU_ASSERT(unit_error_has("user ID"));
		user_clear(&u);
	}
	/* Too long for struct user's uid: only the check can see it. */
	CU_ASSERT(!user_uid_valid("ABCDEF"));
	CU_ASSERT(!user_uid_valid("ABCDE1"));
	CU_ASSERT(user_uid_valid("ABCD1"));
	CU_ASSERT(user_uid_valid("abcde"));
	for (i = 0; bad_logins[i] != NULL; i++) {
		unit_user(&u, bad_logins[i], "NEWB1", "", USER_USER, 0, 0);
		error_clear();
		CU_ASSERT(user_add(t, &root, &u, "password", NULL) == -1);
		CU_ASSERT(unit_error_has("login"));
		user_clear(&u);
	}
	memset(long_login, 'a', 65);
	long_login[65] = '\0';
	unit_user(&u, long_login, "NEWB1", "", USER_USER, 0, 0);
	CU_ASSERT(user_add(t, &root, &u, "password", NULL) == -1);
	user_clear(&u);
	unit_user(&u, "newbie", "NEWB1", "", USER_USER, 0, 0);
	error_clear();
	CU_ASSERT(user_add(t, &root, &u, "abc", NULL) == -1);
	CU_ASSERT(unit_error_has("short"));
	CU_ASSERT(user_add(t, &root, &u, "", NULL) == -1);
	user_clear(&u);
	CU_ASSERT_EQUAL(user_find_uid(t, "NEWB1", &u), STORE_NOTFOUND);
	close_master();
}

static void
test_user_password_hash(void)
{
	struct user		 u;
	struct record		*r;
	struct record_id	 id;
	const char		*h;

	open_master(WITH_ALL);
	CU_ASSERT_FATAL(user_find_login(t, "anna", &u) == 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(u.hash);
	CU_ASSERT(strncmp(u.hash, "$y$", 3) == 0);
	CU_ASSERT(strstr(u.hash, "password") == NULL);
	CU_ASSERT(user_verify(&u, "password") == 1);
	CU_ASSERT(user_verify(&u, "Password") == 0);
	CU_ASSERT(user_verify(&u, "") == 0);
	id = u.id;
	user_clear(&u);
	/* The record holds the hash, never the password. */
	CU_ASSERT_FATAL(store_get(t, MODEL_USER, &id, &r) == 0);
	h = record_value(r, "password_hash");
	CU_ASSERT(strncmp(h, "$y$", 3) == 0);
	CU_ASSERT(strcmp(h, "password") != 0);
	CU_ASSERT(strlen(h) > 20);
	CU_ASSERT_STRING_EQUAL(r->created_by, "ROOT1");
	record_free(r);
	/* Two users with one password get different hashes (salt). */
	CU_ASSERT_FATAL(user_find_login(t, "ben", &u) == 0);
	h = u.hash;
	CU_ASSERT_FATAL(store_get(t, MODEL_USER, &id, &r) == 0);
	CU_ASSERT(strcmp(h, record_value(r, "password_hash")) != 0);
	record_free(r);
	user_clear(&u);
	/* No hash, or not a crypt hash: nothing verifies. */
	memset(&u, 0, sizeof u);
	CU_ASSERT(user_verify(&u, "password") == 0);
	u.hash = (char *)"password";
	CU_ASSERT(user_verify(&u, "password") == 0);
	close_master();
}

static void
test_user_add_needs_admin(void)
{
	struct user	u, a, found;

	open_master(WITH_ROOT);
	/* anna is added by root, then tries to add a user herself. */
	unit_user(&a, "anna", "ANNA1", "", USER_USER, 0, 1);
	CU_ASSERT_FATAL(user_add(t, &root, &a, "password", NULL) == 0);
	unit_user(&u, "eve", "EVE01", "", USER_ADMIN, 0, 0);
	error_clear();
	CU_ASSERT(user_add(t, &a, &u, "password", NULL) == -1);
	CU_ASSERT(unit_error_has("administrator"));
	CU_ASSERT(unit_error_has("anna"));
	CU_ASSERT_EQUAL(user_find_login(t, "eve", &found), STORE_NOTFOUND);
	user_clear(&u);
	user_clear(&a);
	close_master();
}

/* --- campaigns and their targets --- */

static void
test_model_target_unique_in_campaign(void)
{
	struct record_id	co, co2, ct, ca, ca2, t1, t2, t3, t4, t5;

	open_master(WITH_ALL);
	company(&co, "Acme");
	company(&co2, "Zeta");
	CU_ASSERT_FATAL(add(&root, MODEL_CONTACT, &ct, "company", idt(&co),
	    "first_name", "Bea", "last_name", "Keller", NULL) == 0);
	CU_ASSERT_FATAL(add(&root, MODEL_CAMPAIGN, &ca, "name", "Spring",
	    NULL) == 0);
	CU_ASSERT_FATAL(add(&root, MODEL_CAMPAIGN, &ca2, "name", "Autumn",
	    NULL) == 0);
	CU_ASSERT(add(&root, MODEL_TARGET, &t1, "campaign", idt(&ca),
	    "company", idt(&co), NULL) == 0);
	/* The same company again: refused, naming it and the campaign. */
	CU_ASSERT(add(&root, MODEL_TARGET, NULL, "campaign", idt(&ca),
	    "company", idt(&co), NULL) == -1);
	CU_ASSERT(unit_error_has("company \"Acme\" is already a target of "
	    "the campaign \"Spring\""));
	CU_ASSERT_STRING_EQUAL(model_error_field(), "company");
	/* A contact of that company is a target of its own. */
	CU_ASSERT(add(&root, MODEL_TARGET, &t2, "campaign", idt(&ca),
	    "contact", idt(&ct), NULL) == 0);
	/* It names the contact's company too, and takes its manager. */
	CU_ASSERT_STRING_EQUAL(val(MODEL_TARGET, &t2, "company"), idt(&co));
	CU_ASSERT_STRING_EQUAL(val(MODEL_TARGET, &t2, "account_manager"),
	    "ANNA1");
	CU_ASSERT(add(&root, MODEL_TARGET, NULL, "campaign", idt(&ca),
	    "contact", idt(&ct), "company", idt(&co), NULL) == -1);
	CU_ASSERT(unit_error_has("contact \"Bea Keller\" is already a "
	    "target"));
	CU_ASSERT_STRING_EQUAL(model_error_field(), "contact");
	/* Another campaign may have them both. */
	CU_ASSERT(add(&root, MODEL_TARGET, &t3, "campaign", idt(&ca2),
	    "company", idt(&co), NULL) == 0);
	CU_ASSERT(add(&root, MODEL_TARGET, &t4, "campaign", idt(&ca2),
	    "contact", idt(&ct), NULL) == 0);
	/* Moving one onto another is refused too; nothing changes. */
	CU_ASSERT(add(&root, MODEL_TARGET, &t5, "campaign", idt(&ca),
	    "company", idt(&co2), NULL) == 0);
	CU_ASSERT(upd(&root, MODEL_TARGET, &t5, "company", idt(&co),
	    NULL) == -1);
	CU_ASSERT(unit_error_has("already a target"));
	CU_ASSERT_STRING_EQUAL(val(MODEL_TARGET, &t5, "company"), idt(&co2));
	/* Changing other fields of a target is no duplicate of itself. */
	CU_ASSERT(upd(&root, MODEL_TARGET, &t1, "responded", "yes",
	    "response_date", "2026-03-02", NULL) == 0);
	/* Deleted, it may be added again. */
	CU_ASSERT(del(&root, MODEL_TARGET, &t1) == 0);
	CU_ASSERT(add(&root, MODEL_TARGET, &t1, "campaign", idt(&ca),
	    "company", idt(&co), NULL) == 0);
	close_master();
}

static void
test_model_S15_campaign_count(void)
{
	struct record_id	ca, ca2, co, cb, ct, id;
	size_t			n, r;

	open_master(WITH_ALL);
	company(&co, "Acme");
	CU_ASSERT_FATAL(add(&root, MODEL_COMPANY, &cb, "name", "BenCo",
	    "account_manager", "BEN01", NULL) == 0);
	CU_ASSERT_FATAL(add(&root, MODEL_CONTACT, &ct, "company", idt(&cb),
	    "last_name", "Bond", NULL) == 0);
	CU_ASSERT_FATAL(add(&root, MODEL_CAMPAIGN, &ca, "name", "Spring",
	    NULL) == 0);
	CU_ASSERT_FATAL(add(&root, MODEL_CAMPAIGN, &ca2, "name", "Other",
	    NULL) == 0);
	CU_ASSERT(model_campaign_count(t, NULL, &ca, &n, &r) == 0);
	CU_ASSERT(n == 0 && r == 0);
	CU_ASSERT(add(&root, MODEL_TARGET, &id, "campaign", idt(&ca),
	    "company", idt(&co), "responded", "yes", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_TARGET, NULL, "campaign", idt(&ca),
	    "company", idt(&cb), NULL) == 0);
	CU_ASSERT(add(&root, MODEL_TARGET, NULL, "campaign", idt(&ca),
	    "contact", idt(&ct), "responded", "yes", NULL) == 0);
	CU_ASSERT(add(&root, MODEL_TARGET, NULL, "campaign", idt(&ca2),
	    "contact", idt(&ct), "responded", "yes", NULL) == 0);
	CU_ASSERT(model_campaign_count(t, NULL, &ca, &n, &r) == 0);
	CU_ASSERT(n == 3 && r == 2);
	CU_ASSERT(model_campaign_count(t, &root, &ca, &n, &r) == 0);
	CU_ASSERT(n == 3 && r == 2);
	CU_ASSERT(model_campaign_count(t, &anna, &ca, &n, &r) == 0);
	CU_ASSERT(n == 3 && r == 2);
	/* ben is restricted: only the two targets he manages. */
	CU_ASSERT(model_campaign_count(t, &ben, &ca, &n, &r) == 0);
	CU_ASSERT(n == 2 && r == 1);
	/* Deleted targets do not count. */
	CU_ASSERT(del(&root, MODEL_TARGET, &id) == 0);
	CU_ASSERT(model_campaign_count(t, NULL, &ca, &n, &r) == 0);
	CU_ASSERT(n == 2 && r == 1);
	close_master();
}

/*
 * Drafts (draft.h): a form kept when crm was stopped, its user's alone;
 * it survives a reopen, is replaced in place when kept again under its
 * key, and is gone once dropped.
 */
static void
test_model_drafts(void)
{
	struct draft		 d, got, other;
	struct record_id	 id;
	size_t			 count = 9;

	open_master(WITH_ROOT);
	memset(&d, 0, sizeof d);
	record_id_new(&id, clock_now_ms());
	d.type = MODEL_COMPANY;
	d.id = id;
	d.base = record_new();
	record_set(d.base, "name", "Acme GmbH", 0);
	record_set(d.base, "phone", "+49 40 1111", 0);
	d.mine = record_new();
	record_set(d.mine, "name", "Acme GmbH", 0);
	record_set(d.mine, "phone", "+49 40 3333", 0);
	CU_ASSERT(draft_load(t, "ROOT1", &got, &count) == STORE_NOTFOUND);
	CU_ASSERT(draft_save(t, "ROOT1", &d) == 0);
	CU_ASSERT_FATAL(d.key != NULL);
	reopen();

	/* Another user's, never offered: ROOT1's is not ANNA1's. */
	CU_ASSERT(draft_load(t, "ANNA1", &other, &count) == STORE_NOTFOUND);
	CU_ASSERT(draft_load(t, "ROOT", &other, &count) == STORE_NOTFOUND);
	CU_ASSERT_FATAL(draft_load(t, "ROOT1", &got, &count) == 0);
	CU_ASSERT(count == 1);
	CU_ASSERT(got.type == MODEL_COMPANY);
	CU_ASSERT(!got.is_new);
	CU_ASSERT(record_id_cmp(&got.id, &id) == 0);
	CU_ASSERT_FATAL(got.base != NULL);
	CU_ASSERT_STRING_EQUAL(record_value(got.base, "phone"), "+49 40 1111");
	CU_ASSERT_STRING_EQUAL(record_value(got.mine, "phone"), "+49 40 3333");
	CU_ASSERT_STRING_EQUAL(got.key, d.key);
	CU_ASSERT(got.when > 0);

	/* Kept again under its key: still one. */
	record_set(got.mine, "phone", "+49 40 4444", 0);
	CU_ASSERT(draft_save(t, "ROOT1", &got) == 0);
	draft_free(&got);
	CU_ASSERT_FATAL(draft_load(t, "ROOT1", &got, &count) == 0);
	CU_ASSERT(count == 1);
	CU_ASSERT_STRING_EQUAL(record_value(got.mine, "phone"), "+49 40 4444");

	/* A new record's: no base; the newest is offered first. */
	draft_free(&d);
	memset(&d, 0, sizeof d);
	d.type = MODEL_CONTACT;
	d.is_new = 1;
	d.mine = record_new();
	record_set(d.mine, "last_name", "Keller", 0);
	unit_now_ms += 1000;	/* kept later: offered first */
	CU_ASSERT(draft_save(t, "ROOT1", &d) == 0);
	CU_ASSERT_FATAL(draft_load(t, "ROOT1", &other, &count) == 0);
	CU_ASSERT(count == 2);
	CU_ASSERT(other.type == MODEL_CONTACT);
	CU_ASSERT(other.is_new);
	CU_ASSERT(other.base == NULL);
	CU_ASSERT_STRING_EQUAL(record_value(other.mine, "last_name"),
	    "Keller");

	/* Dropped: gone; dropping again is no error. */
	CU_ASSERT(draft_drop(t, other.key) == 0);
	CU_ASSERT(draft_drop(t, other.key) == 0);
	CU_ASSERT(draft_drop(t, got.key) == 0);
	draft_free(&got);
	CU_ASSERT(draft_load(t, "ROOT1", &got, &count) == STORE_NOTFOUND);
	draft_free(&got);
	draft_free(&other);
	draft_free(&d);
	close_master();
}

static const struct unit_test tests[] = {
	{ "types and CLI.md fields", test_model_types_and_fields },
	{ "every type can be created", test_model_create_every_type },
	{ "required field missing", test_model_required_missing },
	{ "unknown field", test_model_unknown_field },
	{ "metadata is read-only", test_model_metadata_read_only },
	{ "password_hash not settable", test_model_password_hash_not_settable },
	{ "add user refused", test_model_add_user_refused },
	{ "dates", test_model_dates },
	{ "event end before start", test_model_event_end_before_start },
	{ "numbers", test_model_numbers },
	{ "email", test_model_email },
	{ "choices", test_model_choices },
	{ "yes/no", test_model_bool },
	{ "text", test_model_text },
	{ "references", test_model_references },
	{ "user references", test_model_user_references },
	{ "contact takes company manager",
	    test_model_contact_takes_company_manager },
	{ "company manager and assignee default to actor",
	    test_model_company_manager_is_creator },
	{ "S15 manager and assignee rights",
	    test_model_S15_manager_and_assignee_rights },
	{ "S4 metadata", test_model_S4_metadata },
	{ "B1 field stamps", test_model_B1_field_stamps },
	{ "failed update changes nothing",
	    test_model_failed_update_changes_nothing },
	{ "delete leaves a tombstone", test_model_delete_tombstone },
	{ "delete company with contacts",
	    test_model_delete_company_with_contacts },
	{ "S12 delete rights", test_model_S12_delete_rights },
	{ "look-up by prefix", test_model_lookup },
	{ "validate a record", test_model_validate_record },
	{ "user find", test_user_find },
	{ "user duplicates", test_user_duplicates },
	{ "user bad uid, login, password", test_user_bad_uid_login_password },
	{ "user password hash", test_user_password_hash },
	{ "user add needs an administrator", test_user_add_needs_admin },
	{ "a target is unique in its campaign",
	    test_model_target_unique_in_campaign },
	{ "S15 campaign counts", test_model_S15_campaign_count },
	{ "drafts of forms", test_model_drafts },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("model", tests);
}
