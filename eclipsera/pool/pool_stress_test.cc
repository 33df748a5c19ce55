// Multi-threaded stress tests for SharedPool, ThreadLocalPool (including
// cross-thread release and thread churn) and ArrayPool. Run under
// --config=tsan and --config=asan: no races, nothing leaked.
#include <atomic>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "eclipsera/pool/pool.h"
#include "gtest/gtest.h"

namespace eclipsera::pool {
namespace {

std::atomic<int> g_live{0};

struct Work {
  std::vector<double> buffer = std::vector<double>(32, 0.0);
  int64_t owner = -1;
  Work() { g_live.fetch_add(1, std::memory_order_relaxed); }
  ~Work() { g_live.fetch_sub(1, std::memory_order_relaxed); }
  void Reset() {
    owner = -1;
    for (double& v : buffer) v = 0.0;
  }
};

// Uses an object exclusively: any sharing would corrupt it (and TSan sees).
void Use(Work& w, int64_t who) {
  EXPECT_EQ(w.owner, -1) << "handed out while in use, or not reset";
  w.owner = who;
  for (double& v : w.buffer) v += 1.0;
  EXPECT_EQ(w.buffer[7], 1.0);
}

constexpr int kThreads = 4;
constexpr int kIters = 3000;

class PoolStressTest : public ::testing::Test {
 protected:
  void SetUp() override { g_live.store(0); }
  void TearDown() override { EXPECT_EQ(g_live.load(), 0) << "leaked"; }
  ScopedPoolingDisabled on_{false};
};

TEST_F(PoolStressTest, SharedPoolManyThreads) {
  PoolOptions options;
  options.capacity = 2;
  options.max_size = 3;
  SharedPool<Work> pool(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&pool, t] {
      for (int i = 0; i < kIters; ++i) {
        PoolHandle<Work> h = pool.Acquire();  // May overflow: transient.
        Use(*h, t);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.acquisitions, kThreads * kIters);
  EXPECT_EQ(s.releases, kThreads * kIters);
  EXPECT_EQ(s.hits + s.misses, s.acquisitions);
  EXPECT_EQ(s.in_use, 0);
  EXPECT_LE(pool.size(), 3u);
  EXPECT_EQ(s.objects_created - s.objects_destroyed,
            static_cast<int64_t>(pool.size()));
}

TEST_F(PoolStressTest, ThreadLocalPoolWithCrossThreadRelease) {
  PoolOptions options;
  options.capacity = 4;
  ThreadLocalPool<Work> pool(options);
  // Each thread acquires objects and hands every other one to its
  // neighbour through a mailbox, which releases it: cross-thread release.
  struct Mailbox {
    std::mutex mu;
    std::vector<PoolHandle<Work>> items;
  };
  std::vector<Mailbox> boxes(kThreads);
  std::atomic<int> finished{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Mailbox& mine = boxes[t];
      Mailbox& next = boxes[(t + 1) % kThreads];
      auto drain = [&mine] {
        std::vector<PoolHandle<Work>> got;
        {
          std::lock_guard<std::mutex> lock(mine.mu);
          got.swap(mine.items);
        }
        got.clear();  // Releases objects acquired on another thread.
      };
      for (int i = 0; i < kIters; ++i) {
        PoolHandle<Work> h = pool.Acquire();
        Use(*h, t);
        if (i % 2 == 0) {
          std::lock_guard<std::mutex> lock(next.mu);
          next.items.push_back(std::move(h));
        }
        if (i % 16 == 0) drain();
      }
      finished.fetch_add(1);
      while (finished.load() < kThreads) {
        drain();
        std::this_thread::yield();
      }
      drain();
    });
  }
  for (std::thread& t : threads) t.join();
  for (Mailbox& b : boxes) b.items.clear();
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.acquisitions, kThreads * kIters);
  EXPECT_EQ(s.releases, kThreads * kIters);
  EXPECT_EQ(s.resets, kThreads * kIters);
  EXPECT_EQ(s.hits + s.misses, s.acquisitions);
  EXPECT_EQ(s.in_use, 0);
  // Every odd iteration releases on the acquiring thread, so the next
  // acquisition there finds an idle object whatever the interleaving.
  EXPECT_GE(s.hits, kThreads * (kIters / 2 - 1))
      << "objects came back and were reused";
  EXPECT_LE(pool.num_slots(), static_cast<size_t>(kThreads));
}

TEST_F(PoolStressTest, ThreadLocalPoolThreadChurn) {
  ThreadLocalPool<Work> pool;
  for (int round = 0; round < 8; ++round) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&pool, t] {
        for (int i = 0; i < 200; ++i) {
          PoolHandle<Work> a = pool.Acquire();
          PoolHandle<Work> b = pool.Acquire();
          Use(*a, t);
          Use(*b, t);
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }
  EXPECT_LE(pool.num_slots(), static_cast<size_t>(kThreads))
      << "exited threads' slots are adopted, not leaked";
  const PoolStatistics s = pool.Statistics();
  EXPECT_LE(s.objects_created, 2 * kThreads);
  EXPECT_EQ(s.in_use, 0);
}

TEST_F(PoolStressTest, ThreadLocalPoolDestroyedWhileThreadsLive) {
  for (int round = 0; round < 20; ++round) {
    auto pool = std::make_unique<ThreadLocalPool<Work>>();
    std::atomic<int> used{0};
    std::atomic<bool> destroyed{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        {
          PoolHandle<Work> h = pool->Acquire();
          Use(*h, t);
        }
        used.fetch_add(1);
        while (!destroyed.load()) std::this_thread::yield();
      });
    }
    while (used.load() < 2) std::this_thread::yield();
    pool.reset();
    destroyed.store(true);
    for (std::thread& t : threads) t.join();
  }
}

TEST_F(PoolStressTest, ArrayPoolManyThreads) {
  ArrayPoolOptions options;
  options.per_key_capacity = 2;
  ArrayPool pool(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&pool, t] {
      for (int i = 0; i < 500; ++i) {
        const int64_t rows = 8 + (i + t) % 3;
        absl::StatusOr<ArrayHandle<double>> a = pool.Zeros(rows, 4);
        ASSERT_TRUE(a.ok());
        EXPECT_EQ(a->matrix().sum(), 0.0);
        a->matrix().setConstant(t + 1.0);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const PoolStatistics s = pool.Statistics();
  EXPECT_EQ(s.acquisitions, kThreads * 500);
  EXPECT_EQ(s.releases, kThreads * 500);
  EXPECT_EQ(s.in_use, 0);
  EXPECT_LE(pool.buffers_held(), 6u);
}

}  // namespace
}  // namespace eclipsera::pool
