// Overhead of the process thread pool's parallel-for.
#include <vector>

#include "benchmark/benchmark.h"
#include "benchmarks/common/benchmark_main.h"
#include "eclipsera/core/parallel.h"

namespace eclipsera {
namespace {

void BM_ParallelForChunksSum(benchmark::State& state) {
  const Index n = bench::SmokeMode() ? 1000 : state.range(0);
  const int n_jobs = static_cast<int>(state.range(1));
  std::vector<double> v(n, 1.0);
  const Index chunk = 4096;
  std::vector<double> partial(NumChunks(n, chunk));
  for (auto _ : state) {
    ParallelForChunks(n_jobs, n, chunk, [&](Index b, Index e, int) {
      double s = 0.0;
      for (Index i = b; i < e; ++i) s += v[i];
      partial[b / chunk] = s;
    });
    benchmark::DoNotOptimize(partial.data());
  }
  state.SetBytesProcessed(state.iterations() * n * sizeof(double));
}
BENCHMARK(BM_ParallelForChunksSum)
    ->ArgNames({"n", "n_jobs"})
    ->Args({1 << 20, 1})
    ->Args({1 << 20, 2})
    ->UseRealTime();

}  // namespace
}  // namespace eclipsera
