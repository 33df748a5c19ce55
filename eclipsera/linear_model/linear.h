// Least-squares linear models as scikit-learn 1.2's LinearRegression, Ridge
// and RidgeClassifier (dense X, one target).
#ifndef ECLIPSERA_LINEAR_MODEL_LINEAR_H_
#define ECLIPSERA_LINEAR_MODEL_LINEAR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"

namespace eclipsera::linear_model {

struct LinearRegressionOptions {
  bool fit_intercept = true;
  bool copy_X = true;  // scikit-learn compatibility; X is never modified.
  // Accepted for compatibility (-1 default here, None in scikit-learn); the
  // solve is one SVD.
  int n_jobs = -1;
  bool positive = false;  // refused: non-negative least squares is not here.

  static const ParamSchema<LinearRegressionOptions>& Schema();
};

// Ordinary least squares: the minimum-norm solution of the (weighted,
// centred) problem by SVD, as scipy's lstsq (gelsd): singular values below
// eps * the largest are treated as zero. Score is R^2.
class LinearRegression
    : public EstimatorWithOptions<LinearRegression, LinearRegressionOptions> {
 public:
  explicit LinearRegression(LinearRegressionOptions options = {});
  const LinearRegressionOptions& options() const { return options_; }
  void set_options(const LinearRegressionOptions& options);

  const Vector& coef() const { return coef_; }
  double intercept() const { return intercept_; }
  Index rank() const { return rank_; }
  const Vector& singular() const { return singular_; }

  std::string name() const override { return "LinearRegression"; }
  EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  bool supports_sample_weight() const override { return true; }
  void Reset() override;
  bool fitted() const override { return fitted_; }
  FittedArrayList FittedArrays() const override;
  absl::Status RestoreFitted(const FittedArrayList& arrays,
                             absl::Span<const FittedScalar> scalars) override;
  FittedScalarList FittedScalars() const override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoPredictInto(const ConstMatrixRef& x,
                             VectorRef out) const override;
  absl::StatusOr<double> DoScore(const ConstMatrixRef& x,
                                 absl::Span<const double> y) const override;

 private:
  LinearRegressionOptions options_;
  Vector coef_, singular_;
  double intercept_ = 0.0;
  Index rank_ = 0;
  bool fitted_ = false;
};

struct RidgeOptions {
  double alpha = 1.0;  // >= 0, the L2 penalty.
  bool fit_intercept = true;
  bool copy_X = true;  // scikit-learn compatibility; X is never modified.
  std::optional<int64_t> max_iter;  // iterative solvers only (none here).
  double tol = 1e-4;                // iterative solvers only (none here).
  // 'auto' (= 'cholesky' for dense X, as scikit-learn), 'cholesky' or
  // 'svd'. scikit-learn's iterative solvers are refused with a message.
  std::string solver = "auto";
  bool positive = false;                // refused.
  std::optional<int64_t> random_state;  // unused (no 'sag'/'saga').

  static const ParamSchema<RidgeOptions>& Schema();
};

// Ridge regression: minimises ||y - Xw - b||^2 + alpha ||w||^2.
class Ridge : public EstimatorWithOptions<Ridge, RidgeOptions> {
 public:
  explicit Ridge(RidgeOptions options = {});
  const RidgeOptions& options() const { return options_; }
  void set_options(const RidgeOptions& options);

  const Vector& coef() const { return coef_; }
  double intercept() const { return intercept_; }

  std::string name() const override { return "Ridge"; }
  EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  bool supports_sample_weight() const override { return true; }
  void Reset() override;
  bool fitted() const override { return fitted_; }
  FittedScalarList FittedScalars() const override;
  FittedArrayList FittedArrays() const override;
  absl::Status RestoreFitted(const FittedArrayList& arrays,
                             absl::Span<const FittedScalar> scalars) override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoPredictInto(const ConstMatrixRef& x,
                             VectorRef out) const override;
  absl::StatusOr<double> DoScore(const ConstMatrixRef& x,
                                 absl::Span<const double> y) const override;

 private:
  RidgeOptions options_;
  Vector coef_;
  double intercept_ = 0.0;
  bool fitted_ = false;
};

struct RidgeClassifierOptions : RidgeOptions {
  // None or 'balanced' (n_samples / (n_classes * class count)).
  std::string class_weight = "none";

  static const ParamSchema<RidgeClassifierOptions>& Schema();
};

// Ridge regression on {-1, 1} class indicators (one column for two classes,
// one per class otherwise); predicts the class of the largest score.
class RidgeClassifier
    : public EstimatorWithOptions<RidgeClassifier, RidgeClassifierOptions> {
 public:
  explicit RidgeClassifier(RidgeClassifierOptions options = {});
  const RidgeClassifierOptions& options() const { return options_; }
  void set_options(const RidgeClassifierOptions& options);

  // n_targets x n_features (one row for two classes).
  const Matrix& coef() const { return coef_; }
  const Vector& intercept() const { return intercept_; }

  std::string name() const override { return "RidgeClassifier"; }
  EstimatorKind kind() const override { return EstimatorKind::kClassifier; }
  bool supports_sample_weight() const override { return true; }
  absl::Span<const double> classes() const override { return classes_; }
  void Reset() override;
  bool fitted() const override { return fitted_; }
  FittedArrayList FittedArrays() const override;
  absl::Status RestoreFitted(const FittedArrayList& arrays,
                             absl::Span<const FittedScalar> scalars) override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoPredictInto(const ConstMatrixRef& x,
                             VectorRef out) const override;
  absl::StatusOr<Matrix> DoDecisionFunction(
      const ConstMatrixRef& x) const override;
  absl::StatusOr<double> DoScore(const ConstMatrixRef& x,
                                 absl::Span<const double> y) const override;

 private:
  RidgeClassifierOptions options_;
  std::vector<double> classes_;
  Matrix coef_;
  Vector intercept_;
  bool fitted_ = false;
};

// Registers LinearRegression, Ridge and RidgeClassifier.
absl::Status RegisterLinearModels(EstimatorRegistry& registry);

}  // namespace eclipsera::linear_model

#endif  // ECLIPSERA_LINEAR_MODEL_LINEAR_H_
