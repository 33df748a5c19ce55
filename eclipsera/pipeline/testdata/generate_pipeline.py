#!/usr/bin/python3
"""Golden data for pipeline_test.cc, from scikit-learn 1.2.

Run with Debian's interpreter: /usr/bin/python3 generate_pipeline.py
Writes pipeline_NAME_WHAT.csv for three pipelines (the issue's cases):
  digits:  StandardScaler -> PCA(10, full) -> KNeighborsClassifier(5)
  cancer:  StandardScaler -> LogisticRegression()
  impute:  SimpleImputer -> StandardScaler -> Ridge(alpha=1.0), X with NaNs
a FeatureUnion(PCA(3), StandardScaler, weights {pca: 2}) and
scikit-learn's verbose step messages.
"""
import os

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import _message_with_time

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, what, a):
    a = np.asarray(a, dtype=float)
    if a.ndim < 2:
        a = a.reshape(-1, 1)
    np.savetxt(os.path.join(HERE, f"pipeline_{name}_{what}.csv"), a,
               delimiter=",", fmt="%.17g")


# Digits: train on the first 1500 rows, predict the rest.
X, y = load_digits(return_X_y=True)
pipe = make_pipeline(StandardScaler(), PCA(n_components=10, svd_solver="full"),
                     KNeighborsClassifier(n_neighbors=5))
pipe.fit(X[:1500], y[:1500])
save("digits", "X", X)
save("digits", "y", y)
save("digits", "predict", pipe.predict(X[1500:]))
save("digits", "proba", pipe.predict_proba(X[1500:]))
save("digits", "transform", pipe[:-1].transform(X[1500:]))
save("digits", "score", [pipe.score(X[1500:], y[1500:])])

# Breast cancer: scaler + logistic regression, all rows.
X, y = load_breast_cancer(return_X_y=True)
pipe = make_pipeline(StandardScaler(), LogisticRegression())
pipe.fit(X, y)
save("cancer", "X", X)
save("cancer", "y", y)
save("cancer", "proba", pipe.predict_proba(X))
save("cancer", "coef", pipe[-1].coef_)
save("cancer", "intercept", pipe[-1].intercept_)

# Imputer + scaler + ridge on data with 10% NaNs.
rng = np.random.RandomState(0)
X = rng.normal(size=(200, 6)) * [1, 10, 0.1, 5, 2, 3] + [0, 5, -1, 2, 0, 1]
y = X @ [1.0, -0.5, 3.0, 0.2, 0.0, 1.5] + rng.normal(scale=0.3, size=200)
X[rng.uniform(size=X.shape) < 0.1] = np.nan
pipe = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                     Ridge(alpha=1.0))
pipe.fit(X[:150], y[:150])
save("impute", "X", X)
save("impute", "y", y)
save("impute", "predict", pipe.predict(X[150:]))
save("impute", "coef", pipe[-1].coef_)

# FeatureUnion on the digits' first 300 rows.
X, _ = load_digits(return_X_y=True)
X = X[:300]
union = FeatureUnion([("pca", PCA(n_components=3)), ("scaler", StandardScaler())],
                     transformer_weights={"pca": 2.0})
save("union", "X", X)
save("union", "transform", union.fit_transform(X))

# Verbose messages, one per line.
with open(os.path.join(HERE, "pipeline_messages.txt"), "w") as f:
    for seconds in (0.0, 0.04, 1.25, 59.97, 61.0, 7200.0):
        f.write(_message_with_time("Pipeline",
                                   "(step 1 of 3) Processing scaler",
                                   seconds) + "\n")
