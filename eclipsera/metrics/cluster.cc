// Clustering metrics: scikit-learn 1.2's
// sklearn/metrics/cluster/_supervised.py, _unsupervised.py and
// _expected_mutual_info_fast.pyx.
#include "eclipsera/metrics/cluster.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/metrics/classification.h"
#include "eclipsera/simd/distance.h"

namespace eclipsera::metrics {
namespace {

// The sparse contingency table of two labellings: the non-zero cells in
// row-major order, and the row (true class) and column (cluster) sums.
struct Contingency {
  std::vector<int64_t> row, col, count;  // non-zero cells
  std::vector<int64_t> row_sum, col_sum;
  int64_t n = 0;
};

absl::StatusOr<Contingency> MakeContingency(absl::string_view context,
                                            ClusterLabels a, ClusterLabels b) {
  ECLIPSERA_RETURN_IF_ERROR(CheckLabels(context, a, b, {}));
  const std::vector<double> ca = UniqueLabels(a), cb = UniqueLabels(b);
  const std::vector<int32_t> ia = EncodeAgainst(a, ca),
                             ib = EncodeAgainst(b, cb);
  const int64_t kb = static_cast<int64_t>(cb.size());
  std::vector<int64_t> cells(a.size());
  for (size_t i = 0; i < a.size(); ++i) cells[i] = ia[i] * kb + ib[i];
  std::sort(cells.begin(), cells.end());
  Contingency c;
  c.n = static_cast<int64_t>(a.size());
  c.row_sum.assign(ca.size(), 0);
  c.col_sum.assign(cb.size(), 0);
  for (size_t i = 0; i < cells.size();) {
    size_t j = i;
    while (j < cells.size() && cells[j] == cells[i]) ++j;
    const int64_t r = cells[i] / kb, k = cells[i] % kb;
    const int64_t count = static_cast<int64_t>(j - i);
    c.row.push_back(r);
    c.col.push_back(k);
    c.count.push_back(count);
    c.row_sum[r] += count;
    c.col_sum[k] += count;
    i = j;
  }
  return c;
}

// pair_confusion_matrix as exact integers: (tn, fp, fn, tp).
struct PairConfusion {
  __int128 tn, fp, fn, tp;
};

PairConfusion Pairs(const Contingency& c) {
  __int128 sum_squares = 0, rows = 0, cols = 0;
  for (int64_t v : c.count) sum_squares += static_cast<__int128>(v) * v;
  // contingency.dot(n_k).sum() = sum_ij n_ij n_.j = sum_j n_.j^2.
  for (int64_t v : c.col_sum) cols += static_cast<__int128>(v) * v;
  for (int64_t v : c.row_sum) rows += static_cast<__int128>(v) * v;
  const __int128 n = c.n;
  PairConfusion p;
  p.tp = sum_squares - n;
  p.fp = cols - sum_squares;
  p.fn = rows - sum_squares;
  p.tn = n * n - p.fp - p.fn - sum_squares;
  return p;
}

double Entropy(const std::vector<int64_t>& counts, int64_t n) {
  if (counts.size() <= 1) return 0.0;
  const double total = static_cast<double>(n);
  const double log_total = std::log(total);
  double h = 0.0;
  for (int64_t v : counts) {
    if (v == 0) continue;
    const double p = static_cast<double>(v);
    h -= (p / total) * (std::log(p) - log_total);
  }
  return h;
}

double MutualInfo(const Contingency& c) {
  if (c.row_sum.size() == 1 || c.col_sum.size() == 1) return 0.0;
  const double total = static_cast<double>(c.n);
  const double log_total = std::log(total);
  double mi = 0.0;
  for (size_t e = 0; e < c.count.size(); ++e) {
    const double nij = static_cast<double>(c.count[e]);
    const double pij = nij / total;
    const double outer =
        static_cast<double>(c.row_sum[c.row[e]] * c.col_sum[c.col[e]]);
    const double log_outer = -std::log(outer) + log_total + log_total;
    double term = pij * (std::log(nij) - log_total) + pij * log_outer;
    if (std::abs(term) < std::numeric_limits<double>::epsilon()) term = 0.0;
    mi += term;
  }
  return std::max(mi, 0.0);
}

double LogGamma(double x) {
  int sign;
  return lgamma_r(x, &sign);  // reentrant: no global signgam
}

// _expected_mutual_info_fast.expected_mutual_information.
double ExpectedMutualInfo(const Contingency& c) {
  const std::vector<int64_t>& a = c.row_sum;
  const std::vector<int64_t>& b = c.col_sum;
  if (a.size() == 1 || b.size() == 1) return 0.0;
  const double n = static_cast<double>(c.n);
  const int64_t top = std::max(*std::max_element(a.begin(), a.end()),
                               *std::max_element(b.begin(), b.end()));
  std::vector<double> log_nnij(top + 1), gln_nij(top + 1), term1(top + 1);
  for (int64_t k = 0; k <= top; ++k) {
    const double nij = k == 0 ? 1.0 : static_cast<double>(k);
    term1[k] = nij / n;
    log_nnij[k] = std::log(n) + std::log(nij);
    gln_nij[k] = LogGamma(nij + 1.0);
  }
  const double gln_n = LogGamma(n + 1.0);
  double emi = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double ai = static_cast<double>(a[i]);
    const double log_a = std::log(ai);
    const double gln_a = LogGamma(ai + 1.0), gln_na = LogGamma(n - ai + 1.0);
    for (size_t j = 0; j < b.size(); ++j) {
      const double bj = static_cast<double>(b[j]);
      const double log_b = std::log(bj);
      const double gln_b = LogGamma(bj + 1.0), gln_nb = LogGamma(n - bj + 1.0);
      const int64_t start = std::max<int64_t>(a[i] - c.n + b[j], 1);
      const int64_t end = std::min(a[i], b[j]) + 1;
      for (int64_t nij = start; nij < end; ++nij) {
        const double term2 = log_nnij[nij] - log_a - log_b;
        const double gln =
            gln_a + gln_b + gln_na + gln_nb - gln_n - gln_nij[nij] -
            LogGamma(ai - static_cast<double>(nij) + 1.0) -
            LogGamma(bj - static_cast<double>(nij) + 1.0) -
            LogGamma(n - ai - bj + static_cast<double>(nij) + 1.0);
        emi += term1[nij] * term2 * std::exp(gln);
      }
    }
  }
  return emi;
}

absl::StatusOr<double> GeneralizedAverage(absl::string_view context, double u,
                                          double v, const std::string& method) {
  if (method == "min") return std::min(u, v);
  if (method == "max") return std::max(u, v);
  if (method == "geometric") return std::sqrt(u * v);
  if (method == "arithmetic") return (u + v) / 2.0;
  return absl::InvalidArgumentError(
      absl::StrCat(context, ": unknown average_method '", method,
                   "'; allowed: 'min', 'geometric', 'arithmetic', 'max'"));
}

// Labels of a clustering of X: same length as X's rows, finite, encoded;
// 2 <= number of labels <= n - 1 (check_number_of_labels).
absl::StatusOr<EncodedLabels> ClusteringOf(absl::string_view context,
                                           const ConstMatrixRef& x,
                                           ClusterLabels labels) {
  ECLIPSERA_RETURN_IF_ERROR(CheckData(context, "X", x));
  if (static_cast<Index>(labels.size()) != x.rows()) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": X has ", x.rows(), " samples but labels has ",
                     labels.size(), "; they must have the same length"));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckLabels(context, labels, labels, {}));
  EncodedLabels e;
  e.classes = UniqueLabels(labels);
  e.codes = EncodeAgainst(labels, e.classes);
  const Index k = static_cast<Index>(e.classes.size());
  if (k < 2 || k > x.rows() - 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": Number of labels is ", k,
                     ". Valid values are 2 to n_samples - 1 (inclusive)"));
  }
  return e;
}

}  // namespace

absl::StatusOr<double> RandScore(ClusterLabels a, ClusterLabels b) {
  ECLIPSERA_ASSIGN_OR_RETURN(const Contingency c,
                             MakeContingency("rand_score", a, b));
  const PairConfusion p = Pairs(c);
  const __int128 numerator = p.tn + p.tp;
  const __int128 denominator = p.tn + p.fp + p.fn + p.tp;
  if (numerator == denominator || denominator == 0) return 1.0;
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

absl::StatusOr<double> AdjustedRandScore(ClusterLabels a, ClusterLabels b) {
  ECLIPSERA_ASSIGN_OR_RETURN(const Contingency c,
                             MakeContingency("adjusted_rand_score", a, b));
  const PairConfusion p = Pairs(c);
  if (p.fn == 0 && p.fp == 0) return 1.0;
  const __int128 num = p.tp * p.tn - p.fn * p.fp;
  const __int128 den =
      (p.tp + p.fn) * (p.fn + p.tn) + (p.tp + p.fp) * (p.fp + p.tn);
  return 2.0 * static_cast<double>(num) / static_cast<double>(den);
}

absl::StatusOr<double> MutualInfoScore(ClusterLabels a, ClusterLabels b) {
  ECLIPSERA_ASSIGN_OR_RETURN(const Contingency c,
                             MakeContingency("mutual_info_score", a, b));
  return MutualInfo(c);
}

absl::StatusOr<double> NormalizedMutualInfoScore(ClusterLabels a,
                                                 ClusterLabels b,
                                                 const std::string& method) {
  constexpr char kContext[] = "normalized_mutual_info_score";
  ECLIPSERA_ASSIGN_OR_RETURN(const Contingency c,
                             MakeContingency(kContext, a, b));
  ECLIPSERA_RETURN_IF_ERROR(
      GeneralizedAverage(kContext, 1.0, 1.0, method).status());
  if (c.row_sum.size() == 1 && c.col_sum.size() == 1) return 1.0;
  const double mi = MutualInfo(c);
  if (mi == 0.0) return 0.0;
  ECLIPSERA_ASSIGN_OR_RETURN(
      const double normalizer,
      GeneralizedAverage(kContext, Entropy(c.row_sum, c.n),
                         Entropy(c.col_sum, c.n), method));
  return mi / normalizer;
}

absl::StatusOr<double> AdjustedMutualInfoScore(ClusterLabels a, ClusterLabels b,
                                               const std::string& method) {
  constexpr char kContext[] = "adjusted_mutual_info_score";
  ECLIPSERA_ASSIGN_OR_RETURN(const Contingency c,
                             MakeContingency(kContext, a, b));
  ECLIPSERA_RETURN_IF_ERROR(
      GeneralizedAverage(kContext, 1.0, 1.0, method).status());
  if (c.row_sum.size() == 1 && c.col_sum.size() == 1) return 1.0;
  const double mi = MutualInfo(c);
  const double emi = ExpectedMutualInfo(c);
  ECLIPSERA_ASSIGN_OR_RETURN(
      const double normalizer,
      GeneralizedAverage(kContext, Entropy(c.row_sum, c.n),
                         Entropy(c.col_sum, c.n), method));
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  double denominator = normalizer - emi;
  denominator = denominator < 0.0 ? std::min(denominator, -kEps)
                                  : std::max(denominator, kEps);
  return (mi - emi) / denominator;
}

absl::StatusOr<HomogeneityCompletenessV> HomogeneityCompletenessVMeasure(
    ClusterLabels a, ClusterLabels b, double beta) {
  constexpr char kContext[] = "homogeneity_completeness_v_measure";
  if (!(beta >= 0.0) || !std::isfinite(beta)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": beta = ", beta, "; must be >= 0"));
  }
  ECLIPSERA_ASSIGN_OR_RETURN(const Contingency c,
                             MakeContingency(kContext, a, b));
  const double entropy_c = Entropy(c.row_sum, c.n);
  const double entropy_k = Entropy(c.col_sum, c.n);
  const double mi = MutualInfo(c);
  HomogeneityCompletenessV r;
  r.homogeneity = entropy_c != 0.0 ? mi / entropy_c : 1.0;
  r.completeness = entropy_k != 0.0 ? mi / entropy_k : 1.0;
  r.v_measure = r.homogeneity + r.completeness == 0.0
                    ? 0.0
                    : (1.0 + beta) * r.homogeneity * r.completeness /
                          (beta * r.homogeneity + r.completeness);
  return r;
}

absl::StatusOr<double> HomogeneityScore(ClusterLabels a, ClusterLabels b) {
  ECLIPSERA_ASSIGN_OR_RETURN(const HomogeneityCompletenessV r,
                             HomogeneityCompletenessVMeasure(a, b));
  return r.homogeneity;
}

absl::StatusOr<double> CompletenessScore(ClusterLabels a, ClusterLabels b) {
  ECLIPSERA_ASSIGN_OR_RETURN(const HomogeneityCompletenessV r,
                             HomogeneityCompletenessVMeasure(a, b));
  return r.completeness;
}

absl::StatusOr<double> VMeasureScore(ClusterLabels a, ClusterLabels b,
                                     double beta) {
  ECLIPSERA_ASSIGN_OR_RETURN(const HomogeneityCompletenessV r,
                             HomogeneityCompletenessVMeasure(a, b, beta));
  return r.v_measure;
}

absl::StatusOr<double> FowlkesMallowsScore(ClusterLabels a, ClusterLabels b) {
  ECLIPSERA_ASSIGN_OR_RETURN(const Contingency c,
                             MakeContingency("fowlkes_mallows_score", a, b));
  __int128 tk = -c.n, pk = -c.n, qk = -c.n;
  for (int64_t v : c.count) tk += static_cast<__int128>(v) * v;
  for (int64_t v : c.col_sum) pk += static_cast<__int128>(v) * v;
  for (int64_t v : c.row_sum) qk += static_cast<__int128>(v) * v;
  if (tk == 0) return 0.0;
  const double t = static_cast<double>(tk);
  return std::sqrt(t / static_cast<double>(pk)) *
         std::sqrt(t / static_cast<double>(qk));
}

absl::StatusOr<Vector> SilhouetteSamples(const ConstMatrixRef& x,
                                         ClusterLabels labels,
                                         const SilhouetteOptions& o) {
  constexpr char kContext[] = "silhouette_samples";
  if (o.metric != "euclidean") {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": unknown metric '", o.metric, "'; allowed: 'euclidean'"));
  }
  ECLIPSERA_RETURN_IF_ERROR(ResolveNJobs(o.n_jobs).status());
  ECLIPSERA_ASSIGN_OR_RETURN(const EncodedLabels e,
                             ClusteringOf(kContext, x, labels));
  const Index n = x.rows(), d = x.cols();
  const Index k = static_cast<Index>(e.classes.size());
  // Rows grouped by cluster (stable), so each cluster is a contiguous range
  // of columns, and centred, which keeps the GEMM identity's cancellation
  // small.
  std::vector<Index> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](Index a, Index b) { return e.codes[a] < e.codes[b]; });
  std::vector<Index> begin(k + 1, 0);
  for (Index i = 0; i < n; ++i) ++begin[e.codes[i] + 1];
  for (Index c = 0; c < k; ++c) begin[c + 1] += begin[c];
  const Vector mean = x.colwise().mean().transpose();
  Matrix xs(n, d);
  for (Index i = 0; i < n; ++i) xs.row(i) = x.row(order[i]) - mean.transpose();
  Vector sqnorms(n);
  simd::RowSquaredNorms(xs.data(), n, d, d, sqnorms.data());

  constexpr Index kRows = 64, kCols = 1024;
  const Index blocks = (n + kRows - 1) / kRows;
  const int workers = NumWorkers(o.n_jobs, blocks);
  const size_t scratch_size = simd::BlockScratchSize(kCols, d);
  std::vector<std::vector<double>> scratch(workers), tile(workers),
      sums(workers);
  Vector result(n);
  ParallelFor(o.n_jobs, blocks, [&](Index block, int w) {
    scratch[w].resize(scratch_size);
    tile[w].resize(kRows * kCols);
    sums[w].assign(kRows * k, 0.0);
    const Index r0 = block * kRows, rows = std::min(kRows, n - r0);
    double* s = sums[w].data();
    for (Index c0 = 0; c0 < n; c0 += kCols) {
      const Index cols = std::min(kCols, n - c0);
      double* t = tile[w].data();
      simd::SquaredL2Block(xs.row(r0).data(), rows, d, sqnorms.data() + r0,
                           xs.row(c0).data(), cols, d, sqnorms.data() + c0, d,
                           t, kCols, scratch[w].data());
      for (Index r = 0; r < rows; ++r) {
        double* row = t + r * kCols;
        // Eigen's sqrt and sum vectorize (std::sqrt in a loop does not,
        // because of errno).
        Eigen::Map<Eigen::ArrayXd> distances(row, cols);
        distances = distances.sqrt();
        if (r0 + r >= c0 && r0 + r < c0 + cols) row[r0 + r - c0] = 0.0;
        // Sum each cluster's contiguous range of this tile.
        Index c = e.codes[order[c0]];
        for (Index j = 0; j < cols;) {
          while (begin[c + 1] <= c0 + j) ++c;
          const Index stop = std::min(cols, begin[c + 1] - c0);
          s[r * k + c] += distances.segment(j, stop - j).sum();
          j = stop;
        }
      }
    }
    for (Index r = 0; r < rows; ++r) {
      const Index i = r0 + r;
      const Index own = e.codes[order[i]];
      const double size = static_cast<double>(begin[own + 1] - begin[own]);
      double b = std::numeric_limits<double>::infinity();
      for (Index c = 0; c < k; ++c) {
        if (c == own) continue;
        b = std::min(
            b, s[r * k + c] / static_cast<double>(begin[c + 1] - begin[c]));
      }
      double value = 0.0;
      if (size > 1.0) {
        const double a = s[r * k + own] / (size - 1.0);
        const double m = std::max(a, b);
        value = m > 0.0 ? (b - a) / m : 0.0;
      }
      result(order[i]) = value;
    }
  });
  return result;
}

absl::StatusOr<double> SilhouetteScore(const ConstMatrixRef& x,
                                       ClusterLabels labels,
                                       const SilhouetteOptions& o) {
  constexpr char kContext[] = "silhouette_score";
  if (!o.sample_size.has_value()) {
    ECLIPSERA_ASSIGN_OR_RETURN(const Vector s, SilhouetteSamples(x, labels, o));
    return s.mean();
  }
  const int64_t m = *o.sample_size;
  if (m < 1 || m > x.rows()) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": sample_size = ", m, "; must be in [1, ", x.rows(), "]"));
  }
  if (static_cast<Index>(labels.size()) != x.rows()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": X has ", x.rows(), " samples but labels has ",
                     labels.size(), "; they must have the same length"));
  }
  Random rng = Random::FromRandomState(o.random_state);
  std::vector<int64_t> pick = rng.SampleIndices(x.rows(), m);
  Matrix xs(m, x.cols());
  std::vector<double> ls(m);
  for (int64_t i = 0; i < m; ++i) {
    xs.row(i) = x.row(pick[i]);
    ls[i] = labels[pick[i]];
  }
  ECLIPSERA_ASSIGN_OR_RETURN(const Vector s, SilhouetteSamples(xs, ls, o));
  return s.mean();
}

absl::StatusOr<double> CalinskiHarabaszScore(const ConstMatrixRef& x,
                                             ClusterLabels labels) {
  ECLIPSERA_ASSIGN_OR_RETURN(
      const EncodedLabels e,
      ClusteringOf("calinski_harabasz_score", x, labels));
  const Index n = x.rows(), d = x.cols();
  const Index k = static_cast<Index>(e.classes.size());
  const Vector mean = x.colwise().mean().transpose();
  Matrix sums = Matrix::Zero(k, d);
  Vector counts = Vector::Zero(k);
  for (Index i = 0; i < n; ++i) {
    sums.row(e.codes[i]) += x.row(i);
    counts(e.codes[i]) += 1.0;
  }
  const Matrix means = sums.array().colwise() / counts.array();
  double extra = 0.0, intra = 0.0;
  for (Index c = 0; c < k; ++c) {
    extra += counts(c) * (means.row(c) - mean.transpose()).squaredNorm();
  }
  for (Index i = 0; i < n; ++i) {
    intra += (x.row(i) - means.row(e.codes[i])).squaredNorm();
  }
  if (intra == 0.0) return 1.0;
  return extra * static_cast<double>(n - k) /
         (intra * (static_cast<double>(k) - 1.0));
}

absl::StatusOr<double> DaviesBouldinScore(const ConstMatrixRef& x,
                                          ClusterLabels labels) {
  ECLIPSERA_ASSIGN_OR_RETURN(const EncodedLabels e,
                             ClusteringOf("davies_bouldin_score", x, labels));
  const Index n = x.rows(), d = x.cols();
  const Index k = static_cast<Index>(e.classes.size());
  Matrix centroids = Matrix::Zero(k, d);
  Vector counts = Vector::Zero(k);
  for (Index i = 0; i < n; ++i) {
    centroids.row(e.codes[i]) += x.row(i);
    counts(e.codes[i]) += 1.0;
  }
  centroids.array().colwise() /= counts.array();
  Vector intra = Vector::Zero(k);
  for (Index i = 0; i < n; ++i) {
    intra(e.codes[i]) += (x.row(i) - centroids.row(e.codes[i])).norm();
  }
  intra.array() /= counts.array();
  Matrix between(k, k);
  for (Index a = 0; a < k; ++a) {
    for (Index b = 0; b < k; ++b) {
      between(a, b) = (centroids.row(a) - centroids.row(b)).norm();
    }
  }
  // np.allclose(v, 0): every |v| <= 1e-8.
  if ((intra.array().abs() <= 1e-8).all() ||
      (between.array().abs() <= 1e-8).all()) {
    return 0.0;
  }
  double total = 0.0;
  for (Index a = 0; a < k; ++a) {
    double worst = -std::numeric_limits<double>::infinity();
    for (Index b = 0; b < k; ++b) {
      const double dist = between(a, b) == 0.0
                              ? std::numeric_limits<double>::infinity()
                              : between(a, b);
      worst = std::max(worst, (intra(a) + intra(b)) / dist);
    }
    total += worst;
  }
  return total / static_cast<double>(k);
}

}  // namespace eclipsera::metrics
