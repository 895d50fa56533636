/*
 * store-mac: Berkeley DB's page MAC, its SHA-1 blocks done with the
 * processor's SHA instructions.
 *
 * Berkeley DB 5.3 signs every page (and log record) of an encrypted
 * database with an HMAC over its own SHA-1, and checks it on every page
 * it reads: after store-cipher.c took the AES over, that HMAC is what an
 * encrypted page costs (doc/encryption-cost.md: a quarter of an
 * encrypted list contact of the million-record demo). libdb-5.3.so calls
 * its compression function, __db_SHA1Transform, through its procedure
 * linkage table, so crm, which exports the name (CIPHER_LDFLAGS), answers
 * those calls here.
 *
 * Berkeley DB's SHA-1 is not the standard one, so no library can stand in
 * for it: its blk0 macro, which byte-swaps a block's word for rounds 0-15,
 * is "is_bigendian ? block->l[i] : (block->l[i] = swapped)" with no
 * parentheses around it, inside "z += f(w,x,y) + blk0(i) + K + rol(v,5)".
 * The ?: takes "f(w,x,y) + is_bigendian" as its condition, so on a
 * little-endian machine each of those rounds is
 *
 *	f(b,c,d) != 0:	e += W[i]			(the word as stored)
 *	f(b,c,d) == 0:	e += swap(W[i]) + K + rol(a,5)	(and W[i] swapped)
 *
 * the second being the standard round, f adding nothing. Rounds 16-79 are
 * the standard ones over the words so left. What the files hold is
 * Berkeley DB's result, and that is what has to come out.
 *
 * So rounds 0-15 are done here in C, as above, each the common way or,
 * meeting f(b,c,d) == 0, the rare way. That is not as rare as chance
 * would make it: 3.5% of the blocks of an encrypted search of the demo
 * took a rare round (CRM_STATS counts them). Rounds 16-79, the message
 * schedule included, are the standard ones: the processor's SHA1RNDS4,
 * SHA1NEXTE, SHA1MSG1 and SHA1MSG2 do them.
 *
 * Before the first block (store_mac_check, from store_set_key), random
 * blocks and states, and states made to take the rare rounds, go through
 * both this and Berkeley DB's own function (dlsym(RTLD_NEXT)); one
 * difference and this run keeps Berkeley DB's own. So does a processor
 * without the SHA instructions, and CRM_CIPHER=db.
 */
#define _GNU_SOURCE

#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MAC_SHA_NI	1
#else
#define MAC_SHA_NI	0
#endif

#include "store.h"

typedef void	mac_block_fn(uint32_t *, unsigned char *);
void	__db_SHA1Transform(uint32_t *, unsigned char *);

#define MAC_TRIALS	512	/* random blocks and states checked */
#define MAC_K0		0x5A827999U

enum mac_engine {
	MAC_UNCHECKED,
	MAC_SHA,		/* the SHA instructions, checked */
	MAC_DB			/* Berkeley DB's own */
};

static enum mac_engine		 mac_engine = MAC_UNCHECKED;
static pthread_once_t		 mac_once = PTHREAD_ONCE_INIT;
static mac_block_fn		*mac_db;
static const char		*mac_why = "not checked yet";
/* The check runs: blocks go to Berkeley DB's own (mac_for). */
static __thread int		 mac_checking;
/* Blocks done here, and those that took a rare round (CRM_STATS). */
static __thread uint64_t	 mac_blocks;
static __thread uint64_t	 mac_rare;

static inline uint32_t
mac_rol(uint32_t v, int n)
{
	return v << n | v >> (32 - n);
}

/*
 * Rounds 0-15 as Berkeley DB does them, the rare rounds included: the
 * words left in w (a rare round's swapped), the state after them in v.
 * Returns whether a rare round was met.
 */
static int
mac_first_rounds(const uint32_t *state, const unsigned char *block,
    uint32_t *w, uint32_t *v)
{
	uint32_t	a, b, c, d, e, t;
	int		i, rare = 0;

	memcpy(w, block, 64);
	a = state[0];
	b = state[1];
	c = state[2];
	d = state[3];
	e = state[4];
	for (i = 0; i < 16; i++) {
		if (((b & (c ^ d)) ^ d) != 0)
			t = e + w[i];
		else {
			w[i] = __builtin_bswap32(w[i]);
			t = e + w[i] + MAC_K0 + mac_rol(a, 5);
			rare = 1;
		}
		e = d;
		d = c;
		c = mac_rol(b, 30);
		b = a;
		a = t;
	}
	v[0] = a;
	v[1] = b;
	v[2] = c;
	v[3] = d;
	v[4] = e;
	return rare;
}

#if MAC_SHA_NI
/*
 * Four message words for the SHA instructions, first in the top lane.
 * SHA1MSG1 and SHA1MSG2 make W[i] of 16-79 from them; then four rounds
 * with SHA1NEXTE (e from a four rounds back, plus the words) and
 * SHA1RNDS4 (the rounds of function f).
 */
#define MAC_WORDS(w, i)	_mm_set_epi32((int)(w)[i], (int)(w)[(i) + 1], \
	(int)(w)[(i) + 2], (int)(w)[(i) + 3])
#define MAC_ROUNDS(f, ma, mb, mc, md, ea, eb) do {			\
	ma = _mm_sha1msg2_epu32(_mm_xor_si128(_mm_sha1msg1_epu32(ma,	\
	    mb), mc), md);						\
	ea = _mm_sha1nexte_epu32(ea, ma);				\
	eb = abcd;							\
	abcd = _mm_sha1rnds4_epu32(abcd, ea, f);			\
} while (0)

__attribute__((target("sha,sse4.1")))
static void
mac_sha(uint32_t *state, const unsigned char *block)
{
	uint32_t	w[16], v[5];
	__m128i		abcd, e0, e1, m0, m1, m2, m3;

	/* Rounds 0-15 in C: they are not SHA-1's. */
	mac_rare += (uint64_t)mac_first_rounds(state, block, w, v);
	m0 = MAC_WORDS(w, 0);
	m1 = MAC_WORDS(w, 4);
	m2 = MAC_WORDS(w, 8);
	m3 = MAC_WORDS(w, 12);
	abcd = _mm_set_epi32((int)v[0], (int)v[1], (int)v[2], (int)v[3]);
	e0 = _mm_set_epi32((int)v[4], 0, 0, 0);

	/* Rounds 16-19: W[16..19], and e as rounds 0-15 left it. */
	m0 = _mm_sha1msg2_epu32(_mm_xor_si128(_mm_sha1msg1_epu32(m0, m1),
	    m2), m3);
	e0 = _mm_add_epi32(e0, m0);
	e1 = abcd;
	abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
	/* 20-39, 40-59, 60-79. */
	MAC_ROUNDS(1, m1, m2, m3, m0, e1, e0);
	MAC_ROUNDS(1, m2, m3, m0, m1, e0, e1);
	MAC_ROUNDS(1, m3, m0, m1, m2, e1, e0);
	MAC_ROUNDS(1, m0, m1, m2, m3, e0, e1);
	MAC_ROUNDS(1, m1, m2, m3, m0, e1, e0);
	MAC_ROUNDS(2, m2, m3, m0, m1, e0, e1);
	MAC_ROUNDS(2, m3, m0, m1, m2, e1, e0);
	MAC_ROUNDS(2, m0, m1, m2, m3, e0, e1);
	MAC_ROUNDS(2, m1, m2, m3, m0, e1, e0);
	MAC_ROUNDS(2, m2, m3, m0, m1, e0, e1);
	MAC_ROUNDS(3, m3, m0, m1, m2, e1, e0);
	MAC_ROUNDS(3, m0, m1, m2, m3, e0, e1);
	MAC_ROUNDS(3, m1, m2, m3, m0, e1, e0);
	MAC_ROUNDS(3, m2, m3, m0, m1, e0, e1);
	MAC_ROUNDS(3, m3, m0, m1, m2, e1, e0);
	/* e after round 79: a of four rounds back, turned. */
	e0 = _mm_sha1nexte_epu32(e0, _mm_setzero_si128());

	state[0] += (uint32_t)_mm_extract_epi32(abcd, 3);
	state[1] += (uint32_t)_mm_extract_epi32(abcd, 2);
	state[2] += (uint32_t)_mm_extract_epi32(abcd, 1);
	state[3] += (uint32_t)_mm_extract_epi32(abcd, 0);
	state[4] += (uint32_t)_mm_extract_epi32(e0, 3);
}

static int
mac_has_sha(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("sha") &&
	    __builtin_cpu_supports("sse4.1");
}
#else
static void
mac_sha(uint32_t *state, const unsigned char *block)
{
	mac_db(state, (unsigned char *)block);
}

static int
mac_has_sha(void)
{
	return 0;
}
#endif

/* One block from one state through both: the same state after? */
static int
mac_agree(const uint32_t *state, const unsigned char *block)
{
	uint32_t	x[5], y[5];
	unsigned char	copy[64];

	memcpy(x, state, sizeof x);
	memcpy(y, state, sizeof y);
	memcpy(copy, block, sizeof copy);
	mac_db(x, copy);
	if (memcmp(copy, block, sizeof copy) != 0)
		return 0;		/* it wrote on the block: not 5.3's */
	mac_sha(y, block);
	return memcmp(x, y, sizeof x) == 0;
}

/*
 * Random states and blocks, then states of a bit or none to a word, whose
 * f(b,c,d) is often 0 so that the rare rounds are taken, each through
 * both functions.
 */
static int
mac_all_agree(void)
{
	uint32_t	state[5];
	unsigned char	block[64];
	unsigned	seed = 0x6d6163;	/* reproducible: "mac" */
	int		i, j;

	for (i = 0; i < 2 * MAC_TRIALS; i++) {
		for (j = 0; j < 64; j++)
			block[j] = (unsigned char)(rand_r(&seed) >> 7);
		for (j = 0; j < 5; j++) {
			if (i < MAC_TRIALS)
				state[j] = (uint32_t)rand_r(&seed) << 16 ^
				    (uint32_t)rand_r(&seed);
			else if (rand_r(&seed) % 3 == 0)
				state[j] = 0;
			else
				state[j] = 1U << (rand_r(&seed) % 32);
		}
		if (!mac_agree(state, block))
			return 0;
	}
	return 1;
}

static enum mac_engine
mac_choose_engine(void)
{
	const char	*want = getenv("CRM_CIPHER");

	mac_db = (mac_block_fn *)dlsym(RTLD_NEXT, "__db_SHA1Transform");
	if (mac_db == NULL) {
		/*
		 * Berkeley DB linked in whole, not as libdb-5.3.so: its own
		 * calls never come here, and there is nothing to check
		 * against.
		 */
		mac_why = "Berkeley DB's own SHA-1 (it cannot be reached "
		    "from here)";
		return MAC_DB;
	}
	if (want != NULL && strcmp(want, "db") == 0) {
		mac_why = "Berkeley DB's own SHA-1 (CRM_CIPHER=db)";
		return MAC_DB;
	}
	if (!mac_has_sha()) {
		mac_why = "Berkeley DB's own SHA-1 (the processor has no SHA "
		    "instructions)";
		return MAC_DB;
	}
	if (!mac_all_agree()) {
		mac_why = "Berkeley DB's own SHA-1 (the SHA instructions' "
		    "result disagreed with it)";
		return MAC_DB;
	}
	mac_why = "the processor's SHA instructions, checked against "
	    "Berkeley DB's SHA-1";
	return MAC_SHA;
}

static void
mac_choose(void)
{
	uint64_t	blocks = mac_blocks, rare = mac_rare;
	enum mac_engine	e;

	mac_checking = 1;
	e = mac_choose_engine();
	mac_checking = 0;
	mac_blocks = blocks;		/* the check's are not the database's */
	mac_rare = rare;
	__atomic_store_n(&mac_engine, e, __ATOMIC_RELEASE);
}

const char *
store_mac_check(void)
{
	pthread_once(&mac_once, mac_choose);
	return mac_why;
}

const char *
store_mac_stats(uint64_t *blocks, uint64_t *rare)
{
	*blocks = mac_blocks;
	*rare = mac_rare;
	if (__atomic_load_n(&mac_engine, __ATOMIC_ACQUIRE) == MAC_UNCHECKED)
		return NULL;
	return mac_why;
}

/*
 * What libdb-5.3.so calls for each 64-byte block of a page's HMAC when
 * crm exports the name. The check has run by the first (store_set_key);
 * if not, it runs then.
 */
void
__db_SHA1Transform(uint32_t *state, unsigned char *block)
{
	if (__atomic_load_n(&mac_engine, __ATOMIC_ACQUIRE) == MAC_UNCHECKED &&
	    !mac_checking)
		store_mac_check();
	if (mac_engine == MAC_SHA && !mac_checking) {
		mac_blocks++;
		mac_sha(state, block);
		return;
	}
	if (mac_db == NULL) {
		fprintf(stderr, "crm: Berkeley DB's SHA-1 cannot be reached: "
		    "encrypted databases cannot be used; reinstall "
		    "libdb5.3\n");
		abort();
	}
	mac_db(state, block);
}
