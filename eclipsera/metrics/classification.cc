// Classification metrics: scikit-learn 1.2's sklearn/metrics/_classification.py
// and _ranking.py (roc_auc_score).
#include "eclipsera/metrics/classification.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eclipsera/core/status_macros.h"

namespace eclipsera::metrics {
namespace {

double Weight(Labels w, size_t i) { return w.empty() ? 1.0 : w[i]; }

std::string ListClasses(const std::vector<double>& classes) {
  return absl::StrCat("[", absl::StrJoin(classes, ", "), "]");
}

absl::Status CheckFiniteSpan(absl::string_view context, absl::string_view name,
                             Labels v) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat(context, ": ", name, "[", i, "] = ", v[i],
                       "; every value must be finite"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckWeights(absl::string_view context, Labels w, size_t n) {
  if (w.empty()) return absl::OkStatus();
  if (w.size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": sample_weight has ", w.size(),
                     " entries; expected one per sample (", n, ")"));
  }
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
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": sample_weight sums to 0"));
  }
  return absl::OkStatus();
}

// _prf_divide: num / den, with the zero_division value where den == 0.
double Divide(double num, double den, double zero_division_value) {
  return den == 0.0 ? zero_division_value : num / den;
}

absl::StatusOr<double> ZeroDivisionValue(absl::string_view context,
                                         const std::string& zero_division) {
  if (zero_division == "warn" || zero_division == "0") return 0.0;
  if (zero_division == "1") return 1.0;
  return absl::InvalidArgumentError(
      absl::StrCat(context, ": unknown zero_division '", zero_division,
                   "'; allowed: 'warn', '0', '1'"));
}

// Binary ROC AUC of scores for `positive` samples against the rest, by the
// trapezoidal rule over the curve at distinct score thresholds (scikit-learn's
// _binary_clf_curve + auc). Samples with mask false are skipped.
double BinaryAuc(const std::vector<bool>& positive,
                 const std::vector<double>& score, Labels w,
                 const std::vector<bool>* mask) {
  std::vector<size_t> order;
  order.reserve(score.size());
  for (size_t i = 0; i < score.size(); ++i) {
    if (mask == nullptr || (*mask)[i]) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return score[a] > score[b]; });
  double tps = 0.0, fps = 0.0, prev_tps = 0.0, prev_fps = 0.0, area = 0.0;
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    if (positive[i]) {
      tps += Weight(w, i);
    } else {
      fps += Weight(w, i);
    }
    if (k + 1 == order.size() || score[order[k + 1]] != score[i]) {
      area += (fps - prev_fps) * (tps + prev_tps) / 2.0;
      prev_tps = tps;
      prev_fps = fps;
    }
  }
  return area / (tps * fps);
}

}  // namespace

std::vector<double> UniqueLabels(Labels a, Labels b) {
  std::vector<double> out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<int32_t> EncodeAgainst(Labels labels,
                                   const std::vector<double>& classes) {
  std::vector<int32_t> codes(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto it = std::lower_bound(classes.begin(), classes.end(), labels[i]);
    codes[i] = it != classes.end() && *it == labels[i]
                   ? static_cast<int32_t>(it - classes.begin())
                   : -1;
  }
  return codes;
}

absl::Status CheckLabels(absl::string_view context, Labels y_true,
                         Labels y_pred, Labels sample_weight) {
  if (y_true.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": y_true is empty; need at least one sample"));
  }
  if (y_pred.size() != y_true.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        context, ": y_true has ", y_true.size(), " samples but y_pred has ",
        y_pred.size(), "; they must have the same length"));
  }
  ECLIPSERA_RETURN_IF_ERROR(CheckFiniteSpan(context, "y_true", y_true));
  ECLIPSERA_RETURN_IF_ERROR(CheckFiniteSpan(context, "y_pred", y_pred));
  return CheckWeights(context, sample_weight, y_true.size());
}

absl::StatusOr<double> AccuracyScore(Labels y_true, Labels y_pred,
                                     Labels sample_weight) {
  ECLIPSERA_RETURN_IF_ERROR(
      CheckLabels("accuracy_score", y_true, y_pred, sample_weight));
  double hit = 0.0, total = 0.0;
  for (size_t i = 0; i < y_true.size(); ++i) {
    const double w = Weight(sample_weight, i);
    total += w;
    if (y_true[i] == y_pred[i]) hit += w;
  }
  return hit / total;
}

absl::StatusOr<Matrix> ConfusionMatrix(Labels y_true, Labels y_pred,
                                       Labels labels, Labels sample_weight) {
  constexpr char kContext[] = "confusion_matrix";
  ECLIPSERA_RETURN_IF_ERROR(
      CheckLabels(kContext, y_true, y_pred, sample_weight));
  std::vector<double> classes;
  if (labels.empty()) {
    classes = UniqueLabels(y_true, y_pred);
  } else {
    ECLIPSERA_RETURN_IF_ERROR(CheckFiniteSpan(kContext, "labels", labels));
    classes = UniqueLabels(labels);
    if (classes.size() != labels.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kContext, ": labels has duplicates"));
    }
    if (EncodeAgainst(y_true, classes) ==
        std::vector<int32_t>(y_true.size(), -1)) {
      return absl::InvalidArgumentError(
          absl::StrCat(kContext, ": none of labels ", ListClasses(classes),
                       " is in y_true; at least one must be"));
    }
  }
  // With explicit labels, the matrix follows their given order.
  std::vector<double> order =
      labels.empty() ? classes
                     : std::vector<double>(labels.begin(), labels.end());
  const std::vector<int32_t> t = EncodeAgainst(y_true, classes);
  const std::vector<int32_t> p = EncodeAgainst(y_pred, classes);
  std::vector<int32_t> position(classes.size());
  for (size_t k = 0; k < order.size(); ++k) {
    position[EncodeAgainst({&order[k], 1}, classes)[0]] =
        static_cast<int32_t>(k);
  }
  const Index k = static_cast<Index>(classes.size());
  Matrix c = Matrix::Zero(k, k);
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] < 0 || p[i] < 0) continue;
    c(position[t[i]], position[p[i]]) += Weight(sample_weight, i);
  }
  return c;
}

absl::StatusOr<double> BalancedAccuracyScore(Labels y_true, Labels y_pred,
                                             Labels sample_weight,
                                             bool adjusted) {
  absl::StatusOr<Matrix> c = ConfusionMatrix(y_true, y_pred, {}, sample_weight);
  if (!c.ok()) {
    return absl::Status(
        c.status().code(),
        absl::StrCat("balanced_accuracy_score: ", c.status().message()));
  }
  double sum = 0.0;
  int present = 0;
  for (Index i = 0; i < c->rows(); ++i) {
    const double row = c->row(i).sum();
    if (row == 0.0) continue;  // a class only predicted: not averaged
    sum += (*c)(i, i) / row;
    ++present;
  }
  double score = sum / present;
  if (adjusted) {
    const double chance = 1.0 / present;
    score = (score - chance) / (1.0 - chance);
  }
  return score;
}

absl::StatusOr<PrfScores> PrecisionRecallFScore(Labels y_true, Labels y_pred,
                                                const PrfOptions& o,
                                                Labels sample_weight) {
  constexpr char kContext[] = "precision_recall_fscore_support";
  ECLIPSERA_RETURN_IF_ERROR(
      CheckLabels(kContext, y_true, y_pred, sample_weight));
  ECLIPSERA_ASSIGN_OR_RETURN(const double zero_value,
                             ZeroDivisionValue(kContext, o.zero_division));
  if (o.average != "binary" && o.average != "micro" && o.average != "macro" &&
      o.average != "weighted") {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": unknown average '", o.average,
                     "'; allowed: 'binary', 'micro', 'macro', 'weighted'"));
  }
  if (!(o.beta >= 0.0) || !std::isfinite(o.beta)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": beta = ", o.beta, "; must be >= 0"));
  }
  std::vector<double> classes = UniqueLabels(y_true, y_pred);
  if (o.average == "binary") {
    if (classes.size() > 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          kContext,
          ": Target is multiclass but average='binary'. Please choose "
          "another average setting, one of 'micro', 'macro', 'weighted'"));
    }
    if (std::find(classes.begin(), classes.end(), o.pos_label) ==
        classes.end()) {
      if (classes.size() == 2) {
        return absl::InvalidArgumentError(
            absl::StrCat(kContext, ": pos_label=", o.pos_label,
                         " is not a valid label. It should be one of ",
                         ListClasses(classes)));
      }
      classes.push_back(o.pos_label);
      std::sort(classes.begin(), classes.end());
    }
  }
  const std::vector<int32_t> t = EncodeAgainst(y_true, classes);
  const std::vector<int32_t> p = EncodeAgainst(y_pred, classes);
  const size_t k = classes.size();
  std::vector<double> tp(k, 0.0), pred(k, 0.0), truth(k, 0.0);
  for (size_t i = 0; i < t.size(); ++i) {
    const double w = Weight(sample_weight, i);
    truth[t[i]] += w;
    pred[p[i]] += w;
    if (t[i] == p[i]) tp[t[i]] += w;
  }
  std::vector<size_t> used;
  if (o.average == "binary") {
    used.push_back(std::find(classes.begin(), classes.end(), o.pos_label) -
                   classes.begin());
  } else {
    for (size_t c = 0; c < k; ++c) used.push_back(c);
  }
  if (o.average == "micro") {
    double tp_sum = 0.0, pred_sum = 0.0, true_sum = 0.0;
    for (size_t c : used) {
      tp_sum += tp[c];
      pred_sum += pred[c];
      true_sum += truth[c];
    }
    tp = {tp_sum};
    pred = {pred_sum};
    truth = {true_sum};
    used = {0};
  }
  const double beta2 = o.beta * o.beta;
  std::vector<double> precision, recall, f;
  double weight_sum = 0.0, pred_total = 0.0;
  for (size_t c : used) {
    const double pr = Divide(tp[c], pred[c], zero_value);
    const double re = Divide(tp[c], truth[c], zero_value);
    double denom = beta2 * pr + re;
    if (denom == 0.0) denom = 1.0;
    precision.push_back(pr);
    recall.push_back(re);
    f.push_back((1.0 + beta2) * pr * re / denom);
    weight_sum += truth[c];
    pred_total += pred[c];
  }
  if (o.average == "weighted" && weight_sum == 0.0) {
    if (pred_total == 0.0) return PrfScores{zero_value, zero_value, zero_value};
    return PrfScores{0.0, zero_value, 0.0};
  }
  // np.average: sum(w * v) / sum(w), or the mean.
  auto average = [&](const std::vector<double>& v) {
    double s = 0.0;
    if (o.average == "weighted") {
      for (size_t i = 0; i < v.size(); ++i) s += v[i] * truth[used[i]];
      return s / weight_sum;
    }
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  return PrfScores{average(precision), average(recall), average(f)};
}

absl::StatusOr<double> PrecisionScore(Labels y_true, Labels y_pred,
                                      const PrfOptions& options,
                                      Labels sample_weight) {
  ECLIPSERA_ASSIGN_OR_RETURN(
      PrfScores s,
      PrecisionRecallFScore(y_true, y_pred, options, sample_weight));
  return s.precision;
}

absl::StatusOr<double> RecallScore(Labels y_true, Labels y_pred,
                                   const PrfOptions& options,
                                   Labels sample_weight) {
  ECLIPSERA_ASSIGN_OR_RETURN(
      PrfScores s,
      PrecisionRecallFScore(y_true, y_pred, options, sample_weight));
  return s.recall;
}

absl::StatusOr<double> F1Score(Labels y_true, Labels y_pred,
                               const PrfOptions& options,
                               Labels sample_weight) {
  PrfOptions o = options;
  o.beta = 1.0;
  ECLIPSERA_ASSIGN_OR_RETURN(
      PrfScores s, PrecisionRecallFScore(y_true, y_pred, o, sample_weight));
  return s.f_score;
}

absl::StatusOr<double> MatthewsCorrcoef(Labels y_true, Labels y_pred,
                                        Labels sample_weight) {
  absl::StatusOr<Matrix> c = ConfusionMatrix(y_true, y_pred, {}, sample_weight);
  if (!c.ok()) {
    return absl::Status(c.status().code(), absl::StrCat("matthews_corrcoef: ",
                                                        c.status().message()));
  }
  const Vector t_sum = c->rowwise().sum();
  const Vector p_sum = c->colwise().sum().transpose();
  const double n_correct = c->trace();
  const double n_samples = p_sum.sum();
  const double cov_ytyp = n_correct * n_samples - t_sum.dot(p_sum);
  const double cov_ypyp = n_samples * n_samples - p_sum.dot(p_sum);
  const double cov_ytyt = n_samples * n_samples - t_sum.dot(t_sum);
  if (cov_ypyp * cov_ytyt == 0.0) return 0.0;
  return cov_ytyp / std::sqrt(cov_ytyt * cov_ypyp);
}

absl::StatusOr<double> LogLoss(Labels y_true, const ConstMatrixRef& y_prob,
                               Labels labels, Labels sample_weight, double eps,
                               bool normalize) {
  constexpr char kContext[] = "log_loss";
  if (y_prob.rows() != static_cast<Index>(y_true.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": y_true has ", y_true.size(),
                     " samples but y_prob has ", y_prob.rows(), " rows"));
  }
  ECLIPSERA_RETURN_IF_ERROR(
      CheckLabels(kContext, y_true, y_true, sample_weight));
  if (!y_prob.allFinite()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": y_prob holds NaN or infinity"));
  }
  if (!(eps > 0.0 && eps < 0.5)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": eps = ", eps, "; must be in (0, 0.5)"));
  }
  std::vector<double> classes =
      labels.empty() ? UniqueLabels(y_true) : UniqueLabels(labels);
  if (classes.size() == 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": y_true contains only one label (", classes[0],
        "); provide the true labels explicitly through the labels argument"));
  }
  const std::vector<int32_t> t = EncodeAgainst(y_true, classes);
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(kContext, ": y_true[", i, "] = ", y_true[i],
                       " is not in labels ", ListClasses(classes)));
    }
  }
  const Index k = static_cast<Index>(classes.size());
  const bool one_column = y_prob.cols() == 1;
  if (one_column ? k != 2 : y_prob.cols() != k) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext, ": y_true has ", k, " classes ", ListClasses(classes),
        " but y_prob has ", y_prob.cols(),
        " columns; they must match (one column: binary problems only)"));
  }
  double loss = 0.0, total = 0.0;
  std::vector<double> row(k);
  for (Index i = 0; i < y_prob.rows(); ++i) {
    if (one_column) {
      row[1] = y_prob(i, 0);
      row[0] = 1.0 - row[1];
    } else {
      for (Index j = 0; j < k; ++j) row[j] = y_prob(i, j);
    }
    double sum = 0.0;
    for (Index j = 0; j < k; ++j) {
      row[j] = std::clamp(row[j], eps, 1.0 - eps);
      sum += row[j];
    }
    const double w = Weight(sample_weight, i);
    loss += w * -std::log(row[t[i]] / sum);
    total += w;
  }
  return normalize ? loss / total : loss;
}

absl::StatusOr<double> RocAucScore(Labels y_true, const ConstMatrixRef& y_score,
                                   const RocAucOptions& o,
                                   Labels sample_weight) {
  constexpr char kContext[] = "roc_auc_score";
  if (y_score.rows() != static_cast<Index>(y_true.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": y_true has ", y_true.size(),
                     " samples but y_score has ", y_score.rows(), " rows"));
  }
  ECLIPSERA_RETURN_IF_ERROR(
      CheckLabels(kContext, y_true, y_true, sample_weight));
  if (!y_score.allFinite()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": y_score holds NaN or infinity"));
  }
  if (o.average != "macro" && o.average != "weighted") {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": unknown average '", o.average,
                     "'; allowed: 'macro', 'weighted'"));
  }
  const std::vector<double> classes = UniqueLabels(y_true);
  const std::vector<int32_t> t = EncodeAgainst(y_true, classes);
  const size_t n = y_true.size();
  const Index k = static_cast<Index>(classes.size());
  if (k < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext,
        ": Only one class present in y_true. ROC AUC score is not defined in "
        "that case."));
  }
  if (k == 2) {
    if (y_score.cols() != 1 && y_score.cols() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(kContext,
                       ": binary y_true needs y_score with 1 column (the score "
                       "of the larger class) or 2, got ",
                       y_score.cols()));
    }
    std::vector<bool> positive(n);
    std::vector<double> score(n);
    for (size_t i = 0; i < n; ++i) {
      positive[i] = t[i] == 1;
      score[i] = y_score(i, y_score.cols() - 1);
    }
    return BinaryAuc(positive, score, sample_weight, nullptr);
  }
  if (o.multi_class != "ovr" && o.multi_class != "ovo") {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": y_true has ", k,
                     " classes; multi_class must be 'ovr' or 'ovo', got '",
                     o.multi_class, "'"));
  }
  if (y_score.cols() != k) {
    return absl::InvalidArgumentError(
        absl::StrCat(kContext, ": Number of classes in y_true (", k,
                     ") not equal to the number of columns in 'y_score' (",
                     y_score.cols(), ")"));
  }
  for (Index i = 0; i < y_score.rows(); ++i) {
    // np.allclose(sum, 1): rtol 1e-5, atol 1e-8.
    if (!(std::abs(y_score.row(i).sum() - 1.0) <= 1e-8 + 1e-5)) {
      return absl::InvalidArgumentError(absl::StrCat(
          kContext,
          ": Target scores need to be probabilities for multiclass roc_auc, "
          "i.e. they should sum up to 1.0 over classes (row ",
          i, " sums to ", y_score.row(i).sum(), ")"));
    }
  }
  std::vector<double> score(n);
  std::vector<bool> positive(n);
  if (o.multi_class == "ovr") {
    double sum = 0.0, weight_total = 0.0;
    for (Index c = 0; c < k; ++c) {
      double prevalence = 0.0;
      for (size_t i = 0; i < n; ++i) {
        positive[i] = t[i] == c;
        score[i] = y_score(i, c);
        if (positive[i]) prevalence += Weight(sample_weight, i);
      }
      const double auc = BinaryAuc(positive, score, sample_weight, nullptr);
      const double w = o.average == "weighted" ? prevalence : 1.0;
      sum += w * auc;
      weight_total += w;
    }
    return sum / weight_total;
  }
  if (!sample_weight.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        kContext,
        ": sample_weight is not supported for multiclass one-vs-one "
        "ROC AUC, 'sample_weight' must be empty"));
  }
  // _average_multiclass_ovo_score: each pair's two one-vs-one AUCs averaged,
  // pairs averaged (weighted by their prevalence for 'weighted').
  double sum = 0.0, weight_total = 0.0;
  std::vector<bool> mask(n);
  for (Index a = 0; a < k; ++a) {
    for (Index b = a + 1; b < k; ++b) {
      double in_pair = 0.0;
      for (size_t i = 0; i < n; ++i) {
        mask[i] = t[i] == a || t[i] == b;
        if (mask[i]) in_pair += 1.0;
      }
      for (size_t i = 0; i < n; ++i) {
        positive[i] = t[i] == a;
        score[i] = y_score(i, a);
      }
      const double auc_a = BinaryAuc(positive, score, {}, &mask);
      for (size_t i = 0; i < n; ++i) {
        positive[i] = t[i] == b;
        score[i] = y_score(i, b);
      }
      const double auc_b = BinaryAuc(positive, score, {}, &mask);
      const double w =
          o.average == "weighted" ? in_pair / static_cast<double>(n) : 1.0;
      sum += w * (auc_a + auc_b) / 2.0;
      weight_total += w;
    }
  }
  return sum / weight_total;
}

}  // namespace eclipsera::metrics
