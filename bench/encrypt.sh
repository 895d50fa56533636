#!/usr/bin/env bash
# bench/encrypt.sh: what encryption at rest costs (bench/run calls it).
#
#   CRM=/abs/path/crm bash bench/encrypt.sh
#
# CRM                  the crm program (default: ../crm beside this
#                      directory); a build without --enable-fault-injection,
#                      whose Argon2id limits are the real ones
# BENCH_ENCRYPT_RECORDS  size of the two demo masters (default 1000000)
# BENCH_RUNS           runs of each short command; the median is shown (5)
# BENCH_TMPDIR         scratch space: a fresh BENCH_TMPDIR/encrypt.* is made
#                      and removed at the end (default: $TMPDIR/crm-bench)
# BENCH_KEEP=1         keep it
#
# Two demo masters of the same records (crm demo is deterministic), one
# plain and one encrypted (crm demo --encrypt: Berkeley DB's AES on every
# page and log record, the key read from DIR/master.key). Every local is
# encrypted, so the pair of masters is where plain and encrypted files
# meet the same commands; the locals below sync with each master.
#  1. crm demo: time of each.
#  2. On each master, BENCH_RUNS times, interleaved (each run of a
#     command on the three masters in turn), the median: list company | head
#     -n 51 (the first screenful), get contact ID, list company --search
#     WORD, list contact (every contact: every page read and, encrypted,
#     decrypted; and its peak memory), import of 1,000 companies; and
#     the same on a copy of the encrypted master with CRM_CIPHER=db,
#     Berkeley DB's own AES and SHA-1 instead of crm's
#     (src/store-cipher.c, src/store-mac.c).
#  3. A local for demo (an administrator: it holds every record) made
#     through the sync service (tests/ssh-pipe.sh runs crm serve here, as
#     the master's host would) and filled by its first sync from each
#     master: time and peak memory; then 1,000 changes (500 records
#     imported on each side) and their sync, BENCH_RUNS times, the two
#     locals in turn.
#  4. A login's peak memory: crm list company on a small encrypted local
#     with its password given (Argon2id, with the limits a new key file
#     gets today), against the plain master's login (yescrypt) and the
#     product's 64 MiB budget.
# Ratios are encrypted / plain. Counts (records listed, rows synced) are
# printed beside the times: they must be the same on both sides.
#
# Exit status: 0 every goal met, 3 a goal missed, 1 it could not run.
# Goals: a login within 64 MiB; the encrypted master's list contact within
# 64 MiB too.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

die() { echo "bench/encrypt: $*" >&2; exit 1; }
say() { echo "bench/encrypt: $*"; }
now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi; }

CRM=${CRM:-$here/../crm}
[ -x "$CRM" ] || die "crm not found at $CRM: build it first (make), or set CRM"
CRM=$(cd "$(dirname "$CRM")" && pwd)/$(basename "$CRM")
export CRM
records=${BENCH_ENCRYPT_RECORDS:-1000000}
runs=${BENCH_RUNS:-5}
case $records in '' | *[!0-9]* | 0) die "BENCH_ENCRYPT_RECORDS must be a positive whole number, not '$records'" ;; esac
case $runs in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive whole number, not '$runs'" ;; esac
[ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null ||
	die "/usr/bin/time not found: install the Debian package time (peak memory)"
ssh_pipe=$here/../tests/ssh-pipe.sh
[ -f "$ssh_pipe" ] || die "$ssh_pipe not found (it runs crm serve through a pipe)"
ssh_pipe=$(cd "$(dirname "$ssh_pipe")" && pwd)/ssh-pipe.sh

BENCH_TMPDIR=${BENCH_TMPDIR:-${TMPDIR:-/tmp}/crm-bench}
mkdir -p "$BENCH_TMPDIR"
work=$(mktemp -d "$BENCH_TMPDIR/encrypt.XXXXXX") || die "cannot make a directory in $BENCH_TMPDIR"
cleanup() {
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "kept $work (BENCH_KEEP=1)"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data NO_COLOR=1
export CRM_PASSWORD=demo
unset CRM_USER CRM_KEYLOG CRM_STATS
mkdir -p "$XDG_CONFIG_HOME/crm" "$XDG_DATA_HOME"
printf 'sync = {\n  ssh_command = "%s";\n  remote_crm = "%s";\n};\n' \
	"$ssh_pipe" "$CRM" >"$XDG_CONFIG_HOME/crm/crm.conf"

# timed FILE CMD...: run CMD, its output to FILE; seconds on stdout, and
# peak memory (KiB) in $work/rss. It runs in a command substitution: a
# failure is left in $work/failed for checked to report.
timed() {
	local out=$1 t0 t1
	shift
	t0=$(now)
	if ! /usr/bin/time -f %M -o "$work/rss" "$@" >"$out" 2>"$work/err"; then
		echo "$* failed: $(grep -v '^Command exited' "$work/err" | tail -n 3)" >"$work/failed"
		echo n/a
		return 1
	fi
	t1=$(now)
	fsub "$t1" "$t0"
}
checked() {
	[ ! -e "$work/failed" ] || die "$(cat "$work/failed")"
}
# median_of N CMD...: the median seconds of N runs (output to $work/out);
# the largest peak memory in $work/rss.max.
median_of() {
	local n=$1 i=0 t all=() rmax=0 r
	shift
	while [ "$i" -lt "$n" ]; do
		t=$(timed "$work/out" "$@") || return 1
		all+=("$t")
		r=$(cat "$work/rss")
		[ "$r" -le "$rmax" ] || rmax=$r
		i=$((i + 1))
	done
	echo "$rmax" >"$work/rss.max"
	median "${all[@]}"
}
rows_of() { wc -l <"$1" | awk '{ print $1 }'; }

echo "crm encryption benchmark"
echo "  program:  $CRM"
echo "  host:     $(uname -n), $(nproc) cpus"
echo "  records:  $(count "$records"), $runs runs of each short command (median)"
echo

# ---- 1. the two masters
declare -A T R N
for kind in plain encrypted; do
	opt=
	[ "$kind" = plain ] || opt=--encrypt
	T[demo_$kind]=$(timed "$work/out" "$CRM" demo "$work/$kind" --records "$records" $opt) || true
	checked
	R[demo_$kind]=$(cat "$work/rss")
done
[ -f "$work/encrypted/master.key" ] || die "crm demo --encrypt made no key file"
[ ! -f "$work/plain/master.key" ] || die "crm demo made a key file without --encrypt"

# What to look for: the same records on both, as the demo's data is
# deterministic (not its IDs, which are made from the time).
declare -A CID
for kind in plain encrypted; do
	"$CRM" -d "$work/$kind" -u demo list contact --fields id >"$work/ids"
	CID[$kind]=$(sed -n '1000p' "$work/ids")
	[ -n "${CID[$kind]}" ] || CID[$kind]=$(sed -n '$p' "$work/ids")
done
"$CRM" -d "$work/plain" -u demo list company --fields name >"$work/names"
word=$(sed -n '2p' "$work/names" | awk '{ print $1 }')
awk 'BEGIN { print "name,phone,city"
	for (i = 0; i < 1000; i++) printf "Benchcrypt %d,+1 555 %04d,Town %d\n", i, i, i % 50 }' \
	>"$work/import.csv"

# ---- 2. commands on each master
# encdb: a copy of the encrypted master, its AES and SHA-1 blocks left to
# Berkeley DB's own code (CRM_CIPHER=db) instead of nettle's AES and the
# processor's SHA instructions (src/store-cipher.c, src/store-mac.c):
# what crm's doing them buys.
cp -a "$work/encrypted" "$work/encdb" || die "cannot copy the encrypted master"
CID[encdb]=${CID[encrypted]}
# one KEY KIND CMD...: one timed run of CMD, added to the runs of KEY on
# the master KIND; its rows in N, the largest peak memory in R.
declare -A ALL
one() {
	local key=$1 kind=$2 t r
	shift 2
	t=$(timed "$work/out" "$@") || true
	checked
	ALL[${key}_$kind]="${ALL[${key}_$kind]:-} $t"
	N[${key}_$kind]=$(rows_of "$work/out")
	r=$(cat "$work/rss")
	[ "$r" -le "${R[${key}_$kind]:-0}" ] || R[${key}_$kind]=$r
}
# bench_one KEY KIND: one run of the command KEY on the master KIND.
bench_one() {
	local key=$1 kind=$2 m=$work/$2
	if [ "$kind" = encdb ]; then export CRM_CIPHER=db; else unset CRM_CIPHER; fi
	case $key in
	first) one first "$kind" sh -c "'$CRM' -d '$m' -u demo list company | head -n 51" ;;
	get) one get "$kind" "$CRM" -d "$m" -u demo get contact "${CID[$kind]}" ;;
	search) one search "$kind" "$CRM" -d "$m" -u demo list company --search "$word" ;;
	list) one list "$kind" "$CRM" -d "$m" -u demo list contact ;;
	import) one import "$kind" "$CRM" -d "$m" -u demo import company "$work/import.csv" ;;
	esac
	unset CRM_CIPHER
}
# Interleaved: each run of a command goes to the three masters in turn,
# so that the machine's load, which swings by a third here from one
# minute to the next, falls on all three alike.
i=0
while [ "$i" -lt "$runs" ]; do
	for key in first get search list import; do
		for kind in plain encrypted encdb; do
			bench_one "$key" "$kind"
		done
	done
	i=$((i + 1))
done
for kind in plain encrypted encdb; do
	for key in first get search list import; do
		# shellcheck disable=SC2086 # the runs, split
		T[${key}_$kind]=$(median ${ALL[${key}_$kind]})
	done
	N[import_$kind]=1000
done
unset CRM_CIPHER
rm -rf "$work/encdb"

# ---- 3. a local of each, through the service
for kind in plain encrypted; do
	m=$work/$kind
	l=$work/local-$kind
	"$CRM" -u demo init --local "$l" --master "benchhost:$m" >/dev/null 2>"$work/err" ||
		die "cannot make a local of $m: $(cat "$work/err")"
	T[sync1_$kind]=$(timed "$work/out" "$CRM" -d "$l" sync) || true
	checked
	R[sync1_$kind]=$(cat "$work/rss")
	"$CRM" -d "$l" list company --fields id >"$work/lc"
	N[sync1_$kind]=$(rows_of "$work/lc")
done
# 1,000 changes and their sync, BENCH_RUNS times, the two locals in turn
# (as the commands above, so that the machine's load falls on both).
declare -A SYNCS
i=0
while [ "$i" -lt "$runs" ]; do
	for kind in plain encrypted; do
		m=$work/$kind
		l=$work/local-$kind
		awk -v r="$i" -v k="$kind" 'BEGIN { print "name,phone,city"
			for (j = 0; j < 250; j++) printf "Uplocal %s %d %d,+1 556 %04d,Town\n", k, r, j, j }' >"$work/up.csv"
		awk -v r="$i" -v k="$kind" 'BEGIN { print "name,phone,city"
			for (j = 0; j < 250; j++) printf "Downmaster %s %d %d,+1 557 %04d,Town\n", k, r, j, j }' >"$work/down.csv"
		"$CRM" -d "$l" import company "$work/up.csv" >/dev/null 2>"$work/err" ||
			die "cannot import on $l: $(cat "$work/err")"
		"$CRM" -d "$m" -u demo import company "$work/down.csv" >/dev/null 2>"$work/err" ||
			die "cannot import on $m: $(cat "$work/err")"
		t=$(timed "$work/out" "$CRM" -d "$l" sync) || true
		checked
		SYNCS[$kind]="${SYNCS[$kind]:-} $t"
		r=$(cat "$work/rss")
		[ "$r" -le "${R[sync2_$kind]:-0}" ] || R[sync2_$kind]=$r
	done
	i=$((i + 1))
done
for kind in plain encrypted; do
	# shellcheck disable=SC2086 # the runs, split
	T[sync2_$kind]=$(median ${SYNCS[$kind]})
	N[sync2_$kind]=500
	"$CRM" -d "$work/local-$kind" list company --fields id >"$work/lc"
	N[after_$kind]=$(rows_of "$work/lc")
done

# ---- 4. a login's memory
# A small encrypted local (its key file sealed with today's limits).
"$CRM" demo "$work/small" --records 200 >/dev/null 2>&1 || die "cannot make a small demo"
"$CRM" -u demo init --local "$work/small-local" --master "$work/small" >/dev/null 2>"$work/err" ||
	die "cannot make a small local: $(cat "$work/err")"
limits=$(sed -n 's/^argon2id //p' "$work/small-local/crm.key")
T[login_enc]=$(median_of "$runs" "$CRM" -d "$work/small-local" list company --fields name) || true
checked
R[login_enc]=$(cat "$work/rss.max")
T[login_plain]=$(median_of "$runs" "$CRM" -d "$work/small" -u demo list company --fields name) || true
checked
R[login_plain]=$(cat "$work/rss.max")

# ---- the table
row() {
	local what=$1 key=$2 db=- dbratio=-
	if [ -n "${T[${key}_encdb]:-}" ]; then
		db=${T[${key}_encdb]}
		dbratio=$(fdiv "$db" "${T[${key}_plain]}")
	fi
	printf '  %-34s %9s %9s %7s %12s %9s %7s\n' "$what" "${T[${key}_plain]}" "${T[${key}_encrypted]}" \
		"$(fdiv "${T[${key}_encrypted]}" "${T[${key}_plain]}")" \
		"${N[${key}_plain]:-}/${N[${key}_encrypted]:-}" "$db" "$dbratio"
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "Seconds (median of $runs unless said), plain master vs encrypted master"
echo "(db own: the encrypted master with Berkeley DB's own AES and SHA-1, CRM_CIPHER=db)"
printf '  %-34s %9s %9s %7s %12s %9s %7s\n' "" plain encrypted ratio "count p/e" "db own" ratio
row "crm demo (once)" demo
row "list company | head -n 51" first
row "get contact ID" get
row "list company --search $word" search
row "list contact (every contact)" list
row "import company, 1,000 rows" import
row "first sync of a local (once)" sync1
row "sync of 500 up, 500 down" sync2
echo
echo "Peak memory (MiB), plain vs encrypted"
printf '  %-34s %9s %9s\n' "crm demo" "$(mib "${R[demo_plain]}")" "$(mib "${R[demo_encrypted]}")"
printf '  %-34s %9s %9s\n' "list contact" "$(mib "${R[list_plain]}")" "$(mib "${R[list_encrypted]}")"
printf '  %-34s %9s %9s\n' "first sync of a local" "$(mib "${R[sync1_plain]}")" "$(mib "${R[sync1_encrypted]}")"
printf '  %-34s %9s %9s\n' "sync of 1,000 changes" "$(mib "${R[sync2_plain]}")" "$(mib "${R[sync2_encrypted]}")"
echo
echo "Login (small database; median seconds, peak MiB)"
printf '  %-50s %7s %7s\n' "plain master, yescrypt" "${T[login_plain]}" "$(mib "${R[login_plain]}")"
printf '  %-50s %7s %7s\n' "encrypted local, Argon2id $limits (passes, KiB)" "${T[login_enc]}" "$(mib "${R[login_enc]}")"
failed=0
budget=$((64 * 1024))
if [ "${R[login_enc]}" -gt "$budget" ]; then
	echo "  FAIL: a login to an encrypted local takes more than 64 MiB"
	failed=1
fi
if [ "${R[list_encrypted]}" -gt "$budget" ]; then
	echo "  FAIL: list contact on the encrypted master takes more than 64 MiB"
	failed=1
fi
for k in first get search list; do
	[ "${N[${k}_encrypted]}" = "${N[${k}_encdb]}" ] ||
		die "$k: the encrypted master gave different counts with Berkeley DB's AES (${N[${k}_encrypted]}, ${N[${k}_encdb]})"
done
for k in first get search list sync1; do
	[ "${N[${k}_plain]}" = "${N[${k}_encrypted]}" ] ||
		die "$k: the plain and encrypted masters gave different counts (${N[${k}_plain]}, ${N[${k}_encrypted]})"
done
[ "${N[after_plain]}" = "${N[after_encrypted]}" ] ||
	die "the locals hold different counts after their syncs (${N[after_plain]}, ${N[after_encrypted]})"
[ "$failed" -eq 0 ] || exit 3
echo "bench/encrypt: every goal met"
