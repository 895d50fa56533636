#!/bin/sh
# crm's CSV in a real spreadsheet: LibreOffice Calc,
# run headless, opens crm's export and saves it as a spreadsheet, whose
# cells are read back here. A value that is a formula or looks like a
# number to a spreadsheet (=1+1, =HYPERLINK(...), +33..., 0123, -5) must
# be a text cell holding that value, never a formula nor a number; the
# same file saved again as CSV by LibreOffice imports back as it was.
# --plain is checked to be live in LibreOffice, so that the check can
# tell the two apart. Skipped where LibreOffice is not installed (Debian:
# libreoffice-calc-nogui); CI does not install it (about 90 MB and two
# and a half minutes, for this one test).
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

SOFFICE=
for _s in soffice libreoffice; do
	if command -v "$_s" >/dev/null 2>&1; then
		SOFFICE=$_s
		break
	fi
done
if [ -z "$SOFFICE" ]; then
	echo "cli-libreoffice.sh: LibreOffice (soffice) is not installed:" \
	    "skipping; apt-get install libreoffice-calc-nogui to run it"
	exit 77
fi
PY=$(command -v python3 || :)
if [ -z "$PY" ]; then
	echo "cli-libreoffice.sh: no python3 to read LibreOffice's file: skipping"
	exit 77
fi

# LibreOffice keeps a profile (and a lock) under HOME: one of its own.
export HOME="$T/home"
mkdir -p "$HOME"

# lo_convert FILE FORMAT DIR: LibreOffice converts FILE into DIR, headless.
lo_convert() {
	mkdir -p "$3"
	# A profile of its own, so that no other LibreOffice is waited for.
	"$SOFFICE" "-env:UserInstallation=file://$T/lo-profile" --headless \
	    --norestore --convert-to "$2" --outdir "$3" "$1" \
	    >"$T/soffice.out" 2>&1 ||
	    fail "LibreOffice cannot convert $1: $(cat "$T/soffice.out")"
	[ -s "$3/$(basename "${1%.*}").${2%%:*}" ] ||
	    fail "LibreOffice wrote no $3/$(basename "${1%.*}").${2%%:*}: $(cat "$T/soffice.out")"
}

# cells FODS: one line per cell of the second row, "column<TAB>type<TAB>
# formula or -<TAB>text", its column named by the first row.
cells() {
	"$PY" - "$1" <<'PY' || fail "cannot read $1"
import sys, xml.etree.ElementTree as ET
T = 'urn:oasis:names:tc:opendocument:xmlns:table:1.0'
O = 'urn:oasis:names:tc:opendocument:xmlns:office:1.0'
X = 'urn:oasis:names:tc:opendocument:xmlns:text:1.0'
table = ET.parse(sys.argv[1]).getroot().find('.//{%s}table' % T)
rows = []
for row in table.iter('{%s}table-row' % T):
    cells = []
    for c in row.findall('{%s}table-cell' % T):
        n = min(int(c.get('{%s}number-columns-repeated' % T, '1')), 64)
        text = '\n'.join(''.join(p.itertext())
                         for p in c.findall('{%s}p' % X))
        cells += [(c.get('{%s}value-type' % O, '-'),
                   'formula' if c.get('{%s}formula' % T) else '-',
                   text)] * n
    rows.append(cells)
for (_, _, name), (kind, formula, text) in zip(rows[0], rows[1]):
    if name:
        print('%s\t%s\t%s\t%s' % (name, kind, formula, text))
PY
}

# cell FILE COLUMN: that column's line of cells' output.
cell() {
	grep "^$2	" "$1" || fail "no column $2 in $1"
}

M=$T/master
make_master "$M"
HYPER='=HYPERLINK("http://evil.example","click")'
root "$M" add contact first_name="=1+1" last_name="$HYPER" \
    job_title=-5 phone=+33612345678 postcode=0123 description="@SUM(1+1)" \
    mobile="0049 170 1234567" city=Lyon >/dev/null || fail "cannot add the contact"

# --- crm's CSV, as a spreadsheet opens it: text, never a formula -------------
expect_ok root "$M" export contact "$T/safe.csv"
lo_convert "$T/safe.csv" fods "$T/lo"
cells "$T/lo/safe.fods" >"$T/safe.cells"
for col in first_name last_name job_title phone postcode description; do
	line=$(cell "$T/safe.cells" "$col")
	case $line in
	"$col	string	-	"*) ;;
	*) fail "LibreOffice did not read $col as text: $line" ;;
	esac
done
# Each holds its value whole (LibreOffice shows the quote before it).
expect_eq "$(cell "$T/safe.cells" first_name | cut -f4)" "'=1+1"
expect_eq "$(cell "$T/safe.cells" last_name | cut -f4)" "'$HYPER"
expect_eq "$(cell "$T/safe.cells" phone | cut -f4)" "'+33612345678"
expect_eq "$(cell "$T/safe.cells" postcode | cut -f4)" "'0123"
expect_eq "$(cell "$T/safe.cells" job_title | cut -f4)" "'-5"
# What needs no quote gets none.
expect_eq "$(cell "$T/safe.cells" mobile | cut -f4)" "0049 170 1234567"
expect_eq "$(cell "$T/safe.cells" city | cut -f4)" "Lyon"

# --- --plain is for programs: in LibreOffice its formulas run ---------------
expect_ok root "$M" export contact --plain "$T/plain.csv"
lo_convert "$T/plain.csv" fods "$T/lo"
cells "$T/lo/plain.fods" >"$T/plain.cells"
expect_eq "$(cell "$T/plain.cells" first_name)" "$(printf 'first_name\tfloat\tformula\t2')"
expect_eq "$(cell "$T/plain.cells" last_name | cut -f3,4)" "$(printf 'formula\tclick')"
expect_eq "$(cell "$T/plain.cells" phone | cut -f2,4)" "$(printf 'float\t33612345678')"
expect_eq "$(cell "$T/plain.cells" postcode | cut -f2,4)" "$(printf 'float\t123')"

# --- saved again as CSV by LibreOffice, it imports back as it was ------------
lo_convert "$T/lo/safe.fods" 'csv:Text - txt - csv (StarCalc):44,34,76' "$T/back"
F=first_name,last_name,job_title,phone,mobile,postcode,description,city
expect_ok root "$M" list contact --fields "$F"
want=$OUT
N=$T/n
make_master "$N"
expect_ok root "$N" import contact "$T/back/safe.csv"
expect_out_contains "(1 added, 0 updated, 0 unchanged)"
expect_ok root "$N" list contact --fields "$F"
expect_eq "$OUT" "$want"
# And into the database it came from: the same record, unchanged.
expect_ok root "$M" import contact "$T/back/safe.csv"
expect_out_contains "(0 added, 0 updated, 1 unchanged)"

finish
