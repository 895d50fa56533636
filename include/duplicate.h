/*
 * duplicate: companies and contacts entered twice, found and merged.
 *
 * Two records look like the same when their names fold to the same key
 * (the name index's: case and accents aside) and nothing tells them
 * apart: companies by their city, contacts by their email (an empty one
 * tells nothing). The forms ask before saving such a record; crm
 * duplicates lists them, and crm merge makes two one: the records linked
 * to the one that goes are moved to the one that stays, its empty fields
 * take the other's values, and the one that goes is deleted, kept whole
 * in the conflict log (RULES.md B3) so that it can be made again.
 */
#ifndef CRM_DUPLICATE_H
#define CRM_DUPLICATE_H

#include <stddef.h>

#include "record.h"
#include "store.h"

struct user;

/* At most this many records are said to look like one. */
#define DUPLICATE_MAX	8

/* Can records of this type have duplicates found (companies, contacts)? */
int	 duplicate_type(int type);
/*
 * The live records that look like r (r itself left out), up to max:
 * their IDs in ids, how many in *n. Costs one seek of the name index.
 */
int	 duplicate_find(struct store_txn *, int type, const struct record *r,
	    struct record_id *ids, size_t max, size_t *n);
/*
 * Every group of records that look like each other, in name order: each
 * is called with a group's records (2 or more) until it returns nonzero
 * (-1: error). Walks the whole name index: a report, not a screen's.
 */
int	 duplicate_list(struct store_txn *, int type,
	    int (*each)(void *arg, struct record **group, size_t n),
	    void *arg);
/*
 * Merge lose into keep, as actor (rights apply to every record changed,
 * and to deleting lose): see above. *moved gets how many linked records
 * were moved.
 */
int	 duplicate_merge(struct store_txn *, const struct user *actor,
	    int type, const struct record_id *keep,
	    const struct record_id *lose, size_t *moved);

#endif
