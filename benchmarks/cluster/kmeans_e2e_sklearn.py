#!/usr/bin/python3
"""scikit-learn side of the K-Means "defaults, end to end" rows.

usage: kmeans_e2e_sklearn.py X.npy N_CLUSTERS SEED REPEATS [NAME=VALUE ...]
Fits KMeans(n_clusters=N_CLUSTERS, random_state=SEED, **overrides) with
scikit-learn 1.2's defaults for everything else (k-means++ init included,
n_init=10 unless overridden), REPEATS times, and prints one JSON line:
seconds (median), inertia, n_iter, peak_mb (growth of the process's peak
resident memory during the first fit, data already loaded).
"""
import json
import resource
import sys
import time

import numpy as np
from sklearn.cluster import KMeans


def value(text):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def main():
    X = np.load(sys.argv[1])
    k, seed, repeats = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    overrides = dict(a.split("=", 1) for a in sys.argv[5:])
    overrides = {key: value(v) for key, v in overrides.items()}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times, km = [], None
    for r in range(repeats):
        km = KMeans(n_clusters=k, random_state=seed, **overrides)
        start = time.perf_counter()
        km.fit(X)
        times.append(time.perf_counter() - start)
        if r == 0:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({"seconds": sorted(times)[len(times) // 2],
                      "inertia": float(km.inertia_),
                      "n_iter": int(km.n_iter_), "peak_mb": peak / 1024.0}))


if __name__ == "__main__":
    main()
