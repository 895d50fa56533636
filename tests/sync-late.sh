#!/bin/sh
# sync-late.sh: a change that reaches the master late (B1, B3, S7), found
# by bench/soak.sh. anna changes a field, eve syncs, and only then does
# anna's change go up; eve, who never saw it, changes the same field and
# syncs. Both changes were made after eve's last sync: one of them wins
# and the other is in a conflict log, never overwritten in silence (the
# master once judged "changed since eve's last sync" by the time the
# change was made, not by when it reached the master).
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
make_master "$M"
add_user "$M" anna ANNA1 annapw
add_user "$M" eve EVE01 evepw
c=$(root "$M" add company name=Seed city=Brest phone=1)
CRM_PASSWORD=annapw expect_ok "$CRM" -u anna init --local "$T/la" --master "$M"
CRM_PASSWORD=evepw expect_ok "$CRM" -u eve init --local "$T/le" --master "$M"
anna() {
	CRM_PASSWORD=annapw "$CRM" -d "$T/la" "$@"
}
eve() {
	CRM_PASSWORD=evepw "$CRM" -d "$T/le" "$@"
}
expect_ok anna sync
expect_ok eve sync

# every value that reached the master's field, lost or kept, is somewhere
accounted() {	# FIELD VALUE
	expect_ok root "$M" get company "$c"
	[ "$(field "$1")" = "$2" ] && return 0
	for who in anna eve; do
		expect_ok "$who" conflicts
		printf '%s\n' "$OUT" | awk -F '\t' -v r="$c" -v f="$1" -v v="$2" \
		    '$4 == r && $5 == f && ($6 == v || $7 == v) { ok = 1 } END { exit !ok }' &&
		    return 0
	done
	expect_ok root "$M" conflicts
	printf '%s\n' "$OUT" | awk -F '\t' -v r="$c" -v f="$1" -v v="$2" \
	    '$4 == r && $5 == f && ($6 == v || $7 == v) { ok = 1 } END { exit !ok }'
}

# --- the same field: anna's change arrives after eve's sync ----------------------
expect_ok anna set company "$c" name=FromAnna
expect_ok eve sync
expect_ok anna sync
expect_cell companies uploaded 1
expect_ok eve set company "$c" name=FromEve
expect_ok eve sync
expect_ok eve sync --verify
expect_ok anna sync
expect_ok anna sync --verify
accounted name FromAnna || fail "anna's name was overwritten and is in no conflict log"
accounted name FromEve || fail "eve's name was overwritten and is in no conflict log"
# One conflict, not two: a field only one side changed is merged as before.
expect_ok eve conflicts
expect_eq "$(printf '%s\n' "$OUT" | awk -F '\t' -v r="$c" '$4 == r' | wc -l | tr -d ' ')" 1

# --- different fields, the same late arrival: both kept, nothing logged (B1) ----
expect_ok anna set company "$c" city=Quimper
expect_ok eve sync
expect_ok anna sync
expect_ok eve set company "$c" phone=2
expect_ok eve sync
expect_cell companies merged 1
expect_cell companies won 0
expect_cell companies lost 0
expect_ok root "$M" get company "$c"
expect_out_contains city=Quimper
expect_out_contains phone=2
expect_ok eve conflicts
expect_eq "$(rows)" 1

# --- a note deleted in one local while a document is attached to it in another -----
# The attachment reaches the master first: the deletion is refused there,
# as a local refuses to delete a record with dependants, and the note
# comes back (S12); nothing hangs from a deleted record.
n=$(anna add note company="$c" subject=Doomed text=x)
expect_ok anna sync
expect_ok eve sync
printf 'the file\n' >"$T/file.txt"
doc=$(eve attach note "$n" "$T/file.txt" --description Late) ||
    fail "cannot attach on eve's local"
expect_ok anna delete note "$n"
expect_ok eve sync
expect_ok anna sync
expect_cell notes ref.del 1
expect_out_contains "Refused"
expect_ok anna get note "$n"
expect_out_contains subject=Doomed
expect_ok anna get document "$doc"
expect_ok root "$M" get note "$n"
expect_ok root "$M" get document "$doc"
expect_ok anna conflicts
printf '%s\n' "$OUT" | awk -F '\t' -v r="$n" '$4 == r && $5 == "*" { ok = 1 } END { exit !ok }' ||
    fail "the refused deletion is not in anna's conflict log"
expect_ok anna sync --verify
expect_ok eve sync
expect_ok eve sync --verify

# The deletion reaches the master first: the attachment to a deleted note
# is refused and logged, not kept hanging from it.
expect_ok eve sync
printf 'another\n' >"$T/file2.txt"
doc2=$(eve attach note "$n" "$T/file2.txt" --description Later) ||
    fail "cannot attach on eve's local"
root "$M" delete document "$doc" >/dev/null || fail "cannot delete the document on the master"
expect_ok anna sync
expect_ok anna delete note "$n"
expect_ok anna sync
expect_cell notes deleted 1
expect_fail root "$M" get note "$n"
expect_ok eve sync
expect_fail root "$M" get document "$doc2"
expect_ok eve conflicts
printf '%s\n' "$OUT" | grep -q Later || fail "eve's refused attachment is not in her conflict log"
expect_ok eve sync --verify
expect_ok anna sync --verify

exit 0
