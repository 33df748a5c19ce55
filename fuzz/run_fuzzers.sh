#!/bin/bash
# Builds the CSV, .npy, estimator and spec (pipeline specs, parameter grids,
# splitters) fuzz targets with clang's libFuzzer plus
# AddressSanitizer and UndefinedBehaviorSanitizer (outside Bazel, which has no
# clang toolchain configured here) and runs each for SECONDS seconds on a
# copy of the seed corpus in fuzz/corpus/. Exits non-zero when a fuzzer
# finds a crash, a sanitizer report, a leak or a timeout; the reproducer is
# left in the work directory (printed) so it can be added to the corpus.
#
# Usage: fuzz/run_fuzzers.sh [SECONDS]   (default 30; from any directory)
# Environment: CXX (default clang++, falling back to clang++-14),
#              FUZZ_WORKDIR (default: a fresh mktemp directory),
#              FUZZ_KEEP=1 keeps the work directory after success,
#              FUZZ_TARGETS (default "csv npy estimator spec") the targets
#              to run.
set -euo pipefail

SECONDS_PER_TARGET="${1:-30}"
if ! [[ "${SECONDS_PER_TARGET}" =~ ^[0-9]+$ ]] || [[ "${SECONDS_PER_TARGET}" -lt 1 ]]; then
  echo "usage: $0 [SECONDS>=1]" >&2
  exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CXX="${CXX:-}"
if [[ -z "${CXX}" ]]; then
  if command -v clang++ >/dev/null; then CXX=clang++; else CXX=clang++-14; fi
fi
if ! command -v "${CXX}" >/dev/null; then
  echo "run_fuzzers.sh: ${CXX} not found (apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi

WORK="${FUZZ_WORKDIR:-$(mktemp -d -t eclipsera-fuzz.XXXXXX)}"
mkdir -p "${WORK}"

CXXFLAGS=(
  -std=c++17 -O1 -g -fno-omit-frame-pointer
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -I"${ROOT}" -I/usr/include/eigen3
)
# Only the Abseil libraries the readers call directly; their own
# dependencies come in through the shared libraries' DT_NEEDED entries.
LIBS=(-labsl_statusor -labsl_status -labsl_strings -labsl_int128
      -labsl_throw_delegate -labsl_raw_logging_internal)

# The estimator fuzzer links every algorithm: every library source of the
# packages the command's registry pulls in (tests and benchmarks excluded),
# with Highway and the threads of the process pool.
estimator_sources() {
  (cd "${ROOT}" && find eclipsera/core eclipsera/simd eclipsera/cluster \
      eclipsera/neighbors eclipsera/manifold eclipsera/mixture \
      eclipsera/decomposition eclipsera/preprocessing eclipsera/linear_model \
      eclipsera/metrics eclipsera/pool -name '*.cc' ! -name '*_test.cc' \
      ! -name '*_benchmark.cc' 2>/dev/null | sort | tr '\n' ' ')
  echo "eclipsera/cli/algorithms.cc"
}
# The spec fuzzer: the same, plus pipelines and model selection.
spec_sources() {
  estimator_sources
  (cd "${ROOT}" && find eclipsera/pipeline eclipsera/model_selection \
      -name '*.cc' ! -name '*_test.cc' | sort | tr '\n' ' ')
}
ESTIMATOR_LIBS=(-lhwy -labsl_str_format_internal -labsl_raw_hash_set -labsl_hash
                -labsl_base -labsl_spinlock_wait
                -labsl_city -labsl_low_level_hash -lpthread)

# target name -> sources besides the fuzzer itself.
declare -A SOURCES=(
  [csv]="eclipsera/io/csv.cc eclipsera/io/file.cc eclipsera/io/text.cc"
  [npy]="eclipsera/io/npy.cc eclipsera/io/file.cc eclipsera/io/text.cc"
  [estimator]="$(estimator_sources)"
  [spec]="$(spec_sources)"
)

status=0
declare -A BUILT=()
for target in ${FUZZ_TARGETS:-csv npy estimator spec}; do
  binary="${WORK}/${target}_fuzzer"
  srcs=("${ROOT}/fuzz/${target}_fuzzer.cc")
  for s in ${SOURCES[${target}]}; do srcs+=("${ROOT}/${s}"); done
  extra_libs=()
  if [[ ${target} == estimator || ${target} == spec ]]; then
    extra_libs=("${ESTIMATOR_LIBS[@]}")
  fi
  echo "== building ${target}_fuzzer"
  # One object per source (two cores), shared by the targets (the same
  # flags for all), then the link.
  objs=()
  mkdir -p "${WORK}/obj"
  pids=()
  for src in "${srcs[@]}"; do
    obj="${WORK}/obj/$(echo "${src#${ROOT}/}" | tr '/' '_').o"
    objs+=("${obj}")
    # Compiled for an earlier target of this run: reuse it.
    if [[ -n "${BUILT[${obj}]:-}" ]]; then continue; fi
    BUILT[${obj}]=1
    "${CXX}" "${CXXFLAGS[@]}" -c "${src}" -o "${obj}" &
    pids+=($!)
    if ((${#pids[@]} >= 2)); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  done
  for p in "${pids[@]}"; do wait "${p}"; done
  "${CXX}" "${CXXFLAGS[@]}" "${objs[@]}" "${extra_libs[@]}" "${LIBS[@]}" \
    -o "${binary}"

  corpus="${WORK}/${target}_corpus"
  mkdir -p "${corpus}" "${WORK}/${target}_artifacts"
  cp "${ROOT}/fuzz/corpus/${target}/"* "${corpus}/"
  echo "== running ${target}_fuzzer for ${SECONDS_PER_TARGET}s"
  if ! (cd "${WORK}" && \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "${binary}" -max_total_time="${SECONDS_PER_TARGET}" \
          -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
          -artifact_prefix="${WORK}/${target}_artifacts/" \
          "${corpus}" > "${WORK}/${target}.log" 2>&1); then
    echo "!! ${target}_fuzzer FAILED; log: ${WORK}/${target}.log" >&2
    tail -n 60 "${WORK}/${target}.log" >&2
    ls -l "${WORK}/${target}_artifacts/" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::new_units_added" \
      "${WORK}/${target}.log" | sed "s/^/   /"
  fi
done

if [[ ${status} -eq 0 && -z "${FUZZ_KEEP:-}" && -z "${FUZZ_WORKDIR:-}" ]]; then
  rm -rf "${WORK}"
else
  echo "work directory: ${WORK}"
fi
exit ${status}
