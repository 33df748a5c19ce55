// libFuzzer target for the CSV reader: any input must give a matrix or an
// InvalidArgument status, every matrix read must survive a write/read
// round trip bit for bit, and header detection must agree with reading the
// same input with the header forbidden.
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"
#include "eclipsera/io/csv.h"
#include "fuzz/fuzz_check.h"

namespace {

using eclipsera::Index;
using eclipsera::io::CsvHeader;
using eclipsera::io::CsvOptions;
using eclipsera::io::CsvTable;

bool SameBits(double a, double b) {
  // NaN payloads need not survive text; any NaN matches any NaN.
  if (a != a && b != b) return true;
  return std::memcmp(&a, &b, sizeof(double)) == 0;
}

void CheckOne(absl::string_view input, char delimiter, CsvHeader header) {
  CsvOptions options;
  options.delimiter = delimiter;
  options.header = header;
  absl::StatusOr<CsvTable> table =
      eclipsera::io::ParseCsv(input, options, "fuzz.csv");
  if (!table.ok()) {
    FUZZ_CHECK(table.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(!table.status().message().empty());
    return;
  }
  const eclipsera::Matrix& v = table->values;
  FUZZ_CHECK(v.rows() > 0 && v.cols() > 0);
  FUZZ_CHECK(table->header.empty() ||
             static_cast<Index>(table->header.size()) == v.cols());
  if (header == CsvHeader::kPresent) FUZZ_CHECK(!table->header.empty());
  if (header == CsvHeader::kAbsent) FUZZ_CHECK(table->header.empty());
  if (header == CsvHeader::kAuto) {
    // A detected header holds text that is neither a number nor a missing
    // value, so the same input read without a header fails; without one,
    // the header-less read gives the same matrix.
    options.header = CsvHeader::kAbsent;
    absl::StatusOr<CsvTable> plain_read =
        eclipsera::io::ParseCsv(input, options, "fuzz.csv");
    if (!table->header.empty()) {
      FUZZ_CHECK(!plain_read.ok());
    } else {
      FUZZ_CHECK(plain_read.ok() && plain_read->values.rows() == v.rows() &&
                 plain_read->values.cols() == v.cols());
      for (Index i = 0; i < v.rows(); ++i) {
        for (Index j = 0; j < v.cols(); ++j) {
          FUZZ_CHECK(SameBits(plain_read->values(i, j), v(i, j)));
        }
      }
    }
  }

  absl::StatusOr<std::string> text = eclipsera::io::FormatCsv(v);
  FUZZ_CHECK(text.ok());
  CsvOptions plain;
  plain.delimiter = ',';
  plain.header = CsvHeader::kAbsent;
  absl::StatusOr<CsvTable> back = eclipsera::io::ParseCsv(*text, plain);
  FUZZ_CHECK(back.ok());
  FUZZ_CHECK(back->values.rows() == v.rows() &&
             back->values.cols() == v.cols());
  for (Index i = 0; i < v.rows(); ++i) {
    for (Index j = 0; j < v.cols(); ++j) {
      FUZZ_CHECK(SameBits(back->values(i, j), v(i, j)));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  CheckOne(input, 0, CsvHeader::kAuto);
  CheckOne(input, ',', CsvHeader::kPresent);
  CheckOne(input, ' ', CsvHeader::kAbsent);
  CheckOne(input, ';', CsvHeader::kAuto);
  absl::StatusOr<eclipsera::LabelVector> labels =
      eclipsera::io::ParseLabelsCsv(input, "fuzz.csv");
  if (labels.ok()) {
    absl::StatusOr<eclipsera::LabelVector> back =
        eclipsera::io::ParseLabelsCsv(eclipsera::io::FormatLabelsCsv(*labels));
    FUZZ_CHECK(back.ok() && *back == *labels);
  }
  return 0;
}
