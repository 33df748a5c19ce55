#include "eclipsera/cluster/mean_shift.h"

#include <map>
#include <string>
#include <vector>

#include "eclipsera/core/random.h"
#include "eclipsera/core/registry.h"
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
  double bandwidth;  // < 0: estimated
  bool bin_seeding;
  int min_bin_freq;
  bool cluster_all;
  int max_iter;
  int n_iter;  // scikit-learn's n_iter_
};

class MeanShiftGoldenTest : public ::testing::TestWithParam<GoldenCase> {};

// Centers agree with scikit-learn to 1e-6 (in its order), labels are
// identical, and so is n_iter.
TEST_P(MeanShiftGoldenTest, MatchesScikitLearn) {
  const GoldenCase& c = GetParam();
  const std::string base = "mean_shift_" + c.name;
  const Matrix x = Load(base + "_X.csv");
  Matrix want_centers = Load(base + "_centers.csv");
  if (want_centers.cols() != x.cols()) {  // one center: a single row
    want_centers = Eigen::Map<Matrix>(want_centers.data(), 1, x.cols());
  }
  const Matrix want_labels = Load(base + "_labels.csv");
  MeanShiftOptions o;
  if (c.bandwidth > 0) o.bandwidth = c.bandwidth;
  o.bin_seeding = c.bin_seeding;
  o.min_bin_freq = c.min_bin_freq;
  o.cluster_all = c.cluster_all;
  o.max_iter = c.max_iter;
  for (int n_jobs : {1, 2}) {
    o.n_jobs = n_jobs;
    MeanShift ms(o);
    ECLIPSERA_ASSERT_OK(ms.Fit(x));
    ASSERT_EQ(ms.cluster_centers().rows(), want_centers.rows());
    EXPECT_LT((ms.cluster_centers() - want_centers).cwiseAbs().maxCoeff(),
              1e-6);
    for (Index i = 0; i < x.rows(); ++i) {
      EXPECT_EQ(ms.labels()[i], static_cast<int32_t>(want_labels(i, 0)))
          << "sample " << i;
    }
    EXPECT_EQ(ms.n_iter(), c.n_iter);
    absl::StatusOr<LabelVector> pred = ms.PredictLabels(x);
    ECLIPSERA_ASSERT_OK(pred);
    if (c.cluster_all) {
      EXPECT_TRUE(*pred == ms.labels());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Golden, MeanShiftGoldenTest,
    ::testing::Values(GoldenCase{"plain2d", 0.8, false, 1, true, 300, 13},
                      GoldenCase{"bins2d", 0.8, true, 3, true, 300, 12},
                      GoldenCase{"estimated2d", -1, false, 1, true, 300, 18},
                      GoldenCase{"orphans3d", 1.5, false, 1, false, 300, 16},
                      GoldenCase{"bins3d", 2.0, true, 1, true, 300, 13},
                      GoldenCase{"maxiter2", 0.8, false, 1, true, 2, 2}),
    [](const auto& info) { return info.param.name; });

TEST(EstimateBandwidthTest, MatchesScikitLearnOnAllSamples) {
  const std::map<std::string, Matrix> data = {
      {"plain2d", Load("mean_shift_plain2d_X.csv")},
      {"orphans3d", Load("mean_shift_orphans3d_X.csv")}};
  const std::vector<std::tuple<std::string, double, double>> want = {
      {"plain2d", 0.1, 0.5754313588577722},
      {"plain2d", 0.3, 1.1828646995388792},
      {"plain2d", 0.5, 1.9450571800208702},
      {"plain2d", 0.001, 0.0},
      {"orphans3d", 0.1, 2.174749220735269},
      {"orphans3d", 0.3, 4.116865229457898},
      {"orphans3d", 0.5, 13.26266405240559},
      {"orphans3d", 0.001, 0.0}};
  for (const auto& [name, q, bw] : want) {
    absl::StatusOr<double> got = EstimateBandwidth(data.at(name), q);
    ECLIPSERA_ASSERT_OK(got);
    EXPECT_NEAR(*got, bw, 1e-12 * (1 + bw)) << name << " " << q;
  }
  // A subset is reproducible for a random_state and uses fewer samples.
  const Matrix& x = data.at("plain2d");
  absl::StatusOr<double> a = EstimateBandwidth(x, 0.3, 100, 7);
  absl::StatusOr<double> b = EstimateBandwidth(x, 0.3, 100, 7);
  ECLIPSERA_ASSERT_OK(a);
  ECLIPSERA_ASSERT_OK(b);
  EXPECT_EQ(*a, *b);
  EXPECT_NEAR(*a, 1.18, 0.3);
  EXPECT_THAT(
      EstimateBandwidth(x, 1.5),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("quantile")));
  EXPECT_THAT(
      EstimateBandwidth(x, 0.3, 0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("n_samples = 0")));
}

TEST(MeanShiftTest, BinSeedsRoundHalfToEvenInFirstAppearanceOrder) {
  Matrix x(6, 1);
  x << 2.5, 0.5, 1.5, 0.4, 2.6, 7.0;
  const Matrix seeds = GetBinSeeds(x, 1.0, 1);
  // bins: 2 (2.5), 0 (0.5, 0.4), 2 (1.5), 3 (2.6), 7.
  ASSERT_EQ(seeds.rows(), 4);
  EXPECT_EQ(seeds(0, 0), 2.0);
  EXPECT_EQ(seeds(1, 0), 0.0);
  EXPECT_EQ(seeds(2, 0), 3.0);
  EXPECT_EQ(seeds(3, 0), 7.0);
  EXPECT_EQ(GetBinSeeds(x, 1.0, 2).rows(), 2);
  // Scaled in float32, as numpy does.
  const Matrix s = GetBinSeeds(x, 0.1, 1);
  EXPECT_EQ(s(0, 0), static_cast<double>(25.0f * 0.1f));
}

// After the first iteration, the seed loop allocates nothing; the v1.0
// mode (ECLIPSERA_DISABLE_POOLING) allocates on every iteration.
// scikit-learn's get_bin_seeds warning: as many bins as samples means
// binning did nothing, and the samples themselves are the seeds.
TEST(MeanShiftTest, WarnsWhenBinningFails) {
  Matrix x(6, 1);
  x << 0.0, 1.0, 2.0, 3.0, 4.0, 5.0;
  MeanShiftOptions o;
  o.bandwidth = 0.5;
  o.bin_seeding = true;
  MeanShift ms(o);
  ECLIPSERA_ASSERT_OK(ms.Fit(x));
  ASSERT_EQ(ms.warnings().size(), 1u);
  EXPECT_EQ(ms.warnings()[0],
            "Binning data failed with provided bin_size=0.500000, using data "
            "points as seeds.");
  ECLIPSERA_ASSERT_OK(ms.Fit(x));  // not accumulated across fits
  EXPECT_EQ(ms.warnings().size(), 1u);
  o.bandwidth = 3.0;
  MeanShift coarse(o);
  ECLIPSERA_ASSERT_OK(coarse.Fit(x));
  EXPECT_TRUE(coarse.warnings().empty());
}

TEST(MeanShiftTest, HotLoopDoesNotAllocateAfterFirstIteration) {
  const Matrix x = Load("mean_shift_plain2d_X.csv");
  for (bool workspace : {true, false}) {
    eclipsera::testing::AllocationCounter counter;
    int64_t after = -1;
    int calls = 0;
    MeanShiftOptions o;
    o.bandwidth = 0.8;
    pool::ScopedPoolingDisabled mode(!workspace);
    // Serial: the counter restarts on seed 0's first iteration and is read
    // at the last seed, which only brackets the hot loop when the seeds run
    // in order (with the default n_jobs=-1 another worker may still be
    // setting up its first seed after the restart).
    o.n_jobs = 1;
    const Index last_seed = x.rows() - 1;
    MeanShift ms(o);
    ms.set_iteration_callback([&](Index seed, int iteration) {
      ++calls;
      if (seed == 0 && iteration == 1) counter.Restart();
      if (seed == last_seed) after = counter.allocations();
    });
    ECLIPSERA_ASSERT_OK(ms.Fit(x));
    EXPECT_GT(calls, 1000);
    if (workspace) {
      EXPECT_EQ(after, 0);
    } else {
      EXPECT_GT(after, 1000);
    }
    EXPECT_EQ(ms.cluster_centers().rows(), 3);
  }
}

TEST(MeanShiftTest, RejectsBadInputAndStaysUsable) {
  const Matrix x = Load("mean_shift_plain2d_X.csv");
  MeanShiftOptions o;
  o.bandwidth = 0.8;
  MeanShift ms(o);
  EXPECT_THAT(ms.Predict(x), StatusIs(absl::StatusCode::kFailedPrecondition,
                                      HasSubstr("not fitted")));
  Matrix bad = x;
  bad(3, 0) = std::numeric_limits<double>::infinity();
  EXPECT_THAT(ms.Fit(bad), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("MeanShift::Fit")));
  EXPECT_THAT(ms.Fit(Matrix(0, 2)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  auto expect_error = [&](MeanShiftOptions b, const char* what) {
    MeanShift e(b);
    EXPECT_THAT(e.Fit(x),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(what)));
  };
  MeanShiftOptions b = o;
  b.bandwidth = 0.0;
  expect_error(b, "bandwidth");
  b = o;
  b.bandwidth = -2.0;
  expect_error(b, "bandwidth");
  b = o;
  b.min_bin_freq = 0;
  expect_error(b, "min_bin_freq");
  b = o;
  b.max_iter = -1;
  expect_error(b, "max_iter");
  b = o;
  b.n_jobs = 0;
  expect_error(b, "n_jobs");
  b = o;
  b.seeds = Matrix::Zero(2, 3);
  expect_error(b, "seeds");
  b = o;
  b.seeds = Matrix::Constant(1, 2, 100.0);  // nothing within bandwidth
  expect_error(b, "no sample was within bandwidth");
  ECLIPSERA_ASSERT_OK(ms.Fit(x));
  EXPECT_EQ(ms.cluster_centers().rows(), 3);
  EXPECT_THAT(
      ms.Predict(Matrix::Zero(2, 3)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("3 features")));
}

// An estimated bandwidth of 0 is used as scikit-learn 1.2 uses it (every
// distinct row is a mode), not rejected: for [[0,0],[1,1],[2,2],[1,1]]
// scikit-learn gives centers [[1,1],[2,2],[0,0]] and labels [2,0,1,0], and
// one center for identical rows.
TEST(MeanShiftTest, EstimatedBandwidthOfZeroAsScikitLearn) {
  Matrix x(4, 2);
  x << 0, 0, 1, 1, 2, 2, 1, 1;
  MeanShift e;
  ECLIPSERA_ASSERT_OK(e.Fit(x));
  EXPECT_EQ(0.0, e.bandwidth());
  Matrix want(3, 2);
  want << 1, 1, 2, 2, 0, 0;
  EXPECT_EQ(want, e.cluster_centers());
  LabelVector want_labels(4);
  want_labels << 2, 0, 1, 0;
  EXPECT_EQ(want_labels, e.labels());
  MeanShift same;
  ECLIPSERA_ASSERT_OK(same.Fit(Matrix::Ones(10, 2)));
  EXPECT_EQ(Matrix::Ones(1, 2), same.cluster_centers());
  EXPECT_EQ(LabelVector::Zero(10), same.labels());
}

// With an estimated bandwidth of 0 every distinct row is a mode, whatever
// the scale. scikit-learn 1.2 finds 3 modes for 3 distinct rows x 30 copies
// scaled by 1e3 or 1e20 but 2 unscaled: the average of 30 copies of 1.3
// rounds to 1.2999999999999998, which has no sample within radius 0, and
// that seed is dropped. Here the seed is its own mean at every scale.
TEST(MeanShiftTest, ZeroBandwidthKeepsEveryDistinctRowAtAnyScale) {
  Matrix base(3, 2);
  base << 0, 0, 1, 0, 0, 1.3;
  for (double scale : {1.0, 1e3, 1e20, 1e-100, 7.1}) {
    SCOPED_TRACE(scale);
    Matrix x(90, 2);
    for (Index i = 0; i < 90; ++i) x.row(i) = base.row(i / 30) * scale;
    MeanShift e;
    ECLIPSERA_ASSERT_OK(e.Fit(x));
    EXPECT_EQ(0.0, e.bandwidth());
    ASSERT_EQ(3, e.cluster_centers().rows());
    for (Index i = 0; i < 90; ++i) {
      EXPECT_EQ(x.row(i), e.cluster_centers().row(e.labels()[i]));
    }
    EXPECT_EQ(e.labels()[0], e.labels()[29]);
    EXPECT_NE(e.labels()[0], e.labels()[30]);
    EXPECT_NE(e.labels()[30], e.labels()[60]);
    EXPECT_NE(e.labels()[0], e.labels()[60]);
  }
}

TEST(MeanShiftTest, ExplicitSeedsGenericInterfaceAndRegistry) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterMeanShift(registry));
  absl::StatusOr<std::unique_ptr<Estimator>> e = registry.Create("meanshift");
  ECLIPSERA_ASSERT_OK(e);
  ECLIPSERA_ASSERT_OK((*e)->SetParams({{"bandwidth", 1.0}}));
  Matrix x(6, 1);
  x << 0, 0.1, 0.2, 10, 10.1, 10.2;
  absl::StatusOr<Vector> labels = (*e)->FitPredict(x);
  ECLIPSERA_ASSERT_OK(labels);
  EXPECT_EQ((*labels)(0), (*labels)(2));
  EXPECT_NE((*labels)(0), (*labels)(3));
  Matrix q(2, 1);
  q << 9.0, 1.0;
  absl::StatusOr<Vector> p = (*e)->Predict(q);
  ECLIPSERA_ASSERT_OK(p);
  EXPECT_EQ((*p)(0), (*labels)(3));
  EXPECT_EQ((*p)(1), (*labels)(0));
  MeanShiftOptions o;
  o.bandwidth = 1.0;
  o.seeds = Matrix::Constant(1, 1, 0.5);
  MeanShift ms(o);
  ECLIPSERA_ASSERT_OK(ms.Fit(x));
  ASSERT_EQ(ms.cluster_centers().rows(), 1);
  EXPECT_NEAR(ms.cluster_centers()(0, 0), 0.1, 1e-12);
}

}  // namespace
}  // namespace eclipsera::cluster
