#!/bin/sh
# B5 crash safety: a sync cut off at any of its writes, then run again,
# converges to the same result as an uninterrupted sync.
#
# Needs a crm configured with --enable-fault-injection: CRM_SYNC_FAULT=N
# makes a sync exit with status 99 at its Nth write. Without it, skipped.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
L=$T/local
TM=$T/template-master
TL=$T/template-local
TM0=$T/first-master
TL0=$T/first-local

# The local's crm.conf holds the master's absolute path: every run works in
# the same two paths, filled afresh from the template pair.
reset_pair() {
	rm -rf "$M" "$L"
	cp -a "${1:-$TM}" "$M" || fail "cannot copy the template master"
	cp -a "${2:-$TL}" "$L" || fail "cannot copy the template local"
}

anna() {
	CRM_PASSWORD=annapw "$CRM" -d "$L" "$@"
}

# state FILE: everything both sides hold, in a form that does not depend on
# the order of rows: every type exported (crm export all, one snapshot a
# side) and the attached files with their content in FILE; the conflict
# logs, without their own id and created_at, in FILE.log.
TYPES="company contact note event task opportunity campaign target issue document template user"
state() {
	: >"$1"
	: >"$1.log"
	for side in master local; do
		rm -rf "$T/.exp"
		if [ $side = master ]; then
			root "$M" export all "$T/.exp" ||
			    fail "export all on the master failed"
		else
			anna export all "$T/.exp" ||
			    fail "export all on the local failed"
		fi
		for ty in $TYPES; do
			printf '== %s %s\n' "$side" "$ty" >>"$1"
			[ -f "$T/.exp/$ty.csv" ] ||
			    fail "export all on the $side wrote no $ty.csv"
			head -n 1 "$T/.exp/$ty.csv" >>"$1"
			tail -n +2 "$T/.exp/$ty.csv" | LC_ALL=C sort >>"$1"
		done
		printf '== %s conflicts\n' "$side" >>"$1.log"
		if [ $side = master ]; then
			root "$M" conflicts >"$T/.conflicts" ||
			    fail "conflicts on the master failed"
		else
			anna conflicts >"$T/.conflicts" ||
			    fail "conflicts on the local failed"
		fi
		head -n 1 "$T/.conflicts" | cut -f 3- >>"$1.log"
		tail -n +2 "$T/.conflicts" | cut -f 3- | LC_ALL=C sort >>"$1.log"
		[ $side = master ] && d=$M || d=$L
		for sub in documents templates; do
			printf '== %s %s/\n' "$side" "$sub" >>"$1"
			# The local's files are sealed (a new nonce each
			# time): their plaintext is what must converge.
			(cd "$d/$sub" && for f in $(ls -A | LC_ALL=C sort); do
				if [ $side = local ] && [ ${#f} -eq 26 ]; then
					if [ $sub = documents ]; then
						anna document show "$f"
					else
						anna template show "$f"
					fi >"$T/.plain" 2>/dev/null ||
					    echo unreadable >"$T/.plain"
					sum=$(md5sum <"$T/.plain")
				else
					sum=$(md5sum <"$f")
				fi
				printf '%s %s\n' "$f" "${sum%% *}"
			done) >>"$1"
		done
	done
}

# --- the scenario: changes on both sides, touching several rules ------------
make_master "$M"
add_user "$M" anna ANNA1 annapw
use_service
CRM_PASSWORD=annapw "$CRM" -u anna init --local "$L" --master "$(master_at "$M")" \
    >/dev/null || fail "cannot make the local"

# What both sides hold after a first sync.
c1=$(root "$M" add company name=Acme phone=100 city=Lyon account_manager=ANNA1)
c2=$(root "$M" add company name=Bolt phone=200 city=Nice account_manager=ANNA1)
k1=$(root "$M" add contact company="$c1" first_name=Ada last_name=King)
n1=$(root "$M" add note company="$c1" subject="Old note" text="to go")
t1=$(root "$M" add task company="$c2" subject="Call back" due=2026-12-01 \
    status=open assigned_to=ANNA1)
e1=$(root "$M" add event company="$c1" subject=Visit start=2026-12-02T10:00 \
    end=2026-12-02T11:00 assigned_to=ANNA1)
g1=$(root "$M" add campaign name=Winter start=2026-12-01 end=2026-12-31 \
    status=planned)
r1=$(root "$M" add target campaign="$g1" company="$c1" account_manager=ANNA1)
g2=$(root "$M" add campaign name=Spring start=2027-03-01 end=2027-03-31 \
    status=planned)
o1=$(root "$M" add opportunity company="$c1" name=Deal amount=1000 \
    stage=prospect account_manager=ANNA1)
printf 'first version\n' >"$T/spec.txt"
root "$M" attach company "$c2" "$T/spec.txt" --description "Spec" >/dev/null ||
    fail "cannot attach on the master"
w1=$(root "$M" add template name=Welcome description="First letter")
# The pair before its first sync, which loads the local in bulk.
cp -a "$M" "$TM0" && cp -a "$L" "$TL0" || fail "cannot save the first pair"
expect_ok anna sync

# Changes on the local (S5, S6, S7, S12 allowed deletions, S13).
c3=$(anna add company name=LocalNew phone=300 account_manager=ANNA1) ||
    fail "cannot add on the local"
anna add contact company="$c3" first_name=Lou last_name=Cal >/dev/null ||
    fail "cannot add a contact on the local"
anna set company "$c2" phone=local-early || fail "set on the local"
anna set contact "$k1" email=ada@local.example || fail "set on the local"
anna delete task "$t1" || fail "cannot delete a task assigned to anna"
anna delete target "$r1" || fail "cannot delete a target on the local"
anna delete campaign "$g2" || fail "cannot delete a campaign on the local"
printf 'a local attachment\n' >"$T/local.txt"
anna attach company "$c1" "$T/local.txt" --description "From the road" \
    >/dev/null || fail "cannot attach on the local"
anna set template "$w1" description="First letter, shorter" ||
    fail "cannot change a template on the local"
anna add template name=Reminder description="Second letter" >/dev/null ||
    fail "cannot add a template on the local"
anna add note company="$c1" subject="Met them" text="went well" >/dev/null ||
    fail "cannot add a note on the local"

# Changes on the master (S8, S9, S7, master deletions, S13).
root "$M" set company "$c2" phone=master-late city=Cannes || fail "set on the master"
root "$M" set opportunity "$o1" stage=won || fail "set on the master"
root "$M" add company name=MasterNew account_manager=ANNA1 >/dev/null ||
    fail "cannot add on the master"
root "$M" delete note "$n1" || fail "cannot delete on the master"
root "$M" set event "$e1" subject="Visit (moved)" || fail "set on the master"
printf 'master attachment\n' >"$T/m.txt"
root "$M" attach company "$c1" "$T/m.txt" --description "Price list" \
    >/dev/null || fail "cannot attach on the master"
# Both changed the same field, the local later: the local wins (S7).
root "$M" set company "$c1" phone=master-early || fail "set on the master"
sleep 1
anna set company "$c1" phone=local-late city=Lille || fail "set on the local"

rm -rf "$TM" "$TL"
cp -a "$M" "$TM" && cp -a "$L" "$TL" || fail "cannot save the template pair"

# --- the reference: one uninterrupted sync --------------------------------------
reset_pair
expect_ok anna sync
expect_ok anna sync
expect_ok anna sync --verify
expect_out_contains "0 difference(s)"
state "$T/reference"
# The reference itself shows the scenario did what it should.
grep -q 'local-late' "$T/reference" || fail "the reference lacks the local's win"
grep -q 'master-late' "$T/reference" || fail "the reference lacks the master's win"
grep -q 'LocalNew' "$T/reference" || fail "the reference lacks the local's new company"
grep -q 'MasterNew' "$T/reference" || fail "the reference lacks the master's new company"
grep -q 'First letter, shorter' "$T/reference" || fail "the reference lacks the template change"
grep -q 'Reminder' "$T/reference" || fail "the reference lacks the local's new template"
grep -q 'Old note' "$T/reference" && fail "the note deleted on the master survived"
grep -q 'Call back' "$T/reference" && fail "the task deleted on the local survived"
grep -q 'Spring' "$T/reference" && fail "the campaign deleted on the local survived"
for side in master local; do
	[ "$(sed -n "/^== $side documents\/\$/,/^==/p" "$T/reference" | grep -vc '^==')" -eq 3 ] ||
	    fail "the $side does not hold the three attached files"
done
[ "$(grep -c 'the newer change' "$T/reference.log")" -eq 2 ] ||
    fail "the reference's conflict log does not hold the two conflicts"

# --- the first sync, cut off at every write ---------------------------------------
# A first sync loads the local in bulk, into a database beside it that
# replaces its files once complete (B5): cut off while loading, the load is
# made again; cut off while switching, the next open finishes the switch.
# Over the attach the load is stopped at each of its writes; over the
# service (the local's writes are the same) the connection is cut after
# each frame of the load's stream instead.
# SYNC_CRASH_STRIDE=K tests one point in K (a quicker run, as distcheck's);
# TESTS_SAMPLE=K about one in K of those, drawn at random (lib.sh).
STRIDE=${SYNC_CRASH_STRIDE:-1}
if [ "${SYNC_TRANSPORT:-attach}" = service ]; then
	FIRST=CRM_SYNC_CUT
else
	FIRST=CRM_SYNC_FAULT
fi
reset_pair "$TM0" "$TL0"
expect_ok anna sync
[ ! -e "$L/load" ] || fail "the first sync left $L/load behind"
expect_ok anna sync
state "$T/first"
n=1
tested=0
differ=
while :; do
	reset_pair "$TM0" "$TL0"
	run env "$FIRST=$n" CRM_PASSWORD=annapw "$CRM" -d "$L" sync
	if [ "$STATUS" -eq 0 ] || { [ "$STATUS" -ne 99 ] &&
	    [ "$FIRST" = CRM_SYNC_FAULT ]; }; then
		if [ "$n" -eq 1 ]; then
			echo "sync-crash.sh: $FIRST=1 did not stop the sync" \
			    "(status $STATUS): crm was built without" \
			    "--enable-fault-injection; skipped" >&2
			exit 77
		fi
		[ "$STATUS" -eq 0 ] || fail "$FIRST=$n: the first sync failed"
		break
	fi
	tested=$((tested + 1))
	# Any command opening the local finishes a switch cut off half-way.
	expect_ok anna list company
	run anna sync
	[ "$STATUS" -eq 0 ] || fail "the sync after a first sync cut off at write $n failed"
	run anna sync
	[ "$STATUS" -eq 0 ] || fail "the second sync after a first sync cut off at write $n failed"
	[ ! -e "$L/load" ] || fail "$L/load is left after a first sync cut off at write $n"
	state "$T/after-$n"
	if ! cmp -s "$T/first" "$T/after-$n" ||
	    ! cmp -s "$T/first.log" "$T/after-$n.log"; then
		echo "--- after a first sync cut off at write $n:" >&2
		diff -u "$T/first" "$T/after-$n" | tail -n +3 >&2 || :
		diff -u "$T/first.log" "$T/after-$n.log" | tail -n +3 >&2 || :
		differ="$differ $n"
	fi
	rm -f "$T/after-$n" "$T/after-$n.log"
	n=$(sample_next "$n" "$STRIDE")
	[ "$n" -le 500 ] || fail "$FIRST never let the first sync finish"
done
[ "$tested" -ge "$(sampled $((20 / STRIDE)))" ] || fail "only $tested cut-off points in the first sync"
echo "sync-crash.sh: $tested cut-off points tested in the first sync"
LAST=
[ -z "$differ" ] ||
    fail "a first sync cut off at write(s)$differ did not converge (diffs above)"

# --- cut off at every write, and every frame -----------------------------------
# cut_loop VAR WHAT: run the sync with VAR=1, 2, ... (each makes it stop at
# that point: CRM_SYNC_FAULT at the local's Nth write, which over the
# attach counts the master's writes too; CRM_SERVE_FAULT at crm serve's
# Nth write on the master; CRM_SYNC_CUT after the Nth frame the local
# reads, as if the network went away), then sync twice more: both sides
# must end as after an uninterrupted sync, conflict log included.
cut_loop() {
	_var=$1 _what=$2
	n=1
	tested=0
	differ=
	logdiffer=
	while :; do
		reset_pair
		run env "$_var=$n" CRM_PASSWORD=annapw "$CRM" -d "$L" sync
		if [ "$STATUS" -eq 0 ]; then
			[ "$n" -gt 1 ] || {
				echo "sync-crash.sh: $_var=1 did not stop the sync:" \
				    "crm was built without --enable-fault-injection;" \
				    "skipped" >&2
				exit 77
			}
			break
		fi
		case $_var in
		CRM_SYNC_FAULT) [ "$STATUS" -eq 99 ] ||
		    fail "$_var=$n: the sync failed instead of stopping" ;;
		*) [ "$STATUS" -eq 1 ] ||
		    fail "$_var=$n: the sync exited $STATUS, not 1" ;;
		esac
		tested=$((tested + 1))
		run anna sync
		[ "$STATUS" -eq 0 ] || fail "the sync after $_what $n failed"
		run anna sync
		[ "$STATUS" -eq 0 ] || fail "the second sync after $_what $n failed"
		state "$T/after-$n"
		if ! cmp -s "$T/reference" "$T/after-$n"; then
			echo "--- records and files after $_what $n:" >&2
			diff -u "$T/reference" "$T/after-$n" | tail -n +3 >&2 || :
			differ="$differ $n"
		fi
		if ! cmp -s "$T/reference.log" "$T/after-$n.log"; then
			echo "--- conflict logs after $_what $n:" >&2
			diff -u "$T/reference.log" "$T/after-$n.log" | tail -n +3 >&2 || :
			logdiffer="$logdiffer $n"
		fi
		rm -f "$T/after-$n" "$T/after-$n.log"
		n=$(sample_next "$n" "$STRIDE")
		[ "$n" -le 500 ] || fail "$_var never let the sync finish"
	done
	[ "$tested" -ge "$(sampled $((5 / STRIDE)))" ] || fail "only $tested points for $_what: the scenario is too small"
	echo "sync-crash.sh: $tested points tested: $_what N"
	LAST=
	[ -z "$differ" ] ||
	    fail "records or files differ from an uninterrupted sync after $_what$differ (diffs above)"
	# A sync cut off after the local saved a round's conflicts and
	# before the master committed it meets the same conflicts again:
	# each is logged once, so the log reads as after an uninterrupted one.
	[ -z "$logdiffer" ] ||
	    fail "the conflict log differs from an uninterrupted sync's after $_what$logdiffer (diffs above)"
}

cut_loop CRM_SYNC_FAULT "a stop at the local's write"
cut_loop CRM_SYNC_CUT "the connection cut after frame"
if [ "${SYNC_TRANSPORT:-attach}" = service ]; then
	cut_loop CRM_SERVE_FAULT "crm serve killed at the master's write"
fi

finish
