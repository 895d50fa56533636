/* utf8: validation and case folding of UTF-8 text. */
#ifndef CRM_UTF8_H
#define CRM_UTF8_H

#include <stddef.h>

#include <stdint.h>

#define UTF8_BAD	0xfffd	/* what a bad sequence reads as */

/*
 * Decode the character at s (len > 0 bytes left); returns the bytes used,
 * at least 1. A bad sequence reads as UTF8_BAD with *valid 0 and uses its
 * longest valid-looking start (the "maximal subpart" the Unicode standard
 * recommends), so "\xe2\x82" is one bad character, not two. Overlong
 * forms, surrogates and code points past U+10FFFF are bad.
 */
size_t	 utf8_next(const char *s, size_t len, uint32_t *cp, int *valid);
/* Encode c into out (room for 4 bytes); returns the bytes written. A
 * surrogate or a code point past U+10FFFF is written as UTF8_BAD. */
size_t	 utf8_put(uint32_t c, char *out);
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
