// Golden tests of t-SNE's building blocks against scikit-learn 1.2.
#include <cmath>
#include <utility>
#include <vector>

#include "eclipsera/core/random.h"
#include "eclipsera/manifold/internal/gradient.h"
#include "eclipsera/manifold/internal/knn.h"
#include "eclipsera/manifold/internal/pca.h"
#include "eclipsera/manifold/internal/perplexity.h"
#include "eclipsera/manifold/internal/space_tree.h"
#include "eclipsera/testing/golden.h"
#include "gtest/gtest.h"

namespace eclipsera::manifold_internal {
namespace {

constexpr char kDir[] = "eclipsera/manifold/testdata/";

Matrix Load(const std::string& name) {
  return ::eclipsera::testing::LoadGolden(std::string(kDir) + name);
}

TEST(JointProbabilitiesTest, DenseMatchesScikitLearn) {
  const Matrix x = Load("tsne_small_x.csv");
  const Matrix expected = Load("tsne_small_p_exact_perp10.csv");
  ASSERT_EQ(x.rows(), 60);
  ASSERT_EQ(expected.rows(), 60);
  for (int n_jobs : {1, 2}) {
    Matrix p;
    JointProbabilitiesDense(x, false, 10.0, n_jobs, &p);
    ASSERT_EQ(p.rows(), 60);
    EXPECT_LE((p - expected).cwiseAbs().maxCoeff(), 1e-10);
    EXPECT_NEAR(p.sum(), 1.0, 1e-9);
  }
}

TEST(JointProbabilitiesTest, PrecomputedEqualsEuclidean) {
  const Matrix x = Load("tsne_small_x.csv");
  const Index n = x.rows();
  Matrix d(n, n);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) d(i, j) = (x.row(i) - x.row(j)).norm();
  }
  Matrix a, b;
  JointProbabilitiesDense(x, false, 10.0, 1, &a);
  JointProbabilitiesDense(d, true, 10.0, 1, &b);
  EXPECT_LE((a - b).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(JointProbabilitiesTest, NearestNeighboursMatchScikitLearn) {
  const Matrix x = Load("tsne_small_x.csv");
  const Matrix triplets = Load("tsne_small_p_nn_perp5.csv");
  ASSERT_GT(triplets.rows(), 0);
  const Index n = x.rows();
  Matrix expected = Matrix::Zero(n, n);
  for (Index r = 0; r < triplets.rows(); ++r) {
    expected(static_cast<Index>(triplets(r, 0)),
             static_cast<Index>(triplets(r, 1))) = triplets(r, 2);
  }
  KnnGraph knn;
  NearestNeighbors(x, false, 16, 2, &knn);
  // Sorted by distance, self excluded.
  for (Index i = 0; i < n; ++i) {
    for (Index t = 0; t < 16; ++t) EXPECT_NE(knn.indices(i, t), i);
    for (Index t = 1; t < 16; ++t) {
      EXPECT_LE(knn.sq_distances(i, t - 1), knn.sq_distances(i, t));
    }
  }
  CsrMatrix p;
  JointProbabilitiesNn(knn, 5.0, 1, &p);
  Matrix dense = Matrix::Zero(n, n);
  for (Index i = 0; i < n; ++i) {
    for (int64_t e = p.indptr[i]; e < p.indptr[i + 1]; ++e) {
      dense(i, p.indices[e]) = p.values[e];
      if (e > p.indptr[i]) {
        EXPECT_LT(p.indices[e - 1], p.indices[e]);
      }
    }
  }
  EXPECT_EQ(static_cast<Index>(p.values.size()), triplets.rows());
  EXPECT_LE((dense - expected).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(BinarySearchTest, ReachesPerplexity) {
  std::vector<float> d = {1.0f, 2.0f, 4.0f, 0.5f, 3.0f, 9.0f, 0.1f};
  std::vector<double> p(d.size());
  BinarySearchPerplexityRow(d.data(), d.size(), 2, 3.0f, p.data());
  EXPECT_EQ(p[2], 0.0);
  double sum = 0.0, entropy = 0.0;
  for (double v : p) {
    sum += v;
    if (v > 0) entropy -= v * std::log(v);
  }
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_NEAR(std::exp(entropy), 3.0, 1e-3);
}

// Brute-force sklearn-style exact gradient for comparison.
Vector ReferenceGradient(const Matrix& p, const Matrix& y, int dof,
                         double* kl) {
  const Index n = y.rows();
  double sum = 0.0;
  Matrix w(n, n);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) {
      const double d2 = (y.row(i) - y.row(j)).squaredNorm();
      w(i, j) = i == j ? 0.0 : std::pow(1.0 + d2 / dof, -(dof + 1.0) / 2.0);
      sum += w(i, j);
    }
  }
  Matrix g = Matrix::Zero(n, y.cols());
  *kl = 0.0;
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) {
      if (i == j) continue;
      const double q = std::max(w(i, j) / sum, kMachineEpsilon);
      g.row(i) += (p(i, j) - q) * w(i, j) * (y.row(i) - y.row(j));
      *kl += p(i, j) * std::log(std::max(p(i, j), kMachineEpsilon) / q);
    }
  }
  g *= 2.0 * (dof + 1.0) / dof;
  return Eigen::Map<Vector>(g.data(), g.size());
}

TEST(ExactGradientTest, MatchesReference) {
  const Matrix x = Load("tsne_small_x.csv");
  Matrix p;
  JointProbabilitiesDense(x, false, 10.0, 1, &p);
  for (int d : {2, 3}) {
    Matrix y = x.leftCols(d) * 0.7;
    const int dof = std::max(d - 1, 1);
    double kl_ref = 0.0;
    const Vector ref = ReferenceGradient(p, y, dof, &kl_ref);
    ExactGradient g;
    g.Resize(y.rows(), d, 2);
    Vector grad(y.size());
    const double kl = g.Compute(p, y.data(), dof, true, 2, grad.data());
    EXPECT_LE((grad - ref).cwiseAbs().maxCoeff(), 1e-12 * ref.norm());
    EXPECT_NEAR(kl, kl_ref, 1e-12);
    const double no_error = g.Compute(p, y.data(), dof, false, 1, grad.data());
    EXPECT_TRUE(std::isnan(no_error));
    // The allocating kernel-matrix path gives the same bits.
    Matrix kernel(y.rows(), y.rows());
    Vector grad2(y.size());
    g.Compute(p, y.data(), dof, false, 1, grad2.data(), &kernel);
    EXPECT_EQ(grad, grad2);
  }
}

TEST(BarnesHutGradientTest, AngleZeroEqualsExact) {
  const Matrix x = Load("tsne_small_x.csv");
  Matrix p;
  JointProbabilitiesDense(x, false, 10.0, 1, &p);
  const Index n = p.rows();
  CsrMatrix sp;
  sp.n = n;
  sp.indptr.push_back(0);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) {
      if (j != i) {
        sp.indices.push_back(static_cast<int32_t>(j));
        sp.values.push_back(p(i, j));
      }
    }
    sp.indptr.push_back(static_cast<int64_t>(sp.indices.size()));
  }
  for (int d : {1, 2, 3}) {
    Matrix y = x.leftCols(d) * 0.7;
    const int dof = std::max(d - 1, 1);
    ExactGradient exact;
    exact.Resize(n, d, 1);
    Vector ge(y.size()), gb(y.size());
    exact.Compute(p, y.data(), dof, false, 1, ge.data());
    BarnesHutGradient bh;
    bh.Resize(n, d, 2);
    bh.Compute(sp, y.data(), dof, 0.0, false, 2, gb.data());
    if (dof == 1) {
      EXPECT_LE((ge - gb).cwiseAbs().maxCoeff(), 1e-10 * ge.norm()) << d;
    }
    EXPECT_GT(bh.tree().num_cells(), n);
    // A coarser angle stays close.
    Vector gc(y.size());
    bh.Compute(sp, y.data(), dof, 0.5, false, 1, gc.data());
    if (dof == 1) {
      EXPECT_LE((gc - ge).norm(), 0.05 * ge.norm()) << d;
    }
  }
}

TEST(SpaceTreeTest, SumOfKernelOverAllOtherPoints) {
  Matrix y(5, 2);
  y << 0, 0, 1, 0, 0, 1, 1, 1, 1, 1;  // a duplicate pair
  SpaceTree tree;
  tree.Build(y.data(), 5, 2);
  double neg[2] = {0, 0};
  const double sum_q = tree.Repulsion(y.row(0).data(), 0.0, 1, neg);
  EXPECT_NEAR(sum_q, 0.5 + 0.5 + 2.0 / 3.0, 1e-15);
  double neg3[2] = {0, 0};
  // The duplicates count each other once (q = 1) with no force.
  const double q3 = tree.Repulsion(y.row(3).data(), 0.0, 1, neg3);
  EXPECT_NEAR(q3, 1.0 / 3.0 + 0.5 + 0.5 + 1.0, 1e-15);
  EXPECT_NEAR(neg3[0], 0.5 * 0.5 * 1.0 + 1.0 / 9.0, 1e-15);
  EXPECT_NEAR(neg3[1], 0.5 * 0.5 * 1.0 + 1.0 / 9.0, 1e-15);
}

TEST(PcaTest, ProjectsOnLeadingAxisWithSign) {
  Matrix x(4, 2);
  x << -3, 0.1, -1, -0.1, 1, 0.1, 3, -0.1;
  Matrix s = PcaProject(x, 1);
  ASSERT_EQ(s.rows(), 4);
  EXPECT_NEAR(std::abs(s(0, 0)), 3.0, 1e-2);
  // svd_flip: the largest-magnitude score is positive.
  Index arg;
  s.col(0).cwiseAbs().maxCoeff(&arg);
  EXPECT_GT(s(arg, 0), 0.0);
}

// The Gram path (n < d) and the covariance path give the same scores,
// svd_flip signs included, on wide and tall matrices.
TEST(PcaTest, GramAndCovariancePathsAgree) {
  for (const auto& [n, d] : {std::pair<Index, Index>{6, 40}, {40, 6}}) {
    Matrix x(n, d);
    for (Index i = 0; i < n; ++i) {
      for (Index j = 0; j < d; ++j) {
        x(i, j) = std::sin(1.7 * i + 0.3 * j * j + 0.11 * i * j) + 0.5 * i;
      }
    }
    const Matrix gram = PcaProject(x, 3, PcaSolver::kGram);
    const Matrix cov = PcaProject(x, 3, PcaSolver::kCovariance);
    const Matrix aut = PcaProject(x, 3);
    ASSERT_EQ(gram.rows(), n);
    ASSERT_EQ(gram.cols(), 3);
    EXPECT_LE((gram - cov).cwiseAbs().maxCoeff(),
              1e-9 * cov.cwiseAbs().maxCoeff())
        << n << " x " << d;
    EXPECT_EQ(aut, n < d ? gram : cov);
    // Scores are uncorrelated with decreasing variance.
    const Matrix c = gram.transpose() * gram;
    EXPECT_LE(std::abs(c(0, 1)), 1e-9 * c(0, 0));
    EXPECT_GE(c(0, 0), c(1, 1));
    EXPECT_GE(c(1, 1), c(2, 2));
  }
}

// The randomized solver (picked by kAuto when both sides exceed 500) gives
// the exact scores, svd_flip signs included, when the leading singular
// values are separated: a planted rank-3 signal plus small noise.
TEST(PcaTest, RandomizedSolverAgreesWithExactOnSeparatedComponents) {
  const Index n = 700, d = 600;
  Random rng(3);
  Matrix u(n, 3), v(3, d);
  for (Index i = 0; i < u.size(); ++i) u.data()[i] = rng.Normal();
  for (Index i = 0; i < v.size(); ++i) v.data()[i] = rng.Normal();
  u.col(0) *= 9.0;
  u.col(1) *= 5.0;
  u.col(2) *= 3.0;
  Matrix x = u * v;
  for (Index i = 0; i < x.size(); ++i) x.data()[i] += 0.01 * rng.Normal();
  const Matrix exact = PcaProject(x, 2, PcaSolver::kCovariance);
  const Matrix randomized = PcaProject(x, 2, PcaSolver::kRandomized);
  const Matrix aut = PcaProject(x, 2);
  ASSERT_EQ(randomized.rows(), n);
  ASSERT_EQ(randomized.cols(), 2);
  EXPECT_LE((randomized - exact).cwiseAbs().maxCoeff(),
            1e-8 * exact.cwiseAbs().maxCoeff());
  EXPECT_EQ(aut, randomized);
  // Deterministic: a fixed seed.
  EXPECT_EQ(PcaProject(x, 2, PcaSolver::kRandomized), randomized);
}

}  // namespace
}  // namespace eclipsera::manifold_internal
