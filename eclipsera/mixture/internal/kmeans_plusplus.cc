// Greedy k-means++ seeding, following sklearn/cluster/_kmeans.py.
#include "eclipsera/mixture/internal/kmeans_plusplus.h"

#include <algorithm>
#include <cmath>

namespace eclipsera::mixture_internal {

std::vector<Index> KMeansPlusPlusIndices(const ConstMatrixRef& x,
                                         int n_clusters, Random& rng) {
  const Index n = x.rows();
  std::vector<Index> indices;
  indices.reserve(n_clusters);
  const int n_local_trials =
      2 + static_cast<int>(std::log(static_cast<double>(n_clusters)));
  const Index first = static_cast<Index>(rng.UniformInt(n));
  indices.push_back(first);
  Vector closest(n);
  for (Index i = 0; i < n; ++i) {
    closest(i) = (x.row(i) - x.row(first)).squaredNorm();
  }
  double current_pot = closest.sum();
  Vector cumsum(n);
  Matrix cand_dist(n_local_trials, n);
  std::vector<Index> cand_ids(n_local_trials);
  for (int c = 1; c < n_clusters; ++c) {
    double acc = 0.0;
    for (Index i = 0; i < n; ++i) {
      acc += closest(i);
      cumsum(i) = acc;
    }
    for (int t = 0; t < n_local_trials; ++t) {
      const double v = rng.Uniform() * current_pot;
      // np.searchsorted(side='left'): first i with cumsum[i] >= v.
      Index id =
          std::lower_bound(cumsum.data(), cumsum.data() + n, v) - cumsum.data();
      cand_ids[t] = std::min(id, n - 1);
    }
    int best = 0;
    double best_pot = 0.0;
    for (int t = 0; t < n_local_trials; ++t) {
      double pot = 0.0;
      for (Index i = 0; i < n; ++i) {
        const double d =
            std::min(closest(i), (x.row(i) - x.row(cand_ids[t])).squaredNorm());
        cand_dist(t, i) = d;
        pot += d;
      }
      if (t == 0 || pot < best_pot) {
        best = t;
        best_pot = pot;
      }
    }
    current_pot = best_pot;
    closest = cand_dist.row(best).transpose();
    indices.push_back(cand_ids[best]);
  }
  return indices;
}

}  // namespace eclipsera::mixture_internal
