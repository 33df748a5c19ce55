// Whole-file reading and writing with absl::Status errors.
#ifndef ECLIPSERA_IO_FILE_H_
#define ECLIPSERA_IO_FILE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace eclipsera::io {

// Returns the bytes of the file at `path`. NotFound when it does not exist,
// PermissionDenied when it cannot be opened, InvalidArgument when it is a
// directory, Unavailable on other read errors. Messages start with the path.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// A file opened for reading in pieces, for readers that place the data
// straight into its final buffer (the .npy reader: one copy, at disk speed,
// instead of the whole file in a string and then in the matrix).
class InputFile {
 public:
  // Same errors as ReadFileToString.
  static absl::StatusOr<InputFile> Open(const std::string& path);
  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&& other) noexcept;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile();

  // Whether it is a regular file (whose size() is known in advance).
  bool regular() const { return regular_; }
  // Size in bytes when regular().
  uint64_t size() const { return size_; }
  // Reads exactly `n` bytes at the current position into `dst`;
  // InvalidArgument naming the path when the file ends first (it shrank
  // while being read), Unavailable on a read error.
  absl::Status ReadExactly(char* dst, size_t n);
  // Reads up to `n` bytes; returns how many (0 at the end of the file).
  absl::StatusOr<size_t> ReadSome(char* dst, size_t n);

 private:
  InputFile(std::string path, int fd, bool regular, uint64_t size)
      : path_(std::move(path)), fd_(fd), regular_(regular), size_(size) {}
  std::string path_;
  int fd_ = -1;
  bool regular_ = false;
  uint64_t size_ = 0;
};

// Writes `content` to `path` atomically, replacing the file: the bytes go to
// a new temporary file in the same directory, which is flushed to disk
// (fsync), named `.NAME.tmpXXXXXXXX`, closed and only then renamed over
// `path`. Where the file system supports O_TMPFILE the temporary file has
// no name while it is written, so even a killed process leaves none behind.
// On any failure the temporary file is removed and an existing file at
// `path` is left untouched. A symbolic link is written through (the file it
// points to is replaced); an existing file keeps its permission bits. An
// existing target that is not a regular file (/dev/null, a FIFO) is written in
// place, as it cannot be replaced. Errors name `path`. Every writer of the
// library (CSV, .npy, SVG) goes through this function.
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
