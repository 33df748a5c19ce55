#!/usr/bin/python3
"""Golden data for truncated_svd_test.cc, from scikit-learn 1.2.

Run with Debian's interpreter: /usr/bin/python3 generate_truncated_svd.py
For every case NAME: tsvd_NAME_X.csv (input), and the fitted attributes
tsvd_NAME_{components,explained_variance,explained_variance_ratio,
singular_values,transform,inverse}.csv.

The data have a clear spectral decay, so scikit-learn's randomized solver
and its ARPACK solver both agree with the exact SVD to ~1e-10: our
randomized solver draws other random numbers and must land on the same
answer.
"""
import os

import numpy as np
import sklearn
from sklearn.decomposition import TruncatedSVD

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, what, a):
    a = np.atleast_2d(np.asarray(a, dtype=float))
    np.savetxt(os.path.join(HERE, f"tsvd_{name}_{what}.csv"), a,
               delimiter=",", fmt="%.17g")


def case(name, X, **params):
    save(name, "X", X)
    svd = TruncatedSVD(**params)
    t = svd.fit_transform(X)
    save(name, "components", svd.components_)
    save(name, "explained_variance", svd.explained_variance_)
    save(name, "explained_variance_ratio", svd.explained_variance_ratio_)
    save(name, "singular_values", svd.singular_values_)
    save(name, "transform", t)
    save(name, "inverse", svd.inverse_transform(t))


def decaying(rng, n, d, rank, top, ratio):
    """n x d data of the given rank with singular values top * ratio**i,
    plus tiny noise: a large gap after `rank`."""
    u, _ = np.linalg.qr(rng.randn(n, rank))
    v, _ = np.linalg.qr(rng.randn(d, rank))
    s = top * ratio ** np.arange(rank)
    return (u * s) @ v.T + 1e-9 * rng.randn(n, d)


def main():
    print("scikit-learn", sklearn.__version__)
    rng = np.random.RandomState(0)
    tall = decaying(rng, 200, 12, 6, 50.0, 0.6) + 3.0  # not centred
    case("tall_randomized", tall, n_components=3, random_state=0)
    case("tall_arpack", tall, n_components=3, algorithm="arpack",
         random_state=0)
    # Wider than tall: scikit-learn's randomized_svd works on X^T.
    wide = decaying(rng, 30, 80, 8, 20.0, 0.5)
    case("wide_randomized", wide, n_components=5, random_state=0,
         n_iter=7, n_oversamples=4)
    case("wide_arpack", wide, n_components=5, algorithm="arpack",
         random_state=0)
    # Non-negative term counts, as latent semantic analysis feeds it:
    # exact solver only (no spectral gap to make randomized exact).
    counts = rng.poisson(rng.gamma(0.5, 2.0, size=(60, 15))).astype(float)
    case("counts_arpack", counts, n_components=4, algorithm="arpack",
         random_state=0)


if __name__ == "__main__":
    main()
