#include "eclipsera/cluster/kmeans.h"

#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "eclipsera/cluster/internal/kmeans_kernels.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/testing.h"
#include "eclipsera/pool/pooling_switch.h"
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
  ECLIPSERA_ASSERT_OK(km.Fit(x, {}, FitArgs{weights}));
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
  if (c.weighted) {
    // y is ignored, as in scikit-learn: passing the weights as y (the old
    // Fit(x, sample_weight) spelling) must not weight the fit.
    KMeans with_y(o), unweighted(o);
    ECLIPSERA_ASSERT_OK(with_y.Fit(x, weights));
    ECLIPSERA_ASSERT_OK(unweighted.Fit(x));
    EXPECT_EQ(with_y.cluster_centers(), unweighted.cluster_centers());
    EXPECT_NE(with_y.cluster_centers(), km.cluster_centers());
  }
  // Hamerly's bounds give the same labels as exact-distance Elkan.
  if (c.algorithm == "elkan") {
    o.algorithm = "hamerly";
    KMeans hamerly(o);
    ECLIPSERA_ASSERT_OK(hamerly.Fit(x, {}, FitArgs{weights}));
    EXPECT_EQ(hamerly.labels(), km.labels());
    EXPECT_EQ(hamerly.n_iter(), km.n_iter());
    EXPECT_NEAR(hamerly.inertia(), km.inertia(), 1e-12 * km.inertia());
    o.algorithm = "auto";
    KMeans automatic(o);
    ECLIPSERA_ASSERT_OK(automatic.Fit(x, {}, FitArgs{weights}));
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
  for (const char* algorithm : {"lloyd", "elkan", "hamerly"}) {
    KMeansOptions o;
    o.init_centers = Load("kmeans_blobs_init.csv");
    o.n_clusters = 6;
    o.algorithm = algorithm;
    KMeans fast(o);
    ECLIPSERA_ASSERT_OK(fast.Fit(x));
    // ECLIPSERA_DISABLE_POOLING=1 for the rest of this scope.
    pool::ScopedPoolingDisabled v1_mode(true);
    KMeans slow(o);
    ECLIPSERA_ASSERT_OK(slow.Fit(x));
    EXPECT_EQ(fast.labels(), slow.labels()) << algorithm;
    EXPECT_EQ(fast.inertia(), slow.inertia()) << algorithm;
    EXPECT_TRUE(fast.cluster_centers() == slow.cluster_centers()) << algorithm;
    EXPECT_EQ(fast.n_iter(), slow.n_iter()) << algorithm;
    // The v1.0 mode allocates its chunk sums every iteration, on the
    // bounded algorithms too (uniform data: no early convergence).
    const Matrix u = Load("kmeans_uniform_X.csv");
    KMeansOptions many;
    many.init_centers = Load("kmeans_uniform_init.csv");
    many.n_clusters = 40;
    many.tol = 0.0;
    many.algorithm = algorithm;
    many.max_iter = 1;
    KMeans one(many);
    ECLIPSERA_ASSERT_OK(one.Fit(u));
    ::eclipsera::testing::AllocationCounter one_count;
    ECLIPSERA_ASSERT_OK(one.Fit(u));
    const int64_t allocs_one = one_count.allocations();
    many.max_iter = 3;
    KMeans three(many);
    ECLIPSERA_ASSERT_OK(three.Fit(u));
    ::eclipsera::testing::AllocationCounter three_count;
    ECLIPSERA_ASSERT_OK(three.Fit(u));
    ASSERT_EQ(three.n_iter(), 3) << algorithm;
    EXPECT_GE(three_count.allocations(), allocs_one + 2 * 2) << algorithm;
  }
}

// Fewer rows can mean more reduction chunks (16,385 rows make 33 chunks of
// 512, 16,384 make 64 of 256): the chunked buffers keep room for any fold
// of at most n rows, so the shorter fold does not reallocate them.
TEST(KMeansTest, ShorterFoldAtAChunkBoundaryDoesNotReallocate) {
  Random rng(3);
  Matrix x(16385, 2);
  for (Index i = 0; i < x.rows(); ++i) {
    x(i, 0) = rng.Normal() + 6.0 * (i % 3);
    x(i, 1) = rng.Normal();
  }
  KMeansOptions o;
  o.n_clusters = 3;
  o.n_init = 1;
  o.max_iter = 3;
  o.random_state = 0;
  KMeans km(o);
  ECLIPSERA_ASSERT_OK(km.Fit(x));
  const WorkspaceStats first = *km.workspace_stats();
  km.Reset();
  ECLIPSERA_ASSERT_OK(km.Fit(x.topRows(16384)));
  EXPECT_EQ(km.workspace_stats()->reallocations, first.reallocations);
  EXPECT_EQ(km.workspace_stats()->bytes, first.bytes);
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
      const int64_t reallocations = km.workspace_stats()->reallocations;
      // The next cross-validation fold, one row shorter: within capacity.
      const Matrix fold = x.topRows(x.rows() - 1);
      ::eclipsera::testing::AllocationCounter one;
      ECLIPSERA_ASSERT_OK(km.Fit(fold));
      const int64_t allocs_one = one.allocations();
      KMeansOptions many = km.options();
      many.max_iter = 25;
      // set_options keeps the workspace (Reset keeps reusable buffers).
      km.set_options(many);
      // Back to the full size, so the counted fit is again a first fit on
      // the shorter fold (its labels_ result is resized in both).
      ECLIPSERA_ASSERT_OK(km.Fit(x));
      ::eclipsera::testing::AllocationCounter counter;
      ECLIPSERA_ASSERT_OK(km.Fit(fold));
      const int64_t allocs_many = counter.allocations();
      EXPECT_EQ(km.n_iter(), 25);
      EXPECT_EQ(allocs_many, allocs_one) << algorithm << " n_jobs=" << n_jobs;
      EXPECT_EQ(km.workspace_stats()->reallocations, reallocations);
    }
  }
  KMeansOptions o;
  o.init_centers = Load("kmeans_uniform_init.csv");
  o.n_clusters = 40;
  o.tol = 0.0;
  o.max_iter = 25;
  // ECLIPSERA_DISABLE_POOLING=1 for the rest of this scope.
  pool::ScopedPoolingDisabled v1_mode(true);
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
  EXPECT_THAT(km.Fit(x, {}, FitArgs{w}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sample_weight[3] = -1")));
  w.resize(9);
  EXPECT_THAT(km.Fit(x, {}, FitArgs{w}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sample_weight has 9 entries")));
  EXPECT_THAT(km.SetParams({{"n_clusterz", int64_t{3}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("valid parameters: n_clusters")));
  ECLIPSERA_EXPECT_OK(km.Fit(x));
  EXPECT_TRUE(km.fitted());
}

// Data for the k-means++ golden indices: uniform, Gaussian blobs or plain
// Gaussian noise, from eclipsera's own generator (same on every machine).
Matrix PlusPlusData(const std::string& kind, Index n, Index d, uint64_t seed) {
  Random r(seed);
  Matrix x(n, d);
  if (kind == "uniform") {
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = r.Uniform();
  } else if (kind == "normal") {
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = r.Normal();
  } else {  // blobs: 12 centers in [-10, 10]^d, unit noise
    Matrix centers(12, d);
    for (Index i = 0; i < centers.size(); ++i) {
      centers.data()[i] = r.Uniform(-10.0, 10.0);
    }
    for (Index i = 0; i < n; ++i) {
      const Index c = static_cast<Index>(r.UniformInt(12));
      for (Index j = 0; j < d; ++j) x(i, j) = centers(c, j) + r.Normal();
    }
  }
  return x;
}

struct PlusPlusCase {
  std::string kind;
  Index n, d;
  int k;
  int n_local_trials;
  uint64_t seed;
  std::vector<Index> expected;
};

// The rows k-means++ picks, recorded with the original implementation (an
// Eigen GEMM per step over the whole data, before the fused blocked SIMD
// version): the same seed must keep choosing the same rows, for any n_jobs.
TEST(KMeansTest, KMeansPlusPlusChoosesTheRecordedRows) {
  const std::vector<PlusPlusCase> cases = {
      {"uniform", 1000, 3, 8, -1, 0, {878, 892, 309, 903, 758, 518, 826, 86}},
      {"uniform", 1000, 3, 8, -1, 1, {717, 403, 310, 843, 732, 494, 127, 105}},
      {"uniform", 1000, 3, 8, 1, 2, {112, 475, 713, 195, 650, 543, 627, 210}},
      {"blobs",
       20011,
       16,
       12,
       -1,
       3,
       {5388, 2330, 4414, 9973, 7908, 10292, 2113, 4074, 6415, 3064, 7235,
        8938}},
      {"blobs", 20011, 16, 30, -1, 5, {3776,  17486, 4199,  12276, 6338,
                                       6036,  10551, 4556,  16316, 12214,
                                       5950,  5699,  8035,  18626, 13997,
                                       19268, 12889, 18413, 11352, 18103,
                                       2134,  11833, 4175,  12168, 17784,
                                       14574, 5306,  4238,  2250,  6101}},
      {"normal", 9001, 64, 32, -1, 4, {913,  7440, 7481, 4841, 535,  4554, 1513,
                                       4452, 4449, 8033, 403,  2455, 2824, 573,
                                       2643, 5199, 5141, 8119, 354,  7444, 1267,
                                       6979, 7876, 2597, 8166, 2446, 7797, 3445,
                                       5654, 1489, 7396, 6865}},
      {"normal", 5000, 7, 64, 3, 6, {423,  2744, 1462, 501,  995,  2934, 4798,
                                     2156, 3480, 1351, 1785, 3433, 2401, 1556,
                                     110,  3372, 3382, 4561, 1265, 4187, 3299,
                                     1839, 3000, 1387, 1985, 1452, 711,  2754,
                                     1808, 4230, 2716, 1569, 3887, 2961, 189,
                                     450,  4249, 809,  1264, 1219, 1407, 2903,
                                     267,  1469, 1096, 3144, 4428, 3284, 1426,
                                     3625, 1332, 3523, 3310, 3754, 529,  2377,
                                     762,  3521, 3967, 4703, 1338, 3738, 3515,
                                     4583}},
  };
  for (const PlusPlusCase& c : cases) {
    const Matrix x = PlusPlusData(c.kind, c.n, c.d, c.seed);
    for (int n_jobs : {1, 2, -1}) {
      Random r(100 + c.seed);
      std::vector<Index> idx;
      absl::StatusOr<Matrix> centers =
          KMeansPlusPlus(x, c.k, r, c.n_local_trials, n_jobs, &idx);
      ECLIPSERA_ASSERT_OK(centers);
      EXPECT_EQ(idx, c.expected)
          << c.kind << " seed " << c.seed << " n_jobs " << n_jobs;
      ASSERT_EQ(idx.size(), static_cast<size_t>(c.k));
      for (int j = 0; j < c.k; ++j) {
        EXPECT_EQ(centers->row(j), x.row(idx[j]));
      }
    }
  }
  // scikit-learn's blobs file.
  const Matrix x = Load("kmeans_blobs_X.csv");
  const std::vector<Index> expected_default = {194, 232, 17, 517, 60, 41};
  const std::vector<Index> expected_one = {194, 232, 209, 8, 295, 17};
  for (int trials : {-1, 1}) {
    Random r(0);
    std::vector<Index> idx;
    ECLIPSERA_ASSERT_OK(KMeansPlusPlus(x, 6, r, trials, 2, &idx));
    EXPECT_EQ(idx, trials < 0 ? expected_default : expected_one);
  }
}

// scikit-learn's RuntimeWarning for explicit initial centers with
// n_init != 1.
TEST(KMeansTest, WarnsLikeScikitLearnAboutInitialisation) {
  const Matrix x = Load("kmeans_blobs_X.csv");
  KMeansOptions o;
  o.n_clusters = 3;
  o.init_centers = x.topRows(3);
  o.n_init = 10;
  KMeans km(o);
  ECLIPSERA_ASSERT_OK(km.Fit(x));
  ASSERT_EQ(km.warnings().size(), 1u);
  EXPECT_EQ(km.warnings()[0],
            "Explicit initial center position passed: performing only one "
            "init in KMeans instead of n_init=10.");
  o.n_init = 1;
  KMeans quiet(o);
  ECLIPSERA_ASSERT_OK(quiet.Fit(x));
  EXPECT_TRUE(quiet.warnings().empty());
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
