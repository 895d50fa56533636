#!/bin/sh
# The fuzzers' corpora (tests/fuzz/corpus/TARGET) replayed as ordinary
# inputs: each harness, linked with tests/fuzz/replay.c by the normal
# build, runs on every file kept for it, so an input that once crashed a
# reader (and any other the fuzzers found interesting) is tried on every
# make check, without libFuzzer. doc/fuzzing.md runs the fuzzers.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

BIN=$(dirname "$CRM")/tests/fuzz
CORPUS=$TESTS_SRCDIR/fuzz/corpus
export TMPDIR="$T"

for target in record wire csv vcard ical cfg; do
	replay=$BIN/replay-$target
	[ -x "$replay" ] || fail "$replay is not built (make check builds it)"
	[ -d "$CORPUS/$target" ] || fail "no corpus for $target in $CORPUS"
	n=$(find "$CORPUS/$target" -type f | wc -l)
	[ "$n" -gt 0 ] || fail "the corpus of $target is empty"
	if find "$CORPUS/$target" -type f -exec "$replay" {} + \
	    >"$T/out" 2>"$T/err"; then
		continue
	fi
	# Name the input: one at a time until it fails again.
	for f in "$CORPUS/$target"/*; do
		if ! "$replay" "$f" >"$T/out" 2>"$T/err"; then
			sed -n 1,40p "$T/err" >&2
			fail "$target: the input $f fails"
		fi
	done
	sed -n 1,40p "$T/err" >&2
	fail "$target: the corpus fails as a whole, no input alone"
done
# Every harness cleaned up its scratch directory.
left=$(find "$T" -name 'crm-fuzz.*' | head -n 1)
[ -z "$left" ] || fail "a harness left $left behind"
exit 0
