#include "eclipsera/mixture/gaussian_mixture.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "eclipsera/cluster/kmeans.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/core/testing.h"
#include "eclipsera/pool/pooling_switch.h"
#include "eclipsera/testing/alloc_counter.h"
#include "eclipsera/testing/golden.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::mixture {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

const char kDir[] = "eclipsera/mixture/testdata/";

Matrix ReadCsv(const std::string& name) {
  return ::eclipsera::testing::LoadGolden(kDir + std::string(name));
}

std::map<std::string, double> ReadScalars(const std::string& name) {
  std::ifstream in(kDir + name);
  EXPECT_TRUE(in.good()) << name;
  std::map<std::string, double> out;
  std::string key;
  double v;
  while (in >> key >> v) out[key] = v;
  return out;
}

// Element-wise relative agreement, with a floor at 1e-3 of the largest
// magnitude for entries that are (near) zero.
void ExpectRelNear(const Matrix& a, const Matrix& b, double rel,
                   const std::string& what) {
  ASSERT_EQ(a.rows(), b.rows()) << what;
  ASSERT_EQ(a.cols(), b.cols()) << what;
  const double floor = 1e-3 * b.cwiseAbs().maxCoeff();
  for (Index i = 0; i < a.rows(); ++i) {
    for (Index j = 0; j < a.cols(); ++j) {
      EXPECT_LE(std::abs(a(i, j) - b(i, j)),
                rel * std::max(std::abs(b(i, j)), floor))
          << what << " (" << i << ", " << j << "): " << a(i, j) << " vs "
          << b(i, j);
    }
  }
}

GaussianMixtureOptions GoldenOptions(const std::string& type) {
  GaussianMixtureOptions o;
  o.n_components = 3;
  o.covariance_type = type;
  o.tol = 1e-6;
  o.max_iter = 200;
  o.random_state = 0;
  o.weights_init = ReadCsv("gmm_init_" + type + "_weights.csv").row(0);
  o.means_init = ReadCsv("gmm_init_" + type + "_means.csv");
  Matrix p = ReadCsv("gmm_init_" + type + "_precisions.csv");
  if (type == "spherical") p.transposeInPlace();  // stored as one row
  o.precisions_init = p;
  return o;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, MatchesScikitLearn) {
  const std::string type = GetParam();
  const Matrix x = ReadCsv("gmm_x.csv");
  GaussianMixture gm(GoldenOptions(type));
  absl::StatusOr<Vector> labels = gm.FitPredict(x);
  ECLIPSERA_ASSERT_OK(labels);
  const std::string prefix = "gmm_" + type;
  std::map<std::string, double> sc = ReadScalars(prefix + "_scalars.txt");
  EXPECT_EQ(gm.n_iter(), static_cast<int>(sc["n_iter"]));
  EXPECT_EQ(gm.converged(), sc["converged"] == 1.0);
  EXPECT_NEAR(gm.lower_bound(), sc["lower_bound"],
              1e-8 * std::abs(sc["lower_bound"]));
  ExpectRelNear(gm.means(), ReadCsv(prefix + "_means.csv"), 1e-8, "means");
  Matrix cov = ReadCsv(prefix + "_covariances.csv");
  if (type == "spherical") cov.transposeInPlace();
  ExpectRelNear(gm.covariances(), cov, 1e-8, "covariances");
  ExpectRelNear(gm.weights().transpose(), ReadCsv(prefix + "_weights.csv"),
                1e-8, "weights");
  Matrix pc = ReadCsv(prefix + "_precisions_cholesky.csv");
  if (type == "spherical") pc.transposeInPlace();
  ExpectRelNear(gm.precisions_cholesky(), pc, 1e-7, "precisions_cholesky");
  // Final E-step labels, Score, BIC/AIC, PredictProba.
  const Matrix want_labels = ReadCsv(prefix + "_labels.csv");
  for (Index i = 0; i < x.rows(); ++i) {
    EXPECT_EQ((*labels)(i), want_labels(0, i)) << i;
    EXPECT_EQ(gm.labels()(i), want_labels(0, i)) << i;
  }
  absl::StatusOr<double> score = gm.Score(x);
  ECLIPSERA_ASSERT_OK(score);
  EXPECT_NEAR(*score, sc["score"], 1e-8 * std::abs(sc["score"]));
  absl::StatusOr<double> bic = gm.Bic(x);
  absl::StatusOr<double> aic = gm.Aic(x);
  ECLIPSERA_ASSERT_OK(bic);
  ECLIPSERA_ASSERT_OK(aic);
  EXPECT_NEAR(*bic, sc["bic"], 1e-8 * std::abs(sc["bic"]));
  EXPECT_NEAR(*aic, sc["aic"], 1e-8 * std::abs(sc["aic"]));
  EXPECT_NEAR(gm.train_bic(), sc["bic"], 1e-8 * std::abs(sc["bic"]));
  absl::StatusOr<Matrix> proba = gm.PredictProba(x.topRows(10));
  ECLIPSERA_ASSERT_OK(proba);
  const Matrix want_proba = ReadCsv(prefix + "_proba.csv");
  for (Index i = 0; i < 10; ++i) {
    for (Index j = 0; j < 3; ++j) {
      EXPECT_NEAR((*proba)(i, j), want_proba(i, j), 1e-8);
    }
  }
  // The scalars the command-line tool prints.
  std::map<std::string, double> fs;
  for (const FittedScalar& s : gm.FittedScalars())
    fs[std::string(s.name)] = s.value;
  EXPECT_EQ(fs["n_iter"], sc["n_iter"]);
  EXPECT_EQ(fs["converged"], sc["converged"]);
  EXPECT_NEAR(fs["aic"], sc["aic"], 1e-8 * std::abs(sc["aic"]));
}

TEST_P(GoldenTest, UnconvergedShortRunMatches) {
  const std::string type = GetParam();
  const Matrix x = ReadCsv("gmm_x.csv");
  GaussianMixtureOptions o = GoldenOptions(type);
  o.max_iter = 2;
  GaussianMixture gm(o);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  std::map<std::string, double> sc =
      ReadScalars("gmm_" + type + "_short_scalars.txt");
  EXPECT_EQ(gm.n_iter(), 2);
  EXPECT_FALSE(gm.converged());
  EXPECT_NEAR(gm.lower_bound(), sc["lower_bound"],
              1e-8 * std::abs(sc["lower_bound"]));
  ExpectRelNear(gm.means(), ReadCsv("gmm_" + type + "_short_means.csv"), 1e-8,
                "means");
}

INSTANTIATE_TEST_SUITE_P(CovarianceTypes, GoldenTest,
                         ::testing::Values("full", "tied", "diag",
                                           "spherical"));

// Three well separated blobs in d dimensions.
Matrix Blobs(Index n, Index d, uint64_t seed) {
  Random rng(seed);
  Matrix x(n, d);
  for (Index i = 0; i < n; ++i) {
    const int c = static_cast<int>(i % 3);
    for (Index f = 0; f < d; ++f) {
      x(i, f) = rng.Normal() * (0.5 + 0.2 * f / d) + 8.0 * c * (f % 2 ? 1 : -1);
    }
  }
  return x;
}

class TypeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TypeTest, NJobsOneAndTwoAreBitIdentical) {
  const Matrix x = Blobs(9000, 5, 3);  // 3 M-step blocks, 36 E-step chunks
  GaussianMixtureOptions o;
  o.n_components = 3;
  o.covariance_type = GetParam();
  o.init_params = "k-means++";
  o.random_state = 11;
  o.max_iter = 20;
  o.tol = 0.0;
  GaussianMixture a(o);
  o.n_jobs = 2;
  GaussianMixture b(o);
  ECLIPSERA_ASSERT_OK(a.Fit(x));
  ECLIPSERA_ASSERT_OK(b.Fit(x));
  EXPECT_EQ(a.lower_bound(), b.lower_bound());
  EXPECT_TRUE(a.means() == b.means());
  EXPECT_TRUE(a.covariances() == b.covariances());
  EXPECT_TRUE(a.labels() == b.labels());
  EXPECT_EQ(a.n_iter(), 20);
}

TEST_P(TypeTest, NoAllocationsPerIterationAfterTheFirst) {
  const Matrix x = Blobs(9000, 8, 5);
  for (int n_jobs : {1, 2}) {
    GaussianMixtureOptions o;
    o.n_components = 3;
    o.covariance_type = GetParam();
    o.init_params = "random_from_data";
    o.random_state = 2;
    o.max_iter = 12;
    o.tol = 0.0;  // never converges: all 12 iterations run
    o.n_jobs = n_jobs;
    GaussianMixture gm(o);
    ::eclipsera::testing::AllocationCounter counter;
    int64_t allocations = -1, bytes = -1;
    int last = 0;
    gm.set_iteration_callback([&](int it) {
      last = it;
      if (it == 1) counter.Restart();
      if (it == 12) {
        allocations = counter.allocations();
        bytes = counter.bytes();
      }
    });
    ECLIPSERA_ASSERT_OK(gm.Fit(x));
    EXPECT_EQ(last, 12);
    EXPECT_EQ(allocations, 0) << "n_jobs " << n_jobs << ", " << bytes
                              << " bytes over iterations 2..12";
  }
}

// Predictions reuse pooled E-step buffers: after a first call, a call on a
// batch of the same size allocates only its result (the workspace used to
// be rebuilt, M-step buffers included, on every call).
TEST_P(TypeTest, RepeatedPredictionsAllocateOnlyTheirResults) {
  const Matrix x = Blobs(3000, 6, 3);
  GaussianMixtureOptions o;
  o.n_components = 3;
  o.covariance_type = GetParam();
  o.random_state = 0;
  o.n_jobs = 1;
  GaussianMixture gm(o);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  const Matrix batch = x.topRows(500);
  absl::StatusOr<Matrix> first = gm.PredictProba(batch);
  ECLIPSERA_ASSERT_OK(first);
  ECLIPSERA_ASSERT_OK(gm.ScoreSamples(batch));
  ::eclipsera::testing::AllocationCounter counter;
  absl::StatusOr<Matrix> proba = gm.PredictProba(batch);
  absl::StatusOr<Vector> scores = gm.ScoreSamples(batch);
  absl::StatusOr<Vector> labels = gm.Predict(batch);
  const int64_t allocations = counter.allocations();
  ECLIPSERA_ASSERT_OK(proba);
  ECLIPSERA_ASSERT_OK(scores);
  ECLIPSERA_ASSERT_OK(labels);
  EXPECT_EQ(*proba, *first);
  // One result array each, plus Predict's label vector before conversion.
  EXPECT_LE(allocations, 4);
}

// Fewer rows can mean more M-step blocks (262,145 rows make 61 blocks,
// 262,144 make 64): the block buffers keep room for any fold of at most n
// rows, so the shorter fold does not reallocate them.
TEST(GaussianMixtureWorkspaceTest, ShorterFoldAtABlockBoundaryKeepsCapacity) {
  const Matrix x = Blobs(262145, 2, 11);
  for (const char* type : {"diag", "full"}) {
    GaussianMixtureOptions o;
    o.n_components = 2;
    o.covariance_type = type;
    o.init_params = "random_from_data";
    o.random_state = 1;
    o.max_iter = 1;
    GaussianMixture gm(o);
    ECLIPSERA_ASSERT_OK(gm.Fit(x));
    const WorkspaceStats first = *gm.workspace_stats();
    gm.Reset();
    ECLIPSERA_ASSERT_OK(gm.Fit(x.topRows(262144)));
    EXPECT_EQ(gm.workspace_stats()->reallocations, first.reallocations) << type;
    EXPECT_EQ(gm.workspace_stats()->bytes, first.bytes) << type;
  }
}

TEST_P(TypeTest, WorkspaceKeptAcrossFitsAndV1ModeIsIdentical) {
  const Matrix x = Blobs(5000, 4, 9);
  GaussianMixtureOptions o;
  o.n_components = 3;
  o.covariance_type = GetParam();
  o.init_params = "random";
  o.random_state = 4;
  o.max_iter = 15;
  GaussianMixture gm(o);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  const int64_t reallocations = gm.workspace().stats().reallocations;
  const int64_t bytes = gm.workspace().bytes();
  EXPECT_GT(bytes, 5000 * 3 * 8);
  EXPECT_EQ(gm.workspace_stats()->bytes, bytes);
  // The next folds, one row shorter, then the full size again: the
  // grow-only buffers keep their capacity.
  for (Index n : {4999, 5000}) {
    gm.Reset();
    ECLIPSERA_ASSERT_OK(gm.Fit(x.topRows(n)));
    EXPECT_EQ(gm.workspace().stats().reallocations, reallocations) << n;
    EXPECT_EQ(gm.workspace().bytes(), bytes) << n;
  }
  // ECLIPSERA_DISABLE_POOLING=1 for the rest of this scope.
  pool::ScopedPoolingDisabled v1_mode(true);
  GaussianMixture v1(o);
  ECLIPSERA_ASSERT_OK(v1.Fit(x));
  EXPECT_EQ(v1.lower_bound(), gm.lower_bound());
  EXPECT_TRUE(v1.means() == gm.means());
  EXPECT_TRUE(v1.covariances() == gm.covariances());
  EXPECT_EQ(v1.n_iter(), gm.n_iter());
}

TEST_P(TypeTest, InitMethodsRecoverSeparatedBlobs) {
  const Matrix x = Blobs(600, 3, 21);
  // 'random' responsibilities start every component near the global mean,
  // where EM can stall (as in scikit-learn): only k-means++ and
  // random_from_data are required to separate the blobs.
  for (const char* init : {"kmeans", "k-means++", "random_from_data"}) {
    GaussianMixtureOptions o;
    o.n_components = 3;
    o.covariance_type = GetParam();
    o.init_params = init;
    o.random_state = 0;
    o.n_init = 3;
    o.tol = 1e-6;
    o.max_iter = 500;
    GaussianMixture gm(o);
    ECLIPSERA_ASSERT_OK(gm.Fit(x)) << init;
    if (GetParam() == "tied" && std::string(init) != "kmeans") {
      // scikit-learn's tied M-step uses X^T X of all rows, so a one-hot
      // initialisation of k rows gives a huge first covariance and EM
      // stalls with every mean at the global mean (scikit-learn 1.2 does the
      // same on this data: lower bound -5.598 after 3 iterations).
      const Vector global = x.colwise().mean().transpose();
      for (int j = 0; j < 3; ++j) {
        EXPECT_LT((gm.means().row(j).transpose() - global).norm(), 0.5);
      }
      continue;
    }
    // Each blob maps to one component, the three components differ.
    std::set<int> seen;
    for (int c = 0; c < 3; ++c) {
      const int label = gm.labels()(c);
      for (Index i = c; i < x.rows(); i += 3) {
        ASSERT_EQ(gm.labels()(i), label) << init << " row " << i;
      }
      seen.insert(label);
    }
    EXPECT_EQ(seen.size(), 3u) << init;
    EXPECT_TRUE(gm.converged()) << init;
    EXPECT_NEAR(gm.weights().sum(), 1.0, 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(CovarianceTypes, TypeTest,
                         ::testing::Values("full", "tied", "diag",
                                           "spherical"));

TEST(GaussianMixtureTest, KMeansPlusPlusPicksOneSeedPerBlob) {
  const Matrix x = Blobs(300, 2, 1);
  Random rng(5);
  // GaussianMixture's init_params='k-means++' seeds from these indices.
  std::vector<Index> idx;
  absl::StatusOr<Matrix> centers =
      cluster::KMeansPlusPlus(x, 3, rng, -1, 1, &idx);
  ECLIPSERA_ASSERT_OK(centers.status());
  ASSERT_EQ(idx.size(), 3u);
  for (Index j = 0; j < 3; ++j) EXPECT_EQ(centers->row(j), x.row(idx[j]));
  std::set<Index> blobs;
  for (Index i : idx) blobs.insert(i % 3);
  EXPECT_EQ(blobs.size(), 3u);
}

TEST(GaussianMixtureTest, WarmStartContinuesFromPreviousFit) {
  const Matrix x = Blobs(900, 2, 8);
  GaussianMixtureOptions o;
  o.n_components = 3;
  o.init_params = "k-means++";
  o.random_state = 1;
  o.warm_start = true;
  GaussianMixture gm(o);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  const double lb = gm.lower_bound();
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  EXPECT_EQ(gm.n_iter(), 1);  // already converged: one step, change < tol
  EXPECT_NEAR(gm.lower_bound(), lb, 1e-3);
}

TEST(GaussianMixtureTest, MaxIterZeroKeepsTheInitialisation) {
  const Matrix x = ReadCsv("gmm_x.csv");
  GaussianMixtureOptions o = GoldenOptions("diag");
  o.max_iter = 0;
  GaussianMixture gm(o);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  EXPECT_TRUE(gm.means() == *o.means_init);
  EXPECT_EQ(gm.n_iter(), 0);
  EXPECT_FALSE(gm.converged());
}

TEST(GaussianMixtureTest, SampleIsSeededAndFollowsTheModel) {
  const Matrix x = Blobs(3000, 2, 4);
  GaussianMixtureOptions o;
  o.n_components = 3;
  o.init_params = "k-means++";
  o.random_state = 3;
  GaussianMixture gm(o);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  absl::StatusOr<GaussianMixtureSample> s1 = gm.Sample(3000);
  absl::StatusOr<GaussianMixtureSample> s2 = gm.Sample(3000);
  ECLIPSERA_ASSERT_OK(s1);
  ECLIPSERA_ASSERT_OK(s2);
  EXPECT_TRUE(s1->x == s2->x);
  ASSERT_EQ(s1->x.rows(), 3000);
  for (int j = 0; j < 3; ++j) {
    Vector mean = Vector::Zero(2);
    int count = 0;
    for (Index i = 0; i < 3000; ++i) {
      if (s1->y(i) != j) continue;
      mean += s1->x.row(i).transpose();
      ++count;
    }
    EXPECT_NEAR(count / 3000.0, gm.weights()(j), 0.05);
    mean /= count;
    EXPECT_LT((mean - gm.means().row(j).transpose()).norm(), 0.2);
  }
  EXPECT_TRUE(std::is_sorted(s1->y.data(), s1->y.data() + 3000));
  EXPECT_THAT(gm.Sample(0), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("n_samples = 0")));
}

TEST(GaussianMixtureTest, BadInputGivesClearStatus) {
  const Matrix x = ReadCsv("gmm_x.csv");
  auto fit = [&](const GaussianMixtureOptions& o, const Matrix& data) {
    GaussianMixture gm(o);
    return gm.Fit(data);
  };
  GaussianMixtureOptions good = GoldenOptions("full");
  ECLIPSERA_EXPECT_OK(fit(good, x));
  using absl::StatusCode;
  {
    GaussianMixtureOptions o = good;
    o.n_components = 300;
    o.weights_init.reset();
    o.means_init.reset();
    o.precisions_init.reset();
    EXPECT_THAT(fit(o, x), StatusIs(StatusCode::kInvalidArgument,
                                    HasSubstr("n_components = 300, "
                                              "n_samples = 200")));
  }
  {
    GaussianMixtureOptions o = good;
    o.covariance_type = "fullish";
    EXPECT_THAT(fit(o, x), StatusIs(StatusCode::kInvalidArgument,
                                    HasSubstr("covariance_type")));
    GaussianMixture gm;
    EXPECT_THAT(gm.SetParams({{"covariance_type", std::string("banana")}}),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("banana")));
  }
  {
    GaussianMixtureOptions o = good;
    o.init_params = "kmeans--";
    EXPECT_THAT(fit(o, x), StatusIs(StatusCode::kInvalidArgument,
                                    HasSubstr("init_params")));
  }
  {
    GaussianMixtureOptions o = good;
    o.means_init = Matrix::Zero(2, 3);
    EXPECT_THAT(fit(o, x),
                StatusIs(StatusCode::kInvalidArgument,
                         HasSubstr("'means_init' should have the shape of "
                                   "(3, 3), but got (2, 3)")));
  }
  {
    GaussianMixtureOptions o = good;
    o.precisions_init = Matrix::Identity(3, 3);
    EXPECT_THAT(fit(o, x), StatusIs(StatusCode::kInvalidArgument,
                                    HasSubstr("precisions_init")));
    Matrix p = Matrix::Zero(9, 3);
    for (int k = 0; k < 3; ++k) p.middleRows(3 * k, 3).setIdentity();
    p(4, 4 - 3) = -1.0;  // component 1 not positive definite
    o.precisions_init = p;
    EXPECT_THAT(fit(o, x), StatusIs(StatusCode::kInvalidArgument,
                                    HasSubstr("positive-definite")));
  }
  {
    GaussianMixtureOptions o = GoldenOptions("diag");
    (*o.precisions_init)(1, 1) = 0.0;
    EXPECT_THAT(fit(o, x), StatusIs(StatusCode::kInvalidArgument,
                                    HasSubstr("should be positive")));
  }
  {
    GaussianMixtureOptions o = good;
    (*o.weights_init)(0) += 0.01;
    EXPECT_THAT(fit(o, x), StatusIs(StatusCode::kInvalidArgument,
                                    HasSubstr("should be normalized")));
    o.weights_init = Vector::Zero(3);
    (*o.weights_init) << -0.2, 0.6, 0.6;
    EXPECT_THAT(fit(o, x), StatusIs(StatusCode::kInvalidArgument,
                                    HasSubstr("range [0, 1]")));
  }
  {
    Matrix bad = x;
    bad(17, 2) = std::nan("");
    EXPECT_THAT(fit(good, bad),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("X")));
    bad(17, 2) = INFINITY;
    EXPECT_THAT(fit(good, bad),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("X")));
  }
  {
    GaussianMixtureOptions o = good;
    o.tol = -1.0;
    EXPECT_THAT(fit(o, x),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("tol")));
    o = good;
    o.n_jobs = 0;
    EXPECT_THAT(fit(o, x),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("n_jobs")));
  }
  {
    // A constant feature with reg_covar = 0: singular covariance.
    Matrix flat = Blobs(60, 3, 2);
    flat.col(1).setConstant(2.0);
    GaussianMixtureOptions o;
    o.n_components = 2;
    o.reg_covar = 0.0;
    o.init_params = "random_from_data";
    o.random_state = 0;
    GaussianMixture gm(o);
    EXPECT_THAT(gm.Fit(flat), StatusIs(StatusCode::kInvalidArgument,
                                       HasSubstr("increase reg_covar")));
    EXPECT_FALSE(gm.fitted());
    // Still usable: the default reg_covar fits.
    GaussianMixtureOptions ok = o;
    ok.reg_covar = 1e-6;
    gm.set_options(ok);
    ECLIPSERA_EXPECT_OK(gm.Fit(flat));
  }
  {
    GaussianMixtureOptions o;
    o.n_components = 2;  // init_params 'kmeans' (default)
    o.random_state = 0;
    GaussianMixture gm(o);
    ECLIPSERA_EXPECT_OK(gm.Fit(x));
    EXPECT_EQ(gm.means().rows(), 2);
  }
  GaussianMixture unfitted;
  EXPECT_THAT(unfitted.PredictLabels(x),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("Fit")));
  GaussianMixture gm(good);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  EXPECT_THAT(gm.PredictLabels(Matrix::Zero(2, 4)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("X")));
}

TEST(GaussianMixtureTest, RegistryAndParams) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterGaussianMixture(registry));
  absl::StatusOr<std::unique_ptr<Estimator>> est =
      registry.Create("gaussianmixture");
  ECLIPSERA_ASSERT_OK(est);
  ECLIPSERA_ASSERT_OK((*est)->SetParams(
      {{"n_components", int64_t{3}},
       {"covariance_type", std::string("diag")},
       {"init_params", std::string("k-means++")},
       {"random_state", int64_t{0}},
       {"weights_init", std::vector<double>{0.2, 0.3, 0.5}}}));
  EXPECT_EQ(
      std::get<std::vector<double>>((*est)->GetParams().at("weights_init")),
      (std::vector<double>{0.2, 0.3, 0.5}));
  const Matrix x = Blobs(300, 2, 6);
  absl::StatusOr<Vector> labels = (*est)->FitPredict(x);
  ECLIPSERA_ASSERT_OK(labels);
  EXPECT_EQ(labels->size(), 300);
  std::vector<std::string> names;
  for (const FittedScalar& s : (*est)->FittedScalars())
    names.emplace_back(s.name);
  EXPECT_THAT(names, ::testing::ElementsAre("lower_bound", "n_iter",
                                            "converged", "bic", "aic"));
  // A flat means_init list is reshaped to n_components x n_features.
  ECLIPSERA_ASSERT_OK((*est)->SetParams(
      {{"means_init", std::vector<double>{0, 0, 8, -8, 16, -16}}}));
  ECLIPSERA_EXPECT_OK((*est)->Fit(x));
  ECLIPSERA_ASSERT_OK(
      (*est)->SetParams({{"means_init", std::vector<double>{0, 0, 8}}}));
  EXPECT_THAT((*est)->Fit(x), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("means_init")));
}

// Wide data (n_samples << n_features): 'diag' and 'spherical' never form a
// d x d matrix; the fit matches scikit-learn 1.2 from the same initial
// state (testdata/generate_wide.py recomputes the same formula).
Matrix WideData() {
  const Index n = 20, d = 3000;
  Matrix x(n, d);
  for (Index i = 0; i < n; ++i) {
    const double s = i % 2 == 0 ? 1.0 : -1.0;
    for (Index j = 0; j < d; ++j) {
      const double fi = static_cast<double>(i), fj = static_cast<double>(j);
      x(i, j) = s * 1.5 * std::cos(0.05 * fj) +
                std::sin(1.3 * fi + 0.37 * fj + 0.001 * fi * fj);
    }
  }
  return x;
}

class WideTest : public ::testing::TestWithParam<std::string> {};

TEST_P(WideTest, MatchesScikitLearnWithoutDxDMemory) {
  const std::string type = GetParam();
  const bool diag = type == "diag";
  const Matrix x = WideData();
  const Index d = x.cols();
  const Matrix golden = ReadCsv("gmm_wide_" + type + ".csv");
  GaussianMixtureOptions o;
  o.n_components = 2;
  o.covariance_type = type;
  o.tol = 1e-6;
  o.max_iter = 200;
  o.random_state = 0;
  o.weights_init = Vector::Constant(2, 0.5);
  o.means_init = x.topRows(2);
  o.precisions_init =
      diag ? Matrix::Constant(2, d, 0.5) : Matrix::Constant(2, 1, 0.5);
  GaussianMixture gm(o);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  EXPECT_TRUE(gm.warnings().empty());
  // Linear in n * d: nothing near d * d = 9e6 doubles (72 MB).
  EXPECT_LT(gm.workspace().bytes(), 64 * x.size() * 8);
  EXPECT_NEAR(gm.lower_bound(), golden(0, 0), 1e-9 * std::abs(golden(0, 0)));
  EXPECT_EQ(gm.n_iter(), static_cast<int>(golden(0, 1)));
  EXPECT_EQ(gm.converged(), golden(0, 2) == 1.0);
  const int n_cov = diag ? 5 : 1;
  Index at = 3;
  for (int k = 0; k < 2; ++k)
    EXPECT_NEAR(gm.weights()(k), golden(0, at++), 1e-9);
  for (int k = 0; k < 2; ++k) {
    EXPECT_NEAR(gm.means().row(k).sum(), golden(0, at), 1e-8) << k;
    ++at;
    const double cov_sum = gm.covariances().row(k).sum();
    EXPECT_NEAR(cov_sum, golden(0, at), 1e-9 * std::abs(golden(0, at))) << k;
    ++at;
    for (int f = 0; f < 5; ++f)
      EXPECT_NEAR(gm.means()(k, f), golden(0, at++), 1e-9);
    for (int f = 0; f < n_cov; ++f) {
      EXPECT_NEAR(gm.covariances()(k, f), golden(0, at),
                  1e-9 * std::abs(golden(0, at)));
      ++at;
    }
  }
  // Default initialisation (k-means) on the same wide data: fits, finite.
  GaussianMixtureOptions d_o;
  d_o.n_components = 2;
  d_o.covariance_type = type;
  d_o.random_state = 0;
  GaussianMixture g2(d_o);
  ECLIPSERA_ASSERT_OK(g2.Fit(x));
  EXPECT_TRUE(std::isfinite(g2.lower_bound()));
  absl::StatusOr<GaussianMixtureSample> sample = g2.Sample(5);
  ECLIPSERA_ASSERT_OK(sample);
  EXPECT_TRUE(sample->x.allFinite());
}

INSTANTIATE_TEST_SUITE_P(DiagAndSpherical, WideTest,
                         ::testing::Values("diag", "spherical"));

// 'full' with n_samples * 4 <= n_features: the precision Cholesky factors
// come from rank-one updates of reg_covar * I (O(n d^2)), not from a dense
// Cholesky and inverse (O(d^3)). Same fit as scikit-learn 1.2 from the same
// initial state on 20 x 600 (generate_wide.py), and factors that invert
// the covariances.
TEST(GaussianMixtureTest, FullOnWideDataMatchesScikitLearn) {
  const Matrix x = WideData().leftCols(600);
  const Index d = x.cols();
  const Matrix golden = ReadCsv("gmm_wide_full.csv");
  GaussianMixtureOptions o;
  o.n_components = 2;
  o.covariance_type = "full";
  o.tol = 1e-6;
  o.max_iter = 200;
  o.random_state = 0;
  o.weights_init = Vector::Constant(2, 0.5);
  o.means_init = x.topRows(2);
  Matrix prec = Matrix::Zero(2 * d, d);
  prec.topRows(d).diagonal().setConstant(0.5);
  prec.bottomRows(d).diagonal().setConstant(0.5);
  o.precisions_init = prec;
  GaussianMixture gm(o);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  EXPECT_TRUE(gm.warnings().empty());
  EXPECT_NEAR(gm.lower_bound(), golden(0, 0), 1e-9 * std::abs(golden(0, 0)));
  EXPECT_EQ(gm.n_iter(), static_cast<int>(golden(0, 1)));
  EXPECT_EQ(gm.converged(), golden(0, 2) == 1.0);
  Index at = 3;
  for (int k = 0; k < 2; ++k)
    EXPECT_NEAR(gm.weights()(k), golden(0, at++), 1e-9);
  for (int k = 0; k < 2; ++k) {
    const Matrix cov = gm.Covariance(k);
    EXPECT_NEAR(gm.means().row(k).sum(), golden(0, at), 1e-8) << k;
    ++at;
    EXPECT_NEAR(cov.sum(), golden(0, at), 1e-9 * std::abs(golden(0, at))) << k;
    ++at;
    for (int f = 0; f < 5; ++f)
      EXPECT_NEAR(gm.means()(k, f), golden(0, at++), 1e-9);
    // covariances[k].ravel()[:5]: the first row's first five entries.
    for (int f = 0; f < 5; ++f) {
      EXPECT_NEAR(cov(0, f), golden(0, at), 1e-9 * std::abs(golden(0, at)));
      ++at;
    }
    const Matrix pc = gm.precisions_cholesky().middleRows(k * d, d);
    EXPECT_EQ(pc.triangularView<Eigen::StrictlyLower>()
                  .toDenseMatrix()
                  .cwiseAbs()
                  .maxCoeff(),
              0.0);
    const Matrix id = pc.transpose() * cov * pc;
    EXPECT_LE((id - Matrix::Identity(d, d)).cwiseAbs().maxCoeff(), 1e-8) << k;
  }
  // The wide workspace holds n x d, not d x d.
  EXPECT_EQ(gm.workspace().wide_u.rows(), x.rows());
}

TEST(GaussianMixtureTest, ConvergenceWarningAsScikitLearn) {
  const Matrix x = Blobs(300, 2, 6);
  GaussianMixtureOptions o;
  o.n_components = 3;
  o.random_state = 0;
  o.max_iter = 1;
  o.n_init = 2;
  o.tol = 0.0;
  GaussianMixture gm(o);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  EXPECT_FALSE(gm.converged());
  EXPECT_THAT(gm.warnings(),
              ::testing::ElementsAre(
                  "Initialization 2 did not converge. Try different init "
                  "parameters, or increase max_iter, tol or check for "
                  "degenerate data."));
  // A converged fit clears the previous fit's warnings.
  o.max_iter = 100;
  o.tol = 1e-3;
  gm.set_options(o);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  EXPECT_TRUE(gm.converged());
  EXPECT_TRUE(gm.warnings().empty());
  // max_iter = 0 is an initialisation only: no warning (as scikit-learn),
  // and the undefined lower bound (-inf) is not reported.
  o.max_iter = 0;
  gm.set_options(o);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  EXPECT_TRUE(gm.warnings().empty());
  for (const FittedScalar& s : gm.FittedScalars()) {
    EXPECT_NE(s.name, "lower_bound");
    EXPECT_TRUE(std::isfinite(s.value)) << s.name;
  }
}

// A success means finite output: on extreme magnitudes, denormals,
// duplicates and constant columns every fit either fails with a clear
// status or returns finite parameters and figures.
TEST(GaussianMixtureTest, ExtremeInputsSucceedFiniteOrFailClearly) {
  const Matrix base = Blobs(60, 3, 11);
  std::vector<std::pair<std::string, Matrix>> cases;
  cases.emplace_back("1e-300", base * 1e-300);
  cases.emplace_back("denormal", base * 4.9e-324);
  cases.emplace_back("1e100", base * 1e100);
  Matrix dup = base;
  for (Index i = 0; i < dup.rows(); ++i) dup.row(i) = base.row(i % 3);
  cases.emplace_back("duplicates", dup);
  Matrix constant = base;
  constant.col(1).setConstant(7.0);
  cases.emplace_back("constant column", constant);
  cases.emplace_back("all identical", Matrix::Constant(40, 3, 2.5));
  for (const std::string type : {"full", "tied", "diag", "spherical"}) {
    for (const auto& [name, x] : cases) {
      GaussianMixtureOptions o;
      o.n_components = 3;
      o.covariance_type = type;
      o.random_state = 0;
      GaussianMixture gm(o);
      const absl::Status s = gm.Fit(x);
      SCOPED_TRACE(type + " / " + name + ": " + s.ToString());
      if (!s.ok()) {
        EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
        EXPECT_FALSE(gm.fitted());
        continue;
      }
      EXPECT_TRUE(gm.weights().allFinite());
      EXPECT_TRUE(gm.means().allFinite());
      EXPECT_TRUE(gm.covariances().allFinite());
      EXPECT_TRUE(gm.precisions_cholesky().allFinite());
      EXPECT_TRUE(gm.precisions().allFinite());
      EXPECT_TRUE(std::isfinite(gm.lower_bound()));
      for (const FittedScalar& f : gm.FittedScalars()) {
        EXPECT_TRUE(std::isfinite(f.value)) << f.name;
      }
      EXPECT_TRUE((gm.labels().array() >= 0).all() &&
                  (gm.labels().array() < 3).all());
    }
  }
}

// 'full' on wide data (the low-rank path, 20 * 4 <= 300) from the default
// k-means initialisation: the factors must be those of the covariances.
TEST(GaussianMixtureTest, FullPrecisionCholeskyOnWideData) {
  const Matrix x = WideData().leftCols(300);
  GaussianMixtureOptions o;
  o.n_components = 2;
  o.random_state = 0;
  GaussianMixture gm(o);
  ECLIPSERA_ASSERT_OK(gm.Fit(x));
  const Index d = x.cols();
  for (int k = 0; k < 2; ++k) {
    const Matrix pc = gm.precisions_cholesky().middleRows(k * d, d);
    // Upper triangular, and cov = (P P^T)^{-1}: P^T cov P = I.
    EXPECT_EQ(pc.triangularView<Eigen::StrictlyLower>()
                  .toDenseMatrix()
                  .cwiseAbs()
                  .maxCoeff(),
              0.0);
    const Matrix id = pc.transpose() * gm.Covariance(k) * pc;
    EXPECT_LE((id - Matrix::Identity(d, d)).cwiseAbs().maxCoeff(), 1e-6) << k;
  }
}

}  // namespace
}  // namespace eclipsera::mixture
