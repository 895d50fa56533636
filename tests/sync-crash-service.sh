#!/bin/sh
# sync-crash-service.sh: tests/sync-crash.sh through the sync service:
# the local stopped at its writes, crm serve killed at the master's, and
# the connection cut after every frame (B5 over the wire).
SYNC_TRANSPORT=service
. "${TESTS_SRCDIR:-$(dirname "$0")}/sync-crash.sh"
