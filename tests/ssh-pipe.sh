#!/bin/sh
# ssh-pipe.sh: an ssh that reaches no host. It takes ssh's arguments as
# crm sync gives them (options, then the host, then the remote command)
# and runs the command here, through a pipe, as sshd would run it on the
# master's host: the sync service without sshd, for the tests
# (sync.ssh_command). SSH_PIPE_LOG, if set, names a file each command
# line is appended to. SSH_PIPE_PIDFILE, if set, names a file the ID of
# the process that runs the command is written to, so that it can be
# killed (bench/soak.sh kills crm serve so): the command, a simple one
# then, runs in this very process.
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
[ $# -gt 0 ] || { echo "ssh-pipe.sh: no host" >&2; exit 255; }
shift	# the host: this one is always here
[ -z "${SSH_PIPE_LOG:-}" ] || printf '%s\n' "$*" >>"$SSH_PIPE_LOG"
if [ -n "${SSH_PIPE_PIDFILE:-}" ]; then
	echo $$ >"$SSH_PIPE_PIDFILE"
	eval "exec $*"
fi
exec sh -c "$*"
