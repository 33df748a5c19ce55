// scikit-learn's k-means++ seeding (sklearn.cluster.kmeans_plusplus), used
// by GaussianMixture's init_params='k-means++'.
#ifndef ECLIPSERA_MIXTURE_INTERNAL_KMEANS_PLUSPLUS_H_
#define ECLIPSERA_MIXTURE_INTERNAL_KMEANS_PLUSPLUS_H_

#include <vector>

#include "eclipsera/core/matrix.h"
#include "eclipsera/core/random.h"

namespace eclipsera::mixture_internal {

// Returns the row indices of n_clusters seeds chosen by greedy k-means++
// (2 + floor(log(n_clusters)) local trials per seed, as scikit-learn).
// Requires 1 <= n_clusters <= x.rows(). Allocates O(n_samples) scratch.
std::vector<Index> KMeansPlusPlusIndices(const ConstMatrixRef& x,
                                         int n_clusters, Random& rng);

}  // namespace eclipsera::mixture_internal

#endif  // ECLIPSERA_MIXTURE_INTERNAL_KMEANS_PLUSPLUS_H_
