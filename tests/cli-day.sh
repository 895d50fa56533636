#!/bin/sh
# A day at the keyboard, on the command line: search that finds (crm
# query, crm list --search) through the index, links that agree,
# duplicates (listed, merged, asked about), user IDs unique in any case,
# deleted records brought back, dates as people write them, an older
# database upgraded on first open.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
make_master "$M"
add() {
	root "$M" add "$@" || fail "cannot add $*"
}

LODZ=$(add company name="Łódź Handel 05" city=Łódź phone="+48 42 633 12 34")
CAFE=$(add company name="Zoë Café" city=Zürich)
ACME=$(add company name="Acme GmbH" city=Hamburg)
ZOE=$(add contact first_name=Zoë last_name=Ångström company="$CAFE" \
    email=zoe@cafe.example)
EVE=$(add contact first_name=Eve last_name=Lee01 company="$ACME" \
    email=eve@acme.example)
BEA=$(add contact first_name=Bea last_name=Keller company="$ACME" \
    email=bea@acme.example mobile="+49 170 555 1234")
NOMAIL=$(add contact first_name=Nomail last_name=Zoe company="$CAFE")

# --- 1. search finds what is typed: accents, any word, first names, company -------
expect_ok root "$M" list company --search zoe --fields name
expect_eq "$OUT" "$(printf 'name\nZoë Café')"
expect_ok root "$M" list company --search lodz --fields name
expect_eq "$OUT" "$(printf 'name\nŁódź Handel 05')"
expect_ok root "$M" list company --search handel --fields name
expect_eq "$OUT" "$(printf 'name\nŁódź Handel 05')"
# A contact by first name, by last name, by company; words in any order.
expect_ok root "$M" list contact --search eve --fields first_name
expect_eq "$OUT" "$(printf 'first_name\nEve')"
expect_ok root "$M" list contact --search "acme bea" --fields first_name
expect_eq "$OUT" "$(printf 'first_name\nBea')"
expect_ok root "$M" list contact --search cafe --fields last_name
expect_eq "$OUT" "$(printf 'last_name\nÅngström\nZoe')"
# A phone number by its digits, however it is typed.
expect_ok root "$M" list company --search "042 6331" --fields name
expect_eq "$OUT" "$(printf 'name\nŁódź Handel 05')"
expect_ok root "$M" list contact --search "5551234" --fields first_name
expect_eq "$OUT" "$(printf 'first_name\nBea')"
# --where narrows a search too; an empty search is a usage error.
expect_ok root "$M" list contact --search acme --where first_name=Eve \
    --fields first_name
expect_eq "$OUT" "$(printf 'first_name\nEve')"
expect_status 2 root "$M" list contact --search ""
# mutt's query: zoe and zoë find the same; contacts without email left out.
expect_ok root "$M" query zoe
expect_eq "$OUT" "$(printf 'crm: 1 match for "zoe"\nzoe@cafe.example\tZoë Ångström\tZoë Café')"
expect_ok root "$M" query zoë
expect_eq "$(rows)" 1
expect_status 1 root "$M" query lodz
expect_eq "$OUT" 'crm: no contact matches "lodz"'

# --- 6. through the index: a query reads what it finds, not every contact ----------
# 300 contacts more; a query for one of them reads a handful of records.
i=0
while [ $i -lt 300 ]; do
	printf 'Filler%03d,Person,f%03d@example.com\n' "$i" "$i"
	i=$((i + 1))
done >"$T/filler.body"
{ echo "first_name,last_name,email"; cat "$T/filler.body"; } >"$T/filler.csv"
expect_ok root "$M" import contact "$T/filler.csv"
CRM_STATS=1 root "$M" query keller >"$T/q.out" 2>"$T/q.err" ||
    fail "crm query keller failed"
read_n=$(sed -n 's/^crm: stats: [0-9]* opened, \([0-9]*\) records read$/\1/p' "$T/q.err")
[ -n "$read_n" ] || fail "no stats line: $(cat "$T/q.err")"
[ "$read_n" -le 20 ] || fail "crm query keller read $read_n records (of 300 and more)"
CRM_STATS=1 root "$M" list contact --search filler017 --fields email \
    >"$T/l.out" 2>"$T/l.err" || fail "list --search failed"
expect_eq "$(cat "$T/l.out")" "$(printf 'email\nf017@example.com')"
read_n=$(sed -n 's/^crm: stats: [0-9]* opened, \([0-9]*\) records read$/\1/p' "$T/l.err")
[ "$read_n" -le 20 ] || fail "list --search filler017 read $read_n records"

# --- 3. links stay true: a note's contact works for its company --------------------
expect_fail root "$M" add note subject="Wrong link" company="$LODZ" contact="$BEA"
expect_err_contains 'note contact "Bea Keller" works for "Acme GmbH", not "Łódź Handel 05"'
# A contact alone brings its company: the note is in Acme's pane.
N=$(add note subject="About Bea" contact="$BEA")
expect_ok root "$M" get note "$N"
expect_eq "$(field company)" "$ACME"
expect_ok root "$M" list note --where company="$ACME" --fields subject
expect_out_contains "About Bea"
# Moving it to another company alone is refused too; both together works.
expect_fail root "$M" set note "$N" company="$LODZ"
expect_err_contains "works for \"Acme GmbH\""
expect_ok root "$M" set note "$N" company="$CAFE" contact="$ZOE"
# An import with a wrong link is refused whole, naming the line.
printf 'subject,company,contact\nFine,%s,%s\nBad,%s,%s\n' "$ACME" "$EVE" \
    "$CAFE" "$EVE" >"$T/notes.csv"
expect_fail root "$M" import note "$T/notes.csv"
expect_err_contains 'works for "Acme GmbH", not "Zoë Café"'
expect_ok root "$M" list note --where subject=Fine --fields id
expect_eq "$(rows)" 0

# --- 7. a new note is dated; dates as people write them ----------------------------
echo secret >"$T/pw"
N2=$(faketime '2026-11-25 10:00:00' "$CRM" -d "$M" -u root \
    --password-file "$T/pw" add note subject="Dated") ||
    fail "cannot add a note under faketime"
expect_ok root "$M" get note "$N2"
expect_eq "$(field date)" 2026-11-25
# Wednesday 25 November 2026: tomorrow, +3, -1w, fri, a D.M.Y date, a time.
for pair in tomorrow=2026-11-26 +3=2026-11-28 -1w=2026-11-18 fri=2026-11-27 \
    wed=2026-11-25 +1m=2026-12-25 24.12.2026=2026-12-24 \
    "tom 14:30=2026-11-26T14:30"; do
	typed=${pair%%=*}
	want=${pair#*=}
	TASK=$(faketime '2026-11-25 10:00:00' "$CRM" -d "$M" -u root \
	    --password-file "$T/pw" add task subject="Due $typed" \
	    due="$typed") || fail "due=$typed refused"
	expect_ok root "$M" get task "$TASK"
	[ "$(field due)" = "$want" ] ||
	    fail "due=$typed gave $(field due), not $want"
done
expect_fail root "$M" add task subject=Bad due=2026-02-30
expect_err_contains 'is not a date'

# --- 4. duplicates: listed, merged (links moved, the loser logged) -------------------
C1=$(add company name="Clerk Co 01")
C2=$(add company name="CLERK CO 01" city=Lyon phone="+33 1 23")
C3=$(add company name="Clerk Co 01" city=Graz)
add contact first_name=Ann last_name=Clerk company="$C2" >/dev/null
expect_ok root "$M" duplicates company
expect_eq "$(rows)" 3
expect_out_contains "$(printf '1\t%s\tClerk Co 01\t\t' "$C1")"
expect_out_contains "$(printf '1\t%s\tCLERK CO 01\tLyon\t' "$C2")"
expect_ok root "$M" merge company "$C1" "$C2"
expect_err_contains "1 linked record moved"
expect_ok root "$M" get company "$C1"
expect_eq "$(field city)" Lyon
expect_eq "$(field phone)" "+33 1 23"
expect_status 1 root "$M" get company "$C2"
expect_ok root "$M" list contact --where last_name=Clerk --fields company
expect_eq "$OUT" "$(printf 'company\n%s' "$C1")"
# The one merged is kept whole in the conflict log.
expect_ok root "$M" conflicts
expect_out_contains "merged into company \"Clerk Co 01\""
expect_status 2 root "$M" merge note "$C1" "$C3"
expect_fail root "$M" merge company "$C1" "$C1"
# User IDs are unique whatever their case.
export CRM_NEW_PASSWORD=Zoe-Pass-77
expect_ok root "$M" user add zoe --id zoe01
expect_fail root "$M" user add zoe2 --id ZOE01
unset CRM_NEW_PASSWORD
expect_err_contains "the user ID ZOE01 is taken by zoe as zoe01"

# --- 7. deleted records listed and brought back ------------------------------------
expect_ok root "$M" delete contact "$NOMAIL"
expect_ok root "$M" undelete
expect_out_contains "$(printf 'contact\t%s\tNomail Zoe\t' "$NOMAIL")"
expect_ok root "$M" undelete contact "$(printf '%s' "$NOMAIL" | cut -c1-10)"
expect_err_contains 'contact "Nomail Zoe" is back'
expect_ok root "$M" get contact "$NOMAIL"
expect_eq "$(field company)" "$CAFE"
expect_ok root "$M" undelete
expect_out_lacks "Nomail"
expect_fail root "$M" undelete contact "$NOMAIL"
# A company deleted, then its contact: the contact waits for the company.
L1=$(add company name="Gone Ltd")
L2=$(add contact first_name=Gus last_name=Gone company="$L1")
expect_ok root "$M" delete contact "$L2"
expect_ok root "$M" delete company "$L1"
expect_fail root "$M" undelete contact "$L2"
expect_err_contains 'contact "Gus Gone" cannot come back'
expect_ok root "$M" undelete company "$L1"
expect_ok root "$M" undelete contact "$L2"
# Within the rights: anna may not bring back what she may not delete.
add_user "$M" anna ANNA1 Anna-Pass-77 --type user
expect_fail root "$M" delete company "$CAFE"
expect_err_contains 'company "Zoë Café" still has'
A1=$(as anna Anna-Pass-77 "$M" add company name="Annas Laden") ||
    fail "anna cannot add a company"
expect_ok as anna Anna-Pass-77 "$M" delete company "$A1"
expect_ok root "$M" delete company "$LODZ"
expect_ok as anna Anna-Pass-77 "$M" undelete
expect_out_contains "Annas Laden"
expect_out_lacks "Łódź"
expect_fail as anna Anna-Pass-77 "$M" undelete company "$LODZ"

# --- 1. an older database: its name and words indexes are made on first open ------
# companies.db loses its words index and meta.db the version of the
# folding, as a database of schema 1 was; the next command makes both
# indexes again, and a search finds through them.
if command -v db5.3_dump >/dev/null 2>&1 && command -v db5.3_load >/dev/null 2>&1; then
	O=$T/old
	make_master "$O"
	root "$O" add company name="Łódź Handel 05" >/dev/null ||
	    fail "cannot add to the old database"
	rm -f "$T/companies.db"
	for sub in $(db5.3_dump -l "$O/companies.db"); do
		[ "$sub" = words ] && continue
		db5.3_dump -s "$sub" "$O/companies.db" |
		    db5.3_load -c database="$sub" "$T/companies.db" ||
		    fail "cannot copy $sub of companies.db"
	done
	db5.3_dump "$O/meta.db" |
	    awk '/^ 666f6c64$/ { skip = 1; next } skip { skip = 0; next } { print }' \
	    >"$T/meta.dump"
	rm -f "$O/meta.db"
	db5.3_load "$O/meta.db" <"$T/meta.dump" || fail "cannot rewrite meta.db"
	mv "$T/companies.db" "$O/companies.db"
	chmod 600 "$O/companies.db" "$O/meta.db"
	db5.3_dump -l "$O/companies.db" | grep -qx words &&
	    fail "the words index is still there"
	expect_ok root "$O" list company --search lodz --fields name
	expect_eq "$OUT" "$(printf 'name\nŁódź Handel 05')"
	db5.3_dump -l "$O/companies.db" | grep -qx words ||
	    fail "the words index was not made"
fi

finish
