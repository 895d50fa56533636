/* test-letter: the letter renderer, its fields, templates and letters. */
#include "config.h"

#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "document.h"
#include "error.h"
#include "letter.h"
#include "model.h"
#include "record.h"
#include "store.h"
#include "unit.h"
#include "user.h"
#include "xmalloc.h"

/* 2026-11-25 14:03:07 UTC. */
#define NOW_MS	1795615387000ULL

static struct letter_vars	 vars;

static void
set_vars(void)
{
	memset(&vars, 0, sizeof vars);
	letter_vars_set(&vars, "contact.first_name", "Bea");
	letter_vars_set(&vars, "contact.last_name", "Keller");
	letter_vars_set(&vars, "company.name", "Zürich Ärzte AG");
	letter_vars_set(&vars, "user.name", "Anna Berg");
	letter_vars_set(&vars, "empty", "");
}

/* Render text; the result, or NULL (error set). */
static char *
render(const char *text)
{
	char	*out;
	size_t	 len;

	if (letter_render("T", text, strlen(text), &vars, &out, &len) != 0) {
		CU_ASSERT(out == NULL);
		return NULL;
	}
	CU_ASSERT(len == strlen(out));
	return out;
}

static void
expect(const char *text, const char *want)
{
	char	*got = render(text);

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void
test_fields_filled(void)
{
	set_vars();
	expect("Dear {{contact.first_name}} {{contact.last_name}},\n"
	    "{{company.name}}\n{{user.name}}\n",
	    "Dear Bea Keller,\nZürich Ärzte AG\nAnna Berg\n");
	letter_vars_free(&vars);
}

static void
test_spaces_and_edges(void)
{
	set_vars();
	expect("{{ contact.first_name }}", "Bea");
	expect("{{contact.first_name}}{{contact.last_name}}", "BeaKeller");
	expect("", "");
	expect("no fields at all\n", "no fields at all\n");
	expect("[{{empty}}]", "[]");
	/* Single braces are text. */
	expect("{x} } { {", "{x} } { {");
	letter_vars_free(&vars);
}

static void
test_set_replaces(void)
{
	set_vars();
	letter_vars_set(&vars, "contact.first_name", "Anna");
	CU_ASSERT_STRING_EQUAL(letter_vars_get(&vars, "contact.first_name"),
	    "Anna");
	CU_ASSERT_PTR_NULL(letter_vars_get(&vars, "contact.nope"));
	expect("{{contact.first_name}}", "Anna");
	letter_vars_free(&vars);
}

static void
test_unknown_fields_named_with_lines(void)
{
	set_vars();
	CU_ASSERT_PTR_NULL(render("Dear {{contact.first_name}},\n\n"
	    "about {{contact.nmae}}\nand {{foo}} and {{contact.last_name}}\n"));
	CU_ASSERT(unit_error_has("template \"T\""));
	CU_ASSERT(unit_error_has("unknown field {{contact.nmae}} on line 3"));
	CU_ASSERT(unit_error_has("unknown field {{foo}} on line 4"));
	CU_ASSERT(!unit_error_has("first_name}} on"));
	letter_vars_free(&vars);
}

static void
test_unclosed(void)
{
	set_vars();
	CU_ASSERT_PTR_NULL(render("line one\nDear {{contact.first_name\n"));
	CU_ASSERT(unit_error_has("on line 2"));
	CU_ASSERT_PTR_NULL(render("{{}}"));
	CU_ASSERT(unit_error_has("no field name"));
	CU_ASSERT_PTR_NULL(render("ends with {{"));
	CU_ASSERT(unit_error_has("on line 1"));
	letter_vars_free(&vars);
}

static void
test_record_fields(void)
{
	struct record	*r = record_new();

	memset(&vars, 0, sizeof vars);
	record_set(r, "first_name", "Jörg", 1);
	record_set(r, "email", "j@example.com", 1);
	letter_vars_record(&vars, "contact", MODEL_CONTACT, r);
	/* Every field of the type is known, set or not. */
	letter_vars_record(&vars, "company", MODEL_COMPANY, NULL);
	expect("{{contact.first_name}} <{{contact.email}}> {{contact.city}}"
	    "|{{company.name}}|", "Jörg <j@example.com> ||");
	record_free(r);
	letter_vars_free(&vars);
}

static void
test_date_from_clock(void)
{
	memset(&vars, 0, sizeof vars);
	setenv("TZ", "UTC", 1);
	letter_vars_date(&vars, NOW_MS);
	expect("{{date}}", "2026-11-25");
	letter_vars_free(&vars);
	memset(&vars, 0, sizeof vars);
	letter_vars_date(&vars, 1767225600000ULL);	/* 2026-01-01 */
	expect("{{date}}", "2026-01-01");
	CU_ASSERT_PTR_NOT_NULL(strstr(letter_vars_get(&vars, "date.long"),
	    "2026"));
	CU_ASSERT_EQUAL(letter_vars_get(&vars, "date.long")[0], '1');
	CU_ASSERT_EQUAL(letter_vars_get(&vars, "date.long")[1], ' ');
	letter_vars_free(&vars);
}

/* A database with a company, a contact and a template, for the rest. */
static struct store	*st;
static struct store_txn	*t;
static struct user	 root;

static void
add(int type, struct record_id *id, const char *a, const char *av,
    const char *b, const char *bv, const char *c, const char *cv)
{
	struct model_change	ch[3] = { { a, av }, { b, bv }, { c, cv } };

	CU_ASSERT_FATAL(model_add(t, &root, type, ch, c != NULL ? 3 :
	    b != NULL ? 2 : 1, id) == 0);
}

static void
open_db(void)
{
	CU_ASSERT_FATAL(model_create(unit_path("m"), STORE_MASTER) == 0);
	st = model_open(unit_path("m"), STORE_MASTER, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	unit_user(&root, "root", "ROOT1", "Root Admin", USER_ADMIN, 0, 0);
	CU_ASSERT_FATAL(user_add(t, NULL, &root, "password", NULL) == 0);
}

static void
close_db(void)
{
	CU_ASSERT(store_commit(t) == 0);
	CU_ASSERT(store_close(st) == 0);
	user_clear(&root);
}

static void
test_letter_for_a_contact(void)
{
	struct record_id	 co, ct, tid, note, doc;
	struct record		*contact, *tmpl, *r;
	struct model_change	 ch = { "name", "Offer" };
	char			 idtext[RECORD_ID_TEXT + 1], *out, *path;
	size_t			 len;
	struct stat		 sb;
	char			*dir;

	open_db();
	/* unit_path's buffer is used again by unit_write. */
	dir = xstrdup(unit_path("m"));
	add(MODEL_COMPANY, &co, "name", "Acme GmbH", "city", "Hamburg", NULL,
	    NULL);
	record_id_format(&co, idtext);
	add(MODEL_CONTACT, &ct, "first_name", "Bea", "last_name", "Keller",
	    "company", idtext);
	CU_ASSERT_FATAL(document_store(t, dir, &root,
	    MODEL_TEMPLATE, unit_write("offer.txt", "Dear {{contact.name}} of "
	    "{{company.name}}, {{company.city}}. {{user.name}}, {{date}}\n"),
	    &ch, 1, &tid) == 0);
	CU_ASSERT_FATAL(model_get(t, MODEL_CONTACT, &ct, &contact) == 0);
	/* By name, by a name in other case, by ID prefix. */
	CU_ASSERT_FATAL(letter_template_find(t, "Offer", &tmpl) == 0);
	record_free(tmpl);
	CU_ASSERT_FATAL(letter_template_find(t, "offer", &tmpl) == 0);
	record_free(tmpl);
	record_id_format(&tid, idtext);
	idtext[10] = '\0';
	CU_ASSERT_FATAL(letter_template_find(t, idtext, &tmpl) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(tmpl, "filename"), "offer.txt");
	CU_ASSERT(letter_template_find(t, "Nope", &r) == -1);
	CU_ASSERT(unit_error_has("no template is named \"Nope\""));

	setenv("TZ", "UTC", 1);
	CU_ASSERT_FATAL(letter_make(t, dir, &root, tmpl, contact,
	    NOW_MS, &out, &len) == 0);
	CU_ASSERT_STRING_EQUAL(out, "Dear Bea Keller of Acme GmbH, Hamburg. "
	    "Root Admin, 2026-11-25\n");

	/* Recorded: a note of the contact and company, the file attached. */
	CU_ASSERT_FATAL(letter_record(t, dir, &root, tmpl, contact,
	    unit_write("letter.txt", out), NOW_MS, &note, &doc) == 0);
	CU_ASSERT_FATAL(model_get(t, MODEL_NOTE, &note, &r) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(r, "subject"), "Letter: Offer");
	CU_ASSERT_STRING_EQUAL(record_value(r, "date"), "2026-11-25");
	record_id_format(&ct, idtext);
	CU_ASSERT_STRING_EQUAL(record_value(r, "contact"), idtext);
	record_id_format(&co, idtext);
	CU_ASSERT_STRING_EQUAL(record_value(r, "company"), idtext);
	record_free(r);
	CU_ASSERT_FATAL(model_get(t, MODEL_DOCUMENT, &doc, &r) == 0);
	record_id_format(&note, idtext);
	CU_ASSERT_STRING_EQUAL(record_value(r, "parent"), idtext);
	CU_ASSERT_STRING_EQUAL(record_value(r, "filename"),
	    "Offer Keller 2026-11-25.txt");
	CU_ASSERT_EQUAL(document_check(dir, MODEL_DOCUMENT, r),
	    DOCUMENT_OK);
	path = document_path(dir, MODEL_DOCUMENT, &doc);
	CU_ASSERT(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CU_ASSERT(sb.st_size == (off_t)len);
	record_free(r);
	free(path);
	free(out);

	/* A changed template file is noticed, not rendered. */
	path = document_path(dir, MODEL_TEMPLATE, &tid);
	unit_put(path, "Dear {{contact.name}}, changed behind crm's back\n");
	CU_ASSERT(letter_make(t, dir, &root, tmpl, contact, NOW_MS,
	    &out, &len) == -1);
	CU_ASSERT(unit_error_has("no longer matches"));
	unlink(path);
	CU_ASSERT(letter_make(t, dir, &root, tmpl, contact, NOW_MS,
	    &out, &len) == -1);
	CU_ASSERT(unit_error_has("missing"));
	free(path);
	record_free(tmpl);
	record_free(contact);
	close_db();
	free(dir);
}

static void
test_size_text(void)
{
	char	*s;

	s = document_size_text("0");
	CU_ASSERT_STRING_EQUAL(s, "0 bytes");
	free(s);
	s = document_size_text("1");
	CU_ASSERT_STRING_EQUAL(s, "1 byte");
	free(s);
	s = document_size_text("1023");
	CU_ASSERT_STRING_EQUAL(s, "1023 bytes");
	free(s);
	s = document_size_text("12595");
	CU_ASSERT_STRING_EQUAL(s, "12.3 KiB");
	free(s);
	s = document_size_text("4194304");
	CU_ASSERT_STRING_EQUAL(s, "4.0 MiB");
	free(s);
	s = document_size_text("");
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
}

static void
test_mime(void)
{
	CU_ASSERT_STRING_EQUAL(document_mime("a.TXT"), "text/plain");
	CU_ASSERT_STRING_EQUAL(document_mime("offer.pdf"), "application/pdf");
	CU_ASSERT_STRING_EQUAL(document_mime("README"),
	    "application/octet-stream");
}

static const struct unit_test tests[] = {
	{ "fields filled", test_fields_filled },
	{ "spaces and edges", test_spaces_and_edges },
	{ "a field set again", test_set_replaces },
	{ "unknown fields named with their lines", test_unknown_fields_named_with_lines },
	{ "unclosed braces", test_unclosed },
	{ "fields of records", test_record_fields },
	{ "the date from the clock", test_date_from_clock },
	{ "a letter for a contact, recorded", test_letter_for_a_contact },
	{ "sizes as a person reads them", test_size_text },
	{ "MIME types", test_mime },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("letter", tests);
}
