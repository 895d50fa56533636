/*
 * browse: pages of records in the order of an index, for the screens'
 * lists. A browse remembers only where its first row is (an index key and
 * an ID) and reads one page at a time through a store cursor, so a list
 * of a million records costs what one screenful costs.
 *
 * It knows nothing of curses: the list widget draws what it returns, and
 * the unit tests page through a real store with it.
 */
#ifndef CRM_BROWSE_H
#define CRM_BROWSE_H

#include <stddef.h>

#include "record.h"
#include "search.h"
#include "store.h"

enum browse_order {
	BROWSE_NAME,		/* by the name index, A to Z */
	BROWSE_NAME_DESC,	/* Z to A */
	BROWSE_NEWEST,		/* by ID, that is by creation, newest first */
	BROWSE_OLDEST
};

struct browse_row {
	struct record	*rec;
	void		*key;		/* its key in the index walked */
	size_t		 keylen;
};

/* A record a search found: its key in the browse's order, and its ID. */
struct browse_hit {
	char		*key;
	size_t		 keylen;
	struct record_id id;
};

/* Records a search gathers and sorts; past that it walks an index. */
#define BROWSE_HITS_MAX	3000

struct browse {
	size_t		 file;		/* the store file (model type) */
	enum browse_order order;
	/* Only records referring to this one (the ref index): a record's
	 * linked records. They come in creation order, unless sorted by name
	 * (BROWSE_NAME, BROWSE_NAME_DESC) or by date (date_field): then,
	 * when there are few enough, they are gathered and sorted as a
	 * search's hits are. */
	int		 has_ref;
	struct record_id ref;
	/* With has_ref: sort by this field (a date), newest first for
	 * BROWSE_NEWEST, or NULL. */
	const char	*date_field;
	/* Only names starting with this (folded) text, or NULL. */
	char		*prefix;
	/*
	 * Only the records a search finds (search.h), or NULL. When the
	 * indexes narrow it to few records (BROWSE_HITS_MAX or fewer), they
	 * are gathered, sorted in the browse's order and paged through as an
	 * array (hits); otherwise the order's index is walked and each
	 * record tested.
	 */
	struct search	*search;
	struct browse_hit *hits;
	size_t		 nhits;
	int		 hits_made;	/* hits is up to date (or walking) */
	int		 hits_walk;	/* too many: walk and test */
	/* Only records whose owner fields hold this user ID ("": all). */
	char		 mine[RECORD_UID_SIZE + 1];
	/* The owner fields of file, for mine; NULL-terminated. */
	const char *const *owners;
	/*
	 * Only records filter says 1 to (0: left out, -1: an error, set),
	 * or every record when NULL: a screen's own condition, such as
	 * what rights_may_see lets a restricted user see.
	 */
	int		(*filter)(void *arg, struct store_txn *,
			    const struct record *);
	void		*filter_arg;

	/* The first row shown: none means the start of the order. */
	int		 have_top;
	void		*topkey;
	size_t		 topkeylen;
	struct record_id topid;
};

void	 browse_init(struct browse *, size_t file, enum browse_order);
void	 browse_clear(struct browse *);
/* Filters; each puts the first row back at the start. */
void	 browse_set_prefix(struct browse *, const char *text);
/* A search (text NULL or without a word: none), in the name order. */
void	 browse_set_search(struct browse *, const char *text);
/* What a search found is looked for again at the next page (data changed). */
void	 browse_refresh(struct browse *);
void	 browse_set_ref(struct browse *, const struct record_id *);
/* Linked records by a date field (ISO text sorts as dates do), or NULL. */
void	 browse_set_date(struct browse *, const char *field);
void	 browse_set_mine(struct browse *, const char *uid,
	    const char *const *owner_fields);
void	 browse_set_order(struct browse *, enum browse_order);
void	 browse_set_filter(struct browse *, int (*)(void *,
	    struct store_txn *, const struct record *), void *arg);
/* The first row back at the start of the order. */
void	 browse_home(struct browse *);

/*
 * Read up to n rows from the first row on into rows[] (*got of them;
 * free them with browse_rows_free). Returns 0 or -1 (error set).
 */
int	 browse_page(struct browse *, struct store_txn *,
	    struct browse_row *rows, size_t n, size_t *got);
void	 browse_rows_free(struct browse_row *, size_t n);
/*
 * Move the first row by delta rows (negative: back), keeping a page of n
 * rows full when the end is near. *moved is how far it went.
 */
int	 browse_move(struct browse *, struct store_txn *, long delta,
	    size_t n, long *moved);
/* Put the first row where the last page of n rows starts. */
int	 browse_end(struct browse *, struct store_txn *, size_t n);
/* Make a row the first row. */
void	 browse_set_top(struct browse *, const struct browse_row *);

/* How many rows there are, counting up to limit (then limit). */
int	 browse_count(struct browse *, struct store_txn *, size_t limit,
	    size_t *count);

#endif
