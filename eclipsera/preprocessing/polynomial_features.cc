// PolynomialFeatures: scikit-learn 1.2's sklearn/preprocessing/_polynomial.py
// (dense input).
#include "eclipsera/preprocessing/polynomial_features.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/preprocessing/common.h"

namespace eclipsera::preprocessing {
namespace {

// The most output columns accepted (scikit-learn indexes them with int32).
constexpr int64_t kMaxOutputFeatures = std::numeric_limits<int32_t>::max();
// The most factors (sum of the output columns' degrees) Fit will store.
constexpr int64_t kMaxFactors = int64_t{1} << 27;

// Number of combinations (with replacement unless `distinct`) of `k` of `n`
// items, saturating above kMaxOutputFeatures.
int64_t CountCombinations(int64_t n, int64_t k, bool distinct) {
  const int64_t top = distinct ? n : n + k - 1;
  if (k > top) return 0;
  // C(top, k) by the multiplicative formula, exact in 128-bit.
  unsigned __int128 c = 1;
  for (int64_t i = 1; i <= k; ++i) {
    c = c * static_cast<unsigned __int128>(top - k + i) /
        static_cast<unsigned __int128>(i);
    if (c > static_cast<unsigned __int128>(kMaxOutputFeatures)) {
      return kMaxOutputFeatures + 1;
    }
  }
  return static_cast<int64_t>(c);
}

// Appends the combinations of `k` of [0, n) in lexicographic order
// (itertools.combinations / combinations_with_replacement).
void AppendCombinations(int32_t n, int32_t k, bool distinct,
                        std::vector<std::vector<int32_t>>& out) {
  std::vector<int32_t> c(k);
  for (int32_t i = 0; i < k; ++i) c[i] = distinct ? i : 0;
  if (distinct && k > n) return;
  while (true) {
    out.push_back(c);
    // The rightmost position that can still grow.
    int32_t i = k - 1;
    while (i >= 0 && c[i] == (distinct ? n - k + i : n - 1)) --i;
    if (i < 0) return;
    ++c[i];
    for (int32_t j = i + 1; j < k; ++j) c[j] = distinct ? c[j - 1] + 1 : c[i];
  }
}

}  // namespace

const ParamSchema<PolynomialFeaturesOptions>&
PolynomialFeaturesOptions::Schema() {
  using O = PolynomialFeaturesOptions;
  static const auto* schema = [] {
    auto* s = new ParamSchema<O>("PolynomialFeatures");
    s->Add(
         "degree",
         "the largest degree (an int >= 0), or a pair (min_degree, "
         "max_degree) with 0 <= min_degree <= max_degree",
         [](const O& o) {
           if (o.degree_is_pair) {
             return ParamValue(
                 std::vector<double>{static_cast<double>(o.min_degree),
                                     static_cast<double>(o.max_degree)});
           }
           return ParamValue(o.max_degree);
         },
         [](O& o, const ParamValue& v) -> absl::Status {
           if (std::holds_alternative<std::vector<double>>(v)) {
             const auto& l = std::get<std::vector<double>>(v);
             if (l.size() != 2 || l[0] != static_cast<int64_t>(l[0]) ||
                 l[1] != static_cast<int64_t>(l[1])) {
               return absl::InvalidArgumentError(absl::StrCat(
                   "parameter 'degree' = ", FormatParamValue(v),
                   " must be an int or a pair of ints (min_degree, "
                   "max_degree)"));
             }
             o.min_degree = static_cast<int64_t>(l[0]);
             o.max_degree = static_cast<int64_t>(l[1]);
             o.degree_is_pair = true;
             return absl::OkStatus();
           }
           absl::StatusOr<int64_t> i = ParamAsInt("degree", v);
           if (!i.ok()) return i.status();
           o.min_degree = 0;
           o.max_degree = *i;
           o.degree_is_pair = false;
           return absl::OkStatus();
         })
        .Bool("interaction_only", &O::interaction_only,
              "only products of distinct features (no x^2)")
        .Bool("include_bias", &O::include_bias,
              "start with a column of ones (the degree-0 term)")
        .String("order", &O::order,
                "scikit-learn's memory order of the output; accepted for "
                "compatibility, the result is the same",
                {"C", "F"});
    return s;
  }();
  return *schema;
}

PolynomialFeatures::PolynomialFeatures(PolynomialFeaturesOptions options)
    : options_(options) {}

void PolynomialFeatures::set_options(const PolynomialFeaturesOptions& options) {
  options_ = options;
  Reset();
}

void PolynomialFeatures::Reset() {
  fitted_ = false;
  n_features_ = 0;
  combinations_.clear();
}

Matrix PolynomialFeatures::powers() const {
  Matrix p = Matrix::Zero(n_output_features(), n_features_);
  for (size_t c = 0; c < combinations_.size(); ++c) {
    for (int32_t f : combinations_[c]) p(static_cast<Index>(c), f) += 1.0;
  }
  return p;
}

absl::Status PolynomialFeatures::DoFit(const ConstMatrixRef& x,
                                       absl::Span<const double> y,
                                       const FitArgs& args) {
  constexpr char kContext[] = "PolynomialFeatures::Fit";
  Reset();
  const PolynomialFeaturesOptions& o = options_;
  if (o.min_degree < 0 || o.max_degree < o.min_degree) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": degree = ",
        o.degree_is_pair
            ? absl::StrCat("(", o.min_degree, ", ", o.max_degree, ")")
            : absl::StrCat(o.max_degree),
        "; must be an int >= 0 or a pair (min_degree, max_degree) of ints "
        "with 0 <= min_degree <= max_degree"));
  }
  if (o.max_degree == 0 && !o.include_bias) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext,
                     ": setting degree to zero and include_bias to false "
                     "would result in an empty output array"));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  const int64_t d = x.cols();
  int64_t total = o.include_bias ? 1 : 0;
  int64_t factors = 0;  // sum of the degrees of the output columns
  for (int64_t k = std::max<int64_t>(1, o.min_degree); k <= o.max_degree; ++k) {
    const int64_t count = CountCombinations(d, k, o.interaction_only);
    total += count;
    factors += count > kMaxFactors / k ? kMaxFactors + 1 : count * k;
    if (total > kMaxOutputFeatures || factors > kMaxFactors) {
      return absl::InvalidArgumentError(absl::StrCat(
          kContext, ": ", d, " features to degree ", o.max_degree,
          " give more than ", kMaxOutputFeatures,
          " output features or more than ", kMaxFactors,
          " factors in all; lower degree or use interaction_only"));
    }
    if (o.interaction_only && k >= d) break;
  }
  if (total == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": no output features: interaction_only with ", d,
        " features has no term of degree ", o.min_degree, " or more"));
  }
  combinations_.reserve(total);
  if (o.include_bias) combinations_.emplace_back();
  for (int64_t k = std::max<int64_t>(1, o.min_degree); k <= o.max_degree; ++k) {
    AppendCombinations(static_cast<int32_t>(d), static_cast<int32_t>(k),
                       o.interaction_only, combinations_);
    if (o.interaction_only && k >= d) break;
  }
  n_features_ = d;
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status PolynomialFeatures::DoTransformInto(const ConstMatrixRef& x,
                                                 MatrixRef out) const {
  constexpr char kContext[] = "PolynomialFeatures::Transform";
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformInput(kContext, x, n_features_));
  for (Index i = 0; i < x.rows(); ++i) {
    const double* row = x.row(i).data();
    for (size_t c = 0; c < combinations_.size(); ++c) {
      const std::vector<int32_t>& f = combinations_[c];
      // Right to left, as scikit-learn multiplies the previous degree's
      // column by the leading feature: bit-identical products.
      double p = 1.0;
      if (!f.empty()) {
        p = row[f.back()];
        for (size_t k = f.size() - 1; k-- > 0;) p *= row[f[k]];
      }
      out(i, static_cast<Index>(c)) = p;
    }
  }
  return CheckTransformedFinite(kContext, out);
}

FittedScalarList PolynomialFeatures::FittedScalars() const {
  return {{"n_output_features", static_cast<double>(n_output_features())}};
}

absl::Status RegisterPolynomialFeatures(EstimatorRegistry& registry) {
  return registry.Register(
      {"PolynomialFeatures",
       "polynomial and interaction features, scikit-learn's "
       "PolynomialFeatures",
       MainOutput::kTransform,
       [] { return std::make_unique<PolynomialFeatures>(); }});
}

}  // namespace eclipsera::preprocessing
