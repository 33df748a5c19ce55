#include "eclipsera/distributed/mpi.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "eclipsera/io/data_file.h"
#include "eclipsera/io/file.h"

namespace eclipsera::distributed {
namespace {

using Clock = std::chrono::steady_clock;
using model_selection::TaskOutcome;

constexpr int kTagRequest = 1;  // worker -> rank 0: outcomes + "more, please"
constexpr int kTagAssign = 2;   // rank 0 -> worker: tasks (none: stop)
constexpr size_t kChunk = size_t{1} << 30;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Sleeps between polls of MPI, from 20 us doubling up to 2 ms while
// nothing happens: a waiting rank (or rank 0's dispatching thread, which
// shares its core with the fits) costs almost no CPU, and an answer is
// late by at most 2 ms, little beside a fit.
class Backoff {
 public:
  void Wait() {
    std::this_thread::sleep_for(std::chrono::microseconds(us_));
    us_ = std::min(us_ * 2, 2000);
  }
  void Reset() { us_ = 20; }

 private:
  int us_ = 20;
};

// Waits for `request` without spinning a core: the other ranks of an
// oversubscribed machine are computing.
void WaitGently(MPI_Request* request) {
  int done = 0;
  Backoff backoff;
  while (true) {
    MPI_Test(request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    backoff.Wait();
  }
}

void Bcast(void* data, int count, MPI_Datatype type, int root, MPI_Comm comm) {
  MPI_Request request;
  MPI_Ibcast(data, count, type, root, comm, &request);
  WaitGently(&request);
}

// The in-memory bytes of plain values, for messages between ranks of the
// same binary.
class Writer {
 public:
  template <typename T>
  void Put(T v) {
    buf_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void PutDoubles(const std::vector<double>& v) {
    Put<int64_t>(static_cast<int64_t>(v.size()));
    if (!v.empty()) {
      buf_.append(reinterpret_cast<const char*>(v.data()),
                  v.size() * sizeof(double));
    }
  }
  void PutString(absl::string_view s) {
    Put<int64_t>(static_cast<int64_t>(s.size()));
    buf_.append(s.data(), s.size());
  }
  void PutOutcome(int64_t task, const TaskOutcome& o) {
    Put(task);
    Put(o.fit_time);
    Put(o.score_time);
    PutDoubles(o.test);
    PutDoubles(o.train);
    Put<int32_t>(static_cast<int32_t>(o.status.code()));
    PutString(o.status.message());
  }
  std::string& bytes() { return buf_; }

 private:
  std::string buf_;
};

class Reader {
 public:
  explicit Reader(absl::string_view bytes) : rest_(bytes) {}
  template <typename T>
  bool Get(T* v) {
    if (rest_.size() < sizeof(T)) return false;
    std::memcpy(v, rest_.data(), sizeof(T));
    rest_.remove_prefix(sizeof(T));
    return true;
  }
  bool GetDoubles(std::vector<double>* v) {
    int64_t n = 0;
    if (!Get(&n) || n < 0 ||
        static_cast<uint64_t>(n) > rest_.size() / sizeof(double)) {
      return false;
    }
    v->resize(n);
    if (n > 0) std::memcpy(v->data(), rest_.data(), n * sizeof(double));
    rest_.remove_prefix(n * sizeof(double));
    return true;
  }
  bool GetString(std::string* s) {
    int64_t n = 0;
    if (!Get(&n) || n < 0 || static_cast<uint64_t>(n) > rest_.size()) {
      return false;
    }
    s->assign(rest_.data(), n);
    rest_.remove_prefix(n);
    return true;
  }
  bool GetOutcome(int64_t* task, TaskOutcome* o) {
    int32_t code = 0;
    std::string message;
    if (!Get(task) || !Get(&o->fit_time) || !Get(&o->score_time) ||
        !GetDoubles(&o->test) || !GetDoubles(&o->train) || !Get(&code) ||
        !GetString(&message)) {
      return false;
    }
    o->status = absl::Status(static_cast<absl::StatusCode>(code), message);
    return true;
  }
  bool empty() const { return rest_.empty(); }

 private:
  absl::string_view rest_;
};

absl::Status Corrupt(const char* what) {
  return absl::InternalError(
      absl::StrCat("a malformed ", what,
                   " message between MPI ranks (are all ranks the same "
                   "eclipsera binary?)"));
}

std::string TaskList(const std::vector<int64_t>& tasks) {
  return absl::StrJoin(tasks, ", ");
}

// Sends bytes to `dest` (messages here are small: outcomes of one batch).
void SendBytes(const std::string& bytes, int dest, int tag, MPI_Comm comm) {
  MPI_Request request;
  MPI_Isend(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, dest, tag,
            comm, &request);
  WaitGently(&request);
}

// Receives the next message with `tag` from `source` (or MPI_ANY_SOURCE)
// without spinning; returns the sender.
int ReceiveBytes(int source, int tag, MPI_Comm comm, std::string* bytes) {
  MPI_Status status;
  int flag = 0;
  Backoff backoff;
  while (true) {
    MPI_Iprobe(source, tag, comm, &flag, &status);
    if (flag) break;
    backoff.Wait();
  }
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  bytes->resize(count);
  MPI_Recv(bytes->data(), count, MPI_BYTE, status.MPI_SOURCE, tag, comm,
           MPI_STATUS_IGNORE);
  return status.MPI_SOURCE;
}

}  // namespace

bool LaunchedByMpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr ||
         std::getenv("PMIX_RANK") != nullptr;
}

void BroadcastBytes(MPI_Comm comm, int root, std::string* bytes) {
  int64_t size = static_cast<int64_t>(bytes->size());
  Bcast(&size, 1, MPI_INT64_T, root, comm);
  bytes->resize(size);
  for (size_t offset = 0; offset < static_cast<size_t>(size);
       offset += kChunk) {
    const size_t n = std::min(kChunk, static_cast<size_t>(size) - offset);
    Bcast(bytes->data() + offset, static_cast<int>(n), MPI_BYTE, root, comm);
  }
}

absl::StatusOr<Matrix> BroadcastMatrix(MPI_Comm comm, int root,
                                       absl::StatusOr<Matrix> value) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  // The header: status code and message, then the shape.
  std::string header;
  if (rank == root) {
    Writer w;
    w.Put<int32_t>(static_cast<int32_t>(value.status().code()));
    w.PutString(value.status().message());
    w.Put<int64_t>(value.ok() ? value->rows() : 0);
    w.Put<int64_t>(value.ok() ? value->cols() : 0);
    header = std::move(w.bytes());
  }
  BroadcastBytes(comm, root, &header);
  Reader r(header);
  int32_t code = 0;
  std::string message;
  int64_t rows = 0, cols = 0;
  if (!r.Get(&code) || !r.GetString(&message) || !r.Get(&rows) ||
      !r.Get(&cols)) {
    return Corrupt("matrix header");
  }
  if (code != 0) {
    return absl::Status(static_cast<absl::StatusCode>(code), message);
  }
  Matrix m;
  if (rank == root) {
    m = *std::move(value);
  } else {
    m.resize(rows, cols);
  }
  char* data = reinterpret_cast<char*>(m.data());
  const size_t bytes = static_cast<size_t>(m.size()) * sizeof(double);
  for (size_t offset = 0; offset < bytes; offset += kChunk) {
    const size_t n = std::min(kChunk, bytes - offset);
    Bcast(data + offset, static_cast<int>(n), MPI_BYTE, root, comm);
  }
  return m;
}

MpiTaskExecutor::MpiTaskExecutor(MPI_Comm comm, MpiExecutorOptions options)
    : comm_(comm), options_(options) {
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
}

absl::StatusOr<std::vector<TaskOutcome>> MpiTaskExecutor::Execute(
    int64_t n_tasks, int batch_size, const RunBatch& run,
    const OnDone& on_done) {
  batch_size = std::max(batch_size, 1);
  std::vector<TaskOutcome> outcomes(n_tasks);
  std::string all;
  absl::Status status;
  if (rank_ == 0) {
    status = Coordinate(n_tasks, batch_size, run, on_done, &outcomes);
    // Every rank must leave Execute together: a failure travels as an
    // empty broadcast plus the status below.
    if (status.ok()) {
      Writer w;
      for (int64_t t = 0; t < n_tasks; ++t) w.PutOutcome(t, outcomes[t]);
      all = std::move(w.bytes());
    }
  } else {
    Work(batch_size, run);
  }
  BroadcastBytes(comm_, 0, &all);
  if (rank_ != 0) {
    if (all.empty() && n_tasks > 0) {
      return absl::InternalError(
          "rank 0 could not complete the distributed tasks (its message "
          "says why)");
    }
    Reader r(all);
    std::vector<char> seen(n_tasks, 0);
    for (int64_t i = 0; i < n_tasks; ++i) {
      int64_t task = -1;
      TaskOutcome o;
      if (!r.GetOutcome(&task, &o) || task < 0 || task >= n_tasks ||
          seen[task]) {
        return Corrupt("results");
      }
      seen[task] = 1;
      outcomes[task] = std::move(o);
    }
    if (!r.empty()) return Corrupt("results");
  }
  if (!status.ok()) return status;
  return outcomes;
}

absl::Status MpiTaskExecutor::Coordinate(int64_t n_tasks, int batch_size,
                                         const RunBatch& run,
                                         const OnDone& on_done,
                                         std::vector<TaskOutcome>* out) {
  struct Running {
    std::vector<int64_t> tasks;
    Clock::time_point since;
  };
  std::mutex mu;  // guards next, running[0], local_done, local_finished
  int64_t next = 0;
  std::vector<Running> running(size_);
  std::vector<std::pair<int64_t, TaskOutcome>> local_done;
  bool local_finished = false;
  const auto take = [&](int64_t capacity) {
    std::vector<int64_t> tasks;
    std::lock_guard<std::mutex> lock(mu);
    while (static_cast<int64_t>(tasks.size()) < capacity && next < n_tasks) {
      tasks.push_back(next++);
    }
    return tasks;
  };
  const auto slow = [this](int rank) {
    if (rank == options_.slow_rank && options_.slow_seconds > 0) {
      std::this_thread::sleep_for(
          std::chrono::duration<double>(options_.slow_seconds));
    }
  };

  std::thread local;
  if (options_.coordinator_runs_tasks || size_ == 1) {
    local = std::thread([&] {
      while (true) {
        std::vector<int64_t> tasks = take(batch_size);
        if (tasks.empty()) break;
        {
          std::lock_guard<std::mutex> lock(mu);
          running[0] = {tasks, Clock::now()};
        }
        slow(0);
        std::vector<TaskOutcome> got = run(tasks);
        std::lock_guard<std::mutex> lock(mu);
        running[0].tasks.clear();
        for (size_t i = 0; i < tasks.size(); ++i) {
          local_done.emplace_back(tasks[i], std::move(got[i]));
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      local_finished = true;
    });
  } else {
    local_finished = true;
  }

  tasks_per_rank_.assign(size_, 0);
  std::vector<char> seen(n_tasks, 0);
  int64_t received = 0;
  absl::Status status;
  const auto record = [&](int rank, int64_t task, TaskOutcome o) {
    if (task < 0 || task >= n_tasks || seen[task]) {
      if (status.ok()) status = Corrupt("outcome");
      return;
    }
    seen[task] = 1;
    ++received;
    ++tasks_per_rank_[rank];
    on_done(task, o);
    (*out)[task] = std::move(o);
  };
  int active = size_ - 1;  // workers not yet told to stop
  Backoff backoff;
  while (true) {
    std::vector<std::pair<int64_t, TaskOutcome>> finished_here;
    bool local_over = false;
    {
      std::lock_guard<std::mutex> lock(mu);
      finished_here.swap(local_done);
      local_over = local_finished;
    }
    for (auto& [task, o] : finished_here) record(0, task, std::move(o));
    bool idle = finished_here.empty();

    int flag = 0;
    MPI_Status probe;
    MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, comm_, &flag, &probe);
    if (flag) {
      idle = false;
      std::string bytes;
      const int source =
          ReceiveBytes(probe.MPI_SOURCE, kTagRequest, comm_, &bytes);
      Reader r(bytes);
      int64_t capacity = 0, n = 0;
      if (!r.Get(&capacity) || !r.Get(&n) || n < 0) {
        status = Corrupt("request");
        n = 0;
      }
      for (int64_t i = 0; i < n; ++i) {
        int64_t task = -1;
        TaskOutcome o;
        if (!r.GetOutcome(&task, &o)) {
          status = Corrupt("outcome");
          break;
        }
        record(source, task, std::move(o));
      }
      // A malformed message stops handing out work; the others finish.
      std::vector<int64_t> tasks;
      if (status.ok()) tasks = take(std::max<int64_t>(capacity, 1));
      running[source] = {tasks, Clock::now()};
      Writer w;
      w.Put<int64_t>(static_cast<int64_t>(tasks.size()));
      for (int64_t t : tasks) w.Put(t);
      SendBytes(w.bytes(), source, kTagAssign, comm_);
      if (tasks.empty()) --active;
    }
    if (local_over && active == 0 && finished_here.empty()) break;
    if (options_.fit_timeout > 0) {
      std::lock_guard<std::mutex> lock(mu);
      for (int rank = 0; rank < size_; ++rank) {
        const Running& r = running[rank];
        if (!r.tasks.empty() && Seconds(r.since) > options_.fit_timeout) {
          std::fprintf(stderr,
                       "eclipsera: rank %d has been running task(s) %s for "
                       "more than --fit_timeout=%g s; stopping the job\n",
                       rank, TaskList(r.tasks).c_str(), options_.fit_timeout);
          std::fflush(stderr);
          MPI_Abort(comm_, 1);
        }
      }
    }
    if (idle) {
      backoff.Wait();
    } else {
      backoff.Reset();
    }
  }
  if (local.joinable()) local.join();
  if (status.ok() && received != n_tasks) {
    status = absl::InternalError(absl::StrCat("distributed search: ", received,
                                              " of ", n_tasks,
                                              " task outcomes arrived"));
  }
  return status;
}

void MpiTaskExecutor::Work(int batch_size, const RunBatch& run) {
  Writer request;
  request.Put<int64_t>(batch_size);
  request.Put<int64_t>(0);
  std::string bytes;
  while (true) {
    SendBytes(request.bytes(), 0, kTagRequest, comm_);
    ReceiveBytes(0, kTagAssign, comm_, &bytes);
    Reader r(bytes);
    int64_t n = 0;
    std::vector<int64_t> tasks;
    if (r.Get(&n)) {
      for (int64_t i = 0, t = 0; i < n && r.Get(&t); ++i) tasks.push_back(t);
    }
    if (tasks.empty()) return;
    if (rank_ == options_.slow_rank && options_.slow_seconds > 0) {
      std::this_thread::sleep_for(
          std::chrono::duration<double>(options_.slow_seconds));
    }
    std::vector<TaskOutcome> got = run(tasks);
    request = Writer();
    request.Put<int64_t>(batch_size);
    request.Put<int64_t>(static_cast<int64_t>(tasks.size()));
    for (size_t i = 0; i < tasks.size(); ++i) {
      request.PutOutcome(tasks[i], got[i]);
    }
  }
}

pool::PoolStatistics MpiTaskExecutor::MergeStatistics(
    const pool::PoolStatistics& local) {
  int64_t v[] = {local.objects_created, local.objects_destroyed,
                 local.acquisitions,    local.hits,
                 local.misses,          local.releases,
                 local.resets,          local.growth_events,
                 local.exhausted,       local.overflows,
                 local.in_use,          local.peak_in_use};
  MPI_Request request;
  MPI_Iallreduce(MPI_IN_PLACE, v, 12, MPI_INT64_T, MPI_SUM, comm_, &request);
  WaitGently(&request);
  pool::PoolStatistics s;
  s.objects_created = v[0];
  s.objects_destroyed = v[1];
  s.acquisitions = v[2];
  s.hits = v[3];
  s.misses = v[4];
  s.releases = v[5];
  s.resets = v[6];
  s.growth_events = v[7];
  s.exhausted = v[8];
  s.overflows = v[9];
  s.in_use = v[10];
  s.peak_in_use = v[11];
  return s;
}

absl::StatusOr<std::unique_ptr<MpiProcessGroup>> MpiProcessGroup::Start(
    int* argc, char*** argv) {
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) !=
      MPI_SUCCESS) {
    return absl::UnavailableError("MPI_Init_thread failed");
  }
  if (provided < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    return absl::UnavailableError(
        "this MPI library does not support MPI_THREAD_FUNNELED");
  }
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return std::unique_ptr<MpiProcessGroup>(new MpiProcessGroup(rank, size));
}

MpiProcessGroup::~MpiProcessGroup() { MPI_Finalize(); }

absl::Status MpiProcessGroup::Agree(const absl::Status& local,
                                    const std::string& what) {
  int ok = local.ok() ? 1 : 0;
  MPI_Request request;
  MPI_Iallreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD,
                 &request);
  WaitGently(&request);
  if (ok) return absl::OkStatus();
  if (!local.ok()) {
    return absl::Status(local.code(),
                        absl::StrCat("rank ", rank_, ": ", local.message()));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("another rank could not read ", what,
                   " (--shared_input: every rank reads the same path; "
                   "see that rank's message)"));
}

absl::StatusOr<Matrix> MpiProcessGroup::ReadMatrix(const std::string& path,
                                                   bool shared_input) {
  const Clock::time_point start = Clock::now();
  if (shared_input) {
    absl::StatusOr<Matrix> m = io::ReadMatrix(path);
    absl::Status agreed = Agree(m.status(), path);
    if (!agreed.ok()) {
      if (!m.ok() && rank_ != 0) {
        std::fprintf(stderr, "eclipsera: %s\n",
                     std::string(agreed.message()).c_str());
      }
      return agreed;
    }
    return m;
  }
  absl::StatusOr<Matrix> m = BroadcastMatrix(
      MPI_COMM_WORLD, 0,
      rank_ == 0 ? io::ReadMatrix(path)
                 : absl::StatusOr<Matrix>(absl::UnknownError("not root")));
  if (m.ok()) {
    broadcast_bytes_ += m->size() * static_cast<int64_t>(sizeof(double));
  }
  broadcast_seconds_ += Seconds(start);
  return m;
}

absl::StatusOr<std::string> MpiProcessGroup::ReadText(const std::string& path,
                                                      bool shared_input) {
  if (shared_input) {
    absl::StatusOr<std::string> text = io::ReadFileToString(path);
    absl::Status agreed = Agree(text.status(), path);
    if (!agreed.ok()) return agreed;
    return text;
  }
  // Rank 0 reads; the status code and message or the text follow.
  return ShareText(rank_ == 0 ? io::ReadFileToString(path)
                              : absl::StatusOr<std::string>(""));
}

absl::Status MpiProcessGroup::ShareStatus(const absl::Status& status) {
  return ShareText(status.ok() ? absl::StatusOr<std::string>("")
                               : absl::StatusOr<std::string>(status))
      .status();
}

// Rank 0's text or error, on every rank.
absl::StatusOr<std::string> MpiProcessGroup::ShareText(
    const absl::StatusOr<std::string>& text) {
  std::string bytes;
  if (rank_ == 0) {
    Writer w;
    w.Put<int32_t>(static_cast<int32_t>(text.status().code()));
    w.PutString(text.ok() ? *text : std::string(text.status().message()));
    bytes = std::move(w.bytes());
  }
  BroadcastBytes(MPI_COMM_WORLD, 0, &bytes);
  Reader r(bytes);
  int32_t code = 0;
  std::string payload;
  if (!r.Get(&code) || !r.GetString(&payload)) return Corrupt("text");
  if (code != 0) {
    return absl::Status(static_cast<absl::StatusCode>(code), payload);
  }
  return payload;
}

std::shared_ptr<model_selection::TaskExecutor> MpiProcessGroup::MakeExecutor(
    const ExecutorOptions& options) {
  MpiExecutorOptions o;
  static_cast<ExecutorOptions&>(o) = options;
  if (const char* v = std::getenv("ECLIPSERA_MPI_COORDINATOR_TASKS")) {
    o.coordinator_runs_tasks = std::string(v) != "0";
  }
  if (const char* v = std::getenv("ECLIPSERA_MPI_SLOW_RANK")) {
    const std::string s = v;
    const size_t colon = s.find(':');
    int rank = -1;
    double seconds = 0;
    if (colon != std::string::npos &&
        absl::SimpleAtoi(s.substr(0, colon), &rank) &&
        absl::SimpleAtod(s.substr(colon + 1), &seconds)) {
      o.slow_rank = rank;
      o.slow_seconds = seconds;
    }
  }
  auto executor = std::make_shared<MpiTaskExecutor>(MPI_COMM_WORLD, o);
  executor_ = executor;
  return executor;
}

std::string MpiProcessGroup::ReportJson() const {
  std::vector<int64_t> tasks;
  if (std::shared_ptr<MpiTaskExecutor> e = executor_.lock()) {
    tasks = e->tasks_per_rank();
  }
  return absl::StrCat(
      "{\"ranks\": ", size_, ", \"tasks_per_rank\": [",
      absl::StrJoin(tasks, ", "), "], \"broadcast_bytes\": ", broadcast_bytes_,
      ", \"broadcast_seconds\": ", absl::StrFormat("%.6f", broadcast_seconds_),
      "}");
}

}  // namespace eclipsera::distributed
