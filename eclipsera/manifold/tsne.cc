// TSNE: scikit-learn 1.2's _t_sne.py optimisation over a reusable workspace.
#include "eclipsera/manifold/tsne.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/manifold/internal/knn.h"
#include "eclipsera/manifold/internal/pca.h"
#include "eclipsera/pool/pooling_switch.h"

namespace eclipsera::manifold {
namespace {

constexpr char kFit[] = "TSNE::Fit";
// scikit-learn's _EXPLORATION_N_ITER and _N_ITER_CHECK.
constexpr int kExplorationNIter = 250;
constexpr int kNIterCheck = 50;
constexpr double kMinGain = 0.01;

// Data whose largest magnitude is outside [2^-kScaleExp, 2^kScaleExp] is
// multiplied by a power of two first (see tsne.h).
constexpr int kScaleExp = 32;

// True when every row of x equals row 0 (for metric='precomputed': every
// distance is 0). Stops at the first difference.
bool AllRowsIdentical(const ConstMatrixRef& x, bool precomputed) {
  const Index n = x.rows(), d = x.cols();
  for (Index i = 0; i < n; ++i) {
    const double* row = x.row(i).data();
    const double* first = x.row(0).data();
    for (Index j = 0; j < d; ++j) {
      if (precomputed ? row[j] != 0.0 : row[j] != first[j]) return false;
    }
  }
  return true;
}

bool AllRowsEqual(const Matrix& y) {
  for (Index i = 1; i < y.rows(); ++i) {
    if (y.row(i) != y.row(0)) return false;
  }
  return true;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

}  // namespace

const ParamSchema<TSNEOptions>& TSNEOptions::Schema() {
  static const auto* schema = [] {
    auto* s = new ParamSchema<TSNEOptions>("TSNE");
    s->Int("n_components", &TSNEOptions::n_components,
           "dimension of the embedding (<= 3 for barnes_hut)");
    s->Double("perplexity", &TSNEOptions::perplexity,
              "effective number of neighbours, > 0 and < n_samples");
    s->Double("early_exaggeration", &TSNEOptions::early_exaggeration,
              "P multiplier for the first 250 iterations, >= 1");
    s->Add(
        "learning_rate",
        "'auto' (max(n_samples / early_exaggeration / 4, 50)) or a number > 0",
        [](const TSNEOptions& o) {
          return o.learning_rate.has_value() ? ParamValue(*o.learning_rate)
                                             : ParamValue(std::string("auto"));
        },
        [](TSNEOptions& o, const ParamValue& v) -> absl::Status {
          if (const auto* str = std::get_if<std::string>(&v)) {
            if (*str == "auto") {
              o.learning_rate.reset();
              return absl::OkStatus();
            }
            return absl::InvalidArgumentError(absl::StrCat(
                "learning_rate must be 'auto' or a number, got '", *str, "'"));
          }
          absl::StatusOr<double> d = ParamAsDouble("learning_rate", v);
          if (!d.ok()) return d.status();
          o.learning_rate = *d;
          return absl::OkStatus();
        });
    s->Int("n_iter", &TSNEOptions::n_iter, "maximum iterations, >= 1");
    s->Int("n_iter_without_progress", &TSNEOptions::n_iter_without_progress,
           "stop after this many iterations without progress, >= -1");
    s->Double("min_grad_norm", &TSNEOptions::min_grad_norm,
              "stop when the gradient norm is below this, >= 0");
    s->String("metric", &TSNEOptions::metric,
              "'euclidean' or 'precomputed' (X is a distance matrix)",
              {"euclidean", "precomputed"});
    s->String("init", &TSNEOptions::init,
              "initial embedding: 'pca' or 'random' (N(0, 1e-4))",
              {"pca", "random"});
    s->Int("verbose", &TSNEOptions::verbose,
           "progress on stderr: 1 phases, 2 every 50 iterations");
    s->OptionalInt("random_state", &TSNEOptions::random_state,
                   "seed for init='random'; None for a fresh seed");
    s->String("method", &TSNEOptions::method,
              "'barnes_hut' (O(N log N)) or 'exact' (O(N^2))",
              {"barnes_hut", "exact"});
    s->Double("angle", &TSNEOptions::angle,
              "Barnes-Hut accuracy/speed trade-off theta, in [0, 1]");
    s->Int("n_jobs", &TSNEOptions::n_jobs, kNJobsDoc);
    return s;
  }();
  return *schema;
}

WorkspaceStats TSNEWorkspace::stats() const {
  WorkspaceStats s = SumStats(p_dense_, p_sparse_.indptr, p_sparse_.indices,
                              p_sparse_.values, grad_, update_, gains_);
  s += exact_.stats();
  s += barnes_hut_.stats();
  return s;
}

size_t TSNEWorkspace::p_bytes() const {
  return static_cast<size_t>(p_dense_.bytes()) +
         p_sparse_.values.capacity() * sizeof(double) +
         p_sparse_.indices.capacity() * sizeof(int32_t) +
         p_sparse_.indptr.capacity() * sizeof(int64_t);
}

TSNE::TSNE(TSNEOptions options) : options_(std::move(options)) {}

void TSNE::set_options(const TSNEOptions& options) {
  options_ = options;
  Reset();
}

void TSNE::set_init_array(const ConstMatrixRef& init) {
  options_.init_array = init;
  Reset();
}

void TSNE::Reset() {
  fitted_ = false;
  kl_divergence_ = 0.0;
  n_iter_ = 0;
}

FittedScalarList TSNE::FittedScalars() const {
  return {{"kl_divergence", kl_divergence_},
          {"n_iter", static_cast<double>(n_iter_)},
          {"learning_rate", learning_rate_}};
}

absl::Status TSNE::Validate(const ConstMatrixRef& x) const {
  const TSNEOptions& o = options_;
  const bool precomputed = o.metric == "precomputed";
  const bool exact = o.method == "exact";
  absl::Status s = CheckData(kFit, "X", x, 2);
  if (!s.ok()) return s;
  if (o.n_components < 1) {
    return CheckAtLeast(kFit, "n_components", o.n_components, 1);
  }
  s = CheckGreater(kFit, "perplexity", o.perplexity, 0);
  if (!s.ok()) return s;
  s = CheckAtLeast(kFit, "early_exaggeration", o.early_exaggeration, 1);
  if (!s.ok()) return s;
  if (o.learning_rate.has_value() &&
      !(*o.learning_rate > 0 && std::isfinite(*o.learning_rate))) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFit, ": learning_rate = ", *o.learning_rate,
                     ", must be finite and > 0, or 'auto'"));
  }
  if (o.n_iter < 1) return CheckAtLeast(kFit, "n_iter", o.n_iter, 1);
  if (o.n_iter_without_progress < -1) {
    return CheckAtLeast(kFit, "n_iter_without_progress",
                        o.n_iter_without_progress, -1);
  }
  s = CheckAtLeast(kFit, "min_grad_norm", o.min_grad_norm, 0);
  if (!s.ok()) return s;
  if (!(o.angle >= 0 && o.angle <= 1)) {
    return CheckInRange(kFit, "angle", o.angle, 0, 1);
  }
  {
    const absl::string_view metrics[] = {"euclidean", "precomputed"};
    s = CheckOneOf(kFit, "metric", o.metric, metrics);
    if (!s.ok()) return s;
    const absl::string_view methods[] = {"barnes_hut", "exact"};
    s = CheckOneOf(kFit, "method", o.method, methods);
    if (!s.ok()) return s;
    const absl::string_view inits[] = {"pca", "random"};
    if (o.init_array.size() == 0) {
      s = CheckOneOf(kFit, "init", o.init, inits);
      if (!s.ok()) return s;
    }
  }
  absl::StatusOr<int> jobs = ResolveNJobs(o.n_jobs);
  if (!jobs.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFit, ": ", jobs.status().message()));
  }
  if (!exact && o.n_components > 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        kFit, ": n_components = ", o.n_components,
        ", must be <= 3 for method='barnes_hut' (it relies on a quadtree or "
        "octree); use method='exact'"));
  }
  if (o.perplexity >= x.rows()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFit, ": perplexity = ", o.perplexity,
                     ", must be less than n_samples (", x.rows(), ")"));
  }
  if (precomputed) {
    if (x.rows() != x.cols()) {
      return absl::InvalidArgumentError(absl::StrCat(
          kFit, ": metric='precomputed' needs a square distance matrix, got ",
          x.rows(), " x ", x.cols()));
    }
    if ((x.array() < 0).any()) {
      return absl::InvalidArgumentError(absl::StrCat(
          kFit, ": metric='precomputed' needs non-negative distances"));
    }
    if (o.init_array.size() == 0 && o.init == "pca") {
      return absl::InvalidArgumentError(absl::StrCat(
          kFit,
          ": init='pca' cannot be used with metric='precomputed'; use "
          "init='random' or an explicit array"));
    }
  }
  if (o.init_array.size() != 0) {
    s = CheckShape(kFit, "init array", o.init_array, x.rows(), o.n_components);
    if (!s.ok()) return s;
    s = CheckFinite(kFit, "init array", o.init_array);
    if (!s.ok()) return s;
  } else if (o.init == "pca" && o.n_components > x.cols()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFit, ": init='pca' needs n_components (", o.n_components,
                     ") <= n_features (", x.cols(), "); use init='random'"));
  }
  return absl::OkStatus();
}

double TSNE::Objective(bool exact, int dof, bool compute_error, double* grad) {
  const Index n = embedding_.rows();
  const int d = static_cast<int>(embedding_.cols());
  const double* y = embedding_.data();
  TSNEWorkspace& ws = workspace_;
  if (pooling_) {
    if (exact) {
      return ws.exact_.Compute(ws.p_dense_, y, dof, compute_error,
                               options_.n_jobs, grad);
    }
    return ws.barnes_hut_.Compute(ws.p_sparse_, y, dof, options_.angle,
                                  compute_error, options_.n_jobs, grad);
  }
  // "v1.0": fresh scratch (and for exact the n x n kernel) every call.
  if (exact) {
    manifold_internal::ExactGradient fresh;
    fresh.Resize(n, d, options_.n_jobs);
    Matrix kernel(n, n);
    return fresh.Compute(ws.p_dense_, y, dof, compute_error, options_.n_jobs,
                         grad, &kernel);
  }
  manifold_internal::BarnesHutGradient fresh;
  fresh.Resize(n, d, options_.n_jobs);
  return fresh.Compute(ws.p_sparse_, y, dof, options_.angle, compute_error,
                       options_.n_jobs, grad);
}

int TSNE::GradientDescent(int it, int n_iter, double momentum,
                          int n_iter_without_progress, bool exact, int dof,
                          double* error_out) {
  const Index size = embedding_.size();
  double* p = embedding_.data();
  TSNEWorkspace& ws = workspace_;
  // As scikit-learn, every call starts with zero update and unit gains.
  ws.update_.resize(size);
  ws.update_.setZero();
  ws.gains_.resize(size);
  ws.gains_.setOnes();
  ws.grad_.resize(size);
  double error = std::numeric_limits<double>::max();
  double best_error = std::numeric_limits<double>::max();
  int best_iter = it;
  int i = it;
  auto tic = std::chrono::steady_clock::now();
  const double lr = learning_rate_;
  for (i = it; i < n_iter; ++i) {
    const bool check_convergence = (i + 1) % kNIterCheck == 0;
    const bool compute_error = check_convergence || i == n_iter - 1;
    Vector fresh_grad;
    double* grad = ws.grad_.data();
    if (!pooling_) {
      fresh_grad.resize(size);  // "v1.0": a new gradient array each time
      grad = fresh_grad.data();
    }
    error = Objective(exact, dof, compute_error, grad);
    double* update = ws.update_.data();
    double* gains = ws.gains_.data();
    double sq_norm = 0.0;
    for (Index k = 0; k < size; ++k) {
      if (update[k] * grad[k] < 0.0) {
        gains[k] += 0.2;
      } else {
        gains[k] *= 0.8;
      }
      gains[k] = std::max(gains[k], kMinGain);
      grad[k] *= gains[k];
      update[k] = momentum * update[k] - lr * grad[k];
      p[k] += update[k];
      sq_norm += grad[k] * grad[k];
    }
    if (iteration_callback_) iteration_callback_(i, error);
    if (check_convergence) {
      const double duration = Seconds(tic);
      tic = std::chrono::steady_clock::now();
      const double grad_norm = std::sqrt(sq_norm);
      if (!std::isfinite(grad_norm) || !std::isfinite(error)) {
        // Diverged (NaN/Inf): stop now, DoFit reports it.
        break;
      }
      if (options_.verbose >= 2) {
        std::fprintf(stderr,
                     "[t-SNE] Iteration %d: error = %.7f, gradient norm = "
                     "%.7f (%d iterations in %0.3fs)\n",
                     i + 1, error, grad_norm, kNIterCheck, duration);
      }
      if (error < best_error) {
        best_error = error;
        best_iter = i;
      } else if (i - best_iter > n_iter_without_progress) {
        if (options_.verbose >= 2) {
          std::fprintf(stderr,
                       "[t-SNE] Iteration %d: did not make any progress "
                       "during the last %d episodes. Finished.\n",
                       i + 1, n_iter_without_progress);
        }
        break;
      }
      if (grad_norm <= options_.min_grad_norm) {
        if (options_.verbose >= 2) {
          std::fprintf(stderr,
                       "[t-SNE] Iteration %d: gradient norm %f. Finished.\n",
                       i + 1, grad_norm);
        }
        break;
      }
    }
  }
  *error_out = error;
  return i == n_iter ? n_iter - 1 : i;
}

namespace {

// t-SNE is scale-invariant (P through the perplexity calibration, the PCA
// init through its normalisation): extreme magnitudes, whose squared
// distances would leave float32's range or the perplexity search's reach
// (beta halves or doubles at most 100 times from 1), are brought near 1
// by an exact power of two.
// Returns the rescaled copy, or an empty matrix when x needs none.
Matrix PowerOfTwoRescale(const ConstMatrixRef& x) {
  Matrix rescaled;
  const double max_abs = x.size() > 0 ? x.cwiseAbs().maxCoeff() : 0.0;
  if (max_abs > 0.0 && (max_abs > std::ldexp(1.0, kScaleExp) ||
                        max_abs < std::ldexp(1.0, -kScaleExp))) {
    // Two exact steps: 2^-e alone overflows for denormal maxima (e > 1023).
    const int e = -std::ilogb(max_abs);
    rescaled = x * std::ldexp(1.0, e / 2);
    rescaled *= std::ldexp(1.0, e - e / 2);
  }
  return rescaled;
}

}  // namespace

void TSNE::ComputeP(const ConstMatrixRef& x, bool exact, bool precomputed) {
  const TSNEOptions& o = options_;
  const Index n = x.rows();
  TSNEWorkspace& ws = workspace_;
  const auto t0 = std::chrono::steady_clock::now();
  if (exact) {
    if (o.verbose && !precomputed) {
      std::fprintf(stderr, "[t-SNE] Computing pairwise distances...\n");
    }
    ws.p_dense_.resize(n, n);
    manifold_internal::JointProbabilitiesDense(x, precomputed, o.perplexity,
                                               o.n_jobs, ws.p_dense_);
    ws.p_sparse_ = manifold_internal::CsrMatrix();
  } else {
    const Index k =
        std::min<Index>(n - 1, static_cast<Index>(3.0 * o.perplexity + 1));
    if (o.verbose) {
      std::fprintf(stderr, "[t-SNE] Computing %lld nearest neighbors...\n",
                   static_cast<long long>(k));
    }
    manifold_internal::KnnGraph knn;
    manifold_internal::NearestNeighbors(x, precomputed, k, o.n_jobs, &knn);
    if (o.verbose) {
      std::fprintf(stderr,
                   "[t-SNE] Computed neighbors for %lld samples in %.3fs...\n",
                   static_cast<long long>(n), Seconds(t0));
    }
    manifold_internal::JointProbabilitiesNn(knn, o.perplexity, o.n_jobs,
                                            &ws.p_sparse_);
    ws.p_dense_.release();  // no n x n P kept for Barnes-Hut
  }
  if (o.verbose) {
    std::fprintf(stderr,
                 "[t-SNE] Computed conditional probabilities for sample "
                 "%lld / %lld\n",
                 static_cast<long long>(n), static_cast<long long>(n));
  }
}

void TSNE::InitEmbedding(const ConstMatrixRef& x, bool identical) {
  const TSNEOptions& o = options_;
  const Index n = x.rows();
  const int nc = o.n_components;
  if (o.init_array.size() != 0) {
    embedding_ = o.init_array;
  } else if (o.init == "pca" && identical) {
    embedding_ = Matrix::Zero(n, nc);  // no principal axes: one point
  } else if (o.init == "pca") {
    embedding_ = manifold_internal::PcaProject(x, nc);
    const double mean = embedding_.col(0).mean();
    const double sd =
        std::sqrt((embedding_.col(0).array() - mean).square().sum() / n);
    embedding_ *= (sd > 0 ? 1e-4 / sd : 1e-4);
  } else {
    Random rng = Random::FromRandomState(o.random_state);
    embedding_.resize(n, nc);
    for (Index i = 0; i < embedding_.size(); ++i) {
      embedding_.data()[i] = 1e-4 * rng.Normal();
    }
  }
}

int TSNE::Optimize(bool exact, int dof, double* kl_out) {
  const TSNEOptions& o = options_;
  TSNEWorkspace& ws = workspace_;
  auto scale_p = [&](double f, bool divide) {
    if (exact) {
      if (divide) {
        ws.p_dense_ /= f;
      } else {
        ws.p_dense_ *= f;
      }
    } else {
      // scipy's in-place sparse division multiplies by the reciprocal.
      const double m = divide ? 1.0 / f : f;
      for (double& v : ws.p_sparse_.values) v *= m;
    }
  };
  // Learning schedule (part 1): early exaggeration, momentum 0.5.
  scale_p(o.early_exaggeration, false);
  double kl = 0.0;
  int it = GradientDescent(0, std::min(kExplorationNIter, o.n_iter), 0.5,
                           kExplorationNIter, exact, dof, &kl);
  if (o.verbose) {
    std::fprintf(stderr,
                 "[t-SNE] KL divergence after %d iterations with early "
                 "exaggeration: %f\n",
                 it + 1, kl);
  }
  scale_p(o.early_exaggeration, true);
  // Part 2: momentum 0.8 until n_iter.
  if (it + 1 < o.n_iter && std::isfinite(kl) && embedding_.allFinite()) {
    it = GradientDescent(it + 1, o.n_iter, 0.8, o.n_iter_without_progress,
                         exact, dof, &kl);
  }
  if (o.verbose) {
    std::fprintf(stderr, "[t-SNE] KL divergence after %d iterations: %f\n",
                 it + 1, kl);
  }
  *kl_out = kl;
  return it;
}

absl::Status TSNE::DoFit(const ConstMatrixRef& x_in, absl::Span<const double>,
                         const FitArgs&) {
  fitted_ = false;
  // ECLIPSERA_DISABLE_POOLING=1: the roadmap's v1.0 path (fresh arrays every
  // iteration, the exact kernel materialised as an n x n matrix).
  pooling_ = !pool::PoolingDisabled();
  absl::Status s = Validate(x_in);
  if (!s.ok()) return s;
  const TSNEOptions& o = options_;
  const Index n = x_in.rows();
  const int nc = o.n_components;
  const bool exact = o.method == "exact";
  const bool precomputed = o.metric == "precomputed";
  const Matrix rescaled = PowerOfTwoRescale(x_in);
  const ConstMatrixRef x =
      rescaled.size() > 0 ? ConstMatrixRef(rescaled) : ConstMatrixRef(x_in);
  const bool identical = AllRowsIdentical(x, precomputed);
  learning_rate_ = o.learning_rate.has_value()
                       ? *o.learning_rate
                       : std::max(n / o.early_exaggeration / 4.0, 50.0);
  TSNEWorkspace& ws = workspace_;
  ComputeP(x, exact, precomputed);
  InitEmbedding(x, identical);
  if (!embedding_.allFinite()) {
    embedding_.resize(0, 0);
    return absl::InvalidArgumentError(
        absl::StrCat(kFit, ": the initial embedding (init='", o.init,
                     "') is not finite; rescale X"));
  }
  if (n > 1 && AllRowsEqual(embedding_)) {
    if (identical) {
      // Every sample is the same point: P and Q are uniform, so the
      // coincident embedding is an exact optimum (KL divergence 0, zero
      // gradient). Barnes-Hut cannot evaluate it (it skips coincident
      // points), so the degenerate result is returned as is.
      kl_divergence_ = 0.0;
      n_iter_ = 0;
      fitted_ = true;
      AddWarning(
          "All samples are identical: the embedding is a single point and "
          "the KL divergence is 0.");
      return absl::OkStatus();
    }
    embedding_.resize(0, 0);
    return absl::InvalidArgumentError(absl::StrCat(
        kFit,
        ": every row of the initial embedding is the same point; t-SNE's "
        "gradient is then zero and the points can never separate. Use "
        "init='pca', init='random' or an initial array with distinct rows"));
  }

  if (exact) {
    ws.exact_.Resize(n, nc, o.n_jobs);
  } else {
    ws.barnes_hut_.Resize(n, nc, o.n_jobs);
  }
  double kl = 0.0;
  const int it = Optimize(exact, std::max(nc - 1, 1), &kl);
  // A success means finite output (checked before anything is reported).
  if (!std::isfinite(kl) || !embedding_.allFinite()) {
    embedding_.resize(0, 0);
    return absl::InvalidArgumentError(
        absl::StrCat(kFit,
                     ": the optimisation diverged (the embedding or the KL "
                     "divergence became NaN or infinite after ",
                     it + 1,
                     " iterations); try a smaller learning_rate, or rescale or "
                     "deduplicate X"));
  }
  if (exact && kl < 0.0) kl = 0.0;  // rounding: P and Q both sum to 1
  if (kl < 0.0) {
    // Only the Barnes-Hut estimate can be negative: it skips coincident
    // embedding points (as scikit-learn does), which undercounts Q's
    // normalisation when most points coincide.
    embedding_.resize(0, 0);
    return absl::InvalidArgumentError(absl::StrCat(
        kFit, ": the Barnes-Hut KL divergence estimate is negative (", kl,
        ") because most embedding points coincide; use method='exact'"));
  }
  n_iter_ = it;
  kl_divergence_ = kl;
  fitted_ = true;
  return absl::OkStatus();
}

absl::StatusOr<Matrix> TSNE::DoFitTransform(const ConstMatrixRef& x,
                                            absl::Span<const double> y,
                                            const FitArgs& args) {
  absl::Status s = Fit(x, y, args);
  if (!s.ok()) return s;
  return embedding_;
}

absl::Status RegisterTSNE(EstimatorRegistry& registry) {
  return registry.Register(
      {"TSNE", "t-SNE embedding (exact or Barnes-Hut), scikit-learn's TSNE",
       MainOutput::kTransform, [] { return std::make_unique<TSNE>(); }});
}

}  // namespace eclipsera::manifold
