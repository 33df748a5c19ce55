// Tree-building cores for AgglomerativeClustering and Linkage; see the
// header for the algorithms and the tie-breaking rules.
#include "eclipsera/cluster/internal/agglomerative_core.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "Eigen/Core"
#include "absl/strings/str_cat.h"
#include "eclipsera/core/parallel.h"

namespace eclipsera::cluster_internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Positions are processed in blocks this long so a block of distances stays
// in L1 while the features stream past.
constexpr Index kBlock = 512;

using ArrayMap = Eigen::Map<Eigen::ArrayXd>;
using ConstArrayMap = Eigen::Map<const Eigen::ArrayXd>;

// The fused scans work on groups of kGroup positions held in registers
// (Eigen vectorizes the fixed-size arrays); position arrays are padded to a
// multiple of kGroup with dead entries.
constexpr Index kGroup = 8;
using Group = Eigen::Array<double, kGroup, 1>;
using GroupMap = Eigen::Map<const Group>;

// Positions per parallel task: a multiple of kGroup, large enough to
// amortize the fork/join of one scan.
constexpr Index kChunk = 4096;

inline Index RoundUp(Index m) { return (m + kGroup - 1) / kGroup * kGroup; }

// Distances (per metric) from x to the kGroup positions starting at p of
// the feature-major coords (stride cap). Features are summed in increasing
// order from 0.0 per position, as scipy's pdist does, so values match it
// bit for bit where it sums that way.
template <LinkageMetric kMetric, bool kSquared>
EIGEN_STRONG_INLINE Group GroupDistance(const double* coords, Index cap,
                                        Index d, const double* x,
                                        const double* norms, double x_norm,
                                        Index p) {
  Group acc = Group::Zero();
  for (Index f = 0; f < d; ++f) {
    const GroupMap c(coords + f * cap + p);
    if (kMetric == LinkageMetric::kEuclidean) {
      acc += (c - x[f]).square();
    } else if (kMetric == LinkageMetric::kManhattan) {
      acc += (c - x[f]).abs();
    } else {
      acc += c * x[f];
    }
  }
  if (kMetric == LinkageMetric::kEuclidean && !kSquared) return acc.sqrt();
  if (kMetric == LinkageMetric::kCosine) {
    const Group c = (acc / (x_norm * GroupMap(norms + p))).max(-1.0).min(1.0);
    return 1.0 - c;
  }
  return acc;
}

// First index in [0, m) with row[i] == value (value is the minimum).
inline int32_t FindFirst(const double* row, Index m, double value) {
  for (Index i = 0; i < m; ++i) {
    if (row[i] == value) return static_cast<int32_t>(i);
  }
  return -1;
}

// Grows v to n elements; allocates only when n exceeds its capacity.
template <class T>
void Size(std::vector<T>& v, size_t n) {
  v.resize(n);
}

inline int64_t CondensedIndex(int64_t n, int64_t i, int64_t j) {
  if (i > j) std::swap(i, j);
  return n * i - (i * (i + 1)) / 2 + (j - i - 1);
}

// The points, feature-major, with per-position bookkeeping; positions are
// kept in increasing slot order (compaction preserves it) so that scans
// visit clusters in scipy's order.
struct Positions {
  AgglomerativeWorkspace* ws;
  Index d = 0;
  Index cap = 0;  // stride between features in ws->coords
  Index m = 0;    // positions in use
  Index alive = 0;
  LinkageMetric metric = LinkageMetric::kEuclidean;
  bool has_coords = true;

  double* coord(Index f) { return ws->coords.data() + f * cap; }

  // Writes the distance (per metric) from the point ws->point to every
  // position in [begin, end) into out[0, end - begin). Euclidean and
  // Manhattan sum features in increasing order from 0.0, as scipy's pdist
  // does.
  void DistanceRow(Index begin, Index end, double point_norm, bool squared,
                   double* out) {
    const Index len = end - begin;
    ArrayMap r(out, len);
    r.setZero();
    const double* p = ws->point.data();
    switch (metric) {
      case LinkageMetric::kEuclidean:
        for (Index f = 0; f < d; ++f) {
          r += (ConstArrayMap(coord(f) + begin, len) - p[f]).square();
        }
        if (!squared) r = r.sqrt();
        break;
      case LinkageMetric::kManhattan:
        for (Index f = 0; f < d; ++f) {
          r += (ConstArrayMap(coord(f) + begin, len) - p[f]).abs();
        }
        break;
      case LinkageMetric::kCosine: {
        for (Index f = 0; f < d; ++f) {
          r += ConstArrayMap(coord(f) + begin, len) * p[f];
        }
        const double* nrm = ws->norms.data() + begin;
        for (Index i = 0; i < len; ++i) {
          double c = out[i] / (point_norm * nrm[i]);
          if (std::fabs(c) > 1.0) c = std::copysign(1.0, c);
          out[i] = 1.0 - c;
        }
        break;
      }
      case LinkageMetric::kPrecomputed:
        break;  // handled by the callers (condensed lookups)
    }
  }

  void LoadPoint(Index pos) {
    for (Index f = 0; f < d; ++f) ws->point[f] = coord(f)[pos];
  }

  // Drops dead positions (penalty +inf), keeping the order; remaps the
  // listed positions (all alive) in place.
  void Compact(int32_t* keep, Index n_keep, bool with_min_dist,
               bool with_sizes) {
    std::vector<int32_t>& remap = ws->remap;
    Index out = 0;
    for (Index p = 0; p < m; ++p) {
      if (ws->penalty[p] != 0.0) {
        remap[p] = -1;
        continue;
      }
      remap[p] = static_cast<int32_t>(out);
      if (out != p) {
        if (has_coords) {
          for (Index f = 0; f < d; ++f) coord(f)[out] = coord(f)[p];
        }
        ws->slot[out] = ws->slot[p];
        if (with_min_dist) ws->min_dist[out] = ws->min_dist[p];
        if (with_sizes) ws->sizes[out] = ws->sizes[p];
        if (metric == LinkageMetric::kCosine) ws->norms[out] = ws->norms[p];
      }
      ws->penalty[out] = 0.0;
      ++out;
    }
    for (Index p = out; p < RoundUp(m); ++p) ws->penalty[p] = kInf;
    m = out;
    for (Index i = 0; i < n_keep; ++i) keep[i] = remap[keep[i]];
  }
};

absl::Status LoadPositions(absl::string_view context, const ConstMatrixRef& x,
                           LinkageMetric metric, AgglomerativeWorkspace* ws,
                           Positions* pos) {
  const Index n = x.rows();
  pos->ws = ws;
  pos->metric = metric;
  pos->m = n;
  pos->alive = n;
  pos->has_coords = metric != LinkageMetric::kPrecomputed;
  pos->d = pos->has_coords ? x.cols() : 0;
  const Index cap = RoundUp(n);
  pos->cap = cap;
  Size(ws->coords, static_cast<size_t>(pos->d * cap));
  Size(ws->point, static_cast<size_t>(std::max<Index>(pos->d, 1)));
  Size(ws->slot, cap);
  Size(ws->penalty, cap);
  Size(ws->row, cap);
  Size(ws->remap, cap);
  Size(ws->sizes, cap);
  Size(ws->min_dist, cap);
  Size(ws->chunk_min, NumChunks(cap, kChunk));
  for (Index i = 0; i < cap; ++i) {
    ws->slot[i] = static_cast<int32_t>(std::min(i, n - 1));
    ws->penalty[i] = i < n ? 0.0 : kInf;  // padding is dead
    ws->sizes[i] = 1.0;
    ws->min_dist[i] = kInf;
  }
  if (pos->has_coords) {
    for (Index f = 0; f < pos->d; ++f) {
      double* c = pos->coord(f);
      for (Index i = 0; i < n; ++i) c[i] = x(i, f);
      for (Index i = n; i < cap; ++i) c[i] = 0.0;
    }
  }
  if (metric == LinkageMetric::kCosine) {
    Size(ws->norms, cap);
    for (Index i = n; i < cap; ++i) ws->norms[i] = 1.0;
    for (Index i = 0; i < n; ++i) {
      double s = 0.0;
      for (Index f = 0; f < pos->d; ++f) s += x(i, f) * x(i, f);
      ws->norms[i] = std::sqrt(s);
      if (ws->norms[i] == 0.0) {
        return absl::InvalidArgumentError(absl::StrCat(
            context, ": metric 'cosine' is undefined for sample ", i,
            ", whose features are all zero; remove it or use another "
            "metric"));
      }
    }
  }
  return absl::OkStatus();
}

// Fills ws->condensed with scipy's condensed distance matrix.
void FillCondensed(const ConstMatrixRef& x, Positions* pos) {
  AgglomerativeWorkspace* ws = pos->ws;
  const Index n = x.rows();
  Size(ws->condensed, static_cast<size_t>(n * (n - 1) / 2));
  double* out = ws->condensed.data();
  for (Index i = 0; i + 1 < n; ++i) {
    if (pos->metric == LinkageMetric::kPrecomputed) {
      for (Index j = i + 1; j < n; ++j) *out++ = x(i, j);
      continue;
    }
    pos->LoadPoint(i);
    const double norm =
        pos->metric == LinkageMetric::kCosine ? ws->norms[i] : 0.0;
    // Row i against positions i+1..n-1 lands contiguously in the condensed
    // matrix: compute it there directly.
    for (Index b = i + 1; b < n; b += kBlock) {
      pos->DistanceRow(b, std::min(n, b + kBlock), norm, /*squared=*/false,
                       out + (b - i - 1));
    }
    out += n - i - 1;
  }
}

// Returns the minimum of scan(begin, end) over [0, end) split in fixed
// chunks, run on up to n_jobs threads. The minimum is exact, so the result
// (and everything scan writes) is the same for any n_jobs.
template <class Scan>
double ChunkedMin(int n_jobs, Index end, AgglomerativeWorkspace* ws,
                  const Scan& scan) {
  if (n_jobs == 1 || end < 2 * kChunk) return scan(0, end);
  double* mins = ws->chunk_min.data();
  ParallelForChunks(n_jobs, end, kChunk, [&](Index b, Index e, int) {
    mins[b / kChunk] = scan(b, e);
  });
  double best = kInf;
  for (Index c = 0; c < NumChunks(end, kChunk); ++c) {
    best = std::min(best, mins[c]);
  }
  return best;
}

// One Prim step on vectors: updates min_dist with the distances from
// ws->point, writes min_dist + penalty into row and returns its minimum.
template <LinkageMetric kMetric>
double PrimScan(Positions* pos, double x_norm, double* row, Index begin,
                Index end) {
  AgglomerativeWorkspace* ws = pos->ws;
  double* min_dist = ws->min_dist.data();
  const double* penalty = ws->penalty.data();
  const double* coords = ws->coords.data();
  const double* x = ws->point.data();
  const double* norms =
      kMetric == LinkageMetric::kCosine ? ws->norms.data() : nullptr;
  Group best = Group::Constant(kInf);
  for (Index p = begin; p < end; p += kGroup) {
    // Euclidean: squared distances (the square root is monotone; taken once
    // per merge).
    const Group dist = GroupDistance<kMetric, true>(coords, pos->cap, pos->d, x,
                                                    norms, x_norm, p);
    const Group dm = GroupMap(min_dist + p).min(dist);
    Eigen::Map<Group>(min_dist + p) = dm;
    const Group v = dm + GroupMap(penalty + p);
    Eigen::Map<Group>(row + p) = v;
    best = best.min(v);
  }
  return best.minCoeff();
}

// Prim's minimum spanning tree, scipy's mst_single_linkage order: the next
// sample is the first (lowest position) minimum of the distances to the
// tree.
void PrimSingle(const TreeOptions& options, Positions* pos) {
  AgglomerativeWorkspace* ws = pos->ws;
  const Index n = pos->m;
  const bool precomputed = pos->metric == LinkageMetric::kPrecomputed;
  int32_t cur = 0;
  for (Index k = 0; k + 1 < n; ++k) {
    ws->penalty[cur] = kInf;  // in the tree
    --pos->alive;
    const int64_t cur_slot = ws->slot[cur];
    double* row = ws->row.data();
    std::vector<double> fresh;  // v1.0 only: freed every step
    if (options.fresh_buffers) {
      fresh.assign(pos->cap, 0.0);  // v1.0: a new array every step
      row = fresh.data();
    }
    double best = kInf;
    int32_t y = -1;
    if (precomputed) {
      double* min_dist = ws->min_dist.data();
      const double* penalty = ws->penalty.data();
      for (Index p = 0; p < pos->m; ++p) {
        const double dist =
            p == cur ? 0.0
                     : ws->condensed[CondensedIndex(n, cur_slot, ws->slot[p])];
        const double dm = std::min(min_dist[p], dist);
        min_dist[p] = dm;
        const double v = dm + penalty[p];
        if (v < best) {
          best = v;
          y = static_cast<int32_t>(p);
        }
      }
    } else {
      pos->LoadPoint(cur);
      const double x_norm =
          pos->metric == LinkageMetric::kCosine ? ws->norms[cur] : 0.0;
      best = ChunkedMin(
          options.n_jobs, RoundUp(pos->m), ws, [&](Index b, Index e) -> double {
            switch (pos->metric) {
              case LinkageMetric::kEuclidean:
                return PrimScan<LinkageMetric::kEuclidean>(pos, x_norm, row, b,
                                                           e);
              case LinkageMetric::kManhattan:
                return PrimScan<LinkageMetric::kManhattan>(pos, x_norm, row, b,
                                                           e);
              default:
                return PrimScan<LinkageMetric::kCosine>(pos, x_norm, row, b, e);
            }
          });
      y = FindFirst(row, pos->m, best);
      if (pos->metric == LinkageMetric::kEuclidean) best = std::sqrt(best);
    }
    ws->merges[k] = {static_cast<int32_t>(cur_slot), ws->slot[y], best};
    cur = y;
    // Order-preserving compaction once dead positions exceed 1/16 of the
    // live ones: amortized O(d) per step, keeps scans tight.
    if ((pos->m - pos->alive) * 16 > pos->alive && pos->m > 64) {
      pos->Compact(&cur, 1, /*with_min_dist=*/true, /*with_sizes=*/false);
    }
  }
}

// Nearest-neighbour chain for ward on centroids (O(N) memory).
void WardChain(const TreeOptions& options, Positions* pos) {
  AgglomerativeWorkspace* ws = pos->ws;
  const Index n = pos->m;
  const Index d = pos->d;
  Size(ws->chain, n);
  int32_t* chain = ws->chain.data();
  Index len = 0;
  for (Index k = 0; k + 1 < n; ++k) {
    if (len == 0) {
      Index p = 0;
      while (ws->penalty[p] != 0.0) ++p;
      chain[0] = static_cast<int32_t>(p);
      len = 1;
    }
    int32_t x = 0, y = 0;
    double cur = kInf;
    while (true) {
      x = chain[len - 1];
      double* row = ws->row.data();
      std::vector<double> fresh;  // v1.0 only: freed every search
      if (options.fresh_buffers) {
        fresh.assign(pos->cap, 0.0);  // v1.0: a fresh array every search
        row = fresh.data();
      }
      pos->LoadPoint(x);
      const double nx = ws->sizes[x];
      // Symmetric ward criterion |A||B|/(|A|+|B|) ||c_A - c_B||^2 (half the
      // squared ward distance), exactly symmetric so the chain cannot
      // cycle; x itself is excluded through its penalty.
      ws->penalty[x] = kInf;
      const double* coords = ws->coords.data();
      const double* point = ws->point.data();
      const double* sizes = ws->sizes.data();
      const double* penalty = ws->penalty.data();
      cur = ChunkedMin(
          options.n_jobs, RoundUp(pos->m), ws, [&](Index b, Index e) {
            Group best = Group::Constant(kInf);
            for (Index p = b; p < e; p += kGroup) {
              const Group d2 = GroupDistance<LinkageMetric::kEuclidean, true>(
                  coords, pos->cap, d, point, nullptr, 0.0, p);
              const GroupMap s(sizes + p);
              const Group v =
                  d2 * ((nx * s) / (nx + s)) + GroupMap(penalty + p);
              Eigen::Map<Group>(row + p) = v;
              best = best.min(v);
            }
            return best.minCoeff();
          });
      ws->penalty[x] = 0.0;
      // scipy's scan: the previous chain element wins a tie, else the
      // first position reaching the minimum.
      if (len > 1 && row[chain[len - 2]] == cur) {
        y = chain[len - 2];
      } else {
        y = FindFirst(row, pos->m, cur);
      }
      if (len > 1 && y == chain[len - 2]) break;
      chain[len++] = y;
    }
    len -= 2;
    if (x > y) std::swap(x, y);
    const double nx = ws->sizes[x];
    const double ny = ws->sizes[y];
    ws->merges[k] = {ws->slot[x], ws->slot[y], std::sqrt(2.0 * cur)};
    const double inv = 1.0 / (nx + ny);
    for (Index f = 0; f < d; ++f) {
      double* c = pos->coord(f);
      c[y] = (nx * c[x] + ny * c[y]) * inv;
    }
    ws->sizes[y] = nx + ny;
    ws->penalty[x] = kInf;
    --pos->alive;
    if ((pos->m - pos->alive) * 16 > pos->alive && pos->m > 64) {
      pos->Compact(chain, len, /*with_min_dist=*/false, /*with_sizes=*/true);
    }
  }
}

// scipy's nn_chain on the condensed matrix (complete, average).
void CondensedChain(LinkageMethod method, const TreeOptions& options, Index n,
                    AgglomerativeWorkspace* ws) {
  double* D = ws->condensed.data();
  Size(ws->int_sizes, n);
  int32_t* size = ws->int_sizes.data();
  std::fill(size, size + n, 1);
  Size(ws->chain, n);
  int32_t* chain = ws->chain.data();
  Index len = 0;
  for (Index k = 0; k + 1 < n; ++k) {
    if (len == 0) {
      Index i = 0;
      while (size[i] == 0) ++i;
      chain[0] = static_cast<int32_t>(i);
      len = 1;
    }
    int64_t x = 0, y = 0;
    double cur = kInf;
    while (true) {
      x = chain[len - 1];
      if (len > 1) {
        y = chain[len - 2];
        cur = D[CondensedIndex(n, x, y)];
      } else {
        cur = kInf;
      }
      std::vector<double> fresh;  // v1.0 only: freed every search
      if (options.fresh_buffers) {
        // v1.0: gather the row into a fresh array, then scan it.
        fresh.assign(n, kInf);
        for (Index i = 0; i < n; ++i) {
          if (size[i] != 0 && i != x) fresh[i] = D[CondensedIndex(n, x, i)];
        }
        for (Index i = 0; i < n; ++i) {
          if (fresh[i] < cur) {
            cur = fresh[i];
            y = i;
          }
        }
      } else {
        for (int64_t i = 0; i < x; ++i) {
          if (size[i] == 0) continue;
          const double dist = D[n * i - (i * (i + 1)) / 2 + (x - i - 1)];
          if (dist < cur) {
            cur = dist;
            y = i;
          }
        }
        const double* rowx = D + (n * x - (x * (x + 1)) / 2) - x - 1;
        for (int64_t i = x + 1; i < n; ++i) {
          if (size[i] == 0) continue;
          if (rowx[i] < cur) {
            cur = rowx[i];
            y = i;
          }
        }
      }
      if (len > 1 && y == chain[len - 2]) break;
      chain[len++] = static_cast<int32_t>(y);
    }
    len -= 2;
    if (x > y) std::swap(x, y);
    const int32_t nx = size[x];
    const int32_t ny = size[y];
    ws->merges[k] = {static_cast<int32_t>(x), static_cast<int32_t>(y), cur};
    size[x] = 0;
    size[y] = nx + ny;
    for (int64_t i = 0; i < n; ++i) {
      if (size[i] == 0 || i == y) continue;
      const double d_xi = D[CondensedIndex(n, i, x)];
      double& d_yi = D[CondensedIndex(n, i, y)];
      if (method == LinkageMethod::kComplete) {
        d_yi = d_xi > d_yi ? d_xi : d_yi;
      } else {
        d_yi = (nx * d_xi + ny * d_yi) / (nx + ny);
      }
    }
  }
}

int32_t Find(int32_t* parent, int32_t x) {
  int32_t root = x;
  while (parent[root] != root) root = parent[root];
  while (parent[x] != root) {
    const int32_t next = parent[x];
    parent[x] = root;
    x = next;
  }
  return root;
}

// Python's heapq on a min-heap of int64 (same sift algorithms, so the same
// element order as scikit-learn's heap).
void SiftDown(int64_t* heap, Index start, Index pos) {
  const int64_t item = heap[pos];
  while (pos > start) {
    const Index parent = (pos - 1) >> 1;
    if (item < heap[parent]) {
      heap[pos] = heap[parent];
      pos = parent;
      continue;
    }
    break;
  }
  heap[pos] = item;
}

void SiftUp(int64_t* heap, Index end, Index pos) {
  const Index start = pos;
  const int64_t item = heap[pos];
  Index child = 2 * pos + 1;
  while (child < end) {
    const Index right = child + 1;
    if (right < end && !(heap[child] < heap[right])) child = right;
    heap[pos] = heap[child];
    pos = child;
    child = 2 * pos + 1;
  }
  heap[pos] = item;
  SiftDown(heap, start, pos);
}

}  // namespace

absl::StatusOr<LinkageMethod> ParseLinkageMethod(absl::string_view context,
                                                 absl::string_view name) {
  if (name == "ward") return LinkageMethod::kWard;
  if (name == "complete") return LinkageMethod::kComplete;
  if (name == "average") return LinkageMethod::kAverage;
  if (name == "single") return LinkageMethod::kSingle;
  return absl::InvalidArgumentError(
      absl::StrCat(context, ": unknown linkage '", name,
                   "'; allowed: 'ward', 'complete', 'average', 'single'"));
}

absl::StatusOr<LinkageMetric> ParseLinkageMetric(absl::string_view context,
                                                 absl::string_view name,
                                                 bool allow_precomputed) {
  if (name == "euclidean" || name == "l2") return LinkageMetric::kEuclidean;
  if (name == "manhattan" || name == "l1" || name == "cityblock") {
    return LinkageMetric::kManhattan;
  }
  if (name == "cosine") return LinkageMetric::kCosine;
  if (allow_precomputed && name == "precomputed") {
    return LinkageMetric::kPrecomputed;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      context, ": unknown metric '", name,
      "'; allowed: 'euclidean' ('l2'), 'manhattan' ('l1', 'cityblock'), "
      "'cosine'",
      allow_precomputed ? ", 'precomputed'" : ""));
}

absl::Status BuildMerges(absl::string_view context, const ConstMatrixRef& x,
                         const TreeOptions& options,
                         AgglomerativeWorkspace* ws) {
  const Index n = x.rows();
  Size(ws->merges, n - 1);
  Positions pos;
  absl::Status s = LoadPositions(context, x, options.metric, ws, &pos);
  if (!s.ok()) return s;
  switch (options.method) {
    case LinkageMethod::kSingle:
      if (options.metric == LinkageMetric::kPrecomputed) FillCondensed(x, &pos);
      PrimSingle(options, &pos);
      break;
    case LinkageMethod::kWard:
      WardChain(options, &pos);
      break;
    case LinkageMethod::kComplete:
    case LinkageMethod::kAverage:
      FillCondensed(x, &pos);
      CondensedChain(options.method, options, n, ws);
      break;
  }
  return absl::OkStatus();
}

void LabelMerges(Index n, PairOrder order, AgglomerativeWorkspace* ws,
                 Index* children, double* distances, double* counts) {
  const Index m = n - 1;
  Size(ws->order, m);
  Size(ws->parent, 2 * n - 1);
  Size(ws->count, 2 * n - 1);
  int32_t* ord = ws->order.data();
  for (Index i = 0; i < m; ++i) ord[i] = static_cast<int32_t>(i);
  const RawMerge* merges = ws->merges.data();
  // Stable by distance: ties keep discovery order (std::sort does not
  // allocate, std::stable_sort may).
  std::sort(ord, ord + m, [merges](int32_t a, int32_t b) {
    const double da = merges[a].distance, db = merges[b].distance;
    return da < db || (da == db && a < b);
  });
  int32_t* parent = ws->parent.data();
  int32_t* count = ws->count.data();
  for (Index i = 0; i < 2 * n - 1; ++i) {
    parent[i] = static_cast<int32_t>(i);
    count[i] = i < n ? 1 : 0;
  }
  for (Index r = 0; r < m; ++r) {
    const RawMerge& mg = merges[ord[r]];
    const int32_t ra = Find(parent, mg.a);
    const int32_t rb = Find(parent, mg.b);
    Index c0 = ra, c1 = rb;
    if (order == PairOrder::kScipy && c0 > c1) std::swap(c0, c1);
    children[2 * r] = c0;
    children[2 * r + 1] = c1;
    distances[r] = mg.distance;
    const int32_t node = static_cast<int32_t>(n + r);
    count[node] = count[ra] + count[rb];
    if (counts != nullptr) counts[r] = count[node];
    parent[ra] = node;
    parent[rb] = node;
  }
}

bool CutTree(Index n_clusters, const Index* children, Index n_leaves,
             AgglomerativeWorkspace* ws, int32_t* labels) {
  std::fill(labels, labels + n_leaves, -1);
  if (n_leaves < 2 || n_clusters < 1 || n_clusters > n_leaves) {
    if (n_leaves == 1 && n_clusters == 1) labels[0] = 0;
    return n_leaves == 1 && n_clusters == 1;
  }
  Size(ws->heap, n_clusters);
  Size(ws->stack, n_leaves + 1);
  const Index n_nodes = 2 * n_leaves - 1;
  // Internal node `node` (id n_leaves + m) has children smaller than its id.
  auto valid_children = [&](Index m) {
    const Index a = children[2 * m], b = children[2 * m + 1];
    return a >= 0 && b >= 0 && a < n_leaves + m && b < n_leaves + m;
  };
  int64_t* heap = ws->heap.data();
  const Index last = n_leaves - 2;
  if (!valid_children(last)) return false;
  Index size = 1;
  heap[0] = -(std::max(children[2 * last], children[2 * last + 1]) + 1);
  for (Index it = 0; it + 1 < n_clusters; ++it) {
    const Index node = -heap[0] - n_leaves;
    if (node < 0 || node > last || !valid_children(node)) return false;
    // heappush(nodes, -children[node][0])
    heap[size] = -children[2 * node];
    SiftDown(heap, 0, size);
    ++size;
    // heappushpop(nodes, -children[node][1])
    const int64_t item = -children[2 * node + 1];
    if (heap[0] < item) {
      heap[0] = item;
      SiftUp(heap, size, 0);
    }
  }
  int64_t* stack = ws->stack.data();
  Index visited = 0, labelled = 0;
  for (Index i = 0; i < size; ++i) {
    Index top = 0;
    stack[top++] = -heap[i];
    while (top > 0) {
      const int64_t node = stack[--top];
      if (node < 0 || node >= n_nodes || ++visited > n_nodes) return false;
      if (node < n_leaves) {
        if (labels[node] != -1) return false;  // a leaf reached twice
        labels[node] = static_cast<int32_t>(i);
        ++labelled;
      } else {
        const Index m = node - n_leaves;
        if (!valid_children(m) || top + 2 > n_leaves + 1) return false;
        stack[top++] = children[2 * m];
        stack[top++] = children[2 * m + 1];
      }
    }
  }
  return labelled == n_leaves;
}

}  // namespace eclipsera::cluster_internal
