/* unit: helpers shared by the CUnit suites. */
#include "config.h"

#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "clock.h"
#include "error.h"
#include "unit.h"
#include "user.h"
#include "xmalloc.h"

unsigned long long	 unit_now_ms = 1795000000000ULL;	/* 2026-11-18 */
static char		 unit_base[4096];
static char		 unit_cur[4096];
static char		 unit_buf[4096];
static int		 unit_counter;

unsigned long long
unit_clock(void)
{
	return unit_now_ms;
}

static uint64_t
unit_clock_source(void)
{
	return unit_now_ms;
}

static void
unit_rmrf(const char *path)
{
	char	*cmd;

	if (asprintf(&cmd, "rm -rf '%s'", path) == -1)
		abort();
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", path);
	free(cmd);
}

const char *
unit_dir(void)
{
	return unit_cur;
}

const char *
unit_path(const char *name)
{
	if (snprintf(unit_buf, sizeof unit_buf, "%s/%s", unit_cur, name) >=
	    (int)sizeof unit_buf)
		abort();
	return unit_buf;
}

const char *
unit_write(const char *name, const char *text)
{
	FILE		*f;
	const char	*path;

	path = unit_path(name);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

void
unit_put(const char *path, const char *text)
{
	FILE	*f;

	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

char *
unit_slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 len;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc(len + 1);
	if (buf == NULL || fread(buf, 1, len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static const struct unit_test	*unit_tests;

static unsigned long	 unit_sample = 0;	/* 0: not read yet */
static unsigned long long unit_seed;

static void
unit_sample_init(void)
{
	const char	*env;
	char		*end;

	if (unit_sample != 0)
		return;
	unit_sample = 1;
	env = getenv("TESTS_SAMPLE");
	if (env != NULL && *env != '\0') {
		unit_sample = strtoul(env, &end, 10);
		if (*end != '\0' || unit_sample == 0)
			unit_sample = 1;
	}
	if (unit_sample == 1)
		return;
	env = getenv("TESTS_SEED");
	if (env != NULL && *env != '\0')
		unit_seed = strtoull(env, NULL, 10);
	else
		unit_seed = (unsigned long long)time(NULL) * 1000003ULL ^
		    (unsigned long long)getpid();
	fprintf(stderr, "fault points sampled, one in %lu (TESTS_SEED=%llu "
	    "draws the same)\n", unit_sample, unit_seed);
}

unsigned long
unit_sample_next(unsigned long n)
{
	uint64_t	h;

	unit_sample_init();
	if (unit_sample == 1)
		return n + 1;
	/* splitmix64 of the seed and n. */
	h = unit_seed + (uint64_t)n * 0x9e3779b97f4a7c15ULL;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return n + 1 + (unsigned long)(h % (2 * unit_sample - 1));
}

unsigned long
unit_sampled(unsigned long n)
{
	unit_sample_init();
	return n / unit_sample > 0 ? n / unit_sample : 1;
}

static int
unit_setup(void)
{
	if (snprintf(unit_cur, sizeof unit_cur, "%s/t%d", unit_base,
	    ++unit_counter) >= (int)sizeof unit_cur)
		abort();
	unit_rmrf(unit_cur);
	if (mkdir(unit_cur, 0700) != 0)
		return 1;
	unit_now_ms = 1795000000000ULL;
	clock_set_source(unit_clock_source);
	return 0;
}

static void
unit_setup_void(void)
{
	if (unit_setup() != 0)
		fprintf(stderr, "cannot make %s\n", unit_cur);
}

int
unit_run(const char *suite, const struct unit_test *tests)
{
	CU_pSuite	 s;
	const char	*tmp;
	unsigned int	 failed;
	size_t		 i;

	unit_tests = tests;
	if ((tmp = getenv("TESTS_TMPDIR")) == NULL)
		tmp = "/tmp";
	mkdir(tmp, 0700);
	if (snprintf(unit_base, sizeof unit_base, "%s/%s.%ld", tmp, suite,
	    (long)getpid()) >= (int)sizeof unit_base)
		abort();
	unit_rmrf(unit_base);
	if (mkdir(unit_base, 0700) != 0) {
		fprintf(stderr, "cannot make %s\n", unit_base);
		return 99;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	s = CU_add_suite_with_setup_and_teardown(suite, NULL, NULL,
	    unit_setup_void, NULL);
	if (s == NULL)
		return 99;
	for (i = 0; tests[i].name != NULL; i++) {
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return 99;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	if (CU_get_error() != CUE_SUCCESS)
		failed++;
	CU_cleanup_registry();
	if (failed == 0)
		unit_rmrf(unit_base);
	return failed == 0 ? 0 : 1;
}

void
unit_user(struct user *u, const char *login, const char *uid,
    const char *name, int type, int restricted, int may_change_manager)
{
	memset(u, 0, sizeof *u);
	u->login = xstrdup(login);
	snprintf(u->uid, sizeof u->uid, "%s", uid);
	u->name = xstrdup(name);
	u->type = (enum user_type)type;
	u->restricted = restricted;
	u->may_change_manager = may_change_manager;
}

int
unit_error_has(const char *needle)
{
	const char	*msg = error_get();

	if (strcmp(msg, "unknown error") == 0 || *msg == '\0')
		return 0;
	if (strstr(msg, needle) == NULL) {
		fprintf(stderr, "\n  error \"%s\" lacks \"%s\"\n", msg, needle);
		return 0;
	}
	return 1;
}
