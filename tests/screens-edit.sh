#!/bin/sh
# Nothing a form holds is lost by accident: two
# people editing one record in two screens, on a master and on a local (a
# field both changed is asked about, the value that loses goes to the
# conflict log; fields only one changed merge; a record deleted meanwhile
# can be saved as new); Ctrl-C in a form with changes asks; SIGHUP and
# SIGTERM keep the form as a draft of its user's, offered at the next
# start. Every screen is 80x24.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/tmux.sh"

S=$(mktemp -d /tmp/crm-sed.XXXXXX) || fail "cannot make a directory under /tmp"
TM_EXTRA=$S

M=$S/m
L=$S/l
make_master "$M"
add_user "$M" anna ANNA1 Anna-Pass-77 --type user
ACME=$(root "$M" add company name="Acme GmbH" city=Hamburg \
    phone="+49 40 1111" account_manager=ANNA1) ||
    fail "cannot add a company"

# The crm a session runs (a child, or a grandchild, of the pane's shell).
crm_pid() {
	_pp=$(tm_format "$1" '#{pane_pid}')
	for _p in $_pp $(ps -o pid= --ppid "$_pp"); do
		_c=$(ps -o pid=,comm= --ppid "$_p" | awk '$2 == "crm" { print $1 }')
		if [ -n "$_c" ]; then
			echo "$_c"
			return 0
		fi
	done
	fail "no crm runs in the session $1"
}

start_root() {
	tm_start "$1" 80 24 CRM_PASSWORD=secret -- -d "$M" -u root
	tm_wait "$1" '@0=^ ?1 Companies' '@-2= │ MASTER │ root \(ROOT1\)'
}

# A screen holds the master through a burst of keys and lets it go when
# idle; another screen's key meanwhile says the master is in use. A
# command waits for it: once it has run, no screen holds the master.
idle() {
	root "$M" get company "$ACME" >/dev/null || fail "cannot read Acme"
}

# The company Acme's value of a field, as crm get says it.
acme() {
	root "$M" get company "$ACME" | sed -n "s/^$1=//p"
}

# --- 5. two screens on one master: the same field changed in both ------------------
start_root a
start_root b
idle
tm_keys a e
tm_wait a '@0=^ Edit company' '^ Phone +\+49 40 1111$'
# B changes the phone and the city and saves first.
idle
tm_keys b e
tm_wait b '@0=^ Edit company'
tm_keys b Tab C-u
tm_type b "+49 40 2222"
tm_keys b Tab Tab Tab Tab Tab C-u
tm_type b Bremen
tm_keys b F2
tm_wait b '@-1=^saved company$'
idle
expect_eq "$(acme phone)" "+49 40 2222"
# A, on the form as it opened, changes the phone and the email.
tm_keys a Tab C-u
tm_type a "+49 40 3333"
tm_keys a Tab
tm_type a info@acme.example
tm_keys a F2
tm_wait a 'Phone: changed by someone else too \(1 of 1\)' \
    'ROOT1 saved it at [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}, while you edited it\.' \
    'When you opened it: \+49 40 1111' 'Yours: +\+49 40 3333' \
    'Theirs: +\+49 40 2222' 'The value not kept goes to the conflict log' \
    'm keep mine +t take theirs +Esc back to the form, not saved'
# Esc: back to the form, nothing saved, the changes still there.
tm_keys a Escape
tm_wait a '@0=^ Edit company' '^ Phone +\+49 40 3333$' \
    '@-1=^not saved: your changes are still here; F2 asks again$' \
    '!changed by someone else'
expect_eq "$(acme phone)" "+49 40 2222"
# F2 asks again; m keeps A's phone.
tm_keys a F2
tm_wait a 'Phone: changed by someone else too \(1 of 1\)'
tm_keys a m
tm_wait a '@-1=^saved company$' '!changed by someone else'
expect_eq "$(acme phone)" "+49 40 3333"
# The fields only one of them changed: both kept.
expect_eq "$(acme city)" "Bremen"
expect_eq "$(acme email)" "info@acme.example"
# The phone that lost is in the conflict log, as a sync's would be.
expect_ok root "$M" conflicts
expect_out_contains "$(printf 'phone\t+49 40 3333\t+49 40 2222\tROOT1\t')"
expect_out_contains "edited in two places at once: ROOT1 kept their own value"
# And the conflict log's screen shows it.
tm_keys a C
tm_wait a '@0=^ Conflict log' '^ Kept: \+49 40 3333$' '^ Lost: \+49 40 2222$'
tm_keys a q

# Two fields both changed: asked one by one. t takes theirs (the stored
# value stays, A's goes to the log), m keeps A's.
tm_keys a e
tm_wait a '@0=^ Edit company' '^ Phone +\+49 40 3333$'
idle
tm_keys b e
tm_wait b '@0=^ Edit company' '^ Phone +\+49 40 3333$'
tm_keys b Tab C-u
tm_type b "+49 40 5555"
tm_keys b Tab C-u
tm_type b b@acme.example
tm_keys b F2
tm_wait b '@-1=^saved company$'
idle
tm_keys a Tab C-u
tm_type a "+49 40 6666"
tm_keys a Tab C-u
tm_type a a@acme.example
tm_keys a F2
tm_wait a 'Phone: changed by someone else too \(1 of 2\)' \
    'Theirs: +\+49 40 5555' 'Yours: +\+49 40 6666'
tm_keys a t
tm_wait a 'Email: changed by someone else too \(2 of 2\)' \
    'When you opened it: info@acme\.example' 'Theirs: +b@acme\.example' \
    'Yours: +a@acme\.example'
tm_keys a m
tm_wait a '@-1=^saved company$'
expect_eq "$(acme phone)" "+49 40 5555"
expect_eq "$(acme email)" "a@acme.example"
expect_ok root "$M" conflicts
expect_out_contains "$(printf 'phone\t+49 40 5555\t+49 40 6666\tROOT1\t')"
expect_out_contains "ROOT1 took the other value"
expect_out_contains "$(printf 'email\ta@acme.example\tb@acme.example\tROOT1\t')"

# A field changed to the same value in both: nothing to ask.
tm_keys a e
tm_wait a '@0=^ Edit company'
idle
tm_keys b e
tm_wait b '@0=^ Edit company'
tm_keys b Tab C-u
tm_type b "+49 40 7777"
tm_keys b F2
tm_wait b '@-1=^saved company$'
idle
tm_keys a Tab C-u
tm_type a "+49 40 7777"
tm_keys a F2
tm_wait a '@-1=^saved company$'
expect_eq "$(acme phone)" "+49 40 7777"

# --- deleted by the other meanwhile: saved as new, or discarded -------------------
BETA=$(root "$M" add company name="Beta AG" city=Kiel) ||
    fail "cannot add a company"
tm_keys a /
tm_type a beta
tm_keys a Enter e
tm_wait a '@0=^ Edit company' '^ Name \* +Beta AG$'
root "$M" delete company "$BETA" || fail "cannot delete Beta AG"
tm_keys a Tab Tab Tab Tab Tab Tab C-u
tm_type a Lübeck
tm_keys a F2
tm_wait a 'The company "Beta AG" was deleted' \
    'ROOT1 deleted it while you edited it\.' \
    'Your changes can be saved as a new one, or discarded\.' \
    's save as new +d discard +Esc back to the form'
tm_keys a s
tm_wait a '@0=^ Company: Beta AG' '@-1=^saved company$'
expect_ok root "$M" list company --search beta --fields name,city
expect_eq "$OUT" "$(printf 'name\tcity\nBeta AG\tLübeck')"
# Discarded: the form goes, nothing is made.
tm_keys a e
tm_wait a '@0=^ Edit company' '^ Name \* +Beta AG$'
root "$M" delete company "$(root "$M" list company --search beta --fields id |
    sed -n 2p)" || fail "cannot delete Beta AG"
tm_keys a Tab C-u
tm_type a 999
tm_keys a F2
tm_wait a 'The company "Beta AG" was deleted'
tm_keys a d
tm_wait a '@-1=^not saved: the company was deleted meanwhile, and your changes were discarded$' \
    '!Edit company'
expect_ok root "$M" list company --search beta --fields name
expect_eq "$OUT" "name"
tm_keys a Escape Escape
tm_kill b

# --- 6. Ctrl-C in a form ----------------------------------------------------------
# With changes: asked; n goes back to the form as it was.
tm_keys a 1 e
tm_wait a '@0=^ Edit company'
tm_keys a Tab C-u
tm_type a "+49 40 8888"
tm_keys a C-c
tm_wait a '@-1=^Your changes in the form are not saved: discard them and quit crm\? \(y/n\)'
tm_keys a n
tm_wait a '@0=^ Edit company' '^ Phone +\+49 40 8888$'
# y: discarded, crm ends as Ctrl-C ends it, nothing saved.
tm_keys a C-c
tm_wait a 'discard them and quit crm\? \(y/n\)'
tm_keys a y
expect_eq "$(tm_exit a)" 0
tm_kill a
expect_eq "$(acme phone)" "+49 40 7777"
# Without changes: ends at once, as before.
start_root a
tm_keys a e
tm_wait a '@0=^ Edit company'
tm_keys a C-c
expect_eq "$(tm_exit a)" 0
tm_kill a

# SIGHUP (a dropped connection) in an edit: the form is kept as a draft.
start_root a
tm_keys a e
tm_wait a '@0=^ Edit company'
tm_keys a Tab C-u
tm_type a "+49 40 9999"
tm_wait a '^ Phone +\+49 40 9999$'
kill -HUP "$(crm_pid a)"
expect_eq "$(tm_exit a)" 1
tm_kill a
expect_eq "$(acme phone)" "+49 40 7777"
# Drafts are their user's: anna, on the same master, is not offered it.
tm_start n 80 24 CRM_PASSWORD=Anna-Pass-77 -- -d "$M" -u anna
tm_wait n '@0=^ ?1 Companies' '@-2= │ MASTER │ anna \(ANNA1\)' '!A form you were'
tm_keys n q y
expect_eq "$(tm_exit n)" 0
tm_kill n
# root is, at the next start; r resumes it and F2 saves it.
tm_start a 80 24 CRM_PASSWORD=secret -- -d "$M" -u root
tm_wait a 'A form you were editing when crm was stopped' \
    'An edit of the company "Acme GmbH", kept [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}\.' \
    'r resume +d discard +Esc later'
tm_keys a r
tm_wait a '@0=^ Edit company' '^ Phone +\+49 40 9999$' '!A form you were'
tm_keys a F2
tm_wait a '@-1=^saved company$'
expect_eq "$(acme phone)" "+49 40 9999"
tm_keys a q y
expect_eq "$(tm_exit a)" 0
tm_kill a
# Saved: not offered again.
start_root a
tm_wait a '!A form you were'
tm_keys a q y
expect_eq "$(tm_exit a)" 0
tm_kill a

# SIGTERM in a new record: kept too; Esc at the offer keeps it for later.
start_root a
tm_keys a n
tm_wait a '@0=^ New company'
tm_type a "Gamma Werke"
tm_wait a '^ Name \* +Gamma Werke$'
kill -TERM "$(crm_pid a)"
expect_eq "$(tm_exit a)" 1
tm_kill a
tm_start a 80 24 CRM_PASSWORD=secret -- -d "$M" -u root
tm_wait a 'A new company "Gamma Werke", kept '
tm_keys a Escape
tm_wait a '@-1=^the form kept when crm was stopped is offered again next time$'
tm_keys a q y
expect_eq "$(tm_exit a)" 0
tm_kill a
tm_start a 80 24 CRM_PASSWORD=secret -- -d "$M" -u root
tm_wait a 'A new company "Gamma Werke", kept '
tm_keys a r
tm_wait a '@0=^ New company' '^ Name \* +Gamma Werke$'
tm_keys a F2
tm_wait a '@0=^ Company: Gamma Werke' '@-1=^saved company$'
expect_ok root "$M" list company --search gamma --fields name
expect_eq "$OUT" "$(printf 'name\nGamma Werke')"
tm_keys a q q y
expect_eq "$(tm_exit a)" 0
tm_kill a
# The terminal itself gone (tmux closes the pane, as sshd does when the
# connection drops): kept too. d discards it: not offered again.
start_root a
tm_keys a e
tm_wait a '@0=^ Edit company'
tm_keys a Tab C-u
tm_type a "+49 40 0000"
tm_wait a '^ Phone +\+49 40 0000$'
PID=$(crm_pid a)
tm_kill a
_tries=200
while kill -0 "$PID" 2>/dev/null; do
	_tries=$((_tries - 1))
	[ "$_tries" -gt 0 ] || fail "crm did not end when its terminal closed"
	sleep 0.05
done
tm_start a 80 24 CRM_PASSWORD=secret -- -d "$M" -u root
tm_wait a 'An edit of the company "Acme GmbH"'
# d asks first: n keeps it.
tm_keys a d
tm_wait a '@-1=^Discard the company kept when crm was stopped, for good\? \(y/n\)'
tm_keys a n
tm_wait a '@-1=^the form kept when crm was stopped is offered again next time$'
tm_keys a q y
expect_eq "$(tm_exit a)" 0
tm_kill a
tm_start a 80 24 CRM_PASSWORD=secret -- -d "$M" -u root
tm_wait a 'An edit of the company "Acme GmbH"'
tm_keys a d
tm_wait a 'Discard the company kept when crm was stopped, for good\?'
tm_keys a y
tm_wait a '@-1=^the form kept when crm was stopped is discarded$'
tm_keys a q y
expect_eq "$(tm_exit a)" 0
tm_kill a
start_root a
tm_wait a '!A form you were'
tm_keys a q y
expect_eq "$(tm_exit a)" 0
tm_kill a
expect_eq "$(acme phone)" "+49 40 9999"

# --- 5. two screens on one local -------------------------------------------------------
CRM_PASSWORD=Anna-Pass-77 "$CRM" -u anna init --local "$L" --master "$M" \
    >/dev/null || fail "cannot create the local"
anna() {
	CRM_PASSWORD=Anna-Pass-77 "$CRM" -d "$L" -u anna "$@"
}
expect_ok anna sync
start_local() {
	tm_start "$1" 80 24 CRM_PASSWORD=Anna-Pass-77 -- -d "$L"
	tm_wait "$1" '@0=^ ?1 Companies' '@-2= │ LOCAL │ anna \(ANNA1\)'
}
start_local a
start_local b
tm_keys a /
tm_type a acme
tm_keys a Enter e
tm_wait a '@0=^ Edit company' '^ Phone +\+49 40 9999$'
tm_keys b /
tm_type b acme
tm_keys b Enter e
tm_wait b '@0=^ Edit company' '^ Phone +\+49 40 9999$'
tm_keys b Tab C-u
tm_type b "+49 40 1212"
tm_keys b F2
tm_wait b '@-1=^saved company$'
idle
tm_keys a Tab C-u
tm_type a "+49 40 3434"
tm_keys a F2
tm_wait a 'Phone: changed by someone else too \(1 of 1\)' \
    'ANNA1 saved it at ' 'Yours: +\+49 40 3434' 'Theirs: +\+49 40 1212'
tm_keys a m
tm_wait a '@-1=^saved company$'
expect_ok anna get company "$ACME"
expect_out_contains "phone=+49 40 3434"
expect_ok anna conflicts
expect_out_contains "$(printf 'phone\t+49 40 3434\t+49 40 1212\tANNA1\t')"
tm_keys a q y
tm_keys b q y
expect_eq "$(tm_exit a)" 0
expect_eq "$(tm_exit b)" 0
# The value kept goes up to the master at the next sync.
expect_ok anna sync
expect_eq "$(acme phone)" "+49 40 3434"

finish
