# lib.sh: shared helpers of the shell tests of the command line.
#
# Sourced by each tests/cli-*.sh. make check's TESTS_ENVIRONMENT exports
#   CRM           absolute path of the crm binary under test
#   TESTS_SRCDIR  the source tests/ directory (fixtures in $TESTS_SRCDIR/fixtures)
#   TESTS_TMPDIR  a scratch root; each test works in its own $T below it
# A test exits 0 on success, 1 on failure (fail), 77 to be skipped.

set -eu

if [ -z "${CRM:-}" ] || [ ! -x "$CRM" ]; then
	echo "lib.sh: \$CRM must name the crm binary (run through make check)" >&2
	exit 99
fi
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")" && pwd)}"
: "${TESTS_TMPDIR:=$(pwd)/tests/tmp}"
FIXTURES=$TESTS_SRCDIR/fixtures

T=$TESTS_TMPDIR/$(basename "$0" .sh)
rm -rf "$T"
mkdir -p "$T"

# Nothing from the person running the tests may leak in: no configuration,
# no default database, no login, no password.
export XDG_CONFIG_HOME="$T/xdg" XDG_DATA_HOME="$T/data" CRM_SYSCONF="$T/none.conf"
unset CRM_USER CRM_PASSWORD CRM_NEW_PASSWORD
# No stdin: crm must never wait at a prompt.
exec </dev/null

OUT=
ERR=
STATUS=0
LAST=

fail() {
	printf 'FAIL: %s: %s\n' "$(basename "$0")" "$*" >&2
	if [ -n "$LAST" ]; then
		printf '  last command: %s (status %s)\n' "$LAST" "$STATUS" >&2
		printf '  stdout: %s\n' "$(printf '%s' "$OUT" | head -c 2000)" >&2
		printf '  stderr: %s\n' "$(printf '%s' "$ERR" | head -c 2000)" >&2
	fi
	exit 1
}

# Run a command; its stdout goes to $OUT, its stderr to $ERR, its status to
# $STATUS. Never fails by itself.
run() {
	LAST="$*"
	if "$@" >"$T/.out" 2>"$T/.err"; then
		STATUS=0
	else
		STATUS=$?
	fi
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
}

expect_ok() {
	run "$@"
	[ "$STATUS" -eq 0 ] || fail "expected success"
}

expect_status() {
	_want=$1
	shift
	run "$@"
	[ "$STATUS" -eq "$_want" ] || fail "expected status $_want"
}

# Status 1 and one line on stderr: a failure with one clear message.
expect_fail() {
	expect_status 1 "$@"
	expect_one_message
}

expect_one_message() {
	[ -n "$ERR" ] || fail "expected a message on stderr"
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] ||
	    fail "expected one message on stderr, got $(printf '%s\n' "$ERR" | wc -l) lines"
}

expect_out_contains() {
	case $OUT in
	*"$1"*) ;;
	*) fail "stdout lacks \"$1\"" ;;
	esac
}

expect_out_lacks() {
	case $OUT in
	*"$1"*) fail "stdout holds \"$1\"" ;;
	*) ;;
	esac
}

expect_err_contains() {
	case $ERR in
	*"$1"*) ;;
	*) fail "stderr lacks \"$1\"" ;;
	esac
}

expect_eq() {
	[ "$1" = "$2" ] || fail "expected \"$2\", got \"$1\""
}

# sync_cell ROW COLUMN: a number of crm sync's table in $OUT.
sync_cell() {
	printf '%s\n' "$OUT" | awk -v r="$1" -v c="$2" '
	    NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i }
	    NR > 1 && $1 == r && k { print $k; exit }'
}

# expect_cell ROW COLUMN N: that number of the sync table is N.
expect_cell() {
	_v=$(sync_cell "$1" "$2")
	[ "$_v" = "$3" ] || fail "sync table: $1 $2 is \"$_v\", expected $3"
}

# expect_cell_ge ROW COLUMN N: it is at least N.
expect_cell_ge() {
	_v=$(sync_cell "$1" "$2")
	[ -n "$_v" ] && [ "$_v" -ge "$3" ] ||
	    fail "sync table: $1 $2 is \"$_v\", expected at least $3"
}

# The value of FIELD in the FIELD=VALUE lines of $OUT (after expect_ok get).
field() {
	printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | head -n 1
}

# Number of data rows (lines after the header) in $OUT.
rows() {
	if [ -z "$OUT" ]; then
		echo 0
	else
		printf '%s\n' "$OUT" | tail -n +2 | wc -l | tr -d ' '
	fi
}

# The yescrypt hashes ($y$PARAMS$SALT$HASH) in FILES, one a line. The
# whole shape, not "$y$" alone: an encrypted file's random bytes hold
# those three somewhere now and then.
yescrypt_in() {
	cat "$@" | grep -aoE '\$y\$[./0-9A-Za-z]+\$[./0-9A-Za-z]{8,}\$[./0-9A-Za-z]{20,}' || :
}

# Octal mode of a file.
mode() {
	stat -c %a "$1"
}

# make_master DIR: a master with the administrator root (ROOT1), password
# "secret".
make_master() {
	CRM_PASSWORD=secret "$CRM" init --master "$1" --admin root \
	    --admin-id ROOT1 >/dev/null ||
	    fail "cannot create the master $1"
}

# as LOGIN PASSWORD DIR ARGS...: run crm in DIR as LOGIN.
as() {
	_l=$1 _p=$2 _d=$3
	shift 3
	CRM_PASSWORD=$_p "$CRM" -d "$_d" -u "$_l" "$@"
}

# root DIR ARGS...: run crm in DIR as the administrator of make_master.
root() {
	_d=$1
	shift
	CRM_PASSWORD=secret "$CRM" -d "$_d" -u root "$@"
}

# add_user DIR LOGIN UID PASSWORD [OPTIONS...]: root adds a user.
add_user() {
	_d=$1 _l=$2 _u=$3 _p=$4
	shift 4
	CRM_NEW_PASSWORD=$_p root "$_d" user add "$_l" --id "$_u" "$@" ||
	    fail "cannot add the user $_l"
}

# The sync service without sshd: crm sync runs tests/ssh-pipe.sh, an ssh
# that runs the remote command here ("crm serve DIR", as the master's host
# would), through a pipe. use_service writes the user's settings for it;
# via DIR prints the location of the master DIR as the service reaches it
# (testhost:DIR). SYNC_TRANSPORT=service (the *-service.sh tests) makes
# master_at DIR print that too, and otherwise DIR itself, the attach: the
# same test then runs over both transports.
use_service() {
	mkdir -p "$XDG_CONFIG_HOME/crm"
	printf 'sync = {\n  ssh_command = "%s/ssh-pipe.sh";\n  remote_crm = "%s";\n};\n' \
	    "$TESTS_SRCDIR" "$CRM" >"$XDG_CONFIG_HOME/crm/crm.conf"
}

via() {
	printf 'testhost:%s\n' "$1"
}

master_at() {
	if [ "${SYNC_TRANSPORT:-attach}" = service ]; then
		via "$1"
	else
		printf '%s\n' "$1"
	fi
}

# Loops over fault points (a full disk, a stop or a cut at a command's
# Nth write or frame) try every point they step to. TESTS_SAMPLE=K, which
# make check sets in the sanitizer build (where each command runs several
# times slower, and what is looked for is a memory error rather than a
# point left out), tries one point in K on average instead: the gap to
# the next is drawn between one step and 2K-1 steps, so that every phase
# of the command longer than that is still met, at points that differ
# from run to run. The seed is printed; TESTS_SEED=S draws the same
# points again.
SAMPLE=${TESTS_SAMPLE:-1}
case $SAMPLE in
'' | *[!0-9]* | 0) SAMPLE=1 ;;
esac
SEED=${TESTS_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
if [ "$SAMPLE" -gt 1 ]; then
	echo "$(basename "$0"): fault points sampled, one in $SAMPLE" \
	    "(TESTS_SEED=$SEED draws the same)" >&2
fi

# sample_next N STEP: the point after N in a loop that steps STEP at a
# time: N + STEP, or with TESTS_SAMPLE=K, N + STEP * (1 + a draw in
# [0, 2K-2]).
sample_next() {
	if [ "$SAMPLE" -le 1 ]; then
		echo $(($1 + $2))
	else
		# The Nth draw of the seed's sequence.
		awk -v n="$1" -v s="$2" -v k="$SAMPLE" -v seed="$SEED" 'BEGIN {
			srand(seed)
			for (i = 0; i < n; i++)
				r = rand()
			print n + s * (1 + int(r * (2 * k - 1))) }'
	fi
}

# sampled N: N points of a loop that tries every one are about N /
# TESTS_SAMPLE of a sampled loop (at least 1): what a loop's "it met
# enough points" check asks for.
sampled() {
	_s=$(($1 / SAMPLE))
	[ "$_s" -ge 1 ] || _s=1
	echo "$_s"
}

# Assertions that fail because of a known bug in crm are grouped in a
# subshell, marked "# BUG:", so that one does not hide the next:
#	( expect_status 2 ...; expect_err_contains ... ) || bug
# and the test ends with finish, which fails if any such block failed.
BUGS=0
bug() {
	BUGS=$((BUGS + 1))
}

finish() {
	LAST=
	[ "$BUGS" -eq 0 ] || fail "$BUGS block(s) of assertions marked BUG failed"
	exit 0
}
