/* utf8: validation and case folding of UTF-8 text. */
#ifndef CRM_UTF8_H
#define CRM_UTF8_H

#include <stddef.h>

/* Nonzero if s[0..len) is well-formed UTF-8. */
int	 utf8_valid(const char *s, size_t len);
/*
 * Fold s to lower case for ordering and prefix search. The folding is
 * fixed (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic), never taken
 * from the locale, because index keys must be the same in every process.
 * Returns a new string; invalid bytes are copied as they are.
 */
char	*utf8_fold(const char *s);

#endif
