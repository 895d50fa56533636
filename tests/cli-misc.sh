#!/bin/sh
# crm's front door: --version, --help, usage errors, -d, -u, corrupt files.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

# The commands of this build (sync and conflicts come with the sync work).
BUILT="init user add set get list delete import export attach config demo"

# --- --version, --help ------------------------------------------------------------
expect_ok "$CRM" --version
case $OUT in
"crm "[0-9]*) ;;
*) fail "--version prints \"$OUT\"" ;;
esac
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 1
if [ -f "$TESTS_SRCDIR/../configure.ac" ]; then
	v=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$TESTS_SRCDIR/../configure.ac")
	[ -z "$v" ] || expect_eq "$OUT" "crm $v"
fi

expect_ok "$CRM" --help
help=$OUT
expect_out_contains "usage: crm"
for opt in -d -u --password-file; do
	expect_out_contains "$opt"
done
for c in $BUILT; do
	printf '%s\n' "$help" | grep -q "crm $c\\b" || fail "--help does not list $c"
done
expect_ok "$CRM" -h
expect_eq "$OUT" "$help"

for c in $BUILT; do
	expect_ok "$CRM" "$c" --help
	expect_out_contains "usage: crm $c"
	expect_eq "$ERR" ""
	expect_ok "$CRM" "$c" -h
	expect_out_contains "usage: crm $c"
done
# --help wins over everything else, even a missing database.
expect_ok "$CRM" -d "$T/nowhere" add company name=X --help
expect_out_contains "usage: crm add"
[ ! -e "$T/nowhere" ] || fail "--help touched the database"

# --- usage errors ---------------------------------------------------------------------
expect_status 2 "$CRM" frobnicate
expect_err_contains frobnicate
expect_eq "$OUT" ""
expect_status 2 "$CRM" --frobnicate list company
expect_err_contains --frobnicate
expect_status 2 "$CRM" -x list company
expect_status 2 "$CRM" -d
expect_status 2 "$CRM" -u
expect_status 2 "$CRM" --password-file
# No command: the full-screen application, which needs a terminal:
# without one it says so and stops.
expect_status 2 "$CRM" </dev/null
expect_err_contains "needs a terminal"

# --- -d ---------------------------------------------------------------------------------
CRM_PASSWORD=secret expect_fail "$CRM" -d "$T/missing-dir" -u root list company
expect_err_contains "$T/missing-dir"
[ ! -e "$T/missing-dir" ] || fail "crm created the missing -d directory"
mkdir "$T/not-a-db"
CRM_PASSWORD=secret expect_fail "$CRM" -d "$T/not-a-db" -u root list company
expect_err_contains "$T/not-a-db"
echo "just a file" >"$T/a-file"
CRM_PASSWORD=secret expect_fail "$CRM" -d "$T/a-file" -u root list company
expect_err_contains "$T/a-file"
# Without -d and no configured default: the default place under
# $XDG_DATA_HOME, named when missing.
CRM_PASSWORD=secret expect_fail "$CRM" -u root list company
expect_err_contains "$XDG_DATA_HOME/crm"

# --- who acts -------------------------------------------------------------------------
M=$T/master
make_master "$M"
CRM_PASSWORD=secret expect_fail "$CRM" -d "$M" list company
expect_err_contains -u
expect_err_contains CRM_USER
CRM_USER=root CRM_PASSWORD=secret expect_ok "$CRM" -d "$M" list company
CRM_USER=root CRM_PASSWORD=secret expect_ok "$CRM" -d "$M" add company name=ViaEnv
expect_ok root "$M" get company "$OUT"
expect_eq "$(field created_by)" ROOT1
# -u wins over CRM_USER.
add_user "$M" anna ANNA1 Anna-Pass-77
CRM_USER=root CRM_PASSWORD=Anna-Pass-77 expect_ok "$CRM" -d "$M" -u anna add company name=ViaU
expect_ok root "$M" get company "$OUT"
expect_eq "$(field created_by)" ANNA1
# An empty CRM_USER counts as none.
CRM_USER='' CRM_PASSWORD=secret expect_fail "$CRM" -d "$M" list company
expect_err_contains -u
# A local's own user is the default.
CRM_PASSWORD=Anna-Pass-77 expect_ok "$CRM" -u anna init --local "$T/local" --master "$M"
CRM_PASSWORD=Anna-Pass-77 expect_ok "$CRM" -d "$T/local" add company name=Local
expect_ok as anna Anna-Pass-77 "$T/local" get company "$OUT"
expect_eq "$(field created_by)" ANNA1

# --- corrupt files -----------------------------------------------------------------------
# A crm.conf that is not libconfig.
C=$T/badconf
make_master "$C"
printf 'role = \n' >"$C/crm.conf"
expect_fail root "$C" list company
expect_err_contains "$C/crm.conf"

CORRUPT_DB=$T/corrupt
make_master "$CORRUPT_DB"
expect_ok root "$CORRUPT_DB" add company name=Doomed
head -c 65536 /dev/urandom >"$CORRUPT_DB/companies.db"
# Never a crash: status 1, not a signal.
expect_status 1 root "$CORRUPT_DB" list company
expect_err_contains companies.db
expect_status 1 root "$CORRUPT_DB" add company name=New
expect_status 1 root "$CORRUPT_DB" export company
# Empty and cut-off files of each kind: status 1 and the file named.
for f in users.db meta.db contacts.db; do
	for how in empty cut; do
		X=$T/corrupt-$f-$how
		make_master "$X"
		case $how in
		empty) : >"$X/$f" ;;
		cut) head -c 4096 "$X/$f" >"$T/cut" && cp "$T/cut" "$X/$f" ;;
		esac
		expect_status 1 root "$X" list company
		expect_err_contains "$f"
	done
done

# --- a corrupt database file gives one clear message ---
expect_fail root "$CORRUPT_DB" list company
expect_err_contains companies.db
yes garbage | head -c 57344 >"$CORRUPT_DB/companies.db"
expect_fail root "$CORRUPT_DB" list company
expect_err_contains companies.db

finish
