// Chunked brute-force distances and k-nearest neighbours.
#include "eclipsera/manifold/internal/knn.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "eclipsera/core/parallel.h"

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

struct KnnJob {
  const ConstMatrixRef* x;
  bool precomputed;
  Index k;
  Index chunk;
  Vector sqnorms;
  std::vector<Matrix> dist;  // per worker: chunk x n
  std::vector<std::vector<std::pair<double, int32_t>>> cand;  // per worker
  KnnGraph* out;

  void Run(Index begin, Index end, int worker) {
    const Index n = x->rows();
    if (!precomputed) {
      SquaredDistanceRows(*x, sqnorms, begin, end, dist[worker].data());
    }
    std::vector<std::pair<double, int32_t>>& c = cand[worker];
    for (Index r = 0; r < end - begin; ++r) {
      const Index i = begin + r;
      const double* row = precomputed ? x->data() + i * x->outerStride()
                                      : dist[worker].data() + r * n;
      c.clear();
      for (Index j = 0; j < n; ++j) {
        if (j == i) continue;
        // scikit-learn's kneighbors returns Euclidean distances that TSNE
        // squares again: keep that rounding.
        double e = precomputed ? row[j] : std::sqrt(row[j]);
        c.emplace_back(e * e, static_cast<int32_t>(j));
      }
      std::nth_element(c.begin(), c.begin() + (k - 1), c.end());
      std::sort(c.begin(), c.begin() + k);
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
  job.out = out;
  const int workers = NumWorkers(n_jobs, NumChunks(n, job.chunk));
  if (!precomputed) {
    job.sqnorms = x.rowwise().squaredNorm();
    job.dist.assign(workers, Matrix(job.chunk, n));
  }
  job.cand.resize(workers);
  for (auto& c : job.cand) c.reserve(n);
  KnnJob* j = &job;
  ParallelForChunks(n_jobs, n, job.chunk,
                    [j](Index b, Index e, int w) { j->Run(b, e, w); });
}

}  // namespace eclipsera::manifold_internal
