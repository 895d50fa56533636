#!/bin/sh
# crm list: header, columns, --fields, --where, order, escaping.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

M=$T/master
make_master "$M"
add_user "$M" anna ANNA1 Anna-Pass-77
TAB=$(printf '\t')

# --- an empty type: only the header ----------------------------------------------
expect_ok root "$M" list company
expect_eq "$OUT" "$(printf 'id\tname\tphone\temail\tcity\tcountry\taccount_manager')"
for t in contact note event task opportunity campaign target issue document \
    template; do
	expect_ok root "$M" list $t
	expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 1
	case $OUT in id"$TAB"*) ;; *) fail "list $t header does not start with id" ;; esac
done

# --- rows, default columns, order -----------------------------------------------------
expect_ok root "$M" add company name=beta city=Hamburg country=DE phone=040-1
BETA=$OUT
expect_ok root "$M" add company name=Alpha city=Berlin country=DE email=a@alpha.example
ALPHA=$OUT
expect_ok root "$M" add company name=charlie city=Hamburg country=FR account_manager=ANNA1
CHARLIE=$OUT

expect_ok root "$M" list company
expect_eq "$(rows)" 3
expect_eq "$(printf '%s\n' "$OUT" | head -n 1)" \
    "$(printf 'id\tname\tphone\temail\tcity\tcountry\taccount_manager')"
printf '%s\n' "$OUT" | awk -F'\t' 'NF != 7 { exit 1 }' ||
    fail "list company rows do not all have 7 columns"
expect_out_contains "$(printf '%s\tAlpha\t\ta@alpha.example\tBerlin\tDE\tROOT1' "$ALPHA")"
expect_out_contains "$(printf '%s\tbeta\t040-1\t\tHamburg\tDE\tROOT1' "$BETA")"
expect_out_contains "$(printf '%s\tcharlie\t\t\tHamburg\tFR\tANNA1' "$CHARLIE")"
# Name order, case-insensitive.
expect_eq "$(printf '%s\n' "$OUT" | tail -n +2 | cut -f2 | tr '\n' ' ')" \
    "Alpha beta charlie "

# --- --fields ---------------------------------------------------------------------------
expect_ok root "$M" list company --fields id,name
expect_eq "$OUT" "$(printf 'id\tname\n%s\tAlpha\n%s\tbeta\n%s\tcharlie' \
    "$ALPHA" "$BETA" "$CHARLIE")"
expect_ok root "$M" list company --fields name,created_by,city
expect_eq "$(printf '%s\n' "$OUT" | sed -n 2p)" "$(printf 'Alpha\tROOT1\tBerlin')"
# Fields beyond the default columns.
expect_ok root "$M" list company --fields website
expect_eq "$(printf '%s\n' "$OUT" | head -n 1)" website
expect_status 2 root "$M" list company --fields id,colour
expect_err_contains colour
expect_status 2 root "$M" list company --fields ,
expect_status 2 root "$M" list company --bogus
expect_status 2 root "$M" list widget
expect_status 2 root "$M" list
expect_status 2 root "$M" list company extra
expect_status 2 root "$M" list company --where city

# --- --where ----------------------------------------------------------------------------
expect_ok root "$M" list company --fields name --where city=Hamburg
expect_eq "$OUT" "$(printf 'name\nbeta\ncharlie')"
expect_ok root "$M" list company --fields name --where city=Hamburg --where country=FR
expect_eq "$OUT" "$(printf 'name\ncharlie')"
expect_ok root "$M" list company --fields name --where country=DE --where city=Hamburg
expect_eq "$OUT" "$(printf 'name\nbeta')"
expect_ok root "$M" list company --fields name --where city=Hamburg --where country=SE
expect_eq "$OUT" name
expect_ok root "$M" list company --fields name --where city=hamburg
expect_eq "$OUT" name
expect_ok root "$M" list company --fields name --where account_manager=ANNA1
expect_eq "$OUT" "$(printf 'name\ncharlie')"
expect_ok root "$M" list company --fields name --where account_manager=ROOT1
expect_eq "$(printf '%s\n' "$OUT" | sort | tr '\n' ' ')" "Alpha beta name "
expect_ok root "$M" list company --fields name --where account_manager=ANNA1 --where city=Berlin
expect_eq "$OUT" name
expect_ok root "$M" list company --fields name --where name=Alpha
expect_eq "$OUT" "$(printf 'name\nAlpha')"
expect_ok root "$M" list company --fields name --where email=
expect_eq "$OUT" "$(printf 'name\nbeta\ncharlie')"

# --where company=ID on contacts uses the reference.
expect_ok root "$M" add contact company="$ALPHA" first_name=Ann last_name=Zeta
expect_ok root "$M" add contact company="$ALPHA" first_name=Bert last_name=Young
expect_ok root "$M" add contact company="$BETA" first_name=Carl last_name=Xu
expect_ok root "$M" add contact company="$CHARLIE" first_name=Dina last_name=Wolf
expect_ok root "$M" list contact --fields first_name --where company="$ALPHA"
expect_eq "$(printf '%s\n' "$OUT" | tail -n +2 | sort | tr '\n' ' ')" "Ann Bert "
expect_ok root "$M" list contact --fields first_name --where company="$BETA"
expect_eq "$OUT" "$(printf 'first_name\nCarl')"
expect_ok root "$M" list contact --fields first_name,company --where company="$ALPHA" \
    --where first_name=Bert
expect_eq "$OUT" "$(printf 'first_name\tcompany\nBert\t%s' "$ALPHA")"
# The contact of charlie took charlie's account manager.
expect_ok root "$M" list contact --fields first_name --where account_manager=ANNA1
expect_eq "$OUT" "$(printf 'first_name\nDina')"
expect_ok root "$M" list contact --fields first_name --where account_manager=ANNA1 \
    --where company="$ALPHA"
expect_eq "$OUT" first_name
# A company with no contacts.
expect_ok root "$M" add company name=Delta
expect_ok root "$M" list contact --where company="$OUT"
expect_eq "$(rows)" 0
# Tasks by assignee.
expect_ok root "$M" add task subject=Call company="$ALPHA" assigned_to=ANNA1
expect_ok root "$M" add task subject=Write company="$ALPHA" assigned_to=ROOT1
expect_ok root "$M" list task --fields subject --where assigned_to=ANNA1
expect_eq "$OUT" "$(printf 'subject\nCall')"

# --- escaping ----------------------------------------------------------------------------
desc=$(printf 'line1\nline2\tcol\\end')
expect_ok root "$M" add company name=Escaped description="$desc"
ESC=$OUT
expect_ok root "$M" list company --fields id,name,description --where name=Escaped
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 2
expect_eq "$(printf '%s\n' "$OUT" | sed -n 2p)" \
    "$(printf '%s\tEscaped\t%s' "$ESC" 'line1\nline2\tcol\\end')"
# get escapes the same way, one line per field.
expect_ok root "$M" get company "$ESC"
expect_eq "$(field description)" 'line1\nline2\tcol\\end'
# A name holds one line.
nl=$(printf 'two\nlines')
expect_fail root "$M" add company name="$nl"
# UTF-8 passes through unchanged.
expect_ok root "$M" add company name="Zoë Ångström AB" city=Москва
expect_ok root "$M" list company --fields name,city --where city=Москва
expect_eq "$OUT" "$(printf 'name\tcity\nZoë Ångström AB\tМосква')"

# --- order: name order, or creation order through a reference/owner index ---
make_master "$T/m2"
expect_ok root "$T/m2" add company name=beta
expect_ok root "$T/m2" add company name=Alpha
expect_ok root "$T/m2" list company --fields name
expect_eq "$OUT" "$(printf 'name\nAlpha\nbeta')"
# crm list --help: a --where on an owner field is answered through the
# owner index, in creation order.
expect_ok root "$T/m2" list company --fields name --where account_manager=ROOT1
expect_eq "$OUT" "$(printf 'name\nbeta\nAlpha')"

# --- an unknown --where field is bad usage ---
expect_status 2 root "$M" list company --where colour=red
expect_err_contains colour

finish
