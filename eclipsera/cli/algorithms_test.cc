// Runs every registered algorithm through the `eclipsera` command logic on
// a small data set of three blobs, checking the output file and JSON line.
#include "eclipsera/cli/algorithms.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eclipsera/cli/cli.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/core/testing.h"
#include "eclipsera/io/data_file.h"
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
             true}),
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

TEST(AlgorithmsTest, ListShowsEveryAlgorithm) {
  EstimatorRegistry registry;
  ECLIPSERA_ASSERT_OK(RegisterAllAlgorithms(registry));
  std::ostringstream out, err;
  ASSERT_EQ(RunCli({"list"}, registry, out, err), 0);
  for (const EstimatorEntry& e : registry.entries()) {
    EXPECT_THAT(out.str(), HasSubstr(e.name));
  }
  EXPECT_EQ(registry.entries().size(), 7u);
}

}  // namespace
}  // namespace eclipsera::cli
