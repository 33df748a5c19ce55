#include "eclipsera/cli/json.h"

#include <limits>

#include "gtest/gtest.h"

namespace eclipsera::cli {
namespace {

TEST(JsonTest, EscapesStrings) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c\nd\te"), "\"a\\\"b\\\\c\\nd\\te\"");
  EXPECT_EQ(JsonString(absl::string_view("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(JsonString("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
}

TEST(JsonTest, NumbersRoundTripAndNonFiniteIsNull) {
  EXPECT_EQ(JsonNumber(0.1), "0.1");
  EXPECT_EQ(JsonNumber(3.0), "3");
  EXPECT_EQ(JsonNumber(-1e-300), "-1e-300");
  EXPECT_EQ(JsonNumber(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(JsonNumber(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(JsonNumber(-std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonTest, ObjectKeepsOrderAndFirstOfDuplicates) {
  JsonObject o;
  o.Add("b", int64_t{2}).Add("a", 0.5).Add("b", int64_t{3}).Add("s", "x\"y");
  EXPECT_TRUE(o.Has("a"));
  EXPECT_FALSE(o.Has("c"));
  EXPECT_EQ(o.str(), "{\"b\": 2, \"a\": 0.5, \"s\": \"x\\\"y\"}");
  EXPECT_EQ(JsonObject().str(), "{}");
}

TEST(JsonTest, StringListsAreEscaped) {
  JsonObject o;
  o.AddStrings("none", {}).AddStrings("w", {"a \"q\"", "line\nbreak"});
  EXPECT_EQ(o.str(),
            "{\"none\": [], \"w\": [\"a \\\"q\\\"\", "
            "\"line\\nbreak\"]}");
}

}  // namespace
}  // namespace eclipsera::cli
