// Whole-file reading and writing with absl::Status errors.
#ifndef ECLIPSERA_IO_FILE_H_
#define ECLIPSERA_IO_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace eclipsera::io {

// Returns the bytes of the file at `path`. NotFound when it does not exist,
// PermissionDenied when it cannot be opened, InvalidArgument when it is a
// directory, Unavailable on other read errors. Messages start with the path.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// Writes `content` to `path`, replacing the file. Errors name the path.
absl::Status WriteStringToFile(const std::string& path,
                               absl::string_view content);

// The lower-cased extension of `path` including the dot (".csv"), or "".
std::string FileExtension(absl::string_view path);

}  // namespace eclipsera::io

#endif  // ECLIPSERA_IO_FILE_H_
