// SharedPool<T>: a thread-safe object pool behind one std::mutex, for
// objects shared by several threads; the reset step and the factory run
// outside the lock.
#ifndef ECLIPSERA_POOL_SHARED_POOL_H_
#define ECLIPSERA_POOL_SHARED_POOL_H_

#include <mutex>
#include <utility>

#include "absl/status/statusor.h"
#include "eclipsera/pool/object_pool.h"
#include "eclipsera/pool/pool_statistics.h"

namespace eclipsera::pool {

// A thread-safe pool: any thread may Acquire, and a handle may be released
// on any thread. Same options, handles, limits and statistics as Pool<T>.
// The critical sections are a pop or a push on the idle list; the factory
// and the reset step run outside the lock (they must be thread-safe when
// called for different objects at once). Uses std::mutex so that
// ThreadSanitizer sees every synchronisation.
template <class T>
class SharedPool {
 public:
  explicit SharedPool(PoolOptions options = {})
      : core_(pool_internal::MakeConfig<T>(options, nullptr, nullptr)) {}
  template <class F>
  SharedPool(PoolOptions options, F&& factory)
      : core_(pool_internal::MakeConfig<T>(options, std::forward<F>(factory),
                                           nullptr)) {}
  template <class F, class R>
  SharedPool(PoolOptions options, F&& factory, R&& reset)
      : core_(pool_internal::MakeConfig<T>(options, std::forward<F>(factory),
                                           std::forward<R>(reset))) {}

  SharedPool(const SharedPool&) = delete;
  SharedPool& operator=(const SharedPool&) = delete;

  // See Pool::Acquire. Thread-safe.
  PoolHandle<T> Acquire() {
    bool reserved = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (T* obj = core_.PopIdle()) return MakeHandle(obj, &ReturnOwned);
      reserved = core_.ReserveNew();
      if (!reserved) core_.CountOverflowAcquisition();
    }
    if (reserved) return MakeHandle(core_.CreateReserved(), &ReturnOwned);
    return MakeHandle(core_.CreateReserved(), &ReturnTransient);
  }

  // See Pool::TryAcquire. Thread-safe.
  absl::StatusOr<PoolHandle<T>> TryAcquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (T* obj = core_.PopIdle()) return MakeHandle(obj, &ReturnOwned);
      if (!core_.ReserveNew()) {
        core_.CountExhausted();
        return pool_internal::ExhaustedError("SharedPool", core_.config());
      }
    }
    return MakeHandle(core_.CreateReserved(), &ReturnOwned);
  }

  // Destroys the idle objects. Thread-safe.
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    core_.DestroyIdle();
  }

  PoolStatistics Statistics() const {
    std::lock_guard<std::mutex> lock(mu_);
    return core_.Statistics();
  }
  size_t idle() const {
    std::lock_guard<std::mutex> lock(mu_);
    return core_.idle();
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return core_.owned();
  }
  bool pooling_disabled() const { return core_.config().disabled; }
  const PoolOptions& options() const { return core_.config().options; }

 private:
  PoolHandle<T> MakeHandle(T* obj, void (*ret)(void*, T*)) {
    return pool_internal::HandleAccess::Make(obj, ret,
                                             static_cast<void*>(this));
  }
  static void ReturnOwned(void* self, T* obj) {
    SharedPool* pool = static_cast<SharedPool*>(self);
    const bool was_reset = pool->core_.ResetForReuse(*obj);
    bool destroy;
    {
      std::lock_guard<std::mutex> lock(pool->mu_);
      destroy = pool->core_.PutBack(obj, was_reset);
    }
    if (destroy) delete obj;
  }
  static void ReturnTransient(void* self, T* obj) {
    static_cast<SharedPool*>(self)->core_.ReleaseTransient(obj);
  }

  mutable std::mutex mu_;
  pool_internal::PoolCore<T> core_;  // Guarded by mu_ (Foreign* excepted).
};

}  // namespace eclipsera::pool

#endif  // ECLIPSERA_POOL_SHARED_POOL_H_
