/*
 * store-cipher: the AES of Berkeley DB's encrypted files, block by block,
 * done by nettle.
 *
 * Berkeley DB 5.3 encrypts every page of an encrypted database (and every
 * log record) with AES-128 in CBC mode, one 16-byte block at a time,
 * through __db_rijndaelEncrypt and __db_rijndaelDecrypt: the reference
 * table-driven Rijndael in C. On a long scan that is the larger part of
 * what encryption costs (doc/encryption-cost.md: about 19 us of the 41 us
 * an 8 KB page costs to read). libdb-5.3.so calls both functions through
 * its procedure linkage table, so a program that exports the same two
 * names answers those calls itself: crm is linked so (Makefile.am,
 * CRM_EXPORT_CIPHER), and does the blocks with nettle's AES, which uses
 * the processor's AES instructions where it has them (about 1.5 us a
 * page here).
 *
 * Berkeley DB's page functions, __db_blockEncrypt and __db_blockDecrypt
 * (CBC over a page, 512 calls of the block functions for 8 KB), are
 * answered too: nettle does the whole page in one pass, once a check has
 * found that the instances they are given are laid out as declared here.
 *
 * Nothing else changes: the blocks, the chaining, the key schedule and
 * the HMAC stay Berkeley DB's, so db5.3_dump -P reads what crm writes, a
 * crm without this reads it too, and the other way round. Berkeley DB
 * hands over its own key schedule: the FIPS-197 round keys as big-endian
 * words, the decryption's reversed and with InvMixColumns applied, which
 * is nettle's order too. Turning it into nettle's (each word in memory
 * order) takes 44 byte swaps, done once per schedule and kept with where
 * it lives; each block then checks the schedule's cipher key, which
 * determines the whole schedule, against the one kept.
 *
 * Before the first key is used (store_cipher_check, from store_set_key),
 * FIPS-197's example and blocks under random keys go through both this
 * and Berkeley DB's own functions (found with dlsym(RTLD_NEXT)); if any
 * block differs, this run keeps Berkeley DB's own. CRM_CIPHER=db keeps
 * them too, for a comparison (bench/encrypt.sh).
 */
#define _GNU_SOURCE

#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/cbc.h>

#include "error.h"
#include "store.h"

/* Berkeley DB's names and types (crypto/rijndael/rijndael-alg-fst.h). */
typedef uint32_t	db_u32;
typedef uint8_t		db_u8;
void	__db_rijndaelEncrypt(db_u32 *, int, const db_u8 *, db_u8 *);
void	__db_rijndaelDecrypt(db_u32 *, int, const db_u8 *, db_u8 *);
int	__db_rijndaelKeySetupEnc(db_u32 *, const db_u8 *, int);
int	__db_rijndaelKeySetupDec(db_u32 *, const db_u8 *, int);

typedef void	cipher_block_fn(db_u32 *, int, const db_u8 *, db_u8 *);

/*
 * A page at a time: Berkeley DB's __aes_decrypt and __aes_encrypt hand a
 * whole page to __db_blockDecrypt and __db_blockEncrypt (CBC), which call
 * the block functions above 512 times for 8 KB. Answering those two too
 * saves the calls, and lets nettle decrypt the page in one pass. Their
 * instances are Berkeley DB 5.3's (crypto/rijndael/rijndael-api-fst.h),
 * copied here; the check below finds out whether they are this
 * libdb's, comparing whole pages with its own functions, before any is
 * used.
 */
struct db_key_instance {
	db_u8		 direction;	/* DIR_ENCRYPT 0, DIR_DECRYPT 1 */
	int		 keyLen;
	char		 keyMaterial[64 + 1];
	int		 Nr;
	db_u32		 rk[4 * (14 + 1)];
	db_u32		 ek[4 * (14 + 1)];
};
struct db_cipher_instance {
	db_u8		 mode;		/* MODE_CBC 2 */
	db_u8		 IV[16];
};
#define CIPHER_DIR_ENCRYPT	0
#define CIPHER_DIR_DECRYPT	1
#define CIPHER_MODE_CBC		2
int	__db_makeKey(struct db_key_instance *, int, int, char *);
int	__db_cipherInit(struct db_cipher_instance *, int, char *);
int	__db_blockEncrypt(struct db_cipher_instance *, struct db_key_instance *,
	    db_u8 *, size_t, db_u8 *);
int	__db_blockDecrypt(struct db_cipher_instance *, struct db_key_instance *,
	    db_u8 *, size_t, db_u8 *);

typedef int	cipher_page_fn(struct db_cipher_instance *,
		    struct db_key_instance *, db_u8 *, size_t, db_u8 *);

#define CIPHER_ROUNDS	10			/* AES-128 */
#define CIPHER_WORDS	(4 * (CIPHER_ROUNDS + 1))
#define CIPHER_TRIALS	64			/* random keys checked */

enum cipher_engine {
	CIPHER_UNCHECKED,
	CIPHER_NETTLE,		/* nettle, checked against Berkeley DB */
	CIPHER_DB		/* Berkeley DB's own */
};

static enum cipher_engine	 cipher_engine = CIPHER_UNCHECKED;
static pthread_once_t		 cipher_once = PTHREAD_ONCE_INIT;
static cipher_block_fn		*cipher_db_encrypt;
static cipher_block_fn		*cipher_db_decrypt;
static const char		*cipher_why = "not checked yet";
static cipher_page_fn		*cipher_db_page_encrypt;
static cipher_page_fn		*cipher_db_page_decrypt;
static int			 cipher_pages;	/* whole pages by nettle */

/*
 * Schedules turned into nettle's, by where Berkeley DB keeps them: a
 * process has a few keys at once (a local and its master, a database and
 * its encrypted copy), each with two schedules. Per thread, so nothing
 * is shared.
 */
#define CIPHER_SLOTS	8
struct cipher_slot {
	const db_u32		*rk;
	db_u32			 ends[8];	/* rk[0..3] and rk[40..43] */
	int			 decrypt;
	struct aes128_ctx	 ctx;
};
static __thread struct cipher_slot	cipher_slots[CIPHER_SLOTS];
static __thread unsigned		cipher_next;
static __thread unsigned		cipher_last;
/* The check runs: blocks go to Berkeley DB's own (cipher_for). */
static __thread int			cipher_checking;
/* Blocks done here (CRM_STATS): the main thread's are the database's. */
static __thread uint64_t		cipher_blocks;

/*
 * Does the slot hold the schedule at rk as it is now? A schedule's first
 * round key (encryption) or last (decryption) is the cipher key itself,
 * from which every other round key follows, so equal ends mean an equal
 * schedule.
 */
static int
cipher_slot_holds(const struct cipher_slot *s, const db_u32 *rk, int decrypt)
{
	const db_u32	*end = rk + CIPHER_WORDS - 4;

	return s->rk == rk && s->decrypt == decrypt &&
	    s->ends[0] == rk[0] && s->ends[1] == rk[1] &&
	    s->ends[2] == rk[2] && s->ends[3] == rk[3] &&
	    s->ends[4] == end[0] && s->ends[5] == end[1] &&
	    s->ends[6] == end[2] && s->ends[7] == end[3];
}

/* The nettle context of the schedule at rk, turned once and kept. */
static const struct aes128_ctx *
cipher_ctx(const db_u32 *rk, int decrypt)
{
	struct cipher_slot	*s;
	size_t			 i;

	/* A page's blocks share one schedule: the last is likeliest. */
	s = &cipher_slots[cipher_last];
	if (cipher_slot_holds(s, rk, decrypt))
		return &s->ctx;
	for (i = 0; i < CIPHER_SLOTS; i++) {
		if (cipher_slot_holds(&cipher_slots[i], rk, decrypt)) {
			cipher_last = i;
			return &cipher_slots[i].ctx;
		}
	}
	cipher_last = cipher_next++ % CIPHER_SLOTS;
	s = &cipher_slots[cipher_last];
	s->rk = rk;
	s->decrypt = decrypt;
	memcpy(s->ends, rk, 4 * sizeof *rk);
	memcpy(s->ends + 4, rk + CIPHER_WORDS - 4, 4 * sizeof *rk);
	for (i = 0; i < CIPHER_WORDS; i++)
		s->ctx.keys[i] = __builtin_bswap32(rk[i]);
	return &s->ctx;
}

static void
cipher_nettle_encrypt(db_u32 *rk, int nr, const db_u8 *in, db_u8 *out)
{
	(void)nr;
	aes128_encrypt(cipher_ctx(rk, 0), AES_BLOCK_SIZE, out, in);
}

static void
cipher_nettle_decrypt(db_u32 *rk, int nr, const db_u8 *in, db_u8 *out)
{
	(void)nr;
	aes128_decrypt(cipher_ctx(rk, 1), AES_BLOCK_SIZE, out, in);
}

/*
 * A page's whole blocks in CBC, as Berkeley DB's page functions do them:
 * in place or not, the instance's IV left as it was; the bits done.
 */
static int
cipher_nettle_page(struct db_cipher_instance *ci, struct db_key_instance *ki,
    db_u8 *in, size_t bits, db_u8 *out, int decrypt)
{
	db_u8	iv[AES_BLOCK_SIZE];
	size_t	n = bits / 128;

	memcpy(iv, ci->IV, sizeof iv);
	if (decrypt)
		cbc_decrypt(cipher_ctx(ki->rk, 1),
		    (nettle_cipher_func *)aes128_decrypt, AES_BLOCK_SIZE, iv,
		    n * AES_BLOCK_SIZE, out, in);
	else
		cbc_encrypt(cipher_ctx(ki->rk, 0),
		    (nettle_cipher_func *)aes128_encrypt, AES_BLOCK_SIZE, iv,
		    n * AES_BLOCK_SIZE, out, in);
	explicit_bzero(iv, sizeof iv);
	cipher_blocks += n;
	return (int)(128 * n);
}

/* Is this a page nettle does: CBC, AES-128, keyed for the direction? */
static int
cipher_page_ours(const struct db_cipher_instance *ci,
    const struct db_key_instance *ki, const db_u8 *in, size_t bits,
    int decrypt)
{
	return ci != NULL && ki != NULL && in != NULL && bits >= 128 &&
	    bits / 128 <= INT_MAX / 128 && ci->mode == CIPHER_MODE_CBC &&
	    ki->Nr == CIPHER_ROUNDS && ki->direction == (decrypt ?
	    CIPHER_DIR_DECRYPT : CIPHER_DIR_ENCRYPT);
}

/*
 * Whole pages under a random key, through Berkeley DB's page functions
 * and through nettle, reading the instances as this file declares them:
 * the same bytes, the same counts, the IV untouched, and back again.
 */
static int
cipher_pages_agree(unsigned *seed)
{
	enum { LEN = 1024 };
	struct db_key_instance		ke, kd;
	struct db_cipher_instance	ci;
	db_u8				key[16], iv[16], plain[LEN];
	db_u8				a[LEN], b[LEN];
	size_t				i;
	int				ra, rb, ok;

	for (i = 0; i < sizeof key; i++)
		key[i] = (db_u8)(rand_r(seed) >> 7);
	for (i = 0; i < sizeof iv; i++)
		iv[i] = (db_u8)(rand_r(seed) >> 7);
	for (i = 0; i < sizeof plain; i++)
		plain[i] = (db_u8)(rand_r(seed) >> 7);
	memset(&ke, 0, sizeof ke);
	memset(&kd, 0, sizeof kd);
	memset(&ci, 0, sizeof ci);
	if (__db_makeKey(&ke, CIPHER_DIR_ENCRYPT, 128, (char *)key) != 1 ||
	    __db_makeKey(&kd, CIPHER_DIR_DECRYPT, 128, (char *)key) != 1 ||
	    __db_cipherInit(&ci, CIPHER_MODE_CBC, (char *)iv) != 1 ||
	    !cipher_page_ours(&ci, &ke, plain, LEN * 8, 0) ||
	    !cipher_page_ours(&ci, &kd, plain, LEN * 8, 1))
		return 0;
	memcpy(a, plain, LEN);
	memcpy(b, plain, LEN);
	ra = cipher_db_page_encrypt(&ci, &ke, a, LEN * 8, a);
	rb = cipher_nettle_page(&ci, &ke, b, LEN * 8, b, 0);
	ok = ra == LEN * 8 && rb == ra && memcmp(a, b, LEN) == 0 &&
	    memcmp(ci.IV, iv, sizeof iv) == 0;
	ra = cipher_db_page_decrypt(&ci, &kd, a, LEN * 8, a);
	rb = cipher_nettle_page(&ci, &kd, b, LEN * 8, b, 1);
	ok = ok && ra == LEN * 8 && rb == ra && memcmp(a, plain, LEN) == 0 &&
	    memcmp(b, plain, LEN) == 0 && memcmp(ci.IV, iv, sizeof iv) == 0;
	memset(cipher_slots, 0, sizeof cipher_slots);
	explicit_bzero(&ke, sizeof ke);
	explicit_bzero(&kd, sizeof kd);
	return ok;
}

/*
 * Do both ways agree, encrypting and decrypting in under the key's
 * schedules? FIPS-197's example (appendix C.1) first: its ciphertext must
 * come out of Berkeley DB's functions too, or they are not what this
 * file replaces.
 */
static int
cipher_agree(const db_u8 key[16], const db_u8 in[16], const db_u8 *expect)
{
	db_u32	enc[CIPHER_WORDS], dec[CIPHER_WORDS];
	db_u8	a[16], b[16], c[16], d[16];
	int	ok;

	if (__db_rijndaelKeySetupEnc(enc, key, 128) != CIPHER_ROUNDS ||
	    __db_rijndaelKeySetupDec(dec, key, 128) != CIPHER_ROUNDS)
		return 0;
	cipher_nettle_encrypt(enc, CIPHER_ROUNDS, in, b);
	cipher_nettle_decrypt(dec, CIPHER_ROUNDS, b, d);
	if (cipher_db_encrypt != NULL && cipher_db_decrypt != NULL) {
		cipher_db_encrypt(enc, CIPHER_ROUNDS, in, a);
		cipher_db_decrypt(dec, CIPHER_ROUNDS, a, c);
	} else {
		memcpy(a, b, 16);
		memcpy(c, in, 16);
	}
	ok = memcmp(a, b, 16) == 0 && memcmp(c, in, 16) == 0 &&
	    memcmp(d, in, 16) == 0 && (expect == NULL ||
	    memcmp(b, expect, 16) == 0);
	/* The slots must not outlive the schedules on this stack. */
	memset(cipher_slots, 0, sizeof cipher_slots);
	explicit_bzero(enc, sizeof enc);
	explicit_bzero(dec, sizeof dec);
	return ok;
}

static enum cipher_engine
cipher_choose_engine(void)
{
	static const db_u8 fips_key[16] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f
	};
	static const db_u8 fips_in[16] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
	};
	static const db_u8 fips_out[16] = {
		0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
		0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a
	};
	const char	*want = getenv("CRM_CIPHER");
	db_u8		 key[16], in[16];
	unsigned	 seed = 0x63726d;	/* reproducible: "crm" */
	int		 i, j;

	cipher_db_encrypt = (cipher_block_fn *)dlsym(RTLD_NEXT,
	    "__db_rijndaelEncrypt");
	cipher_db_decrypt = (cipher_block_fn *)dlsym(RTLD_NEXT,
	    "__db_rijndaelDecrypt");
	cipher_db_page_encrypt = (cipher_page_fn *)dlsym(RTLD_NEXT,
	    "__db_blockEncrypt");
	cipher_db_page_decrypt = (cipher_page_fn *)dlsym(RTLD_NEXT,
	    "__db_blockDecrypt");
	if (cipher_db_encrypt == NULL || cipher_db_decrypt == NULL) {
		/*
		 * Berkeley DB linked in whole, not as libdb-5.3.so: then
		 * its own calls never come here. Should they, nettle's AES
		 * is all there is, and FIPS-197's example must hold.
		 */
		if (!cipher_agree(fips_key, fips_in, fips_out)) {
			fprintf(stderr, "crm: nettle's AES gives wrong blocks "
			    "and Berkeley DB's cannot be reached: encrypted "
			    "databases cannot be used; reinstall libnettle8\n");
			abort();
		}
		cipher_why = "nettle's AES, checked on FIPS-197's example "
		    "(Berkeley DB's own cannot be reached)";
		return CIPHER_NETTLE;
	}
	if (want != NULL && strcmp(want, "db") == 0) {
		cipher_why = "Berkeley DB's own (CRM_CIPHER=db)";
		return CIPHER_DB;
	}
	if (!cipher_agree(fips_key, fips_in, fips_out)) {
		cipher_why = "Berkeley DB's own (nettle's AES disagreed with "
		    "it on FIPS-197's example)";
		return CIPHER_DB;
	}
	for (i = 0; i < CIPHER_TRIALS; i++) {
		for (j = 0; j < 16; j++) {
			key[j] = (db_u8)(rand_r(&seed) >> 7);
			in[j] = (db_u8)(rand_r(&seed) >> 7);
		}
		if (!cipher_agree(key, in, NULL)) {
			cipher_why = "Berkeley DB's own (nettle's AES "
			    "disagreed with it)";
			return CIPHER_DB;
		}
	}
	cipher_pages = cipher_db_page_encrypt != NULL &&
	    cipher_db_page_decrypt != NULL;
	for (i = 0; cipher_pages && i < CIPHER_TRIALS / 8; i++)
		cipher_pages = cipher_pages_agree(&seed);
	if (cipher_pages)
		cipher_why = "nettle's AES (whole pages), checked against "
		    "Berkeley DB's";
	else
		cipher_why = "nettle's AES, checked against Berkeley DB's";
	return CIPHER_NETTLE;
}

static void
cipher_choose(void)
{
	enum cipher_engine	e;

	uint64_t		blocks = cipher_blocks;

	/* Berkeley DB's page functions, checked, call its own blocks. */
	cipher_checking = 1;
	e = cipher_choose_engine();
	cipher_checking = 0;
	cipher_blocks = blocks;		/* the check's are not the database's */

	__atomic_store_n(&cipher_engine, e, __ATOMIC_RELEASE);
}

const char *
store_cipher_check(void)
{
	pthread_once(&cipher_once, cipher_choose);
	return cipher_why;
}

const char *
store_cipher_stats(uint64_t *blocks)
{
	*blocks = cipher_blocks;
	if (__atomic_load_n(&cipher_engine, __ATOMIC_ACQUIRE) ==
	    CIPHER_UNCHECKED)
		return NULL;
	return cipher_why;
}

/*
 * Which function does a block: nettle's (checked), or Berkeley DB's own
 * when the check chose them or for a key that is not AES-128 (Berkeley
 * DB 5.3 makes none). The check has run by the first block
 * (store_set_key); if not, it runs then.
 */
static cipher_block_fn *
cipher_for(int nr, int decrypt)
{
	if (cipher_checking)
		return decrypt ? cipher_db_decrypt : cipher_db_encrypt;
	if (__atomic_load_n(&cipher_engine, __ATOMIC_ACQUIRE) ==
	    CIPHER_UNCHECKED)
		store_cipher_check();
	cipher_blocks++;
	if (cipher_engine == CIPHER_NETTLE && nr == CIPHER_ROUNDS)
		return decrypt ? cipher_nettle_decrypt : cipher_nettle_encrypt;
	return decrypt ? cipher_db_decrypt : cipher_db_encrypt;
}

/* What libdb-5.3.so calls for every block when crm exports these names. */
void
__db_rijndaelEncrypt(db_u32 *rk, int nr, const db_u8 *in, db_u8 *out)
{
	cipher_for(nr, 0)(rk, nr, in, out);
}

void
__db_rijndaelDecrypt(db_u32 *rk, int nr, const db_u8 *in, db_u8 *out)
{
	cipher_for(nr, 1)(rk, nr, in, out);
}

/*
 * What libdb-5.3.so calls for every page (and log record) when crm
 * exports these names: nettle does it whole if the check let it, else
 * Berkeley DB's own function, which calls the block functions above.
 * BAD_CIPHER_STATE (-5), Berkeley DB's own answer, should its function
 * not be there to ask.
 */
static int
cipher_page(struct db_cipher_instance *ci, struct db_key_instance *ki,
    db_u8 *in, size_t bits, db_u8 *out, int decrypt)
{
	cipher_page_fn	*db;

	if (__atomic_load_n(&cipher_engine, __ATOMIC_ACQUIRE) ==
	    CIPHER_UNCHECKED && !cipher_checking)
		store_cipher_check();
	if (cipher_pages && !cipher_checking &&
	    cipher_engine == CIPHER_NETTLE &&
	    cipher_page_ours(ci, ki, in, bits, decrypt))
		return cipher_nettle_page(ci, ki, in, bits, out, decrypt);
	db = decrypt ? cipher_db_page_decrypt : cipher_db_page_encrypt;
	if (db == NULL)
		return -5;
	return db(ci, ki, in, bits, out);
}

int
__db_blockEncrypt(struct db_cipher_instance *ci, struct db_key_instance *ki,
    db_u8 *in, size_t bits, db_u8 *out)
{
	return cipher_page(ci, ki, in, bits, out, 0);
}

int
__db_blockDecrypt(struct db_cipher_instance *ci, struct db_key_instance *ki,
    db_u8 *in, size_t bits, db_u8 *out)
{
	return cipher_page(ci, ki, in, bits, out, 1);
}
