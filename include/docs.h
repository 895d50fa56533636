/*
 * docs (screens/screen-docs.c): what the record screen and the letter
 * templates do alike with a stored file (show it, save a copy, change its
 * record's fields), and the job a chain of prompts carries from one prompt
 * to the next: each answer's callback gets it, and passes it on to the
 * next prompt or frees it where the chain ends.
 */
#ifndef CRM_DOCS_H
#define CRM_DOCS_H

#include <stddef.h>

#include "model.h"
#include "record.h"

struct docs_job {
	int		 type;		/* the record's type */
	struct record_id id;
	char		*name;		/* the record's name, for messages */
	char		*filename;	/* a document's or template's */
	char		*path;		/* the file typed at the first prompt */
	char		*text;		/* a template's name from the second */
};

/* A job about r of type (r NULL: a record still to be made). */
struct docs_job *docs_job_new(int type, const struct record *r);
/* Free a job (arg: a struct docs_job, or NULL). */
void	 docs_job_free(void *arg);
/*
 * The next prompt of the job's chain (screen_prompt_open): done gets the
 * job with the answer; the job is freed if crm ends with it still open.
 */
void	 docs_ask(struct docs_job *, const char *title, const char *label,
	    const char *initial, int paths,
	    void (*done)(void *job, const char *text));
/* Read the screen on top again (after a write done from a prompt's end). */
void	 docs_reload(void);
/* Show r's file: text in $PAGER, others through run-mailcap. */
void	 docs_open(int type, const struct record *r);
/* Save a copy of r's file where a prompt says. */
void	 docs_save(int type, const struct record *r);
/* Change fields of the job's record; 0, or -1 with the message shown. */
int	 docs_update(const struct docs_job *, const struct model_change *,
	    size_t n);

#endif
