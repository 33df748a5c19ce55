// Object pools: Pool<T> (single-threaded, the fastest), the RAII handle
// PoolHandle<T> shared by every object pool, their options, and the
// internal engine that SharedPool and ThreadLocalPool build on.
//
// Reset timing: the reset step (a callable, or T::Reset() when T has one)
// runs on RELEASE, when a handle gives its object back, never on acquire:
//  * idle objects never hold stale state (references to caller data,
//    partially filled results), so what sits in a pool is always clean;
//  * the releasing thread has the object hot in its cache, and the acquire
//    path, the one callers wait on, stays a pop from a free list;
//  * it is the roadmap's contract ("calls the reset method on return").
// Objects fresh from the factory are not reset. With pooling disabled
// (ECLIPSERA_DISABLE_POOLING=1) released objects are destroyed, not reset.
#ifndef ECLIPSERA_POOL_OBJECT_POOL_H_
#define ECLIPSERA_POOL_OBJECT_POOL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/macros.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "eclipsera/pool/pool_statistics.h"
#include "eclipsera/pool/pooling_switch.h"

namespace eclipsera::pool {

// What a pool does when every object it may own is in use.
enum class GrowthPolicy {
  // Never own more than `capacity` objects: TryAcquire returns
  // ResourceExhausted, Acquire hands out a transient object (see Acquire).
  kFixed,
  // Create more objects on a miss, up to `max_size` (0: no limit).
  kGrow,
};

struct PoolOptions {
  // Objects the pool is sized for, >= 0: pre-created when `preinitialize`,
  // the hard limit under kFixed, the point past which creations count as
  // growth events under kGrow. ThreadLocalPool applies it per thread.
  size_t capacity = 16;
  GrowthPolicy growth = GrowthPolicy::kGrow;
  // kGrow only: most objects owned at once; 0 = unbounded; values below
  // `capacity` are raised to `capacity`.
  size_t max_size = 0;
  // Create `capacity` objects when the pool (ThreadLocalPool: each thread's
  // pool) is created, so even the first acquisitions are hits.
  bool preinitialize = false;
  // Run the reset step (the callable given, or T::Reset()) on release.
  bool reset_on_release = true;
};

template <class T>
class PoolHandle;

namespace pool_internal {

// Detects a member `Reset()` (the roadmap's reset_method="reset").
template <class U, class = void>
struct HasResetMethod : std::false_type {};
template <class U>
struct HasResetMethod<U, std::void_t<decltype(std::declval<U&>().Reset())>>
    : std::true_type {};

// Detects std::unique_ptr<U> and std::shared_ptr<U>: a pool of estimators
// holds std::unique_ptr<Estimator> and resets the pointee.
template <class U>
struct IsSmartPointer : std::false_type {};
template <class U, class D>
struct IsSmartPointer<std::unique_ptr<U, D>> : std::true_type {};
template <class U>
struct IsSmartPointer<std::shared_ptr<U>> : std::true_type {};

template <class U, class = void>
struct PointeeHasReset : std::false_type {};
template <class U>
struct PointeeHasReset<U, std::void_t<decltype(std::declval<U&>()->Reset())>>
    : std::true_type {};

template <class T>
using Factory = std::function<std::unique_ptr<T>()>;
template <class T>
using Resetter = std::function<void(T&)>;

// Turns any callable returning std::unique_ptr<T>, T* or a T (by value)
// into a Factory<T>.
template <class T, class F>
Factory<T> MakeFactory(F&& f) {
  using R = std::invoke_result_t<F&>;
  if constexpr (std::is_same_v<R, std::unique_ptr<T>>) {
    return Factory<T>(std::forward<F>(f));
  } else if constexpr (std::is_convertible_v<R, T*>) {
    return [fn = std::forward<F>(f)]() mutable {
      return std::unique_ptr<T>(fn());
    };
  } else {
    static_assert(std::is_constructible_v<T, R>,
                  "factory must return std::unique_ptr<T>, T* or a T");
    return [fn = std::forward<F>(f)]() mutable {
      return std::make_unique<T>(fn());
    };
  }
}

template <class T>
Factory<T> DefaultFactory() {
  if constexpr (std::is_default_constructible_v<T>) {
    return [] { return std::make_unique<T>(); };
  } else {
    return nullptr;
  }
}

template <class T>
Resetter<T> DefaultResetter() {
  if constexpr (HasResetMethod<T>::value) {
    return [](T& obj) { obj.Reset(); };
  } else if constexpr (IsSmartPointer<T>::value && PointeeHasReset<T>::value) {
    // A pool of std::unique_ptr<Estimator>: Reset() the estimator (not the
    // pointer's reset(), which would destroy it).
    return [](T& p) {
      if (p) p->Reset();
    };
  } else {
    return nullptr;
  }
}

// Immutable configuration shared by every engine of one pool.
template <class T>
struct PoolConfig {
  PoolOptions options;
  Factory<T> factory;
  Resetter<T> reset;  // Null: no reset step.
  bool disabled = false;
  size_t limit = 0;  // Most objects owned at once.

  PoolConfig(PoolOptions opts, Factory<T> f, Resetter<T> r)
      : options(opts), factory(std::move(f)), reset(std::move(r)) {
    if (!factory) factory = DefaultFactory<T>();
    if (!options.reset_on_release) {
      reset = nullptr;
    } else if (!reset) {
      reset = DefaultResetter<T>();
    }
    disabled = PoolingDisabled();
    if (options.growth == GrowthPolicy::kFixed) {
      limit = options.capacity;
    } else if (options.max_size == 0) {
      limit = std::numeric_limits<size_t>::max();
    } else {
      limit = options.max_size < options.capacity ? options.capacity
                                                  : options.max_size;
    }
  }
};

// Builds the shared configuration from user callables (nullptr: default).
template <class T, class F, class R>
std::shared_ptr<const PoolConfig<T>> MakeConfig(const PoolOptions& options,
                                                F&& factory, R&& reset) {
  Factory<T> f;
  if constexpr (!std::is_same_v<std::decay_t<F>, std::nullptr_t>) {
    f = MakeFactory<T>(std::forward<F>(factory));
  } else {
    // Without a factory the pool makes T(): that must exist and be useful.
    // (A std::function that was never set would throw bad_function_call on
    // the first miss; a default smart pointer is null.)
    static_assert(std::is_default_constructible_v<T>,
                  "a pool of a type without a default constructor needs a "
                  "factory: Pool<T>(options, factory)");
    static_assert(!IsSmartPointer<T>::value,
                  "a pool of smart pointers needs a factory that makes the "
                  "pointee, e.g. [&] { return prototype.Clone(); }");
  }
  Resetter<T> r;
  if constexpr (!std::is_same_v<std::decay_t<R>, std::nullptr_t>) {
    r = Resetter<T>(std::forward<R>(reset));
  }
  return std::make_shared<const PoolConfig<T>>(options, std::move(f),
                                               std::move(r));
}

// Relaxed-atomic counter written by one thread at a time (the engine's
// owner, or under the engine's lock): a load and a store, no locked RMW.
class OwnedCounter {
 public:
  void Add(int64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void Max(int64_t n) {
    if (n > v_.load(std::memory_order_relaxed)) {
      v_.store(n, std::memory_order_relaxed);
    }
  }
  int64_t Get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

// Relaxed-atomic counter that any thread may bump.
class SharedCounter {
 public:
  void Add(int64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  int64_t Get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

// The pool engine: idle list, limits and counters. Not thread-safe: every
// method except the Foreign* ones must be called by one thread at a time
// (Pool: its user; SharedPool: under its mutex; ThreadLocalPool: the slot's
// owner thread). Foreign* methods may be called from any thread.
template <class T>
class PoolCore {
 public:
  explicit PoolCore(std::shared_ptr<const PoolConfig<T>> config)
      : config_(std::move(config)) {
    if (!config_->disabled) {
      idle_.reserve(config_->options.capacity);
      if (config_->options.preinitialize) {
        for (size_t i = 0; i < config_->options.capacity; ++i) {
          idle_.push_back(config_->factory().release());
          created_.Add();
          ++owned_;
        }
      }
    }
  }

  ~PoolCore() { DestroyIdle(); }

  PoolCore(const PoolCore&) = delete;
  PoolCore& operator=(const PoolCore&) = delete;

  const PoolConfig<T>& config() const { return *config_; }

  // Pops an idle object (a hit), or nullptr.
  T* PopIdle() {
    if (idle_.empty()) return nullptr;
    T* obj = idle_.back();
    idle_.pop_back();
    hits_.Add();
    CountAcquisition();
    return obj;
  }

  // Claims the right to create one more owned object (a miss); false, and
  // one more "exhausted", at the limit.
  bool ReserveNew() {
    const size_t owned = this->owned();
    if (owned >= config_->limit) return false;
    if (owned >= config_->options.capacity) growth_.Add();
    ++owned_;
    misses_.Add();
    CountAcquisition();
    return true;
  }
  void CountExhausted() { exhausted_.Add(); }

  // Creates an object for a successful ReserveNew (callable outside the
  // owner's lock: touches only the shared counter).
  T* CreateReserved() {
    created_foreign_.Add();
    return config_->factory().release();
  }

  // Creates a transient object for Acquire at the limit: a miss and an
  // overflow; it is destroyed on release (see ReleaseTransient).
  T* CreateTransient() {
    CountOverflowAcquisition();
    return CreateReserved();
  }
  // The bookkeeping part of CreateTransient (owner / under the lock).
  void CountOverflowAcquisition() {
    misses_.Add();
    overflows_.Add();
    CountAcquisition();
  }

  // Runs the reset step on an object being released; any thread that owns
  // the object may call it. Returns whether a reset ran.
  bool ResetForReuse(T& obj) const {
    if (config_->disabled || !config_->reset) return false;
    config_->reset(obj);
    return true;
  }

  // Takes back an owned object already passed through ResetForReuse, or,
  // with pooling disabled, forgets it: returns true when the caller must
  // delete it.
  bool PutBack(T* obj, bool was_reset) {
    releases_.Add();
    if (was_reset) resets_.Add();
    if (config_->disabled) {
      --owned_;
      destroyed_.Add();
      return true;
    }
    idle_.push_back(obj);
    return false;
  }

  // Same as ResetForReuse + PutBack, for the owner.
  void Release(T* obj) {
    const bool was_reset = ResetForReuse(*obj);
    if (PutBack(obj, was_reset)) delete obj;
  }

  // Bookkeeping for an object released by a non-owner thread into the
  // foreign queue (ThreadLocalPool); any thread.
  void CountForeignRelease(bool was_reset) {
    releases_foreign_.Add();
    if (was_reset) resets_foreign_.Add();
  }

  // Releases a transient object; any thread.
  void ReleaseTransient(T* obj) {
    releases_foreign_.Add();
    destroyed_foreign_.Add();
    delete obj;
  }

  // Adds objects returned by other threads to the idle list (owner only).
  void AdoptIdle(std::vector<T*>& objs) {
    idle_.insert(idle_.end(), objs.begin(), objs.end());
    objs.clear();
  }

  // With pooling disabled, a foreign release also forgets (and the caller
  // deletes) the object; any thread.
  void ForgetForeign() {
    forgotten_foreign_.Add();
    destroyed_foreign_.Add();
  }

  // Destroys every idle object (owner only).
  void DestroyIdle() {
    for (T* obj : idle_) delete obj;
    destroyed_.Add(static_cast<int64_t>(idle_.size()));
    owned_ -= idle_.size();
    idle_.clear();
  }

  size_t idle() const { return idle_.size(); }
  size_t owned() const {
    return owned_ - static_cast<size_t>(forgotten_foreign_.Get());
  }

  PoolStatistics Statistics() const {
    PoolStatistics s;
    s.objects_created = created_.Get() + created_foreign_.Get();
    s.objects_destroyed = destroyed_.Get() + destroyed_foreign_.Get();
    s.hits = hits_.Get();
    s.misses = misses_.Get();
    s.acquisitions = acquisitions_.Get();
    s.releases = releases_.Get() + releases_foreign_.Get();
    s.resets = resets_.Get() + resets_foreign_.Get();
    s.growth_events = growth_.Get();
    s.exhausted = exhausted_.Get();
    s.overflows = overflows_.Get();
    s.in_use = s.acquisitions - s.releases;
    s.peak_in_use = peak_in_use_.Get();
    return s;
  }

 private:
  void CountAcquisition() {
    acquisitions_.Add();
    peak_in_use_.Max(acquisitions_.Get() - releases_.Get() -
                     releases_foreign_.Get());
  }

  std::shared_ptr<const PoolConfig<T>> config_;
  std::vector<T*> idle_;  // Owned.
  size_t owned_ = 0;      // Idle + handed out (transients excluded).

  OwnedCounter created_, destroyed_, hits_, misses_, acquisitions_, releases_,
      resets_, growth_, exhausted_, overflows_, peak_in_use_;
  SharedCounter created_foreign_, destroyed_foreign_, releases_foreign_,
      resets_foreign_, forgotten_foreign_;
};

// Builds handles; the only way to make a non-empty PoolHandle.
struct HandleAccess {
  template <class T>
  static PoolHandle<T> Make(T* obj, void (*ret)(void*, T*), void* owner) {
    return PoolHandle<T>(obj, ret, owner);
  }
};

template <class T>
absl::Status ExhaustedError(const char* pool_name, const PoolConfig<T>& c) {
  return absl::ResourceExhaustedError(absl::StrCat(
      pool_name, "::TryAcquire: all ", c.limit,
      " objects are in use (growth policy ",
      c.options.growth == GrowthPolicy::kFixed ? "kFixed, capacity "
                                               : "kGrow, max_size ",
      c.limit, "); release a handle, raise the limit, or use kGrow"));
}

}  // namespace pool_internal

// A move-only RAII handle on a pooled object: gives the object back to the
// pool it came from when destroyed (or on Release()). The handle carries its
// own return path, so an object can only go back to its own pool, exactly
// once; a moved-from or released handle is empty and does nothing.
// The pool must outlive its handles.
template <class T>
class PoolHandle {
 public:
  PoolHandle() = default;
  PoolHandle(PoolHandle&& other) noexcept
      : obj_(std::exchange(other.obj_, nullptr)),
        return_(std::exchange(other.return_, nullptr)),
        owner_(std::exchange(other.owner_, nullptr)) {}
  PoolHandle& operator=(PoolHandle&& other) noexcept {
    if (this != &other) {
      Release();
      obj_ = std::exchange(other.obj_, nullptr);
      return_ = std::exchange(other.return_, nullptr);
      owner_ = std::exchange(other.owner_, nullptr);
    }
    return *this;
  }
  PoolHandle(const PoolHandle&) = delete;
  PoolHandle& operator=(const PoolHandle&) = delete;
  ~PoolHandle() { Release(); }

  // Gives the object back now (reset, then reuse); the handle becomes empty.
  // No-op on an empty handle.
  void Release() {
    if (obj_ != nullptr) {
      T* obj = std::exchange(obj_, nullptr);
      return_(owner_, obj);
    }
  }

  T* get() const { return obj_; }
  T& operator*() const { return *obj_; }
  T* operator->() const { return obj_; }
  explicit operator bool() const { return obj_ != nullptr; }

 private:
  friend struct pool_internal::HandleAccess;
  PoolHandle(T* obj, void (*ret)(void*, T*), void* owner)
      : obj_(obj), return_(ret), owner_(owner) {}

  T* obj_ = nullptr;
  void (*return_)(void*, T*) = nullptr;
  void* owner_ = nullptr;
};

// A single-threaded object pool: the fastest, for one thread (or one owner
// at a time). Not thread-safe: use SharedPool or ThreadLocalPool to share.
//
//   Pool<Workspace> pool({.capacity = 4});
//   {
//     PoolHandle<Workspace> ws = pool.Acquire();
//     ws->Resize(n);
//   }  // ws->Reset() runs here and the object goes back to the pool.
//
// Acquire and release of an idle object touch no lock and allocate nothing
// (the idle list is sized for `capacity` up front; it may grow under kGrow).
template <class T>
class Pool {
 public:
  // Objects are made by `T()` and reset by `T::Reset()` if T has one. Does
  // not compile when T has no default constructor or is a smart pointer
  // (give a factory). A pool of std::unique_ptr<U> resets with U::Reset().
  explicit Pool(PoolOptions options = {})
      : core_(pool_internal::MakeConfig<T>(options, nullptr, nullptr)) {}

  // `factory` returns std::unique_ptr<T>, T* (owned) or a T (nullptr: the
  // default); `reset(T&)` replaces T::Reset() (nullptr: the default).
  template <class F>
  Pool(PoolOptions options, F&& factory)
      : core_(pool_internal::MakeConfig<T>(options, std::forward<F>(factory),
                                           nullptr)) {}
  template <class F, class R>
  Pool(PoolOptions options, F&& factory, R&& reset)
      : core_(pool_internal::MakeConfig<T>(options, std::forward<F>(factory),
                                           std::forward<R>(reset))) {}

  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Returns an idle object (hit) or a new one (miss). At the limit (kFixed
  // with every object out, or kGrow at max_size) it never fails: it hands
  // out a transient object, destroyed on release, and counts an overflow.
  PoolHandle<T> Acquire() {
    if (T* obj = core_.PopIdle()) return MakeHandle(obj, &ReturnOwned);
    if (core_.ReserveNew()) {
      return MakeHandle(core_.CreateReserved(), &ReturnOwned);
    }
    return MakeHandle(core_.CreateTransient(), &ReturnTransient);
  }

  // Like Acquire, but at the limit returns ResourceExhausted (and counts it)
  // instead of a transient object.
  absl::StatusOr<PoolHandle<T>> TryAcquire() {
    if (T* obj = core_.PopIdle()) return MakeHandle(obj, &ReturnOwned);
    if (core_.ReserveNew()) {
      return MakeHandle(core_.CreateReserved(), &ReturnOwned);
    }
    core_.CountExhausted();
    return pool_internal::ExhaustedError("Pool", core_.config());
  }

  // Destroys the idle objects (handed-out ones are untouched).
  void Clear() { core_.DestroyIdle(); }

  // Counters so far.
  PoolStatistics Statistics() const { return core_.Statistics(); }
  size_t idle() const { return core_.idle(); }
  // Objects owned: idle plus handed out (transients excluded).
  size_t size() const { return core_.owned(); }
  bool pooling_disabled() const { return core_.config().disabled; }
  const PoolOptions& options() const { return core_.config().options; }

 private:
  PoolHandle<T> MakeHandle(T* obj, void (*ret)(void*, T*)) {
    return pool_internal::HandleAccess::Make(obj, ret, &core_);
  }
  static void ReturnOwned(void* core, T* obj) {
    static_cast<pool_internal::PoolCore<T>*>(core)->Release(obj);
  }
  static void ReturnTransient(void* core, T* obj) {
    static_cast<pool_internal::PoolCore<T>*>(core)->ReleaseTransient(obj);
  }

  pool_internal::PoolCore<T> core_;
};

}  // namespace eclipsera::pool

#endif  // ECLIPSERA_POOL_OBJECT_POOL_H_
