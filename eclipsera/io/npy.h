// NumPy .npy reading and writing.
//
// Reads format versions 1.0, 2.0 and 3.0 holding little-endian float64
// ('<f8'), float32 ('<f4'), int32 ('<i4') or int64 ('<i8') arrays in C order.
// A 1-D array of length n reads as an n x 1 matrix, a 2-D array as itself.
// Writes float64 matrices and int32 label vectors as version 1.0 files that
// numpy.load reads.
#ifndef ECLIPSERA_IO_NPY_H_
#define ECLIPSERA_IO_NPY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::io {

enum class NpyDtype { kFloat64, kFloat32, kInt32, kInt64 };

// The parsed header of a .npy file.
struct NpyHeader {
  int major_version = 1;
  int minor_version = 0;
  NpyDtype dtype = NpyDtype::kFloat64;
  std::vector<int64_t> shape;  // 1 or 2 dimensions.
  size_t data_offset = 0;      // Byte offset of the array data.
};

// Parses and checks the header of `bytes` (magic, version, the 'descr',
// 'fortran_order' and 'shape' fields, and that the data length matches the
// shape exactly). InvalidArgument naming `source` and the field at fault.
absl::StatusOr<NpyHeader> ParseNpyHeader(absl::string_view bytes,
                                         absl::string_view source = "<npy>");

// ParseNpyHeader for the first bytes of a file of `file_size` bytes: `bytes`
// must hold the whole header; the data length is checked against the file.
absl::StatusOr<NpyHeader> ParseNpyFileHeader(absl::string_view bytes,
                                             uint64_t file_size,
                                             absl::string_view source);

// Parses a whole .npy file into a matrix (integers convert to double; int64
// values beyond 2^53 round). Never crashes; allocates only after checking
// that the input holds all the data the header declares.
absl::StatusOr<Matrix> ParseNpy(absl::string_view bytes,
                                absl::string_view source = "<npy>");
absl::StatusOr<Matrix> ReadNpy(const std::string& path);

// Parses a 1-D (or n x 1) array of labels. Integer dtypes must fit int32;
// float values must be integers in int32 range.
absl::StatusOr<LabelVector> ParseNpyLabels(absl::string_view bytes,
                                           absl::string_view source = "<npy>");
absl::StatusOr<LabelVector> ReadNpyLabels(const std::string& path);

// Encodes `x` as a 2-D '<f8' C-order array, format version 1.0.
std::string EncodeNpy(const ConstMatrixRef& x);
absl::Status WriteNpy(const std::string& path, const ConstMatrixRef& x);

// Encodes `labels` as a 1-D '<i4' array, format version 1.0.
std::string EncodeNpyLabels(const ConstLabelRef& labels);
absl::Status WriteNpyLabels(const std::string& path,
                            const ConstLabelRef& labels);

}  // namespace eclipsera::io

#endif  // ECLIPSERA_IO_NPY_H_
