#!/bin/sh
# sync-attack-service.sh: tests/sync-attack.sh again, the forged local
# reaching its master through the sync service (crm serve, run by
# tests/ssh-pipe.sh), where the master's half is the trust boundary
# (RULES.md T8).
SYNC_TRANSPORT=service
. "${TESTS_SRCDIR:-$(dirname "$0")}/sync-attack.sh"
