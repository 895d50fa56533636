/* utf8: validation and case folding of UTF-8 text. */
#include "config.h"

#include <stdint.h>
#include <string.h>

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

/* Lower case of the scripts a European CRM meets most; fixed, not locale. */
static uint32_t
utf8_lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c < 0xc0)
		return c;
	if ((c >= 0xc0 && c <= 0xde && c != 0xd7))
		return c + 32;
	if (c >= 0x100 && c <= 0x137 && (c & 1) == 0)
		return c + 1;
	if (c >= 0x139 && c <= 0x148 && (c & 1) == 1)
		return c + 1;
	if (c >= 0x14a && c <= 0x177 && (c & 1) == 0)
		return c + 1;
	if (c == 0x178)
		return 0xff;
	if (c >= 0x179 && c <= 0x17e && (c & 1) == 1)
		return c + 1;
	if (c >= 0x391 && c <= 0x3ab && c != 0x3a2)
		return c + 32;
	if (c >= 0x410 && c <= 0x42f)
		return c + 32;
	if (c >= 0x400 && c <= 0x40f)
		return c + 80;
	return c;
}

char *
utf8_fold(const char *s)
{
	size_t		 len, n, o = 0;
	uint32_t	 c;
	int		 valid;
	char		*out;

	len = strlen(s);
	out = xmalloc(len * 2 + 1);	/* folding never more than doubles */
	while (len > 0) {
		n = utf8_next(s, len, &c, &valid);
		if (valid)
			o += utf8_put(utf8_lower(c), out + o);
		else {
			/* Not UTF-8: the bytes as they are. */
			memcpy(out + o, s, n);
			o += n;
		}
		s += n;
		len -= n;
	}
	out[o] = '\0';
	return out;
}
