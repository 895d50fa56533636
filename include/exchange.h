/*
 * exchange: records to and from other programs' files, for the command
 * line (crm export, import, query) and the screens (E and I) alike.
 *
 * Formats: CSV (any type; csvio), vCard (contacts; vcard) and iCalendar
 * (events and tasks; ical). A contact's company travels by name (vCard
 * ORG; a CSV company column may hold a name or an ID): on import it is
 * matched by exact name, else by the same name in another case when only
 * one company has it, else created, and the row's report says which.
 *
 * An import goes row by row (card by card): each row is either created
 * or refused with its reason; a refused row writes nothing. Run it in a
 * transaction and abort to preview exactly what an import would do.
 */
#ifndef CRM_EXCHANGE_H
#define CRM_EXCHANGE_H

#include <stdio.h>

#include "model.h"
#include "record.h"
#include "store.h"

struct user;

enum exchange_format {
	EXCHANGE_CSV,
	EXCHANGE_VCARD,
	EXCHANGE_ICAL
};

/* "csv", "vcard" (or "vcf"), "ical" (or "ics", "icalendar"); -1 if none. */
int		 exchange_format_find(const char *name);
const char	*exchange_format_name(enum exchange_format);
/* The usual file name ending: ".csv", ".vcf", ".ics". */
const char	*exchange_format_ext(enum exchange_format);
/* Whether a type can be written in a format; error set naming those it can. */
int		 exchange_format_allowed(int type, enum exchange_format);

/*
 * A file written whole under a temporary name (0600) and renamed into
 * place by exchange_file_close, so a reader never sees half a file.
 */
struct exchange_file {
	FILE	*f;
	char	*path;
	char	*tmp;
};
int		 exchange_file_open(struct exchange_file *, const char *path);
/* ok: sync and rename into place; else remove the temporary file. */
int		 exchange_file_close(struct exchange_file *, int ok);

/* Writing records of one type in a format. */
struct exchange_writer;
struct exchange_writer *exchange_writer_open(FILE *, const char *name,
		    int type, enum exchange_format);
/* One record; t resolves a contact's company name. */
int		 exchange_put(struct exchange_writer *, struct store_txn *,
		    const struct record *);
/* End the file and free the writer; -1 (error set) on a write error. */
int		 exchange_writer_close(struct exchange_writer *);

/* One row (CSV) or card (vCard) of an import. */
struct exchange_row {
	unsigned long		 number;	/* row or card, from 1 */
	unsigned long		 line;		/* where it starts */
	struct model_change	*ch;		/* the contact's fields */
	size_t			 nch;
	char			*company;	/* name or ID as given, or "" */
	char			*uid;		/* a crm ID it came from, or "" */
	char			*problem;	/* refused before any check */
	char			*remark;	/* what the file had, not kept */
};

struct exchange_reader;

/*
 * Open a file of contacts: CSV with a header row of field names, or
 * vCard. format -1 detects: a file whose first line is BEGIN:VCARD is
 * vCard, else CSV. NULL (error set, naming the file) on failure.
 */
struct exchange_reader *exchange_reader_open(const char *path, int format);
/* Whether the first line of a file that is not blank is BEGIN:VCARD. */
int		 exchange_is_vcard(const char *path);
enum exchange_format exchange_reader_format(const struct exchange_reader *);
/*
 * The next row: 0 and *out (free it), 1 at the end, -1 (error set:
 * "FILE line N: reason") when the file itself is malformed.
 */
int		 exchange_next(struct exchange_reader *,
		    struct exchange_row **out);
void		 exchange_reader_close(struct exchange_reader *);
void		 exchange_row_free(struct exchange_row *);
/* "Anna Berg": the row's name as a person reads it. Free it. */
char		*exchange_row_name(const struct exchange_row *);
/* The value of a contact field in a row, or "". */
const char	*exchange_row_value(const struct exchange_row *,
		    const char *field);

/* What became of a row. */
struct exchange_result {
	int		 created;		/* else refused */
	struct record_id id;			/* the new contact */
	int		 company_created;	/* a new company was made */
	int		 company_matched;	/* an existing one was used */
	struct record_id company;
	char		*reason;		/* why it was refused; free it */
};

/*
 * Import one contact row as actor. Returns 0 with res filled (created or
 * refused: a refused row wrote nothing), or -1 (error set) when the
 * database failed and the transaction must be aborted.
 */
int		 exchange_import(struct store_txn *, const struct user *actor,
		    const struct exchange_row *, struct exchange_result *res);
void		 exchange_result_clear(struct exchange_result *);

/* A company by name: exact first, else one equal but for case. */
int		 exchange_company_find(struct store_txn *, const char *name,
		    struct record_id *);

#endif
