#!/usr/bin/python3
"""Golden data for model_selection_test.cc, from scikit-learn 1.2.

Run with Debian's interpreter: /usr/bin/python3 generate_model_selection.py
Writes:
  splits.txt   the test indices of non-shuffling splitters, one line per
               split: "NAME SPLIT: i j k ..." (train is the complement,
               except for TimeSeriesSplit, whose train line follows as
               "NAME SPLIT train: ...")
  grid.txt     ParameterGrid candidates, one "k=v;k=v" line each
  search_X.csv, search_y.csv and search_*.csv: GridSearchCV of
               StandardScaler + LogisticRegression over C with
               StratifiedKFold(5): split test accuracies, means, ranks
  keys_*.txt   cv_results_ keys (single metric with train scores;
               two metrics)
  vc_*.csv     validation_curve of the same pipeline over C
  lc_*.csv     learning_curve of it (default fractions; absolute sizes)
  halving.txt  successive halving's schedule (n_resources_, n_candidates_,
               iterations, min/max resources) for several settings, and
               its cv_results_ keys (scores depend on numpy's subsampling)
"""
import os

import numpy as np
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (GridSearchCV, GroupKFold,
                                     GroupShuffleSplit, KFold, LeaveOneOut,
                                     LeavePOut, ParameterGrid,
                                     PredefinedSplit, StratifiedKFold,
                                     StratifiedShuffleSplit, TimeSeriesSplit,
                                     HalvingGridSearchCV,
                                     HalvingRandomSearchCV,
                                     learning_curve, validation_curve)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def save(name, a):
    a = np.asarray(a, dtype=float)
    if a.ndim < 2:
        a = a.reshape(-1, 1)
    np.savetxt(path(name), a, delimiter=",", fmt="%.17g")


# Labels with classes first appearing in the order 2, 0, 1 (unequal sizes).
y_strat = np.array([2, 2, 0, 1, 0, 2, 1, 1, 0, 2, 2, 0, 1, 2, 0, 0, 2, 1, 2,
                    0, 2, 1, 0])
groups = np.array([0, 0, 1, 1, 1, 2, 3, 3, 3, 3, 4, 5, 5, 6, 6, 6, 6, 7, 8,
                   8, 9, 9, 9])
test_fold = np.array([0, 1, -1, 2, 0, 1, 2, 2, -1, 0, 1, 0, 2, 1, 1, 0, -1,
                      2, 0, 1, 2, 0, 1])
n = len(y_strat)
X = np.zeros((n, 1))
with open(path("splits.txt"), "w") as f:
    cases = [
        ("kfold5", KFold(5), None, None),
        ("kfold3", KFold(3), None, None),
        ("stratified3", StratifiedKFold(3), y_strat, None),
        ("stratified5", StratifiedKFold(5), y_strat, None),
        ("group4", GroupKFold(4), None, groups),
        ("timeseries3", TimeSeriesSplit(3), None, None),
        ("timeseries_gap", TimeSeriesSplit(4, max_train_size=6, test_size=3,
                                           gap=2), None, None),
        ("predefined", PredefinedSplit(test_fold), None, None),
        ("loo", LeaveOneOut(), None, None),
        ("lpo2", LeavePOut(2), None, None),
    ]
    for name, cv, y, g in cases:
        for s, (train, test) in enumerate(cv.split(X, y, g)):
            f.write(f"{name} {s}: {' '.join(map(str, test))}\n")
            if name.startswith("timeseries"):
                f.write(f"{name} {s} train: {' '.join(map(str, train))}\n")
    # StratifiedShuffleSplit: per-class counts of train and test (the
    # indices themselves depend on numpy's generator).
    sss = StratifiedShuffleSplit(n_splits=1, test_size=0.3, random_state=0)
    train, test = next(sss.split(X, y_strat))
    for part, idx in (("train", train), ("test", test)):
        counts = np.bincount(y_strat[idx], minlength=3)
        f.write(f"sss_{part}_counts 0: {' '.join(map(str, counts))}\n")

    # GroupShuffleSplit: how many groups land in train and test.
    gss = GroupShuffleSplit(n_splits=3, test_size=0.3, random_state=0)
    for s, (train, test) in enumerate(gss.split(X, y_strat, groups)):
        f.write(f"gss_groups {s}: {len(np.unique(groups[train]))} "
                f"{len(np.unique(groups[test]))}\n")

grid = ParameterGrid([{"b": [1, 2], "a": ["x", "y", "z"]},
                      {"c": [0.5], "a": ["w"]}, {}])
with open(path("grid.txt"), "w") as f:
    for p in grid:
        f.write(";".join(f"{k}={v}" for k, v in sorted(p.items())) + "\n")

X, y = make_classification(n_samples=300, n_features=8, n_informative=4,
                           random_state=3, flip_y=0.05)
X[:, 2] *= 100.0
save("search_X.csv", X)
save("search_y.csv", y)
Cs = [0.001, 0.01, 0.1, 1.0, 10.0]
search = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression()),
                      {"logisticregression__C": Cs}, cv=StratifiedKFold(5),
                      return_train_score=True)
search.fit(X, y)
r = search.cv_results_
save("search_split_test.csv",
     np.array([r[f"split{i}_test_score"] for i in range(5)]).T)
save("search_mean_test.csv", r["mean_test_score"])
save("search_std_test.csv", r["std_test_score"])
save("search_rank_test.csv", r["rank_test_score"])
save("search_mean_train.csv", r["mean_train_score"])
save("search_best_index.csv", [search.best_index_])
with open(path("keys_single.txt"), "w") as f:
    f.write("\n".join(r.keys()) + "\n")
multi = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression()),
                     {"logisticregression__C": Cs[:2]}, cv=3,
                     scoring=["accuracy", "roc_auc"], refit="roc_auc")
multi.fit(X, y)
with open(path("keys_multi.txt"), "w") as f:
    f.write("\n".join(multi.cv_results_.keys()) + "\n")
save("multi_mean_roc_auc.csv", multi.cv_results_["mean_test_roc_auc"])

# validation_curve and learning_curve of the same pipeline.
train, test = validation_curve(
    make_pipeline(StandardScaler(), LogisticRegression()), X, y,
    param_name="logisticregression__C", param_range=[0.01, 0.1, 1.0],
    cv=StratifiedKFold(5))
save("vc_train.csv", train)
save("vc_test.csv", test)
sizes, train, test = learning_curve(
    make_pipeline(StandardScaler(), LogisticRegression()), X, y,
    cv=StratifiedKFold(5))
save("lc_sizes.csv", sizes)
save("lc_train.csv", train)
save("lc_test.csv", test)
# Absolute sizes with a duplicate (removed, with a warning).
sizes, _, test = learning_curve(
    make_pipeline(StandardScaler(), LogisticRegression()), X, y,
    train_sizes=[30, 60, 60, 240], cv=StratifiedKFold(5))
save("lc_abs_sizes.csv", sizes)
save("lc_abs_test.csv", test)

# Successive halving: the schedule and the keys.
Cs9 = list(np.logspace(-3, 2, 9))
with open(path("halving.txt"), "w") as f:
    settings = [
        ("grid_f2", dict(factor=2)),
        ("grid_exhaust", dict(factor=2, min_resources="exhaust")),
        ("grid_aggressive", dict(factor=3, min_resources=100,
                                 aggressive_elimination=True)),
        ("grid_f3_min30", dict(factor=3, min_resources=30)),
    ]
    for name, kw in settings:
        h = HalvingGridSearchCV(
            make_pipeline(StandardScaler(), LogisticRegression()),
            {"logisticregression__C": Cs9}, cv=StratifiedKFold(5),
            random_state=0, **kw).fit(X, y)
        f.write(f"{name} n_resources: {' '.join(map(str, h.n_resources_))}\n")
        f.write(f"{name} n_candidates: "
                f"{' '.join(map(str, h.n_candidates_))}\n")
        f.write(f"{name} iterations: {h.n_iterations_} "
                f"{h.n_required_iterations_} {h.n_possible_iterations_} "
                f"{h.n_remaining_candidates_}\n")
        f.write(f"{name} resources: {h.min_resources_} {h.max_resources_}\n")
        if name == "grid_f2":
            f.write(f"keys: {' '.join(h.cv_results_.keys())}\n")
    r = HalvingRandomSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression()),
        {"logisticregression__C": Cs9 + [200.0, 300.0, 400.0, 500.0, 600.0,
                                         700.0, 800.0]},
        cv=StratifiedKFold(5), factor=3, random_state=0).fit(X, y)
    f.write(f"random n_resources: {' '.join(map(str, r.n_resources_))}\n")
    f.write(f"random n_candidates: {' '.join(map(str, r.n_candidates_))}\n")
