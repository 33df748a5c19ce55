#include "eclipsera/plot/scatter_svg.h"

#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "eclipsera/core/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::plot {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

int Count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t p = s.find(what); p != std::string::npos;
       p = s.find(what, p + 1)) {
    ++n;
  }
  return n;
}

TEST(ScatterSvgTest, PointsGroupsAndLegend) {
  Matrix e(5, 2);
  e << 0, 0, 1, 1, 2, 0, -1, 3, 0.5, 0.5;
  std::vector<double> labels = {2, 0, 2, 1, 0};
  absl::StatusOr<std::string> svg = ScatterSvg(e, labels, "digits <t-SNE>");
  ECLIPSERA_ASSERT_OK(svg);
  EXPECT_EQ(svg->rfind("<?xml", 0), 0u);
  EXPECT_THAT(*svg, HasSubstr("width=\"800\" height=\"800\""));
  EXPECT_THAT(*svg, HasSubstr("digits &lt;t-SNE&gt;"));
  EXPECT_EQ(Count(*svg, "<circle"), 5);
  EXPECT_EQ(Count(*svg, "class=\"points\""), 3);
  EXPECT_THAT(*svg, HasSubstr("data-label=\"0\" fill=\"#1f77b4\""));
  EXPECT_THAT(*svg, HasSubstr("data-label=\"2\" fill=\"#2ca02c\""));
  EXPECT_EQ(Count(*svg, "class=\"legend\""), 1);
  EXPECT_THAT(*svg, HasSubstr(">1</text>"));
  EXPECT_EQ(Count(*svg, "<g"), Count(*svg, "</g>"));
  EXPECT_EQ(svg->substr(svg->size() - 7), "</svg>\n");
  // Every point lies inside the canvas.
  std::istringstream in(*svg);
  std::string line;
  while (std::getline(in, line)) {
    double cx, cy, r;
    if (std::sscanf(line.c_str(), "<circle cx=\"%lf\" cy=\"%lf\" r=\"%lf\"",
                    &cx, &cy, &r) == 3) {
      EXPECT_GE(cx, 0);
      EXPECT_LE(cx, 800);
      EXPECT_GE(cy, 0);
      EXPECT_LE(cy, 800);
    }
  }
}

TEST(ScatterSvgTest, NoLabelsNoLegendAndManyClasses) {
  Matrix e = Matrix::Random(30, 2);
  absl::StatusOr<std::string> svg = ScatterSvg(e, {}, "plain");
  ECLIPSERA_ASSERT_OK(svg);
  EXPECT_EQ(Count(*svg, "class=\"legend\""), 0);
  EXPECT_EQ(Count(*svg, "<circle"), 30);
  std::vector<double> labels(30);
  for (int i = 0; i < 30; ++i) labels[i] = i % 15;
  svg = ScatterSvg(e, labels, "many");
  ECLIPSERA_ASSERT_OK(svg);
  EXPECT_EQ(Count(*svg, "class=\"points\""), 15);
}

TEST(ScatterSvgTest, WritesFileAndRejectsBadInput) {
  Matrix e = Matrix::Random(4, 2);
  const std::string path =
      std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR")
                                             : "/tmp") +
      "/plot.svg";
  ECLIPSERA_ASSERT_OK(WriteScatterSvg(path, e, {}, "t"));
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_THAT(ss.str(), HasSubstr("</svg>"));
  std::vector<double> short_labels = {1, 2};
  EXPECT_THAT(
      ScatterSvg(e, short_labels, "t"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("labels")));
  e(1, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(ScatterSvg(e, {}, "t"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NaN")));
  EXPECT_THAT(
      WriteScatterSvg("/nonexistent/dir/x.svg", Matrix::Ones(2, 2), {}, "t"),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("cannot open")));
}

}  // namespace
}  // namespace eclipsera::plot
