// PCA: scikit-learn 1.2's _fit_full and _fit_truncated (randomized_svd).
#include "eclipsera/decomposition/pca.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "Eigen/Cholesky"
#include "Eigen/Eigenvalues"
#include "Eigen/QR"
#include "Eigen/SVD"
#include "absl/strings/str_cat.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"

namespace eclipsera::decomposition {
namespace {

constexpr char kFitContext[] = "PCA::Fit";

using ColMatrix = Eigen::MatrixXd;

// svd_flip with u_based_decision: the largest-magnitude entry of each
// column of U becomes positive, the matching row of V^T follows.
void SvdFlip(ThinSvd& svd) {
  for (Index c = 0; c < svd.u.cols(); ++c) {
    Index arg = 0;
    svd.u.col(c).cwiseAbs().maxCoeff(&arg);
    if (svd.u(arg, c) < 0.0) {
      svd.u.col(c) *= -1.0;
      svd.vt.row(c) *= -1.0;
    }
  }
}

// An orthonormal basis of the columns of a (the thin Q of its QR).
ColMatrix Orthonormal(const ColMatrix& a) {
  // CholeskyQR2: twice a <- a R^-1 with R^T R = a^T a. On the tall, thin
  // matrices of the randomized SVD this is a GEMM and a triangular solve
  // (Householder QR there runs as unblocked rank-1 updates, several times
  // slower); two rounds restore orthogonality to rounding for condition
  // numbers up to ~1e7. Worse-conditioned (near rank-deficient) columns
  // fall back to Householder QR. Either spans the same space, which is all
  // the randomized SVD uses.
  ColMatrix q = a;
  const Index k = a.cols();
  for (int round = 0; round < 2; ++round) {
    ColMatrix gram = ColMatrix::Zero(k, k);
    gram.selfadjointView<Eigen::Lower>().rankUpdate(q.transpose());
    Eigen::LLT<ColMatrix> llt(gram);
    const Vector diag = llt.matrixLLT().diagonal();
    if (llt.info() != Eigen::Success ||
        !(diag.minCoeff() > 1e-7 * diag.maxCoeff())) {
      Eigen::HouseholderQR<ColMatrix> qr(a);
      return qr.householderQ() * ColMatrix::Identity(a.rows(), a.cols());
    }
    llt.matrixU().solveInPlace<Eigen::OnTheRight>(q);
  }
  return q;
}

}  // namespace

ThinSvd ExactSvd(const ConstMatrixRef& centred) {
  const ColMatrix a = centred;
  Eigen::BDCSVD<ColMatrix> svd(a, Eigen::ComputeThinU | Eigen::ComputeThinV);
  ThinSvd out{svd.matrixU(), svd.singularValues(), svd.matrixV().transpose()};
  SvdFlip(out);
  return out;
}

ThinSvd RandomizedSvd(const ConstMatrixRef& centred, Index k, uint64_t seed) {
  const Index r = std::min(centred.rows(), centred.cols());
  const int power_iterations =
      std::min(k, r) < 0.1 * static_cast<double>(r) ? 7 : 4;
  return RandomizedSvd(centred, k, 10, power_iterations, seed,
                       /*transpose_wide=*/false);
}

namespace {

// The Gaussian test matrix of the randomized range finder for an n x d
// matrix: d x min(k + n_oversamples, n, d) standard normal draws from
// `seed`. Clips *k to min(n, d).
ColMatrix GaussianSketch(Index n, Index d, Index* k, Index n_oversamples,
                         uint64_t seed) {
  const Index r = std::min(n, d);
  *k = std::min(*k, r);
  Random rng(seed);
  ColMatrix omega(d, std::min(*k + n_oversamples, r));
  for (Index i = 0; i < omega.size(); ++i) omega.data()[i] = rng.Normal();
  return omega;
}

// Tall data with few features: all but the last power iteration in the
// d-space of the Gram matrix G = A^T A, formed once (n d^2 / 2 flops, on
// all cores), since A^T (A Z) = G Z: the range A G^q Omega is the one the
// n-space iterations find, at d^2 s flops per iteration instead of
// 2 n d s. G squares A's condition number, so the last iteration and the
// final steps (Q = orth(A Z), B = Q^T A) run in n-space, which restores
// the n-space accuracy of the small singular directions. Cheaper whenever
// d < 4 s (q - 1); used for q >= 2.
// nullopt when G overflows (sums of squares near the magnitude limit over
// very many rows): the n-space iterations then run instead.
std::optional<ThinSvd> GramSketchSvd(const ConstMatrixRef& a, Index k,
                                     Index n_oversamples, int n_iter,
                                     uint64_t seed) {
  const Index n = a.rows();
  ColMatrix z = GaussianSketch(a.rows(), a.cols(), &k, n_oversamples, seed);
  ColMatrix g = GramMatrix(a);
  // Only directions matter: G is scaled to a largest entry of 1. Its
  // entries are sums of squares: data below ~1e-125 would leave them
  // subnormal (or zero), data near the limit could overflow them; both
  // take the n-space path.
  const double largest = g.cwiseAbs().maxCoeff();
  if (!std::isfinite(largest) || largest < 1e-250) return std::nullopt;
  g /= largest;
  for (int it = 0; it + 1 < n_iter; ++it) z = Orthonormal(ColMatrix(g * z));
  // The n-space products by fixed row chunks (partials added in chunk
  // order: results independent of the threads).
  constexpr Index kChunk = 8192;
  const Index n_chunks = NumChunks(n, kChunk);
  std::vector<ColMatrix> partial(n_chunks);
  const auto times_a = [&](const ColMatrix& right) {  // A right
    ColMatrix y(n, right.cols());
    ParallelForChunks(-1, n, kChunk, [&](Index begin, Index end, int) {
      y.middleRows(begin, end - begin).noalias() =
          a.middleRows(begin, end - begin) * right;
    });
    return y;
  };
  const auto transposed_times_a = [&](const ColMatrix& left) {  // left^T A
    ParallelForChunks(-1, n, kChunk, [&](Index begin, Index end, int) {
      partial[begin / kChunk].noalias() =
          left.middleRows(begin, end - begin).transpose() *
          a.middleRows(begin, end - begin);
    });
    ColMatrix sum = partial[0];
    for (Index c = 1; c < n_chunks; ++c) sum += partial[c];
    return sum;
  };
  // The last power iteration in n-space.
  ColMatrix q = Orthonormal(times_a(z));
  z = Orthonormal(ColMatrix(transposed_times_a(q).transpose()));
  q = Orthonormal(times_a(z));
  const ColMatrix b = transposed_times_a(q);
  Eigen::BDCSVD<ColMatrix> svd(b, Eigen::ComputeThinU | Eigen::ComputeThinV);
  ThinSvd out;
  out.u = (q * svd.matrixU()).leftCols(k);
  out.s = svd.singularValues().head(k);
  out.vt = svd.matrixV().leftCols(k).transpose();
  return out;
}

// The randomized SVD of `a` (no sign flip). A template so that the data
// and its transpose are multiplied in place, never copied.
template <typename Derived>
ThinSvd SketchSvd(const Eigen::MatrixBase<Derived>& a, Index k,
                  Index n_oversamples, int n_iter, uint64_t seed) {
  const ColMatrix omega =
      GaussianSketch(a.rows(), a.cols(), &k, n_oversamples, seed);
  ColMatrix q = a * omega;  // n x samples
  for (int it = 0; it < n_iter; ++it) {
    q = Orthonormal(q);
    q = Orthonormal(ColMatrix(a.transpose() * q));  // d x samples
    q = a * q;
  }
  q = Orthonormal(q);
  // B = Q^T A (samples x d) = W S V^T, so A ~ (Q W) S V^T.
  const ColMatrix b = q.transpose() * a;
  Eigen::BDCSVD<ColMatrix> svd(b, Eigen::ComputeThinU | Eigen::ComputeThinV);
  ThinSvd out;
  out.u = (q * svd.matrixU()).leftCols(k);
  out.s = svd.singularValues().head(k);
  out.vt = svd.matrixV().leftCols(k).transpose();
  return out;
}

}  // namespace

ThinSvd RandomizedSvd(const ConstMatrixRef& a, Index k, Index n_oversamples,
                      int n_iter, uint64_t seed, bool transpose_wide) {
  ThinSvd out;
  if (transpose_wide && a.rows() < a.cols()) {
    const ThinSvd t = SketchSvd(a.transpose(), k, n_oversamples, n_iter, seed);
    out.u = t.vt.transpose();
    out.s = t.s;
    out.vt = t.u.transpose();
  } else if (a.rows() >= a.cols() && n_iter >= 2 &&
             a.cols() < 4 * std::min(k + n_oversamples, a.cols()) *
                            (static_cast<Index>(n_iter) - 1)) {
    std::optional<ThinSvd> gram =
        GramSketchSvd(a, k, n_oversamples, n_iter, seed);
    out = gram.has_value() ? *std::move(gram)
                           : SketchSvd(a, k, n_oversamples, n_iter, seed);
  } else {
    out = SketchSvd(a, k, n_oversamples, n_iter, seed);
  }
  SvdFlip(out);
  return out;
}

Eigen::MatrixXd GramMatrix(const ConstMatrixRef& a) {
  const Index n = a.rows(), d = a.cols();
  // Fixed chunks whatever the threads; at most 64, fewer for wide data
  // (the partials are d x d).
  const Index max_chunks =
      std::clamp<Index>(Index{4000000} / std::max<Index>(d * d, 1), 1, 64);
  const Index chunk = std::max<Index>(1024, (n + max_chunks - 1) / max_chunks);
  const Index n_chunks = NumChunks(n, chunk);
  std::vector<ColMatrix> partial(n_chunks);
  ParallelForChunks(-1, n, chunk, [&](Index begin, Index end, int) {
    ColMatrix& g = partial[begin / chunk];
    g.setZero(d, d);
    g.selfadjointView<Eigen::Lower>().rankUpdate(
        a.middleRows(begin, end - begin).transpose());
  });
  ColMatrix gram = ColMatrix::Zero(d, d);
  for (const ColMatrix& g : partial) gram += g;
  gram.triangularView<Eigen::StrictlyUpper>() = gram.transpose();
  return gram;
}

const ParamSchema<PCAOptions>& PCAOptions::Schema() {
  static const auto* schema = [] {
    auto* s = new ParamSchema<PCAOptions>("PCA");
    s->Add(
         "n_components",
         "components kept: an int >= 1, a float in (0, 1) (fraction of the "
         "variance to explain, svd_solver 'full'), or None (all)",
         [](const PCAOptions& o) {
           if (o.n_components.has_value()) return ParamValue(*o.n_components);
           if (o.n_components_ratio.has_value()) {
             return ParamValue(*o.n_components_ratio);
           }
           return ParamValue();
         },
         [](PCAOptions& o, const ParamValue& v) -> absl::Status {
           if (std::holds_alternative<std::monostate>(v)) {
             o.n_components.reset();
             o.n_components_ratio.reset();
             return absl::OkStatus();
           }
           if (const int64_t* i = std::get_if<int64_t>(&v)) {
             o.n_components = *i;
             o.n_components_ratio.reset();
             return absl::OkStatus();
           }
           if (const double* f = std::get_if<double>(&v)) {
             if (*f > 0.0 && *f < 1.0) {
               o.n_components_ratio = *f;
               o.n_components.reset();
               return absl::OkStatus();
             }
             return absl::InvalidArgumentError(absl::StrCat(
                 "parameter 'n_components' = ", *f,
                 " as a float must be in (0, 1) (a fraction of the "
                 "variance); give an int for a number of components"));
           }
           return absl::InvalidArgumentError(absl::StrCat(
               "parameter 'n_components' expects an int, a float in (0, 1) "
               "or None, got ",
               FormatParamValue(v)));
         })
        .Bool("whiten", &PCAOptions::whiten,
              "divide the scores by each component's standard deviation "
              "(unit-variance outputs)")
        .String("svd_solver", &PCAOptions::svd_solver,
                "'auto', 'full' (exact SVD), 'covariance_eigh' (exact, from "
                "the d x d covariance: fast for n >> d) or 'randomized'",
                {"auto", "full", "covariance_eigh", "randomized"})
        .OptionalInt("random_state", &PCAOptions::random_state,
                     "seed of the randomized solver; None: a new seed");
    return s;
  }();
  return *schema;
}

PCA::PCA(PCAOptions options) : options_(std::move(options)) {}

void PCA::set_options(const PCAOptions& options) {
  options_ = options;
  Reset();
}

void PCA::Reset() {
  fitted_ = false;
  components_.resize(0, 0);
  explained_variance_.resize(0);
  ratio_.resize(0);
  singular_values_.resize(0);
  mean_.resize(0);
  noise_variance_ = 0.0;
  solver_used_.clear();
}

absl::Status PCA::DoFit(const ConstMatrixRef& x, absl::Span<const double>,
                        const FitArgs&) {
  const PCAOptions& o = options_;
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kFitContext, "X", x, 2));
  const Index n = x.rows(), d = x.cols(), r = std::min(n, d);
  if (o.n_components.has_value() && o.n_components_ratio.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext,
                     ": set n_components either as a count or as a "
                     "fraction (n_components_ratio), not both"));
  }
  if (o.n_components_ratio.has_value() &&
      !(*o.n_components_ratio > 0.0 && *o.n_components_ratio < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext, ": n_components = ", *o.n_components_ratio,
                     " as a fraction must be in (0, 1)"));
  }
  if (o.n_components.has_value() &&
      (*o.n_components < 1 || *o.n_components > r)) {
    return absl::InvalidArgumentError(absl::StrCat(
        kFitContext, ": n_components = ", *o.n_components,
        " must be between 1 and min(n_samples, n_features) = ", r));
  }
  std::string solver = o.svd_solver;
  if (solver == "auto") {
    // scikit-learn 1.2's policy, except that where it picks the
    // randomized solver for tall data (n >= 10 d, d < 1000) the exact
    // covariance eigendecomposition is both cheaper (one pass, n d^2 / 2
    // flops instead of ~10 products of n d (k + 10)) and exact, as
    // scikit-learn 1.5's 'covariance_eigh' does.
    const bool truncated =
        std::max(n, d) > 500 && o.n_components.has_value() &&
        static_cast<double>(*o.n_components) < 0.8 * static_cast<double>(r);
    solver = !truncated                ? "full"
             : n >= 10 * d && d < 1000 ? "covariance_eigh"
                                       : "randomized";
  }
  if (solver == "randomized" && !o.n_components.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext,
                     ": svd_solver='randomized' needs n_components as an "
                     "int (a count), not ",
                     o.n_components_ratio.has_value() ? "a fraction" : "None",
                     "; use svd_solver='full'"));
  }
  if (solver != "full" && solver != "randomized" &&
      solver != "covariance_eigh") {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext, ": unknown svd_solver '", o.svd_solver,
                     "'; allowed: 'auto', 'full', 'covariance_eigh', "
                     "'randomized'"));
  }

  mean_ = x.colwise().mean().transpose();
  const double dof = static_cast<double>(n - 1);
  Index k = 0;
  if (solver == "covariance_eigh") {
    k = CovarianceEigh(x, dof);
    if (o.whiten) ECLIPSERA_RETURN_IF_ERROR(CheckWhitenable(k));
    ECLIPSERA_RETURN_IF_ERROR(
        CheckFittedFinite(kFitContext, "components_", components_));
    solver_used_ = solver;
    fitted_ = true;
    return absl::OkStatus();
  }
  const Matrix centred = x.rowwise() - mean_.transpose();
  if (solver == "full") {
    const ThinSvd svd = ExactSvd(centred);
    const Vector all = svd.s.array().square() / dof;
    const double total = all.sum();
    const Vector all_ratio =
        total > 0.0 ? Vector(all / total) : Vector(Vector::Zero(all.size()));
    if (o.n_components_ratio.has_value()) {
      // np.searchsorted(cumsum, ratio, side='right') + 1.
      double cumsum = 0.0;
      k = 0;
      while (k < all_ratio.size()) {
        cumsum += all_ratio(k);
        if (cumsum > *o.n_components_ratio) break;
        ++k;
      }
      k = std::min<Index>(k + 1, r);
    } else {
      k = o.n_components.value_or(r);
    }
    components_ = svd.vt.topRows(k);
    explained_variance_ = all.head(k);
    ratio_ = all_ratio.head(k);
    singular_values_ = svd.s.head(k);
    noise_variance_ = k < r ? all.tail(r - k).mean() : 0.0;
  } else {
    k = *o.n_components;
    Random seeder = Random::FromRandomState(o.random_state);
    const ThinSvd svd = RandomizedSvd(centred, k, seeder.NextU64());
    explained_variance_ = svd.s.array().square() / dof;
    const double total = centred.colwise().squaredNorm().sum() / dof;
    ratio_ = total > 0.0 ? Vector(explained_variance_ / total)
                         : Vector(Vector::Zero(k));
    components_ = svd.vt;
    singular_values_ = svd.s;
    noise_variance_ =
        k < r ? (total - explained_variance_.sum()) / static_cast<double>(r - k)
              : 0.0;
  }
  if (o.whiten) ECLIPSERA_RETURN_IF_ERROR(CheckWhitenable(k));
  ECLIPSERA_RETURN_IF_ERROR(
      CheckFittedFinite(kFitContext, "components_", components_));
  solver_used_ = solver;
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status PCA::CheckWhitenable(Index k) const {
  for (Index c = 0; c < k; ++c) {
    if (!(explained_variance_(c) > 0.0)) {
      return absl::InvalidArgumentError(
          absl::StrCat(kFitContext,
                       ": whiten=true divides by each kept component's "
                       "standard deviation, but component ",
                       c, " has no variance (the centred data has rank ", c,
                       "); keep fewer components or set whiten=false"));
    }
  }
  return absl::OkStatus();
}

Index PCA::CovarianceEigh(const ConstMatrixRef& x, double dof) {
  const Index n = x.rows(), d = x.cols();
  // Gram matrix of the centred data: fixed chunks (results independent of
  // the threads), each centred block by block in a per-thread scratch and
  // folded into its own partial sum, the partials added in chunk order.
  // At most 64 chunks, fewer for wide data (the partials are d x d; about
  // 32 MB of them at most).
  constexpr Index kBlock = 256;
  const Index max_chunks =
      std::clamp<Index>(Index{4000000} / std::max<Index>(d * d, 1), 1, 64);
  const Index chunk =
      std::max<Index>(4 * kBlock, (n + max_chunks - 1) / max_chunks);
  const Index n_chunks = NumChunks(n, chunk);
  std::vector<ColMatrix> partial(n_chunks);
  // Per chunk: the largest |(x - mean) v_c| and its row, for svd_flip.
  ParallelForChunks(-1, n, chunk, [&](Index begin, Index end, int) {
    ColMatrix& g = partial[begin / chunk];
    g.setZero(d, d);
    thread_local std::vector<double> scratch;
    if (scratch.size() < static_cast<size_t>(kBlock * d)) {
      scratch.resize(kBlock * d);
    }
    for (Index b = begin; b < end; b += kBlock) {
      const Index rows = std::min(kBlock, end - b);
      Eigen::Map<ColMatrix> c(scratch.data(), rows, d);
      c.noalias() = x.middleRows(b, rows).rowwise() - mean_.transpose();
      g.selfadjointView<Eigen::Lower>().rankUpdate(c.transpose());
    }
  });
  ColMatrix gram = ColMatrix::Zero(d, d);
  for (const ColMatrix& g : partial) gram += g;
  gram.triangularView<Eigen::StrictlyUpper>() = gram.transpose();
  Eigen::SelfAdjointEigenSolver<ColMatrix> eig(gram);
  // Eigenvalues ascending: the components are the last k, reversed.
  const Vector lambda = eig.eigenvalues().reverse().cwiseMax(0.0);
  const Vector all = lambda / dof;
  const double total = all.sum();
  const Index r = std::min(n, d);
  Index k = options_.n_components.value_or(r);
  if (options_.n_components_ratio.has_value() && total > 0.0) {
    // As the full solver: np.searchsorted(cumsum, ratio, 'right') + 1.
    double cumsum = 0.0;
    k = 0;
    while (k < r) {
      cumsum += all(k) / total;
      if (cumsum > *options_.n_components_ratio) break;
      ++k;
    }
    k = std::min<Index>(k + 1, r);
  }
  ColMatrix v = eig.eigenvectors().rowwise().reverse().leftCols(k);
  // svd_flip (u-based): the largest-magnitude entry of each column of
  // U = X_c V / s must be positive; find it in a second pass, first row
  // winning ties as numpy's argmax.
  struct Best {
    double abs = -1.0, value = 0.0;
  };
  std::vector<std::vector<Best>> best(n_chunks, std::vector<Best>(k));
  ParallelForChunks(-1, n, chunk, [&](Index begin, Index end, int) {
    std::vector<Best>& bst = best[begin / chunk];
    thread_local std::vector<double> scratch;
    if (scratch.size() < static_cast<size_t>(kBlock * (d + k))) {
      scratch.resize(kBlock * (d + k));
    }
    for (Index b = begin; b < end; b += kBlock) {
      const Index rows = std::min(kBlock, end - b);
      Eigen::Map<ColMatrix> c(scratch.data(), rows, d);
      Eigen::Map<ColMatrix> u(scratch.data() + kBlock * d, rows, k);
      c.noalias() = x.middleRows(b, rows).rowwise() - mean_.transpose();
      u.noalias() = c * v;
      for (Index j = 0; j < k; ++j) {
        for (Index i = 0; i < rows; ++i) {
          const double a = std::abs(u(i, j));
          if (a > bst[j].abs) bst[j] = {a, u(i, j)};
        }
      }
    }
  });
  for (Index j = 0; j < k; ++j) {
    Best overall;
    for (const std::vector<Best>& bst : best) {
      if (bst[j].abs > overall.abs) overall = bst[j];
    }
    if (overall.value < 0.0) v.col(j) *= -1.0;
  }
  components_ = v.transpose();
  explained_variance_ = all.head(k);
  ratio_ = total > 0.0 ? Vector(explained_variance_ / total)
                       : Vector(Vector::Zero(k));
  singular_values_ = lambda.head(k).cwiseSqrt();
  noise_variance_ = k < r ? all.segment(k, r - k).mean() : 0.0;
  return k;
}

absl::Status PCA::DoTransformInto(const ConstMatrixRef& x,
                                  MatrixRef out) const {
  constexpr char kContext[] = "PCA::Transform";
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckColumns(kContext, "X", x, mean_.size()));
  // Blocks of rows, centred into a scratch of the calling thread that
  // grows once: a repeated transform (a pipeline's) allocates nothing, and
  // the blocks keep Eigen's GEMM packing buffers on the stack.
  constexpr Index kBlock = 32;
  const Index d = x.cols();
  thread_local std::vector<double> scratch;
  if (scratch.size() < static_cast<size_t>(kBlock * d)) {
    scratch.resize(kBlock * d);
  }
  for (Index begin = 0; begin < x.rows(); begin += kBlock) {
    const Index rows = std::min(kBlock, x.rows() - begin);
    Eigen::Map<Matrix> centred(scratch.data(), rows, d);
    centred.noalias() = x.middleRows(begin, rows).rowwise() - mean_.transpose();
    out.middleRows(begin, rows).noalias() = centred * components_.transpose();
  }
  if (options_.whiten) {
    out.array().rowwise() /= explained_variance_.array().sqrt().transpose();
  }
  return absl::OkStatus();
}

absl::StatusOr<Matrix> PCA::DoInverseTransform(const ConstMatrixRef& x) const {
  constexpr char kContext[] = "PCA::InverseTransform";
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckColumns(kContext, "X", x, components_.rows()));
  Matrix out;
  if (options_.whiten) {
    const Matrix scaled =
        explained_variance_.array().sqrt().matrix().asDiagonal() * components_;
    out = x * scaled;
  } else {
    out = x * components_;
  }
  out.rowwise() += mean_.transpose();
  return out;
}

FittedScalarList PCA::FittedScalars() const {
  return {{"n_components", static_cast<double>(components_.rows())},
          {"noise_variance", noise_variance_},
          {"explained_variance_ratio_sum", ratio_.sum()}};
}

FittedArrayList PCA::FittedArrays() const {
  if (!fitted_) return {};
  return {{"components", components_, false},
          {"explained_variance", explained_variance_, true},
          {"explained_variance_ratio", ratio_, true},
          {"singular_values", singular_values_, true},
          {"mean", mean_, true}};
}

absl::Status PCA::RestoreFitted(const FittedArrayList& arrays,
                                absl::Span<const FittedScalar> scalars) {
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreMatrix(arrays, "components", -1, -1, &components_));
  const Index k = components_.rows(), d = components_.cols();
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreVector(arrays, "explained_variance", k, &explained_variance_));
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreVector(arrays, "explained_variance_ratio", k, &ratio_));
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreVector(arrays, "singular_values", k, &singular_values_));
  ECLIPSERA_RETURN_IF_ERROR(RestoreVector(arrays, "mean", d, &mean_));
  ECLIPSERA_ASSIGN_OR_RETURN(noise_variance_,
                             FindFittedScalar(scalars, "noise_variance"));
  if (k == 0 || d == 0) {
    return absl::InvalidArgumentError("PCA::RestoreFitted: no components");
  }
  solver_used_ = options_.svd_solver;
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status RegisterPCA(EstimatorRegistry& registry) {
  return registry.Register({"PCA",
                            "principal component analysis (exact or "
                            "randomized SVD), scikit-learn's PCA",
                            MainOutput::kTransform,
                            [] { return std::make_unique<PCA>(); }});
}

}  // namespace eclipsera::decomposition
