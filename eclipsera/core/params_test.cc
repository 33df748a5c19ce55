#include "eclipsera/core/params.h"

#include <limits>

#include "eclipsera/core/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera {
namespace {

using ::eclipsera::testing::IsOk;
using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

struct ToyOptions {
  int n_clusters = 8;
  double tol = 1e-4;
  bool copy_x = true;
  std::string algorithm = "lloyd";
  std::optional<int64_t> random_state;
  std::optional<double> bandwidth;

  static const ParamSchema<ToyOptions>& Schema() {
    static const auto* schema = [] {
      auto* s = new ParamSchema<ToyOptions>("Toy");
      s->Int("n_clusters", &ToyOptions::n_clusters, "number of clusters")
          .Double("tol", &ToyOptions::tol, "tolerance")
          .Bool("copy_x", &ToyOptions::copy_x, "copy")
          .String("algorithm", &ToyOptions::algorithm, "algorithm",
                  {"lloyd", "elkan"})
          .OptionalInt("random_state", &ToyOptions::random_state, "seed")
          .OptionalDouble("bandwidth", &ToyOptions::bandwidth, "bandwidth");
      return s;
    }();
    return *schema;
  }
};

TEST(ParamsTest, GetReturnsDefaults) {
  ToyOptions o;
  ParamMap p = ToyOptions::Schema().Get(o);
  EXPECT_EQ(std::get<int64_t>(p.at("n_clusters")), 8);
  EXPECT_EQ(std::get<double>(p.at("tol")), 1e-4);
  EXPECT_EQ(std::get<bool>(p.at("copy_x")), true);
  EXPECT_EQ(std::get<std::string>(p.at("algorithm")), "lloyd");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(p.at("random_state")));
  EXPECT_EQ(p.size(), 6u);
}

TEST(ParamsTest, SetConvertsCompatibleTypes) {
  ToyOptions o;
  ECLIPSERA_ASSERT_OK(
      ToyOptions::Schema().Set(o, {{"n_clusters", 3.0},
                                   {"tol", int64_t{1}},
                                   {"random_state", int64_t{42}},
                                   {"algorithm", std::string("elkan")},
                                   {"bandwidth", 0.5}}));
  EXPECT_EQ(o.n_clusters, 3);
  EXPECT_EQ(o.tol, 1.0);
  EXPECT_EQ(o.random_state, 42);
  EXPECT_EQ(o.algorithm, "elkan");
  EXPECT_EQ(o.bandwidth, 0.5);
  ECLIPSERA_ASSERT_OK(
      ToyOptions::Schema().Set(o, {{"random_state", ParamValue()}}));
  EXPECT_FALSE(o.random_state.has_value());
}

TEST(ParamsTest, UnknownNameListsValidNames) {
  ToyOptions o;
  EXPECT_THAT(ToyOptions::Schema().Set(o, {{"n_cluster", int64_t{3}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Toy: unknown parameter 'n_cluster'; valid "
                                 "parameters: n_clusters, tol, copy_x, "
                                 "algorithm, random_state, bandwidth")));
}

TEST(ParamsTest, TypeErrorsAreAtomic) {
  ToyOptions o;
  absl::Status s = ToyOptions::Schema().Set(
      o, {{"n_clusters", int64_t{3}}, {"tol", std::string("x")}});
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          HasSubstr("'tol' expects a float, got string")));
  EXPECT_EQ(o.n_clusters, 8);  // untouched
  EXPECT_THAT(ToyOptions::Schema().Set(o, {{"n_clusters", 2.5}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expects an int")));
  EXPECT_THAT(
      ToyOptions::Schema().Set(o, {{"n_clusters", int64_t{4294967298}}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("'n_clusters' = 4294967298 does not fit a 32-bit "
                         "int")));
  EXPECT_THAT(ToyOptions::Schema().Set(
                  o, {{"tol", std::numeric_limits<double>::infinity()}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'tol' = inf, must be a finite number")));
  EXPECT_THAT(ToyOptions::Schema().Set(o, {{"copy_x", int64_t{1}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expects a bool")));
  EXPECT_THAT(ToyOptions::Schema().Set(o, {{"algorithm", std::string("full")}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown algorithm 'full'; allowed: 'lloyd', "
                                 "'elkan'")));
}

TEST(ParamsTest, ParseParamValue) {
  EXPECT_EQ(ParseParamValue("3"), ParamValue(int64_t{3}));
  EXPECT_EQ(ParseParamValue("-2"), ParamValue(int64_t{-2}));
  EXPECT_EQ(ParseParamValue("0.25"), ParamValue(0.25));
  EXPECT_EQ(ParseParamValue("1e-3"), ParamValue(1e-3));
  EXPECT_EQ(ParseParamValue("True"), ParamValue(true));
  EXPECT_EQ(ParseParamValue("false"), ParamValue(false));
  EXPECT_EQ(ParseParamValue("None"), ParamValue());
  EXPECT_EQ(ParseParamValue("k-means++"), ParamValue(std::string("k-means++")));
  EXPECT_EQ(ParseParamValue("inf"), ParamValue(std::string("inf")));
  EXPECT_EQ(ParseParamValue("1,2.5"), ParamValue(std::vector<double>{1, 2.5}));
  EXPECT_EQ(ParseParamValue("[1, 2]"), ParamValue(std::vector<double>{1, 2}));
}

TEST(ParamsTest, Format) {
  EXPECT_EQ(FormatParamValue(ParamValue()), "None");
  EXPECT_EQ(FormatParamValue(int64_t{3}), "3");
  EXPECT_EQ(FormatParamValue(0.5), "0.5");
  EXPECT_EQ(FormatParamValue(std::string("full")), "'full'");
  EXPECT_EQ(FormatParamValue(std::vector<double>{1, 2}), "[1, 2]");
}

TEST(ParamsTest, Describe) {
  ToyOptions o;
  o.n_clusters = 5;
  std::vector<ParamInfo> d = ToyOptions::Schema().Describe(o);
  ASSERT_EQ(d.size(), 6u);
  EXPECT_EQ(d[0].name, "n_clusters");
  EXPECT_EQ(d[0].value, ParamValue(int64_t{5}));
  EXPECT_EQ(d[0].doc, "number of clusters");
}

}  // namespace
}  // namespace eclipsera
