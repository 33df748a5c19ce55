#!/usr/bin/python3
"""scikit-learn side of the k-means++ table (kmeans_plusplus_table.cc).

usage: kmeans_plusplus_sklearn.py X.npy N_CLUSTERS SEED
Times sklearn.cluster.kmeans_plusplus(X, n_clusters, random_state=SEED) with
its defaults (row norms and 2 + log(k) local trials included; data loaded
before) and prints one JSON line: seconds (median of 3) and potential (the sum
of squared distances of the points to their closest chosen center).
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import kmeans_plusplus
from sklearn.metrics import pairwise_distances_argmin_min


def main():
    X = np.load(sys.argv[1])
    k, seed = int(sys.argv[2]), int(sys.argv[3])
    times = []
    for _ in range(3):
        start = time.perf_counter()
        centers, _ = kmeans_plusplus(X, k, random_state=seed)
        times.append(time.perf_counter() - start)
    _, dist = pairwise_distances_argmin_min(X, centers)
    print(json.dumps({"seconds": sorted(times)[1],
                      "potential": float(np.sum(dist ** 2))}))


if __name__ == "__main__":
    main()
