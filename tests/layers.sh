#!/bin/sh
# The layers: the framework of the screens declares no screen's own keys,
# no object of the core (libcrm-core.a, src/) refers to a symbol of the
# screens (libcrm-screens.a, screens/), the screens call no Berkeley DB
# function (they go through the core), and no two screens objects need
# each other.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

# The framework holds only what screens share. An action or keymap that
# include/tui.h declares (so screens/keys.c may bind it) and that one
# screen alone uses belongs to that screen: declared in its own file from
# A_SCREEN or KM_SCREEN up and bound in its own table, so that a new
# screen touches no framework file. The form and the picker
# (screen-form.c) and the help (screen-help.c) are the framework's, as
# are the widgets and tui.c.
SRC=$TESTS_SRCDIR/..
[ -f "$SRC/include/tui.h" ] && [ -f "$SRC/screens/keys.c" ] ||
    fail "no include/tui.h or screens/keys.c under $SRC"
: >"$T/own"
for name in $(grep -oE '\<(A|KM)_[A-Z0-9_]+\>' "$SRC/include/tui.h" |
    sort -u); do
	screens=$(grep -lw -- "$name" "$SRC"/screens/screen-*.c |
	    grep -v -e '/screen-form\.c$' -e '/screen-help\.c$' || true)
	framework=$(grep -lw -- "$name" "$SRC"/screens/*.c |
	    grep -v -e '/screen-[^/]*\.c$' -e '/keys\.c$' || true)
	for f in "$SRC"/screens/screen-form.c "$SRC"/screens/screen-help.c; do
		grep -qw -- "$name" "$f" && framework="$framework $f"
	done
	if [ -z "$framework" ] && [ "$(printf '%s\n' "$screens" |
	    grep -c .)" -eq 1 ]; then
		printf '%s %s\n' "$name" "${screens##*/}" >>"$T/own"
	fi
done
if [ -s "$T/own" ]; then
	while read -r name file; do
		printf 'include/tui.h declares %s, which only screens/%s uses: declare it there (from A_SCREEN or KM_SCREEN) and bind it in its own table\n' \
		    "$name" "$file" >&2
	done <"$T/own"
	fail "the framework names a screen's own actions or keymaps"
fi

NM=${NM:-nm}
command -v "$NM" >/dev/null 2>&1 || { echo "layers.sh: no $NM: skipped"; exit 77; }
B=$(dirname "$CRM")
CORE=$B/libcrm-core.a
SCREENS=$B/libcrm-screens.a
[ -f "$CORE" ] && [ -f "$SCREENS" ] || fail "no $CORE or $SCREENS"

# "object symbol" for each symbol an archive's objects define or lack.
symbols() {
	"$NM" -A "$2" | awk -v want="$1" '
	{
		# archive:object:[address] type symbol
		split($1, name, ":")
		obj = name[2]
		type = $(NF - 1)
		sym = $NF
		if (want == "U" && type == "U")
			print obj, sym
		else if (want == "D" && type ~ /^[TDBRGSVW]$/)
			print obj, sym
	}' | sort -k 2
}
symbols U "$CORE" >"$T/core-undefined"
symbols D "$SCREENS" >"$T/screens-defined"
[ -s "$T/core-undefined" ] || fail "no symbol read from $CORE"
[ -s "$T/screens-defined" ] || fail "no symbol read from $SCREENS"

join -1 2 -2 2 "$T/core-undefined" "$T/screens-defined" >"$T/up" || true
if [ -s "$T/up" ]; then
	while read -r sym from to; do
		printf 'core %s calls %s of the screens (%s)\n' "$from" \
		    "$sym" "$to" >&2
	done <"$T/up"
	fail "the core calls the screens"
fi

symbols U "$SCREENS" | awk '$2 ~ /^db_/' >"$T/down"
if [ -s "$T/down" ]; then
	cat "$T/down" >&2
	fail "the screens call Berkeley DB"
fi

# No cycle among the screens' objects: a screen reaches another only
# one way (the framework knows none; a record and its form meet through
# actions.o, which the application fills). "from to" for each object that
# refers to a symbol another defines, then each pair that reach each
# other both ways.
"$NM" -A "$SCREENS" | awk '
{
	split($1, name, ":")
	obj = name[2]
	type = $(NF - 1)
	sym = $NF
	if (type == "U")
		undef[++n] = obj " " sym
	else if (type ~ /^[TDBRGSVW]$/)
		def[sym] = obj
}
END {
	for (i = 1; i <= n; i++) {
		split(undef[i], u, " ")
		if ((u[2] in def) && def[u[2]] != u[1])
			print u[1], def[u[2]]
	}
}' | sort -u >"$T/edges"
[ -s "$T/edges" ] || fail "no dependency read from $SCREENS"
awk '
{
	to[$1] = to[$1] " " $2
	node[$1] = node[$2] = 1
}
function reach(from, at,	k, list, i) {
	if ((from, at) in seen)
		return
	seen[from, at] = 1
	k = split(to[at], list, " ")
	for (i = 1; i <= k; i++)
		reach(from, list[i])
}
END {
	for (a in node) {
		k = split(to[a], list, " ")
		for (i = 1; i <= k; i++)
			reach(a, list[i])
	}
	for (a in node)
		for (b in node)
			if (a < b && ((a, b) in seen) && ((b, a) in seen))
				print a, b
}' "$T/edges" >"$T/cycles"
if [ -s "$T/cycles" ]; then
	sed 's/^/screens objects that need each other: /' "$T/cycles" >&2
	fail "a cycle among the screens objects"
fi

# The program that links the core alone was built, so it linked.
[ -x "$B/tests/layers" ] || fail "tests/layers was not built"
run "$B/tests/layers"
[ "$STATUS" -eq 0 ] || fail "tests/layers does not run"
exit 0
