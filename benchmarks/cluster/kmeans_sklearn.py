#!/usr/bin/python3
"""scikit-learn side of benchmarks/cluster/kmeans_table.cc.

usage: kmeans_sklearn.py X.npy INIT.npy ALGORITHM MAX_ITER TOL
Times KMeans.fit only (data loaded before), from the given initial centers,
and prints one JSON line: seconds, n_iter, inertia.
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import KMeans


def main():
    X = np.load(sys.argv[1])
    init = np.load(sys.argv[2])
    algorithm, max_iter, tol = sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    km = KMeans(n_clusters=init.shape[0], init=init, n_init=1, algorithm=algorithm,
                max_iter=max_iter, tol=tol)
    start = time.perf_counter()
    km.fit(X)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "n_iter": int(km.n_iter_),
                      "inertia": float(km.inertia_)}))


if __name__ == "__main__":
    main()
