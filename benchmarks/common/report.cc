// Measurement, table printing and scikit-learn runs for benchmark tables.
#include "benchmarks/common/report.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "eclipsera/testing/alloc_counter.h"

namespace eclipsera::bench {
namespace {

bool table_smoke_mode = false;
uint64_t data_seed = 0;

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

void ParseFlags(int argc, char** argv) {
  if (const char* env = std::getenv("ECLIPSERA_BENCH_SEED")) {
    data_seed = std::strtoull(env, nullptr, 10);
  }
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--eclipsera_smoke") == 0) {
      table_smoke_mode = true;
    } else if (std::strncmp(argv[i], "--seed=", 7) == 0) {
      data_seed = std::strtoull(argv[i] + 7, nullptr, 10);
    }
  }
}

uint64_t DataSeed() { return data_seed; }

bool TableSmokeMode() { return table_smoke_mode; }

Measurement Measure(const std::string& config, int repeats,
                    const std::function<void()>& fn, bool warmup) {
  Measurement m;
  m.config = config;
  if (warmup) fn();
  {
    testing::AllocationCounter counter;
    const auto start = std::chrono::steady_clock::now();
    fn();
    const std::chrono::duration<double> d =
        std::chrono::steady_clock::now() - start;
    m.allocations = counter.allocations();
    m.peak_mb = static_cast<double>(counter.peak_bytes()) / (1024.0 * 1024.0);
    m.seconds = d.count();
  }
  std::vector<double> times = {m.seconds};
  for (int r = 1; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    const std::chrono::duration<double> d =
        std::chrono::steady_clock::now() - start;
    times.push_back(d.count());
  }
  std::sort(times.begin(), times.end());
  m.seconds = times[times.size() / 2];
  return m;
}

void PrintTable(const std::string& title,
                const std::vector<Measurement>& rows) {
  std::printf("\n### %s\n\n", title.c_str());
  std::printf(
      "| Configuration | Time (s) | Speedup | Peak Memory (MB) | "
      "Allocations |\n");
  std::printf("|---|---|---|---|---|\n");
  const double base = rows.empty() ? 0.0 : rows.front().seconds;
  for (const Measurement& r : rows) {
    std::string time =
        r.seconds > 0 ? absl::StrFormat("%.4f", r.seconds) : std::string("n/a");
    std::string speedup = (r.seconds > 0 && base > 0)
                              ? absl::StrFormat("%.2fx", base / r.seconds)
                              : std::string("n/a");
    // Peak memory is shown when measured: always for our rows (heap
    // counter), for scikit-learn's when its script reported one.
    std::string mem = (r.allocations >= 0 || r.peak_mb > 0)
                          ? absl::StrFormat("%.1f", r.peak_mb)
                          : std::string("n/a");
    std::string allocs =
        r.allocations >= 0 ? absl::StrCat(r.allocations) : std::string("n/a");
    std::printf("| %s%s | %s | %s | %s | %s |\n", r.config.c_str(),
                r.note.empty() ? "" : (" (" + r.note + ")").c_str(),
                time.c_str(), speedup.c_str(), mem.c_str(), allocs.c_str());
  }
  std::fflush(stdout);
}

std::string WriteTempNpy(const Matrix& x, const std::string& name) {
  char dir_template[] = "/tmp/eclipsera_bench_XXXXXX";
  const char* dir = mkdtemp(dir_template);
  const std::string path = absl::StrCat(dir ? dir : "/tmp", "/", name);
  std::string header =
      absl::StrCat("{'descr': '<f8', 'fortran_order': False, 'shape': (",
                   x.rows(), ", ", x.cols(), "), }");
  // Magic (6) + version (2) + length (2) + header + newline, padded to 64.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xff),
                             static_cast<char>(len >> 8)};
  out.write(len_bytes, 2);
  out.write(header.data(), header.size());
  out.write(reinterpret_cast<const char*>(x.data()),
            static_cast<std::streamsize>(x.size() * sizeof(double)));
  return path;
}

bool SklearnAvailable() {
  static const bool available =
      std::system("/usr/bin/python3 -c 'import sklearn' >/dev/null 2>&1") == 0;
  return available;
}

absl::StatusOr<std::map<std::string, double>> RunPython(
    const std::string& script, const std::vector<std::string>& args) {
  if (!SklearnAvailable()) {
    return absl::UnavailableError(
        "/usr/bin/python3 with scikit-learn is not installed "
        "(apt-get install python3-sklearn)");
  }
  std::string cmd = "/usr/bin/python3 " + ShellQuote(script);
  for (const std::string& a : args) cmd += " " + ShellQuote(a);
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError("popen failed: " + cmd);
  std::string output;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    output.append(buf.data(), n);
  }
  const int rc = pclose(pipe);
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat("python failed (", rc, "): ", cmd, "\n", output));
  }
  std::vector<absl::string_view> lines =
      absl::StrSplit(output, '\n', absl::SkipWhitespace());
  if (lines.empty()) return absl::InternalError("python printed nothing");
  absl::string_view last = absl::StripAsciiWhitespace(lines.back());
  absl::ConsumePrefix(&last, "{");
  absl::ConsumeSuffix(&last, "}");
  std::map<std::string, double> values;
  for (absl::string_view item : absl::StrSplit(last, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(item, absl::MaxSplits(':', 1));
    absl::string_view key = absl::StripAsciiWhitespace(kv.first);
    absl::ConsumePrefix(&key, "\"");
    absl::ConsumeSuffix(&key, "\"");
    double v;
    if (absl::SimpleAtod(absl::StripAsciiWhitespace(kv.second), &v)) {
      values[std::string(key)] = v;
    }
  }
  return values;
}

std::string Runfile(const std::string& workspace_relative_path) {
  // `bazel run` starts binaries in <runfiles>/<workspace>; a directly
  // executed binary finds its runfiles next to itself.
  if (access(workspace_relative_path.c_str(), R_OK) == 0) {
    return workspace_relative_path;
  }
  if (const char* dir = std::getenv("RUNFILES_DIR")) {
    return absl::StrCat(dir, "/eclipsera/", workspace_relative_path);
  }
  return workspace_relative_path;
}

}  // namespace eclipsera::bench
