// DBSCAN with a grid, a k-d tree, brute force or a precomputed matrix.
#include "eclipsera/cluster/dbscan.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/neighbors/neighbors.h"

namespace eclipsera::cluster {
namespace {

using neighbors::Metric;

constexpr char kContext[] = "DBSCAN::Fit";
constexpr Index kChunk = 512;

inline double Reduced(Metric m, const double* a, const double* b, Index d) {
  double acc = 0.0;
  switch (m) {
    case Metric::kEuclidean:
      for (Index j = 0; j < d; ++j) acc += (a[j] - b[j]) * (a[j] - b[j]);
      return acc;
    case Metric::kManhattan:
      for (Index j = 0; j < d; ++j) acc += std::abs(a[j] - b[j]);
      return acc;
    case Metric::kChebyshev:
      for (Index j = 0; j < d; ++j) acc = std::max(acc, std::abs(a[j] - b[j]));
      return acc;
  }
  return acc;
}

// scikit-learn's dbscan_inner: clusters grown from unlabelled core samples
// in index order; `neighbours(p, &out)` lists p's eps-neighbours.
template <class Neighbours>
int Expand(const std::vector<uint8_t>& core, Neighbours&& neighbours,
           LabelVector& labels) {
  const Index n = static_cast<Index>(core.size());
  std::vector<Index> stack;
  std::vector<Index> nb;
  int label = 0;
  for (Index i = 0; i < n; ++i) {
    if (labels[i] != -1 || !core[i]) continue;
    labels[i] = label;
    stack.push_back(i);
    while (!stack.empty()) {
      const Index p = stack.back();
      stack.pop_back();
      neighbours(p, &nb);
      for (Index v : nb) {
        if (labels[v] == -1) {
          labels[v] = label;
          if (core[v]) stack.push_back(v);
        }
      }
    }
    ++label;
  }
  return label;
}

// Disjoint sets over cells (path halving, union by smaller id).
struct UnionFind {
  std::vector<int32_t> parent;
  explicit UnionFind(int32_t n) : parent(n) {
    std::iota(parent.begin(), parent.end(), 0);
  }
  int32_t Find(int32_t a) {
    while (parent[a] != a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  }
  void Union(int32_t a, int32_t b) {
    a = Find(a);
    b = Find(b);
    if (a < b) std::swap(a, b);
    if (a != b) parent[a] = b;
  }
};

// The grid method. Returns false (and leaves labels untouched) when the
// grid's cell keys would overflow; the caller then uses the k-d tree.
bool GridDbscan(const ConstMatrixRef& x, double eps, int min_samples,
                Metric metric, int n_jobs, LabelVector& labels,
                std::vector<uint8_t>& core_out, int* n_clusters) {
  const Index n = x.rows(), d = x.cols();
  const double c = metric == Metric::kEuclidean   ? std::sqrt(double(d))
                   : metric == Metric::kManhattan ? double(d)
                                                  : 1.0;
  // A small margin keeps "same cell => within eps" safe from rounding.
  const double side = eps / c * (1.0 - 1e-9);
  const int reach = static_cast<int>(std::floor(eps / side)) + 1;
  const double eps_r = metric == Metric::kEuclidean ? eps * eps : eps;

  // Cell coordinates, padded by `reach` so neighbour keys never wrap.
  std::vector<double> lo(d), hi(d);
  for (Index j = 0; j < d; ++j) {
    lo[j] = x.col(j).minCoeff();
    hi[j] = x.col(j).maxCoeff();
  }
  std::vector<uint64_t> stride(d), extents(d);
  long double total = 1.0L;
  for (Index j = d - 1; j >= 0; --j) {
    const long double extent =
        std::floor((hi[j] - lo[j]) / side) + 1.0L + 2.0L * reach;
    // Too fine a grid for 64-bit cell keys: the caller falls back to the
    // k-d tree (checked before the cast, which would overflow).
    if (!(extent < 4.0e18L) || total * extent > 4.0e18L) return false;
    extents[j] = static_cast<uint64_t>(extent);
    stride[j] = static_cast<uint64_t>(total);
    total *= extent;
    if (total > 4.0e18L) return false;
  }
  std::vector<std::pair<uint64_t, int32_t>> keyed(n);
  for (Index i = 0; i < n; ++i) {
    uint64_t key = 0;
    for (Index j = 0; j < d; ++j) {
      const auto cj =
          static_cast<uint64_t>(std::floor((x(i, j) - lo[j]) / side)) + reach;
      key += cj * stride[j];
    }
    keyed[i] = {key, static_cast<int32_t>(i)};
  }
  std::sort(keyed.begin(), keyed.end());

  // Points contiguous in cell order; cells [start[c], start[c + 1]).
  std::vector<double> pts(static_cast<size_t>(n * d));
  std::vector<int32_t> orig(n);
  std::vector<uint64_t> cell_key;
  std::vector<Index> start;
  for (Index i = 0; i < n; ++i) {
    orig[i] = keyed[i].second;
    for (Index j = 0; j < d; ++j) pts[i * d + j] = x(orig[i], j);
    if (i == 0 || keyed[i].first != keyed[i - 1].first) {
      cell_key.push_back(keyed[i].first);
      start.push_back(i);
    }
  }
  start.push_back(n);
  std::vector<std::pair<uint64_t, int32_t>>().swap(keyed);
  const auto n_cells = static_cast<int32_t>(cell_key.size());
  // Cell key -> cell index. A dense table over the whole padded grid when
  // it is small (dense data: up to 8 entries per point plus 4 MiB): one
  // load per neighbour cell instead of a hash probe, which was most of the
  // time on dense 3-D data (about one point per cell, 100 neighbour cells
  // per point). A hash map otherwise (sparse data in a large box).
  const bool dense_table =
      total <= static_cast<long double>(8 * n + (Index{1} << 20));
  std::vector<int32_t> dense_cell;
  absl::flat_hash_map<uint64_t, int32_t> cell_of;
  if (dense_table) {
    dense_cell.assign(static_cast<size_t>(total), -1);
    for (int32_t cidx = 0; cidx < n_cells; ++cidx) {
      dense_cell[cell_key[cidx]] = cidx;
    }
  } else {
    cell_of.reserve(n_cells);
    for (int32_t cidx = 0; cidx < n_cells; ++cidx) {
      cell_of[cell_key[cidx]] = cidx;
    }
  }

  // Neighbour offsets whose cells can hold a point within eps (self first).
  std::vector<int64_t> offsets = {0};
  {
    std::vector<int> o(d, -reach);
    while (true) {
      double gap = 0.0;
      bool zero = true;
      int64_t delta = 0;
      for (Index j = 0; j < d; ++j) {
        const double g = std::max(std::abs(o[j]) - 1, 0) * side;
        gap = metric == Metric::kEuclidean   ? gap + g * g
              : metric == Metric::kManhattan ? gap + g
                                             : std::max(gap, g);
        zero = zero && o[j] == 0;
        delta += static_cast<int64_t>(o[j]) * static_cast<int64_t>(stride[j]);
      }
      if (!zero && gap <= eps_r) offsets.push_back(delta);
      Index j = 0;
      while (j < d && ++o[j] > reach) o[j++] = -reach;
      if (j == d) break;
    }
  }
  // Offsets to cells with a larger key (so a larger index: cells are in
  // key order), for the symmetric pass that visits each pair once.
  std::vector<int64_t> forward;
  for (int64_t off : offsets) {
    if (off > 0) forward.push_back(off);
  }
  auto for_each_cell_in = [&](const std::vector<int64_t>& offs, int32_t cidx,
                              auto&& fn) {
    for (int64_t off : offs) {
      if (off == 0) {
        if (!fn(cidx)) return;
        continue;
      }
      const uint64_t key = cell_key[cidx] + static_cast<uint64_t>(off);
      if (dense_table) {
        const int32_t nc = dense_cell[key];
        if (nc >= 0 && !fn(nc)) return;
        continue;
      }
      auto it = cell_of.find(key);
      if (it != cell_of.end() && !fn(it->second)) return;
    }
  };
  auto for_each_neighbour_cell = [&](int32_t cidx, auto&& fn) {
    for_each_cell_in(offsets, cidx, fn);
  };

  // Pass 1: core flags (in cell order), with early exit at min_samples.
  std::vector<uint8_t> core(n, 0);
  ParallelForChunks(n_jobs, n_cells, 64, [&](Index b, Index e, int) {
    for (Index ci = b; ci < e; ++ci) {
      const auto cidx = static_cast<int32_t>(ci);
      const Index size = start[cidx + 1] - start[cidx];
      if (size >= min_samples) {
        std::fill(core.begin() + start[cidx], core.begin() + start[cidx + 1],
                  1);
        continue;
      }
      for (Index p = start[cidx]; p < start[cidx + 1]; ++p) {
        Index count = size;  // the whole own cell is within eps
        const double* pp = pts.data() + p * d;
        for_each_neighbour_cell(cidx, [&](int32_t nc) {
          if (nc == cidx) return true;
          for (Index q = start[nc]; q < start[nc + 1]; ++q) {
            if (Reduced(metric, pp, pts.data() + q * d, d) <= eps_r &&
                ++count >= min_samples) {
              return false;
            }
          }
          return true;
        });
        core[p] = count >= min_samples;
      }
    }
  });

  // Put each cell's core points first (stable), so cores are contiguous.
  std::vector<Index> core_end(n_cells);
  {
    std::vector<double> tmp_pts;
    std::vector<int32_t> tmp_orig;
    for (int32_t cidx = 0; cidx < n_cells; ++cidx) {
      const Index b = start[cidx], e = start[cidx + 1];
      Index w = b;
      bool sorted = true;
      for (Index p = b; p < e; ++p) {
        if (core[p]) {
          if (p != w) sorted = false;
          ++w;
        }
      }
      core_end[cidx] = w;
      if (sorted) continue;
      tmp_pts.assign(pts.begin() + b * d, pts.begin() + e * d);
      tmp_orig.assign(orig.begin() + b, orig.begin() + e);
      Index out = b;
      for (int pass = 1; pass >= 0; --pass) {
        for (Index p = b; p < e; ++p) {
          if (core[p] != pass) continue;
          std::copy_n(tmp_pts.begin() + (p - b) * d, d, pts.begin() + out * d);
          orig[out] = tmp_orig[p - b];
          ++out;
        }
      }
      std::fill(core.begin() + b, core.begin() + w, 1);
      std::fill(core.begin() + w, core.begin() + e, 0);
    }
  }

  // Reduced distance from a point to a cell's box (slightly enlarged so
  // rounding in the cell assignment never excludes a true neighbour): a
  // lower bound used to skip points that cannot reach the cell.
  auto box_reduced = [&](const double* p, int32_t cidx) {
    double acc = 0.0;
    const uint64_t key = cell_key[cidx];
    for (Index j = 0; j < d; ++j) {
      const auto cj = static_cast<int64_t>((key / stride[j]) % extents[j]);
      const double blo = lo[j] + (cj - reach) * side - 1e-9 * side;
      const double bhi = blo + side * (1.0 + 2e-9);
      const double g = std::max(std::max(blo - p[j], p[j] - bhi), 0.0);
      acc = metric == Metric::kEuclidean   ? acc + g * g
            : metric == Metric::kManhattan ? acc + g
                                           : std::max(acc, g);
    }
    return acc;
  };

  // Pass 2: join cells that share a core pair within eps.
  UnionFind uf(n_cells);
  for (int32_t cidx = 0; cidx < n_cells; ++cidx) {
    if (core_end[cidx] == start[cidx]) continue;
    for_each_cell_in(forward, cidx, [&](int32_t nc) {
      if (core_end[nc] == start[nc]) return true;
      if (uf.Find(cidx) == uf.Find(nc)) return true;
      for (Index p = start[cidx]; p < core_end[cidx]; ++p) {
        const double* pp = pts.data() + p * d;
        if (box_reduced(pp, nc) > eps_r) continue;
        for (Index q = start[nc]; q < core_end[nc]; ++q) {
          if (Reduced(metric, pp, pts.data() + q * d, d) <= eps_r) {
            uf.Union(cidx, nc);
            return true;
          }
        }
      }
      return true;
    });
  }

  // Cluster numbers: components ordered by their smallest core index.
  std::vector<int32_t> min_core(n_cells, std::numeric_limits<int32_t>::max());
  for (int32_t cidx = 0; cidx < n_cells; ++cidx) {
    const int32_t root = uf.Find(cidx);
    for (Index p = start[cidx]; p < core_end[cidx]; ++p) {
      min_core[root] = std::min(min_core[root], orig[p]);
    }
  }
  std::vector<std::pair<int32_t, int32_t>> roots;  // (min core, root)
  for (int32_t cidx = 0; cidx < n_cells; ++cidx) {
    if (uf.parent[cidx] == cidx &&
        min_core[cidx] != std::numeric_limits<int32_t>::max()) {
      roots.emplace_back(min_core[cidx], cidx);
    }
  }
  std::sort(roots.begin(), roots.end());
  std::vector<int32_t> root_label(n_cells, -1);
  for (size_t r = 0; r < roots.size(); ++r) {
    root_label[roots[r].second] = static_cast<int32_t>(r);
  }
  std::vector<int32_t> cell_label(n_cells, -1);
  for (int32_t cidx = 0; cidx < n_cells; ++cidx) {
    if (core_end[cidx] > start[cidx]) {
      cell_label[cidx] = root_label[uf.Find(cidx)];
    }
  }

  // Pass 3: labels; a border sample takes the lowest cluster number among
  // the core samples within eps (scikit-learn's first-reached rule).
  labels.setConstant(n, -1);
  core_out.assign(n, 0);
  ParallelForChunks(n_jobs, n_cells, 64, [&](Index b, Index e, int) {
    for (Index ci = b; ci < e; ++ci) {
      const auto cidx = static_cast<int32_t>(ci);
      for (Index p = start[cidx]; p < core_end[cidx]; ++p) {
        labels[orig[p]] = cell_label[cidx];
        core_out[orig[p]] = 1;
      }
      for (Index p = core_end[cidx]; p < start[cidx + 1]; ++p) {
        const double* pp = pts.data() + p * d;
        int32_t best = std::numeric_limits<int32_t>::max();
        for_each_neighbour_cell(cidx, [&](int32_t nc) {
          const int32_t l = cell_label[nc];
          if (l < 0 || l >= best) return true;
          if (nc == cidx) {
            best = l;  // same cell: within eps
            return true;
          }
          for (Index q = start[nc]; q < core_end[nc]; ++q) {
            if (Reduced(metric, pp, pts.data() + q * d, d) <= eps_r) {
              best = l;
              break;
            }
          }
          return true;
        });
        if (best != std::numeric_limits<int32_t>::max()) labels[orig[p]] = best;
      }
    }
  });
  *n_clusters = static_cast<int>(roots.size());
  return true;
}

}  // namespace

const ParamSchema<DBSCANOptions>& DBSCANOptions::Schema() {
  static const auto* schema = [] {
    auto* s = new ParamSchema<DBSCANOptions>("DBSCAN");
    s->Double("eps", &DBSCANOptions::eps,
              "neighbourhood radius (inclusive), > 0")
        .Int("min_samples", &DBSCANOptions::min_samples,
             "neighbours (self included) that make a core sample, >= 1")
        .String("metric", &DBSCANOptions::metric,
                "distance: euclidean, manhattan, chebyshev or precomputed",
                {"euclidean", "manhattan", "chebyshev", "precomputed"})
        .String("algorithm", &DBSCANOptions::algorithm,
                "neighbour search: auto, grid, kd_tree or brute",
                {"auto", "grid", "kd_tree", "brute"})
        .Int("leaf_size", &DBSCANOptions::leaf_size, "k-d tree leaf size, >= 1")
        .Int("n_jobs", &DBSCANOptions::n_jobs, kNJobsDoc);
    return s;
  }();
  return *schema;
}

void DBSCAN::Reset() {
  fitted_ = false;
  labels_.resize(0);
  core_.resize(0);
  components_.resize(0, 0);
  n_clusters_ = 0;
  algorithm_used_.clear();
}

namespace {

// The options' checks, in scikit-learn's order (x's own checks first).
absl::Status ValidateOptions(const DBSCANOptions& o) {
  static constexpr absl::string_view kMetrics[] = {"euclidean", "manhattan",
                                                   "chebyshev", "precomputed"};
  static constexpr absl::string_view kAlgorithms[] = {"auto", "grid", "kd_tree",
                                                      "brute"};
  absl::Status s;
  if (!(s = CheckGreater(kContext, "eps", o.eps, 0.0)).ok()) return s;
  if (o.eps < kMinLargestMagnitude && o.metric == "euclidean") {
    // eps is compared with squared distances: below this its square
    // underflows and every pair looks equally far.
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": eps = ", o.eps, " is below ", kMinLargestMagnitude,
        ": squared distances underflow at that scale; rescale the data and "
        "eps"));
  }
  if (!std::isfinite(o.eps)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": eps = ", o.eps, ", must be finite"));
  }
  if (!(s = CheckAtLeast(kContext, "min_samples", o.min_samples, 1)).ok()) {
    return s;
  }
  if (!(s = CheckAtLeast(kContext, "leaf_size", o.leaf_size, 1)).ok()) return s;
  if (!(s = CheckOneOf(kContext, "metric", o.metric, kMetrics)).ok()) return s;
  if (!(s = CheckOneOf(kContext, "algorithm", o.algorithm, kAlgorithms)).ok()) {
    return s;
  }
  if (o.n_jobs == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": n_jobs = 0, must be -1 (all cores) or a non-zero count"));
  }
  return absl::OkStatus();
}

// DBSCAN over a precomputed n x n distance matrix: core samples by
// counting, then clusters expanded through each row.
absl::StatusOr<int> PrecomputedDbscan(const ConstMatrixRef& x,
                                      const DBSCANOptions& o,
                                      std::vector<uint8_t>& core,
                                      LabelVector& labels) {
  const Index n = x.rows(), d = x.cols();
  if (n != d) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext,
                     ": metric = 'precomputed' needs a square distance matrix, "
                     "got ",
                     n, " x ", d));
  }
  if (x.minCoeff() < 0.0) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": negative values in the precomputed distance matrix"));
  }
  const int min_samples = o.min_samples;
  ParallelForChunks(o.n_jobs, n, kChunk, [&](Index b, Index e, int) {
    for (Index i = b; i < e; ++i) {
      Index count = 0;
      for (Index j = 0; j < n && count < min_samples; ++j) {
        count += x(i, j) <= o.eps;
      }
      core[i] = count >= min_samples;
    }
  });
  return Expand(
      core,
      [&](Index p, std::vector<Index>* nb) {
        nb->clear();
        for (Index j = 0; j < n; ++j) {
          if (x(p, j) <= o.eps) nb->push_back(j);
        }
      },
      labels);
}

// DBSCAN through a k-d tree or brute-force radius index: core samples by
// bounded radius counts (in parallel), then the serial expansion.
absl::StatusOr<int> IndexDbscan(const ConstMatrixRef& x, const DBSCANOptions& o,
                                Metric metric, neighbors::Algorithm algorithm,
                                std::vector<uint8_t>& core,
                                LabelVector& labels) {
  const Index n = x.rows(), d = x.cols();
  const int min_samples = o.min_samples;
  absl::StatusOr<std::unique_ptr<neighbors::NeighborIndex>> index =
      neighbors::BuildIndex(x, metric, algorithm, o.leaf_size);
  if (!index.ok()) return index.status();
  const neighbors::NeighborIndex& idx = **index;
  Matrix contiguous;
  const double* data = x.data();
  if (x.outerStride() != d) {
    contiguous = x;
    data = contiguous.data();
  }
  std::vector<neighbors::QueryScratch> scratch(
      NumWorkers(o.n_jobs, NumChunks(n, kChunk)));
  ParallelForChunks(o.n_jobs, n, kChunk, [&](Index b, Index e, int w) {
    for (Index i = b; i < e; ++i) {
      core[i] = idx.RadiusCount(data + i * d, o.eps, scratch[w], min_samples) >=
                min_samples;
    }
  });
  return Expand(
      core,
      [&](Index p, std::vector<Index>* nb) {
        idx.RadiusQuery(data + p * d, o.eps, scratch[0], nb);
      },
      labels);
}

}  // namespace

absl::Status DBSCAN::DoFit(const ConstMatrixRef& x, absl::Span<const double>,
                           const FitArgs&) {
  Reset();
  const DBSCANOptions& o = options_;
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(ValidateOptions(o));
  const Index n = x.rows(), d = x.cols();
  std::vector<uint8_t> core(n, 0);
  LabelVector labels = LabelVector::Constant(n, -1);
  int n_clusters = 0;
  std::string algorithm = o.algorithm;
  if (o.metric == "precomputed") {
    ECLIPSERA_ASSIGN_OR_RETURN(n_clusters,
                               PrecomputedDbscan(x, o, core, labels));
    algorithm = "precomputed";
  } else {
    const Metric metric = *neighbors::ParseMetric(o.metric);
    if (algorithm == "grid" && d > 4) {
      return absl::InvalidArgumentError(absl::StrCat(
          kContext, ": algorithm = 'grid' supports at most 4 features, X has ",
          d, "; use 'kd_tree' or 'brute'"));
    }
    if (algorithm == "auto") {
      algorithm = d <= 3 ? "grid" : d <= 15 ? "kd_tree" : "brute";
    }
    bool done = false;
    if (algorithm == "grid") {
      done = GridDbscan(x, o.eps, o.min_samples, metric, o.n_jobs, labels, core,
                        &n_clusters);
      if (!done) algorithm = "kd_tree";  // grid too fine for 64-bit keys
    }
    if (!done) {
      ECLIPSERA_ASSIGN_OR_RETURN(
          n_clusters,
          IndexDbscan(x, o, metric,
                      algorithm == "brute" ? neighbors::Algorithm::kBrute
                                           : neighbors::Algorithm::kKDTree,
                      core, labels));
    }
  }
  StoreResults(x, core, std::move(labels), n_clusters, algorithm);
  return absl::OkStatus();
}

void DBSCAN::StoreResults(const ConstMatrixRef& x,
                          const std::vector<uint8_t>& core, LabelVector labels,
                          int n_clusters, std::string algorithm) {
  Index n_core = 0;
  for (uint8_t c : core) n_core += c;
  core_.resize(n_core);
  components_.resize(n_core, x.cols());
  for (Index i = 0, w = 0; i < x.rows(); ++i) {
    if (core[i]) {
      core_[w] = i;
      components_.row(w++) = x.row(i);
    }
  }
  labels_ = std::move(labels);
  n_clusters_ = n_clusters;
  algorithm_used_ = std::move(algorithm);
  fitted_ = true;
}

FittedScalarList DBSCAN::FittedScalars() const {
  Index noise = 0;
  for (Index i = 0; i < labels_.size(); ++i) noise += labels_[i] == -1;
  return {{"n_clusters_found", static_cast<double>(n_clusters_)},
          {"n_noise", static_cast<double>(noise)},
          {"n_core_samples", static_cast<double>(core_.size())}};
}

FittedArrayList DBSCAN::FittedArrays() const {
  if (!fitted_) return {};
  return {{"labels", labels_.cast<double>(), true},
          {"core_sample_indices", core_.cast<double>(), true},
          {"components", components_, false}};
}

absl::StatusOr<Vector> DBSCAN::DoFitPredict(const ConstMatrixRef&,
                                            absl::Span<const double>) {
  return labels_.cast<double>();
}

absl::Status RegisterDBSCAN(EstimatorRegistry& registry) {
  return registry.Register(
      {"DBSCAN",
       "density-based clustering (eps, min_samples); noise is labelled -1",
       MainOutput::kLabels, [] { return std::make_unique<DBSCAN>(); }});
}

}  // namespace eclipsera::cluster
