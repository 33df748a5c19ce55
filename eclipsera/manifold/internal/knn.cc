// Chunked brute-force distances, and t-SNE's k nearest neighbours.
#include "eclipsera/manifold/internal/knn.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/neighbors/neighbors.h"
#include "eclipsera/simd/distance.h"

namespace eclipsera::manifold_internal {

// Below this many rows the distances go through Eigen's product.
constexpr Index kSmallN = 32;

Index DistanceChunkRows(Index n) {
  const Index target = (Index{1} << 19) / std::max<Index>(n, 1);
  return std::clamp<Index>(target, 8, 256);
}

size_t DistanceScratchSize(Index n, Index d) {
  return n < kSmallN ? 0
                     : simd::BlockScratchSize(static_cast<size_t>(n),
                                              static_cast<size_t>(d));
}

void SquaredDistanceRows(const ConstMatrixRef& x, const Vector& sqnorms,
                         Index begin, Index end, double* out, double* scratch) {
  const Index n = x.rows();
  const Index rows = end - begin;
  if (n >= kSmallN) {
    // The library's blocked Highway kernel of the GEMM identity.
    simd::SquaredL2Block(x.data() + begin * x.outerStride(), rows,
                         x.outerStride(), sqnorms.data() + begin, x.data(), n,
                         x.outerStride(), sqnorms.data(), x.cols(), out, n,
                         scratch);
  } else {
    // Few rows: the packed kernel's scratch (rows padded to 32, times
    // n_features) would be many times X itself on wide data.
    Eigen::Map<Matrix> d(out, rows, n);
    d.noalias() = -2.0 * (x.middleRows(begin, rows) * x.transpose());
    for (Index r = 0; r < rows; ++r) {
      const double xi = sqnorms(begin + r);
      double* row = out + r * n;
      for (Index j = 0; j < n; ++j) {
        double v = row[j] + xi;
        v += sqnorms(j);
        row[j] = v > 0.0 ? v : 0.0;
      }
    }
  }
  for (Index r = 0; r < rows; ++r) out[r * n + begin + r] = 0.0;
}

namespace {

// The k smallest entries of each row of an n x n precomputed distance
// matrix (the diagonal skipped), as squared distances, through a max-heap:
// after the first k, almost every candidate fails one compare against the
// current k-th distance. Same result as sorting every pair (indices arrive
// in increasing order, so a tie never displaces).
void PrecomputedNeighbors(const ConstMatrixRef& x, Index k, int n_jobs,
                          KnnGraph* out) {
  const Index n = x.rows();
  const int workers = NumWorkers(n_jobs, NumChunks(n, DistanceChunkRows(n)));
  std::vector<std::vector<std::pair<double, int32_t>>> cand(workers);
  for (auto& c : cand) c.reserve(k);
  ParallelForChunks(n_jobs, n, DistanceChunkRows(n),
                    [&](Index begin, Index end, int w) {
                      std::vector<std::pair<double, int32_t>>& c = cand[w];
                      for (Index i = begin; i < end; ++i) {
                        const double* row = x.data() + i * x.outerStride();
                        c.clear();
                        double kth = std::numeric_limits<double>::infinity();
                        for (Index j = 0; j < n; ++j) {
                          if (j == i) continue;
                          const double key = row[j] * row[j];
                          if (static_cast<Index>(c.size()) < k) {
                            c.emplace_back(key, static_cast<int32_t>(j));
                            std::push_heap(c.begin(), c.end());
                            if (static_cast<Index>(c.size()) == k)
                              kth = c.front().first;
                          } else if (key < kth) {
                            std::pop_heap(c.begin(), c.end());
                            c.back() = {key, static_cast<int32_t>(j)};
                            std::push_heap(c.begin(), c.end());
                            kth = c.front().first;
                          }
                        }
                        std::sort_heap(c.begin(), c.end());
                        for (Index t = 0; t < k; ++t) {
                          out->sq_distances(i, t) = c[t].first;
                          out->indices(i, t) = c[t].second;
                        }
                      }
                    });
}

}  // namespace

void NearestNeighbors(const ConstMatrixRef& x, bool precomputed, Index k,
                      int n_jobs, KnnGraph* out) {
  const Index n = x.rows();
  out->indices.resize(n, k);
  out->sq_distances.resize(n, k);
  if (precomputed) {
    PrecomputedNeighbors(x, k, n_jobs, out);
    return;
  }
  // The library's one k-NN (eclipsera/neighbors: a k-d tree in low
  // dimension, blocked SIMD distances otherwise), as scikit-learn's TSNE
  // uses NearestNeighbors; its Euclidean distances are squared here, as
  // TSNE squares them.
  absl::StatusOr<std::unique_ptr<neighbors::NeighborIndex>> index =
      neighbors::BuildIndex(x, neighbors::Metric::kEuclidean,
                            neighbors::Algorithm::kAuto);
  neighbors::IndexMatrix indices;
  Matrix distances;
  absl::Status s = index.status();
  if (s.ok()) {
    s = neighbors::KNearestAll(**index, x, k, n_jobs, &indices, &distances,
                               /*exclude_self=*/true);
  }
  // The caller checked X (finite) and 1 <= k < n: a failure is a bug.
  assert(s.ok());
  (void)s;
  out->indices = indices.cast<int32_t>();
  out->sq_distances = distances.array().square().matrix();
}

}  // namespace eclipsera::manifold_internal
