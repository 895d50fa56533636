#!/bin/sh
# sync-attack.sh: a hostile user owns the laptop (DESIGN.md, "Threat
# model") and writes whatever they like into their local with
# tests/forge, as a build of crm of their own would; the master takes
# none of it on trust (RULES.md T1-T8). One block per attack, named after
# its rule, each checking what a person would: the sync's status and its
# "Refused:" lines, the local's conflict log, and the master, as root
# sees it and as its files hold it, unchanged.
#
# sync-attack-service.sh runs it again over the sync service (crm serve
# through tests/ssh-pipe.sh), where the master's half is a real boundary.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

FORGE=$(dirname "$CRM")/tests/forge
[ -x "$FORGE" ] || fail "no $FORGE: make check builds it"
TYPES="company contact note event task opportunity campaign target issue document template user"

# A local is encrypted: its own user's password opens it, for
# the forger as for crm.
forge() {
	case $1 in
	"$LA")	fpw=annapw ;;
	*)	fpw=benpw1 ;;
	esac
	CRM_PASSWORD=$fpw "$FORGE" "$@" || fail "forge $*"
}

# master_snap FILE: everything root sees of the master.
master_snap() {
	: >"$1"
	for _ty in $TYPES; do
		{
			printf '== %s\n' "$_ty"
			root "$M" export "$_ty"
		} >>"$1" || fail "cannot export $_ty from $M"
	done
	root "$M" user list >>"$1" || fail "cannot list the users of $M"
	for _d in documents templates; do
		(cd "$M/$_d" && ls -A && cat ./*) >>"$1" 2>/dev/null || :
	done
}

# before; ...attack...; unchanged WHAT: the master is as it was.
before() {
	master_snap "$T/master-before"
}

unchanged() {
	master_snap "$T/master-after"
	cmp -s "$T/master-before" "$T/master-after" ||
	    fail "$1 changed the master: $(diff "$T/master-before" "$T/master-after" | head -n 8)"
}

# in_master TEXT: TEXT is somewhere in the master's files.
in_master() {
	grep -rqF -- "$1" "$M"
}

expect_master_lacks() {
	if in_master "$1"; then
		fail "the master's files hold \"$1\": $(grep -rlF -- "$1" "$M" | head -n 3)"
	fi
}

expect_conflicts_lack() {
	run ben conflicts
	[ "$STATUS" -eq 0 ] || fail "crm conflicts failed"
	expect_out_lacks "$1"
}

# Distinct password hashes in a directory's files (yescrypt: $y$...); an
# encrypted local's as its user reads them.
hashes_in() {
	if [ -f "$1/crm.key" ]; then
		forge "$1" all user
	else
		cat "$1"/*.db
	fi | grep -aoE '\$y\$[./0-9A-Za-z]+\$[./0-9A-Za-z]+\$[./0-9A-Za-z]+' |
	    sort -u | wc -l | tr -d ' '
}

M=$T/master
make_master "$M"
add_user "$M" ben BEN01 benpw1 --type remote --restricted --name "Ben Remote"
add_user "$M" anna ANNA1 annapw --name "Anna Plain"
use_service
ATTACH=yes
[ "${SYNC_TRANSPORT:-attach}" != service ] || ATTACH=
# Over the attach, restricted ben needs the master's leave (T8 below
# shows what happens without it).
[ -z "$ATTACH" ] || root "$M" config set sync.restricted_attach true ||
    fail "cannot let restricted users attach $M"

LB=$T/local-ben
LA=$T/local-anna
ben() {
	CRM_PASSWORD=benpw1 "$CRM" -d "$LB" "$@"
}
anna() {
	CRM_PASSWORD=annapw "$CRM" -d "$LA" "$@"
}

# What the master holds: ben's accounts, anna's (outside ben's scope,
# with values he must never learn), and one of ben's that root created.
cb=$(root "$M" add company name=BenCo phone=100 account_manager=BEN01)
ca=$(root "$M" add company name=AnnaCo phone=AnnaPhone-900 \
    description=AnnaSecretDescription account_manager=ANNA1)
cr=$(root "$M" add company name=RootMadeForBen account_manager=BEN01)
kb=$(root "$M" add contact company="$cb" first_name=Bea last_name=Bond)
ka=$(root "$M" add contact company="$ca" first_name=Hidden last_name=AnnaPerson \
    email=hidden@anna.example)
nb=$(root "$M" add note company="$cb" subject="Ben note" text=hello)
na=$(root "$M" add note company="$ca" subject=AnnaSecretNote text=no)
tb=$(root "$M" add task company="$cb" subject="Ben task" due=2026-12-01 \
    assigned_to=BEN01)
eb=$(root "$M" add event company="$cb" subject="Ben visit" \
    start=2026-12-02T10:00 assigned_to=BEN01)
ob=$(root "$M" add opportunity company="$cb" name="Ben deal" amount=10 \
    account_manager=BEN01)
ib=$(root "$M" add issue company="$cb" subject="Ben issue" assigned_to=BEN01)
g1=$(root "$M" add campaign name=Winter start=2026-12-01 end=2026-12-31)
gb=$(root "$M" add target campaign="$g1" company="$cb" account_manager=BEN01)
root "$M" add target campaign="$g1" company="$ca" account_manager=ANNA1 \
    >/dev/null || fail "cannot add a target"
printf 'the spec\n' >"$T/spec.txt"
db=$(root "$M" attach company "$cb" "$T/spec.txt" --description Spec)
printf 'ANNA-FILE-SECRET\n' >"$T/anna.txt"
da=$(root "$M" attach company "$ca" "$T/anna.txt" --description AnnaDoc)
for v in "$cb" "$ca" "$cr" "$kb" "$ka" "$nb" "$na" "$tb" "$eb" "$ob" "$ib" \
    "$g1" "$gb" "$db" "$da"; do
	[ -n "$v" ] || fail "the master's records were not all made"
done

CRM_PASSWORD=benpw1 expect_ok "$CRM" -u ben init --local "$LB" --master "$(master_at "$M")"
CRM_PASSWORD=annapw expect_ok "$CRM" -u anna init --local "$LA" --master "$(master_at "$M")"
expect_ok ben sync
expect_ok anna sync
expect_ok ben get company "$cb"
expect_fail ben get company "$ca"
[ "$(hashes_in "$LB")" -eq 1 ] || fail "ben's local holds $(hashes_in "$LB") password hashes"

# --- T8: the master's files are not the way for a restricted user ------------
if [ -n "$ATTACH" ]; then
	# Over the attach the laptop opens the master's files itself: a
	# master that has not said restricted users may refuses them.
	root "$M" config set sync.restricted_attach false ||
	    fail "cannot set sync.restricted_attach"
	ben set company "$cb" phone=T8-attach || fail "set on the local"
	before
	expect_fail ben sync
	expect_err_contains "restricted user"
	expect_err_contains "sync service"
	expect_err_contains "nothing was changed"
	unchanged "a restricted user's attach"
	expect_master_lacks T8-attach
	root "$M" config set sync.restricted_attach true ||
	    fail "cannot set sync.restricted_attach"
	expect_ok ben sync
	expect_ok root "$M" get company "$cb"
	expect_out_contains phone=T8-attach
else
	# crm serve --user LOGIN (an authorized_keys forced command) serves
	# that login only, whatever the local says it is.
	cat >"$T/serve-anna" <<EOF
#!/bin/sh
# crm serve for anna's key only: crm serve DIR comes as \$1 \$2.
exec "$CRM" serve --user anna "\$2"
EOF
	chmod +x "$T/serve-anna"
	mkdir -p "$T/xdg-anna/crm"
	sed "s|remote_crm = .*|remote_crm = \"$T/serve-anna\";|" \
	    "$XDG_CONFIG_HOME/crm/crm.conf" >"$T/xdg-anna/crm/crm.conf"
	ben set company "$cb" phone=T8-key || fail "set on the local"
	before
	XDG_CONFIG_HOME=$T/xdg-anna expect_fail ben sync
	expect_err_contains "may sync only as anna, not as ben"
	unchanged "a sync through another login's key"
	expect_master_lacks T8-key
	# Anna's own sync through her key works.
	XDG_CONFIG_HOME=$T/xdg-anna expect_ok anna sync
	expect_ok ben sync
	expect_ok root "$M" get company "$cb"
	expect_out_contains phone=T8-key
fi
expect_ok ben sync
expect_ok anna sync

# --- T1: a local syncs as its own user, the master checks the password ---------
# Ben copies his own hash into root's record in his local and makes his
# local root's: the local lets "root" in, the master does not.
rid=$(forge "$LB" find user login=root)
bid=$(forge "$LB" find user login=ben)
[ -n "$rid" ] && [ -n "$bid" ] || fail "no user records in ben's local"
bhash=$(forge "$LB" get user "$bid" | sed -n 's/^password_hash=//p')
[ -n "$bhash" ] || fail "ben's local holds no hash of his"
forge "$LB" put user "$rid" "password_hash=$bhash" type=admin --clean >/dev/null
# crm opens ben's encrypted local for ben alone, forged users or not...
CRM_PASSWORD=benpw1 expect_fail "$CRM" -d "$LB" -u root list company
expect_err_contains "ben's local"
forge "$LB" put company "$ca" phone=T1-as-root --fresh name=Taken \
    account_manager=BEN01 >/dev/null
before
# crm itself keeps a local to its user...
CRM_PASSWORD=benpw1 expect_fail "$CRM" -d "$LB" -u root sync
expect_err_contains "ben's local"
# ...and a local that says otherwise meets the master's own password check.
sed 's/user = "ben"/user = "root"/' "$LB/crm.conf" >"$T/crm.conf" &&
    cp "$T/crm.conf" "$LB/crm.conf" || fail "cannot edit $LB/crm.conf"
CRM_PASSWORD=benpw1 expect_fail "$CRM" -d "$LB" -u root sync
expect_err_contains "login refused for root by the master"
CRM_PASSWORD=benpw1 expect_fail "$CRM" -d "$LB" -u root sync --dry-run
expect_err_contains "login refused for root by the master"
# As anna, with ben's password: the same answer.
sed 's/user = "root"/user = "anna"/' "$LB/crm.conf" >"$T/crm.conf" &&
    cp "$T/crm.conf" "$LB/crm.conf" || fail "cannot edit $LB/crm.conf"
aid=$(forge "$LB" find user login=anna)
forge "$LB" put user "$aid" "password_hash=$bhash" --clean >/dev/null
CRM_PASSWORD=benpw1 expect_fail "$CRM" -d "$LB" -u anna sync
expect_err_contains "login refused for anna by the master"
unchanged "a sync as another login"
expect_master_lacks T1-as-root
# Back to ben: his rights are the master's, not his local's. His own
# record made an administrator's in his local changes nothing there.
sed 's/user = "anna"/user = "ben"/' "$LB/crm.conf" >"$T/crm.conf" &&
    cp "$T/crm.conf" "$LB/crm.conf" || fail "cannot edit $LB/crm.conf"
forge "$LB" put user "$bid" type=admin restricted=no may_change_manager=yes \
    --clean >/dev/null
# (Anna's record, sent up this time, comes back as the master has it.)
forge "$LB" put user "$aid" --drop password_hash >/dev/null
expect_ok ben sync
expect_out_contains "Refused: company $ca"
expect_out_contains "Refused: user $aid"
expect_cell companies ref.scop 1
unchanged "an upload by a user who made himself administrator in his local"
expect_master_lacks T1-as-root
expect_fail ben get company "$ca"
expect_ok root "$M" user list
expect_out_contains "$(printf 'ben\tBEN01\tBen Remote\tremote\tyes\tno')"

# --- T2: users are managed on the master ---------------------------------------
# Ben's own record made an administrator's, root's given ben's hash, and a
# new administrator: all sent up (dirty), all refused.
forge "$LB" put user "$bid" type=admin restricted=no may_change_manager=yes >/dev/null
forge "$LB" put user "$rid" "password_hash=$bhash" name=T2-root-name >/dev/null
evil=$(forge "$LB" put user new login=evil uid=EVIL1 type=admin \
    "password_hash=$bhash" --by BEN01 --created-by ROOT1)
before
expect_ok ben sync
expect_cell users ref.inv 3
expect_out_contains "Refused: user $bid: users are managed on the master"
expect_out_contains "Refused: user $rid"
expect_out_contains "Refused: user $evil"
# T6, S15: the refusal says nothing of the master's users' secrets: no
# other user's hash in the sync's report, the conflict log or the local.
expect_out_lacks '$y$'
unchanged "uploads of user records"
expect_master_lacks T2-root-name
expect_master_lacks EVIL1
expect_fail as root benpw1 "$M" list company
expect_fail as evil benpw1 "$M" list company
expect_ok root "$M" list company
[ "$(hashes_in "$LB")" -eq 1 ] ||
    fail "ben's local holds $(hashes_in "$LB") distinct password hashes after a refused user upload"
expect_ok ben conflicts
kept=$(printf '%s\n' "$OUT" | awk -F '\t' -v r="$rid" \
    '$4 == r && $5 == "password_hash" { print "[" $6 "]" $7 }')
expect_eq "$kept" "[]$bhash"
# The local holds the master's users again.
expect_ok ben user list
expect_out_contains "$(printf 'ben\tBEN01\tBen Remote\tremote\tyes\tno')"
expect_out_lacks evil

# --- T3: authorship is the master's ---------------------------------------------
# A record root made for ben: ben claims he made it (creator, creation
# time) and that root changed it last.
expect_ok root "$M" get company "$cr"
cr_created=$(field created_at)
forge "$LB" put company "$cr" phone=T3-edit --created-by BEN01 --by ROOT1 \
    --created 1 >/dev/null
# A new record said to be root's.
n3=$(forge "$LB" put note new company="$cb" subject=T3-new-note \
    --created-by ROOT1 --by ROOT1)
expect_ok ben sync
expect_cell companies uploaded 1
expect_cell notes uploaded 1
expect_ok root "$M" get company "$cr"
expect_out_contains phone=T3-edit
expect_out_contains created_by=ROOT1
expect_out_contains "created_at=$cr_created"
expect_out_contains modified_by=BEN01
expect_ok root "$M" get note "$n3"
expect_out_contains created_by=BEN01
expect_out_contains modified_by=BEN01
# The local holds what the master decided.
expect_ok ben get company "$cr"
expect_out_contains created_by=ROOT1
# S12: the forged creator does not make its deletion pass at the next sync.
forge "$LB" put company "$cr" --deleted --created-by BEN01 --by BEN01 >/dev/null
expect_fail ben get company "$cr"
before
expect_ok ben sync
expect_cell companies ref.del 1
expect_out_contains "Refused: company $cr"
expect_out_contains "deletion(s) were refused"
unchanged "a deletion with a forged creator"
expect_ok ben get company "$cr"
expect_out_contains created_by=ROOT1
expect_ok ben conflicts
expect_out_contains "$(printf 'company\t%s\t*\tkept\tdeleted' "$cr")"
# The note ben made is his to delete: the master's creator says so.
expect_ok ben delete note "$n3"
expect_ok ben sync
expect_cell notes deleted 1
expect_fail root "$M" get note "$n3"

# --- T6: a refusal tells nothing of a record outside the scope ---------------------
# Ben knows the ID of anna's company (it was his once, say) and of her
# note, and sends edits and a deletion of them: the master refuses, and
# neither the report nor the conflict log holds anything of anna's.
forge "$LB" put company "$ca" phone=T6-probe name=T6-name \
    account_manager=BEN01 >/dev/null
forge "$LB" put note "$na" subject=T6-subject company="$cb" >/dev/null
forge "$LB" put contact "$ka" --deleted >/dev/null
before
expect_ok ben sync
expect_cell companies ref.scop 1
expect_cell notes ref.scop 1
expect_cell contacts ref.scop 1
expect_out_contains "Refused: company $ca"
expect_out_contains "Refused: note $na"
expect_out_contains "Refused: contact $ka"
for secret in AnnaCo AnnaPhone-900 AnnaSecretDescription AnnaSecretNote \
    Hidden AnnaPerson hidden@anna.example ANNA1; do
	expect_out_lacks "$secret"
done
unchanged "edits of records outside the scope"
expect_master_lacks T6-probe
expect_master_lacks T6-subject
run ben conflicts
[ "$STATUS" -eq 0 ] || fail "crm conflicts failed"
expect_out_contains T6-probe
expect_out_contains T6-subject
for secret in AnnaCo AnnaPhone-900 AnnaSecretDescription AnnaSecretNote \
    Hidden AnnaPerson hidden@anna.example ANNA1; do
	expect_out_lacks "$secret"
done
for id in "$ca" "$na" "$ka"; do
	expect_ok ben conflicts
	printf '%s\n' "$OUT" | awk -F '\t' -v r="$id" '$4 == r && $6 != "" { bad = 1 }
	    END { exit bad }' || fail "the conflict log says what the master kept of $id"
done
# Nothing of them came into the local either.
expect_fail ben get company "$ca"
expect_fail ben get note "$na"
expect_fail ben get contact "$ka"
for secret in AnnaPhone-900 AnnaSecretDescription AnnaSecretNote hidden@anna.example \
    ANNA-FILE-SECRET; do
	! grep -rqF "$secret" "$LB" || fail "ben's local holds $secret"
done

# --- T4: nothing is moved onto someone else's account ------------------------------
# Each of ben's records pointed at anna's company or contact, two new
# ones made there, and his company handed to anna: all refused, so that
# none of it lands in anna's accounts (nor drags her records into his).
forge "$LB" put note "$nb" company="$ca" >/dev/null
forge "$LB" put contact "$kb" company="$ca" >/dev/null
forge "$LB" put opportunity "$ob" company="$ca" >/dev/null
forge "$LB" put event "$eb" contact="$ka" >/dev/null
forge "$LB" put task "$tb" company="$cb" contact="$ka" >/dev/null
forge "$LB" put issue "$ib" company="$ca" >/dev/null
forge "$LB" put target "$gb" company="$ca" >/dev/null
forge "$LB" put document "$db" parent="$ca" >/dev/null
forge "$LB" put company "$cb" account_manager=ANNA1 >/dev/null
n4=$(forge "$LB" put note new company="$ca" subject=T4-new-note)
k4=$(forge "$LB" put contact new company="$ca" first_name=T4-new-contact \
    account_manager=BEN01)
before
expect_ok ben sync
for f in notes:2 contacts:2 opportunities:1 events:1 tasks:1 issues:1 \
    targets:1 documents:1 companies:1; do
	expect_cell "${f%:*}" ref.scop "${f#*:}"
done
expect_cell total uploaded 0
for id in "$nb" "$kb" "$ob" "$eb" "$tb" "$ib" "$gb" "$db" "$cb" "$n4" "$k4"; do
	expect_out_contains "$id"
done
expect_out_contains "outside your scope"
unchanged "edits that move records onto anna's accounts"
expect_master_lacks T4-new
# The local is back to the master's versions; the new records are gone.
expect_ok ben get note "$nb"
expect_out_contains "company=$cb"
expect_ok ben get company "$cb"
expect_out_contains account_manager=BEN01
expect_fail ben get note "$n4"
# What ben sent is in his conflict log: each move, and what stayed (his
# own note's company, which he may see).
expect_ok ben conflicts
expect_out_contains "$(printf 'note\t%s\tcompany\t%s\t%s' "$nb" "$cb" "$ca")"
expect_out_contains "$(printf 'note\t%s\tsubject\t\tT4-new-note' "$n4")"
expect_out_contains "$(printf 'company\t%s\taccount_manager\tBEN01\tANNA1' "$cb")"
expect_ok ben sync --verify
expect_out_contains "0 difference(s)"

# --- T5: an upload is validated as a local write is ----------------------------------
# Anna, a plain user who may change any company, sends what crm itself
# would never write: every one is refused, whoever sends it.
head -c 5000000 /dev/zero | tr '\0' x >"$T/5mb"
c5=$(anna add company name=T5Co) || fail "cannot add on anna's local"
e5=$(anna add event company="$c5" subject=T5-event start=2026-12-01) ||
    fail "cannot add on anna's local"
expect_ok anna sync
forge "$LA" put company "$c5" email=not-an-email >/dev/null
forge "$LA" put event "$e5" start=2026-13-45 >/dev/null
forge "$LA" put note new company=01m95jzzzzzzzzzzzzzzzzzzzz subject=T5-dangling \
    >/dev/null
forge "$LA" put task new subject=T5-choice status=bogus >/dev/null
forge "$LA" put event new subject=T5-nobody start=2026-12-01 assigned_to=NOONE \
    >/dev/null
forge "$LA" put company new phone=T5-no-name >/dev/null
forge "$LA" put opportunity new name=T5-unknown salary=T5-unknown-value >/dev/null
forge "$LA" put issue new subject=T5-two-lines "description=ok" \
    "status=$(printf 'open\nclosed')" >/dev/null
before
expect_ok anna sync
expect_cell total uploaded 0
expect_cell total ref.inv 8
expect_out_contains "not-an-email\" is not an email address"
expect_out_contains "2026-13-45\" is not a date"
expect_out_contains "no such company"
expect_out_contains "\"bogus\" is not one of"
expect_out_contains "NOONE\": no user has that ID"
expect_out_contains "name is required"
expect_out_contains "salary is not a field of a opportunity"
expect_out_contains "holds one line"
unchanged "invalid uploads"
for v in T5-dangling T5-choice T5-nobody T5-no-name T5-unknown T5-two-lines \
    not-an-email 2026-13-45; do
	expect_master_lacks "$v"
done
# What was refused is in anna's conflict log.
expect_ok anna conflicts
expect_out_contains not-an-email
expect_out_contains T5-unknown-value
expect_ok anna get company "$c5"
expect_out_lacks not-an-email
# A 5 MB field. Over the attach the master refuses it as crm refuses a
# long text; over the service its frame is over the protocol's limit, and
# crm serve stops the sync before the record is even read, saying why.
forge "$LA" put campaign "$g1" description=@"$T/5mb" >/dev/null
before
if [ -n "$ATTACH" ]; then
	expect_ok anna sync
	expect_cell campaigns ref.inv 1
	expect_out_contains "campaign description is too long"
else
	expect_fail anna sync
	expect_err_contains "over the limit"
fi
unchanged "a 5 MB field"
expect_master_lacks xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
# (Anna's local lets go of it, or no sync over the service ends.)
forge "$LA" put campaign "$g1" description= >/dev/null
expect_ok anna sync
expect_ok anna sync --verify
expect_out_contains "0 difference(s)"
# A company is a target of a campaign once (crm refuses a second): the
# master refuses it too, over two transports and two uploads alike.
t5=$(forge "$LB" put target new campaign="$g1" company="$cb" account_manager=BEN01)
before
expect_ok ben sync
expect_cell targets ref.inv 1
expect_out_contains "Refused: target $t5"
expect_out_contains "is already a target of the campaign"
unchanged "a second target of a company in a campaign"
# Header bytes of a newer record encoding, from a local that declares no
# newer schema: refused as an unknown field is.
forge "$LA" put company "$c5" phone=T5-ext --ext 0badc0de >/dev/null
before
expect_ok anna sync
expect_cell companies ref.inv 1
expect_out_contains "newer record encoding"
unchanged "a record with header bytes of a newer encoding"
expect_master_lacks T5-ext
expect_ok anna sync --verify
expect_out_contains "0 difference(s)"

# --- T7: files: hashes checked, plain names, no links followed ------------------------
sha() {
	sha256sum "$1" | cut -d ' ' -f 1
}
size() {
	wc -c <"$1" | tr -d ' '
}
printf 'T7-good\n' >"$T/good.txt"
printf 'T7-OUTSIDE-SECRET\n' >"$T/outside.txt"
printf 'Dear {{name}}\n' >"$T/letter.txt"
tw=$(root "$M" template add T7Letter "$T/letter.txt") ||
    fail "cannot add a template"
expect_ok ben sync
# A document whose content is not what its hash says.
d1=$(forge "$LB" put document new parent="$cb" filename=good.txt \
    "hash=$(sha "$T/good.txt")" "size=$(size "$T/good.txt")")
forge "$LB" file documents "$d1" --text T7-evil-content
# A name that climbs out of documents/, and content that is right.
printf 'T7-escape-content\n' >"$T/escape.txt"
d2=$(forge "$LB" put document new parent="$cb" filename=../../T7-escape.txt \
    "hash=$(sha "$T/escape.txt")" "size=$(size "$T/escape.txt")")
forge "$LB" file documents "$d2" --from "$T/escape.txt"
# The local's own files made links to a file outside it, their records
# saying that file's hash: the content is never read through the link.
forge "$LB" file documents "$db" --symlink "$T/outside.txt"
forge "$LB" put document "$db" "hash=$(sha "$T/outside.txt")" \
    "size=$(size "$T/outside.txt")" description=T7-link >/dev/null
forge "$LB" file templates "$tw" --symlink "$T/outside.txt"
forge "$LB" put template "$tw" "hash=$(sha "$T/outside.txt")" \
    description=T7-link >/dev/null
d3=$(forge "$LB" put document new parent="$cb" filename=linked.txt \
    "hash=$(sha "$T/outside.txt")" "size=$(size "$T/outside.txt")")
forge "$LB" file documents "$d3" --symlink "$T/outside.txt"
cp "$M/documents/$db" "$T/db-before"
cp "$M/templates/$tw" "$T/tw-before"
expect_ok ben sync
expect_out_contains "Refused: document $d1: its file does not match its SHA-256"
expect_out_contains "Refused: document $db: its file did not come with it"
expect_out_contains "Refused: template $tw: its file did not come with it"
expect_out_contains "Refused: document $d3: its file did not come with it"
expect_cell documents ref.inv 3
expect_cell templates ref.inv 1
expect_cell documents uploaded 1
expect_ok root "$M" get document "$d2"
expect_out_contains filename=T7-escape.txt
cmp -s "$M/documents/$d2" "$T/escape.txt" ||
    fail "the document with a climbing name is not in the master's documents/"
[ -z "$(find "$T" -name T7-escape.txt)" ] ||
    fail "a file was written outside the master's documents/: $(find "$T" -name T7-escape.txt)"
expect_fail root "$M" get document "$d1"
[ ! -e "$M/documents/$d1" ] || fail "the master holds the file that did not match"
expect_master_lacks T7-evil-content
expect_master_lacks T7-OUTSIDE-SECRET
cmp -s "$M/documents/$db" "$T/db-before" || fail "the master's file of $db changed"
cmp -s "$M/templates/$tw" "$T/tw-before" || fail "the master's file of $tw changed"
ls "$M/documents" "$M/templates" | grep -q '\.up-' &&
    fail "staged files are left in the master"
# The records whose file did not come: the master keeps what it has.
expect_ok root "$M" get document "$db"
expect_out_contains "hash=$(sha "$T/db-before")"
expect_ok root "$M" get template "$tw"
expect_out_contains "hash=$(sha "$T/tw-before")"
expect_fail root "$M" get document "$d3"
# Ben's local has the master's files again, in place of its links, and
# the file they pointed at is as it was.
# (The local is encrypted: crm unseals its files to compare them.)
[ ! -L "$LB/documents/$db" ] && [ ! -L "$LB/templates/$tw" ] ||
    fail "a link stayed in ben's local"
ben document show "$db" -o "$T/db-got" && cmp -s "$T/db-got" "$T/db-before" ||
    fail "ben's local did not get the master's documents/$db back"
ben template show "$tw" >"$T/tw-got" && cmp -s "$T/tw-got" "$T/tw-before" ||
    fail "ben's local did not get the master's templates/$tw back"
[ ! -e "$LB/documents/$d3" ] && [ ! -L "$LB/documents/$d3" ] ||
    fail "the refused new document's link stayed"
expect_eq "$(cat "$T/outside.txt")" T7-OUTSIDE-SECRET
expect_ok ben sync --verify
expect_out_contains "0 difference(s)"
# Anna's local gets what the master has, whole and matching.
expect_ok anna sync
anna document show "$d2" -o "$T/d2-got" && cmp -s "$T/d2-got" "$T/escape.txt" ||
    fail "anna did not get $d2's file"
anna document show "$db" -o "$T/db-got" && cmp -s "$T/db-got" "$T/db-before" ||
    fail "anna's file of $db is not the master's"

# --- T4, S15: clearing an owner is changing it ---------------------------------------
# crm refuses a user without the right a change of account manager, and a
# restricted user an assignment to anyone but themselves; an empty value
# is such a change too.
forge "$LA" put company "$ca" account_manager= >/dev/null
forge "$LB" put task "$tb" assigned_to= >/dev/null
forge "$LB" put issue "$ib" assigned_to= >/dev/null
before
expect_ok anna sync
expect_cell companies ref.scop 1
expect_out_contains "anna may not change account managers"
expect_ok ben sync
expect_cell tasks ref.scop 1
expect_cell issues ref.scop 1
expect_out_contains "may assign work only to themselves"
unchanged "owners cleared"
expect_ok anna get company "$ca"
expect_out_contains account_manager=ANNA1
expect_ok ben get task "$tb"
expect_out_contains assigned_to=BEN01
# The check is on what the upload changes, not on the local's copy: a
# manager changed on the master meanwhile is no change of anna's, and her
# own edit of the record merges (B1) as any other.
root "$M" set company "$c5" account_manager=BEN01 || fail "set on the master"
anna set company "$c5" phone=owner-merge || fail "set on anna's local"
expect_ok anna sync
expect_cell companies merged 1
expect_cell companies ref.scop 0
expect_ok root "$M" get company "$c5"
expect_out_contains phone=owner-merge
expect_out_contains account_manager=BEN01
expect_ok anna sync --verify
expect_out_contains "0 difference(s)"
expect_ok ben sync

# --- IDs: one record, one ID, one file ---------------------------------------------------
# A new company with the ID of ben's note, one with the ID of anna's
# contact (which ben cannot see), and one of ben's contacts sent as a
# company: refused, the records behind those IDs untouched.
forge "$LB" put company "$nb" name=ID-as-company account_manager=BEN01 --fresh \
    >/dev/null
forge "$LB" put company "$ka" name=ID-anna-contact account_manager=BEN01 --fresh \
    >/dev/null
forge "$LB" put company "$kb" name=ID-contact-as-company account_manager=BEN01 \
    --fresh >/dev/null
# A note sent in the companies' file, with a new ID.
forge "$LB" put company new subject=ID-note-fields company="$cb" >/dev/null
before
expect_ok ben sync
expect_cell companies ref.inv 4
expect_cell companies uploaded 0
expect_out_contains "Refused: company $nb: its ID is another record's on the master"
expect_out_contains "Refused: company $ka: its ID is another record's on the master"
expect_out_contains "Refused: company $kb: its ID is another record's on the master"
expect_out_contains "subject is not a field of a company"
expect_out_lacks AnnaPerson
unchanged "records sent under other records' IDs"
expect_master_lacks ID-
expect_ok ben get note "$nb"
expect_ok ben get contact "$kb"
expect_fail ben get company "$nb"
expect_fail ben get company "$kb"
expect_ok ben sync --verify
expect_out_contains "0 difference(s)"

# --- the local's sync state: a forged claim of a later sync -----------------------------
# The local's meta.db says where it stands: the master's sequence and
# stamp at its last sync, and when that was. The master bounds the
# sequence by its own, and it decides only between the user's own changes
# and the master's. A local that claims a sync later than the one it had
# misses the master's changes in between (its own loss), and its edits
# then go up as if no one had changed the record meanwhile: the fields it
# sends overwrite the master's newer values. That is what the user could
# do anyway by setting those fields, which their rights allow; it never
# reaches a record outside them.
root "$M" set company "$cb" phone=seq-master-newer || fail "set on the master"
forge "$LB" meta sync_seq 999999999 >/dev/null
forge "$LB" meta sync_stamp "$(forge "$LB" stamp)" >/dev/null
forge "$LB" meta sync_time "$(date +%s)000" >/dev/null
forge "$LB" put company "$cb" city=seq-local-edit >/dev/null
forge "$LB" put company "$ca" phone=seq-probe account_manager=BEN01 >/dev/null
forge "$LB" put note "$na" subject=seq-probe >/dev/null
expect_ok ben sync
expect_cell companies uploaded 1
expect_cell companies ref.scop 1
expect_cell notes ref.scop 1
expect_out_contains "Refused: company $ca"
expect_out_contains "Refused: note $na"
expect_ok root "$M" get company "$cb"
expect_out_contains city=seq-local-edit
expect_ok root "$M" get company "$ca"
expect_out_contains phone=AnnaPhone-900
expect_master_lacks seq-probe
for secret in AnnaPhone-900 AnnaSecretNote; do
	! grep -rqF "$secret" "$LB" || fail "ben's local holds $secret"
done
# The bound: the local now says the master's own sequence.
[ "$(forge "$LB" meta sync_seq)" -lt 999999999 ] ||
    fail "the local keeps a sequence the master never had"
# A claim of no sync at all is a first sync's: the scope, no more.
forge "$LB" meta sync_seq 0 >/dev/null
forge "$LB" meta sync_stamp 0 >/dev/null
expect_ok ben sync
expect_ok ben sync --verify
expect_out_contains "0 difference(s)"
for secret in AnnaPhone-900 AnnaSecretNote AnnaSecretDescription; do
	! grep -rqF "$secret" "$LB" || fail "ben's local holds $secret"
done

finish
