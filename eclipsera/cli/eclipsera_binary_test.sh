#!/bin/bash
# Smoke test of the built `eclipsera` binary: exit codes and stderr for the
# commands that work with any set of registered algorithms.
set -u
BIN="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BIN" list > out.txt 2> err.txt || fail "list exited $?"
[[ -s err.txt ]] && fail "list wrote to stderr: $(cat err.txt)"

"$BIN" --help > out.txt 2>&1 || fail "--help exited $?"
grep -q "usage: eclipsera list" out.txt || fail "--help output: $(cat out.txt)"

"$BIN" > out.txt 2> err.txt; rc=$?
[[ $rc -eq 2 ]] || fail "no arguments exited $rc, expected 2"
grep -q "usage:" err.txt || fail "no usage on stderr"

"$BIN" NoSuchAlgorithm --input x.csv > out.txt 2> err.txt; rc=$?
[[ $rc -eq 2 ]] || fail "unknown algorithm exited $rc, expected 2"
grep -q "unknown algorithm 'NoSuchAlgorithm'" err.txt || fail "message: $(cat err.txt)"
[[ -s out.txt ]] && fail "stdout not empty on error"
echo PASS
