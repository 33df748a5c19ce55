// Numeric CSV (and whitespace-separated text) reading and writing.
//
// The format is what numpy.loadtxt / numpy.savetxt exchange: one sample per
// line, numbers separated by commas or by runs of spaces and tabs, an
// optional header row of column names. Blank lines and lines whose first
// non-blank character is '#' are skipped. "nan", "inf" and "-inf" parse (as
// numpy does); checking finiteness is the estimators' business.
#ifndef ECLIPSERA_IO_CSV_H_
#define ECLIPSERA_IO_CSV_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::io {

enum class CsvHeader {
  kAuto,     // The first row is a header when it is not all numbers.
  kPresent,  // The first row is always a header.
  kAbsent,   // Every row is data.
};

struct CsvOptions {
  // 0: detect from the first row (',' when it has one, else whitespace).
  // ' ': runs of spaces and tabs. Any other character: that separator, with
  // blanks around fields ignored.
  char delimiter = 0;
  CsvHeader header = CsvHeader::kAuto;
};

struct CsvTable {
  std::vector<std::string> header;  // Column names; empty without a header.
  Matrix values;                    // rows x columns.
};

// Parses `content`. `source` names the input in messages ("X.csv:3:5:
// expected a number, got 'abc'"). InvalidArgument for an empty input, a
// header without data rows, a field that is not a number, or rows of
// different widths. Never crashes; memory is bounded by a small multiple of
// the input size.
absl::StatusOr<CsvTable> ParseCsv(absl::string_view content,
                                  const CsvOptions& options = {},
                                  absl::string_view source = "<csv>");

// Reads and parses the file at `path` (NotFound when it does not exist).
absl::StatusOr<CsvTable> ReadCsv(const std::string& path,
                                 const CsvOptions& options = {});

// Renders `x` with `delimiter` between fields, each value in the shortest
// text that reads back to the same double ("nan", "inf", "-inf" for
// non-finite values). `header` is empty or has one name per column; names
// must not contain the delimiter, quotes or line breaks (InvalidArgument).
absl::StatusOr<std::string> FormatCsv(const ConstMatrixRef& x,
                                      absl::Span<const std::string> header = {},
                                      char delimiter = ',');
absl::Status WriteCsv(const std::string& path, const ConstMatrixRef& x,
                      absl::Span<const std::string> header = {});

// Labels: one integer per line, optional header. InvalidArgument when there
// is more than one column or a value is not an integer in int32 range.
absl::StatusOr<LabelVector> ParseLabelsCsv(absl::string_view content,
                                           absl::string_view source = "<csv>");
absl::StatusOr<LabelVector> ReadLabelsCsv(const std::string& path);
std::string FormatLabelsCsv(const ConstLabelRef& labels);
absl::Status WriteLabelsCsv(const std::string& path,
                            const ConstLabelRef& labels);

}  // namespace eclipsera::io

#endif  // ECLIPSERA_IO_CSV_H_
