#!/bin/sh
# Data in and out with the tools people already have: CSV from
# Google and Outlook, updates by ID, names for references, spreadsheet-safe
# exports, vCard organisation cards and tel: URIs, iCalendar import, and
# the fields a contact manager holds. Fixtures are in the shapes those
# programs write; python3-icalendar and calcurse are used where installed.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
make_master "$M"
CR=$(printf '\r')
TZ=Europe/Berlin
export TZ

# --- 1. Re-importing crm's own export updates, never duplicates ----------------
ACME=$(root "$M" add company name="Acme GmbH" city=Hamburg phone=0401234) ||
    fail "cannot add a company"
ANNA=$(root "$M" add contact first_name=Anna last_name=Berg company="$ACME" \
    email=anna@acme.example phone="+49 40 1" title=Dr. birthday=1985-04-15 \
    email2=anna@home.example phone2="+49 40 2" postcode=20457 region=Hamburg) ||
    fail "cannot add a contact"
root "$M" add contact first_name=Ben last_name=Ode company="$ACME" >/dev/null ||
    fail "cannot add a contact"
expect_ok root "$M" export contact "$T/c.csv"
expect_ok root "$M" import contact "$T/c.csv"
expect_out_contains "imported 0 contacts from $T/c.csv (0 added, 0 updated, 2 unchanged)"
expect_err_contains "the columns created_at, created_by, modified_at, modified_by are set by crm and were left out"
expect_ok root "$M" list contact --fields id
expect_eq "$(rows)" 2
# A changed cell updates that field alone; an emptied one empties it.
sed -e 's/+49 40 1/+49 40 9/' -e 's/anna@home.example//' "$T/c.csv" >"$T/c2.csv"
expect_ok root "$M" import contact --dry-run "$T/c2.csv"
expect_out_contains "c2.csv line 2: update contact $ANNA Anna Berg: phone, email2"
expect_out_contains "unchanged contact"
expect_out_contains "nothing was written (--dry-run)"
expect_ok root "$M" get contact "$ANNA"
expect_eq "$(field phone)" "+49 40 1"
expect_ok root "$M" import contact "$T/c2.csv"
expect_out_contains "(0 added, 1 updated, 1 unchanged)"
expect_ok root "$M" get contact "$ANNA"
expect_eq "$(field phone)" "+49 40 9"
expect_eq "$(field email2)" ""
expect_eq "$(field birthday)" "1985-04-15"
# vCard agrees with CSV: the same cards again change nothing.
expect_ok root "$M" export contact "$T/c.vcf"
expect_ok root "$M" import contact "$T/c.vcf"
expect_out_contains "(0 added, 0 updated, 2 unchanged)"
# A row without an id that matches a contact by name and email updates it.
printf 'first_name,last_name,email,job_title\nAnna,Berg,ANNA@acme.example,Buyer\nNew,Person,new@x.example,\n' >"$T/noid.csv"
expect_ok root "$M" import contact "$T/noid.csv"
expect_out_contains "(1 added, 1 updated, 0 unchanged)"
expect_ok root "$M" get contact "$ANNA"
expect_eq "$(field job_title)" Buyer
# What the import remembered of a name is checked against the record: a
# row that moves Anna to another email leaves the old one to nobody, and
# a later row with it is someone new (the same file again finds them).
MV=$T/moved
make_master "$MV"
AB=$(root "$MV" add contact first_name=Anna last_name=Berg \
    email=anna@acme.example job_title=Buyer) || fail "cannot add a contact"
printf 'id,first_name,last_name,email,job_title\n,Anna,Berg,anna@acme.example,Buyer\n%s,Anna,Berg,anna.new@acme.example,Buyer\n,Anna,Berg,anna@acme.example,Buyer\n,Anna,Berg,anna.new@acme.example,Buyer\n,Anna,Berg,anna@acme.example,Buyer\n' "$AB" >"$T/moved.csv"
expect_ok root "$MV" import contact "$T/moved.csv"
expect_out_contains "(1 added, 1 updated, 3 unchanged)"
expect_ok root "$MV" get contact "$AB"
expect_eq "$(field email)" anna.new@acme.example
expect_ok root "$MV" list contact --fields id
expect_eq "$(rows)" 2
expect_ok root "$MV" import contact "$T/moved.csv"
expect_out_contains "(0 added, 0 updated, 5 unchanged)"

# --- 2. Exports move to another database: references by name ----------------------
root "$M" add note subject="Called Anna" contact="$ANNA" company="$ACME" >/dev/null ||
    fail "cannot add a note"
root "$M" add task subject="Send offer" due=2026-12-01 contact="$ANNA" >/dev/null ||
    fail "cannot add a task"
for type in company contact note task; do
	expect_ok root "$M" export "$type" "$T/$type.csv"
done
expect_eq "$(sed -n 2p "$T/note.csv" | cut -d, -f6-7)" "Acme GmbH,Anna Berg"
grep -q ",root," "$T/contact.csv" || fail "the account manager is not written as a login"
# --ids writes the IDs, for scripts.
expect_ok root "$M" export note --ids
expect_out_contains "$ACME,$ANNA"
N=$T/other
make_master "$N"
for type in company contact note task; do
	expect_ok root "$N" import "$type" "$T/$type.csv"
done
expect_ok root "$N" list note --fields subject,company,contact
NACME=$(root "$N" list company --fields id --where name="Acme GmbH" | tail -n 1)
NANNA=$(root "$N" list contact --fields id --where last_name=Berg | tail -n 1)
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf 'Called Anna\t%s\t%s' "$NACME" "$NANNA")"
# And again: an id from another database finds what it made the first time.
expect_ok root "$N" import contact "$T/contact.csv"
expect_out_contains "(0 added, 0 updated, 3 unchanged)"
# A name two companies share is written as the ID, which stays exact.
root "$M" add company name="Twin" >/dev/null && root "$M" add company name="Twin" >/dev/null ||
    fail "cannot add twins"
TWIN=$(root "$M" list company --where name=Twin --fields id | tail -n 1)
root "$M" add contact last_name=Twinner company="$TWIN" >/dev/null || fail "cannot add"
expect_ok root "$M" export contact --where last_name=Twinner
expect_out_contains ",$TWIN,"

# --- 3. The CSV files people have -----------------------------------------------------
G=$T/g
make_master "$G"
expect_ok root "$G" import contact "$FIXTURES/google-contacts.csv"
expect_out_contains "imported 3 contacts from $FIXTURES/google-contacts.csv (3 added, 0 updated, 0 unchanged), with 2 new companies"
expect_err_contains "Anna Maria Berg (new company \"Nordwind Logistik GmbH\") (1 fax number not kept; nickname, department, website not kept)"
expect_err_contains "Ben Okafor, Jr. (1 more email address not kept)"
expect_ok root "$G" list contact --where last_name=Berg --fields title,first_name,job_title,phone,mobile,email,email2,address,postcode,city,region,country,birthday,description
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf 'Dr.\tAnna Maria\tEinkaufsleiterin\t040 123456\t+49 170 1234567\tanna.berg@nordwind.example\tanna@berg.example\tHafenstraße 12\t20457\tHamburg\tHamburg\tGermany\t1985-04-15\tMet at the fair\\nsecond line')"
expect_ok root "$G" list contact --where last_name="Okafor, Jr." --fields phone,email,email2,birthday
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf '+44 20 7946 0018\tben@okafor.example\tb.okafor@mail.example\t--11-02')"
# Again: every contact is found by name and email; Google's empty cells
# leave what crm has alone.
expect_ok root "$G" set contact "$(root "$G" list contact --where last_name=Dubois --fields id | tail -n 1)" city=Paris
expect_ok root "$G" import contact "$FIXTURES/google-contacts.csv"
expect_out_contains "(0 added, 0 updated, 3 unchanged)"
expect_ok root "$G" list contact --where last_name=Dubois --fields city
expect_eq "$(rows)" 1
expect_out_contains Paris

# Outlook (desktop): Windows-1252, every field quoted.
expect_ok root "$G" import contact "$FIXTURES/outlook-desktop.csv"
expect_out_contains "(2 added, 0 updated, 0 unchanged), with 1 new company"
expect_ok root "$G" list contact --where last_name=Müller --fields title,first_name,job_title,phone,phone2,mobile,email,address,postcode,city,region,country,birthday,description
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf 'Herr\tJürgen\tGeschäftsführer\t+49 211 555 0100\t0211 555 0200\t0171 5550100\tj.mueller@mueller-soehne.example\tKönigsallee 5\t40212\tDüsseldorf\tNRW\tDeutschland\t1985-04-15\tPrefers calls in the morning – not after 18:00')"
# Åsa's company came from Google's file: it is found by name, not made again.
expect_ok root "$G" list company --fields name
expect_eq "$(printf '%s\n' "$OUT" | grep -c Nordwind)" 1
# Outlook.com: its own columns, the same encoding.
expect_ok root "$G" import contact "$FIXTURES/outlook-com.csv"
expect_ok root "$G" list contact --where last_name=Østergaard --fields first_name,phone,mobile,address,postcode,city,country,birthday
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf 'Søren\t+45 33 12 34 56\t+45 20 12 34 56\tNørregade 7\t1165\tKøbenhavn\tDanmark\t1980-02-29')"
# LibreOffice's CSV (Windows-1252), with the quotes it keeps before text.
expect_ok root "$G" import company "$FIXTURES/libreoffice.csv"
expect_ok root "$G" list company --where name="Bäckerei Schäfer" --fields phone,postcode,city
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf '0351 4567890\t01067\tDresden')"
# Excel in German: semicolons, its own headers, and a map saying where.
expect_fail root "$G" import contact "$FIXTURES/excel-de.csv"
expect_err_contains 'excel-de.csv line 1: contact has no field for the columns "Vorname", "Nachname", "Firma", "E-Mail", "Telefon", "Ort", "PLZ", "Geburtstag"'
expect_err_contains "Give --map FILE to say where they go, or --ignore-unknown to leave them out"
expect_ok root "$G" import contact --map "$FIXTURES/excel-de.map" "$FIXTURES/excel-de.csv"
expect_ok root "$G" list contact --where last_name=Weiß --fields first_name,company,phone,postcode,city,birthday
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1 | cut -f1,3-)" "$(printf 'Klaus\t0351 4567891\t01067\tDresden\t1971-07-03')"
printf 'Vorname = first_name\nFarbe = colour\n' >"$T/bad.map"
expect_fail root "$G" import contact --map "$T/bad.map" "$FIXTURES/excel-de.csv"
expect_err_contains "bad.map line 2: contact has no field \"colour\""
# Headers in any case; unknown columns refused with their names, or left out.
printf 'FIRST NAME,last name,E-Mail Address,Shoe Size,Colour\nCase,Insensitive,ci@x.example,44,blue\n' >"$T/case.csv"
expect_fail root "$G" import contact "$T/case.csv"
expect_err_contains 'no field for the columns "Shoe Size", "Colour"'
expect_ok root "$G" import contact --ignore-unknown "$T/case.csv"
expect_err_contains 'left out as --ignore-unknown asks: "Shoe Size", "Colour"'
expect_ok root "$G" list contact --where last_name=Insensitive --fields first_name,email
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf 'Case\tci@x.example')"
# Separator and encoding may be given; a byte the encoding lacks is named.
printf 'name;city\nTab\tCo;Bonn\n' >"$T/semi.csv"
expect_ok root "$G" import company --separator ';' "$T/semi.csv"
printf 'name,city\nUTF,K\303\266ln\n' >"$T/utf.csv"
expect_ok root "$G" import company --encoding iso-8859-1 --dry-run "$T/utf.csv"
printf 'name,city\nBad,K\366ln\n' >"$T/latin.csv"
expect_fail root "$G" import company --encoding utf-8 "$T/latin.csv"
expect_err_contains "latin.csv line 2: not UTF-8 text (give the file's encoding with --encoding"
expect_ok root "$G" import company "$T/latin.csv"
expect_ok root "$G" list company --where name=Bad --fields city
expect_out_contains Köln
expect_status 2 root "$G" import company --separator '|' "$T/latin.csv"

# --- 4. Safe in a spreadsheet ------------------------------------------------------------
S=$T/s
make_master "$S"
root "$S" add contact first_name="=1+1" last_name="@SUM(A1)" \
    description='=HYPERLINK("http://evil.example","click")' phone=0301234567 \
    mobile="+49 170 1" job_title="-2+3" postcode=01067 >/dev/null || fail "cannot add"
root "$S" add contact first_name="'=quoted" last_name=Plain >/dev/null || fail "cannot add"
expect_ok root "$S" export contact "$T/safe.csv"
grep -q ",'=1+1,'@SUM(A1)," "$T/safe.csv" || fail "a formula is not neutralised: $(cat "$T/safe.csv")"
grep -q "'=HYPERLINK" "$T/safe.csv" || fail "a HYPERLINK is not neutralised"
grep -q ",'0301234567," "$T/safe.csv" || fail "a phone is not kept as text"
grep -q ",'+49 170 1," "$T/safe.csv" || fail "a +phone is not kept as text"
grep -q ",'01067," "$T/safe.csv" || fail "a postcode is not kept as text"
grep -q ",''=quoted," "$T/safe.csv" || fail "a quote before = is not doubled"
expect_ok root "$S" export contact --plain
expect_out_contains ",=1+1,@SUM(A1),"
# crm reads its safe export back as it was.
S2=$T/s2
make_master "$S2"
expect_ok root "$S2" import contact "$T/safe.csv"
expect_ok root "$S" list contact --fields first_name,last_name,job_title,phone,mobile,postcode,description
want=$OUT
expect_ok root "$S2" list contact --fields first_name,last_name,job_title,phone,mobile,postcode,description
expect_eq "$OUT" "$want"

# --- 5. vCard: organisation cards, tel: URIs, trimmed addresses ---------------------
V=$T/v
make_master "$V"
expect_ok root "$V" import contact "$FIXTURES/apple-company.vcf"
expect_out_contains "imported 0 contacts from $FIXTURES/apple-company.vcf (0 added, 0 updated, 0 unchanged), with 1 new company"
expect_ok root "$V" list contact --fields id
expect_eq "$(rows)" 0
expect_ok root "$V" list company --fields name,phone,email,website,address,postcode,city,country
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf 'Nordwind Logistik GmbH\t+49 40 555 0000\tinfo@nordwind.example\thttps://nordwind.example\tHafenstraße 12\t20457\tHamburg\tGermany')"
expect_ok root "$V" import contact "$FIXTURES/google-company.vcf"
expect_out_contains "(1 added, 0 updated, 0 unchanged), with 1 new company"
expect_ok root "$V" list contact --fields first_name,last_name,company
DUBOIS=$(root "$V" list company --where name="Atelier Dubois" --fields id | tail -n 1)
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf 'Chloé\tDubois\t%s' "$DUBOIS")"
expect_ok root "$V" import contact "$FIXTURES/nextcloud-v4.vcf"
expect_ok root "$V" list contact --where last_name="Perreault, ing. jr,M.Sc." --fields first_name,job_title,phone,mobile,email,email2,address,postcode,city,region,country,birthday,uid
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf 'Simon\tResearch Scientist\t+1-418-656-9254 ext. 102\t+1-418-262-6501\tsimon.perreault@viagenie.ca\tsimon@perreault.example\t2875 boul. Laurier, suite D2-630\tG1V 2M2\tQuebec\tQC\tCanada\t--02-03\t0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5')"
expect_ok root "$V" list company --where name="Université Laval" --fields phone,address,city
expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf "+1-418-656-2131\t2325 rue de l'Université\tQuébec")"
# The UID is kept: the same card again updates the same contact.
sed 's/Research Scientist/Principal Scientist/' "$FIXTURES/nextcloud-v4.vcf" >"$T/nc2.vcf"
expect_ok root "$V" import contact "$T/nc2.vcf"
expect_out_contains "(0 added, 1 updated, 0 unchanged)"
expect_ok root "$V" list contact --where uid=0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5 --fields job_title
expect_eq "$OUT" "$(printf 'job_title\nPrincipal Scientist')"
# crm writes companies as organisation cards, and the UID it was given.
expect_ok root "$V" export company --format vcard
expect_out_contains "KIND:org$CR"
expect_out_contains "X-ABShowAs:COMPANY$CR"
expect_out_contains "UID:8D3F2E1A-6B7C-4D5E-9F80-1A2B3C4D5E6F$CR"
expect_ok root "$V" export contact --format vcard --where uid=0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5
expect_out_contains "TEL;VALUE=uri;TYPE=work,voice:tel:+1-418-656-9254;ext=102$CR"
expect_out_contains "BDAY:--0203$CR"
expect_out_contains "EMAIL:simon@perreault.example$CR"
expect_out_contains "ADR;TYPE=work:;;2875 boul. Laurier\\, suite D2-630;Quebec;QC;G1V 2M2;Canada$CR"
# Importing companies from vCard takes organisation cards only.
expect_fail root "$V" import company "$FIXTURES/google-company.vcf"
expect_err_contains "refused contact Chloé Dubois: a person's card: import it with crm import contact"

# --- 6. iCalendar import ------------------------------------------------------------------
C=$T/cal
make_master "$C"
cat >"$T/zoned.ics" <<'ICS'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:ev-1@example.com
DTSTAMP:20261120T090000Z
DTSTART;TZID=America/New_York:20261201T090000
DTEND;TZID=America/New_York:20261201T103000
SUMMARY:Call with New York
LOCATION:Phone
DESCRIPTION:Agenda:\n1. prices
END:VEVENT
BEGIN:VEVENT
UID:ev-2@example.com
DTSTAMP:20261120T090000Z
DTSTART:20261202T130000Z
DURATION:PT2H
SUMMARY:Review (UTC)
END:VEVENT
BEGIN:VEVENT
UID:ev-3@example.com
DTSTAMP:20261120T090000Z
DTSTART;VALUE=DATE:20261224
DTEND;VALUE=DATE:20261227
SUMMARY:Holidays
RRULE:FREQ=YEARLY
END:VEVENT
BEGIN:VTODO
UID:todo-1@example.com
DTSTAMP:20261120T090000Z
DUE;VALUE=DATE:20261205
SUMMARY:A task, not an event
END:VTODO
END:VCALENDAR
ICS
expect_ok root "$C" import event --dry-run "$T/zoned.ics"
expect_out_contains "zoned.ics line 21: add event Call with New York"
expect_out_contains "1 task was left out: import it with crm import task"
expect_out_contains "would import 3 events"
expect_ok root "$C" import event "$T/zoned.ics"
expect_err_contains "Holidays (it repeats (RRULE): only its first time was kept)"
expect_ok root "$C" list event --fields subject,start,end,location,description
expect_out_contains "$(printf 'Call with New York\t2026-12-01T15:00\t2026-12-01T16:30\tPhone\tAgenda:\\n1. prices')"
expect_out_contains "$(printf 'Review (UTC)\t2026-12-02T14:00\t2026-12-02T16:00')"
expect_out_contains "$(printf 'Holidays\t2026-12-24\t2026-12-26')"
# UID kept: the same calendar again, with a moved event, updates it.
sed 's/20261201T090000/20261201T100000/' "$T/zoned.ics" >"$T/moved.ics"
expect_ok root "$C" import event "$T/moved.ics"
expect_out_contains "(0 added, 1 updated, 2 unchanged)"
expect_ok root "$C" list event --where subject="Call with New York" --fields start
expect_out_contains 2026-12-01T16:00
expect_ok root "$C" import task "$T/zoned.ics"
expect_out_contains "imported 1 task"
# Broken and foreign files: one message naming the file and the line.
printf 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Cut\n' >"$T/cut.ics"
expect_fail root "$C" import event "$T/cut.ics"
expect_err_contains "cut.ics line 3: the VEVENT begun on line 2 has no END:VEVENT"
printf 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART;TZID=Mars/Olympus:20261201T090000\nSUMMARY:Far\nEND:VEVENT\nEND:VCALENDAR\n' >"$T/mars.ics"
expect_fail root "$C" import event "$T/mars.ics"
expect_err_contains 'mars.ics line 2: refused event Far: the time zone "Mars/Olympus" is not defined in the file nor known'
expect_fail root "$C" import event --format ical "$FIXTURES/contacts.csv"
expect_err_contains "contacts.csv line 1: this is not an iCalendar file"
# Export: UTC, or floating when asked.
expect_ok root "$C" export event --format ical --where subject="Review (UTC)"
expect_out_contains "DTSTART:20261202T130000Z$CR"
expect_ok root "$C" export event --format ical --floating --where subject="Review (UTC)"
expect_out_contains "DTSTART:20261202T140000$CR"

# Round trips against real calendars, where they are installed.
PY=/usr/bin/python3
if [ -x "$PY" ] && "$PY" -c 'import icalendar' 2>/dev/null; then
	expect_ok root "$C" export event "$T/crm.ics"
	"$PY" - "$T/crm.ics" >"$T/py.out" <<'PY' || fail "python3-icalendar cannot read crm's calendar"
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
for ev in sorted(cal.walk('VEVENT'), key=lambda e: str(e['SUMMARY'])):
    print(ev['SUMMARY'], ev['DTSTART'].dt.isoformat(), ev.get('UID'))
PY
	grep -q "^Call with New York 2026-12-01T15:00:00+00:00 ev-1@example.com$" "$T/py.out" ||
	    fail "python3-icalendar read: $(cat "$T/py.out")"
	# What python3-icalendar writes, with a zone of its own, comes in.
	"$PY" - "$T/py.ics" <<'PY' || fail "python3-icalendar cannot write"
import sys, datetime, icalendar
cal = icalendar.Calendar()
cal.add('prodid', '-//python3-icalendar//test//')
cal.add('version', '2.0')
ev = icalendar.Event()
ev.add('uid', 'py-1@example.org')
ev.add('summary', 'Written by Python')
ev.add('dtstart', datetime.datetime(2026, 7, 1, 8, 0, tzinfo=datetime.timezone.utc))
ev.add('dtend', datetime.datetime(2026, 7, 1, 9, 15, tzinfo=datetime.timezone.utc))
ev.add('location', 'Zürich')
cal.add_component(ev)
td = icalendar.Todo()
td.add('uid', 'py-2@example.org')
td.add('summary', 'Python task')
td.add('due', datetime.date(2026, 7, 3))
td.add('priority', 1)
td.add('status', 'IN-PROCESS')
cal.add_component(td)
open(sys.argv[1], 'wb').write(cal.to_ical())
PY
	expect_ok root "$C" import event "$T/py.ics"
	expect_ok root "$C" import task "$T/py.ics"
	expect_ok root "$C" list event --where subject="Written by Python" --fields start,end,location
	expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf '2026-07-01T10:00\t2026-07-01T11:15\tZürich')"
	expect_ok root "$C" list task --where subject="Python task" --fields due,priority,status
	expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf '2026-07-03\turgent\tin-progress')"
else
	echo "cli-exchange.sh: no python3-icalendar: its round trip is not tested"
fi
if command -v calcurse >/dev/null 2>&1; then
	CD=$T/calcurse
	mkdir -p "$CD"
	expect_ok root "$C" export event "$T/to-calcurse.ics" --where subject="Call with New York"
	calcurse -D "$CD" -i "$T/to-calcurse.ics" >/dev/null 2>&1 || fail "calcurse cannot import crm's calendar"
	calcurse -D "$CD" -xical >"$T/from-calcurse.ics" 2>/dev/null || fail "calcurse cannot export"
	K=$T/k
	make_master "$K"
	expect_ok root "$K" import event "$T/from-calcurse.ics"
	expect_ok root "$K" list event --fields subject,start,end
	expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "$(printf 'Call with New York\t2026-12-01T16:00\t2026-12-01T16:30')"
else
	echo "cli-exchange.sh: no calcurse: its round trip is not tested"
fi

# --- 9. The fields every vendor's card had: round trips lose nothing -----------------
R=$T/r
make_master "$R"
expect_ok root "$M" export contact "$T/all.vcf" --where last_name=Berg
expect_ok root "$R" import contact "$T/all.vcf"
F=title,first_name,last_name,job_title,phone,phone2,mobile,email,email2,address,postcode,city,region,country,birthday
expect_ok root "$M" list contact --where last_name=Berg --fields "$F"
want=$OUT
expect_ok root "$R" list contact --where last_name=Berg --fields "$F"
expect_eq "$OUT" "$want"
expect_ok root "$M" export company "$T/co.vcf" --where name="Acme GmbH"
expect_ok root "$R" import company "$T/co.vcf"
expect_ok root "$R" list company --fields name,phone,city
expect_out_contains "$(printf 'Acme GmbH\t0401234\tHamburg')"
# A birthday is a day, with or without its year.
expect_fail root "$M" set contact "$ANNA" birthday=15.04.1985
expect_err_contains 'contact birthday "15.04.1985" is not a day: write YYYY-MM-DD, or --MM-DD'
expect_ok root "$M" set contact "$ANNA" birthday=--02-29

finish
