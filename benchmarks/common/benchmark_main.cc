// main() for benchmark binaries: records the dispatched SIMD target and
// strips Eclipsera's own flags before Google Benchmark parses the rest.
//
// Benchmarks that depend on the smoke flag must register themselves from a
// function called here (see RegisterBenchmarks) rather than with static
// BENCHMARK macros, because sizes are chosen after flags are parsed.
#include "benchmarks/common/benchmark_main.h"

#include <cstring>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "hwy/targets.h"

namespace eclipsera::bench {
namespace {
bool smoke_mode = false;
}  // namespace

bool SmokeMode() { return smoke_mode; }

}  // namespace eclipsera::bench

int main(int argc, char** argv) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--eclipsera_smoke") == 0) {
      eclipsera::bench::smoke_mode = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(args.size());
  hwy::GetChosenTarget().Update(hwy::SupportedTargets());
  // Highway dispatches to the best compiled target the CPU supports; better
  // targets have lower bits.
  const int64_t targets = hwy::SupportedTargets() & HWY_TARGETS;
  benchmark::AddCustomContext("simd_target",
                              hwy::TargetName(targets & -targets));
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
