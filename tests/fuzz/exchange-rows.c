/* fuzz: every row the import's reader makes of a file. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "exchange-rows.h"

int
fuzz_exchange(const char *path, int type, int format)
{
	struct exchange_reader	*rd;
	struct exchange_row	*row;
	char			*name;
	size_t			 i;

	if ((rd = exchange_reader_open(path, type, format, NULL)) == NULL)
		return -1;
	if (exchange_reader_about(rd) == NULL)
		abort();
	while (exchange_next(rd, &row) == 0) {
		for (i = 0; i < row->nch; i++) {
			if (row->ch[i].name == NULL ||
			    row->ch[i].value == NULL)
				abort();
			/* Fields are text: no NUL inside, so strlen ends. */
			(void)strlen(row->ch[i].value);
		}
		name = exchange_row_name(row);
		free(name);
		exchange_row_free(row);
	}
	exchange_reader_note(rd);
	exchange_reader_close(rd);
	return 0;
}
