#!/usr/bin/python3
"""scikit-learn side of the clusterers' "defaults, end to end" rows.

usage: e2e_sklearn.py CLASS X.npy REPEATS LABELS_OUT.npy [NAME=VALUE ...]
Fits sklearn.cluster.CLASS(**params) (scikit-learn 1.2's defaults for every
parameter not given) REPEATS times on X and prints one JSON line: seconds
(the median fit), n_clusters (distinct labels >= 0), n_noise (labels -1)
and peak_mb (growth of the process's peak resident memory during the first
fit, data already loaded). LABELS_OUT.npy receives labels_ as float64.
"""
import json
import resource
import sys
import time

import numpy as np
from sklearn import cluster


def value(text):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text, text)


def main():
    name, x_path, repeats, out = sys.argv[1:5]
    params = {k: value(v) for k, v in (a.split("=", 1) for a in sys.argv[5:])}
    X = np.load(x_path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times, model = [], None
    for r in range(int(repeats)):
        model = getattr(cluster, name)(**params)
        start = time.perf_counter()
        model.fit(X)
        times.append(time.perf_counter() - start)
        if r == 0:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    labels = np.asarray(model.labels_)
    np.save(out, labels.astype(np.float64))
    print(json.dumps({"seconds": sorted(times)[len(times) // 2],
                      "n_clusters": int(len(np.unique(labels[labels >= 0]))),
                      "n_noise": int((labels == -1).sum()),
                      "peak_mb": peak / 1024.0}))


if __name__ == "__main__":
    main()
