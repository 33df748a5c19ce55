// Grow-only workspace buffers (roadmap Phase 2, "workspaces that pool").
//
// A `GrowBuffer<Matrix>` is an Eigen map over heap storage it owns. It is
// sized per fit with `resize(rows, cols)` like an Eigen matrix, but the
// storage only grows: a later fit on data that is not larger (the next
// cross-validation fold, one row shorter) re-points the view and
// allocates nothing. Everything an Eigen matrix expression can do with a
// `Matrix` it can do with the buffer (`b(i, j)`, `b.row(i)`, `b = expr`,
// `b.setZero()`, ...); assignment resizes the view first, as a Matrix
// does. Passing one where a `const Matrix&` is expected does not compile
// (it would silently copy): take `ConstMatrixRef`/`MatrixRef`, or the
// buffer type itself.
//
// Every iterative estimator keeps its buffers in a named `...Workspace`
// struct of such buffers; `WorkspaceStats` is what it reports through
// `Estimator::workspace_stats()`.
#ifndef ECLIPSERA_CORE_WORKSPACE_H_
#define ECLIPSERA_CORE_WORKSPACE_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "Eigen/Core"
#include "eclipsera/core/matrix.h"

namespace eclipsera {

// Heap held by an estimator's workspace, and how often its GrowBuffers had
// to (re)allocate since the estimator was built. A refit on data within
// capacity leaves both unchanged (std::vector members count by capacity).
struct WorkspaceStats {
  int64_t bytes = 0;
  int64_t reallocations = 0;

  WorkspaceStats& operator+=(const WorkspaceStats& o) {
    bytes += o.bytes;
    reallocations += o.reallocations;
    return *this;
  }
};

template <typename Plain>
class GrowBuffer : public Eigen::Map<Plain, Eigen::AlignedMax> {
 public:
  using Base = Eigen::Map<Plain, Eigen::AlignedMax>;
  using Scalar = typename Plain::Scalar;

  GrowBuffer()
      : Base(nullptr, Plain::RowsAtCompileTime == 1 ? 1 : 0,
             Plain::ColsAtCompileTime == 1 ? 1 : 0) {}
  // A copy holds a copy of the contents, in storage of exactly its size.
  GrowBuffer(const GrowBuffer& other) : GrowBuffer() {
    resize(other.rows(), other.cols());
    Copy(other);
  }
  GrowBuffer& operator=(const GrowBuffer& other) {
    if (this != &other) {
      resize(other.rows(), other.cols());
      Copy(other);
    }
    return *this;
  }
  GrowBuffer(GrowBuffer&& other) noexcept : GrowBuffer() { swap(other); }
  GrowBuffer& operator=(GrowBuffer&& other) noexcept {
    swap(other);
    return *this;
  }
  // An Eigen expression: resizes the view to its shape, then evaluates.
  template <typename Other>
  GrowBuffer& operator=(const Eigen::DenseBase<Other>& other) {
    resize(other.rows(), other.cols());
    Base::operator=(other);
    return *this;
  }

  // Binding to `const Plain&` / `Plain&` would copy into a temporary (or
  // not compile): refused at compile time; take a Ref or the buffer.
  operator const Plain&() const = delete;
  operator Plain&() = delete;

  // The view becomes rows x cols. Reallocates (contents lost) only when
  // rows * cols exceeds the capacity; otherwise the contents are the old
  // storage's, reinterpreted.
  void resize(Index rows, Index cols) {
    const Index need = rows * cols;
    if (need > capacity_) {
      storage_.reset(static_cast<Scalar*>(
          Eigen::internal::aligned_malloc(sizeof(Scalar) * need)));
      capacity_ = need;
      ++reallocations_;
    }
    Rebind(rows, cols);
  }
  // Capacity for at least `count` elements, the view's shape unchanged;
  // when it grows the contents are lost. For bounds a later, smaller fit
  // may need (see KMeans' and GaussianMixture's chunked buffers).
  void reserve(Index count) {
    if (count <= capacity_) return;
    const Index rows = this->rows(), cols = this->cols();
    storage_.reset(static_cast<Scalar*>(
        Eigen::internal::aligned_malloc(sizeof(Scalar) * count)));
    capacity_ = count;
    ++reallocations_;
    Rebind(rows, cols);
  }
  // Vectors: n x 1.
  void resize(Index n) {
    static_assert(Plain::ColsAtCompileTime == 1,
                  "resize(n) is for column vectors");
    resize(n, 1);
  }
  // Gives the storage back (the allocating v1.0 mode, or a shrink).
  void release() {
    storage_.reset();
    capacity_ = 0;
    Rebind(Plain::RowsAtCompileTime == 1 ? 1 : 0,
           Plain::ColsAtCompileTime == 1 ? 1 : 0);
  }
  // O(1): exchanges storage and shapes (Eigen's Map::swap would swap the
  // contents element by element).
  void swap(GrowBuffer& other) noexcept {
    const Index r = this->rows(), c = this->cols();
    const Index orr = other.rows(), oc = other.cols();
    storage_.swap(other.storage_);
    std::swap(capacity_, other.capacity_);
    std::swap(reallocations_, other.reallocations_);
    Rebind(orr, oc);
    other.Rebind(r, c);
  }

  Index capacity() const { return capacity_; }
  int64_t bytes() const {
    return static_cast<int64_t>(capacity_) * sizeof(Scalar);
  }
  int64_t reallocations() const { return reallocations_; }
  WorkspaceStats stats() const { return {bytes(), reallocations_}; }

 private:
  struct Free {
    void operator()(Scalar* p) const { Eigen::internal::aligned_free(p); }
  };

  void Rebind(Index rows, Index cols) {
    // Eigen's documented way to re-point a Map (placement new). Here the
    // Map is a base subobject whose size members are const, which C++17's
    // object-lifetime rules do not bless without std::launder; GCC and
    // Clang do not exploit it, and every access goes through `this` after
    // the call, never through a pointer or reference kept from before.
    new (static_cast<Base*>(this)) Base(storage_.get(), rows, cols);
  }
  void Copy(const GrowBuffer& other) {
    if (other.size() > 0) {
      std::memcpy(storage_.get(), other.data(), sizeof(Scalar) * other.size());
    }
  }

  std::unique_ptr<Scalar[], Free> storage_;
  Index capacity_ = 0;
  int64_t reallocations_ = 0;
};

using GrowMatrix = GrowBuffer<Matrix>;
using GrowVector = GrowBuffer<Vector>;
using GrowLabels = GrowBuffer<LabelVector>;

template <typename Plain>
WorkspaceStats StatsOf(const GrowBuffer<Plain>& b) {
  return b.stats();
}
// A std::vector is grow-only too when sized with resize/assign (they keep
// the capacity): its capacity counts; a reallocation shows as a change of
// bytes.
template <typename T, typename A>
WorkspaceStats StatsOf(const std::vector<T, A>& v) {
  return {static_cast<int64_t>(v.capacity() * sizeof(T)), 0};
}

// Sum of the stats of any number of buffers.
template <typename... Buffers>
WorkspaceStats SumStats(const Buffers&... buffers) {
  WorkspaceStats total;
  ((total += StatsOf(buffers)), ...);
  return total;
}

}  // namespace eclipsera

#endif  // ECLIPSERA_CORE_WORKSPACE_H_
