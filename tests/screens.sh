#!/bin/sh
# The full-screen application, driven through tmux: logging in, the tabs,
# the search, records and their linked records, forms (validation, F3,
# edits), deleting and its rights, help, resizing, quitting, a busy master.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/tmux.sh"

# Paths show on the screens: keep them short enough for 100 columns
# whatever the build directory (make distcheck's is deep), under /tmp.
# tm_cleanup removes it.
S=$(mktemp -d /tmp/crm-scr.XXXXXX) || fail "cannot make a directory under /tmp"
TM_EXTRA=$S

# A master named with UTF-8, as the status line shows it.
M=$S/master
CRM_PASSWORD=secret "$CRM" init --master "$M" --admin root --admin-id ROOT1 \
    --name "Büro CRM" >/dev/null || fail "cannot create the master"
add_user "$M" anna ANNA1 Anna-Pass-77 --type user

# Small data with exact names, UTF-8 among them.
add() {
	root "$M" add "$@" || fail "cannot add $*"
}
ACME=$(add company name="Acme GmbH" city=Hamburg country=Germany)
ALPHA=$(add company name="Alpha Beta" city=Berlin)
add company name="Zug Bank" city=Zug >/dev/null
ZUSE=$(add company name="Zuse KG")
ZURICH=$(add company name="Zürich Ärzte AG" city=Zürich country=Schweiz)
add company name="Ωmega" city=Αθήνα >/dev/null
BEA=$(add contact first_name=Bea last_name=Keller company="$ACME" \
    job_title=Buyer email=bea@acme.example)
add contact first_name=Jörg last_name=Öztürk company="$ZURICH" >/dev/null
add note subject="Met Bea" company="$ACME" contact="$BEA" >/dev/null

# The main screen as root: tabs on row 0, what the list is on row 1, the
# status line on the row above the last, the keys on the last.
main_ok() {
	tm_wait "$1" \
	    '@0=^ 1 Companies  2 Contacts  3 Notes  4 Calendar  5 Tasks  6 Opportunities  7 Campaigns  8 Issues' \
	    "@-2=^ Büro CRM │ MASTER │ $2\$" \
	    '@-1=^ \? F1 help  Enter open  / search  n new' \
	    "$3"
}

# Without a terminal there are no screens: said, status 2.
expect_status 2 root "$M"
expect_err_contains "needs a terminal"

# --- logging in through the login screen --------------------------------------
tm_start login 100 30 -- -d "$M" -u root
tm_wait login '@0=^ crm: log in' "Database: Büro CRM \\($M, MASTER\\)" \
    '^  Login +root' '^  Password' 'Enter logs in; Esc quits\.'
# The key line of the login offers its own keys, not a form's.
tm_wait login '@-1=^ F1 help' '@-1!save-and-new|F4 choose'
# A wrong password: said on the last line, the login screen stays.
tm_type login wrong-password
tm_wait login '^  Password +\*{8}$'
tm_keys login Enter
tm_wait login '@-1=^login refused for root: wrong login or password' \
    '@0=^ crm: log in' '^  Login +root$'
# The password field is shown empty for the next try.
tm_wait login '^  Password *$'
tm_type login secret
tm_keys login Enter
main_ok login 'root \(ROOT1\)' '^Acme GmbH +Hamburg +Germany'
tm_keys login q y
expect_eq "$(tm_exit login)" 0
tm_kill login

# From here on root is logged in by $CRM_PASSWORD.
start_root() {
	tm_start "$1" "${2:-100}" "${3:-30}" CRM_PASSWORD=secret -- \
	    -d "$M" -u root
	main_ok "$1" 'root \(ROOT1\)' '^Acme GmbH'
}
# The companies tab's list, row by row from row 3 (under the header).
companies() {
	_n=$1
	shift
	set -- "$_n" '@1=^ Companies, by name A-Z$' \
	    '@2=^Name +City +Country +Phone +Email +Manager$' "$@"
	tm_wait "$@"
}

# --- tabs, with Tab, Shift-Tab and digits ------------------------------------------
start_root m
companies m '@3=^Acme GmbH +Hamburg +Germany +ROOT1$' \
    '@4=^Alpha Beta +Berlin +ROOT1$' '@5=^Zug Bank +Zug +ROOT1$' \
    '@6=^Zürich Ärzte AG +Zürich +Schweiz +ROOT1$' '@7=^Zuse KG +ROOT1$' \
    '@8=^Ωmega +Αθήνα +ROOT1$' '@9=^$'
tm_keys m Tab
tm_wait m '@1=^ Contacts, by name A-Z$' \
    '@2=^Last name +First name +Company +Phone +Email +Manager$' \
    '@3=^Keller +Bea +Acme GmbH +bea@acme\.example +ROOT1$' \
    '@4=^Öztürk +Jörg +Zürich Ärzte AG +ROOT1$' '@5=^$'
tm_keys m Tab
tm_wait m '@1=^ Notes, by name A-Z$' \
    '@3=^Met Bea +[0-9]{4}-[0-9]{2}-[0-9]{2} +Acme GmbH +Bea Keller *$'
tm_keys m 8
tm_wait m '@1=^ Issues, by name A-Z$' \
    '@3=^  Nothing here yet: n makes a new one\.$'
tm_keys m Tab
companies m '@3=^Acme GmbH '
tm_keys m BTab
tm_wait m '@1=^ Issues, '
tm_keys m 6
tm_wait m '@1=^ Opportunities, ' '@2=^Name +Company +Stage +Amount'
tm_keys m 2
tm_wait m '@1=^ Contacts, ' '@3=^Keller '
tm_keys m 1
companies m '@3=^Acme GmbH '

# --- incremental search: each key narrows the list at once ----------------------------
tm_keys m /
tm_wait m '@1=^ Search: *$' '@3=^Acme GmbH '
tm_type m z
tm_wait m '@1=^ Search: z$' '@3=^Zug Bank ' '@4=^Zürich Ärzte AG ' \
    '@5=^Zuse KG ' '@6=^$'
# While searching, the key line offers the search's keys, not a form's.
tm_wait m '@-1=^ F1 help' '@-1!F2 save|save-and-new|F4 choose'
# Accents or none: "zu" is Zürich's start too.
tm_type m u
tm_wait m '@1=^ Search: zu$' '@3=^Zug Bank ' '@4=^Zürich Ärzte AG ' \
    '@5=^Zuse KG ' '@6=^$'
tm_type m g
tm_wait m '@1=^ Search: zug$' '@3=^Zug Bank ' '@4=^$'
tm_type m x
tm_wait m '@1=^ Search: zugx$' '@3=^  Nothing matches "zugx"\.$'
tm_keys m BSpace BSpace
tm_wait m '@1=^ Search: zu$' '@3=^Zug Bank ' '@5=^Zuse KG ' '@6=^$'
# Esc clears the search: the whole list again.
tm_keys m Escape
companies m '@3=^Acme GmbH ' '@8=^Ωmega ' '!Search:'
# Upper case and UTF-8 match too; Enter keeps the search.
tm_keys m /
tm_type m ZÜR
tm_wait m '@1=^ Search: ZÜR$' '@3=^Zürich Ärzte AG ' '@4=^$'
tm_keys m Enter
tm_wait m '@1=^ Companies, by name A-Z, matching "ZÜR"$' \
    '@3=^Zürich Ärzte AG ' '@4=^$'
# / starts afresh: the whole list, the last search a key (Up) away.
tm_keys m /
tm_wait m '@1=^ Search \(↑ the last one\): *$' '@3=^Acme GmbH ' '@8=^Ωmega '
tm_type m ω
tm_wait m '@1=^ Search: ω$' '@3=^Ωmega +Αθήνα ' '@4=^$'
tm_keys m Escape
companies m '@3=^Acme GmbH ' '@8=^Ωmega '

# s: the other orders; m: only mine (root manages them all).
tm_keys m s
tm_wait m '@1=^ Companies, by name Z-A$' '@3=^Ωmega ' '@8=^Acme GmbH '
tm_keys m s
tm_wait m '@1=^ Companies, newest first$' '@3=^Ωmega ' '@4=^Zürich Ärzte AG '
tm_keys m s
tm_wait m '@1=^ Companies, oldest first$' '@3=^Acme GmbH ' '@4=^Alpha Beta '
tm_keys m s m
tm_wait m '@1=^ Companies, mine, by name A-Z$' '@3=^Acme GmbH ' '@8=^Ωmega '
tm_keys m m
companies m '@3=^Acme GmbH ' '@8=^Ωmega '

# --- a record and its linked records --------------------------------------------------
tm_keys m Enter
# Letters go to contacts: a company's key line does not offer L.
tm_wait m '@0=^ Company: Acme GmbH *$' '@-1!L letter'
tm_wait m '@0=^ Company: Acme GmbH *$' '@1=^ Name +Acme GmbH$' \
    '^ City +Hamburg$' '^ Country +Germany$' \
    '^ Account manager +root \(ROOT1\)$' \
    '^ Created +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} by root \(ROOT1\)$' \
    '^ Modified +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} by root \(ROOT1\) +↓ 1 more j$' \
    '^ Contacts 1  Notes 1  Events 0  Tasks 0 ' \
    '^Bea Keller +Buyer +bea@acme\.example'
# Tab moves to the contacts pane; Enter opens the contact.
tm_keys m Tab
tm_keys m Enter
tm_wait m '@0=^ Contact: Bea Keller *$' '^ Company +Acme GmbH$' \
    '^ First name +Bea$' '^ Last name +Keller$' \
    '^ Notes 1 '
tm_keys m q
tm_wait m '@0=^ Company: Acme GmbH'
# The next pane: the company's notes; a note opens from there too.
tm_keys m Tab
tm_wait m '^Date +Subject$' '^[0-9]{4}-[0-9]{2}-[0-9]{2} +Met Bea$'
tm_keys m Enter
tm_wait m '@0=^ Note: Met Bea *$' '^ Company +Acme GmbH$' \
    '^ Contact +Bea Keller$'
tm_keys m Escape
tm_wait m '@0=^ Company: Acme GmbH'
tm_keys m q
companies m '@3=^Acme GmbH '

# --- a new record: a validation error, then fixed and saved -----------------------------
tm_keys m n
tm_wait m '@0=^ New company *$' '@2=^ Name \*$' '@3=^ Phone *$' \
    '@4=^ Email *$' '^ Account manager' '@-1=^ F1 help  F2 save  F3 '
# F2 with the required name empty: the message under the name and on the
# last line; nothing saved.
tm_keys m F2
tm_wait m '@2=^ Name \* *$' '@3=^ {19}company name is required' \
    '@-1=^company name is required' '@4=^ Phone *$'
# A bad email: its message beside the email field.
tm_type m "Neue Firma Ä&Ö"
tm_wait m '@2=^ Name \* +Neue Firma Ä&Ö$' '!name is required' '@3=^ Phone *$'
tm_keys m Tab Tab
tm_type m no-email
tm_keys m F2
tm_wait m '@4=^ Email +no-email$' '@5=^ {19}company email' '@-1=^company email'
tm_keys m C-u
tm_type m info@neue.example
tm_wait m '@4=^ Email +info@neue\.example$' '@5=^ Website *$'
# Saved: the new record's screen.
tm_keys m F2
tm_wait m '@0=^ Company: Neue Firma Ä&Ö *$' '@1=^ Name +Neue Firma Ä&Ö$' \
    '^ Email +info@neue\.example$' '@-1=^saved company$' \
    '^ Contacts 0  Notes 0 '
OUT=$(root "$M" list company --where "name=Neue Firma Ä&Ö" --fields name,email,created_by)
expect_eq "$OUT" "$(printf 'name\temail\tcreated_by\nNeue Firma Ä&Ö\tinfo@neue.example\tROOT1')"
tm_keys m q
companies m '@5=^Neue Firma Ä&Ö '

# --- F3: three contacts in a row, the first with its company picked ----------------
tm_keys m 2
tm_wait m '@1=^ Contacts, '
tm_keys m n
tm_wait m '@0=^ New contact *$' '@2=^ Company +\(type a name, or F4 to choose\)$' \
    '@3=^ First name *$' '@4=^ Last name *$'
# A letter in the company opens the picker, searching names with it.
tm_type m a
tm_wait m '@0=^ Choose a company: ' '@1=^ Name: a$' '@3=^Acme GmbH +Hamburg +Germany$' \
    '@4=^Alpha Beta +Berlin$' '@5=^Neue Firma Ä&Ö' '@6=^Zürich Ärzte AG ' \
    '@7=^$'
# The picker's key line offers Enter to choose, not a form's keys.
tm_wait m '@-1=^ F1 help  Enter choose' '@-1!F2 save|save-and-new|F4 choose'
tm_type m c
tm_wait m '@1=^ Name: ac$' '@3=^Acme GmbH ' '@4=^$'
tm_keys m Enter
tm_wait m '@0=^ New contact *$' '@2=^ Company +Acme GmbH$'
tm_type m Ulla
tm_keys m Tab
tm_type m Eins
tm_wait m '@3=^ First name +Ulla$' '@4=^ Last name +Eins$'
tm_keys m F3
tm_wait m '@0=^ New contact \(1 saved with F3\) *$' '@3=^ First name *$' \
    '@4=^ Last name *$' '@-1=^saved contact 1' '@2=^ Company +Acme GmbH$'
tm_keys m Tab
tm_type m Uwe
tm_keys m Tab
tm_type m Zwei
tm_wait m '@3=^ First name +Uwe$' '@4=^ Last name +Zwei$'
tm_keys m F3
tm_wait m '@0=^ New contact \(2 saved with F3\) *$' '@3=^ First name *$'
tm_keys m Tab
tm_type m Úna
tm_keys m Tab
tm_type m Drei
tm_wait m '@3=^ First name +Úna$' '@4=^ Last name +Drei$'
tm_keys m F3
tm_wait m '@0=^ New contact \(3 saved with F3\) *$' '@3=^ First name *$'
# Esc on an untouched form goes back without asking.
tm_keys m Escape
# F3 kept the company the first was given, on the Contacts tab too.
tm_wait m '@1=^ Contacts, ' '^Drei +Úna +Acme GmbH +ROOT1$' \
    '^Eins +Ulla +Acme GmbH +ROOT1$' '^Zwei +Uwe +Acme GmbH +ROOT1$'
OUT=$(root "$M" list contact --fields last_name,first_name,company | sort)
expect_eq "$OUT" "$(printf '%s\n' "Drei	Úna	$ACME" "Eins	Ulla	$ACME" \
    "Keller	Bea	$ACME" "Zwei	Uwe	$ACME" "last_name	first_name	company" \
    "Öztürk	Jörg	$ZURICH" | sort)"

# Esc with changes asks first: n keeps the form, y drops it.
tm_keys m n
tm_wait m '@0=^ New contact *$'
tm_keys m Tab
tm_type m Verworfen
tm_wait m '@3=^ First name +Verworfen$'
tm_keys m Escape
tm_wait m '@-1=^Discard your changes to this contact\? \(y/n\)'
tm_keys m n
tm_wait m '@0=^ New contact *$' '@3=^ First name +Verworfen$' '!Discard'
tm_keys m Escape
tm_wait m '@-1=^Discard your changes to this contact\? \(y/n\)'
tm_keys m y
tm_wait m '@1=^ Contacts, ' '!Verworfen'
root "$M" list contact --where first_name=Verworfen >"$T/out" ||
    fail "crm list contact failed"
expect_eq "$(wc -l <"$T/out")" 1

# --- an edit: one field changed and saved ------------------------------------------------
tm_keys m 1
companies m '@4=^Alpha Beta +Berlin '
tm_keys m j
tm_keys m e
tm_wait m '@0=^ Edit company *$' '@2=^ Name \* +Alpha Beta$' '^ City +Berlin$'
tm_keys m Tab Tab Tab Tab Tab Tab
tm_keys m C-u
tm_type m Köln
tm_wait m '^ City +Köln$'
tm_keys m F2
companies m '@4=^Alpha Beta +Köln +ROOT1$' '@-1=^saved company$'
expect_ok root "$M" get company "$ALPHA"
expect_eq "$(field city)" Köln
expect_eq "$(field name)" "Alpha Beta"

# --- delete: asked first; n keeps it, y deletes it -----------------------------------------
tm_keys m G
companies m '@9=^Ωmega '
# One up from the last: Zuse KG, as the question says.
tm_keys m k
tm_keys m d
tm_wait m '@-1=^Delete company "Zuse KG"\? \(y/n\)'
tm_keys m n
companies m '@-1=^nothing was deleted$' '@8=^Zuse KG '
tm_keys m d
tm_wait m '@-1=^Delete company "Zuse KG"\? \(y/n\)'
tm_keys m y
companies m '@-1=^deleted company "Zuse KG" \(u brings it back\)$' '!Zuse KG +' '@7=^Zürich Ärzte AG ' \
    '@8=^Ωmega ' '@9=^$'
expect_status 1 root "$M" get company "$ZUSE"
expect_ok root "$M" list company --fields name
expect_out_lacks "Zuse KG"
expect_out_contains "Zug Bank"

# --- help: the keys of the screen shown, closed again with ?, q or Esc -----------------
tm_keys m ?
tm_wait m '@0=^ Keys: The main screen' \
    '@2=^  \? F1 +show the keys of this screen$' \
    '^  / +search as you type, inside words too: names' '^  n +new record$' \
    '^  d +delete \(asks first\)$' '^  Tab → l +next tab$' \
    '^  m +only mine' '^  s +sort' '@-2=^ Büro CRM │ MASTER │ root' \
    '@-1=^ \? F1 help  q Esc back$'
# The list's own keys, not the search's that share their actions.
tm_wait m '^  Enter +open the record$' '^  ↑ k +up$' '^  ↓ j +down$' \
    '!keep the search'
# The rest on the next page.
tm_keys m NPage
tm_wait m '@0=^ Keys: The main screen' '^  q +quit$' '!^  n +new record$'
# The main screen's help lists no form keys (next field, F2, F3, F4).
tm_wait m '!^  F2 +save$' '!next field' '!^  F4 '
# End (G) shows the last keys, the search's under a heading of their own,
# the last on the last row; Home (g) the first again.
tm_keys m End
tm_wait m '@0=^ Keys: The main screen' '^ While searching' \
    '^  Enter +keep the search and go back' '^  Esc +clear the search$' \
    '@-3=^  ↑ PgUp +keep the search and move in the list; on an empty'
tm_keys m g
tm_wait m '@2=^  \? F1 +show the keys of this screen$' '!While searching'
tm_keys m G
tm_wait m '@-3=^  ↑ PgUp +keep the search'
tm_keys m Home
tm_wait m '@2=^  \? F1 +show the keys of this screen$'
tm_keys m ?
companies m '@3=^Acme GmbH ' '!Keys:'
tm_keys m F1
tm_wait m '@0=^ Keys: The main screen'
tm_keys m q
companies m '@3=^Acme GmbH ' '!Keys:'
# In a form: its own keys; Esc closes the help, not the form.
tm_keys m n
tm_wait m '@0=^ New company *$'
tm_type m Hilfe
tm_keys m F1
tm_wait m '@0=^ Keys: Editing a record' '^  F2 +save$' \
    '^  F3 +save and start a new one$' '^  Esc +cancel' '!^  n +new record'
tm_keys m Escape
tm_wait m '@0=^ New company *$' '@2=^ Name \* +Hilfe$'

# --- resizing: the layout follows the window ------------------------------------------
tm resize-window -t m -x 80 -y 24
tm_wait m '@0=^ New company *$' '@2=^ Name \* +Hilfe$' \
    '@22=^ Büro CRM │ MASTER │ root \(ROOT1\)$' '@23=^ F1 help  F2 save' \
    '@21!.'
[ "$(wc -l <"$TM_PANE")" -eq 24 ] || fail "the pane is not 24 rows high"
tm resize-window -t m -x 100 -y 30
tm_wait m '@0=^ New company *$' '@2=^ Name \* +Hilfe$' \
    '@28=^ Büro CRM │ MASTER │ root \(ROOT1\)$' '@29=^ F1 help  F2 save' \
    '@22!.' '@23!.'
tm_keys m Escape
tm_wait m '@-1=^Discard your changes to this company\? \(y/n\)'
tm_keys m y
companies m '@3=^Acme GmbH '
# The main screen at 80 columns: shorter tab labels.
tm resize-window -t m -x 80 -y 24
tm_wait m '@0=^1 Companies 2 Contacts 3 Notes 4 Calendar 5 Tasks 6 Opps 7 Campaigns 8 Issues *$' \
    '@1=^ Companies, by name A-Z$' '@2=^Name +City' '@3=^Acme GmbH ' \
    '@22=^ Büro CRM │ MASTER │ root \(ROOT1\)$' '@23=^ \? F1 help  Enter open' \
    '@21!.'
tm resize-window -t m -x 100 -y 30
main_ok m 'root \(ROOT1\)' '@1=^ Companies, by name A-Z$' '@3=^Acme GmbH ' \
    '@28=^ Büro CRM' '@22!.' '@23!.'

# --- q quits: status 0, the terminal as it was ----------------------------------------
tm_keys m q y
expect_eq "$(tm_exit m)" 0
tm_wait m '@0=^crm ended: 0$' '!Companies' '!Büro CRM'
expect_eq "$(tm_format m '#{alternate_on} #{cursor_flag}')" "0 1"
tm_kill m

# --- deleting as a user: refused with the reason (RULES.md S12), or allowed ----------------
# anna works in a small window: 80 x 24, shorter tab labels.
ANNAS=$(as anna Anna-Pass-77 "$M" add company name="Annas Laden") ||
    fail "anna cannot add a company"
tm_start anna 80 24 CRM_PASSWORD=Anna-Pass-77 -- -d "$M" -u anna
tm_wait anna '@0=^1 Companies 2 Contacts 3 Notes 4 Calendar 5 Tasks 6 Opps 7 Campaigns 8 Issues *$' \
    '@1=^ Companies, by name A-Z$' '@3=^Acme GmbH ' '@4=^Alpha Beta ' \
    '@5=^Annas Laden +ANNA1$' '@22=^ Büro CRM │ MASTER │ anna \(ANNA1\)$' \
    '@23=^ \? F1 help  Enter open'
# m: only hers.
tm_keys anna m
tm_wait anna '@1=^ Companies, mine, by name A-Z$' '@3=^Annas Laden ' '@4=^$'
tm_keys anna m
tm_wait anna '@1=^ Companies, by name A-Z$' '@3=^Acme GmbH '
# Acme was made by root: refused at once, with the reason, nothing asked.
tm_keys anna d
tm_wait anna '@22=^you may delete only the company records you created; this one was created' \
    '!\(y/n\)'
# The whole reason shows, down to what to do: a long message takes the
# status line too.
tm_wait anna 'ask an administrator'
tm_keys anna y
tm_wait anna '@3=^Acme GmbH ' '@23=^ \? F1 help  Enter open' '!deleted'
expect_ok root "$M" get company "$ACME"
expect_eq "$(field name)" "Acme GmbH"
# Her own company: asked, then deleted.
tm_keys anna j j
tm_keys anna d
tm_wait anna '@23=^Delete company "Annas Laden"\? \(y/n\)'
tm_keys anna y
tm_wait anna '@23=^deleted company "Annas Laden" \(u brings it back\)$' '!Annas Laden +' \
    '@5=^Neue Firma '
expect_status 1 root "$M" get company "$ANNAS"

# --- Ctrl-C quits cleanly too, from deeper down ------------------------------------------------
tm_keys anna Enter
tm_wait anna '@0=^ Company: Neue Firma Ä&Ö'
tm_keys anna C-c
expect_eq "$(tm_exit anna)" 0
tm_wait anna '@0=^crm ended: 0$' '!Company:' '!Büro CRM'
expect_eq "$(tm_format anna '#{alternate_on} #{cursor_flag}')" "0 1"
tm_kill anna

# --- a local: its changes to sync and its last sync on the status line -------------
L=$T/local
CRM_PASSWORD=Anna-Pass-77 "$CRM" -u anna init --local "$L" --master "$M" \
    >/dev/null || fail "cannot create the local"
tm_start local 100 30 CRM_PASSWORD=Anna-Pass-77 -- -d "$L"
tm_wait local '@1=^ Companies, by name A-Z$' \
    '@3=^  Nothing here yet: n makes a new one\.$' \
    '@-2=^ Büro CRM │ LOCAL │ anna \(ANNA1\) │ 0 changes to sync │ never synced$'
tm_keys local n
tm_wait local '@0=^ New company *$'
tm_type local "Lokal AG"
tm_keys local F2
tm_wait local '@0=^ Company: Lokal AG' '^ Account manager +anna \(ANNA1\)$' \
    '@-2=^ Büro CRM │ LOCAL │ anna \(ANNA1\) │ 1 change to sync │ never synced$'
tm_keys local q
tm_wait local '@3=^Lokal AG +ANNA1$' '@4=^$'
# A sync beside the screens; Ctrl-L reads everything again.
as anna Anna-Pass-77 "$L" sync >/dev/null || fail "the local's sync failed"
tm_keys local C-l
tm_wait local '@3=^Acme GmbH ' '@5=^Lokal AG ' '@9=^Ωmega ' \
    '@-2=^ Büro CRM │ LOCAL │ anna \(ANNA1\) │ 0 changes to sync │ last sync [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$'
expect_ok root "$M" list company --where "name=Lokal AG" --fields name,created_by
expect_eq "$OUT" "$(printf 'name\tcreated_by\nLokal AG\tANNA1')"
tm_keys local q y
expect_eq "$(tm_exit local)" 0
tm_kill local

# --- a master held by another process ---------------------------------------------------------
if python3 -c 'import fcntl' >/dev/null 2>&1; then
	HOLDER=
	# hold_lock: another process holds the master's lock, as a crm
	# working on it would, with the line that says who it is.
	hold_lock() {
		rm -f "$T/held" "$T/release"
		python3 -c '
import fcntl, os, sys, time
f = open(sys.argv[1], "a+")
fcntl.lockf(f, fcntl.LOCK_EX)
f.truncate(0)
f.write("someone on host (pid 1) since 2026-11-25 10:00\n")
f.flush()
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
f.truncate(0)
' "$M/lock" "$T/held" "$T/release" &
		HOLDER=$!
		TM_PIDS="$TM_PIDS $HOLDER"
		_i=0
		while [ ! -e "$T/held" ]; do
			_i=$((_i + 1))
			[ "$_i" -lt 200 ] || fail "the lock holder did not start"
			sleep 0.05
		done
	}
	release_lock() {
		touch "$T/release"
		wait "$HOLDER" || fail "the lock holder failed"
	}
	BUSY='the master is in use by someone on host \(pid 1\) since 2026-11-25 10:00'

	# Held while working on the main screen: said, retried, and the
	# list shows as soon as the master is free again.
	start_root busy
	hold_lock
	tm_keys busy 2
	tm_wait busy "@-1=^$BUSY" '@1=^ Contacts, ' \
	    '@3=^  \(could not be read: see the message below\)$'
	# Still answering keys meanwhile.
	tm_keys busy ?
	tm_wait busy '@0=^ Keys: The main screen'
	tm_keys busy q
	tm_wait busy '@1=^ Contacts, ' "@-1=^$BUSY"
	release_lock
	tm_wait busy '@1=^ Contacts, ' '@3=^Drei +Úna ' '@4=^Eins +Ulla ' \
	    '@-1=^ \? F1 help  Enter open' '!in use by'
	# Held again: q quits at once.
	hold_lock
	tm_keys busy 1
	tm_wait busy "@-1=^$BUSY"
	tm_keys busy q y
	expect_eq "$(tm_exit busy)" 0
	release_lock
	tm_kill busy

	# Held from the start: the login waits, and goes on by itself.
	hold_lock
	tm_start busy2 100 30 CRM_PASSWORD=secret -- -d "$M" -u root
	tm_wait busy2 '@0=^ crm: log in' "@-1=^$BUSY"
	release_lock
	main_ok busy2 'root \(ROOT1\)' '^Acme GmbH '
	tm_keys busy2 q y
	expect_eq "$(tm_exit busy2)" 0
	tm_kill busy2

	# Held from the start: q quits although the login's fields take
	# letters, since nothing can be typed in meanwhile.
	hold_lock
	tm_start busy3 100 30 CRM_PASSWORD=secret -- -d "$M" -u root
	tm_wait busy3 '@0=^ crm: log in' "@-1=^$BUSY"
	tm_keys busy3 q
	tm_wait busy3 '^crm ended: 0$'
	[ -e "$T/exit-busy3" ] || tm_keys busy3 C-c
	tm_wait busy3 '^crm ended: '
	release_lock
	tm_kill busy3
else
	echo "screens.sh: no python3 with fcntl: a busy master is not tested"
fi


# --- the first run and the list of databases ----------------------------------
# A fresh account, no database anywhere: the default one is made here, with
# the user as its administrator; only a password is asked.
F=$S/fresh
mkdir -p "$F/config" "$F/data"
tm_start first 80 24 XDG_CONFIG_HOME="$F/config" XDG_DATA_HOME="$F/data" \
    USER=ulla --
tm_wait first '^  Welcome to crm' "^    $F/data/crm/default\$" \
    '^  Your login +ulla$' '^  Your user ID +ULLA1$'
tm_type first abc
tm_keys first Enter
tm_type first abc
tm_keys first Enter
tm_wait first '^choose a password of at least 4 characters$'
tm_type first pw-ulla
tm_keys first Enter
tm_type first pw-other
tm_keys first Enter
tm_wait first '^the two passwords differ: type them again$'
tm_type first pw-ulla
tm_keys first Enter
tm_type first pw-ulla
tm_keys first Enter
tm_wait first '@-2=^ Default database │ MASTER │ ulla \(ULLA1\)$' \
    '@1=^ Companies, by name A-Z$'
tm_keys first q y
expect_eq "$(tm_exit first)" 0
tm_kill first
CRM_PASSWORD=pw-ulla expect_ok "$CRM" -d "$F/data/crm/default" -u ulla \
    user list
expect_out_contains ULLA1

# The next run opens it; Esc shows the list, where a adds another (a
# directory that is not a database is refused, naming it), Enter opens it
# and r takes it off the list, its files left alone.
tm_start dbs 100 30 XDG_CONFIG_HOME="$F/config" XDG_DATA_HOME="$F/data" \
    USER=ulla --
tm_wait dbs "Database: Default database \\($F/data/crm/default, MASTER\\)" \
    '^  Login +ulla$'
tm_keys dbs Escape
tm_wait dbs '^  Choose a database' '^   Default database '
tm_keys dbs a
tm_wait dbs '^  Add a database to the list'
tm_keys dbs BTab
tm_type dbs 'Das Büro'
tm_keys dbs Tab
tm_type dbs "$S/no-such-db"
tm_keys dbs Enter
# The message (at column 0, unlike the field) names the directory.
tm_wait dbs "@-1=^$S/no-such-db: no such directory"
tm_keys dbs C-u
tm_type dbs "$M"
tm_keys dbs Enter
tm_wait dbs "^added $M\$" '^   Default database ' "^   Das Büro +$M\$"
grep -q 'Das Büro' "$F/config/crm/crm.conf" ||
    fail "the new database is not in the user's crm.conf"
tm_keys dbs j Enter
tm_wait dbs "Database: Büro CRM \\($M, MASTER\\)" '^  Login +ulla$'
tm_keys dbs Escape
tm_wait dbs "^   Das Büro +$M\$"
tm_keys dbs j r
tm_wait dbs '^Remove "Das Büro" from the list\? Its files stay in '
tm_keys dbs y
tm_wait dbs "^removed $M from the list\$" "!^   Das Büro"
grep -q 'Das Büro' "$F/config/crm/crm.conf" &&
    fail "the removed database is still in the user's crm.conf"
[ -f "$M/crm.conf" ] || fail "removing it from the list touched its files"
tm_keys dbs q y
expect_eq "$(tm_exit dbs)" 0
tm_kill dbs

# More databases than the screen has rows: the list moves as every list
# does, the selection always in sight (80x24 shows 18 of them).
mkdir -p "$S/many/config/crm" "$S/many/data"
{
	printf 'databases = (\n'
	for n in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 \
	    20 21 22 23 24 25; do
		printf '  { name = "Db %s"; dir = "%s/many/db%s"; }%s\n' \
		    "$n" "$S" "$n" "$([ "$n" = 25 ] || echo ,)"
	done
	printf ');\n'
} >"$S/many/config/crm/crm.conf"
tm_start many 80 24 XDG_CONFIG_HOME="$S/many/config" \
    XDG_DATA_HOME="$S/many/data" USER=ulla --
tm_wait many '^  Choose a database' '@4=^   Db 01 ' '@21=^   Db 18 '
tm_keys many End
tm_wait many '@4=^   Db 08 ' '@21=^   Db 25 '
tm_keys many Home
tm_wait many '@4=^   Db 01 ' '@21=^   Db 18 '
tm_keys many j j
tm_keys many NPage
tm_wait many '@4=^   Db 04 ' '@21=^   Db 21 '
tm_keys many q
expect_eq "$(tm_exit many)" 0
tm_kill many

finish
