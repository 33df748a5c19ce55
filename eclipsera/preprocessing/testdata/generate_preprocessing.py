#!/usr/bin/python3
"""Golden data for preprocessing_test.cc, from scikit-learn 1.2.

Run with Debian's interpreter: /usr/bin/python3 generate_preprocessing.py
Every case NAME writes NAME_X.csv (the fit input), NAME_Z.csv (new data
for transform), and one CSV per fitted attribute or result:
NAME_<attribute>.csv (vectors as one row), NAME_transform.csv (of Z),
NAME_fit_transform.csv (of X) and NAME_inverse.csv (inverse of transform).
"""
import os

import numpy as np
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import (MaxAbsScaler, MinMaxScaler, Normalizer,
                                   PolynomialFeatures, RobustScaler,
                                   StandardScaler)

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, what, a):
    a = np.atleast_2d(np.asarray(a, dtype=float))
    np.savetxt(os.path.join(HERE, f"{name}_{what}.csv"), a, delimiter=",",
               fmt="%.17g")


def case(name, est, X, Z, attributes, inverse=True, fit=None):
    save(name, "X", X)
    save(name, "Z", Z)
    if fit is None:
        est.fit(X)
    else:
        fit(est)
    for a in attributes:
        value = getattr(est, a + "_")
        save(name, a, np.nan if value is None else value)
    t = est.transform(Z)
    save(name, "transform", t)
    save(name, "fit_transform", est.transform(X))
    if inverse:
        save(name, "inverse", est.inverse_transform(t))


def main():
    print("scikit-learn", sklearn.__version__)
    rng = np.random.RandomState(0)
    X = rng.randn(40, 4) * [1.0, 10.0, 0.01, 3.0] + [5.0, -2.0, 0.0, 1e3]
    X[:, 2] = np.round(X[:, 2], 3)
    Xc = X.copy()
    Xc[:, 1] = 4.25  # a constant feature
    Z = rng.randn(7, 4) * 4.0
    w = rng.uniform(0.0, 3.0, size=40)
    w[3] = 0.0
    save("standard", "weights", w)

    std = ["mean", "var", "scale", "n_samples_seen"]
    case("standard_default", StandardScaler(), X, Z, std)
    case("standard_constant", StandardScaler(), Xc, Z, std)
    case("standard_no_mean", StandardScaler(with_mean=False), X, Z, std)
    case("standard_no_std", StandardScaler(with_std=False), X, Z, std)
    case("standard_weighted", StandardScaler(), X, Z, std,
         fit=lambda e: e.fit(X, sample_weight=w))

    def batches(e):
        e.partial_fit(X[:7])
        e.partial_fit(X[7:30])
        e.partial_fit(X[30:])
    case("standard_partial", StandardScaler(), X, Z, std, fit=batches)

    def weighted_batches(e):
        e.partial_fit(X[:13], sample_weight=w[:13])
        e.partial_fit(X[13:], sample_weight=w[13:])
    case("standard_partial_weighted", StandardScaler(), X, Z, std,
         fit=weighted_batches)

    mm = ["data_min", "data_max", "data_range", "scale", "min",
          "n_samples_seen"]
    case("minmax_default", MinMaxScaler(), Xc, Z, mm)
    case("minmax_range_clip", MinMaxScaler(feature_range=(-2, 3), clip=True),
         X, Z, mm, inverse=False)
    case("minmax_partial", MinMaxScaler(feature_range=(-1, 0.5)), X, Z, mm,
         fit=batches)

    Xz = X.copy()
    Xz[:, 3] = 0.0
    case("maxabs_default", MaxAbsScaler(), Xz, Z,
         ["max_abs", "scale", "n_samples_seen"])
    case("maxabs_partial", MaxAbsScaler(), X, Z,
         ["max_abs", "scale", "n_samples_seen"], fit=batches)

    rob = ["center", "scale"]
    case("robust_default", RobustScaler(), X, Z, rob)
    case("robust_odd", RobustScaler(), Xc[:37], Z, rob)
    case("robust_unit_variance",
         RobustScaler(quantile_range=(10.0, 90.0), unit_variance=True), X, Z,
         rob)
    case("robust_uneven", RobustScaler(quantile_range=(3.3, 77.7)), X[:23], Z,
         rob)
    case("robust_no_centering", RobustScaler(with_centering=False), X, Z, rob)
    case("robust_no_scaling", RobustScaler(with_scaling=False), X, Z, rob)

    Zn = Z.copy()
    Zn[2] = 0.0
    Zn[4] = 1e-17
    for norm in ["l1", "l2", "max"]:
        case(f"normalizer_{norm}", Normalizer(norm=norm), X, Zn, [],
             inverse=False)

    P = rng.randn(9, 3)
    Pz = rng.randn(5, 3)
    case("poly_default", PolynomialFeatures(), P, Pz,
         ["powers", "n_output_features"], inverse=False)
    case("poly_cubic", PolynomialFeatures(degree=3), P, Pz,
         ["powers", "n_output_features"], inverse=False)
    case("poly_interaction",
         PolynomialFeatures(degree=3, interaction_only=True,
                            include_bias=False), P, Pz,
         ["powers", "n_output_features"], inverse=False)
    case("poly_range", PolynomialFeatures(degree=(2, 3)), P, Pz,
         ["powers", "n_output_features"], inverse=False)
    case("poly_range_nobias",
         PolynomialFeatures(degree=(2, 4), include_bias=False), P[:, :2],
         Pz[:, :2], ["powers", "n_output_features"], inverse=False)

    M = np.round(rng.randn(12, 4) * 2.0)
    M[rng.rand(12, 4) < 0.3] = np.nan
    M[:, 2] = np.nan  # a feature with no observed value
    M[0, 0] = np.nan
    Mz = np.round(rng.randn(6, 4) * 2.0)
    Mz[rng.rand(6, 4) < 0.4] = np.nan
    Mz[1, 3] = np.nan
    for strategy in ["mean", "median", "most_frequent", "constant"]:
        case(f"imputer_{strategy}",
             SimpleImputer(strategy=strategy, fill_value=7.5
                           if strategy == "constant" else None),
             M, Mz, ["statistics"], inverse=False)
        case(f"imputer_{strategy}_indicator_keep",
             SimpleImputer(strategy=strategy, add_indicator=True,
                           keep_empty_features=True),
             M, Mz, ["statistics"], inverse=False)


if __name__ == "__main__":
    main()
