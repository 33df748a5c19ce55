// ThreadLocalPool<T>: one pool per thread, no lock on the fast path,
// cross-thread release, statistics aggregated over every thread.
//
// How it works:
//  * The ThreadLocalPool owns a registry of per-thread slots (each a pool
//    engine plus a small mutex-protected "returned by other threads" queue).
//    A thread finds its slot through a thread_local cache keyed by the
//    pool's id (ids are never reused, so a stale entry can never match a
//    new pool living at the same address); the common case is one compare.
//  * Acquire and same-thread release touch only the caller's slot: no lock,
//    no atomic read-modify-write.
//  * Cross-thread release: a handle remembers the slot its object came from.
//    Released on that slot's owner thread, the object goes straight back to
//    the idle list. Released on any other thread, it is reset there and
//    pushed onto the slot's foreign queue under the slot's mutex; the owner
//    moves that queue into its idle list the next time its idle list is
//    empty. Objects therefore always return to the pool they came from.
//  * Thread exit: the thread's cache destructor marks its slots orphaned.
//    The slot, with its idle objects, stays in the pool and is adopted by
//    the next thread that needs a slot, so threads that come and go reuse
//    objects instead of leaking or re-creating them; the number of slots is
//    bounded by the number of threads alive at once. Objects still handed
//    out when their thread exits keep working and return normally.
//  * Pool destruction destroys every idle and queued object in every slot.
//    A thread still alive keeps only an empty slot shell (a few bytes,
//    shared ownership) until it exits or looks up another pool of the same
//    T. All handles must be released, and no thread may use the pool,
//    before it is destroyed.
// Options apply per thread (each thread's capacity, limit, preinitialise).
#ifndef ECLIPSERA_POOL_THREAD_LOCAL_POOL_H_
#define ECLIPSERA_POOL_THREAD_LOCAL_POOL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "eclipsera/pool/object_pool.h"
#include "eclipsera/pool/pool_statistics.h"

namespace eclipsera::pool {
namespace pool_internal {

// A process-unique, never-reused id of the calling thread (starts at 1).
inline uint64_t CurrentThreadId() {
  static std::atomic<uint64_t> next{1};
  thread_local uint64_t id = 0;
  if (id == 0) id = next.fetch_add(1, std::memory_order_relaxed);
  return id;
}

// A process-unique, never-reused pool id (starts at 1).
inline uint64_t NextPoolId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace pool_internal

template <class T>
class ThreadLocalPool {
 public:
  explicit ThreadLocalPool(PoolOptions options = {})
      : config_(pool_internal::MakeConfig<T>(options, nullptr, nullptr)) {}
  template <class F>
  ThreadLocalPool(PoolOptions options, F&& factory)
      : config_(pool_internal::MakeConfig<T>(options, std::forward<F>(factory),
                                             nullptr)) {}
  template <class F, class R>
  ThreadLocalPool(PoolOptions options, F&& factory, R&& reset)
      : config_(pool_internal::MakeConfig<T>(options, std::forward<F>(factory),
                                             std::forward<R>(reset))) {}

  ThreadLocalPool(const ThreadLocalPool&) = delete;
  ThreadLocalPool& operator=(const ThreadLocalPool&) = delete;

  ~ThreadLocalPool() {
    std::lock_guard<std::mutex> lock(registry_mu_);
    for (const std::shared_ptr<Slot>& slot : slots_) slot->Shutdown();
    slots_.clear();
  }

  // Returns an object from the calling thread's pool (see Pool::Acquire).
  PoolHandle<T> Acquire() {
    Slot* slot = LocalSlot();
    if (T* obj = slot->Pop()) return MakeHandle(obj, slot, &ReturnOwned);
    if (slot->core.ReserveNew()) {
      return MakeHandle(slot->core.CreateReserved(), slot, &ReturnOwned);
    }
    return MakeHandle(slot->core.CreateTransient(), slot, &ReturnTransient);
  }

  // See Pool::TryAcquire; the limit is per thread.
  absl::StatusOr<PoolHandle<T>> TryAcquire() {
    Slot* slot = LocalSlot();
    if (T* obj = slot->Pop()) return MakeHandle(obj, slot, &ReturnOwned);
    if (slot->core.ReserveNew()) {
      return MakeHandle(slot->core.CreateReserved(), slot, &ReturnOwned);
    }
    slot->core.CountExhausted();
    return pool_internal::ExhaustedError("ThreadLocalPool", *config_);
  }

  // Sums every thread's counters (including exited threads'). Thread-safe;
  // exact when the pool is quiescent, approximate (each counter exact,
  // not a consistent cut) while threads run. peak_in_use is the sum of
  // per-thread peaks.
  PoolStatistics Statistics() const {
    std::lock_guard<std::mutex> lock(registry_mu_);
    PoolStatistics total;
    for (const std::shared_ptr<Slot>& slot : slots_) {
      total.Merge(slot->core.Statistics());
    }
    return total;
  }

  // Number of per-thread slots created so far (alive and orphaned).
  size_t num_slots() const {
    std::lock_guard<std::mutex> lock(registry_mu_);
    return slots_.size();
  }

  bool pooling_disabled() const { return config_->disabled; }
  const PoolOptions& options() const { return config_->options; }

 private:
  struct Slot {
    explicit Slot(std::shared_ptr<const pool_internal::PoolConfig<T>> c)
        : core(std::move(c)) {}

    // Owner thread: an idle object, draining the foreign queue if needed.
    T* Pop() {
      if (T* obj = core.PopIdle()) return obj;
      if (has_foreign.load(std::memory_order_relaxed)) {
        {
          std::lock_guard<std::mutex> lock(mu);
          drained.swap(foreign);
          has_foreign.store(false, std::memory_order_relaxed);
        }
        core.AdoptIdle(drained);
        return core.PopIdle();
      }
      return nullptr;
    }

    // Any non-owner thread: queue an object for the owner.
    void PushForeign(T* obj) {
      const bool was_reset = core.ResetForReuse(*obj);
      core.CountForeignRelease(was_reset);
      std::lock_guard<std::mutex> lock(mu);
      if (core.config().disabled || shut_down) {
        // Nothing to go back to: pooling is off, or the pool is gone.
        core.ForgetForeign();
        delete obj;
        return;
      }
      foreign.push_back(obj);
      has_foreign.store(true, std::memory_order_relaxed);
    }

    // Pool destructor: destroy everything held. The owner thread is not
    // using the pool any more (contract), so the engine is ours.
    void Shutdown() {
      std::lock_guard<std::mutex> lock(mu);
      shut_down = true;
      for (T* obj : foreign) delete obj;
      foreign.clear();
      core.DestroyIdle();
    }

    pool_internal::PoolCore<T> core;  // Owner thread only.
    std::atomic<uint64_t> owner{0};   // Thread id; 0: orphaned.
    std::mutex mu;                    // Guards foreign and shut_down.
    std::vector<T*> foreign;          // Returned by other threads.
    std::vector<T*> drained;          // Owner's scratch for draining.
    std::atomic<bool> has_foreign{false};
    bool shut_down = false;
  };

  // Per-thread cache of this thread's slots in pools of this T.
  struct ThreadCache {
    uint64_t last_pool_id = 0;
    Slot* last_slot = nullptr;
    std::vector<std::pair<uint64_t, std::shared_ptr<Slot>>> entries;

    ~ThreadCache() {
      const uint64_t me = pool_internal::CurrentThreadId();
      for (auto& entry : entries) {
        uint64_t expected = me;
        // Release: the next owner must see everything this thread did.
        entry.second->owner.compare_exchange_strong(
            expected, 0, std::memory_order_release, std::memory_order_relaxed);
      }
    }
  };

  static ThreadCache& Cache() {
    thread_local ThreadCache cache;
    return cache;
  }

  Slot* LocalSlot() {
    ThreadCache& cache = Cache();
    if (cache.last_pool_id == id_) return cache.last_slot;
    return LocalSlotSlow(cache);
  }

  Slot* LocalSlotSlow(ThreadCache& cache) {
    for (auto& entry : cache.entries) {
      if (entry.first == id_) {
        cache.last_pool_id = id_;
        cache.last_slot = entry.second.get();
        return cache.last_slot;
      }
    }
    const uint64_t me = pool_internal::CurrentThreadId();
    std::shared_ptr<Slot> slot;
    {
      std::lock_guard<std::mutex> lock(registry_mu_);
      for (const std::shared_ptr<Slot>& candidate : slots_) {
        uint64_t expected = 0;
        if (candidate->owner.compare_exchange_strong(
                expected, me, std::memory_order_acquire,
                std::memory_order_relaxed)) {
          slot = candidate;  // Adopt an exited thread's slot.
          break;
        }
      }
      if (slot == nullptr) {
        slot = std::make_shared<Slot>(config_);
        slot->owner.store(me, std::memory_order_relaxed);
        slots_.push_back(slot);
      }
    }
    // Drop entries of pools that no longer exist (their slots are shut
    // down and hold nothing but the shell).
    PruneDeadEntries(cache);
    cache.entries.emplace_back(id_, slot);
    cache.last_pool_id = id_;
    cache.last_slot = slot.get();
    return cache.last_slot;
  }

  static void PruneDeadEntries(ThreadCache& cache) {
    auto& e = cache.entries;
    for (size_t i = 0; i < e.size();) {
      bool dead;
      {
        std::lock_guard<std::mutex> lock(e[i].second->mu);
        dead = e[i].second->shut_down;
      }
      if (dead) {
        if (cache.last_slot == e[i].second.get()) {
          cache.last_pool_id = 0;
          cache.last_slot = nullptr;
        }
        e[i] = std::move(e.back());
        e.pop_back();
      } else {
        ++i;
      }
    }
  }

  PoolHandle<T> MakeHandle(T* obj, Slot* slot, void (*ret)(void*, T*)) {
    return pool_internal::HandleAccess::Make(obj, ret,
                                             static_cast<void*>(slot));
  }

  static void ReturnOwned(void* ctx, T* obj) {
    Slot* slot = static_cast<Slot*>(ctx);
    // Only this thread can have stored its own id into owner.
    if (slot->owner.load(std::memory_order_relaxed) ==
        pool_internal::CurrentThreadId()) {
      slot->core.Release(obj);
    } else {
      slot->PushForeign(obj);
    }
  }

  static void ReturnTransient(void* ctx, T* obj) {
    static_cast<Slot*>(ctx)->core.ReleaseTransient(obj);
  }

  const uint64_t id_ = pool_internal::NextPoolId();
  std::shared_ptr<const pool_internal::PoolConfig<T>> config_;
  mutable std::mutex registry_mu_;
  std::vector<std::shared_ptr<Slot>> slots_;  // Guarded by registry_mu_.
};

}  // namespace eclipsera::pool

#endif  // ECLIPSERA_POOL_THREAD_LOCAL_POOL_H_
