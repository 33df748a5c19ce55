// Tests for Pool<T> and PoolHandle<T>: hits and misses, reset on release,
// exhaustion, growth, limits, handle moves, pre-initialisation, statistics
// and the opt-out switch.
#include "eclipsera/pool/object_pool.h"

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "eclipsera/pool/pooling_switch.h"
#include "eclipsera/testing/alloc_counter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::pool {
namespace {

using ::testing::HasSubstr;

// Counts live instances and Reset() calls.
struct Tracked {
  static int live;
  int value = 0;
  int resets = 0;
  std::vector<double> buffer = std::vector<double>(64, 1.0);
  Tracked() { ++live; }
  explicit Tracked(int v) : value(v) { ++live; }
  Tracked(const Tracked& o) : value(o.value), resets(o.resets) { ++live; }
  ~Tracked() { --live; }
  void Reset() {
    value = 0;
    ++resets;
  }
};
int Tracked::live = 0;

struct Plain {
  int value = 0;
};

static_assert(!std::is_copy_constructible_v<PoolHandle<Plain>>);
static_assert(std::is_nothrow_move_constructible_v<PoolHandle<Plain>>);

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override { Tracked::live = 0; }
  void TearDown() override { EXPECT_EQ(Tracked::live, 0) << "leaked objects"; }
  ScopedPoolingDisabled pooling_on_{false};
};

TEST_F(PoolTest, ReusesTheReleasedObject) {
  Pool<Tracked> pool;
  Tracked* first;
  {
    PoolHandle<Tracked> h = pool.Acquire();
    ASSERT_TRUE(h);
    first = h.get();
    h->value = 42;
  }
  PoolHandle<Tracked> h = pool.Acquire();
  EXPECT_EQ(h.get(), first);
  EXPECT_EQ(h->value, 0) << "Reset() ran on release";
  EXPECT_EQ(h->resets, 1);
  EXPECT_EQ((*h).buffer.size(), 64u) << "buffers survive Reset()";
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.objects_created, 1);
  EXPECT_EQ(s.acquisitions, 2);
  EXPECT_EQ(s.misses, 1);
  EXPECT_EQ(s.hits, 1);
  EXPECT_EQ(s.releases, 1);
  EXPECT_EQ(s.resets, 1);
  EXPECT_EQ(s.in_use, 1);
  EXPECT_DOUBLE_EQ(s.hit_rate(), 0.5);
}

TEST_F(PoolTest, CustomFactoryAndResetter) {
  int resets = 0;
  Pool<Tracked> pool(
      PoolOptions{}, [] { return Tracked(7); },
      [&resets](Tracked& t) {
        t.value = -1;
        ++resets;
      });
  {
    PoolHandle<Tracked> h = pool.Acquire();
    EXPECT_EQ(h->value, 7);
  }
  PoolHandle<Tracked> h = pool.Acquire();
  EXPECT_EQ(h->value, -1);
  EXPECT_EQ(h->resets, 0) << "the custom resetter replaces Tracked::Reset";
  EXPECT_EQ(resets, 1);
}

TEST_F(PoolTest, FactoriesReturningPointers) {
  Pool<Tracked> a(PoolOptions{}, [] { return std::make_unique<Tracked>(3); });
  Pool<Tracked> b(PoolOptions{}, [] { return new Tracked(4); });
  EXPECT_EQ(a.Acquire()->value, 3);
  EXPECT_EQ(b.Acquire()->value, 4);
}

TEST_F(PoolTest, ResetCanBeTurnedOff) {
  PoolOptions options;
  options.reset_on_release = false;
  Pool<Tracked> pool(options);
  { pool.Acquire()->value = 5; }
  EXPECT_EQ(pool.Acquire()->value, 5);
  EXPECT_EQ(pool.Statistics().resets, 0);
}

TEST_F(PoolTest, TypesWithoutResetAreNotReset) {
  Pool<Plain> pool;
  { pool.Acquire()->value = 9; }
  EXPECT_EQ(pool.Acquire()->value, 9);
  EXPECT_EQ(pool.Statistics().resets, 0);
}

TEST_F(PoolTest, PreinitializeMakesFirstAcquisitionsHits) {
  PoolOptions options;
  options.capacity = 3;
  options.preinitialize = true;
  Pool<Tracked> pool(options);
  EXPECT_EQ(Tracked::live, 3);
  EXPECT_EQ(pool.idle(), 3u);
  std::vector<PoolHandle<Tracked>> handles;
  for (int i = 0; i < 3; ++i) handles.push_back(pool.Acquire());
  PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.objects_created, 3);
  EXPECT_EQ(s.hits, 3);
  EXPECT_EQ(s.misses, 0);
  EXPECT_EQ(s.growth_events, 0);
  handles.push_back(pool.Acquire());  // Grows past capacity.
  s = pool.Statistics();
  EXPECT_EQ(s.misses, 1);
  EXPECT_EQ(s.growth_events, 1);
  EXPECT_EQ(s.peak_in_use, 4);
  EXPECT_EQ(pool.size(), 4u);
}

TEST_F(PoolTest, FixedPoolReportsExhaustion) {
  PoolOptions options;
  options.capacity = 2;
  options.growth = GrowthPolicy::kFixed;
  Pool<Tracked> pool(options);
  absl::StatusOr<PoolHandle<Tracked>> a = pool.TryAcquire();
  absl::StatusOr<PoolHandle<Tracked>> b = pool.TryAcquire();
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  absl::StatusOr<PoolHandle<Tracked>> c = pool.TryAcquire();
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("all 2 objects"));
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("kFixed"));
  EXPECT_EQ(pool.Statistics().exhausted, 1);
  a->Release();
  absl::StatusOr<PoolHandle<Tracked>> d = pool.TryAcquire();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(pool.size(), 2u);
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.acquisitions, 3);
  EXPECT_EQ(s.hits + s.misses, s.acquisitions);
  EXPECT_EQ(s.objects_created, 2);
}

TEST_F(PoolTest, FixedPoolAcquireHandsOutTransientObjects) {
  PoolOptions options;
  options.capacity = 1;
  options.growth = GrowthPolicy::kFixed;
  Pool<Tracked> pool(options);
  PoolHandle<Tracked> a = pool.Acquire();
  {
    PoolHandle<Tracked> b = pool.Acquire();
    ASSERT_TRUE(b);
    EXPECT_NE(a.get(), b.get());
    EXPECT_EQ(Tracked::live, 2);
  }
  EXPECT_EQ(Tracked::live, 1) << "the transient object was destroyed";
  EXPECT_EQ(pool.size(), 1u);
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.overflows, 1);
  EXPECT_EQ(s.objects_created, 2);
  EXPECT_EQ(s.objects_destroyed, 1);
  EXPECT_EQ(s.releases, 1);
  EXPECT_EQ(s.in_use, 1);
}

TEST_F(PoolTest, GrowthStopsAtMaxSize) {
  PoolOptions options;
  options.capacity = 1;
  options.max_size = 3;
  Pool<Tracked> pool(options);
  std::vector<PoolHandle<Tracked>> handles;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<PoolHandle<Tracked>> h = pool.TryAcquire();
    ASSERT_TRUE(h.ok()) << i;
    handles.push_back(*std::move(h));
  }
  absl::StatusOr<PoolHandle<Tracked>> over = pool.TryAcquire();
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(over.status().message()), HasSubstr("max_size 3"));
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.growth_events, 2);
  EXPECT_EQ(s.objects_created, 3);
  EXPECT_EQ(s.exhausted, 1);
  handles.clear();
  EXPECT_EQ(pool.idle(), 3u) << "a grown pool keeps its objects";
}

TEST_F(PoolTest, MaxSizeBelowCapacityIsRaisedToCapacity) {
  PoolOptions options;
  options.capacity = 4;
  options.max_size = 2;
  Pool<Plain> pool(options);
  std::vector<PoolHandle<Plain>> handles;
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<PoolHandle<Plain>> h = pool.TryAcquire();
    ASSERT_TRUE(h.ok()) << i;
    handles.push_back(*std::move(h));
  }
  EXPECT_FALSE(pool.TryAcquire().ok());
}

TEST_F(PoolTest, UnboundedGrowth) {
  PoolOptions options;
  options.capacity = 0;
  Pool<Plain> pool(options);
  std::vector<PoolHandle<Plain>> handles;
  for (int i = 0; i < 100; ++i) handles.push_back(pool.Acquire());
  EXPECT_EQ(pool.Statistics().growth_events, 100);
  EXPECT_EQ(pool.Statistics().overflows, 0);
}

TEST_F(PoolTest, HandleMovesTransferOwnership) {
  Pool<Tracked> pool;
  PoolHandle<Tracked> a = pool.Acquire();
  Tracked* obj = a.get();
  PoolHandle<Tracked> b = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is empty.
  EXPECT_EQ(a.get(), nullptr);
  EXPECT_EQ(b.get(), obj);
  a.Release();  // No-op on an empty handle.
  EXPECT_EQ(pool.Statistics().releases, 0);

  PoolHandle<Tracked> c = pool.Acquire();
  Tracked* other = c.get();
  c = std::move(b);  // c's old object goes back first.
  EXPECT_EQ(c.get(), obj);
  EXPECT_EQ(pool.Statistics().releases, 1);
  EXPECT_EQ(pool.idle(), 1u);

  c.Release();
  c.Release();  // Releasing twice is a no-op.
  EXPECT_EQ(pool.Statistics().releases, 2);
  EXPECT_EQ(pool.idle(), 2u);
  PoolHandle<Tracked> d = pool.Acquire();
  EXPECT_TRUE(d.get() == obj || d.get() == other);
}

TEST_F(PoolTest, HandlesReturnToTheirOwnPool) {
  Pool<Tracked> p1;
  Pool<Tracked> p2;
  PoolHandle<Tracked> h = p1.Acquire();
  PoolHandle<Tracked> g = p2.Acquire();
  std::swap(h, g);
  h.Release();  // p2's object.
  EXPECT_EQ(p2.idle(), 1u);
  EXPECT_EQ(p1.idle(), 0u);
  g.Release();
  EXPECT_EQ(p1.idle(), 1u);
}

TEST_F(PoolTest, ClearDestroysIdleObjects) {
  Pool<Tracked> pool;
  {
    std::vector<PoolHandle<Tracked>> hs(3);
    for (auto& h : hs) h = pool.Acquire();
  }
  EXPECT_EQ(Tracked::live, 3);
  pool.Clear();
  EXPECT_EQ(Tracked::live, 0);
  EXPECT_EQ(pool.Statistics().objects_destroyed, 3);
  EXPECT_EQ(pool.size(), 0u);
}

TEST_F(PoolTest, SteadyStateAllocatesNothing) {
  PoolOptions options;
  options.capacity = 2;
  options.preinitialize = true;
  Pool<Tracked> pool(options);
  testing::AllocationCounter counter;
  for (int i = 0; i < 1000; ++i) {
    PoolHandle<Tracked> a = pool.Acquire();
    PoolHandle<Tracked> b = pool.Acquire();
    a->value += b->value + i;
  }
  EXPECT_EQ(counter.allocations(), 0);
  EXPECT_EQ(pool.Statistics().hits, 2000);
}

TEST_F(PoolTest, DisabledPoolingHandsOutFreshObjects) {
  ScopedPoolingDisabled off(true);
  PoolOptions options;
  options.capacity = 2;
  options.preinitialize = true;
  Pool<Tracked> pool(options);
  EXPECT_TRUE(pool.pooling_disabled());
  EXPECT_EQ(Tracked::live, 0) << "no pre-creation when disabled";
  for (int i = 0; i < 5; ++i) {
    PoolHandle<Tracked> h = pool.Acquire();
    EXPECT_EQ(h->value, 0);
    EXPECT_EQ(h->resets, 0) << "a fresh object each time";
    h->value = i + 1;
  }
  EXPECT_EQ(Tracked::live, 0) << "released objects are destroyed";
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.acquisitions, 5);
  EXPECT_EQ(s.misses, 5);
  EXPECT_EQ(s.hits, 0);
  EXPECT_EQ(s.objects_created, 5);
  EXPECT_EQ(s.objects_destroyed, 5);
  EXPECT_EQ(s.releases, 5);
  EXPECT_EQ(s.resets, 0);
  EXPECT_EQ(s.in_use, 0);
}

TEST_F(PoolTest, DisabledFixedPoolStillHonoursItsLimit) {
  ScopedPoolingDisabled off(true);
  PoolOptions options;
  options.capacity = 1;
  options.growth = GrowthPolicy::kFixed;
  Pool<Tracked> pool(options);
  absl::StatusOr<PoolHandle<Tracked>> a = pool.TryAcquire();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(pool.TryAcquire().status().code(),
            absl::StatusCode::kResourceExhausted);
  a->Release();
  EXPECT_TRUE(pool.TryAcquire().ok());
}

TEST_F(PoolTest, SwitchIsReadAtConstruction) {
  Pool<Plain> on;
  {
    ScopedPoolingDisabled off(true);
    Pool<Plain> disabled;
    EXPECT_TRUE(disabled.pooling_disabled());
    EXPECT_FALSE(on.pooling_disabled());
  }
  Pool<Plain> on_again;
  EXPECT_FALSE(on_again.pooling_disabled());
}

// A pool of owning pointers (how estimators are pooled: the interface is
// abstract, so the pool holds std::unique_ptr<Estimator>) resets the
// pointee through its Reset(), not the pointer through reset().
TEST_F(PoolTest, PoolOfUniquePointersResetsThePointee) {
  Pool<std::unique_ptr<Tracked>> pool(
      PoolOptions{}, [] { return std::make_unique<Tracked>(7); });
  Tracked* first;
  {
    PoolHandle<std::unique_ptr<Tracked>> h = pool.Acquire();
    ASSERT_TRUE(*h);
    first = h->get();
    EXPECT_EQ((*h)->value, 7);
    (*h)->value = 42;
  }
  PoolHandle<std::unique_ptr<Tracked>> h = pool.Acquire();
  ASSERT_TRUE(*h) << "the pointer itself must survive the reset";
  EXPECT_EQ(h->get(), first);
  EXPECT_EQ((*h)->value, 0);
  EXPECT_EQ((*h)->resets, 1);
}

// Without a factory, Pool<T> needs a default-constructible, non-pointer T:
// these are compile-time errors (static_assert in MakeConfig), so only the
// traits they rest on are checked here.
static_assert(pool_internal::IsSmartPointer<std::unique_ptr<Tracked>>::value);
static_assert(pool_internal::IsSmartPointer<std::shared_ptr<Tracked>>::value);
static_assert(!pool_internal::IsSmartPointer<Tracked>::value);
static_assert(pool_internal::PointeeHasReset<std::unique_ptr<Tracked>>::value);
static_assert(!pool_internal::PointeeHasReset<std::unique_ptr<Plain>>::value);

}  // namespace
}  // namespace eclipsera::pool
