// Logistic regression as scikit-learn 1.2's LogisticRegression with the
// 'lbfgs' solver: the same objective (sum of sample-weighted half binomial
// or multinomial deviances plus ||coef||^2 / (2 C), the intercept not
// penalised), so the optimum agrees; L-BFGS with scipy's stopping rules.
#ifndef ECLIPSERA_LINEAR_MODEL_LOGISTIC_H_
#define ECLIPSERA_LINEAR_MODEL_LOGISTIC_H_

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

struct LogisticRegressionOptions {
  std::string penalty = "l2";  // 'l2' or 'none' (None)
  bool dual = false;           // false only (the dual is liblinear's)
  double tol = 1e-4;           // L-BFGS gradient tolerance
  double C = 1.0;              // inverse regularisation strength, > 0
  bool fit_intercept = true;
  double intercept_scaling = 1.0;       // liblinear only; accepted
  std::string class_weight = "none";    // None or 'balanced'
  std::optional<int64_t> random_state;  // unused by lbfgs
  std::string solver = "lbfgs";         // 'lbfgs' only
  int max_iter = 100;
  // 'auto' (binary: one model; otherwise multinomial), 'multinomial' or
  // 'ovr' (one binary model per class).
  std::string multi_class = "auto";
  int verbose = 0;
  bool warm_start = false;  // false only
  // Threads for the loss and gradient (scikit-learn: classes in 'ovr');
  // results do not depend on it.
  int n_jobs = -1;

  static const ParamSchema<LogisticRegressionOptions>& Schema();
};

class LogisticRegression
    : public EstimatorWithOptions<LogisticRegression,
                                  LogisticRegressionOptions> {
 public:
  explicit LogisticRegression(LogisticRegressionOptions options = {});
  const LogisticRegressionOptions& options() const { return options_; }
  void set_options(const LogisticRegressionOptions& options);

  // n_models x n_features (one row for two classes), n_models.
  const Matrix& coef() const { return coef_; }
  const Vector& intercept() const { return intercept_; }
  // Iterations of each fitted model (scikit-learn's n_iter_: the largest).
  int n_iter() const { return n_iter_; }
  // The objective at the solution (summed over the 'ovr' models).
  double objective() const { return objective_; }

  std::string name() const override { return "LogisticRegression"; }
  EstimatorKind kind() const override { return EstimatorKind::kClassifier; }
  bool supports_sample_weight() const override { return true; }
  absl::Span<const double> classes() const override { return classes_; }
  void Reset() override;
  bool fitted() const override { return fitted_; }
  FittedScalarList FittedScalars() const override;
  // classes, coef and intercept.
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
  absl::StatusOr<Matrix> DoPredictProba(const ConstMatrixRef& x) const override;
  absl::StatusOr<Matrix> DoPredictLogProba(
      const ConstMatrixRef& x) const override;
  absl::StatusOr<double> DoScore(const ConstMatrixRef& x,
                                 absl::Span<const double> y) const override;

 private:
  LogisticRegressionOptions options_;
  std::vector<double> classes_;
  Matrix coef_;
  Vector intercept_;
  bool multinomial_ = false;
  int n_iter_ = 0;
  double objective_ = 0.0;
  bool fitted_ = false;
};

// The objective LogisticRegression minimises, at coefficients `coef` and
// `intercept`, for class codes y in [0, n_classes): binary (one row of
// coef, class 1 positive) or multinomial (one row per class). For tests
// and benchmarks comparing optima.
double LogisticObjective(const ConstMatrixRef& x, absl::Span<const int32_t> y,
                         absl::Span<const double> sample_weight,
                         const Matrix& coef, const Vector& intercept,
                         double l2);

absl::Status RegisterLogisticRegression(EstimatorRegistry& registry);

}  // namespace eclipsera::linear_model

#endif  // ECLIPSERA_LINEAR_MODEL_LOGISTIC_H_
