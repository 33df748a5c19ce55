// Input validation that turns bad data and parameters into clear statuses.
//
// Every message starts with the caller's context (for example
// "KMeans::Fit"), names what is wrong, and says what is allowed.
#ifndef ECLIPSERA_CORE_VALIDATION_H_
#define ECLIPSERA_CORE_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera {

// InvalidArgument when `x` has no rows or no columns.
absl::Status CheckNonEmpty(absl::string_view context, absl::string_view name,
                           const ConstMatrixRef& x);

// InvalidArgument naming the first NaN/Inf by row and column.
absl::Status CheckFinite(absl::string_view context, absl::string_view name,
                         const ConstMatrixRef& x);
absl::Status CheckFiniteValues(absl::string_view context,
                               absl::string_view name,
                               absl::Span<const double> v);

// The one rule for magnitudes: the largest |value| an estimator accepts in
// data with `n_features` columns, 1e150 / sqrt(n_features). Below it squared
// distances (at most 4 d max^2), variances and kernels stay far from
// overflow in double precision; scikit-learn's float64 checks let such data
// through and then overflow. Tiny magnitudes: see CheckNotTooSmall.
double MaxMagnitude(Index n_features);

// InvalidArgument naming the row and column of the largest |value| when it
// exceeds MaxMagnitude(x.cols()), suggesting to rescale. NaN is ignored here
// (CheckFinite reports it).
absl::Status CheckMagnitude(absl::string_view context, absl::string_view name,
                            const ConstMatrixRef& x);

// The other end, for estimators that cluster by distances computed in X's
// own units (KMeans, MiniBatchKMeans, MeanShift, AgglomerativeClustering):
// when every |value| is below kMinLargestMagnitude (1e-140) but not all are
// zero, squared distances fall to or below the denormal range (2.2e-308)
// and underflow, and the clustering silently degenerates (three blobs scaled
// by 1e-300 came back as one cluster, as in scikit-learn). InvalidArgument
// naming the largest value's row and column and suggesting to rescale.
// t-SNE rescales internally instead; GaussianMixture and DBSCAN are defined
// by absolute parameters (reg_covar, eps) and stay correct at any scale.
inline constexpr double kMinLargestMagnitude = 1e-140;
absl::Status CheckNotTooSmall(absl::string_view context, absl::string_view name,
                              const ConstMatrixRef& x);

// Whether the `n` values at `values` are all finite with magnitude at most
// `limit`: the one-pass test behind CheckData, for callers that check rows
// inside their own loop (and call CheckData for the message on failure).
bool FiniteWithin(const double* values, Index n, double limit);

// CheckNonEmpty + CheckFinite + CheckMagnitude, and at least `min_samples`
// rows.
absl::Status CheckData(absl::string_view context, absl::string_view name,
                       const ConstMatrixRef& x, Index min_samples = 1);

// A success means finite output: Internal error "<context>: the fit produced
// a non-finite <name> ..." when a fitted array holds NaN/Inf. Estimators
// call it on their results (centers, means, embeddings, scalars) before
// Fit returns OK; with CheckMagnitude on the input it never fires unless
// something is wrong in the algorithm.
absl::Status CheckFittedFinite(absl::string_view context,
                               absl::string_view name, const ConstMatrixRef& x);
absl::Status CheckFittedFinite(absl::string_view context,
                               absl::string_view name, double value);

// InvalidArgument unless x has exactly `cols` columns.
absl::Status CheckColumns(absl::string_view context, absl::string_view name,
                          const ConstMatrixRef& x, Index cols);

// InvalidArgument unless x is rows x cols.
absl::Status CheckShape(absl::string_view context, absl::string_view name,
                        const ConstMatrixRef& x, Index rows, Index cols);

// InvalidArgument unless a vector argument (y, sample_weight) has n entries.
absl::Status CheckLength(absl::string_view context, absl::string_view name,
                         Index length, Index n_samples);

// Parameter range checks: InvalidArgument naming the parameter, its value
// and the allowed range, e.g. "KMeans: n_clusters = 0, must be >= 1".
absl::Status CheckAtLeast(absl::string_view context, absl::string_view name,
                          double value, double min);
absl::Status CheckGreater(absl::string_view context, absl::string_view name,
                          double value, double min);
absl::Status CheckInRange(absl::string_view context, absl::string_view name,
                          double value, double min, double max);
absl::Status CheckOneOf(absl::string_view context, absl::string_view name,
                        absl::string_view value,
                        absl::Span<const absl::string_view> allowed);

// FailedPrecondition "<context>: called before Fit".
absl::Status NotFittedError(absl::string_view context);

}  // namespace eclipsera

#endif  // ECLIPSERA_CORE_VALIDATION_H_
