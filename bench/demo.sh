#!/usr/bin/env bash
# bench/demo.sh: time the generation of a demo master.
#
#   CRM=/path/to/crm bash bench/demo.sh DIR RECORDS [RESULTS]
#
# Runs "$CRM demo DIR --records RECORDS" (DIR must not hold a database),
# prints how long it took and the rate in requested records per second,
# and, when RESULTS is given, appends these lines to that file for
# bench/run:
#
#   demo_seconds=S        wall-clock seconds (date +%s.%N)
#   demo_rss_kb=K         peak resident memory in KiB (empty without GNU time)
#
# What crm printed goes to DIR.log beside DIR; its end is shown if crm
# fails. bench/run calls this as the first, longest part of the benchmark;
# it can also be run alone.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# kill_tree and the arithmetic shared by the benchmark scripts.
. "$here/lib.sh"

die() {
	echo "bench/demo.sh: $*" >&2
	exit 1
}

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: CRM=/path/to/crm bash bench/demo.sh DIR RECORDS [RESULTS]" >&2
	exit 2
fi
dir=$1
records=$2
results=${3:-}

case $records in
'' | *[!0-9]*) die "RECORDS must be a whole number, not '$records'" ;;
esac
[ -n "${CRM:-}" ] || die "set CRM to the crm program to measure"
if [ ! -x "$CRM" ] || [ -d "$CRM" ]; then
	die "$CRM is not an executable program: build crm first (make)"
fi

log=$dir.log
rssfile=$dir.rss
rm -f "$rssfile"

# GNU time gives the peak memory of the generation for free.
timer=()
if [ "${BENCH_GNU_TIME:-1}" != 0 ] && [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
	timer=(/usr/bin/time -f %M -o "$rssfile")
fi

echo "bench: generating a demo of $records records in $dir ..."
t0=$(date +%s.%N)
# In the background and waited for, so that a signal stops crm too.
"${timer[@]}" "$CRM" demo "$dir" --records "$records" >"$log" 2>&1 </dev/null &
pid=$!
trap 'kill_tree "$pid"; echo "bench/demo.sh: stopped; $dir is incomplete" >&2; exit 143' TERM INT
rc=0
wait "$pid" || rc=$?
trap - TERM INT
t1=$(date +%s.%N)
if [ "$rc" -ne 0 ]; then
	echo "bench/demo.sh: '$CRM demo $dir --records $records' failed (status $rc); its output ends:" >&2
	tail -n 20 "$log" >&2
	exit 1
fi

seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
rate=$(awk -v n="$records" -v s="$seconds" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
rss=
if [ -s "$rssfile" ]; then
	rss=$(tail -n 1 "$rssfile")
fi
rm -f "$rssfile"

echo "bench: demo of $records records made in ${seconds} s ($rate records/s requested)"
if [ -n "$results" ]; then
	{
		echo "demo_seconds=$seconds"
		echo "demo_rss_kb=$rss"
	} >>"$results"
fi
