#!/bin/sh
# Why crm has a read() of its own (src/store-io.c): Berkeley DB opens a
# file by reading its first page with read(), and tries a read that
# fails with EIO a hundred times. On a master whose network mount has
# gone, each try is another wait for a server that is not there. crm's
# read turns an EIO under the attached master into EREMOTEIO, which
# Berkeley DB does not retry: the command stops at once, saying the
# connection failed.
#
# Needs a crm configured with --enable-fault-injection: CRM_FAULT_EIO_READ=N
# fails the Nth read of a master's file, and every one after, with EIO;
# CRM_FAULT_EIO_LOG=FILE counts them; CRM_FAULT_EIO_KEEP=1 returns the EIO
# as it is, as the C library's read would. Without it, skipped.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
make_master "$M"
root "$M" add company name=Acme >/dev/null || fail "cannot add a company"

# With crm's read: one failed read, one message about the connection.
rm -f "$T/eio"
run env CRM_FAULT_EIO_READ=1 CRM_FAULT_EIO_LOG="$T/eio" \
    CRM_PASSWORD=secret "$CRM" -d "$M" -u root list company
if [ ! -s "$T/eio" ]; then
	[ "$STATUS" -eq 0 ] || fail "no read failed, yet list failed"
	echo "cli-lost-read.sh: CRM_FAULT_EIO_READ had no effect: crm was" \
	    "built without --enable-fault-injection; skipped" >&2
	exit 77
fi
[ "$STATUS" -eq 1 ] || fail "list on a master whose reads fail ended with $STATUS, not 1"
expect_one_message
expect_err_contains "$M"
expect_err_contains "check the connection"
tries=$(wc -l <"$T/eio")
[ "$tries" -le 2 ] || fail "Berkeley DB tried a failed read $tries times under crm's read"

# Without it (the EIO as the C library's read returns it), Berkeley DB
# tries each failed read a hundred times: what crm's read is for.
rm -f "$T/eio"
run env CRM_FAULT_EIO_READ=1 CRM_FAULT_EIO_LOG="$T/eio" CRM_FAULT_EIO_KEEP=1 \
    CRM_PASSWORD=secret "$CRM" -d "$M" -u root list company
[ "$STATUS" -ne 0 ] || fail "list succeeded although every read of the master failed"
tries=$(wc -l <"$T/eio")
[ "$tries" -ge 100 ] ||
    fail "without crm's read, Berkeley DB tried a failed read $tries times, not 100: is crm's read still needed?"

# The master itself is whole: the next command, with reads that work.
expect_ok root "$M" list company
expect_out_contains "Acme"

# Its settings are read with crm's read too (cfg_read), not through
# stdio, whose reads crm does not see: a cut while libconfig's scanner
# read a master's crm.conf over sshfs ended crm inside it ("input in flex
# scanner failed", status 2; sync-sshfs.sh met it). CRM_FAULT_EIO_CONF=DIR
# fails every read of DIR/crm.conf with EIO.
run env CRM_FAULT_EIO_CONF="$M" CRM_PASSWORD=secret "$CRM" -d "$M" -u root \
    list company
[ "$STATUS" -eq 1 ] || fail "a failed read of crm.conf ended with $STATUS, not 1"
expect_one_message
expect_err_contains "$M/crm.conf could not be read"
expect_err_contains "check the connection"

# The same in a sync, on the master's side: the local's work is kept, and
# goes up once the master's settings read again.
L=$T/local
CRM_NEW_PASSWORD=annapw root "$M" user add anna --id ANNA1 >/dev/null ||
    fail "cannot add anna"
CRM_PASSWORD=annapw expect_ok "$CRM" -u anna init --local "$L" --master "$M"
anna() {
	CRM_PASSWORD=annapw "$CRM" -d "$L" "$@"
}
expect_ok anna sync
expect_ok anna add company name=Quillbrook account_manager=ANNA1
run env CRM_FAULT_EIO_CONF="$M" CRM_PASSWORD=annapw "$CRM" -d "$L" sync
[ "$STATUS" -eq 1 ] || fail "a sync whose master's crm.conf fails to read ended with $STATUS, not 1"
expect_one_message
expect_err_contains "$M/crm.conf could not be read"
expect_err_contains "check the connection"
expect_ok anna list company
expect_out_contains Quillbrook
expect_ok anna sync
expect_ok root "$M" list company
expect_out_contains Quillbrook

finish
