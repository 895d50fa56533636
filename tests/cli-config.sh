#!/bin/sh
# crm config get/set, and malformed configuration files.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
make_master "$M"
add_user "$M" anna ANNA1 Anna-Pass-77

# --- get and set --------------------------------------------------------------------
expect_ok root "$M" config get sync.update_window_days
expect_eq "$OUT" 0
expect_ok root "$M" config get sync.granularity
[ -n "$OUT" ] || fail "sync.granularity has no default"
expect_ok root "$M" config set sync.update_window_days 30
expect_eq "$OUT" ""
expect_ok root "$M" config get sync.update_window_days
expect_eq "$OUT" 30
expect_eq "$(mode "$M/crm.conf")" 600
# The database's own settings are kept.
grep -q 'role *= *"master"' "$M/crm.conf" || fail "config set lost db.role"
expect_ok root "$M" list company

# Bad values are refused and change nothing.
cp "$M/crm.conf" "$T/conf.before"
for v in abc -5 1.5 ""; do
	expect_fail root "$M" config set sync.update_window_days "$v"
	expect_err_contains sync.update_window_days
	cmp -s "$T/conf.before" "$M/crm.conf" || fail "a refused config set changed crm.conf"
done
expect_fail root "$M" config set sync.granularity no-such-granularity
cmp -s "$T/conf.before" "$M/crm.conf" || fail "a refused config set changed crm.conf"
expect_ok root "$M" config get sync.update_window_days
expect_eq "$OUT" 30

# Unknown keys are bad usage.
expect_status 2 root "$M" config get no.such.key
expect_err_contains no.such.key
expect_status 2 root "$M" config set no.such.key 1
expect_status 2 root "$M" config
expect_status 2 root "$M" config get
expect_status 2 root "$M" config frob sync.update_window_days
expect_status 2 root "$M" config set sync.update_window_days
expect_status 2 root "$M" config get sync.update_window_days extra
cmp -s "$T/conf.before" "$M/crm.conf" || fail "a usage error changed crm.conf"

# A plain user may not change a master's settings; nor a wrong password.
expect_fail as anna Anna-Pass-77 "$M" config set sync.update_window_days 5
expect_err_contains administrator
expect_fail as root wrong "$M" config set sync.update_window_days 5
cmp -s "$T/conf.before" "$M/crm.conf" || fail "a refused config set changed crm.conf"
# The database's identity is not a setting to change.
expect_fail root "$M" config set db.role local
expect_err_contains db.role
expect_fail root "$M" config set db.name other
cmp -s "$T/conf.before" "$M/crm.conf" || fail "config set db.* changed crm.conf"
expect_ok root "$M" config set sync.update_window_days 0
expect_eq "$(mode "$M/crm.conf")" 600
expect_ok root "$M" config get sync.update_window_days
expect_eq "$OUT" 0

# --- a malformed DIR/crm.conf stops everything -----------------------------------------
B=$T/broken
make_master "$B"
expect_ok root "$B" add company name=Kept
printf 'db = {\n  role = "master";\n  this is not libconfig ;;;\n' >"$B/crm.conf"
for cmd in "list company" "user list" "add company name=X" \
    "export company" "config get sync.update_window_days" \
    "config set sync.update_window_days 3" "delete company zzzz" \
    "import company $FIXTURES/companies.csv"; do
	# shellcheck disable=SC2086
	expect_fail root "$B" $cmd
	expect_err_contains "$B/crm.conf"
	expect_err_contains ":3"
done
CRM_PASSWORD=secret expect_fail "$CRM" -u root init --local "$T/l" --master "$B"
expect_err_contains "$B/crm.conf"
[ ! -e "$T/l/crm.conf" ] || fail "a local was made from a broken master"

# --- a malformed user configuration stops everything ------------------------------------
mkdir -p "$XDG_CONFIG_HOME/crm"
printf '# my settings\ngeneral = {\n  default_database = ;\n};\n' \
    >"$XDG_CONFIG_HOME/crm/crm.conf"
U=$XDG_CONFIG_HOME/crm/crm.conf
for cmd in "list company" "user list" "add company name=X" \
    "config get sync.update_window_days" "export company"; do
	# shellcheck disable=SC2086
	expect_fail root "$M" $cmd
	expect_err_contains "$U"
	expect_err_contains ":3"
done
CRM_PASSWORD=secret expect_fail "$CRM" init --master "$T/m3" --admin root --admin-id ROOT1
expect_err_contains "$U"
[ ! -e "$T/m3/crm.conf" ] || fail "init ran with a broken user configuration"
expect_fail "$CRM" demo "$T/demo" --records 100
expect_err_contains "$U"
[ ! -e "$T/demo/crm.conf" ] || fail "demo ran with a broken user configuration"
rm -f "$U"
expect_ok root "$M" list company

# A user configuration naming a default database is used without -d.
printf 'general = {\n  default_database = "%s";\n};\n' "$M" >"$U"
CRM_PASSWORD=secret expect_ok "$CRM" -u root config get sync.update_window_days
expect_eq "$OUT" 0
CRM_PASSWORD=secret expect_ok "$CRM" -u root user list
expect_out_contains ANNA1
rm -f "$U"

finish
