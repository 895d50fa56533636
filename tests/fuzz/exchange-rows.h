/*
 * What the harnesses of the import's readers share: read a file through
 * the import's reader (exchange_reader_open, exchange_next), as crm
 * import and the I screen do, and look at every row it gives.
 */
#ifndef CRM_FUZZ_EXCHANGE_ROWS_H
#define CRM_FUZZ_EXCHANGE_ROWS_H

/* Read every row of path as records of type in format; -1 if refused. */
int	fuzz_exchange(const char *path, int type, int format);

#endif
