// PCA projection used for t-SNE's init='pca'.
#ifndef ECLIPSERA_MANIFOLD_INTERNAL_PCA_H_
#define ECLIPSERA_MANIFOLD_INTERNAL_PCA_H_

#include "eclipsera/core/matrix.h"

namespace eclipsera::manifold_internal {

// How PcaProject computes the principal axes.
enum class PcaSolver {
  // kRandomized when both sides exceed 500 (scikit-learn's PCA 'auto'
  // threshold) and few components are wanted, else kGram when
  // n_samples < n_features, else kCovariance.
  kAuto,
  kCovariance,  // eigen-decomposition of the d x d covariance X_c^T X_c.
  kGram,        // eigen-decomposition of the n x n Gram matrix X_c X_c^T.
  // Halko et al.'s randomized range finder, as scikit-learn's
  // randomized_svd (10 oversamples, 7 or 4 power iterations, each
  // re-orthonormalised), with a fixed seed: O(n d k) for k components
  // instead of O(n d min(n, d)). Scores agree with the exact paths to
  // rounding when the leading singular values are separated.
  kRandomized,
};

// Projects the centred x (n x d) on its first `n_components` principal axes
// (largest variance first) and returns the n x n_components scores, with
// scikit-learn's svd_flip sign convention (the largest-magnitude score of
// each component is positive), so results are deterministic.
//
// Works through the smaller side of x: with n < d the eigenvectors U of
// the n x n Gram matrix give the scores directly (scores = U * S, S the
// singular values of X_c), so memory is O(n * d + n^2) and time
// O(n^2 * d); otherwise the d x d covariance, O(n * d^2 + d^3). Both paths
// give the same scores up to rounding. With both sides large and few
// components, the randomized solver (see PcaSolver). Requires
// n_components <= min(n, d) for meaningful components (further columns are
// zero).
Matrix PcaProject(const ConstMatrixRef& x, int n_components,
                  PcaSolver solver = PcaSolver::kAuto);

}  // namespace eclipsera::manifold_internal

#endif  // ECLIPSERA_MANIFOLD_INTERNAL_PCA_H_
