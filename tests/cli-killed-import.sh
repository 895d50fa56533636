#!/bin/sh
# cli-killed-import.sh: a crm import killed at any moment (SIGKILL) leaves
# all of its file or none of it, on a local and on a master, and the next
# command recovers by itself; the temporary files of copies cut off by a
# kill are removed by the next sync, a live process's kept.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

# --- crm import killed half-way: all of the file or none of it -------------
M=$T/master
L=$T/local
make_master "$M"
CRM_PASSWORD=secret expect_ok "$CRM" -u root init --local "$L" --master "$M"
# rows N TAG: a CSV of N new companies, named after TAG.
rows_csv() {
	awk -v n="$1" -v tag="$2" 'BEGIN { print "name,phone,city"
		for (i = 0; i < n; i++)
			printf "Import %s %d,+1 555 %04d,City %d\n", tag, i, i % 10000, i % 97 }'
}
# count DIR: the companies in DIR.
count() {
	expect_ok root "$1" list company --fields name
	rows
}
# written PID: the bytes process PID has written so far (0 once it is gone).
written() {
	awk '/^wchar:/ { print $2 }' "/proc/$1/io" 2>/dev/null || echo 0
}
# The kill comes once the import has written a given number of bytes, so
# that it meets the import at the same point however fast the machine:
# opening, early in its transaction, late in it, at its commit.
for db in "$L" "$M"; do
	cut=0
	for at in 1 200000 2000000 6000000; do
		rows_csv 10000 "$at" >"$T/big.csv"
		before=$(count "$db")
		CRM_PASSWORD=secret "$CRM" -d "$db" -u root import company \
		    "$T/big.csv" >/dev/null 2>&1 &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			[ "$(written "$pid")" -lt "$at" ] || break
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || cut=$((cut + 1))
		# The next command recovers what the kill left, by itself.
		after=$(count "$db")
		[ "$after" -eq "$before" ] ||
		    [ "$after" -eq $((before + 10000)) ] ||
		    fail "crm import killed after writing $at bytes left $((after - before)) of 10000 companies in $db"
	done
	[ "$cut" -ge 2 ] || fail "only $cut kills met crm import in $db before it ended"
done
expect_ok root "$L" sync

# --- temporary files of copies cut off by a kill ----------------------------
# A download or an attach killed half-way leaves NAME.tmp-PID (or
# .attach-PID) in documents/ or templates/: the next sync removes those
# whose process is gone, and keeps a live process's.
sh -c 'exit 0' &
dead=$!
wait "$dead"
sleep 60 &
live=$!
id=01JA0000000000000000000000
printf 'half' >"$L/documents/$id.tmp-$dead"
printf 'half' >"$L/templates/$id.tmp-$dead"
printf 'half' >"$L/documents/.attach-$dead"
printf 'busy' >"$L/documents/$id.tmp-$live"
# The master's are removed under its lock: no one else copies into it then.
printf 'half' >"$M/documents/$id.tmp-$dead"
printf 'half' >"$M/documents/$id.up-$dead"
expect_ok root "$L" sync
kill "$live" 2>/dev/null || true
for f in "$L/documents/$id.tmp-$dead" "$L/templates/$id.tmp-$dead" \
    "$L/documents/.attach-$dead" "$M/documents/$id.tmp-$dead" \
    "$M/documents/$id.up-$dead"; do
	[ ! -e "$f" ] || fail "the sync left $f of a dead process"
done
[ -f "$L/documents/$id.tmp-$live" ] ||
    fail "the sync removed $L/documents/$id.tmp-$live of a live process"

finish
