#!/usr/bin/python3
"""Golden data for pca_test.cc, from scikit-learn 1.2.

Run with Debian's interpreter: /usr/bin/python3 generate_pca.py
For every case NAME: pca_NAME_X.csv (input), and the fitted attributes
pca_NAME_{components,explained_variance,explained_variance_ratio,
singular_values,mean,transform,inverse}.csv plus pca_NAME_scalars.csv
(n_components_, noise_variance_).
"""
import os

import numpy as np
import sklearn
from sklearn.decomposition import PCA

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, what, a):
    a = np.atleast_2d(np.asarray(a, dtype=float))
    np.savetxt(os.path.join(HERE, f"pca_{name}_{what}.csv"), a,
               delimiter=",", fmt="%.17g")


def case(name, X, **params):
    save(name, "X", X)
    pca = PCA(**params).fit(X)
    save(name, "components", pca.components_)
    save(name, "explained_variance", pca.explained_variance_)
    save(name, "explained_variance_ratio", pca.explained_variance_ratio_)
    save(name, "singular_values", pca.singular_values_)
    save(name, "mean", pca.mean_)
    t = pca.transform(X)
    save(name, "transform", t)
    save(name, "inverse", pca.inverse_transform(t))
    save(name, "scalars", [[pca.n_components_, pca.noise_variance_]])


def main():
    print("scikit-learn", sklearn.__version__)
    rng = np.random.RandomState(0)
    # Correlated columns with distinct variances.
    tall = rng.randn(80, 6) @ rng.randn(6, 6) + rng.randn(6) * 3
    case("tall_none", tall)
    case("tall_int", tall, n_components=3)
    case("tall_whiten", tall, n_components=4, whiten=True)
    case("tall_fraction", tall, n_components=0.9)
    # Wider than tall: 12 samples, 30 features.
    wide = rng.randn(12, 30) @ np.diag(np.linspace(5, 0.5, 30))
    case("wide_int", wide, n_components=5)
    # 510 x 20 with 3 components: 'auto' picks the randomized solver
    # (more than 500 rows, 3 < 0.8 * 20). A rank-6 signal plus small noise,
    # so the randomized result equals the exact one to ~1e-9.
    low = (rng.randn(510, 6) * np.linspace(20, 6, 6)) @ rng.randn(6, 20)
    low += 0.01 * rng.randn(510, 20)
    case("low_auto", low, n_components=3, random_state=0)


if __name__ == "__main__":
    main()
