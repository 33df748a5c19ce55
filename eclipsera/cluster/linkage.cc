// scipy-compatible linkage matrix from the agglomerative cores.
#include "eclipsera/cluster/linkage.h"

#include "absl/strings/str_cat.h"
#include "eclipsera/cluster/internal/agglomerative_core.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"

namespace eclipsera::cluster {

using cluster_internal::AgglomerativeWorkspace;
using cluster_internal::LinkageMethod;
using cluster_internal::LinkageMetric;

absl::StatusOr<Matrix> Linkage(const ConstMatrixRef& x,
                               absl::string_view method,
                               absl::string_view metric) {
  constexpr absl::string_view kContext = "Linkage";
  cluster_internal::TreeOptions options;
  ECLIPSERA_ASSIGN_OR_RETURN(
      options.method, cluster_internal::ParseLinkageMethod(kContext, method));
  ECLIPSERA_ASSIGN_OR_RETURN(options.metric,
                             cluster_internal::ParseLinkageMetric(
                                 kContext, metric, /*allow_precomputed=*/true));
  if (options.method == LinkageMethod::kWard &&
      options.metric != LinkageMetric::kEuclidean) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": method 'ward' requires metric 'euclidean', got '", metric,
        "'"));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x, /*min_samples=*/2));
  if (options.metric != LinkageMetric::kPrecomputed) {
    ECLIPSERA_RETURN_IF_ERROR(CheckNotTooSmall(kContext, "X", x));
  }
  if (options.metric == LinkageMetric::kPrecomputed && x.rows() != x.cols()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext,
                     ": with metric 'precomputed' X must be a square distance "
                     "matrix, got shape (",
                     x.rows(), ", ", x.cols(), ")"));
  }
  const Index n = x.rows();
  AgglomerativeWorkspace ws;
  ECLIPSERA_RETURN_IF_ERROR(
      cluster_internal::BuildMerges(kContext, x, options, &ws));
  std::vector<Index> children(2 * (n - 1));
  Vector distances(n - 1), counts(n - 1);
  cluster_internal::LabelMerges(n, cluster_internal::PairOrder::kScipy, &ws,
                                children.data(), distances.data(),
                                counts.data());
  Matrix z(n - 1, 4);
  for (Index i = 0; i + 1 < n; ++i) {
    z(i, 0) = static_cast<double>(children[2 * i]);
    z(i, 1) = static_cast<double>(children[2 * i + 1]);
    z(i, 2) = distances(i);
    z(i, 3) = counts(i);
  }
  return z;
}

}  // namespace eclipsera::cluster
