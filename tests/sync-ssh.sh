#!/bin/sh
# sync-ssh: the sync service through a real sshd, deployed as README and
# crm(1) say an office deploys it (RULES.md T1, T8).
#
# A throw-away sshd on 127.0.0.1 plays the master's host. The master's
# directory belongs to the account sshd logs in (the service account),
# and each laptop user's key is in its authorized_keys with a forced
# command that binds the key to one login:
#
#   command="crm serve --user anna /srv/crm/office",restrict ssh-ed25519 ...
#
# Anna's local reaches the master as ssh://USER@127.0.0.1:PORT/PATH: the
# sync works both ways, a restricted user syncs their own scope, and the
# same key cannot sync as another login, read a master file, run another
# command or forward anything. A connection cut in the middle of a sync
# (sshd and everything it runs killed) leaves both sides consistent, and
# the next sync converges.
#
# Needs openssh-server (sshd) and openssh-client (ssh, ssh-keygen); without
# them the test says why and is skipped (status 77).
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

skip() {
	echo "SKIP: sync-ssh.sh: $*"
	exit 77
}

M=$T/office		# the master, on the "server's" disk
S=$T/ssh		# sshd's and ssh's throw-away keys and settings
MNT=$T/unused		# sshfs.sh's, not mounted here
LA=$T/anna
LB=$T/ben

. "${TESTS_SRCDIR:-$(dirname "$0")}/sshfs.sh"
ssh_need

cleanup() {
	stop_sshd
}
trap 'cleanup' EXIT
trap 'exit 1' INT TERM HUP

sshfs_keys
# A second key, for the restricted user: each key is one login's.
ssh-keygen -q -N '' -t ed25519 -f "$S/ben_key" </dev/null ||
    skip "ssh-keygen cannot make a key"
{
	printf 'command="%s serve --user anna %s",restrict %s\n' "$CRM" "$M" \
	    "$(cat "$S/user_key.pub")"
	printf 'command="%s serve --user ben %s",restrict %s\n' "$CRM" "$M" \
	    "$(cat "$S/ben_key.pub")"
} >"$S/authorized_keys"
chmod 600 "$S/authorized_keys"
start_sshd || skip "sshd does not start: $(tail -n 3 "$S/sshd.log" | tr '\n' ' ')"

# ssh as a laptop runs it, with the key given.
ssh_with() {
	_key=$1
	shift
	ssh -F /dev/null -p "$PORT" -i "$_key" -o StrictHostKeyChecking=no \
	    -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
	    -o ConnectTimeout=10 "$ME@127.0.0.1" "$@"
}

# The office's master: the service account's, no one else's.
make_master "$M"
chmod 700 "$M"
add_user "$M" anna ANNA1 annapw --name "Anna Plain"
add_user "$M" ben BEN01 benpw1 --type remote --restricted --name "Ben Road"
ca=$(root "$M" add company name=AnnaCo phone=100 account_manager=ANNA1)
cb=$(root "$M" add company name=BenCo phone=200 account_manager=BEN01)
root "$M" add company name=NobodysCo account_manager=ROOT1 >/dev/null ||
    fail "cannot add a company"
where="ssh://$ME@127.0.0.1:$PORT$M"

# Each laptop's settings: its own key (sync.ssh_command), crm's path there.
laptop() {
	mkdir -p "$XDG_CONFIG_HOME/crm"
	printf 'sync = {\n  ssh_command = "ssh -F /dev/null -i %s -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR";\n  remote_crm = "%s";\n};\n' \
	    "$1" "$CRM" >"$XDG_CONFIG_HOME/crm/crm.conf"
}

# --- a local made and synced through sshd ----------------------------------------
laptop "$S/user_key"
CRM_PASSWORD=annapw expect_ok "$CRM" -u anna init --local "$LA" --master "$where"
expect_out_contains "bound to the master $where"
anna() {
	CRM_PASSWORD=annapw "$CRM" -d "$LA" "$@"
}
expect_ok anna sync --stats
expect_cell_companies() {
	printf '%s\n' "$OUT" | awk -v c="$1" '
	    NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i }
	    $1 == "companies" { print $k; exit }'
}
expect_eq "$(expect_cell_companies download)" 3
expect_out_contains "2 round trip(s)"
na=$(anna add company name=FromTheRoad account_manager=ANNA1) ||
    fail "cannot add on the local"
anna set company "$ca" phone=101 || fail "cannot set on the local"
root "$M" set company "$ca" city=Lyon || fail "cannot set on the master"
expect_ok anna sync
expect_eq "$(expect_cell_companies uploaded)" 1
expect_eq "$(expect_cell_companies merged)" 1
expect_ok root "$M" get company "$na"
expect_out_contains name=FromTheRoad
expect_out_contains created_by=ANNA1
expect_ok root "$M" get company "$ca"
expect_out_contains phone=101
expect_out_contains city=Lyon
expect_ok anna sync --verify
expect_out_contains "0 difference(s)"
expect_ok anna sync --dry-run
expect_out_contains "Dry run"

# --- the key is anna's: it syncs as anna, nothing else ----------------------------
# Another login with this key: the forced command refuses it, even with
# that login's right password.
laptop "$S/user_key"
CRM_PASSWORD=benpw1 expect_fail "$CRM" -u ben init --local "$LB" --master "$where"
expect_err_contains "may sync only as anna"
[ ! -e "$LB" ] || fail "a refused init --local made a database"
# Any other command runs crm serve instead, which reads no file and
# answers nothing but its greeting.
run ssh_with "$S/user_key" cat "$M/users.db"
[ "$STATUS" -ne 0 ] || fail "the key ran cat on the master's host"
case $OUT in *'$y$'*) fail "the key read the master's password hashes" ;; esac
case $OUT in *crm-sync*) ;; *) fail "the forced command did not answer: $OUT" ;; esac
run ssh_with "$S/user_key" id -un
case $OUT in *"$ME"*) fail "the key ran id on the master's host" ;; esac
# No file transfer: sftp and scp are subsystems the forced command replaces.
run ssh_with "$S/user_key" -s sftp
case $OUT in *crm-sync*) ;; *) fail "sftp was not refused: $OUT" ;; esac
rm -f "$T/stolen.db"
run scp -F /dev/null -P "$PORT" -i "$S/user_key" -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
    "$ME@127.0.0.1:$M/users.db" "$T/stolen.db"
[ ! -s "$T/stolen.db" ] || ! grep -q 'y\$' "$T/stolen.db" ||
    fail "scp copied the master's users.db with the key"
# No forwarding (restrict): a tunnel to sshd's own port is refused.
run ssh_with "$S/user_key" -N -o ExitOnForwardFailure=yes \
    -L "127.0.0.1:0:127.0.0.1:$PORT"
[ "$STATUS" -ne 0 ] || fail "the key forwarded a port"

# --- the restricted user, through the service only ----------------------------------
laptop "$S/ben_key"
CRM_PASSWORD=benpw1 expect_ok "$CRM" -u ben init --local "$LB" --master "$where"
ben() {
	CRM_PASSWORD=benpw1 "$CRM" -d "$LB" "$@"
}
expect_ok ben sync
expect_ok ben list company
expect_eq "$(rows)" 1
expect_out_contains BenCo
# The local is encrypted: neither another's company nor any password hash,
# its own included, is in its files in the clear (what it holds, read
# through the store, is checked in sync-attack.sh).
n=$(cat "$LB"/*.db | grep -ac AnnaCo || :)
expect_eq "$n" 0
n=$(yescrypt_in "$LB"/*.db | wc -l)
expect_eq "$n" 0
# T1: the password is the master's to check, not the local's.
run env CRM_PASSWORD=wrong "$CRM" -d "$LB" sync
[ "$STATUS" -eq 1 ] || fail "a wrong password synced"
# ben's key cannot be used as anna's.
expect_fail env CRM_PASSWORD=annapw "$CRM" -d "$LA" sync
expect_err_contains "may sync only as ben"

# --- the connection cut in the middle of a sync -------------------------------------
# 20,000 companies come down through a slow link (bench/linkproxy.c at
# 2 Mbit/s), and sshd with all it runs is killed as soon as crm serve runs,
# that is while it sends them: the network goes away.
# The sync must stop with one clear message, and the next one converge.
LINKPROXY=$T/linkproxy
PROXY_PID=
proxy_start() {
	: >"$T/proxy.port"
	"$LINKPROXY" -d 2 -r "$1" ${2:+-l "$2"} "127.0.0.1:$PORT" \
	    >"$T/proxy.port" 2>"$T/proxy.log" &
	PROXY_PID=$!
	i=0
	while [ ! -s "$T/proxy.port" ] && [ "$i" -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	PROXY_PORT=$(head -n 1 "$T/proxy.port")
	[ -n "$PROXY_PORT" ] || fail "bench/linkproxy did not start: $(cat "$T/proxy.log")"
}
proxy_stop() {
	[ -z "$PROXY_PID" ] || { kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null; } || :
	PROXY_PID=
}
cleanup() {
	proxy_stop
	stop_sshd
}
if ! command -v pgrep >/dev/null 2>&1; then
	echo "sync-ssh.sh: no pgrep (install procps): a connection cut in the middle of a sync is not tested here (tests/sync-crash-service.sh cuts it at every frame)" >&2
elif ! command -v "${CC:-cc}" >/dev/null 2>&1 ||
    ! "${CC:-cc}" -O2 -o "$LINKPROXY" "$TESTS_SRCDIR/../bench/linkproxy.c" 2>"$T/cc.log"; then
	echo "sync-ssh.sh: no C compiler for bench/linkproxy.c: a connection cut in the middle of a sync is not tested here (tests/sync-crash-service.sh cuts it at every frame)" >&2
else
	awk 'BEGIN { print "name,phone,account_manager"
	    for (i = 0; i < 20000; i++) printf "Bulk %05d,%d,ANNA1\n", i, i }' \
	    >"$T/many.csv"
	root "$M" import company "$T/many.csv" >/dev/null || fail "cannot import"
	laptop "$S/user_key"
	proxy_start 2
	expect_ok as anna annapw "$LA" config set db.master \
	    "ssh://$ME@127.0.0.1:$PROXY_PORT$M"
	anna set company "$ca" phone=cut-edit || fail "cannot set on the local"
	CRM_PASSWORD=annapw "$CRM" -d "$LA" sync >"$T/cut.out" 2>"$T/cut.err" &
	SYNC_PID=$!
	# crm serve is there once ssh has logged in; through the slow link
	# it then sends for seconds.
	i=0
	while ! pgrep -f "serve --user anna $M" >/dev/null 2>&1; do
		[ "$i" -lt 600 ] || fail "crm serve never started"
		kill -0 "$SYNC_PID" 2>/dev/null ||
		    fail "the sync ended before crm serve ran: $(cat "$T/cut.err")"
		sleep 0.05
		i=$((i + 1))
	done
	note_sshd
	stop_sshd
	wait "$SYNC_PID" && st=0 || st=$?
	SYNC_PID=
	[ "$st" -eq 1 ] ||
	    fail "the sync cut in the middle ended with status $st: $(cat "$T/cut.err")"
	[ "$(wc -l <"$T/cut.err")" -eq 1 ] ||
	    fail "a cut sync said more than one line: $(cat "$T/cut.err")"
	grep -q "127.0.0.1" "$T/cut.err" ||
	    fail "a cut sync did not name the host: $(cat "$T/cut.err")"
	grep -q "sync again" "$T/cut.err" ||
	    fail "a cut sync did not say what to do: $(cat "$T/cut.err")"
	# The network is back, and fast.
	start_sshd same || fail "sshd does not start again"
	proxy_stop
	proxy_start 1000 "$PROXY_PORT"
	expect_ok anna sync
	expect_ok anna sync --verify
	expect_out_contains "0 difference(s)"
	expect_ok root "$M" get company "$ca"
	expect_out_contains phone=cut-edit
	expect_ok anna list company --where name="Bulk 19999"
	expect_eq "$(rows)" 1
	proxy_stop
fi

# --- an unreachable host ------------------------------------------------------------
stop_sshd
expect_fail anna sync
expect_err_contains "cannot reach the master's host"
expect_err_contains "127.0.0.1"

finish
