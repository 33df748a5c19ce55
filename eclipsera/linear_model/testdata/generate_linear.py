#!/usr/bin/python3
"""Golden data for linear_test.cc, from scikit-learn 1.2.

Run with Debian's interpreter: /usr/bin/python3 generate_linear.py
Every case NAME writes linear_NAME_{X,y,w,Z}.csv (inputs; w only when
weighted), linear_NAME_coef.csv, linear_NAME_intercept.csv and
linear_NAME_predict.csv (on Z), plus linear_NAME_decision.csv for
classifiers.
"""
import os

import numpy as np
import sklearn
from sklearn.linear_model import LinearRegression, Ridge, RidgeClassifier

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, what, a):
    a = np.asarray(a, dtype=float)
    if a.ndim < 2:
        a = np.atleast_2d(a)
    np.savetxt(os.path.join(HERE, f"linear_{name}_{what}.csv"), a,
               delimiter=",", fmt="%.17g")


def case(name, est, X, y, Z, w=None):
    save(name, "X", X)
    save(name, "y", y[:, None])
    save(name, "Z", Z)
    if w is not None:
        save(name, "w", w[:, None])
    est.fit(X, y, sample_weight=w)
    save(name, "coef", est.coef_)
    save(name, "intercept", est.intercept_)
    save(name, "predict", est.predict(Z)[:, None])
    if hasattr(est, "decision_function"):
        d = est.decision_function(Z)
        save(name, "decision", d[:, None] if d.ndim == 1 else d)


def main():
    print("scikit-learn", sklearn.__version__)
    rng = np.random.RandomState(3)
    X = rng.randn(50, 6) * [1, 2, 0.5, 3, 1, 1] + [0, 5, -2, 1, 0, 10]
    beta = rng.randn(6)
    y = X @ beta + 4.0 + 0.3 * rng.randn(50)
    Z = rng.randn(9, 6) * 2
    w = rng.uniform(0.2, 3.0, 50)
    case("ols", LinearRegression(), X, y, Z)
    case("ols_weighted", LinearRegression(), X, y, Z, w)
    case("ols_noint", LinearRegression(fit_intercept=False), X, y, Z)
    Xr = np.hstack([X, X[:, :2] @ [[1.0], [-2.0]]])  # rank-deficient
    case("ols_rankdef", LinearRegression(), Xr, y, rng.randn(5, 7))
    case("ridge", Ridge(alpha=2.5), X, y, Z)
    case("ridge_svd_weighted", Ridge(alpha=0.7, solver="svd"), X, y, Z, w)
    Xw = rng.randn(10, 25)  # more features than samples: the dual
    case("ridge_wide", Ridge(alpha=1.0), Xw, rng.randn(10), rng.randn(4, 25))
    yc = np.where(X[:, 0] + 0.5 * X[:, 3] > 1.0, 7.0, -2.0)
    case("ridgeclf_binary", RidgeClassifier(alpha=1.0), X, yc, Z)
    ym = np.digitize(X[:, 0] + 0.3 * X[:, 1], [0.5, 1.5, 2.5]) * 1.0
    case("ridgeclf_multi", RidgeClassifier(alpha=0.3), X, ym, Z)
    case("ridgeclf_balanced",
         RidgeClassifier(alpha=1.0, class_weight="balanced"), X, ym, Z, w)


if __name__ == "__main__":
    main()
