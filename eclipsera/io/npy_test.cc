#include "eclipsera/io/npy.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "eclipsera/core/testing.h"
#include "eclipsera/io/file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::io {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kTestdata[] = "eclipsera/io/testdata/";

std::string Golden(const std::string& name) {
  absl::StatusOr<std::string> bytes =
      ReadFileToString(std::string(kTestdata) + name);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : std::string();
}

// The matrix generate.py writes.
Matrix Golden3x4() {
  Matrix x(3, 4);
  for (Index i = 0; i < 3; ++i) {
    for (Index j = 0; j < 4; ++j) x(i, j) = (i * 4 + j) * 0.25 - 1.5;
  }
  x(0, 0) = 1e-300;
  x(2, 3) = -1.7976931348623157e308;
  return x;
}

// A hand-made .npy: version (major, 0), header dict text, then `data`.
std::string MakeNpy(absl::string_view dict, absl::string_view data,
                    int major = 1) {
  std::string out("\x93NUMPY", 6);
  out.push_back(static_cast<char>(major));
  out.push_back('\0');
  const size_t n = dict.size();
  out.push_back(static_cast<char>(n & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  if (major >= 2) {
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    out.push_back(static_cast<char>((n >> 24) & 0xff));
  }
  out.append(dict.data(), dict.size());
  out.append(data.data(), data.size());
  return out;
}

std::string Doubles(std::initializer_list<double> v) {
  std::string out(v.size() * 8, '\0');
  size_t i = 0;
  for (double d : v) std::memcpy(&out[8 * i++], &d, 8);
  return out;
}

TEST(NpyTest, ReadsNumpyFloat64AllVersions) {
  for (const char* name : {"f8_3x4.npy", "f8_3x4_v2.npy", "f8_3x4_v3.npy"}) {
    absl::StatusOr<Matrix> m = ReadNpy(std::string(kTestdata) + name);
    ECLIPSERA_ASSERT_OK(m);
    EXPECT_EQ(*m, Golden3x4()) << name;
  }
  absl::StatusOr<NpyHeader> h = ParseNpyHeader(Golden("f8_3x4_v3.npy"));
  ECLIPSERA_ASSERT_OK(h);
  EXPECT_EQ(h->major_version, 3);
}

TEST(NpyTest, ReadsOtherDtypes) {
  absl::StatusOr<Matrix> f4 = ParseNpy(Golden("f4_2x3.npy"));
  ECLIPSERA_ASSERT_OK(f4);
  ASSERT_EQ(f4->rows(), 2);
  ASSERT_EQ(f4->cols(), 3);
  for (Index k = 0; k < 6; ++k) EXPECT_EQ((*f4)(k / 3, k % 3), k * 0.5 - 1);

  absl::StatusOr<Matrix> i4 = ParseNpy(Golden("i4_1d.npy"));
  ECLIPSERA_ASSERT_OK(i4);
  ASSERT_EQ(i4->rows(), 5);
  ASSERT_EQ(i4->cols(), 1);  // 1-D reads as one column.
  EXPECT_EQ((*i4)(0, 0), 3.0);
  EXPECT_EQ((*i4)(1, 0), -1.0);
  EXPECT_EQ((*i4)(3, 0), 2147483647.0);
  EXPECT_EQ((*i4)(4, 0), -2147483648.0);

  absl::StatusOr<Matrix> i8 = ParseNpy(Golden("i8_2x2.npy"));
  ECLIPSERA_ASSERT_OK(i8);
  EXPECT_EQ((*i8)(0, 1), -2.0);
  EXPECT_EQ((*i8)(1, 0), 9007199254740992.0);

  absl::StatusOr<Matrix> empty = ParseNpy(Golden("f8_0x3.npy"));
  ECLIPSERA_ASSERT_OK(empty);
  EXPECT_EQ(empty->rows(), 0);
  EXPECT_EQ(empty->cols(), 3);
}

TEST(NpyTest, EncodesExactlyLikeNumpySave) {
  EXPECT_EQ(EncodeNpy(Golden3x4()), Golden("f8_3x4.npy"));
  EXPECT_EQ(EncodeNpy(Matrix(0, 3)), Golden("f8_0x3.npy"));
  LabelVector labels(5);
  labels << 0, 1, 1, -1, 2;
  EXPECT_EQ(EncodeNpyLabels(labels), Golden("labels_i4.npy"));
}

TEST(NpyTest, RoundTripsThroughFiles) {
  const std::string path = ::testing::TempDir() + "/m.npy";
  Matrix x = Matrix::Random(17, 5);
  ECLIPSERA_ASSERT_OK(WriteNpy(path, x));
  absl::StatusOr<Matrix> back = ReadNpy(path);
  ECLIPSERA_ASSERT_OK(back);
  EXPECT_EQ(*back, x);

  // A non-contiguous view (a block) encodes its own elements.
  Matrix block = x.block(2, 1, 3, 2);
  absl::StatusOr<Matrix> b = ParseNpy(EncodeNpy(x.block(2, 1, 3, 2)));
  ECLIPSERA_ASSERT_OK(b);
  EXPECT_EQ(*b, block);

  LabelVector labels(3);
  labels << 4, -1, 0;
  const std::string lpath = ::testing::TempDir() + "/l.npy";
  ECLIPSERA_ASSERT_OK(WriteNpyLabels(lpath, labels));
  absl::StatusOr<LabelVector> lb = ReadNpyLabels(lpath);
  ECLIPSERA_ASSERT_OK(lb);
  EXPECT_EQ(*lb, labels);
}

TEST(NpyTest, LabelsFromOtherDtypes) {
  absl::StatusOr<LabelVector> l = ParseNpyLabels(Golden("labels_i4.npy"));
  ECLIPSERA_ASSERT_OK(l);
  EXPECT_EQ((*l)(3), -1);
  // Integral floats are accepted; a 2-D n x 1 array too.
  absl::StatusOr<LabelVector> f = ParseNpyLabels(
      MakeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }\n",
              Doubles({3.0, -1.0})));
  ECLIPSERA_ASSERT_OK(f);
  EXPECT_EQ((*f)(0), 3);
  EXPECT_THAT(
      ParseNpyLabels(
          MakeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                  Doubles({3.0, 0.5})),
          "L.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "L.npy: label 2 is not an integer in int32 range"));
  EXPECT_THAT(ParseNpyLabels(Golden("i8_2x2.npy"), "L.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("labels must be a 1-D array, got 'shape' "
                                 "(2, 2)")));
  std::string big(8, '\0');
  const int64_t v = int64_t{1} << 40;
  std::memcpy(&big[0], &v, 8);
  EXPECT_THAT(
      ParseNpyLabels(MakeNpy(
          "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", big)),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("label 1 is not an integer in int32 range")));
}

TEST(NpyTest, RejectsNumpyFilesWeDoNotSupport) {
  EXPECT_THAT(ParseNpy(Golden("f8_fortran.npy"), "F.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("F.npy: 'fortran_order' True is not "
                                 "supported")));
  EXPECT_THAT(ParseNpy(Golden("f8_bigendian.npy"), "B.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("B.npy: 'descr' '>f8': big-endian data is "
                                 "not supported")));
  EXPECT_THAT(ParseNpy(Golden("c16.npy"), "C.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("C.npy: unsupported dtype '<c16' in 'descr'; "
                                 "supported: '<f8', '<f4', '<i4', '<i8'")));
  EXPECT_THAT(ParseNpy(Golden("f8_3d.npy"), "D.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("D.npy: 'shape' (2, 2, 2) has 3 dimensions; "
                                 "only 1-D and 2-D")));
}

TEST(NpyTest, BadMagicAndVersion) {
  EXPECT_THAT(ParseNpy("", "E.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("E.npy: bad magic: not a .npy file")));
  EXPECT_THAT(
      ParseNpy("1,2,3\n4,5,6\n", "E.npy"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad magic")));
  std::string v4 = Golden("f8_3x4.npy");
  v4[6] = 4;
  EXPECT_THAT(ParseNpy(v4, "E.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "E.npy: unsupported format version 4.0; supported: "
                       "1.0, 2.0, 3.0"));
  EXPECT_THAT(ParseNpy(std::string("\x93NUMPY\x01", 7), "E.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("truncated header")));
  EXPECT_THAT(ParseNpy(std::string("\x93NUMPY\x01\x00\xff\x00{", 11), "E.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("header length 255 exceeds the 1 bytes")));
}

TEST(NpyTest, ShapeMismatch) {
  const std::string full = Golden("f8_3x4.npy");
  EXPECT_THAT(ParseNpy(full.substr(0, full.size() - 8), "T.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "T.npy: 'shape' (3, 4) of '<f8' needs 96 data bytes, "
                       "but 88 follow the header (truncated data)"));
  EXPECT_THAT(ParseNpy(full + "x", "T.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("but 97 follow the header (trailing data)")));
  // Declared shapes far beyond the input never allocate.
  for (const char* shape : {"(9223372036854775807, 9223372036854775807)",
                            "(4294967296, 4294967296)", "(1000000000000,)",
                            "(3037000500, 3037000500)"}) {
    EXPECT_THAT(
        ParseNpy(MakeNpy(absl::StrCat("{'descr': '<f8', 'fortran_order': "
                                      "False, 'shape': ",
                                      shape, ", }"),
                         Doubles({1, 2})),
                 "H.npy"),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 AllOf(HasSubstr("H.npy: 'shape' ("),
                       HasSubstr("but 16 follow the header (truncated "
                                 "data)"))))
        << shape;
  }
  EXPECT_THAT(ParseNpy(MakeNpy("{'descr': '<f4', 'fortran_order': False, "
                               "'shape': (4294967296, 4294967296), }",
                               ""),
                       "H.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("needs more than 2^64 data bytes")));
  EXPECT_THAT(ParseNpy(MakeNpy("{'descr': '<f8', 'fortran_order': False, "
                               "'shape': (99999999999999999999,), }",
                               ""),
                       "H.npy"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'shape' has a dimension too large")));
}

TEST(NpyTest, MalformedHeaderDict) {
  struct Case {
    const char* dict;
    const char* message;
  };
  const Case cases[] = {
      {"", "malformed header dict at byte 0: expected '{'"},
      {"{'descr': '<f8', 'fortran_order': False}", "no 'shape' key"},
      {"{'descr': '<f8', 'shape': (2,)}", "no 'fortran_order' key"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}",
       "unexpected header key 'x'"},
      {"{'descr': '<f8', 'descr': '<f8'}", "header key 'descr' appears twice"},
      {"{'descr': <f8, 'fortran_order': False, 'shape': (2,)}",
       "'descr' must be a quoted dtype string"},
      {"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,)}",
       "'descr' is a structured dtype"},
      {"{'descr': '<f8', 'fortran_order': 0, 'shape': (2,)}",
       "'fortran_order' must be True or False"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': 2}",
       "'shape' must be a tuple"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}",
       "'shape' must hold non-negative integers"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2 2)}",
       "expected ',' or ')' in 'shape'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} extra",
       "unexpected text after the closing '}'"},
      {"{'descr': '<f8' 'fortran_order': False}",
       "expected ',' or '}' after a value"},
      {"{'descr' '<f8'}", "expected ':' after key 'descr'"},
      {"{'descr: '<f8'}", "expected ':' after key 'descr: '"},
      {"{descr: 1}", "expected a quoted key or '}'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': ()}",
       "'shape' () has 0 dimensions"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(
        ParseNpy(MakeNpy(c.dict, Doubles({1, 2})), "M.npy"),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.dict;
  }
}

TEST(NpyTest, AcceptsHeaderVariants) {
  // Double quotes, no trailing comma, key order, Python 2 longs, version 2.
  absl::StatusOr<Matrix> m = ParseNpy(
      MakeNpy("{\"shape\": (1L, 2L), \"fortran_order\": False, \"descr\": "
              "\"<f8\"}",
              Doubles({1.5, -2}), 2));
  ECLIPSERA_ASSERT_OK(m);
  EXPECT_EQ((*m)(0, 0), 1.5);
  EXPECT_EQ((*m)(0, 1), -2.0);
}

std::string WriteTemp(const std::string& name, const std::string& bytes) {
  const std::string path = ::testing::TempDir() + "/" + name;
  EXPECT_TRUE(WriteStringToFile(path, bytes).ok());
  return path;
}

// ReadNpy streams the data into the matrix: every dtype, data larger than
// its 1 MiB conversion pieces and than the 4 KiB first read, a header longer
// than that first read, and the same result as parsing the bytes whole.
TEST(NpyTest, ReadsFilesStraightIntoTheMatrix) {
  const Index rows = 70001, cols = 3;  // 1.7 MB of float64
  Matrix x(rows, cols);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = 0.5 * i - 7.0;
  const std::string f8 = WriteTemp("big_f8.npy", EncodeNpy(x));
  absl::StatusOr<Matrix> m = ReadNpy(f8);
  ECLIPSERA_ASSERT_OK(m);
  EXPECT_EQ(*m, x);

  std::string f4_data(rows * cols * 4, '\0'), i8_data(rows * cols * 8, '\0');
  for (Index i = 0; i < x.size(); ++i) {
    const float f = static_cast<float>(x.data()[i]);
    const int64_t v = static_cast<int64_t>(i) - 5;
    std::memcpy(&f4_data[4 * i], &f, 4);
    std::memcpy(&i8_data[8 * i], &v, 8);
  }
  const std::string f4 =
      MakeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (70001, 3), }",
              f4_data);
  m = ReadNpy(WriteTemp("big_f4.npy", f4));
  ECLIPSERA_ASSERT_OK(m);
  absl::StatusOr<Matrix> parsed = ParseNpy(f4);
  ECLIPSERA_ASSERT_OK(parsed);
  EXPECT_EQ(*m, *parsed);
  EXPECT_EQ((*m)(rows - 1, 2), x(rows - 1, 2));
  const std::string i8 =
      MakeNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (70001, 3), }",
              i8_data);
  m = ReadNpy(WriteTemp("big_i8.npy", i8));
  ECLIPSERA_ASSERT_OK(m);
  EXPECT_EQ((*m)(rows - 1, 2), static_cast<double>(rows * cols - 6));
  EXPECT_EQ((*m)(0, 0), -5.0);

  // A version 2 header of 10000 bytes (padding spaces, as numpy pads).
  std::string dict =
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
  dict.append(10000 - dict.size() - 1, ' ');
  dict.push_back('\n');
  m = ReadNpy(
      WriteTemp("long_header.npy", MakeNpy(dict, Doubles({3.5, -1.0}), 2)));
  ECLIPSERA_ASSERT_OK(m);
  EXPECT_EQ((*m)(1, 0), -1.0);

  // Truncated data and a header length beyond the end of the file.
  std::string cut = EncodeNpy(x);
  cut.resize(cut.size() - 8);
  EXPECT_THAT(ReadNpy(WriteTemp("cut.npy", cut)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("(truncated data)")));
  std::string long_len = MakeNpy(dict, Doubles({1.0}), 2);
  long_len.resize(5000);
  EXPECT_THAT(ReadNpy(WriteTemp("long_len.npy", long_len)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("truncated header")));
}

TEST(NpyTest, FileErrors) {
  EXPECT_THAT(ReadNpy("/nonexistent/X.npy"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("/nonexistent/X.npy: cannot open")));
  EXPECT_THAT(ReadNpy(std::string(kTestdata) + "f8_3x4.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("f8_3x4.csv: bad magic")));
  EXPECT_THAT(ReadNpy(std::string(kTestdata)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is a directory")));
}

}  // namespace
}  // namespace eclipsera::io
