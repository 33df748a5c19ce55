// Inner kernels of K-Means: chunked nearest-center assignment with center
// sums, exact distances as scikit-learn computes them, Elkan steps.
#ifndef ECLIPSERA_CLUSTER_INTERNAL_KMEANS_KERNELS_H_
#define ECLIPSERA_CLUSTER_INTERNAL_KMEANS_KERNELS_H_

#include <cstdint>

#include "eclipsera/core/matrix.h"

namespace eclipsera::cluster_internal {

// Rows per assignment tile (the distances of one tile stay in cache).
inline constexpr Index kTileRows = 256;

// Rows per reduction chunk for n samples: a function of n only (never of
// the thread count), so partial sums are combined in the same order for
// any n_jobs, and there are at most ~64 chunks to keep partial sums small.
Index ReductionChunkRows(Index n);

// Squared euclidean distance summed as scikit-learn's _euclidean_dense_dense
// (blocks of 4), so exact distances match it bit for bit.
double SquaredDistance(const double* a, const double* b, Index d);

// Doubles of scratch AssignNearest needs per concurrent caller.
Index AssignScratchSize(Index k, Index d);

// Labels rows [begin, end) of x with their nearest center (ties: lowest
// index) through the GEMM identity, with the Highway kernel
// simd::NearestCenters (register-blocked, cache tiled). `x_sqnorms` holds
// ||x_i||^2 for all rows of x (or is null), `c_sqnorms` ||c_j||^2, `scratch`
// AssignScratchSize(k, d) doubles. Never allocates.
void AssignNearest(const ConstMatrixRef& x, Index begin, Index end,
                   const double* x_sqnorms, const ConstMatrixRef& centers,
                   const double* c_sqnorms, double* scratch, int32_t* labels);

}  // namespace eclipsera::cluster_internal

#endif  // ECLIPSERA_CLUSTER_INTERNAL_KMEANS_KERNELS_H_
