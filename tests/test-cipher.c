/*
 * test-cipher: the AES blocks crm does for Berkeley DB (store-cipher.c)
 * are Berkeley DB's, block for block: under random keys, with more keys
 * alive than it keeps schedules for, with a schedule made again in place
 * under another key; and a store linked as crm is has its pages done
 * there and reads back what it wrote.
 */
#define _GNU_SOURCE

#include "config.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "model.h"
#include "record.h"
#include "store.h"
#include "unit.h"

typedef void	block_fn(uint32_t *, int, const uint8_t *, uint8_t *);

/* Berkeley DB's, and (defined in this program) crm's. */
int	__db_rijndaelKeySetupEnc(uint32_t *, const uint8_t *, int);
int	__db_rijndaelKeySetupDec(uint32_t *, const uint8_t *, int);
void	__db_rijndaelEncrypt(uint32_t *, int, const uint8_t *, uint8_t *);
void	__db_rijndaelDecrypt(uint32_t *, int, const uint8_t *, uint8_t *);

#define WORDS	60	/* Berkeley DB's room for a schedule: 4 * (14 + 1) */

static block_fn	*db_encrypt, *db_decrypt;
static unsigned	 seed = 20261207;

static void
random_bytes(uint8_t *p, size_t n)
{
	while (n-- > 0)
		*p++ = (uint8_t)(rand_r(&seed) >> 5);
}

static void
find_db(void)
{
	db_encrypt = (block_fn *)dlsym(RTLD_NEXT, "__db_rijndaelEncrypt");
	db_decrypt = (block_fn *)dlsym(RTLD_NEXT, "__db_rijndaelDecrypt");
	CU_ASSERT_FATAL(db_encrypt != NULL && db_decrypt != NULL);
	/* Ours are not Berkeley DB's, or this would test nothing. */
	CU_ASSERT_FATAL(db_encrypt != __db_rijndaelEncrypt);
}

/* One block both ways under both implementations: all agree. */
static int
agrees(uint32_t *enc, uint32_t *dec, const uint8_t in[16])
{
	uint8_t	a[16], b[16], c[16], d[16];

	db_encrypt(enc, 10, in, a);
	__db_rijndaelEncrypt(enc, 10, in, b);
	db_decrypt(dec, 10, a, c);
	__db_rijndaelDecrypt(dec, 10, a, d);
	return memcmp(a, b, 16) == 0 && memcmp(c, in, 16) == 0 &&
	    memcmp(d, in, 16) == 0;
}

static void
test_cipher_chosen(void)
{
	const char	*why = store_cipher_check();

	CU_ASSERT_PTR_NOT_NULL_FATAL(why);
	/* Where nettle's AES agrees, as it must, it is the one used. */
	CU_ASSERT(strncmp(why, "nettle's AES", 12) == 0);
	if (strncmp(why, "nettle's AES", 12) != 0)
		fprintf(stderr, "test-cipher: the AES chosen: %s\n", why);
}

static void
test_cipher_random_keys(void)
{
	uint32_t	enc[WORDS], dec[WORDS];
	uint8_t		key[16], in[16];
	int		i, j, bad = 0;

	find_db();
	store_cipher_check();
	for (i = 0; i < 2000; i++) {
		random_bytes(key, sizeof key);
		CU_ASSERT_FATAL(__db_rijndaelKeySetupEnc(enc, key, 128) == 10);
		CU_ASSERT_FATAL(__db_rijndaelKeySetupDec(dec, key, 128) == 10);
		for (j = 0; j < 8; j++) {
			random_bytes(in, sizeof in);
			bad += !agrees(enc, dec, in);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/*
 * Twelve keys alive at once, used in turn (more than the schedules kept),
 * then each schedule made again where it lives under a new key, as a
 * buffer freed and given to another database would be: no block may be
 * done under the schedule that was there before.
 */
static void
test_cipher_schedules_change(void)
{
	enum { NKEYS = 12 };
	static uint32_t	enc[NKEYS][WORDS], dec[NKEYS][WORDS];
	uint8_t		key[16], in[16];
	int		i, round, bad = 0;

	find_db();
	store_cipher_check();
	for (round = 0; round < 3; round++) {
		for (i = 0; i < NKEYS; i++) {
			random_bytes(key, sizeof key);
			__db_rijndaelKeySetupEnc(enc[i], key, 128);
			__db_rijndaelKeySetupDec(dec[i], key, 128);
		}
		for (i = 0; i < 5 * NKEYS; i++) {
			random_bytes(in, sizeof in);
			bad += !agrees(enc[i % NKEYS], dec[i % NKEYS], in);
			/* The same buffer, straight after, another key. */
			if (i == NKEYS) {
				random_bytes(key, sizeof key);
				__db_rijndaelKeySetupEnc(enc[0], key, 128);
				__db_rijndaelKeySetupDec(dec[0], key, 128);
				bad += !agrees(enc[0], dec[0], in);
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/*
 * A store in this program, linked as crm is (CIPHER_LDFLAGS): Berkeley
 * DB's pages come here, and what was written reads back.
 */
static void
test_cipher_store(void)
{
	static const char	 key[] = "0123456789abcdef0123456789abcdef";
	char			 dir[4000];
	struct store		*st;
	struct store_txn	*t;
	struct record		*r;
	struct record_id	 id;
	uint64_t		 before, after;

	snprintf(dir, sizeof dir, "%s", unit_path("l"));
	store_set_key(dir, key);
	store_cipher_stats(&before);
	CU_ASSERT_FATAL(model_create(dir, STORE_LOCAL) == 0);
	st = model_open(dir, STORE_LOCAL, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	r = record_new();
	record_id_new(&r->id, clock_now_ms());
	record_set(r, "name", "Quillfeather Ltd", 1);
	id = r->id;
	CU_ASSERT(store_put(t, MODEL_COMPANY, r, 0) == 0);
	record_free(r);
	CU_ASSERT(store_commit(t) == 0);
	CU_ASSERT(store_close(st) == 0);
	CU_ASSERT_PTR_NOT_NULL(store_cipher_stats(&after));
	CU_ASSERT(after > before);

	st = model_open(dir, STORE_LOCAL, 0, 5);
	CU_ASSERT_FATAL(st != NULL);
	CU_ASSERT_FATAL(store_begin(st, &t) == 0);
	CU_ASSERT_FATAL(store_get(t, MODEL_COMPANY, &id, &r) == 0);
	CU_ASSERT_STRING_EQUAL(record_value(r, "name"), "Quillfeather Ltd");
	record_free(r);
	store_abort(t);
	CU_ASSERT(store_close(st) == 0);
	store_set_key(dir, NULL);
}

int
main(void)
{
	static const struct unit_test tests[] = {
		{ "cipher_chosen", test_cipher_chosen },
		{ "cipher_random_keys", test_cipher_random_keys },
		{ "cipher_schedules_change", test_cipher_schedules_change },
		{ "cipher_store", test_cipher_store },
		{ NULL, NULL }
	};

	return unit_run("cipher", tests);
}
