// Reading and writing data files by extension.
#include "eclipsera/io/data_file.h"

#include "absl/strings/str_cat.h"
#include "eclipsera/io/file.h"
#include "eclipsera/io/npy.h"

namespace eclipsera::io {

absl::StatusOr<DataFormat> FormatFromPath(const std::string& path) {
  const std::string ext = FileExtension(path);
  if (ext == ".csv" || ext == ".txt" || ext == ".tsv" || ext == ".dat") {
    return DataFormat::kCsv;
  }
  if (ext == ".npy") return DataFormat::kNpy;
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": unknown data file extension '", ext,
                   "'; expected .csv (or .txt, .tsv, .dat) or .npy"));
}

absl::StatusOr<Matrix> ReadMatrix(const std::string& path,
                                  const CsvOptions& csv) {
  absl::StatusOr<DataFormat> format = FormatFromPath(path);
  if (!format.ok()) return format.status();
  if (*format == DataFormat::kNpy) return ReadNpy(path);
  absl::StatusOr<CsvTable> table = ReadCsv(path, csv);
  if (!table.ok()) return table.status();
  return std::move(table->values);
}

absl::Status WriteMatrix(const std::string& path, const ConstMatrixRef& x) {
  absl::StatusOr<DataFormat> format = FormatFromPath(path);
  if (!format.ok()) return format.status();
  if (*format == DataFormat::kNpy) return WriteNpy(path, x);
  return WriteCsv(path, x);
}

absl::Status WriteLabels(const std::string& path, const ConstLabelRef& labels) {
  absl::StatusOr<DataFormat> format = FormatFromPath(path);
  if (!format.ok()) return format.status();
  if (*format == DataFormat::kNpy) return WriteNpyLabels(path, labels);
  return WriteLabelsCsv(path, labels);
}

}  // namespace eclipsera::io
