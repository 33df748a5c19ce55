#!/usr/bin/python3
"""scikit-learn side of benchmarks/cluster/dbscan_table.cc.

usage: dbscan_sklearn.py X.npy EPS MIN_SAMPLES
Times DBSCAN.fit only (data loaded before); prints one JSON line with the
seconds, the number of clusters and of noise samples.
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import DBSCAN


def main():
    X = np.load(sys.argv[1])
    model = DBSCAN(eps=float(sys.argv[2]), min_samples=int(sys.argv[3]))
    start = time.perf_counter()
    model.fit(X)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds,
                      "n_clusters": int(model.labels_.max() + 1),
                      "n_noise": int((model.labels_ == -1).sum())}))


if __name__ == "__main__":
    main()
