#include "eclipsera/preprocessing/common.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"

namespace eclipsera::preprocessing {

void HandleZerosInScale(Vector& scale) {
  const double tiny = 10.0 * std::numeric_limits<double>::epsilon();
  for (Index j = 0; j < scale.size(); ++j) {
    if (scale(j) < tiny) scale(j) = 1.0;
  }
}

absl::Status CheckTransformInput(absl::string_view context,
                                 const ConstMatrixRef& x, Index n_features) {
  ECLIPSERA_RETURN_IF_ERROR(CheckData(context, "X", x));
  return CheckColumns(context, "X", x, n_features);
}

absl::Status CheckTransformShape(absl::string_view context,
                                 const ConstMatrixRef& x, Index n_features) {
  ECLIPSERA_RETURN_IF_ERROR(CheckNonEmpty(context, "X", x));
  return CheckColumns(context, "X", x, n_features);
}

RowChecker::RowChecker(absl::string_view context, const ConstMatrixRef& x)
    : context_(context), x_(x), limit_(MaxMagnitude(x.cols())) {}

absl::Status RowChecker::Check(Index i) const {
  if (FiniteWithin(x_.row(i).data(), x_.cols(), limit_)) {
    return absl::OkStatus();
  }
  absl::Status s = CheckData(context_, "X", x_);
  return s.ok() ? absl::InternalError("RowChecker: row check disagrees") : s;
}

absl::Status CheckRowFinite(absl::string_view context,
                            const ConstMatrixRef& out, Index row) {
  if (out.row(row).allFinite()) return absl::OkStatus();
  for (Index j = 0; j < out.cols(); ++j) {
    if (!std::isfinite(out(row, j))) {
      return absl::InvalidArgumentError(absl::StrCat(
          context, ": the transformed value at row ", row, ", column ", j,
          " overflows double precision (X is far outside the scale learnt "
          "by Fit); rescale X"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTransformedFinite(absl::string_view context,
                                    const ConstMatrixRef& out) {
  for (Index i = 0; i < out.rows(); ++i) {
    ECLIPSERA_RETURN_IF_ERROR(CheckRowFinite(context, out, i));
  }
  return absl::OkStatus();
}

absl::Status CheckSampleWeight(absl::string_view context,
                               absl::Span<const double> w) {
  if (w.empty()) return absl::OkStatus();
  double sum = 0.0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (!std::isfinite(w[i]) || w[i] < 0.0) {
      return absl::InvalidArgumentError(
          absl::StrCat(context, ": sample_weight[", i, "] = ", w[i],
                       "; weights must be finite and non-negative"));
    }
    sum += w[i];
  }
  if (!(sum > 0.0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        context,
        ": sample_weight sums to 0; at least one sample must weigh "
        "more than 0"));
  }
  return absl::OkStatus();
}

}  // namespace eclipsera::preprocessing
