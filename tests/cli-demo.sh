#!/bin/sh
# crm demo: a master filled with sample records.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

D=$T/demo
expect_ok "$CRM" demo "$D" --records 3000
expect_out_contains "$D"
expect_out_contains demo
grep -q 'role *= *"master"' "$D/crm.conf" || fail "the demo is not a master"
expect_eq "$(mode "$D")" 700
expect_eq "$(mode "$D/crm.conf")" 600
expect_eq "$(mode "$D/companies.db")" 600

demo() {
	CRM_PASSWORD=demo "$CRM" -d "$D" -u demo "$@"
}

expect_ok demo list company
[ "$(rows)" -ge 200 ] || fail "only $(rows) companies"
# The demo keeps the model's rules: a contact is a campaign's target once,
# and a target that responded has the date it did.
expect_ok demo list target --fields campaign,contact
dup=$(printf '%s\n' "$OUT" | tail -n +2 | sort | uniq -d | head -n 1)
[ -z "$dup" ] || fail "a contact is twice a target of one campaign: $dup"
expect_ok demo list target --where responded=yes --fields response_date
[ "$(rows)" -ge 1 ] || fail "no target of the demo responded"
printf '%s\n' "$OUT" | tail -n +2 | grep -q '^$' &&
    fail "a target responded with no response date"
total=$(rows)
for t in contact note event task opportunity issue campaign target document \
    template; do
	expect_ok demo list $t
	[ "$(rows)" -ge 1 ] || fail "the demo has no ${t}s"
	total=$((total + $(rows)))
done
# Roughly the number asked for (users are records too).
[ "$total" -ge 2700 ] && [ "$total" -le 3300 ] ||
    fail "the demo holds $total records, asked for 3000"

# Contacts belong to existing companies.
expect_ok demo list contact --fields company
c=$(printf '%s\n' "$OUT" | sed -n 2p)
[ -n "$c" ] || fail "a demo contact has no company"
expect_ok demo get company "$c"

# Documents: each has its file, of its size and hash.
expect_ok demo list document --fields id,size
docs=$(printf '%s\n' "$OUT" | tail -n +2)
n=0
for d in $(printf '%s\n' "$docs" | cut -f1); do
	[ -f "$D/documents/$d" ] || fail "document $d has no file in documents/"
	n=$((n + 1))
done
[ "$n" -ge 1 ] || fail "no demo documents"
d=$(printf '%s\n' "$docs" | head -n 1 | cut -f1)
expect_ok demo get document "$d"
expect_eq "$(field size)" "$(wc -c <"$D/documents/$d" | tr -d ' ')"
[ -n "$(field filename)" ] || fail "a demo document has no filename"
DOC1=$d

# Templates have names.
expect_ok demo list template --fields name
[ -n "$(printf '%s\n' "$OUT" | sed -n 2p)" ] || fail "a demo template has no name"
# ... and fields a letter fills in: a letter to a contact has no {{...}} left.
expect_ok demo list contact --fields id,first_name,company
ct=$(printf '%s\n' "$OUT" | awk -F'\t' 'NR > 1 && $3 != "" { print $1; exit }')
first=$(printf '%s\n' "$OUT" | awk -F'\t' 'NR > 1 && $3 != "" { print $2; exit }')
[ -n "$ct" ] || fail "no demo contact has a company"
for tp in Offer Reminder "Welcome letter"; do
	expect_ok demo letter "$tp" "$ct" -o "$T/letter.txt"
	grep -q "Dear $first " "$T/letter.txt" || fail "the demo's $tp letter does not greet $first: $(head -c 300 "$T/letter.txt")"
	! grep -q '[{}]' "$T/letter.txt" || fail "the demo's $tp letter has fields left unfilled: $(head -c 300 "$T/letter.txt")"
	grep -q "Demo Administrator" "$T/letter.txt" || fail "the demo's $tp letter is not signed by its writer"
	rm -f "$T/letter.txt"
done
expect_ok demo list template --fields filename
expect_out_contains offer.txt

# Search finds every record of the demo: its words index, filled sorted
# when the demo ends, has them all. Every contact's email is at example.com,
# and each contact is found by its last name and by its phone's number.
expect_ok demo list contact --fields id,last_name,phone
contacts=$(rows)
one=$(printf '%s\n' "$OUT" | sed -n 2p)
expect_ok demo list contact --search example --fields id
expect_eq "$(rows)" "$contacts"
last=$(printf '%s\n' "$one" | cut -f2)
number=$(printf '%s\n' "$one" | cut -f3 | awk '{ print $NF }')
expect_ok demo list contact --search "$last" --fields id
expect_out_contains "$(printf '%s\n' "$one" | cut -f1)"
expect_ok demo list contact --search "$number" --fields id
expect_out_contains "$(printf '%s\n' "$one" | cut -f1)"

# Users.
expect_ok demo user list
for u in demo anna ben carla; do
	printf '%s\n' "$OUT" | grep -q "^$u	" || fail "the demo has no user $u"
done
printf '%s\n' "$OUT" | grep -q "^demo	.*	admin	" || fail "demo is not an administrator"
# Each logs in with "demo"; ben is restricted and may not use the master.
CRM_PASSWORD=demo expect_ok "$CRM" -d "$D" -u anna list company --fields id
CRM_PASSWORD=demo expect_ok "$CRM" -d "$D" -u carla list company --fields id
CRM_PASSWORD=demo expect_fail "$CRM" -d "$D" -u ben list company
expect_err_contains ben
expect_err_contains restricted
# ...but ben can make a local of it.
use_service
CRM_PASSWORD=demo expect_ok "$CRM" -u ben init --local "$T/ben" --master "$(via "$D")"
CRM_PASSWORD=demo expect_ok "$CRM" -d "$T/ben" user list
expect_eq "$(rows)" 1
CRM_PASSWORD=wrong expect_fail "$CRM" -d "$D" -u demo list company

# --- refusals -------------------------------------------------------------------------
sum=$(md5sum <"$D/companies.db")
expect_fail "$CRM" demo "$D" --records 100
expect_err_contains "$D"
expect_eq "$(md5sum <"$D/companies.db")" "$sum"
expect_ok demo list company
[ "$(rows)" -ge 200 ] || fail "a refused demo changed the database"
expect_status 2 "$CRM" demo "$T/d2" --records abc
expect_status 2 "$CRM" demo "$T/d2" --records -5
expect_status 2 "$CRM" demo "$T/d2" --records 12x
expect_status 2 "$CRM" demo "$T/d2" --records
expect_status 2 "$CRM" demo
expect_status 2 "$CRM" demo "$T/d2" "$T/d3"
expect_status 2 "$CRM" demo "$T/d2" --bogus
[ ! -e "$T/d2/crm.conf" ] || fail "a bad demo command created a database"

# Demo documents carry the SHA-256 of their file, as attach does.
expect_ok demo get document "$DOC1"
expect_eq "$(field hash)" "$(sha256sum "$D/documents/$DOC1" | cut -d' ' -f1)"

finish
