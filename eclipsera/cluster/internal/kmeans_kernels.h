// Inner kernels of K-Means: chunked nearest-center assignment with center
// sums, exact distances as scikit-learn computes them, Elkan steps.
#ifndef ECLIPSERA_CLUSTER_INTERNAL_KMEANS_KERNELS_H_
#define ECLIPSERA_CLUSTER_INTERNAL_KMEANS_KERNELS_H_

#include <cstdint>
#include <vector>

#include "eclipsera/core/matrix.h"

namespace eclipsera::cluster_internal {

// Rows per assignment tile (the distances of one tile stay in cache).
inline constexpr Index kTileRows = 256;

// Rows per reduction chunk for n samples: a function of n only (never of
// the thread count), so partial sums are combined in the same order for
// any n_jobs, and there are at most ~64 chunks to keep partial sums small.
Index ReductionChunkRows(Index n);
// The most chunks of ReductionChunkRows that any n' <= n rows use (fewer
// rows can mean more, smaller chunks): the capacity chunked buffers keep
// so that a smaller fold never reallocates them.
Index MaxReductionChunks(Index n);

// Squared euclidean distance summed as scikit-learn's _euclidean_dense_dense
// (blocks of 4), so exact distances match it bit for bit.
double SquaredDistance(const double* a, const double* b, Index d);

// out(i, j) = the euclidean distance of row i of x to center j (k-means'
// transform), rows in parallel (n_jobs). `out` is x.rows() x centers.rows().
void CenterDistancesInto(const ConstMatrixRef& x, const ConstMatrixRef& centers,
                         int n_jobs, MatrixRef out);

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

// A k-d tree over the (few) centers for exact nearest and second-nearest
// center queries in low dimension, where scanning all k centers dominates
// Hamerly's iterations. Rebuilt once per iteration; after the first build
// of a given k it never allocates. Queries are thread-safe.
// Not neighbors::KDTree, on purpose: that tree copies and owns its data,
// keeps per-node boxes, counts and sums for radius queries, and allocates
// per build; this one is rebuilt in place every iteration over k points
// and answers only "nearest two", so it indexes the center rows directly.
class CenterTree {
 public:
  // Worth it when centers are many and the dimension low.
  static bool Useful(Index k, Index d) { return k >= 32 && d <= 8; }

  void Build(const ConstMatrixRef& centers);

  // Nearest center (ties: lowest index) with its squared distance, and the
  // second-smallest squared distance over the other centers; the same
  // results as a full scan with SquaredDistance.
  void Query2(const double* x, int32_t* best, double* d1, double* d2) const;

 private:
  struct Node {
    int32_t begin, end;   // range of order_ for leaves
    int32_t left, right;  // children (-1 for a leaf)
    int32_t dim;
    double split;
  };
  int32_t BuildNode(int32_t begin, int32_t end);

  Index d_ = 0;
  Matrix points_;               // centers in tree order
  std::vector<int32_t> order_;  // tree position -> center index
  std::vector<Node> nodes_;
};

}  // namespace eclipsera::cluster_internal

#endif  // ECLIPSERA_CLUSTER_INTERNAL_KMEANS_KERNELS_H_
