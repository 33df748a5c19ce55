"""scikit-learn side of benchmarks/manifold/tsne_table.cc.

Usage:
  tsne_sklearn.py dump-digits OUT.csv      write load_digits() X as CSV
  tsne_sklearn.py fit X.npy METHOD N_ITER  time TSNE(...).fit(X)
Prints one JSON line of numbers.
"""
import json
import sys
import time

import numpy as np


def main():
    if sys.argv[1] == "dump-digits":
        from sklearn.datasets import load_digits
        x = load_digits().data
        np.savetxt(sys.argv[2], x, delimiter=",", fmt="%d")
        print(json.dumps({"rows": float(x.shape[0])}))
        return
    from sklearn.manifold import TSNE
    x = np.load(sys.argv[2])
    method = sys.argv[3]
    n_iter = int(sys.argv[4])
    t = TSNE(method=method, n_iter=n_iter, learning_rate="auto", init="pca",
             random_state=0)
    t0 = time.perf_counter()
    t.fit(x)
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "kl_divergence": float(t.kl_divergence_),
                      "n_iter": float(t.n_iter_)}))


if __name__ == "__main__":
    main()
