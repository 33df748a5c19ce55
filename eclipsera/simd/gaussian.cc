// Highway implementations of the Gaussian-mixture kernels declared in
// gaussian.h; this file is compiled once per SIMD target through
// foreach_target.h.
#include "eclipsera/simd/gaussian.h"

#include <stddef.h>

#include <algorithm>
#include <cmath>
#include <limits>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "eclipsera/simd/gaussian.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
// Per-target section (toggle guard), after highway.h.
#include "hwy/contrib/math/math-inl.h"

#ifndef ECLIPSERA_SIMD_GAUSSIAN_CONSTANTS_
#define ECLIPSERA_SIMD_GAUSSIAN_CONSTANTS_
namespace eclipsera::gaussian_internal {
// Packed rows are padded to a multiple of kPadLanes (>= any target's lane
// count for double), so the scratch sizes do not depend on the target.
inline constexpr size_t kPadLanes = 32;
// Rows of x per packed depth slice of the transposed products.
inline constexpr size_t kDepth = 64;
// Depth slice of DotBlock (columns of x per pass).
inline constexpr size_t kDotDepth = 256;

inline constexpr size_t RoundUp(size_t x, size_t m) {
  return (x + m - 1) / m * m;
}
}  // namespace eclipsera::gaussian_internal
#endif  // ECLIPSERA_SIMD_GAUSSIAN_CONSTANTS_

HWY_BEFORE_NAMESPACE();
namespace eclipsera::simd {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using gaussian_internal::RoundUp;

using DF = hn::ScalableTag<double>;
using VF = hn::Vec<DF>;

static_assert(HWY_MAX_BYTES / sizeof(double) <= gaussian_internal::kPadLanes,
              "kPadLanes must cover the widest vector");

// Register blocking: MR broadcast rows times NR vectors, MR * NR
// accumulators. AVX-512 has 32 vector registers, the other targets 16.
#if HWY_TARGET <= HWY_AVX3
constexpr size_t kMR = 6;
constexpr size_t kNR = 4;
#else
constexpr size_t kMR = 4;
constexpr size_t kNR = 3;
#endif

// acc[r][v] += a(r, p) * b[p * ldb + v * N] for p in [p0, p1) and vectors
// v in [VB, NR), where a(r, p) = a[r * a_rs + p * a_cs].
template <size_t MR, size_t NR, size_t VB>
HWY_INLINE void Accumulate(const double* HWY_RESTRICT a, size_t a_rs,
                           size_t a_cs, const double* HWY_RESTRICT b,
                           size_t ldb, size_t p0, size_t p1,
                           VF (&acc)[MR][NR]) {
  const DF df;
  const size_t N = hn::Lanes(df);
  for (size_t p = p0; p < p1; ++p) {
    const double* HWY_RESTRICT bp = b + p * ldb;
    const double* HWY_RESTRICT ap = a + p * a_cs;
    VF bv[NR];
    HWY_UNROLL(8)
    for (size_t v = VB; v < NR; ++v) bv[v] = hn::LoadU(df, bp + v * N);
    HWY_UNROLL(8)
    for (size_t r = 0; r < MR; ++r) {
      const VF ar = hn::Set(df, ap[r * a_rs]);
      HWY_UNROLL(8)
      for (size_t v = VB; v < NR; ++v) {
        acc[r][v] = hn::MulAdd(ar, bv[v], acc[r][v]);
      }
    }
  }
}

// Upper-triangular depth segments of one panel starting at column j0: depth
// rows p in [j0 + VB N, j0 + (VB + 1) N) only reach vectors VB.. (the
// earlier columns are below the diagonal there).
template <size_t MR, size_t NR, size_t VB>
HWY_INLINE void UpperSegments(const double* HWY_RESTRICT a, size_t a_rs,
                              const double* HWY_RESTRICT b, size_t ldb,
                              size_t j0, size_t pend, VF (&acc)[MR][NR]) {
  if constexpr (VB < NR) {
    const size_t N = hn::Lanes(DF());
    const size_t s0 = std::min(j0 + VB * N, pend);
    const size_t s1 = std::min(j0 + (VB + 1) * N, pend);
    Accumulate<MR, NR, VB>(a, a_rs, 1, b, ldb, s0, s1, acc);
    UpperSegments<MR, NR, VB + 1>(a, a_rs, b, ldb, j0, pend, acc);
  }
}

template <size_t MR, size_t NR>
HWY_INLINE void ZeroAcc(VF (&acc)[MR][NR]) {
  HWY_UNROLL(8)
  for (size_t r = 0; r < MR; ++r) {
    HWY_UNROLL(8)
    for (size_t v = 0; v < NR; ++v) acc[r][v] = hn::Zero(DF());
  }
}

// c[r * ld_c + j] (j < cols) = (add ? c : bias[j]) + acc[r][j]. `bias` may
// be null (zero) when !add.
template <size_t MR, size_t NR>
HWY_INLINE void StoreTile(VF (&acc)[MR][NR], double* HWY_RESTRICT c,
                          size_t ld_c, size_t cols, bool add,
                          const double* HWY_RESTRICT bias) {
  const DF df;
  const size_t N = hn::Lanes(df);
  HWY_ALIGN double tmp[HWY_MAX_BYTES / sizeof(double)];
  HWY_UNROLL(8)
  for (size_t v = 0; v < NR; ++v) {
    const size_t c0 = v * N;
    const bool full = c0 + N <= cols;
    HWY_UNROLL(8)
    for (size_t r = 0; r < MR; ++r) {
      double* HWY_RESTRICT cr = c + r * ld_c + c0;
      if (full) {
        VF init = add               ? hn::LoadU(df, cr)
                  : bias != nullptr ? hn::LoadU(df, bias + c0)
                                    : hn::Zero(df);
        hn::StoreU(init + acc[r][v], df, cr);
      } else if (c0 < cols) {
        hn::Store(acc[r][v], df, tmp);
        for (size_t l = 0; l + c0 < cols; ++l) {
          const double init = add               ? cr[l]
                              : bias != nullptr ? bias[c0 + l]
                                                : 0.0;
          cr[l] = init + tmp[l];
        }
      }
    }
  }
}

// Calls f.template Run<mr, nv>() with compile-time mr <= MR, nv <= NR.
template <size_t MR, size_t NR, class F>
HWY_INLINE void DispatchCols(size_t nv, const F& f) {
  if (nv == NR) {
    f.template Run<MR, NR>();
  } else if constexpr (NR > 1) {
    DispatchCols<MR, NR - 1>(nv, f);
  }
}
template <size_t MR, size_t NR, class F>
HWY_INLINE void DispatchTile(size_t mr, size_t nv, const F& f) {
  if (mr == MR) {
    DispatchCols<MR, NR>(nv, f);
  } else if constexpr (MR > 1) {
    DispatchTile<MR - 1, NR>(mr, nv, f);
  }
}

// ------------------------------------------------------------ QuadFormRows

// Adds to rowsum[r] the squared norm of (x_r P - m) restricted to the
// panel's columns [j0, j0 + NR N). pk is P packed d x dp (zero-padded
// columns; zeros below the diagonal when upper), mp m padded with zeros.
struct QuadTile {
  const double* x;
  size_t ld_x;
  const double* pk;
  size_t dp;
  size_t j0;
  size_t d;
  bool upper;
  const double* mp;
  double* rowsum;

  template <size_t MR, size_t NR>
  HWY_NOINLINE void Run() const {
    const DF df;
    const size_t N = hn::Lanes(df);
    VF acc[MR][NR];
    ZeroAcc<MR, NR>(acc);
    const double* HWY_RESTRICT b = pk + j0;
    if (upper) {
      const size_t first = std::min(j0 + N, d);
      Accumulate<MR, NR, 0>(x, ld_x, 1, b, dp, 0, first, acc);
      UpperSegments<MR, NR, 1>(x, ld_x, b, dp, j0, d, acc);
    } else {
      Accumulate<MR, NR, 0>(x, ld_x, 1, b, dp, 0, d, acc);
    }
    VF mv[NR];
    HWY_UNROLL(8)
    for (size_t v = 0; v < NR; ++v) mv[v] = hn::LoadU(df, mp + j0 + v * N);
    HWY_UNROLL(8)
    for (size_t r = 0; r < MR; ++r) {
      VF s = hn::Zero(df);
      HWY_UNROLL(8)
      for (size_t v = 0; v < NR; ++v) {
        const VF t = acc[r][v] - mv[v];
        s = hn::MulAdd(t, t, s);
      }
      rowsum[r] += hn::GetLane(hn::SumOfLanes(df, s));
    }
  }
};

void QuadFormRowsT(const double* HWY_RESTRICT x, size_t n, size_t ld_x,
                   const double* HWY_RESTRICT p, size_t ld_p,
                   bool upper_triangular, const double* HWY_RESTRICT m,
                   size_t d, double alpha, double beta,
                   double* HWY_RESTRICT out, size_t ld_out,
                   double* HWY_RESTRICT scratch) {
  if (n == 0) return;
  if (d == 0) {
    for (size_t i = 0; i < n; ++i) out[i * ld_out] = beta;
    return;
  }
  const DF df;
  const size_t N = hn::Lanes(df);
  const size_t W = kNR * N;
  const size_t dp = RoundUp(d, N);
  double* HWY_RESTRICT pk = scratch;
  double* HWY_RESTRICT mp = pk + d * dp;
  for (size_t r = 0; r < d; ++r) {
    for (size_t j = 0; j < dp; ++j) {
      const bool zero = j >= d || (upper_triangular && j < r);
      pk[r * dp + j] = zero ? 0.0 : p[r * ld_p + j];
    }
  }
  for (size_t j = 0; j < dp; ++j) mp[j] = j < d ? m[j] : 0.0;

  double rowsum[kMR];
  for (size_t i0 = 0; i0 < n; i0 += kMR) {
    const size_t mr = std::min(kMR, n - i0);
    std::fill(rowsum, rowsum + kMR, 0.0);
    for (size_t j0 = 0; j0 < d; j0 += W) {
      const size_t nv = (std::min(W, d - j0) + N - 1) / N;
      const QuadTile tile{x + i0 * ld_x,    ld_x, pk,    dp, j0, d,
                          upper_triangular, mp,   rowsum};
      DispatchTile<kMR, kNR>(mr, nv, tile);
    }
    for (size_t r = 0; r < mr; ++r) {
      out[(i0 + r) * ld_out] = beta + alpha * rowsum[r];
    }
  }
}

// ------------------------------------------------------------ A^T B

// c tile (MR x cols) += A^T B over `depth` rows: a(r, p) = a[r + p * ld_a],
// b packed depth x ldb.
struct TransposedTile {
  const double* a;
  size_t ld_a;
  const double* b;
  size_t ldb;
  size_t depth;
  double* c;
  size_t ld_c;
  size_t cols;

  template <size_t MR, size_t NR>
  HWY_NOINLINE void Run() const {
    VF acc[MR][NR];
    ZeroAcc<MR, NR>(acc);
    Accumulate<MR, NR, 0>(a, 1, ld_a, b, ldb, 0, depth, acc);
    StoreTile<MR, NR>(acc, c, ld_c, cols, /*add=*/true, nullptr);
  }
};

// Packs rows [0, rows) of src (leading dimension ld) into dst (rows x ldp),
// optionally minus mu, zero-padding columns [cols, ldp).
HWY_INLINE void PackRows(const double* HWY_RESTRICT src, size_t ld, size_t rows,
                         size_t cols, const double* HWY_RESTRICT mu, size_t ldp,
                         double* HWY_RESTRICT dst) {
  for (size_t i = 0; i < rows; ++i) {
    const double* HWY_RESTRICT s = src + i * ld;
    double* HWY_RESTRICT o = dst + i * ldp;
    if (mu != nullptr) {
      for (size_t j = 0; j < cols; ++j) o[j] = s[j] - mu[j];
    } else {
      std::copy(s, s + cols, o);
    }
    std::fill(o + cols, o + ldp, 0.0);
  }
}

// c (ka x kb) += A^T B; with `squares` c is ka x 2 kb and its right half
// gets A^T (B o B) too (the packed slice holds [b | b^2], each padded).
void TransposedProductAddT(const double* HWY_RESTRICT a, size_t n, size_t ld_a,
                           size_t ka, const double* HWY_RESTRICT b, size_t ld_b,
                           size_t kb, bool squares, double* HWY_RESTRICT c,
                           size_t ld_c, double* HWY_RESTRICT scratch) {
  if (n == 0 || ka == 0 || kb == 0) return;
  const DF df;
  const size_t N = hn::Lanes(df);
  const size_t W = kNR * N;
  const size_t kbp = RoundUp(kb, N);
  const size_t ldp = squares ? 2 * kbp : kbp;
  for (size_t i0 = 0; i0 < n; i0 += gaussian_internal::kDepth) {
    const size_t depth = std::min(gaussian_internal::kDepth, n - i0);
    PackRows(b + i0 * ld_b, ld_b, depth, kb, nullptr, ldp, scratch);
    if (squares) {
      for (size_t i = 0; i < depth; ++i) {
        double* HWY_RESTRICT row = scratch + i * ldp;
        for (size_t j = 0; j < kbp; j += N) {
          const VF v = hn::LoadU(df, row + j);
          hn::StoreU(v * v, df, row + kbp + j);
        }
      }
    }
    for (size_t half = 0; half < (squares ? 2 : 1); ++half) {
      for (size_t r0 = 0; r0 < ka; r0 += kMR) {
        const size_t mr = std::min(kMR, ka - r0);
        for (size_t j0 = 0; j0 < kb; j0 += W) {
          const size_t cols = std::min(W, kb - j0);
          const TransposedTile tile{a + i0 * ld_a + r0,
                                    ld_a,
                                    scratch + half * kbp + j0,
                                    ldp,
                                    depth,
                                    c + r0 * ld_c + half * kb + j0,
                                    ld_c,
                                    cols};
          DispatchTile<kMR, kNR>(mr, (cols + N - 1) / N, tile);
        }
      }
    }
  }
}

// ------------------------------------------------------------ weighted SYRK

void WeightedSyrkLowerT(const double* HWY_RESTRICT x, size_t n, size_t ld_x,
                        const double* HWY_RESTRICT w, size_t w_stride,
                        const double* HWY_RESTRICT mu, size_t d,
                        double* HWY_RESTRICT c, size_t ld_c,
                        double* HWY_RESTRICT scratch) {
  if (n == 0 || d == 0) return;
  const DF df;
  const size_t N = hn::Lanes(df);
  const size_t W = kNR * N;
  const size_t dp = RoundUp(d, N);
  double* HWY_RESTRICT diff = scratch;  // kDepth x dp: x_i - mu
  double* HWY_RESTRICT wdiff = scratch + gaussian_internal::kDepth * dp;
  for (size_t i0 = 0; i0 < n; i0 += gaussian_internal::kDepth) {
    const size_t depth = std::min(gaussian_internal::kDepth, n - i0);
    PackRows(x + i0 * ld_x, ld_x, depth, d, mu, dp, diff);
    for (size_t i = 0; i < depth; ++i) {
      const VF wi = hn::Set(df, w[(i0 + i) * w_stride]);
      for (size_t j = 0; j < dp; j += N) {
        hn::StoreU(wi * hn::LoadU(df, diff + i * dp + j), df,
                   wdiff + i * dp + j);
      }
    }
    // Row block [r0, r0 + mr) of c needs columns [0, r0 + mr).
    for (size_t r0 = 0; r0 < d; r0 += kMR) {
      const size_t mr = std::min(kMR, d - r0);
      const size_t ncols = r0 + mr;
      for (size_t j0 = 0; j0 < ncols; j0 += W) {
        const size_t cols = std::min(W, ncols - j0);
        const TransposedTile tile{wdiff + r0, dp,    diff + j0,
                                  dp,         depth, c + r0 * ld_c + j0,
                                  ld_c,       cols};
        DispatchTile<kMR, kNR>(mr, (cols + N - 1) / N, tile);
      }
    }
  }
}

// ------------------------------------------------------------ DotBlock

// acc[r][v] += x_rp b[p, v] + x_rp^2 bq[p, v] for p in [0, kc).
template <size_t MR, size_t NR>
HWY_INLINE void AccumulateWithSquares(const double* HWY_RESTRICT x, size_t ld_x,
                                      const double* HWY_RESTRICT b,
                                      const double* HWY_RESTRICT bq, size_t ldb,
                                      size_t kc, VF (&acc)[MR][NR]) {
  const DF df;
  const size_t N = hn::Lanes(df);
  for (size_t p = 0; p < kc; ++p) {
    VF bv[NR], qv[NR];
    HWY_UNROLL(8)
    for (size_t v = 0; v < NR; ++v) {
      bv[v] = hn::LoadU(df, b + p * ldb + v * N);
      qv[v] = hn::LoadU(df, bq + p * ldb + v * N);
    }
    HWY_UNROLL(8)
    for (size_t r = 0; r < MR; ++r) {
      const VF xr = hn::Set(df, x[r * ld_x + p]);
      const VF x2 = xr * xr;
      HWY_UNROLL(8)
      for (size_t v = 0; v < NR; ++v) {
        acc[r][v] = hn::MulAdd(xr, bv[v], acc[r][v]);
        acc[r][v] = hn::MulAdd(x2, qv[v], acc[r][v]);
      }
    }
  }
}

// out tile (MR x cols) = (first ? bias : out) + x c^T over depth [0, kc):
// x rows (ld_x), packed c^T slice kc x ldb.
struct DotTile {
  const double* x;
  size_t ld_x;
  const double* b;
  size_t ldb;
  size_t kc;
  double* out;
  size_t ld_out;
  size_t cols;
  bool add;
  const double* bias;

  // Non-null: packed slice of the coefficients of x^2 (same layout as b).
  const double* bq;

  template <size_t MR, size_t NR>
  HWY_NOINLINE void Run() const {
    VF acc[MR][NR];
    ZeroAcc<MR, NR>(acc);
    if (bq == nullptr) {
      Accumulate<MR, NR, 0>(x, ld_x, 1, b, ldb, 0, kc, acc);
    } else {
      AccumulateWithSquares<MR, NR>(x, ld_x, b, bq, ldb, kc, acc);
    }
    StoreTile<MR, NR>(acc, out, ld_out, cols, add, bias);
  }
};

// out = bias + X C^T; with `squares` c_j holds 2d values and out gets
// x . c_j[0, d) + x^2 . c_j[d, 2d) (the quadratic panel is packed after the
// linear one).
void DotBlockT(const double* HWY_RESTRICT x, size_t n, size_t ld_x,
               const double* HWY_RESTRICT c, size_t k, size_t ld_c, size_t d,
               bool squares, const double* HWY_RESTRICT bias,
               double* HWY_RESTRICT out, size_t ld_out,
               double* HWY_RESTRICT scratch) {
  if (n == 0 || k == 0) return;
  const DF df;
  const size_t N = hn::Lanes(df);
  const size_t W = kNR * N;
  const size_t kp = RoundUp(k, N);
  // c^T packed d x kp, zero-padded columns.
  for (size_t p = 0; p < d; ++p) {
    for (size_t j = 0; j < kp; ++j) {
      scratch[p * kp + j] = j < k ? c[j * ld_c + p] : 0.0;
      if (squares) {
        scratch[(d + p) * kp + j] = j < k ? c[j * ld_c + d + p] : 0.0;
      }
    }
  }
  if (d == 0) {
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < k; ++j) {
        out[i * ld_out + j] = bias != nullptr ? bias[j] : 0.0;
      }
    }
    return;
  }
  for (size_t i0 = 0; i0 < n; i0 += kMR) {
    const size_t mr = std::min(kMR, n - i0);
    for (size_t p0 = 0; p0 < d; p0 += gaussian_internal::kDotDepth) {
      const size_t kc = std::min(gaussian_internal::kDotDepth, d - p0);
      for (size_t j0 = 0; j0 < k; j0 += W) {
        const size_t cols = std::min(W, k - j0);
        const DotTile tile{x + i0 * ld_x + p0,
                           ld_x,
                           scratch + p0 * kp + j0,
                           kp,
                           kc,
                           out + i0 * ld_out + j0,
                           ld_out,
                           cols,
                           /*add=*/p0 > 0,
                           bias != nullptr ? bias + j0 : nullptr,
                           squares ? scratch + (d + p0) * kp + j0 : nullptr};
        DispatchTile<kMR, kNR>(mr, (cols + N - 1) / N, tile);
      }
    }
  }
}

// ------------------------------------------------------------ log-sum-exp

// Exp (or Log) of v[0, count) in place, a vector at a time; the last
// partial vector goes through a padded copy, so every value takes the
// same vectorised path.
template <bool kLog>
void ExpOrLogInPlace(double* HWY_RESTRICT v, size_t count) {
  const DF df;
  const size_t N = hn::Lanes(df);
  auto f = [&](VF x) { return kLog ? hn::Log(df, x) : hn::Exp(df, x); };
  size_t t = 0;
  for (; t + N <= count; t += N) hn::StoreU(f(hn::LoadU(df, v + t)), df, v + t);
  if (t < count) {
    HWY_ALIGN double pad[HWY_MAX_BYTES / sizeof(double)];
    for (size_t j = 0; j < N; ++j) pad[j] = t + j < count ? v[t + j] : 1.0;
    hn::StoreU(f(hn::LoadU(df, pad)), df, pad);
    for (size_t j = t; j < count; ++j) v[j] = pad[j - t];
  }
}

// LogSumExpRows with normalize for rows shorter than a vector (k < N,
// contiguous rows): per row the shifts; the exps of a block of rows as one
// flat array, and the logs of their sums, a vector at a time. A row at a
// time these were scalar std::exp and std::log calls: 40% of a 3-class
// LogisticRegression fit.
void LogSumExpShortRows(double* HWY_RESTRICT m, size_t n, size_t k,
                        double* HWY_RESTRICT log_norm) {
  constexpr size_t kBlock = 64;
  double sums[kBlock];
  bool zero[kBlock];
  for (size_t i0 = 0; i0 < n; i0 += kBlock) {
    const size_t b = std::min(kBlock, n - i0);
    double* HWY_RESTRICT block = m + i0 * k;
    for (size_t r = 0; r < b; ++r) {
      double* HWY_RESTRICT row = block + r * k;
      double mx = row[0];
      for (size_t j = 1; j < k; ++j) mx = std::max(mx, row[j]);
      if (!std::isfinite(mx)) mx = 0.0;
      log_norm[i0 + r] = mx;
      for (size_t j = 0; j < k; ++j) row[j] -= mx;
    }
    ExpOrLogInPlace<false>(block, b * k);
    for (size_t r = 0; r < b; ++r) {
      double* HWY_RESTRICT row = block + r * k;
      double s = 0.0;
      for (size_t j = 0; j < k; ++j) s += row[j];
      for (size_t j = 0; j < k; ++j) row[j] /= s;
      // A row of -inf sums to 0: log -inf as std::log (outside the
      // vectorised Log's range, so its lane computes log 1 and is replaced).
      zero[r] = !(s > 0.0);
      sums[r] = zero[r] ? 1.0 : s;
    }
    ExpOrLogInPlace<true>(sums, b);
    for (size_t r = 0; r < b; ++r) {
      log_norm[i0 + r] = zero[r] ? -std::numeric_limits<double>::infinity()
                                 : log_norm[i0 + r] + sums[r];
    }
  }
}

void LogSumExpRowsT(double* HWY_RESTRICT m, size_t n, size_t k, size_t ld,
                    bool normalize, double* HWY_RESTRICT log_norm) {
  const DF df;
  const size_t N = hn::Lanes(df);
  if (normalize && ld == k && k < N) {
    LogSumExpShortRows(m, n, k, log_norm);
    return;
  }
  const size_t kv = k / N * N;  // whole vectors; scalar tail after.
  for (size_t i = 0; i < n; ++i) {
    double* HWY_RESTRICT row = m + i * ld;
    double mx = -std::numeric_limits<double>::infinity();
    if (kv > 0) {
      VF vm = hn::LoadU(df, row);
      for (size_t j = N; j < kv; j += N)
        vm = hn::Max(vm, hn::LoadU(df, row + j));
      mx = hn::GetLane(hn::MaxOfLanes(df, vm));
    }
    for (size_t j = kv; j < k; ++j) mx = std::max(mx, row[j]);
    if (!std::isfinite(mx)) mx = 0.0;
    const VF vmx = hn::Set(df, mx);
    VF vs = hn::Zero(df);
    for (size_t j = 0; j < kv; j += N) {
      const VF e = hn::Exp(df, hn::LoadU(df, row + j) - vmx);
      vs = vs + e;
      if (normalize) hn::StoreU(e, df, row + j);
    }
    double s = kv > 0 ? hn::GetLane(hn::SumOfLanes(df, vs)) : 0.0;
    for (size_t j = kv; j < k; ++j) {
      const double e = std::exp(row[j] - mx);
      s += e;
      if (normalize) row[j] = e;
    }
    log_norm[i] = std::log(s) + mx;
    if (normalize) {
      const VF vs_all = hn::Set(df, s);
      for (size_t j = 0; j < kv; j += N) {
        hn::StoreU(hn::LoadU(df, row + j) / vs_all, df, row + j);
      }
      for (size_t j = kv; j < k; ++j) row[j] /= s;
    }
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace eclipsera::simd
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace eclipsera::simd {

HWY_EXPORT(QuadFormRowsT);
HWY_EXPORT(WeightedSyrkLowerT);
HWY_EXPORT(DotBlockT);
HWY_EXPORT(TransposedProductAddT);
HWY_EXPORT(LogSumExpRowsT);

using gaussian_internal::kPadLanes;
using gaussian_internal::RoundUp;

size_t QuadFormScratchSize(size_t d) { return (d + 1) * RoundUp(d, kPadLanes); }

void QuadFormRows(const double* x, size_t n, size_t ld_x, const double* p,
                  size_t ld_p, bool upper_triangular, const double* m, size_t d,
                  double alpha, double beta, double* out, size_t ld_out,
                  double* scratch) {
  HWY_DYNAMIC_DISPATCH(QuadFormRowsT)
  (x, n, ld_x, p, ld_p, upper_triangular, m, d, alpha, beta, out, ld_out,
   scratch);
}

size_t WeightedSyrkScratchSize(size_t d) {
  return 2 * gaussian_internal::kDepth * RoundUp(d, kPadLanes);
}

void WeightedSyrkLower(const double* x, size_t n, size_t ld_x, const double* w,
                       size_t w_stride, const double* mu, size_t d, double* c,
                       size_t ld_c, double* scratch) {
  HWY_DYNAMIC_DISPATCH(WeightedSyrkLowerT)
  (x, n, ld_x, w, w_stride, mu, d, c, ld_c, scratch);
}

size_t TransposedProductScratchSize(size_t kb) {
  return gaussian_internal::kDepth * RoundUp(kb, kPadLanes);
}

void TransposedProductAdd(const double* a, size_t n, size_t ld_a, size_t ka,
                          const double* b, size_t ld_b, size_t kb, double* c,
                          size_t ld_c, double* scratch) {
  HWY_DYNAMIC_DISPATCH(TransposedProductAddT)
  (a, n, ld_a, ka, b, ld_b, kb, /*squares=*/false, c, ld_c, scratch);
}

size_t TransposedProductWithSquaresScratchSize(size_t kb) {
  return 2 * TransposedProductScratchSize(kb);
}

void TransposedProductAddWithSquares(const double* a, size_t n, size_t ld_a,
                                     size_t ka, const double* b, size_t ld_b,
                                     size_t kb, double* c, size_t ld_c,
                                     double* scratch) {
  HWY_DYNAMIC_DISPATCH(TransposedProductAddT)
  (a, n, ld_a, ka, b, ld_b, kb, /*squares=*/true, c, ld_c, scratch);
}

size_t DotBlockScratchSize(size_t k, size_t d) {
  return d * RoundUp(k, kPadLanes);
}

void DotBlock(const double* x, size_t n, size_t ld_x, const double* c, size_t k,
              size_t ld_c, size_t d, const double* bias, double* out,
              size_t ld_out, double* scratch) {
  HWY_DYNAMIC_DISPATCH(DotBlockT)
  (x, n, ld_x, c, k, ld_c, d, /*squares=*/false, bias, out, ld_out, scratch);
}

size_t DotBlockWithSquaresScratchSize(size_t k, size_t d) {
  return 2 * DotBlockScratchSize(k, d);
}

void DotBlockWithSquares(const double* x, size_t n, size_t ld_x,
                         const double* c, size_t k, size_t ld_c, size_t d,
                         const double* bias, double* out, size_t ld_out,
                         double* scratch) {
  HWY_DYNAMIC_DISPATCH(DotBlockT)
  (x, n, ld_x, c, k, ld_c, d, /*squares=*/true, bias, out, ld_out, scratch);
}

void LogSumExpRows(double* m, size_t n, size_t k, size_t ld, bool normalize,
                   double* log_norm) {
  HWY_DYNAMIC_DISPATCH(LogSumExpRowsT)(m, n, k, ld, normalize, log_norm);
}

}  // namespace eclipsera::simd
#endif  // HWY_ONCE
