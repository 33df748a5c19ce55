#!/usr/bin/python3
"""Golden data for kmeans_test.cc, from scikit-learn 1.2.

Run with Debian's interpreter: /usr/bin/python3 generate_kmeans.py
Writes kmeans_<case>_{X,init,weights,labels,centers}.csv and
kmeans_<case>_scalars.csv (inertia, n_iter) next to this script.
"""
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, array, fmt="%.17g"):
    np.savetxt(os.path.join(HERE, name), np.atleast_2d(array) if np.ndim(array) == 0 else array,
               delimiter=",", fmt=fmt)


def case(name, X, init, weights=None, tol=1e-4, max_iter=300):
    save(f"kmeans_{name}_X.csv", X)
    save(f"kmeans_{name}_init.csv", init)
    if weights is not None:
        save(f"kmeans_{name}_weights.csv", weights)
    for algorithm in ("lloyd", "elkan"):
        km = KMeans(n_clusters=init.shape[0], init=init, n_init=1, tol=tol,
                    max_iter=max_iter, algorithm=algorithm)
        km.fit(X, sample_weight=weights)
        prefix = f"kmeans_{name}_{algorithm}"
        save(f"{prefix}_labels.csv", km.labels_, fmt="%d")
        save(f"{prefix}_centers.csv", km.cluster_centers_)
        save(f"{prefix}_scalars.csv", np.array([[km.inertia_, km.n_iter_]]))


def main():
    print("scikit-learn", sklearn.__version__)
    X, _ = make_blobs(n_samples=600, n_features=4, centers=6, cluster_std=2.5,
                      random_state=0)
    case("blobs", X, X[[0, 100, 200, 300, 400, 500]].copy())
    # A far-away initial center gets no points: scikit-learn relocates it to
    # the point farthest from its center.
    init = X[[1, 2, 3]].copy()
    init[2] = [100.0, 100.0, 100.0, 100.0]
    case("empty", X, init)
    rng = np.random.RandomState(3)
    weights = rng.randint(1, 4, size=X.shape[0]).astype(float)
    case("weighted", X, X[[5, 6, 7, 8]].copy(), weights=weights)
    # Uniform noise in 3-D with many clusters: many iterations, no structure.
    U = rng.uniform(size=(2000, 3))
    case("uniform", U, U[:40].copy(), tol=0.0, max_iter=500)


if __name__ == "__main__":
    main()
