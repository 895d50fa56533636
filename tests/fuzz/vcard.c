/*
 * The vCard reader (vcard.c), from a stream as the screens hand it one:
 * every card, every property's value unescaped and split; then the same
 * file as crm import reads it into contacts (or companies, by the
 * input's length).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "exchange-rows.h"
#include "fuzz.h"
#include "model.h"
#include "vcard.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct vcard_reader	*rd;
	struct vcard		*c;
	const char		*path;
	char			*text, **parts;
	FILE			*f;
	size_t			 i, j, n;
	int			 ret;

	path = fuzz_file("in.vcf", data, len);
	if ((f = fopen(path, "rb")) == NULL)
		abort();
	rd = vcard_open_stream(f, "in.vcf");
	while ((ret = vcard_next(rd, &c)) == 0) {
		for (i = 0; i < c->nprops; i++) {
			text = vcard_text(c->props[i].value);
			free(text);
			parts = vcard_split(c->props[i].value, &n);
			if (n < 1 || parts[n] != NULL)
				abort();
			for (j = 0; j < n; j++)
				(void)strlen(parts[j]);
			vcard_strings_free(parts);
			vcard_has_type(&c->props[i], "work");
			vcard_param(&c->props[i], "CHARSET");
		}
		vcard_free(c);
	}
	if (ret == -1 && vcard_next(rd, &c) != -1)
		abort();
	vcard_close(rd);
	fclose(f);

	fuzz_exchange(path, len % 2 ? MODEL_COMPANY : MODEL_CONTACT,
	    EXCHANGE_VCARD);
	return 0;
}
