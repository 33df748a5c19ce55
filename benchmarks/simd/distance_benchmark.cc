// Distance kernels of eclipsera/simd against the plain scalar loop and the
// equivalent Eigen expression (which, without -march flags, runs at SSE2
// width), reporting FLOP/s or bytes/s.
#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "Eigen/Core"
#include "benchmark/benchmark.h"
#include "benchmarks/common/benchmark_main.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/simd/distance.h"

namespace eclipsera {
namespace {

using RowMatrix =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapMatrix = Eigen::Map<const RowMatrix>;
using MapVector = Eigen::Map<const Eigen::RowVectorXd>;

enum Impl : int { kSimd = 0, kScalar = 1, kEigen = 2 };

std::vector<double> Random(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(size);
  for (double& x : v) x = dist(rng);
  return v;
}

void SetLabel(benchmark::State& state, Impl impl) {
  state.SetLabel(impl == kSimd     ? simd::DispatchedTargetName()
                 : impl == kScalar ? "scalar"
                                   : "eigen");
}

void FlopCounter(benchmark::State& state, double flops_per_iteration) {
  state.counters["FLOP/s"] = benchmark::Counter(
      flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
}

// --------------------------------------------------------------- scalar

double ScalarSquaredL2(const double* a, const double* b, size_t d) {
  double s = 0.0;
  for (size_t j = 0; j < d; ++j) s += (a[j] - b[j]) * (a[j] - b[j]);
  return s;
}

double ScalarL1(const double* a, const double* b, size_t d) {
  double s = 0.0;
  for (size_t j = 0; j < d; ++j) s += std::abs(a[j] - b[j]);
  return s;
}

double ScalarDot(const double* a, const double* b, size_t d) {
  double s = 0.0;
  for (size_t j = 0; j < d; ++j) s += a[j] * b[j];
  return s;
}

// ----------------------------------------------------- pairwise, d long

// Args: d, impl. One pair of vectors of length d (kernels are memory/latency
// bound at small d, FMA bound at large d).
void BM_SquaredL2(benchmark::State& state) {
  const size_t d = bench::SmokeMode() ? 37 : state.range(0);
  const Impl impl = static_cast<Impl>(state.range(1));
  const std::vector<double> a = Random(d, 1), b = Random(d, 2);
  const MapVector ea(a.data(), d), eb(b.data(), d);
  for (auto _ : state) {
    double r;
    if (impl == kSimd) {
      r = simd::SquaredL2(a.data(), b.data(), d);
    } else if (impl == kScalar) {
      r = ScalarSquaredL2(a.data(), b.data(), d);
    } else {
      r = (ea - eb).squaredNorm();
    }
    benchmark::DoNotOptimize(r);
  }
  SetLabel(state, impl);
  state.SetBytesProcessed(state.iterations() * 2 * d * sizeof(double));
  FlopCounter(state, 3.0 * d);
}

void BM_Dot(benchmark::State& state) {
  const size_t d = bench::SmokeMode() ? 37 : state.range(0);
  const Impl impl = static_cast<Impl>(state.range(1));
  const std::vector<double> a = Random(d, 1), b = Random(d, 2);
  const MapVector ea(a.data(), d), eb(b.data(), d);
  for (auto _ : state) {
    double r;
    if (impl == kSimd) {
      r = simd::Dot(a.data(), b.data(), d);
    } else if (impl == kScalar) {
      r = ScalarDot(a.data(), b.data(), d);
    } else {
      r = ea.dot(eb);
    }
    benchmark::DoNotOptimize(r);
  }
  SetLabel(state, impl);
  state.SetBytesProcessed(state.iterations() * 2 * d * sizeof(double));
  FlopCounter(state, 2.0 * d);
}

void BM_L1(benchmark::State& state) {
  const size_t d = bench::SmokeMode() ? 37 : state.range(0);
  const Impl impl = static_cast<Impl>(state.range(1));
  const std::vector<double> a = Random(d, 1), b = Random(d, 2);
  const MapVector ea(a.data(), d), eb(b.data(), d);
  for (auto _ : state) {
    double r;
    if (impl == kSimd) {
      r = simd::L1(a.data(), b.data(), d);
    } else if (impl == kScalar) {
      r = ScalarL1(a.data(), b.data(), d);
    } else {
      r = (ea - eb).cwiseAbs().sum();
    }
    benchmark::DoNotOptimize(r);
  }
  SetLabel(state, impl);
  state.SetBytesProcessed(state.iterations() * 2 * d * sizeof(double));
}

void PairwiseArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"d", "impl"});
  for (int d : {64, 1024, 16384}) {
    for (int impl : {kSimd, kScalar, kEigen}) b->Args({d, impl});
  }
}
BENCHMARK(BM_SquaredL2)->Apply(PairwiseArgs);
BENCHMARK(BM_Dot)->Apply(PairwiseArgs);
BENCHMARK(BM_L1)->Apply(PairwiseArgs);

// ------------------------------------------------------- row to rows

// Args: n, d, impl. out[i] = ||x - rows_i||^2.
void BM_SquaredL2RowToRows(benchmark::State& state) {
  const bool smoke = bench::SmokeMode();
  const size_t n = smoke ? 33 : state.range(0);
  const size_t d = smoke ? 5 : state.range(1);
  const Impl impl = static_cast<Impl>(state.range(2));
  const std::vector<double> x = Random(d, 1), rows = Random(n * d, 2);
  std::vector<double> out(n);
  const MapMatrix erows(rows.data(), n, d);
  const MapVector ex(x.data(), d);
  Eigen::Map<Eigen::VectorXd> eout(out.data(), n);
  for (auto _ : state) {
    if (impl == kSimd) {
      simd::SquaredL2RowToRows(x.data(), rows.data(), n, d, d, out.data());
    } else if (impl == kScalar) {
      for (size_t i = 0; i < n; ++i) {
        out[i] = ScalarSquaredL2(x.data(), rows.data() + i * d, d);
      }
    } else {
      eout.noalias() = (erows.rowwise() - ex).rowwise().squaredNorm();
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  SetLabel(state, impl);
  state.SetBytesProcessed(state.iterations() * n * d * sizeof(double));
  FlopCounter(state, 3.0 * n * d);
}

void BM_RowSquaredNorms(benchmark::State& state) {
  const bool smoke = bench::SmokeMode();
  const size_t n = smoke ? 33 : state.range(0);
  const size_t d = smoke ? 5 : state.range(1);
  const Impl impl = static_cast<Impl>(state.range(2));
  const std::vector<double> x = Random(n * d, 2);
  std::vector<double> out(n);
  const MapMatrix ex(x.data(), n, d);
  Eigen::Map<Eigen::VectorXd> eout(out.data(), n);
  for (auto _ : state) {
    if (impl == kSimd) {
      simd::RowSquaredNorms(x.data(), n, d, d, out.data());
    } else if (impl == kScalar) {
      for (size_t i = 0; i < n; ++i) {
        out[i] = ScalarDot(x.data() + i * d, x.data() + i * d, d);
      }
    } else {
      eout.noalias() = ex.rowwise().squaredNorm();
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  SetLabel(state, impl);
  state.SetBytesProcessed(state.iterations() * n * d * sizeof(double));
  FlopCounter(state, 2.0 * n * d);
}

void RowArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "d", "impl"});
  for (int d : {2, 64}) {
    for (int impl : {kSimd, kScalar, kEigen}) b->Args({16384, d, impl});
  }
}
BENCHMARK(BM_SquaredL2RowToRows)->Apply(RowArgs);
BENCHMARK(BM_RowSquaredNorms)->Apply(RowArgs);

// Args: n, k, impl.
void BM_ArgMinRows(benchmark::State& state) {
  const bool smoke = bench::SmokeMode();
  const size_t n = smoke ? 33 : state.range(0);
  const size_t k = smoke ? 5 : state.range(1);
  const Impl impl = static_cast<Impl>(state.range(2));
  const std::vector<double> m = Random(n * k, 3);
  std::vector<int32_t> argmin(n);
  std::vector<double> min_value(n);
  const MapMatrix em(m.data(), n, k);
  for (auto _ : state) {
    if (impl == kSimd) {
      simd::ArgMinRows(m.data(), n, k, k, argmin.data(), min_value.data());
    } else if (impl == kScalar) {
      for (size_t i = 0; i < n; ++i) {
        const double* row = m.data() + i * k;
        size_t best = 0;
        for (size_t j = 1; j < k; ++j) {
          if (row[j] < row[best]) best = j;
        }
        argmin[i] = static_cast<int32_t>(best);
        min_value[i] = row[best];
      }
    } else {
      for (size_t i = 0; i < n; ++i) {
        Eigen::Index j;
        min_value[i] = em.row(i).minCoeff(&j);
        argmin[i] = static_cast<int32_t>(j);
      }
    }
    benchmark::DoNotOptimize(argmin.data());
    benchmark::ClobberMemory();
  }
  SetLabel(state, impl);
  state.SetBytesProcessed(state.iterations() * n * k * sizeof(double));
}
BENCHMARK(BM_ArgMinRows)
    ->ArgNames({"n", "k", "impl"})
    ->Args({16384, 64, kSimd})
    ->Args({16384, 64, kScalar})
    ->Args({16384, 64, kEigen});

// -------------------------------------------------- block distances

struct BlockData {
  size_t n, k, d;
  std::vector<double> x, c, xsq, csq;
  BlockData(size_t n_, size_t k_, size_t d_) : n(n_), k(k_), d(d_) {
    x = Random(n * d, 4);
    c = Random(k * d, 5);
    xsq.resize(n);
    csq.resize(k);
    simd::RowSquaredNorms(x.data(), n, d, d, xsq.data());
    simd::RowSquaredNorms(c.data(), k, d, d, csq.data());
  }
};

// Scalar GEMM-identity block (the plain loop a C++ programmer would write).
void ScalarBlock(const BlockData& b, double* out) {
  for (size_t i = 0; i < b.n; ++i) {
    for (size_t j = 0; j < b.k; ++j) {
      const double dot =
          ScalarDot(b.x.data() + i * b.d, b.c.data() + j * b.d, b.d);
      out[i * b.k + j] = std::max(0.0, b.xsq[i] + b.csq[j] - 2.0 * dot);
    }
  }
}

// Eigen GEMM: out = max(0, xsq 1' + 1 csq' - 2 X C').
void EigenBlock(const BlockData& b, RowMatrix* out) {
  const MapMatrix ex(b.x.data(), b.n, b.d), ec(b.c.data(), b.k, b.d);
  const Eigen::Map<const Eigen::VectorXd> exsq(b.xsq.data(), b.n);
  const Eigen::Map<const Eigen::RowVectorXd> ecsq(b.csq.data(), b.k);
  out->noalias() = -2.0 * ex * ec.transpose();
  out->colwise() += exsq;
  out->rowwise() += ecsq;
  *out = out->cwiseMax(0.0);
}

// Args: n, k, d, impl. Full n x k distance block.
void BM_SquaredL2Block(benchmark::State& state) {
  const bool smoke = bench::SmokeMode();
  const size_t n = smoke ? 37 : state.range(0);
  const size_t k = smoke ? 11 : state.range(1);
  const size_t d = smoke ? 7 : state.range(2);
  const Impl impl = static_cast<Impl>(state.range(3));
  const BlockData b(n, k, d);
  std::vector<double> scratch(simd::BlockScratchSize(k, d));
  RowMatrix out(n, k);
  for (auto _ : state) {
    if (impl == kSimd) {
      simd::SquaredL2Block(b.x.data(), n, d, b.xsq.data(), b.c.data(), k, d,
                           b.csq.data(), d, out.data(), k, scratch.data());
    } else if (impl == kScalar) {
      ScalarBlock(b, out.data());
    } else {
      EigenBlock(b, &out);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  SetLabel(state, impl);
  FlopCounter(state, 2.0 * n * k * d);
}

// Args: n, k, d, impl. Labels and minimum distances (K-Means assignment).
void BM_NearestCenters(benchmark::State& state) {
  const bool smoke = bench::SmokeMode();
  const size_t n = smoke ? 37 : state.range(0);
  const size_t k = smoke ? 11 : state.range(1);
  const size_t d = smoke ? 7 : state.range(2);
  const Impl impl = static_cast<Impl>(state.range(3));
  const BlockData b(n, k, d);
  std::vector<double> scratch(simd::BlockScratchSize(k, d));
  std::vector<int32_t> labels(n);
  std::vector<double> min_sqdist(n);
  RowMatrix out(impl == kSimd ? 0 : n, k);
  for (auto _ : state) {
    if (impl == kSimd) {
      simd::NearestCenters(b.x.data(), n, d, b.xsq.data(), b.c.data(), k, d,
                           b.csq.data(), d, labels.data(), min_sqdist.data(),
                           scratch.data());
    } else {
      if (impl == kScalar) {
        ScalarBlock(b, out.data());
      } else {
        EigenBlock(b, &out);
      }
      for (size_t i = 0; i < n; ++i) {
        Eigen::Index j;
        min_sqdist[i] = out.row(i).minCoeff(&j);
        labels[i] = static_cast<int32_t>(j);
      }
    }
    benchmark::DoNotOptimize(labels.data());
    benchmark::ClobberMemory();
  }
  SetLabel(state, impl);
  FlopCounter(state, 2.0 * n * k * d);
}

void BlockArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "k", "d", "impl"});
  for (const auto& s : std::vector<std::vector<int>>{
           {4096, 64, 64}, {4096, 8, 64}, {4096, 256, 32}, {2048, 64, 784}}) {
    for (int impl : {kSimd, kScalar, kEigen}) {
      b->Args({s[0], s[1], s[2], impl});
    }
  }
}
BENCHMARK(BM_SquaredL2Block)->Apply(BlockArgs);
BENCHMARK(BM_NearestCenters)->Apply(BlockArgs);

// Args: n, k, d, n_jobs. The K-Means assignment step at the roadmap's size
// (n = 1e6, d = 64, k = 64), chunked over the process pool with per-worker
// scratch, SIMD only.
void BM_NearestCentersParallel(benchmark::State& state) {
  const bool smoke = bench::SmokeMode();
  const size_t n = smoke ? 5000 : state.range(0);
  const size_t k = smoke ? 11 : state.range(1);
  const size_t d = smoke ? 7 : state.range(2);
  const int n_jobs = static_cast<int>(state.range(3));
  const BlockData b(n, k, d);
  const Index chunk = 4096;
  const int workers = NumWorkers(n_jobs, NumChunks(n, chunk));
  const size_t scratch_size = simd::BlockScratchSize(k, d);
  std::vector<double> scratch(scratch_size * workers);
  std::vector<int32_t> labels(n);
  std::vector<double> min_sqdist(n);
  for (auto _ : state) {
    ParallelForChunks(n_jobs, n, chunk, [&](Index begin, Index end, int w) {
      simd::NearestCenters(b.x.data() + begin * d, end - begin, d,
                           b.xsq.data() + begin, b.c.data(), k, d, b.csq.data(),
                           d, labels.data() + begin, min_sqdist.data() + begin,
                           scratch.data() + w * scratch_size);
    });
    benchmark::DoNotOptimize(labels.data());
    benchmark::ClobberMemory();
  }
  state.SetLabel(simd::DispatchedTargetName());
  FlopCounter(state, 2.0 * n * k * d);
}
BENCHMARK(BM_NearestCentersParallel)
    ->ArgNames({"n", "k", "d", "n_jobs"})
    ->Args({1000000, 64, 64, 1})
    ->Args({1000000, 64, 64, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace eclipsera
