// Kernels of the Gaussian-mixture EM loop over raw row-major double arrays,
// written with Highway and dispatched at run time to the best SIMD target.
//
// Conventions (as in distance.h):
// - Matrices are row-major; `ld*` is the leading dimension (elements between
//   the starts of consecutive rows), ld >= the row length.
// - Pointers need no particular alignment. Inputs must be finite unless
//   stated otherwise.
// - Kernels never allocate: routines that need working memory take a
//   caller-provided `scratch` of at least the size returned by the
//   `...ScratchSize` query next to them (doubles, no alignment needed; the
//   size does not depend on the dispatched target). They are thread-safe as
//   long as concurrent calls use distinct outputs and scratch.
// - No input validation (innermost loops); callers validate once.
#ifndef ECLIPSERA_SIMD_GAUSSIAN_H_
#define ECLIPSERA_SIMD_GAUSSIAN_H_

#include <stddef.h>

namespace eclipsera::simd {

// Returns the doubles of scratch QuadFormRows needs for dimension d.
size_t QuadFormScratchSize(size_t d);

// Writes out[i * ld_out] = beta + alpha * ||x_i P - m||^2 for the n rows x_i
// of x (n x d, leading dimension ld_x), P d x d (leading dimension ld_p), m
// d values (typically mean * P). With `upper_triangular` P's entries below
// the diagonal are taken as zero (never read) and the product skips them;
// otherwise P is a dense matrix (so a lower-triangular P works too). The
// product x_i P is never stored: a register-blocked FMA kernel computes a
// few rows at a time. This is the Mahalanobis term of the 'full' and 'tied'
// E-step, with P the Cholesky factor of a precision matrix. Does not
// allocate.
void QuadFormRows(const double* x, size_t n, size_t ld_x, const double* p,
                  size_t ld_p, bool upper_triangular, const double* m, size_t d,
                  double alpha, double beta, double* out, size_t ld_out,
                  double* scratch);

// Returns the doubles of scratch WeightedSyrkLower needs for dimension d.
size_t WeightedSyrkScratchSize(size_t d);

// Adds sum_i w[i * w_stride] (x_i - mu)(x_i - mu)^T over the n rows of x
// (n x d, leading dimension ld_x) to the lower triangle (diagonal included)
// of c (d x d, leading dimension ld_c). Entries strictly above the diagonal
// are left in an unspecified state (they may receive partial sums). This is
// the 'full' M-step covariance with w a column of the responsibilities.
// Does not allocate.
void WeightedSyrkLower(const double* x, size_t n, size_t ld_x, const double* w,
                       size_t w_stride, const double* mu, size_t d, double* c,
                       size_t ld_c, double* scratch);

// Returns the doubles of scratch TransposedProductAdd needs for kb columns.
size_t TransposedProductScratchSize(size_t kb);

// c (ka x kb, leading dimension ld_c) += A^T B, with A n x ka (ld_a) and B
// n x kb (ld_b): the M-step sums resp^T X. Does not allocate.
void TransposedProductAdd(const double* a, size_t n, size_t ld_a, size_t ka,
                          const double* b, size_t ld_b, size_t kb, double* c,
                          size_t ld_c, double* scratch);

// Returns the doubles of scratch TransposedProductAddWithSquares needs.
size_t TransposedProductWithSquaresScratchSize(size_t kb);

// c (ka x 2 kb, leading dimension ld_c) += [A^T B | A^T (B o B)], with B o B
// the element-wise squares (computed on the fly, never stored): the
// 'diag'/'spherical' M-step sums resp^T X and resp^T X^2 in one pass over
// X. Does not allocate.
void TransposedProductAddWithSquares(const double* a, size_t n, size_t ld_a,
                                     size_t ka, const double* b, size_t ld_b,
                                     size_t kb, double* c, size_t ld_c,
                                     double* scratch);

// Returns the doubles of scratch DotBlock needs for k rows of c of length d.
size_t DotBlockScratchSize(size_t k, size_t d);

// Writes out[i * ld_out + j] = bias[j] + x_i . c_j for i < n, j < k: the
// product X C^T (x n x d with ld_x, c k x d with ld_c) plus a per-column
// bias (bias may be null: zero). Does not allocate.
void DotBlock(const double* x, size_t n, size_t ld_x, const double* c, size_t k,
              size_t ld_c, size_t d, const double* bias, double* out,
              size_t ld_out, double* scratch);

// Returns the doubles of scratch DotBlockWithSquares needs.
size_t DotBlockWithSquaresScratchSize(size_t k, size_t d);

// Like DotBlock with the rows of x extended by their squares, computed on
// the fly: c is k x 2d (ld_c >= 2d) and out[i * ld_out + j] = bias[j] +
// x_i . c_j[0, d) + (x_i o x_i) . c_j[d, 2d). The 'diag'/'spherical'
// E-step with c_j = [mu_j / var_j, -1 / (2 var_j)], reading X only. Does
// not allocate.
void DotBlockWithSquares(const double* x, size_t n, size_t ld_x,
                         const double* c, size_t k, size_t ld_c, size_t d,
                         const double* bias, double* out, size_t ld_out,
                         double* scratch);

// For each of the n rows of m (n x k, leading dimension ld), k >= 1:
// log_norm[i] = log(sum_j exp(m_ij)) computed as scipy.special.logsumexp
// (max shifted; a non-finite max is replaced by 0), and with `normalize`
// replaces the row by exp(m_ij - log_norm[i]) computed as
// exp(m_ij - max) / sum (the E-step responsibilities). Entries may be -inf.
// exp is Highway's vectorised exp (within 1 ulp of std::exp). Does not
// allocate.
void LogSumExpRows(double* m, size_t n, size_t k, size_t ld, bool normalize,
                   double* log_norm);

}  // namespace eclipsera::simd

#endif  // ECLIPSERA_SIMD_GAUSSIAN_H_
