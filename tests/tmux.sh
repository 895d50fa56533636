# tmux.sh: drive crm's screens in a private tmux server, for the tests of
# the full-screen application (tests/screens.sh).
#
# Sourced after lib.sh (which sets $T, $CRM, fail). Each screen runs in a
# tmux session of its own on a server with its own socket under $T, so a
# test never touches the tmux of the person running it. Nothing sleeps a
# fixed time: tm_wait polls what the pane shows until it is as expected.
#
#	tm_start NAME COLS ROWS [ENV=VALUE...] -- CRM-ARGS...
#	tm_keys NAME KEY...	tmux key names: Enter Escape Tab BTab F2 C-c
#	tm_type NAME TEXT	literal text, UTF-8 included
#	tm_wait NAME COND...	until every condition holds, else fail
#	tm_exit NAME		crm's exit status, once it has ended
#
# A condition of tm_wait is an extended regular expression that some
# line of the pane matches; !RE: no line matches; @N=RE: row N matches
# (0 is the top row, -1 the last, -2 the one above it); @N!RE: row N does
# not match. TM_TIMEOUT is how long it waits (10 s); TM_SHOW=1 prints
# every screen waited for, to read what a test sees.

if ! command -v tmux >/dev/null 2>&1; then
	echo "tmux.sh: tmux is not installed: skipping the tests of the screens"
	exit 77
fi

# Everything is UTF-8, whatever the caller's locale is.
unset LC_ALL LC_CTYPE LC_MESSAGES
export LANG=C.UTF-8

# Not the tmux this may run in.
unset TMUX TMUX_PANE
# A socket's path is short (108 bytes): under /tmp when $T is deep.
TM_SOCK=$T/tmux.sock
TM_DIR=
if [ "${#TM_SOCK}" -gt 100 ]; then
	TM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/crm-screens.XXXXXX") ||
	    fail "cannot make a directory for tmux's socket"
	TM_SOCK=$TM_DIR/sock
fi
TM_TIMEOUT=${TM_TIMEOUT:-10}
TM_PANE=$T/.pane
TM_PIDS=

# The terminal inside tmux: the best one this machine's terminfo knows.
TM_TERM=
for _t in tmux-256color screen-256color screen xterm-256color xterm; do
	if infocmp "$_t" >/dev/null 2>&1 || tput -T "$_t" cols >/dev/null 2>&1
	then
		TM_TERM=$_t
		break
	fi
done
if [ -z "$TM_TERM" ]; then
	echo "tmux.sh: no terminfo entry for tmux, screen or xterm: skipping"
	exit 77
fi

tm() {
	tmux -u -S "$TM_SOCK" -f "$T/tmux.conf" "$@"
}

cat >"$T/tmux.conf" <<EOF
set -g default-terminal "$TM_TERM"
set -g default-shell /bin/sh
set -g status off
set -g history-limit 0
set -g escape-time 0
EOF

# A value quoted for sh.
tm_quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

tm_cleanup() {
	tmux -S "$TM_SOCK" kill-server >/dev/null 2>&1 || :
	[ -z "$TM_DIR" ] || rm -rf "$TM_DIR"
	[ -z "${TM_EXTRA:-}" ] || rm -rf "$TM_EXTRA"
	for _p in $TM_PIDS; do
		kill "$_p" 2>/dev/null || :
	done
}
trap tm_cleanup EXIT
trap 'exit 1' INT TERM HUP

# tm_start NAME COLS ROWS [ENV=VALUE...] -- CRM-ARGS...: crm in a new
# session NAME of COLS x ROWS, with HOME at $TM_HOME (default $T/home). When it ends the pane shows
# "crm ended: STATUS", and tm_exit NAME reads the status.
tm_start() {
	_n=$1 _c=$2 _r=$3
	shift 3
	_s=$T/run-$_n.sh
	{
		echo "cd $(tm_quote "$T") || exit 1"
		echo "export HOME=$(tm_quote "${TM_HOME:-$T/home}")"
		echo "export XDG_CONFIG_HOME=$(tm_quote "$XDG_CONFIG_HOME")"
		echo "export XDG_DATA_HOME=$(tm_quote "$XDG_DATA_HOME")"
		echo "export CRM_SYSCONF=$(tm_quote "$CRM_SYSCONF")"
		echo "export LANG=C.UTF-8 TERM=$TM_TERM"
		echo "unset LC_ALL CRM_USER CRM_PASSWORD CRM_NEW_PASSWORD NO_COLOR"
		while [ $# -gt 0 ] && [ "$1" != -- ]; do
			echo "export $(printf '%s' "$1" | cut -d= -f1)=$(tm_quote \
			    "$(printf '%s' "$1" | cut -d= -f2-)")"
			shift
		done
		[ $# -gt 0 ] && shift
		printf '%s' "$(tm_quote "$CRM")"
		for _a in "$@"; do
			printf ' %s' "$(tm_quote "$_a")"
		done
		echo
		echo "st=\$?"
		echo "echo \$st >$(tm_quote "$T/exit-$_n")"
		echo "echo \"crm ended: \$st\""
		# The shell stays, so that the pane keeps what it shows.
		echo "exec sleep 600"
	} >"$_s"
	mkdir -p "${TM_HOME:-$T/home}"
	rm -f "$T/exit-$_n"
	tm new-session -d -s "$_n" -x "$_c" -y "$_r" "sh $(tm_quote "$_s")" ||
	    fail "tmux cannot start a session"
}

tm_keys() {
	_n=$1
	shift
	tm send-keys -t "$_n" "$@" || fail "tmux cannot send $* to $_n"
}

tm_type() {
	tm send-keys -t "$1" -l "$2" || fail "tmux cannot type \"$2\" to $1"
}

tm_capture() {
	tm capture-pane -p -t "$1" >"$TM_PANE" 2>/dev/null || : >"$TM_PANE"
}

# Row N of the last capture (negative: from the bottom).
tm_row() {
	_k=$1
	if [ "$_k" -lt 0 ]; then
		_k=$(($(wc -l <"$TM_PANE") + _k))
	fi
	sed -n "$((_k + 1))p" "$TM_PANE"
}

# Do all conditions hold for the last capture?
tm_holds() {
	for _cond in "$@"; do
		case $_cond in
		@*)
			_rest=${_cond#@}
			_k=${_rest%%[=!]*}
			_rest=${_rest#"$_k"}
			_re=${_rest#?}
			case $_rest in
			=*) tm_row "$_k" | grep -Eq -e "$_re" || return 1 ;;
			*) tm_row "$_k" | grep -Eq -e "$_re" && return 1 ;;
			esac
			;;
		!*)
			grep -Eq -e "${_cond#!}" "$TM_PANE" && return 1
			;;
		*)
			grep -Eq -e "$_cond" "$TM_PANE" || return 1
			;;
		esac
	done
	return 0
}

# tm_wait NAME COND...: poll every 50 ms until the pane shows what the
# conditions say; after $TM_TIMEOUT seconds fail, showing the pane.
tm_wait() {
	_n=$1
	shift
	_tries=$((TM_TIMEOUT * 20))
	while :; do
		tm_capture "$_n"
		if tm_holds "$@"; then
			# TM_SHOW=1: every screen waited for, to read them.
			if [ -n "${TM_SHOW:-}" ]; then
				printf 'screen %s:\n' "$_n" >&2
				sed 's/^/  |/' "$TM_PANE" >&2
			fi
			return 0
		fi
		_tries=$((_tries - 1))
		if [ "$_tries" -le 0 ]; then
			for _cond in "$@"; do
				tm_holds "$_cond" ||
				    printf 'screen: not true: %s\n' "$_cond" >&2
			done
			printf 'screen %s now shows:\n' "$_n" >&2
			sed 's/^/  |/' "$TM_PANE" >&2
			LAST=
			fail "the screen is not as expected"
		fi
		sleep 0.05
	done
}

# The status crm ended with (waits for its end).
tm_exit() {
	tm_wait "$1" '^crm ended: [0-9]+$'
	cat "$T/exit-$1"
}

tm_kill() {
	tm kill-session -t "$1" >/dev/null 2>&1 || :
}

# A tmux format about NAME's pane: #{alternate_on}, #{cursor_flag}...
tm_format() {
	tm display-message -p -t "$1" "$2"
}
