#!/bin/sh
# cli-encrypt-convert.sh: crm encrypt makes a plain local, as versions
# before encryption made them, encrypted where it lies. Nothing is lost:
# every record and its outbox, the conflict log, meta.db (sync state,
# clock), the attached files; the next sync is an ordinary one that
# carries the outbox up. No file under the local holds its names, emails
# or phones in the clear afterwards. A wrong password, a master, an
# encrypted local and a local another crm has open are refused, and
# change nothing. Killed (SIGKILL) at any step, or out of disk, the local
# is the old plain one or the new encrypted one, and the next command
# says what it found and works.
#
# Plain locals are made by a test build only: crm init --local makes a
# plain one when CRM_FAULT_PLAIN_LOCAL is set (src/cli-init.c), and the
# conversion is killed at its Nth step with CRM_FAULT_ENCRYPT_STEP=N.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

FORGE=$(dirname "$CRM")/tests/forge
[ -x "$FORGE" ] || fail "no $FORGE: build it with make check"

M=$T/master
LB=$T/local-ben
make_master "$M"
add_user "$M" ben BEN01 benpw1 --type remote --restricted --name "Ben Qorvath"
use_service

ben() {
	CRM_PASSWORD=benpw1 "$CRM" -d "$LB" "$@"
}

# Words no file of crm holds by itself: what the local holds, one time
# or another.
SECRETS="Zorbatek Quillmoor Vexhollow Brindlewick Yarrowgate
zorbatek-sales@example.org quillmoor@example.net
4471829365 3395017742 2208466153
Kestrelby NotezQuibble RoadeditPlume Outboxwren"

cb=$(root "$M" add company name=Zorbatek phone=4471829365 \
    email=zorbatek-sales@example.org city=Vexhollow account_manager=BEN01) ||
    fail "cannot add a company on the master"
cm=$(root "$M" add company name=Quillmoor phone=3395017742 \
    email=quillmoor@example.net city=Brindlewick account_manager=BEN01) ||
    fail "cannot add a company on the master"

CRM_FAULT_PLAIN_LOCAL=1 CRM_PASSWORD=benpw1 expect_ok "$CRM" -u ben init \
    --local "$LB" --master "$(via "$M")"
if [ -f "$LB/crm.key" ]; then
	echo "cli-encrypt-convert.sh: crm made an encrypted local with" \
	    "CRM_FAULT_PLAIN_LOCAL set: it was built without" \
	    "--enable-fault-injection; skipped" >&2
	exit 77
fi
expect_ok ben sync
expect_ok ben add note company="$cm" subject=NotezQuibble text="met them"
expect_ok ben sync
# A change that cannot go up goes to the conflict log: Quillmoor is
# root's now, and ben's edit of it stays behind.
expect_ok ben set company "$cm" phone=RoadeditPlume
root "$M" set company "$cm" account_manager=ROOT1 >/dev/null ||
    fail "cannot reassign Quillmoor"
expect_ok ben sync
expect_ok ben conflicts
expect_out_contains RoadeditPlume
# Work not synced yet: the outbox.
expect_ok ben set company "$cb" phone=2208466153 city=Yarrowgate
expect_ok ben add contact company="$cb" first_name=Kestrelby \
    last_name=Outboxwren
printf 'Terms for Zorbatek\n' >"$T/terms.txt"
expect_ok ben attach company "$cb" "$T/terms.txt" --description Terms
doc=$OUT
# Some bulk, so that kills meet the copy half-way: 1,500 companies of
# ben's own, waiting in the outbox too.
awk 'BEGIN { print "name,phone,city,account_manager"
	for (i = 0; i < 1500; i++)
		printf "Bulkco %d,+1 555 %04d,Town %d,BEN01\n", i, i, i % 97 }' \
    >"$T/bulk.csv"
expect_ok ben import company "$T/bulk.csv"
[ -z "$(find "$LB" -name crm.key)" ] || fail "the plain local has a key file"
grep -aq Zorbatek "$LB/companies.db" ||
    fail "the plain local does not hold Zorbatek in the clear: the test looks at nothing"

# snap DIR FILE: all the local holds (tests/forge dump), with its
# conflicts and what a sync would carry (its outbox, the dry run).
# snap DIR FILE: all the local holds (tests/forge dump: meta.db, every
# record with its outbox flag, the conflict log) and its conflicts as
# crm lists them; with a third argument, what a sync would carry too.
snap() {
	CRM_PASSWORD=benpw1 "$FORGE" "$1" dump >"$2" ||
	    fail "cannot dump $1"
	CRM_PASSWORD=benpw1 "$CRM" -d "$1" conflicts >>"$2" ||
	    fail "cannot list the conflicts of $1"
	[ $# -eq 2 ] || CRM_PASSWORD=benpw1 "$CRM" -d "$1" sync --dry-run >>"$2" ||
	    fail "cannot preview a sync of $1"
}
snap "$LB" "$T/before-sync" sync
snap "$LB" "$T/before"
cp -a "$LB" "$T/plain"
cp -a "$M" "$T/master-plain"

# --- refused, and nothing changed -------------------------------------------
run env CRM_PASSWORD=benpw2 "$CRM" -d "$LB" encrypt
[ "$STATUS" -eq 1 ] || fail "a wrong password was taken (status $STATUS)"
expect_one_message
expect_err_contains "login refused for ben: wrong login or password"
[ ! -e "$LB/crm.key" ] && [ ! -e "$LB/encrypt" ] ||
    fail "a wrong password left a key or a copy"
expect_fail root "$M" encrypt
expect_err_contains "crm encrypt converts a local"
expect_fail env CRM_PASSWORD=secret "$CRM" -d "$LB" -u root encrypt
expect_err_contains "its own user, ben"
# Another crm has it open (the screens, a sync): its shared lock.
rm -f "$T/held"
flock -s "$LB/open.lock" -c "touch '$T/held'; sleep 3" &
holder=$!
while [ ! -e "$T/held" ]; do sleep 0.1; done
expect_fail ben encrypt
expect_err_contains "open in another crm"
wait "$holder" || :
[ ! -e "$LB/crm.key" ] && [ ! -e "$LB/encrypt" ] ||
    fail "a refused crm encrypt left a key or a copy"
snap "$LB" "$T/after-refused"
cmp -s "$T/before" "$T/after-refused" ||
    fail "a refused crm encrypt changed the local: $(diff "$T/before" "$T/after-refused" | head -n 5)"

# --- converted: nothing lost, nothing in the clear ------------------------
expect_ok ben encrypt
expect_out_contains "is encrypted"
expect_out_contains "forgotten password"
[ -f "$LB/crm.key" ] || fail "the converted local has no key file"
expect_eq "$(mode "$LB/crm.key")" 600
[ ! -e "$LB/encrypt" ] || fail "crm encrypt left $LB/encrypt"
# Not a terminal: no progress.
[ -z "$ERR" ] || fail "crm encrypt wrote on a stderr that is no terminal: $ERR"
snap "$LB" "$T/after" sync
cmp -s "$T/before-sync" "$T/after" ||
    fail "the converted local differs: $(diff "$T/before" "$T/after" | head -n 5)"
# The attached file is sealed now, and reads as it was.
expect_ok ben document show "$doc"
expect_eq "$OUT" "Terms for Zorbatek"
# What the plain local was: no old log, region or file in the clear.
printf '%s\n' $SECRETS >"$T/secrets"
check_clear() {
	_held=$(grep -rlaiF -f "$T/secrets" "$1" || :)
	[ -z "$_held" ] || fail "$(echo $_held) hold(s) in the clear: $(grep -raoiF -f "$T/secrets" $_held | sort -u | head -n 3) ($2)"
}
check_clear "$LB" "after crm encrypt"
expect_fail ben encrypt
expect_err_contains "encrypted already"

# The next sync is an ordinary one: the outbox goes up, nothing comes down
# again, and the local and the master then agree.
expect_ok ben sync
expect_cell companies uploaded 1501
expect_cell contacts uploaded 1
expect_cell companies download 0
expect_cell documents uploaded 1
expect_ok ben sync --verify
expect_out_contains "0 difference(s)"
expect_ok root "$M" get company "$cb"
expect_eq "$(field phone)" 2208466153
expect_ok root "$M" list contact --where company="$cb"
expect_out_contains Kestrelby
expect_ok ben conflicts
expect_out_contains RoadeditPlume
check_clear "$LB" "after its first sync encrypted"

# --- killed at every step ---------------------------------------------------
# plain_again: the plain local, and its master, as they were before any
# conversion.
plain_again() {
	rm -rf "$LB" "$M"
	cp -a "$T/plain" "$LB"
	cp -a "$T/master-plain" "$M"
}
# whole WHAT: the local opens, holds what it held, and is encrypted or
# plain with no half of the other; a plain one converts again.
whole() {
	expect_ok ben list company --where name=Zorbatek
	expect_out_contains Zorbatek
	if [ -f "$LB/crm.key" ]; then
		was=encrypted
	else
		was=plain
		grep -aq Zorbatek "$LB/companies.db" ||
		    fail "$1: no key file, and companies.db is not plain"
		expect_ok ben encrypt
	fi
	[ ! -e "$LB/encrypt" ] || fail "$1: $LB/encrypt is left after a command"
	snap "$LB" "$T/killed"
	cmp -s "$T/before" "$T/killed" ||
	    fail "$1 ($was): the local differs: $(diff "$T/before" "$T/killed" | head -n 5)"
	check_clear "$LB" "$1"
}
n=1
cut=0
while :; do
	plain_again
	run env CRM_FAULT_ENCRYPT_STEP=$n CRM_PASSWORD=benpw1 "$CRM" -d "$LB" \
	    encrypt
	if [ "$STATUS" -eq 0 ]; then
		break
	fi
	[ "$STATUS" -eq 137 ] ||
	    fail "crm encrypt stopped at step $n ended with status $STATUS"
	cut=$((cut + 1))
	# The next command says what it found.
	run ben list company --where name=Zorbatek
	[ "$STATUS" -eq 0 ] || fail "after a kill at step $n the local does not open"
	whole "killed at step $n"
	n=$((n + 1))
	[ "$n" -lt 200 ] || fail "crm encrypt never ended in 200 steps"
done
[ "$cut" -ge 20 ] || fail "only $cut steps of crm encrypt were cut off"
whole "not killed"

# What the next command says: a copy never marked is removed, and the
# local is plain; a marked one is switched in, and the local encrypted.
plain_again
run env CRM_FAULT_ENCRYPT_STEP=3 CRM_PASSWORD=benpw1 "$CRM" -d "$LB" encrypt
[ -d "$LB/encrypt" ] || fail "a kill at step 3 left no copy to remove"
expect_ok ben list company --where name=Zorbatek
expect_err_contains "run crm encrypt again"
expect_err_contains "not encrypted"
[ ! -e "$LB/encrypt" ] || fail "the copy of a stopped crm encrypt is left"
# The last step before the switch: the copy is marked.
steps=$((n - 1))
for k in $(seq 1 "$steps"); do
	plain_again
	run env CRM_FAULT_ENCRYPT_STEP=$k CRM_PASSWORD=benpw1 "$CRM" -d "$LB" \
	    encrypt
	[ -f "$LB/encrypt/complete" ] && break
done
[ -f "$LB/encrypt/complete" ] || fail "no kill left a marked copy"
expect_ok ben list company --where name=Zorbatek
expect_err_contains "replaces the plain files now"
[ -f "$LB/crm.key" ] || fail "the marked copy was not switched in"

# Kills at bytes written, between the steps: in the copy itself.
written() {
	awk '/^wchar:/ { print $2 }' "/proc/$1/io" 2>/dev/null || echo 0
}
cutb=0
for at in 100000 600000 1500000 3000000; do
	plain_again
	CRM_PASSWORD=benpw1 "$CRM" -d "$LB" encrypt >/dev/null 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		[ "$(written "$pid")" -lt "$at" ] || break
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || cutb=$((cutb + 1))
	whole "killed after writing $at bytes"
done
[ "$cutb" -ge 2 ] || fail "only $cutb kills met crm encrypt before it ended"

# --- a full disk: one message, the local as it was --------------------------
full=0
for at in 1 3 10 30 100 300 1000 3000; do
	plain_again
	run env CRM_FAULT_ENOSPC=$at CRM_PASSWORD=benpw1 "$CRM" -d "$LB" encrypt
	[ "$STATUS" -eq 0 ] && break
	full=$((full + 1))
	# Before the conversion began (opening the local), or during it.
	expect_one_message
	expect_err_contains "is full"
	case $ERR in
	*"as it was, not encrypted"*|*"nothing was changed"*) ;;
	*) fail "a full disk at write $at: not said that nothing changed" ;;
	esac
	[ ! -e "$LB/crm.key" ] && [ ! -e "$LB/encrypt" ] ||
	    fail "a full disk at write $at left a key or a copy"
	snap "$LB" "$T/full"
	cmp -s "$T/before" "$T/full" ||
	    fail "a full disk at write $at changed the local"
done
[ "$full" -ge 3 ] || fail "only $full full disks met crm encrypt"

finish
