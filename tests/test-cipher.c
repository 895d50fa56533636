/*
 * test-cipher: the AES blocks crm does for Berkeley DB (store-cipher.c)
 * are Berkeley DB's, block for block: under random keys, with more keys
 * alive than it keeps schedules for, with a schedule made again in place
 * under another key; and a store linked as crm is has its pages done
 * there and reads back what it wrote; whole pages are Berkeley DB's
 * pages too. The SHA-1 blocks of Berkeley DB's page MACs done with the
 * processor's SHA instructions (store-mac.c) are Berkeley DB's, its
 * rare rounds included.
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

/* Berkeley DB 5.3's instances (crypto/rijndael/rijndael-api-fst.h). */
struct key_instance {
	uint8_t		 direction;
	int		 keyLen;
	char		 keyMaterial[64 + 1];
	int		 Nr;
	uint32_t	 rk[60];
	uint32_t	 ek[60];
};
struct cipher_instance {
	uint8_t		 mode;
	uint8_t		 IV[16];
};
typedef int	page_fn(struct cipher_instance *, struct key_instance *,
		    uint8_t *, size_t, uint8_t *);
int	__db_makeKey(struct key_instance *, int, int, char *);
int	__db_cipherInit(struct cipher_instance *, int, char *);
int	__db_blockEncrypt(struct cipher_instance *, struct key_instance *,
	    uint8_t *, size_t, uint8_t *);
int	__db_blockDecrypt(struct cipher_instance *, struct key_instance *,
	    uint8_t *, size_t, uint8_t *);

/*
 * Whole pages, as Berkeley DB hands them over (CBC, in place) and out of
 * place: crm's page functions give Berkeley DB's bytes and counts, leave
 * the IV alone, and decrypt back; nettle does them whole.
 */
static void
test_cipher_pages(void)
{
	enum { LEN = 8192 };
	static uint8_t		plain[LEN], a[LEN], b[LEN], c[LEN];
	struct key_instance	ke, kd;
	struct cipher_instance	ci;
	page_fn			*db_enc, *db_dec;
	uint8_t			key[16], iv[16];
	int			i, bad = 0;

	CU_ASSERT_PTR_NOT_NULL(strstr(store_cipher_check(), "whole pages"));
	db_enc = (page_fn *)dlsym(RTLD_NEXT, "__db_blockEncrypt");
	db_dec = (page_fn *)dlsym(RTLD_NEXT, "__db_blockDecrypt");
	CU_ASSERT_FATAL(db_enc != NULL && db_dec != NULL);
	CU_ASSERT_FATAL(db_enc != __db_blockEncrypt);
	for (i = 0; i < 50; i++) {
		random_bytes(key, sizeof key);
		random_bytes(iv, sizeof iv);
		random_bytes(plain, sizeof plain);
		memset(&ke, 0, sizeof ke);
		memset(&kd, 0, sizeof kd);
		CU_ASSERT_FATAL(__db_makeKey(&ke, 0, 128, (char *)key) == 1);
		CU_ASSERT_FATAL(__db_makeKey(&kd, 1, 128, (char *)key) == 1);
		CU_ASSERT_FATAL(__db_cipherInit(&ci, 2, (char *)iv) == 1);
		memcpy(a, plain, LEN);
		bad += db_enc(&ci, &ke, a, LEN * 8, a) != LEN * 8;
		bad += __db_blockEncrypt(&ci, &ke, plain, LEN * 8, b) !=
		    LEN * 8;
		bad += memcmp(a, b, LEN) != 0;
		bad += memcmp(ci.IV, iv, sizeof iv) != 0;
		bad += __db_blockDecrypt(&ci, &kd, b, LEN * 8, b) != LEN * 8;
		bad += memcmp(b, plain, LEN) != 0;
		bad += db_dec(&ci, &kd, a, LEN * 8, c) != LEN * 8;
		bad += memcmp(c, plain, LEN) != 0;
		/* A part of a block is left as it was, as Berkeley DB does. */
		memcpy(a, plain, LEN);
		memcpy(b, plain, LEN);
		bad += db_enc(&ci, &ke, a, 200, a) != 128;
		bad += __db_blockEncrypt(&ci, &ke, b, 200, b) != 128;
		bad += memcmp(a, b, LEN) != 0;
	}
	/* Keyed for the other direction: refused, as Berkeley DB does. */
	bad += __db_blockDecrypt(&ci, &ke, a, LEN * 8, a) !=
	    db_dec(&ci, &ke, a, LEN * 8, a);
	CU_ASSERT_EQUAL(bad, 0);
}

/* The page MAC's SHA-1 blocks (store-mac.c). */
typedef void	sha_fn(uint32_t *, unsigned char *);
void	__db_SHA1Transform(uint32_t *, unsigned char *);

static int
mac_has_sha(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	return __builtin_cpu_supports("sha") &&
	    __builtin_cpu_supports("sse4.1");
#else
	return 0;
#endif
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
	uint64_t		 before, after, mac_before, mac_after, rare;

	snprintf(dir, sizeof dir, "%s", unit_path("l"));
	store_set_key(dir, key);
	store_cipher_stats(&before);
	store_mac_stats(&mac_before, &rare);
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
	/* Its pages were signed: the SHA-1 blocks came here. */
	CU_ASSERT_PTR_NOT_NULL(store_mac_stats(&mac_after, &rare));
	CU_ASSERT(!mac_has_sha() || mac_after > mac_before);

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

static sha_fn *
mac_db(void)
{
	sha_fn	*db = (sha_fn *)dlsym(RTLD_NEXT, "__db_SHA1Transform");

	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT_FATAL(db != __db_SHA1Transform);
	return db;
}

/* Both from one state and block: the same state after, the block kept. */
static int
mac_agrees(sha_fn *db, const uint32_t state[5], const unsigned char *block)
{
	uint32_t	x[5], y[5];
	unsigned char	a[64], b[64];

	memcpy(x, state, sizeof x);
	memcpy(y, state, sizeof y);
	memcpy(a, block, sizeof a);
	memcpy(b, block, sizeof b);
	db(x, a);
	__db_SHA1Transform(y, b);
	return memcmp(x, y, sizeof x) == 0 && memcmp(b, block, 64) == 0;
}

static void
test_mac_chosen(void)
{
	const char	*why = store_mac_check();

	if (mac_has_sha())
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "SHA instructions, checked"))
	else
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "no SHA instructions"));
}

/*
 * Berkeley DB's SHA-1 is not SHA-1 (store-mac.c): FIPS 180-1's "abc"
 * block from SHA-1's starting state gives a9993e36... in SHA-1, and
 * c8afef54... in Berkeley DB's; crm's gives Berkeley DB's.
 */
static void
test_mac_not_sha1(void)
{
	uint32_t	s[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE,
			    0x10325476, 0xC3D2E1F0 };
	unsigned char	block[64] = { 'a', 'b', 'c', 0x80 };

	block[63] = 24;		/* the length in bits */
	CU_ASSERT(mac_agrees(mac_db(), s, block));
	__db_SHA1Transform(s, block);
	CU_ASSERT_EQUAL(s[0], 0xc8afef54);
	CU_ASSERT_NOT_EQUAL(s[0], 0xa9993e36);
}

/*
 * Random states and blocks, and states of few bits, which take the rare
 * rounds, through both: the same, and rare rounds taken.
 */
static void
test_mac_random(void)
{
	sha_fn		*db = mac_db();
	uint32_t	 state[5], mask[5];
	unsigned char	 block[64];
	uint64_t	 blocks0, rare0, blocks1, rare1;
	int		 i, j, k, bad = 0;

	store_mac_check();
	store_mac_stats(&blocks0, &rare0);
	for (i = 0; i < 40000; i++) {
		random_bytes(block, sizeof block);
		if (i % 4 == 3)
			memset(block + 4 * (i % 16), 0, 64 - 4 * (i % 16));
		random_bytes((uint8_t *)state, sizeof state);
		/* Half with a bit in 16 set: f(b,c,d) is often 0. */
		for (j = 0; i >= 20000 && j < 3; j++) {
			random_bytes((uint8_t *)mask, sizeof mask);
			for (k = 0; k < 5; k++)
				state[k] &= mask[k];
		}
		bad += !mac_agrees(db, state, block);
	}
	CU_ASSERT_EQUAL(bad, 0);
	store_mac_stats(&blocks1, &rare1);
	if (mac_has_sha()) {
		CU_ASSERT(blocks1 - blocks0 == 40000);
		/* The rare rounds were met, and were right. */
		CU_ASSERT(rare1 - rare0 > 1000);
	}
}

int
main(void)
{
	static const struct unit_test tests[] = {
		{ "cipher_chosen", test_cipher_chosen },
		{ "cipher_random_keys", test_cipher_random_keys },
		{ "cipher_schedules_change", test_cipher_schedules_change },
		{ "cipher_pages", test_cipher_pages },
		{ "cipher_store", test_cipher_store },
		{ "mac_chosen", test_mac_chosen },
		{ "mac_not_sha1", test_mac_not_sha1 },
		{ "mac_random", test_mac_random },
		{ NULL, NULL }
	};

	return unit_run("cipher", tests);
}
