/*
 * store-fixture: what the store's suites share (test-store and
 * test-store-load): a tiny schema of their own, with every kind of index,
 * since the store knows nothing of companies; where a test's database
 * is; a read in a transaction of its own.
 */
#ifndef CRM_TESTS_STORE_FIXTURE_H
#define CRM_TESTS_STORE_FIXTURE_H

#include <stddef.h>

#include "record.h"
#include "store.h"

enum { T_PEOPLE, T_ORGS };
extern const struct store_schema t_schema[];
#define T_NSCHEMA	2

/* The database directory of the current test (unit_dir()/db). */
const char	*t_dir(void);
/* store_get in a transaction of its own; its result. */
int		 t_get(struct store *, size_t file, const struct record_id *,
		    struct record **);
/*
 * A CRM holds personal data: dir is 0700, and so is every directory in
 * it, every other file 0600 (but Berkeley DB's __db.register, which
 * holds process IDs only and makes itself 0660); each exception is said
 * on stderr.
 */
int		 t_private(const char *dir);

#endif
