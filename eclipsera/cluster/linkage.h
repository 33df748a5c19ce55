// scipy.cluster.hierarchy.linkage: the hierarchical clustering of
// observation vectors as scipy's linkage matrix Z.
#ifndef ECLIPSERA_CLUSTER_LINKAGE_H_
#define ECLIPSERA_CLUSTER_LINKAGE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::cluster {

// Returns scipy's Z ((n-1) x 4): row i merges clusters Z(i,0) < Z(i,1)
// (leaves are 0..n-1, row i creates cluster n+i) at distance Z(i,2) into a
// cluster of Z(i,3) samples; rows are sorted by distance.
//
// x: n x d observations (n >= 2, finite), or with metric 'precomputed' the
// n x n distance matrix (its upper triangle is used, like scipy's condensed
// form). method: 'single' (Prim's MST, O(n) memory), 'complete', 'average'
// (nearest-neighbour chain on the condensed matrix, n(n-1)/2 doubles) or
// 'ward' (nearest-neighbour chain on centroids, O(n d) memory, euclidean
// only). metric: 'euclidean', 'cityblock' (alias 'manhattan'), 'cosine',
// 'precomputed'. O(n^2 d) time. Ties are broken as scipy breaks them (see
// internal/agglomerative_core.h). InvalidArgument for unknown names, ward
// with another metric, fewer than 2 samples, NaN/Inf, a non-square
// precomputed matrix, or a zero sample with 'cosine'.
absl::StatusOr<Matrix> Linkage(const ConstMatrixRef& x,
                               absl::string_view method = "single",
                               absl::string_view metric = "euclidean");

}  // namespace eclipsera::cluster

#endif  // ECLIPSERA_CLUSTER_LINKAGE_H_
