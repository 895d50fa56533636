#!/bin/sh
# cli-sync-service.sh: tests/cli-sync.sh again, every local reaching its
# master through the sync service (crm serve, run by tests/ssh-pipe.sh).
SYNC_TRANSPORT=service
. "${TESTS_SRCDIR:-$(dirname "$0")}/cli-sync.sh"
