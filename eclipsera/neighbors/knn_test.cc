// KNeighborsClassifier and KNeighborsRegressor against scikit-learn 1.2
// (testdata/generate_knn.py), and their bad input.
#include "eclipsera/neighbors/knn.h"

#include <algorithm>
#include <limits>
#include <optional>
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

// ------------------------------------------------------- NearestNeighbors --

Matrix LoadNN(const std::string& name) {
  return ::eclipsera::testing::LoadGolden("eclipsera/neighbors/testdata/nn_" +
                                          name + ".csv");
}

// Queries of Z (which = "z") or of the training data ("self") against the
// golden kneighbors / radius_neighbors(sort_results=True) of scikit-learn.
void CheckQueries(const NearestNeighbors& nn, const std::string& name,
                  const std::string& which, const Matrix* z) {
  SCOPED_TRACE(name + " " + which);
  const std::string base = name + "_" + which + "_";
  const Matrix empty;
  const ConstMatrixRef zref(z != nullptr ? *z : empty);
  IndexMatrix ind;
  Matrix dist;
  ECLIPSERA_ASSERT_OK(
      nn.KNeighbors(z != nullptr ? &zref : nullptr, 0, &ind, &dist));
  EXPECT_EQ(Matrix(ind.cast<double>()), LoadNN(base + "kind"));
  EXPECT_LE((dist - LoadNN(base + "kdist")).cwiseAbs().maxCoeff(), 1e-12);
  NeighborLists lists;
  ECLIPSERA_ASSERT_OK(nn.RadiusNeighbors(z != nullptr ? &zref : nullptr,
                                         std::nullopt, true, &lists));
  const Matrix offsets = LoadNN(base + "roffsets");
  const Matrix rind = LoadNN(base + "rind");
  const Matrix rdist = LoadNN(base + "rdist");
  ASSERT_EQ(lists.size() + 1, offsets.rows());
  for (Index i = 0; i < offsets.rows(); ++i) {
    EXPECT_EQ(lists.offsets[i], static_cast<Index>(offsets(i, 0)));
  }
  ASSERT_EQ(static_cast<Index>(lists.indices.size()), rind.rows());
  for (Index i = 0; i < rind.rows(); ++i) {
    EXPECT_EQ(lists.indices[i], static_cast<Index>(rind(i, 0)));
    EXPECT_NEAR(lists.distances[i], rdist(i, 0), 1e-12);
  }
  // Unsorted results are the same lists ordered by index.
  NeighborLists by_index;
  ECLIPSERA_ASSERT_OK(nn.RadiusNeighbors(z != nullptr ? &zref : nullptr,
                                         std::nullopt, false, &by_index));
  ASSERT_EQ(by_index.offsets, lists.offsets);
  for (Index q = 0; q < lists.size(); ++q) {
    std::vector<Index> a(lists.indices.begin() + lists.offsets[q],
                         lists.indices.begin() + lists.offsets[q + 1]);
    std::vector<Index> b(by_index.indices.begin() + by_index.offsets[q],
                         by_index.indices.begin() + by_index.offsets[q + 1]);
    std::sort(a.begin(), a.end());
    EXPECT_EQ(a, b);
  }
}

TEST(NearestNeighborsTest, MatchesScikitLearn) {
  struct Case {
    std::string name;
    NearestNeighborsOptions options;
  };
  NearestNeighborsOptions kd;
  kd.n_neighbors = 4;
  kd.radius = 0.2;
  kd.algorithm = "kd_tree";
  kd.leaf_size = 5;
  NearestNeighborsOptions manhattan;
  manhattan.n_neighbors = 6;
  manhattan.radius = 0.3;
  manhattan.p = 1.0;
  manhattan.algorithm = "brute";
  NearestNeighborsOptions wide;
  wide.n_neighbors = 3;
  wide.radius = 1.3;
  NearestNeighborsOptions chebyshev;
  chebyshev.n_neighbors = 5;
  chebyshev.radius = 0.15;
  chebyshev.metric = "chebyshev";
  for (const Case& c :
       {Case{"kd_euclidean", kd}, Case{"brute_manhattan", manhattan},
        Case{"wide_auto", wide}, Case{"chebyshev", chebyshev}}) {
    for (int n_jobs : {1, 2}) {
      NearestNeighborsOptions o = c.options;
      o.n_jobs = n_jobs;
      NearestNeighbors nn(o);
      ECLIPSERA_ASSERT_OK(nn.Fit(LoadNN(c.name + "_X")));
      const Matrix z = LoadNN(c.name + "_Z");
      CheckQueries(nn, c.name, "z", &z);
      CheckQueries(nn, c.name, "self", nullptr);
    }
  }
}

TEST(NearestNeighborsTest, ExplicitArgumentsOverrideTheDefaults) {
  Matrix x(5, 1);
  x << 0, 1, 3, 6, 10;
  NearestNeighbors nn;             // n_neighbors = 5, radius = 1
  ECLIPSERA_ASSERT_OK(nn.Fit(x));  // n_neighbors is checked by the queries
  Matrix q(1, 1);
  q << 2.9;
  const ConstMatrixRef qref(q);
  IndexMatrix ind;
  Matrix dist;
  ECLIPSERA_ASSERT_OK(nn.KNeighbors(&qref, 2, &ind, &dist));
  EXPECT_EQ(ind(0, 0), 2);
  EXPECT_EQ(ind(0, 1), 1);
  EXPECT_NEAR(dist(0, 1), 1.9, 1e-12);
  NeighborLists lists;
  ECLIPSERA_ASSERT_OK(nn.RadiusNeighbors(&qref, 2.0, true, &lists));
  EXPECT_EQ(lists.indices, (std::vector<Index>{2, 1}));
  ECLIPSERA_ASSERT_OK(nn.RadiusNeighbors(&qref, 2.0, false, &lists));
  EXPECT_EQ(lists.indices, (std::vector<Index>{1, 2}));
  // Radius 0 finds exact matches only; the training data excludes itself.
  ECLIPSERA_ASSERT_OK(nn.RadiusNeighbors(nullptr, 0.0, true, &lists));
  EXPECT_TRUE(lists.indices.empty());
  EXPECT_EQ(lists.offsets, (std::vector<Index>{0, 0, 0, 0, 0, 0}));
}

TEST(NearestNeighborsTest, BadInputNamesTheProblem) {
  Matrix x(4, 2);
  x << 0, 0, 1, 1, 2, 2, 3, 3;
  NearestNeighbors nn;
  IndexMatrix ind;
  NeighborLists lists;
  EXPECT_THAT(
      nn.KNeighbors(nullptr, 1, &ind, nullptr),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not fitted")));
  ECLIPSERA_ASSERT_OK(nn.Fit(x));
  EXPECT_THAT(nn.KNeighbors(nullptr, 0, &ind, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("n_neighbors = 5; expected 1 <= n_neighbors "
                                 "<= 3")));
  EXPECT_THAT(nn.KNeighbors(nullptr, 4, &ind, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("exclude themselves")));
  ECLIPSERA_EXPECT_OK(nn.KNeighbors(nullptr, 3, &ind, nullptr));
  const Matrix wrong = Matrix::Ones(2, 3);
  const ConstMatrixRef wrong_ref(wrong);
  EXPECT_THAT(
      nn.KNeighbors(&wrong_ref, 2, &ind, nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feature")));
  EXPECT_THAT(
      nn.RadiusNeighbors(nullptr, -1.0, true, &lists),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("radius = -1")));
  Matrix nan = x;
  nan(1, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(nn.Fit(nan),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("X")));
  EXPECT_FALSE(nn.fitted());
  ECLIPSERA_ASSERT_OK(nn.SetParams({{"n_neighbors", int64_t{0}}}));
  EXPECT_THAT(nn.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("n_neighbors = 0")));
  ECLIPSERA_ASSERT_OK(
      nn.SetParams({{"n_neighbors", int64_t{1}}, {"radius", -0.5}}));
  EXPECT_THAT(nn.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("radius = -0.5")));
}

}  // namespace
}  // namespace eclipsera::neighbors
