#!/bin/sh
# crm add / get / set / delete: IDs, metadata, prefixes, validation, rights.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
make_master "$M"
add_user "$M" anna ANNA1 Anna-Pass-77
ISO='^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z$'

# --- add prints the ID alone ----------------------------------------------------
expect_ok root "$M" add company name=Acme city=Hamburg phone="+49 40 123"
ACME=$OUT
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 1
expect_eq "${#ACME}" 26
printf '%s' "$ACME" | grep -q '^[0-9a-z]\{26\}$' || fail "\"$ACME\" is not an ID"
expect_eq "$ERR" ""

# --- get -------------------------------------------------------------------------
expect_ok root "$M" get company "$ACME"
expect_eq "$(field id)" "$ACME"
expect_eq "$(field name)" Acme
expect_eq "$(field city)" Hamburg
expect_eq "$(field phone)" "+49 40 123"
expect_eq "$(field created_by)" ROOT1
expect_eq "$(field modified_by)" ROOT1
field created_at | grep -q "$ISO" || fail "created_at \"$(field created_at)\" is not ISO 8601 UTC"
field modified_at | grep -q "$ISO" || fail "modified_at \"$(field modified_at)\" is not ISO 8601 UTC"
CREATED_AT=$(field created_at)
# Metadata comes first, then the fields; every line is FIELD=VALUE.
expect_eq "$(printf '%s\n' "$OUT" | head -n 5 | cut -d= -f1 | tr '\n' ' ')" \
    "id created_at created_by modified_at modified_by "
printf '%s\n' "$OUT" | grep -qv '^[a-z_0-9]*=' && fail "get printed a line that is not FIELD=VALUE"
for f in name phone email website city country account_manager; do
	printf '%s\n' "$OUT" | grep -q "^$f=" || fail "get company lacks $f"
done
# The creation time is now (within a few minutes of this machine's clock).
now=$(date -u +%s)
then=$(date -u -d "$(field created_at)" +%s)
[ $((now - then)) -ge -5 ] && [ $((now - then)) -le 300 ] ||
    fail "created_at $(field created_at) is not now"

# --- set -------------------------------------------------------------------------
sleep 1
expect_ok as anna Anna-Pass-77 "$M" set company "$ACME" city=Bremen email=info@acme.example
expect_eq "$OUT" ""
expect_ok root "$M" get company "$ACME"
expect_eq "$(field city)" Bremen
expect_eq "$(field email)" info@acme.example
expect_eq "$(field name)" Acme
expect_eq "$(field modified_by)" ANNA1
expect_eq "$(field created_by)" ROOT1
expect_eq "$(field created_at)" "$CREATED_AT"
[ "$(field modified_at)" != "$CREATED_AT" ] || fail "set did not change modified_at"
# set with nothing to change is bad usage.
expect_status 2 root "$M" set company "$ACME"
expect_status 2 root "$M" set company "$ACME" city
# An empty value clears a field.
expect_ok root "$M" set company "$ACME" email=
expect_ok root "$M" get company "$ACME"
expect_eq "$(field email)" ""

# --- ID prefixes -------------------------------------------------------------------
expect_ok root "$M" add company name=Beta
BETA=$OUT
ACME10=$(printf '%s' "$ACME" | cut -c1-10)
BETA10=$(printf '%s' "$BETA" | cut -c1-10)
[ "$ACME10" != "$BETA10" ] || fail "two IDs made apart share 10 characters"
expect_ok root "$M" get company "$ACME10"
expect_eq "$(field id)" "$ACME"
expect_ok root "$M" set company "$BETA10" city=Kiel
expect_ok root "$M" get company "$BETA"
expect_eq "$(field city)" Kiel
# Ambiguous: the first character is shared by every ID made today.
P1=$(printf '%s' "$ACME" | cut -c1)
expect_fail root "$M" get company "$P1"
expect_err_contains "$P1"
expect_err_contains several
expect_fail root "$M" set company "$P1" city=X
expect_fail root "$M" delete company "$P1"
expect_ok root "$M" list company --fields name
expect_eq "$(rows)" 2
# Nonexistent.
expect_fail root "$M" get company zzzzzzzzzz
expect_err_contains zzzzzzzzzz
expect_fail root "$M" set company zzzzzzzzzz city=X
expect_fail root "$M" delete company zzzzzzzzzz
# An ID of another type is not found in this one.
expect_fail root "$M" get contact "$ACME"
# Not an ID at all.
expect_fail root "$M" get company 'not-an-id!'

# --- contacts take their company's account manager -------------------------------
expect_ok root "$M" add company name=Managed account_manager=ANNA1
MANAGED=$OUT
expect_ok root "$M" add contact company="$MANAGED" first_name=Bob last_name=Baker
BOB=$OUT
expect_ok root "$M" get contact "$BOB"
expect_eq "$(field account_manager)" ANNA1
expect_eq "$(field company)" "$MANAGED"
expect_eq "$(field created_by)" ROOT1
# ...unless one is given.
expect_ok root "$M" add contact company="$MANAGED" first_name=Cleo account_manager=ROOT1
expect_ok root "$M" get contact "$OUT"
expect_eq "$(field account_manager)" ROOT1

# --- validation: exit 1, the field named, nothing stored ---------------------------
expect_fail root "$M" add task subject=Call due=2026-13-01
expect_err_contains due
expect_fail root "$M" add task subject=Call due=2026-02-30
expect_err_contains due
expect_fail root "$M" add task subject=Call due="some day"
expect_err_contains due
expect_ok root "$M" add task subject=Call due=2026-02-28
expect_ok root "$M" add task subject=Call due=2026-02-28T09:30
expect_fail root "$M" add company name=X colour=red
expect_err_contains colour
expect_fail root "$M" add company city=Nowhere
expect_err_contains name
expect_fail root "$M" add company name=
expect_err_contains name
expect_fail root "$M" add company name=X email=not-an-email
expect_err_contains email
expect_fail root "$M" set company "$ACME" email=not-an-email
expect_err_contains email
expect_fail root "$M" add company name=X account_manager=NOONE
expect_err_contains account_manager
# A reference to a company that does not exist (made, then deleted).
expect_ok root "$M" add company name=Gone
GONE=$OUT
expect_ok root "$M" delete company "$GONE"
expect_fail root "$M" add contact company="$GONE" first_name=Ghost
expect_err_contains company
expect_fail root "$M" add contact company=zzzzzzzzzzzzzzzzzzzzzzzzzz first_name=Ghost
expect_err_contains company
expect_ok root "$M" list company --fields name
expect_eq "$(rows)" 3
expect_out_lacks X
expect_ok root "$M" list contact --fields first_name
expect_eq "$(rows)" 2
expect_out_lacks Ghost

# Metadata is crm's own.
for f in id created_at created_by modified_at modified_by; do
	expect_fail root "$M" set company "$ACME" "$f=x"
	expect_err_contains "$f"
done
expect_fail root "$M" add company name=Meta created_by=ANNA1
expect_err_contains created_by
# A required field cannot be cleared.
expect_fail root "$M" set company "$ACME" name=
expect_err_contains name
expect_ok root "$M" get company "$ACME"
expect_eq "$(field name)" Acme
expect_eq "$(field modified_by)" ROOT1

# Changing an account manager takes the right to (or an administrator).
expect_fail as anna Anna-Pass-77 "$M" set company "$ACME" account_manager=ANNA1
expect_err_contains anna
add_user "$M" carl CARL1 Carl-Pass-77 --may-change-manager
expect_ok as carl Carl-Pass-77 "$M" set company "$ACME" account_manager=ANNA1
expect_ok root "$M" get company "$ACME"
expect_eq "$(field account_manager)" ANNA1
expect_ok root "$M" set company "$ACME" account_manager=ROOT1

# --- bad usage --------------------------------------------------------------------
expect_status 2 root "$M" add company name
expect_status 2 root "$M" add company name=Ok =value
expect_status 2 root "$M" add widget name=X
expect_status 2 root "$M" add
expect_status 2 root "$M" get widget "$ACME"
expect_status 2 root "$M" get company
expect_status 2 root "$M" get company "$ACME" extra
expect_status 2 root "$M" delete company
expect_status 2 root "$M" delete widget "$ACME"
expect_ok root "$M" list company --fields name
expect_eq "$(rows)" 3

# --- delete ------------------------------------------------------------------------
# A company with contacts cannot go.
expect_fail root "$M" delete company "$MANAGED"
expect_err_contains contact
expect_ok root "$M" get company "$MANAGED"
# Delete by prefix.
expect_ok root "$M" delete company "$BETA10"
expect_ok root "$M" list company --fields id,name
expect_out_lacks "$BETA"
expect_out_lacks Beta
expect_fail root "$M" get company "$BETA"
expect_err_contains "$BETA"
expect_fail root "$M" delete company "$BETA"
# The contacts go, then their company may.
expect_ok root "$M" list contact --fields id --where company="$MANAGED"
for c in $(printf '%s\n' "$OUT" | tail -n +2); do
	expect_ok root "$M" delete contact "$c"
done
expect_ok root "$M" delete company "$MANAGED"
expect_fail root "$M" get company "$MANAGED"

# --- S12: a plain user deletes only what they created -------------------------------
expect_ok root "$M" add company name=RootsOwn
ROOTS=$OUT
expect_fail as anna Anna-Pass-77 "$M" delete company "$ROOTS"
expect_err_contains ROOT1
expect_ok root "$M" get company "$ROOTS"
expect_ok as anna Anna-Pass-77 "$M" add company name=AnnasOwn
ANNAS=$OUT
expect_ok as anna Anna-Pass-77 "$M" get company "$ANNAS"
expect_eq "$(field created_by)" ANNA1
expect_ok as anna Anna-Pass-77 "$M" delete company "$ANNAS"
expect_fail root "$M" get company "$ANNAS"
# An administrator may delete anyone's.
expect_ok as anna Anna-Pass-77 "$M" add company name=AnnasSecond
expect_ok root "$M" delete company "$OUT"

# --- UTF-8 round trip -------------------------------------------------------------
expect_ok root "$M" add company name="Łódź Textiles" city=Łódź country=Polska
LODZ=$OUT
expect_ok root "$M" add company name="Москва Логистика" city=Москва
MSK=$OUT
expect_ok root "$M" add contact company="$LODZ" first_name=Zoë last_name=Ångström
ZOE=$OUT
expect_ok root "$M" get company "$LODZ"
expect_eq "$(field name)" "Łódź Textiles"
expect_eq "$(field city)" "Łódź"
expect_ok root "$M" get company "$MSK"
expect_eq "$(field name)" "Москва Логистика"
expect_eq "$(field city)" "Москва"
expect_ok root "$M" get contact "$ZOE"
expect_eq "$(field first_name)" "Zoë"
expect_eq "$(field last_name)" "Ångström"
expect_ok root "$M" set contact "$ZOE" last_name="Ångström-Łódź"
expect_ok root "$M" get contact "$ZOE"
expect_eq "$(field last_name)" "Ångström-Łódź"
expect_ok root "$M" list company --fields name,city
expect_out_contains "$(printf 'Łódź Textiles\tŁódź')"
expect_out_contains "$(printf 'Москва Логистика\tМосква')"
# Invalid UTF-8 is refused, not stored.
bad=$(printf 'Caf\351')
expect_fail root "$M" add company name="$bad"

finish
