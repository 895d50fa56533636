/*
 * error: the last error met, as one message for the user.
 *
 * A function that fails calls error_set() with a sentence naming the thing
 * and what to do, and returns its failure value; the command line prints
 * error_get() on stderr, the screens show it on the status line.
 */
#ifndef CRM_ERROR_H
#define CRM_ERROR_H

void		 error_set(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
/* Put a prefix before the current message ("import x.csv line 3: ..."). */
void		 error_prefix(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
const char	*error_get(void);
void		 error_clear(void);

#endif
