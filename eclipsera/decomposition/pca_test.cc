// PCA against scikit-learn 1.2 (testdata/generate_pca.py).
#include "eclipsera/decomposition/pca.h"

#include <string>

#include "eclipsera/core/testing.h"
#include "eclipsera/testing/golden.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::decomposition {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

Matrix Load(const std::string& name) {
  return ::eclipsera::testing::LoadGolden("eclipsera/decomposition/testdata/" +
                                          name);
}

double MaxAbsDiff(const Matrix& a, const Matrix& b) {
  EXPECT_EQ(a.rows(), b.rows());
  EXPECT_EQ(a.cols(), b.cols());
  if (a.rows() != b.rows() || a.cols() != b.cols()) return 1e300;
  return (a - b).cwiseAbs().maxCoeff();
}

Matrix Row(const Vector& v) { return Matrix(v.transpose()); }

struct Case {
  std::string name;
  PCAOptions options;
  std::string solver;
  double tol;  // relative to the largest magnitude of each array
};

class PCAGoldenTest : public ::testing::TestWithParam<Case> {};

TEST_P(PCAGoldenTest, MatchesScikitLearn) {
  const Case& c = GetParam();
  const std::string base = "pca_" + c.name + "_";
  const Matrix x = Load(base + "X.csv");
  PCA pca(c.options);
  absl::StatusOr<Matrix> t = pca.FitTransform(x);
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_EQ(pca.solver_used(), c.solver);
  const Matrix scalars = Load(base + "scalars.csv");
  ASSERT_EQ(pca.n_components_fitted(), static_cast<Index>(scalars(0, 0)));
  const auto check = [&](const Matrix& ours, const std::string& what) {
    const Matrix golden = Load(base + what + ".csv");
    const double scale = std::max(1.0, golden.cwiseAbs().maxCoeff());
    EXPECT_LE(MaxAbsDiff(ours, golden), c.tol * scale) << c.name << " " << what;
  };
  // Signs follow scikit-learn's svd_flip, so components compare directly.
  check(pca.components(), "components");
  check(Row(pca.explained_variance()), "explained_variance");
  check(Row(pca.explained_variance_ratio()), "explained_variance_ratio");
  check(Row(pca.singular_values()), "singular_values");
  check(Row(pca.mean()), "mean");
  check(*t, "transform");
  absl::StatusOr<Matrix> back = pca.InverseTransform(*t);
  ECLIPSERA_ASSERT_OK(back);
  check(*back, "inverse");
  EXPECT_NEAR(pca.noise_variance(), scalars(0, 1),
              c.tol * std::max(1.0, scalars(0, 1)));
  // Transform of the training data equals FitTransform's result.
  absl::StatusOr<Matrix> again = pca.Transform(x);
  ECLIPSERA_ASSERT_OK(again);
  EXPECT_LE(MaxAbsDiff(*again, *t),
            1e-12 * std::max(1.0, t->cwiseAbs().maxCoeff()));
}

PCAOptions Opts(std::optional<int64_t> k, std::optional<double> ratio = {},
                bool whiten = false) {
  PCAOptions o;
  o.n_components = k;
  o.n_components_ratio = ratio;
  o.whiten = whiten;
  o.random_state = 0;
  return o;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PCAGoldenTest,
    ::testing::Values(Case{"tall_none", Opts({}), "full", 1e-10},
                      Case{"tall_int", Opts(3), "full", 1e-10},
                      Case{"tall_whiten", Opts(4, {}, true), "full", 1e-10},
                      Case{"tall_fraction", Opts({}, 0.9), "full", 1e-10},
                      Case{"wide_int", Opts(5), "full", 1e-10},
                      // scikit-learn's own random draws differ from ours;
                      // both match the exact decomposition closely.
                      // 'auto' on tall data: the covariance's exact
                      // eigendecomposition (scikit-learn 1.2 ran its
                      // randomized solver, which converged to 1e-7).
                      Case{"low_auto", Opts(3), "covariance_eigh", 1e-7}),
    [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; });

TEST(PCATest, ParametersAsScikitLearn) {
  PCA pca;
  ECLIPSERA_ASSERT_OK(pca.SetParams({{"n_components", int64_t{2}}}));
  EXPECT_EQ(pca.options().n_components, 2);
  ECLIPSERA_ASSERT_OK(pca.SetParams({{"n_components", 0.95}}));
  EXPECT_FALSE(pca.options().n_components.has_value());
  EXPECT_EQ(pca.options().n_components_ratio, 0.95);
  EXPECT_EQ(std::get<double>(pca.GetParams().at("n_components")), 0.95);
  EXPECT_THAT(pca.SetParams({{"n_components", 1.5}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must be in (0, 1)")));
  EXPECT_THAT(pca.SetParams({{"svd_solver", std::string("arpack")}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("allowed: 'auto', 'full', 'covariance_eigh', "
                                 "'randomized'")));
  ECLIPSERA_ASSERT_OK(pca.SetParams({{"n_components", ParamValue()}}));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(
      pca.GetParams().at("n_components")));
}

TEST(PCATest, BadInputAndOptions) {
  const Matrix x = Load("pca_tall_int_X.csv");
  PCA too_many(Opts(7));
  EXPECT_THAT(too_many.Fit(x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("n_components = 7 must be between 1 and "
                                 "min(n_samples, n_features) = 6")));
  PCAOptions o = Opts({}, 0.5);
  o.svd_solver = "randomized";
  EXPECT_THAT(PCA(o).Fit(x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("needs n_components as an int")));
  EXPECT_THAT(
      PCA().Fit(x.topRows(1)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least 2")));
  // Whitening a component without variance would divide by zero.
  const Matrix constant = Matrix::Constant(5, 3, 2.5);
  EXPECT_THAT(PCA(Opts(1, {}, true)).Fit(constant),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("component 0 has no variance")));
  ECLIPSERA_EXPECT_OK(PCA(Opts(1)).Fit(constant));
  PCA ok(Opts(2));
  ECLIPSERA_ASSERT_OK(ok.Fit(x));
  EXPECT_THAT(
      ok.Transform(Matrix::Ones(3, 5)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feature")));
  EXPECT_THAT(
      ok.InverseTransform(Matrix::Ones(3, 3)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feature")));
}

// The randomized solver agrees with the exact one on a decaying spectrum,
// and a fixed random_state makes it reproducible.
TEST(PCATest, RandomizedMatchesFull) {
  const Matrix x = Load("pca_low_auto_X.csv");
  PCAOptions full = Opts(3);
  full.svd_solver = "full";
  PCAOptions randomized = Opts(3);
  randomized.svd_solver = "randomized";
  PCA a(full), b(randomized), c(randomized);
  ECLIPSERA_ASSERT_OK(a.Fit(x));
  ECLIPSERA_ASSERT_OK(b.Fit(x));
  ECLIPSERA_ASSERT_OK(c.Fit(x));
  EXPECT_EQ(b.components(), c.components());
  EXPECT_LE(MaxAbsDiff(a.components(), b.components()), 1e-8);
  EXPECT_LE(
      MaxAbsDiff(Row(a.explained_variance()), Row(b.explained_variance())),
      1e-8 * a.explained_variance()(0));
  EXPECT_NEAR(a.noise_variance(), b.noise_variance(),
              1e-6 * a.noise_variance());
  // The covariance solver is exact: it agrees with the SVD to rounding,
  // and does not depend on the threads.
  PCAOptions cov = Opts(3);
  cov.svd_solver = "covariance_eigh";
  PCA e(cov);
  ECLIPSERA_ASSERT_OK(e.Fit(x));
  EXPECT_EQ(e.solver_used(), "covariance_eigh");
  EXPECT_LE(MaxAbsDiff(a.components(), e.components()), 1e-9);
  EXPECT_LE(
      MaxAbsDiff(Row(a.explained_variance()), Row(e.explained_variance())),
      1e-11 * a.explained_variance()(0));
  EXPECT_LE(MaxAbsDiff(Row(a.singular_values()), Row(e.singular_values())),
            1e-10 * a.singular_values()(0));
  EXPECT_NEAR(a.noise_variance(), e.noise_variance(),
              1e-8 * a.noise_variance());
  // A fraction of the variance picks the same count as the full solver.
  PCAOptions cov_ratio = Opts({}, 0.9);
  cov_ratio.svd_solver = "covariance_eigh";
  PCAOptions full_ratio = Opts({}, 0.9);
  full_ratio.svd_solver = "full";
  PCA f(cov_ratio), g(full_ratio);
  ECLIPSERA_ASSERT_OK(f.Fit(x));
  ECLIPSERA_ASSERT_OK(g.Fit(x));
  EXPECT_EQ(f.n_components_fitted(), g.n_components_fitted());
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix ta, a.Transform(x));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix te, e.Transform(x));
  EXPECT_LE(MaxAbsDiff(ta, te), 1e-9 * ta.cwiseAbs().maxCoeff());
}

}  // namespace
}  // namespace eclipsera::decomposition
