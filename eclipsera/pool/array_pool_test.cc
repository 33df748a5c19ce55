// Tests for ArrayPool: keys, zeroing, alignment, caps, statistics, handles,
// bad shapes and the opt-out switch.
#include "eclipsera/pool/array_pool.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "eclipsera/pool/pooling_switch.h"
#include "eclipsera/testing/alloc_counter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::pool {
namespace {

using ::testing::HasSubstr;

bool Aligned(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % kArrayAlignment == 0;
}

class ArrayPoolTest : public ::testing::Test {
 protected:
  ScopedPoolingDisabled on_{false};
};

TEST_F(ArrayPoolTest, ZeroedAlignedAndShaped) {
  ArrayPool pool;
  absl::StatusOr<ArrayHandle<double>> a = pool.Zeros(1000, 10);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->rows(), 1000);
  EXPECT_EQ(a->cols(), 10);
  EXPECT_EQ(a->size(), 10000);
  EXPECT_TRUE(Aligned(a->data()));
  for (int64_t i = 0; i < a->size(); ++i) ASSERT_EQ((*a)[i], 0.0) << i;
  EXPECT_EQ(a->matrix().rows(), 1000);
  EXPECT_EQ(a->matrix().cols(), 10);
  a->matrix()(2, 3) = 5.0;
  EXPECT_EQ(a->data()[2 * 10 + 3], 5.0) << "row-major view";
}

TEST_F(ArrayPoolTest, ReuseIsZeroedOnlyWhenAsked) {
  ArrayPool pool;
  double* first;
  {
    ArrayHandle<double> a = *pool.Acquire<double>(4, 4);
    first = a.data();
    a.matrix().setConstant(3.0);
  }
  {
    ArrayHandle<double> b =
        *pool.Acquire<double>(4, 4, ArrayInit::kUninitialized);
    EXPECT_EQ(b.data(), first);
    EXPECT_EQ(b[5], 3.0) << "uninitialised reuse keeps the old contents";
  }
  ArrayHandle<double> c = *pool.Acquire<double>(4, 4, ArrayInit::kZeroed);
  EXPECT_EQ(c.data(), first);
  EXPECT_EQ(c.matrix().cwiseAbs().sum(), 0.0);
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.acquisitions, 3);
  EXPECT_EQ(s.hits, 2);
  EXPECT_EQ(s.misses, 1);
  EXPECT_EQ(s.objects_created, 1);
  EXPECT_EQ(s.resets, 2) << "two zeroed acquisitions";
  EXPECT_EQ(s.releases, 2);
  EXPECT_EQ(s.in_use, 1);
}

TEST_F(ArrayPoolTest, KeysSeparateShapesAndTypes) {
  ArrayPool pool;
  const void* p;
  { p = pool.Acquire<double>(10, 20)->data(); }
  EXPECT_NE(static_cast<const void*>(pool.Acquire<double>(20, 10)->data()), p)
      << "same size, other shape";
  EXPECT_NE(static_cast<const void*>(pool.Acquire<int64_t>(10, 20)->data()), p)
      << "same bytes, other type";
  EXPECT_EQ(static_cast<const void*>(pool.Acquire<double>(10, 20)->data()), p);
  EXPECT_EQ(pool.Statistics().growth_events, 3) << "three keys seen";
}

TEST_F(ArrayPoolTest, FloatAndIntegerViews) {
  ArrayPool pool;
  ArrayHandle<float> f = *pool.Zeros<float>(3, 5);
  EXPECT_TRUE(Aligned(f.data()));
  f.matrix().setOnes();
  EXPECT_EQ(f.matrix().sum(), 15.0f);
  ArrayHandle<int32_t> i = *pool.Zeros<int32_t>(7, 1);
  EXPECT_EQ(i.matrix().sum(), 0);
}

TEST_F(ArrayPoolTest, PerKeyCapacity) {
  ArrayPoolOptions options;
  options.per_key_capacity = 2;
  ArrayPool pool(options);
  {
    ArrayHandle<double> a = *pool.Zeros(8, 8);
    ArrayHandle<double> b = *pool.Zeros(8, 8);
    ArrayHandle<double> c = *pool.Zeros(8, 8);
  }
  EXPECT_EQ(pool.buffers_held(), 2u);
  EXPECT_EQ(pool.bytes_held(), 2u * 8 * 8 * sizeof(double));
  EXPECT_EQ(pool.Statistics().objects_destroyed, 1);
}

TEST_F(ArrayPoolTest, TotalBytesCap) {
  ArrayPoolOptions options;
  options.max_bytes_held = 1000;  // One 64-double (512 B) buffer fits.
  ArrayPool pool(options);
  {
    ArrayHandle<double> a = *pool.Zeros(8, 8);
    ArrayHandle<double> b = *pool.Zeros(8, 8);
  }
  EXPECT_EQ(pool.buffers_held(), 1u);
  EXPECT_EQ(pool.bytes_held(), 512u);
  EXPECT_LE(pool.bytes_held(), options.max_bytes_held);
  pool.Clear();
  EXPECT_EQ(pool.buffers_held(), 0u);
  EXPECT_EQ(pool.bytes_held(), 0u);
  EXPECT_EQ(pool.Statistics().objects_destroyed, 2);
}

TEST_F(ArrayPoolTest, EmptyShapesAreValid) {
  ArrayPool pool;
  absl::StatusOr<ArrayHandle<double>> e = pool.Zeros(0, 5);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(*e);
  EXPECT_EQ(e->size(), 0);
}

TEST_F(ArrayPoolTest, BadShapesAreErrors) {
  ArrayPool pool;
  absl::StatusOr<ArrayHandle<double>> neg = pool.Zeros(-1, 5);
  EXPECT_EQ(neg.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(neg.status().message()),
              HasSubstr("shape (-1, 5) has a negative dimension"));
  absl::StatusOr<ArrayHandle<double>> huge =
      pool.Zeros(int64_t{1} << 40, int64_t{1} << 40);
  EXPECT_EQ(huge.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(huge.status().message()), HasSubstr("overflows"));
  EXPECT_EQ(pool.Statistics().acquisitions, 0);
}

TEST_F(ArrayPoolTest, HandleMoves) {
  ArrayPool pool;
  ArrayHandle<double> a = *pool.Zeros(2, 2);
  double* p = a.data();
  ArrayHandle<double> b = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.data(), p);
  b.Release();
  b.Release();
  EXPECT_EQ(pool.Statistics().releases, 1);
  EXPECT_EQ(pool.buffers_held(), 1u);
}

TEST_F(ArrayPoolTest, SteadyStateAllocatesNothing) {
  ArrayPool pool;
  { ArrayHandle<double> warm = *pool.Zeros(100, 10); }
  testing::AllocationCounter counter;
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<ArrayHandle<double>> a = pool.Zeros(100, 10);
    (*a)[i] = 1.0;
  }
  EXPECT_EQ(counter.allocations(), 0);
}

TEST_F(ArrayPoolTest, DisabledPoolingAllocatesEveryTime) {
  ScopedPoolingDisabled off(true);
  ArrayPool pool;
  for (int i = 0; i < 3; ++i) {
    ArrayHandle<double> a = *pool.Zeros(16, 16);
    EXPECT_EQ(a.matrix().sum(), 0.0);
    a.matrix().setOnes();
  }
  EXPECT_EQ(pool.buffers_held(), 0u);
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.misses, 3);
  EXPECT_EQ(s.hits, 0);
  EXPECT_EQ(s.objects_created, 3);
  EXPECT_EQ(s.objects_destroyed, 3);
}

}  // namespace
}  // namespace eclipsera::pool
