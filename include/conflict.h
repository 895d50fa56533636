/*
 * conflict: the conflict log (RULES.md B3). Every value a sync overwrites
 * or refuses is kept in conflicts.db: which record and field, the value
 * kept and the value lost, who made the lost change and when, and why.
 * A person reviews the log and can restore a lost value.
 */
#ifndef CRM_CONFLICT_H
#define CRM_CONFLICT_H

#include <stdint.h>

#include "record.h"
#include "store.h"

struct user;

/* Log one lost value of field (or of the whole record when field is "*"). */
int	conflict_log(struct store_txn *, int type, const struct record *about,
	    const char *field, const char *kept, const char *lost,
	    const char *lost_by, uint64_t lost_stamp, const char *why);
/*
 * Put a logged value back into its record as actor (an ordinary change,
 * so the next sync carries it); the entry is marked restored.
 */
int	conflict_restore(struct store_txn *, const struct user *actor,
	    const struct record_id *entry);

#endif
