#!/usr/bin/python3
"""scikit-learn side of benchmarks/metrics/silhouette_table.cc.

usage: silhouette_sklearn.py X.npy LABELS.npy
Times silhouette_score (defaults; data loaded before); prints one JSON line
with the seconds and the score.
"""
import json
import sys
import time

import numpy as np
from sklearn.metrics import silhouette_score


def main():
    X = np.load(sys.argv[1])
    labels = np.load(sys.argv[2]).ravel()
    start = time.perf_counter()
    score = silhouette_score(X, labels)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "score": float(score)}))


if __name__ == "__main__":
    main()
