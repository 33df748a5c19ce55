// Splitters, parameter grids, cross-validation and searches against
// scikit-learn 1.2 (testdata/generate_model_selection.py), and their
// determinism across n_jobs and pooling, failure handling and bad input.
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "eclipsera/cluster/kmeans.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/testing.h"
#include "eclipsera/linear_model/logistic.h"
#include "eclipsera/model_selection/parameter_grid.h"
#include "eclipsera/model_selection/search.h"
#include "eclipsera/model_selection/split.h"
#include "eclipsera/pipeline/pipeline.h"
#include "eclipsera/pool/pooling_switch.h"
#include "eclipsera/preprocessing/scalers.h"
#include "eclipsera/testing/golden.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::model_selection {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kDir = "eclipsera/model_selection/testdata/";

Matrix Golden(const std::string& name) {
  return ::eclipsera::testing::LoadGolden(kDir + name + ".csv");
}

std::vector<double> Column(const Matrix& m) {
  return std::vector<double>(m.data(), m.data() + m.size());
}

std::vector<std::string> Lines(const std::string& name) {
  std::ifstream in(kDir + name);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// "name split[ train]" -> indices, from splits.txt.
std::map<std::string, std::vector<Index>> GoldenSplits() {
  std::map<std::string, std::vector<Index>> out;
  for (const std::string& line : Lines("splits.txt")) {
    const size_t colon = line.find(':');
    std::vector<Index> idx;
    for (absl::string_view t :
         absl::StrSplit(line.substr(colon + 1), ' ', absl::SkipEmpty())) {
      int64_t v = 0;
      EXPECT_TRUE(absl::SimpleAtoi(t, &v));
      idx.push_back(v);
    }
    out[line.substr(0, colon)] = idx;
  }
  return out;
}

const std::vector<double> kStratY = {2, 2, 0, 1, 0, 2, 1, 1, 0, 2, 2, 0,
                                     1, 2, 0, 0, 2, 1, 2, 0, 2, 1, 0};
const std::vector<double> kGroups = {0, 0, 1, 1, 1, 2, 3, 3, 3, 3, 4, 5,
                                     5, 6, 6, 6, 6, 7, 8, 8, 9, 9, 9};

void ExpectSplitsMatch(const std::string& name, const Splitter& cv,
                       absl::Span<const double> y = {},
                       absl::Span<const double> groups = {},
                       bool complement = true) {
  const auto golden = GoldenSplits();
  std::vector<std::string> warnings;
  absl::StatusOr<std::vector<TrainTest>> splits =
      cv.Split({23, y, groups}, &warnings);
  ASSERT_TRUE(splits.ok()) << name << ": " << splits.status();
  size_t expected = 0;
  while (golden.count(absl::StrCat(name, " ", expected))) ++expected;
  ASSERT_EQ(splits->size(), expected) << name;
  for (size_t s = 0; s < splits->size(); ++s) {
    const TrainTest& t = (*splits)[s];
    EXPECT_EQ(t.test, golden.at(absl::StrCat(name, " ", s))) << name << s;
    if (complement) {
      std::vector<Index> rest;
      for (Index i = 0; i < 23; ++i) {
        if (std::find(t.test.begin(), t.test.end(), i) == t.test.end() &&
            (name != "predefined" || (i != 2 && i != 8 && i != 16))) {
          rest.push_back(i);
        }
      }
      if (name == "predefined") {
        // -1 entries are always in training.
        rest.clear();
        for (Index i = 0; i < 23; ++i) {
          if (std::find(t.test.begin(), t.test.end(), i) == t.test.end()) {
            rest.push_back(i);
          }
        }
      }
      EXPECT_EQ(t.train, rest) << name << s;
    } else {
      EXPECT_EQ(t.train, golden.at(absl::StrCat(name, " ", s, " train")))
          << name << s;
    }
  }
}

TEST(SplitTest, NonShufflingSplittersGiveScikitLearnsIndices) {
  ExpectSplitsMatch("kfold5", KFold(5));
  ExpectSplitsMatch("kfold3", KFold(3));
  ExpectSplitsMatch("stratified3", StratifiedKFold(3), kStratY);
  ExpectSplitsMatch("stratified5", StratifiedKFold(5), kStratY);
  ExpectSplitsMatch("group4", GroupKFold(4), {}, kGroups);
  ExpectSplitsMatch("timeseries3", TimeSeriesSplit(3), {}, {}, false);
  ExpectSplitsMatch("timeseries_gap", TimeSeriesSplit(4, 6, 3, 2), {}, {},
                    false);
  ExpectSplitsMatch("predefined",
                    PredefinedSplit({0, 1, -1, 2, 0,  1, 2, 2, -1, 0, 1, 0,
                                     2, 1, 1,  0, -1, 2, 0, 1, 2,  0, 1}));
  ExpectSplitsMatch("loo", LeaveOneOut());
  ExpectSplitsMatch("lpo2", LeavePOut(2));
}

TEST(SplitTest, LeavePOutAndGroupShuffleSplit) {
  EXPECT_TRUE(LeavePOut(1).IsPartition());
  EXPECT_FALSE(LeavePOut(2).IsPartition());
  EXPECT_THAT(LeavePOut(3).Split({3}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("strictly less than the number of samples")));
  EXPECT_THAT(
      LeavePOut(5).Split({1000}, nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("more than")));
  // scikit-learn puts 7 of the 10 groups in train and 3 in test, every
  // time; a group is never on both sides.
  const auto golden = GoldenSplits();
  GroupShuffleSplit gss(3, 0.3, -1, 0);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(std::vector<TrainTest> splits,
                                 gss.Split({23, {}, kGroups}, nullptr));
  ASSERT_EQ(splits.size(), 3u);
  for (size_t s = 0; s < 3; ++s) {
    std::set<double> train, test;
    for (Index i : splits[s].train) train.insert(kGroups[i]);
    for (Index i : splits[s].test) test.insert(kGroups[i]);
    const std::vector<Index>& want = golden.at(absl::StrCat("gss_groups ", s));
    EXPECT_EQ(train.size(), static_cast<size_t>(want[0]));
    EXPECT_EQ(test.size(), static_cast<size_t>(want[1]));
    for (double g : test) EXPECT_FALSE(train.count(g)) << g;
    EXPECT_EQ(splits[s].train.size() + splits[s].test.size(), 23u);
  }
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(std::vector<TrainTest> again,
                                 gss.Split({23, {}, kGroups}, nullptr));
  EXPECT_EQ(again[2].test, splits[2].test);
  EXPECT_THAT(gss.Split({23}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'groups' parameter should not be None")));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Splitter> parsed,
      ParseSplitter("groupshufflesplit(n_splits=3, test_size=0.3, "
                    "random_state=0)",
                    EstimatorKind::kClassifier));
  EXPECT_EQ(parsed->Repr(),
            "GroupShuffleSplit(n_splits=3, random_state=0, test_size=0.3, "
            "train_size=None)");
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      parsed, ParseSplitter("leavepout(p=2)", EstimatorKind::kRegressor));
  EXPECT_EQ(parsed->Repr(), "LeavePOut(p=2)");
  EXPECT_THAT(ParseSplitter("leavepout", EstimatorKind::kRegressor),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("p=2")));
}

// RepeatedKFold: n_repeats shuffled partitions with scikit-learn's fold
// sizes, different from repeat to repeat, identical for the same seed; the
// stratified variant keeps each fold's class counts; n_repeats < 1 fails.
TEST(SplitTest, RepeatedKFoldPartitionsEveryRepeat) {
  RepeatedKFold rkf(3, 2, 0);
  EXPECT_EQ(rkf.Repr(),
            "RepeatedKFold(n_repeats=2, n_splits=3, random_state=0)");
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(std::vector<TrainTest> splits,
                                 rkf.Split({10, {}, {}}, nullptr));
  ASSERT_EQ(splits.size(), 6u);
  for (int r = 0; r < 2; ++r) {
    std::vector<int> seen(10, 0);
    std::multiset<size_t> sizes;
    for (int f = 0; f < 3; ++f) {
      const TrainTest& t = splits[r * 3 + f];
      sizes.insert(t.test.size());
      EXPECT_EQ(t.train.size() + t.test.size(), 10u);
      for (Index i : t.test) ++seen[i];
    }
    EXPECT_EQ(seen, std::vector<int>(10, 1)) << "repeat " << r;
    EXPECT_EQ(sizes, (std::multiset<size_t>{3, 3, 4}));
  }
  EXPECT_NE(splits[0].test, splits[3].test);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(std::vector<TrainTest> again,
                                 rkf.Split({10, {}, {}}, nullptr));
  EXPECT_EQ(again[4].test, splits[4].test);

  const std::vector<double> y = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
  RepeatedKFold stratified(3, 2, 5, /*stratified=*/true);
  EXPECT_EQ(stratified.Repr(),
            "RepeatedStratifiedKFold(n_repeats=2, n_splits=3, "
            "random_state=5)");
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(std::vector<TrainTest> strat,
                                 stratified.Split({12, y, {}}, nullptr));
  ASSERT_EQ(strat.size(), 6u);
  for (const TrainTest& t : strat) {
    int ones = 0;
    for (Index i : t.test) ones += y[i] == 1;
    EXPECT_EQ(t.test.size(), 4u);
    EXPECT_EQ(ones, 2);
  }
  EXPECT_THAT(RepeatedKFold(3, 0).Split({10, {}, {}}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("n_repeats=0 must be at least 1")));
}

// Every splitter's Clone() has its repr and gives its splits (seeded ones
// included), and IsPartition() says whether every sample is tested once.
TEST(SplitTest, ClonesSplitAsTheOriginal) {
  std::vector<double> y(24), groups(24);
  for (int i = 0; i < 24; ++i) {
    y[i] = i % 2;
    groups[i] = i / 3;
  }
  std::vector<int64_t> test_fold(24);
  for (int i = 0; i < 24; ++i) test_fold[i] = i % 4 == 3 ? -1 : i % 3;
  std::vector<std::unique_ptr<Splitter>> splitters;
  splitters.push_back(std::make_unique<KFold>(4, true, 1));
  splitters.push_back(std::make_unique<StratifiedKFold>(3, true, 2));
  splitters.push_back(std::make_unique<RepeatedKFold>(2, 3, 3));
  splitters.push_back(std::make_unique<GroupKFold>(4));
  splitters.push_back(std::make_unique<ShuffleSplit>(3, 0.25, -1, 4));
  splitters.push_back(std::make_unique<ShuffleSplit>(3, 0.25, -1, 5, true));
  splitters.push_back(std::make_unique<TimeSeriesSplit>(3, 10, 4, 1));
  splitters.push_back(std::make_unique<LeaveOneOut>());
  splitters.push_back(std::make_unique<LeavePOut>(2));
  splitters.push_back(std::make_unique<GroupShuffleSplit>(2, 0.25, -1, 6));
  splitters.push_back(std::make_unique<PredefinedSplit>(test_fold));
  std::vector<TrainTest> explicit_splits(2);
  explicit_splits[0] = {{0, 1, 2}, {3, 4}};
  explicit_splits[1] = {{3, 4}, {0, 1, 2}};
  splitters.push_back(std::make_unique<ExplicitSplits>(explicit_splits));
  const std::set<std::string> partitions = {"KFold", "StratifiedKFold",
                                            "GroupKFold", "LeaveOneOut"};
  for (const std::unique_ptr<Splitter>& s : splitters) {
    const std::unique_ptr<Splitter> c = s->Clone();
    EXPECT_EQ(c->Repr(), s->Repr());
    const SplitInput in{24, y, groups};
    ECLIPSERA_ASSERT_OK_AND_ASSIGN(std::vector<TrainTest> a,
                                   s->Split(in, nullptr));
    ECLIPSERA_ASSERT_OK_AND_ASSIGN(std::vector<TrainTest> b,
                                   c->Split(in, nullptr));
    ASSERT_EQ(a.size(), b.size()) << s->Repr();
    EXPECT_FALSE(a.empty()) << s->Repr();
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].train, b[i].train) << s->Repr();
      EXPECT_EQ(a[i].test, b[i].test) << s->Repr();
    }
    const std::string name = s->Repr().substr(0, s->Repr().find('('));
    EXPECT_EQ(s->IsPartition(), partitions.count(name) > 0) << s->Repr();
  }
}

TEST(SplitTest, StratifiedWarningAndErrorFollowScikitLearn) {
  // Class 1 has 6 members: 7 folds warn, more than every class errors.
  std::vector<std::string> warnings;
  ECLIPSERA_ASSERT_OK(StratifiedKFold(7).Split({23, kStratY, {}}, &warnings));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("only 6 members, which is less than "
                                     "n_splits=7"));
  EXPECT_THAT(StratifiedKFold(10).Split({23, kStratY, {}}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot be greater than the number of "
                                 "members in each class")));
  EXPECT_THAT(StratifiedKFold(3).Split({23, {}, {}}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("y")));
  EXPECT_THAT(KFold(30).Split({23, {}, {}}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("n_splits=30 greater than the number of "
                                 "samples: n_samples=23")));
  EXPECT_THAT(KFold(1).Split({23, {}, {}}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("at least one train/test split")));
  EXPECT_THAT(KFold(3, false, 0).Split({23, {}, {}}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("shuffle is False")));
  EXPECT_THAT(GroupKFold(3).Split({23, {}, {}}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'groups' parameter")));
  EXPECT_THAT(GroupKFold(11).Split({23, {}, kGroups}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("number of groups: 10")));
}

TEST(SplitTest, ShufflingSplittersHaveScikitLearnsSizesAndAreReproducible) {
  // KFold(shuffle): a partition with KFold's fold sizes.
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto a, KFold(5, true, 7).Split({23, {}, {}}, nullptr));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto b, KFold(5, true, 7).Split({23, {}, {}}, nullptr));
  std::vector<int> seen(23, 0);
  for (size_t s = 0; s < a.size(); ++s) {
    EXPECT_EQ(a[s].test, b[s].test);
    EXPECT_EQ(a[s].test.size(), s < 3 ? 5u : 4u);
    for (Index i : a[s].test) ++seen[i];
  }
  EXPECT_EQ(seen, std::vector<int>(23, 1));
  // StratifiedKFold(shuffle): the same per-class counts per fold as
  // without shuffling.
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto plain, StratifiedKFold(3).Split({23, kStratY, {}}, nullptr));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto shuffled,
      StratifiedKFold(3, true, 1).Split({23, kStratY, {}}, nullptr));
  for (size_t s = 0; s < 3; ++s) {
    std::vector<int> c1(3, 0), c2(3, 0);
    for (Index i : plain[s].test) ++c1[static_cast<int>(kStratY[i])];
    for (Index i : shuffled[s].test) ++c2[static_cast<int>(kStratY[i])];
    EXPECT_EQ(c1, c2);
  }
  // StratifiedShuffleSplit: scikit-learn's per-class counts.
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto sss,
      ShuffleSplit(1, 0.3, -1, 0, true).Split({23, kStratY, {}}, nullptr));
  const auto golden = GoldenSplits();
  std::vector<Index> train_counts(3, 0), test_counts(3, 0);
  for (Index i : sss[0].train) ++train_counts[static_cast<int>(kStratY[i])];
  for (Index i : sss[0].test) ++test_counts[static_cast<int>(kStratY[i])];
  EXPECT_EQ(train_counts, golden.at("sss_train_counts 0"));
  EXPECT_EQ(test_counts, golden.at("sss_test_counts 0"));
  // ShuffleSplit and train_test_split sizes (ceil for test, the rest
  // for train).
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto ss, ShuffleSplit(3, 0.25, -1, 0).Split({23, {}, {}}, nullptr));
  EXPECT_EQ(ss[0].test.size(), 6u);
  EXPECT_EQ(ss[0].train.size(), 17u);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(TrainTest tts, TrainTestSplit(10));
  EXPECT_EQ(tts.test.size(), 3u);  // ceil(0.25 * 10)
  EXPECT_EQ(tts.train.size(), 7u);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(tts, TrainTestSplit(10, 4, -1, 0, false));
  EXPECT_THAT(tts.train, ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_THAT(tts.test, ElementsAre(6, 7, 8, 9));
  EXPECT_THAT(TrainTestSplit(10, 0.8, 0.5),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("should be smaller than the number of "
                                 "samples")));
  EXPECT_THAT(
      TrainTestSplit(10, 10),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("test_size=10")));
}

TEST(SplitTest, ParseSplitterAndCheckCv) {
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto cv, ParseSplitter("4", EstimatorKind::kClassifier));
  EXPECT_EQ(cv->Repr(),
            "StratifiedKFold(n_splits=4, random_state=None, shuffle=False)");
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(cv,
                                 ParseSplitter("4", EstimatorKind::kClusterer));
  EXPECT_EQ(cv->Repr(), "KFold(n_splits=4, random_state=None, shuffle=False)");
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      cv, ParseSplitter("kfold(n_splits=3, shuffle=true, random_state=0)",
                        EstimatorKind::kRegressor));
  EXPECT_EQ(cv->Repr(), "KFold(n_splits=3, random_state=0, shuffle=True)");
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      cv, ParseSplitter("TimeSeriesSplit(gap=1, test_size=2)",
                        EstimatorKind::kRegressor));
  EXPECT_EQ(cv->Repr(),
            "TimeSeriesSplit(gap=1, max_train_size=None, n_splits=5, "
            "test_size=2)");
  EXPECT_THAT(ParseSplitter("kfold(folds=3)", EstimatorKind::kRegressor),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown parameter 'folds'")));
  EXPECT_THAT(ParseSplitter("bogus", EstimatorKind::kRegressor),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown splitter 'bogus'")));
}

std::string CandidateText(const ParamMap& p) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : p) {
    const std::string* s = std::get_if<std::string>(&v);
    parts.push_back(absl::StrCat(k, "=", s ? *s : FormatParamValue(v)));
  }
  return absl::StrJoin(parts, ";");
}

TEST(ParameterGridTest, ScikitLearnsOrder) {
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      std::vector<ParamSpace> spaces,
      ParseParamSpaces(R"([{"b": [1, 2], "a": ["x", "y", "z"]},
                           {"c": [0.5], "a": ["w"]}, {}])"));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(ParameterGrid grid,
                                 ParameterGrid::Create(spaces));
  std::vector<std::string> got;
  for (const ParamMap& p : grid.All()) got.push_back(CandidateText(p));
  EXPECT_EQ(got, Lines("grid.txt"));
  EXPECT_EQ(grid.size(), 8u);
  EXPECT_EQ(CandidateText(grid[3]), "a=y;b=2");

  ECLIPSERA_ASSERT_OK_AND_ASSIGN(auto empty, ParseParamSpaces(R"({"a": []})"));
  EXPECT_THAT(ParameterGrid::Create(empty),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("need to be a non-empty sequence")));
  EXPECT_THAT(
      ParseParamSpaces(R"({"a": [1, 2)"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at character")));
  EXPECT_THAT(ParseParamSpaces(R"({"a": {"normal": [0, 1]}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown distribution 'normal'")));
  EXPECT_THAT(ParseParamSpaces(R"({"a": 3})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("needs a list of values")));
}

// The JSON grid's value types, the distributions' reprs, and the refused
// shapes, each named.
TEST(ParameterGridTest, JsonValuesDistributionsAndRefusals) {
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      std::vector<ParamSpace> spaces,
      ParseParamSpaces(R"({"n": [null, true, 3, 0.5, "s", [1, 2.5]],
                           "u": {"uniform": [0, 2]},
                           "l": {"loguniform": [0.01, 1]},
                           "r": {"randint": [1, 5]}})"));
  ASSERT_EQ(spaces.size(), 1u);
  const ParamSpace& space = spaces[0];
  EXPECT_EQ(space.at("n").Repr(), "[None, true, 3, 0.5, 's', [1, 2.5]]");
  EXPECT_EQ(space.at("u").Repr(), "uniform(0, 2)");
  EXPECT_EQ(space.at("l").Repr(), "loguniform(0.01, 1)");
  EXPECT_EQ(space.at("r").Repr(), "randint(1, 5)");
  // A grid takes lists only; the error shows the distribution.
  EXPECT_THAT(ParameterGrid::Create(spaces),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("got the distribution")));
  EXPECT_THAT(ParseParamSpaces(R"({"a": [[1, "x"]]})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must hold numbers only")));
  EXPECT_THAT(ParseParamSpaces(R"({"a": [{"b": 1}]})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("an object is not a parameter value")));
  EXPECT_THAT(ParseParamSpaces(R"({"a": {"uniform": ["x", 1]}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("distribution arguments are numbers")));
  EXPECT_THAT(ParseParamSpaces(R"(3)"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected a map")));
  EXPECT_THAT(ParseParamSpaces(R"({"a": [1e999]})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is not a finite number")));
}

TEST(ParameterSamplerTest, HugeGridsAreSampledNotEnumerated) {
  // 40 keys of 4 values: 2^80 candidates.
  std::string json = "{";
  for (int k = 0; k < 40; ++k) {
    absl::StrAppend(&json, k ? ", " : "", "\"p", k, "\": [1, 2, 3, 4]");
  }
  json += "}";
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(auto spaces, ParseParamSpaces(json));
  EXPECT_THAT(ParameterGrid::Create(spaces),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than 2^40 candidates")));
  // 20 keys of 4 values: 2^40, sampled by rejection.
  spaces[0].clear();
  for (int k = 0; k < 20; ++k) {
    spaces[0][absl::StrCat("p", k)] =
        Distribution::List({int64_t{1}, int64_t{2}, int64_t{3}, int64_t{4}});
  }
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(ParameterSampler s,
                                 ParameterSampler::Create(spaces, 8, 1));
  const std::vector<ParamMap> picked = s.Sample(nullptr);
  ASSERT_EQ(picked.size(), 8u);
  std::set<std::string> distinct;
  for (const ParamMap& p : picked) {
    EXPECT_EQ(p.size(), 20u);
    distinct.insert(CandidateText(p));
  }
  EXPECT_EQ(distinct.size(), 8u);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(ParameterGrid big,
                                 ParameterGrid::Create(spaces));
  GridSearchCV search(preprocessing::StandardScaler(), big);
  EXPECT_THAT(search.Fit(Matrix::Ones(10, 2)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("use RandomizedSearchCV")));
}

TEST(ParameterSamplerTest, ListsWithoutReplacementDistributionsInRange) {
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto lists, ParseParamSpaces(R"({"a": [1, 2, 3], "b": [true, false]})"));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(ParameterSampler s,
                                 ParameterSampler::Create(lists, 10, 0));
  std::vector<std::string> warnings;
  const std::vector<ParamMap> all = s.Sample(&warnings);
  ASSERT_EQ(all.size(), 6u);  // capped at the grid size
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("smaller than n_iter=10. Running 6"));
  std::vector<std::string> distinct;
  for (const ParamMap& p : all) distinct.push_back(CandidateText(p));
  std::sort(distinct.begin(), distinct.end());
  EXPECT_EQ(std::unique(distinct.begin(), distinct.end()), distinct.end());

  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto dists, ParseParamSpaces(R"({"C": {"loguniform": [0.001, 1000]},
                           "k": {"randint": [2, 5]},
                           "u": {"uniform": [1, 2]}, "s": ["p", "q"]})"));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(ParameterSampler d,
                                 ParameterSampler::Create(dists, 200, 3));
  const std::vector<ParamMap> samples = d.Sample(nullptr);
  ASSERT_EQ(samples.size(), 200u);
  std::set<int64_t> ks;
  for (const ParamMap& p : samples) {
    const double c = std::get<double>(p.at("C"));
    EXPECT_GE(c, 0.001);
    EXPECT_LE(c, 1000);
    ks.insert(std::get<int64_t>(p.at("k")));
    const double u = std::get<double>(p.at("u"));
    EXPECT_GE(u, 1);
    EXPECT_LE(u, 3);
  }
  EXPECT_EQ(ks, (std::set<int64_t>{2, 3, 4}));
  // Same random_state, same candidates.
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(ParameterSampler d2,
                                 ParameterSampler::Create(dists, 200, 3));
  EXPECT_EQ(d2.Sample(nullptr), samples);
  EXPECT_THAT(ParameterSampler::Create(
                  *ParseParamSpaces(R"({"C": {"loguniform": [0, 1]}})"), 5),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid distribution")));
}

// The scaler + logistic regression pipeline of the golden search.
std::unique_ptr<Estimator> MakeScalerLogistic() {
  preprocessing::StandardScaler scaler;
  linear_model::LogisticRegression lr;
  absl::StatusOr<std::unique_ptr<pipeline::Pipeline>> p =
      pipeline::MakePipeline({&scaler, &lr});
  EXPECT_TRUE(p.ok());
  return std::unique_ptr<Estimator>(*std::move(p));
}

ParameterGrid CGrid(std::vector<double> cs) {
  ParamSpace space;
  std::vector<ParamValue> values(cs.begin(), cs.end());
  space["logisticregression__C"] = Distribution::List(values);
  absl::StatusOr<ParameterGrid> g = ParameterGrid::Create({space});
  EXPECT_TRUE(g.ok());
  return *std::move(g);
}

// verbose follows scikit-learn's output: a "[CV s/n] END" line per fit
// from verbose 2 (scores from 3, train and test with return_train_score,
// one "name: (train=.., test=..)" per metric, sorted, when multi-metric;
// the candidate's number from 10) and progress lines.
TEST(GridSearchTest, VerboseLinesFollowScikitLearn) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  SearchOptions options;
  options.verbose = 3;
  options.return_train_score = true;
  options.n_jobs = 1;
  {
    GridSearchCV search(*pipe, CGrid({0.1, 1.0}),
                        std::make_unique<StratifiedKFold>(3), options);
    ::testing::internal::CaptureStderr();
    ECLIPSERA_ASSERT_OK(search.Fit(x, y));
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_THAT(err, HasSubstr("[CV 1/3] END"));
    EXPECT_THAT(err, HasSubstr("logisticregression__C=0.1;"));
    EXPECT_THAT(err, HasSubstr(", score=(train="));
    EXPECT_THAT(err, HasSubstr(" total time="));
    EXPECT_THAT(err, HasSubstr("[progress] 6/6 fits"));
  }
  options.verbose = 10;
  options.scoring = {"f1", "accuracy"};
  options.refit_metric = "accuracy";
  {
    GridSearchCV search(*pipe, CGrid({0.1, 1.0}),
                        std::make_unique<StratifiedKFold>(3), options);
    ::testing::internal::CaptureStderr();
    ECLIPSERA_ASSERT_OK(search.Fit(x, y));
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_THAT(err, HasSubstr("[CV 2/3; 1/2] END"));
    EXPECT_THAT(err, HasSubstr(" accuracy: (train="));
    // Metrics in name order, as scikit-learn sorts the score dict.
    EXPECT_LT(err.find(" accuracy: ("), err.find(" f1: ("));
  }
  options.verbose = 3;
  options.return_train_score = false;
  options.scoring = {"accuracy"};
  options.refit_metric.clear();
  {
    GridSearchCV search(*pipe, CGrid({0.1}),
                        std::make_unique<StratifiedKFold>(3), options);
    ::testing::internal::CaptureStderr();
    ECLIPSERA_ASSERT_OK(search.Fit(x, y));
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_THAT(err, HasSubstr(", score="));
    EXPECT_THAT(err, ::testing::Not(HasSubstr("train=")));
  }
}

TEST(GridSearchTest, PipelineSearchMatchesScikitLearn) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  SearchOptions options;
  options.return_train_score = true;
  GridSearchCV search(*pipe, CGrid({0.001, 0.01, 0.1, 1.0, 10.0}),
                      std::make_unique<StratifiedKFold>(5), options);
  ECLIPSERA_ASSERT_OK(search.Fit(x, y));
  const CvResults& r = search.cv_results();
  EXPECT_EQ(r.keys(), Lines("keys_single.txt"));
  const Matrix split = Golden("search_split_test");
  for (int s = 0; s < 5; ++s) {
    EXPECT_EQ(r.Numbers(absl::StrCat("split", s, "_test_score")),
              Column(Matrix(split.col(s))))
        << s;
  }
  EXPECT_EQ(r.Numbers("mean_test_score"), Column(Golden("search_mean_test")));
  EXPECT_EQ(r.Numbers("rank_test_score"), Column(Golden("search_rank_test")));
  const std::vector<double> std_test = Column(Golden("search_std_test"));
  const std::vector<double> train = Column(Golden("search_mean_train"));
  for (size_t c = 0; c < 5; ++c) {
    EXPECT_NEAR(r.Numbers("std_test_score")[c], std_test[c], 1e-15);
    EXPECT_NEAR(r.Numbers("mean_train_score")[c], train[c], 2e-3);
  }
  EXPECT_EQ(search.best_index(), Golden("search_best_index")(0, 0));
  EXPECT_EQ(search.n_splits(), 5);
  EXPECT_FALSE(search.multimetric());
  EXPECT_EQ(std::get<double>(search.best_params().at("logisticregression__C")),
            10.0);
  EXPECT_EQ(search.best_score(), r.Numbers("mean_test_score")[4]);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(const Estimator* best,
                                 search.best_estimator());
  EXPECT_TRUE(best->fitted());
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(Vector predicted, search.Predict(x));
  EXPECT_EQ(predicted.size(), x.rows());
  // The search's pool reused estimators: 25 tasks, a clone per thread.
  EXPECT_EQ(search.pool_statistics().acquisitions, 25);
  EXPECT_GE(search.pool_statistics().hits, 25 - 2 * 4);
  // CSV: one header and one row per candidate, params as JSON.
  const std::string csv = r.ToCsv();
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 6);
  EXPECT_THAT(csv, HasSubstr("\"{\"\"logisticregression__C\"\": 0.001}\""));
}

// A search that varies only the last step of a pipeline with `memory`
// fits the scaler once per fold (and once for the refit) instead of once
// per candidate and fold, with the same results for any n_jobs; the pool
// statistics report the cache.
TEST(GridSearchTest, PipelineMemoryFitsEarlierStepsOncePerFold) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> plain = MakeScalerLogistic();
  GridSearchCV reference(*plain, CGrid({0.01, 1.0, 10.0}),
                         std::make_unique<StratifiedKFold>(5));
  ECLIPSERA_ASSERT_OK(reference.Fit(x, y));
  EXPECT_EQ(reference.cache_statistics().misses, 0);
  for (int n_jobs : {1, 2}) {
    SCOPED_TRACE(n_jobs);
    std::unique_ptr<Estimator> cached = MakeScalerLogistic();
    ECLIPSERA_ASSERT_OK(cached->SetParams({{"memory", int64_t{1} << 28}}));
    SearchOptions options;
    options.n_jobs = n_jobs;
    options.enable_pool_stats = true;
    GridSearchCV search(*cached, CGrid({0.01, 1.0, 10.0}),
                        std::make_unique<StratifiedKFold>(5), options);
    ::testing::internal::CaptureStderr();
    ECLIPSERA_ASSERT_OK(search.Fit(x, y));
    const std::string printed = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(search.cv_results().Numbers("mean_test_score"),
              reference.cv_results().Numbers("mean_test_score"));
    EXPECT_EQ(search.cv_results().Numbers("split3_test_score"),
              reference.cv_results().Numbers("split3_test_score"));
    const CacheStatistics& c = search.cache_statistics();
    // 15 fits and the refit each look the scaler up once.
    EXPECT_EQ(c.hits + c.misses, 16);
    if (n_jobs == 1) {
      EXPECT_EQ(c.misses, 6);  // 5 folds, then the refit on all of X
      EXPECT_EQ(c.hits, 10);
    } else {
      EXPECT_GE(c.hits, 5);  // two workers may both miss a fold's first fit
    }
    EXPECT_THAT(printed, HasSubstr("Pipeline cache: "));
    EXPECT_EQ(*search.Predict(x), *reference.Predict(x));
  }
}

TEST(GridSearchTest, MultimetricKeysAndRefitByName) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  SearchOptions options;
  options.scoring = {"accuracy", "roc_auc"};
  options.refit_metric = "roc_auc";
  GridSearchCV search(*pipe, CGrid({0.001, 0.01}), nullptr, options);
  // cv=None means 5 folds; the golden used cv=3.
  GridSearchCV three(*pipe, CGrid({0.001, 0.01}),
                     std::make_unique<StratifiedKFold>(3), options);
  ECLIPSERA_ASSERT_OK(three.Fit(x, y));
  EXPECT_EQ(three.cv_results().keys(), Lines("keys_multi.txt"));
  EXPECT_TRUE(three.multimetric());
  const std::vector<double> auc = Column(Golden("multi_mean_roc_auc"));
  for (int c = 0; c < 2; ++c) {
    EXPECT_NEAR(three.cv_results().Numbers("mean_test_roc_auc")[c], auc[c],
                1e-6);
  }
  EXPECT_EQ(three.best_index(), 1);
  // refit=true with two metrics is refused; an unknown refit name too.
  SearchOptions bad = options;
  bad.refit_metric.clear();
  GridSearchCV refuse(*pipe, CGrid({0.1}), nullptr, bad);
  EXPECT_THAT(refuse.Fit(x, y), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("multi-metric")));
  bad.refit_metric = "f1";
  GridSearchCV unknown(*pipe, CGrid({0.1}), nullptr, bad);
  EXPECT_THAT(unknown.Fit(x, y),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not one of the scoring names")));
}

// scikit-learn's scoring dict: results under the map's names, always
// multi-metric (one pair too), the same numbers as the scorers by name; a
// scorer may appear twice under two names. Bad maps are refused clearly.
TEST(GridSearchTest, ScoringMapNamesTheResults) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  SearchOptions by_name;
  by_name.scoring = {"accuracy", "roc_auc"};
  by_name.refit_metric = "roc_auc";
  GridSearchCV reference(*pipe, CGrid({0.001, 0.01, 1.0}),
                         std::make_unique<StratifiedKFold>(3), by_name);
  ECLIPSERA_ASSERT_OK(reference.Fit(x, y));
  SearchOptions mapped;
  mapped.scoring_map = {
      {"acc", "accuracy"}, {"auc", "roc_auc"}, {"auc_again", "roc_auc"}};
  mapped.refit_metric = "auc";
  GridSearchCV search(*pipe, CGrid({0.001, 0.01, 1.0}),
                      std::make_unique<StratifiedKFold>(3), mapped);
  ECLIPSERA_ASSERT_OK(search.Fit(x, y));
  const CvResults& r = search.cv_results();
  EXPECT_TRUE(search.multimetric());
  EXPECT_EQ(r.Numbers("mean_test_acc"),
            reference.cv_results().Numbers("mean_test_accuracy"));
  EXPECT_EQ(r.Numbers("split2_test_auc"),
            reference.cv_results().Numbers("split2_test_roc_auc"));
  EXPECT_EQ(r.Numbers("mean_test_auc_again"), r.Numbers("mean_test_auc"));
  EXPECT_EQ(r.Numbers("rank_test_auc"),
            reference.cv_results().Numbers("rank_test_roc_auc"));
  EXPECT_EQ(search.best_index(), reference.best_index());
  // One pair is still multi-metric: test_<name>, refit by name.
  SearchOptions one;
  one.scoring_map = {{"bal", "balanced_accuracy"}};
  one.refit_metric = "bal";
  GridSearchCV single(*pipe, CGrid({0.01}), nullptr, one);
  ECLIPSERA_ASSERT_OK(single.Fit(x, y));
  EXPECT_TRUE(single.multimetric());
  EXPECT_EQ(single.cv_results().Numbers("mean_test_bal").size(), 1u);
  CvOptions cv_map;
  cv_map.scoring_map = {{"a", "accuracy"}};
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      CrossValidateResult cvr,
      CrossValidate(*pipe, x, y, StratifiedKFold(3), cv_map));
  EXPECT_EQ(cvr.scores[0].first, "test_a");

  SearchOptions both = mapped;
  both.scoring = {"accuracy"};
  GridSearchCV b1(*pipe, CGrid({0.1}), nullptr, both);
  EXPECT_THAT(b1.Fit(x, y), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("not both")));
  SearchOptions dup;
  dup.scoring_map = {{"a", "accuracy"}, {"a", "roc_auc"}};
  dup.refit_metric = "a";
  GridSearchCV b2(*pipe, CGrid({0.1}), nullptr, dup);
  EXPECT_THAT(b2.Fit(x, y), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("'a' twice")));
  SearchOptions unknown;
  unknown.scoring_map = {{"a", "acuracy"}};
  unknown.refit = false;
  GridSearchCV b3(*pipe, CGrid({0.1}), nullptr, unknown);
  EXPECT_THAT(b3.Fit(x, y), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("acuracy")));
  EXPECT_THAT(ValidationCurve(*pipe, x, y, "logisticregression__C", {0.1},
                              StratifiedKFold(3), cv_map),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a name -> scorer map")));
}

// Folds whose training set misses a class (scikit-learn's
// _enforce_prediction_order): probabilities get 0 in its column, log
// probabilities the lowest double; binary decision scores from a fold of
// 3-class data are refused (they were written past the output before).
TEST(CrossValPredictTest, FoldsMissingAClass) {
  Random rng(3);
  Matrix x(30, 3);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = rng.Normal();
  std::vector<double> y(30);
  for (int i = 0; i < 30; ++i) y[i] = i < 10 ? 0 : i < 20 ? 1 : 2;
  for (int i = 0; i < 30; ++i) x(i, 0) += 3.0 * y[i];
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  const KFold cv(3);  // each training set misses one class
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      Matrix proba, CrossValPredict(*pipe, x, y, cv, "predict_proba"));
  ASSERT_EQ(proba.cols(), 3);
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(proba(i, static_cast<int>(y[i])), 0.0) << i;  // unseen class
    EXPECT_NEAR(proba.row(i).sum(), 1.0, 1e-12);
  }
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      Matrix log_proba, CrossValPredict(*pipe, x, y, cv, "predict_log_proba"));
  EXPECT_EQ(log_proba(0, 0), std::numeric_limits<double>::lowest());
  EXPECT_THAT(CrossValPredict(*pipe, x, y, cv, "decision_function"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("only 2 class/es in training fold 0, but 3 "
                                 "in overall dataset")));
}

std::vector<double> ResultsWithoutTimes(const CvResults& r) {
  std::vector<double> out;
  for (const std::string& k : r.keys()) {
    if (absl::StrContains(k, "time") || absl::StartsWith(k, "param")) continue;
    for (double v : r.Numbers(k)) out.push_back(v);
  }
  return out;
}

TEST(GridSearchTest, IdenticalForAnyNJobsAndWithoutPooling) {
  const Matrix x = Golden("search_X");
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  std::vector<double> y = Column(Golden("search_y"));
  std::vector<double> reference;
  for (int n_jobs : {1, 2, -1}) {
    SearchOptions o;
    o.n_jobs = n_jobs;
    o.return_train_score = true;
    GridSearchCV s(*pipe, CGrid({0.01, 0.1, 1}), nullptr, o);
    ECLIPSERA_ASSERT_OK(s.Fit(x, y));
    if (reference.empty()) reference = ResultsWithoutTimes(s.cv_results());
    EXPECT_EQ(ResultsWithoutTimes(s.cv_results()), reference) << n_jobs;
  }
  pool::ScopedPoolingDisabled off(true);
  SearchOptions o;
  o.return_train_score = true;
  GridSearchCV s(*pipe, CGrid({0.01, 0.1, 1}), nullptr, o);
  ECLIPSERA_ASSERT_OK(s.Fit(x, y));
  EXPECT_EQ(ResultsWithoutTimes(s.cv_results()), reference);
  EXPECT_EQ(s.pool_statistics().hits, 0);
}

// Runs tasks last-first in batches of two, as another process could, and
// records what it saw; a non-coordinator's search must not refit.
class ReversingExecutor : public TaskExecutor {
 public:
  explicit ReversingExecutor(bool coordinator) : coordinator_(coordinator) {}
  absl::StatusOr<std::vector<TaskOutcome>> Execute(
      int64_t n_tasks, int batch_size, const RunBatch& run,
      const OnDone& on_done) override {
    EXPECT_GE(batch_size, 1);
    std::vector<TaskOutcome> out(n_tasks);
    for (int64_t end = n_tasks; end > 0; end -= 2) {
      std::vector<int64_t> batch;
      for (int64_t t = end - 1; t >= std::max<int64_t>(0, end - 2); --t) {
        batch.push_back(t);
      }
      std::vector<TaskOutcome> got = run(batch);
      EXPECT_EQ(got.size(), batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        on_done(batch[i], got[i]);
        out[batch[i]] = got[i];
        ++batches_per_task_[batch[i]];
      }
    }
    return out;
  }
  pool::PoolStatistics MergeStatistics(
      const pool::PoolStatistics& local) override {
    pool::PoolStatistics twice = local;
    return twice.Merge(local);  // as if a second process did the same
  }
  bool is_coordinator() const override { return coordinator_; }
  std::map<int64_t, int> batches_per_task_;

 private:
  bool coordinator_;
};

// The results without times, NaN (error_score) made comparable.
std::vector<double> ComparableResults(const CvResults& r) {
  std::vector<double> v = ResultsWithoutTimes(r);
  for (double& d : v) {
    if (std::isnan(d)) d = -1e300;
  }
  return v;
}

TEST(GridSearchTest, AnExecutorSeesEveryTaskOnceAndChangesNoScore) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  SearchOptions o;
  o.n_jobs = 2;
  o.return_train_score = true;
  GridSearchCV local(*pipe, CGrid({-1.0, 0.01, 0.1, 1}), nullptr, o);
  ECLIPSERA_ASSERT_OK(local.Fit(x, y));
  for (bool coordinator : {true, false}) {
    auto executor = std::make_shared<ReversingExecutor>(coordinator);
    SearchOptions d = o;
    d.executor = executor;
    GridSearchCV s(*pipe, CGrid({-1.0, 0.01, 0.1, 1}), nullptr, d);
    ECLIPSERA_ASSERT_OK(s.Fit(x, y));
    EXPECT_EQ(ComparableResults(s.cv_results()),
              ComparableResults(local.cv_results()));
    EXPECT_EQ(s.best_params(), local.best_params());
    EXPECT_EQ(s.warnings(), local.warnings());  // C=-1 failed the same way
    ASSERT_EQ(executor->batches_per_task_.size(), 20u);
    for (const auto& [task, n] : executor->batches_per_task_) {
      EXPECT_EQ(n, 1) << task;
    }
    EXPECT_EQ(s.pool_statistics().acquisitions, 40);  // merged "processes"
    EXPECT_EQ(s.best_estimator().ok(), coordinator);
    if (coordinator) {
      ECLIPSERA_ASSERT_OK_AND_ASSIGN(const Estimator* a,
                                     local.best_estimator());
      ECLIPSERA_ASSERT_OK_AND_ASSIGN(const Estimator* b, s.best_estimator());
      ECLIPSERA_ASSERT_OK_AND_ASSIGN(Vector pa, a->Predict(x));
      ECLIPSERA_ASSERT_OK_AND_ASSIGN(Vector pb, b->Predict(x));
      EXPECT_EQ(pa, pb);
    } else {
      EXPECT_THAT(s.best_estimator().status(),
                  StatusIs(absl::StatusCode::kFailedPrecondition,
                           HasSubstr("coordinator")));
    }
  }
  // cross_validate through the executor too.
  CvOptions cv;
  cv.n_jobs = 1;
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(CrossValidateResult plain,
                                 CrossValidate(*pipe, x, y, KFold(4), cv));
  auto executor = std::make_shared<ReversingExecutor>(true);
  cv.executor = executor;
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(CrossValidateResult spread,
                                 CrossValidate(*pipe, x, y, KFold(4), cv));
  EXPECT_EQ(spread.Scores("test_score"), plain.Scores("test_score"));
  EXPECT_EQ(executor->batches_per_task_.size(), 4u);
}

TEST(GridSearchTest, KMeansGridOverNClustersUsesItsScore) {
  Matrix x(120, 2);
  for (Index i = 0; i < 120; ++i) {
    x(i, 0) = static_cast<double>(i % 4) * 10.0 + 0.01 * static_cast<double>(i);
    x(i, 1) = static_cast<double>((i / 4) % 3);
  }
  cluster::KMeansOptions km;
  km.n_init = 1;
  km.random_state = 0;
  ParamSpace space;
  space["n_clusters"] =
      Distribution::List({int64_t{2}, int64_t{3}, int64_t{4}});
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(ParameterGrid grid,
                                 ParameterGrid::Create({space}));
  GridSearchCV s(cluster::KMeans(km), grid);
  ECLIPSERA_ASSERT_OK(s.Fit(x));
  // -inertia on the test folds grows with the clusters: 4 is best.
  EXPECT_EQ(s.best_index(), 2);
  const std::vector<double> mean = s.cv_results().Numbers("mean_test_score");
  EXPECT_LT(mean[0], mean[1]);
  EXPECT_LT(mean[1], mean[2]);
  // A clusterer cannot serve a classification scorer: a clear error.
  SearchOptions o;
  o.scoring = {"roc_auc"};
  GridSearchCV bad(cluster::KMeans(km), grid, nullptr, o);
  EXPECT_FALSE(bad.Fit(x).ok());
  EXPECT_FALSE(bad.fitted());
}

TEST(GridSearchTest, FailedFitsFollowErrorScoreAndStateDoesNotLeak) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  // C = -1 fails at fit; a list of grids: the fit_intercept=false candidate
  // must not inherit C from the candidates before it on the same worker.
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto spaces,
      ParseParamSpaces(R"([{"logisticregression__C": [-1.0, 0.001]},
                           {"logisticregression__fit_intercept": [false]}])"));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(ParameterGrid grid,
                                 ParameterGrid::Create(spaces));
  SearchOptions o;
  o.n_jobs = 1;
  GridSearchCV s(*pipe, grid, nullptr, o);
  ECLIPSERA_ASSERT_OK(s.Fit(x, y));
  const CvResults& r = s.cv_results();
  EXPECT_TRUE(std::isnan(r.Numbers("mean_test_score")[0]));
  EXPECT_EQ(r.Numbers("rank_test_score")[0], 3);  // NaN ranks last
  EXPECT_EQ(s.warnings().size(), 5u);
  EXPECT_THAT(s.warnings()[0], HasSubstr("candidate 0, split 0"));
  // Masked parameter columns.
  EXPECT_TRUE(std::holds_alternative<std::monostate>(
      r.at("param_logisticregression__fit_intercept")[0]));
  // Candidate 2 equals a fresh pipeline with only fit_intercept=false.
  std::unique_ptr<Estimator> fresh = MakeScalerLogistic();
  ECLIPSERA_ASSERT_OK(
      fresh->SetParams({{"logisticregression__fit_intercept", false}}));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      std::vector<double> expected,
      CrossValScore(*fresh, x, y, StratifiedKFold(5), "", 1));
  double sum = 0;
  for (double v : expected) sum += v;
  EXPECT_EQ(r.Numbers("mean_test_score")[2], sum / 5);

  // error_score='raise', and every fit failing.
  SearchOptions raise = o;
  raise.raise_on_error = true;
  GridSearchCV r2(*pipe, grid, nullptr, raise);
  EXPECT_THAT(r2.Fit(x, y),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("C")));
  GridSearchCV all_fail(*pipe, CGrid({-1.0, -2.0}), nullptr, o);
  EXPECT_THAT(all_fail.Fit(x, y),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("All the 10 fits failed")));
}

TEST(GridSearchTest, RefitFalseUnknownNamesAndEmptyGrids) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  SearchOptions o;
  o.refit = false;
  GridSearchCV s(*pipe, CGrid({0.1, 10.0}), nullptr, o);
  ECLIPSERA_ASSERT_OK(s.Fit(x, y));
  EXPECT_EQ(std::get<double>(s.best_params().at("logisticregression__C")),
            10.0);
  EXPECT_THAT(s.best_estimator(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("refit=false")));
  EXPECT_THAT(s.Predict(x), StatusIs(absl::StatusCode::kFailedPrecondition,
                                     HasSubstr("refit=false")));

  ParamSpace bad;
  bad["logisticregression__nope"] = Distribution::List({1.0});
  GridSearchCV unknown(*pipe, *ParameterGrid::Create({bad}));
  EXPECT_THAT(
      unknown.Fit(x, y),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("nope"), HasSubstr("valid parameters"))));
  EXPECT_THAT(ParameterGrid::Create({}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

// Grids that replace a step and grids that set its parameters can be
// mixed: each candidate starts from the prototype's parameters.
TEST(GridSearchTest, StepReplacementAndNestedParametersInOneSearch) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      auto spaces, ParseParamSpaces(R"([{"standardscaler": ["passthrough"]},
                           {"standardscaler__with_mean": [false, true]}])"));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(ParameterGrid grid,
                                 ParameterGrid::Create(spaces));
  SearchOptions o;
  o.n_jobs = 1;
  GridSearchCV s(*pipe, grid, nullptr, o);
  ECLIPSERA_ASSERT_OK(s.Fit(x, y));
  ASSERT_EQ(s.cv_results().n_candidates(), 3u);
  // Candidate 0 (no scaler) equals a plain logistic regression.
  linear_model::LogisticRegression plain;
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      std::vector<double> expected,
      CrossValScore(plain, x, y, StratifiedKFold(5), "", 1));
  double sum = 0;
  for (double v : expected) sum += v;
  EXPECT_EQ(s.cv_results().Numbers("mean_test_score")[0], sum / 5);
  // And candidate 2 (with_mean=true) the untouched pipeline.
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      std::vector<double> full,
      CrossValScore(*pipe, x, y, StratifiedKFold(5), "", 1));
  sum = 0;
  for (double v : full) sum += v;
  EXPECT_EQ(s.cv_results().Numbers("mean_test_score")[2], sum / 5);
  EXPECT_THAT(ParseSplitter("kfold(n_splits=", EstimatorKind::kRegressor),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--cv: at character")));
  EXPECT_THAT(ParseParamSpaces(R"({"k": {"randint": [1.5, 4]}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("randint takes two integers")));
}

TEST(CurveTest, ValidationCurveMatchesScikitLearn) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  CvOptions o;
  o.n_jobs = 2;
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      CurveResult r, ValidationCurve(*pipe, x, y, "logisticregression__C",
                                     {0.01, 0.1, 1.0}, StratifiedKFold(5), o));
  const Matrix test = Golden("vc_test"), train = Golden("vc_train");
  ASSERT_EQ(r.test_scores.rows(), 3);
  ASSERT_EQ(r.test_scores.cols(), 5);
  EXPECT_TRUE(r.test_scores.isApprox(test, 1e-15)) << r.test_scores;
  // Training accuracy may differ by a sample where L-BFGS stops elsewhere.
  EXPECT_LE((r.train_scores - train).cwiseAbs().maxCoeff(), 1.0 / 240 + 1e-12)
      << r.train_scores;
  EXPECT_THAT(ValidationCurve(*pipe, x, y, "logisticregression__D", {1.0},
                              StratifiedKFold(5))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown parameter 'D'")));
  o.scoring = {"accuracy", "f1"};
  EXPECT_THAT(ValidationCurve(*pipe, x, y, "logisticregression__C", {1.0},
                              StratifiedKFold(5), o)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("one scoring metric")));
}

TEST(CurveTest, LearningCurveMatchesScikitLearn) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      CurveResult r, LearningCurve(*pipe, x, y, StratifiedKFold(5)));
  const std::vector<double> sizes = Column(Golden("lc_sizes"));
  ASSERT_EQ(r.train_sizes.size(), sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(r.train_sizes[i], sizes[i]);
  }
  EXPECT_TRUE(r.test_scores.isApprox(Golden("lc_test"), 1e-15))
      << r.test_scores;
  const Matrix train = Golden("lc_train");
  for (Index t = 0; t < train.rows(); ++t) {
    EXPECT_LE((r.train_scores.row(t) - train.row(t)).cwiseAbs().maxCoeff(),
              1.0 / sizes[t] + 1e-12)
        << t;
  }
  EXPECT_TRUE(r.warnings.empty());
  // Absolute sizes, one duplicate: removed with scikit-learn's warning.
  LearningCurveOptions abs;
  abs.train_sizes = {30, 60, 60, 240};
  abs.fractions = false;
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      CurveResult a, LearningCurve(*pipe, x, y, StratifiedKFold(5), {}, abs));
  EXPECT_THAT(a.train_sizes, ElementsAre(30, 60, 240));
  EXPECT_TRUE(a.test_scores.isApprox(Golden("lc_abs_test"), 1e-15))
      << a.test_scores;
  ASSERT_EQ(a.warnings.size(), 1u);
  EXPECT_THAT(a.warnings[0], HasSubstr("3 instead of 4"));
  // Out of range, and shuffling is reproducible.
  abs.train_sizes = {0, 60};
  EXPECT_THAT(LearningCurve(*pipe, x, y, StratifiedKFold(5), {}, abs).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("within (0, 240]")));
  LearningCurveOptions shuffled;
  shuffled.shuffle = true;
  shuffled.random_state = 7;
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      CurveResult s1, LearningCurve(*pipe, x, y, KFold(4), {}, shuffled));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      CurveResult s2, LearningCurve(*pipe, x, y, KFold(4), {}, shuffled));
  EXPECT_EQ(s1.test_scores, s2.test_scores);
}

// halving.txt: "NAME what: numbers".
std::map<std::string, std::vector<double>> HalvingGolden() {
  std::map<std::string, std::vector<double>> out;
  for (const std::string& line : Lines("halving.txt")) {
    const size_t colon = line.find(':');
    if (line.substr(0, colon) == "keys") continue;
    std::vector<double> v;
    for (absl::string_view t :
         absl::StrSplit(line.substr(colon + 1), ' ', absl::SkipEmpty())) {
      double d = 0;
      EXPECT_TRUE(absl::SimpleAtod(t, &d));
      v.push_back(d);
    }
    out[line.substr(0, colon)] = v;
  }
  return out;
}

ParameterGrid LogCGrid() {
  std::vector<double> cs;
  for (int i = 0; i < 9; ++i) cs.push_back(std::pow(10.0, -3 + 5.0 * i / 8));
  return CGrid(cs);
}

std::vector<double> AsDoubles(const std::vector<int64_t>& v) {
  return std::vector<double>(v.begin(), v.end());
}

TEST(HalvingTest, ScheduleAndKeysAreScikitLearns) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  const auto golden = HalvingGolden();
  SearchOptions o;
  o.return_train_score = true;
  struct Setting {
    std::string name;
    HalvingOptions h;
  };
  HalvingOptions f2;
  f2.factor = 2;
  f2.random_state = 0;
  HalvingOptions exhaust = f2;
  exhaust.min_resources = HalvingOptions::kExhaust;
  HalvingOptions aggressive;
  aggressive.min_resources = 100;
  aggressive.aggressive_elimination = true;
  HalvingOptions min30;
  min30.min_resources = 30;
  for (const Setting& st :
       {Setting{"grid_f2", f2}, Setting{"grid_exhaust", exhaust},
        Setting{"grid_aggressive", aggressive},
        Setting{"grid_f3_min30", min30}}) {
    HalvingGridSearchCV h(*pipe, LogCGrid(),
                          std::make_unique<StratifiedKFold>(5), o, st.h);
    ECLIPSERA_ASSERT_OK(h.Fit(x, y));
    EXPECT_EQ(AsDoubles(h.n_resources()), golden.at(st.name + " n_resources"))
        << st.name;
    EXPECT_EQ(AsDoubles(h.n_candidates()), golden.at(st.name + " n_candidates"))
        << st.name;
    EXPECT_EQ(
        std::vector<double>({static_cast<double>(h.n_iterations()),
                             static_cast<double>(h.n_required_iterations()),
                             static_cast<double>(h.n_possible_iterations()),
                             static_cast<double>(h.n_remaining_candidates())}),
        golden.at(st.name + " iterations"))
        << st.name;
    EXPECT_EQ(std::vector<double>({static_cast<double>(h.min_resources()),
                                   static_cast<double>(h.max_resources())}),
              golden.at(st.name + " resources"))
        << st.name;
    // One row per (iteration, candidate); each iteration keeps the best
    // ceil(n / factor) of the one before; the best is the last
    // iteration's best.
    const CvResults& r = h.cv_results();
    const std::vector<double> iter = r.Numbers("iter");
    const std::vector<double> mean = r.Numbers("mean_test_score");
    int64_t rows = 0;
    for (int64_t n : h.n_candidates()) rows += n;
    ASSERT_EQ(static_cast<int64_t>(iter.size()), rows);
    size_t begin = 0;
    for (int it = 0; it + 1 < h.n_iterations(); ++it) {
      const size_t n = h.n_candidates()[it];
      const size_t next = h.n_candidates()[it + 1];
      std::vector<double> scores(mean.begin() + begin,
                                 mean.begin() + begin + n);
      std::sort(scores.begin(), scores.end());
      // The kept candidates scored at least the next-best dropped one.
      const double cutoff = scores[n - next];
      for (size_t i = begin + n; i < begin + n + next; ++i) {
        const ParamMap& p = r.params()[i];
        double earlier = -1;
        for (size_t j = begin; j < begin + n; ++j) {
          if (r.params()[j] == p) earlier = mean[j];
        }
        EXPECT_GE(earlier, cutoff) << st.name << " iter " << it;
      }
      begin += n;
    }
    const double last = iter.back();
    for (size_t i = 0; i < iter.size(); ++i) {
      if (iter[i] == last) EXPECT_LE(mean[i], h.best_score());
    }
    EXPECT_EQ(iter[h.best_index()], last);
    ECLIPSERA_ASSERT_OK_AND_ASSIGN(const Estimator* best, h.best_estimator());
    EXPECT_TRUE(best->fitted());
    if (st.name == "grid_f2") {
      std::string keys;
      for (const std::string& line : Lines("halving.txt")) {
        if (absl::StartsWith(line, "keys: ")) keys = line.substr(6);
      }
      EXPECT_EQ(absl::StrJoin(r.keys(), " "), keys);
    }
  }
  // The random search: 'exhaust' candidates (max / smallest min).
  ParamSpace space;
  std::vector<ParamValue> cs;
  for (int i = 0; i < 9; ++i) cs.push_back(std::pow(10.0, -3 + 5.0 * i / 8));
  for (double c : {200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0}) {
    cs.push_back(c);
  }
  space["logisticregression__C"] = Distribution::List(cs);
  HalvingOptions random;
  random.random_state = 0;
  HalvingRandomSearchCV hr(*pipe, {space}, 0,
                           std::make_unique<StratifiedKFold>(5), {}, random);
  ECLIPSERA_ASSERT_OK(hr.Fit(x, y));
  EXPECT_EQ(AsDoubles(hr.n_resources()), golden.at("random n_resources"));
  EXPECT_EQ(AsDoubles(hr.n_candidates()), golden.at("random n_candidates"));
}

TEST(HalvingTest, ResourceParameterAndBadSettings) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  // A parameter as the resource: every row carries its iteration's amount,
  // and the same results as a plain grid search of that candidate.
  HalvingOptions h;
  h.resource = "logisticregression__max_iter";
  h.max_resources = 90;
  h.min_resources = 10;
  HalvingGridSearchCV search(*pipe, CGrid({0.01, 0.1, 1.0}),
                             std::make_unique<StratifiedKFold>(5), {}, h);
  ECLIPSERA_ASSERT_OK(search.Fit(x, y));
  EXPECT_THAT(search.n_resources(), ElementsAre(10, 30));
  const CvResults& r = search.cv_results();
  ASSERT_EQ(r.n_candidates(), 4u);
  EXPECT_EQ(std::get<int64_t>(r.params()[3].at("logisticregression__max_iter")),
            30);
  std::unique_ptr<Estimator> alone = MakeScalerLogistic();
  ECLIPSERA_ASSERT_OK(alone->SetParams(r.params()[3]));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      std::vector<double> scores,
      CrossValScore(*alone, x, y, StratifiedKFold(5), "", 1));
  double sum = 0;
  for (double v : scores) sum += v;
  EXPECT_EQ(r.Numbers("mean_test_score")[3], sum / 5);
  // Bad settings.
  HalvingOptions bad = h;
  bad.resource = "nonexistent";
  HalvingGridSearchCV b1(*pipe, CGrid({0.1}), nullptr, {}, bad);
  EXPECT_THAT(b1.Fit(x, y), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("Cannot use resource")));
  bad = h;
  bad.resource = "logisticregression__C";
  HalvingGridSearchCV b2(*pipe, CGrid({0.1, 1}), nullptr, {}, bad);
  EXPECT_THAT(b2.Fit(x, y), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("part of the searched")));
  bad = HalvingOptions();
  bad.factor = 1;
  HalvingGridSearchCV b3(*pipe, CGrid({0.1}), nullptr, {}, bad);
  EXPECT_THAT(b3.Fit(x, y), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("factor")));
  bad = HalvingOptions();
  bad.min_resources = 400;
  HalvingGridSearchCV b4(*pipe, CGrid({0.1}), nullptr, {}, bad);
  EXPECT_THAT(b4.Fit(x, y), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("greater than max_resources")));
  SearchOptions two;
  two.scoring = {"accuracy", "f1"};
  two.refit_metric = "accuracy";
  HalvingGridSearchCV b5(*pipe, CGrid({0.1}), nullptr, two);
  EXPECT_THAT(b5.Fit(x, y), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("one scoring metric")));
  // The roadmap's enable_pool_stats prints the statistics without verbose.
  SearchOptions stats;
  stats.enable_pool_stats = true;
  HalvingGridSearchCV with_stats(*pipe, CGrid({0.1, 1}), nullptr, stats);
  ::testing::internal::CaptureStderr();
  ECLIPSERA_ASSERT_OK(with_stats.Fit(x, y));
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(printed, HasSubstr("Pool Statistics:"));
  EXPECT_THAT(printed, ::testing::Not(HasSubstr("Fitting")));
}

TEST(CrossValidateTest, EqualsAManualLoopAndPredictIsOutOfFold) {
  const Matrix x = Golden("search_X");
  const std::vector<double> y = Column(Golden("search_y"));
  std::unique_ptr<Estimator> pipe = MakeScalerLogistic();
  CvOptions o;
  o.scoring = {"accuracy", "neg_log_loss"};
  o.return_train_score = true;
  const StratifiedKFold cv(4);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(CrossValidateResult r,
                                 CrossValidate(*pipe, x, y, cv, o, true));
  ASSERT_EQ(r.scores.size(), 4u);
  EXPECT_EQ(r.scores[0].first, "test_accuracy");
  EXPECT_EQ(r.scores[1].first, "train_accuracy");
  EXPECT_EQ(r.scores[2].first, "test_neg_log_loss");
  ASSERT_EQ(r.estimators.size(), 4u);
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(auto splits, cv.Split({300, y, {}}, nullptr));
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      Matrix oof, CrossValPredict(*pipe, x, y, cv, "predict_proba"));
  for (size_t s = 0; s < 4; ++s) {
    std::unique_ptr<Estimator> est = pipe->Clone();
    Matrix xtr(splits[s].train.size(), x.cols()),
        xte(splits[s].test.size(), x.cols());
    std::vector<double> ytr, yte;
    for (size_t i = 0; i < splits[s].train.size(); ++i) {
      xtr.row(i) = x.row(splits[s].train[i]);
      ytr.push_back(y[splits[s].train[i]]);
    }
    for (size_t i = 0; i < splits[s].test.size(); ++i) {
      xte.row(i) = x.row(splits[s].test[i]);
      yte.push_back(y[splits[s].test[i]]);
    }
    ECLIPSERA_ASSERT_OK(est->Fit(xtr, ytr));
    ECLIPSERA_ASSERT_OK_AND_ASSIGN(double acc, est->Score(xte, yte));
    EXPECT_EQ(r.Scores("test_accuracy")[s], acc);
    ECLIPSERA_ASSERT_OK_AND_ASSIGN(Vector p, r.estimators[s]->Predict(xte));
    ECLIPSERA_ASSERT_OK_AND_ASSIGN(Vector q, est->Predict(xte));
    EXPECT_EQ(p, q);
    ECLIPSERA_ASSERT_OK_AND_ASSIGN(Matrix proba, est->PredictProba(xte));
    for (size_t i = 0; i < splits[s].test.size(); ++i) {
      EXPECT_EQ(Vector(oof.row(splits[s].test[i]).transpose()),
                Vector(proba.row(i).transpose()));
    }
    EXPECT_LT(r.Scores("test_neg_log_loss")[s], 0);
  }
  EXPECT_THAT(
      CrossValPredict(*pipe, x, y, ShuffleSplit(3, 0.2, -1, 0)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("partitions")));
  // An explicit list is checked on its test sets: the same folds as a list
  // give the same predictions; a missing or repeated sample is refused.
  ECLIPSERA_ASSERT_OK_AND_ASSIGN(
      Matrix listed,
      CrossValPredict(*pipe, x, y, ExplicitSplits(splits), "predict_proba"));
  EXPECT_EQ(listed, oof);
  std::vector<TrainTest> gap = splits;
  gap[0].test.pop_back();
  EXPECT_THAT(
      CrossValPredict(*pipe, x, y, ExplicitSplits(gap)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("partitions")));
  std::vector<TrainTest> twice = splits;
  twice[1].test.push_back(twice[0].test[0]);
  twice[1].test.erase(twice[1].test.begin());
  EXPECT_THAT(
      CrossValPredict(*pipe, x, y, ExplicitSplits(twice)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("partitions")));
  EXPECT_THAT(CrossValScore(*pipe, x, y, cv, "no_such_scorer"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no_such_scorer")));
}

}  // namespace
}  // namespace eclipsera::model_selection
