#!/bin/sh
# crm letter and crm template: a letter on stdout or in a file (0600),
# recorded as a note of the contact with the letter attached; unknown
# templates, contacts and fields refused with one clear message.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/m
make_master "$M"
ACME=$(root "$M" add company name="Acme GmbH" city=Hamburg) ||
    fail "cannot add a company"
BEA=$(root "$M" add contact first_name=Bea last_name=Keller \
    company="$ACME") || fail "cannot add a contact"
JOE=$(root "$M" add contact first_name=Jörg last_name=Öztürk) ||
    fail "cannot add a contact"

printf 'Dear {{contact.first_name}} {{ contact.last_name }},\n\n%s\n%s\n' \
    'we write to {{company.name}} in {{company.city}} on {{date}}.' \
    'Yours, {{user.name}}' >"$T/offer.txt"

# --- templates ------------------------------------------------------------------
expect_status 2 root "$M" template
expect_err_contains "usage: crm template"
expect_status 2 root "$M" template add Offer
expect_err_contains "give NAME and FILE"
expect_fail root "$M" template add Offer "$T/nope.txt"
expect_err_contains "nope.txt: there is no such file"
expect_ok root "$M" template add Offer "$T/offer.txt" --description "An offer"
TPL=$OUT
expect_ok root "$M" get template "$TPL"
expect_eq "$(field name)" Offer
expect_eq "$(field description)" "An offer"
expect_eq "$(field filename)" offer.txt
expect_eq "$(field hash)" "$(sha256sum "$T/offer.txt" | cut -d' ' -f1)"
expect_eq "$(mode "$M/templates/$TPL")" 600
expect_fail root "$M" template add offer "$T/offer.txt"
expect_err_contains 'a template named "offer" exists already'
expect_ok root "$M" template show Offer
expect_eq "$OUT" "$(cat "$T/offer.txt")"

# --- a letter on stdout ------------------------------------------------------------
# faketime would do for the date; the clock of the machine is as good
# when the test reads it the same day.
TODAY=$(date +%Y-%m-%d)
expect_ok root "$M" letter Offer "$(printf %.10s "$BEA")"
expect_eq "$OUT" "$(printf 'Dear Bea Keller,\n\nwe write to Acme GmbH in Hamburg on %s.\nYours, root' "$TODAY")"
expect_one_message
expect_err_contains "recorded note "
NOTE=$(printf '%s' "$ERR" | sed -n 's/^recorded note \([0-9a-z]*\) .*/\1/p')
DOC=$(printf '%s' "$ERR" | sed -n 's/.* as document \([0-9a-z]*\)$/\1/p')
[ -n "$NOTE" ] && [ -n "$DOC" ] || fail "no note and document IDs in: $ERR"
expect_ok root "$M" get note "$NOTE"
expect_eq "$(field subject)" "Letter: Offer"
expect_eq "$(field contact)" "$BEA"
expect_eq "$(field company)" "$ACME"
expect_eq "$(field date)" "$TODAY"
expect_ok root "$M" get document "$DOC"
expect_eq "$(field parent)" "$NOTE"
expect_eq "$(field filename)" "Offer Keller $TODAY.txt"
LETTER=$(root "$M" letter offer "$BEA" 2>/dev/null)
expect_eq "$(cat "$M/documents/$DOC")" "$LETTER"
expect_eq "$(mode "$M/documents/$DOC")" 600

# --- -o FILE: the file, 0600, and nothing on stdout ----------------------------------
expect_ok root "$M" letter Offer "$JOE" -o "$T/joe.txt"
expect_eq "$OUT" ""
expect_err_contains "recorded note "
expect_eq "$(mode "$T/joe.txt")" 600
expect_eq "$(head -n 1 "$T/joe.txt")" "Dear Jörg Öztürk,"
# A contact with no company: its fields are empty, not errors.
grep -q "^we write to  in  on $TODAY\.\$" "$T/joe.txt" ||
    fail "company fields of a contact without a company are not empty"
expect_ok root "$M" list note --where contact="$JOE"
expect_eq "$(rows)" 1
expect_ok root "$M" list document
expect_eq "$(rows)" 3

# --- refused --------------------------------------------------------------------------
expect_fail root "$M" letter Nope "$BEA"
expect_err_contains 'no template is named "Nope"'
expect_fail root "$M" letter Offer 0000000000
expect_err_contains contact
expect_status 2 root "$M" letter Offer
expect_err_contains "give TEMPLATE and CONTACT"
expect_status 2 root "$M" letter Offer "$BEA" --bogus
printf 'Hello {{contact.frist_name}},\n\nfrom {{company.nmae}}\n' >"$T/bad.txt"
expect_ok root "$M" template add Bad "$T/bad.txt"
expect_fail root "$M" letter Bad "$BEA"
expect_err_contains 'unknown field {{contact.frist_name}} on line 1'
expect_err_contains 'unknown field {{company.nmae}} on line 3'
expect_eq "$OUT" ""
# Nothing was recorded for the refused letters.
expect_ok root "$M" list note
expect_eq "$(rows)" 3
# A template file changed behind crm's back is said, not used.
printf 'changed\n' >>"$M/templates/$TPL"
expect_fail root "$M" letter Offer "$BEA"
expect_err_contains "no longer matches"
# crm template replace gives it new, recorded text.
printf 'Hi {{contact.first_name}}\n' >"$T/short.txt"
expect_ok root "$M" template replace Offer "$T/short.txt"
expect_ok root "$M" letter Offer "$BEA"
expect_eq "$OUT" "Hi Bea"

expect_ok root "$M" letter --help
expect_out_contains "usage: crm letter TEMPLATE CONTACT [-o FILE]"
finish
