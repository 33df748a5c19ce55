// The estimator interface that model selection, pipelines and the
// command-line tool use to drive any algorithm generically.
//
// Concrete estimators (cluster::KMeans, manifold::TSNE, ...) keep their
// typed API (options structs, typed accessors) and also implement this
// interface. The public methods are non-virtual and validate what is common
// to every estimator; subclasses override the protected Do* hooks.
#ifndef ECLIPSERA_CORE_ESTIMATOR_H_
#define ECLIPSERA_CORE_ESTIMATOR_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "eclipsera/core/matrix.h"
#include "eclipsera/core/params.h"

namespace eclipsera {

// A fitted scalar reported by an estimator (inertia, n_iter, ...).
struct FittedScalar {
  std::string name;
  double value;
};

class Estimator {
 public:
  virtual ~Estimator() = default;

  // The scikit-learn class name, e.g. "KMeans".
  virtual std::string name() const = 0;

  // Current hyperparameters by scikit-learn name.
  virtual ParamMap GetParams() const = 0;
  // Sets the named hyperparameters, all or none. InvalidArgument for an
  // unknown name (the message lists the valid ones) or a value of the wrong
  // type; range checks happen at Fit, as in scikit-learn. Setting parameters
  // drops the fitted state.
  virtual absl::Status SetParams(const ParamMap& params) = 0;
  // Parameters with their current values and one-line docs.
  virtual std::vector<ParamInfo> DescribeParams() const = 0;

  // A fresh, unfitted estimator with the same parameters.
  virtual std::unique_ptr<Estimator> Clone() const = 0;
  // Drops the fitted state, keeps the parameters and any reusable buffers
  // (workspaces), so the next Fit allocates as little as possible.
  virtual void Reset() = 0;
  virtual bool fitted() const = 0;

  // Fits on x (n_samples x n_features). `y` is empty for unsupervised
  // estimators; when given it must have one entry per sample.
  absl::Status Fit(const ConstMatrixRef& x, absl::Span<const double> y = {});

  // Per-sample predictions (cluster labels as doubles for clusterers).
  // FailedPrecondition before Fit; Unimplemented where the estimator has no
  // Predict (DBSCAN, TSNE, ...).
  absl::StatusOr<Vector> Predict(const ConstMatrixRef& x) const;
  // Fits and returns the labels of the training data (scikit-learn's
  // fit_predict).
  absl::StatusOr<Vector> FitPredict(const ConstMatrixRef& x,
                                    absl::Span<const double> y = {});
  absl::StatusOr<Matrix> Transform(const ConstMatrixRef& x) const;
  absl::StatusOr<Matrix> FitTransform(const ConstMatrixRef& x,
                                      absl::Span<const double> y = {});
  // Higher is better (scikit-learn's score: minus inertia for KMeans, mean
  // log-likelihood for GaussianMixture, accuracy or R^2 for supervised).
  absl::StatusOr<double> Score(const ConstMatrixRef& x,
                               absl::Span<const double> y = {}) const;

  // Fitted scalars for reports (the command-line tool's JSON line).
  virtual std::vector<FittedScalar> FittedScalars() const { return {}; }

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

  virtual absl::Status DoFit(const ConstMatrixRef& x,
                             absl::Span<const double> y) = 0;
  virtual absl::StatusOr<Vector> DoPredict(const ConstMatrixRef& x) const;
  virtual absl::StatusOr<Vector> DoFitPredict(const ConstMatrixRef& x,
                                              absl::Span<const double> y);
  virtual absl::StatusOr<Matrix> DoTransform(const ConstMatrixRef& x) const;
  virtual absl::StatusOr<Matrix> DoFitTransform(const ConstMatrixRef& x,
                                                absl::Span<const double> y);
  virtual absl::StatusOr<double> DoScore(const ConstMatrixRef& x,
                                         absl::Span<const double> y) const;

  absl::Status Unimplemented(absl::string_view method) const;

 private:
  std::vector<std::string> warnings_;
};

// Implements the parameter half of Estimator for an estimator whose
// hyperparameters are an options struct `Options` described by
// `Options::Schema()` (a `const ParamSchema<Options>&`).
//
// `Derived` must provide `const Options& options() const`,
// `void set_options(const Options&)` (which drops fitted state) and be
// copy-constructible for Clone (its copy is then Reset).
template <class Derived, class Options>
class EstimatorWithOptions : public Estimator {
 public:
  ParamMap GetParams() const override {
    return Options::Schema().Get(self().options());
  }
  absl::Status SetParams(const ParamMap& params) override {
    Options o = self().options();
    absl::Status s = Options::Schema().Set(o, params);
    if (!s.ok()) return s;
    static_cast<Derived&>(*this).set_options(o);
    return absl::OkStatus();
  }
  std::vector<ParamInfo> DescribeParams() const override {
    return Options::Schema().Describe(self().options());
  }
  std::unique_ptr<Estimator> Clone() const override {
    return std::make_unique<Derived>(self().options());
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

}  // namespace eclipsera

#endif  // ECLIPSERA_CORE_ESTIMATOR_H_
