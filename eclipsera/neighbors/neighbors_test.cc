#include "eclipsera/neighbors/neighbors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "eclipsera/core/random.h"
#include "eclipsera/core/testing.h"
#include "eclipsera/testing/alloc_counter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::neighbors {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

Matrix RandomData(Index n, Index d, uint64_t seed, bool grid = false) {
  Random rng(seed);
  Matrix x(n, d);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < d; ++j) {
      // A coarse grid creates many exact distance ties.
      x(i, j) = grid ? static_cast<double>(rng.UniformInt(5))
                     : rng.Normal() * (j + 1);
    }
  }
  return x;
}

// Reference: every point, sorted by (distance, index).
std::vector<std::pair<double, Index>> AllSorted(const Matrix& x,
                                                const double* q, Metric m,
                                                Index exclude = -1) {
  std::vector<std::pair<double, Index>> all;
  for (Index i = 0; i < x.rows(); ++i) {
    if (i == exclude) continue;
    all.emplace_back(Distance(m, q, x.row(i).data(), x.cols()), i);
  }
  std::sort(all.begin(), all.end());
  return all;
}

struct Case {
  Metric metric;
  Index d;
  bool grid;
};

class NeighborsTest : public ::testing::TestWithParam<Case> {};

TEST_P(NeighborsTest, TreeAndBruteMatchReference) {
  const Case c = GetParam();
  const Matrix x = RandomData(700, c.d, 7, c.grid);
  const Matrix queries = RandomData(60, c.d, 8, c.grid);
  KDTree tree(x, c.metric, /*leaf_size=*/5);
  BruteForce brute(x, c.metric);
  EXPECT_GT(tree.num_nodes(), 1);
  QueryScratch scratch;
  const double radius = c.grid ? 2.0 : 1.0 + 0.5 * c.d;
  for (const NeighborIndex* index :
       std::vector<const NeighborIndex*>{&tree, &brute}) {
    for (Index qi = 0; qi < queries.rows(); ++qi) {
      const double* q = queries.row(qi).data();
      const auto ref = AllSorted(x, q, c.metric);
      std::vector<Index> want;
      Vector want_sum = Vector::Zero(c.d);
      for (const auto& [dist, i] : ref) {
        if (dist <= radius) {
          want.push_back(i);
          want_sum += x.row(i).transpose();
        }
      }
      std::sort(want.begin(), want.end());
      // Count, with and without a limit.
      EXPECT_EQ(index->RadiusCount(q, radius, scratch),
                static_cast<Index>(want.size()));
      EXPECT_EQ(index->RadiusCount(q, radius, scratch, 3),
                std::min<Index>(3, want.size()));
      // Indices and distances.
      std::vector<Index> got;
      std::vector<double> dist;
      index->RadiusQuery(q, radius, scratch, &got, &dist);
      ASSERT_EQ(got.size(), dist.size());
      for (size_t j = 0; j < got.size(); ++j) {
        EXPECT_NEAR(dist[j], Distance(c.metric, q, x.row(got[j]).data(), c.d),
                    1e-12);
      }
      std::sort(got.begin(), got.end());
      EXPECT_THAT(got, ElementsAreArray(want));
      // Sum.
      Vector sum(c.d);
      EXPECT_EQ(index->RadiusSum(q, radius, scratch, sum.data()),
                static_cast<Index>(want.size()));
      for (Index j = 0; j < c.d; ++j) EXPECT_NEAR(sum[j], want_sum[j], 1e-9);
      // k nearest, exact order including ties by index.
      for (Index k : {Index{1}, Index{7}, Index{50}}) {
        std::vector<Index> idx(k);
        std::vector<double> kd(k);
        index->KNearest(q, k, scratch, idx.data(), kd.data());
        for (Index j = 0; j < k; ++j) {
          EXPECT_EQ(idx[j], ref[j].second) << "query " << qi << " k " << k;
          EXPECT_NEAR(kd[j], ref[j].first, 1e-12);
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Metrics, NeighborsTest,
                         ::testing::Values(Case{Metric::kEuclidean, 2, false},
                                           Case{Metric::kEuclidean, 5, false},
                                           Case{Metric::kManhattan, 3, false},
                                           Case{Metric::kChebyshev, 4, false},
                                           Case{Metric::kEuclidean, 3, true},
                                           Case{Metric::kManhattan, 2, true},
                                           Case{Metric::kChebyshev, 2, true}));

TEST(KNearestAllTest, MatchesReferenceForTreeAndGemmBrute) {
  for (Index d : {Index{3}, Index{20}}) {
    const Matrix x = RandomData(1500, d, 11);
    const Index k = 9;
    for (Algorithm a : {Algorithm::kKDTree, Algorithm::kBrute}) {
      auto index = BuildIndex(x, Metric::kEuclidean, a);
      ECLIPSERA_ASSERT_OK(index);
      IndexMatrix idx;
      Matrix dist;
      ECLIPSERA_ASSERT_OK(KNearestAll(**index, x, k, /*n_jobs=*/1, &idx, &dist,
                                      /*exclude_self=*/true));
      ASSERT_EQ(idx.rows(), x.rows());
      for (Index i = 0; i < x.rows(); i += 37) {
        const auto ref = AllSorted(x, x.row(i).data(), Metric::kEuclidean, i);
        for (Index j = 0; j < k; ++j) {
          EXPECT_EQ(idx(i, j), ref[j].second) << "d " << d << " row " << i;
          EXPECT_NEAR(dist(i, j), ref[j].first, 1e-12);
        }
      }
      // Identical for any n_jobs.
      IndexMatrix idx2;
      Matrix dist2;
      ECLIPSERA_ASSERT_OK(
          KNearestAll(**index, x, k, /*n_jobs=*/2, &idx2, &dist2, true));
      EXPECT_TRUE(idx == idx2);
      EXPECT_TRUE(dist == dist2);
      // Other queries, not excluding self.
      const Matrix q = RandomData(40, d, 12);
      ECLIPSERA_ASSERT_OK(KNearestAll(**index, q, k, -1, &idx, nullptr));
      for (Index i = 0; i < q.rows(); ++i) {
        const auto ref = AllSorted(x, q.row(i).data(), Metric::kEuclidean);
        EXPECT_EQ(idx(i, 0), ref[0].second);
        EXPECT_EQ(idx(i, k - 1), ref[k - 1].second);
      }
    }
  }
}

TEST(KNearestAllTest, RejectsBadK) {
  const Matrix x = RandomData(10, 2, 1);
  KDTree tree(x, Metric::kEuclidean);
  IndexMatrix idx;
  EXPECT_THAT(KNearestAll(tree, x, 10, 1, &idx, nullptr, true),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("k = 10, must be in [1, 9]")));
  EXPECT_THAT(KNearestAll(tree, x, 0, 1, &idx, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("k = 0")));
  EXPECT_THAT(KNearestAll(tree, RandomData(3, 4, 1), 1, 1, &idx, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("queries are 3 x 4")));
}

TEST(NeighborsTest, QueriesDoNotAllocateOnceScratchHasGrown) {
  const Matrix x = RandomData(2000, 2, 3);
  KDTree tree(x, Metric::kEuclidean);
  QueryScratch scratch;
  std::vector<Index> idx;
  std::vector<double> dist;
  std::vector<Index> knn(20);
  Vector sum(2);
  // Grow every buffer once.
  tree.RadiusQuery(x.row(0).data(), 10.0, scratch, &idx, &dist);
  tree.KNearest(x.row(0).data(), 20, scratch, knn.data(), nullptr);
  eclipsera::testing::AllocationCounter counter;
  Index total = 0;
  for (Index i = 0; i < x.rows(); ++i) {
    const double* q = x.row(i).data();
    total += tree.RadiusCount(q, 0.3, scratch);
    total += tree.RadiusSum(q, 0.3, scratch, sum.data());
    tree.RadiusQuery(q, 0.3, scratch, &idx, &dist);
    tree.KNearest(q, 20, scratch, knn.data(), nullptr);
  }
  EXPECT_EQ(counter.allocations(), 0);
  EXPECT_GT(total, 2 * x.rows());
}

TEST(NeighborsTest, DuplicatePointsAndParsing) {
  Matrix x = Matrix::Ones(100, 3);
  KDTree tree(x, Metric::kEuclidean, 4);
  QueryScratch scratch;
  EXPECT_EQ(tree.RadiusCount(x.row(0).data(), 0.0, scratch), 100);
  std::vector<Index> idx(5);
  tree.KNearest(x.row(0).data(), 5, scratch, idx.data(), nullptr, 0);
  EXPECT_THAT(idx, ElementsAreArray({1, 2, 3, 4, 5}));
  EXPECT_THAT(ParseMetric("cosine"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown metric 'cosine'")));
  EXPECT_THAT(ParseAlgorithm("ball_tree"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown algorithm 'ball_tree'")));
  EXPECT_THAT(
      BuildIndex(x, Metric::kEuclidean, Algorithm::kKDTree, 0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("leaf_size = 0")));
}

}  // namespace
}  // namespace eclipsera::neighbors

namespace eclipsera::neighbors {
namespace {

TEST(NeighborsBadInputTest, RejectsNonFiniteAndEmptyData) {
  Matrix x = Matrix::Zero(5, 2);
  x(3, 1) = std::numeric_limits<double>::quiet_NaN();
  absl::StatusOr<std::unique_ptr<NeighborIndex>> index =
      BuildIndex(x, Metric::kEuclidean, Algorithm::kKDTree, 10);
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(index.status().message()).find("row 3, column 1"),
            std::string::npos);
  EXPECT_FALSE(
      BuildIndex(Matrix(0, 2), Metric::kEuclidean, Algorithm::kBrute, 10).ok());
}

}  // namespace
}  // namespace eclipsera::neighbors
