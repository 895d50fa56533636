#!/bin/sh
# sync-sshfs: a master on a real network filesystem (B5, B4).
#
# The master directory is served by a throw-away sshd on 127.0.0.1 and
# mounted with sshfs; the local is bound to the mount point, as a laptop
# is bound to the office's network share. The test syncs through the
# mount, changes both sides, then cuts the connection in the middle of a
# sync (by killing sshd: the network goes away, the laptop does not):
# while the sync uploads, while it downloads, and at several points while
# it attaches the master (Berkeley DB recovery). Each time the sync must
# stop with one clear message naming the master (a status, not a crash
# signal, and no advice to restore a backup), and once the share is back
# a sync must converge: sync --verify finds no difference and nothing was
# lost on either side.
#
# The share is mounted with dir_cache=no (see mount_master): with sshfs's
# default 20 s attribute cache, a master changed on the server is read
# with stale file sizes through the mount.
#
# Needs openssh-server (sshd), openssh-client (ssh-keygen, ssh), sshfs and
# fuse3 (fusermount3 or fusermount) and a usable /dev/fuse; without them the
# test says why and is skipped (status 77). It never passes silently.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

skip() {
	echo "SKIP: sync-sshfs.sh: $*"
	exit 77
}

say() {
	echo "sync-sshfs: [$(date +%T)] $*"
}

M=$T/master		# the master, on the "server's" disk
MNT=$T/mnt		# the same master, as the laptop sees it
L=$T/local		# the laptop's local
S=$T/ssh		# sshd's and ssh's throw-away keys and settings
SSHD_PID=
SSHFS_PID=
SYNC_PID=
PORT=

# ---- what the test needs -------------------------------------------------

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

# ---- cleaning up, whatever happens ---------------------------------------

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

kill_tree() {
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
		kill_tree "$SSHD_PID"
		wait "$SSHD_PID" 2>/dev/null || true
		SSHD_PID=
	fi
}

cleanup() {
	if [ -n "$SYNC_PID" ]; then
		kill -9 "$SYNC_PID" 2>/dev/null || true
		SYNC_PID=
	fi
	unmount
	stop_sshd
}
trap 'cleanup' EXIT
trap 'exit 1' INT TERM HUP

# ---- sshd and sshfs --------------------------------------------------------

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

start_sshd || skip "sshd does not start: $(tail -n 3 "$S/sshd.log" | tr '\n' ' ')"
say "sshd listens on 127.0.0.1:$PORT (pid $SSHD_PID)"

# The master, on the server's side: the demo's users demo (administrator),
# anna, ben and carla, password "demo".
expect_ok "$CRM" demo "$M" --records 2000

mount_master || skip "sshfs cannot mount $ME@127.0.0.1:$M on $MNT: $(tail -n 3 "$S/sshfs.log" | tr '\n' ' ')"
note_sshd
say "$M is mounted on $MNT (sshfs pid $SSHFS_PID)"

# lcrm ARGS: crm on the laptop's local. mcrm ARGS: crm run on the server,
# on the master directory itself (as another laptop's sync or the office's
# own session would change it).
lcrm() {
	CRM_PASSWORD=demo "$CRM" -d "$L" -u demo "$@"
}
mcrm() {
	CRM_PASSWORD=demo "$CRM" -d "$M" -u demo "$@"
}

# count WHERE... TYPE: number of records of TYPE in $OUT after a list.
ids() {
	printf '%s\n' "$OUT" | tail -n +2 | sort
}

# same_ids TYPE: the local and the master hold the same IDs of TYPE.
same_ids() {
	expect_ok lcrm list "$1" --fields id
	_l=$(ids)
	expect_ok mcrm list "$1" --fields id
	_m=$(ids)
	[ "$_l" = "$_m" ] || fail "the local and the master hold different $1 after the sync"
}

# synced: sync then sync --verify both succeed, with no difference.
synced() {
	expect_ok lcrm sync
	expect_ok lcrm sync --verify
	expect_out_contains "0 difference(s)"
}

# ---- a local bound to the mount: the first sync -----------------------------

CRM_PASSWORD=demo expect_ok "$CRM" -u demo init --local "$L" --master "$MNT"
synced
for t in company contact note task; do
	same_ids $t
done

# ---- changes on both sides ------------------------------------------------

expect_ok lcrm list contact --fields id
C1=$(ids | head -n 1)
[ -n "$C1" ] || fail "the demo made no contacts"
expect_ok lcrm list note --fields id
N1=$(ids | head -n 1)
[ -n "$N1" ] || fail "the demo made no notes"

expect_ok lcrm add company name="Laptop Ltd" city=Lyon
expect_ok lcrm set contact "$C1" phone="+33 1 00 00 00 01"
expect_ok lcrm delete note "$N1"
# On the server, directly...
expect_ok mcrm add company name="Office GmbH" city=Bonn
expect_ok mcrm set contact "$C1" email=office@example.com
# ... and through the mount, as another laptop working on the share.
CRM_PASSWORD=demo expect_ok "$CRM" -d "$MNT" -u demo add company name="Share SA"
synced
same_ids company
same_ids contact
for name in "Laptop Ltd" "Office GmbH" "Share SA"; do
	expect_ok mcrm list company --where name="$name" --fields name
	expect_eq "$(rows)" 1
	expect_ok lcrm list company --where name="$name" --fields name
	expect_eq "$(rows)" 1
done
# Different fields of the same contact changed on each side: both kept (B1).
expect_ok mcrm get contact "$C1"
expect_out_contains "phone=+33 1 00 00 00 01"
expect_out_contains "email=office@example.com"
run mcrm get note "$N1"
[ "$STATUS" -ne 0 ] || fail "the note deleted on the laptop is still on the master"
same_ids note

# ---- the connection is cut in the middle of a sync ------------------------

# wchar PID: bytes PID has written so far (its own files and the share).
wchar() {
	awk '$1 == "wchar:" { print $2 }' "/proc/$1/io" 2>/dev/null || true
}

# mntfds PID: how many files PID and its children have open on the share
# (crm recovers a master in a child process of its own).
mntfds() {
	_kids=$(cat "/proc/$1/task/$1/children" 2>/dev/null || true)
	# shellcheck disable=SC2010,SC2086 # one process for the whole count
	(cd /proc && ls -l "$1/fd" $(for _k in $_kids; do echo "$_k/fd"; done) \
	    2>/dev/null) | grep -c " $MNT/" || true
}

# cut_sync WHEN WHAT: start crm sync in the background and kill sshd (the
# share disappears under the sync, the laptop goes on) as soon as
#   WHEN = fds:K     the sync has K files of the master open: it is
#                    attaching the master, Berkeley DB recovery included;
#   WHEN = wrote:B   the sync has written B bytes: it is moving records.
# WHAT names the moment in messages. The sync must then stop by itself,
# with a status (not a signal) and one message naming the master. Its
# status, stdout and stderr end in $STATUS, $OUT, $ERR.
cut_sync() {
	_kind=${1%%:*} _n=${1#*:}
	# shellcheck disable=SC2034 # read by fail (lib.sh)
	LAST="crm sync (the connection cut $2)"
	# exec: $SYNC_PID must be crm itself, whose /proc entry is watched.
	(CRM_PASSWORD=demo exec "$CRM" -d "$L" -u demo sync) \
	    >"$T/.out" 2>"$T/.err" &
	SYNC_PID=$!
	_cut=no
	_at=
	while kill -0 "$SYNC_PID" 2>/dev/null; do
		case $_kind in
		fds) _at=$(mntfds "$SYNC_PID") ;;
		wrote) _at=$(wchar "$SYNC_PID") ;;
		esac
		if [ -n "$_at" ] && [ "$_at" -ge "$_n" ]; then
			stop_sshd
			_cut=yes
			break
		fi
	done
	stop_sshd
	_t0=$(date +%s)
	# sshfs (with reconnect) answers EIO once it fails to reconnect; crm
	# may take a while to let go of the master (Berkeley DB retries failed
	# writes), but a sync still running 45 s later hangs.
	_i=0
	while kill -0 "$SYNC_PID" 2>/dev/null; do
		if [ "$_i" -ge 900 ]; then
			kill -9 "$SYNC_PID" 2>/dev/null || true
			wait "$SYNC_PID" 2>/dev/null || true
			SYNC_PID=
			fail "crm sync still runs 45 s after the connection to the master was cut $2"
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	STATUS=0
	wait "$SYNC_PID" || STATUS=$?
	SYNC_PID=
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
	say "cut $2 ($_kind $_at): status $STATUS after $(($(date +%s) - _t0)) s: $ERR"
	[ "$_cut" = yes ] || fail "the sync ended before the cut $2 ($_kind $_at): give it more to do"
}

# The sync stopped as it should: a status, one message naming the master.
cut_ok() {
	[ "$STATUS" -ne 0 ] || fail "crm sync succeeded although the connection was cut $1"
	[ "$STATUS" -lt 128 ] ||
	    fail "crm sync died of signal $((STATUS - 128)) when the connection was cut $1"
	expect_one_message
	expect_err_contains "$MNT"
}

# The message blames the connection, not the master: a lost share is no
# reason to restore a backup (losing the work done since) or to make a new
# database.
cut_advice() {
	case $ERR in
	*damaged* | *"from a backup"* | *"not a directory"* | *"crm init"*)
		fail "a cut connection $1 is reported as a damaged or missing master" ;;
	esac
}

# reconnect: the network is back: the stale mount lazily unmounted, sshd
# again on the same port, the share mounted again.
reconnect() {
	unmount
	start_sshd same || fail "sshd does not start again on port $PORT: $(tail -n 3 "$S/sshd.log")"
	mount_master || fail "sshfs cannot mount the master again: $(tail -n 3 "$S/sshfs.log")"
	note_sshd
}

# csv FILE PREFIX N: N new contacts PREFIX1..PREFIXN, last name Cut.
csv() {
	awk -v p="$2" -v n="$3" 'BEGIN {
		print "first_name,last_name,phone,email"
		for (i = 1; i <= n; i++)
			printf "%s%d,Cut,+1 555 %d,%s%d@example.com\n", p, i, i, p, i
	}' >"$1"
}

N=3000

# While it uploads: 3,000 new contacts and a changed one go up in batches.
csv "$T/up.csv" Up "$N"
expect_ok lcrm import contact "$T/up.csv"
expect_ok lcrm set contact "$C1" city=Uploaded
cut_sync wrote:1000000 "while it uploads"
cut_ok "while it uploads"
cut_advice "while it uploads"
# The server's own crm attaches the master (recovering it if need be).
expect_ok mcrm list contact --where last_name=Cut --fields id
say "the master holds $(rows) of the $N new contacts after the cut"
expect_ok lcrm list contact --where last_name=Cut --fields id
expect_eq "$(rows)" "$N"
reconnect
synced
same_ids contact
expect_ok mcrm list contact --where last_name=Cut --fields id
expect_eq "$(rows)" "$N"
expect_ok mcrm get contact "$C1"
expect_out_contains "city=Uploaded"
expect_out_contains "email=office@example.com"

# While it downloads: 3,000 contacts made on the server come down.
csv "$T/down.csv" Down "$N"
expect_ok mcrm import contact "$T/down.csv"
expect_ok mcrm set contact "$C1" city=Downloaded
cut_sync wrote:1000000 "while it downloads"
cut_ok "while it downloads"
cut_advice "while it downloads"
expect_ok lcrm list contact --where last_name=Cut --fields id
say "the local holds $(( $(rows) - N )) of the $N contacts made on the server after the cut"
reconnect
synced
same_ids contact
expect_ok lcrm list contact --where last_name=Cut --fields id
expect_eq "$(rows)" $((2 * N))
expect_ok lcrm get contact "$C1"
expect_out_contains "city=Downloaded"
expect_out_contains "phone=+33 1 00 00 00 01"

# While it attaches the master: every attach runs Berkeley DB recovery,
# which opens the master's files (several times over); cut at several
# points of it. Changes wait on both sides meanwhile.
expect_ok lcrm add company name="Waiting Laptop"
expect_ok mcrm add company name="Waiting Office"
for k in 1 3 5 8 11 14; do
	cut_sync "fds:$k" "while it attaches the master ($k files open)"
	cut_ok "while it attaches the master ($k files open)"
	cut_advice "while it attaches the master ($k files open)"
	reconnect
done
synced
same_ids company
for name in "Waiting Laptop" "Waiting Office"; do
	expect_ok mcrm list company --where name="$name" --fields name
	expect_eq "$(rows)" 1
	expect_ok lcrm list company --where name="$name" --fields name
	expect_eq "$(rows)" 1
done

# A last sync with nothing to do moves nothing and finds no difference.
expect_ok lcrm sync
expect_out_contains "total"
expect_ok lcrm sync --verify
expect_out_contains "0 difference(s)"

finish
