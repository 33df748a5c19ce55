// K-Means (Lloyd and Elkan) following scikit-learn 1.2's _kmeans.py and
// _k_means_lloyd.pyx / _k_means_elkan.pyx / _k_means_common.pyx.
#include "eclipsera/cluster/kmeans.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "eclipsera/cluster/internal/kmeans_kernels.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/pool/pooling_switch.h"
#include "eclipsera/simd/distance.h"

namespace eclipsera::cluster {
namespace {

// Number of distinct labels in [0, k) (for the duplicate-points warning).
Index CountDistinctLabels(const ConstLabelRef& labels, Index k) {
  std::vector<char> seen(static_cast<size_t>(k), 0);
  Index distinct = 0;
  for (Index i = 0; i < labels.size(); ++i) {
    const int32_t l = labels[i];
    if (l >= 0 && l < k && !seen[l]) {
      seen[l] = 1;
      ++distinct;
    }
  }
  return distinct;
}

using cluster_internal::AssignNearest;
using cluster_internal::AssignScratchSize;
using cluster_internal::kTileRows;
using cluster_internal::ReductionChunkRows;
using cluster_internal::SquaredDistance;

// Sizes a grow-only buffer: it reallocates only beyond its capacity.
template <class M>
void Size(M& m, Index rows, Index cols) {
  m.resize(rows, cols);
}
template <class V>
void Size(V& v, Index n) {
  v.resize(n);
}

// Everything one run (one init) needs, borrowed from the workspace.
struct RunContext {
  const ConstMatrixRef x;  // centered
  const double* x_sqnorms;
  const double* weights;
  Index n, d, k;
  int n_jobs;
  int verbose;
  double tol;  // absolute
  int max_iter;
  bool reuse;  // false: v1.0 behaviour, fresh buffers every iteration
  KMeansWorkspace* ws;
  Index chunk_rows;
  Index n_chunks;
};

void RowSquaredNorms(const ConstMatrixRef& m, VectorRef out) {
  for (Index i = 0; i < m.rows(); ++i) out(i) = m.row(i).squaredNorm();
}

// Weighted inertia, reduced per chunk in chunk order.
double Inertia(const RunContext& rc, const ConstMatrixRef& centers,
               const ConstLabelRef& labels, VectorRef chunk_partials) {
  ParallelForChunks(rc.n_jobs, rc.n, rc.chunk_rows, [&](Index b, Index e, int) {
    double s = 0.0;
    for (Index i = b; i < e; ++i) {
      s += rc.weights[i] * SquaredDistance(rc.x.row(i).data(),
                                           centers.row(labels(i)).data(), rc.d);
    }
    chunk_partials(b / rc.chunk_rows) = s;
  });
  double total = 0.0;
  for (Index c = 0; c < rc.n_chunks; ++c) total += chunk_partials(c);
  return total;
}

// scikit-learn's _relocate_empty_clusters_dense: each empty cluster takes
// the point farthest from its current center (largest first; scikit-learn
// uses argpartition, whose order among several far points is unspecified).
void RelocateEmptyClusters(const RunContext& rc,
                           const ConstMatrixRef& old_centers,
                           const ConstLabelRef& labels, MatrixRef centers_new,
                           VectorRef weight_in_clusters) {
  Index n_empty = 0;
  for (Index j = 0; j < rc.k; ++j) n_empty += weight_in_clusters(j) == 0.0;
  if (n_empty == 0) return;
  GrowVector& dist = rc.ws->distances;
  for (Index i = 0; i < rc.n; ++i) {
    dist(i) = SquaredDistance(rc.x.row(i).data(),
                              old_centers.row(labels(i)).data(), rc.d);
  }
  // Indices of the n_empty largest distances, largest first (ties: lower
  // index first), found by repeated selection: n_empty is small.
  Index idx = 0;
  for (Index j = 0; j < rc.k; ++j) {
    if (weight_in_clusters(j) != 0.0) continue;
    Index far = 0;
    double far_d = -1.0;
    for (Index i = 0; i < rc.n; ++i) {
      if (dist(i) > far_d) {
        far_d = dist(i);
        far = i;
      }
    }
    dist(far) = -std::numeric_limits<double>::infinity();
    const double w = rc.weights[far];
    const int32_t old_cluster = labels(far);
    centers_new.row(old_cluster) -= rc.x.row(far) * w;
    centers_new.row(j) = rc.x.row(far) * w;
    weight_in_clusters(j) = w;
    weight_in_clusters(old_cluster) -= w;
    ++idx;
  }
}

// Sums the per-chunk partial sums in chunk order, relocates empty clusters,
// divides by the weights and measures the center shift.
void FinishCenters(const RunContext& rc, const ConstMatrixRef& centers,
                   const ConstLabelRef& labels, MatrixRef centers_new) {
  KMeansWorkspace& ws = *rc.ws;
  centers_new.setZero();
  ws.weight_in_clusters.setZero();
  for (Index c = 0; c < rc.n_chunks; ++c) {
    centers_new += ws.partial_sums.middleRows(c * rc.k, rc.k);
    ws.weight_in_clusters += ws.partial_weights.row(c).transpose();
  }
  RelocateEmptyClusters(rc, centers, labels, centers_new,
                        ws.weight_in_clusters);
  for (Index j = 0; j < rc.k; ++j) {
    if (ws.weight_in_clusters(j) > 0.0) {
      centers_new.row(j) /= ws.weight_in_clusters(j);
    }
    ws.center_shift(j) = std::sqrt(SquaredDistance(
        centers_new.row(j).data(), centers.row(j).data(), rc.d));
  }
}

// Accumulates w * x of rows [b, e) into chunk c's partial sums by label.
void AccumulateRows(const RunContext& rc, Index c, Index b, Index e,
                    const ConstLabelRef& labels) {
  KMeansWorkspace& ws = *rc.ws;
  simd::AddRowsByLabel(
      rc.x.row(b).data(), e - b, rc.x.outerStride(), rc.weights + b,
      labels.data() + b, rc.k, rc.d, ws.partial_sums.row(c * rc.k).data(),
      ws.partial_sums.outerStride(), ws.partial_weights.row(c).data());
}

void ZeroChunk(const RunContext& rc, Index c) {
  rc.ws->partial_sums.middleRows(c * rc.k, rc.k).setZero();
  rc.ws->partial_weights.row(c).setZero();
}

// Accumulates w * x of chunk [b, e) into its partial sums by label.
void AccumulateChunk(const RunContext& rc, Index b, Index e,
                     const ConstLabelRef& labels) {
  const Index c = b / rc.chunk_rows;
  ZeroChunk(rc, c);
  AccumulateRows(rc, c, b, e, labels);
}

// One Lloyd iteration (scikit-learn's lloyd_iter_chunked_dense): labels
// from `centers`, and when update_centers, new centers and shifts.
void LloydIter(const RunContext& rc, const ConstMatrixRef& centers,
               MatrixRef centers_new, LabelRef labels, bool update_centers) {
  KMeansWorkspace& ws = *rc.ws;
  RowSquaredNorms(centers, ws.c_sqnorms);
  ParallelForChunks(
      rc.n_jobs, rc.n, rc.chunk_rows, [&](Index b, Index e, int worker) {
        double* scratch = ws.tiles.row(worker).data();
        if (!update_centers) {
          AssignNearest(rc.x, b, e, rc.x_sqnorms, centers, ws.c_sqnorms.data(),
                        scratch, labels.data());
          return;
        }
        // Label a tile, then add it to the sums while its rows are still
        // in cache: one pass over x per iteration instead of two. The sums
        // see the rows in the same order as a whole-chunk pass.
        // Tiles of about 1 MB of x: small enough to stay in L2 between the
        // two uses, large enough that NearestCenters' per-call packing of
        // the centers stays negligible.
        const Index tile = std::max<Index>(
            kTileRows, (Index{1} << 17) / std::max<Index>(rc.d, 1) / kTileRows *
                           kTileRows);
        const Index c = b / rc.chunk_rows;
        ZeroChunk(rc, c);
        for (Index t = b; t < e; t += tile) {
          const Index te = std::min(e, t + tile);
          AssignNearest(rc.x, t, te, rc.x_sqnorms, centers, ws.c_sqnorms.data(),
                        scratch, labels.data());
          AccumulateRows(rc, c, t, te, labels);
        }
      });
  if (update_centers) FinishCenters(rc, centers, labels, centers_new);
}

// The roadmap's v1.0 step (ECLIPSERA_DISABLE_POOLING=1): LloydIter on
// buffers allocated for this iteration and freed after it, so the results
// are the pooled path's bit for bit, from the one distance kernel.
void LloydIterAllocating(const RunContext& rc, const ConstMatrixRef& centers,
                         MatrixRef centers_new, LabelRef labels) {
  KMeansWorkspace& ws = *rc.ws;
  KMeansWorkspace fresh;
  fresh.c_sqnorms.resize(rc.k);
  fresh.tiles.resize(ws.tiles.rows(), ws.tiles.cols());
  fresh.partial_sums.resize(ws.partial_sums.rows(), ws.partial_sums.cols());
  fresh.partial_weights.resize(ws.partial_weights.rows(),
                               ws.partial_weights.cols());
  fresh.weight_in_clusters.resize(rc.k);
  fresh.center_shift.resize(rc.k);
  fresh.distances.resize(ws.distances.size());
  RunContext step = rc;
  step.ws = &fresh;
  LloydIter(step, centers, centers_new, labels, true);
  ws.weight_in_clusters = fresh.weight_in_clusters;
  ws.center_shift = fresh.center_shift;
}

struct RunResult {
  double inertia;
  int n_iter;
};

// Converged when labels did not change (strict) or the total squared
// center shift is within tol; then the labels are recomputed from the final
// centers, as scikit-learn does.
template <class IterFn, class FinalFn>
RunResult RunIterations(const RunContext& rc, IterFn iter,
                        FinalFn final_labels) {
  KMeansWorkspace& ws = *rc.ws;
  ws.labels.setConstant(-1);
  ws.labels_old.setConstant(-1);
  bool strict_convergence = false;
  int i = 0;
  for (; i < rc.max_iter; ++i) {
    iter();
    if (rc.verbose) {
      std::fprintf(stderr, "Iteration %d, inertia %.10g.\n", i,
                   Inertia(rc, ws.centers, ws.labels, ws.distances));
    }
    ws.centers.swap(ws.centers_new);
    if (ws.labels == ws.labels_old) {
      if (rc.verbose) {
        std::fprintf(stderr, "Converged at iteration %d: strict convergence.\n",
                     i);
      }
      strict_convergence = true;
      break;
    }
    const double shift_tot = ws.center_shift.squaredNorm();
    if (shift_tot <= rc.tol) {
      if (rc.verbose) {
        std::fprintf(stderr,
                     "Converged at iteration %d: center shift %g within "
                     "tolerance %g.\n",
                     i, shift_tot, rc.tol);
      }
      break;
    }
    ws.labels_old = ws.labels;
  }
  if (!strict_convergence) final_labels();
  GrowVector& partials = ws.distances;  // reused as chunk partials
  const double inertia = Inertia(rc, ws.centers, ws.labels, partials);
  return {inertia, std::min(i + 1, rc.max_iter)};
}

RunResult RunLloyd(const RunContext& rc) {
  KMeansWorkspace& ws = *rc.ws;
  return RunIterations(
      rc,
      [&] {
        if (rc.reuse) {
          LloydIter(rc, ws.centers, ws.centers_new, ws.labels, true);
        } else {
          LloydIterAllocating(rc, ws.centers, ws.centers_new, ws.labels);
        }
      },
      [&] { LloydIter(rc, ws.centers, ws.centers, ws.labels, false); });
}

// Pairwise center half-distances and, per center, half the distance to its
// nearest other center.
void CenterHalfDistances(const RunContext& rc, const ConstMatrixRef& centers) {
  KMeansWorkspace& ws = *rc.ws;
  for (Index a = 0; a < rc.k; ++a) {
    ws.center_half_distances(a, a) = 0.0;
    for (Index b = a + 1; b < rc.k; ++b) {
      const double h =
          0.5 * std::sqrt(SquaredDistance(centers.row(a).data(),
                                          centers.row(b).data(), rc.d));
      ws.center_half_distances(a, b) = h;
      ws.center_half_distances(b, a) = h;
    }
  }
  for (Index a = 0; a < rc.k; ++a) {
    double best = std::numeric_limits<double>::infinity();
    for (Index b = 0; b < rc.k; ++b) {
      if (b != a) best = std::min(best, ws.center_half_distances(a, b));
    }
    ws.distance_next_center(a) = rc.k > 1 ? best : 0.0;
  }
}

// scikit-learn's init_bounds_dense.
void ElkanInitBounds(const RunContext& rc, const ConstMatrixRef& centers) {
  KMeansWorkspace& ws = *rc.ws;
  ParallelForChunks(rc.n_jobs, rc.n, rc.chunk_rows, [&](Index b, Index e, int) {
    for (Index i = b; i < e; ++i) {
      const double* xi = rc.x.row(i).data();
      int32_t best = 0;
      double min_dist =
          std::sqrt(SquaredDistance(xi, centers.row(0).data(), rc.d));
      ws.lower_bounds(i, 0) = min_dist;
      for (Index j = 1; j < rc.k; ++j) {
        if (min_dist > ws.center_half_distances(best, j)) {
          const double dist =
              std::sqrt(SquaredDistance(xi, centers.row(j).data(), rc.d));
          ws.lower_bounds(i, j) = dist;
          if (dist < min_dist) {
            min_dist = dist;
            best = static_cast<int32_t>(j);
          }
        }
      }
      ws.labels(i) = best;
      ws.upper_bounds(i) = min_dist;
    }
  });
}

// scikit-learn's elkan_iter_chunked_dense.
void ElkanIter(const RunContext& rc, const ConstMatrixRef& centers,
               MatrixRef centers_new, bool update_centers) {
  KMeansWorkspace& ws = *rc.ws;
  ParallelForChunks(rc.n_jobs, rc.n, rc.chunk_rows, [&](Index b, Index e, int) {
    for (Index i = b; i < e; ++i) {
      double upper = ws.upper_bounds(i);
      bool tight = false;
      int32_t label = ws.labels(i);
      const double* xi = rc.x.row(i).data();
      if (!(ws.distance_next_center(label) >= upper)) {
        for (Index j = 0; j < rc.k; ++j) {
          if (j != label && upper > ws.lower_bounds(i, j) &&
              upper > ws.center_half_distances(label, j)) {
            if (!tight) {
              upper = std::sqrt(
                  SquaredDistance(xi, centers.row(label).data(), rc.d));
              ws.lower_bounds(i, label) = upper;
              tight = true;
            }
            if (upper > ws.lower_bounds(i, j) &&
                upper > ws.center_half_distances(label, j)) {
              const double dist =
                  std::sqrt(SquaredDistance(xi, centers.row(j).data(), rc.d));
              ws.lower_bounds(i, j) = dist;
              if (dist < upper) {
                label = static_cast<int32_t>(j);
                upper = dist;
              }
            }
          }
        }
        ws.labels(i) = label;
        ws.upper_bounds(i) = upper;
      }
    }
    if (update_centers) AccumulateChunk(rc, b, e, ws.labels);
  });
  if (!update_centers) return;
  FinishCenters(rc, centers, ws.labels, centers_new);
  for (Index i = 0; i < rc.n; ++i) {
    // Labels from the kernels are in [0, k); guarded so the read stays in
    // bounds by construction.
    const int32_t l = ws.labels(i);
    if (static_cast<uint32_t>(l) < static_cast<uint32_t>(rc.k)) {
      ws.upper_bounds(i) += ws.center_shift(l);
    }
    for (Index j = 0; j < rc.k; ++j) {
      ws.lower_bounds(i, j) =
          std::max(0.0, ws.lower_bounds(i, j) - ws.center_shift(j));
    }
  }
}

// The v1.0 mode of the bounded algorithms (ECLIPSERA_DISABLE_POOLING=1):
// the per-iteration chunk sums on arrays allocated for this iteration (the
// bounds are state carried between iterations, not scratch).
void FreshChunkSums(const RunContext& rc) {
  if (rc.reuse) return;
  for (GrowMatrix* m : {&rc.ws->partial_sums, &rc.ws->partial_weights}) {
    const Index rows = m->rows(), cols = m->cols();
    m->release();
    m->resize(rows, cols);
  }
}

RunResult RunElkan(const RunContext& rc) {
  KMeansWorkspace& ws = *rc.ws;
  ws.lower_bounds.setZero();
  ws.upper_bounds.setZero();
  CenterHalfDistances(rc, ws.centers);
  // RunIterations resets labels; the bounds' labels are set here, so keep
  // them through a first-iteration flag.
  bool first = true;
  return RunIterations(
      rc,
      [&] {
        if (first) {
          ElkanInitBounds(rc, ws.centers);
          first = false;
        }
        FreshChunkSums(rc);
        ElkanIter(rc, ws.centers, ws.centers_new, true);
        CenterHalfDistances(rc, ws.centers_new);
      },
      [&] { ElkanIter(rc, ws.centers, ws.centers, false); });
}

// Hamerly's algorithm (Hamerly 2010, "Making k-means even faster"): one
// upper bound (distance to the assigned center) and one lower bound
// (distance to the second-closest center) per sample, so memory stays O(n)
// where Elkan needs n x k bounds. A sample is only re-examined when its
// upper bound exceeds max(lower bound, half the distance from its center to
// the nearest other center). Labels are those of exact distances, as
// Elkan's; the iteration, convergence and relocation rules are Lloyd's.
void HamerlyIter(const RunContext& rc, const ConstMatrixRef& centers,
                 MatrixRef centers_new, bool update_centers) {
  KMeansWorkspace& ws = *rc.ws;
  CenterHalfDistances(rc, centers);
  const bool use_tree = cluster_internal::CenterTree::Useful(rc.k, rc.d);
  if (use_tree) ws.center_tree.Build(centers);
  ParallelForChunks(rc.n_jobs, rc.n, rc.chunk_rows, [&](Index b, Index e, int) {
    for (Index i = b; i < e; ++i) {
      const double* xi = rc.x.row(i).data();
      int32_t label = ws.labels(i);
      if (label >= 0) {
        const double m =
            std::max(ws.distance_next_center(label), ws.hamerly_lower(i));
        if (!(ws.upper_bounds(i) > m)) continue;
        ws.upper_bounds(i) =
            std::sqrt(SquaredDistance(xi, centers.row(label).data(), rc.d));
        if (!(ws.upper_bounds(i) > m)) continue;
      }
      double d1 = std::numeric_limits<double>::infinity(), d2 = d1;
      int32_t best = 0;
      if (use_tree) {
        ws.center_tree.Query2(xi, &best, &d1, &d2);
      } else {
        for (Index j = 0; j < rc.k; ++j) {
          const double dist = SquaredDistance(xi, centers.row(j).data(), rc.d);
          if (dist < d1) {
            d2 = d1;
            d1 = dist;
            best = static_cast<int32_t>(j);
          } else if (dist < d2) {
            d2 = dist;
          }
        }
      }
      ws.labels(i) = best;
      ws.upper_bounds(i) = std::sqrt(d1);
      ws.hamerly_lower(i) = std::sqrt(d2);
    }
    if (update_centers) AccumulateChunk(rc, b, e, ws.labels);
  });
  if (!update_centers) return;
  FinishCenters(rc, centers, ws.labels, centers_new);
  Index far = 0;
  for (Index j = 1; j < rc.k; ++j) {
    if (ws.center_shift(j) > ws.center_shift(far)) far = j;
  }
  double second = 0.0;
  for (Index j = 0; j < rc.k; ++j) {
    if (j != far) second = std::max(second, ws.center_shift(j));
  }
  const double first = ws.center_shift(far);
  for (Index i = 0; i < rc.n; ++i) {
    const int32_t l = ws.labels(i);
    ws.upper_bounds(i) += ws.center_shift(l);
    ws.hamerly_lower(i) -= (l == far ? second : first);
  }
}

RunResult RunHamerly(const RunContext& rc) {
  KMeansWorkspace& ws = *rc.ws;
  return RunIterations(
      rc,
      [&] {
        FreshChunkSums(rc);
        HamerlyIter(rc, ws.centers, ws.centers_new, true);
      },
      [&] { HamerlyIter(rc, ws.centers, ws.centers, false); });
}

// True when a and b define the same partition (scikit-learn's
// _is_same_clustering).
bool SameClustering(const ConstLabelRef& a, const ConstLabelRef& b, Index k,
                    std::vector<int32_t>& mapping) {
  mapping.assign(k, -1);
  for (Index i = 0; i < a.size(); ++i) {
    if (mapping[a(i)] == -1) {
      mapping[a(i)] = b(i);
    } else if (mapping[a(i)] != b(i)) {
      return false;
    }
  }
  return true;
}

absl::Status CheckSampleWeight(absl::Span<const double> w, Index n) {
  if (w.empty()) return absl::OkStatus();
  ECLIPSERA_RETURN_IF_ERROR(CheckLength("KMeans::Fit", "sample_weight",
                                        static_cast<Index>(w.size()), n));
  ECLIPSERA_RETURN_IF_ERROR(
      CheckFiniteValues("KMeans::Fit", "sample_weight", w));
  double total = 0.0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] < 0.0) {
      return absl::InvalidArgumentError(
          absl::StrCat("KMeans::Fit: sample_weight[", i, "] = ", w[i],
                       ", weights must be >= 0"));
    }
    total += w[i];
  }
  if (total <= 0.0) {
    return absl::InvalidArgumentError(
        "KMeans::Fit: sample_weight sums to 0; at least one weight must be "
        "positive");
  }
  return absl::OkStatus();
}

}  // namespace

WorkspaceStats KMeansWorkspace::stats() const {
  return SumStats(x, x_sqnorms, weights, centers, centers_new, best_centers,
                  c_sqnorms, weight_in_clusters, center_shift, labels,
                  labels_old, best_labels, distances, tiles, partial_sums,
                  partial_weights, upper_bounds, lower_bounds,
                  center_half_distances, distance_next_center, hamerly_lower,
                  candidate_dist, cumsum);
}

const ParamSchema<KMeansOptions>& KMeansOptions::Schema() {
  static const auto* schema = [] {
    auto* s = new ParamSchema<KMeansOptions>("KMeans");
    s->Int("n_clusters", &KMeansOptions::n_clusters,
           "number of clusters, in [1, n_samples]")
        .String("init", &KMeansOptions::init,
                "'k-means++' or 'random' (explicit centers: C++ API)",
                {"k-means++", "random"})
        .Int("n_init", &KMeansOptions::n_init,
             "number of initialisations, the lowest inertia wins")
        .Int("max_iter", &KMeansOptions::max_iter, "iterations per run")
        .Double("tol", &KMeansOptions::tol,
                "relative tolerance on the center shift")
        .Int("verbose", &KMeansOptions::verbose, "progress on stderr")
        .OptionalInt("random_state", &KMeansOptions::random_state,
                     "seed; None: a different result every run")
        .String("algorithm", &KMeansOptions::algorithm,
                "'lloyd', 'elkan' or 'auto'",
                {"lloyd", "elkan", "hamerly", "auto", "full"})
        .Int("n_jobs", &KMeansOptions::n_jobs, kNJobsDoc);
    return s;
  }();
  return *schema;
}

KMeans::KMeans(KMeansOptions options) : options_(std::move(options)) {}

void KMeans::set_options(const KMeansOptions& options) {
  options_ = options;
  Reset();
}

void KMeans::Reset() {
  fitted_ = false;
  inertia_ = 0.0;
  n_iter_ = 0;
}

absl::Status KMeans::Validate(const ConstMatrixRef& x,
                              absl::Span<const double> sample_weight) const {
  const char* ctx = "KMeans::Fit";
  const KMeansOptions& o = options_;
  ECLIPSERA_RETURN_IF_ERROR(CheckData(ctx, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckNotTooSmall(ctx, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "n_clusters", o.n_clusters, 1));
  if (o.n_clusters > x.rows()) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx, ": n_samples = ", x.rows(),
                     " should be >= n_clusters = ", o.n_clusters));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "n_init", o.n_init, 1));
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "max_iter", o.max_iter, 1));
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "tol", o.tol, 0.0));
  ECLIPSERA_RETURN_IF_ERROR(CheckAtLeast(ctx, "verbose", o.verbose, 0));
  const absl::string_view inits[] = {"k-means++", "random"};
  ECLIPSERA_RETURN_IF_ERROR(CheckOneOf(ctx, "init", o.init, inits));
  const absl::string_view algorithms[] = {"lloyd", "elkan", "hamerly", "auto",
                                          "full"};
  ECLIPSERA_RETURN_IF_ERROR(
      CheckOneOf(ctx, "algorithm", o.algorithm, algorithms));
  absl::StatusOr<int> jobs = ResolveNJobs(o.n_jobs);
  if (!jobs.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx, ": ", jobs.status().message()));
  }
  if (o.init_centers.has_value()) {
    ECLIPSERA_RETURN_IF_ERROR(
        CheckShape(ctx, "init", *o.init_centers, o.n_clusters, x.cols()));
    ECLIPSERA_RETURN_IF_ERROR(CheckFinite(ctx, "init", *o.init_centers));
    ECLIPSERA_RETURN_IF_ERROR(CheckMagnitude(ctx, "init", *o.init_centers));
  }
  return CheckSampleWeight(sample_weight, x.rows());
}

namespace {

// The algorithm a fit runs: scikit-learn's alias 'full' is lloyd; 'auto'
// picks hamerly in low dimension, where a distance costs little next to
// the GEMM's per-tile overhead and most samples keep their center
// (Hamerly's O(n) bounds, unlike Elkan's n x k, fit any n and k); bounds
// are pointless for one cluster.
std::string ResolveAlgorithm(std::string algorithm, Index d, Index k) {
  if (algorithm == "full") algorithm = "lloyd";
  if (algorithm == "auto") algorithm = d <= 16 ? "hamerly" : "lloyd";
  if (k == 1 || (algorithm != "elkan" && algorithm != "hamerly")) {
    return "lloyd";
  }
  return algorithm;
}

// Sizes every buffer the fit uses (grow-only: nothing reallocates within
// capacity).
void SizeWorkspace(KMeansWorkspace& ws, Index n, Index d, Index k,
                   Index n_chunks, int n_jobs, const std::string& algorithm) {
  // The chunked buffers keep room for the most chunks of any fold of at
  // most n rows, so the next, smaller fold never reallocates them.
  const Index max_chunks = cluster_internal::MaxReductionChunks(n);
  const int workers = NumWorkers(n_jobs, n_chunks);
  ws.tiles.reserve(std::max(1, NumWorkers(n_jobs, max_chunks)) *
                   AssignScratchSize(k, d));
  ws.partial_sums.reserve(max_chunks * k * d);
  ws.partial_weights.reserve(max_chunks * k);
  Size(ws.x, n, d);
  Size(ws.x_sqnorms, n);
  Size(ws.weights, n);
  Size(ws.centers, k, d);
  Size(ws.centers_new, k, d);
  Size(ws.best_centers, k, d);
  Size(ws.c_sqnorms, k);
  Size(ws.weight_in_clusters, k);
  Size(ws.center_shift, k);
  Size(ws.labels, n);
  Size(ws.labels_old, n);
  Size(ws.best_labels, n);
  Size(ws.distances, std::max(n, n_chunks));
  Size(ws.tiles, std::max(1, workers), AssignScratchSize(k, d));
  Size(ws.partial_sums, n_chunks * k, d);
  Size(ws.partial_weights, n_chunks, k);
  if (algorithm == "lloyd") return;
  Size(ws.upper_bounds, n);
  Size(ws.center_half_distances, k, k);
  Size(ws.distance_next_center, k);
  if (algorithm == "hamerly") Size(ws.hamerly_lower, n);
  if (algorithm == "elkan") Size(ws.lower_bounds, n, k);
}

// Centers X into ws.x (scikit-learn does, for precision of the distances),
// with the row norms and the weights; returns the column means. The means
// come from per-chunk row sums (fixed chunks, added in chunk order: the
// same for any n_jobs), in the partial-sum rows the Lloyd step overwrites
// later. Eigen's colwise() on row-major data walks every row once per pair
// of columns.
Eigen::RowVectorXd CenterData(const ConstMatrixRef& x,
                              absl::Span<const double> sample_weight, Index k,
                              Index chunk_rows, Index n_chunks, int n_jobs,
                              KMeansWorkspace& ws) {
  const Index n = x.rows();
  ParallelForChunks(n_jobs, n, chunk_rows, [&](Index b, Index e, int) {
    auto acc = ws.partial_sums.row((b / chunk_rows) * k);
    acc.setZero();
    for (Index i = b; i < e; ++i) acc += x.row(i);
  });
  Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(x.cols());
  for (Index c = 0; c < n_chunks; ++c) mean += ws.partial_sums.row(c * k);
  mean /= static_cast<double>(n);
  // Centering and row norms in one parallel pass (each row on its own, so
  // the values do not depend on n_jobs).
  ParallelForChunks(n_jobs, n, chunk_rows, [&](Index b, Index e, int) {
    for (Index i = b; i < e; ++i) {
      ws.x.row(i).noalias() = x.row(i) - mean;
      ws.x_sqnorms(i) = ws.x.row(i).squaredNorm();
    }
  });
  if (sample_weight.empty()) {
    ws.weights.setOnes();
  } else {
    ws.weights = Eigen::Map<const Vector>(sample_weight.data(), n);
  }
  return mean;
}

// scikit-learn's _tolerance: the mean feature variance of the centered X
// times tol.
double AbsoluteTolerance(const GrowMatrix& x, double tol) {
  if (tol == 0.0) return 0.0;
  return (x.array().square().colwise().sum() / static_cast<double>(x.rows()))
             .mean() *
         tol;
}

// One run's initial centers in ws.centers (centered coordinates): the
// explicit ones, k-means++ or k distinct random rows.
absl::Status InitCenters(const KMeansOptions& o, const Eigen::RowVectorXd& mean,
                         Random& random, KMeansWorkspace& ws) {
  const Index k = o.n_clusters;
  if (o.init_centers.has_value()) {
    ws.centers = o.init_centers->rowwise() - mean;
  } else if (o.init == "k-means++") {
    ECLIPSERA_ASSIGN_OR_RETURN(
        ws.centers,
        KMeansPlusPlus(ws.x, static_cast<int>(k), random, -1, o.n_jobs));
  } else {
    const std::vector<int64_t> rows = random.SampleIndices(ws.x.rows(), k);
    for (Index j = 0; j < k; ++j) ws.centers.row(j) = ws.x.row(rows[j]);
  }
  if (o.verbose) std::fprintf(stderr, "Initialization complete\n");
  return absl::OkStatus();
}

}  // namespace

absl::Status KMeans::DoFit(const ConstMatrixRef& x, absl::Span<const double>,
                           const FitArgs& args) {
  const absl::Span<const double> sample_weight = args.sample_weight;
  ECLIPSERA_RETURN_IF_ERROR(Validate(x, sample_weight));
  Reset();
  const Index n = x.rows(), d = x.cols(), k = options_.n_clusters;
  algorithm_used_ = ResolveAlgorithm(options_.algorithm, d, k);
  KMeansWorkspace& ws = ws_;
  const Index chunk_rows = ReductionChunkRows(n);
  const Index n_chunks = NumChunks(n, chunk_rows);
  SizeWorkspace(ws, n, d, k, n_chunks, options_.n_jobs, algorithm_used_);
  const Eigen::RowVectorXd mean = CenterData(x, sample_weight, k, chunk_rows,
                                             n_chunks, options_.n_jobs, ws);
  RunContext rc{ws.x, ws.x_sqnorms.data(), ws.weights.data(), n, d, k,
                options_.n_jobs, options_.verbose,
                AbsoluteTolerance(ws.x, options_.tol), options_.max_iter,
                // ECLIPSERA_DISABLE_POOLING=1: v1.0's fresh buffers.
                !pool::PoolingDisabled(), &ws, chunk_rows, n_chunks};

  Random random = Random::FromRandomState(options_.random_state);
  const int n_init = options_.init_centers.has_value() ? 1 : options_.n_init;
  if (options_.init_centers.has_value() && options_.n_init != 1) {
    AddWarning(absl::StrCat(
        "Explicit initial center position passed: performing only one init "
        "in KMeans instead of n_init=",
        options_.n_init, "."));
  }
  double best_inertia = std::numeric_limits<double>::infinity();
  int best_n_iter = 0;
  std::vector<int32_t> mapping;
  for (int run = 0; run < n_init; ++run) {
    ECLIPSERA_RETURN_IF_ERROR(InitCenters(options_, mean, random, ws));
    const RunResult r = algorithm_used_ == "elkan"     ? RunElkan(rc)
                        : algorithm_used_ == "hamerly" ? RunHamerly(rc)
                                                       : RunLloyd(rc);
    if (run == 0 || (r.inertia < best_inertia &&
                     !SameClustering(ws.labels, ws.best_labels, k, mapping))) {
      best_inertia = r.inertia;
      best_n_iter = r.n_iter;
      ws.best_centers = ws.centers;
      ws.best_labels = ws.labels;
    }
  }
  cluster_centers_ = ws.best_centers.rowwise() + mean;
  ECLIPSERA_RETURN_IF_ERROR(
      CheckFittedFinite("KMeans::Fit", "cluster center", cluster_centers_));
  ECLIPSERA_RETURN_IF_ERROR(
      CheckFittedFinite("KMeans::Fit", "inertia", best_inertia));
  labels_ = ws.best_labels;
  inertia_ = best_inertia;
  n_iter_ = best_n_iter;
  fitted_ = true;
  // scikit-learn's ConvergenceWarning for duplicate points.
  const Index distinct = CountDistinctLabels(labels_, k);
  if (distinct < k) {
    AddWarning(absl::StrCat("Number of distinct clusters (", distinct,
                            ") found smaller than n_clusters (", k,
                            "). Possibly due to duplicate points in X."));
  }
  return absl::OkStatus();
}

namespace {

// Rows per k-means++ chunk: a constant (never a function of the thread
// count), so the per-chunk partial potentials, reduced in chunk order, are
// the same for any n_jobs. 1024 rows of 64 doubles are 512 KiB of x, and
// the chunk's distance tile (1024 x trials) stays in L1/L2.
constexpr Index kPlusPlusChunkRows = 1024;

// The buffers of one KMeansPlusPlus call (allocated once; no step
// allocates) and its two passes over the data.
//
// Evaluate(trials): one parallel pass over row chunks. Each chunk computes
// the squared distances of its rows to the `trials` candidates with the
// blocked SIMD kernel (into a per-worker tile), the chunk's partial
// potential sum_i min(closest_i, d(t, i)) per trial, and records the rows
// where a candidate is closer than the current closest center (sparse, per
// chunk and trial). Nothing of size n x trials is written densely: after
// the first steps most candidates improve few rows, so the only large
// traffic is reading x once per step.
// Potential(t): the partials of trial t summed in chunk order.
// Accept(t) + Sample(): the winner's improvements are written into the
// closest-distance vector in place, chunk by chunk, fused with the serial
// running sum (the same order as a cumulative sum over all rows) that finds
// the next candidates, as np.searchsorted on the cumulative sum does.
class PlusPlusState {
 public:
  PlusPlusState(const ConstMatrixRef& x, int max_trials, int n_jobs)
      : x_(x),
        n_(x.rows()),
        d_(x.cols()),
        max_trials_(max_trials),
        n_jobs_(n_jobs),
        n_chunks_(NumChunks(n_, kPlusPlusChunkRows)),
        workers_(std::max(1, NumWorkers(n_jobs, n_chunks_))),
        scratch_size_(static_cast<Index>(simd::BlockScratchSize(
            static_cast<size_t>(max_trials), static_cast<size_t>(d_)))),
        x_sqnorms_(n_),
        closest_(n_),
        cand_(max_trials, d_),
        cand_sqnorms_(max_trials),
        partials_(n_chunks_ * max_trials),
        counts_(n_chunks_ * max_trials),
        imp_rows_(static_cast<size_t>(n_chunks_ * max_trials) *
                  kPlusPlusChunkRows),
        imp_vals_(static_cast<size_t>(n_chunks_ * max_trials) *
                  kPlusPlusChunkRows),
        work_(static_cast<size_t>(workers_) *
              (scratch_size_ + kPlusPlusChunkRows * max_trials)) {
    ParallelForChunks(
        n_jobs_, n_, kPlusPlusChunkRows, [&](Index b, Index e, int) {
          simd::RowSquaredNorms(x_.row(b).data(), static_cast<size_t>(e - b),
                                static_cast<size_t>(d_),
                                static_cast<size_t>(x_.outerStride()),
                                x_sqnorms_.data() + b);
        });
    closest_.setConstant(std::numeric_limits<double>::infinity());
  }

  // Candidate slot t becomes row `row` of x.
  void SetCandidate(int t, Index row) {
    cand_.row(t) = x_.row(row);
    cand_sqnorms_(t) = x_sqnorms_(row);
  }

  void Evaluate(int trials) {
    trials_ = trials;
    ParallelForChunks(
        n_jobs_, n_, kPlusPlusChunkRows, [&](Index b, Index e, int worker) {
          const Index chunk = b / kPlusPlusChunkRows;
          const Index rows = e - b;
          double* scratch =
              work_.data() +
              static_cast<size_t>(worker) *
                  (scratch_size_ + kPlusPlusChunkRows * max_trials_);
          double* tile = scratch + scratch_size_;
          simd::SquaredL2Block(x_.row(b).data(), static_cast<size_t>(rows),
                               static_cast<size_t>(x_.outerStride()),
                               x_sqnorms_.data() + b, cand_.data(),
                               static_cast<size_t>(trials),
                               static_cast<size_t>(d_), cand_sqnorms_.data(),
                               static_cast<size_t>(d_), tile,
                               static_cast<size_t>(trials), scratch);
          const double* closest = closest_.data() + b;
          for (int t = 0; t < trials; ++t) {
            const size_t slot = static_cast<size_t>(chunk) * max_trials_ + t;
            int32_t* imp_rows = imp_rows_.data() + slot * kPlusPlusChunkRows;
            double* imp_vals = imp_vals_.data() + slot * kPlusPlusChunkRows;
            int32_t count = 0;
            double pot = 0.0;
            for (Index i = 0; i < rows; ++i) {
              const double dist = tile[i * trials + t];
              const double c = closest[i];
              if (dist < c) {
                imp_rows[count] = static_cast<int32_t>(i);
                imp_vals[count] = dist;
                ++count;
                pot += dist;
              } else {
                pot += c;
              }
            }
            partials_[slot] = pot;
            counts_[slot] = count;
          }
        });
  }

  double Potential(int t) const {
    double pot = 0.0;
    for (Index chunk = 0; chunk < n_chunks_; ++chunk) {
      pot += partials_[static_cast<size_t>(chunk) * max_trials_ + t];
    }
    return pot;
  }

  // Makes trial `t` of the last Evaluate the newest center. With `targets`
  // (nr values), also finds for each the first row whose running sum of the
  // updated closest distances is >= targets[j] (n - 1 when none is).
  void AcceptAndSample(int t, const double* targets, int nr, Index* found) {
    // Targets in increasing order (stable), answered in one serial scan.
    for (int j = 0; j < nr; ++j) order_[j] = j;
    std::stable_sort(order_, order_ + nr,
                     [&](int a, int b) { return targets[a] < targets[b]; });
    int next = 0;
    double acc = 0.0;
    double* closest = closest_.data();
    for (Index chunk = 0; chunk < n_chunks_; ++chunk) {
      const Index b = chunk * kPlusPlusChunkRows;
      const Index e = std::min(n_, b + kPlusPlusChunkRows);
      const size_t slot = static_cast<size_t>(chunk) * max_trials_ + t;
      const int32_t* imp_rows = imp_rows_.data() + slot * kPlusPlusChunkRows;
      const double* imp_vals = imp_vals_.data() + slot * kPlusPlusChunkRows;
      for (int32_t j = 0; j < counts_[slot]; ++j) {
        closest[b + imp_rows[j]] = imp_vals[j];
      }
      if (next == nr) continue;
      for (Index i = b; i < e; ++i) {
        acc += closest[i];
        while (next < nr && !(acc < targets[order_[next]])) {
          found[order_[next]] = i;
          ++next;
        }
      }
    }
    for (; next < nr; ++next) found[order_[next]] = n_ - 1;
  }

  static constexpr int kMaxTrials = 64;

 private:
  const ConstMatrixRef& x_;
  const Index n_, d_;
  const int max_trials_;
  const int n_jobs_;
  const Index n_chunks_;
  const int workers_;
  const Index scratch_size_;
  Vector x_sqnorms_;
  Vector closest_;
  Matrix cand_;  // trials x d
  Vector cand_sqnorms_;
  std::vector<double> partials_;   // chunk x trial
  std::vector<int32_t> counts_;    // chunk x trial
  std::vector<int32_t> imp_rows_;  // (chunk x trial) x chunk rows
  std::vector<double> imp_vals_;
  std::vector<double> work_;  // per worker: kernel scratch, then the tile
  int trials_ = 0;
  int order_[kMaxTrials];
};

}  // namespace

absl::StatusOr<Matrix> KMeansPlusPlus(const ConstMatrixRef& x, int n_clusters,
                                      Random& random, int n_local_trials,
                                      int n_jobs, std::vector<Index>* indices) {
  const Index n = x.rows();
  if (n_clusters < 1 || n_clusters > n) {
    return absl::InvalidArgumentError(
        absl::StrCat("kmeans_plusplus: n_clusters = ", n_clusters,
                     ", must be in [1, ", n, "]"));
  }
  if (n_local_trials == 0) {
    return absl::InvalidArgumentError(
        "kmeans_plusplus: n_local_trials = 0, must be >= 1 (or negative "
        "for the default 2 + log(n_clusters))");
  }
  if (n_local_trials < 0) {
    n_local_trials = 2 + static_cast<int>(std::log(n_clusters));
  }
  if (n_local_trials > PlusPlusState::kMaxTrials) {
    return absl::InvalidArgumentError(
        absl::StrCat("kmeans_plusplus: n_local_trials = ", n_local_trials,
                     ", must be at most ", PlusPlusState::kMaxTrials));
  }
  Matrix centers(n_clusters, x.cols());
  if (indices != nullptr) {
    indices->clear();
    indices->reserve(static_cast<size_t>(n_clusters));
  }
  PlusPlusState state(x, n_local_trials, n_jobs);
  const Index first = static_cast<Index>(random.UniformInt(n));
  centers.row(0) = x.row(first);
  if (indices != nullptr) indices->push_back(first);
  // closest starts at +inf: every row improves, and the potential is the
  // sum of the distances to the first center.
  state.SetCandidate(0, first);
  state.Evaluate(1);
  double current_pot = state.Potential(0);
  int winner = 0;
  double targets[PlusPlusState::kMaxTrials];
  Index cand_ids[PlusPlusState::kMaxTrials];
  for (int k = 1; k < n_clusters; ++k) {
    for (int t = 0; t < n_local_trials; ++t) {
      targets[t] = random.Uniform() * current_pot;
    }
    state.AcceptAndSample(winner, targets, n_local_trials, cand_ids);
    for (int t = 0; t < n_local_trials; ++t) {
      state.SetCandidate(t, cand_ids[t]);
    }
    state.Evaluate(n_local_trials);
    int best = 0;
    double best_pot = std::numeric_limits<double>::infinity();
    for (int t = 0; t < n_local_trials; ++t) {
      const double pot = state.Potential(t);
      if (pot < best_pot) {
        best_pot = pot;
        best = t;
      }
    }
    current_pot = best_pot;
    winner = best;
    centers.row(k) = x.row(cand_ids[best]);
    if (indices != nullptr) indices->push_back(cand_ids[best]);
  }
  return centers;
}

absl::StatusOr<LabelVector> KMeans::PredictLabels(
    const ConstMatrixRef& x) const {
  if (!fitted_) return NotFittedError("KMeans::Predict");
  ECLIPSERA_RETURN_IF_ERROR(CheckData("KMeans::Predict", "X", x));
  ECLIPSERA_RETURN_IF_ERROR(
      CheckColumns("KMeans::Predict", "X", x, cluster_centers_.cols()));
  const Index k = cluster_centers_.rows();
  Vector c_sqnorms = cluster_centers_.rowwise().squaredNorm();
  LabelVector labels(x.rows());
  const int workers =
      NumWorkers(options_.n_jobs, NumChunks(x.rows(), kTileRows));
  Matrix tiles(std::max(1, workers), AssignScratchSize(k, x.cols()));
  ParallelForChunks(
      options_.n_jobs, x.rows(), kTileRows, [&](Index b, Index e, int worker) {
        AssignNearest(x, b, e, nullptr, cluster_centers_, c_sqnorms.data(),
                      tiles.row(worker).data(), labels.data());
      });
  return labels;
}

absl::StatusOr<Matrix> KMeans::TransformDistances(
    const ConstMatrixRef& x) const {
  if (!fitted_) return NotFittedError("KMeans::Transform");
  Matrix out(x.rows(), cluster_centers_.rows());
  ECLIPSERA_RETURN_IF_ERROR(DoTransformInto(x, out));
  return out;
}

absl::Status KMeans::DoTransformInto(const ConstMatrixRef& x,
                                     MatrixRef out) const {
  ECLIPSERA_RETURN_IF_ERROR(CheckData("KMeans::Transform", "X", x));
  ECLIPSERA_RETURN_IF_ERROR(
      CheckColumns("KMeans::Transform", "X", x, cluster_centers_.cols()));
  cluster_internal::CenterDistancesInto(x, cluster_centers_, options_.n_jobs,
                                        out);
  return absl::OkStatus();
}

absl::StatusOr<double> KMeans::ScoreInertia(
    const ConstMatrixRef& x, absl::Span<const double> sample_weight) const {
  ECLIPSERA_ASSIGN_OR_RETURN(LabelVector labels, PredictLabels(x));
  ECLIPSERA_RETURN_IF_ERROR(CheckSampleWeight(sample_weight, x.rows()));
  double total = 0.0;
  for (Index i = 0; i < x.rows(); ++i) {
    const double w = sample_weight.empty() ? 1.0 : sample_weight[i];
    total +=
        w * SquaredDistance(x.row(i).data(),
                            cluster_centers_.row(labels(i)).data(), x.cols());
  }
  return -total;
}

FittedScalarList KMeans::FittedScalars() const {
  return {{"inertia", inertia_},
          {"n_iter", static_cast<double>(n_iter_)},
          {"n_clusters", static_cast<double>(cluster_centers_.rows())}};
}

FittedArrayList KMeans::FittedArrays() const {
  if (!fitted_) return {};
  return {{"cluster_centers", cluster_centers_, false},
          {"labels", labels_.cast<double>(), true}};
}

absl::Status KMeans::RestoreFitted(const FittedArrayList& arrays,
                                   absl::Span<const FittedScalar> scalars) {
  Reset();
  ECLIPSERA_ASSIGN_OR_RETURN(
      const Matrix* centers,
      FindFittedArray(arrays, "cluster_centers", options_.n_clusters, -1));
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreLabels(arrays, 0, options_.n_clusters, &labels_));
  ECLIPSERA_ASSIGN_OR_RETURN(const double inertia,
                             FindFittedScalar(scalars, "inertia"));
  ECLIPSERA_ASSIGN_OR_RETURN(const double n_iter,
                             FindFittedScalar(scalars, "n_iter"));
  cluster_centers_ = *centers;
  inertia_ = inertia;
  n_iter_ = static_cast<int>(n_iter);
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status KMeans::DoPredictInto(const ConstMatrixRef& x,
                                   VectorRef out) const {
  ECLIPSERA_ASSIGN_OR_RETURN(LabelVector labels, PredictLabels(x));
  out = labels.cast<double>();
  return absl::OkStatus();
}

absl::StatusOr<Vector> KMeans::DoFitPredict(const ConstMatrixRef&,
                                            absl::Span<const double>) {
  return labels_.cast<double>();
}

absl::StatusOr<double> KMeans::DoScore(const ConstMatrixRef& x,
                                       absl::Span<const double>) const {
  return ScoreInertia(x);
}

absl::Status RegisterKMeans(EstimatorRegistry& registry) {
  return registry.Register({"KMeans",
                            "k-means clustering (Lloyd or Elkan), "
                            "scikit-learn's KMeans",
                            MainOutput::kLabels,
                            [] { return std::make_unique<KMeans>(); }});
}

}  // namespace eclipsera::cluster
