// Whole-file reading and writing with absl::Status errors.
#ifndef ECLIPSERA_IO_FILE_H_
#define ECLIPSERA_IO_FILE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace eclipsera::io {

// Returns the bytes of the file at `path`. NotFound when it does not exist,
// PermissionDenied when it cannot be opened, InvalidArgument when it is a
// directory, Unavailable on other read errors. Messages start with the path.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// Writes `content` to `path` atomically, replacing the file: the bytes go to
// a new temporary file `.NAME.tmpXXXXXXXX` in the same directory, which is
// flushed to disk (fsync), closed and only then renamed over `path`. On any
// failure the temporary file is removed and an existing file at `path` is
// left untouched. A symbolic link is written through (the file it points to
// is replaced); an existing file keeps its permission bits. An existing
// target that is not a regular file (/dev/null, a FIFO) is written in place,
// as it cannot be replaced. Errors name `path`. Every writer of the library
// (CSV, .npy, SVG) goes through this function.
absl::Status WriteStringToFile(const std::string& path,
                               absl::string_view content);

// Checks, before any work is done, that WriteStringToFile(path, ...) can
// succeed and is wanted: the directory of `path` exists and is writable,
// `path` is not a directory, and it is not the same file as any existing one
// of `inputs` (compared by device and inode, so a hard link, a symbolic link
// or another spelling such as "dir/./x.csv" is caught). NotFound,
// PermissionDenied or InvalidArgument otherwise; messages start with `path`
// and say what is wrong.
absl::Status CheckOutputPath(const std::string& path,
                             const std::vector<std::string>& inputs = {});

// Whether `a` and `b` name the same file: the same device and inode when
// both exist, else the same directory (device and inode) and file name.
bool SamePath(const std::string& a, const std::string& b);

// The lower-cased extension of `path` including the dot (".csv"), or "".
std::string FileExtension(absl::string_view path);

}  // namespace eclipsera::io

#endif  // ECLIPSERA_IO_FILE_H_
