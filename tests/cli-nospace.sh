#!/bin/sh
# A full disk at every write of a command (an add on the master and on the
# local, an import, an attached file's copy, an export): each that meets
# it fails with one message that says the disk is full and names where,
# leaves nothing half-written, and once space is back the next command
# works and both sides converge (crm sync --verify). See nospace.inc.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/nospace.inc"


# A command on the master: the company is there whole or not at all.
check_master_add() {
	_n=$(count root "$M" list company)
	[ "$_n" -eq 1 ] || [ "$_n" -eq 2 ] ||
	    fail "the master holds $_n companies after write $n"
	expect_ok root "$M" add company name=Again
	converge
}
full_loop "an add on the master" pair check_master_add "$M" 4 \
    env CRM_PASSWORD=secret "$CRM" -d "$M" -u root add company name=Full

# A command on the local.
check_local_add() {
	_n=$(count anna list company)
	[ "$_n" -eq 4 ] || [ "$_n" -eq 5 ] ||
	    fail "the local holds $_n companies after write $n"
	expect_ok anna add company name=Again account_manager=ANNA1
	converge
}
full_loop "an add on the local" pair check_local_add "$L" 4 \
    anna add company name=Full account_manager=ANNA1

# An import: all five or none.
check_import() {
	_n=$(count anna list company)
	[ "$_n" -eq 4 ] || [ "$_n" -eq 9 ] ||
	    fail "the local holds $_n companies after an import cut at write $n"
	converge
}
full_loop "an import" pair check_import "$L" 4 \
    anna import company "$T/five.csv"

# An attached file copied into the local.
check_attach() {
	[ "$(ls "$L/documents" | wc -l)" -eq $((2 + 1 - FAILED)) ] ||
	    fail "the local's documents/ after an attachment cut at write $n"
	expect_ok anna attach company "$c1" "$T/price.txt" --description Again
	converge
}
full_loop "an attachment" pair check_attach "$L" 4 \
    anna attach company "$c1" "$T/price.txt" --description Full

# An export: the file is whole or not there.
check_export() {
	[ "$FAILED" -eq 0 ] || [ ! -e "$T/out.csv" ] ||
	    fail "a half-written $T/out.csv after write $n"
	[ ! -e "$T/out.csv.tmp" ] || fail "$T/out.csv.tmp is left after write $n"
	expect_ok anna export company "$T/out.csv"
	rm -f "$T/out.csv"
}
full_loop "an export" pair check_export "is full" 1 \
    anna export company "$T/out.csv"
rm -f "$T/out.csv"

echo "cli-nospace.sh: $TOTAL writes met a full disk in all"
finish
