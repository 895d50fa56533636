#!/bin/sh
# crm export --format csv|vcard|ical and --where, crm import of vCard
# contacts (card by card, with a report), and crm query for mutt.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
make_master "$M"
CR=$(printf '\r')
# Times are wall-clock times of this zone; iCalendar carries them in UTC.
TZ=Europe/Berlin
export TZ

ACME=$(root "$M" add company name="Acme, Inc.") || fail "cannot add a company"
ZUR=$(root "$M" add company name="Zürich Ärzte AG") || fail "cannot add a company"
ZOE=$(root "$M" add contact first_name=Zoë last_name=Ångström company="$ACME" \
    email=zoe@acme.example phone="+46 8 123" mobile="+46 70 456" \
    job_title="Chief; Engineer" address="Storgatan 1" city=Stockholm \
    country=Sweden description="$(printf 'line one\nline two, with a comma and enough text to be folded: ÄÖÜ ÄÖÜ ÄÖÜ ÄÖÜ ÄÖÜ')") ||
    fail "cannot add a contact"
root "$M" add contact first_name=Jörg last_name=Öztürk company="$ZUR" \
    email=joerg@aerzte.example >/dev/null || fail "cannot add a contact"
root "$M" add contact first_name=Nomail last_name=Person >/dev/null ||
    fail "cannot add a contact"
root "$M" add event subject="Meet, talk" start=2026-12-01T10:00 \
    end=2026-12-01T11:30 location="Room 1" contact="$ZOE" >/dev/null ||
    fail "cannot add an event"
root "$M" add task subject="Call back" due=2026-12-02 status=done \
    priority=urgent >/dev/null || fail "cannot add a task"

# --- export: formats and their types -----------------------------------------------
expect_ok root "$M" export contact --format vcard
expect_out_contains "BEGIN:VCARD$CR"
expect_out_contains "VERSION:4.0$CR"
expect_out_contains "FN:Zoë Ångström$CR"
expect_out_contains "N:Ångström;Zoë;;;$CR"
expect_out_contains "ORG:Acme\\, Inc.$CR"
expect_out_contains "TITLE:Chief\\; Engineer$CR"
expect_out_contains "TEL;TYPE=work,voice:+46 8 123$CR"
expect_out_contains "TEL;TYPE=cell:+46 70 456$CR"
expect_out_contains "EMAIL;TYPE=work:zoe@acme.example$CR"
expect_out_contains "ADR;TYPE=work:;;Storgatan 1;Stockholm;;;Sweden$CR"
expect_out_contains "UID;VALUE=text:$ZOE$CR"
expect_out_contains "NOTE:line one\\nline two\\, with"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^BEGIN:VCARD')" 3
# Folded at 75 octets: no line is longer.
expect_eq "$(printf '%s\n' "$OUT" | tr -d '\r' | awk 'length($0) > 75' | wc -l | tr -d ' ')" 0
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^ ')" 1

expect_ok root "$M" export event --format ical
expect_out_contains "BEGIN:VCALENDAR$CR"
expect_out_contains "BEGIN:VEVENT$CR"
expect_out_contains "SUMMARY:Meet\\, talk$CR"
expect_out_contains "DTSTART:20261201T090000Z$CR"
expect_out_contains "DTEND:20261201T103000Z$CR"
expect_out_contains "LOCATION:Room 1$CR"
expect_ok root "$M" export task --format ical
expect_out_contains "BEGIN:VTODO$CR"
expect_out_contains "DUE;VALUE=DATE:20261202$CR"
expect_out_contains "STATUS:COMPLETED$CR"
expect_out_contains "PRIORITY:1$CR"

# A wrong combination is bad usage that names the allowed formats.
expect_status 2 root "$M" export note --format vcard
expect_err_contains "notes are written as csv only (vcard is for contacts and companies"
expect_status 2 root "$M" export contact --format ical
expect_err_contains "contacts are written as csv or vcard, not ical"
expect_status 2 root "$M" export task --format vcard
expect_err_contains "tasks are written as csv or ical, not vcard"
expect_status 2 root "$M" export contact --format pdf
expect_err_contains '"pdf" is not a format: the formats are csv, vcard'

# The file's name chooses the format; the file is 0600, written whole.
expect_ok root "$M" export contact "$T/all.vcf"
expect_eq "$(mode "$T/all.vcf")" 600
expect_eq "$(grep -c '^BEGIN:VCARD' "$T/all.vcf")" 3
[ ! -e "$T/all.vcf.tmp" ] || fail "the temporary file was left behind"
expect_ok root "$M" export task "$T/tasks.ics"
grep -q '^BEGIN:VTODO' "$T/tasks.ics" || fail "tasks.ics is not iCalendar"
# CSV stays the default and keeps its header.
expect_ok root "$M" export contact
expect_eq "$(printf '%s\n' "$OUT" | head -n 1)" "id,created_at,created_by,modified_at,modified_by,company,first_name,last_name,job_title,phone,mobile,email,address,city,country,account_manager,description,title,phone2,email2,postcode,region,birthday,uid$CR"

# --where as list has it.
expect_ok root "$M" export contact --format vcard --where company="$ACME"
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^BEGIN:VCARD')" 1
expect_out_contains "FN:Zoë Ångström"
expect_ok root "$M" export contact --where last_name=Öztürk
expect_eq "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 2
expect_out_contains "Jörg"
expect_status 2 root "$M" export contact --where colour=red
expect_err_contains 'contact has no field "colour"'
# list still works through the shared filter.
expect_ok root "$M" list contact --where company="$ACME" --fields first_name
expect_eq "$OUT" "$(printf 'first_name\nZoë')"

# --- import: vCard into another database, and back the same -----------------------
N=$T/other
make_master "$N"
expect_ok root "$N" import contact "$T/all.vcf"
expect_out_contains "imported 3 contacts from $T/all.vcf (3 added, 0 updated, 0 unchanged), with 2 new companies"
expect_err_contains 'Zoë Ångström (new company "Acme, Inc.")'
expect_ok root "$N" list contact --fields first_name,last_name,job_title,phone,mobile,email,address,city,country,description
expect_out_contains "$(printf 'Zoë\tÅngström\tChief; Engineer\t+46 8 123\t+46 70 456\tzoe@acme.example\tStorgatan 1\tStockholm\tSweden\tline one\\nline two, with a comma')"
expect_out_contains "$(printf 'Jörg\tÖztürk\t')"
expect_ok root "$N" list company --fields name
expect_eq "$OUT" "$(printf 'name\nAcme, Inc.\nZürich Ärzte AG')"
# The same file again changes nothing: each card is found by its UID,
# here (where it came from: the UID is its ID) and in the other database
# (where the contact made from it took an ID derived from the UID).
expect_ok root "$N" import contact "$T/all.vcf"
expect_out_contains "(0 added, 0 updated, 3 unchanged)"
expect_ok root "$N" list contact --fields id
expect_eq "$(rows)" 3
expect_ok root "$M" import contact "$T/all.vcf"
expect_out_contains "(0 added, 0 updated, 3 unchanged)"

# --- import: what phones send (2.1, 3.0), with a refused card ----------------------
printf 'BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\r\nORG:Acme, Inc.\r\nTEL;CELL;VOICE:+49 170 1\r\nTEL;WORK:+49 30 2\r\nTEL;HOME:+49 30 3\r\nTEL;HOME:+49 30 4\r\nEMAIL;PREF;INTERNET:j@example.de\r\nNOTE;ENCODING=QUOTED-PRINTABLE:first=0D=0Asecond =\r\nline\r\nEND:VCARD\r\n\r\nbegin:vcard\nversion:3.0\nfn:Bad Mail\nemail:not-an-email\nend:vcard\nBEGIN:VCARD\nVERSION:2.1\nN;CHARSET=ISO-8859-1:Stra\337e;Anna\nORG:New Co\nEND:VCARD\n' >"$T/phone.vcf"
# One card is bad: all or nothing, the card named with its line.
root "$M" list contact --fields id >"$T/before0" || fail "cannot list"
expect_fail root "$M" import contact "$T/phone.vcf"
expect_err_contains "nothing was imported: $T/phone.vcf line 14: refused contact Bad Mail: contact email \"not-an-email\" is not an email address; correct it, or give --skip-refused"
root "$M" list contact --fields id >"$T/after0" || fail "cannot list"
cmp -s "$T/before0" "$T/after0" || fail "a refused card let the others in"
# --skip-refused imports the others and still says which was refused.
expect_status 1 root "$M" import contact --skip-refused "$T/phone.vcf"
expect_out_contains "imported 2 contacts from $T/phone.vcf (2 added, 0 updated, 0 unchanged, 1 refused), with 1 new company"
expect_err_contains "phone.vcf line 1: add contact"
expect_err_contains "Jürgen Müller (1 more phone number not kept)"
expect_err_contains 'phone.vcf line 14: refused contact Bad Mail: contact email "not-an-email" is not an email address'
expect_err_contains 'Anna Straße (new company "New Co")'
expect_ok root "$M" list contact --where last_name=Müller --fields first_name,company,phone,phone2,mobile,email,description
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf 'Jürgen\t%s\t+49 30 2\t+49 30 3\t+49 170 1\tj@example.de\tfirst\\nsecond line' "$ACME")"
expect_ok root "$M" list contact --where last_name="Bad Mail" --fields id
expect_eq "$(rows)" 0

# A malformed file: one message naming the file and the line; nothing imported.
root "$M" list contact --fields id >"$T/before" || fail "cannot list"
printf 'BEGIN:VCARD\nVERSION:3.0\nFN:Fine\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN Broken\nEND:VCARD\n' >"$T/broken.vcf"
expect_fail root "$M" import contact "$T/broken.vcf"
expect_err_contains "nothing was imported: $T/broken.vcf line 7: \"FN Broken\" has no ':'"
printf 'BEGIN:VCARD\nVERSION:3.0\nFN:Cut\n' >"$T/cut.vcf"
expect_fail root "$M" import contact "$T/cut.vcf"
expect_err_contains "cut.vcf line 3: the card begun on line 1 has no END:VCARD"
root "$M" list contact --fields id >"$T/after" || fail "cannot list"
cmp -s "$T/before" "$T/after" || fail "a malformed file imported something"
# --format vcard on a CSV file says what is wrong with it.
expect_fail root "$M" import contact --format vcard "$FIXTURES/contacts.csv"
expect_err_contains "contacts.csv line 1: this is not a vCard file"
# vCard is for contacts and companies; iCalendar for events and tasks.
expect_status 2 root "$M" import note --format vcard "$T/all.vcf"
expect_err_contains "notes are read from csv only"
expect_status 2 root "$M" import contact --format ical "$T/all.vcf"
expect_err_contains "contacts are read from csv or vcard, not ical"
# CSV import of contacts is as before: all rows or none.
expect_ok root "$N" import contact "$FIXTURES/contacts.csv"
expect_out_contains "imported 4 contacts"

# --- query: mutt's query_command --------------------------------------------------
expect_ok root "$M" query zoe
expect_eq "$(printf '%s\n' "$OUT" | head -n 1)" 'crm: 1 match for "zoe"'
expect_eq "$(printf '%s\n' "$OUT" | tail -n +2)" "$(printf 'zoe@acme.example\tZoë Ångström\tAcme, Inc.')"
# Case-folded UTF-8, in names and companies.
expect_ok root "$M" query "ÖZTÜRK"
expect_out_contains "$(printf 'joerg@aerzte.example\tJörg Öztürk\tZürich Ärzte AG')"
expect_ok root "$M" query "zürich ärzte"
expect_eq "$(rows)" 1
expect_out_contains "Jörg Öztürk"
# By email, and by company: every contact of Acme with an email.
expect_ok root "$M" query "@example.de"
expect_out_contains "$(printf 'j@example.de\tJürgen Müller\tAcme, Inc.')"
expect_ok root "$M" query "acme, inc"
expect_eq "$(rows)" 2
expect_out_contains "zoe@acme.example"
expect_out_contains "j@example.de"
# A contact without an email is no use to a mail program.
expect_status 1 root "$M" query nomail
expect_eq "$OUT" 'crm: no contact matches "nomail"'
# No match: status 1, as abook does.
expect_status 1 root "$M" query "no such person"
expect_out_contains "no contact matches"
expect_status 2 root "$M" query
expect_status 2 root "$M" query ""
expect_out_contains "STRING is empty"
expect_eq "$ERR" ""

# --- query in mutt: mutt reads stdout, whose first line it shows on its
# status line; stderr and a terminal prompt would land on its screen.
# A wrong password: status 1, the reason on stdout, nothing on stderr.
run env CRM_PASSWORD=wrong "$CRM" -d "$M" -u root query zoe
expect_eq "$STATUS" 1
expect_eq "$(printf '%s\n' "$OUT" | head -n 1)" "crm: login refused for root: wrong login or password"
expect_eq "$ERR" ""
# No password and no terminal: at once, never a prompt.
run "$CRM" -d "$M" -u root query zoe
expect_eq "$STATUS" 1
expect_out_contains "crm: no password for crm query: set CRM_PASSWORD or give --password-file FILE"
expect_eq "$ERR" ""
# A second email address is offered too, one line each, and found.
expect_ok root "$M" set contact "$ZOE" email2=zoe@home.example
expect_ok root "$M" query zoe
expect_eq "$(printf '%s\n' "$OUT" | tail -n +2)" "$(printf 'zoe@acme.example\tZoë Ångström\tAcme, Inc.\nzoe@home.example\tZoë Ångström\tAcme, Inc.')"
expect_ok root "$M" query home
expect_eq "$(printf '%s\n' "$OUT" | head -n 1)" 'crm: 1 match for "home"'
# A contact whose only email is the second is of use to a mail program.
expect_ok root "$M" add contact first_name=Nur last_name=Zweit email2=nur@zweit.example
expect_ok root "$M" query zweit
expect_eq "$(printf '%s\n' "$OUT" | tail -n +2)" "$(printf 'nur@zweit.example\tNur Zweit\t')"
# The second phone is found by its digits, as the first.
expect_ok root "$M" set contact "$ZOE" phone2="+33 6 99 88 77 66"
expect_ok root "$M" list contact --search 699887766 --fields last_name
expect_eq "$(rows)" 1
expect_out_contains "Ångström"

# --- export all: every type, each as export TYPE writes it ---------------------------
expect_ok root "$M" export all "$T/all"
[ "$(stat -c %a "$T/all")" = 700 ] || fail "export all made its directory readable by others"
for ty in user company contact note event task opportunity issue campaign target document template; do
	[ -f "$T/all/$ty.csv" ] || fail "export all wrote no $ty.csv"
	root "$M" export "$ty" >"$T/one.csv" || fail "export $ty failed"
	cmp -s "$T/one.csv" "$T/all/$ty.csv" ||
	    fail "export all's $ty.csv is not what export $ty writes"
done
[ "$(ls "$T/all" | wc -l)" -eq 12 ] || fail "export all wrote other files: $(ls "$T/all")"
grep -q 'Ångström' "$T/all/contact.csv" || fail "contact.csv lacks Zoë"
# Again into the same directory: the files are replaced whole.
expect_ok root "$M" add company name="Later GmbH"
expect_ok root "$M" export all "$T/all" --ids --plain
grep -q 'Later GmbH' "$T/all/company.csv" || fail "a second export all did not replace company.csv"
[ -z "$(find "$T/all" -name '*.tmp')" ] || fail "export all left a temporary file"
expect_status 2 root "$M" export all
expect_err_contains "give the directory"
expect_status 2 root "$M" export all "$T/all2" --where name=Acme
expect_err_contains "--where picks records of one type"
expect_status 2 root "$M" export all "$T/all2" --format vcard
expect_err_contains "export all writes CSV"
: >"$T/plainfile"
expect_fail root "$M" export all "$T/plainfile"
expect_err_contains "cannot make the directory $T/plainfile: Not a directory"

finish
