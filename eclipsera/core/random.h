// A seeded random source whose output is identical across runs, platforms,
// compilers and thread counts for the same seed.
//
// The generator is xoshiro256++ seeded through SplitMix64; every
// distribution is implemented here (the standard library's distributions
// differ between implementations). Parallel code never shares a generator:
// it derives one stream per task with `Fork(task_index)`, so results do not
// depend on which thread ran which task.
#ifndef ECLIPSERA_CORE_RANDOM_H_
#define ECLIPSERA_CORE_RANDOM_H_

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/types/span.h"

namespace eclipsera {

class Random {
 public:
  explicit Random(uint64_t seed);

  // A seed from `random_state`, or from the OS when it is None (scikit-
  // learn's random_state=None: a different result every run).
  static Random FromRandomState(std::optional<int64_t> random_state);

  // Uniform 64-bit integer.
  uint64_t NextU64();
  // Uniform in [0, 1) with 53 random bits.
  double Uniform();
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n); n >= 1. Unbiased (Lemire's method).
  uint64_t UniformInt(uint64_t n);
  // Standard normal (Marsaglia polar method).
  double Normal();

  // An independent generator for sub-task `stream`, derived from this one's
  // seed only (not from how many numbers were drawn).
  Random Fork(uint64_t stream) const;

  // Fisher-Yates shuffle.
  template <class T>
  void Shuffle(absl::Span<T> values) {
    for (size_t i = values.size(); i > 1; --i) {
      const size_t j = static_cast<size_t>(UniformInt(i));
      std::swap(values[i - 1], values[j]);
    }
  }

  // k distinct indices drawn uniformly from [0, n), in draw order (a
  // partial Fisher-Yates shuffle of 0..n-1: k draws). Requires k <= n.
  // Allocates the n-entry permutation.
  std::vector<int64_t> SampleIndices(int64_t n, int64_t k);

  uint64_t seed() const { return seed_; }

 private:
  uint64_t seed_;
  uint64_t s_[4];
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

}  // namespace eclipsera

#endif  // ECLIPSERA_CORE_RANDOM_H_
