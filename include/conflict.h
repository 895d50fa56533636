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
 * Log a whole record lost to a deletion on the other side (field "*",
 * kept "deleted", lost its fields as "name=value" lines, "\\" and "\n"
 * escaped), so that restoring it makes the record again. Documents and
 * templates, whose files went with them, and users are not logged whole.
 */
int	conflict_log_record(struct store_txn *, int type,
	    const struct record *, const char *why);
/*
 * The text conflict_log_record logs for r, or NULL when such a record is
 * not logged whole. Free it.
 */
char	*conflict_record_text(int type, const struct record *);

enum conflict_done {
	CONFLICT_PUT_BACK,	/* the lost value is in its record again */
	CONFLICT_MADE_AGAIN,	/* a whole record made again, as *made */
	CONFLICT_DELETED	/* a lost deletion done again */
};

/*
 * Undo what a sync did, as actor, through the model (rights and
 * validation apply, and the next sync carries it): put a lost value back
 * into its record, make a record lost to a deletion again under a new ID
 * (*made; references to records since gone are left empty), or delete a
 * record whose deletion was lost. The entry is marked restored. Returns
 * -1 with a message, else what was done.
 */
int	conflict_restore(struct store_txn *, const struct user *actor,
	    const struct record_id *entry, struct record_id *made);

#endif
