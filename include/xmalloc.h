/* xmalloc: allocation that never returns NULL, and fatal() for impossible states. */
#ifndef CRM_XMALLOC_H
#define CRM_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list);

/* Called by fatal() first: the screens give the terminal back. */
extern void	(*fatal_cleanup)(void);
/* Print "crm: fatal: ..." and abort: only for states no user can cause. */
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
