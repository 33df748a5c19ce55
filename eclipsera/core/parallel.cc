// Process-wide Eigen thread pool and deterministic parallel-for.
#include "eclipsera/core/parallel.h"

#define EIGEN_USE_THREADS
#if defined(__linux__)
#include <sched.h>
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "unsupported/Eigen/CXX11/ThreadPool"

namespace eclipsera {
namespace {

// Set on threads while they run ParallelFor tasks (pool workers and the
// calling thread of a parallel call); InParallelRegion() reports it.
thread_local bool in_parallel_region = false;

// The thread budget: pool workers not reserved by any running ParallelFor.
// A parallel call reserves up to (its workers - 1) helpers; each helper
// returns its slot as soon as it finds no task left. So the helpers of all
// calls together never exceed HardwareThreads() - 1, and work started from
// one thread never runs on more than HardwareThreads() threads, whatever
// the nesting: a nested call gets the cores its outer level leaves idle.
std::atomic<int>& IdleHelpers() {
  static std::atomic<int> idle{HardwareThreads() - 1};
  return idle;
}

int ReserveHelpers(int wanted) {
  std::atomic<int>& idle = IdleHelpers();
  int current = idle.load(std::memory_order_relaxed);
  for (;;) {
    const int take = std::min(current, wanted);
    if (take <= 0) return 0;
    if (idle.compare_exchange_weak(current, current - take,
                                   std::memory_order_acq_rel)) {
      return take;
    }
  }
}

void ReleaseHelpers(int n) {
  IdleHelpers().fetch_add(n, std::memory_order_acq_rel);
}

Eigen::ThreadPool& ProcessPool() {
  // Workers for every core but the caller's, which takes part as worker 0.
  // Leaked on purpose: joining threads during static destruction races with
  // other static destructors.
  static Eigen::ThreadPool* pool =
      new Eigen::ThreadPool(std::max(1, HardwareThreads() - 1));
  return *pool;
}

}  // namespace

namespace internal {

int CpuQuotaCores(absl::string_view quota_and_period) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(quota_and_period, ' ', absl::SkipWhitespace());
  double quota = 0.0, period = 0.0;
  if (parts.size() != 2 || !absl::SimpleAtod(parts[0], &quota) ||
      !absl::SimpleAtod(parts[1], &period)) {
    return 0;  // "max 100000", "-1 100000" (v1) or unreadable: no limit.
  }
  if (!(quota > 0.0) || !(period > 0.0) || !std::isfinite(quota / period)) {
    return 0;
  }
  return static_cast<int>(
      std::min(4096.0, std::max(1.0, std::ceil(quota / period))));
}

}  // namespace internal

namespace {

// CPU time the cgroup may use, in cores (rounded up), or 0 when unlimited
// or unknown: cgroup v2's cpu.max ("max 100000" or "QUOTA PERIOD"), else
// cgroup v1's cpu.cfs_quota_us / cpu.cfs_period_us (quota -1: unlimited).
// Only the process's own cgroup mount at /sys/fs/cgroup is read, as
// container runtimes present it.
int CgroupCpuLimit() {
  std::ifstream v2("/sys/fs/cgroup/cpu.max");
  if (v2) {
    std::string line;
    std::getline(v2, line);
    return internal::CpuQuotaCores(line);
  }
  std::ifstream q("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
  std::ifstream p("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
  std::string qv, pv;
  if (q >> qv && p >> pv) return internal::CpuQuotaCores(qv + " " + pv);
  return 0;
}

int DetectCores() {
  int n = static_cast<int>(std::thread::hardware_concurrency());
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int allowed = CPU_COUNT(&set);
    if (allowed > 0) n = allowed;
  }
#endif
  const int quota = CgroupCpuLimit();
  if (quota > 0 && (n <= 0 || quota < n)) n = quota;
  return std::max(1, n);
}

}  // namespace

int HardwareThreads() {
  // Decided once per process: the pool is sized from it.
  static const int cores = DetectCores();
  return cores;
}

absl::StatusOr<int> ResolveNJobs(int n_jobs) {
  if (n_jobs == 0) {
    return absl::InvalidArgumentError(
        "n_jobs = 0, must be a positive thread count, -1 (all cores) or "
        "-k (all cores but k-1)");
  }
  if (n_jobs > 0) return n_jobs;
  return std::max(1, HardwareThreads() + 1 + n_jobs);
}

bool InParallelRegion() { return in_parallel_region; }

int NumWorkers(int n_jobs, Index n_tasks) {
  if (n_tasks <= 1) return 1;
  absl::StatusOr<int> resolved = ResolveNJobs(n_jobs);
  if (!resolved.ok()) return 1;
  // More threads than cores only adds switching; the pool has cores - 1
  // workers plus the caller.
  const int threads = std::min(*resolved, HardwareThreads());
  return static_cast<int>(std::min<Index>(threads, n_tasks));
}

void ParallelFor(int n_jobs, Index n_tasks,
                 absl::FunctionRef<void(Index task, int worker)> fn) {
  // Helpers come from the budget: none when the cores are busy (a nested
  // call inside a parallel outer level then runs serially), all it asks for
  // when the outer level runs serially. The serial path does not mark the
  // thread, so work nested in it may still go parallel.
  const int wanted = NumWorkers(n_jobs, n_tasks) - 1;
  const int helpers = wanted > 0 ? ReserveHelpers(wanted) : 0;
  if (helpers == 0) {
    for (Index t = 0; t < n_tasks; ++t) fn(t, 0);
    return;
  }
  const int workers = helpers + 1;
  // Everything the helpers need lives here, so each scheduled closure
  // captures one pointer: it fits std::function's inline buffer and
  // scheduling allocates nothing.
  struct Shared {
    Shared(absl::FunctionRef<void(Index, int)> f, Index n, unsigned helpers)
        : fn(f), n_tasks(n), barrier(helpers) {}
    absl::FunctionRef<void(Index, int)> fn;
    Index n_tasks;
    std::atomic<Index> next{0};
    std::atomic<int> next_worker{1};
    Eigen::Barrier barrier;
    void Run(int worker) {
      const bool was = in_parallel_region;
      in_parallel_region = true;
      for (;;) {
        const Index t = next.fetch_add(1, std::memory_order_relaxed);
        if (t >= n_tasks) break;
        fn(t, worker);
      }
      in_parallel_region = was;
    }
  };
  Shared shared(fn, n_tasks, static_cast<unsigned>(workers - 1));
  Shared* s = &shared;
  Eigen::ThreadPool& pool = ProcessPool();
  for (int w = 1; w < workers; ++w) {
    pool.Schedule([s] {
      s->Run(s->next_worker.fetch_add(1, std::memory_order_relaxed));
      // Out of tasks: this thread is idle from now on, so its slot goes
      // back to the budget at once (nested calls in the tasks still
      // running may use it), not when the whole call ends.
      ReleaseHelpers(1);
      s->barrier.Notify();
    });
  }
  s->Run(0);
  s->barrier.Wait();
}

void ParallelForChunks(
    int n_jobs, Index n, Index chunk,
    absl::FunctionRef<void(Index begin, Index end, int worker)> fn) {
  if (chunk < 1) chunk = 1;
  const Index n_chunks = NumChunks(n, chunk);
  ParallelFor(n_jobs, n_chunks, [&](Index c, int worker) {
    const Index begin = c * chunk;
    fn(begin, std::min(n, begin + chunk), worker);
  });
}

}  // namespace eclipsera
