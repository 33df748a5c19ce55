// Trustworthiness of an embedding (scikit-learn 1.2's
// sklearn.manifold.trustworthiness): to what extent local structure is kept.
#ifndef ECLIPSERA_METRICS_TRUSTWORTHINESS_H_
#define ECLIPSERA_METRICS_TRUSTWORTHINESS_H_

#include <string>

#include "absl/status/statusor.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::metrics {

// T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in N_i^k} max(0, r(i, j) -
// k) where N_i^k are the k nearest neighbours of sample i in the embedding and
// r(i, j) is the rank of j among i's neighbours in the input space.
// x: n x d data, or an n x n distance matrix when metric == "precomputed";
// x_embedded: n x c. Distance ties rank by sample index. InvalidArgument
// for mismatched rows, NaN/Inf, an unknown metric, or n_neighbors outside
// [1, n / 2). O(n^2 k) time, O(n) extra memory per row.
absl::StatusOr<double> Trustworthiness(const ConstMatrixRef& x,
                                       const ConstMatrixRef& x_embedded,
                                       int n_neighbors = 5,
                                       const std::string& metric = "euclidean");

}  // namespace eclipsera::metrics

#endif  // ECLIPSERA_METRICS_TRUSTWORTHINESS_H_
