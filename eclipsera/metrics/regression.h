// Regression metrics as scikit-learn 1.2's sklearn.metrics (one output).
#ifndef ECLIPSERA_METRICS_REGRESSION_H_
#define ECLIPSERA_METRICS_REGRESSION_H_

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace eclipsera::metrics {

using Values = absl::Span<const double>;

absl::StatusOr<double> MeanSquaredError(Values y_true, Values y_pred,
                                        Values sample_weight = {},
                                        bool squared = true);
absl::StatusOr<double> MeanAbsoluteError(Values y_true, Values y_pred,
                                         Values sample_weight = {});
// Unweighted: the median (the mean of the middle two for an even count).
// Weighted: scikit-learn 1.2's _weighted_percentile(|e|, w, 50), no
// interpolation: the smallest error whose cumulative weight (errors sorted)
// reaches half the total.
absl::StatusOr<double> MedianAbsoluteError(Values y_true, Values y_pred,
                                           Values sample_weight = {});
// Coefficient of determination; 1 for a perfect fit of constant y_true, 0
// for an imperfect one (scikit-learn's force_finite=True).
absl::StatusOr<double> R2Score(Values y_true, Values y_pred,
                               Values sample_weight = {});
absl::StatusOr<double> ExplainedVarianceScore(Values y_true, Values y_pred,
                                              Values sample_weight = {});
absl::StatusOr<double> MaxError(Values y_true, Values y_pred);

}  // namespace eclipsera::metrics

#endif  // ECLIPSERA_METRICS_REGRESSION_H_
