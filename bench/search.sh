#!/usr/bin/env bash
# bench/search.sh: is a search as cheap on a million records as on ten
# thousand? (the goals of search)
#
#   CRM=/abs/path/crm bash bench/search.sh     (bench/run calls it)
#
# CRM                  the crm program (default: ../crm beside this directory)
# BENCH_TMPDIR         scratch space: a fresh BENCH_TMPDIR/search.* is made
#                      and removed at the end
# BENCH_SEARCH_SIZES   the two sizes compared (default "10000 1000000")
# BENCH_SEARCH_REUSE   "N:DIR ...": demo masters already made (bench/run
#                      passes its own); a size without one is made here
# BENCH_RUNS           runs of each command; the median is shown (5)
# BENCH_SEARCH_STRESS  words of the vocabulary of the stress run (below;
#                      default 1000000, 0 leaves it out)
# BENCH_SEARCH_LOCAL   an encrypted local of the larger master, synced
#                      (its user demo, password demo): a size's first
#                      screen there; without it one is made here (a first
#                      sync of the whole master: minutes at a million)
#
# For each size, on a demo master with three contacts added that no other
# record resembles (so that the answer is the same size at both sizes, as
# a person's query for one person is):
#  1. crm query for one of them ("wilhelmina benchquery"), timed whole
#     (start, attach, password check included), the records it read
#     (CRM_STATS) and its peak memory;
#  2. crm query for a common surname (its answer grows with the data):
#     the records it read per line printed, which stays near one when the
#     index does the finding;
#  3. crm list company --search for one word of a company name;
#  4. bench/screens.sh on the same master: the first screen, and each
#     keystroke of "/" then six letters of company names.
#  5. On the larger, the first screen of an encrypted local of it (as a
#     field user's): logging in with the password, and with its key kept
#     in the login session (crm unlock), when no password is asked.
#  6. Stress: a copy of the smaller master whose contacts' and companies'
#     vocabularies (the words a search looks inside, store_vocab_find)
#     hold BENCH_SEARCH_STRESS different words, as a database of that many
#     people with names and emails of their own would (the demo's are a
#     few dozen: its other words hold digits, which are left out). crm
#     query and the screens' keystrokes again there: a text inside words
#     costs a read of the whole vocabulary.
# Goals: crm query and a search keystroke on the larger within
# 30 ms of the same on the smaller; the first screen under 100 ms on the
# larger (bench/screens.sh's own goals are in its table).
#
# Exit status: 0 every goal met, 3 a goal missed, 1 it could not run.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

die() { echo "bench/search: $*" >&2; exit 1; }
say() { echo "bench/search: $*"; }
now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi; }

CRM=${CRM:-$here/../crm}
[ -x "$CRM" ] || die "crm not found at $CRM: build it first (make), or set CRM"
CRM=$(cd "$(dirname "$CRM")" && pwd)/$(basename "$CRM")
export CRM
read -r -a sizes <<<"${BENCH_SEARCH_SIZES:-10000 1000000}"
[ "${#sizes[@]}" -eq 2 ] || die "BENCH_SEARCH_SIZES must name two sizes"
runs=${BENCH_RUNS:-5}

BENCH_TMPDIR=${BENCH_TMPDIR:-${TMPDIR:-/tmp}/crm-bench}
mkdir -p "$BENCH_TMPDIR"
work=$(mktemp -d "$BENCH_TMPDIR/search.XXXXXX") || die "cannot make a directory in $BENCH_TMPDIR"
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data NO_COLOR=1
export CRM_PASSWORD=demo
unset CRM_USER CRM_KEYLOG
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"

have_time=0
[ -x /usr/bin/time ] && have_time=1

# The master of a size: one bench/run made, or a new demo.
master_of() {
	local n=$1 pair
	for pair in ${BENCH_SEARCH_REUSE:-}; do
		if [ "${pair%%:*}" = "$n" ]; then
			echo "${pair#*:}"
			return
		fi
	done
	echo "$work/demo$n"
}

# timed CMD...: the wall seconds of one run (output thrown away).
timed() {
	local t0 t1
	t0=$(now)
	"$@" >/dev/null 2>&1 || true
	t1=$(now)
	fsub "$t1" "$t0"
}

# median_ms CMD...: the median of $runs runs, in milliseconds.
median_ms() {
	local i t=()
	"$@" >/dev/null 2>&1 || true	# warm up
	for ((i = 0; i < runs; i++)); do
		t+=("$(timed "$@")")
	done
	awk -v s="$(median "${t[@]}")" 'BEGIN { printf "%.1f", s * 1000 }'
}

# stats CMD...: "opened read" of CRM_STATS for one run.
stats() {
	CRM_STATS=1 "$@" 2>&1 >/dev/null |
	    sed -n 's/^crm: stats: \([0-9]*\) opened, \([0-9]*\) records read$/\1 \2/p' |
	    tail -n 1
}

# peak_kb DB ARGS...: peak resident memory of one run of crm -d DB ARGS.
peak_kb() {
	local db=$1
	shift
	if [ "$have_time" = 1 ]; then
		/usr/bin/time -f '%M' -o "$work/peak" "$CRM" -d "$db" -u demo \
		    "$@" >/dev/null 2>&1 || true
		tail -n 1 "$work/peak"
	else
		echo n/a
	fi
}

declare -A R
for n in "${sizes[@]}"; do
	db=$(master_of "$n")
	if [ ! -f "$db/crm.conf" ]; then
		say "making a demo master of $(count "$n") records ..."
		"$CRM" demo "$db" --records "$n" >"$work/demo.out" 2>&1 ||
			die "crm demo failed: $(tail -n 3 "$work/demo.out")"
	fi
	c() { "$CRM" -d "$db" -u demo "$@"; }
	# Three people no one else is like (once: a reused master keeps them).
	if ! c list contact --search benchquery --fields id 2>/dev/null |
	    tail -n +2 | grep -q .; then
		co=$(c add company name="Benchquery Holdings" city=Valletta) ||
			die "cannot add to $db"
		for who in Wilhelmina Ottokar Perpetua; do
			c add contact first_name="$who" last_name=Benchquery \
			    company="$co" email="$who@benchquery.example" >/dev/null ||
				die "cannot add to $db"
		done
	fi
	say "$(count "$n") records: timing crm query and list --search ($runs runs) ..."
	R[$n,query]=$(median_ms c query "wilhelmina benchquery")
	read -r _ R[$n,query_read] <<<"$(stats c query "wilhelmina benchquery")"
	R[$n,query_peak]=$(peak_kb "$db" query "wilhelmina benchquery")
	R[$n,common_peak]=$(peak_kb "$db" query schmidt)
	R[$n,common_lines]=$(c query schmidt 2>/dev/null | tail -n +2 | wc -l)
	read -r _ R[$n,common_read] <<<"$(stats c query schmidt)"
	R[$n,common]=$(median_ms c query schmidt)
	R[$n,list]=$(median_ms c list company --search benchquery)
	read -r _ R[$n,list_read] <<<"$(stats c list company --search benchquery)"
	say "$(count "$n") records: the screens (bench/screens.sh) ..."
	BENCH_TMPDIR="$work" BENCH_SCREENS_REUSE="$n:$db" bash "$here/screens.sh" \
	    >"$work/screens.$n" 2>&1 || true
	R[$n,first]=$(awk '/^first screen \(key log\)/ { print $(NF-5) }' "$work/screens.$n")
	R[$n,key]=$(awk '/^search keystroke, median/ { print $(NF-5) }' "$work/screens.$n")
	[ -n "${R[$n,key]}" ] || die "bench/screens.sh gave no search figure: $(tail -n 5 "$work/screens.$n")"
done

a=${sizes[0]}
b=${sizes[1]}

# The stress run: the smaller master's copy, its vocabularies filled
# with made-up words of 5 to 12 letters (db5.3_load -T: sorted, in
# entries of up to 1536 bytes keyed by their first word, as store.c
# keeps them).
stress=${BENCH_SEARCH_STRESS:-1000000}
R[stress,query]=n/a
R[stress,key]=n/a
if [ "$stress" != 0 ] && command -v db5.3_load >/dev/null 2>&1; then
	say "stress: $(count "$stress") words in the vocabularies of a copy of the $(count "$a") master ..."
	sdb=$work/stress
	cp -a "$(master_of "$a")" "$sdb"
	awk -v n="$stress" 'BEGIN { srand(13)
		for (i = 0; i < n; i++) { w = ""; l = 5 + int(rand() * 8)
			for (j = 0; j < l; j++) w = w sprintf("%c", 97 + int(rand() * 26))
			print w } }' | LC_ALL=C sort -u |
	    awk '{ if (len > 0 && len + 1 + length($0) > 1536) { print first; print chunk; len = 0 }
		if (len == 0) { first = $0; chunk = $0; len = length($0) }
		else { chunk = chunk "\\0a" $0; len += 1 + length($0) } }
		END { if (len > 0) { print first; print chunk } }' >"$work/vocab.txt"
	for f in contacts companies; do
		db5.3_load -T -t btree -c database=vocab "$sdb/$f.db" <"$work/vocab.txt" ||
			die "db5.3_load could not fill the vocabulary of $sdb/$f.db"
	done
	R[stress,vocab]=$(wc -c <"$work/vocab.txt")
	cs() { "$CRM" -d "$sdb" -u demo "$@"; }
	R[stress,query]=$(median_ms cs query "wilhelmina benchquery")
	BENCH_TMPDIR="$work" BENCH_SCREENS_REUSE="$a:$sdb" bash "$here/screens.sh" \
	    >"$work/screens.stress" 2>&1 || true
	R[stress,key]=$(awk '/^search keystroke, median/ { print $(NF-5) }' "$work/screens.stress")
	R[stress,keymax]=$(awk '/^search keystroke, median/ { getline; print $(NF-2) " ms; " $NF }' "$work/screens.stress")
	rm -rf "$sdb"
fi

# The first screen of an encrypted local of the larger master.
local_db=${BENCH_SEARCH_LOCAL:-$work/local$b}
if [ ! -f "$local_db/crm.conf" ]; then
	say "$(count "$b") records: making an encrypted local of the master (a first sync) ..."
	"$CRM" -u demo init --local "$local_db" --master "$(master_of "$b")" \
	    >"$work/local.out" 2>&1 || die "crm init --local failed: $(tail -n 3 "$work/local.out")"
	"$CRM" -d "$local_db" sync >"$work/local.out" 2>&1 ||
		die "the local's first sync failed: $(tail -n 3 "$work/local.out")"
fi
first_of() { # first_of FILE: the first screen's median in bench/screens.sh's output
	awk '/^first screen \(key log\)/ { for (i = NF; i > 0; i--) if ($i == "ms") { print $(i - 1); exit } }' "$1"
}
say "$(count "$b") records: the local's first screen, the password asked ..."
"$CRM" -d "$local_db" lock >/dev/null 2>&1 || true
BENCH_TMPDIR="$work" BENCH_SCREENS_REUSE="$b:$local_db" BENCH_SCREENS_FIRST=1 \
    bash "$here/screens.sh" >"$work/screens.local" 2>&1 || true
R[$b,local_pw]=$(first_of "$work/screens.local")
say "$(count "$b") records: the local's first screen, its key kept in the session ..."
R[$b,local_kept]=n/a
if "$CRM" -d "$local_db" unlock >"$work/unlock.out" 2>&1; then
	BENCH_TMPDIR="$work" BENCH_SCREENS_REUSE="$b:$local_db" BENCH_SCREENS_KEPT=1 \
	    bash "$here/screens.sh" >"$work/screens.kept" 2>&1 || true
	R[$b,local_kept]=$(first_of "$work/screens.kept")
	"$CRM" -d "$local_db" lock >/dev/null 2>&1 || true
else
	say "no session keyring here ($(tail -n 1 "$work/unlock.out")): the kept key is not measured"
fi
[ -n "${R[$b,local_pw]}" ] || die "bench/screens.sh gave no first screen for the local: $(tail -n 5 "$work/screens.local")"
verdict() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi; }
row() { printf '%-44s %-12s %-12s %-16s %s\n' "$@" | sed 's/ *$//'; }
line() { printf '%s\n' "--------------------------------------------------------------------------------------------"; }
failed=0
goal() { # goal LABEL A B (B - A <= 30 ms)
	local d v
	d=$(fsub "$3" "$2")
	v=$(verdict "$(fcmp "$d" "<=" 30)")
	[ "$v" = PASS ] || failed=$((failed + 1))
	row "$1" "$2 ms" "$3 ms" "+$d ms <= 30" "$v"
}

echo
echo "crm search benchmark: $(count "$a") against $(count "$b") records, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
line
row "measure" "$(count "$a")" "$(count "$b")" "goal" "result"
line
goal "crm query (one person), median" "${R[$a,query]}" "${R[$b,query]}"
row "  records read" "${R[$a,query_read]}" "${R[$b,query_read]}"
row "  peak memory (KiB)" "${R[$a,query_peak]}" "${R[$b,query_peak]}"
row "crm query schmidt: lines printed" "${R[$a,common_lines]}" "${R[$b,common_lines]}"
row "  records read" "${R[$a,common_read]}" "${R[$b,common_read]}"
row "  median (grows with what it prints)" "${R[$a,common]} ms" "${R[$b,common]} ms"
row "  peak memory (KiB)" "${R[$a,common_peak]}" "${R[$b,common_peak]}"
row "list company --search (one), median" "${R[$a,list]} ms" "${R[$b,list]} ms"
row "  records read" "${R[$a,list_read]}" "${R[$b,list_read]}"
goal "search keystroke (screens), median" "${R[$a,key]}" "${R[$b,key]}"
v=$(verdict "$(fcmp "${R[$b,first]}" "<" 100)")
[ "$v" = PASS ] || failed=$((failed + 1))
row "first screen (master, password), median" "${R[$a,first]} ms" "${R[$b,first]} ms" "< 100 ms" "$v"
v=$(verdict "$(fcmp "${R[$b,local_pw]}" "<" 100)")
[ "$v" = PASS ] || failed=$((failed + 1))
row "first screen (local, password), median" "" "${R[$b,local_pw]} ms" "< 100 ms" "$v"
if [ "${R[$b,local_kept]}" != n/a ] && [ -n "${R[$b,local_kept]}" ]; then
	v=$(verdict "$(fcmp "${R[$b,local_kept]}" "<" 100)")
	[ "$v" = PASS ] || failed=$((failed + 1))
	row "first screen (local, key kept), median" "" "${R[$b,local_kept]} ms" "< 100 ms" "$v"
else
	row "first screen (local, key kept), median" "" "n/a" "< 100 ms" "no keyring"
fi
if [ "${R[stress,query]}" != n/a ]; then
	goal "stress: crm query, $(count "$stress")-word vocab." "${R[$a,query]}" "${R[stress,query]}"
	[ -n "${R[stress,key]}" ] && goal "stress: search keystroke, median" "${R[$a,key]}" "${R[stress,key]}"
	row "  slowest key; keys over 20 ms" "" "${R[stress,keymax]:-n/a}"
fi
line
echo "Commands are timed whole: starting crm, attaching the master and checking"
echo "the password (yescrypt) included. Keys are crm's own key log (bench/screens.sh)."
echo "The local's first screen with its key kept asks no password (crm unlock):"
echo "opening the local alone."
if [ "$failed" -gt 0 ]; then
	echo "bench/search: $failed goal(s) missed"
	exit 3
fi
echo "bench/search: every goal met"
