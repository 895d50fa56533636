#!/bin/sh
# soak-ssh.sh: the ssh of bench/soak.sh, which reaches no host: like
# tests/ssh-pipe.sh it takes ssh's arguments as crm sync gives them
# (options, the host, the remote command) and runs the command here, as
# sshd would on the master's host. It runs it in its own process (exec),
# whose ID it writes first to $SOAK_SERVE_PIDFILE if set, so that the soak
# can kill that crm serve.
while [ $# -gt 0 ]; do
	case $1 in
	-p | -o | -l | -i | -F | -E | -c | -m | -b | -J)
		shift 2 ;;
	--)
		shift
		break ;;
	-*)
		shift ;;
	*)
		break ;;
	esac
done
[ $# -gt 0 ] || { echo "soak-ssh.sh: no host" >&2; exit 255; }
shift	# the host: this one is always here
[ -z "${SOAK_SERVE_PIDFILE:-}" ] || echo $$ >"$SOAK_SERVE_PIDFILE"
eval "exec $*"
