"""Golden data for eclipsera/manifold tests, from scikit-learn 1.2.

Run with /usr/bin/python3 (Debian's python3-sklearn) from the repository root:
    /usr/bin/python3 eclipsera/manifold/testdata/generate.py
Seeds are fixed below; every file is plain CSV written with repr precision.
"""
import os
import sys

import numpy as np
import scipy
import sklearn
from scipy.spatial.distance import squareform
from sklearn.datasets import load_digits
from sklearn.manifold import TSNE, trustworthiness
from sklearn.manifold import _t_sne
from sklearn.metrics import pairwise_distances
from sklearn.neighbors import NearestNeighbors

OUT = os.path.dirname(os.path.abspath(__file__))


def save(name, a, fmt="%.17g"):
    np.savetxt(os.path.join(OUT, name), np.atleast_2d(a), delimiter=",", fmt=fmt)


def main():
    print("sklearn", sklearn.__version__, "numpy", np.__version__,
          "scipy", scipy.__version__, file=sys.stderr)
    rng = np.random.RandomState(42)

    # 1. Joint probabilities, exact and nearest-neighbour, on continuous data
    #    (no ties among distances).
    x = rng.randn(60, 5)
    save("tsne_small_x.csv", x)
    d = pairwise_distances(x, metric="euclidean", squared=True)
    p = squareform(_t_sne._joint_probabilities(d, 10.0, 0))
    save("tsne_small_p_exact_perp10.csv", p)
    k = min(59, int(3.0 * 5.0 + 1))
    knn = NearestNeighbors(n_neighbors=k).fit(x)
    g = knn.kneighbors_graph(mode="distance")
    g.data **= 2
    pnn = _t_sne._joint_probabilities_nn(g, 5.0, 0).tocoo()
    save("tsne_small_p_nn_perp5.csv",
         np.column_stack([pnn.row, pnn.col, pnn.data]))

    # 2. Exact gradient descent, 100 iterations of the exaggerated phase from
    #    an explicit float64 initial embedding, as TSNE._tsne runs it.
    y0 = 1e-4 * rng.randn(60, 2)
    save("tsne_small_y0.csv", y0)
    pj = _t_sne._joint_probabilities(d, 10.0, 0)
    pj *= 12.0
    params, kl, it = _t_sne._gradient_descent(
        _t_sne._kl_divergence, y0.ravel().copy(), it=0, n_iter=100,
        n_iter_check=50, n_iter_without_progress=250, momentum=0.5,
        learning_rate=10.0, min_gain=0.01, min_grad_norm=1e-7, verbose=0,
        args=[pj, 1, 60, 2], kwargs=dict(skip_num_points=0))
    save("tsne_small_y100_exact.csv", params.reshape(60, 2))
    save("tsne_small_y100_exact_kl.csv", np.array([[kl, it]]))

    # 3. Digits subset: full runs, exact and Barnes-Hut, explicit init.
    digits_x, digits_y = load_digits(return_X_y=True)
    n = 400
    dx = digits_x[:n]
    save("digits400_x.csv", dx, fmt="%d")
    save("digits400_y.csv", digits_y[:n].reshape(-1, 1), fmt="%d")
    yd0 = 1e-4 * rng.randn(n, 2)
    save("digits400_y0.csv", yd0)
    rows = []
    for method in ["exact", "barnes_hut"]:
        t = TSNE(n_components=2, perplexity=30.0, learning_rate=200.0,
                 init=yd0.copy(), method=method, random_state=0)
        emb = t.fit_transform(dx)
        tw = trustworthiness(dx, emb, n_neighbors=5)
        rows.append([t.kl_divergence_, t.n_iter_, tw])
        print(method, t.kl_divergence_, t.n_iter_, tw, file=sys.stderr)
    # Default settings (pca init, learning_rate='auto'), trustworthiness only.
    for method in ["exact", "barnes_hut"]:
        t = TSNE(n_components=2, method=method, random_state=0)
        emb = t.fit_transform(dx)
        tw = trustworthiness(dx, emb, n_neighbors=5)
        rows.append([t.kl_divergence_, t.n_iter_, tw])
        print(method, "defaults", t.kl_divergence_, t.n_iter_, tw,
              file=sys.stderr)
    # The final KL of a t-SNE run is chaotic in its initial state (an init
    # perturbed by 1e-13 lands in another local minimum, KL +-5%), so the
    # KL comparison uses the mean over 10 inits y0 * (1 + 1e-13 r), an
    # expression C++ evaluates to the same doubles.
    for method in ["exact", "barnes_hut"]:
        kls = []
        for r in range(10):
            t = TSNE(n_components=2, perplexity=30.0, learning_rate=200.0,
                     init=yd0 * (1.0 + 1e-13 * r), method=method)
            t.fit(dx)
            kls.append(t.kl_divergence_)
        rows.append([np.mean(kls), np.min(kls), np.max(kls)])
        print(method, "kl over 10 inits", kls, file=sys.stderr)
    # Rows: exact explicit, BH explicit, exact defaults, BH defaults,
    # exact mean/min/max KL over 10 inits, BH mean/min/max KL.
    save("digits400_sklearn_runs.csv", np.array(rows))


if __name__ == "__main__":
    main()
