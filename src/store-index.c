/*
 * store-index: the secondary indexes of each record file (src/store-int.h).
 *
 * Each record type's file holds, beside its records, the indexes "name",
 * "ref", "owner", "seq", "outbox" and "words", which Berkeley DB keeps in
 * step with the records through DB->associate and the callbacks below;
 * and "vocab", the words of the words index once each, which store_write
 * keeps in the same transaction (store_vocab_record).
 * Here too: reindexing a file whose indexes are older than the program,
 * and the indexes read raw, for the IDs of the records a key holds.
 */
#include "config.h"

#include <sys/stat.h>

#include <db.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "record.h"
#include "store.h"
#include "store-int.h"
#include "utf8.h"
#include "xmalloc.h"

const char *const store_sub_names[STORE_NSUB] = {
	"name", "ref", "owner", "seq", "outbox", "words"
};

char *
store_name_key(const char *text)
{
	char	*key;
	size_t	 len;

	key = utf8_fold(text);
	len = strlen(key);
	if (len > STORE_NAME_KEY_MAX) {
		len = STORE_NAME_KEY_MAX;
		while (len > 0 && ((unsigned char)key[len] & 0xc0) == 0x80)
			len--;		/* never cut a character in two */
		key[len] = '\0';
	}
	return key;
}

/* The decoded record of an index callback, cached across the five calls. */
struct record *
store_file_decode(struct store_file *f, const DBT *data)
{
	if (f->put_rec != NULL && f->put_len == data->size &&
	    memcmp(f->put_bytes, data->data, data->size) == 0)
		return f->put_rec;
	if (f->cache_rec != NULL && f->cache_len == data->size &&
	    memcmp(f->cache_bytes, data->data, data->size) == 0)
		return f->cache_rec;
	record_free(f->cache_rec);
	free(f->cache_bytes);
	f->cache_rec = NULL;
	f->cache_bytes = NULL;
	if ((f->cache_rec = record_decode(data->data, data->size)) == NULL)
		return NULL;
	f->cache_bytes = xmalloc(data->size);
	memcpy(f->cache_bytes, data->data, data->size);
	f->cache_len = data->size;
	return f->cache_rec;
}

/*
 * The record an index callback is given, when it is one an index holds:
 * 0 with *rp set, DB_DONOTINDEX for a tombstone, EINVAL if it cannot be
 * decoded.
 */
static int
store_file_live(struct store_file *f, const DBT *data, struct record **rp)
{
	if ((*rp = store_file_decode(f, data)) == NULL)
		return EINVAL;
	return ((*rp)->flags & RECORD_DELETED) ? DB_DONOTINDEX : 0;
}

static void
store_dbt_set(DBT *dbt, void *p, size_t len)
{
	memset(dbt, 0, sizeof *dbt);
	dbt->data = p;
	dbt->size = (u_int32_t)len;
	dbt->flags = DB_DBT_APPMALLOC;
}

/* The name index key of a record, or NULL when its name fields are empty. */
static char *
store_record_name(const struct store_schema *sc, const struct record *r)
{
	char		*joined = NULL, *tmp, *key;
	const char	*v;
	int		 i;

	for (i = 0; i < 3 && sc->name_fields[i] != NULL; i++) {
		v = record_value(r, sc->name_fields[i]);
		if (*v == '\0')
			continue;	/* "Solo" with no first name is "solo" */
		if (joined == NULL)
			joined = xstrdup(v);
		else {
			xasprintf(&tmp, "%s %s", joined, v);
			free(joined);
			joined = tmp;
		}
	}
	if (joined == NULL || *joined == '\0') {
		free(joined);
		return NULL;
	}
	key = store_name_key(joined);
	free(joined);
	return key;
}

char *
store_name_of(struct store_txn *t, size_t file, const struct record *r)
{
	char	*key = store_record_name(store_file(t, file)->schema, r);

	return key != NULL ? key : xstrdup("");
}

static int
store_index_name(DB *sec, const DBT *pkey, const DBT *data, DBT *result)
{
	struct store_file	*f = sec->app_private;
	struct record		*r;
	char			*key;
	int			 ret;

	(void)pkey;
	if ((ret = store_file_live(f, data, &r)) != 0)
		return ret;
	if ((key = store_record_name(f->schema, r)) == NULL)
		return DB_DONOTINDEX;
	store_dbt_set(result, key, strlen(key));
	return 0;
}

/* An index callback's n keys (none: the record is not in the index). */
static int
store_keys_result(DBT *result, DBT *keys, int n)
{
	if (n == 0) {
		free(keys);
		return DB_DONOTINDEX;
	}
	memset(result, 0, sizeof *result);
	result->data = keys;
	result->size = (u_int32_t)n;
	result->flags = DB_DBT_MULTIPLE | DB_DBT_APPMALLOC;
	return 0;
}

/* Several keys for one record: references or owners. */
static int
store_index_multi(struct store_file *f, const DBT *data, DBT *result,
    const char *const *fields, int n, int refs)
{
	struct record		*r;
	DBT			*keys;
	const char		*v;
	struct record_id	 id;
	int			 i, j, nkeys = 0, dup, ret;
	size_t			 size;
	uint8_t			*k;

	if ((ret = store_file_live(f, data, &r)) != 0)
		return ret;
	keys = xcalloc((size_t)n, sizeof *keys);
	for (i = 0; i < n && fields[i] != NULL; i++) {
		v = record_value(r, fields[i]);
		if (*v == '\0')
			continue;
		if (refs) {
			if (record_id_parse(v, &id) != 0)
				continue;
			size = RECORD_ID_SIZE;
			k = xmalloc(size);
			memcpy(k, id.b, size);
		} else {
			size = strlen(v);
			k = (uint8_t *)xstrdup(v);
		}
		dup = 0;
		for (j = 0; j < nkeys; j++) {
			if (keys[j].size == size &&
			    memcmp(keys[j].data, k, size) == 0)
				dup = 1;
		}
		if (dup) {
			free(k);
			continue;
		}
		keys[nkeys].data = k;
		keys[nkeys].size = (u_int32_t)size;
		keys[nkeys].flags = DB_DBT_APPMALLOC;
		nkeys++;
	}
	return store_keys_result(result, keys, nkeys);
}

static int
store_index_ref(DB *sec, const DBT *pkey, const DBT *data, DBT *result)
{
	struct store_file	*f = sec->app_private;

	(void)pkey;
	return store_index_multi(f, data, result, f->schema->ref_fields, 5, 1);
}

static int
store_index_owner(DB *sec, const DBT *pkey, const DBT *data, DBT *result)
{
	struct store_file	*f = sec->app_private;

	(void)pkey;
	return store_index_multi(f, data, result, f->schema->owner_fields, 3,
	    0);
}

/* Add one word key to a list of keys, once. */
static void
store_word_add(DBT *keys, int *n, const char *w, size_t len)
{
	int	j;

	if (len > STORE_WORD_MAX) {
		len = STORE_WORD_MAX;
		while (len > 0 && ((unsigned char)w[len] & 0xc0) == 0x80)
			len--;		/* never cut a character in two */
	}
	if (len == 0 || *n >= STORE_WORDS_MAX)
		return;
	for (j = 0; j < *n; j++) {
		if (keys[j].size == len && memcmp(keys[j].data, w, len) == 0)
			return;
	}
	keys[*n].data = xmalloc(len);
	memcpy(keys[*n].data, w, len);
	keys[*n].size = (u_int32_t)len;
	keys[*n].flags = DB_DBT_APPMALLOC;
	(*n)++;
}

/*
 * The words index: every word of the word fields, folded, and for a
 * phone number its digits from each group on (STORE_DIGITS_MIN or
 * longer), so that the digits a person types, however the number was
 * written, are the start of a key.
 */
static int
store_index_words(DB *sec, const DBT *pkey, const DBT *data, DBT *result)
{
	struct store_file	*f = sec->app_private;
	const struct store_schema *sc = f->schema;
	struct record		*r;
	DBT			*keys;
	size_t			 start[STORE_WORDS_MAX], len[STORE_WORDS_MAX];
	size_t			 nw, k, dl;
	char			*folded, *digits;
	const char		*v;
	int			 i, n = 0, ret;

	(void)pkey;
	if (sc->word_fields[0] == NULL)
		return DB_DONOTINDEX;
	if ((ret = store_file_live(f, data, &r)) != 0)
		return ret;
	keys = xcalloc(STORE_WORDS_MAX, sizeof *keys);
	for (i = 0; i < 8 && sc->word_fields[i] != NULL; i++) {
		v = record_value(r, sc->word_fields[i]);
		if (*v == '\0')
			continue;
		folded = utf8_fold(v);
		nw = utf8_words(folded, start, len, STORE_WORDS_MAX);
		/*
		 * An email's last word, its top-level domain (com, de), is in
		 * nearly every record: nobody finds anyone by it, and its
		 * entries would be a tenth of the index.
		 */
		nw = utf8_words_but_tld(folded, start, nw);
		for (k = 0; k < nw; k++)
			store_word_add(keys, &n, folded + start[k], len[k]);
		free(folded);
	}
	for (i = 0; i < 3 && sc->digit_fields[i] != NULL; i++) {
		/*
		 * A phone's digits from the start of each group on ("+49 30
		 * 1234567": 49301234567, 301234567, 1234567), so that it is
		 * found however the number is typed, with or without its
		 * country code. Not from every digit: each such key is one
		 * record's alone, and they were most of the index (measured:
		 * 45 bytes each, seven a number).
		 */
		v = record_value(r, sc->digit_fields[i]);
		digits = utf8_digits(v);
		dl = strlen(digits);
		for (k = 0; *v != '\0'; v++) {
			if (*v < '0' || *v > '9')
				continue;
			if ((k == 0 || v[-1] < '0' || v[-1] > '9') &&
			    dl - k >= STORE_DIGITS_MIN)
				store_word_add(keys, &n, digits + k, dl - k);
			k++;
		}
		free(digits);
	}
	return store_keys_result(result, keys, n);
}

/* An index key of one number, big-endian so that keys sort as numbers. */
static int
store_key_be64(DBT *result, uint64_t v)
{
	uint8_t	*k = xmalloc(8);

	store_be64(k, v);
	store_dbt_set(result, k, 8);
	return 0;
}

static int
store_index_seq(DB *sec, const DBT *pkey, const DBT *data, DBT *result)
{
	struct store_file	*f = sec->app_private;
	struct record		*r;

	(void)pkey;
	if ((r = store_file_decode(f, data)) == NULL)
		return EINVAL;
	if (r->seq == 0)
		return DB_DONOTINDEX;
	return store_key_be64(result, r->seq);
}

static int
store_index_outbox(DB *sec, const DBT *pkey, const DBT *data, DBT *result)
{
	struct store_file	*f = sec->app_private;
	struct record		*r;

	(void)pkey;
	if ((r = store_file_decode(f, data)) == NULL)
		return EINVAL;
	if ((r->flags & RECORD_DIRTY) == 0)
		return DB_DONOTINDEX;
	return store_key_be64(result, r->modified);
}

int (*const store_sub_callbacks[STORE_NSUB])(DB *, const DBT *,
    const DBT *, DBT *) = {
	store_index_name, store_index_ref, store_index_owner, store_index_seq,
	store_index_outbox, store_index_words
};
int
store_id_cmp(const void *a, const void *b)
{
	return record_id_cmp(a, b);
}

/*
 * The index entries Berkeley DB would make for a record (result of a
 * callback): one key or several. store_keys_free frees them.
 */
static void
store_keys_of(DBT *result, DBT **keys, u_int32_t *n)
{
	if (result->flags & DB_DBT_MULTIPLE) {
		*keys = result->data;
		*n = result->size;
	} else {
		*keys = result;
		*n = 1;
	}
}

static void
store_keys_free(DBT *result)
{
	DBT		*keys;
	u_int32_t	 n, j;

	store_keys_of(result, &keys, &n);
	for (j = 0; j < n; j++) {
		if (keys[j].flags & DB_DBT_APPMALLOC)
			free(keys[j].data);
	}
	if (keys != result && (result->flags & DB_DBT_APPMALLOC))
		free(keys);
}

/*
 * The key and data of a bulk read (DB_MULTIPLE_KEY): the key grows as
 * it must, the data is a buffer of STORE_WORDS_BULK bytes, returned for
 * the caller to free once done.
 */
static uint8_t *
store_bulk_init(DBT *key, DBT *data)
{
	uint8_t	*bulk = xmalloc(STORE_WORDS_BULK);

	memset(key, 0, sizeof *key);
	memset(data, 0, sizeof *data);
	data->data = bulk;
	data->ulen = STORE_WORDS_BULK;
	data->flags = DB_DBT_USERMEM;
	key->flags = DB_DBT_REALLOC;
	return bulk;
}

#define STORE_REINDEX_BATCH	2000	/* records a transaction */
/*
 * Make one index of a file again from its records: emptied, associated
 * again, and filled by batches of records, each in a transaction of its
 * own, so that a file of a million records never needs more locks than
 * one batch takes.
 */
static int
store_reindex_sub(struct store *st, struct store_file *f, int sub)
{
	DB		*raw = NULL;
	DB_TXN		*txn = NULL;
	DBC		*c = NULL;
	DBT		 key, data, result, *keys, pkey;
	u_int32_t	 count, nk, j;
	uint8_t		 last[RECORD_ID_SIZE];
	int		 ret, have_last = 0, n, done = 0;

	f->sub[sub]->close(f->sub[sub], 0);
	f->sub[sub] = NULL;
	if ((ret = st->env->txn_begin(st->env, NULL, &txn, 0)) != 0)
		return store_dberr(st, f->schema->file, ret);
	if (store_open_db(st, txn, &f->sub[sub], f->schema->file,
	    store_sub_names[sub], 2) != 0)
		goto fail;
	f->sub[sub]->app_private = f;
	if ((ret = f->sub[sub]->truncate(f->sub[sub], txn, &count, 0)) != 0 ||
	    (ret = f->primary->associate(f->primary, txn, f->sub[sub],
	    store_sub_callbacks[sub], 0)) != 0) {
		store_dberr(st, f->schema->file, ret);
		goto fail;
	}
	ret = txn->commit(txn, 0);
	txn = NULL;
	if (ret != 0 || store_open_db(st, NULL, &raw, f->schema->file,
	    store_sub_names[sub], 1) != 0) {
		if (ret != 0)
			store_dberr(st, f->schema->file, ret);
		goto fail;
	}
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.flags = data.flags = DB_DBT_REALLOC;
	while (!done) {
		if ((ret = st->env->txn_begin(st->env, NULL, &txn, 0)) != 0 ||
		    (ret = f->primary->cursor(f->primary, txn, &c, 0)) != 0)
			break;
		if (have_last) {
			key.data = xreallocarray(key.data, RECORD_ID_SIZE, 1);
			memcpy(key.data, last, RECORD_ID_SIZE);
			key.size = RECORD_ID_SIZE;
			ret = c->get(c, &key, &data, DB_SET_RANGE);
			if (ret == 0 && key.size == RECORD_ID_SIZE &&
			    memcmp(key.data, last, RECORD_ID_SIZE) == 0)
				ret = c->get(c, &key, &data, DB_NEXT);
		} else
			ret = c->get(c, &key, &data, DB_FIRST);
		for (n = 0; ret == 0 && n < STORE_REINDEX_BATCH; n++) {
			memset(&result, 0, sizeof result);
			ret = store_sub_callbacks[sub](f->sub[sub], &key, &data,
			    &result);
			if (ret == DB_DONOTINDEX)
				ret = 0;
			else if (ret == 0) {
				store_keys_of(&result, &keys, &nk);
				for (j = 0; j < nk && ret == 0; j++) {
					pkey = key;
					pkey.flags = 0;
					ret = raw->put(raw, txn, &keys[j], &pkey,
					    DB_NODUPDATA);
					if (ret == DB_KEYEXIST)
						ret = 0;
				}
				store_keys_free(&result);
			}
			if (ret == 0 && key.size == RECORD_ID_SIZE) {
				memcpy(last, key.data, RECORD_ID_SIZE);
				have_last = 1;
			}
			if (ret == 0)
				ret = c->get(c, &key, &data, DB_NEXT);
		}
		if (ret == DB_NOTFOUND) {
			done = 1;
			ret = 0;
		}
		c->close(c);
		c = NULL;
		if (ret != 0)
			break;
		ret = txn->commit(txn, 0);
		txn = NULL;
		if (ret != 0)
			break;
	}
	free(key.data);
	free(data.data);
	if (ret != 0) {
		store_dberr(st, f->schema->file, ret);
		goto fail;
	}
	raw->close(raw, 0);
	return 0;

fail:
	if (c != NULL)
		c->close(c);
	if (txn != NULL)
		txn->abort(txn);
	if (raw != NULL)
		raw->close(raw, 0);
	return -1;
}

/*
 * What made the name and words indexes: the folding (ICU's version) and,
 * after it, a digest of the fields the words index holds (FNV-1a of their
 * names), so that a model that indexes more fields indexes every record
 * again. Cannot fail; free the result.
 */
char *
store_fold_mark(const struct store *st)
{
	const struct store_schema *sc;
	uint64_t	 h = 14695981039346656037ULL;
	const char	*p;
	char		*mark;
	size_t		 i, j;

	for (i = 0; i < st->nfiles; i++) {
		sc = st->files[i].schema;
		for (j = 0; j < 8 + 3; j++) {
			p = j < 8 ? sc->word_fields[j] : sc->digit_fields[j - 8];
			for (; p != NULL && *p != '\0'; p++)
				h = (h ^ (unsigned char)*p) * 1099511628211ULL;
			h = (h ^ (j < 8 ? ',' : '#')) * 1099511628211ULL;
		}
	}
	xasprintf(&mark, "%s %016llx", utf8_fold_version(),
	    (unsigned long long)h);
	return mark;
}

/*
 * Index keys are folded text (utf8_fold) of the word fields: a database
 * whose keys another folding made (another ICU, or a database of schema
 * 1, which had no words index and folded case alone) or other fields
 * (store_fold_mark) has its name and words indexes made again, once,
 * before anything reads them.
 */
int
store_fold_check(struct store *st)
{
	struct store_txn	*t;
	char			*want = store_fold_mark(st);
	char			 have[64];
	size_t			 len = sizeof have - 1, i;
	uint8_t			 version = STORE_SCHEMA_VERSION;
	int			 ret;

	if (store_begin(st, &t) != 0) {
		free(want);
		return -1;
	}
	ret = store_meta_get(t, "fold", have, &len);
	store_abort(t);
	if (ret == -1 || (ret == 0 && len == strlen(want) &&
	    memcmp(have, want, len) == 0)) {
		free(want);
		return ret == -1 ? -1 : 0;
	}
	for (i = 0; i <= st->nfiles; i++) {
		struct store_file *f = i < st->nfiles ? &st->files[i] :
			    &st->conflicts;

		if (store_reindex_sub(st, f, STORE_SUB_NAME) != 0 ||
		    store_reindex_sub(st, f, STORE_SUB_WORDS) != 0) {
			free(want);
			return -1;
		}
	}
	/* New words, a new vocabulary. */
	if (store_vocab_build_all(st) != 0) {
		free(want);
		return -1;
	}
	if (store_begin(st, &t) != 0) {
		free(want);
		return -1;
	}
	if (store_meta_put(t, "fold", want, strlen(want)) != 0 ||
	    store_meta_put(t, "schema", &version, 1) != 0) {
		store_abort(t);
		free(want);
		return -1;
	}
	free(want);
	return store_commit(t);
}

/*
 * The vocabulary: the words of a file's words index, each once, for a
 * search that finds text inside words ("mann" in "Hoffmann"), which the
 * words index, ordered by each word's start, cannot. Its entries hold
 * sorted words a line each, up to STORE_VOCAB_CHUNK bytes, keyed by
 * their first word, so that a search reads the whole vocabulary in a
 * few large reads and finds a text in it with memmem (store_vocab_find),
 * and a write finds the entry a new word goes in with one look-up.
 *
 * Words holding a digit are left out: codes, numbers and a phone's
 * digits are found from their start (the words index), and they would
 * be most of the vocabulary, one or more for each record (measured on a
 * demo of a million records: contact123456, a phone's groups). Without
 * them it is a few megabytes where the words index is nearly a hundred.
 *
 * A word no record holds any longer stays (a deletion takes nothing
 * out): a search finds no record through it. The vocabulary is made
 * again, from the words index, with the words index (store_fold_check),
 * after a load, and once in a database made before it (meta.db's
 * "vocab").
 */
int
store_vocab_word(const char *w, size_t len)
{
	size_t	i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (w[i] >= '0' && w[i] <= '9')
			return 0;
	}
	return 1;
}

/*
 * Put word w into the vocabulary of f, in txn, unless it is there:
 * into the entry holding the words before it, which is split in two
 * when it grows past STORE_VOCAB_CHUNK.
 */
static int
store_vocab_put(struct store *st, struct store_file *f, DB_TXN *txn,
    const char *w, size_t wl)
{
	DBC		*c = NULL;
	DBT		 key, data, nkey, ndata;
	const char	*p, *end, *nl;
	char		*buf = NULL, *half;
	size_t		 at, len, cmp;
	int		 ret, first = 0;
	u_int32_t	 rmw = txn != NULL ? DB_RMW : 0;

	if ((ret = f->vocab->cursor(f->vocab, txn, &c, 0)) != 0)
		return store_dberr(st, f->schema->file, ret);
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = (void *)w;
	key.size = (u_int32_t)wl;
	key.flags = DB_DBT_MALLOC;
	data.flags = DB_DBT_MALLOC;
	/* The first entry whose first word is w or after it... */
	ret = c->get(c, &key, &data, DB_SET_RANGE | rmw);
	if (ret == 0 && key.size == wl && memcmp(key.data, w, wl) == 0) {
		free(key.data);
		free(data.data);
		c->close(c);
		return 0;
	}
	if (ret == 0 || ret == DB_NOTFOUND) {
		/* ...and the entry before it, which holds the words before. */
		if (ret == 0) {
			free(key.data);
			free(data.data);
		}
		key.data = NULL;
		data.data = NULL;
		ret = c->get(c, &key, &data, (ret == 0 ? DB_PREV : DB_LAST) |
		    rmw);
		if (ret == DB_NOTFOUND) {
			/* w comes first: into the first entry, if any. */
			first = 1;
			ret = c->get(c, &key, &data, DB_FIRST | rmw);
		}
	}
	c->close(c);
	if (ret == DB_NOTFOUND) {
		/* An empty vocabulary. */
		memset(&key, 0, sizeof key);
		memset(&data, 0, sizeof data);
		key.data = data.data = (void *)w;
		key.size = data.size = (u_int32_t)wl;
		if ((ret = f->vocab->put(f->vocab, txn, &key, &data, 0)) != 0)
			return store_dberr(st, f->schema->file, ret);
		return 0;
	}
	if (ret != 0)
		return store_dberr(st, f->schema->file, ret);
	/* Where w goes among the entry's lines, unless one is w. */
	p = data.data;
	end = p + data.size;
	at = data.size;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = (nl != NULL ? nl : end) - p;
		cmp = len < wl ? len : wl;
		ret = memcmp(p, w, cmp);
		if (ret == 0 && len == wl) {
			free(key.data);
			free(data.data);
			return 0;
		}
		if (ret > 0 || (ret == 0 && len > wl)) {
			at = (size_t)(p - (const char *)data.data);
			break;
		}
		p += len + 1;
	}
	buf = xmalloc(data.size + wl + 1);
	if (at == data.size) {
		memcpy(buf, data.data, data.size);
		buf[data.size] = '\n';
		memcpy(buf + data.size + 1, w, wl);
	} else {
		memcpy(buf, data.data, at);
		memcpy(buf + at, w, wl);
		buf[at + wl] = '\n';
		memcpy(buf + at + wl + 1, (char *)data.data + at,
		    data.size - at);
	}
	len = data.size + wl + 1;
	free(data.data);
	ret = 0;
	if (first) {
		/* The entry's key is its first word, now w. */
		ret = f->vocab->del(f->vocab, txn, &key, 0);
		free(key.data);
		key.data = (void *)w;
		key.size = (u_int32_t)wl;
		key.flags = 0;
	}
	memset(&data, 0, sizeof data);
	data.data = buf;
	data.size = (u_int32_t)len;
	if (ret == 0 && len > STORE_VOCAB_CHUNK &&
	    (half = memchr(buf + len / 2, '\n', len - len / 2)) != NULL) {
		/* Split: the second half is an entry of its own. */
		data.size = (u_int32_t)(half - buf);
		memset(&nkey, 0, sizeof nkey);
		memset(&ndata, 0, sizeof ndata);
		ndata.data = half + 1;
		ndata.size = (u_int32_t)(len - (size_t)(half + 1 - buf));
		nl = memchr(ndata.data, '\n', ndata.size);
		nkey.data = ndata.data;
		nkey.size = nl != NULL ? (u_int32_t)(nl - half - 1) :
		    ndata.size;
		ret = f->vocab->put(f->vocab, txn, &nkey, &ndata, 0);
	}
	if (ret == 0)
		ret = f->vocab->put(f->vocab, txn, &key, &data, 0);
	if (!first)
		free(key.data);
	free(buf);
	if (ret != 0)
		return store_dberr(st, f->schema->file, ret);
	return 0;
}

/* The words of a record just written go into the vocabulary. */
int
store_vocab_record(struct store_txn *t, struct store_file *f,
    const DBT *key, const DBT *data)
{
	DBT		 result, *keys;
	u_int32_t	 n, j;
	int		 ret;

	memset(&result, 0, sizeof result);
	ret = store_index_words(f->sub[STORE_SUB_WORDS], key, data, &result);
	if (ret == DB_DONOTINDEX)
		return 0;
	if (ret != 0)
		return store_dberr(t->st, f->schema->file, ret);
	store_keys_of(&result, &keys, &n);
	for (j = 0; j < n && ret == 0; j++) {
		if (store_vocab_word(keys[j].data, keys[j].size))
			ret = store_vocab_put(t->st, f, t->txn,
			    keys[j].data, keys[j].size);
	}
	store_keys_free(&result);
	return ret;
}

/* Put an entry of words made by store_vocab_build. */
static int
store_vocab_flush(struct store *st, struct store_file *f, DB_TXN *txn,
    const char *buf, size_t len)
{
	DBT		 key, data;
	const char	*nl;
	int		 ret;

	if (len == 0)
		return 0;
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	nl = memchr(buf, '\n', len);
	key.data = data.data = (void *)buf;
	key.size = nl != NULL ? (u_int32_t)(nl - buf) : (u_int32_t)len;
	data.size = (u_int32_t)len;
	if ((ret = f->vocab->put(f->vocab, txn, &key, &data, 0)) != 0)
		return store_dberr(st, f->schema->file, ret);
	return 0;
}

/*
 * Make the vocabulary of f again from its words index: emptied, then
 * filled in order, STORE_VOCAB_BATCH entries to a transaction.
 */
static int
store_vocab_build(struct store *st, struct store_file *f)
{
	DB		*raw = NULL;
	DB_TXN		*txn = NULL;
	DBC		*c = NULL;
	DBT		 key, data, k, d;
	void		*p;
	uint8_t		*bulk;
	char		*buf, *last;
	size_t		 len = 0, lastlen = 0;
	u_int32_t	 count;
	int		 ret, puts = 0;

	if (f->vocab == NULL)
		return 0;
	if ((st->flags & STORE_BULK) == 0 &&
	    (ret = st->env->txn_begin(st->env, NULL, &txn, 0)) != 0)
		return store_dberr(st, f->schema->file, ret);
	if ((ret = f->vocab->truncate(f->vocab, txn, &count, 0)) != 0 ||
	    (txn != NULL && (ret = txn->commit(txn, 0)) != 0)) {
		if (txn != NULL && ret != 0)
			txn->abort(txn);
		return store_dberr(st, f->schema->file, ret);
	}
	txn = NULL;
	if (store_open_db(st, NULL, &raw, f->schema->file,
	    store_sub_names[STORE_SUB_WORDS], 1) != 0)
		return -1;
	if ((ret = raw->cursor(raw, NULL, &c, 0)) != 0) {
		raw->close(raw, 0);
		return store_dberr(st, f->schema->file, ret);
	}
	bulk = store_bulk_init(&key, &data);
	buf = xmalloc(STORE_VOCAB_CHUNK + 256);
	last = xmalloc(STORE_WORD_MAX + 1);
	while ((ret = c->get(c, &key, &data, DB_NEXT | DB_MULTIPLE_KEY)) ==
	    0) {
		DB_MULTIPLE_INIT(p, &data);
		for (;;) {
			DB_MULTIPLE_KEY_NEXT(p, &data, k.data, k.size, d.data,
			    d.size);
			if (p == NULL)
				break;
			(void)d;
			if (k.size > STORE_WORD_MAX || (k.size == lastlen &&
			    memcmp(k.data, last, lastlen) == 0) ||
			    !store_vocab_word(k.data, k.size))
				continue;
			memcpy(last, k.data, k.size);
			lastlen = k.size;
			if (len > 0 && len + 1 + k.size > STORE_VOCAB_CHUNK) {
				if (txn == NULL && (st->flags &
				    STORE_BULK) == 0 && (ret = st->env->txn_begin(
				    st->env, NULL, &txn, 0)) != 0) {
					store_dberr(st, f->schema->file, ret);
					ret = -1;
					goto out;
				}
				if (store_vocab_flush(st, f, txn, buf,
				    len) != 0) {
					ret = -1;
					goto out;
				}
				len = 0;
				if (txn != NULL && ++puts % STORE_VOCAB_BATCH ==
				    0) {
					ret = txn->commit(txn, 0);
					txn = NULL;
					if (ret != 0) {
						store_dberr(st,
						    f->schema->file, ret);
						ret = -1;
						goto out;
					}
				}
			}
			if (len > 0)
				buf[len++] = '\n';
			memcpy(buf + len, k.data, k.size);
			len += k.size;
		}
	}
	if (ret != DB_NOTFOUND) {
		store_dberr(st, f->schema->file, ret);
		ret = -1;
		goto out;
	}
	ret = 0;
	if (len > 0 && txn == NULL && (st->flags & STORE_BULK) == 0 &&
	    (ret = st->env->txn_begin(st->env, NULL, &txn, 0)) != 0) {
		store_dberr(st, f->schema->file, ret);
		ret = -1;
		goto out;
	}
	if (store_vocab_flush(st, f, txn, buf, len) != 0) {
		ret = -1;
		goto out;
	}
	if (txn != NULL) {
		ret = txn->commit(txn, 0);
		txn = NULL;
		if (ret != 0) {
			store_dberr(st, f->schema->file, ret);
			ret = -1;
		}
	}
out:
	if (txn != NULL)
		txn->abort(txn);
	c->close(c);
	raw->close(raw, 0);
	free(key.data);
	free(bulk);
	free(buf);
	free(last);
	return ret;
}

/* Every file's vocabulary made again, and meta.db says so. */
int
store_vocab_build_all(struct store *st)
{
	struct store_txn	*t;
	size_t			 i;

	for (i = 0; i < st->nfiles; i++) {
		if (store_vocab_build(st, &st->files[i]) != 0)
			return -1;
	}
	st->vocab_stale = 0;
	if (store_begin(st, &t) != 0)
		return -1;
	if (store_meta_put(t, "vocab", STORE_VOCAB_MARK,
	    strlen(STORE_VOCAB_MARK)) != 0) {
		store_abort(t);
		return -1;
	}
	return store_commit(t);
}

/* A database made before the vocabulary (or another one) gets it, once. */
int
store_vocab_check(struct store *st)
{
	struct store_txn	*t;
	char			 have[16];
	size_t			 len = sizeof have - 1;
	int			 ret;

	if (store_begin(st, &t) != 0)
		return -1;
	ret = store_meta_get(t, "vocab", have, &len);
	store_abort(t);
	if (ret == -1)
		return -1;
	if (ret == 0 && len == strlen(STORE_VOCAB_MARK) &&
	    memcmp(have, STORE_VOCAB_MARK, len) == 0)
		return 0;
	return store_vocab_build_all(st);
}

int
store_vocab_find(struct store_txn *t, size_t file, const char *sub,
    size_t max, char ***words, size_t *n)
{
	struct store_file	*f = store_file(t, file);
	DBC			*c = NULL;
	DBT			 key, data, k, d;
	void			*p;
	uint8_t			*bulk;
	const char		*s, *hit, *b, *e, *end;
	size_t			 sl = strlen(sub), cap = 0;
	int			 ret;

	*words = NULL;
	*n = 0;
	if (f->vocab == NULL || sl == 0)
		return 0;
	if ((ret = f->vocab->cursor(f->vocab, t->txn, &c, 0)) != 0)
		return store_dberr(t->st, f->schema->file, ret);
	bulk = store_bulk_init(&key, &data);
	while ((ret = c->get(c, &key, &data, DB_NEXT | DB_MULTIPLE_KEY)) ==
	    0) {
		DB_MULTIPLE_INIT(p, &data);
		for (;;) {
			DB_MULTIPLE_KEY_NEXT(p, &data, k.data, k.size, d.data,
			    d.size);
			if (p == NULL)
				break;
			(void)k;
			s = d.data;
			end = s + d.size;
			while (s < end &&
			    (hit = memmem(s, (size_t)(end - s), sub, sl)) !=
			    NULL) {
				/* The line (word) it is in, once. */
				for (b = hit; b > (const char *)d.data &&
				    b[-1] != '\n'; b--)
					/* nothing */;
				if ((e = memchr(hit, '\n', (size_t)(end -
				    hit))) == NULL)
					e = end;
				s = e + 1;
				if (*n == max) {
					ret = STORE_TOO_MANY;
					goto out;
				}
				if (*n == cap) {
					cap = cap ? cap * 2 : 32;
					*words = xreallocarray(*words, cap,
					    sizeof **words);
				}
				(*words)[(*n)++] = xstrndup(b, (size_t)(e - b));
			}
		}
	}
out:
	c->close(c);
	free(key.data);
	free(bulk);
	if (ret == DB_NOTFOUND)
		ret = 0;
	if (ret != 0) {
		while (*n > 0)
			free((*words)[--*n]);
		free(*words);
		*words = NULL;
		if (ret == STORE_TOO_MANY)
			return STORE_TOO_MANY;
		return store_dberr(t->st, f->schema->file, ret);
	}
	return 0;
}

/*
 * The index sub of f once more, not associated (f->raw). Opened in a
 * transaction of its own, and kept: unless the caller's has written,
 * when that would wait on its pages; then in the caller's, and an abort
 * takes it away again (store_abort).
 */
int
store_raw(struct store_txn *t, struct store_file *f, int sub)
{
	DB_TXN	*in = t->wrote && t->nraw < STORE_TXN_RAW ? t->txn : NULL;

	if (f->raw[sub] != NULL)
		return 0;
	if (store_open_db(t->st, in, &f->raw[sub], f->schema->file,
	    store_sub_names[sub], 1) != 0)
		return -1;
	if (in != NULL)
		t->raw[t->nraw++] = &f->raw[sub];
	return 0;
}

int
store_cursor_keys(struct store_cursor *c)
{
	DBC	*rc;
	int	 sub = (int)c->idx - 1, ret;

	if (c->idx == STORE_BY_ID || c->idx == STORE_BY_JOURNAL ||
	    c->started || c->keys)
		fatal("store: store_cursor_keys wants a fresh index cursor");
	if (store_raw(c->t, c->f, sub) != 0)
		return -1;
	if ((ret = c->f->raw[sub]->cursor(c->f->raw[sub], c->t->txn, &rc,
	    0)) != 0)
		return store_dberr(c->t->st, c->f->schema->file, ret);
	c->c->close(c->c);
	c->c = rc;
	c->keys = 1;
	return 0;
}

int
store_cursor_only(struct store_cursor *c, const struct record_id *ids,
    size_t n)
{
	if (store_cursor_keys(c) != 0)
		return -1;
	c->only = ids;
	c->nonly = n;
	return 0;
}

int
store_index_ids(struct store_txn *t, size_t file, enum store_index idx,
    const void *prefix, size_t plen, size_t max, struct record_id **ids,
    size_t *n)
{
	struct store_file	*f = store_file(t, file);
	DBC			*c = NULL;
	DBT			 key, data, k, d;
	void			*p;
	size_t			 cap = 0, i, j;
	uint8_t			*buf;
	int			 ret, op, more = 1, sub = (int)idx - 1;

	*ids = NULL;
	*n = 0;
	if (idx == STORE_BY_ID || sub >= STORE_NSUB)
		fatal("store: store_index_ids wants a secondary index");
	if (idx == STORE_BY_WORDS && plen > STORE_WORD_MAX) {
		plen = STORE_WORD_MAX;
		while (plen > 0 &&
		    (((const unsigned char *)prefix)[plen] & 0xc0) == 0x80)
			plen--;
	}
	if (store_raw(t, f, sub) != 0)
		return -1;
	if ((ret = f->raw[sub]->cursor(f->raw[sub], t->txn, &c, 0)) != 0)
		return store_dberr(t->st, f->schema->file, ret);
	/* Entries come many to a call: pages of them at once. */
	buf = xmalloc(STORE_WORDS_BULK);
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = xmalloc(plen + 1);
	memcpy(key.data, prefix, plen);
	key.size = (u_int32_t)plen;
	key.flags = DB_DBT_REALLOC;
	data.data = buf;
	data.ulen = STORE_WORDS_BULK;
	data.flags = DB_DBT_USERMEM;
	op = DB_SET_RANGE;
	ret = 0;
	while (more) {
		ret = c->get(c, &key, &data, op | DB_MULTIPLE_KEY);
		op = DB_NEXT;
		if (ret != 0)
			break;
		DB_MULTIPLE_INIT(p, &data);
		for (;;) {
			DB_MULTIPLE_KEY_NEXT(p, &data, k.data, k.size, d.data,
			    d.size);
			if (p == NULL)
				break;
			if (k.size < plen || memcmp(k.data, prefix, plen) != 0) {
				more = 0;
				break;
			}
			if (d.size != RECORD_ID_SIZE)
				continue;
			if (*n == max) {
				ret = STORE_TOO_MANY;
				more = 0;
				break;
			}
			if (*n == cap) {
				cap = cap ? cap * 2 : 256;
				*ids = xreallocarray(*ids, cap, sizeof **ids);
			}
			memcpy((*ids)[(*n)++].b, d.data, RECORD_ID_SIZE);
		}
	}
	c->close(c);
	free(key.data);
	free(buf);
	if (ret == DB_NOTFOUND)
		ret = 0;
	if (ret != 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		if (ret == STORE_TOO_MANY)
			return STORE_TOO_MANY;
		return store_dberr(t->st, f->schema->file, ret);
	}
	/* One record may hold several words with the prefix: once each. */
	if (*n > 1)
		qsort(*ids, *n, sizeof **ids, store_id_cmp);
	for (i = j = 0; i < *n; i++) {
		if (j == 0 || record_id_cmp(&(*ids)[i], &(*ids)[j - 1]) != 0)
			(*ids)[j++] = (*ids)[i];
	}
	*n = j;
	return 0;
}
