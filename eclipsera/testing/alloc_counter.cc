// Process-wide allocation counting behind AllocationCounter: replaces the
// global operator new/delete and the malloc family (normal builds) or
// installs sanitizer allocator hooks (ASan/TSan builds).
#include "eclipsera/testing/alloc_counter.h"

#include <malloc.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ECLIPSERA_ALLOC_COUNTER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define ECLIPSERA_ALLOC_COUNTER_SANITIZER 1
#endif
#endif
#ifndef ECLIPSERA_ALLOC_COUNTER_SANITIZER
#define ECLIPSERA_ALLOC_COUNTER_SANITIZER 0
#endif
#if defined(__SANITIZE_THREAD__)
#define ECLIPSERA_ALLOC_COUNTER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ECLIPSERA_ALLOC_COUNTER_TSAN 1
#endif
#endif
#ifndef ECLIPSERA_ALLOC_COUNTER_TSAN
#define ECLIPSERA_ALLOC_COUNTER_TSAN 0
#endif

namespace eclipsera::testing {
namespace {

constexpr int kMaxScopes = 64;

// Global tallies since process start (relaxed: they are statistics).
std::atomic<int64_t> g_allocations{0};
std::atomic<int64_t> g_deallocations{0};
std::atomic<int64_t> g_bytes{0};
std::atomic<int64_t> g_live{0};
std::atomic<int> g_active_scopes{0};

struct alignas(64) PeakSlot {
  std::atomic<int> used{0};
  std::atomic<int64_t> peak{0};
};
PeakSlot g_slots[kMaxScopes];

inline void RaisePeaks(int64_t live) {
  if (g_active_scopes.load(std::memory_order_relaxed) == 0) return;
  for (PeakSlot& slot : g_slots) {
    if (slot.used.load(std::memory_order_relaxed) == 0) continue;
    int64_t seen = slot.peak.load(std::memory_order_relaxed);
    while (seen < live && !slot.peak.compare_exchange_weak(
                              seen, live, std::memory_order_relaxed)) {
    }
  }
}

inline void OnAlloc(size_t requested, size_t usable) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(static_cast<int64_t>(requested), std::memory_order_relaxed);
  const int64_t live = g_live.fetch_add(static_cast<int64_t>(usable),
                                        std::memory_order_relaxed) +
                       static_cast<int64_t>(usable);
  RaisePeaks(live);
}

inline void OnFree(size_t usable) {
  g_deallocations.fetch_add(1, std::memory_order_relaxed);
  g_live.fetch_sub(static_cast<int64_t>(usable), std::memory_order_relaxed);
}

}  // namespace

AllocationCounter::AllocationCounter() {
  for (int i = 0; i < kMaxScopes; ++i) {
    int expected = 0;
    if (g_slots[i].used.compare_exchange_strong(expected, 1,
                                                std::memory_order_relaxed)) {
      slot_ = i;
      break;
    }
  }
  if (slot_ >= 0) g_active_scopes.fetch_add(1, std::memory_order_relaxed);
  Restart();
}

AllocationCounter::~AllocationCounter() {
  if (slot_ >= 0) {
    g_active_scopes.fetch_sub(1, std::memory_order_relaxed);
    g_slots[slot_].used.store(0, std::memory_order_relaxed);
  }
}

void AllocationCounter::Restart() {
  start_live_ = g_live.load(std::memory_order_relaxed);
  if (slot_ >= 0) {
    g_slots[slot_].peak.store(start_live_, std::memory_order_relaxed);
  }
  start_allocations_ = g_allocations.load(std::memory_order_relaxed);
  start_deallocations_ = g_deallocations.load(std::memory_order_relaxed);
  start_bytes_ = g_bytes.load(std::memory_order_relaxed);
}

int64_t AllocationCounter::allocations() const {
  return g_allocations.load(std::memory_order_relaxed) - start_allocations_;
}

int64_t AllocationCounter::deallocations() const {
  return g_deallocations.load(std::memory_order_relaxed) - start_deallocations_;
}

int64_t AllocationCounter::bytes() const {
  return g_bytes.load(std::memory_order_relaxed) - start_bytes_;
}

int64_t AllocationCounter::peak_bytes() const {
  if (slot_ < 0) return bytes();
  const int64_t peak = g_slots[slot_].peak.load(std::memory_order_relaxed);
  return peak > start_live_ ? peak - start_live_ : 0;
}

bool AllocationCounter::Supported() { return true; }
bool AllocationCounter::CountsMalloc() { return true; }

const char* AllocationCounter::Mechanism() {
  return ECLIPSERA_ALLOC_COUNTER_SANITIZER
             ? "sanitizer allocator hooks"
             : "operator new + malloc interposition";
}

}  // namespace eclipsera::testing

#if ECLIPSERA_ALLOC_COUNTER_SANITIZER

// The sanitizer runtime owns malloc and operator new; replacing them would
// break its bookkeeping, so count through its hooks instead.
extern "C" {
int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void*, size_t),
    void (*free_hook)(const volatile void*));
size_t __sanitizer_get_allocated_size(const volatile void* p);
}

namespace eclipsera::testing {
namespace {

void MallocHook(const volatile void* p, size_t size) {
  if (p == nullptr) return;
  OnAlloc(size, size);
}

void FreeHook(const volatile void* p) {
  if (p == nullptr) return;
  OnFree(__sanitizer_get_allocated_size(p));
}

[[maybe_unused]] const bool kHooksInstalled =
    __sanitizer_install_malloc_and_free_hooks(&MallocHook, &FreeHook) != 0;

}  // namespace
}  // namespace eclipsera::testing

#if ECLIPSERA_ALLOC_COUNTER_TSAN
// ThreadSanitizer runs the malloc hook for malloc/calloc/realloc and plain
// operator new, but not for the aligned entry points (its free hook does see
// their frees). Wrap those entry points here, forwarding to TSan's own
// interceptors, so every allocation is counted once.
extern "C" {
void* __interceptor_memalign(size_t alignment, size_t size);
void* __interceptor_aligned_alloc(size_t alignment, size_t size);
int __interceptor_posix_memalign(void** out, size_t alignment, size_t size);
void* __interceptor_valloc(size_t size);
void* __interceptor_pvalloc(size_t size);
}

namespace {

inline void* CountedTsan(void* p, size_t size) {
  if (p != nullptr) eclipsera::testing::OnAlloc(size, size);
  return p;
}

void* AlignedNew(size_t size, size_t alignment) {
  if (size == 0) size = 1;
  for (;;) {
    void* p = __interceptor_memalign(alignment, size);
    if (p != nullptr) return CountedTsan(p, size);
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

}  // namespace

#define ECLIPSERA_EXPORT __attribute__((visibility("default")))

extern "C" {
ECLIPSERA_EXPORT void* memalign(size_t alignment, size_t size) noexcept {
  return CountedTsan(__interceptor_memalign(alignment, size), size);
}
ECLIPSERA_EXPORT void* aligned_alloc(size_t alignment, size_t size) noexcept {
  return CountedTsan(__interceptor_aligned_alloc(alignment, size), size);
}
ECLIPSERA_EXPORT int posix_memalign(void** out, size_t alignment,
                                    size_t size) noexcept {
  const int rc = __interceptor_posix_memalign(out, alignment, size);
  if (rc == 0) CountedTsan(*out, size);
  return rc;
}
ECLIPSERA_EXPORT void* valloc(size_t size) noexcept {
  return CountedTsan(__interceptor_valloc(size), size);
}
ECLIPSERA_EXPORT void* pvalloc(size_t size) noexcept {
  return CountedTsan(__interceptor_pvalloc(size), size);
}
}  // extern "C"

ECLIPSERA_EXPORT void* operator new(size_t n, std::align_val_t a) {
  return AlignedNew(n, static_cast<size_t>(a));
}
ECLIPSERA_EXPORT void* operator new[](size_t n, std::align_val_t a) {
  return AlignedNew(n, static_cast<size_t>(a));
}
ECLIPSERA_EXPORT void* operator new(size_t n, std::align_val_t a,
                                    const std::nothrow_t&) noexcept {
  try {
    return AlignedNew(n, static_cast<size_t>(a));
  } catch (...) {
    return nullptr;
  }
}
ECLIPSERA_EXPORT void* operator new[](size_t n, std::align_val_t a,
                                      const std::nothrow_t&) noexcept {
  try {
    return AlignedNew(n, static_cast<size_t>(a));
  } catch (...) {
    return nullptr;
  }
}
#endif  // ECLIPSERA_ALLOC_COUNTER_TSAN

#else  // !ECLIPSERA_ALLOC_COUNTER_SANITIZER

// glibc's real allocator, which our replacements forward to.
extern "C" {
void* __libc_malloc(size_t size);
void __libc_free(void* p);
void* __libc_calloc(size_t n, size_t size);
void* __libc_realloc(void* p, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
void* __libc_valloc(size_t size);
void* __libc_pvalloc(size_t size);
}

namespace {

using eclipsera::testing::OnAlloc;
using eclipsera::testing::OnFree;

inline void* Counted(void* p, size_t requested) {
  if (p != nullptr) OnAlloc(requested, malloc_usable_size(p));
  return p;
}

inline void CountedFree(void* p) {
  if (p == nullptr) return;
  OnFree(malloc_usable_size(p));
  __libc_free(p);
}

// operator new semantics: retry through the new-handler, then throw.
void* NewImpl(size_t size, size_t alignment) {
  if (size == 0) size = 1;
  for (;;) {
    void* p = alignment <= alignof(std::max_align_t)
                  ? __libc_malloc(size)
                  : __libc_memalign(alignment, size);
    if (p != nullptr) return Counted(p, size);
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* NewNothrow(size_t size, size_t alignment) noexcept {
  try {
    return NewImpl(size, alignment);
  } catch (...) {
    return nullptr;
  }
}

}  // namespace

#define ECLIPSERA_EXPORT __attribute__((visibility("default")))

// ---- malloc family ----
extern "C" {
ECLIPSERA_EXPORT void* malloc(size_t size) noexcept {
  return Counted(__libc_malloc(size), size);
}
ECLIPSERA_EXPORT void free(void* p) noexcept { CountedFree(p); }
ECLIPSERA_EXPORT void* calloc(size_t n, size_t size) noexcept {
  return Counted(__libc_calloc(n, size), n * size);
}
ECLIPSERA_EXPORT void* realloc(void* p, size_t size) noexcept {
  if (p == nullptr) return malloc(size);
  const size_t old_usable = malloc_usable_size(p);
  if (size == 0) {
    CountedFree(p);
    return nullptr;
  }
  void* q = __libc_realloc(p, size);
  if (q == nullptr) return nullptr;  // p is untouched.
  // A realloc is a free of the old block plus an allocation of the new one.
  OnFree(old_usable);
  OnAlloc(size, malloc_usable_size(q));
  return q;
}
ECLIPSERA_EXPORT void* memalign(size_t alignment, size_t size) noexcept {
  return Counted(__libc_memalign(alignment, size), size);
}
ECLIPSERA_EXPORT void* aligned_alloc(size_t alignment, size_t size) noexcept {
  return Counted(__libc_memalign(alignment, size), size);
}
ECLIPSERA_EXPORT int posix_memalign(void** out, size_t alignment,
                                    size_t size) noexcept {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0 ||
      alignment == 0) {
    return EINVAL;
  }
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) return ENOMEM;
  *out = Counted(p, size);
  return 0;
}
ECLIPSERA_EXPORT void* valloc(size_t size) noexcept {
  return Counted(__libc_valloc(size), size);
}
ECLIPSERA_EXPORT void* pvalloc(size_t size) noexcept {
  return Counted(__libc_pvalloc(size), size);
}
}  // extern "C"

// ---- operator new / delete ----
ECLIPSERA_EXPORT void* operator new(size_t n) { return NewImpl(n, 0); }
ECLIPSERA_EXPORT void* operator new[](size_t n) { return NewImpl(n, 0); }
ECLIPSERA_EXPORT void* operator new(size_t n, const std::nothrow_t&) noexcept {
  return NewNothrow(n, 0);
}
ECLIPSERA_EXPORT void* operator new[](size_t n,
                                      const std::nothrow_t&) noexcept {
  return NewNothrow(n, 0);
}
ECLIPSERA_EXPORT void* operator new(size_t n, std::align_val_t a) {
  return NewImpl(n, static_cast<size_t>(a));
}
ECLIPSERA_EXPORT void* operator new[](size_t n, std::align_val_t a) {
  return NewImpl(n, static_cast<size_t>(a));
}
ECLIPSERA_EXPORT void* operator new(size_t n, std::align_val_t a,
                                    const std::nothrow_t&) noexcept {
  return NewNothrow(n, static_cast<size_t>(a));
}
ECLIPSERA_EXPORT void* operator new[](size_t n, std::align_val_t a,
                                      const std::nothrow_t&) noexcept {
  return NewNothrow(n, static_cast<size_t>(a));
}

ECLIPSERA_EXPORT void operator delete(void* p) noexcept { CountedFree(p); }
ECLIPSERA_EXPORT void operator delete[](void* p) noexcept { CountedFree(p); }
ECLIPSERA_EXPORT void operator delete(void* p, size_t) noexcept {
  CountedFree(p);
}
ECLIPSERA_EXPORT void operator delete[](void* p, size_t) noexcept {
  CountedFree(p);
}
ECLIPSERA_EXPORT void operator delete(void* p, const std::nothrow_t&) noexcept {
  CountedFree(p);
}
ECLIPSERA_EXPORT void operator delete[](void* p,
                                        const std::nothrow_t&) noexcept {
  CountedFree(p);
}
ECLIPSERA_EXPORT void operator delete(void* p, std::align_val_t) noexcept {
  CountedFree(p);
}
ECLIPSERA_EXPORT void operator delete[](void* p, std::align_val_t) noexcept {
  CountedFree(p);
}
ECLIPSERA_EXPORT void operator delete(void* p, size_t,
                                      std::align_val_t) noexcept {
  CountedFree(p);
}
ECLIPSERA_EXPORT void operator delete[](void* p, size_t,
                                        std::align_val_t) noexcept {
  CountedFree(p);
}
ECLIPSERA_EXPORT void operator delete(void* p, std::align_val_t,
                                      const std::nothrow_t&) noexcept {
  CountedFree(p);
}
ECLIPSERA_EXPORT void operator delete[](void* p, std::align_val_t,
                                        const std::nothrow_t&) noexcept {
  CountedFree(p);
}

#endif  // ECLIPSERA_ALLOC_COUNTER_SANITIZER
