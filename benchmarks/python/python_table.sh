#!/usr/bin/env bash
# The Python table (see python_table.py). Args: [--smoke]
set -euo pipefail
cd "${RUNFILES_DIR:-$0.runfiles}/eclipsera" 2>/dev/null || true
# run_python_test.sh: the package on PYTHONPATH, and the sanitizer runtime
# when the extension is instrumented (the smoke test under --config=asan).
export RUNFILES_DIR="$(dirname "${PWD}")"
exec python/run_python_test.sh benchmarks/python/python_table.py \
  python eclipsera/cli/eclipsera "$@"
