// Registration of every algorithm the `eclipsera` command links.
#ifndef ECLIPSERA_CLI_ALGORITHMS_H_
#define ECLIPSERA_CLI_ALGORITHMS_H_

#include "absl/status/status.h"
#include "eclipsera/core/registry.h"

namespace eclipsera::cli {

// Registers every algorithm package linked into the command (KMeans,
// DBSCAN, TSNE, ...). AlreadyExists if called twice on one registry.
absl::Status RegisterAllAlgorithms(EstimatorRegistry& registry);

}  // namespace eclipsera::cli

#endif  // ECLIPSERA_CLI_ALGORITHMS_H_
