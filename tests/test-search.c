/*
 * test-search: a record is found by the name of its company and by the
 * name of its contact, whichever of them search.c's cache of names holds
 * and wherever their IDs put them in it.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "model.h"
#include "record.h"
#include "search.h"
#include "store.h"
#include "unit.h"

/* A record of TYPE with ID (its bytes 10 and 15 chosen) and fields. */
static void
put(struct store_txn *t, int type, struct record_id *id, int b10, int b15,
    const char *const *fields)
{
	struct record	*r = record_new();

	record_id_new(&r->id, clock_now_ms());
	r->id.b[10] = (uint8_t)b10;
	r->id.b[15] = (uint8_t)b15;
	for (; fields[0] != NULL; fields += 2)
		record_set(r, fields[0], fields[1], 1);
	*id = r->id;
	CU_ASSERT_FATAL(store_put(t, (size_t)type, r, 0) == 0);
	record_free(r);
}

static int
found(struct store_txn *t, const struct record_id *id, const char *text)
{
	struct search	*s = search_new(MODEL_NOTE, text);
	struct record	*r;
	int		 ok;

	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT_FATAL(store_get(t, MODEL_NOTE, id, &r) == 0);
	ok = search_match(s, t, r);
	record_free(r);
	search_free(s);
	return ok;
}

/*
 * The company's and the contact's IDs fall in the same place of the
 * cache as it was: looking up the contact's name threw out the company's
 * while the search still read it (freed), and the note was not found by
 * its company's name.
 */
static void
test_search_company_and_contact(void)
{
	struct store		*st;
	struct store_txn	*t;
	struct record_id	 co, ct, note;
	char			 cotext[32], cttext[32];
	const char		*dir = unit_path("m");
	int			 b15;

	CU_ASSERT_FATAL(model_create(dir, STORE_MASTER) == 0);
	st = model_open(dir, STORE_MASTER, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	/* Every place the contact's ID may take against the company's. */
	for (b15 = 0; b15 < 64; b15++) {
		put(t, MODEL_COMPANY, &co, 0, 0x10,
		    (const char *const[]){ "name", "Zyxwvut Ltd", NULL });
		put(t, MODEL_CONTACT, &ct, 0, b15,
		    (const char *const[]){ "first_name", "Anna",
		    "last_name", "Borg", NULL });
		record_id_format(&co, cotext);
		record_id_format(&ct, cttext);
		put(t, MODEL_NOTE, &note, 1, 1,
		    (const char *const[]){ "subject", "Meeting",
		    "company", cotext, "contact", cttext, NULL });
		CU_ASSERT_EQUAL(found(t, &note, "zyxwvut"), 1);
		CU_ASSERT_EQUAL(found(t, &note, "borg"), 1);
		CU_ASSERT_EQUAL(found(t, &note, "zyxwvut anna"), 1);
		CU_ASSERT_EQUAL(found(t, &note, "meeting borg zyx"), 1);
		CU_ASSERT_EQUAL(found(t, &note, "zyxwvut quillfeather"), 0);
	}
	CU_ASSERT(store_commit(t) == 0);
	CU_ASSERT(store_close(st) == 0);
}

int
main(void)
{
	static const struct unit_test tests[] = {
		{ "search_company_and_contact",
		    test_search_company_and_contact },
		{ NULL, NULL }
	};

	return unit_run("search", tests);
}
