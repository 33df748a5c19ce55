// The list of algorithms the `eclipsera` command offers.
#include "eclipsera/cli/algorithms.h"

#include "eclipsera/cluster/agglomerative.h"
#include "eclipsera/cluster/dbscan.h"
#include "eclipsera/cluster/kmeans.h"
#include "eclipsera/cluster/mean_shift.h"
#include "eclipsera/cluster/mini_batch_kmeans.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/decomposition/pca.h"
#include "eclipsera/decomposition/truncated_svd.h"
#include "eclipsera/linear_model/linear.h"
#include "eclipsera/linear_model/logistic.h"
#include "eclipsera/manifold/tsne.h"
#include "eclipsera/mixture/gaussian_mixture.h"
#include "eclipsera/neighbors/knn.h"
#include "eclipsera/preprocessing/normalizer.h"
#include "eclipsera/preprocessing/polynomial_features.h"
#include "eclipsera/preprocessing/scalers.h"
#include "eclipsera/preprocessing/simple_imputer.h"

namespace eclipsera::cli {

absl::Status RegisterAllAlgorithms(EstimatorRegistry& registry) {
  // Each algorithm package adds one line here (and its target to the
  // :algorithms deps).
  ECLIPSERA_RETURN_IF_ERROR(cluster::RegisterKMeans(registry));
  ECLIPSERA_RETURN_IF_ERROR(cluster::RegisterMiniBatchKMeans(registry));
  ECLIPSERA_RETURN_IF_ERROR(cluster::RegisterDBSCAN(registry));
  ECLIPSERA_RETURN_IF_ERROR(cluster::RegisterMeanShift(registry));
  ECLIPSERA_RETURN_IF_ERROR(cluster::RegisterAgglomerativeClustering(registry));
  ECLIPSERA_RETURN_IF_ERROR(mixture::RegisterGaussianMixture(registry));
  ECLIPSERA_RETURN_IF_ERROR(manifold::RegisterTSNE(registry));
  ECLIPSERA_RETURN_IF_ERROR(decomposition::RegisterPCA(registry));
  ECLIPSERA_RETURN_IF_ERROR(decomposition::RegisterTruncatedSVD(registry));
  ECLIPSERA_RETURN_IF_ERROR(preprocessing::RegisterScalers(registry));
  ECLIPSERA_RETURN_IF_ERROR(preprocessing::RegisterNormalizer(registry));
  ECLIPSERA_RETURN_IF_ERROR(
      preprocessing::RegisterPolynomialFeatures(registry));
  ECLIPSERA_RETURN_IF_ERROR(preprocessing::RegisterSimpleImputer(registry));
  ECLIPSERA_RETURN_IF_ERROR(linear_model::RegisterLinearModels(registry));
  ECLIPSERA_RETURN_IF_ERROR(linear_model::RegisterLogisticRegression(registry));
  ECLIPSERA_RETURN_IF_ERROR(neighbors::RegisterKNeighbors(registry));
  return absl::OkStatus();
}

}  // namespace eclipsera::cli
