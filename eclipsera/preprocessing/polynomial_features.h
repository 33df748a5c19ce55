// Polynomial and interaction features as scikit-learn 1.2's
// PolynomialFeatures: every product of at most `degree` input features, in
// scikit-learn's column order (the bias, then degree 1, 2, ..., each degree
// in lexicographic order of feature indices).
#ifndef ECLIPSERA_PREPROCESSING_POLYNOMIAL_FEATURES_H_
#define ECLIPSERA_PREPROCESSING_POLYNOMIAL_FEATURES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"

namespace eclipsera::preprocessing {

struct PolynomialFeaturesOptions {
  // `degree`: an int (max degree) or a pair (min_degree, max_degree);
  // `degree_is_pair` remembers which, so GetParams returns what was set.
  int64_t min_degree = 0;
  int64_t max_degree = 2;
  bool degree_is_pair = false;
  bool interaction_only = false;  // products of distinct features only.
  bool include_bias = true;       // a leading column of ones.
  std::string order = "C";        // scikit-learn compatibility: 'C' or 'F'.

  static const ParamSchema<PolynomialFeaturesOptions>& Schema();
};

class PolynomialFeatures
    : public EstimatorWithOptions<PolynomialFeatures,
                                  PolynomialFeaturesOptions> {
 public:
  explicit PolynomialFeatures(PolynomialFeaturesOptions options = {});

  const PolynomialFeaturesOptions& options() const { return options_; }
  void set_options(const PolynomialFeaturesOptions& options);

  // powers_: n_output_features x n_features, the exponent of each input
  // feature in each output column.
  Matrix powers() const;
  Index n_output_features() const {
    return fitted_ ? (options_.include_bias ? 1 : 0) +
                         static_cast<Index>(parent_.size()) - first_output_
                   : 0;
  }

  std::string name() const override { return "PolynomialFeatures"; }
  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  Index n_features_out() const override {
    return fitted_ ? n_output_features() : 0;
  }
  void Reset() override;
  bool fitted() const override { return fitted_; }
  FittedScalarList FittedScalars() const override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override;

 private:
  PolynomialFeaturesOptions options_;
  // Every product of degree 1..max_degree in scikit-learn's order, each
  // the product of an earlier one (`parent_`, -1 for degree 1) and one
  // input feature (`feature_`), as scikit-learn computes them: the same
  // multiplications, so bit-identical results. The output is the bias (if
  // any), then the products from `first_output_` on (degrees below
  // min_degree are computed but not output).
  std::vector<int32_t> parent_;
  std::vector<int32_t> feature_;
  Index first_output_ = 0;
  Index n_features_ = 0;
  bool fitted_ = false;
};

absl::Status RegisterPolynomialFeatures(EstimatorRegistry& registry);

}  // namespace eclipsera::preprocessing

#endif  // ECLIPSERA_PREPROCESSING_POLYNOMIAL_FEATURES_H_
