#!/usr/bin/python3
"""scikit-learn side of benchmarks/neighbors/knn_table.cc.

usage: knn_sklearn.py X.npy y.npy Q.npy
       knn_sklearn.py X.npy kneighbors|radius_neighbors Q.npy RADIUS
KNeighborsClassifier() (defaults) fitted on X, y; times predict(Q) (and
fit separately); prints one JSON line with the seconds and a checksum of
the predictions. The second form times NearestNeighbors(radius=RADIUS)
fit plus kneighbors(Q) (the sum of the indices as checksum) or
radius_neighbors(Q) (the number of neighbours found).
"""
import json
import sys
import time

import numpy as np
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors


def nearest(X, method, Q, radius):
    start = time.perf_counter()
    model = NearestNeighbors(radius=radius).fit(X)
    if method == "kneighbors":
        _, idx = model.kneighbors(Q)
        checksum = float(idx.sum())
    else:
        _, idx = model.radius_neighbors(Q)
        checksum = float(sum(len(i) for i in idx))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "checksum": checksum}))


def main():
    if sys.argv[2] in ("kneighbors", "radius_neighbors"):
        nearest(np.load(sys.argv[1]), sys.argv[2], np.load(sys.argv[3]),
                float(sys.argv[4]))
        return
    X = np.load(sys.argv[1])
    y = np.load(sys.argv[2]).ravel()
    Q = np.load(sys.argv[3])
    model = KNeighborsClassifier()
    start = time.perf_counter()
    model.fit(X, y)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    p = model.predict(Q)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "fit_seconds": fit_seconds,
                      "checksum": float(np.sum(p * np.arange(len(p))))}))


if __name__ == "__main__":
    main()
