#include "eclipsera/core/supervised.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "eclipsera/core/status_macros.h"

namespace eclipsera {

absl::Status CheckTarget(absl::string_view context, const ConstMatrixRef& x,
                         absl::Span<const double> y) {
  if (y.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        context, " needs y (the target, one value per sample); got none"));
  }
  if (static_cast<Index>(y.size()) != x.rows()) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": X has ", x.rows(), " samples but y has ",
                     y.size(), "; they must have the same length"));
  }
  for (size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      return absl::InvalidArgumentError(absl::StrCat(
          context, ": y[", i, "] = ", y[i], "; every target must be finite"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ClassLabels> EncodeClasses(absl::string_view context,
                                          absl::Span<const double> y) {
  ClassLabels l;
  l.classes.assign(y.begin(), y.end());
  std::sort(l.classes.begin(), l.classes.end());
  l.classes.erase(std::unique(l.classes.begin(), l.classes.end()),
                  l.classes.end());
  if (l.classes.size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        context,
        ": a classifier needs samples of at least 2 classes in y, but y "
        "contains only one class: ",
        l.classes.empty() ? 0.0 : l.classes[0]));
  }
  l.codes.resize(y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    l.codes[i] = static_cast<int32_t>(
        std::lower_bound(l.classes.begin(), l.classes.end(), y[i]) -
        l.classes.begin());
  }
  return l;
}

ParamValue ClassWeightValue(const std::string& class_weight) {
  return class_weight == "none" ? ParamValue() : ParamValue(class_weight);
}

absl::Status SetClassWeight(const ParamValue& v, std::string* class_weight) {
  if (std::holds_alternative<std::monostate>(v)) {
    *class_weight = "none";
    return absl::OkStatus();
  }
  ECLIPSERA_ASSIGN_OR_RETURN(std::string s, ParamAsString("class_weight", v));
  if (s != "balanced") {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown class_weight '", s, "'; allowed: None, 'balanced'"));
  }
  *class_weight = s;
  return absl::OkStatus();
}

absl::Status CheckWeights(absl::string_view context,
                          absl::Span<const double> w) {
  if (w.empty()) return absl::OkStatus();
  double sum = 0.0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (!std::isfinite(w[i]) || w[i] < 0.0) {
      return absl::InvalidArgumentError(
          absl::StrCat(context, ": sample_weight[", i, "] = ", w[i],
                       "; weights must be finite and non-negative"));
    }
    sum += w[i];
  }
  if (!(sum > 0.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": sample_weight sums to 0"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<double>> ClassSampleWeights(
    absl::string_view context, const std::string& class_weight,
    const ClassLabels& labels, absl::Span<const double> sample_weight) {
  ECLIPSERA_RETURN_IF_ERROR(CheckWeights(context, sample_weight));
  std::vector<double> w(sample_weight.begin(), sample_weight.end());
  if (class_weight == "none") return w;
  if (class_weight != "balanced") {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": unknown class_weight '", class_weight,
                     "'; allowed: None, 'balanced'"));
  }
  const size_t n = labels.codes.size(), k = labels.classes.size();
  std::vector<double> count(k, 0.0);
  for (int32_t c : labels.codes) count[c] += 1.0;
  if (w.empty()) w.assign(n, 1.0);
  for (size_t i = 0; i < n; ++i) {
    w[i] *= static_cast<double>(n) /
            (static_cast<double>(k) * count[labels.codes[i]]);
  }
  return w;
}

}  // namespace eclipsera
