#!/bin/sh
# Export (E) and import (I) on the main screen, driven through tmux:
# the list as shown written as CSV, vCard or iCalendar and read back; a
# CSV with a bad row previewed, cancelled, imported and reported; what
# each row of a file will do (add, update and its fields, unchanged,
# refused) read at 80x24 before the import and after it.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/tmux.sh"

# Paths show on the screens: keep them short, under /tmp.
S=$(mktemp -d /tmp/crm-io.XXXXXX) || fail "cannot make a directory under /tmp"
TM_EXTRA=$S
TM_HOME=$S/home
H=$TM_HOME

M=$S/m
CRM_PASSWORD=secret "$CRM" init --master "$M" --admin root --admin-id ROOT1 \
    >/dev/null || fail "cannot create the master"
add() {
	root "$M" add "$@" || fail "cannot add $*"
}
ACME=$(add company name="Acme GmbH" city=Hamburg)
ZUR=$(add company name="Zürich Ärzte AG")
add contact first_name=Bea last_name=Keller company="$ACME" \
    email=bea@acme.example phone="+49 40 1" >/dev/null
add contact first_name=Jörg last_name=Öztürk company="$ZUR" \
    email=joerg@aerzte.example >/dev/null
add contact first_name=Anna last_name=Berg job_title="Chief; Buyer" \
    description="$(printf 'two\nlines')" >/dev/null
add event subject="Kick-off" start=2026-12-01T10:00 end=2026-12-01T11:00 >/dev/null
add task subject="Call Bea" due=2026-12-02 priority=high >/dev/null

start_root() {
	tm_start "$1" "${2:-100}" "${3:-30}" CRM_PASSWORD=secret -- \
	    -d "$M" -u root
	tm_wait "$1" '@1=^ Companies, by name A-Z$' '^Acme GmbH'
}

# --- export contacts as vCard, read them back into another database ----------
start_root x
tm_keys x 2
tm_wait x '@1=^ Contacts, by name A-Z$' '^Berg +Anna'
tm_keys x E
tm_wait x '@0=^ Export contacts' \
    '^  The list as shown: Contacts, by name A-Z$' \
    '^  File +~/crm-contacts\.csv' '^  Format +\(\*\) CSV +\( \) vCard' \
    '@-1=Enter'
tm_keys x Tab
tm_wait x '^  File +~/crm-contacts\.vcf' '\( \) CSV +\(\*\) vCard'
tm_keys x Enter
# (A long path makes the message take two rows: its parts, anywhere.)
tm_wait x "wrote 3 contacts to $H/crm-contacts\\.vcf" '\(vCard\)' \
    '@1=^ Contacts, by name A-Z$'
expect_eq "$(mode "$H/crm-contacts.vcf")" 600
[ ! -e "$H/crm-contacts.vcf.tmp" ] || fail "a temporary file was left"
grep -q "^VERSION:4.0$(printf '\r')\$" "$H/crm-contacts.vcf" ||
    fail "the export is not vCard 4.0"

O=$S/o
CRM_PASSWORD=secret "$CRM" init --master "$O" --admin root --admin-id ROOT1 \
    >/dev/null || fail "cannot create the second database"
expect_ok root "$O" import contact "$H/crm-contacts.vcf"
expect_out_contains "imported 3 contacts"
expect_ok root "$O" list contact --fields first_name,last_name,job_title,phone,email,description
want=$OUT
expect_ok root "$M" list contact --fields first_name,last_name,job_title,phone,email,description
expect_eq "$want" "$OUT"
expect_ok root "$O" list company --fields name
expect_eq "$OUT" "$(printf 'name\nAcme GmbH\nZürich Ärzte AG')"

# The file is there: replacing it is asked first; no keeps it.
tm_keys x E
tm_wait x '@0=^ Export contacts'
tm_keys x Tab Enter
tm_wait x "crm-contacts\\.vcf exists\\." '\(y/n\)$'
tm_keys x n
tm_wait x "nothing written: $H/crm-contacts\\.vcf" 'is as it was$' \
    '@0=^ Export contacts'
tm_keys x Escape
tm_wait x '@1=^ Contacts, by name A-Z$'

# The list as filtered: a search, then CSV to a name typed over the default.
tm_keys x /
tm_type x ke
tm_keys x Enter
tm_wait x '@1=^ Contacts, by name A-Z, matching "ke"$' '^Keller +Bea'
tm_keys x E
tm_wait x '^  The list as shown: Contacts, by name A-Z, matching "ke"$'
tm_keys x C-u
tm_type x "$S/ke.csv"
tm_keys x Enter
tm_wait x "wrote 1 contact to $S/ke\\.csv" '\(CSV\)'
expect_eq "$(wc -l <"$S/ke.csv" | tr -d ' ')" 2
grep -q ',Bea,Keller,' "$S/ke.csv" || fail "ke.csv lacks Bea Keller"
# A directory that is not there: said, nothing written, the screen stays.
tm_keys x E
tm_keys x C-u
tm_type x "$S/nowhere/x.csv"
tm_keys x Enter
tm_wait x "cannot create $S/nowhere/x\\.csv:" 'No such file' \
    '@0=^ Export contacts'
tm_keys x Escape

# Events offer iCalendar; companies vCard, as organisations' cards.
tm_keys x 4
tm_wait x '@1=^ Calendar, '
tm_keys x E
tm_wait x '@0=^ Export events' '\(\*\) CSV +\( \) iCalendar'
tm_keys x Tab
tm_wait x '^  File +~/crm-events\.ics'
tm_keys x Enter
tm_wait x "wrote 1 event to $H/crm-events\\.ics" '\(iCalendar\)'
grep -q '^SUMMARY:Kick-off' "$H/crm-events.ics" || fail "no VEVENT written"
tm_keys x 1
tm_wait x '@1=^ Companies, '
tm_keys x E
tm_wait x '@0=^ Export companies' '^  Format +\(\*\) CSV +\( \) vCard *$' \
    '!iCalendar'
tm_keys x Tab
tm_wait x '^  File +~/crm-companies\.vcf'
tm_keys x Enter
tm_wait x "wrote 2 companies to $H/crm-companies\\.vcf" '\(vCard\)'
grep -q "^KIND:org$(printf '\r')\$" "$H/crm-companies.vcf" ||
    fail "the companies were not written as organisations' cards"
grep -q "^ORG:Acme GmbH$(printf '\r')\$" "$H/crm-companies.vcf" ||
    fail "no card for Acme GmbH"
# I imports into the tab's type: companies from vCard or CSV.
tm_keys x I
tm_wait x '@0=^ Import companies' '^  A vCard file, or a CSV file' \
    '^  File +~/'
tm_keys x Escape
tm_wait x '@1=^ Companies, '
tm_keys x q y
expect_eq "$(tm_exit x)" 0
tm_kill x

# --- import a CSV with one bad row: preview, cancel, import, report ----------
printf 'first_name,last_name,company,email\r\nIda,Import,Acme GmbH,ida@imp.example\r\nBad,Row,,not-an-email\r\nNele,Neu,Neue Firma KG,nele@neu.example\r\n' >"$S/in.csv"
expect_ok root "$M" list contact --fields id
before=$OUT

start_root i 80 24
tm_keys i 2
tm_wait i '@1=^ Contacts, '
tm_keys i I
# Typing the file's name: Enter previews, Tab completes; no format to pick.
tm_wait i '@0=^ Import contacts' '^  File +~/' '@-1=Enter preview' \
    '@-1=Tab complete' '@-1!format'
tm_keys i C-u
tm_type i "$S/in.cs"
tm_keys i Tab
tm_wait i "^  File +$S/in\\.csv"
tm_keys i C-u
tm_type i "$S/in.csv"
tm_keys i Enter
# At 80 columns the counts and how the file was read fit whole.
tm_wait i "@0=^ Import contacts from $S/in\\.csv *$" \
    '@1=^ 2 to add \(1 new company\), 1 refused, of 3\. Enter imports; Esc cancels\.$' \
    "@2=^ Read as CSV, crm's columns, UTF-8, separated by ','\\.$" \
    '@-4=^ Row 1, line 2: add, company found' \
    '^ +1 +Ida Import +Acme GmbH +add, company found' \
    '^ +2 +Bad Row +REFUSED: contact email "not-an-email" i' \
    '^ +3 +Nele Neu +Neue Firma KG +add, new company'
# The selected row's reason is shown whole below the list.
tm_keys i Down
tm_wait i '@-4=^ Row 2, line 3: REFUSED: contact email "not-an-email" is not an email address$'
# Esc cancels: nothing is written.
tm_keys i Escape
tm_wait i "nothing was imported from $S/in\\.csv" '@1=^ Contacts, '
expect_ok root "$M" list contact --fields id
expect_eq "$OUT" "$before"
expect_ok root "$M" list company --where name="Neue Firma KG" --fields id
expect_eq "$(rows)" 0

# Again, and Enter imports; the report shows each row's fate.
tm_keys i I
tm_keys i C-u
tm_type i "$S/in.csv"
tm_keys i Enter
tm_wait i '@1=^ 2 to add'
tm_keys i Enter
tm_wait i "@0=^ Imported contacts from $S/in\\.csv *$" \
    '@1=^ 2 added \(1 new company\), 1 refused, of 3\. q goes back\.$' \
    '^ +1 +Ida Import +Acme GmbH +added [0-9a-z]{26}' \
    '^ +2 +Bad Row +REFUSED: contact email' \
    '^ +3 +Nele Neu +Neue Firma KG +added [0-9a-z]{26}, new' \
    "imported $S/in\\.csv:" '2 added, 0 updated; the refused' 'marked$'
tm_keys i End
tm_wait i '@-4=^ Row 3, line 4: added [0-9a-z]{26}, new company$'
tm_keys i q
tm_wait i '@1=^ Contacts, ' '^Import +Ida +Acme GmbH' '^Neu +Nele +Neue Firma'
expect_ok root "$M" list contact --where last_name=Import --fields first_name,company,email
expect_eq "$OUT" "$(printf 'first_name\tcompany\temail\nIda\t%s\tida@imp.example' "$ACME")"
expect_ok root "$M" list contact --where last_name=Row --fields id
expect_eq "$(rows)" 0
expect_ok root "$M" list company --where name="Neue Firma KG" --fields name
expect_eq "$(rows)" 1

# The vCard exported above, into this database again: each card's UID is
# its contact's ID, and nothing changed since.
cp "$H/crm-contacts.vcf" "$S/c.vcf"
tm_keys i I
tm_keys i C-u
tm_type i "$S/c.vcf"
tm_keys i Enter
tm_wait i "@0=^ Import contacts from $S/c\\.vcf *$" \
    '@1=^ 3 unchanged, of 3\. Enter imports; Esc cancels\.$' \
    '@2=^ Read as vCard\.$' \
    '^ +3 +Jörg Öztürk +Zürich Ärzte … unchanged, company found$' \
    '@-4=^ Card 1, line 1: unchanged$'
tm_keys i Enter
tm_wait i '@-1=nothing to add or update: every card is unchanged or refused'
tm_keys i Escape
tm_wait i '@1=^ Contacts, '

# What each row will do, as a person reads it at 80x24 before saying yes:
# add, update and the fields it changes, unchanged, refused and why.
expect_ok root "$M" list contact --where last_name=Keller --fields id
BEA=$(printf '%s\n' "$OUT" | tail -n 1)
expect_ok root "$M" list contact --where last_name=Öztürk --fields id
JOERG=$(printf '%s\n' "$OUT" | tail -n 1)
expect_ok root "$M" list contact --where last_name=Berg --fields id
ANNA=$(printf '%s\n' "$OUT" | tail -n 1)
printf 'id,first_name,last_name,phone,email\r\n%s,Bea,Keller,+49 40 2,bea@acme.example\r\n%s,Jörg,Öztürk,,joerg@aerzte.example\r\n,Lena,Lang,,lena@lang.example\r\n%s,Anna,Berg,,not-an-email\r\n' \
    "$BEA" "$JOERG" "$ANNA" >"$S/fates.csv"
tm_keys i I
tm_keys i C-u
tm_type i "$S/fates.csv"
tm_keys i Enter
# Four counts and the hint do not fit 80 columns: the keys row has them.
tm_wait i "@0=^ Import contacts from $S/fates\\.csv *$" \
    '@1=^ 1 to add, 1 to update, 1 unchanged, 1 refused, of 4\. *$' \
    '@-1=Enter import' \
    '@3=^ Row +Name +Company +Will be *$' \
    '@4=^ +1 +Bea Keller +update: phone *$' \
    '@5=^ +2 +Jörg Öztürk +unchanged *$' \
    '@6=^ +3 +Lena Lang +add *$' \
    '@7=^ +4 +Anna Berg +REFUSED: contact email "not-an-email" i' \
    '@-4=^ Row 1, line 2: update: phone$'
tm_keys i End
tm_wait i '@-4=^ Row 4, line 5: REFUSED: contact email "not-an-email" is not an email address$'
tm_keys i Enter
tm_wait i "@0=^ Imported contacts from $S/fates\\.csv *$" \
    '@1=^ 1 added, 1 updated, 1 unchanged, 1 refused, of 4\. q goes back\.$' \
    '@3=^ Row +Name +Company +Result *$' \
    '@4=^ +1 +Bea Keller +updated [0-9a-z]{26}: ' \
    '@5=^ +2 +Jörg Öztürk +unchanged [0-9a-z]{26} *$' \
    '@6=^ +3 +Lena Lang +added [0-9a-z]{26} *$' \
    '@7=^ +4 +Anna Berg +REFUSED: contact email'
tm_keys i Home
tm_wait i "@-4=^ Row 1, line 2: updated $BEA: phone\$"
tm_keys i q
tm_wait i '@1=^ Contacts, ' '^Lang +Lena'
expect_ok root "$M" get contact "$BEA"
expect_eq "$(field phone)" "+49 40 2"
expect_ok root "$M" get contact "$ANNA"
expect_eq "$(field email)" ""

# A preview longer than the screen moves as every list does: the
# selected row stays in sight above the detail lines, a page is the rows
# shown, and PgDn at the last row stays there. Esc imports nothing.
{
	printf 'first_name,last_name,email\r\n'
	for n in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do
		printf 'Many%s,Rows,many%s@rows.example\r\n' "$n" "$n"
	done
} >"$S/many.csv"
tm_keys i I
tm_keys i C-u
tm_type i "$S/many.csv"
tm_keys i Enter
tm_wait i '@1=^ 20 to add, of 20\.' '@4=^ +1 +Many01 Rows ' \
    '@-4=^ Row 1, line 2: add'
tm_keys i End
tm_wait i '@-4=^ Row 20, line 21: add' '@18=^ +20 +Many20 Rows ' \
    '@4=^ +6 +Many06 Rows '
tm_keys i NPage
tm_wait i '@-4=^ Row 20, line 21: add' '@18=^ +20 +Many20 Rows '
tm_keys i PPage
tm_wait i '@-4=^ Row 5, line 6: add' '@4=^ +5 +Many05 Rows '
tm_keys i Home
tm_wait i '@-4=^ Row 1, line 2: add' '@4=^ +1 +Many01 Rows '
tm_keys i NPage
tm_wait i '@-4=^ Row 16, line 17: add' '@18=^ +16 +Many16 Rows '
tm_keys i Escape
tm_wait i '@1=^ Contacts, '
expect_ok root "$M" list contact --where last_name=Rows --fields id
expect_eq "$(rows)" 0

# A malformed file: one message naming the file and the line.
printf 'BEGIN:VCARD\nVERSION:3.0\nFN:Cut short\n' >"$S/cut.vcf"
tm_keys i I
tm_keys i C-u
tm_type i "$S/cut.vcf"
tm_keys i Enter
tm_wait i "@-2=^$S/cut\\.vcf line 3: the card begun on line 1 has no" \
    '@0=^ Import contacts'
# A file that is not there.
tm_keys i C-u
tm_type i "$S/none.csv"
tm_keys i Enter
tm_wait i "cannot read $S/none\\.csv:" 'No such file'
tm_keys i Escape
tm_wait i '@1=^ Contacts, '
tm_keys i q y
expect_eq "$(tm_exit i)" 0
tm_kill i

finish
