// AgglomerativeClustering: validation, the tree build (internal cores) and
// scikit-learn's tree cut.
#include "eclipsera/cluster/agglomerative.h"

#include <cmath>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "eclipsera/cluster/internal/agglomerative_core.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/pool/pooling_switch.h"

namespace eclipsera::cluster {
namespace {

using cluster_internal::AgglomerativeWorkspace;
using cluster_internal::LinkageMethod;
using cluster_internal::LinkageMetric;

constexpr absl::string_view kFitContext = "AgglomerativeClustering::Fit";

// 'auto', 'true', 'false' (any case of true/false) -> canonical form.
bool CanonicalFullTree(absl::string_view s, std::string* out) {
  if (s == "auto") {
    *out = "auto";
  } else if (s == "true" || s == "True" || s == "TRUE") {
    *out = "true";
  } else if (s == "false" || s == "False" || s == "FALSE") {
    *out = "false";
  } else {
    return false;
  }
  return true;
}

std::string FormatOptionalInt(const std::optional<int64_t>& v) {
  return v.has_value() ? absl::StrCat(*v) : "None";
}
std::string FormatOptionalDouble(const std::optional<double>& v) {
  return v.has_value() ? absl::StrCat(*v) : "None";
}

}  // namespace

const ParamSchema<AgglomerativeClusteringOptions>&
AgglomerativeClusteringOptions::Schema() {
  using O = AgglomerativeClusteringOptions;
  static const auto* schema = [] {
    auto* s = new ParamSchema<O>("AgglomerativeClustering");
    s->OptionalInt("n_clusters", &O::n_clusters,
                   "number of clusters (>= 1), or None with "
                   "distance_threshold")
        .OptionalDouble("distance_threshold", &O::distance_threshold,
                        "merge distance (>= 0) at which to cut, or None "
                        "with n_clusters")
        .String("linkage", &O::linkage,
                "'ward', 'complete', 'average' or 'single'",
                {"ward", "complete", "average", "single"})
        .String("metric", &O::metric,
                "'euclidean', 'manhattan', 'cosine' or 'precomputed' (ward: "
                "euclidean only)",
                {"euclidean", "l2", "manhattan", "l1", "cityblock", "cosine",
                 "precomputed"})
        .Add(
            "compute_full_tree",
            "'auto', true or false (the full tree is always built without "
            "connectivity; false forbids distance_threshold)",
            [](const O& o) -> ParamValue {
              if (o.compute_full_tree == "true") return ParamValue(true);
              if (o.compute_full_tree == "false") return ParamValue(false);
              return ParamValue(o.compute_full_tree);
            },
            [](O& o, const ParamValue& v) -> absl::Status {
              if (const bool* b = std::get_if<bool>(&v)) {
                o.compute_full_tree = *b ? "true" : "false";
                return absl::OkStatus();
              }
              if (const std::string* str = std::get_if<std::string>(&v)) {
                if (CanonicalFullTree(*str, &o.compute_full_tree)) {
                  return absl::OkStatus();
                }
              }
              return absl::InvalidArgumentError(
                  absl::StrCat("compute_full_tree = ", FormatParamValue(v),
                               ", must be 'auto', true or false"));
            })
        .Bool("compute_distances", &O::compute_distances,
              "keep the merge distances without distance_threshold")
        .Int("n_jobs", &O::n_jobs, kNJobsDoc);
    return s;
  }();
  return *schema;
}

AgglomerativeClustering::AgglomerativeClustering(
    AgglomerativeClusteringOptions options)
    : options_(std::move(options)),
      workspace_(std::make_unique<AgglomerativeWorkspace>()) {}

AgglomerativeClustering::~AgglomerativeClustering() = default;

AgglomerativeClustering::AgglomerativeClustering(
    const AgglomerativeClustering& other)
    : options_(other.options_),
      workspace_(std::make_unique<AgglomerativeWorkspace>()),
      labels_(other.labels_),
      children_(other.children_),
      distances_(other.distances_),
      all_distances_(other.all_distances_),
      n_leaves_(other.n_leaves_),
      n_connected_components_(other.n_connected_components_),
      n_clusters_found_(other.n_clusters_found_),
      fitted_(other.fitted_) {}

AgglomerativeClustering& AgglomerativeClustering::operator=(
    const AgglomerativeClustering& other) {
  if (this != &other) {
    AgglomerativeClustering copy(other);
    options_ = copy.options_;
    labels_ = std::move(copy.labels_);
    children_ = std::move(copy.children_);
    distances_ = std::move(copy.distances_);
    all_distances_ = std::move(copy.all_distances_);
    n_leaves_ = copy.n_leaves_;
    n_connected_components_ = copy.n_connected_components_;
    n_clusters_found_ = copy.n_clusters_found_;
    fitted_ = copy.fitted_;
  }
  return *this;
}

void AgglomerativeClustering::set_options(
    const AgglomerativeClusteringOptions& options) {
  options_ = options;
  Reset();
}

std::optional<WorkspaceStats> AgglomerativeClustering::workspace_stats() const {
  // The v1.0 mode (ECLIPSERA_DISABLE_POOLING=1) drops the workspace after
  // every fit.
  if (workspace_ == nullptr) return WorkspaceStats{};
  return workspace_->stats();
}

void AgglomerativeClustering::Reset() { fitted_ = false; }

absl::Status AgglomerativeClustering::DoFit(const ConstMatrixRef& x,
                                            absl::Span<const double>,
                                            const FitArgs&) {
  fitted_ = false;
  const AgglomerativeClusteringOptions& o = options_;
  // Options first, in scikit-learn's order.
  if (o.n_clusters.has_value() && *o.n_clusters < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext, ": n_clusters = ", *o.n_clusters,
                     ", must be >= 1 (or None with distance_threshold)"));
  }
  if (o.distance_threshold.has_value() &&
      !(std::isfinite(*o.distance_threshold) && *o.distance_threshold >= 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        kFitContext, ": distance_threshold = ", *o.distance_threshold,
        ", must be a finite number >= 0 (or None with n_clusters)"));
  }
  cluster_internal::TreeOptions tree;
  ECLIPSERA_ASSIGN_OR_RETURN(tree.method, cluster_internal::ParseLinkageMethod(
                                              kFitContext, o.linkage));
  ECLIPSERA_ASSIGN_OR_RETURN(
      tree.metric, cluster_internal::ParseLinkageMetric(
                       kFitContext, o.metric, /*allow_precomputed=*/true));
  std::string full_tree;
  if (!CanonicalFullTree(o.compute_full_tree, &full_tree)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext, ": compute_full_tree = '",
                     o.compute_full_tree, "', must be 'auto', true or false"));
  }
  if (o.n_clusters.has_value() == o.distance_threshold.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        kFitContext,
        ": exactly one of n_clusters and distance_threshold must be set, the "
        "other None; got n_clusters = ",
        FormatOptionalInt(o.n_clusters), " and distance_threshold = ",
        FormatOptionalDouble(o.distance_threshold)));
  }
  if (o.distance_threshold.has_value() && full_tree == "false") {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext,
                     ": compute_full_tree must be true (or 'auto') when "
                     "distance_threshold is set"));
  }
  if (tree.method == LinkageMethod::kWard &&
      tree.metric != LinkageMetric::kEuclidean) {
    return absl::InvalidArgumentError(absl::StrCat(
        kFitContext,
        ": linkage 'ward' works only with metric 'euclidean', got '", o.metric,
        "'"));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kFitContext, "X", x, /*min_samples=*/2));
  if (tree.metric != LinkageMetric::kPrecomputed) {
    ECLIPSERA_RETURN_IF_ERROR(CheckNotTooSmall(kFitContext, "X", x));
  }
  const Index n = x.rows();
  if (tree.metric == LinkageMetric::kPrecomputed && x.rows() != x.cols()) {
    return absl::InvalidArgumentError(absl::StrCat(
        kFitContext,
        ": with metric 'precomputed' X must be a square distance matrix, got "
        "shape (",
        x.rows(), ", ", x.cols(), ")"));
  }
  if (o.n_clusters.has_value() && *o.n_clusters > n) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFitContext, ": n_clusters (", *o.n_clusters,
                     ") > n_samples (", n, ")"));
  }

  absl::StatusOr<int> n_jobs = ResolveNJobs(o.n_jobs);
  if (!n_jobs.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        kFitContext, ": n_jobs = ", o.n_jobs,
        ", must be 1 (serial), -1 (all cores) or another non-zero integer"));
  }
  tree.n_jobs = *n_jobs;
  // ECLIPSERA_DISABLE_POOLING=1: v1.0's fresh buffers in every merge.
  const bool pooling = !pool::PoolingDisabled();
  tree.fresh_buffers = !pooling;
  if (!pooling || workspace_ == nullptr) {
    workspace_ = std::make_unique<AgglomerativeWorkspace>();  // v1.0
  }
  AgglomerativeWorkspace* ws = workspace_.get();
  ECLIPSERA_RETURN_IF_ERROR(
      cluster_internal::BuildMerges(kFitContext, x, tree, ws));
  // scikit-learn labels single linkage on euclidean/manhattan through its
  // own MST (single_linkage_label: tree side first); everything else goes
  // through scipy (smaller id first).
  const bool sklearn_mst = tree.method == LinkageMethod::kSingle &&
                           (tree.metric == LinkageMetric::kEuclidean ||
                            tree.metric == LinkageMetric::kManhattan);
  children_.resize(n - 1, 2);
  all_distances_.resize(n - 1);
  cluster_internal::LabelMerges(
      n,
      sklearn_mst ? cluster_internal::PairOrder::kSklearnMstLabel
                  : cluster_internal::PairOrder::kScipy,
      ws, children_.data(), all_distances_.data(), /*counts=*/nullptr);
  // A success means finite output: merge distances (ward's grow with the
  // cluster sizes) must not have overflowed.
  if (absl::Status s = CheckFittedFinite(
          kFitContext, "merge distance",
          Eigen::Map<const Matrix>(all_distances_.data(), 1, n - 1));
      !s.ok()) {
    if (!pooling) workspace_.reset();
    return s;
  }
  if (o.distance_threshold.has_value()) {
    Index above = 0;
    for (Index i = 0; i + 1 < n; ++i) {
      if (all_distances_(i) >= *o.distance_threshold) ++above;
    }
    n_clusters_found_ = above + 1;
  } else {
    n_clusters_found_ = *o.n_clusters;
  }
  if (o.compute_distances || o.distance_threshold.has_value()) {
    distances_.resize(n - 1);
    distances_ = all_distances_;
  } else {
    distances_.resize(0);
  }
  labels_.resize(n);
  const bool cut = cluster_internal::CutTree(
      n_clusters_found_, children_.data(), n, ws, labels_.data());
  if (!cut) {
    if (!pooling) workspace_.reset();
    return absl::InternalError(
        absl::StrCat(kFitContext,
                     ": the merge tree is not a valid tree; the fitted state "
                     "was dropped. Please report this with the data"));
  }
  n_leaves_ = n;
  n_connected_components_ = 1;
  if (!pooling) workspace_.reset();
  fitted_ = true;
  return absl::OkStatus();
}

absl::StatusOr<Vector> AgglomerativeClustering::DoFitPredict(
    const ConstMatrixRef&, absl::Span<const double>) {
  return labels_.cast<double>();
}

FittedScalarList AgglomerativeClustering::FittedScalars() const {
  return {
      {"n_clusters_found", static_cast<double>(n_clusters_found_)},
      {"n_leaves", static_cast<double>(n_leaves_)},
      {"n_connected_components", static_cast<double>(n_connected_components_)}};
}

FittedArrayList AgglomerativeClustering::FittedArrays() const {
  if (!fitted_) return {};
  FittedArrayList out = {{"labels", labels_.cast<double>(), true},
                         {"children", children_.cast<double>(), false}};
  if (distances_.size() > 0) out.push_back({"distances", distances_, true});
  return out;
}

absl::Status RegisterAgglomerativeClustering(EstimatorRegistry& registry) {
  return registry.Register(
      {"AgglomerativeClustering",
       "hierarchical clustering: ward, complete, average or single linkage",
       MainOutput::kLabels,
       [] { return std::make_unique<AgglomerativeClustering>(); }});
}

}  // namespace eclipsera::cluster
