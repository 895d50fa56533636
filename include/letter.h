/*
 * letter: letters from templates. A template is plain text with fields
 * in double braces, {{contact.first_name}}, {{company.name}},
 * {{user.name}}, {{date}}, filled from a contact, its company and the
 * user writing. A field the renderer does not know is an error naming it
 * and its line, never left in the letter or dropped silently.
 *
 * The fields: contact.F for every field F of a contact (first_name,
 * last_name, job_title, email...) and contact.name (first and last
 * name); company.F for every field of a company; user.name, user.login,
 * user.id; date (today, YYYY-MM-DD) and date.long ("25 November 2026").
 * Spaces inside the braces are allowed: {{ date }}.
 */
#ifndef CRM_LETTER_H
#define CRM_LETTER_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "store.h"

struct user;

/* The values a template's fields take, by name. */
struct letter_vars {
	char	**names;
	char	**values;
	size_t	 n;
};

/* Set a field (replacing one of the same name). Cannot fail. */
void	 letter_vars_set(struct letter_vars *, const char *name,
	    const char *value);
/* The value of a field, or NULL if it is not one. */
const char *letter_vars_get(const struct letter_vars *, const char *name);
void	 letter_vars_free(struct letter_vars *);
/*
 * The fields of one record type under prefix ("contact"): every field of
 * the type, empty when r is NULL (a contact with no company still knows
 * {{company.name}}, as an empty text). References and user IDs are kept
 * as stored.
 */
void	 letter_vars_record(struct letter_vars *, const char *prefix, int type,
	    const struct record *);
/* date and date.long for the local day of ms (milliseconds). */
void	 letter_vars_date(struct letter_vars *, uint64_t ms);
/*
 * Every field for a letter to contact from user, on the day of now_ms:
 * the contact, its company (read in t), the user, the date.
 */
int	 letter_vars_load(struct letter_vars *, struct store_txn *,
	    const struct user *, const struct record *contact, uint64_t now_ms);

/*
 * Render text (len bytes) with vars into *out (NUL-terminated, *outlen
 * bytes without it). -1 if a field is unknown or unclosed: the error
 * names each one with its line ("template \"name\": unknown field
 * {{contact.nmae}} on line 3"); *out is then NULL.
 */
int	 letter_render(const char *name, const char *text, size_t len,
	    const struct letter_vars *, char **out, size_t *outlen);

/*
 * A template by name (exactly, else ignoring case) or by ID prefix.
 * 0 and *out (free it), or -1 with a message naming text.
 */
int	 letter_template_find(struct store_txn *, const char *text,
	    struct record **out);
/*
 * Read a template's text from dir (through document_read: sealed or
 * not); -1 (error set) if its file is missing, unreadable, damaged or
 * not the one recorded (its hash).
 */
int	 letter_template_read(const char *dir, const struct record *tmpl,
	    char **text, size_t *len);
/*
 * Render the template for a letter to contact from user, on the day of
 * now_ms: the three steps above in one.
 */
int	 letter_make(struct store_txn *, const char *dir, const struct user *,
	    const struct record *tmpl, const struct record *contact,
	    uint64_t now_ms, char **out, size_t *outlen);
/*
 * Record a letter written to contact from the file at path: a note
 * ("Letter: NAME", the contact and its company, dated the day of now_ms)
 * with the file attached to it as a document. *note and *doc get their
 * IDs. As with document_store, call document_discard(dir, MODEL_DOCUMENT,
 * doc) if t does not commit.
 */
int	 letter_record(struct store_txn *, const char *dir, const struct user *,
	    const struct record *tmpl, const struct record *contact,
	    const char *path, uint64_t now_ms, struct record_id *note,
	    struct record_id *doc);
/*
 * letter_record from the letter's text in memory (len bytes), so that
 * it reaches the disk only as the stored file (sealed in an encrypted
 * database), never as a plain temporary copy.
 */
int	 letter_record_text(struct store_txn *, const char *dir,
	    const struct user *, const struct record *tmpl,
	    const struct record *contact, const char *text, size_t len,
	    uint64_t now_ms, struct record_id *note, struct record_id *doc);

#endif
