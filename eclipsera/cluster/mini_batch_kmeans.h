// Mini-batch K-means as scikit-learn 1.2's MiniBatchKMeans: random batches
// with replacement, per-center learning rates from accumulated weights,
// random reassignment of starved centers, early stopping on the smoothed
// batch inertia, partial_fit for streaming data.
#ifndef ECLIPSERA_CLUSTER_MINI_BATCH_KMEANS_H_
#define ECLIPSERA_CLUSTER_MINI_BATCH_KMEANS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/core/workspace.h"

namespace eclipsera::cluster {

struct MiniBatchKMeansOptions {
  int n_clusters = 8;                  // In [1, n_samples].
  std::string init = "k-means++";      // 'k-means++' or 'random'.
  std::optional<Matrix> init_centers;  // explicit (n_clusters x n_features)
  int max_iter = 100;                  // >= 1; passes over the data.
  int batch_size = 1024;               // >= 1.
  int verbose = 0;
  bool compute_labels = true;
  std::optional<int64_t> random_state;
  double tol = 0.0;             // >= 0; relative, on the squared center change.
  int max_no_improvement = 10;  // < 0: None (no early stopping on inertia).
  int init_size = -1;           // < 0: None = 3 * batch_size (at least 3 * k).
  int n_init = 3;               // >= 1.
  double reassignment_ratio = 0.01;  // >= 0.
  int n_jobs = -1;  // all available cores (see kNJobsDoc); 1 serial.

  static const ParamSchema<MiniBatchKMeansOptions>& Schema();
};

// Buffers of the mini-batch loop, sized once per fit.
struct MiniBatchKMeansWorkspace {
  GrowMatrix batch;  // gathered batch rows
  GrowVector batch_weights;
  std::vector<Index> batch_indices;
  GrowLabels batch_labels;
  GrowMatrix centers_new;
  GrowMatrix tiles;  // per-worker distance tiles
  GrowVector c_sqnorms;
  GrowVector partials;             // per-chunk inertia
  std::vector<Index> permutation;  // reassignment sampling
  std::vector<uint8_t> to_reassign;
  std::vector<Index> order;

  WorkspaceStats stats() const;
};

class MiniBatchKMeans
    : public EstimatorWithOptions<MiniBatchKMeans, MiniBatchKMeansOptions> {
 public:
  explicit MiniBatchKMeans(MiniBatchKMeansOptions options = {});

  // Fit is Estimator::Fit(x, y, FitArgs{sample_weight}); y is ignored.
  // One mini-batch step on x (scikit-learn's partial_fit); the first call
  // initialises the centers from x.
  absl::Status PartialFit(const ConstMatrixRef& x,
                          absl::Span<const double> sample_weight = {});

  absl::StatusOr<LabelVector> PredictLabels(const ConstMatrixRef& x) const;

  const MiniBatchKMeansOptions& options() const { return options_; }
  void set_options(const MiniBatchKMeansOptions& options);

  const Matrix& cluster_centers() const { return centers_; }
  const LabelVector& labels() const { return labels_; }
  double inertia() const { return inertia_; }
  int n_iter() const { return n_iter_; }
  int n_steps() const { return n_steps_; }
  const Vector& counts() const { return counts_; }

  std::string name() const override { return "MiniBatchKMeans"; }
  EstimatorKind kind() const override { return EstimatorKind::kClusterer; }
  bool supports_sample_weight() const override { return true; }
  // Transform: the distances to the centers, as KMeans's.
  Index n_features_out() const override {
    return fitted_ ? centers_.rows() : 0;
  }
  void Reset() override;
  std::optional<WorkspaceStats> workspace_stats() const override {
    return ws_.stats();
  }
  bool fitted() const override { return fitted_; }
  FittedArrayList FittedArrays() const override;
  absl::Status RestoreFitted(const FittedArrayList& arrays,
                             absl::Span<const FittedScalar> scalars) override;
  FittedScalarList FittedScalars() const override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoPredictInto(const ConstMatrixRef& x,
                             VectorRef out) const override;
  absl::StatusOr<Vector> DoFitPredict(const ConstMatrixRef& x,
                                      absl::Span<const double> y) override;
  absl::StatusOr<double> DoScore(const ConstMatrixRef& x,
                                 absl::Span<const double> y) const override;
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override;

 private:
  absl::Status Validate(const char* context, const ConstMatrixRef& x,
                        absl::Span<const double> sample_weight) const;
  absl::StatusOr<Matrix> InitCenters(const ConstMatrixRef& x, Random& random,
                                     Index init_size);
  // scikit-learn's init_size: 3 * batch (at least 3 * n_clusters) by
  // default, warned about and raised to 3 * n_clusters when too small;
  // at most n.
  Index InitSize(Index n, Index batch);
  // n_init initialisations scored on a random validation subset of
  // init_size rows; the best ones are left in centers_.
  absl::Status BestInit(const ConstMatrixRef& x, const double* weights,
                        Random& random, Index init_size);
  // One step on the rows `indices` of x; returns the batch inertia (sum).
  double Step(const ConstMatrixRef& x, const double* weights,
              absl::Span<const Index> indices, Random& random, bool reassign);
  // scikit-learn's _random_reassign, after a batch of `batch` samples.
  bool RandomReassign(Index batch);
  // Labels and inertia of all of x with the current centers.
  double LabelsInertia(const ConstMatrixRef& x, const double* weights,
                       LabelVector* labels) const;

  MiniBatchKMeansOptions options_;
  MiniBatchKMeansWorkspace ws_;
  Matrix centers_;
  Vector counts_;
  LabelVector labels_;
  double inertia_ = 0.0;
  int n_iter_ = 0;
  int n_steps_ = 0;
  Index n_since_last_reassign_ = 0;
  std::optional<Random> random_;  // partial_fit's stream
  bool fitted_ = false;
  bool pooling_ = true;  // false: ECLIPSERA_DISABLE_POOLING's v1.0 path
};

absl::Status RegisterMiniBatchKMeans(EstimatorRegistry& registry);

}  // namespace eclipsera::cluster

#endif  // ECLIPSERA_CLUSTER_MINI_BATCH_KMEANS_H_
