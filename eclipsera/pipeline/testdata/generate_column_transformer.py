#!/usr/bin/python3
"""Golden data for ColumnTransformer in pipeline_test.cc, scikit-learn 1.2.

Run with Debian's interpreter: /usr/bin/python3 generate_column_transformer.py
Writes pipeline_ct_WHAT.csv:
  X:       200 x 7, column 1 with 10% NaNs (the impute X's columns + one)
  first:   [("num", make_pipeline(SimpleImputer(), StandardScaler()), [0, 1]),
            ("pca", PCA(2), [2, 3, 4]), ("last", "passthrough", [-1])],
           remainder="drop", fitted on the first 150 rows, transform of
           the last 50
  second:  [("minmax", MinMaxScaler(), [4, 0]), ("gone", "drop", [3]),
            ("none", StandardScaler(), [])], remainder=StandardScaler(),
           transformer_weights {"minmax": 2, "remainder": 0.5},
           fit_transform of all rows with column 1's NaNs imputed by 0
  second_indices: output_indices_ of the second, as rows (start, stop) in
           the order minmax, gone, none, remainder
"""
import os

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))


def save(what, a):
    a = np.asarray(a, dtype=float)
    if a.ndim < 2:
        a = a.reshape(-1, 1)
    np.savetxt(os.path.join(HERE, f"pipeline_ct_{what}.csv"), a,
               delimiter=",", fmt="%.17g")


rng = np.random.RandomState(7)
X = rng.normal(size=(200, 7)) * [1, 10, 0.1, 5, 2, 3, 4] + [0, 5, -1, 2, 0, 1,
                                                              3]
X[rng.rand(200) < 0.1, 1] = np.nan
save("X", X)

first = ColumnTransformer(
    [("num", make_pipeline(SimpleImputer(), StandardScaler()), [0, 1]),
     ("pca", PCA(n_components=2), [2, 3, 4]),
     ("last", "passthrough", [-1])],
    remainder="drop")
first.fit(X[:150])
save("first", first.transform(X[150:]))

X0 = np.nan_to_num(X, nan=0.0)
second = ColumnTransformer(
    [("minmax", MinMaxScaler(), [4, 0]), ("gone", "drop", [3]),
     ("none", StandardScaler(), [])],
    remainder=StandardScaler(),
    transformer_weights={"minmax": 2.0, "remainder": 0.5})
save("second", second.fit_transform(X0))
idx = second.output_indices_
save("second_indices",
     [[idx[k].start, idx[k].stop] for k in ["minmax", "gone", "none",
                                            "remainder"]])
