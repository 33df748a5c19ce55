#!/usr/bin/python3
"""scikit-learn side of benchmarks/cluster/agglomerative_table.cc.

usage: agglomerative_sklearn.py X.npy LINKAGE N_CLUSTERS
Times AgglomerativeClustering.fit only (data loaded before) and prints one
JSON line: seconds, the largest merge distance and the sum of the merge
distances (to check that both sides built the same tree).
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import AgglomerativeClustering


def main():
    X = np.load(sys.argv[1])
    linkage, n_clusters = sys.argv[2], int(sys.argv[3])
    model = AgglomerativeClustering(n_clusters=n_clusters, linkage=linkage,
                                    compute_distances=True)
    start = time.perf_counter()
    model.fit(X)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds,
                      "max_distance": float(model.distances_.max()),
                      "sum_distances": float(model.distances_.sum())}))


if __name__ == "__main__":
    main()
