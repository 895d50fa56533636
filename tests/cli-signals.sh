#!/bin/sh
# cli-signals.sh: a command whose reader goes away (crm list | head) or
# that is told to stop (Ctrl-C, SIGTERM, SIGHUP) lets the master go
# cleanly, so that the next crm to attach it finds nothing to recover.
# A master that was let go has an empty lock file; one held by a process
# that died there keeps its holder's line, and the next attach recovers.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
CRM_PASSWORD=demo "$CRM" demo "$M" --records 20000 >/dev/null 2>&1 ||
    fail "cannot make the demo master"
export CRM_PASSWORD=demo CRM_USER=demo

# held WHAT: wait until a crm has attached the master (its lock names it).
held() {
	_i=0
	while [ ! -s "$M/lock" ]; do
		_i=$((_i + 1))
		[ $_i -lt 300 ] || fail "$1 never attached the master"
		sleep 0.1
	done
}

released() {
	[ -f "$M/lock" ] || fail "$M has no lock file"
	[ ! -s "$M/lock" ] ||
	    fail "$1 left the master held: $(cat "$M/lock")"
}

# --- the reader goes away: crm list contact | head -n 1 ------------------
# The contacts (about 6,000) fill more than a pipe's buffer, so crm is
# still writing, and attached, when head leaves.
"$CRM" -d "$M" list contact 2>"$T/err" | head -n 1 >"$T/out"
[ -s "$T/out" ] || fail "head read nothing from crm list"
[ ! -s "$T/err" ] || fail "crm list | head wrote to stderr: $(cat "$T/err")"
released "crm list | head"
# The same with the shell told the status: SIGPIPE's, as before.
status=$( (st=0; "$CRM" -d "$M" list contact 2>/dev/null || st=$?
    echo "$st" >"$T/st") | head -n 1 >/dev/null; cat "$T/st")
[ "$status" -eq 141 ] || fail "crm list | head ended with $status, not 141 (SIGPIPE)"
released "crm list | head (twice)"

# --- told to stop half-way: SIGTERM, SIGHUP ---------------------------------
# crm export writes into a FIFO; the reader takes a little, has crm
# signalled while it is attached and waiting to write, then drains the
# rest.
mkfifo "$T/fifo" || fail "cannot make a FIFO"
for sig in TERM HUP; do
	"$CRM" -d "$M" export contact "$T/fifo" 2>"$T/err" &
	pid=$!
	{
		head -c 4096 >/dev/null
		kill -s "$sig" "$pid"
		cat >/dev/null
	} <"$T/fifo"
	status=0
	wait "$pid" || status=$?
	case $sig in
	TERM) want=143 ;;
	HUP) want=129 ;;
	esac
	[ "$status" -eq "$want" ] ||
	    fail "crm export stopped by SIG$sig ended with $status, not $want"
	grep -q 'stopped, and nothing it was writing was saved' "$T/err" ||
	    fail "crm export stopped by SIG$sig said: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" -eq 1 ] ||
	    fail "crm export stopped by SIG$sig said more than one line: $(cat "$T/err")"
	released "crm export stopped by SIG$sig"
	[ -p "$T/fifo" ] || fail "crm export put a plain file in the FIFO's place"
done

# --- Ctrl-C, as a person presses it, in tmux -----------------------------------
# crm list writes into a pipe nobody reads: it waits, attached, when the
# keys come. (A test run in the background ignores SIGINT, and so would
# crm, as nohup asks: env gives it back its default.)
TMUX_SOCKET=crmsig$$
tmux -L "$TMUX_SOCKET" new-session -d -x 80 -y 24 -s ctrlc \
    "env --default-signal=INT CRM_PASSWORD=demo CRM_USER=demo '$CRM' -d '$M' list contact 2>'$T/err' | (sleep 60; cat >/dev/null)" ||
    fail "cannot start tmux"
held "crm list"
tmux -L "$TMUX_SOCKET" send-keys -t ctrlc C-c
# What crm says comes before it lets go; then the lock is empty, or the
# next check says who holds it still.
i=0
while [ ! -s "$T/err" ] || [ -s "$M/lock" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || break
	sleep 0.1
done
tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || :
grep -q '^crm: interrupted (Ctrl-C): stopped' "$T/err" ||
    fail "Ctrl-C in crm list said: $(cat "$T/err")"
released "Ctrl-C in crm list"

# --- an import stopped half-way saves nothing: all or nothing ----------------
before=$("$CRM" -d "$M" list company | wc -l)
awk 'BEGIN { print "name,city"; for (i = 0; i < 100000; i++)
    printf "Signal Test %d GmbH,Kiel\n", i }' >"$T/companies.csv"
"$CRM" -d "$M" import company "$T/companies.csv" >/dev/null 2>"$T/err" &
pid=$!
held "crm import"
sleep 0.5
kill -s TERM "$pid"
status=0
wait "$pid" || status=$?
[ "$status" -eq 143 ] || fail "crm import stopped by SIGTERM ended with $status, not 143: $(cat "$T/err")"
grep -q 'stopped, and nothing it was writing was saved' "$T/err" ||
    fail "crm import stopped by SIGTERM said: $(cat "$T/err")"
after=$("$CRM" -d "$M" list company | wc -l)
[ "$after" -eq "$before" ] ||
    fail "crm import stopped by SIGTERM added $((after - before)) companies"
released "crm import stopped by SIGTERM"


# --- a command stuck inside Berkeley DB still stops -------------------------
# A page of companies.db written over with zeros can send a search round
# for ever inside Berkeley DB, where no step of crm's comes to see the
# signal: told to stop, crm gives it a while (CRM_STOP_SECONDS, in the
# test build), then dies at once, saying so, and the next attach
# recovers. Look for a page that makes crm list go round, on copies.
export CRM_STOP_SECONDS=2
stuck=
pg=2
while [ -z "$stuck" ] && [ $pg -lt 40 ]; do
	rm -rf "$T/z"
	cp -a "$M" "$T/z"
	dd if=/dev/zero of="$T/z/companies.db" bs=4096 seek=$pg count=1 \
	    conv=notrunc 2>/dev/null
	st=0
	timeout -k 30 3 "$CRM" -d "$T/z" list company >/dev/null 2>"$T/err" ||
	    st=$?
	[ "$st" -eq 124 ] && stuck=$pg
	pg=$((pg + 1))
done
if [ -n "$stuck" ]; then
	grep -q 'stopped at once' "$T/err" ||
	    fail "crm stuck in a damaged companies.db (page $stuck) and told to stop said: $(cat "$T/err")"
	[ -s "$T/z/lock" ] ||
	    fail "crm stuck in a damaged master and stopped at once let it go"
	# A second SIGTERM stops it at once too (a background job of this
	# shell ignores SIGINT, as every one started with & does).
	CRM_STOP_SECONDS=600 "$CRM" -d "$T/z" list company >/dev/null \
	    2>"$T/err" &
	pid=$!
	sleep 1
	kill -s TERM "$pid"
	sleep 0.2
	kill -s TERM "$pid"
	st=0
	timeout 20 sh -c "while kill -0 $pid 2>/dev/null; do sleep 0.1; done" ||
	    { kill -9 "$pid"; fail "crm stuck and told twice to stop went on"; }
	wait "$pid" || st=$?
	[ "$st" -eq 143 ] ||
	    fail "crm stuck and told twice to stop ended with $st, not 143"
	grep -q 'stopped at once' "$T/err" ||
	    fail "crm stuck and told twice to stop said: $(cat "$T/err")"
else
	echo "cli-signals.sh: no page of companies.db made crm list go round; the stuck command is not tried" >&2
fi
unset CRM_STOP_SECONDS

finish
