#!/bin/sh
# The layers: the framework of the screens declares no screen's own keys,
# no object of the core (libcrm-core.a, src/) refers to a symbol of the
# screens (libcrm-screens.a, screens/), the screens call no Berkeley DB
# function (they go through the core), no two screens objects need each
# other, and no two core objects do but the command table's (cli.o and
# cli-*.o).
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

# "from to" for each object of an archive that refers to a symbol another
# of its objects defines, the objects named as in the tree: store.o.
edges() {
	"$NM" -A "$1" | awk '
	{
		split($1, name, ":")
		obj = name[2]
		sub(/^libcrm_[a-z]+_a-/, "", obj)
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
	}' | sort -u
}

# The cycles of a list of edges: one line for each set of objects that
# all reach each other (a strongly connected component of more than one),
# its objects sorted.
cycles() {
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
		# Each object of a cycle under the least object of it.
		for (a in node) {
			least = a
			for (b in node)
				if (b < least && ((a, b) in seen) &&
				    ((b, a) in seen))
					least = b
			if ((a, least) in seen || a != least)
				print least, a
		}
	}' "$1" | LC_ALL=C sort | awk '
	$1 != last {
		if (line != "")
			print line
		line = ""
		last = $1
	}
	{ line = line (line == "" ? "" : " ") $2 }
	END {
		if (line != "")
			print line
	}' | awk 'NF > 1'
}

# No cycle among the screens' objects: a screen reaches another only
# one way (the framework knows none; a record and its form meet through
# actions.o, which the application fills).
edges "$SCREENS" >"$T/edges"
[ -s "$T/edges" ] || fail "no dependency read from $SCREENS"
cycles "$T/edges" >"$T/cycles"
if [ -s "$T/cycles" ]; then
	sed 's/^/screens objects that need each other: /' "$T/cycles" >&2
	fail "a cycle among the screens objects"
fi

# No cycle among the core's objects but the command table's: cli.c
# names every command and each cli-*.c is a command that may call
# another's helpers. Elsewhere each file's concern sits above or below
# another's (the store's transactions below its indexes, below the
# opening of a database, below a load; a record's types below the
# rights, below the model's checks), and needing each other both ways
# means a function is in the wrong file.
edges "$CORE" >"$T/core-edges"
[ -s "$T/core-edges" ] || fail "no dependency read from $CORE"
cycles "$T/core-edges" | awk '
{
	for (i = 1; i <= NF; i++)
		if ($i !~ /^cli(-[a-z0-9-]+)?\.o$/) {
			print
			next
		}
}' >"$T/core-cycles"
if [ -s "$T/core-cycles" ]; then
	sed 's/^/core objects that need each other: /' "$T/core-cycles" >&2
	fail "a cycle among the core objects"
fi

# The program that links the core alone was built, so it linked.
[ -x "$B/tests/layers" ] || fail "tests/layers was not built"
run "$B/tests/layers"
[ "$STATUS" -eq 0 ] || fail "tests/layers does not run"
exit 0
