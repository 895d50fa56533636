#!/bin/sh
# crm list of more records than one window holds (cli_list_window): the
# records are read a window at a time in ID order and written in name
# order, so the name order, the equal names in ID order, the deleted
# records and --where must come out as one walk of the index would.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
make_master "$M"

# 2,600 contacts whose names are not in the order they are made (their
# IDs), and 100 of one name; the first window holds 1,024 rows.
awk 'BEGIN {
	srand(7)
	for (i = 0; i < 2600; i++) n[i] = i
	for (i = 2599; i > 0; i--) {
		j = int(rand() * (i + 1)); t = n[i]; n[i] = n[j]; n[j] = t
	}
	print "first_name,last_name,email,city"
	for (i = 0; i < 2600; i++) {
		printf "Ann,Firm %04d,f%d@example.com,Town %d\n", n[i], i, n[i] % 7
		if (i % 26 == 0) printf "Ann,Twin,t%d@example.com,Town 9\n", i
	}
}' >"$T/people.csv"
expect_ok root "$M" import contact "$T/people.csv"

expect_ok root "$M" list contact --fields id,last_name,city
printf '%s\n' "$OUT" >"$T/all"
expect_eq "$(rows)" 2700
tail -n +2 "$T/all" | cut -f2 | LC_ALL=C sort -c ||
    fail "list contact is not in name order"
expect_eq "$(tail -n +2 "$T/all" | cut -f2 | sort -u | wc -l | tr -d ' ')" 2601
# Equal names in ID order, as the index keeps them.
grep "$(printf '\tTwin\t')" "$T/all" | cut -f1 >"$T/twins"
expect_eq "$(wc -l <"$T/twins" | tr -d ' ')" 100
LC_ALL=C sort -c "$T/twins" || fail "the contacts named Twin are not in ID order"

# Deleted records are not listed, wherever their window.
D1=$(grep "$(printf '\tFirm 0003\t')" "$T/all" | cut -f1)
D2=$(grep "$(printf '\tFirm 1500\t')" "$T/all" | cut -f1)
D3=$(sed -n 2650p "$T/all" | cut -f1)
for d in "$D1" "$D2" "$D3"; do
	expect_ok root "$M" delete contact "$d"
done
expect_ok root "$M" list contact --fields id,last_name,city
expect_eq "$(rows)" 2697
for d in "$D1" "$D2" "$D3"; do
	expect_out_lacks "$d"
done
printf '%s\n' "$OUT" >"$T/left"
expect_eq "$(grep -v -e "$D1" -e "$D2" -e "$D3" "$T/all")" "$(cat "$T/left")"

# --where on a field no index answers: the rows of the whole list that
# match, in its order.
expect_ok root "$M" list contact --fields id,last_name,city --where "city=Town 3"
expect_eq "$(printf '%s\n' "$OUT" | tail -n +2)" \
    "$(grep "$(printf '\tTown 3$')" "$T/left")"
[ "$(rows)" -gt 300 ] || fail "list --where found $(rows) rows of Town 3"

# More rows than a window holds: every record read in one pass, each row
# set aside in a temporary file by its place, the buckets written out in
# order (cli-list.c). A test build's window of 8 KB makes 2,697 rows
# take that way, as a million take it with 16 MB: the same rows.
CRM_FAULT_LIST_WINDOW=8192 CRM_STATS=1 expect_ok root "$M" list contact --fields id,last_name,city
expect_eq "$OUT" "$(cat "$T/left")"
expect_err_contains "temporary files"
CRM_FAULT_LIST_WINDOW=8192 CRM_STATS=1 expect_ok root "$M" list contact --fields id,last_name,city --where "city=Town 3"
expect_eq "$(printf '%s\n' "$OUT" | tail -n +2)" \
    "$(grep "$(printf '\tTown 3$')" "$T/left")"
expect_err_contains "temporary files"
# The temporary file leaves nothing: no name while it is used, and the
# directory it was made in as empty after as before.
mkdir "$T/tmp"
TMPDIR=$T/tmp CRM_FAULT_LIST_WINDOW=8192 expect_ok root "$M" list contact --fields id,last_name,city
expect_eq "$OUT" "$(cat "$T/left")"
expect_eq "$(ls -A "$T/tmp")" ""
# No temporary file to be had (no such directory), or a disk that fills
# up at its first write or at a later one: the same rows, a window at a
# time.
TMPDIR=$T/none CRM_FAULT_LIST_WINDOW=8192 CRM_STATS=1 expect_ok root "$M" list contact --fields id,last_name,city
expect_eq "$OUT" "$(cat "$T/left")"
case $ERR in *"temporary files"*) fail "a temporary file was made in $T/none" ;; esac
# The list's own writes (its lock) come first: find the first write
# number past them, the temporary file's first. A command that met the
# full disk leaves the master to be recovered by the next, which writes
# more: a list without the fault comes before each try.
n=1
while :; do
	expect_ok root "$M" list contact
	! CRM_FAULT_ENOSPC=$n root "$M" list contact >/dev/null 2>&1 || break
	n=$((n + 1))
	[ "$n" -lt 50 ] || fail "list contact writes more than 50 times"
done
for k in 0 4 30; do
	expect_ok root "$M" list contact
	CRM_FAULT_ENOSPC=$((n + k)) CRM_FAULT_LIST_WINDOW=8192 CRM_STATS=1 \
	    expect_ok root "$M" list contact --fields id,last_name,city
	expect_eq "$OUT" "$(cat "$T/left")"
	# The temporary file was begun on.
	expect_err_contains "temporary files"
done

# A first screenful, the rest of the output gone: crm stops at once.
root "$M" list contact --fields id,last_name,city 2>"$T/head.err" |
    head -n 51 >"$T/head" || true
expect_eq "$(cat "$T/head")" "$(head -n 51 "$T/left")"

# Rows far longer than those of the first screenful: the buckets cut by
# the first rows' size would be too big to read back whole, and the
# list goes a window at a time instead: the same rows.
awk 'BEGIN {
	print "first_name,last_name,city"
	for (i = 0; i < 300; i++) {
		printf "Zed,Zulu %03d,", i
		for (k = 0; k < 900; k++) printf "x"
		printf "\n"
	}
}' >"$T/long.csv"
expect_ok root "$M" import contact "$T/long.csv"
expect_ok root "$M" list contact --fields id,last_name,city
printf '%s\n' "$OUT" >"$T/long"
expect_eq "$(rows)" 2997
CRM_FAULT_LIST_WINDOW=8192 expect_ok root "$M" list contact --fields id,last_name,city
expect_eq "$OUT" "$(cat "$T/long")"

finish
