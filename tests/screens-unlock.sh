#!/bin/sh
# The screens and the session keyring, driven through tmux: an encrypted
# local whose key its user unlocked in this login session (crm unlock, a
# command, or the screens' own login) opens with no password asked, as
# commands do; a password given on purpose is checked all the same; crm
# lock brings the question back. The login screen says that a forgotten
# password means a new local, and so does its wrong-password message. A
# sync from a session opened so asks the password the master checks.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/tmux.sh"

# Paths show on the screens: short, under /tmp (tm_cleanup removes it).
S=$(mktemp -d /tmp/crm-sul.XXXXXX) || fail "cannot make a directory under /tmp"
TM_EXTRA=$S

M=$S/m
L=$S/l
make_master "$M"
add_user "$M" anna ANNA1 Anna-Pass-77 --type user --name "Anna Plain"
ACME=$(root "$M" add company name="Acme GmbH" phone=100 city=Hamburg \
    account_manager=ANNA1) || fail "cannot add a company"
CRM_PASSWORD=Anna-Pass-77 "$CRM" -u anna init --local "$L" --master "$M" \
    >/dev/null || fail "cannot create the local"
[ -f "$L/crm.key" ] || fail "the new local is not encrypted"
CRM_PASSWORD=Anna-Pass-77 expect_ok "$CRM" -d "$L" sync

# Whether this machine keeps keys for a login session at all.
expect_ok "$CRM" -d "$L" lock
CRM_PASSWORD=Anna-Pass-77 expect_ok "$CRM" -d "$L" unlock
run "$CRM" -d "$L" list company
if [ "$STATUS" -ne 0 ]; then
	echo "screens-unlock.sh: no session keyring here: skipped" >&2
	exit 77
fi
expect_ok "$CRM" -d "$L" lock

MAIN='@-2=^ [^│]+ │ LOCAL │ anna \(ANNA1\) │'

# --- locked: the password is asked, and what a forgotten one means ------------
tm_start a 80 24 -- -d "$L"
tm_wait a '^ +Password' 'encrypted with your password, which nobody can recover' \
    'Forgotten it\? Make a new local \(crm init --local, then sync\)' \
    'master holds everything synchronized'
tm_type a wrong-pass
tm_keys a Enter
tm_wait a 'wrong login or password' '^ +Password'
# The whole message, on the last rows or in the help of the status line.
tm_capture a
grep -q 'make a new local' "$TM_PANE" ||
    grep -q 'forgotten password' "$TM_PANE" ||
    fail "the wrong-password message does not say what a forgotten password means: $(cat "$TM_PANE")"
tm_type a Anna-Pass-77
tm_keys a Enter
tm_wait a '@0=^ ?1 Companies' "$MAIN"
tm_keys a q y
tm_wait a 'crm ended: 0'
# The screens' login kept the key: commands ask nothing now.
expect_ok "$CRM" -d "$L" list company
expect_out_contains "Acme GmbH"

# --- unlocked: no password asked ----------------------------------------------
tm_start b 80 24 -- -d "$L"
tm_wait b '@0=^ ?1 Companies' "$MAIN" '!^ +Password'
# A sync needs the password the master checks: asked now, a wrong one
# refused here before the master is reached.
anna() {
	CRM_PASSWORD=Anna-Pass-77 "$CRM" -d "$L" -u anna "$@"
}
root "$M" set company "$ACME" phone=222 >/dev/null || fail "cannot set on the master"
tm_keys b S
tm_wait b '@0=^ Synchronize with the master'
tm_keys b Enter
tm_wait b 'Synchronize: the master checks your password' '^ Password:'
tm_type b nope
tm_keys b Enter
tm_wait b 'wrong login or password' '!Synchronized in'
tm_keys b Enter
tm_wait b 'Synchronize: the master checks your password'
tm_type b Anna-Pass-77
tm_keys b Enter
tm_wait b '^companies +0 +1 ' '@-1=^Synchronized in [0-9.]+ s\.$'
tm_keys b q q y
tm_wait b 'crm ended: 0'
expect_ok anna get company "$ACME"
expect_eq "$(field phone)" 222

# --- a password given on purpose is checked, keyring or not ---------------------
tm_start c 80 24 CRM_PASSWORD=wrong-pass -- -d "$L"
tm_wait c 'wrong login or password' '^ +Password' '!│ LOCAL │'
tm_keys c Escape
tm_wait c 'crm ended:'

# --- crm lock: asked again -----------------------------------------------------
expect_ok "$CRM" -d "$L" lock
tm_start d 80 24 -- -d "$L"
tm_wait d '^ +Password' 'nobody can recover' '!│ LOCAL │'
tm_keys d Escape
tm_wait d 'crm ended:'

finish
