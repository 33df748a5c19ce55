// Feature scalers as scikit-learn 1.2's StandardScaler, MinMaxScaler,
// MaxAbsScaler and RobustScaler: per-column statistics learnt by Fit,
// applied by Transform (and undone by InverseTransform).
//
// Unlike scikit-learn, NaN is refused (only SimpleImputer takes missing
// values: impute first), and so are values beyond MaxMagnitude (the one
// magnitude rule of core/validation.h). `copy` is accepted for
// scikit-learn compatibility and changes nothing: Transform never modifies
// its input.
#ifndef ECLIPSERA_PREPROCESSING_SCALERS_H_
#define ECLIPSERA_PREPROCESSING_SCALERS_H_

#include <array>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"

namespace eclipsera::preprocessing {

struct StandardScalerOptions {
  bool copy = true;
  bool with_mean = true;  // subtract the mean.
  bool with_std = true;   // divide by the (population) standard deviation.

  static const ParamSchema<StandardScalerOptions>& Schema();
};

// Standardises features: (x - mean_) / scale_. Features whose variance is
// zero up to rounding (scikit-learn's _is_constant_feature) keep scale 1.
// Takes sample_weight (weighted mean and variance; n_samples_seen() is then
// the weight sum, as in scikit-learn).
class StandardScaler
    : public EstimatorWithOptions<StandardScaler, StandardScalerOptions> {
 public:
  explicit StandardScaler(StandardScalerOptions options = {});

  const StandardScalerOptions& options() const { return options_; }
  void set_options(const StandardScalerOptions& options);

  // Updates the statistics with one more batch (scikit-learn's
  // partial_fit, Chan et al.'s pairwise update); on an unfitted scaler it is
  // Fit. The batch must have the fitted number of features. On error the
  // scaler keeps its previous statistics.
  absl::Status PartialFit(const ConstMatrixRef& x,
                          absl::Span<const double> sample_weight = {});

  // Fitted attributes, scikit-learn's names: mean_ is empty when neither
  // with_mean nor with_std, var_ and scale_ are empty without with_std.
  const Vector& mean() const { return mean_; }
  const Vector& var() const { return var_; }
  const Vector& scale() const { return scale_; }
  double n_samples_seen() const { return n_samples_seen_; }

  std::string name() const override { return "StandardScaler"; }
  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  bool transforms_in_place() const override { return true; }
  bool supports_sample_weight() const override { return true; }
  Index n_features_out() const override { return fitted_ ? n_features_ : 0; }
  void Reset() override;
  bool fitted() const override { return fitted_; }
  FittedScalarList FittedScalars() const override;
  // mean, var, scale (empty where scikit-learn has None) and the running
  // statistics PartialFit continues from (_running_mean, _running_var).
  FittedArrayList FittedArrays() const override;
  absl::Status RestoreFitted(const FittedArrayList& arrays,
                             absl::Span<const FittedScalar> scalars) override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override;
  absl::StatusOr<Matrix> DoInverseTransform(
      const ConstMatrixRef& x) const override;

 private:
  absl::Status Update(const char* context, const ConstMatrixRef& x,
                      absl::Span<const double> w);

  StandardScalerOptions options_;
  Vector mean_, var_, scale_;
  // Running sums of the statistics (kept even when with_mean is false).
  Vector running_mean_, running_var_;
  double n_samples_seen_ = 0.0;
  Index n_features_ = 0;
  bool fitted_ = false;
};

struct MinMaxScalerOptions {
  std::array<double, 2> feature_range = {0.0, 1.0};  // min < max
  bool copy = true;
  bool clip = false;  // clip transformed values to feature_range.

  static const ParamSchema<MinMaxScalerOptions>& Schema();
};

// Maps each feature's [data_min_, data_max_] onto feature_range:
// x * scale_ + min_. Constant features (range below 10 eps) get scale
// (max - min) of the range, as scikit-learn.
class MinMaxScaler
    : public EstimatorWithOptions<MinMaxScaler, MinMaxScalerOptions> {
 public:
  explicit MinMaxScaler(MinMaxScalerOptions options = {});

  const MinMaxScalerOptions& options() const { return options_; }
  void set_options(const MinMaxScalerOptions& options);

  // Widens the running minimum and maximum with one more batch.
  absl::Status PartialFit(const ConstMatrixRef& x);

  const Vector& data_min() const { return data_min_; }
  const Vector& data_max() const { return data_max_; }
  const Vector& data_range() const { return data_range_; }
  const Vector& scale() const { return scale_; }
  const Vector& min() const { return min_; }
  double n_samples_seen() const { return n_samples_seen_; }

  std::string name() const override { return "MinMaxScaler"; }
  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  bool transforms_in_place() const override { return true; }
  Index n_features_out() const override {
    return fitted_ ? data_min_.size() : 0;
  }
  void Reset() override;
  bool fitted() const override { return fitted_; }
  FittedArrayList FittedArrays() const override;
  absl::Status RestoreFitted(const FittedArrayList& arrays,
                             absl::Span<const FittedScalar> scalars) override;
  FittedScalarList FittedScalars() const override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override;
  absl::StatusOr<Matrix> DoInverseTransform(
      const ConstMatrixRef& x) const override;

 private:
  absl::Status Update(const char* context, const ConstMatrixRef& x);

  MinMaxScalerOptions options_;
  Vector data_min_, data_max_, data_range_, scale_, min_;
  double n_samples_seen_ = 0.0;
  bool fitted_ = false;
};

struct MaxAbsScalerOptions {
  bool copy = true;

  static const ParamSchema<MaxAbsScalerOptions>& Schema();
};

// Divides each feature by its largest absolute value (1 for all-zero
// features): sparsity-preserving scaling to [-1, 1].
class MaxAbsScaler
    : public EstimatorWithOptions<MaxAbsScaler, MaxAbsScalerOptions> {
 public:
  explicit MaxAbsScaler(MaxAbsScalerOptions options = {});

  const MaxAbsScalerOptions& options() const { return options_; }
  void set_options(const MaxAbsScalerOptions& options);

  absl::Status PartialFit(const ConstMatrixRef& x);

  const Vector& max_abs() const { return max_abs_; }
  const Vector& scale() const { return scale_; }
  double n_samples_seen() const { return n_samples_seen_; }

  std::string name() const override { return "MaxAbsScaler"; }
  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  bool transforms_in_place() const override { return true; }
  Index n_features_out() const override {
    return fitted_ ? max_abs_.size() : 0;
  }
  void Reset() override;
  bool fitted() const override { return fitted_; }
  FittedArrayList FittedArrays() const override;
  absl::Status RestoreFitted(const FittedArrayList& arrays,
                             absl::Span<const FittedScalar> scalars) override;
  FittedScalarList FittedScalars() const override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override;
  absl::StatusOr<Matrix> DoInverseTransform(
      const ConstMatrixRef& x) const override;

 private:
  absl::Status Update(const char* context, const ConstMatrixRef& x);

  MaxAbsScalerOptions options_;
  Vector max_abs_, scale_;
  double n_samples_seen_ = 0.0;
  bool fitted_ = false;
};

struct RobustScalerOptions {
  bool with_centering = true;  // subtract the median.
  bool with_scaling = true;    // divide by the quantile range.
  // Percentiles (0 <= q_min <= q_max <= 100) of the scale.
  std::array<double, 2> quantile_range = {25.0, 75.0};
  bool copy = true;
  // Divide the scale by the standard normal's quantile range so that
  // normal features end with unit variance.
  bool unit_variance = false;

  static const ParamSchema<RobustScalerOptions>& Schema();
};

// Centres on the median and scales by a quantile range (the interquartile
// range by default), numpy's linear-interpolation percentiles.
class RobustScaler
    : public EstimatorWithOptions<RobustScaler, RobustScalerOptions> {
 public:
  explicit RobustScaler(RobustScalerOptions options = {});

  const RobustScalerOptions& options() const { return options_; }
  void set_options(const RobustScalerOptions& options);

  // Empty when with_centering (with_scaling) is false, as scikit-learn's
  // None.
  const Vector& center() const { return center_; }
  const Vector& scale() const { return scale_; }

  std::string name() const override { return "RobustScaler"; }
  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  bool transforms_in_place() const override { return true; }
  Index n_features_out() const override { return fitted_ ? n_features_ : 0; }
  void Reset() override;
  bool fitted() const override { return fitted_; }
  FittedArrayList FittedArrays() const override;
  absl::Status RestoreFitted(const FittedArrayList& arrays,
                             absl::Span<const FittedScalar> scalars) override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override;
  absl::StatusOr<Matrix> DoInverseTransform(
      const ConstMatrixRef& x) const override;

 private:
  RobustScalerOptions options_;
  Vector center_, scale_;
  Index n_features_ = 0;
  bool fitted_ = false;
};

// numpy.percentile(sorted, q) with the default 'linear' method, for
// ascending `sorted` (non-empty) and q in [0, 100]; bit-compatible with
// numpy 1.22+.
double Percentile(absl::Span<const double> sorted, double q);

// The standard normal quantile function (scipy.stats.norm.ppf) for p in
// (0, 1), to within a few ulps.
double NormalQuantile(double p);

// Registers StandardScaler, MinMaxScaler, MaxAbsScaler and RobustScaler.
absl::Status RegisterScalers(EstimatorRegistry& registry);

}  // namespace eclipsera::preprocessing

#endif  // ECLIPSERA_PREPROCESSING_SCALERS_H_
