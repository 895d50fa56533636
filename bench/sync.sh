#!/usr/bin/env bash
# bench/sync.sh: measure crm sync on large masters and print the figures.
#
#   CRM=/abs/path/crm bash bench/sync.sh        (bench/run calls it last)
#   CRM=/abs/path/crm bash bench/sync.sh --link (over a simulated VPN)
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
# BENCH_SYNC_LINK=1 the same as --link (see "Over a simulated link" below)
# BENCH_SYNC_RUNS   --link: times each network timing is taken, the median
#                   shown (default 3)
# BENCH_SYNC_TRANSPORTS  --link: the transports measured (default "sshfs
#                   service service_c": the attach over sshfs, the sync
#                   service, the service with ssh -C)
# BENCH_SYNC_LINK_INITIAL=0  --link: no initial sync over the link (for
#                   1,000,000 records it takes minutes)
# LINK_DELAY, LINK_RATE  --link: the link, milliseconds each way (15) and
#                   Mbit/s each way (50)
# LINKPROXY         --link: the relay's program (make bench builds it;
#                   else bench/lib.sh compiles bench/linkproxy.c)
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
# Over a simulated link (--link): the network rows alone, at every size,
# as the sync service's goals ask. bench/linkproxy sits between the client
# (sshfs, ssh) and the throw-away sshd and makes an ordinary VPN of the
# loopback: LINK_DELAY ms each way, paced at LINK_RATE Mbit/s each way
# (bench/link-check.sh shows that it does). For each size, "ssh HOST true"
# through the link (BENCH_SYNC_RUNS times), then for each transport:
#  L1. the initial sync of a fresh local through the transport, once
#      (unless BENCH_SYNC_LINK_INITIAL=0: then the local is made from the
#      master's directory and bound to the transport after);
#  L2. a sync with nothing to do, BENCH_SYNC_RUNS times;
#  L3. 1,000 changes as in 2 and their sync, BENCH_SYNC_RUNS times;
#  L4. the whole master copied over the same link (the transport says
#      how), BENCH_SYNC_RUNS times, once only for a master over 256 MiB
#      (a copy of a million records takes minutes at 50 Mbit/s).
# Beside each, what the link carried, from the relay's counters: bytes
# each way (exact, and nearly the same from run to run) and turns (data
# from the laptop after data from the master on one connection: in a
# conversation that waits for each answer, one round trip). Timings are
# the median of the runs, bytes and turns too. The goals printed are the
# service's; a transport counts them only if it says so (the
# attach over sshfs does not: its rows are the "before" figures).
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

link=${BENCH_SYNC_LINK:-0}
for arg in "$@"; do
	case $arg in
	--link) link=1 ;;
	*) die "unknown argument '$arg' (usage: bench/sync.sh [--link])" ;;
	esac
done
runs=${BENCH_SYNC_RUNS:-3}
case $runs in '' | *[!0-9]* | 0) die "BENCH_SYNC_RUNS must be a positive whole number, not '$runs'" ;; esac
read -r -a transports <<<"${BENCH_SYNC_TRANSPORTS:-sshfs service service_c}"
for t in "${transports[@]}"; do
	case $t in '' | *[!a-z0-9_]*) die "BENCH_SYNC_TRANSPORTS: '$t' is not a transport's name" ;; esac
done

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
	if [ -n "${SSHD_PID:-}${SSHFS_PID:-}${LINK_PID:-}" ]; then
		unmount
		link_stop
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

declare -A F TLABEL TGOALS

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

	if [ "$link" = 1 ]; then
		bench_link "$n" "$dir" "$l" "$m"
		if [ "$made" = 1 ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
			rm -rf "$m" "$l"
		fi
		return 0
	fi

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

# ---- over the network: sshd, the link, the transports

net_reason=
if [ "${BENCH_SYNC_NET:-1}" = 0 ] && [ "$link" != 1 ]; then
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
	# Over the link, the network rows are all there is to measure.
	[ "$link" != 1 ] || [ -z "$net_reason" ] || die "--link cannot run: $net_reason"
fi

# The port the transports dial: sshd's own, or the link's in front of it.
NET_PORT=

# A transport is how a laptop reaches the master over the network; each
# is one function, transport_NAME VERB N DIR MASTER [ARG]:
#   up          make MASTER reachable through NET_PORT; set T_LABEL (its
#               name in the tables), T_GOALS (1 when the goals printed
#               count in the exit status) and T_REASON when it cannot
#   bind LOCAL  point LOCAL (a local of MASTER) at it
#   copy DEST   copy the whole master into DEST over the same way, on disk
#               when it returns: what the sync is measured against
#   down        undo up
# transport_rows measures the same rows for each: transport_sshfs (the
# attach), transport_service and transport_service_c below.

# transport_sshfs: the attach of today, the master mounted with sshfs
# through NET_PORT (tests/sshfs.sh: mount_master dials $PORT).
transport_sshfs() {
	local verb=$1 n=${2:-} dir=${3:-} m=${4:-} arg=${5:-}
	case $verb in
	up)
		T_LABEL="attach over sshfs (the master mounted with sshfs)"
		T_GOALS=0
		M=$m
		local PORT=$NET_PORT
		if ! mount_master; then
			T_REASON="sshfs cannot mount $m: $(tail -n 2 "$S/sshfs.log" | tr '\n' ' ')"
			return 1
		fi
		say "[$(count "$n")] over sshfs: $m is mounted on $MNT"
		;;
	bind)
		"$CRM" -d "$arg" config set db.master "$MNT" >/dev/null 2>"$dir/net.err" ||
			die "cannot bind the local to the mount: $(cat "$dir/net.err")"
		;;
	copy)
		cp -r "$MNT" "$arg" || die "cp -r $MNT failed"
		find "$arg" -depth -exec sync -- {} + || die "sync of the copy of $MNT failed"
		;;
	down)
		unmount
		;;
	esac
}

# transport_service: the sync service (RULES.md T8): crm sync runs ssh to
# sshd through NET_PORT, and crm serve there speaks the sync protocol over
# the pipe. transport_service_c is the same with ssh's compression (-C).
service_ssh="ssh -F /dev/null -i $S/user_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
transport_service() {
	local verb=$1 n=${2:-} dir=${3:-} m=${4:-} arg=${5:-}
	case $verb in
	up)
		T_LABEL="service (crm serve over ssh)"
		T_GOALS=1
		T_SSH=$service_ssh
		;;
	bind)
		# How to reach the host first: db.master is checked by a sync.
		"$CRM" -d "$arg" config set sync.ssh_command "$T_SSH" >/dev/null &&
		"$CRM" -d "$arg" config set sync.remote_crm "$CRM" >/dev/null &&
		"$CRM" -d "$arg" config set db.master \
		    "ssh://$ME@127.0.0.1:$NET_PORT$m" >/dev/null 2>"$dir/net.err" ||
			die "cannot bind the local to the service: $(cat "$dir/net.err")"
		;;
	copy)
		mkdir -p "$arg"
		bench_ssh "$NET_PORT" tar -C "$m" -cf - . | tar -C "$arg" -xf - ||
			die "copying $m over ssh failed"
		find "$arg" -depth -exec sync -- {} + || die "sync of the copy of $m failed"
		;;
	down)
		;;
	esac
}

transport_service_c() {
	transport_service "$@"
	if [ "$1" = up ]; then
		T_LABEL="service, ssh -C (compressed)"
		T_SSH="$service_ssh -C"
	fi
}

# ---- over a network filesystem, on this machine's loopback (5 above)

# bench_net N DIR LOCAL MASTER: the local bound to the master through
# sshfs, another 1,000 changes, the syncs and cp -r through the mount.
bench_net() {
	local n=$1 dir=$2 l=$3 m=$4 t0 t1
	[ -z "$net_reason" ] || return 0
	if ! start_sshd; then
		net_reason="sshd does not start: $(tail -n 2 "$S/sshd.log" | tr '\n' ' ')"
		return 0
	fi
	NET_PORT=$PORT
	if ! transport_sshfs up "$n" "$dir" "$m"; then
		net_reason=$T_REASON
		stop_sshd
		return 0
	fi
	transport_sshfs bind "$n" "$dir" "$m" "$l"
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
	transport_sshfs copy "$n" "$dir" "$m" "$dir/copy"
	t1=$(now)
	F[$n,net_cp]=$(fsub "$t1" "$t0")
	rm -rf "$dir/copy"
	"$CRM" -d "$l" config set db.master "$m" >/dev/null 2>&1 || true
	transport_sshfs down "$n" "$dir" "$m"
	stop_sshd
}

# ---- over a simulated link (--link)

# link_up: sshd and, in front of it, the link; once for the whole run.
link_up() {
	[ -z "$LINK_PID" ] || return 0
	start_sshd || die "sshd does not start: $(tail -n 2 "$S/sshd.log" | tr '\n' ' ')"
	link_start "$work" "$PORT"
	NET_PORT=$LINK_PORT
	say "sshd on 127.0.0.1:$PORT; the link (bench/linkproxy: ${LINK_DELAY} ms each way, ${LINK_RATE} Mbit/s) on 127.0.0.1:$LINK_PORT"
}

# link_measure OUT ERR CMD...: measure, and what the link carried
# meanwhile: sets m_seconds, m_rss_kb and l_diff (a link_diff line).
link_measure() {
	local out=$1 err=$2 before rc=0
	shift 2
	before=$(link_counters)
	measure "$out" "$err" "$@" || rc=$?
	l_diff=$(link_diff "$before" "$(link_counters)")
	return "$rc"
}

# run_said N T WHAT: one run's figures, so that the spread can be seen.
run_said() {
	say "[$(count "$1")] $2:   $3: $m_seconds s, up $(count "$(link_get up_bytes "$l_diff")") B, down $(count "$(link_get down_bytes "$l_diff")") B, $(link_get turns "$l_diff") turns"
}

# keep KEY FIGURE...: the median of the figures as F[KEY].
keep() {
	local key=$1
	shift
	F[$key]=$(median "$@")
}

# bench_link N DIR LOCAL MASTER: ssh HOST true, then every transport's rows.
bench_link() {
	local n=$1 dir=$2 l=$3 m=$4 t r t0 times=()
	link_up
	say "[$(count "$n")] timing ssh HOST true through the link ($runs runs) ..."
	for ((r = 0; r < runs; r++)); do
		t0=$(now)
		bench_ssh "$NET_PORT" true || die "ssh through the link failed"
		times+=("$(fsub "$(now)" "$t0")")
	done
	say "[$(count "$n")]   ${times[*]} (s)"
	keep "$n,ssh_true" "${times[@]}"
	# The remote shell's start is most of ssh HOST true here, and varies
	# with the machine's load: ssh's own part, without it, beside it.
	times=()
	for ((r = 0; r < runs; r++)); do
		t0=$(now)
		bench_ssh "$NET_PORT" -s sftp </dev/null || die "ssh -s sftp through the link failed"
		times+=("$(fsub "$(now)" "$t0")")
	done
	say "[$(count "$n")]   ssh -s sftp: ${times[*]} (s)"
	keep "$n,ssh_conn" "${times[@]}"
	for t in "${transports[@]}"; do
		transport_rows "$n" "$dir" "$l" "$m" "$t"
	done
}

# transport_rows N DIR LOCAL MASTER T: L1-L4 above over transport T; the
# figures are F[N,T,...].
transport_rows() {
	local n=$1 dir=$2 l=$3 m=$4 t=$5 r k copies dest t0 t1 before
	local -a s up down turns cnt
	declare -F "transport_$t" >/dev/null || die "no transport '$t' (a function transport_$t in bench/sync.sh)"
	T_REASON=
	"transport_$t" up "$n" "$dir" "$m" || die "$t: $T_REASON"
	TLABEL[$t]=$T_LABEL
	TGOALS[$t]=$T_GOALS

	rm -rf "$l"
	"$CRM" -u demo init --local "$l" --master "$m" >"$dir/init.out" 2>"$dir/init.err" ||
		die "crm init --local failed: $(cat "$dir/init.err")"
	if [ "${BENCH_SYNC_LINK_INITIAL:-1}" != 0 ]; then
		"transport_$t" bind "$n" "$dir" "$m" "$l"
		say "[$(count "$n")] $t: timing the initial sync over the link ..."
		link_measure "$dir/$t-init.out" "$dir/$t-init.err" "$CRM" -d "$l" sync ||
			die "the initial sync over $t failed: $(tail -n 5 "$dir/$t-init.err")"
		run_said "$n" "$t" "initial sync"
		F[$n,$t,init_s]=$m_seconds
		F[$n,$t,init_n]=$(column download "$dir/$t-init.out")
		for k in up_bytes down_bytes turns; do
			F[$n,$t,init_$k]=$(link_get "$k" "$l_diff")
		done
	else
		say "[$(count "$n")] $t: the local's first sync, from the master's directory ..."
		"$CRM" -d "$l" sync >"$dir/$t-init.out" 2>"$dir/$t-init.err" ||
			die "the initial sync failed: $(tail -n 5 "$dir/$t-init.err")"
		"transport_$t" bind "$n" "$dir" "$m" "$l"
	fi

	say "[$(count "$n")] $t: timing a sync with nothing to do ($runs runs) ..."
	s=() up=() down=() turns=()
	for ((r = 1; r <= runs; r++)); do
		link_measure "$dir/$t-empty.out" "$dir/$t-empty.err" "$CRM" -d "$l" sync ||
			die "the empty sync over $t failed: $(tail -n 5 "$dir/$t-empty.err")"
		run_said "$n" "$t" "run $r"
		s+=("$m_seconds")
		up+=("$(link_get up_bytes "$l_diff")")
		down+=("$(link_get down_bytes "$l_diff")")
		turns+=("$(link_get turns "$l_diff")")
	done
	keep "$n,$t,empty_s" "${s[@]}"
	keep "$n,$t,empty_up_bytes" "${up[@]}"
	keep "$n,$t,empty_down_bytes" "${down[@]}"
	keep "$n,$t,empty_turns" "${turns[@]}"

	say "[$(count "$n")] $t: 1,000 changes, 500 on each side, and their sync ($runs runs) ..."
	s=() up=() down=() turns=() cnt=()
	for ((r = 1; r <= runs; r++)); do
		changes "$dir" "$l" "$m" "Laptop$r$t" "Office$r$t"
		link_measure "$dir/$t-inc.out" "$dir/$t-inc.err" "$CRM" -d "$l" sync ||
			die "the sync of 1,000 changes over $t failed: $(tail -n 5 "$dir/$t-inc.err")"
		run_said "$n" "$t" "run $r"
		s+=("$m_seconds")
		up+=("$(link_get up_bytes "$l_diff")")
		down+=("$(link_get down_bytes "$l_diff")")
		turns+=("$(link_get turns "$l_diff")")
		cnt+=("$(($(column uploaded "$dir/$t-inc.out") + $(column download "$dir/$t-inc.out")))")
	done
	keep "$n,$t,inc_s" "${s[@]}"
	keep "$n,$t,inc_up_bytes" "${up[@]}"
	keep "$n,$t,inc_down_bytes" "${down[@]}"
	keep "$n,$t,inc_turns" "${turns[@]}"
	keep "$n,$t,inc_n" "${cnt[@]}"

	copies=$runs
	if [ "${F[$n,master_bytes]}" -gt $((256 * 1048576)) ]; then
		copies=1
	fi
	F[$n,$t,copy_runs]=$copies
	say "[$(count "$n")] $t: timing a copy of the master over the link ($copies run(s)) ..."
	s=() down=()
	dest=$dir/copy
	for ((r = 1; r <= copies; r++)); do
		rm -rf "$dest"
		sync -f "$dir" 2>/dev/null || sync
		before=$(link_counters)
		t0=$(now)
		"transport_$t" copy "$n" "$dir" "$m" "$dest"
		t1=$(now)
		l_diff=$(link_diff "$before" "$(link_counters)")
		s+=("$(fsub "$t1" "$t0")")
		m_seconds=${s[-1]}
		run_said "$n" "$t" "run $r"
		down+=("$(link_get down_bytes "$l_diff")")
	done
	rm -rf "$dest"
	keep "$n,$t,copy_s" "${s[@]}"
	keep "$n,$t,copy_down_bytes" "${down[@]}"

	"transport_$t" down "$n" "$dir" "$m"
}

echo "crm sync benchmark"
echo "  program:  $CRM"
echo "  scratch:  $work ($(stat -f -c %T "$work" 2>/dev/null || echo unknown), $(human $((avail_kb * 1024))) free)"
echo "  sizes:    $(for n in "${sizes[@]}"; do printf '%s ' "$(count "$n")"; done)records"
if [ "$link" = 1 ]; then
	echo "  link:     ${LINK_DELAY} ms each way, ${LINK_RATE} Mbit/s (bench/linkproxy); transports: ${transports[*]}; $runs run(s)"
fi
echo

for n in "${sizes[@]}"; do
	bench_size "$n"
done

# ---- the tables over the link (--link)

link_tables() {
	local n t v label failed=0 rtt
	local line='------------------------------------------------------------------------------------------------'
	rtt=$(awk -v d="$LINK_DELAY" 'BEGIN { printf "%g", 2 * d }')
	secs() { echo "$1 s"; }
	exact() { echo "$(count "$1") B"; }
	row() { # row LABEL KEY [FORMAT-FUNCTION]
		local label=$1 key=$2 fn=${3:-} n v
		printf '%-50s' "$label"
		for n in "${sizes[@]}"; do
			v=${F[$n,$key]:-}
			if [ -n "$v" ] && [ -n "$fn" ]; then v=$($fn "$v"); fi
			printf ' %22s' "${v:-n/a}"
		done
		echo
	}
	echo
	echo "crm sync over a simulated link, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "  the link: bench/linkproxy, ${LINK_DELAY} ms each way (${rtt} ms a round trip), ${LINK_RATE} Mbit/s each way"
	echo "$line"
	{
		printf '%-50s' "measure"
		for n in "${sizes[@]}"; do printf ' %22s' "$(count "$n") records"; done
		echo
	} | sed 's/ *$//'
	echo "$line"
	row "master size on disk (du -sb)" master_bytes human
	row "ssh HOST true through the link (median of $runs)" ssh_true secs
	row "  ssh connection alone (-s sftp, no shell)" ssh_conn secs
	for t in "${transports[@]}"; do
		echo "${TLABEL[$t]:-$t}"
		if [ "${BENCH_SYNC_LINK_INITIAL:-1}" != 0 ]; then
			row "  initial sync (1 run)" "$t,init_s" secs
			row "    records downloaded" "$t,init_n" count
			row "    bytes up" "$t,init_up_bytes" exact
			row "    bytes down" "$t,init_down_bytes" exact
			row "    turns (round trips)" "$t,init_turns" count
		fi
		row "  a sync with nothing to do (median of $runs)" "$t,empty_s" secs
		row "    bytes up" "$t,empty_up_bytes" exact
		row "    bytes down" "$t,empty_down_bytes" exact
		row "    turns (round trips)" "$t,empty_turns" count
		row "  sync of 1,000 changes (median of $runs)" "$t,inc_s" secs
		row "    records uploaded + downloaded" "$t,inc_n" count
		row "    bytes up" "$t,inc_up_bytes" exact
		row "    bytes down" "$t,inc_down_bytes" exact
		row "    turns (round trips)" "$t,inc_turns" count
		row "  copy of the master over the link, on disk" "$t,copy_s" secs
		row "    runs (the median shown)" "$t,copy_runs"
		row "    bytes down" "$t,copy_down_bytes" exact
	done
	echo "$line"

	# The goals are the service's; a transport whose rows are
	# there for comparison shows them without counting them.
	results=()
	goal() { # goal T LABEL FIGURE TARGET OK-FLAG
		local v
		v=$(verdict "$5")
		if [ "${TGOALS[$1]:-0}" = 1 ]; then
			[ "$v" = PASS ] || failed=$((failed + 1))
		else
			v="$v (not counted)"
		fi
		printf '%-60s %-12s %-9s %s\n' "$2" "$3" "$4" "$v"
	}
	echo
	printf '%-60s %-12s %-9s %s\n' "goal (over the link)" "figure" "target" "result"
	echo "$line"
	for t in "${transports[@]}"; do
		for n in "${sizes[@]}"; do
			v=$(fsub "${F[$n,$t,empty_s]}" "${F[$n,ssh_true]}")
			goal "$t" "$t: empty sync - ssh HOST true, $(count "$n")" "$v s" "<= 1 s" "$(fcmp "$v" "<=" 1)"
		done
		goal "$t" "$t: 1,000 changes, $(count "$large")" "${F[$large,$t,inc_s]} s" "<= 3 s" \
			"$(fcmp "${F[$large,$t,inc_s]}" "<=" 3)"
		goal "$t" "$t: 1,000 changes / copy, $(count "$large")" "$(pct "${F[$large,$t,inc_s]}" "${F[$large,$t,copy_s]}")" "<= 5%" \
			"$(fcmp "${F[$large,$t,inc_s]}" "<=" "$(awk -v v="${F[$large,$t,copy_s]}" 'BEGIN { print v / 20 }')")"
		if [ "$large" != "$small" ]; then
			v=$(fdiv "${F[$large,$t,inc_s]}" "${F[$small,$t,inc_s]}" 2)
			goal "$t" "$t: 1,000 changes, $(count "$large") / $(count "$small")" "${v}x" "<= 1.5x" "$(fcmp "$v" "<=" 1.5)"
		fi
		if [ -n "${F[$large,$t,init_s]:-}" ]; then
			v=$(fdiv "${F[$large,$t,init_s]}" "${F[$large,$t,copy_s]}" 2)
			goal "$t" "$t: initial sync / copy, $(count "$large")" "${v}x" "<= 1x" "$(fcmp "$v" "<=" 1)"
		fi
	done
	echo "$line"
	echo "Timings include starting crm, attaching the master and checking the password."
	echo "ssh HOST true includes the remote login shell's start; an ssh connection alone"
	echo "(the sftp subsystem, run in sshd itself, given no input) does not."
	echo "Bytes are what bench/linkproxy carried each way (ssh's framing included);"
	echo "turns count data from the laptop after data from the master: with one request"
	echo "at a time, one round trip each (${rtt} ms on this link)."
	echo "Copies of a master over 256 MiB are taken once (minutes each)."

	# The same, as a table for a note.
	echo
	for t in "${transports[@]}"; do
		echo "${TLABEL[$t]:-$t}, over the link (${rtt} ms round trip, ${LINK_RATE} Mbit/s):"
		echo
		echo "| master | \`ssh HOST true\` (connection alone) | empty sync | sync of 1,000 changes | copy of the master | initial sync |"
		echo "|---|---|---|---|---|---|"
		for n in "${sizes[@]}"; do
			echo "| $(count "$n") records ($(human "${F[$n,master_bytes]}")) | ${F[$n,ssh_true]} s (${F[$n,ssh_conn]} s) | ${F[$n,$t,empty_s]} s | ${F[$n,$t,inc_s]} s | ${F[$n,$t,copy_s]} s$([ "${F[$n,$t,copy_runs]}" = 1 ] && echo " (1 run)") | ${F[$n,$t,init_s]:-n/a}${F[$n,$t,init_s]:+ s} |"
		done
		echo
		echo "| master | empty sync: bytes up / down, turns | 1,000 changes: bytes up / down, turns | copy: bytes down |"
		echo "|---|---|---|---|"
		for n in "${sizes[@]}"; do
			echo "| $(count "$n") records | $(count "${F[$n,$t,empty_up_bytes]}") / $(count "${F[$n,$t,empty_down_bytes]}"), $(count "${F[$n,$t,empty_turns]}") | $(count "${F[$n,$t,inc_up_bytes]}") / $(count "${F[$n,$t,inc_down_bytes]}"), $(count "${F[$n,$t,inc_turns]}") | $(count "${F[$n,$t,copy_down_bytes]}") |"
		done
		echo
	done

	if [ "$failed" -gt 0 ]; then
		echo "bench/sync --link: $failed goal(s) missed"
		return 3
	fi
	echo "bench/sync --link: every goal counted met"
}

verdict() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi; }
if [ "$link" = 1 ]; then
	rc=0
	link_tables || rc=$?
	exit "$rc"
fi

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
