// The process-wide thread pool and a deterministic parallel-for honouring
// scikit-learn's n_jobs.
//
// Why Eigen's ThreadPool and not OpenMP:
//  * No new dependency: it ships with Eigen (unsupported/Eigen/CXX11), which
//    every numerical package here uses anyway.
//  * It is plain C++11 threads and atomics, so ThreadSanitizer sees every
//    synchronisation; GCC's libgomp is not TSan-instrumented and reports
//    false races, which would make `--config=tsan` useless.
//  * One pool for the whole process and a thread budget: a parallel call
//    reserves helper threads among those no other call holds, so nested
//    parallel work (a parallel search over estimators that are themselves
//    parallel) gets exactly the cores the outer level leaves idle, and never
//    oversubscribes them.
//  * Work-stealing queues balance uneven tasks without OpenMP's schedule
//    tuning.
//
// Determinism: `ParallelFor` hands out task indices, and callers reduce
// per-task partial results in task order, so the result is bit-identical
// for any n_jobs. Tasks must therefore be defined by the data (fixed-size
// chunks), never by the number of threads.
#ifndef ECLIPSERA_CORE_PARALLEL_H_
#define ECLIPSERA_CORE_PARALLEL_H_

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera {

// Cores this process may use (at least 1): the CPUs of its affinity mask
// (taskset, numactl, container cpusets), capped by a cgroup CPU quota
// (docker --cpus, Kubernetes limits) rounded up. What n_jobs = -1 means.
int HardwareThreads();

namespace internal {
// Cores allowed by a cgroup CPU quota written "QUOTA PERIOD" (cgroup v2's
// cpu.max, or v1's cfs_quota_us and cfs_period_us joined by a space),
// rounded up; 0 when unlimited ("max ...", a negative quota) or unreadable.
int CpuQuotaCores(absl::string_view quota_and_period);
}  // namespace internal

// The n_jobs parameter's documentation, shared by every estimator (and
// shown by `eclipsera help ALGO`). Every estimator defaults to n_jobs = -1:
// results are bit-identical for any n_jobs, so using the machine costs
// nothing in reproducibility. scikit-learn's default n_jobs=None means one
// process for its joblib-based estimators (DBSCAN, MeanShift, t-SNE's
// neighbour search), while its KMeans (OpenMP) and BLAS-backed code already
// use every core.
inline constexpr char kNJobsDoc[] =
    "threads: -1 (default) every core this process may use (affinity mask "
    "and cgroup quota honoured), 1 serial, k > 1 k threads, -k all but k-1; "
    "results do not depend on it (scikit-learn's None means 1)";

// scikit-learn semantics: 1 -> serial, -1 -> all cores, k > 0 -> k threads,
// k < -1 -> (cores + 1 + k) threads (at least 1). InvalidArgument for 0.
absl::StatusOr<int> ResolveNJobs(int n_jobs);

// The most workers ParallelFor may use for n_jobs and n_tasks: resolved
// n_jobs capped by the cores and by n_tasks. Depends on nothing else, so it
// sizes per-worker scratch safely; ParallelFor may use fewer.
int NumWorkers(int n_jobs, Index n_tasks);

// Runs fn(task, worker) for every task in [0, n_tasks), the calling thread
// being worker 0, plus as many pool threads (up to NumWorkers(n_jobs,
// n_tasks) - 1) as the thread budget has idle: the pool threads running
// tasks never exceed HardwareThreads() - 1 across all nesting levels, so
// work started from one thread uses at most HardwareThreads() threads
// (several user threads calling at once each add themselves). A helper
// returns to the budget as soon as it finds no task left.
// A call nested in a serial outer loop gets its n_jobs; one nested in an
// outer level that uses every core runs serially on its caller.
// `worker` is in [0, NumWorkers(...)) and no two concurrent tasks of one
// call share a worker index, so it can index per-worker scratch. Returns
// after every task has finished. n_jobs must be valid (see ResolveNJobs);
// an invalid value runs serially. Results must not depend on the number of
// workers (tasks defined by the data, reduced in task order).
// Never allocates on the heap (hot loops may call it every iteration).
void ParallelFor(int n_jobs, Index n_tasks,
                 absl::FunctionRef<void(Index task, int worker)> fn);

// Splits [0, n) into fixed chunks of `chunk` items (the last may be shorter)
// and runs fn(begin, end, worker) for each, as ParallelFor does.
void ParallelForChunks(
    int n_jobs, Index n, Index chunk,
    absl::FunctionRef<void(Index begin, Index end, int worker)> fn);

// Number of chunks ParallelForChunks uses for n items.
inline Index NumChunks(Index n, Index chunk) {
  return n == 0 ? 0 : (n + chunk - 1) / chunk;
}

// True while the calling thread runs tasks of a ParallelFor that uses more
// than one thread (on a pool worker or as its caller).
bool InParallelRegion();

}  // namespace eclipsera

#endif  // ECLIPSERA_CORE_PARALLEL_H_
