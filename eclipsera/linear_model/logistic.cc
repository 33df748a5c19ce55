// LogisticRegression (lbfgs): scikit-learn 1.2's sklearn/linear_model/
// _logistic.py with _linear_loss.LinearModelLoss (HalfBinomialLoss,
// HalfMultinomialLoss).
#include "eclipsera/linear_model/logistic.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "eclipsera/core/parallel.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/supervised.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/linear_model/lbfgs.h"
#include "eclipsera/metrics/classification.h"
#include "eclipsera/simd/gaussian.h"

namespace eclipsera::linear_model {
namespace {

constexpr Index kChunk = 512;  // rows per task of the loss evaluation

double Softplus(double z) {
  return z > 0.0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

double Sigmoid(double z) {
  if (z >= 0.0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

// The loss and gradient of one problem: `models` linear functions of X
// (1 for binary, n_classes for multinomial), parameters laid out model by
// model as [coef (d), intercept (if fitted)].
class LogisticLoss {
 public:
  LogisticLoss(const ConstMatrixRef& x, absl::Span<const int32_t> codes,
               absl::Span<const double> w, int models, int32_t positive,
               double l2, bool fit_intercept, int n_jobs)
      : x_(x),
        codes_(codes),
        w_(w),
        models_(models),
        positive_(positive),
        l2_(l2),
        fit_intercept_(fit_intercept),
        n_jobs_(n_jobs),
        chunks_(NumChunks(x.rows(), kChunk)),
        width_(x.cols() + (fit_intercept ? 1 : 0)) {
    const int workers = NumWorkers(n_jobs, chunks_);
    z_.resize(workers);
    top_.resize(workers);
    chunk_loss_.resize(chunks_);
    chunk_grad_.resize(chunks_);
    const Index d = x.cols();
    scratch_size_ = static_cast<Index>(
        std::max(simd::DotBlockScratchSize(static_cast<size_t>(models),
                                           static_cast<size_t>(d)),
                 simd::TransposedProductScratchSize(static_cast<size_t>(d))));
    scratch_.resize(static_cast<size_t>(workers * scratch_size_));
  }

  Index n_params() const { return models_ * width_; }

  double operator()(const Vector& params, Vector& grad) {
    const Index d = x_.cols();
    const Eigen::Map<const Matrix> wmat(params.data(), models_, width_);
    const Matrix coef = wmat.leftCols(d);
    const Vector bias =
        fit_intercept_ ? Vector(wmat.col(d)) : Vector(Vector::Zero(models_));
    ParallelForChunks(
        n_jobs_, x_.rows(), kChunk, [&](Index begin, Index end, int worker) {
          const Index rows = end - begin;
          Matrix& z = z_[worker];
          z.resize(rows, models_);
          double* scratch =
              scratch_.data() + static_cast<size_t>(worker * scratch_size_);
          // X C^T + b and, below, the gradient's Z^T X with the SIMD
          // kernels (dispatched at run time to AVX-512/AVX2), not Eigen's
          // products: built for baseline x86-64 those ran 2 doubles wide
          // and spent a third of the fit packing the thin operands.
          const size_t ld_x = static_cast<size_t>(x_.outerStride());
          const double* xb = x_.data() + begin * x_.outerStride();
          simd::DotBlock(xb, static_cast<size_t>(rows), ld_x, coef.data(),
                         static_cast<size_t>(models_), static_cast<size_t>(d),
                         static_cast<size_t>(d), bias.data(), z.data(),
                         static_cast<size_t>(models_), scratch);
          double loss = 0.0;
          if (models_ == 1) {
            for (Index r = 0; r < rows; ++r) {
              const Index i = begin + r;
              const double wi = w_.empty() ? 1.0 : w_[i];
              const double t = codes_[i] == positive_ ? 1.0 : 0.0;
              const double zi = z(r, 0);
              loss += wi * (Softplus(zi) - t * zi);
              z(r, 0) = wi * (Sigmoid(zi) - t);
            }
          } else {
            // Softmax rows with the vectorised exp: z becomes the
            // probabilities, top their log-normalisers.
            Vector& top = top_[worker];
            top.resize(rows);
            for (Index r = 0; r < rows; ++r) {
              const Index yi = codes_[begin + r];
              loss -= (w_.empty() ? 1.0 : w_[begin + r]) * z(r, yi);
            }
            simd::LogSumExpRows(z.data(), static_cast<size_t>(rows),
                                static_cast<size_t>(models_),
                                static_cast<size_t>(models_),
                                /*normalize=*/true, top.data());
            for (Index r = 0; r < rows; ++r) {
              const Index i = begin + r;
              const double wi = w_.empty() ? 1.0 : w_[i];
              loss += wi * top(r);
              if (wi != 1.0) z.row(r) *= wi;
              z(r, codes_[i]) -= wi;
            }
          }
          const Index chunk = begin / kChunk;
          chunk_loss_[chunk] = loss;
          Matrix& g = chunk_grad_[chunk];
          g.resize(models_, width_);
          g.setZero();
          simd::TransposedProductAdd(
              z.data(), static_cast<size_t>(rows), static_cast<size_t>(models_),
              static_cast<size_t>(models_), xb, ld_x, static_cast<size_t>(d),
              g.data(), static_cast<size_t>(width_), scratch);
          if (fit_intercept_) g.col(d) = z.colwise().sum().transpose();
        });
    // Reduced in chunk order: the same result for any number of threads.
    double f = 0.0;
    Eigen::Map<Matrix> gmat(grad.data(), models_, width_);
    gmat.setZero();
    for (Index c = 0; c < chunks_; ++c) {
      f += chunk_loss_[c];
      gmat += chunk_grad_[c];
    }
    f += 0.5 * l2_ * coef.squaredNorm();
    gmat.leftCols(d) += l2_ * coef;
    return f;
  }

 private:
  const ConstMatrixRef& x_;
  absl::Span<const int32_t> codes_;
  absl::Span<const double> w_;
  int models_;
  int32_t positive_;
  double l2_;
  bool fit_intercept_;
  int n_jobs_;
  Index chunks_;
  Index width_;
  std::vector<Matrix> z_;
  std::vector<Vector> top_;
  std::vector<double> chunk_loss_;
  std::vector<Matrix> chunk_grad_;
  Index scratch_size_ = 0;
  std::vector<double> scratch_;  // per worker: the SIMD kernels' scratch
};

}  // namespace

double LogisticObjective(const ConstMatrixRef& x, absl::Span<const int32_t> y,
                         absl::Span<const double> sample_weight,
                         const Matrix& coef, const Vector& intercept,
                         double l2) {
  const int models = static_cast<int>(coef.rows());
  LogisticLoss loss(x, y, sample_weight, models, 1, l2, true, 1);
  Matrix params(models, x.cols() + 1);
  params.leftCols(x.cols()) = coef;
  params.col(x.cols()) = intercept;
  Vector flat = Eigen::Map<const Vector>(params.data(), params.size());
  Vector grad(flat.size());
  return loss(flat, grad);
}

const ParamSchema<LogisticRegressionOptions>&
LogisticRegressionOptions::Schema() {
  using O = LogisticRegressionOptions;
  static const auto* schema = [] {
    auto* s = new ParamSchema<O>("LogisticRegression");
    s->Add(
         "penalty", "'l2' or None (no penalty)",
         [](const O& o) {
           return o.penalty == "none" ? ParamValue() : ParamValue(o.penalty);
         },
         [](O& o, const ParamValue& v) -> absl::Status {
           if (std::holds_alternative<std::monostate>(v)) {
             o.penalty = "none";
             return absl::OkStatus();
           }
           ECLIPSERA_ASSIGN_OR_RETURN(std::string p,
                                      ParamAsString("penalty", v));
           if (p != "l2" && p != "none") {
             return absl::InvalidArgumentError(absl::StrCat(
                 "penalty '", p,
                 "' is not supported by the lbfgs solver; allowed: 'l2', "
                 "None"));
           }
           o.penalty = p;
           return absl::OkStatus();
         })
        .Bool("dual", &O::dual, "dual formulation (liblinear; false only)")
        .Double("tol", &O::tol, "stop when every gradient entry is below it")
        .Double("C", &O::C, "inverse of the regularisation strength, > 0")
        .Bool("fit_intercept", &O::fit_intercept, "fit an intercept")
        .Double("intercept_scaling", &O::intercept_scaling,
                "liblinear only; accepted, unused")
        .OptionalInt("random_state", &O::random_state,
                     "unused by lbfgs (scikit-learn's sag/liblinear seed)")
        .String("solver", &O::solver, "'lbfgs' (the only solver here)")
        .Int("max_iter", &O::max_iter, "L-BFGS iteration limit, >= 0")
        .String("multi_class", &O::multi_class,
                "'auto' (binary: one model, else multinomial), "
                "'multinomial' or 'ovr' (one binary model per class)",
                {"auto", "multinomial", "ovr"})
        .Int("verbose", &O::verbose, "progress level (unused)")
        .Bool("warm_start", &O::warm_start,
              "start from the previous solution (false only)")
        .Int("n_jobs", &O::n_jobs, kNJobsDoc);
    AddClassWeightParam(*s, &O::class_weight);
    return s;
  }();
  return *schema;
}

LogisticRegression::LogisticRegression(LogisticRegressionOptions options)
    : options_(options) {}

void LogisticRegression::set_options(const LogisticRegressionOptions& options) {
  options_ = options;
  Reset();
}

void LogisticRegression::Reset() {
  fitted_ = false;
  classes_.clear();
  coef_.resize(0, 0);
  intercept_.resize(0);
  multinomial_ = false;
  n_iter_ = 0;
  objective_ = 0.0;
}

absl::Status LogisticRegression::DoFit(const ConstMatrixRef& x,
                                       absl::Span<const double> y,
                                       const FitArgs& args) {
  constexpr char kContext[] = "LogisticRegression::Fit";
  Reset();
  const LogisticRegressionOptions& o = options_;
  if (!(o.C > 0.0) || !std::isfinite(o.C)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": C = ", o.C, "; must be a finite number > 0"));
  }
  if (!(o.tol >= 0.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": tol = ", o.tol, "; must be >= 0"));
  }
  if (o.max_iter < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": max_iter = ", o.max_iter, "; must be >= 0"));
  }
  if (o.solver != "lbfgs") {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": solver '", o.solver,
        "' is not implemented here; 'lbfgs' reaches the same optimum"));
  }
  if (o.dual || o.warm_start) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": ", o.dual ? "dual=true" : "warm_start=true",
                     " is not supported by the lbfgs solver"));
  }
  ECLIPSERA_RETURN_IF_ERROR(ResolveNJobs(o.n_jobs).status());
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckTarget(kContext, x, y));
  ECLIPSERA_ASSIGN_OR_RETURN(const ClassLabels labels,
                             EncodeClasses(kContext, y));
  ECLIPSERA_ASSIGN_OR_RETURN(
      const std::vector<double> w,
      ClassSampleWeights(kContext, o.class_weight, labels, args.sample_weight));
  const int k = static_cast<int>(labels.classes.size());
  const Index d = x.cols();
  const double l2 = o.penalty == "none" ? 0.0 : 1.0 / o.C;
  multinomial_ =
      o.multi_class == "multinomial" || (o.multi_class == "auto" && k > 2);
  LbfgsOptions lo;
  lo.max_iter = o.max_iter;
  lo.gtol = o.tol;
  // (model count, positive class) of each problem solved.
  std::vector<std::pair<int, int32_t>> problems;
  if (multinomial_) {
    problems.push_back({k, 0});
  } else if (k == 2) {
    problems.push_back({1, 1});
  } else {
    for (int32_t c = 0; c < k; ++c) problems.push_back({1, c});
  }
  const Index width = d + (o.fit_intercept ? 1 : 0);
  Matrix coef(multinomial_ ? k : static_cast<Index>(problems.size()), d);
  Vector intercept = Vector::Zero(coef.rows());
  bool all_converged = true;
  std::string message;
  std::vector<double> binary_w;
  for (size_t p = 0; p < problems.size(); ++p) {
    absl::Span<const double> weights = w;
    if (!multinomial_ && k > 2 && o.class_weight == "balanced") {
      // One-vs-rest balances each binary problem on its own, as
      // scikit-learn's _logistic_regression_path: n / (2 n_pos) for the
      // class, n / (2 n_rest) for the others.
      const int32_t positive = problems[p].second;
      double n_pos = 0.0;
      for (int32_t c : labels.codes) n_pos += c == positive ? 1.0 : 0.0;
      const double n = static_cast<double>(labels.codes.size());
      binary_w.assign(args.sample_weight.begin(), args.sample_weight.end());
      if (binary_w.empty()) binary_w.assign(labels.codes.size(), 1.0);
      for (size_t i = 0; i < binary_w.size(); ++i) {
        binary_w[i] *= labels.codes[i] == positive ? n / (2.0 * n_pos)
                                                   : n / (2.0 * (n - n_pos));
      }
      weights = binary_w;
    }
    LogisticLoss loss(x, labels.codes, weights, problems[p].first,
                      problems[p].second, l2, o.fit_intercept, o.n_jobs);
    Vector params = Vector::Zero(loss.n_params());
    const LbfgsResult r = MinimizeLbfgs(
        [&](const Vector& v, Vector& g) { return loss(v, g); }, params, lo);
    if (!std::isfinite(r.f) || !params.allFinite()) {
      return absl::InternalError(
          absl::StrCat(kContext,
                       ": the optimisation produced a non-finite objective; "
                       "this is a bug, please report it with the data"));
    }
    n_iter_ = std::max(n_iter_, r.n_iter);
    objective_ += r.f;
    if (!r.converged) {
      all_converged = false;
      message = r.message;
    }
    const Eigen::Map<const Matrix> wmat(params.data(), problems[p].first,
                                        width);
    if (multinomial_) {
      coef = wmat.leftCols(d);
      if (o.fit_intercept) intercept = wmat.col(d);
    } else {
      coef.row(p) = wmat.row(0).head(d);
      if (o.fit_intercept) intercept(p) = wmat(0, d);
    }
  }
  if (!all_converged) {
    AddWarning(absl::StrCat(
        "lbfgs failed to converge (status=1): ", message,
        ". Increase the number of iterations (max_iter) or scale the data."));
  }
  if (multinomial_ && k == 2) {
    // scikit-learn keeps the second class's row: the decision is then
    // softmax([-z, z]).
    coef = Matrix(coef.row(1));
    intercept = Vector::Constant(1, intercept(1));
  }
  coef_ = std::move(coef);
  intercept_ = std::move(intercept);
  classes_ = labels.classes;
  fitted_ = true;
  return absl::OkStatus();
}

absl::StatusOr<Matrix> LogisticRegression::DoDecisionFunction(
    const ConstMatrixRef& x) const {
  constexpr char kContext[] = "LogisticRegression::DecisionFunction";
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  ECLIPSERA_RETURN_IF_ERROR(CheckColumns(kContext, "X", x, coef_.cols()));
  Matrix z = x * coef_.transpose();
  z.rowwise() += intercept_.transpose();
  return z;
}

absl::StatusOr<Matrix> LogisticRegression::DoPredictProba(
    const ConstMatrixRef& x) const {
  ECLIPSERA_ASSIGN_OR_RETURN(Matrix z, DoDecisionFunction(x));
  const Index k = static_cast<Index>(classes_.size());
  Matrix p(x.rows(), k);
  for (Index i = 0; i < x.rows(); ++i) {
    if (z.cols() == 1) {
      if (multinomial_) {
        // softmax([-z, z]).
        p(i, 1) = Sigmoid(2.0 * z(i, 0));
      } else {
        p(i, 1) = Sigmoid(z(i, 0));
      }
      p(i, 0) = 1.0 - p(i, 1);
    } else if (multinomial_) {
      const double top = z.row(i).maxCoeff();
      double sum = 0.0;
      for (Index c = 0; c < k; ++c) sum += (p(i, c) = std::exp(z(i, c) - top));
      p.row(i) /= sum;
    } else {
      for (Index c = 0; c < k; ++c) p(i, c) = Sigmoid(z(i, c));
      p.row(i) /= p.row(i).sum();
    }
  }
  return p;
}

absl::StatusOr<Matrix> LogisticRegression::DoPredictLogProba(
    const ConstMatrixRef& x) const {
  ECLIPSERA_ASSIGN_OR_RETURN(Matrix p, DoPredictProba(x));
  return Matrix(p.array().log());
}

absl::Status LogisticRegression::DoPredictInto(const ConstMatrixRef& x,
                                               VectorRef out) const {
  ECLIPSERA_ASSIGN_OR_RETURN(const Matrix z, DoDecisionFunction(x));
  for (Index i = 0; i < x.rows(); ++i) {
    if (z.cols() == 1) {
      out(i) = classes_[z(i, 0) > 0.0 ? 1 : 0];
    } else {
      Index best = 0;
      z.row(i).maxCoeff(&best);
      out(i) = classes_[best];
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<double> LogisticRegression::DoScore(
    const ConstMatrixRef& x, absl::Span<const double> y) const {
  ECLIPSERA_ASSIGN_OR_RETURN(const Vector p, Predict(x));
  return metrics::AccuracyScore(y, {p.data(), static_cast<size_t>(p.size())});
}

FittedScalarList LogisticRegression::FittedScalars() const {
  return {{"n_iter", static_cast<double>(n_iter_)}, {"objective", objective_}};
}

FittedArrayList LogisticRegression::FittedArrays() const {
  if (!fitted_) return {};
  return LinearClassifierArrays(classes_, coef_, intercept_);
}

absl::Status LogisticRegression::RestoreFitted(
    const FittedArrayList& arrays, absl::Span<const FittedScalar> scalars) {
  Reset();
  std::vector<double> classes;
  Matrix coef;
  Vector intercept;
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreLinearClassifier(arrays, &classes, &coef, &intercept));
  const Index k = static_cast<Index>(classes.size());
  ECLIPSERA_ASSIGN_OR_RETURN(const double n_iter,
                             FindFittedScalar(scalars, "n_iter"));
  ECLIPSERA_ASSIGN_OR_RETURN(const double objective,
                             FindFittedScalar(scalars, "objective"));
  classes_ = std::move(classes);
  coef_ = std::move(coef);
  intercept_ = std::move(intercept);
  multinomial_ = options_.multi_class == "multinomial" ||
                 (options_.multi_class == "auto" && k > 2);
  n_iter_ = static_cast<int>(n_iter);
  objective_ = objective;
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status RegisterLogisticRegression(EstimatorRegistry& registry) {
  return registry.Register(
      {"LogisticRegression",
       "logistic regression (L-BFGS, binary or multinomial), scikit-learn's "
       "LogisticRegression",
       MainOutput::kPredict,
       [] { return std::make_unique<LogisticRegression>(); }});
}

}  // namespace eclipsera::linear_model
