// Numeric CSV reading and writing.
#include "eclipsera/io/csv.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eclipsera/io/file.h"
#include "eclipsera/io/text.h"

namespace eclipsera::io {
namespace {

bool IsBlank(char c) {
  return absl::ascii_isspace(static_cast<unsigned char>(c));
}

// One field of a line: its text without surrounding blanks and its 1-based
// byte column in the line.
struct Field {
  absl::string_view text;
  size_t column;
};

// Iterates over the fields of `line` without storing them, so a line of
// millions of fields costs no memory per field. Whitespace mode (delimiter
// ' '): runs of blanks separate. Otherwise the delimiter separates and blanks
// around fields are dropped (so "1, 2" has fields "1" and "2", and "1,,2" has
// an empty one).
class FieldReader {
 public:
  FieldReader(absl::string_view line, char delimiter)
      : line_(line), delimiter_(delimiter) {}

  bool Next(Field* field) {
    if (done_) return false;
    const size_t n = line_.size();
    if (delimiter_ == ' ') {
      while (pos_ < n && IsBlank(line_[pos_])) ++pos_;
      if (pos_ == n) {
        done_ = true;
        return false;
      }
      const size_t start = pos_;
      while (pos_ < n && !IsBlank(line_[pos_])) ++pos_;
      *field = {line_.substr(start, pos_ - start), start + 1};
      return true;
    }
    size_t end = line_.find(delimiter_, pos_);
    if (end == absl::string_view::npos) {
      end = n;
      done_ = true;
    }
    size_t b = pos_, e = end;
    while (b < e && IsBlank(line_[b])) ++b;
    while (e > b && IsBlank(line_[e - 1])) --e;
    *field = {line_.substr(b, e - b), b + 1};
    pos_ = end + 1;
    return true;
  }

 private:
  absl::string_view line_;
  char delimiter_;
  size_t pos_ = 0;
  bool done_ = false;
};

size_t CountFields(absl::string_view line, char delimiter) {
  if (delimiter != ' ') {
    return static_cast<size_t>(
               std::count(line.begin(), line.end(), delimiter)) +
           1;
  }
  FieldReader reader(line, delimiter);
  Field f;
  size_t n = 0;
  while (reader.Next(&f)) ++n;
  return n;
}

// pandas' default na_values (read_csv): read as NaN.
bool IsMissing(absl::string_view text) {
  static constexpr absl::string_view kMissing[] = {
      "",     "NA",      "N/A",      "n/a",    "NaN",    "nan",  "-NaN",
      "-nan", "NULL",    "null",     "None",   "<NA>",   "#N/A", "#N/A N/A",
      "#NA",  "-1.#IND", "-1.#QNAN", "1.#IND", "1.#QNAN"};
  for (absl::string_view m : kMissing) {
    if (text == m) return true;
  }
  return false;
}

// Text that starts like a number ("1.5d0", "-.5x", "2nd"): a malformed
// number, never a column name, so it cannot make the first row a header.
bool LooksNumeric(absl::string_view text) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  if (i < text.size() && text[i] == '.') ++i;
  return i < text.size() &&
         absl::ascii_isdigit(static_cast<unsigned char>(text[i]));
}

enum class FieldKind {
  kNumber,   // Parses as a double (including "nan", "inf").
  kMissing,  // Empty or a missing-value marker: NaN.
  kText,     // Anything else: a column name in a header, else an error.
};

FieldKind Classify(absl::string_view text, double* value) {
  if (IsMissing(text)) {
    *value = std::numeric_limits<double>::quiet_NaN();
    return FieldKind::kMissing;
  }
  if (absl::SimpleAtod(text, value)) return FieldKind::kNumber;
  return FieldKind::kText;
}

absl::string_view Unquote(absl::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

// Whether `l` starts with one of the missing-value markers that begin with
// '#' ("#N/A N/A", "#N/A", "#NA"), as a whole field: such a line is data
// (its first value missing), not a comment.
bool StartsWithHashMissingMarker(absl::string_view l) {
  for (absl::string_view marker : {"#N/A N/A", "#N/A", "#NA"}) {
    if (!absl::StartsWith(l, marker)) continue;
    if (l.size() == marker.size()) return true;
    const char next = l[marker.size()];
    if (!absl::ascii_isalnum(static_cast<unsigned char>(next)) && next != '/' &&
        next != '_') {
      return true;
    }
  }
  return false;
}

// Iterates over the lines of a buffer that carry data: blank lines and
// '#' comment lines are skipped (a line starting with a '#' missing-value
// marker such as "#N/A," is data). Line numbers are 1-based.
class LineReader {
 public:
  explicit LineReader(absl::string_view content) : rest_(content) {}

  bool Next(absl::string_view* line, size_t* line_number) {
    while (!done_) {
      size_t nl = rest_.find('\n');
      absl::string_view l;
      if (nl == absl::string_view::npos) {
        l = rest_;
        done_ = true;
      } else {
        l = rest_.substr(0, nl);
        rest_.remove_prefix(nl + 1);
      }
      ++number_;
      size_t i = 0;
      while (i < l.size() && IsBlank(l[i])) ++i;
      if (i == l.size()) continue;
      if (l[i] == '#' && !StartsWithHashMissingMarker(l.substr(i))) continue;
      *line = l;
      *line_number = number_;
      return true;
    }
    return false;
  }

 private:
  absl::string_view rest_;
  size_t number_ = 0;
  bool done_ = false;
};

constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

}  // namespace

absl::StatusOr<CsvTable> ParseCsv(absl::string_view content,
                                  const CsvOptions& options,
                                  absl::string_view source) {
  if (options.delimiter == '\n' || options.delimiter == '\r' ||
      options.delimiter == '#' || options.delimiter == '"' ||
      (options.delimiter != ' ' && options.delimiter != 0 &&
       IsBlank(options.delimiter) && options.delimiter != '\t')) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": unusable CSV delimiter '",
        QuoteForMessage(absl::string_view(&options.delimiter, 1)), "'"));
  }
  if (absl::StartsWith(content, kUtf8Bom)) content.remove_prefix(3);
  LineReader reader(content);
  absl::string_view line;
  size_t line_number = 0;
  if (!reader.Next(&line, &line_number)) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": ",
        content.empty() ? "file is empty" : "file has no data rows",
        "; expected rows of numbers separated by commas or blanks"));
  }
  char delimiter = options.delimiter;
  if (delimiter == 0) {
    delimiter = line.find(',') != absl::string_view::npos ? ',' : ' ';
  }

  CsvTable table;
  Field f;
  const size_t first_line = line_number;

  // The first row is a header when none of its fields is a number (or text
  // that starts like one, "1.5d0") and at least one is text: "a,b" and
  // ",a,b" (pandas' index column) are headers; "NA,2", ",,", "nan,inf" are
  // data. A row mixing numbers and text is then an error at the text.
  bool header = options.header == CsvHeader::kPresent;
  if (options.header == CsvHeader::kAuto) {
    bool any_number = false, any_text = false;
    FieldReader fields(line, delimiter);
    while (!any_number && fields.Next(&f)) {
      double v;
      switch (Classify(f.text, &v)) {
        case FieldKind::kNumber:
          any_number = true;
          break;
        case FieldKind::kText:
          if (LooksNumeric(f.text)) {
            any_number = true;
          } else {
            any_text = true;
          }
          break;
        case FieldKind::kMissing:
          break;
      }
    }
    header = any_text && !any_number;
  }
  if (header) {
    FieldReader fields(line, delimiter);
    while (fields.Next(&f)) table.header.emplace_back(Unquote(f.text));
    if (!reader.Next(&line, &line_number)) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", first_line, ": header row but no data rows follow"));
    }
  }
  const size_t width =
      table.header.empty() ? CountFields(line, delimiter) : table.header.size();

  // Pass 1, no numbers parsed: count the data rows up to the first one of
  // another width, so that the values go straight into a matrix of the
  // right size (one allocation, 8 bytes per field; every field takes at
  // least one byte of input).
  Index rows = 0;
  size_t ragged_line = 0, ragged_fields = 0;
  {
    LineReader scan = reader;
    absl::string_view l = line;
    size_t number = line_number;
    do {
      const size_t n = CountFields(l, delimiter);
      if (n != width) {
        ragged_line = number;
        ragged_fields = n;
        break;
      }
      ++rows;
    } while (scan.Next(&l, &number));
  }

  // Pass 2: parse those rows. Bad numbers before a ragged row are reported
  // first, as a reader going line by line would.
  if (rows > 0) table.values.resize(rows, static_cast<Index>(width));
  double* out = table.values.data();
  for (Index r = 0; r < rows; ++r) {
    if (r > 0) reader.Next(&line, &line_number);
    FieldReader fields(line, delimiter);
    while (fields.Next(&f)) {
      if (Classify(f.text, out) == FieldKind::kText) {
        const bool first_row =
            line_number == first_line && options.header == CsvHeader::kAuto;
        return absl::InvalidArgumentError(absl::StrCat(
            source, ":", line_number, ":", f.column,
            ": expected a number, got '", QuoteForMessage(f.text), "'",
            first_row ? " (the first row is a header only when none of its "
                        "fields is a number)"
                      : ""));
      }
      ++out;
    }
  }
  if (ragged_line != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":", ragged_line, ": row has ", ragged_fields,
        " fields, expected ", width, " (the width of line ", first_line, ")"));
  }
  return table;
}

absl::StatusOr<CsvTable> ReadCsv(const std::string& path,
                                 const CsvOptions& options) {
  absl::StatusOr<std::string> content = ReadFileToString(path);
  if (!content.ok()) return content.status();
  return ParseCsv(*content, options, path);
}

absl::StatusOr<std::string> FormatCsv(const ConstMatrixRef& x,
                                      absl::Span<const std::string> header,
                                      char delimiter) {
  std::string out;
  if (!header.empty()) {
    if (static_cast<Index>(header.size()) != x.cols()) {
      return absl::InvalidArgumentError(
          absl::StrCat("FormatCsv: header has ", header.size(),
                       " names but the matrix has ", x.cols(), " columns"));
    }
    for (const std::string& name : header) {
      if (name.find_first_of(std::string("\"\r\n#") + delimiter) !=
              std::string::npos ||
          (delimiter == ' ' && name.find('\t') != std::string::npos) ||
          name.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "FormatCsv: column name '", QuoteForMessage(name),
            "' is empty or contains the delimiter, a quote, '#' or a line "
            "break"));
      }
    }
    out = absl::StrJoin(header, std::string(1, delimiter));
    out += '\n';
  }
  for (Index i = 0; i < x.rows(); ++i) {
    for (Index j = 0; j < x.cols(); ++j) {
      if (j > 0) out += delimiter;
      out += FormatDouble(x(i, j));
    }
    out += '\n';
  }
  return out;
}

absl::Status WriteCsv(const std::string& path, const ConstMatrixRef& x,
                      absl::Span<const std::string> header) {
  absl::StatusOr<std::string> text = FormatCsv(x, header);
  if (!text.ok()) return text.status();
  return WriteStringToFile(path, *text);
}

absl::StatusOr<LabelVector> ParseLabelsCsv(absl::string_view content,
                                           absl::string_view source) {
  absl::StatusOr<CsvTable> table = ParseCsv(content, {}, source);
  if (!table.ok()) return table.status();
  const Matrix& v = table->values;
  if (v.cols() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": expected one column of labels, got ", v.cols(), " columns"));
  }
  LabelVector labels(v.rows());
  for (Index i = 0; i < v.rows(); ++i) {
    const double d = v(i, 0);
    if (!(d >= std::numeric_limits<int32_t>::min() &&
          d <= std::numeric_limits<int32_t>::max() && std::floor(d) == d)) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": label ", i + 1, " (", FormatDouble(d),
                       ") is not an integer in int32 range"));
    }
    labels(i) = static_cast<int32_t>(d);
  }
  return labels;
}

absl::StatusOr<LabelVector> ReadLabelsCsv(const std::string& path) {
  absl::StatusOr<std::string> content = ReadFileToString(path);
  if (!content.ok()) return content.status();
  return ParseLabelsCsv(*content, path);
}

std::string FormatLabelsCsv(const ConstLabelRef& labels) {
  std::string out;
  for (Index i = 0; i < labels.size(); ++i) {
    absl::StrAppend(&out, labels(i), "\n");
  }
  return out;
}

absl::Status WriteLabelsCsv(const std::string& path,
                            const ConstLabelRef& labels) {
  return WriteStringToFile(path, FormatLabelsCsv(labels));
}

}  // namespace eclipsera::io
