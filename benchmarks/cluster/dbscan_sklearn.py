#!/usr/bin/python3
"""scikit-learn side of benchmarks/cluster/dbscan_table.cc.

usage: dbscan_sklearn.py X.npy EPS MIN_SAMPLES [REPEATS [LABELS_OUT.npy]]
Times DBSCAN(eps, min_samples).fit with scikit-learn's defaults otherwise
(data loaded before; the median of REPEATS fits, default 1); prints one
JSON line with the seconds, the number of clusters and of noise samples,
and peak_mb (growth of the peak resident memory during the first fit).
LABELS_OUT.npy receives labels_ (as float64).
"""
import json
import resource
import sys
import time

import numpy as np
from sklearn.cluster import DBSCAN


def main():
    X = np.load(sys.argv[1])
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    for r in range(repeats):
        model = DBSCAN(eps=float(sys.argv[2]), min_samples=int(sys.argv[3]))
        start = time.perf_counter()
        model.fit(X)
        times.append(time.perf_counter() - start)
        if r == 0:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    if len(sys.argv) > 5:
        np.save(sys.argv[5], model.labels_.astype(np.float64))
    print(json.dumps({"seconds": sorted(times)[len(times) // 2],
                      "n_clusters": int(model.labels_.max() + 1),
                      "n_noise": int((model.labels_ == -1).sum()),
                      "peak_mb": peak / 1024.0}))


if __name__ == "__main__":
    main()
