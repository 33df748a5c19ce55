#!/usr/bin/env bash
# `mpirun -np N eclipsera search|cross_validate` against the same command in
# one process: cv_results equal apart from times, with 2 ranks (shared
# memory) and 3 ranks (TCP over loopback), a candidate failing on a rank
# other than 0, a slow rank (dynamic balancing: every task once, the slow
# rank runs fewer), and bad input stopping every rank cleanly.
# Usage: mpi_test.sh ECLIPSERA_BINARY X.csv y.csv MPIRUN_SH
set -uo pipefail
BIN=$(realpath "$1")
X=$(realpath "$2")
Y=$(realpath "$3")
X_SUM=$(md5sum <"$X")
MPIRUN=("$(realpath "$4")")
PY=/usr/bin/python3
cd "${TEST_TMPDIR:-$(mktemp -d)}" || exit 1
TCP=(--mca btl self,tcp --mca btl_tcp_if_include lo)
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# The two files' cv_results, without the *_time columns, must be equal.
same_results() {
  "$PY" - "$1" "$2" <<'PYEOF'
import csv, sys
def load(p):
    rows = list(csv.reader(open(p)))
    keep = [i for i, k in enumerate(rows[0]) if not k.endswith("_time")]
    return [[r[i] for i in keep] for r in rows]
a, b = load(sys.argv[1]), load(sys.argv[2])
if a != b or len(a) < 2:
    print("cv_results differ:", sys.argv[1], sys.argv[2])
    sys.exit(1)
PYEOF
}

# A Python expression of `v`, the command's one output line as JSON.
field() {
  "$PY" -c 'import json,sys; v=json.loads(open(sys.argv[1]).read()); print(json.dumps(eval(sys.argv[2])))' "$1" "$2"
}

PIPE=(search --estimator "standardscaler|logisticregression"
  --param_grid '{"logisticregression__C": [0.001, 0.01, 0.1, 1, 10, 100]}'
  --scoring accuracy,f1_macro --refit accuracy --return_train_score
  --input "$X" --target "$Y" --n_jobs 1)
KM=(search --estimator "kmeans(n_init=2, random_state=0)"
  --param_grid '{"n_clusters": [2, 3, 4, 5, 6], "algorithm": ["lloyd", "elkan"]}'
  --input "$X" --n_jobs 2)

"$BIN" "${PIPE[@]}" --cv_results pipe1.csv >pipe1.json || fail "pipeline search, one process"
"${MPIRUN[@]}" -np 2 "$BIN" "${PIPE[@]}" --cv_results pipe2.csv >pipe2.json ||
  fail "pipeline search, 2 ranks"
"${MPIRUN[@]}" "${TCP[@]}" -np 3 "$BIN" "${PIPE[@]}" --cv_results pipe3.csv \
  >pipe3.json || fail "pipeline search, 3 ranks over TCP"
same_results pipe1.csv pipe2.csv || fail "pipeline: 2 ranks differ"
same_results pipe1.csv pipe3.csv || fail "pipeline: 3 ranks differ"
[[ $(field pipe3.json 'v["best_params"]') == "$(field pipe1.json 'v["best_params"]')" ]] ||
  fail "pipeline: best_params differ"
[[ $(field pipe3.json 'v["distributed"]["ranks"]') == 3 ]] || fail "ranks not 3"
[[ $(field pipe3.json 'sum(v["distributed"]["tasks_per_rank"])') == 30 ]] ||
  fail "pipeline: tasks per rank do not add up to 30"
[[ $(field pipe3.json 'v["distributed"]["broadcast_bytes"]') == 21600 ]] ||
  fail "pipeline: broadcast bytes (300 x 8 + 300 doubles)"
[[ $(field pipe3.json 'v["pool_statistics"]["acquisitions"]') == 30 ]] ||
  fail "pool statistics not aggregated over ranks"

"$BIN" "${KM[@]}" --cv_results km1.csv >km1.json || fail "kmeans search, one process"
"${MPIRUN[@]}" "${TCP[@]}" -np 3 "$BIN" "${KM[@]}" --cv_results km3.csv \
  >km3.json || fail "kmeans search, 3 ranks"
same_results km1.csv km3.csv || fail "kmeans: 3 ranks differ"

# Successive halving: one executor run per iteration, same rows.
HALVING=(search --search halving_grid --factor 2 --random_state 0
  --estimator "standardscaler|logisticregression"
  --param_grid '{"logisticregression__C": [0.001, 0.01, 0.1, 1, 10, 100, 1000]}'
  --input "$X" --target "$Y" --n_jobs 1)
"$BIN" "${HALVING[@]}" --cv_results halving1.csv >/dev/null || fail "halving, one process"
"${MPIRUN[@]}" -np 2 "$BIN" "${HALVING[@]}" --cv_results halving2.csv \
  >/dev/null || fail "halving, 2 ranks"
same_results halving1.csv halving2.csv || fail "halving: 2 ranks differ"

# A candidate that fails, run only by ranks 1 and 2 (rank 0 hands out).
BAD=(search --estimator "standardscaler|logisticregression"
  --param_grid '{"logisticregression__C": [-1, 0.1, 1]}'
  --input "$X" --target "$Y" --n_jobs 1)
"$BIN" "${BAD[@]}" --cv_results bad1.csv >bad1.json 2>/dev/null || fail "bad, one process"
"${MPIRUN[@]}" -x ECLIPSERA_MPI_COORDINATOR_TASKS=0 -np 3 "$BIN" "${BAD[@]}" \
  --cv_results bad3.csv >bad3.json 2>bad3.err || fail "bad, 3 ranks"
same_results bad1.csv bad3.csv || fail "failing candidate: results differ"
[[ $(field bad3.json 'v["distributed"]["tasks_per_rank"][0]') == 0 ]] ||
  fail "rank 0 ran tasks although told not to"
[[ $(field bad3.json 'v["warnings"]') == "$(field bad1.json 'v["warnings"]')" ]] ||
  fail "failing candidate: warnings differ"
grep -q "C = -1" bad3.err || fail "the remote failure is not reported"

# A slow rank (rank 1) beside a normal one (rank 2; rank 0 only hands
# out): every task still runs once; the slow rank runs fewer.
"${MPIRUN[@]}" -x ECLIPSERA_MPI_SLOW_RANK=1:0.2 \
  -x ECLIPSERA_MPI_COORDINATOR_TASKS=0 -np 3 "$BIN" "${PIPE[@]}" \
  --cv_results slow.csv >slow.json || fail "slow rank"
same_results pipe1.csv slow.csv || fail "slow rank: results differ"
counts=$(field slow.json 'v["distributed"]["tasks_per_rank"]')
"$PY" -c "import sys; c=$counts; sys.exit(0 if sum(c)==30 and c[1] < c[2] else 1)" ||
  fail "slow rank: tasks per rank $counts"

# cross_validate.
CV=(cross_validate --estimator "standardscaler|logisticregression(C=0.5)"
  --cv "stratifiedkfold(n_splits=4, shuffle=true, random_state=1)"
  --scoring accuracy --input "$X" --target "$Y")
"$BIN" "${CV[@]}" >cv1.json || fail "cross_validate, one process"
"${MPIRUN[@]}" -np 2 "$BIN" "${CV[@]}" >cv2.json || fail "cross_validate, 2 ranks"
[[ $(field cv2.json 'v["test_score"]') == "$(field cv1.json 'v["test_score"]')" ]] ||
  fail "cross_validate scores differ"

# Bad input: every rank stops with rank 0's message, nobody hangs.
timeout 60 "${MPIRUN[@]}" -np 2 "$BIN" "${PIPE[@]/$X/missing.csv}" \
  >/dev/null 2>missing.err
rc=$?
((rc != 0 && rc != 124)) || fail "missing input: exit code $rc"
grep -q "missing.csv" missing.err || fail "missing input: no message"
# The output check happens on rank 0 only, and every rank follows it.
timeout 60 "${MPIRUN[@]}" -np 2 "$BIN" "${PIPE[@]}" --cv_results "$X" \
  >/dev/null 2>same.err
rc=$?
((rc != 0 && rc != 124)) || fail "output = input: exit code $rc"
grep -q "refusing to overwrite" same.err || fail "output = input: no message"
[[ $(md5sum <"$X") == "$X_SUM" ]] || fail "input changed"
# --fit_timeout needs mpirun; under it a hanging rank stops the job.
"$BIN" "${PIPE[@]}" --fit_timeout 5 >/dev/null 2>&1 && fail "--fit_timeout alone"
timeout 60 "${MPIRUN[@]}" -x ECLIPSERA_MPI_SLOW_RANK=1:30 -np 2 "$BIN" \
  "${PIPE[@]}" --fit_timeout 0.5 >/dev/null 2>timeout.err
rc=$?
((rc != 0 && rc != 124)) || fail "fit timeout: exit code $rc"
grep -q "rank 1 has been running task" timeout.err ||
  fail "fit timeout: no message naming rank 1"

if ((failures)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "all MPI checks passed"
