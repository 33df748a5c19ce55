// Regression metrics: scikit-learn 1.2's sklearn/metrics/_regression.py.
#include "eclipsera/metrics/regression.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/status/status.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/metrics/classification.h"

namespace eclipsera::metrics {
namespace {

double Weight(Values w, size_t i) { return w.empty() ? 1.0 : w[i]; }

// np.average(v, weights=w).
template <class F>
double Average(size_t n, Values w, F value) {
  double s = 0.0, total = 0.0;
  for (size_t i = 0; i < n; ++i) {
    s += Weight(w, i) * value(i);
    total += Weight(w, i);
  }
  return s / total;
}

}  // namespace

absl::StatusOr<double> MeanSquaredError(Values y_true, Values y_pred,
                                        Values sample_weight, bool squared) {
  ECLIPSERA_RETURN_IF_ERROR(
      CheckLabels("mean_squared_error", y_true, y_pred, sample_weight));
  const double mse = Average(y_true.size(), sample_weight, [&](size_t i) {
    const double e = y_true[i] - y_pred[i];
    return e * e;
  });
  return squared ? mse : std::sqrt(mse);
}

absl::StatusOr<double> MeanAbsoluteError(Values y_true, Values y_pred,
                                         Values sample_weight) {
  ECLIPSERA_RETURN_IF_ERROR(
      CheckLabels("mean_absolute_error", y_true, y_pred, sample_weight));
  return Average(y_true.size(), sample_weight,
                 [&](size_t i) { return std::abs(y_true[i] - y_pred[i]); });
}

absl::StatusOr<double> MedianAbsoluteError(Values y_true, Values y_pred,
                                           Values sample_weight) {
  ECLIPSERA_RETURN_IF_ERROR(
      CheckLabels("median_absolute_error", y_true, y_pred, sample_weight));
  std::vector<double> e(y_true.size());
  for (size_t i = 0; i < e.size(); ++i) e[i] = std::abs(y_true[i] - y_pred[i]);
  const size_t m = e.size();
  if (sample_weight.empty()) {
    std::sort(e.begin(), e.end());
    return m % 2 == 1 ? e[m / 2] : (e[m / 2 - 1] + e[m / 2]) / 2.0;
  }
  // _weighted_percentile: weights in the order of the sorted errors (equal
  // errors in any order: the value found is the same), their running sum,
  // and the first index where it reaches half the total (searchsorted
  // 'left'), clipped to the last.
  std::vector<size_t> order(m);
  for (size_t i = 0; i < m; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return e[a] < e[b]; });
  std::vector<double> cdf(m);
  double running = 0.0;
  for (size_t i = 0; i < m; ++i) cdf[i] = running += sample_weight[order[i]];
  double half = 0.5 * cdf[m - 1];
  // percentile 50 of an all-zero weight: scikit-learn's nextafter rule.
  if (half == 0.0) half = std::nextafter(0.0, 1.0);
  const size_t at = static_cast<size_t>(
      std::lower_bound(cdf.begin(), cdf.end(), half) - cdf.begin());
  return e[order[std::min(at, m - 1)]];
}

absl::StatusOr<double> R2Score(Values y_true, Values y_pred,
                               Values sample_weight) {
  ECLIPSERA_RETURN_IF_ERROR(
      CheckLabels("r2_score", y_true, y_pred, sample_weight));
  const size_t n = y_true.size();
  if (n < 2) {
    return absl::InvalidArgumentError(
        "r2_score: R^2 score is not well-defined with less than two samples "
        "(scikit-learn returns nan)");
  }
  const double mean =
      Average(n, sample_weight, [&](size_t i) { return y_true[i]; });
  double numerator = 0.0, denominator = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double w = Weight(sample_weight, i);
    numerator += w * (y_true[i] - y_pred[i]) * (y_true[i] - y_pred[i]);
    denominator += w * (y_true[i] - mean) * (y_true[i] - mean);
  }
  if (denominator == 0.0) return numerator == 0.0 ? 1.0 : 0.0;
  return 1.0 - numerator / denominator;
}

absl::StatusOr<double> ExplainedVarianceScore(Values y_true, Values y_pred,
                                              Values sample_weight) {
  ECLIPSERA_RETURN_IF_ERROR(
      CheckLabels("explained_variance_score", y_true, y_pred, sample_weight));
  const size_t n = y_true.size();
  const double diff_mean = Average(
      n, sample_weight, [&](size_t i) { return y_true[i] - y_pred[i]; });
  const double numerator = Average(n, sample_weight, [&](size_t i) {
    const double e = y_true[i] - y_pred[i] - diff_mean;
    return e * e;
  });
  const double mean =
      Average(n, sample_weight, [&](size_t i) { return y_true[i]; });
  const double denominator = Average(n, sample_weight, [&](size_t i) {
    return (y_true[i] - mean) * (y_true[i] - mean);
  });
  if (denominator == 0.0) return numerator == 0.0 ? 1.0 : 0.0;
  return 1.0 - numerator / denominator;
}

absl::StatusOr<double> MaxError(Values y_true, Values y_pred) {
  ECLIPSERA_RETURN_IF_ERROR(CheckLabels("max_error", y_true, y_pred, {}));
  double m = 0.0;
  for (size_t i = 0; i < y_true.size(); ++i) {
    m = std::max(m, std::abs(y_true[i] - y_pred[i]));
  }
  return m;
}

}  // namespace eclipsera::metrics
