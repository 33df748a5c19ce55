// Tests of the distance kernels against plain scalar references, on every
// SIMD target the CPU supports (hwy_gtest runs each test once per target).
#include "eclipsera/simd/distance.h"

#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "eclipsera/simd/distance_test.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/tests/hwy_gtest.h"

// Target-independent helpers, defined once.
#ifndef ECLIPSERA_SIMD_DISTANCE_TEST_HELPERS_
#define ECLIPSERA_SIMD_DISTANCE_TEST_HELPERS_
namespace eclipsera::simd_test {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kSentinel = -12345.0;

// Uniform values in [-1, 1), or small integers in [-3, 3] when `integers`
// (integer data makes the norm identity exact, so ties are real ties).
inline std::vector<double> Random(size_t size, uint64_t seed,
                                  bool integers = false) {
  std::mt19937_64 rng(seed);
  std::vector<double> v(size);
  if (integers) {
    std::uniform_int_distribution<int> dist(-3, 3);
    for (double& x : v) x = dist(rng);
  } else {
    std::uniform_real_distribution<double> dist(-1.0, 1.0);
    for (double& x : v) x = dist(rng);
  }
  return v;
}

inline double DotReference(const double* a, const double* b, size_t d) {
  double s = 0.0;
  for (size_t j = 0; j < d; ++j) s += a[j] * b[j];
  return s;
}
inline double AbsDotReference(const double* a, const double* b, size_t d) {
  double s = 0.0;
  for (size_t j = 0; j < d; ++j) s += std::abs(a[j] * b[j]);
  return s;
}
inline double SquaredL2Reference(const double* a, const double* b, size_t d) {
  double s = 0.0;
  for (size_t j = 0; j < d; ++j) s += (a[j] - b[j]) * (a[j] - b[j]);
  return s;
}
inline double L1Reference(const double* a, const double* b, size_t d) {
  double s = 0.0;
  for (size_t j = 0; j < d; ++j) s += std::abs(a[j] - b[j]);
  return s;
}
inline double LInfReference(const double* a, const double* b, size_t d) {
  double m = 0.0;
  for (size_t j = 0; j < d; ++j) m = std::max(m, std::abs(a[j] - b[j]));
  return m;
}

// Relative tolerance for a sum of d non-negative-magnitude terms.
inline double SumTolerance(size_t d, double magnitude) {
  return 4.0 * (d + 2) * kEps * magnitude + 1e-300;
}

}  // namespace eclipsera::simd_test
#endif  // ECLIPSERA_SIMD_DISTANCE_TEST_HELPERS_

HWY_BEFORE_NAMESPACE();
namespace eclipsera::simd {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using namespace simd_test;  // NOLINT

size_t Lanes() { return hn::Lanes(hn::ScalableTag<double>()); }

// {0, 1, N-1, N, N+1, 3N+5} plus a few odd and larger sizes.
std::vector<size_t> TestSizes() {
  const size_t N = Lanes();
  std::vector<size_t> sizes = {0,         1,         N - 1, N,  N + 1,
                               3 * N + 5, 4 * N + 3, 17,    64, 131};
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

void TestDispatchedTargetName() {
  EXPECT_STREQ(hwy::TargetName(HWY_TARGET), DispatchedTargetName());
}

void TestPairwiseKernels() {
  for (size_t d : TestSizes()) {
    for (size_t offset : {0, 1, 3}) {  // Unaligned starts.
      const std::vector<double> a = Random(d + offset, 10 + d);
      const std::vector<double> b = Random(d + offset, 20 + d);
      const double* pa = a.data() + offset;
      const double* pb = b.data() + offset;
      const double dot_mag = AbsDotReference(pa, pb, d);
      EXPECT_NEAR(DotReference(pa, pb, d), Dot(pa, pb, d),
                  SumTolerance(d, dot_mag))
          << "d=" << d << " offset=" << offset;
      const double sq = SquaredL2Reference(pa, pb, d);
      EXPECT_NEAR(sq, SquaredL2(pa, pb, d), SumTolerance(d, sq))
          << "d=" << d << " offset=" << offset;
      const double l1 = L1Reference(pa, pb, d);
      EXPECT_NEAR(l1, L1(pa, pb, d), SumTolerance(d, l1))
          << "d=" << d << " offset=" << offset;
      // Max involves no rounding: exact.
      EXPECT_EQ(LInfReference(pa, pb, d), LInf(pa, pb, d))
          << "d=" << d << " offset=" << offset;
    }
  }
  // Known values.
  const double a[5] = {1, 2, 3, 4, 5};
  const double b[5] = {2, 0, 3, 8, 4};
  EXPECT_EQ(2 + 0 + 9 + 32 + 20, Dot(a, b, 5));
  EXPECT_EQ(1 + 4 + 0 + 16 + 1, SquaredL2(a, b, 5));
  EXPECT_EQ(1 + 2 + 0 + 4 + 1, L1(a, b, 5));
  EXPECT_EQ(4, LInf(a, b, 5));
}

void TestRowToRowsAndNorms() {
  for (size_t d : TestSizes()) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{7}}) {
      const size_t ld = d + 3;
      const std::vector<double> x = Random(d + 1, 30 + d);
      const std::vector<double> rows = Random(n * ld + 1, 40 + d);
      const double* px = x.data() + 1;
      const double* prows = rows.data() + 1;
      std::vector<double> out(n + 1, kSentinel);
      SquaredL2RowToRows(px, prows, n, d, ld, out.data());
      for (size_t i = 0; i < n; ++i) {
        const double ref = SquaredL2Reference(px, prows + i * ld, d);
        EXPECT_NEAR(ref, out[i], SumTolerance(d, ref)) << "d=" << d;
      }
      EXPECT_EQ(kSentinel, out[n]);
      L1RowToRows(px, prows, n, d, ld, out.data());
      for (size_t i = 0; i < n; ++i) {
        const double ref = L1Reference(px, prows + i * ld, d);
        EXPECT_NEAR(ref, out[i], SumTolerance(d, ref)) << "d=" << d;
      }
      EXPECT_EQ(kSentinel, out[n]);
      RowSquaredNorms(prows, n, d, ld, out.data());
      for (size_t i = 0; i < n; ++i) {
        const double* r = prows + i * ld;
        const double ref = DotReference(r, r, d);
        EXPECT_NEAR(ref, out[i], SumTolerance(d, ref)) << "d=" << d;
      }
      EXPECT_EQ(kSentinel, out[n]);
    }
  }
}

void TestArgMinRows() {
  for (size_t k : TestSizes()) {
    const size_t n = 9;
    const size_t ld = k + 2;
    // Small integers: many ties, first index must win.
    const std::vector<double> m = Random(n * ld + 1, 50 + k, true);
    const double* pm = m.data() + 1;
    std::vector<int32_t> argmin(n, -7);
    std::vector<double> min_value(n, kSentinel);
    ArgMinRows(pm, n, k, ld, argmin.data(), min_value.data());
    for (size_t i = 0; i < n; ++i) {
      if (k == 0) {
        EXPECT_EQ(-1, argmin[i]);
        EXPECT_EQ(std::numeric_limits<double>::infinity(), min_value[i]);
        continue;
      }
      const double* row = pm + i * ld;
      const size_t ref = std::min_element(row, row + k) - row;
      EXPECT_EQ(static_cast<int32_t>(ref), argmin[i]) << "k=" << k;
      EXPECT_EQ(row[ref], min_value[i]);
    }
    // min_value may be null.
    std::fill(argmin.begin(), argmin.end(), -7);
    ArgMinRows(pm, n, k, ld, argmin.data(), nullptr);
    for (size_t i = 0; i < n && k > 0; ++i) {
      const double* row = pm + i * ld;
      EXPECT_EQ(std::min_element(row, row + k) - row, argmin[i]);
    }
  }
  // Minimum in the scalar tail and a tie between vector part and tail.
  std::vector<double> row(3 * Lanes() + 5, 5.0);
  row.back() = 1.0;
  int32_t idx;
  double v;
  ArgMinRows(row.data(), 1, row.size(), row.size(), &idx, &v);
  EXPECT_EQ(static_cast<int32_t>(row.size() - 1), idx);
  EXPECT_EQ(1.0, v);
  row[2] = 1.0;
  ArgMinRows(row.data(), 1, row.size(), row.size(), &idx, &v);
  EXPECT_EQ(2, idx);
}

// Checks SquaredL2Block against the exact per-pair distance within the
// documented bound of the norm identity, checks NearestCenters against
// ArgMinRows of the block (bit-identical), and checks that neither writes
// outside its outputs or its scratch.
void CheckBlock(size_t n, size_t k, size_t d, bool with_norms, bool integers,
                uint64_t seed) {
  const size_t ld_x = d + 1, ld_c = d + 2, ld_out = k + 3;
  const std::vector<double> xv = Random(n * ld_x + 1, seed, integers);
  const std::vector<double> cv = Random(k * ld_c + 1, seed + 1, integers);
  const double* x = xv.data() + 1;  // Unaligned.
  const double* c = cv.data() + 1;
  std::vector<double> xsq(n), csq(k);
  RowSquaredNorms(x, n, d, ld_x, xsq.data());
  RowSquaredNorms(c, k, d, ld_c, csq.data());

  const size_t scratch_size = BlockScratchSize(k, d);
  const size_t guard = 64;
  std::vector<double> scratch(scratch_size + guard + 1, kSentinel);
  double* s = scratch.data() + 1;  // Unaligned.
  std::vector<double> out(n * ld_out + guard, kSentinel);
  SquaredL2Block(x, n, ld_x, with_norms ? xsq.data() : nullptr, c, k, ld_c,
                 with_norms ? csq.data() : nullptr, d, out.data(), ld_out, s);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < ld_out; ++j) {
      const double got = out[i * ld_out + j];
      if (j >= k) {
        ASSERT_EQ(kSentinel, got) << "wrote past k, i=" << i << " j=" << j;
        continue;
      }
      const double ref = SquaredL2Reference(x + i * ld_x, c + j * ld_c, d);
      const double bound = SumTolerance(d, 2.0 * (xsq[i] + csq[j]));
      ASSERT_GE(got, 0.0);
      ASSERT_NEAR(ref, got, bound)
          << "n=" << n << " k=" << k << " d=" << d << " i=" << i << " j=" << j;
    }
  }
  for (size_t g = 0; g < guard; ++g) {
    ASSERT_EQ(kSentinel, out[n * ld_out + g]);
    ASSERT_EQ(kSentinel, s[scratch_size + g]) << "scratch overrun";
  }

  std::vector<int32_t> expected_labels(n);
  std::vector<double> expected_min(n);
  ArgMinRows(out.data(), n, k, ld_out, expected_labels.data(),
             expected_min.data());
  std::vector<int32_t> labels(n + 1, -7);
  std::vector<double> min_sqdist(n + 1, kSentinel);
  NearestCenters(x, n, ld_x, with_norms ? xsq.data() : nullptr, c, k, ld_c,
                 with_norms ? csq.data() : nullptr, d, labels.data(),
                 min_sqdist.data(), s);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(expected_labels[i], labels[i])
        << "n=" << n << " k=" << k << " d=" << d << " i=" << i;
    ASSERT_EQ(expected_min[i], min_sqdist[i]);
    // And the label is (near-)optimal for the exact distances.
    double ref_min = std::numeric_limits<double>::infinity();
    for (size_t j = 0; j < k; ++j) {
      ref_min =
          std::min(ref_min, SquaredL2Reference(x + i * ld_x, c + j * ld_c, d));
    }
    const double chosen =
        SquaredL2Reference(x + i * ld_x, c + labels[i] * ld_c, d);
    ASSERT_LE(chosen, ref_min + SumTolerance(d, 4.0 * (xsq[i] + 2.0 * d)));
  }
  EXPECT_EQ(-7, labels[n]);
  EXPECT_EQ(kSentinel, min_sqdist[n]);
  for (size_t g = 0; g < guard; ++g) {
    ASSERT_EQ(kSentinel, s[scratch_size + g]) << "scratch overrun";
  }
  // min_sqdist may be null.
  std::vector<int32_t> labels2(n, -7);
  NearestCenters(x, n, ld_x, nullptr, c, k, ld_c, nullptr, d, labels2.data(),
                 nullptr, s);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(expected_labels[i], labels2[i]);
}

void TestSquaredL2BlockAndNearestCenters() {
  const size_t N = Lanes();
  // k sizes cross the panel width and the 256-column tile; d sizes cross the
  // depth tile; n crosses the row block (64) and the register block.
  const std::vector<size_t> ks = {
      1, N - 1 > 0 ? N - 1 : 1, N, N + 1, 3 * N + 5, 33, 64, 300};
  const std::vector<size_t> ds = {0, 1, 3, N + 1, 3 * N + 5, 64, 200};
  const std::vector<size_t> ns = {0, 1, 5, 7, 13, 65, 130};
  uint64_t seed = 100;
  for (size_t k : ks) {
    for (size_t d : ds) {
      for (size_t n : ns) {
        if (n * k * d > 2000000) continue;
        CheckBlock(n, k, d, /*with_norms=*/(seed % 2) == 0,
                   /*integers=*/(seed % 3) == 0, seed);
        ++seed;
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
}

void TestNearestCentersTiesGoToLowestIndex() {
  // Centers 0 and 3 are identical, 1 and 2 far away; with integer data the
  // identity is exact, so every point nearest to center 0 ties with 3.
  const size_t d = 5, k = 4, n = 3;
  const std::vector<double> c = {1,  2,  3,  4,  5,  9, 9, 9, 9, 9,
                                 -9, -9, -9, -9, -9, 1, 2, 3, 4, 5};
  const std::vector<double> x = {1, 2, 3, 4, 5, 2, 2, 3, 4, 5, 9, 9, 9, 9, 8};
  std::vector<double> scratch(BlockScratchSize(k, d));
  int32_t labels[n];
  double min_sqdist[n];
  NearestCenters(x.data(), n, d, nullptr, c.data(), k, d, nullptr, d, labels,
                 min_sqdist, scratch.data());
  EXPECT_EQ(0, labels[0]);
  EXPECT_EQ(0.0, min_sqdist[0]);
  EXPECT_EQ(0, labels[1]);
  EXPECT_EQ(1.0, min_sqdist[1]);
  EXPECT_EQ(1, labels[2]);
  EXPECT_EQ(1.0, min_sqdist[2]);
}

void TestBlockClampsCancellationAtZero() {
  // Points far from the origin: the identity cancels catastrophically, but
  // results stay >= 0 and within the documented bound.
  const size_t d = 7, n = 4, k = 3;
  std::vector<double> x(n * d), c(k * d);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 1e6 + (i % 5) * 1e-3;
  for (size_t i = 0; i < c.size(); ++i) c[i] = 1e6 + (i % 3) * 1e-3;
  std::vector<double> scratch(BlockScratchSize(k, d)), out(n * k);
  SquaredL2Block(x.data(), n, d, nullptr, c.data(), k, d, nullptr, d,
                 out.data(), k, scratch.data());
  const double bound = 2.0 * (d + 2) * kEps * 2.0 * (d * 1e12) * 2.0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < k; ++j) {
      EXPECT_GE(out[i * k + j], 0.0);
      EXPECT_NEAR(SquaredL2Reference(&x[i * d], &c[j * d], d), out[i * k + j],
                  bound);
    }
  }
}

void TestAddRowsByLabel() {
  const size_t N = hn::Lanes(hn::ScalableTag<double>());
  for (size_t d : {size_t{1}, N - 1 > 0 ? N - 1 : 1, N, N + 1, 3 * N + 5}) {
    for (bool weighted : {false, true}) {
      const size_t n = 37, k = 5, ld_x = d + 1, ld_s = d + 2;
      const std::vector<double> x = Random(n * ld_x + 1, 500 + d);
      const std::vector<double> w = Random(n, 600 + d);
      std::vector<int32_t> labels(n);
      for (size_t i = 0; i < n; ++i)
        labels[i] = static_cast<int32_t>((i * 7) % k);
      std::vector<double> sums = Random(k * ld_s, 700 + d), ws(k, 0.5);
      std::vector<double> ref = sums, ref_w = ws;
      for (size_t i = 0; i < n; ++i) {
        const double wi = weighted ? w[i] : 1.0;
        for (size_t j = 0; j < d; ++j) {
          const double p = wi * x[1 + i * ld_x + j];
          ref[labels[i] * ld_s + j] = ref[labels[i] * ld_s + j] + p;
        }
        ref_w[labels[i]] += wi;
      }
      AddRowsByLabel(x.data() + 1, n, ld_x, weighted ? w.data() : nullptr,
                     labels.data(), k, d, sums.data(), ld_s, ws.data());
      // Exactly the scalar loop's values, padding columns untouched.
      EXPECT_EQ(ref, sums) << "d=" << d;
      EXPECT_EQ(ref_w, ws) << "d=" << d;
    }
  }
}

void TestAddRowsByLabelSkipsOutOfRangeLabels() {
  // Labels -1, k and INT32_MIN add nothing and write nothing out of bounds
  // (under ASan an out-of-range write would be reported).
  const size_t d = 3, k = 2, n = 5;
  const std::vector<double> x = {1, 2,  3,  4,  5,  6,  7, 8,
                                 9, 10, 11, 12, 13, 14, 15};
  const std::vector<int32_t> labels = {0, -1, 2,
                                       std::numeric_limits<int32_t>::min(), 1};
  std::vector<double> sums(k * d, 0.0), ws(k, 0.0);
  AddRowsByLabel(x.data(), n, d, nullptr, labels.data(), k, d, sums.data(), d,
                 ws.data());
  EXPECT_EQ((std::vector<double>{1, 2, 3, 13, 14, 15}), sums);
  EXPECT_EQ((std::vector<double>{1, 1}), ws);
}

// Every argmin kernel returns an index in [0, k) for rows holding NaN, +inf
// and -inf anywhere (vector lanes, tails, first lane), and the smallest
// number when there is one.
void TestArgMinNonFinite() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const size_t N = Lanes();
  for (size_t k : {size_t{1}, size_t{2}, N, N + 1, 2 * N + 3, size_t{40}}) {
    for (size_t pos = 0; pos < k; ++pos) {
      for (int pattern = 0; pattern < 4; ++pattern) {
        std::vector<double> row(k);
        for (size_t j = 0; j < k; ++j) row[j] = pattern == 3 ? inf : nan;
        if (pattern == 1) row[pos] = 5.0;  // one number among NaN
        if (pattern == 2) {                // numbers with one NaN at pos
          for (size_t j = 0; j < k; ++j) row[j] = 10.0 + j;
          row[pos] = nan;
        }
        int32_t idx = -7;
        double v = 0.0;
        ArgMinRows(row.data(), 1, k, k, &idx, &v);
        ASSERT_GE(idx, 0) << "k=" << k << " pos=" << pos << " p=" << pattern;
        ASSERT_LT(idx, static_cast<int32_t>(k));
        if (pattern == 1) {
          EXPECT_EQ(static_cast<int32_t>(pos), idx);
          EXPECT_EQ(5.0, v);
        }
        if (pattern == 2) {
          const size_t want = pos == 0 && k > 1 ? 1 : 0;
          if (k > 1) {
            EXPECT_EQ(static_cast<int32_t>(want), idx);
            EXPECT_EQ(10.0 + want, v);
          }
        }
      }
    }
  }
  // NearestCenters on data whose distance tiles are inf - inf = NaN or
  // +inf everywhere (values near 1e200 overflow the squared norms).
  for (size_t k : {size_t{1}, size_t{2}, size_t{3}, N + 1, size_t{37}}) {
    for (size_t d : {size_t{1}, size_t{2}, size_t{5}}) {
      const size_t n = 70;
      std::vector<double> x(n * d), c(k * d);
      for (size_t i = 0; i < x.size(); ++i) {
        x[i] = (i % 4 == 0)   ? 1e200
               : (i % 4 == 1) ? -1e200
               : (i % 4 == 2) ? nan
                              : 1.0;
      }
      for (size_t i = 0; i < c.size(); ++i) c[i] = (i % 2) ? 1e200 : -inf;
      std::vector<double> scratch(BlockScratchSize(k, d)), dist(n);
      std::vector<int32_t> labels(n, -5);
      NearestCenters(x.data(), n, d, nullptr, c.data(), k, d, nullptr, d,
                     labels.data(), dist.data(), scratch.data());
      for (size_t i = 0; i < n; ++i) {
        ASSERT_GE(labels[i], 0) << "k=" << k << " d=" << d << " i=" << i;
        ASSERT_LT(labels[i], static_cast<int32_t>(k));
      }
    }
  }
}

// FindFirstLess against a scalar scan: every length up to 3 vectors plus a
// tail, the first hit at every position, no hit, NaN (never less), and
// equality (not less).
void TestFindFirstLess() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t n = 0; n <= 29; ++n) {
    std::vector<double> v(n, 5.0);
    EXPECT_EQ(FindFirstLess(v.data(), n, 5.0), n) << "equal is not less";
    EXPECT_EQ(FindFirstLess(v.data(), n, 4.0), n);
    for (size_t hit = 0; hit < n; ++hit) {
      std::vector<double> w(n, 5.0);
      for (size_t j = 0; j < hit; ++j) w[j] = j % 2 ? nan : 7.0;
      w[hit] = 1.0;
      if (hit + 1 < n) w[hit + 1] = 0.5;  // a later, smaller one
      ASSERT_EQ(FindFirstLess(w.data(), n, 2.0), hit) << "n=" << n;
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace eclipsera::simd
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace eclipsera::simd {
HWY_BEFORE_TEST(DistanceTest);
HWY_EXPORT_AND_TEST_P(DistanceTest, TestDispatchedTargetName);
HWY_EXPORT_AND_TEST_P(DistanceTest, TestPairwiseKernels);
HWY_EXPORT_AND_TEST_P(DistanceTest, TestRowToRowsAndNorms);
HWY_EXPORT_AND_TEST_P(DistanceTest, TestArgMinRows);
HWY_EXPORT_AND_TEST_P(DistanceTest, TestSquaredL2BlockAndNearestCenters);
HWY_EXPORT_AND_TEST_P(DistanceTest, TestNearestCentersTiesGoToLowestIndex);
HWY_EXPORT_AND_TEST_P(DistanceTest, TestBlockClampsCancellationAtZero);
HWY_EXPORT_AND_TEST_P(DistanceTest, TestAddRowsByLabel);
HWY_EXPORT_AND_TEST_P(DistanceTest, TestAddRowsByLabelSkipsOutOfRangeLabels);
HWY_EXPORT_AND_TEST_P(DistanceTest, TestArgMinNonFinite);
HWY_EXPORT_AND_TEST_P(DistanceTest, TestFindFirstLess);
}  // namespace eclipsera::simd
#endif  // HWY_ONCE
