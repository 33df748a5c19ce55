// Brute-force squared Euclidean distances and k-nearest-neighbour search
// (chunked GEMM identity), used by t-SNE until eclipsera/neighbors lands.
#ifndef ECLIPSERA_MANIFOLD_INTERNAL_KNN_H_
#define ECLIPSERA_MANIFOLD_INTERNAL_KNN_H_

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
// squared row norms of x. Allocates Eigen's GEMM blocking scratch.
void SquaredDistanceRows(const ConstMatrixRef& x, const Vector& sqnorms,
                         Index begin, Index end, double* out);

// The k nearest neighbours of every sample (itself excluded), sorted by
// increasing distance then index.
struct KnnGraph {
  IndexMatrix indices;  // n x k
  Matrix sq_distances;  // n x k, squared Euclidean (or squared precomputed)
};

// Brute force over x (n x d) in row chunks, parallel over chunks with
// n_jobs; deterministic for any n_jobs. When `precomputed`, x is an n x n
// distance matrix and the distances are squared. Requires 1 <= k < n.
void NearestNeighbors(const ConstMatrixRef& x, bool precomputed, Index k,
                      int n_jobs, KnnGraph* out);

}  // namespace eclipsera::manifold_internal

#endif  // ECLIPSERA_MANIFOLD_INTERNAL_KNN_H_
