#include "eclipsera/cli/cli.h"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/core/testing.h"
#include "eclipsera/io/file.h"
#include "eclipsera/io/npy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::cli {
namespace {

using ::testing::AllOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct SignOptions {
  double threshold = 0.0;
  int verbose = 0;
  static const ParamSchema<SignOptions>& Schema() {
    static const auto* s = [] {
      auto* s = new ParamSchema<SignOptions>("SignClusterer");
      s->Double("threshold", &SignOptions::threshold,
                "rows whose first column exceeds it get label 1");
      s->Int("verbose", &SignOptions::verbose, "progress level");
      return s;
    }();
    return *s;
  }
};

// Labels rows 1 when x(i, 0) > threshold, 0 otherwise, -1 when x(i, 0) is
// NaN. Fails for thresholds above 1e9. Reports the sum of squares of the
// first column as "inertia" and the verbose level it saw; warns (as
// scikit-learn does) when all rows get the same label. Counts its fits.
class SignClusterer : public EstimatorWithOptions<SignClusterer, SignOptions> {
 public:
  explicit SignClusterer(SignOptions o = {}) : options_(o) {}
  std::string name() const override { return "SignClusterer"; }
  EstimatorKind kind() const override { return EstimatorKind::kClusterer; }
  const SignOptions& options() const { return options_; }
  void set_options(const SignOptions& o) {
    options_ = o;
    Reset();
  }
  void Reset() override { fitted_ = false; }
  bool fitted() const override { return fitted_; }
  FittedScalarList FittedScalars() const override {
    return {{"inertia", inertia_},
            {"n_iter", 1},
            {"verbose_seen", static_cast<double>(options_.verbose)}};
  }
  static inline int fit_calls = 0;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double>,
                     const FitArgs&) override {
    if (options_.threshold > 1e9) {
      return absl::InvalidArgumentError(
          "SignClusterer::Fit: threshold (1e+10) must be <= 1e9");
    }
    ++fit_calls;
    inertia_ = 0;
    int above = 0, below = 0;
    for (Index i = 0; i < x.rows(); ++i) {
      if (!std::isnan(x(i, 0))) inertia_ += x(i, 0) * x(i, 0);
      if (x(i, 0) > options_.threshold) ++above;
      if (x(i, 0) <= options_.threshold) ++below;
    }
    if (above == 0 || below == 0) {
      AddWarning(
          "Number of distinct clusters (1) found smaller than 2; "
          "\"threshold\" may be out of range");
      AddWarning("second\\warning");
    }
    fitted_ = true;
    return absl::OkStatus();
  }
  absl::Status DoPredictInto(const ConstMatrixRef& x,
                             VectorRef labels) const override {
    for (Index i = 0; i < x.rows(); ++i) {
      labels(i) = std::isnan(x(i, 0))            ? -1.0
                  : x(i, 0) > options_.threshold ? 1.0
                                                 : 0.0;
    }
    return absl::OkStatus();
  }

 private:
  SignOptions options_;
  double inertia_ = 0;
  bool fitted_ = false;
};

struct NoOptions {
  static const ParamSchema<NoOptions>& Schema() {
    static const auto* s = new ParamSchema<NoOptions>("Doubler");
    return *s;
  }
};

// Transforms x to 2 * x.
class Doubler : public EstimatorWithOptions<Doubler, NoOptions> {
 public:
  explicit Doubler(NoOptions o = {}) : options_(o) {}
  std::string name() const override { return "Doubler"; }
  EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  Index n_features_out() const override { return fitted_ ? width_ : 0; }
  const NoOptions& options() const { return options_; }
  void set_options(const NoOptions& o) { Reset(); }
  void Reset() override { fitted_ = false; }
  bool fitted() const override { return fitted_; }

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double>,
                     const FitArgs&) override {
    width_ = x.cols();
    fitted_ = true;
    return absl::OkStatus();
  }
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override {
    out = 2.0 * x;
    return absl::OkStatus();
  }

 private:
  NoOptions options_;
  Index width_ = 0;
  bool fitted_ = false;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ECLIPSERA_ASSERT_OK(registry_.Register(
        {"SignClusterer", "labels rows by the sign of column 0",
         MainOutput::kLabels,
         [] { return std::make_unique<SignClusterer>(); }}));
    ECLIPSERA_ASSERT_OK(registry_.Register(
        {"Doubler", "multiplies the data by two", MainOutput::kTransform,
         [] { return std::make_unique<Doubler>(); }}));
    // Row 2's first column is NaN: noise.
    csv_ = Path("x.csv");
    ECLIPSERA_ASSERT_OK(
        io::WriteStringToFile(csv_, "a,b\n1.5,0\n-2,1\nnan,2\n3,3\n"));
  }

  std::string Path(const std::string& name) const {
    return ::testing::TempDir() + "/" + name;
  }

  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    std::vector<const char*> argv = {"eclipsera"};
    for (const std::string& a : args) argv.push_back(a.c_str());
    return RunCli(static_cast<int>(argv.size()), argv.data(), registry_, out_,
                  err_);
  }

  EstimatorRegistry registry_;
  std::string csv_;
  std::ostringstream out_, err_;
};

TEST_F(CliTest, ListsAlgorithms) {
  EXPECT_EQ(Run({"list"}), kExitOk);
  EXPECT_EQ(out_.str(),
            "SignClusterer  labels rows by the sign of column 0\n"
            "Doubler        multiplies the data by two\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CliTest, HelpListsParametersWithDefaults) {
  EXPECT_EQ(Run({"help", "signclusterer"}), kExitOk);
  EXPECT_THAT(out_.str(),
              AllOf(StartsWith("SignClusterer: labels rows by the sign"),
                    HasSubstr("--threshold=0  rows whose first column"),
                    HasSubstr("--verbose=0    progress level"),
                    HasSubstr("--input=PATH")));
  EXPECT_EQ(Run({"help", "Doubler"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("  (none)\n"));
  EXPECT_EQ(Run({"SignClusterer", "--help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("--threshold=0"));
  EXPECT_EQ(Run({"help", "KMeans"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("unknown algorithm 'KMeans'; available: "
                                    "SignClusterer, Doubler"));
  EXPECT_EQ(Run({"--help"}), kExitOk);
  EXPECT_THAT(out_.str(), StartsWith("usage: eclipsera list"));
}

TEST_F(CliTest, FitsCsvAndWritesLabelsAndOneJsonLine) {
  const std::string out = Path("labels.csv");
  EXPECT_EQ(Run({"signclusterer", "--input", csv_, "--output=" + out}), kExitOk)
      << err_.str();
  EXPECT_EQ(*io::ReadFileToString(out), "1\n0\n-1\n1\n");
  const std::string line = out_.str();
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  EXPECT_THAT(line, StartsWith("{\"algorithm\": \"SignClusterer\", "
                               "\"n_samples\": 4, \"n_features\": 2, "
                               "\"inertia\": 15.25, \"n_iter\": 1, "
                               "\"verbose_seen\": 0, "
                               "\"n_clusters_found\": 2, \"n_noise\": 1, "
                               "\"read_seconds\": "));
  EXPECT_THAT(line, HasSubstr(", \"fit_seconds\": "));
  EXPECT_THAT(line, EndsWith(", \"warnings\": []}\n"));
  EXPECT_EQ(err_.str(), "");
}

// `eclipsera score` from files: scorer names (greater is better), losses
// by their metric names (positive), weights, and clear errors.
// Each flag combination the fit, score and help commands refuse, with the
// exit code (2: usage, 1: failure) and what the message names.
TEST_F(CliTest, EveryRefusedCombinationNamesItsProblem) {
  const std::string one = Path("one_column.csv"), y = Path("y4.csv"),
                    wide = Path("y4x2.csv"), svg = Path("plot.svg");
  ECLIPSERA_ASSERT_OK(io::WriteStringToFile(one, "1\n-2\n3\n"));
  ECLIPSERA_ASSERT_OK(io::WriteStringToFile(y, "0\n1\n1\n0\n"));
  ECLIPSERA_ASSERT_OK(io::WriteStringToFile(wide, "0,1\n1,0\n1,1\n0,0\n"));
  const std::string finite = Path("finite.csv");
  ECLIPSERA_ASSERT_OK(io::WriteStringToFile(finite, "1,0\n-2,1\n3,3\n"));
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"Doubler", "--input", Path("x.json")}, kExitUsage, "'.json'"},
      {{"Doubler", "--input", finite, "--predict", Path("p.json")},
       kExitUsage,
       "'.json'"},
      {{"Doubler", "--input", finite, "--predict", finite, "--plot", svg},
       kExitUsage,
       "does not combine with --target, --predict or --method"},
      {{"Doubler", "--input", finite, "--target", y},
       kExitFailure,
       "--target needs one column with one value per input row (3); got 4 "
       "x 1"},
      {{"Doubler", "--input", one, "--plot", svg},
       kExitFailure,
       "--plot needs at least 2 columns to draw, the result has 1"},
      {{"SignClusterer", "--input", one, "--plot", svg},
       kExitFailure,
       "--plot needs at least 2 columns to draw, the input has 1"},
      {{"SignClusterer", "--input", finite, "--method", "predict_log_proba"},
       kExitFailure,
       "SignClusterer has no PredictLogProba method"},
      {{"SignClusterer", "--input", finite, "--method", "score_samples"},
       kExitFailure,
       "SignClusterer has no ScoreSamples method"},
      {{"score", "positional"}, kExitUsage, "unexpected argument 'positional'"},
      {{"score", "--bogus", "1"}, kExitUsage, "unknown flag --bogus"},
      {{"score", "--metric", "accuracy", "--metric", "f1"},
       kExitUsage,
       "flag --metric given twice"},
      {{"score", "--metric", "accuracy", "--true", wide, "--pred", y},
       kExitFailure,
       "one column"},
      {{"score", "--metric", "accuracy", "--true", y, "--pred", y,
        "--sample_weight", wide},
       kExitFailure,
       "sample_weight has 8 entries; expected one per sample (4)"},
      {{"help", "Doubler", "SignClusterer"},
       kExitUsage,
       "'help' takes one algorithm name"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Run(c.args), c.code)
        << absl::StrJoin(c.args, " ") << ": " << err_.str();
    EXPECT_THAT(err_.str(), HasSubstr(c.message)) << absl::StrJoin(c.args, " ");
  }
  // --method transform runs the fitted transformer on the input.
  EXPECT_EQ(Run({"Doubler", "--input", finite, "--method", "transform",
                 "--verbose=1"}),
            kExitOk)
      << err_.str();
  EXPECT_THAT(err_.str(), HasSubstr("eclipsera: fitted in"));
}

TEST_F(CliTest, ScoresFromFiles) {
  const std::string y = Path("y.csv"), p = Path("p.csv"), w = Path("w.csv"),
                    proba = Path("proba.csv");
  ECLIPSERA_ASSERT_OK(io::WriteStringToFile(y, "0\n1\n1\n0\n"));
  ECLIPSERA_ASSERT_OK(io::WriteStringToFile(p, "0\n1\n0\n0\n"));
  ECLIPSERA_ASSERT_OK(io::WriteStringToFile(w, "1\n1\n2\n0\n"));
  ECLIPSERA_ASSERT_OK(
      io::WriteStringToFile(proba, "0.9,0.1\n0.2,0.8\n0.6,0.4\n0.5,0.5\n"));
  EXPECT_EQ(Run({"score", "--metric", "accuracy", "--true", y, "--pred", p}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(out_.str(), "{\"metric\": \"accuracy\", \"score\": 0.75}\n");
  EXPECT_EQ(Run({"score", "--metric=accuracy", "--true=" + y, "--pred=" + p,
                 "--sample_weight=" + w}),
            kExitOk);
  EXPECT_EQ(out_.str(), "{\"metric\": \"accuracy\", \"score\": 0.5}\n");
  EXPECT_EQ(Run({"score", "--metric=neg_mean_squared_error", "--true=" + y,
                 "--pred=" + p}),
            kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("\"score\": -0.25}"));
  EXPECT_EQ(Run({"score", "--metric=mean_squared_error", "--true=" + y,
                 "--pred=" + p}),
            kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("\"score\": 0.25}"));
  // Probabilities: roc_auc from the second column, log loss.
  EXPECT_EQ(
      Run({"score", "--metric=roc_auc", "--true=" + y, "--pred=" + proba}),
      kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("\"score\": 0.75}"));
  EXPECT_EQ(Run({"score", "--metric=f1_macroo", "--true=" + y, "--pred=" + p}),
            kExitUsage);
  EXPECT_THAT(err_.str(), AllOf(HasSubstr("unknown scorer 'f1_macroo'"),
                                HasSubstr("f1_macro")));
  EXPECT_EQ(Run({"score", "--metric=accuracy", "--true=" + y}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("score needs --pred"));
  EXPECT_EQ(Run({"score", "--metric=adjusted_rand_score", "--true=" + y,
                 "--pred=" + p, "--sample_weight=" + w}),
            kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("does not take sample_weight"));
  EXPECT_EQ(
      Run({"score", "--metric=accuracy", "--true=" + y, "--pred=" + csv_}),
      kExitFailure);
}

TEST_F(CliTest, ParametersChangeTheResult) {
  const std::string out = Path("labels2.csv");
  EXPECT_EQ(Run({"SignClusterer", "--input=" + csv_, "--threshold=2.5",
                 "--output", out}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(*io::ReadFileToString(out), "0\n0\n-1\n1\n");
  EXPECT_EQ(Run({"SignClusterer", "--input=" + csv_, "--threshold", "-5"}),
            kExitOk)
      << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("\"n_clusters_found\": 1"));
}

TEST_F(CliTest, NpyInputAndOutput) {
  Matrix x(3, 2);
  x << -1, 5, 2, 6, 0.5, 7;
  const std::string in = Path("x.npy");
  ECLIPSERA_ASSERT_OK(io::WriteNpy(in, x));
  const std::string out = Path("labels.npy");
  EXPECT_EQ(Run({"SignClusterer", "--input", in, "--output", out}), kExitOk)
      << err_.str();
  absl::StatusOr<LabelVector> labels = io::ReadNpyLabels(out);
  ECLIPSERA_ASSERT_OK(labels);
  EXPECT_EQ(*labels, (LabelVector(3) << 0, 1, 1).finished());

  const std::string t = Path("t.npy");
  EXPECT_EQ(Run({"doubler", "--input", in, "--output", t}), kExitOk)
      << err_.str();
  absl::StatusOr<Matrix> back = io::ReadNpy(t);
  ECLIPSERA_ASSERT_OK(back);
  EXPECT_EQ(*back, 2.0 * x);
  EXPECT_THAT(out_.str(), Not(HasSubstr("n_noise")));
  EXPECT_THAT(out_.str(), HasSubstr("\"n_samples\": 3"));

  const std::string tc = Path("t.csv");
  EXPECT_EQ(Run({"Doubler", "--input", in, "--output", tc}), kExitOk);
  EXPECT_EQ(*io::ReadFileToString(tc), "-2,10\n4,12\n1,14\n");
}

TEST_F(CliTest, VerboseIsPassedOnAndShowsProgress) {
  EXPECT_EQ(Run({"SignClusterer", "--input", csv_, "--verbose=2"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("\"verbose_seen\": 2"));
  EXPECT_THAT(err_.str(),
              AllOf(HasSubstr("eclipsera: read "), HasSubstr("(4 x 2)"),
                    HasSubstr("eclipsera: fitting SignClusterer")));
  // Doubler has no verbose parameter: still accepted.
  EXPECT_EQ(Run({"Doubler", "--input", csv_, "--verbose=1"}), kExitOk);
  EXPECT_EQ(Run({"Doubler", "--input", csv_, "--verbose=x"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--verbose expects an integer"));
}

TEST_F(CliTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(Run({}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("usage: eclipsera"));

  EXPECT_EQ(Run({"SignClusterer", "--input", csv_, "--thresh=1"}), kExitUsage);
  EXPECT_THAT(err_.str(),
              HasSubstr("unknown flag --thresh for SignClusterer; valid "
                        "parameters: threshold, verbose"));
  EXPECT_EQ(out_.str(), "");

  EXPECT_EQ(Run({"SignClusterer", "--input", csv_, "--threshold=abc"}),
            kExitUsage);
  EXPECT_THAT(err_.str(),
              HasSubstr("parameter 'threshold' expects a float, got string "
                        "'abc'"));

  EXPECT_EQ(Run({"KMeans", "--input", csv_}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("unknown algorithm 'KMeans'; available: "
                                    "SignClusterer, Doubler"));

  EXPECT_EQ(Run({"SignClusterer"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("missing --input"));
  EXPECT_EQ(Run({"SignClusterer", "--input"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--input needs a file name"));
  EXPECT_EQ(Run({"SignClusterer", "--input", csv_, "extra"}), kExitUsage);
  EXPECT_EQ(Run({"SignClusterer", "--input", csv_, "--input", csv_}),
            kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("flag --input given twice"));
  EXPECT_EQ(Run({"SignClusterer", "--input", csv_, "--output", "o.json"}),
            kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("unknown data file extension '.json'"));
  EXPECT_EQ(Run({"list", "x"}), kExitUsage);
  EXPECT_EQ(Run({"--input", csv_}), kExitUsage);
}

TEST_F(CliTest, FailuresExitWithOne) {
  EXPECT_EQ(Run({"SignClusterer", "--input", Path("missing.csv")}),
            kExitFailure);
  EXPECT_THAT(err_.str(), AllOf(StartsWith("eclipsera: error: "),
                                HasSubstr("missing.csv: cannot open")));
  EXPECT_EQ(out_.str(), "");

  const std::string bad = Path("bad.csv");
  ECLIPSERA_ASSERT_OK(io::WriteStringToFile(bad, "1,2\n3,abc\n"));
  EXPECT_EQ(Run({"SignClusterer", "--input", bad}), kExitFailure);
  EXPECT_THAT(err_.str(),
              HasSubstr(bad + ":2:3: expected a number, got 'abc'"));

  const std::string bad_npy = Path("bad.npy");
  ECLIPSERA_ASSERT_OK(io::WriteStringToFile(bad_npy, "not numpy"));
  EXPECT_EQ(Run({"SignClusterer", "--input", bad_npy}), kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("bad magic"));

  EXPECT_EQ(Run({"SignClusterer", "--input", csv_, "--threshold=1e10"}),
            kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("threshold (1e+10) must be <= 1e9"));

  EXPECT_EQ(Run({"SignClusterer", "--input", csv_, "--output",
                 "/nonexistent/dir/l.csv"}),
            kExitFailure);
  EXPECT_THAT(err_.str(),
              HasSubstr("--output /nonexistent/dir/l.csv: cannot write: "
                        "directory '/nonexistent/dir' does not exist"));

  // Empty data: the estimator's own check.
  Matrix empty(0, 3);
  const std::string e = Path("empty.npy");
  ECLIPSERA_ASSERT_OK(io::WriteNpy(e, empty));
  EXPECT_EQ(Run({"SignClusterer", "--input", e}), kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("X is empty"));
}

TEST_F(CliTest, WarningsGoToStderrAndTheJsonLine) {
  EXPECT_EQ(Run({"SignClusterer", "--input", csv_, "--threshold=-5"}), kExitOk)
      << err_.str();
  EXPECT_EQ(err_.str(),
            "eclipsera: warning: Number of distinct clusters (1) found "
            "smaller than 2; \"threshold\" may be out of range\n"
            "eclipsera: warning: second\\warning\n");
  EXPECT_THAT(out_.str(),
              EndsWith(", \"warnings\": [\"Number of distinct clusters (1) "
                       "found smaller than 2; \\\"threshold\\\" may be out "
                       "of range\", \"second\\\\warning\"]}\n"));
  // A transform without warnings: an empty list.
  EXPECT_EQ(Run({"Doubler", "--input", csv_}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), EndsWith(", \"warnings\": []}\n"));
  EXPECT_EQ(err_.str(), "");
}

// Missing values in the CSV become NaN: the row is kept (SignClusterer
// labels it -1), never taken as a header.
TEST_F(CliTest, MissingValuesInFirstRowAreNotAHeader) {
  const std::string in = Path("na.csv");
  ECLIPSERA_ASSERT_OK(io::WriteStringToFile(in, "NA,1\n2,3\n-1,\n"));
  const std::string out = Path("na_labels.csv");
  EXPECT_EQ(Run({"SignClusterer", "--input", in, "--output", out}), kExitOk)
      << err_.str();
  EXPECT_EQ(*io::ReadFileToString(out), "-1\n1\n0\n");
  EXPECT_THAT(out_.str(), HasSubstr("\"n_samples\": 3"));
}

class CliOutputTest : public CliTest {
 protected:
  // Runs SignClusterer with `flags` and expects a failure before fitting
  // with `message` on stderr, nothing on stdout and the input unchanged.
  void ExpectRefused(std::vector<std::string> flags,
                     const std::string& message) {
    const std::string before = *io::ReadFileToString(csv_);
    const int fits = SignClusterer::fit_calls;
    std::vector<std::string> args = {"SignClusterer", "--input", csv_};
    args.insert(args.end(), flags.begin(), flags.end());
    EXPECT_EQ(Run(args), kExitFailure) << flags[1];
    EXPECT_EQ(err_.str(), "eclipsera: error: " + message + "\n");
    EXPECT_EQ(out_.str(), "");
    EXPECT_EQ(SignClusterer::fit_calls, fits) << "fitted before refusing";
    EXPECT_EQ(*io::ReadFileToString(csv_), before);
  }
};

TEST_F(CliOutputTest, OutputThatIsTheInputIsRefused) {
  const std::string same =
      "; refusing to overwrite it, choose another output path";
  ExpectRefused({"--output", csv_}, "--output " + csv_ +
                                        ": is the same file as the input '" +
                                        csv_ + "'" + same);
  // Another spelling of the same path.
  const std::string dotted = ::testing::TempDir() + "/./x.csv";
  ExpectRefused({"--output", dotted}, "--output " + dotted +
                                          ": is the same file as the input '" +
                                          csv_ + "'" + same);
  // A hard link to it.
  const std::string hard = Path("hard_link.csv");
  ::unlink(hard.c_str());
  ASSERT_EQ(::link(csv_.c_str(), hard.c_str()), 0);
  ExpectRefused({"--output", hard}, "--output " + hard +
                                        ": is the same file as the input '" +
                                        csv_ + "'" + same);
  // A .npy input cannot be replaced by its labels either.
  Matrix x(2, 2);
  x << 1, 2, 3, 4;
  const std::string npy = Path("in.npy");
  ECLIPSERA_ASSERT_OK(io::WriteNpy(npy, x));
  const std::string npy_bytes = *io::ReadFileToString(npy);
  EXPECT_EQ(Run({"SignClusterer", "--input", npy, "--output", npy}),
            kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("is the same file as the input"));
  EXPECT_EQ(*io::ReadFileToString(npy), npy_bytes);
  // The plot and the --labels file are checked the same way.
  ExpectRefused({"--plot", hard}, "--plot " + hard +
                                      ": is the same file as the input '" +
                                      csv_ + "'" + same);
  const std::string colours = Path("colours.csv");
  ECLIPSERA_ASSERT_OK(io::WriteStringToFile(colours, "0\n1\n0\n1\n"));
  ExpectRefused(
      {"--plot", Path("p.svg"), "--labels", colours, "--output", colours},
      "--output " + colours + ": is the same file as the input '" + colours +
          "'" + same);
  EXPECT_EQ(*io::ReadFileToString(colours), "0\n1\n0\n1\n");
}

TEST_F(CliOutputTest, BadOutputPathsAreRefusedBeforeFitting) {
  const std::string missing = Path("no_such_dir") + "/l.csv";
  ExpectRefused({"--output", missing},
                "--output " + missing + ": cannot write: directory '" +
                    Path("no_such_dir") + "' does not exist");
  const std::string dir = Path("a_dir.csv");
  ::mkdir(dir.c_str(), 0755);
  ExpectRefused({"--output", dir},
                "--output " + dir + ": is a directory, expected a file name");
  const std::string under_file = csv_ + "/l.csv";
  ExpectRefused({"--output", under_file}, "--output " + under_file +
                                              ": cannot write: '" + csv_ +
                                              "' is not a directory");
  const std::string svg = Path("no_such_dir") + "/p.svg";
  ExpectRefused({"--output", Path("fine.csv"), "--plot", svg},
                "--plot " + svg + ": cannot write: directory '" +
                    Path("no_such_dir") + "' does not exist");
  EXPECT_FALSE(io::ReadFileToString(Path("fine.csv")).ok());
  // The same file for two outputs (a usage error).
  const int fits = SignClusterer::fit_calls;
  EXPECT_EQ(Run({"SignClusterer", "--input", csv_, "--output", Path("o.csv"),
                 "--plot", ::testing::TempDir() + "/./o.csv"}),
            kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("is the same file as --output"));
  EXPECT_EQ(SignClusterer::fit_calls, fits);
  // --labels without --plot is now refused before fitting too.
  EXPECT_EQ(Run({"SignClusterer", "--input", csv_, "--labels", csv_}),
            kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--labels only colours a --plot"));
  EXPECT_EQ(SignClusterer::fit_calls, fits);
}

// Writes beyond RLIMIT_FSIZE fail with EFBIG, for root too: a real write
// failure in the middle of the output. Nothing may print while it holds.
TEST_F(CliOutputTest, FailedWriteLeavesTheExistingOutputUntouched) {
  const std::string dir = Path("failed_write");
  ::mkdir(dir.c_str(), 0755);
  const std::string out = dir + "/labels.csv";
  const std::string old(3, 'o');  // Shorter than the limit.
  ECLIPSERA_ASSERT_OK(io::WriteStringToFile(out, old));
  struct rlimit saved, low;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  low = saved;
  low.rlim_cur = 4;  // The labels "1\n0\n-1\n1\n" need 9 bytes.
  void (*handler)(int) = std::signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &low), 0);
  const int code = Run({"SignClusterer", "--input", csv_, "--output", out});
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, handler);
  EXPECT_EQ(code, kExitFailure);
  EXPECT_EQ(err_.str(),
            "eclipsera: error: " + out + ": cannot write: File too large\n");
  EXPECT_EQ(out_.str(), "");  // No JSON line for a failed run.
  EXPECT_EQ(*io::ReadFileToString(out), old);
  // No temporary file left behind.
  DIR* d = ::opendir(dir.c_str());
  ASSERT_NE(d, nullptr);
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) names.push_back(e->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  EXPECT_THAT(names, ::testing::ElementsAre(".", "..", "labels.csv"));
  // Without the limit the same command replaces the file.
  EXPECT_EQ(Run({"SignClusterer", "--input", csv_, "--output", out}), kExitOk);
  EXPECT_EQ(*io::ReadFileToString(out), "1\n0\n-1\n1\n");
}

TEST(CliEmptyRegistryTest, SaysNothingIsRegistered) {
  EstimatorRegistry registry;
  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"list"}, registry, out, err), kExitOk);
  EXPECT_EQ(out.str(), "(no algorithms registered)\n");
  EXPECT_EQ(RunCli({"KMeans", "--input", "x.csv"}, registry, out, err),
            kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("no algorithms are registered"));
}

}  // namespace
}  // namespace eclipsera::cli
