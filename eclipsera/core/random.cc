// xoshiro256++ with SplitMix64 seeding and portable distributions.
#include "eclipsera/core/random.h"

#include <cmath>
#include <numeric>
#include <random>
#include <utility>

namespace eclipsera {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Random::Random(uint64_t seed) : seed_(seed) {
  uint64_t state = seed;
  for (uint64_t& s : s_) s = SplitMix64(state);
}

Random Random::FromRandomState(std::optional<int64_t> random_state) {
  if (random_state.has_value()) {
    return Random(static_cast<uint64_t>(*random_state));
  }
  std::random_device rd;
  return Random((static_cast<uint64_t>(rd()) << 32) ^ rd());
}

uint64_t Random::NextU64() {
  const uint64_t result = Rotl(s_[0] + s_[3], 23) + s_[0];
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Random::Uniform() {
  return static_cast<double>(NextU64() >> 11) * 0x1.0p-53;
}

uint64_t Random::UniformInt(uint64_t n) {
  // Lemire: multiply-shift with rejection of the biased low range.
  unsigned __int128 m = static_cast<unsigned __int128>(NextU64()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(NextU64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

double Random::Normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  double u, v, s;
  do {
    u = 2.0 * Uniform() - 1.0;
    v = 2.0 * Uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double f = std::sqrt(-2.0 * std::log(s) / s);
  spare_normal_ = v * f;
  has_spare_normal_ = true;
  return u * f;
}

std::vector<int64_t> Random::SampleIndices(int64_t n, int64_t k) {
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), int64_t{0});
  for (int64_t j = 0; j < k; ++j) {
    const int64_t r = j + static_cast<int64_t>(UniformInt(n - j));
    std::swap(perm[j], perm[r]);
  }
  perm.resize(static_cast<size_t>(k));
  return perm;
}

Random Random::Fork(uint64_t stream) const {
  uint64_t state = seed_ ^ 0x5851f42d4c957f2dULL;
  const uint64_t a = SplitMix64(state);
  uint64_t mix = a ^ (stream * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
  return Random(SplitMix64(mix));
}

}  // namespace eclipsera
