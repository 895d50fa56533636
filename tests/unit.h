/* unit: helpers shared by the CUnit suites. */
#ifndef CRM_TESTS_UNIT_H
#define CRM_TESTS_UNIT_H

#include <CUnit/CUnit.h>

struct unit_test {
	const char	*name;
	void		(*fn)(void);
};

/*
 * Run one suite of tests with a fresh scratch directory for each test
 * (unit_dir()); returns the process exit status for make check.
 */
int		 unit_run(const char *suite, const struct unit_test *);
/* A scratch directory for the current test, made empty. */
const char	*unit_dir(void);
/* A path inside the scratch directory; valid until the next call. */
const char	*unit_path(const char *name);
/* Write text to a file in the scratch directory; returns its path. */
const char	*unit_write(const char *name, const char *text);

/* Write text to a file at any path (the test fails if it cannot). */
void		 unit_put(const char *path, const char *text);
/* The whole file, or NULL if it cannot be read; free it. */
char		*unit_slurp(const char *path);

struct user;


/* Fill a struct user (login and name copied; free with user_clear). */
void		 unit_user(struct user *, const char *login, const char *uid,
		    const char *name, int type, int restricted,
		    int may_change_manager);
/* The last error mentions needle (and an error was set at all). */
int		 unit_error_has(const char *needle);

/*
 * Loops over fault points (a sync stopped at its nth write) try every
 * point: the next after n is n + 1. TESTS_SAMPLE=K, which make check sets
 * in the sanitizer build, tries one in K on average instead, as
 * tests/lib.sh's sample_next: the next is drawn from n + 1 to n + 2K - 1,
 * from TESTS_SEED (printed once, random when unset).
 */
unsigned long	 unit_sample_next(unsigned long n);
/* What "at least n points were met" becomes when sampled: n / K, >= 1. */
unsigned long	 unit_sampled(unsigned long n);

/* The test clock: a wall clock the tests set (milliseconds). */
extern unsigned long long unit_now_ms;
unsigned long long	 unit_clock(void);

#endif
