// Scorers: scikit-learn 1.2's sklearn/metrics/_scorer.py.
#include "eclipsera/metrics/scorer.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eclipsera/core/status_macros.h"
#include "eclipsera/metrics/classification.h"
#include "eclipsera/metrics/cluster.h"
#include "eclipsera/metrics/regression.h"

namespace eclipsera::metrics {
namespace {

using Span = absl::Span<const double>;
using Metric = std::function<absl::StatusOr<double>(
    Span y, const ConstMatrixRef& pred, Span sample_weight)>;
using LabelMetric =
    std::function<absl::StatusOr<double>(Span y, Span pred, Span w)>;

struct Entry {
  ScorerInfo info;
  Metric metric;
};

// Label metrics take the one-column prediction.
Metric OnLabels(LabelMetric f) {
  return [f](Span y, const ConstMatrixRef& pred,
             Span w) -> absl::StatusOr<double> {
    if (pred.cols() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("scorer: expected one prediction per sample, got ",
                       pred.cols(), " columns"));
    }
    return f(y, Span(pred.data(), static_cast<size_t>(pred.rows())), w);
  };
}

// A metric without sample weights (as in scikit-learn).
LabelMetric Unweighted(std::function<absl::StatusOr<double>(Span, Span)> f) {
  return [f](Span y, Span p, Span w) -> absl::StatusOr<double> {
    if (!w.empty()) {
      return absl::InvalidArgumentError(
          "this metric does not take sample_weight (scikit-learn's has no "
          "such argument)");
    }
    return f(y, p);
  };
}

Metric Prf(absl::string_view which, std::string average) {
  const std::string kind(which);
  return OnLabels([kind, average](Span y, Span p,
                                  Span w) -> absl::StatusOr<double> {
    PrfOptions o;
    o.average = average;
    ECLIPSERA_ASSIGN_OR_RETURN(PrfScores s, PrecisionRecallFScore(y, p, o, w));
    return kind == "precision" ? s.precision
           : kind == "recall"  ? s.recall
                               : s.f_score;
  });
}

Metric RocAuc(std::string multi_class, std::string average) {
  return [multi_class, average](Span y, const ConstMatrixRef& score,
                                Span w) -> absl::StatusOr<double> {
    RocAucOptions o;
    o.multi_class = multi_class;
    o.average = average;
    if (multi_class == "raise" && UniqueLabels(y).size() > 2) {
      return absl::InvalidArgumentError(
          "scorer 'roc_auc': y has more than two classes (multiclass format "
          "is not supported); use 'roc_auc_ovr' or 'roc_auc_ovo'");
    }
    return RocAucScore(y, score, o, w);
  };
}

const std::vector<Entry>& Entries() {
  using In = ScorerInput;
  static const auto* entries = new std::vector<Entry>{
      {{"explained_variance", In::kPredict, 1},
       OnLabels([](Span y, Span p, Span w) {
         return ExplainedVarianceScore(y, p, w);
       })},
      {{"r2", In::kPredict, 1},
       OnLabels([](Span y, Span p, Span w) { return R2Score(y, p, w); })},
      {{"max_error", In::kPredict, -1}, OnLabels(Unweighted(MaxError))},
      {{"neg_median_absolute_error", In::kPredict, -1},
       OnLabels([](Span y, Span p, Span w) {
         return MedianAbsoluteError(y, p, w);
       })},
      {{"neg_mean_absolute_error", In::kPredict, -1},
       OnLabels(
           [](Span y, Span p, Span w) { return MeanAbsoluteError(y, p, w); })},
      {{"neg_mean_squared_error", In::kPredict, -1},
       OnLabels(
           [](Span y, Span p, Span w) { return MeanSquaredError(y, p, w); })},
      {{"neg_root_mean_squared_error", In::kPredict, -1},
       OnLabels([](Span y, Span p, Span w) {
         return MeanSquaredError(y, p, w, /*squared=*/false);
       })},
      {{"accuracy", In::kPredict, 1},
       OnLabels([](Span y, Span p, Span w) { return AccuracyScore(y, p, w); })},
      {{"roc_auc", In::kThreshold, 1}, RocAuc("raise", "macro")},
      {{"roc_auc_ovr", In::kProba, 1}, RocAuc("ovr", "macro")},
      {{"roc_auc_ovo", In::kProba, 1}, RocAuc("ovo", "macro")},
      {{"roc_auc_ovr_weighted", In::kProba, 1}, RocAuc("ovr", "weighted")},
      {{"roc_auc_ovo_weighted", In::kProba, 1}, RocAuc("ovo", "weighted")},
      {{"balanced_accuracy", In::kPredict, 1},
       OnLabels([](Span y, Span p, Span w) {
         return BalancedAccuracyScore(y, p, w);
       })},
      {{"neg_log_loss", In::kProba, -1},
       [](Span y, const ConstMatrixRef& p, Span w) {
         return LogLoss(y, p, {}, w);
       }},
      {{"adjusted_rand_score", In::kPredict, 1},
       OnLabels(Unweighted(AdjustedRandScore))},
      {{"rand_score", In::kPredict, 1}, OnLabels(Unweighted(RandScore))},
      {{"homogeneity_score", In::kPredict, 1},
       OnLabels(Unweighted(HomogeneityScore))},
      {{"completeness_score", In::kPredict, 1},
       OnLabels(Unweighted(CompletenessScore))},
      {{"v_measure_score", In::kPredict, 1},
       OnLabels(
           Unweighted([](Span y, Span p) { return VMeasureScore(y, p); }))},
      {{"mutual_info_score", In::kPredict, 1},
       OnLabels(Unweighted(MutualInfoScore))},
      {{"adjusted_mutual_info_score", In::kPredict, 1},
       OnLabels(Unweighted(
           [](Span y, Span p) { return AdjustedMutualInfoScore(y, p); }))},
      {{"normalized_mutual_info_score", In::kPredict, 1},
       OnLabels(Unweighted(
           [](Span y, Span p) { return NormalizedMutualInfoScore(y, p); }))},
      {{"fowlkes_mallows_score", In::kPredict, 1},
       OnLabels(Unweighted(FowlkesMallowsScore))},
      {{"precision", In::kPredict, 1}, Prf("precision", "binary")},
      {{"precision_macro", In::kPredict, 1}, Prf("precision", "macro")},
      {{"precision_micro", In::kPredict, 1}, Prf("precision", "micro")},
      {{"precision_weighted", In::kPredict, 1}, Prf("precision", "weighted")},
      {{"recall", In::kPredict, 1}, Prf("recall", "binary")},
      {{"recall_macro", In::kPredict, 1}, Prf("recall", "macro")},
      {{"recall_micro", In::kPredict, 1}, Prf("recall", "micro")},
      {{"recall_weighted", In::kPredict, 1}, Prf("recall", "weighted")},
      {{"f1", In::kPredict, 1}, Prf("f1", "binary")},
      {{"f1_macro", In::kPredict, 1}, Prf("f1", "macro")},
      {{"f1_micro", In::kPredict, 1}, Prf("f1", "micro")},
      {{"f1_weighted", In::kPredict, 1}, Prf("f1", "weighted")},
      {{"matthews_corrcoef", In::kPredict, 1},
       OnLabels(
           [](Span y, Span p, Span w) { return MatthewsCorrcoef(y, p, w); })},
  };
  return *entries;
}

const Entry* Find(absl::string_view name) {
  for (const Entry& e : Entries()) {
    if (e.info.name == name) return &e;
  }
  return nullptr;
}

}  // namespace

const std::vector<ScorerInfo>& Scorers() {
  static const auto* infos = [] {
    auto* v = new std::vector<ScorerInfo>;
    for (const Entry& e : Entries()) v->push_back(e.info);
    return v;
  }();
  return *infos;
}

absl::StatusOr<ScorerInfo> FindScorer(absl::string_view name) {
  if (const Entry* e = Find(name)) return e->info;
  std::vector<std::string> names;
  for (const Entry& e : Entries()) names.push_back(e.info.name);
  return absl::InvalidArgumentError(
      absl::StrCat("unknown scorer '", name,
                   "'; valid scorers: ", absl::StrJoin(names, ", ")));
}

absl::StatusOr<double> ScoreOutputs(const ScorerInfo& scorer,
                                    absl::Span<const double> y,
                                    const ConstMatrixRef& pred,
                                    absl::Span<const double> sample_weight) {
  const Entry* e = Find(scorer.name);
  if (e == nullptr) return FindScorer(scorer.name).status();
  ECLIPSERA_ASSIGN_OR_RETURN(const double value,
                             e->metric(y, pred, sample_weight));
  return scorer.sign * value;
}

absl::StatusOr<double> Score(absl::string_view name, const Estimator& est,
                             const ConstMatrixRef& x,
                             absl::Span<const double> y) {
  ECLIPSERA_ASSIGN_OR_RETURN(const ScorerInfo info, FindScorer(name));
  if (static_cast<Index>(y.size()) != x.rows()) {
    return absl::InvalidArgumentError(
        absl::StrCat("scorer '", name, "': X has ", x.rows(),
                     " samples but y has ", y.size()));
  }
  if (info.input == ScorerInput::kPredict) {
    absl::StatusOr<Vector> p = est.Predict(x);
    if (!p.ok()) {
      if (p.status().code() != absl::StatusCode::kUnimplemented) {
        return p.status();
      }
      return absl::InvalidArgumentError(
          absl::StrCat("scorer '", name, "' needs predict, which ", est.name(),
                       " does not have"));
    }
    return ScoreOutputs(info, y, Matrix(*p));
  }
  if (est.kind() != EstimatorKind::kClassifier) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scorer '", name, "' needs a classifier's ",
        info.input == ScorerInput::kProba ? "predict_proba"
                                          : "decision_function or "
                                            "predict_proba",
        "; ", est.name(), " is a ", EstimatorKindName(est.kind())));
  }
  absl::StatusOr<Matrix> out = absl::UnimplementedError("");
  if (info.input == ScorerInput::kThreshold) out = est.DecisionFunction(x);
  if (!out.ok() && out.status().code() == absl::StatusCode::kUnimplemented) {
    out = est.PredictProba(x);
  }
  if (!out.ok()) {
    if (out.status().code() != absl::StatusCode::kUnimplemented) {
      return out.status();
    }
    return absl::InvalidArgumentError(
        absl::StrCat("scorer '", name, "' needs predict_proba, which ",
                     est.name(), " does not have"));
  }
  return ScoreOutputs(info, y, *out);
}

}  // namespace eclipsera::metrics
