#!/bin/sh
# crm import / export (CSV, RFC 4180) and attach.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
make_master "$M"
CR=$(printf '\r')

# --- import: the good file -----------------------------------------------------------
expect_ok root "$M" import company "$FIXTURES/companies.csv"
expect_out_contains 5
expect_ok root "$M" list company --fields name,phone,email,website,city,country
expect_eq "$(rows)" 5
expect_out_contains "$(printf 'Acme Corporation\t+1 555 0100\tinfo@acme.example\thttps://acme.example\tSpringfield\tUnited States')"
# A quoted comma survives.
expect_out_contains "$(printf 'Dupont, Martin & Fils\t+33 1 42 68 53 00\t')"
# UTF-8 survives.
expect_out_contains "$(printf 'Zoë Ångström AB\t+46 8 123 456 78\thej@angstrom.example\thttps://angstrom.example\tStockholm\tSweden')"
expect_out_contains "$(printf 'Łódź Textiles\t+48 42 632 11 00\tbiuro@lodz-textiles.example\t\tŁódź\tPoland')"
expect_out_contains "$(printf 'Москва Логистика\t+7 495 123-45-67\tinfo@msk-logistics.example\thttps://msk-logistics.example\tМосква\tRussia')"
# Imported records carry the importer as creator.
expect_ok root "$M" list company --fields created_by,account_manager --where name="Acme Corporation"
expect_eq "$(printf '%s\n' "$OUT" | sed -n 2p)" "$(printf 'ROOT1\tROOT1')"

expect_ok root "$M" import contact "$FIXTURES/contacts.csv"
expect_ok root "$M" list contact --fields first_name,last_name,phone,email
expect_eq "$(rows)" 4
expect_out_contains "$(printf 'José\tGarcía, Jr.\t+34 91 123 45 67\tjose.garcia@example.es')"
expect_out_contains "$(printf 'Grace\tHopper "Amazing Grace"\t+1 555 0142')"
expect_out_contains "$(printf 'Zoë\tÅngström\t')"
expect_out_contains "$(printf 'Ada\tLovelace\t')"
# A company may be given by name, as the screens' import allows (a name
# differing only in case will do); one that does not exist is made, as
# a vCard's ORG is, and the summary says so.
acme=$(root "$M" list company --where name="Acme Corporation" --fields id | tail -n 1)
printf 'first_name,last_name,company\nNamed,Byname,Acme Corporation\nCase,Byname,ACME CORPORATION\n' >"$T/named.csv"
expect_ok root "$M" import contact "$T/named.csv"
expect_ok root "$M" list contact --where last_name=Byname --fields company
expect_eq "$(rows)" 2
expect_eq "$(printf '%s\n' "$OUT" | tail -n +2 | sort -u)" "$acme"
printf 'first_name,last_name,company\nFine,Nocorp,Acme Corporation\nMade,Nocorp,No Such GmbH\n' >"$T/unnamed.csv"
expect_ok root "$M" import contact "$T/unnamed.csv"
expect_out_contains "with 1 new company"
expect_err_contains 'line 3: add contact'
expect_err_contains '(new company "No Such GmbH")'
expect_ok root "$M" list company --where name="No Such GmbH" --fields id
expect_eq "$(rows)" 1
# A note names a company that is not there: that is refused, with the line.
printf 'subject,company\nCall,Acme Corporation\nLost,Nowhere Ltd\n' >"$T/notes.csv"
expect_fail root "$M" import note "$T/notes.csv"
expect_err_contains "notes.csv line 3: refused note Lost: no company is named \"Nowhere Ltd\""
expect_ok root "$M" list note --fields id
expect_eq "$(rows)" 0
root "$M" delete company "$(root "$M" list company --where name="No Such GmbH" --fields id | tail -n 1)" >/dev/null 2>&1 || true
for id in $(root "$M" list contact --where last_name=Nocorp --fields id | tail -n +2); do
	root "$M" delete contact "$id" >/dev/null || fail "cannot delete $id"
done
root "$M" delete company "$(root "$M" list company --where name="No Such GmbH" --fields id | tail -n 1)" >/dev/null ||
    fail "cannot delete No Such GmbH"

# --- import: bad files import nothing ----------------------------------------------------
expect_ok root "$M" list company --fields id,name
before=$OUT
for f in companies-bad-quote.csv companies-bad-field.csv companies-missing-name.csv; do
	expect_fail root "$M" import company "$FIXTURES/$f"
	expect_err_contains "$f"
	expect_ok root "$M" list company --fields id,name
	expect_eq "$OUT" "$before"
done
expect_fail root "$M" import company "$FIXTURES/companies-bad-quote.csv"
expect_err_contains "line 5"
expect_err_contains quote
expect_fail root "$M" import company "$FIXTURES/companies-bad-field.csv"
expect_err_contains "line 1"
expect_err_contains colour
expect_fail root "$M" import company "$FIXTURES/companies-missing-name.csv"
expect_err_contains "line 4"
expect_err_contains name
# A row with the wrong number of fields.
printf 'name,city\nGood Co,Bonn\nBad Co,Bonn,extra\n' >"$T/short.csv"
expect_fail root "$M" import company "$T/short.csv"
expect_err_contains short.csv
expect_err_contains "line 3"
# An empty file.
: >"$T/empty.csv"
expect_fail root "$M" import company "$T/empty.csv"
expect_err_contains empty.csv
expect_ok root "$M" list company --fields id,name
expect_eq "$OUT" "$before"
# A missing file.
expect_fail root "$M" import company "$T/no-such.csv"
expect_err_contains "$T/no-such.csv"
# Bad usage.
expect_status 2 root "$M" import company
expect_status 2 root "$M" import widget "$FIXTURES/companies.csv"
expect_status 2 root "$M" import company "$FIXTURES/companies.csv" extra
expect_ok root "$M" list company --fields id,name
expect_eq "$OUT" "$before"

# --- export ---------------------------------------------------------------------------
# A value that needs quoting: newline, comma and quote.
desc=$(printf 'first line\nsecond, "quoted" line')
expect_ok root "$M" add company name=Quoted description="$desc"
expect_ok root "$M" export company
header=$(printf '%s\n' "$OUT" | head -n 1 | tr -d "$CR")
case ,$header, in
*,id,*) ;; *) fail "export header lacks id: $header" ;;
esac
for f in id created_at created_by modified_at modified_by name phone email \
    website city country account_manager; do
	case ,$header, in *,$f,*) ;; *) fail "export header lacks $f" ;; esac
done
expect_out_contains '"Dupont, Martin & Fils"'
expect_out_contains "$(printf '"first line\nsecond, ""quoted"" line"')"
expect_out_contains "Москва Логистика"
# RFC 4180: records end with CRLF.
first=$(printf '%s\n' "$OUT" | head -n 1)
case $first in *"$CR") ;; *) fail "export lines do not end with CRLF" ;; esac
expect_ok root "$M" export contact
expect_out_contains '"Hopper ""Amazing Grace"""'
expect_out_contains '"García, Jr."'

# To a file, 0600, same content as stdout.
expect_ok root "$M" export company
stdout_export=$OUT
expect_ok root "$M" export company "$T/companies-out.csv"
expect_eq "$OUT" ""
[ -f "$T/companies-out.csv" ] || fail "export FILE wrote no file"
expect_eq "$(mode "$T/companies-out.csv")" 600
expect_eq "$(cat "$T/companies-out.csv")" "$stdout_export"
[ ! -e "$T/companies-out.csv.tmp" ] || fail "export left its temporary file"
expect_ok root "$M" export issue "$T/issues.csv"
expect_eq "$(wc -l <"$T/issues.csv")" 1
# Into a missing directory: refused.
expect_fail root "$M" export company "$T/no/such/dir/x.csv"
expect_err_contains "$T/no/such/dir"
expect_status 2 root "$M" export widget
expect_status 2 root "$M" export

# --- export, then import into a second master -------------------------------------------
M2=$T/master2
make_master "$M2"
expect_ok root "$M2" import company "$T/companies-out.csv"
expect_ok root "$M2" list company --fields name,phone,email,website,city,country,description
second=$OUT
expect_ok root "$M" list company --fields name,phone,email,website,city,country,description
expect_eq "$second" "$OUT"
expect_eq "$(rows)" 6
# New records: new IDs, the importer as creator.
expect_ok root "$M" list company --fields id
ids1=$OUT
expect_ok root "$M2" list company --fields id
[ "$OUT" != "$ids1" ] || fail "import reused the exported IDs"

# --- attach ------------------------------------------------------------------------------
expect_ok root "$M" list company --fields id --where name="Acme Corporation"
ACME=$(printf '%s\n' "$OUT" | sed -n 2p)
printf 'Quarterly report\nline two\n' >"$T/report.txt"
head -c 100000 /dev/urandom >"$T/blob.bin"
expect_ok root "$M" attach company "$ACME" "$T/report.txt" --description "Q3 report"
DOC=$OUT
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 1
expect_eq "${#DOC}" 26
expect_ok root "$M" get document "$DOC"
expect_eq "$(field parent)" "$ACME"
expect_eq "$(field filename)" report.txt
expect_eq "$(field description)" "Q3 report"
expect_eq "$(field size)" "$(wc -c <"$T/report.txt" | tr -d ' ')"
expect_eq "$(field hash)" "$(sha256sum "$T/report.txt" | cut -d' ' -f1)"
expect_eq "$(field created_by)" ROOT1
[ -f "$M/documents/$DOC" ] || fail "the attached file is not in documents/"
cmp -s "$T/report.txt" "$M/documents/$DOC" || fail "the attached copy differs"
expect_eq "$(mode "$M/documents/$DOC")" 600
# A binary file, the ID given by prefix, --description first.
ACME10=$(printf '%s' "$ACME" | cut -c1-10)
expect_ok root "$M" list company --fields id
[ "$(printf '%s\n' "$OUT" | grep -c "^$ACME10")" -eq 1 ] || ACME10=$ACME
expect_ok root "$M" attach --description "Blob" company "$ACME10" "$T/blob.bin"
BLOB=$OUT
expect_ok root "$M" get document "$BLOB"
expect_eq "$(field size)" 100000
expect_eq "$(field hash)" "$(sha256sum "$T/blob.bin" | cut -d' ' -f1)"
cmp -s "$T/blob.bin" "$M/documents/$BLOB" || fail "the attached binary differs"
expect_ok root "$M" list document --fields id,parent --where parent="$ACME"
expect_eq "$(rows)" 2
# No temporary files are left behind.
expect_eq "$(ls -A "$M/documents" | sort | tr '\n' ' ')" \
    "$(printf '%s\n%s\n' "$DOC" "$BLOB" | sort | tr '\n' ' ')"

# Refusals: missing file, no description, bad type, unknown record.
expect_fail root "$M" attach company "$ACME" "$T/no-such-file" --description x
expect_err_contains "$T/no-such-file"
expect_fail root "$M" attach company "$ACME" "$T" --description x
expect_status 2 root "$M" attach company "$ACME" "$T/report.txt"
expect_status 2 root "$M" attach company "$ACME" --description x
expect_status 2 root "$M" attach widget "$ACME" "$T/report.txt" --description x
expect_fail root "$M" attach company zzzzzzzzzz "$T/report.txt" --description x
expect_ok root "$M" list document
expect_eq "$(rows)" 2
expect_eq "$(ls -A "$M/documents" | wc -l)" 2

finish
