// What every supervised estimator of eclipsera/linear_model (and the
// supervised neighbors) shares: checking y, encoding class labels as
// scikit-learn's LabelEncoder does, class weights, and the default scores.
#ifndef ECLIPSERA_LINEAR_MODEL_SUPERVISED_H_
#define ECLIPSERA_LINEAR_MODEL_SUPERVISED_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::linear_model {

// y present (one finite value per sample of x): InvalidArgument naming the
// estimator otherwise ("LinearRegression::Fit needs y (the target), ...").
absl::Status CheckTarget(absl::string_view context, const ConstMatrixRef& x,
                         absl::Span<const double> y);

// Class labels: sorted distinct values of y (any finite numbers) and each
// sample's index into them. At least two classes, or InvalidArgument.
struct ClassLabels {
  std::vector<double> classes;
  std::vector<int32_t> codes;
};
absl::StatusOr<ClassLabels> EncodeClasses(absl::string_view context,
                                          absl::Span<const double> y);

// Per-sample weights from class_weight ('none' -> empty... see below) times
// sample_weight: 'balanced' weighs class c by n / (n_classes * count_c).
// Returns an empty vector when both are absent (unit weights).
absl::StatusOr<std::vector<double>> ClassSampleWeights(
    absl::string_view context, const std::string& class_weight,
    const ClassLabels& labels, absl::Span<const double> sample_weight);

// Non-negative finite weights with a positive sum (empty is fine).
absl::Status CheckWeights(absl::string_view context,
                          absl::Span<const double> w);

}  // namespace eclipsera::linear_model

#endif  // ECLIPSERA_LINEAR_MODEL_SUPERVISED_H_
