#include "eclipsera/cluster/agglomerative.h"

#include <cmath>
#include <string>
#include <vector>

#include "eclipsera/cluster/internal/agglomerative_core.h"
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

Matrix ReadCsv(const std::string& name) {
  return ::eclipsera::testing::LoadGolden("eclipsera/cluster/testdata/" + name);
}

Matrix PairwiseEuclidean(const Matrix& x) {
  Matrix d(x.rows(), x.rows());
  for (Index i = 0; i < x.rows(); ++i) {
    for (Index j = 0; j < x.rows(); ++j) d(i, j) = (x.row(i) - x.row(j)).norm();
  }
  return d;
}

void ExpectTreeEq(const AgglomerativeClustering& m, const Matrix& golden,
                  double rel_tol) {
  ASSERT_EQ(m.children().rows(), golden.rows());
  for (Index i = 0; i < golden.rows(); ++i) {
    EXPECT_EQ(m.children()(i, 0), golden(i, 0)) << "row " << i;
    EXPECT_EQ(m.children()(i, 1), golden(i, 1)) << "row " << i;
    EXPECT_NEAR(m.distances()(i), golden(i, 2),
                rel_tol * std::abs(golden(i, 2)))
        << "row " << i;
  }
}

struct Case {
  std::string linkage;
  std::string metric;
};

class GoldenTest : public ::testing::TestWithParam<Case> {};

TEST_P(GoldenTest, MatchesScikitLearn) {
  const Case c = GetParam();
  const Matrix x = ReadCsv("agglomerative_x.csv");
  AgglomerativeClusteringOptions o;
  o.n_clusters = 3;
  o.linkage = c.linkage;
  o.metric = c.metric;
  o.compute_distances = true;
  AgglomerativeClustering m(o);
  ECLIPSERA_ASSERT_OK(
      m.Fit(c.metric == "precomputed" ? PairwiseEuclidean(x) : x));
  const std::string prefix = "agglomerative_sk_" + c.linkage + "_" + c.metric;
  ExpectTreeEq(m, ReadCsv(prefix + "_tree.csv"), 1e-9);
  const Matrix labels = ReadCsv(prefix + "_labels.csv");
  // scikit-learn numbers the clusters by its heap order: identical labels.
  ASSERT_EQ(m.labels().size(), labels.rows());
  for (Index i = 0; i < labels.rows(); ++i) {
    EXPECT_EQ(m.labels()(i), labels(i, 0)) << "sample " << i;
  }
  EXPECT_EQ(m.n_leaves(), x.rows());
  EXPECT_EQ(m.n_connected_components(), 1);
  EXPECT_EQ(m.n_clusters_found(), 3);
}

INSTANTIATE_TEST_SUITE_P(
    AllLinkages, GoldenTest,
    ::testing::Values(Case{"ward", "euclidean"}, Case{"complete", "euclidean"},
                      Case{"complete", "manhattan"}, Case{"complete", "cosine"},
                      Case{"complete", "precomputed"},
                      Case{"average", "euclidean"},
                      Case{"average", "manhattan"}, Case{"average", "cosine"},
                      Case{"average", "precomputed"},
                      Case{"single", "euclidean"}, Case{"single", "manhattan"},
                      Case{"single", "cosine"}, Case{"single", "precomputed"}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return info.param.linkage + "_" + info.param.metric;
    });

TEST(AgglomerativeClusteringTest, DistanceThresholdMatchesScikitLearn) {
  const Matrix x = ReadCsv("agglomerative_x.csv");
  for (const auto& [linkage, threshold] :
       std::vector<std::pair<std::string, double>>{
           {"ward", 3.0}, {"average", 1.5}, {"single", 0.8}}) {
    AgglomerativeClusteringOptions o;
    o.n_clusters = std::nullopt;
    o.distance_threshold = threshold;
    o.linkage = linkage;
    AgglomerativeClustering m(o);
    ECLIPSERA_ASSERT_OK(m.Fit(x));
    const std::string prefix = "agglomerative_sk_" + linkage + "_threshold";
    EXPECT_EQ(m.n_clusters_found(), ReadCsv(prefix + "_n.csv")(0, 0))
        << linkage;
    const Matrix labels = ReadCsv(prefix + "_labels.csv");
    for (Index i = 0; i < labels.rows(); ++i) {
      EXPECT_EQ(m.labels()(i), labels(i, 0)) << linkage << " sample " << i;
    }
    EXPECT_EQ(m.distances().size(), x.rows() - 1);
  }
}

TEST(AgglomerativeClusteringTest, NineClustersHeapOrderLabels) {
  const Matrix x = ReadCsv("agglomerative_x.csv");
  AgglomerativeClusteringOptions o;
  o.n_clusters = 9;
  o.linkage = "average";
  AgglomerativeClustering m(o);
  ECLIPSERA_ASSERT_OK(m.Fit(x));
  const Matrix labels = ReadCsv("agglomerative_sk_average_k9_labels.csv");
  for (Index i = 0; i < labels.rows(); ++i) {
    EXPECT_EQ(m.labels()(i), labels(i, 0)) << "sample " << i;
  }
  EXPECT_EQ(m.distances().size(), 0);  // compute_distances is false
}

// Ties on an integer grid (exact distances): single linkage follows
// scikit-learn's MST order exactly (first minimum in index order, stable
// sort of equal merge distances).
TEST(AgglomerativeClusteringTest, SingleLinkageTiesAsScikitLearn) {
  const Matrix g = ReadCsv("agglomerative_ties_x.csv");
  AgglomerativeClusteringOptions o;
  o.n_clusters = 4;
  o.linkage = "single";
  o.compute_distances = true;
  AgglomerativeClustering m(o);
  ECLIPSERA_ASSERT_OK(m.Fit(g));
  ExpectTreeEq(m, ReadCsv("agglomerative_ties_sk_single_tree.csv"), 0.0);
  const Matrix labels = ReadCsv("agglomerative_ties_sk_single_labels.csv");
  for (Index i = 0; i < labels.rows(); ++i) {
    EXPECT_EQ(m.labels()(i), labels(i, 0)) << "sample " << i;
  }
}

TEST(AgglomerativeClusteringTest, FitPredictThroughRegistry) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAgglomerativeClustering(registry));
  absl::StatusOr<std::unique_ptr<Estimator>> e =
      registry.Create("agglomerativeclustering");
  ECLIPSERA_ASSERT_OK(e);
  ECLIPSERA_ASSERT_OK((*e)->SetParams(
      {{"n_clusters", int64_t{3}}, {"linkage", std::string("complete")}}));
  const Matrix x = ReadCsv("agglomerative_x.csv");
  absl::StatusOr<Vector> labels = (*e)->FitPredict(x);
  ECLIPSERA_ASSERT_OK(labels);
  const Matrix golden =
      ReadCsv("agglomerative_sk_complete_euclidean_labels.csv");
  for (Index i = 0; i < golden.rows(); ++i) {
    EXPECT_EQ((*labels)(i), golden(i, 0));
  }
  EXPECT_THAT((*e)->Predict(x), StatusIs(absl::StatusCode::kUnimplemented,
                                         HasSubstr("no Predict")));
  FittedScalarList scalars = (*e)->FittedScalars();
  ASSERT_FALSE(scalars.empty());
  EXPECT_EQ(scalars[0].name, "n_clusters_found");
  EXPECT_EQ(scalars[0].value, 3.0);
}

TEST(AgglomerativeClusteringTest, ComputeFullTreeParam) {
  AgglomerativeClustering m;
  EXPECT_EQ(std::get<std::string>(m.GetParams().at("compute_full_tree")),
            "auto");
  ECLIPSERA_ASSERT_OK(m.SetParams({{"compute_full_tree", false}}));
  EXPECT_EQ(std::get<bool>(m.GetParams().at("compute_full_tree")), false);
  EXPECT_THAT(m.SetParams({{"compute_full_tree", std::string("maybe")}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("compute_full_tree")));
  EXPECT_THAT(m.SetParams({{"linkage", std::string("median")}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown linkage 'median'")));
  // false is fine with n_clusters (the tree is still built in full).
  ECLIPSERA_EXPECT_OK(m.Fit(ReadCsv("agglomerative_x.csv")));
}

TEST(AgglomerativeClusteringTest, BadInputGivesClearStatusAndStaysUsable) {
  const Matrix x = ReadCsv("agglomerative_x.csv");
  auto fit = [&](AgglomerativeClusteringOptions o, const Matrix& data) {
    AgglomerativeClustering m(o);
    return m.Fit(data);
  };
  AgglomerativeClusteringOptions o;
  Matrix nan = x;
  nan(3, 1) = std::nan("");
  EXPECT_THAT(fit(o, nan), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("AgglomerativeClustering::Fit")));
  Matrix inf = x;
  inf(0, 0) = INFINITY;
  EXPECT_THAT(fit(o, inf),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("X")));
  EXPECT_THAT(fit(o, Matrix(0, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(fit(o, Matrix::Ones(1, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("2")));
  AgglomerativeClusteringOptions big = o;
  big.n_clusters = 41;
  EXPECT_THAT(fit(big, x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("n_clusters (41) > n_samples (40)")));
  AgglomerativeClusteringOptions zero = o;
  zero.n_clusters = 0;
  EXPECT_THAT(fit(zero, x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("n_clusters = 0, must be >= 1")));
  AgglomerativeClusteringOptions both = o;
  both.distance_threshold = 1.0;
  EXPECT_THAT(fit(both, x), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("exactly one of n_clusters and "
                                               "distance_threshold")));
  AgglomerativeClusteringOptions neither = o;
  neither.n_clusters = std::nullopt;
  EXPECT_THAT(fit(neither, x), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("exactly one of")));
  AgglomerativeClusteringOptions negative = neither;
  negative.distance_threshold = -1.0;
  EXPECT_THAT(fit(negative, x), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("distance_threshold = -1")));
  AgglomerativeClusteringOptions partial = neither;
  partial.distance_threshold = 1.0;
  partial.compute_full_tree = "false";
  EXPECT_THAT(fit(partial, x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("compute_full_tree must be true")));
  AgglomerativeClusteringOptions linkage = o;
  linkage.linkage = "median";
  EXPECT_THAT(fit(linkage, x), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("unknown linkage 'median'")));
  AgglomerativeClusteringOptions metric = o;
  metric.linkage = "average";
  metric.metric = "chebyshev";
  EXPECT_THAT(fit(metric, x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown metric 'chebyshev'")));
  AgglomerativeClusteringOptions ward = o;
  ward.metric = "manhattan";
  EXPECT_THAT(fit(ward, x),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'ward' works only with metric 'euclidean'")));
  AgglomerativeClusteringOptions pre = o;
  pre.linkage = "average";
  pre.metric = "precomputed";
  EXPECT_THAT(fit(pre, x), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("square distance matrix")));
  AgglomerativeClusteringOptions cosine = o;
  cosine.linkage = "average";
  cosine.metric = "cosine";
  Matrix zero_row = x;
  zero_row.row(5).setZero();
  EXPECT_THAT(
      fit(cosine, zero_row),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sample 5")));

  // The same object is usable after errors.
  AgglomerativeClustering m(big);
  EXPECT_FALSE(m.Fit(x).ok());
  EXPECT_FALSE(m.fitted());
  ECLIPSERA_ASSERT_OK(m.SetParams({{"n_clusters", int64_t{3}}}));
  ECLIPSERA_ASSERT_OK(m.Fit(x));
  EXPECT_EQ(m.n_clusters_found(), 3);
}

TEST(AgglomerativeClusteringTest, OneClusterAndAllSingletons) {
  const Matrix x = ReadCsv("agglomerative_x.csv");
  AgglomerativeClusteringOptions o;
  o.n_clusters = 1;
  AgglomerativeClustering m(o);
  ECLIPSERA_ASSERT_OK(m.Fit(x));
  EXPECT_EQ(m.labels().maxCoeff(), 0);
  ECLIPSERA_ASSERT_OK(m.SetParams({{"n_clusters", int64_t{40}}}));
  ECLIPSERA_ASSERT_OK(m.Fit(x));
  std::vector<int> seen(40, 0);
  for (Index i = 0; i < 40; ++i) ++seen[m.labels()(i)];
  for (int s : seen) EXPECT_EQ(s, 1);
  // Two samples.
  ECLIPSERA_ASSERT_OK(m.SetParams({{"n_clusters", int64_t{1}}}));
  ECLIPSERA_ASSERT_OK(m.Fit(x.topRows(2)));
  EXPECT_EQ(m.children()(0, 0), 0);
  EXPECT_EQ(m.children()(0, 1), 1);
}

// Second and later fits on data of the same size reuse the workspace and the
// result arrays: no heap allocation at all (so none in the merge loops),
// for every linkage. The v1.0 mode allocates in every merge step.
TEST(AgglomerativeClusteringTest, RefitDoesNotAllocate) {
  const Matrix x = ReadCsv("agglomerative_y.csv");
  for (const std::string linkage : {"ward", "complete", "average", "single"}) {
    AgglomerativeClusteringOptions o;
    o.linkage = linkage;
    o.n_clusters = 5;
    o.compute_distances = true;
    AgglomerativeClustering m(o);
    ECLIPSERA_ASSERT_OK(m.Fit(x));
    const LabelVector first = m.labels();
    testing::AllocationCounter counter;
    absl::Status s = m.Fit(x);
    const int64_t allocations = counter.allocations();
    ECLIPSERA_ASSERT_OK(s);
    EXPECT_EQ(allocations, 0) << linkage;
    EXPECT_EQ(m.labels(), first);

    // ECLIPSERA_DISABLE_POOLING=1 for the rest of this scope.
    pool::ScopedPoolingDisabled v1_mode(true);
    AgglomerativeClustering v1(o);
    ECLIPSERA_ASSERT_OK(v1.Fit(x));
    counter.Restart();
    ECLIPSERA_ASSERT_OK(v1.Fit(x));
    EXPECT_GT(counter.allocations(), x.rows() / 2) << linkage;
    EXPECT_EQ(v1.labels(), first) << linkage;
    EXPECT_EQ(v1.children(), m.children()) << linkage;
    EXPECT_EQ(v1.distances(), m.distances()) << linkage;
  }
}

// Scans split into parallel chunks only above 8192 positions.
TEST(AgglomerativeClusteringTest, SameResultForAnyNJobs) {
  const Index n = 8300;
  Matrix x(n, 2);
  uint64_t state = 12345;
  for (Index i = 0; i < x.size(); ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    x.data()[i] = static_cast<double>(state >> 11) * 0x1.0p-53;
  }
  for (const std::string linkage : {"ward", "single"}) {
    AgglomerativeClusteringOptions o;
    o.linkage = linkage;
    o.n_clusters = 7;
    o.compute_distances = true;
    AgglomerativeClustering serial(o);
    ECLIPSERA_ASSERT_OK(serial.Fit(x));
    o.n_jobs = 2;
    AgglomerativeClustering parallel(o);
    ECLIPSERA_ASSERT_OK(parallel.Fit(x));
    EXPECT_EQ(serial.children(), parallel.children()) << linkage;
    EXPECT_EQ(serial.distances(), parallel.distances()) << linkage;
    EXPECT_EQ(serial.labels(), parallel.labels()) << linkage;
  }
  AgglomerativeClusteringOptions bad;
  bad.n_jobs = 0;
  AgglomerativeClustering m(bad);
  EXPECT_THAT(m.Fit(x.topRows(10)), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("n_jobs = 0")));
}

// CutTree labels every leaf of a valid tree, and on children that are not
// a tree (a cycle, a shared child, an index out of range: what NaN merge
// distances used to produce) returns false instead of hanging, writing out
// of bounds or leaving labels uninitialised.
TEST(CutTreeTest, ValidTreeAndCorruptChildren) {
  cluster_internal::AgglomerativeWorkspace ws;
  // 4 leaves: node 4 = (0, 1), node 5 = (2, 3), node 6 = (4, 5).
  std::vector<Index> children = {0, 1, 2, 3, 4, 5};
  std::vector<int32_t> labels(4, 99);
  ASSERT_TRUE(
      cluster_internal::CutTree(2, children.data(), 4, &ws, labels.data()));
  EXPECT_EQ(labels[0], labels[1]);
  EXPECT_EQ(labels[2], labels[3]);
  EXPECT_NE(labels[0], labels[2]);
  const std::vector<std::vector<Index>> corrupt = {
      {0, 1, 2, 3, 6, 5},        // node 6 is its own child
      {0, 1, 0, 3, 4, 5},        // leaf 0 under two parents, leaf 2 lost
      {0, 1, 2, 3, 4, 1000000},  // out of range
      {0, -1, 2, 3, 4, 5},       // negative
      {5, 1, 2, 3, 4, 5},        // a child larger than its parent
  };
  for (const std::vector<Index>& c : corrupt) {
    for (Index k = 1; k <= 4; ++k) {
      std::vector<int32_t> l(4, 99);
      const bool ok = cluster_internal::CutTree(k, c.data(), 4, &ws, l.data());
      if (!ok) {
        for (int32_t v : l) EXPECT_TRUE(v >= -1 && v < k) << v;
      } else {
        for (int32_t v : l) EXPECT_TRUE(v >= 0 && v < k) << v;
      }
    }
    EXPECT_FALSE(cluster_internal::CutTree(4, c.data(), 4, &ws, labels.data()))
        << c[0] << c[1] << c[2] << c[3] << c[4] << c[5];
  }
}

}  // namespace
}  // namespace eclipsera::cluster
