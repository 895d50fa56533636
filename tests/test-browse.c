/* test-browse: the list widget's paging through a real store. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "browse.h"
#include "error.h"
#include "model.h"
#include "record.h"
#include "session.h"
#include "store.h"
#include "unit.h"
#include "user.h"
#include "xmalloc.h"

#define NCOMPANIES	60

static struct store	*st;
static struct store_txn	*t;
static struct user	 root, anna;
static struct record_id	 acme;

static void
add(const struct user *actor, int type, struct record_id *out, const char *f1,
    const char *v1, const char *f2, const char *v2)
{
	struct model_change	ch[2] = { { f1, v1 }, { f2, v2 } };
	struct record_id	id;

	CU_ASSERT_FATAL(model_add(t, actor, type, ch, f2 != NULL ? 2 : 1,
	    out != NULL ? out : &id) == 0);
}

/*
 * A master with NCOMPANIES companies "Company 00".."Company 59" (even
 * ones managed by anna), two more sharing the name "Zeta", a Greek and a
 * German name, and three contacts of Acme.
 */
static void
fill(void)
{
	char	name[32];
	int	i;

	CU_ASSERT_FATAL(model_create(unit_path("m"), STORE_MASTER) == 0);
	st = model_open(unit_path("m"), STORE_MASTER, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	unit_user(&root, "root", "ROOT1", "Root Admin", USER_ADMIN, 0, 0);
	unit_user(&anna, "anna", "ANNA1", "Anna Berg", USER_USER, 0, 1);
	CU_ASSERT_FATAL(user_add(t, NULL, &root, "password", NULL) == 0);
	CU_ASSERT_FATAL(user_add(t, &root, &anna, "password", NULL) == 0);
	/* Added in a shuffled order: the list must sort them. */
	for (i = 0; i < NCOMPANIES; i++) {
		int	k = (i * 37) % NCOMPANIES;

		snprintf(name, sizeof name, "Company %02d", k);
		add(&root, MODEL_COMPANY, NULL, "name", name,
		    "account_manager", k % 2 == 0 ? "ANNA1" : "ROOT1");
	}
	add(&root, MODEL_COMPANY, NULL, "name", "Zeta", NULL, NULL);
	add(&root, MODEL_COMPANY, NULL, "name", "Zeta", NULL, NULL);
	add(&root, MODEL_COMPANY, NULL, "name", "Ωmega Λtd", NULL, NULL);
	add(&root, MODEL_COMPANY, &acme, "name", "Zürich GmbH", NULL, NULL);
	{
		char	 ids[27];

		record_id_format(&acme, ids);
		add(&root, MODEL_CONTACT, NULL, "last_name", "Alpha",
		    "company", ids);
		add(&root, MODEL_CONTACT, NULL, "last_name", "Beta",
		    "company", ids);
		add(&root, MODEL_CONTACT, NULL, "last_name", "Gamma",
		    "company", ids);
		add(&root, MODEL_CONTACT, NULL, "last_name", "Loner", NULL,
		    NULL);
	}
}

static void
done(void)
{
	CU_ASSERT(store_commit(t) == 0);
	CU_ASSERT(store_close(st) == 0);
	user_clear(&root);
	user_clear(&anna);
}

/* The names of a page, joined by commas, for one assertion per page. */
static char *
page_names(struct browse *b, size_t n, const char *field)
{
	struct browse_row	 rows[100];
	size_t			 got, i, len = 0;
	char			*s = xcalloc(1, 4096);

	CU_ASSERT_FATAL(n <= 100);
	CU_ASSERT_FATAL(browse_page(b, t, rows, n, &got) == 0);
	for (i = 0; i < got; i++)
		len += (size_t)snprintf(s + len, 4096 - len, "%s%s",
		    i ? "," : "", record_value(rows[i].rec, field));
	browse_rows_free(rows, got);
	return s;
}

#define ASSERT_PAGE(b, n, field, want) do {				\
	char *got_ = page_names((b), (n), (field));			\
	CU_ASSERT_STRING_EQUAL(got_, (want));				\
	if (strcmp(got_, (want)) != 0)					\
		fprintf(stderr, "\n  page: %s\n  want: %s\n", got_, (want)); \
	free(got_);							\
} while (0)

static void
test_browse_pages_in_name_order(void)
{
	struct browse	b;
	long		moved;

	fill();
	browse_init(&b, MODEL_COMPANY, BROWSE_NAME);
	ASSERT_PAGE(&b, 3, "name", "Company 00,Company 01,Company 02");
	CU_ASSERT(browse_move(&b, t, 3, 3, &moved) == 0);
	CU_ASSERT(moved == 3);
	ASSERT_PAGE(&b, 3, "name", "Company 03,Company 04,Company 05");
	CU_ASSERT(browse_move(&b, t, -1, 3, &moved) == 0);
	CU_ASSERT(moved == -1);
	ASSERT_PAGE(&b, 3, "name", "Company 02,Company 03,Company 04");
	/* Back past the start stops at the first row. */
	CU_ASSERT(browse_move(&b, t, -10, 3, &moved) == 0);
	CU_ASSERT(moved == -2);
	ASSERT_PAGE(&b, 3, "name", "Company 00,Company 01,Company 02");
	/* The last page stays full: folded names sort Zürich as "zurich". */
	CU_ASSERT(browse_end(&b, t, 4) == 0);
	ASSERT_PAGE(&b, 4, "name", "Zeta,Zeta,Zürich GmbH,Ωmega Λtd");
	CU_ASSERT(browse_move(&b, t, 5, 4, &moved) == 0);
	CU_ASSERT(moved == 0);
	/* Forward by a page near the end keeps the page full. */
	browse_home(&b);
	CU_ASSERT(browse_move(&b, t, 58, 4, &moved) == 0);
	CU_ASSERT(moved == 58);
	CU_ASSERT(browse_move(&b, t, 4, 4, &moved) == 0);
	CU_ASSERT(moved == 2);
	ASSERT_PAGE(&b, 4, "name", "Zeta,Zeta,Zürich GmbH,Ωmega Λtd");
	browse_clear(&b);
	done();
}

/* Two records with the same name are two rows, each found again. */
static void
test_browse_equal_names_keep_their_place(void)
{
	struct browse		b;
	struct browse_row	rows[2];
	size_t			got;
	long			moved;

	fill();
	browse_init(&b, MODEL_COMPANY, BROWSE_NAME);
	browse_set_prefix(&b, "ze");
	CU_ASSERT(browse_page(&b, t, rows, 2, &got) == 0);
	CU_ASSERT_FATAL(got == 2);
	CU_ASSERT(record_id_cmp(&rows[0].rec->id, &rows[1].rec->id) != 0);
	CU_ASSERT(browse_move(&b, t, 1, 1, &moved) == 0);
	CU_ASSERT(moved == 1);
	CU_ASSERT(b.have_top);
	CU_ASSERT(record_id_cmp(&b.topid, &rows[1].rec->id) == 0);
	browse_rows_free(rows, got);
	CU_ASSERT(browse_move(&b, t, -1, 1, &moved) == 0);
	CU_ASSERT(moved == -1);
	browse_clear(&b);
	done();
}

static void
test_browse_prefix_search_folds_case_and_utf8(void)
{
	struct browse	b;

	fill();
	browse_init(&b, MODEL_COMPANY, BROWSE_NAME);
	browse_set_prefix(&b, "COMPANY 5");
	ASSERT_PAGE(&b, 20, "name", "Company 50,Company 51,Company 52,"
	    "Company 53,Company 54,Company 55,Company 56,Company 57,"
	    "Company 58,Company 59");
	browse_set_prefix(&b, "ΩM");
	ASSERT_PAGE(&b, 20, "name", "Ωmega Λtd");
	/* Accents or none, the same name. */
	browse_set_prefix(&b, "zur");
	ASSERT_PAGE(&b, 20, "name", "Zürich GmbH");
	browse_set_prefix(&b, "ZÜRI");
	ASSERT_PAGE(&b, 20, "name", "Zürich GmbH");
	browse_set_prefix(&b, "nothing");
	ASSERT_PAGE(&b, 20, "name", "");
	/* Z to A, still inside the prefix. */
	browse_set_prefix(&b, "company 0");
	browse_set_order(&b, BROWSE_NAME_DESC);
	ASSERT_PAGE(&b, 3, "name", "Company 09,Company 08,Company 07");
	CU_ASSERT(browse_end(&b, t, 3) == 0);
	ASSERT_PAGE(&b, 3, "name", "Company 02,Company 01,Company 00");
	browse_clear(&b);
	done();
}

static void
test_browse_newest_first_and_mine(void)
{
	struct browse			b;
	static const char *const	owners[] = { "account_manager", NULL };
	long				moved;

	fill();
	browse_init(&b, MODEL_COMPANY, BROWSE_NEWEST);
	ASSERT_PAGE(&b, 2, "name", "Zürich GmbH,Ωmega Λtd");
	browse_set_order(&b, BROWSE_OLDEST);
	/* The first added was k = 0, then 37, 14 (i * 37 mod 60). */
	ASSERT_PAGE(&b, 3, "name", "Company 00,Company 37,Company 14");
	browse_set_order(&b, BROWSE_NAME);
	browse_set_mine(&b, "ANNA1", owners);
	ASSERT_PAGE(&b, 3, "name", "Company 00,Company 02,Company 04");
	CU_ASSERT(browse_move(&b, t, 28, 3, &moved) == 0);
	CU_ASSERT(moved == 27);
	ASSERT_PAGE(&b, 5, "name", "Company 54,Company 56,Company 58");
	browse_clear(&b);
	done();
}

static void
test_browse_linked_records(void)
{
	struct browse	b;

	fill();
	browse_init(&b, MODEL_CONTACT, BROWSE_OLDEST);
	browse_set_ref(&b, &acme);
	ASSERT_PAGE(&b, 10, "last_name", "Alpha,Beta,Gamma");
	browse_set_order(&b, BROWSE_NEWEST);
	ASSERT_PAGE(&b, 2, "last_name", "Gamma,Beta");
	CU_ASSERT(browse_end(&b, t, 2) == 0);
	ASSERT_PAGE(&b, 2, "last_name", "Beta,Alpha");
	browse_clear(&b);
	done();
}

/* A page never holds a deleted record, and a deleted top is passed. */
static void
test_browse_deleted_rows_left_out(void)
{
	struct browse		b;
	struct browse_row	rows[3];
	size_t			got;
	long			moved;

	fill();
	browse_init(&b, MODEL_COMPANY, BROWSE_NAME);
	CU_ASSERT(browse_move(&b, t, 1, 3, &moved) == 0);
	CU_ASSERT(browse_page(&b, t, rows, 3, &got) == 0);
	CU_ASSERT_FATAL(got == 3);
	CU_ASSERT(model_delete(t, &root, MODEL_COMPANY, &rows[0].rec->id) ==
	    0);
	browse_rows_free(rows, got);
	ASSERT_PAGE(&b, 3, "name", "Company 02,Company 03,Company 04");
	browse_clear(&b);
	done();
}

/* A screen's filter: names ending in an odd digit; "Company 13" fails. */
static int
odd_only(void *arg, struct store_txn *tx, const struct record *r)
{
	const char	*n = record_value(r, "name");
	size_t		 len = strlen(n);

	(*(int *)arg)++;
	CU_ASSERT(tx == t);
	if (strcmp(n, "Company 13") == 0) {
		error_set("cannot judge %s", n);
		return -1;
	}
	return len > 0 && (n[len - 1] - '0') % 2 == 1;
}

static void
test_browse_filter(void)
{
	struct browse	b;
	size_t		count;
	long		moved;
	int		calls = 0;

	fill();
	browse_init(&b, MODEL_COMPANY, BROWSE_NAME);
	browse_set_filter(&b, odd_only, &calls);
	ASSERT_PAGE(&b, 4, "name", "Company 01,Company 03,Company 05,"
	    "Company 07");
	CU_ASSERT(calls > 0);
	CU_ASSERT(browse_move(&b, t, 2, 2, &moved) == 0);
	CU_ASSERT(moved == 2);
	ASSERT_PAGE(&b, 2, "name", "Company 05,Company 07");
	/* Counts pass through it too. */
	browse_home(&b);
	CU_ASSERT(browse_count(&b, t, 6, &count) == 0);
	CU_ASSERT(count == 6);
	/* Its error is the page's error. */
	error_clear();
	CU_ASSERT(browse_count(&b, t, 100, &count) == -1);
	CU_ASSERT(unit_error_has("Company 13"));
	/* With the mine filter both must hold: anna has the even ones. */
	{
		static const char *const owners[] = { "account_manager",
		    NULL };

		browse_set_mine(&b, "ANNA1", owners);
		ASSERT_PAGE(&b, 3, "name", "");
		browse_set_mine(&b, "ROOT1", owners);
		ASSERT_PAGE(&b, 3, "name", "Company 01,Company 03,Company 05");
	}
	browse_set_filter(&b, NULL, NULL);
	ASSERT_PAGE(&b, 2, "name", "Company 01,Company 03");
	browse_clear(&b);
	done();
}

/*
 * A search: words anywhere in the name, accents or none, a contact by
 * its company; gathered hits paged as an index is, mine and order kept.
 */
static void
test_browse_search(void)
{
	struct browse	b;
	size_t		count;
	long		moved;
	static const char *const owners[] = { "account_manager", NULL };

	fill();
	browse_init(&b, MODEL_COMPANY, BROWSE_NAME);
	/* "1" starts the second word of Company 10 to 19 (not of 01). */
	browse_set_search(&b, "company 1");
	CU_ASSERT(browse_count(&b, t, 100, &count) == 0);
	CU_ASSERT_EQUAL(count, 10);
	ASSERT_PAGE(&b, 3, "name", "Company 10,Company 11,Company 12");
	CU_ASSERT(browse_move(&b, t, 3, 3, &moved) == 0);
	CU_ASSERT(moved == 3);
	ASSERT_PAGE(&b, 3, "name", "Company 13,Company 14,Company 15");
	CU_ASSERT(browse_move(&b, t, -5, 3, &moved) == 0);
	CU_ASSERT(moved == -3);
	CU_ASSERT(browse_end(&b, t, 3) == 0);
	ASSERT_PAGE(&b, 3, "name", "Company 17,Company 18,Company 19");
	CU_ASSERT(browse_move(&b, t, 5, 3, &moved) == 0);
	CU_ASSERT(moved == 0);
	/* Z to A, and only mine (anna has the even ones). */
	browse_set_order(&b, BROWSE_NAME_DESC);
	ASSERT_PAGE(&b, 2, "name", "Company 19,Company 18");
	browse_set_mine(&b, "ANNA1", owners);
	ASSERT_PAGE(&b, 3, "name", "Company 18,Company 16,Company 14");
	browse_set_mine(&b, "", NULL);
	browse_set_order(&b, BROWSE_NAME);
	/* Accents or none; Greek keeps its letters, without case. */
	browse_set_search(&b, "zurich");
	ASSERT_PAGE(&b, 5, "name", "Zürich GmbH");
	browse_set_search(&b, "λTD");
	ASSERT_PAGE(&b, 5, "name", "Ωmega Λtd");
	browse_set_search(&b, "ΩM");
	ASSERT_PAGE(&b, 5, "name", "Ωmega Λtd");
	browse_set_search(&b, "nothing here");
	ASSERT_PAGE(&b, 5, "name", "");
	/* No word at all: no search. */
	browse_set_search(&b, " ,. ");
	CU_ASSERT_PTR_NULL(b.search);
	browse_clear(&b);
	/* Contacts by their company's name; with their own name too. */
	browse_init(&b, MODEL_CONTACT, BROWSE_NAME);
	browse_set_search(&b, "zürich");
	ASSERT_PAGE(&b, 5, "last_name", "Alpha,Beta,Gamma");
	browse_set_search(&b, "gmbh bet");
	ASSERT_PAGE(&b, 5, "last_name", "Beta");
	browse_clear(&b);
	/* A record's linked records by name, and searched among. */
	browse_init(&b, MODEL_CONTACT, BROWSE_NAME);
	browse_set_ref(&b, &acme);
	ASSERT_PAGE(&b, 5, "last_name", "Alpha,Beta,Gamma");
	browse_set_order(&b, BROWSE_NAME_DESC);
	ASSERT_PAGE(&b, 5, "last_name", "Gamma,Beta,Alpha");
	browse_set_search(&b, "gam");
	ASSERT_PAGE(&b, 5, "last_name", "Gamma");
	browse_clear(&b);
	done();
}

static const struct unit_test tests[] = {
	{ "pages in name order", test_browse_pages_in_name_order },
	{ "search", test_browse_search },
	{ "equal names keep their place",
	  test_browse_equal_names_keep_their_place },
	{ "prefix search folds case and UTF-8",
	  test_browse_prefix_search_folds_case_and_utf8 },
	{ "newest first, and mine", test_browse_newest_first_and_mine },
	{ "linked records", test_browse_linked_records },
	{ "deleted rows left out", test_browse_deleted_rows_left_out },
	{ "a screen's own filter", test_browse_filter },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("browse", tests);
}
