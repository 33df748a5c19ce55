// DBSCAN: density-based clustering with scikit-learn 1.2's labels, in
// memory linear in the number of samples.
//
// Two passes, never holding every neighbourhood at once (scikit-learn keeps
// them all and runs out of memory on large inputs, its issue 22531):
//  1. core flags: each sample counts its eps-neighbours (itself included),
//     stopping at min_samples; parallel over fixed chunks;
//  2. clusters: scikit-learn's dbscan_inner expands clusters from the
//     unlabelled core samples in index order and gives a border sample to
//     the first cluster that reaches it. Equivalently: clusters are the
//     connected components of core samples, numbered by their smallest core
//     index, and a border sample joins the lowest-numbered cluster with a
//     core sample within eps. Both the expansion (k-d tree, brute force,
//     precomputed) and the grid path produce exactly these labels, with the
//     same numbering as scikit-learn.
//
// The grid path (low dimensions): cells of side eps / c (c = sqrt(d) for
// euclidean, d for manhattan, 1 for chebyshev) so that two samples in the
// same cell are always within eps; a cell with min_samples samples is all
// core, cells are joined by one core pair within eps, and only cells within
// reach of each other are searched.
#ifndef ECLIPSERA_CLUSTER_DBSCAN_H_
#define ECLIPSERA_CLUSTER_DBSCAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/core/workspace.h"
#include "eclipsera/neighbors/neighbors.h"

namespace eclipsera::cluster {

struct DBSCANOptions {
  double eps = 0.5;     // > 0; neighbourhood radius (inclusive).
  int min_samples = 5;  // >= 1; neighbours (self included) of a core sample.
  // 'euclidean', 'manhattan', 'chebyshev', or 'precomputed' (X is an
  // n x n distance matrix).
  std::string metric = "euclidean";
  // 'auto' (grid for <= 3 features, and for 4 when the grid's cell table
  // is small: at most 8 cells per sample plus 4 Mi; otherwise k-d tree for
  // <= 15, brute beyond), 'grid' (<= 4 features), 'kd_tree', 'brute'.
  // Ignored for 'precomputed'.
  std::string algorithm = "auto";
  int leaf_size = 30;  // >= 1; k-d tree leaf size.
  int n_jobs = -1;     // all available cores (see kNJobsDoc); 1 serial.

  static const ParamSchema<DBSCANOptions>& Schema();
};

// Buffers of one fit, grow-only (std::vectors sized with resize/assign and
// GrowBuffers), kept by Reset(): a fit on data that is not larger reuses
// them. The grid's cell table is sized by the data's bounding box in cells
// and keeps a quarter of headroom. The k-d tree of the index paths and the
// sparse grid's hash map are built per fit.
struct DBSCANWorkspace {
  std::vector<uint8_t> core;  // n: core flags (cell order on the grid)
  GrowLabels labels;          // n
  // Cluster expansion (k-d tree, brute force, precomputed), per worker.
  std::vector<std::vector<Index>> neighbours;
  std::vector<neighbors::QueryScratch> scratch;
  // The grid.
  std::vector<std::pair<uint64_t, int32_t>> keyed;  // n: (cell key, sample)
  std::vector<double> pts;                          // n x d, in cell order
  std::vector<int32_t> orig;        // n: sample of each position
  std::vector<uint8_t> cell_core;   // n: core flags in cell order
  std::vector<uint64_t> cell_key;   // per cell
  std::vector<Index> start;         // cells + 1: first position per cell
  std::vector<Index> core_end;      // per cell: end of its core positions
  std::vector<int32_t> dense_cell;  // padded grid + 1: first cell of key >= k
  std::vector<double> tmp_pts;      // one cell's rows while reordering
  std::vector<int32_t> tmp_orig;
  std::vector<int32_t> parent;    // per cell: union-find
  std::vector<int32_t> min_core;  // per cell: smallest core sample
  std::vector<std::pair<int32_t, int32_t>> roots;  // (min core, root)
  std::vector<int32_t> root_label, cell_label;     // per cell

  WorkspaceStats stats() const;
};

class DBSCAN : public EstimatorWithOptions<DBSCAN, DBSCANOptions> {
 public:
  explicit DBSCAN(DBSCANOptions options = {}) : options_(std::move(options)) {}

  std::string name() const override { return "DBSCAN"; }
  const DBSCANOptions& options() const { return options_; }
  void set_options(const DBSCANOptions& options) {
    options_ = options;
    Reset();
  }

  // Clusters x (n_samples x n_features, or n x n distances for
  // 'precomputed'). InvalidArgument for empty or non-finite data, eps <= 0,
  // min_samples < 1, leaf_size < 1, n_jobs = 0, an unknown metric or
  // algorithm, a non-square or negative precomputed matrix, or 'grid' with
  // more than 4 features. The object stays usable after an error.
  // (Fit is Estimator::Fit(x); y is ignored.)

  // Cluster per sample, -1 for noise; numbered as scikit-learn numbers them.
  const LabelVector& labels() const { return labels_; }
  // Indices of core samples, ascending.
  const IndexVector& core_sample_indices() const { return core_; }
  // Rows of x of the core samples (n_core x n_features).
  const Matrix& components() const { return components_; }
  int n_clusters() const { return n_clusters_; }
  // The neighbour search actually used: "grid", "kd_tree", "brute" or
  // "precomputed".
  const std::string& algorithm_used() const { return algorithm_used_; }

  EstimatorKind kind() const override { return EstimatorKind::kClusterer; }
  void Reset() override;
  bool fitted() const override { return fitted_; }
  std::optional<WorkspaceStats> workspace_stats() const override {
    return ws_.stats();
  }
  FittedScalarList FittedScalars() const override;
  // For the Python bindings (no RestoreFitted: nothing predicts from them).
  FittedArrayList FittedArrays() const override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::StatusOr<Vector> DoFitPredict(const ConstMatrixRef& x,
                                      absl::Span<const double> y) override;

 private:
  // Keeps the fit's results (labels, core samples and their rows).
  void StoreResults(const ConstMatrixRef& x, const std::vector<uint8_t>& core,
                    const GrowLabels& labels, int n_clusters,
                    std::string algorithm);

  DBSCANOptions options_;
  LabelVector labels_;
  IndexVector core_;
  Matrix components_;
  int n_clusters_ = 0;
  std::string algorithm_used_;
  bool fitted_ = false;
  DBSCANWorkspace ws_;
};

// Registers "DBSCAN" (main output: labels).
absl::Status RegisterDBSCAN(EstimatorRegistry& registry);

}  // namespace eclipsera::cluster

#endif  // ECLIPSERA_CLUSTER_DBSCAN_H_
