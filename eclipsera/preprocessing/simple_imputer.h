// Missing-value imputation as scikit-learn 1.2's SimpleImputer. Missing
// values are NaN (scikit-learn's default missing_values=np.nan); this is
// the one estimator family that accepts NaN in X. Infinite values are
// refused, as everywhere.
#ifndef ECLIPSERA_PREPROCESSING_SIMPLE_IMPUTER_H_
#define ECLIPSERA_PREPROCESSING_SIMPLE_IMPUTER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"

namespace eclipsera::preprocessing {

struct SimpleImputerOptions {
  // 'mean', 'median', 'most_frequent' (the smallest of the most frequent
  // values) or 'constant' (fill_value).
  std::string strategy = "mean";
  // The 'constant' strategy's value; None means 0.
  std::optional<double> fill_value;
  bool copy = true;  // scikit-learn compatibility; no effect.
  // Append one 0/1 column per feature that had missing values in Fit
  // (scikit-learn's MissingIndicator, features='missing-only').
  bool add_indicator = false;
  // Keep features with no observed value in Fit (imputed with 0, or
  // fill_value for 'constant'); by default they are dropped from the
  // output, as scikit-learn does, with a warning.
  bool keep_empty_features = false;

  static const ParamSchema<SimpleImputerOptions>& Schema();
};

class SimpleImputer
    : public EstimatorWithOptions<SimpleImputer, SimpleImputerOptions> {
 public:
  explicit SimpleImputer(SimpleImputerOptions options = {});

  const SimpleImputerOptions& options() const { return options_; }
  void set_options(const SimpleImputerOptions& options);

  // statistics_: the fill value of each input feature (NaN for a feature
  // with no observed value, which Transform drops).
  const Vector& statistics() const { return statistics_; }
  // Input features with missing values in Fit (the indicator's columns).
  const std::vector<Index>& indicator_features() const {
    return indicator_features_;
  }

  std::string name() const override { return "SimpleImputer"; }
  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  bool allows_nan() const override { return true; }
  Index n_features_out() const override {
    return fitted_
               ? static_cast<Index>(kept_.size() + indicator_features_.size())
               : 0;
  }
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

 private:
  SimpleImputerOptions options_;
  Vector statistics_;
  std::vector<Index> kept_;  // input features present in the output
  std::vector<Index> indicator_features_;
  Index n_features_ = 0;
  bool fitted_ = false;
};

// X may hold NaN (missing) but no infinity and nothing beyond MaxMagnitude.
absl::Status CheckDataWithMissing(absl::string_view context,
                                  const ConstMatrixRef& x);

absl::Status RegisterSimpleImputer(EstimatorRegistry& registry);

}  // namespace eclipsera::preprocessing

#endif  // ECLIPSERA_PREPROCESSING_SIMPLE_IMPUTER_H_
