// TransformerCache: Pipeline's `memory`, an in-process cache of fitted
// transformer steps and their outputs, as scikit-learn 1.2's
// Pipeline(memory=...) caches fit_transform on disk.
//
// An entry is keyed by the step's input (a fingerprint of its values and
// of y) and the step's StructureKey, and holds the fitted step (shared,
// never mutated again), its output on the training data and that output's
// fingerprint (the next step's input key). Keys follow the data actually
// produced, so a later step is never paired with an input it was not
// fitted on, even for steps whose fit is random. A search that varies only
// later steps therefore fits the earlier ones once per fold instead of once per
// candidate. Entries are bounded by a byte budget (their outputs' size) with
// least-recently- used eviction. Thread-safe: the clones of a pipeline in a
// parallel search share one cache.
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
    std::string output_key;  // DataFingerprint(*output, y)
  };

  explicit TransformerCache(int64_t max_bytes) : max_bytes_(max_bytes) {}

  int64_t max_bytes() const { return max_bytes_; }

  // The entry under `key` (counted as a hit, and made the most recently
  // used), or nullopt (counted as a miss).
  std::optional<Entry> Lookup(const std::string& key);
  // Stores `entry` under `key`, evicting least recently used entries to
  // stay within the budget, and returns the entry now under `key`: `entry`,
  // or the one another pipeline stored first (the caller should use that
  // one). An entry larger than the whole budget is not stored (nullopt).
  std::optional<Entry> Insert(const std::string& key, Entry entry);

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
