#!/bin/sh
# cli-encrypt.sh: a lost laptop gives away nothing. A restricted
# user's local, made and synced through the sync service, edited, given an
# attachment, and then left by a company reassigned to someone else
# (RULES.md S16), holds none of the names, emails and phone numbers it
# ever held in any file under its directory: data files, logs, regions,
# documents/ and templates/. Documents and templates that came down,
# were attached, written as letters, shown and sent up are sealed there
# (and plain on the master), over the service and over an attach alike;
# a sealed file cut short, changed or swapped for another is named and
# refused. A wrong password opens nothing; a password change re-seals
# the key; the session keyring spares later commands the password, and
# crm lock ends that.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
LB=$T/local-ben
make_master "$M"
add_user "$M" ben BEN01 benpw1 --type remote --restricted --name "Ben Qorvath"
add_user "$M" anna ANNA1 annapw --name "Anna Plain"
use_service

ben() {
	CRM_PASSWORD=benpw1 "$CRM" -d "$LB" "$@"
}

# What ben's local will hold, one time or another: every value below is
# a word no file of crm has by itself.
SECRETS="Zorbatek Quillmoor Vexhollow Brindlewick Yarrowgate
zorbatek-sales@example.org quillmoor@example.net vex.hollow@example.com
4471829365 3395017742 2208466153
Fenwhistle Glimmerdown Kestrelby
NotezQuibble MovedcoWhisper RoadeditPlume
Pelerinquad Orvanthistle Saffrodune Tindalrook"

cb=$(root "$M" add company name=Zorbatek phone=4471829365 \
    email=zorbatek-sales@example.org city=Vexhollow account_manager=BEN01) ||
    fail "cannot add a company on the master"
cm=$(root "$M" add company name=Quillmoor phone=3395017742 \
    email=quillmoor@example.net city=Brindlewick account_manager=BEN01) ||
    fail "cannot add a company on the master"
root "$M" add contact company="$cm" first_name=Fenwhistle \
    last_name=Glimmerdown email=vex.hollow@example.com \
    account_manager=ANNA1 >/dev/null || fail "cannot add a contact"
root "$M" add note company="$cm" subject=MovedcoWhisper text=x >/dev/null ||
    fail "cannot add a note"

# The local: made encrypted, filled by its first sync (a bulk load).
CRM_PASSWORD=benpw1 expect_ok "$CRM" -u ben init --local "$LB" \
    --master "$(via "$M")"
[ -f "$LB/crm.key" ] || fail "the new local has no key file"
expect_eq "$(mode "$LB/crm.key")" 600
expect_ok ben sync
expect_ok ben list company
expect_out_contains Zorbatek
expect_out_contains Quillmoor

# A document and a letter template on the master, plain there, that come
# down into ben's local sealed (S13, S14).
printf 'Pelerinquad contract draft\n' >"$T/draft.txt"
dm=$(root "$M" attach company "$cb" "$T/draft.txt" --description Draft) ||
    fail "cannot attach a file on the master"
printf 'Orvanthistle greets {{contact.first_name}}\n' >"$T/welcome.txt"
root "$M" template add Welcome "$T/welcome.txt" >/dev/null ||
    fail "cannot add a template on the master"
grep -rq Pelerinquad "$M/documents" || fail "the master's document is not plain"
expect_ok ben sync
expect_ok ben document show "$dm"
expect_eq "$OUT" "Pelerinquad contract draft"
expect_ok ben template show Welcome
expect_out_contains Orvanthistle

# Work on the road: edits, a new contact, a note, an attachment, a
# template of ben's own and letters from both templates.
expect_ok ben set company "$cb" phone=2208466153 city=Yarrowgate
kr=$(ben add contact company="$cb" first_name=Kestrelby last_name=Road) ||
    fail "ben cannot add a contact"
expect_ok ben add note company="$cm" subject=NotezQuibble text="met them"
printf 'Attached Brindlewick terms\n' >"$T/terms.txt"
expect_ok ben attach company "$cm" "$T/terms.txt" --description Terms
printf 'Saffrodune notes for {{contact.last_name}}\n' >"$T/road.txt"
expect_ok ben template add Road "$T/road.txt"
expect_ok ben letter Welcome "$kr"
expect_eq "$OUT" "Orvanthistle greets Kestrelby"
mkdir "$T/out"
expect_ok ben letter Road "$kr" -o "$T/out/letter.txt"
expect_eq "$(cat "$T/out/letter.txt")" "Saffrodune notes for Road"
expect_ok ben document show "$dm" -o "$T/out/draft.txt"
cmp -s "$T/out/draft.txt" "$T/draft.txt" || fail "document show -o differs"
expect_eq "$(mode "$T/out/draft.txt")" 600
expect_ok ben sync
# Unsealed on their way up: the master has them in the clear.
grep -rq Saffrodune "$M/templates" || fail "ben's template did not reach the master"
grep -rq "Orvanthistle greets Kestrelby" "$M/documents" ||
    fail "ben's letter did not reach the master"
grep -rq Brindlewick "$M/documents" || fail "ben's attachment did not reach the master"
# No temporary copy of anything was left beside the files.
[ -z "$(find "$LB/documents" "$LB/templates" -name '.*' -o -name '*.tmp-*')" ] ||
    fail "temporary files left: $(find "$LB/documents" "$LB/templates")"
# An edit that cannot go up any more, for the conflict log.
expect_ok ben set company "$cm" phone=RoadeditPlume
# S16: Quillmoor goes to anna; ben's next sync takes it and what hangs
# from it out of his local.
root "$M" set company "$cm" account_manager=ANNA1 || fail "cannot reassign"
expect_ok ben sync
expect_fail ben get company "$cm"
expect_ok ben conflicts
expect_out_contains RoadeditPlume
# More work, so that logs and regions hold recent pages too.
expect_ok ben set company "$cb" name=Zorbatek phone=4471829365

# Every file under the local's directory, whatever it is.
files=$(find "$LB" -type f | sort)
case $files in
*log.0*) ;;
*) fail "no log file in $LB: the test looks at nothing" ;;
esac
for s in $SECRETS; do
	for f in $files; do
		if grep -aqi -- "$s" "$f"; then
			fail "$f holds \"$s\" in the clear"
		fi
	done
done
[ "$(find "$LB/documents" "$LB/templates" -type f | wc -l)" -ge 5 ] ||
    fail "the local holds too few documents and templates to look at"

# A sealed file cut short, changed, or another record's put in its place:
# named, refused, nothing of it shown.
f=$LB/documents/$dm
cp "$f" "$T/sealed"
head -c 60 "$T/sealed" >"$f"
expect_fail ben document show "$dm"
expect_err_contains 'the file of "draft.txt"'
expect_err_contains "is damaged: it was cut short"
expect_err_contains "restore it from a backup"
[ -z "$OUT" ] || fail "a damaged document printed: $OUT"
cp "$T/sealed" "$f"
printf 'X' | dd of="$f" bs=1 seek=70 conv=notrunc 2>/dev/null
expect_fail ben document show "$dm" -o "$T/out/damaged.txt"
expect_err_contains "is damaged"
[ ! -e "$T/out/damaged.txt" ] || fail "a damaged document was written out"
other=$(find "$LB/documents" -type f ! -name "$dm" | head -n 1)
cp "$other" "$f"
expect_fail ben document show "$dm"
expect_err_contains "not this record's file of this database"
cp "$T/sealed" "$f"
expect_ok ben document show "$dm"
expect_eq "$OUT" "Pelerinquad contract draft"
# A template's: the letter is refused, naming the template.
tw=$(find "$LB/templates" -type f | while read -r t; do
	if ben template show "${t##*/}" 2>/dev/null | grep -q Orvanthistle; then
		echo "$t"
	fi
done)
[ -n "$tw" ] || fail "cannot find the Welcome template's file"
cp "$tw" "$T/sealed-tw"
truncate -s -1 "$tw"
expect_fail ben letter Welcome "$kr"
expect_err_contains 'template "Welcome"'
expect_err_contains "is damaged"
cp "$T/sealed-tw" "$tw"

# Anna's local over an attach (the master's directory opened here): the
# same, sealed on arrival, plain on the master once sent up.
LA=$T/local-anna
CRM_PASSWORD=annapw expect_ok "$CRM" -u anna init --local "$LA" --master "$M"
anna() {
	CRM_PASSWORD=annapw "$CRM" -d "$LA" "$@"
}
expect_ok anna sync
expect_ok anna document show "$dm"
expect_eq "$OUT" "Pelerinquad contract draft"
printf 'Tindalrook memo\n' >"$T/memo.txt"
expect_ok anna attach company "$cm" "$T/memo.txt" --description Memo
expect_ok anna sync
grep -rq Tindalrook "$M/documents" || fail "anna's attachment did not reach the master"
expect_ok ben sync
for s in Pelerinquad Orvanthistle Saffrodune Tindalrook Brindlewick; do
	for f in $(find "$LA" -type f); do
		if grep -aqi -- "$s" "$f"; then
			fail "$f holds \"$s\" in the clear"
		fi
	done
done

# The regions are shared memory, not files holding the cache, and the
# last command to let the local go removed them.
for f in "$LB"/__db.0*; do
	[ -e "$f" ] || continue
	[ "$(stat -c %s "$f")" -lt 4096 ] ||
	    fail "$f is a region file of $(stat -c %s "$f") bytes"
done

# A wrong password opens nothing, and says what it says for a wrong login.
run env CRM_PASSWORD=benpw2 "$CRM" -d "$LB" list company
[ "$STATUS" -eq 1 ] || fail "a wrong password exited $STATUS"
expect_err_contains "login refused for ben: wrong login or password"
[ -z "$OUT" ] || fail "a wrong password printed: $OUT"
# Another user of the master cannot open ben's local with their own.
run env CRM_PASSWORD=annapw "$CRM" -d "$LB" -u anna list company
[ "$STATUS" -eq 1 ] || fail "anna opened ben's local"
expect_err_contains "ben's local"

# A password change seals the same key again: the old one opens nothing,
# the new one everything.
CRM_NEW_PASSWORD=benpw9 expect_ok ben user passwd ben
expect_out_contains "new password"
run env CRM_PASSWORD=benpw1 "$CRM" -d "$LB" list company
[ "$STATUS" -eq 1 ] || fail "the old password still opens the local"
expect_err_contains "wrong login or password"
CRM_PASSWORD=benpw9 expect_ok "$CRM" -d "$LB" list company
expect_out_contains Zorbatek
# Back, as the master still has it.
run env CRM_PASSWORD=benpw9 CRM_NEW_PASSWORD=benpw1 "$CRM" -d "$LB" \
    user passwd ben
[ "$STATUS" -eq 0 ] || fail "cannot change the password back: $ERR"
expect_ok ben sync

# Unlocked once: a password typed (here given) keeps the key in the
# session keyring, and a command with no password then opens the local.
expect_ok "$CRM" -d "$LB" lock
run "$CRM" -d "$LB" list company
[ "$STATUS" -eq 1 ] || fail "a locked local opened with no password"
expect_err_contains "no password"
expect_ok ben list company
run "$CRM" -d "$LB" list company
if [ "$STATUS" -eq 0 ]; then
	expect_out_contains Zorbatek
	# A wrong password given on purpose is refused, keyring or not.
	run env CRM_PASSWORD=benpw2 "$CRM" -d "$LB" list company
	[ "$STATUS" -eq 1 ] || fail "a wrong password opened an unlocked local"
	expect_ok "$CRM" -d "$LB" lock
	expect_out_contains "is locked"
	run "$CRM" -d "$LB" list company
	[ "$STATUS" -eq 1 ] || fail "crm lock did not lock"
	expect_err_contains "no password"
else
	echo "cli-encrypt.sh: no session keyring here; its part is skipped" >&2
fi
# security.unlock_minutes = 0: nothing is kept.
expect_ok ben config set security.unlock_minutes 0
expect_ok "$CRM" -d "$LB" lock
expect_ok ben list company
run "$CRM" -d "$LB" list company
[ "$STATUS" -eq 1 ] || fail "the key was kept with security.unlock_minutes 0"

# Berkeley DB's AES blocks are done by nettle's AES (store-cipher.c),
# and the SHA-1 blocks of its page MACs with the processor's SHA
# instructions (store-mac.c), each checked against Berkeley DB's own
# first: the pages are the same either way, so what one writes the other
# reads, and Berkeley DB's tools too.
CRM_STATS=1 expect_ok ben list company
expect_err_contains "AES blocks by nettle's AES (whole pages), checked against Berkeley DB's"
if grep -qw sha_ni /proc/cpuinfo 2>/dev/null; then
	expect_err_contains "of page MACs ("
	expect_err_contains "by the processor's SHA instructions, checked against Berkeley DB's SHA-1"
else
	expect_err_contains "by Berkeley DB's own SHA-1 (the processor has no SHA instructions)"
fi
plain_list=$OUT
CRM_CIPHER=db CRM_STATS=1 expect_ok ben list company
expect_err_contains "AES blocks by Berkeley DB's own (CRM_CIPHER=db)"
expect_err_contains "by Berkeley DB's own SHA-1 (CRM_CIPHER=db)"
expect_eq "$OUT" "$plain_list"
CRM_CIPHER=db expect_ok ben add company name=Dbaesworth
expect_ok ben add company name=Nettlecombe
expect_ok ben list company
expect_out_contains Dbaesworth
expect_out_contains Nettlecombe
CRM_CIPHER=db expect_ok ben list company
expect_out_contains Dbaesworth
expect_out_contains Nettlecombe

# An administrator's recovery: Berkeley DB's own tools read the files
# given the key, which crm unlock --print-key prints for the password.
expect_ok ben unlock --print-key
key=$OUT
[ "${#key}" -eq 64 ] || fail "the printed key is not 64 hex digits: $key"
run env CRM_PASSWORD=benpw2 "$CRM" -d "$LB" unlock --print-key
[ "$STATUS" -eq 1 ] || fail "unlock --print-key took a wrong password"
[ -z "$OUT" ] || fail "a wrong password printed a key"
if command -v db5.3_dump >/dev/null 2>&1; then
	db5.3_dump -P "$key" -p -s records "$LB/companies.db" >"$T/dump" ||
	    fail "db5.3_dump -P with the key does not read companies.db"
	grep -q Zorbatek "$T/dump" && grep -q Nettlecombe "$T/dump" ||
	    fail "db5.3_dump -P does not find what crm wrote in companies.db"
	if db5.3_dump -p -s records "$LB/companies.db" >/dev/null 2>&1; then
		fail "db5.3_dump read companies.db without the key"
	fi
fi

finish
