// MeanShift clustering with a flat kernel, following scikit-learn 1.2's
// mean_shift step by step, and estimate_bandwidth.
//
// Each seed climbs to the mean of the samples within `bandwidth` until it
// moves less than 1e-3 * bandwidth (or max_iter); the k-d tree's node sums
// give each mean without visiting the samples of nodes inside the ball.
// Centers are then sorted by intensity (samples within bandwidth,
// descending, ties by center descending), near-duplicates within bandwidth
// removed greedily, and samples labelled by their nearest center.
#ifndef ECLIPSERA_CLUSTER_MEAN_SHIFT_H_
#define ECLIPSERA_CLUSTER_MEAN_SHIFT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
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

// The bandwidth scikit-learn's MeanShift uses when none is given: the mean
// over samples of the distance to their int(n * quantile)-th nearest
// neighbour (at least the 1st; the sample itself counts as the 0-distance
// first neighbour). With n_samples, a random subset of that size is used;
// it is drawn with eclipsera's RNG, so it differs from numpy's subset for
// the same random_state (with n_samples = None the result matches
// scikit-learn). InvalidArgument for empty/non-finite x, quantile outside
// [0, 1], n_samples < 1 or n_jobs = 0.
absl::StatusOr<double> EstimateBandwidth(
    const ConstMatrixRef& x, double quantile = 0.3,
    std::optional<int64_t> n_samples = std::nullopt,
    std::optional<int64_t> random_state = 0, int n_jobs = -1);

struct MeanShiftOptions {
  std::optional<double> bandwidth;  // > 0; None: EstimateBandwidth(x).
  Matrix seeds;              // n_seeds x n_features; empty: see bin_seeding.
  bool bin_seeding = false;  // Seeds from a grid of side bandwidth.
  int min_bin_freq = 1;      // >= 1; samples a bin needs to become a seed.
  bool cluster_all = true;   // false: samples farther than bandwidth get -1.
  int max_iter = 300;        // >= 0; iterations per seed.
  int n_jobs = -1;           // all available cores (see kNJobsDoc); 1 serial.

  static const ParamSchema<MeanShiftOptions>& Schema();
};

// Per-fit buffers, kept across fits (Reset keeps them).
struct MeanShiftWorkspace {
  struct Worker {
    neighbors::QueryScratch scratch;
    GrowVector mean, old_mean, sum;
  };
  std::vector<Worker> workers;
  GrowMatrix seed_centers;       // n_seeds x d, where each seed ended
  std::vector<Index> intensity;  // samples within bandwidth at the end
  std::vector<int> iterations;   // completed iterations per seed
  std::vector<Index> order;      // post-processing permutation
  std::vector<uint8_t> unique;
  std::vector<Index> neighbours;

  WorkspaceStats stats() const;
};

class MeanShift : public EstimatorWithOptions<MeanShift, MeanShiftOptions> {
 public:
  explicit MeanShift(MeanShiftOptions options = {})
      : options_(std::move(options)) {}
  MeanShift(const MeanShift& other) : options_(other.options_) {}

  std::string name() const override { return "MeanShift"; }
  const MeanShiftOptions& options() const { return options_; }
  void set_options(const MeanShiftOptions& options) {
    options_ = options;
    Reset();
  }

  // InvalidArgument for empty/non-finite x or seeds, seeds with the wrong
  // number of features, bandwidth <= 0 (given or estimated), min_bin_freq
  // < 1, max_iter < 0, n_jobs = 0, or when no sample is within bandwidth of
  // any seed. The object stays usable after an error.
  // (Fit is Estimator::Fit(x); y is ignored.)

  // Index of the nearest center per row (scikit-learn's predict: ties to
  // the lower index). FailedPrecondition before Fit.
  absl::StatusOr<LabelVector> PredictLabels(const ConstMatrixRef& x) const;

  const Matrix& cluster_centers() const { return centers_; }
  const LabelVector& labels() const { return labels_; }
  int n_iter() const { return n_iter_; }
  double bandwidth() const { return bandwidth_; }

  EstimatorKind kind() const override { return EstimatorKind::kClusterer; }
  void Reset() override;
  std::optional<WorkspaceStats> workspace_stats() const override {
    return ws_.stats();
  }
  bool fitted() const override { return fitted_; }
  FittedArrayList FittedArrays() const override;
  absl::Status RestoreFitted(const FittedArrayList& arrays,
                             absl::Span<const FittedScalar> scalars) override;
  // Test hook: called after each completed iteration of each seed (from
  // the worker running it) with the seed index and the iteration number.
  // Not a hyperparameter: Clone does not copy it.
  void set_iteration_callback(
      std::function<void(Index seed, int iteration)> cb) {
    on_iteration_ = std::move(cb);
  }

  FittedScalarList FittedScalars() const override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoPredictInto(const ConstMatrixRef& x,
                             VectorRef out) const override;
  absl::StatusOr<Vector> DoFitPredict(const ConstMatrixRef& x,
                                      absl::Span<const double> y) override;

 private:
  // The fit's seeds: the given ones, the bins of get_bin_seeds (in
  // *storage), or X itself (copied to *storage).
  const Matrix& ChooseSeeds(const ConstMatrixRef& x, double bw,
                            Matrix* storage);
  // Every seed's hill climb (parallel over seeds) into the workspace's
  // seed_centers, intensity and iterations.
  void ClimbSeeds(const Matrix& seeds, const neighbors::NeighborIndex& index,
                  const double* xdata, double bw);
  // scikit-learn's post-processing of the climbed seeds into centers_:
  // distinct centers by decreasing intensity, those within bw of a
  // stronger one removed. Returns the largest iteration count.
  absl::StatusOr<int> SelectCenters(Index d, double bw);
  // labels_: the nearest center, or -1 beyond bw without cluster_all.
  absl::Status AssignLabels(const ConstMatrixRef& x, double bw);

  MeanShiftOptions options_;
  MeanShiftWorkspace ws_;
  Matrix centers_;
  LabelVector labels_;
  int n_iter_ = 0;
  double bandwidth_ = 0.0;
  bool fitted_ = false;
  std::function<void(Index, int)> on_iteration_;
};

// Scikit-learn's get_bin_seeds: samples binned to round(x / bin_size)
// (round half to even), bins with at least min_bin_freq samples in order
// of first appearance, scaled back in float32 arithmetic as numpy does.
// Returns x itself when every sample has its own bin.
Matrix GetBinSeeds(const ConstMatrixRef& x, double bin_size,
                   int min_bin_freq = 1);

// Registers "MeanShift" (main output: labels).
absl::Status RegisterMeanShift(EstimatorRegistry& registry);

}  // namespace eclipsera::cluster

#endif  // ECLIPSERA_CLUSTER_MEAN_SHIFT_H_
