#!/usr/bin/env bash
# Fails when all_targets.txt names a binary that :all does not depend on,
# or when :all depends on a binary that all_targets.txt does not run.
set -euo pipefail
cd "${TEST_SRCDIR}/eclipsera/benchmarks"
listed=$(grep -v '^#' all_targets.txt | awk 'NF {print $2}' | sed 's|^benchmarks/||' | sort)
deps=$(grep -o '"//benchmarks/[a-z_]*:[a-z_]*"' BUILD.bazel | tr -d '"' | sed 's|^//benchmarks/||; s|:|/|' | sort)
if [[ "$listed" != "$deps" ]]; then
  echo "all_targets.txt and :all's data differ:"
  diff <(echo "$listed") <(echo "$deps") || true
  exit 1
fi
echo "all_targets.txt matches :all"
