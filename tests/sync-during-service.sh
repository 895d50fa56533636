#!/bin/sh
# sync-during-service.sh: tests/sync-during.sh again, the locals reaching
# their master through the sync service (crm serve, run by
# tests/ssh-pipe.sh).
SYNC_TRANSPORT=service
. "${TESTS_SRCDIR:-$(dirname "$0")}/sync-during.sh"
