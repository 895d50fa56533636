#!/bin/sh
# The settings screen (O) and the users screens (U, or u in the settings),
# driven through tmux: a master's settings as an administrator and as a
# plain user, a local's master location (a wrong one refused, the right
# one saved), and adding, changing and setting the passwords of users.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/tmux.sh"

# Paths show on the screens: short ones, under /tmp (tm_cleanup removes it).
S=$(mktemp -d /tmp/crm-adm.XXXXXX) || fail "cannot make a directory under /tmp"
TM_EXTRA=$S

M=$S/master
CRM_PASSWORD=secret "$CRM" init --master "$M" --admin root --admin-id ROOT1 \
    --name "Büro CRM" >/dev/null || fail "cannot create the master"
add_user "$M" anna ANNA1 Anna-Pass-77 --type user --name "Anna Berg"
root "$M" add company name="Acme GmbH" >/dev/null || fail "cannot add a company"

start() {
	tm_start "$1" "$2" "$3" CRM_PASSWORD="$5" -- -d "$6" -u "$4"
	tm_wait "$1" '@1=^ Companies, by name A-Z$'
}

# --- a master's settings, as its administrator -------------------------------------
start set 80 24 root secret "$M"
tm_keys set O
tm_wait set '@0=^ Settings *$' '@2=^  This is a MASTER database' \
    '^  Name +Büro CRM$' "^  Directory +$M\$" \
    '^  You +root \(ROOT1\), administrator$' \
    '^  Update window +0$' '^ +days: a local not synced for longer loses' \
    '^  Sync granularity +field$' "^ +field: both sides' changes" \
    'e changes the settings, u manages the users, q goes back\.' \
    '@-1=^ \? F1 help  e Enter edit  u users  q Esc back'
tm_keys set e
tm_wait set '@0=^ Settings: editing' '@-1=F2 save' \
    'F2 saves, Esc cancels'
# A window that is not a number: refused, named, nothing written.
tm_keys set C-u
tm_type set abc
tm_keys set F2
tm_wait set '@-1=^sync\.update_window_days must be a whole number of 0 or more, not "abc"' \
    '@0=^ Settings: editing'
expect_ok root "$M" config get sync.update_window_days
expect_eq "$OUT" 0
tm_keys set C-u
tm_type set 30
tm_keys set Tab
tm_wait set '^  Sync granularity +‹ field ›'
tm_keys set Space
tm_wait set '^  Sync granularity +‹ record ›'
tm_keys set Right
tm_wait set '^  Sync granularity +‹ field ›'
tm_keys set Left
tm_wait set '^  Sync granularity +‹ record ›'
tm_keys set F2
tm_wait set '@-1=^saved: update window 30 days, granularity record' \
    '@0=^ Settings *$' '^  Update window +30$' '^  Sync granularity +record$'
expect_ok root "$M" config get sync.update_window_days
expect_eq "$OUT" 30
expect_ok root "$M" config get sync.granularity
expect_eq "$OUT" record
[ "$(mode "$M/crm.conf")" = 600 ] || fail "crm.conf is not 0600 after a save"
# Esc while editing asks before losing a change; n keeps it.
tm_keys set e
tm_keys set C-u
tm_type set 7
tm_keys set Escape
tm_wait set '@-1=^Discard your changes to the settings\? \(y/n\)'
tm_keys set n
tm_wait set '@0=^ Settings: editing' '^  Update window +7'
tm_keys set Escape
tm_wait set '@-1=^Discard your changes'
tm_keys set y
tm_wait set '@0=^ Settings *$' '^  Update window +30$'
expect_ok root "$M" config get sync.update_window_days
expect_eq "$OUT" 30
# Back to the main screen.
tm_keys set q
tm_wait set '@1=^ Companies, by name A-Z$'
tm_keys set q y
expect_eq "$(tm_exit set)" 0
tm_kill set


# --- a master's settings, as a plain user: shown, with the reason, not editable -----
start plain 100 30 anna Anna-Pass-77 "$M"
tm_keys plain O
tm_wait plain '@2=^  This is a MASTER database' '^  You +anna \(ANNA1\), user$' \
    '^  Update window +30$' '^  Sync granularity +record$' \
    "^  only an administrator may change the master's settings; anna is a user\$" \
    'u shows the users \(administrators\), q goes back\.'
tm_keys plain e
tm_wait plain "@-1=^only an administrator may change the master's settings; anna is a user" \
    '@0=^ Settings *$'
# Typing does not change anything either.
tm_type plain 5
tm_keys plain F2
tm_wait plain '@0=^ Settings *$' '^  Update window +30$'
expect_ok root "$M" config get sync.update_window_days
expect_eq "$OUT" 30
# Nor may a plain user see or manage the users: from the settings or U.
tm_keys plain u
tm_wait plain '@-1=^only an administrator may do this; anna is a user' \
    '@0=^ Settings *$'
tm_keys plain q
tm_wait plain '@1=^ Companies, by name A-Z$'
tm_keys plain U
tm_wait plain '@-1=^only an administrator may do this; anna is a user' \
    '@1=^ Companies, by name A-Z$'
tm_keys plain q y
expect_eq "$(tm_exit plain)" 0
tm_kill plain

# --- a local: the master's location, checked before it is saved -----------------------
L=$S/local
CRM_PASSWORD=Anna-Pass-77 "$CRM" -u anna init --local "$L" --master "$M" \
    >/dev/null || fail "cannot create the local"
as anna Anna-Pass-77 "$L" sync >/dev/null || fail "the first sync failed"
as anna Anna-Pass-77 "$L" add company name="Lokal AG" >/dev/null ||
    fail "cannot add a company in the local"
# Another master, and the same master under a second path (a link, as a
# mount point would be).
O=$S/other
CRM_PASSWORD=secret "$CRM" init --master "$O" --admin root --admin-id ROOT1 \
    >/dev/null || fail "cannot create the other master"
ln -s "$M" "$S/mnt"
mkdir "$S/empty"
echo "not a database" >"$S/empty/notes.txt"
cp "$L/crm.conf" "$T/local.conf"

tm_start loc 100 30 CRM_PASSWORD=Anna-Pass-77 -- -d "$L"
tm_wait loc '@1=^ Companies, by name A-Z$'
tm_keys loc O
tm_wait loc '@2=^  This is a LOCAL database' "^  Directory +$L\$" \
    '^  You +anna \(ANNA1\), user$' "^  Master +$M\$" \
    "^ +HOST:/PATH for the sync service, or the master's directory" \
    '^  Changes waiting +1$' '^  Last sync +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}$' \
    "^  Update window +30 days, granularity record \\(the master's settings\\)" \
    '^  Users are managed on the master' \
    "e changes the master's location, q goes back\\." \
    '@-2=│ LOCAL │ anna \(ANNA1\) │ 1 change to sync'
# A path with nothing there.
tm_keys loc e
tm_wait loc '@0=^ Settings: editing'
tm_keys loc C-u
tm_type loc "$S/nowhere"
tm_keys loc F2
tm_wait loc "cannot reach the master $S/nowhere: check that it is mounted" \
    '@0=^ Settings: editing'
cmp -s "$T/local.conf" "$L/crm.conf" || fail "a refused master location changed crm.conf"
# A directory that is no database.
tm_keys loc C-u
tm_type loc "$S/empty"
tm_keys loc F2
tm_wait loc "$S/empty is not a master database \\(it has no crm\\.conf\\)" \
    '@0=^ Settings: editing'
# A local, not a master.
tm_keys loc C-u
tm_type loc "$L"
tm_keys loc F2
tm_wait loc "$L is not a master database \\(local\\)"
# Another master: not the one this local was made from.
tm_keys loc C-u
tm_type loc "$O"
tm_keys loc F2
tm_wait loc "$O is not the master this local was made from"
cmp -s "$T/local.conf" "$L/crm.conf" || fail "a refused master location changed crm.conf"
expect_ok as anna Anna-Pass-77 "$L" config get db.master
expect_eq "$OUT" "$M"
# Esc keeps the old value.
tm_keys loc Escape
tm_wait loc '@-1=^Discard your changes'
tm_keys loc y
tm_wait loc '@0=^ Settings *$' "^  Master +$M\$"
# The same master by another path: saved, and sync goes on working.
tm_keys loc e
tm_keys loc C-u
tm_type loc "$S/mnt"
tm_keys loc F2
tm_wait loc "@-1=^saved: the master is $M\$" '@0=^ Settings *$' \
    "^  Master +$M\$"
rm "$S/mnt"
mkdir "$S/mnt2"
ln -s "$M" "$S/mnt2/m"
tm_keys loc e
tm_keys loc C-u
tm_type loc "$S/mnt2/../mnt2/m"
tm_keys loc F2
tm_wait loc "@-1=^saved: the master is $M\$"
expect_ok as anna Anna-Pass-77 "$L" config get db.master
expect_eq "$OUT" "$M"
[ "$(mode "$L/crm.conf")" = 600 ] || fail "the local's crm.conf is not 0600"
# Users are not managed in a local, whoever asks.
tm_keys loc u
tm_wait loc '^users are managed on the master, not in a local'
tm_keys loc q
tm_wait loc '@1=^ Companies, by name A-Z$'
tm_keys loc q y
expect_eq "$(tm_exit loc)" 0
tm_kill loc
expect_ok as anna Anna-Pass-77 "$L" sync
# The CLI refuses a wrong master the same way, and a local's sync settings.
expect_fail as anna Anna-Pass-77 "$L" config set db.master "$O"
expect_err_contains "is not the master"
expect_fail as anna Anna-Pass-77 "$L" config set sync.update_window_days 3
expect_err_contains "change it on the master"
expect_fail root "$M" config set db.master "$M"
expect_err_contains "is a master"

# --- users: the list, a new user, a change, a new password --------------------------------
start usr 100 30 root secret "$M"
tm_keys usr O
tm_wait usr '@0=^ Settings *$'
tm_keys usr u
tm_wait usr '@0=^ Users of Büro CRM' \
    '@2=^Login +User ID  Full name +Type +Restrict\. +Sets mgr$' \
    '@3=^anna {9}ANNA1 {4}Anna Berg +user +no +no$' \
    '@4=^root +ROOT1 +root +admin +no +yes$' '@5=^$' \
    '@-1=n new  e edit  p password  q Esc back'
# A new user; the two passwords must agree.
tm_keys usr n
tm_wait usr '@0=^ New user *$' '^ Login *$' '^ +letters, digits and \. _ - @$' \
    '^ User ID *$' '^ Type +‹ user ›$' '^ Restricted +‹ no ›$' \
    '^ May change manager +‹ no ›$' '^ Password *$' '^ Password again *$' \
    'F2 saves, Esc cancels'
tm_type usr bert
tm_keys usr Tab
tm_type usr BERT1
tm_keys usr Tab
tm_type usr "Bert Möller"
tm_keys usr Tab Tab Tab
tm_keys usr Space
tm_wait usr '^ May change manager +‹ yes ›$'
tm_keys usr Tab
tm_type usr Bert-Pass-1
tm_wait usr '^ Password +\*{8}$'
tm_keys usr Tab
tm_type usr Bert-Pass-2
tm_keys usr F2
tm_wait usr '@-1=^the two passwords differ: type them again$' \
    '^ Password *$' '^ Password again *$' '^ Login +bert$'
expect_ok root "$M" user list
expect_out_lacks bert
# The same rules as crm user add: a restricted user must be remote.
tm_keys usr Up Up
tm_keys usr Space
tm_wait usr '^ Restricted +‹ yes ›$'
tm_keys usr Down Down
tm_type usr Bert-Pass-1
tm_keys usr Tab
tm_type usr Bert-Pass-1
tm_keys usr F2
tm_wait usr '@-1=^only a remote user can be restricted: make bert.s type remote'
tm_keys usr Up Up Up
tm_keys usr Space
tm_wait usr '^ Restricted +‹ no ›$'
# The passwords stay typed after a refusal for another reason.
tm_keys usr F2
tm_wait usr '@-1=^added the user bert$' '@0=^ Users of Büro CRM' \
    '@4=^bert +BERT1 +Bert Möller +user +no +yes$'
expect_ok root "$M" user list
expect_out_contains "$(printf 'bert\tBERT1\tBert Möller\tuser\tno\tyes')"
expect_ok as bert Bert-Pass-1 "$M" list company
expect_out_contains "Acme GmbH"
# A login that is taken.
tm_keys usr n
tm_type usr anna
tm_keys usr Tab
tm_type usr ANNA2
tm_keys usr Tab Tab Tab Tab Tab
tm_type usr Some-Pass-1
tm_keys usr Tab
tm_type usr Some-Pass-1
tm_keys usr F2
tm_wait usr '@-1=^the login anna is taken \(user ID ANNA1\)' '@0=^ New user'
tm_keys usr Escape
tm_wait usr '@-1=^Discard what you typed\? \(y/n\)'
tm_keys usr y
tm_wait usr '@0=^ Users of Büro CRM' '@6=^$'
# The only administrator stays one.
tm_keys usr End
tm_wait usr '@5=^root '
tm_keys usr e
tm_wait usr '@0=^ Edit user' '^ Login +root$' '^ User ID +ROOT1$' \
    '^ Type +‹ admin ›$' '!^ Password'
tm_keys usr Tab
tm_keys usr Space
tm_wait usr '^ Type +‹ user ›$'
tm_keys usr F2
tm_wait usr '@-1=^root is the only administrator: make another user an administrator first'
tm_keys usr Escape y
tm_wait usr '@0=^ Users of Büro CRM'
# Edit bert's type and name.
tm_keys usr Up
tm_keys usr e
tm_wait usr '@0=^ Edit user' '^ Login +bert$' '^ Full name +Bert Möller$'
tm_keys usr C-u
tm_type usr "Bert M."
tm_keys usr Tab
tm_keys usr Left
tm_wait usr '^ Type +‹ admin ›$'
tm_keys usr F2
tm_wait usr '@-1=^saved the user bert$' '@4=^bert +BERT1 +Bert M\. +admin +no +yes$'
expect_ok root "$M" user list
expect_out_contains "$(printf 'bert\tBERT1\tBert M.\tadmin\tno\tyes')"
# Now bert may add users (an administrator).
CRM_NEW_PASSWORD=Cleo-Pass-1 expect_ok as bert Bert-Pass-1 "$M" user add cleo \
    --id CLEO1
# A new password for bert: typed twice, hidden; the old one is refused.
tm_keys usr p
tm_wait usr '@0=^ New password' '^ Login +bert$' '^ Name +Bert M\.$' \
    '^ New password *$' '^ Password again *$'
tm_type usr Bert-New-1
tm_keys usr Tab
tm_type usr Bert-New-2
tm_keys usr F2
tm_wait usr '@-1=^the two passwords differ: type them again$'
expect_ok as bert Bert-Pass-1 "$M" list company
tm_type usr abc
tm_keys usr Tab
tm_type usr abc
tm_keys usr F2
tm_wait usr '@-1=^the password for bert is too short: use at least 4 characters'
tm_keys usr C-u
tm_type usr Bert-New-1
tm_keys usr BTab C-u
tm_type usr Bert-New-1
tm_wait usr '^ New password +\*{8}$' '^ Password again +\*{8}$' '!Bert-New'
tm_keys usr F2
tm_wait usr '@-1=^set a new password for bert$' '@0=^ Users of Büro CRM'
expect_fail as bert Bert-Pass-1 "$M" list company
expect_err_contains "wrong login or password"
expect_ok as bert Bert-New-1 "$M" list company
# The users screen straight from the main screen, and back.
tm_keys usr q
tm_wait usr '@0=^ Settings *$'
tm_keys usr q
tm_wait usr '@1=^ Companies, by name A-Z$'
tm_keys usr U
tm_wait usr '@0=^ Users of Büro CRM' '@5=^cleo +CLEO1 '
tm_keys usr q
tm_wait usr '@1=^ Companies, by name A-Z$'
tm_keys usr q y
expect_eq "$(tm_exit usr)" 0
tm_kill usr

# At 80x24 the new user's form fits, every row and the keys; without
# colour; and the settings follow a resize.
tm_start small 80 24 CRM_PASSWORD=secret NO_COLOR=1 -- -d "$M" -u root
tm_wait small '@1=^ Companies, by name A-Z$'
tm_keys small U n
tm_wait small '@0=^ New user' '^ Password again' 'F2 saves, Esc cancels' \
    '@-1=F2 save'
tm_keys small Escape
tm_wait small '@0=^ Users of Büro CRM'
tm_keys small q O
tm_wait small '@0=^ Settings *$' '^  Update window +30$'
tm resize-window -t small -x 100 -y 30 2>/dev/null ||
    tm resize-pane -t small -x 100 -y 30
tm_wait small '@0=^ Settings *$' '^  Sync granularity +record$' \
    '@-2=^ Büro CRM │ MASTER │ root \(ROOT1\) *$'
tm_keys small '?'
tm_wait small '@0=^ Keys: Settings of this database' '^  e Enter +change the settings'
tm_keys small q q q y
expect_eq "$(tm_exit small)" 0
tm_kill small

finish
