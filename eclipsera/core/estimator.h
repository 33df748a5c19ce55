// The estimator interface that model selection, pipelines and the
// command-line tool use to drive any algorithm generically.
//
// Concrete estimators (cluster::KMeans, manifold::TSNE, ...) keep their
// typed API (options structs, typed accessors) and also implement this
// interface. The public methods are non-virtual and validate what is common
// to every estimator; subclasses override the protected Do* hooks.
#ifndef ECLIPSERA_CORE_ESTIMATOR_H_
#define ECLIPSERA_CORE_ESTIMATOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"
#include "eclipsera/core/workspace.h"

namespace eclipsera {

// A fitted scalar reported by an estimator (inertia, n_iter, ...). `name`
// refers to a string literal; the list stays inline (no heap), so Fit's
// finiteness check of the scalars allocates nothing.
struct FittedScalar {
  absl::string_view name;
  double value;
};
using FittedScalarList = absl::InlinedVector<FittedScalar, 8>;

// Counters of a cache of fitted steps (Pipeline's `memory`).
struct CacheStatistics {
  int64_t hits = 0;       // lookups served by a cached fitted step
  int64_t misses = 0;     // lookups that fitted the step
  int64_t evictions = 0;  // entries dropped to stay within the budget
  int64_t entries = 0;    // entries held now
  int64_t bytes = 0;      // bytes of cached outputs held now
};

// A fitted array (cluster_centers, coef, ...) by its scikit-learn name
// without the trailing underscore. `one_dimensional` marks scikit-learn's
// 1-D attributes (stored here as one column).
struct FittedArray {
  std::string name;
  Matrix value;
  bool one_dimensional = false;
};
using FittedArrayList = std::vector<FittedArray>;

// What an estimator is, scikit-learn's `_estimator_type`: decides the
// default scorer and what `cv=int` means in model selection (stratified
// folds for classifiers).
enum class EstimatorKind {
  kClassifier,
  kRegressor,
  kClusterer,
  kTransformer,
  kDensityEstimator,
  kOutlierDetector,
  // Fitted only to answer neighbour queries (NearestNeighbors), which has
  // no `_estimator_type` in scikit-learn.
  kNeighbors,
};
// "classifier", "regressor", "clusterer", "transformer", "DensityEstimator"
// or "outlier_detector" (scikit-learn's spellings); "neighbors".
absl::string_view EstimatorKindName(EstimatorKind kind);

// Fit arguments beyond X and y, by name so that none can be confused with
// y: `est.Fit(x, {}, FitArgs{weights})`.
struct FitArgs {
  // Empty (every sample weighs 1) or one non-negative finite weight per
  // sample. Estimators whose scikit-learn fit has no sample_weight refuse a
  // non-empty one (supports_sample_weight()).
  absl::Span<const double> sample_weight;
};

// The interface every estimator implements.
//
// Calls: the public methods are non-virtual; they check what is common to
// every estimator (fitted state, shapes) and call the protected Do* hooks.
// Optional methods (Predict, Transform, PredictProba, ...) return
// Unimplemented where the estimator has no such method.
//
// Failure rule: a Fit (or FitPredict, FitTransform) that fails, for any
// reason, leaves the estimator unfitted (fitted() == false) with its
// parameters unchanged, ready for the next Fit.
//
// Thread safety: const methods (Predict, Transform, Score, PredictProba,
// ScoreSamples, the *Into forms, GetParams, ...) may run concurrently on one
// fitted estimator; they keep their scratch per call. Fit, SetParams and
// Reset need exclusive access.
class Estimator {
 public:
  virtual ~Estimator() = default;

  // The scikit-learn class name, e.g. "KMeans".
  virtual std::string name() const = 0;
  virtual EstimatorKind kind() const = 0;
  // Whether Fit takes FitArgs::sample_weight.
  virtual bool supports_sample_weight() const { return false; }
  // Whether NaN in X means "missing" (SimpleImputer, scikit-learn's
  // allow_nan tag); every other estimator refuses NaN with a clear status.
  virtual bool allows_nan() const { return false; }

  // Current hyperparameters by scikit-learn name. With `deep`, every
  // estimator-valued parameter `p` also contributes its own parameters as
  // `p__name` (recursively), as scikit-learn's get_params(deep=True).
  ParamMap GetParams(bool deep = true) const;
  // Sets the named hyperparameters, all or none. A name `p__q` sets
  // parameter `q` of a clone of the estimator-valued parameter `p`
  // (nested parameters of composites). InvalidArgument for an unknown name
  // (the message lists the valid ones) or a value of the wrong type; range
  // checks happen at Fit, as in scikit-learn. Setting parameters drops the
  // fitted state.
  absl::Status SetParams(const ParamMap& params);
  // Parameters with their current values and one-line docs.
  virtual std::vector<ParamInfo> DescribeParams() const = 0;

  // A new, unfitted estimator with equal parameters and no shared mutable
  // state: estimator-valued parameters are immutable prototypes (see
  // EstimatorParam), everything else is copied.
  virtual std::unique_ptr<Estimator> Clone() const = 0;
  // Drops the fitted state, keeps the parameters and any reusable buffers
  // (workspaces), so the next Fit allocates as little as possible.
  virtual void Reset() = 0;
  virtual bool fitted() const = 0;

  // Fits on x (n_samples x n_features). `y` is empty for unsupervised
  // estimators, which ignore it when given, as scikit-learn does; when
  // given it must have one entry per sample.
  absl::Status Fit(const ConstMatrixRef& x, absl::Span<const double> y = {},
                   const FitArgs& args = {});

  // Per-sample predictions (cluster labels as doubles for clusterers).
  // FailedPrecondition before Fit; Unimplemented where the estimator has no
  // Predict (DBSCAN, TSNE, ...).
  absl::StatusOr<Vector> Predict(const ConstMatrixRef& x) const;
  // Predict into a caller's buffer of x.rows() entries (no allocation of
  // the result; a pipeline reuses its buffers across calls).
  absl::Status PredictInto(const ConstMatrixRef& x, VectorRef out) const;
  // Fits and returns the labels of the training data (scikit-learn's
  // fit_predict).
  absl::StatusOr<Vector> FitPredict(const ConstMatrixRef& x,
                                    absl::Span<const double> y = {},
                                    const FitArgs& args = {});

  absl::StatusOr<Matrix> Transform(const ConstMatrixRef& x) const;
  // Transform into a caller's x.rows() x n_features_out() buffer.
  absl::Status TransformInto(const ConstMatrixRef& x, MatrixRef out) const;
  // Columns Transform produces; 0 before Fit or without Transform (an
  // estimator with DoTransformInto must report it once fitted).
  virtual Index n_features_out() const { return 0; }
  // Whether TransformInto may write over its own input (out and x the same
  // memory, n_features_out() == x.cols()): each output row depends only on
  // the same input row, read before it is written (scalers, Normalizer).
  // A pipeline then transforms in place instead of into a second buffer.
  virtual bool transforms_in_place() const { return false; }
  absl::StatusOr<Matrix> FitTransform(const ConstMatrixRef& x,
                                      absl::Span<const double> y = {},
                                      const FitArgs& args = {});
  // Maps transformed data back (PCA); Unimplemented elsewhere.
  absl::StatusOr<Matrix> InverseTransform(const ConstMatrixRef& x) const;

  // Higher is better (scikit-learn's score: minus inertia for KMeans, mean
  // log-likelihood for GaussianMixture, accuracy or R^2 for supervised).
  absl::StatusOr<double> Score(const ConstMatrixRef& x,
                               absl::Span<const double> y = {}) const;

  // Probabilistic outputs, n_samples x n_classes (n_components for
  // mixtures); rows sum to 1.
  absl::StatusOr<Matrix> PredictProba(const ConstMatrixRef& x) const;
  absl::StatusOr<Matrix> PredictLogProba(const ConstMatrixRef& x) const;
  // Per-sample confidence scores (classifiers, outlier detectors).
  absl::StatusOr<Matrix> DecisionFunction(const ConstMatrixRef& x) const;
  // Per-sample log-likelihood (density estimators).
  absl::StatusOr<Vector> ScoreSamples(const ConstMatrixRef& x) const;

  // Class labels seen by Fit, sorted (classifiers); empty otherwise.
  virtual absl::Span<const double> classes() const { return {}; }

  // Fitted scalars for reports (the command-line tool's JSON line); at most
  // 8 per estimator.
  virtual FittedScalarList FittedScalars() const { return {}; }

  // Fitted arrays (copies) for the Python bindings and reports; empty
  // before Fit. Together with FittedScalars() they are the whole fitted
  // state of an estimator that implements RestoreFitted.
  virtual FittedArrayList FittedArrays() const { return {}; }
  // Makes this estimator fitted with a state saved from FittedArrays() and
  // FittedScalars() of an estimator with the same parameters (pickling in
  // the Python bindings): afterwards every method gives that estimator's
  // results. InvalidArgument when an array is missing or mis-shaped;
  // Unimplemented where the estimator cannot restore (the default).
  virtual absl::Status RestoreFitted(const FittedArrayList& arrays,
                                     absl::Span<const FittedScalar> scalars);

  // A string that is equal for two estimators exactly when they are the
  // same class with the same parameters and structure: the name, then
  // every parameter in DescribeParams() order (a composite's steps in
  // order), estimator-valued ones by their own key. Composites with more
  // structure than their parameters (ColumnTransformer's columns) add it.
  // Keys the Pipeline's transformer cache and EstimatorParam equality.
  virtual std::string StructureKey() const;

  // The counters of this estimator's cache of fitted steps (a Pipeline
  // with `memory`, shared with its clones); zeros without one.
  virtual CacheStatistics cache_statistics() const { return {}; }

  // Iterative estimators keep their buffers in a grow-only workspace
  // (core/workspace.h) that Reset() keeps: the heap it holds and how many
  // times its buffers reallocated since construction. A Reset() and a Fit
  // on data that is not larger leave `reallocations` unchanged. nullopt
  // for estimators without a workspace.
  virtual std::optional<WorkspaceStats> workspace_stats() const {
    return std::nullopt;
  }

  // Warnings of the last Fit, as scikit-learn's ConvergenceWarning and
  // friends (fewer distinct clusters than requested, no convergence within
  // max_iter, ...): one sentence each, cleared when Fit starts. The
  // command-line tool prints them on stderr and in its JSON line.
  const std::vector<std::string>& warnings() const { return warnings_; }

 protected:
  // Records a warning of the current Fit (see warnings()).
  void AddWarning(std::string message) {
    warnings_.push_back(std::move(message));
  }
  void ClearWarnings() { warnings_.clear(); }

  // Parameter hooks: shallow names only; SetParams has already resolved
  // nested `p__q` names into new estimator values for `p`.
  virtual ParamMap DoGetParams() const = 0;
  virtual absl::Status DoSetParams(const ParamMap& params) = 0;

  // Called by Fit after the common checks (x non-empty, y and
  // sample_weight lengths). On error Fit resets the estimator.
  virtual absl::Status DoFit(const ConstMatrixRef& x,
                             absl::Span<const double> y,
                             const FitArgs& args) = 0;
  // Prediction hooks: `out` has x.rows() entries (x.rows() x
  // n_features_out() for Transform) and the estimator is fitted.
  virtual absl::Status DoPredictInto(const ConstMatrixRef& x,
                                     VectorRef out) const;
  // The training labels after a successful DoFit; the default predicts x.
  virtual absl::StatusOr<Vector> DoFitPredict(const ConstMatrixRef& x,
                                              absl::Span<const double> y);
  virtual absl::Status DoTransformInto(const ConstMatrixRef& x,
                                       MatrixRef out) const;
  // The default fits, then transforms x.
  virtual absl::StatusOr<Matrix> DoFitTransform(const ConstMatrixRef& x,
                                                absl::Span<const double> y,
                                                const FitArgs& args);
  virtual absl::StatusOr<Matrix> DoInverseTransform(
      const ConstMatrixRef& x) const;
  virtual absl::StatusOr<double> DoScore(const ConstMatrixRef& x,
                                         absl::Span<const double> y) const;
  virtual absl::StatusOr<Matrix> DoPredictProba(const ConstMatrixRef& x) const;
  // Estimators with a predict_log_proba in scikit-learn override it
  // (computed in log space, not as the log of DoPredictProba).
  virtual absl::StatusOr<Matrix> DoPredictLogProba(
      const ConstMatrixRef& x) const;
  virtual absl::StatusOr<Matrix> DoDecisionFunction(
      const ConstMatrixRef& x) const;
  virtual absl::StatusOr<Vector> DoScoreSamples(const ConstMatrixRef& x) const;

  absl::Status Unimplemented(absl::string_view method) const;

  // For RestoreFitted: the array `name` of `arrays`, or an InvalidArgument
  // naming it when it is missing, not rows x cols (a negative rows or cols
  // accepts any) or, unless `allow_nan`, not finite.
  absl::StatusOr<const Matrix*> FindFittedArray(const FittedArrayList& arrays,
                                                absl::string_view name,
                                                Index rows, Index cols,
                                                bool allow_nan = false) const;
  // The scalar `name` of `scalars`, or InvalidArgument naming it.
  absl::StatusOr<double> FindFittedScalar(
      absl::Span<const FittedScalar> scalars, absl::string_view name) const;
  // FindFittedArray, then copied into `out` (one column as a vector).
  absl::Status RestoreVector(const FittedArrayList& arrays,
                             absl::string_view name, Index rows,
                             Vector* out) const;
  absl::Status RestoreMatrix(const FittedArrayList& arrays,
                             absl::string_view name, Index rows, Index cols,
                             Matrix* out) const;
  // Labels (one column) that are integers in [lowest, end).
  absl::Status RestoreLabels(const FittedArrayList& arrays, int lowest,
                             Index end, LabelVector* out) const;
  // A linear classifier's fitted state: classes (sorted, distinct, at least
  // two), coef (one row for two classes, else one per class) and intercept.
  static FittedArrayList LinearClassifierArrays(
      absl::Span<const double> classes, const Matrix& coef,
      const Vector& intercept);
  absl::Status RestoreLinearClassifier(const FittedArrayList& arrays,
                                       std::vector<double>* classes,
                                       Matrix* coef, Vector* intercept) const;

  // Fit's common checks of x, y and sample_weight (for composites whose
  // DoFitTransform does not go through Fit).
  absl::Status CheckFitArguments(const ConstMatrixRef& x,
                                 absl::Span<const double> y,
                                 const FitArgs& args) const;

  // For composites (Pipeline): another estimator's training labels after
  // its successful Fit, its DoFitPredict (so a DBSCAN ending a pipeline
  // returns the labels of its fit instead of being fitted twice).
  static absl::StatusOr<Vector> FitPredictOf(Estimator& fitted,
                                             const ConstMatrixRef& x,
                                             absl::Span<const double> y) {
    return fitted.DoFitPredict(x, y);
  }

 private:
  std::vector<std::string> warnings_;
};

// An estimator-valued parameter holding a clone of `estimator` (the value's
// prototype never aliases the caller's object).
EstimatorParam MakeEstimatorParam(const Estimator& estimator);

// The scikit-learn-style rendering "KMeans(n_clusters=3, tol=0.0001)" of an
// estimator's class and shallow parameters (nested estimators rendered the
// same way). Floats are written with enough digits to read back exactly.
std::string EstimatorRepr(const Estimator& estimator);

// Implements the parameter half of Estimator for an estimator whose
// hyperparameters are an options struct `Options` described by
// `Options::Schema()` (a `const ParamSchema<Options>&`).
//
// `Derived` must provide `const Options& options() const`,
// `void set_options(const Options&)` (which drops fitted state) and a
// constructor from `Options`: Clone constructs a new estimator from a copy
// of the options, so it shares no buffers or fitted state with the
// original. Options must therefore hold parameters only (no callbacks: a
// std::function member would be shared by the clones).
template <class Derived, class Options>
class EstimatorWithOptions : public Estimator {
 public:
  std::vector<ParamInfo> DescribeParams() const override {
    return Options::Schema().Describe(self().options());
  }
  std::unique_ptr<Estimator> Clone() const override {
    return std::make_unique<Derived>(self().options());
  }

 protected:
  ParamMap DoGetParams() const override {
    return Options::Schema().Get(self().options());
  }
  absl::Status DoSetParams(const ParamMap& params) override {
    Options o = self().options();
    absl::Status s = Options::Schema().Set(o, params);
    if (!s.ok()) return s;
    static_cast<Derived&>(*this).set_options(o);
    return absl::OkStatus();
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

}  // namespace eclipsera

#endif  // ECLIPSERA_CORE_ESTIMATOR_H_
