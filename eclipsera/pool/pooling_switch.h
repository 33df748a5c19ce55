// The pooling opt-out: ECLIPSERA_DISABLE_POOLING=1 in the environment (or a
// programmatic override, for tests) makes every pool constructed afterwards
// hand out fresh objects and destroy them on release.
#ifndef ECLIPSERA_POOL_POOLING_SWITCH_H_
#define ECLIPSERA_POOL_POOLING_SWITCH_H_

#include <optional>

namespace eclipsera::pool {

// Name of the environment variable that disables pooling.
inline constexpr char kDisablePoolingEnvVar[] = "ECLIPSERA_DISABLE_POOLING";

// Returns true when pools constructed now must not reuse objects: the
// programmatic override if one is set, else the environment variable
// ECLIPSERA_DISABLE_POOLING ("1", "true", "yes" or "on", any case, disable;
// unset, empty, "0" or anything else keeps pooling on).
//
// Every pool (Pool, SharedPool, ThreadLocalPool, ArrayPool) calls this once,
// in its constructor, and keeps the answer for its whole life: flipping the
// switch never changes a live pool's behaviour mid-way. A disabled pool
// still honours capacities and limits and still counts statistics (every
// acquisition is a miss). Thread-safe.
bool PoolingDisabled();

// Forces PoolingDisabled() to return `disabled` (nullopt: back to reading
// the environment). Process-wide; for tests and benchmarks. Thread-safe.
void SetPoolingDisabledOverride(std::optional<bool> disabled);

// Sets the override for its lifetime and restores the previous one after.
class ScopedPoolingDisabled {
 public:
  explicit ScopedPoolingDisabled(bool disabled);
  ~ScopedPoolingDisabled();
  ScopedPoolingDisabled(const ScopedPoolingDisabled&) = delete;
  ScopedPoolingDisabled& operator=(const ScopedPoolingDisabled&) = delete;

 private:
  int previous_;
};

}  // namespace eclipsera::pool

#endif  // ECLIPSERA_POOL_POOLING_SWITCH_H_
