"""Golden data for agglomerative_test.cc and linkage_test.cc.

Run with /usr/bin/python3 (scikit-learn 1.2, scipy) from this directory:
    /usr/bin/python3 generate_agglomerative.py
Seeds are fixed below; versions are recorded in agglomerative_versions.txt.
"""
import numpy as np
import scipy
import sklearn
from scipy.cluster import hierarchy
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import pairwise_distances


def save(name, a, fmt="%.17g"):
    np.savetxt(name, np.atleast_2d(np.asarray(a, dtype=float)).reshape(len(a), -1),
               delimiter=",", fmt=fmt)


rng = np.random.RandomState(0)
centers = np.array([[0.0, 0.0, 0.0], [4.0, 4.0, 0.0], [0.0, 5.0, 5.0]])
x = np.vstack([c + rng.normal(scale=1.0, size=(14, 3)) for c in centers])[:40]
x += 0.3  # keep every point away from the origin (cosine)
save("agglomerative_x.csv", x)

# scikit-learn: children_, distances_, labels_ (n_clusters=3).
for linkage in ["ward", "complete", "average", "single"]:
    metrics = ["euclidean"] if linkage == "ward" else ["euclidean", "manhattan", "cosine", "precomputed"]
    for metric in metrics:
        data = pairwise_distances(x) if metric == "precomputed" else x
        m = AgglomerativeClustering(n_clusters=3, linkage=linkage, metric=metric,
                                    compute_distances=True).fit(data)
        tree = np.column_stack([m.children_, m.distances_])
        save(f"agglomerative_sk_{linkage}_{metric}_tree.csv", tree)
        save(f"agglomerative_sk_{linkage}_{metric}_labels.csv", m.labels_, fmt="%d")

# distance_threshold cuts.
for linkage, thr in [("ward", 3.0), ("average", 1.5), ("single", 0.8)]:
    m = AgglomerativeClustering(n_clusters=None, distance_threshold=thr, linkage=linkage).fit(x)
    save(f"agglomerative_sk_{linkage}_threshold_labels.csv", m.labels_, fmt="%d")
    with open(f"agglomerative_sk_{linkage}_threshold_n.csv", "w") as f:
        f.write(f"{m.n_clusters_}\n")

# Larger n_clusters cut (heap order of _hc_cut matters).
m = AgglomerativeClustering(n_clusters=9, linkage="average").fit(x)
save("agglomerative_sk_average_k9_labels.csv", m.labels_, fmt="%d")

# scipy linkage matrices.
for method in ["single", "complete", "average", "ward"]:
    metrics = ["euclidean"] if method == "ward" else ["euclidean", "cityblock", "cosine"]
    for metric in metrics:
        save(f"agglomerative_scipy_{method}_{metric}.csv", hierarchy.linkage(x, method, metric))

# A larger random set (no ties) for ward and single.
y = np.random.RandomState(1).normal(size=(300, 5))
save("agglomerative_y.csv", y)
for method in ["ward", "single", "average"]:
    save(f"agglomerative_scipy_y_{method}.csv", hierarchy.linkage(y, method))

# Ties: a 4 x 4 integer grid plus two duplicate points; distances are exact.
g = np.array([[i, j] for i in range(4) for j in range(4)] + [[1, 1], [2, 3]], dtype=float)
save("agglomerative_ties_x.csv", g)
for method in ["single", "complete", "average", "ward"]:
    save(f"agglomerative_ties_scipy_{method}.csv", hierarchy.linkage(g, method))
m = AgglomerativeClustering(n_clusters=4, linkage="single", compute_distances=True).fit(g)
save("agglomerative_ties_sk_single_tree.csv", np.column_stack([m.children_, m.distances_]))
save("agglomerative_ties_sk_single_labels.csv", m.labels_, fmt="%d")

with open("agglomerative_versions.txt", "w") as f:
    f.write(f"scikit-learn {sklearn.__version__}\nscipy {scipy.__version__}\nnumpy {np.__version__}\n")
