// Reading and writing data files by extension: .csv/.txt/.tsv text or .npy.
#ifndef ECLIPSERA_IO_DATA_FILE_H_
#define ECLIPSERA_IO_DATA_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/io/csv.h"

namespace eclipsera::io {

enum class DataFormat { kCsv, kNpy };

// The format implied by the extension of `path` (case-insensitive): .csv,
// .txt, .tsv, .dat -> kCsv; .npy -> kNpy. InvalidArgument otherwise.
absl::StatusOr<DataFormat> FormatFromPath(const std::string& path);

// Reads a matrix from a .csv (with `csv` options) or .npy file.
absl::StatusOr<Matrix> ReadMatrix(const std::string& path,
                                  const CsvOptions& csv = {});
// Writes a matrix as CSV or as a float64 .npy, by extension.
absl::Status WriteMatrix(const std::string& path, const ConstMatrixRef& x);
// Writes labels one per line (CSV) or as a 1-D int32 .npy, by extension.
absl::Status WriteLabels(const std::string& path, const ConstLabelRef& labels);

}  // namespace eclipsera::io

#endif  // ECLIPSERA_IO_DATA_FILE_H_
