// TruncatedSVD against scikit-learn 1.2 (testdata/generate_truncated_svd.py)
// and its bad input.
#include "eclipsera/decomposition/truncated_svd.h"

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
  return ::eclipsera::testing::LoadGolden(
      "eclipsera/decomposition/testdata/tsvd_" + name + ".csv");
}

Matrix Row(const Vector& v) { return Matrix(v.transpose()); }

struct Case {
  std::string name;
  TruncatedSVDOptions options;
};

class TruncatedSVDGoldenTest : public ::testing::TestWithParam<Case> {};

TEST_P(TruncatedSVDGoldenTest, MatchesScikitLearn) {
  const Case& c = GetParam();
  const Matrix x = Load(c.name + "_X");
  TruncatedSVD svd(c.options);
  absl::StatusOr<Matrix> t = svd.FitTransform(x);
  ECLIPSERA_ASSERT_OK(t);
  const auto check = [&](const Matrix& ours, const std::string& what) {
    const Matrix golden = Load(c.name + "_" + what);
    ASSERT_EQ(ours.rows(), golden.rows()) << what;
    ASSERT_EQ(ours.cols(), golden.cols()) << what;
    const double scale = std::max(1.0, golden.cwiseAbs().maxCoeff());
    EXPECT_LE((ours - golden).cwiseAbs().maxCoeff(), 1e-8 * scale)
        << c.name << " " << what;
  };
  // Signs follow scikit-learn's svd_flip, so components compare directly.
  check(svd.components(), "components");
  check(Row(svd.explained_variance()), "explained_variance");
  check(Row(svd.explained_variance_ratio()), "explained_variance_ratio");
  check(Row(svd.singular_values()), "singular_values");
  check(*t, "transform");
  absl::StatusOr<Matrix> again = svd.Transform(x);
  ECLIPSERA_ASSERT_OK(again);
  check(*again, "transform");
  absl::StatusOr<Matrix> inverse = svd.InverseTransform(*t);
  ECLIPSERA_ASSERT_OK(inverse);
  check(*inverse, "inverse");
}

TruncatedSVDOptions Options(int k, const std::string& algorithm, int n_iter = 5,
                            int n_oversamples = 10) {
  TruncatedSVDOptions o;
  o.n_components = k;
  o.algorithm = algorithm;
  o.n_iter = n_iter;
  o.n_oversamples = n_oversamples;
  o.random_state = 0;
  return o;
}

INSTANTIATE_TEST_SUITE_P(
    Golden, TruncatedSVDGoldenTest,
    ::testing::Values(Case{"tall_randomized", Options(3, "randomized")},
                      Case{"tall_arpack", Options(3, "arpack")},
                      Case{"wide_randomized", Options(5, "randomized", 7, 4)},
                      Case{"wide_arpack", Options(5, "arpack")},
                      Case{"counts_arpack", Options(4, "arpack")}),
    [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; });

TEST(TruncatedSVDTest, DoesNotCentre) {
  // A constant offset is the leading direction of the uncentred data.
  Matrix x = Matrix::Constant(20, 3, 5.0);
  for (Index i = 0; i < 20; ++i) x(i, 0) += 0.01 * static_cast<double>(i % 4);
  TruncatedSVD svd(Options(1, "arpack"));
  ECLIPSERA_ASSERT_OK(svd.Fit(x));
  for (Index j = 0; j < 3; ++j) {
    EXPECT_NEAR(svd.components()(0, j), 1.0 / std::sqrt(3.0), 1e-2);
  }
}

TEST(TruncatedSVDTest, MoreComponentsThanSamplesGivesNSamples) {
  // scikit-learn's randomized_svd keeps min(n_components, n_samples).
  Matrix x(4, 6);
  x << 1, 2, 0, 1, 3, 1, 0, 1, 5, 2, 1, 0, 3, 1, 1, 0, 2, 4, 2, 0, 1, 3, 1, 1;
  TruncatedSVD svd(Options(5, "randomized"));
  absl::StatusOr<Matrix> t = svd.FitTransform(x);
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_EQ(svd.components().rows(), 4);
  EXPECT_EQ(t->cols(), 4);
  absl::StatusOr<Matrix> back = svd.InverseTransform(*t);
  ECLIPSERA_ASSERT_OK(back);
  EXPECT_LE((*back - x).cwiseAbs().maxCoeff(), 1e-10);  // full rank kept
}

TEST(TruncatedSVDTest, BadInputIsRefusedClearly) {
  const Matrix x = Load("tall_randomized_X");
  EXPECT_THAT(TruncatedSVD(Options(12, "arpack")).Fit(x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must be < min(n_samples, n_features) = 12")));
  EXPECT_THAT(TruncatedSVD(Options(13, "randomized")).Fit(x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("n_features = 12")));
  EXPECT_THAT(TruncatedSVD(Options(0, "randomized")).Fit(x),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(">= 1")));
  EXPECT_THAT(
      TruncatedSVD(Options(2, "randomized", -1)).Fit(x),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("n_iter >= 0")));
  EXPECT_THAT(TruncatedSVD(Options(2, "randomized", 5, 0)).Fit(x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("n_oversamples >= 1")));
  EXPECT_THAT(TruncatedSVD(Options(1, "lanczos")).Fit(x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("allowed: 'randomized', 'arpack'")));
  TruncatedSVD svd;
  EXPECT_THAT(
      svd.Fit(x.leftCols(1)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1 feature(s)")));
  Matrix nan = x;
  nan(3, 2) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(svd.Fit(nan),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("X")));
  EXPECT_FALSE(svd.fitted());
  ECLIPSERA_ASSERT_OK(svd.Fit(x));
  EXPECT_THAT(svd.Transform(x.leftCols(5)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("X")));
  EXPECT_THAT(svd.InverseTransform(x.leftCols(5)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("X")));
}

TEST(TruncatedSVDTest, SameSeedSameResult) {
  const Matrix x = Load("wide_randomized_X");
  TruncatedSVD a(Options(3, "randomized")), b(Options(3, "randomized"));
  ECLIPSERA_ASSERT_OK(a.Fit(x));
  ECLIPSERA_ASSERT_OK(b.Fit(x));
  EXPECT_EQ(a.components(), b.components());
}

}  // namespace
}  // namespace eclipsera::decomposition
