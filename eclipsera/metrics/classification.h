// Classification metrics as scikit-learn 1.2's sklearn.metrics: labels are
// any finite numbers (doubles, as Estimator::Predict returns them), classes
// are the sorted distinct labels. Every function checks its input (equal
// non-zero lengths, finite values, non-negative sample weights) and returns
// a clear InvalidArgument otherwise.
#ifndef ECLIPSERA_METRICS_CLASSIFICATION_H_
#define ECLIPSERA_METRICS_CLASSIFICATION_H_

#include <limits>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::metrics {

using Labels = absl::Span<const double>;

// Labels encoded as indices into their sorted distinct values.
struct EncodedLabels {
  std::vector<double> classes;  // sorted, distinct
  std::vector<int32_t> codes;   // classes[codes[i]] == labels[i]
};
// Encodes `labels` against `classes` (sorted, distinct); labels missing
// from `classes` get -1.
std::vector<int32_t> EncodeAgainst(Labels labels,
                                   const std::vector<double>& classes);
// The sorted distinct values of one or two label vectors.
std::vector<double> UniqueLabels(Labels a, Labels b = {});

// Fraction (weighted) of exact matches.
absl::StatusOr<double> AccuracyScore(Labels y_true, Labels y_pred,
                                     Labels sample_weight = {});

// Mean per-class recall over the classes present in y_true.
absl::StatusOr<double> BalancedAccuracyScore(Labels y_true, Labels y_pred,
                                             Labels sample_weight = {},
                                             bool adjusted = false);

// C[i][j]: (weighted) number of samples of class i predicted as class j,
// classes = UniqueLabels(y_true, y_pred) (or `labels` when given).
absl::StatusOr<Matrix> ConfusionMatrix(Labels y_true, Labels y_pred,
                                       Labels labels = {},
                                       Labels sample_weight = {});

struct PrfOptions {
  // 'binary' (pos_label only), 'micro', 'macro' or 'weighted'.
  std::string average = "binary";
  double pos_label = 1.0;
  // The value of an ill-defined ratio (no predicted or no true sample of a
  // class): scikit-learn's zero_division, "warn" (0, and a warning there),
  // "0" or "1".
  std::string zero_division = "warn";
  double beta = 1.0;
};

struct PrfScores {
  double precision;
  double recall;
  double f_score;
};

// precision_recall_fscore_support with an average.
absl::StatusOr<PrfScores> PrecisionRecallFScore(Labels y_true, Labels y_pred,
                                                const PrfOptions& options = {},
                                                Labels sample_weight = {});
absl::StatusOr<double> PrecisionScore(Labels y_true, Labels y_pred,
                                      const PrfOptions& options = {},
                                      Labels sample_weight = {});
absl::StatusOr<double> RecallScore(Labels y_true, Labels y_pred,
                                   const PrfOptions& options = {},
                                   Labels sample_weight = {});
absl::StatusOr<double> F1Score(Labels y_true, Labels y_pred,
                               const PrfOptions& options = {},
                               Labels sample_weight = {});

absl::StatusOr<double> MatthewsCorrcoef(Labels y_true, Labels y_pred,
                                        Labels sample_weight = {});

// Cross-entropy of probabilities `y_prob` (n x n_classes, columns in the
// order of the sorted classes of y_true, or of `labels` when given; one
// column means the probability of the larger class of a binary problem).
// Probabilities are clipped to [eps, 1 - eps] and each row renormalised,
// as scikit-learn 1.2 does; its default eps='auto' is the machine epsilon
// (2.2e-16). `normalize`: mean (true) or sum.
absl::StatusOr<double> LogLoss(
    Labels y_true, const ConstMatrixRef& y_prob, Labels labels = {},
    Labels sample_weight = {},
    double eps = std::numeric_limits<double>::epsilon(), bool normalize = true);

struct RocAucOptions {
  // For a multi-class y_true: 'ovr' or 'ovo' (scikit-learn's 'raise' is the
  // error returned when neither is given).
  std::string multi_class = "raise";
  std::string average = "macro";  // 'macro' or 'weighted'
};

// Area under the ROC curve. Binary y_true: `y_score` has one column (the
// score of the larger class) or two (probabilities; the second is used).
// Multi-class: y_score holds probabilities, one column per sorted class,
// rows summing to 1. sample_weight is refused with 'ovo', as scikit-learn.
absl::StatusOr<double> RocAucScore(Labels y_true, const ConstMatrixRef& y_score,
                                   const RocAucOptions& options = {},
                                   Labels sample_weight = {});

// Shared input checks: equal non-zero lengths, finite values, weights
// empty or non-negative with a positive sum.
absl::Status CheckLabels(absl::string_view context, Labels y_true,
                         Labels y_pred, Labels sample_weight);

}  // namespace eclipsera::metrics

#endif  // ECLIPSERA_METRICS_CLASSIFICATION_H_
