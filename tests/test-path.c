/* test-path: "~" expansion and Tab completion of file names. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "unit.h"
#include "xmalloc.h"

static void
test_expand(void)
{
	char	*s;

	setenv("HOME", "/home/bea", 1);
	s = path_expand("~");
	CU_ASSERT_STRING_EQUAL(s, "/home/bea");
	free(s);
	s = path_expand("~/letters/a.txt");
	CU_ASSERT_STRING_EQUAL(s, "/home/bea/letters/a.txt");
	free(s);
	s = path_expand("/tmp/~x");
	CU_ASSERT_STRING_EQUAL(s, "/tmp/~x");
	free(s);
	s = path_expand("~root/x");
	CU_ASSERT(s[0] == '/' && strstr(s, "/x") != NULL);
	free(s);
	s = path_expand("~no-such-user-here/x");
	CU_ASSERT_STRING_EQUAL(s, "~no-such-user-here/x");
	free(s);
}

/* A directory of files to complete in. */
static const char *
tree(void)
{
	char	path[4096];

	unit_write("offer.txt", "o");
	unit_write("offer-2.txt", "o");
	unit_write("order.txt", "o");
	unit_write(".hidden", "h");
	snprintf(path, sizeof path, "%s/letters", unit_dir());
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/letters/one.txt", unit_dir());
	unit_put(path, "1");
	return unit_dir();
}

static void
complete(const char *typed, struct path_completion *pc)
{
	path_complete(typed, pc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pc->text);
}

static void
test_complete(void)
{
	struct path_completion	 pc;
	const char		*d = tree();
	char			*typed, *want;

	/* Ambiguous: the shared prefix, and the candidates. */
	xasprintf(&typed, "%s/of", d);
	complete(typed, &pc);
	xasprintf(&want, "%s/offer", d);
	CU_ASSERT_STRING_EQUAL(pc.text, want);
	CU_ASSERT_EQUAL_FATAL(pc.n, 2);
	CU_ASSERT_STRING_EQUAL(pc.names[0], "offer-2.txt");
	CU_ASSERT_STRING_EQUAL(pc.names[1], "offer.txt");
	path_completion_free(&pc);
	free(typed);
	free(want);

	/* One file: completed whole. */
	xasprintf(&typed, "%s/ord", d);
	complete(typed, &pc);
	xasprintf(&want, "%s/order.txt", d);
	CU_ASSERT_STRING_EQUAL(pc.text, want);
	CU_ASSERT_EQUAL(pc.n, 1);
	path_completion_free(&pc);
	free(typed);
	free(want);

	/* One directory: its slash, then what is in it. */
	xasprintf(&typed, "%s/let", d);
	complete(typed, &pc);
	xasprintf(&want, "%s/letters/", d);
	CU_ASSERT_STRING_EQUAL(pc.text, want);
	path_completion_free(&pc);
	complete(want, &pc);
	free(want);
	xasprintf(&want, "%s/letters/one.txt", d);
	CU_ASSERT_STRING_EQUAL(pc.text, want);
	path_completion_free(&pc);
	free(typed);
	free(want);

	/* Nothing: the text as typed. Hidden files only when asked. */
	xasprintf(&typed, "%s/zz", d);
	complete(typed, &pc);
	CU_ASSERT_STRING_EQUAL(pc.text, typed);
	CU_ASSERT_EQUAL(pc.n, 0);
	path_completion_free(&pc);
	free(typed);
	xasprintf(&typed, "%s/", d);
	complete(typed, &pc);
	CU_ASSERT_EQUAL(pc.n, 4);
	path_completion_free(&pc);
	free(typed);
	xasprintf(&typed, "%s/.h", d);
	complete(typed, &pc);
	CU_ASSERT_EQUAL(pc.n, 1);
	path_completion_free(&pc);
	free(typed);
}

static void
test_complete_home(void)
{
	struct path_completion	 pc;
	char			*want;

	setenv("HOME", tree(), 1);
	complete("~/ord", &pc);
	xasprintf(&want, "%s/order.txt", unit_dir());
	CU_ASSERT_STRING_EQUAL(pc.text, want);
	path_completion_free(&pc);
	free(want);
}

/* T7: a name from elsewhere, made a plain one to write under a directory. */
static void
test_base_safe(void)
{
	static const char *const cases[][2] = {
		{ "report.pdf", "report.pdf" },
		{ "../../x", "x" },
		{ "/etc/passwd", "passwd" },
		{ "..", "file" },
		{ ".", "file" },
		{ "", "file" },
		{ "dir/", "file" },
		{ ".profile", "profile" },
		{ "a\nb\tc\x1b[0m.txt", "abc[0m.txt" },
		{ "C:\\Windows\\evil.exe", "C:Windowsevil.exe" },
		{ "Łódź offer.odt", "Łódź offer.odt" },
	};
	size_t	 i;
	char	*s;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = path_base_safe(cases[i][0]);
		if (strcmp(s, cases[i][1]) != 0)
			fprintf(stderr, "path_base_safe(\"%s\") is \"%s\", "
			    "want \"%s\"\n", cases[i][0], s, cases[i][1]);
		CU_ASSERT_STRING_EQUAL(s, cases[i][1]);
		CU_ASSERT(strchr(s, '/') == NULL);
		free(s);
	}
}

static const struct unit_test tests[] = {
	{ "T7 a safe base name", test_base_safe },
	{ "~ expanded", test_expand },
	{ "completion", test_complete },
	{ "completion under ~", test_complete_home },
	{ NULL, NULL }
};

int
main(void)
{
	return unit_run("path", tests);
}
