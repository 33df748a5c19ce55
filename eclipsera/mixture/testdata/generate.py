"""Golden data for eclipsera/mixture GaussianMixture parity tests.

Run with Debian's scikit-learn 1.2:
    /usr/bin/python3 eclipsera/mixture/testdata/generate.py
Writes, next to this script:
  gmm_x.csv                    200 x 3 data (three overlapping blobs, seed 7)
  gmm_init_<type>_{weights,means,precisions}.csv   explicit initial state
  gmm_<type>_{means,covariances,weights,precisions_cholesky}.csv  fitted
  gmm_<type>_scalars.txt       "name value" lines: lower_bound, n_iter,
                               converged, bic, aic, score
  gmm_<type>_proba.csv         predict_proba of the first 10 rows
  gmm_<type>_labels.csv        fit_predict labels
Full precisions are stored as (n_components * n_features) x n_features.
A second run per type with max_iter=2 (not converged) is stored as
gmm_<type>_short_scalars.txt / gmm_<type>_short_means.csv.
"""
import os
import sys

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 7
K, D = 3, 3


def save(name, a):
    a = np.atleast_2d(np.asarray(a, dtype=np.float64))
    if a.ndim == 3:
        a = a.reshape(-1, a.shape[-1])
    np.savetxt(os.path.join(HERE, name), a, delimiter=",", fmt="%.17g")


def main():
    rng = np.random.RandomState(SEED)
    centers = np.array([[0.0, 0.0, 0.0], [2.5, 1.0, -1.0], [-1.0, 3.0, 1.5]])
    parts = []
    for c, n in zip(centers, [80, 70, 50]):
        a = rng.normal(size=(D, D)) * 0.5 + np.eye(D)
        parts.append(rng.normal(size=(n, D)) @ a + c)
    x = np.vstack(parts) + np.array([10.0, -5.0, 3.0])
    save("gmm_x.csv", x)

    weights_init = np.array([0.3, 0.3, 0.4])
    means_init = centers + np.array([10.0, -5.0, 3.0]) + rng.normal(
        scale=0.7, size=(K, D))
    prec_full = []
    for k in range(K):
        b = rng.normal(size=(D, D)) * 0.2
        prec_full.append(np.eye(D) * (0.8 + 0.2 * k) + b @ b.T)
    prec_full = np.array(prec_full)
    precisions_init = {
        "full": prec_full,
        "tied": prec_full[0],
        "diag": np.array([[0.9, 1.1, 1.3], [0.7, 1.0, 1.2], [1.5, 0.8, 1.0]]),
        "spherical": np.array([0.9, 1.2, 0.7]),
    }
    for ctype in ["full", "tied", "diag", "spherical"]:
        save("gmm_init_%s_weights.csv" % ctype, weights_init)
        save("gmm_init_%s_means.csv" % ctype, means_init)
        save("gmm_init_%s_precisions.csv" % ctype, precisions_init[ctype])
        for suffix, max_iter in [("", 200), ("_short", 2)]:
            gm = GaussianMixture(
                n_components=K, covariance_type=ctype, tol=1e-6,
                max_iter=max_iter, weights_init=weights_init,
                means_init=means_init,
                precisions_init=precisions_init[ctype], random_state=0)
            labels = gm.fit_predict(x)
            prefix = "gmm_%s%s" % (ctype, suffix)
            save(prefix + "_means.csv", gm.means_)
            with open(os.path.join(HERE, prefix + "_scalars.txt"), "w") as f:
                f.write("lower_bound %.17g\n" % gm.lower_bound_)
                f.write("n_iter %d\n" % gm.n_iter_)
                f.write("converged %d\n" % int(gm.converged_))
                f.write("bic %.17g\n" % gm.bic(x))
                f.write("aic %.17g\n" % gm.aic(x))
                f.write("score %.17g\n" % gm.score(x))
            if suffix:
                continue
            save(prefix + "_covariances.csv", gm.covariances_)
            save(prefix + "_weights.csv", gm.weights_)
            save(prefix + "_precisions_cholesky.csv", gm.precisions_cholesky_)
            save(prefix + "_proba.csv", gm.predict_proba(x[:10]))
            save(prefix + "_labels.csv", labels)
    with open(os.path.join(HERE, "VERSIONS.txt"), "w") as f:
        f.write("scikit-learn %s\nnumpy %s\npython %s\nseed %d\n" % (
            sklearn.__version__, np.__version__, sys.version.split()[0], SEED))


if __name__ == "__main__":
    main()
