// Highway implementations of the exact t-SNE kernels declared in tsne.h;
// this file is compiled once per SIMD target through foreach_target.h.
#include "eclipsera/simd/tsne.h"

#include <stddef.h>

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

}  // namespace HWY_NAMESPACE
}  // namespace eclipsera::simd
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace eclipsera::simd {

HWY_EXPORT(TsneExactRowTermsT);
HWY_EXPORT(TsneStudentRowT);
HWY_EXPORT(TsneExactKlRowT);

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
