// GaussianMixture: EM over row chunks with a reusable workspace, following
// sklearn/mixture/_gaussian_mixture.py and _base.py (scikit-learn 1.2).
#include "eclipsera/mixture/gaussian_mixture.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <utility>

#include "Eigen/Cholesky"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "eclipsera/cluster/kmeans.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/pool/pooling_switch.h"
#include "eclipsera/simd/gaussian.h"

namespace eclipsera::mixture {
namespace {

enum class CovType { kFull, kTied, kDiag, kSpherical };

constexpr char kFitContext[] = "GaussianMixture::Fit";
// Rows per E-step task and per inner M-step product: the Eigen blocking
// buffers of a chunk stay small enough for the stack (no heap traffic).
constexpr Index kChunk = 256;
// scikit-learn's message when a covariance is not positive definite.
constexpr char kPrecisionError[] =
    "Fitting the mixture model failed because some components have "
    "ill-defined empirical covariance (for instance caused by singleton or "
    "collapsed samples). Try to decrease the number of components, or "
    "increase reg_covar.";

using MapM = Eigen::Map<Matrix>;
using CMapM = Eigen::Map<const Matrix>;

CovType ParseCovType(const std::string& s) {
  if (s == "tied") return CovType::kTied;
  if (s == "diag") return CovType::kDiag;
  if (s == "spherical") return CovType::kSpherical;
  return CovType::kFull;
}

// Rows per M-step reduction block: fixed by n only (never by n_jobs), and
// at most 64 blocks so the per-block partial sums stay small.
Index BlockRows(Index n) {
  Index b = std::max<Index>(16 * kChunk, (n + 63) / 64);
  return (b + kChunk - 1) / kChunk * kChunk;
}

// The most blocks of BlockRows that any n' <= n rows use (fewer rows can
// mean more blocks): the capacity the per-block buffers keep, so that a
// smaller fold never reallocates them.
Index MaxBlocks(Index n) {
  return std::min<Index>(64, NumChunks(n, 16 * kChunk));
}

// In-place lower Cholesky factor of the row-major d x d matrix `a` (reads
// the lower triangle, leaves the strict upper one untouched). False when a
// pivot is not positive (not positive definite) or not finite.
bool CholeskyLower(double* a, Index d) {
  for (Index j = 0; j < d; ++j) {
    double s = a[j * d + j];
    for (Index p = 0; p < j; ++p) s -= a[j * d + p] * a[j * d + p];
    if (!(s > 0.0) || !std::isfinite(s)) return false;
    const double ljj = std::sqrt(s);
    a[j * d + j] = ljj;
    for (Index i = j + 1; i < d; ++i) {
      double t = a[i * d + j];
      for (Index p = 0; p < j; ++p) t -= a[i * d + p] * a[j * d + p];
      a[i * d + j] = t / ljj;
    }
  }
  return true;
}

// out = (L^{-1})^T (upper triangular) for the lower factor in `l`.
void InverseTransposeLower(const double* l, Index d, double* out) {
  std::fill(out, out + d * d, 0.0);
  for (Index j = 0; j < d; ++j) {
    // Column j of L^{-1}: forward substitution of L x = e_j.
    out[j * d + j] = 1.0 / l[j * d + j];
    for (Index i = j + 1; i < d; ++i) {
      double s = 0.0;
      for (Index p = j; p < i; ++p) s -= l[i * d + p] * out[j * d + p];
      out[j * d + i] = s / l[i * d + i];
    }
  }
}

using ColMap = Eigen::Map<Eigen::MatrixXd>;
// Up to this order the triangular inverse is unblocked (no heap: the
// temporary column lives on the stack).
constexpr Index kInverseBlock = 32;

// In place: the lower triangle of the column-major `a` (a lower-triangular
// matrix with a positive diagonal) becomes its inverse; the strict upper
// triangle is not read nor written. Recursive 2 x 2 blocking (LAPACK's
// trtri): d^3 / 3 flops, most of them in Eigen's blocked triangular
// solves.
void InvertLowerInPlace(Eigen::Ref<Eigen::MatrixXd> a) {
  const Index n = a.rows();
  if (n <= kInverseBlock) {
    Eigen::Matrix<double, Eigen::Dynamic, 1, 0, kInverseBlock, 1> tmp;
    for (Index j = n - 1; j >= 0; --j) {
      a(j, j) = 1.0 / a(j, j);
      const Index m = n - 1 - j;
      if (m == 0) continue;
      // Column j below the diagonal: -a_jj^{-1} * inv(A22) * a21.
      tmp.noalias() = a.bottomRightCorner(m, m).triangularView<Eigen::Lower>() *
                      a.col(j).tail(m);
      a.col(j).tail(m) = -a(j, j) * tmp;
    }
    return;
  }
  const Index n1 = n / 2, n2 = n - n1;
  auto a11 = a.topLeftCorner(n1, n1);
  auto a21 = a.bottomLeftCorner(n2, n1);
  auto a22 = a.bottomRightCorner(n2, n2);
  // inv([A11 0; A21 A22]) = [inv(A11) 0; -inv(A22) A21 inv(A11) inv(A22)].
  a11.triangularView<Eigen::Lower>().solveInPlace<Eigen::OnTheRight>(a21);
  a22.triangularView<Eigen::Lower>().solveInPlace(a21);
  a21 = -a21;
  InvertLowerInPlace(a11);
  InvertLowerInPlace(a22);
}

// Writes the Cholesky factor of the precision of the symmetric positive
// definite row-major d x d matrix `cov` into `out` (row-major d x d, may
// not alias cov): out = L^{-T}, upper triangular, with L L^T = cov, as
// scikit-learn's solve_triangular(cholesky(cov, lower=True), I).T. Works
// in place in `out` with Eigen's blocked LLT and a blocked triangular
// inverse: no d x d scratch. False when cov is not positive definite (or
// not finite).
bool PrecisionCholeskyFromCovariance(const double* cov, Index d, double* out) {
  // A symmetric row-major matrix is its own column-major transpose: the
  // column-major view holds the same matrix, and its column-major lower
  // triangle L^{-1} is the row-major upper triangle L^{-T}.
  std::copy(cov, cov + d * d, out);
  ColMap m(out, d, d);
  Eigen::LLT<Eigen::Ref<Eigen::MatrixXd>> llt(m);
  if (llt.info() != Eigen::Success) return false;
  for (Index f = 0; f < d; ++f) {
    if (!(m(f, f) > 0.0) || !std::isfinite(m(f, f))) return false;
  }
  InvertLowerInPlace(m);
  m.triangularView<Eigen::StrictlyUpper>().setZero();
  return true;
}

// Everything one EM run reads; passed to the parallel tasks as one pointer.
struct EmContext {
  CovType type;
  const ConstMatrixRef* x;
  const GaussianMixtureParams* params;
  GaussianMixtureWorkspace* ws;
  Index n, d, k;
  Index block_rows;
  double reg_covar;
  bool want_resp;
};

// Doubles of SIMD kernel scratch one worker needs for the kernels `type`
// uses (never d x d for 'diag' and 'spherical': memory stays linear in d).
Index KernelScratchSize(CovType type, Index d, Index k) {
  const size_t ud = static_cast<size_t>(d), uk = static_cast<size_t>(k);
  switch (type) {
    case CovType::kFull:
      return static_cast<Index>(std::max(
          {simd::QuadFormScratchSize(ud), simd::WeightedSyrkScratchSize(ud),
           simd::TransposedProductScratchSize(ud)}));
    case CovType::kTied:
      return static_cast<Index>(simd::TransposedProductScratchSize(ud));
    case CovType::kDiag:
    case CovType::kSpherical:
      // Kernel scratch, then k x 2d for the diagonal M-step sums.
      return static_cast<Index>(
                 std::max(simd::TransposedProductWithSquaresScratchSize(ud),
                          simd::DotBlockWithSquaresScratchSize(uk, ud))) +
             k * 2 * d;
  }
  return 0;
}

// Wide data ('full', few samples per component): the covariance is
// reg I + U U^T with U = [sqrt(r_i / nk) (x_i - mu)] of rank m << d, so its
// precision Cholesky factor comes from m rank-one updates of the inverse
// Cholesky factor of reg I (O(m d^2)) instead of the d^3 / 3 of a dense
// Cholesky plus d^3 / 3 of a triangular inverse: 10 x 5000 goes from about a
// minute per M-step to a fraction of a second. Only updates, never
// downdates: numerically as stable as the dense path.
//
// With G = L^{-1} (L L^T = the current covariance) and p = G v, the new
// factor is L K with K K^T = I + p p^T. K is lower triangular with
// K_jj = sqrt(1 + c_j p_j^2), K_ij = p_i beta_j (i > j), where c_0 = 1,
// beta_j = c_j p_j / K_jj and c_{j+1} = c_j / (1 + c_j p_j^2) (the Schur
// complements of I + c p p^T stay of that form), so the new inverse
// factor K^{-1} G is one forward substitution per column of G, all columns
// at once row by row: y_i = (g_i - p_i s) / K_ii, then s += beta_i y_i.
// Row i of G also gives p_i = G_i . v before it is overwritten: one pass
// over the lower triangle of G per update.
//
// Writes P = G^T (row-major, upper triangular, scikit-learn's
// precisions_cholesky_) into `out`; `u` is d x m, column-major (a column per
// sample). `s` is d doubles of scratch.
void PrecisionCholeskyLowRank(double reg, const double* u, Index d, Index m,
                              double* out, double* s) {
  // G = I / sqrt(reg), row-major in out.
  MapM g(out, d, d);
  g.setZero();
  g.diagonal().setConstant(1.0 / std::sqrt(reg));
  Eigen::Map<Eigen::Array<double, 1, Eigen::Dynamic>> sum(s, d);
  for (Index col = 0; col < m; ++col) {
    Eigen::Map<const Eigen::VectorXd> v(u + col * d, d);
    if (v.squaredNorm() == 0.0) continue;
    sum.setZero();
    double c = 1.0;
    for (Index i = 0; i < d; ++i) {
      auto row = g.row(i).head(i + 1);
      const double p = row.dot(v.head(i + 1));
      const double t = 1.0 + c * p * p;
      const double kii = std::sqrt(t);
      const double beta = c * p / kii;
      c /= t;
      const double inv_kii = 1.0 / kii;
      auto y = row.array();
      auto si = sum.head(i + 1);
      y = (y - p * si) * inv_kii;
      si += beta * y;
    }
  }
  g.transposeInPlace();
}

// 'full' covariances of rank <= n_samples: the low-rank path above costs
// about 2 n d^2 streamed flops against 2/3 d^3 blocked ones, so it wins
// clearly from d >= 4 n.
bool UseLowRankFull(CovType type, Index n, Index d) {
  return type == CovType::kFull && 4 * n <= d;
}

// Sizes the workspace for (n, d, k, type, workers); the grow-only buffers
// allocate only beyond their capacity.
void Prepare(GaussianMixtureWorkspace& ws, Index n, Index d, Index k,
             CovType type, int workers) {
  auto size = [](GrowMatrix& m, Index r, Index c) { m.resize(r, c); };
  auto vsize = [](GrowVector& v, Index r) { v.resize(r); };
  const Index n_blocks = NumChunks(n, BlockRows(n));
  const Index max_blocks = MaxBlocks(n);
  const bool full = type == CovType::kFull;
  ws.block_nk.reserve(max_blocks * k);
  ws.block_sx.reserve(max_blocks * k * d);
  if (type == CovType::kDiag || type == CovType::kSpherical) {
    ws.block_sx2.reserve(max_blocks * k * d);
  }
  if (full) ws.block_cov.reserve(max_blocks * k * d * d);
  size(ws.resp, n, k);
  vsize(ws.log_prob_norm, n);
  const bool diag = type == CovType::kDiag || type == CovType::kSpherical;
  size(ws.xtx, type == CovType::kTied ? d : 0, type == CovType::kTied ? d : 0);
  size(ws.block_nk, n_blocks, k);
  size(ws.block_sx, n_blocks * k, d);
  size(ws.block_sx2, diag ? n_blocks * k : 0, d);
  size(ws.block_cov, type == CovType::kFull ? n_blocks * k * d : 0, d);
  const bool tied = type == CovType::kTied;
  size(ws.worker_scratch,
       tied ? static_cast<Index>(workers) * std::min(kChunk, n) : 0, d);
  size(ws.proj_means, k, d);
  vsize(ws.log_const, k);
  size(ws.lin_coef, d, k);
  size(ws.quad_coef, d, k);
  size(ws.diag_coef, diag ? k : 0, diag ? 2 * d : 0);
  size(ws.kernel_scratch, workers, KernelScratchSize(type, d, k));
  vsize(ws.nk, k);
  const bool wide = UseLowRankFull(type, n, d);
  size(ws.wide_u, wide ? n : 0, wide ? d : 0);
  vsize(ws.wide_sum, wide ? d : 0);
}

// Sizes only what the E-step reads (prediction needs no M-step buffers).
void PrepareEStep(GaussianMixtureWorkspace& ws, Index n, Index d, Index k,
                  CovType type, int workers) {
  auto size = [](GrowMatrix& m, Index r, Index c) { m.resize(r, c); };
  const bool diag = type == CovType::kDiag || type == CovType::kSpherical;
  const bool tied = type == CovType::kTied;
  size(ws.resp, n, k);
  ws.log_prob_norm.resize(n);
  size(ws.worker_scratch,
       tied ? static_cast<Index>(workers) * std::min(kChunk, n) : 0, d);
  size(ws.proj_means, k, d);
  ws.log_const.resize(k);
  size(ws.lin_coef, d, k);
  size(ws.quad_coef, d, k);
  size(ws.diag_coef, diag ? k : 0, diag ? 2 * d : 0);
  size(ws.kernel_scratch, workers, KernelScratchSize(type, d, k));
}

// Per-fit precomputations that depend on X only.
void PrecomputeX(const EmContext& c) {
  GaussianMixtureWorkspace& ws = *c.ws;
  if (c.type == CovType::kTied) {
    ws.xtx.noalias() = c.x->transpose() * *c.x;
  }
}

// E-step constants from the parameters (sklearn's
// _estimate_log_gaussian_prob terms that do not depend on X).
void ComputeEStepConstants(const EmContext& c) {
  GaussianMixtureWorkspace& ws = *c.ws;
  const GaussianMixtureParams& p = *c.params;
  const Index d = c.d, k = c.k;
  const double base = -0.5 * static_cast<double>(d) * std::log(2.0 * M_PI);
  for (Index j = 0; j < k; ++j) {
    double log_det = 0.0;
    switch (c.type) {
      case CovType::kFull:
        for (Index f = 0; f < d; ++f) {
          log_det += std::log(p.precisions_cholesky(j * d + f, f));
        }
        break;
      case CovType::kTied:
        for (Index f = 0; f < d; ++f) {
          log_det += std::log(p.precisions_cholesky(f, f));
        }
        break;
      case CovType::kDiag:
        for (Index f = 0; f < d; ++f) {
          log_det += std::log(p.precisions_cholesky(j, f));
        }
        break;
      case CovType::kSpherical:
        log_det =
            static_cast<double>(d) * std::log(p.precisions_cholesky(j, 0));
        break;
    }
    ws.log_const(j) = base + log_det + std::log(p.weights(j));
  }
  if (c.type == CovType::kFull || c.type == CovType::kTied) {
    for (Index j = 0; j < k; ++j) {
      const double* pc = p.precisions_cholesky.data() +
                         (c.type == CovType::kFull ? j * d * d : 0);
      CMapM pm(pc, d, d);
      ws.proj_means.row(j).noalias() = p.means.row(j) * pm;
    }
  } else {
    double quad;
    for (Index j = 0; j < k; ++j) {
      quad = 0.0;
      for (Index f = 0; f < d; ++f) {
        const double pc = c.type == CovType::kDiag
                              ? p.precisions_cholesky(j, f)
                              : p.precisions_cholesky(j, 0);
        const double prec = pc * pc;
        const double mu = p.means(j, f);
        ws.lin_coef(f, j) = mu * prec;
        ws.quad_coef(f, j) = -0.5 * prec;
        if (c.type == CovType::kDiag) quad += mu * mu * prec;
      }
      if (c.type == CovType::kSpherical) {
        const double pc = p.precisions_cholesky(j, 0);
        quad = p.means.row(j).squaredNorm() * (pc * pc);
      }
      ws.log_const(j) -= 0.5 * quad;
      ws.diag_coef.row(j).head(d) = ws.lin_coef.col(j).transpose();
      ws.diag_coef.row(j).tail(d) = ws.quad_coef.col(j).transpose();
    }
  }
}

// Rows [b, e): weighted log-densities into ws.resp, log-sum-exp into
// ws.log_prob_norm, and the responsibilities when want_resp.
void EStepChunk(const EmContext& c, Index b, Index e, int worker) {
  GaussianMixtureWorkspace& ws = *c.ws;
  const GaussianMixtureParams& p = *c.params;
  const Index rows = e - b, d = c.d, k = c.k;
  const auto xc = c.x->middleRows(b, rows);
  MapM out(ws.resp.data() + b * k, rows, k);
  double* scratch = ws.kernel_scratch.row(worker).data();
  const size_t ld_x = static_cast<size_t>(c.x->outerStride());
  const size_t ud = static_cast<size_t>(d), uk = static_cast<size_t>(k);
  switch (c.type) {
    case CovType::kFull:
      // cst - 0.5 ||x P_k - mu_k P_k||^2, fused (x P_k never stored).
      for (Index j = 0; j < k; ++j) {
        simd::QuadFormRows(xc.data(), static_cast<size_t>(rows), ld_x,
                           p.precisions_cholesky.data() + j * d * d, ud,
                           /*upper_triangular=*/!p.cholesky_lower,
                           ws.proj_means.row(j).data(), ud, -0.5,
                           ws.log_const(j), out.data() + j, uk, scratch);
      }
      break;
    case CovType::kTied: {
      MapM y(ws.worker_scratch.data() + worker * std::min(kChunk, c.n) * d,
             rows, d);
      CMapM pc(p.precisions_cholesky.data(), d, d);
      if (p.cholesky_lower) {
        y.noalias() = xc * pc.triangularView<Eigen::Lower>();
      } else {
        y.noalias() = xc * pc.triangularView<Eigen::Upper>();
      }
      for (Index j = 0; j < k; ++j) {
        const auto m = ws.proj_means.row(j);
        const double cst = ws.log_const(j);
        for (Index i = 0; i < rows; ++i) {
          out(i, j) = cst - 0.5 * (y.row(i) - m).squaredNorm();
        }
      }
      break;
    }
    case CovType::kDiag:
    case CovType::kSpherical:
      // [x, x^2] . [mu / var, -1 / (2 var)] + cst (x^2 on the fly).
      simd::DotBlockWithSquares(xc.data(), static_cast<size_t>(rows), ld_x,
                                ws.diag_coef.data(), uk, 2 * ud, ud,
                                ws.log_const.data(), out.data(), uk, scratch);
      break;
  }
  // scipy.special.logsumexp per row, then the responsibilities.
  simd::LogSumExpRows(out.data(), static_cast<size_t>(rows), uk, uk,
                      c.want_resp, ws.log_prob_norm.data() + b);
}

// Runs the E-step over all rows; returns mean log p(x).
double EStep(const EmContext& c, int n_jobs) {
  ComputeEStepConstants(c);
  const EmContext* cp = &c;
  ParallelForChunks(n_jobs, c.n, kChunk, [cp](Index b, Index e, int worker) {
    EStepChunk(*cp, b, e, worker);
  });
  double sum = 0.0;
  for (Index i = 0; i < c.n; ++i) sum += c.ws->log_prob_norm(i);
  return sum / static_cast<double>(c.n);
}

// M-step pass 1 for block `blk`: sums of resp, resp^T X (and resp^T X^2).
void MStepBlock(const EmContext& c, Index blk, int worker) {
  GaussianMixtureWorkspace& ws = *c.ws;
  const Index k = c.k, d = c.d;
  const Index b0 = blk * c.block_rows;
  const Index b1 = std::min(c.n, b0 + c.block_rows);
  const size_t rows = static_cast<size_t>(b1 - b0);
  const size_t ud = static_cast<size_t>(d), uk = static_cast<size_t>(k);
  double* scratch = ws.kernel_scratch.row(worker).data();
  const double* r = ws.resp.data() + b0 * k;
  auto nk = ws.block_nk.row(blk);
  nk.setZero();
  for (Index b = b0; b < b1; b += kChunk) {
    const Index cr = std::min(kChunk, b1 - b);
    nk += CMapM(ws.resp.data() + b * k, cr, k).colwise().sum();
  }
  auto sx = ws.block_sx.middleRows(blk * k, k);
  sx.setZero();
  if (c.type == CovType::kDiag || c.type == CovType::kSpherical) {
    auto sx2 = ws.block_sx2.middleRows(blk * k, k);
    sx2.setZero();
    // [resp^T X | resp^T X^2] in one pass over X, then split.
    MapM both(scratch + KernelScratchSize(c.type, d, k) - k * 2 * d, k, 2 * d);
    both.setZero();
    simd::TransposedProductAddWithSquares(
        r, rows, uk, uk, c.x->row(b0).data(),
        static_cast<size_t>(c.x->outerStride()), ud, both.data(), 2 * ud,
        scratch);
    sx = both.leftCols(d);
    sx2 = both.rightCols(d);
  } else {
    simd::TransposedProductAdd(r, rows, uk, uk, c.x->row(b0).data(),
                               static_cast<size_t>(c.x->outerStride()), ud,
                               sx.data(), ud, scratch);
  }
}

// M-step pass 2 ('full') for task t = blk * k + j: the lower triangle of
// sum_i resp_ij (x_i - mu_j)(x_i - mu_j)^T over block blk.
void MStepFullBlock(const EmContext& c, const Matrix& means, Index t,
                    int worker) {
  GaussianMixtureWorkspace& ws = *c.ws;
  const Index k = c.k, d = c.d;
  const Index blk = t / k, j = t % k;
  const Index b0 = blk * c.block_rows;
  const Index b1 = std::min(c.n, b0 + c.block_rows);
  MapM cov(ws.block_cov.data() + t * d * d, d, d);
  cov.setZero();
  simd::WeightedSyrkLower(
      c.x->row(b0).data(), static_cast<size_t>(b1 - b0),
      static_cast<size_t>(c.x->outerStride()), ws.resp.data() + b0 * k + j,
      static_cast<size_t>(k), means.row(j).data(), static_cast<size_t>(d),
      cov.data(), static_cast<size_t>(d), ws.kernel_scratch.row(worker).data());
}

// Computes the Cholesky factors of the precisions from params->covariances
// (sklearn's _compute_precision_cholesky).
absl::Status ComputePrecisionCholesky(CovType type, Index k, Index d,
                                      GaussianMixtureParams* p) {
  p->cholesky_lower = false;
  auto fail = [] {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext, ": ", kPrecisionError));
  };
  if (type == CovType::kFull || type == CovType::kTied) {
    const Index count = type == CovType::kFull ? k : 1;
    for (Index j = 0; j < count; ++j) {
      if (!PrecisionCholeskyFromCovariance(
              p->covariances.data() + j * d * d, d,
              p->precisions_cholesky.data() + j * d * d)) {
        return fail();
      }
    }
  } else {
    if ((p->covariances.array() <= 0.0).any() || !p->covariances.allFinite()) {
      return fail();
    }
    p->precisions_cholesky = p->covariances.array().sqrt().inverse();
  }
  return absl::OkStatus();
}

// sklearn's _estimate_gaussian_parameters on ws.resp, then the precision
// Cholesky factors. `initial`: weights = nk / n (sklearn's _initialize)
// instead of nk / sum(nk), and no Cholesky when skip_cholesky.
absl::Status MStep(const EmContext& c, int n_jobs, bool initial,
                   bool skip_cholesky, GaussianMixtureParams* p) {
  GaussianMixtureWorkspace& ws = *c.ws;
  const Index k = c.k, d = c.d;
  const Index n_blocks = NumChunks(c.n, c.block_rows);
  const EmContext* cp = &c;
  ParallelFor(n_jobs, n_blocks,
              [cp](Index blk, int worker) { MStepBlock(*cp, blk, worker); });
  // Reduce in block order.
  ws.nk.setZero();
  p->means.setZero();
  for (Index blk = 0; blk < n_blocks; ++blk) {
    ws.nk += ws.block_nk.row(blk).transpose();
    p->means += ws.block_sx.middleRows(blk * k, k);
  }
  ws.nk.array() += 10.0 * std::numeric_limits<double>::epsilon();
  for (Index j = 0; j < k; ++j) p->means.row(j) /= ws.nk(j);
  switch (c.type) {
    case CovType::kFull: {
      const Matrix* means = &p->means;
      ParallelFor(n_jobs, n_blocks * k, [cp, means](Index t, int worker) {
        MStepFullBlock(*cp, *means, t, worker);
      });
      for (Index j = 0; j < k; ++j) {
        auto cov = p->covariances.middleRows(j * d, d);
        cov.setZero();
        for (Index blk = 0; blk < n_blocks; ++blk) {
          cov += ws.block_cov.middleRows((blk * k + j) * d, d);
        }
        cov /= ws.nk(j);
        for (Index a = 0; a < d; ++a) {
          for (Index b = a + 1; b < d; ++b) cov(a, b) = cov(b, a);
        }
      }
      break;
    }
    case CovType::kTied: {
      auto& cov = p->covariances;
      cov = ws.xtx;
      // avg_means2 = (nk * means^T) @ means
      for (Index a = 0; a < d; ++a) {
        for (Index b = 0; b < d; ++b) {
          double m2 = 0.0;
          for (Index j = 0; j < k; ++j) {
            m2 += ws.nk(j) * p->means(j, a) * p->means(j, b);
          }
          cov(a, b) -= m2;
        }
      }
      cov /= ws.nk.sum();
      break;
    }
    case CovType::kDiag:
    case CovType::kSpherical: {
      ws.proj_means.setZero();  // reused as sum resp^T X^2
      GrowMatrix& sx2 = ws.proj_means;
      for (Index blk = 0; blk < n_blocks; ++blk) {
        sx2 += ws.block_sx2.middleRows(blk * k, k);
      }
      for (Index j = 0; j < k; ++j) {
        // Recover resp^T X from the means: sklearn recomputes it; we sum
        // the same partials again for identical rounding.
        for (Index f = 0; f < d; ++f) {
          double sx = 0.0;
          for (Index blk = 0; blk < n_blocks; ++blk) {
            sx += ws.block_sx(blk * k + j, f);
          }
          const double mu = p->means(j, f);
          const double avg_x2 = sx2(j, f) / ws.nk(j);
          const double avg_x_means = mu * sx / ws.nk(j);
          const double v = avg_x2 - 2.0 * avg_x_means + mu * mu + c.reg_covar;
          if (c.type == CovType::kDiag) {
            p->covariances(j, f) = v;
          } else {
            ws.lin_coef(f, j) = v;
          }
        }
        if (c.type == CovType::kSpherical) {
          p->covariances(j, 0) =
              ws.lin_coef.col(j).sum() / static_cast<double>(d);
        }
      }
      break;
    }
  }
  if (c.type == CovType::kFull || c.type == CovType::kTied) {
    const Index count = c.type == CovType::kFull ? k : 1;
    for (Index j = 0; j < count; ++j) {
      for (Index f = 0; f < d; ++f) p->covariances(j * d + f, f) += c.reg_covar;
    }
  }
  if (initial) {
    p->weights = ws.nk / static_cast<double>(c.n);
  } else {
    p->weights = ws.nk / ws.nk.sum();
  }
  if (skip_cholesky) return absl::OkStatus();
  if (UseLowRankFull(c.type, c.n, d) && c.reg_covar > 0.0) {
    // covariance_j = reg I + U U^T, U's columns sqrt(r_ij / nk_j)(x_i - mu_j)
    // (the same nk_j, eps included, as the covariance above).
    p->cholesky_lower = false;
    for (Index j = 0; j < k; ++j) {
      Index m = 0;
      for (Index i = 0; i < c.n; ++i) {
        const double r = ws.resp(i, j);
        if (!(r > 0.0)) continue;
        ws.wide_u.row(m++) =
            std::sqrt(r / ws.nk(j)) * (c.x->row(i) - p->means.row(j));
      }
      PrecisionCholeskyLowRank(c.reg_covar, ws.wide_u.data(), d, m,
                               p->precisions_cholesky.data() + j * d * d,
                               ws.wide_sum.data());
    }
    if (!p->precisions_cholesky.allFinite()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kFitContext, ": ", kPrecisionError));
    }
    return absl::OkStatus();
  }
  return ComputePrecisionCholesky(c.type, k, d, p);
}

// The status of a fit whose `what` came out NaN or infinite.
absl::Status NonFiniteError(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      kFitContext, ": the ", what,
      " of the fitted mixture is not finite (NaN or infinite), so the fit "
      "is rejected; check for degenerate data, rescale X or increase "
      "reg_covar"));
}

// Validated init arrays in their working layouts.
struct ResolvedInit {
  std::optional<Vector> weights;
  std::optional<Matrix> means;
  std::optional<Matrix> precisions;
};

absl::Status ValidateOptions(const GaussianMixtureOptions& o) {
  const absl::string_view ctx = kFitContext;
  ECLIPSERA_RETURN_IF_ERROR(
      CheckAtLeast(ctx, "n_components", o.n_components, 1));
  static constexpr absl::string_view kCov[] = {"full", "tied", "diag",
                                               "spherical"};
  ECLIPSERA_RETURN_IF_ERROR(
      CheckOneOf(ctx, "covariance_type", o.covariance_type, kCov));
  static constexpr absl::string_view kInit[] = {"kmeans", "k-means++", "random",
                                                "random_from_data"};
  ECLIPSERA_RETURN_IF_ERROR(
      CheckOneOf(ctx, "init_params", o.init_params, kInit));
  if (!std::isfinite(o.tol)) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx, ": tol = ", o.tol, ", must be a finite value >= 0"));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "tol", o.tol, 0.0));
  if (!std::isfinite(o.reg_covar)) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx, ": reg_covar = ", o.reg_covar, ", must be a finite value >= 0"));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "reg_covar", o.reg_covar, 0.0));
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "max_iter", o.max_iter, 0));
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "n_init", o.n_init, 1));
  ECLIPSERA_RETURN_IF_ERROR(
      CheckAtLeast(ctx, "verbose_interval", o.verbose_interval, 1));
  absl::StatusOr<int> jobs = ResolveNJobs(o.n_jobs);
  if (!jobs.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx, ": ", jobs.status().message()));
  }
  return absl::OkStatus();
}

std::string ShapeText(Index r, Index c) {
  return absl::StrCat("(", r, ", ", c, ")");
}

// Accepts m as rows x cols, or as one row of rows * cols values.
absl::StatusOr<Matrix> ShapeInit(absl::string_view name, const Matrix& m,
                                 Index rows, Index cols,
                                 absl::string_view shape_text) {
  Matrix out;
  if (m.rows() == rows && m.cols() == cols) {
    out = m;
  } else if (m.rows() == 1 && m.size() == rows * cols) {
    out = CMapM(m.data(), rows, cols);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        kFitContext, ": the parameter '", name, "' should have the shape of ",
        shape_text, ", but got ", ShapeText(m.rows(), m.cols())));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckFinite(kFitContext, name, out));
  return out;
}

bool AllClose(double a, double b) {
  return std::abs(a - b) <= 1e-8 + 1e-5 * std::abs(b);
}

absl::StatusOr<ResolvedInit> ResolveInit(const GaussianMixtureOptions& o,
                                         CovType type, Index k, Index d) {
  ResolvedInit r;
  if (o.weights_init.has_value()) {
    const Vector& w = *o.weights_init;
    if (w.size() != k) {
      return absl::InvalidArgumentError(
          absl::StrCat(kFitContext,
                       ": the parameter 'weights_init' should have the shape "
                       "of (",
                       k, ",), but got (", w.size(), ",)"));
    }
    ECLIPSERA_RETURN_IF_ERROR(CheckFiniteValues(
        kFitContext, "weights_init", absl::MakeConstSpan(w.data(), w.size())));
    if ((w.array() < 0.0).any() || (w.array() > 1.0).any()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: the parameter 'weights_init' should be in the range [0, 1], "
          "but got max value %.5f, min value %.5f",
          kFitContext, w.maxCoeff(), w.minCoeff()));
    }
    if (!(std::abs(1.0 - w.sum()) <= 1e-8)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: the parameter 'weights_init' should be normalized (sum to 1 "
          "within 1e-8), but got sum(weights) = %.10g",
          kFitContext, w.sum()));
    }
    r.weights = w;
  }
  if (o.means_init.has_value()) {
    ECLIPSERA_ASSIGN_OR_RETURN(
        r.means, ShapeInit("means_init", *o.means_init, k, d, ShapeText(k, d)));
  }
  if (o.precisions_init.has_value()) {
    const std::string label = absl::StrCat(o.covariance_type, " precision");
    Matrix prec;
    switch (type) {
      case CovType::kFull: {
        ECLIPSERA_ASSIGN_OR_RETURN(
            prec,
            ShapeInit("precisions_init", *o.precisions_init, k * d, d,
                      absl::StrCat("(", k, ", ", d, ", ", d, ") stacked as ",
                                   ShapeText(k * d, d))));
        break;
      }
      case CovType::kTied: {
        ECLIPSERA_ASSIGN_OR_RETURN(
            prec, ShapeInit("precisions_init", *o.precisions_init, d, d,
                            ShapeText(d, d)));
        break;
      }
      case CovType::kDiag: {
        ECLIPSERA_ASSIGN_OR_RETURN(
            prec, ShapeInit("precisions_init", *o.precisions_init, k, d,
                            ShapeText(k, d)));
        break;
      }
      case CovType::kSpherical: {
        const Matrix& m = *o.precisions_init;
        if (m.cols() == 1 && m.rows() == k) {
          prec = m;
        } else {
          ECLIPSERA_ASSIGN_OR_RETURN(prec,
                                     ShapeInit("precisions_init", m, 1, k,
                                               absl::StrCat("(", k, ",)")));
          prec.transposeInPlace();
        }
        ECLIPSERA_RETURN_IF_ERROR(
            CheckFinite(kFitContext, "precisions_init", prec));
        break;
      }
    }
    if (type == CovType::kFull || type == CovType::kTied) {
      Matrix chol(d, d);
      const Index count = type == CovType::kFull ? k : 1;
      for (Index j = 0; j < count; ++j) {
        auto pj = prec.middleRows(j * d, d);
        bool ok = true;
        for (Index a = 0; a < d && ok; ++a) {
          for (Index b = 0; b < d && ok; ++b) ok = AllClose(pj(a, b), pj(b, a));
        }
        chol = pj;
        if (ok) ok = CholeskyLower(chol.data(), d);
        if (!ok) {
          return absl::InvalidArgumentError(absl::StrCat(
              kFitContext, ": '", label,
              "' should be symmetric, positive-definite (precisions_init "
              "matrix ",
              j, " is not)"));
        }
      }
    } else if ((prec.array() <= 0.0).any()) {
      return absl::InvalidArgumentError(absl::StrCat(
          kFitContext, ": '", label, "' should be positive (precisions_init)"));
    }
    r.precisions = std::move(prec);
  }
  return r;
}

// Allocates the parameter arrays for (type, k, d).
void ShapeParams(CovType type, Index k, Index d, GaussianMixtureParams* p) {
  p->weights.resize(k);
  p->means.resize(k, d);
  switch (type) {
    case CovType::kFull:
      p->covariances.resize(k * d, d);
      break;
    case CovType::kTied:
      p->covariances.resize(d, d);
      break;
    case CovType::kDiag:
      p->covariances.resize(k, d);
      break;
    case CovType::kSpherical:
      p->covariances.resize(k, 1);
      break;
  }
  p->precisions_cholesky.resizeLike(p->covariances);
  p->precisions_cholesky.setZero();
}

// sklearn's _initialize_parameters + _initialize.
absl::Status Initialize(const EmContext& c, const GaussianMixtureOptions& o,
                        const ResolvedInit& init, Random& rng, int n_jobs,
                        GaussianMixtureParams* p) {
  GaussianMixtureWorkspace& ws = *c.ws;
  const Index n = c.n, k = c.k, d = c.d;
  ShapeParams(c.type, k, d, p);
  const bool all_given = init.weights && init.means && init.precisions;
  if (!all_given) {
    // The responsibilities of the init method; with all three arrays given
    // scikit-learn computes and then discards them, so we skip it.
    GrowMatrix& resp = ws.resp;
    // The k-means and k-means++ initialisations only pick labels or rows,
    // which do not depend on X's scale; on tiny data (squared distances
    // would underflow, see CheckNotTooSmall) they run on X times a power of
    // two, an exact rescale.
    Matrix scaled;
    bool use_scaled = false;
    if (o.init_params == "kmeans" || o.init_params == "k-means++") {
      const double largest = c.x->cwiseAbs().maxCoeff();
      if (largest > 0.0 && largest < kMinLargestMagnitude) {
        // Two factors: 2^-ilogb of a denormal exceeds double's range.
        const int e = -std::ilogb(largest);
        scaled = *c.x * std::ldexp(1.0, e / 2);
        scaled *= std::ldexp(1.0, e - e / 2);
        use_scaled = true;
      }
    }
    const ConstMatrixRef x_for_init =
        use_scaled ? ConstMatrixRef(scaled) : *c.x;
    if (o.init_params == "kmeans") {
      cluster::KMeansOptions ko;
      ko.n_clusters = static_cast<int>(k);
      ko.n_init = 1;
      ko.n_jobs = o.n_jobs;
      ko.random_state = static_cast<int64_t>(rng.NextU64() >> 1);
      if (k == 1) {
        // One cluster: k-means labels every sample 0 whatever the data, so
        // skip it (on 3 x 1e6 it was most of the fit: its workspace is
        // d-sized per chunk and per worker).
        resp.setOnes();
      } else {
        cluster::KMeans km(ko);
        ECLIPSERA_RETURN_IF_ERROR(km.Fit(x_for_init));
        resp.setZero();
        for (Index i = 0; i < n; ++i) resp(i, km.labels()(i)) = 1.0;
      }
    } else if (o.init_params == "random") {
      for (Index i = 0; i < n; ++i) {
        for (Index j = 0; j < k; ++j) resp(i, j) = rng.Uniform();
        resp.row(i) /= resp.row(i).sum();
      }
    } else {
      std::vector<Index> idx;
      if (o.init_params == "k-means++") {
        ECLIPSERA_RETURN_IF_ERROR(cluster::KMeansPlusPlus(x_for_init,
                                                          static_cast<int>(k),
                                                          rng, -1, n_jobs, &idx)
                                      .status());
      } else {  // random_from_data: k distinct rows.
        const std::vector<int64_t> rows = rng.SampleIndices(n, k);
        idx.assign(rows.begin(), rows.end());
      }
      resp.setZero();
      for (Index j = 0; j < k; ++j) resp(idx[j], j) = 1.0;
    }
    ECLIPSERA_RETURN_IF_ERROR(
        MStep(c, n_jobs, /*initial=*/true,
              /*skip_cholesky=*/init.precisions.has_value(), p));
  }
  if (init.weights) p->weights = *init.weights;
  if (init.means) p->means = *init.means;
  if (init.precisions) {
    const Matrix& prec = *init.precisions;
    if (c.type == CovType::kFull || c.type == CovType::kTied) {
      const Index count = c.type == CovType::kFull ? k : 1;
      for (Index j = 0; j < count; ++j) {
        Matrix chol = prec.middleRows(j * d, d);
        CholeskyLower(chol.data(), d);  // validated before
        auto pc = p->precisions_cholesky.middleRows(j * d, d);
        pc = chol.triangularView<Eigen::Lower>();
        // Covariance = (L L^T)^{-1} = L^{-T} L^{-1}.
        Matrix u(d, d);
        InverseTransposeLower(chol.data(), d, u.data());
        p->covariances.middleRows(j * d, d) = u * u.transpose();
      }
      p->cholesky_lower = true;
    } else {
      p->precisions_cholesky = prec.array().sqrt();
      p->covariances = prec.array().inverse();
      p->cholesky_lower = false;
    }
  }
  return absl::OkStatus();
}

Matrix ComputePrecisions(CovType type, Index k, Index d,
                         const GaussianMixtureParams& p) {
  Matrix out(p.precisions_cholesky.rows(), p.precisions_cholesky.cols());
  if (type == CovType::kFull || type == CovType::kTied) {
    const Index count = type == CovType::kFull ? k : 1;
    for (Index j = 0; j < count; ++j) {
      const auto pc = p.precisions_cholesky.middleRows(j * d, d);
      // Triangular times dense: half the flops of a general product.
      if (p.cholesky_lower) {
        out.middleRows(j * d, d).noalias() =
            pc.triangularView<Eigen::Lower>() * pc.transpose();
      } else {
        out.middleRows(j * d, d).noalias() =
            pc.triangularView<Eigen::Upper>() * pc.transpose();
      }
    }
  } else {
    out = p.precisions_cholesky.array().square();
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Options.

const ParamSchema<GaussianMixtureOptions>& GaussianMixtureOptions::Schema() {
  using O = GaussianMixtureOptions;
  static const auto* s = [] {
    auto* s = new ParamSchema<O>("GaussianMixture");
    s->Int("n_components", &O::n_components, "number of mixture components")
        .String("covariance_type", &O::covariance_type,
                "'full', 'tied', 'diag' or 'spherical'",
                {"full", "tied", "diag", "spherical"})
        .Double("tol", &O::tol, "convergence threshold on the lower bound")
        .Double("reg_covar", &O::reg_covar,
                "non-negative regularisation added to covariance diagonals")
        .Int("max_iter", &O::max_iter, "number of EM iterations")
        .Int("n_init", &O::n_init, "number of initialisations; best kept")
        .String("init_params", &O::init_params,
                "'kmeans', 'k-means++', 'random' or 'random_from_data'",
                {"kmeans", "k-means++", "random", "random_from_data"});
    auto flat = [](const Matrix& m) {
      return std::vector<double>(m.data(), m.data() + m.size());
    };
    auto add_matrix = [&](const std::string& name,
                          std::optional<Matrix> O::*field,
                          const std::string& doc) {
      s->Add(
          name, doc,
          [field, flat](const O& o) {
            return (o.*field).has_value() ? ParamValue(flat(*(o.*field)))
                                          : ParamValue();
          },
          [field, name](O& o, const ParamValue& v) -> absl::Status {
            if (std::holds_alternative<std::monostate>(v)) {
              (o.*field).reset();
              return absl::OkStatus();
            }
            absl::StatusOr<std::vector<double>> l = ParamAsDoubles(name, v);
            if (!l.ok()) return l.status();
            o.*field = Eigen::Map<const Matrix>(l->data(), 1,
                                                static_cast<Index>(l->size()));
            return absl::OkStatus();
          });
    };
    s->Add(
        "weights_init", "initial weights (list) or None",
        [](const O& o) {
          return o.weights_init.has_value()
                     ? ParamValue(std::vector<double>(
                           o.weights_init->data(),
                           o.weights_init->data() + o.weights_init->size()))
                     : ParamValue();
        },
        [](O& o, const ParamValue& v) -> absl::Status {
          if (std::holds_alternative<std::monostate>(v)) {
            o.weights_init.reset();
            return absl::OkStatus();
          }
          absl::StatusOr<std::vector<double>> l =
              ParamAsDoubles("weights_init", v);
          if (!l.ok()) return l.status();
          o.weights_init = Eigen::Map<const Vector>(
              l->data(), static_cast<Index>(l->size()));
          return absl::OkStatus();
        });
    add_matrix("means_init", &O::means_init,
               "initial means, row-major list of n_components * n_features, "
               "or None");
    add_matrix("precisions_init", &O::precisions_init,
               "initial precisions, row-major list, or None");
    s->OptionalInt("random_state", &O::random_state,
                   "seed for the initialisation and sample(); None: random")
        .Bool("warm_start", &O::warm_start, "start from the previous fit")
        .Int("verbose", &O::verbose, "0 silent, 1 iterations, 2 timing")
        .Int("verbose_interval", &O::verbose_interval,
             "iterations between verbose messages")
        .Int("n_jobs", &O::n_jobs, kNJobsDoc);
    return s;
  }();
  return *s;
}

WorkspaceStats GaussianMixtureWorkspace::stats() const {
  return SumStats(resp, log_prob_norm, xtx, block_nk, block_sx, block_sx2,
                  block_cov, worker_scratch, proj_means, log_const, lin_coef,
                  quad_coef, diag_coef, kernel_scratch, nk, wide_u, wide_sum);
}

}  // namespace eclipsera::mixture

namespace eclipsera::mixture {

GaussianMixture::GaussianMixture(GaussianMixtureOptions options)
    : options_(std::move(options)),
      predict_ws_(std::make_unique<pool::SharedPool<GaussianMixtureWorkspace>>(
          pool::PoolOptions{/*capacity=*/4})) {}

void GaussianMixture::set_options(const GaussianMixtureOptions& options) {
  options_ = options;
  Reset();
}

const Matrix& GaussianMixture::precisions() const {
  static const Matrix* const kEmpty = new Matrix();
  if (precisions_ == nullptr) return *kEmpty;
  PrecisionsCache* cache = precisions_.get();
  absl::call_once(cache->once, [this, cache] {
    cache->value = ComputePrecisions(
        static_cast<CovType>(cache->covariance_type), params_.weights.size(),
        params_.means.cols(), params_);
  });
  return cache->value;
}

void GaussianMixture::Reset() {
  precisions_.reset();
  fitted_ = false;
  converged_ = false;
  n_iter_ = 0;
  lower_bound_ = 0.0;
  train_bic_ = train_aic_ = 0.0;
}

namespace {

using Clock = std::chrono::steady_clock;

// The state of one initialisation's EM loop.
struct EmRun {
  double lower_bound;
  int n_iter = 0;
};

// One initialisation's EM iterations on `cur` until |change| < tol (which
// sets *converged, shared by the initialisations as scikit-learn's
// converged_) or max_iter. ECLIPSERA_DISABLE_POOLING=1 (!pooling): v1.0's
// fresh workspace every iteration, in `fresh`. Verbose timings count from
// `init_start`, before the initialisation, as scikit-learn's.
absl::StatusOr<EmRun> RunEm(const EmContext& ctx,
                            const GaussianMixtureOptions& o, int workers,
                            bool pooling, double lower_bound,
                            const std::function<void(int)>& callback,
                            GaussianMixtureWorkspace& fresh,
                            GaussianMixtureParams* cur, bool* converged,
                            Clock::time_point init_start) {
  EmRun run{lower_bound};
  auto iter_prev = init_start;
  for (run.n_iter = 1; run.n_iter <= o.max_iter; ++run.n_iter) {
    const double prev = run.lower_bound;
    EmContext step = ctx;
    if (!pooling) {
      fresh = GaussianMixtureWorkspace();
      Prepare(fresh, ctx.n, ctx.d, ctx.k, ctx.type, workers);
      step.ws = &fresh;
      PrecomputeX(step);
    }
    run.lower_bound = EStep(step, o.n_jobs);
    if (!std::isfinite(run.lower_bound)) return NonFiniteError("lower bound");
    ECLIPSERA_RETURN_IF_ERROR(MStep(step, o.n_jobs, /*initial=*/false,
                                    /*skip_cholesky=*/false, cur));
    const double change = run.lower_bound - prev;
    if (o.verbose >= 1 && run.n_iter % o.verbose_interval == 0) {
      if (o.verbose == 1) {
        std::fprintf(stderr, "  Iteration %d\n", run.n_iter);
      } else {
        const auto now = Clock::now();
        std::fprintf(
            stderr, "  Iteration %d\t time lapse %.5fs\t ll change %.5f\n",
            run.n_iter, std::chrono::duration<double>(now - iter_prev).count(),
            change);
        iter_prev = now;
      }
    }
    if (callback) callback(run.n_iter);
    if (std::abs(change) < o.tol) {
      *converged = true;
      break;
    }
  }
  if (run.n_iter > o.max_iter) run.n_iter = o.max_iter;
  return run;
}

// A success means finite output: the parameters (one pass over arrays of
// O(k d) or O(k d^2), small next to an EM iteration) are checked before
// anything is committed, so a failure keeps the previous fitted state.
absl::Status CheckParamsFinite(const GaussianMixtureParams& p) {
  if (!p.weights.allFinite()) return NonFiniteError("weights");
  if (!p.means.allFinite()) return NonFiniteError("means");
  if (!p.covariances.allFinite()) return NonFiniteError("covariances");
  if (!p.precisions_cholesky.allFinite()) return NonFiniteError("precisions");
  return absl::OkStatus();
}

}  // namespace

absl::Status GaussianMixture::DoFit(const ConstMatrixRef& x,
                                    absl::Span<const double>, const FitArgs&) {
  const GaussianMixtureOptions& o = options_;
  ECLIPSERA_RETURN_IF_ERROR(ValidateOptions(o));
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kFitContext, "X", x, 2));
  const Index n = x.rows(), d = x.cols(), k = o.n_components;
  if (n < k) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext,
                     ": expected n_samples >= n_components but got "
                     "n_components = ",
                     k, ", n_samples = ", n));
  }
  const CovType type = ParseCovType(o.covariance_type);
  ECLIPSERA_ASSIGN_OR_RETURN(ResolvedInit init, ResolveInit(o, type, k, d));

  const bool do_init =
      !(o.warm_start && fitted_ && params_.means.rows() == k &&
        params_.means.cols() == d && params_.precisions_cholesky.size() > 0);
  const int n_init = do_init ? o.n_init : 1;
  const Index block_rows = BlockRows(n);
  // Per-worker scratch is sized for the most workers any fold of at most n
  // rows can use (MaxBlocks), so the next, smaller fold reuses it.
  const int workers =
      NumWorkers(o.n_jobs, std::max(NumChunks(n, kChunk), MaxBlocks(n) * k));

  Prepare(ws_, n, d, k, type, workers);
  GaussianMixtureParams cur;
  EmContext ctx{type, &x, &cur,       &ws_,        n,
                d,    k,  block_rows, o.reg_covar, /*want_resp=*/true};
  PrecomputeX(ctx);

  Random rng = Random::FromRandomState(o.random_state);
  double max_lower_bound = -std::numeric_limits<double>::infinity();
  bool converged = false;
  GaussianMixtureParams best;
  int best_n_iter = 0;
  bool have_best = false;
  const bool pooling = !pool::PoolingDisabled();
  GaussianMixtureWorkspace fresh;
  for (int init_i = 0; init_i < n_init; ++init_i) {
    if (o.verbose >= 1) std::fprintf(stderr, "Initialization %d\n", init_i);
    const auto init_start = Clock::now();
    if (do_init) {
      ECLIPSERA_RETURN_IF_ERROR(Initialize(ctx, o, init, rng, o.n_jobs, &cur));
    } else {
      cur = params_;
    }
    if (o.max_iter == 0) {
      best = cur;
      have_best = true;
      best_n_iter = 0;
      continue;
    }
    ECLIPSERA_ASSIGN_OR_RETURN(
        const EmRun run,
        RunEm(ctx, o, workers, pooling,
              do_init ? -std::numeric_limits<double>::infinity() : lower_bound_,
              iteration_callback_, fresh, &cur, &converged, init_start));
    if (o.verbose == 1) {
      std::fprintf(stderr, "Initialization converged: %s\n",
                   converged ? "True" : "False");
    } else if (o.verbose >= 2) {
      std::fprintf(
          stderr, "Initialization converged: %s\t time lapse %.5fs\t ll %.5f\n",
          converged ? "True" : "False",
          std::chrono::duration<double>(Clock::now() - init_start).count(),
          run.lower_bound);
    }
    if (run.lower_bound > max_lower_bound ||
        max_lower_bound == -std::numeric_limits<double>::infinity()) {
      max_lower_bound = run.lower_bound;
      best = cur;
      have_best = true;
      best_n_iter = run.n_iter;
    }
  }
  if (!have_best) best = cur;
  ECLIPSERA_RETURN_IF_ERROR(CheckParamsFinite(best));
  // Final E-step (scikit-learn's fit_predict): labels consistent with the
  // final parameters, and the training score for BIC / AIC.
  EmContext fin = ctx;
  fin.params = &best;
  fin.want_resp = false;
  const double score = EStep(fin, o.n_jobs);
  if (!std::isfinite(score)) return NonFiniteError("log-likelihood");
  if (o.max_iter > 0 && !std::isfinite(max_lower_bound)) {
    return NonFiniteError("lower bound");
  }
  // Commit.
  params_ = std::move(best);
  precisions_ = std::make_shared<PrecisionsCache>();
  precisions_->covariance_type = static_cast<int>(type);
  n_iter_ = best_n_iter;
  lower_bound_ = max_lower_bound;
  converged_ = converged;
  fitted_ = true;
  // scikit-learn's ConvergenceWarning (numbered by the last initialisation).
  if (!converged && o.max_iter > 0) {
    AddWarning(absl::StrCat("Initialization ", n_init,
                            " did not converge. Try different init "
                            "parameters, or increase max_iter, tol or check "
                            "for degenerate data."));
  }
  labels_.resize(n);
  for (Index i = 0; i < n; ++i) {
    Index arg;
    ws_.resp.row(i).maxCoeff(&arg);
    labels_(i) = static_cast<int32_t>(arg);
  }
  const double npar = static_cast<double>(NumParameters());
  train_bic_ = -2.0 * score * n + npar * std::log(static_cast<double>(n));
  train_aic_ = -2.0 * score * n + 2.0 * npar;
  return absl::OkStatus();
}

int64_t GaussianMixture::NumParameters() const {
  const int64_t k = params_.means.rows(), d = params_.means.cols();
  double cov_params = 0;
  switch (ParseCovType(options_.covariance_type)) {
    case CovType::kFull:
      cov_params = k * d * (d + 1) / 2.0;
      break;
    case CovType::kDiag:
      cov_params = static_cast<double>(k * d);
      break;
    case CovType::kTied:
      cov_params = d * (d + 1) / 2.0;
      break;
    case CovType::kSpherical:
      cov_params = static_cast<double>(k);
      break;
  }
  return static_cast<int64_t>(cov_params + static_cast<double>(d * k) +
                              static_cast<double>(k) - 1);
}

absl::Status GaussianMixture::CheckPredictInput(absl::string_view context,
                                                const ConstMatrixRef& x) const {
  if (!fitted_) return NotFittedError(context);
  ECLIPSERA_RETURN_IF_ERROR(CheckData(context, "X", x, 1));
  return CheckColumns(context, "X", x, params_.means.cols());
}

void GaussianMixture::EvaluateFitted(const ConstMatrixRef& x, bool want_resp,
                                     GaussianMixtureWorkspace* ws) const {
  const CovType type = ParseCovType(options_.covariance_type);
  const Index n = x.rows(), d = x.cols(), k = params_.means.rows();
  const int n_jobs = ResolveNJobs(options_.n_jobs).ok() ? options_.n_jobs : 1;
  PrepareEStep(*ws, n, d, k, type, NumWorkers(n_jobs, NumChunks(n, kChunk)));
  EmContext c{type, &x,           &params_,           ws,       n, d,
              k,    BlockRows(n), options_.reg_covar, want_resp};
  EStep(c, n_jobs);
}

absl::StatusOr<LabelVector> GaussianMixture::PredictLabels(
    const ConstMatrixRef& x) const {
  ECLIPSERA_RETURN_IF_ERROR(CheckPredictInput("GaussianMixture::Predict", x));
  pool::PoolHandle<GaussianMixtureWorkspace> ws = predict_ws_->Acquire();
  EvaluateFitted(x, false, ws.get());
  LabelVector out(x.rows());
  for (Index i = 0; i < x.rows(); ++i) {
    Index arg;
    ws->resp.row(i).maxCoeff(&arg);
    out(i) = static_cast<int32_t>(arg);
  }
  return out;
}

absl::StatusOr<Matrix> GaussianMixture::DoPredictProba(
    const ConstMatrixRef& x) const {
  ECLIPSERA_RETURN_IF_ERROR(
      CheckPredictInput("GaussianMixture::PredictProba", x));
  pool::PoolHandle<GaussianMixtureWorkspace> ws = predict_ws_->Acquire();
  EvaluateFitted(x, true, ws.get());
  return Matrix(ws->resp);
}

absl::StatusOr<Vector> GaussianMixture::DoScoreSamples(
    const ConstMatrixRef& x) const {
  ECLIPSERA_RETURN_IF_ERROR(
      CheckPredictInput("GaussianMixture::ScoreSamples", x));
  pool::PoolHandle<GaussianMixtureWorkspace> ws = predict_ws_->Acquire();
  EvaluateFitted(x, false, ws.get());
  return Vector(ws->log_prob_norm);
}

absl::StatusOr<double> GaussianMixture::Bic(const ConstMatrixRef& x) const {
  ECLIPSERA_ASSIGN_OR_RETURN(Vector s, ScoreSamples(x));
  const double n = static_cast<double>(x.rows());
  return -2.0 * s.mean() * n +
         static_cast<double>(NumParameters()) * std::log(n);
}

absl::StatusOr<double> GaussianMixture::Aic(const ConstMatrixRef& x) const {
  ECLIPSERA_ASSIGN_OR_RETURN(Vector s, ScoreSamples(x));
  const double n = static_cast<double>(x.rows());
  return -2.0 * s.mean() * n + 2.0 * static_cast<double>(NumParameters());
}

absl::Status GaussianMixture::DoPredictInto(const ConstMatrixRef& x,
                                            VectorRef out) const {
  ECLIPSERA_ASSIGN_OR_RETURN(LabelVector l, PredictLabels(x));
  out = l.cast<double>();
  return absl::OkStatus();
}

absl::StatusOr<Vector> GaussianMixture::DoFitPredict(const ConstMatrixRef&,
                                                     absl::Span<const double>) {
  return labels_.cast<double>();
}

absl::StatusOr<double> GaussianMixture::DoScore(
    const ConstMatrixRef& x, absl::Span<const double>) const {
  ECLIPSERA_ASSIGN_OR_RETURN(Vector s, ScoreSamples(x));
  return s.mean();
}

Matrix GaussianMixture::Covariance(int k) const {
  const Index d = params_.means.cols();
  switch (ParseCovType(options_.covariance_type)) {
    case CovType::kFull:
      return params_.covariances.middleRows(k * d, d);
    case CovType::kTied:
      return params_.covariances;
    case CovType::kDiag:
      return params_.covariances.row(k).asDiagonal();
    case CovType::kSpherical:
      return Matrix::Identity(d, d) * params_.covariances(k, 0);
  }
  return Matrix();
}

absl::StatusOr<GaussianMixtureSample> GaussianMixture::Sample(
    int n_samples) const {
  if (!fitted_) return NotFittedError("GaussianMixture::Sample");
  if (n_samples < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "GaussianMixture::Sample: n_samples = ", n_samples, ", must be >= 1"));
  }
  const Index k = params_.means.rows(), d = params_.means.cols();
  Random rng = Random::FromRandomState(options_.random_state);
  // Multinomial counts by n categorical draws.
  std::vector<Index> counts(k, 0);
  for (int i = 0; i < n_samples; ++i) {
    const double u = rng.Uniform();
    double acc = 0.0;
    Index j = 0;
    for (; j < k - 1; ++j) {
      acc += params_.weights(j);
      if (u < acc) break;
    }
    ++counts[j];
  }
  GaussianMixtureSample out;
  out.x.resize(n_samples, d);
  out.y.resize(n_samples);
  Index row = 0;
  const CovType type = ParseCovType(options_.covariance_type);
  const bool diagonal = type == CovType::kDiag || type == CovType::kSpherical;
  for (Index j = 0; j < k; ++j) {
    Vector z(d);
    if (diagonal) {
      // Standard deviations per feature: no d x d matrix.
      Vector sd(d);
      for (Index f = 0; f < d; ++f) {
        sd(f) = std::sqrt(type == CovType::kDiag ? params_.covariances(j, f)
                                                 : params_.covariances(j, 0));
      }
      for (Index c = 0; c < counts[j]; ++c, ++row) {
        for (Index f = 0; f < d; ++f) z(f) = rng.Normal();
        out.x.row(row) = params_.means.row(j) + z.cwiseProduct(sd).transpose();
        out.y(row) = static_cast<int32_t>(j);
      }
      continue;
    }
    const Matrix cov = Covariance(static_cast<int>(j));
    Eigen::LLT<Eigen::MatrixXd> llt(cov);
    const Eigen::MatrixXd l = llt.matrixL();
    for (Index c = 0; c < counts[j]; ++c, ++row) {
      for (Index f = 0; f < d; ++f) z(f) = rng.Normal();
      out.x.row(row) = params_.means.row(j) + (l * z).transpose();
      out.y(row) = static_cast<int32_t>(j);
    }
  }
  return out;
}

FittedScalarList GaussianMixture::FittedScalars() const {
  FittedScalarList out;
  // With max_iter = 0 no EM step ran and scikit-learn's lower_bound_ is
  // -inf: an undefined figure is not reported.
  if (std::isfinite(lower_bound_)) out.push_back({"lower_bound", lower_bound_});
  out.push_back({"n_iter", static_cast<double>(n_iter_)});
  out.push_back({"converged", converged_ ? 1.0 : 0.0});
  out.push_back({"bic", train_bic_});
  out.push_back({"aic", train_aic_});
  return out;
}

FittedArrayList GaussianMixture::FittedArrays() const {
  if (!fitted_) return {};
  return {{"weights", params_.weights, true},
          {"means", params_.means, false},
          {"covariances", params_.covariances, false},
          {"precisions_cholesky", params_.precisions_cholesky, false},
          {"_cholesky_lower",
           Matrix::Constant(1, 1, params_.cholesky_lower ? 1.0 : 0.0), false}};
}

absl::Status GaussianMixture::RestoreFitted(
    const FittedArrayList& arrays, absl::Span<const FittedScalar> scalars) {
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(ValidateOptions(options_));
  const Index k = options_.n_components;
  ECLIPSERA_ASSIGN_OR_RETURN(const Matrix* weights,
                             FindFittedArray(arrays, "weights", k, 1));
  ECLIPSERA_ASSIGN_OR_RETURN(const Matrix* means,
                             FindFittedArray(arrays, "means", k, -1));
  const Index d = means->cols();
  Index rows = k, cols = d;
  switch (ParseCovType(options_.covariance_type)) {
    case CovType::kFull:
      rows = k * d;
      break;
    case CovType::kTied:
      rows = d;
      break;
    case CovType::kDiag:
      break;
    case CovType::kSpherical:
      cols = 1;
      break;
  }
  ECLIPSERA_ASSIGN_OR_RETURN(
      const Matrix* covariances,
      FindFittedArray(arrays, "covariances", rows, cols));
  ECLIPSERA_ASSIGN_OR_RETURN(
      const Matrix* cholesky,
      FindFittedArray(arrays, "precisions_cholesky", rows, cols));
  ECLIPSERA_ASSIGN_OR_RETURN(const Matrix* lower,
                             FindFittedArray(arrays, "_cholesky_lower", 1, 1));
  ECLIPSERA_ASSIGN_OR_RETURN(const double n_iter,
                             FindFittedScalar(scalars, "n_iter"));
  ECLIPSERA_ASSIGN_OR_RETURN(const double converged,
                             FindFittedScalar(scalars, "converged"));
  ECLIPSERA_ASSIGN_OR_RETURN(const double bic,
                             FindFittedScalar(scalars, "bic"));
  ECLIPSERA_ASSIGN_OR_RETURN(const double aic,
                             FindFittedScalar(scalars, "aic"));
  // lower_bound is absent when no EM step ran (max_iter = 0).
  const absl::StatusOr<double> lower_bound =
      FindFittedScalar(scalars, "lower_bound");
  params_.weights = weights->col(0);
  params_.means = *means;
  params_.covariances = *covariances;
  params_.precisions_cholesky = *cholesky;
  params_.cholesky_lower = (*lower)(0, 0) != 0.0;
  precisions_ = std::make_shared<PrecisionsCache>();
  precisions_->covariance_type =
      static_cast<int>(ParseCovType(options_.covariance_type));
  n_iter_ = static_cast<int>(n_iter);
  converged_ = converged != 0.0;
  train_bic_ = bic;
  train_aic_ = aic;
  lower_bound_ = lower_bound.ok() ? *lower_bound
                                  : -std::numeric_limits<double>::infinity();
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status RegisterGaussianMixture(EstimatorRegistry& registry) {
  return registry.Register(
      {"GaussianMixture",
       "Gaussian mixture fitted by EM (full, tied, diag, spherical)",
       MainOutput::kLabels,
       [] { return std::make_unique<GaussianMixture>(); }});
}

}  // namespace eclipsera::mixture
