#include "eclipsera/io/csv.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eclipsera/core/testing.h"
#include "eclipsera/io/file.h"
#include "eclipsera/testing/alloc_counter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::io {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

CsvOptions Opt(char delimiter, CsvHeader header) {
  CsvOptions o;
  o.delimiter = delimiter;
  o.header = header;
  return o;
}

constexpr char kTestdata[] = "eclipsera/io/testdata/";

// The matrix generate.py writes: (i * cols + j) * 0.25 - 1.5, with two
// extreme corners.
Matrix Golden3x4() {
  Matrix x(3, 4);
  for (Index i = 0; i < 3; ++i) {
    for (Index j = 0; j < 4; ++j) x(i, j) = (i * 4 + j) * 0.25 - 1.5;
  }
  x(0, 0) = 1e-300;
  x(2, 3) = -1.7976931348623157e308;
  return x;
}

TEST(CsvTest, ParsesCommaSeparatedWithoutHeader) {
  absl::StatusOr<CsvTable> t = ParseCsv("1,2,3\n4, 5 ,6\r\n");
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_TRUE(t->header.empty());
  ASSERT_EQ(t->values.rows(), 2);
  ASSERT_EQ(t->values.cols(), 3);
  EXPECT_EQ(t->values(0, 0), 1.0);
  EXPECT_EQ(t->values(1, 1), 5.0);
  EXPECT_EQ(t->values(1, 2), 6.0);
}

TEST(CsvTest, DetectsHeaderAndWhitespace) {
  absl::StatusOr<CsvTable> t =
      ParseCsv("# comment\n\n x  y\n1\t2.5\n  -3e2 +4  \n");
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_THAT(t->header, ElementsAre("x", "y"));
  ASSERT_EQ(t->values.rows(), 2);
  EXPECT_EQ(t->values(0, 1), 2.5);
  EXPECT_EQ(t->values(1, 0), -300.0);
  EXPECT_EQ(t->values(1, 1), 4.0);
}

TEST(CsvTest, QuotedHeaderNamesAreUnquoted) {
  absl::StatusOr<CsvTable> t = ParseCsv("\"a\",\"b\"\n1,2\n");
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_THAT(t->header, ElementsAre("a", "b"));
}

TEST(CsvTest, HeaderOptions) {
  // Forced header: a numeric first row becomes names.
  absl::StatusOr<CsvTable> t =
      ParseCsv("1,2\n3,4\n", Opt(0, CsvHeader::kPresent));
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_THAT(t->header, ElementsAre("1", "2"));
  EXPECT_EQ(t->values.rows(), 1);
  // Forbidden header: a name is an error at its column.
  EXPECT_THAT(ParseCsv("a,b\n3,4\n", Opt(0, CsvHeader::kAbsent), "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("X.csv:1:1: expected a number, got 'a'")));
}

TEST(CsvTest, ExplicitDelimiter) {
  absl::StatusOr<CsvTable> t =
      ParseCsv("1;2\n3;4\n", Opt(';', CsvHeader::kAuto));
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_EQ(t->values(1, 1), 4.0);
  // Whitespace forced: commas are then part of a field.
  EXPECT_THAT(ParseCsv("1 2\n3,4 5\n", Opt(' ', CsvHeader::kAbsent), "w"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("w:2:1: expected a number, got '3,4'")));
  EXPECT_THAT(ParseCsv("1\n", Opt('\n', CsvHeader::kAuto)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unusable CSV delimiter")));
}

TEST(CsvTest, ParsesNanAndInfLikeNumpy) {
  absl::StatusOr<CsvTable> t = ParseCsv("nan,inf,-inf,NaN\n");
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_TRUE(t->header.empty());
  EXPECT_TRUE(std::isnan(t->values(0, 0)));
  EXPECT_EQ(t->values(0, 1), std::numeric_limits<double>::infinity());
  EXPECT_EQ(t->values(0, 2), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(t->values(0, 3)));
}

TEST(CsvTest, BadNumberNamesFileLineAndColumn) {
  EXPECT_THAT(ParseCsv("a,b,c\n1,2,3\n4,abc,6\n", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "X.csv:3:3: expected a number, got 'abc'"));
  // Text that starts like a number is not one.
  EXPECT_THAT(ParseCsv("1,2\n3,1.5d0\n", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "X.csv:2:3: expected a number, got '1.5d0'"));
  // Hostile bytes are escaped and cut.
  absl::Status s =
      ParseCsv(std::string("1\n\x01\x02") + std::string(100, 'z'), {}, "X.csv")
          .status();
  EXPECT_THAT(s.message(), HasSubstr("got '\\x01\\x02zzz"));
  EXPECT_THAT(s.message(), HasSubstr("...'"));
}

// The first row is a header only when none of its fields is a number.
TEST(CsvTest, HeaderDetectionRules) {
  struct Case {
    const char* text;
    std::vector<std::string> header;
    Index rows;
  };
  const Case cases[] = {
      {"a,b\n1,2\n", {"a", "b"}, 1},
      // pandas' to_csv with an index: the index column has no name.
      {",a,b\n0,1,2\n", {"", "a", "b"}, 1},
      {"NA,x\n1,2\n", {"NA", "x"}, 1},
      // Numbers, missing values, or only missing values: data.
      {"1,2\n3,4\n", {}, 2},
      {"NA,2\n3,4\n", {}, 2},
      {",\n3,4\n", {}, 2},
      {"NA,NaN\n3,4\n", {}, 2},
      {"nan,inf\n3,4\n", {}, 2},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CsvTable> t = ParseCsv(c.text);
    ECLIPSERA_ASSERT_OK(t) << c.text;
    EXPECT_EQ(t->header, c.header) << c.text;
    EXPECT_EQ(t->values.rows(), c.rows) << c.text;
    EXPECT_EQ(t->values.cols(), 2 + (c.header.size() == 3)) << c.text;
    // The last row is always 3,4 (or 0,1,2 / 1,2): never shifted.
    EXPECT_FALSE(std::isnan(t->values(c.rows - 1, 0))) << c.text;
  }
  absl::StatusOr<CsvTable> t = ParseCsv("NA,2\n3,4\n");
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_TRUE(std::isnan(t->values(0, 0)));
  EXPECT_EQ(t->values(0, 1), 2.0);
}

// Before: a first row with any unparseable field was dropped as a header.
TEST(CsvTest, FirstRowMixingNumbersAndTextIsAnError) {
  const std::string hint =
      " (the first row is a header only when none of its fields is a number)";
  EXPECT_THAT(ParseCsv("1,abc,3\n4,5,6\n", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "X.csv:1:3: expected a number, got 'abc'" + hint));
  // A malformed number alone is not a column name.
  EXPECT_THAT(ParseCsv("1.5d0\n2\n3\n", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "X.csv:1:1: expected a number, got '1.5d0'" + hint));
  EXPECT_THAT(ParseCsv("# c\n\n x 2\n1 2\n", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "X.csv:3:2: expected a number, got 'x'" + hint));
  // Same rule in any later row, without the hint.
  EXPECT_THAT(ParseCsv("1,2,3\n1,abc,3\n", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "X.csv:2:3: expected a number, got 'abc'"));
}

TEST(CsvTest, SkipsUtf8ByteOrderMark) {
  absl::StatusOr<CsvTable> t = ParseCsv(
      "\xEF\xBB\xBF"
      "1,2\n3,4\n");
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_TRUE(t->header.empty());
  ASSERT_EQ(t->values.rows(), 2);
  EXPECT_EQ(t->values(0, 0), 1.0);
  EXPECT_EQ(t->values(1, 1), 4.0);
  t = ParseCsv(
      "\xEF\xBB\xBF"
      "a,b\n3,4\n");
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_THAT(t->header, ElementsAre("a", "b"));
  EXPECT_EQ(t->values.rows(), 1);
  EXPECT_THAT(ParseCsv("\xEF\xBB\xBF", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("X.csv: file is empty")));
  // Only at the very start.
  EXPECT_THAT(ParseCsv("1,2\n\xEF\xBB\xBF"
                       "3,4\n",
                       {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("X.csv:2:1: expected a number")));
}

TEST(CsvTest, EmptyFieldsAndMissingMarkersAreNan) {
  absl::StatusOr<CsvTable> t =
      ParseCsv("1,,NA,N/A\nNaN,nan,NULL,None\n-nan,n/a,<NA>,#N/A\n 2 , ,3,\n");
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_TRUE(t->header.empty());
  ASSERT_EQ(t->values.rows(), 4);
  ASSERT_EQ(t->values.cols(), 4);
  for (Index i = 0; i < 4; ++i) {
    for (Index j = 0; j < 4; ++j) {
      const bool number = (i == 0 && j == 0) || (i == 3 && (j == 0 || j == 2));
      EXPECT_EQ(std::isnan(t->values(i, j)), !number) << i << "," << j;
    }
  }
  EXPECT_EQ(t->values(0, 0), 1.0);
  EXPECT_EQ(t->values(3, 0), 2.0);
  EXPECT_EQ(t->values(3, 2), 3.0);
  // Every row can be missing entirely; forced options agree.
  t = ParseCsv(",\n,\n", Opt(0, CsvHeader::kAbsent));
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_EQ(t->values.rows(), 2);
  EXPECT_TRUE(t->values.array().isNaN().all());
  // A row starting with a '#' missing-value marker is data, not a comment
  // (it was dropped, shifting every later label); real comments still are.
  t = ParseCsv("#N/A,2\n3,4\n#NA,5\n#N/A N/A,6\n# comment\n#NAME x\n7,8\n");
  ECLIPSERA_ASSERT_OK(t);
  ASSERT_EQ(t->values.rows(), 5);
  EXPECT_TRUE(std::isnan(t->values(0, 0)));
  EXPECT_EQ(t->values(0, 1), 2.0);
  EXPECT_TRUE(std::isnan(t->values(2, 0)));
  EXPECT_TRUE(std::isnan(t->values(3, 0)));
  EXPECT_EQ(t->values(3, 1), 6.0);
  EXPECT_EQ(t->values(4, 0), 7.0);
  // Case variants pandas does not treat as missing are text.
  EXPECT_THAT(ParseCsv("1\nna\n", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "X.csv:2:1: expected a number, got 'na'"));
}

// A line of 20 MB of delimiters used ~79x the file size (a 24-byte Field
// per field plus vector growth); now one matrix of 8 bytes per field.
TEST(CsvTest, WideLineOfDelimitersIsOneRowOfNan) {
  const size_t n = 1 << 20;
  const std::string line = std::string(n, ',') + "\n";
  absl::StatusOr<CsvTable> t;
  {
    // Memory while parsing stays a small multiple of the input: the matrix
    // (8 bytes per field) plus bounded scratch. A Field per value (24 bytes
    // and vector growth) peaked at ~79x the input.
    eclipsera::testing::AllocationCounter counter;
    t = ParseCsv(line);
    EXPECT_LE(counter.peak_bytes(), static_cast<int64_t>(12 * line.size()))
        << counter.peak_bytes();
  }
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_TRUE(t->header.empty());
  ASSERT_EQ(t->values.rows(), 1);
  ASSERT_EQ(t->values.cols(), static_cast<Index>(n + 1));
  EXPECT_TRUE(t->values.array().isNaN().all());
  // Wide and ragged: the width error, not an allocation of rows x width.
  std::string ragged = std::string(n, ',') + "\n" + std::string(1000, '1');
  for (int i = 0; i < 1000; ++i) ragged += "\n1";
  EXPECT_THAT(ParseCsv(ragged, {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       absl::StrCat("X.csv:2: row has 1 fields, expected ",
                                    n + 1, " (the width of line 1)")));
  // Whitespace-separated: one field per number.
  std::string wide;
  for (int i = 0; i < 100000; ++i) wide += " 1";
  t = ParseCsv(wide + "\n" + wide + "\n");
  ECLIPSERA_ASSERT_OK(t);
  EXPECT_EQ(t->values.rows(), 2);
  EXPECT_EQ(t->values.cols(), 100000);
  EXPECT_TRUE((t->values.array() == 1.0).all());
}

TEST(CsvTest, BadNumberBeforeRaggedRowIsReportedFirst) {
  EXPECT_THAT(ParseCsv("1,2\n3,x\n4\n", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "X.csv:2:3: expected a number, got 'x'"));
  EXPECT_THAT(ParseCsv("1,2\n3\n4,x\n", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("X.csv:2: row has 1 fields, expected 2")));
}

TEST(CsvTest, RaggedRows) {
  EXPECT_THAT(
      ParseCsv("1,2,3,4,5\n1,2,3,4,5\n1,2,3,4\n", {}, "X.csv"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "X.csv:3: row has 4 fields, expected 5 (the width of line 1)"));
  EXPECT_THAT(ParseCsv("x y\n1 2 3\n", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("X.csv:2: row has 3 fields, expected 2")));
}

TEST(CsvTest, EmptyInputs) {
  EXPECT_THAT(ParseCsv("", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("X.csv: file is empty")));
  EXPECT_THAT(ParseCsv("\n  \n# only a comment\n", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("X.csv: file has no data rows")));
  EXPECT_THAT(ParseCsv("\na,b\n", {}, "X.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "X.csv:2: header row but no data rows follow"));
}

TEST(CsvTest, RoundTripsExactly) {
  Matrix x(3, 2);
  x << 0.1, -1e-310, 1.0 / 3.0, 1e300, std::numeric_limits<double>::quiet_NaN(),
      -std::numeric_limits<double>::infinity();
  absl::StatusOr<std::string> text = FormatCsv(x, {"p", "q"});
  ECLIPSERA_ASSERT_OK(text);
  EXPECT_EQ(text->substr(0, 12), "p,q\n0.1,-1e-");
  absl::StatusOr<CsvTable> back = ParseCsv(*text);
  ECLIPSERA_ASSERT_OK(back);
  EXPECT_THAT(back->header, ElementsAre("p", "q"));
  ASSERT_EQ(back->values.rows(), 3);
  for (Index i = 0; i < 3; ++i) {
    for (Index j = 0; j < 2; ++j) {
      if (std::isnan(x(i, j))) {
        EXPECT_TRUE(std::isnan(back->values(i, j)));
      } else {
        EXPECT_EQ(back->values(i, j), x(i, j)) << i << "," << j;
      }
    }
  }
}

TEST(CsvTest, FormatRejectsBadHeader) {
  Matrix x = Matrix::Zero(1, 2);
  EXPECT_THAT(FormatCsv(x, {"a"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("header has 1 names but the matrix has 2")));
  EXPECT_THAT(FormatCsv(x, {"a", "b,c"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("column name 'b,c'")));
}

TEST(CsvTest, ReadsNumpySavetxtFiles) {
  const Matrix expected = Golden3x4();
  for (const char* name : {"f8_3x4.csv", "f8_3x4_spaces.txt"}) {
    absl::StatusOr<CsvTable> t = ReadCsv(std::string(kTestdata) + name);
    ECLIPSERA_ASSERT_OK(t);
    EXPECT_EQ(t->values, expected) << name;
  }
  absl::StatusOr<CsvTable> t = ReadCsv(std::string(kTestdata) + "f8_3x4.csv");
  EXPECT_THAT(t->header, ElementsAre("a", "b", "c", "d"));
}

TEST(CsvTest, FileErrors) {
  EXPECT_THAT(
      ReadCsv("/nonexistent/X.csv"),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/X.csv")));
  EXPECT_THAT(ReadCsv(std::string(kTestdata)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is a directory")));
  const std::string path = ::testing::TempDir() + "/bad.csv";
  ECLIPSERA_ASSERT_OK(WriteStringToFile(path, "1,2\n3,x\n"));
  EXPECT_THAT(ReadCsv(path),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       path + ":2:3: expected a number, got 'x'"));
}

TEST(CsvTest, WriteAndReadFile) {
  const std::string path = ::testing::TempDir() + "/m.csv";
  const Matrix x = Golden3x4();
  ECLIPSERA_ASSERT_OK(WriteCsv(path, x));
  absl::StatusOr<CsvTable> back = ReadCsv(path);
  ECLIPSERA_ASSERT_OK(back);
  EXPECT_EQ(back->values, x);
}

TEST(CsvTest, Labels) {
  LabelVector labels(4);
  labels << 0, -1, 7, 2147483647;
  EXPECT_EQ(FormatLabelsCsv(labels), "0\n-1\n7\n2147483647\n");
  const std::string path = ::testing::TempDir() + "/labels.csv";
  ECLIPSERA_ASSERT_OK(WriteLabelsCsv(path, labels));
  absl::StatusOr<LabelVector> back = ReadLabelsCsv(path);
  ECLIPSERA_ASSERT_OK(back);
  EXPECT_EQ(*back, labels);
  // A header is allowed; fractional, huge and multi-column are not.
  EXPECT_THAT(ParseLabelsCsv("label\n1\n2\n"), ::eclipsera::testing::IsOk());
  EXPECT_THAT(ParseLabelsCsv("1\n2.5\n", "L.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "L.csv: label 2 (2.5) is not an integer in int32 "
                       "range"));
  EXPECT_THAT(ParseLabelsCsv("1\n3e9\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not an integer in int32 range")));
  EXPECT_THAT(
      ParseLabelsCsv("nan\n"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("label 1 (nan)")));
  EXPECT_THAT(ParseLabelsCsv("1,2\n", "L.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "L.csv: expected one column of labels, got 2 columns"));
}

}  // namespace
}  // namespace eclipsera::io
