"""Scaling of `mpirun -np N eclipsera search` on this machine (issue 16).

Two searches, timed end to end (process start to exit, data broadcast and
refit included) and by the command's own fit_seconds:
  (a) the model-selection table's case (a): GridSearchCV(KMeans(n_init=1)),
      n_clusters 2..11 x KFold(5) = 50 fits, 10,000 x 20 blobs;
  (h) a heavier one: GridSearchCV(KMeans(n_init=1, max_iter=100)),
      n_clusters 2..31 x KFold(5) = 150 fits, 60,000 x 32 blobs.
Configurations: one process on one core and on every core, then 1, 2 and 4
ranks bound to one core each (4 ranks oversubscribe a 2-core machine: that
row shows the cost of oversubscription, not a speed-up). Speed-up and
efficiency are against the one-core process, wall times (mpirun's start
included); efficiency divides by the cores used. Peak is the largest
resident set of any process of the run.

Usage: mpi_scaling.py ECLIPSERA MPIRUN_SH [--smoke]
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np


def blobs(n, d, centers, seed):
    rng = np.random.default_rng(seed)
    c = rng.uniform(-10, 10, size=(centers, d))
    labels = rng.integers(0, centers, size=n)
    return c[labels] + rng.normal(size=(n, d))


def run(cmd):
    """Runs cmd in a child that reports its descendants' peak RSS."""
    probe = ("import resource, subprocess, sys\n"
             "r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)\n"
             "sys.stdout.write(r.stdout.decode())\n"
             "sys.stderr.write('PEAK %d\\n' % resource.getrusage("
             "resource.RUSAGE_CHILDREN).ru_maxrss)\n"
             "sys.exit(r.returncode)\n")
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", probe] + cmd,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode())
        raise SystemExit("failed: " + " ".join(cmd))
    peak_kb = int(r.stderr.decode().rsplit("PEAK ", 1)[1].split()[0])
    return wall, json.loads(r.stdout.decode().strip().splitlines()[-1]), peak_kb


def main():
    eclipsera, mpirun = os.path.realpath(sys.argv[1]), os.path.realpath(
        sys.argv[2])
    smoke = "--smoke" in sys.argv
    cases = [
        ("(a) KMeans(n_init=1), n_clusters 2..11 x KFold(5), 10,000 x 20",
         (10000, 20, 8), list(range(2, 12)), 300),
        ("(h) KMeans(n_init=1), n_clusters 2..31 x KFold(5), 60,000 x 32",
         (60000, 32, 16), list(range(2, 32)), 100),
    ]
    if smoke:  # Every configuration once, on data that takes no time.
        cases = [("smoke: KMeans(n_init=1), n_clusters 2..3 x KFold(5), "
                  "300 x 4", (300, 4, 3), [2, 3], 20)]
    # (label, command prefix, n_jobs, cores used). mpirun binds each rank
    # to one core (Open MPI's default for up to 2 ranks, explicit here), and
    # HardwareThreads() honours the binding, so a rank's fits use its core.
    def ranks(n):
        return [mpirun, "-np", str(n), "--bind-to",
                "core" if n <= cores else "none"]
    cores = os.cpu_count()
    configs = [("1 process on 1 core (taskset -c 0)", ["taskset", "-c", "0"],
                1, 1),
               ("1 process, every core (defaults)", [], -1, cores),
               ("mpirun: 1 rank on 1 core", ranks(1), 1, 1),
               ("mpirun: 2 ranks, 1 core each", ranks(2), 1, min(2, cores)),
               ("mpirun: 4 ranks on %d cores (oversubscribed)" % cores,
                ranks(4), 1, min(4, cores))]
    with tempfile.TemporaryDirectory() as tmp:
        for name, (n, d, centers), ks, max_iter in cases:
            path = os.path.join(tmp, "x.npy")
            np.save(path, blobs(n, d, centers, seed=0))
            args = [eclipsera, "search", "--estimator",
                    "kmeans(n_init=1, random_state=0, max_iter=%d)" % max_iter,
                    "--param_grid", json.dumps({"n_clusters": ks}),
                    "--cv", "5", "--input", path]
            print("\n### %s, %d fits\n" % (name, len(ks) * 5))
            print("| configuration | wall s | search fit s | speed-up | "
                  "efficiency | broadcast s | tasks per rank | peak MB |")
            print("|---|---|---|---|---|---|---|---|")
            base = None
            best = None
            for label, prefix, n_jobs, used in configs:
                wall, out, peak_kb = run(prefix + args +
                                         ["--n_jobs", str(n_jobs)])
                if base is None:
                    base = wall
                    best = out["best_params"]
                if out["best_params"] != best:
                    raise SystemExit("%s: best_params %s != %s" %
                                     (label, out["best_params"], best))
                dist = out.get("distributed", {})
                print("| %s | %.2f | %.2f | %.2fx | %.0f%% | %s | %s | %.0f |" %
                      (label, wall, out["fit_seconds"], base / wall,
                       100 * base / (used * wall),
                       "%.3f" % dist["broadcast_seconds"] if dist else "-",
                       dist.get("tasks_per_rank", "-"), peak_kb / 1024))
    print("\nmachine: %d cores; ranks and threads beyond them share cores. "
          "Every row found the same best_params." % cores)


if __name__ == "__main__":
    main()
