// K-Means inner kernels.
#include "eclipsera/cluster/internal/kmeans_kernels.h"

#include <algorithm>

namespace eclipsera::cluster_internal {

Index ReductionChunkRows(Index n) {
  const Index max_chunks = 64;
  const Index tiles = (n + kTileRows - 1) / kTileRows;
  const Index tiles_per_chunk =
      std::max<Index>(1, (tiles + max_chunks - 1) / max_chunks);
  return tiles_per_chunk * kTileRows;
}

double SquaredDistance(const double* a, const double* b, Index d) {
  double result = 0.0;
  const Index blocks = d / 4;
  for (Index i = 0; i < blocks; ++i, a += 4, b += 4) {
    result += ((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
               (a[2] - b[2]) * (a[2] - b[2]) + (a[3] - b[3]) * (a[3] - b[3]));
  }
  for (Index i = 0; i < d % 4; ++i) result += (a[i] - b[i]) * (a[i] - b[i]);
  return result;
}

void AssignNearest(const ConstMatrixRef& x, Index begin, Index end,
                   const ConstMatrixRef& centers, const double* c_sqnorms,
                   double* tile, int32_t* labels) {
  const Index k = centers.rows();
  for (Index t0 = begin; t0 < end; t0 += kTileRows) {
    const Index rows = std::min(kTileRows, end - t0);
    Eigen::Map<Matrix> dots(tile, rows, k);
    dots.noalias() = x.middleRows(t0, rows) * centers.transpose();
    for (Index i = 0; i < rows; ++i) {
      const double* row = tile + i * k;
      int32_t best = 0;
      double best_value = c_sqnorms[0] - 2.0 * row[0];
      for (Index j = 1; j < k; ++j) {
        const double v = c_sqnorms[j] - 2.0 * row[j];
        if (v < best_value) {
          best_value = v;
          best = static_cast<int32_t>(j);
        }
      }
      labels[t0 + i] = best;
    }
  }
}

}  // namespace eclipsera::cluster_internal
