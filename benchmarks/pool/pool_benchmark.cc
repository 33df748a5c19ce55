// Object and array pools against plain allocation: acquire+release of a
// small and of an estimator-sized object (Pool, SharedPool,
// ThreadLocalPool) vs new/delete, std::make_unique and construct-per-use;
// ThreadLocalPool vs SharedPool on 1 and 2 threads; ArrayPool vs fresh
// std::vector / aligned allocation for the roadmap's shapes.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "benchmark/benchmark.h"
#include "benchmarks/common/benchmark_main.h"
#include "eclipsera/pool/pool.h"

namespace eclipsera::pool {
namespace {

// 32 bytes, no reset step beyond zeroing two fields.
struct Small {
  double a = 0.0;
  double b = 0.0;
  int64_t n = 0;
  int64_t m = 0;
  void Reset() { n = m = 0; }
};

// An estimator's working state: about 6 KB of buffers (centers, labels,
// distances, counts). Reset drops fitted state and keeps the buffers.
struct EstimatorState {
  std::vector<double> centers = std::vector<double>(8 * 32);
  std::vector<double> distances = std::vector<double>(256);
  std::vector<int32_t> labels = std::vector<int32_t>(256);
  std::vector<int64_t> counts = std::vector<int64_t>(8);
  bool fitted = false;
  int n_iter = 0;
  void Reset() {
    fitted = false;
    n_iter = 0;
  }
};

template <class T>
void Touch(T& obj) {
  benchmark::DoNotOptimize(&obj);
  benchmark::ClobberMemory();
}

template <class T>
void BM_NewDelete(benchmark::State& state) {
  for (auto _ : state) {
    T* obj = new T();
    Touch(*obj);
    delete obj;
  }
}

template <class T>
void BM_MakeUnique(benchmark::State& state) {
  for (auto _ : state) {
    std::unique_ptr<T> obj = std::make_unique<T>();
    Touch(*obj);
  }
}

template <class T>
void BM_ConstructPerUse(benchmark::State& state) {
  for (auto _ : state) {
    T obj;
    Touch(obj);
  }
}

template <class T>
void BM_Pool(benchmark::State& state) {
  PoolOptions options;
  options.capacity = 4;
  options.preinitialize = true;
  Pool<T> pool(options);
  for (auto _ : state) {
    PoolHandle<T> h = pool.Acquire();
    Touch(*h);
  }
  state.counters["hit_rate"] = pool.Statistics().hit_rate();
}

template <class T>
void BM_SharedPool(benchmark::State& state) {
  static SharedPool<T>* pool = new SharedPool<T>();
  for (auto _ : state) {
    PoolHandle<T> h = pool->Acquire();
    Touch(*h);
  }
}

template <class T>
void BM_ThreadLocalPool(benchmark::State& state) {
  static ThreadLocalPool<T>* pool = new ThreadLocalPool<T>();
  for (auto _ : state) {
    PoolHandle<T> h = pool->Acquire();
    Touch(*h);
  }
}

BENCHMARK_TEMPLATE(BM_NewDelete, Small);
BENCHMARK_TEMPLATE(BM_MakeUnique, Small);
BENCHMARK_TEMPLATE(BM_ConstructPerUse, Small);
BENCHMARK_TEMPLATE(BM_Pool, Small);
BENCHMARK_TEMPLATE(BM_NewDelete, EstimatorState);
BENCHMARK_TEMPLATE(BM_MakeUnique, EstimatorState);
BENCHMARK_TEMPLATE(BM_ConstructPerUse, EstimatorState);
BENCHMARK_TEMPLATE(BM_Pool, EstimatorState);
BENCHMARK_TEMPLATE(BM_SharedPool, Small)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ThreadLocalPool, Small)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_SharedPool, EstimatorState)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_ThreadLocalPool, EstimatorState)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

// ---- Arrays: rows x cols doubles, zeroed unless stated. ----

int64_t Rows(const benchmark::State& state) {
  return bench::SmokeMode() ? 10 : state.range(0);
}
int64_t Cols(const benchmark::State& state) {
  return bench::SmokeMode() ? 3 : state.range(1);
}
void SetBytes(benchmark::State& state, int64_t rows, int64_t cols) {
  state.SetBytesProcessed(state.iterations() * rows * cols * sizeof(double));
}

void BM_ArrayVectorZeros(benchmark::State& state) {
  const int64_t rows = Rows(state), cols = Cols(state);
  for (auto _ : state) {
    std::vector<double> v(rows * cols, 0.0);
    Touch(v[0]);
  }
  SetBytes(state, rows, cols);
}

void BM_ArrayAlignedAllocZeros(benchmark::State& state) {
  const int64_t rows = Rows(state), cols = Cols(state);
  const size_t bytes = ((rows * cols * sizeof(double) + 63) / 64) * 64;
  for (auto _ : state) {
    double* p = static_cast<double*>(std::aligned_alloc(64, bytes));
    std::memset(p, 0, rows * cols * sizeof(double));
    Touch(*p);
    std::free(p);
  }
  SetBytes(state, rows, cols);
}

void BM_ArrayPoolZeros(benchmark::State& state) {
  const int64_t rows = Rows(state), cols = Cols(state);
  ArrayPool pool;
  for (auto _ : state) {
    absl::StatusOr<ArrayHandle<double>> a = pool.Zeros(rows, cols);
    Touch(*a->data());
  }
  SetBytes(state, rows, cols);
  state.counters["hit_rate"] = pool.Statistics().hit_rate();
}

void BM_ArrayAlignedAllocUninit(benchmark::State& state) {
  const int64_t rows = Rows(state), cols = Cols(state);
  const size_t bytes = ((rows * cols * sizeof(double) + 63) / 64) * 64;
  for (auto _ : state) {
    double* p = static_cast<double*>(std::aligned_alloc(64, bytes));
    p[0] = 1.0;
    Touch(*p);
    std::free(p);
  }
  SetBytes(state, rows, cols);
}

void BM_ArrayPoolUninit(benchmark::State& state) {
  const int64_t rows = Rows(state), cols = Cols(state);
  ArrayPool pool;
  for (auto _ : state) {
    absl::StatusOr<ArrayHandle<double>> a =
        pool.Acquire<double>(rows, cols, ArrayInit::kUninitialized);
    (*a)[0] = 1.0;
    Touch(*a->data());
  }
  SetBytes(state, rows, cols);
}

void ArrayShapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"rows", "cols"})
      ->Args({1000, 10})
      ->Args({5000, 20})
      ->Args({10000, 50});
}
BENCHMARK(BM_ArrayVectorZeros)->Apply(ArrayShapes);
BENCHMARK(BM_ArrayAlignedAllocZeros)->Apply(ArrayShapes);
BENCHMARK(BM_ArrayPoolZeros)->Apply(ArrayShapes);
BENCHMARK(BM_ArrayAlignedAllocUninit)->Apply(ArrayShapes);
BENCHMARK(BM_ArrayPoolUninit)->Apply(ArrayShapes);

}  // namespace
}  // namespace eclipsera::pool
