// What supervised estimators (eclipsera/linear_model, the k-NN
// classifier and regressor) share: checking y, encoding class labels as
// scikit-learn's LabelEncoder does, and class weights.
#ifndef ECLIPSERA_CORE_SUPERVISED_H_
#define ECLIPSERA_CORE_SUPERVISED_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"

namespace eclipsera {

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

// Per-sample weights: sample_weight times the class weight, where
// class_weight is "none" (1) or "balanced" (class c weighs
// n / (n_classes * count_c)). Empty when both are absent (unit weights).
absl::StatusOr<std::vector<double>> ClassSampleWeights(
    absl::string_view context, const std::string& class_weight,
    const ClassLabels& labels, absl::Span<const double> sample_weight);

// The class_weight parameter of classifiers: None or 'balanced', kept in
// `field` as "none" or "balanced" (what ClassSampleWeights takes).
ParamValue ClassWeightValue(const std::string& class_weight);
absl::Status SetClassWeight(const ParamValue& v, std::string* class_weight);
template <class Options>
void AddClassWeightParam(ParamSchema<Options>& schema,
                         std::string Options::*field) {
  schema.Add(
      "class_weight",
      "None (every class weighs 1) or 'balanced' (n_samples / (n_classes * "
      "class count))",
      [field](const Options& o) { return ClassWeightValue(o.*field); },
      [field](Options& o, const ParamValue& v) {
        return SetClassWeight(v, &(o.*field));
      });
}

// Non-negative finite weights with a positive sum (empty is fine).
absl::Status CheckWeights(absl::string_view context,
                          absl::Span<const double> w);

}  // namespace eclipsera

#endif  // ECLIPSERA_CORE_SUPERVISED_H_
