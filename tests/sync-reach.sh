#!/bin/sh
# sync-reach: a master through the sync service that does not answer as
# crm does (RULES.md T8, S2). Each case gets one clear message that names
# the host and what to do, changes nothing on either side, and the sync
# works again once the cause is gone:
#   - the host cannot be reached (ssh exits 255);
#   - the host has no crm ("crm: command not found", status 127);
#   - sync.ssh_command names no program;
#   - the remote login prints a banner before crm answers;
#   - the remote crm speaks another version of the protocol;
#   - the remote ends the conversation in its middle;
#   - the remote sends a malformed frame, one over the limit, or one of
#     no known type;
#   - a malformed location (ssh:// with no path).
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
L=$T/local
make_master "$M"
add_user "$M" anna ANNA1 annapw
use_service
CRM_PASSWORD=annapw expect_ok "$CRM" -u anna init --local "$L" --master "$(via "$M")"
anna() {
	CRM_PASSWORD=annapw "$CRM" -d "$L" "$@"
}
expect_ok anna sync
anna add company name=Pending >/dev/null || fail "cannot add on the local"
root "$M" add company name=OnTheMaster >/dev/null || fail "cannot add on the master"

# An ssh of the test's own: ssh-pipe.sh, with a twist given as FAKE_SSH.
fake() {
	cat >"$T/fake-ssh" <<EOF
#!/bin/sh
$1
EOF
	chmod +x "$T/fake-ssh"
	expect_ok anna config set sync.ssh_command "$T/fake-ssh"
}

before() {
	snapshot_m=$(root "$M" export company)
	snapshot_l=$(anna export company)
}
unchanged() {
	[ "$(root "$M" export company)" = "$snapshot_m" ] ||
	    fail "$1: the master changed"
	[ "$(anna export company)" = "$snapshot_l" ] ||
	    fail "$1: the local changed"
}

# The host cannot be reached: what ssh says, and what to do.
fake 'echo "ssh: connect to host testhost port 22: Connection refused" >&2; exit 255'
before
expect_fail anna sync
expect_err_contains "cannot reach the master's host testhost"
expect_err_contains "Connection refused"
expect_err_contains "nothing was changed"
unchanged "an unreachable host"

# The host has no crm.
fake 'echo "bash: line 1: crm: command not found" >&2; exit 127'
expect_fail anna sync
expect_err_contains "testhost has no crm"
expect_err_contains "sync.remote_crm"
unchanged "a host without crm"

# sync.ssh_command names no program.
expect_ok anna config set sync.ssh_command "$T/no-such-ssh -q"
expect_fail anna sync
expect_err_contains "no-such-ssh"
expect_err_contains "sync.ssh_command"
unchanged "no ssh"

# A login that prints a banner on the way: said, with what to remove.
fake "echo 'Welcome to the office server!'; exec \"$TESTS_SRCDIR/ssh-pipe.sh\" \"\$@\""
expect_fail anna sync
expect_err_contains "testhost did not answer as crm does"
expect_err_contains "Welcome to the office server!"
expect_err_contains "startup file"
unchanged "a banner"

# A crm that speaks another version of the protocol.
fake 'printf "crm-sync 7 9 crm 9.9.9\n"; cat >/dev/null'
expect_fail anna sync
expect_err_contains "protocol 7 to 9"
expect_err_contains "crm 9.9.9"
expect_err_contains "same version"
unchanged "another version"

# A remote that says hello, then stops in the middle.
fake 'printf "crm-sync 1 1 crm x\n"; head -c 10 >/dev/null; exit 0'
expect_fail anna sync
expect_err_contains "testhost"
unchanged "a conversation cut short"

# A master that answers with a malformed frame, or one over the limit: the
# local stops with the frame named, changing nothing.
fake 'printf "crm-sync 1 1 crm x\n\040\000\000\000\003abc"; cat >/dev/null'
expect_fail anna sync
expect_err_contains "malformed HELLO frame"
unchanged "a malformed frame"
fake 'printf "crm-sync 1 1 crm x\n\040\177\377\377\377"; cat >/dev/null'
expect_fail anna sync
expect_err_contains "over the limit"
unchanged "an oversized frame"
fake 'printf "crm-sync 1 1 crm x\n\143\000\000\000\000"; cat >/dev/null'
expect_fail anna sync
expect_err_contains "unknown type 99"
unchanged "a frame of no known type"

# A location with no path is said so, at once.
fake "exec \"$TESTS_SRCDIR/ssh-pipe.sh\" \"\$@\""
expect_fail anna config set db.master "ssh://testhost"
expect_err_contains "ssh://[USER@]HOST[:PORT]/PATH"

# Once the cause is gone, the sync works and moves what waited: the
# local's new company up, the master's down.
expect_ok anna sync
expect_out_contains "companies             1        1"
expect_ok anna sync --verify
expect_out_contains "0 difference(s)"

finish
