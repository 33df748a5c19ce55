// libFuzzer target for the estimators themselves (the file readers have
// their own targets): bytes become a small matrix full of the values that
// break numerical code (extreme magnitudes near and past the magnitude
// limit, 1e-300 and denormals, duplicated rows, constant columns, and
// sometimes NaN/Inf) and a valid-looking parameter set; every registered
// estimator is fitted on it. Asserted, besides no crash and no sanitizer
// report: a failure is a status with a message (never an Internal error,
// which means a fit produced non-finite results); a success gives labels in
// range, finite embeddings and finite scores.
//
// Input layout: byte 0 picks the estimator, byte 1 the row count, byte 2 the
// column count, the next 8 bytes the parameter choices, the rest the values
// (one byte each; missing bytes are 0).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "eclipsera/cli/algorithms.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/core/validation.h"
#include "fuzz/fuzz_check.h"

namespace {

using eclipsera::Index;
using eclipsera::Matrix;

class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t Next() { return pos_ < size_ ? data_[pos_++] : 0; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// One value from one byte: mostly ordinary numbers on a coarse grid (so
// duplicates and ties are common), else a value from the palette of
// troublemakers. `above` is the value one row up (duplicates).
double Value(uint8_t b, Index n_features, double above) {
  if (b < 160) return (static_cast<int>(b) - 80) / 8.0;
  const double limit = eclipsera::MaxMagnitude(n_features);
  switch ((b - 160) % 24) {
    case 0:
      return 0.0;
    case 1:
      return 1e-300;
    case 2:
      return -1e-300;
    case 3:
      return std::numeric_limits<double>::denorm_min();
    case 4:
      return -3 * std::numeric_limits<double>::denorm_min();
    case 5:
      return 1e-200;
    case 6:
      return 1e100;
    case 7:
      return -1e100;
    case 8:
      return limit;  // the largest accepted magnitude
    case 9:
      return -limit;
    case 10:
      return 0.999 * limit;
    case 11:
      return limit * 1.0000001;  // just past it: rejected
    case 12:
      return 1e200;
    case 13:
      return std::numeric_limits<double>::quiet_NaN();
    case 14:
      return std::numeric_limits<double>::infinity();
    case 15:
      return 1e6 + 1e-9;  // cancellation in the GEMM identity
    default:
      return above;  // a duplicate of the row above
  }
}

// Candidate values for each parameter a fuzz input may set.
struct ParamChoices {
  const char* name;
  std::vector<const char*> values;
};

std::vector<ParamChoices> ChoicesFor(const std::string& estimator) {
  const ParamChoices jobs = {"n_jobs", {"1", "2"}};
  if (estimator == "KMeans") {
    return {{"n_clusters", {"1", "2", "3", "5"}},
            {"algorithm", {"lloyd", "elkan", "hamerly", "auto"}},
            {"init", {"k-means++", "random"}},
            {"n_init", {"1", "2"}},
            {"max_iter", {"1", "5", "300"}},
            {"random_state", {"0", "1"}},
            {"tol", {"0", "0.0001"}},
            jobs};
  }
  if (estimator == "MiniBatchKMeans") {
    return {{"n_clusters", {"1", "2", "3"}},
            {"batch_size", {"1", "4", "1024"}},
            {"init", {"k-means++", "random"}},
            {"max_iter", {"1", "10"}},
            {"n_init", {"1", "3"}},
            {"random_state", {"0", "1"}},
            {"reassignment_ratio", {"0", "0.01", "0.5"}},
            jobs};
  }
  if (estimator == "DBSCAN") {
    return {{"eps", {"0.5", "1e-300", "1e100", "3"}},
            {"min_samples", {"1", "2", "5"}},
            {"metric", {"euclidean", "manhattan", "chebyshev"}},
            {"algorithm", {"auto", "grid", "kd_tree", "brute"}},
            {"leaf_size", {"1", "30"}},
            jobs};
  }
  if (estimator == "MeanShift") {
    return {{"bandwidth", {"None", "0.5", "1e100", "1e-300"}},
            {"bin_seeding", {"false", "true"}},
            {"cluster_all", {"true", "false"}},
            {"max_iter", {"1", "300"}},
            jobs};
  }
  if (estimator == "AgglomerativeClustering") {
    return {{"linkage", {"ward", "complete", "average", "single"}},
            {"n_clusters", {"1", "2", "3"}},
            {"metric", {"euclidean", "manhattan", "cosine"}},
            {"compute_distances", {"false", "true"}},
            jobs};
  }
  if (estimator == "GaussianMixture") {
    return {
        {"n_components", {"1", "2", "3"}},
        {"covariance_type", {"full", "tied", "diag", "spherical"}},
        {"max_iter", {"1", "20"}},
        {"init_params", {"kmeans", "random", "k-means++", "random_from_data"}},
        {"random_state", {"0", "1"}},
        {"reg_covar", {"1e-06", "0", "1"}},
        jobs};
  }
  if (estimator == "TSNE") {
    return {
        {"perplexity", {"1", "2", "5"}}, {"method", {"exact", "barnes_hut"}},
        {"n_iter", {"1", "30", "260"}},  {"init", {"pca", "random"}},
        {"random_state", {"0"}},         {"n_components", {"1", "2", "3"}},
        {"angle", {"0", "0.5"}},         jobs};
  }
  if (estimator == "PCA") {  // scikit-learn's PCA has no n_jobs
    return {{"n_components", {"1", "2", "0.5", "None"}},
            {"whiten", {"false", "true"}},
            {"svd_solver", {"auto", "full", "randomized"}},
            {"random_state", {"0"}}};
  }
  if (estimator == "TruncatedSVD") {
    return {{"n_components", {"1", "2", "4", "7"}},
            {"algorithm", {"randomized", "arpack"}},
            {"n_iter", {"0", "5"}},
            {"n_oversamples", {"1", "10"}},
            {"random_state", {"0"}}};
  }
  if (estimator == "NearestNeighbors") {
    return {{"n_neighbors", {"1", "2", "5", "40"}},
            {"radius", {"0", "0.5", "1e300"}},
            {"algorithm", {"auto", "kd_tree", "brute"}},
            {"metric", {"minkowski", "manhattan", "chebyshev"}},
            {"leaf_size", {"1", "30"}},
            jobs};
  }
  if (estimator == "StandardScaler") {
    return {{"with_mean", {"true", "false"}}, {"with_std", {"true", "false"}}};
  }
  if (estimator == "MinMaxScaler") {
    return {{"feature_range", {"0,1", "-1e100,1e100", "2,1", "-3,0.5"}},
            {"clip", {"false", "true"}}};
  }
  if (estimator == "MaxAbsScaler") return {{"copy", {"true", "false"}}};
  if (estimator == "RobustScaler") {
    return {{"with_centering", {"true", "false"}},
            {"with_scaling", {"true", "false"}},
            {"quantile_range", {"25,75", "0,100", "50,50", "90,10"}},
            {"unit_variance", {"false", "true"}}};
  }
  if (estimator == "Normalizer") return {{"norm", {"l2", "l1", "max"}}};
  if (estimator == "PolynomialFeatures") {
    return {{"degree", {"2", "0", "3", "1,3"}},
            {"interaction_only", {"false", "true"}},
            {"include_bias", {"true", "false"}}};
  }
  if (estimator == "SimpleImputer") {
    return {{"strategy", {"mean", "median", "most_frequent", "constant"}},
            {"fill_value", {"None", "-2.5", "1e300"}},
            {"add_indicator", {"false", "true"}},
            {"keep_empty_features", {"false", "true"}}};
  }
  if (estimator == "LinearRegression") {
    return {{"fit_intercept", {"true", "false"}}, jobs};
  }
  if (estimator == "KNeighborsClassifier" ||
      estimator == "KNeighborsRegressor") {
    return {{"n_neighbors", {"1", "2", "5", "40"}},
            {"weights", {"uniform", "distance"}},
            {"algorithm", {"auto", "kd_tree", "brute"}},
            {"metric", {"minkowski", "manhattan", "chebyshev"}},
            {"leaf_size", {"1", "30"}},
            jobs};
  }
  if (estimator == "LogisticRegression") {
    return {{"C", {"1", "1e-300", "1e300", "0.01"}},
            {"penalty", {"l2", "None"}},
            {"multi_class", {"auto", "multinomial", "ovr"}},
            {"class_weight", {"None", "balanced"}},
            {"max_iter", {"100", "0", "3"}},
            {"fit_intercept", {"true", "false"}},
            jobs};
  }
  if (estimator == "Ridge" || estimator == "RidgeClassifier") {
    std::vector<ParamChoices> c = {{"alpha", {"1", "0", "1e-300", "1e100"}},
                                   {"fit_intercept", {"true", "false"}},
                                   {"solver", {"auto", "cholesky", "svd"}}};
    if (estimator == "RidgeClassifier") {
      c.push_back({"class_weight", {"None", "balanced"}});
    }
    return c;
  }
  return {jobs};
}

// The labels an estimator may return: [0, k) where k is its n_clusters or
// n_components when it has one (else the number of rows), and -1 only from
// the estimators that mark noise or orphans (DBSCAN, MeanShift with
// cluster_all=False). KMeans returning -1 or k was the symptom.
struct LabelRange {
  bool noise = false;
  double end = 0;  // exclusive
};

LabelRange LabelsAllowed(const eclipsera::Estimator& est,
                         const std::string& name, Index n) {
  LabelRange r;
  r.noise = absl::EqualsIgnoreCase(name, "DBSCAN") ||
            absl::EqualsIgnoreCase(name, "MeanShift");
  r.end = static_cast<double>(n);
  const eclipsera::ParamMap params = est.GetParams();
  for (const char* key : {"n_clusters", "n_components"}) {
    auto it = params.find(key);
    if (it != params.end() && std::holds_alternative<int64_t>(it->second)) {
      r.end =
          std::min(r.end, static_cast<double>(std::get<int64_t>(it->second)));
    }
  }
  return r;
}

void CheckLabels(const eclipsera::Vector& labels, Index n,
                 const LabelRange& allowed) {
  FUZZ_CHECK(labels.size() == n);
  for (Index i = 0; i < n; ++i) {
    const double l = labels[i];
    FUZZ_CHECK(std::isfinite(l) && l == std::floor(l));
    FUZZ_CHECK((l >= 0 || (allowed.noise && l == -1)) && l < allowed.end);
  }
}

void CheckFailure(const absl::Status& s) {
  FUZZ_CHECK(!s.message().empty());
  if (s.code() == absl::StatusCode::kInternal) {
    std::fprintf(stderr, "internal error: %s\n",
                 std::string(s.message()).c_str());
  }
  FUZZ_CHECK(s.code() != absl::StatusCode::kInternal);
}

const eclipsera::EstimatorRegistry& Registry() {
  static const eclipsera::EstimatorRegistry* registry = [] {
    auto* r = new eclipsera::EstimatorRegistry;
    FUZZ_CHECK(eclipsera::cli::RegisterAllAlgorithms(*r).ok());
    return r;
  }();
  return *registry;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const eclipsera::EstimatorRegistry& registry = Registry();
  Bytes in(data, size);
  const auto& entries = registry.entries();
  const eclipsera::EstimatorEntry& entry = entries[in.Next() % entries.size()];
  const Index n = 2 + in.Next() % 31;  // 2..32 rows
  const Index d = 1 + in.Next() % 5;   // 1..5 columns
  uint8_t choice[8];
  for (uint8_t& c : choice) c = in.Next();

  std::unique_ptr<eclipsera::Estimator> est = entry.make();
  eclipsera::ParamMap params;
  const std::vector<ParamChoices> choices = ChoicesFor(entry.name);
  for (size_t p = 0; p < choices.size(); ++p) {
    const uint8_t c = choice[p % 8] >> (p / 8);
    params[choices[p].name] = eclipsera::ParseParamValue(
        choices[p].values[c % choices[p].values.size()]);
  }
  absl::Status set = est->SetParams(params);
  FUZZ_CHECK(set.ok());

  Matrix x(n, d);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < d; ++j) {
      x(i, j) = Value(in.Next(), d, i > 0 ? x(i - 1, j) : 0.0);
    }
  }

  if (entry.output == eclipsera::MainOutput::kPredict) {
    // Classes 0, 1, 2 in turn, or a ramp for regressors.
    std::vector<double> y(n);
    const bool classifier =
        est->kind() == eclipsera::EstimatorKind::kClassifier;
    for (Index i = 0; i < n; ++i) {
      y[i] = classifier ? static_cast<double>(i % 3) : 0.5 * i;
    }
    absl::StatusOr<eclipsera::Vector> p = est->FitPredict(x, y);
    if (!p.ok()) {
      CheckFailure(p.status());
      FUZZ_CHECK(!est->fitted());
      return 0;
    }
    FUZZ_CHECK(p->size() == n);
    FUZZ_CHECK(p->allFinite());
    FUZZ_CHECK(est->fitted());
    absl::StatusOr<double> score = est->Score(x, y);
    if (score.ok()) FUZZ_CHECK(std::isfinite(*score));
    return 0;
  }
  if (entry.output == eclipsera::MainOutput::kNeighbors) {
    // Fit, then each row's neighbours among the others and among all.
    absl::Status fit = est->Fit(x);
    if (!fit.ok()) {
      CheckFailure(fit);
      FUZZ_CHECK(!est->fitted());
      return 0;
    }
    const Matrix* const query_sets[] = {nullptr, &x};
    for (const Matrix* queries : query_sets) {
      absl::StatusOr<Matrix> idx = entry.neighbors(*est, queries, false);
      absl::StatusOr<Matrix> dist = entry.neighbors(*est, queries, true);
      FUZZ_CHECK(idx.ok() == dist.ok());
      if (!idx.ok()) {
        CheckFailure(idx.status());
        continue;
      }
      FUZZ_CHECK(idx->rows() == n && dist->rows() == n);
      for (Index i = 0; i < n; ++i) {
        for (Index j = 0; j < idx->cols(); ++j) {
          const double v = (*idx)(i, j);
          FUZZ_CHECK(v >= 0 && v < n && v == std::floor(v));
          FUZZ_CHECK(queries != nullptr || v != i);
          FUZZ_CHECK((*dist)(i, j) >= 0);  // +inf allowed on overflow
          if (j > 0) FUZZ_CHECK((*dist)(i, j) >= (*dist)(i, j - 1));
        }
      }
    }
    return 0;
  }
  if (entry.output == eclipsera::MainOutput::kLabels) {
    absl::StatusOr<eclipsera::Vector> labels = est->FitPredict(x);
    if (!labels.ok()) {
      CheckFailure(labels.status());
      FUZZ_CHECK(!est->fitted());
      return 0;
    }
    CheckLabels(*labels, n, LabelsAllowed(*est, entry.name, n));
  } else {
    absl::StatusOr<Matrix> y = est->FitTransform(x);
    if (!y.ok()) {
      CheckFailure(y.status());
      FUZZ_CHECK(!est->fitted());
      return 0;
    }
    FUZZ_CHECK(y->rows() == n);
    FUZZ_CHECK(y->allFinite());
  }
  FUZZ_CHECK(est->fitted());
  for (const eclipsera::FittedScalar& f : est->FittedScalars()) {
    FUZZ_CHECK(std::isfinite(f.value));
  }
  // Predict and Score where the estimator has them, on the training data.
  absl::StatusOr<eclipsera::Vector> predicted = est->Predict(x);
  if (predicted.ok()) {
    CheckLabels(*predicted, n, LabelsAllowed(*est, entry.name, n));
  } else {
    FUZZ_CHECK(predicted.status().code() == absl::StatusCode::kUnimplemented);
  }
  absl::StatusOr<double> score = est->Score(x);
  if (score.ok()) {
    FUZZ_CHECK(std::isfinite(*score));
  } else {
    FUZZ_CHECK(score.status().code() == absl::StatusCode::kUnimplemented);
  }
  return 0;
}
