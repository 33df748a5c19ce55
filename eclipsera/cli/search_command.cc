#include "eclipsera/cli/search_command.h"

#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "eclipsera/cli/cli.h"
#include "eclipsera/cli/json.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/distributed/process_group.h"
#include "eclipsera/io/data_file.h"
#include "eclipsera/io/file.h"
#include "eclipsera/model_selection/parameter_grid.h"
#include "eclipsera/model_selection/search.h"
#include "eclipsera/model_selection/split.h"
#include "eclipsera/pipeline/spec.h"

namespace eclipsera::cli {
namespace {

using Clock = std::chrono::steady_clock;

CommandFailure UsageError(std::string message) {
  return {kExitUsage, std::move(message)};
}
CommandFailure Failed(const absl::Status& s) {
  return {kExitFailure, std::string(s.message())};
}

// --name=value, --name value, or a bare --name (= "true").
absl::StatusOr<std::map<std::string, std::string>> ParseFlags(
    const std::vector<std::string>& args, const std::set<std::string>& known,
    absl::string_view command) {
  std::map<std::string, std::string> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unexpected argument '", arg, "'; flags look like --name=value"));
    }
    std::string name, value = "true";
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      name = arg.substr(2, eq - 2);
      value = arg.substr(eq + 1);
    } else {
      name = arg.substr(2);
      if (i + 1 < args.size() && !absl::StartsWith(args[i + 1], "--")) {
        value = args[++i];
      }
    }
    if (!known.count(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, " for '", command,
                       "'; valid flags: --", absl::StrJoin(known, ", --")));
    }
    if (!flags.emplace(name, value).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --", name, " given twice"));
    }
  }
  return flags;
}

// A data file, through the process group under mpirun (read on rank 0 and
// broadcast, or on every rank with --shared_input).
absl::StatusOr<Matrix> ReadData(const std::string& path, bool shared_input) {
  if (distributed::ProcessGroup* g = distributed::GetProcessGroup()) {
    return g->ReadMatrix(path, shared_input);
  }
  return io::ReadMatrix(path);
}

// Whether this process writes results (the only one, or MPI rank 0).
bool Writes() {
  const distributed::ProcessGroup* g = distributed::GetProcessGroup();
  return g == nullptr || g->rank() == 0;
}

absl::StatusOr<std::vector<double>> ReadColumn(const std::string& path,
                                               Index rows,
                                               absl::string_view flag,
                                               bool shared_input) {
  ECLIPSERA_ASSIGN_OR_RETURN(Matrix m, ReadData(path, shared_input));
  if (m.cols() != 1 || m.rows() != rows) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": --", flag, " needs one column with one value per input row (",
        rows, "); got ", m.rows(), " x ", m.cols()));
  }
  return std::vector<double>(m.data(), m.data() + m.size());
}

// What both commands share: the estimator, the data, the splitter and the
// scoring.
struct Common {
  std::unique_ptr<Estimator> estimator;
  Matrix x;
  std::vector<double> y, groups;
  std::unique_ptr<model_selection::Splitter> cv;
  std::vector<std::string> scoring;
  std::vector<std::pair<std::string, std::string>> scoring_map;
  int n_jobs = -1;
  int verbose = 0;
  bool return_train_score = false;
  bool shared_input = false;
  // Under mpirun: spreads the tasks over the ranks.
  std::shared_ptr<model_selection::TaskExecutor> executor;
};

std::optional<CommandFailure> LoadCommon(
    const std::map<std::string, std::string>& flags,
    const EstimatorRegistry& registry, Common* c) {
  const auto get = [&](const std::string& k) -> const std::string* {
    auto it = flags.find(k);
    return it == flags.end() ? nullptr : &it->second;
  };
  if (get("estimator") == nullptr) {
    return UsageError(
        "--estimator SPEC is required (an estimator name or a pipeline "
        "spec such as \"standardscaler|logisticregression(C=0.1)\")");
  }
  if (get("input") == nullptr) return UsageError("--input X is required");
  absl::StatusOr<std::unique_ptr<Estimator>> est =
      pipeline::ParseEstimatorSpec(*get("estimator"), registry);
  if (!est.ok()) return UsageError(std::string(est.status().message()));
  c->estimator = *std::move(est);
  for (const char* k : {"n_jobs", "verbose"}) {
    if (const std::string* v = get(k)) {
      int parsed = 0;
      if (!absl::SimpleAtoi(*v, &parsed)) {
        return UsageError(
            absl::StrCat("--", k, " expects an integer, got '", *v, "'"));
      }
      (std::string(k) == "n_jobs" ? c->n_jobs : c->verbose) = parsed;
    }
  }
  if (const std::string* v = get("scoring")) {
    // "accuracy,roc_auc", or name=scorer pairs (scikit-learn's dict):
    // "acc=accuracy,auc=roc_auc".
    for (absl::string_view s : absl::StrSplit(*v, ',', absl::SkipEmpty())) {
      s = absl::StripAsciiWhitespace(s);
      const size_t eq = s.find('=');
      if (eq == absl::string_view::npos) {
        c->scoring.emplace_back(s);
      } else {
        c->scoring_map.emplace_back(
            std::string(absl::StripAsciiWhitespace(s.substr(0, eq))),
            std::string(absl::StripAsciiWhitespace(s.substr(eq + 1))));
      }
    }
  }
  if (const std::string* v = get("return_train_score")) {
    c->return_train_score = *v == "true" || *v == "1";
  }
  if (const std::string* v = get("shared_input")) {
    c->shared_input = *v == "true" || *v == "1";
  }
  distributed::ExecutorOptions executor_options;
  if (const std::string* v = get("fit_timeout")) {
    if (!absl::SimpleAtod(*v, &executor_options.fit_timeout) ||
        !(executor_options.fit_timeout > 0)) {
      return UsageError(absl::StrCat(
          "--fit_timeout expects a number of seconds > 0, got '", *v, "'"));
    }
    if (distributed::GetProcessGroup() == nullptr) {
      return UsageError(
          "--fit_timeout bounds fits of a run under mpirun (a rank whose fit "
          "runs longer stops the job); a single process stops with Ctrl-C");
    }
  }
  if (distributed::ProcessGroup* g = distributed::GetProcessGroup()) {
    c->executor = g->MakeExecutor(executor_options);
  }
  absl::StatusOr<Matrix> x = ReadData(*get("input"), c->shared_input);
  if (!x.ok()) return Failed(x.status());
  c->x = *std::move(x);
  for (const char* k : {"target", "groups"}) {
    if (const std::string* path = get(k)) {
      absl::StatusOr<std::vector<double>> col =
          ReadColumn(*path, c->x.rows(), k, c->shared_input);
      if (!col.ok()) return Failed(col.status());
      (std::string(k) == "target" ? c->y : c->groups) = *std::move(col);
    }
  }
  const EstimatorKind kind = c->estimator->kind();
  if ((kind == EstimatorKind::kClassifier ||
       kind == EstimatorKind::kRegressor) &&
      c->y.empty()) {
    return UsageError(absl::StrCat(c->estimator->name(), " is a ",
                                   EstimatorKindName(kind),
                                   ": give --target=y.(csv|npy)"));
  }
  if (const std::string* folds = get("test_fold")) {
    if (get("cv") != nullptr) {
      return UsageError("give --cv or --test_fold, not both");
    }
    absl::StatusOr<std::vector<double>> f =
        ReadColumn(*folds, c->x.rows(), "test_fold", c->shared_input);
    if (!f.ok()) return Failed(f.status());
    std::vector<int64_t> test_fold;
    for (double v : *f) {
      if (!std::isfinite(v) || v != std::floor(v) || v < -1 || v > 1e9) {
        return Failed(absl::InvalidArgumentError(absl::StrCat(
            *folds, ": --test_fold holds ", v,
            "; entries are fold numbers (integers >= 0) or -1 (always in "
            "training)")));
      }
      test_fold.push_back(static_cast<int64_t>(v));
    }
    c->cv = std::make_unique<model_selection::PredefinedSplit>(test_fold);
  } else {
    absl::StatusOr<std::unique_ptr<model_selection::Splitter>> cv =
        model_selection::ParseSplitter(get("cv") ? *get("cv") : "5", kind);
    if (!cv.ok()) return UsageError(std::string(cv.status().message()));
    c->cv = *std::move(cv);
  }
  return std::nullopt;
}

std::string Numbers(const std::vector<double>& v) {
  std::vector<std::string> parts;
  for (double d : v) parts.push_back(JsonNumber(d));
  return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
}

// Ranks, tasks per rank and the broadcast cost of a run under mpirun.
void AddDistribution(JsonObject& json) {
  if (const distributed::ProcessGroup* g = distributed::GetProcessGroup()) {
    json.AddRaw("distributed", g->ReportJson());
  }
}

void AddPoolStatistics(const pool::PoolStatistics& s, JsonObject& json) {
  json.AddRaw("pool_statistics",
              absl::StrCat("{\"allocations\": ", s.objects_created,
                           ", \"acquisitions\": ", s.acquisitions,
                           ", \"hits\": ", s.hits, ", \"misses\": ", s.misses,
                           ", \"resets\": ", s.resets,
                           ", \"hit_rate\": ", JsonNumber(s.hit_rate()), "}"));
}

}  // namespace

std::optional<CommandFailure> RunSearchCommand(
    const std::vector<std::string>& args, const EstimatorRegistry& registry,
    std::ostream& out, std::ostream& err) {
  static const std::set<std::string> kKnown = {"estimator",
                                               "param_grid",
                                               "search",
                                               "n_iter",
                                               "cv",
                                               "test_fold",
                                               "scoring",
                                               "refit",
                                               "n_jobs",
                                               "random_state",
                                               "input",
                                               "target",
                                               "groups",
                                               "cv_results",
                                               "verbose",
                                               "return_train_score",
                                               "shared_input",
                                               "fit_timeout",
                                               "factor",
                                               "resource",
                                               "min_resources",
                                               "max_resources",
                                               "aggressive_elimination",
                                               "n_candidates",
                                               "enable_pool_stats"};
  absl::StatusOr<std::map<std::string, std::string>> flags =
      ParseFlags(args, kKnown, "search");
  if (!flags.ok()) return UsageError(std::string(flags.status().message()));
  const auto get = [&](const std::string& k) -> const std::string* {
    auto it = flags->find(k);
    return it == flags->end() ? nullptr : &it->second;
  };
  if (get("param_grid") == nullptr) {
    return UsageError(
        "--param_grid is required: JSON such as '{\"C\": [0.1, 1, 10]}' or "
        "@grid.json");
  }
  std::string grid_text = *get("param_grid");
  if (absl::StartsWith(grid_text, "@")) {
    const std::string* shared = get("shared_input");
    distributed::ProcessGroup* g = distributed::GetProcessGroup();
    absl::StatusOr<std::string> text =
        g != nullptr ? g->ReadText(grid_text.substr(1),
                                   shared != nullptr && *shared != "false")
                     : io::ReadFileToString(grid_text.substr(1));
    if (!text.ok()) return Failed(text.status());
    grid_text = *std::move(text);
  }
  absl::StatusOr<std::vector<model_selection::ParamSpace>> spaces =
      model_selection::ParseParamSpaces(grid_text);
  if (!spaces.ok()) return UsageError(std::string(spaces.status().message()));
  const std::string search = get("search") ? *get("search") : "grid";
  const bool halving = search == "halving_grid" || search == "halving_random";
  if (search != "grid" && search != "random" && !halving) {
    return UsageError(
        absl::StrCat("--search '", search,
                     "' is not supported; use grid, random, halving_grid or "
                     "halving_random"));
  }
  model_selection::HalvingOptions halving_options;
  int64_t n_candidates = 0;  // 'exhaust'
  for (const char* k : {"factor", "resource", "min_resources", "max_resources",
                        "aggressive_elimination", "n_candidates"}) {
    if (get(k) != nullptr && !halving) {
      return UsageError(absl::StrCat(
          "--", k, " applies to --search halving_grid or halving_random"));
    }
  }
  if (const std::string* v = get("factor");
      v && !absl::SimpleAtod(*v, &halving_options.factor)) {
    return UsageError(
        absl::StrCat("--factor expects a number, got '", *v, "'"));
  }
  if (const std::string* v = get("resource")) halving_options.resource = *v;
  if (const std::string* v = get("min_resources")) {
    if (*v == "smallest") {
      halving_options.min_resources =
          model_selection::HalvingOptions::kSmallest;
    } else if (*v == "exhaust") {
      halving_options.min_resources = model_selection::HalvingOptions::kExhaust;
    } else if (!absl::SimpleAtoi(*v, &halving_options.min_resources) ||
               halving_options.min_resources < 1) {
      return UsageError(absl::StrCat(
          "--min_resources expects smallest, exhaust or a count >= 1, got '",
          *v, "'"));
    }
  }
  if (const std::string* v = get("max_resources"); v && *v != "auto") {
    if (!absl::SimpleAtoi(*v, &halving_options.max_resources) ||
        halving_options.max_resources < 1) {
      return UsageError(absl::StrCat(
          "--max_resources expects auto or a count >= 1, got '", *v, "'"));
    }
  }
  if (const std::string* v = get("aggressive_elimination")) {
    halving_options.aggressive_elimination = *v == "true" || *v == "1";
  }
  if (const std::string* v = get("n_candidates"); v && *v != "exhaust") {
    if (!absl::SimpleAtoi(*v, &n_candidates) || n_candidates < 1) {
      return UsageError(absl::StrCat(
          "--n_candidates expects exhaust or a count >= 1, got '", *v, "'"));
    }
  }
  int n_iter = 10;
  if (const std::string* v = get("n_iter");
      v && !absl::SimpleAtoi(*v, &n_iter)) {
    return UsageError(
        absl::StrCat("--n_iter expects an integer, got '", *v, "'"));
  }
  std::optional<int64_t> random_state;
  if (const std::string* v = get("random_state")) {
    int64_t r = 0;
    if (!absl::SimpleAtoi(*v, &r)) {
      return UsageError(
          absl::StrCat("--random_state expects an integer, got '", *v, "'"));
    }
    random_state = r;
  }
  if (get("input") == nullptr) return UsageError("--input X is required");
  if (const std::string* path = get("cv_results")) {
    const std::string ext = io::FileExtension(*path);
    if (ext != ".csv" && ext != ".json") {
      return UsageError(absl::StrCat("--cv_results ", *path,
                                     ": the file must end in .csv or .json"));
    }
    std::vector<std::string> inputs = {*get("input")};
    if (get("target")) inputs.push_back(*get("target"));
    // Only the writing process checks; under mpirun every rank hears
    // rank 0's verdict, so all stop or none.
    absl::Status s =
        Writes() ? io::CheckOutputPath(*path, inputs) : absl::OkStatus();
    if (distributed::ProcessGroup* g = distributed::GetProcessGroup()) {
      s = g->ShareStatus(s);
    }
    if (!s.ok()) return Failed(s);
  }
  Common c;
  if (std::optional<CommandFailure> f = LoadCommon(*flags, registry, &c)) {
    return f;
  }
  model_selection::SearchOptions options;
  options.scoring = c.scoring;
  options.scoring_map = c.scoring_map;
  options.n_jobs = c.n_jobs;
  options.verbose = c.verbose;
  options.return_train_score = c.return_train_score;
  options.groups = c.groups;
  options.executor = c.executor;
  if (const std::string* v = get("enable_pool_stats")) {
    options.enable_pool_stats = *v == "true" || *v == "1";
  }
  if (const std::string* v = get("refit")) {
    if (*v == "false") {
      options.refit = false;
    } else if (*v != "true") {
      options.refit_metric = *v;
    }
  }
  halving_options.random_state = random_state;
  std::unique_ptr<model_selection::BaseSearchCV> searcher;
  if (search == "halving_grid") {
    absl::StatusOr<model_selection::ParameterGrid> grid =
        model_selection::ParameterGrid::Create(*spaces);
    if (!grid.ok()) return UsageError(std::string(grid.status().message()));
    searcher = std::make_unique<model_selection::HalvingGridSearchCV>(
        *c.estimator, *std::move(grid), std::move(c.cv), options,
        halving_options);
  } else if (search == "halving_random") {
    searcher = std::make_unique<model_selection::HalvingRandomSearchCV>(
        *c.estimator, *std::move(spaces), n_candidates, std::move(c.cv),
        options, halving_options);
  } else if (search == "grid") {
    absl::StatusOr<model_selection::ParameterGrid> grid =
        model_selection::ParameterGrid::Create(*spaces);
    if (!grid.ok()) return UsageError(std::string(grid.status().message()));
    searcher = std::make_unique<model_selection::GridSearchCV>(
        *c.estimator, *std::move(grid), std::move(c.cv), options);
  } else {
    absl::StatusOr<model_selection::ParameterSampler> sampler =
        model_selection::ParameterSampler::Create(*spaces, n_iter,
                                                  random_state);
    if (!sampler.ok()) {
      return UsageError(std::string(sampler.status().message()));
    }
    searcher = std::make_unique<model_selection::RandomizedSearchCV>(
        *c.estimator, *std::move(sampler), std::move(c.cv), options);
  }
  const Clock::time_point start = Clock::now();
  absl::Status fit = searcher->Fit(c.x, c.y);
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  if (!fit.ok()) return Failed(fit);
  for (const std::string& w : searcher->warnings()) {
    if (c.verbose == 0) err << "eclipsera: warning: " << w << "\n";
  }
  if (const std::string* path = get("cv_results"); path && Writes()) {
    const model_selection::CvResults& r = searcher->cv_results();
    absl::Status s = io::WriteStringToFile(
        *path,
        io::FileExtension(*path) == ".json" ? r.ToJson() + "\n" : r.ToCsv());
    if (!s.ok()) return Failed(s);
  }
  JsonObject json;
  json.AddRaw("best_params",
              model_selection::ParamsToJson(searcher->best_params()));
  json.Add("best_score", searcher->best_score());
  json.Add("best_index", static_cast<int64_t>(searcher->best_index()));
  json.Add("n_candidates",
           static_cast<int64_t>(searcher->cv_results().n_candidates()));
  json.Add("n_splits", static_cast<int64_t>(searcher->n_splits()));
  json.Add("fit_seconds", seconds);
  json.Add("refit_seconds", searcher->refit_time());
  if (const auto* h =
          dynamic_cast<const model_selection::BaseSuccessiveHalving*>(
              searcher.get())) {
    const auto ints = [](const std::vector<int64_t>& v) {
      return absl::StrCat("[", absl::StrJoin(v, ", "), "]");
    };
    json.AddRaw("n_resources", ints(h->n_resources()));
    json.AddRaw("n_candidates_per_iteration", ints(h->n_candidates()));
  }
  AddPoolStatistics(searcher->pool_statistics(), json);
  AddDistribution(json);
  json.AddStrings("warnings", searcher->warnings());
  out << json.str() << "\n";
  out.flush();
  return std::nullopt;
}

std::optional<CommandFailure> RunCrossValidateCommand(
    const std::vector<std::string>& args, const EstimatorRegistry& registry,
    std::ostream& out, std::ostream& err) {
  static const std::set<std::string> kKnown = {
      "estimator", "cv",           "test_fold",
      "scoring",   "n_jobs",       "input",
      "target",    "groups",       "return_train_score",
      "verbose",   "shared_input", "fit_timeout"};
  absl::StatusOr<std::map<std::string, std::string>> flags =
      ParseFlags(args, kKnown, "cross_validate");
  if (!flags.ok()) return UsageError(std::string(flags.status().message()));
  Common c;
  if (std::optional<CommandFailure> f = LoadCommon(*flags, registry, &c)) {
    return f;
  }
  model_selection::CvOptions options;
  options.scoring = c.scoring;
  options.scoring_map = c.scoring_map;
  options.n_jobs = c.n_jobs;
  options.verbose = c.verbose;
  options.return_train_score = c.return_train_score;
  options.groups = c.groups;
  options.executor = c.executor;
  const Clock::time_point start = Clock::now();
  absl::StatusOr<model_selection::CrossValidateResult> r =
      model_selection::CrossValidate(*c.estimator, c.x, c.y, *c.cv, options);
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  if (!r.ok()) return Failed(r.status());
  for (const std::string& w : r->warnings) {
    err << "eclipsera: warning: " << w << "\n";
  }
  JsonObject json;
  json.Add("estimator", c.estimator->name());
  json.Add("n_splits", static_cast<int64_t>(r->fit_time.size()));
  json.AddRaw("fit_time", Numbers(r->fit_time));
  json.AddRaw("score_time", Numbers(r->score_time));
  for (const auto& [name, scores] : r->scores) {
    json.AddRaw(name, Numbers(scores));
  }
  json.Add("seconds", seconds);
  AddPoolStatistics(r->pool_statistics, json);
  AddDistribution(json);
  json.AddStrings("warnings", r->warnings);
  out << json.str() << "\n";
  out.flush();
  return std::nullopt;
}

}  // namespace eclipsera::cli
