// The processes one `eclipsera` command runs on: this process alone (the
// default), or the ranks mpirun started (mpi.h). The command reads its
// data and makes its task executor through the group, so the command's
// code has no MPI in it and a build without MPI runs it single-process.
#ifndef ECLIPSERA_DISTRIBUTED_PROCESS_GROUP_H_
#define ECLIPSERA_DISTRIBUTED_PROCESS_GROUP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/model_selection/search.h"

namespace eclipsera::distributed {

struct ExecutorOptions {
  // Seconds one fit may take before the whole job is stopped with a
  // message naming the rank and its tasks; 0: no limit.
  double fit_timeout = 0;
};

class ProcessGroup {
 public:
  virtual ~ProcessGroup() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // A data file (io::ReadMatrix): read by rank 0 and broadcast, or read
  // by every rank when `shared_input` (the same path on a shared file
  // system). Every rank receives the same result or the same error.
  virtual absl::StatusOr<Matrix> ReadMatrix(const std::string& path,
                                            bool shared_input) = 0;
  // A text file (a parameter grid), the same way.
  virtual absl::StatusOr<std::string> ReadText(const std::string& path,
                                               bool shared_input) = 0;
  // Rank 0's `status` on every rank (for checks only rank 0 makes, such
  // as whether it may write the output file).
  virtual absl::Status ShareStatus(const absl::Status& status) = 0;
  // An executor spreading a search's tasks over the group.
  virtual std::shared_ptr<model_selection::TaskExecutor> MakeExecutor(
      const ExecutorOptions& options) = 0;
  // What the command reports about the distribution, as a JSON object:
  // ranks, tasks run by each rank (last executor), broadcast bytes and
  // seconds.
  virtual std::string ReportJson() const = 0;
};

// The group the command runs on (not owned); null: this process alone.
void SetProcessGroup(ProcessGroup* group);
ProcessGroup* GetProcessGroup();

}  // namespace eclipsera::distributed

#endif  // ECLIPSERA_DISTRIBUTED_PROCESS_GROUP_H_
