/*
 * model: the CRM's record types, their fields, validation and the
 * operations every face of crm uses (add, update, delete, look up).
 *
 * The screens and the command line both go through these functions, so a
 * rule (a required field, a contact taking its company's account manager,
 * a right) holds whichever face a person uses.
 */
#ifndef CRM_MODEL_H
#define CRM_MODEL_H

#include <stddef.h>

#include "record.h"
#include "store.h"

struct user;

/*
 * The version of the record model, raised whenever a type gains a field.
 * A local says its own when it syncs, so that a master takes fields it
 * does not know only from a newer local (RULES.md T5).
 */
#define MODEL_FIELDS_VERSION	2	/* 2: phone2, email2, mobile, title... */

/* Record types, in sync order: referenced files before their dependants. */
enum model_type_id {
	MODEL_USER,
	MODEL_COMPANY,
	MODEL_CONTACT,
	MODEL_NOTE,
	MODEL_EVENT,
	MODEL_TASK,
	MODEL_OPPORTUNITY,
	MODEL_ISSUE,
	MODEL_CAMPAIGN,
	MODEL_TARGET,
	MODEL_DOCUMENT,
	MODEL_TEMPLATE,
	MODEL_NTYPES
};
#define MODEL_ANY (-1)		/* a reference to a record of any type */

enum model_kind {
	MODEL_TEXT,		/* one line */
	MODEL_LONGTEXT,		/* may hold newlines */
	MODEL_DATE,		/* YYYY-MM-DD or YYYY-MM-DDTHH:MM */
	MODEL_BIRTHDAY,		/* YYYY-MM-DD, or --MM-DD without a year */
	MODEL_NUMBER,		/* decimal, e.g. 1250.50 */
	MODEL_INTEGER,
	MODEL_EMAIL,
	MODEL_REF,		/* a record ID; see ref_type */
	MODEL_USERID,		/* a 5-character user ID */
	MODEL_CHOICE,		/* one of choices */
	MODEL_BOOL		/* yes or no */
};

#define MODEL_REQUIRED	0x1
#define MODEL_SECRET	0x2	/* never shown, listed or exported */
#define MODEL_SYSTEM	0x4	/* set by crm, not by a person */
#define MODEL_SPARE	0x8	/* a record's screen shows it only when set */

struct model_field {
	const char		*name;
	const char		*label;		/* for screens and messages */
	enum model_kind		 kind;
	int			 flags;		/* MODEL_REQUIRED... */
	int			 ref_type;	/* MODEL_REF: type or MODEL_ANY */
	const char *const	*choices;	/* MODEL_CHOICE: NULL-terminated */
	const char		*def;		/* value given when none is */
};

struct model_type {
	const char		*name;		/* "company": CLI.md's type name */
	const char		*label;		/* "Company" */
	const char		*plural;	/* "companies" */
	const struct model_field *fields;
	size_t			 nfields;
	const char		*columns;	/* default list columns */
};

/*
 * The types and their fields (src/model-type.c): tables and look-ups
 * that need nothing else of crm, so that the rights, which the model's
 * checks ask, can read them too.
 */

/* The file descriptions handed to the store, indexed by type. */
extern const struct store_schema model_schema[MODEL_NTYPES];

/* The metadata every record shows (S4), before its own fields. */
extern const char *const model_meta_fields[];

const struct model_type	 *model_type(int type);
/* A type by its CLI name ("company"); -1 (error set) if there is none. */
int			  model_type_find(const char *name);
const struct model_field *model_field_find(int type, const char *name);
int		 model_is_field(int type, const char *name);
/* Is this one of model_meta_fields (set by crm, never by a person)? */
int		 model_is_meta(const char *name);
/* "name, phone, ...": the fields a person may set, for messages. Free it. */
char		*model_field_list(int type);

/* The checks and operations on records (src/model.c). */

/* Open or create a database with the model's files. */
struct store	*model_open(const char *dir, enum store_role, int flags,
		    int wait_seconds);
int		 model_create(const char *dir, enum store_role);

/*
 * The text of a field as a person reads it: metadata (id, created_at...)
 * formatted, fields as stored. Returns a new string.
 */
char		*model_value(const struct record *, const char *name);

struct model_change {
	const char	*name;
	const char	*value;
};

/* Check a record's fields; -1 with a message naming the field if bad. */
int		 model_validate(struct store_txn *, int type,
		    const struct record *);
/*
 * The field the last failed model_validate (or model_add, model_update)
 * was about, or NULL: a form shows the message beside it.
 */
const char	*model_error_field(void);
/*
 * Create a record from changes, as actor: metadata and stamps set,
 * defaults filled, a contact's account manager taken from its company,
 * a record's company from its contact (and refused if they disagree: the
 * contact must work for that company; model_update checks a change of
 * either too), a note dated now, validated, rights checked. *out gets
 * the new ID.
 */
int		 model_add(struct store_txn *, const struct user *actor,
		    int type, const struct model_change *, size_t n,
		    struct record_id *out);
/*
 * model_add with the ID given (the caller has seen no record has it): a
 * record imported from a card takes one derived from the card's UID.
 */
int		 model_add_id(struct store_txn *, const struct user *actor,
		    int type, const struct model_change *, size_t n,
		    const struct record_id *want, struct record_id *out);
/*
 * The account manager model_add gives a new record of type that names
 * none: its contact's, else its company's, else actor's. A new string.
 */
char		*model_default_manager(struct store_txn *, const struct user *,
		    int type, const struct record *);
/* Change fields of a record, as actor. */
int		 model_update(struct store_txn *, const struct user *actor,
		    int type, const struct record_id *,
		    const struct model_change *, size_t n);
/*
 * Delete a record, leaving a tombstone (rights of RULES.md S12). The
 * record as it was is kept (in meta.db, which sync never carries), for
 * model_undelete.
 */
int		 model_delete(struct store_txn *, const struct user *actor,
		    int type, const struct record_id *);
/*
 * Why actor may not delete the record, before anything is asked: -1
 * with a message naming it (no right; records still linked to it, by
 * name), or 0.
 */
int		 model_delete_check(struct store_txn *, const struct user *actor,
		    int type, const struct record *);
/*
 * A record as a person names it ("Acme GmbH", "Anna Berg", a subject, a
 * file name); every face and file crm writes names records this way.
 * With MODEL_NAME_SCREEN, as the screens show them: a user by full name
 * (the login when there is none), a target as "target". Free it.
 */
#define MODEL_NAME_SCREEN	0x1
char		*model_record_name(int type, const struct record *, int flags);

/* A deleted record that can be brought back (its tombstone lives). */
struct model_deleted {
	int			 type;
	struct record_id	 id;
	uint64_t		 when;		/* stamp of the deletion */
	char			 by[RECORD_UID_SIZE + 1];
	struct record		*rec;		/* as it was */
};
/*
 * The deleted records viewer may bring back (those viewer may delete
 * and see: RULES.md S12, S15), newest first; each is called for each
 * until it returns nonzero (-1: error).
 */
int		 model_deleted_list(struct store_txn *, const struct user *viewer,
		    int (*each)(void *arg, const struct model_deleted *),
		    void *arg);
/*
 * Bring a deleted record back as it was, as a change made now (sync
 * carries it). Refused when it is not a deleted record actor may bring
 * back, or when a record it refers to is deleted too (that one first).
 */
int		 model_undelete(struct store_txn *, const struct user *actor,
		    int type, const struct record_id *);
/*
 * Turn an ID argument (a full ID or a unique prefix) into an ID, with a
 * message naming the type when it matches none or several records.
 */
int		 model_lookup(struct store_txn *, int type, const char *text,
		    struct record_id *);
/*
 * Is target r the only one of its contact (or of its company, without a
 * contact) in its campaign? 0, or -1 with a message naming the contact or
 * company and the campaign: judge the user's right to see them first.
 * model_add and model_update ask; so does a master of an upload (T5).
 */
int		 model_target_unique(struct store_txn *, const struct record *r);
/*
 * The live targets of a campaign and how many of them responded, counting
 * only those viewer may see (rights_may_see; NULL: all). Its cost is the
 * campaign's number of targets. A target is unique in its campaign: one
 * per contact, and one per company without a contact; model_add and
 * model_update refuse a second with a message naming it.
 */
int		 model_campaign_count(struct store_txn *,
		    const struct user *viewer, const struct record_id *,
		    size_t *targets, size_t *responded);
/* Now, in local time, as a date field holds it ("YYYY-MM-DDTHH:MM"). */
void		 model_now_text(char *buf, size_t len);
/* Fetch a live record; a tombstone counts as not found (error set). */
int		 model_get(struct store_txn *, int type,
		    const struct record_id *, struct record **);

#endif
