#!/bin/sh
# cli-damaged.sh: a damaged file is named for what it is, with what to do:
# a B-tree list written over is a damaged file, not a missing one; a log
# that fails its checksums is named as the log, not as a file recovery
# could not open; a master's meta.db that lost its ID is damage, not
# another master; a local's region files written over are made again.
# And numeric options refuse what overflows.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
L=$T/local
make_master "$M"
CRM_PASSWORD=secret expect_ok "$CRM" -u root init --local "$L" --master "$M"
expect_ok root "$L" add company name=Acme
expect_ok root "$L" sync

# poke FILE OFFSET BYTES: write BYTES over FILE at OFFSET.
poke() {
	printf '%s' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null ||
	    fail "cannot write into $1"
}
# offset FILE STRING: the first byte offset of STRING in FILE.
offset() {
	_o=$(grep -obUa "$2" "$1" | head -n 1 | cut -d: -f1)
	[ -n "$_o" ] || fail "$1 holds no \"$2\""
	echo "$_o"
}
# copy DIR NAME: a copy of the database DIR to damage, closed cleanly; a
# local's region files go (they cache the pages about to be damaged).
copy() {
	rm -rf "$T/$2"
	cp -a "$1" "$T/$2"
	rm -f "$T/$2"/__db.0*
	echo "$T/$2"
}

# --- 1. companies.db damaged -----------------------------------------------
# On the master, the name of its "records" B-tree changes by one byte:
# Berkeley DB cannot find it and says ENOENT, which is not a missing file.
# A local is encrypted, names and all: a page written over there fails its
# checksum, which Berkeley DB reports as a need for recovery.
for db in "$M" "$L"; do
	C=$(copy "$db" c1)
	case $db in
	"$M")
		poke "$C/companies.db" \
		    $(($(offset "$C/companies.db" records) + 6)) X
		expect_fail root "$C" list company
		expect_err_contains "$C/companies.db is damaged"
		expect_err_contains "list of the B-trees"
		expect_err_contains "restore the master from a backup" ;;
	*)
		poke "$C/companies.db" 8292 XXXXXXXX
		expect_fail root "$C" list company
		expect_err_contains "companies.db: page 1 fails its checksum"
		expect_err_contains "make the local again from its master" ;;
	esac
	case $ERR in *missing* | *"start crm again"*)
		fail "a damaged companies.db is said to be missing or to need recovery" ;; esac
	# crm verify names it too, and only it: with the key, for a local.
	CRM_PASSWORD=secret expect_status 1 "$CRM" -d "$C" verify
	expect_out_contains "$C/companies.db is damaged"
	[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] ||
	    fail "crm verify named more than companies.db: $OUT"
	expect_err_contains "1 damaged file"
done
# Whole databases pass. A master's files are only read, with no login; an
# encrypted local's are read with its key, its user's password.
expect_ok "$CRM" -d "$M" verify
expect_out_contains "read back whole"
CRM_PASSWORD=secret expect_ok "$CRM" -d "$L" verify
expect_out_contains "read back whole"
CRM_PASSWORD=wrong expect_fail "$CRM" -d "$L" verify
expect_err_contains "wrong login or password"
# ... but not a local another crm has open (its shared lock on open.lock).
if command -v flock >/dev/null 2>&1; then
	flock -s "$L/open.lock" sleep 30 &
	holder=$!
	# Until it holds the lock: an exclusive one cannot be had then.
	i=0
	while flock -n -x "$L/open.lock" true 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "flock never took $L/open.lock"
		sleep 0.05
	done
	CRM_PASSWORD=secret expect_fail "$CRM" -d "$L" verify
	expect_err_contains "open in another crm"
	kill "$holder"
	wait "$holder" 2>/dev/null || true
fi

# --- 2. the log damaged where recovery must read it -------------------------
# An import killed half-way leaves a transaction that recovery rolls back,
# reading the log from before it: a record there that fails its checksum
# is the log's damage.
M2=$T/master2
make_master "$M2"
awk 'BEGIN { print "name,city"
	for (i = 0; i < 30000; i++) printf "Import %d,City %d\n", i, i % 97 }' \
    >"$T/big.csv"
CRM_PASSWORD=secret "$CRM" -d "$M2" -u root import company "$T/big.csv" \
    >/dev/null 2>&1 &
pid=$!
i=0
# Killed once the fourth log file is begun: the damaged second one is then
# well inside the log, not its end, which recovery would take for a
# write the crash cut short and drop.
while [ ! -f "$M2/log.0000000004" ] && [ $i -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
[ -f "$M2/log.0000000004" ] || fail "the import wrote no fourth log file"
[ -s "$M2/lock" ] || fail "the killed import did not leave its holder in $M2/lock"
C=$(copy "$M2" c2)
dd if=/dev/urandom of="$C/log.0000000002" bs=1 seek=1000000 count=64 \
    conv=notrunc 2>/dev/null
expect_fail root "$C" list company
expect_err_contains "$C/log.0000000002 is damaged"
expect_err_contains "checksum"
expect_err_contains "restore the master from a backup"
case $ERR in *issues.db*|*"run the command again"*)
	fail "a damaged log is not named as the damage" ;; esac
expect_status 1 "$CRM" -d "$C" verify
expect_out_contains "$C/log.0000000002 is damaged"
# The same master, its log whole, recovers by itself: nothing half-imported.
expect_ok root "$M2" list company
expect_eq "$(rows)" 0

# --- 3. the master's meta.db lost its ID ------------------------------------
# The key "id" becomes "iX": the master cannot say which it is. That is
# damage, not a local pointed at another master.
C=$(copy "$M" c3)
off=$(grep -obUaP '\x02\x00\x01id' "$C/meta.db" | head -n 1 | cut -d: -f1)
[ -n "$off" ] || fail "no key \"id\" found in $C/meta.db"
poke "$C/meta.db" $((off + 4)) X
L3=$(copy "$L" l3)
for cmd in "config set db.master $C" sync; do
	[ "$cmd" = sync ] &&
	    sed -i "s|master = \".*\";|master = \"$C\";|" "$L3/crm.conf"
	expect_fail root "$L3" $cmd
	expect_err_contains "$C/meta.db is damaged"
	expect_err_contains "restore the master from a backup"
	case $ERR in *"not the master this local"*)
		fail "a damaged meta.db is said to be another master" ;; esac
done

# --- 4. a local's region file written over ----------------------------------
# Regions hold nothing durable: crm removes them and recovers, and the
# local goes on with what it held ("Cannot allocate memory" before, for
# good). An encrypted local's __db.001 only names its shared memory, and
# is gone once the last crm lets it go: here it is as a crm killed while
# it held the local would leave it, then written over.
L4=$T/l4
rm -rf "$L4"
cp -a "$L" "$L4"
expect_ok root "$L4" list company
dd if=/dev/urandom of="$L4/__db.001" bs=4096 count=4 conv=notrunc 2>/dev/null
expect_ok root "$L4" list company --fields name
expect_out_contains Acme
poke "$L4/__db.001" 0 XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
expect_ok root "$L4" add company name=Globex
expect_ok root "$L4" sync

# --- 5. numbers that overflow -----------------------------------------------
expect_status 2 root "$L" sync --wait 99999999999999999999
expect_err_contains "--wait"
expect_status 2 root "$L" sync --wait 12x
expect_status 2 "$CRM" demo "$T/d" --records 99999999999999999999
expect_err_contains "--records"
[ ! -e "$T/d" ] || fail "crm demo with a refused --records made $T/d"

finish
