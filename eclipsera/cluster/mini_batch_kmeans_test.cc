#include "eclipsera/cluster/mini_batch_kmeans.h"

#include <limits>
#include <set>
#include <string>

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

// partial_fit steps from explicit centers are deterministic (no center is
// starved, so none is randomly reassigned): centers and counts match
// scikit-learn's after each step.
TEST(MiniBatchKMeansTest, PartialFitMatchesScikitLearn) {
  const Matrix x = Load("kmeans_blobs_X.csv");
  MiniBatchKMeansOptions o;
  o.n_clusters = 6;
  o.init_centers = Load("kmeans_blobs_init.csv");
  o.random_state = 0;
  MiniBatchKMeans mb(o);
  ECLIPSERA_ASSERT_OK(mb.PartialFit(x.topRows(300)));
  const Matrix c1 = Load("mbkmeans_partial1_centers.csv");
  EXPECT_LE((mb.cluster_centers() - c1).cwiseAbs().maxCoeff(), 1e-12);
  ECLIPSERA_ASSERT_OK(mb.PartialFit(x.bottomRows(300)));
  const Matrix c2 = Load("mbkmeans_partial2_centers.csv");
  EXPECT_LE((mb.cluster_centers() - c2).cwiseAbs().maxCoeff(), 1e-12);
  const Matrix counts = Load("mbkmeans_partial2_counts.csv");
  for (Index j = 0; j < 6; ++j) EXPECT_EQ(mb.counts()(j), counts(j));
  EXPECT_EQ(mb.n_steps(), 2);
}

// Final inertia within 1% of scikit-learn's (mean over 5 seeds) on the same
// data.
TEST(MiniBatchKMeansTest, InertiaWithinOnePercentOfScikitLearn) {
  const Matrix x = Load("mbkmeans_blobs_X.csv");
  const Matrix sk = Load("mbkmeans_blobs_inertia.csv");
  for (int seed : {0, 1, 2}) {
    MiniBatchKMeansOptions o;
    o.n_clusters = 10;
    o.random_state = seed;
    MiniBatchKMeans mb(o);
    ECLIPSERA_ASSERT_OK(mb.Fit(x));
    EXPECT_LE(mb.inertia(), sk(0, 0) * 1.01) << "seed " << seed;
    std::set<int> used(mb.labels().data(),
                       mb.labels().data() + mb.labels().size());
    EXPECT_EQ(used.size(), 10u);
    EXPECT_GE(mb.n_iter(), 1);
  }
}

TEST(MiniBatchKMeansTest, SameResultForAnyNJobs) {
  const Matrix x = Load("mbkmeans_blobs_X.csv");
  MiniBatchKMeansOptions o;
  o.n_clusters = 10;
  o.random_state = 4;
  o.batch_size = 600;
  MiniBatchKMeans a(o);
  ECLIPSERA_ASSERT_OK(a.Fit(x));
  o.n_jobs = -1;
  MiniBatchKMeans b(o);
  ECLIPSERA_ASSERT_OK(b.Fit(x));
  EXPECT_EQ(a.cluster_centers(), b.cluster_centers());
  EXPECT_EQ(a.labels(), b.labels());
  EXPECT_EQ(a.n_steps(), b.n_steps());
}

// transform, as KMeans's and scikit-learn's: the euclidean distances to the
// centers (the nearest one is the predicted label); unfitted or mis-shaped
// input is refused.
TEST(MiniBatchKMeansTest, TransformIsTheDistanceToEachCenter) {
  const Matrix x = Load("mbkmeans_blobs_X.csv");
  MiniBatchKMeansOptions o;
  o.n_clusters = 10;
  o.random_state = 4;
  MiniBatchKMeans m(o);
  EXPECT_THAT(m.Transform(x), StatusIs(absl::StatusCode::kFailedPrecondition,
                                       HasSubstr("not fitted")));
  ECLIPSERA_ASSERT_OK(m.Fit(x));
  EXPECT_EQ(m.n_features_out(), 10);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix t, m.Transform(x));
  ASSERT_EQ(t.rows(), x.rows());
  ASSERT_EQ(t.cols(), 10);
  for (Index i = 0; i < x.rows(); i += 97) {
    Index nearest = 0;
    t.row(i).minCoeff(&nearest);
    EXPECT_EQ(nearest, m.labels()(i)) << i;
    for (Index j = 0; j < 10; ++j) {
      EXPECT_NEAR(t(i, j), (x.row(i) - m.cluster_centers().row(j)).norm(),
                  1e-12 * (1.0 + t(i, j)));
    }
  }
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix ft, m.FitTransform(x));
  EXPECT_EQ(ft, t);  // same seed: the same fit
  EXPECT_THAT(
      m.Transform(x.leftCols(1)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("feature")));
}

// Steps allocate nothing: 2 passes and 10 passes over the data cost the
// same number of allocations once the workspace exists.
TEST(MiniBatchKMeansTest, StepsDoNotAllocate) {
  const Matrix x = Load("mbkmeans_blobs_X.csv");
  MiniBatchKMeansOptions o;
  o.n_clusters = 10;
  o.random_state = 0;
  o.batch_size = 256;
  o.max_no_improvement = -1;
  o.n_init = 1;
  o.max_iter = 2;
  MiniBatchKMeans mb(o);
  ECLIPSERA_ASSERT_OK(mb.Fit(x));
  ::eclipsera::testing::AllocationCounter two;
  ECLIPSERA_ASSERT_OK(mb.Fit(x));
  const int64_t allocs_two = two.allocations();
  const int steps_two = mb.n_steps();
  o.max_iter = 10;
  mb.set_options(o);
  ::eclipsera::testing::AllocationCounter ten;
  ECLIPSERA_ASSERT_OK(mb.Fit(x));
  const int64_t allocs_ten = ten.allocations();
  EXPECT_EQ(mb.n_steps(), (10 * 8000) / 256);
  EXPECT_EQ(steps_two, (2 * 8000) / 256);
  EXPECT_EQ(allocs_ten, allocs_two);
}

// scikit-learn's RuntimeWarnings for init_size < n_clusters and for
// explicit initial centers with n_init != 1.
TEST(MiniBatchKMeansTest, WarnsLikeScikitLearnAboutInitialisation) {
  const Matrix x = Load("kmeans_blobs_X.csv");
  MiniBatchKMeansOptions mo;
  mo.n_clusters = 5;
  mo.init_size = 2;
  mo.random_state = 0;
  MiniBatchKMeans mb(mo);
  ECLIPSERA_ASSERT_OK(mb.Fit(x));
  ASSERT_EQ(mb.warnings().size(), 1u);
  EXPECT_EQ(mb.warnings()[0],
            "init_size=2 should be larger than n_clusters=5. Setting it to "
            "min(3*n_clusters, n_samples)");
  mo.init_size = -1;
  mo.init_centers = x.topRows(5);
  MiniBatchKMeans mb2(mo);
  ECLIPSERA_ASSERT_OK(mb2.Fit(x));
  ASSERT_EQ(mb2.warnings().size(), 1u);
  EXPECT_EQ(mb2.warnings()[0],
            "Explicit initial center position passed: performing only one "
            "init in MiniBatchKMeans instead of n_init=3.");
}

TEST(MiniBatchKMeansTest, RejectsBadInput) {
  Matrix x = Matrix::Random(20, 3);
  MiniBatchKMeansOptions o;
  o.n_clusters = 21;
  MiniBatchKMeans mb(o);
  EXPECT_THAT(mb.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("n_clusters = 21")));
  o.n_clusters = 3;
  o.batch_size = 0;
  mb.set_options(o);
  EXPECT_THAT(mb.Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("batch_size = 0, must be >= 1")));
  o.batch_size = 10;
  o.reassignment_ratio = -1;
  mb.set_options(o);
  EXPECT_THAT(mb.Fit(x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("reassignment_ratio = -1, must be >= 0")));
  o.reassignment_ratio = 0.01;
  mb.set_options(o);
  Matrix bad = x;
  bad(2, 2) = std::numeric_limits<double>::infinity();
  EXPECT_THAT(mb.PartialFit(bad), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("Inf at row 2")));
  EXPECT_THAT(
      mb.PredictLabels(x),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not fitted")));
  ECLIPSERA_ASSERT_OK(mb.Fit(x));
  ECLIPSERA_ASSERT_OK(mb.PredictLabels(x));
  // After initialisation, batches smaller than n_clusters are fine.
  ECLIPSERA_EXPECT_OK(mb.PartialFit(x.topRows(2)));
  EXPECT_THAT(mb.PartialFit(Matrix::Zero(4, 2)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has 2 features")));
}

}  // namespace
}  // namespace eclipsera::cluster
