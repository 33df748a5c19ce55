// Shared main() for Eclipsera's Google Benchmark binaries.
#ifndef ECLIPSERA_BENCHMARKS_COMMON_BENCHMARK_MAIN_H_
#define ECLIPSERA_BENCHMARKS_COMMON_BENCHMARK_MAIN_H_

namespace eclipsera::bench {

// True when the binary runs as a smoke test (--eclipsera_smoke): benchmarks
// then register tiny sizes so CI only checks that they run.
bool SmokeMode();

}  // namespace eclipsera::bench

#endif  // ECLIPSERA_BENCHMARKS_COMMON_BENCHMARK_MAIN_H_
