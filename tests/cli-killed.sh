#!/bin/sh
# cli-killed.sh: a crm killed at any moment (SIGKILL: nothing of it runs
# after) leaves the database as it was before or as it would be after,
# and what it left half-made is cleaned up or refused in words a user can
# act on. Here crm demo; crm import and the temporary files of file
# copies are in cli-killed-import.sh.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

# --- crm demo killed at several moments -----------------------------------
# A demo of 20,000 records takes a second or two: kills spread over that
# meet it making its files, loading, and closing. Whatever it left, the
# next crm demo makes a whole demo, and the demo user logs in.
D=$T/demo
cut=0
for delay in 0.05 0.2 0.4 0.7 1 1.5; do
	rm -rf "$D"
	"$CRM" demo "$D" --records 20000 >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	if [ -f "$D/demo.unfinished" ]; then
		cut=$((cut + 1))
		# Not "wrong login or password": what happened and what to do.
		CRM_PASSWORD=demo expect_fail "$CRM" -d "$D" -u demo list company
		expect_err_contains "unfinished"
		expect_err_contains "crm demo $D again"
		expect_out_lacks "wrong login"
	elif [ -f "$D/meta.db" ]; then
		# The demo ended before the kill (a fast machine): it is whole,
		# and crm demo leaves it alone.
		expect_fail "$CRM" demo "$D" --records 2000
		expect_err_contains "already holds a crm database"
		rm -rf "$D"
	fi
	expect_ok "$CRM" demo "$D" --records 2000
	[ ! -f "$D/demo.unfinished" ] ||
	    fail "crm demo finished but left $D/demo.unfinished (killed after $delay s)"
	CRM_PASSWORD=demo expect_ok "$CRM" -d "$D" -u demo list company
	[ "$(rows)" -ge 150 ] ||
	    fail "the demo made again after a kill at $delay s has $(rows) companies"
	CRM_PASSWORD=demo expect_ok "$CRM" -d "$D" -u anna list company
done
# Under any load, some of the kills met the demo half-way.
[ "$cut" -ge 1 ] || fail "no kill met crm demo before it ended"

# A finished demo is still refused by crm demo, and left alone.
expect_fail "$CRM" demo "$D" --records 2000
expect_err_contains "already holds a crm database"
CRM_PASSWORD=demo expect_ok "$CRM" -d "$D" -u demo list company

# A directory of the user's own, chosen for a demo that was killed: only
# what crm makes there is removed when the demo is made again.
rm -rf "$D"
mkdir "$D"
echo keep >"$D/notes.txt"
"$CRM" demo "$D" --records 20000 >/dev/null 2>&1 &
pid=$!
i=0
while [ ! -f "$D/meta.db" ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
expect_ok "$CRM" demo "$D" --records 2000
expect_eq "$(cat "$D/notes.txt")" keep

finish
