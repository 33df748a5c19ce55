#!/usr/bin/python3
"""scikit-learn side of the GaussianMixture "defaults, end to end" rows.

usage: gmm_e2e_sklearn.py X.npy N_COMPONENTS COVARIANCE_TYPE SEED REPEATS
Fits GaussianMixture(n_components, covariance_type, random_state=SEED) with
scikit-learn 1.2's defaults for everything else (k-means initialisation,
tol=1e-3, max_iter=100, n_init=1), REPEATS times, and prints one JSON line:
seconds (median), lower_bound, n_iter, converged, peak_mb (growth of the
process's peak resident memory during the first fit, data already loaded).
"""
import json
import resource
import sys
import time

import numpy as np
from sklearn.mixture import GaussianMixture


def main():
    X = np.load(sys.argv[1])
    k, cov, seed = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    repeats = int(sys.argv[5])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times, gm = [], None
    for r in range(repeats):
        gm = GaussianMixture(n_components=k, covariance_type=cov,
                             random_state=seed)
        start = time.perf_counter()
        gm.fit(X)
        times.append(time.perf_counter() - start)
        if r == 0:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({"seconds": sorted(times)[len(times) // 2],
                      "lower_bound": float(gm.lower_bound_),
                      "n_iter": int(gm.n_iter_),
                      "converged": float(gm.converged_),
                      "peak_mb": peak / 1024.0}))


if __name__ == "__main__":
    main()
