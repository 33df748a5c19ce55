// Synthetic data shared by the benchmark tables.
#ifndef ECLIPSERA_BENCHMARKS_COMMON_DATA_H_
#define ECLIPSERA_BENCHMARKS_COMMON_DATA_H_

#include <cstdint>

#include "eclipsera/core/matrix.h"

namespace eclipsera::bench {

// n points in d dimensions: Gaussian blobs (unit std) around k centers
// drawn uniformly from [-10, 10]^d, each point's center uniform over the k.
// The same seed gives the same matrix on every machine.
Matrix Blobs(Index n, Index d, Index k, uint64_t seed);

// n points uniform in [0, 1)^d; the same seed gives the same matrix.
Matrix Uniform(Index n, Index d, uint64_t seed);

// scikit-learn's make_moons: n 2-D points on two interleaving half
// circles (n / 2 on the outer one), Gaussian noise of std `noise`, rows
// shuffled; the same seed gives the same matrix.
Matrix Moons(Index n, double noise, uint64_t seed);

}  // namespace eclipsera::bench

#endif  // ECLIPSERA_BENCHMARKS_COMMON_DATA_H_
