// PCA projection used for t-SNE's init='pca'.
#ifndef ECLIPSERA_MANIFOLD_INTERNAL_PCA_H_
#define ECLIPSERA_MANIFOLD_INTERNAL_PCA_H_

#include "eclipsera/core/matrix.h"

namespace eclipsera::manifold_internal {

// Projects the centred x (n x d) on its first `n_components` principal axes
// (eigenvectors of the covariance, largest eigenvalue first), with
// scikit-learn's svd_flip sign convention (the largest-magnitude score of
// each component is positive), so results are deterministic. Requires
// n_components <= d.
Matrix PcaProject(const ConstMatrixRef& x, int n_components);

}  // namespace eclipsera::manifold_internal

#endif  // ECLIPSERA_MANIFOLD_INTERNAL_PCA_H_
