// Whole-file reading and writing.
#include "eclipsera/io/file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace eclipsera::io {
namespace {

absl::Status ErrnoStatus(const std::string& path, absl::string_view action,
                         int err) {
  const std::string msg =
      absl::StrCat(path, ": cannot ", action, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    case EISDIR:
      return absl::InvalidArgumentError(msg);
    default:
      return absl::UnavailableError(msg);
  }
}

}  // namespace

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(path, "open", errno);
  if (S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": is a directory, expected a data file"));
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return ErrnoStatus(path, "open", errno);
  std::string content;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) content.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) return ErrnoStatus(path, "read", err);
  return content;
}

absl::Status WriteStringToFile(const std::string& path,
                               absl::string_view content) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return ErrnoStatus(path, "open for writing", errno);
  const size_t written = std::fwrite(content.data(), 1, content.size(), f);
  int err = errno;
  bool failed = written != content.size();
  if (std::fclose(f) != 0 && !failed) {
    failed = true;
    err = errno;
  }
  if (failed) return ErrnoStatus(path, "write", err);
  return absl::OkStatus();
}

std::string FileExtension(absl::string_view path) {
  const size_t slash = path.find_last_of('/');
  const size_t dot = path.find_last_of('.');
  if (dot == absl::string_view::npos ||
      (slash != absl::string_view::npos && dot < slash)) {
    return "";
  }
  return absl::AsciiStrToLower(path.substr(dot));
}

}  // namespace eclipsera::io
