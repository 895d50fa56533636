#!/usr/bin/env bash
# bench/io.sh: importing and exporting contacts, beside abook.
#
#   CRM=/abs/crm BENCH_TMPDIR=/abs/scratch bash bench/io.sh
#
# BENCH_IO_SIZES  card counts (default "5000 100000")
# BENCH_IO_CARDS  card counts at which only the import's peak memory is
#                 measured, once (default none; "1000000" takes minutes
#                 and some 300 MB of disk)
# BENCH_RUNS      repetitions of each timing; the median is shown (3)
#
# For each size, N vCards from bench/cards.awk (1,024 names, 256
# companies: many contacts share a name) and, beside them:
#  - abook --convert of the same cards to CSV (its import), and of its
#    own address book to vCard (its export): the goal is crm within 2x
#    of abook's time;
#  - crm import contact FILE.vcf into a new master, then the same file
#    again (every card unchanged): the cost per card must stay flat, so
#    the goal is a per-card time at the largest size under 1.5x that at
#    the smallest;
#  - crm import of crm's own CSV export into a new master;
#  - crm export contact to .vcf and to .csv;
#  - crm demo of as many records into a new master: its bulk load (no
#    log, no transaction, indexes sorted) is crm's fastest way in, and
#    the import's time per card is shown beside it (at a few thousand
#    records the demo's own start, a master and its users, outweighs
#    them: compare at 100,000);
#  - peak memory of the import (GNU time), at each size and at
#    BENCH_IO_CARDS: goal under 64 MiB whatever the file's size.
# Exit status: 0 every goal met, 3 a goal missed (FAIL), 1 cannot run.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
die() { echo "bench/io: $*" >&2; exit 1; }

CRM=${CRM:-$here/../crm}
[ -x "$CRM" ] || die "crm not found at $CRM: build it first, or set CRM"
command -v abook >/dev/null || die "abook not found: install the Debian package abook"
sizes=${BENCH_IO_SIZES:-5000 100000}
runs=${BENCH_RUNS:-3}
base=${BENCH_TMPDIR:-${TMPDIR:-/tmp}/crm-bench}
mkdir -p "$base"
work=$(mktemp -d "$base/io.XXXXXX")
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/xdg" XDG_DATA_HOME="$work/data" CRM_SYSCONF="$work/none.conf"
export CRM_USER=root CRM_PASSWORD=secret HOME="$work"
gnutime=
[ -x /usr/bin/time ] && gnutime=/usr/bin/time

now() { date +%s.%N; }
# timed CMD...: seconds, the command's output thrown away.
timed() {
	local t0 t1
	t0=$(now)
	"$@" >/dev/null 2>&1 || die "failed: $*"
	t1=$(now)
	fsub "$t1" "$t0"
}
# A new master for one run.
master() {
	rm -rf "$1"
	"$CRM" init --master "$1" --admin root --admin-id ROOT1 >/dev/null 2>&1 ||
	    die "cannot create a master in $1"
}
peak_kb() {
	[ -n "$gnutime" ] || { echo n/a; return; }
	"$gnutime" -f %M -o "$work/rss" "$@" >/dev/null 2>&1 || die "failed: $*"
	cat "$work/rss"
}

failed=0
declare -A per
printf '%-34s %10s %10s %10s %12s\n' "contacts (vCard 3.0)" cards "median s" "per card" "vs abook"
for n in $sizes; do
	cards=$work/c$n.vcf
	awk -v n="$n" -f "$here/cards.awk" >"$cards"
	abook --convert --informat vcard --infile "$cards" --outformat abook \
	    --outfile "$work/ab$n" >/dev/null 2>&1 || die "abook cannot read the cards"
	a_in=() a_out=() c_in=() c_again=() c_csv=() c_vcf=() c_ocsv=() c_demo=()
	for r in $(seq "$runs"); do
		# abook --convert will not write over a file.
		rm -f "$work/ab.csv" "$work/ab.vcf"
		a_in+=("$(timed abook --convert --informat vcard --infile "$cards" --outformat csv --outfile "$work/ab.csv")")
		a_out+=("$(timed abook --convert --informat abook --infile "$work/ab$n" --outformat vcard --outfile "$work/ab.vcf")")
		master "$work/m"
		c_in+=("$(timed "$CRM" -d "$work/m" import contact "$cards")")
		c_again+=("$(timed "$CRM" -d "$work/m" import contact "$cards")")
		c_vcf+=("$(timed "$CRM" -d "$work/m" export contact "$work/o.vcf")")
		c_ocsv+=("$(timed "$CRM" -d "$work/m" export contact "$work/o.csv")")
		master "$work/m2"
		c_csv+=("$(timed "$CRM" -d "$work/m2" import contact "$work/o.csv")")
		rm -rf "$work/d"
		c_demo+=("$(timed "$CRM" demo "$work/d" --records "$n")")
	done
	ai=$(median "${a_in[@]}") ao=$(median "${a_out[@]}")
	ci=$(median "${c_in[@]}") cg=$(median "${c_again[@]}")
	cc=$(median "${c_csv[@]}") cv=$(median "${c_vcf[@]}") co=$(median "${c_ocsv[@]}")
	cd=$(median "${c_demo[@]}")
	us() { awk -v s="$1" -v n="$n" 'BEGIN { printf "%.1f us", s * 1e6 / n }'; }
	per[$n]=$(awk -v s="$ci" -v n="$n" 'BEGIN { print s / n }')
	printf '%-34s %10s %10s %10s %12s\n' "abook --convert vcard to csv" "$n" "$ai" "$(us "$ai")" ""
	printf '%-34s %10s %10s %10s %12s\n' "crm import (new master)" "$n" "$ci" "$(us "$ci")" "$(fdiv "$ci" "$ai" 1)x"
	printf '%-34s %10s %10s %10s %12s\n' "crm import again (unchanged)" "$n" "$cg" "$(us "$cg")" "$(fdiv "$cg" "$ai" 1)x"
	printf '%-34s %10s %10s %10s %12s\n' "crm import of crm's CSV" "$n" "$cc" "$(us "$cc")" "$(fdiv "$cc" "$ai" 1)x"
	printf '%-34s %10s %10s %10s %12s\n' "crm demo (bulk load, records)" "$n" "$cd" "$(us "$cd")" ""
	printf '%-34s %10s %10s %10s %12s\n' "crm import / crm demo per record" "$n" "" "" "$(fdiv "$ci" "$cd" 1)x"
	printf '%-34s %10s %10s %10s %12s\n' "abook --convert abook to vcard" "$n" "$ao" "$(us "$ao")" ""
	printf '%-34s %10s %10s %10s %12s\n' "crm export .vcf" "$n" "$cv" "$(us "$cv")" "$(fdiv "$cv" "$ao" 1)x"
	printf '%-34s %10s %10s %10s %12s\n' "crm export .csv" "$n" "$co" "$(us "$co")" "$(fdiv "$co" "$ao" 1)x"
	# fcmp prints 1 when the comparison holds.
	if [ "$(fcmp "$ci" '<=' "$(awk -v a="$ai" 'BEGIN { print 2 * a }')")" != 1 ]; then
		echo "FAIL: crm import takes more than 2x abook's time at $n cards"
		failed=$((failed + 1))
	fi
	master "$work/m"
	kb=$(peak_kb "$CRM" -d "$work/m" import contact "$cards")
	printf '%-34s %10s %10s\n' "crm import peak memory" "$n" "$(human $((kb * 1024)) 2>/dev/null || echo "$kb KB")"
	if [ "$kb" != n/a ] && [ "$kb" -gt $((64 * 1024)) ]; then
		echo "FAIL: crm import used more than 64 MiB at $n cards"
		failed=$((failed + 1))
	fi
done
# The import's memory at sizes too large to time over and over.
for n in ${BENCH_IO_CARDS:-}; do
	cards=$work/c$n.vcf
	awk -v n="$n" -f "$here/cards.awk" >"$cards"
	master "$work/m"
	kb=$(peak_kb "$CRM" -d "$work/m" import contact "$cards")
	printf '%-34s %10s %10s\n' "crm import peak memory" "$n" "$(human $((kb * 1024)) 2>/dev/null || echo "$kb KB")"
	if [ "$kb" != n/a ] && [ "$kb" -gt $((64 * 1024)) ]; then
		echo "FAIL: crm import used more than 64 MiB at $n cards"
		failed=$((failed + 1))
	fi
	rm -rf "$work/m" "$cards"
done
set -- $sizes
first=$1
eval "last=\${$#}"
if [ "$first" != "$last" ]; then
	ratio=$(fdiv "${per[$last]}" "${per[$first]}" 2)
	echo "cost per card at $last cards / at $first cards: $ratio (goal: under 1.5, flat)"
	if [ "$(fcmp "$ratio" '<=' 1.5)" != 1 ]; then
		echo "FAIL: the cost per card grows with the file"
		failed=$((failed + 1))
	fi
fi
[ "$failed" -eq 0 ] || exit 3
