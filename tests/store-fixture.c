/* store-fixture: see store-fixture.h. */
#include "config.h"

#include <stdio.h>

#include "store-fixture.h"
#include "unit.h"

const struct store_schema t_schema[T_NSCHEMA] = {
	{ "people.db", { "last", "first", NULL },
	    { "org", "manager", NULL }, { "owner", "assistant", NULL } },
	{ "orgs.db", { "name", NULL }, { NULL }, { NULL } },
};

const char *
t_dir(void)
{
	static char	dir[4096];

	snprintf(dir, sizeof dir, "%s/db", unit_dir());
	return dir;
}

int
t_get(struct store *st, size_t file, const struct record_id *id,
    struct record **out)
{
	struct store_txn	*t;
	int			 ret;

	*out = NULL;
	if (store_begin(st, &t) != 0)
		return -1;
	ret = store_get(t, file, id, out);
	store_abort(t);
	return ret;
}
