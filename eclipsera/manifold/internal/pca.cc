// PCA by eigen-decomposition of the covariance or of the Gram matrix,
// whichever is smaller, or by a randomized range finder when both are
// large.
#include "eclipsera/manifold/internal/pca.h"

#include <algorithm>
#include <cmath>

#include "Eigen/Eigenvalues"
#include "eclipsera/decomposition/pca.h"

namespace eclipsera::manifold_internal {
namespace {

// Scores U S of the leading `usable` components by the randomized range
// finder that decomposition::PCA's 'randomized' solver uses (seed 0).
void RandomizedScores(const Matrix& centred, int usable, Matrix* scores) {
  const decomposition::ThinSvd svd =
      decomposition::RandomizedSvd(centred, usable, /*seed=*/0);
  scores->leftCols(svd.s.size()) = svd.u * svd.s.asDiagonal();
}

}  // namespace

Matrix PcaProject(const ConstMatrixRef& x, int n_components, PcaSolver solver) {
  const Index n = x.rows();
  const Index d = x.cols();
  if (solver == PcaSolver::kAuto) {
    if (std::min(n, d) > 500 &&
        n_components < 0.8 * static_cast<double>(std::min(n, d))) {
      solver = PcaSolver::kRandomized;
    } else {
      solver = n < d ? PcaSolver::kGram : PcaSolver::kCovariance;
    }
  }
  const Eigen::RowVectorXd mean = x.colwise().mean();
  const Matrix centred = x.rowwise() - mean;
  Matrix scores = Matrix::Zero(n, n_components);
  if (solver == PcaSolver::kRandomized) {
    const int usable =
        static_cast<int>(std::min<Index>(n_components, std::min(n, d)));
    RandomizedScores(centred, usable, &scores);
  } else if (solver == PcaSolver::kGram) {
    // X_c = U S V^T: the Gram matrix X_c X_c^T = U S^2 U^T, and the scores
    // X_c V = U S. Never forms anything d x d.
    Eigen::MatrixXd gram(n, n);
    gram.setZero();
    gram.selfadjointView<Eigen::Lower>().rankUpdate(centred);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(gram);
    const int usable = static_cast<int>(std::min<Index>(n_components, n));
    for (int c = 0; c < usable; ++c) {
      const Index e = n - 1 - c;  // ascending order
      const double s = std::sqrt(std::max(es.eigenvalues()(e), 0.0));
      scores.col(c) = es.eigenvectors().col(e) * s;
    }
  } else {
    const Eigen::MatrixXd cov = centred.transpose() * centred;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(cov);
    const int usable = static_cast<int>(std::min<Index>(n_components, d));
    Eigen::MatrixXd axes(d, usable);
    for (int c = 0; c < usable; ++c) {
      axes.col(c) = es.eigenvectors().col(d - 1 - c);  // ascending order
    }
    scores.leftCols(usable) = centred * axes;
  }
  // svd_flip (u_based_decision): the largest-magnitude entry of each score
  // column is positive; the sign of u and of u * s agree.
  for (int c = 0; c < n_components; ++c) {
    Index arg = 0;
    scores.col(c).cwiseAbs().maxCoeff(&arg);
    if (scores(arg, c) < 0.0) scores.col(c) *= -1.0;
  }
  return scores;
}

}  // namespace eclipsera::manifold_internal
