/*
 * The record decoder (record_decode), which reads every record out of the
 * store and off the wire: any bytes are either refused or give a record
 * whose encoding decodes again to the same encoding. The same input is
 * also tried as the text of an ID and of an ID prefix.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "record.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct record		*r, *again, *dup;
	struct record_id	 id;
	uint8_t			*buf, *buf2;
	size_t			 n, n2, i;
	char			 text[RECORD_ID_TEXT + 1], *s;

	/* As text: an ID, a prefix of one. */
	s = malloc(len + 1);
	memcpy(s, data, len);
	s[len] = '\0';
	/* Crockford's base32 reads i and l as 1, o as 0: compare values. */
	if (record_id_parse(s, &id) == 0) {
		record_id_format(&id, text);
		if (!record_id_has_prefix(&id, s) ||
		    !record_id_has_prefix(&id, text))
			abort();
	}
	if (record_id_prefix_low(s, &id) == 0 && !record_id_has_prefix(&id, s))
		abort();
	free(s);

	if ((r = record_decode(data, len)) == NULL)
		return 0;
	for (i = 0; i < r->nfields; i++) {
		if (r->fields[i].name == NULL || r->fields[i].value == NULL)
			abort();
		if (record_field(r, r->fields[i].name) == NULL)
			abort();
	}
	dup = record_dup(r);
	record_encode(r, &buf, &n);
	if ((again = record_decode(buf, n)) == NULL)
		abort();
	record_encode(again, &buf2, &n2);
	if (n != n2 || memcmp(buf, buf2, n) != 0)
		abort();
	free(buf2);
	record_encode(dup, &buf2, &n2);
	if (n != n2 || memcmp(buf, buf2, n) != 0)
		abort();
	free(buf2);
	free(buf);
	record_free(again);
	record_free(dup);
	record_free(r);
	return 0;
}
