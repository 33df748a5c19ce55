// DBSCAN with a grid, a k-d tree, brute force or a precomputed matrix.
#include "eclipsera/cluster/dbscan.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/neighbors/neighbors.h"
#include "eclipsera/pool/pooling_switch.h"

namespace eclipsera::cluster {
namespace {

using neighbors::Metric;

constexpr char kContext[] = "DBSCAN::Fit";
constexpr Index kChunk = 512;
// Cells per parallel task on the grid: large enough that tasks write
// cache lines of their own (sparse data has under one sample per cell).
constexpr Index kCellChunk = 1024;

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

// Disjoint sets over cells, in a workspace vector, safe to use from
// several threads at once: every parent is read and written atomically,
// a root is linked to a smaller root by compare-and-swap (so each set's
// root is its smallest member, whatever the order of the unions), and
// path halving only ever points a non-root at one of its ancestors.
class UnionFind {
 public:
  UnionFind(std::vector<int32_t>& parent, int32_t n) : parent_(parent) {
    parent_.resize(n);
    std::iota(parent_.begin(), parent_.end(), 0);
  }
  int32_t Find(int32_t a) {
    while (true) {
      const int32_t p = Load(a);
      if (p == a) return a;
      const int32_t g = Load(p);
      if (g != p) __atomic_store_n(&parent_[a], g, __ATOMIC_RELAXED);
      a = g;
    }
  }
  void Union(int32_t a, int32_t b) {
    while (true) {
      a = Find(a);
      b = Find(b);
      if (a == b) return;
      if (a < b) std::swap(a, b);
      int32_t expected = a;
      if (__atomic_compare_exchange_n(&parent_[a], &expected, b, false,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        return;
      }
    }
  }
  bool IsRoot(int32_t a) const { return Load(a) == a; }
  int32_t Parent(int32_t a) const { return Load(a); }

 private:
  int32_t Load(int32_t a) const {
    return __atomic_load_n(&parent_[a], __ATOMIC_ACQUIRE);
  }
  std::vector<int32_t>& parent_;
};

// scikit-learn's dbscan_inner (clusters grown from unlabelled core samples
// in index order; a border sample joins the first cluster to reach it),
// computed in parallel: core samples within eps of each other are joined
// (disjoint sets whose roots are their smallest members), clusters are
// numbered by their smallest core sample, and a border sample takes the
// lowest number among its core neighbours -- the cluster that scikit-learn
// grows first. `neighbours(p, worker, &out)` lists p's eps-neighbours.
// Labels go to ws.labels (all -1 on entry). Returns the number of clusters.
template <class Neighbours>
int Expand(const std::vector<uint8_t>& core, int n_jobs,
           Neighbours&& neighbours, DBSCANWorkspace& ws) {
  const Index n = static_cast<Index>(core.size());
  const auto workers =
      static_cast<size_t>(NumWorkers(n_jobs, NumChunks(n, kChunk)));
  if (ws.neighbours.size() < workers) ws.neighbours.resize(workers);
  // At most n neighbours: a capacity that depends on n only.
  for (std::vector<Index>& nb : ws.neighbours) nb.reserve(n);
  UnionFind uf(ws.parent, static_cast<int32_t>(n));
  ParallelForChunks(n_jobs, n, kChunk, [&](Index b, Index e, int w) {
    std::vector<Index>& nb = ws.neighbours[w];
    for (Index p = b; p < e; ++p) {
      if (!core[p]) continue;
      neighbours(p, w, &nb);
      const auto pu = static_cast<int32_t>(p);
      int32_t root = uf.Find(pu);
      for (Index q : nb) {
        const auto qu = static_cast<int32_t>(q);
        if (q <= p || !core[q] || uf.Parent(qu) == root ||
            uf.Find(qu) == root) {
          continue;
        }
        uf.Union(pu, qu);
        root = uf.Find(pu);
      }
    }
  });
  std::vector<int32_t>& number = ws.root_label;
  number.assign(n, -1);
  int clusters = 0;
  for (Index p = 0; p < n; ++p) {
    if (core[p] && uf.IsRoot(static_cast<int32_t>(p))) number[p] = clusters++;
  }
  GrowLabels& labels = ws.labels;
  ParallelForChunks(n_jobs, n, kChunk, [&](Index b, Index e, int) {
    for (Index p = b; p < e; ++p) {
      if (core[p]) labels[p] = number[uf.Find(static_cast<int32_t>(p))];
    }
  });
  ParallelForChunks(n_jobs, n, kChunk, [&](Index b, Index e, int w) {
    std::vector<Index>& nb = ws.neighbours[w];
    for (Index p = b; p < e; ++p) {
      if (core[p]) continue;
      neighbours(p, w, &nb);
      int32_t best = -1;
      for (Index q : nb) {
        if (core[q] && (best < 0 || labels[q] < best)) best = labels[q];
      }
      labels[p] = best;
    }
  });
  return clusters;
}

// Cell keys [k + delta + lo, k + delta + hi) around a cell key k: the
// cells at offsets lo..hi-1 along the last axis from the cell at key
// offset delta along the others.
struct KeyRun {
  int64_t delta;
  int lo, hi;
};

// The grid method, one named step per pass, over the fit's workspace.
// Positions are samples sorted by cell; cell c holds positions
// [start[c], start[c + 1]), its core samples first (up to core_end[c]).
class Grid {
 public:
  // cliques: cells small enough that any two samples of a cell are within
  // eps (side eps / sqrt(d) in Euclidean space), so a cell is joined as a
  // whole. Otherwise cells of side eps (3^d neighbour cells, for sparse
  // data) whose samples are joined one by one.
  Grid(const ConstMatrixRef& x, double eps, int min_samples, Metric metric,
       int n_jobs, bool cliques, DBSCANWorkspace& ws)
      : x_(x),
        n_(x.rows()),
        d_(x.cols()),
        min_samples_(min_samples),
        metric_(metric),
        n_jobs_(n_jobs),
        cliques_(cliques),
        ws_(ws) {
    const double c = !cliques                       ? 1.0
                     : metric == Metric::kEuclidean ? std::sqrt(double(d_))
                     : metric == Metric::kManhattan ? double(d_)
                                                    : 1.0;
    // Margins keep "same cell => within eps" (cliques) and "within eps =>
    // at most one cell away" (no cliques) safe from rounding.
    side_ = cliques ? eps / c * (1.0 - 1e-9) : eps * (1.0 + 1e-9);
    eps_ = eps;
    reach_ = static_cast<int>(std::floor(eps / side_)) + 1;
    eps_r_ = metric == Metric::kEuclidean ? eps * eps : eps;
  }

  // Cell coordinates, padded by `reach` so neighbour keys never wrap.
  // False when the grid is too fine for 64-bit cell keys: the caller falls
  // back to the k-d tree (checked before the casts, which would overflow).
  bool Layout() {
    lo_.resize(d_);
    stride_.resize(d_);
    extents_.resize(d_);
    total_ = 1.0L;
    for (Index j = d_ - 1; j >= 0; --j) {
      lo_[j] = x_.col(j).minCoeff();
      const long double extent =
          std::floor((x_.col(j).maxCoeff() - lo_[j]) / side_) + 1.0L +
          2.0L * reach_;
      if (!(extent < 4.0e18L) || total_ * extent > 4.0e18L) return false;
      extents_[j] = static_cast<uint64_t>(extent);
      stride_[j] = static_cast<uint64_t>(total_);
      total_ *= extent;
      if (total_ > 4.0e18L) return false;
    }
    return true;
  }

  // Whether the padded grid is small enough for the dense cell table: up
  // to 8 entries per sample plus 16 MiB.
  bool DenseTable() const {
    return total_ <= static_cast<long double>(8 * n_ + (Index{1} << 22));
  }

  // Samples sorted by cell key; their rows copied contiguously in that
  // order; the cells' keys and first positions.
  void SortIntoCells() {
    auto& keyed = ws_.keyed;
    keyed.resize(n_);
    ParallelForChunks(n_jobs_, n_, kChunk, [&](Index b, Index e, int) {
      for (Index i = b; i < e; ++i) {
        uint64_t key = 0;
        for (Index j = 0; j < d_; ++j) {
          const auto cj =
              static_cast<uint64_t>(std::floor((x_(i, j) - lo_[j]) / side_)) +
              reach_;
          key += cj * stride_[j];
        }
        keyed[i] = {key, static_cast<int32_t>(i)};
      }
    });
    ws_.orig.resize(n_);
    // The samples in (key, index) order. A small padded grid (the dense
    // cell table's case) sorts by counting, in O(n + cells), stably;
    // otherwise a comparison sort of the (key, index) pairs.
    dense_table_ = DenseTable();
    if (dense_table_) {
      std::vector<int32_t>& next = ReservedCellTable();
      next.assign(static_cast<size_t>(total_), 0);
      for (Index i = 0; i < n_; ++i) ++next[keyed[i].first];
      int32_t sum = 0;
      for (int32_t& c : next) {
        const int32_t count = c;
        c = sum;
        sum += count;
      }
      for (Index i = 0; i < n_; ++i) {
        ws_.orig[next[keyed[i].first]++] = static_cast<int32_t>(i);
      }
    } else {
      std::sort(keyed.begin(), keyed.end());
      for (Index i = 0; i < n_; ++i) ws_.orig[i] = keyed[i].second;
    }
    // The key of the sample at sorted position p.
    auto key_at = [&](Index p) {
      return dense_table_ ? keyed[ws_.orig[p]].first : keyed[p].first;
    };
    ws_.pts.resize(static_cast<size_t>(n_ * d_));
    // At most n cells: capacities that depend on n, not on the layout.
    ws_.cell_key.clear();
    ws_.cell_key.reserve(n_);
    ws_.start.clear();
    ws_.start.reserve(n_ + 1);
    ParallelForChunks(n_jobs_, n_, kChunk, [&](Index b, Index e, int) {
      for (Index i = b; i < e; ++i) {
        for (Index j = 0; j < d_; ++j) {
          ws_.pts[i * d_ + j] = x_(ws_.orig[i], j);
        }
      }
    });
    for (Index i = 0; i < n_; ++i) {
      if (i == 0 || key_at(i) != key_at(i - 1)) {
        ws_.cell_key.push_back(key_at(i));
        ws_.start.push_back(i);
      }
    }
    ws_.start.push_back(n_);
    n_cells_ = static_cast<int32_t>(ws_.cell_key.size());
  }

  // The dense cell table's vector, with headroom: the next fold's bounding
  // box may be a little larger.
  std::vector<int32_t>& ReservedCellTable() {
    const auto total = static_cast<size_t>(total_) + 1;
    if (total > ws_.dense_cell.capacity()) {
      ws_.dense_cell.reserve(total + total / 4);
    }
    return ws_.dense_cell;
  }

  // Cell key -> cell index. On a small padded grid (dense data: up to 8
  // entries per point plus 4 MiB), a table over every key k + 1 of the
  // first cell whose key is >= k: one load finds a cell, two loads find
  // every cell of a run of consecutive keys (their samples are contiguous),
  // instead of a hash probe per neighbour cell, which was most of the time
  // on dense 3-D data. A hash map otherwise (sparse data in a large box).
  void IndexCells() {
    if (dense_table_) {
      std::vector<int32_t>& first = ReservedCellTable();
      first.resize(static_cast<size_t>(total_) + 1);
      int32_t c = 0;
      for (size_t k = 0; k < first.size(); ++k) {
        while (c < n_cells_ && ws_.cell_key[c] < k) ++c;
        first[k] = c;
      }
    } else {
      cell_of_.reserve(n_cells_);
      for (int32_t cidx = 0; cidx < n_cells_; ++cidx) {
        cell_of_[ws_.cell_key[cidx]] = cidx;
      }
    }
  }

  // Neighbour cells as runs of consecutive keys along the last axis (the
  // one of stride 1): for each offset of the other axes whose cells can
  // hold a point within eps, the keys [k + lo, k + hi) around cell key k
  // that can too. The run through the own cell comes first. The forward
  // runs hold the keys above k only, for the pass that visits each pair of
  // cells once.
  void NeighbourRuns() {
    runs_.clear();
    forward_.clear();
    std::vector<std::pair<double, KeyRun>> ordered;
    const Index m = d_ - 1;  // the axes other than the last
    std::vector<int> o(m, -reach_);
    auto add = [&](double acc, double g) {
      return metric_ == Metric::kEuclidean   ? acc + g * g
             : metric_ == Metric::kManhattan ? acc + g
                                             : std::max(acc, g);
    };
    while (true) {
      double gap = 0.0;
      int64_t delta = 0;
      for (Index j = 0; j < m; ++j) {
        gap = add(gap, std::max(std::abs(o[j]) - 1, 0) * side_);
        delta += static_cast<int64_t>(o[j]) * static_cast<int64_t>(stride_[j]);
      }
      if (gap <= eps_r_) {
        int r = 1;  // offsets -1..1 along the last axis add no gap
        while (r < reach_ && add(gap, r * side_) <= eps_r_) ++r;
        ordered.push_back({gap, KeyRun{delta, -r, r + 1}});
        if (delta > 0) forward_.push_back(KeyRun{delta, -r, r + 1});
        if (delta == 0) forward_.push_back(KeyRun{delta, 1, r + 1});
      }
      Index j = 0;
      while (j < m && ++o[j] > reach_) o[j++] = -reach_;
      if (j == m) break;
    }
    // Nearest runs first: the core count's early exit comes sooner.
    std::stable_sort(
        ordered.begin(), ordered.end(),
        [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [gap, run] : ordered) runs_.push_back(run);
  }

  // Pass 1: core flags (in cell order), with early exit at min_samples.
  void MarkCores() {
    std::vector<uint8_t>& core = ws_.cell_core;
    core.assign(n_, 0);
    const std::vector<Index>& start = ws_.start;
    ParallelForChunks(
        n_jobs_, n_cells_, kCellChunk, [&](Index b, Index e, int) {
          for (Index ci = b; ci < e; ++ci) {
            const auto cidx = static_cast<int32_t>(ci);
            const Index size = start[cidx + 1] - start[cidx];
            if (cliques_ && size >= min_samples_) {
              std::fill(core.begin() + start[cidx],
                        core.begin() + start[cidx + 1], 1);
              continue;
            }
            for (Index p = start[cidx]; p < start[cidx + 1]; ++p) {
              Index count = 0;
              const double* pp = Point(p);
              ForEachRun(runs_, cidx, [&](int32_t c0, int32_t c1) {
                count +=
                    CountWithin(pp, start[c0], start[c1], min_samples_ - count);
                return count < min_samples_;
              });
              core[p] = count >= min_samples_;
            }
          }
        });
  }

  // Puts each cell's core points first (stable), so cores are contiguous.
  void CoresFirst() {
    std::vector<uint8_t>& core = ws_.cell_core;
    std::vector<double>& pts = ws_.pts;
    std::vector<int32_t>& orig = ws_.orig;
    ws_.core_end.resize(n_cells_);
    for (int32_t cidx = 0; cidx < n_cells_; ++cidx) {
      const Index b = ws_.start[cidx], e = ws_.start[cidx + 1];
      Index w = b;
      bool sorted = true;
      for (Index p = b; p < e; ++p) {
        if (core[p]) {
          if (p != w) sorted = false;
          ++w;
        }
      }
      ws_.core_end[cidx] = w;
      if (sorted) continue;
      ws_.tmp_pts.assign(pts.begin() + b * d_, pts.begin() + e * d_);
      ws_.tmp_orig.assign(orig.begin() + b, orig.begin() + e);
      Index out = b;
      for (int pass = 1; pass >= 0; --pass) {
        for (Index p = b; p < e; ++p) {
          if (core[p] != pass) continue;
          std::copy_n(ws_.tmp_pts.begin() + (p - b) * d_, d_,
                      pts.begin() + out * d_);
          orig[out] = ws_.tmp_orig[p - b];
          ++out;
        }
      }
      std::fill(core.begin() + b, core.begin() + w, 1);
      std::fill(core.begin() + w, core.begin() + e, 0);
    }
  }

  // Pass 2: joins cells that share a core pair within eps.
  void JoinCells() {
    uf_.emplace(ws_.parent, n_cells_);
    ParallelForChunks(n_jobs_, n_cells_, kCellChunk,
                      [&](Index b, Index e, int) {
                        for (Index c = b; c < e; ++c) {
                          JoinForward(static_cast<int32_t>(c));
                        }
                      });
  }

  // Joins cell cidx with the cells after it that share a core pair.
  void JoinForward(int32_t cidx) {
    const std::vector<Index>& start = ws_.start;
    const std::vector<Index>& core_end = ws_.core_end;
    if (core_end[cidx] == start[cidx]) return;
    // cidx's root, refreshed after each union here. Another thread may
    // link it meanwhile: a stale root only costs a needless distance check.
    int32_t root = uf_->Find(cidx);
    ForEachRun(forward_, cidx, [&](int32_t c0, int32_t c1) {
      for (int32_t nc = c0; nc < c1; ++nc) {
        if (core_end[nc] == start[nc]) continue;
        // Most cells point straight at their root once paths are halved.
        if (uf_->Parent(nc) == root || uf_->Find(nc) == root) continue;
        for (Index p = start[cidx]; p < core_end[cidx]; ++p) {
          const double* pp = Point(p);
          // The box test costs divisions: worth it before a scan of
          // several samples only.
          if (core_end[nc] - start[nc] > 4 && BoxReduced(pp, nc) > eps_r_) {
            continue;
          }
          if (AnyWithin(pp, start[nc], core_end[nc])) {
            uf_->Union(cidx, nc);
            root = uf_->Find(cidx);
            break;
          }
        }
      }
      return true;
    });
  }

  // Cluster numbers: components ordered by their smallest core index.
  // Returns the number of clusters.
  int NumberClusters() {
    constexpr int32_t kNone = std::numeric_limits<int32_t>::max();
    ws_.min_core.assign(n_cells_, kNone);
    for (int32_t cidx = 0; cidx < n_cells_; ++cidx) {
      const int32_t root = uf_->Find(cidx);
      for (Index p = ws_.start[cidx]; p < ws_.core_end[cidx]; ++p) {
        ws_.min_core[root] = std::min(ws_.min_core[root], ws_.orig[p]);
      }
    }
    ws_.roots.clear();
    ws_.roots.reserve(n_);
    for (int32_t cidx = 0; cidx < n_cells_; ++cidx) {
      if (uf_->IsRoot(cidx) && ws_.min_core[cidx] != kNone) {
        ws_.roots.emplace_back(ws_.min_core[cidx], cidx);
      }
    }
    std::sort(ws_.roots.begin(), ws_.roots.end());
    ws_.root_label.assign(n_cells_, -1);
    for (size_t r = 0; r < ws_.roots.size(); ++r) {
      ws_.root_label[ws_.roots[r].second] = static_cast<int32_t>(r);
    }
    ws_.cell_label.assign(n_cells_, -1);
    for (int32_t cidx = 0; cidx < n_cells_; ++cidx) {
      if (ws_.core_end[cidx] > ws_.start[cidx]) {
        ws_.cell_label[cidx] = ws_.root_label[uf_->Find(cidx)];
      }
    }
    return static_cast<int>(ws_.roots.size());
  }

  // Small cells per cell of side eps: (eps / side)^d.
  double CellsPerLargeCell() const {
    return std::pow(eps_ / side_, static_cast<double>(d_));
  }

  // Samples per cell of the data's bounding box (padding excluded).
  double SamplesPerBoxCell() const {
    long double cells = 1.0L;
    for (Index j = 0; j < d_; ++j) cells *= extents_[j] - 2 * reach_;
    return static_cast<double>(static_cast<long double>(n_) / cells);
  }

  // Expected samples sharing a sample's cell (itself included): about
  // 1 + the samples per cell on sparse data, more where data is dense.
  double SamplesPerCellSeen() const {
    double sum = 0.0;
    for (int32_t c = 0; c < n_cells_; ++c) {
      const auto size = static_cast<double>(ws_.start[c + 1] - ws_.start[c]);
      sum += size * size;
    }
    return n_ > 0 ? sum / static_cast<double>(n_) : 0.0;
  }

  // Without cliques, pass 2 joins core samples, not cells: each core
  // sample with the later core samples of its cell and those of the cells
  // after it within eps (disjoint sets over positions).
  void JoinSamples() {
    uf_.emplace(ws_.parent, static_cast<int32_t>(n_));
    const std::vector<Index>& start = ws_.start;
    const std::vector<Index>& core_end = ws_.core_end;
    ParallelForChunks(
        n_jobs_, n_cells_, kCellChunk, [&](Index b, Index e, int) {
          for (Index ci = b; ci < e; ++ci) {
            const auto cidx = static_cast<int32_t>(ci);
            for (Index p = start[cidx]; p < core_end[cidx]; ++p) {
              const auto pu = static_cast<int32_t>(p);
              const double* pp = Point(p);
              int32_t root = uf_->Find(pu);
              auto join = [&](Index q0, Index q1) {
                // Distances first: a few flops on contiguous rows, and
                // most candidates are out of reach.
                for (Index q = q0; q < q1; ++q) {
                  if (!Within(pp, Point(q))) continue;
                  const auto qu = static_cast<int32_t>(q);
                  if (uf_->Parent(qu) == root || uf_->Find(qu) == root) {
                    continue;
                  }
                  uf_->Union(pu, qu);
                  root = uf_->Find(pu);
                }
              };
              join(p + 1, core_end[cidx]);
              ForEachRun(forward_, cidx, [&](int32_t c0, int32_t c1) {
                for (int32_t nc = c0; nc < c1; ++nc) {
                  join(start[nc], core_end[nc]);
                }
                return true;
              });
            }
          }
        });
  }

  // NumberClusters without cliques: per core position, its cluster number
  // (in ws_.cell_label, n entries here).
  int NumberSamples() {
    constexpr int32_t kNone = std::numeric_limits<int32_t>::max();
    const std::vector<uint8_t>& core = ws_.cell_core;
    ws_.min_core.assign(n_, kNone);
    for (Index p = 0; p < n_; ++p) {
      if (!core[p]) continue;
      const int32_t root = uf_->Find(static_cast<int32_t>(p));
      ws_.min_core[root] = std::min(ws_.min_core[root], ws_.orig[p]);
    }
    ws_.roots.clear();
    ws_.roots.reserve(n_);
    for (Index p = 0; p < n_; ++p) {
      const auto pu = static_cast<int32_t>(p);
      if (core[p] && uf_->IsRoot(pu)) {
        ws_.roots.emplace_back(ws_.min_core[p], pu);
      }
    }
    std::sort(ws_.roots.begin(), ws_.roots.end());
    ws_.root_label.assign(n_, -1);
    for (size_t r = 0; r < ws_.roots.size(); ++r) {
      ws_.root_label[ws_.roots[r].second] = static_cast<int32_t>(r);
    }
    ws_.cell_label.assign(n_, -1);
    for (Index p = 0; p < n_; ++p) {
      if (core[p]) {
        ws_.cell_label[p] = ws_.root_label[uf_->Find(static_cast<int32_t>(p))];
      }
    }
    return static_cast<int>(ws_.roots.size());
  }

  // LabelSamples without cliques: a border sample takes the lowest number
  // among the core samples within eps, checked one by one.
  void LabelBySample() {
    GrowLabels& labels = ws_.labels;
    std::vector<uint8_t>& core_out = ws_.core;
    const std::vector<Index>& start = ws_.start;
    const std::vector<Index>& core_end = ws_.core_end;
    const std::vector<int32_t>& orig = ws_.orig;
    const std::vector<int32_t>& label = ws_.cell_label;
    ParallelForChunks(
        n_jobs_, n_cells_, kCellChunk, [&](Index b, Index e, int) {
          for (Index ci = b; ci < e; ++ci) {
            const auto cidx = static_cast<int32_t>(ci);
            for (Index p = start[cidx]; p < core_end[cidx]; ++p) {
              labels[orig[p]] = label[p];
              core_out[orig[p]] = 1;
            }
            for (Index p = core_end[cidx]; p < start[cidx + 1]; ++p) {
              const double* pp = Point(p);
              int32_t best = std::numeric_limits<int32_t>::max();
              ForEachRun(runs_, cidx, [&](int32_t c0, int32_t c1) {
                for (int32_t nc = c0; nc < c1; ++nc) {
                  for (Index q = start[nc]; q < core_end[nc]; ++q) {
                    if (Within(pp, Point(q)) && label[q] < best) {
                      best = label[q];
                    }
                  }
                }
                return true;
              });
              if (best != std::numeric_limits<int32_t>::max()) {
                labels[orig[p]] = best;
              }
            }
          }
        });
  }

  // Pass 3: labels and core flags in sample order; a border sample takes
  // the lowest cluster number among the core samples within eps
  // (scikit-learn's first-reached rule).
  void LabelSamples() {
    GrowLabels& labels = ws_.labels;
    std::vector<uint8_t>& core_out = ws_.core;
    const std::vector<Index>& start = ws_.start;
    const std::vector<Index>& core_end = ws_.core_end;
    const std::vector<int32_t>& orig = ws_.orig;
    const std::vector<int32_t>& cell_label = ws_.cell_label;
    ParallelForChunks(
        n_jobs_, n_cells_, kCellChunk, [&](Index b, Index e, int) {
          for (Index ci = b; ci < e; ++ci) {
            const auto cidx = static_cast<int32_t>(ci);
            for (Index p = start[cidx]; p < core_end[cidx]; ++p) {
              labels[orig[p]] = cell_label[cidx];
              core_out[orig[p]] = 1;
            }
            for (Index p = core_end[cidx]; p < start[cidx + 1]; ++p) {
              const double* pp = Point(p);
              int32_t best = std::numeric_limits<int32_t>::max();
              ForEachRun(runs_, cidx, [&](int32_t c0, int32_t c1) {
                for (int32_t nc = c0; nc < c1; ++nc) {
                  const int32_t l = cell_label[nc];
                  if (l < 0 || l >= best) continue;
                  if (AnyWithin(pp, start[nc], core_end[nc])) best = l;
                }
                return true;
              });
              if (best != std::numeric_limits<int32_t>::max()) {
                labels[orig[p]] = best;
              }
            }
          }
        });
  }

 private:
  const double* Point(Index p) const { return ws_.pts.data() + p * d_; }

  // Whether b is within eps of a.
  inline bool Within(const double* a, const double* b) const {
    if (metric_ == Metric::kEuclidean && d_ >= 2 && d_ <= 4) {
      const double d0 = a[0] - b[0], d1 = a[1] - b[1];
      double acc = d0 * d0 + d1 * d1;
      if (d_ >= 3) acc += (a[2] - b[2]) * (a[2] - b[2]);
      if (d_ == 4) acc += (a[3] - b[3]) * (a[3] - b[3]);
      return acc <= eps_r_;
    }
    return Reduced(metric_, a, b, d_) <= eps_r_;
  }

  // Whether a sample at positions [q0, q1) is within eps of pp.
  bool AnyWithin(const double* pp, Index q0, Index q1) const {
    return CountWithin(pp, q0, q1, 1) >= 1;
  }

  // The samples at positions [q0, q1) within eps of pp, counted up to
  // `need` (the scan stops there). Euclidean distances in 2 to 4
  // dimensions, the grid's usual case, have the dimension unrolled.
  inline Index CountWithin(const double* pp, Index q0, Index q1,
                           Index need) const {
    if (metric_ == Metric::kEuclidean) {
      switch (d_) {
        case 2:
          return CountWithinL2<2>(pp, q0, q1, need);
        case 3:
          return CountWithinL2<3>(pp, q0, q1, need);
        case 4:
          return CountWithinL2<4>(pp, q0, q1, need);
        default:
          break;
      }
    }
    Index count = 0;
    for (Index q = q0; q < q1; ++q) {
      if (Reduced(metric_, pp, Point(q), d_) <= eps_r_ && ++count >= need) {
        break;
      }
    }
    return count;
  }

  template <int D>
  Index CountWithinL2(const double* pp, Index q0, Index q1, Index need) const {
    Index count = 0;
    const double* q = Point(q0);
    const double p0 = pp[0], p1 = pp[1];
    const double p2 = D > 2 ? pp[2] : 0.0, p3 = D > 3 ? pp[3] : 0.0;
    for (Index i = q0; i < q1; ++i, q += D) {
      // Unrolled by hand: the compiler kept a loop over the 3 coordinates.
      double acc = (p0 - q[0]) * (p0 - q[0]) + (p1 - q[1]) * (p1 - q[1]);
      if constexpr (D > 2) acc += (p2 - q[2]) * (p2 - q[2]);
      if constexpr (D > 3) acc += (p3 - q[3]) * (p3 - q[3]);
      if (acc <= eps_r_ && ++count >= need) break;
    }
    return count;
  }

  // Calls fn(c0, c1) with the occupied cells [c0, c1) of each run in
  // `runs` around cell cidx (their samples are positions [start[c0],
  // start[c1])), until fn returns false. The dense table gives a run's
  // cells with two loads; the hash map one cell at a time.
  template <class Fn>
  void ForEachRun(const std::vector<KeyRun>& runs, int32_t cidx,
                  Fn&& fn) const {
    for (const KeyRun& run : runs) {
      if (!VisitKeys(cidx, run.delta + run.lo, run.delta + run.hi, fn)) {
        return;
      }
    }
  }

  // fn(c0, c1) for the occupied cells with keys [k + lo, k + hi) around
  // cell cidx's key k; false when fn asked to stop.
  template <class Fn>
  bool VisitKeys(int32_t cidx, int64_t lo, int64_t hi, Fn& fn) const {
    const uint64_t key = ws_.cell_key[cidx];
    const uint64_t klo = key + static_cast<uint64_t>(lo);
    const uint64_t khi = key + static_cast<uint64_t>(hi);
    if (dense_table_) {
      const int32_t c0 = ws_.dense_cell[klo], c1 = ws_.dense_cell[khi];
      return c0 >= c1 || fn(c0, c1);
    }
    for (uint64_t k = klo; k < khi; ++k) {
      auto it = cell_of_.find(k);
      if (it != cell_of_.end() && !fn(it->second, it->second + 1)) {
        return false;
      }
    }
    return true;
  }

  // Reduced distance from a point to a cell's box (slightly enlarged so
  // rounding in the cell assignment never excludes a true neighbour): a
  // lower bound used to skip points that cannot reach the cell.
  double BoxReduced(const double* p, int32_t cidx) const {
    double acc = 0.0;
    const uint64_t key = ws_.cell_key[cidx];
    for (Index j = 0; j < d_; ++j) {
      const auto cj = static_cast<int64_t>((key / stride_[j]) % extents_[j]);
      const double blo = lo_[j] + (cj - reach_) * side_ - 1e-9 * side_;
      const double bhi = blo + side_ * (1.0 + 2e-9);
      const double g = std::max(std::max(blo - p[j], p[j] - bhi), 0.0);
      acc = metric_ == Metric::kEuclidean   ? acc + g * g
            : metric_ == Metric::kManhattan ? acc + g
                                            : std::max(acc, g);
    }
    return acc;
  }

  const ConstMatrixRef& x_;
  const Index n_, d_;
  const int min_samples_;
  const Metric metric_;
  const int n_jobs_;
  const bool cliques_;
  DBSCANWorkspace& ws_;
  double side_ = 0.0, eps_ = 0.0, eps_r_ = 0.0;
  int reach_ = 1;
  std::vector<double> lo_;
  std::vector<uint64_t> stride_, extents_;
  long double total_ = 1.0L;
  int32_t n_cells_ = 0;
  bool dense_table_ = false;
  absl::flat_hash_map<uint64_t, int32_t> cell_of_;
  std::vector<KeyRun> runs_, forward_;
  std::optional<UnionFind> uf_;
};

// The grid method. Returns false (and leaves the labels untouched) when
// the grid's cell keys would overflow, or with `dense_only` when the grid
// would need the hash map; the caller then uses the k-d tree.
bool GridDbscan(const ConstMatrixRef& x, double eps, int min_samples,
                Metric metric, int n_jobs, bool dense_only, DBSCANWorkspace& ws,
                int* n_clusters) {
  // Per-cell bookkeeping sized by n, whichever grid a fold uses.
  for (std::vector<int32_t>* v :
       {&ws.parent, &ws.min_core, &ws.root_label, &ws.cell_label}) {
    v->reserve(static_cast<size_t>(x.rows()));
  }
  Grid fine(x, eps, min_samples, metric, n_jobs, /*cliques=*/true, ws);
  if (!fine.Layout() || (dense_only && !fine.DenseTable())) return false;
  // Sparse data: cells of side eps (3^d neighbours) instead of the small
  // cliques (~5^d neighbours, whose lookups cost more than the cliques
  // save when a sample shares its small cell with under half a sample on
  // average, as uniform 3-D data at 0.2 samples per small cell). Tried
  // when the bounding box holds under one sample per small cell, kept when
  // the samples seen per large cell say the small cells would be sparse.
  const double ratio = fine.CellsPerLargeCell();
  if (ratio > 1.0 && fine.SamplesPerBoxCell() < 1.0) {
    Grid coarse(x, eps, min_samples, metric, n_jobs, /*cliques=*/false, ws);
    if (coarse.Layout() && (!dense_only || coarse.DenseTable())) {
      coarse.SortIntoCells();
      if (coarse.SamplesPerCellSeen() < 1.0 + 0.5 * ratio) {
        coarse.IndexCells();
        coarse.NeighbourRuns();
        coarse.MarkCores();
        coarse.CoresFirst();
        coarse.JoinSamples();
        *n_clusters = coarse.NumberSamples();
        coarse.LabelBySample();
        return true;
      }
    }
  }
  fine.SortIntoCells();
  fine.IndexCells();
  fine.NeighbourRuns();
  fine.MarkCores();
  fine.CoresFirst();
  fine.JoinCells();
  *n_clusters = fine.NumberClusters();
  fine.LabelSamples();
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

WorkspaceStats DBSCANWorkspace::stats() const {
  WorkspaceStats s =
      SumStats(core, labels, scratch, keyed, pts, orig, cell_core, cell_key,
               start, core_end, dense_cell, tmp_pts, tmp_orig, parent, min_core,
               roots, root_label, cell_label);
  for (const neighbors::QueryScratch& q : scratch) {
    s += SumStats(q.stack, q.heap);
  }
  for (const std::vector<Index>& nb : neighbours) s += SumStats(nb);
  return s;
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
                                      DBSCANWorkspace& ws) {
  std::vector<uint8_t>& core = ws.core;
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
      core, o.n_jobs,
      [&](Index p, int, std::vector<Index>* nb) {
        nb->clear();
        for (Index j = 0; j < n; ++j) {
          if (x(p, j) <= o.eps) nb->push_back(j);
        }
      },
      ws);
}

// DBSCAN through a k-d tree or brute-force radius index: core samples by
// bounded radius counts, then the clusters, both in parallel.
absl::StatusOr<int> IndexDbscan(const ConstMatrixRef& x, const DBSCANOptions& o,
                                Metric metric, neighbors::Algorithm algorithm,
                                DBSCANWorkspace& ws) {
  std::vector<uint8_t>& core = ws.core;
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
  std::vector<neighbors::QueryScratch>& scratch = ws.scratch;
  const auto workers =
      static_cast<size_t>(NumWorkers(o.n_jobs, NumChunks(n, kChunk)));
  if (scratch.size() < workers) scratch.resize(workers);
  for (neighbors::QueryScratch& s : scratch) idx.ReserveScratch(s);
  ParallelForChunks(o.n_jobs, n, kChunk, [&](Index b, Index e, int w) {
    for (Index i = b; i < e; ++i) {
      core[i] = idx.RadiusCount(data + i * d, o.eps, scratch[w], min_samples) >=
                min_samples;
    }
  });
  return Expand(
      core, o.n_jobs,
      [&](Index p, int w, std::vector<Index>* nb) {
        idx.RadiusQuery(data + p * d, o.eps, scratch[w], nb);
      },
      ws);
}

}  // namespace

absl::Status DBSCAN::DoFit(const ConstMatrixRef& x, absl::Span<const double>,
                           const FitArgs&) {
  Reset();
  const DBSCANOptions& o = options_;
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(ValidateOptions(o));
  const Index n = x.rows(), d = x.cols();
  // ECLIPSERA_DISABLE_POOLING=1: the v1.0 behaviour, fresh buffers.
  if (pool::PoolingDisabled()) ws_ = DBSCANWorkspace();
  DBSCANWorkspace& ws = ws_;
  ws.core.assign(n, 0);
  ws.labels.resize(n);
  ws.labels.setConstant(-1);
  int n_clusters = 0;
  std::string algorithm = o.algorithm;
  if (o.metric == "precomputed") {
    ECLIPSERA_ASSIGN_OR_RETURN(n_clusters, PrecomputedDbscan(x, o, ws));
    algorithm = "precomputed";
  } else {
    const Metric metric = *neighbors::ParseMetric(o.metric);
    if (algorithm == "grid" && d > 4) {
      return absl::InvalidArgumentError(absl::StrCat(
          kContext, ": algorithm = 'grid' supports at most 4 features, X has ",
          d, "; use 'kd_tree' or 'brute'"));
    }
    // 'auto': the grid up to 3-D; in 4-D when its cell table is small (a
    // 4-D grid has ~180 neighbour runs per cell: through a hash map that
    // was slower than the k-d tree on sparse data, through the table 3 to
    // 8 times faster); the k-d tree up to 15-D; brute force beyond.
    const bool auto_4d = algorithm == "auto" && d == 4;
    if (algorithm == "auto") {
      algorithm = d <= 4 ? "grid" : d <= 15 ? "kd_tree" : "brute";
    }
    bool done = false;
    if (algorithm == "grid") {
      done = GridDbscan(x, o.eps, o.min_samples, metric, o.n_jobs, auto_4d, ws,
                        &n_clusters);
      if (!done) algorithm = "kd_tree";  // grid too fine for 64-bit keys
    }
    if (!done) {
      ECLIPSERA_ASSIGN_OR_RETURN(
          n_clusters,
          IndexDbscan(x, o, metric,
                      algorithm == "brute" ? neighbors::Algorithm::kBrute
                                           : neighbors::Algorithm::kKDTree,
                      ws));
    }
  }
  StoreResults(x, ws.core, ws.labels, n_clusters, algorithm);
  return absl::OkStatus();
}

void DBSCAN::StoreResults(const ConstMatrixRef& x,
                          const std::vector<uint8_t>& core,
                          const GrowLabels& labels, int n_clusters,
                          std::string algorithm) {
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
  labels_ = labels;
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
