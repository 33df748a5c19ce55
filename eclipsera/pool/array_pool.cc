// ArrayPool: aligned buffer allocation, key lookup and the holding caps.
#include "eclipsera/pool/array_pool.h"

#include <cstring>
#include <limits>
#include <mutex>
#include <new>

#include "absl/strings/str_cat.h"
#include "eclipsera/pool/pooling_switch.h"

namespace eclipsera::pool {
namespace {

// Rounded up to whole cache lines; at least one line.
size_t AllocationSize(size_t bytes) {
  const size_t lines = (bytes + kArrayAlignment - 1) / kArrayAlignment;
  return (lines == 0 ? 1 : lines) * kArrayAlignment;
}

void* AllocateAligned(size_t bytes) {
  return ::operator new(AllocationSize(bytes),
                        std::align_val_t(kArrayAlignment), std::nothrow);
}

void FreeAligned(void* p) {
  ::operator delete(p, std::align_val_t(kArrayAlignment));
}

}  // namespace

ArrayPool::ArrayPool(ArrayPoolOptions options)
    : options_(options), disabled_(PoolingDisabled()) {}

ArrayPool::~ArrayPool() { Clear(); }

absl::Status ArrayPool::CheckShape(int64_t rows, int64_t cols, size_t elem,
                                   size_t* bytes) {
  if (rows < 0 || cols < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("ArrayPool::Acquire: shape (", rows, ", ", cols,
                     ") has a negative dimension; rows and cols must be >= 0"));
  }
  const uint64_t max = std::numeric_limits<size_t>::max() / 2;
  const uint64_t r = static_cast<uint64_t>(rows);
  const uint64_t c = static_cast<uint64_t>(cols);
  if (c != 0 && r > max / c / elem) {
    return absl::InvalidArgumentError(
        absl::StrCat("ArrayPool::Acquire: shape (", rows, ", ", cols, ") of ",
                     elem, "-byte elements overflows the byte size"));
  }
  *bytes = static_cast<size_t>(r * c * elem);
  return absl::OkStatus();
}

void* ArrayPool::AcquireBytes(const pool_internal::ArrayKey& key, size_t bytes,
                              bool zero) {
  void* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!disabled_) {
      auto it = idle_.find(key);
      if (it == idle_.end()) {
        ++stats_.growth_events;  // A shape/type not seen before.
        idle_.try_emplace(key);
      } else if (!it->second.empty()) {
        p = it->second.back();
        it->second.pop_back();
        bytes_held_ -= AllocationSize(bytes);
        --buffers_held_;
      }
    }
    if (p != nullptr) {
      ++stats_.hits;
    } else {
      ++stats_.misses;
      ++stats_.objects_created;
    }
    ++stats_.acquisitions;
    if (zero) ++stats_.resets;
    ++stats_.in_use;
    if (stats_.in_use > stats_.peak_in_use) stats_.peak_in_use = stats_.in_use;
  }
  if (p == nullptr) {
    p = AllocateAligned(bytes);
    if (p == nullptr) {
      std::lock_guard<std::mutex> lock(mu_);
      --stats_.acquisitions;
      --stats_.in_use;
      --stats_.misses;
      --stats_.objects_created;
      if (zero) --stats_.resets;
      return nullptr;
    }
  }
  if (zero && bytes > 0) std::memset(p, 0, bytes);
  return p;
}

void ArrayPool::ReleaseBytes(const pool_internal::ArrayKey& key, void* p,
                             size_t bytes) {
  const size_t held = AllocationSize(bytes);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.releases;
    --stats_.in_use;
    if (!disabled_ && bytes_held_ + held <= options_.max_bytes_held) {
      std::vector<void*>& list = idle_[key];
      if (list.size() < options_.per_key_capacity) {
        list.push_back(p);
        bytes_held_ += held;
        ++buffers_held_;
        return;
      }
    }
    ++stats_.objects_destroyed;
  }
  FreeAligned(p);
}

void ArrayPool::Clear() {
  std::vector<void*> to_free;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& entry : idle_) {
      to_free.insert(to_free.end(), entry.second.begin(), entry.second.end());
      entry.second.clear();
    }
    stats_.objects_destroyed += static_cast<int64_t>(to_free.size());
    bytes_held_ = 0;
    buffers_held_ = 0;
  }
  for (void* p : to_free) FreeAligned(p);
}

PoolStatistics ArrayPool::Statistics() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

size_t ArrayPool::bytes_held() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_held_;
}

size_t ArrayPool::buffers_held() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buffers_held_;
}

}  // namespace eclipsera::pool
