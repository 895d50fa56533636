/*
 * search: the records a person means by what they type, in every list,
 * in crm list --search and in crm query (mutt).
 *
 * The text is folded (utf8_fold: case and accents go) and cut into words
 * (utf8_words). A record matches when each word typed appears in a word
 * of the record: at its start, or, typed with SEARCH_INSIDE_MIN letters
 * or more, anywhere inside it ("mann" finds Hoffmann, "ogist"
 * Logistics) unless that word holds a digit (a code, a number: those
 * are found from their start). The words are those of
 * its own word fields (model_schema: names, email, city, phone...), or
 * of the name of its company or its contact, so that "acme" finds
 * Acme's contacts and notes, and "anna acme" the Annas among them. Text
 * that looks like a phone number ("030 123 45") matches the records
 * whose phone numbers hold those digits, however they were written.
 *
 * Matches are found through the words index (store_index_ids): the
 * records holding a word starting with each word typed, and those
 * holding the words of the vocabulary (store_vocab_find) in which it
 * appears further in; those of the companies and contacts holding it;
 * intersected. A word too common for that (more than SEARCH_WORD_MAX
 * entries, or in more than SEARCH_VOCAB_MAX words of the vocabulary)
 * is checked on each record instead, so the cost of a search follows
 * what it finds, not the size of the database.
 */
#ifndef CRM_SEARCH_H
#define CRM_SEARCH_H

#include <stddef.h>

#include "record.h"
#include "store.h"

/* Index entries of one word read before it counts as too common. */
#define SEARCH_WORD_MAX		20000
/* Letters of a word typed from which it is found inside words too. */
#define SEARCH_INSIDE_MIN	3
/* Companies (contacts) of one word whose records are gathered. */
#define SEARCH_REF_MAX		400
/*
 * Words of the vocabulary holding a word typed that are looked up, each
 * in the words index: more, and it is too common.
 */
#define SEARCH_VOCAB_MAX	500

struct search;

/*
 * A search of the records of type for text. NULL when text has no word
 * (nothing to narrow: every record). Cannot fail.
 */
struct search	*search_new(int type, const char *text);
void		 search_free(struct search *);
/* The text searched for, as typed. */
const char	*search_text(const struct search *);
/* Does the record match? 1, 0, or -1 (error set). */
int		 search_match(struct search *, struct store_txn *,
		    const struct record *);
/*
 * The records that may match, from the indexes: 0 with *n IDs (sorted;
 * every match is among them, each must still pass search_match), or
 * SEARCH_SCAN when a word typed is too common: then every record must be
 * tested. The set is kept in the search too, so search_match turns away
 * at once a record outside it. -1 with the error set.
 */
#define SEARCH_SCAN	1
int		 search_candidates(struct search *, struct store_txn *,
		    const struct record_id **ids, size_t *n);

/*
 * The set search_candidates found (sorted), or NULL when every record
 * must be tested (or it was not asked yet).
 */
const struct record_id *search_set(const struct search *, size_t *n);
/* The IDs in both of two sorted sets, into the first (*na shrinks). */
void		 search_ids_and(struct record_id *a, size_t *na,
		    const struct record_id *b, size_t nb);

#endif
