// Exact and Barnes-Hut t-SNE gradients (scikit-learn 1.2's _kl_divergence
// and _kl_divergence_bh / _barnes_hut_tsne.pyx), allocation-free per call.
#include "eclipsera/manifold/internal/gradient.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

#include "eclipsera/core/parallel.h"

namespace eclipsera::manifold_internal {
namespace {

constexpr Index kTile = 512;
constexpr Index kExactRowChunk = 16;
constexpr Index kBhRowChunk = 64;
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
  if (static_cast<int>(tiles_.size()) < workers) tiles_.resize(workers);
  for (Matrix& t : tiles_) t.resize(d + 3, kTile);
}

void ExactGradient::RowTerms(Index begin, Index end, int worker) {
  Matrix& t = tiles_[worker];
  const int d = d_;
  for (Index i = begin; i < end; ++i) {
    const double* prow = p_->data() + i * n_;
    double z = 0.0;
    double max_d2 = 0.0;
    for (int k = 0; k < d; ++k) {
      attr_(i, k) = 0.0;
      rep_(i, k) = 0.0;
    }
    for (Index j0 = 0; j0 < n_; j0 += kTile) {
      const Index len = std::min(kTile, n_ - j0);
      auto d2 = t.row(d).head(len).array();
      d2.setZero();
      for (int k = 0; k < d; ++k) {
        auto diff = t.row(k).head(len).array();
        diff = yt_(k, i) - yt_.row(k).segment(j0, len).array();
        d2 += diff.square();
      }
      max_d2 = std::max(max_d2, d2.maxCoeff());
      auto w = t.row(d + 1).head(len).array();
      if (w_ != nullptr) {
        w = w_->row(i).segment(j0, len).array();
      } else if (dof_ == 1) {
        w = (1.0 + d2).inverse();
      } else {
        const int dof = dof_;
        w = d2.unaryExpr([dof](double v) { return Kernel(v, dof); });
      }
      if (i >= j0 && i < j0 + len) w(i - j0) = 0.0;
      z += w.sum();
      auto pw = t.row(d + 2).head(len).array();
      pw = Eigen::Map<const Eigen::ArrayXd>(prow + j0, len).transpose() * w;
      for (int k = 0; k < d; ++k) {
        const auto diff = t.row(k).head(len).array();
        attr_(i, k) += (pw * diff).sum();
        rep_(i, k) += (w.square() * diff).sum();
      }
    }
    row_z_(i) = z;
    row_max_(i) = max_d2;
  }
}

void ExactGradient::ClampedRows(Index begin, Index end) {
  const double c = 2.0 * (dof_ + 1.0) / dof_;
  for (Index i = begin; i < end; ++i) {
    const double* prow = p_->data() + i * n_;
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

void ExactGradient::ErrorRows(Index begin, Index end) {
  for (Index i = begin; i < end; ++i) {
    const double* prow = p_->data() + i * n_;
    double s = 0.0;
    for (Index j = i + 1; j < n_; ++j) {
      double d2 = 0.0;
      for (int k = 0; k < d_; ++k) {
        const double diff = yt_(k, i) - yt_(k, j);
        d2 += diff * diff;
      }
      const double q = std::max(Kernel(d2, dof_) / sum_w_, kMachineEpsilon);
      s += prow[j] * std::log(std::max(prow[j], kMachineEpsilon) / q);
    }
    row_kl_(i) = s;
  }
}

double ExactGradient::Compute(const Matrix& p, const double* y, int dof,
                              bool compute_error, int n_jobs, double* grad,
                              Matrix* kernel_matrix) {
  p_ = &p;
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
    ParallelForChunks(
        n_jobs, n_, kExactRowChunk, [self, km](Index b, Index e, int) {
          for (Index i = b; i < e; ++i) {
            for (Index j = 0; j < self->n_; ++j) {
              double d2 = 0.0;
              for (int k = 0; k < self->d_; ++k) {
                const double diff = self->yt_(k, i) - self->yt_(k, j);
                d2 += diff * diff;
              }
              (*km)(i, j) = i == j ? 0.0 : Kernel(d2, self->dof_);
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
  ParallelForChunks(n_jobs, n_, kExactRowChunk,
                    [self](Index b, Index e, int) { self->ErrorRows(b, e); });
  double kl = 0.0;
  for (Index i = 0; i < n_; ++i) kl += row_kl_(i);
  return 2.0 * kl;
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
  for (Index i = begin; i < end; ++i) {
    const double* yi = y_ + i * d;
    double* neg = neg_.data() + i * d;
    double* pos = pos_.data() + i * d;
    for (int k = 0; k < d; ++k) {
      neg[k] = 0.0;
      pos[k] = 0.0;
    }
    row_q_(i) = tree_.Repulsion(yi, squared_theta_, dof_, neg);
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
  tree_.Build(y, n_, d_);
  BarnesHutGradient* self = this;
  ParallelForChunks(n_jobs, n_, kBhRowChunk,
                    [self](Index b, Index e, int) { self->Forces(b, e); });
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
