// K-d tree and brute-force neighbour search.
#include "eclipsera/neighbors/neighbors.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/simd/distance.h"

namespace eclipsera::neighbors {
namespace {

// Reduced distance: squared for euclidean, the distance otherwise.
template <Metric M>
inline double Reduced(const double* a, const double* b, Index d) {
  double acc = 0.0;
  for (Index j = 0; j < d; ++j) {
    const double t = a[j] - b[j];
    if (M == Metric::kEuclidean) {
      acc += t * t;
    } else if (M == Metric::kManhattan) {
      acc += std::abs(t);
    } else {
      acc = std::max(acc, std::abs(t));
    }
  }
  return acc;
}

inline double ReducedDyn(Metric m, const double* a, const double* b, Index d) {
  switch (m) {
    case Metric::kEuclidean:
      return Reduced<Metric::kEuclidean>(a, b, d);
    case Metric::kManhattan:
      return Reduced<Metric::kManhattan>(a, b, d);
    case Metric::kChebyshev:
      return Reduced<Metric::kChebyshev>(a, b, d);
  }
  return 0.0;
}

inline double Combine(Metric m, double acc, double t) {
  switch (m) {
    case Metric::kEuclidean:
      return acc + t * t;
    case Metric::kManhattan:
      return acc + t;
    case Metric::kChebyshev:
      return std::max(acc, t);
  }
  return acc;
}

}  // namespace

absl::StatusOr<Metric> ParseMetric(absl::string_view name) {
  if (name == "euclidean" || name == "l2") return Metric::kEuclidean;
  if (name == "manhattan" || name == "cityblock" || name == "l1") {
    return Metric::kManhattan;
  }
  if (name == "chebyshev" || name == "infinity") return Metric::kChebyshev;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown metric '", name,
                   "'; allowed: 'euclidean', 'manhattan', 'chebyshev'"));
}

const char* MetricName(Metric metric) {
  switch (metric) {
    case Metric::kEuclidean:
      return "euclidean";
    case Metric::kManhattan:
      return "manhattan";
    case Metric::kChebyshev:
      return "chebyshev";
  }
  return "?";
}

double Distance(Metric metric, const double* a, const double* b, Index d) {
  const double r = ReducedDyn(metric, a, b, d);
  return metric == Metric::kEuclidean ? std::sqrt(r) : r;
}

double NeighborIndex::FromReduced(double r) const {
  return metric_ == Metric::kEuclidean ? std::sqrt(r) : r;
}

double NeighborIndex::ReducedDistance(const double* a, const double* b) const {
  return ReducedDyn(metric_, a, b, d_);
}

absl::StatusOr<Algorithm> ParseAlgorithm(absl::string_view name) {
  if (name == "auto") return Algorithm::kAuto;
  if (name == "kd_tree") return Algorithm::kKDTree;
  if (name == "brute") return Algorithm::kBrute;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown algorithm '", name, "'; allowed: 'auto', 'kd_tree', 'brute'"));
}

// ---------------------------------------------------------------- KDTree --

KDTree::KDTree(const ConstMatrixRef& x, Metric metric, int leaf_size)
    : NeighborIndex(x.rows(), x.cols(), metric),
      leaf_size_(std::max(1, leaf_size)) {
  index_.resize(n_);
  std::iota(index_.begin(), index_.end(), Index{0});
  // Tree order is decided on the original data, then copied contiguously.
  data_.resize(static_cast<size_t>(n_ * d_));  // original order for Build
  for (Index i = 0; i < n_; ++i) {
    for (Index j = 0; j < d_; ++j) data_[i * d_ + j] = x(i, j);
  }
  nodes_.reserve(n_ > 0 ? 2 * (n_ / leaf_size_ + 1) : 1);
  if (n_ > 0) Build(0, n_, 1);
  std::vector<double> ordered(static_cast<size_t>(n_ * d_));
  for (Index i = 0; i < n_; ++i) {
    std::copy_n(data_.data() + index_[i] * d_, d_, ordered.data() + i * d_);
  }
  data_.swap(ordered);
  // Node sums, children before parents (children have larger ids).
  sums_.assign(nodes_.size() * d_, 0.0);
  for (int32_t id = static_cast<int32_t>(nodes_.size()) - 1; id >= 0; --id) {
    const Node& nd = nodes_[id];
    double* s = sums_.data() + id * d_;
    if (nd.left < 0) {
      for (Index i = nd.begin; i < nd.end; ++i) {
        const double* p = Point(i);
        for (Index j = 0; j < d_; ++j) s[j] += p[j];
      }
    } else {
      const double* a = sums_.data() + nd.left * d_;
      const double* b = sums_.data() + nd.right * d_;
      for (Index j = 0; j < d_; ++j) s[j] = a[j] + b[j];
    }
  }
}

int32_t KDTree::Build(Index begin, Index end, int depth) {
  depth_ = std::max(depth_, depth);
  const int32_t id = static_cast<int32_t>(nodes_.size());
  nodes_.push_back({begin, end, -1, -1});
  bounds_.resize(bounds_.size() + 2 * d_);
  double* lo = bounds_.data() + 2 * id * d_;
  double* hi = lo + d_;
  const double* x = data_.data();  // original order during the build
  for (Index j = 0; j < d_; ++j) {
    lo[j] = std::numeric_limits<double>::infinity();
    hi[j] = -std::numeric_limits<double>::infinity();
  }
  for (Index i = begin; i < end; ++i) {
    const double* p = x + index_[i] * d_;
    for (Index j = 0; j < d_; ++j) {
      lo[j] = std::min(lo[j], p[j]);
      hi[j] = std::max(hi[j], p[j]);
    }
  }
  if (end - begin <= leaf_size_) return id;
  Index dim = 0;
  double spread = -1.0;
  for (Index j = 0; j < d_; ++j) {
    if (hi[j] - lo[j] > spread) {
      spread = hi[j] - lo[j];
      dim = j;
    }
  }
  if (!(spread > 0.0)) return id;  // all points identical
  const Index mid = begin + (end - begin) / 2;
  std::nth_element(index_.begin() + begin, index_.begin() + mid,
                   index_.begin() + end, [x, dim, this](Index a, Index b) {
                     const double va = x[a * d_ + dim], vb = x[b * d_ + dim];
                     return va < vb || (va == vb && a < b);
                   });
  const int32_t left = Build(begin, mid, depth + 1);
  const int32_t right = Build(mid, end, depth + 1);
  nodes_[id].left = left;
  nodes_[id].right = right;
  return id;
}

double KDTree::MinReduced(int32_t node, const double* q) const {
  const double* lo = Lo(node);
  const double* hi = Hi(node);
  double acc = 0.0;
  for (Index j = 0; j < d_; ++j) {
    const double t = std::max(std::max(lo[j] - q[j], q[j] - hi[j]), 0.0);
    acc = Combine(metric_, acc, t);
  }
  return acc;
}

double KDTree::MaxReduced(int32_t node, const double* q) const {
  const double* lo = Lo(node);
  const double* hi = Hi(node);
  double acc = 0.0;
  for (Index j = 0; j < d_; ++j) {
    const double t = std::max(std::abs(q[j] - lo[j]), std::abs(q[j] - hi[j]));
    acc = Combine(metric_, acc, t);
  }
  return acc;
}

Index KDTree::RadiusCount(const double* query, double radius,
                          QueryScratch& scratch, Index limit) const {
  if (n_ == 0 || limit <= 0) return 0;
  const double rr = ToReduced(radius);
  auto& stack = scratch.stack;
  stack.clear();
  stack.emplace_back(0, 0.0);
  Index count = 0;
  while (!stack.empty()) {
    const int32_t id = stack.back().first;
    stack.pop_back();
    if (MinReduced(id, query) > rr) continue;
    const Node& nd = nodes_[id];
    if (MaxReduced(id, query) <= rr) {
      count += nd.end - nd.begin;
      if (count >= limit) return limit;
      continue;
    }
    if (nd.left < 0) {
      for (Index i = nd.begin; i < nd.end; ++i) {
        if (ReducedDistance(query, Point(i)) <= rr && ++count >= limit) {
          return limit;
        }
      }
    } else {
      stack.emplace_back(nd.right, 0.0);
      stack.emplace_back(nd.left, 0.0);
    }
  }
  return count;
}

Index KDTree::RadiusSum(const double* query, double radius,
                        QueryScratch& scratch, double* sum) const {
  std::fill_n(sum, d_, 0.0);
  if (n_ == 0) return 0;
  const double rr = ToReduced(radius);
  auto& stack = scratch.stack;
  stack.clear();
  stack.emplace_back(0, 0.0);
  Index count = 0;
  while (!stack.empty()) {
    const int32_t id = stack.back().first;
    stack.pop_back();
    if (MinReduced(id, query) > rr) continue;
    const Node& nd = nodes_[id];
    if (MaxReduced(id, query) <= rr) {
      count += nd.end - nd.begin;
      const double* s = sums_.data() + id * d_;
      for (Index j = 0; j < d_; ++j) sum[j] += s[j];
      continue;
    }
    if (nd.left < 0) {
      for (Index i = nd.begin; i < nd.end; ++i) {
        const double* p = Point(i);
        if (ReducedDistance(query, p) <= rr) {
          ++count;
          for (Index j = 0; j < d_; ++j) sum[j] += p[j];
        }
      }
    } else {
      stack.emplace_back(nd.right, 0.0);
      stack.emplace_back(nd.left, 0.0);
    }
  }
  return count;
}

void KDTree::RadiusQuery(const double* query, double radius,
                         QueryScratch& scratch, std::vector<Index>* indices,
                         std::vector<double>* distances) const {
  indices->clear();
  if (distances != nullptr) distances->clear();
  if (n_ == 0) return;
  const double rr = ToReduced(radius);
  auto& stack = scratch.stack;
  stack.clear();
  stack.emplace_back(0, 0.0);
  while (!stack.empty()) {
    const int32_t id = stack.back().first;
    stack.pop_back();
    if (MinReduced(id, query) > rr) continue;
    const Node& nd = nodes_[id];
    const bool all_in = MaxReduced(id, query) <= rr;
    if (nd.left < 0 || all_in) {
      for (Index i = nd.begin; i < nd.end; ++i) {
        if (all_in && distances == nullptr) {
          indices->push_back(index_[i]);
          continue;
        }
        const double r = ReducedDistance(query, Point(i));
        if (all_in || r <= rr) {
          indices->push_back(index_[i]);
          if (distances != nullptr) distances->push_back(FromReduced(r));
        }
      }
    } else {
      stack.emplace_back(nd.right, 0.0);
      stack.emplace_back(nd.left, 0.0);
    }
  }
}

void KDTree::KNearest(const double* query, Index k, QueryScratch& scratch,
                      Index* indices, double* distances, Index exclude) const {
  auto& heap = scratch.heap;
  heap.clear();
  auto& stack = scratch.stack;
  stack.clear();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (n_ > 0 && k > 0) stack.emplace_back(0, MinReduced(0, query));
  while (!stack.empty()) {
    const auto [id, bound] = stack.back();
    stack.pop_back();
    const double worst =
        static_cast<Index>(heap.size()) < k ? kInf : heap.front().first;
    if (bound > worst) continue;
    const Node& nd = nodes_[id];
    if (nd.left < 0) {
      for (Index i = nd.begin; i < nd.end; ++i) {
        const Index orig = index_[i];
        if (orig == exclude) continue;
        const double r = ReducedDistance(query, Point(i));
        if (static_cast<Index>(heap.size()) < k) {
          heap.emplace_back(r, orig);
          std::push_heap(heap.begin(), heap.end());
        } else if (std::make_pair(r, orig) < heap.front()) {
          std::pop_heap(heap.begin(), heap.end());
          heap.back() = {r, orig};
          std::push_heap(heap.begin(), heap.end());
        }
      }
    } else {
      const double bl = MinReduced(nd.left, query);
      const double br = MinReduced(nd.right, query);
      if (bl <= br) {
        stack.emplace_back(nd.right, br);
        stack.emplace_back(nd.left, bl);
      } else {
        stack.emplace_back(nd.left, bl);
        stack.emplace_back(nd.right, br);
      }
    }
  }
  std::sort_heap(heap.begin(), heap.end());
  for (size_t i = 0; i < heap.size(); ++i) {
    indices[i] = heap[i].second;
    if (distances != nullptr) distances[i] = FromReduced(heap[i].first);
  }
}

// ------------------------------------------------------------ BruteForce --

BruteForce::BruteForce(const ConstMatrixRef& x, Metric metric)
    : NeighborIndex(x.rows(), x.cols(), metric), data_(x) {}

Index BruteForce::RadiusCount(const double* query, double radius,
                              QueryScratch& scratch, Index limit) const {
  const double rr = ToReduced(radius);
  Index count = 0;
  if (limit <= 0) return 0;
  for (Index i = 0; i < n_; ++i) {
    if (ReducedDistance(query, data_.data() + i * d_) <= rr &&
        ++count >= limit) {
      return limit;
    }
  }
  return count;
}

Index BruteForce::RadiusSum(const double* query, double radius,
                            QueryScratch& scratch, double* sum) const {
  const double rr = ToReduced(radius);
  std::fill_n(sum, d_, 0.0);
  Index count = 0;
  for (Index i = 0; i < n_; ++i) {
    const double* p = data_.data() + i * d_;
    if (ReducedDistance(query, p) <= rr) {
      ++count;
      for (Index j = 0; j < d_; ++j) sum[j] += p[j];
    }
  }
  return count;
}

void BruteForce::RadiusQuery(const double* query, double radius,
                             QueryScratch& scratch, std::vector<Index>* indices,
                             std::vector<double>* distances) const {
  indices->clear();
  if (distances != nullptr) distances->clear();
  const double rr = ToReduced(radius);
  for (Index i = 0; i < n_; ++i) {
    const double r = ReducedDistance(query, data_.data() + i * d_);
    if (r <= rr) {
      indices->push_back(i);
      if (distances != nullptr) distances->push_back(FromReduced(r));
    }
  }
}

void BruteForce::KNearest(const double* query, Index k, QueryScratch& scratch,
                          Index* indices, double* distances,
                          Index exclude) const {
  auto& heap = scratch.heap;
  heap.clear();
  for (Index i = 0; i < n_ && k > 0; ++i) {
    if (i == exclude) continue;
    const double r = ReducedDistance(query, data_.data() + i * d_);
    if (static_cast<Index>(heap.size()) < k) {
      heap.emplace_back(r, i);
      std::push_heap(heap.begin(), heap.end());
    } else if (std::make_pair(r, i) < heap.front()) {
      std::pop_heap(heap.begin(), heap.end());
      heap.back() = {r, i};
      std::push_heap(heap.begin(), heap.end());
    }
  }
  std::sort_heap(heap.begin(), heap.end());
  for (size_t i = 0; i < heap.size(); ++i) {
    indices[i] = heap[i].second;
    if (distances != nullptr) distances[i] = FromReduced(heap[i].first);
  }
}

// ------------------------------------------------------------- factories --

absl::StatusOr<std::unique_ptr<NeighborIndex>> BuildIndex(
    const ConstMatrixRef& x, Metric metric, Algorithm algorithm,
    int leaf_size) {
  // NaN would break the tree's orderings (std::nth_element needs a strict
  // weak order): reject it here, as every public entry point must.
  absl::Status valid = CheckData("BuildIndex", "X", x);
  if (!valid.ok()) return valid;
  if (leaf_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf_size = ", leaf_size, ", must be >= 1"));
  }
  if (algorithm == Algorithm::kAuto) {
    algorithm = x.cols() > 15 ? Algorithm::kBrute : Algorithm::kKDTree;
  }
  if (algorithm == Algorithm::kBrute) {
    return std::unique_ptr<NeighborIndex>(new BruteForce(x, metric));
  }
  return std::unique_ptr<NeighborIndex>(new KDTree(x, metric, leaf_size));
}

namespace {

constexpr Index kQueryChunk = 64;
constexpr Index kGemmQueries = 128;
constexpr Index kGemmRefs = 256;

// Euclidean k-NN of a block of queries against brute-force data through
// blocked GEMM products; the k selected are then recomputed exactly.
void GemmKnnBlock(const Matrix& data, const Vector& data_norms,
                  const double* queries, Index q_begin, Index q_end, Index k,
                  bool self, IndexMatrix* out_idx, Matrix* out_dist,
                  Matrix& gram, std::vector<double>& scratch,
                  std::vector<std::vector<std::pair<double, Index>>>& heaps) {
  const Index n = data.rows(), d = data.cols();
  const Index b = q_end - q_begin;
  const double* q = queries + q_begin * d;
  Vector qn(b);
  simd::RowSquaredNorms(q, b, d, d, qn.data());
  for (Index i = 0; i < b; ++i) heaps[i].clear();
  for (Index r0 = 0; r0 < n; r0 += kGemmRefs) {
    const Index m = std::min(kGemmRefs, n - r0);
    // Candidate squared distances by the blocked SIMD kernel (the GEMM
    // identity, clamped at 0); the k selected are recomputed exactly below.
    simd::SquaredL2Block(q, b, d, qn.data(), data.row(r0).data(), m, d,
                         data_norms.data() + r0, d, gram.data(), gram.cols(),
                         scratch.data());
    for (Index i = 0; i < b; ++i) {
      auto& heap = heaps[i];
      const Index qi = q_begin + i;
      const double* g = gram.data() + i * gram.cols();
      // References arrive in increasing index order, so on equal distances
      // the one already kept (smaller index) stays: strict comparison.
      double threshold = static_cast<Index>(heap.size()) < k
                             ? std::numeric_limits<double>::infinity()
                             : heap.front().first;
      // The SIMD filter skips the (many) candidates at or above the k-th
      // best so far.
      for (Index j = 0; j < m; ++j) {
        j += static_cast<Index>(
            simd::FindFirstLess(g + j, static_cast<size_t>(m - j), threshold));
        if (j == m) break;
        const Index idx = r0 + j;
        if (self && idx == qi) continue;
        if (static_cast<Index>(heap.size()) < k) {
          heap.emplace_back(g[j], idx);
          std::push_heap(heap.begin(), heap.end());
        } else {
          std::pop_heap(heap.begin(), heap.end());
          heap.back() = {g[j], idx};
          std::push_heap(heap.begin(), heap.end());
        }
        if (static_cast<Index>(heap.size()) == k) {
          threshold = heap.front().first;
        }
      }
    }
  }
  for (Index i = 0; i < b; ++i) {
    auto& heap = heaps[i];
    const double* qp = queries + (q_begin + i) * d;
    for (auto& e : heap) {
      e.first = Reduced<Metric::kEuclidean>(qp, data.data() + e.second * d, d);
    }
    std::sort(heap.begin(), heap.end());
    for (Index j = 0; j < k; ++j) {
      (*out_idx)(q_begin + i, j) = heap[j].second;
      if (out_dist != nullptr) {
        (*out_dist)(q_begin + i, j) = std::sqrt(heap[j].first);
      }
    }
  }
}

}  // namespace

absl::Status KNearestAll(const NeighborIndex& index,
                         const ConstMatrixRef& queries, Index k, int n_jobs,
                         IndexMatrix* indices, Matrix* distances,
                         bool exclude_self) {
  absl::StatusOr<int> jobs = ResolveNJobs(n_jobs);
  if (!jobs.ok()) return jobs.status();
  absl::Status valid = CheckData("KNearestAll", "queries", queries);
  if (!valid.ok()) return valid;
  const bool self = exclude_self;
  const Index max_k = index.size() - (self ? 1 : 0);
  if (k < 1 || k > max_k) {
    return absl::InvalidArgumentError(absl::StrCat(
        "KNearestAll: k = ", k, ", must be in [1, ", max_k, "] (", index.size(),
        " indexed points", self ? ", excluding self" : "", ")"));
  }
  if (queries.cols() != index.dim() ||
      (self && queries.rows() != index.size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "KNearestAll: queries are ", queries.rows(), " x ", queries.cols(),
        ", the index holds ", index.size(), " x ", index.dim(),
        self ? " (exclude_self needs the indexed data itself)" : ""));
  }
  Matrix contiguous;
  const double* qdata = queries.data();
  if (queries.outerStride() != queries.cols()) {
    contiguous = queries;
    qdata = contiguous.data();
  }
  const Index nq = queries.rows();
  indices->resize(nq, k);
  if (distances != nullptr) distances->resize(nq, k);
  if (nq == 0) return absl::OkStatus();

  const BruteForce* brute = dynamic_cast<const BruteForce*>(&index);
  if (brute != nullptr && index.metric() == Metric::kEuclidean &&
      index.dim() > 15) {
    const Matrix& data = brute->data();
    Vector norms(data.rows());
    simd::RowSquaredNorms(data.data(), data.rows(), data.cols(), data.cols(),
                          norms.data());
    const int workers = NumWorkers(n_jobs, NumChunks(nq, kGemmQueries));
    std::vector<Matrix> grams(workers, Matrix(kGemmQueries, kGemmRefs));
    std::vector<std::vector<double>> scratch(
        workers,
        std::vector<double>(simd::BlockScratchSize(kGemmRefs, index.dim())));
    std::vector<std::vector<std::vector<std::pair<double, Index>>>> heaps(
        workers);
    for (auto& h : heaps) {
      h.resize(kGemmQueries);
      for (auto& v : h) v.reserve(k);
    }
    ParallelForChunks(n_jobs, nq, kGemmQueries,
                      [&](Index begin, Index end, int worker) {
                        GemmKnnBlock(data, norms, qdata, begin, end, k, self,
                                     indices, distances, grams[worker],
                                     scratch[worker], heaps[worker]);
                      });
    return absl::OkStatus();
  }

  const int workers = NumWorkers(n_jobs, NumChunks(nq, kQueryChunk));
  std::vector<QueryScratch> scratch(workers);
  const Index d = index.dim();
  ParallelForChunks(
      n_jobs, nq, kQueryChunk, [&](Index begin, Index end, int worker) {
        for (Index i = begin; i < end; ++i) {
          index.KNearest(
              qdata + i * d, k, scratch[worker], indices->data() + i * k,
              distances != nullptr ? distances->data() + i * k : nullptr,
              self ? i : -1);
        }
      });
  return absl::OkStatus();
}

}  // namespace eclipsera::neighbors
