#!/bin/sh
# Search inside words: crm list --search and crm query find text in the
# middle of a word ("ogist" in Logistics, "mann" in Hoffmann), through
# the vocabulary (store_vocab_find); it stays true as records are added,
# changed and deleted, after a sync, and in a database made before it.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
make_master "$M"
add() {
	root "$M" add "$@" || fail "cannot add $*"
}
# The words of a file's vocabulary, a line each, as stored.
vocab() {
	db5.3_dump -p -s vocab "$1" | sed -n '/^HEADER=END$/,/^DATA=END$/p' |
	    sed '1d;$d' | awk 'NR % 2 == 0' | sed 's/^ //; s/\\0a/\n/g'
}

BALTIC=$(add company name="Baltic Logistics AB" city=Göteborg)
HOFF=$(add company name="Hoffmann Maschinenbau" city=Graz)
add contact first_name=Jörg last_name=Hoffmann company="$HOFF" \
    email=jh@hoffmann.example >/dev/null
ANNA=$(add contact first_name=Anna last_name=Mann company="$BALTIC" \
    email=anna@baltic.example)
SOREN=$(add contact first_name=Søren last_name=Østergaard company="$BALTIC" \
    email=soren@baltic.example)
add contact first_name=Code last_name=Contact123 company="$BALTIC" \
    >/dev/null

# --- inside a word, in any case and without accents ---------------------------------
expect_ok root "$M" list company --search ogist --fields name
expect_eq "$OUT" "$(printf 'name\nBaltic Logistics AB')"
expect_ok root "$M" list company --search MASCHINEN --fields name
expect_eq "$OUT" "$(printf 'name\nHoffmann Maschinenbau')"
expect_ok root "$M" list company --search teborg --fields name
expect_eq "$OUT" "$(printf 'name\nBaltic Logistics AB')"
# At a word's start and inside one: both found.
expect_ok root "$M" list contact --search mann --fields last_name
expect_eq "$OUT" "$(printf 'last_name\nHoffmann\nMann')"
expect_ok root "$M" list contact --search stergå --fields first_name
expect_eq "$OUT" "$(printf 'first_name\nSøren')"
# By the company's name, inside it; with a second word of its own.
expect_ok root "$M" list contact --search "gistics ren" --fields first_name
expect_eq "$OUT" "$(printf 'first_name\nSøren')"
# One or two letters are found at a word's start only: "as" is the
# start of no word here, though inside Logistics and Maschinenbau.
expect_ok root "$M" list company --search as --fields name
expect_eq "$(rows)" 0
expect_ok root "$M" list company --search ba --fields name
expect_eq "$OUT" "$(printf 'name\nBaltic Logistics AB')"
# A word with a digit is found from its start only.
expect_ok root "$M" list contact --search contact12 --fields first_name
expect_eq "$OUT" "$(printf 'first_name\nCode')"
expect_ok root "$M" list contact --search ntact12 --fields first_name
expect_eq "$(rows)" 0
# mutt's query.
expect_ok root "$M" query ffman
expect_eq "$OUT" "$(printf 'crm: 1 match for "ffman"\njh@hoffmann.example\tJörg Hoffmann\tHoffmann Maschinenbau')"
expect_status 1 root "$M" query xyzzy

# --- changed and deleted ------------------------------------------------------------------
expect_ok root "$M" set contact "$ANNA" last_name=Wolfensteiner
expect_ok root "$M" list contact --search fenstein --fields last_name
expect_eq "$OUT" "$(printf 'last_name\nWolfensteiner')"
expect_ok root "$M" list contact --search mann --fields last_name
expect_eq "$OUT" "$(printf 'last_name\nHoffmann')"
expect_ok root "$M" delete contact "$SOREN"
expect_ok root "$M" list contact --search sterga --fields last_name
expect_eq "$(rows)" 0

# --- many words, added in no order: the vocabulary stays sorted and whole -------------
# 400 surnames of letters alone (no digit), made from their number, in
# an order that is not theirs: the vocabulary's entries fill and split.
awk 'BEGIN {
	split("b c d f g k l m n p r s t v z", c, " ")
	split("a e i o u", v, " ")
	print "first_name,last_name"
	for (i = 0; i < 400; i++) {
		j = (i * 263) % 400
		w = "Q"
		for (n = j; n > 0 || length(w) < 4; n = int(n / 15))
			w = w c[n % 15 + 1] v[n % 5 + 1]
		printf "Many,%sx\n", w
	}
}' >"$T/many.csv"
expect_ok root "$M" import contact "$T/many.csv"
vocab "$M/contacts.db" >"$T/vocab"
LC_ALL=C sort -c "$T/vocab" || fail "the vocabulary is not sorted"
[ "$(sort -u "$T/vocab" | wc -l)" -eq "$(wc -l <"$T/vocab")" ] ||
    fail "the vocabulary holds a word twice"
tail -n +2 "$T/many.csv" | cut -d, -f2 | tr 'A-Z' 'a-z' | sort -u >"$T/want"
[ "$(wc -l <"$T/want")" -eq 400 ] || fail "the names are not 400 different ones"
LC_ALL=C comm -23 "$T/want" "$T/vocab" >"$T/missing"
[ -s "$T/missing" ] && fail "not in the vocabulary: $(head -n 3 "$T/missing")"
[ "$(db5.3_dump -p -s vocab "$M/contacts.db" | sed -n '/^HEADER=END$/,/^DATA=END$/p' |
    wc -l)" -gt 6 ] || fail "the vocabulary was never split"
# Each found by its middle (its first letter left out).
for name in $(sed -n '1p;97p;200p;333p;400p' "$T/want"); do
	mid=$(printf '%s' "$name" | cut -c2-)
	expect_ok root "$M" list contact --search "$mid" --fields last_name
	expect_out_contains "$(printf '%s' "$name" | cut -c1 | tr 'a-z' 'A-Z')$mid"
done

# --- a local: its first sync, and the next ------------------------------------------------
L=$T/local
CRM_PASSWORD=secret expect_ok "$CRM" -u root init --local "$L" --master "$M"
expect_ok root "$L" sync
expect_ok root "$L" list company --search ogist --fields name
expect_eq "$OUT" "$(printf 'name\nBaltic Logistics AB')"
add company name="Kesselring Optics" >/dev/null
expect_ok root "$L" sync
expect_ok root "$L" list company --search SSELR --fields name
expect_eq "$OUT" "$(printf 'name\nKesselring Optics')"
# Written on the local, found there at once.
expect_ok root "$L" add company name="Unterwasserbau Süd"
expect_ok root "$L" list company --search wasser --fields name
expect_eq "$OUT" "$(printf 'name\nUnterwasserbau Süd')"

# --- a database made before the vocabulary gets it on first open ------------------------
O=$T/old
make_master "$O"
root "$O" add company name="Baltic Logistics AB" >/dev/null ||
    fail "cannot add to the old database"
rm -f "$T/companies.db"
for sub in $(db5.3_dump -l "$O/companies.db"); do
	[ "$sub" = vocab ] && continue
	db5.3_dump -s "$sub" "$O/companies.db" |
	    db5.3_load -c database="$sub" "$T/companies.db" ||
	    fail "cannot copy $sub of companies.db"
done
# meta.db without "vocab" (76 6f 63 61 62).
db5.3_dump "$O/meta.db" |
    awk '/^ 766f636162$/ { skip = 1; next } skip { skip = 0; next } { print }' \
    >"$T/meta.dump"
rm -f "$O/meta.db"
db5.3_load "$O/meta.db" <"$T/meta.dump" || fail "cannot rewrite meta.db"
mv "$T/companies.db" "$O/companies.db"
chmod 600 "$O/companies.db" "$O/meta.db"
db5.3_dump -l "$O/companies.db" | grep -qx vocab &&
    fail "the vocabulary is still there"
expect_ok root "$O" list company --search ogist --fields name
expect_eq "$OUT" "$(printf 'name\nBaltic Logistics AB')"
db5.3_dump -l "$O/companies.db" | grep -qx vocab ||
    fail "the vocabulary was not made"

finish
