#include "eclipsera/pipeline/transformer_cache.h"

#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace eclipsera::pipeline {

std::optional<TransformerCache::Entry> TransformerCache::Lookup(
    const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++stats_.misses;
    return std::nullopt;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->entry;
}

std::optional<TransformerCache::Entry> TransformerCache::Insert(
    const std::string& key, Entry entry) {
  const int64_t bytes =
      static_cast<int64_t>(entry.output->size() * sizeof(double));
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) return it->second->entry;
  if (bytes > max_bytes_) return std::nullopt;
  while (bytes_ + bytes > max_bytes_ && !lru_.empty()) {
    bytes_ -= lru_.back().bytes;
    index_.erase(lru_.back().key);
    lru_.pop_back();
    ++stats_.evictions;
  }
  lru_.push_front(Slot{key, entry, bytes});
  index_.emplace(key, lru_.begin());
  bytes_ += bytes;
  return entry;
}

CacheStatistics TransformerCache::statistics() const {
  std::lock_guard<std::mutex> lock(mu_);
  CacheStatistics s = stats_;
  s.entries = static_cast<int64_t>(lru_.size());
  s.bytes = bytes_;
  return s;
}

std::string DataFingerprint(const ConstMatrixRef& x,
                            absl::Span<const double> y) {
  // Two independently seeded 64-bit hashes of every row, chained.
  size_t h1 = 0x243f6a8885a308d3u, h2 = 0x13198a2e03707344u;
  const auto bytes = [](const double* p, Index n) {
    return absl::string_view(reinterpret_cast<const char*>(p),
                             static_cast<size_t>(n) * sizeof(double));
  };
  const auto mix = [&](absl::string_view s) {
    h1 = absl::HashOf(h1, s);
    h2 = absl::HashOf(s, h2, size_t{0x9e3779b97f4a7c15u});
  };
  if (x.outerStride() == x.cols()) {
    mix(bytes(x.data(), x.size()));
  } else {
    for (Index i = 0; i < x.rows(); ++i) mix(bytes(x.row(i).data(), x.cols()));
  }
  mix(bytes(y.data(), static_cast<Index>(y.size())));
  return absl::StrCat(x.rows(), "x", x.cols(), "/", y.size(), ":", h1, ":", h2);
}

}  // namespace eclipsera::pipeline
