#!/bin/sh
# A day at the keyboard in the screens, at 80x24: search that finds (any
# word, accents, n and N, a fresh / with the last one on Up), long text
# read and written (wrapped, r, $PAGER, Enter, $EDITOR), links that agree
# (the contact picker, a contact bringing its company), duplicates asked
# about, keys as users of abook, calcurse and mutt expect them (Tab and F2
# in pickers, F3, q, delete, Ctrl-Z, an unknown escape sequence), one
# attach for the first screen, undo and undelete, panes by date, names
# whole at 80 columns.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/tmux.sh"

S=$(mktemp -d /tmp/crm-day.XXXXXX) || fail "cannot make a directory under /tmp"
TM_EXTRA=$S
M=$S/m
make_master "$M"
add() {
	root "$M" add "$@" || fail "cannot add $*"
}
LODZ=$(add company name="Łódź Handel 05" city=Łódź)
CAFE=$(add company name="Zoë Café" city=Zürich)
ACME=$(add company name="Acme GmbH" city=Hamburg)
add company name="Eve Systems" >/dev/null
add contact first_name=Zoë last_name=Ångström company="$CAFE" >/dev/null
add contact first_name=Eve last_name=Lee01 company="$ACME" >/dev/null
BEA=$(add contact first_name=Bea last_name=Keller company="$ACME")
add contact first_name=Jan last_name=Kowal company="$LODZ" >/dev/null
# A note of six lines, and two older ones made after it: panes by date.
LONG=$(printf 'line one of the call\nline two\nline three\nline four\nline five\nline six, the last')
add note subject="Long call" company="$ACME" contact="$BEA" date=2026-11-20 \
    text="$LONG" >/dev/null
add note subject="Oldest" company="$ACME" date=2026-01-05 >/dev/null
add note subject="Middle" company="$ACME" date=2026-06-15 >/dev/null

# A screen started as: start NAME [ENV=VALUE...]
start_env() {
	_n=$1
	shift
	tm_start "$_n" 80 24 CRM_PASSWORD=secret "$@" -- -d "$M" -u root
	tm_wait "$_n" '@1=^ Companies, by name A-Z$'
}

# --- 1. search: any word, accents or none, n and N, a fresh / ------------------------
start_env s
# Typed without its accents, Zoë Café is found, and Łódź by "lodz".
tm_keys s /
tm_type s zoe
tm_wait s '@1=^ Search: zoe$' '@3=^Zoë Café ' '@4=^$'
tm_keys s Escape
tm_keys s /
tm_type s lodz
tm_wait s '@3=^Łódź Handel 05 ' '@4=^$'
# Any word of the name: "handel" is its second.
tm_keys s C-u
tm_type s handel
tm_wait s '@1=^ Search: handel$' '@3=^Łódź Handel 05 ' '@4=^$'
tm_keys s Escape
# At 80 columns a company's name is whole down to 16 columns (the
# account manager's column goes first).
tm_keys s 2
tm_wait s '@2=^Last name +First name +Company +Phone +Email *$' \
    '^Kowal +Jan +Łódź Handel 05( |$)'
# A contact by first name, by company.
tm_keys s /
tm_type s eve
tm_wait s '@1=^ Search: eve$' '@3=^Lee01 +Eve ' '@4=^$'
tm_keys s C-u
tm_type s acme
tm_wait s '@3=^Keller +Bea ' '@4=^Lee01 +Eve ' '@5=^$'
# Enter keeps it; n and N go to the next and previous match, and round.
tm_keys s Enter
tm_wait s '@1=^ Contacts, by name A-Z, matching "acme"$' \
    '@-1= n N next '
tm_keys s n
tm_wait s '@-1= n N next '
tm_keys s n
tm_wait s '@-1=^search wrapped to the first match$'
tm_keys s N
tm_wait s '@-1=^search wrapped to the last match$'
# / starts afresh: no "acmeeve"; the last search is Up away.
tm_keys s /
tm_wait s '@1=^ Search \(↑ the last one\): *$' '^Kowal +Jan '
tm_type s eve
tm_wait s '@1=^ Search: eve$' '@3=^Lee01 +Eve ' '@4=^$'
tm_keys s C-u Up
tm_wait s '@1=^ Search: acme$' '@3=^Keller +Bea '
tm_keys s Escape
tm_keys s q y
expect_eq "$(tm_exit s)" 0

# --- 6. one attach for the first screen, none again within a burst of keys ----------
start_env k CRM_KEYLOG="$T/keys.log"
tm_keys k 2 3 1
tm_wait k '@1=^ Companies, by name A-Z$'
# The key log: "first-screen", then one line per key; the fifth field is
# how many times the database was opened since the line before.
first=$(awk -F '\t' '$1 == "first-screen" { print $5 }' "$T/keys.log")
expect_eq "$first" 1
tm_keys k q y
expect_eq "$(tm_exit k)" 0

# --- 2. long text: wrapped, read in full, in $PAGER; written with Enter, $EDITOR ------
start_env l
tm_keys l 3 /
tm_type l long
tm_keys l Enter Enter
tm_wait l '@0=^ Note: Long call' '^ Text +line one of the call$' \
    '^ +line two$' '^ +line three$' \
    '^ +line four … \(2 more lines: r\)$'
tm_keys l r
tm_wait l '@0=^ Note: Long call, Text' '@1=^ line one of the call$' \
    '@6=^ line six, the last$'
# o hands it to $PAGER (here a script that keeps a copy).
cat >"$T/pager" <<EOF
#!/bin/sh
cp "\$1" "$T/paged"
EOF
chmod +x "$T/pager"
tm_keys l q q q y
expect_eq "$(tm_exit l)" 0
tm_kill l
start_env p PAGER="$T/pager"
tm_keys p 3 /
tm_type p long
tm_keys p Enter Enter r
tm_wait p '@0=^ Note: Long call, Text'
tm_keys p o
tm_wait p '@0=^ Note: Long call, Text'
_i=0
while [ ! -s "$T/paged" ] && [ "$_i" -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
expect_eq "$(cat "$T/paged")" "$LONG"
tm_keys p q q Escape
# Writing: Enter adds a line in a text field; Tab goes on.
tm_wait p '@1=^ Notes, by name A-Z$'
tm_keys p n
tm_wait p '@0=^ New note *$'
tm_keys p Tab Tab
tm_type p "Typed note"
tm_keys p Tab Tab
tm_type p "first line"
tm_keys p Enter
tm_type p "second line"
tm_wait p '^ Text +first line$' '^ +second line$'
tm_keys p F2
tm_wait p '@0=^ Note: Typed note' '^ Text +first line$' '^ +second line$'
OUT=$(root "$M" list note --where "subject=Typed note" --fields text)
expect_eq "$OUT" "$(printf 'text\nfirst line\\nsecond line')"
tm_keys p q q y
expect_eq "$(tm_exit p)" 0
# F5 edits the field in $EDITOR (a script writing two lines here).
cat >"$T/editor" <<'EOF'
#!/bin/sh
printf 'from the editor\nand its second line\n' >"$1"
EOF
chmod +x "$T/editor"
start_env e EDITOR="$T/editor"
tm_keys e 3 n
tm_wait e '@0=^ New note *$'
tm_keys e Tab Tab
tm_type e "Edited note"
tm_keys e Tab Tab F5
tm_wait e '^ Text +from the editor$' '^ +and its second line$' \
    '@-1=^Text: the text from the editor$'
tm_keys e F2
tm_wait e '@0=^ Note: Edited note'
# The form's help lists the editing keys.
tm_keys e e F1
tm_wait e '@0=^ Keys: Editing a record' '^  \^W +delete the word before' \
    '^  \^U \^K +delete to the start, to the end' '^  F5 \^X +edit the field in'
tm_keys e q Escape
tm_wait e '@0=^ Note: Edited note'
tm_keys e q
tm_wait e '@1=^ Notes, '
tm_keys e q y
expect_eq "$(tm_exit e)" 0

# --- 3. links stay true: the contact picker keeps to the company; a contact
# picked first brings its company ---------------------------------------------------
start_env n
tm_keys n 3 n
tm_wait n '@0=^ New note *$'
tm_type n acm
tm_wait n '@0=^ Choose a company' '@3=^Acme GmbH '
tm_keys n Enter
tm_wait n '@2=^ Company +Acme GmbH$'
tm_type n k
tm_wait n '@0=^ Choose a contact of Acme GmbH' '@3=^Keller +Bea ' '@4=^$'
tm_keys n Escape
# Emptied, and a contact picked first: its company comes along.
tm_keys n BTab BSpace Tab
tm_type n kow
tm_wait n '@0=^ Choose a contact: ' '@3=^Kowal +Jan '
# Tab chooses and goes on (not typed into the search).
tm_keys n Tab
tm_wait n '@2=^ Company +Łódź Handel 05$' '@3=^ Contact +Jan Kowal$'
tm_type n "Call Jan"
# F2 from a picker chooses and saves.
tm_keys n BTab
tm_type n kow
tm_wait n '@0=^ Choose a contact'
tm_keys n F2
tm_wait n '@0=^ Note: Call Jan' '^ Company +Łódź Handel 05$' '^ Contact +Jan Kowal$'
tm_keys n q q y
expect_eq "$(tm_exit n)" 0

# --- 4 and 5. duplicates asked about; F3 keeps the company; delete says why first ----
start_env d
tm_keys d n
tm_type d "ACME GMBH"
tm_keys d F2
tm_wait d '@-1=^Company "ACME GMBH" \(Hamburg\) is here already: save this one too\? \(y/n\)'
tm_keys d n
tm_wait d '@-1=^not saved: the company is here already' '@0=^ New company'
tm_keys d Escape y
# Delete: refused with the reason, by name, before any question.
tm_wait d '@1=^ Companies, '
tm_keys d /
tm_type d acme
tm_keys d Enter d
tm_wait d '^company "Acme GmbH" still has 2 contacts: delete or move them first' \
    '!\(y/n\)'
tm_keys d Escape
# F3 on the Contacts tab keeps the company the first was given.
tm_keys d 2 n
tm_type d acm
tm_wait d '@0=^ Choose a company' '@3=^Acme GmbH '
tm_keys d Enter
tm_wait d '@3=^ First name'
tm_type d Carl
tm_keys d F3
tm_wait d '@0=^ New contact \(1 saved with F3\)' '@2=^ Company +Acme GmbH$'
tm_keys d Escape
# q asks before quitting; n stays.
tm_keys d q
tm_wait d '@-1=^Quit crm\? \(y/n\)'
tm_keys d n
tm_wait d '@1=^ Contacts, '
tm_keys d q y
expect_eq "$(tm_exit d)" 0
# With ui.confirm_quit false, q quits at once.
mkdir -p "$XDG_CONFIG_HOME/crm"
printf 'ui = { confirm_quit = false; };\n' >"$XDG_CONFIG_HOME/crm/crm.conf"
start_env dq
tm_keys dq q
expect_eq "$(tm_exit dq)" 0
rm -f "$XDG_CONFIG_HOME/crm/crm.conf"

# --- 5. Ctrl-Z suspends and fg resumes; an unknown escape sequence is swallowed -------
start_env z
tm_keys z n
tm_wait z '@0=^ New company *$'
tm_type z "Typed"
tm_keys z Home
# End as ESC [ 4 ~ (a terminal whose terminfo says another End): the
# cursor goes to the end, and neither "4" nor "~" lands in the name.
tm send-keys -t z -H 1b 5b 34 7e || fail "cannot send an escape sequence"
tm_type z "X"
tm_wait z '@2=^ Name \* +TypedX$'
tm send-keys -t z -H 1b 5b 39 39 7e || fail "cannot send an escape sequence"
tm_type z "Y"
tm_wait z '@2=^ Name \* +TypedXY$'
tm_keys z Escape y q y
expect_eq "$(tm_exit z)" 0
# Ctrl-Z in a shell with job control: the shell is back ("Stopped"), and
# fg brings crm back as it was; "fg" never reaches a field.
if command -v bash >/dev/null 2>&1; then
	tm new-session -d -s j -x 80 -y 24 \
	    "env -i HOME='$T' PATH='$PATH' TERM='$TM_TERM' LANG=C.UTF-8 \
	    XDG_CONFIG_HOME='$XDG_CONFIG_HOME' XDG_DATA_HOME='$XDG_DATA_HOME' \
	    CRM_SYSCONF='$CRM_SYSCONF' PS1='shell$ ' bash --norc --noprofile -i" ||
	    fail "tmux cannot start a shell"
	tm_wait j '^shell\$'
	tm_type j "CRM_PASSWORD=secret '$CRM' -d '$M' -u root"
	tm_keys j Enter
	tm_wait j '@1=^ Companies, '
	tm_keys j n
	tm_type j "Kept"
	tm_wait j '@2=^ Name \* +Kept$'
	tm_keys j C-z
	tm_wait j 'Stopped' '^shell\$'
	tm_type j fg
	tm_keys j Enter
	tm_wait j '@0=^ New company' '@2=^ Name \* +Kept$'
	tm_keys j Escape y
	tm_wait j '@1=^ Companies, '
	tm_keys j q y
	tm_wait j '^shell\$ *$'
	tm_kill j
fi

# --- 7. undo, deleted records brought back, panes by date, 80 columns ----------------
start_env u
tm_keys u /
tm_type u "eve sys"
tm_keys u Enter d
tm_wait u '@-1=^Delete company "Eve Systems"\? \(y/n\)'
tm_keys u y
tm_wait u '@-1=^deleted company "Eve Systems" \(u brings it back\)$'
tm_keys u u
tm_wait u '@-1=^undone: the deletion of company "Eve Systems"$' '@3=^Eve Systems '
# An edit undone: the city as it was.
tm_keys u e Tab Tab Tab Tab Tab Tab
tm_wait u '@8=^ City'
tm_type u Bonn
tm_keys u F2
tm_wait u '@-1=^saved company$'
OUT=$(root "$M" list company --search "eve sys" --fields city)
expect_eq "$OUT" "$(printf 'city\nBonn')"
tm_keys u u
tm_wait u '@-1=^undone: the change to company "Eve Systems"$'
OUT=$(root "$M" list company --search "eve sys" --fields city)
expect_eq "$OUT" "$(printf 'city\n')"
# D: the deleted records; Enter brings one back.
TEMP=$(add company name="Temp Co")
root "$M" delete company "$TEMP" || fail "cannot delete Temp Co"
tm_keys u Escape D
tm_wait u '@0=^ Deleted records' '@1=^Type +Name +Deleted +By' \
    '@2=^Company +Temp Co +[0-9-]+ [0-9:]+ +ROOT1'
tm_keys u Enter
tm_wait u '@-1=^company "Temp Co" is back$'
expect_ok root "$M" get company "$TEMP"
# Acme's record: its notes newest first, whatever order they were made in.
tm_keys u q
tm_wait u '@1=^ Companies, '
tm_keys u /
tm_type u acme
tm_keys u Enter Enter
tm_wait u '@0=^ Company: Acme GmbH' \
    '^ Contacts [0-9]+  Notes [0-9]+  Events 0  Tasks 0  Opps 0  Issues 0  Targets 0  Docs 0 *$'
tm_keys u Tab Tab
tm_wait u '^2026-11-20 +Long call' '^2026-06-15 +Middle' '^2026-01-05 +Oldest'
tm_capture u
grep -n 'Long call\|Middle\|Oldest' "$TM_PANE" | cut -d: -f1 | tr '\n' ' ' >"$T/order"
set -- $(cat "$T/order")
[ "$1" -lt "$2" ] && [ "$2" -lt "$3" ] || fail "the notes are not newest first: $(cat "$T/order")"
tm_keys u q q y
expect_eq "$(tm_exit u)" 0

finish
