// The scalers: scikit-learn 1.2's sklearn/preprocessing/_data.py.
#include "eclipsera/preprocessing/scalers.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/preprocessing/common.h"

namespace eclipsera::preprocessing {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

}  // namespace

// ----------------------------------------------------------------------------
// StandardScaler

const ParamSchema<StandardScalerOptions>& StandardScalerOptions::Schema() {
  static const auto* schema = [] {
    auto* s = new ParamSchema<StandardScalerOptions>("StandardScaler");
    s->Bool("copy", &StandardScalerOptions::copy,
            "accepted for scikit-learn compatibility; Transform never "
            "modifies its input")
        .Bool("with_mean", &StandardScalerOptions::with_mean,
              "centre each feature on its mean")
        .Bool("with_std", &StandardScalerOptions::with_std,
              "scale each feature to unit variance");
    return s;
  }();
  return *schema;
}

StandardScaler::StandardScaler(StandardScalerOptions options)
    : options_(options) {}

void StandardScaler::set_options(const StandardScalerOptions& options) {
  options_ = options;
  Reset();
}

void StandardScaler::Reset() {
  fitted_ = false;
  n_samples_seen_ = 0.0;
  n_features_ = 0;
  mean_.resize(0);
  var_.resize(0);
  scale_.resize(0);
  running_mean_.resize(0);
  running_var_.resize(0);
}

absl::Status StandardScaler::DoFit(const ConstMatrixRef& x,
                                   absl::Span<const double> y,
                                   const FitArgs& args) {
  Reset();
  return Update("StandardScaler::Fit", x, args.sample_weight);
}

absl::Status StandardScaler::PartialFit(const ConstMatrixRef& x,
                                        absl::Span<const double> w) {
  constexpr char kContext[] = "StandardScaler::PartialFit";
  if (!w.empty()) {
    ECLIPSERA_RETURN_IF_ERROR(CheckLength(
        kContext, "sample_weight", static_cast<Index>(w.size()), x.rows()));
  }
  return Update(kContext, x, w);
}

// scikit-learn's _incremental_mean_and_var: the batch's mean and corrected
// two-pass variance, merged with the running ones by Chan et al.'s update.
absl::Status StandardScaler::Update(const char* context,
                                    const ConstMatrixRef& x,
                                    absl::Span<const double> w) {
  ECLIPSERA_RETURN_IF_ERROR(CheckNonEmpty(context, "X", x));
  if (fitted_) {
    ECLIPSERA_RETURN_IF_ERROR(CheckColumns(context, "X", x, n_features_));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckSampleWeight(context, w));
  const RowChecker rows(context, x);
  const Index n = x.rows(), d = x.cols();
  const bool weighted = !w.empty();
  double new_count = weighted ? 0.0 : static_cast<double>(n);
  Vector new_sum = Vector::Zero(d);
  for (Index i = 0; i < n; ++i) {
    ECLIPSERA_RETURN_IF_ERROR(rows.Check(i));
    const double wi = weighted ? w[i] : 1.0;
    if (weighted) new_count += wi;
    const double* row = x.row(i).data();
    double* sum = new_sum.data();
    for (Index j = 0; j < d; ++j) sum[j] += wi * row[j];
  }
  const bool have_last = fitted_ && n_samples_seen_ > 0.0;
  const double last_count = have_last ? n_samples_seen_ : 0.0;
  const double updated_count = last_count + new_count;
  // Computed into locals and committed only when finite: a failed batch
  // leaves the running statistics as they were.
  Vector running_mean = running_mean_, running_var = running_var_;
  if (options_.with_mean || options_.with_std) {
    Vector last_sum = have_last ? Vector(running_mean_ * last_count)
                                : Vector(Vector::Zero(d));
    Vector updated_mean = (last_sum + new_sum) / updated_count;
    if (options_.with_std) {
      const Vector t = new_sum / new_count;
      Vector correction = Vector::Zero(d);
      Vector unnormalized = Vector::Zero(d);
      for (Index i = 0; i < n; ++i) {
        const double wi = weighted ? w[i] : 1.0;
        const double* row = x.row(i).data();
        double* c = correction.data();
        double* u = unnormalized.data();
        for (Index j = 0; j < d; ++j) {
          const double diff = row[j] - t[j];
          c[j] += wi * diff;
          u[j] += wi * diff * diff;
        }
      }
      unnormalized.array() -= correction.array().square() / new_count;
      if (have_last) {
        const double last_over_new = last_count / new_count;
        const Vector last_unnormalized = running_var_ * last_count;
        unnormalized =
            last_unnormalized + unnormalized +
            Vector(
                (last_over_new / updated_count) *
                (last_sum / last_over_new - new_sum).array().square().matrix());
      }
      running_var = unnormalized / updated_count;
    }
    running_mean = std::move(updated_mean);
  }
  if (!std::isfinite(updated_count) || !running_mean.allFinite() ||
      (options_.with_std && !running_var.allFinite())) {
    return absl::InvalidArgumentError(absl::StrCat(
        context,
        ": the weighted sums of X overflow double precision (sample_weight "
        "times X is too large); rescale X or the weights"));
  }
  running_mean_ = std::move(running_mean);
  running_var_ = std::move(running_var);
  n_samples_seen_ = updated_count;
  n_features_ = d;
  mean_.resize(0);
  var_.resize(0);
  scale_.resize(0);
  if (options_.with_mean || options_.with_std) mean_ = running_mean_;
  if (options_.with_std) {
    var_ = running_var_;
    scale_ = var_.array().sqrt();
    // _is_constant_feature: a variance within rounding of zero.
    for (Index j = 0; j < d; ++j) {
      const double upper = n_samples_seen_ * kEps * var_(j) +
                           std::pow(n_samples_seen_ * mean_(j) * kEps, 2);
      if (var_(j) <= upper) scale_(j) = 1.0;
    }
  }
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status StandardScaler::DoTransformInto(const ConstMatrixRef& x,
                                             MatrixRef out) const {
  constexpr char kContext[] = "StandardScaler::Transform";
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformShape(kContext, x, n_features_));
  const RowChecker rows(kContext, x);
  const bool center = options_.with_mean, scale = options_.with_std;
  for (Index i = 0; i < x.rows(); ++i) {
    ECLIPSERA_RETURN_IF_ERROR(rows.Check(i));
    auto row = out.row(i).array();
    row = x.row(i).array();
    if (center) row -= mean_.transpose().array();
    if (scale) row /= scale_.transpose().array();
    ECLIPSERA_RETURN_IF_ERROR(CheckRowFinite(kContext, out, i));
  }
  return absl::OkStatus();
}

absl::StatusOr<Matrix> StandardScaler::DoInverseTransform(
    const ConstMatrixRef& x) const {
  constexpr char kContext[] = "StandardScaler::InverseTransform";
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformInput(kContext, x, n_features_));
  Matrix out = x;
  if (options_.with_std) out.array().rowwise() *= scale_.transpose().array();
  if (options_.with_mean) out.rowwise() += mean_.transpose();
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformedFinite(kContext, out));
  return out;
}

FittedScalarList StandardScaler::FittedScalars() const {
  return {{"n_samples_seen", n_samples_seen_}};
}

FittedArrayList StandardScaler::FittedArrays() const {
  if (!fitted_) return {};
  return {{"mean", mean_, true},
          {"var", var_, true},
          {"scale", scale_, true},
          {"_running_mean", running_mean_, true},
          {"_running_var", running_var_, true},
          // Running statistics are empty without with_mean and with_std.
          {"_n_features",
           Matrix::Constant(1, 1, static_cast<double>(n_features_)), false}};
}

absl::Status StandardScaler::RestoreFitted(
    const FittedArrayList& arrays, absl::Span<const FittedScalar> scalars) {
  Reset();
  ECLIPSERA_ASSIGN_OR_RETURN(const Matrix* width,
                             FindFittedArray(arrays, "_n_features", 1, 1));
  const Index d = static_cast<Index>((*width)(0, 0));
  if (d < 1 || (*width)(0, 0) != static_cast<double>(d)) {
    return absl::InvalidArgumentError(
        "StandardScaler::RestoreFitted: _n_features is not a positive "
        "integer");
  }
  ECLIPSERA_ASSIGN_OR_RETURN(const Matrix* running_mean,
                             FindFittedArray(arrays, "_running_mean", -1, -1));
  const bool has_mean = options_.with_mean || options_.with_std;
  const Index std_rows = options_.with_std ? d : 0;
  ECLIPSERA_ASSIGN_OR_RETURN(const Matrix* running_var,
                             FindFittedArray(arrays, "_running_var", -1, -1));
  ECLIPSERA_ASSIGN_OR_RETURN(
      const Matrix* mean,
      FindFittedArray(arrays, "mean", has_mean ? d : 0, -1));
  ECLIPSERA_ASSIGN_OR_RETURN(const Matrix* var,
                             FindFittedArray(arrays, "var", std_rows, -1));
  ECLIPSERA_ASSIGN_OR_RETURN(const Matrix* scale,
                             FindFittedArray(arrays, "scale", std_rows, -1));
  ECLIPSERA_ASSIGN_OR_RETURN(const double seen,
                             FindFittedScalar(scalars, "n_samples_seen"));
  if (!(seen > 0.0)) {
    return absl::InvalidArgumentError(
        "StandardScaler::RestoreFitted: no samples seen");
  }
  const auto column = [](const Matrix* m) {
    return m->size() == 0 ? Vector() : Vector(m->col(0));
  };
  running_mean_ = column(running_mean);
  running_var_ = column(running_var);
  mean_ = column(mean);
  var_ = column(var);
  scale_ = column(scale);
  n_samples_seen_ = seen;
  n_features_ = d;
  fitted_ = true;
  return absl::OkStatus();
}

// ----------------------------------------------------------------------------
// MinMaxScaler

const ParamSchema<MinMaxScalerOptions>& MinMaxScalerOptions::Schema() {
  static const auto* schema = [] {
    auto* s = new ParamSchema<MinMaxScalerOptions>("MinMaxScaler");
    s->Pair("feature_range", &MinMaxScalerOptions::feature_range,
            "(min, max) of the transformed features, min < max")
        .Bool("copy", &MinMaxScalerOptions::copy,
              "accepted for scikit-learn compatibility; Transform never "
              "modifies its input")
        .Bool("clip", &MinMaxScalerOptions::clip,
              "clip transformed values of new data to feature_range");
    return s;
  }();
  return *schema;
}

MinMaxScaler::MinMaxScaler(MinMaxScalerOptions options) : options_(options) {}

void MinMaxScaler::set_options(const MinMaxScalerOptions& options) {
  options_ = options;
  Reset();
}

void MinMaxScaler::Reset() {
  fitted_ = false;
  n_samples_seen_ = 0.0;
  for (Vector* v : {&data_min_, &data_max_, &data_range_, &scale_, &min_}) {
    v->resize(0);
  }
}

absl::Status MinMaxScaler::DoFit(const ConstMatrixRef& x,
                                 absl::Span<const double> y,
                                 const FitArgs& args) {
  Reset();
  return Update("MinMaxScaler::Fit", x);
}

absl::Status MinMaxScaler::PartialFit(const ConstMatrixRef& x) {
  return Update("MinMaxScaler::PartialFit", x);
}

absl::Status MinMaxScaler::Update(const char* context,
                                  const ConstMatrixRef& x) {
  const auto [low, high] = options_.feature_range;
  const double limit = MaxMagnitude(1);
  if (!(low < high) || !(std::abs(low) <= limit) ||
      !(std::abs(high) <= limit)) {
    return absl::InvalidArgumentError(absl::StrCat(
        context, ": feature_range = (", low, ", ", high,
        "); the minimum of the desired feature range must be smaller than "
        "the maximum, both finite with magnitude at most ",
        limit));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckNonEmpty(context, "X", x));
  if (fitted_) {
    ECLIPSERA_RETURN_IF_ERROR(CheckColumns(context, "X", x, data_min_.size()));
  }
  const RowChecker rows(context, x);
  ECLIPSERA_RETURN_IF_ERROR(rows.Check(0));
  Vector batch_min = x.row(0).transpose();
  Vector batch_max = batch_min;
  for (Index i = 1; i < x.rows(); ++i) {
    ECLIPSERA_RETURN_IF_ERROR(rows.Check(i));
    batch_min = batch_min.cwiseMin(x.row(i).transpose());
    batch_max = batch_max.cwiseMax(x.row(i).transpose());
  }
  if (fitted_) {
    batch_min = batch_min.cwiseMin(data_min_);
    batch_max = batch_max.cwiseMax(data_max_);
  }
  Vector data_range = batch_max - batch_min;
  Vector range = data_range;
  HandleZerosInScale(range);
  Vector scale = (high - low) / range.array();
  Vector min = low - (batch_min.array() * scale.array());
  if (!scale.allFinite() || !min.allFinite()) {
    return absl::InvalidArgumentError(absl::StrCat(
        context, ": mapping X onto feature_range (", low, ", ", high,
        ") overflows double precision; narrow feature_range or rescale X"));
  }
  data_min_ = std::move(batch_min);
  data_max_ = std::move(batch_max);
  data_range_ = std::move(data_range);
  scale_ = std::move(scale);
  min_ = std::move(min);
  n_samples_seen_ += static_cast<double>(x.rows());
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status MinMaxScaler::DoTransformInto(const ConstMatrixRef& x,
                                           MatrixRef out) const {
  constexpr char kContext[] = "MinMaxScaler::Transform";
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformShape(kContext, x, data_min_.size()));
  const RowChecker rows(kContext, x);
  for (Index i = 0; i < x.rows(); ++i) {
    ECLIPSERA_RETURN_IF_ERROR(rows.Check(i));
    auto row = out.row(i).array();
    row = x.row(i).array() * scale_.transpose().array();
    row += min_.transpose().array();
    if (options_.clip) {
      row = row.max(options_.feature_range[0]).min(options_.feature_range[1]);
    }
    ECLIPSERA_RETURN_IF_ERROR(CheckRowFinite(kContext, out, i));
  }
  return absl::OkStatus();
}

absl::StatusOr<Matrix> MinMaxScaler::DoInverseTransform(
    const ConstMatrixRef& x) const {
  constexpr char kContext[] = "MinMaxScaler::InverseTransform";
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformInput(kContext, x, data_min_.size()));
  Matrix out = x;
  out.rowwise() -= min_.transpose();
  out.array().rowwise() /= scale_.transpose().array();
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformedFinite(kContext, out));
  return out;
}

FittedScalarList MinMaxScaler::FittedScalars() const {
  return {{"n_samples_seen", n_samples_seen_}};
}

FittedArrayList MinMaxScaler::FittedArrays() const {
  if (!fitted_) return {};
  return {{"data_min", data_min_, true},
          {"data_max", data_max_, true},
          {"data_range", data_range_, true},
          {"scale", scale_, true},
          {"min", min_, true}};
}

absl::Status MinMaxScaler::RestoreFitted(
    const FittedArrayList& arrays, absl::Span<const FittedScalar> scalars) {
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(RestoreVector(arrays, "data_min", -1, &data_min_));
  const Index d = data_min_.size();
  ECLIPSERA_RETURN_IF_ERROR(RestoreVector(arrays, "data_max", d, &data_max_));
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreVector(arrays, "data_range", d, &data_range_));
  ECLIPSERA_RETURN_IF_ERROR(RestoreVector(arrays, "scale", d, &scale_));
  ECLIPSERA_RETURN_IF_ERROR(RestoreVector(arrays, "min", d, &min_));
  ECLIPSERA_ASSIGN_OR_RETURN(n_samples_seen_,
                             FindFittedScalar(scalars, "n_samples_seen"));
  fitted_ = d > 0;
  return fitted_ ? absl::OkStatus()
                 : absl::InvalidArgumentError(
                       "MinMaxScaler::RestoreFitted: no features");
}

// ----------------------------------------------------------------------------
// MaxAbsScaler

const ParamSchema<MaxAbsScalerOptions>& MaxAbsScalerOptions::Schema() {
  static const auto* schema = [] {
    auto* s = new ParamSchema<MaxAbsScalerOptions>("MaxAbsScaler");
    s->Bool("copy", &MaxAbsScalerOptions::copy,
            "accepted for scikit-learn compatibility; Transform never "
            "modifies its input");
    return s;
  }();
  return *schema;
}

MaxAbsScaler::MaxAbsScaler(MaxAbsScalerOptions options) : options_(options) {}

void MaxAbsScaler::set_options(const MaxAbsScalerOptions& options) {
  options_ = options;
  Reset();
}

void MaxAbsScaler::Reset() {
  fitted_ = false;
  n_samples_seen_ = 0.0;
  max_abs_.resize(0);
  scale_.resize(0);
}

absl::Status MaxAbsScaler::DoFit(const ConstMatrixRef& x,
                                 absl::Span<const double> y,
                                 const FitArgs& args) {
  Reset();
  return Update("MaxAbsScaler::Fit", x);
}

absl::Status MaxAbsScaler::PartialFit(const ConstMatrixRef& x) {
  return Update("MaxAbsScaler::PartialFit", x);
}

absl::Status MaxAbsScaler::Update(const char* context,
                                  const ConstMatrixRef& x) {
  ECLIPSERA_RETURN_IF_ERROR(CheckNonEmpty(context, "X", x));
  if (fitted_) {
    ECLIPSERA_RETURN_IF_ERROR(CheckColumns(context, "X", x, max_abs_.size()));
  }
  const RowChecker rows(context, x);
  Vector batch = Vector::Zero(x.cols());
  for (Index i = 0; i < x.rows(); ++i) {
    ECLIPSERA_RETURN_IF_ERROR(rows.Check(i));
    batch = batch.cwiseMax(x.row(i).cwiseAbs().transpose());
  }
  if (fitted_) batch = batch.cwiseMax(max_abs_);
  max_abs_ = std::move(batch);
  scale_ = max_abs_;
  HandleZerosInScale(scale_);
  n_samples_seen_ += static_cast<double>(x.rows());
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status MaxAbsScaler::DoTransformInto(const ConstMatrixRef& x,
                                           MatrixRef out) const {
  constexpr char kContext[] = "MaxAbsScaler::Transform";
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformShape(kContext, x, scale_.size()));
  const RowChecker rows(kContext, x);
  for (Index i = 0; i < x.rows(); ++i) {
    ECLIPSERA_RETURN_IF_ERROR(rows.Check(i));
    out.row(i).array() = x.row(i).array() / scale_.transpose().array();
    ECLIPSERA_RETURN_IF_ERROR(CheckRowFinite(kContext, out, i));
  }
  return absl::OkStatus();
}

absl::StatusOr<Matrix> MaxAbsScaler::DoInverseTransform(
    const ConstMatrixRef& x) const {
  constexpr char kContext[] = "MaxAbsScaler::InverseTransform";
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformInput(kContext, x, scale_.size()));
  Matrix out = x;
  out.array().rowwise() *= scale_.transpose().array();
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformedFinite(kContext, out));
  return out;
}

FittedScalarList MaxAbsScaler::FittedScalars() const {
  return {{"n_samples_seen", n_samples_seen_}};
}

FittedArrayList MaxAbsScaler::FittedArrays() const {
  if (!fitted_) return {};
  return {{"max_abs", max_abs_, true}, {"scale", scale_, true}};
}

absl::Status MaxAbsScaler::RestoreFitted(
    const FittedArrayList& arrays, absl::Span<const FittedScalar> scalars) {
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(RestoreVector(arrays, "max_abs", -1, &max_abs_));
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreVector(arrays, "scale", max_abs_.size(), &scale_));
  ECLIPSERA_ASSIGN_OR_RETURN(n_samples_seen_,
                             FindFittedScalar(scalars, "n_samples_seen"));
  fitted_ = max_abs_.size() > 0;
  return fitted_ ? absl::OkStatus()
                 : absl::InvalidArgumentError(
                       "MaxAbsScaler::RestoreFitted: no features");
}

// ----------------------------------------------------------------------------
// RobustScaler

namespace {

// numpy's 'linear' percentile method: the virtual index (n - 1) q / 100
// split into its floor and fraction (gamma), clamped to [0, n - 1].
struct PercentilePosition {
  Index below;
  double gamma;
};

PercentilePosition PositionOf(Index n, double q) {
  const double virtual_index = static_cast<double>(n - 1) * (q / 100.0);
  if (virtual_index >= static_cast<double>(n - 1)) return {n - 1, 0.0};
  if (virtual_index < 0.0) return {0, 0.0};
  const double below = std::floor(virtual_index);
  return {static_cast<Index>(below), virtual_index - below};
}

// numpy's _lerp, which interpolates from the nearer end for accuracy.
double Lerp(double a, double b, double gamma) {
  const double diff = b - a;
  return gamma >= 0.5 ? b - diff * (1.0 - gamma) : a + diff * gamma;
}

// Puts the order statistics at `ranks` (any order, duplicates allowed) in
// place, as if `v` were sorted there: nth_element from the largest rank
// down, each on the prefix the previous one left (expected linear time,
// numpy's partition).
void SelectRanks(std::vector<double>& v, std::vector<Index> ranks) {
  std::sort(ranks.begin(), ranks.end());
  auto end = v.end();
  for (auto r = ranks.rbegin(); r != ranks.rend(); ++r) {
    const auto nth = v.begin() + *r;
    if (nth >= end) continue;  // already in place
    std::nth_element(v.begin(), nth, end);
    end = nth;
  }
}

}  // namespace

double Percentile(absl::Span<const double> sorted, double q) {
  const Index n = static_cast<Index>(sorted.size());
  const PercentilePosition p = PositionOf(n, q);
  if (p.below + 1 >= n) return sorted[n - 1];
  return Lerp(sorted[p.below], sorted[p.below + 1], p.gamma);
}

double NormalQuantile(double p) {
  if (!(p > 0.0 && p < 1.0)) {
    if (p == 0.0) return -std::numeric_limits<double>::infinity();
    if (p == 1.0) return std::numeric_limits<double>::infinity();
    return std::numeric_limits<double>::quiet_NaN();
  }
  // Acklam's rational approximation (relative error < 1.2e-9), then one
  // Halley step on erfc, which brings it to full double precision.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  double x;
  if (p < kLow || p > 1.0 - kLow) {
    const double q = std::sqrt(-2.0 * std::log(p < kLow ? p : 1.0 - p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    if (p > 1.0 - kLow) x = -x;
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) *
        q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2.0 * M_PI) * std::exp(x * x / 2.0);
  return x - u / (1.0 + x * u / 2.0);
}

const ParamSchema<RobustScalerOptions>& RobustScalerOptions::Schema() {
  static const auto* schema = [] {
    auto* s = new ParamSchema<RobustScalerOptions>("RobustScaler");
    s->Bool("with_centering", &RobustScalerOptions::with_centering,
            "centre each feature on its median")
        .Bool("with_scaling", &RobustScalerOptions::with_scaling,
              "scale each feature by its quantile range")
        .Pair("quantile_range", &RobustScalerOptions::quantile_range,
              "(q_min, q_max) percentiles of the scale, 0 <= q_min <= q_max "
              "<= 100")
        .Bool("copy", &RobustScalerOptions::copy,
              "accepted for scikit-learn compatibility; Transform never "
              "modifies its input")
        .Bool("unit_variance", &RobustScalerOptions::unit_variance,
              "divide by the normal distribution's quantile range so normal "
              "features get unit variance");
    return s;
  }();
  return *schema;
}

RobustScaler::RobustScaler(RobustScalerOptions options) : options_(options) {}

void RobustScaler::set_options(const RobustScalerOptions& options) {
  options_ = options;
  Reset();
}

void RobustScaler::Reset() {
  fitted_ = false;
  n_features_ = 0;
  center_.resize(0);
  scale_.resize(0);
}

absl::Status RobustScaler::DoFit(const ConstMatrixRef& x,
                                 absl::Span<const double> y,
                                 const FitArgs& args) {
  constexpr char kContext[] = "RobustScaler::Fit";
  Reset();
  const auto [q_min, q_max] = options_.quantile_range;
  if (!(0.0 <= q_min && q_min <= q_max && q_max <= 100.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": invalid quantile_range (", q_min, ", ", q_max,
                     "); must satisfy 0 <= q_min <= q_max <= 100"));
  }
  if (options_.unit_variance && options_.with_scaling &&
      !(0.0 < q_min && q_min < q_max && q_max < 100.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext,
                     ": unit_variance divides by the normal quantile range, "
                     "which is infinite or zero for quantile_range (",
                     q_min, ", ", q_max, "); use 0 < q_min < q_max < 100"));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  const Index n = x.rows(), d = x.cols();
  if (options_.with_centering) center_.resize(d);
  if (options_.with_scaling) scale_.resize(d);
  const PercentilePosition lo = PositionOf(n, q_min), hi = PositionOf(n, q_max);
  const std::vector<Index> ranks = {(n - 1) / 2, n / 2,
                                    lo.below,    std::min(lo.below + 1, n - 1),
                                    hi.below,    std::min(hi.below + 1, n - 1)};
  std::vector<double> column(n);
  for (Index j = 0; j < d; ++j) {
    for (Index i = 0; i < n; ++i) column[i] = x(i, j);
    SelectRanks(column, ranks);
    if (options_.with_centering) {
      center_(j) = n % 2 == 1 ? column[n / 2]
                              : (column[n / 2 - 1] + column[n / 2]) / 2.0;
    }
    if (options_.with_scaling) {
      const double top = Lerp(column[hi.below],
                              column[std::min(hi.below + 1, n - 1)], hi.gamma);
      const double bottom = Lerp(
          column[lo.below], column[std::min(lo.below + 1, n - 1)], lo.gamma);
      scale_(j) = top - bottom;
    }
  }
  if (options_.with_scaling) {
    HandleZerosInScale(scale_);
    if (options_.unit_variance) {
      const double adjust =
          NormalQuantile(q_max / 100.0) - NormalQuantile(q_min / 100.0);
      scale_ /= adjust;
    }
  }
  n_features_ = d;
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status RobustScaler::DoTransformInto(const ConstMatrixRef& x,
                                           MatrixRef out) const {
  constexpr char kContext[] = "RobustScaler::Transform";
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformShape(kContext, x, n_features_));
  const RowChecker rows(kContext, x);
  for (Index i = 0; i < x.rows(); ++i) {
    ECLIPSERA_RETURN_IF_ERROR(rows.Check(i));
    auto row = out.row(i).array();
    row = x.row(i).array();
    if (options_.with_centering) row -= center_.transpose().array();
    if (options_.with_scaling) row /= scale_.transpose().array();
    ECLIPSERA_RETURN_IF_ERROR(CheckRowFinite(kContext, out, i));
  }
  return absl::OkStatus();
}

absl::StatusOr<Matrix> RobustScaler::DoInverseTransform(
    const ConstMatrixRef& x) const {
  constexpr char kContext[] = "RobustScaler::InverseTransform";
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformInput(kContext, x, n_features_));
  Matrix out = x;
  if (options_.with_scaling) {
    out.array().rowwise() *= scale_.transpose().array();
  }
  if (options_.with_centering) out.rowwise() += center_.transpose();
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformedFinite(kContext, out));
  return out;
}

FittedArrayList RobustScaler::FittedArrays() const {
  if (!fitted_) return {};
  return {{"center", center_, true},
          {"scale", scale_, true},
          {"_n_features",
           Matrix::Constant(1, 1, static_cast<double>(n_features_)), false}};
}

absl::Status RobustScaler::RestoreFitted(const FittedArrayList& arrays,
                                         absl::Span<const FittedScalar>) {
  Reset();
  ECLIPSERA_ASSIGN_OR_RETURN(const Matrix* d,
                             FindFittedArray(arrays, "_n_features", 1, 1));
  const Index n = static_cast<Index>((*d)(0, 0));
  if (n < 1 || (*d)(0, 0) != static_cast<double>(n)) {
    return absl::InvalidArgumentError(
        "RobustScaler::RestoreFitted: _n_features is not a positive integer");
  }
  ECLIPSERA_RETURN_IF_ERROR(RestoreVector(
      arrays, "center", options_.with_centering ? n : 0, &center_));
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreVector(arrays, "scale", options_.with_scaling ? n : 0, &scale_));
  n_features_ = n;
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status RegisterScalers(EstimatorRegistry& registry) {
  ECLIPSERA_RETURN_IF_ERROR(registry.Register(
      {"StandardScaler",
       "standardise features to zero mean and unit variance, scikit-learn's "
       "StandardScaler",
       MainOutput::kTransform,
       [] { return std::make_unique<StandardScaler>(); }}));
  ECLIPSERA_RETURN_IF_ERROR(registry.Register(
      {"MinMaxScaler",
       "scale each feature to a range, scikit-learn's MinMaxScaler",
       MainOutput::kTransform,
       [] { return std::make_unique<MinMaxScaler>(); }}));
  ECLIPSERA_RETURN_IF_ERROR(registry.Register(
      {"MaxAbsScaler",
       "scale each feature by its maximum absolute value, scikit-learn's "
       "MaxAbsScaler",
       MainOutput::kTransform,
       [] { return std::make_unique<MaxAbsScaler>(); }}));
  return registry.Register(
      {"RobustScaler",
       "centre on the median and scale by a quantile range, scikit-learn's "
       "RobustScaler",
       MainOutput::kTransform,
       [] { return std::make_unique<RobustScaler>(); }});
}

}  // namespace eclipsera::preprocessing
