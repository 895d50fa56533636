# sshfs.sh: a directory served by a throw-away sshd on 127.0.0.1 and
# mounted with sshfs, as a laptop mounts the office's share. Sourced (sh)
# by tests/sync-sshfs.sh, tests/sync-ssh.sh and bench/sync.sh (ssh_need:
# sshd and ssh alone, for the sync service).
#
# The caller sets S (a directory for the keys, settings and logs), M (the
# directory served) and MNT (where it is mounted), and defines skip REASON
# (what to do when something needed is missing). Then:
#   sshfs_need    find sshd, ssh, ssh-keygen, sshfs and fusermount, and a
#                 usable /dev/fuse (else skip); sets SSHD, FUSERMOUNT, ME
#   sshfs_keys    make the keys (else skip)
#   start_sshd    start sshd on a free port (start_sshd same: on $PORT)
#   mount_master  mount $M on $MNT
#   note_sshd, stop_sshd, unmount, mounted: see each
SSHD_PID=
SSHFS_PID=
PORT=

# ---- what is needed -------------------------------------------------------

# ssh_need: sshd, ssh and ssh-keygen only (the sync service's test);
# sets SSHD and ME.
ssh_need() {
	SSHD=
	for c in /usr/sbin/sshd "$(command -v sshd 2>/dev/null || true)"; do
		if [ -n "$c" ] && [ -x "$c" ]; then
			SSHD=$c
			break
		fi
	done
	[ -n "$SSHD" ] || skip "no sshd (install openssh-server)"
	command -v ssh >/dev/null 2>&1 || skip "no ssh (install openssh-client)"
	command -v ssh-keygen >/dev/null 2>&1 || skip "no ssh-keygen (install openssh-client)"
	ME=$(id -un)
}

sshfs_need() {
	SSHD=
	for c in /usr/sbin/sshd "$(command -v sshd 2>/dev/null || true)"; do
		if [ -n "$c" ] && [ -x "$c" ]; then
			SSHD=$c
			break
		fi
	done
	[ -n "$SSHD" ] || skip "no sshd (install openssh-server)"
	command -v ssh >/dev/null 2>&1 || skip "no ssh (install openssh-client)"
	command -v ssh-keygen >/dev/null 2>&1 || skip "no ssh-keygen (install openssh-client)"
	command -v sshfs >/dev/null 2>&1 || skip "no sshfs (install sshfs)"
	FUSERMOUNT=
	for c in fusermount3 fusermount; do
		if command -v "$c" >/dev/null 2>&1; then
			FUSERMOUNT=$c
			break
		fi
	done
	[ -n "$FUSERMOUNT" ] || skip "no fusermount3 or fusermount (install fuse3)"
	[ -c /dev/fuse ] || skip "no /dev/fuse on this machine (a container without FUSE?)"
	if [ ! -r /dev/fuse ] || [ ! -w /dev/fuse ]; then
		skip "/dev/fuse is not readable and writable by $(id -un)"
	fi
	ME=$(id -un)
}

# ---- processes ------------------------------------------------------------

# Every descendant of PID, deepest first, then PID: sshd forks a child per
# connection, which forks the sftp server. Found through /proc/PID/stat,
# whose fourth field (after the command in parentheses) is the parent.
tree_of() {
	for _st in /proc/[0-9]*/stat; do
		_s=$(cat "$_st" 2>/dev/null) || continue
		_s=${_s##*) }
		_pp=${_s#* }
		_pp=${_pp%% *}
		if [ "$_pp" = "$1" ]; then
			_c=${_st#/proc/}
			tree_of "${_c%/stat}"
		fi
	done
	echo "$1"
}

sshfs_kill_tree() {
	[ -n "$1" ] || return 0
	for _p in $(tree_of "$1"); do
		kill -9 "$_p" 2>/dev/null || true
	done
}

mounted() {
	grep -q " $MNT fuse" /proc/mounts 2>/dev/null
}

unmount() {
	if mounted; then
		"$FUSERMOUNT" -u -z "$MNT" 2>/dev/null || true
	fi
	if [ -n "$SSHFS_PID" ]; then
		kill "$SSHFS_PID" 2>/dev/null || true
		wait "$SSHFS_PID" 2>/dev/null || true
		SSHFS_PID=
	fi
}

# The network goes away: sshd and everything it runs die at once (the
# tree is listed beforehand, by note_sshd, so that the cut is immediate).
SSHD_TREE=
note_sshd() {
	SSHD_TREE=$(tree_of "$SSHD_PID")
}

stop_sshd() {
	if [ -n "$SSHD_PID" ]; then
		# shellcheck disable=SC2086
		[ -z "$SSHD_TREE" ] || kill -9 $SSHD_TREE 2>/dev/null || true
		SSHD_TREE=
		sshfs_kill_tree "$SSHD_PID"
		wait "$SSHD_PID" 2>/dev/null || true
		SSHD_PID=
	fi
}

# ---- sshd and sshfs --------------------------------------------------------

# sshfs_keys: throw-away host and user keys in $S, the user's authorized.
sshfs_keys() {
	mkdir -p "$S" "$MNT"
	ssh-keygen -q -N '' -t ed25519 -f "$S/host_key" </dev/null ||
	    skip "ssh-keygen cannot make a host key"
	ssh-keygen -q -N '' -t ed25519 -f "$S/user_key" </dev/null ||
	    skip "ssh-keygen cannot make a user key"
	cp "$S/user_key.pub" "$S/authorized_keys"
	chmod 600 "$S/authorized_keys"
	if [ "$(id -u)" -eq 0 ]; then
		# sshd run by root insists on its privilege separation directory.
		mkdir -p /run/sshd
		chmod 755 /run/sshd
	fi
}

# start_sshd [same]: start sshd on a free high port found by trying (with
# "same": on $PORT again, after a cut); 0 once it listens.
start_sshd() {
	# Outside the range of ephemeral ports: once sshd is gone, sshfs's
	# reconnecting ssh could otherwise be given the port it dials as its
	# own, connect to itself (TCP simultaneous open) and hang there.
	_plo=10000 _phi=11000
	# (read through cat: dash reads a byte at a time, which /proc/sys
	# answers with end of file after the first.)
	_er=$(cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true)
	_elo=$(echo "$_er" | awk '{ print $1 }')
	_ehi=$(echo "$_er" | awk '{ print $2 }')
	if [ -n "$_elo" ] && [ -n "$_ehi" ]; then
		if [ "$_ehi" -lt 64000 ]; then
			_plo=$((_ehi + 1)) _phi=65000
		elif [ "$_elo" -gt 11000 ]; then
			_plo=10000 _phi=$((_elo - 1))
		fi
	fi
	_tries=0
	while [ "$_tries" -lt 5 ]; do
		_tries=$((_tries + 1))
		if [ "${1:-}" != same ]; then
			PORT=$(awk -v s="$$$_tries" -v lo="$_plo" -v hi="$_phi" '
			    BEGIN { srand(); srand(srand() + s)
			    print lo + int(rand() * (hi - lo)) }')
		fi
		cat >"$S/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $S/host_key
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
UsePAM no
StrictModes no
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowUsers $ME
Subsystem sftp internal-sftp
EOF
		: >"$S/sshd.log"
		"$SSHD" -f "$S/sshd_config" -D -e >>"$S/sshd.log" 2>&1 &
		SSHD_PID=$!
		_i=0
		while [ "$_i" -lt 100 ]; do
			if grep -q "Server listening" "$S/sshd.log"; then
				return 0
			fi
			kill -0 "$SSHD_PID" 2>/dev/null || break
			sleep 0.05
			_i=$((_i + 1))
		done
		stop_sshd
		# The same port may still be held a moment by the old sshd.
		[ "${1:-}" != same ] || sleep 0.5
	done
	return 1
}

# mount_master: sshfs MNT; 0 once mounted.
#
# dir_cache=no: by default sshfs keeps file attributes 20 s, so once the
# server's own crm (or another laptop) has written to the master, this
# side goes on seeing the old file sizes, Berkeley DB reads pages short and
# crm reports a file of the master "damaged". NFS revalidates on open
# (close-to-open consistency); sshfs must be told not to cache.
mount_master() {
	: >"$S/sshfs.log"
	sshfs -f -p "$PORT" -o "IdentityFile=$S/user_key" \
	    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	    -o BatchMode=yes -o ConnectTimeout=10 -o reconnect -o dir_cache=no \
	    -o ServerAliveInterval=5 -o ServerAliveCountMax=2 \
	    "$ME@127.0.0.1:$M" "$MNT" >>"$S/sshfs.log" 2>&1 &
	SSHFS_PID=$!
	_i=0
	while [ "$_i" -lt 200 ]; do
		if mounted && [ -f "$MNT/crm.conf" ]; then
			return 0
		fi
		kill -0 "$SSHFS_PID" 2>/dev/null || break
		sleep 0.05
		_i=$((_i + 1))
	done
	unmount
	return 1
}

