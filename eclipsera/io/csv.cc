// Numeric CSV reading and writing.
#include "eclipsera/io/csv.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
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

// Splits `line` into fields. Whitespace mode (delimiter ' '): runs of blanks
// separate. Otherwise the delimiter separates and blanks around fields are
// dropped (so "1, 2" has fields "1" and "2", and "1,,2" has an empty one).
void SplitLine(absl::string_view line, char delimiter,
               std::vector<Field>* fields) {
  fields->clear();
  const size_t n = line.size();
  if (delimiter == ' ') {
    size_t i = 0;
    while (true) {
      while (i < n && IsBlank(line[i])) ++i;
      if (i == n) return;
      const size_t start = i;
      while (i < n && !IsBlank(line[i])) ++i;
      fields->push_back({line.substr(start, i - start), start + 1});
    }
  }
  size_t start = 0;
  while (true) {
    size_t end = line.find(delimiter, start);
    if (end == absl::string_view::npos) end = n;
    size_t b = start, e = end;
    while (b < e && IsBlank(line[b])) ++b;
    while (e > b && IsBlank(line[e - 1])) --e;
    fields->push_back({line.substr(b, e - b), b + 1});
    if (end == n) return;
    start = end + 1;
  }
}

bool ParseNumber(absl::string_view text, double* out) {
  if (text.empty()) return false;
  return absl::SimpleAtod(text, out);
}

absl::string_view Unquote(absl::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

// Iterates over the lines of a buffer that carry data: blank lines and
// '#' comment lines are skipped. Line numbers are 1-based.
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
      if (i == l.size() || l[i] == '#') continue;
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
  std::vector<Field> fields;
  std::vector<double> values;
  SplitLine(line, delimiter, &fields);
  const size_t width = fields.size();
  const size_t first_line = line_number;

  bool header = options.header == CsvHeader::kPresent;
  if (options.header == CsvHeader::kAuto) {
    for (const Field& f : fields) {
      double v;
      if (!ParseNumber(f.text, &v)) {
        header = true;
        break;
      }
    }
  }
  bool have_line = true;
  if (header) {
    for (const Field& f : fields) table.header.emplace_back(Unquote(f.text));
    have_line = reader.Next(&line, &line_number);
    if (!have_line) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", first_line, ": header row but no data rows follow"));
    }
  }

  Index rows = 0;
  while (have_line) {
    if (line_number != first_line) SplitLine(line, delimiter, &fields);
    if (fields.size() != width) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", line_number, ": row has ", fields.size(),
                       " fields, expected ", width, " (the width of line ",
                       first_line, ")"));
    }
    for (const Field& f : fields) {
      double v;
      if (!ParseNumber(f.text, &v)) {
        return absl::InvalidArgumentError(absl::StrCat(
            source, ":", line_number, ":", f.column,
            ": expected a number, got '", QuoteForMessage(f.text), "'"));
      }
      values.push_back(v);
    }
    ++rows;
    have_line = reader.Next(&line, &line_number);
  }

  table.values =
      Eigen::Map<const Matrix>(values.data(), rows, static_cast<Index>(width));
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
