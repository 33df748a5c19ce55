#!/usr/bin/python3
"""scikit-learn side of benchmarks/preprocessing/preprocessing_table.cc.

usage: preprocessing_sklearn.py X.npy ESTIMATOR REPEATS
ESTIMATOR is StandardScaler, MinMaxScaler, RobustScaler or
PolynomialFeatures (defaults), TruncatedSVD (defaults, random_state=0) or
TruncatedSVD_arpack (algorithm='arpack', n_components=10). Times fit_transform (data loaded before),
the median of REPEATS runs; prints one JSON line with the seconds and the
sum of the output (a checksum).
"""
import json
import sys
import time

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import (MinMaxScaler, PolynomialFeatures,
                                   RobustScaler, StandardScaler)


def main():
    X = np.load(sys.argv[1])
    make = {"StandardScaler": StandardScaler, "MinMaxScaler": MinMaxScaler,
            "RobustScaler": RobustScaler,
            "PolynomialFeatures": PolynomialFeatures,
            "TruncatedSVD": lambda: TruncatedSVD(random_state=0),
            "TruncatedSVD_arpack": lambda: TruncatedSVD(
                algorithm="arpack", n_components=10)}[sys.argv[2]]
    times = []
    for _ in range(int(sys.argv[3])):
        start = time.perf_counter()
        out = make().fit_transform(X)
        times.append(time.perf_counter() - start)
    print(json.dumps({"seconds": float(np.median(times)),
                      "checksum": float(out.sum())}))


if __name__ == "__main__":
    main()
