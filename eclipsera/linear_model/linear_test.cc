// LinearRegression, Ridge and RidgeClassifier against scikit-learn 1.2
// (testdata/generate_linear.py), and their bad input.
#include "eclipsera/linear_model/linear.h"

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "eclipsera/core/testing.h"
#include "eclipsera/testing/golden.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::linear_model {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

Matrix Load(const std::string& name) {
  return ::eclipsera::testing::LoadGolden("eclipsera/linear_model/testdata/" +
                                          name + ".csv");
}

std::vector<double> Flat(const Matrix& m) {
  return std::vector<double>(m.data(), m.data() + m.size());
}

void ExpectNear(const Matrix& actual, const Matrix& expected, double rel,
                const std::string& what) {
  ASSERT_EQ(actual.rows(), expected.rows()) << what;
  ASSERT_EQ(actual.cols(), expected.cols()) << what;
  const double scale = std::max(1.0, expected.cwiseAbs().maxCoeff());
  EXPECT_LE((actual - expected).cwiseAbs().maxCoeff(), rel * scale) << what;
}

struct Case {
  std::string name;
  std::function<std::unique_ptr<Estimator>()> make;
  bool weighted = false;
};

class LinearGoldenTest : public ::testing::TestWithParam<Case> {};

TEST_P(LinearGoldenTest, MatchesScikitLearn) {
  const Case& c = GetParam();
  const std::string base = "linear_" + c.name + "_";
  const Matrix x = Load(base + "X"), z = Load(base + "Z");
  const std::vector<double> y = Flat(Load(base + "y"));
  std::vector<double> w;
  if (c.weighted) w = Flat(Load(base + "w"));
  std::unique_ptr<Estimator> est = c.make();
  ECLIPSERA_ASSERT_OK(est->Fit(x, y, FitArgs{w}));
  Matrix coef, intercept;
  if (auto* r = dynamic_cast<LinearRegression*>(est.get())) {
    coef = r->coef().transpose();
    intercept = Matrix::Constant(1, 1, r->intercept());
  } else if (auto* r = dynamic_cast<Ridge*>(est.get())) {
    coef = r->coef().transpose();
    intercept = Matrix::Constant(1, 1, r->intercept());
  } else {
    auto* k = dynamic_cast<RidgeClassifier*>(est.get());
    ASSERT_NE(k, nullptr);
    coef = k->coef();
    intercept = k->intercept().transpose();
    absl::StatusOr<Matrix> d = est->DecisionFunction(z);
    ECLIPSERA_ASSERT_OK(d);
    ExpectNear(*d, Load(base + "decision"), 1e-10, "decision_function");
  }
  ExpectNear(coef, Load(base + "coef"), 1e-10, "coef_");
  ExpectNear(intercept, Load(base + "intercept"), 1e-10, "intercept_");
  absl::StatusOr<Vector> p = est->Predict(z);
  ECLIPSERA_ASSERT_OK(p);
  const double rel = est->kind() == EstimatorKind::kClassifier ? 0.0 : 1e-10;
  ExpectNear(Matrix(*p), Load(base + "predict"), rel, "predict");
}

template <class T, class O>
std::function<std::unique_ptr<Estimator>()> Make(O options) {
  return [options] { return std::make_unique<T>(options); };
}

std::vector<Case> Cases() {
  LinearRegressionOptions noint;
  noint.fit_intercept = false;
  RidgeOptions ridge;
  ridge.alpha = 2.5;
  RidgeOptions svd;
  svd.alpha = 0.7;
  svd.solver = "svd";
  RidgeClassifierOptions binary;
  RidgeClassifierOptions multi;
  multi.alpha = 0.3;
  RidgeClassifierOptions balanced;
  balanced.class_weight = "balanced";
  return {
      {"ols", Make<LinearRegression>(LinearRegressionOptions{})},
      {"ols_weighted", Make<LinearRegression>(LinearRegressionOptions{}), true},
      {"ols_noint", Make<LinearRegression>(noint)},
      {"ols_rankdef", Make<LinearRegression>(LinearRegressionOptions{})},
      {"ridge", Make<Ridge>(ridge)},
      {"ridge_svd_weighted", Make<Ridge>(svd), true},
      {"ridge_wide", Make<Ridge>(RidgeOptions{})},
      {"ridgeclf_binary", Make<RidgeClassifier>(binary)},
      {"ridgeclf_multi", Make<RidgeClassifier>(multi)},
      {"ridgeclf_balanced", Make<RidgeClassifier>(balanced), true},
  };
}

INSTANTIATE_TEST_SUITE_P(ScikitLearn, LinearGoldenTest,
                         ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return i.param.name;
                         });

TEST(LinearModelTest, BadInputNamesTheProblem) {
  Matrix x(4, 2);
  x << 0, 1, 1, 0, 2, 2, 3, 1;
  const std::vector<double> y = {1, 2, 3, 4};
  LinearRegression ols;
  EXPECT_THAT(ols.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("needs y (the target")));
  const std::vector<double> nan_y = {1, std::nan(""), 3, 4};
  EXPECT_THAT(ols.Fit(x, nan_y), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("y[1] = nan")));
  Ridge ridge;
  ECLIPSERA_ASSERT_OK(ridge.SetParams({{"alpha", -1.0}}));
  EXPECT_THAT(ridge.Fit(x, y), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("alpha = -1")));
  ECLIPSERA_ASSERT_OK(
      ridge.SetParams({{"alpha", 1.0}, {"solver", std::string("sag")}}));
  EXPECT_THAT(ridge.Fit(x, y),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'sag'")));
  RidgeClassifier clf;
  const std::vector<double> one_class = {3, 3, 3, 3};
  EXPECT_THAT(clf.Fit(x, one_class),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("at least 2 classes")));
  EXPECT_THAT(clf.SetParams({{"class_weight", std::string("even")}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown class_weight 'even'")));
  ECLIPSERA_ASSERT_OK(clf.Fit(x, std::vector<double>{0, 1, 1, 0}));
  EXPECT_EQ(clf.classes().size(), 2u);
  EXPECT_THAT(
      clf.Predict(Matrix::Ones(2, 3)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feature")));
}

TEST(LinearModelTest, ScoresAreRSquaredAndAccuracy) {
  Matrix x(5, 1);
  x << 0, 1, 2, 3, 4;
  const std::vector<double> y = {1, 3, 5, 7, 9};
  LinearRegression ols;
  ECLIPSERA_ASSERT_OK(ols.Fit(x, y));
  absl::StatusOr<double> r2 = ols.Score(x, y);
  ECLIPSERA_ASSERT_OK(r2);
  EXPECT_NEAR(*r2, 1.0, 1e-12);
  EXPECT_NEAR(ols.coef()(0), 2.0, 1e-12);
  EXPECT_NEAR(ols.intercept(), 1.0, 1e-12);
  RidgeClassifier clf;
  const std::vector<double> labels = {-1, -1, 4, 4, 4};
  ECLIPSERA_ASSERT_OK(clf.Fit(x, labels));
  absl::StatusOr<double> acc = clf.Score(x, labels);
  ECLIPSERA_ASSERT_OK(acc);
  EXPECT_GE(*acc, 0.8);
}

}  // namespace
}  // namespace eclipsera::linear_model
