// Binary search on perplexity and joint probabilities (scikit-learn 1.2's
// sklearn/manifold/_utils.pyx and _t_sne.py).
#include "eclipsera/manifold/internal/perplexity.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "eclipsera/core/parallel.h"

namespace eclipsera::manifold_internal {
namespace {

constexpr double kEpsilonDbl = 1e-8;
constexpr double kPerplexityTolerance = 1e-5;
constexpr int kSteps = 100;
constexpr Index kRowChunk = 16;

}  // namespace

double BinarySearchPerplexityRow(const float* sqd, Index k, Index skip,
                                 float desired_perplexity, double* p) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double beta_min = -kInf;
  double beta_max = kInf;
  double beta = 1.0;
  const double desired_entropy = std::log(desired_perplexity);
  for (Index j = 0; j < k; ++j) p[j] = 0.0;
  for (int l = 0; l < kSteps; ++l) {
    double sum_p = 0.0;
    for (Index j = 0; j < k; ++j) {
      if (j != skip) {
        p[j] = std::exp(-static_cast<double>(sqd[j]) * beta);
        sum_p += p[j];
      }
    }
    if (sum_p == 0.0) sum_p = kEpsilonDbl;
    double sum_disti_p = 0.0;
    for (Index j = 0; j < k; ++j) {
      p[j] /= sum_p;
      sum_disti_p += static_cast<double>(sqd[j]) * p[j];
    }
    const double entropy = std::log(sum_p) + beta * sum_disti_p;
    const double entropy_diff = entropy - desired_entropy;
    if (std::fabs(entropy_diff) <= kPerplexityTolerance) break;
    if (entropy_diff > 0.0) {
      beta_min = beta;
      beta = beta_max == kInf ? beta * 2.0 : (beta + beta_max) / 2.0;
    } else {
      beta_max = beta;
      beta = beta_min == -kInf ? beta / 2.0 : (beta + beta_min) / 2.0;
    }
  }
  return beta;
}

namespace {

struct DenseJob {
  const ConstMatrixRef* x;
  bool precomputed;
  float perplexity;
  Index chunk;
  Vector sqnorms;
  std::vector<Matrix> dist;                  // per worker: chunk x n
  std::vector<std::vector<double>> scratch;  // per worker: distance kernel
  std::vector<std::vector<float>> row32;     // per worker: n
  MatrixRef* p;
  Vector partial;  // per row: sum over j > i of the symmetrised values

  void Conditional(Index begin, Index end, int worker) {
    const Index n = x->rows();
    if (!precomputed) {
      SquaredDistanceRows(*x, sqnorms, begin, end, dist[worker].data(),
                          scratch[worker].data());
    }
    float* f = row32[worker].data();
    for (Index i = begin; i < end; ++i) {
      if (precomputed) {
        const double* row = x->data() + i * x->outerStride();
        for (Index j = 0; j < n; ++j) {
          f[j] = static_cast<float>(row[j] * row[j]);
        }
      } else {
        const double* row = dist[worker].data() + (i - begin) * n;
        for (Index j = 0; j < n; ++j) f[j] = static_cast<float>(row[j]);
      }
      BinarySearchPerplexityRow(f, n, i, perplexity, p->data() + i * n);
    }
  }
  // Upper triangle := C + C^T; lower triangle still holds C.
  void Symmetrise(Index begin, Index end) {
    const Index n = p->rows();
    double* d = p->data();
    for (Index i = begin; i < end; ++i) {
      double s = 0.0;
      for (Index j = i + 1; j < n; ++j) {
        const double v = d[i * n + j] + d[j * n + i];
        d[i * n + j] = v;
        s += v;
      }
      partial(i) = s;
    }
  }
  void Normalise(Index begin, Index end, double sum_p) {
    const Index n = p->rows();
    double* d = p->data();
    for (Index i = begin; i < end; ++i) {
      d[i * n + i] = 0.0;
      for (Index j = i + 1; j < n; ++j) {
        d[i * n + j] = std::max(d[i * n + j] / sum_p, kMachineEpsilon);
      }
    }
  }
  void Mirror(Index begin, Index end) {
    const Index n = p->rows();
    double* d = p->data();
    for (Index i = begin; i < end; ++i) {
      for (Index j = 0; j < i; ++j) d[i * n + j] = d[j * n + i];
    }
  }
};

}  // namespace

void JointProbabilitiesDense(const ConstMatrixRef& x, bool precomputed,
                             double perplexity, int n_jobs, Matrix* p) {
  p->resize(x.rows(), x.rows());
  JointProbabilitiesDense(x, precomputed, perplexity, n_jobs, MatrixRef(*p));
}

void JointProbabilitiesDense(const ConstMatrixRef& x, bool precomputed,
                             double perplexity, int n_jobs, MatrixRef p_out) {
  const Index n = x.rows();
  MatrixRef* p = &p_out;
  DenseJob job;
  job.x = &x;
  job.precomputed = precomputed;
  job.perplexity = static_cast<float>(perplexity);
  job.chunk = DistanceChunkRows(n);
  job.p = p;
  const int workers = NumWorkers(n_jobs, NumChunks(n, job.chunk));
  if (!precomputed) {
    job.sqnorms = x.rowwise().squaredNorm();
    job.dist.assign(workers, Matrix(job.chunk, n));
    job.scratch.assign(workers,
                       std::vector<double>(DistanceScratchSize(n, x.cols())));
  }
  job.row32.assign(workers, std::vector<float>(n));
  job.partial.setZero(n);
  DenseJob* jp = &job;
  ParallelForChunks(n_jobs, n, job.chunk, [jp](Index b, Index e, int w) {
    jp->Conditional(b, e, w);
  });
  ParallelForChunks(n_jobs, n, kRowChunk,
                    [jp](Index b, Index e, int) { jp->Symmetrise(b, e); });
  // The full matrix C + C^T sums to twice its upper triangle.
  double total = 0.0;
  for (Index i = 0; i < n; ++i) total += job.partial(i);
  const double sum_p = std::max(2.0 * total, kMachineEpsilon);
  ParallelForChunks(n_jobs, n, kRowChunk, [jp, sum_p](Index b, Index e, int) {
    jp->Normalise(b, e, sum_p);
  });
  ParallelForChunks(n_jobs, n, kRowChunk,
                    [jp](Index b, Index e, int) { jp->Mirror(b, e); });
}

namespace {

struct NnJob {
  const KnnGraph* knn;
  float perplexity;
  std::vector<std::vector<std::pair<int32_t, float>>> sorted;  // per worker
  Matrix* cond;  // n x k, in column order of `cols`
  IndexMatrix* cols;

  void Run(Index begin, Index end, int worker) {
    const Index k = knn->indices.cols();
    std::vector<std::pair<int32_t, float>>& s = sorted[worker];
    std::vector<float> f(k);
    for (Index i = begin; i < end; ++i) {
      s.clear();
      for (Index t = 0; t < k; ++t) {
        s.emplace_back(knn->indices(i, t),
                       static_cast<float>(knn->sq_distances(i, t)));
      }
      // scikit-learn sorts each CSR row by column before the search.
      std::sort(s.begin(), s.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      for (Index t = 0; t < k; ++t) {
        f[t] = s[t].second;
        (*cols)(i, t) = s[t].first;
      }
      BinarySearchPerplexityRow(f.data(), k, -1, perplexity,
                                cond->data() + i * k);
    }
  }
};

}  // namespace

void JointProbabilitiesNn(const KnnGraph& knn, double perplexity, int n_jobs,
                          CsrMatrix* p) {
  const Index n = knn.indices.rows();
  const Index k = knn.indices.cols();
  Matrix cond(n, k);
  IndexMatrix cols(n, k);
  NnJob job;
  job.knn = &knn;
  job.perplexity = static_cast<float>(perplexity);
  job.cond = &cond;
  job.cols = &cols;
  const Index chunk = 64;
  job.sorted.resize(NumWorkers(n_jobs, NumChunks(n, chunk)));
  NnJob* jp = &job;
  ParallelForChunks(n_jobs, n, chunk,
                    [jp](Index b, Index e, int w) { jp->Run(b, e, w); });

  // Transpose of the conditional matrix: row j lists (i, C_ij) in i order.
  std::vector<int64_t> t_ptr(n + 1, 0);
  for (Index i = 0; i < n; ++i) {
    for (Index t = 0; t < k; ++t) ++t_ptr[cols(i, t) + 1];
  }
  for (Index j = 0; j < n; ++j) t_ptr[j + 1] += t_ptr[j];
  std::vector<int32_t> t_idx(n * k);
  std::vector<double> t_val(n * k);
  {
    std::vector<int64_t> fill(t_ptr.begin(), t_ptr.end() - 1);
    for (Index i = 0; i < n; ++i) {
      for (Index t = 0; t < k; ++t) {
        const int64_t pos = fill[cols(i, t)]++;
        t_idx[pos] = static_cast<int32_t>(i);
        t_val[pos] = cond(i, t);
      }
    }
  }
  // P = C + C^T, merging two sorted rows; exact zeros are dropped as scipy
  // does.
  p->n = n;
  p->indptr.assign(n + 1, 0);
  p->indices.clear();
  p->values.clear();
  p->indices.reserve(2 * n * k);
  p->values.reserve(2 * n * k);
  double sum = 0.0;
  for (Index i = 0; i < n; ++i) {
    Index a = 0;
    int64_t b = t_ptr[i];
    const int64_t b_end = t_ptr[i + 1];
    while (a < k || b < b_end) {
      int32_t col;
      double v;
      if (b >= b_end || (a < k && cols(i, a) < t_idx[b])) {
        col = cols(i, a);
        v = cond(i, a++);
      } else if (a >= k || t_idx[b] < cols(i, a)) {
        col = t_idx[b];
        v = t_val[b++];
      } else {
        col = cols(i, a);
        v = cond(i, a++) + t_val[b++];
      }
      if (v != 0.0) {
        p->indices.push_back(col);
        p->values.push_back(v);
        sum += v;
      }
    }
    p->indptr[i + 1] = static_cast<int64_t>(p->indices.size());
  }
  sum = std::max(sum, kMachineEpsilon);
  // scipy's in-place sparse division multiplies by the reciprocal.
  const double recip = 1.0 / sum;
  for (double& v : p->values) v *= recip;
}

}  // namespace eclipsera::manifold_internal
