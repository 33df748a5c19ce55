// k-nearest-neighbour prediction as scikit-learn 1.2's
// KNeighborsClassifier and KNeighborsRegressor, on the one k-NN
// implementation of neighbors.h (k-d tree or blocked brute force).
#ifndef ECLIPSERA_NEIGHBORS_KNN_H_
#define ECLIPSERA_NEIGHBORS_KNN_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/neighbors/neighbors.h"

namespace eclipsera::neighbors {

struct KNeighborsOptions {
  int n_neighbors = 5;
  // 'uniform' (every neighbour counts 1) or 'distance' (1 / distance;
  // neighbours at distance 0 take all the weight).
  std::string weights = "uniform";
  // 'auto', 'kd_tree', 'brute' ('ball_tree' is served by the k-d tree:
  // the same neighbours).
  std::string algorithm = "auto";
  int leaf_size = 30;
  double p = 2.0;  // Minkowski power with metric 'minkowski': 1 or 2
  // 'minkowski', 'euclidean', 'manhattan' or 'chebyshev'.
  std::string metric = "minkowski";
  int n_jobs = -1;

  static const ParamSchema<KNeighborsOptions>& Schema();
};

// Shared by the classifier and the regressor: the fitted index and the
// neighbour query.
class KNeighborsBase {
 protected:
  absl::Status FitIndex(const char* context, const KNeighborsOptions& o,
                        const ConstMatrixRef& x);
  // The neighbours of each row of x and their weights (n x k each).
  absl::Status Neighbors(const char* context, const KNeighborsOptions& o,
                         const ConstMatrixRef& x, IndexMatrix* indices,
                         Matrix* weights) const;
  void ResetIndex() { index_.reset(); }

  std::unique_ptr<NeighborIndex> index_;
};

class KNeighborsClassifier
    : public EstimatorWithOptions<KNeighborsClassifier, KNeighborsOptions>,
      private KNeighborsBase {
 public:
  explicit KNeighborsClassifier(KNeighborsOptions options = {});
  const KNeighborsOptions& options() const { return options_; }
  void set_options(const KNeighborsOptions& options);

  std::string name() const override { return "KNeighborsClassifier"; }
  EstimatorKind kind() const override { return EstimatorKind::kClassifier; }
  absl::Span<const double> classes() const override { return classes_; }
  void Reset() override;
  bool fitted() const override { return index_ != nullptr; }

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoPredictInto(const ConstMatrixRef& x,
                             VectorRef out) const override;
  absl::StatusOr<Matrix> DoPredictProba(const ConstMatrixRef& x) const override;
  absl::StatusOr<double> DoScore(const ConstMatrixRef& x,
                                 absl::Span<const double> y) const override;

 private:
  KNeighborsOptions options_;
  std::vector<double> classes_;
  std::vector<int32_t> codes_;  // class of each training sample
};

class KNeighborsRegressor
    : public EstimatorWithOptions<KNeighborsRegressor, KNeighborsOptions>,
      private KNeighborsBase {
 public:
  explicit KNeighborsRegressor(KNeighborsOptions options = {});
  const KNeighborsOptions& options() const { return options_; }
  void set_options(const KNeighborsOptions& options);

  std::string name() const override { return "KNeighborsRegressor"; }
  EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  void Reset() override;
  bool fitted() const override { return index_ != nullptr; }

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoPredictInto(const ConstMatrixRef& x,
                             VectorRef out) const override;
  absl::StatusOr<double> DoScore(const ConstMatrixRef& x,
                                 absl::Span<const double> y) const override;

 private:
  KNeighborsOptions options_;
  std::vector<double> y_;
};

struct NearestNeighborsOptions {
  int n_neighbors = 5;  // default k of KNeighbors
  double radius = 1.0;  // default radius of RadiusNeighbors, >= 0
  std::string algorithm = "auto";
  int leaf_size = 30;
  double p = 2.0;
  std::string metric = "minkowski";
  int n_jobs = -1;

  static const ParamSchema<NearestNeighborsOptions>& Schema();
};

// Neighbour lists of varying lengths (radius queries), compressed: the
// neighbours of query i are indices[offsets[i] .. offsets[i + 1]) at
// distances[...] (scikit-learn's arrays of arrays, or a CSR graph).
struct NeighborLists {
  std::vector<Index> offsets{0};
  std::vector<Index> indices;
  std::vector<double> distances;
  Index size() const { return static_cast<Index>(offsets.size()) - 1; }
};

// scikit-learn 1.2's NearestNeighbors: an index over the training data
// answering k-nearest and radius queries (the one k-NN implementation of
// neighbors.h). Queries are const and thread-safe.
class NearestNeighbors
    : public EstimatorWithOptions<NearestNeighbors, NearestNeighborsOptions>,
      private KNeighborsBase {
 public:
  explicit NearestNeighbors(NearestNeighborsOptions options = {});
  const NearestNeighborsOptions& options() const { return options_; }
  void set_options(const NearestNeighborsOptions& options);

  std::string name() const override { return "NearestNeighbors"; }
  EstimatorKind kind() const override { return EstimatorKind::kNeighbors; }
  void Reset() override;
  bool fitted() const override { return index_ != nullptr; }
  Index n_samples_fit() const { return fit_x_.rows(); }
  FittedScalarList FittedScalars() const override {
    return {{"n_samples_fit", static_cast<double>(fit_x_.rows())}};
  }

  // kneighbors(X, n_neighbors): the n_neighbors (0: options().n_neighbors)
  // nearest training rows of each row of *x, nearest first, ties by index;
  // with x null, of each training row, excluding itself. `distances` may
  // be null.
  absl::Status KNeighbors(const ConstMatrixRef* x, int n_neighbors,
                          IndexMatrix* indices, Matrix* distances) const;
  // radius_neighbors(X, radius, sort_results): the training rows within
  // `radius` (inclusive; none: options().radius) of each row of *x
  // (x null: of each training row, excluding itself), sorted by distance
  // (ties by index) with `sort_results`, else by index.
  absl::Status RadiusNeighbors(const ConstMatrixRef* x,
                               std::optional<double> radius, bool sort_results,
                               NeighborLists* out) const;

 protected:
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;

 private:
  KNeighborsOptions QueryOptions(int n_neighbors) const;

  NearestNeighborsOptions options_;
  Matrix fit_x_;  // the training rows, for queries of the training data
};

// Registers KNeighborsClassifier, KNeighborsRegressor and NearestNeighbors.
absl::Status RegisterKNeighbors(EstimatorRegistry& registry);

}  // namespace eclipsera::neighbors

#endif  // ECLIPSERA_NEIGHBORS_KNN_H_
