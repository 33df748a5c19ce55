// Tests for AllocationCounter: every allocation path is counted once, scopes
// nest, all threads are seen, and peak bytes track live memory.
#include "eclipsera/testing/alloc_counter.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace eclipsera::testing {
namespace {

// Keeps the compiler from eliding allocation/deallocation pairs.
std::atomic<void*> g_sink{nullptr};
template <class T>
T* Keep(T* p) {
  g_sink.store(p, std::memory_order_relaxed);
  return p;
}

struct alignas(64) Aligned64 {
  double values[8];
};

TEST(AllocationCounterTest, ReportsItsMechanism) {
  EXPECT_TRUE(AllocationCounter::Supported());
  EXPECT_TRUE(AllocationCounter::CountsMalloc());
  EXPECT_NE(std::string(AllocationCounter::Mechanism()), "");
}

TEST(AllocationCounterTest, NothingAllocatedIsZero) {
  AllocationCounter counter;
  int sum = 0;
  for (int i = 0; i < 1000; ++i) sum += i;
  EXPECT_EQ(sum, 499500);
  EXPECT_EQ(counter.allocations(), 0);
  EXPECT_EQ(counter.deallocations(), 0);
  EXPECT_EQ(counter.bytes(), 0);
  EXPECT_EQ(counter.peak_bytes(), 0);
}

TEST(AllocationCounterTest, CountsNewAndDelete) {
  AllocationCounter counter;
  int* p = Keep(new int(7));
  EXPECT_EQ(counter.allocations(), 1);
  EXPECT_EQ(counter.bytes(), static_cast<int64_t>(sizeof(int)));
  EXPECT_EQ(counter.deallocations(), 0);
  delete p;
  EXPECT_EQ(counter.deallocations(), 1);
  EXPECT_EQ(counter.net_allocations(), 0);
}

TEST(AllocationCounterTest, CountsArraysAlignedAndNothrow) {
  AllocationCounter counter;
  double* a = Keep(new double[100]);
  Aligned64* b = Keep(new Aligned64);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 64, 0u);
  Aligned64* c = Keep(new Aligned64[3]);
  int* d = Keep(new (std::nothrow) int(1));
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(counter.allocations(), 4);
  EXPECT_GE(counter.bytes(),
            static_cast<int64_t>(100 * sizeof(double) + 4 * sizeof(Aligned64) +
                                 sizeof(int)));
  delete[] a;
  delete b;
  delete[] c;
  delete d;
  EXPECT_EQ(counter.deallocations(), 4);
}

TEST(AllocationCounterTest, CountsMallocFamilyOnce) {
  AllocationCounter counter;
  void* m = Keep(std::malloc(128));
  void* c = Keep(std::calloc(4, 32));
  void* a = Keep(std::aligned_alloc(64, 256));
  void* pm = nullptr;
  ASSERT_EQ(posix_memalign(&pm, 64, 512), 0);
  Keep(pm);
  EXPECT_EQ(counter.allocations(), 4);
  EXPECT_EQ(counter.bytes(), 128 + 128 + 256 + 512);
  std::free(m);
  std::free(c);
  std::free(a);
  std::free(pm);
  EXPECT_EQ(counter.deallocations(), 4);
}

TEST(AllocationCounterTest, CountsContainers) {
  AllocationCounter counter;
  std::vector<double> v;
  v.reserve(1000);
  Keep(v.data());
  EXPECT_EQ(counter.allocations(), 1);
  EXPECT_GE(counter.bytes(), 8000);
  EXPECT_GE(counter.peak_bytes(), 8000);
}

TEST(AllocationCounterTest, PeakTracksLiveBytesNotTotal) {
  AllocationCounter counter;
  for (int i = 0; i < 4; ++i) {
    char* p = Keep(new char[1 << 20]);
    delete[] p;
  }
  EXPECT_EQ(counter.allocations(), 4);
  EXPECT_EQ(counter.bytes(), 4 << 20);
  EXPECT_GE(counter.peak_bytes(), 1 << 20);
  EXPECT_LT(counter.peak_bytes(), 2 << 20);
}

TEST(AllocationCounterTest, PeakIsRelativeToScopeStart) {
  std::unique_ptr<char[]> before(Keep(new char[1 << 20]));
  AllocationCounter counter;
  char* p = Keep(new char[1000]);
  delete[] p;
  EXPECT_GE(counter.peak_bytes(), 1000);
  EXPECT_LT(counter.peak_bytes(), 1 << 20);
}

TEST(AllocationCounterTest, ScopesNestAndRestart) {
  AllocationCounter outer;
  int* a = Keep(new int(1));
  {
    AllocationCounter inner;
    int* b = Keep(new int(2));
    EXPECT_EQ(inner.allocations(), 1);
    EXPECT_EQ(outer.allocations(), 2);
    delete b;
  }
  delete a;
  EXPECT_EQ(outer.allocations(), 2);
  outer.Restart();
  EXPECT_EQ(outer.allocations(), 0);
  EXPECT_EQ(outer.deallocations(), 0);
}

TEST(AllocationCounterTest, SeesEveryThread) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  AllocationCounter counter;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < kPerThread; ++i) {
        int* p = Keep(new int(i));
        delete p;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  // Thread creation allocates too (stacks, thread state), so at least.
  EXPECT_GE(counter.allocations(), kThreads * kPerThread);
  EXPECT_GE(counter.deallocations(), kThreads * kPerThread);
}

}  // namespace
}  // namespace eclipsera::testing
