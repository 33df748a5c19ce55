// SimpleImputer: scikit-learn 1.2's sklearn/impute/_base.py (dense input,
// missing_values=np.nan).
#include "eclipsera/preprocessing/simple_imputer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"

namespace eclipsera::preprocessing {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The smallest of the most frequent values of ascending `v` (scipy's mode);
// NaN when empty.
double MostFrequent(const std::vector<double>& v) {
  double best = kNaN;
  size_t best_count = 0;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j < v.size() && v[j] == v[i]) ++j;
    if (j - i > best_count) {
      best_count = j - i;
      best = v[i];
    }
    i = j;
  }
  return best;
}

}  // namespace

absl::Status CheckDataWithMissing(absl::string_view context,
                                  const ConstMatrixRef& x) {
  ECLIPSERA_RETURN_IF_ERROR(CheckNonEmpty(context, "X", x));
  for (Index i = 0; i < x.rows(); ++i) {
    for (Index j = 0; j < x.cols(); ++j) {
      if (std::isinf(x(i, j))) {
        return absl::InvalidArgumentError(absl::StrCat(
            context, ": X has an infinite value (", x(i, j), ") at row ", i,
            ", column ", j,
            "; only NaN marks a missing value, every other value must be "
            "finite"));
      }
    }
  }
  return CheckMagnitude(context, "X", x);
}

const ParamSchema<SimpleImputerOptions>& SimpleImputerOptions::Schema() {
  using O = SimpleImputerOptions;
  static const auto* schema = [] {
    auto* s = new ParamSchema<O>("SimpleImputer");
    s->String("strategy", &O::strategy,
              "'mean', 'median', 'most_frequent' or 'constant' (fill_value)",
              {"mean", "median", "most_frequent", "constant"})
        .OptionalDouble("fill_value", &O::fill_value,
                        "the value of strategy 'constant'; None means 0")
        .Bool("copy", &O::copy,
              "accepted for scikit-learn compatibility; Transform never "
              "modifies its input")
        .Bool("add_indicator", &O::add_indicator,
              "append a 0/1 column per feature that had missing values in "
              "Fit")
        .Bool("keep_empty_features", &O::keep_empty_features,
              "keep features with no observed value (imputed with 0) "
              "instead of dropping them");
    return s;
  }();
  return *schema;
}

SimpleImputer::SimpleImputer(SimpleImputerOptions options)
    : options_(options) {}

void SimpleImputer::set_options(const SimpleImputerOptions& options) {
  options_ = options;
  Reset();
}

void SimpleImputer::Reset() {
  fitted_ = false;
  n_features_ = 0;
  statistics_.resize(0);
  kept_.clear();
  indicator_features_.clear();
}

absl::Status SimpleImputer::DoFit(const ConstMatrixRef& x,
                                  absl::Span<const double> y,
                                  const FitArgs& args) {
  constexpr char kContext[] = "SimpleImputer::Fit";
  Reset();
  const SimpleImputerOptions& o = options_;
  static constexpr absl::string_view kStrategies[] = {
      "mean", "median", "most_frequent", "constant"};
  ECLIPSERA_RETURN_IF_ERROR(
      CheckOneOf(kContext, "strategy", o.strategy, kStrategies));
  const double fill = o.fill_value.value_or(0.0);
  if (!std::isfinite(fill) || std::abs(fill) > MaxMagnitude(1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": fill_value = ", fill,
        "; must be finite with magnitude at most ", MaxMagnitude(1)));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckDataWithMissing(kContext, x));
  const Index n = x.rows(), d = x.cols();
  statistics_.resize(d);
  std::vector<double> column;
  column.reserve(n);
  std::vector<Index> empty;
  for (Index j = 0; j < d; ++j) {
    column.clear();
    double sum = 0.0;
    for (Index i = 0; i < n; ++i) {
      const double v = x(i, j);
      if (std::isnan(v)) continue;
      column.push_back(v);
      sum += v;
    }
    if (column.size() < static_cast<size_t>(n)) {
      indicator_features_.push_back(j);
    }
    double stat = kNaN;
    if (o.strategy == "constant") {
      stat = fill;
    } else if (!column.empty()) {
      const size_t m = column.size();
      if (o.strategy == "mean") {
        stat = sum / static_cast<double>(m);
      } else {
        std::sort(column.begin(), column.end());
        stat = o.strategy == "most_frequent" ? MostFrequent(column)
               : m % 2 == 1                  ? column[m / 2]
                            : (column[m / 2 - 1] + column[m / 2]) / 2.0;
      }
    } else if (o.keep_empty_features) {
      stat = 0.0;
    }
    statistics_(j) = stat;
    if (std::isnan(stat)) {
      empty.push_back(j);
    } else {
      kept_.push_back(j);
    }
  }
  if (kept_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext,
        ": every feature of X is missing in every sample; nothing "
        "to impute with strategy '",
        o.strategy, "' (use 'constant' or keep_empty_features=true)"));
  }
  if (!empty.empty()) {
    AddWarning(absl::StrCat(
        "Skipping features without any observed values: [",
        absl::StrJoin(empty, ", "),
        "]. At least one non-missing value is needed for imputation with "
        "strategy='",
        o.strategy, "'."));
  }
  if (!o.add_indicator) indicator_features_.clear();
  n_features_ = d;
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status SimpleImputer::DoTransformInto(const ConstMatrixRef& x,
                                            MatrixRef out) const {
  constexpr char kContext[] = "SimpleImputer::Transform";
  ECLIPSERA_RETURN_IF_ERROR(CheckDataWithMissing(kContext, x));
  ECLIPSERA_RETURN_IF_ERROR(CheckColumns(kContext, "X", x, n_features_));
  const Index kept = static_cast<Index>(kept_.size());
  for (Index i = 0; i < x.rows(); ++i) {
    for (Index c = 0; c < kept; ++c) {
      const double v = x(i, kept_[c]);
      out(i, c) = std::isnan(v) ? statistics_(kept_[c]) : v;
    }
    for (size_t c = 0; c < indicator_features_.size(); ++c) {
      out(i, kept + static_cast<Index>(c)) =
          std::isnan(x(i, indicator_features_[c])) ? 1.0 : 0.0;
    }
  }
  return absl::OkStatus();
}

namespace {

Matrix IndexColumn(const std::vector<Index>& v) {
  Matrix m(static_cast<Index>(v.size()), 1);
  for (size_t i = 0; i < v.size(); ++i) m(i, 0) = static_cast<double>(v[i]);
  return m;
}

// Feature indices in [0, d), increasing, from a restored column.
absl::Status IndexList(const Matrix& m, Index d, const char* name,
                       std::vector<Index>* out) {
  out->clear();
  for (Index i = 0; i < m.size(); ++i) {
    const double v = m.data()[i];
    if (!(v >= 0 && v < d) || v != std::floor(v) ||
        (i > 0 && !(v > m.data()[i - 1]))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "SimpleImputer::RestoreFitted: ", name,
          " must hold increasing feature indices in [0, ", d, ")"));
    }
    out->push_back(static_cast<Index>(v));
  }
  return absl::OkStatus();
}

}  // namespace

FittedArrayList SimpleImputer::FittedArrays() const {
  if (!fitted_) return {};
  return {{"statistics", statistics_, true},
          {"_kept", IndexColumn(kept_), true},
          {"_indicator_features", IndexColumn(indicator_features_), true}};
}

absl::Status SimpleImputer::RestoreFitted(const FittedArrayList& arrays,
                                          absl::Span<const FittedScalar>) {
  Reset();
  ECLIPSERA_ASSIGN_OR_RETURN(
      const Matrix* stats,
      FindFittedArray(arrays, "statistics", -1, 1, /*allow_nan=*/true));
  const Index d = stats->rows();
  ECLIPSERA_ASSIGN_OR_RETURN(const Matrix* kept,
                             FindFittedArray(arrays, "_kept", -1, -1));
  ECLIPSERA_ASSIGN_OR_RETURN(
      const Matrix* indicator,
      FindFittedArray(arrays, "_indicator_features", -1, -1));
  ECLIPSERA_RETURN_IF_ERROR(IndexList(*kept, d, "_kept", &kept_));
  ECLIPSERA_RETURN_IF_ERROR(
      IndexList(*indicator, d, "_indicator_features", &indicator_features_));
  for (Index j : kept_) {
    if (std::isnan((*stats)(j, 0))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "SimpleImputer::RestoreFitted: the statistic of kept feature ", j,
          " is NaN"));
    }
  }
  if (kept_.empty() || d == 0) {
    return absl::InvalidArgumentError(
        "SimpleImputer::RestoreFitted: no features kept");
  }
  statistics_ = stats->col(0);
  n_features_ = d;
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status RegisterSimpleImputer(EstimatorRegistry& registry) {
  return registry.Register(
      {"SimpleImputer",
       "fill missing values (NaN) with a per-feature statistic, "
       "scikit-learn's SimpleImputer",
       MainOutput::kTransform,
       [] { return std::make_unique<SimpleImputer>(); }});
}

}  // namespace eclipsera::preprocessing
