#!/usr/bin/python3
"""Golden data for mini_batch_kmeans_test.cc, from scikit-learn 1.2.

Run with Debian's interpreter: /usr/bin/python3 generate_mini_batch_kmeans.py
Uses kmeans_blobs_X.csv / kmeans_blobs_init.csv (generate_kmeans.py).
"""
import os

import numpy as np
import sklearn
from sklearn.cluster import MiniBatchKMeans
from sklearn.datasets import make_blobs

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    print("scikit-learn", sklearn.__version__)
    X = np.loadtxt(os.path.join(HERE, "kmeans_blobs_X.csv"), delimiter=",")
    init = np.loadtxt(os.path.join(HERE, "kmeans_blobs_init.csv"), delimiter=",")
    # Two partial_fit steps from explicit centers: deterministic (every
    # center receives points, so nothing is randomly reassigned).
    mb = MiniBatchKMeans(n_clusters=6, init=init, n_init=1, random_state=0)
    mb.partial_fit(X[:300])
    np.savetxt(os.path.join(HERE, "mbkmeans_partial1_centers.csv"),
               mb.cluster_centers_, delimiter=",", fmt="%.17g")
    mb.partial_fit(X[300:])
    np.savetxt(os.path.join(HERE, "mbkmeans_partial2_centers.csv"),
               mb.cluster_centers_, delimiter=",", fmt="%.17g")
    np.savetxt(os.path.join(HERE, "mbkmeans_partial2_counts.csv"),
               mb._counts, delimiter=",", fmt="%.17g")
    # Full fits on a larger blob set: inertia over seeds (ours must be within
    # 1% of the mean).
    X2, _ = make_blobs(n_samples=8000, n_features=8, centers=10,
                       cluster_std=1.5, random_state=1)
    np.savetxt(os.path.join(HERE, "mbkmeans_blobs_X.csv"), X2, delimiter=",",
               fmt="%.8g")
    X2 = np.loadtxt(os.path.join(HERE, "mbkmeans_blobs_X.csv"), delimiter=",")
    inertias = [MiniBatchKMeans(n_clusters=10, n_init=3, random_state=s)
                .fit(X2).inertia_ for s in range(5)]
    np.savetxt(os.path.join(HERE, "mbkmeans_blobs_inertia.csv"),
               np.array([[np.mean(inertias), np.min(inertias)]]),
               delimiter=",", fmt="%.17g")


if __name__ == "__main__":
    main()
