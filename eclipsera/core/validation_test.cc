#include "eclipsera/core/validation.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "eclipsera/core/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera {
namespace {

using ::eclipsera::testing::IsOk;
using ::eclipsera::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(ValidationTest, NamesFirstNonFiniteCell) {
  Matrix x = Matrix::Ones(4, 3);
  EXPECT_THAT(CheckFinite("KMeans::Fit", "X", x), IsOk());
  x(2, 1) = std::numeric_limits<double>::quiet_NaN();
  x(3, 0) = std::numeric_limits<double>::infinity();
  EXPECT_THAT(CheckFinite("KMeans::Fit", "X", x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("KMeans::Fit"), HasSubstr("NaN"),
                             HasSubstr("row 2, column 1"))));
  x(2, 1) = 0.0;
  EXPECT_THAT(CheckFinite("f", "X", x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("Inf"), HasSubstr("row 3, column 0"))));
}

TEST(ValidationTest, FindsNonFiniteInEveryColumnOfAWideRow) {
  // 19 columns: two blocks of eight and a tail, each position checked.
  for (Index c = 0; c < 19; ++c) {
    Matrix x = Matrix::Constant(3, 19, -1e300);
    EXPECT_THAT(CheckFinite("f", "X", x), IsOk());
    x(1, c) = -std::numeric_limits<double>::infinity();
    EXPECT_THAT(CheckFinite("f", "X", x),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(absl::StrCat("row 1, column ", c))));
  }
}

TEST(ValidationTest, LargeFiniteValuesAreFinite) {
  Matrix x(1, 2);
  x << 1e308, -1e308;
  EXPECT_THAT(CheckFinite("f", "X", x), IsOk());
}

TEST(ValidationTest, MagnitudeRuleNamesTheLargestValue) {
  // 1e150 / sqrt(d): 1e150 for one feature, 5e149 for four.
  EXPECT_DOUBLE_EQ(1e150, MaxMagnitude(1));
  EXPECT_DOUBLE_EQ(5e149, MaxMagnitude(4));
  Matrix x = Matrix::Ones(1000, 4);
  EXPECT_THAT(CheckData("KMeans::Fit", "X", x), IsOk());
  x(700, 2) = 4e149;  // below the limit for 4 features
  EXPECT_THAT(CheckData("KMeans::Fit", "X", x), IsOk());
  x(5, 3) = 1e155;
  x(900, 1) = -1e200;  // the largest magnitude is the one named
  EXPECT_THAT(CheckData("KMeans::Fit", "X", x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("KMeans::Fit"), HasSubstr("1e+200"),
                             HasSubstr("row 900, column 1"),
                             HasSubstr("5e+149"), HasSubstr("rescale"))));
  // Tiny magnitudes and denormals pass CheckData (see CheckNotTooSmall).
  Matrix tiny(3, 2);
  tiny << 1e-300, -1e-300, std::numeric_limits<double>::denorm_min(), 0.0,
      -4e-320, 1e-310;
  EXPECT_THAT(CheckData("f", "X", tiny), IsOk());
  // NaN is reported as NaN, not as a magnitude.
  tiny(1, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(CheckData("f", "X", tiny),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NaN")));
}

// Data whose largest |value| is below 1e-140 (but not all zero) would make
// squared distances underflow: refused for the distance-based estimators,
// naming the largest value.
TEST(ValidationTest, TooSmallForDistancesNamesTheLargestValue) {
  Matrix x(3, 2);
  x << 1e-300, -1e-300, std::numeric_limits<double>::denorm_min(), 0.0, -4e-300,
      1e-310;
  EXPECT_THAT(CheckNotTooSmall("KMeans::Fit", "X", x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("KMeans::Fit"), HasSubstr("4e-300"),
                             HasSubstr("row 2, column 0"), HasSubstr("1e-140"),
                             HasSubstr("rescale"))));
  EXPECT_THAT(CheckNotTooSmall("f", "X", Matrix::Zero(3, 2)), IsOk());
  x(1, 1) = 2e-140;  // one value at an ordinary scale is enough
  EXPECT_THAT(CheckNotTooSmall("f", "X", x), IsOk());
  x(1, 1) = 1.0;
  EXPECT_THAT(CheckNotTooSmall("f", "X", x), IsOk());
}

TEST(ValidationTest, VectorFinite) {
  std::vector<double> v = {1.0, 2.0, -std::numeric_limits<double>::infinity()};
  EXPECT_THAT(
      CheckFiniteValues("f", "sample_weight", v),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("sample_weight"), HasSubstr("index 2"))));
}

TEST(ValidationTest, EmptyAndTooFewSamples) {
  Matrix empty(0, 3);
  EXPECT_THAT(
      CheckData("TSNE::Fit", "X", empty),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty (0 x 3)")));
  Matrix one = Matrix::Zero(1, 2);
  EXPECT_THAT(CheckData("TSNE::Fit", "X", one, 2),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has 1 samples; need at least 2")));
  EXPECT_THAT(CheckData("TSNE::Fit", "X", one, 1), IsOk());
}

TEST(ValidationTest, Shapes) {
  Matrix x = Matrix::Zero(3, 2);
  EXPECT_THAT(CheckShape("f", "init", x, 3, 2), IsOk());
  EXPECT_THAT(CheckShape("f", "init", x, 3, 4),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("shape (3, 2); expected (3, 4)")));
  EXPECT_THAT(CheckColumns("KMeans::Predict", "X", x, 5),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has 2 features, but the estimator was "
                                 "fitted with 5")));
  EXPECT_THAT(CheckLength("f", "y", 4, 3),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("y has 4 entries but X has 3 samples")));
}

TEST(ValidationTest, Ranges) {
  EXPECT_THAT(CheckAtLeast("KMeans", "n_clusters", 0, 1),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("n_clusters = 0, must be >= 1")));
  EXPECT_THAT(CheckAtLeast("KMeans", "n_clusters", 1, 1), IsOk());
  EXPECT_THAT(CheckGreater("DBSCAN", "eps", 0.0, 0.0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("eps = 0, must be > 0")));
  EXPECT_THAT(CheckGreater("MeanShift", "bandwidth",
                           std::numeric_limits<double>::infinity(), 0.0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("bandwidth = inf, must be finite and > 0")));
  EXPECT_THAT(CheckGreater("DBSCAN", "eps",
                           std::numeric_limits<double>::quiet_NaN(), 0.0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("eps")));
  EXPECT_THAT(CheckInRange("TSNE", "angle", 1.5, 0.0, 1.0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("angle = 1.5, must be in [0, 1]")));
  const absl::string_view allowed[] = {"ward", "single"};
  EXPECT_THAT(
      CheckOneOf("Agglo", "linkage", "wrd", allowed),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("unknown linkage 'wrd'; allowed: ward, single")));
  EXPECT_THAT(CheckOneOf("Agglo", "linkage", "ward", allowed), IsOk());
}

TEST(ValidationTest, NotFitted) {
  EXPECT_THAT(NotFittedError("KMeans::Predict"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("KMeans::Predict: this estimator is not "
                                 "fitted")));
}

}  // namespace
}  // namespace eclipsera
