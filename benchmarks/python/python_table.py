"""What switching an import buys a Python user: eclipsera's estimators
against scikit-learn 1.2's, timed from Python on the same data, binding
overhead included (issue 17).

Each row runs in a fresh child interpreter (both libraries imported, the
data made there), fits once to warm up and then takes the best of
`repeats` fits. The peak column is what the warm-up fit added to the
process's peak resident memory (the data and both libraries already
loaded). The last table compares eclipsera's Python KMeans with the
`eclipsera` command on the same .npy file and parameters (its JSON
fit_seconds).

Usage: python_table.py PACKAGE_DIR ECLIPSERA_CLI [--smoke]
"""
import json
import os
import subprocess
import sys
import tempfile

CHILD = r'''
import json, resource, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
case, lib, n, d, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rng = np.random.RandomState(0)
centers = rng.uniform(-10, 10, size=(16, d))
X = centers[rng.randint(16, size=n)] + rng.randn(n, d)
y = (X[:, 0] + 0.5 * rng.randn(n) > np.median(X[:, 0])).astype(int)
if lib == "eclipsera":
    from eclipsera.cluster import KMeans
    from eclipsera.manifold import TSNE
    from eclipsera.mixture import GaussianMixture
    from eclipsera.linear_model import LogisticRegression
    from eclipsera.preprocessing import StandardScaler
    from eclipsera.model_selection import GridSearchCV
else:
    from sklearn.cluster import KMeans
    from sklearn.manifold import TSNE
    from sklearn.mixture import GaussianMixture
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from sklearn.model_selection import GridSearchCV
    if lib == "eclipsera in sklearn GridSearchCV":
        from eclipsera.linear_model import LogisticRegression
        from eclipsera.preprocessing import StandardScaler
from sklearn.pipeline import Pipeline
def run():
    if case == "KMeans":
        KMeans(n_clusters=16, n_init=3, random_state=0).fit(X)
    elif case == "TSNE":
        TSNE(random_state=0).fit_transform(X)
    elif case == "GaussianMixture":
        GaussianMixture(n_components=8, random_state=0).fit(X)
    elif case == "LogisticRegression":
        LogisticRegression().fit(X, y)
    elif case == "GridSearchCV":
        pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
        n_jobs = -1 if lib != "scikit-learn serial" else None
        GridSearchCV(pipe, {"clf__C": [0.001, 0.01, 0.1, 1.0, 10.0]}, cv=5,
                     n_jobs=n_jobs).fit(X, y)
# Peak memory: what the first fit (the warm-up) adds to the data's.
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
run()
best = float("inf")
for _ in range(repeats):
    t = time.perf_counter(); run(); best = min(best, time.perf_counter() - t)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": best, "peak_mb": max(0, peak - base) / 1024}))
'''


def child(package, case, lib, n, d, repeats):
    env = dict(os.environ, PYTHONPATH=package)
    out = subprocess.run([sys.executable, "-c", CHILD, case, lib, str(n),
                          str(d), str(repeats)], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    package, cli = os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])
    smoke = "--smoke" in sys.argv
    scale = 0.02 if smoke else 1.0
    repeats = 1 if smoke else 3
    cases = [("KMeans", "n_clusters=16, n_init=3", 200000, 32),
             ("TSNE", "defaults (Barnes-Hut)", 5000, 30),
             ("GaussianMixture", "n_components=8, full", 100000, 16),
             ("LogisticRegression", "defaults (lbfgs)", 200000, 32),
             ("GridSearchCV", "scaler + logistic, 5 C x 5 folds", 50000, 32)]
    print("### From Python: eclipsera vs scikit-learn 1.2, same data, same "
          "process kind (best of %d fits after a warm-up)\n" % repeats)
    print("| estimator | parameters | n x d | scikit-learn s | eclipsera s | "
          "speed-up | scikit-learn peak MB | eclipsera peak MB |")
    print("|---|---|---|---|---|---|---|---|")
    for case, params, n, d in cases:
        n = max(200, int(n * scale))
        if case == "GridSearchCV":
            libs = ["scikit-learn serial", "scikit-learn",
                    "eclipsera in sklearn GridSearchCV", "eclipsera"]
            r = {lib: child(package, case, lib, n, d, repeats) for lib in libs}
            for lib in libs[1:]:
                print("| GridSearchCV (%s) | %s, n_jobs=-1 | %d x %d | %.3f | "
                      "%.3f | %.2fx | %.0f | %.0f |" % (
                          lib if lib != "scikit-learn" else "scikit-learn's, "
                          "n_jobs=-1 vs its serial run", params, n, d,
                          r["scikit-learn serial"]["seconds"],
                          r[lib]["seconds"],
                          r["scikit-learn serial"]["seconds"] /
                          r[lib]["seconds"],
                          r["scikit-learn serial"]["peak_mb"],
                          r[lib]["peak_mb"]))
            continue
        sk = child(package, case, "scikit-learn", n, d, repeats)
        ec = child(package, case, "eclipsera", n, d, repeats)
        print("| %s | %s | %d x %d | %.3f | %.3f | %.2fx | %.0f | %.0f |" % (
            case, params, n, d, sk["seconds"], ec["seconds"],
            sk["seconds"] / ec["seconds"], sk["peak_mb"], ec["peak_mb"]))

    # Binding overhead: the same KMeans fit from Python and from the command.
    import numpy as np
    n, d = max(200, int(200000 * scale)), 32
    rng = np.random.RandomState(0)
    centers = rng.uniform(-10, 10, size=(16, d))
    X = centers[rng.randint(16, size=n)] + rng.randn(n, d)
    sys.path.insert(0, package)
    from eclipsera.cluster import KMeans  # pylint: disable=import-outside-toplevel
    import time  # pylint: disable=import-outside-toplevel
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.npy")
        np.save(path, X)
        cli_best = py_best = float("inf")
        for _ in range(repeats + 1):
            out = subprocess.run(
                [cli, "kmeans", "--input", path, "--n_clusters", "16",
                 "--n_init", "3", "--random_state", "0", "--output",
                 os.path.join(tmp, "labels.npy")], check=True,
                capture_output=True, text=True).stdout
            cli_best = min(cli_best, json.loads(
                out.strip().splitlines()[-1])["fit_seconds"])
            t = time.perf_counter()
            KMeans(n_clusters=16, n_init=3, random_state=0).fit(X)
            py_best = min(py_best, time.perf_counter() - t)
    print("\n### Binding overhead: KMeans(n_clusters=16, n_init=3) on %d x %d"
          "\n" % (n, d))
    print("| path | fit s | overhead |")
    print("|---|---|---|")
    print("| `eclipsera kmeans` (the command's fit_seconds) | %.4f | - |" %
          cli_best)
    print("| `eclipsera.cluster.KMeans().fit(X)` from Python (validation, "
          "fitted attributes included) | %.4f | %+.1f%% |" % (
              py_best, 100 * (py_best / cli_best - 1)))
    print("\nmachine: %d cores; every library with its defaults for threads "
          "(scikit-learn's OpenBLAS, eclipsera's n_jobs=-1)." % os.cpu_count())


if __name__ == "__main__":
    main()
