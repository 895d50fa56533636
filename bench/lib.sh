# bench/lib.sh: what the benchmark scripts share; sourced by bench/run,
# bench/demo.sh, bench/sync.sh and bench/screens.sh (bash).

# ---- arithmetic on decimal numbers, through awk

fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
# a / b with the given number of decimals; "n/a" when b is 0
fdiv() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b == 0) print "n/a"; else printf "%.*f", d, a / b }'; }
# 1 when a <op> b holds (op: < <= >=), else 0; 0 when a figure is missing
fcmp() { awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
	if (a == "n/a" || b == "n/a" || a == "" || b == "") { print 0; exit }
	r = (op == "<") ? a < b : (op == "<=") ? a <= b : (op == ">=") ? a >= b : 0
	print r ? 1 : 0 }'; }
# a number of bytes for people
human() { awk -v b="$1" 'BEGIN {
	if (b >= 1073741824) printf "%.2f GiB", b / 1073741824
	else if (b >= 1048576) printf "%.1f MiB", b / 1048576
	else if (b >= 1024) printf "%.1f KiB", b / 1024
	else printf "%d B", b }'; }
# a count with thousands separated: 1,000,000
count() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); o = "";
	while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
	print s o }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.1f%%", 100 * a / b }'; }
# the median of the numbers given as arguments ("n/a" when none)
median() { printf '%s\n' "$@" | sort -g | awk 'NF { v[++n] = $1 } END { if (n) print v[int((n + 1) / 2)]; else print "n/a" }'; }

# Stop a process and its descendants: GNU time, killed, leaves the program
# it measures running. Children are found through /proc/PID/stat (its
# fourth field, after the command name in parentheses, is the parent).
kill_tree() {
	local pid=$1 st s ppid
	for st in /proc/[0-9]*/stat; do
		s=$(cat "$st" 2>/dev/null) || continue
		s=${s##*) }
		ppid=${s#* }
		ppid=${ppid%% *}
		if [ "$ppid" = "$pid" ]; then
			st=${st#/proc/}
			kill_tree "${st%/stat}"
		fi
	done
	kill "$pid" 2>/dev/null || true
}

# ---- the simulated link (bench/linkproxy.c)
#
# A relay between ssh (or sshfs) and a throw-away sshd on 127.0.0.1 that
# delays each direction LINK_DELAY milliseconds (default 15: a 30 ms round
# trip) and paces it at LINK_RATE Mbit/s (default 50), an ordinary VPN.
# The callers define die (a message, then exit).
LINK_DELAY=${LINK_DELAY:-15}
LINK_RATE=${LINK_RATE:-50}
LINK_PID=
LINK_PORT=
LINK_LOG=

# linkproxy_build: set LINKPROXY to the relay's program. "make bench"
# builds it and passes it in LINKPROXY; otherwise it is compiled here with
# cc -O2 into bench/tmp (or BENCH_TMPDIR when bench/ cannot be written),
# again whenever its source is newer.
linkproxy_build() {
	local src out dir
	if [ -n "${LINKPROXY:-}" ]; then
		[ -x "$LINKPROXY" ] || die "LINKPROXY=$LINKPROXY is not a program: unset it, or run make bench"
		return 0
	fi
	src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/linkproxy.c
	[ -f "$src" ] || die "$src not found"
	dir=$(dirname "$src")/tmp
	if ! mkdir -p "$dir" 2>/dev/null || [ ! -w "$dir" ]; then
		dir=${BENCH_TMPDIR:-${TMPDIR:-/tmp}/crm-bench}
		mkdir -p "$dir" || die "cannot create $dir"
	fi
	out=$dir/linkproxy
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		command -v "${CC:-cc}" >/dev/null 2>&1 || die "no C compiler (${CC:-cc}) to build $src: install build-essential, or run make bench"
		"${CC:-cc}" -O2 -Wall -Wextra -o "$out.new" "$src" || die "cannot compile $src"
		mv -f "$out.new" "$out"
	fi
	LINKPROXY=$out
}

# link_start DIR PORT [OPTION...]: the relay in front of 127.0.0.1:PORT,
# its log (and counters) in DIR/link.log; sets LINK_PID and LINK_PORT.
link_start() {
	local dir=$1 port=$2 i=0
	shift 2
	linkproxy_build
	LINK_LOG=$dir/link.log
	: >"$LINK_LOG"
	: >"$dir/link.port"
	"$LINKPROXY" -d "$LINK_DELAY" -r "$LINK_RATE" "$@" "127.0.0.1:$port" \
		>"$dir/link.port" 2>>"$LINK_LOG" &
	LINK_PID=$!
	while [ "$i" -lt 100 ]; do
		LINK_PORT=$(head -n 1 "$dir/link.port")
		[ -z "$LINK_PORT" ] || return 0
		kill -0 "$LINK_PID" 2>/dev/null || break
		sleep 0.02
		i=$((i + 1))
	done
	die "bench/linkproxy does not start: $(cat "$LINK_LOG")"
}

link_stop() {
	[ -n "$LINK_PID" ] || return 0
	kill "$LINK_PID" 2>/dev/null || true
	wait "$LINK_PID" 2>/dev/null || true
	LINK_PID=
}

# link_counters: the relay's counters now, "up_bytes=N up_writes=N
# down_bytes=N down_writes=N connections=N turns=N" (SIGUSR1 makes it print
# them on its log).
link_counters() {
	local before i=0
	before=$(grep -c '^linkproxy: up_bytes=' "$LINK_LOG" || true)
	kill -USR1 "$LINK_PID" 2>/dev/null || die "bench/linkproxy has gone: $(tail -n 3 "$LINK_LOG")"
	while [ "$(grep -c '^linkproxy: up_bytes=' "$LINK_LOG" || true)" -le "$before" ]; do
		[ "$i" -lt 250 ] || die "bench/linkproxy does not answer SIGUSR1"
		sleep 0.02
		i=$((i + 1))
	done
	grep '^linkproxy: up_bytes=' "$LINK_LOG" | tail -n 1 | sed 's/^linkproxy: //'
}

# link_get KEY COUNTERS: one figure of a link_counters line.
link_get() {
	printf '%s\n' "$2" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'
}

# link_diff BEFORE AFTER: what the link carried between two counters lines.
link_diff() {
	local k out=
	for k in up_bytes up_writes down_bytes down_writes connections turns; do
		out="$out $k=$(($(link_get "$k" "$2") - $(link_get "$k" "$1")))"
	done
	echo "${out# }"
}

# bench_ssh PORT ARG...: ssh to the throw-away sshd of tests/sshfs.sh (its
# S and ME) on 127.0.0.1:PORT, with no user configuration or known hosts.
bench_ssh() {
	local port=$1
	shift
	ssh -F /dev/null -p "$port" -i "$S/user_key" -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
		"$ME@127.0.0.1" "$@"
}
