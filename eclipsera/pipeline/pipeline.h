// Pipeline: a chain of transformers ending in any estimator, as
// scikit-learn 1.2's sklearn.pipeline.Pipeline, with its intermediate
// results in reused buffers.
//
//   std::vector<PipelineStep> steps = {
//       Step("scaler", preprocessing::StandardScaler()),
//       Step("clf", linear_model::LogisticRegression())};
//   ECLIPSERA_ASSIGN_OR_RETURN(std::unique_ptr<Pipeline> pipe,
//                              Pipeline::Create(std::move(steps)));
//   ECLIPSERA_RETURN_IF_ERROR(pipe->Fit(x, y));
//   ECLIPSERA_ASSIGN_OR_RETURN(Vector predicted, pipe->Predict(x_test));
//
// Ownership (a deliberate difference from scikit-learn): the pipeline owns
// clones of the estimators it is given, so a fit never mutates the caller's
// objects, and a step's value (GetParams) is an immutable prototype. The
// fitted step is reached through step(i) / named_step(name).
//
// Buffer reuse: every intermediate result lives in one of two buffers
// owned by the pipeline (ping-pong: step i reads one, writes the other;
// an elementwise step, Estimator::transforms_in_place, rewrites its input
// buffer in place),
// grown to the largest intermediate shape and kept across calls, so a
// repeated Transform, Predict or the *Into forms of the same shape
// allocate nothing beyond their result (nothing at all for the *Into forms).
// The buffers never hold memory returned to the caller. Concurrent const
// calls stay safe: a call that finds the buffers busy uses its own.
// ECLIPSERA_DISABLE_POOLING=1 (read when the pipeline is created) gives
// fresh buffers per call, with bit-identical results.
//
// Transformer caching (`memory`, scikit-learn's Pipeline(memory=...)): with
// a byte budget, fitted intermediate steps and their outputs on the
// training data are kept in a TransformerCache shared by the pipeline's
// clones, keyed by the step's parameters and its input (a fingerprint of
// X, y and the earlier steps). A refit on the same data that changes only
// later steps (a search over the final estimator, for each fold) reuses the
// earlier steps instead of fitting them again, with identical results. A
// step taken from the cache is shared and never mutated: the next fit of a
// changed step fits a fresh clone. scikit-learn's memory is a directory
// (joblib.Memory); ours is in-process, least-recently-used within the
// budget, and its counters are cache_statistics().
#ifndef ECLIPSERA_PIPELINE_PIPELINE_H_
#define ECLIPSERA_PIPELINE_PIPELINE_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "eclipsera/core/estimator.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/pipeline/transformer_cache.h"

namespace eclipsera::pipeline {

// One named step. A null prototype is scikit-learn's "passthrough".
struct PipelineStep {
  std::string name;
  EstimatorParam estimator;
};

// A step holding a clone of `estimator`.
PipelineStep Step(std::string name, const Estimator& estimator);
// A step that passes its input through unchanged ("passthrough").
PipelineStep Passthrough(std::string name);

// Two intermediate buffers, each grown to the largest shape asked of it.
class BufferPair {
 public:
  // Buffer `which` (0 or 1) viewed as rows x cols; contents unspecified.
  Eigen::Map<Matrix> Get(int which, Index rows, Index cols);
  // Bytes held by both buffers.
  size_t bytes() const;

 private:
  std::vector<double> storage_[2];
};

class Pipeline : public Estimator {
 public:
  // Validates the steps: at least one; names unique, not empty, without
  // "__", and none of the pipeline's own parameter names ("steps",
  // "verbose", "memory"). Whether intermediate steps have a Transform is
  // checked at Fit (an estimator reports it once fitted), as scikit-learn
  // checks it in fit.
  // `memory`: none, or the byte budget of a transformer cache (>= 1).
  static absl::StatusOr<std::unique_ptr<Pipeline>> Create(
      std::vector<PipelineStep> steps, bool verbose = false,
      std::optional<int64_t> memory = std::nullopt);

  // Step i as fitted (nullptr for a passthrough step).
  const Estimator* step(size_t i) const { return work_[i].get(); }
  // The fitted step named `name`; nullptr for a passthrough step or an
  // unknown name.
  const Estimator* named_step(absl::string_view name) const;
  size_t n_steps() const { return steps_.size(); }
  const std::vector<PipelineStep>& steps() const { return steps_; }
  // Bytes currently held by the intermediate buffers.
  size_t buffer_bytes() const;

  // "Pipeline". kind(), classes() and supports_sample_weight() follow the
  // last step (a trailing passthrough makes a transformer).
  std::string name() const override { return "Pipeline"; }
  EstimatorKind kind() const override;
  bool supports_sample_weight() const override;
  // NaN is allowed when the first real step takes it (SimpleImputer).
  bool allows_nan() const override;
  absl::Span<const double> classes() const override;
  Index n_features_out() const override;
  std::vector<ParamInfo> DescribeParams() const override;
  std::unique_ptr<Estimator> Clone() const override;
  // Resets every step; steps and buffers keep their memory.
  void Reset() override;
  bool fitted() const override { return fitted_; }
  // The last step's fitted scalars.
  FittedScalarList FittedScalars() const override;
  // The transformer cache's counters (shared with clones); zeros without
  // `memory`.
  CacheStatistics cache_statistics() const override;

 protected:
  // Parameters: "memory" (None or a byte budget), "verbose" and one per
  // step (its estimator, or the string "passthrough"); `step__param` names
  // come from the Estimator base.
  ParamMap DoGetParams() const override;
  absl::Status DoSetParams(const ParamMap& params) override;

  // Fit transforms through every intermediate step (Fit, then
  // TransformInto a buffer) and fits the last on the result.
  // sample_weight goes to the last step only (scikit-learn's
  // `<last>__sample_weight` fit parameter).
  absl::Status DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                     const FitArgs& args) override;
  absl::Status DoPredictInto(const ConstMatrixRef& x,
                             VectorRef out) const override;
  // The last step's own fit_predict labels (DBSCAN, agglomerative
  // clustering have no Predict) on the data transformed during Fit.
  absl::StatusOr<Vector> DoFitPredict(const ConstMatrixRef& x,
                                      absl::Span<const double> y) override;
  absl::Status DoTransformInto(const ConstMatrixRef& x,
                               MatrixRef out) const override;
  // Fits the intermediate steps, then the last step's FitTransform (so a
  // TSNE may end a pipeline, as in scikit-learn).
  absl::StatusOr<Matrix> DoFitTransform(const ConstMatrixRef& x,
                                        absl::Span<const double> y,
                                        const FitArgs& args) override;
  // Every step's InverseTransform, last to first.
  absl::StatusOr<Matrix> DoInverseTransform(
      const ConstMatrixRef& x) const override;
  absl::StatusOr<double> DoScore(const ConstMatrixRef& x,
                                 absl::Span<const double> y) const override;
  absl::StatusOr<Matrix> DoPredictProba(const ConstMatrixRef& x) const override;
  absl::StatusOr<Matrix> DoPredictLogProba(
      const ConstMatrixRef& x) const override;
  absl::StatusOr<Matrix> DoDecisionFunction(
      const ConstMatrixRef& x) const override;
  absl::StatusOr<Vector> DoScoreSamples(const ConstMatrixRef& x) const override;

 private:
  Pipeline(std::vector<PipelineStep> steps, bool verbose,
           std::optional<int64_t> memory,
           std::shared_ptr<TransformerCache> cache);
  // Replaces step i's working estimator by a fresh clone when it came from
  // the cache (shared: never mutated).
  void Unshare(size_t i);

  // The last step that is not passthrough, or nullptr.
  const Estimator* last() const { return work_.back().get(); }
  // Fits steps [0, n - 1) on x, leaving the last one's input in
  // `fit_input_` (x itself or a buffer). Prints verbose lines.
  absl::Status FitIntermediate(const ConstMatrixRef& x,
                               absl::Span<const double> y);
  // Runs `fn(xt)` with x transformed through the first `n_transform`
  // steps, in the shared buffers when free, else in call-local ones.
  // `fn` returns an absl::Status or an absl::StatusOr.
  template <class Fn>
  auto WithTransformed(const ConstMatrixRef& x, size_t n_transform,
                       Fn&& fn) const -> decltype(fn(x));
  // A row-major view: x itself (any outer stride) or a buffer.
  struct View {
    const double* data;
    Index rows, cols, stride;
  };
  // Transforms x through the first `n_transform` steps using `buffers`;
  // on success `*result` views x or one of the buffers and `*which` says
  // which (-1 = x).
  absl::Status TransformThrough(const ConstMatrixRef& x, size_t n_transform,
                                BufferPair& buffers, View* result,
                                int* which) const;
  absl::Status NoLastStep(absl::string_view method) const;
  // Adds each step's fit warnings, prefixed by the step name.
  void CollectStepWarnings();
  void PrintStepTime(size_t i, double seconds) const;

  std::vector<PipelineStep> steps_;
  // The working (fitted) clone of each step; nullptr for passthrough. A
  // step from the cache (shared_[i]) is shared with it and other pipelines
  // and only read.
  std::vector<std::shared_ptr<Estimator>> work_;
  std::vector<bool> shared_;
  std::optional<int64_t> memory_;
  std::shared_ptr<TransformerCache> cache_;
  bool verbose_ = false;
  bool pooling_disabled_ = false;
  bool fitted_ = false;
  Index n_features_in_ = 0;

  // std::mutex, not absl::Mutex: ThreadSanitizer sees pthread mutexes
  // (Debian's Abseil is not instrumented).
  mutable std::mutex buffers_mu_;
  mutable BufferPair buffers_;  // guarded by buffers_mu_
  // Where the last step's training input is after Fit: -1 = X itself,
  // 0 or 1 = that buffer, with its shape (valid until the next call).
  int fit_input_which_ = -1;
  Index fit_input_rows_ = 0, fit_input_cols_ = 0;
};

// scikit-learn's make_pipeline: steps named by their lower-cased class
// name ("passthrough" for null), duplicates suffixed "-1", "-2", ... in
// order. `estimators` may hold nullptr for a passthrough step.
absl::StatusOr<std::unique_ptr<Pipeline>> MakePipeline(
    const std::vector<const Estimator*>& estimators, bool verbose = false);

// scikit-learn's _name_estimators on class names.
std::vector<std::string> NameSteps(const std::vector<std::string>& class_names);

// "[Pipeline] ....... (step 1 of 3) Processing scaler, total=   0.0s",
// scikit-learn's _message_with_time (70 columns).
std::string MessageWithTime(absl::string_view source, absl::string_view message,
                            double seconds);

}  // namespace eclipsera::pipeline

#endif  // ECLIPSERA_PIPELINE_PIPELINE_H_
