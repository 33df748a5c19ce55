// TransformerCache: Pipeline's `memory`, an in-process cache of fitted
// transformer steps and their outputs, as scikit-learn 1.2's
// Pipeline(memory=...) caches fit_transform on disk.
//
// An entry is keyed by the step's input (a fingerprint of the pipeline's
// X and y and of every earlier step) and the step's class and parameters,
// and holds the fitted step (shared, never mutated again) and its output on
// the training data. A search that varies only later steps therefore fits
// the earlier ones once per fold instead of once per candidate. Entries
// are bounded by a byte budget (their outputs' size) with least-recently-
// used eviction. Thread-safe: the clones of a pipeline in a parallel search
// share one cache.
#ifndef ECLIPSERA_PIPELINE_TRANSFORMER_CACHE_H_
#define ECLIPSERA_PIPELINE_TRANSFORMER_CACHE_H_

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/types/span.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"

namespace eclipsera::pipeline {

class TransformerCache {
 public:
  struct Entry {
    std::shared_ptr<const Estimator> fitted;
    std::shared_ptr<const Matrix> output;
  };

  explicit TransformerCache(int64_t max_bytes) : max_bytes_(max_bytes) {}

  int64_t max_bytes() const { return max_bytes_; }

  // The entry under `key` (counted as a hit, and made the most recently
  // used), or nullopt (counted as a miss).
  std::optional<Entry> Lookup(const std::string& key);
  // Stores `entry` under `key`, evicting least recently used entries to
  // stay within the budget. An entry larger than the whole budget is not
  // stored (returns false); a key already present is kept as it is.
  bool Insert(const std::string& key, Entry entry);

  CacheStatistics statistics() const;

 private:
  struct Slot {
    std::string key;
    Entry entry;
    int64_t bytes;
  };
  const int64_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Slot> lru_;  // most recently used first; guarded by mu_
  std::unordered_map<std::string, std::list<Slot>::iterator> index_;
  int64_t bytes_ = 0;
  CacheStatistics stats_;
};

// A fingerprint of (x, y): their shapes and a 128-bit hash of their values.
std::string DataFingerprint(const ConstMatrixRef& x,
                            absl::Span<const double> y);

}  // namespace eclipsera::pipeline

#endif  // ECLIPSERA_PIPELINE_TRANSFORMER_CACHE_H_
