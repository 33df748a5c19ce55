#include "eclipsera/io/data_file.h"

#include <string>

#include "eclipsera/core/testing.h"
#include "eclipsera/io/file.h"
#include "eclipsera/io/npy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::io {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::HasSubstr;

TEST(DataFileTest, FormatFromExtension) {
  EXPECT_EQ(*FormatFromPath("a/b.CSV"), DataFormat::kCsv);
  EXPECT_EQ(*FormatFromPath("b.txt"), DataFormat::kCsv);
  EXPECT_EQ(*FormatFromPath("x.y/b.npy"), DataFormat::kNpy);
  EXPECT_THAT(FormatFromPath("x.y/b"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown data file extension ''")));
  EXPECT_THAT(FormatFromPath("b.parquet"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected .csv (or .txt, .tsv, .dat) or "
                                 ".npy")));
}

TEST(DataFileTest, MatrixRoundTripBothFormats) {
  Matrix x(2, 3);
  x << 1, 2.5, -3, 0.1, 1e-5, 7;
  for (const char* name : {"/x.csv", "/x.npy"}) {
    const std::string path = ::testing::TempDir() + name;
    ECLIPSERA_ASSERT_OK(WriteMatrix(path, x));
    absl::StatusOr<Matrix> back = ReadMatrix(path);
    ECLIPSERA_ASSERT_OK(back);
    EXPECT_EQ(*back, x) << name;
  }
  EXPECT_THAT(ReadMatrix("/nonexistent/x.npy"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("x.npy")));
}

TEST(DataFileTest, LabelsBothFormats) {
  LabelVector labels(3);
  labels << 2, -1, 0;
  const std::string csv = ::testing::TempDir() + "/l.csv";
  ECLIPSERA_ASSERT_OK(WriteLabels(csv, labels));
  EXPECT_EQ(*ReadFileToString(csv), "2\n-1\n0\n");
  const std::string npy = ::testing::TempDir() + "/l.npy";
  ECLIPSERA_ASSERT_OK(WriteLabels(npy, labels));
  absl::StatusOr<LabelVector> back = ReadNpyLabels(npy);
  ECLIPSERA_ASSERT_OK(back);
  EXPECT_EQ(*back, labels);
}

TEST(FileTest, WriteErrorsNameThePath) {
  EXPECT_THAT(WriteStringToFile("/nonexistent/dir/f.csv", "x"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("/nonexistent/dir/f.csv: cannot open for "
                                 "writing")));
  EXPECT_EQ(FileExtension("a.b/c"), "");
  EXPECT_EQ(FileExtension("c.NPY"), ".npy");
}

}  // namespace
}  // namespace eclipsera::io
