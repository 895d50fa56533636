/* utf8: validation and case folding of UTF-8 text. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <unicode/uversion.h>

#include "utf8.h"
#include "xmalloc.h"

size_t
utf8_next(const char *str, size_t len, uint32_t *cp, int *valid)
{
	const unsigned char	*s = (const unsigned char *)str;
	uint32_t		 c;
	size_t			 n, i;
	unsigned char		 lo = 0x80, hi = 0xbf;

	*valid = 0;
	*cp = UTF8_BAD;
	if (len == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		*valid = 1;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		if (c == 0x00)
			lo = 0xa0;	/* overlong */
		else if (c == 0x0d)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		if (c == 0)
			lo = 0x90;	/* overlong */
		else if (c == 4)
			hi = 0x8f;	/* past U+10FFFF */
	} else
		return 1;
	for (i = 1; i < n; i++) {
		if (i >= len || s[i] < lo || s[i] > hi)
			return i;
		c = (c << 6) | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = c;
	*valid = 1;
	return n;
}

size_t
utf8_put(uint32_t c, char *out)
{
	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = UTF8_BAD;
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	} else if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	} else if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

int
utf8_valid(const char *s, size_t len)
{
	size_t		n;
	uint32_t	c;
	int		valid;

	while (len > 0) {
		n = utf8_next(s, len, &c, &valid);
		if (!valid)
			return 0;
		s += n;
		len -= n;
	}
	return 1;
}

/*
 * The folding of text for keys and matching, done by ICU's transliterator:
 * decomposed, marks removed, Latin letters that have no decomposition
 * spelled in ASCII (ł l, ø o, æ ae, ß ss, þ th), lower case, composed
 * again. Made once and kept: opening it reads ICU's rules (about 1 ms).
 */
#define UTF8_FOLD_RULES \
	"NFD; [:Nonspacing Mark:] Remove; Latin-ASCII; Any-Lower; NFC"

static UTransliterator	*utf8_trans;
static int		 utf8_trans_failed;

static UTransliterator *
utf8_translit(void)
{
	UErrorCode	 e = U_ZERO_ERROR;
	UChar		 id[sizeof UTF8_FOLD_RULES];

	if (utf8_trans != NULL || utf8_trans_failed)
		return utf8_trans;
	u_uastrcpy(id, UTF8_FOLD_RULES);
	utf8_trans = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
	if (U_FAILURE(e)) {
		/* ICU's data is part of its package: a broken install. */
		fatal("utf8: ICU cannot fold text (%s): reinstall the package "
		    "libicu72 (or the libicu of this system)", u_errorName(e));
	}
	return utf8_trans;
}

/* ASCII alone: lower case is all the folding there is to do. */
static char *
utf8_fold_ascii(const char *s, size_t len)
{
	char	*out = xmalloc(len + 1);
	size_t	 i;

	for (i = 0; i < len; i++)
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
	out[len] = '\0';
	return out;
}

/*
 * The letters of Latin-1 and Latin Extended-A (U+00C0 to U+017F, but for
 * the signs U+00D7 and U+00F7, NULL), as ICU folds each. With ASCII they
 * are nearly all the text of a Western European office, and ICU costs
 * some 10 us a string and 50 ms to open: text of ASCII and these letters
 * alone is folded here, a letter at a time, which gives what ICU gives
 * for the whole (tests/test-record.c checks each letter and strings of
 * them against ICU); any other character sends the text to ICU.
 */
#define UTF8_LATIN_FIRST	0xc0
#define UTF8_LATIN_END		0x180
static const char *const utf8_latin[UTF8_LATIN_END - UTF8_LATIN_FIRST] = {
	/* 00C0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
	/* 00C8 */ "e", "e", "e", "e", "i", "i", "i", "i",
	/* 00D0 */ "d", "n", "o", "o", "o", "o", "o", NULL,
	/* 00D8 */ "o", "u", "u", "u", "u", "y", "th", "ss",
	/* 00E0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
	/* 00E8 */ "e", "e", "e", "e", "i", "i", "i", "i",
	/* 00F0 */ "d", "n", "o", "o", "o", "o", "o", NULL,
	/* 00F8 */ "o", "u", "u", "u", "u", "y", "th", "y",
	/* 0100 */ "a", "a", "a", "a", "a", "a", "c", "c",
	/* 0108 */ "c", "c", "c", "c", "c", "c", "d", "d",
	/* 0110 */ "d", "d", "e", "e", "e", "e", "e", "e",
	/* 0118 */ "e", "e", "e", "e", "g", "g", "g", "g",
	/* 0120 */ "g", "g", "g", "g", "h", "h", "h", "h",
	/* 0128 */ "i", "i", "i", "i", "i", "i", "i", "i",
	/* 0130 */ "i", "i", "ij", "ij", "j", "j", "k", "k",
	/* 0138 */ "q", "l", "l", "l", "l", "l", "l", "l",
	/* 0140 */ "l", "l", "l", "n", "n", "n", "n", "n",
	/* 0148 */ "n", "'n", "n", "n", "o", "o", "o", "o",
	/* 0150 */ "o", "o", "oe", "oe", "r", "r", "r", "r",
	/* 0158 */ "r", "r", "s", "s", "s", "s", "s", "s",
	/* 0160 */ "s", "s", "t", "t", "t", "t", "t", "t",
	/* 0168 */ "u", "u", "u", "u", "u", "u", "u", "u",
	/* 0170 */ "u", "u", "u", "u", "w", "w", "y", "y",
	/* 0178 */ "y", "z", "z", "z", "z", "z", "z", "s",
};

/* Text of ASCII and the letters above, folded; NULL for any other. */
static char *
utf8_fold_latin(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const char		*f;
	char			*out = xmalloc(len + 1);
	size_t			 i, o = 0;
	unsigned		 cp;

	for (i = 0; i < len; i++) {
		if (p[i] < 0x80) {
			out[o++] = p[i] >= 'A' && p[i] <= 'Z' ?
			    (char)(p[i] + 32) : (char)p[i];
			continue;
		}
		/* Two bytes, C3 80 to C5 BF: no letter folds longer. */
		if (i + 1 >= len || p[i] < 0xc3 || p[i] > 0xc5 ||
		    (p[i + 1] & 0xc0) != 0x80)
			break;
		cp = ((unsigned)(p[i] & 0x1f) << 6) | (p[i + 1] & 0x3f);
		if (cp < UTF8_LATIN_FIRST || cp >= UTF8_LATIN_END ||
		    (f = utf8_latin[cp - UTF8_LATIN_FIRST]) == NULL)
			break;
		while (*f != '\0')
			out[o++] = *f++;
		i++;
	}
	if (i < len) {
		free(out);
		return NULL;
	}
	out[o] = '\0';
	return out;
}

char *
utf8_fold(const char *s)
{
	size_t	 len = strlen(s), i;
	char	*out;

	for (i = 0; i < len && (unsigned char)s[i] < 0x80; i++)
		/* nothing */;
	if (i == len)
		return utf8_fold_ascii(s, len);
	if ((out = utf8_fold_latin(s, len)) != NULL)
		return out;
	return utf8_fold_icu(s);
}

char *
utf8_fold_icu(const char *s)
{
	UErrorCode	 e = U_ZERO_ERROR;
	UChar		*u;
	size_t		 len = strlen(s);
	int32_t		 ulen, cap, limit, olen;
	char		*out;

	/* Folding grows text a little at most (æ to ae): room for four times. */
	cap = (int32_t)(len * 4 + 16);
	u = xcalloc((size_t)cap, sizeof *u);
	u_strFromUTF8WithSub(u, cap, &ulen, s, (int32_t)len, UTF8_BAD, NULL,
	    &e);
	if (U_SUCCESS(e)) {
		limit = ulen;
		utrans_transUChars(utf8_translit(), u, &ulen, cap, 0, &limit,
		    &e);
	}
	if (U_FAILURE(e)) {
		/* Longer than any field: fold its ASCII, keep the rest. */
		free(u);
		return utf8_fold_ascii(s, len);
	}
	out = xmalloc((size_t)ulen * 3 + 1);
	e = U_ZERO_ERROR;
	u_strToUTF8(out, ulen * 3 + 1, &olen, u, ulen, &e);
	free(u);
	out[U_SUCCESS(e) ? olen : 0] = '\0';
	return out;
}

const char *
utf8_fold_version(void)
{
	static char	buf[U_MAX_VERSION_STRING_LENGTH];
	UVersionInfo	v;

	u_getVersion(v);
	u_versionToString(v, buf);
	return buf;
}

static int
utf8_word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

size_t
utf8_words(const char *s, size_t *start, size_t *len, size_t max)
{
	size_t	i = 0, n = 0, b;

	while (s[i] != '\0' && n < max) {
		while (s[i] != '\0' && !utf8_word_byte((unsigned char)s[i]))
			i++;
		if (s[i] == '\0')
			break;
		b = i;
		while (s[i] != '\0' && utf8_word_byte((unsigned char)s[i]))
			i++;
		start[n] = b;
		len[n++] = i - b;
	}
	return n;
}

size_t
utf8_words_but_tld(const char *s, const size_t *start, size_t n)
{
	const char	*at, *dot;

	if (n < 2 || (at = strrchr(s, '@')) == NULL ||
	    (dot = strrchr(at, '.')) == NULL || s + start[n - 1] <= dot)
		return n;
	return n - 1;
}

char *
utf8_digits(const char *s)
{
	char	*out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			*o++ = *s;
	}
	*o = '\0';
	return out;
}
