#!/bin/sh
# The calendar agenda (a day, a week), x on tasks and overdue tasks, and the
# opportunities pipeline, driven through tmux with "today" fixed by faketime
# at Wednesday 25 November 2026, 10:00 (UTC).
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
. "$TESTS_SRCDIR/tmux.sh"

if ! command -v faketime >/dev/null 2>&1; then
	echo "screens-cal.sh: no faketime: the agenda needs a fixed today"
	exit 77
fi

# Short paths under /tmp: they show on the status line. tm_cleanup removes it.
S=$(mktemp -d /tmp/crm-cal.XXXXXX) || fail "cannot make a directory under /tmp"
TM_EXTRA=$S

M=$S/m
make_master "$M"
add_user "$M" anna ANNA1 Anna-Pass-77 --type user
add() {
	root "$M" add "$@" || fail "cannot add $*"
}
ACME=$(add company name="Acme GmbH" city=Hamburg)
add event subject="Quarterly review" start=2026-11-25T09:00 \
    end=2026-11-25T10:00 company="$ACME" location=Hamburg >/dev/null
add event subject="Demo day" start=2026-11-25T09:30 end=2026-11-25T11:00 \
    assigned_to=ANNA1 >/dev/null
add event subject="Trade fair" start=2026-11-24 end=2026-11-26 >/dev/null
add event subject="Early call" start=2026-11-25T06:30 \
    end=2026-11-25T07:00 >/dev/null
add event subject="Dinner" start=2026-11-25T21:00 end=2026-11-25T23:00 \
    >/dev/null
add event subject="Visit Zürich" start=2026-11-26T14:00 \
    end=2026-11-26T15:30 >/dev/null
add event subject="Monday meeting" start=2026-11-23T08:00 >/dev/null
add event subject="December visit" start=2026-12-01T10:00 >/dev/null
OLD=$(add task subject="Old done" due=2026-11-01 status=done)
LATE=$(add task subject="Send offer" due=2026-11-20 company="$ACME")
add task subject="Call back" due=2026-11-30 >/dev/null
ALPHA=$(add opportunity name="Alpha deal" amount=1000 stage=prospect \
    close_date=2026-12-01 company="$ACME")
add opportunity name="Beta deal" amount=2000.50 stage=prospect \
    close_date=2026-12-10 >/dev/null
add opportunity name="Cedar deal" amount=50000 stage=proposal >/dev/null
add opportunity name="Delta deal" amount=7000 stage=won >/dev/null
add opportunity name="Epsilon deal" amount=300 stage=lost >/dev/null

# crm at the fixed "today", in UTC: a wrapper tm_start runs in place of crm.
REAL_CRM=$CRM
FT=$S/crm-today
printf '#!/bin/sh\nexec faketime "2026-11-25 10:00:00" %s "$@"\n' \
    "$(tm_quote "$REAL_CRM")" >"$FT"
chmod 700 "$FT"
# cal_start NAME COLS ROWS LOGIN PASSWORD [ENV=VALUE...]: logged in, main.
cal_start() {
	_cn=$1 _cc=$2 _cr=$3 _cl=$4 _cp=$5
	shift 5
	CRM=$FT
	tm_start "$_cn" "$_cc" "$_cr" TZ=UTC CRM_PASSWORD="$_cp" "$@" -- \
	    -d "$M" -u "$_cl"
	CRM=$REAL_CRM
	tm_wait "$_cn" '^ ?1 Companies'
}

# --- the day: today's events at their times ------------------------------------
cal_start d 100 30 root secret
tm_keys d 4
tm_wait d '@1=^ Calendar, by start'
tm_keys d v
tm_wait d '@0=^ Calendar: Wednesday 25 November 2026 \(today\) *$' \
    '@1=^ Day, everyone.s events: 5 events *$' \
    '@2=^ +│ all day +Trade fair \(Tue 24 Nov – Thu 26 Nov\) *$' \
    '@3=^ 06:00 │ 06:30–07:00 +Early call *$' \
    '@4=^ 07:00 │ *$' '@5=^ 08:00 │ *$' \
    '@6=^ 09:00 │ 09:00–10:00 +Quarterly review +Acme GmbH · Hamburg *$' \
    '@7=^ +│ 09:30–11:00 +Demo day +\(ANNA1\) *$' \
    '@8=^>10:00 │ \(busy: Demo day\) *$' \
    '@18=^ 20:00 │ *$' '@19=^ 21:00 │ 21:00–23:00 +Dinner *$' \
    '!Visit Zürich|Monday meeting' \
    '@-1=^ \? F1 help  Enter open  w week  \[ \] day  t today  n new'
# Enter opens the event under the cursor: up from 10:00 is Demo day.
tm_keys d k
tm_keys d Enter
tm_wait d '@0=^ Event: Demo day *$' '^ Start +2026-11-25 09:30$'
tm_keys d q
tm_wait d '@0=^ Calendar: Wednesday 25 November'
# Enter on an empty hour says so.
tm_keys d j j
tm_keys d Enter
tm_wait d '@-1=^no event at 11:00: n makes one'

# --- next and previous day, today ---------------------------------------------------
tm_keys d ']'
tm_wait d '@0=^ Calendar: Thursday 26 November 2026 \(tomorrow\) *$' \
    '@1=^ Day, everyone.s events: 2 events' \
    '@2=^ +│ all day +Trade fair ' '^ 14:00 │ 14:00–15:30 +Visit Zürich *$' \
    '^ 15:00 │ \(busy: Visit Zürich\)' '!Quarterly review'
tm_keys d '[' Left
tm_wait d '@0=^ Calendar: Tuesday 24 November 2026 \(yesterday\) *$' \
    '@2=^ +│ all day +Trade fair ' '!Quarterly review|Visit Zürich'
tm_keys d Left
tm_wait d '@0=^ Calendar: Monday 23 November 2026 *$' \
    '^ 08:00 │ 08:00 +Monday meeting *$' '@1=^ Day, everyone.s events: 1 event *$'
tm_keys d t
tm_wait d '@0=^ Calendar: Wednesday 25 November 2026 \(today\)' \
    '@6=^ 09:00 │ 09:00–10:00 +Quarterly review'
tm_keys d Right
tm_wait d '@0=^ Calendar: Thursday 26 November 2026'
tm_keys d t

# --- n at a slot: a new event prefilled with that time --------------------------------
tm_wait d '@0=^ Calendar: Wednesday 25 November 2026 \(today\)'
tm_keys d n
tm_wait d '@0=^ New event *$' '^ Start \* +2026-11-25 10:00 *$' \
    '^ End +2026-11-25 11:00 *$' '^ Assigned to +ROOT1'
tm_keys d Tab Tab
tm_type d "Lunch with Bea"
tm_keys d F2
tm_wait d '@0=^ Event: Lunch with Bea *$' '^ Start +2026-11-25 10:00$' \
    '^ End +2026-11-25 11:00$'
tm_keys d q
tm_wait d '@0=^ Calendar: Wednesday 25 November 2026' \
    '@1=^ Day, everyone.s events: 6 events' \
    '@8=^>10:00 │ 10:00–11:00 +Lunch with Bea +\(also: Demo day\)$'
OUT=$(root "$M" list event --where "subject=Lunch with Bea" --fields start,end)
expect_eq "$OUT" "$(printf 'start\tend\n2026-11-25T10:00\t2026-11-25T11:00')"
# n on an all-day line makes an all-day event (a date, no time).
tm_keys d g n
tm_wait d '@0=^ New event *$' '^ Start \* +2026-11-25 *$' '^ End *$'
# Untouched, the prefilled form goes without a question...
tm_keys d Escape
tm_wait d '@0=^ Calendar: Wednesday 25 November 2026' '!Discard'
# ... and once typed in, Esc asks first.
tm_keys d g n
tm_wait d '@0=^ New event *$' '^ Start \* +2026-11-25 *$'
tm_keys d Tab Tab
tm_type d "Fair"
tm_keys d Escape
tm_wait d '@-1=^Discard your changes to this event\? \(y/n\)'
tm_keys d y
tm_wait d '@0=^ Calendar: Wednesday 25 November 2026'

# --- the week: Monday first, each day with its events ------------------------------------
tm_keys d w
tm_wait d '@-1=\[ \] week' '@-1!\[ \] day'
tm_wait d '@0=^ Calendar: week 48, Monday 23 November – Sunday 29 November 2026 \(this week\) *$' \
    '@1=^ Week, everyone.s events: 8 events' \
    '@2=^Monday 23 November 2026 *$' '@3=^    08:00 +Monday meeting *$' \
    '@4=^Tuesday 24 November 2026 *$' '@5=^    all day +Trade fair ' \
    '@6=^Wednesday 25 November 2026 \(today\) *$' '@7=^    all day +Trade fair ' \
    '@8=^    06:30–07:00 +Early call' '@9=^    09:00–10:00 +Quarterly review' \
    '@10=^    09:30–11:00 +Demo day' '@11=^    10:00–11:00 +Lunch with Bea' \
    '@12=^    21:00–23:00 +Dinner' '@13=^Thursday 26 November 2026 *$' \
    '@14=^    all day +Trade fair' '@15=^    14:00–15:30 +Visit Zürich' \
    '@16=^Friday 27 November 2026 *$' '@17=^    nothing planned *$' \
    '^Saturday 28 November 2026 *$' '^Sunday 29 November 2026 *$' \
    '!December visit'
# ] is a week in the week.
tm_keys d ']'
tm_wait d '@0=^ Calendar: week 49, Monday 30 November – Sunday 6 December 2026 *$' \
    '^Tuesday 1 December 2026 *$' '^    10:00 +December visit *$' \
    '!Trade fair'
tm_keys d '['
tm_wait d '@0=^ Calendar: week 48,'
# Enter on a day's heading shows that day's hours.
tm_keys d g Enter
tm_wait d '@0=^ Calendar: Monday 23 November 2026 *$' \
    '^ 08:00 │ 08:00 +Monday meeting'
tm_keys d w
tm_wait d '@0=^ Calendar: week 48,'
tm_keys d w t
tm_wait d '@0=^ Calendar: Wednesday 25 November 2026 \(today\)'
# m: only mine (root's), and back.
tm_keys d m
tm_wait d '@1=^ Day, my events: 5 events' '!Demo day'
tm_keys d m
tm_wait d '@1=^ Day, everyone.s events: 6 events' '^ +│ 09:30–11:00 +Demo day'
tm_keys d q
tm_wait d '@1=^ Calendar, by start'
# v elsewhere says where it works.
tm_keys d 1 v
tm_wait d '@-1=^v works on the Calendar tab \(agenda\) and the Opportunities tab \(pipeline\)$'
tm_keys d q y
expect_eq "$(tm_exit d)" 0
tm_kill d

# --- tasks: sorted by due date, overdue marked, x toggles done ----------------------------
# Without colour the mark must still be read.
cal_start t 100 30 root secret NO_COLOR=1
tm_keys t 5
tm_wait t '@1=^ Tasks, by due date$' '@2=^Due +Subject +Status' \
    '@3=^2026-11-01 +Old done +done ' '@4=^2026-11-20 +! Send offer +open ' \
    '@5=^2026-11-30 +Call back +open '
tm_keys t j x
tm_wait t '@-1=^task "Send offer" is done' '@4=^2026-11-20 +Send offer +done '
expect_ok root "$M" get task "$LATE"
expect_eq "$(field status)" done
tm_keys t x
tm_wait t '@-1=^task "Send offer" is open again' \
    '@4=^2026-11-20 +! Send offer +open '
expect_ok root "$M" get task "$LATE"
expect_eq "$(field status)" open
# On the task's own screen too.
tm_keys t Enter
tm_wait t '@0=^ Task: Send offer *$' '^ Status +open$'
tm_keys t x
tm_wait t '^ Status +done$' '@-1=^task "Send offer" is done'
expect_ok root "$M" get task "$LATE"
expect_eq "$(field status)" done
tm_keys t q
tm_wait t '@4=^2026-11-20 +Send offer +done '
# And in a company's Tasks pane: the overdue mark, and x there.
tm_keys t x
tm_wait t '@4=^2026-11-20 +! Send offer +open '
tm_keys t 1 Enter
tm_wait t '@0=^ Company: Acme GmbH'
tm_keys t Tab Tab Tab Tab
tm_wait t '^Due +Subject +Status' '^2026-11-20 +! Send offer +open'
tm_keys t x
tm_wait t '^2026-11-20 +Send offer +done' '@-1=^task "Send offer" is done'
tm_keys t x
tm_wait t '^2026-11-20 +! Send offer +open'
# x on what is not a task says so.
tm_keys t BTab BTab BTab BTab x
tm_wait t '@-1=^x marks a task done: this is not a task'
tm_keys t q
# The done task's status is open again, and the old one never changed.
expect_ok root "$M" get task "$LATE"
expect_eq "$(field status)" open
expect_ok root "$M" get task "$OLD"
expect_eq "$(field status)" done
tm_keys t q y
expect_eq "$(tm_exit t)" 0
tm_kill t

# --- the pipeline: counts and totals per stage, > and < -----------------------------------
cal_start p 100 30 root secret
tm_keys p 6 v
tm_wait p '@0=^ Pipeline: 5 opportunities, 3 open worth 53,000.50 *$' \
    '@2=^   Stage +Count +Total *$' \
    '@3=^ > Prospect +2 +3,000.50 *$' '@4=^   Qualified +0 +0.00 *$' \
    '@5=^   Proposal +1 +50,000.00 *$' '@6=^   Negotiation +0 +0.00 *$' \
    '@7=^   Won +1 +7,000.00  \(closed\) *$' \
    '@8=^   Lost +1 +300.00  \(closed\) *$' \
    '@9=^   Open stages +3 +53,000.50 *$' \
    '@10=^ Prospect: 1 of 2 *$' '@11=^Name +Company +Amount +Closing +Manager *$' \
    '@12=^Alpha deal +Acme GmbH +1,000.00 2026-12-01 ROOT1 *$' \
    '@13=^Beta deal +2,000.50 2026-12-10 ROOT1 *$' \
    '@-1=^ \? F1 help  Enter open  ← → stages  > next-stage  < previous-stage'
tm_keys p '>'
tm_wait p '@-1=^"Alpha deal" moved from Prospect to Qualified$' \
    '@3=^ > Prospect +1 +2,000.50 *$' '@4=^   Qualified +1 +1,000.00 *$' \
    '@9=^   Open stages +3 +53,000.50 *$' '@12=^Beta deal '
expect_ok root "$M" get opportunity "$ALPHA"
expect_eq "$(field stage)" qualified
tm_keys p Right
tm_wait p '@4=^ > Qualified +1 ' '@10=^ Qualified: 1 of 1' '@12=^Alpha deal '
tm_keys p '<'
tm_wait p '@-1=^"Alpha deal" moved from Qualified to Prospect$' \
    '@3=^   Prospect +2 +3,000.50 *$' '@10=^ Qualified: none' \
    '^  No opportunity is at this stage\.'
expect_ok root "$M" get opportunity "$ALPHA"
expect_eq "$(field stage)" prospect
# < on an empty stage, < on the first stage: said, nothing changes.
tm_keys p '<'
tm_wait p '@-1=^no opportunity is selected: this stage is empty'
tm_keys p Left '<'
tm_wait p '@-1=^"Beta deal" is at the first stage already'
# Won to negotiation and back; Enter opens it.
tm_keys p Left Left
tm_wait p '@7=^ > Won +1 ' '@12=^Delta deal '
tm_keys p Enter
tm_wait p '@0=^ Opportunity: Delta deal *$' '^ Stage +won$'
tm_keys p q
tm_wait p '@0=^ Pipeline: '
# Won is closed: > does not make it lost.
tm_keys p '>'
tm_wait p '@-1=^"Delta deal" is closed \(Won\): < opens it again$' \
    '@7=^ > Won +1 +7,000.00  \(closed\) *$' '@8=^   Lost +1 +300.00 '
tm_keys p '<'
tm_wait p '@-1=^"Delta deal" moved from Won to Negotiation$' \
    '@0=^ Pipeline: 5 opportunities, 4 open worth 60,000.50' \
    '@9=^   Open stages +4 +60,000.50'
tm_keys p q
tm_wait p '@1=^ Opportunities, '
tm_keys p q y
expect_eq "$(tm_exit p)" 0
tm_kill p

# --- another user: anna's own, and the rights on deleting ---------------------------
# 80 x 24: the pipeline's table and list still fit.
cal_start a 80 24 anna Anna-Pass-77
tm_keys a 6 v
tm_wait a '@0=^ Pipeline: 5 opportunities' '@9=^   Open stages' \
    '@11=^Name +Company +Amount +Closing *$' '@12=^Alpha deal +Acme GmbH +1,000.00 2026-12-01 *$'
tm_keys a m
tm_wait a '@0=^ Pipeline: 0 opportunities, 0 open worth 0.00' \
    '@1=^ My opportunities'
tm_keys a q 4 v
tm_wait a '@0=^ Calendar: Wednesday 25 November 2026 \(today\)' \
    '@6=^ 09:00 │ 09:00–10:00 +Quarterly review +Acme GmbH · Hamburg \(ROOT'
# Deleting root's event is refused with the reason; nothing is deleted.
tm_keys a k k d
tm_wait a '@-1=^you may delete only the events assigned to you; this one is assigned to ROOT1'
tm_wait a '@6=^ 09:00 │ 09:00–10:00 +Quarterly review'
tm_keys a m
tm_wait a '@1=^ Day, my events: 1 event' '^ 09:00 │ 09:30–11:00 +Demo day *$'
tm_keys a q q y
expect_eq "$(tm_exit a)" 0
tm_kill a

# --- a stage longer than the screen: it moves as every list does ---------------------
# 80 x 24 shows 10 of a stage's rows: a page is 10, the selection stays
# in sight, and every move stops at the stage's first and last.
for n in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do
	add opportunity name="Q$n deal" stage=qualified close_date=2027-01-$n \
	    >/dev/null
done
cal_start q 80 24 root secret
tm_keys q 6 v
tm_wait q '@0=^ Pipeline: 25 opportunities'
tm_keys q Right
tm_wait q '@10=^ Qualified: 1 of 20 *$' '@12=^Q01 deal ' '@21=^Q10 deal '
tm_keys q Up
tm_wait q '@10=^ Qualified: 1 of 20 *$' '@12=^Q01 deal '
tm_keys q Down
tm_wait q '@10=^ Qualified: 2 of 20 *$'
tm_keys q NPage
tm_wait q '@10=^ Qualified: 12 of 20 *$' '@12=^Q03 deal ' '@21=^Q12 deal '
tm_keys q NPage
tm_wait q '@10=^ Qualified: 20 of 20 *$' '@21=^Q20 deal '
tm_keys q Down NPage
tm_wait q '@10=^ Qualified: 20 of 20 *$' '@12=^Q11 deal ' '@21=^Q20 deal '
tm_keys q PPage
tm_wait q '@10=^ Qualified: 10 of 20 *$' '@12=^Q10 deal '
tm_keys q Home
tm_wait q '@10=^ Qualified: 1 of 20 *$' '@12=^Q01 deal '
tm_keys q End
tm_wait q '@10=^ Qualified: 20 of 20 *$' '@21=^Q20 deal '
tm_keys q q q y
expect_eq "$(tm_exit q)" 0
tm_kill q

finish
