#include "eclipsera/io/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include "eclipsera/core/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eclipsera::io {
namespace {

using ::eclipsera::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A fresh empty directory under the test's temporary directory.
std::string MakeDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

// The names in `dir` other than "." and "..", sorted.
std::vector<std::string> List(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// Runs `write` with the file size limit (RLIMIT_FSIZE) at `limit` bytes, so
// that writes beyond it fail with EFBIG -- for root too. SIGXFSZ is ignored
// meanwhile; nothing may print while the limit holds (stdout may be a file).
template <typename F>
absl::Status WithFileSizeLimit(rlim_t limit, F write) {
  struct rlimit old;
  if (::getrlimit(RLIMIT_FSIZE, &old) != 0) {
    return absl::InternalError("getrlimit failed");
  }
  struct rlimit low = old;
  low.rlim_cur = limit;
  void (*old_handler)(int) = std::signal(SIGXFSZ, SIG_IGN);
  if (::setrlimit(RLIMIT_FSIZE, &low) != 0) {
    std::signal(SIGXFSZ, old_handler);
    return absl::InternalError("setrlimit failed");
  }
  const absl::Status s = write();
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  return s;
}

TEST(FileTest, WritesReplacesAndLeavesNoTemporaryFile) {
  const std::string dir = MakeDir("write");
  const std::string path = dir + "/a.csv";
  ECLIPSERA_ASSERT_OK(WriteStringToFile(path, "first\n"));
  EXPECT_EQ(*ReadFileToString(path), "first\n");
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  ECLIPSERA_ASSERT_OK(WriteStringToFile(path, "second, longer\n"));
  EXPECT_EQ(*ReadFileToString(path), "second, longer\n");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);  // Permission bits kept.
  ECLIPSERA_ASSERT_OK(WriteStringToFile(path, ""));
  EXPECT_EQ(*ReadFileToString(path), "");
  EXPECT_THAT(List(dir), ElementsAre("a.csv"));
  // A relative name (directory ".") works too.
  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof(cwd)), nullptr);
  ASSERT_EQ(::chdir(dir.c_str()), 0);
  const absl::Status rel = WriteStringToFile("rel.csv", "r\n");
  ASSERT_EQ(::chdir(cwd), 0);
  ECLIPSERA_ASSERT_OK(rel);
  EXPECT_EQ(*ReadFileToString(dir + "/rel.csv"), "r\n");
  EXPECT_THAT(List(dir), ElementsAre("a.csv", "rel.csv"));
}

TEST(FileTest, FailedWriteLeavesExistingFileUntouched) {
  const std::string dir = MakeDir("fail");
  const std::string path = dir + "/keep.csv";
  ECLIPSERA_ASSERT_OK(WriteStringToFile(path, "precious\n"));
  const std::string big(100000, 'x');
  const absl::Status s =
      WithFileSizeLimit(1000, [&] { return WriteStringToFile(path, big); });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable,
                          HasSubstr(path + ": cannot write: File too large")));
  EXPECT_EQ(*ReadFileToString(path), "precious\n");
  EXPECT_THAT(List(dir), ElementsAre("keep.csv"));  // Temporary file removed.
  // A new file is not created either.
  const absl::Status s2 = WithFileSizeLimit(
      1000, [&] { return WriteStringToFile(dir + "/new.csv", big); });
  EXPECT_FALSE(s2.ok());
  EXPECT_THAT(List(dir), ElementsAre("keep.csv"));
}

// A process killed in the middle of a write (here by SIGXFSZ, the default
// action when the file size limit is exceeded) leaves the existing file
// intact and, on file systems with O_TMPFILE (the test's tmpfs or ext4), no
// temporary file: it had no name yet.
TEST(FileTest, KilledWriterLeavesNoTemporaryFile) {
  const std::string dir = MakeDir("killed");
#ifdef O_TMPFILE
  const int probe = ::open(dir.c_str(), O_TMPFILE | O_WRONLY, 0600);
  if (probe < 0) GTEST_SKIP() << "no O_TMPFILE in " << dir;
  ::close(probe);
#else
  GTEST_SKIP() << "no O_TMPFILE";
#endif
  const std::string path = dir + "/keep.csv";
  ECLIPSERA_ASSERT_OK(WriteStringToFile(path, "precious\n"));
  const std::string big(1 << 20, 'x');
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_DFL);
    struct rlimit no_core = {0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);  // SIGXFSZ would dump core
    struct rlimit low;
    ::getrlimit(RLIMIT_FSIZE, &low);
    low.rlim_cur = 4096;
    ::setrlimit(RLIMIT_FSIZE, &low);
    (void)WriteStringToFile(path, big);
    ::_exit(0);  // Not reached: the write beyond the limit kills it.
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGXFSZ);
  EXPECT_EQ(*ReadFileToString(path), "precious\n");
  EXPECT_THAT(List(dir), ElementsAre("keep.csv"));
}

TEST(FileTest, WriteErrorsNameThePath) {
  EXPECT_THAT(WriteStringToFile("/nonexistent/dir/x.csv", "1\n"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("/nonexistent/dir/x.csv: cannot open")));
  const std::string dir = MakeDir("isdir");
  ASSERT_EQ(::mkdir((dir + "/sub.csv").c_str(), 0755), 0);
  EXPECT_THAT(WriteStringToFile(dir + "/sub.csv", "1\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sub.csv: is a directory")));
  EXPECT_THAT(List(dir), ElementsAre("sub.csv"));
}

TEST(FileTest, WritesThroughSymlinksAndIntoDevices) {
  const std::string dir = MakeDir("links");
  const std::string real = dir + "/real.csv";
  const std::string link = dir + "/link.csv";
  ECLIPSERA_ASSERT_OK(WriteStringToFile(real, "old\n"));
  ASSERT_EQ(::symlink("real.csv", link.c_str()), 0);
  ECLIPSERA_ASSERT_OK(WriteStringToFile(link, "new\n"));
  struct stat st;
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(*ReadFileToString(real), "new\n");
  EXPECT_THAT(List(dir), ElementsAre("link.csv", "real.csv"));
  // A device cannot be replaced by a rename: written in place.
  ECLIPSERA_ASSERT_OK(WriteStringToFile("/dev/null", "discarded\n"));
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_THAT(WriteStringToFile("/dev/full", "x"),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("/dev/full: cannot write: No space left")));
}

TEST(FileTest, CheckOutputPath) {
  const std::string dir = MakeDir("check");
  const std::string in = dir + "/in.csv";
  ECLIPSERA_ASSERT_OK(WriteStringToFile(in, "1,2\n"));
  ECLIPSERA_EXPECT_OK(CheckOutputPath(dir + "/out.csv", {in}));
  ECLIPSERA_EXPECT_OK(CheckOutputPath(in, {}));
  ECLIPSERA_EXPECT_OK(CheckOutputPath(in, {dir + "/missing.csv"}));
  // The input under any name: same path, another spelling, a hard link, a
  // symbolic link.
  ASSERT_EQ(::link(in.c_str(), (dir + "/hard.csv").c_str()), 0);
  ASSERT_EQ(::symlink("in.csv", (dir + "/soft.csv").c_str()), 0);
  for (const std::string& out :
       {in, dir + "/./in.csv", dir + "/../check/in.csv", dir + "/hard.csv",
        dir + "/soft.csv"}) {
    EXPECT_THAT(CheckOutputPath(out, {dir + "/other.csv", in}),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         out + ": is the same file as the input '" + in +
                             "'; refusing to overwrite it, choose another "
                             "output path"));
  }
  EXPECT_THAT(CheckOutputPath(dir + "/nodir/out.csv", {in}),
              StatusIs(absl::StatusCode::kNotFound,
                       dir + "/nodir/out.csv: cannot write: directory '" + dir +
                           "/nodir' does not exist"));
  EXPECT_THAT(CheckOutputPath(in + "/out.csv", {}),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("in.csv' is not a directory")));
  EXPECT_THAT(CheckOutputPath(dir, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       dir + ": is a directory, expected a file name"));
  EXPECT_THAT(CheckOutputPath(dir + "/", {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is a directory")));
  ECLIPSERA_EXPECT_OK(CheckOutputPath("/dev/null", {in}));
  // access() allows /proc for root, but no file can be created there: found
  // before the fit, not after it.
  EXPECT_THAT(CheckOutputPath("/proc/eclipsera_out.csv", {}),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("cannot create files in directory '/proc'")));
  // An existing read-only file is not replaced (root may write anything,
  // so only checked for other users).
  const std::string ro = dir + "/ro.csv";
  ECLIPSERA_ASSERT_OK(WriteStringToFile(ro, "1\n"));
  ASSERT_EQ(::chmod(ro.c_str(), 0444), 0);
  if (::geteuid() != 0) {
    EXPECT_THAT(CheckOutputPath(ro, {}),
                StatusIs(absl::StatusCode::kPermissionDenied,
                         HasSubstr("the existing file is not writable")));
  }
  ASSERT_EQ(::unlink(ro.c_str()), 0);
  // The probe files are gone.
  EXPECT_THAT(List(dir), ElementsAre("hard.csv", "in.csv", "soft.csv"));
}

// The temporary file's name (.NAME.tmpXXXXXXXX) must fit NAME_MAX: a name
// that leaves no room is refused before any work.
TEST(FileTest, CheckOutputPathRefusesNamesWithoutRoomForTheTemporary) {
  const std::string dir = MakeDir("long");
  EXPECT_THAT(CheckOutputPath(dir + "/" + std::string(250, 'a'), {}),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("File name too long")));
  ECLIPSERA_ASSERT_OK(CheckOutputPath(dir + "/" + std::string(240, 'a'), {}));
  ECLIPSERA_ASSERT_OK(
      WriteStringToFile(dir + "/" + std::string(240, 'a'), "1\n"));
}

TEST(FileTest, SamePath) {
  const std::string dir = MakeDir("same");
  const std::string a = dir + "/a.csv";
  EXPECT_TRUE(SamePath(a, dir + "/./a.csv"));  // Neither exists.
  EXPECT_FALSE(SamePath(a, dir + "/b.csv"));
  ECLIPSERA_ASSERT_OK(WriteStringToFile(a, "1\n"));
  EXPECT_TRUE(SamePath(a, dir + "/../same/a.csv"));
  EXPECT_FALSE(SamePath(a, dir + "/b.csv"));
  EXPECT_THAT(List(dir), ElementsAre("a.csv"));
}

TEST(FileTest, FileExtension) {
  EXPECT_EQ(FileExtension("x/Y.CSV"), ".csv");
  EXPECT_EQ(FileExtension("x.d/y"), "");
  EXPECT_EQ(FileExtension("noext"), "");
}

}  // namespace
}  // namespace eclipsera::io
