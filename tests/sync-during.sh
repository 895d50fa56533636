#!/bin/sh
# sync-during.sh: a local edited while its own sync runs (B3, S7), found by
# bench/soak.sh. The sync is held (CRM_SYNC_PAUSE, in the test build) after
# its records went up and came down and before it commits its end, and the
# user edits meanwhile:
#   - a record that went up in this sync (it stays in the outbox);
#   - a record this sync did not touch;
#   - a record this sync brought down from the master;
#   - a record deleted.
# Every one of those edits must reach the master at the next sync. They
# were once stamped before the sync's end, so the next sync took them as
# older than itself and the master's values won, with nothing logged.
# Run over both transports (SYNC_TRANSPORT=service: sync-during-service.sh).
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
make_master "$M"
[ "${SYNC_TRANSPORT:-attach}" = service ] && use_service
add_user "$M" anna ANNA1 annapw
add_user "$M" eve EVE01 evepw
up=$(root "$M" add company name=GoesUp city=Brest phone=1)
quiet=$(root "$M" add company name=Quiet city=Brest phone=1)
down=$(root "$M" add company name=ComesDown city=Brest phone=1)
CRM_PASSWORD=annapw expect_ok "$CRM" -u anna init --local "$T/la" \
    --master "$(master_at "$M")"
CRM_PASSWORD=evepw expect_ok "$CRM" -u eve init --local "$T/le" \
    --master "$(master_at "$M")"
anna() {
	CRM_PASSWORD=annapw "$CRM" -d "$T/la" "$@"
}
eve() {
	CRM_PASSWORD=evepw "$CRM" -d "$T/le" "$@"
}
doomed=$(anna add company name=Doomed city=Brest phone=1) ||
    fail "cannot add a company on anna's local"
expect_ok anna sync
expect_ok eve sync

# The pause is in the test build only.
P=$T/pause
mkdir "$P"
# A held sync is let go whatever happens to the test.
trap 'touch "$P/go"' EXIT
# held PID: wait until the sync PID is held at its pause, or has ended.
held() {
	_i=0
	while [ ! -e "$P/paused" ] && kill -0 "$1" 2>/dev/null &&
	    [ $_i -lt 600 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
}
CRM_SYNC_PAUSE=$P anna sync >"$T/probe.out" 2>&1 &
pid=$!
held "$pid"
if [ ! -e "$P/paused" ]; then
	touch "$P/go"
	wait "$pid" || true
	echo "sync-during.sh: skipped: this crm is not a test build (no CRM_SYNC_PAUSE)" >&2
	exit 77
fi
touch "$P/go"
wait "$pid" || fail "a sync held and let go failed: $(cat "$T/probe.out")"
rm -f "$P/paused" "$P/go"

# --- the edits made while the sync is held ---------------------------------
expect_ok anna set company "$up" city=Morlaix
expect_ok eve set company "$down" city=Rennes
expect_ok eve sync
CRM_SYNC_PAUSE=$P anna sync >"$T/sync.out" 2>&1 &
pid=$!
held "$pid"
[ -e "$P/paused" ] || { kill "$pid" 2>/dev/null; fail "the sync never reached its pause: $(cat "$T/sync.out")"; }
expect_ok anna set company "$up" phone=2222
expect_ok anna set company "$quiet" phone=3333
expect_ok anna set company "$down" phone=4444
expect_ok anna delete company "$doomed"
touch "$P/go"
wait "$pid" || fail "the held sync failed: $(cat "$T/sync.out")"

# The sync did its work: the first edit went up, eve's came down.
expect_ok root "$M" get company "$up"
expect_out_contains city=Morlaix
expect_ok anna get company "$down"
expect_out_contains city=Rennes

# Eve changes a field that went up before the pause: anna's value of it
# is no newer than that sync and must not come back over eve's (S7).
expect_ok eve set company "$up" city=Vannes
expect_ok eve sync

# --- the next sync carries every edit made during the last -------------------
expect_ok anna sync
expect_ok root "$M" get company "$up"
[ "$(field phone)" = 2222 ] || fail "a record that went up, edited during the sync: the edit was lost"
[ "$(field city)" = Vannes ] || fail "a record edited during the sync sent up again what had gone up before, over a later change"
expect_ok root "$M" get company "$quiet"
[ "$(field phone)" = 3333 ] || fail "a record the sync did not touch, edited during it: the edit was lost"
expect_ok root "$M" get company "$down"
[ "$(field phone)" = 4444 ] || fail "a record the sync brought down, edited during it: the edit was lost"
[ "$(field city)" = Rennes ] || fail "a record the sync brought down lost eve's change when edited during the sync"
expect_fail root "$M" get company "$doomed"
expect_ok anna conflicts
expect_eq "$(printf '%s\n' "$OUT" | awk -F '\t' -v r="$up" '$4 == r' | wc -l | tr -d ' ')" 0
expect_ok anna sync --verify
expect_ok eve sync
expect_ok eve sync --verify
expect_ok eve get company "$down"
expect_out_contains phone=4444
expect_out_contains city=Rennes
exit 0
