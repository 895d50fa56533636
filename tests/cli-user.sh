#!/bin/sh
# crm user add / user list, logins and password hashes.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
make_master "$M"

# --- user add with each option -------------------------------------------------
CRM_NEW_PASSWORD=Anna-Pass-77 expect_ok root "$M" user add anna --id ANNA1 \
    --name "Anna Lindqvist"
CRM_NEW_PASSWORD=Boss-Pass-77 expect_ok root "$M" user add boss --id BOSS1 \
    --type admin --name "Big Boss"
CRM_NEW_PASSWORD=Carl-Pass-77 expect_ok root "$M" user add carl --id CARL1 \
    --type user --may-change-manager
CRM_NEW_PASSWORD=Remo-Pass-77 expect_ok root "$M" user add remo --id REMO1 \
    --type remote
# The new user's password from a --password-file given after "add".
printf 'Rest-Pass-77\nsecond line ignored\n' >"$T/restpw"
expect_ok root "$M" user add rest --id REST1 --type remote --restricted \
    --name "Restricted Remote" --password-file "$T/restpw"

expect_ok root "$M" user list
expect_eq "$(printf '%s\n' "$OUT" | head -n 1)" \
    "$(printf 'login\tuid\tname\ttype\trestricted\tmay_change_manager')"
expect_eq "$(rows)" 6
expect_out_contains "$(printf 'root\tROOT1\troot\tadmin\tno\tyes')"
expect_out_contains "$(printf 'anna\tANNA1\tAnna Lindqvist\tuser\tno\tno')"
expect_out_contains "$(printf 'boss\tBOSS1\tBig Boss\tadmin\tno\t')"
expect_out_contains "$(printf 'carl\tCARL1\t')"
expect_out_contains "$(printf '\tuser\tno\tyes')"
expect_out_contains "$(printf 'remo\tREMO1\t')"
expect_out_contains "$(printf 'rest\tREST1\tRestricted Remote\tremote\tyes\tno')"
printf '%s\n' "$OUT" | grep -q "^remo	REMO1	.*	remote	no	no\$" ||
    fail "remo is not listed as an unrestricted remote user"
printf '%s\n' "$OUT" | grep -q "^carl	CARL1	.*	user	no	yes\$" ||
    fail "carl is not listed as a user who may change the manager"
# Every row has six tab-separated columns.
printf '%s\n' "$OUT" | awk -F'\t' 'NF != 6 { exit 1 }' ||
    fail "user list rows do not have six columns"

# The new users log in with their own passwords.
expect_ok as anna Anna-Pass-77 "$M" list company
expect_ok as boss Boss-Pass-77 "$M" user list
expect_ok as remo Remo-Pass-77 "$M" list company
# The restricted user's password (first line of the file) is right: it is
# refused for being restricted, not for a wrong password.
expect_fail as rest Rest-Pass-77 "$M" list company
expect_err_contains restricted
expect_fail as rest 'second line ignored' "$M" list company
expect_err_contains "wrong login or password"

# An administrator added by an administrator may add users in turn.
CRM_NEW_PASSWORD=Dora-Pass-77 expect_ok as boss Boss-Pass-77 "$M" user add \
    dora --id DORA1

# --- refusals --------------------------------------------------------------------
# Duplicate login, duplicate user ID.
CRM_NEW_PASSWORD=Some-Pass-77 expect_fail root "$M" user add anna --id ANNA2
expect_err_contains anna
CRM_NEW_PASSWORD=Some-Pass-77 expect_fail root "$M" user add anne --id ANNA1
expect_err_contains ANNA1
# A plain user may not add users.
CRM_NEW_PASSWORD=Some-Pass-77 expect_fail as anna Anna-Pass-77 "$M" user add \
    eve --id EVE01
expect_err_contains administrator
# No password for the new user, and no terminal.
expect_fail root "$M" user add eve --id EVE01
expect_err_contains CRM_NEW_PASSWORD
# Bad usage: no --id, bad --id, bad --type, --restricted without remote.
CRM_NEW_PASSWORD=Some-Pass-77 expect_status 2 root "$M" user add eve
CRM_NEW_PASSWORD=Some-Pass-77 expect_status 2 root "$M" user add eve --id EV
CRM_NEW_PASSWORD=Some-Pass-77 expect_status 2 root "$M" user add eve --id EVE01 \
    --type superuser
CRM_NEW_PASSWORD=Some-Pass-77 expect_status 2 root "$M" user add eve --id EVE01 \
    --restricted
CRM_NEW_PASSWORD=Some-Pass-77 expect_status 2 root "$M" user add --id EVE01
CRM_NEW_PASSWORD=Some-Pass-77 expect_status 2 root "$M" user frob
expect_status 2 root "$M" user
expect_status 2 root "$M" user list extra
expect_ok root "$M" user list
expect_out_lacks eve
expect_out_lacks anne
expect_eq "$(rows)" 7

# --- logins ----------------------------------------------------------------------
# Wrong password.
expect_fail as root wrong-password "$M" user list
expect_err_contains "wrong login or password"
wrongpw_err=$ERR
expect_eq "$OUT" ""
# Unknown login: refused the same way (nothing tells which part was wrong).
expect_fail as nobody secret "$M" user list
expect_err_contains "wrong login or password"
expect_eq "$(printf '%s' "$ERR" | sed 's/nobody/LOGIN/')" \
    "$(printf '%s' "$wrongpw_err" | sed 's/root/LOGIN/')"
# Empty password.
expect_fail as root "" "$M" user list

# The global --password-file: first line is the password.
printf 'secret\n' >"$T/rootpw"
expect_ok "$CRM" -d "$M" -u root --password-file "$T/rootpw" user list
expect_out_contains ROOT1
# It wins over $CRM_PASSWORD.
CRM_PASSWORD=wrong expect_ok "$CRM" -d "$M" -u root --password-file "$T/rootpw" \
    user list
printf 'wrong\n' >"$T/badpw"
CRM_PASSWORD=secret expect_fail "$CRM" -d "$M" -u root --password-file \
    "$T/badpw" user list
expect_err_contains "wrong login or password"
# A missing password file is named.
expect_fail "$CRM" -d "$M" -u root --password-file "$T/nofile" user list
expect_err_contains "$T/nofile"

# --- the hashes --------------------------------------------------------------------
[ "$(mode "$M/users.db")" = 600 ] || fail "users.db is not 0600"
for pw in secret Anna-Pass-77 Boss-Pass-77 Carl-Pass-77 Remo-Pass-77 \
    Rest-Pass-77 Dora-Pass-77; do
	n=$(grep -ac -- "$pw" "$M/users.db" || true)
	expect_eq "$n" 0
done
# Nor do Berkeley DB's logs keep a plain password.
for f in "$M"/log.*; do
	[ -f "$f" ] || continue
	for pw in secret Anna-Pass-77 Rest-Pass-77; do
		n=$(grep -ac -- "$pw" "$f" || true)
		[ "$n" -eq 0 ] || fail "$f holds the plain password $pw"
	done
done
# yescrypt: one $y$ hash per user.
n=$(grep -ao '\$y\$' "$M/users.db" | wc -l)
[ "$n" -ge 7 ] || fail "users.db holds $n yescrypt hashes, expected 7"


# --- user set and user passwd (the users screen uses the same) -------------
expect_ok root "$M" user set carl --name "Carl Berg" --type remote --restricted \
    --may-not-change-manager
expect_ok root "$M" user list
expect_out_contains "$(printf 'carl\tCARL1\tCarl Berg\tremote\tyes\tno')"
# What is not given stays.
expect_ok root "$M" user set carl --unrestricted
expect_ok root "$M" user list
expect_out_contains "$(printf 'carl\tCARL1\tCarl Berg\tremote\tno\tno')"
expect_fail root "$M" user set carl --type user --restricted
expect_err_contains "only a remote user can be restricted"
expect_fail as anna Anna-Pass-77 "$M" user set carl --type admin
expect_err_contains administrator
expect_fail root "$M" user set nobody --type user
expect_err_contains nobody
# The last administrator stays one.
expect_ok root "$M" user set boss --type user
expect_ok root "$M" user set dora --type user
expect_fail root "$M" user set root --type user
expect_err_contains "root is the only administrator"
expect_status 2 root "$M" user set carl --type superuser
expect_status 2 root "$M" user set
# A new password: the old one is refused after.
CRM_NEW_PASSWORD=Carl-New-77 expect_ok root "$M" user passwd carl
expect_fail as carl Carl-Pass-77 "$M" list company
expect_ok as carl Carl-New-77 "$M" list company
# One's own, with a password file; another's only as an administrator.
printf 'Anna-New-77\n' >"$T/annapw"
expect_ok as anna Anna-Pass-77 "$M" user passwd anna --password-file "$T/annapw"
expect_ok as anna Anna-New-77 "$M" list company
CRM_NEW_PASSWORD=Some-Pass-77 expect_fail as anna Anna-New-77 "$M" user passwd carl
expect_err_contains "only an administrator"
CRM_NEW_PASSWORD=abc expect_fail root "$M" user passwd carl
expect_err_contains "too short"
expect_fail root "$M" user passwd carl
expect_err_contains CRM_NEW_PASSWORD
# Users are managed on the master, not in a local.
L=$T/local
CRM_PASSWORD=Anna-New-77 expect_ok "$CRM" -u anna init --local "$L" --master "$M"
CRM_NEW_PASSWORD=Some-Pass-77 expect_fail as anna Anna-New-77 "$L" user add \
    eve --id EVE01
expect_err_contains "users are managed on the master"
expect_fail as anna Anna-New-77 "$L" user set anna --name Anna
expect_err_contains "users are managed on the master"

finish
