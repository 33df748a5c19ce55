#!/usr/bin/python3
"""scikit-learn side of benchmarks/mixture/gmm_table.cc.

usage: gmm_sklearn.py X.npy MEANS.npy COVARIANCE_TYPE MAX_ITER PRECISION
Fits GaussianMixture with tol=0 (so exactly MAX_ITER EM iterations) from
means_init=MEANS, uniform weights_init and precisions_init = PRECISION times
the identity (in the shape of COVARIANCE_TYPE), timing fit only, and prints
one JSON line: seconds, n_iter, lower_bound.
"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.mixture import GaussianMixture


def main():
    X = np.load(sys.argv[1])
    means = np.load(sys.argv[2])
    ctype, max_iter, prec = sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    k, d = means.shape
    precisions = {
        "full": np.array([np.eye(d) * prec for _ in range(k)]),
        "tied": np.eye(d) * prec,
        "diag": np.full((k, d), prec),
        "spherical": np.full(k, prec),
    }[ctype]
    gm = GaussianMixture(n_components=k, covariance_type=ctype, tol=0.0,
                         max_iter=max_iter, weights_init=np.full(k, 1.0 / k),
                         means_init=means, precisions_init=precisions)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        gm.fit(X)
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "n_iter": int(gm.n_iter_),
                      "lower_bound": float(gm.lower_bound_)}))


if __name__ == "__main__":
    main()
