// Cross-validation and hyper-parameter search on pooled estimators, as
// scikit-learn 1.2's cross_validate, cross_val_score, cross_val_predict,
// GridSearchCV and RandomizedSearchCV.
//
// Work is (candidate, fold) tasks on the process thread pool (n_jobs; the
// thread budget gives each fit the cores the outer level leaves idle, so
// n_jobs=1 over KMeans still uses every core inside each fit). Each worker
// thread takes its estimator from a ThreadLocalPool of clones of the
// prototype: per task SetParams(the prototype's parameters + the
// candidate's), Fit, score, and back to the pool with Reset() (workspaces
// kept); fold rows are gathered into per-worker buffers that grow to the
// largest fold and are reused. Results (times aside) are bit-identical for
// any n_jobs and with ECLIPSERA_DISABLE_POOLING=1 (fresh clones and fold
// arrays per task, scikit-learn's way).
#ifndef ECLIPSERA_MODEL_SELECTION_SEARCH_H_
#define ECLIPSERA_MODEL_SELECTION_SEARCH_H_

#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/model_selection/parameter_grid.h"
#include "eclipsera/model_selection/split.h"
#include "eclipsera/pool/pool_statistics.h"

namespace eclipsera::model_selection {

// One (candidate, split) task's outcome: what travels between processes
// when a search is distributed.
struct TaskOutcome {
  double fit_time = 0, score_time = 0;
  std::vector<double> test, train;  // one score per metric
  absl::Status status;
};

// Where the (candidate, split) tasks of a search or cross-validation run.
// Without one (the default) they run on this process's threads. An
// executor may spread them over several processes that all run the same
// search on the same data (eclipsera/distributed runs them over MPI ranks):
// every process calls Execute with the same n_tasks and receives every
// outcome, so every process computes the same cv_results and best
// parameters; only the coordinator prints progress and refits.
class TaskExecutor {
 public:
  // Runs `tasks` on this process's threads, returning their outcomes in
  // the same order. Tasks are pure: the same task gives the same scores
  // (times aside) on any process and with any batching.
  using RunBatch =
      std::function<std::vector<TaskOutcome>(absl::Span<const int64_t> tasks)>;
  // Called on the coordinator as tasks finish (progress, verbose lines),
  // from one thread at a time.
  using OnDone = std::function<void(int64_t task, const TaskOutcome&)>;

  virtual ~TaskExecutor() = default;
  // Runs tasks [0, n_tasks) in batches of at most `batch_size` per call to
  // `run` and returns every outcome, in task order.
  virtual absl::StatusOr<std::vector<TaskOutcome>> Execute(
      int64_t n_tasks, int batch_size, const RunBatch& run,
      const OnDone& on_done) = 0;
  // Sums each process's statistics; every process receives the total.
  virtual pool::PoolStatistics MergeStatistics(
      const pool::PoolStatistics& local) = 0;
  // The process that prints, refits and writes results.
  virtual bool is_coordinator() const = 0;
};

// Options shared by cross-validation and the searches.
struct CvOptions {
  // Scorer names (metrics/scorer.h); empty: the estimator's own Score.
  // A single metric is reported as "score" (test_score, mean_test_score),
  // several under their names (test_accuracy, ...), scikit-learn's rule.
  std::vector<std::string> scoring;
  int n_jobs = -1;
  bool return_train_score = false;
  // A failed fit scores error_score (NaN by default) with a warning, or
  // fails the whole call when raise_on_error.
  double error_score = std::numeric_limits<double>::quiet_NaN();
  bool raise_on_error = false;
  // 0 silent; 1 the "Fitting ..." line and progress; 2 also pool
  // statistics; 3 also one line per fit (on stderr).
  int verbose = 0;
  absl::Span<const double> groups;  // for group splitters
  // Null: run here. cross_validate with return_estimator always runs here
  // (fitted estimators stay in the process that fitted them).
  std::shared_ptr<TaskExecutor> executor;
};

// cross_validate's result.
struct CrossValidateResult {
  std::vector<double> fit_time, score_time;
  // One entry per metric, in scoring order: "test_<name>" scores per split
  // (and "train_<name>" with return_train_score).
  std::vector<std::pair<std::string, std::vector<double>>> scores;
  // The fitted estimator of each split (return_estimator).
  std::vector<std::unique_ptr<Estimator>> estimators;
  std::vector<std::string> warnings;
  pool::PoolStatistics pool_statistics;

  // The scores of "test_<name>"; empty if absent.
  std::vector<double> Scores(absl::string_view key) const;
};

absl::StatusOr<CrossValidateResult> CrossValidate(
    const Estimator& estimator, const ConstMatrixRef& x,
    absl::Span<const double> y, const Splitter& cv, const CvOptions& options,
    bool return_estimator = false);

// One metric's test scores per split (cross_val_score); `scoring` empty
// for the estimator's Score.
absl::StatusOr<std::vector<double>> CrossValScore(
    const Estimator& estimator, const ConstMatrixRef& x,
    absl::Span<const double> y, const Splitter& cv,
    const std::string& scoring = "", int n_jobs = -1);

// Out-of-fold predictions (cross_val_predict): method "predict" (one
// column), "predict_proba", "predict_log_proba", "decision_function" or
// "transform". The splitter must be a partition.
absl::StatusOr<Matrix> CrossValPredict(const Estimator& estimator,
                                       const ConstMatrixRef& x,
                                       absl::Span<const double> y,
                                       const Splitter& cv,
                                       const std::string& method = "predict",
                                       int n_jobs = -1);

// A search's cv_results_: named columns, one row per candidate, in
// scikit-learn's key order. Cells are numbers (double or int64), None
// (a masked param_<name> entry), or parameter values.
class CvResults {
 public:
  using Column = std::vector<ParamValue>;

  const std::vector<std::string>& keys() const { return keys_; }
  bool has(absl::string_view key) const;
  // The column; empty if absent.
  const Column& at(absl::string_view key) const;
  // A numeric column as doubles (NaN for None).
  std::vector<double> Numbers(absl::string_view key) const;
  // The candidates' parameter maps (the "params" column).
  const std::vector<ParamMap>& params() const { return params_; }
  size_t n_candidates() const { return params_.size(); }

  // One row per candidate, one column per key; "params" as a JSON object.
  std::string ToCsv() const;
  // {"key": [values...], ...}.
  std::string ToJson() const;

  // Builders (used by the search).
  void Add(std::string key, Column column);
  void set_params(std::vector<ParamMap> params) { params_ = std::move(params); }

 private:
  std::vector<std::string> keys_;
  std::vector<Column> columns_;
  std::vector<ParamMap> params_;
};

// A candidate's parameters as a JSON object ({"C": 0.1, "kernel": "rbf"};
// estimators as their repr strings, NaN as null).
std::string ParamsToJson(const ParamMap& params);

struct SearchOptions : CvOptions {
  // Refit the best candidate on all the data: true, false, or (several
  // metrics) the metric's name in refit_metric. A callable, when set,
  // picks the best index from the results instead (scikit-learn's
  // callable refit; best_score() is then NaN).
  bool refit = true;
  std::string refit_metric;
  std::function<absl::StatusOr<int>(const CvResults&)> refit_callable;
};

// The search engine shared by GridSearchCV and RandomizedSearchCV.
class BaseSearchCV {
 public:
  virtual ~BaseSearchCV() = default;

  absl::Status Fit(const ConstMatrixRef& x, absl::Span<const double> y = {});

  const CvResults& cv_results() const { return results_; }
  // FailedPrecondition before Fit, or when refit is false (no best
  // estimator was fitted).
  absl::StatusOr<const Estimator*> best_estimator() const;
  double best_score() const { return best_score_; }
  const ParamMap& best_params() const { return best_params_; }
  int best_index() const { return best_index_; }
  double refit_time() const { return refit_time_; }
  int n_splits() const { return n_splits_; }
  bool multimetric() const { return multimetric_; }
  bool fitted() const { return fitted_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Merged over every worker's estimator pool (allocations are clones
  // made, hits are reused estimators).
  const pool::PoolStatistics& pool_statistics() const { return pool_stats_; }

  // Delegates to the best estimator (FailedPrecondition without one; under
  // a distributed executor only the coordinator refits).
  absl::StatusOr<Vector> Predict(const ConstMatrixRef& x) const;
  absl::StatusOr<Matrix> PredictProba(const ConstMatrixRef& x) const;
  absl::StatusOr<Matrix> Transform(const ConstMatrixRef& x) const;
  // The refit metric (or the estimator's Score) of the best estimator.
  absl::StatusOr<double> Score(const ConstMatrixRef& x,
                               absl::Span<const double> y = {}) const;

 protected:
  BaseSearchCV(const Estimator& estimator, std::unique_ptr<Splitter> cv,
               SearchOptions options);
  // The candidates to evaluate (the grid, or a sample of it); `warnings`
  // receives the sampler's.
  virtual absl::StatusOr<std::vector<ParamMap>> Candidates(
      std::vector<std::string>* warnings) const = 0;

 private:
  std::shared_ptr<const Estimator> prototype_;
  std::unique_ptr<Splitter> cv_;
  SearchOptions options_;

  CvResults results_;
  std::unique_ptr<Estimator> best_estimator_;
  double best_score_ = std::numeric_limits<double>::quiet_NaN();
  ParamMap best_params_;
  int best_index_ = -1;
  double refit_time_ = 0;
  int n_splits_ = 0;
  bool multimetric_ = false;
  bool fitted_ = false;
  std::string refit_scorer_;
  std::vector<std::string> warnings_;
  pool::PoolStatistics pool_stats_;
};

class GridSearchCV : public BaseSearchCV {
 public:
  // `cv` null: 5-fold check_cv.
  GridSearchCV(const Estimator& estimator, ParameterGrid grid,
               std::unique_ptr<Splitter> cv = nullptr,
               SearchOptions options = {});

 protected:
  absl::StatusOr<std::vector<ParamMap>> Candidates(
      std::vector<std::string>* warnings) const override;

 private:
  ParameterGrid grid_;
};

class RandomizedSearchCV : public BaseSearchCV {
 public:
  RandomizedSearchCV(const Estimator& estimator, ParameterSampler sampler,
                     std::unique_ptr<Splitter> cv = nullptr,
                     SearchOptions options = {});

 protected:
  absl::StatusOr<std::vector<ParamMap>> Candidates(
      std::vector<std::string>* warnings) const override;

 private:
  ParameterSampler sampler_;
};

}  // namespace eclipsera::model_selection

#endif  // ECLIPSERA_MODEL_SELECTION_SEARCH_H_
