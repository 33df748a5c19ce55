// Principal component analysis as scikit-learn 1.2's PCA: exact (SVD of the
// centred data, or for tall data the eigendecomposition of its covariance,
// scikit-learn 1.5's 'covariance_eigh') or randomized (Halko et al.'s range
// finder) solvers, n_components as a count, a fraction of the variance or
// None, whitening.
#ifndef ECLIPSERA_DECOMPOSITION_PCA_H_
#define ECLIPSERA_DECOMPOSITION_PCA_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"

namespace eclipsera::decomposition {

// Hyperparameters, with scikit-learn's names and defaults. The parameter
// `n_components` is an int (a count), a float in (0, 1) (keep the fewest
// components explaining more than that fraction of the variance) or None
// (min(n_samples, n_features)); here it is two fields, at most one set.
struct PCAOptions {
  std::optional<int64_t> n_components;       // >= 1 and <= min(n, d).
  std::optional<double> n_components_ratio;  // in (0, 1); 'full' solver.
  bool whiten = false;  // scale the scores to unit variance.
  // 'auto' (when max(n, d) > 500 and a count < 0.8 min(n, d) is asked for:
  // covariance_eigh for tall data, n >= 10 d and d < 1000, else randomized,
  // as scikit-learn 1.2 picks randomized there; otherwise full), 'full',
  // 'covariance_eigh' or 'randomized'.
  std::string svd_solver = "auto";
  std::optional<int64_t> random_state;  // seeds the randomized solver.

  static const ParamSchema<PCAOptions>& Schema();
};

// A thin singular value decomposition X_c = U S V^T of centred data,
// leading components first, signs fixed by scikit-learn's svd_flip (the
// largest-magnitude entry of each column of U is positive).
struct ThinSvd {
  Matrix u;   // n x r
  Vector s;   // r, non-increasing
  Matrix vt;  // r x d
};

// Every singular triple of `centred` (r = min(n, d)).
ThinSvd ExactSvd(const ConstMatrixRef& centred);
// The leading `k` triples by the randomized range finder (k + 10 samples,
// 7 power iterations when k < 0.1 min(n, d), else 4), seeded by `seed`.
ThinSvd RandomizedSvd(const ConstMatrixRef& centred, Index k, uint64_t seed);
// Halko et al.'s randomized SVD as scikit-learn 1.2's randomized_svd: the
// leading min(k, n, d) triples of `a` from min(k + n_oversamples, n, d)
// Gaussian samples and `n_iter` power iterations, each orthonormalised
// (scikit-learn's 'QR'/'LU' normalisers span the same subspaces). With
// `transpose_wide`, a matrix with fewer rows than columns is sketched
// through its transpose (scikit-learn's transpose='auto'). Signs by
// svd_flip on U.
// Tall data with few features (n_iter >= 2, d < 4 (k + n_oversamples)
// (n_iter - 1)) runs all but the last power iteration on the d x d Gram
// matrix A^T A instead (the same range in exact arithmetic, far fewer
// flops; the last iteration in n-space keeps its accuracy).
ThinSvd RandomizedSvd(const ConstMatrixRef& a, Index k, Index n_oversamples,
                      int n_iter, uint64_t seed, bool transpose_wide);
// A^T A (d x d, symmetric, both triangles) in fixed row chunks on all
// cores; the result does not depend on the threads.
Eigen::MatrixXd GramMatrix(const ConstMatrixRef& a);

class PCA : public EstimatorWithOptions<PCA, PCAOptions> {
 public:
  explicit PCA(PCAOptions options = {});

  // Fit is Estimator::Fit(x): n_samples >= 2, finite x. InvalidArgument
  // on bad options (n_components out of range, a fraction with the
  // randomized solver, ...).

  const PCAOptions& options() const { return options_; }
  void set_options(const PCAOptions& options);

  // Fitted attributes (empty before Fit), scikit-learn's names.
  const Matrix& components() const { return components_; }  // k x d
  const Vector& explained_variance() const { return explained_variance_; }
  const Vector& explained_variance_ratio() const { return ratio_; }
  const Vector& singular_values() const { return singular_values_; }
  const Vector& mean() const { return mean_; }  // d
  Index n_components_fitted() const { return components_.rows(); }
  double noise_variance() const { return noise_variance_; }
  // The solver actually run ('full', 'covariance_eigh' or 'randomized').
  const std::string& solver_used() const { return solver_used_; }

  std::string name() const override { return "PCA"; }
  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  Index n_features_out() const override {
    return fitted_ ? components_.rows() : 0;
  }
  void Reset() override;
  bool fitted() const override { return fitted_; }
  FittedArrayList FittedArrays() const override;
  absl::Status RestoreFitted(const FittedArrayList& arrays,
                             absl::Span<const FittedScalar> scalars) override;
  FittedScalarList FittedScalars() const override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override;
  absl::StatusOr<Matrix> DoInverseTransform(
      const ConstMatrixRef& x) const override;

 private:
  // Fits components_ and the variances from the covariance matrix's
  // eigendecomposition ('covariance_eigh'); returns the components kept.
  Index CovarianceEigh(const ConstMatrixRef& x, double dof);
  absl::Status CheckWhitenable(Index k) const;

  PCAOptions options_;
  Matrix components_;
  Vector explained_variance_;
  Vector ratio_;
  Vector singular_values_;
  Vector mean_;
  double noise_variance_ = 0.0;
  std::string solver_used_;
  bool fitted_ = false;
};

// Registers "PCA" (MainOutput::kTransform) for the command.
absl::Status RegisterPCA(EstimatorRegistry& registry);

}  // namespace eclipsera::decomposition

#endif  // ECLIPSERA_DECOMPOSITION_PCA_H_
