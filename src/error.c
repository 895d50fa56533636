/* error: the last error met, as one message for the user. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "xmalloc.h"

static char	*error_msg;

void
error_set(const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	free(error_msg);
	error_msg = msg;
}

void
error_prefix(const char *fmt, ...)
{
	va_list	 ap;
	char	*prefix, *msg;

	va_start(ap, fmt);
	xvasprintf(&prefix, fmt, ap);
	va_end(ap);
	xasprintf(&msg, "%s%s", prefix, error_msg != NULL ? error_msg : "");
	free(prefix);
	free(error_msg);
	error_msg = msg;
}

const char *
error_get(void)
{
	return error_msg != NULL ? error_msg : "unknown error";
}

void
error_clear(void)
{
	free(error_msg);
	error_msg = NULL;
}
