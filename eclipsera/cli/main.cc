// The `eclipsera` command: see eclipsera/cli/cli.h. Started by mpirun, it
// joins the MPI job: `search` and `cross_validate` spread their fits over
// the ranks (eclipsera/distributed/mpi.h); other commands run on rank 0
// alone. Only rank 0 prints and writes files.
#include <cstring>
#include <iostream>
#include <memory>
#include <ostream>
#include <streambuf>

#include "eclipsera/cli/algorithms.h"
#include "eclipsera/cli/cli.h"
#include "eclipsera/core/registry.h"
#include "eclipsera/distributed/mpi.h"

namespace {

// Swallows what ranks other than 0 would print.
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
};

}  // namespace

int main(int argc, char** argv) {
  eclipsera::EstimatorRegistry registry;
  const absl::Status s = eclipsera::cli::RegisterAllAlgorithms(registry);
  if (!s.ok()) {
    std::cerr << "eclipsera: internal error registering algorithms: "
              << s.message() << "\n";
    return eclipsera::cli::kExitFailure;
  }
  if (!eclipsera::distributed::LaunchedByMpi()) {
    return eclipsera::cli::RunCli(argc, argv, registry, std::cout, std::cerr);
  }
  absl::StatusOr<std::unique_ptr<eclipsera::distributed::MpiProcessGroup>>
      group = eclipsera::distributed::MpiProcessGroup::Start(&argc, &argv);
  if (!group.ok()) {
    std::cerr << "eclipsera: started by mpirun, but "
              << group.status().message() << "\n";
    return eclipsera::cli::kExitFailure;
  }
  const int rank = (*group)->rank();
  const bool distributes =
      argc > 1 && (std::strcmp(argv[1], "search") == 0 ||
                   std::strcmp(argv[1], "cross_validate") == 0);
  int rc = 0;
  NullBuffer null_buffer;
  std::ostream null_stream(&null_buffer);
  if (distributes) {
    eclipsera::distributed::SetProcessGroup(group->get());
    rc = eclipsera::cli::RunCli(argc, argv, registry,
                                rank == 0 ? std::cout : null_stream,
                                rank == 0 ? std::cerr : null_stream);
    eclipsera::distributed::SetProcessGroup(nullptr);
  } else if (rank == 0) {
    rc = eclipsera::cli::RunCli(argc, argv, registry, std::cout, std::cerr);
  }
  group->reset();  // MPI_Finalize
  return rc;
}
