// The `eclipsera` command: see eclipsera/cli/cli.h.
#include <iostream>

#include "eclipsera/cli/algorithms.h"
#include "eclipsera/cli/cli.h"
#include "eclipsera/core/registry.h"

int main(int argc, char** argv) {
  eclipsera::EstimatorRegistry registry;
  const absl::Status s = eclipsera::cli::RegisterAllAlgorithms(registry);
  if (!s.ok()) {
    std::cerr << "eclipsera: internal error registering algorithms: "
              << s.message() << "\n";
    return eclipsera::cli::kExitFailure;
  }
  return eclipsera::cli::RunCli(argc, argv, registry, std::cout, std::cerr);
}
