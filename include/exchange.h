/*
 * exchange: records to and from other programs' files, for the command
 * line (crm export, import, query) and the screens (E and I) alike.
 *
 * Formats: CSV (any type; csvio), vCard (contacts and companies; vcard)
 * and iCalendar (events and tasks; ical). References travel by name: a
 * contact's company (vCard ORG, CSV company), a note's contact ("Anna
 * Berg"), a target's campaign, and users by login; on import a name or an
 * ID will do. A company is matched by exact name, else by the same name
 * in another case when only one company has it; for a contact it is else
 * created, and the row's report says which.
 *
 * An import goes row by row (card by card): each row adds a record,
 * updates one, leaves one as it is or is refused with its reason; a
 * refused row writes nothing. A row names the record it updates by its
 * crm ID (the id column; a card's or calendar item's UID that is a crm
 * ID), by the UID of the card it came from, or, with neither, by what
 * makes it the same (a contact's name and email, or name and company; a
 * company's name; an event's start and subject; a task's subject and due
 * date). Run it in a transaction and abort to preview exactly what an
 * import would do: exchange-import.c.
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
/* "CSV", "vCard", "iCalendar": for people. */
const char	*exchange_format_label(enum exchange_format);
/* The usual file name ending: ".csv", ".vcf", ".ics". */
const char	*exchange_format_ext(enum exchange_format);
/* Whether a type can be written in a format; error set naming those it can. */
int		 exchange_format_allowed(int type, enum exchange_format);
/* Whether a type can be read from a format; error set naming those it can. */
int		 exchange_format_readable(int type, enum exchange_format);
/* The format a file name's ending says (.vcf .vcard .ics .ical), or -1. */
int		 exchange_format_of_name(const char *path);
/*
 * The format a file's first line that is not blank says: BEGIN:VCARD
 * vCard, BEGIN:VCALENDAR iCalendar, else CSV.
 */
enum exchange_format exchange_format_sniff(const char *path);

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
#define EXCHANGE_IDS		0x1	/* references as IDs, not names */
#define EXCHANGE_PLAIN		0x2	/* CSV as it is, not spreadsheet-safe */
#define EXCHANGE_FLOATING	0x4	/* iCalendar: times without a zone */
struct exchange_writer;
/*
 * A CSV export is spreadsheet-safe unless EXCHANGE_PLAIN (csvio_safe);
 * crm's import reads either. References are names unless EXCHANGE_IDS;
 * a name two records share is written as the ID, which stays exact.
 * iCalendar times are UTC unless EXCHANGE_FLOATING.
 */
struct exchange_writer *exchange_writer_open(FILE *, const char *name,
		    int type, enum exchange_format, int flags);
/* One record; t looks up the names of the records it refers to. */
int		 exchange_put(struct exchange_writer *, struct store_txn *,
		    const struct record *);
/* End the file and free the writer; -1 (error set) on a write error. */
int		 exchange_writer_close(struct exchange_writer *);

/* Reading. */

/* How to read a CSV file (the command line's options). */
struct exchange_options {
	const char	*encoding;	/* NULL: detect (csvio_open_with) */
	int		 separator;	/* 0: detect */
	const char	*map;		/* a map file, or NULL */
	int		 ignore_unknown; /* leave out columns with no field */
};

/* One row (CSV), card (vCard) or event or task (iCalendar) of a file. */
struct exchange_row {
	unsigned long		 number;	/* row or card, from 1 */
	unsigned long		 line;		/* where it starts */
	int			 type;		/* the record type it makes */
	struct model_change	*ch;		/* fields; references as given */
	size_t			 nch;
	char			*key;		/* id or UID, or "" */
	int			 sparse;	/* "" leaves a field as it is */
	char			*problem;	/* refused before any check */
	char			*remark;	/* what the file had, not kept */
};

struct exchange_reader;

/*
 * Open a file of records of type: format -1 takes it from the file's
 * first line (exchange_format_sniff). A CSV header is mapped onto the
 * type's fields (exchange_map_build); a vCard file gives contacts and
 * the companies of organisation cards; an iCalendar file the events (or
 * tasks) in it. NULL (error set, naming the file) on failure.
 */
struct exchange_reader *exchange_reader_open(const char *path, int type,
		    int format, const struct exchange_options *);
enum exchange_format exchange_reader_format(const struct exchange_reader *);
/*
 * What the reader made of the file, for a report: "Google Contacts
 * columns, WINDOWS-1252, separated by ;" or "vCard". Valid while open.
 */
const char	*exchange_reader_about(const struct exchange_reader *);
/* A note on the file as a whole (columns left out...), or NULL. */
const char	*exchange_reader_note(const struct exchange_reader *);
/*
 * The next row: 0 and *out (free it), 1 at the end, -1 (error set:
 * "FILE line N: reason") when the file itself is malformed.
 */
int		 exchange_next(struct exchange_reader *,
		    struct exchange_row **out);
void		 exchange_reader_close(struct exchange_reader *);
void		 exchange_row_free(struct exchange_row *);
/* "Anna Berg", "Acme GmbH", "Kick-off": the row as a person reads it. */
char		*exchange_row_name(const struct exchange_row *);
/* The value of a field in a row, or "". */
const char	*exchange_row_value(const struct exchange_row *,
		    const char *field);
/* "row", "card" or "item": what a format's rows are called. */
const char	*exchange_row_word(enum exchange_format);

/*
 * The columns of a CSV file as crm's fields (exchange-map.c): a map file
 * first, then crm's names in any case ("First Name" is first_name), then
 * for contacts the columns of Google Contacts and Outlook.
 */
enum exchange_col_kind {
	EXCHANGE_COL_UNKNOWN,
	EXCHANGE_COL_FIELD,	/* a field; join: to what is there already */
	EXCHANGE_COL_BIRTHDAY,	/* a birthday, in whatever form the vendor */
	EXCHANGE_COL_ID,	/* crm's id */
	EXCHANGE_COL_META,	/* created_at...: left out, with a note */
	EXCHANGE_COL_SKIP,	/* nothing crm keeps, said nowhere */
	EXCHANGE_COL_DROP,	/* nothing crm keeps: a value is remarked */
	EXCHANGE_COL_FULLNAME,	/* "Anna Berg", when no name column says */
	EXCHANGE_COL_PHONE,	/* where: work, home, mobile... */
	EXCHANGE_COL_EMAIL,
	EXCHANGE_COL_ADDR,	/* field: the part (address, city...) */
	EXCHANGE_COL_LABEL	/* the type of a numbered Google value */
};
/* Where a phone, email or address is; LABELLED: its label column says. */
enum exchange_where {
	EXCHANGE_WORK,
	EXCHANGE_OTHER,
	EXCHANGE_HOME,
	EXCHANGE_MOBILE,
	EXCHANGE_FAX,
	EXCHANGE_LABELLED
};
struct exchange_col {
	char			*name;		/* the header as written */
	enum exchange_col_kind	 kind;
	const char		*field;
	const char		*join;
	int			 where;		/* enum exchange_where */
	int			 group;		/* Google's number: "Address 2" */
	int			 label;		/* column of its label, or -1 */
	int			 owned;		/* field is allocated */
};
struct exchange_map {
	struct exchange_col	*cols;
	size_t			 n;
	const char		*vendor;	/* "crm's", "Google Contacts"... */
	int			 sparse;	/* a vendor's: "" changes nothing */
	char			*note;		/* columns left out, or NULL */
};
/*
 * Map a header row. Columns crm has no field for are an error naming
 * them all (path line 1), unless ignore_unknown leaves them out.
 */
int		 exchange_map_build(struct exchange_map *, int type,
		    char *const *header, size_t n, const char *mapfile,
		    int ignore_unknown, const char *path);
void		 exchange_map_clear(struct exchange_map *);

/* Importing (exchange-import.c). */

enum exchange_action {
	EXCHANGE_ADD,
	EXCHANGE_UPDATE,
	EXCHANGE_SAME,		/* the record is already as the row says */
	EXCHANGE_REFUSED
};
/* "add", "update", "unchanged", "refused". */
const char	*exchange_action_name(enum exchange_action);

/* What became of a row. */
struct exchange_result {
	enum exchange_action	 action;
	int			 type;
	struct record_id	 id;		/* the record added or updated */
	int			 company_created; /* a new company was made */
	int			 company_matched; /* an existing one was used */
	struct record_id	 company;
	char			*changed;	/* an update: "phone, email" */
	char			*reason;	/* why it was refused */
};
void		 exchange_result_clear(struct exchange_result *);

struct exchange_import;
/* An import in t, as actor: it keeps what it looked up until the end. */
struct exchange_import *exchange_import_begin(struct store_txn *,
		    const struct user *actor);
/*
 * Import one row. Returns 0 with res filled (a refused row wrote
 * nothing), or -1 (error set) when the database failed and the
 * transaction must be aborted.
 */
int		 exchange_import_row(struct exchange_import *,
		    const struct exchange_row *, struct exchange_result *res);
void		 exchange_import_end(struct exchange_import *);

/*
 * Records by name (exchange-name.c), as an import finds references and
 * the writer checks that a name says one record: a company exact first,
 * else one equal but for case; a contact by "First Last" (of company, an
 * ID, when not NULL); a campaign by name in any case. 0 with *id,
 * STORE_NOTFOUND, STORE_AMBIGUOUS (error set) or -1.
 */
int		 exchange_company_find(struct store_txn *, const char *name,
		    struct record_id *);
int		 exchange_contact_find(struct store_txn *, const char *name,
		    const char *company, struct record_id *);
int		 exchange_named_find(struct store_txn *, int type,
		    const char *name, struct record_id *);
/*
 * The ID a record made from an item with this key (a UID, or an id from
 * another database) takes: derived from it (SHA-256), so that the same
 * card imported again, here or on the master, is the same record.
 */
void		 exchange_key_id(int type, const char *key, struct record_id *);

#endif
