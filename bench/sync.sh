#!/usr/bin/env bash
# bench/sync.sh: measure crm sync on large masters and print the figures.
#
#   CRM=/abs/path/crm bash bench/sync.sh        (bench/run calls it last)
#
# CRM               the crm program (default: ../crm beside this directory)
# BENCH_SYNC_SIZES  sizes of the demo masters, in records, smallest first
#                   (default "100000 1000000")
# BENCH_TMPDIR      scratch space; this run works in a fresh
#                   BENCH_TMPDIR/sync.* removed at the end
#                   (default: $TMPDIR/crm-bench)
# BENCH_SYNC_REUSE  "N:DIR": DIR already holds a demo master of N records
#                   (bench/run passes its own); it is used, and changed,
#                   instead of making a new one of that size
# BENCH_KEEP=1      keep the scratch directory
# BENCH_GNU_TIME=0  do not use /usr/bin/time (peak memory sampled from /proc)
#
# For each size N, on a demo master of N records ("crm demo", users demo,
# anna, ben, carla, password demo), with a local for demo (an
# administrator: the local holds every record):
#  1. Initial sync: "crm sync" of a fresh local: time, records per second
#     and peak memory. Beside it, on the same data in the same run,
#     Berkeley DB's own bulk loader: the master's biggest file, contacts.db
#     (its primary B-tree "records"), is dumped with "db5.3_dump -p -s
#     records" and "db5.3_load" of that dump alone is timed.
#  2. Incremental sync of 1,000 changes, 500 on each side: 480 new records
#     imported on each side (240 companies and 240 contacts, one "crm
#     import" each) and the same 20 records (4 each of companies, contacts,
#     notes, tasks and opportunities) changed with "crm set" on both sides,
#     one field on the local and, for half of them, the same field on the
#     master (a conflict), for the other half another field (a merge).
#     Time and peak memory.
#  3. "crm sync --verify": the full comparison of every record (0
#     differences expected).
#  4. "cp -r" of the master directory: what copying the whole master costs,
#     through the same path the sync reads it by. Timed twice: the copy
#     alone, and the copy with its files then written to disk ("sync" of
#     each copied file and directory, nothing else on the filesystem).
#     The goal below compares with the second: a sync's commits and its
#     closing checkpoint wait for the disk, and a copy that has reached
#     only the page cache is not yet a copy (GNU cp 9 copies in the
#     kernel, page cache to page cache: 0.13-0.26 s for a 500 MB master
#     here, then 0.18 s more to put it on disk). The first figure is
#     printed too.
#
#  5. The same over a network filesystem, on the largest master (unless
#     BENCH_SYNC_NET=0, or sshd, sshfs or FUSE is missing: then it says
#     why): the master served by a throw-away sshd on 127.0.0.1 and
#     mounted with sshfs (tests/sshfs.sh), the local bound to the mount as
#     a laptop is to the office's share. Another 1,000 changes as in 2,
#     then the incremental sync through the mount, a sync with nothing to
#     do, and cp -r of the master through the mount, synced to disk.
#
# Goals (RULES B4: a sync costs what changed, not the size of the master):
#  - initial sync rate at least 1/3 of db5.3_load's rate, at each size;
#  - incremental sync on the largest master at most 1.5 times its time on
#    the smallest;
#  - on the largest master, incremental sync under 10% of sync --verify and
#    under 5% of cp -r (the copy on disk, see 4), and over the network
#    filesystem under 5% of cp -r through the mount (see 5);
#  - peak memory of the initial and of the incremental sync under 64 MiB.
# Every timing includes starting crm, attaching the master (lock and
# recovery), and checking the password (yescrypt, slow on purpose).
#
# Exit status: 0 every goal met, 3 a goal missed (marked FAIL), 1 the
# benchmark could not run (the reason is printed).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

die() {
	echo "bench/sync: $*" >&2
	exit 1
}
say() {
	echo "bench/sync: $*"
}

# Arithmetic on decimal numbers, the median, kill_tree.
. "$here/lib.sh"

now() { date +%s.%N; }

# ---- settings and checks

sizes=${BENCH_SYNC_SIZES:-100000 1000000}
read -r -a sizes <<<"$sizes"
[ "${#sizes[@]}" -gt 0 ] || die "BENCH_SYNC_SIZES names no size"
for n in "${sizes[@]}"; do
	case $n in '' | *[!0-9]* | 0) die "BENCH_SYNC_SIZES: '$n' is not a positive whole number" ;; esac
done
# Smallest first, whatever the order given.
mapfile -t sizes < <(printf '%s\n' "${sizes[@]}" | sort -n -u)
small=${sizes[0]}
large=${sizes[${#sizes[@]} - 1]}

reuse_n='' reuse_dir=''
if [ -n "${BENCH_SYNC_REUSE:-}" ]; then
	reuse_n=${BENCH_SYNC_REUSE%%:*}
	reuse_dir=${BENCH_SYNC_REUSE#*:}
	[ -f "$reuse_dir/crm.conf" ] || die "BENCH_SYNC_REUSE: $reuse_dir holds no database"
fi

CRM=${CRM:-$here/../crm}
[ -e "$CRM" ] || die "crm not found at $CRM: build it first (make), or set CRM=/path/to/crm"
if [ -d "$CRM" ] || [ ! -x "$CRM" ]; then
	die "$CRM is not an executable program: set CRM=/path/to/crm"
fi
CRM=$(cd "$(dirname "$CRM")" && pwd)/$(basename "$CRM")
export CRM

for tool in db5.3_dump db5.3_load awk du df cp sort date; do
	command -v "$tool" >/dev/null 2>&1 ||
		case $tool in
		db5.3_*) die "$tool not found: install the Debian package db5.3-util" ;;
		*) die "$tool not found" ;;
		esac
done

have_gnu_time=0
if [ "${BENCH_GNU_TIME:-1}" != 0 ] && [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
	have_gnu_time=1
fi

# ---- scratch space

BENCH_TMPDIR=${BENCH_TMPDIR:-${TMPDIR:-/tmp}/crm-bench}
mkdir -p "$BENCH_TMPDIR" || die "cannot create $BENCH_TMPDIR"
work=$(mktemp -d "$BENCH_TMPDIR/sync.XXXXXX") || die "cannot create a directory in $BENCH_TMPDIR"
echo $$ >"$work/pid"


child=
cleanup() {
	if [ -n "${SSHD_PID:-}${SSHFS_PID:-}" ]; then
		unmount
		stop_sshd
	fi
	if [ -n "$child" ]; then
		kill_tree "$child"
		wait "$child" 2>/dev/null || true
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "kept $work (BENCH_KEEP=1)"
		return
	fi
	rm -rf "$work"
	rmdir "$BENCH_TMPDIR" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The largest size needs its master (about 0.6 KB a record), the local
# (about 0.9 KB), the copy of cp -r and the dump: ask for 3 KB a record.
need_kb=$((large * 3))
avail_kb=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
if [ -n "$avail_kb" ] && [ "$avail_kb" -lt "$need_kb" ]; then
	die "$BENCH_TMPDIR has $(human $((avail_kb * 1024))) free; a master of $(count "$large") records needs about $(human $((need_kb * 1024))): free some space, set BENCH_TMPDIR elsewhere or lower BENCH_SYNC_SIZES"
fi

export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data NO_COLOR=1
export CRM_PASSWORD=demo
unset CRM_USER
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
chmod 700 "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"

# measure OUT ERR CMD...: run CMD in the background (a signal stops it),
# stdout to OUT, stderr to ERR; sets m_seconds and m_rss_kb (peak resident
# memory: GNU time's, or the kernel's VmHWM sampled from /proc).
measure() {
	local out=$1 err=$2 rc=0 t0 t1 hwm
	shift 2
	m_rss_kb=0
	t0=$(now)
	if [ "$have_gnu_time" = 1 ]; then
		/usr/bin/time -f '%M' -o "$work/time" "$@" >"$out" 2>"$err" &
		child=$!
		wait "$child" || rc=$?
		child=
		m_rss_kb=$(tail -n 1 "$work/time")
		case $m_rss_kb in '' | *[!0-9]*) m_rss_kb=0 ;; esac
	else
		"$@" >"$out" 2>"$err" &
		child=$!
		while kill -0 "$child" 2>/dev/null; do
			hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$child/status" 2>/dev/null || true)
			if [ -n "$hwm" ] && [ "$hwm" -gt "$m_rss_kb" ]; then
				m_rss_kb=$hwm
			fi
			sleep 0.01
		done
		wait "$child" || rc=$?
		child=
	fi
	t1=$(now)
	m_seconds=$(fsub "$t1" "$t0")
	return "$rc"
}

# column NAME FILE: the figure of column NAME in the "total" row of a sync
# table.
column() {
	awk -v c="$1" '$1 == "file" { for (i = 1; i <= NF; i++) if ($i == c) col = i }
		$1 == "total" && col { print $col; exit }' "$2"
}

# ids TYPE N DIR: the first N IDs of TYPE in DIR.
ids() {
	set +o pipefail
	"$CRM" -d "$3" -u demo list "$1" --fields id 2>/dev/null | sed -n "2,$(($2 + 1))p"
	set -o pipefail
}

# csv FILE KIND PREFIX N: N new companies or contacts.
csv() {
	case $2 in
	company)
		awk -v p="$3" -v n="$4" 'BEGIN { print "name,city,country"
			for (i = 1; i <= n; i++) printf "%s Bench %d,Lyon,France\n", p, i }' >"$1" ;;
	contact)
		awk -v p="$3" -v n="$4" 'BEGIN { print "first_name,last_name,phone,email"
			for (i = 1; i <= n; i++) printf "%s%d,Bench,+33 1 %06d,%s%d@bench.example\n", p, i, i, p, i }' >"$1" ;;
	esac
}

# The field each type's records are changed on: [0] on the local, [1] on
# the master when it is another field (a merge).
field_a() { case $1 in company) echo city ;; contact) echo phone ;; note) echo subject ;; task) echo subject ;; opportunity) echo name ;; esac; }
field_b() { case $1 in company) echo phone ;; contact) echo job_title ;; note) echo date ;; task) echo due ;; opportunity) echo probability ;; esac; }
value_b() { case $1 in company) echo "+33 4 00 00 00 00" ;; contact) echo "Bench officer" ;; note) echo 2026-03-01 ;; task) echo 2026-03-02 ;; opportunity) echo 55 ;; esac; }

declare -A F

# changes DIR LOCAL MASTER LPREFIX MPREFIX: 1,000 changes, 500 on each side
# (see 2 above); names start with LPREFIX on the local, MPREFIX on the
# master. DIR holds the CSV files.
changes() {
	local dir=$1 l=$2 m=$3 k t a b v id
	csv "$dir/lc.csv" company "$4" 240
	csv "$dir/lp.csv" contact "$4" 240
	csv "$dir/mc.csv" company "$5" 240
	csv "$dir/mp.csv" contact "$5" 240
	"$CRM" -d "$l" import company "$dir/lc.csv" >/dev/null || die "import into the local failed"
	"$CRM" -d "$l" import contact "$dir/lp.csv" >/dev/null || die "import into the local failed"
	"$CRM" -d "$m" -u demo import company "$dir/mc.csv" >/dev/null || die "import into the master failed"
	"$CRM" -d "$m" -u demo import contact "$dir/mp.csv" >/dev/null || die "import into the master failed"
	k=0
	for t in company contact note task opportunity; do
		a=$(field_a "$t")
		for id in $(ids "$t" 4 "$l"); do
			"$CRM" -d "$l" set "$t" "$id" "$a=$4 $k" >/dev/null 2>"$dir/set.err" ||
				die "crm set $t $id on the local failed: $(cat "$dir/set.err")"
			if [ $((k % 2)) = 0 ]; then
				b=$a
				v="$5 $k"
			else
				b=$(field_b "$t")
				v=$(value_b "$t")
			fi
			"$CRM" -d "$m" -u demo set "$t" "$id" "$b=$v" >/dev/null 2>"$dir/set.err" ||
				die "crm set $t $id on the master failed: $(cat "$dir/set.err")"
			k=$((k + 1))
		done
	done
	[ "$k" = 20 ] || die "found only $k records to change on both sides"
}

bench_size() {
	local n=$1 m l dir made=0 dump load_n t0 t1 t id k a b v
	dir=$work/n$n
	mkdir -p "$dir"
	m=$dir/master
	l=$dir/local
	if [ "$n" = "$reuse_n" ]; then
		m=$reuse_dir
		say "[$(count "$n")] using the demo master $m"
	else
		say "[$(count "$n")] making a demo master of $(count "$n") records ..."
		measure "$dir/demo.out" "$dir/demo.err" "$CRM" demo "$m" --records "$n" ||
			die "crm demo $m --records $n failed: $(tail -n 5 "$dir/demo.err")"
		made=1
		F[$n,demo]=$m_seconds
	fi
	F[$n,master_bytes]=$(du -sb "$m" | awk '{ print $1 }')

	# db5.3_load on the master's biggest file.
	say "[$(count "$n")] db5.3_dump of contacts.db, then timing db5.3_load ..."
	dump=$dir/contacts.dump
	db5.3_dump -p -s records "$m/contacts.db" >"$dump" || die "db5.3_dump of $m/contacts.db failed"
	load_n=$(awk '/^HEADER=END$/ { body = 1; next } /^DATA=END$/ { body = 0; next }
		body && /^ / { items++ } END { printf "%d", items / 2 }' "$dump")
	[ "$load_n" -gt 0 ] || die "the dump of $m/contacts.db holds no records"
	mkdir "$dir/load"
	t0=$(now)
	db5.3_load -f "$dump" "$dir/load/contacts.db" || die "db5.3_load failed"
	t1=$(now)
	F[$n,load_n]=$load_n
	F[$n,load_s]=$(fsub "$t1" "$t0")
	F[$n,load_rate]=$(fdiv "$load_n" "${F[$n,load_s]}" 0)
	rm -rf "$dump" "$dir/load"

	# cp -r of the whole master, then the copy on disk (see 4 above).
	say "[$(count "$n")] timing cp -r of the master ..."
	sync -f "$dir" 2>/dev/null || sync
	t0=$(now)
	cp -r "$m" "$dir/copy" || die "cp -r $m failed"
	t1=$(now)
	find "$dir/copy" -depth -exec sync -- {} + || die "sync of the copy of $m failed"
	t2=$(now)
	F[$n,cp_cache]=$(fsub "$t1" "$t0")
	F[$n,cp]=$(fsub "$t2" "$t0")
	rm -rf "$dir/copy"

	# The initial sync of a fresh local.
	"$CRM" -u demo init --local "$l" --master "$m" >"$dir/init.out" 2>"$dir/init.err" ||
		die "crm init --local failed: $(cat "$dir/init.err")"
	say "[$(count "$n")] timing the initial sync ..."
	measure "$dir/sync1.out" "$dir/sync1.err" "$CRM" -d "$l" sync ||
		die "the initial sync failed: $(tail -n 5 "$dir/sync1.err")"
	F[$n,init_s]=$m_seconds
	F[$n,init_rss]=$m_rss_kb
	F[$n,init_n]=$(column download "$dir/sync1.out")
	F[$n,init_rate]=$(fdiv "${F[$n,init_n]:-0}" "$m_seconds" 0)
	F[$n,rate_ratio]=$(fdiv "${F[$n,init_rate]}" "${F[$n,load_rate]}" 2)

	# 1,000 changes, 500 on each side.
	say "[$(count "$n")] making 1,000 changes, 500 on each side ..."
	changes "$dir" "$l" "$m" Laptop Office
	say "[$(count "$n")] timing the incremental sync ..."
	measure "$dir/sync2.out" "$dir/sync2.err" "$CRM" -d "$l" sync ||
		die "the incremental sync failed: $(tail -n 5 "$dir/sync2.err")"
	F[$n,inc_s]=$m_seconds
	F[$n,inc_rss]=$m_rss_kb
	F[$n,inc_up]=$(column uploaded "$dir/sync2.out")
	F[$n,inc_down]=$(column download "$dir/sync2.out")
	F[$n,inc_merged]=$(column merged "$dir/sync2.out")
	F[$n,inc_conf]=$(($(column won "$dir/sync2.out" || true) + 0 + $(column lost "$dir/sync2.out" || true) + 0))

	say "[$(count "$n")] timing sync --verify ..."
	measure "$dir/verify.out" "$dir/verify.err" "$CRM" -d "$l" sync --verify ||
		say "warning: sync --verify found differences or failed: $(tail -n 3 "$dir/verify.out" "$dir/verify.err" | tr '\n' ' ')"
	F[$n,verify_s]=$m_seconds
	F[$n,verify_diffs]=$(awk '/difference\(s\) between/ { print $1 }' "$dir/verify.out")

	if [ "$n" = "$large" ]; then
		bench_net "$n" "$dir" "$l" "$m"
	fi

	# Make room for the next size.
	if [ "$made" = 1 ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
		rm -rf "$m" "$l"
	fi
}

# ---- over a network filesystem (5 above)

net_reason=
if [ "${BENCH_SYNC_NET:-1}" = 0 ]; then
	net_reason="BENCH_SYNC_NET=0"
else
	# tests/sshfs.sh stops at what is missing through skip: tried in a
	# subshell first, so that the benchmark goes on and says why.
	skip() {
		echo "$*" >"$work/net.skip"
		exit 77
	}
	S=$work/ssh
	MNT=$work/mnt
	M=
	. "$here/../tests/sshfs.sh"
	if (sshfs_need && sshfs_keys); then
		sshfs_need
	else
		net_reason=$(cat "$work/net.skip" 2>/dev/null || echo "sshd or sshfs cannot run here")
	fi
fi

# bench_net N DIR LOCAL MASTER: the local bound to the master through
# sshfs, another 1,000 changes, the syncs and cp -r through the mount.
bench_net() {
	local n=$1 dir=$2 l=$3 m=$4
	[ -z "$net_reason" ] || return 0
	M=$m
	if ! start_sshd; then
		net_reason="sshd does not start: $(tail -n 2 "$S/sshd.log" | tr '\n' ' ')"
		return 0
	fi
	if ! mount_master; then
		net_reason="sshfs cannot mount $m: $(tail -n 2 "$S/sshfs.log" | tr '\n' ' ')"
		stop_sshd
		return 0
	fi
	say "[$(count "$n")] over sshfs: $m is mounted on $MNT"
	"$CRM" -d "$l" config set db.master "$MNT" >/dev/null 2>"$dir/net.err" ||
		die "cannot bind the local to the mount: $(cat "$dir/net.err")"
	say "[$(count "$n")] over sshfs: making 1,000 changes, 500 on each side ..."
	changes "$dir" "$l" "$m" Roaming Share
	say "[$(count "$n")] over sshfs: timing the incremental sync ..."
	measure "$dir/net1.out" "$dir/net1.err" "$CRM" -d "$l" sync ||
		die "the incremental sync over sshfs failed: $(tail -n 5 "$dir/net1.err")"
	F[$n,net_inc_s]=$m_seconds
	F[$n,net_inc_rss]=$m_rss_kb
	F[$n,net_inc_n]=$(($(column uploaded "$dir/net1.out") + $(column download "$dir/net1.out")))
	say "[$(count "$n")] over sshfs: timing a sync with nothing to do ..."
	measure "$dir/net2.out" "$dir/net2.err" "$CRM" -d "$l" sync ||
		die "the empty sync over sshfs failed: $(tail -n 5 "$dir/net2.err")"
	F[$n,net_empty_s]=$m_seconds
	say "[$(count "$n")] over sshfs: timing cp -r through the mount ..."
	sync -f "$dir" 2>/dev/null || sync
	t0=$(now)
	cp -r "$MNT" "$dir/copy" || die "cp -r $MNT failed"
	find "$dir/copy" -depth -exec sync -- {} + || die "sync of the copy of $MNT failed"
	t1=$(now)
	F[$n,net_cp]=$(fsub "$t1" "$t0")
	rm -rf "$dir/copy"
	"$CRM" -d "$l" config set db.master "$m" >/dev/null 2>&1 || true
	unmount
	stop_sshd
}

echo "crm sync benchmark"
echo "  program:  $CRM"
echo "  scratch:  $work ($(stat -f -c %T "$work" 2>/dev/null || echo unknown), $(human $((avail_kb * 1024))) free)"
echo "  sizes:    $(for n in "${sizes[@]}"; do printf '%s ' "$(count "$n")"; done)records"
echo

for n in "${sizes[@]}"; do
	bench_size "$n"
done

# ---- the tables

verdict() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
line() { printf '%s\n' "--------------------------------------------------------------------------------------------"; }

echo
echo "crm sync benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
line
{
	printf '%-38s' "measure"
	for n in "${sizes[@]}"; do printf ' %22s' "$(count "$n") records"; done
	echo
} | sed 's/ *$//'
line
row() { # row LABEL KEY [FORMAT-FUNCTION]
	local label=$1 key=$2 fn=${3:-} n v
	printf '%-38s' "$label"
	for n in "${sizes[@]}"; do
		v=${F[$n,$key]:-}
		if [ -n "$v" ] && [ -n "$fn" ]; then v=$($fn "$v"); fi
		printf ' %22s' "${v:-n/a}"
	done
	echo
}
secs() { echo "$1 s"; }
rate() { echo "$(count "$1")/s"; }
row "master size on disk (du -sb)" master_bytes human
row "crm demo (generation)" demo secs
row "initial sync" init_s secs
row "  records downloaded" init_n count
row "  rate" init_rate rate
row "db5.3_load of contacts.db" load_s secs
row "  records loaded" load_n count
row "  rate" load_rate rate
row "initial sync rate / db5.3_load rate" rate_ratio
row "initial sync peak memory" init_rss mib
row "incremental sync, 1,000 changes" inc_s secs
row "  uploaded" inc_up count
row "  downloaded" inc_down count
row "  merged" inc_merged count
row "  conflicts (won + lost)" inc_conf count
row "incremental sync peak memory" inc_rss mib
row "sync --verify (full comparison)" verify_s secs
row "  differences" verify_diffs
row "cp -r of the master (page cache)" cp_cache secs
row "cp -r of the master, synced to disk" cp secs
if [ -z "$net_reason" ]; then
	row "over sshfs: incremental, 1,000 changes" net_inc_s secs
	row "  uploaded + downloaded" net_inc_n count
	row "  peak memory" net_inc_rss mib
	row "over sshfs: a sync with nothing to do" net_empty_s secs
	row "over sshfs: cp -r, synced to disk" net_cp secs
fi
line

# Goals.
results=()
goal() { # goal LABEL FIGURE TARGET OK-FLAG
	local v
	v=$(verdict "$4")
	results+=("$v")
	printf '%-52s %-16s %-10s %s\n' "$1" "$2" "$3" "$v"
}
echo
printf '%-52s %-16s %-10s %s\n' "goal" "figure" "target" "result"
line
for n in "${sizes[@]}"; do
	goal "initial sync rate / db5.3_load rate, $(count "$n")" "${F[$n,rate_ratio]}" ">= 0.33" \
		"$(fcmp "$(awk -v a="${F[$n,init_rate]}" -v b="${F[$n,load_rate]}" 'BEGIN { print 3 * a - b }')" ">=" 0)"
done
if [ "$large" != "$small" ]; then
	ratio=$(fdiv "${F[$large,inc_s]}" "${F[$small,inc_s]}" 2)
	goal "incremental: $(count "$large") / $(count "$small")" "${ratio}x" "<= 1.5x" "$(fcmp "$ratio" "<=" 1.5)"
fi
goal "incremental / sync --verify, $(count "$large")" "$(pct "${F[$large,inc_s]}" "${F[$large,verify_s]}")" "< 10%" \
	"$(fcmp "${F[$large,inc_s]}" "<" "$(awk -v v="${F[$large,verify_s]}" 'BEGIN { print v / 10 }')")"
goal "incremental / cp -r synced, $(count "$large")" "$(pct "${F[$large,inc_s]}" "${F[$large,cp]}")" "< 5%" \
	"$(fcmp "${F[$large,inc_s]}" "<" "$(awk -v v="${F[$large,cp]}" 'BEGIN { print v / 20 }')")"
if [ -z "$net_reason" ]; then
	goal "over sshfs: incremental / cp -r, $(count "$large")" "$(pct "${F[$large,net_inc_s]}" "${F[$large,net_cp]}")" "< 5%" \
		"$(fcmp "${F[$large,net_inc_s]}" "<" "$(awk -v v="${F[$large,net_cp]}" 'BEGIN { print v / 20 }')")"
fi
for n in "${sizes[@]}"; do
	goal "initial sync peak memory, $(count "$n")" "$(mib "${F[$n,init_rss]}")" "< 64 MiB" "$(fcmp "${F[$n,init_rss]}" "<" 65536)"
	goal "incremental sync peak memory, $(count "$n")" "$(mib "${F[$n,inc_rss]}")" "< 64 MiB" "$(fcmp "${F[$n,inc_rss]}" "<" 65536)"
done
line
echo "Every timing includes starting crm, attaching the master and checking the"
echo "password. The master is on this machine's disk (no network): cp -r and"
echo "the syncs read from the page cache when it holds the files. The goal's"
echo "cp -r is the copy written to disk, as a sync's own writes are."
if [ -n "$net_reason" ]; then
	echo "Not measured over a network filesystem: $net_reason."
else
	echo "Over sshfs the master is served on 127.0.0.1: a real network adds its"
	echo "latency to every file operation of the sync, and its bandwidth to cp -r."
fi
if [ "$have_gnu_time" != 1 ]; then
	echo "Peak memory was sampled from /proc/PID/status (VmHWM) and may read a little low."
fi
for n in "${sizes[@]}"; do
	if [ "${F[$n,verify_diffs]:-x}" != 0 ]; then
		echo "warning: sync --verify on $(count "$n") records reported ${F[$n,verify_diffs]:-no result} difference(s)"
	fi
done

failed=0
for v in "${results[@]}"; do
	[ "$v" = PASS ] || failed=$((failed + 1))
done
if [ "$failed" -gt 0 ]; then
	echo "bench/sync: $failed goal(s) missed"
	exit 3
fi
echo "bench/sync: every goal met"
