// Chunked brute-force distances and k-nearest neighbours.
#include "eclipsera/manifold/internal/knn.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "eclipsera/core/parallel.h"
#include "eclipsera/simd/distance.h"

namespace eclipsera::manifold_internal {

Index DistanceChunkRows(Index n) {
  const Index target = (Index{1} << 19) / std::max<Index>(n, 1);
  return std::clamp<Index>(target, 8, 256);
}

void SquaredDistanceRows(const ConstMatrixRef& x, const Vector& sqnorms,
                         Index begin, Index end, double* out) {
  const Index n = x.rows();
  const Index rows = end - begin;
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
    row[begin + r] = 0.0;
  }
}

namespace {

// Below this many rows the distances go through Eigen's product (see Run).
constexpr Index kSmallN = 32;

struct KnnJob {
  const ConstMatrixRef* x;
  bool precomputed;
  Index k;
  Index chunk;
  bool small_n;  // Eigen's product instead of the packed Highway kernel
  Vector sqnorms;
  std::vector<Matrix> dist;                  // per worker: chunk x n
  std::vector<std::vector<double>> scratch;  // per worker, for SquaredL2Block
  std::vector<std::vector<std::pair<double, int32_t>>> cand;  // per worker
  KnnGraph* out;

  void Run(Index begin, Index end, int worker) {
    const Index n = x->rows();
    if (!precomputed && small_n) {
      // Few rows: the packed kernel's scratch (rows padded to 32, times
      // n_features) would be many times X itself on wide data.
      SquaredDistanceRows(*x, sqnorms, begin, end, dist[worker].data());
    } else if (!precomputed) {
      // Highway's blocked GEMM-identity kernel (simd/distance.h), several
      // times faster than Eigen's GEMM at the baseline ISA. The neighbour
      // search only needs an ordering, so its rounding (the same identity,
      // summed in another order) does not matter here.
      double* d = dist[worker].data();
      simd::SquaredL2Block(x->data() + begin * x->outerStride(), end - begin,
                           x->outerStride(), sqnorms.data() + begin, x->data(),
                           n, x->outerStride(), sqnorms.data(), x->cols(), d, n,
                           scratch[worker].data());
      for (Index r = 0; r < end - begin; ++r) d[r * n + begin + r] = 0.0;
    }
    std::vector<std::pair<double, int32_t>>& c = cand[worker];
    for (Index r = 0; r < end - begin; ++r) {
      const Index i = begin + r;
      const double* row = precomputed ? x->data() + i * x->outerStride()
                                      : dist[worker].data() + r * n;
      // The k smallest (distance, index) pairs through a max-heap: after
      // the first k, almost every candidate fails one compare against the
      // current k-th distance. Same result as sorting every pair (indices
      // arrive in increasing order, so a tie never displaces).
      c.clear();
      double kth = std::numeric_limits<double>::infinity();
      for (Index j = 0; j < n; ++j) {
        if (j == i) continue;
        // scikit-learn's kneighbors returns Euclidean distances that TSNE
        // squares again: keep that rounding.
        const double e = precomputed ? row[j] : std::sqrt(row[j]);
        const double key = e * e;
        if (static_cast<Index>(c.size()) < k) {
          c.emplace_back(key, static_cast<int32_t>(j));
          std::push_heap(c.begin(), c.end());
          if (static_cast<Index>(c.size()) == k) kth = c.front().first;
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
  }
};

}  // namespace

void NearestNeighbors(const ConstMatrixRef& x, bool precomputed, Index k,
                      int n_jobs, KnnGraph* out) {
  const Index n = x.rows();
  out->indices.resize(n, k);
  out->sq_distances.resize(n, k);
  KnnJob job;
  job.x = &x;
  job.precomputed = precomputed;
  job.k = k;
  job.chunk = DistanceChunkRows(n);
  job.small_n = n < kSmallN;
  job.out = out;
  const int workers = NumWorkers(n_jobs, NumChunks(n, job.chunk));
  if (!precomputed) {
    job.sqnorms = x.rowwise().squaredNorm();
    job.dist.assign(workers, Matrix(job.chunk, n));
    if (!job.small_n) {
      job.scratch.assign(
          workers, std::vector<double>(simd::BlockScratchSize(
                       static_cast<size_t>(n), static_cast<size_t>(x.cols()))));
    }
  }
  job.cand.resize(workers);
  for (auto& c : job.cand) c.reserve(k);
  KnnJob* j = &job;
  ParallelForChunks(n_jobs, n, job.chunk,
                    [j](Index b, Index e, int w) { j->Run(b, e, w); });
}

}  // namespace eclipsera::manifold_internal
