// Runs every registered algorithm through the `eclipsera` command logic on
// a small data set of three blobs, checking the output file and JSON line.
#include "eclipsera/cli/algorithms.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eclipsera/cli/cli.h"
#include "eclipsera/cluster/kmeans.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/core/testing.h"
#include "eclipsera/io/data_file.h"
#include "eclipsera/io/file.h"
#include "eclipsera/preprocessing/scalers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::cli {
namespace {

using ::testing::HasSubstr;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir ? dir : "/tmp", "/", name);
}

// 60 points in three well separated groups of 20.
Matrix ThreeBlobs() {
  Matrix x(60, 2);
  for (int i = 0; i < 60; ++i) {
    const int g = i / 20;
    x(i, 0) = 10.0 * g + 0.1 * ((i * 7) % 11) - 0.5;
    x(i, 1) = -5.0 * g + 0.1 * ((i * 5) % 13) - 0.6;
  }
  return x;
}

struct Case {
  std::string algorithm;
  std::vector<std::string> params;
  std::vector<std::string> json_keys;
  bool labels;  // labels output (else an embedding)
};

class AlgorithmsTest : public ::testing::TestWithParam<Case> {};

TEST_P(AlgorithmsTest, RunsThroughTheCommand) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAllAlgorithms(registry));
  const Case& c = GetParam();
  const std::string input = TempPath(c.algorithm + "_in.csv");
  const std::string output = TempPath(c.algorithm + "_out.csv");
  ECLIPSERA_ASSERT_OK(io::WriteMatrix(input, ThreeBlobs()));
  std::vector<std::string> args = {c.algorithm, "--input", input, "--output",
                                   output};
  args.insert(args.end(), c.params.begin(), c.params.end());
  std::ostringstream out, err;
  ASSERT_EQ(RunCli(args, registry, out, err), 0) << err.str();
  const std::string json = out.str();
  EXPECT_THAT(json, HasSubstr("\"read_seconds\""));
  EXPECT_THAT(json, HasSubstr("\"fit_seconds\""));
  for (const std::string& key : c.json_keys) {
    EXPECT_THAT(json, HasSubstr("\"" + key + "\"")) << json;
  }
  absl::StatusOr<Matrix> result = io::ReadMatrix(output);
  ECLIPSERA_ASSERT_OK(result);
  EXPECT_EQ(result->rows(), 60);
  if (c.labels) {
    EXPECT_THAT(json, HasSubstr("\"n_clusters_found\": 3")) << json;
    // The three groups get three different labels.
    EXPECT_NE((*result)(0, 0), (*result)(20, 0));
    EXPECT_NE((*result)(20, 0), (*result)(40, 0));
    EXPECT_NE((*result)(0, 0), (*result)(40, 0));
    for (int i = 0; i < 60; ++i) {
      EXPECT_EQ((*result)(i, 0), (*result)(20 * (i / 20), 0)) << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, AlgorithmsTest,
    ::testing::Values(
        Case{"KMeans",
             {"--n_clusters=3", "--random_state=0"},
             {"inertia", "n_iter"},
             true},
        Case{"minibatchkmeans",
             {"--n_clusters=3", "--random_state=0", "--batch_size=16"},
             {"inertia", "n_iter"},
             true},
        Case{"AgglomerativeClustering", {"--n_clusters=3"}, {}, true},
        Case{"DBSCAN", {"--eps=1.5", "--min_samples=3"}, {}, true},
        Case{"meanshift", {"--bandwidth=3"}, {"n_iter"}, true},
        Case{"TSNE",
             {"--perplexity=10", "--n_iter=300", "--random_state=0"},
             {"kl_divergence", "n_iter"},
             false},
        Case{"GaussianMixture",
             {"--n_components=3", "--random_state=0"},
             {"lower_bound", "n_iter", "converged", "bic", "aic"},
             true},
        Case{
            "StandardScaler", {"--with_mean=false"}, {"n_samples_seen"}, false},
        Case{"minmaxscaler",
             {"--feature_range=-1,1"},
             {"n_samples_seen"},
             false},
        Case{"PolynomialFeatures",
             {"--degree=3", "--interaction_only=true"},
             {"n_output_features"},
             false},
        Case{"SimpleImputer", {"--strategy=median"}, {}, false}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return info.param.algorithm;
    });

std::string ReadAll(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "";
  std::string s;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

// --plot draws the embedding coloured by --labels (t-SNE), or the input
// coloured by the labels found (clusterers).
TEST(AlgorithmsTest, PlotsAnSvg) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAllAlgorithms(registry));
  const std::string input = TempPath("plot_in.csv");
  const std::string labels = TempPath("plot_labels.csv");
  ECLIPSERA_ASSERT_OK(io::WriteMatrix(input, ThreeBlobs()));
  LabelVector y(60);
  for (int i = 0; i < 60; ++i) y(i) = i / 20;
  ECLIPSERA_ASSERT_OK(io::WriteLabels(labels, y));
  {
    const std::string svg = TempPath("tsne.svg");
    std::ostringstream out, err;
    ASSERT_EQ(RunCli({"tsne", "--input", input, "--perplexity=10",
                      "--n_iter=300", "--plot", svg, "--labels", labels},
                     registry, out, err),
              0)
        << err.str();
    const std::string text = ReadAll(svg);
    EXPECT_THAT(text, HasSubstr("<svg"));
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n') > 60, true);
  }
  {
    const std::string svg = TempPath("kmeans.svg");
    std::ostringstream out, err;
    ASSERT_EQ(
        RunCli({"kmeans", "--input", input, "--n_clusters=3", "--plot", svg},
               registry, out, err),
        0)
        << err.str();
    EXPECT_THAT(ReadAll(svg), HasSubstr("<svg"));
  }
  {
    std::ostringstream out, err;
    EXPECT_EQ(RunCli({"kmeans", "--input", input, "--labels", labels}, registry,
                     out, err),
              2);
    EXPECT_THAT(err.str(), HasSubstr("--labels only colours a --plot"));
  }
  {
    const std::string bad = TempPath("bad_labels.csv");
    ECLIPSERA_ASSERT_OK(io::WriteLabels(bad, y.head(10)));
    std::ostringstream out, err;
    EXPECT_EQ(RunCli({"tsne", "--input", input, "--perplexity=5", "--plot",
                      TempPath("x.svg"), "--labels", bad},
                     registry, out, err),
              1);
    EXPECT_THAT(err.str(), HasSubstr("one label per input row (60)"));
  }
}

// TSNE's own `method` parameter takes --method (it was refused as an
// unknown output method, so 'exact' could not be chosen from the command).
TEST(AlgorithmsTest, TsneMethodFlagReachesTheEstimator) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAllAlgorithms(registry));
  const std::string input = TempPath("tsne_method_in.csv");
  ECLIPSERA_ASSERT_OK(io::WriteMatrix(input, ThreeBlobs()));
  for (const char* method : {"exact", "barnes_hut"}) {
    SCOPED_TRACE(method);
    const std::string output = TempPath(absl::StrCat("tsne_", method, ".npy"));
    std::ostringstream out, err;
    ASSERT_EQ(RunCli({"tsne", "--input", input, "--perplexity=10",
                      "--n_iter=300", absl::StrCat("--method=", method),
                      "--random_state=0", "--output", output},
                     registry, out, err),
              0)
        << err.str();
    absl::StatusOr<Matrix> e = io::ReadMatrix(output);
    ECLIPSERA_ASSERT_OK(e.status());
    EXPECT_EQ(e->rows(), 60);
    EXPECT_EQ(e->cols(), 2);
  }
  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"tsne", "--input", input, "--method=predict"}, registry,
                   out, err),
            2);
  EXPECT_THAT(err.str(), HasSubstr("method"));
  EXPECT_THAT(err.str(), HasSubstr("barnes_hut"));
}

// Parameters that make each algorithm valid on a small input of `n` rows;
// supervised estimators also get a --target (alternating 0 and 1).
std::vector<std::string> SmallParams(const std::string& algorithm,
                                     Index n = 60) {
  {
    EstimatorRegistry registry;
    absl::StatusOr<const EstimatorEntry*> e =
        RegisterAllAlgorithms(registry).ok() ? registry.Find(algorithm)
                                             : absl::NotFoundError("");
    if (e.ok() && (*e)->output == MainOutput::kPredict) {
      LabelVector y(n);
      for (Index i = 0; i < n; ++i) y(i) = static_cast<int32_t>(i % 2);
      const std::string path = TempPath(absl::StrCat("target_", n, ".csv"));
      if (!io::WriteLabels(path, y).ok()) return {};
      return {"--target", path};
    }
  }
  if (algorithm == "KMeans" || algorithm == "MiniBatchKMeans") {
    return {"--n_clusters=2", "--random_state=0", "--n_jobs=1"};
  }
  if (algorithm == "GaussianMixture") {
    return {"--n_components=2", "--random_state=0", "--n_jobs=1"};
  }
  if (algorithm == "AgglomerativeClustering") {
    return {"--linkage=complete", "--n_jobs=1"};
  }
  if (algorithm == "TSNE") {
    return {"--perplexity=2", "--random_state=0", "--n_iter=260", "--n_jobs=1"};
  }
  // PCA and the preprocessing estimators have no n_jobs in scikit-learn.
  EstimatorRegistry registry;
  if (!RegisterAllAlgorithms(registry).ok()) return {};
  absl::StatusOr<std::unique_ptr<Estimator>> est = registry.Create(algorithm);
  if (!est.ok() || (*est)->GetParams().count("n_jobs") == 0) return {};
  return {"--n_jobs=1"};
}

// Issue 10's reproducers: a 4-line file 1e200 / -1e200 / 0 / 1 corrupted
// the heap in KMeans, MiniBatchKMeans and GaussianMixture and wrote
// uninitialised labels in AgglomerativeClustering; one 1e155 among ordinary
// values crashed agglomerative clustering; blobs scaled by 1e300 hung it and
// gave t-SNE an all-NaN embedding. Every algorithm now refuses such data
// with the position of the largest value and a hint to rescale, and writes
// no output.
TEST(AlgorithmsTest, ValuesBeyondTheMagnitudeLimitAreRefusedClearly) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAllAlgorithms(registry));
  Matrix huge(4, 1);
  huge << 1e200, -1e200, 0, 1;
  Matrix outlier = ThreeBlobs();
  outlier(17, 1) = 1e155;
  const Matrix blobs300 = ThreeBlobs() * 1e300;
  struct Input {
    const Matrix* x;
    const char* where;
  };
  for (const Input& in :
       {Input{&huge, "row 0, column 0"}, Input{&outlier, "row 17, column 1"},
        Input{&blobs300, "column"}}) {
    const std::string input = TempPath("extreme_in.csv");
    const std::string output = TempPath("extreme_out.csv");
    ECLIPSERA_ASSERT_OK(io::WriteMatrix(input, *in.x));
    for (const EstimatorEntry& e : registry.entries()) {
      std::remove(output.c_str());
      std::vector<std::string> args = {e.name, "--input", input, "--output",
                                       output};
      for (const std::string& p : SmallParams(e.name, in.x->rows())) {
        args.push_back(p);
      }
      std::ostringstream out, err;
      EXPECT_EQ(RunCli(args, registry, out, err), 1) << e.name << err.str();
      EXPECT_THAT(err.str(), HasSubstr("largest magnitude supported"))
          << e.name;
      EXPECT_THAT(err.str(), HasSubstr(in.where)) << e.name;
      EXPECT_THAT(err.str(), HasSubstr("rescale")) << e.name;
      EXPECT_EQ(out.str(), "") << e.name;
      EXPECT_EQ(ReadAll(output), "") << e.name << ": no output written";
    }
  }
}

// Whether two label vectors describe the same partition (up to renaming).
bool SamePartition(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows()) return false;
  std::map<double, double> ab, ba;
  for (Index i = 0; i < a.rows(); ++i) {
    const auto it = ab.emplace(a(i, 0), b(i, 0)).first;
    const auto jt = ba.emplace(b(i, 0), a(i, 0)).first;
    if (it->second != b(i, 0) || jt->second != a(i, 0)) return false;
  }
  return true;
}

// Tiny magnitudes (1e-300, denormals: squared distances underflow to 0):
// three blobs scaled down came back as one cluster, silently (as in
// scikit-learn). The estimators that cluster by distances in X's units
// refuse such data with a hint to rescale; t-SNE rescales internally;
// GaussianMixture and DBSCAN (absolute reg_covar and eps) fit it as their
// parameters say. Values right at the large limit fit, with the same
// partition as the unscaled blobs.
TEST(AlgorithmsTest, TinyMagnitudesAreRefusedOrCorrectAndLimitOnesFit) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAllAlgorithms(registry));
  const Matrix blobs = ThreeBlobs();
  const double limit = 1e150 / std::sqrt(2.0);
  auto run = [&](const std::string& name, const Matrix& x, int* rc,
                 std::string* err_text) {
    const std::string input = TempPath("mag_in.csv");
    const std::string output = TempPath("mag_out.csv");
    EXPECT_TRUE(io::WriteMatrix(input, x).ok());
    std::remove(output.c_str());
    std::vector<std::string> args = {name, "--input", input, "--output",
                                     output};
    for (const std::string& p : SmallParams(name, x.rows())) {
      args.push_back(p);
    }
    std::ostringstream out, err;
    *rc = RunCli(args, registry, out, err);
    *err_text = err.str();
    absl::StatusOr<Matrix> result = io::ReadMatrix(output);
    return *rc == 0 && result.ok() ? *result : Matrix();
  };
  for (const EstimatorEntry& e : registry.entries()) {
    int rc;
    std::string err;
    const Matrix reference = run(e.name, blobs, &rc, &err);
    ASSERT_EQ(rc, 0) << e.name << err;
    const bool by_distances =
        e.name == "KMeans" || e.name == "MiniBatchKMeans" ||
        e.name == "MeanShift" || e.name == "AgglomerativeClustering";
    for (const double scale : {1e-300, 4.9e-322}) {
      const Matrix result = run(e.name, blobs * scale, &rc, &err);
      if (by_distances) {
        EXPECT_EQ(rc, 1) << e.name;
        EXPECT_THAT(err, HasSubstr("below the smallest supported")) << e.name;
        EXPECT_THAT(err, HasSubstr("rescale")) << e.name;
        continue;
      }
      if (e.name == "LinearRegression" && rc != 0) {
        // Unpenalised coefficients scale as 1 / X: at 4.9e-322 they are
        // beyond double precision, which is said, not written as Inf.
        EXPECT_EQ(rc, 1) << err;
        EXPECT_THAT(err, HasSubstr("coefficients overflow double precision"));
        EXPECT_THAT(err, HasSubstr("rescale"));
        continue;
      }
      ASSERT_EQ(rc, 0) << e.name << " " << err;
      ASSERT_EQ(result.rows(), 60) << e.name;
      EXPECT_TRUE(result.allFinite()) << e.name;
      if (e.name == "DBSCAN") {
        // eps = 0.5 spans all of the scaled data: one cluster, no noise.
        EXPECT_TRUE((result.array() == 0.0).all()) << e.name;
      }
    }
    const Matrix big =
        run(e.name, blobs / blobs.cwiseAbs().maxCoeff() * limit, &rc, &err);
    ASSERT_EQ(rc, 0) << e.name << " " << err;
    ASSERT_EQ(big.rows(), 60) << e.name;
    EXPECT_TRUE(big.allFinite()) << e.name;
    if (e.name == "KMeans" || e.name == "AgglomerativeClustering") {
      EXPECT_TRUE(SamePartition(big, reference)) << e.name;
    }
  }
}

// Supervised estimators through the command: --target is required, the
// JSON line has the training score, --predict and --method choose what is
// written.
TEST(AlgorithmsTest, SupervisedFitPredictAndMethods) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAllAlgorithms(registry));
  // The three blobs at the corners of a triangle (ThreeBlobs' centres are
  // collinear, which masks the middle class from a linear classifier).
  Matrix x = ThreeBlobs();
  x.bottomRows(20).col(1).array() += 25.0;
  const std::string input = TempPath("sup_in.csv");
  const std::string target = TempPath("sup_y.csv");
  const std::string other = TempPath("sup_other.csv");
  const std::string output = TempPath("sup_out.csv");
  ECLIPSERA_ASSERT_OK(io::WriteMatrix(input, x));
  LabelVector y(60);
  for (int i = 0; i < 60; ++i) y(i) = 5 * (i / 20);  // classes 0, 5, 10
  ECLIPSERA_ASSERT_OK(io::WriteLabels(target, y));
  ECLIPSERA_ASSERT_OK(io::WriteMatrix(other, x.topRows(7)));
  {
    std::ostringstream out, err;
    EXPECT_EQ(RunCli({"ridgeclassifier", "--input", input, "--output", output},
                     registry, out, err),
              2);
    EXPECT_THAT(err.str(),
                HasSubstr("RidgeClassifier is a classifier: it needs "
                          "--target"));
  }
  {
    std::ostringstream out, err;
    ASSERT_EQ(RunCli({"ridgeclassifier", "--input", input, "--target", target,
                      "--output", output, "--alpha=0.5"},
                     registry, out, err),
              0)
        << err.str();
    EXPECT_THAT(out.str(), HasSubstr("\"method\": \"predict\""));
    EXPECT_THAT(out.str(), HasSubstr("\"score\": 1,"));  // training accuracy
    absl::StatusOr<Matrix> p = io::ReadMatrix(output);
    ECLIPSERA_ASSERT_OK(p);
    ASSERT_EQ(p->rows(), 60);
    for (int i = 0; i < 60; ++i) EXPECT_EQ((*p)(i, 0), y(i)) << i;
  }
  {
    std::ostringstream out, err;
    ASSERT_EQ(RunCli({"ridgeclassifier", "--input", input, "--target", target,
                      "--predict", other, "--method=decision_function",
                      "--output", output},
                     registry, out, err),
              0)
        << err.str();
    absl::StatusOr<Matrix> d = io::ReadMatrix(output);
    ECLIPSERA_ASSERT_OK(d);
    EXPECT_EQ(d->rows(), 7);
    EXPECT_EQ(d->cols(), 3);
  }
  {
    std::ostringstream out, err;
    EXPECT_EQ(RunCli({"linearregression", "--input", input, "--target", target,
                      "--method=predict_proba", "--output", output},
                     registry, out, err),
              1);
    EXPECT_THAT(err.str(), HasSubstr("has no PredictProba"));
  }
  {
    // A clusterer applied to new data.
    std::ostringstream out, err;
    ASSERT_EQ(
        RunCli({"kmeans", "--input", input, "--n_clusters=3",
                "--random_state=0", "--predict", other, "--output", output},
               registry, out, err),
        0)
        << err.str();
    absl::StatusOr<Matrix> l = io::ReadMatrix(output);
    ECLIPSERA_ASSERT_OK(l);
    EXPECT_EQ(l->rows(), 7);
  }
  {
    // --target with an unsupervised estimator is used (its score), not
    // silently dropped.
    std::ostringstream out, err;
    ASSERT_EQ(RunCli({"kmeans", "--input", input, "--target", target,
                      "--n_clusters=3", "--random_state=0", "--output", output},
                     registry, out, err),
              0)
        << err.str();
    EXPECT_THAT(out.str(), HasSubstr("\"score\": -"));
  }
  {
    std::ostringstream out, err;
    EXPECT_EQ(
        RunCli({"ridge", "--input", input, "--target", target, "--method=fit"},
               registry, out, err),
        2);
    EXPECT_THAT(err.str(), HasSubstr("--method 'fit' is not one of"));
  }
}

// scikit-learn's ConvergenceWarning when duplicates leave fewer distinct
// clusters than n_clusters: on stderr and in the JSON line.
TEST(AlgorithmsTest, KMeansWarnsAboutFewerDistinctClusters) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAllAlgorithms(registry));
  Matrix x(6, 2);
  x << 1, 1, 1, 1, 1, 1, 5, 5, 5, 5, 5, 5;
  const std::string input = TempPath("dup_in.csv");
  ECLIPSERA_ASSERT_OK(io::WriteMatrix(input, x));
  std::ostringstream out, err;
  ASSERT_EQ(RunCli({"kmeans", "--input", input, "--n_clusters=3",
                    "--random_state=0", "--output", TempPath("dup_out.csv")},
                   registry, out, err),
            0)
      << err.str();
  const char* text =
      "Number of distinct clusters (2) found smaller than n_clusters (3). "
      "Possibly due to duplicate points in X.";
  EXPECT_THAT(err.str(), HasSubstr(text));
  EXPECT_THAT(out.str(), HasSubstr(absl::StrCat("\"warnings\": [\"", text)));
  std::ostringstream out2, err2;
  ASSERT_EQ(RunCli({"kmeans", "--input", input, "--n_clusters=2",
                    "--random_state=0", "--output", TempPath("dup_out.csv")},
                   registry, out2, err2),
            0);
  EXPECT_THAT(out2.str(), HasSubstr("\"warnings\": []"));
}

// NearestNeighbors writes each row's nearest training rows (itself
// excluded without --predict), or their distances.
TEST(AlgorithmsTest, NearestNeighborsCommand) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAllAlgorithms(registry));
  Matrix x(5, 1);
  x << 0, 1, 3, 6, 10;
  Matrix q(2, 1);
  q << 2.9, 9;
  const std::string input = TempPath("nn_in.csv");
  const std::string queries = TempPath("nn_q.csv");
  const std::string output = TempPath("nn_out.csv");
  ECLIPSERA_ASSERT_OK(io::WriteMatrix(input, x));
  ECLIPSERA_ASSERT_OK(io::WriteMatrix(queries, q));
  {
    std::ostringstream out, err;
    ASSERT_EQ(RunCli({"NearestNeighbors", "--input", input, "--n_neighbors=2",
                      "--output", output},
                     registry, out, err),
              0)
        << err.str();
    EXPECT_THAT(out.str(), HasSubstr("\"method\": \"kneighbors\""));
    absl::StatusOr<Matrix> r = io::ReadMatrix(output);
    ECLIPSERA_ASSERT_OK(r);
    Matrix expected(5, 2);
    expected << 1, 2, 0, 2, 1, 0, 2, 4, 3, 2;  // ties by index
    EXPECT_EQ(*r, expected);
  }
  {
    std::ostringstream out, err;
    ASSERT_EQ(RunCli({"NearestNeighbors", "--input", input, "--n_neighbors=1",
                      "--predict", queries, "--method=kneighbors_distance",
                      "--output", output},
                     registry, out, err),
              0)
        << err.str();
    absl::StatusOr<Matrix> r = io::ReadMatrix(output);
    ECLIPSERA_ASSERT_OK(r);
    ASSERT_EQ(r->rows(), 2);
    EXPECT_NEAR((*r)(0, 0), 0.1, 1e-12);
    EXPECT_NEAR((*r)(1, 0), 1.0, 1e-12);
  }
  {
    std::ostringstream out, err;
    EXPECT_EQ(RunCli({"NearestNeighbors", "--input", input, "--output", output},
                     registry, out, err),
              1);
    EXPECT_THAT(err.str(), HasSubstr("n_neighbors = 5; expected"));
  }
  {
    std::ostringstream out, err;
    EXPECT_EQ(RunCli({"pca", "--input", input, "--method=kneighbors",
                      "--output", output},
                     registry, out, err),
              1);
    EXPECT_THAT(err.str(), HasSubstr("answers no neighbour queries"));
  }
}

TEST(AlgorithmsTest, ListShowsEveryAlgorithm) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAllAlgorithms(registry));
  std::ostringstream out, err;
  ASSERT_EQ(RunCli({"list"}, registry, out, err), 0);
  for (const EstimatorEntry& e : registry.entries()) {
    EXPECT_THAT(out.str(), HasSubstr(e.name));
  }
  EXPECT_EQ(registry.entries().size(), 23u);
}

// Fast by default: every estimator with an n_jobs parameter uses every
// available core unless told otherwise, and `help` says so.
TEST(AlgorithmsTest, EveryNJobsDefaultsToAllCores) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAllAlgorithms(registry));
  int with_n_jobs = 0;
  for (const EstimatorEntry& e : registry.entries()) {
    absl::StatusOr<std::unique_ptr<Estimator>> est = registry.Create(e.name);
    ECLIPSERA_ASSERT_OK(est);
    const ParamMap params = (*est)->GetParams();
    const auto it = params.find("n_jobs");
    if (it == params.end()) continue;
    ++with_n_jobs;
    ASSERT_TRUE(std::holds_alternative<int64_t>(it->second)) << e.name;
    EXPECT_EQ(std::get<int64_t>(it->second), -1) << e.name;
    std::ostringstream out, err;
    ASSERT_EQ(RunCli({"help", e.name}, registry, out, err), 0);
    EXPECT_THAT(out.str(), HasSubstr("-1 (default) every core")) << e.name;
  }
  EXPECT_EQ(with_n_jobs, 12);
}

}  // namespace
}  // namespace eclipsera::cli

namespace eclipsera::cli {
namespace {

TEST(AlgorithmsTest, PipelineCommand) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAllAlgorithms(registry));
  Matrix x = ThreeBlobs();
  x.bottomRows(20).col(1).array() += 25.0;
  x.col(0) *= 1000.0;  // scaling matters for k-means
  const std::string input = TempPath("pipe_in.csv");
  const std::string target = TempPath("pipe_y.csv");
  const std::string output = TempPath("pipe_out.csv");
  ECLIPSERA_ASSERT_OK(io::WriteMatrix(input, x));
  LabelVector y(60);
  for (int i = 0; i < 60; ++i) y(i) = i / 20;
  ECLIPSERA_ASSERT_OK(io::WriteLabels(target, y));
  {
    // Labels of scaler + k-means equal k-means on the scaled data.
    std::ostringstream out, err;
    ASSERT_EQ(
        RunCli({"pipeline", "--steps",
                "standardscaler | kmeans(n_clusters=3, random_state=0)",
                "--input", input, "--output", output, "--kmeans__n_init=3"},
               registry, out, err),
        0)
        << err.str();
    EXPECT_THAT(out.str(), HasSubstr("\"algorithm\": \"Pipeline\""));
    EXPECT_THAT(out.str(), HasSubstr("\"n_clusters_found\": 3"));
    absl::StatusOr<Matrix> labels = io::ReadMatrix(output);
    ECLIPSERA_ASSERT_OK(labels);
    preprocessing::StandardScaler scaler;
    absl::StatusOr<Matrix> xs = scaler.FitTransform(x);
    ECLIPSERA_ASSERT_OK(xs);
    cluster::KMeansOptions o;
    o.n_clusters = 3;
    o.random_state = 0;
    o.n_init = 3;
    cluster::KMeans km(o);
    absl::StatusOr<Vector> expected = km.FitPredict(*xs);
    ECLIPSERA_ASSERT_OK(expected);
    EXPECT_EQ(Vector(labels->col(0)), *expected);
  }
  {
    // A classifier at the end: --target, predictions and the score.
    std::ostringstream out, err;
    ASSERT_EQ(RunCli({"pipeline", "--steps=minmaxscaler|logisticregression",
                      "--input", input, "--target", target, "--output", output,
                      "--method=predict_proba"},
                     registry, out, err),
              0)
        << err.str();
    EXPECT_THAT(out.str(), HasSubstr("\"score\": 1,"));
    absl::StatusOr<Matrix> p = io::ReadMatrix(output);
    ECLIPSERA_ASSERT_OK(p);
    EXPECT_EQ(p->cols(), 3);
  }
  {
    // A malformed spec: usage error pointing at the character.
    std::ostringstream out, err;
    EXPECT_EQ(RunCli({"pipeline", "--steps", "standardscaler|kmeans(n_clusters",
                      "--input", input},
                     registry, out, err),
              2);
    EXPECT_THAT(err.str(), HasSubstr("at character 33: expected '='"));
    std::ostringstream out2, err2;
    EXPECT_EQ(RunCli({"pipeline", "--input", input}, registry, out2, err2), 2);
    EXPECT_THAT(err2.str(), HasSubstr("pipeline needs --steps"));
    std::ostringstream out3, err3;
    EXPECT_EQ(RunCli({"pipeline", "--steps=pca|kmeans", "--input", input,
                      "--kmeans__bogus=1"},
                     registry, out3, err3),
              2);
    EXPECT_THAT(err3.str(), HasSubstr("unknown flag --kmeans__bogus"));
  }
}

}  // namespace
}  // namespace eclipsera::cli

namespace eclipsera::cli {
namespace {

TEST(AlgorithmsTest, SearchAndCrossValidateCommands) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAllAlgorithms(registry));
  Matrix x = ThreeBlobs();
  x.bottomRows(20).col(1).array() += 25.0;
  const std::string input = TempPath("search_in.csv");
  const std::string target = TempPath("search_y.csv");
  const std::string results = TempPath("search_results.csv");
  ECLIPSERA_ASSERT_OK(io::WriteMatrix(input, x));
  LabelVector y(60);
  for (int i = 0; i < 60; ++i) y(i) = i / 20;
  ECLIPSERA_ASSERT_OK(io::WriteLabels(target, y));
  {
    // KMeans over n_clusters: its score (-inertia) prefers the most
    // clusters; the CSV has one row per candidate with scikit-learn's keys.
    std::ostringstream out, err;
    ASSERT_EQ(
        RunCli({"search", "--estimator",
                "kmeans(n_init=1, "
                "random_state=0)",
                "--param_grid", R"({"n_clusters": [2, 3, 4]})", "--cv",
                "kfold(n_splits=3, shuffle=true, random_state=1)", "--input",
                input, "--cv_results", results, "--n_jobs", "2"},
               registry, out, err),
        0)
        << err.str();
    EXPECT_THAT(
        out.str(),
        AllOf(HasSubstr("\"best_params\": {\"n_clusters\": 4}"),
              HasSubstr("\"best_index\": 2"), HasSubstr("\"n_candidates\": 3"),
              HasSubstr("\"n_splits\": 3"), HasSubstr("\"acquisitions\": 9")));
    absl::StatusOr<std::string> csv = io::ReadFileToString(results);
    ECLIPSERA_ASSERT_OK(csv);
    EXPECT_THAT(*csv, ::testing::StartsWith(
                          "mean_fit_time,std_fit_time,mean_score_time,"
                          "std_score_time,param_n_clusters,params,"
                          "split0_test_score,split1_test_score,"
                          "split2_test_score,mean_test_score,std_test_score,"
                          "rank_test_score\n"));
    EXPECT_EQ(std::count(csv->begin(), csv->end(), '\n'), 4);
  }
  {
    // A pipeline with step__ names, two metrics, refit by name.
    std::ostringstream out, err;
    ASSERT_EQ(
        RunCli({"search", "--estimator", "standardscaler|logisticregression",
                "--param_grid", R"({"logisticregression__C": [0.01, 1.0]})",
                "--scoring", "accuracy,f1_macro", "--refit", "accuracy", "--cv",
                "3", "--input", input, "--target", target},
               registry, out, err),
        0)
        << err.str();
    EXPECT_THAT(out.str(), HasSubstr("\"best_score\": 1,"));
  }
  {
    // Successive halving over n_clusters, the resource a parameter.
    std::ostringstream out, err;
    ASSERT_EQ(
        RunCli({"search", "--search", "halving_grid", "--estimator",
                "kmeans(n_init=1, random_state=0)", "--param_grid",
                R"({"n_clusters": [2, 3, 4, 5, 6, 7, 8, 9, 10]})", "--resource",
                "max_iter", "--max_resources", "90", "--min_resources", "10",
                "--input", input, "--enable_pool_stats"},
               registry, out, err),
        0)
        << err.str();
    EXPECT_THAT(out.str(),
                AllOf(HasSubstr("\"n_resources\": [10, 30, 90]"),
                      HasSubstr("\"n_candidates_per_iteration\": [9, 3, 1]"),
                      HasSubstr("\"n_candidates\": 13")));
  }
  {
    std::ostringstream out, err;
    ASSERT_EQ(RunCli({"cross_validate", "--estimator", "logisticregression",
                      "--cv", "4", "--input", input, "--target", target,
                      "--return_train_score"},
                     registry, out, err),
              0)
        << err.str();
    EXPECT_THAT(out.str(), AllOf(HasSubstr("\"n_splits\": 4"),
                                 HasSubstr("\"test_score\": [1, 1, 1, 1]"),
                                 HasSubstr("\"train_score\": [1, 1, 1, 1]")));
  }
  {
    // name=scorer pairs: scikit-learn's scoring dict.
    std::ostringstream out, err;
    ASSERT_EQ(RunCli({"cross_validate", "--estimator", "logisticregression",
                      "--cv", "4", "--input", input, "--target", target,
                      "--scoring", "acc=accuracy, bal = balanced_accuracy"},
                     registry, out, err),
              0)
        << err.str();
    EXPECT_THAT(out.str(), AllOf(HasSubstr("\"test_acc\": [1, 1, 1, 1]"),
                                 HasSubstr("\"test_bal\": [1, 1, 1, 1]")));
  }
  // Bad input: clear messages, usage exit code 2 or failure 1.
  const auto fails = [&](std::vector<std::string> args, int code,
                         const std::string& what) {
    std::ostringstream out, err;
    EXPECT_EQ(RunCli(args, registry, out, err), code) << err.str();
    EXPECT_THAT(err.str(), HasSubstr(what));
    EXPECT_EQ(out.str(), "");
  };
  fails({"search", "--estimator", "kmeans", "--input", input}, 2,
        "--param_grid is required");
  fails({"search", "--estimator", "kmeans", "--param_grid", "{\"k\": [2]}",
         "--input", input},
        1, "unknown parameter 'k'");
  fails({"search", "--estimator", "kmeans", "--param_grid",
         "{\"n_clusters\": []}", "--input", input},
        2, "non-empty sequence");
  fails({"search", "--estimator", "kmeans", "--param_grid",
         "{\"n_clusters\": [2]}", "--input", input, "--scoring", "roc_auc"},
        1, "All the 5 fits failed");
  fails({"search", "--estimator", "logisticregression", "--param_grid",
         "{\"C\": [1]}", "--input", input},
        2, "give --target");
  fails({"search", "--estimator", "kmeans", "--param_grid",
         "{\"n_clusters\": [2]}", "--input", input, "--cv", "100"},
        1, "n_splits=100 greater than the number of samples");
  fails({"search", "--estimator", "kmeans", "--param_grid",
         "{\"n_clusters\": [2]}", "--input", input, "--search", "halving"},
        2, "--search 'halving' is not supported");
  fails({"search", "--estimator", "kmeans", "--param_grid",
         "{\"n_clusters\": [2]}", "--input", input, "--factor", "2"},
        2, "--factor applies to --search halving_grid");
  fails({"search", "--estimator", "kmeans", "--param_grid",
         "{\"n_clusters\": [2]}", "--input", input, "--fit_timeout", "3"},
        2, "--fit_timeout bounds fits of a run under mpirun");
  fails(
      {"cross_validate", "--estimator", "kmeans", "--input", input, "--bogus"},
      2, "unknown flag --bogus");
  fails({"search", "--estimator", "pca", "--param_grid", "{}", "--cv_results",
         results},
        2, "--input X is required");
  const std::string folds = TempPath("search_folds.csv");
  ECLIPSERA_ASSERT_OK(io::WriteMatrix(folds, Matrix::Constant(60, 1, 0.5)));
  fails({"search", "--estimator", "kmeans", "--param_grid",
         "{\"n_clusters\": [2]}", "--input", input, "--test_fold", folds},
        1, "entries are fold numbers");
  fails({"search", "--estimator", "kmeans", "--param_grid",
         "{\"n_clusters\": [2]}", "--input", input, "--cv_results", input},
        1, "same file");
  // Every flag's bad value is named with what it expects.
  const std::vector<std::string> grid = {
      "search",       "--estimator",           "kmeans",
      "--param_grid", "{\"n_clusters\": [2]}", "--input",
      input};
  const auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = grid;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"positional"}, "unexpected argument 'positional'"},
      {{"--input", input}, "flag --input given twice"},
      {{"--n_jobs", "two"}, "--n_jobs expects an integer, got 'two'"},
      {{"--verbose", "x"}, "--verbose expects an integer"},
      {{"--fit_timeout", "-1"}, "--fit_timeout expects a number of seconds"},
      {{"--search", "halving_grid", "--factor", "x"},
       "--factor expects a number, got 'x'"},
      {{"--search", "halving_grid", "--min_resources", "0"},
       "--min_resources expects smallest, exhaust or a count >= 1"},
      {{"--search", "halving_grid", "--max_resources", "-2"},
       "--max_resources expects auto or a count >= 1"},
      {{"--search", "halving_random", "--n_candidates", "0"},
       "--n_candidates expects exhaust or a count >= 1"},
      {{"--search", "random", "--n_iter", "many"},
       "--n_iter expects an integer, got 'many'"},
      {{"--search", "random", "--random_state", "seed"},
       "--random_state expects an integer, got 'seed'"},
      {{"--cv_results", TempPath("results.txt")},
       "the file must end in .csv or .json"},
      {{"--cv", "3", "--test_fold", folds}, "give --cv or --test_fold"},
  };
  for (const auto& [extra, message] : bad) fails(with(extra), 2, message);
  fails({"search", "--param_grid", "{}", "--input", input}, 2,
        "--estimator SPEC is required");
  fails({"search", "--estimator", "nosuchestimator", "--param_grid", "{}",
         "--input", input},
        2, "nosuchestimator");
  fails(with({"--param_grid", "@" + TempPath("no_such_grid.json")}), 2,
        "flag --param_grid given twice");
  fails({"search", "--estimator", "kmeans", "--param_grid",
         "@" + TempPath("no_such_grid.json"), "--input", input},
        1, "no_such_grid.json");
  const std::string wrong_rows = TempPath("search_wrong_rows.csv");
  ECLIPSERA_ASSERT_OK(io::WriteMatrix(wrong_rows, Matrix::Constant(7, 1, 0)));
  fails(with({"--test_fold", wrong_rows}), 1,
        "--test_fold needs one column with one value per input row (60)");
}

}  // namespace
}  // namespace eclipsera::cli
