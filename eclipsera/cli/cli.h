// The `eclipsera` command line: list algorithms, describe their parameters,
// fit one on a CSV or .npy file and report the result as one JSON line.
//
//   eclipsera list
//   eclipsera help ALGO
//   eclipsera ALGO --input X.(csv|npy) [--output OUT.(csv|npy)]
//                  [--param=value ...] [--verbose=V]
#ifndef ECLIPSERA_CLI_CLI_H_
#define ECLIPSERA_CLI_CLI_H_

#include <ostream>
#include <string>
#include <vector>

#include "eclipsera/core/registry.h"

namespace eclipsera::cli {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // Bad data, failed fit, I/O errors.
inline constexpr int kExitUsage = 2;    // Bad command line.

// Runs the command `argv[1..argc)` (argv[0] is the program name) against
// `registry`. Results go to `out` (for a fit: exactly one JSON line with the
// fitted scalars, "algorithm", "n_samples", "n_features", "fit_seconds",
// "warnings" (the fit's warnings, a list of strings, [] when none) and, for
// label outputs, "n_clusters_found" and "n_noise"); errors, warnings
// ("eclipsera: warning: ...") and --verbose progress go to `err`. Returns
// the process exit code. Never throws or aborts on bad input.
//
// --output and --plot are checked before the input is read or anything is
// fitted (directory exists and is writable, not a directory, not the input
// or --labels file by device and inode) and written atomically: a failed
// write leaves an existing file untouched.
int RunCli(int argc, const char* const* argv, const EstimatorRegistry& registry,
           std::ostream& out, std::ostream& err);

// Convenience for tests: `args` excludes the program name.
int RunCli(const std::vector<std::string>& args,
           const EstimatorRegistry& registry, std::ostream& out,
           std::ostream& err);

}  // namespace eclipsera::cli

#endif  // ECLIPSERA_CLI_CLI_H_
