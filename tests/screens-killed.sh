#!/bin/sh
# screens-killed.sh: a screen killed (SIGKILL) as its form is saved leaves
# the record as it was or as saved, never between, and the master whole:
# the next command recovers it by itself and crm verify finds nothing.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/tmux.sh"

S=$(mktemp -d /tmp/crm-kill.XXXXXX) || fail "cannot make a directory under /tmp"
TM_EXTRA=$S
M=$S/master
make_master "$M"
ACME=$(root "$M" add company name="Acme GmbH" city=Hamburg) ||
    fail "cannot add a company"

old=Hamburg
for i in 1 2 3 4; do
	tm_start k$i 100 30 CRM_PASSWORD=secret -- -d "$M" -u root
	tm_wait k$i '^Acme GmbH +Hamburg|^Acme GmbH +City'
	tm_keys k$i e
	tm_wait k$i '@0=^ Edit company *$' '@2=^ Name \* +Acme GmbH$'
	tm_keys k$i Tab Tab Tab Tab Tab Tab
	tm_keys k$i C-u
	tm_type k$i "City$i"
	tm_wait k$i "^ City +City$i\$"
	pane=$(tm display-message -p -t k$i '#{pane_pid}')
	# The pane runs sh, which runs the script's sh, which runs crm.
	pid=
	for p1 in $(pgrep -P "$pane"); do
		for p2 in $p1 $(pgrep -P "$p1"); do
			[ "$(cat /proc/$p2/comm 2>/dev/null)" = crm ] && pid=$p2
		done
	done
	[ -n "$pid" ] || fail "no crm runs in the screen k$i"
	# Later each time: before, during and after the save.
	tm_keys k$i F2
	[ $i -ge 2 ] && sleep 0.0$((i * 2))
	kill -KILL "$pid"
	tm_kill k$i
	expect_ok root "$M" get company "$ACME"
	city=$(field city)
	[ "$city" = "$old" ] || [ "$city" = "City$i" ] ||
	    fail "a save killed left the city \"$city\", neither $old nor City$i"
	old=$city
	expect_ok "$CRM" -d "$M" verify
done
tm_cleanup
finish
