#!/bin/sh
# ssh-pipe.sh: an ssh that reaches no host. It takes ssh's arguments as
# crm sync gives them (options, then the host, then the remote command)
# and runs the command here, through a pipe, as sshd would run it on the
# master's host: the sync service without sshd, for the tests
# (sync.ssh_command). SSH_PIPE_LOG, if set, names a file each command
# line is appended to.
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
exec sh -c "$*"
