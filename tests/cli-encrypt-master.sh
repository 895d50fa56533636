#!/bin/sh
# cli-encrypt-master.sh: an encrypted master (crm init --master --encrypt).
# Its files and logs hold nothing in the clear; it opens unattended on its
# host with its key file (commands, crm serve, crm verify, Berkeley DB's
# tools given the key), never with a key file others may read; a missing,
# damaged or foreign key file is named with what to do; locals sync with it
# through the service unchanged; a laptop that cannot read the key file is
# refused the attach and told to use the service, an administrator who can
# is not; a process killed while it holds the master leaves nothing behind
# that stops the next one.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
LB=$T/local-ben
LR=$T/local-root

CRM_PASSWORD=secret expect_ok "$CRM" init --master "$M" --admin root \
    --admin-id ROOT1 --encrypt
expect_out_contains "$M/master.key"
[ -f "$M/master.key" ] || fail "the encrypted master has no key file"
expect_eq "$(mode "$M/master.key")" 600
expect_ok "$CRM" -d "$M" config get db.key_file
expect_eq "$OUT" master.key
add_user "$M" ben BEN01 benpw1 --type remote --restricted --name "Ben Qorvath"
add_user "$M" anna ANNA1 annapw --name "Anna Plain"
use_service

# What the master holds: every value below is a word no file of crm has
# by itself.
SECRETS="Zorbatek Quillmoor Vexhollow Brindlewick Qorvath
zorbatek-sales@example.org quillmoor@example.net vex.hollow@example.com
4471829365 3395017742 2208466153
Fenwhistle Glimmerdown Kestrelby NotezQuibble Plumbrook Thistlegarth"

cb=$(root "$M" add company name=Zorbatek phone=4471829365 \
    email=zorbatek-sales@example.org city=Vexhollow account_manager=BEN01) ||
    fail "cannot add a company on the encrypted master"
cm=$(root "$M" add company name=Quillmoor phone=3395017742 \
    email=quillmoor@example.net city=Brindlewick account_manager=ANNA1) ||
    fail "cannot add a company on the encrypted master"
root "$M" add contact company="$cm" first_name=Fenwhistle \
    last_name=Glimmerdown email=vex.hollow@example.com \
    account_manager=ANNA1 >/dev/null || fail "cannot add a contact"
expect_ok root "$M" list company
expect_out_contains Zorbatek
expect_out_contains Quillmoor

# --- the service: unchanged for a local -------------------------------------
ben() {
	CRM_PASSWORD=benpw1 "$CRM" -d "$LB" "$@"
}
CRM_PASSWORD=benpw1 expect_ok "$CRM" -u ben init --local "$LB" \
    --master "$(via "$M")"
expect_ok ben sync
expect_ok ben list company
expect_out_contains Zorbatek
expect_out_lacks Quillmoor
expect_ok ben set company "$cb" phone=2208466153
expect_ok ben add contact company="$cb" first_name=Kestrelby last_name=Road
expect_ok ben add note company="$cb" subject=NotezQuibble text="met them"
expect_ok ben sync
expect_ok root "$M" get company "$cb"
expect_out_contains 2208466153
expect_ok root "$M" list contact --fields first_name
expect_out_contains Kestrelby

# Attached files: sealed on the master with its key too, plain to whoever
# reads them through crm, both ways through the service.
printf 'Terms of Plumbrook\n' >"$T/terms.txt"
mdoc=$(root "$M" attach company "$cb" "$T/terms.txt" --description Terms) ||
    fail "cannot attach a file on the encrypted master"
printf 'Visit to Thistlegarth\n' >"$T/visit.txt"
ldoc=$(ben attach company "$cb" "$T/visit.txt" --description Visit) ||
    fail "cannot attach a file on ben's local"
rm -f "$T/terms.txt" "$T/visit.txt"
expect_ok ben sync
expect_ok ben document show "$mdoc"
expect_eq "$OUT" "Terms of Plumbrook"
expect_ok root "$M" document show "$ldoc"
expect_eq "$OUT" "Visit to Thistlegarth"
expect_ok root "$M" document show "$mdoc"
expect_eq "$OUT" "Terms of Plumbrook"

# Several processes in turn: syncs through crm serve and an
# administrator's commands on the master's host at the same moment, each
# attaching the master in its turn (its environment is private to the
# process that holds the attach lock; no region outlives it).
i=0
pids=
while [ $i -lt 3 ]; do
	CRM_PASSWORD=benpw1 "$CRM" -d "$LB" sync >"$T/sync.$i" 2>&1 &
	pids="$pids $!"
	root "$M" list company >"$T/list.$i" 2>&1 &
	pids="$pids $!"
	root "$M" add note company="$cb" subject="Note $i" text=x \
	    >"$T/add.$i" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
n=0
for p in $pids; do
	wait "$p" || fail "a sync or a command run at the same time failed: $(cat "$T"/sync.* "$T"/list.* "$T"/add.*)"
	n=$((n + 1))
done
expect_eq "$n" 9
expect_ok ben sync
expect_ok ben list note --fields subject
expect_out_contains "Note 2"

# A command killed (SIGKILL) while it holds the master, here an import
# in the middle of its transaction: nothing of it stays in memory or on
# disk to stop the next one, which recovers by itself.
awk 'BEGIN { print "name,phone,city"
	for (i = 0; i < 20000; i++) printf "Killed %d,+1 555 %04d,Town\n", i, i % 10000 }' \
    >"$T/big.csv"
written() {
	awk '/^wchar:/ { print $2 }' "/proc/$1/io" 2>/dev/null || echo 0
}
CRM_PASSWORD=secret "$CRM" -d "$M" -u root import company "$T/big.csv" \
    >/dev/null 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
	[ "$(written "$pid")" -lt 1000000 ] || break
done
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
expect_ok root "$M" list company --fields name
kept=$(printf '%s\n' "$OUT" | grep -c '^Killed' || true)
[ "$kept" -eq 0 ] || [ "$kept" -eq 20000 ] ||
    fail "a killed import left $kept of 20000 companies on the master"
expect_ok ben sync
for f in "$M"/__db.*; do
	[ -e "$f" ] || continue
	fail "$f: an encrypted master keeps no region file"
done

# --- attach: an administrator on the master's host, and a laptop -------------
# Who can read the key file attaches the master as any master.
CRM_PASSWORD=secret expect_ok "$CRM" -u root init --local "$LR" --master "$M"
CRM_PASSWORD=secret expect_ok "$CRM" -d "$LR" sync
CRM_PASSWORD=secret expect_ok "$CRM" -d "$LR" list company
expect_out_contains Quillmoor

# A laptop that reaches the master's directory (a share) but not its key
# file is refused, and told to sync through the service. As root, the
# laptop is the account nobody, on a copy of the master where nobody
# reaches it (the test's own directory may be private); otherwise the key
# file is made unreadable for a moment (its mode then still says "the
# owner's alone").
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	share=$(mktemp -d "${TMPDIR:-/tmp}/crm-share.XXXXXX")
	chmod 755 "$share"
	cp -a "$M" "$share/master"
	SM=$share/master
	chmod 755 "$SM"
	chmod 644 "$SM/crm.conf"
	mkdir -m 1777 "$share/laptop"
	# The program too: the build's directory may be private as well.
	cp "$CRM" "$share/crm"
	chmod 755 "$share/crm"
	laptop() {
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		    env CRM_PASSWORD=annapw XDG_CONFIG_HOME="$share/laptop" \
		    XDG_DATA_HOME="$share/laptop" \
		    CRM_SYSCONF="$share/laptop/none.conf" "$share/crm" "$@"
	}
else
	share=
	SM=$M
	mkdir "$T/laptop"
	chmod 000 "$M/master.key"
	laptop() {
		CRM_PASSWORD=annapw "$CRM" "$@"
	}
fi
LL=${share:-$T}/laptop/anna
expect_status 1 laptop -u anna init --local "$LL" --master "$SM"
expect_one_message
expect_err_contains "$SM is encrypted"
expect_err_contains "cannot read its key file $SM/master.key"
expect_err_contains "crm serve over ssh"
[ ! -e "$LL/meta.db" ] || fail "the refused laptop has a local"
chmod 600 "$M/master.key"
[ -z "$share" ] || rm -rf "$share"

# --- nothing in the clear ---------------------------------------------------
files=$(find "$M" -type f | sort)
case $files in
*log.0*) ;;
*) fail "no log file in $M: the test looks at nothing" ;;
esac
for s in $SECRETS; do
	for f in $files; do
		if grep -aqi -- "$s" "$f"; then
			fail "$f holds \"$s\" in the clear"
		fi
	done
done

# --- crm verify, and Berkeley DB's own tools given the key ------------------
expect_ok "$CRM" -d "$M" verify
expect_out_contains "read back whole"
key=$(sed -n 's/^key //p' "$M/master.key")
[ "${#key}" -eq 64 ] || fail "the key file holds no 64-digit key: $key"
if command -v db5.3_dump >/dev/null 2>&1; then
	db5.3_dump -P "$key" -p -s records "$M/companies.db" | grep -q Zorbatek ||
	    fail "db5.3_dump -P with the key does not read companies.db"
	if db5.3_dump -p -s records "$M/companies.db" >/dev/null 2>&1; then
		fail "db5.3_dump read companies.db without the key"
	fi
fi

# --- a key file others may read, missing, damaged, another master's ---------
chmod 644 "$M/master.key"
expect_status 1 root "$M" list company
expect_one_message
expect_err_contains "$M/master.key"
expect_err_contains "mode 0644"
expect_err_contains "chmod 600 $M/master.key"
[ -z "$OUT" ] || fail "a key file others may read opened the master"
# The service refuses it alike: the local is told, and nothing changes.
expect_status 1 ben sync
expect_err_contains "mode 0644"
chmod 640 "$M/master.key"
expect_status 1 root "$M" list company
expect_err_contains "mode 0640"
chmod 600 "$M/master.key"

mv "$M/master.key" "$T/kept.key"
expect_status 1 root "$M" list company
expect_one_message
expect_err_contains "its key file $M/master.key is missing"
expect_err_contains "put the key file back"
expect_status 1 "$CRM" -d "$M" verify
expect_err_contains "$M/master.key is missing"
mv "$T/kept.key" "$M/master.key"

cp "$M/master.key" "$T/kept.key"
sed 's/^\(key \)./\1x/' "$T/kept.key" >"$M/master.key"
expect_status 1 root "$M" list company
expect_one_message
expect_err_contains "$M/master.key"
expect_err_contains "is damaged"
sed 's/^\(check \).\(.*\)$/\1\20/' "$T/kept.key" >"$M/master.key"
expect_status 1 root "$M" list company
expect_err_contains "is damaged"
: >"$M/master.key"
expect_status 1 root "$M" list company
expect_err_contains "is damaged"
cp "$T/kept.key" "$M/master.key"
chmod 600 "$M/master.key"
expect_ok root "$M" list company
expect_out_contains Zorbatek

# --- a key kept apart, on another disk; another master's key ----------------
mkdir -m 700 "$T/keys"
CRM_PASSWORD=secret expect_ok "$CRM" init --master "$T/m2" --admin root \
    --admin-id ROOT1 --encrypt --key-file "$T/keys/m2.key"
[ ! -e "$T/m2/master.key" ] || fail "a key kept apart is in the directory too"
expect_eq "$(mode "$T/keys/m2.key")" 600
expect_ok "$CRM" -d "$T/m2" config get db.key_file
expect_eq "$OUT" "$T/keys/m2.key"
expect_ok root "$T/m2" add company name=Brindlewick
# A copy of the directory is no copy of the key.
cp -a "$T/m2" "$T/m2-copy"
sed -i "s|$T/keys/m2.key|master.key|" "$T/m2-copy/crm.conf"
expect_status 1 root "$T/m2-copy" list company
expect_err_contains "$T/m2-copy/master.key is missing"
# The first master's key under the second: named as another master's.
cp "$M/master.key" "$T/m2-copy/master.key"
expect_status 1 root "$T/m2-copy" list company
expect_one_message
expect_err_contains "is the key of another master"
[ -z "$OUT" ] || fail "another master's key opened the master"

# An existing key file is never replaced; --encrypt is a master's.
expect_status 1 env CRM_PASSWORD=secret "$CRM" init --master "$T/m3" --admin root \
    --admin-id ROOT1 --encrypt --key-file "$T/keys/m2.key"
expect_err_contains "$T/keys/m2.key exists already"
expect_ok root "$T/m2" list company
expect_out_contains Brindlewick
expect_status 2 env CRM_PASSWORD=benpw1 "$CRM" -u ben init --local "$T/l3" \
    --master "$(via "$M")" --encrypt
expect_status 2 env CRM_PASSWORD=secret "$CRM" init --master "$T/m4" \
    --admin root --admin-id ROOT1 --key-file "$T/keys/m4.key"

# A plain master stays plain: opened with no key at all, its files read
# by Berkeley DB's tools without one.
make_master "$T/plain"
expect_ok root "$T/plain" add company name=Plainfield
expect_ok root "$T/plain" list company
expect_out_contains Plainfield
expect_ok "$CRM" -d "$T/plain" verify
if command -v db5.3_dump >/dev/null 2>&1; then
	db5.3_dump -p -s records "$T/plain/companies.db" | grep -q Plainfield ||
	    fail "db5.3_dump cannot read a plain master's companies.db"
fi

# crm demo --encrypt: the same, for trying and for the benchmarks.
expect_ok "$CRM" demo "$T/demo" --records 300 --encrypt
expect_eq "$(mode "$T/demo/master.key")" 600
expect_ok as demo demo "$T/demo" list company --fields name
[ -n "$OUT" ] || fail "the encrypted demo lists no company"

finish
