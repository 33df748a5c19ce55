#!/usr/bin/python3
"""scikit-learn side of the MiniBatchKMeans table in kmeans_table.cc.

usage: minibatch_sklearn.py X.npy INIT.npy BATCH_SIZE MAX_ITER
Times MiniBatchKMeans.fit only (data loaded before) from the given initial
centers, with every step run (tol=0, max_no_improvement=None, n_init=1),
and prints one JSON line: seconds, n_steps, inertia.
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import MiniBatchKMeans


def main():
    X = np.load(sys.argv[1])
    init = np.load(sys.argv[2])
    batch_size, max_iter = int(sys.argv[3]), int(sys.argv[4])
    km = MiniBatchKMeans(n_clusters=init.shape[0], init=init, n_init=1,
                         batch_size=batch_size, max_iter=max_iter, tol=0.0,
                         max_no_improvement=None, random_state=0)
    start = time.perf_counter()
    km.fit(X)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "n_steps": int(km.n_steps_),
                      "inertia": float(km.inertia_)}))


if __name__ == "__main__":
    main()
