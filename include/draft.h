/*
 * draft: a form kept when crm was stopped while a person typed in it.
 *
 * A dropped SSH connection (SIGHUP) or a shutdown (SIGTERM) ends the
 * screens; what the open form held is kept in meta.db, which sync never
 * carries, under "draft/UID/STAMP/ID", and offered to that user (never to
 * another) the next time the screens start. A draft holds the record's
 * type and ID (none for a new one), the record as the form opened it
 * (the base a save is compared with) and the values typed.
 */
#ifndef CRM_DRAFT_H
#define CRM_DRAFT_H

#include <stdint.h>

#include "record.h"
#include "store.h"

struct draft {
	int		 type;
	int		 is_new;
	struct record_id id;		/* the record edited (not is_new) */
	struct record	*base;		/* as the form opened it; NULL: new */
	struct record	*mine;		/* the form's values, by field name */
	uint64_t	 when;		/* milliseconds, when it was kept */
	char		*key;		/* its meta.db key (draft_load) */
};

/*
 * Keep a draft of uid's (replacing the one under d->key when set, so a
 * draft resumed and stopped again stays one). Returns 0 or -1.
 */
int	draft_save(struct store_txn *, const char *uid, struct draft *);
/*
 * uid's newest draft into *d (free it with draft_free) and how many uid
 * has in all: 0, STORE_NOTFOUND (none) or -1. A damaged draft is skipped.
 */
int	draft_load(struct store_txn *, const char *uid, struct draft *,
	    size_t *count);
/* Remove a draft by its key: 0 (also when it is gone already) or -1. */
int	draft_drop(struct store_txn *, const char *key);
void	draft_free(struct draft *);

#endif
