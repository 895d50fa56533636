/* search: the records a person means by what they type (search.h). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"
#include "record.h"
#include "search.h"
#include "store.h"
#include "utf8.h"
#include "xmalloc.h"

#define SEARCH_WORDS	16	/* words of a text looked at */
#define SEARCH_CACHE	64	/* names of companies and contacts kept */
#define SEARCH_DIGITS	4	/* digits that make a phone number */
#define SEARCH_WORD_BYTES 24	/* bytes of a word the words index keeps */

/*
 * Is a word typed long enough to be looked for inside words? One or two
 * letters are inside most words: "a" would list nearly every record
 * (and read them all), where at a word's start it narrows the list as
 * each key is typed.
 */
static int
search_inside(const char *w)
{
	size_t	n = 0;

	for (; *w != '\0'; w++) {
		if (((unsigned char)*w & 0xc0) != 0x80)
			n++;
	}
	return n >= SEARCH_INSIDE_MIN;
}

struct search_name {
	struct record_id id;
	char		*folded;	/* NULL: slot free */
};

struct search {
	int		 type;
	char		*text;
	char		*words[SEARCH_WORDS];
	size_t		 nwords;
	char		*digits;	/* a phone number typed, or NULL */
	char		*digits0;	/* the same without its leading zeros */
	int		 by_company;	/* its company's name counts */
	int		 by_contact;	/* its contact's name counts */
	int		 planned;
	struct record_id *set;		/* search_candidates, or NULL */
	size_t		 nset;
	struct search_name cache[SEARCH_CACHE];
};

/*
 * Digits, spaces and + - / ( ) . alone, with enough digits: a phone. Its
 * digits as typed, and *zero without the leading zeros of a trunk prefix
 * ("030" is "30" in "+49 30"), or NULL when there are none.
 */
static char *
search_phone(const char *text, char **zero)
{
	const char	*p;
	char		*d, *nz;

	*zero = NULL;
	for (p = text; *p != '\0'; p++) {
		if (strchr("0123456789 +-/().", *p) == NULL)
			return NULL;
	}
	d = utf8_digits(text);
	if (strlen(d) < SEARCH_DIGITS) {
		free(d);
		return NULL;
	}
	for (nz = d; *nz == '0'; nz++)
		/* nothing */;
	if (nz != d && strlen(nz) >= SEARCH_DIGITS)
		*zero = xstrdup(nz);
	return d;
}

struct search *
search_new(int type, const char *text)
{
	struct search	*s;
	size_t		 start[SEARCH_WORDS], len[SEARCH_WORDS], i;
	char		*folded;

	s = xcalloc(1, sizeof *s);
	s->type = type;
	s->text = xstrdup(text);
	folded = utf8_fold(text);
	s->nwords = utf8_words(folded, start, len, SEARCH_WORDS);
	/* As the index has emails: without their top-level domain. */
	s->nwords = utf8_words_but_tld(folded, start, s->nwords);
	for (i = 0; i < s->nwords; i++)
		s->words[i] = xstrndup(folded + start[i], len[i]);
	free(folded);
	s->digits = search_phone(text, &s->digits0);
	if (s->nwords == 0 && s->digits == NULL) {
		search_free(s);
		return NULL;
	}
	s->by_company = type != MODEL_COMPANY &&
	    model_field_find(type, "company") != NULL;
	s->by_contact = type != MODEL_CONTACT &&
	    model_field_find(type, "contact") != NULL;
	return s;
}

void
search_free(struct search *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nwords; i++)
		free(s->words[i]);
	for (i = 0; i < SEARCH_CACHE; i++)
		free(s->cache[i].folded);
	free(s->digits);
	free(s->digits0);
	free(s->set);
	free(s->text);
	free(s);
}

const struct record_id *
search_set(const struct search *s, size_t *n)
{
	*n = s->nset;
	return s->planned ? s->set : NULL;
}

const char *
search_text(const struct search *s)
{
	return s->text;
}

/*
 * Does some word of folded text hold w? At its start, or inside it when
 * w is long enough (search_inside) and the word is one the vocabulary
 * has (no digit: store_vocab_word), within the bytes of it the words
 * index keeps, as the indexes find it.
 */
static int
search_word_in(const char *folded, const char *w)
{
	size_t	start[64], len[64], n, i, wl = strlen(w), l;
	int	inside = search_inside(w);

	n = utf8_words(folded, start, len, 64);
	for (i = 0; i < n; i++) {
		if (len[i] >= wl && memcmp(folded + start[i], w, wl) == 0)
			return 1;
		if (!inside || !store_vocab_word(folded + start[i], len[i]))
			continue;
		l = len[i];
		if (l > SEARCH_WORD_BYTES) {
			l = SEARCH_WORD_BYTES;
			while (l > 0 && ((unsigned char)folded[start[i] + l] &
			    0xc0) == 0x80)
				l--;	/* as the index cuts it */
		}
		if (l > wl && memmem(folded + start[i] + 1, l - 1, w,
		    wl) != NULL)
			return 1;
	}
	return 0;
}

/*
 * The folded name of the company or contact id (cached), or NULL. The
 * companies' names and the contacts' have each their half of the cache:
 * search_match holds a company's name while it looks up a contact's,
 * which must not throw it out (it did, when both IDs fell in one place:
 * the company's name was read freed, and a note or task was not found
 * by it, or found by another's).
 */
static const char *
search_ref_name(struct search *s, struct store_txn *t, int type,
    const char *idtext)
{
	struct search_name	*slot;
	struct record_id	 id;
	struct record		*r;
	const char		*a, *b;
	char			*name;
	int			 ret;

	if (*idtext == '\0' || record_id_parse(idtext, &id) != 0) {
		error_clear();
		return NULL;
	}
	slot = &s->cache[(id.b[15] ^ id.b[10]) % (SEARCH_CACHE / 2) +
	    (type == MODEL_CONTACT ? SEARCH_CACHE / 2 : 0)];
	if (slot->folded != NULL && record_id_cmp(&slot->id, &id) == 0)
		return slot->folded;
	if ((ret = store_get(t, (size_t)type, &id, &r)) != 0) {
		if (ret == STORE_NOTFOUND)
			return NULL;
		error_clear();
		return NULL;
	}
	if (type == MODEL_CONTACT) {
		a = record_value(r, "first_name");
		b = record_value(r, "last_name");
		xasprintf(&name, "%s %s", a, b);
	} else
		name = xstrdup(record_value(r, "name"));
	record_free(r);
	free(slot->folded);
	slot->id = id;
	slot->folded = utf8_fold(name);
	free(name);
	return slot->folded;
}

/*
 * Does the phone number hold the digits typed, from the start of one of
 * its groups on ("301234" in "+49 30 1234567")? As the words index has
 * a phone's digits (store.h).
 */
static int
search_phone_has(const char *phone, const char *digits)
{
	const char	*p;
	char		*all;
	size_t		 k = 0, len = strlen(digits);
	int		 found = 0;

	all = utf8_digits(phone);
	for (p = phone; *p != '\0' && !found; p++) {
		if (*p < '0' || *p > '9')
			continue;
		if ((p == phone || p[-1] < '0' || p[-1] > '9') &&
		    strncmp(all + k, digits, len) == 0)
			found = 1;
		k++;
	}
	free(all);
	return found;
}

static int
search_id_cmp(const void *a, const void *b)
{
	return record_id_cmp(a, b);
}

static int
search_in_set(const struct search *s, const struct record_id *id)
{
	return bsearch(id, s->set, s->nset, sizeof *s->set,
	    search_id_cmp) != NULL;
}

int
search_match(struct search *s, struct store_txn *t, const struct record *r)
{
	const struct store_schema	*sc = &model_schema[s->type];
	const char			*co = NULL, *ct = NULL;
	char				*own[8];
	const char			*v;
	size_t				 nown = 0, i, j;
	int				 ok = s->nwords > 0, found;

	if (r->flags & RECORD_DELETED)
		return 0;
	if (s->planned && s->set != NULL && !search_in_set(s, &r->id))
		return 0;
	for (j = 0; j < 8 && sc->word_fields[j] != NULL; j++)
		own[nown++] = utf8_fold(record_value(r, sc->word_fields[j]));
	if (s->by_company)
		co = search_ref_name(s, t, MODEL_COMPANY,
		    record_value(r, "company"));
	if (s->by_contact)
		ct = search_ref_name(s, t, MODEL_CONTACT,
		    record_value(r, "contact"));
	for (i = 0; ok && i < s->nwords; i++) {
		found = 0;
		for (j = 0; !found && j < nown; j++)
			found = search_word_in(own[j], s->words[i]);
		if (!found && co != NULL)
			found = search_word_in(co, s->words[i]);
		if (!found && ct != NULL)
			found = search_word_in(ct, s->words[i]);
		ok = found;
	}
	for (j = 0; j < nown; j++)
		free(own[j]);
	if (ok || s->digits == NULL)
		return ok;
	for (j = 0; j < 3 && sc->digit_fields[j] != NULL; j++) {
		v = record_value(r, sc->digit_fields[j]);
		if (search_phone_has(v, s->digits) || (s->digits0 != NULL &&
		    search_phone_has(v, s->digits0)))
			return 1;
	}
	return 0;
}

/* The union of two sorted sets of IDs, into *a. */
static void
search_union(struct record_id **a, size_t *na, const struct record_id *b,
    size_t nb)
{
	struct record_id	*out;
	size_t			 i = 0, j = 0, n = 0;
	int			 c;

	out = xcalloc(*na + nb + 1, sizeof *out);
	while (i < *na || j < nb) {
		if (i == *na)
			c = 1;
		else if (j == nb)
			c = -1;
		else
			c = record_id_cmp(&(*a)[i], &b[j]);
		if (c <= 0)
			out[n++] = (*a)[i++];
		else
			out[n++] = b[j++];
		if (c == 0)
			j++;
	}
	free(*a);
	*a = out;
	*na = n;
}

void
search_ids_and(struct record_id *a, size_t *na, const struct record_id *b,
    size_t nb)
{
	size_t	i = 0, j = 0, n = 0;
	int	c;

	while (i < *na && j < nb) {
		c = record_id_cmp(&a[i], &b[j]);
		if (c == 0)
			a[n++] = a[i];
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	*na = n;
}

/*
 * The records of type holding a word in which w appears (at most max,
 * else STORE_TOO_MANY): those with a word starting with w, from the
 * words index, and those with a word holding it further in, from the
 * words of the vocabulary that hold it, each looked up in the words
 * index in turn. A vocabulary word starting with another one found
 * (sorted, it follows it) is in that one's look-up already.
 */
static int
search_word_ids(struct store_txn *t, int type, const char *w, size_t max,
    struct record_id **set, size_t *n)
{
	struct record_id	*ids;
	char			**words;
	const char		*prev = NULL;
	size_t			 nwords, nids, i, wl = strlen(w), pl = 0;
	int			 ret;

	ret = store_index_ids(t, (size_t)type, STORE_BY_WORDS, w, wl, max,
	    set, n);
	if (ret != 0 || !search_inside(w))
		return ret;
	ret = store_vocab_find(t, (size_t)type, w, SEARCH_VOCAB_MAX, &words,
	    &nwords);
	if (ret != 0) {
		free(*set);
		*set = NULL;
		*n = 0;
		return ret;
	}
	for (i = 0; i < nwords && ret == 0; i++) {
		if (strncmp(words[i], w, wl) == 0 ||
		    (prev != NULL && strncmp(words[i], prev, pl) == 0))
			continue;
		prev = words[i];
		pl = strlen(prev);
		ret = store_index_ids(t, (size_t)type, STORE_BY_WORDS, prev,
		    pl, max, &ids, &nids);
		if (ret != 0)
			break;
		if (*set == NULL)
			*set = xcalloc(1, sizeof **set);
		search_union(set, n, ids, nids);
		free(ids);
		if (*n > max)
			ret = STORE_TOO_MANY;
	}
	for (i = 0; i < nwords; i++)
		free(words[i]);
	free(words);
	if (ret != 0) {
		free(*set);
		*set = NULL;
		*n = 0;
	}
	return ret;
}

/*
 * The records of s->type that refer to a record of type reftype holding
 * a word in which w appears, added to *set. STORE_TOO_MANY when there
 * are too many such records to gather.
 */
static int
search_by_ref(struct search *s, struct store_txn *t, int reftype,
    const char *w, struct record_id **set, size_t *n)
{
	struct record_id	*refs, *ids;
	size_t			 nrefs, nids, i;
	int			 ret;

	ret = search_word_ids(t, reftype, w, SEARCH_REF_MAX, &refs, &nrefs);
	if (ret != 0)
		return ret;
	for (i = 0; i < nrefs; i++) {
		ret = store_index_ids(t, (size_t)s->type, STORE_BY_REF,
		    refs[i].b, RECORD_ID_SIZE, SEARCH_WORD_MAX, &ids, &nids);
		if (ret != 0)
			break;
		search_union(set, n, ids, nids);
		free(ids);
		if (*n > SEARCH_WORD_MAX) {
			ret = STORE_TOO_MANY;
			break;
		}
	}
	free(refs);
	return ret;
}

/* The records that may hold word w (own, company's, contact's). */
static int
search_word_set(struct search *s, struct store_txn *t, const char *w,
    struct record_id **set, size_t *n)
{
	int	ret;

	ret = search_word_ids(t, s->type, w, SEARCH_WORD_MAX, set, n);
	if (ret == 0 && *set == NULL)
		*set = xcalloc(1, sizeof **set);
	if (ret == 0 && s->by_company)
		ret = search_by_ref(s, t, MODEL_COMPANY, w, set, n);
	if (ret == 0 && s->by_contact)
		ret = search_by_ref(s, t, MODEL_CONTACT, w, set, n);
	if (ret != 0) {
		free(*set);
		*set = NULL;
		*n = 0;
	}
	return ret;
}

/* The records whose phone holds the digits typed, with or without zeros. */
static int
search_digits_set(struct search *s, struct store_txn *t,
    struct record_id **set, size_t *n)
{
	struct record_id	*z;
	size_t			 nz;
	int			 ret;

	ret = store_index_ids(t, (size_t)s->type, STORE_BY_WORDS, s->digits,
	    strlen(s->digits), SEARCH_WORD_MAX, set, n);
	if (ret != 0 || s->digits0 == NULL)
		return ret;
	ret = store_index_ids(t, (size_t)s->type, STORE_BY_WORDS, s->digits0,
	    strlen(s->digits0), SEARCH_WORD_MAX, &z, &nz);
	if (ret != 0) {
		free(*set);
		*set = NULL;
		return ret;
	}
	search_union(set, n, z, nz);
	free(z);
	return 0;
}

int
search_candidates(struct search *s, struct store_txn *t,
    const struct record_id **ids, size_t *n)
{
	struct record_id	*set = NULL, *w;
	size_t			 nset = 0, nw, i;
	int			 ret, have = 0;

	free(s->set);
	s->set = NULL;
	s->nset = 0;
	s->planned = 0;
	for (i = 0; i < s->nwords; i++) {
		ret = search_word_set(s, t, s->words[i], &w, &nw);
		if (ret == STORE_TOO_MANY)
			continue;	/* checked on each record instead */
		if (ret != 0) {
			free(set);
			return -1;
		}
		if (!have) {
			set = w;
			nset = nw;
			have = 1;
			continue;
		}
		search_ids_and(set, &nset, w, nw);
		free(w);
	}
	if (s->digits != NULL) {
		/* Either rule may find a record: the union of both. */
		ret = search_digits_set(s, t, &w, &nw);
		if (ret == -1) {
			free(set);
			return -1;
		}
		if (ret == STORE_TOO_MANY || (!have && s->nwords > 0)) {
			free(set);
			if (ret == 0)
				free(w);
			have = 0;
		} else {
			if (set == NULL)
				set = xcalloc(1, sizeof *set);
			search_union(&set, &nset, w, nw);
			free(w);
			have = 1;
		}
	}
	s->planned = 1;
	if (!have)
		return SEARCH_SCAN;
	if (set == NULL)
		set = xcalloc(1, sizeof *set);
	s->set = set;
	s->nset = nset;
	*ids = set;
	*n = nset;
	return 0;
}
