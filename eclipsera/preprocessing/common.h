// Helpers shared by the preprocessing estimators.
#ifndef ECLIPSERA_PREPROCESSING_COMMON_H_
#define ECLIPSERA_PREPROCESSING_COMMON_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::preprocessing {

// scikit-learn's _handle_zeros_in_scale without a constant mask: entries
// below 10 machine epsilons become 1, so dividing by them changes nothing.
void HandleZerosInScale(Vector& scale);

// Transform-time input check: CheckData (finite, within MaxMagnitude) and
// exactly `n_features` columns.
absl::Status CheckTransformInput(absl::string_view context,
                                 const ConstMatrixRef& x, Index n_features);

// The shape half of CheckTransformInput: non-empty, `n_features` columns.
absl::Status CheckTransformShape(absl::string_view context,
                                 const ConstMatrixRef& x, Index n_features);

// The values half of CheckData, row by row inside a caller's loop (each row
// checked while it is in cache, not in a pass of its own). Construct after
// checking the shape (CheckNonEmpty, CheckColumns); Check(i) returns the
// full CheckData message when row i is not finite or beyond MaxMagnitude.
class RowChecker {
 public:
  RowChecker(absl::string_view context, const ConstMatrixRef& x);
  absl::Status Check(Index i) const;

 private:
  absl::string_view context_;
  const ConstMatrixRef& x_;
  double limit_;
};

// InvalidArgument naming the first non-finite transformed value (data far
// outside the scale learnt by Fit can overflow), with a hint to rescale:
// of every row, or of row `row` only (checked while it is in cache).
absl::Status CheckTransformedFinite(absl::string_view context,
                                    const ConstMatrixRef& out);
absl::Status CheckRowFinite(absl::string_view context,
                            const ConstMatrixRef& out, Index row);

// Empty, or non-negative finite weights with a positive sum.
absl::Status CheckSampleWeight(absl::string_view context,
                               absl::Span<const double> w);

}  // namespace eclipsera::preprocessing

#endif  // ECLIPSERA_PREPROCESSING_COMMON_H_
