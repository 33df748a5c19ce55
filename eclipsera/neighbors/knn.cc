// KNeighborsClassifier / KNeighborsRegressor: scikit-learn 1.2's
// sklearn/neighbors/_classification.py and _regression.py.
#include "eclipsera/neighbors/knn.h"

#include <algorithm>
#include <cmath>

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

absl::Status RegisterKNeighbors(EstimatorRegistry& registry) {
  ECLIPSERA_RETURN_IF_ERROR(registry.Register(
      {"KNeighborsClassifier",
       "vote of the k nearest neighbours, scikit-learn's "
       "KNeighborsClassifier",
       MainOutput::kPredict,
       [] { return std::make_unique<KNeighborsClassifier>(); }}));
  return registry.Register(
      {"KNeighborsRegressor",
       "mean of the k nearest neighbours' targets, scikit-learn's "
       "KNeighborsRegressor",
       MainOutput::kPredict,
       [] { return std::make_unique<KNeighborsRegressor>(); }});
}

}  // namespace eclipsera::neighbors
