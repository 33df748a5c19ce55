#!/usr/bin/env bash
# Runs a benchmark binary briefly (smoke test); fails when it fails.
set -euo pipefail
bin="$1"
shift
"$bin" "$@" > "${TEST_UNDECLARED_OUTPUTS_DIR:-/tmp}/smoke_output.txt" 2>&1 || {
  cat "${TEST_UNDECLARED_OUTPUTS_DIR:-/tmp}/smoke_output.txt"
  exit 1
}
echo "smoke run of $(basename "$bin") passed"
