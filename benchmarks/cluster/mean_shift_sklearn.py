#!/usr/bin/python3
"""scikit-learn side of benchmarks/cluster/mean_shift_table.cc.

usage: mean_shift_sklearn.py X.npy BANDWIDTH BIN_SEEDING(0|1)
Times MeanShift.fit only (data loaded before); prints one JSON line with
the seconds, the number of clusters and n_iter.
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import MeanShift


def main():
    X = np.load(sys.argv[1])
    model = MeanShift(bandwidth=float(sys.argv[2]),
                      bin_seeding=bool(int(sys.argv[3])))
    start = time.perf_counter()
    model.fit(X)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds,
                      "n_clusters": int(len(model.cluster_centers_)),
                      "n_iter": int(model.n_iter_)}))


if __name__ == "__main__":
    main()
