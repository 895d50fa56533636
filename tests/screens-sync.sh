#!/bin/sh
# The sync screen (S) and the conflict log (C), driven through tmux: a first
# sync (the bulk load) from the screen, a preview that changes nothing, a
# sync with changes on both sides and a conflict, the figures crm sync
# prints, an unreachable master and a busy one, S refused on a master, and
# a lost value restored from the conflict log.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/tmux.sh"

# Paths show on the screens: short, under /tmp (tm_cleanup removes it).
S=$(mktemp -d /tmp/crm-ssy.XXXXXX) || fail "cannot make a directory under /tmp"
TM_EXTRA=$S

M=$S/m
L=$S/l
CRM_PASSWORD=secret "$CRM" init --master "$M" --admin root --admin-id ROOT1 \
    --name "Büro CRM" >/dev/null || fail "cannot create the master"
add_user "$M" anna ANNA1 Anna-Pass-77 --type user --name "Anna Plain"
ACME=$(root "$M" add company name="Acme GmbH" phone=100 city=Hamburg \
    account_manager=ANNA1) || fail "cannot add a company"
root "$M" add contact company="$ACME" first_name=Bea last_name=Keller \
    >/dev/null || fail "cannot add a contact"
CRM_PASSWORD=Anna-Pass-77 "$CRM" -u anna init --local "$L" --master "$M" \
    >/dev/null || fail "cannot create the local"

anna() {
	CRM_PASSWORD=Anna-Pass-77 "$CRM" -d "$L" -u anna "$@"
}

STATUS_LINE='^ [^│]+ │ LOCAL │ anna \(ANNA1\) │'
start_local() {
	tm_start "$1" "${2:-100}" "${3:-30}" CRM_PASSWORD=Anna-Pass-77 -- -d "$L"
	tm_wait "$1" '@0=^ ?1 Companies' "@-2=$STATUS_LINE"
}

# --- the first sync: the bulk load, from the screen --------------------------------
start_local s
tm_wait s '@-2= │ never synced$' '@3=^  Nothing here yet'
tm_keys s S
tm_wait s '@0=^ Synchronize with the master' "Its master: +$M\$" \
    '0 changes here wait to go up\.' 'Never synchronized: the first sync' \
    'Enter or y synchronizes; p previews' \
    '@-1=Enter y sync  p preview  r retry  c conflicts  q Esc back'
# The question is wrapped, not cut: what q does is at its end.
tm_wait s 'changing nothing; q goes$' '^ back\.$' '!…'
tm_keys s Enter
tm_wait s '@0=^ Synchronized with the master' '^File +Uploaded +Downloaded' \
    '^companies +0 +1 +0 ' '^contacts +0 +1 ' '^total +0 +[0-9]+ ' \
    'A first sync: the master.s records were loaded in bulk\.' \
    '@-1=^Synchronized in [0-9.]+ s\.$'
# The session goes on in the new files: the status line, then the list.
tm_keys s q
tm_wait s '@0=^ 1 Companies' '@3=^Acme GmbH +Hamburg' \
    '@-2= │ 0 changes to sync │ last sync [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$'
expect_ok anna get company "$ACME"
expect_eq "$(field phone)" 100

# --- changes on both sides, one field changed on both ---------------------------------
# The local's change first: the master's, later, wins the field (S7).
anna set company "$ACME" phone=111 >/dev/null || fail "cannot set on the local"
anna add company name="Lokal AG" account_manager=ANNA1 >/dev/null ||
    fail "cannot add on the local"
root "$M" set company "$ACME" phone=222 >/dev/null || fail "cannot set on the master"
root "$M" add company name="Zentrale KG" account_manager=ANNA1 >/dev/null ||
    fail "cannot add on the master"
# What crm sync would say, for the screen to say the same.
expect_ok anna sync --dry-run
DRY_TOTAL=$(printf '%s\n' "$OUT" | awk '$1 == "total" { $1 = ""; print }' |
    sed 's/^ //; s/ \{1,\}/ +/g')
expect_eq "$DRY_TOTAL" "1 +1 +0 +0 +1 +0 +0 +0 +0 +0 +0"
tm_keys s C-l
tm_wait s '@-2= │ 2 changes to sync │ last sync '

# --- a preview first, changing nothing -------------------------------------------
tm_keys s S
tm_wait s '@0=^ Synchronize with the master' '2 changes here wait to go up\.' \
    'Last synchronized [0-9]{4}-'
tm_keys s p
tm_wait s '@0=^ Preview: what a sync would do' "^total +$DRY_TOTAL\$" \
    '^companies +1 +1 +0 +0 +1 ' \
    'Overwritten and refused values are in the conflict log: c shows it' \
    'Preview: nothing was changed\. Enter or y synchronizes now\.' \
    '@-1=^Preview done: nothing was changed\.$' \
    '@-2= │ 2 changes to sync │'
expect_ok root "$M" list company --fields name
expect_out_lacks "Lokal AG"
expect_ok anna get company "$ACME"
expect_eq "$(field phone)" 111
expect_ok anna conflicts
expect_eq "$(rows)" 0

# --- then the sync itself, from the preview ------------------------------------
tm_keys s y
tm_wait s '@0=^ Synchronized with the master' "^total +$DRY_TOTAL\$" \
    'Overwritten and refused values are in the conflict log' \
    '!Preview: nothing' '@-2= │ 0 changes to sync │ last sync '
expect_ok root "$M" list company --fields name
expect_out_contains "Lokal AG"
expect_ok anna get company "$ACME"
expect_eq "$(field phone)" 222
# Back on the main screen, the list has what came down.
tm_keys s q
tm_wait s '@0=^ 1 Companies' '@3=^Acme GmbH' '@4=^Lokal AG' '@5=^Zentrale KG' \
    '@-2= │ 0 changes to sync │'

# --- the conflict log: both values, restore in one key ---------------------------
tm_keys s C
tm_wait s '@0=^ Conflict log: values a sync or a save overwrote, newest first' \
    '@1=^When +Record +Field +Kept +Lost +Who +Restored' \
    '@2=^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} +Company Acme GmbH +phone +222 +111 +ANNA1 *$' \
    '^ Company Acme GmbH, phone: the newer change on the master won$' \
    '^ Kept: 222$' '^ Lost: 111$' 'not restored: r puts it back'
tm_keys s Enter
tm_wait s '@0=^ Conflict log: one entry' '^ Record: +Company Acme GmbH$' \
    '^ Field: +phone$' '^ Kept: +222$' '^ Lost: +111$' \
    '^ Lost by: +ANNA1, at [0-9]{4}-' \
    '^ Why: +the newer change on the master won$' '^ Restored: +no'
tm_keys s q
tm_wait s '@0=^ Conflict log: values'
tm_keys s r
tm_wait s '@-1=^Restored phone of Company Acme GmbH to "111": the next sync carries it\.$' \
    '@2=Company Acme GmbH +phone +222 +111 +ANNA1 +restored$' \
    '@-2= │ 1 change to sync │'
expect_ok anna get company "$ACME"
expect_eq "$(field phone)" 111
tm_keys s r
tm_wait s '@-1=^Already restored: phone of Company Acme GmbH was put back to "111"\.$'
expect_ok anna get company "$ACME"
expect_eq "$(field phone)" 111
tm_keys s Enter
tm_wait s '^ Restored: +yes'
tm_keys s q q
tm_wait s '@0=^ 1 Companies'

# --- the master moved away: said, and r tries again ------------------------------
mv "$M" "$M.away" || fail "cannot move the master away"
tm_keys s S Enter
tm_wait s '@0=^ The master cannot be reached' "^ Master: $M\$" \
    'check that it is[[:space:]]+mounted' ' r tries again; q goes back\.'
[ -e "$M" ] && fail "the screen made a master where there was none"
# An empty mount point, the share not mounted: the same screen.
mkdir "$M" || fail "cannot make an empty master directory"
tm_keys s r
tm_wait s '@0=^ The master cannot be reached' "^ Master: $M\$" \
    'directory is[[:space:]]+empty' ' r tries again; q goes back\.'
rmdir "$M" || fail "the screen wrote into the empty master directory"
mv "$M.away" "$M" || fail "cannot move the master back"
tm_keys s r
tm_wait s '@0=^ Synchronized with the master' '^companies +1 +0 ' \
    '@-2= │ 0 changes to sync │'
expect_ok root "$M" get company "$ACME"
expect_eq "$(field phone)" 111
tm_keys s q
tm_wait s '@0=^ 1 Companies'

# --- a master held by another process: said, and tried again each second ----------
if python3 -c 'import fcntl' >/dev/null 2>&1; then
	rm -f "$T/held" "$T/release"
	python3 -c '
import fcntl, os, sys, time
f = open(sys.argv[1], "a+")
fcntl.lockf(f, fcntl.LOCK_EX)
f.truncate(0)
f.write("someone on host (pid 1) since 2026-11-25 10:00\n")
f.flush()
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
f.truncate(0)
' "$M/lock" "$T/held" "$T/release" &
	HOLDER=$!
	TM_PIDS="$TM_PIDS $HOLDER"
	_i=0
	while [ ! -e "$T/held" ]; do
		_i=$((_i + 1))
		[ "$_i" -lt 200 ] || fail "the lock holder did not start"
		sleep 0.05
	done
	root "$M" add company name="Während KG" account_manager=ANNA1 \
	    >/dev/null 2>&1 && fail "the master was not held"
	tm_keys s S Enter
	tm_wait s '@0=^ The master is in use' \
	    '^ In use by someone on host \(pid 1\) since 2026-11-25 10:00\.$' \
	    'Trying again every second \([0-9]+ tr(y|ies) so far\)'
	# It tries again by itself: the count goes up.
	tm_wait s 'Trying again every second \(([2-9]|[0-9]{2,}) tries so far\)'
	touch "$T/release"
	wait "$HOLDER" || fail "the lock holder failed"
	tm_wait s '@0=^ Synchronized with the master' '^total +0 +0 ' \
	    '@-2= │ 0 changes to sync │'
	tm_keys s q
	tm_wait s '@0=^ 1 Companies'
else
	echo "screens-sync.sh: no python3 with fcntl: a busy master is not tested"
fi

# --- a long name cut in the conflict log stays apart from the field ----------------
ALPINE=$(root "$M" add company name="Alpine Medical Supplies Hamburg" \
    phone=300 account_manager=ANNA1) || fail "cannot add a company"
tm_keys s S Enter
tm_wait s '@0=^ Synchronized with the master' '^companies +0 +1 ' \
    '@-2= │ 0 changes to sync │'
anna set company "$ALPINE" phone=301 >/dev/null || fail "cannot set on the local"
root "$M" set company "$ALPINE" phone=302 >/dev/null ||
    fail "cannot set on the master"
tm_keys s q S Enter
tm_wait s '@0=^ Synchronized with the master' '^companies +0 +0 +0 +0 +1 '
tm_keys s q C
tm_wait s '@0=^ Conflict log: values' \
    '@2=^[0-9 :-]{16} +Company Alpine [^ ]*…  +phone  +302  +301  +ANNA1 *$' \
    '^ Company Alpine Medical Supplies Hamburg, phone: '
tm resize-window -t s -x 80 -y 24
tm_wait s '@1=^When +Record +Field +Kept +Lost +Who +Restored *$' \
    '@2=^[0-9 :-]{16} +Company [^ ]*…  +phone  +302  +301  +ANNA1 *$'
# At 80 columns the status line says it short rather than cut the time.
tm_wait s '@-2= │ anna \(ANNA1\) │ 0 to sync │ synced [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} *$'
tm resize-window -t s -x 100 -y 30
tm_wait s '@2=Company Alpine [^ ]*…  +phone  '
tm_keys s q
tm_wait s '@0=^ 1 Companies'

# --- at 80x24 the summary still shows every figure ---------------------------------
tm_keys s q y
expect_eq "$(tm_exit s)" 0
tm_kill s
anna set company "$ACME" city=Bremen >/dev/null || fail "cannot set on the local"
start_local small 80 24
tm_keys small S
tm_wait small '@0=^ Synchronize with the master' '1 change here waits to go up\.' \
    '^ Synchronize now\? Enter or y synchronizes; p previews' \
    '^ changing nothing; q goes back\.$' '!…'
tm_keys small y
tm_wait small '@0=^ Synchronized with the master' \
    '^File +Up +Down +Merged +Won +Lost +Del +RefDel +Refused +Removed +Files$' \
    '^companies +1 +0 +0 +0 +0 +0 +0 +0 +0 +0$' '^total +1 +0 ' \
    '^RefDel: deletions not yours to make, undone'
tm_keys small q q y
expect_eq "$(tm_exit small)" 0
tm_kill small

# --- the sync service from the screen: ssh runs in BatchMode, the session's
# password goes to the master, which checks it (RULES.md T1, T8) -----------
use_service
LS=$S/ls
CRM_PASSWORD=Anna-Pass-77 "$CRM" -u anna init --local "$LS" --master "$(via "$M")" \
    >/dev/null || fail "cannot create a local through the service"
: >"$S/ssh.log"
tm_start svc 100 30 CRM_PASSWORD=Anna-Pass-77 SSH_PIPE_LOG="$S/ssh.log" -- -d "$LS"
tm_wait svc '@0=^ ?1 Companies' '@-2= │ never synced$'
tm_keys svc S
tm_wait svc '@0=^ Synchronize with the master' "Its master: +testhost:$M\$"
tm_keys svc Enter
tm_wait svc '@0=^ Synchronized with the master' '^companies +0 +[1-9][0-9]* ' \
    '@-1=^Synchronized in [0-9.]+ s\.$'
grep -q "'serve' '$M'" "$S/ssh.log" || fail "the screen's sync did not run crm serve: $(cat "$S/ssh.log")"
tm_keys svc q
tm_wait svc '@3=^Acme GmbH '
# The master moved away: the screen says what the service said.
mv "$M" "$M.away" || fail "cannot move the master away"
tm_keys svc S Enter
tm_wait svc '@0=^ The master cannot be reached' "^ Master: testhost:$M\$" \
    "cannot reach the master $M"
mv "$M.away" "$M" || fail "cannot put the master back"
tm_keys svc r
tm_wait svc '@0=^ Synchronized with the master'
# The settings screen takes a master through the service, as init did,
# after asking it: the same master by its ssh:// name is saved; a path
# where the service finds no master is refused and changes nothing.
tm_keys svc q O
tm_wait svc '@0=^ Settings *$' "^  Master +testhost:$M\$"
cp "$LS/crm.conf" "$S/ls.conf"
tm_keys svc e C-u
tm_type svc "testhost:$S/nothing"
tm_keys svc F2
tm_wait svc "@-2=^cannot reach the master $S/nothing: "
cmp -s "$S/ls.conf" "$LS/crm.conf" || fail "a refused master location changed crm.conf"
tm_keys svc C-u
tm_type svc "ssh://testhost$M"
tm_keys svc F2
tm_wait svc "@-1=^saved: the master is ssh://testhost$M\$" '@0=^ Settings *$'
expect_ok as anna Anna-Pass-77 "$LS" config get db.master
expect_eq "$OUT" "ssh://testhost$M"
tm_keys svc q S Enter
tm_wait svc '@0=^ Synchronized with the master'
tm_keys svc q q y
expect_eq "$(tm_exit svc)" 0
tm_kill svc

# --- on a master, S is refused with the reason; the help says so -------------------
tm_start master 100 30 CRM_PASSWORD=secret -- -d "$M" -u root
tm_wait master '@0=^ 1 Companies' '@-2=^ Büro CRM │ MASTER │ root'
tm_keys master S
tm_wait master '@-1=^Büro CRM is the master: sync runs on a local, against its master, never on the master itself$' \
    '@0=^ 1 Companies'
tm_keys master '?'
tm_wait master '@0=^ Keys: The main screen'
tm_keys master NPage
tm_wait master '@0=^ Keys: The main screen' \
    '^  S +synchronize with the master: not on a master: a master is synchronized with$'
tm_keys master q q y
expect_eq "$(tm_exit master)" 0
tm_kill master

finish
