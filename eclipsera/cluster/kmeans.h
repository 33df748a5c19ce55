// K-means clustering as scikit-learn 1.2's KMeans: k-means++ (greedy local
// trials) or random seeding, Lloyd or Elkan iterations, empty-cluster
// relocation, n_init restarts, sample weights.
#ifndef ECLIPSERA_CLUSTER_KMEANS_H_
#define ECLIPSERA_CLUSTER_KMEANS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "eclipsera/cluster/internal/kmeans_kernels.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/core/workspace.h"

namespace eclipsera::cluster {

// Hyperparameters, with scikit-learn's names and defaults.
struct KMeansOptions {
  int n_clusters = 8;              // In [1, n_samples].
  std::string init = "k-means++";  // 'k-means++' or 'random'.
  // Explicit initial centers (n_clusters x n_features), scikit-learn's
  // ndarray `init`; when set, `init` is ignored and one run is made.
  std::optional<Matrix> init_centers;
  int n_init = 10;     // >= 1; restarts, the lowest inertia wins.
  int max_iter = 300;  // >= 1.
  // Relative tolerance: stop when the squared center shift is <= tol times
  // the mean feature variance of X.
  double tol = 1e-4;
  int verbose = 0;                      // >= 0; progress on stderr.
  std::optional<int64_t> random_state;  // None: a different seed per run.
  // 'lloyd', 'elkan', 'hamerly' (an extension: one upper and one lower
  // bound per sample) or 'auto' (hamerly for n_features <= 16, lloyd
  // otherwise; scikit-learn 1.2's 'auto' always means lloyd). 'full' is
  // accepted as scikit-learn's deprecated alias of 'lloyd'.
  std::string algorithm = "lloyd";
  int n_jobs = -1;  // all available cores (see kNJobsDoc); 1 serial.

  static const ParamSchema<KMeansOptions>& Schema();
};

// Buffers of one fit, grow-only (core/workspace.h): a later fit on data
// that is not larger reuses them without allocating (roadmap section 2.2).
// Only KMeans uses its members.
struct KMeansWorkspace {
  GrowMatrix x;             // centered copy of X
  GrowVector x_sqnorms;     // ||x_i||^2
  GrowVector weights;       // sample weights
  GrowMatrix centers;       // current centers
  GrowMatrix centers_new;   // next centers
  GrowMatrix best_centers;  // best run so far
  GrowVector c_sqnorms;     // ||c_j||^2
  GrowVector weight_in_clusters;
  GrowVector center_shift;
  GrowLabels labels, labels_old, best_labels;
  GrowVector distances;        // per-sample distance (relocation, k-means++)
  GrowMatrix tiles;            // per-worker distance tiles
  GrowMatrix partial_sums;     // per-chunk center sums (n_chunks * k x d)
  GrowMatrix partial_weights;  // per-chunk weights (n_chunks x k)
  // Elkan bounds.
  GrowVector upper_bounds;
  GrowMatrix lower_bounds;
  GrowMatrix center_half_distances;
  GrowVector distance_next_center;
  // Hamerly's per-sample lower bound (second-closest center), and a k-d
  // tree over the centers for its full searches in low dimension.
  GrowVector hamerly_lower;
  cluster_internal::CenterTree center_tree;
  // k-means++ scratch.
  GrowMatrix candidate_dist;
  GrowVector cumsum;

  WorkspaceStats stats() const;
};

class KMeans : public EstimatorWithOptions<KMeans, KMeansOptions> {
 public:
  explicit KMeans(KMeansOptions options = {});

  // Fit is Estimator::Fit(x, y, FitArgs{sample_weight}): y is ignored;
  // sample_weight is empty (all ones) or has n_samples non-negative finite
  // entries. InvalidArgument on bad options or data.

  // Nearest-center labels. FailedPrecondition before Fit.
  absl::StatusOr<LabelVector> PredictLabels(const ConstMatrixRef& x) const;
  // Euclidean distances to every center (n_samples x n_clusters).
  absl::StatusOr<Matrix> TransformDistances(const ConstMatrixRef& x) const;
  // Minus the (weighted) inertia of x with respect to the centers.
  absl::StatusOr<double> ScoreInertia(
      const ConstMatrixRef& x,
      absl::Span<const double> sample_weight = {}) const;

  const KMeansOptions& options() const { return options_; }
  void set_options(const KMeansOptions& options);

  const Matrix& cluster_centers() const { return cluster_centers_; }
  const LabelVector& labels() const { return labels_; }
  double inertia() const { return inertia_; }
  int n_iter() const { return n_iter_; }
  // The algorithm actually run ('lloyd', 'elkan' or 'hamerly').
  const std::string& algorithm_used() const { return algorithm_used_; }

  std::string name() const override { return "KMeans"; }
  EstimatorKind kind() const override { return EstimatorKind::kClusterer; }
  bool supports_sample_weight() const override { return true; }
  Index n_features_out() const override {
    return fitted_ ? cluster_centers_.rows() : 0;
  }
  void Reset() override;
  std::optional<WorkspaceStats> workspace_stats() const override {
    return ws_.stats();
  }
  bool fitted() const override { return fitted_; }
  FittedScalarList FittedScalars() const override;
  // cluster_centers and labels.
  FittedArrayList FittedArrays() const override;
  absl::Status RestoreFitted(const FittedArrayList& arrays,
                             absl::Span<const FittedScalar> scalars) override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoPredictInto(const ConstMatrixRef& x,
                             VectorRef out) const override;
  absl::StatusOr<Vector> DoFitPredict(const ConstMatrixRef& x,
                                      absl::Span<const double> y) override;
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override;
  absl::StatusOr<double> DoScore(const ConstMatrixRef& x,
                                 absl::Span<const double> y) const override;

 private:
  absl::Status Validate(const ConstMatrixRef& x,
                        absl::Span<const double> sample_weight) const;

  KMeansOptions options_;
  KMeansWorkspace ws_;
  Matrix cluster_centers_;
  LabelVector labels_;
  double inertia_ = 0.0;
  int n_iter_ = 0;
  std::string algorithm_used_;
  bool fitted_ = false;
};

// scikit-learn's kmeans_plusplus: n_clusters centers chosen from x with
// greedy local trials (n_local_trials < 0: 2 + floor(log(k)) candidates per
// step). The same random state gives the same centers for any n_jobs.
// When `indices` is not null it receives the row of x each center came from
// (scikit-learn's second return value).
absl::StatusOr<Matrix> KMeansPlusPlus(const ConstMatrixRef& x, int n_clusters,
                                      Random& random, int n_local_trials = -1,
                                      int n_jobs = -1,
                                      std::vector<Index>* indices = nullptr);

absl::Status RegisterKMeans(EstimatorRegistry& registry);

}  // namespace eclipsera::cluster

#endif  // ECLIPSERA_CLUSTER_KMEANS_H_
