// Normalizer: scikit-learn 1.2's sklearn.preprocessing.normalize.
#include "eclipsera/preprocessing/normalizer.h"

#include <cmath>
#include <limits>
#include <memory>

#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"
#include "eclipsera/preprocessing/common.h"

namespace eclipsera::preprocessing {

const ParamSchema<NormalizerOptions>& NormalizerOptions::Schema() {
  static const auto* schema = [] {
    auto* s = new ParamSchema<NormalizerOptions>("Normalizer");
    s->String("norm", &NormalizerOptions::norm,
              "the norm each sample is divided by: 'l1', 'l2' or 'max'",
              {"l1", "l2", "max"})
        .Bool("copy", &NormalizerOptions::copy,
              "accepted for scikit-learn compatibility; Transform never "
              "modifies its input");
    return s;
  }();
  return *schema;
}

Normalizer::Normalizer(NormalizerOptions options) : options_(options) {}

void Normalizer::set_options(const NormalizerOptions& options) {
  options_ = options;
  Reset();
}

void Normalizer::Reset() {
  fitted_ = false;
  n_features_ = 0;
}

absl::Status Normalizer::DoFit(const ConstMatrixRef& x,
                               absl::Span<const double> y,
                               const FitArgs& args) {
  constexpr char kContext[] = "Normalizer::Fit";
  Reset();
  static constexpr absl::string_view kNorms[] = {"l1", "l2", "max"};
  ECLIPSERA_RETURN_IF_ERROR(
      CheckOneOf(kContext, "norm", options_.norm, kNorms));
  ECLIPSERA_RETURN_IF_ERROR(CheckData(kContext, "X", x));
  n_features_ = x.cols();
  fitted_ = true;
  return absl::OkStatus();
}

absl::Status Normalizer::DoTransformInto(const ConstMatrixRef& x,
                                         MatrixRef out) const {
  constexpr char kContext[] = "Normalizer::Transform";
  ECLIPSERA_RETURN_IF_ERROR(CheckTransformShape(kContext, x, n_features_));
  const RowChecker rows(kContext, x);
  const double tiny = 10.0 * std::numeric_limits<double>::epsilon();
  const int norm = options_.norm == "l1" ? 1 : options_.norm == "l2" ? 2 : 0;
  for (Index i = 0; i < x.rows(); ++i) {
    ECLIPSERA_RETURN_IF_ERROR(rows.Check(i));
    const auto row = x.row(i);
    double r = norm == 1   ? row.cwiseAbs().sum()
               : norm == 2 ? std::sqrt(row.squaredNorm())
                           : row.cwiseAbs().maxCoeff();
    if (r < tiny) r = 1.0;
    out.row(i) = row / r;
    ECLIPSERA_RETURN_IF_ERROR(CheckRowFinite(kContext, out, i));
  }
  return absl::OkStatus();
}

absl::Status RegisterNormalizer(EstimatorRegistry& registry) {
  return registry.Register(
      {"Normalizer",
       "scale each sample to unit l1, l2 or max norm, scikit-learn's "
       "Normalizer",
       MainOutput::kTransform, [] { return std::make_unique<Normalizer>(); }});
}

}  // namespace eclipsera::preprocessing
