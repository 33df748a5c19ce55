#!/usr/bin/python3
"""scikit-learn side of the "defaults, end to end" rows.

usage: e2e_sklearn.py MODULE.CLASS X.npy REPEATS LABELS_OUT.npy|- [NAME=VALUE ...]
Fits sklearn.MODULE.CLASS(**params) (scikit-learn 1.2's defaults for every
parameter not given, e.g. cluster.KMeans or mixture.GaussianMixture)
REPEATS times on X and prints one JSON line: seconds (the median fit),
peak_mb (growth of the process's peak resident memory during the first
fit, data already loaded), n_iter / inertia / lower_bound / kl_divergence
when the model has them, trustworthiness (5 neighbours) for models with an
embedding_, and for models with labels_: n_clusters (distinct labels >= 0)
and n_noise (labels -1), labels_ saved as float64 to LABELS_OUT.npy.
"""
import importlib
import json
import resource
import sys
import time
import warnings

import numpy as np

# scikit-learn 1.2 warns that KMeans's n_init default will change in 1.4;
# these rows measure the 1.2 default itself.
warnings.simplefilter("ignore", FutureWarning)


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
    module, cls = name.rsplit(".", 1)
    estimator = getattr(importlib.import_module("sklearn." + module), cls)
    X = np.load(x_path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times, model = [], None
    for r in range(int(repeats)):
        model = estimator(**params)
        start = time.perf_counter()
        model.fit(X)
        times.append(time.perf_counter() - start)
        if r == 0:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    result = {"seconds": sorted(times)[len(times) // 2],
              "peak_mb": peak / 1024.0}
    for attr in ("n_iter", "inertia", "lower_bound", "kl_divergence"):
        if hasattr(model, attr + "_"):
            result[attr] = float(getattr(model, attr + "_"))
    if hasattr(model, "embedding_"):
        from sklearn.manifold import trustworthiness
        result["trustworthiness"] = float(
            trustworthiness(X, model.embedding_, n_neighbors=5))
    if hasattr(model, "labels_"):
        labels = np.asarray(model.labels_)
        result["n_clusters"] = int(len(np.unique(labels[labels >= 0])))
        result["n_noise"] = int((labels == -1).sum())
        if out != "-":
            np.save(out, labels.astype(np.float64))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
