// k-nearest-neighbour prediction as scikit-learn 1.2's
// KNeighborsClassifier and KNeighborsRegressor, on the one k-NN
// implementation of neighbors.h (k-d tree or blocked brute force).
#ifndef ECLIPSERA_NEIGHBORS_KNN_H_
#define ECLIPSERA_NEIGHBORS_KNN_H_

#include <memory>
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

// Registers KNeighborsClassifier and KNeighborsRegressor.
absl::Status RegisterKNeighbors(EstimatorRegistry& registry);

}  // namespace eclipsera::neighbors

#endif  // ECLIPSERA_NEIGHBORS_KNN_H_
