// Model selection over MPI ranks (Open MPI): the (candidate, split) tasks
// of a search or cross-validation are handed out by rank 0 on request, run
// on each rank's own thread pool (n_jobs and the thread budget as usual),
// and gathered on rank 0, which broadcasts every outcome back so that
// every rank builds the same cv_results and best parameters. Scores are
// the same bit for bit as in one process, whatever the number of ranks:
// a task's scores depend only on its candidate and split.
//
// Load balancing: each rank asks for at most one task per worker thread
// and asks again when it has sent their outcomes, so a slow rank simply
// asks less often. Rank 0 answers from its main thread (the only thread
// calling MPI: MPI_THREAD_FUNNELED) and runs tasks on a second thread.
//
// Failures: a failed fit travels back as its status and follows
// error_score exactly as in one process. A rank that dies ends the job
// (MPI's default error handler, mpirun names the rank). A fit running
// longer than ExecutorOptions::fit_timeout stops the job with MPI_Abort and
// a message naming the rank and its tasks. Nothing else is tolerated: no
// rank is restarted and no task is retried elsewhere.
//
// Ranks are assumed to be the same binary on the same architecture (the
// messages are the in-memory bytes of doubles and integers).
#ifndef ECLIPSERA_DISTRIBUTED_MPI_H_
#define ECLIPSERA_DISTRIBUTED_MPI_H_

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/distributed/process_group.h"
#include "eclipsera/model_selection/search.h"

namespace eclipsera::distributed {

// True when this process was started by mpirun / mpiexec (Open MPI's or a
// PMIx launcher's environment), so MPI_Init will find its peers.
bool LaunchedByMpi();

// Broadcasts root's bytes to every rank of `comm`, in chunks of at most
// 1 GiB (so more than 2 GB works); `bytes` is resized on the other ranks.
// Waiting ranks sleep between polls instead of spinning.
void BroadcastBytes(MPI_Comm comm, int root, std::string* bytes);

// Broadcasts root's `value` (a matrix or an error) to every rank; every
// rank returns the same. `value` is ignored on the other ranks.
absl::StatusOr<Matrix> BroadcastMatrix(MPI_Comm comm, int root,
                                       absl::StatusOr<Matrix> value);

struct MpiExecutorOptions : ExecutorOptions {
  // Rank 0 runs tasks too (on a second thread) besides handing them out.
  bool coordinator_runs_tasks = true;
  // For tests of load balancing: every batch run by `slow_rank` first
  // sleeps `slow_seconds`.
  int slow_rank = -1;
  double slow_seconds = 0;
};

class MpiTaskExecutor : public model_selection::TaskExecutor {
 public:
  MpiTaskExecutor(MPI_Comm comm, MpiExecutorOptions options);

  absl::StatusOr<std::vector<model_selection::TaskOutcome>> Execute(
      int64_t n_tasks, int batch_size, const RunBatch& run,
      const OnDone& on_done) override;
  pool::PoolStatistics MergeStatistics(
      const pool::PoolStatistics& local) override;
  bool is_coordinator() const override { return rank_ == 0; }

  // On rank 0: the tasks each rank ran in the last Execute.
  const std::vector<int64_t>& tasks_per_rank() const { return tasks_per_rank_; }

 private:
  absl::Status Coordinate(int64_t n_tasks, int batch_size, const RunBatch& run,
                          const OnDone& on_done,
                          std::vector<model_selection::TaskOutcome>* out);
  void Work(int batch_size, const RunBatch& run);

  MPI_Comm comm_;
  MpiExecutorOptions options_;
  int rank_ = 0, size_ = 1;
  std::vector<int64_t> tasks_per_rank_;
};

// MPI for the process's lifetime (MPI_Init_thread with
// MPI_THREAD_FUNNELED, MPI_Finalize at destruction) as the command's
// process group. Environment for tests: ECLIPSERA_MPI_COORDINATOR_TASKS=0
// keeps rank 0 to handing out tasks; ECLIPSERA_MPI_SLOW_RANK=R:SECONDS
// slows every batch of rank R.
class MpiProcessGroup : public ProcessGroup {
 public:
  static absl::StatusOr<std::unique_ptr<MpiProcessGroup>> Start(int* argc,
                                                                char*** argv);
  ~MpiProcessGroup() override;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  absl::StatusOr<Matrix> ReadMatrix(const std::string& path,
                                    bool shared_input) override;
  absl::StatusOr<std::string> ReadText(const std::string& path,
                                       bool shared_input) override;
  absl::Status ShareStatus(const absl::Status& status) override;
  std::shared_ptr<model_selection::TaskExecutor> MakeExecutor(
      const ExecutorOptions& options) override;
  std::string ReportJson() const override;

 private:
  MpiProcessGroup(int rank, int size) : rank_(rank), size_(size) {}
  absl::StatusOr<std::string> ShareText(
      const absl::StatusOr<std::string>& text);
  // Every rank's `local` status agreed: OK only if OK everywhere.
  absl::Status Agree(const absl::Status& local, const std::string& what);

  int rank_, size_;
  std::weak_ptr<MpiTaskExecutor> executor_;
  int64_t broadcast_bytes_ = 0;
  double broadcast_seconds_ = 0;
};

}  // namespace eclipsera::distributed

#endif  // ECLIPSERA_DISTRIBUTED_MPI_H_
