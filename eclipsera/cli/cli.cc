// The `eclipsera` command line.
#include "eclipsera/cli/cli.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eclipsera/cli/json.h"
#include "eclipsera/cli/search_command.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/params.h"
#include "eclipsera/io/data_file.h"
#include "eclipsera/io/file.h"
#include "eclipsera/metrics/scorer.h"
#include "eclipsera/pipeline/spec.h"
#include "eclipsera/plot/scatter_svg.h"

namespace eclipsera::cli {
namespace {

constexpr char kUsage[] =
    "usage: eclipsera list\n"
    "       eclipsera help ALGO\n"
    "       eclipsera ALGO --input X.(csv|npy) [--target Y.(csv|npy)] "
    "[--predict X2.(csv|npy)]\n"
    "            [--method M] [--output OUT.(csv|npy)] [--param=value ...] "
    "[--verbose=V]\n"
    "       eclipsera pipeline --steps \"a|b(p=v, ...)|c\" --input X "
    "[--target Y] [--output OUT]\n"
    "            [--method M] [--step__param=value ...] [--verbose]\n"
    "       eclipsera search --estimator SPEC --param_grid JSON|@FILE "
    "--input X [--target Y]\n"
    "            [--search grid|random|halving_grid|halving_random] "
    "[--n_iter N] [--cv 5|SPLITTER] [--test_fold F]\n"
    "            [--factor 3] [--resource n_samples|PARAM] "
    "[--min_resources smallest|exhaust|N]\n"
    "            [--max_resources auto|N] [--aggressive_elimination] "
    "[--n_candidates exhaust|N]\n"
    "            [--enable_pool_stats]\n"
    "            [--scoring A[,B] | N1=A[,N2=B]] [--refit true|false|NAME] "
    "[--return_train_score]\n"
    "            [--n_jobs J] [--random_state R] [--cv_results OUT.(csv|json)] "
    "[--verbose V]\n"
    "       eclipsera cross_validate --estimator SPEC --input X [--target Y] "
    "[--cv ...]\n"
    "            [--scoring A[,B] | N1=A[,N2=B]] [--return_train_score] "
    "[--n_jobs J]\n"
    "       (under mpirun both also take [--shared_input] "
    "[--fit_timeout SECONDS])\n"
    "       eclipsera score --metric NAME --true Y.(csv|npy) "
    "--pred P.(csv|npy) [--sample_weight W.(csv|npy)]\n"
    "\n"
    "Fits ALGO (a scikit-learn class name, any case) on the input, writes "
    "its\n"
    "main result (labels or the transformed data) to --output, and prints "
    "one\n"
    "JSON line of fitted results. 'eclipsera help ALGO' lists the "
    "parameters.\n"
    "'eclipsera score' computes a metric from files: NAME is a scikit-learn "
    "scorer\n"
    "name (accuracy, f1_macro, roc_auc, neg_log_loss, r2, "
    "adjusted_rand_score, ...;\n"
    "losses negated, greater is better) or a loss by its metric name "
    "(log_loss,\n"
    "mean_squared_error, ...). --pred holds labels or values, or "
    "probabilities\n"
    "(one column per sorted class) and scores for the roc_auc and log_loss "
    "ones.\n"
    "'eclipsera pipeline' chains registered estimators as scikit-learn's\n"
    "make_pipeline: --steps \"standardscaler|pca(n_components=10)|"
    "kmeans(n_clusters=8)\"\n"
    "(steps named by lower-case class name; 'passthrough' skips a step), "
    "then\n"
    "runs like ALGO: labels, the transformed data, or predictions with "
    "--target.\n"
    "'eclipsera search' is scikit-learn's GridSearchCV / RandomizedSearchCV "
    "over SPEC\n"
    "(an estimator or a pipeline spec; grids name step parameters "
    "step__param);\n"
    "--param_grid maps names to lists or {\"loguniform\": [a, b]}, "
    "{\"uniform\": [loc, scale]},\n"
    "{\"randint\": [low, high]}. 'eclipsera cross_validate' prints "
    "per-fold scores.\n";

constexpr char kCommonFlags[] =
    "Common flags:\n"
    "  --input=PATH    data to fit: .csv/.txt (numbers, optional header row)"
    " or .npy\n"
    "  --output=PATH   where to write the result: .csv or .npy\n"
    "  --plot=PATH     an SVG scatter plot of the result (t-SNE embedding),\n"
    "                  or of the input's first two columns coloured by the\n"
    "                  labels found\n"
    "  --labels=PATH   labels (.csv/.npy, one per row) colouring the plot\n"
    "  --target=PATH   y, one value per input row (classifiers and "
    "regressors\n"
    "                  need it); the JSON line then has the training score\n"
    "  --predict=PATH  apply the fitted estimator to this data (default: "
    "the input)\n"
    "  --method=M      what --output holds: predict (default for "
    "classifiers,\n"
    "                  regressors; labels for clusterers), transform "
    "(default for\n"
    "                  transformers), predict_proba, predict_log_proba,\n"
    "                  decision_function or score_samples; kneighbors "
    "(default\n"
    "                  for NearestNeighbors: each row's n_neighbors nearest\n"
    "                  training rows, excluding itself without --predict) or\n"
    "                  kneighbors_distance (estimators with their own\n"
    "                  `method` parameter, as TSNE, take it instead)\n"
    "  --verbose=V     progress on stderr (passed to the algorithm's "
    "'verbose')\n";

// The command failed; `code` is the exit code.
struct Failure {
  int code;
  std::string message;
};

Failure Usage(std::string message) { return {kExitUsage, std::move(message)}; }
Failure Fail(const absl::Status& s) {
  return {kExitFailure, std::string(s.message())};
}

// Finds `algo`; a usage failure naming the available algorithms otherwise.
absl::StatusOr<const EstimatorEntry*> FindAlgorithm(
    const EstimatorRegistry& registry, absl::string_view algo) {
  if (registry.entries().empty()) {
    return absl::NotFoundError(
        absl::StrCat("unknown algorithm '", algo,
                     "'; no algorithms are registered in this build"));
  }
  absl::StatusOr<const EstimatorEntry*> entry = registry.Find(algo);
  if (!entry.ok()) {
    return absl::NotFoundError(
        absl::StrCat(entry.status().message(), " (see 'eclipsera list')"));
  }
  return entry;
}

std::string ParamNames(const Estimator& est) {
  std::vector<std::string> names;
  for (const ParamInfo& p : est.DescribeParams()) names.push_back(p.name);
  return names.empty() ? "(none)" : absl::StrJoin(names, ", ");
}

void PrintList(const EstimatorRegistry& registry, std::ostream& out) {
  if (registry.entries().empty()) {
    out << "(no algorithms registered)\n";
    return;
  }
  size_t width = 0;
  for (const EstimatorEntry& e : registry.entries()) {
    width = std::max(width, e.name.size());
  }
  for (const EstimatorEntry& e : registry.entries()) {
    out << e.name << std::string(width - e.name.size() + 2, ' ') << e.summary
        << "\n";
  }
}

std::optional<Failure> PrintHelp(const EstimatorRegistry& registry,
                                 absl::string_view algo, std::ostream& out) {
  absl::StatusOr<const EstimatorEntry*> entry = FindAlgorithm(registry, algo);
  if (!entry.ok()) return Usage(std::string(entry.status().message()));
  std::unique_ptr<Estimator> est = (*entry)->make();
  out << (*entry)->name << ": " << (*entry)->summary << "\n";
  out << "Output: "
      << ((*entry)->output == MainOutput::kLabels
              ? "labels, one integer per input row (-1 = noise)"
              : "the transformed data, one row per input row")
      << "\n\nParameters (--name=value; default shown):\n";
  std::vector<std::pair<std::string, std::string>> rows;
  size_t width = 0;
  for (const ParamInfo& p : est->DescribeParams()) {
    rows.emplace_back(
        absl::StrCat("--", p.name, "=", FormatParamValue(p.value)), p.doc);
    width = std::max(width, rows.back().first.size());
  }
  if (rows.empty()) out << "  (none)\n";
  for (const auto& [flag, doc] : rows) {
    out << "  " << flag << std::string(width - flag.size() + 2, ' ') << doc
        << "\n";
  }
  out << "\n" << kCommonFlags;
  return std::nullopt;
}

struct FitCommand {
  std::string input;
  std::string output;
  std::string plot;     // SVG scatter plot of the result (or of X's first
                        // two columns for label outputs)
  std::string labels;   // labels colouring the plot (one per row)
  std::string target;   // y for supervised estimators (one per row)
  std::string predict;  // data the fitted estimator is applied to
  std::string method;   // predict, predict_proba, decision_function, ...
  int64_t verbose = 0;
  ParamMap params;
};

// Parses the flags after ALGO. `--name=value`, or `--name value` when the
// next argument does not start with "--", or a bare `--name` (= true).
std::optional<Failure> ParseFitFlags(const std::vector<std::string>& args,
                                     const Estimator& est, FitCommand* cmd,
                                     bool* want_help) {
  std::set<std::string> valid;
  for (const ParamInfo& p : est.DescribeParams()) valid.insert(p.name);
  // A composite's nested parameters, `step__param`.
  for (const auto& [name, value] : est.GetParams(true)) valid.insert(name);
  std::set<std::string> seen;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      *want_help = true;
      return std::nullopt;
    }
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      return Usage(absl::StrCat("unexpected argument '", arg,
                                "'; flags look like --name=value"));
    }
    std::string name, value;
    bool has_value = false;
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      name = arg.substr(2, eq - 2);
      value = arg.substr(eq + 1);
      has_value = true;
    } else {
      name = arg.substr(2);
      if (i + 1 < args.size() && !absl::StartsWith(args[i + 1], "--")) {
        value = args[++i];
        has_value = true;
      }
    }
    if (!seen.insert(name).second) {
      return Usage(absl::StrCat("flag --", name, " given twice"));
    }
    if (name == "input" || name == "output" || name == "plot" ||
        name == "labels" || name == "target" || name == "predict") {
      if (!has_value || value.empty()) {
        return Usage(absl::StrCat("--", name, " needs a file name"));
      }
      (name == "input"     ? cmd->input
       : name == "output"  ? cmd->output
       : name == "plot"    ? cmd->plot
       : name == "target"  ? cmd->target
       : name == "predict" ? cmd->predict
                           : cmd->labels) = value;
      continue;
    }
    // An estimator's own `method` parameter (TSNE's 'exact' or
    // 'barnes_hut') takes the flag; its output is then its main one.
    if (name == "method" && !valid.count("method")) {
      static const std::set<std::string> kMethods = {
          "predict",           "predict_proba",      "predict_log_proba",
          "decision_function", "transform",          "score_samples",
          "kneighbors",        "kneighbors_distance"};
      if (!kMethods.count(value)) {
        return Usage(absl::StrCat(
            "--method '", value,
            "' is not one of predict, predict_proba, predict_log_proba, "
            "decision_function, transform, score_samples, kneighbors, "
            "kneighbors_distance"));
      }
      cmd->method = value;
      continue;
    }
    if (!has_value) value = "true";
    if (name == "verbose") {
      const ParamValue v = ParseParamValue(value);
      absl::StatusOr<int64_t> level = ParamAsInt("verbose", v);
      if (!level.ok()) {
        if (const bool* b = std::get_if<bool>(&v)) {
          level = *b ? 1 : 0;
        } else {
          return Usage(
              absl::StrCat("--verbose expects an integer, got '", value, "'"));
        }
      }
      cmd->verbose = *level;
      if (valid.count("verbose")) cmd->params["verbose"] = *level;
      continue;
    }
    if (!valid.count(name)) {
      return Usage(absl::StrCat(
          "unknown flag --", name, " for ", est.name(),
          "; valid parameters: ", ParamNames(est),
          "; common flags: --input, --output, --plot, --labels, --target, "
          "--predict, --method, --verbose"));
    }
    cmd->params[name] = ParseParamValue(value);
  }
  if (cmd->input.empty()) {
    return Usage(absl::StrCat("missing --input=X.csv or --input=X.npy for ",
                              est.name()));
  }
  return std::nullopt;
}

// The warnings of the last fit, one line each on stderr.
void PrintWarnings(const Estimator& est, std::ostream& err) {
  for (const std::string& w : est.warnings()) {
    err << "eclipsera: warning: " << w << "\n";
  }
}

// Converts FitPredict's labels (doubles) to integers; they must be integral.
absl::StatusOr<LabelVector> ToLabels(const Vector& v, absl::string_view algo) {
  LabelVector labels(v.size());
  for (Index i = 0; i < v.size(); ++i) {
    const double d = v(i);
    if (!(d >= std::numeric_limits<int32_t>::min() &&
          d <= std::numeric_limits<int32_t>::max() && std::floor(d) == d)) {
      return absl::InternalError(
          absl::StrCat(algo, " returned a non-integer label ", d, " for row ",
                       i, "; cannot write labels"));
    }
    labels(i) = static_cast<int32_t>(d);
  }
  return labels;
}

// `status` with "--flag " in front of its message.
Failure FailFlag(absl::string_view flag, const absl::Status& status) {
  return {kExitFailure, absl::StrCat("--", flag, " ", status.message())};
}

// Checks the files the command will write before any work is done (see
// io::CheckOutputPath): their directories exist and are writable, they are
// not directories, and none of them is an input (the data or the --labels
// file) or the other output.
std::optional<Failure> CheckOutputs(const FitCommand& cmd) {
  std::vector<std::string> inputs = {cmd.input};
  if (!cmd.labels.empty()) inputs.push_back(cmd.labels);
  if (!cmd.target.empty()) inputs.push_back(cmd.target);
  if (!cmd.predict.empty()) inputs.push_back(cmd.predict);
  if (!cmd.output.empty()) {
    if (absl::Status s = io::CheckOutputPath(cmd.output, inputs); !s.ok()) {
      return FailFlag("output", s);
    }
  }
  if (!cmd.plot.empty()) {
    if (absl::Status s = io::CheckOutputPath(cmd.plot, inputs); !s.ok()) {
      return FailFlag("plot", s);
    }
    if (!cmd.output.empty() && io::SamePath(cmd.plot, cmd.output)) {
      return Usage(absl::StrCat("--plot ", cmd.plot,
                                " is the same file as --output ", cmd.output,
                                "; give two different paths"));
    }
  }
  return std::nullopt;
}

// The estimator's fitted scalars into the JSON line, skipping the tool's
// own keys.
void AddScalars(const Estimator& est, JsonObject& json) {
  static const std::set<std::string, std::less<>> kReserved = {
      "read_seconds", "fit_seconds", "n_clusters_found", "n_noise",
      "warnings",     "score",       "method",           "predict_seconds"};
  for (const FittedScalar& s : est.FittedScalars()) {
    if (kReserved.count(s.name)) continue;
    json.Add(s.name, s.value);
  }
}

// Fit(X, y), then --method (default: predict for classifiers, regressors
// and clusterers, transform for transformers) on the --predict data or X;
// writes the result and one JSON line with the training score.
std::optional<Failure> RunApply(const EstimatorEntry* entry, Estimator& est,
                                const FitCommand& cmd, const Matrix& x,
                                const std::vector<double>& y,
                                double read_seconds, std::ostream& out,
                                std::ostream& err) {
  using Clock = std::chrono::steady_clock;
  std::string method = cmd.method;
  if (method.empty()) {
    method = entry->output == MainOutput::kTransform   ? "transform"
             : entry->output == MainOutput::kNeighbors ? "kneighbors"
                                                       : "predict";
  }
  Matrix data;
  if (!cmd.predict.empty()) {
    absl::StatusOr<Matrix> p = io::ReadMatrix(cmd.predict);
    if (!p.ok()) return Fail(p.status());
    data = *std::move(p);
  }
  const Matrix& apply_to = cmd.predict.empty() ? x : data;
  const Clock::time_point fit_start = Clock::now();
  absl::Status fit = est.Fit(x, y);
  const double fit_seconds =
      std::chrono::duration<double>(Clock::now() - fit_start).count();
  PrintWarnings(est, err);
  if (!fit.ok()) return Fail(fit);
  if (cmd.verbose > 0) {
    err << "eclipsera: fitted in " << fit_seconds << " s\neclipsera: " << method
        << " on " << (cmd.predict.empty() ? cmd.input : cmd.predict) << "\n";
  }
  const Clock::time_point apply_start = Clock::now();
  absl::StatusOr<Matrix> result = absl::UnknownError("");
  bool labels = false;
  if (method == "predict") {
    absl::StatusOr<Vector> p = est.Predict(apply_to);
    result = p.ok() ? absl::StatusOr<Matrix>(Matrix(*p))
                    : absl::StatusOr<Matrix>(p.status());
    labels = est.kind() == EstimatorKind::kClusterer ||
             est.kind() == EstimatorKind::kDensityEstimator;
  } else if (method == "predict_proba") {
    result = est.PredictProba(apply_to);
  } else if (method == "predict_log_proba") {
    result = est.PredictLogProba(apply_to);
  } else if (method == "decision_function") {
    result = est.DecisionFunction(apply_to);
  } else if (method == "transform") {
    result = est.Transform(apply_to);
  } else if (method == "kneighbors" || method == "kneighbors_distance") {
    if (entry->neighbors == nullptr) {
      return Fail(absl::InvalidArgumentError(
          absl::StrCat("--method ", method, ": ", est.name(),
                       " answers no neighbour queries (NearestNeighbors "
                       "does)")));
    }
    result = entry->neighbors(est, cmd.predict.empty() ? nullptr : &data,
                              method == "kneighbors_distance");
  } else {
    absl::StatusOr<Vector> p = est.ScoreSamples(apply_to);
    result = p.ok() ? absl::StatusOr<Matrix>(Matrix(*p))
                    : absl::StatusOr<Matrix>(p.status());
  }
  const double predict_seconds =
      std::chrono::duration<double>(Clock::now() - apply_start).count();
  if (!result.ok()) return Fail(result.status());
  if (!cmd.output.empty()) {
    absl::Status s;
    if (labels) {
      absl::StatusOr<LabelVector> l = ToLabels(result->col(0), est.name());
      if (!l.ok()) return Fail(l.status());
      s = io::WriteLabels(cmd.output, *l);
    } else {
      s = io::WriteMatrix(cmd.output, *result);
    }
    if (!s.ok()) return Fail(s);
    if (cmd.verbose > 0) err << "eclipsera: wrote " << cmd.output << "\n";
  }
  JsonObject json;
  json.Add("algorithm", est.name());
  json.Add("n_samples", static_cast<int64_t>(x.rows()));
  json.Add("n_features", static_cast<int64_t>(x.cols()));
  json.Add("method", method);
  if (!y.empty()) {
    absl::StatusOr<double> score = est.Score(x, y);
    if (score.ok()) json.Add("score", *score);
  }
  AddScalars(est, json);
  json.Add("read_seconds", read_seconds);
  json.Add("fit_seconds", fit_seconds);
  json.Add("predict_seconds", predict_seconds);
  json.AddStrings("warnings", est.warnings());
  out << json.str() << "\n";
  out.flush();
  return std::nullopt;
}

std::optional<Failure> RunEstimator(const EstimatorRegistry& registry,
                                    absl::string_view algo,
                                    const EstimatorEntry* const* entry,
                                    std::unique_ptr<Estimator> est,
                                    const std::vector<std::string>& flags,
                                    std::ostream& out, std::ostream& err);

std::optional<Failure> RunFit(const EstimatorRegistry& registry,
                              absl::string_view algo,
                              const std::vector<std::string>& flags,
                              std::ostream& out, std::ostream& err) {
  absl::StatusOr<const EstimatorEntry*> entry = FindAlgorithm(registry, algo);
  if (!entry.ok()) return Usage(std::string(entry.status().message()));
  return RunEstimator(registry, algo, &*entry, (*entry)->make(), flags, out,
                      err);
}

// `eclipsera pipeline --steps SPEC ...`: the spec's pipeline run as an
// estimator (its main output follows the last step's kind).
std::optional<Failure> RunPipeline(const EstimatorRegistry& registry,
                                   const std::vector<std::string>& args,
                                   std::ostream& out, std::ostream& err) {
  std::vector<std::string> flags;
  std::optional<std::string> spec;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-h" || args[i] == "--help") {
      out << kUsage;
      return std::nullopt;
    }
    if (absl::StartsWith(args[i], "--steps=")) {
      spec = args[i].substr(8);
    } else if (args[i] == "--steps" && i + 1 < args.size()) {
      spec = args[++i];
    } else {
      flags.push_back(args[i]);
    }
  }
  if (!spec.has_value()) {
    return Usage(
        "pipeline needs --steps \"a|b(param=value)|c\" (registered "
        "estimator names, see 'eclipsera list')");
  }
  absl::StatusOr<std::unique_ptr<pipeline::Pipeline>> pipe =
      pipeline::ParsePipelineSpec(*spec, registry);
  if (!pipe.ok()) return Usage(std::string(pipe.status().message()));
  EstimatorEntry entry;
  entry.name = "Pipeline";
  entry.summary = *spec;
  switch ((*pipe)->kind()) {
    case EstimatorKind::kClassifier:
    case EstimatorKind::kRegressor:
      entry.output = MainOutput::kPredict;
      break;
    case EstimatorKind::kTransformer:
      entry.output = MainOutput::kTransform;
      break;
    default:
      entry.output = MainOutput::kLabels;
  }
  const EstimatorEntry* e = &entry;
  return RunEstimator(registry, "pipeline", &e, *std::move(pipe), flags, out,
                      err);
}

// The command's flags, checked before anything is read: a bad flag or file
// name never costs a fit. `apply`: the generic path (Fit, then a method).
std::optional<Failure> CheckFitCommand(const EstimatorEntry& entry,
                                       const Estimator& est,
                                       const FitCommand& cmd, bool apply) {
  if (absl::StatusOr<io::DataFormat> f = io::FormatFromPath(cmd.input);
      !f.ok()) {
    return Usage(std::string(f.status().message()));
  }
  if (!cmd.output.empty()) {
    if (absl::StatusOr<io::DataFormat> f = io::FormatFromPath(cmd.output);
        !f.ok()) {
      return Usage(std::string(f.status().message()));
    }
  }
  if (!cmd.labels.empty() && cmd.plot.empty()) {
    return Usage("--labels only colours a --plot; give --plot=OUT.svg too");
  }
  const bool supervised = entry.output == MainOutput::kPredict;
  if (supervised && cmd.target.empty()) {
    return Usage(absl::StrCat(
        est.name(), " is a ", EstimatorKindName(est.kind()),
        ": it needs --target=y.(csv|npy), one value per input row"));
  }
  if (apply && !cmd.plot.empty()) {
    return Usage(
        "--plot draws a clusterer's labels or a transformer's output; it "
        "does not combine with --target, --predict or --method");
  }
  for (const std::string* path : {&cmd.target, &cmd.predict}) {
    if (path->empty()) continue;
    if (absl::StatusOr<io::DataFormat> f = io::FormatFromPath(*path); !f.ok()) {
      return Usage(std::string(f.status().message()));
    }
  }
  return CheckOutputs(cmd);
}

// --target: one value per input row.
absl::StatusOr<std::vector<double>> ReadTarget(const std::string& path,
                                               Index n_rows) {
  std::vector<double> y;
  if (path.empty()) return y;
  absl::StatusOr<Matrix> t = io::ReadMatrix(path);
  if (!t.ok()) return t.status();
  if (t->cols() != 1 || t->rows() != n_rows) {
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ": --target needs one column with one value per input "
                     "row (",
                     n_rows, "); got ", t->rows(), " x ", t->cols()));
  }
  y.assign(t->data(), t->data() + t->size());
  return y;
}

// --plot: a clusterer's input coloured by its labels (or --labels), or a
// transformer's first two output columns.
absl::Status WritePlot(const FitCommand& cmd, const Estimator& est,
                       bool labels_out, const Matrix& x,
                       const Matrix& transformed, const LabelVector& labels) {
  const Matrix& points = labels_out ? x : transformed;
  if (points.cols() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("--plot needs at least 2 columns to draw, the ",
                     labels_out ? "input has " : "result has ", points.cols()));
  }
  std::vector<double> colour;
  if (!cmd.labels.empty()) {
    absl::StatusOr<Matrix> y = io::ReadMatrix(cmd.labels);
    if (!y.ok()) return y.status();
    if (y->rows() != points.rows() || y->cols() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(cmd.labels,
                       ": --labels needs one column with one label per "
                       "input row (",
                       points.rows(), "); got ", y->rows(), " x ", y->cols()));
    }
    colour.assign(y->data(), y->data() + y->size());
  } else if (labels_out) {
    colour.assign(labels.data(), labels.data() + labels.size());
  }
  return plot::WriteScatterSvg(cmd.plot, points.leftCols(2), colour,
                               est.name());
}

// The JSON line's cluster counts: distinct non-negative labels and noise.
void AddClusterCounts(const LabelVector& labels, JsonObject& json) {
  std::set<int32_t> distinct;
  int64_t noise = 0;
  for (Index i = 0; i < labels.size(); ++i) {
    if (labels(i) >= 0) distinct.insert(labels(i));
    if (labels(i) == -1) ++noise;
  }
  json.Add("n_clusters_found", static_cast<int64_t>(distinct.size()));
  json.Add("n_noise", noise);
}

std::optional<Failure> RunEstimator(const EstimatorRegistry& registry,
                                    absl::string_view algo,
                                    const EstimatorEntry* const* entry,
                                    std::unique_ptr<Estimator> est,
                                    const std::vector<std::string>& flags,
                                    std::ostream& out, std::ostream& err) {
  FitCommand cmd;
  bool want_help = false;
  if (std::optional<Failure> f = ParseFitFlags(flags, *est, &cmd, &want_help)) {
    return f;
  }
  if (want_help) return PrintHelp(registry, algo, out);
  if (absl::Status s = est->SetParams(cmd.params); !s.ok()) {
    return Usage(std::string(s.message()));
  }
  const bool supervised = (*entry)->output == MainOutput::kPredict;
  // The generic path: Fit, then a method on --predict data (or the input).
  const bool apply = supervised || (*entry)->output == MainOutput::kNeighbors ||
                     !cmd.target.empty() || !cmd.predict.empty() ||
                     !cmd.method.empty();
  if (std::optional<Failure> f = CheckFitCommand(**entry, *est, cmd, apply)) {
    return f;
  }

  using Clock = std::chrono::steady_clock;
  const Clock::time_point read_start = Clock::now();
  absl::StatusOr<Matrix> x = io::ReadMatrix(cmd.input);
  if (!x.ok()) return Fail(x.status());
  const double read_seconds =
      std::chrono::duration<double>(Clock::now() - read_start).count();
  if (!cmd.plot.empty() && (*entry)->output == MainOutput::kLabels &&
      x->cols() < 2) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "--plot needs at least 2 columns to draw, the input has ", x->cols())));
  }
  if (cmd.verbose > 0) {
    err << "eclipsera: read " << cmd.input << " (" << x->rows() << " x "
        << x->cols() << ") in " << read_seconds << " s\neclipsera: fitting "
        << est->name() << "\n";
  }

  absl::StatusOr<std::vector<double>> y = ReadTarget(cmd.target, x->rows());
  if (!y.ok()) return Fail(y.status());
  if (apply) {
    return RunApply(*entry, *est, cmd, *x, *y, read_seconds, out, err);
  }

  JsonObject json;
  json.Add("algorithm", est->name());
  json.Add("n_samples", static_cast<int64_t>(x->rows()));
  json.Add("n_features", static_cast<int64_t>(x->cols()));
  const Clock::time_point fit_start = Clock::now();
  double fit_seconds = 0;
  LabelVector labels;
  Matrix transformed;
  if ((*entry)->output == MainOutput::kLabels) {
    absl::StatusOr<Vector> predicted = est->FitPredict(*x);
    fit_seconds =
        std::chrono::duration<double>(Clock::now() - fit_start).count();
    PrintWarnings(*est, err);
    if (!predicted.ok()) return Fail(predicted.status());
    absl::StatusOr<LabelVector> l = ToLabels(*predicted, est->name());
    if (!l.ok()) return Fail(l.status());
    labels = *std::move(l);
  } else {
    absl::StatusOr<Matrix> t = est->FitTransform(*x);
    fit_seconds =
        std::chrono::duration<double>(Clock::now() - fit_start).count();
    PrintWarnings(*est, err);
    if (!t.ok()) return Fail(t.status());
    transformed = *std::move(t);
  }
  if (cmd.verbose > 0) {
    err << "eclipsera: fitted in " << fit_seconds << " s\n";
  }

  if (!cmd.output.empty()) {
    const absl::Status s = (*entry)->output == MainOutput::kLabels
                               ? io::WriteLabels(cmd.output, labels)
                               : io::WriteMatrix(cmd.output, transformed);
    if (!s.ok()) return Fail(s);
    if (cmd.verbose > 0) err << "eclipsera: wrote " << cmd.output << "\n";
  }

  if (!cmd.plot.empty()) {
    const absl::Status s =
        WritePlot(cmd, *est, (*entry)->output == MainOutput::kLabels, *x,
                  transformed, labels);
    if (!s.ok()) return Fail(s);
    if (cmd.verbose > 0) err << "eclipsera: plotted " << cmd.plot << "\n";
  }

  const bool label_output = (*entry)->output == MainOutput::kLabels;
  // The tool's own keys win over an estimator scalar of the same name.
  AddScalars(*est, json);
  if (label_output) AddClusterCounts(labels, json);
  json.Add("read_seconds", read_seconds);
  json.Add("fit_seconds", fit_seconds);
  json.AddStrings("warnings", est->warnings());
  out << json.str() << "\n";
  out.flush();
  return std::nullopt;
}

// `eclipsera score --metric NAME --true Y --pred P [--sample_weight W]`.
std::optional<Failure> RunScore(const std::vector<std::string>& flags,
                                std::ostream& out) {
  std::map<std::string, std::string> values;
  for (size_t i = 0; i < flags.size(); ++i) {
    std::string name = flags[i], value;
    if (!absl::StartsWith(name, "--")) {
      return Usage(absl::StrCat("unexpected argument '", name,
                                "'; flags look like --name=value"));
    }
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(2, eq - 2);
    } else {
      name = name.substr(2);
      if (i + 1 < flags.size()) value = flags[++i];
    }
    if (name != "metric" && name != "true" && name != "pred" &&
        name != "sample_weight") {
      return Usage(absl::StrCat("unknown flag --", name,
                                " for score; valid flags: --metric, --true, "
                                "--pred, --sample_weight"));
    }
    if (value.empty()) return Usage(absl::StrCat("--", name, " needs a value"));
    if (!values.emplace(name, value).second) {
      return Usage(absl::StrCat("flag --", name, " given twice"));
    }
  }
  for (const char* required : {"metric", "true", "pred"}) {
    if (!values.count(required)) {
      return Usage(absl::StrCat("score needs --", required));
    }
  }
  // Losses by their metric names: the scorer's value negated back.
  static const std::map<std::string, std::string> kLosses = {
      {"log_loss", "neg_log_loss"},
      {"mean_squared_error", "neg_mean_squared_error"},
      {"root_mean_squared_error", "neg_root_mean_squared_error"},
      {"mean_absolute_error", "neg_mean_absolute_error"},
      {"median_absolute_error", "neg_median_absolute_error"}};
  const std::string& metric = values["metric"];
  const auto loss = kLosses.find(metric);
  absl::StatusOr<metrics::ScorerInfo> scorer =
      metrics::FindScorer(loss != kLosses.end() ? loss->second : metric);
  if (!scorer.ok()) {
    return Usage(absl::StrCat(
        scorer.status().message(),
        "; or a loss by its metric name: log_loss, mean_squared_error, "
        "root_mean_squared_error, mean_absolute_error, "
        "median_absolute_error"));
  }
  if (loss != kLosses.end() || metric == "max_error") scorer->sign = 1.0;
  absl::StatusOr<Matrix> y = io::ReadMatrix(values["true"]);
  if (!y.ok()) return Fail(y.status());
  if (y->cols() != 1) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(values["true"],
                     ": --true needs one column (one label "
                     "or value per sample), got ",
                     y->cols())));
  }
  absl::StatusOr<Matrix> pred = io::ReadMatrix(values["pred"]);
  if (!pred.ok()) return Fail(pred.status());
  if (pred->rows() != y->rows()) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(values["pred"], " has ", pred->rows(), " rows but ",
                     values["true"], " has ", y->rows())));
  }
  std::vector<double> weights;
  if (values.count("sample_weight")) {
    absl::StatusOr<Matrix> w = io::ReadMatrix(values["sample_weight"]);
    if (!w.ok()) return Fail(w.status());
    weights.assign(w->data(), w->data() + w->size());
  }
  const absl::Span<const double> yt(y->data(), y->rows());
  absl::StatusOr<double> value =
      metrics::ScoreOutputs(*scorer, yt, *pred, weights);
  if (!value.ok()) return Fail(value.status());
  JsonObject json;
  json.Add("metric", metric);
  json.Add("score", *value);
  out << json.str() << "\n";
  out.flush();
  return std::nullopt;
}

int Run(const std::vector<std::string>& args, const EstimatorRegistry& registry,
        std::ostream& out, std::ostream& err) {
  std::optional<Failure> failure;
  if (args.empty()) {
    failure = Usage("no command given");
  } else if (args[0] == "-h" || args[0] == "--help" ||
             (args[0] == "help" && args.size() == 1)) {
    out << kUsage;
    return kExitOk;
  } else if (args[0] == "list") {
    if (args.size() > 1) {
      failure = Usage("'list' takes no arguments");
    } else {
      PrintList(registry, out);
    }
  } else if (args[0] == "help") {
    if (args.size() > 2) {
      failure = Usage("'help' takes one algorithm name");
    } else {
      failure = PrintHelp(registry, args[1], out);
    }
  } else if (args[0] == "score") {
    failure =
        RunScore(std::vector<std::string>(args.begin() + 1, args.end()), out);
  } else if (args[0] == "search" || args[0] == "cross_validate") {
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    std::optional<CommandFailure> f =
        args[0] == "search" ? RunSearchCommand(rest, registry, out, err)
                            : RunCrossValidateCommand(rest, registry, out, err);
    if (f) failure = Failure{f->code, f->message};
  } else if (args[0] == "pipeline") {
    failure = RunPipeline(
        registry, std::vector<std::string>(args.begin() + 1, args.end()), out,
        err);
  } else if (absl::StartsWith(args[0], "-")) {
    failure =
        Usage(absl::StrCat("expected a command or an algorithm name "
                           "before flags, got '",
                           args[0], "'"));
  } else {
    failure = RunFit(registry, args[0],
                     std::vector<std::string>(args.begin() + 1, args.end()),
                     out, err);
  }
  if (!failure) return kExitOk;
  err << "eclipsera: error: " << failure->message << "\n";
  if (failure->code == kExitUsage) {
    err << "\n" << kUsage;
  }
  return failure->code;
}

}  // namespace

int RunCli(const std::vector<std::string>& args,
           const EstimatorRegistry& registry, std::ostream& out,
           std::ostream& err) {
  // Nothing below throws on bad input; this only turns an allocation
  // failure (e.g. a dataset larger than memory) into a clean exit.
  try {
    return Run(args, registry, out, err);
  } catch (const std::bad_alloc&) {
    err << "eclipsera: error: out of memory\n";
  } catch (const std::exception& e) {
    err << "eclipsera: error: " << e.what() << "\n";
  }
  return kExitFailure;
}

int RunCli(int argc, const char* const* argv, const EstimatorRegistry& registry,
           std::ostream& out, std::ostream& err) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return RunCli(args, registry, out, err);
}

}  // namespace eclipsera::cli
