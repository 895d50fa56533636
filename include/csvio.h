/*
 * csvio: CSV files as RFC 4180 describes them (quoted fields, embedded
 * commas, quotes and newlines). Reading uses libcsv, and iconv (glibc's)
 * for files not in UTF-8: Excel, Outlook and LibreOffice on Windows write
 * Windows-1252, and Excel in German or French separates with ';'.
 *
 * The reader streams: it reads the file in blocks and keeps one row in
 * memory at a time, so a file of any length can be read. Lines may end in
 * CRLF, LF or a lone CR; a UTF-8 byte order mark at the start is skipped;
 * blank lines (anywhere, also at the end) are not rows. As libcsv does,
 * spaces and tabs around an unquoted field and around the quotes of a
 * quoted field are dropped; quote a value to keep them (csvio_write_row
 * does). The parse is strict: a quote inside an unquoted field, text after
 * a closing quote and a quote left open at the end are errors, and so is
 * a row longer than CSVIO_ROW_MAX bytes, which usually means a closing
 * quote is missing.
 */
#ifndef CRM_CSVIO_H
#define CRM_CSVIO_H

#include <stddef.h>
#include <stdio.h>

/* The longest row the reader accepts, in bytes. */
#define CSVIO_ROW_MAX (1024 * 1024)

struct csvio_reader;

/* Open a UTF-8 file separated by commas; NULL (error set) on failure. */
struct csvio_reader *csvio_open(const char *path);
/*
 * Open a file in an encoding iconv knows ("WINDOWS-1252"...), separated
 * by sep (',' ';' or '\t'). encoding NULL detects it: UTF-16 by its byte
 * order mark, UTF-8 if the whole file is, else Windows-1252. sep 0 takes
 * the one of the three the first line has most of (outside quotes).
 */
struct csvio_reader *csvio_open_with(const char *path, const char *encoding,
		    int sep);
/* What the file is read as: "UTF-8", "WINDOWS-1252"... and its separator. */
const char	*csvio_encoding(const struct csvio_reader *);
int		 csvio_separator(const struct csvio_reader *);
/*
 * The next row: 0 with *fields (owned by the reader until the next call)
 * and *n, STORE-like 1 at the end of the file, -1 (error set: the file,
 * the line, the reason) for a malformed row or bytes that are not UTF-8.
 * Fields are NUL-terminated UTF-8 without NUL bytes; fields[n] is NULL.
 * An error is final: every later call returns -1 with the same error.
 */
int		 csvio_next(struct csvio_reader *, char ***fields, size_t *n);
/*
 * The line on which the row last returned starts (1 is the first line),
 * or after an error the line the error names; 0 before the first row.
 */
unsigned long	 csvio_line(const struct csvio_reader *);
/* Close the file and free the reader; NULL is allowed. Cannot fail. */
void		 csvio_close(struct csvio_reader *);

/*
 * Write one row, quoting fields that need it, ending it with CRLF. A NULL
 * field is written empty. A row of one empty field is written as "" so it
 * reads back as a row; a row of no fields is a blank line, which reads
 * back as nothing. Returns 0, or -1 (error set) if the stream has an
 * error; as with any stdio stream, the caller must still check fclose().
 */
int		 csvio_write_row(FILE *, const char *const *fields, size_t n);

/*
 * Spreadsheets (LibreOffice, Excel) run a cell starting with = + - @, a
 * tab or a CR as a formula, and read digits as a number (a phone's
 * leading 0 and a postcode's are lost). OWASP's advice: put a single
 * quote before such a value, which makes it text. csvio_safe returns
 * the value so neutralised, or NULL when it needs nothing; a value that
 * already starts with quotes before one of those gets one more, so that
 * csvio_unsafe (on import) can take exactly one away: for any value v,
 * csvio_unsafe of csvio_safe(v) (or of v itself, when NULL) is v.
 */
char		*csvio_safe(const char *value);
/* The value as it was before csvio_safe, in place. */
void		 csvio_unsafe(char *value);

#endif
