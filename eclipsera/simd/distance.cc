// Highway implementations of the distance kernels declared in distance.h;
// this file is compiled once per SIMD target through foreach_target.h.
#include "eclipsera/simd/distance.h"

#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <limits>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "eclipsera/simd/distance.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#ifndef ECLIPSERA_SIMD_DISTANCE_CONSTANTS_
#define ECLIPSERA_SIMD_DISTANCE_CONSTANTS_
namespace eclipsera::simd_internal {
// Target-independent layout constants of the block kernels' scratch.
// Centers are padded to a multiple of kPadLanes (>= any target's lane count
// for double), so BlockScratchSize does not depend on the dispatched target.
inline constexpr size_t kPadLanes = 32;
inline constexpr size_t kMaxRowsPerBlock = 64;  // MC upper bound.
inline constexpr size_t kMaxColsPerTile = 256;  // KT upper bound.

inline constexpr size_t RoundUp(size_t x, size_t m) {
  return (x + m - 1) / m * m;
}
}  // namespace eclipsera::simd_internal
#endif  // ECLIPSERA_SIMD_DISTANCE_CONSTANTS_

HWY_BEFORE_NAMESPACE();
namespace eclipsera::simd {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using simd_internal::RoundUp;

using DF = hn::ScalableTag<double>;
using VF = hn::Vec<DF>;

static_assert(HWY_MAX_BYTES / sizeof(double) <= simd_internal::kPadLanes,
              "kPadLanes must cover the widest vector");

const char* DispatchedTargetNameT() { return hwy::TargetName(HWY_TARGET); }

// ------------------------------------------------------------ reductions

double DotT(const double* HWY_RESTRICT a, const double* HWY_RESTRICT b,
            size_t d) {
  const DF df;
  const size_t N = hn::Lanes(df);
  if (d < N) {  // Shorter than a vector: skip the lane reduction.
    double sum = 0.0;
    for (size_t i = 0; i < d; ++i) sum += a[i] * b[i];
    return sum;
  }
  VF s0 = hn::Zero(df), s1 = hn::Zero(df), s2 = hn::Zero(df), s3 = hn::Zero(df);
  size_t i = 0;
  for (; i + 4 * N <= d; i += 4 * N) {
    s0 = hn::MulAdd(hn::LoadU(df, a + i), hn::LoadU(df, b + i), s0);
    s1 = hn::MulAdd(hn::LoadU(df, a + i + N), hn::LoadU(df, b + i + N), s1);
    s2 = hn::MulAdd(hn::LoadU(df, a + i + 2 * N), hn::LoadU(df, b + i + 2 * N),
                    s2);
    s3 = hn::MulAdd(hn::LoadU(df, a + i + 3 * N), hn::LoadU(df, b + i + 3 * N),
                    s3);
  }
  for (; i + N <= d; i += N) {
    s0 = hn::MulAdd(hn::LoadU(df, a + i), hn::LoadU(df, b + i), s0);
  }
  double sum = hn::GetLane(hn::SumOfLanes(df, (s0 + s1) + (s2 + s3)));
  for (; i < d; ++i) sum += a[i] * b[i];
  return sum;
}

double SquaredL2T(const double* HWY_RESTRICT a, const double* HWY_RESTRICT b,
                  size_t d) {
  const DF df;
  const size_t N = hn::Lanes(df);
  if (d < N) {  // Shorter than a vector: skip the lane reduction.
    double sum = 0.0;
    for (size_t i = 0; i < d; ++i) {
      const double t = a[i] - b[i];
      sum += t * t;
    }
    return sum;
  }
  VF s0 = hn::Zero(df), s1 = hn::Zero(df), s2 = hn::Zero(df), s3 = hn::Zero(df);
  size_t i = 0;
  for (; i + 4 * N <= d; i += 4 * N) {
    const VF d0 = hn::LoadU(df, a + i) - hn::LoadU(df, b + i);
    const VF d1 = hn::LoadU(df, a + i + N) - hn::LoadU(df, b + i + N);
    const VF d2 = hn::LoadU(df, a + i + 2 * N) - hn::LoadU(df, b + i + 2 * N);
    const VF d3 = hn::LoadU(df, a + i + 3 * N) - hn::LoadU(df, b + i + 3 * N);
    s0 = hn::MulAdd(d0, d0, s0);
    s1 = hn::MulAdd(d1, d1, s1);
    s2 = hn::MulAdd(d2, d2, s2);
    s3 = hn::MulAdd(d3, d3, s3);
  }
  for (; i + N <= d; i += N) {
    const VF d0 = hn::LoadU(df, a + i) - hn::LoadU(df, b + i);
    s0 = hn::MulAdd(d0, d0, s0);
  }
  double sum = hn::GetLane(hn::SumOfLanes(df, (s0 + s1) + (s2 + s3)));
  for (; i < d; ++i) {
    const double t = a[i] - b[i];
    sum += t * t;
  }
  return sum;
}

double L1T(const double* HWY_RESTRICT a, const double* HWY_RESTRICT b,
           size_t d) {
  const DF df;
  const size_t N = hn::Lanes(df);
  if (d < N) {  // Shorter than a vector: skip the lane reduction.
    double sum = 0.0;
    for (size_t i = 0; i < d; ++i) sum += std::abs(a[i] - b[i]);
    return sum;
  }
  VF s0 = hn::Zero(df), s1 = hn::Zero(df), s2 = hn::Zero(df), s3 = hn::Zero(df);
  size_t i = 0;
  for (; i + 4 * N <= d; i += 4 * N) {
    s0 = s0 + hn::Abs(hn::LoadU(df, a + i) - hn::LoadU(df, b + i));
    s1 = s1 + hn::Abs(hn::LoadU(df, a + i + N) - hn::LoadU(df, b + i + N));
    s2 = s2 +
         hn::Abs(hn::LoadU(df, a + i + 2 * N) - hn::LoadU(df, b + i + 2 * N));
    s3 = s3 +
         hn::Abs(hn::LoadU(df, a + i + 3 * N) - hn::LoadU(df, b + i + 3 * N));
  }
  for (; i + N <= d; i += N) {
    s0 = s0 + hn::Abs(hn::LoadU(df, a + i) - hn::LoadU(df, b + i));
  }
  double sum = hn::GetLane(hn::SumOfLanes(df, (s0 + s1) + (s2 + s3)));
  for (; i < d; ++i) sum += std::abs(a[i] - b[i]);
  return sum;
}

double LInfT(const double* HWY_RESTRICT a, const double* HWY_RESTRICT b,
             size_t d) {
  const DF df;
  const size_t N = hn::Lanes(df);
  if (d < N) {  // Shorter than a vector: skip the lane reduction.
    double m = 0.0;
    for (size_t i = 0; i < d; ++i) m = std::max(m, std::abs(a[i] - b[i]));
    return m;
  }
  VF m0 = hn::Zero(df), m1 = hn::Zero(df);
  size_t i = 0;
  for (; i + 2 * N <= d; i += 2 * N) {
    m0 = hn::Max(m0, hn::Abs(hn::LoadU(df, a + i) - hn::LoadU(df, b + i)));
    m1 = hn::Max(m1,
                 hn::Abs(hn::LoadU(df, a + i + N) - hn::LoadU(df, b + i + N)));
  }
  for (; i + N <= d; i += N) {
    m0 = hn::Max(m0, hn::Abs(hn::LoadU(df, a + i) - hn::LoadU(df, b + i)));
  }
  double m = hn::GetLane(hn::MaxOfLanes(df, hn::Max(m0, m1)));
  for (; i < d; ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

void SquaredL2RowToRowsT(const double* HWY_RESTRICT x,
                         const double* HWY_RESTRICT rows, size_t n, size_t d,
                         size_t ld, double* HWY_RESTRICT out) {
  if (d < hn::Lanes(DF())) {  // Short rows: plain loop, no call per row.
    for (size_t i = 0; i < n; ++i) {
      const double* HWY_RESTRICT row = rows + i * ld;
      double sum = 0.0;
      for (size_t j = 0; j < d; ++j) sum += (x[j] - row[j]) * (x[j] - row[j]);
      out[i] = sum;
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) out[i] = SquaredL2T(x, rows + i * ld, d);
}

void L1RowToRowsT(const double* HWY_RESTRICT x, const double* HWY_RESTRICT rows,
                  size_t n, size_t d, size_t ld, double* HWY_RESTRICT out) {
  if (d < hn::Lanes(DF())) {  // Short rows: plain loop, no call per row.
    for (size_t i = 0; i < n; ++i) {
      const double* HWY_RESTRICT row = rows + i * ld;
      double sum = 0.0;
      for (size_t j = 0; j < d; ++j) sum += std::abs(x[j] - row[j]);
      out[i] = sum;
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) out[i] = L1T(x, rows + i * ld, d);
}

void RowSquaredNormsT(const double* HWY_RESTRICT x, size_t n, size_t d,
                      size_t ld, double* HWY_RESTRICT out) {
  const bool short_rows = d < hn::Lanes(DF());
  for (size_t i = 0; i < n; ++i) {
    const double* HWY_RESTRICT row = x + i * ld;
    if (short_rows) {  // Plain loop, no call per row.
      double sum = 0.0;
      for (size_t j = 0; j < d; ++j) sum += row[j] * row[j];
      out[i] = sum;
    } else {
      out[i] = DotT(row, row, d);
    }
  }
}

// ------------------------------------------------------------ argmin

// Minimum of row[0, len) and the lowest index attaining it; requires
// len >= 1. Vector part over whole vectors, scalar tail after it (the tail
// has higher indices, so strict < keeps the first minimum).
// Scalar argmin over [0, valid) that orders NaN above every number (so a
// row of NaN and numbers picks the smallest number, an all-NaN row index 0).
HWY_INLINE void RowArgMinScalar(const double* HWY_RESTRICT row, size_t valid,
                                double* min_value, size_t* index) {
  size_t best_index = 0;
  double best = row[0];
  for (size_t i = 1; i < valid; ++i) {
    if (row[i] < best || (std::isnan(best) && !std::isnan(row[i]))) {
      best = row[i];
      best_index = i;
    }
  }
  *min_value = best;
  *index = best_index;
}

// Index of the smallest of row[0, len) (ties: lowest index), and that value.
// Lanes from `valid` on are padding (+inf in the callers); whatever the row
// holds, NaN and inf included, the index returned is below `valid` (> 0): a
// NaN anywhere in the vector pass is detected and the row rescanned.
HWY_INLINE void RowArgMin(const double* HWY_RESTRICT row, size_t len,
                          size_t valid, double* min_value, size_t* index) {
  const DF df;
  const size_t N = hn::Lanes(df);
  double best;
  size_t best_index;
  size_t i = 0;
  if (len >= N) {
    VF vbest = hn::LoadU(df, row);
    VF vidx = hn::Iota(df, 0.0);
    VF cur = vidx;
    // Lanes that ever saw NaN: a NaN lane in vbest would hide
    // every later value of its lane, and MinOfLanes of NaN is unspecified.
    auto any_nan = hn::IsNaN(vbest);
    const VF step = hn::Set(df, static_cast<double>(N));
    for (i = N; i + N <= len; i += N) {
      cur = cur + step;
      const VF v = hn::LoadU(df, row + i);
      any_nan = hn::Or(any_nan, hn::IsNaN(v));
      const auto lt = hn::Lt(v, vbest);
      vbest = hn::IfThenElse(lt, v, vbest);
      vidx = hn::IfThenElse(lt, cur, vidx);
    }
    if (HWY_UNLIKELY(!hn::AllFalse(df, any_nan))) {
      RowArgMinScalar(row, valid, min_value, index);
      return;
    }
    const VF vmin = hn::MinOfLanes(df, vbest);
    const VF candidates =
        hn::IfThenElse(hn::Eq(vbest, vmin), vidx,
                       hn::Set(df, std::numeric_limits<double>::infinity()));
    best = hn::GetLane(vmin);
    const double idx = hn::GetLane(hn::MinOfLanes(df, candidates));
    best_index = idx < static_cast<double>(len) ? static_cast<size_t>(idx) : 0;
  } else {
    best = row[0];
    best_index = 0;
    i = 1;
  }
  for (; i < len; ++i) {
    if (row[i] < best) {
      best = row[i];
      best_index = i;
    }
  }
  if (HWY_UNLIKELY(best_index >= valid || std::isnan(best))) {
    // Only +inf or NaN in the valid part (a padding lane tied or won), or
    // a NaN in the scalar tail.
    RowArgMinScalar(row, valid, min_value, index);
    return;
  }
  *min_value = best;
  *index = best_index;
}

void ArgMinRowsT(const double* HWY_RESTRICT m, size_t n, size_t k, size_t ld,
                 int32_t* HWY_RESTRICT argmin, double* HWY_RESTRICT min_value) {
  for (size_t i = 0; i < n; ++i) {
    double v = std::numeric_limits<double>::infinity();
    size_t idx = 0;
    if (k == 0) {
      argmin[i] = -1;
    } else {
      RowArgMin(m + i * ld, k, k, &v, &idx);
      argmin[i] = static_cast<int32_t>(idx);
    }
    if (min_value != nullptr) min_value[i] = v;
  }
}

// ------------------------------------------------------------ GEMM blocks

// Register blocking: kMR rows of x times kNR vectors of centers, kMR * kNR
// accumulators. AVX-512 has 32 vector registers, the other targets 16.
#if HWY_TARGET <= HWY_AVX3
constexpr size_t kMR = 6;
constexpr size_t kNR = 4;
#else
constexpr size_t kMR = 4;
constexpr size_t kNR = 3;
#endif

enum : int { kAccumulate = 1, kFinish = 2 };

// Computes the MR x (NR * N) tile of dot products between MR rows of x
// (starting at x, leading dimension ld_x) and one packed panel slice of kc
// rows (panel is kc x w, row-major, w = NR * N). With kAccumulate adds the
// tile's previous contents; with kFinish turns dot products into clamped
// squared distances using xsq[0, MR) and csq[0, NR * N). A non-null
// `prefetch` points at the same kc columns of MR other rows of x (the next row
// block), fetched into L2 spread over the loop: the hardware prefetcher
// follows MR lockstep row streams from DRAM poorly.
template <size_t MR, size_t NR>
HWY_NOINLINE void MicroKernel(const double* HWY_RESTRICT x, size_t ld_x,
                              const double* HWY_RESTRICT panel, size_t kc,
                              double* HWY_RESTRICT tile, size_t ld_t, int mode,
                              const double* HWY_RESTRICT xsq,
                              const double* HWY_RESTRICT csq,
                              const double* HWY_RESTRICT prefetch) {
  const DF df;
  const size_t N = hn::Lanes(df);
  const size_t w = NR * N;
  VF acc[MR][NR];
  HWY_UNROLL(8)
  for (size_t r = 0; r < MR; ++r) {
    HWY_UNROLL(8)
    for (size_t v = 0; v < NR; ++v) acc[r][v] = hn::Zero(df);
  }
  for (size_t p = 0; p < kc; ++p) {
    if (prefetch != nullptr && (p & 7) == 0) {
      HWY_UNROLL(8)
      for (size_t r = 0; r < MR; ++r) {
        __builtin_prefetch(prefetch + r * ld_x + p, 0, 2);
      }
    }
    const double* HWY_RESTRICT cp = panel + p * w;
    VF cv[NR];
    HWY_UNROLL(8)
    for (size_t v = 0; v < NR; ++v) cv[v] = hn::LoadU(df, cp + v * N);
    HWY_UNROLL(8)
    for (size_t r = 0; r < MR; ++r) {
      const VF xr = hn::Set(df, x[r * ld_x + p]);
      HWY_UNROLL(8)
      for (size_t v = 0; v < NR; ++v)
        acc[r][v] = hn::MulAdd(xr, cv[v], acc[r][v]);
    }
  }
  if (mode & kAccumulate) {
    HWY_UNROLL(8)
    for (size_t r = 0; r < MR; ++r) {
      HWY_UNROLL(8)
      for (size_t v = 0; v < NR; ++v) {
        acc[r][v] = acc[r][v] + hn::LoadU(df, tile + r * ld_t + v * N);
      }
    }
  }
  if (mode & kFinish) {
    const VF zero = hn::Zero(df);
    const VF minus_two = hn::Set(df, -2.0);
    VF cs[NR];
    HWY_UNROLL(8)
    for (size_t v = 0; v < NR; ++v) cs[v] = hn::LoadU(df, csq + v * N);
    HWY_UNROLL(8)
    for (size_t r = 0; r < MR; ++r) {
      const VF xs = hn::Set(df, xsq[r]);
      HWY_UNROLL(8)
      for (size_t v = 0; v < NR; ++v) {
        acc[r][v] = hn::Max(zero, hn::MulAdd(minus_two, acc[r][v], xs + cs[v]));
      }
    }
  }
  HWY_UNROLL(8)
  for (size_t r = 0; r < MR; ++r) {
    HWY_UNROLL(8)
    for (size_t v = 0; v < NR; ++v) {
      hn::StoreU(acc[r][v], df, tile + r * ld_t + v * N);
    }
  }
}

template <size_t MR, size_t NR>
HWY_INLINE void CallMicroCols(size_t nv, const double* x, size_t ld_x,
                              const double* panel, size_t kc, double* tile,
                              size_t ld_t, int mode, const double* xsq,
                              const double* csq, const double* prefetch) {
  if (nv == NR) {
    MicroKernel<MR, NR>(x, ld_x, panel, kc, tile, ld_t, mode, xsq, csq,
                        prefetch);
  } else if constexpr (NR > 1) {
    CallMicroCols<MR, NR - 1>(nv, x, ld_x, panel, kc, tile, ld_t, mode, xsq,
                              csq, prefetch);
  }
}

template <size_t MR>
HWY_INLINE void CallMicro(size_t mr, size_t nv, const double* x, size_t ld_x,
                          const double* panel, size_t kc, double* tile,
                          size_t ld_t, int mode, const double* xsq,
                          const double* csq, const double* prefetch) {
  if (mr == MR) {
    CallMicroCols<MR, kNR>(nv, x, ld_x, panel, kc, tile, ld_t, mode, xsq, csq,
                           prefetch);
  } else if constexpr (MR > 1) {
    CallMicro<MR - 1>(mr, nv, x, ld_x, panel, kc, tile, ld_t, mode, xsq, csq,
                      prefetch);
  }
}

// Shared driver of SquaredL2Block (out != null) and NearestCenters.
//
// Scratch layout (doubles): packed centers RoundUp(k, kPadLanes) * d, padded
// center norms RoundUp(k, kPadLanes), row norms MC, running minima MC, then
// the distance tile MC x KT.
//
// Packed centers: panels of W = kNR * N centers; panel starting at center j0
// with cols centers is stored at packed + j0 * d as d x RoundUp(cols, N),
// row-major, zero-padded. Padded center norms are +inf so padded columns
// never win an argmin.
void BlockT(const double* HWY_RESTRICT x, size_t n, size_t ld_x,
            const double* HWY_RESTRICT x_sqnorms, const double* HWY_RESTRICT c,
            size_t k, size_t ld_c, const double* HWY_RESTRICT c_sqnorms,
            size_t d, double* HWY_RESTRICT out, size_t ld_out,
            int32_t* HWY_RESTRICT labels, double* HWY_RESTRICT min_sqdist,
            double* HWY_RESTRICT scratch) {
  if (n == 0 || k == 0) {
    for (size_t i = 0; i < n && labels != nullptr; ++i) {
      labels[i] = -1;
      if (min_sqdist != nullptr) {
        min_sqdist[i] = std::numeric_limits<double>::infinity();
      }
    }
    return;
  }
  const DF df;
  const size_t N = hn::Lanes(df);
  const size_t W = kNR * N;
  const size_t MC = kMR * (simd_internal::kMaxRowsPerBlock / kMR);
  const size_t KT = W * (simd_internal::kMaxColsPerTile / W);
  // Depth of one panel slice: keep it (KC x W doubles) around 16 KiB so it
  // stays in L1 while MC rows of x stream past it.
  const size_t KC = std::max<size_t>(32, 2048 / W);
  const size_t ld_t = KT;

  const size_t k_pad = RoundUp(k, simd_internal::kPadLanes);
  double* HWY_RESTRICT packed = scratch;
  double* HWY_RESTRICT csq = packed + k_pad * d;
  double* HWY_RESTRICT xsq_buf = csq + k_pad;
  double* HWY_RESTRICT best = xsq_buf + simd_internal::kMaxRowsPerBlock;
  double* HWY_RESTRICT tile = best + simd_internal::kMaxRowsPerBlock;

  // Pack the centers once per call: O(k d), small next to O(n k d).
  for (size_t j0 = 0; j0 < k; j0 += W) {
    const size_t cols = std::min(W, k - j0);
    const size_t wj = RoundUp(cols, N);
    double* HWY_RESTRICT dst = packed + j0 * d;
    for (size_t jj = 0; jj < wj; ++jj) {
      if (jj < cols) {
        const double* HWY_RESTRICT src = c + (j0 + jj) * ld_c;
        for (size_t p = 0; p < d; ++p) dst[p * wj + jj] = src[p];
      } else {
        for (size_t p = 0; p < d; ++p) dst[p * wj + jj] = 0.0;
      }
    }
  }
  for (size_t j = 0; j < k; ++j) {
    csq[j] = c_sqnorms != nullptr ? c_sqnorms[j]
                                  : DotT(c + j * ld_c, c + j * ld_c, d);
  }
  for (size_t j = k; j < RoundUp(k, N); ++j) {
    csq[j] = std::numeric_limits<double>::infinity();
  }

  for (size_t i0 = 0; i0 < n; i0 += MC) {
    const size_t mc = std::min(MC, n - i0);
    const double* HWY_RESTRICT xb = x + i0 * ld_x;
    const double* xsq;
    if (x_sqnorms != nullptr) {
      xsq = x_sqnorms + i0;
    } else {
      RowSquaredNormsT(xb, mc, d, ld_x, xsq_buf);
      xsq = xsq_buf;
    }
    for (size_t j0 = 0; j0 < k; j0 += KT) {
      const size_t kt = std::min(KT, k - j0);
      // d == 0 still runs one (empty) depth step so the tile is finished.
      size_t p0 = 0;
      do {
        const size_t kc = std::min(KC, d - p0);
        const int mode =
            (p0 > 0 ? kAccumulate : 0) | (p0 + kc == d ? kFinish : 0);
        for (size_t jp = j0; jp < j0 + kt; jp += W) {
          const size_t cols = std::min(W, k - jp);
          const size_t nv = (cols + N - 1) / N;
          const double* panel = packed + jp * d + p0 * nv * N;
          for (size_t ir = 0; ir < mc; ir += kMR) {
            const size_t mr = std::min(kMR, mc - ir);
            // During the first panel, prefetch the matching rows of the
            // next row block (only rows that exist).
            const double* prefetch = (jp == 0 && i0 + MC + ir + mr <= n)
                                         ? xb + (MC + ir) * ld_x + p0
                                         : nullptr;
            CallMicro<kMR>(mr, nv, xb + ir * ld_x + p0, ld_x, panel, kc,
                           tile + ir * ld_t + (jp - j0), ld_t, mode, xsq + ir,
                           csq + jp, prefetch);
          }
        }
        p0 += kc;
      } while (p0 < d);

      if (out != nullptr) {
        for (size_t i = 0; i < mc; ++i) {
          std::copy(tile + i * ld_t, tile + i * ld_t + kt,
                    out + (i0 + i) * ld_out + j0);
        }
      } else {
        // Padded columns hold +inf, so scanning whole vectors is safe.
        const size_t kt_pad = RoundUp(kt, N);
        for (size_t i = 0; i < mc; ++i) {
          double v;
          size_t idx;
          RowArgMin(tile + i * ld_t, kt_pad, kt, &v, &idx);
          if (j0 == 0 || v < best[i]) {
            best[i] = v;
            labels[i0 + i] = static_cast<int32_t>(j0 + idx);
          }
        }
      }
    }
    if (out == nullptr && min_sqdist != nullptr) {
      std::copy(best, best + mc, min_sqdist + i0);
    }
  }
}

size_t FindFirstLessT(const double* HWY_RESTRICT v, size_t n,
                      double threshold) {
  const hn::ScalableTag<double> df;
  const size_t N = hn::Lanes(df);
  const auto t = hn::Set(df, threshold);
  size_t j = 0;
  for (; j + N <= n; j += N) {
    const auto below = hn::Lt(hn::LoadU(df, v + j), t);
    if (!hn::AllFalse(df, below)) {
      return j + static_cast<size_t>(hn::FindFirstTrue(df, below));
    }
  }
  for (; j < n; ++j) {
    if (v[j] < threshold) return j;
  }
  return n;
}

void AddRowsByLabelT(const double* HWY_RESTRICT x, size_t n, size_t ld_x,
                     const double* HWY_RESTRICT w,
                     const int32_t* HWY_RESTRICT labels, size_t k, size_t d,
                     double* HWY_RESTRICT sums, size_t ld_sums,
                     double* HWY_RESTRICT weight_sums) {
  const hn::ScalableTag<double> df;
  const size_t N = hn::Lanes(df);
  for (size_t i = 0; i < n; ++i) {
    // Bounds-safe by construction: a label outside [0, k) adds nothing.
    const size_t label = static_cast<size_t>(static_cast<uint32_t>(labels[i]));
    if (HWY_UNLIKELY(label >= k)) continue;
    const double wi = w == nullptr ? 1.0 : w[i];
    const auto wv = hn::Set(df, wi);
    const double* HWY_RESTRICT xi = x + i * ld_x;
    double* HWY_RESTRICT s = sums + label * ld_sums;
    size_t j = 0;
    for (; j + N <= d; j += N) {
      const auto p = hn::Mul(wv, hn::LoadU(df, xi + j));
      hn::StoreU(hn::Add(hn::LoadU(df, s + j), p), df, s + j);
    }
    for (; j < d; ++j) s[j] += wi * xi[j];
    weight_sums[label] += wi;
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace eclipsera::simd
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace eclipsera::simd {

HWY_EXPORT(DispatchedTargetNameT);
HWY_EXPORT(DotT);
HWY_EXPORT(SquaredL2T);
HWY_EXPORT(L1T);
HWY_EXPORT(LInfT);
HWY_EXPORT(SquaredL2RowToRowsT);
HWY_EXPORT(L1RowToRowsT);
HWY_EXPORT(RowSquaredNormsT);
HWY_EXPORT(ArgMinRowsT);
HWY_EXPORT(BlockT);
HWY_EXPORT(AddRowsByLabelT);
HWY_EXPORT(FindFirstLessT);

size_t FindFirstLess(const double* v, size_t n, double threshold) {
  return HWY_DYNAMIC_DISPATCH(FindFirstLessT)(v, n, threshold);
}

void AddRowsByLabel(const double* x, size_t n, size_t ld_x, const double* w,
                    const int32_t* labels, size_t k, size_t d, double* sums,
                    size_t ld_sums, double* weight_sums) {
  HWY_DYNAMIC_DISPATCH(AddRowsByLabelT)
  (x, n, ld_x, w, labels, k, d, sums, ld_sums, weight_sums);
}

const char* DispatchedTargetName() {
  return HWY_DYNAMIC_DISPATCH(DispatchedTargetNameT)();
}

double Dot(const double* a, const double* b, size_t d) {
  return HWY_DYNAMIC_DISPATCH(DotT)(a, b, d);
}

double SquaredL2(const double* a, const double* b, size_t d) {
  return HWY_DYNAMIC_DISPATCH(SquaredL2T)(a, b, d);
}

double L1(const double* a, const double* b, size_t d) {
  return HWY_DYNAMIC_DISPATCH(L1T)(a, b, d);
}

double LInf(const double* a, const double* b, size_t d) {
  return HWY_DYNAMIC_DISPATCH(LInfT)(a, b, d);
}

void SquaredL2RowToRows(const double* x, const double* rows, size_t n, size_t d,
                        size_t ld, double* out) {
  HWY_DYNAMIC_DISPATCH(SquaredL2RowToRowsT)(x, rows, n, d, ld, out);
}

void L1RowToRows(const double* x, const double* rows, size_t n, size_t d,
                 size_t ld, double* out) {
  HWY_DYNAMIC_DISPATCH(L1RowToRowsT)(x, rows, n, d, ld, out);
}

void RowSquaredNorms(const double* x, size_t n, size_t d, size_t ld,
                     double* out) {
  HWY_DYNAMIC_DISPATCH(RowSquaredNormsT)(x, n, d, ld, out);
}

void ArgMinRows(const double* m, size_t n, size_t k, size_t ld, int32_t* argmin,
                double* min_value) {
  HWY_DYNAMIC_DISPATCH(ArgMinRowsT)(m, n, k, ld, argmin, min_value);
}

size_t BlockScratchSize(size_t k, size_t d) {
  using namespace simd_internal;  // NOLINT
  const size_t k_pad = RoundUp(k, kPadLanes);
  return k_pad * d + k_pad + 2 * kMaxRowsPerBlock +
         kMaxRowsPerBlock * kMaxColsPerTile;
}

void SquaredL2Block(const double* x, size_t n, size_t ld_x,
                    const double* x_sqnorms, const double* c, size_t k,
                    size_t ld_c, const double* c_sqnorms, size_t d, double* out,
                    size_t ld_out, double* scratch) {
  HWY_DYNAMIC_DISPATCH(BlockT)
  (x, n, ld_x, x_sqnorms, c, k, ld_c, c_sqnorms, d, out, ld_out, nullptr,
   nullptr, scratch);
}

void NearestCenters(const double* x, size_t n, size_t ld_x,
                    const double* x_sqnorms, const double* c, size_t k,
                    size_t ld_c, const double* c_sqnorms, size_t d,
                    int32_t* labels, double* min_sqdist, double* scratch) {
  HWY_DYNAMIC_DISPATCH(BlockT)
  (x, n, ld_x, x_sqnorms, c, k, ld_c, c_sqnorms, d, nullptr, 0, labels,
   min_sqdist, scratch);
}

}  // namespace eclipsera::simd
#endif  // HWY_ONCE
