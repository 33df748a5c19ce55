// Neighbour search: a k-d tree and a brute-force index with one API for
// radius queries (count, sum, indices with optional distances) and
// k-nearest-neighbour queries, for the euclidean, manhattan and chebyshev
// metrics.
//
// Both indexes copy the data once at construction (the k-d tree in tree
// order, so a leaf's points are contiguous in memory). Queries are const and
// thread-safe; each takes a caller-owned `QueryScratch` (one per thread) and
// caller-owned result buffers, and allocates nothing once those have grown
// to the sizes the queries need.
#ifndef ECLIPSERA_NEIGHBORS_NEIGHBORS_H_
#define ECLIPSERA_NEIGHBORS_NEIGHBORS_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::neighbors {

// n x k neighbour indices, row-major.
using IndexMatrix =
    Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class Metric { kEuclidean, kManhattan, kChebyshev };

// "euclidean", "manhattan" (also "cityblock", "l1"), "chebyshev"
// (also "infinity"); InvalidArgument otherwise, listing the allowed names.
absl::StatusOr<Metric> ParseMetric(absl::string_view name);
const char* MetricName(Metric metric);

// Distance between two d-dimensional points.
double Distance(Metric metric, const double* a, const double* b, Index d);

// Per-thread scratch for queries (traversal stack, k-NN heap, brute-force
// distance buffer). Grows on first use; reuse it so later queries do not
// allocate.
struct QueryScratch {
  std::vector<std::pair<int32_t, double>> stack;  // (node, lower bound)
  std::vector<std::pair<double, Index>> heap;     // (reduced dist, index)
};

// The common query interface. Radii are inclusive (dist <= radius), as in
// scikit-learn. Indices refer to rows of the data the index was built on.
class NeighborIndex {
 public:
  virtual ~NeighborIndex() = default;

  Index size() const { return n_; }
  Index dim() const { return d_; }
  Metric metric() const { return metric_; }

  // Number of points within `radius` of `query` (d values). Stops counting
  // at `limit` (returns min(count, limit)), which lets callers that only
  // need "at least k" exit early.
  virtual Index RadiusCount(
      const double* query, double radius, QueryScratch& scratch,
      Index limit = std::numeric_limits<Index>::max()) const = 0;

  // Number of points within `radius`; writes their coordinate sum to
  // `sum` (d values). Summation order is the index's own (tree order), so
  // results may differ from a naive sum in the last bits.
  virtual Index RadiusSum(const double* query, double radius,
                          QueryScratch& scratch, double* sum) const = 0;

  // Clears `indices` (and `distances` when not null) and fills them with
  // the points within `radius`, in the index's internal order (not sorted).
  virtual void RadiusQuery(const double* query, double radius,
                           QueryScratch& scratch, std::vector<Index>* indices,
                           std::vector<double>* distances = nullptr) const = 0;

  // The k nearest points, sorted by distance, ties by smaller index; writes
  // k indices and (when not null) k distances. k must be in [1, size()]
  // (size() - 1 with a valid `exclude`). `exclude` (>= 0) is an index that
  // is skipped (the query point itself, for neighbours "excluding self").
  virtual void KNearest(const double* query, Index k, QueryScratch& scratch,
                        Index* indices, double* distances,
                        Index exclude = -1) const = 0;

  // Gives `scratch` the capacity this index's radius queries can need, so
  // it never grows during them: a workspace holding it then depends on the
  // index only, not on which worker ran which queries.
  virtual void ReserveScratch(QueryScratch& scratch) const { (void)scratch; }

 protected:
  NeighborIndex(Index n, Index d, Metric metric)
      : n_(n), d_(d), metric_(metric) {}

  // Distance to the reduced form used internally (squared for euclidean).
  double ToReduced(double dist) const {
    return metric_ == Metric::kEuclidean ? dist * dist : dist;
  }
  double FromReduced(double r) const;
  double ReducedDistance(const double* a, const double* b) const;

  Index n_;
  Index d_;
  Metric metric_;
};

// A k-d tree: split on the dimension of largest spread at the median,
// nodes of at most `leaf_size` points, built in O(n log n). Each node keeps
// its bounding box, point count and coordinate sum, so radius counts and
// sums take whole nodes that lie inside the ball without visiting points.
class KDTree : public NeighborIndex {
 public:
  // x: n x d finite data (checked by the caller), leaf_size >= 1.
  KDTree(const ConstMatrixRef& x, Metric metric, int leaf_size = 30);

  Index RadiusCount(
      const double* query, double radius, QueryScratch& scratch,
      Index limit = std::numeric_limits<Index>::max()) const override;
  Index RadiusSum(const double* query, double radius, QueryScratch& scratch,
                  double* sum) const override;
  void RadiusQuery(const double* query, double radius, QueryScratch& scratch,
                   std::vector<Index>* indices,
                   std::vector<double>* distances = nullptr) const override;
  void KNearest(const double* query, Index k, QueryScratch& scratch,
                Index* indices, double* distances,
                Index exclude = -1) const override;

  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  int depth() const { return depth_; }
  // A depth-first search pops a node and pushes its two children: at most
  // one pending node per level, so depth() + 2 entries.
  void ReserveScratch(QueryScratch& scratch) const override {
    scratch.stack.reserve(static_cast<size_t>(depth_) + 2);
  }

 private:
  struct Node {
    Index begin, end;   // points [begin, end) in tree order
    int32_t left = -1;  // children, -1 for a leaf
    int32_t right = -1;
  };
  int32_t Build(Index begin, Index end, int depth);
  double MinReduced(int32_t node, const double* q) const;
  double MaxReduced(int32_t node, const double* q) const;
  const double* Point(Index i) const { return data_.data() + i * d_; }
  const double* Lo(int32_t node) const {
    return bounds_.data() + 2 * node * d_;
  }
  const double* Hi(int32_t node) const { return Lo(node) + d_; }

  int leaf_size_;
  int depth_ = 0;
  std::vector<double> data_;  // n x d, tree order
  std::vector<Index> index_;  // tree position -> original row
  std::vector<Node> nodes_;
  std::vector<double> bounds_;  // per node: lo[d], hi[d]
  std::vector<double> sums_;    // per node: coordinate sum[d]
};

// Brute force over all points: same API, O(n d) per query. Best for high
// dimensions or tiny data.
class BruteForce : public NeighborIndex {
 public:
  BruteForce(const ConstMatrixRef& x, Metric metric);

  Index RadiusCount(
      const double* query, double radius, QueryScratch& scratch,
      Index limit = std::numeric_limits<Index>::max()) const override;
  Index RadiusSum(const double* query, double radius, QueryScratch& scratch,
                  double* sum) const override;
  void RadiusQuery(const double* query, double radius, QueryScratch& scratch,
                   std::vector<Index>* indices,
                   std::vector<double>* distances = nullptr) const override;
  void KNearest(const double* query, Index k, QueryScratch& scratch,
                Index* indices, double* distances,
                Index exclude = -1) const override;

  const Matrix& data() const { return data_; }

 private:
  Matrix data_;
};

// Which index `auto` picks (scikit-learn's rule): brute force for more than
// 15 features, a k-d tree otherwise.
enum class Algorithm { kAuto, kKDTree, kBrute };
absl::StatusOr<Algorithm> ParseAlgorithm(absl::string_view name);

// Builds an index over x (n x d, finite, n >= 1). InvalidArgument for
// leaf_size < 1.
absl::StatusOr<std::unique_ptr<NeighborIndex>> BuildIndex(
    const ConstMatrixRef& x, Metric metric, Algorithm algorithm,
    int leaf_size = 30);

// k nearest neighbours of every row of `queries` (n_queries x d) against
// `index`. With `exclude_self`, `queries` must be the indexed data itself
// (same rows, same order) and row i is not its own neighbour, as
// scikit-learn's kneighbors(None). Writes n_queries x k indices and
// distances (distances may be null), rows sorted by distance, ties by
// index. Parallel over fixed chunks of queries with n_jobs; identical
// output for any n_jobs. For the euclidean metric on brute-force indexes
// with more than 15 features, candidate distances come from blocked GEMM
// products (||q||^2 - 2 q.x + ||x||^2) and the selected k are recomputed
// exactly. InvalidArgument when k is out of range, the shapes disagree or
// n_jobs is 0.
absl::Status KNearestAll(const NeighborIndex& index,
                         const ConstMatrixRef& queries, Index k, int n_jobs,
                         IndexMatrix* indices, Matrix* distances,
                         bool exclude_self = false);

}  // namespace eclipsera::neighbors

#endif  // ECLIPSERA_NEIGHBORS_NEIGHBORS_H_
