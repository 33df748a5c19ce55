// Hierarchical agglomerative clustering cores of fastcluster's class
// (Müllner 2011): Prim's minimum spanning tree for single linkage, the
// nearest-neighbour chain for ward (on centroids, O(N) memory), complete and
// average (on the condensed distance matrix), then scipy's stable sort and
// union-find relabelling, and scikit-learn's _hc_cut.
//
// Tie-breaking follows scipy 1.10 (scipy/cluster/_hierarchy.pyx) exactly:
//  * nn_chain: a chain starts at the lowest-numbered active cluster; a
//    nearest-neighbour search scans clusters in increasing slot number and
//    keeps the first strict minimum, preferring the previous chain element
//    when it ties; the merged cluster takes the larger slot number.
//  * mst_single_linkage (and scikit-learn's mst_linkage_core): Prim's from
//    sample 0; the next sample is the first (lowest index) strict minimum of
//    the current distances to the tree.
//  * merges are then sorted by distance with a stable sort (merge order of
//    discovery breaks ties), and relabelled with union-find.
// Single linkage with the euclidean metric compares squared distances (the
// square root is taken once per merge): two distances whose squares differ
// but whose rounded square roots are equal are a tie for scipy but not
// here; this cannot happen when the squared distances are exact (e.g.
// small-integer data).
// With bit-identical pairwise distances (e.g. small-integer data) the result
// is therefore scipy's, ties included. Ward uses the centroid formula
// d(A,B) = sqrt(2|A||B|/(|A|+|B|)) ||c_A - c_B|| instead of scipy's
// Lance-Williams recurrence: equal mathematically, but rounding may split
// values that scipy computes as exactly tied (or the reverse).
#ifndef ECLIPSERA_CLUSTER_INTERNAL_AGGLOMERATIVE_CORE_H_
#define ECLIPSERA_CLUSTER_INTERNAL_AGGLOMERATIVE_CORE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/workspace.h"

namespace eclipsera::cluster_internal {

enum class LinkageMethod { kWard, kComplete, kAverage, kSingle };
enum class LinkageMetric { kEuclidean, kManhattan, kCosine, kPrecomputed };

// Parses 'ward', 'complete', 'average', 'single'; InvalidArgument
// "<context>: unknown linkage 'x'; allowed: ..." otherwise.
absl::StatusOr<LinkageMethod> ParseLinkageMethod(absl::string_view context,
                                                 absl::string_view name);
// Parses 'euclidean'/'l2', 'manhattan'/'l1'/'cityblock', 'cosine' and (when
// allow_precomputed) 'precomputed'; InvalidArgument otherwise.
absl::StatusOr<LinkageMetric> ParseLinkageMetric(absl::string_view context,
                                                 absl::string_view name,
                                                 bool allow_precomputed);

// One merge as discovered: the clusters are named by a member sample (the
// "slot"), scipy's convention before relabelling.
struct RawMerge {
  int32_t a;
  int32_t b;
  double distance;
};

// Buffers of one tree build, sized once per fit (they only grow) and kept
// across fits. Nothing in the merge loops allocates when `fresh_buffers` is
// false.
struct AgglomerativeWorkspace {
  std::vector<double> coords;      // d x cap, feature-major (SoA)
  std::vector<double> sizes;       // per position: cluster size
  std::vector<double> penalty;     // per position: 0 alive, +inf dead
  std::vector<double> norms;       // cosine: per position norm
  std::vector<int32_t> slot;       // per position: slot (sample) id
  std::vector<double> row;         // per position: distances of one search
  std::vector<double> min_dist;    // Prim: distance to the tree
  std::vector<double> point;       // d: the query point
  std::vector<double> condensed;   // n(n-1)/2 (complete/average/precomputed)
  std::vector<int32_t> int_sizes;  // per slot (condensed nn-chain)
  std::vector<int32_t> chain;
  std::vector<double> chunk_min;  // per parallel chunk of a scan
  std::vector<int32_t> remap;
  std::vector<RawMerge> merges;  // n-1
  std::vector<int32_t> order;    // n-1
  std::vector<int32_t> parent;   // 2n-1 (union-find)
  std::vector<int32_t> count;    // 2n-1
  std::vector<int64_t> heap;     // _hc_cut
  std::vector<int64_t> stack;    // _hc_cut descendants

  // Heap held (every member is a std::vector sized with resize/assign, so
  // grow-only).
  WorkspaceStats stats() const {
    return SumStats(coords, sizes, penalty, norms, slot, row, min_dist, point,
                    condensed, int_sizes, chain, chunk_min, remap, merges,
                    order, parent, count, heap, stack);
  }
};

struct TreeOptions {
  LinkageMethod method = LinkageMethod::kWard;
  LinkageMetric metric = LinkageMetric::kEuclidean;
  // Benchmark-only (the roadmap's v1.0): allocate a fresh distance array for
  // every nearest-neighbour search / Prim step. Same math, same result.
  bool fresh_buffers = false;
  // Threads for the nearest-neighbour / Prim scans (a resolved n_jobs,
  // >= 1); the result does not depend on it.
  int n_jobs = 1;
};

// Builds the n-1 merges of x (n x d samples, or the n x n distance matrix
// for kPrecomputed, whose upper triangle is used) into ws->merges, in
// discovery order. The caller has validated x (finite, n >= 2, square when
// precomputed) and that ward goes with euclidean. InvalidArgument (prefixed
// by `context`) when a cosine sample has zero norm.
absl::Status BuildMerges(absl::string_view context, const ConstMatrixRef& x,
                         const TreeOptions& options,
                         AgglomerativeWorkspace* ws);

enum class PairOrder {
  kScipy,           // (smaller id, larger id), as scipy's label().
  kSklearnMstLabel  // (tree side, new side), as scikit-learn's
                    // single_linkage_label() on its MST edges.
};

// Sorts ws->merges by distance (stable) and relabels them: leaves are
// 0..n-1, the merge at row i creates node n+i. Writes children (n-1 x 2,
// row-major), distances and counts (each n-1; counts may be null). Does not
// allocate when the workspace is sized.
void LabelMerges(Index n, PairOrder order, AgglomerativeWorkspace* ws,
                 Index* children, double* distances, double* counts);

// scikit-learn's _hc_cut: labels (n_leaves) of the tree cut into n_clusters
// (1 <= n_clusters <= n_leaves), numbered as scikit-learn numbers them (the
// order of its heap of cluster roots). Does not allocate when the
// workspace is sized. Safe for any `children`: every index is checked, a
// child must be smaller than its parent (so the walk ends), and false is
// returned (labels then hold -1 where unset) unless the children form a
// tree whose cut labels every leaf exactly once.
bool CutTree(Index n_clusters, const Index* children, Index n_leaves,
             AgglomerativeWorkspace* ws, int32_t* labels);

}  // namespace eclipsera::cluster_internal

#endif  // ECLIPSERA_CLUSTER_INTERNAL_AGGLOMERATIVE_CORE_H_
