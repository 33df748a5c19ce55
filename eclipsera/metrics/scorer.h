// Scorers by scikit-learn 1.2's names (`scoring=` in model selection):
// "accuracy", "f1_macro", "roc_auc", "neg_log_loss", "r2",
// "adjusted_rand_score", ... Greater is better: error and loss metrics are
// negated ("neg_mean_squared_error", and "max_error" as scikit-learn does).
#ifndef ECLIPSERA_METRICS_SCORER_H_
#define ECLIPSERA_METRICS_SCORER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::metrics {

// What a scorer calls on the fitted estimator.
enum class ScorerInput {
  kPredict,    // labels or values from Predict
  kProba,      // PredictProba (classifiers)
  kThreshold,  // DecisionFunction, else PredictProba (classifiers)
};

struct ScorerInfo {
  std::string name;
  ScorerInput input;
  double sign;  // +1, or -1 for losses (greater is better)
};

// Every scorer, in scikit-learn's get_scorer_names() order where it exists
// here.
const std::vector<ScorerInfo>& Scorers();

// The scorer's entry; InvalidArgument listing the valid names otherwise.
absl::StatusOr<ScorerInfo> FindScorer(absl::string_view name);

// scorer(estimator, X, y): runs what the scorer needs on the fitted
// estimator and returns the signed metric. FailedPrecondition for an
// unfitted estimator; InvalidArgument when the estimator lacks the method
// the scorer needs (e.g. "neg_log_loss" on a regressor), naming it.
absl::StatusOr<double> Score(absl::string_view scorer, const Estimator& est,
                             const ConstMatrixRef& x,
                             absl::Span<const double> y);

// The metric of a scorer applied to outputs already computed: `pred` holds
// labels/values (one column) for kPredict scorers, probabilities or
// decision scores for the others; `classes` are the columns' classes
// (sorted) for kProba/kThreshold scorers. The sign is applied.
// sample_weight is refused by the metrics scikit-learn computes without
// (clustering metrics, max_error).
absl::StatusOr<double> ScoreOutputs(
    const ScorerInfo& scorer, absl::Span<const double> y,
    const ConstMatrixRef& pred, absl::Span<const double> sample_weight = {});

}  // namespace eclipsera::metrics

#endif  // ECLIPSERA_METRICS_SCORER_H_
