// LogisticRegression against scikit-learn 1.2 (testdata/generate_logistic.py):
// an objective no worse than scikit-learn's, coefficients close, identical
// predictions; and its bad input.
#include "eclipsera/linear_model/logistic.h"

#include <algorithm>
#include <cmath>
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
  return ::eclipsera::testing::LoadGolden(
      "eclipsera/linear_model/testdata/logistic_" + name + ".csv");
}

struct Case {
  std::string name;
  LogisticRegressionOptions options;
  // Relative agreement of the coefficients: 1e-4 on well-conditioned data;
  // looser on digits (64 features, some constant, 10 classes), where both
  // solvers stop at tol = 1e-4 on a flat objective.
  double coef_tol = 1e-4;
};

class LogisticGoldenTest : public ::testing::TestWithParam<Case> {};

TEST_P(LogisticGoldenTest, MatchesScikitLearn) {
  const Case& c = GetParam();
  const Matrix x = Load(c.name + "_X");
  const Matrix ym = Load(c.name + "_y");
  const std::vector<double> y(ym.data(), ym.data() + ym.size());
  for (int n_jobs : {1, 2}) {
    LogisticRegressionOptions o = c.options;
    o.n_jobs = n_jobs;
    LogisticRegression model(o);
    ECLIPSERA_ASSERT_OK(model.Fit(x, y));
    EXPECT_TRUE(model.warnings().empty());
    // The objective at our solution is no worse than scikit-learn's.
    const double sk_objective = Load(c.name + "_objective")(0, 0);
    EXPECT_LE(model.objective(), sk_objective * (1.0 + 1e-8)) << c.name;
    // Coefficients agree to 1e-4 relative to the largest.
    const Matrix sk_coef = Load(c.name + "_coef");
    const Matrix sk_intercept = Load(c.name + "_intercept");
    ASSERT_EQ(model.coef().rows(), sk_coef.rows());
    ASSERT_EQ(model.coef().cols(), sk_coef.cols());
    const double scale = sk_coef.cwiseAbs().maxCoeff();
    EXPECT_LE((model.coef() - sk_coef).cwiseAbs().maxCoeff(),
              c.coef_tol * scale)
        << c.name;
    EXPECT_LE(
        (model.intercept().transpose() - sk_intercept).cwiseAbs().maxCoeff(),
        c.coef_tol * std::max(1.0, sk_intercept.cwiseAbs().maxCoeff()))
        << c.name;
    absl::StatusOr<Vector> p = model.Predict(x);
    ECLIPSERA_ASSERT_OK(p);
    EXPECT_EQ(Matrix(*p), Load(c.name + "_predict")) << c.name;
    absl::StatusOr<Matrix> proba = model.PredictProba(x);
    ECLIPSERA_ASSERT_OK(proba);
    EXPECT_LE((*proba - Load(c.name + "_proba")).cwiseAbs().maxCoeff(), 1e-4);
  }
}

std::vector<Case> Cases() {
  LogisticRegressionOptions defaults;
  LogisticRegressionOptions c01;
  c01.C = 0.1;
  LogisticRegressionOptions balanced;
  balanced.class_weight = "balanced";
  balanced.C = 3.0;
  LogisticRegressionOptions ovr_balanced;
  ovr_balanced.multi_class = "ovr";
  ovr_balanced.class_weight = "balanced";
  LogisticRegressionOptions long_run;
  long_run.max_iter = 1000;
  return {{"breast_cancer", defaults},
          {"breast_cancer_c01", c01},
          {"iris", defaults},
          {"iris_balanced", balanced},
          {"ovr_balanced", ovr_balanced},
          {"digits", long_run, 1e-2}};
}

INSTANTIATE_TEST_SUITE_P(ScikitLearn, LogisticGoldenTest,
                         ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return i.param.name;
                         });

TEST(LogisticRegressionTest, OvrAndMultinomialAgreeOnEasyData) {
  const Matrix x = Load("iris_X");
  const Matrix ym = Load("iris_y");
  const std::vector<double> y(ym.data(), ym.data() + ym.size());
  LogisticRegressionOptions ovr;
  ovr.multi_class = "ovr";
  LogisticRegression a(ovr);
  ECLIPSERA_ASSERT_OK(a.Fit(x, y));
  EXPECT_EQ(a.coef().rows(), 3);
  absl::StatusOr<Matrix> p = a.PredictProba(x);
  ECLIPSERA_ASSERT_OK(p);
  for (Index i = 0; i < p->rows(); ++i) {
    EXPECT_NEAR(p->row(i).sum(), 1.0, 1e-12);
  }
  absl::StatusOr<double> acc = a.Score(x, y);
  ECLIPSERA_ASSERT_OK(acc);
  EXPECT_GT(*acc, 0.9);
}

TEST(LogisticRegressionTest, BadInputNamesTheProblem) {
  Matrix x(4, 1);
  x << 0, 1, 2, 3;
  LogisticRegression model;
  EXPECT_THAT(model.Fit(x, std::vector<double>{1, 1, 1, 1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("at least 2 classes")));
  ECLIPSERA_ASSERT_OK(model.SetParams({{"C", -1.0}}));
  EXPECT_THAT(
      model.Fit(x, std::vector<double>{0, 0, 1, 1}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("C = -1")));
  ECLIPSERA_ASSERT_OK(
      model.SetParams({{"C", 1.0}, {"solver", std::string("saga")}}));
  EXPECT_THAT(
      model.Fit(x, std::vector<double>{0, 0, 1, 1}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("solver 'saga'")));
  EXPECT_THAT(
      model.SetParams({{"penalty", std::string("l1")}}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("penalty 'l1'")));
  // Separable data without a penalty does not converge: a warning.
  LogisticRegression free;
  ECLIPSERA_ASSERT_OK(
      free.SetParams({{"penalty", ParamValue()}, {"max_iter", int64_t{5}}}));
  ECLIPSERA_ASSERT_OK(free.Fit(x, std::vector<double>{0, 0, 1, 1}));
  ASSERT_EQ(free.warnings().size(), 1u);
  EXPECT_THAT(free.warnings()[0], HasSubstr("lbfgs failed to converge"));
}

}  // namespace
}  // namespace eclipsera::linear_model
