#!/usr/bin/env bash
# `bazel run //benchmarks:all`: runs every benchmark binary and roadmap
# table, in order, and prints their output (markdown tables from the table
# programs, Google Benchmark reports from the micro-benchmarks). Side-by-side
# scikit-learn runs happen when /usr/bin/python3 has scikit-learn.
#
# Extra arguments are passed to the Google Benchmark binaries
# (e.g. --benchmark_filter=NearestCenters). ECLIPSERA_BENCH_SEED=N changes
# the data of the tables' "defaults, end to end" rows (default 0).
set -uo pipefail
cd "${RUNFILES_DIR:-$0.runfiles}/eclipsera" 2>/dev/null || true

echo "# Eclipsera benchmarks"
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
if /usr/bin/python3 -c 'import sklearn; print("scikit-learn", sklearn.__version__)' 2>/dev/null; then
  :
else
  echo "scikit-learn: not installed, side-by-side columns are skipped"
fi

status=0
run() {
  local kind="$1" bin="$2"
  shift 2
  echo
  echo "## ${bin}"
  if [[ "$kind" == table ]]; then
    "./${bin}" || status=1
  else
    "./${bin}" --benchmark_min_time=0.2 "$@" || status=1
  fi
}

while read -r kind bin; do
  [[ -z "$kind" || "$kind" == \#* ]] && continue
  if [[ "$kind" == table ]]; then
    run table "$bin"
  else
    run gbench "$bin" "$@"
  fi
done < benchmarks/all_targets.txt
exit $status
