#!/usr/bin/env bash
# bench/soak.sh: five locals edit, delete, attach and synchronize against
# one master for a long time, with syncs and sync services killed at
# random, then check that nothing was lost (issue 11, RULES.md B3, B5).
#
#   make soak                      (30 minutes)
#   CRM=/abs/crm bash bench/soak.sh [--seconds N] [--seed N] [--keep]
#
# CRM           the crm program (default: ../crm beside this directory)
# BENCH_TMPDIR  scratch space; the run works in BENCH_TMPDIR/soak.* and
#               removes it at the end unless the run failed or --keep
# SOAK_SECONDS  how long the locals work (default 1800), or --seconds
# SOAK_SEED     the seed of the random choices (default: from the clock,
#               printed first), or --seed
#
# The master has the administrator root; the locals belong to carl (an
# administrator), anna and dora (plain users who may change account
# managers) and ben and eve (remote,
# restricted: each account manager of some of the companies, and seeing
# only those). Each local is a process of its own that, until the time is
# up, picks at random: change a field of a company, contact or note; add
# one; delete one it may delete (S12); attach a file (S13); hand a company
# to another account manager (S16, plain users and carl only); or sync.
# A sync goes through the sync service (sync.ssh_command is tests/ssh-pipe.sh,
# which runs crm serve here, as sshd would) or, one in five, attaches the
# master's directory; some syncs are killed with SIGKILL after a random
# delay, and some have their crm serve killed instead.
#
# Every value written is a token of its own (L<local>-<seq>Z). At the end
# every local syncs until nothing moves, "crm sync --verify" must be clean
# for each, and each token that some local wrote is accounted for:
#   current     it is the master's value of that field;
#   logged      it is in a conflict log (a local's or the master's) as the
#               value lost or refused, or in a whole-record entry;
#   superseded  someone overwrote or deleted it having seen it (the old
#               value at the time of the write, or the record read before
#               its deletion), or the same local wrote that field again
#               before its next successful sync;
#   deleted     its record is no longer on the master and it was not seen
#               (a deletion that crossed an edit: counted, not lost);
#   lost        none of these: a bug.
# The seed replays the same choices in each local; the interleaving of the
# five processes, and so the conflicts, depends on the machine's timing.
#
# Exit status: 0 nothing lost and every local converged; 3 values lost or a
# local that did not converge (the scratch directory is kept); 1 the soak
# could not run.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

die() {
	echo "soak: $*" >&2
	exit 1
}

SECONDS_WANTED=${SOAK_SECONDS:-1800}
SEED=${SOAK_SEED:-}
KEEP=0
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) [ $# -ge 2 ] || die "--seconds needs a number"; SECONDS_WANTED=$2; shift 2 ;;
	--seed) [ $# -ge 2 ] || die "--seed needs a number"; SEED=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-h | --help) sed -n '2,/^if /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done
case $SECONDS_WANTED in ''|*[!0-9]*) die "the duration must be a number of seconds, not '$SECONDS_WANTED'" ;; esac
[ -n "$SEED" ] || SEED=$(( $(date +%s) % 1000000 ))
case $SEED in *[!0-9]*) die "the seed must be a number, not '$SEED'" ;; esac

CRM=${CRM:-$here/../crm}
[ -x "$CRM" ] || die "no crm program at $CRM: build it, or set CRM"
CRM=$(cd "$(dirname "$CRM")" && pwd)/$(basename "$CRM")
root_tmp=${BENCH_TMPDIR:-${TMPDIR:-/tmp}/crm-bench}
mkdir -p "$root_tmp" || die "cannot create $root_tmp"
W=$(mktemp -d "$root_tmp/soak.XXXXXX")
W=$(cd "$W" && pwd)

# Nothing of the person running it leaks in.
export XDG_CONFIG_HOME="$W/xdg" XDG_DATA_HOME="$W/data" CRM_SYSCONF="$W/none.conf"
unset CRM_USER CRM_PASSWORD CRM_NEW_PASSWORD
exec </dev/null

echo "soak: seed $SEED, $SECONDS_WANTED s, crm $CRM, in $W"

M=$W/master
mkdir -p "$XDG_CONFIG_HOME/crm" "$W/files" "$W/pids"
printf 'sync = {\n  ssh_command = "%s/../tests/ssh-pipe.sh";\n  remote_crm = "%s";\n};\n' \
    "$here" "$CRM" >"$XDG_CONFIG_HOME/crm/crm.conf"

root() {
	CRM_PASSWORD=secret "$CRM" -d "$M" -u root "$@"
}

# The locals: index, login, ID, password, kind (admin, user, restricted).
LOGINS=(carl anna dora ben eve)
UIDS=(CARL1 ANNA1 DORA1 BEN01 EVE01)
KINDS=(admin user user restricted restricted)

CRM_PASSWORD=secret "$CRM" init --master "$M" --admin root --admin-id ROOT1 \
    >/dev/null || die "cannot create the master"
for i in 0 1 2 3 4; do
	case ${KINDS[$i]} in
	admin) opt=(--type admin) ;;
	user) opt=(--may-change-manager) ;;
	restricted) opt=(--type remote --restricted) ;;
	esac
	CRM_NEW_PASSWORD=pw-${LOGINS[$i]} root user add "${LOGINS[$i]}" \
	    --id "${UIDS[$i]}" "${opt[@]}" >/dev/null || die "cannot add ${LOGINS[$i]}"
done
# The restricted users may attach too: some syncs of every local attach.
root config set sync.restricted_attach true >/dev/null ||
    die "cannot set sync.restricted_attach"

# 25 companies, five for each account manager, each with two contacts
# and a note; two campaigns.
for n in $(seq 0 24); do
	c=$(root add company name="Seed$n" city="Town$n" account_manager="${UIDS[$((n % 5))]}") ||
	    die "cannot add a company"
	root add contact company="$c" first_name="First$n" last_name="Last$n" >/dev/null &&
	root add contact company="$c" first_name="Second$n" last_name="Last$n" >/dev/null &&
	root add note company="$c" subject="Note$n" text="Text$n" >/dev/null ||
	    die "cannot add a contact or note"
done
root add campaign name=Winter start=2026-12-01 end=2026-12-31 >/dev/null &&
root add campaign name=Spring start=2027-03-01 end=2027-03-31 >/dev/null ||
    die "cannot add a campaign"

SERVICE="soakhost:$M"
for i in 0 1 2 3 4; do
	L=$W/local-${LOGINS[$i]}
	CRM_PASSWORD=pw-${LOGINS[$i]} "$CRM" -u "${LOGINS[$i]}" init --local "$L" \
	    --master "$SERVICE" >/dev/null || die "cannot make the local of ${LOGINS[$i]}"
	CRM_PASSWORD=pw-${LOGINS[$i]} "$CRM" -d "$L" sync >/dev/null ||
	    die "the first sync of ${LOGINS[$i]} failed"
done

# ---- one local's work ------------------------------------------------------
#
# Its journal ($W/journal-LOGIN) has one line per fact, tab-separated:
#   W epoch type id field token old time
#                                     a value written (old: the value it
#                                     replaced in the local)
#   S epoch status kind               a sync and how it ended
#   D type id token...                a deletion and the tokens it saw
#   A docid token                     an attachment's file holds token
# epoch counts the local's successful syncs.

FIELDS_company="name city website"
FIELDS_contact="first_name last_name"
FIELDS_note="subject text"

worker() {
	local i=$1 login=${LOGINS[$1]} uid=${UIDS[$1]} kind=${KINDS[$1]}
	local L=$W/local-$login J=$W/journal-$login LOG=$W/sync-$login.log
	local epoch=0 seq=0 end=$(( $(date +%s) + SECONDS_WANTED ))
	local transport=service
	local r type fields field row id old tok t2 rc pid spid delay how pf
	local want where
	local -a fa
	# a failed command is a refusal to count, not the end of the local
	set +e
	RANDOM=$(( SEED * 10 + i ))
	export CRM_PASSWORD=pw-$login
	: >"$J"
	c() { "$CRM" -d "$L" "$@"; }
	# (not in a $(...): the count must survive)
	token() { seq=$((seq + 1)); printf -v TOK 'L%d-%06dZ' "$i" "$seq"; }
	pick_type() {
		r=$((RANDOM % 10))
		if [ $r -lt 4 ]; then type=company; elif [ $r -lt 7 ]; then type=contact; else type=note; fi
	}
	# rows of "list TYPE --fields F" in the local, header removed
	list() { c list "$1" --fields "$2" 2>/dev/null | tail -n +2; }
	pick_row() {	# a random line of stdin, or nothing
		awk -v r="$RANDOM" '{ l[NR] = $0 } END { if (NR) print l[r % NR + 1] }'
	}
	while [ "$(date +%s)" -lt "$end" ]; do
		r=$((RANDOM % 100))
		if [ $r -lt 40 ]; then
			# change one field of a record, knowing what it replaces
			pick_type
			eval "fields=\$FIELDS_$type"
			read -ra fa <<<"$fields"
			field=${fa[$((RANDOM % ${#fa[@]}))]}
			# half the time one of the oldest, for conflicts
			if [ $((RANDOM % 2)) -eq 0 ]; then
				row=$(list "$type" "id,$field" | head -n 6 | pick_row)
			else
				row=$(list "$type" "id,$field" | pick_row)
			fi
			[ -n "$row" ] || continue
			id=${row%%	*}
			old=${row#*	}
			token; tok=$TOK
			if c set "$type" "$id" "$field=$tok" >/dev/null 2>>"$W/errors-$login"; then
				printf 'W\t%d\t%s\t%s\t%s\t%s\t%s\t%(%T)T\n' "$epoch" "$type" "$id" "$field" "$tok" "$old" -1 >>"$J"
				echo edit >>"$W/count-$login"
			fi
		elif [ $r -lt 50 ]; then
			# a new record
			pick_type
			token; tok=$TOK
			token; t2=$TOK
			case $type in
			company)
				if [ "$kind" = restricted ]; then
					fields="account_manager=$uid"
				else
					fields="account_manager=${UIDS[$((RANDOM % 5))]}"
				fi
				id=$(c add company name="$tok" city="$t2" "$fields" 2>>"$W/errors-$login") || continue
				set -- name city ;;
			contact|note)
				row=$(list company id | pick_row)
				[ -n "$row" ] || continue
				if [ $type = contact ]; then
					id=$(c add contact company="$row" first_name="$tok" last_name="$t2" 2>>"$W/errors-$login") || continue
					set -- first_name last_name
				else
					id=$(c add note company="$row" subject="$tok" text="$t2" 2>>"$W/errors-$login") || continue
					set -- subject text
				fi ;;
			esac
			printf 'W\t%d\t%s\t%s\t%s\t%s\t\t%(%T)T\n' "$epoch" "$type" "$id" "$1" "$tok" -1 >>"$J"
			printf 'W\t%d\t%s\t%s\t%s\t%s\t\t%(%T)T\n' "$epoch" "$type" "$id" "$2" "$t2" -1 >>"$J"
			echo add >>"$W/count-$login"
		elif [ $r -lt 58 ]; then
			# delete a record this user may delete (S12): an
			# administrator any, the others what they created
			pick_type
			[ $type = company ] && [ $((RANDOM % 2)) -eq 0 ] && type=note
			if [ "$kind" = admin ]; then
				row=$(list "$type" id | pick_row)
			else
				row=$(list "$type" id,created_by | awk -F '\t' -v u="$uid" '$2 == u { print $1 }' | pick_row)
			fi
			[ -n "$row" ] || continue
			id=${row%%	*}
			old=$(c get "$type" "$id" 2>/dev/null | sed -n 's/^[a-z_]*=\(L[0-9]-[0-9]*Z\)$/\1/p' | tr '\n' '\t')
			if c delete "$type" "$id" >/dev/null 2>>"$W/errors-$login"; then
				printf 'D\t%s\t%s\t%s\n' "$type" "$id" "$old" >>"$J"
				echo delete >>"$W/count-$login"
			fi
		elif [ $r -lt 66 ]; then
			# attach a file whose content and description are tokens
			pick_type
			row=$(list "$type" id | pick_row)
			[ -n "$row" ] || continue
			token; tok=$TOK
			printf '%s\n' "$tok" >"$W/files/$tok.txt"
			if id=$(c attach "$type" "$row" "$W/files/$tok.txt" --description "$tok" 2>>"$W/errors-$login"); then
				printf 'W\t%d\tdocument\t%s\tdescription\t%s\t\t%(%T)T\n' "$epoch" "$id" "$tok" -1 >>"$J"
				printf 'A\t%s\t%s\n' "$id" "$tok" >>"$J"
				echo attach >>"$W/count-$login"
			fi
		elif [ $r -lt 70 ] && [ "$kind" != restricted ]; then
			# hand a company to another account manager (S16)
			row=$(list company id | pick_row)
			[ -n "$row" ] || continue
			if c set company "$row" account_manager="${UIDS[$((RANDOM % 5))]}" >/dev/null 2>>"$W/errors-$login"; then
				echo reassign >>"$W/count-$login"
			fi
		elif [ $r -ge 70 ]; then
			# sync: through the service or, one in five, attached;
			# one in four killed, or its crm serve killed
			r=$((RANDOM % 100))
			if [ $r -lt 20 ]; then want=attach; else want=service; fi
			if [ "$want" != "$transport" ]; then
				if [ $want = attach ]; then where=$M; else where=$SERVICE; fi
				if c config set db.master "$where" >/dev/null 2>>"$W/errors-$login"; then
					transport=$want
				fi
			fi
			r=$((RANDOM % 100))
			if [ $r -lt 15 ]; then how=kill-sync
			elif [ $r -lt 25 ] && [ "$transport" = service ]; then how=kill-serve
			else how=plain; fi
			delay=$((RANDOM % 900))
			pf=$W/pids/serve-$login
			rm -f "$pf"
			echo "== $(date +%T) epoch $epoch $transport $how $delay ms" >>"$LOG"
			# crm itself in the background, not a function's
			# subshell: $! must be the sync that is killed
			SSH_PIPE_PIDFILE=$pf "$CRM" -d "$L" sync >>"$LOG" 2>&1 &
			pid=$!
			if [ $how != plain ]; then
				sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
				if [ $how = kill-sync ]; then
					kill -KILL "$pid" 2>/dev/null
				else
					spid=$(cat "$pf" 2>/dev/null || :)
					if [ -n "$spid" ] && grep -qa serve "/proc/$spid/cmdline" 2>/dev/null &&
					    kill -KILL "$spid" 2>/dev/null; then
						echo serve-killed >>"$W/count-$login"
					fi
				fi
			fi
			rc=0
			# (bash's "Killed" notice is not wanted)
			{ wait "$pid"; } 2>/dev/null || rc=$?
			echo "== status $rc" >>"$LOG"
			# (one that had ended before the signal is not counted)
			[ $rc -ne 137 ] || echo sync-killed >>"$W/count-$login"
			echo sync >>"$W/count-$login"
			printf 'S\t%d\t%d\t%s\n' "$epoch" "$rc" "$how" >>"$J"
			if [ $rc -eq 0 ]; then
				epoch=$((epoch + 1))
				echo sync-ok >>"$W/count-$login"
			fi
		fi
	done
	# back to the service for the final syncs
	[ "$transport" = service ] || c config set db.master "$SERVICE" >/dev/null 2>>"$W/errors-$login" ||
	    echo "soak: $login cannot go back to the service" >&2
}

pids=()
for i in 0 1 2 3 4; do
	: >"$W/count-${LOGINS[$i]}"
	worker "$i" &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || die "a local's process failed (status $?); see $W"
done

# ---- the end: sync until nothing moves, then verify ------------------------

final_sync() {	# login: one sync, retried while the master is busy
	local login=$1 n
	for n in 1 2 3 4 5; do
		if CRM_PASSWORD=pw-$login "$CRM" -d "$W/local-$login" sync \
		    >>"$W/sync-$login.log" 2>&1; then
			return 0
		fi
		sleep 1
	done
	return 1
}
final_failed=0
for round in 1 2 3; do
	for i in 0 1 2 3 4; do
		echo "== final round $round" >>"$W/sync-${LOGINS[$i]}.log"
		final_sync "${LOGINS[$i]}" || final_failed=$((final_failed + 1))
	done
done
converged=0
for i in 0 1 2 3 4; do
	login=${LOGINS[$i]}
	if CRM_PASSWORD=pw-$login "$CRM" -d "$W/local-$login" sync --verify \
	    >"$W/verify-$login" 2>&1; then
		converged=$((converged + 1))
	else
		echo "soak: the local of $login differs from the master:" >&2
		head -n 20 "$W/verify-$login" >&2
	fi
done

# ---- what the master holds, and every conflict log ---------------------------

for type in company contact note; do
	eval "fields=\$FIELDS_$type"
	root list "$type" --fields "id,${fields// /,}" | tail -n +2 |
	    awk -F '\t' -v t="$type" -v f="$fields" '
		BEGIN { n = split(f, name, " ") }
		{ print "R\t" t "\t" $1; for (k = 1; k <= n; k++) print "V\t" t "\t" $1 "\t" name[k] "\t" $(k + 1) }'
done >"$W/master.state"
root list document --fields id,description | tail -n +2 |
    awk -F '\t' '{ print "R\tdocument\t" $1; print "V\tdocument\t" $1 "\tdescription\t" $2 }' \
    >>"$W/master.state"

: >"$W/conflicts"
conflict_rows=0
for who in root "${LOGINS[@]}"; do
	if [ $who = root ]; then
		cl() { root "$@"; }
	else
		cl() { CRM_PASSWORD=pw-$who "$CRM" -d "$W/local-$who" "$@"; }
	fi
	cl conflicts >"$W/conflicts-$who" || die "cannot list the conflicts of $who"
	n=$(tail -n +2 "$W/conflicts-$who" | wc -l)
	conflict_rows=$((conflict_rows + n))
	# the value lost or refused of each entry; a whole record's entry
	# (field "*") shows the record's fields
	tail -n +2 "$W/conflicts-$who" | awk -F '\t' '{ print "C\t" $7 }' >>"$W/conflicts"
	tail -n +2 "$W/conflicts-$who" | awk -F '\t' '$5 == "*" { print $1 }' |
	while read -r cid; do
		cl conflicts show "$cid" | sed -n 's/^[a-z_]*=/C\t/p'
	done >>"$W/conflicts"
	tail -n +2 "$W/conflicts-$who" | awk -F '\t' '{ print "K\t" $6 }' >>"$W/conflicts"
done

# Attached files: the master's copy holds its token.
bad_files=0
while IFS='	' read -r _ docid tok; do
	[ -f "$M/documents/$docid" ] || continue	# its document was deleted
	grep -qx "$tok" "$M/documents/$docid" || {
		echo "soak: the master's file of document $docid does not hold $tok" >&2
		bad_files=$((bad_files + 1))
	}
done < <(cat "$W"/journal-* | grep '^A	')

# ---- every token accounted for -------------------------------------------

for i in 0 1 2 3 4; do
	awk -v l="${LOGINS[$i]}" '{ print l "\t" $0 }' "$W/journal-${LOGINS[$i]}"
done >"$W/journal"
awk -F '\t' '
	FILENAME ~ /master.state$/ {
		if ($1 == "R") rec[$2 SUBSEP $3] = 1
		else cur[$2 SUBSEP $3 SUBSEP $4] = $5
		next
	}
	FILENAME ~ /conflicts$/ {
		if ($1 == "C") logged[$2] = 1; else kept[$2] = 1
		next
	}
	# the journal: login, then the journal line
	$2 == "W" {
		n++
		who[n] = $1; ep[n] = $3; ty[n] = $4; id[n] = $5; fd[n] = $6; tk[n] = $7
		if ($8 != "") seen[$8] = 1
		last[$1 SUBSEP $3 SUBSEP $4 SUBSEP $5 SUBSEP $6] = n
	}
	$2 == "D" { for (k = 5; k <= NF; k++) if ($k != "") seen[$k] = 1 }
	END {
		for (k = 1; k <= n; k++) {
			t = tk[k]
			if (cur[ty[k] SUBSEP id[k] SUBSEP fd[k]] == t) current++
			else if (t in logged) logged_n++
			else if (t in seen || last[who[k] SUBSEP ep[k] SUBSEP ty[k] SUBSEP id[k] SUBSEP fd[k]] != k) superseded++
			else if (!((ty[k] SUBSEP id[k]) in rec)) deleted++
			else {
				lost++
				printf "LOST\t%s\t%s %s %s %s (epoch %s)%s; master has \"%s\"\n", t, who[k], ty[k], id[k], fd[k], ep[k],
				    (t in kept) ? ", shown as kept in a conflict" : "", cur[ty[k] SUBSEP id[k] SUBSEP fd[k]] > "/dev/stderr"
			}
		}
		printf "%d %d %d %d %d %d\n", n, current, logged_n, superseded, deleted, lost
	}' "$W/master.state" "$W/conflicts" "$W/journal" >"$W/tally" 2>"$W/lost"
read -r written current logged superseded deleted lost <"$W/tally"
head -n 20 "$W/lost" >&2

cnt() { cat "$W"/count-* | grep -cx "$1" || :; }
refused=$(cat "$W"/sync-*.log | grep -c '^Refused' || :)
leftover=0
for p in /proc/[0-9]*; do
	case $( { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) in
	*"serve $M"*) leftover=$((leftover + 1)) ;;
	esac
done

printf '\nsoak summary (seed %s, %s s)\n' "$SEED" "$SECONDS_WANTED"
printf '  %-34s %s\n' \
    "syncs run" "$(cnt sync) ($(cnt sync-ok) successful)" \
    "syncs killed (SIGKILL)" "$(cnt sync-killed)" \
    "servers killed (crm serve, SIGKILL)" "$(cnt serve-killed)" \
    "edits" "$(cnt edit)" \
    "records added" "$(cnt add)" \
    "deletions" "$(cnt delete)" \
    "attachments" "$(cnt attach)" \
    "reassignments" "$(cnt reassign)" \
    "refusals reported by syncs" "$refused" \
    "conflicts logged" "$conflict_rows" \
    "values written" "$written" \
    "  current on the master" "$current" \
    "  in a conflict log" "$logged" \
    "  superseded knowingly" "$superseded" \
    "  on deleted records" "$deleted" \
    "values lost (goal 0)" "$lost" \
    "attached files wrong on the master" "$bad_files" \
    "final syncs that failed" "$final_failed" \
    "crm serve left running" "$leftover" \
    "locals converged" "$converged of 5"

if [ "$lost" -ne 0 ] || [ "$converged" -ne 5 ] || [ "$bad_files" -ne 0 ] || [ "$leftover" -ne 0 ]; then
	echo "soak: FAIL: kept $W (journals, sync logs, conflict logs; replay with --seed $SEED)" >&2
	exit 3
fi
if [ "$KEEP" -eq 1 ]; then
	echo "soak: kept $W"
else
	rm -rf "$W"
fi
