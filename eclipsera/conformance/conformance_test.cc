// The estimator conformance suite, in the spirit of scikit-learn's
// check_estimator: every estimator registered for the command must pass
// every check here. A new estimator joins by being registered.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "eclipsera/cli/algorithms.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/core/testing.h"
#include "eclipsera/decomposition/pca.h"
#include "eclipsera/pipeline/column_transformer.h"
#include "eclipsera/pipeline/feature_union.h"
#include "eclipsera/pipeline/spec.h"
#include "eclipsera/pool/object_pool.h"
#include "eclipsera/pool/pooling_switch.h"
#include "eclipsera/preprocessing/scalers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::AnyOf;
using ::testing::HasSubstr;

const EstimatorRegistry& Registry() {
  static const EstimatorRegistry* registry = [] {
    auto* r = new EstimatorRegistry;
    absl::Status s = cli::RegisterAllAlgorithms(*r);
    if (!s.ok()) std::abort();
    // Composites join the suite too: a pipeline (and a feature union) of
    // each kind, registered here under "<Class>_<what>" names.
    const auto spec = [r](std::string name, MainOutput output,
                          std::string text) {
      absl::Status added =
          r->Register({std::move(name), "composite", output, [r, text] {
                         absl::StatusOr<std::unique_ptr<Estimator>> e =
                             pipeline::ParseEstimatorSpec(text, *r);
                         if (!e.ok()) std::abort();
                         return *std::move(e);
                       }});
      if (!added.ok()) std::abort();
    };
    spec("Pipeline_ScalerLogistic", MainOutput::kPredict,
         "standardscaler|logisticregression");
    spec("Pipeline_ImputerScalerRidge", MainOutput::kPredict,
         "simpleimputer|standardscaler|ridge");
    spec("Pipeline_ScalerPCA", MainOutput::kTransform, "standardscaler|pca");
    spec("Pipeline_ScalerKMeans", MainOutput::kLabels,
         "standardscaler|passthrough|kmeans(n_clusters=3)");
    spec("Pipeline_ScalerDBSCAN", MainOutput::kLabels,
         "standardscaler|dbscan(eps=0.8)");
    // With a transformer cache (memory): refits on the same data take the
    // fitted scaler and PCA from it.
    absl::Status m = r->Register(
        {"Pipeline_CachedScalerPCALogistic", "composite", MainOutput::kPredict,
         [r] {
           absl::StatusOr<std::unique_ptr<Estimator>> e =
               pipeline::ParseEstimatorSpec(
                   "standardscaler|pca|logisticregression", *r);
           if (!e.ok() ||
               !(*e)->SetParams({{"memory", int64_t{1} << 24}}).ok()) {
             std::abort();
           }
           return *std::move(e);
         }});
    if (!m.ok()) std::abort();
    // A ColumnTransformer: a scaler on the first column (a run, read in
    // place), PCA on the last and first (gathered), the rest passed through.
    absl::Status c = r->Register(
        {"ColumnTransformer_ScalerPCA", "composite", MainOutput::kTransform,
         [] {
           decomposition::PCAOptions pca;
           absl::StatusOr<std::unique_ptr<pipeline::ColumnTransformer>> t =
               pipeline::ColumnTransformer::Create(
                   {pipeline::Columns("scaler", preprocessing::StandardScaler(),
                                      {0}),
                    pipeline::Columns("pca", decomposition::PCA(pca), {-1, 0})},
                   std::string("passthrough"));
           if (!t.ok()) std::abort();
           return std::unique_ptr<Estimator>(*std::move(t));
         }});
    if (!c.ok()) std::abort();
    absl::Status u = r->Register(
        {"FeatureUnion_PCAScaler", "composite", MainOutput::kTransform, [] {
           decomposition::PCAOptions pca;
           absl::StatusOr<std::unique_ptr<pipeline::FeatureUnion>> f =
               pipeline::FeatureUnion::Create(
                   {pipeline::Part("pca", decomposition::PCA(pca)),
                    pipeline::Part("scaler", preprocessing::StandardScaler())});
           if (!f.ok()) std::abort();
           return std::unique_ptr<Estimator>(*std::move(f));
         }});
    if (!u.ok()) std::abort();
    return r;
  }();
  return *registry;
}

std::vector<std::string> RegisteredNames() {
  std::vector<std::string> names;
  for (const EstimatorEntry& e : Registry().entries()) names.push_back(e.name);
  return names;
}

// Three well-separated blobs in 3-D, 20 points each, fixed seed.
Matrix Blobs(Index n = 60, Index d = 3) {
  Random random(42);
  Matrix x(n, d);
  for (Index i = 0; i < n; ++i) {
    const double center = 10.0 * static_cast<double>(i % 3);
    for (Index j = 0; j < d; ++j) x(i, j) = center + random.Normal();
  }
  return x;
}

class ConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    absl::StatusOr<const EstimatorEntry*> entry = Registry().Find(GetParam());
    ASSERT_TRUE(entry.ok());
    entry_ = *entry;
  }

  // A new estimator with defaults, made quicker where the defaults are
  // slow for a unit test, and seeded where it has a random_state.
  std::unique_ptr<Estimator> Make(int n_jobs = 1) const {
    std::unique_ptr<Estimator> est = entry_->make();
    const ParamMap params = est->GetParams();
    ParamMap set;
    // Nested ones too (a pipeline's "kmeans__random_state").
    for (const auto& [name, value] : params) {
      if (absl::EndsWith(name, "random_state")) set[name] = int64_t{0};
      if (absl::EndsWith(name, "n_jobs")) set[name] = int64_t{n_jobs};
    }
    if (est->name() == "TSNE") {
      set["n_iter"] = int64_t{250};
      set["perplexity"] = 10.0;
    }
    EXPECT_TRUE(est->SetParams(set).ok());
    return est;
  }

  bool Supervised() const { return entry_->output == MainOutput::kPredict; }

  // A target for Blobs(n) rows: the blob (i % 3) for classifiers, a linear
  // function of the row for regressors; empty for unsupervised estimators.
  std::vector<double> Target(const Matrix& x) const {
    if (!Supervised()) return {};
    std::vector<double> y(x.rows());
    for (Index i = 0; i < x.rows(); ++i) {
      y[i] = entry_->make()->kind() == EstimatorKind::kClassifier
                 ? static_cast<double>(i % 3)
                 : x.row(i).unaryExpr([](double v) {
                             return std::isnan(v) ? 0.0 : v;  // missing values
                           })
                           .sum() +
                       0.5 * static_cast<double>(i % 2);
    }
    return y;
  }

  // Fit with the target the estimator needs.
  absl::Status FitOn(Estimator& est, const Matrix& x,
                     const FitArgs& args = {}) const {
    return est.Fit(x, Target(x), args);
  }

  // The estimator's main output on x: labels, the embedding, or the
  // supervised estimator's predictions.
  absl::StatusOr<Matrix> MainResult(Estimator& est, const Matrix& x) const {
    if (entry_->output == MainOutput::kTransform) return est.FitTransform(x);
    if (entry_->output == MainOutput::kNeighbors) {
      // Fit, then each training row's nearest others and their distances.
      if (absl::Status s = est.Fit(x); !s.ok()) return s;
      absl::StatusOr<Matrix> idx = entry_->neighbors(est, nullptr, false);
      absl::StatusOr<Matrix> dist = entry_->neighbors(est, &x, true);
      if (!idx.ok()) return idx.status();
      if (!dist.ok()) return dist.status();
      Matrix both(x.rows(), idx->cols() + dist->cols());
      both << *idx, *dist;
      return both;
    }
    absl::StatusOr<Vector> labels = est.FitPredict(x, Target(x));
    if (!labels.ok()) return labels.status();
    return Matrix(*labels);
  }

  const EstimatorEntry* entry_ = nullptr;
};

TEST_P(ConformanceTest, NameKindAndParameterRoundTrip) {
  std::unique_ptr<Estimator> est = Make();
  // Composites are registered here as "<Class>_<what>".
  EXPECT_EQ(est->name(), entry_->name.substr(0, entry_->name.find('_')));
  EXPECT_FALSE(est->fitted());
  // The command writes what the kind produces: transformers' output,
  // clusterers' and mixtures' labels.
  if (entry_->output == MainOutput::kTransform) {
    EXPECT_EQ(est->kind(), EstimatorKind::kTransformer);
  } else if (entry_->output == MainOutput::kNeighbors) {
    EXPECT_EQ(est->kind(), EstimatorKind::kNeighbors);
    EXPECT_TRUE(entry_->neighbors != nullptr);
  } else if (Supervised()) {
    EXPECT_THAT(est->kind(),
                AnyOf(EstimatorKind::kClassifier, EstimatorKind::kRegressor));
  } else {
    EXPECT_THAT(est->kind(), AnyOf(EstimatorKind::kClusterer,
                                   EstimatorKind::kDensityEstimator));
  }
  const ParamMap before = est->GetParams();
  EXPECT_EQ(before.count("workspace"), 0u) << "a benchmark switch leaked";
  // Every (shallow) parameter is documented and has a value; the deep
  // list adds only the nested `step__param` names.
  const std::vector<ParamInfo> described = est->DescribeParams();
  const ParamMap shallow = est->GetParams(false);
  EXPECT_EQ(described.size(), shallow.size());
  for (const ParamInfo& p : described) {
    EXPECT_FALSE(p.doc.empty()) << p.name;
    EXPECT_EQ(shallow.count(p.name), 1u) << p.name;
  }
  for (const auto& [name, value] : before) {
    EXPECT_TRUE(shallow.count(name) || absl::StrContains(name, "__")) << name;
  }
  // set_params(**get_params()) changes nothing.
  ECLIPSERA_ASSERT_OK(est->SetParams(before));
  EXPECT_EQ(est->GetParams(), before);
}

TEST_P(ConformanceTest, UnknownParameterFailsListingValidNamesChangingNothing) {
  std::unique_ptr<Estimator> est = Make();
  const ParamMap before = est->GetParams();
  const std::string first = before.begin()->first;
  // A valid name with a valid value first: all or nothing.
  ParamMap set = {{"no_such_parameter", 1.0}, {first, before.at(first)}};
  EXPECT_THAT(
      est->SetParams(set),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("no_such_parameter"),
                     HasSubstr("valid parameters:"), HasSubstr(first))));
  EXPECT_EQ(est->GetParams(), before);
}

TEST_P(ConformanceTest, CloneIsUnfittedWithEqualParameters) {
  std::unique_ptr<Estimator> est = Make();
  ECLIPSERA_ASSERT_OK(FitOn(*est, Blobs()));
  ASSERT_TRUE(est->fitted());
  std::unique_ptr<Estimator> clone = est->Clone();
  EXPECT_FALSE(clone->fitted());
  EXPECT_EQ(clone->name(), est->name());
  EXPECT_EQ(clone->GetParams(), est->GetParams());
  EXPECT_EQ(EstimatorRepr(*clone), EstimatorRepr(*est));
  // Independent: changing the clone does not change the original.
  const ParamMap original = est->GetParams();
  ParamMap change;
  if (original.count("n_jobs")) change["n_jobs"] = int64_t{2};
  for (const auto& [name, value] : original) {
    if (const bool* b = std::get_if<bool>(&value)) change[name] = !*b;
  }
  for (const auto& [name, value] : original) {
    const double* d = std::get_if<double>(&value);
    if (change.empty() && d != nullptr) change[name] = 2.0 * *d + 1.0;
  }
  ASSERT_FALSE(change.empty()) << "no n_jobs, bool or float parameter";
  ECLIPSERA_ASSERT_OK(clone->SetParams(change));
  EXPECT_NE(clone->GetParams(), original);
  EXPECT_EQ(est->GetParams(), original);
  EXPECT_TRUE(est->fitted());
}

TEST_P(ConformanceTest, MethodsBeforeFitFailCleanly) {
  std::unique_ptr<Estimator> est = Make();
  const Matrix x = Blobs();
  const auto not_fitted =
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not fitted"));
  EXPECT_THAT(est->Predict(x), not_fitted);
  EXPECT_THAT(est->Transform(x), not_fitted);
  EXPECT_THAT(est->Score(x), not_fitted);
  EXPECT_THAT(est->PredictProba(x), not_fitted);
  EXPECT_THAT(est->ScoreSamples(x), not_fitted);
  EXPECT_THAT(est->DecisionFunction(x), not_fitted);
  EXPECT_THAT(est->InverseTransform(x), not_fitted);
  Vector out(x.rows());
  EXPECT_THAT(est->PredictInto(x, out), not_fitted);
}

// NaN, Inf, empty and mis-shaped input fail with a clear status; the
// estimator is then unfitted and fits fine on good data.
TEST_P(ConformanceTest, BadInputFailsCleanlyAndLeavesItUsable) {
  std::unique_ptr<Estimator> est = Make();
  const Matrix good = Blobs();
  ECLIPSERA_ASSERT_OK(FitOn(*est, good));
  const ParamMap params = est->GetParams();

  Matrix with_nan = good;
  with_nan(5, 1) = std::numeric_limits<double>::quiet_NaN();
  if (est->allows_nan()) {
    // NaN means missing (SimpleImputer): the output has none.
    absl::StatusOr<Matrix> r = MainResult(*est, with_nan);
    ECLIPSERA_ASSERT_OK(r);
    EXPECT_TRUE(r->allFinite());
  } else {
    EXPECT_THAT(FitOn(*est, with_nan),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AnyOf(HasSubstr("NaN"), HasSubstr("finite"))));
    EXPECT_FALSE(est->fitted());
  }
  EXPECT_EQ(est->GetParams(), params);

  Matrix with_inf = good;
  with_inf(7, 0) = -std::numeric_limits<double>::infinity();
  EXPECT_THAT(FitOn(*est, with_inf),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AnyOf(HasSubstr("nf"), HasSubstr("finite"))));
  EXPECT_FALSE(est->fitted());

  EXPECT_THAT(est->Fit(Matrix(0, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("X")));
  EXPECT_THAT(est->Fit(Matrix(4, 0)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("X")));
  EXPECT_FALSE(est->fitted());

  // y of the wrong length.
  std::vector<double> short_y(good.rows() - 1, 0.0);
  EXPECT_THAT(est->Fit(good, short_y),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("y")));

  ECLIPSERA_ASSERT_OK(FitOn(*est, good));
  EXPECT_TRUE(est->fitted());

  // After a fit, data with another number of columns is refused by every
  // method the estimator has.
  const Matrix wide = Blobs(10, 4);
  for (const absl::Status& s :
       {est->Predict(wide).status(), est->Transform(wide).status(),
        est->Score(wide).status(), est->PredictProba(wide).status(),
        est->ScoreSamples(wide).status()}) {
    EXPECT_THAT(s, AnyOf(StatusIs(absl::StatusCode::kUnimplemented,
                                  HasSubstr("has no")),
                         StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("feature"))));
  }
}

// One sample and one feature: scikit-learn's check_fit2d_1sample and
// check_fit2d_1feature. One sample may be refused (clearly); one feature
// must work unless the parameters need more features, as TSNE's PCA init
// of 2 components does (scikit-learn refuses that too), or the method
// does, as TruncatedSVD (scikit-learn's ensure_min_features=2).
TEST_P(ConformanceTest, OneSampleAndOneFeature) {
  std::unique_ptr<Estimator> est = Make();
  const Matrix one_sample = Blobs(1, 3);
  absl::Status s = FitOn(*est, one_sample);
  if (!s.ok()) {
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_FALSE(est->fitted());
  }
  const Matrix one_feature = Blobs(60, 1);
  absl::StatusOr<Matrix> r = MainResult(*est, one_feature);
  if (!r.ok()) {
    EXPECT_THAT(r.status(), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("n_features (1)")));
    EXPECT_FALSE(est->fitted());
    if (est->GetParams().count("init") == 0) return;
    ECLIPSERA_ASSERT_OK(est->SetParams({{"init", std::string("random")}}));
    r = MainResult(*est, one_feature);
  }
  ECLIPSERA_ASSERT_OK(r);
  EXPECT_EQ(r->rows(), 60);
  EXPECT_TRUE(r->allFinite());
}

TEST_P(ConformanceTest, YIsIgnoredAndSampleWeightChecked) {
  const Matrix x = Blobs();
  std::vector<double> y(x.rows());
  for (Index i = 0; i < x.rows(); ++i) y[i] = static_cast<double>(i % 5 + 1);
  std::unique_ptr<Estimator> a = Make();
  std::unique_ptr<Estimator> b = Make();
  if (Supervised()) {
    // y is required, and used.
    EXPECT_THAT(a->Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("needs y")));
    EXPECT_FALSE(a->fitted());
    ECLIPSERA_ASSERT_OK(FitOn(*b, x));
  } else {
    ECLIPSERA_ASSERT_OK(a->Fit(x));
    ECLIPSERA_ASSERT_OK(b->Fit(x, y));
    absl::StatusOr<Matrix> ra = MainResult(*a, x);
    absl::StatusOr<Matrix> rb = MainResult(*b, x);
    ECLIPSERA_ASSERT_OK(ra);
    ECLIPSERA_ASSERT_OK(rb);
    EXPECT_EQ(*ra, *rb);
  }
  if (a->supports_sample_weight()) {
    std::vector<double> short_w(x.rows() - 1, 1.0);
    EXPECT_THAT(FitOn(*a, x, FitArgs{short_w}),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("sample_weight")));
    // Unit weights are no weights.
    std::vector<double> ones(x.rows(), 1.0);
    std::unique_ptr<Estimator> c = Make();
    ECLIPSERA_ASSERT_OK(FitOn(*c, x, FitArgs{ones}));
    absl::StatusOr<Vector> pc = c->Predict(x);
    absl::StatusOr<Vector> pa = b->Predict(x);
    if (pc.ok() && pa.ok()) {
      EXPECT_EQ(*pc, *pa);
    }
  } else {
    std::vector<double> w(x.rows(), 1.0);
    EXPECT_THAT(FitOn(*a, x, FitArgs{w}),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("does not take sample_weight")));
    EXPECT_FALSE(a->fitted());
  }
}

TEST_P(ConformanceTest, SameSeedSameResultForAnyNJobs) {
  const Matrix x = Blobs();
  std::unique_ptr<Estimator> first = Make(1);
  absl::StatusOr<Matrix> reference = MainResult(*first, x);
  ECLIPSERA_ASSERT_OK(reference);
  for (int n_jobs : {1, 2, -1}) {
    std::unique_ptr<Estimator> est = Make(n_jobs);
    absl::StatusOr<Matrix> r = MainResult(*est, x);
    ECLIPSERA_ASSERT_OK(r);
    EXPECT_EQ(*r, *reference) << "n_jobs=" << n_jobs;
  }
  // Refitting the same object gives the same result again.
  absl::StatusOr<Matrix> again = MainResult(*first, x);
  ECLIPSERA_ASSERT_OK(again);
  EXPECT_EQ(*again, *reference);
}

// The roadmap's opt-out (ECLIPSERA_DISABLE_POOLING=1): the allocating
// "v1.0" path gives identical results. No parameter selects it.
TEST_P(ConformanceTest, PoolingOnAndOffGiveIdenticalResults) {
  const Matrix x = Blobs();
  std::unique_ptr<Estimator> pooled = Make();
  absl::StatusOr<Matrix> a = MainResult(*pooled, x);
  absl::StatusOr<Matrix> b;
  {
    pool::ScopedPoolingDisabled v1_mode(true);
    std::unique_ptr<Estimator> v1 = Make();
    b = MainResult(*v1, x);
    // The v1.0 mode may drop the workspace after a fit; asking stays safe.
    if (std::optional<WorkspaceStats> s = v1->workspace_stats()) {
      EXPECT_GE(s->bytes, 0);
    }
  }
  ECLIPSERA_ASSERT_OK(a);
  ECLIPSERA_ASSERT_OK(b);
  EXPECT_EQ(*a, *b);
}

// Reset() keeps the estimator usable and a refit on a fold one row
// shorter or longer gives the same result as a fresh estimator.
TEST_P(ConformanceTest, ResetAndRefitOnAnotherFold) {
  std::unique_ptr<Estimator> reused = Make();
  ECLIPSERA_ASSERT_OK(FitOn(*reused, Blobs(60)));
  for (Index n : {59, 61, 60}) {
    reused->Reset();
    EXPECT_FALSE(reused->fitted());
    const Matrix fold = Blobs(n);
    absl::StatusOr<Matrix> a = MainResult(*reused, fold);
    std::unique_ptr<Estimator> fresh = Make();
    absl::StatusOr<Matrix> b = MainResult(*fresh, fold);
    ECLIPSERA_ASSERT_OK(a);
    ECLIPSERA_ASSERT_OK(b);
    EXPECT_EQ(*a, *b) << "n=" << n;
  }
}

// Every iterative estimator keeps a grow-only workspace (roadmap Phase 2):
// after a fit on 61 rows, Reset() and fits on the next folds (59, 60 and
// 61 rows) neither reallocate a workspace buffer nor change the heap it
// holds. Estimators without iterations may have no workspace.
TEST_P(ConformanceTest, WorkspaceKeepsItsCapacityAcrossFolds) {
  static const char* const kIterative[] = {
      "KMeans",    "MiniBatchKMeans",         "DBSCAN",
      "MeanShift", "AgglomerativeClustering", "GaussianMixture",
      "TSNE"};
  const bool iterative = std::find(std::begin(kIterative), std::end(kIterative),
                                   GetParam()) != std::end(kIterative);
  std::unique_ptr<Estimator> est = Make();
  EXPECT_EQ(est->workspace_stats().has_value(), iterative);
  if (!est->workspace_stats().has_value()) return;
  ECLIPSERA_ASSERT_OK(FitOn(*est, Blobs(61)));
  const WorkspaceStats after_first = *est->workspace_stats();
  EXPECT_GT(after_first.bytes, 0);
  for (Index n : {59, 60, 61}) {
    est->Reset();
    ECLIPSERA_ASSERT_OK(FitOn(*est, Blobs(n)));
    const WorkspaceStats now = *est->workspace_stats();
    EXPECT_EQ(now.reallocations, after_first.reallocations) << "n=" << n;
    EXPECT_EQ(now.bytes, after_first.bytes) << "n=" << n;
  }
}

// The *Into forms equal the allocating ones; const methods run
// concurrently on one fitted estimator (checked under TSan).
TEST_P(ConformanceTest, IntoFormsAndConcurrentConstCalls) {
  std::unique_ptr<Estimator> est = Make();
  const Matrix x = Blobs();
  ECLIPSERA_ASSERT_OK(FitOn(*est, x));
  absl::StatusOr<Vector> predicted = est->Predict(x);
  absl::StatusOr<Matrix> transformed = est->Transform(x);
  absl::StatusOr<double> score = est->Score(x);
  if (predicted.ok()) {
    Vector out = Vector::Constant(x.rows(), -99.0);
    ECLIPSERA_ASSERT_OK(est->PredictInto(x, out));
    EXPECT_EQ(out, *predicted);
    Vector wrong(x.rows() + 1);
    EXPECT_THAT(est->PredictInto(x, wrong),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("out")));
  } else {
    EXPECT_EQ(predicted.status().code(), absl::StatusCode::kUnimplemented);
  }
  if (transformed.ok()) {
    EXPECT_EQ(transformed->cols(), est->n_features_out());
    Matrix out = Matrix::Constant(x.rows(), est->n_features_out(), -99.0);
    ECLIPSERA_ASSERT_OK(est->TransformInto(x, out));
    EXPECT_EQ(out, *transformed);
  } else {
    EXPECT_EQ(transformed.status().code(), absl::StatusCode::kUnimplemented);
    EXPECT_EQ(est->n_features_out(), 0);
  }
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 3; ++rep) {
        absl::StatusOr<Vector> p = est->Predict(x);
        if (predicted.ok() && (!p.ok() || *p != *predicted)) ++mismatches[t];
        absl::StatusOr<Matrix> tr = est->Transform(x);
        if (transformed.ok() && (!tr.ok() || *tr != *transformed)) {
          ++mismatches[t];
        }
        absl::StatusOr<double> sc = est->Score(x);
        if (score.ok() && (!sc.ok() || *sc != *score)) ++mismatches[t];
        (void)est->PredictProba(x);
        (void)est->ScoreSamples(x);
        (void)est->GetParams();
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

// How searches and pipelines reuse estimators: a Pool of
// std::unique_ptr<Estimator> resets each one through Reset() on release,
// and the reused estimator then fits like a fresh one.
TEST_P(ConformanceTest, PooledEstimatorIsResetOnReleaseAndRefits) {
  pool::ScopedPoolingDisabled pooling_on(false);
  pool::Pool<std::unique_ptr<Estimator>> estimators(pool::PoolOptions{},
                                                    [&] { return Make(); });
  const Matrix x = Blobs();
  Estimator* first = nullptr;
  absl::StatusOr<Matrix> before;
  {
    pool::PoolHandle<std::unique_ptr<Estimator>> h = estimators.Acquire();
    first = h->get();
    before = MainResult(**h, x);
    ECLIPSERA_ASSERT_OK(before);
    EXPECT_TRUE((*h)->fitted());
  }
  pool::PoolHandle<std::unique_ptr<Estimator>> h = estimators.Acquire();
  EXPECT_EQ(h->get(), first);
  EXPECT_FALSE((*h)->fitted());
  absl::StatusOr<Matrix> after = MainResult(**h, x);
  ECLIPSERA_ASSERT_OK(after);
  EXPECT_EQ(*after, *before);
}

// FitPredict and FitTransform where the estimator lacks the second step
// (PCA has no Predict, the clusterers no Transform) fail with Unimplemented
// and, by the failure rule, leave it unfitted.
TEST_P(ConformanceTest, FitPredictAndFitTransformFollowTheFailureRule) {
  const Matrix x = Blobs();
  std::unique_ptr<Estimator> est = Make();
  const std::vector<double> y = Target(x);
  absl::StatusOr<Vector> labels = est->FitPredict(x, y);
  if (!labels.ok()) {
    EXPECT_EQ(labels.status().code(), absl::StatusCode::kUnimplemented);
    EXPECT_FALSE(est->fitted());
  }
  absl::StatusOr<Matrix> transformed = est->FitTransform(x, y);
  if (!transformed.ok()) {
    EXPECT_EQ(transformed.status().code(), absl::StatusCode::kUnimplemented);
    EXPECT_FALSE(est->fitted());
  }
  // NearestNeighbors has neither: its result is a neighbour query.
  EXPECT_TRUE(labels.ok() || transformed.ok() ||
              entry_->output == MainOutput::kNeighbors);
}

TEST_P(ConformanceTest, FittedScalarsAreFinite) {
  std::unique_ptr<Estimator> est = Make();
  ECLIPSERA_ASSERT_OK(FitOn(*est, Blobs()));
  for (const FittedScalar& f : est->FittedScalars()) {
    EXPECT_TRUE(std::isfinite(f.value)) << f.name;
  }
}

// The Python bindings pickle an estimator as FittedArrays + FittedScalars
// and restore it with RestoreFitted: every method of the restored one
// gives exactly the results of the original. Estimators that cannot
// restore say so (Unimplemented) and are listed here with the reason.
TEST_P(ConformanceTest, RestoreFittedGivesIdenticalResults) {
  std::unique_ptr<Estimator> est = Make();
  const Matrix x = Blobs();
  ECLIPSERA_ASSERT_OK(FitOn(*est, x));
  const FittedArrayList arrays = est->FittedArrays();
  const FittedScalarList scalars = est->FittedScalars();
  std::unique_ptr<Estimator> restored = est->Clone();
  const absl::Status s = restored->RestoreFitted(arrays, scalars);
  // Transductive (nothing to predict with) or refitted exactly from their
  // training data by the bindings (k-NN, width-only transformers), and
  // composites (their steps restore one by one, not as a whole yet).
  const std::vector<std::string> unimplemented = {"DBSCAN",
                                                  "AgglomerativeClustering",
                                                  "TSNE",
                                                  "KNeighborsClassifier",
                                                  "KNeighborsRegressor",
                                                  "NearestNeighbors",
                                                  "Normalizer",
                                                  "PolynomialFeatures"};
  if (std::find(unimplemented.begin(), unimplemented.end(), est->name()) !=
          unimplemented.end() ||
      absl::StartsWith(GetParam(), "Pipeline_") ||
      absl::StartsWith(GetParam(), "FeatureUnion_") ||
      absl::StartsWith(GetParam(), "ColumnTransformer_")) {
    EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented) << s;
    return;
  }
  ECLIPSERA_ASSERT_OK(s);
  ASSERT_TRUE(restored->fitted());
  EXPECT_FALSE(arrays.empty());
  const FittedArrayList again = restored->FittedArrays();
  ASSERT_EQ(again.size(), arrays.size());
  for (size_t i = 0; i < arrays.size(); ++i) {
    EXPECT_EQ(again[i].name, arrays[i].name);
    // Equal, NaN where NaN (SimpleImputer's statistics of empty features).
    const auto& u = again[i].value.array();
    const auto& v = arrays[i].value.array();
    ASSERT_EQ(u.rows(), v.rows()) << arrays[i].name;
    ASSERT_EQ(u.cols(), v.cols()) << arrays[i].name;
    EXPECT_TRUE((u == v || (u.isNaN() && v.isNaN())).all()) << arrays[i].name;
  }
  const FittedScalarList scalars_again = restored->FittedScalars();
  ASSERT_EQ(scalars_again.size(), scalars.size());
  for (size_t i = 0; i < scalars.size(); ++i) {
    EXPECT_EQ(scalars_again[i].value, scalars[i].value) << scalars[i].name;
  }
  const Matrix other = Blobs(37) * 1.5;
  const auto same_vector = [](const absl::StatusOr<Vector>& a,
                              const absl::StatusOr<Vector>& b) {
    return a.ok() == b.ok() && (!a.ok() || *a == *b);
  };
  const auto same_matrix = [](const absl::StatusOr<Matrix>& a,
                              const absl::StatusOr<Matrix>& b) {
    return a.ok() == b.ok() && (!a.ok() || *a == *b);
  };
  EXPECT_TRUE(same_vector(est->Predict(other), restored->Predict(other)));
  EXPECT_TRUE(same_matrix(est->Transform(other), restored->Transform(other)));
  EXPECT_TRUE(
      same_matrix(est->PredictProba(other), restored->PredictProba(other)));
  EXPECT_TRUE(same_matrix(est->DecisionFunction(other),
                          restored->DecisionFunction(other)));
  EXPECT_TRUE(
      same_vector(est->ScoreSamples(other), restored->ScoreSamples(other)));
  EXPECT_TRUE(same_matrix(
      est->InverseTransform(other.leftCols(std::min<Index>(other.cols(), 2))),
      restored->InverseTransform(
          other.leftCols(std::min<Index>(other.cols(), 2)))));
  const absl::StatusOr<double> a = est->Score(other, Target(other));
  const absl::StatusOr<double> b = restored->Score(other, Target(other));
  EXPECT_EQ(a.ok(), b.ok());
  if (a.ok() && b.ok()) EXPECT_EQ(*a, *b);
  // A mis-shaped or missing array is refused and leaves it unfitted.
  if (!arrays.empty()) {
    FittedArrayList broken = arrays;
    broken[0].name = "not_" + broken[0].name;
    EXPECT_THAT(
        restored->RestoreFitted(broken, scalars),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is missing")));
    EXPECT_FALSE(restored->fitted());
  }
}

// RestoreFitted beyond the defaults: the settings that change which fitted
// arrays exist or their shapes.
TEST(RestoreFittedTest, NonDefaultSettingsRestoreExactly) {
  const std::vector<std::pair<std::string, ParamMap>> cases = {
      {"StandardScaler", {{"with_mean", false}, {"with_std", false}}},
      {"StandardScaler", {{"with_mean", false}}},
      {"RobustScaler", {{"with_centering", false}}},
      {"GaussianMixture",
       {{"covariance_type", std::string("tied")},
        {"random_state", int64_t{0}}}},
      {"GaussianMixture",
       {{"covariance_type", std::string("diag")},
        {"random_state", int64_t{0}}}},
      {"GaussianMixture",
       {{"covariance_type", std::string("spherical")},
        {"random_state", int64_t{0}}}},
      {"PCA", {{"whiten", true}, {"n_components", int64_t{2}}}},
      {"LogisticRegression", {{"multi_class", std::string("multinomial")}}},
      {"SimpleImputer", {{"add_indicator", true}}},
  };
  Matrix x = Blobs(60);
  x(3, 1) = std::numeric_limits<double>::quiet_NaN();  // for the imputer
  for (const auto& [name, params] : cases) {
    SCOPED_TRACE(name);
    absl::StatusOr<std::unique_ptr<Estimator>> est = Registry().Create(name);
    ECLIPSERA_ASSERT_OK(est);
    ECLIPSERA_ASSERT_OK((*est)->SetParams(params));
    const bool nan_ok = (*est)->allows_nan();
    const Matrix data = nan_ok ? x : Blobs(60);
    std::vector<double> y;
    if ((*est)->kind() == EstimatorKind::kClassifier) {
      for (Index i = 0; i < data.rows(); ++i) y.push_back(i % 2);
    }
    ECLIPSERA_ASSERT_OK((*est)->Fit(data, y));
    std::unique_ptr<Estimator> restored = (*est)->Clone();
    ECLIPSERA_ASSERT_OK(restored->RestoreFitted((*est)->FittedArrays(),
                                                (*est)->FittedScalars()));
    const absl::StatusOr<Vector> p1 = (*est)->Predict(data);
    const absl::StatusOr<Vector> p2 = restored->Predict(data);
    EXPECT_EQ(p1.ok(), p2.ok());
    if (p1.ok() && p2.ok()) EXPECT_EQ(*p1, *p2);
    const absl::StatusOr<Matrix> t1 = (*est)->Transform(data);
    const absl::StatusOr<Matrix> t2 = restored->Transform(data);
    EXPECT_EQ(t1.ok(), t2.ok());
    if (t1.ok() && t2.ok()) {
      EXPECT_TRUE((t1->array() == t2->array() ||
                   (t1->array().isNaN() && t2->array().isNaN()))
                      .all());
    }
    const absl::StatusOr<Matrix> q1 = (*est)->PredictProba(data);
    const absl::StatusOr<Matrix> q2 = restored->PredictProba(data);
    EXPECT_EQ(q1.ok(), q2.ok());
    if (q1.ok() && q2.ok()) EXPECT_EQ(*q1, *q2);
    const absl::StatusOr<Vector> s1 = (*est)->ScoreSamples(data);
    const absl::StatusOr<Vector> s2 = restored->ScoreSamples(data);
    if (s1.ok() && s2.ok()) EXPECT_EQ(*s1, *s2);
  }
}

INSTANTIATE_TEST_SUITE_P(Registered, ConformanceTest,
                         ::testing::ValuesIn(RegisteredNames()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           return i.param;
                         });

}  // namespace
}  // namespace eclipsera
