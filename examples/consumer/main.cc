// Uses Eclipsera's seeded random source and parallel-for from another
// workspace; prints a checksum that is the same for any thread count.
#include <cstdio>
#include <vector>

#include "eclipsera/core/parallel.h"
#include "eclipsera/core/random.h"

int main() {
  const eclipsera::Index n = 1 << 16, chunk = 4096;
  std::vector<double> partial(eclipsera::NumChunks(n, chunk));
  eclipsera::Random root(42);
  eclipsera::ParallelForChunks(
      -1, n, chunk, [&](eclipsera::Index b, eclipsera::Index e, int) {
        eclipsera::Random r = root.Fork(static_cast<uint64_t>(b / chunk));
        double s = 0.0;
        for (eclipsera::Index i = b; i < e; ++i) s += r.Uniform();
        partial[b / chunk] = s;
      });
  double total = 0.0;
  for (double p : partial) total += p;
  std::printf("consumer: mean of %lld uniforms = %.6f\n",
              static_cast<long long>(n), total / n);
  return (total / n > 0.49 && total / n < 0.51) ? 0 : 1;
}
