// K-Means inner kernels.
#include "eclipsera/cluster/internal/kmeans_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "eclipsera/core/parallel.h"
#include "eclipsera/simd/distance.h"

namespace eclipsera::cluster_internal {

constexpr Index kMaxReductionChunks = 64;

Index MaxReductionChunks(Index n) {
  return std::min(kMaxReductionChunks, (n + kTileRows - 1) / kTileRows);
}

Index ReductionChunkRows(Index n) {
  const Index max_chunks = kMaxReductionChunks;
  const Index tiles = (n + kTileRows - 1) / kTileRows;
  const Index tiles_per_chunk =
      std::max<Index>(1, (tiles + max_chunks - 1) / max_chunks);
  return tiles_per_chunk * kTileRows;
}

void CenterDistancesInto(const ConstMatrixRef& x, const ConstMatrixRef& centers,
                         int n_jobs, MatrixRef out) {
  ParallelForChunks(n_jobs, x.rows(), kTileRows, [&](Index b, Index e, int) {
    for (Index i = b; i < e; ++i) {
      for (Index j = 0; j < centers.rows(); ++j) {
        out(i, j) = std::sqrt(
            SquaredDistance(x.row(i).data(), centers.row(j).data(), x.cols()));
      }
    }
  });
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

namespace {
constexpr int32_t kLeafSize = 8;
}  // namespace

void CenterTree::Build(const ConstMatrixRef& centers) {
  const Index k = centers.rows();
  d_ = centers.cols();
  if (static_cast<Index>(order_.size()) != k) order_.resize(k);
  for (Index j = 0; j < k; ++j) order_[j] = static_cast<int32_t>(j);
  if (points_.rows() != k || points_.cols() != d_) points_.resize(k, d_);
  points_ = centers;  // scratch copy used for partitioning by coordinate
  nodes_.clear();
  BuildNode(0, static_cast<int32_t>(k));
  for (Index j = 0; j < k; ++j) points_.row(j) = centers.row(order_[j]);
}

int32_t CenterTree::BuildNode(int32_t begin, int32_t end) {
  const int32_t id = static_cast<int32_t>(nodes_.size());
  nodes_.push_back({begin, end, -1, -1, 0, 0.0});
  if (end - begin <= kLeafSize) return id;
  // Split the widest dimension at the median.
  int32_t dim = 0;
  double widest = -1.0;
  for (Index c = 0; c < d_; ++c) {
    double lo = points_(order_[begin], c), hi = lo;
    for (int32_t i = begin + 1; i < end; ++i) {
      const double v = points_(order_[i], c);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (hi - lo > widest) {
      widest = hi - lo;
      dim = static_cast<int32_t>(c);
    }
  }
  const int32_t mid = begin + (end - begin) / 2;
  std::nth_element(
      order_.begin() + begin, order_.begin() + mid, order_.begin() + end,
      [&](int32_t a, int32_t b) { return points_(a, dim) < points_(b, dim); });
  const double split = points_(order_[mid], dim);
  const int32_t left = BuildNode(begin, mid);
  const int32_t right = BuildNode(mid, end);
  nodes_[id].left = left;
  nodes_[id].right = right;
  nodes_[id].dim = dim;
  nodes_[id].split = split;
  return id;
}

void CenterTree::Query2(const double* x, int32_t* best, double* d1,
                        double* d2) const {
  double b1 = std::numeric_limits<double>::infinity(), b2 = b1;
  int32_t bi = -1;
  // Depth-first, nearer child first; a subtree is skipped when the plane
  // is farther than the current second-best distance.
  struct Item {
    int32_t node;
    double plane_sq;
  };
  Item stack[128];
  int top = 0;
  stack[top++] = {0, 0.0};
  while (top > 0) {
    const Item it = stack[--top];
    if (it.plane_sq > b2) continue;
    const Node& n = nodes_[it.node];
    if (n.left < 0) {
      for (int32_t p = n.begin; p < n.end; ++p) {
        const double dist = SquaredDistance(x, points_.row(p).data(), d_);
        const int32_t j = order_[p];
        if (dist < b1 || (dist == b1 && j < bi)) {
          b2 = b1;
          b1 = dist;
          bi = j;
        } else if (dist < b2) {
          b2 = dist;
        }
      }
      continue;
    }
    const double diff = x[n.dim] - n.split;
    const double plane = diff * diff;
    const int32_t near = diff < 0 ? n.left : n.right;
    const int32_t far = diff < 0 ? n.right : n.left;
    stack[top++] = {far, plane};
    stack[top++] = {near, 0.0};
  }
  *best = bi;
  *d1 = b1;
  *d2 = b2;
}

}  // namespace eclipsera::cluster_internal
