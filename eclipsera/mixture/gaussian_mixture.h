// Gaussian mixture models fitted with EM, as scikit-learn 1.2's
// sklearn.mixture.GaussianMixture ('full', 'tied', 'diag', 'spherical').
//
// The numerics follow scikit-learn: Cholesky factors of the precisions,
// log-sum-exp in the E-step, reg_covar added to the covariance diagonals,
// the lower bound is the mean log-likelihood, convergence when the change
// of the lower bound is below tol, the best of n_init runs is kept. The EM
// loop keeps every per-iteration buffer in a GaussianMixtureWorkspace sized
// once per fit, processes rows in fixed chunks (memory O(N*K), never
// O(N*D^2)) and runs them in parallel over n_jobs threads with results that
// do not depend on n_jobs.
#ifndef ECLIPSERA_MIXTURE_GAUSSIAN_MIXTURE_H_
#define ECLIPSERA_MIXTURE_GAUSSIAN_MIXTURE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/core/workspace.h"
#include "eclipsera/pool/shared_pool.h"

namespace eclipsera::mixture {

// Hyperparameters with scikit-learn's names and defaults.
struct GaussianMixtureOptions {
  int n_components = 1;                  // In [1, n_samples].
  std::string covariance_type = "full";  // 'full', 'tied', 'diag', 'spherical'.
  double tol = 1e-3;                     // >= 0; stop when |lb change| < tol.
  double reg_covar = 1e-6;               // >= 0; added to covariance diagonals.
  int max_iter = 100;                    // >= 0 (0: initialise only).
  int n_init = 1;                        // >= 1; the best lower bound is kept.
  // 'kmeans', 'k-means++', 'random' or 'random_from_data'.
  std::string init_params = "kmeans";
  // Initial weights, shape (n_components,): in [0, 1], summing to 1 (within
  // 1e-8, scikit-learn's np.allclose). None: from init_params.
  std::optional<Vector> weights_init;
  // Initial means, n_components x n_features (or one row of
  // n_components * n_features values, row-major). None: from init_params.
  std::optional<Matrix> means_init;
  // Initial precisions (inverse covariances), symmetric positive definite:
  //   'full'      (n_components * n_features) x n_features, the matrices
  //               stacked vertically;
  //   'tied'      n_features x n_features;
  //   'diag'      n_components x n_features, all > 0;
  //   'spherical' n_components x 1 (or 1 x n_components), all > 0.
  // A single row holding all the values row-major is accepted too.
  std::optional<Matrix> precisions_init;
  std::optional<int64_t> random_state;  // None: a different run each time.
  bool warm_start = false;    // Start from the previous fit (n_init ignored).
  int verbose = 0;            // 0 silent, 1 iterations, 2 with timing.
  int verbose_interval = 10;  // >= 1.
  int n_jobs = -1;            // all available cores (see kNJobsDoc); 1 serial.

  static const ParamSchema<GaussianMixtureOptions>& Schema();
};

// Model parameters. Layouts by covariance_type (n = n_components,
// d = n_features):
//   covariances / precisions_cholesky / precisions:
//     'full' (n*d) x d (component k is rows [k*d, (k+1)*d)), 'tied' d x d,
//     'diag' n x d, 'spherical' n x 1.
struct GaussianMixtureParams {
  Vector weights;  // n
  Matrix means;    // n x d
  Matrix covariances;
  Matrix precisions_cholesky;  // P with P * P^T = precision.
  // True when precisions_cholesky is lower triangular (it comes straight
  // from precisions_init, as in scikit-learn); false: upper triangular.
  bool cholesky_lower = false;
};

// Buffers of the EM loop, grow-only (core/workspace.h) and kept across
// fits (Reset keeps them): a fit on data that is not larger reallocates
// nothing. Contents are scratch; only the sizes matter to callers.
struct GaussianMixtureWorkspace {
  GrowMatrix resp;  // n_samples x n_components: weighted log-densities,
                    // then responsibilities.
  GrowVector log_prob_norm;  // n_samples: log p(x_i).
  GrowMatrix xtx;            // n_features x n_features ('tied'): X^T X.
  GrowMatrix block_nk;       // n_blocks x n_components: per-block partial sums.
  GrowMatrix block_sx;       // (n_blocks * n_components) x n_features.
  GrowMatrix block_sx2;      // (n_blocks * n_components) x n_features.
  GrowMatrix block_cov;      // (n_blocks * n_components * d) x d ('full').
  GrowMatrix worker_scratch;  // (workers * chunk) x n_features ('tied').
  // E-step constants derived from the parameters.
  GrowMatrix proj_means;  // n x d: mean_k * P_k ('full', 'tied').
  GrowVector log_const;   // n: -d/2 log(2 pi) + log det P_k + log w_k (...).
  GrowMatrix lin_coef;    // d x n ('diag', 'spherical').
  GrowMatrix quad_coef;   // d x n ('diag', 'spherical').
  GrowMatrix diag_coef;   // n x 2d: [lin_coef^T | quad_coef^T] per component.
  GrowMatrix kernel_scratch;  // workers x SIMD kernel scratch.
  GrowVector nk;              // n
  GrowMatrix wide_u;          // n_samples x d ('full', n_samples * 4 <= d): the
                              // scaled centred samples of one component.
  GrowVector wide_sum;        // d ('full' on wide data): substitution sums.

  // Heap held by the buffers, and how often they reallocated.
  WorkspaceStats stats() const;
  int64_t bytes() const { return stats().bytes; }
};

// A sample drawn from a fitted mixture: rows grouped by component.
struct GaussianMixtureSample {
  Matrix x;       // n_samples x n_features
  LabelVector y;  // component of each row
};

class GaussianMixture
    : public EstimatorWithOptions<GaussianMixture, GaussianMixtureOptions> {
 public:
  using Options = GaussianMixtureOptions;

  explicit GaussianMixture(GaussianMixtureOptions options = {});

  std::string name() const override { return "GaussianMixture"; }
  const GaussianMixtureOptions& options() const { return options_; }
  // Replaces the options and drops the fitted state.
  void set_options(const GaussianMixtureOptions& options);

  EstimatorKind kind() const override {
    return EstimatorKind::kDensityEstimator;
  }
  void Reset() override;
  std::optional<WorkspaceStats> workspace_stats() const override {
    return ws_.stats();
  }
  bool fitted() const override { return fitted_; }

  // Fit(x) is Estimator::Fit: InvalidArgument on bad options, shapes,
  // NaN/Inf or init arrays; InvalidArgument with scikit-learn's advice
  // (increase reg_covar) when a covariance is not positive definite. On
  // error the estimator is unfitted (Estimator's failure rule). init_params
  // 'kmeans' runs cluster::KMeans(n_clusters, n_init=1, a seed drawn from
  // random_state). With weights_init, means_init and precisions_init all given
  // the init_params step is skipped (scikit-learn runs it and discards it).

  // Component labels of the training data after the final E-step (what
  // scikit-learn's fit_predict returns).
  const LabelVector& labels() const { return labels_; }
  // Labels (argmax of the weighted log-densities). FailedPrecondition
  // before Fit, InvalidArgument on a wrong number of columns or NaN/Inf.
  absl::StatusOr<LabelVector> PredictLabels(const ConstMatrixRef& x) const;
  // PredictProba (n_samples x n_components posterior probabilities) and
  // ScoreSamples (per-sample log-likelihood log p(x_i)) are Estimator's.
  // Bayesian / Akaike information criteria on x (lower is better).
  absl::StatusOr<double> Bic(const ConstMatrixRef& x) const;
  absl::StatusOr<double> Aic(const ConstMatrixRef& x) const;
  // Draws n_samples >= 1 points (seeded by random_state), grouped by
  // component as scikit-learn's sample().
  absl::StatusOr<GaussianMixtureSample> Sample(int n_samples) const;

  const Vector& weights() const { return params_.weights; }
  const Matrix& means() const { return params_.means; }
  const Matrix& covariances() const { return params_.covariances; }
  // scikit-learn's precisions_ (P P^T per component), computed on first use
  // and kept: for 'full' and 'tied' it is a d x d product per component
  // (O(d^3), most of a wide fit's time when computed eagerly) that most
  // users never read. Safe to call from several threads.
  const Matrix& precisions() const;
  const Matrix& precisions_cholesky() const {
    return params_.precisions_cholesky;
  }
  const GaussianMixtureParams& params() const { return params_; }
  // Component k's d x d covariance for any covariance_type.
  Matrix Covariance(int k) const;
  bool converged() const { return converged_; }
  int n_iter() const { return n_iter_; }
  double lower_bound() const { return lower_bound_; }
  // BIC / AIC of the training data (computed at the end of Fit).
  double train_bic() const { return train_bic_; }
  double train_aic() const { return train_aic_; }
  // Number of free parameters (scikit-learn's _n_parameters).
  int64_t NumParameters() const;

  const GaussianMixtureWorkspace& workspace() const { return ws_; }

  FittedScalarList FittedScalars() const override;
  // weights, means, covariances and precisions_cholesky in the layouts of
  // GaussianMixtureParams, and _cholesky_lower (1 x 1).
  FittedArrayList FittedArrays() const override;
  absl::Status RestoreFitted(const FittedArrayList& arrays,
                             absl::Span<const FittedScalar> scalars) override;

  // Test hook: called after every EM iteration with its number (1-based).
  // Not a hyperparameter: Clone does not copy it.
  void set_iteration_callback(std::function<void(int)> cb) {
    iteration_callback_ = std::move(cb);
  }

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoPredictInto(const ConstMatrixRef& x,
                             VectorRef out) const override;
  absl::StatusOr<Matrix> DoPredictProba(const ConstMatrixRef& x) const override;
  absl::StatusOr<Vector> DoScoreSamples(const ConstMatrixRef& x) const override;
  absl::StatusOr<Vector> DoFitPredict(const ConstMatrixRef& x,
                                      absl::Span<const double> y) override;
  absl::StatusOr<double> DoScore(const ConstMatrixRef& x,
                                 absl::Span<const double> y) const override;

 private:
  absl::Status CheckPredictInput(absl::string_view context,
                                 const ConstMatrixRef& x) const;
  // Runs the E-step of the fitted model on x into ws (wlp kept, not resp).
  void EvaluateFitted(const ConstMatrixRef& x, bool want_resp,
                      GaussianMixtureWorkspace* ws) const;

  GaussianMixtureOptions options_;
  GaussianMixtureWorkspace ws_;
  // E-step buffers for the const prediction methods (Predict,
  // PredictProba, ScoreSamples, Score, Bic, Aic): one per concurrent
  // caller, kept between calls, so repeated predictions on batches of one
  // size allocate only their results. Thread-safe.
  std::unique_ptr<pool::SharedPool<GaussianMixtureWorkspace>> predict_ws_;
  std::function<void(int)> iteration_callback_;

  bool fitted_ = false;
  GaussianMixtureParams params_;
  // precisions() of params_; copies of the object share it (params_ is
  // copied with it), every fit starts a new one.
  struct PrecisionsCache {
    absl::once_flag once;
    int covariance_type = 0;
    Matrix value;
  };
  std::shared_ptr<PrecisionsCache> precisions_;
  LabelVector labels_;
  bool converged_ = false;
  int n_iter_ = 0;
  double lower_bound_ = 0.0;
  double train_bic_ = 0.0;
  double train_aic_ = 0.0;
};

// Registers "GaussianMixture" (MainOutput::kLabels).
absl::Status RegisterGaussianMixture(EstimatorRegistry& registry);

}  // namespace eclipsera::mixture

#endif  // ECLIPSERA_MIXTURE_GAUSSIAN_MIXTURE_H_
