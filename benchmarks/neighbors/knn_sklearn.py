#!/usr/bin/python3
"""scikit-learn side of benchmarks/neighbors/knn_table.cc.

usage: knn_sklearn.py X.npy y.npy Q.npy
KNeighborsClassifier() (defaults) fitted on X, y; times predict(Q) (and
fit separately); prints one JSON line with the seconds and a checksum of
the predictions.
"""
import json
import sys
import time

import numpy as np
from sklearn.neighbors import KNeighborsClassifier


def main():
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
