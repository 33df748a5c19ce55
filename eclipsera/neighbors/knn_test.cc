// KNeighborsClassifier and KNeighborsRegressor against scikit-learn 1.2
// (testdata/generate_knn.py), and their bad input.
#include "eclipsera/neighbors/knn.h"

#include <string>
#include <vector>

#include "eclipsera/core/testing.h"
#include "eclipsera/testing/golden.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::neighbors {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

Matrix Load(const std::string& name) {
  return ::eclipsera::testing::LoadGolden("eclipsera/neighbors/testdata/knn_" +
                                          name + ".csv");
}

std::vector<double> Flat(const Matrix& m) {
  return std::vector<double>(m.data(), m.data() + m.size());
}

void Check(Estimator& est, const std::string& name, bool classifier) {
  const Matrix x = Load(name + "_X"), z = Load(name + "_Z");
  for (int n_jobs : {1, 2}) {
    ECLIPSERA_ASSERT_OK(est.SetParams({{"n_jobs", int64_t{n_jobs}}}));
    ECLIPSERA_ASSERT_OK(est.Fit(x, Flat(Load(name + "_y"))));
    absl::StatusOr<Vector> p = est.Predict(z);
    ECLIPSERA_ASSERT_OK(p);
    const Matrix expected = Load(name + "_predict");
    if (classifier) {
      EXPECT_EQ(Matrix(*p), expected) << name;
      absl::StatusOr<Matrix> proba = est.PredictProba(z);
      ECLIPSERA_ASSERT_OK(proba);
      EXPECT_LE((*proba - Load(name + "_proba")).cwiseAbs().maxCoeff(), 1e-12)
          << name;
    } else {
      EXPECT_LE((Matrix(*p) - expected).cwiseAbs().maxCoeff(),
                1e-10 * expected.cwiseAbs().maxCoeff())
          << name;
    }
  }
}

TEST(KNeighborsTest, MatchesScikitLearn) {
  KNeighborsClassifier uniform;
  Check(uniform, "clf_uniform", true);
  KNeighborsOptions o;
  o.n_neighbors = 7;
  o.weights = "distance";
  o.p = 1.0;
  KNeighborsClassifier distance(o);
  Check(distance, "clf_distance_p1", true);
  KNeighborsOptions four;
  four.n_neighbors = 4;
  KNeighborsClassifier brute(four);
  Check(brute, "clf_brute", true);
  KNeighborsRegressor reg;
  Check(reg, "reg_uniform", false);
  KNeighborsOptions r;
  r.n_neighbors = 3;
  r.weights = "distance";
  r.algorithm = "brute";
  KNeighborsRegressor reg_distance(r);
  Check(reg_distance, "reg_distance", false);
}

TEST(KNeighborsTest, ZeroDistanceTakesAllTheWeight) {
  Matrix x(4, 1);
  x << 0, 1, 2, 10;
  KNeighborsOptions o;
  o.n_neighbors = 3;
  o.weights = "distance";
  KNeighborsRegressor reg(o);
  ECLIPSERA_ASSERT_OK(reg.Fit(x, std::vector<double>{5, 7, 9, 100}));
  Matrix q(1, 1);
  q << 1;
  absl::StatusOr<Vector> p = reg.Predict(q);
  ECLIPSERA_ASSERT_OK(p);
  EXPECT_EQ((*p)(0), 7.0);
}

// A subnormal distance makes 1 / distance infinite: that neighbour takes
// all the weight (scikit-learn: proba [[1, 0]]), not NaN.
TEST(KNeighborsTest, SubnormalDistanceTakesAllTheWeight) {
  Matrix x(2, 1);
  x << 0, 1;
  KNeighborsOptions o;
  o.n_neighbors = 2;
  o.weights = "distance";
  o.metric = "manhattan";
  KNeighborsClassifier clf(o);
  ECLIPSERA_ASSERT_OK(clf.Fit(x, std::vector<double>{0, 1}));
  Matrix q(1, 1);
  q << 1e-320;
  absl::StatusOr<Matrix> p = clf.PredictProba(q);
  ECLIPSERA_ASSERT_OK(p);
  EXPECT_EQ((*p)(0, 0), 1.0);
  EXPECT_EQ((*p)(0, 1), 0.0);
}

TEST(KNeighborsTest, BadInputNamesTheProblem) {
  Matrix x(4, 2);
  x << 0, 0, 1, 1, 2, 2, 3, 3;
  KNeighborsClassifier clf;  // n_neighbors = 5 > 4 samples
  EXPECT_THAT(clf.Fit(x, std::vector<double>{0, 1, 0, 1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("n_neighbors = 5; expected 1 <= n_neighbors "
                                 "<= n_samples_fit, the number of training "
                                 "samples (n_samples = 4)")));
  ECLIPSERA_ASSERT_OK(clf.SetParams({{"n_neighbors", int64_t{2}}, {"p", 3.0}}));
  EXPECT_THAT(clf.Fit(x, std::vector<double>{0, 1, 0, 1}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("p = 3")));
  ECLIPSERA_ASSERT_OK(clf.SetParams({{"p", 2.0}}));
  EXPECT_THAT(clf.Fit(x, std::vector<double>{2, 2, 2, 2}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("at least 2 classes")));
  ECLIPSERA_ASSERT_OK(clf.Fit(x, std::vector<double>{0, 1, 0, 1}));
  EXPECT_THAT(
      clf.Predict(Matrix::Ones(2, 3)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feature")));
}

}  // namespace
}  // namespace eclipsera::neighbors
