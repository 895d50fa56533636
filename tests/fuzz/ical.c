/*
 * The iCalendar reader (ical.c, over libical's parser): every event and
 * task of a file; then the same file as crm import reads it into events
 * (or tasks, by the input's length). Times are read in one fixed zone,
 * so an input always reads the same way.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exchange.h"
#include "exchange-rows.h"
#include "fuzz.h"
#include "ical.h"
#include "model.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int		 ready;
	struct ical_reader	*rd;
	struct ical_in		*it;
	const char		*path;
	int			 ret;

	if (!ready) {
		setenv("TZ", "Europe/Berlin", 1);
		tzset();
		ready = 1;
	}
	path = fuzz_file("in.ics", data, len);
	if ((rd = ical_reader_open(path)) == NULL)
		abort();
	while ((ret = ical_next(rd, &it)) == 0)
		ical_in_free(it);
	if (ret == -1 && ical_next(rd, &it) != -1)
		abort();
	ical_reader_close(rd);

	fuzz_exchange(path, len % 2 ? MODEL_TASK : MODEL_EVENT,
	    EXCHANGE_ICAL);
	return 0;
}
