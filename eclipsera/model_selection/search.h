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
#include <optional>
#include <string>
#include <utility>
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
  // scikit-learn's scoring as a dict: (name, scorer) pairs, reported under
  // the names (test_<name>, mean_test_<name>, refit by name), always as
  // multi-metric, even with one pair; names are unique, a scorer may
  // appear under several. Exclusive with `scoring`.
  std::vector<std::pair<std::string, std::string>> scoring_map;
  int n_jobs = -1;
  bool return_train_score = false;
  // A failed fit scores error_score (NaN by default) with a warning, or
  // fails the whole call when raise_on_error.
  double error_score = std::numeric_limits<double>::quiet_NaN();
  bool raise_on_error = false;
  // 0 silent; 1 the "Fitting ..." line and progress; 2 also pool
  // statistics; 3 also one line per fit (on stderr).
  int verbose = 0;
  // The roadmap's switch: print the pool statistics (as verbose >= 2 does)
  // at any verbosity.
  bool enable_pool_stats = false;
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

// validation_curve's and learning_curve's scores: one row per tick (a
// parameter value, or a training-set size), one column per split.
struct CurveResult {
  Matrix train_scores, test_scores;
  Matrix fit_times, score_times;   // learning_curve's return_times
  std::vector<Index> train_sizes;  // learning_curve's absolute sizes
  std::vector<std::string> warnings;
};

// scikit-learn's validation_curve: the estimator with `param_name` set to
// each of `param_range`, cross-validated; train and test scores. One
// metric at most in options.scoring (none: the estimator's Score); the
// train scores are always computed.
absl::StatusOr<CurveResult> ValidationCurve(
    const Estimator& estimator, const ConstMatrixRef& x,
    absl::Span<const double> y, const std::string& param_name,
    const std::vector<ParamValue>& param_range, const Splitter& cv,
    const CvOptions& options = {});

struct LearningCurveOptions {
  // Fractions of the largest training set, in (0, 1] (scikit-learn's
  // default np.linspace(0.1, 1.0, 5)), or absolute sample counts when
  // `fractions` is false. Sizes are made unique and sorted (with a
  // warning when duplicates go).
  std::vector<double> train_sizes = {0.1, 0.325, 0.55, 0.775, 1.0};
  bool fractions = true;
  // Shuffle each training set before taking its first n samples.
  bool shuffle = false;
  std::optional<int64_t> random_state;
};

// scikit-learn's learning_curve (exploit_incremental_learning=False):
// for each split and each size n, fit on the first n training samples;
// train_sizes holds the absolute sizes.
absl::StatusOr<CurveResult> LearningCurve(
    const Estimator& estimator, const ConstMatrixRef& x,
    absl::Span<const double> y, const Splitter& cv,
    const CvOptions& options = {}, const LearningCurveOptions& curve = {});

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
  // The estimator's transformer cache during this search (a Pipeline with
  // `memory`): hits and misses of its fitted steps, counted in this
  // process. Zeros without a cache.
  const CacheStatistics& cache_statistics() const { return cache_stats_; }

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

  // Evaluates `candidates` on `splits` (as many as the cv's), adding one
  // cv_results row each, with `extra` integer columns first (successive
  // halving's iter and n_resources); returns each candidate's mean test
  // score of the refit metric (NaN when its fits failed).
  using Evaluate = std::function<absl::StatusOr<std::vector<double>>(
      const std::vector<ParamMap>& candidates,
      const std::vector<TrainTest>& splits,
      const std::vector<std::pair<std::string, int64_t>>& extra)>;
  // Called once the data and splits are known, before Candidates().
  virtual absl::Status Prepare(Index n_samples, absl::Span<const double> y,
                               int n_splits) {
    return absl::OkStatus();
  }
  // The search proper; GridSearchCV and RandomizedSearchCV evaluate every
  // candidate once on the cv's splits.
  virtual absl::Status RunSearch(const ConstMatrixRef& x,
                                 absl::Span<const double> y,
                                 const std::vector<ParamMap>& candidates,
                                 const std::vector<TrainTest>& splits,
                                 const Evaluate& evaluate);
  // The best row of cv_results for `metric` (not a callable refit): the
  // first of rank 1.
  virtual int SelectBest(const CvResults& results,
                         const std::string& metric) const;

  const Estimator& prototype() const { return *prototype_; }
  const SearchOptions& options() const { return options_; }
  bool coordinator() const {
    return options_.executor == nullptr || options_.executor->is_coordinator();
  }

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
  CacheStatistics cache_stats_;
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

// Successive halving (scikit-learn 1.2's HalvingGridSearchCV and
// HalvingRandomSearchCV): every candidate on few resources, the best
// 1/factor of them on factor times more, and so on; cv_results holds one
// row per (iteration, candidate) with "iter" and "n_resources" first, and
// the best candidate is the best of the last iteration. One metric only.
struct HalvingOptions {
  double factor = 3;
  // "n_samples" (training rows subsampled, test rows too, per split) or an
  // integer parameter of the estimator (set to the iteration's amount).
  std::string resource = "n_samples";
  // kSmallest (2 x n_splits, x n_classes for classifiers, with n_samples;
  // else 1), kExhaust (as large as lets the last iteration use most of
  // max_resources), a count, or kDefault: scikit-learn's default,
  // 'exhaust' for the grid search and 'smallest' for the random one.
  static constexpr int64_t kSmallest = 0, kExhaust = -1, kDefault = -2;
  int64_t min_resources = kDefault;
  // 0 "auto" (the number of samples; needs resource n_samples) or a count.
  int64_t max_resources = 0;
  bool aggressive_elimination = false;
  // Seeds the row subsampling (same subsample for the same split size).
  std::optional<int64_t> random_state;
};

class BaseSuccessiveHalving : public BaseSearchCV {
 public:
  const std::vector<int64_t>& n_resources() const { return n_resources_; }
  const std::vector<int64_t>& n_candidates() const { return n_candidates_; }
  int64_t min_resources() const { return min_resources_; }
  int64_t max_resources() const { return max_resources_; }
  int n_iterations() const { return n_iterations_; }
  int n_required_iterations() const { return n_required_iterations_; }
  int n_possible_iterations() const { return n_possible_iterations_; }
  int64_t n_remaining_candidates() const { return n_remaining_candidates_; }

 protected:
  // `default_min_resources` replaces HalvingOptions::kDefault.
  BaseSuccessiveHalving(const Estimator& estimator,
                        std::unique_ptr<Splitter> cv, SearchOptions options,
                        HalvingOptions halving, int64_t default_min_resources);
  absl::Status RunSearch(const ConstMatrixRef& x, absl::Span<const double> y,
                         const std::vector<ParamMap>& candidates,
                         const std::vector<TrainTest>& splits,
                         const Evaluate& evaluate) override;
  int SelectBest(const CvResults& results,
                 const std::string& metric) const override;
  // min_resources_ and max_resources_ before the candidates exist (the
  // random search sizes its sample with them).
  absl::Status Prepare(Index n_samples, absl::Span<const double> y,
                       int n_splits) override;

  HalvingOptions halving_;
  int64_t min_resources_ = 0, max_resources_ = 0;

 private:
  std::vector<int64_t> n_resources_, n_candidates_;
  int n_iterations_ = 0, n_required_iterations_ = 0, n_possible_iterations_ = 0;
  int64_t n_remaining_candidates_ = 0;
};

class HalvingGridSearchCV : public BaseSuccessiveHalving {
 public:
  HalvingGridSearchCV(const Estimator& estimator, ParameterGrid grid,
                      std::unique_ptr<Splitter> cv = nullptr,
                      SearchOptions options = {}, HalvingOptions halving = {});

 protected:
  absl::StatusOr<std::vector<ParamMap>> Candidates(
      std::vector<std::string>* warnings) const override;

 private:
  ParameterGrid grid_;
};

class HalvingRandomSearchCV : public BaseSuccessiveHalving {
 public:
  // n_candidates: the first iteration's; 0 "exhaust" (max_resources /
  // min_resources). The sampler's own n_iter is ignored.
  HalvingRandomSearchCV(const Estimator& estimator,
                        std::vector<ParamSpace> spaces, int64_t n_candidates,
                        std::unique_ptr<Splitter> cv = nullptr,
                        SearchOptions options = {},
                        HalvingOptions halving = {});

 protected:
  absl::StatusOr<std::vector<ParamMap>> Candidates(
      std::vector<std::string>* warnings) const override;

 private:
  std::vector<ParamSpace> spaces_;
  int64_t n_candidates_first_ = 0;
};

}  // namespace eclipsera::model_selection

#endif  // ECLIPSERA_MODEL_SELECTION_SEARCH_H_
