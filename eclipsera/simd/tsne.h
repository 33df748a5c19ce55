// Kernels of the exact t-SNE objective (scikit-learn's _kl_divergence) over
// an embedding stored by dimension, written with Highway and dispatched at
// run time to the best SIMD target the CPU supports.
//
// Conventions (as in distance.h):
// - The embedding is stored "by dimension": coordinate k of point j is
//   yt[k * ld + j] (a d x n row-major matrix, ld >= n), so that consecutive
//   points are consecutive in memory.
// - Pointers need no particular alignment. Inputs must be finite.
// - Kernels never allocate and are thread-safe (outputs are distinct per
//   call). No input validation (innermost loops); callers validate once.
// - One row is summed in a fixed order that depends only on n, d and the
//   dispatched target, never on threads, so callers that split rows over
//   threads get identical results for any thread count.
#ifndef ECLIPSERA_SIMD_TSNE_H_
#define ECLIPSERA_SIMD_TSNE_H_

#include <stddef.h>
#include <stdint.h>

namespace eclipsera::simd {

// One-pass gradient terms of row i of the exact t-SNE objective. With
// w == nullptr the kernel value w_j = 1 / (1 + ||y_i - y_j||^2) (Student-t
// with one degree of freedom) is computed here; otherwise w[j] is read
// instead (any other degree of freedom, or a precomputed kernel row). The
// self term j == i is always excluded (w[i] is never read). Writes, for
// k < d,
//   attr[k] = sum_j p[j] w_j (y_ik - y_jk),
//   rep[k]  = sum_j w_j^2 (y_ik - y_jk),
// *max_d2 = max_j ||y_i - y_j||^2 (0 when n == 1), and returns
// z = sum_{j != i} w_j. p is row i of P (n values). Vectorised for d <= 3;
// larger d runs a scalar loop. Does not allocate.
double TsneExactRowTerms(const double* yt, size_t ld, size_t d, size_t n,
                         size_t i, const double* p, const double* w,
                         double* attr, double* rep, double* max_d2);

// Writes w[j] = 1 / (1 + ||y_i - y_j||^2) for j < n, w[i] = 0: exactly the
// values TsneExactRowTerms computes when it is given no w. Does not
// allocate.
void TsneStudentRow(const double* yt, size_t ld, size_t d, size_t n, size_t i,
                    double* w);

// Returns sum_{j = i+1}^{n-1} p[j] log(max(p[j], floor) / q_j) with
// q_j = max(w_j / sum_w, floor) and w_j as in TsneExactRowTerms (computed
// when w == nullptr, else read from w[j]): row i's share of the upper
// triangle of KL(P || Q). Does not allocate.
double TsneExactKlRow(const double* yt, size_t ld, size_t d, size_t n, size_t i,
                      const double* p, const double* w, double sum_w,
                      double floor);

// Barnes-Hut repulsion on `point` (d coordinates) from `count` summary
// entries (cells or points): entry j has coordinates bt[k * ld + j] and
// weight size[j]. Adds sum_j size_j q_j^2 (point_k - b_jk) to force[k] and
// returns sum_j size_j q_j, where q_j = 1 / (1 + ||point - b_j||^2). With
// skip_duplicates, an entry within eps of the point in every coordinate is
// taken to hold the point and size_j - 1 coincident points: they add
// (size_j - 1) q_j and no force. (scikit-learn leaves such entries out,
// which undercounts the normalisation when embedding points coincide and
// can make its KL estimate negative.)
// Vectorised for d <= 3; does not allocate.
double TsneRepulsionList(const double* point, size_t d, const double* bt,
                         size_t ld, const double* size, size_t count,
                         bool skip_duplicates, double eps, double* force);

// Barnes-Hut attraction on point i of y (n x d, row-major, d <= 3 for the
// vector path) from its sparse row of P: writes
//   pos[k] = sum_e val[e] q_e (y_ik - y_jk),  j = idx[e], q_e = 1 / (1 +
//   ||y_i - y_j||^2),
// for e < count (the entries are gathered). Does not allocate.
void TsneAttractionRow(const double* y, size_t d, size_t i, const int32_t* idx,
                       const double* val, size_t count, double* pos);

}  // namespace eclipsera::simd

#endif  // ECLIPSERA_SIMD_TSNE_H_
