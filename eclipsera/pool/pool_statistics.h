// Pool statistics: a plain snapshot of a pool's counters (objects created,
// hits, misses, resets...), a human-readable report, and merging across
// pools.
#ifndef ECLIPSERA_POOL_POOL_STATISTICS_H_
#define ECLIPSERA_POOL_POOL_STATISTICS_H_

#include <cstdint>
#include <string>

namespace eclipsera::pool {

// A snapshot of a pool's counters. Pools keep their live counters with
// relaxed atomics (or under their lock) and copy them into this struct on
// request, so statistics are always on and cost a few plain adds.
//
// Invariants for a quiescent pool: acquisitions == hits + misses;
// in_use == acquisitions - releases; objects_created >= misses (pre-created
// objects count as created, not as misses).
struct PoolStatistics {
  int64_t objects_created = 0;    // Objects (or buffers) made by the pool.
  int64_t objects_destroyed = 0;  // Destroyed before the pool itself.
  int64_t acquisitions = 0;       // Successful Acquire/TryAcquire calls.
  int64_t hits = 0;               // Acquisitions served by an idle object.
  int64_t misses = 0;             // Acquisitions that had to create one.
  int64_t releases = 0;           // Objects given back (handles destroyed).
  int64_t resets = 0;             // Reset steps run (array pool: zero fills).
  int64_t growth_events = 0;      // Objects created beyond the capacity.
  int64_t exhausted = 0;          // TryAcquire calls refused at the limit.
  int64_t overflows = 0;          // Acquire calls served by a transient
                                  // object because the pool was at its limit.
  int64_t in_use = 0;             // Acquired and not yet released.
  int64_t peak_in_use = 0;        // Highest in_use seen (after Merge: the
                                  // sum of the peaks, an upper bound).

  // hits / acquisitions, in [0, 1]; 0 when nothing was acquired.
  double hit_rate() const;

  // Adds `other`'s counters into this one (peaks are summed, see above).
  PoolStatistics& Merge(const PoolStatistics& other);

  // Returns a multi-line report in the style of the roadmap's section 3.2:
  //   Pool Statistics:
  //     Allocations: 4
  //     Hit rate: 99.6%
  //     Resets: 996
  //     ...
  // "Allocations" is objects_created.
  std::string Report() const;
};

// Returns a + b (see PoolStatistics::Merge).
PoolStatistics Merge(const PoolStatistics& a, const PoolStatistics& b);

bool operator==(const PoolStatistics& a, const PoolStatistics& b);
inline bool operator!=(const PoolStatistics& a, const PoolStatistics& b) {
  return !(a == b);
}

}  // namespace eclipsera::pool

#endif  // ECLIPSERA_POOL_POOL_STATISTICS_H_
