#include "eclipsera/model_selection/search.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <mutex>
#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/random.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/metrics/scorer.h"
#include "eclipsera/pool/pooling_switch.h"
#include "eclipsera/pool/thread_local_pool.h"

namespace eclipsera::model_selection {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// joblib's short_format_time, as scikit-learn's verbose lines print it.
std::string ShortTime(double t) {
  return t > 60 ? absl::StrFormat("%4.1fmin", t / 60)
                : absl::StrFormat(" %5.1fs", t);
}

// What is scored: `names` as reported ("score" for the estimator's own
// Score or a search's single metric), `scorers` the scorer names ("" for
// the estimator's Score).
struct Scoring {
  std::vector<std::string> names;
  std::vector<std::string> scorers;
  bool multimetric = false;
};

absl::StatusOr<Scoring> MakeScoring(const CvOptions& options) {
  const std::vector<std::string>& scoring = options.scoring;
  Scoring s;
  if (!options.scoring_map.empty()) {
    if (!scoring.empty()) {
      return absl::InvalidArgumentError(
          "scoring: give a list of scorer names or a name -> scorer map, "
          "not both");
    }
    for (const auto& [name, scorer] : options.scoring_map) {
      ECLIPSERA_RETURN_IF_ERROR(metrics::FindScorer(scorer).status());
      if (name.empty() ||
          std::find(s.names.begin(), s.names.end(), name) != s.names.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "scoring: the map's names must be non-empty and unique; got '",
            name, "'", name.empty() ? "" : " twice"));
      }
      s.names.push_back(name);
      s.scorers.push_back(scorer);
    }
    s.multimetric = true;  // a dict is multi-metric, as in scikit-learn
    return s;
  }
  if (scoring.empty()) {
    s.names = {"score"};
    s.scorers = {""};
    return s;
  }
  for (const std::string& name : scoring) {
    ECLIPSERA_RETURN_IF_ERROR(metrics::FindScorer(name).status());
    if (std::find(s.scorers.begin(), s.scorers.end(), name) !=
        s.scorers.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("scoring: '", name, "' is listed twice"));
    }
    s.scorers.push_back(name);
  }
  // One metric is reported as "score" (scikit-learn's test_score,
  // mean_test_score), several under their names.
  s.multimetric = scoring.size() > 1;
  s.names = s.multimetric ? s.scorers : std::vector<std::string>{"score"};
  return s;
}

absl::StatusOr<double> ScoreWith(const std::string& scorer,
                                 const Estimator& est, const ConstMatrixRef& x,
                                 absl::Span<const double> y) {
  if (scorer.empty()) return est.Score(x, y);
  return metrics::Score(scorer, est, x, y);
}

struct TaskResult : TaskOutcome {
  std::unique_ptr<Estimator> estimator;
};

// Grow-only fold arrays of one worker.
struct FoldBuffers {
  std::vector<double> x_train, x_test, y_train, y_test;
};

Eigen::Map<Matrix> Gather(const ConstMatrixRef& x,
                          const std::vector<Index>& rows,
                          std::vector<double>& storage) {
  const size_t need = rows.size() * static_cast<size_t>(x.cols());
  if (storage.size() < need) {
    std::vector<double>().swap(storage);
    storage.resize(need);
  }
  Eigen::Map<Matrix> out(storage.data(), static_cast<Index>(rows.size()),
                         x.cols());
  for (size_t r = 0; r < rows.size(); ++r) out.row(r) = x.row(rows[r]);
  return out;
}

absl::Span<const double> GatherY(absl::Span<const double> y,
                                 const std::vector<Index>& rows,
                                 std::vector<double>& storage) {
  if (y.empty()) return {};
  if (storage.size() < rows.size()) {
    std::vector<double>().swap(storage);
    storage.resize(rows.size());
  }
  for (size_t r = 0; r < rows.size(); ++r) storage[r] = y[rows[r]];
  return absl::MakeConstSpan(storage.data(), rows.size());
}

std::string ParamsText(const ParamMap& params) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : params) {
    const std::string* s = std::get_if<std::string>(&v);
    parts.push_back(
        absl::StrCat(k, "=", s != nullptr ? *s : FormatParamValue(v)));
  }
  return absl::StrJoin(parts, ", ");
}

// Runs every (candidate, split) task, candidates outer, on pooled
// estimators; results[c * n_splits + s].
class Engine {
 public:
  Engine(const Estimator& prototype, const ConstMatrixRef& x,
         absl::Span<const double> y, const std::vector<TrainTest>& splits,
         const Scoring& scoring, const CvOptions& options)
      : prototype_(prototype),
        x_(x),
        y_(y),
        splits_(splits),
        scoring_(scoring),
        options_(options),
        base_params_(prototype.GetParams(false)) {}

  absl::StatusOr<std::vector<TaskResult>> Run(
      const std::vector<ParamMap>& candidates, bool keep_estimators) {
    const Index n_splits = static_cast<Index>(splits_.size());
    const Index n_tasks = static_cast<Index>(candidates.size()) * n_splits;
    std::vector<TaskResult> results(n_tasks);
    const bool pooling = !pool::PoolingDisabled() && !keep_estimators;
    pool::PoolOptions pool_options;
    pool_options.capacity = 1;
    pool::ThreadLocalPool<Estimator> estimators(
        pool_options, [this] { return prototype_.Clone(); });
    const int n_workers = NumWorkers(options_.n_jobs, n_tasks);
    std::vector<FoldBuffers> buffers(n_workers);
    start_ = Clock::now();
    done_ = 0;
    next_report_ = 0;
    n_tasks_ = n_tasks;
    n_candidates_ = candidates.size();

    // Runs `tasks` on this process's threads; reports each as it finishes
    // when `report`.
    const auto run_tasks = [&](absl::Span<const int64_t> tasks, bool report) {
      ParallelFor(options_.n_jobs, static_cast<Index>(tasks.size()),
                  [&](Index i, int worker) {
                    const int64_t task = tasks[i];
                    const Index c = task / n_splits, s = task % n_splits;
                    TaskResult& r = results[task];
                    FoldBuffers local;
                    FoldBuffers& buf = pooling ? buffers[worker] : local;
                    std::unique_ptr<Estimator> fresh;
                    pool::PoolHandle<Estimator> pooled;
                    Estimator* est = nullptr;
                    if (pooling) {
                      pooled = estimators.Acquire();
                      est = pooled.get();
                    } else {
                      fresh = prototype_.Clone();
                      est = fresh.get();
                    }
                    RunTask(*est, candidates[c], splits_[s], buf, r);
                    if (keep_estimators && r.status.ok()) {
                      r.estimator = std::move(fresh);
                    }
                    if (report) Report(candidates, task, r);
                  });
    };
    const std::shared_ptr<TaskExecutor>& executor = options_.executor;
    if (executor != nullptr && !keep_estimators) {
      const TaskExecutor::RunBatch run = [&](absl::Span<const int64_t> tasks) {
        run_tasks(tasks, false);
        std::vector<TaskOutcome> out;
        out.reserve(tasks.size());
        for (int64_t t : tasks) out.push_back(results[t]);
        return out;
      };
      const TaskExecutor::OnDone on_done = [&](int64_t task,
                                               const TaskOutcome& r) {
        Report(candidates, task, r);
      };
      ECLIPSERA_ASSIGN_OR_RETURN(
          std::vector<TaskOutcome> outcomes,
          executor->Execute(n_tasks, n_workers, run, on_done));
      if (static_cast<Index>(outcomes.size()) != n_tasks) {
        return absl::InternalError(
            absl::StrCat("the task executor returned ", outcomes.size(),
                         " outcomes for ", n_tasks, " tasks"));
      }
      for (Index t = 0; t < n_tasks; ++t) {
        static_cast<TaskOutcome&>(results[t]) = std::move(outcomes[t]);
      }
      statistics_ = executor->MergeStatistics(estimators.Statistics());
    } else {
      std::vector<int64_t> all(n_tasks);
      std::iota(all.begin(), all.end(), 0);
      run_tasks(all, true);
      statistics_ = estimators.Statistics();
    }
    return results;
  }

  const pool::PoolStatistics& statistics() const { return statistics_; }

 private:
  void RunTask(Estimator& est, const ParamMap& candidate,
               const TrainTest& split, FoldBuffers& buf, TaskResult& r) {
    ParamMap params = base_params_;
    for (const auto& [k, v] : candidate) params[k] = v;
    r.test.assign(scoring_.scorers.size(), options_.error_score);
    if (options_.return_train_score) {
      r.train.assign(scoring_.scorers.size(), options_.error_score);
    }
    r.status = est.SetParams(params);
    if (!r.status.ok()) return;
    const Eigen::Map<Matrix> x_train = Gather(x_, split.train, buf.x_train);
    const absl::Span<const double> y_train =
        GatherY(y_, split.train, buf.y_train);
    const Clock::time_point fit_start = Clock::now();
    r.status = est.Fit(x_train, y_train);
    r.fit_time = Seconds(fit_start);
    if (!r.status.ok()) return;
    const Eigen::Map<Matrix> x_test = Gather(x_, split.test, buf.x_test);
    const absl::Span<const double> y_test = GatherY(y_, split.test, buf.y_test);
    const Clock::time_point score_start = Clock::now();
    for (size_t m = 0; m < scoring_.scorers.size(); ++m) {
      absl::StatusOr<double> v =
          ScoreWith(scoring_.scorers[m], est, x_test, y_test);
      if (!v.ok()) {
        r.status = v.status();
        return;
      }
      r.test[m] = *v;
    }
    r.score_time = Seconds(score_start);
    if (options_.return_train_score) {
      for (size_t m = 0; m < scoring_.scorers.size(); ++m) {
        absl::StatusOr<double> v =
            ScoreWith(scoring_.scorers[m], est, x_train, y_train);
        if (!v.ok()) {
          r.status = v.status();
          return;
        }
        r.train[m] = *v;
      }
    }
  }

  // Progress (verbose >= 1) and the per-fit line (verbose >= 2) of a
  // finished task; thread-safe.
  void Report(const std::vector<ParamMap>& candidates, int64_t task,
              const TaskOutcome& r) {
    if (options_.verbose < 1) return;
    const Index n_splits = static_cast<Index>(splits_.size());
    std::lock_guard<std::mutex> lock(print_mu_);
    const int64_t finished = ++done_;
    if (options_.verbose >= 2) {
      PrintFitLine(candidates[task / n_splits], task / n_splits, n_candidates_,
                   task % n_splits, r);
    }
    if (finished >= next_report_ || finished == n_tasks_) {
      const bool tty = isatty(2) != 0;
      const double elapsed = Seconds(start_);
      const double eta = elapsed / static_cast<double>(finished) *
                         static_cast<double>(n_tasks_ - finished);
      std::fprintf(stderr,
                   "%s[progress] %lld/%lld fits, %.1fs elapsed, ETA %.1fs%s",
                   tty ? "\r" : "", static_cast<long long>(finished),
                   static_cast<long long>(n_tasks_), elapsed, eta,
                   tty && finished < n_tasks_ ? "" : "\n");
      next_report_ = finished + std::max<int64_t>(1, n_tasks_ / 10);
    }
  }

  // scikit-learn's "[CV 2/5] END C=0.1;, score=0.904 total time=   0.0s".
  void PrintFitLine(const ParamMap& candidate, Index c, size_t n_candidates,
                    Index s, const TaskOutcome& r) const {
    std::string progress = absl::StrCat(" ", s + 1, "/", splits_.size());
    if (options_.verbose > 9) {
      absl::StrAppend(&progress, "; ", c + 1, "/", n_candidates);
    }
    const std::string params = ParamsText(candidate);
    std::string result = params.empty() ? "" : params + ";";
    if (options_.verbose > 2) {
      if (scoring_.multimetric) {
        std::vector<size_t> order(scoring_.names.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
          return scoring_.names[a] < scoring_.names[b];
        });
        for (size_t m : order) {
          absl::StrAppend(&result, " ", scoring_.names[m], ": (");
          if (options_.return_train_score) {
            absl::StrAppend(&result,
                            absl::StrFormat("train=%.3f, ", r.train[m]));
          }
          absl::StrAppend(&result, absl::StrFormat("test=%.3f)", r.test[m]));
        }
      } else if (options_.return_train_score) {
        absl::StrAppend(&result,
                        absl::StrFormat(", score=(train=%.3f, test=%.3f)",
                                        r.train[0], r.test[0]));
      } else {
        absl::StrAppend(&result, absl::StrFormat(", score=%.3f", r.test[0]));
      }
    }
    absl::StrAppend(&result,
                    " total time=", ShortTime(r.fit_time + r.score_time));
    std::string line = absl::StrCat("[CV", progress, "] END ");
    const int dots = 80 - static_cast<int>(line.size() + result.size());
    line += std::string(std::max(dots, 0), '.') + result;
    std::fprintf(stderr, "%s\n", line.c_str());
  }

  const Estimator& prototype_;
  const ConstMatrixRef& x_;
  absl::Span<const double> y_;
  const std::vector<TrainTest>& splits_;
  const Scoring& scoring_;
  const CvOptions& options_;
  const ParamMap base_params_;
  pool::PoolStatistics statistics_;
  std::mutex print_mu_;
  Clock::time_point start_;
  int64_t done_ = 0, next_report_ = 0, n_tasks_ = 0;
  size_t n_candidates_ = 0;
};

// Applies error_score: the warnings for failed tasks, or the first failure
// when raising or when every task failed.
absl::Status HandleFailures(const std::vector<TaskResult>& results,
                            Index n_splits, const CvOptions& options,
                            std::vector<std::string>* warnings) {
  size_t failed = 0;
  const absl::Status* first = nullptr;
  for (size_t t = 0; t < results.size(); ++t) {
    if (results[t].status.ok()) continue;
    ++failed;
    if (first == nullptr) first = &results[t].status;
    if (options.raise_on_error) return results[t].status;
    warnings->push_back(absl::StrCat(
        "Fit failed for candidate ", t / n_splits, ", split ", t % n_splits,
        "; its scores are set to error_score=", options.error_score,
        ". Details: ", results[t].status.message()));
  }
  if (failed > 0 && failed == results.size()) {
    return absl::Status(
        first->code(),
        absl::StrCat("All the ", failed,
                     " fits failed. It is very likely that your model is "
                     "misconfigured. First failure: ",
                     first->message()));
  }
  return absl::OkStatus();
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double Std(const std::vector<double>& v) {
  const double m = Mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size()));
}

// scipy's rankdata(-means, method='min') with NaN as the worst, all ones
// when every mean is NaN (scikit-learn 1.2's _store).
std::vector<int64_t> Rank(const std::vector<double>& means) {
  const size_t n = means.size();
  double lowest = std::numeric_limits<double>::infinity();
  bool any = false;
  for (double m : means) {
    if (!std::isnan(m)) {
      lowest = std::min(lowest, m);
      any = true;
    }
  }
  std::vector<int64_t> rank(n, 1);
  if (!any) return rank;
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = std::isnan(means[i]) ? lowest - 1 : means[i];
  }
  for (size_t i = 0; i < n; ++i) {
    int64_t better = 0;
    for (size_t j = 0; j < n; ++j) better += v[j] > v[i] ? 1 : 0;
    rank[i] = better + 1;
  }
  return rank;
}

CvResults::Column Doubles(const std::vector<double>& v) {
  return CvResults::Column(v.begin(), v.end());
}

std::string JsonValue(const ParamValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return "null";
  if (const bool* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const int64_t* i = std::get_if<int64_t>(&v)) return absl::StrCat(*i);
  if (const double* d = std::get_if<double>(&v)) {
    return std::isfinite(*d) ? absl::StrFormat("%.17g", *d) : "null";
  }
  if (const auto* l = std::get_if<std::vector<double>>(&v)) {
    std::vector<std::string> parts;
    for (double d : *l) parts.push_back(JsonValue(d));
    return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
  }
  std::string s;
  if (const std::string* p = std::get_if<std::string>(&v)) {
    s = *p;
  } else {
    s = std::get<EstimatorParam>(v).repr;
  }
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

std::string ParamsToJson(const ParamMap& params) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : params) {
    parts.push_back(absl::StrCat(JsonValue(k), ": ", JsonValue(v)));
  }
  return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
}

namespace {

std::string CsvCell(const ParamValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return "";
  if (const double* d = std::get_if<double>(&v)) {
    return std::isnan(*d) ? "nan" : absl::StrFormat("%.17g", *d);
  }
  std::string s;
  if (const std::string* p = std::get_if<std::string>(&v)) {
    s = *p;
  } else if (const auto* e = std::get_if<EstimatorParam>(&v)) {
    s = e->repr;
  } else {
    s = FormatParamValue(v);
  }
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

absl::StatusOr<std::vector<TrainTest>> MakeSplits(
    const Splitter& cv, Index n, absl::Span<const double> y,
    absl::Span<const double> groups, std::vector<std::string>* warnings) {
  if (!y.empty() && static_cast<Index>(y.size()) != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("y has ", y.size(), " entries for ", n, " samples"));
  }
  return cv.Split({n, y, groups}, warnings);
}

}  // namespace

std::vector<double> CrossValidateResult::Scores(absl::string_view key) const {
  for (const auto& [name, v] : scores) {
    if (name == key) return v;
  }
  return {};
}

absl::StatusOr<CrossValidateResult> CrossValidate(const Estimator& estimator,
                                                  const ConstMatrixRef& x,
                                                  absl::Span<const double> y,
                                                  const Splitter& cv,
                                                  const CvOptions& options,
                                                  bool return_estimator) {
  ECLIPSERA_ASSIGN_OR_RETURN(const Scoring scoring, MakeScoring(options));
  ECLIPSERA_RETURN_IF_ERROR(ResolveNJobs(options.n_jobs).status());
  CrossValidateResult out;
  ECLIPSERA_ASSIGN_OR_RETURN(
      const std::vector<TrainTest> splits,
      MakeSplits(cv, x.rows(), y, options.groups, &out.warnings));
  Engine engine(estimator, x, y, splits, scoring, options);
  ECLIPSERA_ASSIGN_OR_RETURN(std::vector<TaskResult> results,
                             engine.Run({ParamMap()}, return_estimator));
  ECLIPSERA_RETURN_IF_ERROR(
      HandleFailures(results, splits.size(), options, &out.warnings));
  out.pool_statistics = engine.statistics();
  for (TaskResult& r : results) {
    out.fit_time.push_back(r.fit_time);
    out.score_time.push_back(r.score_time);
    if (return_estimator) out.estimators.push_back(std::move(r.estimator));
  }
  for (size_t m = 0; m < scoring.names.size(); ++m) {
    std::vector<double> test, train;
    for (const TaskResult& r : results) {
      test.push_back(r.test[m]);
      if (options.return_train_score) train.push_back(r.train[m]);
    }
    out.scores.emplace_back("test_" + scoring.names[m], std::move(test));
    if (options.return_train_score) {
      out.scores.emplace_back("train_" + scoring.names[m], std::move(train));
    }
  }
  return out;
}

namespace {

// Scores of `results` (tick-major when `tick_major`, else split-major) as
// ticks x splits matrices.
CurveResult CurveFrom(const std::vector<TaskResult>& results, Index n_ticks,
                      Index n_splits, bool tick_major) {
  CurveResult out;
  for (Matrix* m : {&out.train_scores, &out.test_scores, &out.fit_times,
                    &out.score_times}) {
    m->resize(n_ticks, n_splits);
  }
  for (Index t = 0; t < n_ticks; ++t) {
    for (Index s = 0; s < n_splits; ++s) {
      const TaskResult& r =
          results[tick_major ? t * n_splits + s : s * n_ticks + t];
      out.train_scores(t, s) = r.train[0];
      out.test_scores(t, s) = r.test[0];
      out.fit_times(t, s) = r.fit_time;
      out.score_times(t, s) = r.score_time;
    }
  }
  return out;
}

absl::Status CheckOneMetric(absl::string_view who, const CvOptions& options) {
  if (!options.scoring_map.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(who, " takes one scorer name, not a name -> scorer map"));
  }
  if (options.scoring.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        who, " takes one scoring metric, got ", options.scoring.size(), ": ",
        absl::StrJoin(options.scoring, ", ")));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CurveResult> ValidationCurve(
    const Estimator& estimator, const ConstMatrixRef& x,
    absl::Span<const double> y, const std::string& param_name,
    const std::vector<ParamValue>& param_range, const Splitter& cv,
    const CvOptions& options) {
  ECLIPSERA_RETURN_IF_ERROR(CheckOneMetric("validation_curve", options));
  if (param_range.empty()) {
    return absl::InvalidArgumentError("validation_curve: param_range is empty");
  }
  ECLIPSERA_ASSIGN_OR_RETURN(const Scoring scoring, MakeScoring(options));
  ECLIPSERA_RETURN_IF_ERROR(ResolveNJobs(options.n_jobs).status());
  std::vector<ParamMap> candidates;
  {
    // Unknown names and wrong types fail up front, naming the valid ones.
    std::unique_ptr<Estimator> probe = estimator.Clone();
    for (const ParamValue& v : param_range) {
      candidates.push_back({{param_name, v}});
      absl::Status s = probe->SetParams(candidates.back());
      if (!s.ok()) {
        return absl::Status(s.code(),
                            absl::StrCat("validation_curve: ", s.message()));
      }
    }
  }
  CvOptions o = options;
  o.return_train_score = true;
  CurveResult out;
  ECLIPSERA_ASSIGN_OR_RETURN(
      const std::vector<TrainTest> splits,
      MakeSplits(cv, x.rows(), y, options.groups, &out.warnings));
  Engine engine(estimator, x, y, splits, scoring, o);
  ECLIPSERA_ASSIGN_OR_RETURN(const std::vector<TaskResult> results,
                             engine.Run(candidates, false));
  std::vector<std::string> warnings = std::move(out.warnings);
  ECLIPSERA_RETURN_IF_ERROR(
      HandleFailures(results, splits.size(), o, &warnings));
  out = CurveFrom(results, static_cast<Index>(candidates.size()),
                  static_cast<Index>(splits.size()), true);
  out.warnings = std::move(warnings);
  return out;
}

absl::StatusOr<CurveResult> LearningCurve(const Estimator& estimator,
                                          const ConstMatrixRef& x,
                                          absl::Span<const double> y,
                                          const Splitter& cv,
                                          const CvOptions& options,
                                          const LearningCurveOptions& curve) {
  ECLIPSERA_RETURN_IF_ERROR(CheckOneMetric("learning_curve", options));
  ECLIPSERA_ASSIGN_OR_RETURN(const Scoring scoring, MakeScoring(options));
  ECLIPSERA_RETURN_IF_ERROR(ResolveNJobs(options.n_jobs).status());
  std::vector<std::string> warnings;
  ECLIPSERA_ASSIGN_OR_RETURN(
      std::vector<TrainTest> splits,
      MakeSplits(cv, x.rows(), y, options.groups, &warnings));
  if (curve.train_sizes.empty()) {
    return absl::InvalidArgumentError("learning_curve: train_sizes is empty");
  }
  // _translate_train_sizes, against the first split's training set.
  const Index n_max = static_cast<Index>(splits[0].train.size());
  const auto [lo, hi] =
      std::minmax_element(curve.train_sizes.begin(), curve.train_sizes.end());
  std::vector<Index> sizes;
  if (curve.fractions) {
    if (!(*lo > 0.0) || !(*hi <= 1.0)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "learning_curve: train_sizes has been interpreted as fractions of "
          "the maximum number of training samples and must be within (0, "
          "1], but is within [%f, %f].",
          *lo, *hi));
    }
    for (double f : curve.train_sizes) {
      const Index n = static_cast<Index>(f * static_cast<double>(n_max));
      sizes.push_back(std::clamp<Index>(n, 1, n_max));
    }
  } else {
    if (!(*lo > 0) || !(*hi <= static_cast<double>(n_max))) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "learning_curve: train_sizes has been interpreted as absolute "
          "numbers of training samples and must be within (0, %d], but is "
          "within [%g, %g].",
          n_max, *lo, *hi));
    }
    for (double n : curve.train_sizes) {
      if (n != std::floor(n)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "learning_curve: absolute train_sizes must be integers, got ", n));
      }
      sizes.push_back(static_cast<Index>(n));
    }
  }
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  if (sizes.size() < curve.train_sizes.size()) {
    warnings.push_back(absl::StrCat(
        "Removed duplicate entries from 'train_sizes'. Number of ticks will "
        "be less than the size of 'train_sizes': ",
        sizes.size(), " instead of ", curve.train_sizes.size(), ")."));
  }
  // Split-major, then size: the first n of each (shuffled) training set.
  Random rng = Random::FromRandomState(curve.random_state);
  std::vector<TrainTest> parts;
  for (TrainTest& split : splits) {
    if (curve.shuffle) rng.Shuffle(absl::MakeSpan(split.train));
    for (Index n : sizes) {
      if (n > static_cast<Index>(split.train.size())) {
        return absl::InvalidArgumentError(
            absl::StrCat("learning_curve: a split has ", split.train.size(),
                         " training samples, fewer than the train size ", n));
      }
      parts.push_back(
          {std::vector<Index>(split.train.begin(), split.train.begin() + n),
           split.test});
    }
  }
  CvOptions o = options;
  o.return_train_score = true;
  Engine engine(estimator, x, y, parts, scoring, o);
  ECLIPSERA_ASSIGN_OR_RETURN(const std::vector<TaskResult> results,
                             engine.Run({ParamMap()}, false));
  ECLIPSERA_RETURN_IF_ERROR(
      HandleFailures(results, parts.size(), o, &warnings));
  CurveResult out = CurveFrom(results, static_cast<Index>(sizes.size()),
                              static_cast<Index>(splits.size()), false);
  out.train_sizes = std::move(sizes);
  out.warnings = std::move(warnings);
  return out;
}

absl::StatusOr<std::vector<double>> CrossValScore(const Estimator& estimator,
                                                  const ConstMatrixRef& x,
                                                  absl::Span<const double> y,
                                                  const Splitter& cv,
                                                  const std::string& scoring,
                                                  int n_jobs) {
  CvOptions options;
  if (!scoring.empty()) options.scoring = {scoring};
  options.n_jobs = n_jobs;
  ECLIPSERA_ASSIGN_OR_RETURN(CrossValidateResult r,
                             CrossValidate(estimator, x, y, cv, options));
  return r.scores[0].second;
}

absl::StatusOr<Matrix> CrossValPredict(const Estimator& estimator,
                                       const ConstMatrixRef& x,
                                       absl::Span<const double> y,
                                       const Splitter& cv,
                                       const std::string& method, int n_jobs) {
  static const char* const kMethods[] = {"predict", "predict_proba",
                                         "predict_log_proba",
                                         "decision_function", "transform"};
  if (std::find(std::begin(kMethods), std::end(kMethods), method) ==
      std::end(kMethods)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cross_val_predict: unknown method '", method,
                     "'; allowed: predict, predict_proba, predict_log_proba, "
                     "decision_function, transform"));
  }
  const auto not_partition = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "cross_val_predict only works for partitions (every sample in "
        "exactly one test set); ",
        cv.Repr(), " is not one"));
  };
  // A splitter known not to partition fails before any work; an explicit
  // list is checked on its test sets (scikit-learn's _check_is_permutation).
  const bool explicit_list = dynamic_cast<const ExplicitSplits*>(&cv);
  if (!cv.IsPartition() && !explicit_list) return not_partition();
  ECLIPSERA_RETURN_IF_ERROR(ResolveNJobs(n_jobs).status());
  std::vector<std::string> warnings;
  ECLIPSERA_ASSIGN_OR_RETURN(const std::vector<TrainTest> splits,
                             MakeSplits(cv, x.rows(), y, {}, &warnings));
  if (explicit_list) {
    std::vector<int> seen(static_cast<size_t>(x.rows()), 0);
    size_t total = 0;
    for (const TrainTest& tt : splits) {
      for (Index i : tt.test) {
        if (i < 0 || i >= x.rows() || seen[i]++ != 0) return not_partition();
      }
      total += tt.test.size();
    }
    if (total != static_cast<size_t>(x.rows())) return not_partition();
  }
  std::vector<absl::StatusOr<Matrix>> parts(splits.size(),
                                            absl::UnknownError("not run"));
  std::vector<std::vector<double>> classes(splits.size());
  ParallelFor(n_jobs, static_cast<Index>(splits.size()), [&](Index s, int) {
    std::unique_ptr<Estimator> est = estimator.Clone();
    FoldBuffers buf;
    const Eigen::Map<Matrix> xtr = Gather(x, splits[s].train, buf.x_train);
    const absl::Span<const double> ytr =
        GatherY(y, splits[s].train, buf.y_train);
    absl::Status st = est->Fit(xtr, ytr);
    if (!st.ok()) {
      parts[s] = st;
      return;
    }
    const Eigen::Map<Matrix> xte = Gather(x, splits[s].test, buf.x_test);
    if (method == "predict") {
      absl::StatusOr<Vector> p = est->Predict(xte);
      parts[s] = p.ok() ? absl::StatusOr<Matrix>(Matrix(*p))
                        : absl::StatusOr<Matrix>(p.status());
    } else if (method == "predict_proba") {
      parts[s] = est->PredictProba(xte);
    } else if (method == "predict_log_proba") {
      parts[s] = est->PredictLogProba(xte);
    } else if (method == "decision_function") {
      parts[s] = est->DecisionFunction(xte);
    } else {
      parts[s] = est->Transform(xte);
    }
    const absl::Span<const double> c = est->classes();
    classes[s].assign(c.begin(), c.end());
  });
  // Columns follow the classes of the whole y. A fold may miss a class
  // (scikit-learn's _enforce_prediction_order): its column holds 0 for
  // probabilities and the lowest double for log-probabilities and decision
  // scores; binary decision scores (one column) from a fold with fewer
  // classes than y cannot be placed and are refused, as there.
  std::vector<double> all_classes;
  const bool per_class = method != "predict" && method != "transform" &&
                         !classes.empty() && !classes[0].empty();
  if (per_class) {
    all_classes.assign(y.begin(), y.end());
    std::sort(all_classes.begin(), all_classes.end());
    all_classes.erase(std::unique(all_classes.begin(), all_classes.end()),
                      all_classes.end());
  }
  const Index n_all = static_cast<Index>(all_classes.size());
  const bool scores_1d =
      per_class && method == "decision_function" && n_all == 2;
  Matrix out;
  for (size_t s = 0; s < splits.size(); ++s) {
    if (!parts[s].ok()) return parts[s].status();
    const Matrix& p = *parts[s];
    const Index fold_classes = static_cast<Index>(classes[s].size());
    if (per_class && fold_classes != n_all && method == "decision_function" &&
        fold_classes <= 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cross_val_predict: only ", fold_classes,
          " class/es in training fold ", s, ", but ", n_all,
          " in overall dataset. This is not supported for decision_function "
          "with imbalanced folds. To fix this, use a cross-validation "
          "technique resulting in properly stratified folds"));
    }
    const Index cols = !per_class ? p.cols() : scores_1d ? 1 : n_all;
    const Index expected = !per_class || scores_1d ? cols : fold_classes;
    if (p.cols() != expected || (out.size() != 0 && out.cols() != cols)) {
      return absl::InternalError(absl::StrCat("cross_val_predict: fold ", s,
                                              "'s ", method, " has ", p.cols(),
                                              " columns, expected ", expected));
    }
    if (out.size() == 0) {
      out.setZero(x.rows(), cols);
      if (per_class && method != "predict_proba") {
        out.setConstant(std::numeric_limits<double>::lowest());
      }
    }
    for (size_t r = 0; r < splits[s].test.size(); ++r) {
      if (per_class && !scores_1d) {
        for (Index k = 0; k < fold_classes; ++k) {
          const Index col = std::lower_bound(all_classes.begin(),
                                             all_classes.end(), classes[s][k]) -
                            all_classes.begin();
          out(splits[s].test[r], col) = p(r, k);
        }
      } else {
        out.row(splits[s].test[r]) = p.row(r);
      }
    }
  }
  return out;
}

bool CvResults::has(absl::string_view key) const {
  return std::find(keys_.begin(), keys_.end(), key) != keys_.end();
}

const CvResults::Column& CvResults::at(absl::string_view key) const {
  static const Column* const kEmpty = new Column();
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) return columns_[i];
  }
  return *kEmpty;
}

std::vector<double> CvResults::Numbers(absl::string_view key) const {
  std::vector<double> out;
  for (const ParamValue& v : at(key)) {
    if (const double* d = std::get_if<double>(&v)) {
      out.push_back(*d);
    } else if (const int64_t* i = std::get_if<int64_t>(&v)) {
      out.push_back(static_cast<double>(*i));
    } else {
      out.push_back(std::numeric_limits<double>::quiet_NaN());
    }
  }
  return out;
}

void CvResults::Add(std::string key, Column column) {
  keys_.push_back(std::move(key));
  columns_.push_back(std::move(column));
}

std::string CvResults::ToCsv() const {
  std::string out = absl::StrJoin(keys_, ",") + "\n";
  for (size_t r = 0; r < params_.size(); ++r) {
    std::vector<std::string> cells;
    for (size_t k = 0; k < keys_.size(); ++k) {
      if (keys_[k] == "params") {
        cells.push_back(CsvCell(ParamsToJson(params_[r])));
      } else {
        cells.push_back(CsvCell(columns_[k][r]));
      }
    }
    absl::StrAppend(&out, absl::StrJoin(cells, ","), "\n");
  }
  return out;
}

std::string CvResults::ToJson() const {
  std::vector<std::string> parts;
  for (size_t k = 0; k < keys_.size(); ++k) {
    std::vector<std::string> values;
    for (size_t r = 0; r < params_.size(); ++r) {
      values.push_back(keys_[k] == "params" ? ParamsToJson(params_[r])
                                            : JsonValue(columns_[k][r]));
    }
    parts.push_back(absl::StrCat(JsonValue(keys_[k]), ": [",
                                 absl::StrJoin(values, ", "), "]"));
  }
  return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
}

BaseSearchCV::BaseSearchCV(const Estimator& estimator,
                           std::unique_ptr<Splitter> cv, SearchOptions options)
    : prototype_(estimator.Clone()),
      cv_(cv != nullptr ? std::move(cv) : CheckCv(5, estimator.kind())),
      options_(std::move(options)) {}

absl::Status BaseSearchCV::Fit(const ConstMatrixRef& x,
                               absl::Span<const double> y) {
  fitted_ = false;
  best_estimator_.reset();
  best_index_ = -1;
  best_score_ = std::numeric_limits<double>::quiet_NaN();
  best_params_.clear();
  warnings_.clear();
  results_ = CvResults();
  ECLIPSERA_ASSIGN_OR_RETURN(const Scoring scoring, MakeScoring(options_));
  ECLIPSERA_RETURN_IF_ERROR(ResolveNJobs(options_.n_jobs).status());
  multimetric_ = scoring.multimetric;
  // Which metric picks the best candidate.
  std::string refit_metric = "score";
  if (multimetric_) {
    if (options_.refit && options_.refit_callable == nullptr &&
        options_.refit_metric.empty()) {
      return absl::InvalidArgumentError(
          "For multi-metric scoring, refit must be a scorer name (one of "
          "scoring), a callable, or false; true was passed");
    }
    refit_metric = options_.refit_metric;
    if (!refit_metric.empty() &&
        std::find(scoring.names.begin(), scoring.names.end(), refit_metric) ==
            scoring.names.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "refit='", refit_metric, "' is not one of the scoring names: ",
          absl::StrJoin(scoring.names, ", ")));
    }
  }
  ECLIPSERA_ASSIGN_OR_RETURN(
      const std::vector<TrainTest> splits,
      MakeSplits(*cv_, x.rows(), y, options_.groups, &warnings_));
  n_splits_ = static_cast<int>(splits.size());
  ECLIPSERA_RETURN_IF_ERROR(Prepare(x.rows(), y, n_splits_));
  ECLIPSERA_ASSIGN_OR_RETURN(const std::vector<ParamMap> initial,
                             Candidates(&warnings_));
  if (initial.empty()) {
    return absl::InvalidArgumentError("the search has no candidates");
  }
  // Unknown names or wrong types fail the search up front, with the
  // estimator's list of valid names (step__ names of pipelines included).
  {
    // Each candidate as a task applies it: the prototype's parameters,
    // then the candidate's (a candidate never sees another's).
    std::unique_ptr<Estimator> probe = prototype_->Clone();
    const ParamMap base = prototype_->GetParams(false);
    for (const ParamMap& c : initial) {
      ParamMap p = base;
      for (const auto& [k, v] : c) p[k] = v;
      absl::Status s = probe->SetParams(p);
      if (!s.ok()) {
        return absl::Status(s.code(), absl::StrCat("candidate ", ParamsText(c),
                                                   ": ", s.message()));
      }
    }
  }
  // Under a distributed executor only the coordinator prints and refits.
  const bool coordinator = this->coordinator();
  const size_t refit_index =
      refit_metric.empty() ? 0
                           : std::find(scoring.names.begin(),
                                       scoring.names.end(), refit_metric) -
                                 scoring.names.begin();

  // Every evaluation adds rows: their parameters, task results (n_splits_
  // each) and extra integer columns.
  std::vector<ParamMap> rows;
  std::vector<TaskResult> all;
  std::vector<std::pair<std::string, std::vector<int64_t>>> extra_columns;
  pool_stats_ = pool::PoolStatistics();
  const CacheStatistics cache_before = prototype_->cache_statistics();
  const Evaluate evaluate =
      [&](const std::vector<ParamMap>& cands,
          const std::vector<TrainTest>& eval_splits,
          const std::vector<std::pair<std::string, int64_t>>& extra)
      -> absl::StatusOr<std::vector<double>> {
    if (static_cast<int>(eval_splits.size()) != n_splits_) {
      return absl::InternalError(
          "an evaluation's splits differ in number from the cv's");
    }
    if (options_.verbose >= 1 && coordinator) {
      std::fprintf(stderr,
                   "Fitting %d folds for each of %zu candidates, totalling "
                   "%zu fits\n",
                   n_splits_, cands.size(), cands.size() * eval_splits.size());
    }
    Engine engine(*prototype_, x, y, eval_splits, scoring, options_);
    ECLIPSERA_ASSIGN_OR_RETURN(std::vector<TaskResult> results,
                               engine.Run(cands, false));
    pool_stats_.Merge(engine.statistics());
    ECLIPSERA_RETURN_IF_ERROR(
        HandleFailures(results, n_splits_, options_, &warnings_));
    for (const auto& column : extra) {
      // Not a structured binding: clang cannot capture one in the lambda.
      const std::string& name = column.first;
      const int64_t value = column.second;
      auto it =
          std::find_if(extra_columns.begin(), extra_columns.end(),
                       [&](const auto& col) { return col.first == name; });
      if (it == extra_columns.end()) {
        extra_columns.emplace_back(name, std::vector<int64_t>(rows.size(), 0));
        it = extra_columns.end() - 1;
      }
      it->second.insert(it->second.end(), cands.size(), value);
    }
    std::vector<double> means(cands.size());
    for (size_t c = 0; c < cands.size(); ++c) {
      double sum = 0;
      for (int s = 0; s < n_splits_; ++s) {
        sum += results[c * n_splits_ + s].test[refit_index];
      }
      means[c] = sum / n_splits_;
    }
    rows.insert(rows.end(), cands.begin(), cands.end());
    std::move(results.begin(), results.end(), std::back_inserter(all));
    return means;
  };
  ECLIPSERA_RETURN_IF_ERROR(RunSearch(x, y, initial, splits, evaluate));
  const std::vector<ParamMap> candidates = std::move(rows);
  const std::vector<TaskResult> results = std::move(all);
  for (auto& [name, values] : extra_columns) {
    CvResults::Column col(values.begin(), values.end());
    results_.Add(name, std::move(col));
  }

  // cv_results_, in scikit-learn's key order.
  const size_t n_cand = candidates.size();
  const auto per_candidate = [&](auto value) {
    std::vector<std::vector<double>> v(n_cand);
    for (size_t c = 0; c < n_cand; ++c) {
      for (int s = 0; s < n_splits_; ++s) {
        v[c].push_back(value(results[c * n_splits_ + s]));
      }
    }
    return v;
  };
  const auto stats = [&](const std::vector<std::vector<double>>& v,
                         const std::string& name, bool rank, bool splits_too) {
    if (splits_too) {
      for (int s = 0; s < n_splits_; ++s) {
        CvResults::Column col;
        for (size_t c = 0; c < n_cand; ++c) col.push_back(v[c][s]);
        results_.Add(absl::StrCat("split", s, "_", name), std::move(col));
      }
    }
    std::vector<double> mean, std;
    for (size_t c = 0; c < n_cand; ++c) {
      mean.push_back(Mean(v[c]));
      std.push_back(Std(v[c]));
    }
    results_.Add("mean_" + name, Doubles(mean));
    results_.Add("std_" + name, Doubles(std));
    if (rank) {
      CvResults::Column col;
      for (int64_t r : Rank(mean)) col.push_back(r);
      results_.Add("rank_" + name, std::move(col));
    }
  };
  stats(per_candidate([](const TaskResult& r) { return r.fit_time; }),
        "fit_time", false, false);
  stats(per_candidate([](const TaskResult& r) { return r.score_time; }),
        "score_time", false, false);
  std::vector<std::string> names;
  for (const ParamMap& c : candidates) {
    for (const auto& [k, v] : c) names.push_back(k);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const std::string& name : names) {
    CvResults::Column col;
    for (const ParamMap& c : candidates) {
      auto it = c.find(name);
      col.push_back(it == c.end() ? ParamValue() : it->second);  // masked
    }
    results_.Add("param_" + name, std::move(col));
  }
  results_.Add("params", CvResults::Column(n_cand));
  results_.set_params(candidates);
  for (size_t m = 0; m < scoring.names.size(); ++m) {
    stats(per_candidate([m](const TaskResult& r) { return r.test[m]; }),
          "test_" + scoring.names[m], true, true);
    if (options_.return_train_score) {
      stats(per_candidate([m](const TaskResult& r) { return r.train[m]; }),
            "train_" + scoring.names[m], false, true);
    }
  }

  // The best candidate: first of rank 1 for the refit metric, or the
  // callable's pick.
  if (options_.refit_callable != nullptr) {
    ECLIPSERA_ASSIGN_OR_RETURN(best_index_, options_.refit_callable(results_));
    if (best_index_ < 0 || static_cast<size_t>(best_index_) >= n_cand) {
      return absl::InvalidArgumentError(
          absl::StrCat("the refit callable returned ", best_index_,
                       ", outside [0, ", n_cand, ")"));
    }
  } else if (!refit_metric.empty()) {
    best_index_ = SelectBest(results_, refit_metric);
    best_score_ = results_.Numbers("mean_test_" + refit_metric)[best_index_];
  }
  refit_scorer_.clear();
  if (!refit_metric.empty()) {
    const auto it =
        std::find(scoring.names.begin(), scoring.names.end(), refit_metric);
    refit_scorer_ = scoring.scorers[it - scoring.names.begin()];
  }
  if (best_index_ >= 0) best_params_ = candidates[best_index_];
  if (options_.refit && best_index_ >= 0 && coordinator) {
    std::unique_ptr<Estimator> best = prototype_->Clone();
    ECLIPSERA_RETURN_IF_ERROR(best->SetParams(best_params_));
    const Clock::time_point refit_start = Clock::now();
    ECLIPSERA_RETURN_IF_ERROR(best->Fit(x, y));
    refit_time_ = Seconds(refit_start);
    best_estimator_ = std::move(best);
  }
  cache_stats_ = prototype_->cache_statistics();
  cache_stats_.hits -= cache_before.hits;
  cache_stats_.misses -= cache_before.misses;
  cache_stats_.evictions -= cache_before.evictions;
  if ((options_.verbose >= 2 || options_.enable_pool_stats) && coordinator) {
    std::string report = pool_stats_.Report();
    const int64_t lookups = cache_stats_.hits + cache_stats_.misses;
    if (lookups > 0) {
      absl::StrAppend(
          &report,
          absl::StrFormat("\n  Pipeline cache: %lld hits, %lld misses "
                          "(hit rate %.1f%%), %lld evictions",
                          static_cast<long long>(cache_stats_.hits),
                          static_cast<long long>(cache_stats_.misses),
                          100.0 * static_cast<double>(cache_stats_.hits) /
                              static_cast<double>(lookups),
                          static_cast<long long>(cache_stats_.evictions)));
    }
    std::fprintf(stderr, "%s\n", report.c_str());
  }
  for (const std::string& w : warnings_) {
    if (options_.verbose >= 1 && coordinator) {
      std::fprintf(stderr, "warning: %s\n", w.c_str());
    }
  }
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status BaseSearchCV::RunSearch(const ConstMatrixRef&,
                                     absl::Span<const double>,
                                     const std::vector<ParamMap>& candidates,
                                     const std::vector<TrainTest>& splits,
                                     const Evaluate& evaluate) {
  return evaluate(candidates, splits, {}).status();
}

int BaseSearchCV::SelectBest(const CvResults& results,
                             const std::string& metric) const {
  const std::vector<double> rank = results.Numbers("rank_test_" + metric);
  return static_cast<int>(std::min_element(rank.begin(), rank.end()) -
                          rank.begin());
}

absl::StatusOr<const Estimator*> BaseSearchCV::best_estimator() const {
  if (best_estimator_ == nullptr) {
    return absl::FailedPreconditionError(
        !fitted_ ? "this search is not fitted yet: call Fit first"
        : options_.refit
            ? "this process is not the distributed search's coordinator: "
              "only the coordinator refits (best_params() holds the best "
              "parameters)"
            : "this search was run with refit=false: it has no best "
              "estimator (best_params() holds the best parameters)");
  }
  return best_estimator_.get();
}

absl::StatusOr<Vector> BaseSearchCV::Predict(const ConstMatrixRef& x) const {
  ECLIPSERA_ASSIGN_OR_RETURN(const Estimator* best, best_estimator());
  return best->Predict(x);
}

absl::StatusOr<Matrix> BaseSearchCV::PredictProba(
    const ConstMatrixRef& x) const {
  ECLIPSERA_ASSIGN_OR_RETURN(const Estimator* best, best_estimator());
  return best->PredictProba(x);
}

absl::StatusOr<Matrix> BaseSearchCV::Transform(const ConstMatrixRef& x) const {
  ECLIPSERA_ASSIGN_OR_RETURN(const Estimator* best, best_estimator());
  return best->Transform(x);
}

absl::StatusOr<double> BaseSearchCV::Score(const ConstMatrixRef& x,
                                           absl::Span<const double> y) const {
  ECLIPSERA_ASSIGN_OR_RETURN(const Estimator* best, best_estimator());
  return ScoreWith(refit_scorer_, *best, x, y);
}

GridSearchCV::GridSearchCV(const Estimator& estimator, ParameterGrid grid,
                           std::unique_ptr<Splitter> cv, SearchOptions options)
    : BaseSearchCV(estimator, std::move(cv), std::move(options)),
      grid_(std::move(grid)) {}

absl::StatusOr<std::vector<ParamMap>> GridSearchCV::Candidates(
    std::vector<std::string>*) const {
  constexpr size_t kMaxCandidates = 10'000'000;
  if (grid_.size() > kMaxCandidates) {
    return absl::InvalidArgumentError(absl::StrCat(
        "GridSearchCV: the grid has ", grid_.size(),
        " candidates, more than the ", kMaxCandidates,
        " an exhaustive search takes; use RandomizedSearchCV (--search "
        "random)"));
  }
  return grid_.All();
}

RandomizedSearchCV::RandomizedSearchCV(const Estimator& estimator,
                                       ParameterSampler sampler,
                                       std::unique_ptr<Splitter> cv,
                                       SearchOptions options)
    : BaseSearchCV(estimator, std::move(cv), std::move(options)),
      sampler_(std::move(sampler)) {}

absl::StatusOr<std::vector<ParamMap>> RandomizedSearchCV::Candidates(
    std::vector<std::string>* warnings) const {
  return sampler_.Sample(warnings);
}

BaseSuccessiveHalving::BaseSuccessiveHalving(const Estimator& estimator,
                                             std::unique_ptr<Splitter> cv,
                                             SearchOptions options,
                                             HalvingOptions halving,
                                             int64_t default_min_resources)
    : BaseSearchCV(estimator, std::move(cv), std::move(options)),
      halving_(std::move(halving)) {
  if (halving_.min_resources == HalvingOptions::kDefault) {
    halving_.min_resources = default_min_resources;
  }
}

absl::Status BaseSuccessiveHalving::Prepare(Index n_samples,
                                            absl::Span<const double> y,
                                            int n_splits) {
  constexpr char kWho[] = "successive halving";
  const SearchOptions& o = options();
  if (o.scoring.size() > 1 || !o.scoring_map.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        kWho, " supports one scoring metric only (a scorer name), got ",
        o.scoring_map.empty() ? o.scoring.size() : o.scoring_map.size(),
        o.scoring_map.empty() ? "" : " in a map"));
  }
  if (o.refit_callable != nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(kWho, ": refit must be true or false, not a callable"));
  }
  if (!(halving_.factor > 1) || !std::isfinite(halving_.factor)) {
    return absl::InvalidArgumentError(absl::StrCat(
        kWho, ": factor=", halving_.factor, " must be a number > 1"));
  }
  const bool by_samples = halving_.resource == "n_samples";
  if (!by_samples) {
    const ParamMap params = prototype().GetParams(true);
    if (!params.count(halving_.resource)) {
      return absl::InvalidArgumentError(absl::StrCat(
          kWho, ": Cannot use resource=", halving_.resource,
          " which is not supported by estimator ", prototype().name()));
    }
  }
  if (halving_.max_resources < 0 ||
      halving_.min_resources < HalvingOptions::kExhaust) {
    return absl::InvalidArgumentError(absl::StrCat(
        kWho,
        ": max_resources (0 'auto' or a count) and min_resources (0 "
        "'smallest', -1 'exhaust' or a count) are out of range"));
  }
  if (halving_.max_resources == 0) {
    if (!by_samples) {
      return absl::InvalidArgumentError(
          absl::StrCat(kWho,
                       ": resource can only be 'n_samples' when "
                       "max_resources='auto'"));
    }
    max_resources_ = n_samples;
  } else {
    max_resources_ = halving_.max_resources;
  }
  if (halving_.min_resources > 0) {
    min_resources_ = halving_.min_resources;
  } else if (by_samples) {
    // 'smallest' (also exhaust's floor): 2 samples per split and class.
    min_resources_ = int64_t{2} * n_splits;
    if (prototype().kind() == EstimatorKind::kClassifier) {
      std::vector<double> classes(y.begin(), y.end());
      std::sort(classes.begin(), classes.end());
      min_resources_ *=
          std::unique(classes.begin(), classes.end()) - classes.begin();
    }
  } else {
    min_resources_ = 1;
  }
  if (min_resources_ > max_resources_) {
    return absl::InvalidArgumentError(
        absl::StrCat(kWho, ": min_resources_=", min_resources_,
                     " is greater than max_resources_=", max_resources_, "."));
  }
  if (min_resources_ == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(kWho,
                     ": min_resources_=0: you might have passed an "
                     "empty dataset X."));
  }
  return absl::OkStatus();
}

absl::Status BaseSuccessiveHalving::RunSearch(
    const ConstMatrixRef& x, absl::Span<const double>,
    const std::vector<ParamMap>& initial, const std::vector<TrainTest>& splits,
    const Evaluate& evaluate) {
  const bool by_samples = halving_.resource == "n_samples";
  std::vector<ParamMap> candidates = initial;
  if (!by_samples) {
    for (const ParamMap& c : candidates) {
      if (c.count(halving_.resource)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Cannot use parameter ", halving_.resource,
            " as the resource since it is part of the searched parameters."));
      }
    }
  }
  const double factor = halving_.factor;
  const auto log_factor = [factor](double v) {
    return std::floor(std::log(v) / std::log(factor));
  };
  n_required_iterations_ =
      1 + static_cast<int>(log_factor(static_cast<double>(candidates.size())));
  // min_resources as scikit-learn keeps it: a float after 'exhaust'.
  double min_resources = static_cast<double>(min_resources_);
  if (halving_.min_resources == HalvingOptions::kExhaust) {
    const int last = n_required_iterations_ - 1;
    min_resources =
        std::max(min_resources, std::floor(static_cast<double>(max_resources_) /
                                           std::pow(factor, last)));
    min_resources_ = static_cast<int64_t>(min_resources);
  }
  n_possible_iterations_ =
      1 + static_cast<int>(log_factor(
              std::floor(static_cast<double>(max_resources_) / min_resources)));
  n_iterations_ =
      halving_.aggressive_elimination
          ? n_required_iterations_
          : std::min(n_possible_iterations_, n_required_iterations_);
  const bool verbose = options().verbose >= 1 && coordinator();
  if (verbose) {
    std::fprintf(stderr,
                 "n_iterations: %d\nn_required_iterations: %d\n"
                 "n_possible_iterations: %d\nmin_resources_: %s\n"
                 "max_resources_: %lld\naggressive_elimination: %s\n"
                 "factor: %g\n",
                 n_iterations_, n_required_iterations_, n_possible_iterations_,
                 FormatParamValue(min_resources).c_str(),
                 static_cast<long long>(max_resources_),
                 halving_.aggressive_elimination ? "True" : "False", factor);
  }
  n_resources_.clear();
  n_candidates_.clear();
  for (int itr = 0; itr < n_iterations_; ++itr) {
    const int power =
        halving_.aggressive_elimination
            ? std::max(0, itr - n_required_iterations_ + n_possible_iterations_)
            : itr;
    const int64_t n_resources = std::min<int64_t>(
        static_cast<int64_t>(std::pow(factor, power) * min_resources),
        max_resources_);
    n_resources_.push_back(n_resources);
    n_candidates_.push_back(static_cast<int64_t>(candidates.size()));
    if (verbose) {
      std::fprintf(stderr,
                   "----------\niter: %d\nn_candidates: %zu\nn_resources: "
                   "%lld\n",
                   itr, candidates.size(), static_cast<long long>(n_resources));
    }
    std::vector<TrainTest> iter_splits;
    if (by_samples) {
      // _SubsampleMetaSplitter: the same fraction of each split's train
      // and test rows, drawn with random_state (the same draw for the same
      // size when it is set).
      const double fraction =
          static_cast<double>(n_resources) / static_cast<double>(x.rows());
      const auto subsample = [&](const std::vector<Index>& rows) {
        Random rng = Random::FromRandomState(halving_.random_state);
        std::vector<Index> pick = rows;
        rng.Shuffle(absl::MakeSpan(pick));
        pick.resize(
            static_cast<size_t>(fraction * static_cast<double>(rows.size())));
        std::sort(pick.begin(), pick.end());
        return pick;
      };
      for (const TrainTest& split : splits) {
        iter_splits.push_back({subsample(split.train), subsample(split.test)});
      }
    } else {
      iter_splits = splits;
      for (ParamMap& c : candidates) c[halving_.resource] = n_resources;
    }
    ECLIPSERA_ASSIGN_OR_RETURN(
        const std::vector<double> means,
        evaluate(candidates, iter_splits,
                 {{"iter", itr}, {"n_resources", n_resources}}));
    // _top_k: ascending scores, NaN first, keep the last k.
    const size_t keep = static_cast<size_t>(
        std::ceil(static_cast<double>(candidates.size()) / factor));
    std::vector<size_t> order(candidates.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (std::isnan(means[a]) || std::isnan(means[b])) {
        return !std::isnan(means[a]) && std::isnan(means[b]);
      }
      return means[a] < means[b];
    });
    const auto first_nan =
        std::find_if(order.begin(), order.end(),
                     [&](size_t i) { return std::isnan(means[i]); });
    std::rotate(order.begin(), first_nan, order.end());
    std::vector<ParamMap> kept;
    for (size_t i = order.size() - std::min(keep, order.size());
         i < order.size(); ++i) {
      kept.push_back(candidates[order[i]]);
    }
    candidates = std::move(kept);
  }
  n_remaining_candidates_ = static_cast<int64_t>(candidates.size());
  return absl::OkStatus();
}

int BaseSuccessiveHalving::SelectBest(const CvResults& results,
                                      const std::string& metric) const {
  const std::vector<double> iter = results.Numbers("iter");
  const std::vector<double> mean = results.Numbers("mean_test_" + metric);
  const double last = *std::max_element(iter.begin(), iter.end());
  int best = -1;
  for (size_t i = 0; i < iter.size(); ++i) {
    if (iter[i] != last) continue;
    if (best < 0) best = static_cast<int>(i);  // all NaN: the first
    if (!std::isnan(mean[i]) &&
        (std::isnan(mean[best]) || mean[i] > mean[best])) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

HalvingGridSearchCV::HalvingGridSearchCV(const Estimator& estimator,
                                         ParameterGrid grid,
                                         std::unique_ptr<Splitter> cv,
                                         SearchOptions options,
                                         HalvingOptions halving)
    : BaseSuccessiveHalving(estimator, std::move(cv), std::move(options),
                            std::move(halving), HalvingOptions::kExhaust),
      grid_(std::move(grid)) {}

absl::StatusOr<std::vector<ParamMap>> HalvingGridSearchCV::Candidates(
    std::vector<std::string>*) const {
  constexpr size_t kMaxCandidates = 10'000'000;
  if (grid_.size() > kMaxCandidates) {
    return absl::InvalidArgumentError(
        absl::StrCat("HalvingGridSearchCV: the grid has ", grid_.size(),
                     " candidates, more than the ", kMaxCandidates,
                     " an exhaustive search takes; use "
                     "HalvingRandomSearchCV"));
  }
  return grid_.All();
}

HalvingRandomSearchCV::HalvingRandomSearchCV(const Estimator& estimator,
                                             std::vector<ParamSpace> spaces,
                                             int64_t n_candidates,
                                             std::unique_ptr<Splitter> cv,
                                             SearchOptions options,
                                             HalvingOptions halving)
    : BaseSuccessiveHalving(estimator, std::move(cv), std::move(options),
                            std::move(halving), HalvingOptions::kSmallest),
      spaces_(std::move(spaces)),
      n_candidates_first_(n_candidates) {}

absl::StatusOr<std::vector<ParamMap>> HalvingRandomSearchCV::Candidates(
    std::vector<std::string>* warnings) const {
  if (n_candidates_first_ < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "HalvingRandomSearchCV: n_candidates=", n_candidates_first_,
        " must be > 0 or 0 ('exhaust')"));
  }
  if (n_candidates_first_ == 0 &&
      halving_.min_resources == HalvingOptions::kExhaust) {
    return absl::InvalidArgumentError(
        "HalvingRandomSearchCV: n_candidates and min_resources cannot be "
        "both set to 'exhaust'.");
  }
  const int64_t n = n_candidates_first_ > 0 ? n_candidates_first_
                                            : max_resources_ / min_resources_;
  if (n > 10'000'000) {
    return absl::InvalidArgumentError(
        absl::StrCat("HalvingRandomSearchCV: ", n, " candidates are too many"));
  }
  ECLIPSERA_ASSIGN_OR_RETURN(
      ParameterSampler sampler,
      ParameterSampler::Create(spaces_, static_cast<int>(n),
                               halving_.random_state));
  return sampler.Sample(warnings);
}

}  // namespace eclipsera::model_selection
