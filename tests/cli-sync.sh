#!/bin/sh
# crm sync and crm conflicts: the rules of RULES.md seen from the command
# line (S1, S2, S3, S5-S9, S11, S12, S15, S16, B2, B3, B6).
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

FILES="users companies contacts notes events tasks opportunities issues campaigns targets documents templates"
TYPES="company contact note event task opportunity campaign target issue document template user"

# A well-formed sync table in $OUT: the header, a row per file, the total.
expect_table() {
	printf '%s\n' "$OUT" | head -n 1 | grep -q '^file .*uploaded' ||
	    fail "the sync table has no header with \"uploaded\""
	for _f in $FILES total; do
		printf '%s\n' "$OUT" | grep -Eq "^$_f +[0-9]+( +[0-9]+)+\$" ||
		    fail "the sync table has no row for $_f"
	done
}

# snapshot DIR LOGIN PASSWORD FILE: everything a database shows (list and
# export of every type, the conflict log) into FILE.
snapshot() {
	: >"$4"
	for _ty in $TYPES; do
		{
			printf '== list %s\n' "$_ty"
			as "$2" "$3" "$1" list "$_ty"
			printf '== export %s\n' "$_ty"
			as "$2" "$3" "$1" export "$_ty"
		} >>"$4" || fail "cannot list or export $_ty in $1"
	done
	{
		printf '== conflicts\n'
		as "$2" "$3" "$1" conflicts
	} >>"$4" || fail "cannot list the conflicts of $1"
}

M=$T/master
make_master "$M"
add_user "$M" ben BEN01 benpw1 --type remote --restricted --name "Ben Remote"
add_user "$M" anna ANNA1 annapw --name "Anna Plain"
# Every local here reaches its master by the transport under test (the
# attach, or the service through tests/ssh-pipe.sh: cli-sync-service.sh).
# Over the attach, restricted ben needs the master's leave.
use_service
if [ "${SYNC_TRANSPORT:-attach}" != service ]; then
	root "$M" config set sync.restricted_attach true ||
	    fail "cannot let restricted users attach $M"
fi

ben() {
	CRM_PASSWORD=benpw1 "$CRM" -d "$LB" "$@"
}
anna() {
	CRM_PASSWORD=annapw "$CRM" -d "$LA" "$@"
}

# What the master holds before anyone syncs.
cb=$(root "$M" add company name=BenCo phone=100 city=Brest account_manager=BEN01)
ca=$(root "$M" add company name=AnnaSecretCo phone=900 account_manager=ANNA1)
kb=$(root "$M" add contact company="$cb" first_name=Bea last_name=Bond)
root "$M" add contact company="$ca" first_name=Hidden last_name=Person \
    >/dev/null || fail "cannot add a contact"
root "$M" add note company="$cb" subject="Ben note" text=hello >/dev/null ||
    fail "cannot add a note"
root "$M" add note company="$ca" subject="SecretNote" text=no >/dev/null ||
    fail "cannot add a note"
root "$M" add task company="$cb" subject="Ben task" due=2026-12-01 \
    assigned_to=BEN01 >/dev/null || fail "cannot add a task"
root "$M" add event company="$cb" subject="Ben visit" start=2026-12-02T10:00 \
    end=2026-12-02T11:00 assigned_to=BEN01 >/dev/null || fail "cannot add an event"
root "$M" add opportunity company="$cb" name="Ben deal" amount=10 \
    account_manager=BEN01 >/dev/null || fail "cannot add an opportunity"
root "$M" add issue company="$cb" subject="Ben issue" assigned_to=BEN01 \
    >/dev/null || fail "cannot add an issue"
g1=$(root "$M" add campaign name=Winter start=2026-12-01 end=2026-12-31)
root "$M" add target campaign="$g1" company="$cb" account_manager=BEN01 \
    >/dev/null || fail "cannot add a target"
root "$M" add target campaign="$g1" company="$ca" account_manager=ANNA1 \
    >/dev/null || fail "cannot add a target"
root "$M" add template name=Welcome description="First letter" >/dev/null ||
    fail "cannot add a template"
printf 'the spec\n' >"$T/spec.txt"
db=$(root "$M" attach company "$cb" "$T/spec.txt" --description Spec)

# --- S1: sync is refused on a master ------------------------------------------
expect_fail root "$M" sync
expect_err_contains "$M"
expect_err_contains master
expect_eq "$OUT" ""
expect_fail root "$M" sync --dry-run
expect_err_contains master

# --- usage ------------------------------------------------------------------------
expect_ok "$CRM" sync --help
expect_out_contains "usage: crm sync"
expect_out_contains --dry-run
expect_ok "$CRM" conflicts --help
expect_out_contains "usage: crm conflicts"
LB=$T/local-ben
LA=$T/local-anna
CRM_PASSWORD=benpw1 expect_ok "$CRM" -u ben init --local "$LB" --master "$(master_at "$M")"
CRM_PASSWORD=annapw expect_ok "$CRM" -u anna init --local "$LA" --master "$(master_at "$M")"
expect_status 2 ben sync --wait soon
expect_status 2 ben sync --wait -1
expect_status 2 ben sync --bogus
expect_status 2 ben sync extra
expect_status 2 ben conflicts show
expect_status 2 ben conflicts frobnicate x
expect_status 2 ben conflicts show a b

# --- S3: the first sync downloads the user's scope ----------------------------------
expect_ok ben sync
expect_table
expect_cell companies download 1
expect_cell contacts download 1
expect_cell notes download 1
expect_cell tasks download 1
expect_cell events download 1
expect_cell opportunities download 1
expect_cell issues download 1
expect_cell campaigns download 1
expect_cell targets download 1
expect_cell documents download 1
expect_cell documents files 1
expect_cell templates download 1
expect_cell total uploaded 0
expect_cell_ge total download 11
expect_ok ben get company "$cb"
local_get=$OUT
expect_ok root "$M" get company "$cb"
expect_eq "$local_get" "$OUT"
expect_ok ben get contact "$kb"
expect_out_contains first_name=Bea
cmp -s "$T/spec.txt" "$LB/documents/$db" ||
    fail "the attached file did not travel with its document (S13)"
expect_ok ben sync --verify
expect_out_contains "0 difference(s)"
# A second sync has nothing to move.
expect_ok ben sync
expect_table
expect_cell total uploaded 0
expect_cell total download 0

# --- S15: a restricted local holds only the user's scope ---------------------------
expect_ok ben list company
expect_eq "$(rows)" 1
expect_out_contains BenCo
expect_ok ben list target
expect_eq "$(rows)" 1
expect_ok ben list campaign
expect_eq "$(rows)" 1
for word in AnnaSecretCo SecretNote Hidden; do
	held=$(grep -la "$word" "$LB"/*.db || :)
	[ -z "$held" ] || fail "$word, out of ben's scope, is in the clear in $held"
done
# Password hashes: ben's own, no one else's (test-sync's S15 tests read
# them through the store); here the files are encrypted, and
# not even ben's shows in them.
n=$(yescrypt_in "$LB"/*.db | wc -l)
expect_eq "$n" 0

# The plain user's local holds everything.
expect_ok anna sync
expect_table
expect_cell companies download 2
expect_ok anna list company
expect_eq "$(rows)" 2

# --- S5, S6, S8, S9: changes both ways ---------------------------------------------
nb=$(ben add company name=RoadCo city=Rennes account_manager=BEN01) ||
    fail "cannot add on the local"
ben set company "$cb" phone=101 || fail "cannot set on the local"
ben add note company="$cb" subject="From the road" text=x >/dev/null ||
    fail "cannot add a note on the local"
nm=$(root "$M" add contact company="$cb" first_name=Max last_name=Mast)
root "$M" set company "$cb" city=Quimper || fail "cannot set on the master"
root "$M" set contact "$kb" email=bea@example.com || fail "cannot set on the master"
expect_ok ben sync
expect_table
expect_cell companies uploaded 1
expect_cell companies merged 1
expect_cell notes uploaded 1
expect_cell contacts download 2
expect_ok ben sync --verify
expect_out_contains "0 difference(s)"
for rec in "company $cb" "company $nb" "contact $nm" "contact $kb"; do
	# shellcheck disable=SC2086
	expect_ok ben get $rec
	here=$OUT
	# shellcheck disable=SC2086
	expect_ok root "$M" get $rec
	expect_eq "$OUT" "$here"
done
expect_out_contains email=bea@example.com
expect_ok root "$M" get company "$cb"
expect_out_contains phone=101
expect_out_contains city=Quimper
expect_ok root "$M" get company "$nb"
expect_out_contains name=RoadCo
expect_out_contains created_by=BEN01

# --- S7, B3: a conflict, the local later: the local wins, the log keeps the rest ---
root "$M" set company "$cb" email=master@example.com || fail "set on the master"
ben set company "$cb" email=local@example.com || fail "set on the local"
expect_ok ben sync
expect_cell companies won 1
expect_out_contains "conflict log"
expect_ok root "$M" get company "$cb"
expect_out_contains email=local@example.com
expect_ok ben conflicts
printf '%s\n' "$OUT" | head -n 1 | grep -q "^id	created_at	type	record	field	kept	lost	who	changed_at	why	restored\$" ||
    fail "crm conflicts has not the tab-separated header"
expect_eq "$(rows)" 1
row=$(printf '%s\n' "$OUT" | tail -n 1)
cid=$(printf '%s\n' "$row" | cut -f 1)
expect_eq "$(printf '%s\n' "$row" | cut -f 3-7)" \
    "$(printf 'company\t%s\temail\tlocal@example.com\tmaster@example.com' "$cb")"
expect_eq "$(printf '%s\n' "$row" | cut -f 11)" no
expect_ok ben conflicts show "$cid"
expect_out_contains "id=$cid"
expect_out_contains type=company
expect_out_contains "record=$cb"
expect_out_contains field=email
expect_out_contains kept=local@example.com
expect_out_contains lost=master@example.com
expect_out_contains who=ROOT1
expect_out_contains restored=no
printf '%s\n' "$OUT" | grep -vq '^[a-z_]*=' && fail "conflicts show prints a line that is not FIELD=VALUE"
# A unique prefix will do.
expect_ok ben conflicts show "$(printf '%s' "$cid" | cut -c 1-20)"
expect_out_contains "id=$cid"
# Restore: the lost value comes back here, and the next sync uploads it.
expect_ok ben conflicts restore "$cid"
expect_ok ben get company "$cb"
expect_out_contains email=master@example.com
expect_ok ben conflicts show "$cid"
expect_out_contains restored=yes
expect_ok ben sync
expect_cell companies uploaded 1
expect_ok root "$M" get company "$cb"
expect_out_contains email=master@example.com
expect_ok ben sync --verify
expect_out_contains "0 difference(s)"
# Unknown conflicts.
expect_fail ben conflicts show nosuchid
expect_fail ben conflicts show 0000000000
expect_err_contains 0000000000
expect_fail ben conflicts restore 0000000000

# --- B3, S12: edited here, deleted on the master: the whole record is kept ---
expect_ok ben list issue --where subject="Ben issue" --fields id
iss=$(printf '%s\n' "$OUT" | tail -n 1)
ben set issue "$iss" subject="Ben issue, edited" || fail "set on the local"
root "$M" delete issue "$iss" || fail "delete on the master"
expect_ok ben sync
expect_cell issues deleted 1
expect_fail ben get issue "$iss"
expect_ok ben conflicts
whole=$(printf '%s\n' "$OUT" | awk -F '\t' -v r="$iss" '$4 == r && $5 == "*" { print $1 }')
field=$(printf '%s\n' "$OUT" | awk -F '\t' -v r="$iss" '$4 == r && $5 == "subject" { print $1 }')
[ -n "$whole" ] || fail "no whole-record entry for the issue deleted on the master"
[ -n "$field" ] || fail "no entry for the edited subject of the deleted issue"
expect_ok ben conflicts show "$whole"
expect_out_contains kept=deleted
expect_out_contains 'subject=Ben issue, edited'
expect_out_contains "why=deleted on the master"
# Its field alone has no record to go back to: the message says what will do.
expect_fail ben conflicts restore "$field"
expect_err_contains "entry for the whole record"
# The whole entry makes the issue again, as a new one, which goes up.
expect_ok ben conflicts restore "$whole"
new=$OUT
[ -n "$new" ] && [ "$new" != "$iss" ] || fail "restore printed no new ID: '$new'"
expect_ok ben get issue "$new"
expect_out_contains 'subject=Ben issue, edited'
expect_out_contains assigned_to=BEN01
expect_out_contains "company=$cb"
expect_ok ben sync
expect_cell issues uploaded 1
expect_ok root "$M" get issue "$new"
expect_out_contains 'subject=Ben issue, edited'

# --- B6: --dry-run reports and changes nothing ------------------------------------------
ben set company "$cb" phone=dry-local || fail "set on the local"
ben add company name=DryNew account_manager=BEN01 >/dev/null || fail "add on the local"
root "$M" set company "$cb" website=dry.example.com || fail "set on the master"
root "$M" add contact company="$cb" first_name=Dry >/dev/null || fail "add on the master"
snapshot "$LB" ben benpw1 "$T/local-before"
snapshot "$M" root secret "$T/master-before"
expect_ok ben sync --dry-run
dry=$OUT
expect_table
expect_out_contains "Dry run"
expect_cell companies uploaded 1
expect_cell companies merged 1
expect_cell contacts download 1
snapshot "$LB" ben benpw1 "$T/local-after"
snapshot "$M" root secret "$T/master-after"
cmp -s "$T/local-before" "$T/local-after" || fail "sync --dry-run changed the local"
cmp -s "$T/master-before" "$T/master-after" || fail "sync --dry-run changed the master"
expect_status 1 ben sync --verify
# The real sync does what the dry run said.
expect_ok ben sync
expect_out_lacks "Dry run"
expect_eq "$OUT" "$(printf '%s\n' "$dry" | grep -v '^Dry run')"
expect_ok ben sync --verify
expect_out_contains "0 difference(s)"

# --- S12: deletions by a plain user ---------------------------------------------------
# Refused up front,
expect_fail anna delete company "$cb"
expect_err_contains ROOT1
# campaigns always allowed, and the deletion propagates.
g2=$(root "$M" add campaign name=Spring start=2027-03-01 end=2027-03-31)
expect_ok anna sync
expect_ok anna delete campaign "$g2"
expect_ok anna sync
expect_cell campaigns deleted 1
expect_fail root "$M" get campaign "$g2"

# A deletion that the master refuses (the user lost the rights the local
# still believes in: a master where anna is an administrator, replaced by an
# identical one where she is not): the sync says so and the record is back.
S=$T/s12
mkdir "$S"
make_master "$S/m"
c12=$(root "$S/m" add company name=RootOwned phone=12)
cp -a "$S/m" "$S/m-plain"
add_user "$S/m" anna ANNA1 annapw --type admin
add_user "$S/m-plain" anna ANNA1 annapw
CRM_PASSWORD=annapw expect_ok "$CRM" -u anna init --local "$S/l" --master "$(master_at "$S/m")"
expect_ok as anna annapw "$S/l" sync
expect_ok as anna annapw "$S/l" delete company "$c12"
expect_fail as anna annapw "$S/l" get company "$c12"
rm -rf "$S/m"
mv "$S/m-plain" "$S/m"
expect_ok as anna annapw "$S/l" sync
expect_cell companies ref.del 1
expect_out_contains "deletion(s) were refused"
expect_ok as anna annapw "$S/l" get company "$c12"
expect_out_contains name=RootOwned
expect_out_contains phone=12
expect_ok root "$S/m" get company "$c12"
expect_out_contains name=RootOwned
expect_ok as anna annapw "$S/l" conflicts
expect_out_contains "$(printf 'company\t%s\t*\tkept\tdeleted' "$c12")"

# --- S16: reassignment on the master removes the record from the local --------------
kb2=$(ben add contact company="$cb" first_name=Rita last_name=Road) ||
    fail "cannot add a contact on the local"
expect_ok ben sync
ben set company "$cb" phone=unsent-edit || fail "set on the local"
root "$M" set company "$cb" account_manager=ANNA1 || fail "cannot reassign"
expect_ok ben sync
expect_table
expect_cell companies removed 1
expect_cell documents removed 1
expect_cell notes removed 2
expect_cell_ge total removed 7
expect_fail ben get company "$cb"
expect_ok ben list company
expect_out_lacks BenCo
expect_out_contains RoadCo
# What hangs from the company goes with it; contacts have their own account
# manager (still ben) and stay.
for ty in note task event opportunity issue document; do
	expect_ok ben list "$ty"
	[ "$(rows)" -eq 0 ] || fail "a $ty of the reassigned company stayed"
done
expect_ok ben get contact "$kb"
expect_ok ben get contact "$kb2"
[ ! -e "$LB/documents/$db" ] || fail "the file of a removed document stayed"
# The edit that could not go up is in the conflict log, not dropped.
expect_ok ben conflicts
expect_out_contains unsent-edit
expect_ok root "$M" get company "$cb"
expect_out_contains account_manager=ANNA1
expect_out_lacks unsent-edit
expect_ok ben sync --verify
expect_out_contains "0 difference(s)"

# --- S2: a master that cannot be reached, or is another one -----------------------------
ben set company "$nb" phone=pending || fail "set on the local"
snapshot "$LB" ben benpw1 "$T/local-before"
snapshot "$M" root secret "$T/master-before"
mv "$M" "$M.away"
expect_fail ben sync
expect_err_contains "cannot reach the master"
expect_err_contains "$M"
[ ! -e "$M" ] || fail "sync made the missing master directory"
# A wrong password is the answer, whatever the master's state (the check
# runs while the master is attached, and must still come first).
run env CRM_PASSWORD=wrong "$CRM" -d "$LB" -u ben sync
[ "$STATUS" -eq 1 ] || fail "sync with a wrong password exited $STATUS"
expect_err_contains "login refused for ben"
case $ERR in *"cannot reach"*) fail "a wrong password was told of the master: $ERR" ;; esac
expect_fail ben sync --verify
mkdir "$M"
expect_fail ben sync
expect_err_contains "$M"
# An empty directory is a share's mount point with nothing mounted on it.
expect_err_contains "cannot reach the master"
expect_err_contains "is empty"
[ ! -e "$M/crm.conf" ] || fail "sync made a database in an empty master directory"
echo stray >"$M/notes.txt"
expect_fail ben sync
expect_err_contains "not a master database"
rm "$M/notes.txt"
rmdir "$M"
make_master "$M"
# S2: a different master at the master's path, even one without ben, is
# "not the master" (its identity is checked before the user is looked up).
expect_fail ben sync
expect_err_contains "not the master"
run env CRM_PASSWORD=wrong "$CRM" -d "$LB" -u ben sync
[ "$STATUS" -eq 1 ] || fail "sync with a wrong password exited $STATUS"
expect_err_contains "login refused for ben"
case $ERR in *"not the master"*) fail "a wrong password was told of the master: $ERR" ;; esac
add_user "$M" ben BEN01 benpw1 --type remote --restricted
expect_fail ben sync
expect_err_contains "not the master"
expect_fail ben sync --verify
expect_err_contains "not the master"
rm -rf "$M"
mv "$M.away" "$M"
snapshot "$LB" ben benpw1 "$T/local-after"
snapshot "$M" root secret "$T/master-after"
cmp -s "$T/local-before" "$T/local-after" || fail "a failed sync changed the local"
cmp -s "$T/master-before" "$T/master-after" || fail "a failed sync changed the master"
expect_ok ben sync
expect_cell companies uploaded 1

# --- a master in use: --wait 0 fails at once, naming the holder ----------------------------
# The holder keeps the lock until it is told to let go (or a minute has
# passed): a sync that waited for it, however briefly, would then succeed
# and expect_fail would say so; no clock is read.
rm -f "$T/ready" "$T/release"
python3 -c '
import fcntl, os, sys, time
f = open(sys.argv[1] + "/lock", "a+")
fcntl.lockf(f, fcntl.LOCK_EX)
f.truncate(0)
f.write("someone on somehost (pid %d) since 2026-01-01T00:00:00Z\n" % os.getpid())
f.flush()
open(sys.argv[2], "w").close()
for i in range(600):
	if os.path.exists(sys.argv[3]):
		break
	time.sleep(0.1)
' "$M" "$T/ready" "$T/release" &
holder=$!
i=0
while [ ! -e "$T/ready" ]; do
	i=$((i + 1))
	[ "$i" -le 100 ] || fail "the lock holder did not start"
	sleep 0.1
done
expect_fail ben sync --wait 0
expect_err_contains "someone on somehost (pid $holder)"
: >"$T/release"
wait "$holder" 2>/dev/null || :
expect_ok ben sync --wait 0

# --- S11 and B2: clocks (faketime) -------------------------------------------------------
if ! command -v faketime >/dev/null 2>&1; then
	echo "cli-sync.sh: no faketime: S11 and B2 not tested" >&2
	finish
fi

# S11: a local that stayed away longer than the update window loses the
# fields both sides changed, even to an older master change.
W=$T/s11
mkdir "$W"
make_master "$W/m"
add_user "$W/m" anna ANNA1 annapw
expect_ok root "$W/m" config set sync.update_window_days 7
CRM_PASSWORD=annapw expect_ok "$CRM" -u anna init --local "$W/l" --master "$(master_at "$W/m")"
cw=$(root "$W/m" add company name=Window phone=1 city=A email=a@x.example)
expect_ok as anna annapw "$W/l" sync
root "$W/m" set company "$cw" phone=master-older city=M || fail "set on the master"
as anna annapw "$W/l" set company "$cw" phone=local-newer email=l@x.example ||
    fail "set on the local"
lnew=$(as anna annapw "$W/l" add company name=LocalNew11) || fail "add on the local"
mnew=$(root "$W/m" add company name=MasterNew11)
CRM_PASSWORD=annapw expect_ok faketime -f +10d "$CRM" -d "$W/l" sync
expect_table
expect_out_contains "update window"
expect_cell companies lost 1
for d in l m; do
	if [ $d = l ]; then
		expect_ok as anna annapw "$W/l" get company "$cw"
	else
		expect_ok root "$W/m" get company "$cw"
	fi
	expect_out_contains phone=master-older
	expect_out_contains city=M
	expect_out_contains email=l@x.example
done
expect_ok root "$W/m" get company "$lnew"
expect_ok as anna annapw "$W/l" get company "$mnew"
expect_ok as anna annapw "$W/l" conflicts
expect_out_contains local-newer
expect_out_contains "update window"

# B2: an edit made while the laptop's clock was a week ahead does not beat a
# later master edit.
K=$T/b2
mkdir "$K"
make_master "$K/m"
add_user "$K/m" anna ANNA1 annapw
CRM_PASSWORD=annapw expect_ok "$CRM" -u anna init --local "$K/l" --master "$(master_at "$K/m")"
ck=$(root "$K/m" add company name=Clock phone=1)
expect_ok as anna annapw "$K/l" sync
CRM_PASSWORD=annapw expect_ok faketime -f +7d "$CRM" -d "$K/l" set company "$ck" \
    phone=from-the-future
fut=$(CRM_PASSWORD=annapw faketime -f +7d "$CRM" -d "$K/l" add company name=Ahead) ||
    fail "add under faketime"
root "$K/m" set company "$ck" phone=master-later || fail "set on the master"
expect_ok as anna annapw "$K/l" sync
expect_table
expect_out_contains "too far ahead"
expect_cell companies lost 1
expect_ok as anna annapw "$K/l" get company "$ck"
expect_out_contains phone=master-later
expect_ok root "$K/m" get company "$ck"
expect_out_contains phone=master-later
expect_ok root "$K/m" get company "$fut"
expect_out_contains name=Ahead
# The stamps the master took are its own time, not a week ahead.
expect_out_lacks "$(faketime -f +7d date -u +%Y-%m-%d)"
# B2: the uploaded, clamped record leaves the outbox with its clamped
# stamps: a later sync uploads nothing and says nothing of the clock.
(
	expect_ok as anna annapw "$K/l" sync --verify
	expect_out_contains "0 difference(s)"
	expect_ok as anna annapw "$K/l" sync
	expect_cell total uploaded 0
	expect_out_lacks "too far ahead"
	expect_ok as anna annapw "$K/l" get company "$fut"
	expect_out_lacks "$(faketime -f +7d date -u +%Y-%m-%d)"
) || bug
# B2, S7: once the computer's clock is right again, the sync that clamped
# brought the local's hybrid clock back too, so an edit made after the
# master's wins.
sleep 1
root "$K/m" set company "$ck" website=master-first || fail "set on the master"
sleep 1
as anna annapw "$K/l" set company "$ck" website=local-second ||
    fail "set on the local"
(
	expect_ok as anna annapw "$K/l" sync
	expect_out_lacks "too far ahead"
	expect_ok root "$K/m" get company "$ck"
	expect_out_contains website=local-second
) || bug

# --- a first sync loads in bulk; beside another crm, the ordinary way ---------------
# A local that holds nothing of its own is loaded into $L/load and switched
# into place; if another crm has the local open, its files cannot be
# replaced, and the first sync is the ordinary comparison pass instead.
B=$T/bulk
mkdir -p "$B"
make_master "$B/m"
add_user "$B/m" anna ANNA1 annapw
for i in 1 2 3; do
	root "$B/m" add company name="Bulk $i" city=Lyon >/dev/null ||
	    fail "cannot add a company to $B/m"
done
CRM_PASSWORD=annapw "$CRM" -u anna init --local "$B/l1" --master "$(master_at "$B/m")" \
    >/dev/null || fail "cannot make the local $B/l1"
cp -a "$B/l1" "$B/l2" || fail "cannot copy $B/l1"
# B6: the preview is the ordinary pass, the sync a load: the same figures.
# Root's record comes down; anna's own, written by init, was there already.
expect_ok as anna annapw "$B/l1" sync --dry-run
dry=$(printf '%s\n' "$OUT" | grep -v '^Dry run')
expect_ok as anna annapw "$B/l1" sync
expect_table
expect_cell companies download 3
expect_cell users download 1
expect_eq "$OUT" "$dry"
[ ! -e "$B/l1/load" ] || fail "the first sync left $B/l1/load behind"
expect_ok as anna annapw "$B/l1" sync --verify
expect_out_contains "0 difference(s)"
expect_ok as anna annapw "$B/l1" sync
expect_cell total download 0
# The load brought anna's own password hash (she logs in above) and no
# one else's: root cannot log in to anna's local.
expect_fail as root secret "$B/l1" list company
expect_err_contains "login refused"
# Another crm holds the local open (its shared lock): the ordinary pass.
flock -s "$B/l2/open.lock" -c "touch '$B/held'; sleep 3" &
holder=$!
while [ ! -e "$B/held" ]; do sleep 0.1; done
expect_ok as anna annapw "$B/l2" sync
expect_eq "$OUT" "$dry"
[ ! -e "$B/l2/load" ] || fail "the ordinary first sync made $B/l2/load"
wait "$holder" || :
expect_ok as anna annapw "$B/l2" sync --verify
expect_out_contains "0 difference(s)"
snapshot "$B/l1" anna annapw "$B/s1"
snapshot "$B/l2" anna annapw "$B/s2"
cmp -s "$B/s1" "$B/s2" ||
    fail "a first sync in bulk and an ordinary one differ: $(diff "$B/s1" "$B/s2" | head -n 5)"
# A crm that opens a local while a first sync loads it waits, and says so.
rm -f "$B/held"
flock -x "$B/l1/open.lock" -c "touch '$B/held'; sleep 2" &
holder=$!
while [ ! -e "$B/held" ]; do sleep 0.1; done
expect_ok as anna annapw "$B/l1" list company
expect_err_contains "busy with its first sync"
expect_out_contains "Bulk 2"
wait "$holder" || :

finish
