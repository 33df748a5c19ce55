#!/usr/bin/env python3
"""Writes the seed inputs of the estimator fuzzer (fuzz/estimator_fuzzer.cc).

Layout: estimator index (registration order, eclipsera/cli/algorithms.cc:
KMeans, MiniBatchKMeans, DBSCAN, MeanShift, AgglomerativeClustering,
GaussianMixture, TSNE, PCA, StandardScaler, MinMaxScaler, MaxAbsScaler,
RobustScaler, Normalizer, PolynomialFeatures, SimpleImputer,
LinearRegression, Ridge, RidgeClassifier, LogisticRegression,
KNeighborsClassifier, KNeighborsRegressor), rows - 2,
columns - 1, eight parameter-choice bytes, then one byte per value
(< 160: (b - 80) / 8; 160 + k: the k-th troublemaker, see Value()).
Run from this directory: python3 make_seeds.py
"""

N_ESTIMATORS = 21
BIG, NEG_BIG, LIMIT, NAN, DUP, TINY, DENORM = 172, 172, 168, 173, 176, 161, 163


def seed(est, rows, cols, choices, values):
    head = bytes([est, rows - 2, cols - 1]) + bytes(choices)
    return head + bytes(values)


seeds = {}
for e in range(N_ESTIMATORS):
    # Three blobs on the grid.
    blobs = []
    for i in range(12):
        g = i // 4
        blobs += [80 + 16 * g + (i % 3), 80 - 8 * g + (i % 2)]
    seeds[f"blobs_{e}"] = seed(e, 12, 2, [0] * 8, blobs)
    # The reproducer: 1e200 / -1e200 / 0 / 1 in one column.
    seeds[f"huge_{e}"] = seed(e, 4, 1, [1] * 8, [BIG, BIG + 0, 80, 88])
    # Values at the magnitude limit, which must be accepted and fit.
    seeds[f"limit_{e}"] = seed(e, 6, 2, [2] * 8,
                               [LIMIT, 80, 169, 88, 80, LIMIT, 96, 169, 80, 80, 170, 81])
    # 1e-300 and denormals, duplicates and constant columns.
    seeds[f"tiny_{e}"] = seed(e, 8, 3, [3] * 8,
                              [TINY, DENORM, 80, DUP, DUP, 80, 162, 164, 80, DUP, DUP, 80,
                               TINY, TINY, 80, DUP, DUP, 80, 165, 160, 80, DUP, DUP, 80])
    # NaN in the data.
    seeds[f"nan_{e}"] = seed(e, 5, 2, [4] * 8, [80, 81, NAN, 82, 83, 84, 85, 86, 87, 88])
    # All rows identical.
    seeds[f"same_{e}"] = seed(e, 10, 2, [5] * 8, [90, 91] + [DUP] * 18)

for name, data in seeds.items():
    with open(name, "wb") as f:
        f.write(data)
