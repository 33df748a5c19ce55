// Trustworthiness by per-row ranking (no n x n matrix).
#include "eclipsera/metrics/trustworthiness.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/simd/distance.h"

namespace eclipsera::metrics {
namespace {
constexpr char kContext[] = "trustworthiness";

// Euclidean distances from row i to every row, as scikit-learn's
// euclidean_distances computes them (||x||^2 - 2 x.y + ||y||^2, clamped,
// square root), by the library's blocked SIMD kernel; self excluded by the
// caller. `scratch` holds simd::BlockScratchSize(1, d) doubles.
void EuclideanRow(const ConstMatrixRef& x, const Vector& sqnorms, Index i,
                  Vector* out, std::vector<double>* scratch) {
  const size_t n = static_cast<size_t>(x.rows());
  const size_t d = static_cast<size_t>(x.cols());
  simd::SquaredL2Block(x.data(), n, static_cast<size_t>(x.outerStride()),
                       sqnorms.data(), x.row(i).data(), 1,
                       static_cast<size_t>(x.outerStride()), sqnorms.data() + i,
                       d, out->data(), 1, scratch->data());
  *out = out->cwiseSqrt();
}

}  // namespace

absl::StatusOr<double> Trustworthiness(const ConstMatrixRef& x,
                                       const ConstMatrixRef& x_embedded,
                                       int n_neighbors,
                                       const std::string& metric) {
  absl::Status s = CheckData(kContext, "X", x);
  if (!s.ok()) return s;
  s = CheckData(kContext, "X_embedded", x_embedded);
  if (!s.ok()) return s;
  const Index n = x.rows();
  if (x_embedded.rows() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": X has ", n, " samples but X_embedded has ",
                     x_embedded.rows()));
  }
  const bool precomputed = metric == "precomputed";
  if (!precomputed && metric != "euclidean") {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": unknown metric '", metric,
                     "'; allowed: 'euclidean', 'precomputed'"));
  }
  if (precomputed && x.cols() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext,
                     ": metric='precomputed' needs a square distance matrix, "
                     "got ",
                     n, " x ", x.cols()));
  }
  if (n_neighbors < 1 || n_neighbors >= n / 2.0) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": n_neighbors (", n_neighbors,
        ") should be at least 1 and less than n_samples / 2 (", n / 2.0, ")"));
  }
  const Index k = n_neighbors;
  const Vector sq_x =
      precomputed ? Vector() : Vector(x.rowwise().squaredNorm());
  const Vector sq_y = x_embedded.rowwise().squaredNorm();
  Vector dx(n), dy(n);
  std::vector<double> scratch(simd::BlockScratchSize(
      1, static_cast<size_t>(std::max(x.cols(), x_embedded.cols()))));
  std::vector<std::pair<double, Index>> cand;
  cand.reserve(n);
  double t = 0.0;
  for (Index i = 0; i < n; ++i) {
    // The k nearest neighbours in the embedding (ties by index).
    EuclideanRow(x_embedded, sq_y, i, &dy, &scratch);
    cand.clear();
    for (Index j = 0; j < n; ++j) {
      if (j != i) cand.emplace_back(dy(j), j);
    }
    std::partial_sort(cand.begin(), cand.begin() + k, cand.end());
    if (precomputed) {
      dx = x.row(i).transpose();
    } else {
      EuclideanRow(x, sq_x, i, &dx, &scratch);
    }
    dx(i) = std::numeric_limits<double>::infinity();
    for (Index t_idx = 0; t_idx < k; ++t_idx) {
      const Index j = cand[t_idx].second;
      // 1-based rank of j in the input space.
      Index rank = 1;
      for (Index l = 0; l < n; ++l) {
        if (dx(l) < dx(j) || (dx(l) == dx(j) && l < j)) ++rank;
      }
      if (rank > k) t += static_cast<double>(rank - k);
    }
  }
  const double nd = static_cast<double>(n);
  const double kd = static_cast<double>(k);
  return 1.0 - t * (2.0 / (nd * kd * (2.0 * nd - 3.0 * kd - 1.0)));
}

}  // namespace eclipsera::metrics
