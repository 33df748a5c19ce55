"""Golden data for eclipsera/metrics tests, from scikit-learn 1.2.

Run with /usr/bin/python3 from the repository root:
    /usr/bin/python3 eclipsera/metrics/testdata/generate.py
Continuous random data (seed 7) so no distances tie.
"""
import os

import numpy as np
from sklearn.manifold import trustworthiness

OUT = os.path.dirname(os.path.abspath(__file__))

rng = np.random.RandomState(7)
x = rng.randn(80, 6)
# An embedding that keeps some of the structure: a noisy projection.
y = x[:, :2] + 0.8 * rng.randn(80, 2)
np.savetxt(os.path.join(OUT, "trust_x.csv"), x, delimiter=",", fmt="%.17g")
np.savetxt(os.path.join(OUT, "trust_y.csv"), y, delimiter=",", fmt="%.17g")
vals = [[k, trustworthiness(x, y, n_neighbors=k)] for k in (1, 5, 12)]
np.savetxt(os.path.join(OUT, "trust_expected.csv"), np.array(vals),
           delimiter=",", fmt="%.17g")
