// Agglomerative (hierarchical) clustering as scikit-learn 1.2's
// AgglomerativeClustering without connectivity constraints: ward, complete,
// average or single linkage, the tree cut at n_clusters or at a distance
// threshold.
#ifndef ECLIPSERA_CLUSTER_AGGLOMERATIVE_H_
#define ECLIPSERA_CLUSTER_AGGLOMERATIVE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Eigen/Core"
#include "absl/status/status.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"

namespace eclipsera::cluster_internal {
struct AgglomerativeWorkspace;
}  // namespace eclipsera::cluster_internal

namespace eclipsera::cluster {

// Hyperparameters, with scikit-learn's names and defaults.
struct AgglomerativeClusteringOptions {
  // >= 1 and <= n_samples; None (unset) exactly when distance_threshold is
  // set.
  std::optional<int64_t> n_clusters = 2;
  // >= 0: cut where merge distances reach it; None exactly when n_clusters
  // is set.
  std::optional<double> distance_threshold;
  // 'ward' (default), 'complete', 'average' or 'single'.
  std::string linkage = "ward";
  // 'euclidean' (alias 'l2'), 'manhattan' (aliases 'l1', 'cityblock'),
  // 'cosine', or 'precomputed' (X is then the n x n distance matrix); ward
  // needs 'euclidean'.
  std::string metric = "euclidean";
  // 'auto', 'true' or 'false' (SetParams also takes a bool). Without a
  // connectivity matrix scikit-learn always builds the full tree, so this
  // only matters for validation: 'false' with distance_threshold is an
  // error.
  std::string compute_full_tree = "auto";
  // Keep the merge distances (distances()) even without distance_threshold.
  bool compute_distances = false;
  // Threads for the nearest-neighbour scans (not a scikit-learn parameter):
  // 1 serial, -1 all cores, k threads; the result is identical for any
  // value. Scans are fine-grained, so this pays off only for large n.
  int n_jobs = -1;  // all available cores (see kNJobsDoc); 1 serial.

  static const ParamSchema<AgglomerativeClusteringOptions>& Schema();
};

// (n_samples - 1) x 2 merge tree: row i joins two nodes into node
// n_samples + i; leaves are 0..n_samples-1 (scikit-learn's children_).
using ChildrenMatrix = Eigen::Matrix<Index, Eigen::Dynamic, 2, Eigen::RowMajor>;

class AgglomerativeClustering
    : public EstimatorWithOptions<AgglomerativeClustering,
                                  AgglomerativeClusteringOptions> {
 public:
  explicit AgglomerativeClustering(AgglomerativeClusteringOptions options = {});
  ~AgglomerativeClustering() override;
  // Copies the options and the fitted results (not the workspace).
  AgglomerativeClustering(const AgglomerativeClustering& other);
  AgglomerativeClustering& operator=(const AgglomerativeClustering& other);

  std::string name() const override { return "AgglomerativeClustering"; }
  const AgglomerativeClusteringOptions& options() const { return options_; }
  void set_options(const AgglomerativeClusteringOptions& options);

  // Fits on x (n_samples x n_features, or n_samples x n_samples distances
  // with metric 'precomputed'); n_samples >= 2. InvalidArgument on bad
  // options (n_clusters < 1 or > n_samples, both or neither of n_clusters
  // and distance_threshold, unknown linkage/metric, ward with a
  // non-euclidean metric...), NaN/Inf, empty or non-square precomputed
  // input. The object stays usable after an error. With the workspace kept
  // from an earlier fit of the same size, Fit performs no heap allocation.
  // (Fit is Estimator::Fit(x); y is ignored.)

  // Fitted results (empty before Fit).
  const LabelVector& labels() const { return labels_; }
  const ChildrenMatrix& children() const { return children_; }
  // Merge distances (n_samples - 1), non-decreasing; only when
  // compute_distances or distance_threshold is set, else empty.
  const Vector& distances() const { return distances_; }
  Index n_leaves() const { return n_leaves_; }
  Index n_connected_components() const { return n_connected_components_; }
  // scikit-learn's n_clusters_: n_clusters, or with distance_threshold the
  // number of merge distances >= threshold, plus one.
  Index n_clusters_found() const { return n_clusters_found_; }

  EstimatorKind kind() const override { return EstimatorKind::kClusterer; }
  void Reset() override;
  std::optional<WorkspaceStats> workspace_stats() const override;
  bool fitted() const override { return fitted_; }
  FittedScalarList FittedScalars() const override;
  // For the Python bindings (no RestoreFitted: nothing predicts from them).
  FittedArrayList FittedArrays() const override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::StatusOr<Vector> DoFitPredict(const ConstMatrixRef& x,
                                      absl::Span<const double> y) override;

 private:
  AgglomerativeClusteringOptions options_;
  std::unique_ptr<cluster_internal::AgglomerativeWorkspace> workspace_;
  LabelVector labels_;
  ChildrenMatrix children_;
  Vector distances_;
  Vector all_distances_;
  Index n_leaves_ = 0;
  Index n_connected_components_ = 0;
  Index n_clusters_found_ = 0;
  bool fitted_ = false;
};

// Registers "AgglomerativeClustering" (labels output) for the command.
absl::Status RegisterAgglomerativeClustering(EstimatorRegistry& registry);

}  // namespace eclipsera::cluster

#endif  // ECLIPSERA_CLUSTER_AGGLOMERATIVE_H_
