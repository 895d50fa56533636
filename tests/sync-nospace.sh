#!/bin/sh
# A full disk at the writes of a sync (over the attach, where one process
# writes both the master and the local) and of a first sync, which loads
# the local in bulk: each that meets it fails with one message that says
# the disk is full, leaves nothing half-written (no DIR/load, no temporary
# file in documents/), and once space is back the next sync converges
# (crm sync --verify). See nospace.inc.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/nospace.inc"

# A sync, both ways, with files: the full disk may be the local's or the
# master's (the attach writes both).
check_sync() {
	converge
	[ "$(count root "$M" list company)" -eq "$MCOMP" ] ||
	    fail "the master lacks companies after a sync cut at write $n"
	[ "$(ls "$M/documents" | wc -l)" -eq "$MDOCS" ] ||
	    fail "the master lacks an attached file after a sync cut at write $n"
}
full_loop "a sync" pair check_sync "is full" 8 anna sync

# A first sync, which loads the local in bulk.
check_first() {
	converge
	[ "$(count anna list company)" -eq 1 ] ||
	    fail "the local lacks the company after a first sync cut at write $n"
}
full_loop "a first sync" first_pair check_first "is full" 50 anna sync

echo "sync-nospace.sh: $TOTAL writes met a full disk in all"
finish
