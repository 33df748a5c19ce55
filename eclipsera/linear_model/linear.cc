// LinearRegression, Ridge, RidgeClassifier: scikit-learn 1.2's
// sklearn/linear_model/_base.py and _ridge.py (dense input).
#include "eclipsera/linear_model/linear.h"

#include <cmath>
#include <limits>
#include <memory>

#include "Eigen/Cholesky"
#include "Eigen/SVD"
#include "absl/strings/str_cat.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/supervised.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/metrics/classification.h"
#include "eclipsera/metrics/regression.h"

namespace eclipsera::linear_model {
namespace {

using ColMatrix = Eigen::MatrixXd;

struct Solution {
  Matrix coef;       // targets x features
  Vector intercept;  // targets
  Index rank = 0;
  Vector singular;
  bool fell_back = false;  // cholesky was singular: least squares instead
};

enum class Solver { kLstsq, kCholesky, kSvd };

// _preprocess_data (weighted centring), _rescale_data (rows times
// sqrt(w)), then the solver; intercept = y_offset - x_offset . coef.
Solution Solve(const ConstMatrixRef& x, const ColMatrix& y,
               absl::Span<const double> w, bool fit_intercept, double alpha,
               Solver solver) {
  const Index n = x.rows(), d = x.cols(), t = y.cols();
  Vector x_offset = Vector::Zero(d);
  Eigen::RowVectorXd y_offset = Eigen::RowVectorXd::Zero(t);
  if (fit_intercept) {
    double total = 0.0;
    for (Index i = 0; i < n; ++i) {
      const double wi = w.empty() ? 1.0 : w[i];
      x_offset.noalias() += wi * x.row(i).transpose();
      y_offset.noalias() += wi * y.row(i);
      total += wi;
    }
    x_offset /= total;
    y_offset /= total;
  }
  ColMatrix xc = x;
  ColMatrix yc = y;
  xc.rowwise() -= x_offset.transpose();
  yc.rowwise() -= y_offset;
  if (!w.empty()) {
    for (Index i = 0; i < n; ++i) {
      const double s = std::sqrt(w[i]);
      xc.row(i) *= s;
      yc.row(i) *= s;
    }
  }
  Solution out;
  ColMatrix coef;  // d x t
  if (solver == Solver::kCholesky) {
    Eigen::LLT<ColMatrix> llt;
    if (d > n) {
      ColMatrix k = xc * xc.transpose();
      k.diagonal().array() += alpha;
      llt.compute(k);
      if (llt.info() == Eigen::Success) coef = xc.transpose() * llt.solve(yc);
    } else {
      ColMatrix a = xc.transpose() * xc;
      a.diagonal().array() += alpha;
      llt.compute(a);
      if (llt.info() == Eigen::Success) coef = llt.solve(xc.transpose() * yc);
    }
    if (llt.info() != Eigen::Success || !coef.allFinite()) {
      out.fell_back = true;
      solver = Solver::kLstsq;
    }
  }
  if (solver != Solver::kCholesky) {
    // Least squares is scale-equivariant: solve on X scaled by a power of
    // two (exact) to unit magnitude, so tiny or huge X does not underflow
    // inside the SVD; the coefficients are scaled back (and may then
    // overflow, which the caller reports).
    int exponent = 0;
    if (solver == Solver::kLstsq) {
      const double largest = xc.cwiseAbs().maxCoeff();
      if (largest > 0.0) std::frexp(largest, &exponent);
      xc *= std::ldexp(1.0, -exponent);
    }
    Eigen::BDCSVD<ColMatrix> svd(xc, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const Vector& s = svd.singularValues();
    Vector inv = Vector::Zero(s.size());
    const double cutoff = solver == Solver::kSvd
                              ? 1e-15
                              : std::numeric_limits<double>::epsilon() *
                                    (s.size() > 0 ? s(0) : 0.0);
    for (Index j = 0; j < s.size(); ++j) {
      if (s(j) > cutoff) {
        inv(j) =
            solver == Solver::kSvd ? s(j) / (s(j) * s(j) + alpha) : 1.0 / s(j);
        ++out.rank;
      }
    }
    coef =
        svd.matrixV() * (inv.asDiagonal() * (svd.matrixU().transpose() * yc));
    coef *= std::ldexp(1.0, -exponent);
    out.singular = s * std::ldexp(1.0, exponent);
  }
  out.coef = coef.transpose();
  out.intercept = (y_offset - x_offset.transpose() * coef).transpose();
  if (!fit_intercept) out.intercept.setZero();
  return out;
}

absl::Status CheckPredictInput(absl::string_view context,
                               const ConstMatrixRef& x, Index n_features) {
  ECLIPSERA_RETURN_IF_ERROR(CheckData(context, "X", x));
  return CheckColumns(context, "X", x, n_features);
}

absl::StatusOr<Solver> ParseSolver(absl::string_view context,
                                   const std::string& solver) {
  if (solver == "auto" || solver == "cholesky") return Solver::kCholesky;
  if (solver == "svd") return Solver::kSvd;
  if (solver == "lsqr" || solver == "sparse_cg" || solver == "sag" ||
      solver == "saga" || solver == "lbfgs") {
    return absl::InvalidArgumentError(absl::StrCat(
        context, ": solver '", solver,
        "' (an iterative solver of scikit-learn) is not implemented here; "
        "use 'auto', 'cholesky' or 'svd', which reach the same optimum"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(context, ": unknown solver '", solver,
                   "'; allowed: 'auto', 'cholesky', 'svd'"));
}

absl::Status CheckRidgeOptions(absl::string_view context,
                               const RidgeOptions& o) {
  if (!(o.alpha >= 0.0) || !std::isfinite(o.alpha)) {
    return absl::InvalidArgumentError(absl::StrCat(
        context, ": alpha = ", o.alpha, "; must be a finite number >= 0"));
  }
  if (o.positive) {
    return absl::InvalidArgumentError(
        absl::StrCat(context,
                     ": positive=true (non-negative coefficients) is not "
                     "implemented here"));
  }
  return ParseSolver(context, o.solver).status();
}

ColMatrix Column(absl::Span<const double> y) {
  return Eigen::Map<const Eigen::VectorXd>(y.data(),
                                           static_cast<Index>(y.size()));
}

// The ridge parameters, shared by Ridge and RidgeClassifier (whose options
// derive from RidgeOptions).
template <class O>
void AddRidgeParams(ParamSchema<O>& s) {
  s.Double("alpha", &RidgeOptions::alpha, "L2 penalty strength, >= 0")
      .Bool("fit_intercept", &RidgeOptions::fit_intercept,
            "fit an intercept (centre X and y first)")
      .Bool("copy_X", &RidgeOptions::copy_X,
            "accepted for scikit-learn compatibility; X is never modified")
      .OptionalInt("max_iter", &RidgeOptions::max_iter,
                   "iterative solvers' iteration limit (unused here)")
      .Double("tol", &RidgeOptions::tol,
              "iterative solvers' tolerance (unused here)")
      .String("solver", &RidgeOptions::solver,
              "'auto' (= 'cholesky'), 'cholesky' (normal equations) or 'svd'")
      .Bool("positive", &RidgeOptions::positive,
            "non-negative coefficients (not implemented: false only)")
      .OptionalInt("random_state", &RidgeOptions::random_state,
                   "seed of scikit-learn's 'sag' solvers (unused here)");
}

}  // namespace

// ----------------------------------------------------------------------------
// LinearRegression

const ParamSchema<LinearRegressionOptions>& LinearRegressionOptions::Schema() {
  using O = LinearRegressionOptions;
  static const auto* schema = [] {
    auto* s = new ParamSchema<O>("LinearRegression");
    s->Bool("fit_intercept", &O::fit_intercept,
            "fit an intercept (centre X and y first)")
        .Bool("copy_X", &O::copy_X,
              "accepted for scikit-learn compatibility; X is never modified")
        .Int("n_jobs", &O::n_jobs, kNJobsDoc)
        .Bool("positive", &O::positive,
              "non-negative coefficients (not implemented: false only)");
    return s;
  }();
  return *schema;
}

LinearRegression::LinearRegression(LinearRegressionOptions options)
    : options_(options) {}

void LinearRegression::set_options(const LinearRegressionOptions& options) {
  options_ = options;
  Reset();
}

void LinearRegression::Reset() {
  fitted_ = false;
  coef_.resize(0);
  singular_.resize(0);
  intercept_ = 0.0;
  rank_ = 0;
}

absl::Status LinearRegression::DoFit(const ConstMatrixRef& x,
                                     absl::Span<const double> y,
                                     const FitArgs& args) {
  constexpr char kContext[] = "LinearRegression::Fit";
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(ResolveNJobs(options_.n_jobs).status());
  if (options_.positive) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext,
                     ": positive=true (non-negative least squares) is not "
                     "implemented here"));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckTarget(kContext, x, y));
  ECLIPSERA_RETURN_IF_ERROR(CheckWeights(kContext, args.sample_weight));
  Solution s = Solve(x, Column(y), args.sample_weight, options_.fit_intercept,
                     0.0, Solver::kLstsq);
  if (!s.coef.allFinite() || !s.intercept.allFinite()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext,
                     ": the least-squares coefficients overflow double "
                     "precision (y is huge compared with X's spread); rescale "
                     "X or y"));
  }
  coef_ = s.coef.row(0).transpose();
  intercept_ = s.intercept(0);
  rank_ = s.rank;
  singular_ = s.singular;
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status LinearRegression::DoPredictInto(const ConstMatrixRef& x,
                                             VectorRef out) const {
  ECLIPSERA_RETURN_IF_ERROR(
      CheckPredictInput("LinearRegression::Predict", x, coef_.size()));
  out.noalias() = x * coef_;
  out.array() += intercept_;
  return absl::OkStatus();
}

absl::StatusOr<double> LinearRegression::DoScore(
    const ConstMatrixRef& x, absl::Span<const double> y) const {
  ECLIPSERA_ASSIGN_OR_RETURN(const Vector p, Predict(x));
  return metrics::R2Score(y, {p.data(), static_cast<size_t>(p.size())});
}

FittedScalarList LinearRegression::FittedScalars() const {
  return {{"rank", static_cast<double>(rank_)}, {"intercept", intercept_}};
}

FittedArrayList LinearRegression::FittedArrays() const {
  if (!fitted_) return {};
  return {{"coef", coef_, true}, {"singular", singular_, true}};
}

absl::Status LinearRegression::RestoreFitted(
    const FittedArrayList& arrays, absl::Span<const FittedScalar> scalars) {
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(RestoreVector(arrays, "coef", -1, &coef_));
  ECLIPSERA_RETURN_IF_ERROR(RestoreVector(arrays, "singular", -1, &singular_));
  ECLIPSERA_ASSIGN_OR_RETURN(intercept_,
                             FindFittedScalar(scalars, "intercept"));
  ECLIPSERA_ASSIGN_OR_RETURN(const double rank,
                             FindFittedScalar(scalars, "rank"));
  rank_ = static_cast<Index>(rank);
  fitted_ = coef_.size() > 0;
  return fitted_ ? absl::OkStatus()
                 : absl::InvalidArgumentError(
                       "LinearRegression::RestoreFitted: no coefficients");
}

// ----------------------------------------------------------------------------
// Ridge

const ParamSchema<RidgeOptions>& RidgeOptions::Schema() {
  static const auto* schema = [] {
    auto* s = new ParamSchema<RidgeOptions>("Ridge");
    AddRidgeParams(*s);
    return s;
  }();
  return *schema;
}

Ridge::Ridge(RidgeOptions options) : options_(options) {}

void Ridge::set_options(const RidgeOptions& options) {
  options_ = options;
  Reset();
}

void Ridge::Reset() {
  fitted_ = false;
  coef_.resize(0);
  intercept_ = 0.0;
}

absl::Status Ridge::DoFit(const ConstMatrixRef& x, absl::Span<const double> y,
                          const FitArgs& args) {
  constexpr char kContext[] = "Ridge::Fit";
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(CheckRidgeOptions(kContext, options_));
  ECLIPSERA_ASSIGN_OR_RETURN(const Solver solver,
                             ParseSolver(kContext, options_.solver));
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckTarget(kContext, x, y));
  ECLIPSERA_RETURN_IF_ERROR(CheckWeights(kContext, args.sample_weight));
  Solution s = Solve(x, Column(y), args.sample_weight, options_.fit_intercept,
                     options_.alpha, solver);
  if (s.fell_back) {
    AddWarning(
        "Singular matrix in solving dual problem. Using least-squares "
        "solution instead.");
  }
  coef_ = s.coef.row(0).transpose();
  intercept_ = s.intercept(0);
  ECLIPSERA_RETURN_IF_ERROR(CheckFittedFinite(kContext, "coef_", coef_));
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status Ridge::DoPredictInto(const ConstMatrixRef& x,
                                  VectorRef out) const {
  ECLIPSERA_RETURN_IF_ERROR(
      CheckPredictInput("Ridge::Predict", x, coef_.size()));
  out.noalias() = x * coef_;
  out.array() += intercept_;
  return absl::OkStatus();
}

absl::StatusOr<double> Ridge::DoScore(const ConstMatrixRef& x,
                                      absl::Span<const double> y) const {
  ECLIPSERA_ASSIGN_OR_RETURN(const Vector p, Predict(x));
  return metrics::R2Score(y, {p.data(), static_cast<size_t>(p.size())});
}

FittedScalarList Ridge::FittedScalars() const {
  return {{"intercept", intercept_}};
}

FittedArrayList Ridge::FittedArrays() const {
  if (!fitted_) return {};
  return {{"coef", coef_, true}};
}

absl::Status Ridge::RestoreFitted(const FittedArrayList& arrays,
                                  absl::Span<const FittedScalar> scalars) {
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(RestoreVector(arrays, "coef", -1, &coef_));
  ECLIPSERA_ASSIGN_OR_RETURN(intercept_,
                             FindFittedScalar(scalars, "intercept"));
  fitted_ = coef_.size() > 0;
  return fitted_ ? absl::OkStatus()
                 : absl::InvalidArgumentError(
                       "Ridge::RestoreFitted: no coefficients");
}

// ----------------------------------------------------------------------------
// RidgeClassifier

const ParamSchema<RidgeClassifierOptions>& RidgeClassifierOptions::Schema() {
  using O = RidgeClassifierOptions;
  static const auto* schema = [] {
    auto* s = new ParamSchema<O>("RidgeClassifier");
    AddRidgeParams(*s);
    AddClassWeightParam(*s, &O::class_weight);
    return s;
  }();
  return *schema;
}

RidgeClassifier::RidgeClassifier(RidgeClassifierOptions options)
    : options_(options) {}

void RidgeClassifier::set_options(const RidgeClassifierOptions& options) {
  options_ = options;
  Reset();
}

void RidgeClassifier::Reset() {
  fitted_ = false;
  classes_.clear();
  coef_.resize(0, 0);
  intercept_.resize(0);
}

absl::Status RidgeClassifier::DoFit(const ConstMatrixRef& x,
                                    absl::Span<const double> y,
                                    const FitArgs& args) {
  constexpr char kContext[] = "RidgeClassifier::Fit";
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(CheckRidgeOptions(kContext, options_));
  ECLIPSERA_ASSIGN_OR_RETURN(const Solver solver,
                             ParseSolver(kContext, options_.solver));
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckTarget(kContext, x, y));
  ECLIPSERA_ASSIGN_OR_RETURN(const ClassLabels labels,
                             EncodeClasses(kContext, y));
  ECLIPSERA_ASSIGN_OR_RETURN(const std::vector<double> w,
                             ClassSampleWeights(kContext, options_.class_weight,
                                                labels, args.sample_weight));
  // LabelBinarizer(pos_label=1, neg_label=-1).
  const Index k = static_cast<Index>(labels.classes.size());
  const Index targets = k == 2 ? 1 : k;
  ColMatrix indicators = ColMatrix::Constant(x.rows(), targets, -1.0);
  for (Index i = 0; i < x.rows(); ++i) {
    if (k == 2) {
      if (labels.codes[i] == 1) indicators(i, 0) = 1.0;
    } else {
      indicators(i, labels.codes[i]) = 1.0;
    }
  }
  Solution s =
      Solve(x, indicators, w, options_.fit_intercept, options_.alpha, solver);
  if (s.fell_back) {
    AddWarning(
        "Singular matrix in solving dual problem. Using least-squares "
        "solution instead.");
  }
  coef_ = std::move(s.coef);
  intercept_ = std::move(s.intercept);
  classes_ = labels.classes;
  ECLIPSERA_RETURN_IF_ERROR(CheckFittedFinite(kContext, "coef_", coef_));
  fitted_ = true;
  return absl::OkStatus();
}

absl::StatusOr<Matrix> RidgeClassifier::DoDecisionFunction(
    const ConstMatrixRef& x) const {
  ECLIPSERA_RETURN_IF_ERROR(
      CheckPredictInput("RidgeClassifier::DecisionFunction", x, coef_.cols()));
  Matrix scores = x * coef_.transpose();
  scores.rowwise() += intercept_.transpose();
  return scores;
}

absl::Status RidgeClassifier::DoPredictInto(const ConstMatrixRef& x,
                                            VectorRef out) const {
  ECLIPSERA_ASSIGN_OR_RETURN(const Matrix scores, DoDecisionFunction(x));
  for (Index i = 0; i < x.rows(); ++i) {
    if (scores.cols() == 1) {
      out(i) = classes_[scores(i, 0) > 0.0 ? 1 : 0];
    } else {
      Index best = 0;
      scores.row(i).maxCoeff(&best);  // first maximum, as numpy's argmax
      out(i) = classes_[best];
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<double> RidgeClassifier::DoScore(
    const ConstMatrixRef& x, absl::Span<const double> y) const {
  ECLIPSERA_ASSIGN_OR_RETURN(const Vector p, Predict(x));
  return metrics::AccuracyScore(y, {p.data(), static_cast<size_t>(p.size())});
}

FittedArrayList RidgeClassifier::FittedArrays() const {
  if (!fitted_) return {};
  return LinearClassifierArrays(classes_, coef_, intercept_);
}

absl::Status RidgeClassifier::RestoreFitted(const FittedArrayList& arrays,
                                            absl::Span<const FittedScalar>) {
  Reset();
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreLinearClassifier(arrays, &classes_, &coef_, &intercept_));
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status RegisterLinearModels(EstimatorRegistry& registry) {
  ECLIPSERA_RETURN_IF_ERROR(registry.Register(
      {"LinearRegression",
       "ordinary least squares, scikit-learn's LinearRegression",
       MainOutput::kPredict,
       [] { return std::make_unique<LinearRegression>(); }}));
  ECLIPSERA_RETURN_IF_ERROR(registry.Register(
      {"Ridge", "least squares with an L2 penalty, scikit-learn's Ridge",
       MainOutput::kPredict, [] { return std::make_unique<Ridge>(); }}));
  return registry.Register(
      {"RidgeClassifier",
       "classification by ridge regression on +-1 indicators, "
       "scikit-learn's RidgeClassifier",
       MainOutput::kPredict,
       [] { return std::make_unique<RidgeClassifier>(); }});
}

}  // namespace eclipsera::linear_model
