#include "eclipsera/cluster/dbscan.h"

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
  double eps;
  int min_samples;
  std::string metric;
  std::string algorithm;
};

std::string CaseName(const ::testing::TestParamInfo<GoldenCase>& info) {
  return info.param.name + "_" + info.param.algorithm;
}

class DBSCANGoldenTest : public ::testing::TestWithParam<GoldenCase> {};

// Labels are identical to scikit-learn's, numbering included (so the
// border samples reachable from two clusters go where scikit-learn puts
// them), and so are the core samples.
TEST_P(DBSCANGoldenTest, MatchesScikitLearnExactly) {
  const GoldenCase& c = GetParam();
  const std::string base = "dbscan_" + c.name;
  const Matrix x = Load(base + "_X.csv");
  const Matrix want_labels = Load(base + "_labels.csv");
  const Matrix want_core = Load(base + "_core.csv");
  DBSCANOptions o;
  o.eps = c.eps;
  o.min_samples = c.min_samples;
  o.metric = c.metric;
  o.algorithm = c.algorithm;
  o.leaf_size = 7;  // several levels even on small data
  DBSCAN db(o);
  ECLIPSERA_ASSERT_OK(db.Fit(x));
  ASSERT_EQ(db.labels().size(), x.rows());
  for (Index i = 0; i < x.rows(); ++i) {
    EXPECT_EQ(db.labels()[i], static_cast<int32_t>(want_labels(i, 0)))
        << "sample " << i;
  }
  ASSERT_EQ(db.core_sample_indices().size(), want_core.rows());
  for (Index i = 0; i < want_core.rows(); ++i) {
    EXPECT_EQ(db.core_sample_indices()[i], static_cast<Index>(want_core(i, 0)));
  }
  ASSERT_EQ(db.components().rows(), want_core.rows());
  if (want_core.rows() > 0) {
    EXPECT_TRUE(db.components().row(0) ==
                x.row(static_cast<Index>(want_core(0, 0))));
  }
  EXPECT_EQ(db.n_clusters(), static_cast<int>(want_labels.maxCoeff()) + 1);
  // Same output with parallel workers.
  o.n_jobs = 2;
  DBSCAN par(o);
  ECLIPSERA_ASSERT_OK(par.Fit(x));
  EXPECT_TRUE(par.labels() == db.labels());
  EXPECT_TRUE(par.core_sample_indices() == db.core_sample_indices());
}

std::vector<GoldenCase> Cases() {
  const std::vector<GoldenCase> base = {
      {"blobs2d", 0.3, 10, "euclidean", ""},
      {"touching2d", 0.16, 12, "euclidean", ""},
      {"blobs3d_manhattan", 0.6, 6, "manhattan", ""},
      {"blobs2d_chebyshev", 0.2, 5, "chebyshev", ""},
      {"blobs6d", 1.4, 5, "euclidean", ""},
      {"min1", 0.1, 1, "euclidean", ""},
  };
  std::vector<GoldenCase> out;
  for (const GoldenCase& c : base) {
    for (const char* a : {"auto", "grid", "kd_tree", "brute"}) {
      if (std::string(a) == "grid" && c.name == "blobs6d") continue;
      GoldenCase k = c;
      k.algorithm = a;
      out.push_back(k);
    }
  }
  out.push_back({"precomputed", 0.6, 5, "precomputed", "auto"});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Golden, DBSCANGoldenTest, ::testing::ValuesIn(Cases()),
                         CaseName);

// The grid, the k-d tree and brute force agree on larger random data with
// heavy overlap (many border samples reachable from several clusters).
// gap = 0: a compact box (the grid's dense cell table); gap = 1e5: half the
// groups moved far away, so the padded grid is too large for a table and
// the grid looks cells up in a hash map. In 4-D each neighbour run of the
// grid crosses three other axes. n_jobs is the default (every core): the
// grid joins cells from several threads at once. Spread 0.8 is sparse for
// the grid's small cells (it joins cells of side eps sample by sample),
// 0.15 dense (small cells joined whole).
TEST(DBSCANTest, AlgorithmsAgreeOnDenseRandomData) {
  for (Index d : {Index{1}, Index{2}, Index{3}, Index{4}})
    for (double gap : {0.0, 1e5})
      for (double spread : {0.8, 0.15}) {
        Random rng(40 + d);
        Matrix x(3000, d);
        for (Index i = 0; i < x.rows(); ++i) {
          const int group = static_cast<int>(rng.UniformInt(6));
          // In 4-D a gap of 1e5 would overflow the cell keys (the grid then
          // falls back to the k-d tree); 1e3 still needs the hash map.
          const double far = d == 4 ? gap / 100 : gap;
          const double shift = group + (group >= 3 ? far : 0.0);
          for (Index j = 0; j < d; ++j) x(i, j) = rng.Normal() * spread + shift;
        }
        for (const char* metric : {"euclidean", "manhattan", "chebyshev"}) {
          DBSCANOptions o;
          o.eps = d == 1 ? 0.01 : d == 2 ? 0.1 : d == 3 ? 0.3 : 0.5;
          o.min_samples = 4;
          o.metric = metric;
          o.algorithm = "brute";
          DBSCAN ref(o);
          ECLIPSERA_ASSERT_OK(ref.Fit(x));
          EXPECT_GT(ref.n_clusters(), 3);
          for (const char* a : {"grid", "kd_tree"}) {
            o.algorithm = a;
            DBSCAN db(o);
            ECLIPSERA_ASSERT_OK(db.Fit(x));
            EXPECT_TRUE(db.labels() == ref.labels()) << a << " " << metric;
            EXPECT_TRUE(db.core_sample_indices() == ref.core_sample_indices());
            EXPECT_EQ(db.algorithm_used(), a);
          }
        }
      }
}

// The workspace is grow-only on every path: after a fit on 3000 rows,
// Reset() and fits on the next folds (shorter, then full again) reallocate
// nothing and give a fresh estimator's labels; the v1.0 mode
// (ECLIPSERA_DISABLE_POOLING=1) gives the same labels from fresh buffers.
TEST(DBSCANTest, WorkspaceKeptAcrossFoldsOnEveryPath) {
  Random rng(7);
  Matrix x(3000, 2);
  for (Index i = 0; i < x.rows(); ++i) {
    const int group = static_cast<int>(rng.UniformInt(4));
    for (Index j = 0; j < 2; ++j) x(i, j) = rng.Normal() * 0.5 + group;
  }
  for (const char* algorithm : {"grid", "kd_tree", "brute"}) {
    DBSCANOptions o;
    o.eps = 0.1;
    o.min_samples = 4;
    o.algorithm = algorithm;
    DBSCAN reused(o);
    ECLIPSERA_ASSERT_OK(reused.Fit(x));
    const WorkspaceStats first = *reused.workspace_stats();
    EXPECT_GT(first.bytes, 3000 * 5) << algorithm;
    for (Index n : {2999, 2900, 3000}) {
      reused.Reset();
      ECLIPSERA_ASSERT_OK(reused.Fit(x.topRows(n)));
      EXPECT_EQ(reused.workspace_stats()->reallocations, first.reallocations)
          << algorithm << " n=" << n;
      EXPECT_EQ(reused.workspace_stats()->bytes, first.bytes)
          << algorithm << " n=" << n;
      DBSCAN fresh(o);
      ECLIPSERA_ASSERT_OK(fresh.Fit(x.topRows(n)));
      EXPECT_TRUE(reused.labels() == fresh.labels()) << algorithm << " " << n;
      pool::ScopedPoolingDisabled v1_mode(true);
      DBSCAN v1(o);
      ECLIPSERA_ASSERT_OK(v1.Fit(x.topRows(n)));
      EXPECT_TRUE(v1.labels() == fresh.labels()) << algorithm << " " << n;
    }
  }
}

TEST(DBSCANTest, AutoPicksGridForLowDimensions) {
  Matrix x = Matrix::Zero(20, 2);
  DBSCAN db;
  ECLIPSERA_ASSERT_OK(db.Fit(x));
  EXPECT_EQ(db.algorithm_used(), "grid");
  // All identical samples: one cluster of core samples.
  EXPECT_EQ(db.n_clusters(), 1);
  EXPECT_EQ(db.core_sample_indices().size(), 20);
}

// In 4-D 'auto' takes the grid when its cell table is small (compact
// data), and the k-d tree when the grid would need a hash map (the same
// data with one sample moved far away); the labels agree with brute force.
TEST(DBSCANTest, AutoPicksGridIn4DOnlyWithACellTable) {
  Random rng(7);
  Matrix x(2000, 4);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = rng.Uniform();
  for (const double far : {0.0, 1e3}) {
    x(0, 0) = far;
    DBSCANOptions o;
    o.eps = 0.15;
    o.min_samples = 5;
    o.algorithm = "brute";
    DBSCAN ref(o);
    ECLIPSERA_ASSERT_OK(ref.Fit(x));
    EXPECT_GT(ref.core_sample_indices().size(), 100);
    o.algorithm = "auto";
    DBSCAN db(o);
    ECLIPSERA_ASSERT_OK(db.Fit(x));
    EXPECT_EQ(db.algorithm_used(), far == 0.0 ? "grid" : "kd_tree");
    EXPECT_TRUE(db.labels() == ref.labels()) << far;
  }
}

TEST(DBSCANTest, RejectsBadInputAndStaysUsable) {
  Matrix x(4, 2);
  x << 0, 0, 0, 0.1, 5, 5, 5, 5.1;
  DBSCANOptions o;
  o.min_samples = 2;
  DBSCAN db(o);
  Matrix bad = x;
  bad(2, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(db.Fit(bad), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("DBSCAN::Fit")));
  EXPECT_THAT(db.Fit(Matrix(0, 2)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  auto expect_param_error = [&](DBSCANOptions bad_o, const char* what) {
    DBSCAN e(bad_o);
    EXPECT_THAT(e.Fit(x),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(what)));
  };
  DBSCANOptions b = o;
  b.eps = 0.0;
  expect_param_error(b, "eps");
  b = o;
  b.eps = -1.0;
  expect_param_error(b, "eps");
  b = o;
  b.min_samples = 0;
  expect_param_error(b, "min_samples");
  b = o;
  b.metric = "cosine";
  expect_param_error(b, "metric");
  b = o;
  b.algorithm = "ball";
  expect_param_error(b, "algorithm");
  b = o;
  b.leaf_size = 0;
  expect_param_error(b, "leaf_size");
  b = o;
  b.n_jobs = 0;
  expect_param_error(b, "n_jobs");
  b = o;
  b.metric = "precomputed";
  expect_param_error(b, "square");
  b = o;
  b.algorithm = "grid";
  {
    DBSCAN e(b);
    EXPECT_THAT(e.Fit(Matrix::Zero(5, 6)),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("at most 4 features")));
  }
  // The generic interface rejects an unknown name at SetParams.
  EXPECT_THAT(db.SetParams({{"metric", std::string("cosine")}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown metric 'cosine'")));
  // Still usable.
  ECLIPSERA_ASSERT_OK(db.Fit(x));
  EXPECT_EQ(db.labels()[0], 0);
  EXPECT_EQ(db.labels()[1], 0);
  EXPECT_EQ(db.labels()[2], 1);
  EXPECT_EQ(db.labels()[3], 1);
}

TEST(DBSCANTest, GenericInterfaceAndRegistry) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterDBSCAN(registry));
  absl::StatusOr<std::unique_ptr<Estimator>> e = registry.Create("dbscan");
  ECLIPSERA_ASSERT_OK(e);
  ECLIPSERA_ASSERT_OK((*e)->SetParams({{"eps", 0.5}, {"min_samples", 2}}));
  Matrix x(5, 1);
  x << 0, 0.2, 10, 10.3, 50;
  absl::StatusOr<Vector> labels = (*e)->FitPredict(x);
  ECLIPSERA_ASSERT_OK(labels);
  EXPECT_EQ((*labels)(0), 0);
  EXPECT_EQ((*labels)(2), 1);
  EXPECT_EQ((*labels)(4), -1);
  EXPECT_THAT((*e)->Predict(x), StatusIs(absl::StatusCode::kUnimplemented,
                                         HasSubstr("DBSCAN has no Predict")));
  const FittedScalarList scalars = (*e)->FittedScalars();
  ASSERT_EQ(scalars.size(), 3u);
  EXPECT_EQ(scalars[0].name, "n_clusters_found");
  EXPECT_EQ(scalars[0].value, 2);
  EXPECT_EQ(scalars[1].name, "n_noise");
  EXPECT_EQ(scalars[1].value, 1);
}

// Memory stays linear: a fit on 200,000 samples allocates far less than
// one neighbourhood list per sample would need.
TEST(DBSCANTest, MemoryIsLinearInSamples) {
  Random rng(5);
  Matrix x(200000, 2);
  for (Index i = 0; i < x.rows(); ++i) {
    x(i, 0) = rng.Normal();
    x(i, 1) = rng.Normal();
  }
  for (const char* a : {"grid", "kd_tree"}) {
    DBSCANOptions o;
    o.eps = 0.05;
    o.min_samples = 10;
    o.algorithm = a;
    DBSCAN db(o);
    eclipsera::testing::AllocationCounter counter;
    ECLIPSERA_ASSERT_OK(db.Fit(x));
    // About 100 neighbours per sample near the centre: lists would take
    // >= 200000 * 100 * 8 bytes = 160 MB.
    EXPECT_LT(counter.peak_bytes(), 40 << 20) << a;
    EXPECT_GT(db.n_clusters(), 0);
  }
}

}  // namespace
}  // namespace eclipsera::cluster
