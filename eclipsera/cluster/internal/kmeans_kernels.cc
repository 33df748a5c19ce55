// K-Means inner kernels.
#include "eclipsera/cluster/internal/kmeans_kernels.h"

#include <algorithm>

#include "eclipsera/simd/distance.h"

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

Index AssignScratchSize(Index k, Index d) {
  return static_cast<Index>(simd::BlockScratchSize(k, d));
}

void AssignNearest(const ConstMatrixRef& x, Index begin, Index end,
                   const double* x_sqnorms, const ConstMatrixRef& centers,
                   const double* c_sqnorms, double* scratch, int32_t* labels) {
  if (end <= begin) return;
  simd::NearestCenters(x.row(begin).data(), end - begin, x.outerStride(),
                       x_sqnorms == nullptr ? nullptr : x_sqnorms + begin,
                       centers.data(), centers.rows(), centers.outerStride(),
                       c_sqnorms, x.cols(), labels + begin, nullptr, scratch);
}

}  // namespace eclipsera::cluster_internal
