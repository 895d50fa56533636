#!/usr/bin/env bash
# bench/link-check.sh: check that bench/linkproxy simulates the link it is
# asked for, by measuring ssh through it, and print measured against set.
#
#   bash bench/link-check.sh
#   LINK_DELAY=15 LINK_RATE=50 LINK_CHECK_MB=50 bash bench/link-check.sh
#
# LINK_DELAY     one-way delay in milliseconds (default 15: 30 ms a round trip)
# LINK_RATE      rate each way in Mbit/s (default 50)
# LINK_CHECK_MB  MiB sent each way for the throughput (default 50)
# LINKPROXY      the relay's program (default: compiled by bench/lib.sh)
# BENCH_TMPDIR   scratch space (default: $TMPDIR/crm-bench); removed after
#
# A throw-away sshd on 127.0.0.1 (tests/sshfs.sh) and the relay in front
# of it. Measured, through the relay and directly:
#  1. "ssh HOST true", the median of 5: the link adds one round trip for
#     the TCP handshake and one for each exchange ssh waits for; and an
#     ssh connection alone, with no remote shell (the sftp subsystem,
#     which sshd runs in itself, given no input): the remote shell's start
#     (here root's ~/.bashrc) varies with the machine's load and would
#     hide what the link adds;
#  2. ping-pong: 20 round trips of 1 byte through "ssh HOST cat" on one
#     connection (the median and the least): the link's round trip, with
#     ssh's own cost beside it in the direct figure; then again while
#     another connection downloads in bulk: a small message is not held
#     behind another connection's bulk;
#  3. throughput: LINK_CHECK_MB MiB down ("ssh HOST head -c N /dev/zero"),
#     up ("ssh HOST 'cat >/dev/null'"), and both ways at once through
#     "ssh HOST cat", whose output is compared with its input. The rate is
#     the bytes the relay carried over the time less ssh's own start;
#  4. with python3, a half-close: a client that shuts its side down gets
#     the server's answer and then the end of the stream.
#
# Exit status: 0 the figures are near what was set (within 10%, and the
# round trip no shorter than set), 3 a figure is off, 1 it could not run.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)

die() {
	echo "bench/link-check: $*" >&2
	exit 1
}
say() {
	echo "bench/link-check: $*"
}

. "$here/lib.sh"

mb=${LINK_CHECK_MB:-50}
case $mb in '' | *[!0-9]* | 0) die "LINK_CHECK_MB must be a positive whole number, not '$mb'" ;; esac
awk -v d="$LINK_DELAY" -v r="$LINK_RATE" 'BEGIN { exit !(d + 0 == d && r + 0 == r && d >= 0 && r > 0) }' ||
	die "LINK_DELAY and LINK_RATE must be numbers (ms, Mbit/s), not '$LINK_DELAY', '$LINK_RATE'"

BENCH_TMPDIR=${BENCH_TMPDIR:-${TMPDIR:-/tmp}/crm-bench}
mkdir -p "$BENCH_TMPDIR" || die "cannot create $BENCH_TMPDIR"
work=$(mktemp -d "$BENCH_TMPDIR/link.XXXXXX") || die "cannot create a directory in $BENCH_TMPDIR"

skip() { die "$*"; }
S=$work/ssh
MNT=$work/mnt
M=$work
. "$here/../tests/sshfs.sh"

BG_PID=
cleanup() {
	[ -z "$BG_PID" ] || kill_tree "$BG_PID"
	link_stop
	stop_sshd
	rm -rf "$work"
	rmdir "$BENCH_TMPDIR" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sshfs_need
sshfs_keys
start_sshd || die "sshd does not start: $(tail -n 3 "$S/sshd.log" | tr '\n' ' ')"
link_start "$work" "$PORT"
say "sshd on 127.0.0.1:$PORT, bench/linkproxy on 127.0.0.1:$LINK_PORT (${LINK_DELAY} ms each way, ${LINK_RATE} Mbit/s)"

ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
# b - a in seconds, to the microsecond (fsub keeps milliseconds)
span() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }

# ---- 1. ssh HOST true

# ssh_time PORT ARG...: the median of 5 "ssh ARG...", in seconds.
ssh_time() {
	local i t0 port=$1 t=()
	shift
	for ((i = 0; i < 5; i++)); do
		t0=$EPOCHREALTIME
		bench_ssh "$port" "$@" </dev/null || die "ssh to 127.0.0.1:$port failed"
		t+=("$(span "$t0" "$EPOCHREALTIME")")
	done
	median "${t[@]}"
}
rtt_set=$(awk -v d="$LINK_DELAY" 'BEGIN { printf "%.3f", 2 * d / 1000 }')
say "timing ssh HOST true, directly and through the link ..."
true_direct=$(ssh_time "$PORT" true)
true_link=$(ssh_time "$LINK_PORT" true)
say "timing an ssh connection alone (-s sftp), directly and through the link ..."
conn_direct=$(ssh_time "$PORT" -s sftp)
before=$(link_counters)
conn_link=$(ssh_time "$LINK_PORT" -s sftp)
conn_turns=$(($(link_get turns "$(link_diff "$before" "$(link_counters)")") / 5))
conn_extra=$(fsub "$conn_link" "$conn_direct")
conn_trips=$(fdiv "$conn_extra" "$rtt_set" 1)

# ---- 2. ping-pong

# pingpong PORT: 20 round trips of one byte through "ssh HOST cat"; sets
# pp_median and pp_min (seconds).
pingpong() {
	local i c t0 t=()
	coproc PP { bench_ssh "$1" cat; }
	# The first byte waits for ssh to set up: not counted. Nothing in the
	# loop forks: a fork costs milliseconds on a busy machine.
	printf x >&"${PP[1]}"
	read -r -N 1 -u "${PP[0]}" c || die "no echo through ssh HOST cat"
	for ((i = 0; i < 20; i++)); do
		t0=$EPOCHREALTIME
		printf x >&"${PP[1]}"
		read -r -N 1 -u "${PP[0]}" c || die "no echo through ssh HOST cat"
		t+=("$t0 $EPOCHREALTIME")
	done
	exec {PP[1]}>&-
	wait "$PP_PID" 2>/dev/null || true
	mapfile -t t < <(printf '%s\n' "${t[@]}" | awk '{ printf "%.6f\n", $2 - $1 }')
	pp_median=$(median "${t[@]}")
	pp_min=$(printf '%s\n' "${t[@]}" | sort -g | head -n 1)
}
say "ping-pong of 1 byte, 20 round trips, directly and through the link ..."
pingpong "$PORT"
pp_direct=$pp_median
pingpong "$LINK_PORT"
pp_link=$pp_median
pp_link_min=$pp_min

say "ping-pong again while another connection downloads in bulk ..."
bench_ssh "$LINK_PORT" "head -c $((mb * 1048576)) /dev/zero" >/dev/null &
BG_PID=$!
sleep 2
pingpong "$LINK_PORT"
pp_load=$pp_median
kill_tree "$BG_PID"
wait "$BG_PID" 2>/dev/null || true
BG_PID=

# ---- 3. throughput

# The rate is taken where the bytes arrive, from the first byte to the
# last, so that ssh's start (the handshake, the remote shell) is not in
# it; the bytes are those the relay carried (ssh's framing included).
# window: read standard input to its end; print when its first byte came
# and when the end came. head -c 1 reads one byte and no more.
# shellcheck disable=SC2016
window='head -c 1 >"$0"; t0=$EPOCHREALTIME; cat >>"$0"; echo "$t0 $EPOCHREALTIME"'

# transfer LABEL KEY COMMAND...: run COMMAND, which prints the two times
# of a window; set x_rate (Mbit/s in direction KEY, up_bytes or
# down_bytes), x_bytes and x_secs (the whole command, ssh's start included).
transfer() {
	local label=$1 key=$2 before after t0 t1 w
	shift 2
	say "$label ..."
	before=$(link_counters)
	t0=$EPOCHREALTIME
	w=$("$@") || die "$label failed"
	t1=$EPOCHREALTIME
	after=$(link_counters)
	x_bytes=$(link_get "$key" "$(link_diff "$before" "$after")")
	x_rate=$(echo "$w" | awk -v b="$x_bytes" '{ printf "%.1f", b * 8 / ($2 - $1) / 1e6 }')
	x_secs=$(span "$t0" "$t1")
}
bytes=$((mb * 1048576))
down() { bench_ssh "$LINK_PORT" "head -c $bytes /dev/zero" | bash -c "$window" /dev/null; }
# Up, the window is taken on the server's side, and nothing is sent
# before the shell that takes it has started and said so: ssh would
# otherwise carry a channel's window of data (2 MiB) before it opens.
up() {
	local ready w
	coproc UP { bench_ssh "$LINK_PORT" "bash -c 'echo ready; $window' /dev/null"; }
	read -r ready <&"${UP[0]}" && [ "$ready" = ready ] || return 1
	head -c "$bytes" /dev/zero >&"${UP[1]}"
	exec {UP[1]}>&-
	read -r w <&"${UP[0]}" || return 1
	wait "$UP_PID" || return 1
	echo "$w"
}
transfer "$mb MiB down" down_bytes down
down_rate=$x_rate down_bytes=$x_bytes down_secs=$(fsub "$x_secs" 0)
transfer "$mb MiB up" up_bytes up
up_rate=$x_rate up_bytes=$x_bytes up_secs=$(fsub "$x_secs" 0)

# Both ways at once, and what comes back is what went.
dmb=$(((mb + 1) / 2))
head -c $((dmb * 1048576)) /dev/urandom >"$work/random"
both() { bench_ssh "$LINK_PORT" cat <"$work/random" | bash -c "$window" "$work/echoed"; }
transfer "$dmb MiB both ways at once (ssh HOST cat)" down_bytes both
duplex_rate=$x_rate duplex_secs=$(fsub "$x_secs" 0)
cmp -s "$work/random" "$work/echoed" || die "what came back through ssh HOST cat is not what was sent"
duplex_ok=identical

# ---- 4. half-close

half=skipped
if command -v python3 >/dev/null 2>&1; then
	say "a half-close through the link ..."
	half=$(python3 - "$LINKPROXY" "$LINK_DELAY" <<'EOF' 2>&1 || true
import socket, subprocess, sys, threading
# A server that reads to the end, then answers and closes; the client
# shuts its side down and must still get the answer, then the end.
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
def serve():
    c, _ = srv.accept()
    n = 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        n += len(d)
    c.sendall(b"got %d\n" % n)
    c.close()
threading.Thread(target=serve, daemon=True).start()
p = subprocess.Popen([sys.argv[1], "-d", sys.argv[2],
    "127.0.0.1:%d" % srv.getsockname()[1]], stdout=subprocess.PIPE)
port = int(p.stdout.readline())
c = socket.create_connection(("127.0.0.1", port))
c.sendall(b"x" * 100000)
c.shutdown(socket.SHUT_WR)
got = b""
c.settimeout(10)
while True:
    d = c.recv(100)
    if not d:
        break
    got += d
p.terminate()
p.wait()
print("ok" if got == b"got 100000\n" else "wrong answer %r" % got)
EOF
)
fi

# ---- the table

pct_off() { awk -v m="$1" -v s="$2" 'BEGIN { printf "%+.1f%%", 100 * (m - s) / s }'; }
within() { awk -v m="$1" -v s="$2" -v p="$3" 'BEGIN { d = (m - s) / s; print (d <= p && d >= -p) ? 1 : 0 }'; }
set_rate=$LINK_RATE
failed=0
check() { # check OK-FLAG
	if [ "$1" = 1 ]; then echo ok; else
		failed=$((failed + 1))
		echo OFF
	fi
}
row() { printf '%-44s %-14s %-14s %s\n' "$@" | sed 's/ *$//'; }
line() { printf '%s\n' "----------------------------------------------------------------------------------------"; }
echo
echo "bench/linkproxy: ${LINK_DELAY} ms each way, ${LINK_RATE} Mbit/s each way, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
line
row "measure" "measured" "set" "check"
line
row "round trip: 1-byte ping-pong, median" "$(ms "$pp_link") ms" "$(ms "$rtt_set") ms" \
	"$(check "$(awk -v m="$pp_link" -v s="$rtt_set" 'BEGIN { print (m >= s && m <= s * 1.1 + 0.002) ? 1 : 0 }')")"
row "  the least of 20" "$(ms "$pp_link_min") ms" "$(ms "$rtt_set") ms" ""
row "  the same, directly (ssh's own cost)" "$(ms "$pp_direct") ms" "" ""
row "  while another connection downloads" "$(ms "$pp_load") ms" "$(ms "$rtt_set") ms" \
	"$(check "$(awk -v m="$pp_load" -v s="$rtt_set" 'BEGIN { print (m >= s && m <= s * 1.2 + 0.002) ? 1 : 0 }')")"
row "ssh HOST true, through the link" "$(ms "$true_link") ms" "" ""
row "ssh HOST true, directly" "$(ms "$true_direct") ms" "" ""
row "ssh connection alone, through the link" "$(ms "$conn_link") ms" "" ""
row "ssh connection alone, directly" "$(ms "$conn_direct") ms" "" ""
row "  added by the link" "$(ms "$conn_extra") ms" "" "$conn_trips round trips"
row "  turns on the link, a connection" "$conn_turns" "" ""
row "down: $mb MiB, $(human "$down_bytes") on the link" "$down_rate Mbit/s" "$set_rate Mbit/s" \
	"$(check "$(within "$down_rate" "$set_rate" 0.1)") $(pct_off "$down_rate" "$set_rate")"
row "  in, ssh's start included" "$down_secs s" "" ""
row "up: $mb MiB, $(human "$up_bytes") on the link" "$up_rate Mbit/s" "$set_rate Mbit/s" \
	"$(check "$(within "$up_rate" "$set_rate" 0.1)") $(pct_off "$up_rate" "$set_rate")"
row "  in, ssh's start included" "$up_secs s" "" ""
row "both ways at once: $dmb MiB each way" "$duplex_rate Mbit/s" "$set_rate Mbit/s" \
	"$(check "$(within "$duplex_rate" "$set_rate" 0.1)") $(pct_off "$duplex_rate" "$set_rate")"
row "  in; what came back" "$duplex_secs s" "$duplex_ok" ""
row "half-close (shutdown passed on, answer kept)" "$half" "ok" \
	"$(if [ "$half" = skipped ]; then echo "(no python3)"; else check "$([ "$half" = ok ] && echo 1 || echo 0)"; fi)"
line
echo "Rates are the bytes the relay carried (ssh's framing included) over the"
echo "time from the first byte received to the last. ssh HOST true includes the"
echo "remote login shell's start, the same through the link and directly; an ssh"
echo "connection alone (-s sftp, run in sshd itself) does not."
echo "This machine's timers wake some 0.1-0.3 ms late: each direction's delay"
echo "is that much longer than set."
if [ "$failed" -gt 0 ]; then
	echo "bench/link-check: $failed figure(s) off"
	exit 3
fi
echo "bench/link-check: the link is what was set"
