// Default behaviour of the generic estimator interface.
#include "eclipsera/core/estimator.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/core/validation.h"

namespace eclipsera {

absl::string_view EstimatorKindName(EstimatorKind kind) {
  switch (kind) {
    case EstimatorKind::kClassifier:
      return "classifier";
    case EstimatorKind::kRegressor:
      return "regressor";
    case EstimatorKind::kClusterer:
      return "clusterer";
    case EstimatorKind::kTransformer:
      return "transformer";
    case EstimatorKind::kDensityEstimator:
      return "DensityEstimator";
    case EstimatorKind::kOutlierDetector:
      return "outlier_detector";
    case EstimatorKind::kNeighbors:
      return "neighbors";
  }
  return "estimator";
}

ParamMap Estimator::GetParams(bool deep) const {
  ParamMap out = DoGetParams();
  if (!deep) return out;
  ParamMap nested;
  for (const auto& [name, value] : out) {
    const auto* e = std::get_if<EstimatorParam>(&value);
    if (e == nullptr || e->prototype == nullptr) continue;
    for (auto& [sub, v] : e->prototype->GetParams(true)) {
      nested.emplace(absl::StrCat(name, "__", sub), std::move(v));
    }
  }
  out.merge(nested);
  return out;
}

absl::Status Estimator::SetParams(const ParamMap& params) {
  // Direct names go through as they are; `p__q` names are grouped by `p`
  // and applied to a clone of p's prototype, which then becomes p's new
  // value. Nothing changes unless every name is accepted.
  ParamMap direct;
  std::map<std::string, ParamMap, std::less<>> nested;
  for (const auto& [name, value] : params) {
    const size_t split = name.find("__");
    if (split == std::string::npos) {
      direct.emplace(name, value);
    } else {
      nested[name.substr(0, split)].emplace(name.substr(split + 2), value);
    }
  }
  if (!nested.empty()) {
    const ParamMap current = DoGetParams();
    for (auto& [owner, sub] : nested) {
      // A value set in the same call wins over the current one.
      auto it = direct.find(owner);
      const ParamValue* v = nullptr;
      if (it != direct.end()) {
        v = &it->second;
      } else if (auto c = current.find(owner); c != current.end()) {
        v = &c->second;
      }
      const auto* e = v == nullptr ? nullptr : std::get_if<EstimatorParam>(v);
      if (e == nullptr || e->prototype == nullptr) {
        std::vector<std::string> names, all;
        for (const auto& [n, cv] : current) {
          all.push_back(n);
          if (std::holds_alternative<EstimatorParam>(cv)) names.push_back(n);
        }
        return absl::InvalidArgumentError(absl::StrCat(
            name(), ": unknown parameter '", owner, "__", sub.begin()->first,
            "': '", owner,
            "' is not an estimator-valued parameter; nested names are "
            "allowed for: ",
            names.empty() ? "none" : absl::StrJoin(names, ", "),
            "; valid parameters: ", absl::StrJoin(all, ", ")));
      }
      std::unique_ptr<Estimator> step = e->prototype->Clone();
      absl::Status s = step->SetParams(sub);
      if (!s.ok()) {
        return absl::Status(
            s.code(), absl::StrCat(name(), ": in '", owner, "__...' (", owner,
                                   " is a ", step->name(), "): ", s.message()));
      }
      direct[owner] = MakeEstimatorParam(*step);
    }
  }
  return DoSetParams(direct);
}

absl::Status Estimator::Fit(const ConstMatrixRef& x, absl::Span<const double> y,
                            const FitArgs& args) {
  ClearWarnings();
  // Nothing here allocates on success (the context string is built only
  // for an error): a refit with a pooled workspace allocates nothing.
  const bool bad_y = !y.empty() && static_cast<Index>(y.size()) != x.rows();
  const bool any_weight = !args.sample_weight.empty();
  absl::Status s;
  if (x.rows() == 0 || x.cols() == 0 || bad_y || any_weight) {
    s = CheckFitArguments(x, y, args);
  }
  if (s.ok()) s = DoFit(x, y, args);
  // A success means finite results: the estimators check their own arrays
  // in the pass that produces them; this catches any reported scalar.
  if (s.ok()) {
    for (const FittedScalar& f : FittedScalars()) {
      if (!std::isfinite(f.value)) {
        s = absl::InternalError(absl::StrCat(
            name(), "::Fit: the fit produced a non-finite ", f.name, " (",
            f.value, "); this is a bug, please report it with the data"));
        break;
      }
    }
  }
  if (!s.ok()) Reset();  // the failure rule: unfitted, parameters kept
  return s;
}

absl::Status Estimator::CheckFitArguments(const ConstMatrixRef& x,
                                          absl::Span<const double> y,
                                          const FitArgs& args) const {
  const std::string context = absl::StrCat(name(), "::Fit");
  absl::Status s = CheckNonEmpty(context, "X", x);
  if (s.ok() && !y.empty()) {
    s = CheckLength(context, "y", static_cast<Index>(y.size()), x.rows());
  }
  if (s.ok() && !args.sample_weight.empty()) {
    if (!supports_sample_weight()) {
      s = absl::InvalidArgumentError(
          absl::StrCat(context, ": ", name(),
                       " does not take sample_weight (scikit-learn's "
                       "fit has no such argument); pass none"));
    } else {
      s = CheckLength(context, "sample_weight",
                      static_cast<Index>(args.sample_weight.size()), x.rows());
    }
  }
  return s;
}

absl::StatusOr<Vector> Estimator::Predict(const ConstMatrixRef& x) const {
  if (!fitted()) return NotFittedError(absl::StrCat(name(), "::Predict"));
  Vector out(x.rows());
  absl::Status s = DoPredictInto(x, out);
  if (!s.ok()) return s;
  return out;
}

absl::Status Estimator::PredictInto(const ConstMatrixRef& x,
                                    VectorRef out) const {
  // The context string is built only for an error: a repeated call with a
  // caller's buffer allocates nothing here.
  if (!fitted() || out.size() != x.rows()) {
    const std::string context = absl::StrCat(name(), "::PredictInto");
    if (!fitted()) return NotFittedError(context);
    return CheckLength(context, "out", out.size(), x.rows());
  }
  return DoPredictInto(x, out);
}

absl::StatusOr<Vector> Estimator::FitPredict(const ConstMatrixRef& x,
                                             absl::Span<const double> y,
                                             const FitArgs& args) {
  absl::Status s = Fit(x, y, args);
  if (!s.ok()) return s;
  absl::StatusOr<Vector> out = DoFitPredict(x, y);
  // DoFitPredict may fail after its Fit succeeded (an estimator without
  // Predict): still the failure rule.
  if (!out.ok()) Reset();
  return out;
}

absl::StatusOr<Matrix> Estimator::Transform(const ConstMatrixRef& x) const {
  if (!fitted()) return NotFittedError(absl::StrCat(name(), "::Transform"));
  // Estimators with a Transform report their output width once fitted.
  if (n_features_out() == 0) return Unimplemented("Transform");
  Matrix out(x.rows(), n_features_out());
  absl::Status s = DoTransformInto(x, out);
  if (!s.ok()) return s;
  return out;
}

absl::Status Estimator::TransformInto(const ConstMatrixRef& x,
                                      MatrixRef out) const {
  if (!fitted() || n_features_out() == 0 || out.rows() != x.rows() ||
      out.cols() != n_features_out()) {
    const std::string context = absl::StrCat(name(), "::TransformInto");
    if (!fitted()) return NotFittedError(context);
    if (n_features_out() == 0) return Unimplemented("Transform");
    return CheckShape(context, "out", out, x.rows(), n_features_out());
  }
  return DoTransformInto(x, out);
}

absl::StatusOr<Matrix> Estimator::FitTransform(const ConstMatrixRef& x,
                                               absl::Span<const double> y,
                                               const FitArgs& args) {
  absl::StatusOr<Matrix> out = DoFitTransform(x, y, args);
  // DoFitTransform may fail after its Fit succeeded: still the failure rule.
  if (!out.ok() && fitted()) Reset();
  return out;
}

absl::StatusOr<Matrix> Estimator::InverseTransform(
    const ConstMatrixRef& x) const {
  if (!fitted()) {
    return NotFittedError(absl::StrCat(name(), "::InverseTransform"));
  }
  return DoInverseTransform(x);
}

absl::StatusOr<double> Estimator::Score(const ConstMatrixRef& x,
                                        absl::Span<const double> y) const {
  if (!fitted()) return NotFittedError(absl::StrCat(name(), "::Score"));
  return DoScore(x, y);
}

absl::StatusOr<Matrix> Estimator::PredictProba(const ConstMatrixRef& x) const {
  if (!fitted()) return NotFittedError(absl::StrCat(name(), "::PredictProba"));
  return DoPredictProba(x);
}

absl::StatusOr<Matrix> Estimator::PredictLogProba(
    const ConstMatrixRef& x) const {
  if (!fitted()) {
    return NotFittedError(absl::StrCat(name(), "::PredictLogProba"));
  }
  return DoPredictLogProba(x);
}

absl::StatusOr<Matrix> Estimator::DecisionFunction(
    const ConstMatrixRef& x) const {
  if (!fitted()) {
    return NotFittedError(absl::StrCat(name(), "::DecisionFunction"));
  }
  return DoDecisionFunction(x);
}

absl::StatusOr<Vector> Estimator::ScoreSamples(const ConstMatrixRef& x) const {
  if (!fitted()) return NotFittedError(absl::StrCat(name(), "::ScoreSamples"));
  return DoScoreSamples(x);
}

absl::Status Estimator::DoPredictInto(const ConstMatrixRef&, VectorRef) const {
  return Unimplemented("Predict");
}

// FitPredict calls Fit first; the default then predicts on the training data.
absl::StatusOr<Vector> Estimator::DoFitPredict(const ConstMatrixRef& x,
                                               absl::Span<const double>) {
  Vector out(x.rows());
  absl::Status s = DoPredictInto(x, out);
  if (!s.ok()) return s;
  return out;
}

absl::Status Estimator::DoTransformInto(const ConstMatrixRef&,
                                        MatrixRef) const {
  return Unimplemented("Transform");
}

absl::StatusOr<Matrix> Estimator::DoFitTransform(const ConstMatrixRef& x,
                                                 absl::Span<const double> y,
                                                 const FitArgs& args) {
  absl::Status s = Fit(x, y, args);
  if (!s.ok()) return s;
  return Transform(x);
}

absl::StatusOr<Matrix> Estimator::DoInverseTransform(
    const ConstMatrixRef&) const {
  return Unimplemented("InverseTransform");
}

absl::StatusOr<double> Estimator::DoScore(const ConstMatrixRef&,
                                          absl::Span<const double>) const {
  return Unimplemented("Score");
}

absl::StatusOr<Matrix> Estimator::DoPredictProba(const ConstMatrixRef&) const {
  return Unimplemented("PredictProba");
}

absl::StatusOr<Matrix> Estimator::DoPredictLogProba(
    const ConstMatrixRef&) const {
  return Unimplemented("PredictLogProba");
}

absl::StatusOr<Matrix> Estimator::DoDecisionFunction(
    const ConstMatrixRef&) const {
  return Unimplemented("DecisionFunction");
}

absl::StatusOr<Vector> Estimator::DoScoreSamples(const ConstMatrixRef&) const {
  return Unimplemented("ScoreSamples");
}

absl::Status Estimator::RestoreFitted(const FittedArrayList&,
                                      absl::Span<const FittedScalar>) {
  return Unimplemented("RestoreFitted");
}

absl::StatusOr<const Matrix*> Estimator::FindFittedArray(
    const FittedArrayList& arrays, absl::string_view name, Index rows,
    Index cols, bool allow_nan) const {
  for (const FittedArray& a : arrays) {
    if (a.name != name) continue;
    if ((rows >= 0 && a.value.rows() != rows) ||
        (cols >= 0 && a.value.cols() != cols)) {
      return absl::InvalidArgumentError(absl::StrCat(
          this->name(), "::RestoreFitted: fitted array '", name, "' is ",
          a.value.rows(), " x ", a.value.cols(), ", expected ",
          rows < 0 ? std::string("any") : absl::StrCat(rows), " x ",
          cols < 0 ? std::string("any") : absl::StrCat(cols)));
    }
    if (!allow_nan && !a.value.allFinite()) {
      return absl::InvalidArgumentError(
          absl::StrCat(this->name(), "::RestoreFitted: fitted array '", name,
                       "' holds NaN or infinity"));
    }
    return &a.value;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      this->name(), "::RestoreFitted: fitted array '", name, "' is missing"));
}

absl::StatusOr<double> Estimator::FindFittedScalar(
    absl::Span<const FittedScalar> scalars, absl::string_view name) const {
  for (const FittedScalar& s : scalars) {
    if (s.name == name) return s.value;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      this->name(), "::RestoreFitted: fitted scalar '", name, "' is missing"));
}

absl::Status Estimator::RestoreVector(const FittedArrayList& arrays,
                                      absl::string_view name, Index rows,
                                      Vector* out) const {
  absl::StatusOr<const Matrix*> m = FindFittedArray(arrays, name, rows, -1);
  if (!m.ok()) return m.status();
  if ((*m)->cols() != 1 && (*m)->size() != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(this->name(), "::RestoreFitted: fitted array '", name,
                     "' must be one-dimensional"));
  }
  *out = (*m)->size() == 0 ? Vector() : Vector((*m)->col(0));
  return absl::OkStatus();
}

absl::Status Estimator::RestoreMatrix(const FittedArrayList& arrays,
                                      absl::string_view name, Index rows,
                                      Index cols, Matrix* out) const {
  absl::StatusOr<const Matrix*> m = FindFittedArray(arrays, name, rows, cols);
  if (!m.ok()) return m.status();
  *out = **m;
  return absl::OkStatus();
}

absl::Status Estimator::RestoreLabels(const FittedArrayList& arrays, int lowest,
                                      Index end, LabelVector* out) const {
  absl::StatusOr<const Matrix*> labels =
      FindFittedArray(arrays, "labels", -1, 1);
  if (!labels.ok()) return labels.status();
  for (Index i = 0; i < (*labels)->rows(); ++i) {
    const double l = (**labels)(i, 0);
    if (l != std::floor(l) || l < lowest || l >= end) {
      return absl::InvalidArgumentError(
          absl::StrCat(name(), "::RestoreFitted: label ", l, " of row ", i,
                       " is not an integer in [", lowest, ", ", end, ")"));
    }
  }
  *out = (*labels)->col(0).cast<int32_t>();
  return absl::OkStatus();
}

FittedArrayList Estimator::LinearClassifierArrays(
    absl::Span<const double> classes, const Matrix& coef,
    const Vector& intercept) {
  return {{"classes",
           Eigen::Map<const Vector>(classes.data(),
                                    static_cast<Index>(classes.size())),
           true},
          {"coef", coef, false},
          {"intercept", intercept, true}};
}

absl::Status Estimator::RestoreLinearClassifier(const FittedArrayList& arrays,
                                                std::vector<double>* classes,
                                                Matrix* coef,
                                                Vector* intercept) const {
  Vector c;
  ECLIPSERA_RETURN_IF_ERROR(RestoreVector(arrays, "classes", -1, &c));
  const Index k = c.size();
  bool sorted = k >= 2;
  for (Index i = 1; i < k; ++i) sorted = sorted && c(i - 1) < c(i);
  if (!sorted) {
    return absl::InvalidArgumentError(
        absl::StrCat(name(),
                     "::RestoreFitted: classes must be at least two, sorted "
                     "and distinct"));
  }
  const Index rows = k == 2 ? 1 : k;
  ECLIPSERA_RETURN_IF_ERROR(RestoreMatrix(arrays, "coef", rows, -1, coef));
  ECLIPSERA_RETURN_IF_ERROR(
      RestoreVector(arrays, "intercept", rows, intercept));
  classes->assign(c.data(), c.data() + k);
  return absl::OkStatus();
}

absl::Status Estimator::Unimplemented(absl::string_view method) const {
  return absl::UnimplementedError(
      absl::StrCat(name(), " has no ", method, " method"));
}

namespace {

// The shortest of %.15g and %.17g that reads back as the same double, so
// reprs (and the equality of estimator values built on them) distinguish
// every distinct value; StrCat's 6 digits would not.
std::string RoundTrip(double d) {
  std::string s = absl::StrFormat("%.15g", d);
  double back = 0.0;
  if (absl::SimpleAtod(s, &back) && back == d) return s;
  return absl::StrFormat("%.17g", d);
}

std::string ReprValue(const ParamValue& value) {
  if (const double* d = std::get_if<double>(&value)) return RoundTrip(*d);
  if (const auto* l = std::get_if<std::vector<double>>(&value)) {
    std::vector<std::string> parts;
    for (double d : *l) parts.push_back(RoundTrip(d));
    return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
  }
  return FormatParamValue(value);
}

}  // namespace

std::string EstimatorRepr(const Estimator& estimator) {
  std::vector<std::string> parts;
  for (const auto& [name, value] : estimator.GetParams(false)) {
    parts.push_back(absl::StrCat(name, "=", ReprValue(value)));
  }
  return absl::StrCat(estimator.name(), "(", absl::StrJoin(parts, ", "), ")");
}

std::string Estimator::StructureKey() const {
  const ParamMap params = GetParams(false);
  std::string out = absl::StrCat(name(), "(");
  std::vector<std::string> described;
  const auto add = [&](const std::string& key, const ParamValue& value) {
    // Lengths first: no string value can imitate a separator.
    const std::string v =
        std::holds_alternative<EstimatorParam>(value)
            ? std::get<EstimatorParam>(value).prototype->StructureKey()
            : ReprValue(value);
    absl::StrAppend(&out, key.size(), ":", key, "=", v.size(), ":", v, ";");
  };
  for (const ParamInfo& p : DescribeParams()) {
    auto it = params.find(p.name);
    if (it == params.end()) continue;
    add(p.name, it->second);
    described.push_back(p.name);
  }
  for (const auto& [key, value] : params) {
    if (std::find(described.begin(), described.end(), key) == described.end()) {
      add(key, value);
    }
  }
  absl::StrAppend(&out, ")");
  return out;
}

EstimatorParam MakeEstimatorParam(const Estimator& estimator) {
  std::unique_ptr<Estimator> copy = estimator.Clone();
  std::string repr = EstimatorRepr(*copy);
  std::string key = copy->StructureKey();
  return EstimatorParam{std::shared_ptr<const Estimator>(std::move(copy)),
                        std::move(repr), std::move(key)};
}

}  // namespace eclipsera
