// Pipeline, FeatureUnion and pipeline specs: against scikit-learn 1.2
// (testdata/generate_pipeline.py), against manual chaining of the same
// steps, and their parameter handling, buffer reuse and bad input.
#include "eclipsera/pipeline/pipeline.h"

#include <cmath>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eclipsera/cli/algorithms.h"
#include "eclipsera/cluster/dbscan.h"
#include "eclipsera/cluster/kmeans.h"
#include "eclipsera/core/testing.h"
#include "eclipsera/decomposition/pca.h"
#include "eclipsera/decomposition/truncated_svd.h"
#include "eclipsera/linear_model/linear.h"
#include "eclipsera/linear_model/logistic.h"
#include "eclipsera/neighbors/knn.h"
#include "eclipsera/pipeline/column_transformer.h"
#include "eclipsera/pipeline/feature_union.h"
#include "eclipsera/pipeline/spec.h"
#include "eclipsera/pool/pooling_switch.h"
#include "eclipsera/preprocessing/normalizer.h"
#include "eclipsera/preprocessing/polynomial_features.h"
#include "eclipsera/preprocessing/scalers.h"
#include "eclipsera/preprocessing/simple_imputer.h"
#include "eclipsera/testing/alloc_counter.h"
#include "eclipsera/testing/golden.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::pipeline {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

Matrix Golden(const std::string& name) {
  return ::eclipsera::testing::LoadGolden(
      "eclipsera/pipeline/testdata/pipeline_" + name + ".csv");
}

std::vector<double> Column(const Matrix& m) {
  return std::vector<double>(m.data(), m.data() + m.size());
}

std::unique_ptr<Pipeline> Make(std::vector<PipelineStep> steps) {
  absl::StatusOr<std::unique_ptr<Pipeline>> p = Pipeline::Create(steps);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *std::move(p) : nullptr;
}

const EstimatorRegistry& Registry() {
  static const EstimatorRegistry* registry = [] {
    auto* r = new EstimatorRegistry;
    if (!cli::RegisterAllAlgorithms(*r).ok()) std::abort();
    return r;
  }();
  return *registry;
}

TEST(PipelineTest, DigitsScalerPcaKnnMatchesScikitLearn) {
  const Matrix x = Golden("digits_X");
  const std::vector<double> y = Column(Golden("digits_y"));
  const Matrix train = x.topRows(1500), test = x.bottomRows(x.rows() - 1500);
  const std::vector<double> y_train(y.begin(), y.begin() + 1500);
  const std::vector<double> y_test(y.begin() + 1500, y.end());
  decomposition::PCAOptions pca;
  pca.n_components = 10;
  pca.svd_solver = "full";
  auto pipe = Make({Step("scaler", preprocessing::StandardScaler()),
                    Step("pca", decomposition::PCA(pca)),
                    Step("knn", neighbors::KNeighborsClassifier())});
  ECLIPSERA_ASSERT_OK(pipe->Fit(train, y_train));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Vector predicted, pipe->Predict(test));
  EXPECT_EQ(Column(Matrix(predicted)), Column(Golden("digits_predict")));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix proba, pipe->PredictProba(test));
  EXPECT_TRUE(proba.isApprox(Golden("digits_proba"), 1e-12));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(double score, pipe->Score(test, y_test));
  EXPECT_NEAR(score, Golden("digits_score")(0, 0), 1e-12);
  EXPECT_EQ(pipe->kind(), EstimatorKind::kClassifier);
  EXPECT_EQ(pipe->classes().size(), 10u);

  // The transformer prefix equals scikit-learn's pipe[:-1].transform.
  auto prefix = Make({Step("scaler", preprocessing::StandardScaler()),
                      Step("pca", decomposition::PCA(pca))});
  ECLIPSERA_ASSERT_OK(prefix->Fit(train));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix t, prefix->Transform(test));
  EXPECT_LT((t - Golden("digits_transform")).cwiseAbs().maxCoeff(), 1e-9);
}

TEST(PipelineTest, ScalerLogisticOnBreastCancerMatchesScikitLearn) {
  const Matrix x = Golden("cancer_X");
  const std::vector<double> y = Column(Golden("cancer_y"));
  auto pipe =
      Make({Step("standardscaler", preprocessing::StandardScaler()),
            Step("logisticregression", linear_model::LogisticRegression())});
  ECLIPSERA_ASSERT_OK(pipe->Fit(x, y));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix proba, pipe->PredictProba(x));
  EXPECT_LT((proba - Golden("cancer_proba")).cwiseAbs().maxCoeff(), 1e-4);
  const auto* lr = dynamic_cast<const linear_model::LogisticRegression*>(
      pipe->named_step("logisticregression"));
  ASSERT_NE(lr, nullptr);
  EXPECT_LT((lr->coef() - Golden("cancer_coef")).cwiseAbs().maxCoeff(), 1e-3);
}

TEST(PipelineTest, ImputerScalerRidgeOnMissingValuesMatchesScikitLearn) {
  const Matrix x = Golden("impute_X");
  const std::vector<double> y = Column(Golden("impute_y"));
  preprocessing::SimpleImputerOptions imp;
  imp.strategy = "median";
  auto pipe = Make({Step("simpleimputer", preprocessing::SimpleImputer(imp)),
                    Step("standardscaler", preprocessing::StandardScaler()),
                    Step("ridge", linear_model::Ridge())});
  EXPECT_TRUE(pipe->allows_nan());
  ECLIPSERA_ASSERT_OK(pipe->Fit(
      x.topRows(150), std::vector<double>(y.begin(), y.begin() + 150)));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Vector predicted,
                                 pipe->Predict(x.bottomRows(50)));
  EXPECT_LT(
      (Matrix(predicted) - Golden("impute_predict")).cwiseAbs().maxCoeff(),
      1e-10);
  EXPECT_EQ(pipe->kind(), EstimatorKind::kRegressor);
}

// The pipeline's results equal chaining the same steps by hand, exactly.
TEST(PipelineTest, EqualsManualChaining) {
  const Matrix x = Golden("union_X");
  preprocessing::PolynomialFeaturesOptions poly;
  poly.interaction_only = true;
  decomposition::PCAOptions pca;
  pca.n_components = 5;
  pca.random_state = 0;  // the randomized solver runs here: seed it
  cluster::KMeansOptions km;
  km.n_clusters = 4;
  km.random_state = 0;
  km.n_init = 2;
  std::vector<std::unique_ptr<Estimator>> manual;
  manual.push_back(std::make_unique<preprocessing::StandardScaler>());
  manual.push_back(std::make_unique<preprocessing::PolynomialFeatures>(poly));
  manual.push_back(std::make_unique<decomposition::PCA>(pca));
  manual.push_back(std::make_unique<preprocessing::Normalizer>());
  manual.push_back(std::make_unique<cluster::KMeans>(km));
  std::vector<const Estimator*> protos;
  for (const auto& m : manual) protos.push_back(m.get());
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Pipeline> pipe,
                                 MakePipeline(protos));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Vector labels, pipe->FitPredict(x));

  Matrix cur = x;
  for (size_t i = 0; i + 1 < manual.size(); ++i) {
    ECLIPSERA_ASSERT_OK_AND_ASSIGN(cur, manual[i]->FitTransform(cur));
  }
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Vector expected,
                                 manual.back()->FitPredict(cur));
  EXPECT_EQ(labels, expected);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Vector again, pipe->Predict(x));
  EXPECT_EQ(again, expected);
  // The user's objects were cloned, not fitted... the manual ones were
  // fitted by hand above; the prototypes inside the pipeline never are.
  EXPECT_FALSE(pipe->steps()[0].estimator.prototype->fitted());
  EXPECT_TRUE(pipe->step(0)->fitted());

  // Same with pooling disabled: bit-identical.
  pool::ScopedPoolingDisabled off(true);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Pipeline> fresh,
                                 MakePipeline(protos));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Vector labels_off, fresh->FitPredict(x));
  EXPECT_EQ(labels_off, expected);
}

TEST(PipelineTest, FitPredictUsesTheLastStepsOwnLabels) {
  // DBSCAN has no Predict: FitPredict returns its labels from the fit.
  const Matrix x = Golden("union_X").leftCols(8);
  cluster::DBSCANOptions db;
  db.eps = 1.5;
  db.min_samples = 3;
  auto pipe = Make({Step("scaler", preprocessing::StandardScaler()),
                    Step("dbscan", cluster::DBSCAN(db))});
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Vector labels, pipe->FitPredict(x));
  preprocessing::StandardScaler scaler;
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix xs, scaler.FitTransform(x));
  cluster::DBSCAN manual(db);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Vector expected, manual.FitPredict(xs));
  EXPECT_EQ(labels, expected);
  EXPECT_THAT(pipe->Predict(x),
              StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("Predict")));
}

TEST(PipelineTest, MakePipelineNamesStepsAsScikitLearn) {
  EXPECT_EQ(NameSteps({"StandardScaler", "PCA", "StandardScaler", "KMeans"}),
            (std::vector<std::string>{"standardscaler-1", "pca",
                                      "standardscaler-2", "kmeans"}));
  preprocessing::StandardScaler s;
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(auto pipe, MakePipeline({&s, nullptr, &s}));
  EXPECT_EQ(pipe->steps()[0].name, "standardscaler-1");
  EXPECT_EQ(pipe->steps()[1].name, "passthrough");
  EXPECT_EQ(pipe->steps()[2].name, "standardscaler-2");
}

TEST(PipelineTest, StepNamesAreValidated) {
  preprocessing::StandardScaler s;
  EXPECT_THAT(Pipeline::Create({}), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("at least one step")));
  EXPECT_THAT(Pipeline::Create({Step("a", s), Step("a", s)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'a' appears twice")));
  EXPECT_THAT(Pipeline::Create({Step("a__b", s)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("__")));
  EXPECT_THAT(Pipeline::Create({Step("verbose", s)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("conflicts with a constructor argument")));
}

TEST(PipelineTest, NestedParametersAndStepReplacement) {
  auto pipe = Make({Step("scaler", preprocessing::StandardScaler()),
                    Step("clf", linear_model::LogisticRegression())});
  ParamMap params = pipe->GetParams(true);
  EXPECT_EQ(params.count("scaler"), 1u);
  EXPECT_EQ(params.count("clf"), 1u);
  EXPECT_EQ(params.count("verbose"), 1u);
  EXPECT_EQ(std::get<double>(params.at("clf__C")), 1.0);
  EXPECT_EQ(std::get<bool>(params.at("scaler__with_mean")), true);
  EXPECT_EQ(pipe->GetParams(false).count("clf__C"), 0u);

  ECLIPSERA_ASSERT_OK(
      pipe->SetParams({{"clf__C", 0.5}, {"scaler__with_mean", false}}));
  params = pipe->GetParams();
  EXPECT_EQ(std::get<double>(params.at("clf__C")), 0.5);
  EXPECT_EQ(std::get<bool>(params.at("scaler__with_mean")), false);
  // The working step got the parameter too.
  EXPECT_EQ(std::get<double>(pipe->named_step("clf")->GetParams().at("C")),
            0.5);

  // All or nothing: one bad name changes nothing.
  EXPECT_THAT(pipe->SetParams({{"clf__C", 2.0}, {"clf__nope", 1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nope")));
  EXPECT_EQ(std::get<double>(pipe->GetParams().at("clf__C")), 0.5);
  EXPECT_THAT(
      pipe->SetParams({{"nostep", 1.0}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("valid parameters: memory, verbose, scaler, "
                               "clf"))));

  // Replace a whole step, then make one passthrough.
  ECLIPSERA_ASSERT_OK(pipe->SetParams(
      {{"clf", MakeEstimatorParam(linear_model::RidgeClassifier())}}));
  EXPECT_EQ(pipe->named_step("clf")->name(), "RidgeClassifier");
  EXPECT_EQ(pipe->GetParams().count("clf__alpha"), 1u);
  ECLIPSERA_ASSERT_OK(
      pipe->SetParams({{"scaler", std::string("passthrough")}}));
  EXPECT_EQ(pipe->named_step("scaler"), nullptr);
  EXPECT_THAT(pipe->SetParams({{"scaler", 3.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("an estimator or 'passthrough'")));

  const Matrix x = Golden("cancer_X");
  const std::vector<double> y = Column(Golden("cancer_y"));
  ECLIPSERA_ASSERT_OK(pipe->Fit(x, y));
  linear_model::RidgeClassifier manual;
  ECLIPSERA_ASSERT_OK(manual.Fit(x, y));
  EXPECT_EQ(*pipe->Predict(x), *manual.Predict(x));

  // Clone is unfitted, equal parameters, independent.
  std::unique_ptr<Estimator> clone = pipe->Clone();
  EXPECT_FALSE(clone->fitted());
  EXPECT_EQ(clone->GetParams(), pipe->GetParams());
  EXPECT_EQ(EstimatorRepr(*clone), EstimatorRepr(*pipe));
  ECLIPSERA_ASSERT_OK(clone->SetParams({{"clf__alpha", 3.0}}));
  EXPECT_EQ(std::get<double>(pipe->GetParams().at("clf__alpha")), 1.0);
  EXPECT_TRUE(pipe->fitted());
}

TEST(PipelineTest, PassthroughStepsAndTrailingPassthrough) {
  const Matrix x = Golden("union_X").leftCols(10);
  auto pipe = Make({Passthrough("skip"),
                    Step("scaler", preprocessing::StandardScaler()),
                    Passthrough("end")});
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix t, pipe->FitTransform(x));
  preprocessing::StandardScaler s;
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix expected, s.FitTransform(x));
  EXPECT_EQ(t, expected);
  EXPECT_EQ(pipe->kind(), EstimatorKind::kTransformer);
  EXPECT_EQ(pipe->n_features_out(), 10);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix t2, pipe->Transform(x));
  EXPECT_EQ(t2, expected);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix back, pipe->InverseTransform(t2));
  EXPECT_LT((back - x).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_THAT(pipe->Predict(x), StatusIs(absl::StatusCode::kUnimplemented,
                                         HasSubstr("passthrough")));
}

TEST(PipelineTest, FailingStepLeavesItUnfittedAndUsable) {
  const Matrix x = Golden("cancer_X");
  const std::vector<double> y = Column(Golden("cancer_y"));
  auto pipe = Make({Step("scaler", preprocessing::StandardScaler()),
                    Step("clf", linear_model::LogisticRegression())});
  ECLIPSERA_ASSERT_OK(pipe->Fit(x, y));
  Matrix bad = x;
  bad(3, 2) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(pipe->Fit(bad, y),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NaN")));
  EXPECT_FALSE(pipe->fitted());
  EXPECT_FALSE(pipe->step(0)->fitted());
  // A bad parameter of the last step fails at its fit.
  ECLIPSERA_ASSERT_OK(pipe->SetParams({{"clf__C", -1.0}}));
  EXPECT_FALSE(pipe->Fit(x, y).ok());
  EXPECT_FALSE(pipe->fitted());
  ECLIPSERA_ASSERT_OK(pipe->SetParams({{"clf__C", 1.0}}));
  ECLIPSERA_ASSERT_OK(pipe->Fit(x, y));
  EXPECT_TRUE(pipe->fitted());
  // An intermediate step without Transform is refused at fit.
  auto no_transform = Make({Step("km", cluster::DBSCAN()),
                            Step("clf", linear_model::LogisticRegression())});
  EXPECT_THAT(no_transform->Fit(x, y),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("intermediate steps must be transformers")));
}

TEST(PipelineTest, RepeatedIntoCallsAllocateNothing) {
  const Matrix x = Golden("union_X");
  std::vector<double> y(x.rows());
  for (Index i = 0; i < x.rows(); ++i) y[i] = static_cast<double>(i % 3);
  decomposition::PCAOptions pca;
  pca.n_components = 8;
  auto pipe = Make({Step("scaler", preprocessing::StandardScaler()),
                    Step("pca", decomposition::PCA(pca)),
                    Step("norm", preprocessing::Normalizer()),
                    Step("scaler2", preprocessing::StandardScaler())});
  ECLIPSERA_ASSERT_OK(pipe->Fit(x, y));
  Matrix out(x.rows(), pipe->n_features_out());
  ECLIPSERA_ASSERT_OK(pipe->TransformInto(x, out));  // sizes the buffers
  // A predictor ending in k-means: PredictInto allocates nothing either.
  cluster::KMeansOptions km;
  km.n_clusters = 3;
  km.random_state = 0;
  auto predictor = Make({Step("scaler", preprocessing::StandardScaler()),
                         Step("pca", decomposition::PCA(pca)),
                         Step("kmeans", cluster::KMeans(km))});
  ECLIPSERA_ASSERT_OK(predictor->Fit(x));
  Vector warm(x.rows());
  ECLIPSERA_ASSERT_OK(predictor->PredictInto(x, warm));
  Matrix xt(x.rows(), 8);
  ECLIPSERA_ASSERT_OK(
      predictor->step(1)->TransformInto(*predictor->step(0)->Transform(x), xt));
  const size_t held = pipe->buffer_bytes();
  EXPECT_GT(held, 0u);
  Matrix first = out;
  {
    ::eclipsera::testing::AllocationCounter counter;
    // (gMock's matchers allocate: plain checks inside the counted scope.)
    bool ok = true;
    for (int rep = 0; rep < 3; ++rep) {
      ok = ok && pipe->TransformInto(x, out).ok();
    }
    EXPECT_EQ(counter.allocations(), 0);
    // KMeans's own PredictInto allocates its label scratch: the pipeline
    // adds nothing to what its last step allocates.
    counter.Restart();
    ok = ok && predictor->named_step("kmeans")->PredictInto(xt, warm).ok();
    const int64_t last_step = counter.allocations();
    counter.Restart();
    ok = ok && predictor->PredictInto(x, warm).ok();
    EXPECT_EQ(counter.allocations(), last_step);
    EXPECT_TRUE(ok);
  }
  EXPECT_EQ(out, first);
  EXPECT_EQ(pipe->buffer_bytes(), held);
  // A smaller batch reuses the same buffers.
  Matrix small(10, pipe->n_features_out());
  ECLIPSERA_ASSERT_OK(pipe->TransformInto(x.topRows(10), small));
  EXPECT_EQ(small, first.topRows(10));
  EXPECT_EQ(pipe->buffer_bytes(), held);
}

// Elementwise steps rewrite their input buffer: one buffer for the whole
// chain after the first transformer, with the results of manual chaining.
TEST(PipelineTest, ElementwiseStepsTransformInPlace) {
  const Matrix x = Golden("union_X").leftCols(6);
  preprocessing::PolynomialFeaturesOptions poly;
  poly.interaction_only = true;
  preprocessing::PolynomialFeatures p(poly);
  preprocessing::StandardScaler s;
  preprocessing::MinMaxScaler m;
  preprocessing::Normalizer n;
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(auto pipe, MakePipeline({&p, &s, &m, &n}));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix fitted, pipe->FitTransform(x));
  Matrix out(x.rows(), pipe->n_features_out());
  ECLIPSERA_ASSERT_OK(pipe->TransformInto(x, out));
  // 1 + 6 + 15 columns: only buffer 0 was ever used.
  EXPECT_EQ(pipe->buffer_bytes(), sizeof(double) * x.rows() * 22);
  Matrix manual = x;
  for (Estimator* e : std::vector<Estimator*>{&p, &s, &m, &n}) {
    ECLIPSERA_ASSERT_OK_AND_ASSIGN(manual, e->FitTransform(manual));
  }
  EXPECT_EQ(out, manual);
  EXPECT_EQ(fitted, manual);
  EXPECT_TRUE(s.transforms_in_place());
  EXPECT_FALSE(p.transforms_in_place());
}

TEST(PipelineTest, WrongFeatureCountAndNestedStepReplacement) {
  const Matrix x = Golden("union_X").leftCols(5);
  auto pipe = Make({Passthrough("a"), Passthrough("b")});
  ECLIPSERA_ASSERT_OK(pipe->Fit(x));
  EXPECT_THAT(pipe->Transform(x.leftCols(3)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("X has 3 features, but the pipeline was "
                                 "fitted on 5")));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto u,
      FeatureUnion::Create({PassthroughPart("raw"),
                            Part("s", preprocessing::StandardScaler())}));
  ECLIPSERA_ASSERT_OK(u->Fit(x));
  EXPECT_THAT(u->Transform(x.leftCols(3)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("X has 3 features")));
  // A nested pipeline step replaced by one with fewer steps becomes exactly
  // that one (not the old one with its parameters overwritten).
  decomposition::PCAOptions pca;
  pca.n_components = 2;
  auto inner_big = Make({Step("scaler", preprocessing::StandardScaler()),
                         Step("pca", decomposition::PCA(pca))});
  auto inner_small = Make({Step("scaler", preprocessing::StandardScaler())});
  auto outer = Make(
      {Step("pre", *inner_big), Step("norm", preprocessing::Normalizer())});
  ECLIPSERA_ASSERT_OK(
      outer->SetParams({{"pre", MakeEstimatorParam(*inner_small)}}));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix t, outer->FitTransform(x));
  EXPECT_EQ(t.cols(), 5);
  EXPECT_EQ(outer->GetParams().count("pre__pca"), 0u);
}

TEST(PipelineTest, VerboseMessagesMatchScikitLearn) {
  std::ifstream in("eclipsera/pipeline/testdata/pipeline_messages.txt");
  std::vector<std::string> expected;
  for (std::string line; std::getline(in, line);) expected.push_back(line);
  ASSERT_EQ(expected.size(), 6u);
  const double seconds[] = {0.0, 0.04, 1.25, 59.97, 61.0, 7200.0};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(MessageWithTime("Pipeline", "(step 1 of 3) Processing scaler",
                              seconds[i]),
              expected[i]);
  }
}

// scaler -> PCA(10) -> kNN on the digits' first 1500 rows, with or
// without a transformer cache of `memory` bytes.
std::unique_ptr<Pipeline> DigitsPipeline(std::optional<int64_t> memory) {
  decomposition::PCAOptions pca;
  pca.n_components = 10;
  pca.svd_solver = "full";
  absl::StatusOr<std::unique_ptr<Pipeline>> p =
      Pipeline::Create({Step("scaler", preprocessing::StandardScaler()),
                        Step("pca", decomposition::PCA(pca)),
                        Step("knn", neighbors::KNeighborsClassifier())},
                       false, memory);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *std::move(p) : nullptr;
}

// Fits `pipe` and returns its predicted probabilities on `test`.
Matrix FitProba(Pipeline& pipe, const Matrix& train,
                const std::vector<double>& y, const Matrix& test) {
  EXPECT_TRUE(pipe.Fit(train, y).ok());
  absl::StatusOr<Matrix> p = pipe.PredictProba(test);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : Matrix();
}

TEST(PipelineCacheTest, RefitsReuseFittedStepsWithIdenticalResults) {
  const Matrix x = Golden("digits_X");
  const std::vector<double> y = Column(Golden("digits_y"));
  const Matrix train = x.topRows(1500), test = x.bottomRows(x.rows() - 1500);
  const std::vector<double> y_train(y.begin(), y.begin() + 1500);
  auto cached = DigitsPipeline(int64_t{1} << 30);
  auto plain = DigitsPipeline(std::nullopt);
  EXPECT_EQ(std::get<int64_t>(cached->GetParams().at("memory")), 1 << 30);
  EXPECT_TRUE(
      std::holds_alternative<std::monostate>(plain->GetParams().at("memory")));
  const auto stats = [&] { return cached->cache_statistics(); };

  const Matrix first = FitProba(*cached, train, y_train, test);
  EXPECT_EQ(first, FitProba(*plain, train, y_train, test));
  EXPECT_EQ(stats().misses, 2);  // scaler and PCA fitted, cached
  EXPECT_EQ(stats().hits, 0);
  EXPECT_EQ(stats().entries, 2);
  EXPECT_EQ(stats().bytes, 1500 * (64 + 10) * 8);

  // Only the last step changes: both earlier steps come from the cache.
  for (Pipeline* p : {cached.get(), plain.get()}) {
    ECLIPSERA_ASSERT_OK(p->SetParams({{"knn__n_neighbors", int64_t{3}}}));
  }
  const Matrix second = FitProba(*cached, train, y_train, test);
  EXPECT_EQ(second, FitProba(*plain, train, y_train, test));
  EXPECT_NE(first, second);
  EXPECT_EQ(stats().hits, 2);
  EXPECT_EQ(stats().misses, 2);

  // PCA changes: the scaler is reused, PCA fitted again.
  for (Pipeline* p : {cached.get(), plain.get()}) {
    ECLIPSERA_ASSERT_OK(p->SetParams({{"pca__n_components", int64_t{5}}}));
  }
  EXPECT_EQ(FitProba(*cached, train, y_train, test),
            FitProba(*plain, train, y_train, test));
  EXPECT_EQ(stats().hits, 3);
  EXPECT_EQ(stats().misses, 3);

  // Other data: everything is fitted (and the cached steps, shared, are not
  // refitted in place: the first data's entries still give its results).
  const Matrix other = x.middleRows(200, 1000);
  const std::vector<double> y_other(y.begin() + 200, y.begin() + 1200);
  EXPECT_EQ(FitProba(*cached, other, y_other, test),
            FitProba(*plain, other, y_other, test));
  EXPECT_EQ(stats().misses, 5);
  for (Pipeline* p : {cached.get(), plain.get()}) {
    ECLIPSERA_ASSERT_OK(p->SetParams({{"pca__n_components", int64_t{10}},
                                      {"knn__n_neighbors", int64_t{5}}}));
  }
  EXPECT_EQ(FitProba(*cached, train, y_train, test), first);
  EXPECT_EQ(stats().hits, 5);

  // Clones share the cache (as scikit-learn's share a memory directory).
  std::unique_ptr<Estimator> clone = cached->Clone();
  ECLIPSERA_ASSERT_OK(clone->Fit(train, y_train));
  EXPECT_EQ(stats().hits, 7);
  EXPECT_EQ(*clone->PredictProba(test), first);
  // A failed fit or Reset leaves the cached steps alone.
  cached->Reset();
  EXPECT_FALSE(cached->fitted());
  EXPECT_TRUE(clone->fitted());
  EXPECT_EQ(*clone->PredictProba(test), first);
}

// Cache keys and EstimatorParam equality see a composite's structure: the
// order of its steps and a ColumnTransformer's columns, which reprs (sorted
// parameters) do not show.
TEST(PipelineCacheTest, KeysSeeStepOrderAndColumns) {
  auto scale_pca = Make({Step("a", preprocessing::StandardScaler()),
                         Step("b", decomposition::PCA())});
  auto pca_scale = Make({Step("a", decomposition::PCA()),
                         Step("b", preprocessing::StandardScaler())});
  EXPECT_NE(scale_pca->StructureKey(), pca_scale->StructureKey());
  EXPECT_NE(MakeEstimatorParam(*scale_pca), MakeEstimatorParam(*pca_scale));
  EXPECT_EQ(MakeEstimatorParam(*scale_pca),
            MakeEstimatorParam(*scale_pca->Clone()));
  const auto ct = [](std::vector<int64_t> cols) {
    return ColumnTransformer::Create(
               {Columns("s", preprocessing::StandardScaler(), cols)})
        .value();
  };
  const auto low = ct({0, 1, 2, 3}), high = ct({60, 61, 62, 63});
  EXPECT_EQ(EstimatorRepr(*low), EstimatorRepr(*high));
  EXPECT_NE(MakeEstimatorParam(*low), MakeEstimatorParam(*high));

  // A search-like switch between the two in a cached pipeline: a miss, and
  // the results of an uncached pipeline.
  const Matrix x = Golden("digits_X");
  const std::vector<double> y = Column(Golden("digits_y"));
  const Matrix train = x.topRows(1500), test = x.bottomRows(x.rows() - 1500);
  const std::vector<double> y_train(y.begin(), y.begin() + 1500);
  absl::StatusOr<std::unique_ptr<Pipeline>> cached = Pipeline::Create(
      {Step("ct", *low), Step("knn", neighbors::KNeighborsClassifier())}, false,
      int64_t{1} << 28);
  ECLIPSERA_ASSERT_OK(cached.status());
  auto plain =
      Make({Step("ct", *high), Step("knn", neighbors::KNeighborsClassifier())});
  (void)FitProba(**cached, train, y_train, test);
  ECLIPSERA_ASSERT_OK(
      (*cached)->SetParams({{"ct", MakeEstimatorParam(*high)}}));
  EXPECT_EQ(FitProba(**cached, train, y_train, test),
            FitProba(*plain, train, y_train, test));
  EXPECT_EQ((*cached)->cache_statistics().misses, 2);
  EXPECT_EQ((*cached)->cache_statistics().hits, 0);
}

// A step's key is its actual input's fingerprint: when a random step
// (random_state=None) is fitted again after its entry was evicted, the next
// step is not taken from the cache, where it was fitted on the first
// output.
TEST(PipelineCacheTest, LaterStepsFollowTheDataActuallyProduced) {
  const Matrix x = Golden("digits_X");
  const std::vector<double> y = Column(Golden("digits_y"));
  const Matrix train = x.topRows(1500);
  const std::vector<double> y_train(y.begin(), y.begin() + 1500);
  decomposition::TruncatedSVDOptions svd;
  svd.n_components = 20;  // random_state None: a fresh seed per fit
  decomposition::PCAOptions pca;
  pca.n_components = 2;
  // Room for the SVD's output (1500 x 20) or PCA's, not both.
  absl::StatusOr<std::unique_ptr<Pipeline>> pipe =
      Pipeline::Create({Step("svd", decomposition::TruncatedSVD(svd)),
                        Step("pca", decomposition::PCA(pca)),
                        Step("knn", neighbors::KNeighborsClassifier())},
                       false, int64_t{1500 * 20 * 8});
  ECLIPSERA_ASSERT_OK(pipe.status());
  ECLIPSERA_ASSERT_OK((*pipe)->Fit(train, y_train));
  EXPECT_EQ((*pipe)->cache_statistics().entries, 1);  // PCA's
  ECLIPSERA_ASSERT_OK((*pipe)->Fit(train, y_train));
  const CacheStatistics s = (*pipe)->cache_statistics();
  EXPECT_EQ(s.misses, 4);
  EXPECT_EQ(s.hits, 0);
  // The last step was fitted on what the first two produce now.
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix xt, (*pipe)->step(0)->Transform(train));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix xt2, (*pipe)->step(1)->Transform(xt));
  neighbors::KNeighborsClassifier manual;
  ECLIPSERA_ASSERT_OK(manual.Fit(xt2, y_train));
  EXPECT_EQ(*(*pipe)->PredictProba(train), *manual.PredictProba(xt2));
}

TEST(PipelineCacheTest, BudgetEvictsLeastRecentlyUsedAndParamsAreChecked) {
  const Matrix x = Golden("digits_X");
  const std::vector<double> y = Column(Golden("digits_y"));
  const Matrix train = x.topRows(1500);
  const std::vector<double> y_train(y.begin(), y.begin() + 1500);
  // Room for the scaler's output (1500 x 64) only: PCA's evicts it.
  auto pipe = DigitsPipeline(1500 * 64 * 8);
  ECLIPSERA_ASSERT_OK(pipe->Fit(train, y_train));
  CacheStatistics s = pipe->cache_statistics();
  EXPECT_EQ(s.misses, 2);
  EXPECT_EQ(s.evictions, 1);
  EXPECT_EQ(s.entries, 1);
  EXPECT_EQ(s.bytes, 1500 * 10 * 8);
  ECLIPSERA_ASSERT_OK(pipe->Fit(train, y_train));
  s = pipe->cache_statistics();
  // The scaler's entry was evicted, and storing it again evicts PCA's.
  EXPECT_EQ(s.hits, 0);
  EXPECT_EQ(s.misses, 4);
  // Outputs larger than the budget are never stored.
  auto tiny = DigitsPipeline(1000);
  ECLIPSERA_ASSERT_OK(tiny->Fit(train, y_train));
  ECLIPSERA_ASSERT_OK(tiny->Fit(train, y_train));
  EXPECT_EQ(tiny->cache_statistics().entries, 0);
  EXPECT_EQ(tiny->cache_statistics().hits, 0);

  EXPECT_THAT(
      Pipeline::Create({Step("scaler", preprocessing::StandardScaler())}, false,
                       int64_t{0}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("memory = 0, must be None")));
  EXPECT_THAT(pipe->SetParams({{"memory", std::string("/tmp/cache")}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("memory must be None or a byte budget")));
  EXPECT_THAT(
      pipe->SetParams({{"memory", int64_t{-5}}}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("memory = -5")));
  // Turning the cache off.
  ECLIPSERA_ASSERT_OK(pipe->SetParams({{"memory", ParamValue()}}));
  ECLIPSERA_ASSERT_OK(pipe->Fit(train, y_train));
  EXPECT_EQ(pipe->cache_statistics().misses, 0);
}

TEST(FeatureUnionTest, MatchesScikitLearnForAnyNJobs) {
  const Matrix x = Golden("union_X");
  decomposition::PCAOptions pca;
  pca.n_components = 3;
  Matrix first;
  for (int n_jobs : {1, 2, -1}) {
    ECLIPSERA_ASSERT_OK_AND_ASSIGN(
        auto union_,
        FeatureUnion::Create({Part("pca", decomposition::PCA(pca)),
                              Part("scaler", preprocessing::StandardScaler())},
                             {2.0, 1.0}, n_jobs));
    ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix t, union_->FitTransform(x));
    EXPECT_LT((t - Golden("union_transform")).cwiseAbs().maxCoeff(), 1e-9);
    if (n_jobs == 1) first = t;
    EXPECT_EQ(t, first) << n_jobs;
  }
}

TEST(FeatureUnionTest, DropPassthroughAndParameters) {
  const Matrix x = Golden("union_X").leftCols(5);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto u,
      FeatureUnion::Create({Part("scaler", preprocessing::StandardScaler()),
                            DropPart("gone"), PassthroughPart("raw")}));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix t, u->FitTransform(x));
  ASSERT_EQ(t.cols(), 10);
  EXPECT_EQ(Matrix(t.rightCols(5)), x);
  EXPECT_EQ(std::get<bool>(u->GetParams().at("scaler__with_mean")), true);
  ECLIPSERA_ASSERT_OK(u->SetParams(
      {{"scaler__with_mean", false}, {"gone", std::string("passthrough")}}));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(t, u->FitTransform(x));
  EXPECT_EQ(t.cols(), 15);
  EXPECT_THAT(u->SetParams({{"raw", 1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'drop' or 'passthrough'")));
  EXPECT_THAT(FeatureUnion::Create({DropPart("a")}, {1.0, 2.0}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("transformer_weights has 2 entries")));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(auto all_drop,
                                 FeatureUnion::Create({DropPart("a")}));
  EXPECT_THAT(all_drop->Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("every part is 'drop'")));
  // A union inside a pipeline.
  auto pipe = Make({Step("union", *u), Step("pca", decomposition::PCA())});
  ECLIPSERA_ASSERT_OK(pipe->Fit(x));
  EXPECT_EQ(pipe->GetParams().count("union__scaler__with_mean"), 1u);
}

// The two ColumnTransformers of testdata/generate_column_transformer.py.
std::unique_ptr<ColumnTransformer> FirstColumnTransformer(int n_jobs) {
  auto num = Make({Step("simpleimputer", preprocessing::SimpleImputer()),
                   Step("standardscaler", preprocessing::StandardScaler())});
  decomposition::PCAOptions pca;
  pca.n_components = 2;
  pca.svd_solver = "full";
  absl::StatusOr<std::unique_ptr<ColumnTransformer>> ct =
      ColumnTransformer::Create(
          {Columns("num", *num, {0, 1}),
           Columns("pca", decomposition::PCA(pca), {2, 3, 4}),
           PassthroughColumns("last", {-1})},
          std::string("drop"), {}, n_jobs);
  EXPECT_TRUE(ct.ok()) << ct.status();
  return ct.ok() ? *std::move(ct) : nullptr;
}

std::unique_ptr<ColumnTransformer> SecondColumnTransformer(int n_jobs) {
  absl::StatusOr<std::unique_ptr<ColumnTransformer>> ct =
      ColumnTransformer::Create(
          {Columns("minmax", preprocessing::MinMaxScaler(), {4, 0}),
           DropColumns("gone", {3}),
           Columns("none", preprocessing::StandardScaler(), {})},
          MakeEstimatorParam(preprocessing::StandardScaler()),
          {2.0, 1.0, 1.0, 0.5}, n_jobs);
  EXPECT_TRUE(ct.ok()) << ct.status();
  return ct.ok() ? *std::move(ct) : nullptr;
}

TEST(ColumnTransformerTest, MatchesScikitLearnForAnyNJobs) {
  const Matrix x = Golden("ct_X");
  const Matrix x0 = x.array().isNaN().select(0.0, x);
  Matrix first_ref, second_ref;
  for (int n_jobs : {1, 2, -1}) {
    SCOPED_TRACE(n_jobs);
    auto first = FirstColumnTransformer(n_jobs);
    ECLIPSERA_ASSERT_OK(first->Fit(x.topRows(150)));
    ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix out,
                                   first->Transform(x.bottomRows(50)));
    EXPECT_TRUE(out.isApprox(Golden("ct_first"), 1e-10));
    EXPECT_EQ(first->n_features_out(), 5);
    EXPECT_EQ(first->remainder_columns(), (std::vector<Index>{5}));
    EXPECT_EQ(first->remainder(), nullptr);
    auto second = SecondColumnTransformer(n_jobs);
    ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix out2, second->FitTransform(x0));
    EXPECT_TRUE(out2.isApprox(Golden("ct_second"), 1e-12));
    EXPECT_EQ(second->remainder_columns(), (std::vector<Index>{1, 2, 5, 6}));
    EXPECT_FALSE(second->part(2)->fitted());  // no columns: not fitted
    const Matrix idx = Golden("ct_second_indices");
    const auto got = second->output_indices();
    ASSERT_EQ(got.size(), 4u);
    const char* names[] = {"minmax", "gone", "none", "remainder"};
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(got[i].first, names[i]);
      EXPECT_EQ(got[i].second.first, idx(i, 0));
      EXPECT_EQ(got[i].second.second, idx(i, 1));
    }
    // Bit-identical whatever n_jobs.
    if (n_jobs == 1) {
      first_ref = out;
      second_ref = out2;
    } else {
      EXPECT_EQ(out, first_ref);
      EXPECT_EQ(out2, second_ref);
    }
    // Transform equals FitTransform's output on the training data.
    EXPECT_EQ(*second->Transform(x0), out2);
  }
}

TEST(ColumnTransformerTest, ParametersAndBadInput) {
  const Matrix x = Golden("ct_X");
  const Matrix x0 = x.array().isNaN().select(0.0, x);
  auto ct = SecondColumnTransformer(1);
  const ParamMap deep = ct->GetParams(true);
  EXPECT_EQ(deep.count("minmax__clip"), 1u);
  EXPECT_EQ(deep.count("remainder__with_mean"), 1u);
  ECLIPSERA_ASSERT_OK(ct->SetParams({{"remainder__with_mean", false}}));
  EXPECT_EQ(std::get<bool>(ct->GetParams(true).at("remainder__with_mean")),
            false);
  // The remainder passed through, without its weight's effect on others.
  ECLIPSERA_ASSERT_OK(
      ct->SetParams({{"remainder", std::string("passthrough")},
                     {"transformer_weights", std::vector<double>{}}}));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix out, ct->FitTransform(x0));
  ASSERT_EQ(out.cols(), 6);
  EXPECT_EQ(out.col(2), x0.col(1));
  EXPECT_EQ(out.col(5), x0.col(6));
  EXPECT_NEAR(out.col(0).minCoeff(), 0.0, 1e-15);  // MinMaxScaler of col 4
  // A clone has the same parameters and columns.
  std::unique_ptr<Estimator> clone = ct->Clone();
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix out_clone, clone->FitTransform(x0));
  EXPECT_EQ(out_clone, out);

  EXPECT_THAT(ColumnTransformer::Create({PassthroughColumns("a", {7})})
                  .value()
                  ->Fit(x0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("part 'a' selects column 7, but X has 7 "
                                 "features (valid indices -7 to 6)")));
  EXPECT_THAT(ColumnTransformer::Create({PassthroughColumns("a", {0})},
                                        std::string("drop"), {1, 2, 3}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("transformer_weights has 3 entries")));
  EXPECT_THAT(ColumnTransformer::Create(
                  {PassthroughColumns("a", {0}), DropColumns("a", {1})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'a' appears twice")));
  EXPECT_THAT(ColumnTransformer::Create({PassthroughColumns("remainder", {0})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid part name 'remainder'")));
  EXPECT_THAT(ColumnTransformer::Create({PassthroughColumns("a", {0})},
                                        std::string("keep")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("part 'remainder' must be a transformer, "
                                 "'drop' or 'passthrough'")));
  EXPECT_THAT(ColumnTransformer::Create({DropColumns("a", {0})})
                  .value()
                  ->Fit(x0.leftCols(1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no part produces columns")));
  // NaN reaching a scaler is refused, naming the part, and so is NaN in a
  // passed-through column; an imputer takes it.
  auto scale_nan = ColumnTransformer::Create(
                       {Columns("scale", preprocessing::StandardScaler(), {1})})
                       .value();
  EXPECT_FALSE(scale_nan->allows_nan());
  EXPECT_THAT(scale_nan->Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("in part 'scale'")));
  EXPECT_FALSE(scale_nan->fitted());
  auto pass_nan =
      ColumnTransformer::Create({PassthroughColumns("raw", {1})}).value();
  Index nan_row = 0;
  while (!std::isnan(x(nan_row, 1))) ++nan_row;
  EXPECT_THAT(pass_nan->Fit(x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(absl::StrCat("part 'raw' passes column 1 "
                                              "through, and X has nan at row ",
                                              nan_row))));
  auto impute = ColumnTransformer::Create(
                    {Columns("imp", preprocessing::SimpleImputer(), {1})})
                    .value();
  EXPECT_TRUE(impute->allows_nan());
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix imputed, impute->FitTransform(x));
  EXPECT_TRUE(imputed.allFinite());
  auto keep =
      ColumnTransformer::Create({PassthroughColumns("raw", {0})}).value();
  ECLIPSERA_ASSERT_OK(keep->Fit(x));
  EXPECT_THAT(keep->Transform(x.leftCols(3)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("X has 3 features, but the transformer was "
                                 "fitted on 7 features")));
}

TEST(SpecTest, ParsesStepsParametersAndNames) {
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto pipe,
      ParsePipelineSpec("standardscaler | PCA(n_components=3, "
                        "svd_solver='full')|kmeans(n_clusters=4,init=random,"
                        " random_state=0)",
                        Registry()));
  ASSERT_EQ(pipe->n_steps(), 3u);
  EXPECT_EQ(pipe->steps()[1].name, "pca");
  const ParamMap p = pipe->GetParams();
  EXPECT_EQ(std::get<int64_t>(p.at("pca__n_components")), 3);
  EXPECT_EQ(std::get<std::string>(p.at("pca__svd_solver")), "full");
  EXPECT_EQ(std::get<std::string>(p.at("kmeans__init")), "random");
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto mm,
      ParsePipelineSpec("minmaxscaler(feature_range=[-1, 1])|passthrough",
                        Registry()));
  EXPECT_EQ(std::get<std::vector<double>>(
                mm->GetParams().at("minmaxscaler__feature_range")),
            (std::vector<double>{-1, 1}));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto one, ParseEstimatorSpec("kmeans(n_clusters=2)", Registry()));
  EXPECT_EQ(one->name(), "KMeans");
}

TEST(SpecTest, ErrorsPointAtTheOffendingCharacter) {
  const auto error_at = [](absl::string_view spec, int column,
                           absl::string_view what) {
    absl::StatusOr<std::unique_ptr<Pipeline>> p =
        ParsePipelineSpec(spec, Registry());
    ASSERT_FALSE(p.ok()) << spec;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(p.status().message(),
                AllOf(HasSubstr(absl::StrCat("at character ", column, ":")),
                      HasSubstr(what)))
        << spec;
  };
  error_at("", 1, "expected an estimator name");
  error_at("pca||kmeans", 5, "expected an estimator name");
  error_at("pca(n_components 3)", 18, "expected '='");
  error_at("pca(n_components=3", 19, "expected ',' or ')'");
  error_at("nosuch|pca", 1, "nosuch");
  error_at("pca|kmeans(n_clusters=2, bogus=1)", 5, "bogus");
  error_at("pca(svd_solver='full)", 16, "unterminated string");
  error_at("pca(n_components=3, n_components=4)", 21, "given twice");
  error_at("pca kmeans", 5, "expected '|'");
}

}  // namespace
}  // namespace eclipsera::pipeline
