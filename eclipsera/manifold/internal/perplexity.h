// Conditional probabilities by binary search on perplexity and the joint
// probabilities P of t-SNE, exactly as scikit-learn 1.2 computes them.
#ifndef ECLIPSERA_MANIFOLD_INTERNAL_PERPLEXITY_H_
#define ECLIPSERA_MANIFOLD_INTERNAL_PERPLEXITY_H_

#include <cstdint>
#include <vector>

#include "eclipsera/core/matrix.h"
#include "eclipsera/manifold/internal/knn.h"

namespace eclipsera::manifold_internal {

// scikit-learn's MACHINE_EPSILON (np.finfo(np.double).eps).
inline constexpr double kMachineEpsilon = 2.220446049250313e-16;

// One row of scikit-learn's _binary_search_perplexity: finds the precision
// beta whose conditional distribution exp(-d_j beta) / sum has entropy
// log(desired_perplexity) within 1e-5 (at most 100 steps) and writes it to
// p (k entries; entry `skip` stays 0, -1 for none). `sqd` are float32
// squared distances, as scikit-learn casts them. Returns beta. No allocation.
double BinarySearchPerplexityRow(const float* sqd, Index k, Index skip,
                                 float desired_perplexity, double* p);

// A square sparse matrix in CSR form with sorted column indices.
struct CsrMatrix {
  Index n = 0;
  std::vector<int64_t> indptr;  // n + 1
  std::vector<int32_t> indices;
  std::vector<double> values;
};

// scikit-learn's _joint_probabilities as a full symmetric n x n matrix with a
// zero diagonal: conditional P over all other samples, P = (C + C^T) / sum,
// then max(P, MACHINE_EPSILON) off the diagonal. x is the data (squared
// Euclidean distances are computed) or, when `precomputed`, an n x n
// distance matrix (squared here). Deterministic for any n_jobs; the only
// n x n storage is *p.
void JointProbabilitiesDense(const ConstMatrixRef& x, bool precomputed,
                             double perplexity, int n_jobs, Matrix* p);
// The same into a caller's n x n buffer (a t-SNE workspace's grow-only P).
void JointProbabilitiesDense(const ConstMatrixRef& x, bool precomputed,
                             double perplexity, int n_jobs, MatrixRef p);

// scikit-learn's _joint_probabilities_nn: conditional P over each sample's
// nearest neighbours (in column order), P = (C + C^T) / sum as a CSR matrix.
void JointProbabilitiesNn(const KnnGraph& knn, double perplexity, int n_jobs,
                          CsrMatrix* p);

}  // namespace eclipsera::manifold_internal

#endif  // ECLIPSERA_MANIFOLD_INTERNAL_PERPLEXITY_H_
