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
 * Fold s for ordering and search, so that a person finds what they type
 * however it is spelled: case and accents go (Zoë is zoe), and Latin
 * letters with no accent to remove are spelled in ASCII (Łódź is lodz,
 * Østergaard ostergaard, Straße strasse). Greek and Cyrillic keep their
 * script, lower case and without accents. The folding is ICU's (see
 * configure.ac), never the locale's, because index keys must be the same
 * in every process. Returns a new string; an invalid byte becomes
 * U+FFFD.
 */
char	*utf8_fold(const char *s);
/*
 * utf8_fold through ICU alone, for the tests: utf8_fold folds ASCII and
 * the Latin-1 and Latin Extended-A letters itself, as ICU does.
 */
char	*utf8_fold_icu(const char *s);
/*
 * The version of the folding (ICU's): index keys made with another one
 * are made again (store.c).
 */
const char *utf8_fold_version(void);

/*
 * The words of folded text, for the search index and for queries: runs
 * of ASCII letters and digits and of any other characters past ASCII
 * (after utf8_fold, the letters of other scripts), split by everything
 * else (spaces, punctuation: "anna.schmidt@example.com" is four words).
 * Up to max words: start offsets in *start, lengths in *len. Returns how
 * many there were (at most max). Cannot fail.
 */
size_t	 utf8_words(const char *folded, size_t *start, size_t *len,
	    size_t max);
/*
 * How many of the n words of folded text to keep when the last is an
 * email's top-level domain (com, de: after the '.' after an '@'), which
 * is in nearly every email and finds nobody: n - 1 then, else n.
 */
size_t	 utf8_words_but_tld(const char *folded, const size_t *start,
	    size_t n);
/*
 * The digits of text, in order, as a new string ("+49 (30) 123-45" is
 * "493012345"): phone numbers are matched on their digits alone.
 */
char	*utf8_digits(const char *text);

#endif
