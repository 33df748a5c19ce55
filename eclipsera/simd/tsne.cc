// Highway implementations of the exact t-SNE kernels declared in tsne.h;
// this file is compiled once per SIMD target through foreach_target.h.
#include "eclipsera/simd/tsne.h"

#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "eclipsera/simd/tsne.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
// Must come after highway.h (it uses HWY_NAMESPACE).
#include "hwy/contrib/math/math-inl.h"

HWY_BEFORE_NAMESPACE();
namespace eclipsera::simd {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<double>;
using VF = hn::Vec<DF>;
using MF = decltype(hn::FirstN(DF(), 0));

// ------------------------------------------------------------ scalar path
// d > 3 (rare: exact t-SNE into more than three dimensions).

double ScalarD2(const double* HWY_RESTRICT yt, size_t ld, size_t d, size_t i,
                size_t j) {
  double s = 0.0;
  for (size_t k = 0; k < d; ++k) {
    const double e = yt[k * ld + i] - yt[k * ld + j];
    s += e * e;
  }
  return s;
}

double ScalarRowTerms(const double* HWY_RESTRICT yt, size_t ld, size_t d,
                      size_t n, size_t i, const double* HWY_RESTRICT p,
                      const double* HWY_RESTRICT w, double* HWY_RESTRICT attr,
                      double* HWY_RESTRICT rep, double* HWY_RESTRICT max_d2) {
  for (size_t k = 0; k < d; ++k) attr[k] = rep[k] = 0.0;
  double z = 0.0, mx = 0.0;
  for (size_t j = 0; j < n; ++j) {
    if (j == i) continue;
    const double d2 = ScalarD2(yt, ld, d, i, j);
    const double wj = w != nullptr ? w[j] : 1.0 / (1.0 + d2);
    z += wj;
    mx = std::max(mx, d2);
    const double pw = p[j] * wj, ww = wj * wj;
    for (size_t k = 0; k < d; ++k) {
      const double e = yt[k * ld + i] - yt[k * ld + j];
      attr[k] += pw * e;
      rep[k] += ww * e;
    }
  }
  *max_d2 = mx;
  return z;
}

// ------------------------------------------------------------ vector path

// p[0, count) into the first lanes, zeros above; never reads p[count] or
// beyond and needs no alignment. (hn::MaskedLoad is an aligned full-vector
// load on SSE4, so it cannot serve for tails.)
HWY_INLINE VF LoadFirst(DF df, const double* HWY_RESTRICT p, size_t count) {
  const size_t N = hn::Lanes(df);
  if (count >= N) return hn::LoadU(df, p);
  HWY_ALIGN double buf[HWY_MAX_BYTES / sizeof(double)] = {};
  for (size_t k = 0; k < count; ++k) buf[k] = p[k];
  return hn::Load(df, buf);
}

// The coordinates of point i, broadcast.
template <int D>
struct Point {
  VF c0, c1, c2;
  Point(DF df, const double* HWY_RESTRICT yt, size_t ld, size_t i)
      : c0(hn::Set(df, yt[i])),
        c1(hn::Set(df, D > 1 ? yt[ld + i] : 0.0)),
        c2(hn::Set(df, D > 2 ? yt[2 * ld + i] : 0.0)) {}
};

// Differences y_i - y_j for the N points from j and their squared norm;
// masked lanes of a tail read zeros. The one definition of d2 that every
// kernel here uses (so TsneStudentRow matches TsneExactRowTerms bitwise).
template <int D, bool kMasked>
HWY_INLINE VF Diffs(DF df, const double* HWY_RESTRICT yt, size_t ld, size_t j,
                    const Point<D>& pt, size_t count, VF* e0, VF* e1, VF* e2) {
  auto load = [&](const double* ptr) {
    return kMasked ? LoadFirst(df, ptr, count) : hn::LoadU(df, ptr);
  };
  *e0 = hn::Sub(pt.c0, load(yt + j));
  VF d2 = hn::Mul(*e0, *e0);
  if (D > 1) {
    *e1 = hn::Sub(pt.c1, load(yt + ld + j));
    d2 = hn::MulAdd(*e1, *e1, d2);
  }
  if (D > 2) {
    *e2 = hn::Sub(pt.c2, load(yt + 2 * ld + j));
    d2 = hn::MulAdd(*e2, *e2, d2);
  }
  return d2;
}

HWY_INLINE VF Student(DF df, VF d2) {
  const VF one = hn::Set(df, 1.0);
  return hn::Div(one, hn::Add(one, d2));
}

struct Acc {
  VF z, mx, a0, a1, a2, r0, r1, r2;
  explicit Acc(DF df)
      : z(hn::Zero(df)),
        mx(hn::Zero(df)),
        a0(hn::Zero(df)),
        a1(hn::Zero(df)),
        a2(hn::Zero(df)),
        r0(hn::Zero(df)),
        r1(hn::Zero(df)),
        r2(hn::Zero(df)) {}
};

// Adds the N columns from j to acc. kMasked: lanes outside `valid` (the
// tail, the self term) contribute nothing; loads read `count` values.
template <int D, bool kHaveW, bool kMasked>
HWY_INLINE void TermsBlock(DF df, const double* HWY_RESTRICT yt, size_t ld,
                           size_t j, const Point<D>& pt,
                           const double* HWY_RESTRICT p,
                           const double* HWY_RESTRICT w, size_t count, MF valid,
                           Acc* acc) {
  VF e0 = hn::Zero(df), e1 = e0, e2 = e0;
  VF d2 = Diffs<D, kMasked>(df, yt, ld, j, pt, count, &e0, &e1, &e2);
  VF wv;
  if (kHaveW) {
    wv = kMasked ? LoadFirst(df, w + j, count) : hn::LoadU(df, w + j);
  } else {
    wv = Student(df, d2);
  }
  const VF pv = kMasked ? LoadFirst(df, p + j, count) : hn::LoadU(df, p + j);
  if (kMasked) {
    wv = hn::IfThenElseZero(valid, wv);
    d2 = hn::IfThenElseZero(valid, d2);
  }
  acc->z = hn::Add(acc->z, wv);
  acc->mx = hn::Max(acc->mx, d2);
  const VF pw = hn::Mul(pv, wv);
  const VF ww = hn::Mul(wv, wv);
  acc->a0 = hn::MulAdd(pw, e0, acc->a0);
  acc->r0 = hn::MulAdd(ww, e0, acc->r0);
  if (D > 1) {
    acc->a1 = hn::MulAdd(pw, e1, acc->a1);
    acc->r1 = hn::MulAdd(ww, e1, acc->r1);
  }
  if (D > 2) {
    acc->a2 = hn::MulAdd(pw, e2, acc->a2);
    acc->r2 = hn::MulAdd(ww, e2, acc->r2);
  }
}

HWY_INLINE double Sum(DF df, VF v) {
  return hn::GetLane(hn::SumOfLanes(df, v));
}

template <int D, bool kHaveW>
double RowTermsD(const double* HWY_RESTRICT yt, size_t ld, size_t n, size_t i,
                 const double* HWY_RESTRICT p, const double* HWY_RESTRICT w,
                 double* HWY_RESTRICT attr, double* HWY_RESTRICT rep,
                 double* HWY_RESTRICT max_d2) {
  const DF df;
  const size_t N = hn::Lanes(df);
  const Point<D> pt(df, yt, ld, i);
  const MF all = hn::FirstN(df, N);
  // Two accumulator sets hide the FMA latency; fixed pairing of blocks.
  Acc acc0(df), acc1(df);
  auto run = [&](size_t b, size_t e) {  // unmasked whole vectors in [b, e)
    size_t j = b;
    for (; j + 2 * N <= e; j += 2 * N) {
      TermsBlock<D, kHaveW, false>(df, yt, ld, j, pt, p, w, N, all, &acc0);
      TermsBlock<D, kHaveW, false>(df, yt, ld, j + N, pt, p, w, N, all, &acc1);
    }
    if (j < e) {
      TermsBlock<D, kHaveW, false>(df, yt, ld, j, pt, p, w, N, all, &acc0);
    }
  };
  const size_t n_full = n / N * N;
  const size_t self_block = i / N * N;
  const VF vi = hn::Set(df, static_cast<double>(i));
  const size_t rem = n - n_full;
  const MF tail_mask = hn::FirstN(df, rem);
  if (self_block < n_full) {
    run(0, self_block);
    const MF not_self =
        hn::Ne(hn::Iota(df, static_cast<double>(self_block)), vi);
    TermsBlock<D, kHaveW, true>(df, yt, ld, self_block, pt, p, w, N, not_self,
                                &acc1);
    run(self_block + N, n_full);
    if (rem > 0) {
      TermsBlock<D, kHaveW, true>(df, yt, ld, n_full, pt, p, w, rem, tail_mask,
                                  &acc1);
    }
  } else {
    run(0, n_full);
    const MF not_self = hn::Ne(hn::Iota(df, static_cast<double>(n_full)), vi);
    TermsBlock<D, kHaveW, true>(df, yt, ld, n_full, pt, p, w, rem,
                                hn::And(tail_mask, not_self), &acc1);
  }
  attr[0] = Sum(df, hn::Add(acc0.a0, acc1.a0));
  rep[0] = Sum(df, hn::Add(acc0.r0, acc1.r0));
  if (D > 1) {
    attr[1] = Sum(df, hn::Add(acc0.a1, acc1.a1));
    rep[1] = Sum(df, hn::Add(acc0.r1, acc1.r1));
  }
  if (D > 2) {
    attr[2] = Sum(df, hn::Add(acc0.a2, acc1.a2));
    rep[2] = Sum(df, hn::Add(acc0.r2, acc1.r2));
  }
  *max_d2 = hn::GetLane(hn::MaxOfLanes(df, hn::Max(acc0.mx, acc1.mx)));
  return Sum(df, hn::Add(acc0.z, acc1.z));
}

template <bool kHaveW>
double RowTermsW(const double* yt, size_t ld, size_t d, size_t n, size_t i,
                 const double* p, const double* w, double* attr, double* rep,
                 double* max_d2) {
  switch (d) {
    case 1:
      return RowTermsD<1, kHaveW>(yt, ld, n, i, p, w, attr, rep, max_d2);
    case 2:
      return RowTermsD<2, kHaveW>(yt, ld, n, i, p, w, attr, rep, max_d2);
    case 3:
      return RowTermsD<3, kHaveW>(yt, ld, n, i, p, w, attr, rep, max_d2);
    default:
      return ScalarRowTerms(yt, ld, d, n, i, p, w, attr, rep, max_d2);
  }
}

double TsneExactRowTermsT(const double* yt, size_t ld, size_t d, size_t n,
                          size_t i, const double* p, const double* w,
                          double* attr, double* rep, double* max_d2) {
  if (w != nullptr) {
    return RowTermsW<true>(yt, ld, d, n, i, p, w, attr, rep, max_d2);
  }
  return RowTermsW<false>(yt, ld, d, n, i, p, w, attr, rep, max_d2);
}

template <int D>
void StudentRowD(const double* HWY_RESTRICT yt, size_t ld, size_t n, size_t i,
                 double* HWY_RESTRICT w) {
  const DF df;
  const size_t N = hn::Lanes(df);
  const Point<D> pt(df, yt, ld, i);
  size_t j = 0;
  VF e0 = hn::Zero(df), e1 = e0, e2 = e0;
  for (; j + N <= n; j += N) {
    hn::StoreU(
        Student(df, Diffs<D, false>(df, yt, ld, j, pt, N, &e0, &e1, &e2)), df,
        w + j);
  }
  if (j < n) {
    // Through a buffer: BlendedStore rewrites the whole vector on SSE4.
    HWY_ALIGN double buf[HWY_MAX_BYTES / sizeof(double)];
    hn::Store(
        Student(df, Diffs<D, true>(df, yt, ld, j, pt, n - j, &e0, &e1, &e2)),
        df, buf);
    for (size_t k = 0; k < n - j; ++k) w[j + k] = buf[k];
  }
  w[i] = 0.0;
}

void TsneStudentRowT(const double* yt, size_t ld, size_t d, size_t n, size_t i,
                     double* w) {
  switch (d) {
    case 1:
      return StudentRowD<1>(yt, ld, n, i, w);
    case 2:
      return StudentRowD<2>(yt, ld, n, i, w);
    case 3:
      return StudentRowD<3>(yt, ld, n, i, w);
    default:
      for (size_t j = 0; j < n; ++j) {
        w[j] = 1.0 / (1.0 + ScalarD2(yt, ld, d, i, j));
      }
      w[i] = 0.0;
  }
}

template <int D, bool kHaveW, bool kMasked>
HWY_INLINE VF KlBlock(DF df, const double* HWY_RESTRICT yt, size_t ld, size_t j,
                      const Point<D>& pt, const double* HWY_RESTRICT p,
                      const double* HWY_RESTRICT w, size_t count, VF vsum,
                      VF vfloor, VF acc) {
  VF e0 = hn::Zero(df), e1 = e0, e2 = e0;
  VF wv;
  if (kHaveW) {
    wv = kMasked ? LoadFirst(df, w + j, count) : hn::LoadU(df, w + j);
  } else {
    wv =
        Student(df, Diffs<D, kMasked>(df, yt, ld, j, pt, count, &e0, &e1, &e2));
  }
  // Masked lanes: p = 0 and a finite log, so they add zero.
  const VF pv = kMasked ? LoadFirst(df, p + j, count) : hn::LoadU(df, p + j);
  const VF q = hn::Max(hn::Div(wv, vsum), vfloor);
  return hn::MulAdd(pv, hn::Log(df, hn::Div(hn::Max(pv, vfloor), q)), acc);
}

template <int D, bool kHaveW>
double KlRowD(const double* HWY_RESTRICT yt, size_t ld, size_t n, size_t i,
              const double* HWY_RESTRICT p, const double* HWY_RESTRICT w,
              double sum_w, double floor) {
  const DF df;
  const size_t N = hn::Lanes(df);
  const Point<D> pt(df, yt, ld, i);
  const VF vsum = hn::Set(df, sum_w);
  const VF vfloor = hn::Set(df, floor);
  VF acc = hn::Zero(df);
  size_t j = i + 1;
  for (; j + N <= n; j += N) {
    acc = KlBlock<D, kHaveW, false>(df, yt, ld, j, pt, p, w, N, vsum, vfloor,
                                    acc);
  }
  if (j < n) {
    acc = KlBlock<D, kHaveW, true>(df, yt, ld, j, pt, p, w, n - j, vsum, vfloor,
                                   acc);
  }
  return Sum(df, acc);
}

double ScalarKlRow(const double* yt, size_t ld, size_t d, size_t n, size_t i,
                   const double* p, const double* w, double sum_w,
                   double floor) {
  double s = 0.0;
  for (size_t j = i + 1; j < n; ++j) {
    const double wj =
        w != nullptr ? w[j] : 1.0 / (1.0 + ScalarD2(yt, ld, d, i, j));
    const double q = std::max(wj / sum_w, floor);
    s += p[j] * std::log(std::max(p[j], floor) / q);
  }
  return s;
}

template <bool kHaveW>
double KlRowW(const double* yt, size_t ld, size_t d, size_t n, size_t i,
              const double* p, const double* w, double sum_w, double floor) {
  switch (d) {
    case 1:
      return KlRowD<1, kHaveW>(yt, ld, n, i, p, w, sum_w, floor);
    case 2:
      return KlRowD<2, kHaveW>(yt, ld, n, i, p, w, sum_w, floor);
    case 3:
      return KlRowD<3, kHaveW>(yt, ld, n, i, p, w, sum_w, floor);
    default:
      return ScalarKlRow(yt, ld, d, n, i, p, w, sum_w, floor);
  }
}

double TsneExactKlRowT(const double* yt, size_t ld, size_t d, size_t n,
                       size_t i, const double* p, const double* w, double sum_w,
                       double floor) {
  if (w != nullptr) return KlRowW<true>(yt, ld, d, n, i, p, w, sum_w, floor);
  return KlRowW<false>(yt, ld, d, n, i, p, w, sum_w, floor);
}

// ------------------------------------------------- Barnes-Hut summaries

template <int D, bool kSkip>
HWY_INLINE void RepulsionBlock(DF df, const Point<D>& pt,
                               const double* HWY_RESTRICT bt, size_t ld,
                               const double* HWY_RESTRICT size, size_t j,
                               size_t count, VF veps, VF* z, VF* f0, VF* f1,
                               VF* f2) {
  // count < N only for the tail: its missing lanes load size 0, so they
  // add exactly zero.
  const VF b0 = LoadFirst(df, bt + j, count);
  VF e0 = hn::Sub(pt.c0, b0), e1 = hn::Zero(df), e2 = e1;
  VF d2 = hn::Mul(e0, e0);
  if (D > 1) {
    e1 = hn::Sub(pt.c1, LoadFirst(df, bt + ld + j, count));
    d2 = hn::MulAdd(e1, e1, d2);
  }
  if (D > 2) {
    e2 = hn::Sub(pt.c2, LoadFirst(df, bt + 2 * ld + j, count));
    d2 = hn::MulAdd(e2, e2, d2);
  }
  const VF sz = LoadFirst(df, size + j, count);
  VF zsz = sz, fsz = sz;
  if (kSkip) {
    // A duplicate entry holds the point and size - 1 coincident points:
    // they count in the normalisation, with no force (tail lanes have
    // size 0 and stay 0).
    auto dup = hn::Le(hn::Abs(e0), veps);
    if (D > 1) dup = hn::And(dup, hn::Le(hn::Abs(e1), veps));
    if (D > 2) dup = hn::And(dup, hn::Le(hn::Abs(e2), veps));
    fsz = hn::IfThenZeroElse(dup, sz);
    zsz = hn::IfThenElse(
        dup, hn::Max(hn::Sub(sz, hn::Set(df, 1.0)), hn::Zero(df)), sz);
  }
  const VF q = Student(df, d2);
  *z = hn::MulAdd(zsz, q, *z);
  const VF m = hn::Mul(hn::Mul(fsz, q), q);
  *f0 = hn::MulAdd(m, e0, *f0);
  if (D > 1) *f1 = hn::MulAdd(m, e1, *f1);
  if (D > 2) *f2 = hn::MulAdd(m, e2, *f2);
}

template <int D, bool kSkip>
double RepulsionListD(const double* point, const double* HWY_RESTRICT bt,
                      size_t ld, const double* HWY_RESTRICT size, size_t count,
                      double eps, double* force) {
  const DF df;
  const size_t N = hn::Lanes(df);
  // Point<D> reads coordinate k at yt[k * ld + i]: the point as a column.
  const Point<D> pt(df, point, 1, 0);
  const VF veps = hn::Set(df, eps);
  VF z0 = hn::Zero(df), a0 = z0, a1 = z0, a2 = z0;
  VF z1 = z0, b0 = z0, b1 = z0, b2 = z0;
  size_t j = 0;
  for (; j + 2 * N <= count; j += 2 * N) {
    RepulsionBlock<D, kSkip>(df, pt, bt, ld, size, j, N, veps, &z0, &a0, &a1,
                             &a2);
    RepulsionBlock<D, kSkip>(df, pt, bt, ld, size, j + N, N, veps, &z1, &b0,
                             &b1, &b2);
  }
  for (; j < count; j += N) {
    RepulsionBlock<D, kSkip>(df, pt, bt, ld, size, j, count - j, veps, &z0, &a0,
                             &a1, &a2);
  }
  force[0] += Sum(df, hn::Add(a0, b0));
  if (D > 1) force[1] += Sum(df, hn::Add(a1, b1));
  if (D > 2) force[2] += Sum(df, hn::Add(a2, b2));
  return Sum(df, hn::Add(z0, z1));
}

template <int D>
HWY_INLINE void AttractionBlock(DF df, const Point<D>& pt,
                                const double* HWY_RESTRICT y,
                                const int32_t* HWY_RESTRICT idx,
                                const double* HWY_RESTRICT val, VF* a0, VF* a1,
                                VF* a2) {
  const hn::RebindToSigned<DF> di;
  const hn::Rebind<int32_t, DF> d32;
  auto vi = hn::PromoteTo(di, hn::LoadU(d32, idx));
  if (D == 2) vi = hn::Add(vi, vi);
  if (D == 3) vi = hn::Add(vi, hn::Add(vi, vi));
  const VF e0 = hn::Sub(pt.c0, hn::GatherIndex(df, y, vi));
  VF d2 = hn::Mul(e0, e0);
  VF e1 = hn::Zero(df), e2 = e1;
  if (D > 1) {
    e1 = hn::Sub(pt.c1, hn::GatherIndex(df, y + 1, vi));
    d2 = hn::MulAdd(e1, e1, d2);
  }
  if (D > 2) {
    e2 = hn::Sub(pt.c2, hn::GatherIndex(df, y + 2, vi));
    d2 = hn::MulAdd(e2, e2, d2);
  }
  const VF m = hn::Mul(hn::LoadU(df, val), Student(df, d2));
  *a0 = hn::MulAdd(m, e0, *a0);
  if (D > 1) *a1 = hn::MulAdd(m, e1, *a1);
  if (D > 2) *a2 = hn::MulAdd(m, e2, *a2);
}

template <int D>
void AttractionRowD(const double* HWY_RESTRICT y, size_t i,
                    const int32_t* HWY_RESTRICT idx,
                    const double* HWY_RESTRICT val, size_t count,
                    double* HWY_RESTRICT pos) {
  const DF df;
  const size_t N = hn::Lanes(df);
  const Point<D> pt(df, y + i * D, 1, 0);
  VF a0 = hn::Zero(df), a1 = a0, a2 = a0, b0 = a0, b1 = a0, b2 = a0;
  size_t e = 0;
  for (; e + 2 * N <= count; e += 2 * N) {
    AttractionBlock<D>(df, pt, y, idx + e, val + e, &a0, &a1, &a2);
    AttractionBlock<D>(df, pt, y, idx + e + N, val + e + N, &b0, &b1, &b2);
  }
  for (; e < count; e += N) {
    // The tail through buffers: missing lanes gather row 0 with weight 0.
    HWY_ALIGN int32_t ib[HWY_MAX_BYTES / sizeof(double)] = {};
    HWY_ALIGN double vb[HWY_MAX_BYTES / sizeof(double)] = {};
    const size_t len = std::min(N, count - e);
    for (size_t k = 0; k < len; ++k) {
      ib[k] = idx[e + k];
      vb[k] = val[e + k];
    }
    AttractionBlock<D>(df, pt, y, ib, vb, &a0, &a1, &a2);
  }
  pos[0] = Sum(df, hn::Add(a0, b0));
  if (D > 1) pos[1] = Sum(df, hn::Add(a1, b1));
  if (D > 2) pos[2] = Sum(df, hn::Add(a2, b2));
}

void TsneAttractionRowT(const double* y, size_t d, size_t i, const int32_t* idx,
                        const double* val, size_t count, double* pos) {
  switch (d) {
    case 1:
      return AttractionRowD<1>(y, i, idx, val, count, pos);
    case 2:
      return AttractionRowD<2>(y, i, idx, val, count, pos);
    case 3:
      return AttractionRowD<3>(y, i, idx, val, count, pos);
    default:
      break;
  }
  for (size_t k = 0; k < d; ++k) pos[k] = 0.0;
  for (size_t e = 0; e < count; ++e) {
    const double* yi = y + i * d;
    const double* yj = y + static_cast<size_t>(idx[e]) * d;
    double d2 = 0.0;
    for (size_t k = 0; k < d; ++k) d2 += (yi[k] - yj[k]) * (yi[k] - yj[k]);
    const double m = val[e] / (1.0 + d2);
    for (size_t k = 0; k < d; ++k) pos[k] += m * (yi[k] - yj[k]);
  }
}

double TsneRepulsionListT(const double* point, size_t d, const double* bt,
                          size_t ld, const double* size, size_t count,
                          bool skip_duplicates, double eps, double* force) {
  switch (d * 2 + (skip_duplicates ? 1 : 0)) {
    case 2:
      return RepulsionListD<1, false>(point, bt, ld, size, count, eps, force);
    case 3:
      return RepulsionListD<1, true>(point, bt, ld, size, count, eps, force);
    case 4:
      return RepulsionListD<2, false>(point, bt, ld, size, count, eps, force);
    case 5:
      return RepulsionListD<2, true>(point, bt, ld, size, count, eps, force);
    case 6:
      return RepulsionListD<3, false>(point, bt, ld, size, count, eps, force);
    case 7:
      return RepulsionListD<3, true>(point, bt, ld, size, count, eps, force);
    default:
      break;
  }
  // d > 3: scalar.
  double z = 0.0;
  for (size_t j = 0; j < count; ++j) {
    double d2 = 0.0;
    bool dup = skip_duplicates;
    for (size_t k = 0; k < d; ++k) {
      const double e = point[k] - bt[k * ld + j];
      d2 += e * e;
      dup = dup && std::abs(e) <= eps;
    }
    const double q = 1.0 / (1.0 + d2);
    if (dup) {
      z += std::max(size[j] - 1.0, 0.0) * q;
      continue;
    }
    z += size[j] * q;
    for (size_t k = 0; k < d; ++k) {
      force[k] += size[j] * q * q * (point[k] - bt[k * ld + j]);
    }
  }
  return z;
}

}  // namespace HWY_NAMESPACE
}  // namespace eclipsera::simd
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace eclipsera::simd {

HWY_EXPORT(TsneExactRowTermsT);
HWY_EXPORT(TsneStudentRowT);
HWY_EXPORT(TsneExactKlRowT);
HWY_EXPORT(TsneRepulsionListT);
HWY_EXPORT(TsneAttractionRowT);

void TsneAttractionRow(const double* y, size_t d, size_t i, const int32_t* idx,
                       const double* val, size_t count, double* pos) {
  HWY_DYNAMIC_DISPATCH(TsneAttractionRowT)(y, d, i, idx, val, count, pos);
}

double TsneRepulsionList(const double* point, size_t d, const double* bt,
                         size_t ld, const double* size, size_t count,
                         bool skip_duplicates, double eps, double* force) {
  return HWY_DYNAMIC_DISPATCH(TsneRepulsionListT)(point, d, bt, ld, size, count,
                                                  skip_duplicates, eps, force);
}

double TsneExactRowTerms(const double* yt, size_t ld, size_t d, size_t n,
                         size_t i, const double* p, const double* w,
                         double* attr, double* rep, double* max_d2) {
  return HWY_DYNAMIC_DISPATCH(TsneExactRowTermsT)(yt, ld, d, n, i, p, w, attr,
                                                  rep, max_d2);
}

void TsneStudentRow(const double* yt, size_t ld, size_t d, size_t n, size_t i,
                    double* w) {
  HWY_DYNAMIC_DISPATCH(TsneStudentRowT)(yt, ld, d, n, i, w);
}

double TsneExactKlRow(const double* yt, size_t ld, size_t d, size_t n, size_t i,
                      const double* p, const double* w, double sum_w,
                      double floor) {
  return HWY_DYNAMIC_DISPATCH(TsneExactKlRowT)(yt, ld, d, n, i, p, w, sum_w,
                                               floor);
}

}  // namespace eclipsera::simd
#endif  // HWY_ONCE
