#!/usr/bin/python3
"""Golden data for knn_test.cc's NearestNeighbors tests, from scikit-learn 1.2.

Run with Debian's interpreter: /usr/bin/python3 generate_nearest_neighbors.py
Every case NAME writes nn_NAME_{X,Z}.csv and, for queries of Z and of the
training data itself (kneighbors() / radius_neighbors() without X, where a
sample is not its own neighbour):
  nn_NAME_{z,self}_kind.csv, nn_NAME_{z,self}_kdist.csv  (k nearest)
  nn_NAME_{z,self}_roffsets.csv, _rind.csv, _rdist.csv   (within radius,
  sort_results=True, as offsets into the flattened lists)
Continuous random data: no ties in the distances.
"""
import os

import numpy as np
import sklearn
from sklearn.neighbors import NearestNeighbors

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, what, a):
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    np.savetxt(os.path.join(HERE, f"nn_{name}_{what}.csv"), a, delimiter=",",
               fmt="%.17g")


def queries(name, nn, which, Z):
    dist, ind = nn.kneighbors(Z)
    save(name, which + "_kind", ind)
    save(name, which + "_kdist", dist)
    rdist, rind = nn.radius_neighbors(Z, sort_results=True)
    save(name, which + "_roffsets", np.cumsum([0] + [len(r) for r in rind]))
    save(name, which + "_rind", np.concatenate(rind))
    save(name, which + "_rdist", np.concatenate(rdist))


def case(name, X, Z, **params):
    nn = NearestNeighbors(**params).fit(X)
    save(name, "X", X)
    save(name, "Z", Z)
    queries(name, nn, "z", Z)
    queries(name, nn, "self", None)


def main():
    print("scikit-learn", sklearn.__version__)
    rng = np.random.RandomState(3)
    X = rng.rand(120, 3)
    Z = rng.rand(25, 3)
    case("kd_euclidean", X, Z, n_neighbors=4, radius=0.2,
         algorithm="kd_tree", leaf_size=5)
    case("brute_manhattan", X, Z, n_neighbors=6, radius=0.3, p=1,
         algorithm="brute")
    # More than 15 features: 'auto' is brute force (the blocked GEMM path).
    W = rng.rand(90, 20)
    V = rng.rand(15, 20)
    case("wide_auto", W, V, n_neighbors=3, radius=1.3)
    case("chebyshev", X, Z, n_neighbors=5, radius=0.15, metric="chebyshev")


if __name__ == "__main__":
    main()
