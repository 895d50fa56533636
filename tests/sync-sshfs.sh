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
SYNC_PID=

. "${TESTS_SRCDIR:-$(dirname "$0")}/sshfs.sh"
sshfs_need

# ---- cleaning up, whatever happens ---------------------------------------

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

sshfs_keys
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
