// Exact and Barnes-Hut t-SNE gradients (scikit-learn 1.2's _kl_divergence
// and _kl_divergence_bh / _barnes_hut_tsne.pyx), allocation-free per call.
#include "eclipsera/manifold/internal/gradient.h"

#include <algorithm>
#include <cassert>
#include <cfloat>
#include <cmath>
#include <limits>

#include "eclipsera/core/parallel.h"
#include "eclipsera/simd/tsne.h"

namespace eclipsera::manifold_internal {
namespace {

constexpr Index kExactRowChunk = 16;
constexpr Index kBhRowChunk = 64;
constexpr Index kBhGroupChunk = 1;
constexpr double kFloat32Tiny = FLT_MIN;

// The Student-t kernel as scikit-learn's _kl_divergence computes it:
// (1 + d2 / dof) ** (-(dof + 1) / 2), numpy's reciprocal for dof == 1.
inline double Kernel(double d2, int dof) {
  if (dof == 1) return 1.0 / (1.0 + d2);
  return std::pow(d2 / dof + 1.0, (dof + 1.0) / -2.0);
}

}  // namespace

void ExactGradient::Resize(Index n, int d, int n_jobs) {
  n_ = n;
  d_ = d;
  yt_.resize(d, n);
  row_z_.resize(n);
  row_max_.resize(n);
  row_kl_.resize(n);
  attr_.resize(n, d);
  rep_.resize(n, d);
  const int workers = NumWorkers(n_jobs, NumChunks(n, kExactRowChunk));
  if (static_cast<int>(rows_.size()) < workers) rows_.resize(workers);
  for (GrowVector& r : rows_) r.resize(n);
}

// Kernel row i for dof != 1 (into `w`), where the SIMD kernels cannot
// compute it themselves.
void ExactGradient::KernelRow(Index i, double* w) const {
  for (Index j = 0; j < n_; ++j) {
    double d2 = 0.0;
    for (int k = 0; k < d_; ++k) {
      const double diff = yt_(k, i) - yt_(k, j);
      d2 += diff * diff;
    }
    w[j] = Kernel(d2, dof_);
  }
  w[i] = 0.0;
}

// Row i's kernel values for the SIMD kernels: the precomputed matrix, a
// row computed into the worker's scratch, or nullptr (dof == 1: the kernel
// computes 1 / (1 + d2) itself, fused with the sums).
const double* ExactGradient::KernelValues(Index i, int worker) {
  if (w_ != nullptr) return w_->data() + i * n_;
  if (dof_ == 1) return nullptr;
  double* w = rows_[worker].data();
  KernelRow(i, w);
  return w;
}

void ExactGradient::RowTerms(Index begin, Index end, int worker) {
  for (Index i = begin; i < end; ++i) {
    double max_d2 = 0.0;
    row_z_(i) = simd::TsneExactRowTerms(yt_.data(), n_, d_, n_, i, p_ + i * n_,
                                        KernelValues(i, worker), &attr_(i, 0),
                                        &rep_(i, 0), &max_d2);
    row_max_(i) = max_d2;
  }
}

void ExactGradient::ClampedRows(Index begin, Index end) {
  const double c = 2.0 * (dof_ + 1.0) / dof_;
  for (Index i = begin; i < end; ++i) {
    const double* prow = p_ + i * n_;
    for (int k = 0; k < d_; ++k) grad_[i * d_ + k] = 0.0;
    for (Index j = 0; j < n_; ++j) {
      if (j == i) continue;
      double d2 = 0.0;
      for (int k = 0; k < d_; ++k) {
        const double diff = yt_(k, i) - yt_(k, j);
        d2 += diff * diff;
      }
      const double w = Kernel(d2, dof_);
      const double q = std::max(w / sum_w_, kMachineEpsilon);
      const double pq = (prow[j] - q) * w;
      for (int k = 0; k < d_; ++k) {
        grad_[i * d_ + k] += pq * (yt_(k, i) - yt_(k, j));
      }
    }
    for (int k = 0; k < d_; ++k) grad_[i * d_ + k] *= c;
  }
}

void ExactGradient::ErrorRows(Index begin, Index end, int worker) {
  for (Index i = begin; i < end; ++i) {
    row_kl_(i) =
        simd::TsneExactKlRow(yt_.data(), n_, d_, n_, i, p_ + i * n_,
                             KernelValues(i, worker), sum_w_, kMachineEpsilon);
  }
}

WorkspaceStats ExactGradient::stats() const {
  WorkspaceStats s = SumStats(yt_, row_z_, row_max_, row_kl_, attr_, rep_);
  for (const GrowVector& r : rows_) s += r.stats();
  return s;
}

double ExactGradient::Compute(const ConstMatrixRef& p, const double* y, int dof,
                              bool compute_error, int n_jobs, double* grad,
                              Matrix* kernel_matrix) {
  assert(p.outerStride() == n_);  // rows are read as p_ + i * n_
  p_ = p.data();
  dof_ = dof;
  grad_ = grad;
  for (Index i = 0; i < n_; ++i) {
    for (int k = 0; k < d_; ++k) yt_(k, i) = y[i * d_ + k];
  }
  ExactGradient* self = this;
  w_ = nullptr;
  if (kernel_matrix != nullptr) {
    // The "v1.0" path: the whole kernel matrix first, then the same sums.
    Matrix* km = kernel_matrix;
    ParallelForChunks(n_jobs, n_, kExactRowChunk,
                      [self, km](Index b, Index e, int) {
                        for (Index i = b; i < e; ++i) {
                          double* row = km->data() + i * self->n_;
                          if (self->dof_ == 1) {
                            // Bitwise the values the fused kernel computes
                            // itself.
                            simd::TsneStudentRow(self->yt_.data(), self->n_,
                                                 self->d_, self->n_, i, row);
                          } else {
                            self->KernelRow(i, row);
                          }
                        }
                      });
    w_ = kernel_matrix;
  }
  ParallelForChunks(
      n_jobs, n_, kExactRowChunk,
      [self](Index b, Index e, int worker) { self->RowTerms(b, e, worker); });
  double sum_w = 0.0;
  double max_d2 = 0.0;
  for (Index i = 0; i < n_; ++i) {
    sum_w += row_z_(i);
    max_d2 = std::max(max_d2, row_max_(i));
  }
  sum_w_ = sum_w;
  const double c = 2.0 * (dof + 1.0) / dof;
  if (Kernel(max_d2, dof) / sum_w < kMachineEpsilon) {
    ParallelForChunks(
        n_jobs, n_, kExactRowChunk,
        [self](Index b, Index e, int) { self->ClampedRows(b, e); });
  } else {
    for (Index i = 0; i < n_; ++i) {
      for (int k = 0; k < d_; ++k) {
        grad[i * d_ + k] = c * (attr_(i, k) - rep_(i, k) / sum_w);
      }
    }
  }
  if (!compute_error) return std::numeric_limits<double>::quiet_NaN();
  ParallelForChunks(
      n_jobs, n_, kExactRowChunk,
      [self](Index b, Index e, int worker) { self->ErrorRows(b, e, worker); });
  double kl = 0.0;
  for (Index i = 0; i < n_; ++i) kl += row_kl_(i);
  return 2.0 * kl;
}

WorkspaceStats BarnesHutGradient::stats() const {
  return SumStats(neg_, pos_, row_q_, row_error_);
}

void BarnesHutGradient::Resize(Index n, int d, int n_jobs) {
  n_ = n;
  d_ = d;
  neg_.resize(n * d);
  pos_.resize(n * d);
  row_q_.resize(n);
  row_error_.resize(n);
}

void BarnesHutGradient::Forces(Index begin, Index end) {
  const int d = d_;
  if (dof_ != 1) {  // the grouped SIMD path is for dof == 1
    tree_.RepulsionRange(y_, begin, end, squared_theta_, dof_, neg_.data(),
                         row_q_.data());
  }
  for (Index i = begin; i < end; ++i) {
    const double* yi = y_ + i * d;
    double* pos = pos_.data() + i * d;
    if (dof_ == 1) {
      const int64_t e0 = p_->indptr[i];
      simd::TsneAttractionRow(y_, d, i, p_->indices.data() + e0,
                              p_->values.data() + e0, p_->indptr[i + 1] - e0,
                              pos);
      continue;
    }
    for (int k = 0; k < d; ++k) pos[k] = 0.0;
    for (int64_t e = p_->indptr[i]; e < p_->indptr[i + 1]; ++e) {
      const double* yj = y_ + static_cast<Index>(p_->indices[e]) * d;
      double buff[SpaceTree::kMaxDims];
      double dij = 0.0;
      for (int k = 0; k < d; ++k) {
        buff[k] = yi[k] - yj[k];
        dij += buff[k] * buff[k];
      }
      double q = dof_ / (dof_ + dij);
      if (dof_ != 1) q = std::pow(q, (dof_ + 1.0) / 2.0);
      const double m = p_->values[e] * q;
      for (int k = 0; k < d; ++k) pos[k] += m * buff[k];
    }
  }
}

void BarnesHutGradient::ErrorRows(Index begin, Index end) {
  const int d = d_;
  for (Index i = begin; i < end; ++i) {
    const double* yi = y_ + i * d;
    double c = 0.0;
    for (int64_t e = p_->indptr[i]; e < p_->indptr[i + 1]; ++e) {
      const double* yj = y_ + static_cast<Index>(p_->indices[e]) * d;
      double dij = 0.0;
      for (int k = 0; k < d; ++k) {
        const double b = yi[k] - yj[k];
        dij += b * b;
      }
      double q = dof_ / (dof_ + dij);
      if (dof_ != 1) q = std::pow(q, (dof_ + 1.0) / 2.0);
      q /= sum_q_;
      const double pij = p_->values[e];
      c += pij *
           std::log(std::max(pij, kFloat32Tiny) / std::max(q, kFloat32Tiny));
    }
    row_error_(i) = c;
  }
}

double BarnesHutGradient::Compute(const CsrMatrix& p, const double* y, int dof,
                                  double angle, bool compute_error, int n_jobs,
                                  double* grad) {
  p_ = &p;
  y_ = y;
  dof_ = dof;
  squared_theta_ = angle * angle;
  BarnesHutGradient* self = this;
  if (dof == 1) {
    // The tree build is serial, and the attraction (sparse P) does not need
    // the tree: task 0 builds it while the other workers take the
    // attraction chunks (tasks are handed out in order, so the caller
    // starts the build at once).
    const Index y_n = n_;
    ParallelFor(n_jobs, 1 + NumChunks(n_, kBhRowChunk),
                [self, y, y_n](Index task, int) {
                  if (task == 0) {
                    self->tree_.Build(y, y_n, self->d_);
                    return;
                  }
                  const Index b = (task - 1) * kBhRowChunk;
                  self->Forces(b, std::min(y_n, b + kBhRowChunk));
                });
    const Index groups = tree_.num_groups();
    const int workers = NumWorkers(n_jobs, NumChunks(groups, kBhGroupChunk));
    if (static_cast<int>(scratch_.size()) < workers) scratch_.resize(workers);
    for (int w = 0; w < workers; ++w) scratch_[w].Reserve(tree_.capacity());
    ParallelForChunks(
        n_jobs, groups, kBhGroupChunk, [self](Index b, Index e, int worker) {
          SpaceTree::Scratch* s = &self->scratch_[worker];
          for (Index g = b; g < e; ++g) {
            self->tree_.GroupRepulsion(g, self->y_, self->squared_theta_, s,
                                       self->neg_.data(), self->row_q_.data());
          }
        });
  } else {
    tree_.Build(y, n_, d_);
    ParallelForChunks(n_jobs, n_, kBhRowChunk,
                      [self](Index b, Index e, int) { self->Forces(b, e); });
  }
  double sum_q = 0.0;
  for (Index i = 0; i < n_; ++i) sum_q += row_q_(i);
  sum_q = std::max(sum_q, kMachineEpsilon);
  sum_q_ = sum_q;
  const double c = 2.0 * (dof + 1.0) / dof;
  for (Index i = 0; i < n_ * d_; ++i) {
    grad[i] = c * (pos_(i) - neg_(i) / sum_q);
  }
  if (!compute_error) return std::numeric_limits<double>::quiet_NaN();
  ParallelForChunks(n_jobs, n_, kBhRowChunk,
                    [self](Index b, Index e, int) { self->ErrorRows(b, e); });
  double error = 0.0;
  for (Index i = 0; i < n_; ++i) error += row_error_(i);
  return error;
}

}  // namespace eclipsera::manifold_internal
