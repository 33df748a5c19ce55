#!/usr/bin/python3
"""Golden data for metrics_test.cc, from scikit-learn 1.2.

Run with Debian's interpreter: /usr/bin/python3 generate_metrics.py
Writes the inputs (metrics_*.csv, one column or a matrix each) and
metrics_expected.csv: a header of metric names and one row of values.
"""
import os

import numpy as np
import sklearn
from sklearn import metrics

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, a):
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    np.savetxt(os.path.join(HERE, f"metrics_{name}.csv"), a, delimiter=",",
               fmt="%.17g")


def main():
    print("scikit-learn", sklearn.__version__)
    rng = np.random.RandomState(7)
    n = 60
    yb = rng.randint(0, 2, n)
    pb = np.where(rng.rand(n) < 0.75, yb, 1 - yb)
    sb = np.round(yb * 0.8 + rng.randn(n) * 0.6, 1)  # ties in the scores
    w = rng.uniform(0.1, 2.0, n)
    classes = np.array([-1.0, 2.0, 5.0, 7.0])
    ym = classes[rng.randint(0, 4, n)]
    pm = np.where(rng.rand(n) < 0.6, ym, classes[rng.randint(0, 4, n)])
    logits = rng.randn(n, 4) + 2.0 * (ym[:, None] == classes[None, :])
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    yr = rng.randn(n) * 3.0 + 1.0
    pr = yr + rng.randn(n)
    la = rng.randint(0, 4, n)
    lb = np.where(rng.rand(n) < 0.7, la, rng.randint(0, 6, n)) * 10 - 3
    X = rng.randn(n, 3) + 4.0 * la[:, None]
    X[5] = X[6]  # a duplicate point
    lx = la.copy()
    lx[0] = 4  # a singleton cluster

    for name, a in [("yb", yb), ("pb", pb), ("sb", sb), ("w", w), ("ym", ym),
                    ("pm", pm), ("proba", proba), ("yr", yr), ("pr", pr),
                    ("la", la), ("lb", lb), ("X", X), ("lx", lx)]:
        save(name, a)

    e = {}
    e["accuracy"] = metrics.accuracy_score(yb, pb)
    e["accuracy_w"] = metrics.accuracy_score(ym, pm, sample_weight=w)
    e["balanced_accuracy"] = metrics.balanced_accuracy_score(ym, pm)
    e["balanced_accuracy_adjusted_w"] = metrics.balanced_accuracy_score(
        ym, pm, sample_weight=w, adjusted=True)
    for avg in ["binary", "micro", "macro", "weighted"]:
        y_t, y_p = (yb, pb) if avg == "binary" else (ym, pm)
        e[f"precision_{avg}"] = metrics.precision_score(y_t, y_p, average=avg)
        e[f"recall_{avg}"] = metrics.recall_score(y_t, y_p, average=avg)
        e[f"f1_{avg}"] = metrics.f1_score(y_t, y_p, average=avg)
        e[f"f1_{avg}_w"] = metrics.f1_score(y_t, y_p, average=avg,
                                            sample_weight=w)
    # A class never predicted: zero_division decides precision.
    e["precision_macro_zero1"] = metrics.precision_score(
        ym, np.where(pm == 7.0, 5.0, pm), average="macro", zero_division=1)
    e["fbeta2_macro"] = metrics.fbeta_score(ym, pm, beta=2.0, average="macro")
    e["mcc_binary"] = metrics.matthews_corrcoef(yb, pb)
    e["mcc_multiclass_w"] = metrics.matthews_corrcoef(ym, pm, sample_weight=w)
    e["log_loss"] = metrics.log_loss(ym, proba)
    e["log_loss_w"] = metrics.log_loss(ym, proba, sample_weight=w)
    e["log_loss_binary_1col"] = metrics.log_loss(yb, np.clip(sb, 0, 1))
    e["roc_auc_binary"] = metrics.roc_auc_score(yb, sb)
    e["roc_auc_binary_w"] = metrics.roc_auc_score(yb, sb, sample_weight=w)
    for mc in ["ovr", "ovo"]:
        for avg in ["macro", "weighted"]:
            e[f"roc_auc_{mc}_{avg}"] = metrics.roc_auc_score(
                ym, proba, multi_class=mc, average=avg)
    e["roc_auc_ovr_macro_w"] = metrics.roc_auc_score(
        ym, proba, multi_class="ovr", sample_weight=w)

    e["mse"] = metrics.mean_squared_error(yr, pr)
    e["mse_w"] = metrics.mean_squared_error(yr, pr, sample_weight=w)
    e["rmse"] = metrics.mean_squared_error(yr, pr, squared=False)
    e["mae_w"] = metrics.mean_absolute_error(yr, pr, sample_weight=w)
    e["median_ae"] = metrics.median_absolute_error(yr, pr)
    e["median_ae_w"] = metrics.median_absolute_error(yr, pr, sample_weight=w)
    # Integer weights with ties in the errors and a cumulative weight that
    # lands exactly on half the total.
    e["median_ae_w_ties"] = metrics.median_absolute_error(
        [0, 0, 0, 0, 0, 0], [1, -1, 2, 2, 3, 5],
        sample_weight=[1, 1, 2, 1, 3, 0])
    e["r2"] = metrics.r2_score(yr, pr)
    e["r2_w"] = metrics.r2_score(yr, pr, sample_weight=w)
    e["explained_variance_w"] = metrics.explained_variance_score(
        yr, pr, sample_weight=w)
    e["max_error"] = metrics.max_error(yr, pr)

    e["rand"] = metrics.rand_score(la, lb)
    e["ari"] = metrics.adjusted_rand_score(la, lb)
    e["mi"] = metrics.mutual_info_score(la, lb)
    for m in ["arithmetic", "geometric", "min", "max"]:
        e[f"nmi_{m}"] = metrics.normalized_mutual_info_score(
            la, lb, average_method=m)
        e[f"ami_{m}"] = metrics.adjusted_mutual_info_score(
            la, lb, average_method=m)
    h, c, v = metrics.homogeneity_completeness_v_measure(la, lb)
    e["homogeneity"], e["completeness"], e["v_measure"] = h, c, v
    e["v_measure_beta2"] = metrics.v_measure_score(la, lb, beta=2.0)
    e["fowlkes_mallows"] = metrics.fowlkes_mallows_score(la, lb)
    e["silhouette"] = metrics.silhouette_score(X, lx)
    e["calinski_harabasz"] = metrics.calinski_harabasz_score(X, lx)
    e["davies_bouldin"] = metrics.davies_bouldin_score(X, lx)
    save("silhouette_samples", metrics.silhouette_samples(X, lx))
    save("confusion", metrics.confusion_matrix(ym, pm, sample_weight=w))

    names = list(e)
    with open(os.path.join(HERE, "metrics_expected.csv"), "w") as f:
        f.write(",".join(names) + "\n")
        f.write(",".join(repr(float(e[k])) for k in names) + "\n")


if __name__ == "__main__":
    main()
