// ArrayPool: 64-byte-aligned numeric buffers keyed by shape and element
// type (the roadmap's MemoryPool / pooled_zeros), handed out zeroed or
// uninitialised, returned by RAII, with a per-key capacity and a cap on the
// total bytes held idle.
#ifndef ECLIPSERA_POOL_ARRAY_POOL_H_
#define ECLIPSERA_POOL_ARRAY_POOL_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

#include "Eigen/Core"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "eclipsera/pool/pool_statistics.h"

namespace eclipsera::pool {

// Alignment of every ArrayPool buffer (a cache line; enough for AVX-512).
inline constexpr size_t kArrayAlignment = 64;

enum class ArrayInit {
  kZeroed,         // Every element is 0 (counted as a reset).
  kUninitialized,  // Contents unspecified (a reused buffer's old values).
};

struct ArrayPoolOptions {
  // Idle buffers kept per (rows, cols, element type), >= 0; buffers
  // released beyond it are freed.
  size_t per_key_capacity = 4;
  // Idle bytes kept over all keys, >= 0; a released buffer that would push
  // the total above it is freed instead.
  size_t max_bytes_held = size_t{1} << 30;
};

class ArrayPool;

namespace pool_internal {

// One address per element type: the type part of an ArrayPool key.
template <class E>
const void* ElementTypeTag() {
  static const char tag = 0;
  return &tag;
}

struct ArrayKey {
  int64_t rows;
  int64_t cols;
  const void* type;

  friend bool operator==(const ArrayKey& a, const ArrayKey& b) {
    return a.rows == b.rows && a.cols == b.cols && a.type == b.type;
  }
  template <class H>
  friend H AbslHashValue(H h, const ArrayKey& k) {
    return H::combine(std::move(h), k.rows, k.cols, k.type);
  }
};

}  // namespace pool_internal

// A move-only RAII handle on a rows x cols row-major buffer of E from an
// ArrayPool; gives the buffer back when destroyed (or on Release()).
// A moved-from or released handle is empty. The pool must outlive it.
template <class E>
class ArrayHandle {
 public:
  using MatrixType =
      Eigen::Matrix<E, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  ArrayHandle() = default;
  ArrayHandle(ArrayHandle&& other) noexcept { *this = std::move(other); }
  ArrayHandle& operator=(ArrayHandle&& other) noexcept;
  ArrayHandle(const ArrayHandle&) = delete;
  ArrayHandle& operator=(const ArrayHandle&) = delete;
  ~ArrayHandle() { Release(); }

  // Gives the buffer back now; the handle becomes empty.
  void Release();

  E* data() const { return data_; }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  int64_t size() const { return rows_ * cols_; }
  explicit operator bool() const { return data_ != nullptr; }
  E& operator[](int64_t i) const { return data_[i]; }

  // A rows x cols row-major Eigen view of the buffer (64-byte aligned).
  Eigen::Map<MatrixType, Eigen::Aligned64> matrix() const {
    return Eigen::Map<MatrixType, Eigen::Aligned64>(data_, rows_, cols_);
  }

 private:
  friend class ArrayPool;
  ArrayHandle(E* data, int64_t rows, int64_t cols, ArrayPool* pool)
      : data_(data), rows_(rows), cols_(cols), pool_(pool) {}

  E* data_ = nullptr;
  int64_t rows_ = 0;
  int64_t cols_ = 0;
  ArrayPool* pool_ = nullptr;
};

// A thread-safe pool of aligned numeric buffers (one std::mutex; buffers
// are large, so the lock is never the cost: zeroing and first-touch are).
//
//   ArrayPool pool;
//   ECLIPSERA_ASSIGN_OR_RETURN(ArrayHandle<double> d,
//                              pool.Acquire<double>(n, k));  // zeroed
//   d.matrix().noalias() = x * centers.transpose();
//
// Statistics: objects_created counts buffers allocated, resets counts zero
// fills, growth_events counts new keys (shapes/types) seen,
// objects_destroyed counts buffers freed by the caps or Clear().
// ECLIPSERA_DISABLE_POOLING=1 (read at construction) makes every Acquire
// allocate and every release free.
class ArrayPool {
 public:
  explicit ArrayPool(ArrayPoolOptions options = {});
  // Frees the idle buffers. Every handle must be released before.
  ~ArrayPool();
  ArrayPool(const ArrayPool&) = delete;
  ArrayPool& operator=(const ArrayPool&) = delete;

  // Returns a rows x cols buffer of E (an arithmetic type), 64-byte
  // aligned, zeroed or not as `init` asks. InvalidArgument if rows or cols
  // is negative or the byte size overflows; ResourceExhausted if the
  // allocation fails. A 0-element shape is valid (non-null data()).
  template <class E>
  absl::StatusOr<ArrayHandle<E>> Acquire(int64_t rows, int64_t cols,
                                         ArrayInit init = ArrayInit::kZeroed) {
    static_assert(std::is_arithmetic_v<E>, "ArrayPool holds numeric types");
    size_t bytes = 0;
    absl::Status s = CheckShape(rows, cols, sizeof(E), &bytes);
    if (!s.ok()) return s;
    void* p = AcquireBytes({rows, cols, pool_internal::ElementTypeTag<E>()},
                           bytes, init == ArrayInit::kZeroed);
    if (p == nullptr) {
      return absl::ResourceExhaustedError("ArrayPool::Acquire: out of memory");
    }
    return ArrayHandle<E>(static_cast<E*>(p), rows, cols, this);
  }

  // The roadmap's pooled_zeros: Acquire<E>(rows, cols, kZeroed).
  template <class E = double>
  absl::StatusOr<ArrayHandle<E>> Zeros(int64_t rows, int64_t cols) {
    return Acquire<E>(rows, cols, ArrayInit::kZeroed);
  }

  // Frees every idle buffer. Thread-safe.
  void Clear();

  PoolStatistics Statistics() const;
  // Idle bytes and buffers held right now.
  size_t bytes_held() const;
  size_t buffers_held() const;
  bool pooling_disabled() const { return disabled_; }
  const ArrayPoolOptions& options() const { return options_; }

 private:
  template <class E>
  friend class ArrayHandle;

  static absl::Status CheckShape(int64_t rows, int64_t cols, size_t elem,
                                 size_t* bytes);
  void* AcquireBytes(const pool_internal::ArrayKey& key, size_t bytes,
                     bool zero);
  void ReleaseBytes(const pool_internal::ArrayKey& key, void* p, size_t bytes);

  const ArrayPoolOptions options_;
  const bool disabled_;
  mutable std::mutex mu_;
  absl::flat_hash_map<pool_internal::ArrayKey, std::vector<void*>> idle_;
  size_t bytes_held_ = 0;    // Guarded by mu_.
  size_t buffers_held_ = 0;  // Guarded by mu_.
  PoolStatistics stats_;     // Guarded by mu_.
};

template <class E>
ArrayHandle<E>& ArrayHandle<E>::operator=(ArrayHandle&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    rows_ = std::exchange(other.rows_, 0);
    cols_ = std::exchange(other.cols_, 0);
    pool_ = std::exchange(other.pool_, nullptr);
  }
  return *this;
}

template <class E>
void ArrayHandle<E>::Release() {
  if (data_ == nullptr) return;
  size_t bytes = 0;
  ArrayPool::CheckShape(rows_, cols_, sizeof(E), &bytes).IgnoreError();
  pool_->ReleaseBytes({rows_, cols_, pool_internal::ElementTypeTag<E>()},
                      std::exchange(data_, nullptr), bytes);
  pool_ = nullptr;
  rows_ = cols_ = 0;
}

}  // namespace eclipsera::pool

#endif  // ECLIPSERA_POOL_ARRAY_POOL_H_
