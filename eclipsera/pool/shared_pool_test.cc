// Tests for SharedPool<T>: the Pool<T> contract behind a lock, used from
// several threads.
#include "eclipsera/pool/shared_pool.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "eclipsera/pool/pooling_switch.h"
#include "gtest/gtest.h"

namespace eclipsera::pool {
namespace {

struct Counter {
  int value = 0;
  void Reset() { value = 0; }
};

TEST(SharedPoolTest, ReusesAndResets) {
  ScopedPoolingDisabled on(false);
  SharedPool<Counter> pool;
  Counter* first;
  {
    PoolHandle<Counter> h = pool.Acquire();
    first = h.get();
    h->value = 3;
  }
  PoolHandle<Counter> h = pool.Acquire();
  EXPECT_EQ(h.get(), first);
  EXPECT_EQ(h->value, 0);
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.hits, 1);
  EXPECT_EQ(s.misses, 1);
  EXPECT_EQ(s.resets, 1);
}

TEST(SharedPoolTest, FixedExhaustionAndOverflow) {
  ScopedPoolingDisabled on(false);
  PoolOptions options;
  options.capacity = 1;
  options.growth = GrowthPolicy::kFixed;
  SharedPool<Counter> pool(options);
  absl::StatusOr<PoolHandle<Counter>> a = pool.TryAcquire();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(pool.TryAcquire().status().code(),
            absl::StatusCode::kResourceExhausted);
  {
    PoolHandle<Counter> transient = pool.Acquire();
    EXPECT_TRUE(transient);
  }
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.exhausted, 1);
  EXPECT_EQ(s.overflows, 1);
  EXPECT_EQ(s.objects_destroyed, 1);
  EXPECT_EQ(pool.size(), 1u);
}

TEST(SharedPoolTest, ThreadsShareObjects) {
  ScopedPoolingDisabled on(false);
  PoolOptions options;
  options.capacity = 4;
  options.growth = GrowthPolicy::kFixed;
  options.preinitialize = true;
  SharedPool<Counter> pool(options);
  constexpr int kThreads = 4;
  constexpr int kIters = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&pool] {
      for (int i = 0; i < kIters; ++i) {
        absl::StatusOr<PoolHandle<Counter>> h = pool.TryAcquire();
        ASSERT_TRUE(h.ok()) << "4 threads, 4 objects, one each at a time";
        EXPECT_EQ((*h)->value, 0);
        (*h)->value = i + 1;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.acquisitions, kThreads * kIters);
  EXPECT_EQ(s.hits, kThreads * kIters);
  EXPECT_EQ(s.releases, kThreads * kIters);
  EXPECT_EQ(s.resets, kThreads * kIters);
  EXPECT_EQ(s.objects_created, 4);
  EXPECT_EQ(s.in_use, 0);
  EXPECT_LE(s.peak_in_use, 4);
  EXPECT_EQ(pool.idle(), 4u);
}

TEST(SharedPoolTest, DisabledPoolingDestroysOnRelease) {
  ScopedPoolingDisabled off(true);
  SharedPool<Counter> pool;
  for (int i = 0; i < 3; ++i) {
    PoolHandle<Counter> h = pool.Acquire();
    EXPECT_EQ(h->value, 0);
    h->value = 5;
  }
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.misses, 3);
  EXPECT_EQ(s.objects_destroyed, 3);
  EXPECT_EQ(pool.size(), 0u);
}

}  // namespace
}  // namespace eclipsera::pool
