#!/bin/sh
# sync-protocol.sh: the sync protocol attacked from the local's side
# (RULES.md T1-T8, include/wire.h). A client of its own (python3) speaks
# to `crm serve DIR` on a pipe, as a hostile laptop could through its
# ssh key, and says what crm never would: garbage for a greeting, another
# version, frames of no known type, too long or cut short, frames out of
# order, a HELLO that waits too long, a NEED for a file outside the
# user's scope, a round left half-way. Each must end with one clear
# error, and nothing on the master changes that was not committed whole.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "sync-protocol.sh: no python3: the protocol's attacks not tested" >&2
	exit 77
fi

TYPES="company contact note event task opportunity campaign target issue document template user"

# The client. `client.py DIR CASE [ARG...]` runs crm serve on DIR (the
# environment's SERVE_USER, if set, is its --user), speaks the case, and
# prints what came back: a line per frame ("HELLO", "ERROR <message>",
# "FILE <id> <present>", "DATA <bytes>"...), then "STATUS <exit status>"
# and "STDERR <its standard error, on one line>".
cat >"$T/client.py" <<'EOF'
import os, subprocess, sys, time

B32 = "0123456789abcdefghjkmnpqrstvwxyz"
L_HELLO, L_UP, L_END, L_ROUND, L_COMMIT, L_NEED, L_FILE, DATA, DATA_END = \
    range(1, 10)
M_NAMES = ["HELLO", "BUSY", "ERROR", "VERDICT", "CONFLICT", "FEED", "LEFT",
    "RANGE", "DIGEST", "END", "NEED", "READY", "FILE", "COMMITTED"]
NTYPES = 12
COMPANY, DOCUMENT = 1, 10

def uint(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)

def text(s):
    s = s.encode() if isinstance(s, str) else s
    return uint(len(s)) + s

def rid(t):
    v = 0
    for c in t:
        v = v * 32 + B32.index(c)
    return v.to_bytes(16, "big")

def idtext(b):
    v = int.from_bytes(b, "big")
    return "".join(B32[(v >> (5 * i)) & 31] for i in range(25, -1, -1))

def frame(t, payload=b""):
    return bytes([t]) + len(payload).to_bytes(4, "big") + payload

def stamp():
    return int(time.time() * 1000) << 16

def record(ident, fields, ext=b""):
    r = bytes([1]) + text(ext) + rid(ident)
    r += uint(stamp()) + text("BEN01") + uint(stamp()) + text("BEN01")
    r += uint(0) + uint(0) + uint(len(fields))
    for name, value in fields:
        r += text(name) + text(value) + uint(stamp())
    return r

# The fields' version this crm was built with (include/model.h).
MODEL = int(os.environ["MODEL_FIELDS_VERSION"])

def hello(login, password, claim, wait=0, model=MODEL, mode=0, last_seq=0,
    flags=0):
    p = uint(mode) + text(login) + text(password) + text(claim)
    p += uint(last_seq) + uint(0) + uint(0) + uint(stamp()) + uint(wait)
    p += uint(flags) + uint(model) + text("forged 1")
    return frame(L_HELLO, p)

def up(t, rec, content=0):
    return frame(L_UP, uint(t) + text(rec) + uint(content))

def ends(first=0):
    return b"".join(frame(L_END, uint(t)) for t in range(first, NTYPES))

def getuint(p, i):
    v = s = 0
    while True:
        b = p[i]
        i += 1
        v |= (b & 0x7f) << s
        s += 7
        if not b & 0x80:
            return v, i

def gettext(p, i):
    n, i = getuint(p, i)
    return p[i:i + n], i + n

def describe(t, p):
    name = M_NAMES[t - 32] if 32 <= t < 32 + len(M_NAMES) else \
        {DATA: "DATA", DATA_END: "DATA_END"}.get(t, "TYPE%d" % t)
    if name == "ERROR":
        code, i = getuint(p, 0)
        msg, i = gettext(p, i)
        return "ERROR %s" % msg.decode(errors="replace")
    if name == "FILE":
        t, i = getuint(p, 0)
        return "FILE %s %d" % (idtext(p[i:i + 16]), p[i + 16])
    if name == "DATA":
        return "DATA %s" % p.decode(errors="replace").strip()
    if name == "HELLO" and p:
        # The progress bars' counts, one a file: "HELLO n n n...".
        i = 0
        for k in range(3):
            x, i = gettext(p, i)
        for k in range(5):
            x, i = getuint(p, i)
        n, i = getuint(p, i)
        counts = []
        for k in range(n):
            x, i = getuint(p, i)
            counts.append(str(x))
        return " ".join(["HELLO"] + counts)
    if name == "VERDICT":
        t, i = getuint(p, 0)
        code, j = getuint(p, i + 16)
        return "VERDICT %s %d" % (idtext(p[i:i + 16]), code)
    return name

def main():
    d, case, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    greeting = b"crm-sync 1 1 crm forged\n"
    login = os.environ.get("LOGIN", "ben")
    pw = os.environ.get("PASSWORD", "benpw1")
    claim = os.environ["MASTER_ID"]
    h = hello(login, pw, claim)
    if case == "garbage":
        data = b"SSH-2.0-OpenSSH_9.9 what is this\n" + h
    elif case == "no-newline":
        data = b"x" * 5000
    elif case == "version":
        data = b"crm-sync 7 9 crm 9.9\n" + h
    elif case == "unknown-type":
        data = greeting + frame(200, b"hello")
    elif case == "master-type":
        data = greeting + frame(32, b"")
    elif case == "oversized":
        data = greeting + bytes([L_HELLO]) + (0xffffffff).to_bytes(4, "big") \
            + b"x" * 1000
    elif case == "truncated":
        data = greeting + h[:len(h) - 7]
    elif case == "short-hello":
        p = h[5:]
        data = greeting + frame(L_HELLO, p[:len(p) // 2])
    elif case == "long-hello":
        data = greeting + frame(L_HELLO, h[5:] + b"trailing")
    elif case == "up-first":
        data = greeting + up(COMPANY, record(args[0], [("phone", "x")]))
    elif case == "commit-first":
        data = greeting + h + frame(L_COMMIT, uint(stamp()))
    elif case == "need-first":
        data = greeting + h + frame(L_NEED, uint(DOCUMENT) + rid(args[0]))
    elif case == "data-first":
        data = greeting + h + frame(DATA, b"stray content")
    elif case == "progress":
        data = greeting + hello(login, pw, claim, flags=1) + ends() + \
            frame(L_ROUND, uint(1)) + frame(L_COMMIT, uint(stamp()))
    elif case == "huge-wait":
        data = greeting + hello(login, pw, claim, wait=1 << 40)
    elif case == "bad-type":
        data = greeting + h + frame(L_UP, uint(99) + text(b"") + uint(0))
    elif case == "zero-id":
        data = greeting + h + up(0, record("0" * 26, [("login", "x")]))
    elif case == "wrong-file":
        # A company's record while the master takes users.
        data = greeting + h + up(COMPANY, record(args[0], [("phone", "x")]))
    elif case == "content-on-company":
        data = greeting + h + frame(L_END, uint(0)) + \
            up(COMPANY, record(args[0], [("phone", "x")]), 1)
    elif case == "round-flood":
        data = greeting + h + b"".join(up(0, record(args[0],
            [("name", "flood")])) for i in range(2001))
    elif case in ("cut-before-commit", "commit", "cut-before-round"):
        data = greeting + h + frame(L_END, uint(0)) + \
            up(COMPANY, record(args[0], [("phone", args[1])])) + ends(1)
        if case != "cut-before-round":
            data += frame(L_ROUND, uint(1))
        if case == "commit":
            data += frame(L_COMMIT, uint(stamp()))
    elif case == "cut-mid-file":
        rec = record(args[0], [("filename", "cut.txt")])
        data = greeting + h + ends(0)[:0] + \
            b"".join(frame(L_END, uint(t)) for t in range(DOCUMENT)) + \
            up(DOCUMENT, rec, 1) + frame(DATA, b"half a file")
    elif case == "need":
        data = greeting + h + ends() + frame(L_ROUND, uint(1))
        for i in args:
            data += frame(L_NEED, uint(DOCUMENT) + rid(i))
        data += frame(L_COMMIT, uint(stamp()))
    elif case == "newer-field":
        h = hello(login, pw, claim, model=MODEL + 1)
        data = greeting + h + frame(L_END, uint(0)) + \
            up(COMPANY, record(args[0], [(args[1], args[2])])) + ends(1) + \
            frame(L_ROUND, uint(1)) + frame(L_COMMIT, uint(stamp()))
    else:
        sys.exit("client.py: no case " + case)
    argv = [os.environ["CRM"], "serve"]
    if os.environ.get("SERVE_USER"):
        argv += ["--user", os.environ["SERVE_USER"]]
    p = subprocess.Popen(argv + [d], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(data, timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        print("TIMEOUT")
    nl = out.find(b"\n")
    print("GREETING %s" % out[:nl].decode(errors="replace"))
    i = nl + 1
    while i + 5 <= len(out):
        t, n = out[i], int.from_bytes(out[i + 1:i + 5], "big")
        print(describe(t, out[i + 5:i + 5 + n]))
        i += 5 + n
    if i != len(out):
        print("TRAILING %d" % (len(out) - i))
    print("STATUS %d" % p.returncode)
    print("STDERR %s" % err.decode(errors="replace").replace("\n", " | "))

main()
EOF

# The fields' version of this build, which a HELLO declares.
model=$(sed -n 's/^#define MODEL_FIELDS_VERSION[[:space:]]*\([0-9]*\).*/\1/p' \
    "$TESTS_SRCDIR/../include/model.h")
[ -n "$model" ] || fail "no MODEL_FIELDS_VERSION in $TESTS_SRCDIR/../include/model.h"

# client CASE [ARG...]: the conversation's transcript in $OUT.
client() {
	run env CRM="$CRM" MODEL_FIELDS_VERSION="$model" \
	    MASTER_ID="${MASTER_ID:-$mid}" python3 "$T/client.py" "$M" "$@"
	[ "$STATUS" -eq 0 ] || fail "the client failed: $ERR"
}

# A transcript that ends with one clear error: crm serve's exit status 1,
# its one line on standard error saying $1, and an ERROR frame saying the
# same when the conversation had begun ($2 = frame).
expect_refused() {
	expect_out_contains "STATUS 1"
	expect_out_contains "STDERR crm: "
	_e=$(printf '%s\n' "$OUT" | sed -n 's/^STDERR //p')
	case $_e in
	*"$1"*) ;;
	*) fail "crm serve's error lacks \"$1\": $_e" ;;
	esac
	case $_e in
	*" | "?*) fail "crm serve said more than one line: $_e" ;;
	esac
	if [ "${2:-}" = frame ]; then
		expect_out_contains "ERROR "
		[ "$(printf '%s\n' "$OUT" | grep -c '^ERROR ')" -eq 1 ] ||
		    fail "more than one ERROR frame"
		printf '%s\n' "$OUT" | grep '^ERROR ' | grep -qF "$1" ||
		    fail "the ERROR frame does not say \"$1\""
	fi
	expect_out_lacks COMMITTED
	expect_out_lacks TIMEOUT
	expect_out_lacks TRAILING
}

master_snap() {
	: >"$1"
	for _ty in $TYPES; do
		root "$M" export "$_ty" >>"$1" || fail "cannot export $_ty"
	done
	for _d in documents templates; do
		(cd "$M/$_d" && ls -A && cat ./*) >>"$1" 2>/dev/null || :
	done
}

before() {
	master_snap "$T/before"
}

unchanged() {
	master_snap "$T/after"
	cmp -s "$T/before" "$T/after" ||
	    fail "$1 changed the master: $(diff "$T/before" "$T/after" | head -n 8)"
	[ -z "$(find "$M/documents" "$M/templates" -name '*.up-*')" ] ||
	    fail "$1 left a staged file in the master"
	[ -z "$(store_holder)" ] || fail "$1 left the master locked: $(store_holder)"
}

# Who holds the master's lock (python3 asks fcntl), or nothing.
store_holder() {
	python3 -c '
import fcntl, sys
f = open(sys.argv[1], "a+")
try:
    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
except OSError:
    print("held")
' "$M/lock"
}

M=$T/master
make_master "$M"
add_user "$M" ben BEN01 benpw1 --type remote --restricted
add_user "$M" anna ANNA1 annapw
mid=$(sed -n 's/^ *id = "\(.*\)";$/\1/p' "$M/crm.conf")
[ -n "$mid" ] || fail "no master ID in $M/crm.conf"
cb=$(root "$M" add company name=BenCo phone=100 account_manager=BEN01)
ca=$(root "$M" add company name=AnnaCo phone=900 account_manager=ANNA1)
printf 'BEN-FILE\n' >"$T/ben.txt"
printf 'ANNA-FILE-SECRET\n' >"$T/anna.txt"
db=$(root "$M" attach company "$cb" "$T/ben.txt" --description BenDoc)
da=$(root "$M" attach company "$ca" "$T/anna.txt" --description AnnaDoc)

# --- the client speaks the protocol: a round committed, a file sent ---------------
# (so that what is refused below is refused for what it says, not for how)
client commit "$cb" proto-committed
expect_out_contains "GREETING crm-sync 1 1 crm"
expect_out_contains HELLO
expect_out_contains READY
expect_out_contains COMMITTED
expect_out_contains "STATUS 0"
expect_ok root "$M" get company "$cb"
expect_out_contains phone=proto-committed
client need "$db"
expect_out_contains "FILE $db 1"
expect_out_contains "DATA BEN-FILE"
expect_out_contains COMMITTED

before
# --- the greeting --------------------------------------------------------------------
client garbage
expect_refused "the local did not answer as crm does"
expect_out_lacks "ERROR "
client no-newline
expect_refused "greeting"
client version
expect_refused "speaks the sync protocol 7 to 9"
unchanged "a bad greeting"

# --- frames that are not frames -------------------------------------------------------
client unknown-type
expect_refused "unknown type 200"
client master-type
expect_refused "where the master expected a frame of the local's" frame
client oversized
expect_refused "over the limit"
client truncated
expect_refused "in the middle of a frame"
client short-hello
expect_refused "a malformed HELLO frame" frame
client long-hello
expect_refused "bytes left over" frame
client huge-wait
expect_refused "a malformed HELLO frame" frame
client bad-type
expect_refused "a malformed UP frame" frame
unchanged "malformed frames"

# --- frames out of order ----------------------------------------------------------------
client up-first "$cb"
expect_refused "UP frame where the master expected HELLO" frame
client commit-first
expect_refused "COMMIT frame where the master expected UP, END or ROUND" frame
client need-first "$db"
expect_refused "NEED frame where the master expected UP, END or ROUND" frame
expect_out_lacks "DATA "
client data-first
expect_refused "DATA frame where the master expected UP, END or ROUND" frame
client zero-id
expect_refused "out of order" frame
client wrong-file "$cb"
expect_refused "the local sent a company record out of order" frame
client content-on-company "$cb"
expect_refused "sent a file with a company" frame
client round-flood "$cb"
expect_refused "more than 2000 records in one round" frame
unchanged "frames out of order"

# --- T1, T8: who may speak -----------------------------------------------------------------
PASSWORD=wrong client commit "$cb" proto-wrong-password
expect_refused "login refused for ben by the master" frame
LOGIN=nobody client commit "$cb" proto-nobody
expect_refused "login refused for nobody by the master" frame
SERVE_USER=anna client commit "$cb" proto-other-key
expect_refused "this key may sync only as anna, not as ben" frame
MASTER_ID=01m00000000000000000000000 client commit "$cb" proto-other-master
expect_refused "is not the master this local was made from" frame
unchanged "a conversation with the wrong credentials"

# --- T7: a NEED for a file outside the scope -------------------------------------------------
client need "$da" "$db" 01m00000000000000000000000
expect_out_contains "FILE $da 0"
expect_out_contains "FILE $db 1"
expect_out_contains "FILE 01m00000000000000000000000 0"
expect_out_lacks ANNA-FILE-SECRET
expect_out_contains COMMITTED
unchanged "NEEDs"
# A link in the master's own documents/ (put there by someone who can
# write its files, T8) is never followed: nothing is sent.
mv "$M/documents/$db" "$T/db-file"
ln -s "$T/anna.txt" "$M/documents/$db"
client need "$db"
expect_out_contains "FILE $db 0"
expect_out_lacks ANNA-FILE-SECRET
rm "$M/documents/$db"
mv "$T/db-file" "$M/documents/$db"

# --- S15, T6: the progress bars count only what the user may see ---------------------
# A first sync's counts, for restricted ben: every user (they are his to
# see), his company and its document, and none of anna's (the master has
# 2 companies and 2 documents).
client progress
expect_out_contains "HELLO 3 1 0 0 0 0 0 0 0 0 1 0"
expect_out_contains COMMITTED

# --- B5: a conversation closed half-way commits nothing -----------------------------------------
client cut-before-round "$cb" proto-cut-1
expect_refused "closed the connection in the middle of the sync"
client cut-before-commit "$cb" proto-cut-2
expect_out_contains READY
expect_refused "closed the connection in the middle of the sync"
client cut-mid-file "$db"
expect_refused "closed the connection in the middle of the sync"
unchanged "a conversation closed before COMMIT"
! grep -rqF "half a file" "$M/documents" ||
    fail "the master's documents/ hold the half of a file"

# --- T5: a newer local's fields ------------------------------------------------------------------
# A local that says it is newer may send fields this master does not know
# (they are kept for it); an older local may carry them unchanged when it
# edits the record, and never set them itself.
client newer-field "$cb" future_field from-a-newer-crm
expect_out_contains COMMITTED
grep -rqF from-a-newer-crm "$M" || fail "the newer local's field was not kept"
use_service
LB=$T/local-ben
CRM_PASSWORD=benpw1 expect_ok "$CRM" -u ben init --local "$LB" \
    --master "$(via "$M")"
CRM_PASSWORD=benpw1 expect_ok "$CRM" -d "$LB" sync
CRM_PASSWORD=benpw1 expect_ok "$CRM" -d "$LB" set company "$cb" phone=older-edit
CRM_PASSWORD=benpw1 expect_ok "$CRM" -d "$LB" sync
expect_out_lacks Refused
expect_ok root "$M" get company "$cb"
expect_out_contains phone=older-edit
grep -rqF from-a-newer-crm "$M" || fail "the newer local's field was lost"
# An older local that sets it (tests/forge writes it) is refused.
# (The local is encrypted: forge opens it with its user's password.)
CRM_PASSWORD=benpw1 "$(dirname "$CRM")/tests/forge" "$LB" put company "$cb" \
    future_field=set-by-an-older-crm >/dev/null || fail "forge failed"
CRM_PASSWORD=benpw1 expect_ok "$CRM" -d "$LB" sync
expect_out_contains "Refused: company $cb: future_field is not a field of a company"
expect_ok root "$M" export company
expect_out_contains older-edit
! grep -rqF set-by-an-older-crm "$M"/*.db ||
    fail "the master took a field an older crm set"

finish
