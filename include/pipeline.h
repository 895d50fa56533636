/*
 * pipeline: opportunities by stage, with the count and the amount total
 * of each stage and a window of each stage's opportunities.
 *
 * There is no index by stage (the opportunities' name index is by name),
 * so counts and totals take one pass over the file with a cursor. The pass
 * holds only the counters and, per stage, the window of rows asked for
 * (PIPELINE_WINDOW at most), so memory stays bounded whatever the size of
 * the file; a row's key (its folded name) is made only when its close
 * date may put it in a window. Another window of a stage is a pass
 * again; a move (pipeline_moved) is not: counts, totals and windows
 * follow in memory, so > and < cost what one record costs.
 *
 * Within a stage, opportunities come by expected close date (soonest
 * first, none last), then by name.
 *
 * Knows nothing of curses: the pipeline screen draws what it returns.
 */
#ifndef CRM_PIPELINE_H
#define CRM_PIPELINE_H

#include <stddef.h>

#include "record.h"
#include "store.h"

#define PIPELINE_NSTAGES	6	/* prospect ... lost, as the model has them */
#define PIPELINE_CLOSED		4	/* won, then lost: the stages that close */
#define PIPELINE_WINDOW		200	/* rows kept per stage */

struct pipeline_row {
	struct record	*rec;
	char		*key;		/* its place in the stage's order */
};

struct pipeline_stage {
	const char	*name;		/* "prospect" */
	int		 open;		/* not won or lost */
	unsigned long	 count;
	long double	 total;		/* of the amounts */
	/*
	 * The window asked for: anchor NULL from the start; else dir 0:
	 * rows from anchor on, 1: rows after it, -1: the rows before it.
	 */
	char		*anchor;
	int		 dir;
	/* The window read, in order; count - before - nrows come after. */
	struct pipeline_row *rows;
	size_t		 nrows;
	unsigned long	 before;	/* rows of the stage before the window */
};

struct pipeline {
	struct pipeline_stage stage[PIPELINE_NSTAGES];
	unsigned long	 count;		/* every opportunity read */
	unsigned long	 open_count;
	long double	 open_total;
	size_t		 window;	/* rows per stage, at most PIPELINE_WINDOW */
};

/* Names the stages; every window starts at the top. Cannot fail. */
void	 pipeline_init(struct pipeline *, size_t window);
/* Frees the rows and the anchors. */
void	 pipeline_free(struct pipeline *);
/*
 * One pass over the opportunities (with mine set, only those whose
 * account manager it is): counts, totals and each stage's window as
 * asked. Returns 0 or -1 (error set); on error the previous rows stay.
 */
int	 pipeline_read(struct store_txn *, struct pipeline *, const char *mine);
/* Ask for a stage's window: see struct pipeline_stage. */
void	 pipeline_anchor(struct pipeline *, int stage, const char *key, int dir);
/* The stage index of an opportunity (no stage: the first), or -1. */
int	 pipeline_stage_of(const struct record *);
/* 1 if the stage (an index) closes a deal: won or lost. */
int	 pipeline_stage_closed(int stage);
/*
 * The stage next to the opportunity's (delta +1 or -1), or NULL: none
 * before the first, none after a closed one (won is not followed by
 * lost); a closed one goes back to the last open stage.
 */
const char *pipeline_stage_next(const struct record *, int delta);
/* "1,234,567.50" into buf. */
void	 pipeline_amount_format(long double, char *buf, size_t len);

/*
 * An opportunity moved from one stage to another (before and after the
 * change): counts, totals and windows follow at once, without a pass
 * over the file, so a move costs what one record costs.
 */
void	 pipeline_moved(struct pipeline *, const struct record *before,
	    const struct record *after);

#endif
