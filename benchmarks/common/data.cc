#include "benchmarks/common/data.h"

#include <cmath>
#include <vector>

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

Matrix Moons(Index n, double noise, uint64_t seed) {
  Random r(seed);
  const Index n_out = n / 2, n_in = n - n_out;
  const double pi = std::acos(-1.0);
  Matrix points(n, 2);
  for (Index i = 0; i < n_out; ++i) {
    const double a = n_out > 1 ? pi * i / (n_out - 1) : 0.0;
    points(i, 0) = std::cos(a);
    points(i, 1) = std::sin(a);
  }
  for (Index i = 0; i < n_in; ++i) {
    const double a = n_in > 1 ? pi * i / (n_in - 1) : 0.0;
    points(n_out + i, 0) = 1.0 - std::cos(a);
    points(n_out + i, 1) = 1.0 - std::sin(a) - 0.5;
  }
  const std::vector<int64_t> order = r.SampleIndices(n, n);
  Matrix x(n, 2);
  for (Index i = 0; i < n; ++i) {
    x(i, 0) = points(order[i], 0) + noise * r.Normal();
    x(i, 1) = points(order[i], 1) + noise * r.Normal();
  }
  return x;
}

}  // namespace eclipsera::bench
