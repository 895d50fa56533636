#!/bin/sh
# crm init: a master with its administrator, a local bound to a master.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master

# --- init --master ---------------------------------------------------------
CRM_PASSWORD=secret expect_ok "$CRM" init --master "$M" --admin root \
    --admin-id ROOT1 --name "Head office"
expect_out_contains "$M"
for f in crm.conf users.db companies.db contacts.db notes.db events.db \
    tasks.db opportunities.db campaigns.db targets.db issues.db \
    documents.db templates.db meta.db conflicts.db; do
	[ -f "$M/$f" ] || fail "init --master did not create $f"
	expect_eq "$(mode "$M/$f")" 600
done
expect_eq "$(mode "$M")" 700
[ -d "$M/documents" ] || fail "no documents/ directory"
expect_eq "$(mode "$M/documents")" 700
for f in "$M"/*; do
	[ -d "$f" ] && want=700 || want=600
	[ "$(mode "$f")" = "$want" ] || fail "$f has mode $(mode "$f")"
done
grep -q 'role *= *"master"' "$M/crm.conf" || fail "crm.conf does not say role master"
grep -q 'Head office' "$M/crm.conf" || fail "crm.conf lacks the --name"
expect_ok root "$M" user list
expect_out_contains "$(printf 'root\tROOT1')"
expect_out_contains "$(printf '\tadmin\t')"

# --- init into an existing database is refused, nothing changes ----------
expect_ok root "$M" add company name=Kept
before=$(cd "$M" && ls -l --time-style=+%s.%N crm.conf ./*.db && md5sum crm.conf users.db)
CRM_PASSWORD=other expect_fail "$CRM" init --master "$M" --admin eve \
    --admin-id EVE01
expect_err_contains "$M"
after=$(cd "$M" && ls -l --time-style=+%s.%N crm.conf ./*.db && md5sum crm.conf users.db)
expect_eq "$after" "$before"
expect_ok root "$M" user list
expect_out_lacks eve
expect_ok root "$M" list company --fields name
expect_out_contains Kept

# --- bad usage and bad values ---------------------------------------------
CRM_PASSWORD=secret expect_status 2 "$CRM" init --master "$T/m2" --admin-id ROOT1
CRM_PASSWORD=secret expect_status 2 "$CRM" init --master "$T/m2" --admin root
CRM_PASSWORD=secret expect_status 2 "$CRM" init --admin root --admin-id ROOT1
CRM_PASSWORD=secret expect_status 2 "$CRM" init --master "$T/m2" --admin root \
    --admin-id ROOT1 --bogus
CRM_PASSWORD=secret expect_status 2 "$CRM" init --master "$T/m2" --admin root \
    --admin-id ROOT1 extra
[ ! -e "$T/m2" ] || fail "a usage error created $T/m2"

CRM_PASSWORD=secret expect_fail "$CRM" init --master "$T/m2" --admin root \
    --admin-id ROOT
expect_err_contains ROOT
expect_err_contains "user ID"
CRM_PASSWORD=secret expect_fail "$CRM" init --master "$T/m2" --admin root \
    --admin-id 'ROO!1'
expect_err_contains "user ID"
[ ! -e "$T/m2/crm.conf" ] || fail "a bad admin ID created a database"

# No password and no terminal: refused, with a hint.
expect_fail "$CRM" init --master "$T/m2" --admin root --admin-id ROOT1
expect_err_contains CRM_PASSWORD
[ ! -e "$T/m2/crm.conf" ] || fail "init without a password created a database"

# The password may come from a file.
printf 'filepw1\n' >"$T/pw"
expect_ok "$CRM" --password-file "$T/pw" init --master "$T/m3" --admin boss \
    --admin-id BOSS1
expect_ok "$CRM" -d "$T/m3" -u boss --password-file "$T/pw" user list
expect_out_contains boss

# --- init --local ------------------------------------------------------------
add_user "$M" anna ANNA1 annapw1 --name "Anna A"
add_user "$M" rem REM01 rempw12 --type remote --restricted --name "Rem Ote"

L=$T/local-anna
CRM_PASSWORD=annapw1 expect_ok "$CRM" -u anna init --local "$L" --master "$M"
[ -f "$L/crm.conf" ] || fail "no crm.conf in the local"
[ -f "$L/companies.db" ] || fail "no companies.db in the local"
expect_eq "$(mode "$L")" 700
expect_eq "$(mode "$L/crm.conf")" 600
expect_eq "$(mode "$L/users.db")" 600
grep -q 'role *= *"local"' "$L/crm.conf" || fail "the local's crm.conf does not say role local"
grep -q "master *= *\"$M\"" "$L/crm.conf" || fail "the local's crm.conf lacks db.master"
grep -q 'user *= *"anna"' "$L/crm.conf" || fail "the local's crm.conf lacks db.user"
# A local's own user is the default login.
CRM_PASSWORD=annapw1 expect_ok "$CRM" -d "$L" user list
expect_eq "$(rows)" 1
expect_out_contains "$(printf 'anna\tANNA1\tAnna A\tuser')"
expect_out_lacks root
expect_out_lacks rem
CRM_PASSWORD=annapw1 expect_ok "$CRM" -d "$L" list company
expect_eq "$(rows)" 0

# The same local cannot be made twice.
CRM_PASSWORD=annapw1 expect_fail "$CRM" -u anna init --local "$L" --master "$M"

# Wrong password: refused, no local database made.
CRM_PASSWORD=wrong expect_fail "$CRM" -u anna init --local "$T/l2" --master "$M"
expect_err_contains "wrong login or password"
[ ! -e "$T/l2/crm.conf" ] || fail "a refused init --local created a database"
[ ! -e "$T/l2/users.db" ] || fail "a refused init --local created users.db"
# Unknown login: refused the same way.
CRM_PASSWORD=annapw1 expect_fail "$CRM" -u nobody init --local "$T/l2" --master "$M"
expect_err_contains "wrong login or password"
[ ! -e "$T/l2/crm.conf" ] || fail "a refused init --local created a database"
# No login at all.
CRM_PASSWORD=annapw1 expect_fail "$CRM" init --local "$T/l2" --master "$M"
expect_err_contains -u
# --local without --master is bad usage.
CRM_PASSWORD=annapw1 expect_status 2 "$CRM" -u anna init --local "$T/l2"

# Missing master directory.
CRM_PASSWORD=annapw1 expect_fail "$CRM" -u anna init --local "$T/l2" \
    --master "$T/no-such-master"
expect_err_contains "$T/no-such-master"
[ ! -e "$T/l2/crm.conf" ] || fail "init --local with no master created a database"

# A master path that is not a master: a plain directory, and a local.
mkdir "$T/plain"
CRM_PASSWORD=annapw1 expect_fail "$CRM" -u anna init --local "$T/l2" \
    --master "$T/plain"
expect_err_contains "$T/plain"
expect_err_contains "not a master"
CRM_PASSWORD=annapw1 expect_fail "$CRM" -u anna init --local "$T/l2" \
    --master "$L"
expect_err_contains "$L"
expect_err_contains "not a master"
[ ! -e "$T/l2/crm.conf" ] || fail "init --local on a non-master created a database"

# --- a restricted user ---------------------------------------------------------
# ...cannot work in the master directly,
CRM_PASSWORD=rempw12 expect_fail "$CRM" -d "$M" -u rem list company
expect_err_contains rem
expect_err_contains restricted
# ...nor open its files to make a local (RULES.md T8), unless the master
# allows restricted users to attach,
CRM_PASSWORD=rempw12 expect_fail "$CRM" -u rem init --local "$T/rem-nfs" --master "$M"
expect_err_contains "restricted"
expect_err_contains "sync service"
[ ! -e "$T/rem-nfs" ] || fail "a refused init --local made a database"
# ...but can make a local through the service, which holds only its own user.
use_service
R=$T/local-rem
CRM_PASSWORD=rempw12 expect_ok "$CRM" -u rem init --local "$R" --master "$(via "$M")"
grep -q 'role *= *"local"' "$R/crm.conf" || fail "the restricted local is not a local"
CRM_PASSWORD=rempw12 expect_ok "$CRM" -d "$R" user list
expect_eq "$(rows)" 1
expect_out_contains "$(printf 'rem\tREM01\tRem Ote\tremote\tyes')"
CRM_PASSWORD=rempw12 expect_ok "$CRM" -d "$R" list company
# No other user's password hash travelled to the restricted local (user
# list above shows its one user), and the local is encrypted:
# not even its own user's hash can be read from its files.
[ -f "$R/crm.key" ] || fail "the new local has no key file"
n=$(yescrypt_in "$R"/*.db | wc -l)
expect_eq "$n" 0

finish
