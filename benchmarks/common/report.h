// Helpers for the roadmap tables printed by `bazel run //benchmarks:all`:
// measuring time, heap allocations and peak heap memory of a callable,
// printing markdown tables, and running the scikit-learn side of a
// side-by-side comparison on the same data.
#ifndef ECLIPSERA_BENCHMARKS_COMMON_REPORT_H_
#define ECLIPSERA_BENCHMARKS_COMMON_REPORT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::bench {

// One row of a roadmap table.
struct Measurement {
  std::string config;
  double seconds = 0.0;     // median wall time of the repeats
  double peak_mb = 0.0;     // peak live heap above the starting point
  int64_t allocations = 0;  // heap allocations per call
  std::string note;         // free text (e.g. "sklearn 1.2.1")
};

// Runs fn `repeats` times (after one untimed warm-up run when warmup is
// true); reports the median wall time, and the allocations and peak heap of
// one run (counted by //eclipsera/testing:alloc_counter).
Measurement Measure(const std::string& config, int repeats,
                    const std::function<void()>& fn, bool warmup = true);

// Prints a markdown table in the roadmap's format; speedup is relative to
// the first row. Rows with seconds <= 0 are printed as "n/a".
void PrintTable(const std::string& title, const std::vector<Measurement>& rows);

// Writes x as a float64 .npy file in a fresh temporary directory; returns
// its path.
std::string WriteTempNpy(const Matrix& x, const std::string& name);

// Runs `/usr/bin/python3 script args...` and parses the last stdout line,
// a flat JSON object of numbers ({"seconds": 1.5, "inertia": 3.2}).
// Unavailable when /usr/bin/python3 or scikit-learn is missing.
absl::StatusOr<std::map<std::string, double>> RunPython(
    const std::string& script, const std::vector<std::string>& args);

// True when /usr/bin/python3 can import sklearn.
bool SklearnAvailable();

// Path of a data file of this repository inside the runfiles tree
// (e.g. "benchmarks/cluster/kmeans_sklearn.py").
std::string Runfile(const std::string& workspace_relative_path);

// Handles --eclipsera_smoke and --seed=N (or the ECLIPSERA_BENCH_SEED
// environment variable) for table binaries; call first in main().
void ParseFlags(int argc, char** argv);
bool TableSmokeMode();
// Added to the seeds of the end-to-end rows' generated data (default 0),
// so their ratios can be checked on data nobody tuned for.
uint64_t DataSeed();

}  // namespace eclipsera::bench

#endif  // ECLIPSERA_BENCHMARKS_COMMON_REPORT_H_
