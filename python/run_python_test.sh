#!/usr/bin/env bash
# Runs a Python script (a test, the Python benchmark table) against the
# built package with Debian's Python (which has numpy and scikit-learn),
# from the runfiles root. Args: SCRIPT.py [ARGS...]
set -euo pipefail
cd "${RUNFILES_DIR:-$0.runfiles}/eclipsera"
native=python/eclipsera/_native.so
# Under --config=asan/tsan the extension is instrumented; the interpreter is
# not. ASan works when its runtime is preloaded (leaks are the
# interpreter's, not ours: not checked); TSan cannot be preloaded into a
# running CPython reliably, so the Python tests are skipped there (the C++
# tests cover the same code under TSan).
# (ldd's output is read whole first: `ldd | grep -q` under pipefail fails
# at random when grep exits before ldd has written everything.)
libs="$(ldd "${native}")"
if [[ "${libs}" == *libtsan* ]]; then
  echo "skipped: the Python tests do not run under ThreadSanitizer"
  exit 0
fi
if [[ "${libs}" == *libasan* ]]; then
  # libstdc++ with it, or ASan's __cxa_throw interceptor finds no real one.
  export LD_PRELOAD="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libstdc++.so.6)"
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
fi
export PYTHONPATH="${PWD}/python"
exec /usr/bin/python3 "$@"
