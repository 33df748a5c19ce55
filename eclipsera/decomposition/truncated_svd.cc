// TruncatedSVD: scikit-learn 1.2's sklearn/decomposition/_truncated_svd.py.
#include "eclipsera/decomposition/truncated_svd.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "Eigen/Eigenvalues"
#include "absl/strings/str_cat.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/decomposition/pca.h"

namespace eclipsera::decomposition {
namespace {

constexpr char kFitContext[] = "TruncatedSVD::Fit";

// np.var(m, axis=0): the population variance of each column.
Vector ColumnVariances(const ConstMatrixRef& m) {
  const Vector mean = m.colwise().mean().transpose();
  return (m.rowwise() - mean.transpose()).colwise().squaredNorm().transpose() /
         static_cast<double>(m.rows());
}

}  // namespace

const ParamSchema<TruncatedSVDOptions>& TruncatedSVDOptions::Schema() {
  using O = TruncatedSVDOptions;
  static const auto* schema = [] {
    auto* s = new ParamSchema<O>("TruncatedSVD");
    s->Int("n_components", &O::n_components,
           "number of components, >= 1; <= n_features for 'randomized', "
           "< min(n_samples, n_features) for 'arpack'")
        .String("algorithm", &O::algorithm,
                "'randomized' (randomized range finder) or 'arpack' (here "
                "an exact thin SVD)",
                {"randomized", "arpack"})
        .Int("n_iter", &O::n_iter,
             "power iterations of the randomized solver, >= 0")
        .Int("n_oversamples", &O::n_oversamples,
             "random samples beyond n_components in the randomized solver, "
             ">= 1")
        .String("power_iteration_normalizer", &O::power_iteration_normalizer,
                "'auto', 'QR', 'LU' or 'none'; every power iteration is "
                "orthonormalised here (the subspace of 'QR' and 'LU')",
                {"auto", "QR", "LU", "none"})
        .OptionalInt("random_state", &O::random_state,
                     "seed of the randomized solver; None: a new seed")
        .Double("tol", &O::tol,
                "ARPACK's tolerance, >= 0 (the exact solver needs none)");
    return s;
  }();
  return *schema;
}

TruncatedSVD::TruncatedSVD(TruncatedSVDOptions options)
    : options_(std::move(options)) {}

void TruncatedSVD::set_options(const TruncatedSVDOptions& options) {
  options_ = options;
  Reset();
}

void TruncatedSVD::Reset() {
  components_.resize(0, 0);
  explained_variance_.resize(0);
  ratio_.resize(0);
  singular_values_.resize(0);
}

absl::Status TruncatedSVD::DoFit(const ConstMatrixRef& x,
                                 absl::Span<const double>, const FitArgs&) {
  return FitAndTransform(x).status();
}

absl::StatusOr<Matrix> TruncatedSVD::DoFitTransform(const ConstMatrixRef& x,
                                                    absl::Span<const double>,
                                                    const FitArgs&) {
  return FitAndTransform(x);
}

absl::StatusOr<Matrix> TruncatedSVD::FitAndTransform(const ConstMatrixRef& x) {
  const TruncatedSVDOptions& o = options_;
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kFitContext, "X", x));
  const Index n = x.rows(), d = x.cols();
  if (d < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext, ": X has 1 feature(s) (n_features (1) = ", d,
                     "); TruncatedSVD needs at least 2"));
  }
  const bool exact = o.algorithm == "arpack";
  if (!exact && o.algorithm != "randomized") {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext, ": unknown algorithm '", o.algorithm,
                     "'; allowed: 'randomized', 'arpack'"));
  }
  if (o.n_components < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        kFitContext, ": n_components = ", o.n_components, "; must be >= 1"));
  }
  if (exact && o.n_components >= std::min(n, d)) {
    return absl::InvalidArgumentError(absl::StrCat(
        kFitContext, ": n_components = ", o.n_components,
        " with algorithm 'arpack' must be < min(n_samples, n_features) = ",
        std::min(n, d), "; use algorithm 'randomized' for more"));
  }
  if (!exact && o.n_components > d) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext, ": n_components = ", o.n_components,
                     " must be <= n_features = ", d));
  }
  if (o.n_iter < 0 || o.n_oversamples < 1 || !(o.tol >= 0.0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        kFitContext, ": n_iter = ", o.n_iter,
        ", n_oversamples = ", o.n_oversamples, ", tol = ", o.tol,
        "; expected n_iter >= 0, n_oversamples >= 1 and tol >= 0"));
  }
  if (o.power_iteration_normalizer != "auto" &&
      o.power_iteration_normalizer != "QR" &&
      o.power_iteration_normalizer != "LU" &&
      o.power_iteration_normalizer != "none") {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext, ": unknown power_iteration_normalizer '",
                     o.power_iteration_normalizer,
                     "'; allowed: 'auto', 'QR', 'LU', 'none'"));
  }

  Matrix transformed;
  if (exact && n >= d) {
    // Tall data: the eigendecomposition of the d x d Gram matrix X^T X, as
    // ARPACK's svds works on X^T X: n d^2 / 2 flops for the Gram matrix
    // instead of a bidiagonalisation of all of X.
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(GramMatrix(x));
    if (eig.info() != Eigen::Success) {
      return absl::InternalError(
          absl::StrCat(kFitContext, ": eigendecomposition failed"));
    }
    const Index k = o.n_components;
    components_.resize(k, d);
    singular_values_.resize(k);
    for (Index c = 0; c < k; ++c) {  // eigenvalues ascend
      components_.row(c) = eig.eigenvectors().col(d - 1 - c).transpose();
      singular_values_(c) =
          std::sqrt(std::max(eig.eigenvalues()(d - 1 - c), 0.0));
    }
    transformed = x * components_.transpose();  // U S
    // svd_flip on U: the largest-magnitude entry of each column positive.
    for (Index c = 0; c < k; ++c) {
      Index arg = 0;
      transformed.col(c).cwiseAbs().maxCoeff(&arg);
      if (transformed(arg, c) < 0.0) {
        transformed.col(c) *= -1.0;
        components_.row(c) *= -1.0;
      }
    }
  } else if (exact) {
    const ThinSvd svd = ExactSvd(x);
    const Index k = o.n_components;
    components_ = svd.vt.topRows(k);
    singular_values_ = svd.s.head(k);
    // scikit-learn's fit_transform with tol = 0: U S.
    transformed = svd.u.leftCols(k) * singular_values_.asDiagonal();
  } else {
    Random seeder = Random::FromRandomState(o.random_state);
    const ThinSvd svd = RandomizedSvd(x, o.n_components, o.n_oversamples,
                                      o.n_iter, seeder.NextU64(),
                                      /*transpose_wide=*/true);
    components_ = svd.vt;
    singular_values_ = svd.s;
    // X V, not U S: the two differ by the approximation error.
    transformed = x * components_.transpose();
  }
  explained_variance_ = ColumnVariances(transformed);
  const double total = ColumnVariances(x).sum();
  ratio_ = total > 0.0 ? Vector(explained_variance_ / total)
                       : Vector(Vector::Zero(explained_variance_.size()));
  const absl::Status finite =
      CheckFittedFinite(kFitContext, "components_", components_);
  if (!finite.ok()) {
    Reset();
    return finite;
  }
  return transformed;
}

absl::Status TruncatedSVD::DoTransformInto(const ConstMatrixRef& x,
                                           MatrixRef out) const {
  constexpr char kContext[] = "TruncatedSVD::Transform";
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckColumns(kContext, "X", x, components_.cols()));
  out.noalias() = x * components_.transpose();
  return absl::OkStatus();
}

absl::StatusOr<Matrix> TruncatedSVD::DoInverseTransform(
    const ConstMatrixRef& x) const {
  constexpr char kContext[] = "TruncatedSVD::InverseTransform";
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckColumns(kContext, "X", x, components_.rows()));
  return Matrix(x * components_);
}

FittedScalarList TruncatedSVD::FittedScalars() const {
  return {{"n_components", static_cast<double>(components_.rows())},
          {"explained_variance_ratio_sum", ratio_.sum()}};
}

FittedArrayList TruncatedSVD::FittedArrays() const {
  if (!fitted()) return {};
  return {{"components", components_, false},
          {"explained_variance", explained_variance_, true},
          {"explained_variance_ratio", ratio_, true},
          {"singular_values", singular_values_, true}};
}

absl::Status TruncatedSVD::RestoreFitted(const FittedArrayList& arrays,
                                         absl::Span<const FittedScalar>) {
  Reset();
  Matrix components;
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreMatrix(arrays, "components", -1, -1, &components));
  const Index k = components.rows();
  if (k == 0 || components.cols() < 2) {
    return absl::InvalidArgumentError(
        "TruncatedSVD::RestoreFitted: 'components' must be k x d with k >= 1 "
        "and d >= 2");
  }
  absl::Status s =
      RestoreVector(arrays, "explained_variance", k, &explained_variance_);
  if (s.ok()) {
    s = RestoreVector(arrays, "explained_variance_ratio", k, &ratio_);
  }
  if (s.ok()) {
    s = RestoreVector(arrays, "singular_values", k, &singular_values_);
  }
  if (!s.ok()) {
    Reset();
    return s;
  }
  components_ = std::move(components);
  return absl::OkStatus();
}

absl::Status RegisterTruncatedSVD(EstimatorRegistry& registry) {
  return registry.Register({"TruncatedSVD",
                            "leading singular vectors of the uncentred data "
                            "(latent semantic analysis), scikit-learn's "
                            "TruncatedSVD",
                            MainOutput::kTransform,
                            [] { return std::make_unique<TruncatedSVD>(); }});
}

}  // namespace eclipsera::decomposition
