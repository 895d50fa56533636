/*
 * The CSV reader (csvio) and the import's reading of CSV rows: the file
 * read strictly as UTF-8 with commas, then as crm import reads it
 * (encoding and separator detected, the header mapped onto a type's
 * fields; the type taken from the input's length, so a given input
 * always reads the same way).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "exchange.h"
#include "exchange-rows.h"
#include "fuzz.h"
#include "model.h"

static const int fuzz_types[] = {
	MODEL_CONTACT, MODEL_COMPANY, MODEL_NOTE, MODEL_EVENT, MODEL_TASK,
	MODEL_OPPORTUNITY, MODEL_ISSUE, MODEL_CAMPAIGN, MODEL_TARGET
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct csvio_reader	*rd;
	const char		*path;
	char			**fields;
	size_t			 n, i;
	int			 ret;

	path = fuzz_file("in.csv", data, len);
	if ((rd = csvio_open(path)) != NULL) {
		while ((ret = csvio_next(rd, &fields, &n)) == 0) {
			if (fields[n] != NULL)
				abort();
			for (i = 0; i < n; i++)
				(void)strlen(fields[i]);
			if (csvio_line(rd) == 0)
				abort();
		}
		/* An error is final. */
		if (ret == -1 && csvio_next(rd, &fields, &n) != -1)
			abort();
		csvio_close(rd);
	}
	fuzz_exchange(path, fuzz_types[len % (sizeof fuzz_types /
	    sizeof fuzz_types[0])], EXCHANGE_CSV);
	return 0;
}
