#!/usr/bin/env bash
# Every check of the project, in the order a failure is cheapest to see:
#   1. the format check (clang-format, Google style, .clang-format);
#   2. all Bazel tests (unit, golden, smoke runs of every benchmark);
#   3. every test again under AddressSanitizer + UBSan, then under
#      ThreadSanitizer (the n_jobs determinism and pool stress tests are
#      the ones that run threads);
#   4. the consumer workspace (examples/consumer) builds and runs;
#   5. short libFuzzer runs of the file readers and of every estimator.
# Usage: ./test.sh            (what CI runs through .ci/run)
#        ./test.sh --coverage [--detail=eclipsera/PACKAGE]
#                             (line coverage per package of eclipsera/, from
#                              every test built with gcov instrumentation;
#                              --detail lists a package's unreached lines)
set -uo pipefail
cd "$(dirname "$0")"

if [[ "${1:-}" == "--coverage" ]]; then
  # Fresh counts: stale .gcda files would mix in earlier runs.
  find -L bazel-out/k8-fastbuildcoverage -name '*.gcda' -delete 2>/dev/null
  ./bazelw test --config=coverage --nocache_test_results //eclipsera/... ||
    exit 1
  exec python3 tools/coverage_report.py bazel-out/k8-fastbuildcoverage/bin . \
    "${@:2}"
fi

passed=0
failed=0
step() {
  local name="$1"
  shift
  echo "=== ${name}"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "=== ${name}: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    echo "=== ${name}: FAILED ($((SECONDS - start)) s)"
  fi
}

# Installs what is missing (bazelw does the same for every command).
./bazelw version >/dev/null 2>&1 || true

format_check() {
  local bad=()
  while IFS= read -r f; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done < <(git ls-files '*.cc' '*.h')
  if ((${#bad[@]})); then
    echo "not clang-formatted (run clang-format -i): ${bad[*]}"
    return 1
  fi
}

consumer() {
  (cd examples/consumer && ../../bazelw run //:consumer 2>&1 | tail -3)
  local rc=$?
  (cd examples/consumer && bazel shutdown >/dev/null 2>&1)
  return $rc
}

step "format" format_check
step "bazel test //..." ./bazelw test //...
step "asan + ubsan, every test" ./bazelw test --config=asan //...
step "tsan, every test" ./bazelw test --config=tsan //...
step "consumer workspace" consumer
if [[ -x fuzz/run_fuzzers.sh ]]; then
  step "fuzz (short)" fuzz/run_fuzzers.sh "${FUZZ_SECONDS:-10}"
fi

echo "test.sh: ${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
