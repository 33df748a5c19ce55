// Input validation helpers.
#include "eclipsera/core/validation.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace eclipsera {

absl::Status CheckNonEmpty(absl::string_view context, absl::string_view name,
                           const ConstMatrixRef& x) {
  if (x.rows() == 0 || x.cols() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": ", name, " is empty (", x.rows(), " x ",
                     x.cols(), "); need at least 1 sample and 1 feature"));
  }
  return absl::OkStatus();
}

absl::Status CheckFinite(absl::string_view context, absl::string_view name,
                         const ConstMatrixRef& x) {
  // x * 0 is 0 for finite x and NaN for NaN/Inf. Eight independent sums
  // (one sum is a chain of dependent adds, ~4 cycles a value, and not
  // vectorizable without reassociation), then the exact scan only for a
  // row that has a bad value.
  const Index cols = x.cols();
  for (Index i = 0; i < x.rows(); ++i) {
    const double* row = x.row(i).data();
    double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    Index j = 0;
    for (; j + 8 <= cols; j += 8) {
      for (int l = 0; l < 8; ++l) acc[l] += row[j + l] * 0.0;
    }
    for (; j < cols; ++j) acc[0] += row[j] * 0.0;
    if (acc[0] + acc[1] + acc[2] + acc[3] + acc[4] + acc[5] + acc[6] + acc[7] ==
        0.0) {
      continue;
    }
    for (Index c = 0; c < cols; ++c) {
      if (!std::isfinite(row[c])) {
        return absl::InvalidArgumentError(absl::StrCat(
            context, ": ", name, " contains ",
            std::isnan(row[c]) ? "NaN" : "Inf", " at row ", i, ", column ", c,
            "; all values must be finite",
            std::isnan(row[c]) ? " (for missing values, impute them first: "
                                 "SimpleImputer)"
                               : ""));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckFiniteValues(absl::string_view context,
                               absl::string_view name,
                               absl::Span<const double> v) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      return absl::InvalidArgumentError(absl::StrCat(
          context, ": ", name, " contains ", std::isnan(v[i]) ? "NaN" : "Inf",
          " at index ", i, "; all values must be finite"));
    }
  }
  return absl::OkStatus();
}

double MaxMagnitude(Index n_features) {
  return 1e150 / std::sqrt(static_cast<double>(std::max<Index>(n_features, 1)));
}

namespace {

// max |x| over x, NaN skipped (CheckFinite names it): eight independent
// running maxima, so the scan is not one dependent chain.
double LargestMagnitude(const ConstMatrixRef& x) {
  const Index cols = x.cols();
  double mx[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  for (Index i = 0; i < x.rows(); ++i) {
    const double* row = x.row(i).data();
    Index j = 0;
    for (; j + 8 <= cols; j += 8) {
      for (int l = 0; l < 8; ++l) {
        const double a = std::fabs(row[j + l]);
        mx[l] = a > mx[l] ? a : mx[l];
      }
    }
    for (; j < cols; ++j) {
      const double a = std::fabs(row[j]);
      mx[0] = a > mx[0] ? a : mx[0];
    }
  }
  double largest = 0.0;
  for (double m : mx) largest = m > largest ? m : largest;
  return largest;
}

// Row and column of the largest |value| (the first one).
void LargestPosition(const ConstMatrixRef& x, double* value, Index* row,
                     Index* col) {
  *value = 0.0;
  *row = *col = 0;
  for (Index i = 0; i < x.rows(); ++i) {
    for (Index c = 0; c < x.cols(); ++c) {
      const double a = std::fabs(x(i, c));
      if (a > *value) {
        *value = a;
        *row = i;
        *col = c;
      }
    }
  }
}

}  // namespace

absl::Status CheckNotTooSmall(absl::string_view context, absl::string_view name,
                              const ConstMatrixRef& x) {
  const double largest = LargestMagnitude(x);
  if (largest >= kMinLargestMagnitude || largest == 0.0) {
    return absl::OkStatus();
  }
  double bad;
  Index bad_row, bad_col;
  LargestPosition(x, &bad, &bad_row, &bad_col);
  return absl::InvalidArgumentError(absl::StrCat(
      context, ": the largest magnitude in ", name, " is ",
      absl::StrFormat("%.3g", bad), " (row ", bad_row, ", column ", bad_col,
      "), below the smallest supported ",
      absl::StrFormat("%.3g", kMinLargestMagnitude),
      ": squared distances would underflow and the clustering would be "
      "meaningless; rescale the data, for example divide it by its largest "
      "absolute value"));
}

absl::Status CheckMagnitude(absl::string_view context, absl::string_view name,
                            const ConstMatrixRef& x) {
  // The exact scan for the position of the largest value only when the
  // limit is exceeded.
  const double limit = MaxMagnitude(x.cols());
  const Index cols = x.cols();
  if (LargestMagnitude(x) <= limit) return absl::OkStatus();
  double bad;
  Index bad_row, bad_col;
  LargestPosition(x, &bad, &bad_row, &bad_col);
  return absl::InvalidArgumentError(absl::StrCat(
      context, ": ", name, " has a value of magnitude ",
      absl::StrFormat("%.3g", bad), " at row ", bad_row, ", column ", bad_col,
      "; with ", cols, " features the largest magnitude supported is ",
      absl::StrFormat("%.3g", limit),
      " (squared distances and variances would overflow); rescale the data, "
      "for example divide it by its largest absolute value"));
}

bool FiniteWithin(const double* row, Index cols, double limit) {
  // x * 0 is NaN exactly for NaN and Inf; the maximum ignores NaN.
  double zero[4] = {0.0, 0.0, 0.0, 0.0};
  double largest[4] = {0.0, 0.0, 0.0, 0.0};
  Index j = 0;
  for (; j + 4 <= cols; j += 4) {
    for (int l = 0; l < 4; ++l) {
      zero[l] += row[j + l] * 0.0;
      const double a = std::fabs(row[j + l]);
      largest[l] = a > largest[l] ? a : largest[l];
    }
  }
  for (; j < cols; ++j) {
    zero[0] += row[j] * 0.0;
    const double a = std::fabs(row[j]);
    largest[0] = a > largest[0] ? a : largest[0];
  }
  if (!(zero[0] + zero[1] + zero[2] + zero[3] == 0.0)) return false;
  for (int l = 0; l < 4; ++l) {
    if (largest[l] > limit) return false;
  }
  return true;
}

namespace {

bool AllFiniteWithin(const ConstMatrixRef& x, double limit) {
  for (Index i = 0; i < x.rows(); ++i) {
    if (!FiniteWithin(x.row(i).data(), x.cols(), limit)) return false;
  }
  return true;
}

}  // namespace

absl::Status CheckData(absl::string_view context, absl::string_view name,
                       const ConstMatrixRef& x, Index min_samples) {
  absl::Status s = CheckNonEmpty(context, name, x);
  if (!s.ok()) return s;
  if (x.rows() < min_samples) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": ", name, " has ", x.rows(),
                     " samples; need at least ", min_samples));
  }
  // The common case in one pass; the detailed scans only to name a
  // problem.
  if (AllFiniteWithin(x, MaxMagnitude(x.cols()))) return absl::OkStatus();
  s = CheckFinite(context, name, x);
  if (!s.ok()) return s;
  return CheckMagnitude(context, name, x);
}

absl::Status CheckFittedFinite(absl::string_view context,
                               absl::string_view name,
                               const ConstMatrixRef& x) {
  for (Index i = 0; i < x.rows(); ++i) {
    for (Index c = 0; c < x.cols(); ++c) {
      if (!std::isfinite(x(i, c))) {
        return absl::InternalError(absl::StrCat(
            context, ": the fit produced a non-finite ", name, " (", x(i, c),
            " at row ", i, ", column ", c,
            "); the fitted state was dropped. Please report this with the "
            "data"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckFittedFinite(absl::string_view context,
                               absl::string_view name, double value) {
  if (std::isfinite(value)) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(
      context, ": the fit produced a non-finite ", name, " (", value,
      "); the fitted state was dropped. Please report this with the data"));
}

absl::Status CheckColumns(absl::string_view context, absl::string_view name,
                          const ConstMatrixRef& x, Index cols) {
  if (x.cols() != cols) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": ", name, " has ", x.cols(),
                     " features, but the estimator was fitted with ", cols));
  }
  return absl::OkStatus();
}

absl::Status CheckShape(absl::string_view context, absl::string_view name,
                        const ConstMatrixRef& x, Index rows, Index cols) {
  if (x.rows() != rows || x.cols() != cols) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": ", name, " has shape (", x.rows(), ", ",
                     x.cols(), "); expected (", rows, ", ", cols, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckLength(absl::string_view context, absl::string_view name,
                         Index length, Index n_samples) {
  if (length != n_samples) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": ", name, " has ", length,
                     " entries but X has ", n_samples, " samples"));
  }
  return absl::OkStatus();
}

absl::Status CheckAtLeast(absl::string_view context, absl::string_view name,
                          double value, double min) {
  if (!std::isfinite(value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        context, ": ", name, " = ", value, ", must be finite and >= ", min));
  }
  if (!(value >= min)) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": ", name, " = ", value, ", must be >= ", min));
  }
  return absl::OkStatus();
}

absl::Status CheckGreater(absl::string_view context, absl::string_view name,
                          double value, double min) {
  if (!std::isfinite(value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        context, ": ", name, " = ", value, ", must be finite and > ", min));
  }
  if (!(value > min)) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": ", name, " = ", value, ", must be > ", min));
  }
  return absl::OkStatus();
}

absl::Status CheckInRange(absl::string_view context, absl::string_view name,
                          double value, double min, double max) {
  if (!(value >= min && value <= max)) {
    return absl::InvalidArgumentError(absl::StrCat(context, ": ", name, " = ",
                                                   value, ", must be in [", min,
                                                   ", ", max, "]"));
  }
  return absl::OkStatus();
}

absl::Status CheckOneOf(absl::string_view context, absl::string_view name,
                        absl::string_view value,
                        absl::Span<const absl::string_view> allowed) {
  for (absl::string_view a : allowed) {
    if (a == value) return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(context, ": unknown ", name, " '", value,
                   "'; allowed: ", absl::StrJoin(allowed, ", ")));
}

absl::Status NotFittedError(absl::string_view context) {
  return absl::FailedPreconditionError(
      absl::StrCat(context,
                   ": this estimator is not fitted yet; call Fit "
                   "first"));
}

}  // namespace eclipsera
