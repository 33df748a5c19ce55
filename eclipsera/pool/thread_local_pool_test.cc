// Tests for ThreadLocalPool<T>: per-thread reuse, cross-thread release,
// aggregated statistics, slot adoption after thread exit, destruction.
#include "eclipsera/pool/thread_local_pool.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "eclipsera/pool/pooling_switch.h"
#include "eclipsera/testing/alloc_counter.h"
#include "gtest/gtest.h"

namespace eclipsera::pool {
namespace {

std::atomic<int> g_live{0};

struct Obj {
  int value = 0;
  int resets = 0;
  Obj() { g_live.fetch_add(1); }
  ~Obj() { g_live.fetch_sub(1); }
  void Reset() {
    value = 0;
    ++resets;
  }
};

class ThreadLocalPoolTest : public ::testing::Test {
 protected:
  void SetUp() override { g_live.store(0); }
  void TearDown() override { EXPECT_EQ(g_live.load(), 0) << "leaked"; }
  ScopedPoolingDisabled on_{false};
};

TEST_F(ThreadLocalPoolTest, ReusesOnTheSameThread) {
  ThreadLocalPool<Obj> pool;
  Obj* first;
  {
    PoolHandle<Obj> h = pool.Acquire();
    first = h.get();
    h->value = 1;
  }
  PoolHandle<Obj> h = pool.Acquire();
  EXPECT_EQ(h.get(), first);
  EXPECT_EQ(h->value, 0);
  EXPECT_EQ(h->resets, 1);
  EXPECT_EQ(pool.num_slots(), 1u);
}

TEST_F(ThreadLocalPoolTest, EachThreadGetsItsOwnObjects) {
  ThreadLocalPool<Obj> pool;
  PoolHandle<Obj> mine = pool.Acquire();
  Obj* theirs = nullptr;
  std::thread t([&] {
    PoolHandle<Obj> h = pool.Acquire();
    theirs = h.get();
  });
  t.join();
  EXPECT_NE(theirs, mine.get());
  EXPECT_EQ(pool.num_slots(), 2u);
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.acquisitions, 2);
  EXPECT_EQ(s.misses, 2);
  EXPECT_EQ(s.objects_created, 2);
  EXPECT_EQ(s.in_use, 1);
}

TEST_F(ThreadLocalPoolTest, CrossThreadReleaseReturnsToTheOwner) {
  ThreadLocalPool<Obj> pool;
  PoolHandle<Obj> h = pool.Acquire();
  Obj* obj = h.get();
  h->value = 7;
  std::thread t([handle = std::move(h)]() mutable { handle.Release(); });
  t.join();
  EXPECT_EQ(pool.num_slots(), 1u) << "releasing needs no slot";
  // The object went back to this thread's pool, reset by the releaser.
  PoolHandle<Obj> again = pool.Acquire();
  EXPECT_EQ(again.get(), obj);
  EXPECT_EQ(again->value, 0);
  EXPECT_EQ(again->resets, 1);
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.hits, 1);
  EXPECT_EQ(s.releases, 1);
  EXPECT_EQ(s.resets, 1);
  EXPECT_EQ(s.in_use, 1);
}

TEST_F(ThreadLocalPoolTest, ExitedThreadSlotIsAdopted) {
  PoolOptions options;
  options.capacity = 2;
  ThreadLocalPool<Obj> pool(options);
  for (int round = 0; round < 20; ++round) {
    std::thread t([&pool] {
      PoolHandle<Obj> a = pool.Acquire();
      PoolHandle<Obj> b = pool.Acquire();
      a->value = b->value + 1;
    });
    t.join();
  }
  EXPECT_EQ(pool.num_slots(), 1u) << "each new thread adopted the old slot";
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.objects_created, 2);
  EXPECT_EQ(s.acquisitions, 40);
  EXPECT_EQ(s.hits, 38);
  EXPECT_EQ(g_live.load(), 2);
}

TEST_F(ThreadLocalPoolTest, HandleOutlivesItsThread) {
  ThreadLocalPool<Obj> pool;
  PoolHandle<Obj> h;
  std::thread t([&] { h = pool.Acquire(); });
  t.join();
  h->value = 3;
  h.Release();  // The owner thread is gone: goes to the orphaned slot.
  PoolHandle<Obj> again;
  std::thread u([&] { again = pool.Acquire(); });  // Adopts it.
  u.join();
  EXPECT_EQ(again->value, 0);
  EXPECT_EQ(pool.Statistics().hits, 1);
}

TEST_F(ThreadLocalPoolTest, DestroyingThePoolFreesEveryThreadsObjects) {
  auto pool = std::make_unique<ThreadLocalPool<Obj>>();
  std::atomic<bool> go{false};
  std::atomic<bool> done{false};
  std::thread t([&] {
    { PoolHandle<Obj> h = pool->Acquire(); }
    done.store(true);
    while (!go.load()) std::this_thread::yield();
    // The pool is gone; this thread still holds a cache entry. Using a new
    // pool of the same type prunes it.
    ThreadLocalPool<Obj> other;
    EXPECT_EQ(other.Acquire()->value, 0);
  });
  while (!done.load()) std::this_thread::yield();
  { PoolHandle<Obj> h = pool->Acquire(); }
  EXPECT_EQ(g_live.load(), 2);
  pool.reset();
  EXPECT_EQ(g_live.load(), 0);
  go.store(true);
  t.join();
}

TEST_F(ThreadLocalPoolTest, TwoPoolsOfTheSameTypeAreSeparate) {
  ThreadLocalPool<Obj> a;
  ThreadLocalPool<Obj> b;
  Obj* from_a;
  {
    PoolHandle<Obj> h = a.Acquire();
    from_a = h.get();
  }
  PoolHandle<Obj> hb = b.Acquire();
  EXPECT_NE(hb.get(), from_a);
  PoolHandle<Obj> ha = a.Acquire();
  EXPECT_EQ(ha.get(), from_a);
}

TEST_F(ThreadLocalPoolTest, PerThreadLimit) {
  PoolOptions options;
  options.capacity = 1;
  options.growth = GrowthPolicy::kFixed;
  ThreadLocalPool<Obj> pool(options);
  absl::StatusOr<PoolHandle<Obj>> a = pool.TryAcquire();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(pool.TryAcquire().status().code(),
            absl::StatusCode::kResourceExhausted);
  bool other_ok = false;
  std::thread t([&] { other_ok = pool.TryAcquire().ok(); });
  t.join();
  EXPECT_TRUE(other_ok) << "the limit is per thread";
  EXPECT_EQ(pool.Statistics().exhausted, 1);
}

TEST_F(ThreadLocalPoolTest, FastPathAllocatesNothing) {
  PoolOptions options;
  options.capacity = 2;
  options.preinitialize = true;
  ThreadLocalPool<Obj> pool(options);
  { PoolHandle<Obj> warm = pool.Acquire(); }
  testing::AllocationCounter counter;
  for (int i = 0; i < 1000; ++i) {
    PoolHandle<Obj> a = pool.Acquire();
    PoolHandle<Obj> b = pool.Acquire();
    a->value = b->value + i;
  }
  EXPECT_EQ(counter.allocations(), 0);
}

TEST_F(ThreadLocalPoolTest, DisabledPooling) {
  ScopedPoolingDisabled off(true);
  ThreadLocalPool<Obj> pool;
  PoolHandle<Obj> h = pool.Acquire();
  std::thread t([handle = std::move(h)]() mutable { handle.Release(); });
  t.join();
  {
    PoolHandle<Obj> g = pool.Acquire();
    EXPECT_EQ(g->resets, 0);
  }
  EXPECT_EQ(g_live.load(), 0);
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.misses, 2);
  EXPECT_EQ(s.hits, 0);
  EXPECT_EQ(s.objects_created, 2);
  EXPECT_EQ(s.objects_destroyed, 2);
  EXPECT_EQ(s.releases, 2);
}

}  // namespace
}  // namespace eclipsera::pool
