#include "eclipsera/cluster/kmeans.h"

#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "eclipsera/cluster/internal/kmeans_kernels.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/testing.h"
#include "eclipsera/testing/alloc_counter.h"
#include "eclipsera/testing/golden.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::cluster {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

Matrix Load(const std::string& name) {
  return ::eclipsera::testing::LoadGolden("eclipsera/cluster/testdata/" + name);
}

struct GoldenCase {
  std::string name;
  std::string algorithm;
  bool weighted;
  double tol;
  int max_iter;
};

class KMeansGoldenTest : public ::testing::TestWithParam<GoldenCase> {};

// Started from scikit-learn's explicit initial centers, labels are identical
// and inertia agrees to 1e-9 relative, with the same n_iter.
TEST_P(KMeansGoldenTest, MatchesScikitLearnFromSameInit) {
  const GoldenCase& c = GetParam();
  const std::string base = "kmeans_" + c.name;
  const Matrix x = Load(base + "_X.csv");
  KMeansOptions o;
  o.init_centers = Load(base + "_init.csv");
  o.n_clusters = static_cast<int>(o.init_centers->rows());
  o.algorithm = c.algorithm;
  o.tol = c.tol;
  o.max_iter = c.max_iter;
  KMeans km(o);
  std::vector<double> weights;
  if (c.weighted) {
    const Matrix w = Load(base + "_weights.csv");
    weights.assign(w.data(), w.data() + w.size());
  }
  ECLIPSERA_ASSERT_OK(km.Fit(x, weights));
  const std::string prefix = base + "_" + c.algorithm;
  const Matrix labels = Load(prefix + "_labels.csv");
  const Matrix centers = Load(prefix + "_centers.csv");
  const Matrix scalars = Load(prefix + "_scalars.csv");
  ASSERT_EQ(km.labels().size(), labels.size());
  for (Index i = 0; i < labels.size(); ++i) {
    ASSERT_EQ(km.labels()(i), static_cast<int>(labels(i))) << "sample " << i;
  }
  EXPECT_NEAR(km.inertia(), scalars(0, 0), 1e-9 * scalars(0, 0));
  EXPECT_EQ(km.n_iter(), static_cast<int>(scalars(0, 1)));
  EXPECT_EQ(km.algorithm_used(), c.algorithm);
  // Hamerly's bounds give the same labels as exact-distance Elkan.
  if (c.algorithm == "elkan") {
    o.algorithm = "hamerly";
    KMeans hamerly(o);
    ECLIPSERA_ASSERT_OK(hamerly.Fit(x, weights));
    EXPECT_EQ(hamerly.labels(), km.labels());
    EXPECT_EQ(hamerly.n_iter(), km.n_iter());
    EXPECT_NEAR(hamerly.inertia(), km.inertia(), 1e-12 * km.inertia());
    o.algorithm = "auto";
    KMeans automatic(o);
    ECLIPSERA_ASSERT_OK(automatic.Fit(x, weights));
    EXPECT_EQ(automatic.algorithm_used(), "hamerly");
  }
  ASSERT_EQ(km.cluster_centers().rows(), centers.rows());
  EXPECT_LE((km.cluster_centers() - centers).cwiseAbs().maxCoeff(),
            1e-9 * centers.cwiseAbs().maxCoeff());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, KMeansGoldenTest,
    ::testing::Values(GoldenCase{"blobs", "lloyd", false, 1e-4, 300},
                      GoldenCase{"blobs", "elkan", false, 1e-4, 300},
                      GoldenCase{"empty", "lloyd", false, 1e-4, 300},
                      GoldenCase{"empty", "elkan", false, 1e-4, 300},
                      GoldenCase{"weighted", "lloyd", true, 1e-4, 300},
                      GoldenCase{"weighted", "elkan", true, 1e-4, 300},
                      GoldenCase{"uniform", "lloyd", false, 0.0, 500},
                      GoldenCase{"uniform", "elkan", false, 0.0, 500}),
    [](const ::testing::TestParamInfo<GoldenCase>& info) {
      return info.param.name + "_" + info.param.algorithm;
    });

// k-means++ with restarts finds the blobs: inertia no worse than
// scikit-learn's from a good init, and every cluster used.
TEST(KMeansTest, KMeansPlusPlusFindsBlobs) {
  const Matrix x = Load("kmeans_blobs_X.csv");
  const Matrix scalars = Load("kmeans_blobs_lloyd_scalars.csv");
  KMeansOptions o;
  o.n_clusters = 6;
  o.random_state = 0;
  KMeans km(o);
  ECLIPSERA_ASSERT_OK(km.Fit(x));
  EXPECT_LE(km.inertia(), scalars(0, 0) * 1.001);
  std::set<int> used(km.labels().data(),
                     km.labels().data() + km.labels().size());
  EXPECT_EQ(used.size(), 6u);
  o.init = "random";
  KMeans km_random(o);
  ECLIPSERA_ASSERT_OK(km_random.Fit(x));
  EXPECT_LE(km_random.inertia(), scalars(0, 0) * 1.05);
}

TEST(KMeansTest, SameResultForAnyNJobsAndSeedReproducible) {
  const Matrix x = Load("kmeans_uniform_X.csv");
  for (const char* algorithm : {"lloyd", "elkan", "hamerly"}) {
    KMeansOptions o;
    o.n_clusters = 40;
    o.n_init = 2;
    o.random_state = 7;
    o.algorithm = algorithm;
    KMeans serial(o);
    ECLIPSERA_ASSERT_OK(serial.Fit(x));
    o.n_jobs = -1;
    KMeans parallel(o);
    ECLIPSERA_ASSERT_OK(parallel.Fit(x));
    EXPECT_EQ(serial.labels(), parallel.labels()) << algorithm;
    EXPECT_EQ(serial.inertia(), parallel.inertia()) << algorithm;
    EXPECT_EQ(serial.cluster_centers(), parallel.cluster_centers());
    o.n_jobs = 2;
    KMeans again(o);
    ECLIPSERA_ASSERT_OK(again.Fit(x));
    EXPECT_EQ(serial.inertia(), again.inertia());
  }
}

// The v1.0 (allocating) mode computes the same result as the workspace.
TEST(KMeansTest, AllocatingModeGivesSameResult) {
  const Matrix x = Load("kmeans_blobs_X.csv");
  KMeansOptions o;
  o.init_centers = Load("kmeans_blobs_init.csv");
  o.n_clusters = 6;
  KMeans fast(o);
  ECLIPSERA_ASSERT_OK(fast.Fit(x));
  o.workspace = false;
  KMeans slow(o);
  ECLIPSERA_ASSERT_OK(slow.Fit(x));
  EXPECT_EQ(fast.labels(), slow.labels());
  EXPECT_NEAR(fast.inertia(), slow.inertia(), 1e-9 * fast.inertia());
  EXPECT_EQ(fast.n_iter(), slow.n_iter());
}

// After the workspace is sized, more iterations cost no more allocations:
// the iteration loop allocates nothing. The allocating v1.0 mode does.
TEST(KMeansTest, IterationsDoNotAllocate) {
  const Matrix x = Load("kmeans_uniform_X.csv");
  for (const char* algorithm : {"lloyd", "elkan", "hamerly"}) {
    for (int n_jobs : {1, 2}) {
      KMeansOptions o;
      o.init_centers = Load("kmeans_uniform_init.csv");
      o.n_clusters = 40;
      o.tol = 0.0;
      o.algorithm = algorithm;
      o.n_jobs = n_jobs;
      o.max_iter = 1;
      KMeans km(o);
      ECLIPSERA_ASSERT_OK(km.Fit(x));  // sizes the workspace
      ::eclipsera::testing::AllocationCounter one;
      ECLIPSERA_ASSERT_OK(km.Fit(x));
      const int64_t allocs_one = one.allocations();
      KMeansOptions many = km.options();
      many.max_iter = 25;
      // set_options keeps the workspace (Reset keeps reusable buffers).
      km.set_options(many);
      ::eclipsera::testing::AllocationCounter counter;
      ECLIPSERA_ASSERT_OK(km.Fit(x));
      const int64_t allocs_many = counter.allocations();
      EXPECT_EQ(km.n_iter(), 25);
      EXPECT_EQ(allocs_many, allocs_one) << algorithm << " n_jobs=" << n_jobs;
    }
  }
  KMeansOptions o;
  o.init_centers = Load("kmeans_uniform_init.csv");
  o.n_clusters = 40;
  o.tol = 0.0;
  o.max_iter = 25;
  o.workspace = false;
  KMeans v1(o);
  ECLIPSERA_ASSERT_OK(v1.Fit(x));
  ::eclipsera::testing::AllocationCounter counter;
  ECLIPSERA_ASSERT_OK(v1.Fit(x));
  const int64_t v1_allocs = counter.allocations();
  EXPECT_GE(v1_allocs, 25 * 3);
}

TEST(KMeansTest, PredictTransformScore) {
  const Matrix x = Load("kmeans_blobs_X.csv");
  KMeansOptions o;
  o.init_centers = Load("kmeans_blobs_init.csv");
  o.n_clusters = 6;
  KMeans km(o);
  EXPECT_THAT(
      km.PredictLabels(x),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not fitted")));
  ECLIPSERA_ASSERT_OK(km.Fit(x));
  absl::StatusOr<LabelVector> labels = km.PredictLabels(x);
  ECLIPSERA_ASSERT_OK(labels);
  EXPECT_EQ(*labels, km.labels());
  absl::StatusOr<Matrix> dist = km.TransformDistances(x.topRows(3));
  ECLIPSERA_ASSERT_OK(dist);
  for (Index i = 0; i < 3; ++i) {
    for (Index j = 0; j < 6; ++j) {
      EXPECT_NEAR((*dist)(i, j),
                  (x.row(i) - km.cluster_centers().row(j)).norm(), 1e-12);
    }
  }
  absl::StatusOr<double> score = km.ScoreInertia(x);
  ECLIPSERA_ASSERT_OK(score);
  EXPECT_NEAR(*score, -km.inertia(), 1e-9 * km.inertia());
  // Generic interface.
  Estimator& est = km;
  absl::StatusOr<Vector> p = est.Predict(x);
  ECLIPSERA_ASSERT_OK(p);
  EXPECT_EQ((*p)(0), km.labels()(0));
  EXPECT_THAT(km.PredictLabels(Matrix::Zero(2, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has 3 features, but the estimator was "
                                 "fitted with 4")));
}

TEST(KMeansTest, RejectsBadInputAndStaysUsable) {
  Matrix x = Matrix::Random(10, 2);
  KMeansOptions o;
  o.n_clusters = 11;
  KMeans km(o);
  EXPECT_THAT(km.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("n_samples = 10 should be >= "
                                            "n_clusters = 11")));
  o.n_clusters = 0;
  km.set_options(o);
  EXPECT_THAT(km.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("n_clusters = 0, must be >= 1")));
  o.n_clusters = 2;
  o.algorithm = "fast";
  km.set_options(o);
  EXPECT_THAT(km.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("unknown algorithm 'fast'")));
  o.algorithm = "lloyd";
  o.init_centers = Matrix::Zero(3, 2);
  km.set_options(o);
  EXPECT_THAT(km.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("init has shape (3, 2); expected "
                                            "(2, 2)")));
  o.init_centers.reset();
  o.n_jobs = 0;
  km.set_options(o);
  EXPECT_THAT(km.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("n_jobs = 0")));
  o.n_jobs = 1;
  km.set_options(o);
  Matrix bad = x;
  bad(4, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(km.Fit(bad), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("NaN at row 4, column 1")));
  EXPECT_THAT(km.Fit(Matrix(0, 2)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  std::vector<double> w(10, 1.0);
  w[3] = -1.0;
  EXPECT_THAT(km.Fit(x, w), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("sample_weight[3] = -1")));
  w.resize(9);
  EXPECT_THAT(km.Fit(x, w), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("sample_weight has 9 entries")));
  EXPECT_THAT(km.SetParams({{"n_clusterz", int64_t{3}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("valid parameters: n_clusters")));
  ECLIPSERA_EXPECT_OK(km.Fit(x));
  EXPECT_TRUE(km.fitted());
}

TEST(KMeansTest, KMeansPlusPlusRejectsZeroTrials) {
  const Matrix x = Load("kmeans_blobs_X.csv");
  Random r(0);
  EXPECT_THAT(KMeansPlusPlus(x, 3, r, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("n_local_trials = 0")));
  absl::StatusOr<Matrix> c = KMeansPlusPlus(x, 3, r, 1);
  ECLIPSERA_ASSERT_OK(c);
  EXPECT_EQ(c->rows(), 3);
}

TEST(KMeansTest, GenericInterfaceAndRegistry) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterKMeans(registry));
  absl::StatusOr<std::unique_ptr<Estimator>> est = registry.Create("kmeans");
  ECLIPSERA_ASSERT_OK(est);
  ECLIPSERA_ASSERT_OK((*est)->SetParams(
      {{"n_clusters", int64_t{6}}, {"random_state", int64_t{0}}}));
  const Matrix x = Load("kmeans_blobs_X.csv");
  absl::StatusOr<Vector> labels = (*est)->FitPredict(x);
  ECLIPSERA_ASSERT_OK(labels);
  EXPECT_EQ(labels->size(), x.rows());
  std::unique_ptr<Estimator> clone = (*est)->Clone();
  EXPECT_FALSE(clone->fitted());
  EXPECT_EQ(std::get<int64_t>(clone->GetParams().at("n_clusters")), 6);
  bool has_inertia = false;
  for (const FittedScalar& s : (*est)->FittedScalars()) {
    has_inertia |= s.name == "inertia" && s.value > 0;
  }
  EXPECT_TRUE(has_inertia);
}

}  // namespace
}  // namespace eclipsera::cluster

namespace eclipsera::cluster_internal {
namespace {

// The center tree answers exactly what a full scan answers, ties included
// (integer coordinates make many equal distances).
TEST(CenterTreeTest, MatchesFullScan) {
  Random r(11);
  for (Index d : {1, 2, 3, 5}) {
    Matrix centers(97, d);
    for (Index i = 0; i < centers.size(); ++i) {
      centers.data()[i] = static_cast<double>(r.UniformInt(6));
    }
    CenterTree tree;
    tree.Build(centers);
    for (int q = 0; q < 500; ++q) {
      std::vector<double> x(d);
      for (double& v : x) v = static_cast<double>(r.UniformInt(14)) * 0.5 - 1;
      int32_t best_scan = -1;
      double s1 = std::numeric_limits<double>::infinity(), s2 = s1;
      for (Index j = 0; j < centers.rows(); ++j) {
        const double dist = SquaredDistance(x.data(), centers.row(j).data(), d);
        if (dist < s1) {
          s2 = s1;
          s1 = dist;
          best_scan = static_cast<int32_t>(j);
        } else if (dist < s2) {
          s2 = dist;
        }
      }
      int32_t best;
      double d1, d2;
      tree.Query2(x.data(), &best, &d1, &d2);
      ASSERT_EQ(best, best_scan) << "d=" << d << " q=" << q;
      ASSERT_EQ(d1, s1);
      ASSERT_EQ(d2, s2);
    }
  }
}

}  // namespace
}  // namespace eclipsera::cluster_internal
