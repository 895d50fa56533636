#!/bin/sh
# A really full disk: a master, and then a local, on a 20 MB tmpfs.
#
# 1. A master whose filesystem fills up during a sync of 6,000 new
#    companies says its disk is full (it said "opening its files: No such
#    file or directory"), and once space is freed the next sync recovers
#    it by itself and both sides converge (it said "needs recovery" at
#    every later command, and listed no companies).
# 2. A local whose first sync runs out of space says so; the commands
#    after it work or say the disk is full (they said "File exists"), and
#    once space is freed the next sync converges.
# 3. A local whose disk fills up before it makes its environment afresh
#    (after a first sync): its commands say the disk is full (they died of
#    SIGBUS, touching a region file whose blocks could not be allocated).
# 4. A long list whose temporary file's disk is full lists the same rows.
#
# Mounting a tmpfs needs root: elsewhere, or where mount fails, skipped.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "nospace-tmpfs.sh: mounting a tmpfs needs root; skipped" >&2
	exit 77
fi
DISK=$T/disk
mkdir -p "$DISK"
if ! mount -t tmpfs -o size=20m tmpfs "$DISK" 2>"$T/mount.err"; then
	echo "nospace-tmpfs.sh: cannot mount a tmpfs ($(cat "$T/mount.err"));" \
	    "skipped" >&2
	exit 77
fi
trap 'umount "$DISK" 2>/dev/null' EXIT

anna() {
	CRM_PASSWORD=annapw "$CRM" -d "$L" "$@"
}

# fill FREE_KB: fill the tmpfs until FREE_KB kilobytes are left.
fill() {
	_free=$(df -k "$DISK" | awk 'NR == 2 { print $4 }')
	_kb=$((_free - $1))
	[ "$_kb" -le 0 ] ||
	    dd if=/dev/zero of="$DISK/filler" bs=1024 count="$_kb" \
	    2>/dev/null || :
	# dd stops at the end of the disk: full is full.
}

# expect_no_signal: the last command ended by itself (no SIGBUS: 135).
expect_no_signal() {
	[ "$STATUS" -lt 128 ] || fail "ended by signal $((STATUS - 128))"
}

# expect_full_of DIR: failed with one message that the disk of DIR is full.
expect_full_of() {
	expect_no_signal
	[ "$STATUS" -eq 1 ] || fail "expected status 1"
	expect_one_message
	expect_err_contains "is full"
	expect_err_contains "$1"
}

awk 'BEGIN { print "name,phone,city,account_manager,description";
    for (i = 0; i < 6000; i++)
	printf "Company %d,+49 30 %07d,City %d,ANNA1,%s\n", i, i, i % 50,
	    "a description long enough to make each record take some room" }' \
    >"$T/companies.csv"

# --- 1. the master's disk fills up -------------------------------------------
M=$DISK/master
L=$T/local
make_master "$M"
add_user "$M" anna ANNA1 annapw
CRM_PASSWORD=annapw "$CRM" -u anna init --local "$L" --master "$M" \
    >/dev/null || fail "cannot make the local"
expect_ok anna sync
expect_ok anna import company "$T/companies.csv"

# Full to the last byte: the attach cannot even write the lock's line.
fill 0
run anna sync
expect_full_of "$M"
# Nearly full: the sync runs out of space while it writes the companies.
rm -f "$DISK/filler"
fill 2048
run anna sync
expect_full_of "$M"
run root "$M" list company
expect_no_signal

# Space is freed: the next attach recovers the master by itself.
rm -f "$DISK/filler"
expect_ok anna sync
expect_ok anna sync --verify
expect_out_contains "0 difference(s)"
expect_ok root "$M" list company
[ "$(rows)" -eq 6000 ] || fail "the master lists $(rows) companies, not 6000"
expect_ok root "$M" add company name=Afterwards
if command -v db5.3_verify >/dev/null 2>&1; then
	for f in "$M"/*.db; do
		db5.3_verify -q -h "$M" "$f" ||
		    fail "db5.3_verify finds $f damaged"
	done
fi

# --- 2. the local's disk fills up --------------------------------------------
rm -rf "$M" "$L"
M=$T/master
L=$DISK/local
make_master "$M"
add_user "$M" anna ANNA1 annapw
# 2,000 companies: a local's cache (its region files) grows with what it
# reads, up to 16 MB, and 6,000 need more than a 20 MB disk has beside it.
head -n 2001 "$T/companies.csv" >"$T/2000.csv"
root "$M" import company "$T/2000.csv" >/dev/null ||
    fail "cannot import on the master"
CRM_PASSWORD=annapw "$CRM" -u anna init --local "$L" --master "$M" \
    >/dev/null || fail "cannot make the local"
# Room for the local's environment, not for 2,000 companies besides.
fill 1024
run anna sync
expect_full_of "$L"
[ ! -e "$L/load" ] || fail "the failed first sync left $L/load"
run anna list company
expect_no_signal
[ "$STATUS" -eq 0 ] || expect_full_of "$L"
printf 'name,account_manager\nOn the road,ANNA1\n' >"$T/one.csv"
run anna import company "$T/one.csv"
expect_no_signal
[ "$STATUS" -eq 0 ] || expect_full_of "$L"
# Not a byte left: still a message, never a bus error.
fill 0
run anna import company "$T/one.csv"
expect_no_signal
[ "$STATUS" -eq 0 ] || expect_full_of "$L"
run anna add company name=Full account_manager=ANNA1
expect_no_signal
[ "$STATUS" -eq 0 ] || expect_full_of "$L"

# Space is freed: the next sync loads the local and converges.
rm -f "$DISK/filler"
expect_ok anna sync
expect_ok anna sync
expect_ok anna sync --verify
expect_out_contains "0 difference(s)"
expect_ok anna list company
[ "$(rows)" -ge 2000 ] || fail "the local lists $(rows) companies, not 2000"

# --- 3. the disk fills up while the local has no environment ----------------
# A first sync replaces the local's files and removes its environment: the
# next command makes its region files afresh, and Berkeley DB maps them
# into memory. With a little space left, the last page of each fitted and
# the pages before it could not be had: crm list and crm export died of
# SIGBUS (status 135) at the first touch of them.
rm -rf "$L"
CRM_PASSWORD=annapw "$CRM" -u anna init --local "$L" --master "$M" \
    >/dev/null || fail "cannot make the local again"
expect_ok anna sync
for free in 256 1024 2048; do
	rm -f "$DISK/filler"
	fill "$free"
	run anna list company
	expect_no_signal
	[ "$STATUS" -eq 0 ] || expect_full_of "$L"
	run anna export company "$T/out.csv"
	expect_no_signal
	[ "$STATUS" -eq 0 ] || expect_full_of "$L"
done
rm -f "$DISK/filler"
expect_ok anna list company
[ "$(rows)" -ge 2000 ] || fail "the local lists $(rows) companies, not 2000"
expect_ok anna sync
expect_ok anna sync --verify
expect_out_contains "0 difference(s)"

# --- 4. a long list's temporary file on a full disk -------------------------
# A list of more rows than a window holds sets them aside in a temporary
# file under TMPDIR (in a test build, CRM_FAULT_LIST_WINDOW makes 2,000
# rows more than a window). Where that disk is full, from the first byte
# or part way, the list goes a window at a time: the same rows, and
# nothing left in the directory.
rm -rf "$L"
rm -f "$DISK/filler"
mkdir "$DISK/tmp"
expect_ok root "$M" list company
printf '%s\n' "$OUT" >"$T/companies.list"
TMPDIR=$DISK/tmp CRM_FAULT_LIST_WINDOW=8192 CRM_STATS=1 expect_ok root "$M" list company
expect_eq "$OUT" "$(cat "$T/companies.list")"
expect_err_contains "temporary files"
for free in 0 24; do
	rm -f "$DISK/filler"
	fill "$free"
	TMPDIR=$DISK/tmp CRM_FAULT_LIST_WINDOW=8192 expect_ok root "$M" list company
	expect_eq "$OUT" "$(cat "$T/companies.list")"
	expect_eq "$(ls -A "$DISK/tmp")" ""
done
rm -f "$DISK/filler"

finish
