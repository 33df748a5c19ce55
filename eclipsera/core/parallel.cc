// Process-wide Eigen thread pool and deterministic parallel-for.
#include "eclipsera/core/parallel.h"

#define EIGEN_USE_THREADS
#include <algorithm>
#include <atomic>
#include <thread>

#include "unsupported/Eigen/CXX11/ThreadPool"

namespace eclipsera {
namespace {

// Set on threads while they run ParallelFor work (pool workers and the
// calling thread), so nested calls run inline.
thread_local bool in_parallel_region = false;

Eigen::ThreadPool& ProcessPool() {
  // Workers for every core but the caller's, which takes part as worker 0.
  // Leaked on purpose: joining threads during static destruction races with
  // other static destructors.
  static Eigen::ThreadPool* pool =
      new Eigen::ThreadPool(std::max(1, HardwareThreads() - 1));
  return *pool;
}

}  // namespace

int HardwareThreads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
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
  if (n_tasks <= 1 || in_parallel_region) return 1;
  absl::StatusOr<int> resolved = ResolveNJobs(n_jobs);
  if (!resolved.ok()) return 1;
  // More threads than cores only adds switching; the pool has cores - 1
  // workers plus the caller.
  const int threads = std::min(*resolved, HardwareThreads());
  return static_cast<int>(std::min<Index>(threads, n_tasks));
}

void ParallelFor(int n_jobs, Index n_tasks,
                 absl::FunctionRef<void(Index task, int worker)> fn) {
  const int workers = NumWorkers(n_jobs, n_tasks);
  if (workers <= 1) {
    const bool was = in_parallel_region;
    in_parallel_region = true;
    for (Index t = 0; t < n_tasks; ++t) fn(t, 0);
    in_parallel_region = was;
    return;
  }
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
      in_parallel_region = true;
      for (;;) {
        const Index t = next.fetch_add(1, std::memory_order_relaxed);
        if (t >= n_tasks) break;
        fn(t, worker);
      }
      in_parallel_region = false;
    }
  };
  Shared shared(fn, n_tasks, static_cast<unsigned>(workers - 1));
  Shared* s = &shared;
  Eigen::ThreadPool& pool = ProcessPool();
  for (int w = 1; w < workers; ++w) {
    pool.Schedule([s] {
      s->Run(s->next_worker.fetch_add(1, std::memory_order_relaxed));
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
