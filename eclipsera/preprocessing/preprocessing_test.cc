// The preprocessing estimators against scikit-learn 1.2
// (testdata/generate_preprocessing.py), and their bad-input behaviour.
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "eclipsera/core/testing.h"
#include "eclipsera/preprocessing/normalizer.h"
#include "eclipsera/preprocessing/polynomial_features.h"
#include "eclipsera/preprocessing/scalers.h"
#include "eclipsera/preprocessing/simple_imputer.h"
#include "eclipsera/testing/golden.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::preprocessing {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Matrix Load(const std::string& name) {
  return ::eclipsera::testing::LoadGolden("eclipsera/preprocessing/testdata/" +
                                          name + ".csv");
}

Matrix Row(const Vector& v) { return Matrix(v.transpose()); }

// Equal shapes, NaN where the reference has NaN, elsewhere within `rel`
// of the reference relative to its largest magnitude (an exact match for
// rel = 0).
void ExpectNear(const Matrix& actual, const Matrix& expected, double rel,
                const std::string& what) {
  ASSERT_EQ(actual.rows(), expected.rows()) << what;
  ASSERT_EQ(actual.cols(), expected.cols()) << what;
  double scale = 0.0;
  for (Index i = 0; i < expected.size(); ++i) {
    if (!std::isnan(expected.data()[i])) {
      scale = std::max(scale, std::abs(expected.data()[i]));
    }
  }
  for (Index i = 0; i < expected.rows(); ++i) {
    for (Index j = 0; j < expected.cols(); ++j) {
      const double e = expected(i, j), a = actual(i, j);
      if (std::isnan(e)) {
        EXPECT_TRUE(std::isnan(a)) << what << " (" << i << ", " << j << ")";
      } else {
        EXPECT_NEAR(a, e, rel * scale) << what << " (" << i << ", " << j << ")";
      }
    }
  }
}

struct Case {
  std::string name;
  std::function<std::unique_ptr<Estimator>()> make;
  // Fits `est` on x as the generator did (Fit by default).
  std::function<absl::Status(Estimator&, const Matrix&)> fit;
  // Fitted attributes by scikit-learn name (without the underscore).
  std::vector<std::pair<std::string, std::function<Matrix(const Estimator&)>>>
      attributes;
  bool inverse = true;
};

template <class T>
const T& As(const Estimator& e) {
  return static_cast<const T&>(e);
}

class GoldenTest : public ::testing::TestWithParam<Case> {};

TEST_P(GoldenTest, MatchesScikitLearn) {
  const Case& c = GetParam();
  const Matrix x = Load(c.name + "_X");
  const Matrix z = Load(c.name + "_Z");
  std::unique_ptr<Estimator> est = c.make();
  if (c.fit) {
    ECLIPSERA_ASSERT_OK(c.fit(*est, x));
  } else {
    ECLIPSERA_ASSERT_OK(est->Fit(x));
  }
  for (const auto& [attribute, get] : c.attributes) {
    ExpectNear(get(*est), Load(c.name + "_" + attribute), 1e-12, attribute);
  }
  absl::StatusOr<Matrix> t = est->Transform(z);
  ECLIPSERA_ASSERT_OK(t);
  ExpectNear(*t, Load(c.name + "_transform"), 1e-12, "transform");
  absl::StatusOr<Matrix> tx = est->Transform(x);
  ECLIPSERA_ASSERT_OK(tx);
  ExpectNear(*tx, Load(c.name + "_fit_transform"), 1e-12, "fit_transform");
  if (c.inverse) {
    absl::StatusOr<Matrix> back = est->InverseTransform(*t);
    ECLIPSERA_ASSERT_OK(back);
    ExpectNear(*back, Load(c.name + "_inverse"), 1e-12, "inverse");
  }
}

template <class T>
std::function<std::unique_ptr<Estimator>()> Make(ParamMap params = {}) {
  return [params] {
    auto est = std::make_unique<T>();
    absl::Status s = est->SetParams(params);
    EXPECT_TRUE(s.ok()) << s;
    return est;
  };
}

std::vector<std::pair<std::string, std::function<Matrix(const Estimator&)>>>
StandardAttributes() {
  using S = StandardScaler;
  return {{"mean", [](const Estimator& e) { return Row(As<S>(e).mean()); }},
          {"var", [](const Estimator& e) { return Row(As<S>(e).var()); }},
          {"scale", [](const Estimator& e) { return Row(As<S>(e).scale()); }},
          {"n_samples_seen", [](const Estimator& e) {
             return Matrix::Constant(1, 1, As<S>(e).n_samples_seen());
           }}};
}

// A vector attribute that is None in scikit-learn is written as one NaN.
Matrix RowOrNone(const Vector& v) {
  return v.size() == 0 ? Matrix::Constant(1, 1, kNaN) : Row(v);
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  auto standard = StandardAttributes();
  for (auto& a : standard) {
    auto get = a.second;
    a.second = [get](const Estimator& e) {
      const Matrix m = get(e);
      return m.size() == 0 ? Matrix::Constant(1, 1, kNaN) : m;
    };
  }
  cases.push_back({"standard_default", Make<StandardScaler>(), {}, standard});
  cases.push_back({"standard_constant", Make<StandardScaler>(), {}, standard});
  cases.push_back({"standard_no_mean",
                   Make<StandardScaler>({{"with_mean", false}}),
                   {},
                   standard});
  cases.push_back({"standard_no_std",
                   Make<StandardScaler>({{"with_std", false}}),
                   {},
                   standard});
  auto weights = [] { return Load("standard_weights"); };
  cases.push_back({"standard_weighted", Make<StandardScaler>(),
                   [weights](Estimator& e, const Matrix& x) {
                     const Matrix w = weights();
                     return e.Fit(x, {}, FitArgs{{w.data(), size_t(w.size())}});
                   },
                   standard});
  cases.push_back({"standard_partial", Make<StandardScaler>(),
                   [](Estimator& e, const Matrix& x) {
                     auto& s = static_cast<StandardScaler&>(e);
                     absl::Status st = s.PartialFit(x.topRows(7));
                     if (st.ok()) st = s.PartialFit(x.middleRows(7, 23));
                     if (st.ok()) st = s.PartialFit(x.bottomRows(10));
                     return st;
                   },
                   standard});
  cases.push_back(
      {"standard_partial_weighted", Make<StandardScaler>(),
       [weights](Estimator& e, const Matrix& x) {
         const Matrix w = weights();
         auto& s = static_cast<StandardScaler&>(e);
         absl::Status st = s.PartialFit(x.topRows(13), {w.data(), 13});
         if (st.ok()) {
           st = s.PartialFit(x.bottomRows(27), {w.data() + 13, 27});
         }
         return st;
       },
       standard});

  using MM = MinMaxScaler;
  const std::vector<
      std::pair<std::string, std::function<Matrix(const Estimator&)>>>
      minmax = {
          {"data_min",
           [](const Estimator& e) { return Row(As<MM>(e).data_min()); }},
          {"data_max",
           [](const Estimator& e) { return Row(As<MM>(e).data_max()); }},
          {"data_range",
           [](const Estimator& e) { return Row(As<MM>(e).data_range()); }},
          {"scale", [](const Estimator& e) { return Row(As<MM>(e).scale()); }},
          {"min", [](const Estimator& e) { return Row(As<MM>(e).min()); }},
          {"n_samples_seen", [](const Estimator& e) {
             return Matrix::Constant(1, 1, As<MM>(e).n_samples_seen());
           }}};
  auto batches = [](auto* typed) {
    return [](Estimator& e, const Matrix& x) {
      auto& s = static_cast<std::remove_pointer_t<decltype(typed)>&>(e);
      absl::Status st = s.PartialFit(x.topRows(7));
      if (st.ok()) st = s.PartialFit(x.middleRows(7, 23));
      if (st.ok()) st = s.PartialFit(x.bottomRows(10));
      return st;
    };
  };
  cases.push_back({"minmax_default", Make<MM>(), {}, minmax});
  cases.push_back({"minmax_range_clip",
                   Make<MM>({{"feature_range", std::vector<double>{-2, 3}},
                             {"clip", true}}),
                   {},
                   minmax,
                   false});
  cases.push_back({"minmax_partial",
                   Make<MM>({{"feature_range", std::vector<double>{-1, 0.5}}}),
                   batches(static_cast<MM*>(nullptr)), minmax});

  using MA = MaxAbsScaler;
  const std::vector<
      std::pair<std::string, std::function<Matrix(const Estimator&)>>>
      maxabs = {
          {"max_abs",
           [](const Estimator& e) { return Row(As<MA>(e).max_abs()); }},
          {"scale", [](const Estimator& e) { return Row(As<MA>(e).scale()); }},
          {"n_samples_seen", [](const Estimator& e) {
             return Matrix::Constant(1, 1, As<MA>(e).n_samples_seen());
           }}};
  cases.push_back({"maxabs_default", Make<MA>(), {}, maxabs});
  cases.push_back({"maxabs_partial", Make<MA>(),
                   batches(static_cast<MA*>(nullptr)), maxabs});

  using RS = RobustScaler;
  const std::vector<
      std::pair<std::string, std::function<Matrix(const Estimator&)>>>
      robust = {
          {"center",
           [](const Estimator& e) { return RowOrNone(As<RS>(e).center()); }},
          {"scale",
           [](const Estimator& e) { return RowOrNone(As<RS>(e).scale()); }}};
  cases.push_back({"robust_default", Make<RS>(), {}, robust});
  cases.push_back({"robust_odd", Make<RS>(), {}, robust});
  cases.push_back({"robust_unit_variance",
                   Make<RS>({{"quantile_range", std::vector<double>{10, 90}},
                             {"unit_variance", true}}),
                   {},
                   robust});
  cases.push_back(
      {"robust_uneven",
       Make<RS>({{"quantile_range", std::vector<double>{3.3, 77.7}}}),
       {},
       robust});
  cases.push_back({"robust_no_centering",
                   Make<RS>({{"with_centering", false}}),
                   {},
                   robust});
  cases.push_back(
      {"robust_no_scaling", Make<RS>({{"with_scaling", false}}), {}, robust});

  for (const char* norm : {"l1", "l2", "max"}) {
    cases.push_back({std::string("normalizer_") + norm,
                     Make<Normalizer>({{"norm", std::string(norm)}}),
                     {},
                     {},
                     false});
  }

  using PF = PolynomialFeatures;
  const std::vector<
      std::pair<std::string, std::function<Matrix(const Estimator&)>>>
      poly = {{"powers", [](const Estimator& e) { return As<PF>(e).powers(); }},
              {"n_output_features", [](const Estimator& e) {
                 return Matrix::Constant(
                     1, 1, static_cast<double>(As<PF>(e).n_output_features()));
               }}};
  cases.push_back({"poly_default", Make<PF>(), {}, poly, false});
  cases.push_back(
      {"poly_cubic", Make<PF>({{"degree", int64_t{3}}}), {}, poly, false});
  cases.push_back({"poly_interaction",
                   Make<PF>({{"degree", int64_t{3}},
                             {"interaction_only", true},
                             {"include_bias", false}}),
                   {},
                   poly,
                   false});
  cases.push_back({"poly_range",
                   Make<PF>({{"degree", std::vector<double>{2, 3}}}),
                   {},
                   poly,
                   false});
  cases.push_back({"poly_range_nobias",
                   Make<PF>({{"degree", std::vector<double>{2, 4}},
                             {"include_bias", false}}),
                   {},
                   poly,
                   false});

  using SI = SimpleImputer;
  const std::vector<
      std::pair<std::string, std::function<Matrix(const Estimator&)>>>
      imputer = {{"statistics", [](const Estimator& e) {
                    return Row(As<SI>(e).statistics());
                  }}};
  for (const char* strategy : {"mean", "median", "most_frequent", "constant"}) {
    ParamMap p = {{"strategy", std::string(strategy)}};
    if (std::string(strategy) == "constant") p["fill_value"] = 7.5;
    cases.push_back(
        {std::string("imputer_") + strategy, Make<SI>(p), {}, imputer, false});
    cases.push_back({std::string("imputer_") + strategy + "_indicator_keep",
                     Make<SI>({{"strategy", std::string(strategy)},
                               {"add_indicator", true},
                               {"keep_empty_features", true}}),
                     {},
                     imputer,
                     false});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(ScikitLearn, GoldenTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return i.param.name;
                         });

Matrix Small() {
  Matrix x(5, 2);
  x << 1, 2, 3, 4, 5, 7, 0, 1, 2, 2;
  return x;
}

TEST(StandardScalerTest, PartialFitEqualsFitAndChecksColumns) {
  const Matrix x = Small();
  StandardScaler whole, parts;
  ECLIPSERA_ASSERT_OK(whole.Fit(x));
  ECLIPSERA_ASSERT_OK(parts.PartialFit(x.topRows(2)));
  ECLIPSERA_ASSERT_OK(parts.PartialFit(x.bottomRows(3)));
  EXPECT_NEAR((whole.mean() - parts.mean()).cwiseAbs().maxCoeff(), 0, 1e-14);
  EXPECT_NEAR((whole.var() - parts.var()).cwiseAbs().maxCoeff(), 0, 1e-14);
  EXPECT_EQ(parts.n_samples_seen(), 5.0);
  EXPECT_THAT(
      parts.PartialFit(Matrix::Ones(3, 3)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feature")));
  // A failed batch leaves the statistics as they were.
  EXPECT_TRUE(parts.fitted());
  EXPECT_EQ(parts.n_samples_seen(), 5.0);
}

// A batch whose weighted sums overflow is refused and changes nothing.
TEST(StandardScalerTest, OverflowingBatchLeavesTheStatisticsAlone) {
  StandardScaler s;
  Matrix a(2, 1);
  a << 1, 2;
  ECLIPSERA_ASSERT_OK(s.Fit(a));
  Matrix b(1, 1);
  b << 1e10;
  const std::vector<double> huge = {1e300};
  EXPECT_THAT(
      s.PartialFit(b, huge),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflow")));
  EXPECT_TRUE(s.fitted());
  EXPECT_EQ(s.n_samples_seen(), 2.0);
  EXPECT_EQ(s.mean()(0), 1.5);
}

TEST(StandardScalerTest, BadWeightsAreRefused) {
  const Matrix x = Small();
  StandardScaler s;
  std::vector<double> negative = {1, 1, -1, 1, 1};
  EXPECT_THAT(s.Fit(x, {}, FitArgs{negative}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sample_weight[2] = -1")));
  std::vector<double> zeros(5, 0.0);
  EXPECT_THAT(
      s.Fit(x, {}, FitArgs{zeros}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sums to 0")));
  EXPECT_FALSE(s.fitted());
}

TEST(ScalersTest, TransformOverflowIsAnErrorNotInfinity) {
  // A feature with a tiny (but non-constant) spread, then data far away.
  Matrix x(3, 1);
  x << 0, 1e-160, 2e-160;
  StandardScaler m;
  ECLIPSERA_ASSERT_OK(m.Fit(x));
  Matrix far(1, 1);
  far << 1e150;
  EXPECT_THAT(m.Transform(far),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("overflows double precision")));
}

TEST(ScalersTest, ParameterErrorsNameTheProblem) {
  const Matrix x = Small();
  MinMaxScaler mm;
  ECLIPSERA_ASSERT_OK(
      mm.SetParams({{"feature_range", std::vector<double>{1, 1}}}));
  EXPECT_THAT(mm.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("must be smaller than")));
  EXPECT_THAT(mm.SetParams({{"feature_range", std::vector<double>{1, 2, 3}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pair of numbers")));
  RobustScaler rs;
  ECLIPSERA_ASSERT_OK(
      rs.SetParams({{"quantile_range", std::vector<double>{80, 20}}}));
  EXPECT_THAT(rs.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("invalid quantile_range")));
  ECLIPSERA_ASSERT_OK(
      rs.SetParams({{"quantile_range", std::vector<double>{0, 100}},
                    {"unit_variance", true}}));
  EXPECT_THAT(rs.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("unit_variance")));
  Normalizer n;
  EXPECT_THAT(n.SetParams({{"norm", std::string("l3")}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'l1', 'l2', 'max'")));
  PolynomialFeatures p;
  ECLIPSERA_ASSERT_OK(p.SetParams({{"degree", int64_t{-1}}}));
  EXPECT_THAT(p.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("degree = -1")));
  ECLIPSERA_ASSERT_OK(
      p.SetParams({{"degree", int64_t{0}}, {"include_bias", false}}));
  EXPECT_THAT(p.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("empty output")));
  ECLIPSERA_ASSERT_OK(
      p.SetParams({{"degree", int64_t{1000000000}}, {"include_bias", true}}));
  EXPECT_THAT(p.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("lower degree")));
  EXPECT_FALSE(p.fitted());
}

// Review findings: degree 0 is the bias column alone (scikit-learn gives
// [[1], [1]]); a huge degree on one feature is refused at once.
TEST(PolynomialFeaturesTest, DegreeZeroAndHugeDegrees) {
  PolynomialFeatures p;
  ECLIPSERA_ASSERT_OK(p.SetParams({{"degree", int64_t{0}}}));
  absl::StatusOr<Matrix> t = p.FitTransform(Small());
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_EQ(*t, Matrix::Ones(5, 1));
  Matrix one(3, 1);
  one << 1, 2, 3;
  ECLIPSERA_ASSERT_OK(p.SetParams({{"degree", int64_t{1000000000}}}));
  EXPECT_THAT(p.Fit(one), StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("lower degree")));
  // A large but possible degree is counted in linear time.
  ECLIPSERA_ASSERT_OK(p.SetParams({{"degree", int64_t{200000}}}));
  ECLIPSERA_ASSERT_OK(p.Fit(one));
  EXPECT_EQ(p.n_output_features(), 200001);
}

TEST(PolynomialFeaturesTest, OverflowingProductsAreAnError) {
  Matrix x(2, 1);
  x << 1e120, 2.0;
  PolynomialFeatures p;
  ECLIPSERA_ASSERT_OK(p.SetParams({{"degree", int64_t{3}}}));
  EXPECT_THAT(p.FitTransform(x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("row 0, column 3 overflows")));
  EXPECT_FALSE(p.fitted());
}

TEST(SimpleImputerTest, NaNIsMissingInfinityIsRefused) {
  Matrix x = Small();
  x(1, 0) = kNaN;
  SimpleImputer imp;
  ECLIPSERA_ASSERT_OK(imp.Fit(x));
  EXPECT_DOUBLE_EQ(imp.statistics()(0), (1 + 5 + 0 + 2) / 4.0);
  absl::StatusOr<Matrix> t = imp.Transform(x);
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_DOUBLE_EQ((*t)(1, 0), 2.0);
  x(2, 1) = std::numeric_limits<double>::infinity();
  EXPECT_THAT(imp.Transform(x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("infinite value (inf) at row 2, column 1")));
  EXPECT_THAT(imp.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("only NaN marks a missing")));
  EXPECT_FALSE(imp.fitted());
}

TEST(SimpleImputerTest, EmptyFeaturesAreDroppedWithAWarningOrAllMissingFails) {
  Matrix x = Small();
  x.col(1).setConstant(kNaN);
  SimpleImputer imp;
  ECLIPSERA_ASSERT_OK(imp.Fit(x));
  EXPECT_EQ(imp.n_features_out(), 1);
  ASSERT_EQ(imp.warnings().size(), 1u);
  EXPECT_THAT(imp.warnings()[0],
              HasSubstr("Skipping features without any observed values: [1]"));
  const Matrix all_missing = Matrix::Constant(3, 2, kNaN);
  EXPECT_THAT(imp.Fit(all_missing),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("every feature of X is missing")));
  ECLIPSERA_ASSERT_OK(imp.SetParams({{"strategy", std::string("constant")}}));
  absl::StatusOr<Matrix> t = imp.FitTransform(all_missing);
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_EQ(*t, Matrix::Zero(3, 2));
}

TEST(NormalQuantileTest, MatchesScipy) {
  // scipy.stats.norm.ppf.
  EXPECT_NEAR(NormalQuantile(0.75), 0.6744897501960817, 1e-15);
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-15);
  EXPECT_NEAR(NormalQuantile(0.001), -3.090232306167813, 1e-14);
  EXPECT_NEAR(NormalQuantile(1e-10), -6.361340902404056, 1e-13);
  EXPECT_EQ(NormalQuantile(0.5), 0.0);
}

}  // namespace
}  // namespace eclipsera::preprocessing
