/* test-edit: the line editor. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <curses.h>	/* KEY_* */

#include "edit.h"
#include "unit.h"

#define CTRL(c)	((c) & 0x1f)

/* The text is want (UTF-8); says what it was if not. */
static int
text_is(const struct edit *e, const char *want)
{
	char	*got;
	int	 ok;

	got = edit_text(e);
	if (!(ok = strcmp(got, want) == 0))
		fprintf(stderr, "\n  text \"%s\", wanted \"%s\"\n", got, want);
	free(got);
	return ok;
}

/* Type a wide string, a key at a time; returns the last result. */
static int
type(struct edit *e, const wchar_t *s)
{
	int	rc = EDIT_UNHANDLED;

	while (*s != L'\0')
		rc = edit_key(e, 0, (wint_t)*s++);
	return rc;
}

static void
press(struct edit *e, int key, int times)
{
	while (times-- > 0)
		edit_key(e, 1, (wint_t)key);
}

/* edit_view in width columns shows want with the cursor at column col. */
static int
view_is(struct edit *e, int width, const wchar_t *want, int col)
{
	wchar_t	out[256];
	int	got;

	got = edit_view(e, width, out, sizeof out / sizeof out[0]);
	if (wcscmp(out, want) != 0 || got != col) {
		fprintf(stderr, "\n  view \"%ls\" column %d, wanted \"%ls\" %d\n",
		    out, got, want, col);
		return 0;
	}
	return 1;
}

static void
round_trip(const char *s, size_t len)
{
	struct edit	e;

	edit_init(&e, s);
	CU_ASSERT_EQUAL(e.len, len);
	CU_ASSERT_EQUAL(e.cur, len);
	CU_ASSERT(text_is(&e, s));
	edit_free(&e);
}

static void
test_round_trip(void)
{
	round_trip("", 0);
	round_trip("Plain ASCII, 42!", 16);
	round_trip("Gr\xc3\xbc\xc3\x9f" "e, Fran\xc3\xa7oise", 16);
	round_trip("\xce\x9a\xce\xb1\xce\xbb\xce\xb7\xce\xbc\xce\xad\xcf\x81\xce\xb1", 8);
	round_trip("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 3);	/* 日本語 */
	round_trip("\xf0\x9f\x98\x80\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", 3);
	round_trip("e\xcc\x81n\xcc\x83", 4);			/* é ñ decomposed */
	round_trip("\xf4\x8f\xbf\xbf", 1);				/* U+10FFFF */
}

/* Reading and writing UTF-8 is done by hand, whatever the locale. */
static void
test_round_trip_c_locale(void)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(setlocale(LC_ALL, "C"));
	round_trip("\xce\xb1\xce\xb2 \xe6\x97\xa5 \xf0\x9f\x98\x80 e\xcc\x81", 9);
	CU_ASSERT_PTR_NOT_NULL(setlocale(LC_ALL, "C.UTF-8"));
}

static void
test_widths(void)
{
	struct edit	e;

	edit_init(&e, "\xe6\x97\xa5\xe6\x9c\xac" "ab");
	CU_ASSERT_EQUAL(edit_width(&e), 6);
	edit_set(&e, "e\xcc\x81" "e\xcc\x81\xcc\xa3");
	CU_ASSERT_EQUAL(e.len, 5);
	CU_ASSERT_EQUAL(edit_width(&e), 2);
	edit_set(&e, "a\nb\x01");
	CU_ASSERT_EQUAL(edit_width(&e), 4);
	edit_free(&e);
}

static void
test_insert_middle(void)
{
	struct edit	e;

	edit_init(&e, "Hllo");
	CU_ASSERT_EQUAL(edit_key(&e, 1, KEY_LEFT), EDIT_MOVED);
	press(&e, KEY_LEFT, 2);
	CU_ASSERT_EQUAL(e.cur, 1);
	CU_ASSERT_EQUAL(e.changed, 0);
	CU_ASSERT_EQUAL(edit_key(&e, 0, L'e'), EDIT_CHANGED);
	CU_ASSERT_EQUAL(e.cur, 2);
	CU_ASSERT(e.changed);
	CU_ASSERT(text_is(&e, "Hello"));

	/* Wide and Greek characters in the middle of others. */
	CU_ASSERT_EQUAL(type(&e, L"\u65e5\u03b1"), EDIT_CHANGED);
	CU_ASSERT_EQUAL(e.cur, 4);
	CU_ASSERT(text_is(&e, "He\xe6\x97\xa5\xce\xb1llo"));
	press(&e, KEY_RIGHT, 10);
	CU_ASSERT_EQUAL(e.cur, 7);
	edit_free(&e);
}

/* A combining character typed before a lone one must not trap the cursor. */
static void
test_insert_before_combining(void)
{
	struct edit	e;

	edit_init(&e, "\xcc\x81x");
	edit_key(&e, 0, CTRL('A'));
	type(&e, L"e");
	CU_ASSERT(text_is(&e, "e\xcc\x81x"));
	CU_ASSERT_EQUAL(e.cur, 2);
	CU_ASSERT_EQUAL(edit_key(&e, 1, KEY_BACKSPACE), EDIT_CHANGED);
	CU_ASSERT(text_is(&e, "x"));
	edit_free(&e);
}

static void
test_delete_multibyte(void)
{
	struct edit	e;

	/* a é b, the é decomposed: Backspace takes the accent with its e. */
	edit_init(&e, "ae\xcc\x81" "b");
	CU_ASSERT_EQUAL(edit_key(&e, 1, KEY_BACKSPACE), EDIT_CHANGED);
	CU_ASSERT(text_is(&e, "ae\xcc\x81"));
	CU_ASSERT_EQUAL(edit_key(&e, 0, 127), EDIT_CHANGED);
	CU_ASSERT(text_is(&e, "a"));
	CU_ASSERT_EQUAL(e.cur, 1);

	/* Left steps over the accent and its letter at once. */
	edit_set(&e, "e\xcc\x81\xcc\xa3x");
	press(&e, KEY_LEFT, 1);
	CU_ASSERT_EQUAL(e.cur, 3);
	press(&e, KEY_LEFT, 1);
	CU_ASSERT_EQUAL(e.cur, 0);
	press(&e, KEY_RIGHT, 1);
	CU_ASSERT_EQUAL(e.cur, 3);
	edit_key(&e, 0, CTRL('A'));
	CU_ASSERT_EQUAL(edit_key(&e, 1, KEY_DC), EDIT_CHANGED);
	CU_ASSERT(text_is(&e, "x"));
	CU_ASSERT_EQUAL(e.cur, 0);
	CU_ASSERT_EQUAL(edit_key(&e, 0, CTRL('D')), EDIT_CHANGED);
	CU_ASSERT(text_is(&e, ""));
	e.changed = 0;
	CU_ASSERT_EQUAL(edit_key(&e, 0, CTRL('D')), EDIT_MOVED);
	CU_ASSERT_EQUAL(edit_key(&e, 0, CTRL('H')), EDIT_MOVED);
	CU_ASSERT_EQUAL(e.changed, 0);

	/* Wide characters and four-byte ones. */
	edit_set(&e, "\xe6\x97\xa5\xe6\x9c\xac\xf0\x9f\x98\x80");
	CU_ASSERT_EQUAL(edit_key(&e, 0, CTRL('H')), EDIT_CHANGED);
	CU_ASSERT(text_is(&e, "\xe6\x97\xa5\xe6\x9c\xac"));
	press(&e, KEY_LEFT, 2);
	edit_key(&e, 0, CTRL('D'));
	CU_ASSERT(text_is(&e, "\xe6\x9c\xac"));
	edit_free(&e);
}

static void
test_kill(void)
{
	struct edit	e;

	/* ^W: the spaces before the cursor, then the word. */
	edit_init(&e, "foo bar-baz  ");
	CU_ASSERT_EQUAL(edit_key(&e, 0, CTRL('W')), EDIT_CHANGED);
	CU_ASSERT(text_is(&e, "foo "));
	CU_ASSERT_EQUAL(e.cur, 4);
	edit_key(&e, 0, CTRL('W'));
	CU_ASSERT(text_is(&e, ""));
	CU_ASSERT_EQUAL(edit_key(&e, 0, CTRL('W')), EDIT_MOVED);

	edit_set(&e, "one \xce\xb4\xcf\x8d\xce\xbf three");
	press(&e, KEY_LEFT, 6);
	CU_ASSERT_EQUAL(e.cur, 7);
	edit_key(&e, 0, CTRL('W'));
	CU_ASSERT(text_is(&e, "one  three"));
	CU_ASSERT_EQUAL(e.cur, 4);

	/* ^U and ^K: to the start, to the end. */
	edit_set(&e, "abc def");
	press(&e, KEY_LEFT, 4);
	CU_ASSERT_EQUAL(edit_key(&e, 0, CTRL('U')), EDIT_CHANGED);
	CU_ASSERT(text_is(&e, " def"));
	CU_ASSERT_EQUAL(e.cur, 0);
	CU_ASSERT_EQUAL(edit_key(&e, 0, CTRL('U')), EDIT_MOVED);
	press(&e, KEY_RIGHT, 2);
	CU_ASSERT_EQUAL(edit_key(&e, 0, CTRL('K')), EDIT_CHANGED);
	CU_ASSERT(text_is(&e, " d"));
	CU_ASSERT_EQUAL(e.cur, 2);
	e.changed = 0;
	CU_ASSERT_EQUAL(edit_key(&e, 0, CTRL('K')), EDIT_MOVED);
	CU_ASSERT_EQUAL(e.changed, 0);
	edit_free(&e);
}

static void
test_home_end(void)
{
	struct edit	e;

	edit_init(&e, "\xce\xb1\xce\xb2\xce\xb3");
	CU_ASSERT_EQUAL(edit_key(&e, 1, KEY_HOME), EDIT_MOVED);
	CU_ASSERT_EQUAL(e.cur, 0);
	type(&e, L"<");
	CU_ASSERT_EQUAL(edit_key(&e, 1, KEY_END), EDIT_MOVED);
	CU_ASSERT_EQUAL(e.cur, 4);
	type(&e, L">");
	CU_ASSERT(text_is(&e, "<\xce\xb1\xce\xb2\xce\xb3>"));
	CU_ASSERT_EQUAL(edit_key(&e, 0, CTRL('A')), EDIT_MOVED);
	CU_ASSERT_EQUAL(e.cur, 0);
	CU_ASSERT_EQUAL(edit_key(&e, 0, CTRL('E')), EDIT_MOVED);
	CU_ASSERT_EQUAL(e.cur, 5);
	edit_free(&e);
}

static void
test_max(void)
{
	struct edit	e;

	edit_init(&e, "abc");
	e.max = 5;
	CU_ASSERT_EQUAL(type(&e, L"de"), EDIT_CHANGED);
	e.changed = 0;
	/* Refused, but used up: the caller must not take it as a command. */
	CU_ASSERT_EQUAL(edit_key(&e, 0, L'q'), EDIT_MOVED);
	CU_ASSERT_EQUAL(edit_key(&e, 0, 0x301), EDIT_MOVED);
	CU_ASSERT_EQUAL(e.changed, 0);
	CU_ASSERT(text_is(&e, "abcde"));
	CU_ASSERT_EQUAL(edit_insert(&e, "xyz"), EDIT_UNHANDLED);
	CU_ASSERT(text_is(&e, "abcde"));

	/* A paste stops before a letter whose accent would not fit. */
	edit_set(&e, "abc");
	CU_ASSERT_EQUAL(edit_insert(&e, "xe\xcc\x81z"), EDIT_CHANGED);
	CU_ASSERT(text_is(&e, "abcx"));
	CU_ASSERT_EQUAL(e.cur, 4);
	CU_ASSERT_EQUAL(edit_insert(&e, "\xe6\x97\xa5\xe6\x9c\xac"), EDIT_CHANGED);
	CU_ASSERT(text_is(&e, "abcx\xe6\x97\xa5"));

	/* Text already longer is kept; it can shrink but not grow. */
	edit_set(&e, "abcdefg");
	CU_ASSERT(text_is(&e, "abcdefg"));
	edit_key(&e, 0, L'h');
	CU_ASSERT(text_is(&e, "abcdefg"));
	edit_key(&e, 1, KEY_BACKSPACE);
	CU_ASSERT(text_is(&e, "abcdef"));
	edit_free(&e);
}

static void
test_invalid_utf8(void)
{
	struct edit	e;

	edit_init(&e, "a\xff" "b");
	CU_ASSERT_EQUAL(e.len, 3);
	CU_ASSERT_EQUAL(e.buf[1], 0xfffd);
	CU_ASSERT(text_is(&e, "a\xef\xbf\xbd" "b"));

	/* A truncated sequence is one U+FFFD, not one a byte. */
	edit_set(&e, "\xe2\x82" "x");
	CU_ASSERT_EQUAL(e.len, 2);
	CU_ASSERT(text_is(&e, "\xef\xbf\xbdx"));

	/* Overlong, surrogate and past U+10FFFF: every byte is bad. */
	edit_set(&e, "\xc0\xaf");
	CU_ASSERT_EQUAL(e.len, 2);
	edit_set(&e, "\xe0\x80\xaf");
	CU_ASSERT_EQUAL(e.len, 3);
	edit_set(&e, "\xf0\x80\x80\xaf");
	CU_ASSERT_EQUAL(e.len, 4);
	edit_set(&e, "\xed\xa0\x80");
	CU_ASSERT_EQUAL(e.len, 3);
	edit_set(&e, "\xf4\x90\x80\x80");
	CU_ASSERT_EQUAL(e.len, 4);
	CU_ASSERT(text_is(&e, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"));

	/* A lone continuation byte in the middle of good text. */
	edit_set(&e, "\xce\xb1\x80\xce\xb2");
	CU_ASSERT_EQUAL(e.len, 3);
	CU_ASSERT_EQUAL(e.buf[0], 0x3b1);
	CU_ASSERT_EQUAL(e.buf[1], 0xfffd);
	CU_ASSERT_EQUAL(e.buf[2], 0x3b2);

	/* A paste is decoded the same way. */
	edit_set(&e, "");
	edit_insert(&e, "x\xfey");
	CU_ASSERT(text_is(&e, "x\xef\xbf\xbdy"));
	edit_free(&e);
}

static void
test_paste(void)
{
	struct edit	e;

	edit_init(&e, "<>");
	edit_key(&e, 1, KEY_LEFT);
	CU_ASSERT_EQUAL(edit_insert(&e, "a\r\nb\nc\rd\te\x1b[f\x7f\xc2\x85g"),
	    EDIT_CHANGED);
	CU_ASSERT(text_is(&e, "<a b c d e[fg>"));
	CU_ASSERT_EQUAL(e.cur, 13);

	e.multiline = 1;
	edit_set(&e, "");
	edit_insert(&e, "a\r\nb\nc\rd\n\n");
	CU_ASSERT(text_is(&e, "a\nb\nc\nd\n\n"));

	CU_ASSERT_EQUAL(edit_insert(&e, ""), EDIT_UNHANDLED);
	CU_ASSERT_EQUAL(edit_insert(&e, "\x01\x1b"), EDIT_UNHANDLED);
	CU_ASSERT(text_is(&e, "a\nb\nc\nd\n\n"));
	edit_free(&e);
}

/* Keys that are the caller's, and ^J in either mode. */
static void
test_unhandled(void)
{
	struct edit	e;

	edit_init(&e, "x");
	CU_ASSERT_EQUAL(edit_key(&e, 0, L'\n'), EDIT_UNHANDLED);
	CU_ASSERT_EQUAL(edit_key(&e, 0, L'\r'), EDIT_UNHANDLED);
	CU_ASSERT_EQUAL(edit_key(&e, 0, L'\t'), EDIT_UNHANDLED);
	CU_ASSERT_EQUAL(edit_key(&e, 0, 0x1b), EDIT_UNHANDLED);
	CU_ASSERT_EQUAL(edit_key(&e, 0, 0x9b), EDIT_UNHANDLED);
	CU_ASSERT_EQUAL(edit_key(&e, 1, KEY_ENTER), EDIT_UNHANDLED);
	CU_ASSERT_EQUAL(edit_key(&e, 1, KEY_F(1)), EDIT_UNHANDLED);
	CU_ASSERT_EQUAL(edit_key(&e, 1, KEY_UP), EDIT_UNHANDLED);
	CU_ASSERT_EQUAL(edit_key(&e, 1, KEY_NPAGE), EDIT_UNHANDLED);
	CU_ASSERT_EQUAL(edit_key(&e, 1, KEY_RESIZE), EDIT_UNHANDLED);
	CU_ASSERT(text_is(&e, "x"));
	CU_ASSERT_EQUAL(e.changed, 0);

	e.multiline = 1;
	CU_ASSERT_EQUAL(edit_key(&e, 0, L'\n'), EDIT_CHANGED);
	CU_ASSERT_EQUAL(edit_key(&e, 0, L'\r'), EDIT_UNHANDLED);
	CU_ASSERT(text_is(&e, "x\n"));
	edit_free(&e);
}

static void
test_word_keys(void)
{
	struct edit	e;

	edit_init(&e, "foo, bar-b\xc3\xa4z");
	CU_ASSERT_EQUAL(edit_key(&e, 1, 600), EDIT_UNHANDLED);
	edit_word_keys(600, 601);
	CU_ASSERT_EQUAL(edit_key(&e, 1, 600), EDIT_MOVED);
	CU_ASSERT_EQUAL(e.cur, 9);
	edit_key(&e, 1, 600);
	CU_ASSERT_EQUAL(e.cur, 5);
	edit_key(&e, 1, 600);
	CU_ASSERT_EQUAL(e.cur, 0);
	edit_key(&e, 1, 601);
	CU_ASSERT_EQUAL(e.cur, 3);
	edit_key(&e, 1, 601);
	CU_ASSERT_EQUAL(e.cur, 8);
	edit_key(&e, 1, 601);
	CU_ASSERT_EQUAL(e.cur, 12);
	edit_word_keys(0, 0);
	CU_ASSERT_EQUAL(edit_key(&e, 1, 600), EDIT_UNHANDLED);
	CU_ASSERT_EQUAL(e.cur, 12);
	edit_free(&e);
}

static void
test_changed(void)
{
	struct edit	e;

	edit_init(&e, "same");
	CU_ASSERT_EQUAL(e.changed, 0);
	edit_set(&e, "same");
	CU_ASSERT_EQUAL(e.changed, 0);
	edit_set(&e, "other");
	CU_ASSERT_EQUAL(e.changed, 1);
	edit_free(&e);
}

static void
test_view_long(void)
{
	struct edit	e;

	/* Cursor at the end: the cell after the text is shown too. */
	edit_init(&e, "abcdefghij");
	CU_ASSERT(view_is(&e, 5, L"ghij", 4));
	CU_ASSERT_EQUAL(e.scroll, 6);

	/* At the start. */
	edit_key(&e, 1, KEY_HOME);
	CU_ASSERT(view_is(&e, 5, L"abcde", 0));
	CU_ASSERT_EQUAL(e.scroll, 0);
	press(&e, KEY_RIGHT, 4);
	CU_ASSERT(view_is(&e, 5, L"abcde", 4));
	press(&e, KEY_RIGHT, 1);
	CU_ASSERT(view_is(&e, 5, L"bcdef", 4));

	/* Moving back inside the view does not scroll it. */
	edit_key(&e, 1, KEY_END);
	CU_ASSERT(view_is(&e, 5, L"ghij", 4));
	press(&e, KEY_LEFT, 4);
	CU_ASSERT(view_is(&e, 5, L"ghij", 0));
	press(&e, KEY_LEFT, 1);
	CU_ASSERT(view_is(&e, 5, L"fghij", 0));

	/* Deleting at the end brings hidden text back in. */
	edit_key(&e, 1, KEY_END);
	CU_ASSERT(view_is(&e, 5, L"ghij", 4));
	press(&e, KEY_BACKSPACE, 3);
	CU_ASSERT(view_is(&e, 5, L"defg", 4));
	edit_key(&e, 0, CTRL('U'));
	CU_ASSERT(view_is(&e, 5, L"", 0));

	/* No room: nothing shown, nothing broken. */
	edit_set(&e, "abc");
	CU_ASSERT(view_is(&e, 0, L"", 0));
	edit_free(&e);
}

static void
test_view_wide(void)
{
	struct edit	e;

	/* 日本語テキスト: fourteen columns. */
	edit_init(&e, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86"
	    "\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88");
	CU_ASSERT(view_is(&e, 5, L"\u30b9\u30c8", 4));
	CU_ASSERT(view_is(&e, 6, L"\u30b9\u30c8", 4));
	CU_ASSERT(view_is(&e, 7, L"\u30ad\u30b9\u30c8", 6));
	edit_key(&e, 1, KEY_HOME);
	/* The third character would straddle the right edge: left out. */
	CU_ASSERT(view_is(&e, 5, L"\u65e5\u672c", 0));
	press(&e, KEY_RIGHT, 2);
	/* The cursor on a wide character needs both its columns. */
	CU_ASSERT(view_is(&e, 5, L"\u672c\u8a9e", 2));

	/* An odd column before the wide ones. */
	edit_set(&e, "a\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	edit_key(&e, 1, KEY_HOME);
	CU_ASSERT(view_is(&e, 4, L"a\u65e5", 0));
	press(&e, KEY_RIGHT, 2);
	CU_ASSERT(view_is(&e, 4, L"\u65e5\u672c", 2));
	edit_key(&e, 1, KEY_END);
	CU_ASSERT(view_is(&e, 4, L"\u8a9e", 2));
	CU_ASSERT(view_is(&e, 10, L"a\u65e5\u672c\u8a9e", 7));

	/* Too narrow for the character under the cursor. */
	edit_set(&e, "\xe6\x97\xa5");
	edit_key(&e, 1, KEY_HOME);
	CU_ASSERT(view_is(&e, 1, L"", 0));
	edit_free(&e);
}

static void
test_view_substitutes(void)
{
	struct edit	e;
	wchar_t		out[8];

	edit_init(&e, "a\nb\x01" "c");
	CU_ASSERT(view_is(&e, 10, L"a\u21b5b\ufffdc", 5));

	/* Accents ride on their letter; a lone one on a dotted circle. */
	edit_set(&e, "e\xcc\x81" "a");
	CU_ASSERT(view_is(&e, 10, L"e\u0301a", 2));
	edit_set(&e, "\xcc\x81x");
	CU_ASSERT(view_is(&e, 10, L"\u25cc\u0301x", 2));
	edit_set(&e, "\n\xcc\x81");
	CU_ASSERT(view_is(&e, 10, L"\u21b5\u25cc\u0301", 2));

	/* The accent scrolls off with its letter, never alone. */
	edit_set(&e, "e\xcc\x81" "bcd");
	CU_ASSERT(view_is(&e, 3, L"cd", 2));
	edit_key(&e, 1, KEY_HOME);
	CU_ASSERT(view_is(&e, 3, L"e\u0301bc", 0));

	/* out too short: whole characters only, always terminated. */
	edit_set(&e, "abcdef");
	edit_key(&e, 1, KEY_HOME);
	CU_ASSERT_EQUAL(edit_view(&e, 10, out, 3), 0);
	CU_ASSERT(wcscmp(out, L"ab") == 0);
	edit_set(&e, "e\xcc\x81\xcc\xa3" "b");
	edit_key(&e, 1, KEY_HOME);
	CU_ASSERT_EQUAL(edit_view(&e, 10, out, 3), 0);
	CU_ASSERT(wcscmp(out, L"") == 0);
	edit_free(&e);
}

static const struct unit_test tests[] = {
	{ "round trip", test_round_trip },
	{ "round trip in the C locale", test_round_trip_c_locale },
	{ "widths", test_widths },
	{ "insert in the middle", test_insert_middle },
	{ "insert before a lone accent", test_insert_before_combining },
	{ "delete multibyte and combining", test_delete_multibyte },
	{ "^W ^U ^K", test_kill },
	{ "Home and End", test_home_end },
	{ "max", test_max },
	{ "invalid UTF-8", test_invalid_utf8 },
	{ "paste", test_paste },
	{ "keys left to the caller", test_unhandled },
	{ "word moves", test_word_keys },
	{ "changed", test_changed },
	{ "view of a long text", test_view_long },
	{ "view of wide characters", test_view_wide },
	{ "view substitutes", test_view_substitutes },
	{ NULL, NULL }
};

int
main(void)
{
	/* Widths come from the locale, as in crm. */
	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "test-edit: no C.UTF-8 locale\n");
		return 77;
	}
	return unit_run("edit", tests);
}
