#include "eclipsera/core/workspace.h"

#include <type_traits>
#include <utility>

#include "eclipsera/core/matrix.h"
#include "eclipsera/testing/alloc_counter.h"
#include "gtest/gtest.h"

namespace eclipsera {
namespace {

double SumOf(const ConstMatrixRef& m) { return m.sum(); }
void Fill(MatrixRef m, double v) { m.setConstant(v); }

// Binding a buffer to `const Matrix&` would copy it into a temporary; the
// deleted conversions make that a compile error.
static_assert(!std::is_convertible_v<const GrowMatrix&, const Matrix&>,
              "a GrowMatrix must not bind to const Matrix&");
static_assert(std::is_convertible_v<const GrowMatrix&, ConstMatrixRef>);

TEST(GrowBufferTest, GrowsOnlyAndKeepsCapacity) {
  GrowMatrix m;
  EXPECT_EQ(m.size(), 0);
  EXPECT_EQ(m.bytes(), 0);
  m.resize(61, 3);
  EXPECT_EQ(m.rows(), 61);
  EXPECT_EQ(m.cols(), 3);
  EXPECT_EQ(m.reallocations(), 1);
  const double* storage = m.data();
  {
    ::eclipsera::testing::AllocationCounter counter;
    for (Index n : {59, 60, 61, 1, 45}) {
      m.resize(n, 3);
      EXPECT_EQ(m.rows(), n);
      m.setConstant(2.0);
      EXPECT_EQ(SumOf(m), 6.0 * n);
    }
    EXPECT_EQ(counter.allocations(), 0);
  }
  EXPECT_EQ(m.data(), storage);
  EXPECT_EQ(m.reallocations(), 1);
  EXPECT_EQ(m.capacity(), 183);
  EXPECT_EQ(m.bytes(), 183 * 8);
  m.resize(62, 3);  // beyond capacity
  EXPECT_EQ(m.reallocations(), 2);
  EXPECT_EQ(m.capacity(), 186);
  m.release();
  EXPECT_EQ(m.bytes(), 0);
  EXPECT_EQ(m.size(), 0);
}

TEST(GrowBufferTest, BehavesAsAnEigenMatrix) {
  GrowMatrix m;
  m = Matrix::Constant(2, 3, 1.5);  // assignment resizes, as Matrix's
  EXPECT_EQ(m.rows(), 2);
  EXPECT_EQ(m.cols(), 3);
  EXPECT_EQ(m.sum(), 9.0);
  Fill(m, 4.0);
  EXPECT_EQ(m(1, 2), 4.0);
  m.row(0).setZero();
  EXPECT_EQ(m.sum(), 12.0);
  const Matrix copy(m);  // an explicit copy is allowed
  EXPECT_EQ(copy, Matrix(m));
  GrowVector v;
  v.resize(4);
  v << 1, 2, 3, 4;
  EXPECT_EQ(v.size(), 4);
  EXPECT_EQ(v.cols(), 1);
  EXPECT_EQ(v.dot(v), 30.0);
  GrowLabels labels;
  labels.resize(3);
  labels.setConstant(-1);
  EXPECT_EQ(labels.sum(), -3);
}

TEST(GrowBufferTest, SwapIsConstantTimeAndCopiesAreDeep) {
  GrowMatrix a, b;
  a.resize(2, 2);
  a.setConstant(1.0);
  b.resize(3, 1);
  b.setConstant(2.0);
  const double* pa = a.data();
  const double* pb = b.data();
  a.swap(b);
  EXPECT_EQ(a.data(), pb);
  EXPECT_EQ(b.data(), pa);
  EXPECT_EQ(a.rows(), 3);
  EXPECT_EQ(b.rows(), 2);
  EXPECT_EQ(a.sum(), 6.0);
  GrowMatrix c = a;  // deep copy
  c(0, 0) = 10.0;
  EXPECT_EQ(a(0, 0), 2.0);
  EXPECT_NE(c.data(), a.data());
  GrowMatrix d = std::move(c);
  EXPECT_EQ(d(0, 0), 10.0);
  EXPECT_EQ(d.rows(), 3);
  c = b;  // copy-assign into a moved-from buffer
  EXPECT_EQ(c.sum(), 4.0);
}

TEST(GrowBufferTest, ReserveGrowsCapacityAndKeepsTheShape) {
  GrowMatrix m;
  m.resize(2, 3);
  m.reserve(4);  // below the capacity: nothing happens
  EXPECT_EQ(m.reallocations(), 1);
  EXPECT_EQ(m.capacity(), 6);
  m.reserve(40);
  EXPECT_EQ(m.reallocations(), 2);
  EXPECT_EQ(m.capacity(), 40);
  EXPECT_EQ(m.rows(), 2);
  EXPECT_EQ(m.cols(), 3);
  ::eclipsera::testing::AllocationCounter counter;
  m.resize(5, 8);  // within the reserved capacity
  EXPECT_EQ(counter.allocations(), 0);
  EXPECT_EQ(m.reallocations(), 2);
}

TEST(GrowBufferTest, StatsSumOverBuffers) {
  GrowMatrix a;
  GrowVector v;
  GrowLabels l;
  a.resize(2, 5);
  v.resize(3);
  l.resize(4);
  l.resize(2);
  const WorkspaceStats s = SumStats(a, v, l);
  EXPECT_EQ(s.bytes, 10 * 8 + 3 * 8 + 4 * 4);
  EXPECT_EQ(s.reallocations, 3);
}

}  // namespace
}  // namespace eclipsera
