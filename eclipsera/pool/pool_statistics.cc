// PoolStatistics arithmetic and report formatting.
#include "eclipsera/pool/pool_statistics.h"

#include <string>

#include "absl/strings/str_format.h"

namespace eclipsera::pool {

double PoolStatistics::hit_rate() const {
  if (acquisitions <= 0) return 0.0;
  return static_cast<double>(hits) / static_cast<double>(acquisitions);
}

PoolStatistics& PoolStatistics::Merge(const PoolStatistics& other) {
  objects_created += other.objects_created;
  objects_destroyed += other.objects_destroyed;
  acquisitions += other.acquisitions;
  hits += other.hits;
  misses += other.misses;
  releases += other.releases;
  resets += other.resets;
  growth_events += other.growth_events;
  exhausted += other.exhausted;
  overflows += other.overflows;
  in_use += other.in_use;
  peak_in_use += other.peak_in_use;
  return *this;
}

PoolStatistics Merge(const PoolStatistics& a, const PoolStatistics& b) {
  PoolStatistics out = a;
  out.Merge(b);
  return out;
}

std::string PoolStatistics::Report() const {
  return absl::StrFormat(
      "Pool Statistics:\n"
      "  Allocations: %d\n"
      "  Hit rate: %.1f%%\n"
      "  Resets: %d\n"
      "  Acquisitions: %d (hits %d, misses %d)\n"
      "  Releases: %d\n"
      "  Growth events: %d\n"
      "  Exhausted: %d, overflows: %d\n"
      "  In use: %d (peak %d)\n"
      "  Destroyed: %d\n",
      objects_created, 100.0 * hit_rate(), resets, acquisitions, hits, misses,
      releases, growth_events, exhausted, overflows, in_use, peak_in_use,
      objects_destroyed);
}

bool operator==(const PoolStatistics& a, const PoolStatistics& b) {
  return a.objects_created == b.objects_created &&
         a.objects_destroyed == b.objects_destroyed &&
         a.acquisitions == b.acquisitions && a.hits == b.hits &&
         a.misses == b.misses && a.releases == b.releases &&
         a.resets == b.resets && a.growth_events == b.growth_events &&
         a.exhausted == b.exhausted && a.overflows == b.overflows &&
         a.in_use == b.in_use && a.peak_in_use == b.peak_in_use;
}

}  // namespace eclipsera::pool
