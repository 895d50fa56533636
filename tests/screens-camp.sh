#!/bin/sh
# The campaign screen, driven through tmux: a campaign's fields, counts and
# targets; adding companies and contacts through the search (duplicates
# refused); recording responses with today's date; the filter; removing;
# opening a campaign from a target; and what a restricted user sees, on
# another user's local and on their own restricted local after a sync.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/tmux.sh"

# Short paths under /tmp (they show on screens); tm_cleanup removes it.
S=$(mktemp -d /tmp/crm-camp.XXXXXX) || fail "cannot make a directory under /tmp"
TM_EXTRA=$S

M=$S/master
make_master "$M"
add_user "$M" anna ANNA1 annapw --name "Anna Plain"
add_user "$M" ben BEN01 benpw1 --type remote --restricted --name "Ben Remote"

add() {
	root "$M" add "$@" || fail "cannot add $*"
}
ACME=$(add company name="Acme GmbH" city=Hamburg account_manager=ANNA1)
BENCO=$(add company name=BenCo city=Brest account_manager=BEN01)
ZETA=$(add company name="Zeta AG" city=Zug account_manager=ANNA1)
add company name="Zeta Bank" city=Zug account_manager=ROOT1 >/dev/null
BEA=$(add contact first_name=Bea last_name=Keller company="$ACME")
BOB=$(add contact first_name=Bob last_name=Bond company="$BENCO")
CA=$(add campaign name=Spring start=2026-03-01 end=2026-03-31 status=active \
    description="Mailing with a follow-up call.
Second line.")
add campaign name=Quiet >/dev/null
add target campaign="$CA" company="$ACME" responded=yes \
    response_date=2026-03-02 >/dev/null
add target campaign="$CA" company="$BENCO" >/dev/null
BOBT=$(add target campaign="$CA" contact="$BOB")

# The CLI already refuses a second target for the same company.
expect_fail root "$M" add target campaign="$CA" company="$ACME"
expect_err_contains 'company "Acme GmbH" is already a target of the campaign "Spring"'
# A contact's target names its company and takes its manager.
expect_ok root "$M" get target "$BOBT"
expect_eq "$(field company)" "$BENCO"
expect_eq "$(field account_manager)" BEN01

# Today is fixed for the screens that record responses.
TODAY=2026-03-05
FAKE=$S/crm-at-today
cat >"$FAKE" <<EOF
#!/bin/sh
exec faketime '$TODAY 10:00:00' '$CRM' "\$@"
EOF
chmod 700 "$FAKE"
REAL=$CRM

# Row 3: the counts and what is shown; row 4 the header of the targets.
header='@4=^Company +Contact +Manager +Responded +Resp\. date *$'

# --- the campaign from the main screen's Campaigns tab ---------------------------
tm_start c 100 30 CRM_PASSWORD=secret -- -d "$M" -u root
tm_wait c '@1=^ Companies, '
tm_keys c 7
tm_wait c '@1=^ Campaigns, ' '@3=^Quiet ' '@4=^Spring +2026-03-01 +2026-03-31 +active'
tm_keys c j Enter
tm_wait c '@0=^ Campaign: Spring *$' \
    '@1=^ Start 2026-03-01   End 2026-03-31   Status active *$' \
    '@2=^ Description Mailing with a follow-up call\. … *$' \
    '@3=^ 3 targets, 1 responded \(33%\) │ showing all *$' "$header" \
    '@5=^Acme GmbH +ANNA1 +yes +2026-03-02 *$' \
    '@6=^BenCo +BEN01 +no *$' \
    '@7=^BenCo +Bob Bond +BEN01 +no *$' '@8=^ *$' \
    '@-1=^ \? F1 help  Enter open  a add-company  A add-contact  r responded'

# --- adding targets: companies, then contacts, several in a row ---------------------
tm_keys c a
tm_wait c '@0=^ Add companies to "Spring": Enter adds, Tab searches contacts, Esc ends' \
    '@1=^ Company name: *$' '@3=^Acme GmbH '
# A space is part of the name typed, not a page down.
tm_type c 'zeta b'
tm_wait c '@1=^ Company name: zeta b$' '@3=^Zeta Bank +Zug +ROOT1' \
    '@4=^ *$'
tm_keys c C-u
tm_type c ze
tm_wait c '@1=^ Company name: ze$' '@3=^Zeta AG +Zug +ANNA1' \
    '@4=^Zeta Bank +Zug +ROOT1' '@5=^ *$'
tm_keys c Enter
tm_wait c '@-1=^added company "Zeta AG" to "Spring" \(1 added here\)$'
# The next one is selected: Enter again adds it.
tm_keys c Enter
tm_wait c '@-1=^added company "Zeta Bank" to "Spring" \(2 added here\)$'
# One already in the campaign is refused, naming it.
tm_keys c C-u
tm_type c acm
tm_wait c '@3=^Acme GmbH ' '@4=^ *$'
tm_keys c Enter
tm_wait c '@-1=^company "Acme GmbH" is already a target of the campaign "Spring"$'
# Nothing found: said.
tm_type c x
tm_wait c '@3=^  Nothing matches "acmx"\.'
tm_keys c Enter
tm_wait c '@-1=^nothing to add: change the name, or Esc$'
# Tab: the same search among contacts, by name.
tm_keys c C-u Tab
tm_wait c '@0=^ Add contacts to "Spring": Enter adds, Tab searches companies' \
    "@1=^ Contact's name: *\$" '@2=^Last name +First name +Company'
tm_type c kel
tm_wait c '@3=^Keller +Bea +Acme GmbH +ANNA1' '@4=^ *$'
tm_keys c Enter
tm_wait c '@-1=^added contact "Bea Keller" to "Spring" \(3 added here\)$'
tm_keys c Enter
tm_wait c '@-1=^contact "Bea Keller" is already a target of the campaign "Spring"$'
tm_keys c Escape
tm_wait c '@0=^ Campaign: Spring' \
    '@3=^ 6 targets, 1 responded \(17%\) │ showing all *$' \
    '@8=^Zeta AG +ANNA1 +no *$' '@9=^Zeta Bank +ROOT1 +no *$' \
    '@10=^Acme GmbH +Bea Keller +ANNA1 +no *$'
expect_ok root "$M" list target --where campaign="$CA" --fields company
expect_eq "$(rows)" 6
# ? lists the campaign's keys; a resize lays it out again.
tm_keys c ?
tm_wait c '@0=^ Keys: A campaign and its targets' \
    '^ +a +add companies as targets: search them by name' \
    '^ +r +mark the target responded today, or not responded \(asks\)' \
    '^ +f +show all targets, the respondents, those not yet responded'
tm_keys c q
tm_wait c '@0=^ Campaign: Spring'
tm resize-window -t c -x 80 -y 24
tm_wait c '@3=^ 6 targets, 1 responded \(17%\) │ showing all *$' \
    '@4=^Company +Contact +Manager +Responded +Resp\. date *$' \
    '@10=^Acme GmbH +Bea Keller +ANNA1 +no *$' '@22=│ MASTER │'
tm resize-window -t c -x 100 -y 30
tm_wait c '@28=│ MASTER │' '@10=^Acme GmbH +Bea Keller +ANNA1 +no *$'

tm_keys c q
tm_wait c '@1=^ Campaigns, '
tm_keys c q y
expect_eq "$(tm_exit c)" 0
tm_kill c

# --- r: responded today; again: back to not responded, after asking ------------------
# (Today is faked only here: records added earlier than their IDs' order
# would sort out of the order they were added in.)
CRM=$FAKE
tm_start c 100 30 CRM_PASSWORD=secret -- -d "$M" -u root
CRM=$REAL
tm_wait c '@1=^ Companies, '
tm_keys c 7 j Enter
tm_wait c '@0=^ Campaign: Spring' '@8=^Zeta AG +ANNA1 +no *$'
tm_keys c j j j
tm_keys c r
tm_wait c "@-1=^Zeta AG responded on $TODAY\$" \
    '@3=^ 6 targets, 2 responded \(33%\) │ showing all *$' \
    "@8=^Zeta AG +ANNA1 +yes +$TODAY *\$"
ZT=$(root "$M" list target --where company="$ZETA" --fields id | tail -n 1)
expect_ok root "$M" get target "$ZT"
expect_eq "$(field responded)" yes
expect_eq "$(field response_date)" "$TODAY"
tm_keys c r
tm_wait c "@-1=^Mark Zeta AG as not responded, clearing the response date $TODAY\\? \\(y/n\\)"
tm_keys c n
tm_wait c '@-1=^nothing was changed$' "@8=^Zeta AG +ANNA1 +yes +$TODAY"
tm_keys c r
tm_wait c '@-1=^Mark Zeta AG as not responded'
tm_keys c y
tm_wait c '@-1=^Zeta AG: not responded$' '@8=^Zeta AG +ANNA1 +no *$' \
    '@3=^ 6 targets, 1 responded \(17%\)'
expect_ok root "$M" get target "$ZT"
expect_eq "$(field responded)" no
expect_eq "$(field response_date)" ""
tm_keys c r
tm_wait c "@8=^Zeta AG +ANNA1 +yes +$TODAY" '@3=^ 6 targets, 2 responded \(33%\)'

# --- f: the respondents, those not yet responded, all --------------------------------
tm_keys c f
tm_wait c '@3=^ 6 targets, 2 responded \(33%\) │ showing the respondents *$' \
    '@5=^Acme GmbH +ANNA1 +yes' '@6=^Zeta AG +ANNA1 +yes' '@7=^ *$'
tm_keys c f
tm_wait c '@3=.*│ showing those not yet responded *$' \
    '@5=^BenCo +BEN01 +no' '@6=^BenCo +Bob Bond +BEN01 +no' \
    '@7=^Zeta Bank +ROOT1 +no' '@8=^Acme GmbH +Bea Keller' '@9=^ *$'
tm_keys c f
tm_wait c '@3=.*│ showing all *$' '@10=^Acme GmbH +Bea Keller'

# --- d: removing a target, after asking ----------------------------------------------
tm_keys c G
tm_keys c d
tm_wait c '@-1=^Delete target "Bea Keller \(Acme GmbH\)"\? \(y/n\)'
tm_keys c y
tm_wait c '@-1=^deleted target "Bea Keller \(Acme GmbH\)" \(u brings it back\)$' \
    '@3=^ 5 targets, 2 responded \(40%\)' '!Acme GmbH +Bea Keller'

# --- Enter: the target's record, and c back to its campaign; e edits ------------------
tm_keys c g Enter
tm_wait c '@0=^ Target: ' '^ Campaign +Spring$' '^ Company +Acme GmbH$' \
    '^ Responded +yes$' '^ Response date +2026-03-02$'
tm_keys c c
tm_wait c '@0=^ Campaign: Spring' '@3=^ 5 targets'
tm_keys c q
tm_wait c '@0=^ Target: '
tm_keys c q
tm_wait c '@0=^ Campaign: Spring'
tm_keys c e
tm_wait c '@0=^ Edit campaign *$' '^ Name \* +Spring'
tm_keys c Escape
tm_wait c '@0=^ Campaign: Spring'
# i: the campaign's own record, with who made it (S4).
tm_keys c i
tm_wait c '@0=^ Campaign: Spring *$' '^ Created +.* by root \(ROOT1\)$' \
    '^ Targets 5 '
tm_keys c q q
tm_wait c '@1=^ Campaigns, '
# From a company's Targets pane, c opens the campaign of the target.
tm_keys c 1
tm_wait c '@1=^ Companies, ' '@3=^Acme GmbH '
tm_keys c Enter
tm_wait c '@0=^ Company: Acme GmbH' '^ Contacts 1 .* Targets 1 '
tm_keys c c
tm_wait c '@-1=^c opens a target.s campaign: choose a target in the Targets pane first'
tm_keys c Tab Tab Tab Tab Tab Tab Tab
tm_wait c '^Campaign +Company +Contact +Responded' '^Spring +Acme GmbH +yes'
tm_keys c c
tm_wait c '@0=^ Campaign: Spring' '@3=^ 5 targets'
tm_keys c q q
tm_wait c '@1=^ Companies, '
tm_keys c q y
expect_eq "$(tm_exit c)" 0
tm_kill c

# --- an unrestricted local: everything, counted without "your targets" ----------------
# (No local but a restricted user's own holds a restricted user's password,
# and a master refuses them: rights_may_see's cut of a whole data set is
# tested in test-rights, test-model and test-browse.)
LA=$S/la
CRM_PASSWORD=annapw expect_ok "$CRM" -u anna init --local "$LA" --master "$M"
as anna annapw "$LA" sync >/dev/null || fail "anna's sync failed"
tm_start a 100 30 CRM_PASSWORD=annapw -- -d "$LA"
tm_wait a '@1=^ Companies, ' '@-2=LOCAL │ anna \(ANNA1\)'
tm_keys a 7 j Enter
tm_wait a '@0=^ Campaign: Spring' \
    '@3=^ 5 targets, 2 responded \(40%\) │ showing all *$' \
    '@5=^Acme GmbH ' '@9=^Zeta Bank '
tm_keys a a
tm_wait a '@0=^ Add companies' '@3=^Acme GmbH ' '@4=^BenCo ' '@6=^Zeta Bank '
tm_keys a Escape
tm_wait a '@0=^ Campaign: Spring'
tm_keys a q q y
expect_eq "$(tm_exit a)" 0
tm_kill a

# --- a restricted local after crm sync, at 80x24 ---------------------------------------
LB=$S/lb
use_service
CRM_PASSWORD=benpw1 expect_ok "$CRM" -u ben init --local "$LB" --master "$(via "$M")"
as ben benpw1 "$LB" sync >/dev/null || fail "ben's sync failed"
expect_ok as ben benpw1 "$LB" list target
expect_eq "$(rows)" 2
tm_start l 80 24 CRM_PASSWORD=benpw1 -- -d "$LB"
tm_wait l '@1=^ Companies, ' '@-2=LOCAL │ ben \(BEN01\)'
tm_keys l 7
tm_wait l '@1=^ Campaigns, ' '@4=^Spring '
tm_keys l j Enter
tm_wait l '@0=^ Campaign: Spring' \
    '@3=^ 2 targets, 0 responded \(0%\), your targets only │ showing all *$' \
    '@4=^Company +Contact +Manager +Responded +Resp\. date *$' \
    '@5=^BenCo +BEN01 +no *$' '@6=^BenCo +Bob Bond +BEN01 +no *$' '@7=^ *$'
tm_keys l f
tm_wait l '@3=^ 2 targets, 0 responded \(0%\), your targets only │ showing the' \
    '@5=^  No target has responded yet: f shows the others\.'
tm_keys l f f
tm_wait l '@3=.*│ showing all *$' '@5=^BenCo '
tm_keys l a
tm_wait l '@0=^ Add companies' '@3=^BenCo +Brest +BEN01' '@4=^ *$'
tm_keys l Enter
tm_wait l '@-1=^company "BenCo" is already a target of the campaign "Spring"$'
tm_keys l Escape
tm_wait l '@0=^ Campaign: Spring'
CRM=$FAKE
tm_kill l
tm_start l 80 24 CRM_PASSWORD=benpw1 -- -d "$LB"
CRM=$REAL
tm_wait l '@1=^ Companies, '
tm_keys l 7 j Enter
tm_wait l '@0=^ Campaign: Spring' '@5=^BenCo +BEN01 +no'
tm_keys l r
tm_wait l "@-1=^BenCo responded on $TODAY\$" \
    '@3=^ 2 targets, 1 responded \(50%\), your targets only'
# His change goes up with the next sync.
tm_keys l q q y
expect_eq "$(tm_exit l)" 0
tm_kill l
as ben benpw1 "$LB" sync >/dev/null || fail "ben's second sync failed"
BT=$(root "$M" list target --where company="$BENCO" --where contact= --fields id |
    tail -n 1)
expect_ok root "$M" get target "$BT"
expect_eq "$(field responded)" yes
expect_eq "$(field response_date)" "$TODAY"

finish
