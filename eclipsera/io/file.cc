// Whole-file reading and atomic writing.
#include "eclipsera/io/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

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
    case EROFS:
      return absl::PermissionDeniedError(msg);
    case EISDIR:
      return absl::InvalidArgumentError(msg);
    default:
      return absl::UnavailableError(msg);
  }
}

// The directory part of `path` ("." when it has none; "/" for "/x") and the
// name part.
void SplitPath(const std::string& path, std::string* dir, std::string* name) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) {
    *dir = ".";
    *name = path;
  } else {
    *dir = slash == 0 ? "/" : path.substr(0, slash);
    *name = path.substr(slash + 1);
  }
}

// `path` with symbolic links resolved when it is one that resolves;
// otherwise `path` itself.
std::string ResolveSymlink(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) return path;
  std::string resolved(real);
  std::free(real);
  return resolved;
}

// Writes all of `content` to `fd`; 0 or the errno of the failure.
int WriteAll(int fd, absl::string_view content) {
  size_t done = 0;
  while (done < content.size()) {
    const size_t chunk = std::min<size_t>(content.size() - done, 1 << 30);
    const ssize_t n = ::write(fd, content.data() + done, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    done += static_cast<size_t>(n);
  }
  return 0;
}

// For targets that cannot be replaced by a rename (devices, FIFOs).
absl::Status WriteInPlace(const std::string& path, absl::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, "open for writing", errno);
  int err = WriteAll(fd, content);
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) return ErrnoStatus(path, "write", err);
  return absl::OkStatus();
}

// A name suffix unlikely to exist already; collisions are retried.
std::string TempSuffix() {
  static std::atomic<uint64_t> counter{0};
  uint64_t x =
      static_cast<uint64_t>(::getpid()) * 0x9E3779B97F4A7C15ull ^
      static_cast<uint64_t>(
          std::chrono::steady_clock::now().time_since_epoch().count()) ^
      (counter.fetch_add(1) * 0xBF58476D1CE4E5B9ull);
  x ^= x >> 31;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 29;
  static constexpr char kDigits[] =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string s(8, '0');
  for (char& c : s) {
    c = kDigits[x % 62];
    x /= 62;
  }
  return s;
}

}  // namespace

absl::StatusOr<InputFile> InputFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, "open", errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus(path, "open", err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": is a directory, expected a data file"));
  }
  const bool regular = S_ISREG(st.st_mode);
  return InputFile(path, fd, regular,
                   regular ? static_cast<uint64_t>(st.st_size) : 0);
}

InputFile::InputFile(InputFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      regular_(other.regular_),
      size_(other.size_) {}

InputFile& InputFile::operator=(InputFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    regular_ = other.regular_;
    size_ = other.size_;
  }
  return *this;
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<size_t> InputFile::ReadSome(char* dst, size_t n) {
  for (;;) {
    // At most 1 GiB per call (Linux caps a read at about 2 GiB).
    const ssize_t got = ::read(fd_, dst, std::min<size_t>(n, size_t{1} << 30));
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR) return ErrnoStatus(path_, "read", errno);
  }
}

absl::Status InputFile::ReadExactly(char* dst, size_t n) {
  size_t done = 0;
  while (done < n) {
    absl::StatusOr<size_t> got = ReadSome(dst + done, n - done);
    if (!got.ok()) return got.status();
    if (*got == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path_, ": the file ended after ", done, " of ", n,
                       " expected bytes (was it changed while being read?)"));
    }
    done += *got;
  }
  return absl::OkStatus();
}

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
  // One allocation of the right size for regular files (the string would
  // otherwise grow by doubling, briefly holding up to three times the file).
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    content.reserve(static_cast<size_t>(st.st_size));
  }
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
  const std::string target = ResolveSymlink(path);
  struct stat st;
  const bool exists = ::stat(target.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": is a directory, cannot write a file there"));
  }
  if (exists && !S_ISREG(st.st_mode)) return WriteInPlace(path, content);

  std::string dir, name;
  SplitPath(target, &dir, &name);
  const std::string prefix = absl::StrCat(
      target.substr(0, target.size() - name.size()), ".", name, ".tmp");
  std::string temp;
  // Linux's O_TMPFILE: a file without a name until it is complete, so a
  // process killed while writing leaves nothing behind. It gets its name
  // (linked through /proc/self/fd) just before the rename. File systems
  // without O_TMPFILE, or no /proc (linkat fails), fall back to a named
  // temporary file, written again. 0666 and the umask, as fopen would
  // create the file.
  int err = 0;
  bool named = false;
#ifdef O_TMPFILE
  const int anonymous_fd =
      ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  if (anonymous_fd >= 0) {
    err = WriteAll(anonymous_fd, content);
    // Keep the permission bits of the file being replaced (best effort).
    if (err == 0 && exists) (void)::fchmod(anonymous_fd, st.st_mode & 07777);
    if (err == 0 && ::fsync(anonymous_fd) != 0) err = errno;
    const std::string self = absl::StrCat("/proc/self/fd/", anonymous_fd);
    for (int attempt = 0; err == 0 && attempt < 100 && !named; ++attempt) {
      temp = prefix + TempSuffix();
      if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, temp.c_str(),
                   AT_SYMLINK_FOLLOW) == 0) {
        named = true;
      } else if (errno != EEXIST) {
        break;  // no /proc, say: written again under a name below
      }
    }
    if (::close(anonymous_fd) != 0 && err == 0) err = errno;
    if (err != 0) {
      if (named) ::unlink(temp.c_str());
      return ErrnoStatus(path, "write", err);
    }
  }
#endif
  if (!named) {
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
      temp = prefix + TempSuffix();
      fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) return ErrnoStatus(path, "open for writing", errno);
    named = true;
    err = WriteAll(fd, content);
    if (err == 0 && exists) (void)::fchmod(fd, st.st_mode & 07777);
    if (err == 0 && ::fsync(fd) != 0) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
  }
  if (err == 0 && ::rename(temp.c_str(), target.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    return ErrnoStatus(path, "write", err);
  }
  // Make the rename itself durable (best effort: not every file system
  // supports fsync on a directory).
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

absl::Status CheckOutputPath(const std::string& path,
                             const std::vector<std::string>& inputs) {
  const std::string target = ResolveSymlink(path);
  std::string dir, name;
  SplitPath(target, &dir, &name);
  struct stat st;
  const bool exists = ::stat(target.c_str(), &st) == 0;
  if ((exists && S_ISDIR(st.st_mode)) || name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": is a directory, expected a file name"));
  }
  if (exists) {
    for (const std::string& input : inputs) {
      struct stat in;
      if (::stat(input.c_str(), &in) == 0 && in.st_dev == st.st_dev &&
          in.st_ino == st.st_ino) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": is the same file as the input '", input,
            "'; refusing to overwrite it, choose another output path"));
      }
    }
    if (!S_ISREG(st.st_mode)) {
      // A device or FIFO, written in place: it must be writable itself.
      if (::access(target.c_str(), W_OK) != 0) {
        return ErrnoStatus(path, "write", errno);
      }
      return absl::OkStatus();
    }
    // A read-only file is not replaced behind its owner's back (a plain
    // truncating write would have been refused too).
    if (::access(target.c_str(), W_OK) != 0) {
      const int err = errno;
      return absl::PermissionDeniedError(
          absl::StrCat(path,
                       ": cannot write: the existing file is not "
                       "writable: ",
                       std::strerror(err)));
    }
  }
  struct stat dst;
  if (::stat(dir.c_str(), &dst) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return absl::NotFoundError(absl::StrCat(
          path, ": cannot write: directory '", dir, "' does not exist"));
    }
    return ErrnoStatus(path, absl::StrCat("use directory '", dir, "'"), err);
  }
  if (!S_ISDIR(dst.st_mode)) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot write: '", dir, "' is not a directory"));
  }
  // The temporary file is created in `dir`, so it must be writable even when
  // `path` exists. (access() also reports read-only file systems, for root
  // too.)
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    const int err = errno;
    return absl::PermissionDeniedError(
        absl::StrCat(path, ": cannot write: directory '", dir,
                     "' is not writable: ", std::strerror(err)));
  }
  // access() says yes for directories where files cannot be created
  // (/proc, /sys, some network and FUSE mounts): create and remove a probe
  // file the way the writer will create its temporary file.
  // The temporary file's name, .NAME.tmpXXXXXXXX, must fit NAME_MAX too.
  if (name.size() + 13 > NAME_MAX) {
    return ErrnoStatus(path, "write", ENAMETOOLONG);
  }
  // (An unnamed O_TMPFILE probe where supported: nothing to clean up.)
#ifdef O_TMPFILE
  const int anonymous =
      ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (anonymous >= 0) {
    ::close(anonymous);
    return absl::OkStatus();
  }
#endif
  std::string probe = absl::StrCat(dir, "/.", name, ".probeXXXXXX");
  const int fd = ::mkstemp(probe.data());
  if (fd < 0) {
    const int err = errno;
    return absl::PermissionDeniedError(
        absl::StrCat(path, ": cannot write: cannot create files in directory '",
                     dir, "': ", std::strerror(err)));
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return absl::OkStatus();
}

bool SamePath(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  const bool a_exists = ::stat(a.c_str(), &sa) == 0;
  const bool b_exists = ::stat(b.c_str(), &sb) == 0;
  if (a_exists || b_exists) {
    return a_exists && b_exists && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
  }
  std::string dir_a, name_a, dir_b, name_b;
  SplitPath(ResolveSymlink(a), &dir_a, &name_a);
  SplitPath(ResolveSymlink(b), &dir_b, &name_b);
  return name_a == name_b && ::stat(dir_a.c_str(), &sa) == 0 &&
         ::stat(dir_b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
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
