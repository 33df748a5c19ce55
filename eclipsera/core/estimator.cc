// Default behaviour of the generic estimator interface.
#include "eclipsera/core/estimator.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "eclipsera/core/validation.h"

namespace eclipsera {

absl::Status Estimator::Fit(const ConstMatrixRef& x,
                            absl::Span<const double> y) {
  const std::string context = absl::StrCat(name(), "::Fit");
  absl::Status s = CheckNonEmpty(context, "X", x);
  if (s.ok() && !y.empty()) {
    s = CheckLength(context, "y", static_cast<Index>(y.size()), x.rows());
  }
  if (!s.ok()) return s;
  ClearWarnings();
  s = DoFit(x, y);
  if (!s.ok()) return s;
  // A success means finite results: the estimators check their own arrays
  // in the pass that produces them; this catches any reported scalar.
  for (const FittedScalar& f : FittedScalars()) {
    if (!std::isfinite(f.value)) {
      Reset();
      return absl::InternalError(absl::StrCat(
          context, ": the fit produced a non-finite ", f.name, " (", f.value,
          "); this is a bug, please report it with the data"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Vector> Estimator::Predict(const ConstMatrixRef& x) const {
  if (!fitted()) return NotFittedError(absl::StrCat(name(), "::Predict"));
  return DoPredict(x);
}

absl::StatusOr<Vector> Estimator::FitPredict(const ConstMatrixRef& x,
                                             absl::Span<const double> y) {
  absl::Status s = Fit(x, y);
  if (!s.ok()) return s;
  return DoFitPredict(x, y);
}

absl::StatusOr<Matrix> Estimator::Transform(const ConstMatrixRef& x) const {
  if (!fitted()) return NotFittedError(absl::StrCat(name(), "::Transform"));
  return DoTransform(x);
}

absl::StatusOr<Matrix> Estimator::FitTransform(const ConstMatrixRef& x,
                                               absl::Span<const double> y) {
  return DoFitTransform(x, y);
}

absl::StatusOr<double> Estimator::Score(const ConstMatrixRef& x,
                                        absl::Span<const double> y) const {
  if (!fitted()) return NotFittedError(absl::StrCat(name(), "::Score"));
  return DoScore(x, y);
}

absl::StatusOr<Vector> Estimator::DoPredict(const ConstMatrixRef&) const {
  return Unimplemented("Predict");
}

// FitPredict calls Fit first; the default then predicts on the training data.
absl::StatusOr<Vector> Estimator::DoFitPredict(const ConstMatrixRef& x,
                                               absl::Span<const double>) {
  return DoPredict(x);
}

absl::StatusOr<Matrix> Estimator::DoTransform(const ConstMatrixRef&) const {
  return Unimplemented("Transform");
}

absl::StatusOr<Matrix> Estimator::DoFitTransform(const ConstMatrixRef& x,
                                                 absl::Span<const double> y) {
  absl::Status s = Fit(x, y);
  if (!s.ok()) return s;
  return DoTransform(x);
}

absl::StatusOr<double> Estimator::DoScore(const ConstMatrixRef&,
                                          absl::Span<const double>) const {
  return Unimplemented("Score");
}

absl::Status Estimator::Unimplemented(absl::string_view method) const {
  return absl::UnimplementedError(
      absl::StrCat(name(), " has no ", method, " method"));
}

}  // namespace eclipsera
