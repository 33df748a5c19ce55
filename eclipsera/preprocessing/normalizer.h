// Row normalisation as scikit-learn 1.2's Normalizer: each sample divided by
// its l1, l2 or max norm. Stateless: Fit only records the number of
// features and checks the parameters.
#ifndef ECLIPSERA_PREPROCESSING_NORMALIZER_H_
#define ECLIPSERA_PREPROCESSING_NORMALIZER_H_

#include <string>

#include "absl/status/status.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"

namespace eclipsera::preprocessing {

struct NormalizerOptions {
  std::string norm = "l2";  // 'l1', 'l2' or 'max'.
  bool copy = true;         // scikit-learn compatibility; no effect.

  static const ParamSchema<NormalizerOptions>& Schema();
};

// Rows whose norm is below 10 machine epsilons are left unchanged, as
// scikit-learn's _handle_zeros_in_scale does.
class Normalizer : public EstimatorWithOptions<Normalizer, NormalizerOptions> {
 public:
  explicit Normalizer(NormalizerOptions options = {});

  const NormalizerOptions& options() const { return options_; }
  void set_options(const NormalizerOptions& options);

  std::string name() const override { return "Normalizer"; }
  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  bool transforms_in_place() const override { return true; }
  Index n_features_out() const override { return fitted_ ? n_features_ : 0; }
  void Reset() override;
  bool fitted() const override { return fitted_; }

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override;

 private:
  NormalizerOptions options_;
  Index n_features_ = 0;
  bool fitted_ = false;
};

absl::Status RegisterNormalizer(EstimatorRegistry& registry);

}  // namespace eclipsera::preprocessing

#endif  // ECLIPSERA_PREPROCESSING_NORMALIZER_H_
