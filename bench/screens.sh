#!/usr/bin/env bash
# bench/screens.sh: measure the full-screen application on a large master.
#
#   CRM=/abs/path/crm bash bench/screens.sh     (bench/run calls it before sync)
#
# CRM                  the crm program (default: ../crm beside this directory)
# BENCH_RECORDS        size of the demo master made for the run (default
#                      1000000); unused with BENCH_SCREENS_REUSE
# BENCH_TMPDIR         scratch space; this run works in a fresh
#                      BENCH_TMPDIR/screens.* removed at the end
#                      (default: $TMPDIR/crm-bench)
# BENCH_SCREENS_REUSE  "N:DIR": DIR already holds a demo master of N records
#                      (bench/run passes its own); it is used instead of
#                      making one, and only browsed: no record is edited.
# BENCH_KEEP=1         keep the scratch directory (key logs, screen captures)
# BENCH_SCREENS_KEPT=1 the database (BENCH_SCREENS_REUSE) is an encrypted
#                      local whose key is kept in the login session (crm
#                      unlock): crm starts with no -u and no password, as
#                      its user's screens do then; only the first screen
#                      is measured (bench/search.sh)
# BENCH_SCREENS_FIRST=1 only the first screen is measured
#
# crm runs in tmux (a private server, "tmux -L crmbenchPID", a window of
# 100 x 30, LANG=C.UTF-8) as "crm -d DIR -u demo", the password in
# $CRM_PASSWORD. With CRM_KEYLOG=FILE crm appends a line to FILE for the
# first screen ("first-screen", milliseconds from the start of the
# application to the first full screen painted) and one for each key
# (action, screen, key code, milliseconds to handle the key and paint the
# screen): the figures below are read from it. Each key is sent only once
# crm has logged the one before.
#  1. First screen: 5 starts, each quit with q. The key log's first-screen
#     time (login included: yescrypt, slow on purpose); beside it the wall
#     time from "tmux new-session" to the main screen seen in the pane
#     (tmux capture-pane, polled), a cross-check that includes tmux
#     starting the program and the polling.
#  2. Search: on the Companies tab, "/" then a name prefix typed letter by
#     letter (6 letters of existing company names, 5 different prefixes),
#     Esc between rounds. Each letter narrows the list: a new page read
#     from the name index.
#  3. Page scroll: on the Contacts tab (key 2), PgDn 50 times, then PgUp 50
#     times (back at the top).
#  4. For comparison: cursor down 10 times inside the page, keys that read
#     no record: handling and painting alone, beside which the keys above
#     show what attaching the master and reading cost.
#  5. Peak memory: VmHWM (the kernel's high-water mark of resident memory)
#     of the crm process, read after all of the above, just before q.
#
# Goals: first screen (median of the 5 starts) under 100 ms; search
# keystroke and page scroll (PgDn, PgUp) under 20 ms each, on the median
# (the maximum is shown beside it, and how many keys took longer); peak
# memory under 64 MiB.
#
# Exit status: 0 every goal met, 3 a goal missed (marked FAIL), 1 the
# benchmark could not run (the reason is printed).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

die() {
	echo "bench/screens: $*" >&2
	exit 1
}
say() {
	echo "bench/screens: $*"
}

# Arithmetic on decimal numbers, the median, kill_tree.
. "$here/lib.sh"

# Seconds since the epoch; bash's own clock when it has one (no fork).
now() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		echo "${EPOCHREALTIME/,/.}"
	else
		date +%s.%N
	fi
}
# Statistics of the numbers given as arguments ("n/a" when none).
fmax() { printf '%s\n' "$@" | awk 'NF && (n++ == 0 || $1 > m) { m = $1 } END { if (n) print m; else print "n/a" }'; }
fmin() { printf '%s\n' "$@" | awk 'NF && (n++ == 0 || $1 < m) { m = $1 } END { if (n) print m; else print "n/a" }'; }
# how many of the numbers after the first are at least the first
over() { local lim=$1; shift; printf '%s\n' "$@" | awk -v l="$lim" 'NF && $1 >= l { n++ } END { print n + 0 }'; }

# ---- settings and checks

records=${BENCH_RECORDS:-1000000}
case $records in '' | *[!0-9]* | 0) die "BENCH_RECORDS must be a positive whole number, not '$records'" ;; esac

reuse_dir=''
kept=${BENCH_SCREENS_KEPT:-0}
first_only=${BENCH_SCREENS_FIRST:-$kept}
if [ -n "${BENCH_SCREENS_REUSE:-}" ]; then
	records=${BENCH_SCREENS_REUSE%%:*}
	reuse_dir=${BENCH_SCREENS_REUSE#*:}
	case $records in '' | *[!0-9]*) die "BENCH_SCREENS_REUSE must be N:DIR, not '$BENCH_SCREENS_REUSE'" ;; esac
	[ -f "$reuse_dir/crm.conf" ] || die "BENCH_SCREENS_REUSE: $reuse_dir holds no database"
	reuse_dir=$(cd "$reuse_dir" && pwd)
fi

CRM=${CRM:-$here/../crm}
[ -e "$CRM" ] || die "crm not found at $CRM: build it first (make), or set CRM=/path/to/crm"
if [ -d "$CRM" ] || [ ! -x "$CRM" ]; then
	die "$CRM is not an executable program: set CRM=/path/to/crm"
fi
CRM=$(cd "$(dirname "$CRM")" && pwd)/$(basename "$CRM")
export CRM

for tool in tmux awk sort df; do
	command -v "$tool" >/dev/null 2>&1 ||
		case $tool in
		tmux) die "tmux not found: install the Debian package tmux (crm runs in it)" ;;
		*) die "$tool not found" ;;
		esac
done
[ -r /proc/self/status ] || die "/proc is not mounted: peak memory is read from /proc/PID/status"

# ---- scratch space

BENCH_TMPDIR=${BENCH_TMPDIR:-${TMPDIR:-/tmp}/crm-bench}
mkdir -p "$BENCH_TMPDIR" || die "cannot create $BENCH_TMPDIR"
# A run killed outright leaves its screens.* behind: remove those whose
# bench/screens.sh is gone (each records its process ID in screens.*/pid).
for old in "$BENCH_TMPDIR"/screens.*; do
	[ -d "$old" ] || continue
	oldpid=$(cat "$old/pid" 2>/dev/null || true)
	if [ -n "$oldpid" ] && kill -0 "$oldpid" 2>/dev/null; then
		continue
	fi
	say "removing the leftovers of an earlier run: $old"
	rm -rf "$old"
done
work=$(mktemp -d "$BENCH_TMPDIR/screens.XXXXXX") || die "cannot create a directory in $BENCH_TMPDIR"
echo $$ >"$work/pid"

# The private tmux server; its first session only keeps it alive until
# this script ends, however it ends: then it stops the server, and with
# it any crm left running.
sock=crmbench$$
tm() { SHELL=/bin/sh LC_ALL=C.UTF-8 tmux -L "$sock" -f /dev/null "$@"; }
tmux_up=0
sockpath=


child=
cleanup() {
	if [ -n "$child" ]; then
		kill_tree "$child"
		wait "$child" 2>/dev/null || true
	fi
	if [ "$tmux_up" = 1 ]; then
		tm kill-server 2>/dev/null || true
		[ -z "$sockpath" ] || rm -f "$sockpath"
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "kept $work (BENCH_KEEP=1)"
		return
	fi
	rm -rf "$work"
	rmdir "$BENCH_TMPDIR" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

avail_kb=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
if [ -z "$reuse_dir" ]; then
	# A demo takes about 0.6 KB a record on disk: ask for 1 KB.
	need_kb=$records
	if [ -n "$avail_kb" ] && [ "$avail_kb" -lt "$need_kb" ]; then
		die "$BENCH_TMPDIR has $(human $((avail_kb * 1024))) free; a demo of $(count "$records") records needs about $(human $((need_kb * 1024))): free some space, set BENCH_TMPDIR elsewhere or lower BENCH_RECORDS"
	fi
fi

export XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data NO_COLOR=1
export CRM_PASSWORD=demo
unset CRM_USER CRM_KEYLOG TMUX
mkdir -p "$XDG_CONFIG_HOME/crm" "$XDG_DATA_HOME"
chmod 700 "$XDG_CONFIG_HOME" "$XDG_CONFIG_HOME/crm" "$XDG_DATA_HOME"
# q quits at once: the question it asks a person would hold the key log's
# line of q until answered.
printf 'ui = { confirm_quit = false; };\n' >"$XDG_CONFIG_HOME/crm/crm.conf"

echo "crm screens benchmark"
echo "  program:  $CRM"
echo "  scratch:  $work ($(stat -f -c %T "$work" 2>/dev/null || echo unknown), $(human $((${avail_kb:-0} * 1024))) free)"
echo "  terminal: tmux $(tmux -V 2>/dev/null | awk '{ print $2 }'), 100 x 30, LANG=C.UTF-8"
echo

# ---- the master

if [ -n "$reuse_dir" ]; then
	db=$reuse_dir
	say "using the demo master $db ($(count "$records") records)"
else
	db=$work/demo
	say "making a demo master of $(count "$records") records ..."
	t0=$(now)
	"$CRM" demo "$db" --records "$records" >"$work/demo.out" 2>&1 </dev/null &
	child=$!
	rc=0
	wait "$child" || rc=$?
	child=
	[ "$rc" = 0 ] || die "crm demo $db --records $records failed (status $rc): $(tail -n 5 "$work/demo.out")"
	say "  made in $(fsub "$(now)" "$t0") s"
fi

# Prefixes to search for: the first 6 letters of existing company names,
# 5 different ones, read from the start of the list (it is in name order).
set +o pipefail
mapfile -t prefixes < <("$CRM" -d "$db" -u demo list company --fields name 2>"$work/list.err" |
	head -n 200000 | awk 'NR > 1 { p = substr($0, 1, 6)
		if (p ~ /^[A-Za-z][A-Za-z ]*[A-Za-z]$/ && !(p in seen)) {
			seen[p] = 1; print p; if (++n == 5) exit } }')
set -o pipefail
[ "${#prefixes[@]}" -gt 0 ] ||
	die "no company name of 6 plain letters found in 'crm list company': $(head -c 500 "$work/list.err")"
while [ "${#prefixes[@]}" -lt 5 ]; do
	prefixes+=("${prefixes[0]}")
done
# crm, stopped by SIGPIPE there, left the master as if it had died holding
# it: the next attach would run Berkeley DB's recovery, and the first start
# below would pay for it. A command that ends normally does it now.
"$CRM" -d "$db" -u demo user list >/dev/null 2>"$work/list.err" ||
	die "'crm user list' failed: $(head -c 500 "$work/list.err")"

# ---- driving crm

# (tmux leaves its socket behind when it is stopped: the keeper removes
# it, from $TMUX, "SOCKET,SERVER-PID,SESSION".)
keeper='while kill -0 '"$$"' 2>/dev/null; do sleep 1; done
s=${TMUX%%,*}; p=${TMUX#*,}; p=${p%%,*}; rm -f "$s"; kill "$p"'
tm new-session -d -s keep -x 100 -y 30 "$keeper" ||
	die "tmux could not start a server (tmux -L $sock new-session)"
tmux_up=1
sockpath=$(tm display-message -p -t '=keep:' '#{socket_path}' 2>/dev/null || true)

errlog=$work/crm.err
: >"$errlog"
keylog=
sess=
crm_pid=

# crm_start NAME: run crm in a new tmux session NAME, logging to
# $work/keys.NAME; sets sess and keylog.
crm_start() {
	sess=$1
	keylog=$work/keys.$sess
	: >"$keylog"
	local cmd
	if [ "$kept" = 1 ]; then
		cmd=$(printf 'exec env -u CRM_PASSWORD LANG=C.UTF-8 LC_ALL=C.UTF-8 CRM_KEYLOG=%q %q -d %q 2>>%q' \
			"$keylog" "$CRM" "$db" "$errlog")
	else
		cmd=$(printf 'exec env LANG=C.UTF-8 LC_ALL=C.UTF-8 CRM_KEYLOG=%q %q -d %q -u demo 2>>%q' \
			"$keylog" "$CRM" "$db" "$errlog")
	fi
	tm new-session -d -s "$sess" -x 100 -y 30 "$cmd" ||
		die "tmux could not start crm (new-session $sess)"
}

crm_gone() { ! tm has-session -t "=$sess" 2>/dev/null; }

crm_failed() {
	die "crm stopped or does not answer ($*): $(tail -c 500 "$errlog")$(
		[ -s "$keylog" ] && printf '\nits key log ends:\n%s' "$(tail -n 3 "$keylog")")"
}

# The crm process of the session (tmux runs it through sh, which execs it).
crm_find_pid() {
	local pid st s ppid
	pid=$(tm list-panes -t "=$sess:" -F '#{pane_pid}' 2>/dev/null | head -n 1)
	[ -n "$pid" ] || crm_failed "no pane"
	if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != crm ]; then
		for st in /proc/[0-9]*/stat; do
			s=$(cat "$st" 2>/dev/null) || continue
			case $s in *"(crm) "*) ;; *) continue ;; esac
			s=${s##*) }
			ppid=${s#* }
			ppid=${ppid%% *}
			if [ "$ppid" = "$pid" ]; then
				st=${st#/proc/}
				pid=${st%/stat}
				break
			fi
		done
	fi
	crm_pid=$pid
}

# The key log, a line each: L (array) and its length nlines.
L=()
read_log() { mapfile -t L <"$keylog"; }

# press CODE KEYS...: send KEYS (tmux send-keys arguments) and wait until
# crm logs the key CODE (its character code, negative for a curses key)
# after the lines already there; sets k_action, k_screen and k_ms. Lines
# of other keys (a resize) are passed over.
press() {
	local code=$1 from i tries=0 f
	shift
	read_log
	from=${#L[@]}
	tm send-keys -t "=$sess:" "$@" || crm_failed "send-keys $*"
	while :; do
		read_log
		for ((i = from; i < ${#L[@]}; i++)); do
			IFS=$'\t' read -r -a f <<<"${L[i]}"
			if [ "${f[2]:-}" = "$code" ]; then
				k_action=${f[0]}
				k_screen=${f[1]}
				k_ms=${f[3]}
				return 0
			fi
		done
		from=${#L[@]}
		tries=$((tries + 1))
		if [ $((tries % 100)) = 0 ]; then
			crm_gone && crm_failed "after the keys $*"
			[ "$tries" -ge 60000 ] && crm_failed "no answer to the keys $* in a minute"
		fi
		sleep 0.001
	done
}

# expect ACTION [SCREEN]: the last key was handled as ACTION (on SCREEN).
expect() {
	[ "$k_action" = "$1" ] && [ -z "${2:-}" -o "$k_screen" = "${2:-}" ] ||
		die "a key was handled as '$k_action' on the screen '$k_screen', not as '$1'${2:+ on '$2'}: the key bindings changed? (key log: $keylog)"
}

screen_text() { tm capture-pane -p -t "=$sess:" 2>/dev/null; }

# quit: q on the main screen, then wait until crm has ended.
quit() {
	local tries=0
	press 113 q
	expect quit
	while ! crm_gone; do
		tries=$((tries + 1))
		[ "$tries" -ge 30000 ] && crm_failed "still running 30 s after q"
		sleep 0.001
	done
}

# ---- 1. first screen, 5 starts

first_ms=()
wall_ms=()
say "starting crm 5 times (first screen) ..."
for ((run = 1; run <= 5; run++)); do
	t0=$(now)
	crm_start "start$run"
	tries=0
	while :; do
		text=$(screen_text) || crm_failed "start $run"
		case $text in
		*"Companies, by name"*" quit"*) break ;;
		esac
		tries=$((tries + 1))
		[ "$tries" -ge 30000 ] && crm_failed "no main screen 30 s after start $run"
		sleep 0.001
	done
	t1=$(now)
	wall_ms+=("$(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.1f", (a - b) * 1000 }')")
	read_log
	[ "${#L[@]}" -gt 0 ] || crm_failed "start $run: the main screen is shown but the key log is empty"
	IFS=$'\t' read -r -a f <<<"${L[0]}"
	[ "${f[0]}" = first-screen ] || die "the key log starts with '${L[0]}', not first-screen ($keylog)"
	[ "${f[1]}" = main ] || die "the first screen is '${f[1]}', not the main screen: the login failed? ($(tail -c 300 "$errlog"))"
	first_ms+=("${f[3]}")
	printf '%s\n' "$text" >"$work/screen.start$run"
	[ "$run" = 5 ] || quit
done

# The first screen alone (bench/search.sh asks so).
if [ "$first_only" = 1 ]; then
	quit
	first_med=$(median "${first_ms[@]}")
	echo
	echo "crm screens benchmark: $(count "$records") records, first screen only$([ "$kept" = 1 ] && echo ", key kept in the session"), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	printf '%-52s %s\n' "first screen (key log), median of 5 starts" "$(awk -v v="$first_med" 'BEGIN { printf "%.1f ms", v }')"
	printf '%-52s %s\n' "  fastest, slowest" "$(fmin "${first_ms[@]}") / $(fmax "${first_ms[@]}") ms"
	exit 0
fi

# The fifth crm goes on.

# ---- 2. search on the Companies tab

search_ms=()
say "searching company names: ${prefixes[*]} ..."
for p in "${prefixes[@]}"; do
	press 47 /
	expect search main
	for ((i = 0; i < ${#p}; i++)); do
		c=${p:i:1}
		press "$(printf '%d' "'$c")" -l "$c"
		expect none main
		search_ms+=("$k_ms")
	done
	text=$(screen_text) || crm_failed "after searching '$p'"
	printf '%s\n' "$text" >"$work/screen.search-$p"
	case $text in
	*"No name starts with"*) die "no company name starts with '$p' on the screen, although 'crm list' shows one" ;;
	*"$p"*) ;;
	*) die "searching '$p': no name starting so on the screen ($work/screen.search-$p)" ;;
	esac
	# Esc clears the search (and reads the first page again).
	press 27 Escape
done

# ---- 3. page scroll on the Contacts tab

pgdn_ms=()
pgup_ms=()
say "paging through the contacts: PgDn 50 times, PgUp 50 times ..."
press 50 2
expect tab-2 main
top=$(screen_text | sed -n 4p)
for ((i = 0; i < 50; i++)); do
	press -338 NPage
	expect page-down main
	pgdn_ms+=("$k_ms")
done
deep=$(screen_text | sed -n 4p)
for ((i = 0; i < 50; i++)); do
	press -339 PPage
	expect page-up main
	pgup_ms+=("$k_ms")
done
back=$(screen_text | sed -n 4p)
[ "$deep" != "$top" ] || die "50 PgDn did not move the contact list (first row: $top)"
if [ "$back" != "$top" ]; then
	say "warning: 50 PgUp after 50 PgDn did not come back to the first row:"
	say "  first: $top"
	say "  now:   $back"
fi

# ---- 4. keys that read nothing: down inside the page

down_ms=()
for ((i = 0; i < 10; i++)); do
	press 106 j
	expect down main
	down_ms+=("$k_ms")
done

# ---- 5. peak memory, then quit

crm_find_pid
rss_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$crm_pid/status" 2>/dev/null || true)
case $rss_kb in '' | *[!0-9]*) die "could not read VmHWM of crm (process $crm_pid)" ;; esac
quit

# ---- the table

verdict() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
ms() { if [ "$1" = n/a ]; then echo n/a; else awk -v v="$1" 'BEGIN { printf "%.1f ms", v }'; fi; }
line() { printf '%s\n' "--------------------------------------------------------------------------------------------"; }
results=()
row() { # row LABEL FIGURE [TARGET OK-FLAG]
	local v=''
	if [ $# -ge 4 ]; then
		v=$(verdict "$4")
		results+=("$v")
	fi
	printf '%-50s %-20s %-10s %s\n' "$1" "$2" "${3:-}" "$v" | sed 's/ *$//'
}

first_med=$(median "${first_ms[@]}")
search_med=$(median "${search_ms[@]}")
pgdn_med=$(median "${pgdn_ms[@]}")
pgup_med=$(median "${pgup_ms[@]}")

echo
echo "crm screens benchmark: $(count "$records") records, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
line
printf '%-50s %-20s %-10s %s\n' "measure" "figure" "target" "result"
line
row "first screen (key log), median of 5 starts" "$(ms "$first_med")" "< 100 ms" "$(fcmp "$first_med" "<" 100)"
row "  fastest, slowest" "$(ms "$(fmin "${first_ms[@]}")") / $(ms "$(fmax "${first_ms[@]}")")"
row "  wall: start to main screen in the pane, median" "$(ms "$(median "${wall_ms[@]}")")"
row "search keystroke, median of ${#search_ms[@]}" "$(ms "$search_med")" "< 20 ms" "$(fcmp "$search_med" "<" 20)"
row "  slowest; keys over 20 ms" "$(ms "$(fmax "${search_ms[@]}")"); $(over 20 "${search_ms[@]}")"
row "page down (contacts), median of ${#pgdn_ms[@]}" "$(ms "$pgdn_med")" "< 20 ms" "$(fcmp "$pgdn_med" "<" 20)"
row "  slowest; keys over 20 ms" "$(ms "$(fmax "${pgdn_ms[@]}")"); $(over 20 "${pgdn_ms[@]}")"
row "page up (contacts), median of ${#pgup_ms[@]}" "$(ms "$pgup_med")" "< 20 ms" "$(fcmp "$pgup_med" "<" 20)"
row "  slowest; keys over 20 ms" "$(ms "$(fmax "${pgup_ms[@]}")"); $(over 20 "${pgup_ms[@]}")"
row "down inside the page (no record read), median" "$(ms "$(median "${down_ms[@]}")")"
row "  slowest" "$(ms "$(fmax "${down_ms[@]}")")"
row "peak memory (VmHWM of crm, after all keys)" "$(mib "$rss_kb")" "< 64 MiB" "$(fcmp "$rss_kb" "<" 65536)"
line
echo "Key times are crm's own (CRM_KEYLOG): from reading the key to the screen"
echo "painted, attaching the master for the key included. The first screen"
echo "includes opening the master and checking the password (yescrypt); the"
echo "wall time also tmux starting crm and polling the pane (capture-pane)."
echo "Search prefixes: ${prefixes[*]}."

failed=0
for v in "${results[@]}"; do
	[ "$v" = PASS ] || failed=$((failed + 1))
done
if [ "$failed" -gt 0 ]; then
	echo "bench/screens: $failed goal(s) missed"
	exit 3
fi
echo "bench/screens: every goal met"
