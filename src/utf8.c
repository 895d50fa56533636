/* utf8: validation and case folding of UTF-8 text. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "utf8.h"
#include "xmalloc.h"

/* Decode one character; returns its length, or 0 if the bytes are not UTF-8. */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t		n, i;
	uint32_t	c, min;

	if (len == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2; c &= 0x1f; min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3; c &= 0x0f; min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4; c &= 0x07; min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static size_t
utf8_encode(uint32_t c, char *out)
{
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
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;
	uint32_t		 c;

	while (len > 0) {
		if ((n = utf8_decode(p, len, &c)) == 0)
			return 0;
		p += n;
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
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len, n, o = 0;
	uint32_t		 c;
	char			*out;

	len = strlen(s);
	out = xmalloc(len * 2 + 1);	/* folding never more than doubles */
	while (len > 0) {
		if ((n = utf8_decode(p, len, &c)) == 0) {
			out[o++] = (char)*p;
			p++;
			len--;
			continue;
		}
		o += utf8_encode(utf8_lower(c), out + o);
		p += n;
		len -= n;
	}
	out[o] = '\0';
	return out;
}
