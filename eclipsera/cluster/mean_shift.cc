// MeanShift (flat kernel) and estimate_bandwidth, as scikit-learn 1.2.
#include "eclipsera/cluster/mean_shift.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/pool/pooling_switch.h"

namespace eclipsera::cluster {
namespace {

using neighbors::Metric;

constexpr char kContext[] = "MeanShift::Fit";
constexpr Index kSeedChunk = 8;

// Lexicographic comparison of two rows.
int CompareRows(const double* a, const double* b, Index d) {
  for (Index j = 0; j < d; ++j) {
    if (a[j] < b[j]) return -1;
    if (a[j] > b[j]) return 1;
  }
  return 0;
}

}  // namespace

absl::StatusOr<double> EstimateBandwidth(const ConstMatrixRef& x,
                                         double quantile,
                                         std::optional<int64_t> n_samples,
                                         std::optional<int64_t> random_state,
                                         int n_jobs) {
  constexpr char kFn[] = "EstimateBandwidth";
  absl::Status s = CheckData(kFn, "X", x);
  if (!s.ok()) return s;
  if (!(s = CheckNotTooSmall(kFn, "X", x)).ok()) return s;
  if (!(s = CheckInRange(kFn, "quantile", quantile, 0.0, 1.0)).ok()) return s;
  if (n_samples.has_value() && *n_samples < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        kFn, ": n_samples = ", *n_samples, ", must be >= 1 or None"));
  }
  absl::StatusOr<int> jobs = ResolveNJobs(n_jobs);
  if (!jobs.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFn, ": n_jobs = 0, must be -1 or a non-zero count"));
  }
  if (n_samples.has_value() && *n_samples < x.rows()) {
    std::vector<Index> perm(x.rows());
    std::iota(perm.begin(), perm.end(), Index{0});
    Random rng = Random::FromRandomState(random_state);
    rng.Shuffle(absl::MakeSpan(perm));
    Matrix subset(*n_samples, x.cols());
    for (Index i = 0; i < *n_samples; ++i) subset.row(i) = x.row(perm[i]);
    return EstimateBandwidth(subset, quantile, std::nullopt, random_state,
                             n_jobs);
  }
  const ConstMatrixRef& data = x;
  const Index n = data.rows();
  Index k = static_cast<Index>(static_cast<double>(n) * quantile);
  k = std::max<Index>(1, std::min(k, n));
  absl::StatusOr<std::unique_ptr<neighbors::NeighborIndex>> index =
      neighbors::BuildIndex(data, Metric::kEuclidean,
                            neighbors::Algorithm::kAuto);
  if (!index.ok()) return index.status();
  // scikit-learn queries and sums the farthest distances in batches of 500
  // rows: the k neighbours of one batch at a time (k is 30% of n, so all of
  // them at once would be 0.3 n^2 entries).
  neighbors::IndexMatrix idx;
  Matrix dist;
  double total = 0.0;
  for (Index b = 0; b < n; b += 500) {
    const Index rows = std::min<Index>(500, n - b);
    s = neighbors::KNearestAll(**index, data.middleRows(b, rows), k, n_jobs,
                               &idx, &dist);
    if (!s.ok()) return s;
    double batch = 0.0;
    for (Index i = 0; i < rows; ++i) batch += dist(i, k - 1);
    total += batch;
  }
  return total / static_cast<double>(n);
}

Matrix GetBinSeeds(const ConstMatrixRef& x, double bin_size, int min_bin_freq) {
  if (bin_size == 0.0) return x;
  const Index n = x.rows(), d = x.cols();
  // bin -> (first appearance, count)
  std::map<std::vector<double>, std::pair<Index, Index>> bins;
  std::vector<double> key(d);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < d; ++j) {
      key[j] = std::nearbyint(x(i, j) / bin_size);  // half to even
    }
    auto [it, inserted] = bins.try_emplace(key, i, 0);
    ++it->second.second;
  }
  std::vector<std::pair<Index, const std::vector<double>*>> kept;
  for (const auto& [k, v] : bins) {
    if (v.second >= min_bin_freq) kept.emplace_back(v.first, &k);
  }
  if (static_cast<Index>(kept.size()) == n) return x;
  std::sort(kept.begin(), kept.end());
  Matrix seeds(static_cast<Index>(kept.size()), d);
  const float size32 = static_cast<float>(bin_size);
  for (Index s = 0; s < seeds.rows(); ++s) {
    for (Index j = 0; j < d; ++j) {
      // numpy: float32 array * python float stays float32.
      seeds(s, j) = static_cast<double>(
          static_cast<float>((*kept[s].second)[j]) * size32);
    }
  }
  return seeds;
}

WorkspaceStats MeanShiftWorkspace::stats() const {
  WorkspaceStats s =
      SumStats(seed_centers, intensity, iterations, order, unique, neighbours);
  s += StatsOf(workers);
  for (const Worker& w : workers) {
    s += SumStats(w.scratch.stack, w.scratch.heap, w.mean, w.old_mean, w.sum);
  }
  return s;
}

const ParamSchema<MeanShiftOptions>& MeanShiftOptions::Schema() {
  static const auto* schema = [] {
    auto* s = new ParamSchema<MeanShiftOptions>("MeanShift");
    s->OptionalDouble("bandwidth", &MeanShiftOptions::bandwidth,
                      "kernel radius, > 0; None: estimate_bandwidth")
        .Bool("bin_seeding", &MeanShiftOptions::bin_seeding,
              "seed from a grid of side bandwidth")
        .Int("min_bin_freq", &MeanShiftOptions::min_bin_freq,
             "samples a bin needs to become a seed, >= 1")
        .Bool("cluster_all", &MeanShiftOptions::cluster_all,
              "false: samples farther than bandwidth are labelled -1")
        .Int("max_iter", &MeanShiftOptions::max_iter,
             "iterations per seed, >= 0")
        .Int("n_jobs", &MeanShiftOptions::n_jobs, kNJobsDoc);
    return s;
  }();
  return *schema;
}

void MeanShift::Reset() {
  fitted_ = false;
  n_iter_ = 0;
  bandwidth_ = 0.0;
}

namespace {

// The options' and X's checks, in scikit-learn's order.
absl::Status ValidateFit(const MeanShiftOptions& o, const ConstMatrixRef& x) {
  absl::Status s = CheckData(kContext, "X", x);
  if (!s.ok()) return s;
  if (o.bandwidth.has_value()) {
    if (!(s = CheckGreater(kContext, "bandwidth", *o.bandwidth, 0.0)).ok()) {
      return s;
    }
    if (*o.bandwidth < kMinLargestMagnitude) {
      return absl::InvalidArgumentError(absl::StrCat(
          kContext, ": bandwidth = ", *o.bandwidth, " is below ",
          kMinLargestMagnitude,
          ": its square underflows; rescale the data and the bandwidth"));
    }
  } else {
    // An estimated bandwidth has the data's scale: tiny data would give
    // squared distances that underflow.
    if (!(s = CheckNotTooSmall(kContext, "X", x)).ok()) return s;
  }
  if (!(s = CheckAtLeast(kContext, "min_bin_freq", o.min_bin_freq, 1)).ok()) {
    return s;
  }
  if (!(s = CheckAtLeast(kContext, "max_iter", o.max_iter, 0)).ok()) return s;
  if (o.n_jobs == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": n_jobs = 0, must be -1 (all cores) or a non-zero count"));
  }
  if (o.seeds.size() > 0) {
    if (!(s = CheckColumns(kContext, "seeds", o.seeds, x.cols())).ok()) {
      return s;
    }
    if (!(s = CheckFinite(kContext, "seeds", o.seeds)).ok()) return s;
  }
  return absl::OkStatus();
}

// The bandwidth: the given one, or scikit-learn's estimate_bandwidth
// (quantile 0.3 over all samples).
absl::StatusOr<double> ResolveBandwidth(const MeanShiftOptions& o,
                                        const ConstMatrixRef& x) {
  if (o.bandwidth.has_value()) return *o.bandwidth;
  absl::StatusOr<double> est =
      EstimateBandwidth(x, 0.3, std::nullopt, 0, o.n_jobs);
  if (!est.ok()) return est.status();
  const double bw = *est;
  // An estimate of 0 (each sample's nearest quantile of neighbours are
  // copies of it, e.g. 3 distinct rows) is used as scikit-learn uses it:
  // radius 0 (radii are inclusive), so every distinct row is a mode.
  if (!(bw >= 0.0) || !std::isfinite(bw)) {
    return absl::InternalError(absl::StrCat(kContext,
                                            ": the estimated bandwidth is ", bw,
                                            "; give a bandwidth > 0"));
  }
  return bw;
}

// Sizes the workspace for n_seeds seeds of dimension d (grow-only), with
// room for `bound` >= n_seeds seeds: with bin seeding the number of bins
// depends on the data, so capacity follows the number of samples instead.
void SizeWorkspace(MeanShiftWorkspace& ws, int workers, Index n_seeds, Index d,
                   Index bound) {
  if (static_cast<int>(ws.workers.size()) < workers) {
    ws.workers.resize(workers);
  }
  for (auto& w : ws.workers) {
    w.mean.resize(d);
    w.old_mean.resize(d);
    w.sum.resize(d);
  }
  ws.seed_centers.reserve(bound * d);
  ws.seed_centers.resize(n_seeds, d);
  // The post-processing lists hold at most n_seeds entries: reserving the
  // bound keeps their capacity a function of the fit's size, not of its
  // result.
  ws.order.reserve(bound);
  ws.unique.reserve(bound);
  ws.neighbours.reserve(bound);
  ws.intensity.reserve(bound);
  ws.intensity.resize(n_seeds);
  ws.iterations.reserve(bound);
  ws.iterations.resize(n_seeds);
}

}  // namespace

const Matrix& MeanShift::ChooseSeeds(const ConstMatrixRef& x, double bw,
                                     Matrix* storage) {
  const MeanShiftOptions& o = options_;
  if (o.seeds.size() > 0) return o.seeds;
  if (o.bin_seeding) {
    *storage = GetBinSeeds(x, bw, o.min_bin_freq);
    if (bw != 0.0 && storage->rows() == x.rows()) {
      // scikit-learn's get_bin_seeds: as many bins as samples.
      AddWarning(absl::StrFormat(
          "Binning data failed with provided bin_size=%f, using data "
          "points as seeds.",
          bw));
    }
  } else {
    *storage = x;
  }
  return *storage;
}

void MeanShift::ClimbSeeds(const Matrix& seeds,
                           const neighbors::NeighborIndex& index,
                           const double* xdata, double bw) {
  const MeanShiftOptions& o = options_;
  const Index n_seeds = seeds.rows(), d = seeds.cols();
  for (MeanShiftWorkspace::Worker& w : ws_.workers) {
    index.ReserveScratch(w.scratch);
  }
  const double stop_thresh = 1e-3 * bw;
  // ECLIPSERA_DISABLE_POOLING=1: v1.0's per-iteration arrays.
  const bool use_ws = !pool::PoolingDisabled();

  ParallelForChunks(
      o.n_jobs, n_seeds, kSeedChunk, [&](Index b, Index e, int worker) {
        MeanShiftWorkspace::Worker& w = ws_.workers[worker];
        for (Index si = b; si < e; ++si) {
          w.mean = seeds.row(si).transpose();
          int completed = 0;
          Index within = 0;
          while (true) {
            if (use_ws) {
              within =
                  index.RadiusSum(w.mean.data(), bw, w.scratch, w.sum.data());
            } else {
              // v1.0: a fresh neighbour list and gathered copy per iteration.
              std::vector<Index> nbrs;
              index.RadiusQuery(w.mean.data(), bw, w.scratch, &nbrs);
              within = static_cast<Index>(nbrs.size());
              Matrix points_within(within, d);
              for (Index r = 0; r < within; ++r) {
                for (Index j = 0; j < d; ++j) {
                  points_within(r, j) = xdata[nbrs[r] * d + j];
                }
              }
              w.sum = points_within.colwise().sum().transpose();
            }
            if (within == 0) break;
            w.old_mean.swap(w.mean);
            if (bw == 0.0) {
              // The samples within radius 0 are copies of the seed, so it is
              // its own mean. Dividing their sum instead can round (30
              // copies of 1.3 average to 1.2999999999999998), and the
              // drifted mean then has no sample within 0 and the mode is
              // lost; scikit-learn 1.2 loses it so (depending on the data's
              // scale); we keep every distinct row as a mode at any scale.
              w.mean = w.old_mean;
            } else {
              w.mean = w.sum / static_cast<double>(within);
            }
            // With bandwidth 0 (stop_thresh 0) scikit-learn runs max_iter
            // iterations of a mean that cannot move; stop once it did not.
            const double moved = (w.mean - w.old_mean).norm();
            const bool done = moved < stop_thresh ||
                              (stop_thresh == 0.0 && moved == 0.0) ||
                              completed == o.max_iter;
            if (done) break;
            ++completed;
            if (on_iteration_) on_iteration_(si, completed);
          }
          ws_.seed_centers.row(si) = w.mean.transpose();
          ws_.intensity[si] = within;
          ws_.iterations[si] = completed;
        }
      });
}

absl::StatusOr<int> MeanShift::SelectCenters(Index d, double bw) {
  const Index n_seeds = ws_.seed_centers.rows();
  // Seeds that found samples; equal centers collapse as dictionary keys
  // (the later seed's intensity wins, as in scikit-learn's dict).
  const GrowMatrix& sc = ws_.seed_centers;
  auto& order = ws_.order;
  order.clear();
  int n_iter = 0;
  for (Index si = 0; si < n_seeds; ++si) {
    n_iter = std::max(n_iter, ws_.iterations[si]);
    if (ws_.intensity[si] > 0) order.push_back(si);
  }
  if (order.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": no sample was within bandwidth = ", bw,
        " of any seed; try a different seeding strategy or a larger "
        "bandwidth"));
  }
  std::sort(order.begin(), order.end(), [&](Index a, Index b) {
    const int c = CompareRows(sc.row(a).data(), sc.row(b).data(), d);
    return c != 0 ? c < 0 : a < b;
  });
  {
    size_t w = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      if (i + 1 < order.size() &&
          CompareRows(sc.row(order[i]).data(), sc.row(order[i + 1]).data(),
                      d) == 0) {
        continue;  // keep the last of a run of equal centers
      }
      order[w++] = order[i];
    }
    order.resize(w);
  }
  // By intensity, then center, both descending.
  std::sort(order.begin(), order.end(), [&](Index a, Index b) {
    if (ws_.intensity[a] != ws_.intensity[b]) {
      return ws_.intensity[a] > ws_.intensity[b];
    }
    return CompareRows(sc.row(a).data(), sc.row(b).data(), d) > 0;
  });
  const Index n_sorted = static_cast<Index>(order.size());
  Matrix sorted_centers(n_sorted, d);
  for (Index i = 0; i < n_sorted; ++i) sorted_centers.row(i) = sc.row(order[i]);
  ws_.unique.assign(n_sorted, 1);
  {
    neighbors::KDTree tree(sorted_centers, Metric::kEuclidean);
    neighbors::QueryScratch& scratch = ws_.workers[0].scratch;
    tree.ReserveScratch(scratch);
    for (Index i = 0; i < n_sorted; ++i) {
      if (!ws_.unique[i]) continue;
      tree.RadiusQuery(sorted_centers.row(i).data(), bw, scratch,
                       &ws_.neighbours);
      for (Index j : ws_.neighbours) ws_.unique[j] = 0;
      ws_.unique[i] = 1;
    }
  }
  Index n_centers = 0;
  for (uint8_t u : ws_.unique) n_centers += u;
  centers_.resize(n_centers, d);
  for (Index i = 0, w = 0; i < n_sorted; ++i) {
    if (ws_.unique[i]) centers_.row(w++) = sorted_centers.row(i);
  }

  return n_iter;
}

absl::Status MeanShift::AssignLabels(const ConstMatrixRef& x, double bw) {
  const MeanShiftOptions& o = options_;
  // Labels: nearest center.
  neighbors::KDTree center_tree(centers_, Metric::kEuclidean);
  neighbors::IndexMatrix nearest;
  Matrix nearest_dist;
  absl::Status s = neighbors::KNearestAll(center_tree, x, 1, o.n_jobs, &nearest,
                                          &nearest_dist);
  if (!s.ok()) return s;
  labels_.resize(x.rows());
  for (Index i = 0; i < x.rows(); ++i) {
    labels_[i] = (o.cluster_all || nearest_dist(i, 0) <= bw)
                     ? static_cast<int32_t>(nearest(i, 0))
                     : -1;
  }
  return absl::OkStatus();
}

absl::Status MeanShift::DoFit(const ConstMatrixRef& x, absl::Span<const double>,
                              const FitArgs&) {
  Reset();
  ClearWarnings();
  const MeanShiftOptions& o = options_;
  ECLIPSERA_RETURN_IF_ERROR(ValidateFit(o, x));
  ECLIPSERA_ASSIGN_OR_RETURN(const double bw, ResolveBandwidth(o, x));
  const Index d = x.cols();
  Matrix bin_seeds;
  const Matrix& seeds = ChooseSeeds(x, bw, &bin_seeds);
  absl::StatusOr<std::unique_ptr<neighbors::NeighborIndex>> built =
      neighbors::BuildIndex(x, Metric::kEuclidean, neighbors::Algorithm::kAuto);
  if (!built.ok()) return built.status();
  Matrix contiguous;
  const double* xdata = x.data();
  if (x.outerStride() != d) {
    contiguous = x;
    xdata = contiguous.data();
  }
  SizeWorkspace(ws_, NumWorkers(o.n_jobs, NumChunks(seeds.rows(), kSeedChunk)),
                seeds.rows(), d, std::max(seeds.rows(), x.rows()));
  ClimbSeeds(seeds, **built, xdata, bw);
  ECLIPSERA_ASSIGN_OR_RETURN(const int n_iter, SelectCenters(d, bw));
  ECLIPSERA_RETURN_IF_ERROR(AssignLabels(x, bw));
  n_iter_ = n_iter;
  bandwidth_ = bw;
  fitted_ = true;
  return absl::OkStatus();
}

absl::StatusOr<LabelVector> MeanShift::PredictLabels(
    const ConstMatrixRef& x) const {
  if (!fitted_) return NotFittedError("MeanShift::Predict");
  absl::Status s = CheckData("MeanShift::Predict", "X", x);
  if (!s.ok()) return s;
  if (!(s = CheckColumns("MeanShift::Predict", "X", x, centers_.cols())).ok()) {
    return s;
  }
  neighbors::BruteForce brute(centers_, Metric::kEuclidean);
  neighbors::IndexMatrix nearest;
  s = neighbors::KNearestAll(brute, x, 1, options_.n_jobs, &nearest, nullptr);
  if (!s.ok()) return s;
  return LabelVector(nearest.col(0).cast<int32_t>());
}

FittedScalarList MeanShift::FittedScalars() const {
  return {{"n_clusters_found", static_cast<double>(centers_.rows())},
          {"n_iter", static_cast<double>(n_iter_)},
          {"bandwidth", bandwidth_}};
}

absl::Status MeanShift::DoPredictInto(const ConstMatrixRef& x,
                                      VectorRef out) const {
  absl::StatusOr<LabelVector> l = PredictLabels(x);
  if (!l.ok()) return l.status();
  out = l->cast<double>();
  return absl::OkStatus();
}

absl::StatusOr<Vector> MeanShift::DoFitPredict(const ConstMatrixRef&,
                                               absl::Span<const double>) {
  return labels_.cast<double>();
}

FittedArrayList MeanShift::FittedArrays() const {
  if (!fitted_) return {};
  return {{"cluster_centers", centers_, false},
          {"labels", labels_.cast<double>(), true}};
}

absl::Status MeanShift::RestoreFitted(const FittedArrayList& arrays,
                                      absl::Span<const FittedScalar> scalars) {
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreMatrix(arrays, "cluster_centers", -1, -1, &centers_));
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreLabels(arrays, -1, centers_.rows(), &labels_));
  ECLIPSERA_ASSIGN_OR_RETURN(const double n_iter,
                             FindFittedScalar(scalars, "n_iter"));
  ECLIPSERA_ASSIGN_OR_RETURN(bandwidth_,
                             FindFittedScalar(scalars, "bandwidth"));
  if (centers_.rows() == 0) {
    return absl::InvalidArgumentError("MeanShift::RestoreFitted: no centers");
  }
  n_iter_ = static_cast<int>(n_iter);
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status RegisterMeanShift(EstimatorRegistry& registry) {
  return registry.Register(
      {"MeanShift", "flat-kernel mean shift clustering (bandwidth)",
       MainOutput::kLabels, [] { return std::make_unique<MeanShift>(); }});
}

}  // namespace eclipsera::cluster
