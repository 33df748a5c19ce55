// The t-SNE objective: KL divergence of P and the Student-t Q and its
// gradient, exact (one fused SIMD pass per row, simd/tsne.h) and Barnes-Hut,
// with all their scratch owned here so that repeated calls allocate nothing.
#ifndef ECLIPSERA_MANIFOLD_INTERNAL_GRADIENT_H_
#define ECLIPSERA_MANIFOLD_INTERNAL_GRADIENT_H_

#include <vector>

#include "eclipsera/core/matrix.h"
#include "eclipsera/core/workspace.h"
#include "eclipsera/manifold/internal/perplexity.h"
#include "eclipsera/manifold/internal/space_tree.h"

namespace eclipsera::manifold_internal {

// scikit-learn's _kl_divergence, without materialising any n x n matrix:
// one fused pass per row (simd::TsneExactRowTerms) computes, per row i, sum_j
// w_ij, sum_j P_ij w_ij (y_i - y_j) and sum_j w_ij^2 (y_i - y_j), from which
// the gradient 2 (dof + 1) / dof * sum_j (P_ij - Q_ij) w_ij (y_i - y_j) follows
// with Q = max(w / sum(w), MACHINE_EPSILON); a second, exact pass runs in
// the (rare) case where that clamp applies. The error pass (only when
// asked) is a third pass over the upper triangle.
class ExactGradient {
 public:
  // Sizes the scratch for n samples in d dimensions on up to the workers
  // n_jobs gives; allocates only when growing.
  void Resize(Index n, int d, int n_jobs);

  // p: n x n symmetric with zero diagonal; y, grad: n x d row-major.
  // Returns the KL divergence, or NaN when !compute_error. When
  // `kernel_matrix` is not null it is an n x n buffer that receives the
  // kernel values first (the allocating "v1.0" path; same results).
  double Compute(const ConstMatrixRef& p, const double* y, int dof,
                 bool compute_error, int n_jobs, double* grad,
                 Matrix* kernel_matrix = nullptr);

  // Heap held by the scratch buffers.
  WorkspaceStats stats() const;

 private:
  void KernelRow(Index i, double* w) const;
  const double* KernelValues(Index i, int worker);
  void RowTerms(Index begin, Index end, int worker);
  void ClampedRows(Index begin, Index end);
  void ErrorRows(Index begin, Index end, int worker);

  Index n_ = 0;
  int d_ = 0;
  int dof_ = 1;
  const double* p_ = nullptr;  // n x n, row-major
  const Matrix* w_ = nullptr;
  double* grad_ = nullptr;
  double sum_w_ = 0.0;
  GrowMatrix yt_;                 // d x n: coordinates, one row per dimension
  GrowVector row_z_;              // n
  GrowVector row_max_;            // n: largest squared distance per row
  GrowVector row_kl_;             // n
  GrowMatrix attr_;               // n x d
  GrowMatrix rep_;                // n x d
  std::vector<GrowVector> rows_;  // per worker: one kernel row (dof != 1)
};

// scikit-learn's _kl_divergence_bh (in double precision): positive forces
// over the sparse P, negative forces from a SpaceTree with angle theta.
class BarnesHutGradient {
 public:
  void Resize(Index n, int d, int n_jobs);

  double Compute(const CsrMatrix& p, const double* y, int dof, double angle,
                 bool compute_error, int n_jobs, double* grad);

  const SpaceTree& tree() const { return tree_; }

  // Heap held by the force buffers (the tree's own storage excluded).
  WorkspaceStats stats() const;

 private:
  void Forces(Index begin, Index end);
  void ErrorRows(Index begin, Index end);

  Index n_ = 0;
  int d_ = 0;
  int dof_ = 1;
  double squared_theta_ = 0.25;
  double sum_q_ = 0.0;
  const CsrMatrix* p_ = nullptr;
  const double* y_ = nullptr;
  SpaceTree tree_;
  std::vector<SpaceTree::Scratch> scratch_;  // per worker
  GrowVector neg_;                           // n x d
  GrowVector pos_;                           // n x d
  GrowVector row_q_;                         // n
  GrowVector row_error_;                     // n
};

}  // namespace eclipsera::manifold_internal

#endif  // ECLIPSERA_MANIFOLD_INTERNAL_GRADIENT_H_
