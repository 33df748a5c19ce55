"""Golden data for DBSCAN and MeanShift, from scikit-learn 1.2.

Run with /usr/bin/python3 from this directory:
    /usr/bin/python3 generate_dbscan_meanshift.py
Seeds are fixed below; the files record what scikit-learn returned.
"""
import json

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN, MeanShift, estimate_bandwidth
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances


def save(name, a, fmt="%.17g"):
    np.savetxt(name, np.atleast_2d(a) if np.ndim(a) == 2 else a, fmt=fmt,
               delimiter=",")


def blobs(n, d, centers, std, seed, noise=0):
    x, _ = make_blobs(n_samples=n, n_features=d, centers=centers,
                      cluster_std=std, random_state=seed)
    if noise:
        rng = np.random.RandomState(seed + 1)
        lo, hi = x.min(0), x.max(0)
        x = np.vstack([x, rng.uniform(lo, hi, size=(noise, d))])
        x = x[rng.permutation(len(x))]
    return x


# ---- DBSCAN ---------------------------------------------------------------
dbscan_cases = [
    # name, X, eps, min_samples, metric
    ("blobs2d", blobs(600, 2, 4, 0.6, 1, noise=80), 0.3, 10, "euclidean"),
    ("touching2d", blobs(500, 2, [[0, 0], [1.6, 0], [0.8, 1.2]], 0.35, 2,
                         noise=40), 0.16, 12, "euclidean"),
    ("blobs3d_manhattan", blobs(500, 3, 3, 0.8, 3, noise=50), 0.6, 6,
     "manhattan"),
    ("blobs2d_chebyshev", blobs(500, 2, 5, 0.5, 4, noise=50), 0.2, 5,
     "chebyshev"),
    ("blobs6d", blobs(400, 6, 3, 0.7, 5, noise=40), 1.4, 5, "euclidean"),
    ("min1", blobs(100, 2, 2, 0.5, 6), 0.1, 1, "euclidean"),
]
meta = {"sklearn": sklearn.__version__, "numpy": np.__version__,
        "dbscan": [], "meanshift": []}
for name, x, eps, ms, metric in dbscan_cases:
    db = DBSCAN(eps=eps, min_samples=ms, metric=metric).fit(x)
    save(f"dbscan_{name}_X.csv", x)
    # Border samples within eps of cores of two clusters (the rule matters).
    dd = pairwise_distances(x, metric=metric) <= eps
    core = np.zeros(len(x), bool)
    core[db.core_sample_indices_] = True
    contested = sum(len(set(db.labels_[dd[i] & core])) > 1
                    for i in range(len(x)) if not core[i])
    print(name, "contested border samples:", contested)
    save(f"dbscan_{name}_labels.csv", db.labels_, fmt="%d")
    save(f"dbscan_{name}_core.csv", db.core_sample_indices_, fmt="%d")
    meta["dbscan"].append({"name": name, "eps": eps, "min_samples": ms,
                           "metric": metric})
# Precomputed: the euclidean matrix of blobs2d.
x = np.loadtxt("dbscan_blobs2d_X.csv", delimiter=",")
dist = pairwise_distances(x[:200])
db = DBSCAN(eps=0.6, min_samples=5, metric="precomputed").fit(dist)
save("dbscan_precomputed_X.csv", dist)
save("dbscan_precomputed_labels.csv", db.labels_, fmt="%d")
save("dbscan_precomputed_core.csv", db.core_sample_indices_, fmt="%d")
meta["dbscan"].append({"name": "precomputed", "eps": 0.6, "min_samples": 5,
                       "metric": "precomputed"})
with open("dbscan_cases.csv", "w") as f:
    for c in meta["dbscan"]:
        f.write(f"{c['name']},{c['eps']!r},{c['min_samples']},{c['metric']}\n")

# ---- MeanShift ------------------------------------------------------------
ms_x2 = blobs(300, 2, [[1, 1], [-1, -1], [1, -1]], 0.5, 10)
ms_x3 = blobs(250, 3, 3, 1.0, 11, noise=20)
ms_cases = [
    # name, X, bandwidth (None: estimated), bin_seeding, min_bin_freq,
    # cluster_all, max_iter
    ("plain2d", ms_x2, 0.8, False, 1, True, 300),
    ("bins2d", ms_x2, 0.8, True, 3, True, 300),
    ("estimated2d", ms_x2, None, False, 1, True, 300),
    ("orphans3d", ms_x3, 1.5, False, 1, False, 300),
    ("bins3d", ms_x3, 2.0, True, 1, True, 300),
    ("maxiter2", ms_x2, 0.8, False, 1, True, 2),
]
for name, x, bw, bins, mbf, call, mi in ms_cases:
    m = MeanShift(bandwidth=bw, bin_seeding=bins, min_bin_freq=mbf,
                  cluster_all=call, max_iter=mi).fit(x)
    save(f"mean_shift_{name}_X.csv", x)
    save(f"mean_shift_{name}_centers.csv", m.cluster_centers_)
    save(f"mean_shift_{name}_labels.csv", m.labels_, fmt="%d")
    meta["meanshift"].append({"name": name, "n_iter": int(m.n_iter_)})
with open("mean_shift_cases.csv", "w") as f:
    for (name, x, bw, bins, mbf, call, mi), r in zip(ms_cases,
                                                    meta["meanshift"]):
        f.write(f"{name},{-1 if bw is None else bw!r},{int(bins)},{mbf},"
                f"{int(call)},{mi},{r['n_iter']}\n")
# estimate_bandwidth on all samples (deterministic).
with open("mean_shift_bandwidth.csv", "w") as f:
    for name, x in [("plain2d", ms_x2), ("orphans3d", ms_x3)]:
        for q in (0.1, 0.3, 0.5, 0.001):
            f.write(f"{name},{q!r},{estimate_bandwidth(x, quantile=q)!r}\n")
with open("dbscan_mean_shift_versions.json", "w") as f:
    json.dump({"sklearn": sklearn.__version__, "numpy": np.__version__}, f)
    f.write("\n")
print(json.dumps(meta))
