// Distance kernels over raw row-major double arrays, written with Highway and
// dispatched at run time to the best SIMD target the CPU supports.
//
// Conventions for every function here:
// - Matrices are row-major; `ld*` is the leading dimension (distance in
//   elements between the starts of consecutive rows), ld >= d.
// - Pointers need no particular alignment. Inputs must be finite: with NaN
//   or infinity the results are unspecified (but nothing crashes).
// - Kernels never allocate: routines that need working memory take a
//   caller-provided `scratch` sized by the `...ScratchSize` query next to
//   them. They are thread-safe as long as concurrent calls use distinct
//   outputs and scratch.
// - No input validation is done (these are the innermost loops); callers
//   validate shapes once per public call.
#ifndef ECLIPSERA_SIMD_DISTANCE_H_
#define ECLIPSERA_SIMD_DISTANCE_H_

#include <stddef.h>
#include <stdint.h>

namespace eclipsera::simd {

// Returns the name of the Highway target that the dispatched kernels use on
// this CPU (for example "AVX3" or "AVX2"). Never null.
const char* DispatchedTargetName();

// Returns sum_j a[j] * b[j] over d elements. Does not allocate.
double Dot(const double* a, const double* b, size_t d);

// Returns ||a - b||^2 (squared Euclidean distance). Does not allocate.
double SquaredL2(const double* a, const double* b, size_t d);

// Returns sum_j |a[j] - b[j]| (Manhattan distance). Does not allocate.
double L1(const double* a, const double* b, size_t d);

// Returns max_j |a[j] - b[j]| (Chebyshev distance), 0 when d == 0. Does not
// allocate.
double LInf(const double* a, const double* b, size_t d);

// Writes out[i] = ||x - rows_i||^2 for the n rows of `rows` (n x d, leading
// dimension ld). Computed directly (no norm identity), so exact up to
// rounding. Does not allocate.
void SquaredL2RowToRows(const double* x, const double* rows, size_t n, size_t d,
                        size_t ld, double* out);

// Writes out[i] = sum_j |x[j] - rows_i[j]| for the n rows of `rows`. Does not
// allocate.
void L1RowToRows(const double* x, const double* rows, size_t n, size_t d,
                 size_t ld, double* out);

// Writes out[i] = ||x_i||^2 for the n rows of x (n x d, leading dimension
// ld). Does not allocate.
void RowSquaredNorms(const double* x, size_t n, size_t d, size_t ld,
                     double* out);

// For each of the n rows of m (n x k, leading dimension ld) writes the index
// of its smallest element to argmin[i] and that element to min_value[i]
// (min_value may be null). Ties go to the lowest index (numpy.argmin). NaN
// orders above every number, so the index is always in [0, k) (0 for a row
// of NaN). With k == 0 writes -1 and +infinity. Does not allocate.
void ArgMinRows(const double* m, size_t n, size_t k, size_t ld, int32_t* argmin,
                double* min_value);

// The smallest j < n with v[j] < threshold, or n when there is none (NaN
// never counts). The k-NN selection's filter: most candidate distances
// are above the current k-th best. Does not allocate.
size_t FindFirstLess(const double* v, size_t n, double threshold);

// ---------------------------------------------------------------------------
// Block distances through the GEMM identity
//   ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2,
// with a register-blocked, cache-tiled FMA micro-kernel (the K-Means hot
// path). x is n x d (leading dimension ld_x), c is k x d (ld_c).
//
// x_sqnorms (n values) and c_sqnorms (k values) are the squared row norms as
// returned by RowSquaredNorms; either may be null, and is then computed
// internally (in scratch). Results are clamped at 0.
//
// Accuracy: with u = 2^-53, each result differs from the exact squared
// distance by at most about (d + 2) * u * (||x||^2 + ||c||^2 + 2 |x.c|)
// <= 2 (d + 2) u (||x||^2 + ||c||^2). This is tiny relative to the distance
// unless x and c are nearly equal compared with their norms (cancellation),
// e.g. points far from the origin; callers that need exact small distances
// recompute them with SquaredL2 (as scikit-learn does), or center the data.
//
// Both routines need `scratch` of at least BlockScratchSize(k, d) doubles
// (no alignment needed; 64-byte alignment is fastest) and never allocate.
// ---------------------------------------------------------------------------

// Returns the number of doubles of scratch SquaredL2Block and NearestCenters
// need for k centers of dimension d (independent of n and of the target).
size_t BlockScratchSize(size_t k, size_t d);

// Writes out[i * ld_out + j] = max(0, ||x_i - c_j||^2) for i < n, j < k
// (ld_out >= k). Does not allocate.
void SquaredL2Block(const double* x, size_t n, size_t ld_x,
                    const double* x_sqnorms, const double* c, size_t k,
                    size_t ld_c, const double* c_sqnorms, size_t d, double* out,
                    size_t ld_out, double* scratch);

// For each row x_i writes labels[i] = argmin_j ||x_i - c_j||^2 (ties: lowest
// j) and min_sqdist[i] = that distance (clamped at 0; min_sqdist may be
// null). Never materialises more than one cache-sized tile of distances;
// labels and distances are bit-identical to ArgMinRows over SquaredL2Block's
// output. Labels are in [0, k) for any input (NaN or inf distances
// included, see ArgMinRows). Requires k >= 1. Does not allocate.
void NearestCenters(const double* x, size_t n, size_t ld_x,
                    const double* x_sqnorms, const double* c, size_t k,
                    size_t ld_c, const double* c_sqnorms, size_t d,
                    int32_t* labels, double* min_sqdist, double* scratch);

// The K-Means center update: for i < n, with l = labels[i] and w = w[i]
// (1 when w is null), sums[l * ld_sums + j] += w * x[i * ld_x + j] for
// j < d and weight_sums[l] += w. Each element is updated as s + w * x (no
// fused multiply-add, as scikit-learn's loop), rows in order, so results
// are identical on every target. Rows whose label is outside [0, k) are
// skipped (sums and weight_sums have k rows). Does not allocate.
void AddRowsByLabel(const double* x, size_t n, size_t ld_x, const double* w,
                    const int32_t* labels, size_t k, size_t d, double* sums,
                    size_t ld_sums, double* weight_sums);

}  // namespace eclipsera::simd

#endif  // ECLIPSERA_SIMD_DISTANCE_H_
