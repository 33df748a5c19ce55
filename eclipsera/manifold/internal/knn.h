// Exact t-SNE's chunked squared Euclidean distances, and the k nearest
// neighbours of Barnes-Hut t-SNE (eclipsera/neighbors' search, or a
// selection over a precomputed distance matrix).
#ifndef ECLIPSERA_MANIFOLD_INTERNAL_KNN_H_
#define ECLIPSERA_MANIFOLD_INTERNAL_KNN_H_

#include <cstddef>
#include <cstdint>

#include "Eigen/Core"
#include "eclipsera/core/matrix.h"

namespace eclipsera::manifold_internal {

using IndexMatrix =
    Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Rows per distance chunk so that a chunk of `n` distances per row stays
// near 4 MiB (between 8 and 256 rows). Depends on n only, never on threads.
Index DistanceChunkRows(Index n);

// Writes the squared Euclidean distances from rows [begin, end) of x to every
// row of x into out ((end - begin) x n, row-major), as scikit-learn's
// euclidean_distances(X, squared=True) computes them: -2 x.y + ||x||^2 +
// ||y||^2, clamped at 0, exactly 0 on the diagonal. `sqnorms` holds the
// squared row norms of x; `scratch` has DistanceScratchSize(n, d) doubles.
// The blocked SIMD kernel (simd::SquaredL2Block) computes them, except
// below 32 rows, where Eigen's product does (and allocates its blocking
// scratch).
size_t DistanceScratchSize(Index n, Index d);
void SquaredDistanceRows(const ConstMatrixRef& x, const Vector& sqnorms,
                         Index begin, Index end, double* out, double* scratch);

// The k nearest neighbours of every sample (itself excluded), sorted by
// increasing distance then index.
struct KnnGraph {
  IndexMatrix indices;  // n x k
  Matrix sq_distances;  // n x k, squared Euclidean (or squared precomputed)
};

// Through eclipsera/neighbors (KNearestAll, excluding self), or, when
// `precomputed`, a selection over x as an n x n distance matrix (squared
// here); deterministic for any n_jobs. Requires finite x and 1 <= k < n.
void NearestNeighbors(const ConstMatrixRef& x, bool precomputed, Index k,
                      int n_jobs, KnnGraph* out);

}  // namespace eclipsera::manifold_internal

#endif  // ECLIPSERA_MANIFOLD_INTERNAL_KNN_H_
