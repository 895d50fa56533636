#!/bin/sh
# Documents and letters in the screens, driven through tmux: attaching a
# file to a record with Tab completion, the Documents pane with sizes,
# opening a document in $PAGER, saving a copy, refusals (a missing path,
# a replaced file, a missing stored file); the letter templates list (T)
# and a letter written to a contact with $EDITOR, recorded as a note with
# the letter attached.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/tmux.sh"

# Paths show on the screens: short ones under /tmp (tm_cleanup removes it).
S=$(mktemp -d /tmp/crm-docs.XXXXXX) || fail "cannot make a directory under /tmp"
TM_EXTRA=$S
M=$S/m
make_master "$M"
ACME=$(root "$M" add company name="Acme GmbH" city=Hamburg) ||
    fail "cannot add a company"
BEA=$(root "$M" add contact first_name=Bea last_name=Keller \
    company="$ACME") || fail "cannot add a contact"

mkdir "$S/files" "$S/out"
printf 'Quarterly report, 2026\nsecond line\n' >"$S/files/report.txt"
printf 'other\n' >"$S/files/rep-2.txt"
printf 'Dear {{contact.first_name}} {{contact.last_name}},\n%s\n' \
    'about {{company.name}}.' >"$S/files/offer.txt"

# The pager and the editor: scripts that say what they were given.
cat >"$S/pager" <<EOS
#!/bin/sh
printf '%s\n' "\$1" >"$S/paged-path"
cat "\$1" >"$S/paged.tmp" && mv "$S/paged.tmp" "$S/paged"
EOS
cat >"$S/editor" <<EOS
#!/bin/sh
printf 'Kind regards, from the editor\n' >>"\$1"
EOS
chmod +x "$S/pager" "$S/editor"

# Wait for a file a script writes (the pager runs beside the screen).
wait_file() {
	_tries=$((TM_TIMEOUT * 20))
	while [ ! -f "$1" ]; do
		_tries=$((_tries - 1))
		[ "$_tries" -gt 0 ] || fail "$1 was never written: $2"
		sleep 0.05
	done
}

# Where a document is opened: a private copy under $XDG_RUNTIME_DIR.
mkdir -m 700 "$S/run"

# Wait for a file to be gone (the copy a viewer was given).
wait_gone() {
	_tries=$((TM_TIMEOUT * 20))
	while [ -e "$1" ]; do
		_tries=$((_tries - 1))
		[ "$_tries" -gt 0 ] || fail "$1 is still there: $2"
		sleep 0.05
	done
}

tm_start d 100 30 CRM_PASSWORD=secret PAGER="$S/pager" EDITOR="$S/editor" \
    XDG_RUNTIME_DIR="$S/run" -- -d "$M" -u root
tm_wait d '@0=^ 1 Companies' '^Acme GmbH'

# --- attaching a file to a contact, with Tab completion ---------------------------
tm_keys d 2
tm_wait d '@3=^Keller +Bea +Acme GmbH'
tm_keys d Enter
tm_wait d '@0=^ Contact: Bea Keller *$' '@-1=a attach' '@-1=L letter'
tm_keys d a
tm_wait d '@-4=^ Attach a file to Bea Keller: Tab completes' '@-3=^ File: *$'
tm_type d "$S/files/rep"
tm_keys d Tab
# Two fit: both are listed, the text stays at what they share.
tm_wait d "@-3=^ File: $S/files/rep *\$" '^ rep-2\.txt +report\.txt *$'
tm_type d o
tm_keys d Tab
tm_wait d "@-3=^ File: $S/files/report\\.txt *\$" '!rep-2\.txt'
tm_keys d Enter
tm_wait d "@-4=^ Describe $S/files/report\\.txt" '@-3=^ Description: *$' \
    '@-1!Tab complete'
tm_type d "Quarterly figures"
tm_keys d Enter
tm_wait d "@-1=^attached $S/files/report\\.txt \\(35 bytes\\) to Bea Keller" \
    '@0=^ Contact: Bea Keller' 'Documents 1'
expect_ok root "$M" list document --where parent="$BEA"
expect_eq "$(rows)" 1
DOC=$(printf '%s\n' "$OUT" | tail -n 1 | cut -f 1)
expect_eq "$(cat "$M/documents/$DOC")" "$(cat "$S/files/report.txt")"
expect_eq "$(mode "$M/documents/$DOC")" 600

# The Documents pane (the last one): the file, its description, its size.
tm_keys d BTab
tm_wait d '^File name +Description +Size$' \
    '^report\.txt +Quarterly figures +35 bytes$'

# --- opening it: $PAGER gets the file ------------------------------------------------
rm -f "$S/paged"
tm_keys d o
wait_file "$S/paged" "the pager was not run"
tm_wait d '@0=^ Contact: Bea Keller' '^report\.txt +Quarterly'
expect_eq "$(cat "$S/paged")" "$(cat "$S/files/report.txt")"
# It was given a private copy under its own name, removed after.
case $(cat "$S/paged-path") in
"$S/run/crm-open-"*/report.txt) ;;
*) fail "the pager was given $(cat "$S/paged-path"), not a private copy" ;;
esac
wait_gone "$(cat "$S/paged-path")" "the copy opened was not removed"
[ -z "$(ls "$S/run")" ] || fail "left in the runtime directory: $(ls "$S/run")"

# --- saving a copy: into a directory, then refusing to overwrite unasked -----------
tm_keys d w
tm_wait d '@-4=^ Save a copy of report\.txt as' '@-3=^ Save as: report\.txt *$'
tm_keys d C-u
tm_type d "$S/ou"
tm_keys d Tab
tm_wait d "@-3=^ Save as: $S/out/ *\$"
tm_keys d Enter
tm_wait d "@-1=^saved a copy of report\\.txt as $S/out/report\\.txt"
expect_eq "$(cat "$S/out/report.txt")" "$(cat "$S/files/report.txt")"
expect_eq "$(mode "$S/out/report.txt")" 600
printf 'mine\n' >"$S/out/report.txt"
tm_keys d w C-u
tm_type d "$S/out/report.txt"
tm_keys d Enter
tm_wait d "exists: replace it\\? \\(y/n\\)"
tm_keys d n
tm_wait d "@-1=^no copy was saved; $S/out/report\\.txt is as it was"
expect_eq "$(cat "$S/out/report.txt")" mine
# A directory typed after the offered name: the message names what was
# typed, not a temporary file.
tm_keys d w
tm_type d "$S/out/"
tm_keys d Enter
tm_wait d "cannot write report\\.txt$S/out/: report\\.txt$S/out is not a" \
    '!\.tmp-'

# --- a missing path is refused, and the prompt stays to correct it ------------------
tm_keys d a
tm_type d "$S/files/nope.txt"
tm_keys d Enter
tm_wait d "cannot attach $S/files/nope\\.txt: there is no such file; check the path" \
    "@-3=^ File: $S/files/nope\\.txt *\$"
tm_keys d Escape
tm_wait d '@-1=^nothing was attached' '@0=^ Contact: Bea Keller'
expect_ok root "$M" list document --where parent="$BEA"
expect_eq "$(rows)" 1

# --- the document's own screen: size and SHA-256 --------------------------------------
HASH=$(sha256sum "$S/files/report.txt" | cut -d' ' -f1)
H1=$(printf %.32s "$HASH")
H2=${HASH#"$H1"}
tm_keys d Enter
tm_wait d '@0=^ Document: report\.txt' '^ Size +35 bytes$' \
    "^ SHA-256 +$H1\$" "^ +$H2\$" '^ Description +Quarterly figures$'
# e edits the description, in one line.
tm_keys d e
tm_wait d '@-3=^ Description: Quarterly figures *$'
tm_type d " Q3"
tm_keys d Enter
tm_wait d '^ Description +Quarterly figures Q3$'
# A file changed behind crm's back: said, and asked before opening.
printf 'tampered\n' >>"$M/documents/$DOC"
rm -f "$S/paged"
tm_keys d o
tm_wait d 'the file of "report\.txt" .* has changed' 'open it anyway\? \(y/n\)$'
tm_keys d n
tm_wait d '@-1=^ \? F1 help'
[ ! -f "$S/paged" ] || fail "a changed file was opened unasked"
# A missing one: said, nothing opened.
rm "$M/documents/$DOC"
tm_keys d o
tm_wait d 'the file of "report\.txt" is missing'
[ ! -f "$S/paged" ] || fail "the pager ran for a missing file"
tm_keys d q
tm_wait d '@0=^ Contact: Bea Keller'

# --- L with no template yet ------------------------------------------------------------
tm_keys d L
tm_wait d '@-1=^there are no letter templates yet'
tm_keys d q
tm_wait d '@0=^ 1 Companies'

# --- the templates list: a new one from a file ----------------------------------------
tm_keys d T
tm_wait d '@0=^ Letter templates' '@-1=n new' '@-1=E edit-text'
tm_keys d n
tm_wait d '@-4=^ New letter template from a text file' '@-3=^ File: *$'
tm_type d "$S/files/of"
tm_keys d Tab
tm_wait d "@-3=^ File: $S/files/offer\\.txt *\$"
tm_keys d Enter
tm_wait d '@-3=^ Name: offer *$'
tm_keys d C-u
tm_type d Offer
tm_keys d Enter
tm_wait d '@-3=^ Description: *$'
tm_type d "For offers"
tm_keys d Enter
tm_wait d '@-1=^template "Offer" added' '^Offer +For offers +offer\.txt'
rm -f "$S/paged"
tm_keys d Enter
wait_file "$S/paged" "the template was not shown in the pager"
tm_wait d '^Offer +For offers'
expect_eq "$(cat "$S/paged")" "$(cat "$S/files/offer.txt")"
expect_ok root "$M" list template
expect_eq "$(rows)" 1
tm_keys d q
tm_wait d '@0=^ 1 Companies'

# --- a letter to Bea: chosen template, $EDITOR, recorded ------------------------------
tm_keys d 2
tm_wait d '@3=^Keller +Bea'
tm_keys d Enter
tm_wait d '@0=^ Contact: Bea Keller'
tm_keys d L
tm_wait d '@0=^ Choose a template' '^Offer'
tm_keys d Enter
tm_wait d '@-1=^letter to Bea Keller recorded: note "Letter: Offer"' \
    '@0=^ Contact: Bea Keller' 'Notes 1'
expect_ok root "$M" list note --where contact="$BEA"
expect_eq "$(rows)" 1
NOTE=$(printf '%s\n' "$OUT" | tail -n 1 | cut -f 1)
expect_ok root "$M" get note "$NOTE"
expect_eq "$(field subject)" "Letter: Offer"
expect_eq "$(field company)" "$ACME"
expect_ok root "$M" list document --where parent="$NOTE"
expect_eq "$(rows)" 1
LDOC=$(printf '%s\n' "$OUT" | tail -n 1 | cut -f 1)
expect_eq "$(cat "$M/documents/$LDOC")" "$(printf 'Dear Bea Keller,\nabout Acme GmbH.\nKind regards, from the editor')"
tm_keys d q
tm_wait d '@0=^ 1 Companies'
tm_keys d q y
expect_eq "$(tm_exit d)" 0

# --- an editor that is not there: said, and the letter kept where it says ------------
mkdir "$S/tmp"
tm_start e 100 30 CRM_PASSWORD=secret EDITOR=nosuchedit TMPDIR="$S/tmp" \
    -- -d "$M" -u root
tm_wait e '@0=^ 1 Companies' '^Acme GmbH'
tm_keys e 2
tm_wait e '@3=^Keller +Bea'
tm_keys e Enter
tm_wait e '@0=^ Contact: Bea Keller'
tm_keys e L
tm_wait e '@0=^ Choose a template' '^Offer'
tm_keys e Enter
# The message is long: it takes the status line too, cut at a space.
tm_wait e '@-2=^cannot run the editor "nosuchedit": it was not found; set EDITOR to one you have\. Nothing was$' \
    "@-1=^recorded: the text is kept in $S/tmp/crm-[A-Za-z0-9]{6}\\.txt\$" \
    '@0=^ Contact: Bea Keller'
KEPT=$(ls "$S/tmp")
expect_eq "$(printf '%s\n' "$KEPT" | wc -l)" 1
tm_wait e "kept in $S/tmp/$KEPT\$"
expect_eq "$(cat "$S/tmp/$KEPT")" "$(printf 'Dear Bea Keller,\nabout Acme GmbH.')"
expect_ok root "$M" list note --where contact="$BEA"
expect_eq "$(rows)" 1
tm_keys e q q y
expect_eq "$(tm_exit e)" 0

# --- 80x24: the prompt and the hash fit ------------------------------------------------
DOC2=$(root "$M" attach contact "$BEA" "$S/files/report.txt" \
    --description small) || fail "cannot attach"
tm_start s 80 24 CRM_PASSWORD=secret NO_COLOR=1 -- -d "$M" -u root
tm_wait s '@0=^1 Companies' '^Acme GmbH'
tm_keys s 2 Enter
tm_wait s '@0=^ Contact: Bea Keller'
tm_keys s BTab Enter
tm_wait s '@0=^ Document: report\.txt' "^ SHA-256 +$H1\$" "^ +$H2\$"
tm_keys s q a
tm_wait s '@-4=^ Attach a file to Bea Keller' '@-3=^ File: *$'
tm_keys s Escape q q y
expect_eq "$(tm_exit s)" 0
: "$DOC2"

# --- an encrypted local: its files sealed, opened from a private copy -------------
add_user "$M" anna ANNA1 annapw
root "$M" delete document "$DOC" || fail "cannot delete a document"
L=$S/l
CRM_PASSWORD=annapw "$CRM" -u anna init --local "$L" --master "$M" \
    >/dev/null 2>&1 || fail "cannot make anna's local"
CRM_PASSWORD=annapw "$CRM" -d "$L" sync >/dev/null 2>&1 ||
    fail "cannot sync anna's local"
[ -z "$(grep -rl 'Quarterly report' "$L")" ] ||
    fail "the document is in the clear in the local: $(grep -rl 'Quarterly report' "$L")"
rm -f "$S/paged" "$S/paged-path"
tm_start l 100 30 CRM_PASSWORD=annapw PAGER="$S/pager" \
    XDG_RUNTIME_DIR="$S/run" -- -d "$L"
tm_wait l '@0=^ 1 Companies' '^Acme GmbH'
tm_keys l 2 Enter
tm_wait l '@0=^ Contact: Bea Keller'
tm_keys l BTab
tm_wait l '^report\.txt +small'
tm_keys l o
wait_file "$S/paged" "the pager was not run in the local"
expect_eq "$(cat "$S/paged")" "$(cat "$S/files/report.txt")"
case $(cat "$S/paged-path") in
"$S/run/crm-open-"*/report.txt) ;;
*) fail "the pager was given $(cat "$S/paged-path"), not a private copy" ;;
esac
wait_gone "$(cat "$S/paged-path")" "the unsealed copy was not removed"
[ -z "$(ls "$S/run")" ] || fail "left in the runtime directory: $(ls "$S/run")"
[ -z "$(grep -rl 'Quarterly report' "$L")" ] ||
    fail "opening left the document in the clear in the local"
tm_keys l q q y
expect_eq "$(tm_exit l)" 0
finish
