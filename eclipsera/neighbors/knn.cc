// KNeighborsClassifier / KNeighborsRegressor: scikit-learn 1.2's
// sklearn/neighbors/_classification.py and _regression.py.
#include "eclipsera/neighbors/knn.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/supervised.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/metrics/classification.h"
#include "eclipsera/metrics/regression.h"

namespace eclipsera::neighbors {
namespace {

absl::StatusOr<Metric> EffectiveMetric(const char* context,
                                       const KNeighborsOptions& o) {
  if (o.metric == "minkowski") {
    if (o.p == 2.0) return Metric::kEuclidean;
    if (o.p == 1.0) return Metric::kManhattan;
    return absl::InvalidArgumentError(absl::StrCat(
        context, ": p = ", o.p,
        " with metric 'minkowski'; supported: p = 1 (manhattan) or 2 "
        "(euclidean)"));
  }
  absl::StatusOr<Metric> m = ParseMetric(o.metric);
  if (!m.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": ", m.status().message(), ", 'minkowski'"));
  }
  return *m;
}

}  // namespace

const ParamSchema<KNeighborsOptions>& KNeighborsOptions::Schema() {
  using O = KNeighborsOptions;
  static const auto* schema = [] {
    auto* s = new ParamSchema<O>("KNeighbors");
    s->Int("n_neighbors", &O::n_neighbors,
           "number of neighbours, 1 <= n_neighbors <= n_samples")
        .String("weights", &O::weights,
                "'uniform' or 'distance' (1 / distance)",
                {"uniform", "distance"})
        .String("algorithm", &O::algorithm,
                "'auto', 'kd_tree', 'ball_tree' (the k-d tree) or 'brute'",
                {"auto", "kd_tree", "ball_tree", "brute"})
        .Int("leaf_size", &O::leaf_size, "k-d tree leaf size, >= 1")
        .Double("p", &O::p, "Minkowski power with metric 'minkowski': 1 or 2")
        .String("metric", &O::metric,
                "'minkowski' (with p), 'euclidean', 'manhattan' or "
                "'chebyshev'")
        .Int("n_jobs", &O::n_jobs, kNJobsDoc);
    return s;
  }();
  return *schema;
}

absl::Status KNeighborsBase::FitIndex(const char* context,
                                      const KNeighborsOptions& o,
                                      const ConstMatrixRef& x) {
  ECLIPSERA_RETURN_IF_ERROR(ResolveNJobs(o.n_jobs).status());
  ECLIPSERA_ASSIGN_OR_RETURN(const Metric metric, EffectiveMetric(context, o));
  if (o.n_neighbors < 1 || o.n_neighbors > x.rows()) {
    return absl::InvalidArgumentError(absl::StrCat(
        context, ": n_neighbors = ", o.n_neighbors,
        "; expected 1 <= n_neighbors <= n_samples_fit, the number of "
        "training samples (n_samples = ",
        x.rows(), ")"));
  }
  if (o.leaf_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": leaf_size = ", o.leaf_size, "; must be >= 1"));
  }
  const Algorithm algorithm = o.algorithm == "brute"  ? Algorithm::kBrute
                              : o.algorithm == "auto" ? Algorithm::kAuto
                                                      : Algorithm::kKDTree;
  ECLIPSERA_ASSIGN_OR_RETURN(index_,
                             BuildIndex(x, metric, algorithm, o.leaf_size));
  return absl::OkStatus();
}

absl::Status KNeighborsBase::Neighbors(const char* context,
                                       const KNeighborsOptions& o,
                                       const ConstMatrixRef& x,
                                       IndexMatrix* indices,
                                       Matrix* weights) const {
  ECLIPSERA_RETURN_IF_ERROR(CheckData(context, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckColumns(context, "X", x, index_->dim()));
  Matrix distances;
  ECLIPSERA_RETURN_IF_ERROR(
      KNearestAll(*index_, x, o.n_neighbors, o.n_jobs, indices, &distances));
  const Index k = o.n_neighbors;
  weights->setOnes(x.rows(), k);
  if (o.weights == "distance") {
    // _get_weights: 1 / distance; a row where that is infinite (distance
    // 0, or subnormal) weighs its infinite entries 1 and the others 0.
    for (Index i = 0; i < x.rows(); ++i) {
      bool infinite = false;
      for (Index j = 0; j < k; ++j) {
        (*weights)(i, j) = 1.0 / distances(i, j);
        infinite = infinite || std::isinf((*weights)(i, j));
      }
      if (!infinite) continue;
      for (Index j = 0; j < k; ++j) {
        (*weights)(i, j) = std::isinf((*weights)(i, j)) ? 1.0 : 0.0;
      }
    }
  }
  return absl::OkStatus();
}

// ----------------------------------------------------------------------------

KNeighborsClassifier::KNeighborsClassifier(KNeighborsOptions options)
    : options_(options) {}

void KNeighborsClassifier::set_options(const KNeighborsOptions& options) {
  options_ = options;
  Reset();
}

void KNeighborsClassifier::Reset() {
  ResetIndex();
  classes_.clear();
  codes_.clear();
}

absl::Status KNeighborsClassifier::DoFit(const ConstMatrixRef& x,
                                         absl::Span<const double> y,
                                         const FitArgs& args) {
  constexpr char kContext[] = "KNeighborsClassifier::Fit";
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckTarget(kContext, x, y));
  ECLIPSERA_ASSIGN_OR_RETURN(ClassLabels labels, EncodeClasses(kContext, y));
  ECLIPSERA_RETURN_IF_ERROR(FitIndex(kContext, options_, x));
  classes_ = std::move(labels.classes);
  codes_ = std::move(labels.codes);
  return absl::OkStatus();
}

absl::StatusOr<Matrix> KNeighborsClassifier::DoPredictProba(
    const ConstMatrixRef& x) const {
  IndexMatrix indices;
  Matrix weights;
  ECLIPSERA_RETURN_IF_ERROR(Neighbors("KNeighborsClassifier::PredictProba",
                                      options_, x, &indices, &weights));
  Matrix proba = Matrix::Zero(x.rows(), static_cast<Index>(classes_.size()));
  for (Index i = 0; i < x.rows(); ++i) {
    for (Index j = 0; j < indices.cols(); ++j) {
      proba(i, codes_[indices(i, j)]) += weights(i, j);
    }
    proba.row(i) /= proba.row(i).sum();
  }
  return proba;
}

absl::Status KNeighborsClassifier::DoPredictInto(const ConstMatrixRef& x,
                                                 VectorRef out) const {
  ECLIPSERA_ASSIGN_OR_RETURN(const Matrix proba, DoPredictProba(x));
  for (Index i = 0; i < x.rows(); ++i) {
    // weighted_mode: the smallest class among the most voted.
    Index best = 0;
    proba.row(i).maxCoeff(&best);
    out(i) = classes_[best];
  }
  return absl::OkStatus();
}

absl::StatusOr<double> KNeighborsClassifier::DoScore(
    const ConstMatrixRef& x, absl::Span<const double> y) const {
  ECLIPSERA_ASSIGN_OR_RETURN(const Vector p, Predict(x));
  return metrics::AccuracyScore(y, {p.data(), static_cast<size_t>(p.size())});
}

// ----------------------------------------------------------------------------

KNeighborsRegressor::KNeighborsRegressor(KNeighborsOptions options)
    : options_(options) {}

void KNeighborsRegressor::set_options(const KNeighborsOptions& options) {
  options_ = options;
  Reset();
}

void KNeighborsRegressor::Reset() {
  ResetIndex();
  y_.clear();
}

absl::Status KNeighborsRegressor::DoFit(const ConstMatrixRef& x,
                                        absl::Span<const double> y,
                                        const FitArgs& args) {
  constexpr char kContext[] = "KNeighborsRegressor::Fit";
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckTarget(kContext, x, y));
  ECLIPSERA_RETURN_IF_ERROR(FitIndex(kContext, options_, x));
  y_.assign(y.begin(), y.end());
  return absl::OkStatus();
}

absl::Status KNeighborsRegressor::DoPredictInto(const ConstMatrixRef& x,
                                                VectorRef out) const {
  IndexMatrix indices;
  Matrix weights;
  ECLIPSERA_RETURN_IF_ERROR(Neighbors("KNeighborsRegressor::Predict", options_,
                                      x, &indices, &weights));
  for (Index i = 0; i < x.rows(); ++i) {
    double num = 0.0, den = 0.0;
    for (Index j = 0; j < indices.cols(); ++j) {
      num += weights(i, j) * y_[indices(i, j)];
      den += weights(i, j);
    }
    out(i) = num / den;
  }
  return absl::OkStatus();
}

absl::StatusOr<double> KNeighborsRegressor::DoScore(
    const ConstMatrixRef& x, absl::Span<const double> y) const {
  ECLIPSERA_ASSIGN_OR_RETURN(const Vector p, Predict(x));
  return metrics::R2Score(y, {p.data(), static_cast<size_t>(p.size())});
}

// ----------------------------------------------------------------------------

const ParamSchema<NearestNeighborsOptions>& NearestNeighborsOptions::Schema() {
  using O = NearestNeighborsOptions;
  static const auto* schema = [] {
    auto* s = new ParamSchema<O>("NearestNeighbors");
    s->Int("n_neighbors", &O::n_neighbors,
           "default number of neighbours of kneighbors, >= 1")
        .Double("radius", &O::radius,
                "default radius of radius_neighbors (inclusive), >= 0")
        .String("algorithm", &O::algorithm,
                "'auto', 'kd_tree', 'ball_tree' (the k-d tree) or 'brute'",
                {"auto", "kd_tree", "ball_tree", "brute"})
        .Int("leaf_size", &O::leaf_size, "k-d tree leaf size, >= 1")
        .Double("p", &O::p, "Minkowski power with metric 'minkowski': 1 or 2")
        .String("metric", &O::metric,
                "'minkowski' (with p), 'euclidean', 'manhattan' or "
                "'chebyshev'")
        .Int("n_jobs", &O::n_jobs, kNJobsDoc);
    return s;
  }();
  return *schema;
}

NearestNeighbors::NearestNeighbors(NearestNeighborsOptions options)
    : options_(std::move(options)) {}

void NearestNeighbors::set_options(const NearestNeighborsOptions& options) {
  options_ = options;
  Reset();
}

void NearestNeighbors::Reset() {
  ResetIndex();
  fit_x_.resize(0, 0);
}

KNeighborsOptions NearestNeighbors::QueryOptions(int n_neighbors) const {
  KNeighborsOptions o;
  o.n_neighbors = n_neighbors;
  o.algorithm = options_.algorithm;
  o.leaf_size = options_.leaf_size;
  o.p = options_.p;
  o.metric = options_.metric;
  o.n_jobs = options_.n_jobs;
  return o;
}

absl::Status NearestNeighbors::DoFit(const ConstMatrixRef& x,
                                     absl::Span<const double>, const FitArgs&) {
  constexpr char kContext[] = "NearestNeighbors::Fit";
  Reset();
  if (options_.n_neighbors < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": n_neighbors = ", options_.n_neighbors, "; must be >= 1"));
  }
  if (!(options_.radius >= 0.0) || std::isinf(options_.radius)) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": radius = ", options_.radius, "; must be finite and >= 0"));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  // As scikit-learn, n_neighbors is checked against the data by the
  // queries, not here: the index is built for any k.
  ECLIPSERA_RETURN_IF_ERROR(FitIndex(kContext, QueryOptions(1), x));
  fit_x_ = x;
  return absl::OkStatus();
}

absl::Status NearestNeighbors::KNeighbors(const ConstMatrixRef* x,
                                          int n_neighbors, IndexMatrix* indices,
                                          Matrix* distances) const {
  constexpr char kContext[] = "NearestNeighbors::KNeighbors";
  if (!fitted()) return NotFittedError(kContext);
  const int k = n_neighbors == 0 ? options_.n_neighbors : n_neighbors;
  const Index available = n_samples_fit() - (x == nullptr ? 1 : 0);
  if (k < 1 || k > available) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": n_neighbors = ", k,
        "; expected 1 <= n_neighbors <= ", available,
        ", the number of training samples (n_samples_fit = ", n_samples_fit(),
        ")",
        x == nullptr ? " minus the query itself (queries of the training "
                       "data exclude themselves)"
                     : ""));
  }
  if (x != nullptr) {
    ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", *x));
    ECLIPSERA_RETURN_IF_ERROR(CheckColumns(kContext, "X", *x, fit_x_.cols()));
  }
  const ConstMatrixRef queries = x != nullptr ? *x : ConstMatrixRef(fit_x_);
  return KNearestAll(*index_, queries, k, options_.n_jobs, indices, distances,
                     /*exclude_self=*/x == nullptr);
}

absl::Status NearestNeighbors::RadiusNeighbors(const ConstMatrixRef* x,
                                               std::optional<double> radius,
                                               bool sort_results,
                                               NeighborLists* out) const {
  constexpr char kContext[] = "NearestNeighbors::RadiusNeighbors";
  if (!fitted()) return NotFittedError(kContext);
  const double r = radius.value_or(options_.radius);
  if (!(r >= 0.0) || std::isinf(r)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": radius = ", r, "; must be finite and >= 0"));
  }
  if (x != nullptr) {
    ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", *x));
    ECLIPSERA_RETURN_IF_ERROR(CheckColumns(kContext, "X", *x, fit_x_.cols()));
  }
  Matrix contiguous;
  const double* q = fit_x_.data();
  Index nq = fit_x_.rows();
  if (x != nullptr) {
    nq = x->rows();
    q = x->data();
    if (x->outerStride() != x->cols()) {
      contiguous = *x;
      q = contiguous.data();
    }
  }
  const Index d = fit_x_.cols();
  constexpr Index kChunk = 64;
  // Each chunk of queries appends to its own flat lists (one allocation
  // per list and chunk as they grow, none per query); the chunks are then
  // concatenated in order, so the result does not depend on the threads.
  struct ChunkLists {
    std::vector<Index> indices, counts;
    std::vector<double> distances;
  };
  struct Worker {
    QueryScratch scratch;
    std::vector<Index> found;
    std::vector<double> dist;
    std::vector<std::pair<double, Index>> order;
  };
  std::vector<ChunkLists> chunks(NumChunks(nq, kChunk));
  std::vector<Worker> workers(
      NumWorkers(options_.n_jobs, NumChunks(nq, kChunk)));
  ParallelForChunks(
      options_.n_jobs, nq, kChunk, [&](Index begin, Index end, int worker) {
        Worker& w = workers[worker];
        ChunkLists& c = chunks[begin / kChunk];
        for (Index i = begin; i < end; ++i) {
          index_->RadiusQuery(q + i * d, r, w.scratch, &w.found, &w.dist);
          w.order.clear();
          for (size_t j = 0; j < w.found.size(); ++j) {
            if (x == nullptr && w.found[j] == i) continue;  // itself
            w.order.emplace_back(w.dist[j], w.found[j]);
          }
          if (sort_results) {
            std::sort(w.order.begin(), w.order.end());
          } else {
            std::sort(w.order.begin(), w.order.end(),
                      [](const auto& a, const auto& b) {
                        return a.second < b.second;
                      });
          }
          for (const auto& [dd, j] : w.order) {
            c.indices.push_back(j);
            c.distances.push_back(dd);
          }
          c.counts.push_back(static_cast<Index>(w.order.size()));
        }
      });
  size_t total = 0;
  for (const ChunkLists& c : chunks) total += c.indices.size();
  out->offsets.assign(1, 0);
  out->offsets.reserve(static_cast<size_t>(nq) + 1);
  out->indices.clear();
  out->indices.reserve(total);
  out->distances.clear();
  out->distances.reserve(total);
  for (const ChunkLists& c : chunks) {
    out->indices.insert(out->indices.end(), c.indices.begin(), c.indices.end());
    out->distances.insert(out->distances.end(), c.distances.begin(),
                          c.distances.end());
    for (Index count : c.counts) {
      out->offsets.push_back(out->offsets.back() + count);
    }
  }
  return absl::OkStatus();
}

namespace {

// The command's output of NearestNeighbors: kneighbors() indices or
// distances.
absl::StatusOr<Matrix> NearestNeighborsOutput(const Estimator& fitted,
                                              const Matrix* queries,
                                              bool distances) {
  const auto* nn = dynamic_cast<const NearestNeighbors*>(&fitted);
  if (nn == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        fitted.name(), " answers no neighbour queries (NearestNeighbors)"));
  }
  IndexMatrix indices;
  Matrix dist;
  if (queries != nullptr) {
    const ConstMatrixRef q(*queries);
    ECLIPSERA_RETURN_IF_ERROR(nn->KNeighbors(&q, 0, &indices, &dist));
  } else {
    ECLIPSERA_RETURN_IF_ERROR(nn->KNeighbors(nullptr, 0, &indices, &dist));
  }
  if (distances) return dist;
  return Matrix(indices.cast<double>());
}

}  // namespace

absl::Status RegisterKNeighbors(EstimatorRegistry& registry) {
  ECLIPSERA_RETURN_IF_ERROR(registry.Register(
      {"KNeighborsClassifier",
       "vote of the k nearest neighbours, scikit-learn's "
       "KNeighborsClassifier",
       MainOutput::kPredict,
       [] { return std::make_unique<KNeighborsClassifier>(); }}));
  ECLIPSERA_RETURN_IF_ERROR(registry.Register(
      {"KNeighborsRegressor",
       "mean of the k nearest neighbours' targets, scikit-learn's "
       "KNeighborsRegressor",
       MainOutput::kPredict,
       [] { return std::make_unique<KNeighborsRegressor>(); }}));
  return registry.Register(
      {"NearestNeighbors",
       "k-nearest and radius neighbour queries (writes each row's "
       "n_neighbors nearest training rows), scikit-learn's NearestNeighbors",
       MainOutput::kNeighbors,
       [] { return std::make_unique<NearestNeighbors>(); },
       NearestNeighborsOutput});
}

}  // namespace eclipsera::neighbors
