"""Golden data for the wide-data GaussianMixture test (n_samples << n_features).

Run with Debian's scikit-learn 1.2:
    /usr/bin/python3 eclipsera/mixture/testdata/generate_wide.py
The 20 x 3000 data is a formula that the C++ test recomputes (no data file):
    x[i, j] = s_i * 1.5 * cos(0.05 j) + sin(1.3 i + 0.37 j + 0.001 i j)
with s_i = +1 for even i and -1 for odd i (two groups). The fit starts from
means_init = rows 0 and 1, weights_init = (0.5, 0.5) and precisions_init all
0.5, tol 1e-6. Writes gmm_wide_<type>.csv for 'diag' and 'spherical', and
gmm_wide_full.csv for 'full' on the first 600 columns (precisions_init 0.5 I;
the C++ side takes its low-rank path there, 20 samples << 600 features), one
row of: lower_bound, n_iter, converged, weights (2), then per component the
sum of its means, the sum of its covariances, and means[:, :5],
covariances[:, :5] (the first five entries; spherical: the one variance).
"""
import os

import numpy as np
from sklearn.mixture import GaussianMixture

HERE = os.path.dirname(os.path.abspath(__file__))
N, D, K = 20, 3000, 2


def data():
    i = np.arange(N, dtype=np.float64)[:, None]
    j = np.arange(D, dtype=np.float64)[None, :]
    s = np.where(np.arange(N) % 2 == 0, 1.0, -1.0)[:, None]
    return s * 1.5 * np.cos(0.05 * j) + np.sin(1.3 * i + 0.37 * j + 0.001 * i * j)


def main():
    for ctype in ["diag", "spherical", "full"]:
        x = data()
        if ctype == "diag":
            prec = np.full((K, D), 0.5)
        elif ctype == "spherical":
            prec = np.full(K, 0.5)
        else:
            x = x[:, :600]
            prec = np.stack([0.5 * np.eye(600)] * K)
        gm = GaussianMixture(n_components=K, covariance_type=ctype, tol=1e-6,
                             max_iter=200, weights_init=[0.5, 0.5],
                             means_init=x[:2], precisions_init=prec,
                             random_state=0).fit(x)
        cov = gm.covariances_.reshape(K, -1)
        row = [gm.lower_bound_, gm.n_iter_, float(gm.converged_)]
        row += list(gm.weights_)
        for k in range(K):
            row += [gm.means_[k].sum(), cov[k].sum()]
            row += list(gm.means_[k, :5]) + list(cov[k, :5])
        np.savetxt(os.path.join(HERE, "gmm_wide_%s.csv" % ctype),
                   np.atleast_2d(row), delimiter=",", fmt="%.17g")


if __name__ == "__main__":
    main()
