// t-distributed Stochastic Neighbor Embedding (scikit-learn 1.2's
// sklearn.manifold.TSNE), exact and Barnes-Hut, with a reusable workspace.
//
// Differences from scikit-learn, all documented here:
//  * Defaults are scikit-learn 1.2's: learning_rate='auto'
//    (max(n_samples / early_exaggeration / 4, 50)) and init='pca'.
//  * Everything runs in float64. scikit-learn runs the optimisation in
//    float32 when init is 'pca' or 'random' (its init arrays are float32)
//    and the Barnes-Hut gradient always in float32; with an explicit
//    float64 init the exact method follows scikit-learn's arithmetic.
//  * init='pca' uses an exact eigen-decomposition (scikit-learn uses
//    randomized SVD) through the smaller side of X: the n x n Gram matrix
//    when n_samples < n_features, else the d x d covariance; same svd_flip
//    sign convention. 'random' draws from eclipsera::Random, so the
//    numbers differ from numpy's for the same seed.
//  * X whose largest magnitude is outside [2^-32, 2^32] is first multiplied
//    by a power of two (exact) that brings it near 1: t-SNE is
//    scale-invariant, and scikit-learn's float32 squared distances and its
//    perplexity search (at most 100 halvings/doublings of beta from 1)
//    fail on such data.
//  * All samples identical with init='pca' (scikit-learn 1.2 fails with a
//    NaN error): the documented degenerate result is every point at the
//    origin with KL divergence 0 (P and Q uniform, an exact optimum),
//    n_iter 0, and a warning. An initial embedding whose rows are all one
//    point on non-identical data is an error (the gradient is zero).
//  * Barnes-Hut counts a point's coincident copies (within 1e-6, one leaf
//    of the tree) in Q's normalisation, with no force; scikit-learn 1.2
//    leaves them out, which undercounts the normalisation when rows are
//    duplicated (its KL estimate is then often negative, -12.9 for 3
//    distinct rows x 50 copies). Elsewhere the two agree. As there, points
//    within 1e-6 of each other that fall in different leaves (either side
//    of a cell boundary) skip each other entirely; counting those too was
//    tried and moves the digits optimisation's final KL by 2%, away from
//    scikit-learn's.
//  * Fit never succeeds with a non-finite embedding or KL divergence, nor
//    with a negative KL: it returns InvalidArgument (diverged) and the
//    estimator stays unfitted.
//  * n_iter may be below 250 (scikit-learn requires >= 250): the run then
//    stops during the early exaggeration phase.
//  * Nearest neighbours for Barnes-Hut are found by chunked brute force.
#ifndef ECLIPSERA_MANIFOLD_TSNE_H_
#define ECLIPSERA_MANIFOLD_TSNE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/core/workspace.h"
#include "eclipsera/manifold/internal/gradient.h"
#include "eclipsera/manifold/internal/perplexity.h"

namespace eclipsera::manifold {

struct TSNEOptions {
  int n_components = 2;                 // >= 1; <= 3 for barnes_hut.
  double perplexity = 30.0;             // > 0 and < n_samples.
  double early_exaggeration = 12.0;     // >= 1.
  std::optional<double> learning_rate;  // > 0; None means 'auto'.
  int n_iter = 1000;                    // >= 1 (scikit-learn: >= 250).
  int n_iter_without_progress = 300;    // >= -1; checked every 50 iterations.
  double min_grad_norm = 1e-7;          // >= 0.
  std::string metric = "euclidean";     // 'euclidean' or 'precomputed'.
  std::string init = "pca";             // 'pca' or 'random'.
  // An explicit n_samples x n_components initial embedding; when not empty
  // it overrides `init`.
  Matrix init_array;
  int verbose = 0;  // >= 1 phases, >= 2 every 50 iterations.
  std::optional<int64_t> random_state;  // None: a fresh seed per fit.
  std::string method = "barnes_hut";    // 'barnes_hut' or 'exact'.
  double angle = 0.5;                   // in [0, 1].
  int n_jobs = -1;  // all available cores; 1 serial; not 0. See kNJobsDoc.

  static const ParamSchema<TSNEOptions>& Schema();
};

// Per-fit buffers, sized once per fit and reused across fits: P (dense
// n x n for exact, CSR for Barnes-Hut), gradient, update, gains, the exact
// method's row tiles and the Barnes-Hut tree. After the first iteration
// the optimisation allocates nothing.
class TSNEWorkspace {
 public:
  // Bytes held by the n x n or sparse P.
  size_t p_bytes() const;
  // Every buffer: P, the descent's vectors and the gradient scratch.
  WorkspaceStats stats() const;

 private:
  friend class TSNE;
  GrowMatrix p_dense_;
  manifold_internal::CsrMatrix p_sparse_;
  GrowVector grad_;
  GrowVector update_;
  GrowVector gains_;
  manifold_internal::ExactGradient exact_;
  manifold_internal::BarnesHutGradient barnes_hut_;
};

class TSNE : public EstimatorWithOptions<TSNE, TSNEOptions> {
 public:
  explicit TSNE(TSNEOptions options = {});

  std::string name() const override { return "TSNE"; }
  const TSNEOptions& options() const { return options_; }
  // Replaces the options and drops the fitted state (keeps the workspace).
  void set_options(const TSNEOptions& options);
  // Sets an explicit initial embedding (n_samples x n_components); an empty
  // matrix returns to options().init.
  void set_init_array(const ConstMatrixRef& init);

  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  void Reset() override;
  std::optional<WorkspaceStats> workspace_stats() const override {
    return workspace_.stats();
  }
  bool fitted() const override { return fitted_; }

  // n_samples x n_components.
  const Matrix& embedding() const { return embedding_; }
  // KL divergence after optimisation (as scikit-learn's kl_divergence_).
  double kl_divergence() const { return kl_divergence_; }
  // Index of the last iteration run (scikit-learn's n_iter_).
  int n_iter() const { return n_iter_; }
  // The learning rate used (scikit-learn's learning_rate_).
  double effective_learning_rate() const { return learning_rate_; }
  const TSNEWorkspace& workspace() const { return workspace_; }

  // Monitoring/test hook, called after every iteration with its index and
  // the KL divergence (NaN on iterations that do not compute it). Must not
  // throw. Not a hyperparameter: Clone does not copy it.
  void set_iteration_callback(
      std::function<void(int iteration, double kl_divergence)> cb) {
    iteration_callback_ = std::move(cb);
  }

  FittedScalarList FittedScalars() const override;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::StatusOr<Matrix> DoFitTransform(const ConstMatrixRef& x,
                                        absl::Span<const double> y,
                                        const FitArgs& args) override;

 private:
  absl::Status Validate(const ConstMatrixRef& x) const;
  // Runs scikit-learn's _gradient_descent from iteration `it` to n_iter;
  // returns the last iteration index and sets *error.
  // P into the workspace: the dense n x n joint probabilities (exact) or
  // the sparse ones over the nearest neighbours (Barnes-Hut).
  void ComputeP(const ConstMatrixRef& x, bool exact, bool precomputed);
  // The initial embedding_: init_array, PCA (scaled to std 1e-4, as
  // scikit-learn) or random N(0, 1e-4^2).
  void InitEmbedding(const ConstMatrixRef& x, bool identical);
  // scikit-learn's learning schedule: early exaggeration with momentum
  // 0.5, then momentum 0.8 until n_iter. Returns the last iteration and
  // sets *kl.
  int Optimize(bool exact, int dof, double* kl);
  int GradientDescent(int it, int n_iter, double momentum,
                      int n_iter_without_progress, bool exact, int dof,
                      double* error);
  double Objective(bool exact, int dof, bool compute_error, double* grad);

  TSNEOptions options_;
  TSNEWorkspace workspace_;
  Matrix embedding_;
  double kl_divergence_ = 0.0;
  int n_iter_ = 0;
  double learning_rate_ = 0.0;
  bool fitted_ = false;
  bool pooling_ = true;  // false: ECLIPSERA_DISABLE_POOLING's v1.0 path
  std::function<void(int, double)> iteration_callback_;
};

// Registers "TSNE" (MainOutput::kTransform).
absl::Status RegisterTSNE(EstimatorRegistry& registry);

}  // namespace eclipsera::manifold

#endif  // ECLIPSERA_MANIFOLD_TSNE_H_
