// Truncated SVD (latent semantic analysis) as scikit-learn 1.2's
// TruncatedSVD: the leading singular vectors of the data itself, not
// centred, by the randomized solver (Halko et al., scikit-learn's
// randomized_svd with its n_iter, n_oversamples and transpose='auto') or
// exactly ('arpack': scikit-learn's ARPACK solver; here an exact thin SVD,
// which is what ARPACK converges to with tol=0, without its iteration).
#ifndef ECLIPSERA_DECOMPOSITION_TRUNCATED_SVD_H_
#define ECLIPSERA_DECOMPOSITION_TRUNCATED_SVD_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"

namespace eclipsera::decomposition {

// Hyperparameters, with scikit-learn's names and defaults.
struct TruncatedSVDOptions {
  // >= 1; 'randomized': <= n_features (more than n_samples gives
  // n_samples components, as scikit-learn); 'arpack': < min(n_samples,
  // n_features).
  int n_components = 2;
  std::string algorithm = "randomized";  // or 'arpack' (exact)
  int n_iter = 5;                        // power iterations, >= 0
  int n_oversamples = 10;                // extra random samples, >= 1
  // 'auto', 'QR', 'LU' or 'none': accepted for scikit-learn's API; every
  // power iteration is orthonormalised here, which spans the subspace the
  // 'QR' and 'LU' normalisers span, and is more accurate than 'none'.
  std::string power_iteration_normalizer = "auto";
  std::optional<int64_t> random_state;  // seeds the randomized solver.
  double tol = 0.0;  // ARPACK's tolerance: accepted (>= 0), exact anyway.

  static const ParamSchema<TruncatedSVDOptions>& Schema();
};

class TruncatedSVD
    : public EstimatorWithOptions<TruncatedSVD, TruncatedSVDOptions> {
 public:
  explicit TruncatedSVD(TruncatedSVDOptions options = {});

  // Fit is Estimator::Fit(x): finite x with at least 2 features.

  const TruncatedSVDOptions& options() const { return options_; }
  void set_options(const TruncatedSVDOptions& options);

  // Fitted attributes (empty before Fit), scikit-learn's names.
  const Matrix& components() const { return components_; }  // k x d
  // Variance of each column of the transformed training data.
  const Vector& explained_variance() const { return explained_variance_; }
  // explained_variance over the total variance of the training data.
  const Vector& explained_variance_ratio() const { return ratio_; }
  const Vector& singular_values() const { return singular_values_; }

  std::string name() const override { return "TruncatedSVD"; }
  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  Index n_features_out() const override { return components_.rows(); }
  void Reset() override;
  bool fitted() const override { return components_.size() > 0; }
  FittedArrayList FittedArrays() const override;
  absl::Status RestoreFitted(const FittedArrayList& arrays,
                             absl::Span<const FittedScalar> scalars) override;
  FittedScalarList FittedScalars() const override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::StatusOr<Matrix> DoFitTransform(const ConstMatrixRef& x,
                                        absl::Span<const double> y,
                                        const FitArgs& args) override;
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override;
  absl::StatusOr<Matrix> DoInverseTransform(
      const ConstMatrixRef& x) const override;

 private:
  // Fits and returns the transformed training data (scikit-learn's
  // fit_transform: U S for the exact solver, X V^T for the randomized one).
  absl::StatusOr<Matrix> FitAndTransform(const ConstMatrixRef& x);

  TruncatedSVDOptions options_;
  Matrix components_;
  Vector explained_variance_;
  Vector ratio_;
  Vector singular_values_;
};

// Registers "TruncatedSVD" (MainOutput::kTransform) for the command.
absl::Status RegisterTruncatedSVD(EstimatorRegistry& registry);

}  // namespace eclipsera::decomposition

#endif  // ECLIPSERA_DECOMPOSITION_TRUNCATED_SVD_H_
