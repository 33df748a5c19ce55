// A registry that makes estimators from their scikit-learn class names.
//
// Each algorithm package provides a `Register<Name>(EstimatorRegistry&)`
// function; the command-line tool calls the ones it links (explicit
// registration: no static initializers that a static-library link could
// silently drop).
#ifndef ECLIPSERA_CORE_REGISTRY_H_
#define ECLIPSERA_CORE_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eclipsera/core/estimator.h"

namespace eclipsera {

// What the command-line tool writes as an estimator's main result.
enum class MainOutput {
  kLabels,     // FitPredict: one label per row (clusterers, mixtures).
  kTransform,  // FitTransform: one row per sample (t-SNE embedding).
  kPredict,    // Fit(X, y) then Predict: classifiers and regressors, which
               // need y (the command's --target).
  kNeighbors,  // Fit(X) then EstimatorEntry::neighbors (NearestNeighbors).
};

// For MainOutput::kNeighbors: on a fitted estimator, the indices (or, with
// `distances`, the distances) of the nearest training rows of each row of
// `queries`, nearest first, n_queries x n_neighbors; with `queries` null,
// of each training row, excluding itself (scikit-learn's kneighbors()).
using NeighborsFunction = std::function<absl::StatusOr<Matrix>(
    const Estimator& fitted, const Matrix* queries, bool distances)>;

struct EstimatorEntry {
  std::string name;     // scikit-learn class name, e.g. "KMeans".
  std::string summary;  // one line.
  MainOutput output = MainOutput::kLabels;
  std::function<std::unique_ptr<Estimator>()> make;
  NeighborsFunction neighbors = nullptr;  // MainOutput::kNeighbors only.
};

class EstimatorRegistry {
 public:
  // AlreadyExists when an entry with the same name (case-insensitively)
  // was registered before.
  absl::Status Register(EstimatorEntry entry);

  // Case-insensitive lookup; NotFound lists the registered names.
  absl::StatusOr<const EstimatorEntry*> Find(absl::string_view name) const;
  absl::StatusOr<std::unique_ptr<Estimator>> Create(
      absl::string_view name) const;

  // Entries in registration order.
  const std::vector<EstimatorEntry>& entries() const { return entries_; }

 private:
  std::vector<EstimatorEntry> entries_;
};

}  // namespace eclipsera

#endif  // ECLIPSERA_CORE_REGISTRY_H_
