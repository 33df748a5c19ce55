// Numeric CSV (and whitespace-separated text) reading and writing.
//
// The format is what numpy.loadtxt / numpy.savetxt and pandas' to_csv
// exchange: one sample per line, numbers separated by commas or by runs of
// spaces and tabs, an optional header row of column names. A UTF-8
// byte-order mark at the start is skipped. Blank lines and lines whose first
// non-blank character is '#' are skipped. "nan", "inf" and "-inf" parse (as
// numpy does). Empty fields and pandas' default missing-value markers ("NA",
// "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "NULL", "null", "None", "<NA>",
// "#N/A", "#N/A N/A", "#NA", "1.#IND", "-1.#IND", "1.#QNAN", "-1.#QNAN",
// case-sensitive as in pandas) read as NaN. Checking finiteness is the
// estimators' business: they reject NaN naming its row and column.
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
  // The first row is a header when none of its fields is a number (nor
  // starts like one: "1.5d0", "2nd") and at least one is text; missing
  // values may appear in it (pandas' ",a,b"). A first row mixing numbers and
  // text is an error naming the line and column, as in any other row; a row
  // of only missing values is data.
  kAuto,
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
// expected a number, got 'abc'"; line and 1-based byte column).
// InvalidArgument for an empty input, a header without data rows, a field
// that is neither a number nor a missing value, or rows of different widths.
// Never crashes. Memory: the values matrix (8 bytes per field, and every
// field takes at least one byte of input) and no per-field overhead.
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
