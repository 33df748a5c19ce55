#!/usr/bin/python3
"""Golden data for logistic_test.cc, from scikit-learn 1.2.

Run with Debian's interpreter: /usr/bin/python3 generate_logistic.py
Every case NAME writes logistic_NAME_{X,y}.csv (standardised data and
labels), _coef, _intercept, _predict, _proba and _objective (the
objective scikit-learn's lbfgs reached: the sample-weighted sum of half
deviances plus ||coef||^2 / (2 C)).
"""
import os

import numpy as np
import sklearn
from scipy.special import logsumexp
from sklearn.datasets import load_breast_cancer, load_digits, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, what, a):
    a = np.asarray(a, dtype=float)
    if a.ndim < 2:
        a = a.reshape(-1, 1) if what in ("y", "predict") else np.atleast_2d(a)
    np.savetxt(os.path.join(HERE, f"logistic_{name}_{what}.csv"), a,
               delimiter=",", fmt="%.17g")


def objective(model, X, y, w):
    classes = model.classes_
    codes = np.searchsorted(classes, y)
    z = X @ model.coef_.T + model.intercept_
    if model.multi_class == "ovr" and len(classes) > 2:
        # One binary problem per class, each balanced on its own.
        total = 0.0
        for c in range(len(classes)):
            t = (codes == c).astype(float)
            wc = np.ones(len(y))
            if model.class_weight == "balanced":
                n_pos = t.sum()
                wc = np.where(t == 1, len(y) / (2 * n_pos),
                              len(y) / (2 * (len(y) - n_pos)))
            loss = np.logaddexp(0, z[:, c]) - t * z[:, c]
            total += np.sum(wc * loss) + 0.5 / model.C * np.sum(
                model.coef_[c] ** 2)
        return total
    if model.coef_.shape[0] == 1:
        z = z.ravel()
        t = (codes == 1).astype(float)
        loss = np.logaddexp(0, z) - t * z
    else:
        loss = logsumexp(z, axis=1) - z[np.arange(len(y)), codes]
    return np.sum(w * loss) + 0.5 / model.C * np.sum(model.coef_ ** 2)


def case(name, X, y, **params):
    X = StandardScaler().fit_transform(X)
    model = LogisticRegression(**params)
    w = np.ones(len(y))
    if params.get("class_weight") == "balanced":
        classes, counts = np.unique(y, return_counts=True)
        cw = len(y) / (len(classes) * counts)
        w = cw[np.searchsorted(classes, y)]
    model.fit(X, y)
    save(name, "X", X)
    save(name, "y", y)
    save(name, "coef", model.coef_)
    save(name, "intercept", model.intercept_)
    save(name, "predict", model.predict(X))
    save(name, "proba", model.predict_proba(X))
    save(name, "objective", [objective(model, X, y, w)])
    print(name, "n_iter", model.n_iter_, "objective", objective(model, X, y, w))


def main():
    print("scikit-learn", sklearn.__version__)
    Xb, yb = load_breast_cancer(return_X_y=True)
    case("breast_cancer", Xb, yb)
    case("breast_cancer_c01", Xb, yb * 3.0 - 1.0, C=0.1)
    Xi, yi = load_iris(return_X_y=True)
    case("iris", Xi, yi)
    case("iris_balanced", Xi[20:], yi[20:], class_weight="balanced", C=3.0)
    # One-vs-rest with 'balanced': each binary problem is balanced on its
    # own (40/15/5 classes).
    rng = np.random.RandomState(2)
    Xo = rng.randn(60, 3)
    yo = np.array([0] * 40 + [1] * 15 + [2] * 5) * 1.0
    Xo[:, 0] += yo
    case("ovr_balanced", Xo, yo, multi_class="ovr", class_weight="balanced")
    Xd, yd = load_digits(return_X_y=True)
    case("digits", Xd[:600], yd[:600], max_iter=1000)


if __name__ == "__main__":
    main()
