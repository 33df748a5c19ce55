#include "eclipsera/core/parallel.h"

#include <sched.h>

#include <atomic>
#include <chrono>
#include <numeric>
#include <thread>
#include <vector>

#include "eclipsera/core/testing.h"
#include "eclipsera/testing/alloc_counter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParallelTest, ResolveNJobs) {
  const int cores = HardwareThreads();
  EXPECT_EQ(*ResolveNJobs(1), 1);
  EXPECT_EQ(*ResolveNJobs(3), 3);
  EXPECT_EQ(*ResolveNJobs(-1), cores);
  EXPECT_EQ(*ResolveNJobs(-2), std::max(1, cores - 1));
  EXPECT_EQ(*ResolveNJobs(-1000), 1);
  EXPECT_THAT(ResolveNJobs(0), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("n_jobs = 0")));
}

TEST(ParallelTest, CgroupQuotaParsing) {
  EXPECT_EQ(internal::CpuQuotaCores("max 100000"), 0);
  EXPECT_EQ(internal::CpuQuotaCores("-1 100000"), 0);
  EXPECT_EQ(internal::CpuQuotaCores("200000 100000"), 2);
  EXPECT_EQ(internal::CpuQuotaCores("150000 100000"), 2);
  EXPECT_EQ(internal::CpuQuotaCores("50000 100000\n"), 1);
  EXPECT_EQ(internal::CpuQuotaCores(""), 0);
  EXPECT_EQ(internal::CpuQuotaCores("abc def"), 0);
  EXPECT_EQ(internal::CpuQuotaCores("100000 0"), 0);
}

// -1 means the CPUs of the affinity mask (here: whatever the test runner
// was given), never more than the machine has.
TEST(ParallelTest, HardwareThreadsHonoursTheAffinityMask) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  EXPECT_GE(HardwareThreads(), 1);
  EXPECT_LE(HardwareThreads(), CPU_COUNT(&set));
  EXPECT_LE(HardwareThreads(),
            static_cast<int>(std::thread::hardware_concurrency()));
}

TEST(ParallelTest, EveryTaskRunsOnceWithValidWorker) {
  for (int n_jobs : {1, 2, 4, -1}) {
    const Index n = 1000;
    std::vector<std::atomic<int>> hits(n);
    const int workers = NumWorkers(n_jobs, n);
    std::atomic<bool> bad_worker{false};
    ParallelFor(n_jobs, n, [&](Index t, int w) {
      hits[t].fetch_add(1);
      if (w < 0 || w >= workers) bad_worker = true;
    });
    for (Index t = 0; t < n; ++t) ASSERT_EQ(hits[t].load(), 1) << t;
    EXPECT_FALSE(bad_worker.load());
  }
}

TEST(ParallelTest, ChunkedReductionIsIdenticalForAnyNJobs) {
  std::vector<double> v(100003);
  for (size_t i = 0; i < v.size(); ++i) v[i] = 1.0 / (1.0 + i * 0.37);
  auto sum_with = [&](int n_jobs) {
    const Index chunk = 1000;
    std::vector<double> partial(NumChunks(v.size(), chunk), 0.0);
    ParallelForChunks(n_jobs, v.size(), chunk, [&](Index b, Index e, int) {
      double s = 0.0;
      for (Index i = b; i < e; ++i) s += v[i];
      partial[b / chunk] = s;
    });
    return std::accumulate(partial.begin(), partial.end(), 0.0);
  };
  const double serial = sum_with(1);
  EXPECT_EQ(serial, sum_with(2));
  EXPECT_EQ(serial, sum_with(-1));
}

// Largest worker index a ParallelFor body reported.
void RecordMax(std::atomic<int>& max, int w) {
  int cur = max.load();
  while (w > cur && !max.compare_exchange_weak(cur, w)) {
  }
}

// Spins until `count` reaches `target` (every outer task is running, or
// done with its inner call).
void WaitFor(const std::atomic<int>& count, int target) {
  while (count.load() < target) std::this_thread::yield();
}

TEST(ParallelTest, NestedInsideABusyOuterLevelRunsSerially) {
  // As many outer tasks as cores, held together by two rendezvous: all of
  // them run at once (the caller and every helper), and none returns
  // before every inner call is done, so the outer call holds the whole
  // budget for as long as any inner call runs.
  const int cores = HardwareThreads();
  std::atomic<int> started{0}, finished{0};
  std::atomic<int> inner_max{0};
  std::atomic<int> outer_max{0};
  ParallelFor(-1, cores, [&](Index, int w) {
    RecordMax(outer_max, w);
    // NumWorkers does not depend on nesting: scratch sized with it fits.
    EXPECT_EQ(NumWorkers(-1, 100), cores);
    ++started;
    WaitFor(started, cores);
    ParallelFor(-1, 10, [&](Index, int iw) { RecordMax(inner_max, iw); });
    ++finished;
    WaitFor(finished, cores);
  });
  EXPECT_EQ(inner_max.load(), 0);
  EXPECT_EQ(outer_max.load(), cores - 1);
  EXPECT_FALSE(InParallelRegion());
}

TEST(ParallelTest, NestedInsideASerialOuterLevelGetsTheCores) {
  if (HardwareThreads() < 2) GTEST_SKIP() << "one core";
  std::atomic<int> inner_max{0};
  ParallelFor(1, 2, [&](Index, int w) {
    EXPECT_EQ(w, 0);
    EXPECT_FALSE(InParallelRegion());
    ParallelFor(-1, 40, [&](Index, int iw) {
      EXPECT_TRUE(InParallelRegion());
      RecordMax(inner_max, iw);
      // Long enough for a helper to pick up tasks before the caller has
      // run them all.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    });
  });
  EXPECT_GE(inner_max.load(), 1);
}

TEST(ParallelTest, NeverMoreBusyThreadsThanCores) {
  std::atomic<int> active{0};
  std::atomic<int> most{0};
  std::atomic<int64_t> sum{0};
  ParallelFor(-1, 6, [&](Index outer, int) {
    ParallelFor(-1, 12, [&](Index inner, int) {
      RecordMax(most, ++active);
      sum += outer * 100 + inner;
      std::this_thread::sleep_for(std::chrono::microseconds(300));
      --active;
    });
  });
  EXPECT_LE(most.load(), HardwareThreads());
  EXPECT_GE(most.load(), 1);
  int64_t expected = 0;
  for (int o = 0; o < 6; ++o) {
    for (int i = 0; i < 12; ++i) expected += o * 100 + i;
  }
  EXPECT_EQ(sum.load(), expected);
  // The budget is whole again: a new call gets every core.
  if (HardwareThreads() >= 2) {
    std::atomic<int> max_worker{0};
    ParallelFor(-1, 40, [&](Index, int w) {
      RecordMax(max_worker, w);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    });
    EXPECT_GE(max_worker.load(), 1);
  }
}

TEST(ParallelTest, ZeroTasks) {
  int calls = 0;
  ParallelFor(-1, 0, [&](Index, int) { ++calls; });
  ParallelForChunks(2, 0, 10, [&](Index, Index, int) { ++calls; });
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace eclipsera

namespace eclipsera {
namespace {

TEST(ParallelTest, DoesNotAllocateAfterWarmUp) {
  std::vector<double> partial(64, 0.0);
  auto body = [&](Index b, Index e, int) {
    partial[b / 16] = static_cast<double>(e - b);
  };
  ParallelForChunks(-1, 1024, 16, body);  // creates the process pool
  ::eclipsera::testing::AllocationCounter counter;
  for (int i = 0; i < 100; ++i) ParallelForChunks(-1, 1024, 16, body);
  EXPECT_EQ(counter.allocations(), 0);
  EXPECT_EQ(partial[3], 16.0);
}

}  // namespace
}  // namespace eclipsera
