#include "benchmarks/common/data.h"

#include "eclipsera/core/random.h"

namespace eclipsera::bench {

Matrix Blobs(Index n, Index d, Index k, uint64_t seed) {
  Random r(seed);
  Matrix centers(k, d);
  for (Index i = 0; i < centers.size(); ++i) {
    centers.data()[i] = r.Uniform(-10, 10);
  }
  Matrix x(n, d);
  for (Index i = 0; i < n; ++i) {
    const Index c = static_cast<Index>(r.UniformInt(k));
    for (Index j = 0; j < d; ++j) x(i, j) = centers(c, j) + r.Normal();
  }
  return x;
}

Matrix Uniform(Index n, Index d, uint64_t seed) {
  Random r(seed);
  Matrix x(n, d);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = r.Uniform();
  return x;
}

}  // namespace eclipsera::bench
