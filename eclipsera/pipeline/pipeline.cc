#include "eclipsera/pipeline/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <type_traits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/pool/pooling_switch.h"

namespace eclipsera::pipeline {
namespace {

constexpr char kPassthrough[] = "passthrough";

using ConstStridedMap =
    Eigen::Map<const Matrix, Eigen::Unaligned, Eigen::OuterStride<>>;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

absl::Status CheckMemory(std::optional<int64_t> memory) {
  if (memory.has_value() && *memory < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Pipeline: memory = ", *memory,
        ", must be None (no caching) or the byte budget (>= 1) of the "
        "in-process cache of fitted transformers"));
  }
  return absl::OkStatus();
}

bool IsPassthrough(const ParamValue& v) {
  const std::string* s = std::get_if<std::string>(&v);
  return s != nullptr && *s == kPassthrough;
}

absl::Status CheckStepNames(const std::vector<PipelineStep>& steps) {
  if (steps.empty()) {
    return absl::InvalidArgumentError(
        "Pipeline: needs at least one step (a list of (name, estimator))");
  }
  std::vector<std::string> seen;
  for (const PipelineStep& s : steps) {
    if (s.name.empty()) {
      return absl::InvalidArgumentError("Pipeline: a step name is empty");
    }
    if (absl::StrContains(s.name, "__")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Pipeline: step name '", s.name,
          "' contains '__' (reserved for nested parameters step__param)"));
    }
    if (s.name == "steps" || s.name == "verbose" || s.name == "memory") {
      return absl::InvalidArgumentError(
          absl::StrCat("Pipeline: step name '", s.name,
                       "' conflicts with a constructor argument (steps, "
                       "memory, verbose)"));
    }
    if (std::find(seen.begin(), seen.end(), s.name) != seen.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Pipeline: step names must be unique; '", s.name, "' appears twice"));
    }
    seen.push_back(s.name);
  }
  return absl::OkStatus();
}

// Whether `work` can take `proto`'s parameters and become its equal: the
// same class with the same parameter names, none an estimator (a nested
// composite may differ in structure; it is cloned instead).
bool SameShape(const Estimator& work, const Estimator& proto) {
  if (work.name() != proto.name()) return false;
  const ParamMap a = work.GetParams(false), b = proto.GetParams(false);
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (ia->first != ib->first ||
        std::holds_alternative<EstimatorParam>(ia->second) ||
        std::holds_alternative<EstimatorParam>(ib->second)) {
      return false;
    }
  }
  return true;
}

// The buffer step's output goes to: the other one, or (a step that
// transforms in place, reading one of our buffers, not the caller's X) the
// same one, so an elementwise step costs no second buffer.
int NextBuffer(const Estimator& step, int which, Index cols) {
  if (which >= 0 && step.transforms_in_place() &&
      step.n_features_out() == cols) {
    return which;
  }
  return which == 0 ? 1 : 0;
}

}  // namespace

PipelineStep Step(std::string name, const Estimator& estimator) {
  return {std::move(name), MakeEstimatorParam(estimator)};
}

PipelineStep Passthrough(std::string name) { return {std::move(name), {}}; }

Eigen::Map<Matrix> BufferPair::Get(int which, Index rows, Index cols) {
  std::vector<double>& v = storage_[which];
  const size_t need = static_cast<size_t>(rows) * static_cast<size_t>(cols);
  if (v.size() < need) {
    // Grow only; the old contents are not needed.
    std::vector<double>().swap(v);
    v.resize(need);
  }
  return Eigen::Map<Matrix>(v.data(), rows, cols);
}

size_t BufferPair::bytes() const {
  return (storage_[0].capacity() + storage_[1].capacity()) * sizeof(double);
}

std::string MessageWithTime(absl::string_view source, absl::string_view message,
                            double seconds) {
  const std::string start = absl::StrCat("[", source, "] ");
  const std::string time = seconds > 60
                               ? absl::StrFormat("%4.1fmin", seconds / 60)
                               : absl::StrFormat(" %5.1fs", seconds);
  const std::string end = absl::StrCat(" ", message, ", total=", time);
  const int dots = 70 - static_cast<int>(start.size() + end.size());
  return absl::StrCat(start, std::string(std::max(dots, 0), '.'), end);
}

std::vector<std::string> NameSteps(
    const std::vector<std::string>& class_names) {
  std::vector<std::string> names;
  std::map<std::string, int> count;
  for (const std::string& c : class_names) {
    names.push_back(absl::AsciiStrToLower(c));
    ++count[names.back()];
  }
  // Duplicated names get "-1", "-2", ... in order of appearance.
  std::map<std::string, int> next;
  for (std::string& n : names) {
    if (count[n] > 1) n = absl::StrCat(n, "-", ++next[n]);
  }
  return names;
}

absl::StatusOr<std::unique_ptr<Pipeline>> MakePipeline(
    const std::vector<const Estimator*>& estimators, bool verbose) {
  std::vector<std::string> classes;
  for (const Estimator* e : estimators) {
    classes.push_back(e == nullptr ? kPassthrough : e->name());
  }
  const std::vector<std::string> names = NameSteps(classes);
  std::vector<PipelineStep> steps;
  for (size_t i = 0; i < estimators.size(); ++i) {
    steps.push_back(estimators[i] == nullptr ? Passthrough(names[i])
                                             : Step(names[i], *estimators[i]));
  }
  return Pipeline::Create(std::move(steps), verbose);
}

absl::StatusOr<std::unique_ptr<Pipeline>> Pipeline::Create(
    std::vector<PipelineStep> steps, bool verbose,
    std::optional<int64_t> memory) {
  ECLIPSERA_RETURN_IF_ERROR(CheckStepNames(steps));
  ECLIPSERA_RETURN_IF_ERROR(CheckMemory(memory));
  std::shared_ptr<TransformerCache> cache;
  if (memory.has_value()) cache = std::make_shared<TransformerCache>(*memory);
  return std::unique_ptr<Pipeline>(
      new Pipeline(std::move(steps), verbose, memory, std::move(cache)));
}

Pipeline::Pipeline(std::vector<PipelineStep> steps, bool verbose,
                   std::optional<int64_t> memory,
                   std::shared_ptr<TransformerCache> cache)
    : steps_(std::move(steps)),
      memory_(memory),
      cache_(std::move(cache)),
      verbose_(verbose),
      pooling_disabled_(pool::PoolingDisabled()) {
  for (const PipelineStep& s : steps_) {
    work_.push_back(s.estimator.prototype == nullptr
                        ? nullptr
                        : s.estimator.prototype->Clone());
  }
  shared_.assign(steps_.size(), false);
}

void Pipeline::Unshare(size_t i) {
  if (!shared_[i]) return;
  work_[i] = steps_[i].estimator.prototype->Clone();
  shared_[i] = false;
}

CacheStatistics Pipeline::cache_statistics() const {
  return cache_ == nullptr ? CacheStatistics() : cache_->statistics();
}

const Estimator* Pipeline::named_step(absl::string_view name) const {
  for (size_t i = 0; i < steps_.size(); ++i) {
    if (steps_[i].name == name) return work_[i].get();
  }
  return nullptr;
}

size_t Pipeline::buffer_bytes() const {
  std::lock_guard<std::mutex> lock(buffers_mu_);
  return buffers_.bytes();
}

EstimatorKind Pipeline::kind() const {
  return last() == nullptr ? EstimatorKind::kTransformer : last()->kind();
}

bool Pipeline::supports_sample_weight() const {
  return last() != nullptr && last()->supports_sample_weight();
}

bool Pipeline::allows_nan() const {
  for (const auto& w : work_) {
    if (w != nullptr) return w->allows_nan();
  }
  return false;
}

absl::Span<const double> Pipeline::classes() const {
  return last() == nullptr ? absl::Span<const double>() : last()->classes();
}

Index Pipeline::n_features_out() const {
  if (!fitted_) return 0;
  // A trailing passthrough passes the last transformer's output on.
  for (size_t i = work_.size(); i-- > 0;) {
    if (work_[i] != nullptr) return work_[i]->n_features_out();
  }
  return n_features_in_;
}

std::vector<ParamInfo> Pipeline::DescribeParams() const {
  std::vector<ParamInfo> out;
  out.push_back({"memory",
                 memory_.has_value() ? ParamValue(*memory_) : ParamValue(),
                 "None, or the byte budget of an in-process cache of fitted "
                 "transformers shared by clones (a search refits earlier "
                 "steps once per fold)"});
  out.push_back({"verbose", verbose_,
                 "print each step's fit time on stderr, scikit-learn's "
                 "format"});
  for (const PipelineStep& s : steps_) {
    out.push_back({s.name,
                   s.estimator.prototype == nullptr
                       ? ParamValue(std::string(kPassthrough))
                       : ParamValue(s.estimator),
                   "a step: an estimator or 'passthrough'; its parameters "
                   "are set as " +
                       s.name + "__param"});
  }
  return out;
}

std::unique_ptr<Estimator> Pipeline::Clone() const {
  // Clones share the cache, as scikit-learn's clones share a memory
  // directory.
  return std::unique_ptr<Estimator>(
      new Pipeline(steps_, verbose_, memory_, cache_));
}

void Pipeline::Reset() {
  for (size_t i = 0; i < work_.size(); ++i) {
    if (shared_[i]) {
      Unshare(i);
    } else if (work_[i] != nullptr) {
      work_[i]->Reset();
    }
  }
  fitted_ = false;
  n_features_in_ = 0;
  fit_input_which_ = -1;
}

FittedScalarList Pipeline::FittedScalars() const {
  return last() == nullptr ? FittedScalarList() : last()->FittedScalars();
}

ParamMap Pipeline::DoGetParams() const {
  ParamMap out;
  out.emplace("memory",
              memory_.has_value() ? ParamValue(*memory_) : ParamValue());
  out.emplace("verbose", verbose_);
  for (const PipelineStep& s : steps_) {
    if (s.estimator.prototype == nullptr) {
      out.emplace(s.name, std::string(kPassthrough));
    } else {
      out.emplace(s.name, s.estimator);
    }
  }
  return out;
}

absl::Status Pipeline::DoSetParams(const ParamMap& params) {
  // Check everything first: all or nothing.
  bool verbose = verbose_;
  std::optional<int64_t> memory = memory_;
  std::vector<PipelineStep> steps = steps_;
  for (const auto& [name, value] : params) {
    if (name == "memory") {
      if (std::holds_alternative<std::monostate>(value)) {
        memory.reset();
      } else {
        absl::StatusOr<int64_t> bytes = ParamAsInt("memory", value);
        if (!bytes.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "Pipeline: memory must be None or a byte budget (an integer "
              ">= 1), got ",
              FormatParamValue(value)));
        }
        memory = *bytes;
      }
      ECLIPSERA_RETURN_IF_ERROR(CheckMemory(memory));
      continue;
    }
    if (name == "verbose") {
      // A bool, or a verbosity level as the command line gives it.
      if (const int64_t* level = std::get_if<int64_t>(&value)) {
        verbose = *level > 0;
      } else {
        ECLIPSERA_ASSIGN_OR_RETURN(verbose, ParamAsBool("verbose", value));
      }
      continue;
    }
    // (A named copy: C++17 lambdas cannot capture structured bindings.)
    const std::string& key = name;
    auto it =
        std::find_if(steps.begin(), steps.end(),
                     [&](const PipelineStep& s) { return s.name == key; });
    if (it == steps.end()) {
      std::vector<std::string> valid = {"memory", "verbose"};
      for (const PipelineStep& s : steps) valid.push_back(s.name);
      return absl::InvalidArgumentError(absl::StrCat(
          "Pipeline: unknown parameter '", name, "'; valid parameters: ",
          absl::StrJoin(valid, ", "), " and step__param for a step's own"));
    }
    if (IsPassthrough(value)) {
      it->estimator = {};
      continue;
    }
    const EstimatorParam* e = std::get_if<EstimatorParam>(&value);
    if (e == nullptr || e->prototype == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Pipeline: step '", name, "' must be set to an estimator or '",
          kPassthrough, "', got ", FormatParamValue(value)));
    }
    it->estimator = *e;
  }
  verbose_ = verbose;
  if (memory != memory_) {
    memory_ = memory;
    cache_ = memory.has_value() ? std::make_shared<TransformerCache>(*memory)
                                : nullptr;
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    const std::shared_ptr<const Estimator>& proto =
        steps[i].estimator.prototype;
    const bool shared = shared_[i];
    shared_[i] = false;
    if (proto == nullptr) {
      work_[i] = nullptr;
    } else if (work_[i] != nullptr && !shared && SameShape(*work_[i], *proto)) {
      // Same class and parameter names, none estimator-valued: set its
      // parameters, keeping its workspaces (what a search's per-candidate
      // SetParams relies on).
      if (!work_[i]->SetParams(proto->GetParams(false)).ok()) {
        work_[i] = proto->Clone();
      }
    } else {
      work_[i] = proto->Clone();
    }
  }
  steps_ = std::move(steps);
  Reset();
  return absl::OkStatus();
}

void Pipeline::PrintStepTime(size_t i, double seconds) const {
  if (!verbose_) return;
  const std::string line =
      MessageWithTime("Pipeline",
                      absl::StrCat("(step ", i + 1, " of ", steps_.size(),
                                   ") Processing ", steps_[i].name),
                      seconds);
  std::fprintf(stderr, "%s\n", line.c_str());
}

absl::Status Pipeline::FitIntermediate(const ConstMatrixRef& x,
                                       absl::Span<const double> y) {
  std::lock_guard<std::mutex> lock(buffers_mu_);
  // Pooling disabled: fresh buffers for every fit (the allocating
  // behaviour), otherwise the kept ones.
  if (pooling_disabled_) buffers_ = BufferPair();
  BufferPair& buffers = buffers_;
  n_features_in_ = x.cols();
  View cur{x.data(), x.rows(), x.cols(), x.outerStride()};
  int which = -1;
  // The cache key of a step: its input's fingerprint (X's, then the
  // previous real step's output's) and its StructureKey.
  std::string input_key;
  if (cache_ != nullptr) input_key = DataFingerprint(x, y);
  for (size_t i = 0; i + 1 < steps_.size(); ++i) {
    const auto start = std::chrono::steady_clock::now();
    std::string key;
    if (work_[i] != nullptr && cache_ != nullptr) {
      key = absl::StrCat(input_key, "|", steps_[i].estimator.key);
      if (std::optional<TransformerCache::Entry> hit = cache_->Lookup(key)) {
        // Shared with the cache: only read from now on (see Unshare). No
        // verbose line, as scikit-learn prints none for a memoized step.
        work_[i] = std::const_pointer_cast<Estimator>(hit->fitted);
        shared_[i] = true;
        const Matrix& o = *hit->output;
        const int next = NextBuffer(*work_[i], which, cur.cols);
        Eigen::Map<Matrix> out = buffers.Get(next, o.rows(), o.cols());
        out = o;
        cur = {out.data(), out.rows(), out.cols(), out.cols()};
        which = next;
        input_key = hit->output_key;
        continue;
      }
    }
    if (work_[i] != nullptr) Unshare(i);
    Estimator* step = work_[i].get();
    if (step != nullptr) {
      const ConstStridedMap in(cur.data, cur.rows, cur.cols,
                               Eigen::OuterStride<>(cur.stride));
      ECLIPSERA_RETURN_IF_ERROR(step->Fit(in, y));
      if (step->n_features_out() == 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Pipeline: all intermediate steps must be transformers (have "
            "Transform) or 'passthrough'; step '",
            steps_[i].name, "' (", step->name(), ") has no Transform"));
      }
      const int next = NextBuffer(*step, which, cur.cols);
      Eigen::Map<Matrix> out =
          buffers.Get(next, cur.rows, step->n_features_out());
      ECLIPSERA_RETURN_IF_ERROR(step->TransformInto(in, out));
      if (cache_ != nullptr) {
        TransformerCache::Entry mine{work_[i],
                                     std::make_shared<const Matrix>(out),
                                     DataFingerprint(out, y)};
        input_key = mine.output_key;
        if (std::optional<TransformerCache::Entry> stored =
                cache_->Insert(key, std::move(mine))) {
          if (stored->fitted != work_[i]) {
            // Another pipeline stored this step first: continue from its
            // fit and output, so the cache's chains stay consistent.
            work_[i] = std::const_pointer_cast<Estimator>(stored->fitted);
            out = *stored->output;
            input_key = stored->output_key;
          }
          shared_[i] = true;
        }
      }
      cur = {out.data(), out.rows(), out.cols(), out.cols()};
      which = next;
    }
    PrintStepTime(i, SecondsSince(start));
  }
  fit_input_which_ = which;
  fit_input_rows_ = cur.rows;
  fit_input_cols_ = cur.cols;
  return absl::OkStatus();
}

absl::Status Pipeline::DoFit(const ConstMatrixRef& x,
                             absl::Span<const double> y, const FitArgs& args) {
  ECLIPSERA_RETURN_IF_ERROR(FitIntermediate(x, y));
  const auto start = std::chrono::steady_clock::now();
  if (Estimator* final_step = work_.back().get(); final_step != nullptr) {
    std::lock_guard<std::mutex> lock(buffers_mu_);
    if (fit_input_which_ < 0) {
      ECLIPSERA_RETURN_IF_ERROR(final_step->Fit(x, y, args));
    } else {
      ECLIPSERA_RETURN_IF_ERROR(final_step->Fit(
          buffers_.Get(fit_input_which_, fit_input_rows_, fit_input_cols_), y,
          args));
    }
  }
  PrintStepTime(steps_.size() - 1, SecondsSince(start));
  CollectStepWarnings();
  fitted_ = true;
  return absl::OkStatus();
}

void Pipeline::CollectStepWarnings() {
  for (size_t i = 0; i < work_.size(); ++i) {
    if (work_[i] == nullptr) continue;
    for (const std::string& w : work_[i]->warnings()) {
      AddWarning(absl::StrCat(steps_[i].name, ": ", w));
    }
  }
}

absl::StatusOr<Vector> Pipeline::DoFitPredict(const ConstMatrixRef& x,
                                              absl::Span<const double> y) {
  Estimator* final_step = work_.back().get();
  if (final_step == nullptr) return NoLastStep("FitPredict");
  std::lock_guard<std::mutex> lock(buffers_mu_);
  if (fit_input_which_ < 0) return FitPredictOf(*final_step, x, y);
  return FitPredictOf(
      *final_step,
      buffers_.Get(fit_input_which_, fit_input_rows_, fit_input_cols_), y);
}

absl::StatusOr<Matrix> Pipeline::DoFitTransform(const ConstMatrixRef& x,
                                                absl::Span<const double> y,
                                                const FitArgs& args) {
  ClearWarnings();
  Reset();
  absl::Status s = CheckFitArguments(x, y, args);
  if (s.ok()) s = FitIntermediate(x, y);
  if (!s.ok()) {
    Reset();
    return s;
  }
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<Matrix> out;
  Estimator* final_step = work_.back().get();
  {
    std::lock_guard<std::mutex> lock(buffers_mu_);
    if (fit_input_which_ < 0) {
      out = final_step != nullptr ? final_step->FitTransform(x, y, args)
                                  : absl::StatusOr<Matrix>(Matrix(x));
    } else {
      Eigen::Map<Matrix> buf =
          buffers_.Get(fit_input_which_, fit_input_rows_, fit_input_cols_);
      out = final_step != nullptr ? final_step->FitTransform(buf, y, args)
                                  : absl::StatusOr<Matrix>(Matrix(buf));
    }
  }
  if (!out.ok()) {
    Reset();
    return out;
  }
  PrintStepTime(steps_.size() - 1, SecondsSince(start));
  CollectStepWarnings();
  fitted_ = true;
  return out;
}

absl::Status Pipeline::TransformThrough(const ConstMatrixRef& x,
                                        size_t n_transform, BufferPair& buffers,
                                        View* result, int* which) const {
  View cur{x.data(), x.rows(), x.cols(), x.outerStride()};
  *which = -1;
  for (size_t i = 0; i < n_transform; ++i) {
    const Estimator* step = work_[i].get();
    if (step == nullptr) continue;
    const ConstStridedMap in(cur.data, cur.rows, cur.cols,
                             Eigen::OuterStride<>(cur.stride));
    const int next = NextBuffer(*step, *which, cur.cols);
    Eigen::Map<Matrix> out =
        buffers.Get(next, cur.rows, step->n_features_out());
    ECLIPSERA_RETURN_IF_ERROR(step->TransformInto(in, out));
    cur = {out.data(), out.rows(), out.cols(), out.cols()};
    *which = next;
  }
  *result = cur;
  return absl::OkStatus();
}

template <class Fn>
auto Pipeline::WithTransformed(const ConstMatrixRef& x, size_t n_transform,
                               Fn&& fn) const -> decltype(fn(x)) {
  if (x.cols() != n_features_in_) {
    return absl::InvalidArgumentError(
        absl::StrCat("Pipeline: X has ", x.cols(),
                     " features, but the pipeline was fitted on ",
                     n_features_in_, " features"));
  }
  const auto run = [&](BufferPair& buffers) -> decltype(fn(x)) {
    View v{};
    int which = -1;
    absl::Status s = TransformThrough(x, n_transform, buffers, &v, &which);
    if (!s.ok()) return s;
    if (which < 0) return fn(x);
    return fn(ConstStridedMap(v.data, v.rows, v.cols,
                              Eigen::OuterStride<>(v.stride)));
  };
  if (!pooling_disabled_ && buffers_mu_.try_lock()) {
    auto result = run(buffers_);
    buffers_mu_.unlock();
    return result;
  }
  BufferPair local;  // busy (a concurrent call) or pooling disabled
  return run(local);
}

absl::Status Pipeline::NoLastStep(absl::string_view method) const {
  return absl::UnimplementedError(
      absl::StrCat("Pipeline::", method,
                   ": the last step is 'passthrough', which has no ", method));
}

absl::Status Pipeline::DoPredictInto(const ConstMatrixRef& x,
                                     VectorRef out) const {
  if (last() == nullptr) return NoLastStep("Predict");
  return WithTransformed(x, steps_.size() - 1, [&](const ConstMatrixRef& xt) {
    return last()->PredictInto(xt, out);
  });
}

absl::Status Pipeline::DoTransformInto(const ConstMatrixRef& x,
                                       MatrixRef out) const {
  if (last() == nullptr) {
    return WithTransformed(x, steps_.size() - 1,
                           [&](const ConstMatrixRef& xt) -> absl::Status {
                             out = xt;
                             return absl::OkStatus();
                           });
  }
  return WithTransformed(x, steps_.size() - 1, [&](const ConstMatrixRef& xt) {
    return last()->TransformInto(xt, out);
  });
}

absl::StatusOr<Matrix> Pipeline::DoInverseTransform(
    const ConstMatrixRef& x) const {
  Matrix cur = x;
  for (size_t i = work_.size(); i-- > 0;) {
    if (work_[i] == nullptr) continue;
    ECLIPSERA_ASSIGN_OR_RETURN(cur, work_[i]->InverseTransform(cur));
  }
  return cur;
}

absl::StatusOr<double> Pipeline::DoScore(const ConstMatrixRef& x,
                                         absl::Span<const double> y) const {
  if (last() == nullptr) return NoLastStep("Score");
  return WithTransformed(x, steps_.size() - 1, [&](const ConstMatrixRef& xt) {
    return last()->Score(xt, y);
  });
}

absl::StatusOr<Matrix> Pipeline::DoPredictProba(const ConstMatrixRef& x) const {
  if (last() == nullptr) return NoLastStep("PredictProba");
  return WithTransformed(x, steps_.size() - 1, [&](const ConstMatrixRef& xt) {
    return last()->PredictProba(xt);
  });
}

absl::StatusOr<Matrix> Pipeline::DoPredictLogProba(
    const ConstMatrixRef& x) const {
  if (last() == nullptr) return NoLastStep("PredictLogProba");
  return WithTransformed(x, steps_.size() - 1, [&](const ConstMatrixRef& xt) {
    return last()->PredictLogProba(xt);
  });
}

absl::StatusOr<Matrix> Pipeline::DoDecisionFunction(
    const ConstMatrixRef& x) const {
  if (last() == nullptr) return NoLastStep("DecisionFunction");
  return WithTransformed(x, steps_.size() - 1, [&](const ConstMatrixRef& xt) {
    return last()->DecisionFunction(xt);
  });
}

absl::StatusOr<Vector> Pipeline::DoScoreSamples(const ConstMatrixRef& x) const {
  if (last() == nullptr) return NoLastStep("ScoreSamples");
  return WithTransformed(x, steps_.size() - 1, [&](const ConstMatrixRef& xt) {
    return last()->ScoreSamples(xt);
  });
}

}  // namespace eclipsera::pipeline
