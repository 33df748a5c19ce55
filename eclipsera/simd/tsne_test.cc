// Tests of the exact t-SNE kernels against plain scalar references, on every
// SIMD target the CPU supports (hwy_gtest runs each test per target).
#include "eclipsera/simd/tsne.h"

#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "eclipsera/simd/tsne_test.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/tests/hwy_gtest.h"

#ifndef ECLIPSERA_SIMD_TSNE_TEST_HELPERS_
#define ECLIPSERA_SIMD_TSNE_TEST_HELPERS_
namespace eclipsera::tsne_test {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kSentinel = -12345.0;

// Uniform values in [lo, hi).
inline std::vector<double> Random(size_t size, uint64_t seed, double lo,
                                  double hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(size);
  for (double& x : v) x = dist(rng);
  return v;
}

// Coordinate k of point j is yt[k * ld + j].
inline double D2(const double* yt, size_t ld, size_t d, size_t i, size_t j) {
  double s = 0.0;
  for (size_t k = 0; k < d; ++k) {
    const double e = yt[k * ld + i] - yt[k * ld + j];
    s += e * e;
  }
  return s;
}

struct RowReference {
  std::vector<double> attr, rep;
  double z = 0.0, max_d2 = 0.0;
};

inline RowReference ReferenceRow(const double* yt, size_t ld, size_t d,
                                 size_t n, size_t i, const double* p,
                                 const double* w) {
  RowReference r;
  r.attr.assign(d, 0.0);
  r.rep.assign(d, 0.0);
  for (size_t j = 0; j < n; ++j) {
    if (j == i) continue;
    const double d2 = D2(yt, ld, d, i, j);
    const double wj = w != nullptr ? w[j] : 1.0 / (1.0 + d2);
    r.z += wj;
    r.max_d2 = std::max(r.max_d2, d2);
    for (size_t k = 0; k < d; ++k) {
      const double e = yt[k * ld + i] - yt[k * ld + j];
      r.attr[k] += p[j] * wj * e;
      r.rep[k] += wj * wj * e;
    }
  }
  return r;
}

// Sizes around the vector length, and one long row.
inline std::vector<size_t> Sizes(size_t lanes) {
  std::vector<size_t> s = {1,         2,         3,  lanes - 1,    lanes,
                           lanes + 1, 2 * lanes, 37, 3 * lanes + 5};
  s.erase(std::remove(s.begin(), s.end(), size_t{0}), s.end());
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
  return s;
}

}  // namespace eclipsera::tsne_test
#endif  // ECLIPSERA_SIMD_TSNE_TEST_HELPERS_

HWY_BEFORE_NAMESPACE();
namespace eclipsera::simd {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using namespace tsne_test;  // NOLINT

size_t Lanes() { return hn::Lanes(hn::ScalableTag<double>()); }

void TestRowTerms() {
  for (size_t d : {1, 2, 3, 4}) {
    for (size_t n : Sizes(Lanes())) {
      const size_t ld = n + 3;
      // Offset 1: unaligned starts.
      const std::vector<double> yt = Random(d * ld + 1, 10 + d + n, -3, 3);
      const std::vector<double> p = Random(n + 1, 20 + n, 0, 0.1);
      const std::vector<double> w = Random(n + 1, 30 + n, 0.01, 1);
      for (bool given_w : {false, true}) {
        for (size_t i = 0; i < n; ++i) {
          std::vector<double> attr(d + 1, kSentinel), rep(d + 1, kSentinel);
          double max_d2 = kSentinel;
          const double* wp = given_w ? w.data() + 1 : nullptr;
          const double z =
              TsneExactRowTerms(yt.data() + 1, ld, d, n, i, p.data() + 1, wp,
                                attr.data(), rep.data(), &max_d2);
          const RowReference r =
              ReferenceRow(yt.data() + 1, ld, d, n, i, p.data() + 1, wp);
          // Every term is bounded by 1 (w) times 6 (coordinates in [-3, 3]).
          const double tol = 8.0 * (n + 2) * kEps * 6.0;
          EXPECT_NEAR(r.z, z, tol) << "d=" << d << " n=" << n << " i=" << i;
          EXPECT_NEAR(r.max_d2, max_d2, 8.0 * d * kEps * r.max_d2);
          for (size_t k = 0; k < d; ++k) {
            EXPECT_NEAR(r.attr[k], attr[k], tol) << "k=" << k;
            EXPECT_NEAR(r.rep[k], rep[k], tol) << "k=" << k;
          }
          EXPECT_EQ(kSentinel, attr[d]);
          EXPECT_EQ(kSentinel, rep[d]);
        }
      }
    }
  }
}

void TestStudentRow() {
  for (size_t d : {1, 2, 3, 5}) {
    for (size_t n : Sizes(Lanes())) {
      const size_t ld = n + 1;
      const std::vector<double> yt = Random(d * ld + 1, 40 + d + n, -3, 3);
      for (size_t i = 0; i < n; ++i) {
        std::vector<double> w(n + 2, kSentinel);
        TsneStudentRow(yt.data() + 1, ld, d, n, i, w.data() + 1);
        EXPECT_EQ(kSentinel, w[0]);
        EXPECT_EQ(kSentinel, w[n + 1]);
        EXPECT_EQ(0.0, w[1 + i]);
        for (size_t j = 0; j < n; ++j) {
          if (j == i) continue;
          const double ref = 1.0 / (1.0 + D2(yt.data() + 1, ld, d, i, j));
          EXPECT_NEAR(ref, w[1 + j], 4.0 * d * kEps * ref) << "j=" << j;
        }
        // The same values as TsneExactRowTerms computes itself: with a
        // one-hot P the attraction is exactly w_j (y_i - y_j) for that j.
        if (n > 1) {
          const size_t j = (i + 1) % n;
          std::vector<double> p(n, 0.0);
          p[j] = 1.0;
          std::vector<double> attr(d), rep(d);
          double max_d2 = 0.0;
          TsneExactRowTerms(yt.data() + 1, ld, d, n, i, p.data(), nullptr,
                            attr.data(), rep.data(), &max_d2);
          const double e0 = yt[1 + i] - yt[1 + j];
          EXPECT_NEAR(w[1 + j] * e0, attr[0], 4 * kEps * std::abs(attr[0]));
        }
      }
    }
  }
}

void TestKlRow() {
  const double floor = kEps;
  for (size_t d : {1, 2, 3, 4}) {
    for (size_t n : Sizes(Lanes())) {
      const size_t ld = n + 2;
      const std::vector<double> yt = Random(d * ld + 1, 50 + d + n, -3, 3);
      std::vector<double> p = Random(n + 1, 60 + n, 0, 0.1);
      if (n > 2) p[2] = 0.0;  // p = 0 terms use the floor inside the log
      const std::vector<double> w = Random(n + 1, 70 + n, 1e-20, 1);
      for (bool given_w : {false, true}) {
        const double* wp = given_w ? w.data() + 1 : nullptr;
        const double sum_w = 0.37 * n + 1.0;
        for (size_t i = 0; i < n; ++i) {
          double ref = 0.0, mag = 0.0;
          for (size_t j = i + 1; j < n; ++j) {
            const double wj =
                wp != nullptr ? wp[j]
                              : 1.0 / (1.0 + D2(yt.data() + 1, ld, d, i, j));
            const double q = std::max(wj / sum_w, floor);
            const double t = p[1 + j] * std::log(std::max(p[1 + j], floor) / q);
            ref += t;
            mag += std::abs(t) + p[1 + j];
          }
          const double kl = TsneExactKlRow(yt.data() + 1, ld, d, n, i,
                                           p.data() + 1, wp, sum_w, floor);
          EXPECT_NEAR(ref, kl, 16.0 * (n + 2) * kEps * mag + 1e-300)
              << "d=" << d << " n=" << n << " i=" << i;
        }
      }
    }
  }
}

void TestRepulsionList() {
  const double eps = 1e-6;
  for (size_t d : {1, 2, 3, 4}) {
    for (size_t count : Sizes(Lanes())) {
      const size_t ld = count + 1;
      std::vector<double> bt = Random(d * ld + 1, 80 + d + count, -3, 3);
      const std::vector<double> size = Random(count + 1, 90 + count, 1, 5);
      const std::vector<double> point = Random(d, 95 + d, -3, 3);
      // Entry 1 is a duplicate of the point (within eps in every axis).
      if (count > 1) {
        for (size_t k = 0; k < d; ++k) {
          bt[1 + k * ld + 1] = point[k] + 0.5 * eps;
        }
      }
      for (bool skip : {false, true}) {
        double ref_force[4] = {0, 0, 0, 0}, ref_z = 0.0;
        for (size_t j = 0; j < count; ++j) {
          double d2 = 0.0;
          for (size_t k = 0; k < d; ++k) {
            const double e = point[k] - bt[1 + k * ld + j];
            d2 += e * e;
          }
          const double q = 1.0 / (1.0 + d2);
          if (skip && count > 1 && j == 1) {
            // The point's own entry: size - 1 coincident points, no force.
            ref_z += (size[1 + j] - 1.0) * q;
            continue;
          }
          ref_z += size[1 + j] * q;
          for (size_t k = 0; k < d; ++k) {
            ref_force[k] +=
                size[1 + j] * q * q * (point[k] - bt[1 + k * ld + j]);
          }
        }
        double force[5] = {1.0, 1.0, 1.0, 1.0, kSentinel};
        const double z =
            TsneRepulsionList(point.data(), d, bt.data() + 1, ld,
                              size.data() + 1, count, skip, eps, force);
        const double tol = 8.0 * (count + 2) * kEps * 30.0;
        EXPECT_NEAR(ref_z, z, tol) << "d=" << d << " count=" << count;
        for (size_t k = 0; k < d; ++k) {
          // Added to what was there.
          EXPECT_NEAR(1.0 + ref_force[k], force[k], tol) << "k=" << k;
        }
        EXPECT_EQ(kSentinel, force[4]);
      }
    }
  }
}

void TestAttractionRow() {
  for (size_t d : {1, 2, 3, 4}) {
    const size_t n = 50;
    const std::vector<double> y = Random(n * d, 110 + d, -3, 3);
    for (size_t count : Sizes(Lanes())) {
      std::mt19937_64 rng(120 + count);
      std::vector<int32_t> idx(count);
      for (int32_t& j : idx) j = static_cast<int32_t>(rng() % n);
      const std::vector<double> val = Random(count, 130 + count, 0, 0.1);
      for (size_t i : {size_t{0}, size_t{7}, n - 1}) {
        double ref[4] = {0, 0, 0, 0};
        for (size_t e = 0; e < count; ++e) {
          const size_t j = static_cast<size_t>(idx[e]);
          double d2 = 0.0;
          for (size_t k = 0; k < d; ++k) {
            d2 += (y[i * d + k] - y[j * d + k]) * (y[i * d + k] - y[j * d + k]);
          }
          for (size_t k = 0; k < d; ++k) {
            ref[k] += val[e] / (1.0 + d2) * (y[i * d + k] - y[j * d + k]);
          }
        }
        double pos[5] = {kSentinel, kSentinel, kSentinel, kSentinel, kSentinel};
        TsneAttractionRow(y.data(), d, i, idx.data(), val.data(), count, pos);
        for (size_t k = 0; k < d; ++k) {
          EXPECT_NEAR(ref[k], pos[k], 8.0 * (count + 2) * kEps * 0.6)
              << "d=" << d << " count=" << count << " k=" << k;
        }
        EXPECT_EQ(kSentinel, pos[d]);
      }
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace eclipsera::simd
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace eclipsera::simd {
HWY_BEFORE_TEST(TsneKernelTest);
HWY_EXPORT_AND_TEST_P(TsneKernelTest, TestRowTerms);
HWY_EXPORT_AND_TEST_P(TsneKernelTest, TestStudentRow);
HWY_EXPORT_AND_TEST_P(TsneKernelTest, TestKlRow);
HWY_EXPORT_AND_TEST_P(TsneKernelTest, TestRepulsionList);
HWY_EXPORT_AND_TEST_P(TsneKernelTest, TestAttractionRow);
}  // namespace eclipsera::simd
#endif  // HWY_ONCE
