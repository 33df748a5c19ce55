// MiniBatchKMeans following scikit-learn 1.2's _kmeans.py
// (MiniBatchKMeans.fit / partial_fit, _mini_batch_step,
// _mini_batch_convergence) and _k_means_minibatch.pyx.
#include "eclipsera/cluster/mini_batch_kmeans.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "eclipsera/cluster/internal/kmeans_kernels.h"
#include "eclipsera/cluster/kmeans.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/pool/pooling_switch.h"

namespace eclipsera::cluster {
namespace {

using cluster_internal::AssignNearest;
using cluster_internal::AssignScratchSize;
using cluster_internal::kTileRows;
using cluster_internal::SquaredDistance;

// Sizes the step buffers for batches of `batch` rows (grow-only: nothing
// reallocates within capacity).
void SizeWorkspace(MiniBatchKMeansWorkspace& ws, Index batch, Index d, Index k,
                   int n_jobs) {
  ws.batch.resize(batch, d);
  ws.batch_weights.resize(batch);
  ws.batch_indices.resize(batch);
  ws.batch_labels.resize(batch);
  ws.centers_new.resize(k, d);
  ws.tiles.resize(std::max(1, NumWorkers(n_jobs, NumChunks(batch, kTileRows))),
                  AssignScratchSize(k, d));
  ws.c_sqnorms.resize(k);
  ws.partials.resize(NumChunks(batch, kTileRows));
  ws.permutation.resize(batch);
  ws.to_reassign.resize(k);
  ws.order.resize(k);
}

// scikit-learn's _tolerance: tol times the mean feature variance of X.
double AbsoluteTolerance(const ConstMatrixRef& x, double tol) {
  if (!(tol > 0.0)) return 0.0;
  const Eigen::RowVectorXd mean = x.colwise().mean();
  return ((x.rowwise() - mean).array().square().colwise().sum() /
          static_cast<double>(x.rows()))
             .mean() *
         tol;
}

// scikit-learn's _mini_batch_convergence: an exponentially weighted average
// (ewa) of the mean batch inertia; the fit stops on a small center change
// (tol) or after max_no_improvement steps without a new smallest ewa.
class ConvergenceMonitor {
 public:
  ConvergenceMonitor(const MiniBatchKMeansOptions& o, Index n, Index batch,
                     int64_t n_steps, double tol)
      : o_(o), n_(n), batch_(batch), n_steps_(n_steps), tol_(tol) {}

  // After step `step` (1-based) with the batch's mean inertia and the
  // squared center shift: true when the fit has converged.
  bool Converged(int64_t step, double batch_inertia, double shift) {
    if (step == 1) {
      Log("Minibatch step %ld/%ld: mean batch inertia: %g\n", step,
          batch_inertia);
      return false;
    }
    if (!ewa_.has_value()) {
      ewa_ = batch_inertia;
    } else {
      const double alpha = std::min(1.0, batch_ * 2.0 / (n_ + 1));
      ewa_ = *ewa_ * (1 - alpha) + batch_inertia * alpha;
    }
    if (o_.verbose) {
      std::fprintf(stderr,
                   "Minibatch step %ld/%ld: mean batch inertia: %g, ewa "
                   "inertia: %g\n",
                   static_cast<long>(step), static_cast<long>(n_steps_),
                   batch_inertia, *ewa_);
    }
    if (tol_ > 0.0 && shift <= tol_) {
      Log("Converged (small centers change) at step %ld/%ld\n", step);
      return true;
    }
    if (!ewa_min_.has_value() || *ewa_ < *ewa_min_) {
      no_improvement_ = 0;
      ewa_min_ = ewa_;
    } else {
      ++no_improvement_;
    }
    if (o_.max_no_improvement >= 0 &&
        no_improvement_ >= o_.max_no_improvement) {
      Log("Converged (lack of improvement in inertia) at step %ld/%ld\n", step);
      return true;
    }
    return false;
  }

  const std::optional<double>& ewa() const { return ewa_; }

 private:
  void Log(const char* format, int64_t step, double value = 0.0) const {
    if (!o_.verbose) return;
    std::fprintf(stderr, format, static_cast<long>(step),
                 static_cast<long>(n_steps_), value);
  }

  const MiniBatchKMeansOptions& o_;
  const Index n_, batch_;
  const int64_t n_steps_;
  const double tol_;
  std::optional<double> ewa_, ewa_min_;
  int no_improvement_ = 0;
};

}  // namespace

WorkspaceStats MiniBatchKMeansWorkspace::stats() const {
  return SumStats(batch, batch_weights, batch_indices, batch_labels,
                  centers_new, tiles, c_sqnorms, partials, permutation,
                  to_reassign, order);
}

const ParamSchema<MiniBatchKMeansOptions>& MiniBatchKMeansOptions::Schema() {
  using O = MiniBatchKMeansOptions;
  static const auto* schema = [] {
    auto* s = new ParamSchema<O>("MiniBatchKMeans");
    s->Int("n_clusters", &O::n_clusters, "number of clusters")
        .String("init", &O::init, "'k-means++' or 'random'",
                {"k-means++", "random"})
        .Int("max_iter", &O::max_iter, "passes over the data")
        .Int("batch_size", &O::batch_size, "samples per mini-batch")
        .Int("verbose", &O::verbose, "progress on stderr")
        .Bool("compute_labels", &O::compute_labels,
              "label the whole data set after fitting")
        .OptionalInt("random_state", &O::random_state, "seed")
        .Double("tol", &O::tol, "relative tolerance on the center change")
        .Int("max_no_improvement", &O::max_no_improvement,
             "steps without smoothed-inertia improvement; < 0: None")
        .Int("init_size", &O::init_size,
             "samples used for initialisation; < 0: None (3 * batch_size)")
        .Int("n_init", &O::n_init, "initialisations tried")
        .Double("reassignment_ratio", &O::reassignment_ratio,
                "weight fraction below which a center is reassigned")
        .Int("n_jobs", &O::n_jobs, kNJobsDoc);
    return s;
  }();
  return *schema;
}

MiniBatchKMeans::MiniBatchKMeans(MiniBatchKMeansOptions options)
    : options_(std::move(options)) {}

void MiniBatchKMeans::set_options(const MiniBatchKMeansOptions& options) {
  options_ = options;
  Reset();
}

void MiniBatchKMeans::Reset() {
  fitted_ = false;
  inertia_ = 0.0;
  n_iter_ = 0;
  n_steps_ = 0;
  n_since_last_reassign_ = 0;
  random_.reset();
}

absl::Status MiniBatchKMeans::Validate(
    const char* ctx, const ConstMatrixRef& x,
    absl::Span<const double> sample_weight) const {
  const MiniBatchKMeansOptions& o = options_;
  ECLIPSERA_RETURN_IF_ERROR(CheckData(ctx, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "n_clusters", o.n_clusters, 1));
  // scikit-learn checks n_samples >= n_clusters on the data used for the
  // initialisation only; later partial_fit batches may be smaller.
  const bool initialised =
      fitted_ && absl::string_view(ctx) == "MiniBatchKMeans::PartialFit";
  // The initialising data sets the centres' scale; a later batch of tiny
  // values against ordinary centres has no underflow problem.
  if (!initialised) ECLIPSERA_RETURN_IF_ERROR(CheckNotTooSmall(ctx, "X", x));
  if (!initialised && o.n_clusters > x.rows()) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx, ": n_samples = ", x.rows(),
                     " should be >= n_clusters = ", o.n_clusters));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "max_iter", o.max_iter, 1));
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "batch_size", o.batch_size, 1));
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "n_init", o.n_init, 1));
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "tol", o.tol, 0.0));
  ECLIPSERA_RETURN_IF_ERROR(
      CheckAtLeast(ctx, "reassignment_ratio", o.reassignment_ratio, 0.0));
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "verbose", o.verbose, 0));
  const absl::string_view inits[] = {"k-means++", "random"};
  ECLIPSERA_RETURN_IF_ERROR(CheckOneOf(ctx, "init", o.init, inits));
  if (!ResolveNJobs(o.n_jobs).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        ctx, ": n_jobs = 0, must be a positive thread count or -1"));
  }
  if (o.init_centers.has_value()) {
    ECLIPSERA_RETURN_IF_ERROR(
        CheckShape(ctx, "init", *o.init_centers, o.n_clusters, x.cols()));
    ECLIPSERA_RETURN_IF_ERROR(CheckFinite(ctx, "init", *o.init_centers));
    ECLIPSERA_RETURN_IF_ERROR(CheckMagnitude(ctx, "init", *o.init_centers));
  }
  if (fitted_ && centers_.cols() != x.cols() &&
      absl::string_view(ctx) == "MiniBatchKMeans::PartialFit") {
    return CheckColumns(ctx, "X", x, centers_.cols());
  }
  if (!sample_weight.empty()) {
    ECLIPSERA_RETURN_IF_ERROR(
        CheckLength(ctx, "sample_weight",
                    static_cast<Index>(sample_weight.size()), x.rows()));
    ECLIPSERA_RETURN_IF_ERROR(
        CheckFiniteValues(ctx, "sample_weight", sample_weight));
    for (size_t i = 0; i < sample_weight.size(); ++i) {
      if (sample_weight[i] < 0.0) {
        return absl::InvalidArgumentError(
            absl::StrCat(ctx, ": sample_weight[", i, "] = ", sample_weight[i],
                         ", weights must be >= 0"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Matrix> MiniBatchKMeans::InitCenters(const ConstMatrixRef& x,
                                                    Random& random,
                                                    Index init_size) {
  const Index n = x.rows(), k = options_.n_clusters;
  // scikit-learn's _init_centroids draws the subsample even for an explicit
  // init; we only draw it when it is used.
  if (options_.init_centers.has_value()) return *options_.init_centers;
  auto from = [&](const ConstMatrixRef& data) -> absl::StatusOr<Matrix> {
    if (options_.init == "k-means++") {
      return KMeansPlusPlus(data, static_cast<int>(k), random, -1,
                            options_.n_jobs);
    }
    const std::vector<int64_t> rows = random.SampleIndices(data.rows(), k);
    Matrix centers(k, x.cols());
    for (Index j = 0; j < k; ++j) centers.row(j) = data.row(rows[j]);
    return centers;
  };
  if (init_size >= n) return from(x);
  Matrix sub(init_size, x.cols());
  for (Index i = 0; i < init_size; ++i) {
    sub.row(i) = x.row(static_cast<Index>(random.UniformInt(n)));
  }
  return from(sub);
}

double MiniBatchKMeans::LabelsInertia(const ConstMatrixRef& x,
                                      const double* weights,
                                      LabelVector* labels) const {
  const Index n = x.rows(), k = centers_.rows();
  const Vector c_sqnorms = centers_.rowwise().squaredNorm();
  LabelVector local;
  LabelVector& out = labels != nullptr ? *labels : local;
  out.resize(n);
  const Index n_chunks = NumChunks(n, kTileRows);
  Matrix tiles(std::max(1, NumWorkers(options_.n_jobs, n_chunks)),
               AssignScratchSize(k, x.cols()));
  Vector partials(n_chunks);
  ParallelForChunks(
      options_.n_jobs, n, kTileRows, [&](Index b, Index e, int w) {
        AssignNearest(x, b, e, nullptr, centers_, c_sqnorms.data(),
                      tiles.row(w).data(), out.data());
        double s = 0.0;
        for (Index i = b; i < e; ++i) {
          s += (weights ? weights[i] : 1.0) *
               SquaredDistance(x.row(i).data(), centers_.row(out(i)).data(),
                               x.cols());
        }
        partials(b / kTileRows) = s;
      });
  return partials.sum();
}

bool MiniBatchKMeans::RandomReassign(Index batch) {
  n_since_last_reassign_ += batch;
  if ((counts_.array() == 0.0).any() ||
      n_since_last_reassign_ >= 10 * options_.n_clusters) {
    n_since_last_reassign_ = 0;
    return true;
  }
  return false;
}

double MiniBatchKMeans::Step(const ConstMatrixRef& x, const double* weights,
                             absl::Span<const Index> indices, Random& random,
                             bool reassign) {
  MiniBatchKMeansWorkspace& ws = ws_;
  const Index b = static_cast<Index>(indices.size()), d = x.cols();
  const Index k = centers_.rows();
  GrowMatrix fresh_batch, fresh_tiles;
  GrowMatrix& batch = pooling_ ? ws.batch : fresh_batch;
  GrowMatrix& tiles = pooling_ ? ws.tiles : fresh_tiles;
  if (!pooling_) {
    // v1.0: fresh buffers for this step.
    batch.resize(b, d);
    tiles.resize(ws.tiles.rows(), ws.tiles.cols());
  }
  for (Index i = 0; i < b; ++i) {
    batch.row(i) = x.row(indices[i]);
    ws.batch_weights(i) = weights ? weights[indices[i]] : 1.0;
  }
  for (Index j = 0; j < k; ++j) ws.c_sqnorms(j) = centers_.row(j).squaredNorm();
  ParallelForChunks(
      options_.n_jobs, b, kTileRows, [&](Index lo, Index hi, int w) {
        AssignNearest(batch.topRows(b), lo, hi, nullptr, centers_,
                      ws.c_sqnorms.data(), tiles.row(w).data(),
                      ws.batch_labels.data());
        double s = 0.0;
        for (Index i = lo; i < hi; ++i) {
          s += ws.batch_weights(i) *
               SquaredDistance(batch.row(i).data(),
                               centers_.row(ws.batch_labels(i)).data(), d);
        }
        ws.partials(lo / kTileRows) = s;
      });
  double inertia = 0.0;
  for (Index c = 0; c < NumChunks(b, kTileRows); ++c) inertia += ws.partials(c);

  // _minibatch_update_dense: per-center running means.
  GrowVector& wsum = ws.c_sqnorms;  // reused: per-center batch weight
  wsum.setZero();
  // Labels come from the argmin kernels (always in [0, k)); the guards keep
  // every write through a label in bounds by construction.
  auto in_range = [k](int32_t l) {
    return static_cast<uint32_t>(l) < static_cast<uint32_t>(k);
  };
  for (Index i = 0; i < b; ++i) {
    if (in_range(ws.batch_labels(i))) {
      wsum(ws.batch_labels(i)) += ws.batch_weights(i);
    }
  }
  for (Index j = 0; j < k; ++j) {
    if (wsum(j) > 0.0) {
      ws.centers_new.row(j) = centers_.row(j) * counts_(j);
    } else {
      ws.centers_new.row(j) = centers_.row(j);
    }
  }
  for (Index i = 0; i < b; ++i) {
    if (!in_range(ws.batch_labels(i))) continue;
    ws.centers_new.row(ws.batch_labels(i)) +=
        batch.row(i) * ws.batch_weights(i);
  }
  for (Index j = 0; j < k; ++j) {
    if (wsum(j) > 0.0) {
      counts_(j) += wsum(j);
      ws.centers_new.row(j) *= 1.0 / counts_(j);
    }
  }

  if (reassign && options_.reassignment_ratio > 0.0) {
    const double limit = options_.reassignment_ratio * counts_.maxCoeff();
    Index n_reassign = 0;
    for (Index j = 0; j < k; ++j) {
      ws.to_reassign[j] = counts_(j) < limit;
      n_reassign += ws.to_reassign[j];
    }
    // At most half a batch of new centers: keep the heaviest ones.
    if (n_reassign > 0.5 * b) {
      std::iota(ws.order.begin(), ws.order.end(), 0);
      std::stable_sort(ws.order.begin(), ws.order.end(), [&](Index a, Index c) {
        return counts_(a) < counts_(c);
      });
      for (Index r = static_cast<Index>(0.5 * b); r < k; ++r) {
        ws.to_reassign[ws.order[r]] = 0;
      }
      n_reassign = 0;
      for (Index j = 0; j < k; ++j) n_reassign += ws.to_reassign[j];
    }
    if (n_reassign > 0 && n_reassign < k) {
      // Uniform sample of batch rows without replacement.
      std::iota(ws.permutation.begin(), ws.permutation.begin() + b, 0);
      Index taken = 0;
      double min_kept = std::numeric_limits<double>::infinity();
      for (Index j = 0; j < k; ++j) {
        if (!ws.to_reassign[j]) {
          min_kept = std::min(min_kept, counts_(j));
          continue;
        }
        const Index r =
            taken + static_cast<Index>(random.UniformInt(b - taken));
        std::swap(ws.permutation[taken], ws.permutation[r]);
        ws.centers_new.row(j) = batch.row(ws.permutation[taken]);
        ++taken;
      }
      if (options_.verbose) {
        std::fprintf(stderr,
                     "[MiniBatchKMeans] Reassigning %ld cluster centers.\n",
                     static_cast<long>(n_reassign));
      }
      for (Index j = 0; j < k; ++j) {
        if (ws.to_reassign[j]) counts_(j) = min_kept;
      }
    }
  }
  return inertia;
}

Index MiniBatchKMeans::InitSize(Index n, Index batch) {
  const Index k = options_.n_clusters;
  Index init_size = options_.init_size;
  if (init_size < 0) {
    init_size = 3 * batch;
    if (init_size < k) init_size = 3 * k;
  } else if (init_size < k) {
    AddWarning(absl::StrCat("init_size=", init_size,
                            " should be larger than n_clusters=", k,
                            ". Setting it to min(3*n_clusters, n_samples)"));
    init_size = 3 * k;
  }
  return std::min(init_size, n);
}

absl::Status MiniBatchKMeans::BestInit(const ConstMatrixRef& x,
                                       const double* weights, Random& random,
                                       Index init_size) {
  // Validation subset for choosing among the initialisations.
  const Index n = x.rows();
  Matrix x_valid(init_size, x.cols());
  Vector w_valid(init_size);
  for (Index i = 0; i < init_size; ++i) {
    const Index r = static_cast<Index>(random.UniformInt(n));
    x_valid.row(i) = x.row(r);
    w_valid(i) = weights ? weights[r] : 1.0;
  }
  const int n_init = options_.init_centers.has_value() ? 1 : options_.n_init;
  if (options_.init_centers.has_value() && options_.n_init != 1) {
    AddWarning(absl::StrCat(
        "Explicit initial center position passed: performing only one init "
        "in MiniBatchKMeans instead of n_init=",
        options_.n_init, "."));
  }
  double best_inertia = std::numeric_limits<double>::infinity();
  Matrix best;
  for (int run = 0; run < n_init; ++run) {
    ECLIPSERA_ASSIGN_OR_RETURN(centers_, InitCenters(x, random, init_size));
    const double inertia = LabelsInertia(x_valid, w_valid.data(), nullptr);
    if (options_.verbose) {
      std::fprintf(stderr, "Inertia for init %d/%d: %g\n", run + 1, n_init,
                   inertia);
    }
    if (run == 0 || inertia < best_inertia) {
      best_inertia = inertia;
      best = centers_;
    }
  }
  centers_ = best;
  return absl::OkStatus();
}

absl::Status MiniBatchKMeans::DoFit(const ConstMatrixRef& x,
                                    absl::Span<const double>,
                                    const FitArgs& args) {
  const char* ctx = "MiniBatchKMeans::Fit";
  const absl::Span<const double> sample_weight = args.sample_weight;
  // ECLIPSERA_DISABLE_POOLING=1: fresh step buffers every step (v1.0).
  pooling_ = !pool::PoolingDisabled();
  ECLIPSERA_RETURN_IF_ERROR(Validate(ctx, x, sample_weight));
  Reset();
  const Index n = x.rows(), d = x.cols(), k = options_.n_clusters;
  const Index batch = std::min<Index>(options_.batch_size, n);
  const Index init_size = InitSize(n, batch);
  const double* weights =
      sample_weight.empty() ? nullptr : sample_weight.data();
  MiniBatchKMeansWorkspace& ws = ws_;
  SizeWorkspace(ws, batch, d, k, options_.n_jobs);
  const double tol = AbsoluteTolerance(x, options_.tol);
  Random random = Random::FromRandomState(options_.random_state);
  ECLIPSERA_RETURN_IF_ERROR(BestInit(x, weights, random, init_size));
  counts_ = Vector::Zero(k);

  const int64_t n_steps = (static_cast<int64_t>(options_.max_iter) * n) / batch;
  ConvergenceMonitor monitor(options_, n, batch, n_steps, tol);
  int64_t i = 0;
  for (; i < n_steps; ++i) {
    for (Index r = 0; r < batch; ++r) {
      ws.batch_indices[r] = static_cast<Index>(random.UniformInt(n));
    }
    const double batch_inertia =
        Step(x, weights, ws.batch_indices, random, RandomReassign(batch));
    const double shift =
        tol > 0.0 ? (ws.centers_new - centers_).squaredNorm() : 0.0;
    centers_.swap(ws.centers_new);
    if (monitor.Converged(i + 1, batch_inertia / static_cast<double>(batch),
                          shift)) {
      ++i;
      break;
    }
  }
  n_steps_ = static_cast<int>(i);
  n_iter_ = static_cast<int>((i * batch + n - 1) / n);
  if (options_.compute_labels) {
    inertia_ = LabelsInertia(x, weights, &labels_);
  } else {
    inertia_ = monitor.ewa().value_or(0.0) * n;
  }
  random_ = random;
  ECLIPSERA_RETURN_IF_ERROR(CheckFittedFinite(ctx, "cluster center", centers_));
  ECLIPSERA_RETURN_IF_ERROR(CheckFittedFinite(ctx, "inertia", inertia_));
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status MiniBatchKMeans::PartialFit(
    const ConstMatrixRef& x, absl::Span<const double> sample_weight) {
  const char* ctx = "MiniBatchKMeans::PartialFit";
  ECLIPSERA_RETURN_IF_ERROR(Validate(ctx, x, sample_weight));
  pooling_ = !pool::PoolingDisabled();
  const Index n = x.rows(), d = x.cols(), k = options_.n_clusters;
  const double* weights =
      sample_weight.empty() ? nullptr : sample_weight.data();
  if (!fitted_) {
    Reset();
    random_ = Random::FromRandomState(options_.random_state);
    Index init_size =
        options_.init_size < 0 ? 3 * options_.batch_size : options_.init_size;
    if (init_size < k) init_size = 3 * k;
    init_size = std::min(init_size, n);
    ECLIPSERA_ASSIGN_OR_RETURN(centers_, InitCenters(x, *random_, init_size));
    counts_ = Vector::Zero(k);
  }
  MiniBatchKMeansWorkspace& ws = ws_;
  SizeWorkspace(ws, n, d, k, options_.n_jobs);
  std::iota(ws.batch_indices.begin(), ws.batch_indices.end(), 0);
  // partial_fit's batch is all of x.
  const bool reassign = RandomReassign(n);
  Step(x, weights, ws.batch_indices, *random_, reassign);
  centers_.swap(ws.centers_new);
  if (options_.compute_labels) inertia_ = LabelsInertia(x, weights, &labels_);
  ++n_steps_;
  if (absl::Status s = CheckFittedFinite(ctx, "cluster center", centers_);
      !s.ok() || !(s = CheckFittedFinite(ctx, "inertia", inertia_)).ok()) {
    Reset();
    return s;
  }
  fitted_ = true;
  return absl::OkStatus();
}

absl::StatusOr<LabelVector> MiniBatchKMeans::PredictLabels(
    const ConstMatrixRef& x) const {
  if (!fitted_) return NotFittedError("MiniBatchKMeans::Predict");
  ECLIPSERA_RETURN_IF_ERROR(CheckData("MiniBatchKMeans::Predict", "X", x));
  ECLIPSERA_RETURN_IF_ERROR(
      CheckColumns("MiniBatchKMeans::Predict", "X", x, centers_.cols()));
  LabelVector labels;
  LabelsInertia(x, nullptr, &labels);
  return labels;
}

FittedScalarList MiniBatchKMeans::FittedScalars() const {
  return {{"inertia", inertia_},
          {"n_iter", static_cast<double>(n_iter_)},
          {"n_steps", static_cast<double>(n_steps_)}};
}

absl::Status MiniBatchKMeans::DoPredictInto(const ConstMatrixRef& x,
                                            VectorRef out) const {
  ECLIPSERA_ASSIGN_OR_RETURN(LabelVector labels, PredictLabels(x));
  out = labels.cast<double>();
  return absl::OkStatus();
}

absl::StatusOr<Vector> MiniBatchKMeans::DoFitPredict(const ConstMatrixRef& x,
                                                     absl::Span<const double>) {
  if (options_.compute_labels) return labels_.cast<double>();
  Vector out(x.rows());
  ECLIPSERA_RETURN_IF_ERROR(DoPredictInto(x, out));
  return out;
}

absl::StatusOr<double> MiniBatchKMeans::DoScore(
    const ConstMatrixRef& x, absl::Span<const double>) const {
  ECLIPSERA_RETURN_IF_ERROR(CheckData("MiniBatchKMeans::Score", "X", x));
  ECLIPSERA_RETURN_IF_ERROR(
      CheckColumns("MiniBatchKMeans::Score", "X", x, centers_.cols()));
  return -LabelsInertia(x, nullptr, nullptr);
}

absl::Status MiniBatchKMeans::DoTransformInto(const ConstMatrixRef& x,
                                              MatrixRef out) const {
  ECLIPSERA_RETURN_IF_ERROR(CheckData("MiniBatchKMeans::Transform", "X", x));
  ECLIPSERA_RETURN_IF_ERROR(
      CheckColumns("MiniBatchKMeans::Transform", "X", x, centers_.cols()));
  cluster_internal::CenterDistancesInto(x, centers_, options_.n_jobs, out);
  return absl::OkStatus();
}

FittedArrayList MiniBatchKMeans::FittedArrays() const {
  if (!fitted_) return {};
  return {{"cluster_centers", centers_, false},
          {"labels", labels_.cast<double>(), true},
          {"_counts", counts_, true}};
}

absl::Status MiniBatchKMeans::RestoreFitted(
    const FittedArrayList& arrays, absl::Span<const FittedScalar> scalars) {
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(RestoreMatrix(arrays, "cluster_centers",
                                          options_.n_clusters, -1, &centers_));
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreVector(arrays, "_counts", options_.n_clusters, &counts_));
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreLabels(arrays, 0, options_.n_clusters, &labels_));
  ECLIPSERA_ASSIGN_OR_RETURN(inertia_, FindFittedScalar(scalars, "inertia"));
  ECLIPSERA_ASSIGN_OR_RETURN(const double n_iter,
                             FindFittedScalar(scalars, "n_iter"));
  ECLIPSERA_ASSIGN_OR_RETURN(const double n_steps,
                             FindFittedScalar(scalars, "n_steps"));
  n_iter_ = static_cast<int>(n_iter);
  n_steps_ = static_cast<int>(n_steps);
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status RegisterMiniBatchKMeans(EstimatorRegistry& registry) {
  return registry.Register(
      {"MiniBatchKMeans", "mini-batch k-means, scikit-learn's MiniBatchKMeans",
       MainOutput::kLabels,
       [] { return std::make_unique<MiniBatchKMeans>(); }});
}

}  // namespace eclipsera::cluster
