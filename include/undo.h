/*
 * undo (screens/undo.c): u takes back the last changes made in the
 * screens, newest first. undo_update changes a record as model_update
 * does and remembers it; undo_created and undo_deleted remember a record
 * made or deleted. undo_last undoes the newest (message set): 0 or -1.
 */
#ifndef CRM_UNDO_H
#define CRM_UNDO_H

#include <stddef.h>

#include "model.h"
#include "store.h"
#include "tui.h"

int	 undo_update(struct store_txn *, int type, const struct record_id *,
	    const struct model_change *, size_t n);
void	 undo_created(int type, const struct record *);
void	 undo_deleted(int type, const struct record *);
int	 undo_last(void);
void	 undo_clear(void);
/* u whatever the screen (tui_global): the newest undone, sc read again. */
void	 undo_key(struct screen *sc);

#endif
