// PCA by eigen-decomposition of the covariance.
#include "eclipsera/manifold/internal/pca.h"

#include <cmath>

#include "Eigen/Eigenvalues"

namespace eclipsera::manifold_internal {

Matrix PcaProject(const ConstMatrixRef& x, int n_components) {
  const Eigen::RowVectorXd mean = x.colwise().mean();
  const Matrix centred = x.rowwise() - mean;
  const Eigen::MatrixXd cov = centred.transpose() * centred;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(cov);
  const Index d = x.cols();
  Eigen::MatrixXd axes(d, n_components);
  for (int c = 0; c < n_components; ++c) {
    axes.col(c) = solver.eigenvectors().col(d - 1 - c);  // ascending order
  }
  Matrix scores = centred * axes;
  for (int c = 0; c < n_components; ++c) {
    Index arg = 0;
    scores.col(c).cwiseAbs().maxCoeff(&arg);
    if (scores(arg, c) < 0.0) scores.col(c) *= -1.0;
  }
  return scores;
}

}  // namespace eclipsera::manifold_internal
