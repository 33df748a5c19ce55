#!/usr/bin/python3
"""scikit-learn side of benchmarks/model_selection/search_table.cc.

usage: search_sklearn.py CASE X.npy y.npy N_JOBS [CANDIDATES_JSON]
CASE a: GridSearchCV(KMeans(n_init=1, random_state=0)), n_clusters 2..11,
        KFold(5).
CASE b: GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression())),
        C = logspace(-3, 3, 10), StratifiedKFold(5).
CASE c: the candidates given (a JSON list of parameter maps) over
        make_pipeline(StandardScaler(), PCA(random_state=0),
        KNeighborsClassifier()),
        StratifiedKFold(5): the work of a RandomizedSearchCV that drew them.
Prints one JSON line: seconds (search.fit, refit included), best_index,
best_score, peak_mb: growth of this process's peak resident memory during
the fit plus the peak resident memory of every worker process (loky) still
alive after it.
"""
import json
import os
import resource
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def descendants_peak_mb():
    """Sum of VmHWM over the processes descending from this one."""
    parents = {}
    hwm = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        parents[int(pid)] = int(fields.get("PPid", "0").strip() or 0)
        hwm[int(pid)] = int(fields.get("VmHWM", "0 kB").split()[0])
    me, total = os.getpid(), 0
    for pid in parents:
        p = pid
        while p not in (0, 1, me) and p in parents:
            p = parents[p]
        if p == me and pid != me:
            total += hwm[pid]
    return total / 1024.0


def main():
    case, xp, yp, n_jobs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    X = np.load(xp)
    y = np.load(yp).ravel()
    if case == "a":
        search = GridSearchCV(KMeans(n_init=1, random_state=0),
                              {"n_clusters": list(range(2, 12))},
                              cv=KFold(5), n_jobs=n_jobs)
        fit = lambda: search.fit(X)
    elif case == "b":
        search = GridSearchCV(
            make_pipeline(StandardScaler(), LogisticRegression()),
            {"logisticregression__C": list(np.logspace(-3, 3, 10))},
            cv=StratifiedKFold(5), n_jobs=n_jobs)
        fit = lambda: search.fit(X, y)
    else:
        candidates = json.loads(sys.argv[5])
        grid = [{k: [v] for k, v in c.items()} for c in candidates]
        search = GridSearchCV(
            make_pipeline(StandardScaler(), PCA(random_state=0),
                          KNeighborsClassifier()),
            grid, cv=StratifiedKFold(5), n_jobs=n_jobs)
        fit = lambda: search.fit(X, y)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    fit()
    seconds = time.perf_counter() - start
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024.0
    peak += descendants_peak_mb()
    print(json.dumps({"seconds": seconds, "best_index": int(search.best_index_),
                      "best_score": float(search.best_score_),
                      "peak_mb": peak}))


if __name__ == "__main__":
    main()
