#!/usr/bin/python3
"""Golden data for knn_test.cc, from scikit-learn 1.2.

Run with Debian's interpreter: /usr/bin/python3 generate_knn.py
Every case NAME writes knn_NAME_{X,y,Z}.csv, knn_NAME_predict.csv (on Z)
and, for classifiers, knn_NAME_proba.csv. Continuous random data: no ties
in the distances.
"""
import os

import numpy as np
import sklearn
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, what, a):
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    np.savetxt(os.path.join(HERE, f"knn_{name}_{what}.csv"), a, delimiter=",",
               fmt="%.17g")


def case(name, est, X, y, Z):
    est.fit(X, y)
    save(name, "X", X)
    save(name, "y", y)
    save(name, "Z", Z)
    save(name, "predict", est.predict(Z))
    if hasattr(est, "predict_proba"):
        save(name, "proba", est.predict_proba(Z))


def main():
    print("scikit-learn", sklearn.__version__)
    rng = np.random.RandomState(5)
    X = rng.randn(200, 4)
    y = np.digitize(X[:, 0] + 0.5 * rng.randn(200), [-0.5, 0.5]) * 3.0 - 1.0
    Z = rng.randn(40, 4)
    case("clf_uniform", KNeighborsClassifier(), X, y, Z)
    case("clf_distance_p1",
         KNeighborsClassifier(n_neighbors=7, weights="distance", p=1), X, y, Z)
    Xw = rng.randn(150, 20)  # > 15 features: brute force
    yw = (Xw[:, :3].sum(axis=1) > 0) * 1.0
    case("clf_brute", KNeighborsClassifier(n_neighbors=4), Xw, yw,
         rng.randn(30, 20))
    yr = X @ rng.randn(4) + 0.1 * rng.randn(200)
    case("reg_uniform", KNeighborsRegressor(), X, yr, Z)
    case("reg_distance",
         KNeighborsRegressor(n_neighbors=3, weights="distance",
                             algorithm="brute"), X, yr, Z)


if __name__ == "__main__":
    main()
