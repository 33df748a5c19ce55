// Heap-allocation counting for tests and benchmarks: a scope object that
// reports how many allocations, how many bytes and how much peak live memory
// the code inside it used, on every thread.
//
// Linking //eclipsera/testing:alloc_counter (alwayslink) into a binary
// installs the counting hooks for the whole process:
//  * Normal builds: the global operator new/delete family (plain, sized,
//    aligned, nothrow, arrays) is replaced, and so is the malloc family
//    (malloc, calloc, realloc, free, memalign, posix_memalign, aligned_alloc,
//    valloc, pvalloc), forwarding to glibc's __libc_* allocator. Eigen's
//    aligned_malloc, std::vector, absl containers, strdup... are all counted.
//  * AddressSanitizer / ThreadSanitizer builds: the sanitizer owns malloc, so
//    nothing is replaced; the counter uses the sanitizer's allocation hooks
//    (__sanitizer_install_malloc_and_free_hooks), which see every malloc and
//    every operator new. ThreadSanitizer's hooks skip the aligned entry
//    points (memalign, aligned_alloc, posix_memalign, valloc, pvalloc,
//    aligned operator new), so under TSan those few are wrapped here and
//    forwarded to TSan's interceptors.
// Either way operator new and malloc are each counted exactly once.
//
// Counting costs a few relaxed atomic adds per allocation (plus one pass
// over the active scopes while any AllocationCounter exists); it is always
// on, so do not link this library into binaries that time raw new/delete.
#ifndef ECLIPSERA_TESTING_ALLOC_COUNTER_H_
#define ECLIPSERA_TESTING_ALLOC_COUNTER_H_

#include <cstdint>

namespace eclipsera::testing {

// Counts heap allocations made by any thread between its construction (or
// the last Restart()) and the call of an accessor. Scopes may nest and may
// exist on several threads at once; each sees every thread's allocations.
//
//   AllocationCounter counter;
//   RunHotLoop();
//   EXPECT_EQ(counter.allocations(), 0);
//
// Accessors are cheap and may be called repeatedly; the values keep growing
// while the scope lives. Thread-safe.
class AllocationCounter {
 public:
  AllocationCounter();
  ~AllocationCounter();
  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;

  // Starts counting again from zero.
  void Restart();

  // Number of successful allocation calls (new, new[], malloc, calloc,
  // realloc, aligned variants) since the start.
  int64_t allocations() const;
  // Number of deallocation calls (delete, free, realloc to 0) since the start.
  int64_t deallocations() const;
  // Bytes requested by those allocations (the size argument, not what the
  // allocator rounded it up to).
  int64_t bytes() const;
  // Allocations minus deallocations since the start (can be negative when
  // the scope frees memory allocated before it).
  int64_t net_allocations() const { return allocations() - deallocations(); }
  // Highest live heap bytes reached above the live bytes at the start
  // (measured in the allocator's usable block sizes, so slightly above the
  // requested sizes). 0 if nothing grew. If more than 64 scopes are alive
  // at once, the extra ones cannot track their peak and return bytes(), an
  // upper bound.
  int64_t peak_bytes() const;

  // True when the hooks are installed and counting (always, in the builds
  // supported: normal, ASan, TSan).
  static bool Supported();
  // True when malloc-family calls are counted, not only operator new.
  static bool CountsMalloc();
  // "operator new + malloc interposition" or "sanitizer allocator hooks".
  static const char* Mechanism();

 private:
  int slot_ = -1;
  int64_t start_allocations_ = 0;
  int64_t start_deallocations_ = 0;
  int64_t start_bytes_ = 0;
  int64_t start_live_ = 0;
};

}  // namespace eclipsera::testing

#endif  // ECLIPSERA_TESTING_ALLOC_COUNTER_H_
