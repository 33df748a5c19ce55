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

// The most products (output columns and lower degrees) Fit accepts: each
// takes 8 bytes of plan and one double per output row.
constexpr int64_t kMaxProducts = int64_t{1} << 27;

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
  first_output_ = 0;
  parent_.clear();
  feature_.clear();
}

Matrix PolynomialFeatures::powers() const {
  const Index bias = options_.include_bias ? 1 : 0;
  Matrix p = Matrix::Zero(n_output_features(), n_features_);
  for (Index c = bias; c < p.rows(); ++c) {
    for (int32_t k = static_cast<int32_t>(first_output_ + c - bias); k >= 0;
         k = parent_[k]) {
      p(c, feature_[k]) += 1.0;
    }
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
  // Every degree adds at least one product (d >= 1) unless
  // interaction_only stops at d: bound the degree before counting.
  if (!o.interaction_only && o.max_degree > kMaxProducts) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": degree ", o.max_degree, " gives more than ", kMaxProducts,
        " products; lower degree or use interaction_only"));
  }
  // Count first: every degree up to max_degree is computed. C(top, k) from
  // C(top - 1, k - 1) (with replacement) or C(d, k - 1) (distinct), exact.
  int64_t total = 0, output = o.include_bias ? 1 : 0;
  unsigned __int128 count128 = 1;
  for (int64_t k = 1; k <= o.max_degree; ++k) {
    count128 = o.interaction_only
                   ? count128 * static_cast<unsigned __int128>(d - k + 1) /
                         static_cast<unsigned __int128>(k)
                   : count128 * static_cast<unsigned __int128>(d + k - 1) /
                         static_cast<unsigned __int128>(k);
    if (count128 > static_cast<unsigned __int128>(kMaxProducts)) {
      count128 = static_cast<unsigned __int128>(kMaxProducts) + 1;
    }
    const int64_t count = static_cast<int64_t>(count128);
    total += count;
    if (k >= o.min_degree) output += count;
    if (total > kMaxProducts) {
      return absl::InvalidArgumentError(
          absl::StrCat(kContext, ": ", d, " features to degree ", o.max_degree,
                       " give more than ", kMaxProducts,
                       " products; lower degree or use interaction_only"));
    }
    if (count == 0) break;  // interaction_only beyond n_features
  }
  if (output == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": no output features: interaction_only with ", d,
        " features has no term of degree ", o.min_degree, " or more"));
  }
  // scikit-learn's dense loop: the degree-k block is, for each feature f,
  // the degree-(k-1) products whose first feature is >= f (> f with
  // interaction_only), times x_f. `start[f]` is where those begin.
  parent_.reserve(total);
  feature_.reserve(total);
  std::vector<int32_t> start(d + 1);
  for (int32_t f = 0; f < d && o.max_degree >= 1; ++f) {
    parent_.push_back(-1);
    feature_.push_back(f);
    start[f] = f;
  }
  start[d] = static_cast<int32_t>(d);
  first_output_ = o.min_degree <= 1 ? 0 : -1;
  for (int64_t k = 2; k <= o.max_degree; ++k) {
    if (k == o.min_degree) first_output_ = static_cast<Index>(parent_.size());
    const int32_t end = start[d];
    std::vector<int32_t> next(d + 1);
    for (int32_t f = 0; f < d; ++f) {
      next[f] = static_cast<int32_t>(parent_.size());
      const int32_t from = o.interaction_only ? start[f + 1] : start[f];
      for (int32_t p = from; p < end; ++p) {
        parent_.push_back(p);
        feature_.push_back(f);
      }
    }
    next[d] = static_cast<int32_t>(parent_.size());
    start = std::move(next);
    if (start[d] == end) break;  // nothing of this degree
  }
  if (first_output_ < 0) first_output_ = static_cast<Index>(parent_.size());
  n_features_ = d;
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status PolynomialFeatures::DoTransformInto(const ConstMatrixRef& x,
                                                 MatrixRef out) const {
  constexpr char kContext[] = "PolynomialFeatures::Transform";
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformShape(kContext, x, n_features_));
  const RowChecker rows(kContext, x);
  const Index bias = options_.include_bias ? 1 : 0;
  const Index products = static_cast<Index>(parent_.size());
  // Lower degrees that are not output need a scratch row.
  std::vector<double> scratch(first_output_ > 0 ? products : 0);
  for (Index i = 0; i < x.rows(); ++i) {
    ECLIPSERA_RETURN_IF_ERROR(rows.Check(i));
    const double* row = x.row(i).data();
    double* o = out.row(i).data();
    if (bias) o[0] = 1.0;
    double* v = first_output_ > 0 ? scratch.data() : o + bias;
    for (Index c = 0; c < products; ++c) {
      const int32_t p = parent_[c];
      v[c] = p < 0 ? row[feature_[c]] : v[p] * row[feature_[c]];
    }
    if (first_output_ > 0) {
      std::copy(v + first_output_, v + products, o + bias);
    }
    ECLIPSERA_RETURN_IF_ERROR(CheckRowFinite(kContext, out, i));
  }
  return absl::OkStatus();
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
