#!/bin/sh
# test-sync-service.sh: the sync suite again, every rule through the
# service's transport: the master's half in a process of its own, over a
# socket, as crm serve runs it on the master's host (RULES.md T8).
exec env SYNC_TEST_TRANSPORT=service "$(dirname "$CRM")/tests/test-sync"
