#!/usr/bin/python3
"""scikit-learn side of benchmarks/pipeline/pipeline_table.cc.

usage: pipeline_sklearn.py X.npy
The deep pipeline StandardScaler -> PolynomialFeatures(2, interaction_only)
-> StandardScaler -> PCA(16, random_state=0) -> Normalizer ->
StandardScaler -> KMeans(8, n_init=1, random_state=0): times fit and one
transform (the k-means distances), and reads their peak memory with
tracemalloc (numpy's allocations are traced; BLAS scratch is not, as the
C++ side counts heap allocations). Prints one JSON line.
"""
import json
import sys
import time
import tracemalloc

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer, PolynomialFeatures, StandardScaler


def main():
    X = np.load(sys.argv[1])
    pipe = make_pipeline(StandardScaler(),
                         PolynomialFeatures(2, interaction_only=True),
                         StandardScaler(), PCA(16, random_state=0),
                         Normalizer(), StandardScaler(),
                         KMeans(8, n_init=1, random_state=0))
    tracemalloc.start()
    start = time.perf_counter()
    pipe.fit(X)
    fit_seconds = time.perf_counter() - start
    _, fit_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        out = pipe.transform(X)
        times.append(time.perf_counter() - start)
        del out
    _, transform_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"fit_seconds": fit_seconds,
                      "fit_peak_mb": fit_peak / 2**20,
                      "transform_seconds": sorted(times)[1],
                      "transform_peak_mb": (transform_peak - base) / 2**20}))


if __name__ == "__main__":
    main()
