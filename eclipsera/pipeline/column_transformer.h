// ColumnTransformer: transformers applied to column subsets of the input,
// their outputs side by side, as scikit-learn 1.2's
// sklearn.compose.ColumnTransformer on numeric column indices.
//
//   ECLIPSERA_ASSIGN_OR_RETURN(
//       std::unique_ptr<ColumnTransformer> ct,
//       ColumnTransformer::Create(
//           {Columns("num", preprocessing::StandardScaler(), {0, 1}),
//            PassthroughColumns("raw", {-1})},
//           std::string("drop")));
//
// Each part is (name, transformer or "drop" or "passthrough", column
// indices); negative indices count from the end, as in Python. The columns
// no part selects (in increasing order; a "drop" part's columns count as
// selected) are the remainder: dropped, passed through or given to the
// `remainder` estimator. The output is the parts' outputs in order, then
// the remainder's; a part with no columns is not fitted and has no output.
// Parts are fitted and applied in parallel (n_jobs; results do not depend
// on it), each reading its columns in place when they are one ascending
// run (a copy otherwise) and writing straight into its column block of the
// one output. NaN may reach a part that accepts it (SimpleImputer); the
// other parts refuse it, and so do "passthrough" columns (scikit-learn
// passes NaN through; here only imputers take missing values, and the
// output of a success is finite).
//
// Differences from scikit-learn: n_jobs defaults to -1, all cores (as every
// estimator here; results do not depend on it); a transformer whose parts
// all drop or select nothing is an error at Fit (scikit-learn returns an
// n x 0 array); columns are integer indices only (no names, slices or
// masks); `transformer_weights` is a list (one weight per
// part, and optionally one more for the remainder) instead of a name map;
// the column lists are fixed at Create (the parts' transformers and the
// remainder are parameters); output is always dense.
#ifndef ECLIPSERA_PIPELINE_COLUMN_TRANSFORMER_H_
#define ECLIPSERA_PIPELINE_COLUMN_TRANSFORMER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"

namespace eclipsera::pipeline {

// One part: a transformer, "drop" or "passthrough", and its columns.
struct ColumnPart {
  std::string name;
  ParamValue transformer;  // EstimatorParam, "drop" or "passthrough"
  std::vector<int64_t> columns;
};

ColumnPart Columns(std::string name, const Estimator& transformer,
                   std::vector<int64_t> columns);
ColumnPart DropColumns(std::string name, std::vector<int64_t> columns);
ColumnPart PassthroughColumns(std::string name, std::vector<int64_t> columns);

class ColumnTransformer : public Estimator {
 public:
  // `remainder`: "drop" (scikit-learn's default), "passthrough" or a
  // transformer (MakeEstimatorParam). `transformer_weights`: empty, one per
  // part, or one per part and one for the remainder. Names are unique,
  // without "__", and not a parameter name (n_jobs, remainder,
  // transformer_weights, transformers, verbose).
  static absl::StatusOr<std::unique_ptr<ColumnTransformer>> Create(
      std::vector<ColumnPart> parts, ParamValue remainder = std::string("drop"),
      std::vector<double> transformer_weights = {}, int n_jobs = -1);

  const std::vector<ColumnPart>& parts() const { return parts_; }
  // The fitted transformer of part i (nullptr for drop, passthrough or no
  // columns), and of the remainder (nullptr unless an estimator with
  // columns to take).
  const Estimator* part(size_t i) const { return work_[i].get(); }
  const Estimator* remainder() const { return work_.back().get(); }
  // The remainder's columns once fitted.
  const std::vector<Index>& remainder_columns() const {
    return columns_.back();
  }
  // scikit-learn's output_indices_: each part's [start, stop) in the
  // output, then "remainder"'s; parts without output get [0, 0).
  std::vector<std::pair<std::string, std::pair<Index, Index>>> output_indices()
      const;

  std::string name() const override { return "ColumnTransformer"; }
  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  // Whether every part that is not dropped, and the remainder, takes NaN
  // (imputers): then no NaN can reach the output.
  bool allows_nan() const override;
  Index n_features_out() const override { return fitted_ ? n_out_ : 0; }
  std::vector<ParamInfo> DescribeParams() const override;
  // The parameters' key and every part's columns.
  std::string StructureKey() const override;
  std::unique_ptr<Estimator> Clone() const override;
  void Reset() override;
  bool fitted() const override { return fitted_; }

 protected:
  // "n_jobs", "remainder", "transformer_weights" and one per part.
  ParamMap DoGetParams() const override;
  absl::Status DoSetParams(const ParamMap& params) override;
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override;

 private:
  ColumnTransformer(std::vector<ColumnPart> parts, ParamValue remainder,
                    std::vector<double> weights, int n_jobs);
  // The value of member i: part i's transformer, or the remainder's.
  const ParamValue& Value(size_t i) const {
    return i < parts_.size() ? parts_[i].transformer : remainder_;
  }
  const std::string& MemberName(size_t i) const;
  double Weight(size_t i) const {
    return i < weights_.size() ? weights_[i] : 1.0;
  }
  Index Width(size_t i) const;
  // InvalidArgument naming the part, row and column of the first non-finite
  // value in a passed-through column.
  absl::Status CheckPassthroughFinite(const ConstMatrixRef& x) const;

  std::vector<ColumnPart> parts_;
  ParamValue remainder_;
  std::vector<double> weights_;
  int n_jobs_ = -1;
  // One per part, then the remainder.
  std::vector<std::unique_ptr<Estimator>> work_;
  std::vector<std::vector<Index>> columns_;  // resolved at Fit
  std::vector<Index> offset_;                // output column of each member
  Index n_features_in_ = 0;
  Index n_out_ = 0;
  bool fitted_ = false;
};

}  // namespace eclipsera::pipeline

#endif  // ECLIPSERA_PIPELINE_COLUMN_TRANSFORMER_H_
