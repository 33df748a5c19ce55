// Clustering metrics as scikit-learn 1.2's sklearn.metrics.cluster.
//
// Label-comparison metrics (labels_true against labels_pred, any finite
// numbers as labels) and internal measures of a clustering of X (silhouette,
// Calinski-Harabasz, Davies-Bouldin, Euclidean distances).
#ifndef ECLIPSERA_METRICS_CLUSTER_H_
#define ECLIPSERA_METRICS_CLUSTER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::metrics {

using ClusterLabels = absl::Span<const double>;

absl::StatusOr<double> RandScore(ClusterLabels labels_true,
                                 ClusterLabels labels_pred);
absl::StatusOr<double> AdjustedRandScore(ClusterLabels labels_true,
                                         ClusterLabels labels_pred);
absl::StatusOr<double> MutualInfoScore(ClusterLabels labels_true,
                                       ClusterLabels labels_pred);
// average_method: 'arithmetic' (default), 'geometric', 'min' or 'max'.
absl::StatusOr<double> NormalizedMutualInfoScore(
    ClusterLabels labels_true, ClusterLabels labels_pred,
    const std::string& average_method = "arithmetic");
absl::StatusOr<double> AdjustedMutualInfoScore(
    ClusterLabels labels_true, ClusterLabels labels_pred,
    const std::string& average_method = "arithmetic");

struct HomogeneityCompletenessV {
  double homogeneity;
  double completeness;
  double v_measure;
};
absl::StatusOr<HomogeneityCompletenessV> HomogeneityCompletenessVMeasure(
    ClusterLabels labels_true, ClusterLabels labels_pred, double beta = 1.0);
absl::StatusOr<double> HomogeneityScore(ClusterLabels labels_true,
                                        ClusterLabels labels_pred);
absl::StatusOr<double> CompletenessScore(ClusterLabels labels_true,
                                         ClusterLabels labels_pred);
absl::StatusOr<double> VMeasureScore(ClusterLabels labels_true,
                                     ClusterLabels labels_pred,
                                     double beta = 1.0);
absl::StatusOr<double> FowlkesMallowsScore(ClusterLabels labels_true,
                                           ClusterLabels labels_pred);

struct SilhouetteOptions {
  // Only 'euclidean' (scikit-learn's default).
  std::string metric = "euclidean";
  // silhouette_score only: the mean over a random subset of this many
  // samples (drawn with random_state; not numpy's stream, so a different
  // subset than scikit-learn's for the same seed).
  std::optional<int64_t> sample_size;
  std::optional<int64_t> random_state;
  int n_jobs = -1;  // threads (see core/parallel.h); results do not depend
};

// Per-sample silhouette coefficients, (b - a) / max(a, b), 0 for samples in
// singleton clusters. Exact pairwise distances computed in blocks: memory
// linear in n (no n x n matrix), time O(n^2 d), parallel over row blocks.
// Needs 2 <= number of labels <= n_samples - 1.
absl::StatusOr<Vector> SilhouetteSamples(const ConstMatrixRef& x,
                                         ClusterLabels labels,
                                         const SilhouetteOptions& options = {});
absl::StatusOr<double> SilhouetteScore(const ConstMatrixRef& x,
                                       ClusterLabels labels,
                                       const SilhouetteOptions& options = {});

absl::StatusOr<double> CalinskiHarabaszScore(const ConstMatrixRef& x,
                                             ClusterLabels labels);
absl::StatusOr<double> DaviesBouldinScore(const ConstMatrixRef& x,
                                          ClusterLabels labels);

}  // namespace eclipsera::metrics

#endif  // ECLIPSERA_METRICS_CLUSTER_H_
