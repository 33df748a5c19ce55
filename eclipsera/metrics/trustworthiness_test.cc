#include "eclipsera/metrics/trustworthiness.h"

#include <cmath>
#include <limits>

#include "eclipsera/core/testing.h"
#include "eclipsera/testing/golden.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::metrics {
namespace {

using ::eclipsera::testing::LoadGolden;
using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

TEST(TrustworthinessTest, MatchesScikitLearn) {
  const Matrix x = LoadGolden("eclipsera/metrics/testdata/trust_x.csv");
  const Matrix y = LoadGolden("eclipsera/metrics/testdata/trust_y.csv");
  const Matrix expected =
      LoadGolden("eclipsera/metrics/testdata/trust_expected.csv");
  ASSERT_EQ(x.rows(), 80);
  ASSERT_EQ(expected.rows(), 3);
  for (Index r = 0; r < expected.rows(); ++r) {
    const int k = static_cast<int>(expected(r, 0));
    absl::StatusOr<double> t = Trustworthiness(x, y, k);
    ECLIPSERA_ASSERT_OK(t);
    EXPECT_NEAR(*t, expected(r, 1), 1e-12) << "k = " << k;
  }
}

TEST(TrustworthinessTest, PrecomputedMatchesEuclidean) {
  const Matrix x = LoadGolden("eclipsera/metrics/testdata/trust_x.csv");
  const Matrix y = LoadGolden("eclipsera/metrics/testdata/trust_y.csv");
  const Index n = x.rows();
  Matrix d(n, n);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) d(i, j) = (x.row(i) - x.row(j)).norm();
  }
  absl::StatusOr<double> a = Trustworthiness(x, y, 5);
  absl::StatusOr<double> b = Trustworthiness(d, y, 5, "precomputed");
  ECLIPSERA_ASSERT_OK(a);
  ECLIPSERA_ASSERT_OK(b);
  EXPECT_NEAR(*a, *b, 1e-12);
}

TEST(TrustworthinessTest, PerfectEmbeddingIsOne) {
  Matrix x(10, 2);
  for (int i = 0; i < 10; ++i) {
    x(i, 0) = i * i;
    x(i, 1) = 0.5 * i;
  }
  absl::StatusOr<double> t = Trustworthiness(x, x, 3);
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_DOUBLE_EQ(*t, 1.0);
}

TEST(TrustworthinessTest, BadInput) {
  Matrix x = Matrix::Random(10, 3);
  Matrix y = Matrix::Random(9, 2);
  EXPECT_THAT(Trustworthiness(x, y, 2),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("X_embedded has 9")));
  Matrix y10 = Matrix::Random(10, 2);
  EXPECT_THAT(Trustworthiness(x, y10, 5),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("less than n_samples / 2")));
  EXPECT_THAT(Trustworthiness(x, y10, 2, "cosine"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown metric")));
  x(3, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(Trustworthiness(x, y10, 2),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NaN")));
}

}  // namespace
}  // namespace eclipsera::metrics
