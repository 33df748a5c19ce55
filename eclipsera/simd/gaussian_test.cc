// Tests of the Gaussian-mixture kernels against plain scalar references, on
// every SIMD target the CPU supports (hwy_gtest runs each test per target).
#include "eclipsera/simd/gaussian.h"

#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "eclipsera/simd/gaussian_test.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/tests/hwy_gtest.h"

#ifndef ECLIPSERA_SIMD_GAUSSIAN_TEST_HELPERS_
#define ECLIPSERA_SIMD_GAUSSIAN_TEST_HELPERS_
namespace eclipsera::gaussian_test {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kSentinel = -12345.0;

// Uniform values in [-1, 1).
inline std::vector<double> Random(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(size);
  for (double& x : v) x = dist(rng);
  return v;
}

// Tolerance for a sum of `terms` products whose magnitudes sum to `mag`.
inline double Tol(size_t terms, double mag) {
  return 4.0 * (terms + 2) * kEps * mag + 1e-300;
}

// q_i = ||x_i P - m||^2 with P's below-diagonal entries zeroed when upper;
// *mag gets a bound on the rounding magnitude.
inline double QuadReference(const double* x, const double* p, size_t ld_p,
                            bool upper, const double* m, size_t d,
                            double* mag) {
  double q = 0.0, qm = 0.0;
  for (size_t j = 0; j < d; ++j) {
    double y = 0.0, ym = 0.0;
    for (size_t r = 0; r < d; ++r) {
      if (upper && r > j) continue;
      y += x[r] * p[r * ld_p + j];
      ym += std::abs(x[r] * p[r * ld_p + j]);
    }
    q += (y - m[j]) * (y - m[j]);
    qm += (ym + std::abs(m[j])) * (ym + std::abs(m[j]));
  }
  *mag = qm;
  return q;
}

}  // namespace eclipsera::gaussian_test
#endif  // ECLIPSERA_SIMD_GAUSSIAN_TEST_HELPERS_

HWY_BEFORE_NAMESPACE();
namespace eclipsera::simd {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using namespace gaussian_test;  // NOLINT

size_t Lanes() { return hn::Lanes(hn::ScalableTag<double>()); }

// {1, N-1, N, N+1, 3N+5} plus odd and larger sizes (d = 32 is the
// benchmark case).
std::vector<size_t> Dims() {
  const size_t N = Lanes();
  std::vector<size_t> sizes = {1, N - 1, N, N + 1, 3 * N + 5, 7, 32, 45};
  sizes.erase(std::remove(sizes.begin(), sizes.end(), size_t{0}), sizes.end());
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

void TestQuadFormRows() {
  for (size_t d : Dims()) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{5}, size_t{13}}) {
      for (bool upper : {true, false}) {
        const size_t ld_x = d + 1, ld_p = d + 2, ld_out = 3;
        // Offset 1: unaligned starts.
        const std::vector<double> x = Random(n * ld_x + 1, 100 + d + n);
        std::vector<double> p = Random(d * ld_p + 1, 200 + d);
        if (upper) {  // Garbage below the diagonal must be ignored.
          for (size_t r = 0; r < d; ++r) {
            for (size_t j = 0; j < r; ++j) p[1 + r * ld_p + j] = 1e30;
          }
        }
        const std::vector<double> m = Random(d + 1, 300 + d);
        std::vector<double> out(n * ld_out + 1, kSentinel);
        std::vector<double> scratch(QuadFormScratchSize(d) + 1);
        QuadFormRows(x.data() + 1, n, ld_x, p.data() + 1, ld_p, upper,
                     m.data() + 1, d, -0.5, 2.0, out.data() + 1, ld_out,
                     scratch.data() + 1);
        for (size_t i = 0; i < n; ++i) {
          double mag;
          const double q = QuadReference(x.data() + 1 + i * ld_x, p.data() + 1,
                                         ld_p, upper, m.data() + 1, d, &mag);
          EXPECT_NEAR(2.0 - 0.5 * q, out[1 + i * ld_out], Tol(2 * d, mag))
              << "d=" << d << " n=" << n << " upper=" << upper << " i=" << i;
          // The other entries of the strided output are untouched.
          for (size_t t = 1; t < ld_out; ++t) {
            if (1 + i * ld_out + t < out.size()) {
              EXPECT_EQ(kSentinel, out[1 + i * ld_out + t]);
            }
          }
        }
        EXPECT_EQ(kSentinel, out[0]);
      }
    }
  }
  // Known value: x = (1, 2), P = [[1, 1], [0, 2]], m = (0, 1):
  // x P = (1, 5), minus m = (1, 4): 17.
  const double x[2] = {1, 2}, p[4] = {1, 1, 0, 2}, m[2] = {0, 1};
  double out = 0.0;
  std::vector<double> scratch(QuadFormScratchSize(2));
  QuadFormRows(x, 1, 2, p, 2, true, m, 2, 1.0, 0.0, &out, 1, scratch.data());
  EXPECT_EQ(17.0, out);
}

void TestWeightedSyrkLower() {
  for (size_t d : Dims()) {
    for (size_t n :
         {size_t{0}, size_t{1}, size_t{7}, size_t{64}, size_t{150}}) {
      const size_t ld_x = d + 3, ld_c = d + 1, w_stride = 2;
      const std::vector<double> x = Random(n * ld_x + 1, 400 + d + n);
      std::vector<double> w = Random(n * w_stride + 1, 500 + n);
      for (double& v : w) v = std::abs(v);
      const std::vector<double> mu = Random(d + 1, 600 + d);
      const std::vector<double> c0 = Random(d * ld_c + 1, 700 + d);
      std::vector<double> c = c0;
      std::vector<double> scratch(WeightedSyrkScratchSize(d) + 1);
      WeightedSyrkLower(x.data() + 1, n, ld_x, w.data() + 1, w_stride,
                        mu.data() + 1, d, c.data() + 1, ld_c,
                        scratch.data() + 1);
      for (size_t a = 0; a < d; ++a) {
        for (size_t b = 0; b <= a; ++b) {
          double s = c0[1 + a * ld_c + b], mag = std::abs(s);
          for (size_t i = 0; i < n; ++i) {
            const double* xi = x.data() + 1 + i * ld_x;
            const double t =
                w[1 + i * w_stride] * (xi[a] - mu[1 + a]) * (xi[b] - mu[1 + b]);
            s += t;
            mag += std::abs(t);
          }
          EXPECT_NEAR(s, c[1 + a * ld_c + b], Tol(n, mag))
              << "d=" << d << " n=" << n << " a=" << a << " b=" << b;
        }
        // Padding between rows untouched.
        for (size_t b = d; b < ld_c && 1 + a * ld_c + b < c.size(); ++b) {
          EXPECT_EQ(c0[1 + a * ld_c + b], c[1 + a * ld_c + b]);
        }
      }
      EXPECT_EQ(c0[0], c[0]);
    }
  }
}

void TestTransposedProductAdd() {
  for (bool squares : {false, true}) {
    for (size_t kb : Dims()) {
      for (size_t ka : {size_t{1}, size_t{3}, size_t{16}, size_t{17}}) {
        for (size_t n : {size_t{0}, size_t{1}, size_t{65}, size_t{200}}) {
          const size_t cols = squares ? 2 * kb : kb;
          const size_t ld_a = ka + 2, ld_b = kb + 1, ld_c = cols + 3;
          const std::vector<double> a = Random(n * ld_a + 1, 800 + ka + n);
          const std::vector<double> b = Random(n * ld_b + 1, 900 + kb + n);
          const std::vector<double> c0 = Random(ka * ld_c + 1, 1000 + kb);
          std::vector<double> c = c0;
          if (squares) {
            std::vector<double> scratch(
                TransposedProductWithSquaresScratchSize(kb) + 1);
            TransposedProductAddWithSquares(
                a.data() + 1, n, ld_a, ka, b.data() + 1, ld_b, kb, c.data() + 1,
                ld_c, scratch.data() + 1);
          } else {
            std::vector<double> scratch(TransposedProductScratchSize(kb) + 1);
            TransposedProductAdd(a.data() + 1, n, ld_a, ka, b.data() + 1, ld_b,
                                 kb, c.data() + 1, ld_c, scratch.data() + 1);
          }
          for (size_t r = 0; r < ka; ++r) {
            for (size_t j = 0; j < ld_c; ++j) {
              const size_t at = 1 + r * ld_c + j;
              if (at >= c.size()) continue;
              if (j >= cols) {
                EXPECT_EQ(c0[at], c[at]);
                continue;
              }
              double s = c0[at], mag = std::abs(s);
              for (size_t i = 0; i < n; ++i) {
                double bij = b[1 + i * ld_b + (j % kb)];
                if (j >= kb) bij *= bij;
                const double t = a[1 + i * ld_a + r] * bij;
                s += t;
                mag += std::abs(t);
              }
              EXPECT_NEAR(s, c[at], Tol(n, mag))
                  << "ka=" << ka << " kb=" << kb << " n=" << n
                  << " squares=" << squares;
            }
          }
        }
      }
    }
  }
}

void TestDotBlock() {
  std::vector<size_t> dims = Dims();
  dims.push_back(0);
  dims.push_back(300);  // More than one depth slice.
  for (bool squares : {false, true}) {
    for (size_t d : dims) {
      for (size_t k : {size_t{1}, size_t{5}, size_t{16}, size_t{37}}) {
        for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{20}}) {
          for (bool with_bias : {true, false}) {
            const size_t dc = squares ? 2 * d : d;
            const size_t ld_x = d + 1, ld_c = dc + 2, ld_out = k + 3;
            const std::vector<double> x = Random(n * ld_x + 1, 1100 + d + n);
            const std::vector<double> c = Random(k * ld_c + 1, 1200 + d + k);
            const std::vector<double> bias = Random(k + 1, 1300 + k);
            std::vector<double> out(n * ld_out + 1, kSentinel);
            const double* pb = with_bias ? bias.data() + 1 : nullptr;
            if (squares) {
              std::vector<double> scratch(DotBlockWithSquaresScratchSize(k, d) +
                                          1);
              DotBlockWithSquares(x.data() + 1, n, ld_x, c.data() + 1, k, ld_c,
                                  d, pb, out.data() + 1, ld_out,
                                  scratch.data() + 1);
            } else {
              std::vector<double> scratch(DotBlockScratchSize(k, d) + 1);
              DotBlock(x.data() + 1, n, ld_x, c.data() + 1, k, ld_c, d, pb,
                       out.data() + 1, ld_out, scratch.data() + 1);
            }
            for (size_t i = 0; i < n; ++i) {
              for (size_t j = 0; j < ld_out; ++j) {
                const size_t at = 1 + i * ld_out + j;
                if (at >= out.size()) continue;
                if (j >= k) {
                  EXPECT_EQ(kSentinel, out[at]);
                  continue;
                }
                double s = with_bias ? bias[1 + j] : 0.0, mag = std::abs(s);
                for (size_t p = 0; p < d; ++p) {
                  const double xv = x[1 + i * ld_x + p];
                  double t = xv * c[1 + j * ld_c + p];
                  if (squares) t += xv * xv * c[1 + j * ld_c + d + p];
                  s += t;
                  mag += std::abs(xv * c[1 + j * ld_c + p]);
                  if (squares)
                    mag += std::abs(xv * xv * c[1 + j * ld_c + d + p]);
                }
                EXPECT_NEAR(s, out[at], Tol(2 * d, mag))
                    << "d=" << d << " k=" << k << " n=" << n << " i=" << i
                    << " j=" << j << " squares=" << squares;
              }
            }
            EXPECT_EQ(kSentinel, out[0]);
          }
        }
      }
    }
  }
}

void TestLogSumExpRows() {
  const size_t N = Lanes();
  for (size_t k :
       {size_t{1}, N - 1 > 0 ? N - 1 : 1, N, N + 1, 3 * N + 5, size_t{16}}) {
    for (bool normalize : {true, false}) {
      const size_t n = 9, ld = k + 2;
      std::vector<double> m = Random(n * ld + 1, 1400 + k);
      for (double& v : m) v *= 50.0;  // spread: exp arguments down to -100
      if (k > 1) {
        m[1 + 2 * ld + 0] = -std::numeric_limits<double>::infinity();
        m[1 + 3 * ld + k - 1] = -800.0;  // exp underflows to ~0
      }
      // A row entirely -inf: max replaced by 0, log(0) = -inf.
      for (size_t j = 0; j < k; ++j) {
        m[1 + 4 * ld + j] = -std::numeric_limits<double>::infinity();
      }
      const std::vector<double> m0 = m;
      std::vector<double> log_norm(n + 1, kSentinel);
      LogSumExpRows(m.data() + 1, n, k, ld, normalize, log_norm.data() + 1);
      EXPECT_EQ(kSentinel, log_norm[0]);
      for (size_t i = 0; i < n; ++i) {
        const double* row = m0.data() + 1 + i * ld;
        double mx = *std::max_element(row, row + k);
        if (!std::isfinite(mx)) mx = 0.0;
        double s = 0.0;
        for (size_t j = 0; j < k; ++j) s += std::exp(row[j] - mx);
        const double want = std::log(s) + mx;
        if (i == 4) {
          EXPECT_EQ(-std::numeric_limits<double>::infinity(), log_norm[1 + i]);
        } else {
          EXPECT_NEAR(want, log_norm[1 + i], 8 * kEps * std::abs(want) + 1e-15)
              << "k=" << k << " i=" << i;
        }
        for (size_t j = 0; j < ld; ++j) {
          const size_t at = 1 + i * ld + j;
          if (at >= m.size()) continue;
          if (j >= k || !normalize) {
            EXPECT_EQ(m0[at], m[at]);
          } else if (i != 4) {
            const double r = std::exp(row[j] - mx) / s;
            EXPECT_NEAR(r, m[at], 8 * kEps * r + 1e-300)
                << "k=" << k << " i=" << i << " j=" << j;
          }
        }
      }
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace eclipsera::simd
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace eclipsera::simd {
HWY_BEFORE_TEST(GaussianTest);
HWY_EXPORT_AND_TEST_P(GaussianTest, TestQuadFormRows);
HWY_EXPORT_AND_TEST_P(GaussianTest, TestWeightedSyrkLower);
HWY_EXPORT_AND_TEST_P(GaussianTest, TestTransposedProductAdd);
HWY_EXPORT_AND_TEST_P(GaussianTest, TestDotBlock);
HWY_EXPORT_AND_TEST_P(GaussianTest, TestLogSumExpRows);
}  // namespace eclipsera::simd
#endif  // HWY_ONCE
