// FeatureUnion: several transformers applied to the same input, their
// outputs side by side, as scikit-learn 1.2's sklearn.pipeline.FeatureUnion.
//
// Parts are fitted and applied in parallel (n_jobs, one task per part;
// results do not depend on it) and each writes straight into its column
// block of the one output (no concatenation copy). A part may be "drop"
// (no columns) or "passthrough" (the input's columns).
#ifndef ECLIPSERA_PIPELINE_FEATURE_UNION_H_
#define ECLIPSERA_PIPELINE_FEATURE_UNION_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"

namespace eclipsera::pipeline {

// One part: a transformer, or the strings "drop" / "passthrough".
struct UnionPart {
  std::string name;
  ParamValue transformer;  // EstimatorParam, "drop" or "passthrough"
};

UnionPart Part(std::string name, const Estimator& transformer);
UnionPart DropPart(std::string name);
UnionPart PassthroughPart(std::string name);

class FeatureUnion : public Estimator {
 public:
  // `transformer_weights`: empty, or one multiplier per part (scikit-learn
  // takes a name -> weight map; missing names weigh 1). Names as Pipeline's
  // rules (unique, no "__", not a parameter name).
  static absl::StatusOr<std::unique_ptr<FeatureUnion>> Create(
      std::vector<UnionPart> parts,
      std::vector<double> transformer_weights = {}, int n_jobs = -1);

  const std::vector<UnionPart>& parts() const { return parts_; }
  // The fitted part i (nullptr for drop/passthrough).
  const Estimator* part(size_t i) const { return work_[i].get(); }

  std::string name() const override { return "FeatureUnion"; }
  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  Index n_features_out() const override { return fitted_ ? n_out_ : 0; }
  std::vector<ParamInfo> DescribeParams() const override;
  std::unique_ptr<Estimator> Clone() const override;
  void Reset() override;
  bool fitted() const override { return fitted_; }

 protected:
  // "n_jobs", "transformer_weights" (a list, [] for none) and one per part.
  ParamMap DoGetParams() const override;
  absl::Status DoSetParams(const ParamMap& params) override;
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override;

 private:
  FeatureUnion(std::vector<UnionPart> parts, std::vector<double> weights,
               int n_jobs);
  // Output width of part i once fitted.
  Index PartWidth(size_t i) const;

  std::vector<UnionPart> parts_;
  std::vector<double> weights_;
  int n_jobs_ = -1;
  std::vector<std::unique_ptr<Estimator>> work_;
  Index n_features_in_ = 0;
  Index n_out_ = 0;
  bool fitted_ = false;
};

// scikit-learn's make_union: parts named by lower-cased class name.
absl::StatusOr<std::unique_ptr<FeatureUnion>> MakeUnion(
    const std::vector<const Estimator*>& transformers, int n_jobs = -1);

}  // namespace eclipsera::pipeline

#endif  // ECLIPSERA_PIPELINE_FEATURE_UNION_H_
