#!/usr/bin/python3
"""scikit-learn side of benchmarks/linear_model/logistic_table.cc.

usage: logistic_sklearn.py X.npy y.npy
Times LogisticRegression().fit (defaults: lbfgs, multinomial; data loaded
before); prints one JSON line with the seconds, n_iter and the objective
reached (sum of half deviances + ||coef||^2 / 2).
"""
import json
import sys
import time

import numpy as np
from scipy.special import logsumexp
from sklearn.linear_model import LogisticRegression


def main():
    X = np.load(sys.argv[1])
    y = np.load(sys.argv[2]).ravel()
    model = LogisticRegression()
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    codes = np.searchsorted(model.classes_, y)
    z = X @ model.coef_.T + model.intercept_
    objective = (np.sum(logsumexp(z, axis=1) - z[np.arange(len(y)), codes]) +
                 0.5 * np.sum(model.coef_ ** 2))
    print(json.dumps({"seconds": seconds, "n_iter": int(model.n_iter_[0]),
                      "objective": float(objective)}))


if __name__ == "__main__":
    main()
