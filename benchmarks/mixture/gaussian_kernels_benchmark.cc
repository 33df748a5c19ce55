// Micro-benchmarks of the Gaussian-mixture SIMD kernels (eclipsera/simd/
// gaussian.h) on the GaussianMixture table's shape (100,000 x 32, 16
// components), one thread, next to the Eigen expressions they replaced.
// Rates are in flops (one FMA = 2) of the useful (triangular) work.
#include <cmath>
#include <cstddef>
#include <vector>

#include "Eigen/Core"
#include "benchmark/benchmark.h"
#include "benchmarks/common/benchmark_main.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/random.h"
#include "eclipsera/simd/gaussian.h"

namespace eclipsera {
namespace {

constexpr Index kD = 32, kK = 16;

Index Rows() { return bench::SmokeMode() ? 1000 : 100000; }

struct Data {
  Matrix x, resp, p, m;  // x n x d, resp n x k, p (k d) x d upper, m k x d
  Data() {
    Random r(7);
    const Index n = Rows();
    x.resize(n, kD);
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = r.Normal();
    resp.resize(n, kK);
    for (Index i = 0; i < n; ++i) {
      double s = 0.0;
      for (Index j = 0; j < kK; ++j) s += resp(i, j) = r.Uniform();
      resp.row(i) /= s;
    }
    p.setZero(kK * kD, kD);
    for (Index j = 0; j < kK; ++j) {
      for (Index a = 0; a < kD; ++a) {
        for (Index b = a; b < kD; ++b) {
          p(j * kD + a, b) = a == b ? 1.0 + r.Uniform() : 0.1 * r.Normal();
        }
      }
    }
    m.resize(kK, kD);
    for (Index i = 0; i < m.size(); ++i) m.data()[i] = r.Normal();
  }
};

const Data& TheData() {
  static const Data* d = new Data();
  return *d;
}

void SetRate(benchmark::State& state, double flops_per_iter) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops_per_iter * 1e-9 * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

// 'full' E-step: out_ij = -0.5 ||x_i P_j - m_j||^2 for all j.
void BM_QuadFormRows(benchmark::State& state) {
  const Data& g = TheData();
  const Index n = g.x.rows();
  Matrix out(n, kK);
  std::vector<double> scratch(simd::QuadFormScratchSize(kD));
  for (auto _ : state) {
    for (Index j = 0; j < kK; ++j) {
      simd::QuadFormRows(g.x.data(), n, kD, g.p.data() + j * kD * kD, kD, true,
                         g.m.row(j).data(), kD, -0.5, 0.0, out.data() + j, kK,
                         scratch.data());
    }
    benchmark::DoNotOptimize(out.data());
  }
  SetRate(state, 2.0 * n * kK * (kD * (kD + 1) / 2 + kD));
}

// The Eigen path it replaced: Y = X triangular(P) per 256-row chunk, then
// squared norms.
void BM_EigenQuadForm(benchmark::State& state) {
  const Data& g = TheData();
  const Index n = g.x.rows();
  Matrix out(n, kK), y(256, kD);
  for (auto _ : state) {
    for (Index b = 0; b < n; b += 256) {
      const Index rows = std::min<Index>(256, n - b);
      for (Index j = 0; j < kK; ++j) {
        Eigen::Map<const Matrix> pj(g.p.data() + j * kD * kD, kD, kD);
        y.topRows(rows).noalias() =
            g.x.middleRows(b, rows) * pj.triangularView<Eigen::Upper>();
        for (Index i = 0; i < rows; ++i) {
          out(b + i, j) = -0.5 * (y.row(i) - g.m.row(j)).squaredNorm();
        }
      }
    }
    benchmark::DoNotOptimize(out.data());
  }
  SetRate(state, 2.0 * n * kK * (kD * (kD + 1) / 2 + kD));
}

// 'full' M-step: the k responsibility-weighted covariances.
void BM_WeightedSyrkLower(benchmark::State& state) {
  const Data& g = TheData();
  const Index n = g.x.rows();
  Matrix c(kK * kD, kD);
  std::vector<double> scratch(simd::WeightedSyrkScratchSize(kD));
  for (auto _ : state) {
    c.setZero();
    for (Index j = 0; j < kK; ++j) {
      simd::WeightedSyrkLower(g.x.data(), n, kD, g.resp.data() + j, kK,
                              g.m.row(j).data(), kD, c.data() + j * kD * kD, kD,
                              scratch.data());
    }
    benchmark::DoNotOptimize(c.data());
  }
  SetRate(state, 2.0 * n * kK * (kD * (kD + 1) / 2));
}

// The Eigen path it replaced: rankUpdate of sqrt(w)-scaled centred rows.
void BM_EigenWeightedSyrk(benchmark::State& state) {
  const Data& g = TheData();
  const Index n = g.x.rows();
  Matrix c(kK * kD, kD), w(256, kD);
  for (auto _ : state) {
    c.setZero();
    for (Index j = 0; j < kK; ++j) {
      Eigen::Map<Matrix> cov(c.data() + j * kD * kD, kD, kD);
      for (Index b = 0; b < n; b += 256) {
        const Index rows = std::min<Index>(256, n - b);
        for (Index i = 0; i < rows; ++i) {
          w.row(i) =
              (g.x.row(b + i) - g.m.row(j)) * std::sqrt(g.resp(b + i, j));
        }
        cov.selfadjointView<Eigen::Lower>().rankUpdate(
            w.topRows(rows).transpose());
      }
    }
    benchmark::DoNotOptimize(c.data());
  }
  SetRate(state, 2.0 * n * kK * (kD * (kD + 1) / 2));
}

// 'diag' E-step: [x, x^2] . [lin; quad] + bias.
void BM_DotBlockWithSquares(benchmark::State& state) {
  const Data& g = TheData();
  const Index n = g.x.rows();
  Matrix out(n, kK), coef(kK, 2 * kD);
  coef.setConstant(0.25);
  Vector bias = Vector::Constant(kK, -1.0);
  std::vector<double> scratch(simd::DotBlockWithSquaresScratchSize(kK, kD));
  for (auto _ : state) {
    simd::DotBlockWithSquares(g.x.data(), n, kD, coef.data(), kK, 2 * kD, kD,
                              bias.data(), out.data(), kK, scratch.data());
    benchmark::DoNotOptimize(out.data());
  }
  SetRate(state, 2.0 * n * kK * 2 * kD);
}

// 'diag' M-step: [resp^T X | resp^T X^2].
void BM_TransposedProductAddWithSquares(benchmark::State& state) {
  const Data& g = TheData();
  const Index n = g.x.rows();
  Matrix c(kK, 2 * kD);
  std::vector<double> scratch(
      simd::TransposedProductWithSquaresScratchSize(kD));
  for (auto _ : state) {
    c.setZero();
    simd::TransposedProductAddWithSquares(g.resp.data(), n, kK, kK, g.x.data(),
                                          kD, kD, c.data(), 2 * kD,
                                          scratch.data());
    benchmark::DoNotOptimize(c.data());
  }
  SetRate(state, 2.0 * n * kK * 2 * kD);
}

// E-step normalisation: log-sum-exp and responsibilities of n x k.
void BM_LogSumExpRows(benchmark::State& state) {
  const Data& g = TheData();
  const Index n = g.x.rows();
  Matrix m = -10.0 * g.resp;
  Vector log_norm(n);
  for (auto _ : state) {
    state.PauseTiming();
    m = -10.0 * g.resp;
    state.ResumeTiming();
    simd::LogSumExpRows(m.data(), n, kK, kK, true, log_norm.data());
    benchmark::DoNotOptimize(m.data());
  }
  state.counters["exp/s"] =
      benchmark::Counter(static_cast<double>(n * kK * state.iterations()),
                         benchmark::Counter::kIsRate);
}

// The scalar loop it replaced (Eigen exp per row).
void BM_EigenLogSumExp(benchmark::State& state) {
  const Data& g = TheData();
  const Index n = g.x.rows();
  Matrix m = -10.0 * g.resp;
  Vector log_norm(n);
  for (auto _ : state) {
    state.PauseTiming();
    m = -10.0 * g.resp;
    state.ResumeTiming();
    for (Index i = 0; i < n; ++i) {
      auto row = m.row(i).array();
      double mx = row.maxCoeff();
      row = (row - mx).exp();
      const double s = row.sum();
      row /= s;
      log_norm(i) = std::log(s) + mx;
    }
    benchmark::DoNotOptimize(m.data());
  }
  state.counters["exp/s"] =
      benchmark::Counter(static_cast<double>(n * kK * state.iterations()),
                         benchmark::Counter::kIsRate);
}

BENCHMARK(BM_QuadFormRows)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EigenQuadForm)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WeightedSyrkLower)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EigenWeightedSyrk)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DotBlockWithSquares)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TransposedProductAddWithSquares)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LogSumExpRows)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EigenLogSumExp)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace eclipsera
