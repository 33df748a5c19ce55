// The list of algorithms the `eclipsera` command offers.
#include "eclipsera/cli/algorithms.h"

#include "eclipsera/core/status_macros.h"

namespace eclipsera::cli {

absl::Status RegisterAllAlgorithms(EstimatorRegistry& registry) {
  // Each algorithm package adds one line here (and its target to the
  // :algorithms deps), e.g.
  //   ECLIPSERA_RETURN_IF_ERROR(cluster::RegisterKMeans(registry));
  (void)registry;
  return absl::OkStatus();
}

}  // namespace eclipsera::cli
