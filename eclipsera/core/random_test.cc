#include "eclipsera/core/random.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "gtest/gtest.h"

namespace eclipsera {
namespace {

TEST(RandomTest, SameSeedSameStream) {
  Random a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.NextU64();
    EXPECT_EQ(x, b.NextU64());
    differs |= (x != c.NextU64());
  }
  EXPECT_TRUE(differs);
}

// Pinned values: the stream must never change across platforms or releases,
// or every seeded result (and golden test) would change with it.
TEST(RandomTest, PinnedOutput) {
  Random r(0);
  EXPECT_EQ(r.NextU64(), 0x53175d61490b23dfULL);
  EXPECT_EQ(r.NextU64(), 0x61da6f3dc380d507ULL);
  // Independent Python reference of xoshiro256++ / SplitMix64 gave these.
  Random s(12345);
  EXPECT_EQ(s.Uniform(), 0.5530478066930038);
}

TEST(RandomTest, UniformRangeAndMean) {
  Random r(7);
  double sum = 0.0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = r.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / n, 0.5, 0.005);
}

TEST(RandomTest, UniformIntIsUnbiased) {
  Random r(1);
  std::vector<int> counts(7, 0);
  const int n = 70000;
  for (int i = 0; i < n; ++i) {
    const uint64_t k = r.UniformInt(7);
    ASSERT_LT(k, 7u);
    ++counts[k];
  }
  for (int c : counts) EXPECT_NEAR(c, n / 7, 400);
  EXPECT_EQ(r.UniformInt(1), 0u);
}

TEST(RandomTest, NormalMoments) {
  Random r(3);
  const int n = 200000;
  double sum = 0.0, sum2 = 0.0;
  for (int i = 0; i < n; ++i) {
    const double z = r.Normal();
    sum += z;
    sum2 += z * z;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sum2 / n, 1.0, 0.02);
}

TEST(RandomTest, ForkIsIndependentOfDrawCount) {
  Random a(5), b(5);
  for (int i = 0; i < 10; ++i) b.NextU64();
  EXPECT_EQ(a.Fork(3).NextU64(), b.Fork(3).NextU64());
  EXPECT_NE(a.Fork(3).NextU64(), a.Fork(4).NextU64());
}

TEST(RandomTest, ShuffleIsAPermutation) {
  Random r(9);
  std::vector<int> v(50);
  std::iota(v.begin(), v.end(), 0);
  r.Shuffle(absl::MakeSpan(v));
  std::vector<int> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(sorted[i], i);
  EXPECT_NE(v, sorted);
}

TEST(RandomTest, SampleIndicesAreDistinctAndUniform) {
  Random r(11);
  EXPECT_TRUE(r.SampleIndices(5, 0).empty());
  std::vector<int64_t> all = r.SampleIndices(6, 6);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  // Each of 10 indices is picked 3/10 of the time when sampling 3.
  std::vector<int> hits(10, 0);
  for (int t = 0; t < 20000; ++t) {
    std::vector<int64_t> s = r.SampleIndices(10, 3);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_NE(s[0], s[1]);
    EXPECT_NE(s[0], s[2]);
    EXPECT_NE(s[1], s[2]);
    for (int64_t i : s) ++hits[i];
  }
  for (int h : hits) EXPECT_NEAR(h, 6000, 300);  // > 6 standard deviations
  // The same seed gives the same sample.
  Random a(3), b(3);
  EXPECT_EQ(a.SampleIndices(100, 7), b.SampleIndices(100, 7));
}

}  // namespace
}  // namespace eclipsera
